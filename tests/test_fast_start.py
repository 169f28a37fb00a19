"""Fast start: the unlock screen from a preview, the store opened behind it.

``storage.preview.read_preview`` reads what the unlock screen shows with the
standard ``sqlite3`` module; ``OpeningStore`` is what the app holds while the
real store is opened in a thread worker after the first frame. Nothing on
the way to that frame may import SQLAlchemy or Alembic (docs/performance.md,
"Cold start").
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest
from textual.widgets import Input, OptionList

from jongerenteam import cli
from jongerenteam import messages as msg
from screens.home import HomeScreen
from screens.unlock import UnlockScreen
from storage import team
from storage.errors import StoreDamaged, WrongPassphrase
from storage.preview import SCHEMA_HEAD, OpeningStore, read_preview
from storage.store import Store
from tests.support import COORDINATOR_PASS, SIZE, WORKER_PASS, StubApp, build_app, settle, submit_unlock, text_of, unlock_as

ROOT = Path(__file__).resolve().parent.parent

# Loaded only once the store is opened, never before the first frame.
HEAVY = ("sqlalchemy", "alembic", "faker", "storage.team", "storage.students", "storage.store", "jongerenteam.session")
# Still loaded before the first frame: jongerenteam.settings imports storage.keyslots at module level.
CRYPTO = ("argon2", "cryptography")


def opening(fx, opener=None) -> OpeningStore:
    preview = read_preview(str(fx.path))
    assert preview is not None
    return OpeningStore(str(fx.path), preview, opener=opener)


def message(app) -> str:
    return text_of(app, "#unlock-message")


class GatedOpener:
    """Opens the store only when the test says so; records the thread it ran in."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.called = threading.Event()
        self.thread: str | None = None

    def __call__(self, location: str):
        self.thread = threading.current_thread().name
        self.called.set()
        assert self.go.wait(10), "the test never let the store open"
        return Store.open(location)


# -- the preview --------------------------------------------------------------------


def test_schema_head_is_the_newest_migration():
    """SCHEMA_HEAD must follow the migration scripts, or every start takes the slow path."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storage.store import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(cfg).get_current_head() == SCHEMA_HEAD


def test_preview_has_the_team_its_idle_time_and_the_active_workers_as_the_store_lists_them(team_store):
    """Team name, idle minutes and the active workers in Store.workers() order; a deactivated one is left out."""
    from storage import spreekuur

    store = team_store.store
    keys = team.unlock(store, team_store.coordinator_id, COORDINATOR_PASS)
    spreekuur.set_idle_lock_minutes(store, keys, 12, store.team().version)
    team.deactivate_worker(store, keys, team_store.other_id)

    for location in (str(team_store.path), f"sqlite:///{team_store.path}"):
        preview = read_preview(location)
        assert preview is not None
        assert preview.location == location
        assert preview.revision == SCHEMA_HEAD
        assert (preview.team.name, preview.team.idle_lock_minutes) == ("Testteam", 12)
        assert [tuple(w) for w in preview.workers] == [
            (w.id, w.full_name, w.initials, w.role) for w in store.workers()
        ]
    assert team_store.other_id not in {w.id for w in read_preview(str(team_store.path)).workers}


def test_preview_is_none_for_anything_unusual(closed_team, tmp_path):
    """Missing, empty, not SQLite, SQLite but no store, older or newer schema, a server: None (the ordinary path)."""
    missing = tmp_path / "nergens" / "team.jt"
    assert read_preview(str(missing)) is None
    assert not missing.parent.exists()

    empty = tmp_path / "leeg.jt"
    empty.touch()
    garbage = tmp_path / "rommel.jt"
    garbage.write_bytes(b"dit is geen database" * 100)
    other = tmp_path / "ander.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notities (tekst TEXT)")
    con.commit()
    con.close()
    for path in (empty, garbage, other):
        assert read_preview(str(path)) is None
    assert garbage.read_bytes() == b"dit is geen database" * 100

    for revision in ("0002", "9999"):
        copy = tmp_path / f"rev-{revision}.jt"
        copy.write_bytes(closed_team.path.read_bytes())
        con = sqlite3.connect(copy)
        con.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        con.commit()
        con.close()
        assert read_preview(str(copy)) is None

    assert read_preview("postgresql://jt@localhost/team") is None
    assert read_preview(str(closed_team.path)) is not None


def test_preview_of_a_locked_store_gives_up_quickly(closed_team):
    """A store another program holds exclusively: None within a fraction of a second, not the 5 s busy wait."""
    con = sqlite3.connect(closed_team.path, isolation_level=None)
    try:
        con.execute("PRAGMA locking_mode=EXCLUSIVE")
        con.execute("BEGIN EXCLUSIVE")
        start = time.perf_counter()
        assert read_preview(str(closed_team.path)) is None
        assert time.perf_counter() - start < 2
    finally:
        con.close()


def test_opening_store_opens_once_and_hands_the_same_store_or_error_to_every_waiter(closed_team, tmp_path):
    """wait() from several threads: one open; close() before any open opens nothing."""
    calls = []

    def opener(location):
        calls.append(threading.current_thread().name)
        time.sleep(0.05)
        return Store.open(location)

    store = opening(closed_team, opener)
    store.close()  # never started: nothing to close, nothing opened
    assert calls == [] and not store.started
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.wait())) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and store.opened
    assert len({id(r) for r in results}) == 1
    assert store.team().name == "Testteam"  # any other attribute is the opened store's
    store.close()

    broken = tmp_path / "kapot.jt"
    broken.write_bytes(closed_team.path.read_bytes())
    failing = OpeningStore(str(broken), read_preview(str(broken)))
    broken.write_bytes(b"kapot" * 1000)
    for _ in range(2):
        with pytest.raises(StoreDamaged):
            failing.wait()
    assert failing.done and not failing.opened and isinstance(failing.error, StoreDamaged)
    failing.close()


# -- nothing heavy before the first frame -----------------------------------------------


def _loaded_when_the_app_runs(location: str) -> list[str]:
    """In a fresh interpreter: the modules loaded at the moment the CLI starts the app."""
    code = "\n".join(
        [
            "import json, sys",
            "from jongerenteam import cli",
            "import screens.app",
            "def run(self, *args, **kwargs):",
            "    print(json.dumps(sorted(sys.modules)))",
            "screens.app.JongerenteamApp.run = run",
            f"sys.exit(cli.main(['--store', {location!r}, 'open']))",
        ]
    )
    env = {**os.environ, "JONGERENTEAM_INSECURE_TEST_KDF": "1"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _heavy(loaded: list[str], roots) -> list[str]:
    return [m for m in loaded if m in roots or m.split(".")[0] in roots]


def test_the_modules_of_the_first_frame_do_not_import_sqlalchemy_or_alembic():
    """Importing the CLI, the app and the unlock screen loads neither SQLAlchemy, Alembic nor the heavy storage modules."""
    code = "\n".join(
        [
            "import json, sys",
            "import jongerenteam.cli, screens.app, screens.unlock, storage.preview",
            "print(json.dumps(sorted(sys.modules)))",
        ]
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert _heavy(json.loads(proc.stdout), HEAVY) == []


def test_opening_a_store_at_the_current_schema_does_not_import_alembic(closed_team):
    """Issue 19: ``Store.open`` reads the schema revision itself; Alembic (0.1-0.2 s to
    import) is loaded only for a store at another revision (or none)."""
    code = "\n".join(
        [
            "import sys",
            "from storage.store import Store",
            f"Store.open({str(closed_team.path)!r}).close()",
            "print('alembic' in sys.modules)",
        ]
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_the_cli_starts_the_app_on_a_store_without_sqlalchemy(closed_team):
    """'jongerenteam open' on a SQLite store reaches App.run with no SQLAlchemy, Alembic or storage.team loaded."""
    loaded = _loaded_when_the_app_runs(str(closed_team.path))
    assert "storage.preview" in loaded and "screens.unlock" in loaded
    assert _heavy(loaded, HEAVY) == []


def test_the_cli_starts_the_app_without_argon2_or_cryptography(closed_team):
    assert _heavy(_loaded_when_the_app_runs(str(closed_team.path)), CRYPTO) == []


# -- the app on an opening store ----------------------------------------------------------


async def test_app_shows_the_unlock_screen_from_the_preview_then_unlocks_after_the_open(closed_team):
    """Workers and idle time come from the preview; the store opens in a thread after Ready; unlock works as ever."""
    gate = GatedOpener()
    store = opening(closed_team, gate)
    app = build_app(closed_team, store)
    assert not store.started  # nothing opened while building the app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert app.screen_stack == [app.screen]  # the unlock screen is the bottom of the stack
        prompts = [str(o.prompt) for o in app.screen.query_one("#workers", OptionList).options]
        assert prompts == [
            "Cora Coördinator (CC) · coördinator",
            "Hanna Hulpverlener (HH) · hulpverlener",
            "Otto Collega (OC) · hulpverlener",
        ]
        assert app.team_name == "Testteam" and app.idle_lock_seconds == 300
        assert gate.called.wait(5)
        assert gate.thread != threading.main_thread().name
        assert app.store is store and not store.done
        gate.go.set()
        await settle(app, pilot)
        assert isinstance(app.store, Store) and app.screen.store is app.store

        await unlock_as(app, pilot, "hann", WORKER_PASS)
        assert isinstance(app.screen, HomeScreen)
        assert app.session is not None and app.session.worker_id == closed_team.worker_id
        assert app.session.store is app.store

        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen) and app.session is None
        await unlock_as(app, pilot, "hann", WORKER_PASS)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+q")
    app.store.close()


async def test_enter_before_the_store_is_open_waits_for_it_then_unlocks(closed_team):
    """A fast typist's Enter is not lost: the unlock worker waits for the open, then logs in."""
    gate = GatedOpener()
    store = opening(closed_team, gate)
    app = build_app(closed_team, store)
    async with app.run_test(size=SIZE) as pilot:
        await submit_unlock(app, pilot, "hann", WORKER_PASS)
        await pilot.pause()
        assert message(app) == "Bezig met ontgrendelen..."
        assert app.session is None and not store.done
        gate.go.set()
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.session.worker_id == closed_team.worker_id
        await pilot.press("ctrl+q")
    app.store.close()


async def test_the_wait_after_five_failures_holds_when_the_store_opens_late(closed_team, fixed_store_clock):
    """Five wrong guesses earlier; Enter before the open: once open, the wait text, not a login."""
    opened = Store.open(str(closed_team.path))
    try:
        for n in range(5):
            with pytest.raises(WrongPassphrase):
                team.unlock(opened, closed_team.worker_id, f"fout {n}")
    finally:
        opened.close()
    gate = GatedOpener()
    store = opening(closed_team, gate)
    app = build_app(closed_team, store)
    async with app.run_test(size=SIZE) as pilot:
        await submit_unlock(app, pilot, "hann", WORKER_PASS)
        await pilot.pause()
        gate.go.set()
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen) and app.session is None
        assert "Wacht 2 seconden" in message(app)
        assert app.screen.query_one("#passphrase", Input).value == WORKER_PASS  # as on Enter: the field stays
        # Now the store is open, Enter is refused at once, as always.
        await pilot.press("enter")
        await pilot.pause()
        assert "Wacht 2 seconden" in message(app) and app.session is None
        await pilot.press("ctrl+q")
    app.store.close()


async def test_a_store_that_fails_to_open_behind_the_screen_is_explained_and_unlocks_nothing(closed_team):
    """The file turned to garbage after the preview: the Dutch sentence on the unlock screen, Enter and F1 refused, ctrl+q quits."""
    store = opening(closed_team)
    for suffix in ("-wal", "-shm"):
        Path(str(closed_team.path) + suffix).unlink(missing_ok=True)
    closed_team.path.write_bytes(b"kapot" * 4000)
    expected = msg.explain(StoreDamaged(str(closed_team.path)))[0]
    app = build_app(closed_team, store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert message(app) == expected and app.store_error == expected
        await unlock_as(app, pilot, "hann", WORKER_PASS)
        assert app.session is None and message(app) == expected
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen) and message(app) == expected
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
    store.close()  # nothing was opened: nothing to close, no error


class _OpeningStubApp(StubApp):
    """Stands in for the Textual app: tries the store as the real one does after its first frame."""

    made: ClassVar[list] = []

    def run(self) -> None:
        # A failed open is no failure here: the real app shows it on the unlock screen.
        with contextlib.suppress(Exception):
            self.store.wait()


def test_cli_exit_code_and_sentence_when_the_open_behind_the_screen_fails(closed_team, monkeypatch):
    """After the app closes, the same Dutch sentence and exit code as when the store fails before the app."""
    real_preview = cli._preview_store

    def preview_then_break(location):
        store = real_preview(location)
        closed_team.path.write_bytes(b"kapot" * 4000)
        return store

    _OpeningStubApp.made = []
    monkeypatch.setattr(cli, "make_app", _OpeningStubApp)
    monkeypatch.setattr(cli, "_preview_store", preview_then_break)
    err = io.StringIO()
    code = cli.main(["--store", str(closed_team.path), "open"], console=cli.Console(stdin=io.StringIO(), stdout=io.StringIO(), stderr=err))
    assert code == msg.EXIT_DAMAGED
    assert "beschadigd" in err.getvalue()
    (made,) = _OpeningStubApp.made
    assert isinstance(made.store, OpeningStore)


def test_cli_opens_a_store_at_another_revision_first_as_before(closed_team, monkeypatch):
    """A store at another revision gets no preview: it is opened first, so a newer one is refused before the app, as always."""
    con = sqlite3.connect(closed_team.path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    _OpeningStubApp.made = []
    monkeypatch.setattr(cli, "make_app", _OpeningStubApp)
    err = io.StringIO()
    code = cli.main(["--store", str(closed_team.path), "open"], console=cli.Console(stdin=io.StringIO(), stdout=io.StringIO(), stderr=err))
    assert code == msg.EXIT_NEWER_SCHEMA
    assert "nieuwere versie" in err.getvalue()
    assert _OpeningStubApp.made == []


# -- reading ahead behind the unlock screen (docs/performance.md, "What changed in the evening stop")

WARM_READ = "SELECT max(length(directory)) FROM students"


def traced_opener(seen: list[tuple[str, bool]]):
    """Opens the store as the app does and records every statement of its connections,
    with whether it ran on the main (UI) thread."""
    from sqlalchemy import event

    def record(statement: str) -> None:
        seen.append((statement, threading.current_thread() is threading.main_thread()))

    def open_it(location: str) -> Store:
        store = Store.open(location)
        # At every checkout: the pool keeps the connections the open made.
        event.listen(store.engine, "checkout", lambda conn, _record, _proxy: conn.set_trace_callback(record))
        return store

    return open_it


async def test_once_the_store_is_open_the_directory_is_read_ahead_while_the_person_types(closed_team):
    """After the open behind the unlock screen, a thread reads the students' pages once
    (their lengths only), before any unlock; the unlock works as ever afterwards; the
    app's end stops any read-ahead (quitting never waits for one)."""
    from tests.support import wait_until

    seen: list[tuple[str, bool]] = []
    store = opening(closed_team, traced_opener(seen))
    app = build_app(closed_team, store)

    def warm_reads() -> list[bool]:
        return [on_main for statement, on_main in seen if statement == WARM_READ]

    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: warm_reads(), what="the directory read ahead")
        assert app.session is None and isinstance(app.screen, UnlockScreen)
        assert warm_reads() == [False]  # once, off the UI thread
        await unlock_as(app, pilot, "hann", WORKER_PASS)
        assert isinstance(app.screen, HomeScreen)
        assert warm_reads() == [False]  # not again at the unlock
        await pilot.press("ctrl+q")
    assert app.store.warm() is False  # stopped by the app's end: none starts any more
    assert warm_reads() == [False]
    app.store.close()


class StopOnTheSecondAsk:
    """A stop signal that says "go on" when asked before the read and "stop" when SQLite
    asks during it: a stop that comes while the read runs."""

    def __init__(self) -> None:
        self.asked = 0

    def is_set(self) -> bool:
        self.asked += 1
        return self.asked > 1


def test_a_read_ahead_ends_when_it_is_told_to_stop_while_it_reads(closed_team):
    """SQLite asks the stop signal while it reads (every WARM_CHECK_STEPS steps) and ends the
    read when told: the read-ahead reports that it did not read to the end."""
    from storage import sqlite as sqlite_backend
    from storage import students as stored
    from storage.students import NewStudent

    store = Store.open(str(closed_team.path))
    try:
        keys = team.unlock(store, closed_team.coordinator_id, COORDINATOR_PASS)
        # Enough rows that the read takes more steps than one check.
        stored.add_students(store, keys, [
            NewStudent({"first_name": f"Lees{i}", "last_name": "Vooruit"}, "aangemeld", None) for i in range(60)
        ])
        stop = StopOnTheSecondAsk()
        assert sqlite_backend.warm(store.engine, WARM_READ, stop) is False  # type: ignore[arg-type]
        assert stop.asked >= 2
        assert sqlite_backend.warm(store.engine, WARM_READ, threading.Event()) is True  # not stopped: to the end
    finally:
        store.close()


def test_reading_ahead_a_store_that_cannot_be_read_raises_nothing(closed_team):
    """Best effort: a damaged file is told by the unlock itself, not by the read-ahead."""
    store = Store.open(str(closed_team.path))
    try:
        assert store.warm() is True  # a sound store: read to the end
        store.engine.dispose()  # no connection kept: the next one reads the file anew
        with open(closed_team.path, "r+b") as f:
            f.write(b"\0" * 4096)  # the header and first page gone
        assert store.warm() is False
    finally:
        store.engine.dispose()
        store._release_in_use()


async def test_no_style_read_after_the_first_frame_matches_a_widget_of_the_first_screens(closed_team, tmp_path):
    """The first frame is drawn with app.tcss alone (``JongerenteamApp.LATER_CSS_PATH`` comes
    after it): no rule of those later files may style anything on the unlock screen or the
    set-up wizard, or that frame would look different from the next."""
    from textual.css.match import match
    from textual.css.stylesheet import Stylesheet

    import screens.app
    from jongerenteam.cli import make_app
    from jongerenteam.settings import Settings
    from screens.app import JongerenteamApp
    from screens.setup import SetupScreen

    here = Path(screens.app.__file__).parent
    for app, first in (
        (build_app(closed_team, opening(closed_team)), UnlockScreen),
        (make_app(Settings(store=str(tmp_path / "nieuw.jt")), None), SetupScreen),
    ):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, first)
            later = Stylesheet(variables=app.get_css_variables())
            for name in JongerenteamApp.LATER_CSS_PATH:
                later.read(here / name)
            nodes = list(app.screen.walk_children(with_self=True))
            assert len(later.rules) > 50 and len(nodes) > 10
            styled = [(rule.css.splitlines()[0], type(node).__name__) for rule in later.rules
                      for node in nodes if match(rule.selector_set, node)]
            assert styled == []
            await pilot.press("ctrl+q")
        if isinstance(app.store, Store):
            app.store.close()
