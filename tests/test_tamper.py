"""Ciphertext moved, swapped or damaged with raw SQL or in the file itself.

The app must report tampering naming the place, never show another
student's data or garbage, and keep the rest of the store usable.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, replace

import pytest

from storage import students, team
from storage.crypto import HEADER_LEN, KEY_ID_LEN
from storage.errors import StoreDamaged, Tampered
from storage.store import Store
from tests.support import CANARY_FIRST, CANARY_NOTE, OTHER_PASS, WORKER_PASS, copy_team

NOTE_A = {"tekst": CANARY_NOTE}
NOTE_B = {"tekst": "tweede gesprek, afspraak gemaakt"}


@dataclass
class Case:
    store: Store
    keys: object
    a: str  # student A (canary), two entries
    b: str  # student B
    c: str  # student C, untouched bystander
    entry_a1: str
    entry_a2: str
    entry_b: str
    path: object
    other_id: str  # Otto, not involved with any of them


@pytest.fixture(scope="module")
def _template(tmp_path_factory, team_template) -> Case:
    """Built once: three students of Hanna's, A with two entries, B with one."""
    fx = copy_team(team_template, tmp_path_factory.mktemp("tamper") / "team.jt")
    keys = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    rows = students.add_students(
        fx.store, keys,
        [
            students.NewStudent({"first_name": first, "last_name": last}, "aangemeld", fx.worker_id)
            for first, last in ((CANARY_FIRST, "Aalders"), ("Bram", "Bakker"), ("Cato", "Claes"))
        ],
    )
    a, b, c = (r.id for r in rows)
    e_a1 = students.add_entry(fx.store, keys, a, "gesprek", NOTE_A)
    e_a2 = students.add_entry(fx.store, keys, a, "gesprek", NOTE_B)
    e_b = students.add_entry(fx.store, keys, b, "gesprek", {"tekst": "B zijn verhaal"})
    fx.store.close()
    return Case(None, keys, a, b, c, e_a1, e_a2, e_b, fx.path, fx.other_id)


@pytest.fixture
def case(_template, tmp_path) -> Case:
    """A private copy of the template store (copied while closed, so no WAL is involved)."""
    path = tmp_path / "team.jt"
    shutil.copyfile(_template.path, path)
    c = replace(_template, path=path, store=Store.open(str(path)))
    yield c
    c.store.close()


def _sql(case: Case, sql: str, params=()) -> list:
    con = sqlite3.connect(case.path, isolation_level=None)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _blob(case: Case, table: str, column: str, key_col: str, key) -> bytes:
    return _sql(case, f"SELECT {column} FROM {table} WHERE {key_col} = ?", (key,))[0][0]  # noqa: S608 - table and column names of the test itself: tampering on purpose


def _set(case: Case, table: str, column: str, key_col: str, key, value: bytes) -> None:
    _sql(case, f"UPDATE {table} SET {column} = ? WHERE {key_col} = ?", (value, key))  # noqa: S608 - table and column names of the test itself: tampering on purpose


def _names(case: Case) -> dict[str, str]:
    rows, _damaged = students.load_directory(case.store, case.keys)
    return {r.id: r.data["first_name"] for r in rows}


def _assert_only_damaged(case: Case, *ids: str) -> None:
    rows, damaged = students.load_directory(case.store, case.keys)
    assert sorted(damaged) == sorted(ids)
    shown = {r.id: r.data for r in rows}
    assert set(shown) == {case.a, case.b, case.c} - set(ids)
    # Whatever is shown is the right student's own data.
    expected = {case.a: CANARY_FIRST, case.b: "Bram", case.c: "Cato"}
    for sid, data in shown.items():
        assert data["first_name"] == expected[sid]


# --- directory tier -------------------------------------------------------------


def test_swapped_directory_blobs_are_reported_not_shown(case):
    """Swapping two students' directory blobs marks both damaged and shows neither's data."""
    blob_a = _blob(case, "students", "directory", "id", case.a)
    blob_b = _blob(case, "students", "directory", "id", case.b)
    _set(case, "students", "directory", "id", case.a, blob_b)
    _set(case, "students", "directory", "id", case.b, blob_a)
    _assert_only_damaged(case, case.a, case.b)
    for sid in (case.a, case.b):
        with pytest.raises(Tampered) as info:
            students.get_student(case.store, case.keys, sid)
        assert info.value.where == f"students.directory (rij {sid})"
        assert CANARY_FIRST not in str(info.value)
    assert students.get_student(case.store, case.keys, case.c).data["first_name"] == "Cato"


def test_copied_directory_blob_is_reported(case):
    """Copying A's directory blob over B's does not make B show A's name."""
    _set(case, "students", "directory", "id", case.b,
         _blob(case, "students", "directory", "id", case.a))
    _assert_only_damaged(case, case.b)
    with pytest.raises(Tampered):
        students.get_student(case.store, case.keys, case.b)


def test_private_key_moved_into_directory_column(case):
    """A students.private_key envelope put in students.directory fails (column binding)."""
    _set(case, "students", "directory", "id", case.a,
         _blob(case, "students", "private_key", "id", case.a))
    _assert_only_damaged(case, case.a)
    with pytest.raises(Tampered):
        students.get_student(case.store, case.keys, case.a)


def test_entry_body_moved_into_directory_column(case):
    """A file_entries.body envelope put in students.directory fails."""
    _set(case, "students", "directory", "id", case.c,
         _blob(case, "file_entries", "body", "id", case.entry_a1))
    _assert_only_damaged(case, case.c)


def test_directory_moved_into_private_key_column(case):
    """A directory envelope put in students.private_key makes the file report tampering."""
    _set(case, "students", "private_key", "id", case.a,
         _blob(case, "students", "directory", "id", case.a))
    with pytest.raises(Tampered) as info:
        students.read_file(case.store, case.keys, case.a)
    assert info.value.where == f"students.private_key (rij {case.a})"
    assert students.read_file(case.store, case.keys, case.b)[0].payload == {"tekst": "B zijn verhaal"}


def test_private_key_swapped_between_students(case):
    """Swapping two students' private_key envelopes is detected for both files."""
    pa = _blob(case, "students", "private_key", "id", case.a)
    pb = _blob(case, "students", "private_key", "id", case.b)
    _set(case, "students", "private_key", "id", case.a, pb)
    _set(case, "students", "private_key", "id", case.b, pa)
    for sid in (case.a, case.b):
        with pytest.raises(Tampered):
            students.read_file(case.store, case.keys, sid)


# --- file tier --------------------------------------------------------------------


def test_entry_body_copied_to_another_entry(case):
    """Copying one entry's body over another entry of the same student is detected."""
    _set(case, "file_entries", "body", "id", case.entry_a2,
         _blob(case, "file_entries", "body", "id", case.entry_a1))
    with pytest.raises(Tampered) as info:
        students.read_file(case.store, case.keys, case.a)
    assert info.value.where == f"file_entries.body (rij {case.entry_a2})"
    assert CANARY_NOTE not in str(info.value)


@pytest.mark.parametrize(("column", "value"), [("kind", "notitie"), ("version", 7)])
def test_entry_relabelled_or_renumbered_fails_to_open(case, column, value):
    """The envelope is bound to the row's kind, author and version: relabelling a
    talk, or giving it another version, fails at decryption (before any log check)."""
    _sql(case, f"UPDATE file_entries SET {column} = ? WHERE id = ?", (value, case.entry_a1))  # noqa: S608 - a column of the test's own list
    with pytest.raises(Tampered) as info:
        students.read_file(case.store, case.keys, case.a)
    assert info.value.where == f"file_entries.body (rij {case.entry_a1})"


def test_entry_moved_to_another_student(case):
    """Re-pointing A's entry to student B (student_id) never shows A's note in B's file."""
    _sql(case, "UPDATE file_entries SET student_id = ? WHERE id = ?", (case.b, case.entry_a1))
    with pytest.raises(Tampered):
        students.read_file(case.store, case.keys, case.b)


def test_sealed_entry_body_copied(case):
    """An appended (sealed) entry's body copied to another appended entry is detected."""
    otto = team.unlock(case.store, case.other_id, OTHER_PASS)
    s1 = students.add_entry(case.store, otto, case.a, "inloop", {"tekst": "een"})
    s2 = students.add_entry(case.store, otto, case.a, "inloop", {"tekst": "twee"})
    assert {e.id for e in students.read_file(case.store, case.keys, case.a)} >= {s1, s2}
    _set(case, "file_entries", "body", "id", s2, _blob(case, "file_entries", "body", "id", s1))
    with pytest.raises(Tampered) as info:
        students.read_file(case.store, case.keys, case.a)
    assert info.value.where.startswith("file_entries.body")


def test_sealed_flag_flipped(case):
    """Flipping file_entries.sealed makes the entry fail, not show garbage."""
    _sql(case, "UPDATE file_entries SET sealed = 1 WHERE id = ?", (case.entry_a1,))
    with pytest.raises(Tampered):
        students.read_file(case.store, case.keys, case.a)


def test_key_wrap_swapped_between_students(case):
    """Swapping the worker's key wraps of two students is detected (context binding)."""
    rows = _sql(
        case, "SELECT student_id, wrapped FROM student_key_wraps WHERE recipient = ? "
        "AND student_id IN (?, ?)", (case.keys.worker_id, case.a, case.b),
    )
    wraps = dict(rows)
    for sid, other in ((case.a, case.b), (case.b, case.a)):
        _sql(case, "UPDATE student_key_wraps SET wrapped = ? WHERE student_id = ? AND recipient = ?",
             (wraps[other], sid, case.keys.worker_id))
    for sid in (case.a, case.b):
        with pytest.raises(Tampered) as info:
            students.read_file(case.store, case.keys, sid)
        assert info.value.where.startswith("student_key_wraps.wrapped")
    assert students.read_file(case.store, case.keys, case.c) == []


# --- bit flips ---------------------------------------------------------------------

# Offsets into an envelope: version, key id, nonce, ciphertext, tag (last byte).
_REGIONS = {"version": 0, "key id": 1 + KEY_ID_LEN // 2, "nonce": HEADER_LEN - 3,
            "ciphertext": HEADER_LEN + 2, "tag": -1}


def test_bit_flips_in_directory_blob(case):
    """A single flipped bit anywhere in a directory blob is reported for that row only."""
    original = _blob(case, "students", "directory", "id", case.b)
    for region, offset in _REGIONS.items():
        for bit in (0, 7):
            bad = bytearray(original)
            bad[offset] ^= 1 << bit
            _set(case, "students", "directory", "id", case.b, bytes(bad))
            _assert_only_damaged(case, case.b)
            with pytest.raises(Tampered) as info:
                students.get_student(case.store, case.keys, case.b)
            assert info.value.where == f"students.directory (rij {case.b})", region
    _set(case, "students", "directory", "id", case.b, original)
    _assert_only_damaged(case)


def test_bit_flip_in_entry_body_names_the_entry(case):
    """A flipped bit in one file entry reports that entry; other students' files still open."""
    original = _blob(case, "file_entries", "body", "id", case.entry_a2)
    bad = bytearray(original)
    bad[len(bad) // 2] ^= 0x10
    _set(case, "file_entries", "body", "id", case.entry_a2, bytes(bad))
    with pytest.raises(Tampered) as info:
        students.read_file(case.store, case.keys, case.a)
    assert info.value.where == f"file_entries.body (rij {case.entry_a2})"
    assert students.read_file(case.store, case.keys, case.b)[0].payload == {"tekst": "B zijn verhaal"}
    _assert_only_damaged(case)


def test_truncated_and_emptied_blobs(case):
    """A directory blob cut short or replaced by a few bytes is reported, not shown."""
    original = _blob(case, "students", "directory", "id", case.a)
    for bad in (original[:-1], original[: HEADER_LEN + 3], b"\x01", b"x" * 5):
        _set(case, "students", "directory", "id", case.a, bad)
        _assert_only_damaged(case, case.a)
        with pytest.raises(Tampered):
            students.get_student(case.store, case.keys, case.a)


def _settle(case: Case) -> None:
    """Fold the WAL into the main file and let go of it."""
    case.store.checkpoint()
    case.store.engine.dispose()
    con = sqlite3.connect(case.path)
    assert con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    con.close()


def test_bit_flip_in_database_file_row(case):
    """A byte flipped in the database file inside one student's row is reported for that row only."""
    blob = _blob(case, "students", "directory", "id", case.b)
    _settle(case)
    data = bytearray(case.path.read_bytes())
    assert data.count(blob) == 1
    pos = data.find(blob) + HEADER_LEN + 4  # inside the ciphertext
    data[pos] ^= 0x01
    case.path.write_bytes(bytes(data))
    # SQLite itself does not notice (no checksums on cell contents) ...
    store = Store.open(str(case.path))
    assert store.integrity_problems() == []
    case.store = store
    # ... the envelope does, and names the row.
    _assert_only_damaged(case, case.b)
    with pytest.raises(Tampered) as info:
        students.get_student(store, case.keys, case.b)
    assert case.b in info.value.where
    assert students.read_file(store, case.keys, case.a)[0].payload == NOTE_A
    store.close()


def test_damaged_page_reported_rest_usable(case):
    """A garbled b-tree page of file_entries gives StoreDamaged there; the directory still loads."""
    root = _sql(case, "SELECT rootpage FROM sqlite_master WHERE name = 'file_entries'")[0][0]
    _settle(case)
    data = bytearray(case.path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    start = (root - 1) * page_size
    assert data[start] in (0x05, 0x0D)  # an interior or leaf table b-tree page
    data[start] = 0x42  # not a valid page type
    case.path.write_bytes(bytes(data))
    store = Store.open(str(case.path))
    case.store = store
    try:
        assert store.integrity_problems() != []
        with pytest.raises(StoreDamaged):
            students.read_file(store, case.keys, case.a)
        _assert_only_damaged(case)
        assert students.get_student(store, case.keys, case.c).data["first_name"] == "Cato"
    finally:
        store.close()


def test_garbage_file_is_refused(case):
    """A file whose SQLite header is overwritten is refused as damaged on open."""
    _settle(case)
    data = bytearray(case.path.read_bytes())
    data[0:16] = b"\xff" * 16
    case.path.write_bytes(bytes(data))
    with pytest.raises(StoreDamaged):
        Store.open(str(case.path))


def _no_object_over_b(case: Case) -> None:
    """An insider with the directory key seals a document that is no JSON object over B's:
    it decrypts, so only reading it finds it damaged."""
    from storage.crypto import seal_field

    _set(case, "students", "directory", "id", case.b,
         seal_field(case.keys.directory, "students", "directory", case.b, b"[1, 2]"))


def test_a_document_that_decrypts_but_is_no_object_is_damaged_once_the_search_reads_it(case):
    """The unlock only decrypts (the documents are parsed later, for the search index):
    a row that does not decrypt is damaged at once, a document that is no object as soon
    as the index reads every student; neither is shown, the bystander is."""
    from jongerenteam.session import TeamSession

    _set(case, "students", "directory", "id", case.a, _blob(case, "students", "directory", "id", case.c))
    _no_object_over_b(case)
    s = TeamSession.unlock(case.store, case.keys.worker_id, WORKER_PASS)
    try:
        assert s.damaged_ids == [case.a]
        assert [r.id for r in s.spreekuur.search("Cato")] == [case.c]
        assert sorted(s.damaged_ids) == sorted([case.a, case.b])
        assert set(s.students) == {case.c}
        assert s.spreekuur.search("Bram") == []
    finally:
        s.lock()


async def test_vandaag_warns_about_a_damaged_document_found_after_it_was_drawn(case):
    """Vandaag is drawn before the search index reads every document; the warning about
    damaged students comes when it has."""
    from textual.widgets import DataTable, Static

    from tests.support import build_app, unlock_as, wait_until

    _no_object_over_b(case)
    app = build_app(case)
    async with app.run_test(size=(120, 36)) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        warning = app.screen.query_one("#damaged", Static)
        await wait_until(pilot, lambda: warning.display, what="the warning about damaged students")
        assert "1 student(en) konden niet worden gelezen" in str(warning.render())
        assert case.b not in app.session.students
        # Bram was on Hanna's list without a name until then; the list is read again without him.
        caseload = app.screen.query_one("#caseload", DataTable)
        await wait_until(pilot, lambda: caseload.row_count == 2 and case.b not in {k.value for k in caseload.rows},
                         what="the caseload without the damaged student")
