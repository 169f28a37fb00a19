"""The audit log's HMAC chain: editing, deleting, reordering or unsealing an entry is detected.

Tampering is done with raw SQL on the real SQLite file; ``verify`` must fail
and name the exact first broken sequence number.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass, replace

import pytest
from sqlalchemy import select

from storage import audit, students, team
from storage.crypto import derive_subkey
from storage.errors import LogTampered, WrongPassphrase
from storage.models import AuditEntry
from storage.store import Store
from tests.support import COORDINATOR_PASS, OTHER_PASS, WORKER_PASS, TeamFixture, copy_team


@dataclass
class Log:
    fx: TeamFixture
    keys: object
    count: int

    def sql(self, sql: str, params=()) -> list:
        con = sqlite3.connect(self.fx.path, isolation_level=None)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def verify(self) -> audit.Verification:
        with self.fx.store.session() as s:
            return audit.verify(s, self.keys)

    def row(self, seq: int) -> tuple:
        return self.sql("SELECT * FROM audit_log WHERE seq = ?", (seq,))[0]

    @property
    def middle(self) -> int:
        return self.count // 2


@pytest.fixture(scope="module")
def _template(tmp_path_factory, team_template):
    """Built once: a store with ordinary activity in its log; each test works on a copy."""
    fx = copy_team(team_template, tmp_path_factory.mktemp("audit") / "team.jt")
    hanna = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    row = students.add_student(
        fx.store, hanna, {"first_name": "Sam"}, status="aangemeld", contact_worker_id=fx.worker_id
    )
    students.add_entry(fx.store, hanna, row.id, "gesprek", {"tekst": "eerste gesprek"})
    students.read_file(fx.store, hanna, row.id)
    with pytest.raises(WrongPassphrase):
        team.unlock(fx.store, fx.other_id, "verkeerd")
    otto = team.unlock(fx.store, fx.other_id, OTHER_PASS)
    students.add_entry(fx.store, otto, row.id, "inloop", {"tekst": "kwam langs"})
    keys = team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    with fx.store.session() as s:
        count = len(s.scalars(select(AuditEntry.seq)).all())
    fx.store.close()
    assert count >= 10
    return fx, keys, count


@pytest.fixture
def log(_template, tmp_path) -> Log:
    """A private copy of the template store (copied while closed, so no WAL is involved)."""
    fx, keys, count = _template
    path = tmp_path / "team.jt"
    shutil.copyfile(fx.path, path)
    copy = replace(fx, path=path, store=Store.open(str(path)))
    yield Log(copy, keys, count)
    copy.store.close()


def test_chain_verifies_after_activity(log):
    """After ordinary use every entry is sealed and the whole chain verifies."""
    result = log.verify()
    assert result.ok, result
    assert result.checked == log.count
    assert result.unsealed == 0
    assert log.sql("SELECT count(*) FROM audit_log WHERE mac IS NULL") == [(0,)]
    events = [r[0] for r in log.sql("SELECT event FROM audit_log ORDER BY seq")]
    assert {"create", "login", "failed_login", "open", "worker_added"} <= set(events)


@pytest.mark.parametrize(
    "column, value",
    [
        ("detail", "niets aan de hand"),
        ("event", "lock"),
        ("worker_id", "00000000-0000-0000-0000-000000000000"),
        ("student_id", None),
        ("on_behalf_of", "iemand anders"),
        ("at", "2020-01-01T00:00:00.000000+00:00"),
        ("access_point", "andere-laptop"),
    ],
)
def test_edited_field_names_the_entry(log, column, value):
    """Editing any logged field of a middle entry with raw SQL breaks the chain exactly there."""
    seq = log.middle
    current = log.sql(f"SELECT {column} FROM audit_log WHERE seq = ?", (seq,))[0][0]  # noqa: S608 - table and column names of the test itself: tampering on purpose
    if current == value:
        value = "x"
    log.sql(f"UPDATE audit_log SET {column} = ? WHERE seq = ?", (value, seq))  # noqa: S608 - table and column names of the test itself: tampering on purpose
    result = log.verify()
    assert not result.ok
    assert result.first_broken_seq == seq


@pytest.mark.parametrize("where", ["first", "last"])
def test_edited_first_or_last_entry(log, where):
    """Editing the first or the last entry is detected at that entry."""
    seq = 1 if where == "first" else log.count
    log.sql("UPDATE audit_log SET detail = detail || '!' WHERE seq = ?", (seq,))
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, seq)


def test_deleted_middle_entry(log):
    """Deleting a middle entry is reported at the entry that follows the gap."""
    seq = log.middle
    log.sql("DELETE FROM audit_log WHERE seq = ?", (seq,))
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, seq + 1)


def test_deleted_and_renumbered_entry(log):
    """Deleting an entry and renumbering the rest to close the gap is still detected there."""
    seq = log.middle
    log.sql("DELETE FROM audit_log WHERE seq = ?", (seq,))
    for s in range(seq + 1, log.count + 1):
        log.sql("UPDATE audit_log SET seq = ? WHERE seq = ?", (s - 1, s))
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, seq)


def test_deleted_first_entry(log):
    """Deleting the very first entry is detected at seq 2."""
    log.sql("DELETE FROM audit_log WHERE seq = 1")
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, 2)


def test_swapped_seq_of_two_entries(log):
    """Swapping two entries' sequence numbers (reordering) is detected at the earlier one."""
    a, b = log.middle, log.middle + 3
    log.sql("UPDATE audit_log SET seq = -1 WHERE seq = ?", (a,))
    log.sql("UPDATE audit_log SET seq = ? WHERE seq = ?", (a, b))
    log.sql("UPDATE audit_log SET seq = ? WHERE seq = -1", (b,))
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, a)


def test_swapped_adjacent_entries_with_macs(log):
    """Swapping the full contents (MAC included) of two neighbours is detected at the first."""
    a = log.middle
    ra, rb = log.row(a), log.row(a + 1)
    cols = [r[1] for r in log.sql("PRAGMA table_info(audit_log)") if r[1] != "seq"]
    sets = ", ".join(f"{c} = ?" for c in cols)
    log.sql(f"UPDATE audit_log SET {sets} WHERE seq = ?", (*rb[1:], a))  # noqa: S608 - table and column names of the test itself: tampering on purpose
    log.sql(f"UPDATE audit_log SET {sets} WHERE seq = ?", (*ra[1:], a + 1))  # noqa: S608 - table and column names of the test itself: tampering on purpose
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, a)


def test_nulled_mac_in_middle(log):
    """Emptying a middle entry's MAC is a break there, and a later unlock does not launder it."""
    seq = log.middle
    log.sql("UPDATE audit_log SET mac = NULL WHERE seq = ?", (seq,))
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, seq)
    # A successful unlock writes (and seals) new entries; the break stays.
    team.unlock(log.fx.store, log.fx.worker_id, WORKER_PASS)
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, seq)


def test_mac_copied_from_another_entry(log):
    """Replacing a MAC with another entry's MAC is detected."""
    seq = log.middle
    other = log.sql("SELECT mac FROM audit_log WHERE seq = ?", (seq + 1,))[0][0]
    log.sql("UPDATE audit_log SET mac = ? WHERE seq = ?", (other, seq))
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, seq)


def test_forged_entry_appended(log):
    """An entry appended with raw SQL and a made-up MAC is detected."""
    seq = log.count + 1
    log.sql(
        "INSERT INTO audit_log (seq, at, event, worker_id, student_id, on_behalf_of, "
        "access_point, detail, mac) VALUES (?, '2030-01-01', 'login', NULL, NULL, NULL, 'x', '', ?)",
        (seq, os.urandom(32)),
    )
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, seq)


def test_forged_entry_with_guessed_key(log):
    """Re-MACing an edited entry with a key not derived from the team key does not pass."""
    seq = log.middle
    prev = log.sql("SELECT mac FROM audit_log WHERE seq = ?", (seq - 1,))[0][0]
    log.sql("UPDATE audit_log SET detail = 'weggepoetst' WHERE seq = ?", (seq,))
    with log.fx.store.session() as s:
        entry = s.get(AuditEntry, seq)
        fake_key = derive_subkey(log.keys.worker_private, "audit")
        forged = audit.mac(fake_key, prev + audit._canonical(entry))
    log.sql("UPDATE audit_log SET mac = ? WHERE seq = ?", (forged, seq))
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, seq)


def test_wrong_audit_key_fails_at_first_entry(log):
    """Verification with any other key fails at seq 1: the chain depends on the audit key."""
    with log.fx.store.session() as s:
        result = audit.verify(s, replace(log.keys, team_key=derive_subkey(log.keys.team_key, "other")))
    assert (result.ok, result.first_broken_seq) == (False, 1)


def test_failed_logins_sealed_by_next_unlock(log):
    """Failed logins wait unsealed at the tail (still ok), and the next unlock chains them."""
    for _ in range(2):
        with pytest.raises(WrongPassphrase):
            team.unlock(log.fx.store, log.fx.worker_id, "fout")
    result = log.verify()
    assert result.ok and result.unsealed == 2
    tail = log.sql("SELECT event, mac FROM audit_log ORDER BY seq DESC LIMIT 2")
    assert [(e, m) for e, m in tail] == [("failed_login", None)] * 2
    team.unlock(log.fx.store, log.fx.worker_id, WORKER_PASS)
    result = log.verify()
    assert result.ok and result.unsealed == 0
    assert result.checked == log.count + 3
    # Once sealed, editing a failed login is detected like any other entry.
    seq = log.count + 1
    log.sql("UPDATE audit_log SET worker_id = ? WHERE seq = ?", (log.fx.other_id, seq))
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, seq)


def test_deleted_last_entry(log):
    """Deleting the newest entry is detected through the anchored head."""
    log.sql("DELETE FROM audit_log WHERE seq = ?", (log.count,))
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, log.count)


def test_deleted_or_edited_anchor(log):
    """Removing the chain's anchor, or pointing it at an earlier entry, is detected."""
    log.sql("UPDATE audit_head SET seq = seq - 1")
    assert not log.verify().ok
    log.sql("DELETE FROM audit_head")
    assert not log.verify().ok


def test_nulled_and_edited_tail_entry(log):
    """Nulling the newest entry's MAC and editing it is detected, also after the next unlock."""
    seq = log.count
    log.sql(
        "UPDATE audit_log SET mac = NULL, event = 'failed_login', detail = '' WHERE seq = ?",
        (seq,),
    )
    # The unlock refuses to chain on (the head no longer matches its entry) ...
    with pytest.raises(LogTampered):
        team.unlock(log.fx.store, log.fx.worker_id, WORKER_PASS)
    # ... and the walk names the entry.
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, seq)


def test_appends_in_one_transaction_chain_on_what_that_transaction_wrote(log):
    """A transaction's later appends chain onto the head it moved itself without reading the log
    again (storage.audit._own_end), and still get it right when that head is no longer theirs:
    a savepoint rolled back with an append in it, an unsealed entry written in between."""
    keys = log.keys
    with log.fx.store.session() as s:
        for detail in ("een", "twee"):
            audit.append(s, keys, "search", worker_id=keys.worker_id, detail=detail)
        with pytest.raises(RuntimeError), s.begin_nested():
            audit.append(s, keys, "search", worker_id=keys.worker_id, detail="teruggedraaid")
            raise RuntimeError("rolled back")
        audit.append(s, keys, "search", worker_id=keys.worker_id, detail="drie")
        audit.append(s, None, "failed_login", worker_id=log.fx.worker_id)
        audit.append(s, keys, "search", worker_id=keys.worker_id, detail="vier")
    result = log.verify()
    assert result.ok, result
    assert (result.checked, result.unsealed) == (log.count + 5, 0)
    rows = log.sql("SELECT seq, event, detail FROM audit_log WHERE seq > ? ORDER BY seq", (log.count,))
    assert rows == [
        (log.count + 1, "search", "een"), (log.count + 2, "search", "twee"), (log.count + 3, "search", "drie"),
        (log.count + 4, "failed_login", ""), (log.count + 5, "search", "vier"),
    ]
    assert log.sql("SELECT seq FROM audit_head") == [(log.count + 5,)]


def test_an_append_after_the_head_was_changed_in_the_same_transaction_checks_it_again(log):
    """The shortcut trusts only the head this transaction wrote: a head changed after that
    (here through the same session) is checked again and refused, as on any first append."""
    from storage.models import AuditHead

    keys = log.keys
    with pytest.raises(LogTampered), log.fx.store.session() as s:
        audit.append(s, keys, "search", worker_id=keys.worker_id, detail="een")
        head = s.get(AuditHead, 1)
        head.seq -= 1
        s.flush()
        audit.append(s, keys, "search", worker_id=keys.worker_id, detail="twee")
    assert log.verify().ok
