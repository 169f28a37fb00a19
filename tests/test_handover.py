"""The warme overdracht on a real store (SQLite and PostgreSQL): consent
gating of the document, key wrapping on acceptance, the old helper's read
access ending with a fake clock, the states, the caseload transfer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from jongerenteam import consent as cn
from jongerenteam import dossier as d
from jongerenteam import handover as h
from jongerenteam.domain import StudentDetails, ValidationError
from jongerenteam.session import TeamSession
from storage import clock, students
from storage import handover as store_handover
from storage.errors import NotAllowed, NotInvolved
from tests.support import TODAY, session

pytestmark = pytest.mark.backends("sqlite", "postgresql")


def student(s: TeamSession, first="Leonie", birth=date(2009, 1, 20), **kw):
    details = StudentDetails(first_name=first, last_name="de Boer", birth_date=birth,
                             programme="Helpende Zorg en Welzijn", level="2", year=1,
                             leefdomeinen=["inkomen", "welzijn"], **kw)
    rec = s.spreekuur.register_student(details, status="lopend", today=TODAY)
    return rec


def consent(s, rec, name, about, kind="organisatie", map_id=None):
    return s.consent.add_consent(rec.id, cn.NewConsent(
        cn.ConsentWith(kind, name, map_id), list(about), "overdracht", "student", "mondeling", TODAY))


def fill(s, rec):
    """A file touching three domains: inkomen, veiligheid, welzijn."""
    s.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", datetime(2026, 11, 20, 10), 45, ["Leonie"],
                                 "Thuis is het onveilig; ze slaapt soms bij een vriendin."))
    s.dossier.add_score(rec.id, d.NewScore("inkomen", 2, TODAY, "schulden bij de telefoonaanbieder"))
    s.dossier.add_score(rec.id, d.NewScore("veiligheid", 1, TODAY, "onveilig thuis"))
    s.dossier.add_score(rec.id, d.NewScore("welzijn", 3, TODAY, ""))
    s.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("student"), "Brief van de bank meenemen", TODAY + timedelta(days=7)))


def external_receiver(name="Budgetcoach Zwolle"):
    return h.Receiver("vrij", "Femke Budget", "budgetcoach", name)


def test_document_holds_only_what_the_student_consented_to(team_store, fixed_clock):
    s = session(team_store)
    rec = student(s)
    fill(s, rec)
    receiver = external_receiver()
    # No consent for this receiver: the wizard stops.
    comp = s.handover.compose_handover(rec.id, h.EXTERN, receiver)
    assert comp.blocked and not comp.sections
    # Consent about inkomen only, with the organisation.
    consent(s, rec, "Budgetcoach Zwolle", ["inkomen"])
    comp = s.handover.compose_handover(rec.id, h.EXTERN, receiver)
    assert not comp.blocked
    text = comp.text
    assert "Inkomen / schulden: 2" in text or "Inkomen" in text
    assert "Veiligheid" not in text and "onveilig" not in text.lower()
    assert "Brief van de bank" not in text  # agreements need consent about everything
    left = dict(comp.left_out)
    assert any("Veiligheid" in what for what in left)
    assert "Open werkafspraken" in left
    # Proposed and exported: the stored document and its export have no veiligheid either.
    # The parts only the worker can write must be filled in first.
    proposal = h.Proposal(h.EXTERN, receiver, text, comp.left_out, student_view="akkoord",
                          follow_up=TODAY + timedelta(days=14))
    with pytest.raises(ValidationError) as exc:
        s.handover.propose_handover(rec.id, proposal)
    assert exc.value.field == "document"
    proposal.document = h.without_placeholders(text, "Geen bijzonderheden.")
    row = s.handover.propose_handover(rec.id, proposal)
    view = s.handover.handovers_of(rec.id)[0]
    assert view.row.id == row.id and view.row.state == h.PROPOSED
    exported = s.handover.export_handover(view)
    assert "Veiligheid" not in exported and "onveilig" not in exported.lower()
    assert "Femke Budget" in exported
    log = [line.what for line in s.dossier.file_log(rec.id)]
    assert any("overdrachtsdocument tekst" in w for w in log)
    assert any(w.startswith("overdracht") for w in log)


def test_a_legal_ground_lets_it_through_and_is_logged_and_shown(team_store, fixed_clock):
    s = session(team_store)
    rec = student(s)
    fill(s, rec)
    receiver = h.Receiver("vrij", "Veilig Thuis", "Veilig Thuis", "Veilig Thuis IJsselland")
    comp = s.handover.compose_handover(rec.id, h.EXTERN, receiver)
    assert comp.blocked
    proposal = h.Proposal(h.EXTERN, receiver, "Zorgen over de veiligheid thuis.", student_view="niet",
                          follow_up=TODAY, blocked=comp.blocked)
    with pytest.raises(ValidationError) as exc:
        s.handover.propose_handover(rec.id, proposal)
    assert exc.value.field == "legal_ground"
    proposal.legal_ground = "meldcode"
    with pytest.raises(ValidationError) as exc:
        s.handover.propose_handover(rec.id, proposal)
    assert exc.value.field == "legal_reason"
    proposal.legal_reason = "Stap 5 meldcode: melding na overleg met aandachtsfunctionaris."
    s.handover.propose_handover(rec.id, proposal)
    timeline = s.dossier.open_dossier(rec.id).timeline
    assert any("zonder toestemming" in t.note and "meldcode" in t.note for t in timeline)
    audit_details = [line.what for line in s.dossier.file_log(rec.id)]
    assert any("wettelijke grond: meldcode" in w for w in audit_details)
    # The reason itself (free text) is not in the audit log.
    assert not any("aandachtsfunctionaris" in w for w in audit_details)


def test_intern_receiver_gets_the_key_only_on_acceptance(team_store, fixed_clock):
    hanna = session(team_store)
    rec = student(hanna)
    fill(hanna, rec)
    otto_receiver = h.Receiver("medewerker", "Otto Collega", organisation="verslavingszorg", worker_id=team_store.other_id)
    # Consent about part of the file is not enough: Otto would see all of it.
    consent(hanna, rec, "verslavingszorg", ["welzijn"])
    assert hanna.handover.compose_handover(rec.id, h.INTERN, otto_receiver).blocked
    consent(hanna, rec, "het jongerenteam", [cn.ALL_DOMAINS], kind="organisatie")
    comp = hanna.handover.compose_handover(rec.id, h.INTERN, otto_receiver)
    assert not comp.blocked
    row = hanna.handover.propose_handover(rec.id, h.Proposal(h.INTERN, otto_receiver, h.without_placeholders(comp.text, "Geen."),
        student_view="akkoord"))
    otto = session(team_store, "other")
    # Before acceptance: Otto sees the proposal on Vandaag, cannot read the file.
    incoming = otto.handover.incoming_handovers()
    assert [v.row.id for v in incoming] == [row.id]
    assert incoming[0].student_name == "Leonie de Boer" and incoming[0].from_name == "Hanna Hulpverlener"
    with pytest.raises(NotInvolved):
        otto.dossier.open_dossier(rec.id)
    # Only the receiver accepts.
    with pytest.raises(NotAllowed):
        hanna.handover.accept_handover(row)
    row = otto.handover.accept_handover(incoming[0].row)
    assert row.state == h.ACCEPTED
    dossier = otto.dossier.open_dossier(rec.id)
    assert dossier.scores["veiligheid"][-1].score == 1
    assert otto.students[rec.id].contact_worker_id == team_store.other_id
    # Hanna keeps reading for 42 days, and both see until when.
    until = otto.handover.read_access_until(rec.id, team_store.worker_id)
    assert until == TODAY + timedelta(days=42)
    # Impossible steps are refused.
    with pytest.raises(ValidationError):
        otto.handover.confirm_contact(row)
    row = otto.handover.plan_meeting(row, TODAY + timedelta(days=3))
    assert row.state == h.MEETING and row.follow_up == TODAY + timedelta(days=3)
    row = otto.handover.plan_meeting(row, TODAY + timedelta(days=5))  # moved: still a kennismaking, new date
    assert row.state == h.MEETING and row.follow_up == TODAY + timedelta(days=5)
    row = otto.handover.finish_handover(row, "Kennismaking was goed.")
    assert row.state == h.DONE
    steps = otto.handover.handovers_of(rec.id)[0].steps
    assert [step[1] for step in steps] == [h.PROPOSED, h.ACCEPTED, h.MEETING, h.MEETING, h.DONE]
    assert steps[3][2] == f"Kennismaking verzet naar {TODAY + timedelta(days=5):%d-%m-%Y}."


def test_old_helper_loses_access_after_the_period_unless_extended(team_store, fixed_clock):
    hanna = session(team_store)
    rec = student(hanna)
    consent(hanna, rec, "jongerenteam", [cn.ALL_DOMAINS])
    otto_r = h.Receiver("medewerker", "Otto Collega", worker_id=team_store.other_id)
    row = hanna.handover.propose_handover(rec.id, h.Proposal(h.INTERN, otto_r, "Document", student_view="akkoord", access_days=10))
    otto = session(team_store, "other")
    row = otto.handover.accept_handover(row)
    start = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
    try:
        clock.set_clock(lambda: start + timedelta(days=9, hours=23))
        assert hanna.dossier.open_dossier(rec.id) is not None
        # Extended to 20 days by the new helper, before it ends.
        row = otto.handover.set_access_days(row, 20)
        clock.set_clock(lambda: start + timedelta(days=15))
        assert hanna.dossier.open_dossier(rec.id) is not None
        clock.set_clock(lambda: start + timedelta(days=20, seconds=1))
        # Past the end: refused at once, and the wrap is removed at the next unlock of someone on the file.
        with pytest.raises(NotInvolved):
            hanna.dossier.open_dossier(rec.id)
        session(team_store, "other")
        assert team_store.worker_id not in students.involved_workers(team_store.store, rec.id)
        assert otto.dossier.open_dossier(rec.id) is not None
        log = [line.what for line in otto.dossier.file_log(rec.id)]
        assert any("leestoegang verlopen" in w for w in log)
    finally:
        clock.set_clock(lambda: start)


def test_decline_removes_the_pending_key_and_keeps_the_contact(team_store, fixed_clock):
    hanna = session(team_store)
    rec = student(hanna)
    consent(hanna, rec, "jongerenteam", [cn.ALL_DOMAINS])
    otto_r = h.Receiver("medewerker", "Otto Collega", worker_id=team_store.other_id)
    row = hanna.handover.propose_handover(rec.id, h.Proposal(h.INTERN, otto_r, "Document", student_view="akkoord"))
    otto = session(team_store, "other")
    with pytest.raises(ValidationError):
        otto.handover.decline_handover(row, " ")
    row = otto.handover.decline_handover(row, "Geen plek tot februari.")
    assert row.state == h.DECLINED
    with pytest.raises(NotInvolved):
        otto.dossier.open_dossier(rec.id)
    assert hanna.students[rec.id].contact_worker_id == team_store.worker_id
    with team_store.store.reading() as q:
        from storage.models import Handover
        assert q.get(Handover, row.id).pending_wrap is None
    # Hanna reads Otto's reason (appended sealed: he could not read the file).
    texts = [t.note for t in hanna.dossier.open_dossier(rec.id).timeline]
    assert any("Geen plek tot februari" in t for t in texts)
    # A new handover may start now; the consent gate holds even when a caller
    # claims nothing blocks it (the use case composes again itself).
    proposal = h.Proposal(h.EXTERN, external_receiver(), "Doc", student_view="akkoord",
                          follow_up=TODAY + timedelta(days=14), blocked="")
    with pytest.raises(ValidationError) as exc:
        hanna.handover.propose_handover(rec.id, proposal)
    assert exc.value.field == "legal_ground"
    consent(hanna, rec, "Budgetcoach Zwolle", ["inkomen"])
    assert hanna.handover.propose_handover(rec.id, proposal).state == h.PROPOSED


def test_extern_follow_up_reaches_vandaag_until_contact(team_store, fixed_clock):
    hanna = session(team_store)
    rec = student(hanna)
    consent(hanna, rec, "Budgetcoach Zwolle", ["inkomen"])
    row = hanna.handover.propose_handover(rec.id, h.Proposal(
        h.EXTERN, external_receiver(), "Doc", student_view="akkoord", follow_up=TODAY + timedelta(days=14)))
    # Only one open handover at a time.
    with pytest.raises(ValidationError):
        hanna.handover.propose_handover(rec.id, h.Proposal(
            h.ADULT, external_receiver(), "Doc", student_view="akkoord", follow_up=TODAY + timedelta(days=14)))
    assert not [r for r in hanna.spreekuur.today(TODAY).due if "overdracht" in r.text]
    later = TODAY + timedelta(days=14)
    due = [r for r in hanna.spreekuur.today(later).due if "overdracht" in r.text]
    assert len(due) == 1 and due[0].record.id == rec.id
    # Typos in dates: far ahead, or contact before the handover was proposed.
    for call, field in ((lambda: hanna.handover.set_follow_up(row, date(3000, 1, 1)), "follow_up"),
                        (lambda: hanna.handover.confirm_contact(row, date(1900, 1, 1)), "on")):
        with pytest.raises(ValidationError) as err:
            call()
        assert err.value.field == field
    assert "eerder zijn dan de overdracht" in err.value.message
    row = hanna.handover.confirm_contact(row, TODAY, "Eerste afspraak bij de budgetcoach was op maandag.")
    assert row.state == h.CONTACT and row.follow_up is None
    assert not [r for r in hanna.spreekuur.today(later).due if "overdracht" in r.text]
    with pytest.raises(ValidationError):
        hanna.handover.accept_handover(row)
    assert hanna.handover.finish_handover(row).state == h.DONE


def test_caseload_transfer_moves_each_student_warmly(team_store, fixed_clock):
    """Hanna moves her own caseload: a warm proposal per student whose consent allows it, the
    others skipped with the reason. A coördinator moving it opens no file: each colleague becomes
    contact person at once and takes the file once the student's consent is in it."""
    hanna = session(team_store)
    a = student(hanna, first="Anna")
    b = student(hanna, first="Bram")
    c = student(hanna, first="Cem")
    for rec in (a, b):
        consent(hanna, rec, "jongerenteam", [cn.ALL_DOMAINS])
    consent(hanna, c, "verslavingszorg", ["welzijn"])  # not enough for an internal receiver
    assert {r.id for r in hanna.handover.caseload_of(team_store.worker_id)} == {a.id, b.id, c.id}
    result = hanna.handover.transfer_caseload(
        team_store.worker_id, {a.id: team_store.other_id, c.id: team_store.other_id})
    assert result.proposed == [a.id] and not result.held
    assert result.skipped == [(c.id, "geen toestemming om alles met deze collega te delen")]
    again = hanna.handover.transfer_caseload(team_store.worker_id, {a.id: team_store.coordinator_id})
    assert again.skipped == [(a.id, "er loopt al een overdracht")] and not again.proposed
    otto = session(team_store, "other")
    assert [v.row.student_id for v in otto.handover.incoming_handovers()] == [a.id]
    otto.handover.accept_handover(otto.handover.incoming_handovers()[0].row)
    assert otto.dossier.open_dossier(a.id).student_id == a.id
    # A worker may not move a colleague's caseload; a coördinator may, with a reason.
    with pytest.raises(NotAllowed):
        otto.handover.transfer_caseload(team_store.worker_id, {c.id: team_store.other_id})
    coordinator = session(team_store, "coordinator")
    with pytest.raises(ValidationError):
        coordinator.handover.transfer_caseload(team_store.worker_id, {b.id: team_store.other_id})
    result = coordinator.handover.transfer_caseload(
        team_store.worker_id, {b.id: team_store.other_id, c.id: team_store.other_id}, reason="Hanna gaat met verlof.")
    assert sorted(result.held) == sorted([b.id, c.id]) and not result.proposed and not result.skipped
    from storage.models import AuditEntry
    with team_store.store.reading() as q:
        assert q.query(AuditEntry).filter(AuditEntry.worker_id == team_store.coordinator_id,
                                          AuditEntry.event.in_(("open", "handover")),
                                          AuditEntry.detail.like("dossier gelezen%")).count() == 0
        assert q.query(AuditEntry).filter(AuditEntry.worker_id == team_store.coordinator_id,
                                          AuditEntry.event == "open").count() == 0
    otto.sync()
    assert otto.students[b.id].contact_worker_id == team_store.other_id
    held = {v.row.student_id: v.row for v in otto.handover.held_for_me()}
    otto.handover.accept_handover(held[b.id])  # Bram's consent names the team
    with pytest.raises(ValidationError):
        otto.handover.accept_handover(held[c.id])  # Cem's does not
    # Hanna reads along with Bram's file for the usual period, then not.
    hanna.sync()
    assert hanna.handover.read_access_until(b.id) is not None


def test_the_store_refuses_impossible_steps_directly():
    for kind in h.KINDS:
        assert not store_handover.allowed(kind, h.DONE, h.PROPOSED)
        assert not store_handover.allowed(kind, h.PROPOSED, h.DONE)
    assert store_handover.allowed(h.INTERN, h.PROPOSED, h.ACCEPTED)
    assert not store_handover.allowed(h.EXTERN, h.PROPOSED, h.ACCEPTED)


def _propose_to_otto(team_store, hanna):
    otto_receiver = h.Receiver("medewerker", "Otto Collega", organisation="verslavingszorg", worker_id=team_store.other_id)
    rec = student(hanna)
    fill(hanna, rec)
    consent(hanna, rec, "het jongerenteam", [cn.ALL_DOMAINS])
    comp = hanna.handover.compose_handover(rec.id, h.INTERN, otto_receiver)
    return hanna.handover.propose_handover(rec.id, h.Proposal(
        h.INTERN, otto_receiver, h.without_placeholders(comp.text, "Geen."), student_view="akkoord"))


def _sealed_to_otto(team_store) -> list:
    from sqlalchemy import select

    from storage.models import Handover

    with team_store.store.reading() as db:
        return db.scalars(select(Handover.pending_wrap).where(Handover.to_worker_id == team_store.other_id)).all()


def test_a_proposal_to_a_colleague_who_leaves_is_withdrawn_with_a_step(team_store, fixed_clock):
    """Deactivating Otto while a handover to him waits: withdrawn, Hanna sees why in the file,
    and the student key sealed to him is gone."""
    hanna = session(team_store)
    row = _propose_to_otto(team_store, hanna)
    assert all(_sealed_to_otto(team_store))
    with pytest.raises(NotAllowed):
        hanna.team.deactivate_worker(team_store.other_id)
    session(team_store, "coordinator").team.deactivate_worker(team_store.other_id)
    assert _sealed_to_otto(team_store) == [None]
    assert store_handover.handovers(team_store.store, student_id=row.student_id)[0].state == h.WITHDRAWN
    steps = hanna.handover.handovers_of(row.student_id)[0].steps
    assert steps[-1][1] == h.WITHDRAWN and "Otto Collega werkt niet meer in het team" in steps[-1][2]


def test_deactivation_in_storage_alone_leaves_no_sealed_key(team_store, fixed_clock):
    """The storage call by itself (no session steps) removes a key sealed to the leaving worker."""
    from storage import team

    hanna = session(team_store)
    _propose_to_otto(team_store, hanna)
    coord = session(team_store, "coordinator")
    team.deactivate_worker(team_store.store, coord.keys, team_store.other_id)
    assert _sealed_to_otto(team_store) == [None]


# -- who may do what (issue 23, item 1) ---------------------------------------------------------


def _otto(team_store) -> h.Receiver:
    return h.Receiver("medewerker", "Otto Collega", worker_id=team_store.other_id)


def _cora(team_store) -> h.Receiver:
    return h.Receiver("medewerker", "Cora Coördinator", worker_id=team_store.coordinator_id)


def test_only_the_contact_person_hands_over_the_contact_role(team_store, fixed_clock):
    """Otto is on Hanna's file but not its contact person: he cannot hand the student to Cora,
    in the use case nor in the store. A coördinator can, for Hanna, only with a reason that
    Hanna then sees on Vandaag and in the file."""
    from storage.errors import Reason

    hanna = session(team_store)
    rec = student(hanna)
    consent(hanna, rec, "jongerenteam", [cn.ALL_DOMAINS])
    hanna.dossier.involve(rec.id, team_store.other_id)
    otto = session(team_store, "other")
    proposal = h.Proposal(h.INTERN, _cora(team_store), "Document", student_view="akkoord")
    with pytest.raises(ValidationError) as exc:
        otto.handover.propose_handover(rec.id, proposal)
    assert exc.value.field == "kind" and "contactpersoon" in exc.value.message
    assert otto.handover.may_hand_over(rec.id) not in ("", "reden")
    # The store itself refuses, whatever a caller claims to be.
    for sender in (team_store.other_id, team_store.worker_id):
        with pytest.raises(NotAllowed) as refused:
            store_handover.propose(
                team_store.store, otto.keys, handover_id="h-otto", student_id=rec.id, kind=h.INTERN,
                from_worker_id=sender, to_worker_id=team_store.coordinator_id, follow_up=None, access_days=42,
                entries=[], coordinator_reason=True)
        assert refused.value.reason == Reason.CONTACT_ONLY
    assert store_handover.handovers(team_store.store, student_id=rec.id) == []
    # The coördinator: not without a reason.
    cora = session(team_store, "coordinator")
    otto_proposal = h.Proposal(h.INTERN, _otto(team_store), "Document", student_view="akkoord")
    with pytest.raises(ValidationError) as exc:
        cora.handover.propose_handover(rec.id, otto_proposal)
    assert exc.value.field == "coordinator_reason"
    with pytest.raises(NotAllowed) as refused:
        store_handover.propose(
            team_store.store, cora.keys, handover_id="h-cora", student_id=rec.id, kind=h.INTERN,
            from_worker_id=team_store.worker_id, to_worker_id=team_store.other_id, follow_up=None, access_days=42,
            entries=[])
    assert refused.value.reason == Reason.COORDINATOR_REASON
    row = cora.handover.propose_handover(rec.id, otto_proposal, reason="Hanna is langdurig ziek")
    assert row.from_worker_id == team_store.worker_id  # on behalf of the contact person
    hanna.sync()
    due = [r for r in hanna.spreekuur.today(TODAY).due if r.handover_id == row.id]
    assert [r.text for r in due] == ["overdracht voorgesteld door Cora Coördinator (coördinator): lees de reden"]
    notes = [t.note for t in hanna.dossier.open_dossier(rec.id).timeline]
    assert any("Reden: Hanna is langdurig ziek." in n and "Cora Coördinator (coördinator)" in n for n in notes)
    # A proposal of her own is not flagged.
    hanna.handover.withdraw_handover(row, "Ik ben er weer")
    own = hanna.handover.propose_handover(rec.id, otto_proposal)
    assert not [r for r in hanna.spreekuur.today(TODAY).due if r.handover_id == own.id]
    log = [line.what for line in hanna.dossier.file_log(rec.id)]
    assert any(store_handover.PROPOSED_BY_COORDINATOR in w for w in log)


def _accepted(team_store, days=10):
    hanna = session(team_store)
    rec = student(hanna)
    consent(hanna, rec, "jongerenteam", [cn.ALL_DOMAINS])
    row = hanna.handover.propose_handover(rec.id, h.Proposal(
        h.INTERN, _otto(team_store), "Document", student_view="akkoord", access_days=days))
    otto = session(team_store, "other")
    row = otto.handover.accept_handover(row)
    hanna.sync()
    return hanna, otto, rec, row


def test_the_old_helper_never_lengthens_her_own_read_along(team_store, fixed_clock):
    """The read-along is set in the proposal; after acceptance the new helper (or a coördinator)
    changes it; the old helper may only make it shorter, in the use case and in the store."""
    from storage.errors import Reason

    hanna, otto, rec, row = _accepted(team_store, days=10)
    until = hanna.handover.read_access_until(rec.id)
    assert hanna.handover.may_change_access_days(row) == "korter"
    for days in (10, 365):
        with pytest.raises(ValidationError) as exc:
            hanna.handover.set_access_days(row, days)
        assert "nieuwe hulpverlener" in exc.value.message
        with pytest.raises(NotAllowed) as refused:
            store_handover.set_access_days(team_store.store, hanna.keys, row.id, days)
        assert refused.value.reason == Reason.ACCESS_DAYS_NEW_HELPER
    assert hanna.handover.read_access_until(rec.id) == until
    row = hanna.handover.set_access_days(row, 5)  # shorter: her own choice
    assert hanna.handover.read_access_until(rec.id) == until - timedelta(days=5)
    assert otto.handover.may_change_access_days(row) == "ja"
    row = otto.handover.set_access_days(row, 30)  # the new helper agrees to longer
    assert hanna.handover.read_access_until(rec.id) == until + timedelta(days=20)
    row = session(team_store, "coordinator").handover.set_access_days(row, 20)
    assert hanna.handover.read_access_until(rec.id) == until + timedelta(days=10)
    assert row.access_days == 20


def test_the_old_helper_ends_her_own_read_along_with_a_new_key(team_store, fixed_clock):
    from sqlalchemy import select

    from storage.models import Student

    hanna, otto, rec, row = _accepted(team_store, days=42)
    with pytest.raises(ValidationError):
        otto.handover.end_own_access(row)  # only the old helper ends her own
    assert hanna.handover.may_end_own_access(row)
    with team_store.store.reading() as q:
        before = q.scalar(select(Student.public_key).where(Student.id == rec.id))
    hanna.handover.end_own_access(row)
    with pytest.raises(NotInvolved):
        hanna.dossier.open_dossier(rec.id)
    assert team_store.worker_id not in students.involved_workers(team_store.store, rec.id)
    with team_store.store.reading() as q:
        assert q.scalar(select(Student.public_key).where(Student.id == rec.id)) != before  # a new student key
    otto.sync()
    notes = [t.note for t in otto.dossier.open_dossier(rec.id).timeline]
    assert any("leest niet meer mee (zelf gestopt" in n for n in notes)
    assert not hanna.handover.may_end_own_access(row)
    with pytest.raises(ValidationError):
        hanna.handover.end_own_access(row)


# -- a leaving colleague's students (issue 23, items 2 and 3) ----------------------------------------


def test_a_leaving_colleagues_students_wait_for_consent_without_the_coordinator_reading(team_store, fixed_clock):
    """Hanna leaves. Anna has consent for the team, Bram none, Cem has a warm proposal to Cora
    still open. Otto becomes contact person of Anna and Bram at once (Vandaag: "toestemming
    vragen"), but opens a file only once consent is in it; Cem's proposal stays for Cora to
    answer. The coördinator opened no file for any of it."""
    from storage.models import AuditEntry

    hanna = session(team_store)
    anna, bram, cem = (student(hanna, first=n) for n in ("Anna", "Bram", "Cem"))
    consent(hanna, anna, "jongerenteam", [cn.ALL_DOMAINS])
    consent(hanna, cem, "jongerenteam", [cn.ALL_DOMAINS])
    to_cora = hanna.handover.propose_handover(cem.id, h.Proposal(h.INTERN, _cora(team_store), "Doc", student_view="akkoord"))
    cora = session(team_store, "coordinator")
    plan = cora.team.deactivation_plan(team_store.worker_id)
    assert set(plan.students) == {anna.id, bram.id, cem.id}
    assert [r.id for r in plan.from_them] == [to_cora.id] and plan.to_them == []
    with team_store.store.reading() as q:
        opened_before = q.query(AuditEntry).filter(AuditEntry.worker_id == team_store.coordinator_id,
                                                   AuditEntry.event.in_(("open", "handover"))).count()
    moved, _ = cora.team.deactivate_worker_with_handover(
        team_store.worker_id, assignments={anna.id: team_store.other_id, bram.id: team_store.other_id,
                                           cem.id: team_store.other_id})
    assert moved == 2  # Cem keeps the open proposal to Cora
    with team_store.store.reading() as q:
        reads = q.query(AuditEntry).filter(AuditEntry.worker_id == team_store.coordinator_id,
                                           AuditEntry.event == "open").count()
    assert reads == 0 and opened_before == 0
    otto = session(team_store, "other")
    assert otto.students[anna.id].contact_worker_id == team_store.other_id
    for rec in (anna, bram):
        with pytest.raises(NotInvolved):
            otto.dossier.open_dossier(rec.id)
    due = {r.record.id: r.text for r in otto.spreekuur.today(TODAY).due if r.handover_id}
    assert set(due) == {anna.id, bram.id} and all(t.startswith("toestemming vragen") for t in due.values())
    held = {v.row.student_id: v.row for v in otto.handover.held_for_me()}
    # Anna's consent names the team: taking the file works at once.
    otto.handover.accept_handover(held[anna.id])
    assert otto.dossier.open_dossier(anna.id).student_id == anna.id
    # Bram has none: refused until it is recorded; then it opens.
    with pytest.raises(ValidationError) as exc:
        otto.handover.accept_handover(held[bram.id])
    assert "toestemming" in exc.value.message
    with pytest.raises(NotInvolved):
        otto.dossier.open_dossier(bram.id)
    with pytest.raises(ValidationError):  # Bram is 17: the student consents, not only the parents
        otto.handover.record_held_consent(held[bram.id], "ouders")
    otto.handover.record_held_consent(held[bram.id], "student")
    assert otto.dossier.open_dossier(bram.id).consents
    # Cora answers Hanna's proposal as before.
    cora.sync()
    cora.handover.accept_handover(to_cora)
    assert cora.dossier.open_dossier(cem.id).student_id == cem.id


def test_a_deactivated_workers_open_window_stores_nothing(team_store, fixed_clock):
    """Two windows on one store: Hanna is logged in while Cora deactivates her. Hanna's window
    can no longer write (a walk-in is refused in the store), and it knows it is deactivated."""
    from jongerenteam import messages
    from jongerenteam import spreekuur as intake
    from storage.errors import WorkerInactive
    from tests.support import sam

    hanna = session(team_store)
    cora = session(team_store, "coordinator")
    before = set(cora.students)
    cora.team.deactivate_worker(team_store.worker_id)
    assert not hanna.deactivated  # not seen yet: nothing synced
    with pytest.raises(WorkerInactive) as exc:
        hanna.spreekuur.register_walk_in(sam(), intake.WalkIn(hulpvraag="nieuw"), today=TODAY)
    assert exc.value.info.get("own")
    assert messages.explain(exc.value)[0] == messages.DEACTIVATED
    assert hanna.deactivated
    cora.sync()
    assert set(cora.students) == before  # nothing was stored
    with pytest.raises(WorkerInactive):
        session(team_store)  # a new window of Hanna does not unlock at all
    # Seen by a sync too (the app locks the window then, screens/app.py).
    otto = session(team_store, "other")
    assert not otto.deactivated
    session(team_store, "coordinator").team.deactivate_worker(team_store.other_id)
    otto.sync()
    assert otto.deactivated


def test_a_student_whose_contact_person_left_is_repaired_by_the_coordinator(team_store, fixed_clock):
    """A worker deactivated without a new contact person for her students (as before issue 23):
    the coördinator sees each such student on Vandaag and names a new contact person."""
    hanna = session(team_store)
    rec = student(hanna)
    consent(hanna, rec, "jongerenteam", [cn.ALL_DOMAINS])
    cora = session(team_store, "coordinator")
    cora.team.deactivate_worker(team_store.worker_id)
    cora.sync()
    repair = [r for r in cora.spreekuur.today(TODAY).due if r.repair]
    assert [r.record.id for r in repair] == [rec.id]
    assert not [r for r in session(team_store, "other").spreekuur.today(TODAY).due if r.repair]  # a coördinator's task
    cora.team.name_contact(rec.id, team_store.other_id)
    assert not [r for r in cora.spreekuur.today(TODAY).due if r.repair]
    otto = session(team_store, "other")
    (held,) = otto.handover.held_for_me()
    otto.handover.accept_handover(held.row)
    assert otto.dossier.open_dossier(rec.id).student_id == rec.id


# -- warm steps (issue 23, item 4) --------------------------------------------------------------


def test_the_receiver_reads_the_document_before_answering_and_the_sender_hears_the_answer(team_store, fixed_clock):
    hanna = session(team_store)
    rec = student(hanna)
    fill(hanna, rec)
    consent(hanna, rec, "jongerenteam", [cn.ALL_DOMAINS])
    row = hanna.handover.propose_handover(rec.id, h.Proposal(
        h.INTERN, _otto(team_store), "Leonie wil graag een vrouwelijke hulpverlener, maar kent Otto al.",
        student_view="akkoord"))
    otto = session(team_store, "other")
    view = otto.handover.handover(row.id)
    assert "kent Otto al" in view.document  # the document, before answering
    with pytest.raises(NotInvolved):
        otto.dossier.open_dossier(rec.id)  # the file itself stays closed
    assert not [r for r in hanna.spreekuur.today(TODAY).due if r.handover_id == row.id]
    otto.handover.decline_handover(row, "Geen plek tot februari.")
    hanna.sync()
    (due,) = [r for r in hanna.spreekuur.today(TODAY).due if r.handover_id == row.id]
    assert due.text == "overdracht afgewezen door Otto Collega: lees de reden"
    steps = hanna.handover.handover(row.id).steps
    assert any("Geen plek tot februari." in text for _, _, text in steps)
    # Eight days later it is off Vandaag.
    assert not [r for r in hanna.spreekuur.today(TODAY + timedelta(days=8)).due if r.handover_id == row.id]


def test_afronden_before_the_kennismaking_asks_why(team_store, fixed_clock):
    _hanna, otto, _rec, row = _accepted(team_store)
    row = otto.handover.plan_meeting(row, TODAY + timedelta(days=5))
    with pytest.raises(ValidationError) as exc:
        otto.handover.finish_handover(row)
    assert exc.value.field == "reason" and "kennismaking is pas op" in exc.value.message
    assert otto.handover.finish_handover(row, "De student wil geen kennismaking meer.").state == h.DONE


def test_the_kennismaking_is_in_the_students_afsprakenoverzicht(team_store, fixed_clock):
    from jongerenteam.overview import build_overview

    _hanna, otto, rec, row = _accepted(team_store)
    dossier = otto.dossier.open_dossier(rec.id)
    doc = build_overview(dossier, otto.students[rec.id].details, today=TODAY, contact=None, worker_names={})
    assert "kennismaking" not in doc.text()
    otto.handover.plan_meeting(row, TODAY + timedelta(days=5))
    dossier = otto.dossier.open_dossier(rec.id)
    doc = build_overview(dossier, otto.students[rec.id].details, today=TODAY, contact=None, worker_names={})
    assert "Kennismaking met je nieuwe hulpverlener" in doc.text() or "kennismaking met je nieuwe hulpverlener" in doc.text()
    # Once it has passed it is not "coming" any more.
    later = build_overview(dossier, otto.students[rec.id].details, today=TODAY + timedelta(days=6), contact=None,
                           worker_names={})
    assert "kennismaking met je nieuwe hulpverlener" not in later.text()


@pytest.mark.parametrize("how", ["overnemen", "sluiten"])
def test_the_old_helpers_open_werkafspraken_move_to_the_new_helper_or_close(team_store, fixed_clock, how):
    hanna = session(team_store)
    rec = student(hanna)
    consent(hanna, rec, "jongerenteam", [cn.ALL_DOMAINS])
    hanna.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("medewerker", "Hanna Hulpverlener", team_store.worker_id),
                                                      "Bellen met de stagebegeleider", TODAY + timedelta(days=7)))
    hanna.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("student"), "Rooster meenemen", TODAY + timedelta(days=7)))
    row = hanna.handover.propose_handover(rec.id, h.Proposal(h.INTERN, _otto(team_store), "Doc", student_view="akkoord"))
    otto = session(team_store, "other")
    otto.handover.accept_handover(row, agreements=how)
    open_ = {a.what: a for a in otto.dossier.open_dossier(rec.id).open_agreements()}
    assert "Rooster meenemen" in open_ and open_["Rooster meenemen"].who.kind == "student"
    if how == "overnemen":
        assert open_["Bellen met de stagebegeleider"].who.worker_id == team_store.other_id
    else:
        assert "Bellen met de stagebegeleider" not in open_


def test_an_18_plus_handover_names_the_receiver_and_says_checklist_contact_and_consent(team_store, fixed_clock):
    hanna = session(team_store)
    rec = student(hanna, birth=date(2008, 1, 20))  # 18
    hanna.team.set_my_contact("06 12345678 (ma-do)")
    consent(hanna, rec, "Wmo-loket Zwolle", [cn.ALL_DOMAINS])
    wmo = h.Receiver("vrij", "Ilse Wmo", "consulent", "Wmo-loket Zwolle")
    comp = hanna.handover.compose_handover(rec.id, h.ADULT, wmo)
    titles = [s.title for s in comp.sections]
    assert "18+-checklist" in titles and "Contact met de afzender" in titles
    assert "Toestemming waarop dit document steunt" in titles
    assert titles[-1] == "Wie blijft betrokken"
    text = comp.text
    assert "06 12345678 (ma-do)" in text and "Hanna Hulpverlener" in text
    assert "toestemming om te delen met Wmo-loket Zwolle, over: alles" in text
    hanna.handover.propose_handover(rec.id, h.Proposal(
        h.ADULT, wmo, h.without_placeholders(text, "Geen."), student_view="akkoord",
        follow_up=TODAY + timedelta(days=14)))
    externals = hanna.dossier.open_dossier(rec.id).externals
    assert [(e.name, e.organisation) for e in externals] == [("Ilse Wmo", "Wmo-loket Zwolle")]


# -- free text respects consent (issue 20, item 5) ----------------------------------------------


def _sanne(s: TeamSession):
    """Sanne, 17, with debts; her hulpvraag also says she gambles. Consent with the
    schuldhulpverlening about inkomen only."""
    from jongerenteam import spreekuur as intake

    details = StudentDetails(first_name="Sanne", last_name="Vos", birth_date=date(2009, 3, 2),
                             programme="Helpende Zorg en Welzijn", level="2", year=2, leefdomeinen=["inkomen"])
    rec = s.spreekuur.register_walk_in(details, intake.WalkIn(
        hulpvraag="Schulden bij webwinkels en de telefoonaanbieder. Ze gokt soms online.", leefdomeinen=["inkomen"]),
        today=TODAY)
    s.dossier.add_score(rec.id, d.NewScore("inkomen", 2, TODAY, "schulden"))
    s.dossier.add_score(rec.id, d.NewScore("welzijn", 2, TODAY, "gokt"))
    consent(s, rec, "Schuldhulpverlening Deventer", ["inkomen"])
    return rec


def _filled(text: str, risks: str) -> str:
    """The composed document with the worker's parts written: the hulpvraag as the worker
    rewrote it, the risks as given, the student's wishes."""
    lines = []
    for line in text.splitlines():
        if line.startswith("Schulden bij webwinkels"):
            line = "Schulden bij webwinkels en de telefoonaanbieder."
        elif "waar moet de ontvanger op letten" in line:
            line = risks
        elif line.startswith(h.PLACEHOLDER):
            line = "Ze wil een regeling die ze kan volhouden."
        lines.append(line)
    return "\n".join(lines)


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("kind", [h.EXTERN, h.ADULT])
def test_free_text_naming_a_leefdomein_without_consent_needs_removal_or_a_legal_ground(team_store, fixed_clock, kind):
    s = session(team_store)
    rec = _sanne(s)
    receiver = h.Receiver("vrij", "Mo Yilmaz", "schuldhulpverlener", "Schuldhulpverlening Deventer")
    comp = s.handover.compose_handover(rec.id, kind, receiver)
    assert not comp.blocked and comp.scope == {"inkomen"}
    # The app's own document: the hulpvraag (free text in the file) already names gambling;
    # the programme "Zorg en Welzijn" is a line the app composed and is not flagged.
    assert [hit.word for hit in comp.unconsented_words(comp.text)] == ["gokt"]
    # The 18+ document's own parts (the consent it relies on, how to reach the sender) are the app's lines too.
    assert (kind == h.ADULT) == ("Toestemming waarop dit document steunt" in comp.text)

    def proposal(document, **kw):
        return h.Proposal(kind, receiver, document, comp.left_out, student_view="akkoord",
                          follow_up=TODAY + timedelta(days=14), **kw)

    # 1. "gokt, online casino" under Risico's: refused, the words and their leefdomein named.
    risky = _filled(comp.text, "Ze gokt, online casino.")
    with pytest.raises(ValidationError) as exc:
        s.handover.propose_handover(rec.id, proposal(risky))
    assert exc.value.field == "words_ground"
    assert "welzijn: gokt, online casino" in exc.value.message and "Schuldhulpverlening Deventer" in exc.value.message
    assert store_handover.handovers(team_store.store, student_id=rec.id) == []
    # A ground without a reason is refused too.
    with pytest.raises(ValidationError) as exc:
        s.handover.propose_handover(rec.id, proposal(risky, words_ground="meldcode"))
    assert exc.value.field == "words_reason"

    # 2. The words taken out: it goes, with no ground in the document or the log.
    clean = _filled(comp.text, "Ze koopt snel iets op afbetaling.")
    row = s.handover.propose_handover(rec.id, proposal(clean))
    view = s.handover.handovers_of(rec.id)[0]
    assert view.row.id == row.id and not view.words_ground and "Wettelijke grond" not in view.document
    assert "woorden zonder toestemming" not in " ".join(x.what for x in s.dossier.file_log(rec.id))
    s.handover.withdraw_handover(row, "opnieuw, met de risico's erbij")

    # 3. The words kept with a wettelijke grond: it goes; the ground is in the document, its code in the log.
    reason = "Zorgen over de veiligheid thuis, besproken met de aandachtsfunctionaris."
    row = s.handover.propose_handover(rec.id, proposal(risky, words_ground="meldcode", words_reason=reason))
    view = next(v for v in s.handover.handovers_of(rec.id) if v.row.id == row.id)
    assert view.words_ground == "meldcode"
    assert "Ze gokt, online casino." in view.document
    assert "Gedeeld op grond van: meldcode huiselijk geweld en kindermishandeling." in view.document
    exported = s.handover.export_handover(view)
    assert "online casino" in exported and "meldcode huiselijk geweld" in exported
    log = [x.what for x in s.dossier.file_log(rec.id)]
    assert any("2 woorden zonder toestemming, wettelijke grond: meldcode" in w for w in log), log
    assert not any("casino" in w or "gokt" in w or "aandachtsfunctionaris" in w for w in log)
    steps = " ".join(text for _, _, text in view.steps)
    assert "zonder toestemming gedeeld op grond van meldcode" in steps


@pytest.mark.backends("sqlite")
def test_the_export_stops_when_consent_no_longer_covers_the_words(team_store, fixed_clock):
    s = session(team_store)
    rec = _sanne(s)
    receiver = h.Receiver("vrij", "Mo Yilmaz", "schuldhulpverlener", "Schuldhulpverlening Deventer")
    comp = s.handover.compose_handover(rec.id, h.EXTERN, receiver)
    # Debts are inkomen, which has consent: no ground needed.
    document = _filled(comp.text, "Nieuwe schulden bij de deurwaarder.")
    s.handover.propose_handover(rec.id, h.Proposal(h.EXTERN, receiver, document, comp.left_out, student_view="akkoord",
                                                   follow_up=TODAY + timedelta(days=14)))
    view = s.handover.handovers_of(rec.id)[0]
    assert "deurwaarder" in s.handover.export_handover(view)
    # The consent is withdrawn: the document no longer leaves, and says why.
    held = s.dossier.open_dossier(rec.id).consents[0]
    s.consent.withdraw_consent(rec.id, held)
    exports = sum("overdrachtsdocument" in x.what for x in s.dossier.file_log(rec.id))
    with pytest.raises(ValidationError) as exc:
        s.handover.export_handover(view)
    assert exc.value.field == "path" and "deurwaarder" in exc.value.message and "tabblad 5" in exc.value.message
    assert sum("overdrachtsdocument" in x.what for x in s.dossier.file_log(rec.id)) == exports  # nothing left
