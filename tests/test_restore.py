"""Restore on real SQLite stores and real processes: it says what it restores and asks first,
refuses while the store is open anywhere, opens every envelope of the backup before it
replaces anything, and names what is wrong with a file that cannot go back.

The restore runs in-process through ``jongerenteam.cli.main`` with a ``Console`` over
StringIO (answers are lines, as in a script); the processes that hold a store open are
real child interpreters. tests/test_cli.py drives the installed command end to end.
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
import stat
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from jongerenteam import cli
from jongerenteam import messages as msg
from jongerenteam.cli import Console, main
from jongerenteam.session import TeamSession
from jongerenteam.settings import Settings
from storage import backup as store_backup
from storage import rights as store_rights
from storage import socialmap as store_socialmap
from storage import sqlite as sqlite_backend
from storage import students, team
from storage.clock import local_time
from storage.errors import BackupDamaged, StoreInUse
from storage.preview import OpeningStore, read_preview
from storage.store import Store
from tests import proc_worker
from tests.support import (
    COORDINATOR_PASS,
    OTHER_PASS,
    WORKER_PASS,
    audit_rows,
    canary_student,
    copy_team,
    erasure_case,
    files_containing,
    make_team,
)

KEPT = "de huidige opslag is niet veranderd"
APP_OPEN = "De app is nog geopend op deze opslag (op deze laptop). Sluit jongerenteam overal af en probeer het opnieuw."
RESTORING = (
    "Er wordt op dit moment een back-up teruggezet in deze teamopslag. "
    "Wacht tot dat klaar is en open jongerenteam daarna opnieuw."
)


# -- helpers ---------------------------------------------------------------------------------


def restore(store_path: Path, backup: Path, *answers: str, worker: str = "CC") -> tuple[int, str, str]:
    """Run 'jongerenteam restore' in-process; ``answers`` are the lines typed (j/n first, then passphrases)."""
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO("".join(f"{a}\n" for a in answers))
    code = main(["restore", "--store", str(store_path), "--worker", worker, str(backup)], Console(stdin=stdin, stdout=out, stderr=err))
    text = out.getvalue() + err.getvalue()
    assert "Traceback" not in text
    return code, out.getvalue(), err.getvalue()


def snapshot(path: Path) -> tuple:
    """What a store holds, read with plain sqlite3: team, workers, students, file entries (ids, versions, bodies)."""
    con = sqlite3.connect(sqlite_backend.read_only_uri(path), uri=True)
    try:
        return tuple(
            con.execute(q).fetchall()
            for q in (
                "SELECT id, name FROM team",
                "SELECT id, active FROM workers ORDER BY id",
                "SELECT id, version, directory FROM students ORDER BY id",
                "SELECT id, version, body FROM file_entries ORDER BY id",
            )
        )
    finally:
        con.close()


def audit_count(path: Path) -> int:
    con = sqlite3.connect(sqlite_backend.read_only_uri(path), uri=True)
    try:
        return con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    finally:
        con.close()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def add_students(fx, n: int) -> list[str]:
    """``n`` students, each with a talk by the coördinator and an entry appended (sealed) by a colleague."""
    s = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    colleague = TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)
    ids = []
    for i in range(n):
        rec = s.spreekuur.register_student(replace(canary_student(), student_number=f"NR{i}"), status="lopend")
        s.dossier.add_entry(rec.id, "gesprek", {"tekst": f"gesprek {i}"})
        colleague.dossier.add_entry(rec.id, "inloop", {"hulpvraag": f"vraag {i}"})  # not involved: sealed
        ids.append(rec.id)
    colleague.lock()
    s.lock()
    return ids


@pytest.fixture
def team_with_backup(tmp_path, team_template):
    """A closed store with 3 students (team.jt) and a backup of it made with 'jongerenteam backup'."""
    fx = copy_team(team_template, tmp_path / "team.jt")
    add_students(fx, 3)
    fx.store.close()
    backup = tmp_path / "kopie.jtbackup"
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["backup", "--store", str(fx.path), "--worker", "CC", str(backup)],
        Console(stdin=io.StringIO(f"{COORDINATOR_PASS}\n"), stdout=out, stderr=err),
    )
    assert code == 0, err.getvalue()
    assert "In de back-up: team 'Testteam', 3 studenten en 3 actieve medewerkers." in out.getvalue()
    return fx, backup


def flip_bytes_in_file(path: Path, blob: bytes, count: int = 16) -> None:
    """Damage ``count`` bytes in the middle of a value where it sits on its page (not through SQLite)."""
    data = bytearray(path.read_bytes())
    at = data.find(blob)
    assert at >= 0 and data.find(blob, at + 1) < 0, "the value must sit once, whole, on one page"
    start = at + len(blob) // 2 - count // 2
    for i in range(start, start + count):
        data[i] ^= 0xA5
    path.write_bytes(bytes(data))


def integrity(path: Path) -> list:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return [(type(exc).__name__,)]
    finally:
        con.close()


# -- 1. it says what it restores, and asks --------------------------------------------------------


def test_restore_shows_the_facts_of_both_sides_and_anything_but_ja_changes_nothing(tmp_path, team_template):
    """Another team's backup with 0 students over a store of 3: both sides' facts, a loud 'ander team'
    warning, and every answer but j/ja leaves the store, its folder and the backup untouched."""
    fx = copy_team(team_template, tmp_path / "team.jt")
    add_students(fx, 3)
    fx.store.close()
    other = make_team(tmp_path / "elders" / "ander.jt")  # same name "Testteam", another team
    other.store.close()
    backup = tmp_path / "ander.jtbackup"
    opened = Store.open(str(other.path))
    opened.backup(backup)
    opened.close()
    facts = store_backup.read_facts(backup)
    before, folder, backup_bytes = snapshot(fx.path), listing(tmp_path), backup.read_bytes()
    log_before = audit_count(fx.path)

    for answer in ("n", "nee", "", "jawel", "J a"):
        code, out, err = restore(fx.path, backup, answer)
        assert code == msg.EXIT_CANCELLED, err
        assert out.rstrip().endswith("Er is niets teruggezet; de huidige opslag is niet veranderd.")
        assert snapshot(fx.path) == before and listing(tmp_path) == folder
        assert backup.read_bytes() == backup_bytes
        assert audit_count(fx.path) == log_before  # asked before any passphrase: not even a login

    # What the coördinator read before answering.
    assert f"Back-up: {backup}" in out
    assert f"Gemaakt op {local_time(facts.made_at):%d-%m-%Y %H:%M}" in out
    assert re.search(r"^\s+team\s+Testteam\s+Testteam \(ander team\)$", out, re.MULTILINE), out
    assert re.search(r"^\s+studenten\s+0\s+3$", out, re.MULTILINE), out
    assert re.search(r"^\s+actieve medewerkers\s+3\s+3$", out, re.MULTILINE), out
    assert re.search(r"^\s+nieuwste dossierregel\s+–\s+\d\d-\d\d-\d{4} \d\d:\d\d$", out, re.MULTILINE), out
    assert "3 studenten nu, 0 in de back-up. Na het terugzetten zijn er 3 studenten minder." in out
    assert "LET OP: DEZE BACK-UP IS VAN EEN ANDER TEAM." in out
    assert "De back-up heet ook 'Testteam', maar komt uit een andere teamopslag." in out

    # "ja" goes ahead (the current coördinator confirms, the backup's coördinator logs in).
    code, out, err = restore(fx.path, backup, "ja", COORDINATOR_PASS, COORDINATOR_PASS)
    assert code == 0, err
    assert snapshot(fx.path)[0] == [(facts.team_id, "Testteam")]
    assert snapshot(fx.path)[2] == []  # the other team's (empty) store
    kept = list((tmp_path / "team.jt.backups").glob("voor-terugzetten-*.jtbackup"))
    assert len(kept) == 1 and snapshot(kept[0]) == before
    assert backup.read_bytes() == backup_bytes


@pytest.mark.tmux  # runs the command or another process
def test_a_backup_coordinator_must_log_in_to_the_backup(team_with_backup, tmp_path):
    """The store file is gone, so the backup's login is the only check: a hulpverlener is refused (exit 10), nothing is made."""
    fx, backup = team_with_backup
    for suffix in ("", "-wal", "-shm"):
        Path(str(fx.path) + suffix).unlink(missing_ok=True)
    code, out, err = restore(fx.path, backup, "j", WORKER_PASS, worker="HH")
    assert code == msg.EXIT_NOT_ALLOWED
    assert err.strip().startswith("Log in als coördinator uit de back-up")
    assert "Op " in out and "staat nu geen teamopslag: de back-up wordt de teamopslag." in out
    assert not fx.path.exists()
    assert [n for n in listing(tmp_path) if "terugzetten" in n] == []


# -- 2. not while the store is open -------------------------------------------------------------------

HOLD_OPEN = """
import sys
from storage.store import Store
store = Store.open(sys.argv[1])
print("open", flush=True)
sys.stdin.readline()
store.close()
"""

HOLD_EXCLUSIVE = """
import sys
from pathlib import Path
from storage import backup
with backup.exclusive(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def child(script: str, path: Path, signal: str) -> subprocess.Popen:
    """A child interpreter running ``script`` on the store; returns once it printed ``signal``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=proc_worker.REPO, env=proc_worker.child_env(),
    )
    line = proc.stdout.readline()  # blocks until the child says so (or dies: then '')
    assert line.strip() == signal, proc.stderr.read() if proc.poll() is not None else line
    return proc


def finish(proc: subprocess.Popen) -> None:
    proc.stdin.write("\n")
    proc.stdin.flush()
    assert proc.wait(timeout=60) == 0, proc.stderr.read()


@pytest.mark.tmux  # runs the command or another process
def test_restore_is_refused_while_another_process_has_the_store_open(team_with_backup, tmp_path):
    """A child process holds the store open: restore refuses before any question, changes nothing;
    once the child has closed it, the same restore goes through."""
    fx, backup = team_with_backup
    before = snapshot(fx.path)
    holder = child(HOLD_OPEN, fx.path, "open")
    try:
        folder = listing(tmp_path)
        code, out, err = restore(fx.path, backup, "j", COORDINATOR_PASS, COORDINATOR_PASS)
        assert code == msg.EXIT_LOCKED
        assert err.strip() == APP_OPEN
        assert out == ""  # refused before the facts and the question
        assert snapshot(fx.path) == before and listing(tmp_path) == folder
    finally:
        finish(holder)
    code, out, err = restore(fx.path, backup, "j", COORDINATOR_PASS, COORDINATOR_PASS)
    assert code == 0, err
    assert "De back-up is teruggezet in:" in out


def test_restore_is_refused_while_this_process_has_the_store_open(team_with_backup):
    """A Store left open in the restoring process itself counts as 'in use' too."""
    fx, backup = team_with_backup
    store = Store.open(str(fx.path))
    try:
        code, _, err = restore(fx.path, backup, "j")
        assert code == msg.EXIT_LOCKED and err.strip() == APP_OPEN
    finally:
        store.close()


@pytest.mark.tmux  # runs the command or another process
async def test_an_app_started_during_a_restore_says_so_and_does_not_hang(tmp_path, team_template):
    """While another process restores (holds the store exclusively), a command and the app get a
    clear Dutch sentence at once; afterwards they open normally."""
    from tests.support import settle

    fx = copy_team(team_template, tmp_path / "team.jt")
    fx.store.close()
    restoring = child(HOLD_EXCLUSIVE, fx.path, "held")
    try:
        proc = proc_worker.run_cli(["worker", "list", "--store", str(fx.path)], timeout=60)
        assert proc.returncode == msg.EXIT_LOCKED
        assert proc.stderr.strip() == RESTORING

        preview = read_preview(str(fx.path))
        assert preview is not None
        app = cli.make_app(Settings(store=str(fx.path)), OpeningStore(str(fx.path), preview, opener=cli._open_store_behind_unlock))
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(app, pilot)
            assert app.store_error == RESTORING
        assert isinstance(app.store.error, StoreInUse)
    finally:
        finish(restoring)
    proc = proc_worker.run_cli(["worker", "list", "--store", str(fx.path)], timeout=60)
    assert proc.returncode == 0 and "Cora Coördinator" in proc.stdout


def test_the_marker_file_and_its_locks(tmp_path, team_template):
    """The marker is a 0600 file without personal data; open stores share it, a restore needs it alone."""
    fx = copy_team(team_template, tmp_path / "team.jt")
    marker = sqlite_backend.in_use_file(fx.path)
    assert stat.S_IMODE(marker.stat().st_mode) == 0o600
    assert marker.read_bytes() == sqlite_backend.IN_USE_TEXT
    second = Store.open(str(fx.path))  # two stores in one process: both hold it
    fx.store.close()
    with pytest.raises(StoreInUse):
        sqlite_backend.take_exclusive(fx.path)
    second.close()
    held = sqlite_backend.take_exclusive(fx.path)
    try:
        inner = Store.open(str(fx.path))  # the restoring process may open its own store
        inner.close()
        with pytest.raises(StoreInUse):  # a second restore may not
            sqlite_backend.take_exclusive(fx.path)
    finally:
        held.release()
    Store.open(str(fx.path)).close()
    assert files_containing(tmp_path) == []


@pytest.mark.tmux  # runs the command or another process
def test_the_core_imports_and_opens_a_store_without_fcntl(tmp_path, team_template):
    """On a system without fcntl (Windows) storage and the use cases import and a store opens (no marker)."""
    fx = copy_team(team_template, tmp_path / "team.jt")
    fx.store.close()
    script = (
        "import sys\n"
        "sys.modules['fcntl'] = None\n"
        "from storage import sqlite\n"
        "assert sqlite.fcntl is None\n"
        "import jongerenteam.backup, storage.backup\n"
        "from storage.store import Store\n"
        "s = Store.open(sys.argv[1]); assert s.team().name == 'Testteam'; s.close()\n"
        "print('ok')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(fx.path)], check=False, capture_output=True, text=True,
        cwd=proc_worker.REPO, env=proc_worker.child_env(), timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


# -- 3. every envelope is opened before anything is replaced ----------------------------------------------


def test_16_damaged_bytes_in_one_file_entry_refuse_the_restore(team_with_backup, tmp_path):
    """16 flipped bytes inside one file entry of the backup pass integrity_check, but the restore
    refuses in Dutch; the current store is unchanged and still opens, the backup is not touched."""
    fx, backup = team_with_backup
    con = sqlite3.connect(backup)
    (body,) = con.execute("SELECT body FROM file_entries WHERE sealed = 0 LIMIT 1").fetchone()
    con.close()
    flip_bytes_in_file(backup, body)
    assert integrity(backup) == [("ok",)]
    before, damaged_bytes = snapshot(fx.path), backup.read_bytes()

    code, out, err = restore(fx.path, backup, "j", COORDINATOR_PASS, COORDINATOR_PASS)
    assert code == msg.EXIT_TAMPERED
    assert err.strip() == (
        f"De back-up {backup} kan niet worden teruggezet: 1 dossierregel van 1 student is beschadigd. "
        "Kies een andere (oudere) back-up; de huidige opslag is niet veranderd."
    )
    assert "De back-up is teruggezet" not in out
    assert snapshot(fx.path) == before
    assert not (tmp_path / "team.jt.backups").exists()
    assert [n for n in listing(tmp_path) if "terugzetten" in n] == []
    assert backup.read_bytes() == damaged_bytes
    store = Store.open(str(fx.path))
    try:
        s = TeamSession.unlock(store, fx.coordinator_id, COORDINATOR_PASS)
        assert len(s.students) == 3 and not s.damaged_ids
        for sid in s.students:
            assert len(students.read_file(store, s.keys, sid)) == 2
        s.lock()
    finally:
        store.close()


def _flip_column(path: Path, table: str, column: str, where: str, *params) -> None:
    """Flip one byte near the end of a stored value (through SQLite: the page stays valid)."""
    con = sqlite3.connect(path)
    try:
        (blob,) = con.execute(f"SELECT {column} FROM {table} WHERE {where}", params).fetchone()  # noqa: S608 - table and column names of the test itself: tampering on purpose
        blob = bytearray(blob)
        blob[-5] ^= 0x01
        con.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (bytes(blob), *params))  # noqa: S608 - table and column names of the test itself: tampering on purpose
        con.commit()
    finally:
        con.close()


def test_check_contents_counts_every_kind_of_damage(tmp_path, team_template):
    """One damaged value of each kind the coördinator's keys can open: each is counted under its own
    kind (with the students concerned), the audit break is named, and the Dutch sentence lists them all."""
    fx = copy_team(team_template, tmp_path / "team.jt")
    s1, s2, s3, s4 = add_students(fx, 4)
    coord = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    coord.spreekuur.register_anonymous(["wonen"], 10)
    coord.team.set_my_contact("werktelefoon, maandag en dinsdag")
    store_socialmap.add(fx.store, coord.keys, "organisatie", {"naam": "Schuldhulp"})
    clean = store_backup.check_contents(fx.store, coord.keys)
    assert clean.ok and clean.summary() == {"damaged": {}, "students": {}, "audit_seq": None}
    assert clean.checked["file_entries"] == 8 and clean.checked["student_keys"] == 4
    coord.lock()
    fx.store.close()

    p = fx.path
    _flip_column(p, "students", "directory", "id = ?", s1)
    _flip_column(p, "student_key_wraps", "wrapped", "student_id = ? AND recipient = ?", s1, fx.coordinator_id)
    _flip_column(p, "student_key_wraps", "wrapped", "student_id = ? AND recipient = 'escrow'", s2)
    _flip_column(p, "students", "private_key", "id = ?", s3)
    _flip_column(p, "file_entries", "body", "student_id = ? AND sealed = 0", s4)
    _flip_column(p, "file_entries", "body", "student_id = ? AND sealed = 1", s4)
    _flip_column(p, "statistics", "data", "student_id = ?", s1)
    _flip_column(p, "social_map", "data", "1 = 1")
    _flip_column(p, "anonymous_contacts", "data", "1 = 1")
    _flip_column(p, "workers", "contact", "id = ?", fx.coordinator_id)
    con = sqlite3.connect(p)
    con.execute("UPDATE audit_log SET detail = 'veranderd' WHERE seq = 5")
    con.commit()
    con.close()

    store = Store.open(str(p))
    try:
        keys = team.unlock(store, fx.coordinator_id, COORDINATOR_PASS)
        check = store_backup.check_contents(store, keys)
    finally:
        store.close()
    assert not check.ok
    summary = check.summary()
    assert summary["damaged"] == {
        "directory": 1, "wraps": 1, "student_keys": 1, "private_keys": 1, "file_entries": 2,
        "statistics": 1, "social_map": 1, "anonymous_contacts": 1, "worker_contacts": 1, "audit": 1,
    }
    assert summary["students"] == {"directory": 1, "wraps": 1, "student_keys": 1, "private_keys": 1, "file_entries": 1}
    assert summary["audit_seq"] == 5
    text, code = msg.explain(BackupDamaged("kopie.jtbackup", **summary))
    assert code == msg.EXIT_TAMPERED
    assert text == (
        "De back-up kopie.jtbackup kan niet worden teruggezet: 2 dossierregels van 1 student, "
        "de dossiersleutel van 1 student, de sleutel voor aanvullingen van collega's in het dossier van 1 student, "
        "de gegevens (naam, geboortedatum en dergelijke) van 1 student, 1 regel van de cijfers voor de rapportage, "
        "1 adres op de sociale kaart, 1 anonieme inloop, de bereikbaarheid van 1 medewerker, "
        "1 dossiersleutel van medewerkers en het logboek (vanaf regel 5) zijn beschadigd. "
        "Kies een andere (oudere) back-up; de huidige opslag is niet veranderd."
    )
    assert all(str(v) not in text for v in (s1, s2, s3, s4))


# -- 4. a file that cannot go back says why -------------------------------------------------------------------


def _missing(good: Path, target: Path) -> Path:
    return target


def _empty(good: Path, target: Path) -> Path:
    target.write_bytes(b"")
    return target


def _half(good: Path, target: Path) -> Path:
    data = good.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


def _pdf(good: Path, target: Path) -> Path:
    target.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" * 40)
    return target


def _text(good: Path, target: Path) -> Path:
    target.write_text("boodschappen: brood, kaas, appels\n" * 50, encoding="utf-8")
    return target


def _other_database(good: Path, target: Path) -> Path:
    con = sqlite3.connect(target)
    con.execute("CREATE TABLE klanten (id INTEGER PRIMARY KEY, naam TEXT)")
    con.execute("INSERT INTO klanten (naam) VALUES ('Bakkerij')")
    con.commit()
    con.close()
    return target


def _newer(good: Path, target: Path) -> Path:
    target.write_bytes(good.read_bytes())
    con = sqlite3.connect(target)
    con.execute("UPDATE alembic_version SET version_num = '0999'")
    con.commit()
    con.close()
    return target


def _damaged_pages(good: Path, target: Path) -> Path:
    data = bytearray(good.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for n in (2, 3, 4):  # b-tree pages after the schema page
        data[(n - 1) * page : n * page] = b"\xa5" * page
    target.write_bytes(bytes(data))
    assert integrity(target) != [("ok",)]
    return target


UNUSABLE = [
    ("bestaat-niet.jtbackup", _missing, msg.EXIT_MISSING, "bestaat niet. Controleer de naam en de map van de back-up"),
    ("leeg.jtbackup", _empty, msg.EXIT_DAMAGED, "is leeg (0 bytes): er staat geen back-up in"),
    ("half.jtbackup", _half, msg.EXIT_DAMAGED, "is niet compleet: het bestand houdt halverwege op"),
    ("brief.pdf", _pdf, msg.EXIT_DAMAGED, "is geen back-up van jongerenteam: het is beschadigd of is geen teamopslag"),
    ("lijstje.txt", _text, msg.EXIT_DAMAGED, "is geen back-up van jongerenteam: het is beschadigd of is geen teamopslag"),
    ("klanten.db", _other_database, msg.EXIT_DAMAGED, "is een database, maar geen back-up van jongerenteam"),
    ("nieuw.jtbackup", _newer, msg.EXIT_NEWER_SCHEMA,
        "is gemaakt met een nieuwere versie van jongerenteam. Installeer eerst de nieuwste versie"),
    ("kapot.jtbackup", _damaged_pages, msg.EXIT_DAMAGED, "is beschadigd: de controle van het bestand vond fouten"),
]


@pytest.mark.parametrize(("name", "make", "code", "phrase"), UNUSABLE, ids=[u[0] for u in UNUSABLE])
def test_a_file_that_cannot_go_back_gets_a_clear_dutch_sentence(team_with_backup, tmp_path, name, make, code, phrase):
    """Missing, empty, cut off, a PDF, a text, another database, a newer version, damaged pages: one
    Dutch sentence about this file and what to do (never 'zet een back-up terug'), nothing changed."""
    fx, good = team_with_backup
    (tmp_path / "aangeboden").mkdir()
    given = make(good, tmp_path / "aangeboden" / name)
    before, folder = snapshot(fx.path), listing(tmp_path)
    given_bytes = given.read_bytes() if given.exists() else None

    returned, out, err = restore(fx.path, given, "j", COORDINATOR_PASS, COORDINATOR_PASS)
    assert returned == code, err
    assert out == ""  # before the facts and the question
    assert err.count("\n") == 1 and str(given) in err
    assert phrase in err and KEPT in err
    assert "zet een back-up terug" not in err.lower()
    assert snapshot(fx.path) == before and listing(tmp_path) == folder
    assert (given.read_bytes() if given.exists() else None) == given_bytes


# -- the existing promises, kept -------------------------------------------------------------------


def _student_ids(path) -> tuple[set[str], set[str], list[str]]:
    """Who is in the store at ``path``, who was erased, and the erasure entries' details."""
    store = Store.open(str(path))
    try:
        s = TeamSession.unlock(store, next(w for w in store.workers() if w.initials == "CC").id, COORDINATOR_PASS)
        ids = set(s.students)
        erased = set(store_rights.erasure_ids(store))
        details = [e.detail for e in audit_rows(store, "erasure")]
        s.lock()
    finally:
        store.close()
    return ids, erased, details


def test_restore_applies_no_forged_erasure(tmp_path, team_template):
    """A line added to the side file for a student in the backup, not signed by a coördinator:
    the restore erases that student not, and says so."""
    from datetime import UTC, datetime

    path = tmp_path / "data" / "team.jt"
    fx = copy_team(team_template, path)
    s, sid, keep, _stat, _blobs = erasure_case(fx)
    s.lock()
    backup = fx.store.backup(tmp_path / "oud.jtbackup")
    fx.store.close()
    store_rights.write_side_file(path, {keep: store_rights.Erased(datetime(2026, 11, 1, tzinfo=UTC), "verzoek")})
    code, said, err = restore(path, backup, "j", COORDINATOR_PASS, COORDINATOR_PASS)
    assert code == 0, err
    assert "de lijst van gewiste studenten noemt 1 student(en) uit de back-up" in said + err
    ids, erased, _ = _student_ids(path)
    assert keep in ids and sid in ids and keep not in erased


def test_restore_of_an_older_backup_erases_the_student_again(tmp_path, team_template):
    """Erase, then restore a backup made before: the student does not come back, also
    when the current store file is gone (the side file remembers)."""
    path = tmp_path / "data" / "team.jt"
    fx = copy_team(team_template, path)
    s, sid, keep, _stat, _blobs = erasure_case(fx)
    s.lock()
    backup = fx.store.backup(tmp_path / "oud.jtbackup")
    coord = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    coord.rights.erase_student(sid, "verzoek", "ingelicht")
    coord.lock()
    first = store_rights.erasure_ids(fx.store)[sid]
    assert first.reason == "verzoek"
    fx.store.close()

    code, said, err = restore(path, backup, "j", COORDINATOR_PASS, COORDINATOR_PASS)
    assert code == 0, err
    assert "1 student(en) die na deze back-up gewist zijn, zijn opnieuw gewist." in said
    ids, erased, details = _student_ids(path)
    assert sid not in ids and keep in ids and sid in erased
    # The first erasure's time and reason survive the restore, in the store and in its log.
    assert details[-1] == f"terugzetten: verzoek, gewist {first.at.isoformat(timespec='microseconds')}"
    restored = Store.open(str(path))
    try:
        assert store_rights.erasure_ids(restored)[sid] == first
    finally:
        restored.close()
    assert files_containing(path.parent) == []

    # The store file is lost: the side file still names the erased student.
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / "data" / f"team.jt{suffix}").unlink(missing_ok=True)
    assert store_rights.side_file(path).exists()
    code, said, err = restore(path, backup, "j", COORDINATOR_PASS)
    assert code == 0, err
    ids, erased, _ = _student_ids(path)
    assert sid not in ids and keep in ids and sid in erased
    # Nothing of the erased student left in plain or readable form.
    assert files_containing(path.parent) == []
    # A store made by a restore is this user's only, like a new one.
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_damaged_current_store_is_moved_aside_and_replaced(team_with_backup, tmp_path):
    """A store file that no longer opens is what restore is for: the facts say so, it is moved
    aside as it was (not copied), and the backup's coördinator alone puts the backup back."""
    fx, backup = team_with_backup
    garbage = b"dit was de teamopslag" * 500
    for suffix in ("-wal", "-shm"):
        Path(str(fx.path) + suffix).unlink(missing_ok=True)
    fx.path.write_bytes(garbage)
    code, out, err = restore(fx.path, backup, "j", COORDINATOR_PASS)
    assert code == 0, err
    assert f"De teamopslag op {fx.path} is nu niet te lezen (beschadigd)." in out
    (aside,) = (tmp_path / "team.jt.backups").glob("beschadigd-*.jt")
    assert f"De huidige opslag was niet te lezen en is apart gezet als: {aside}" in out
    assert aside.read_bytes() == garbage
    assert len(snapshot(fx.path)[2]) == 3


def test_facts_are_read_without_keys(team_with_backup):
    """The facts come from plain columns: team, counts, the newest log line (the 'backup' entry) and file entry."""
    _, backup = team_with_backup
    facts = store_backup.read_facts(backup)
    assert facts.team_name == "Testteam" and facts.students == 3 and facts.workers == 3
    assert facts.last_event == "backup" and isinstance(facts.made_at, datetime)
    assert facts.newest_entry is not None and facts.newest_entry <= facts.made_at
