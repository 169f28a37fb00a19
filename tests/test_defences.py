"""Defences no test caught when they were taken out (issue 18, "Tests that can fail").

Each test here goes through the real path (a use case on an unlocked
session, the unlock itself, or the command's entry function) and fails when
the one defence it names is removed; ``scripts/remove_defences.py`` removes
each defence in turn and checks that. Tests taking ``store_url`` run on
SQLite and on PostgreSQL: those defences are about the store.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from jongerenteam import consent as cn
from jongerenteam import handover as h
from jongerenteam import report as rp
from jongerenteam import spreekuur as intake
from jongerenteam.domain import StudentDetails, ValidationError
from jongerenteam.session import TeamSession
from storage import audit, clock, students, team
from storage import handover as store_handover
from storage import rights as store_rights
from storage.crypto import new_signing_key, sign
from storage.errors import NotAllowed, Reason, StoreError
from storage.models import AuditEntry
from storage.store import Store
from tests.support import CANARY_NOTE, COORDINATOR_PASS, OTHER_PASS, WORKER_PASS, make_team, session

TODAY = date(2026, 11, 23)  # a Monday
NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def fx(store_url):
    """A team on SQLite and on PostgreSQL."""
    team_fx = make_team(store_url)
    yield team_fx
    team_fx.store.close()


@pytest.fixture
def fixed_clock():
    clock.set_clock(lambda: NOW)
    yield
    clock.set_clock(None)


def _raw(store: Store, sql: str, **params) -> list:
    """Raw SQL past the application, as someone with the files would."""
    with store.engine.begin() as conn:
        result = conn.execute(text(sql), params)
        return result.fetchall() if result.returns_rows else []


def _events(store: Store, event: str) -> list[AuditEntry]:
    with store.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.event == event)).all())


def _student(s: TeamSession, birth: date, first_name: str = "Noor", municipality: str = "GM0193"):
    details = StudentDetails(
        first_name=first_name, last_name="Visser", birth_date=birth, programme="Verzorgende IG", level="2",
        municipality_code=municipality,
    )
    return s.spreekuur.register_student(details, status="lopend", today=TODAY)


# -- the handover gate: who gave the consent, and whether it still holds ------------------------------------


BUDGETCOACH = h.Receiver("vrij", "Femke Budget", "budgetcoach", "Budgetcoach Zwolle")


def _consent(s: TeamSession, student_id: str, given_by: str = "student", *, on: date = TODAY,
             valid_until: date | None = None) -> str:
    return s.consent.add_consent(student_id, cn.NewConsent(
        cn.ConsentWith("organisatie", "Budgetcoach Zwolle"), [cn.ALL_DOMAINS], "overdracht naar de budgetcoach",
        given_by, "mondeling", on, valid_until,
    ))


def _propose(s: TeamSession, student_id: str) -> h.HandoverRow:
    proposal = h.Proposal(h.EXTERN, BUDGETCOACH, "Samen naar de budgetcoach.", student_view="akkoord",
                          follow_up=TODAY + timedelta(days=14))
    return s.handover.propose_handover(student_id, proposal)


def _refused_by_the_gate(s: TeamSession, fx, student_id: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _propose(s, student_id)
    assert refused.value.field == "legal_ground"
    assert "geen geldige toestemming" in str(refused.value)
    assert store_handover.handovers(fx.store, student_id=student_id) == []


def test_a_fifteen_year_olds_own_consent_alone_does_not_open_the_handover(team_store, fixed_clock):
    """From 12 to 16 the student and the parents consent together (Jeugdwet/WGBO): the student's
    own 'yes' is not enough to send her file out, nor the parents' alone. Given together ('student
    en ouders'), or each on its own for the same receiver (as families do), the same handover goes."""
    hanna = session(team_store)
    rec = _student(hanna, birth=date(2011, 3, 1))  # 15 today
    _consent(hanna, rec.id, "student")
    _refused_by_the_gate(hanna, team_store, rec.id)
    other = _student(hanna, birth=date(2011, 3, 1), first_name="Sara")
    _consent(hanna, other.id, "ouders")  # nor the parents alone
    _refused_by_the_gate(hanna, team_store, other.id)
    _consent(hanna, rec.id, "ouders", on=TODAY - timedelta(days=3))  # the parents, on another day
    assert _propose(hanna, rec.id).state == h.PROPOSED
    _consent(hanna, other.id, "beide")
    assert _propose(hanna, other.id).state == h.PROPOSED


def test_a_withdrawn_consent_does_not_open_the_handover(team_store, fixed_clock):
    hanna = session(team_store)
    rec = _student(hanna, birth=date(2007, 3, 1))  # 19: the student alone decides
    consent_id = _consent(hanna, rec.id, on=date(2026, 9, 1))
    given = hanna.dossier.open_dossier(rec.id, log=False).consent(consent_id)
    assert hanna.consent.withdraw_consent(rec.id, given, on=date(2026, 11, 20))
    _refused_by_the_gate(hanna, team_store, rec.id)
    _consent(hanna, rec.id)  # asked again, today
    assert _propose(hanna, rec.id).state == h.PROPOSED


def test_an_expired_consent_does_not_open_the_handover(team_store, fixed_clock):
    hanna = session(team_store)
    rec = _student(hanna, birth=date(2007, 3, 1))
    _consent(hanna, rec.id, on=date(2025, 9, 1), valid_until=date(2026, 9, 1))
    _refused_by_the_gate(hanna, team_store, rec.id)
    _consent(hanna, rec.id, on=date(2025, 9, 1), valid_until=TODAY)  # valid up to and including today
    assert _propose(hanna, rec.id).state == h.PROPOSED


# -- small counts in the rapportage: never published as themselves (cell key method) -------------------------


def test_small_counts_are_never_published_as_themselves(team_store, fixed_clock):
    """One and then two walk-ins from one woongemeente read 0 or 3 wherever they are counted,
    whatever their random record keys; the perturbation table does so for every cell key."""
    from jongerenteam.report import cellkey

    hanna = session(team_store)
    coordinator = session(team_store, "coordinator")
    quarter = rp.quarter_of(TODAY)

    def figures() -> set[str]:
        report = coordinator.report.report(quarter)
        kern = {label: cells[0].text for label, cells in report.table("kern").rows}
        niveau = {label: cells[0].text for label, cells in report.table("niveau").rows}
        return {kern["Studenten geholpen (gesprek of inloop)"], kern["Inloop met naam"], niveau["niveau 2"],
                report.table("gemeente").total[1][0].text}

    def walk_in(i: int) -> None:
        details = StudentDetails(first_name=f"Sam{i}", last_name="de Vries", birth_date=date(2008, 12, 3),
                                 programme="Verzorgende IG", level="2", municipality_code="GM0344")
        hanna.spreekuur.register_walk_in(details, intake.WalkIn(hulpvraag="geld", leefdomeinen=["inkomen"]), today=TODAY)

    walk_in(0)
    assert figures() <= {"0", "3"}
    assert coordinator.report.report(quarter, "GM0344").tables == []  # and no profile of the one student
    walk_in(1)
    assert figures() <= {"0", "3"}
    for n in (1, 2):  # every cell key, on a fine grid
        assert {cellkey.perturb(n, k) for k in range(0, cellkey.KEY_SPACE, cellkey.KEY_SPACE // 4096)} == {0, 3}
    assert all(cellkey.perturb(n, k) >= 3 for n in (3, 4, 5) for k in range(0, cellkey.KEY_SPACE, 1 << 20))


# -- the old helper's read access: the wrap itself goes -----------------------------------------------------


def test_the_old_helpers_sealed_key_is_deleted_when_the_read_along_ends(fx, fixed_clock):
    """After an internal handover Hanna reads along for 10 days. Past the end the lookups ignore her
    wrap at once; the next unlock (anyone's) also deletes the row, so the student key sealed to her
    is no longer in the store at all (a copy of the file, or raw code with her private key, finds nothing)."""
    hanna = session(fx)
    rec = _student(hanna, birth=date(2007, 3, 1))
    hanna.consent.add_consent(rec.id, cn.NewConsent(
        cn.ConsentWith("rol", "jongerenteam"), [cn.ALL_DOMAINS], "overdracht binnen het team", "student", "mondeling", TODAY,
    ))
    otto_receiver = h.Receiver("medewerker", "Otto Collega", worker_id=fx.other_id)
    row = hanna.handover.propose_handover(
        rec.id, h.Proposal(h.INTERN, otto_receiver, "Overdracht aan Otto.", student_view="akkoord", access_days=10),
    )
    otto = session(fx, "other")
    otto.handover.accept_handover(row)

    def hannas_wraps() -> int:
        return _raw(fx.store, "SELECT count(*) FROM student_key_wraps WHERE student_id = :s AND recipient = :w",
                    s=rec.id, w=fx.worker_id)[0][0]

    assert hannas_wraps() == 1  # read-along: her wrap stays, with its end
    clock.set_clock(lambda: NOW + timedelta(days=10, seconds=1))
    session(fx, "other")
    assert hannas_wraps() == 0
    assert fx.worker_id not in students.involved_workers(fx.store, rec.id)
    (ended,) = [e for e in _events(fx.store, "handover") if e.detail == "leestoegang verlopen"]
    assert (ended.student_id, ended.on_behalf_of) == (rec.id, fx.worker_id)
    # Otto's own wrap is untouched.
    assert _raw(fx.store, "SELECT count(*) FROM student_key_wraps WHERE student_id = :s AND recipient = :w",
                s=rec.id, w=fx.other_id)[0][0] == 1


# -- hide_parameters: an SQL error does not carry the values it was given ---------------------------------


def _chain(exc: BaseException | None) -> list[BaseException]:
    """The exception and every one it was raised from or during (``from None`` hides, but keeps, the context)."""
    out: list[BaseException] = []
    while exc is not None and exc not in out:
        out.append(exc)
        exc = exc.__cause__ or exc.__context__
    return out


def test_an_sql_error_does_not_carry_the_values_it_was_given(fx):
    """A failing statement with a canary as its parameter, through the store's own engine: neither
    the store's error nor the database error under it (kept as its context) says the canary."""
    with pytest.raises(StoreError) as caught, fx.store.session() as s:
        s.execute(text("SELECT :value FROM no_such_table"), {"value": CANARY_NOTE})
    chain = _chain(caught.value)
    assert len(chain) >= 2, chain  # the database error is there to look at
    for exc in chain:
        for said in (str(exc), repr(exc), *(str(a) for a in exc.args)):
            assert CANARY_NOTE not in said, type(exc)
    # The same through a raw connection on the engine (what migrations and the backup use).
    with fx.store.engine.connect() as conn, pytest.raises(DBAPIError) as raw:
        conn.execute(text("SELECT :value FROM no_such_table"), {"value": CANARY_NOTE})
    assert "no_such_table" in str(raw.value)  # the statement is said, the value is not
    assert CANARY_NOTE not in str(raw.value)


# -- no core dumps --------------------------------------------------------------------------------------------


_CORE_LIMIT = """
import resource, sys
soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
resource.setrlimit(resource.RLIMIT_CORE, (hard if hard != resource.RLIM_INFINITY else 1 << 30, hard))
before = resource.getrlimit(resource.RLIMIT_CORE)[0]
from jongerenteam.cli import main
code = main(["worker", "list", "--store", sys.argv[1]])
after = resource.getrlimit(resource.RLIMIT_CORE)
print(before, after[0], after[1], code)
"""


def test_the_command_turns_core_dumps_off_before_anything_else(tmp_path):
    """The command's entry function (the app and every subcommand start there) sets the core limit
    to 0, soft and hard: a crash must not write decrypted data to disk. Run in a child process that
    first allows core dumps, so the test does not depend on the machine's own limit."""
    proc = subprocess.run([sys.executable, "-c", _CORE_LIMIT, str(tmp_path / "geen.jt")], capture_output=True,
                          text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    before, soft, hard, _code = proc.stdout.split()
    if before == "0":
        pytest.skip("core dumps cannot be allowed here (hard limit 0): nothing to turn off")
    assert (soft, hard) == ("0", "0")


# -- noodtoegang: a reason code from the list -------------------------------------------------------------------


def test_noodtoegang_without_a_valid_reason_code_is_refused(team_store, fixed_clock):
    """No reason, a made-up one, or a near miss: refused before the coördinator's passphrase is even
    tried; nothing is read, logged or written in the file. A code from the list opens it."""
    hanna = session(team_store)
    details = StudentDetails(first_name="Sam", last_name="de Vries", birth_date=date(2007, 3, 1),
                             programme="Verzorgende IG", level="3")
    rec = hanna.spreekuur.register_walk_in(details, intake.WalkIn(hulpvraag="geheim verhaal"), today=TODAY)
    otto = session(team_store, "other")
    for reason in ("", "zomaar", " veiligheid", "VEILIGHEID"):
        with pytest.raises(NotAllowed) as refused:
            otto.spreekuur.emergency_read(rec.id, team_store.coordinator_id, COORDINATOR_PASS, reason, "even kijken")
        assert refused.value.reason == Reason.REASON_NEEDED, reason
    assert _events(team_store.store, "emergency_access") == []
    assert _events(team_store.store, "failed_login") == []
    entries = otto.spreekuur.emergency_read(rec.id, team_store.coordinator_id, COORDINATOR_PASS, "veiligheid", "in paniek")
    assert entries[0].payload["hulpvraag"] == "geheim verhaal"
    (entry,) = _events(team_store.store, "emergency_access")
    assert entry.detail == "veiligheid"


def test_the_store_refuses_an_escrow_read_without_a_reason(team_store):
    """The store's own check, for a caller that skips the use case: no reason, no escrow read."""
    coordinator = team.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    hanna = session(team_store)
    rec = _student(hanna, birth=date(2007, 3, 1))
    otto = team.unlock(team_store.store, team_store.other_id, OTHER_PASS)
    for reason in ("", "   "):
        with pytest.raises(NotAllowed) as refused:
            students.read_file_via_escrow(team_store.store, otto, coordinator.escrow_private, rec.id,
                                          coordinator_id=team_store.coordinator_id, reason_code=reason)
        assert refused.value.reason == Reason.EMERGENCY_NEEDS_REASON
    assert _events(team_store.store, "emergency_access") == []


# -- the signed log: who may write what, and the head's own signature ---------------------------------------------


def _coordinator_verify(fx) -> audit.Verification:
    session = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS, check=False)
    try:
        return session.team.verify_audit()
    finally:
        session.lock()


def test_a_workers_own_signed_coordinator_entry_is_seen_by_verify(fx):
    """Hanna writes 'worker_added' with raw code and her own keys: sealed, signed by her, naming her.
    Only a coördinator writes that event, so verify says it was done without the right to."""
    keys = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    with fx.store.session() as s:
        audit.append(s, keys, "worker_added", worker_id=fx.worker_id, on_behalf_of=fx.other_id, detail="coordinator")
    result = _coordinator_verify(fx)
    assert (result.ok, result.reason) == (False, "gedaan zonder bevoegdheid")
    assert _events(fx.store, "worker_added")[-1].seq == result.first_broken_seq


def test_a_head_signed_with_a_key_nobody_granted_is_seen_by_verify(fx):
    """While a coördinator's session is open, someone with the team key moves the head back (the
    newest entries cut, a correct head MAC) and signs it with a key no grant holds: verify sees it."""
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS, check=False)
    try:
        session(fx, "other").lock()  # Otto writes his login and lock
        keys = team.unlock(fx.store, fx.worker_id, WORKER_PASS, event=None)
        newest = _raw(fx.store, "SELECT max(seq) FROM audit_log")[0][0]
        cut = newest - 2
        _raw(fx.store, "DELETE FROM audit_log WHERE seq > :cut", cut=cut)
        (last,) = _raw(fx.store, "SELECT mac FROM audit_log WHERE seq = :seq", seq=cut)[0]
        last = bytes(last)
        seed, _ = new_signing_key()
        _raw(fx.store, "UPDATE audit_head SET seq = :seq, mac = :mac, head_mac = :hm, signer = :w, sig = :sig",
             seq=cut, mac=last, hm=audit._head_mac(keys.audit_key, cut, last), w=fx.worker_id,
             sig=sign(seed, audit._head_message(cut, last)))
        result = coordinator.team.verify_audit()
        assert (result.ok, result.reason) == (False, "ankerpunt niet ondertekend")
    finally:
        coordinator.lock()


# -- retention terms: signed by a coördinator, not by any worker ----------------------------------------------


def test_retention_terms_signed_by_a_worker_do_not_count(fx):
    """Hanna writes shorter terms (still within the law) and signs them with her own, granted key:
    only a coördinator's signature counts, so the defaults apply and the service says so."""
    keys = team.unlock(fx.store, fx.worker_id, WORKER_PASS, event=None)
    terms = '{"jeugdwet":20,"school":1}'
    _raw(fx.store, "UPDATE team SET retention = :r, retention_signer = :w, retention_sig = :sig",
         r=terms, w=fx.worker_id, sig=sign(keys.sign_seed, store_rights._retention_message(terms)))
    coordinator = session(fx, "coordinator")
    try:
        assert coordinator.rights.retention_years() == {"school": 2, "jeugdwet": 20, "kort": 1}
        assert coordinator.rights.retention_set_aside()
        # The same terms set by the coördinator count.
        coordinator.rights.set_retention_years({"school": 1, "jeugdwet": 20}, version=coordinator.team.settings_version())
        assert coordinator.rights.retention_years() == {"school": 1, "jeugdwet": 20, "kort": 1}
        assert not coordinator.rights.retention_set_aside()
    finally:
        coordinator.lock()


def test_retention_terms_in_a_coordinators_name_without_their_signature_do_not_count(fx):
    """Hanna names the coördinator as the signer of her terms, but can only sign with her own key:
    the signature must hold for the signer it names."""
    keys = team.unlock(fx.store, fx.worker_id, WORKER_PASS, event=None)
    terms = '{"jeugdwet":20,"school":1}'
    _raw(fx.store, "UPDATE team SET retention = :r, retention_signer = :w, retention_sig = :sig",
         r=terms, w=fx.coordinator_id, sig=sign(keys.sign_seed, store_rights._retention_message(terms)))
    coordinator = session(fx, "coordinator")
    try:
        assert coordinator.rights.retention_years() == {"school": 2, "jeugdwet": 20, "kort": 1}
        assert coordinator.rights.retention_set_aside()
    finally:
        coordinator.lock()
