"""What the unlock screen shows, read before SQLAlchemy is loaded; the store opened behind it.

Starting the app used to import SQLAlchemy and Alembic and open the store
before the first frame (docs/performance.md, "Cold start"). For a store in a
file on this laptop the unlock screen needs only the team's name, its idle
time and the active workers: plain columns (no personal data of students,
nothing encrypted), which the standard ``sqlite3`` module reads in a few
milliseconds. ``read_preview`` does that, read-only; ``OpeningStore`` is
what the app holds as its store meanwhile: the preview now, the real
``Store`` once a background thread has opened it (with the usual schema
check).

``read_preview`` returns None on anything unusual: no file, not a SQLite
file, not a team store, a schema revision other than ``SCHEMA_HEAD``, a
locked or unreadable file, a database server. The caller then opens the
store the ordinary way, which gives the ordinary Dutch errors and exit codes.

Only the standard library is imported here, at module level and in
``read_preview``: that is the point of this module.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast
from urllib.parse import quote

if TYPE_CHECKING:  # SQLAlchemy is not loaded with this module (the point of it)
    from storage.store import Store

# The newest Alembic revision in storage/migrations/versions. A store at any
# other revision is opened the ordinary way (and migrated, after a backup).
# tests/test_fast_start.py keeps this equal to the migration scripts' head.
SCHEMA_HEAD = "0013"

# Never wait long for a file another program holds: the ordinary path waits
# (and says "bezet") instead.
TIMEOUT_S = 0.2

SQLITE_HEADER = b"SQLite format 3\x00"

# NamedTuples rather than dataclasses: a third of the cost to define, and
# this module is imported before the first frame.


class TeamPreview(NamedTuple):
    """The two team columns the app needs before unlock (as on ``storage.models.Team``)."""

    name: str
    idle_lock_minutes: int


class WorkerPreview(NamedTuple):
    """A worker as the unlock screen lists them (the same names as on ``storage.models.Worker``)."""

    id: str
    full_name: str
    initials: str
    role: str


class StorePreview(NamedTuple):
    location: str
    revision: str
    team: TeamPreview
    # Active workers only, in the order of Store.workers().
    workers: tuple[WorkerPreview, ...]


def _sqlite_path(location: str) -> Path | None:
    """The file of a SQLite location (as storage.sqlite.path_of reads it); None for anything else."""
    if location.startswith("sqlite:///"):
        return Path(location[len("sqlite:///") :])
    if "://" in location or not location:
        return None
    return Path(location)


def read_preview(location: str) -> StorePreview | None:
    """Team, idle time and active workers of a SQLite team store at the current schema; else None."""
    location = str(location)
    path = _sqlite_path(location)
    if path is None:
        return None
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        with path.open("rb") as fh:
            if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return None
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        con = sqlite3.connect(uri, uri=True, timeout=TIMEOUT_S, check_same_thread=False)
    except (OSError, ValueError, sqlite3.Error):
        return None
    try:
        return _read(con, location)
    except (sqlite3.Error, ValueError, TypeError):
        return None
    finally:
        con.close()


def _read(con: sqlite3.Connection, location: str) -> StorePreview | None:
    revisions = con.execute("SELECT version_num FROM alembic_version").fetchall()
    if revisions != [(SCHEMA_HEAD,)]:
        return None
    teams = con.execute("SELECT name, idle_lock_minutes FROM team LIMIT 2").fetchall()
    if len(teams) != 1:
        return None
    name, minutes = teams[0]
    if not isinstance(name, str) or not isinstance(minutes, int):
        return None
    # The same query as Store.workers(): active ones, ordered by full name.
    rows = con.execute(
        "SELECT id, full_name, initials, role FROM workers WHERE active IS 1 ORDER BY full_name"
    ).fetchall()
    if not all(isinstance(value, str) for row in rows for value in row):
        return None
    return StorePreview(
        location=location,
        revision=SCHEMA_HEAD,
        team=TeamPreview(name, minutes),
        workers=tuple(WorkerPreview(*row) for row in rows),
    )


def _open_store(location: str) -> Store:
    from storage.store import Store

    return Store.open(location)


class OpeningStore:
    """A store shown from its preview while it is being opened.

    ``wait()`` returns the opened ``Store``: it opens it in the calling
    thread if nobody has started to, otherwise waits for the thread that
    has; if the open failed it raises that error (every time). The app calls
    it once from a thread worker right after its first frame. Any other
    attribute is the opened store's, after waiting: code that was handed
    this object can use it as the store, but should not on the UI thread
    before ``opened`` is true.
    """

    def __init__(self, location: str, preview: StorePreview, opener: Callable[[str], Store] | None = None) -> None:
        self.location = str(location)
        self.preview = preview
        self.error: BaseException | None = None
        self._opener = opener or _open_store
        self._store: Store | None = None
        self._lock = threading.Lock()
        self._started = False
        self._done = threading.Event()

    @property
    def started(self) -> bool:
        return self._started

    @property
    def done(self) -> bool:
        """The open has finished, well or not."""
        return self._done.is_set()

    @property
    def opened(self) -> bool:
        """The store is open and usable without waiting."""
        return self._done.is_set() and self.error is None

    def wait(self) -> Store:
        with self._lock:
            open_here = not self._started
            self._started = True
        if open_here:
            try:
                self._store = self._opener(self.location)
            except BaseException as exc:  # noqa: BLE001 - raised again to every waiter
                self.error = exc
            finally:
                self._done.set()
        else:
            self._done.wait()
        if self.error is not None:
            raise self.error
        # Set by the opener whenever the open succeeded (no error).
        return cast("Store", self._store)

    def close(self) -> None:
        """Close the store if it was opened; an open still under way is waited for first."""
        if not self._started:
            return
        self._done.wait()
        if self._store is not None:
            self._store.close()

    def __getattr__(self, name: str) -> Any:
        # ``Any``: whatever the opened Store has (this object stands in for it).
        # Only called for what this object does not have itself.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.wait(), name)


def opened(store: Store | OpeningStore) -> Store:
    """The real store behind ``store``: waits for an ``OpeningStore`` (raising its error), else ``store`` itself."""
    return store.wait() if isinstance(store, OpeningStore) else store
