"""What only a shared PostgreSQL store has: several laptops at once, a server admin, a network.

Against a real server (tests/pg.py: a throwaway cluster on 127.0.0.1, or
$JONGERENTEAM_TEST_PG_URL): several processes writing at once, what the
server's tables, dump and files hold, a connection cut or a server gone
mid-work, the audit-chain lock, and the ``jongerenteam`` command pointed at
a ``postgresql://`` URL.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, select, text

import storage.postgres
from jongerenteam import messages
from jongerenteam.session import TeamSession
from storage import audit, students, team
from storage.errors import (
    DiskFull,
    StoreAccessDenied,
    StoreDamaged,
    StoreError,
    StoreLocked,
    StoreMissing,
    StoreUnavailable,
)
from storage.models import AuditEntry, FileEntry, Student
from storage.store import Store
from tests import proc_worker
from tests.pg import PgServer, client_tool, database_of
from tests.support import (
    CANARIES,
    CANARY_NOTE,
    COORDINATOR_PASS,
    OTHER_PASS,
    WORKER_PASS,
    build_app,
    canary_student,
    files_containing,
    settle,
    unlock_as,
)

PG_WORKER = str(Path(__file__).with_name("pg_worker.py"))

# Every team store here is on PostgreSQL (a copy of the template database).
pytestmark = pytest.mark.backends("postgresql")
HHMM = re.compile(r"[0-2]\d:[0-5]\d")


@pytest.fixture
def fx(team_store):
    """A team (Cora, Hanna, Otto) in a fresh PostgreSQL database (a copy of the template database)."""
    return team_store


def _owned(pg_server: PgServer) -> None:
    if not pg_server.owned:
        pytest.skip("needs the throwaway cluster (not $JONGERENTEAM_TEST_PG_URL): stops it or reads its files")


def _cli(args: list[str], stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    proc = proc_worker.run_cli(args, stdin, env=proc_worker.child_env(**env))
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


# --- (a) several laptops at once -------------------------------------------------------


@pytest.mark.tmux  # runs the command or another process
def test_several_processes_at_once_lose_nothing_and_keep_the_chain(fx):
    """Four processes register, add talks and edit one shared student at once: every row once, conflicts told in Dutch, chain intact."""
    cora = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    shared = cora.spreekuur.register_student(canary_student()).id
    cora.lock()
    workers = [
        (fx.coordinator_id, COORDINATOR_PASS), (fx.worker_id, WORKER_PASS),
        (fx.other_id, OTHER_PASS), (fx.worker_id, WORKER_PASS),
    ]
    count = 8
    procs = []
    for i, (wid, pw) in enumerate(workers):
        p = subprocess.Popen(
            [sys.executable, PG_WORKER, "--store", str(fx.path), "--worker-id", wid,
             "--shared-id", shared, "--count", str(count), "--tag", f"p{i}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=proc_worker.child_env(),
        )
        p.stdin.write(pw + "\n")
        p.stdin.flush()
        procs.append(p)
    try:
        for p in procs:
            line = p.stdout.readline()
            assert line.strip() == "ready", line + (p.stderr.read() if p.poll() is not None else "")
        for p in procs:  # every process has read version 1 of the shared student
            p.stdin.write("go\n")
            p.stdin.flush()
        results = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    acked_students, acked_entries, saves, conflicts = [], [], [], []
    for p, (out, err) in zip(procs, results, strict=False):
        assert p.returncode == 0, out[-800:] + err[-2000:]
        assert "Traceback" not in err
        lines = out.splitlines()
        assert lines[-1] == "done"
        acked_students += [ln.split()[1] for ln in lines if ln.startswith("S ")]
        acked_entries += [ln.split()[2] for ln in lines if ln.startswith("E ")]
        saves += [(int(ln.split()[1]), ln.split()[2]) for ln in lines if ln.startswith("U ")]
        conflicts += [ln[2:] for ln in lines if ln.startswith("C ")]
    assert len(acked_students) == len(set(acked_students)) == len(workers) * count
    assert len(acked_entries) == len(set(acked_entries)) == len(workers) * count
    # All four saved first from version 1: exactly one of those can win.
    assert len(conflicts) >= len(workers) - 1
    assert all(re.match(r"Gewijzigd door .+ om [0-2]\d:[0-5]\d, terwijl jij dit open had", c) for c in conflicts)
    # No lost update: versions 2..n were each handed out once, and the store holds the last.
    versions = sorted(v for v, _ in saves)
    assert versions == list(range(2, 2 + len(saves)))

    with fx.store.reading() as s:
        student_ids = s.scalars(select(Student.id)).all()
        entry_ids = s.scalars(select(FileEntry.id)).all()
    assert sorted(student_ids) == sorted([shared, *acked_students])
    assert sorted(entry_ids) == sorted(acked_entries)
    keys = team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    row = students.get_student(fx.store, keys, shared)
    assert (row.version, row.data["last_name"]) == max(saves)
    with fx.store.session() as s:
        result = audit.verify(s, keys)
        total = s.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
    assert result.ok and result.checked == total


# --- (b) what the server holds ------------------------------------------------------------


def _encodings(needle: str) -> list[str]:
    """How a canary could show in psql/pg_dump text output: as text, or inside a bytea as hex."""
    return [needle, needle.encode().hex(), needle.encode("utf-16-le").hex()]


def _store_canary(fx) -> None:
    s = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    rec = s.spreekuur.register_student(canary_student())
    s.dossier.add_entry(rec.id, "gesprek", {"tekst": CANARY_NOTE})
    t = TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)
    t.dossier.add_entry(rec.id, "inloop", {"tekst": CANARY_NOTE})  # sealed box, appended without read access
    s.lock()
    t.lock()


@pytest.mark.tmux  # runs the command or another process
def test_raw_tables_and_pg_dump_hold_no_personal_plaintext(fx, pg_server):
    """psql over every table and a pg_dump of the database find no canary (not as text, not as hex); worker names are there."""
    psql, pg_dump = client_tool("psql"), client_tool("pg_dump")
    if not psql or not pg_dump:
        pytest.skip("psql/pg_dump not installed")
    _store_canary(fx)
    url = pg_server.admin_url_for(database_of(str(fx.path)))
    tables = [r[0] for r in pg_server.admin(
        database_of(str(fx.path)),
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )]
    assert {"students", "file_entries", "audit_log"} <= set(tables)
    dumped = ""
    for table in tables:
        dumped += subprocess.run(
            [psql, url, "-X", "-A", "-c", f'SELECT * FROM "{table}"'],  # noqa: S608 - the store's own table names
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout
    dumped += subprocess.run(
        [pg_dump, "--no-owner", url], capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    # The dump did read the rows: staff names are plain by design (docs/postgresql.md).
    assert "Hanna Hulpverlener" in dumped
    hits = [c for c in CANARIES for form in _encodings(c) if form.lower() in dumped.lower()]
    assert hits == []


def test_server_files_hold_no_personal_plaintext(fx, pg_server):
    """After a CHECKPOINT no canary is in any file of the cluster: tables, indexes, WAL, server log."""
    _owned(pg_server)
    _store_canary(fx)
    pg_server.admin("postgres", "CHECKPOINT")
    assert files_containing(pg_server.root) == []


# --- (c) the connection gone ------------------------------------------------------------


def test_connection_cut_mid_transaction_is_reported_and_retry_works(fx, pg_server):
    """pg_terminate_backend during a save: StoreUnavailable in Dutch, nothing half-saved, the same save works after."""
    database = database_of(str(fx.path))
    s = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    sid = s.spreekuur.register_student(canary_student()).id
    cut = {"done": False}

    def _cut(conn, cursor, statement, *args):
        if statement.startswith("INSERT INTO audit_log") and not cut["done"]:
            cut["done"] = True
            assert pg_server.terminate_app_connections(database) >= 1

    event.listen(fx.store.engine, "before_cursor_execute", _cut)
    try:
        with pytest.raises(StoreUnavailable) as caught:
            s.dossier.add_entry(sid, "gesprek", {"tekst": CANARY_NOTE})
    finally:
        event.remove(fx.store.engine, "before_cursor_execute", _cut)
    sentence, code = messages.explain(caught.value)
    assert sentence.startswith("De verbinding met de database is verbroken")
    assert "Je tekst is bewaard" in sentence and code == messages.EXIT_UNAVAILABLE
    assert pg_server.app_password not in str(caught.value.where)
    with fx.store.reading() as r:
        assert r.scalar(text("SELECT count(*) FROM file_entries")) == 0
    s.dossier.add_entry(sid, "gesprek", {"tekst": CANARY_NOTE})  # retry: a fresh connection
    assert [e.payload["tekst"] for e in s.dossier.read_file(sid)] == [CANARY_NOTE]
    assert s.team.verify_audit().ok
    s.lock()


def test_server_down_then_back(fx, pg_server):
    """With the server stopped, saving and opening raise StoreUnavailable; once it is back, the same save works."""
    _owned(pg_server)
    s = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    sid = s.spreekuur.register_student(canary_student()).id
    pg_server.pause()
    try:
        with pytest.raises(StoreUnavailable):
            s.dossier.add_entry(sid, "gesprek", {"tekst": CANARY_NOTE})
        with pytest.raises(StoreUnavailable):
            Store.open(str(fx.path))
    finally:
        pg_server.resume()
    s.dossier.add_entry(sid, "gesprek", {"tekst": CANARY_NOTE})
    assert len(s.dossier.read_file(sid)) == 1
    s.lock()


@pytest.mark.tmux  # runs the command or another process
def test_cli_on_an_unreachable_server_says_so_in_dutch():
    """`worker list` against a port where nothing listens: one Dutch sentence, exit code 13, no password, no traceback."""
    from tests.pg import _free_loopback_port

    url = f"postgresql://jongerenteam:GeheimWachtwoord1@127.0.0.1:{_free_loopback_port()}/team"
    proc = _cli(["--store", url, "worker", "list"])
    assert proc.returncode == messages.EXIT_UNAVAILABLE, proc.stderr
    assert proc.stderr.startswith("De verbinding met de database is verbroken")
    assert proc.stderr.count("\n") == 1
    assert "GeheimWachtwoord1" not in proc.stdout + proc.stderr


# --- locks and refusals ---------------------------------------------------------------


def test_audit_lock_holds_writers_not_readers(fx, pg_server, monkeypatch):
    """While another session holds the chain lock a save waits, then says 'bezet'; reading still works; afterwards saving works."""
    import psycopg

    monkeypatch.setattr(storage.postgres, "LOCK_TIMEOUT_MS", 300)
    store = Store.open(str(fx.path))  # new connections pick up the short timeout
    try:
        keys = team.unlock(store, fx.worker_id, WORKER_PASS)
        row = students.add_student(store, keys, {"first_name": "Sam"}, status="aangemeld",
                                   contact_worker_id=fx.worker_id)
        with psycopg.connect(pg_server.url(database_of(str(fx.path))), autocommit=True) as holder:
            holder.execute(
                "SELECT pg_advisory_lock(%s, %s)",
                (storage.postgres.LOCK_NAMESPACE, storage.postgres.AUDIT_CHAIN_LOCK),
            )
            with pytest.raises(StoreLocked) as caught:
                students.add_entry(store, keys, row.id, "gesprek", {"tekst": "wacht"})
            assert messages.explain(caught.value)[0].startswith("De teamopslag is bezet")
            assert {w.id for w in store.workers()} >= {fx.worker_id}
            assert [r.id for r in students.load_directory(store, keys)[0]] == [row.id]
        students.add_entry(store, keys, row.id, "gesprek", {"tekst": "nu wel"})
        assert [e.payload["tekst"] for e in students.read_file(store, keys, row.id)] == ["nu wel"]
    finally:
        store.close()


def test_reading_session_cannot_write(fx):
    """Store.reading() is a read-only transaction on the server: a write inside it fails and changes nothing."""
    before = fx.store.team().version
    with pytest.raises(StoreError), fx.store.reading() as r:
        r.execute(text("UPDATE team SET version = version + 1"))
    assert fx.store.team().version == before


def test_wrong_password_and_missing_database(pg_server, pg_url):
    """A wrong password is 'access denied' and a missing database 'does not exist', both in Dutch, never showing the password."""
    from sqlalchemy.engine import make_url

    url = make_url(pg_url)
    wrong = url.set(password="NietHetWachtwoord9").render_as_string(hide_password=False)
    with pytest.raises(StoreAccessDenied) as denied:
        Store.open(wrong)
    sentence, code = messages.explain(denied.value)
    assert "weigert de toegang" in sentence and code == messages.EXIT_ACCESS_DENIED
    assert "NietHetWachtwoord9" not in sentence
    missing = url.set(database="bestaat_niet_xyz").render_as_string(hide_password=False)
    with pytest.raises(StoreMissing) as absent:
        Store.open(missing)
    sentence, code = messages.explain(absent.value)
    assert "bestaat niet" in sentence and code == messages.EXIT_MISSING
    assert pg_server.app_password not in sentence


def test_password_from_pgpass_file(fx, pg_server, tmp_path, monkeypatch):
    """A URL without a password works with the password in a .pgpass file, as docs/postgresql.md advises."""
    from sqlalchemy.engine import make_url

    url = make_url(str(fx.path))
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{url.host}:{url.port}:{url.database}:{url.username}:{url.password}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    bare = f"postgresql://{url.username}@{url.host}:{url.port}/{url.database}"
    store = Store.open(bare)
    try:
        assert {w.full_name for w in store.workers()} >= {"Hanna Hulpverlener"}
    finally:
        store.close()


def test_sqlstates_map_to_store_errors():
    """psycopg's own error classes map by SQLSTATE: lock timeout/deadlock busy, disk full, admin shutdown, corruption."""
    from psycopg import errors as pe

    cases = {
        pe.LockNotAvailable: StoreLocked, pe.DeadlockDetected: StoreLocked,
        pe.SerializationFailure: StoreLocked, pe.DiskFull: DiskFull,
        pe.AdminShutdown: StoreUnavailable, pe.CannotConnectNow: StoreUnavailable,
        pe.TooManyConnections: StoreUnavailable, pe.DataCorrupted: StoreDamaged,
        pe.InvalidPassword: StoreAccessDenied, pe.InsufficientPrivilege: StoreAccessDenied,
        pe.InvalidCatalogName: StoreMissing, pe.UniqueViolation: StoreError,
    }
    for cls, expected in cases.items():
        got = storage.postgres.translate(cls("detail that must not leak"), "postgresql://u@h/db")
        assert type(got) is expected, cls
        assert "must not leak" not in str(got) and got.where == "postgresql://u@h/db"


# --- (d) the command line -------------------------------------------------------------


@pytest.mark.tmux  # runs the command or another process
def test_cli_init_list_verify_and_backup_refusal(pg_url):
    """init via stdin on a postgresql:// URL, then worker list and audit verify (via JONGERENTEAM_STORE); backup points to pg_dump."""
    password = re.search(r":([^:@/]+)@", pg_url).group(1)
    answers = "Team Deltion\nAnna de Vries\nAV\nwijkteam\n" + "koffie op het plein om acht\n" * 2
    init = _cli(["init", "--store", pg_url], answers)
    assert init.returncode == 0, init.stderr
    assert "Het team 'Team Deltion' is aangemaakt" in init.stdout
    assert re.search(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){6}\b", init.stdout)
    assert password not in init.stdout + init.stderr

    again = _cli(["init", "--store", pg_url], answers)
    assert again.returncode == messages.EXIT_EXISTS
    assert again.stderr.startswith("Er staat al een teamopslag in de database")
    assert "Naam van het team" not in again.stdout  # refused before any question

    listed = _cli(["worker", "list"], JONGERENTEAM_STORE=pg_url)
    assert listed.returncode == 0, listed.stderr
    assert re.match(r"AV\s+Anna de Vries\s+", listed.stdout)

    verified = _cli(["--store", pg_url, "audit", "verify", "--worker", "AV"], "koffie op het plein om acht\n")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("Het logboek is in orde:")

    backup = _cli(["--store", pg_url, "backup", "/tmp/nergens.jtbackup", "--worker", "AV"])
    assert backup.returncode == messages.EXIT_NOT_HERE
    assert "pg_dump" in backup.stderr and "ICT-afdeling" in backup.stderr
    assert not Path("/tmp/nergens.jtbackup").exists()
    restore = _cli(["--store", pg_url, "restore", "/tmp/nergens.jtbackup"])
    assert restore.returncode == messages.EXIT_NOT_HERE
    assert restore.stderr.count("\n") == 1  # one plain sentence


# --- the app itself ---------------------------------------------------------------------


async def test_app_on_postgres_opens_a_file_and_rides_out_a_server_outage(fx, pg_server):
    """The Textual app on a PostgreSQL store: unlock, list; with the server down a Dutch toast and no file; back up, the file opens."""
    _owned(pg_server)
    from textual.widgets import DataTable

    from screens.dossier import DossierScreen, LineTable
    from screens.home import HomeScreen

    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    rec = hanna.spreekuur.register_student(canary_student())
    hanna.dossier.add_entry(rec.id, "notitie", {"tekst": CANARY_NOTE})
    hanna.lock()
    app = build_app(fx)
    async with app.run_test(size=(120, 36)) as pilot:
        await unlock_as(app, pilot, "hann", WORKER_PASS)
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#caseload", DataTable).row_count == 1  # Vandaag: her student
        pg_server.pause()
        try:
            await pilot.press("enter")
            await settle(app, pilot)
            # The dossier screen shows its header (from the directory) but no file.
            assert isinstance(app.screen, DossierScreen) and app.screen.dossier is None
            assert "F5: opnieuw proberen" in str(app.screen.query_one("#dossier-loading").render())
            toasts = [n.message for n in app._notifications]
            assert any(t.startswith("De verbinding met de database is verbroken") for t in toasts), toasts
        finally:
            pg_server.resume()
        await pilot.press("f5", "2")
        await settle(app, pilot)
        assert [row[4][0] for row in app.screen.query_one("#talks", LineTable).rows] == [CANARY_NOTE]


async def test_walk_in_form_keeps_typed_text_through_a_server_outage(fx, pg_server):
    """The server goes away while saving a walk-in: a Dutch sentence, every field kept; back up, ctrl+s saves it once."""
    _owned(pg_server)
    from textual.widgets import Static, TextArea

    from screens.home import HomeScreen
    from screens.spreekuur import IntakeScreen

    app = build_app(fx)
    async with app.run_test(size=(120, 36)) as pilot:
        await unlock_as(app, pilot, "hann", WORKER_PASS)
        await pilot.press("ctrl+n", *"Serverloze", "tab", *"Wachter", "tab", "tab", *"Schulden")
        pg_server.pause()
        try:
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert isinstance(app.screen, IntakeScreen)
            message = str(app.screen.query_one("#form-message", Static).render())
            assert message.startswith("De verbinding met de database is verbroken"), message
            assert app.screen.query_one("#f-last_name").value == "Wachter"
            assert app.screen.query_one("#f-hulpvraag", TextArea).text == "Schulden"
        finally:
            pg_server.resume()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert [r.details.display_name for r in app.session.spreekuur.search("Wachter")] == ["Serverloze Wachter"]
    again = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    assert len(again.spreekuur.search("Serverloze Wachter")) == 1  # saved once, not twice


def test_an_append_chains_onto_the_head_as_committed_not_as_read_before_the_lock(fx):
    """A transaction that read the audit head before it held the chain lock (READ COMMITTED),
    while another laptop appended and committed, chains onto that laptop's entry: the check
    under the lock reads the head from the server, not the row the session already held."""
    from storage.models import AuditHead

    keys = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    with fx.store.session() as s:
        held = s.get(AuditHead, 1)
        seen = held.seq
        with fx.store.session() as other:  # no unit: a second, independent transaction
            assert other is not s
            audit.append(other, keys, "search", worker_id=keys.worker_id, detail="andere laptop")
        audit.append(s, keys, "search", worker_id=keys.worker_id, detail="deze laptop")
        assert held.seq == seen + 2
    with fx.store.reading() as s:
        assert audit.verify(s, keys).ok
