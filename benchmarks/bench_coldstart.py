"""Cold start: from process start to the unlock screen being ready.

    python benchmarks/bench_coldstart.py [--size 50000] [--repeat 7]

Each run is a fresh interpreter that imports the app, opens the store
(including the Alembic schema check) and runs the Textual app headless
(``App.run(headless=True)``) until Textual's ``Ready`` event, where it
checks that the unlock screen with its list of workers is showing and
exits. The parent takes the clock before starting the process; the child
records the time at the top of its script (after interpreter start-up), after
the imports, after opening the store, after building the app and on Ready.

Headless means no real terminal: drawing the first frame to a terminal is
not included (a few milliseconds for 120x36 cells). Byte-code is already
compiled (.pyc); a first run after installing is slower.
The baseline is measured in the same run, alternating with the app: a bare
Textual app (the same installed Textual) with one ``Input``, run headless
at the same size until ``Ready``, timed the same way from process start.
Target: jongerenteam's median at most 1.3 times the baseline's median.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from measure import Result, emit, print_machine

RATIO_TARGET = 1.3

CHILD = r"""
import time
T0 = time.time()
import sys
from jongerenteam.cli import make_app  # noqa: F401  (the composition root, as the CLI imports it)
from jongerenteam.settings import Settings
from screens.app import JongerenteamApp
from screens.unlock import UnlockScreen
from storage.store import Store
T_IMPORTS = time.time()
location = sys.argv[1]
store = Store.open(location)
T_STORE = time.time()
marks = {}


class TimedApp(JongerenteamApp):
    # make_app() builds JongerenteamApp(settings=..., store=...); this is the
    # same app with a Ready handler that records the time and exits. The
    # style sheet path is made absolute: Textual resolves a relative one
    # against the file of the class, and this class has no file.
    CSS_PATH = str(__import__("pathlib").Path(sys.modules["screens.app"].__file__).with_name("app.tcss"))

    def on_ready(self) -> None:
        marks["ready"] = time.time()
        marks["screen"] = type(self.screen).__name__
        if isinstance(self.screen, UnlockScreen):
            marks["workers_listed"] = self.screen.query_one("#workers").option_count
        self.exit(0)


app = TimedApp(settings=Settings(store=location), store=store)
T_APP = time.time()
app.run(headless=True, size=(120, 36))
store.close()
print(__import__("json").dumps({
    "t0": T0, "imports": T_IMPORTS, "store": T_STORE, "app": T_APP,
    "ready": marks.get("ready"), "screen": marks.get("screen"),
    "workers_listed": marks.get("workers_listed", 0),
}))
"""


BASELINE = r"""
import time
T0 = time.time()
import json
from textual.app import App
from textual.widgets import Input
T_IMPORTS = time.time()
marks = {}


class Bare(App):
    def compose(self):
        yield Input(placeholder="zoek")

    def on_ready(self) -> None:
        marks["ready"] = time.time()
        self.exit(0)


app = Bare()
T_APP = time.time()
app.run(headless=True, size=(120, 36))
print(json.dumps({"t0": T0, "imports": T_IMPORTS, "app": T_APP, "ready": marks.get("ready")}))
"""


def baseline_run() -> dict:
    start = time.time()
    proc = subprocess.run([sys.executable, "-c", BASELINE], capture_output=True, text=True, check=False)
    end = time.time()
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise RuntimeError("baseline child failed")
    d = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "interpreter": d["t0"] - start,
        "imports": d["imports"] - d["t0"],
        "mount_to_ready": d["ready"] - d["app"],
        "to_ready": d["ready"] - start,
        "process_total": end - start,
    }


def one_run(location: str) -> dict:
    start = time.time()
    proc = subprocess.run([sys.executable, "-c", CHILD, location], capture_output=True, text=True, check=False)
    end = time.time()
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise RuntimeError("cold-start child failed")
    d = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "interpreter": d["t0"] - start,
        "imports": d["imports"] - d["t0"],
        "store_open": d["store"] - d["imports"],
        "app_init": d["app"] - d["store"],
        "mount_to_ready": d["ready"] - d["app"],
        "to_ready": d["ready"] - start,
        "process_total": end - start,
        "screen": d["screen"],
        "workers_listed": d["workers_listed"],
    }


def run(size: int, repeat: int) -> list[Result]:
    from build_store import ensure_store

    bs = ensure_store(size)
    one_run(str(bs.path))  # warm the OS file cache and byte-code once, untimed
    baseline_run()
    runs, bases = [], []
    for i in range(repeat):  # alternate, so drift in the machine's speed hits both alike
        if i % 2:
            bases.append(baseline_run())
            runs.append(one_run(str(bs.path)))
        else:
            runs.append(one_run(str(bs.path)))
            bases.append(baseline_run())
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k not in ("screen", "workers_listed")}
    base = {k: statistics.median(r[k] for r in bases) for k in bases[0]}
    parts = ", ".join(
        f"{k.replace('_', ' ')} {med[k] * 1000:.0f} ms"
        for k in ("interpreter", "imports", "store_open", "app_init", "mount_to_ready")
    )
    base_parts = ", ".join(
        f"{k.replace('_', ' ')} {base[k] * 1000:.0f} ms" for k in ("interpreter", "imports", "mount_to_ready")
    )
    screen = runs[0]["screen"]
    ratio = med["to_ready"] / base["to_ready"]
    return [
        Result("coldstart", "process start to unlock screen Ready (median)", size, med["to_ready"], "s", None,
               note=f"{parts}; screen {screen}, {runs[0]['workers_listed']} workers listed; {repeat} runs,"
               f" max {max(r['to_ready'] for r in runs):.3f} s"),
        Result("coldstart", "  of which imports (jongerenteam, screens, textual, storage)", size,
               med["imports"], "s", None),
        Result("coldstart", "baseline: bare Textual app, one Input, to Ready (median)", None, base["to_ready"], "s",
               None, note=f"{base_parts}; {repeat} runs alternating with the app,"
               f" max {max(r['to_ready'] for r in bases):.3f} s"),
        Result("coldstart", "cold start ratio, jongerenteam / bare Textual app", size, ratio, "x", RATIO_TARGET,
               note=f"{med['to_ready'] * 1000:.0f} ms / {base['to_ready'] * 1000:.0f} ms; imports alone "
               f"{med['imports'] * 1000:.0f} / {base['imports'] * 1000:.0f} ms"),
        Result("coldstart", "process start to exit (median)", size, med["process_total"], "s", None,
               note=f"includes shutdown; baseline {base['process_total']:.3f} s"),
    ]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="cold-start benchmark")
    ap.add_argument("--size", type=int, default=50000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.json:
        print_machine()
    emit(run(args.size, args.repeat), as_json=args.json)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
