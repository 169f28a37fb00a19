"""Everything SQLite-specific lives here (and only here).

Pragmas, write transactions that take the lock up front, the online backup
API, integrity checks, the "in use" marker of a store file and the
translation of sqlite3 errors into the store's own errors. The rest of
``storage/`` talks plain SQLAlchemy so that the same code runs on PostgreSQL.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection, QueuePool

from storage.errors import (
    DiskFull,
    StoreDamaged,
    StoreError,
    StoreExists,
    StoreInUse,
    StoreLocked,
    StoreMissing,
)

try:  # POSIX advisory locks for the "in use" marker
    import fcntl
except ImportError:  # pragma: no cover - Windows: no marker, see mark_in_use
    fcntl = None  # type: ignore[assignment]  # Windows has no fcntl; mark_in_use and take_exclusive check for None

NAME = "sqlite"
BUSY_TIMEOUT_MS = 5000
READ_ONLY_OPTION = "jongerenteam_read_only"
# Execution options of Store.reading(): a plain BEGIN, not BEGIN IMMEDIATE.
READER_OPTIONS = {READ_ONLY_OPTION: True}

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA secure_delete=ON",
    "PRAGMA temp_store=MEMORY",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
)

# Tests may lower the page limit to provoke a real SQLITE_FULL.
_MAX_PAGE_COUNT_ENV = "JONGERENTEAM_TEST_MAX_PAGE_COUNT"


def is_sqlite_url(location: str) -> bool:
    return "://" not in location or location.startswith("sqlite")


def path_of(location: str) -> Path:
    if location.startswith("sqlite:///"):
        return Path(location[len("sqlite:///") :])
    return Path(location)


def display_location(location: str) -> str:
    return str(path_of(location))


def open_engine(location: str, *, create: bool) -> Engine:
    """An engine for an existing store file, or (create) for a new, empty one."""
    path = path_of(location)
    if create:
        if path.exists() and path.stat().st_size > 0:
            raise StoreExists(str(path))
        return make_engine(path, must_exist=False)
    check_header(path)
    return make_engine(path, must_exist=True)


def lock_audit_chain(session: Session) -> None:
    """Nothing to do: every write transaction already began with BEGIN IMMEDIATE."""


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Nothing to do: Alembic's transaction takes SQLite's write lock."""
    yield


def make_engine(path: Path, *, must_exist: bool) -> Engine:
    if must_exist and not path.exists():
        raise StoreMissing(str(path))
    if not must_exist:
        # Only this OS user may read the store; SQLite gives its -wal and
        # -shm files the same permissions as the main file.
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
    # A small pool keeps a connection open between units of work: opening one
    # costs the pragmas, and closing the last one checkpoints and deletes the
    # WAL every time (measured: a third of a registration, docs/performance.md).
    # Connections are used by one thread at a time (a Session never crosses
    # threads); close() / dispose() closes them and folds the WAL back.
    engine = create_engine(
        f"sqlite:///{path}",
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=4,
        hide_parameters=True,
        echo=False,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(  # pragma: no cover - exercised by all tests
        dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry
    ) -> None:
        # Take transactions into our own hands so writes can BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in PRAGMAS:
            cur.execute(pragma)
        cur.close()

    @event.listens_for(engine, "checkout")
    def _on_checkout(  # pragma: no cover - exercised by all tests
        dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        # Test-only page limit (a real SQLITE_FULL), applied per checkout so a
        # pooled connection picks up a limit set after it was opened.
        limit = os.environ.get(_MAX_PAGE_COUNT_ENV)
        if limit:
            dbapi_conn.execute(f"PRAGMA max_page_count={int(limit)}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:  # pragma: no cover - exercised by all tests
        # Writers take the write lock at the start: no deadlock between two
        # transactions that both read and then want to write, and a clear
        # "locked" after the timeout. Readers (Store.reading) do not take it,
        # so with WAL they never wait for a writer.
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def read_only_uri(path: Path) -> str:
    """A sqlite3 URI that opens the file read-only (any character in the path is safe)."""
    return f"file:{quote(os.path.abspath(path))}?mode=ro"


def check_header(path: Path) -> None:
    """Refuse a file that is not a SQLite database before SQLAlchemy touches it."""
    if not path.exists():
        raise StoreMissing(str(path))
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise StoreDamaged(str(path)) from exc
    if header and header != b"SQLite format 3\x00":
        raise StoreDamaged(str(path))


def integrity_check(path: Path) -> list[str]:
    """Run PRAGMA integrity_check; return the problems (empty when fine)."""
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        rows = con.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return [type(exc).__name__]
    finally:
        con.close()
    result = [r[0] for r in rows]
    return [] if result == ["ok"] else result


def backup_to(source: Path, target: Path) -> None:
    """Copy a live database through the SQLite online backup API.

    Writes to a temporary file beside the target, fsyncs it, then renames it
    into place, so a crash never leaves half a backup under the real name.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = target.with_name(target.name + ".tmp")
    if tmp.exists():
        tmp.unlink()
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)
        # A backup is a single file: no WAL beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        dst.close()
        tmp.unlink(missing_ok=True)
        raise translate(exc, str(target)) from None
    finally:
        src.close()
    dst.close()
    _fsync_file(tmp)
    os.replace(tmp, target)
    _fsync_dir(target.parent)


def restore_from(backup: Path, target: Path) -> None:
    """Replace the database at target with the contents of backup (backup API).

    A target that does not exist yet (the store file was lost) is made first,
    readable by this OS user only, like a new store.
    """
    target = Path(target)
    if not target.exists():
        create_private(target)
    src = sqlite3.connect(read_only_uri(backup), uri=True)
    dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        raise translate(exc, str(target)) from None
    finally:
        src.close()
        dst.close()


def checkpoint(engine: Engine) -> None:
    """Fold the WAL back into the main file and truncate it (on lock and exit)."""
    try:
        with engine.connect() as conn:
            # On the raw connection: through SQLAlchemy it would first BEGIN,
            # and SQLite cannot checkpoint inside a transaction.
            raw = conn.connection.driver_connection
            if raw is not None:
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception:  # noqa: BLE001, S110 - best effort: a busy peer keeps its WAL, the next checkpoint folds it
        pass


# How many steps of SQLite's engine between two questions whether a read-ahead must stop.
WARM_CHECK_STEPS = 100


def warm(engine: Engine, statement: str, stop: threading.Event) -> bool:
    """Run ``statement`` (``Store.warm``: the length of every student's sealed directory
    column) once, so that the operating system holds the students' pages when the
    unlock reads them. Returns whether it read to the end.

    Run behind the unlock screen while the person picks a name and types: the
    first unlock after the laptop starts then does not wait for the disk for
    those pages (docs/performance.md, "What changed in the evening stop").
    SQLite computes the lengths itself: nothing is decrypted or kept. ``stop``
    ends it early: SQLite asks every ``WARM_CHECK_STEPS`` steps (the app sets
    it when it quits, which must not wait for a read of the whole table).
    Best effort, like ``checkpoint``: a store that cannot be read says so at
    the unlock itself.
    """
    if stop.is_set():
        return False
    try:
        with engine.connect() as conn:
            # On the raw connection, outside a transaction: a plain read that never waits.
            raw = conn.connection.driver_connection
            if raw is None:
                return False
            raw.set_progress_handler(stop.is_set, WARM_CHECK_STEPS)  # true: SQLite stops the read
            try:
                raw.execute(statement).fetchall()
            finally:
                raw.set_progress_handler(None, 0)  # the connection goes back to the pool
            return True
    except Exception:  # noqa: BLE001 - best effort (see above); stopped is an error too
        return False


def translate(exc: BaseException, where: str) -> StoreError:
    """Turn a sqlite3/OS error into one of the store's errors (no values inside)."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "locked" in text or "busy" in text:
        return StoreLocked(where)
    if "full" in text or (isinstance(exc, OSError) and getattr(exc, "errno", None) == 28):
        return DiskFull(where)
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreDamaged(where)
    if "unable to open" in text:
        return StoreMissing(where)
    return StoreError(where)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- the "in use" marker ------------------------------------------------------------
#
# SQLite's own locks last one transaction; between two units of work an open
# app holds no lock at all, so a restore could replace the file under it. The
# marker closes that gap: every Store on a file holds a shared advisory lock
# (flock LOCK_SH) on ``<store>.in-gebruik`` for as long as it is open, and a
# restore takes it exclusively (LOCK_EX | LOCK_NB) for as long as it replaces
# the file. Both ask without waiting: an open that finds a restore under way,
# and a restore that finds an open store, are refused with a Dutch sentence.
#
# The operating system drops the locks when the process ends, however it ends
# (kill -9 included), so a crash never leaves a stale marker; the file itself
# stays (deleting a lock file races with the next opener) and holds one fixed
# sentence, no personal data. Costs one open() and one flock() per Store.
#
# Within one process the marker is one file descriptor per store file with a
# count of the Stores that hold it: flock locks belong to the open file, so two
# descriptors of the same process would refuse each other. While this process
# holds the exclusive lock (a restore), its own Stores on that file (the
# coördinator confirming, reading the erased ids) count on it instead of locking.
#
# Windows has no flock and msvcrt.locking has no shared mode: there is no
# marker there (mark_in_use returns a marker that holds nothing), and restore
# relies on the coördinator closing the app, as before.

IN_USE_SUFFIX = ".in-gebruik"
IN_USE_TEXT = (
    b"jongerenteam: zolang een programma dit bestand vergrendelt, is de teamopslag ernaast\n"
    b"in gebruik en kan er geen back-up worden teruggezet. Er staan geen gegevens in.\n"
)


class _Held:
    __slots__ = ("count", "exclusive", "fd")

    def __init__(self, fd: int, exclusive: bool) -> None:
        self.fd = fd
        self.exclusive = exclusive
        self.count = 0  # Stores of this process counting on the lock


_held: dict[str, _Held] = {}
_held_guard = threading.Lock()


def _forget_after_fork() -> None:  # pragma: no cover - exercised by the fork tests
    # A forked child shares the parent's open lock files: it must neither
    # count on them nor unlock them (that would unlock the parent's too).
    for held in _held.values():
        with suppress(OSError):
            os.close(held.fd)
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def in_use_file(path: Path) -> Path:
    """The marker file beside a store file."""
    return Path(str(path) + IN_USE_SUFFIX)


def _key(path: Path) -> str:
    return os.path.realpath(path)


def _open_marker(key: str) -> int | None:
    """The marker's file descriptor, made 0600 if new; None where no marker can be kept."""
    name = key + IN_USE_SUFFIX
    try:
        fd = os.open(name, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        try:  # a read-only folder: a marker that exists can still be locked
            fd = os.open(name, os.O_RDONLY)
        except OSError:
            return None
    try:
        if os.fstat(fd).st_size == 0:
            os.write(fd, IN_USE_TEXT)
    except OSError:
        pass
    return fd


def _flock(fd: int, mode: int) -> bool:
    """Lock without waiting: True when held, False when someone else holds it; raises on other errors."""
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class InUse:
    """One hold on a store's marker; ``release()`` (idempotent) lets go of it."""

    def __init__(self, key: str | None, exclusive: bool) -> None:
        self._key = key
        self.exclusive = exclusive

    @property
    def held(self) -> bool:
        return self._key is not None

    def release(self) -> None:
        key, self._key = self._key, None
        if key is None:
            return
        with _held_guard:
            held = _held.get(key)
            if held is None:
                return
            if self.exclusive:
                held.exclusive = False
            else:
                held.count -= 1
            if held.exclusive:
                return
            if held.count > 0:
                # The exclusive holder let go while a Store of this process is
                # still open on the file: keep a shared lock for that one.
                if self.exclusive:
                    with suppress(OSError):
                        fcntl.flock(held.fd, fcntl.LOCK_SH)
                return
            del _held[key]
            with suppress(OSError):
                fcntl.flock(held.fd, fcntl.LOCK_UN)
            os.close(held.fd)


def mark_in_use(path: Path) -> InUse:
    """Mark the store file as in use for as long as a Store holds it open (shared).

    Raises StoreInUse (reason ``restore``) while a restore replaces the file.
    Returns a marker that holds nothing where no marker can be kept (no
    fcntl, a read-only folder, a file system without locks).
    """
    if fcntl is None:
        return InUse(None, False)
    key = _key(path)
    with _held_guard:
        held = _held.get(key)
        if held is None:
            fd = _open_marker(key)
            if fd is None:
                return InUse(None, False)
            try:
                ok = _flock(fd, fcntl.LOCK_SH)
            except OSError:  # no locks on this file system
                os.close(fd)
                return InUse(None, False)
            if not ok:
                os.close(fd)
                raise StoreInUse(str(path), reason="restore")
            held = _held[key] = _Held(fd, exclusive=False)
        held.count += 1
        return InUse(key, False)


def take_exclusive(path: Path) -> InUse:
    """Hold the store file exclusively (a restore). Raises StoreInUse (reason ``open``)
    while any Store, in this process or another, has it open."""
    if fcntl is None:
        return InUse(None, True)
    key = _key(path)
    with _held_guard:
        held = _held.get(key)
        if held is not None:
            # This process itself still has the store open (or a second
            # restore runs in it): refused like any other holder.
            raise StoreInUse(str(path), reason="open")
        fd = _open_marker(key)
        if fd is None:
            return InUse(None, True)
        try:
            ok = _flock(fd, fcntl.LOCK_EX)
        except OSError:
            os.close(fd)
            return InUse(None, True)
        if not ok:
            os.close(fd)
            raise StoreInUse(str(path), reason="open")
        _held[key] = _Held(fd, exclusive=True)
        return InUse(key, True)


def create_private(path: Path) -> None:
    """Create an empty file only this OS user may read (in a 0700 folder if new)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
