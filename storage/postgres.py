"""Everything PostgreSQL-specific lives here (and only here).

A team that shares one store between laptops points the app at a database on
a server the school already runs: ``postgresql://user@host/db``. The laptop
still encrypts every personal field before it leaves; the server only ever
holds ciphertext for those (docs/postgresql.md says what its admin can see).

What this module decides:

- the engine: psycopg 3 (``postgresql+psycopg://``), ``hide_parameters``, no
  echo, a small pool that pings a connection before reusing it (a laptop that
  slept or a restarted server leaves dead connections behind), a connect
  timeout and TCP keepalives so a vanished server is noticed in seconds;
- per connection: ``lock_timeout`` (the counterpart of SQLite's busy
  timeout), ``idle_in_transaction_session_timeout`` (a laptop that dies
  inside a transaction cannot hold the audit lock for ever) and READ
  COMMITTED isolation (the audit lock below depends on it);
- the audit-chain lock: every transaction that appends to the audit log
  first takes ``pg_advisory_xact_lock`` on one constant key, so appends are
  serialised per database exactly as SQLite's ``BEGIN IMMEDIATE`` serialises
  them, and the lock is released by COMMIT or ROLLBACK (docs/security.md);
- a session-level advisory lock around schema migrations, so two laptops
  opening an older store at the same time do not both run Alembic;
- the translation of psycopg errors (by SQLSTATE, never by message text
  alone) into the store's own errors. None of them carries a value, and the
  location shown to a user never includes a password.

psycopg itself is imported by SQLAlchemy only when an engine is made, so a
team on SQLite never loads it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from storage.errors import (
    DiskFull,
    StoreAccessDenied,
    StoreDamaged,
    StoreError,
    StoreExists,
    StoreLocked,
    StoreMissing,
    StoreUnavailable,
)

if TYPE_CHECKING:  # psycopg is loaded by SQLAlchemy when an engine is made, not here
    from psycopg import Connection as PsycopgConnection
    from sqlalchemy.pool import ConnectionPoolEntry

NAME = "postgresql"
SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")

# Same meaning as storage.sqlite.BUSY_TIMEOUT_MS: how long a writer waits for a lock.
LOCK_TIMEOUT_MS = 5000
# A laptop that stops talking inside a transaction loses it (and its locks) after this.
IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000
# Migrations may wait longer for each other than ordinary writes do.
MIGRATION_LOCK_TIMEOUT_MS = 120_000
CONNECT_TIMEOUT_S = 10

# pg_advisory_xact_lock(int4, int4) keys: the first says "jongerenteam"
# (0x6A74 = "jt"), the second what is locked. Advisory locks are per
# database, so several teams on one server never wait for each other.
LOCK_NAMESPACE = 0x6A74
AUDIT_CHAIN_LOCK = 1
MIGRATION_LOCK = 2

# Readers never wait for writers under MVCC; marking them read-only makes an
# accidental write in Store.reading() fail instead of slipping through.
READER_OPTIONS = {"postgresql_readonly": True}

# The tables whose presence means "a team store already lives here".
_OUR_TABLES = ("alembic_version", "team", "audit_log")


def is_postgres_url(location: str) -> bool:
    scheme = location.split("://", 1)[0].lower() if "://" in location else ""
    return scheme in SCHEMES


def _url(location: str) -> URL:
    """The SQLAlchemy URL for a user's location, always on the psycopg 3 driver."""
    try:
        url = make_url(location)
    except ArgumentError:
        raise StoreMissing(display_location(location)) from None
    return url.set(drivername="postgresql+psycopg")


def display_location(location: str) -> str:
    """The location as a user may see it: never with the password in it."""
    try:
        url = make_url(location)
    except ArgumentError:
        return location.split("://", 1)[0] + "://…"
    shown = url.set(drivername=location.split("://", 1)[0])
    # A password may also sit in the query string (?password=...): drop it.
    query = {k: v for k, v in shown.query.items() if k.lower() not in ("password", "passfile")}
    return shown.set(query=query).render_as_string(hide_password=True)


def make_engine(location: str) -> Engine:
    url = _url(location)
    connect_args: dict[str, object] = {
        "application_name": "jongerenteam",
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    engine = create_engine(
        url,
        hide_parameters=True,
        echo=False,
        pool_size=2,
        max_overflow=3,
        pool_pre_ping=True,
        pool_recycle=900,
        isolation_level="READ COMMITTED",
        connect_args=connect_args,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(  # pragma: no cover - exercised by every PG test
        dbapi_conn: PsycopgConnection[Any], _record: ConnectionPoolEntry
    ) -> None:
        was = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        try:
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
                cur.execute(
                    f"SET idle_in_transaction_session_timeout = {IDLE_IN_TRANSACTION_TIMEOUT_MS}"
                )
                # Our timestamps are UTC; the server's own zone must not matter.
                cur.execute("SET TIME ZONE 'UTC'")
        finally:
            dbapi_conn.autocommit = was

    return engine


def open_engine(location: str, *, create: bool) -> Engine:
    """An engine for an existing store, or (create) for an empty database."""
    engine = make_engine(location)
    if create:
        try:
            with engine.connect() as conn:
                present = conn.execute(
                    text(
                        "SELECT count(*) FROM information_schema.tables "
                        "WHERE table_schema = current_schema() AND table_name = ANY(:names)"
                    ),
                    {"names": list(_OUR_TABLES)},
                ).scalar_one()
        except Exception as exc:  # noqa: BLE001 - raised again as a store error (translate), never as the driver's text
            engine.dispose()
            raise translate(exc, display_location(location)) from None
        if present:
            engine.dispose()
            raise StoreExists(display_location(location))
    return engine


def lock_audit_chain(session: Session) -> None:
    """Serialise audit appends: wait for (then hold until COMMIT) the chain lock.

    Called by ``storage.audit.append`` before it reads the chain's end. Under
    READ COMMITTED every later statement of this transaction sees what the
    previous holder committed, because PostgreSQL makes a commit visible
    before it releases that transaction's locks.
    """
    session.execute(
        text("SELECT pg_advisory_xact_lock(:ns, :key)"),
        {"ns": LOCK_NAMESPACE, "key": AUDIT_CHAIN_LOCK},
    )


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Hold a session-level advisory lock while the schema is checked and upgraded."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"SET lock_timeout = {MIGRATION_LOCK_TIMEOUT_MS}")
        conn.execute(
            text("SELECT pg_advisory_lock(:ns, :key)"), {"ns": LOCK_NAMESPACE, "key": MIGRATION_LOCK}
        )
        try:
            yield
        finally:
            conn.execute(
                text("SELECT pg_advisory_unlock(:ns, :key)"),
                {"ns": LOCK_NAMESPACE, "key": MIGRATION_LOCK},
            )
            conn.exec_driver_sql(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")


def checkpoint(engine: Engine) -> None:
    """Nothing to fold: the server owns its write-ahead log."""


def warm(engine: Engine, statement: str, stop: threading.Event) -> bool:
    """Nothing to read ahead: the server keeps its own pages in memory."""
    return True


# SQLSTATE classes and codes -> the store's errors.
_UNAVAILABLE_CODES = {
    "57P01",  # admin_shutdown (pg_terminate_backend, server stopping)
    "57P02",  # crash_shutdown
    "57P03",  # cannot_connect_now (starting up, shutting down)
    "53300",  # too_many_connections
}
_LOCKED_CODES = {
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "55P03",  # lock_not_available (lock_timeout)
    "57014",  # query_canceled (statement_timeout)
}
_DENIED_CODES = {"28000", "28P01", "42501"}  # no pg_hba entry, bad password, no privilege


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None)


def translate(exc: BaseException, where: str) -> StoreError:
    """Turn a psycopg/SQLAlchemy/OS error into one of the store's errors (no values inside)."""
    state = _sqlstate(exc) or ""
    if state in _DENIED_CODES:
        return StoreAccessDenied(where)
    if state == "3D000":  # invalid_catalog_name: the database does not exist
        return StoreMissing(where)
    if state in _UNAVAILABLE_CODES or state.startswith("08"):
        return StoreUnavailable(where)
    if state in _LOCKED_CODES:
        return StoreLocked(where)
    if state == "53100" or (isinstance(exc, OSError) and getattr(exc, "errno", None) == 28):
        return DiskFull(where)
    if state in ("XX001", "XX002"):  # data_corrupted, index_corrupted
        return StoreDamaged(where)
    if _is_connection_failure(exc):
        return _connect_failure(exc, where)
    if getattr(exc, "connection_invalidated", False):
        return StoreUnavailable(where)
    return StoreError(where)


# libpq hands over a failed login as text only (no SQLSTATE). The server
# words it in its own language; these fragments cover English and Dutch,
# and the file name pg_hba.conf is the same in every language.
_DENIED_TEXT = (
    "password authentication failed", "authentication failed", "pg_hba.conf",
    "authenticatie", "wachtwoord", "permission denied", "geen toegang",
    "role", "rol ",
)


def _connect_failure(exc: BaseException, where: str) -> StoreError:
    text_ = str(getattr(exc, "orig", exc)).lower()
    server_said = "fatal:" in text_ or "fataal:" in text_
    if server_said and "database" in text_ and (
        "does not exist" in text_ or "bestaat niet" in text_
    ):
        return StoreMissing(where)
    if server_said and any(t in text_ for t in _DENIED_TEXT):
        return StoreAccessDenied(where)
    return StoreUnavailable(where)


def _is_connection_failure(exc: BaseException) -> bool:
    """psycopg reports refused, unreachable and dropped connections without a SQLSTATE."""
    orig = getattr(exc, "orig", exc)
    return (
        type(orig).__name__ in ("OperationalError", "InterfaceError")
        and type(orig).__module__.startswith("psycopg")
        and not getattr(orig, "sqlstate", None)
    )
