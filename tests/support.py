"""Everything the tests share that is not a fixture (the fixtures are in tests/conftest.py).

No test module imports from another test module: what two of them need is here.

1. passphrases, canaries and the names of the standard students
2. team stores: building one (``make_team``, once per process: the template),
   copying it (``copy_team``), unlocking a session on it
3. reading the store as an outsider: audit rows, drafts, files on disk
4. the app through Textual's Pilot: building it, ``settle`` (workers done),
   ``wait_until`` (a condition on screen), reading what it shows
5. the installed command in a real terminal (tmux): ``Terminal``, ``login``
6. data builders two modules share (the report's known store, an erasure)

Waiting: never a fixed sleep before an assertion. ``settle`` waits for the
app's thread workers, ``wait_until`` (async, Pilot) and ``poll_until`` (plain
code: a process, a store row, a terminal) wait for a condition, all with the
one generous limit ``WAIT`` (seconds; ``JONGERENTEAM_TEST_WAIT`` overrides it):
on an idle machine they return at once, on a busy one they wait longer.

Textual and the screens are imported inside the functions that need them:
the child processes of the tests (tests/proc_worker.py) import this module
for its constants and need neither.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import shlex
import shutil
import subprocess
import sys
import time
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

from jongerenteam.domain import StudentDetails

WAIT = float(os.environ.get("JONGERENTEAM_TEST_WAIT", "60"))

# -- 1. passphrases, canaries, the standard students ----------------------------------------------

COORDINATOR_PASS = "coordinator wachtwoord zin"
WORKER_PASS = "hulpverlener wachtwoord zin"
OTHER_PASS = "collega wachtwoord zin"

# Canary strings: if any of these is ever found in a file on disk, a
# protection failed. They are unusual enough never to appear by chance.
CANARY_FIRST = "Kanarievogelina"
CANARY_LAST = "Zwavelstokhuizen"
CANARY_NUMBER = "CANARY987654"
CANARY_NOTE = "KANARIE-NOTITIE mishandeling en schulden"
CANARIES = (CANARY_FIRST, CANARY_LAST, CANARY_NUMBER, CANARY_NOTE)

# The ``students`` fixture: Fatma Özdemir (Hanna's), the canary and Sanne Jansen (Otto's).
OZDEMIR_FIRST = "Fatma"
OZDEMIR_LAST = "Özdemir"
OZDEMIR_NOTE = "Eerste gesprek over huisvesting gehad"
JANSEN_FIRST = "Sanne"
JANSEN_LAST = "Jansen"
# Every string that is decrypted student data; none may survive a lock.
STUDENT_SECRETS = (
    OZDEMIR_FIRST, OZDEMIR_LAST, OZDEMIR_NOTE, JANSEN_FIRST, JANSEN_LAST,
    CANARY_FIRST, CANARY_LAST, CANARY_NUMBER, CANARY_NOTE,
)

# The UI tests' terminal (Pilot) and the narrow one a small laptop has.
SIZE = (120, 36)
NARROW = (80, 24)

# The use-case tests' "today" (``fixed_clock``: 10:30 UTC that day), a Monday.
TODAY = date(2026, 11, 23)
MONDAY_MORNING = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
# The UI tests' store clock (``fixed_store_clock``): half past eleven at night
# in UTC, already the next day in the Netherlands.
STORE_NOW = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)


def canary_student() -> StudentDetails:
    return StudentDetails(
        first_name=CANARY_FIRST,
        last_name=CANARY_LAST,
        birth_date=date(2008, 4, 3),
        student_number=CANARY_NUMBER,
        programme="Verzorgende IG",
        level="3",
        year=1,
        municipality_code="GM0193",
        contact_preference="whatsapp",
        contact_value="0612345678",
        leefdomeinen=["veiligheid", "inkomen"],
    )


def sam(**kw) -> StudentDetails:
    """Sam de Vries (a walk-in of the use-case tests); any field overridden by ``kw``."""
    base = {"first_name": "Sam", "last_name": "de Vries", "birth_date": date(2008, 12, 3),
                "programme": "Verzorgende IG", "level": "3"}
    base.update(kw)
    return StudentDetails(**base)


# -- 2. team stores ---------------------------------------------------------------------------------


@dataclass
class TeamFixture:
    """A store with a coördinator, a worker and a second worker."""

    path: Path | str  # a file, or a PostgreSQL URL
    store: object  # storage.store.Store
    coordinator_id: str
    worker_id: str
    other_id: str
    recovery_code: str


def make_team(path: Path | str, name: str = "Testteam") -> TeamFixture:
    """Build a team store from nothing (a few hundred ms: the tests copy the template instead)."""
    from jongerenteam.settings import kdf_params
    from storage import team
    from storage.store import Store

    params = kdf_params()
    store = Store.create(str(path))
    coord_id, code = team.create_team(
        store, name,
        team.WorkerDetails("Cora Coördinator", "CC", team.COORDINATOR, "wijkteam"),
        COORDINATOR_PASS, params,
    )
    keys = team.unlock(store, coord_id, COORDINATOR_PASS)
    worker_id = team.add_worker(
        store, keys, team.WorkerDetails("Hanna Hulpverlener", "HH", team.WORKER, "jeugdhulp"),
        WORKER_PASS, params,
    )
    other_id = team.add_worker(
        store, keys, team.WorkerDetails("Otto Collega", "OC", team.WORKER, "verslavingszorg"),
        OTHER_PASS, params,
    )
    return TeamFixture(path, store, coord_id, worker_id, other_id, code)


_TEMPLATE: TeamFixture | None = None


def team_template() -> TeamFixture:
    """This process's template team: built on first use in a temporary folder (removed at exit), closed.

    The ``team_template`` fixture hands it to tests; code without fixtures (a
    Hypothesis state machine) calls this directly.
    """
    global _TEMPLATE
    if _TEMPLATE is None:
        import atexit
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="jt-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        fx = make_team(folder / "team.jt")
        fx.store.close()
        _TEMPLATE = replace(fx, store=None)
    return _TEMPLATE


def copy_team(template: TeamFixture, path: Path, *, open_it: bool = True) -> TeamFixture:
    """A copy of a closed template store at ``path`` (the same workers, ids and passphrases), opened unless told not to."""
    from storage.store import Store

    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template.path, path)
    os.chmod(path, 0o600)
    return replace(template, path=path, store=Store.open(str(path)) if open_it else None)


def session(fx: TeamFixture, who: str = "worker"):
    """A TeamSession of Hanna ("worker"), Otto ("other") or Cora ("coordinator") on the team's store."""
    from jongerenteam.session import TeamSession

    wid, pw = {
        "worker": (fx.worker_id, WORKER_PASS),
        "other": (fx.other_id, OTHER_PASS),
        "coordinator": (fx.coordinator_id, COORDINATOR_PASS),
    }[who]
    return TeamSession.unlock(fx.store, wid, pw)


# -- 3. the store as an outsider sees it -----------------------------------------------------------


def audit_rows(store, event: str, student_id: str | None = None, *, after: int = 0) -> list:
    """Audit entries of one kind in order, optionally of one student and only after sequence number ``after``."""
    from sqlalchemy import select

    from storage.models import AuditEntry

    with store.reading() as s:
        q = select(AuditEntry).where(AuditEntry.event == event, AuditEntry.seq > after).order_by(AuditEntry.seq)
        if student_id is not None:
            q = q.where(AuditEntry.student_id == student_id)
        return list(s.scalars(q).all())


def last_seq(store) -> int:
    """Where the audit log stands now: the fixtures themselves log logins and locks."""
    from sqlalchemy import select

    from storage.models import AuditEntry

    with store.reading() as s:
        return max(s.scalars(select(AuditEntry.seq)).all(), default=0)


def draft_bodies(store, worker_id: str) -> list[bytes]:
    """The sealed draft bodies of one worker, as raw bytes from the store (what an outsider sees)."""
    from sqlalchemy import text

    with store.reading() as s:
        return [bytes(r[0]) for r in s.execute(text("SELECT body FROM drafts WHERE worker_id = :w"), {"w": worker_id})]


def files_containing(folder: Path, needles=CANARIES) -> list[tuple[str, str]]:
    """Every (file, canary) pair where a canary occurs in a file under folder.

    Checks UTF-8 and UTF-16 spellings, so a hit in any text encoding counts.
    """
    hits = []
    for p in folder.rglob("*"):
        if not p.is_file():
            continue
        data = p.read_bytes()
        for needle in needles:
            for enc in ("utf-8", "utf-16-le", "utf-16-be"):
                if needle.encode(enc) in data:
                    hits.append((str(p), needle))
                    break
    return hits


def pdf_text(data: bytes) -> str:
    """The text of a PDF as pypdf extracts it (logical order, also right to left), NFC, lines trimmed.

    pypdf guesses word gaps from glyph positions: the accents and dots drawn
    before a word (jongerenteam.pdf, ShapedFragment) can make it guess a
    space at the start or end of a line, never inside one.
    """
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    text = unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in pages))
    return "\n".join(line.strip() for line in text.splitlines())


def poll_until(condition: Callable[[], object], what: str = "condition", *, timeout: float = WAIT, every: float = 0.05):
    """Call ``condition`` until it returns something true (returned); fail after ``timeout`` seconds.

    For what plain code waits on: a row another process writes, a thread, a terminal.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(every)


# -- 4. the app through Textual's Pilot ------------------------------------------------------------


class FakeClock:
    """A monotonic clock the test moves by hand (the app's idle lock and unlock delay read it)."""

    def __init__(self, start: float = 10_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def build_app(team_store, store=None, **settings):
    """The app as the command builds it, on the team's store (or ``store``: one being opened)."""
    from jongerenteam.cli import make_app
    from jongerenteam.settings import Settings

    return make_app(Settings(store=str(team_store.path), **settings), team_store.store if store is None else store)


def build_app_with_clock(team_store, clock: FakeClock, **settings):
    """The app with a monotonic clock of the test's (make_app takes none; the app itself does, for these tests)."""
    from jongerenteam.settings import Settings
    from screens.app import JongerenteamApp

    return JongerenteamApp(settings=Settings(store=str(team_store.path), **settings), store=team_store.store, clock=clock)


# Workers that wait for the person (an answer in a dialog) rather than for the
# machine: settle does not wait for them.
WAITS_FOR_ANSWER = frozenset({"checks"})


async def settle(app, pilot, *, timeout: float = WAIT) -> None:
    """Until no thread worker runs and the messages they sent are handled.

    A save may start a chain (the save, then the dossier read again, then a
    list): it waits until the app has been idle three times in a row. A
    worker replaced by a newer one of its exclusive group is cancelled on
    purpose (Vandaag reloading twice): not a failure. A failed worker still
    raises, except the store's opener, whose failure the unlock screen shows.
    Workers waiting for an answer in a dialog (``WAITS_FOR_ANSWER``) are not
    waited for.
    """
    from textual.worker import WorkerCancelled, WorkerFailed

    deadline = time.monotonic() + timeout
    idle = 0
    while idle < 3:
        busy = [w for w in app.workers if w.is_running and w.name not in WAITS_FOR_ANSWER]
        if not busy:
            idle += 1
            await pilot.pause()
            continue
        idle = 0
        for worker in busy:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"workers still running after {timeout} s: {[w.name for w in busy]}")
            try:
                await asyncio.wait_for(asyncio.shield(worker.wait()), remaining)
            except WorkerCancelled:
                pass
            except WorkerFailed:
                if worker is not getattr(app, "_store_opener", None):
                    raise
            except TimeoutError:
                raise AssertionError(f"worker {worker.name!r} still running after {timeout} s") from None


async def wait_until(pilot, condition: Callable[[], object], *, timeout: float = WAIT, what: str = "condition") -> None:
    """Pause until ``condition()`` holds (a screen, a text, a focus, a row): never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await pilot.pause(0.01)


async def paste(app, pilot, text: str) -> None:
    """Paste into the focused widget (as from a password manager): far faster than a key per character.

    Posted to the app, as the terminal driver does: the app hands it to the focused widget once.
    """
    from textual import events

    app.post_message(events.Paste(text))
    await pilot.pause()


async def submit_unlock(app, pilot, name_part: str, passphrase: str) -> None:
    """On the unlock screen: filter the names, Enter, the passphrase, Enter; no wait for the result.

    Both texts are pasted: every key costs the Pilot a wait for the app to be
    idle, and the unlock screen's own tests type them key by key.
    """
    await paste(app, pilot, name_part)
    await pilot.press("enter")
    await paste(app, pilot, passphrase)
    await pilot.press("enter")


async def unlock_as(app, pilot, name_part: str, passphrase: str) -> None:
    """Unlock (``submit_unlock``) and settle: Vandaag, or the unlock screen's refusal."""
    await submit_unlock(app, pilot, name_part, passphrase)
    await settle(app, pilot)


async def open_row(app, pilot, query: str) -> None:
    """Search for a student on the home screen and press Enter on the first hit."""
    from textual.widgets import DataTable

    await pilot.press("slash", *query, "down")
    assert app.focused is app.screen.query_one("#students", DataTable)
    await pilot.press("enter")
    await settle(app, pilot)


def lock_during_the_next_read(app) -> None:
    """The next dossier read locks the app while it runs, as the idle timer or ctrl+l would mid-read."""
    dossier = app.session.dossier
    open_dossier = dossier.open_dossier

    def read_then_lock(student_id: str, *, log: bool = True):
        opened = open_dossier(student_id, log=log)
        app.call_from_thread(app.action_lock)
        return opened

    dossier.open_dossier = read_then_lock


def notifications(app) -> list[str]:
    return [n.message for n in app._notifications]


def screen_text(app) -> str:
    """The current screen as plain text, rendered the way a screenshot is."""
    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, force_terminal=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def text_of(app, selector: str) -> str:
    """What one Static (a message, a header, a count) on the current screen says."""
    from textual.widgets import Static

    return str(app.screen.query_one(selector, Static).render())


def widget_text(widget) -> str:
    """The text a widget holds: a table's headers and cells, a list's options, an input's value, what it renders."""
    from textual.widgets import DataTable, Input, OptionList

    parts: list[str] = []
    if isinstance(widget, DataTable):
        parts += [str(col.label) for col in widget.ordered_columns]
        parts += [str(cell) for i in range(widget.row_count) for cell in widget.get_row_at(i)]
    if isinstance(widget, OptionList):
        parts += [str(o.prompt) for o in widget.options]
    if isinstance(widget, Input):
        parts += [widget.value, widget.placeholder]
    with contextlib.suppress(Exception):  # some widgets only render inside a layout
        parts.append(str(widget.render()))
    return "\n".join(parts)


def everything_shown(app) -> str:
    """All text any widget on any stacked screen holds, plus toasts and the screen itself."""
    parts = [widget_text(w) for screen in app.screen_stack for w in screen.walk_children(with_self=True)]
    parts += notifications(app)
    parts.append(screen_text(app))
    parts += [app.title or "", app.sub_title or ""]
    return "\n".join(parts)


def leaked(app) -> list[str]:
    """The student secrets anything in the app still shows."""
    text = everything_shown(app)
    return [s for s in STUDENT_SECRETS if s in text]


def table_rows(app, selector: str = "#students") -> list[list[str]]:
    """The cells of a DataTable on the current screen, row by row (default: the home screen's students)."""
    from textual.widgets import DataTable

    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


class StubApp:
    """Stands in for the Textual app where the command would start it: records what it was given."""

    made: ClassVar[list] = []

    def __init__(self, settings, store) -> None:
        self.settings = settings
        self.store = store
        self.return_code = 0
        type(self).made.append(self)

    def run(self) -> None:
        pass


# -- 5. the installed command in a real terminal (tmux) --------------------------------------------

TMUX = shutil.which("tmux")

# Placeholders of the inputs (screens/unlock.py, screens/home.py): where focus is.
NAME_FILTER = "Typ om te zoeken"
PASSPHRASE = "Je wachtwoord(zin)"
SEARCH = "Zoek op naam, studentnummer of geboortedatum"


def installed_command() -> str:
    """The ``jongerenteam`` command of this interpreter's environment."""
    found = Path(sys.executable).parent / "jongerenteam"
    return str(found) if found.exists() else (shutil.which("jongerenteam") or "jongerenteam")


class Terminal:
    """One tmux server on a socket of its own (never the user's, never another xdist worker's), one 120x36 window.

    Every key that needs the app in some state is sent after ``wait_for``
    (text on screen) or ``wait_for_focus`` (the cursor in a field) saw that
    state: a busy machine only makes the waits longer.
    """

    def __init__(self, name: str = "jt") -> None:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.socket = f"{name}-test-{worker}-{uuid.uuid4().hex[:12]}"

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, check=check, timeout=30,
        )

    def start(self, command: str) -> None:
        # Textual takes COLUMNS/LINES over the real size: drop any inherited ones.
        self.tmux(
            "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "36", "-s", "jt",
            f"env -u COLUMNS -u LINES {command}",
        )

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "jt", check=False).stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "jt", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "jt", "-l", text)

    def wait_for(self, *texts: str, absent: tuple[str, ...] = (), timeout: float = WAIT) -> str:
        """Poll until every text is on screen (and none of ``absent``); return the screen."""
        seen = [""]

        def shown() -> str | None:
            seen[0] = self.screen()
            ok = all(t in seen[0] for t in texts) and not any(a in seen[0] for a in absent)
            return seen[0] if ok else None

        try:
            return poll_until(shown, timeout=timeout)
        except AssertionError:
            raise AssertionError(
                f"not on screen within {timeout}s: {texts} (absent: {absent})\n--- screen ---\n{seen[0]}"
            ) from None

    def cursor_row(self) -> int:
        out = self.tmux("display-message", "-p", "-t", "jt", "#{cursor_y}", check=False).stdout.strip()
        return int(out) if out.isdigit() else -1

    def focus_row(self, placeholder: str, below: int = 0) -> bool:
        """Whether the terminal cursor sits on the line that shows ``placeholder`` (or up to ``below`` lines under it)."""
        rows = [i + d for i, line in enumerate(self.screen().splitlines()) if placeholder in line for d in range(below + 1)]
        return bool(rows) and self.cursor_row() in rows

    def wait_for_focus(self, placeholder: str, *, below: int = 0, timeout: float = WAIT) -> None:
        """Poll until the terminal cursor sits in the input showing ``placeholder``
        (for a field of several lines, such as a TextArea under its label: up to ``below`` lines under that text).

        Textual moves the (hidden) terminal cursor into the focused Input or
        TextArea. Typing before focus has moved would send keys to the previous
        field, so a passphrase would land in the visible name filter.
        """
        try:
            poll_until(lambda: self.focus_row(placeholder, below), timeout=timeout)
        except AssertionError:
            raise AssertionError(
                f"focus did not reach the input {placeholder!r} within {timeout}s (cursor row {self.cursor_row()})"
                f"\n--- screen ---\n{self.screen()}"
            ) from None

    def quit(self) -> None:
        """ctrl+q, and wait until the command has ended with exit code 0."""
        self.keys("C-q")
        self.wait_for("JT-EXIT=0")

    def pid(self) -> int:
        """The app's own process: the child of the pane's shell."""
        pane = self.tmux("display-message", "-p", "-t", "jt", "#{pane_pid}").stdout.strip()
        children = subprocess.run(["pgrep", "-P", pane], capture_output=True, text=True).stdout.split()
        assert children, "the app is not running"
        return int(children[0])

    def kill(self) -> None:
        # tmux leaves the socket file behind after kill-server: remove this test's own.
        path = self.tmux("display-message", "-p", "#{socket_path}", check=False).stdout.strip()
        self.tmux("kill-server", check=False)
        if path and Path(path).name == self.socket:
            Path(path).unlink(missing_ok=True)


def app_command(store: Path, env: dict[str, str], *args: str) -> str:
    """The installed command on ``store`` in a clean environment; prints its exit code after it ends."""
    exports = " ".join(f"{k}={shlex.quote(str(v))}" for k, v in env.items() if k in (
        "HOME", "XDG_DATA_HOME", "JONGERENTEAM_INSECURE_TEST_KDF", "JONGERENTEAM_DEBUG", "PATH", "LANG", "LC_ALL",
    ))
    extra = " ".join(shlex.quote(a) for a in args)
    return (
        f"env TERM=xterm-256color COLORTERM=truecolor {exports} "
        f"{shlex.quote(installed_command())} --store {shlex.quote(str(store))} {extra}; echo JT-EXIT=$?; sleep 60"
    )


@contextlib.contextmanager
def app_in_terminal(store: Path, env: dict[str, str]):
    """The installed command on ``store`` in a new terminal; the terminal is gone afterwards, whatever happened."""
    term = Terminal()
    try:
        term.start(app_command(store, env))
        yield term
    finally:
        term.kill()


def login(term: Terminal, worker, *, then: tuple[str, ...] = ("Mijn studenten",)) -> str:
    """From the unlock screen to Vandaag (or what ``then`` names) as ``worker`` (a demo worker).

    Types a few letters of the name, waits for the list to show only that
    worker, Enter, waits for the cursor in the passphrase field, types the
    passphrase and Enter: every key after the state it needs is on screen.
    """
    from jongerenteam.demo import DEMO_WORKERS

    term.wait_for("Wie ben je?", NAME_FILTER, worker.full_name)
    others = tuple(f"{w.full_name} ({w.initials})" for w in DEMO_WORKERS if w.full_name != worker.full_name)
    term.type(worker.full_name[:3].lower())
    term.wait_for(f"{worker.full_name} ({worker.initials})", absent=others)
    term.keys("Enter")
    term.wait_for_focus(PASSPHRASE)
    term.type(worker.passphrase)
    term.keys("Enter")
    # Until the unlock screen is gone altogether: tmux may show a frame half redrawn.
    return term.wait_for(*then, absent=("Wie ben je?",))


# -- 6. data two modules share ------------------------------------------------------------------------


def report_student(i: int, municipality: str, level: str, **kw) -> StudentDetails:
    """Student number ``i`` of the report's known store."""
    base = {"first_name": f"Sam{i}", "last_name": "de Vries", "birth_date": date(2008, 12, 3),
            "student_number": f"90{i:04d}", "programme": "Verzorgende IG", "level": level,
            "municipality_code": municipality}
    base.update(kw)
    return StudentDetails(**base)


def set_store_day(day: date, hour: int = 10) -> None:
    """The store's clock at ``hour``:00 UTC on ``day`` (the caller's fixture sets it back)."""
    from storage import clock

    clock.set_clock(lambda: datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC))


@contextlib.contextmanager
def made_on(day: date, hour: int = 10):
    """Do something as on ``day`` (under a fixed store clock, which comes back after): an agreement
    that is overdue now was made while its deadline was still ahead (a past one is refused)."""
    from storage import clock

    before = clock._now  # the clock function itself (fixed or real), put back as it was
    set_store_day(day, hour)
    try:
        yield
    finally:
        clock.set_clock(before)


AMSTERDAM, UTRECHT, DEN_HAAG = "GM0363", "GM0344", "GM0518"


def plausible(shown: str, true: int) -> bool:
    """Could the cell key method (jongerenteam/report/cellkey.py) publish ``shown``
    for a true count ``true``? 0 stays 0; 1 and 2 become 0 or 3; from 3 on at
    most 2 off, never below 3. Holds for every record key."""
    value = int(shown)
    if true == 0:
        return value == 0
    if true < 3:
        return value in (0, 3)
    return value >= 3 and abs(value - true) <= 2


def build_known_store(fx) -> dict:
    """17 students: 6 walk-ins from Amsterdam (scored, 5 closed), 10 aanmeldingen
    from Utrecht (5 first talks within 5 working days, 5 later), 1 walk-in
    from Den Haag, and 1 anonymous walk-in; all in the fourth quarter of 2026.

    Moves the store's clock: the caller sets it back.
    """
    from jongerenteam import dossier as d
    from jongerenteam import spreekuur as intake
    from jongerenteam.session import TeamSession

    set_store_day(date(2026, 11, 2))  # a Monday
    w = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    ams = [w.spreekuur.register_walk_in(report_student(i, AMSTERDAM, "2"), intake.WalkIn(hulpvraag="geld", leefdomeinen=["inkomen"]),
                                        today=date(2026, 11, 2)) for i in range(6)]
    utr = [w.spreekuur.register_referral(report_student(10 + i, UTRECHT, "3", referrer="studentcoach"),
                                         intake.Referral(by_name="coach", reason="verzuim"),
                                         contact_worker_id=fx.worker_id, today=date(2026, 11, 2)) for i in range(10)]
    dh = w.spreekuur.register_walk_in(report_student(30, DEN_HAAG, "4", programme="Kok"), intake.WalkIn(hulpvraag="x"),
                                      today=date(2026, 11, 2))
    set_store_day(date(2026, 11, 20))
    talk_ids = []
    for i, rec in enumerate(utr):
        when = datetime(2026, 11, 4 if i < 5 else 12, 10, 0)
        talk_ids.append(w.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", when, 30, [], "gesprek")))
    for rec in ams:
        w.dossier.add_score(rec.id, d.NewScore("inkomen", 2, date(2026, 11, 3)))
        w.dossier.add_score(rec.id, d.NewScore("inkomen", 4, date(2026, 11, 19)))
    for rec in ams[:5]:
        w.dossier.set_status(w.students[rec.id], "afgesloten", "doel_bereikt")
    item = next(t for t in w.dossier.open_dossier(utr[0].id).timeline if t.id == talk_ids[0])
    w.dossier.edit_talk(utr[0].id, item, {"type": "telefonisch"})
    w.spreekuur.register_anonymous(["welzijn"], 10)
    return {"ams": ams, "utr": utr, "dh": dh, "worker": w}


def erasure_case(fx):
    """A canary student with a full file, a handover, a statistics record, and a student who stays;
    returns (session, id, kept id, statistics id, the sealed blobs of the canary)."""
    from sqlalchemy import select

    from jongerenteam import dossier as d
    from jongerenteam.session import TeamSession
    from storage import clock
    from storage.crypto import seal_field
    from storage.models import FileEntry, Handover, StatisticsRecord, Student, StudentKeyWrap

    s = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    rec = s.spreekuur.register_student(canary_student(), status="lopend")
    s.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", datetime(2026, 11, 20, 10, 0), 30, [], CANARY_NOTE))
    s.dossier.add_external(rec.id, CANARY_FIRST, contact=CANARY_NUMBER)
    keep = s.spreekuur.register_student(StudentDetails(first_name="Blijft", last_name="Bestaan"), status="lopend")
    now = clock.now()
    with fx.store.session() as db:
        db.add(Handover(id=str(uuid.uuid4()), student_id=rec.id, kind="intern", state="voorgesteld",
                        from_worker_id=fx.worker_id, to_worker_id=fx.other_id, created_at=now,
                        updated_at=now, updated_by=fx.worker_id))
        # The statistics tier (storage/report.py) keeps a record per student.
        stat_id = db.scalar(select(StatisticsRecord.id).where(StatisticsRecord.student_id == rec.id))
        if stat_id is None:
            stat_id = str(uuid.uuid4())
            db.add(StatisticsRecord(id=stat_id, student_id=rec.id, updated_at=now,
                                    data=seal_field(s.keys.directory, "statistics", "data", stat_id, b"{}")))
    with fx.store.reading() as db:
        row = db.get(Student, rec.id)
        blobs = [row.directory, row.private_key]
        blobs += list(db.scalars(select(StudentKeyWrap.wrapped).where(StudentKeyWrap.student_id == rec.id)))
        blobs += list(db.scalars(select(FileEntry.body).where(FileEntry.student_id == rec.id)))
    return s, rec.id, keep.id, stat_id, blobs


# -- the installed command (the CLI layer) ------------------------------------------------------


def cli_env(home: Path) -> dict[str, str]:
    """The environment of a command run as a user with this home folder (the cheap test key derivation)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JONGERENTEAM_")}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        JONGERENTEAM_INSECURE_TEST_KDF="1",
        PYTHONIOENCODING="utf-8",
    )
    return env


def run_cli(args: list[str], *, home: Path, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed command; fail the test if a traceback leaks to the user."""
    proc = subprocess.run(
        [installed_command(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=cli_env(home),
        cwd=cwd or home,
        timeout=60,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout
    return proc
