"""The same store, the same use cases, on both backends: a SQLite file and a PostgreSQL database.

Every test here takes ``store_url`` (tests/pg.py), so it runs twice: once
against a file in a temporary folder, once against a fresh database on a
throwaway PostgreSQL cluster on loopback (skipped, with the reason, where
PostgreSQL is not installed; .ci/run installs it). Raw SQL (tampering) goes
through SQLAlchemy ``text()`` and is the same on both.
"""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, datetime

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

import storage.store
from jongerenteam import messages
from jongerenteam.session import TeamSession
from jongerenteam.settings import kdf_params
from storage import audit, clock, students, team
from storage.errors import (
    Conflict,
    NewerSchema,
    NotInvolved,
    StoreExists,
    StoreMissing,
    Tampered,
    WorkerInactive,
    WrongPassphrase,
)
from storage.store import Store, _alembic_config
from tests.support import (
    CANARY_LAST,
    CANARY_NOTE,
    COORDINATOR_PASS,
    OTHER_PASS,
    WORKER_PASS,
    canary_student,
)

# ``fx`` (a copied team store) on both backends too.
pytestmark = pytest.mark.backends("sqlite", "postgresql")


@pytest.fixture
def fx(team_store):
    """A team (Cora, Hanna, Otto) in a new store on the backend under test."""
    return team_store


def _raw(store: Store, sql: str, **params) -> list:
    """Raw SQL on the store's own engine, past the application (as an attacker would)."""
    with store.engine.begin() as conn:
        result = conn.execute(text(sql), params)
        return result.fetchall() if result.returns_rows else []


def _revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _verify(store: Store, keys) -> audit.Verification:
    with store.session() as s:
        return audit.verify(s, keys)


def test_create_runs_every_migration_and_refuses_a_second_create(store_url):
    """Store.create brings an empty store to the Alembic head with every table; a second create is refused."""
    store = Store.create(store_url)
    try:
        head = ScriptDirectory.from_config(_alembic_config(store.engine)).get_current_head()
        assert _revision(store) == head
        with store.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        assert {"team", "workers", "key_slots", "students", "student_key_wraps",
                "file_entries", "audit_log", "audit_head", "escrow_wraps"} <= tables
    finally:
        store.close()
    with pytest.raises(StoreExists):
        Store.create(store_url)


def test_open_of_an_empty_store_says_so(store_url):
    """Opening a location without a team store is refused as 'empty', not with a database error."""
    if "://" not in store_url:
        open(store_url, "wb").close()
    with pytest.raises(StoreMissing) as caught:
        Store.open(store_url)
    assert caught.value.info.get("reason") == "empty"


def test_register_and_search_seen_by_a_second_engine(fx):
    """A registered student is found by search in the session and by a second Store (another laptop)."""
    s = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    rec = s.spreekuur.register_student(canary_student())
    assert [r.id for r in s.spreekuur.search(CANARY_LAST[:6].lower())] == [rec.id]
    s.lock()
    other = Store.open(fx.path)
    try:
        t = TeamSession.unlock(other, fx.other_id, OTHER_PASS)
        assert [r.id for r in t.spreekuur.search(CANARY_LAST)] == [rec.id]
        assert t.students[rec.id].details == canary_student()
        assert not t.is_involved(rec.id)
        t.lock()
    finally:
        other.close()


def test_stale_save_is_a_conflict_naming_who_and_when(fx):
    """Two engines read version 1; the second save is refused with 'Gewijzigd door Hanna om HH:MM' and nothing is lost."""
    c = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    sid = c.spreekuur.register_student(canary_student()).id
    c.lock()
    moment = datetime(2026, 3, 4, 10, 42, 5, tzinfo=UTC)
    clock.set_clock(lambda: moment)
    other_store = Store.open(fx.path)
    try:
        a = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
        b = TeamSession.unlock(other_store, fx.other_id, OTHER_PASS)
        ra, rb = a.students[sid], b.students[sid]
        a.dossier.update_student(ra, dataclasses.replace(ra.details, last_name="Eerstenaam"))
        with pytest.raises(Conflict) as caught:
            b.dossier.update_student(rb, dataclasses.replace(rb.details, last_name="Tweedenaam"))
        assert caught.value.by_name == "Hanna Hulpverlener"
        assert caught.value.at == clock.local_time(moment).strftime("%H:%M")
        text_nl, code = messages.explain(caught.value)
        assert text_nl.startswith(f"Gewijzigd door Hanna Hulpverlener om {caught.value.at}, terwijl jij dit open had")
        assert code == messages.EXIT_CONFLICT
        b.lock()
        b = TeamSession.unlock(other_store, fx.other_id, OTHER_PASS)
        assert b.students[sid].details.last_name == "Eerstenaam"
        saved = b.dossier.update_student(
            b.students[sid], dataclasses.replace(b.students[sid].details, last_name="Tweedenaam")
        )
        assert saved.version == 3
        a.lock()
        b.lock()
    finally:
        clock.set_clock(None)
        other_store.close()


def test_file_tier_read_append_and_involve(fx):
    """The involved worker reads the file; a colleague appends without reading until involved."""
    hanna = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    otto = team.unlock(fx.store, fx.other_id, OTHER_PASS)
    row = students.add_student(
        fx.store, hanna, canary_student().to_dict(), status="aangemeld",
        contact_worker_id=fx.worker_id,
    )
    students.add_entry(fx.store, hanna, row.id, "gesprek", {"tekst": CANARY_NOTE})
    students.add_entry(fx.store, otto, row.id, "inloop", {"tekst": "kwam langs"})
    with pytest.raises(NotInvolved):
        students.read_file(fx.store, otto, row.id)
    entries = students.read_file(fx.store, hanna, row.id)
    assert [(e.kind, e.payload["tekst"]) for e in entries] == [
        ("gesprek", CANARY_NOTE), ("inloop", "kwam langs"),
    ]
    students.involve_worker(fx.store, hanna, row.id, fx.other_id)
    assert [e.kind for e in students.read_file(fx.store, otto, row.id)] == ["gesprek", "inloop"]
    assert set(students.involved_workers(fx.store, row.id)) == {fx.worker_id, fx.other_id}


def test_deactivated_worker_opens_nothing(fx):
    """After deactivation the worker's passphrase opens nothing and their student keys are gone."""
    hanna = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    row = students.add_student(
        fx.store, hanna, {"first_name": "Sam"}, status="aangemeld", contact_worker_id=fx.worker_id
    )
    cora = team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    assert team.deactivate_worker(fx.store, cora, fx.worker_id) == 1
    with pytest.raises(WorkerInactive):
        team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    assert fx.worker_id not in students.involved_workers(fx.store, row.id)
    assert fx.worker_id not in {w.id for w in fx.store.workers()}


def test_recovery_code_sets_a_new_passphrase_and_is_logged(fx):
    """The recovery code gives Hanna a new passphrase that opens her files; the log shows 'recovery'."""
    hanna = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    row = students.add_student(
        fx.store, hanna, {"first_name": "Sam"}, status="aangemeld", contact_worker_id=fx.worker_id
    )
    students.add_entry(fx.store, hanna, row.id, "gesprek", {"tekst": CANARY_NOTE})
    team_key, escrow_private = team.unlock_recovery(fx.store, fx.recovery_code)
    assert team.reset_passphrase(
        fx.store, team_key, escrow_private, fx.worker_id, "een heel nieuw wachtwoord",
        kdf_params(), by_worker=None, via="herstelcode",
    ) == 1
    with pytest.raises(WrongPassphrase):
        team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    again = team.unlock(fx.store, fx.worker_id, "een heel nieuw wachtwoord")
    assert students.read_file(fx.store, again, row.id)[0].payload["tekst"] == CANARY_NOTE
    events = [e for (e,) in _raw(fx.store, "SELECT event FROM audit_log ORDER BY seq")]
    assert "recovery" in events
    assert _verify(fx.store, again).ok


def test_audit_chain_verifies_and_names_an_edited_entry(fx):
    """The chain verifies after activity (incl. a sealed failed login); an edited row is named by seq."""
    hanna = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    row = students.add_student(
        fx.store, hanna, {"first_name": "Sam"}, status="aangemeld", contact_worker_id=fx.worker_id
    )
    students.read_file(fx.store, hanna, row.id)
    with pytest.raises(WrongPassphrase):
        team.unlock(fx.store, fx.other_id, "verkeerd")
    assert _verify(fx.store, hanna).unsealed == 1
    cora = team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    result = _verify(fx.store, cora)
    assert result.ok and result.unsealed == 0
    count = _raw(fx.store, "SELECT count(*) FROM audit_log")[0][0]
    assert result.checked == count
    middle = count // 2
    _raw(fx.store, "UPDATE audit_log SET worker_id = :w WHERE seq = :s", w=fx.other_id, s=middle)
    broken = _verify(fx.store, cora)
    assert (broken.ok, broken.first_broken_seq) == (False, middle)


def test_audit_tail_deletion_is_detected(fx):
    """Deleting the newest audit entry (with its MAC) is caught by the anchored head."""
    cora = team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    last = _raw(fx.store, "SELECT max(seq) FROM audit_log")[0][0]
    _raw(fx.store, "DELETE FROM audit_log WHERE seq = :s", s=last)
    result = _verify(fx.store, cora)
    assert (result.ok, result.first_broken_seq) == (False, last)


def test_swapped_directory_blobs_are_reported_not_shown(fx):
    """Two students' encrypted directory blobs swapped with raw SQL: both reported damaged, neither shown."""
    cora = team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    a = students.add_student(fx.store, cora, {"first_name": "Anna"}, status="aangemeld", contact_worker_id=None)
    b = students.add_student(fx.store, cora, {"first_name": "Bram"}, status="aangemeld", contact_worker_id=None)
    blob_a = _raw(fx.store, "SELECT directory FROM students WHERE id = :i", i=a.id)[0][0]
    blob_b = _raw(fx.store, "SELECT directory FROM students WHERE id = :i", i=b.id)[0][0]
    _raw(fx.store, "UPDATE students SET directory = :d WHERE id = :i", d=bytes(blob_b), i=a.id)
    _raw(fx.store, "UPDATE students SET directory = :d WHERE id = :i", d=bytes(blob_a), i=b.id)
    rows, damaged = students.load_directory(fx.store, cora)
    assert sorted(damaged) == sorted([a.id, b.id]) and rows == []
    with pytest.raises(Tampered):
        students.get_student(fx.store, cora, a.id)


MIGRATION_NEXT = '''"""add a team motto (test-only revision)"""

from alembic import op
import sqlalchemy as sa

revision = "ffe1"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("motto", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("motto")
'''


def test_open_runs_a_new_migration_and_keeps_the_data(fx, tmp_path, monkeypatch):
    """A newer revision is applied at open on both backends (SQLite: after a backup); data and chain intact."""
    hanna = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    row = students.add_student(
        fx.store, hanna, canary_student().to_dict(), status="aangemeld", contact_worker_id=fx.worker_id
    )
    head = _revision(fx.store)
    fx.store.close()
    migrations = tmp_path / "migrations"
    shutil.copytree(storage.store.MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "ffe1_team_motto.py").write_text(MIGRATION_NEXT.format(head=head))
    monkeypatch.setattr(storage.store, "MIGRATIONS_DIR", migrations)

    fx.store = Store.open(fx.path, backup_dir=tmp_path / "backups")
    assert _revision(fx.store) == "ffe1"
    with fx.store.engine.connect() as conn:
        assert "motto" in {c["name"] for c in inspect(conn).get_columns("team")}
    backups = list((tmp_path / "backups").glob("voor-update-*")) if (tmp_path / "backups").exists() else []
    # A file store is copied first; a server store is upgraded in one transaction (its backups are pg_dump's).
    assert len(backups) == (0 if "://" in str(fx.path) else 1)
    keys = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    assert students.get_student(fx.store, keys, row.id).data["last_name"] == CANARY_LAST
    assert _verify(fx.store, keys).ok


def test_newer_schema_is_refused(fx):
    """A store stamped with an unknown (newer) revision is refused with NewerSchema, told in Dutch."""
    _raw(fx.store, "UPDATE alembic_version SET version_num = 'zzzz'")
    fx.store.close()
    with pytest.raises(NewerSchema) as caught:
        Store.open(fx.path)
    assert messages.explain(caught.value)[1] == messages.EXIT_NEWER_SCHEMA
