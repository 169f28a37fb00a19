"""Who can open what: key slots, need-to-know by cryptography, escrow, revocation, recovery.

Everything runs against a real SQLite team store: ``team_store`` is overridden
here to hand each test a private copy of one store built per module, with a
coördinator (Cora), a worker (Hanna) and a second worker (Otto). The student
is registered by Hanna, so only Hanna (and the escrow) hold its key.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from jongerenteam.settings import kdf_params
from storage import audit, files, students, team
from storage.crypto import (
    DecryptionError,
    FieldKey,
    derive_subkey,
    open_field,
    open_sealed,
    public_from_private,
)
from storage.errors import (
    NotAllowed,
    NotInvolved,
    Tampered,
    UnknownWorker,
    WorkerInactive,
    WrongPassphrase,
)
from storage.models import AuditEntry, EscrowWrap, KeySlot, StudentKeyWrap
from tests.support import (
    CANARY_LAST,
    CANARY_NOTE,
    COORDINATOR_PASS,
    OTHER_PASS,
    WORKER_PASS,
    canary_student,
    copy_team,
)

NOTE = {"tekst": CANARY_NOTE}


def _raw(fx) -> sqlite3.Connection:
    con = sqlite3.connect(fx.path, isolation_level=None)
    return con


def _audit_rows(store) -> list[AuditEntry]:
    with store.session() as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all())


def _verify(store, keys):
    with store.session() as s:
        return audit.verify(s, keys)


@pytest.fixture(scope="module")
def _template(tmp_path_factory, team_template):
    """Built once: the team, and a student registered by Hanna (her own contact) with one note."""
    fx = copy_team(team_template, tmp_path_factory.mktemp("access") / "team.jt")
    hanna = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    row = students.add_student(
        fx.store, hanna, canary_student().to_dict(), status="aangemeld",
        contact_worker_id=fx.worker_id,
    )
    students.add_entry(fx.store, hanna, row.id, "gesprek", NOTE)
    fx.store.close()
    return fx, row.id


@pytest.fixture
def team_store(_template, tmp_path):
    """A private copy of the template store (copied while closed, so no WAL is involved)."""
    copy = copy_team(_template[0], tmp_path / "team.jt")
    yield copy
    copy.store.close()


@pytest.fixture
def hanna_student(_template) -> str:
    """The id of the template's student: only Hanna and the escrow hold its key."""
    return _template[1]


# --- key slots -----------------------------------------------------------------


def test_each_worker_opens_only_with_own_passphrase(team_store):
    """Every worker's passphrase unlocks their own slot and no one else's."""
    fx = team_store
    pairs = {fx.coordinator_id: COORDINATOR_PASS, fx.worker_id: WORKER_PASS, fx.other_id: OTHER_PASS}
    team_keys = set()
    for wid, pw in pairs.items():
        keys = team.unlock(fx.store, wid, pw)
        assert keys.worker_id == wid
        team_keys.add(keys.team_key)
        for other_wid in pairs:
            if other_wid != wid:
                with pytest.raises(WrongPassphrase):
                    team.unlock(fx.store, other_wid, pw)
    assert len(team_keys) == 1


def test_wrong_passphrase_refused_and_logged(team_store):
    """A wrong passphrase raises WrongPassphrase and leaves an unsealed failed_login entry."""
    fx = team_store
    with pytest.raises(WrongPassphrase):
        team.unlock(fx.store, fx.worker_id, WORKER_PASS + "x")
    last = _audit_rows(fx.store)[-1]
    assert (last.event, last.worker_id, last.mac) == ("failed_login", fx.worker_id, None)
    # The next successful unlock seals it into the chain.
    keys = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    rows = _audit_rows(fx.store)
    failed = next(r for r in rows if r.seq == last.seq)
    assert failed.mac is not None
    assert rows[-1].event == "login"
    result = _verify(fx.store, keys)
    assert result.ok and result.unsealed == 0


def test_repeated_failures_each_logged(team_store):
    """Every failed guess is logged, one entry per attempt."""
    fx = team_store
    before = len(_audit_rows(fx.store))
    for guess in ("a", "b", "c"):
        with pytest.raises(WrongPassphrase):
            team.unlock(fx.store, fx.other_id, guess)
    rows = _audit_rows(fx.store)[before:]
    assert [(r.event, r.worker_id) for r in rows] == [("failed_login", fx.other_id)] * 3


def test_unknown_worker_refused(team_store):
    """An unknown worker id opens nothing."""
    with pytest.raises(UnknownWorker):
        team.unlock(team_store.store, "00000000-0000-0000-0000-000000000000", WORKER_PASS)


def test_change_passphrase_rewraps_only_the_slot(team_store, hanna_student):
    """After a passphrase change the old one fails, the new one works and the file still opens."""
    fx = team_store
    keys = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    with pytest.raises(WrongPassphrase):
        team.change_passphrase(fx.store, keys, "fout", "nieuwe zin", kdf_params())
    team.change_passphrase(fx.store, keys, WORKER_PASS, "nieuwe zin voor hanna", kdf_params())
    with pytest.raises(WrongPassphrase):
        team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    new = team.unlock(fx.store, fx.worker_id, "nieuwe zin voor hanna")
    assert students.read_file(fx.store, new, hanna_student)[0].payload == NOTE


# --- need-to-know ------------------------------------------------------------------


def test_non_involved_worker_cannot_read_file(team_store, hanna_student):
    """Otto, not involved, gets NotInvolved from read_file with his own valid keys."""
    fx = team_store
    otto = team.unlock(fx.store, fx.other_id, OTHER_PASS)
    assert hanna_student not in students.involved_student_ids(fx.store, fx.other_id)
    with pytest.raises(NotInvolved):
        students.read_file(fx.store, otto, hanna_student)
    # He still sees that the student exists and who the contact person is.
    row = students.get_student(fx.store, otto, hanna_student)
    assert row.data["last_name"] == CANARY_LAST
    assert row.contact_worker_id == fx.worker_id
    # And he cannot give himself access.
    with pytest.raises(NotInvolved):
        students.involve_worker(fx.store, otto, hanna_student, fx.other_id)
    assert students.involved_workers(fx.store, hanna_student) == [fx.worker_id]


def test_non_involved_worker_cannot_open_any_wrap(team_store, hanna_student):
    """Otto's private key opens neither Hanna's wrap nor the escrow wrap, under any context."""
    fx = team_store
    otto = team.unlock(fx.store, fx.other_id, OTHER_PASS)
    with fx.store.session() as s:
        wraps = s.scalars(
            select(StudentKeyWrap).where(StudentKeyWrap.student_id == hanna_student)
        ).all()
        escrow_wraps = s.scalars(select(EscrowWrap)).all()
    assert {w.recipient for w in wraps} == {fx.worker_id, files.ESCROW}
    contexts = [
        files.wrap_context(hanna_student, r)
        for r in (fx.worker_id, fx.other_id, files.ESCROW)
    ]
    for w in wraps:
        for ctx in contexts:
            with pytest.raises(DecryptionError):
                open_sealed(otto.worker_private, w.wrapped, ctx, "student_key_wraps.wrapped")
    for ew in escrow_wraps:
        with pytest.raises(DecryptionError):
            open_sealed(
                otto.worker_private, ew.wrapped, team._escrow_context(ew.worker_id), "escrow"
            )


def test_copied_wrap_does_not_grant_access(team_store, hanna_student):
    """Copying Hanna's key wrap to Otto with raw SQL gives Tampered, never the file."""
    fx = team_store
    con = _raw(fx)
    con.execute(
        "INSERT INTO student_key_wraps (id, student_id, recipient, wrapped, created_at) "
        "SELECT 'copied-wrap', student_id, ?, wrapped, created_at FROM student_key_wraps "
        "WHERE student_id = ? AND recipient = ?",
        (fx.other_id, hanna_student, fx.worker_id),
    )
    con.close()
    otto = team.unlock(fx.store, fx.other_id, OTHER_PASS)
    with pytest.raises(Tampered) as info:
        students.read_file(fx.store, otto, hanna_student)
    assert "student_key_wraps" in info.value.where
    assert CANARY_NOTE not in repr(info.value)


def _team_derived_candidates(keys) -> list[bytes]:
    tk = keys.team_key
    cands = [tk, keys.directory.key, keys.audit_key, keys.worker_private]
    cands += [derive_subkey(tk, p) for p in ("escrow", "recovery", "student", "file", "directory", "audit")]
    return cands


def test_team_key_alone_does_not_open_escrow(team_store, hanna_student):
    """Nothing a non-coördinator's slot yields (team key, subkeys, own key) opens the escrow."""
    fx = team_store
    otto = team.unlock(fx.store, fx.other_id, OTHER_PASS)
    assert otto.escrow_private is None
    assert team.unlock(fx.store, fx.worker_id, WORKER_PASS).escrow_private is None
    cands = _team_derived_candidates(otto)
    with fx.store.session() as s:
        escrow_wraps = s.scalars(select(EscrowWrap)).all()
        student_escrow = s.scalar(
            select(StudentKeyWrap).where(
                StudentKeyWrap.student_id == hanna_student, StudentKeyWrap.recipient == files.ESCROW
            )
        )
        recovery = s.scalar(select(KeySlot).where(KeySlot.kind == "recovery"))
    assert len(escrow_wraps) == 1 and escrow_wraps[0].worker_id == fx.coordinator_id
    for c in cands:
        # None of them is the escrow private key itself ...
        assert public_from_private(c) != otto.escrow_public
        # ... nor opens a wrap of it, the escrow's student wraps or the recovery slot.
        with pytest.raises(DecryptionError):
            open_sealed(c, escrow_wraps[0].wrapped,
                        team._escrow_context(fx.coordinator_id), "escrow_wraps.wrapped")
        with pytest.raises(DecryptionError):
            open_sealed(c, student_escrow.wrapped,
                        files.wrap_context(hanna_student, files.ESCROW), "x")
        with pytest.raises(DecryptionError):
            open_field(FieldKey.of(c), "key_slots", "wrapped", recovery.id, recovery.wrapped)
    # The break-glass path with the team key as "escrow key" fails and is not logged as access.
    before = len(_audit_rows(fx.store))
    with pytest.raises(Tampered):
        students.read_file_via_escrow(
            fx.store, otto, otto.team_key, hanna_student,
            coordinator_id=fx.other_id, reason_code="nood",
        )
    assert not any(r.event == "emergency_access" for r in _audit_rows(fx.store)[before:])


def test_self_promotion_with_raw_sql_yields_no_escrow(team_store, hanna_student):
    """Setting one's own role to coordinator in the database gives neither the role nor the escrow key."""
    fx = team_store
    con = _raw(fx)
    con.execute("UPDATE workers SET role = 'coordinator' WHERE id = ?", (fx.other_id,))
    con.close()
    otto = team.unlock(fx.store, fx.other_id, OTHER_PASS)
    # The role comes from Otto's own authenticated slot, not from the column.
    assert not otto.is_coordinator and otto.escrow_private is None
    with pytest.raises(NotAllowed):
        team.add_worker(
            fx.store, otto, team.WorkerDetails("Nep Collega", "NC", team.WORKER, "x"),
            "nep collega wachtwoord", kdf_params(),
        )
    with pytest.raises(NotInvolved):
        students.read_file(fx.store, otto, hanna_student)
    # Nor does a reset with the recovery code afterwards: the role comes from the sealed log.
    team_key, escrow_private = team.unlock_recovery(fx.store, fx.recovery_code)
    team.reset_passphrase(fx.store, team_key, escrow_private, fx.other_id, "otto zijn nieuwe zin", kdf_params(),
                          by_worker=None, via="herstelcode")
    otto = team.unlock(fx.store, fx.other_id, "otto zijn nieuwe zin")
    assert not otto.is_coordinator and otto.escrow_private is None
    # And the other way round: a coördinator demoted in the column stays coördinator.
    con = _raw(fx)
    con.execute("UPDATE workers SET role = 'worker' WHERE id = ?", (fx.coordinator_id,))
    con.close()
    team.reset_passphrase(fx.store, team_key, escrow_private, fx.coordinator_id, "cora haar nieuwe zin", kdf_params(),
                          by_worker=None, via="herstelcode")
    cora = team.unlock(fx.store, fx.coordinator_id, "cora haar nieuwe zin")
    assert cora.is_coordinator and cora.escrow_private == escrow_private


def test_coordinator_emergency_access_is_logged(team_store, hanna_student):
    """A coördinator's escrow opens a file they are not involved in, and leaves an emergency_access entry."""
    fx = team_store
    cora = team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    assert cora.escrow_private is not None
    with pytest.raises(NotInvolved):
        students.read_file(fx.store, cora, hanna_student)
    entries = students.read_file_via_escrow(
        fx.store, cora, cora.escrow_private, hanna_student,
        coordinator_id=fx.coordinator_id, reason_code="acuut-gevaar",
    )
    assert [e.payload for e in entries] == [NOTE]
    last = _audit_rows(fx.store)[-1]
    assert last.event == "emergency_access"
    assert (last.student_id, last.worker_id, last.on_behalf_of, last.detail) == (
        hanna_student, fx.coordinator_id, fx.coordinator_id, "acuut-gevaar",
    )
    assert _verify(fx.store, cora).ok


def test_four_eyes_emergency_access_by_worker(team_store, hanna_student):
    """Otto with Cora's passphrase at the laptop reads the file; the log names both."""
    fx = team_store
    otto = team.unlock(fx.store, fx.other_id, OTHER_PASS)
    with pytest.raises(WrongPassphrase):
        team.check_passphrase(fx.store, fx.coordinator_id, "geraden")
    cora = team.check_passphrase(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    entries = students.read_file_via_escrow(
        fx.store, otto, cora.escrow_private, hanna_student,
        coordinator_id=fx.coordinator_id, reason_code="acuut-gevaar",
    )
    assert entries[0].payload == NOTE
    last = _audit_rows(fx.store)[-1]
    assert (last.event, last.worker_id, last.on_behalf_of) == (
        "emergency_access", fx.other_id, fx.coordinator_id,
    )


def test_non_involved_worker_can_append_but_not_read_back(team_store, hanna_student):
    """Otto appends a note sealed to the student; Hanna reads it, Otto cannot."""
    fx = team_store
    otto = team.unlock(fx.store, fx.other_id, OTHER_PASS)
    entry_id = students.add_entry(fx.store, otto, hanna_student, "inloop", {"tekst": "kwam langs"})
    con = _raw(fx)
    sealed, body = con.execute(
        "SELECT sealed, body FROM file_entries WHERE id = ?", (entry_id,)
    ).fetchone()
    con.close()
    assert sealed == 1
    with pytest.raises(NotInvolved):
        students.read_file(fx.store, otto, hanna_student)
    for c in _team_derived_candidates(otto):
        with pytest.raises(DecryptionError):
            open_sealed(c, body, files.entry_context(entry_id, hanna_student), "x")
    hanna = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    payloads = {e.id: e.payload for e in students.read_file(fx.store, hanna, hanna_student)}
    assert payloads[entry_id] == {"tekst": "kwam langs"}
    assert NOTE in payloads.values()


def test_involving_a_worker_grants_read(team_store, hanna_student):
    """Hanna involves Otto: from then on Otto's own key opens the file."""
    fx = team_store
    hanna = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    students.involve_worker(fx.store, hanna, hanna_student, fx.other_id)
    otto = team.unlock(fx.store, fx.other_id, OTHER_PASS)
    assert students.read_file(fx.store, otto, hanna_student)[0].payload == NOTE


def test_worker_cannot_manage_the_team(team_store):
    """A worker (not a coördinator) can neither add nor deactivate workers."""
    fx = team_store
    hanna = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    with pytest.raises(NotAllowed):
        team.add_worker(
            fx.store, hanna, team.WorkerDetails("X", "X", team.WORKER, "o"), "zin", kdf_params()
        )
    with pytest.raises(NotAllowed):
        team.deactivate_worker(fx.store, hanna, fx.other_id)


# --- worker names: printable, within the limit ---------------------------------------------

# The audit's example: 254 characters starting with Chinese, which no PDF font prints (it came out as ???).
LONG_CJK = "王小明" + "x" * 251
UNPRINTABLE = "Deze tekens kan het programma niet afdrukken"


@pytest.mark.parametrize(
    ("full_name", "initials", "organisation", "field", "phrase"),
    [
        (LONG_CJK, "WX", "ggz", "full_name", "hoogstens 60 tekens, nu 254"),
        ("王小明", "WX", "ggz", "full_name", f"{UNPRINTABLE}: 王 小 明"),
        ("Li 王", "LW", "ggz", "full_name", f"{UNPRINTABLE}: 王"),
        ("a" * 61, "AA", "ggz", "full_name", "hoogstens 60 tekens, nu 61"),
        ("Li Wang", "L王", "ggz", "initials", f"{UNPRINTABLE}: 王"),
        ("Li Wang", "L" * 21, "ggz", "initials", "hoogstens 20 tekens, nu 21"),
        ("Li Wang", "LW", "明德", "organisation", f"{UNPRINTABLE}: 明 德"),
        ("Li Wang", "LW", "o" * 101, "organisation", "hoogstens 100 tekens, nu 101"),
        (" \x1b[31m\x07 ", "LW", "ggz", "full_name", "Vul de volledige naam in."),
    ],
)
def test_a_worker_name_the_pdfs_cannot_print_or_too_long_is_refused_everywhere(
    team_store, tmp_path, full_name, initials, organisation, field, phrase,
):
    """Adding a worker (worker add, Team beheren) and making a team (init, the wizard) refuse the same names in Dutch."""
    from jongerenteam import start
    from jongerenteam.domain import ValidationError
    from jongerenteam.session import TeamSession

    fx = team_store
    details = team.WorkerDetails(full_name, initials, team.WORKER, organisation)
    cora = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    before = [w.id for w in fx.store.workers(active_only=False)]
    with pytest.raises(ValidationError) as refused:
        cora.team.add_worker(details, "fiets regen koffie bergop", kdf_params())
    assert (refused.value.field, phrase in refused.value.message) == (field, True), refused.value.message
    assert [w.id for w in fx.store.workers(active_only=False)] == before

    store = start.create_store(str(tmp_path / "nieuw.jt"))
    try:
        first = team.WorkerDetails(full_name, initials, team.COORDINATOR, organisation)
        with pytest.raises(ValidationError) as refused:
            start.create_team(store, "Team Zuid", first, "fiets regen koffie bergop")
        assert (refused.value.field, phrase in refused.value.message) == (field, True), refused.value.message
        assert store.team() is None
    finally:
        store.close()


def test_long_names_of_many_scripts_are_accepted_for_a_worker(team_store):
    """What the PDFs can print, up to 60 characters, is a worker's name as typed."""
    from jongerenteam.session import TeamSession

    fx = team_store
    cora = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    names = ["Maria Johanna Theodora van den Broek-Al Hashimi", "Nguyễn Thị Minh Khai محمد", "Ærøskøbing " + "ł" * 49]
    for i, name in enumerate(names):
        cora.team.add_worker(team.WorkerDetails(name, f"N{i}", team.WORKER, "ggz"), "fiets regen koffie bergop", kdf_params())
    assert {w.full_name for w in fx.store.workers()} >= set(names)


# --- revocation ------------------------------------------------------------------


def test_deactivated_worker_opens_nothing(team_store, hanna_student):
    """After deactivation Hanna's passphrase opens nothing and her key material is gone."""
    fx = team_store
    hanna_before = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    with fx.store.session() as s:
        old_slot = s.scalar(select(KeySlot).where(KeySlot.worker_id == fx.worker_id))
        old_wrap = s.scalar(
            select(StudentKeyWrap).where(StudentKeyWrap.recipient == fx.worker_id)
        )
    cora = team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    assert team.deactivate_worker(fx.store, cora, fx.worker_id) == 1
    with pytest.raises((WorkerInactive, WrongPassphrase)):
        team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    with pytest.raises((WorkerInactive, WrongPassphrase)):
        team.check_passphrase(fx.store, fx.worker_id, WORKER_PASS)
    # Even if someone flips her back to active with raw SQL, no slot is left to open.
    con = _raw(fx)
    con.execute("UPDATE workers SET active = 1 WHERE id = ?", (fx.worker_id,))
    assert con.execute(
        "SELECT count(*) FROM key_slots WHERE worker_id = ?", (fx.worker_id,)
    ).fetchone() == (0,)
    assert con.execute(
        "SELECT count(*) FROM student_key_wraps WHERE recipient = ?", (fx.worker_id,)
    ).fetchone() == (0,)
    con.close()
    with pytest.raises((WorkerInactive, WrongPassphrase)):
        team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    # Her old in-memory keys no longer find a wrap either.
    with pytest.raises(NotInvolved):
        students.read_file(fx.store, hanna_before, hanna_student)
    # The old slot and wrap are not left readable in the file (secure_delete, checkpoint).
    fx.store.checkpoint()
    for p in fx.path.parent.iterdir():
        data = p.read_bytes()
        assert old_slot.wrapped not in data, p.name
        assert old_wrap.wrapped not in data, p.name
    # The file is not lost: the escrow still opens it.
    assert students.read_file_via_escrow(
        fx.store, cora, cora.escrow_private, hanna_student,
        coordinator_id=fx.coordinator_id, reason_code="overdracht",
    )[0].payload == NOTE


def test_deactivated_coordinator_loses_escrow_wrap(team_store):
    """Deactivating a second coördinator removes their escrow wrap and slot."""
    fx = team_store
    cora = team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    cees_id = team.add_worker(
        fx.store, cora, team.WorkerDetails("Cees Co", "CC2", team.COORDINATOR, "school"),
        "cees zijn zin", kdf_params(),
    )
    assert team.unlock(fx.store, cees_id, "cees zijn zin").escrow_private == cora.escrow_private
    team.deactivate_worker(fx.store, cora, cees_id)
    with fx.store.session() as s:
        assert s.get(EscrowWrap, cees_id) is None
        assert s.scalar(select(KeySlot).where(KeySlot.worker_id == cees_id)) is None
    with pytest.raises((WorkerInactive, WrongPassphrase)):
        team.unlock(fx.store, cees_id, "cees zijn zin")
    done = [r for r in _audit_rows(fx.store) if r.event == "worker_deactivated"]
    assert [r.on_behalf_of for r in done] == [cees_id]


# --- recovery --------------------------------------------------------------------


def test_recovery_code_resets_a_passphrase(team_store, hanna_student):
    """With the recovery code Hanna gets a new passphrase; old fails, files open, audit shows it."""
    fx = team_store
    team_key, escrow_private = team.unlock_recovery(fx.store, fx.recovery_code)
    assert team_key == team.unlock(fx.store, fx.other_id, OTHER_PASS).team_key
    rewrapped = team.reset_passphrase(
        fx.store, team_key, escrow_private, fx.worker_id, "nieuwe zin na herstel", kdf_params(),
        by_worker=None, via="herstelcode",
    )
    assert rewrapped == 1
    with pytest.raises(WrongPassphrase):
        team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    hanna = team.unlock(fx.store, fx.worker_id, "nieuwe zin na herstel")
    assert students.read_file(fx.store, hanna, hanna_student)[0].payload == NOTE
    rows = _audit_rows(fx.store)
    rec = [r for r in rows if r.event == "recovery"]
    assert len(rec) == 1 and rec[0].on_behalf_of == fx.worker_id
    assert "herstelcode" in rec[0].detail
    assert _verify(fx.store, hanna).ok


def test_recovery_code_accepts_sloppy_typing(team_store):
    """The recovery code opens when typed in lower case, with spaces and O for zero."""
    fx = team_store
    typed = fx.recovery_code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    _team_key, escrow_private = team.unlock_recovery(fx.store, typed)
    assert escrow_private == team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS).escrow_private


def test_wrong_recovery_code_refused(team_store):
    """A wrong recovery code is refused and logged as a failed login."""
    fx = team_store
    code = fx.recovery_code
    wrong = code[:-1] + ("0" if code[-1] != "0" else "2")
    with pytest.raises(WrongPassphrase):
        team.unlock_recovery(fx.store, wrong)
    last = _audit_rows(fx.store)[-1]
    assert (last.event, last.detail) == ("failed_login", "recovery")


def test_coordinator_reset_by_recovery_keeps_escrow(team_store, hanna_student):
    """Resetting the coördinator's passphrase by recovery keeps their emergency access working."""
    fx = team_store
    team_key, escrow_private = team.unlock_recovery(fx.store, fx.recovery_code)
    team.reset_passphrase(
        fx.store, team_key, escrow_private, fx.coordinator_id, "cora nieuw", kdf_params(),
        by_worker=None, via="herstelcode",
    )
    with pytest.raises(WrongPassphrase):
        team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    cora = team.unlock(fx.store, fx.coordinator_id, "cora nieuw")
    assert cora.escrow_private == escrow_private
    assert students.read_file_via_escrow(
        fx.store, cora, cora.escrow_private, hanna_student,
        coordinator_id=fx.coordinator_id, reason_code="test",
    )[0].payload == NOTE


def test_login_of_a_deactivated_worker_is_refused_and_logged(team_store):
    """A deactivated worker's attempt is refused and leaves a failed_login entry naming them."""
    fx = team_store
    cora = team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    team.deactivate_worker(fx.store, cora, fx.other_id)
    before = len(_audit_rows(fx.store))
    with pytest.raises(WorkerInactive):
        team.unlock(fx.store, fx.other_id, OTHER_PASS)
    new = _audit_rows(fx.store)[before:]
    assert [(r.event, r.worker_id, r.detail) for r in new] == [("failed_login", fx.other_id, "niet actief")]


def test_emergency_access_needs_a_reason(team_store, hanna_student):
    """Break-glass without a reason is refused and nothing is opened or logged as access."""
    fx = team_store
    cora = team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    before = len(_audit_rows(fx.store))
    with pytest.raises(NotAllowed):
        students.read_file_via_escrow(
            fx.store, cora, cora.escrow_private, hanna_student,
            coordinator_id=fx.coordinator_id, reason_code="  ",
        )
    assert not any(r.event == "emergency_access" for r in _audit_rows(fx.store)[before:])
