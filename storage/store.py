"""Opening a team store: engine, schema migrations, sessions, backup.

A store is addressed by a location: a file path (SQLite) or, later, a
database URL. Opening runs pending Alembic migrations, after an automatic
backup; a schema newer than this program is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import DBAPIError, OperationalError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from storage import clock
from storage import sqlite as sqlite_backend
from storage.errors import NewerSchema, StoreError, StoreExists, StoreMissing
from storage.models import Team, Worker

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


class Store:
    """One team store. Cheap to keep open; every use case takes a short session."""

    def __init__(self, location: str, engine: Engine) -> None:
        self.location = location
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readers = sessionmaker(
            engine.execution_options(**{sqlite_backend.READ_ONLY_OPTION: True}),
            expire_on_commit=False,
        )

    # -- opening ---------------------------------------------------------

    @classmethod
    def create(cls, location: str) -> "Store":
        """Create an empty store with the current schema; refuse an existing one."""
        location = str(location)
        if sqlite_backend.is_sqlite_url(location):
            path = sqlite_backend.path_of(location)
            if path.exists() and path.stat().st_size > 0:
                raise StoreExists(str(path))
            engine = sqlite_backend.make_engine(path, must_exist=False)
        else:  # pragma: no cover - PostgreSQL arrives with its own issue
            raise StoreError(location, reason="unsupported")
        store = cls(location, engine)
        store._guard(lambda: command.upgrade(_alembic_config(engine), "head"))
        return store

    @classmethod
    def open(cls, location: str, *, backup_dir: Path | None = None) -> "Store":
        """Open an existing store, migrating it (after a backup) if it is older."""
        location = str(location)
        if sqlite_backend.is_sqlite_url(location):
            path = sqlite_backend.path_of(location)
            sqlite_backend.check_header(path)
            engine = sqlite_backend.make_engine(path, must_exist=True)
        else:  # pragma: no cover
            raise StoreError(location, reason="unsupported")
        store = cls(location, engine)
        store._guard(lambda: store._migrate(backup_dir))
        return store

    def _migrate(self, backup_dir: Path | None) -> None:
        cfg = _alembic_config(self.engine)
        script = ScriptDirectory.from_config(cfg)
        head = script.get_current_head()
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            has_team = inspect(conn).has_table("team")
        if current is None and not has_team:
            raise StoreMissing(self.location, reason="empty")
        known = {rev.revision for rev in script.walk_revisions()}
        if current is not None and current not in known:
            raise NewerSchema(self.location, revision=current)
        if current != head:
            if self.path is not None:
                stamp = clock.now().strftime("%Y%m%d-%H%M%S")
                target_dir = backup_dir or self.path.with_name(self.path.name + ".backups")
                self.backup(target_dir / f"voor-update-{current}-{stamp}.jtbackup")
            command.upgrade(cfg, "head")

    @property
    def path(self) -> Path | None:
        if sqlite_backend.is_sqlite_url(self.location):
            return sqlite_backend.path_of(self.location)
        return None

    # -- sessions --------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A short unit of work that may write: commits on success, rolls back on error.

        Database errors leave as store errors (locked, disk full, damaged)
        that name the store, never the values involved.
        """
        with self._unit(self._sessions) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A short read-only unit of work: never waits for the write lock."""
        with self._unit(self._readers) as session:
            yield session

    @contextmanager
    def _unit(self, factory: sessionmaker) -> Iterator[Session]:
        try:
            with factory.begin() as session:
                yield session
        except (OperationalError, DBAPIError, StatementError) as exc:
            raise self._translate(exc) from None
        except OSError as exc:
            raise self._translate(exc) from None

    def _guard(self, fn):
        try:
            return fn()
        except StoreError:
            self.engine.dispose()
            raise
        except (OperationalError, DBAPIError, StatementError, OSError) as exc:
            self.engine.dispose()
            raise self._translate(exc) from None

    def _translate(self, exc: BaseException) -> StoreError:
        return sqlite_backend.translate(exc, self.location)

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
        if self.path is None:  # pragma: no cover
            raise StoreError(self.location, reason="unsupported")
        self._guard(lambda: sqlite_backend.backup_to(self.path, target))
        return target

    def integrity_problems(self) -> list[str]:
        if self.path is None:  # pragma: no cover
            return []
        return sqlite_backend.integrity_check(self.path)

    def checkpoint(self) -> None:
        """Fold SQLite's WAL into the main file (on lock and exit)."""
        if self.path is not None:
            sqlite_backend.checkpoint(self.engine)

    def close(self) -> None:
        self.checkpoint()
        self.engine.dispose()


def utc_now() -> datetime:
    return clock.now()
