"""Store errors reach the user as one Dutch sentence and an exit code, never a traceback.

Each case runs the real ``jongerenteam`` command in a child process against
a real (missing, damaged, newer, locked, full) SQLite file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time

import pytest

import storage.store
from jongerenteam import messages
from jongerenteam.session import TeamSession
from storage import audit, students, team
from storage.errors import DiskFull
from storage.store import Store
from tests import proc_worker
from tests.support import CANARY_NOTE, COORDINATOR_PASS, canary_student, files_containing

MAX_PAGES_ENV = "JONGERENTEAM_TEST_MAX_PAGE_COUNT"


def _cli(path, *args, stdin: str = "", env=None):
    return proc_worker.run_cli(["--store", str(path), *args], stdin, env=env)


def _verify(path, passphrase: str = COORDINATOR_PASS, env=None):
    return _cli(path, "audit", "verify", "--worker", "CC", stdin=passphrase + "\n", env=env)


def _one_sentence(result, starts: str, code: int) -> None:
    """Exactly one line on stderr, the expected Dutch sentence, the expected exit code."""
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(starts), result.stderr
    assert result.returncode == code, result.stderr


def _page_count(path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA page_count").fetchone()[0]
    finally:
        con.close()


def _root_page(path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def closed_canary_team(team_store):
    """The fixture team with one student, its store closed and checkpointed (no WAL)."""
    s = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    rec = s.spreekuur.register_student(canary_student())
    s.dossier.add_entry(rec.id, "gesprek", {"tekst": CANARY_NOTE})
    s.lock()
    team_store.store.close()
    team_store.student_id = rec.id
    return team_store


@pytest.mark.tmux  # runs the command or another process
def test_missing_store(tmp_path):
    """A store path that does not exist: exit 4 with the Dutch sentence, and no file is created."""
    path = tmp_path / "nergens" / "team.jt"
    r = _cli(path, "worker", "list")
    _one_sentence(r, "Er is nog geen teamopslag op", messages.EXIT_MISSING)
    assert not path.exists() and not path.parent.exists()


def test_random_bytes_file(tmp_path):
    """A file of random bytes: exit 5 'beschadigd', and the file is left as it was."""
    path = tmp_path / "team.jt"
    data = os.urandom(64 * 1024)
    path.write_bytes(data)
    r = _verify(path)
    _one_sentence(r, "De teamopslag op", messages.EXIT_DAMAGED)
    assert "beschadigd" in r.stderr
    assert path.read_bytes() == data


@pytest.mark.parametrize("damage", ["truncated", "alembic_version", "workers"])
def test_damaged_sqlite_file(closed_canary_team, damage):
    """A real store with a truncated file or a garbled page: exit 5 'beschadigd', no traceback."""
    path = closed_canary_team.path
    page = 4096
    if damage == "truncated":
        size = path.stat().st_size
        with path.open("r+b") as fh:
            fh.truncate(size // 2 + 100)  # also cuts a page in half
    else:
        root = _root_page(path, damage)
        with path.open("r+b") as fh:
            fh.seek((root - 1) * page)
            fh.write(os.urandom(page))
    r = _verify(path)
    _one_sentence(r, "De teamopslag op", messages.EXIT_DAMAGED)
    assert "beschadigd" in r.stderr


def test_newer_schema(closed_canary_team):
    """alembic_version set to an unknown revision: exit 8 'nieuwere versie'; nothing is migrated or backed up."""
    path = closed_canary_team.path
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE alembic_version SET version_num = 'ffff'")
    con.close()
    r = _verify(path)
    _one_sentence(r, "Deze teamopslag is gemaakt met een nieuwere versie", messages.EXIT_NEWER_SCHEMA)
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [("ffff",)]
    finally:
        con.close()
    assert not path.with_name(path.name + ".backups").exists()


@pytest.mark.tmux  # runs the command or another process
def test_store_locked_by_another_process(closed_canary_team):
    """Another connection holds BEGIN EXCLUSIVE: after the busy timeout, exit 6 'bezet'; afterwards it works again."""
    path = closed_canary_team.path
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        r = _verify(path)
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _one_sentence(r, "De teamopslag is bezet door een ander programma", messages.EXIT_LOCKED)
    assert waited >= 4.0  # it did wait for the busy timeout before giving up
    again = _verify(path)
    assert again.returncode == 0, again.stderr


@pytest.mark.tmux  # runs the command or another process
def test_disk_full_in_the_cli(closed_canary_team):
    """SQLITE_FULL during 'worker add': exit 7 'De schijf is vol', no traceback, the store still verifies.

    The page limit is the store's size: colleagues are added one by one until
    one no longer fits (names and organisations are short, so it takes a few).
    """
    path = closed_canary_team.path
    env = proc_worker.child_env(**{MAX_PAGES_ENV: str(_page_count(path))})
    new_pass = "zeven lange woorden voor een andere collega"
    for i in range(40):
        r = _cli(
            path, "worker", "add", "--worker", "CC", "--name", f"Nieuwe Kracht {i}", "--initials", f"NK{i}",
            stdin=f"{COORDINATOR_PASS}\nJeugdzorg Nederland\n{new_pass}\n{new_pass}\n", env=env,
        )
        if r.returncode != 0:
            break
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("De schijf is vol"), r.stderr
    assert r.returncode == messages.EXIT_DISK_FULL
    after = _verify(path)  # without the limit
    assert after.returncode == 0, after.stderr
    # Nothing half-done, and the user told which: added (the full disk hit the lock's
    # log entry after it) or not added (it hit the add itself).
    added = f"Nieuwe Kracht {i} is toegevoegd" in r.stdout
    listed = any(line.split()[:1] == [f"NK{i}"] for line in _cli(path, "worker", "list").stdout.splitlines())
    assert added == listed, r.stdout


# A write of about 140 kB: eight parts just under the 20,000 characters a text may hold.
BIG_ENTRY = {f"deel{i}": "groot verslag " * 1_400 for i in range(8)}


def test_disk_full_write_fails_cleanly_and_earlier_data_survives(closed_canary_team, monkeypatch):
    """With max_page_count at the current size a big write raises DiskFull ('De schijf is vol'); earlier data stays readable."""
    fx = closed_canary_team
    store = Store.open(str(fx.path))
    try:
        s = TeamSession.unlock(store, fx.coordinator_id, COORDINATOR_PASS)
        monkeypatch.setenv(MAX_PAGES_ENV, str(_page_count(fx.path)))
        with pytest.raises(DiskFull) as caught:
            s.dossier.add_entry(fx.student_id, "gesprek", BIG_ENTRY)
        text, code = messages.explain(caught.value)
        assert text.startswith("De schijf is vol")
        assert code == messages.EXIT_DISK_FULL
        # Still under the limit: reading goes on, the failed entry is not there.
        assert [e.payload["tekst"] for e in s.dossier.read_file(fx.student_id)] == [CANARY_NOTE]
        monkeypatch.delenv(MAX_PAGES_ENV)
        s.lock()
    finally:
        store.close()

    store = Store.open(str(fx.path))
    try:
        assert store.integrity_problems() == []
        keys = team.unlock(store, fx.coordinator_id, COORDINATOR_PASS)
        row = students.get_student(store, keys, fx.student_id)
        assert row.data["last_name"] == canary_student().last_name
        entries = students.read_file(store, keys, fx.student_id)
        assert [e.payload["tekst"] for e in entries] == [CANARY_NOTE]
        with store.session() as ses:
            assert audit.verify(ses, keys).ok
        # With room again, the same write succeeds.
        students.add_entry(store, keys, fx.student_id, "gesprek", BIG_ENTRY)
    finally:
        store.close()


def test_wrong_passphrase(closed_canary_team):
    """A wrong passphrase: exit 3 'Het wachtwoord klopt niet', and the failed attempt is logged."""
    r = _verify(closed_canary_team.path, "dit is niet het wachtwoord")
    _one_sentence(r, "Het wachtwoord klopt niet", messages.EXIT_WRONG_PASSPHRASE)
    con = sqlite3.connect(closed_canary_team.path)
    try:
        failed = con.execute(
            "SELECT count(*) FROM audit_log WHERE event = 'failed_login'"
        ).fetchone()[0]
    finally:
        con.close()
    assert failed == 1


MIGRATION_NEXT = """\"\"\"add a team motto (test-only revision)\"\"\"

from alembic import op
import sqlalchemy as sa

revision = 'ffe1'
down_revision = '{head}'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('motto', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_column('motto')
"""


def _sqlite_facts(path) -> tuple[list, list[str], int, list]:
    """(alembic revision rows, team columns, number of students, integrity_check rows)."""
    con = sqlite3.connect(path)
    try:
        return (
            con.execute("SELECT version_num FROM alembic_version").fetchall(),
            [r[1] for r in con.execute("PRAGMA table_info(team)")],
            con.execute("SELECT count(*) FROM students").fetchone()[0],
            con.execute("PRAGMA integrity_check").fetchall(),
        )
    finally:
        con.close()


def test_open_migrates_after_a_backup(closed_canary_team, tmp_path, monkeypatch):
    """Opening a store at the current head with one newer revision available: backup first, then upgraded, data intact."""
    fx = closed_canary_team
    head = _sqlite_facts(fx.path)[0][0][0]
    migrations = tmp_path / "migrations"
    shutil.copytree(
        storage.store.MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__")
    )
    (migrations / "versions" / "ffe1_team_motto.py").write_text(MIGRATION_NEXT.format(head=head))
    monkeypatch.setattr(storage.store, "MIGRATIONS_DIR", migrations)

    store = Store.open(str(fx.path))
    try:
        backups_dir = fx.path.with_name(fx.path.name + ".backups")
        backups = sorted(backups_dir.glob("*"))
        assert len(backups) == 1 and backups[0].name.startswith(f"voor-update-{head}-")
        version, columns, count, integrity = _sqlite_facts(backups[0])
        assert integrity == [("ok",)]
        assert version == [(head,)] and "motto" not in columns and count == 1
        assert files_containing(backups_dir) == []

        version, columns, count, integrity = _sqlite_facts(fx.path)
        assert integrity == [("ok",)]
        assert version == [("ffe1",)] and "motto" in columns and count == 1
        keys = team.unlock(store, fx.coordinator_id, COORDINATOR_PASS)
        assert students.get_student(store, keys, fx.student_id).data["first_name"] == (
            canary_student().first_name
        )
        assert [e.payload["tekst"] for e in students.read_file(store, keys, fx.student_id)] == [
            CANARY_NOTE
        ]
        with store.session() as s:
            assert audit.verify(s, keys).ok
    finally:
        store.close()
    # Opening again at head makes no second backup.
    Store.open(str(fx.path)).close()
    assert len(list(backups_dir.glob("*"))) == 1


def test_lock_drops_the_keys_even_when_the_log_entry_cannot_be_written(closed_canary_team):
    """Locking while another process holds the store: the error is raised, but keys and data are gone anyway."""
    from storage.errors import StoreLocked

    fx = closed_canary_team
    store = Store.open(str(fx.path))
    holder = sqlite3.connect(fx.path, isolation_level=None)
    try:
        s = TeamSession.unlock(store, fx.coordinator_id, COORDINATOR_PASS)
        assert s.students
        holder.execute("BEGIN IMMEDIATE")  # the 'lock' audit entry cannot be written (~5 s busy timeout)
        with pytest.raises(StoreLocked):
            s.lock()
        assert s.is_locked and s.students == {} and s.spreekuur.search(canary_student().first_name) == []
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()


def test_a_garbled_directory_page_is_a_damaged_store_at_the_unlocks_read(closed_canary_team):
    """The unlock reads every student with the driver's own rows (``Store.plain_rows``): a
    garbled page there is ``StoreDamaged`` like any other read, without values."""
    from storage.errors import StoreDamaged

    path = closed_canary_team.path
    root = _root_page(path, "students")
    store = Store.open(str(path))
    try:
        keys = team.unlock(store, closed_canary_team.coordinator_id, COORDINATOR_PASS)
        with path.open("r+b") as fh:
            fh.seek((root - 1) * 4096)
            fh.write(os.urandom(4096))
        with pytest.raises(StoreDamaged) as caught:
            students.directory_plaintexts(store, keys)
        assert CANARY_NOTE not in str(caught.value)
    finally:
        store.close()
