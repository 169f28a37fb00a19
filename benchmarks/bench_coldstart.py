"""Cold start: from process start to the unlock screen being ready.

    python benchmarks/bench_coldstart.py [--size 50000] [--repeat 7]

Each run is a fresh interpreter that runs what the ``jongerenteam`` command
runs: it imports ``jongerenteam.cli`` and calls ``cli.main(["--store", <store>,
"open"])``, the same path as typing ``jongerenteam`` (argument parsing, the
store's preview or the ordinary open, ``make_app``, ``App.run``). Two things
differ, both in the stand-in for ``make_app``: the app is a subclass that
records the time at Textual's ``Ready`` event, checks that the unlock screen
with its list of workers is showing and exits; and it runs headless
(``App.run(headless=True)``) at 120x36. The parent takes the clock before
starting the process; the child records the time at the top of its script
(after interpreter start-up), after importing ``jongerenteam.cli``, when
``make_app`` is called (the store's preview, or the ordinary open, is done),
after importing ``screens.app``, after building the app, and on Ready.

Since the store is opened behind the unlock screen (storage.preview), the
app starts a thread worker to open it at Ready; here the app exits on that
same Ready, before the worker runs, so the open is not timed at all ("process
start to exit" is Ready plus shutting the interpreter down).

Headless means no real terminal: drawing the first frame to a terminal is
not included (a few milliseconds for 120x36 cells).

Byte-code: an installed program runs from compiled byte-code (.pyc), which
pip writes at install time for the dependencies, and Python writes on first
use for an editable install. A development shell may set
PYTHONDONTWRITEBYTECODE=1; then jongerenteam's own modules (not the
installed Textual of the baseline) are compiled from source in every run,
about 50 ms here. So the children run with that variable removed and
PYTHONPYCACHEPREFIX pointing into the benchmark directory (nothing is
written into the source tree), and the untimed first runs fill that cache.
``--as-is`` keeps the environment as it is instead (how the figures before
2026-11-23 evening were taken).
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

# The children's environment; see "Byte-code" above and main().
CHILD_ENV: dict[str, str] | None = None

CHILD = r"""
import time
T0 = time.time()
import sys
from jongerenteam import cli
T_IMPORTS = time.time()
location = sys.argv[1]
marks = {}


def timed_make_app(settings, store):
    # As cli.make_app, with a Ready handler that records the time and exits,
    # and headless. The style sheet paths are made absolute: Textual resolves a
    # relative one against the file of the class, and this class has no file.
    marks["store"] = time.time()
    from pathlib import Path

    from screens.app import JongerenteamApp
    from screens.unlock import UnlockScreen

    marks["screens"] = time.time()

    class TimedApp(JongerenteamApp):
        CSS_PATH = [str(Path(sys.modules["screens.app"].__file__).parent / path) for path in JongerenteamApp.CSS_PATH]

        def on_ready(self) -> None:
            marks["ready"] = time.time()
            marks["screen"] = type(self.screen).__name__
            if isinstance(self.screen, UnlockScreen):
                marks["workers_listed"] = self.screen.query_one("#workers").option_count
            marks["preview"] = type(self.store).__name__ == "OpeningStore"
            self.exit(0)

        def run(self, **kwargs):
            return super().run(headless=True, size=(120, 36))

    app = TimedApp(settings=settings, store=store)
    marks["app"] = time.time()
    return app


cli.make_app = timed_make_app
code = cli.main(["--store", location, "open"])
T_EXIT = time.time()
print(__import__("json").dumps({
    "t0": T0, "imports": T_IMPORTS, "store": marks.get("store"), "screens": marks.get("screens"),
    "app": marks.get("app"), "ready": marks.get("ready"), "screen": marks.get("screen"),
    "workers_listed": marks.get("workers_listed", 0), "preview": marks.get("preview"), "code": code,
    "exit": T_EXIT,
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
    proc = subprocess.run(
        [sys.executable, "-c", BASELINE], capture_output=True, text=True, check=False, env=CHILD_ENV
    )
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
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, location], capture_output=True, text=True, check=False, env=CHILD_ENV
    )
    end = time.time()
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise RuntimeError("cold-start child failed")
    d = json.loads(proc.stdout.strip().splitlines()[-1])
    if d["ready"] is None or d["code"] != 0:
        raise RuntimeError(f"cold-start child did not reach Ready (exit code {d['code']})")
    return {
        "interpreter": d["t0"] - start,
        "imports": d["imports"] - d["t0"],
        "store_open": d["store"] - d["imports"],
        "screens_import": d["screens"] - d["store"],
        "app_init": d["app"] - d["screens"],
        "mount_to_ready": d["ready"] - d["app"],
        "to_ready": d["ready"] - start,
        "process_total": end - start,
        "screen": d["screen"],
        "workers_listed": d["workers_listed"],
        "preview": d["preview"],
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
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k not in ("screen", "workers_listed", "preview")}
    base = {k: statistics.median(r[k] for r in bases) for k in bases[0]}
    names = {
        "interpreter": "interpreter", "imports": "import jongerenteam.cli",
        "store_open": "parse args + store preview/open", "screens_import": "import screens",
        "app_init": "app init", "mount_to_ready": "mount to ready",
    }
    parts = ", ".join(f"{label} {med[k] * 1000:.0f} ms" for k, label in names.items())
    base_parts = ", ".join(
        f"{k.replace('_', ' ')} {base[k] * 1000:.0f} ms" for k in ("interpreter", "imports", "mount_to_ready")
    )
    screen = runs[0]["screen"]
    ratio = med["to_ready"] / base["to_ready"]
    return [
        Result("coldstart", "process start to unlock screen Ready (median)", size, med["to_ready"], "s", None,
               note=f"{parts}; screen {screen}, {runs[0]['workers_listed']} workers listed,"
               f" {'from the preview' if runs[0]['preview'] else 'store opened first'};"
               f" {'byte-code cached' if CHILD_ENV is not None else 'environment as is'}; {repeat} runs,"
               f" max {max(r['to_ready'] for r in runs):.3f} s"),
        Result("coldstart", "  of which imports (jongerenteam.cli, then screens.app)", size,
               med["imports"] + med["screens_import"], "s", None),
        Result("coldstart", "baseline: bare Textual app, one Input, to Ready (median)", None, base["to_ready"], "s",
               None, note=f"{base_parts}; {repeat} runs alternating with the app,"
               f" max {max(r['to_ready'] for r in bases):.3f} s"),
        Result("coldstart", "cold start ratio, jongerenteam / bare Textual app", size, ratio, "x", RATIO_TARGET,
               note=f"{med['to_ready'] * 1000:.0f} ms / {base['to_ready'] * 1000:.0f} ms; imports alone "
               f"{(med['imports'] + med['screens_import']) * 1000:.0f} / {base['imports'] * 1000:.0f} ms"),
        Result("coldstart", "process start to exit (median)", size, med["process_total"], "s", None,
               note=f"includes interpreter shutdown; baseline {base['process_total']:.3f} s"),
    ]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="cold-start benchmark")
    ap.add_argument("--size", type=int, default=50000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--as-is", action="store_true",
                    help="keep PYTHONDONTWRITEBYTECODE / PYTHONPYCACHEPREFIX as the environment has them")
    args = ap.parse_args(argv)
    global CHILD_ENV
    if not args.as_is:
        from build_store import bench_dir

        CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(bench_dir() / "pycache")
    if not args.json:
        print_machine()
    emit(run(args.size, args.repeat), as_json=args.json)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
