"""What a hulpverlener waits for, timed to the painted frame in the real app (issue 19).

    python benchmarks/bench_felt.py [--size 50000] [--as NAME] [--keys 40] [--repeat 5] [--json]

In one process, on a benchmark store (``build_store.py``; cheap test key
derivation, so Argon2 is left out as the issue asks), the real app
(``jongerenteam.cli.make_app``, Textual ``run_test``, headless, 120x36):

(a) **Enter on the passphrase to Vandaag drawn and filled**: the unlock
    screen with the name and the passphrase typed, Enter pressed, until the
    first frame of the Vandaag screen whose lists hold the day
    (``HomeScreen.today`` set and drawn). Repeated ``--repeat`` times (a
    new app each time, the same process: imports are warm, as on the second
    unlock of a day).
(b) **One keystroke in the search field to the results painted**: letters
    of invented names typed one by one on Vandaag (each timed from sending
    the key to the end of the frame that shows its results), then cleared.
    Baseline in the same run: a bare Textual app with one ``Input``, the
    same keys, the same timing.
(c) **Peak RSS** of a fresh process that unlocks once, draws Vandaag and
    searches (``--rss-only``, started by this script): one app, as a
    worker's laptop runs it.

A frame is "painted" when the screen's compositor has rendered the update
(the headless driver then writes nothing; writing the cells to a real
terminal is not included). Textual paints at most 60 frames a second; to
time the work, not the pacing, the frame timer runs at 1 ms (as
``bench_dossier.py`` does). Load on the machine shows in every figure: the
load average is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import time

os.environ["JONGERENTEAM_INSECURE_TEST_KDF"] = "1"  # a benchmark store, not a real one
os.environ["JONGERENTEAM_BENCHMARK"] = "1"  # the mark that lets the test KDF count (jongerenteam.settings)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from measure import Result, emit, print_machine, summary

KEYSTROKE_TARGET_MS = 16.0
UNLOCK_TARGET_S = 0.5
RSS_TARGET_MB = 250.0
# Parts of names people type; each is typed letter by letter, then cleared.
TYPED = ("jan", "de vr", "bakk", "moh", "sanne", "el", "visser", "yil", "van d", "kees")
TIMEOUT_S = 120.0


class Frames:
    """Frame end times of the screen on top, with whether it showed what was waited for."""

    def __init__(self) -> None:
        self.times: list[tuple[float, bool]] = []
        self.ready = lambda screen: True

    def hook(self, screen_class: type) -> None:
        original = screen_class._compositor_refresh
        frames = self

        def _compositor_refresh(screen) -> None:  # type: ignore[no-untyped-def]
            original(screen)
            if screen is screen.app.screen:
                frames.times.append((time.perf_counter(), bool(frames.ready(screen))))

        screen_class._compositor_refresh = _compositor_refresh

    async def wait(self, t0: float) -> float:
        """Seconds from ``t0`` to the end of the first frame that was ready."""
        while True:
            for t, ok in self.times:
                if ok and t >= t0:
                    return t - t0
            if time.perf_counter() - t0 > TIMEOUT_S:
                raise RuntimeError("nothing ready was painted in time")
            await asyncio.sleep(0.0002)


async def unlock_to_today(location: str, name: str, passphrase: str, frames: Frames) -> float:
    from textual.screen import Screen

    from jongerenteam.cli import make_app
    from jongerenteam.settings import Settings
    from screens.home import HomeScreen
    from storage.store import Store

    store = Store.open(location)
    app = make_app(Settings(store=location), store)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            from textual import events

            app.post_message(events.Paste(name))
            await pilot.pause()
            await pilot.press("enter")
            app.post_message(events.Paste(passphrase))
            await pilot.pause()
            frames.ready = lambda screen: isinstance(screen, HomeScreen) and screen.today is not None
            frames.times.clear()
            t0 = time.perf_counter()
            await pilot.press("enter")
            took = await frames.wait(t0)
            assert isinstance(app.screen, Screen)
            await app.workers.wait_for_complete()
            return took
    finally:
        store.close()


async def keystrokes(location: str, name: str, passphrase: str, frames: Frames) -> list[float]:
    from textual import events
    from textual.widgets import Input

    from jongerenteam.cli import make_app
    from jongerenteam.settings import Settings
    from screens.home import HomeScreen
    from storage.store import Store

    store = Store.open(location)
    app = make_app(Settings(store=location), store)
    out: list[float] = []
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await app.workers.wait_for_complete()
            app.post_message(events.Paste(name))
            await pilot.pause()
            await pilot.press("enter")
            app.post_message(events.Paste(passphrase))
            await pilot.pause()
            await pilot.press("enter")
            while not (isinstance(app.screen, HomeScreen) and app.screen.today is not None):
                await asyncio.sleep(0.01)
            await app.workers.wait_for_complete()
            await pilot.press("slash")
            out = await type_words(pilot, app.screen.query_one("#search", Input), frames)
    finally:
        store.close()
    return out


async def bare_keystrokes(frames: Frames) -> list[float]:
    """The baseline: a bare Textual app with one Input, the same keys."""
    from textual.app import App
    from textual.widgets import Input

    class Bare(App[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            yield Input()

    app = Bare()
    out: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        field = app.query_one(Input)
        field.focus()
        await pilot.pause()
        out = await type_words(pilot, field, frames)
    return out


async def type_words(pilot, field, frames: Frames) -> list[float]:  # type: ignore[no-untyped-def]
    """Type each of ``TYPED`` into the focused ``field`` key by key; each key timed to the frame
    that shows it (``field`` holds the letters typed so far); the field emptied after each word."""
    out: list[float] = []
    for word in TYPED:
        for i, char in enumerate(word):
            typed = word[: i + 1]
            frames.ready = lambda screen, typed=typed: field.value == typed
            frames.times.clear()
            t0 = time.perf_counter()
            await pilot.press("space" if char == " " else char)
            out.append(await frames.wait(t0))
        field.value = ""
        await pilot.pause()
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=50000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--team", choices=("real", "worst"), default="real",
                    help="the store's team (build_store.TEAMS): a real one, or the worst case")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--rss-only", action="store_true", help=argparse.SUPPRESS)  # the child of (c)
    args = ap.parse_args(argv)

    import textual.screen as tscreen
    from build_store import PASSPHRASE, WORKERS, ensure_store
    from textual.screen import Screen

    tscreen.UPDATE_PERIOD = 0.001  # the work, not the 60 Hz pacing (see the docstring)
    bs = ensure_store(args.size, team=args.team)
    name = WORKERS[1][0]  # a hulpverlener with a caseload (the coördinator's is the same size)
    frames = Frames()
    frames.hook(Screen)
    if args.rss_only:
        asyncio.run(keystrokes(str(bs.path), name, PASSPHRASE, frames))
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        return
    load0 = os.getloadavg()[0]
    unlocks = [asyncio.run(unlock_to_today(str(bs.path), name, PASSPHRASE, frames)) for _ in range(args.repeat + 1)][1:]
    keys = asyncio.run(keystrokes(str(bs.path), name, PASSPHRASE, frames))
    bare = asyncio.run(bare_keystrokes(frames))
    child = subprocess.run(
        [sys.executable, __file__, "--rss-only", "--size", str(args.size), "--team", args.team],
        capture_output=True, text=True, check=True,
    )
    rss_mb = float(child.stdout.strip().splitlines()[-1])
    load1 = os.getloadavg()[0]
    u, k, b = summary(unlocks), summary(keys), summary(bare)
    n = args.size
    team = {"team": args.team}
    results = [
        Result("felt", "Enter on the passphrase to Vandaag drawn and filled", n, u["median"], "s", UNLOCK_TARGET_S,
               note=f"{args.team} team; p95 {u['p95']:.2f} s, n={u['n']}; Argon2 left out (test KDF); "
               f"load {load0:.1f}-{load1:.1f}", extra=team),
        Result("felt", "one keystroke in search to results painted, p95", n, k["p95"] * 1000, "ms", KEYSTROKE_TARGET_MS,
               note=f"{args.team} team; median {k['median'] * 1000:.1f} ms, max {k['max'] * 1000:.0f} ms, n={k['n']}",
               extra=team),
        Result("felt", "bare Textual Input: keystroke to frame, p95 (baseline)", None, b["p95"] * 1000, "ms", None,
               note=f"median {b['median'] * 1000:.1f} ms, n={b['n']}"),
        Result("felt", "keystroke p95: ratio to the bare Input", n, k["p95"] / b["p95"], "x", None, extra=team),
        Result("felt", "peak RSS: unlocked, Vandaag and searches", n, rss_mb, "MB", RSS_TARGET_MB,
               note=f"{args.team} team; a fresh process, one app", extra=team),
    ]
    if not args.json:
        print_machine()
    emit(results, as_json=args.json)


if __name__ == "__main__":
    main()
