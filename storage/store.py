"""Opening a team store: engine, schema migrations, sessions, backup.

A store is addressed by a location: a file path (SQLite) or a
``postgresql://user@host/db`` URL (a database on the school's server).
Everything that differs between the two lives in one backend module each,
``storage.sqlite`` and ``storage.postgres``, chosen here by the location;
this module and the rest of ``storage/`` stay dialect-neutral. Opening runs
pending Alembic migrations (after an automatic backup for a SQLite file); a
schema newer than this program is refused. A store on a SQLite file holds the
file's "in use" marker (``storage.sqlite.mark_in_use``) from open to close, so
a restore never replaces it under an open app.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import DBAPIError, OperationalError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from storage import audit, clock
from storage import postgres as postgres_backend
from storage import sqlite as sqlite_backend
from storage.errors import (
    NewerSchema,
    ServerBackup,
    StoreError,
    StoreExists,
    StoreMissing,
)
from storage.models import Student, Team, Worker

if TYPE_CHECKING:
    from alembic.config import Config

# The migration scripts shipped with this program; ``storage.preview.SCHEMA_HEAD``
# is their head. (Tests point MIGRATIONS_DIR elsewhere to play a newer program.)
SHIPPED_MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATIONS_DIR = SHIPPED_MIGRATIONS

_T = TypeVar("_T")


class Backend(Protocol):
    """What a backend module (``storage.sqlite``, ``storage.postgres``) provides."""

    @property
    def NAME(self) -> str: ...

    @property
    def READER_OPTIONS(self) -> Mapping[str, object]: ...

    def open_engine(self, location: str, *, create: bool) -> Engine: ...

    def display_location(self, location: str) -> str: ...

    def translate(self, exc: BaseException, where: str) -> StoreError: ...

    def lock_audit_chain(self, session: Session) -> None: ...

    def migration_lock(self, engine: Engine) -> AbstractContextManager[None]: ...

    def checkpoint(self, engine: Engine) -> None: ...

    def warm(self, engine: Engine, statement: str, stop: threading.Event) -> bool: ...


def backend_for(location: str) -> Backend:
    """The backend module for a location: ``storage.postgres`` or ``storage.sqlite``.

    A backend provides NAME, READER_OPTIONS, open_engine, display_location,
    translate, lock_audit_chain, migration_lock, checkpoint and warm (``Backend``).
    """
    if postgres_backend.is_postgres_url(location):
        return postgres_backend
    if sqlite_backend.is_sqlite_url(location):
        return sqlite_backend
    raise StoreError(location.split("://", 1)[0] + "://…", reason="unsupported")


def is_server_location(location: str) -> bool:
    """True for a store on a database server (no file on this laptop)."""
    return backend_for(str(location)) is not sqlite_backend


def display_location(location: str) -> str:
    """The location as a user may see it (a server URL without its password)."""
    try:
        return backend_for(str(location)).display_location(str(location))
    except StoreError as exc:
        return exc.where


def _alembic_config(engine: Engine) -> Config:
    # Alembic (with Mako and Pygments) is imported only when a schema is
    # checked, created or migrated, not with this module (cold start).
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


class Store:
    """One team store. Cheap to keep open; every use case takes a short session."""

    def __init__(self, location: str, engine: Engine, backend: Backend | None = None) -> None:
        self.location = location
        self.engine = engine
        self.backend = backend or backend_for(location)
        # The "in use" marker of a store file (storage/sqlite.py), held from
        # open to close; a restore is refused while it is held.
        self._in_use: sqlite_backend.InUse | None = None
        # The transaction of the use case running on each thread (``unit()``).
        self._local = threading.local()
        # Set to end a read-ahead behind the unlock screen (``warm``, ``stop_warming``).
        self._stop_warming = threading.Event()
        # Shown to users and carried by errors: never a password.
        self.display = self.backend.display_location(location)
        # audit.append finds the backend's chain lock here (see storage.audit).
        info = {audit.CHAIN_LOCK_INFO: self.backend.lock_audit_chain}
        self._sessions = sessionmaker(engine, expire_on_commit=False, info=info)
        self._readers = sessionmaker(
            engine.execution_options(**self.backend.READER_OPTIONS),
            expire_on_commit=False,
            info=info,
        )

    # -- opening ---------------------------------------------------------

    @classmethod
    def create(cls, location: str) -> Store:
        """Create an empty store with the current schema; refuse an existing one."""
        location = str(location)
        backend = backend_for(location)
        engine = backend.open_engine(location, create=True)
        store = cls(location, engine, backend)
        store._mark_in_use()
        store._opening(store._create_schema)
        return store

    @classmethod
    def open(cls, location: str, *, backup_dir: Path | None = None) -> Store:
        """Open an existing store, migrating it (after a backup) if it is older."""
        location = str(location)
        backend = backend_for(location)
        engine = backend.open_engine(location, create=False)
        store = cls(location, engine, backend)
        # Before the schema check: a migration (and its backup) is a change
        # of the file that a restore must not run into.
        store._mark_in_use()
        store._opening(lambda: store._migrate(backup_dir))
        return store

    def _mark_in_use(self) -> None:
        """Hold the file's "in use" marker (SQLite only); refused while a restore runs."""
        if self.path is None:
            return
        try:
            self._in_use = sqlite_backend.mark_in_use(self.path)
        except StoreError:
            self.engine.dispose()
            raise

    def _opening(self, fn: Callable[[], object]) -> None:
        """Run the schema step of open/create; a store that fails to open lets go of its marker."""
        try:
            self._guard(fn)
        except BaseException:
            self._release_in_use()
            raise

    def _release_in_use(self) -> None:
        marker, self._in_use = self._in_use, None
        if marker is not None:
            marker.release()

    @staticmethod
    def refuse_existing(location: str) -> None:
        """Raise StoreExists (or why the location cannot be reached) before any questions are asked."""
        location = str(location)
        backend = backend_for(location)
        if backend is sqlite_backend:
            path = sqlite_backend.path_of(location)
            if path.exists() and path.stat().st_size > 0:
                raise StoreExists(str(path))
            return
        backend.open_engine(location, create=True).dispose()

    def _create_schema(self) -> None:
        from alembic import command
        from alembic.runtime.migration import MigrationContext

        with self.backend.migration_lock(self.engine):
            with self.engine.connect() as conn:
                # Another laptop may have created it while we waited for the lock.
                if MigrationContext.configure(conn).get_current_revision() is not None:
                    raise StoreExists(self.display)
            command.upgrade(_alembic_config(self.engine), "head")

    def _at_head(self) -> bool:
        """Whether the store is at the shipped migrations' head, read without Alembic.

        Importing Alembic (with Mako) takes 0.1 to 0.2 s: a command that opens
        a store at the current schema, as nearly every one does, need not wait
        for it. Anything else (no version table, another revision, an error)
        goes Alembic's way, which says why. ``SCHEMA_HEAD`` follows the
        migration scripts (tests/test_fast_start.py)."""
        from storage.preview import SCHEMA_HEAD

        if MIGRATIONS_DIR != SHIPPED_MIGRATIONS:
            return False
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        except DBAPIError:
            return False
        return [tuple(r) for r in rows] == [(SCHEMA_HEAD,)]

    def _migrate(self, backup_dir: Path | None) -> None:
        if self._at_head():
            return
        from alembic import command
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        cfg = _alembic_config(self.engine)
        script = ScriptDirectory.from_config(cfg)
        head = script.get_current_head()
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            has_team = inspect(conn).has_table("team")
        if current is None and not has_team:
            raise StoreMissing(self.display, reason="empty")
        known = {rev.revision for rev in script.walk_revisions()}
        if current is not None and current not in known:
            raise NewerSchema(self.display, revision=current)
        if current == head:
            return
        with self.backend.migration_lock(self.engine):
            with self.engine.connect() as conn:
                # Another laptop may have upgraded while we waited for the lock.
                current = MigrationContext.configure(conn).get_current_revision()
            if current == head:
                return
            if self.path is not None:
                stamp = clock.now().strftime("%Y%m%d-%H%M%S")
                target_dir = backup_dir or self.path.with_name(self.path.name + ".backups")
                self.backup(target_dir / f"voor-update-{current}-{stamp}.jtbackup")
            # On a server the upgrade is one transaction (PostgreSQL has
            # transactional DDL): it lands whole or not at all. Backups of a
            # server store are the IT department's (docs/postgresql.md).
            command.upgrade(cfg, "head")

    @property
    def path(self) -> Path | None:
        """The store's file on this laptop; None for a store on a database server."""
        if self.backend is sqlite_backend:
            return sqlite_backend.path_of(self.location)
        return None

    # -- sessions --------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A short unit of work that may write: commits on success, rolls back on error.

        Inside ``unit()`` (on the same thread) it is that unit's transaction:
        nothing commits until the whole use case is done.

        Database errors leave as store errors (locked, disk full, damaged)
        that name the store, never the values involved.
        """
        outer = self._current()
        if outer is not None:
            yield outer
            return
        with self._unit(self._sessions) as session:
            yield session

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """One use case, one transaction: every ``session()`` and ``reading()`` of the
        storage functions it calls (on this thread) joins it, and it all commits
        at the end, or nothing does.

        A unit inside a unit is the same unit. Storage code stays written as
        short sessions; a use case that writes more than one thing (a walk-in:
        the student, the hulpvraag, the statistics, the audit entries) wraps
        its calls in one unit.
        """
        outer = self._current()
        if outer is not None:
            yield outer
            return
        self._local.after = []
        try:
            with self._unit(self._sessions) as session:
                self._local.session = session
                try:
                    yield session
                finally:
                    self._local.session = None
            later: list[Callable[[], None]] = self._local.after
        finally:
            self._local.after = []
        for fn in later:
            fn()

    def _current(self) -> Session | None:
        return getattr(self._local, "session", None)

    def after_commit(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once this thread's unit has committed (at once outside a unit).

        For work that must see the committed state and must not run when the
        unit rolls back: folding the WAL after an erasure (a checkpoint inside
        the unit would wait for the unit's own open transaction), the erasure
        side file.
        """
        if self._current() is None:
            fn()
        else:
            self._local.after.append(fn)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A short read-only unit of work: never waits for the write lock.

        Inside ``unit()`` it reads in that unit's transaction (and so sees
        what the use case wrote so far); inside ``reading_together()`` in
        that one's.
        """
        outer = self._current() or getattr(self._local, "reader", None)
        if outer is not None:
            yield outer
            return
        with self._unit(self._readers) as session:
            yield session

    @contextmanager
    def reading_together(self) -> Iterator[None]:
        """Every ``reading()`` on this thread inside it reads in one read transaction:
        one snapshot, one begin and end (the sync after a use case: the change
        feed and the students it names). Inside ``unit()`` it is that unit.

        Only for reads: a write (``session()``) inside it gets its own
        transaction, which later reads inside it do not see on SQLite (they read
        the snapshot). So never run a use case inside it."""
        if self._current() is not None or getattr(self._local, "reader", None) is not None:
            yield
            return
        with self._unit(self._readers) as session:
            self._local.reader = session
            try:
                yield
            finally:
                self._local.reader = None

    def plain_rows(self, session: Session, statement: str) -> list[tuple[Any, ...]]:
        """The rows of ``statement`` (SQL without parameters) as the database driver returns
        them, in ``session``'s transaction: no SQLAlchemy rows or result processing. For the
        unlock's read of every student: 0.32 s at 200,000 rows where ``exec_driver_sql`` took
        0.43 s. Driver errors leave as store errors, as from every other read."""
        conn = session.connection()
        cursor = conn.connection.cursor()
        try:
            cursor.execute(statement)
            return list(cursor.fetchall())  # tuples from both drivers
        except conn.dialect.loaded_dbapi.Error as exc:
            raise self._translate(exc) from None
        finally:
            cursor.close()

    @contextmanager
    def _unit(self, factory: sessionmaker[Session]) -> Iterator[Session]:
        try:
            with factory.begin() as session:
                yield session
        except (OperationalError, DBAPIError, StatementError) as exc:
            raise self._translate(exc) from None
        except OSError as exc:
            raise self._translate(exc) from None

    def _guard(self, fn: Callable[[], _T]) -> _T:
        try:
            return fn()
        except StoreError:
            self.engine.dispose()
            raise
        except (OperationalError, DBAPIError, StatementError, OSError) as exc:
            self.engine.dispose()
            raise self._translate(exc) from None

    def _translate(self, exc: BaseException) -> StoreError:
        return self.backend.translate(exc, self.display)

    # -- what is readable before unlock ----------------------------------

    def team(self) -> Team | None:
        with self.reading() as s:
            return s.scalar(select(Team))

    def workers(self, *, active_only: bool = True) -> list[Worker]:
        with self.reading() as s:
            q = select(Worker).order_by(Worker.full_name)
            if active_only:
                q = q.where(Worker.active.is_(True))
            return list(s.scalars(q).all())

    # -- maintenance -----------------------------------------------------

    def backup(self, target: Path) -> Path:
        target = Path(target)
        path = self.path
        if path is None:
            # A server's backups are pg_dump's, made by its admins.
            raise ServerBackup(self.display)
        self._guard(lambda: sqlite_backend.backup_to(path, target))
        return target

    def integrity_problems(self) -> list[str]:
        if self.path is None:
            return []  # the server checks its own pages (data checksums)
        return sqlite_backend.integrity_check(self.path)

    def checkpoint(self) -> None:
        """Fold SQLite's WAL into the main file (on lock and exit); nothing on a server."""
        self.backend.checkpoint(self.engine)

    def warm(self) -> bool:
        """Read ahead the students' pages, which every unlock reads in full, behind the
        unlock screen (best effort; nothing on a server: ``storage.sqlite.warm``).
        Returns whether it read to the end (not after ``stop_warming``)."""
        statement = f"SELECT max(length({Student.directory.name})) FROM {Student.__tablename__}"  # noqa: S608 - names from the model
        return self.backend.warm(self.engine, statement, self._stop_warming)

    def stop_warming(self) -> None:
        """End a read-ahead under way, and start none after it (the app quits)."""
        self._stop_warming.set()

    def close(self) -> None:
        self.stop_warming()
        try:
            self.checkpoint()
            self.engine.dispose()
        finally:
            self._release_in_use()

