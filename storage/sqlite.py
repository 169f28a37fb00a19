"""Everything SQLite-specific lives here (and only here).

Pragmas, write transactions that take the lock up front, the online backup
API, integrity checks and the translation of sqlite3 errors into the store's
own errors. The rest of ``storage/`` talks plain SQLAlchemy so that the same
code runs on PostgreSQL.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from storage.errors import (
    DiskFull,
    StoreDamaged,
    StoreError,
    StoreExists,
    StoreLocked,
    StoreMissing,
)

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
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by all tests
        # Take transactions into our own hands so writes can BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in PRAGMAS:
            cur.execute(pragma)
        cur.close()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn, _record, _proxy):  # pragma: no cover - exercised by all tests
        # Test-only page limit (a real SQLITE_FULL), applied per checkout so a
        # pooled connection picks up a limit set after it was opened.
        limit = os.environ.get(_MAX_PAGE_COUNT_ENV)
        if limit:
            dbapi_conn.execute(f"PRAGMA max_page_count={int(limit)}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - exercised by all tests
        # Writers take the write lock at the start: no deadlock between two
        # transactions that both read and then want to write, and a clear
        # "locked" after the timeout. Readers (Store.reading) do not take it,
        # so with WAL they never wait for a writer.
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


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
    """Replace the database at target with the contents of backup (backup API)."""
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
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
            conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception:  # noqa: BLE001 - best effort; a busy peer keeps its WAL
        pass


def translate(exc: BaseException, where: str) -> StoreError:
    """Turn a sqlite3/OS error into one of the store's errors (no values inside)."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "locked" in text or "busy" in text:
        return StoreLocked(where)
    if "full" in text or isinstance(exc, OSError) and getattr(exc, "errno", None) == 28:
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
