"""A throwaway PostgreSQL for the tests (and benchmarks/bench_postgres.py).

``PgServer.start()`` runs initdb in a fresh temporary folder and starts a
server that listens on 127.0.0.1 only, on a free port, with its Unix socket
in that same folder. It never touches a system cluster. PostgreSQL refuses
to run as root, so when the tests run as root the server runs as the
``postgres`` OS user (``runuser``), which then owns the temporary folder.
``stop()`` stops it and removes the folder.

Instead, ``JONGERENTEAM_TEST_PG_URL`` may name an existing server: a role
there that may create databases (``CREATEDB``), for example
``postgresql://jt:secret@127.0.0.1:5432/postgres``. Tests that need to stop
the server or read its files skip then.

Each test gets a database of its own (``PgServer.new_database``), owned by
an ordinary login role, not by the superuser: the app never needs more.

Under pytest-xdist every worker process starts a cluster of its own: the
folder is a fresh ``mkdtemp`` (named after the worker), the Unix socket is in
it, and the port is a free one, picked again if another process takes it
before the server binds it. The session fixture stops the cluster at the end
of the worker's session; an ``atexit`` hook stops it too if the worker ends
without running its finalisers.

The pytest fixtures are at the end; tests/conftest.py imports them (and builds
the team template database that ``new_database(template=...)`` copies).
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import importlib.util
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

URL_ENV = "JONGERENTEAM_TEST_PG_URL"
BIN_ENV = "JONGERENTEAM_TEST_PG_BIN"
APP_ROLE = "jongerenteam"
SUPERUSER = "postgres"


def find_bin_dir() -> Path | None:
    """The folder with initdb/pg_ctl/postgres: $JONGERENTEAM_TEST_PG_BIN, Debian's, or PATH."""
    candidates = []
    if os.environ.get(BIN_ENV):
        candidates.append(Path(os.environ[BIN_ENV]))
    candidates += [
        Path(p)
        for p in sorted(
            glob.glob("/usr/lib/postgresql/*/bin"),
            key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
            reverse=True,
        )
    ]
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).parent)
    for c in candidates:
        if (c / "initdb").exists() and (c / "pg_ctl").exists():
            return c
    return None


def client_tool(name: str) -> str | None:
    """psql or pg_dump: beside initdb when there is one, else on PATH."""
    bin_dir = find_bin_dir()
    if bin_dir and (bin_dir / name).exists():
        return str(bin_dir / name)
    return shutil.which(name)


# Clusters started by this process and not stopped yet: stopped at exit, so
# a worker that ends without its session finalisers leaves no server behind.
_started: list[PgServer] = []


@atexit.register
def _stop_leftovers() -> None:
    for server in list(_started):
        server.stop()


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _admin_connect(url: str):
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True, connect_timeout=10)


@dataclass
class PgServer:
    """A PostgreSQL server the tests may create databases on."""

    admin_url: str  # a role that may CREATE DATABASE (superuser for our own cluster)
    host: str = "127.0.0.1"
    port: int = 5432
    app_user: str = ""
    app_password: str = ""
    owned: bool = False  # we started it: we may stop it and read its files
    root: Path | None = None
    bin_dir: Path | None = None
    _databases: list[str] = field(default_factory=list)

    # -- a cluster of our own --------------------------------------------------

    @classmethod
    def start(cls, *, durable: bool = False, bin_dir: Path | None = None, attempts: int = 5) -> PgServer:
        """initdb + start on 127.0.0.1:<free port> in a new temporary folder.

        ``durable=False`` (the tests) switches fsync off: nothing in a
        throwaway cluster needs to survive a power cut. The benchmark keeps
        PostgreSQL's defaults (``durable=True``).

        The free port is only free when it is picked: another process (a
        second xdist worker starting its own cluster) may bind it first. The
        server then fails to start; it is tried again on a new port, up to
        ``attempts`` times.
        """
        bin_dir = bin_dir or find_bin_dir()
        if bin_dir is None:
            raise FileNotFoundError("initdb")
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        root = Path(tempfile.mkdtemp(prefix=f"jongerenteam-pg-{worker + '-' if worker else ''}"))
        as_postgres = os.geteuid() == 0
        admin_password = secrets.token_urlsafe(18)
        app_password = secrets.token_urlsafe(18)
        pwfile = root / "pw"
        pwfile.write_text(admin_password + "\n")
        if as_postgres:
            shutil.chown(root, "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        os.chmod(pwfile, 0o600)
        data = root / "data"
        server = cls(
            admin_url="", app_user=APP_ROLE, app_password=app_password,
            owned=True, root=root, bin_dir=bin_dir,
        )
        _started.append(server)
        try:
            server._run(
                "initdb", "-D", str(data), "-U", SUPERUSER, "--pwfile", str(pwfile),
                "--auth-local=peer", "--auth-host=scram-sha-256", "-E", "UTF8",
                "--no-locale", "--no-sync",
            )
            pwfile.unlink()
            settings = {
                "listen_addresses": "'127.0.0.1'",
                "unix_socket_directories": f"'{root}'",
                "max_connections": "60",
                "shared_buffers": "64MB",
                "logging_collector": "off",
                "log_min_messages": "warning",
            }
            if not durable:
                settings.update(fsync="off", synchronous_commit="off", full_page_writes="off")
            with (data / "postgresql.conf").open("a") as conf:
                for k, v in settings.items():
                    conf.write(f"{k} = {v}\n")
            # Only loopback, only with a password; nothing else may connect.
            (data / "pg_hba.conf").write_text(
                "local all postgres peer\n"
                "host all all 127.0.0.1/32 scram-sha-256\n"
            )
            for attempt in range(1, attempts + 1):
                port = _free_loopback_port()
                # A later line wins: each attempt appends its port; resume() starts on it again.
                with (data / "postgresql.conf").open("a") as conf:
                    conf.write(f"port = {port}\n")
                server.port = port
                server.admin_url = f"postgresql://{SUPERUSER}:{admin_password}@127.0.0.1:{port}/postgres"
                try:
                    server._run("pg_ctl", "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60", "start")
                    break
                except subprocess.CalledProcessError:
                    log = (root / "server.log").read_text(errors="replace") if (root / "server.log").exists() else ""
                    port_taken = any(
                        t in log for t in ("could not bind", "already in use", "could not create any TCP/IP sockets")
                    )
                    if attempt == attempts or not port_taken:
                        raise
                    (root / "server.log").unlink(missing_ok=True)
            with _admin_connect(server.admin_url) as con:
                con.execute(
                    f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{app_password}'"
                )
        except BaseException:
            server.stop()
            raise
        return server

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        cmd = [str(self.bin_dir / tool), *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)

    @property
    def data_dir(self) -> Path | None:
        return self.root / "data" if self.root else None

    def pause(self) -> None:
        """Stop the server (keeping its files), as a server going down would."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-m", "fast", "stop")

    def resume(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self.root / "server.log"),
            "-w", "-t", "60", "start",
        )

    def stop(self) -> None:
        """Stop our own cluster and remove its folder; drop the test databases on a foreign one."""
        if not self.owned:
            for name in list(self._databases):
                self.drop_database(name)
            return
        if self.root is None:
            return
        if self.data_dir and (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None
        _started[:] = [s for s in _started if s is not self]

    # -- a foreign server ----------------------------------------------------------

    @classmethod
    def external(cls, url: str) -> PgServer:
        from sqlalchemy.engine import make_url

        u = make_url(url)
        return cls(
            admin_url=u.set(drivername="postgresql").render_as_string(hide_password=False),
            host=u.host or "127.0.0.1", port=u.port or 5432,
            app_user=u.username or "", app_password=u.password or "", owned=False,
        )

    # -- databases -------------------------------------------------------------------

    def new_database(self, prefix: str = "jt", *, template: str | None = None) -> str:
        """A fresh database owned by the app role; returns the app's URL for it.

        Empty, or a copy of the database ``template`` (no connection may be
        open to it): CREATE DATABASE copies the files, far faster than
        building the same content again.
        """
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with _admin_connect(self.admin_url) as con:
            con.execute(f'CREATE DATABASE "{name}"{copy} OWNER "{self.app_user}"')
        self._databases.append(name)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a test database, ending any connection still open to it."""
        try:
            with _admin_connect(self.admin_url) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception:  # noqa: BLE001 - the cluster goes anyway; a foreign one keeps a stray db
            return
        if name in self._databases:
            self._databases.remove(name)

    def url(self, database: str) -> str:
        return f"postgresql://{self.app_user}:{self.app_password}@{self.host}:{self.port}/{database}"

    def admin_url_for(self, database: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    def admin(self, database: str, sql: str, params=()) -> list[tuple]:
        """Run one statement as the admin role on a database; returns the rows (if any)."""
        with _admin_connect(self.admin_url_for(database)) as con:
            cur = con.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def terminate_app_connections(self, database: str) -> int:
        """pg_terminate_backend every connection of the app to this database."""
        rows = self.admin(
            database,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND usename = %s",
            (database, self.app_user),
        )
        return sum(1 for (ok,) in rows if ok)


def database_of(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).database


def wait_until_accepting(server: PgServer, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with _admin_connect(server.admin_url):
                return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


# -- pytest fixtures (imported into tests/conftest.py) ------------------------------

_NO_PG_REASON = (
    "no PostgreSQL here: install it (apt-get install -y postgresql; .ci/run does) "
    f"or set {URL_ENV} to a server where the role may create databases"
)


def _why_no_cluster() -> str:
    """Why a throwaway cluster cannot be started here ("" when it can)."""
    if find_bin_dir() is None:
        return _NO_PG_REASON
    if importlib.util.find_spec("psycopg") is None:
        return "psycopg is not installed (pip install -e .)"
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a 'postgres' OS user to run the server as"
    return ""


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL for the whole test run: $JONGERENTEAM_TEST_PG_URL, or a throwaway cluster on loopback."""
    url = os.environ.get(URL_ENV)
    if url:
        server = PgServer.external(url)
    else:
        missing = _why_no_cluster()
        if missing:
            # CI installs PostgreSQL (.ci/run): there a missing server is a failure, not a skip.
            (pytest.fail if os.environ.get("CI") else pytest.skip)(missing)
        server = PgServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """The URL of a fresh, empty database on the test server (the app's own role)."""
    url = pg_server.new_database()
    yield url
    pg_server.drop_database(database_of(url))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """Where a new store goes: a file in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "team.jt")
    return request.getfixturevalue("pg_url")
