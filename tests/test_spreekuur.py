"""Spreekuur use cases on a real store: walk-in, anonymous, aanmelding,
duplicates, Vandaag, emergency access, contact handover, drafts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from jongerenteam import spreekuur as intake
from jongerenteam.domain import StudentDetails, ValidationError, working_days_between
from storage import spreekuur
from storage.crypto import DecryptionError
from storage.errors import NotAllowed, NotInvolved, Reason, WrongPassphrase
from tests.support import COORDINATOR_PASS, TODAY, WORKER_PASS, audit_rows, last_seq, sam, session

pytestmark = pytest.mark.backends("sqlite", "postgresql")


def test_walk_in_registers_student_with_hulpvraag_in_the_file(team_store, fixed_clock):
    """A named walk-in creates a running student; the hulpvraag sits in the file, not the directory."""
    s = session(team_store)
    visit = intake.WalkIn(hulpvraag="Geldzorgen, huur achterstand", leefdomeinen=["inkomen", "wonen"], minutes=20)
    rec = s.spreekuur.register_walk_in(sam(), visit, today=TODAY)
    assert rec.status == "lopend"
    assert sorted(rec.details.leefdomeinen) == ["inkomen", "wonen"]
    entries = s.dossier.read_file(rec.id)
    assert [e.kind for e in entries] == ["inloop"]
    assert entries[0].payload["hulpvraag"] == "Geldzorgen, huur achterstand"
    assert "hulpvraag" not in rec.details.to_dict()
    queue = s.spreekuur.walk_ins_on(TODAY)
    assert [(q.record.id, q.by) for q in queue] == [(rec.id, "HH")]


def test_anonymous_walk_in_counts_but_names_nobody(team_store, fixed_clock):
    """An anonymous walk-in keeps date, leefdomeinen and duration (and the random key of the
    figures' cell key method), and shows as anonymous in the queue."""
    s = session(team_store)
    s.spreekuur.register_anonymous(["welzijn", "gezondheid"], 15)
    with team_store.store.reading() as db:
        from storage.models import AnonymousContact, Student
        assert db.query(Student).count() == 0
        assert db.query(AnonymousContact).count() == 1
    views = spreekuur.anonymous_contacts(team_store.store, s.keys, datetime(2026, 11, 23, tzinfo=UTC))
    rk = views[0].data.pop("rk")
    assert views[0].data == {"leefdomeinen": ["gezondheid", "welzijn"], "minuten": 15}
    assert isinstance(rk, int) and 0 <= rk < 2**32
    assert [q.record for q in s.spreekuur.walk_ins_on(TODAY)] == [None]


# -- the anonymous walk-in who gives her name later (issue 20, item 3) ----------------------------

LAST_THURSDAY = TODAY - timedelta(days=4)


def _anonymous_last_thursday(s, leefdomeinen=("welzijn",), minutes=25) -> str:
    """An anonymous walk-in at 14:05 (Dutch time) four days before TODAY; the clock back to TODAY after."""
    from storage import clock

    clock.set_clock(lambda: datetime(2026, 11, 19, 13, 5, tzinfo=UTC))
    try:
        return s.spreekuur.register_anonymous(list(leefdomeinen), minutes)
    finally:
        clock.set_clock(lambda: datetime(2026, 11, 23, 10, 30, tzinfo=UTC))


def _truth_of_the_figures(team_store, s, student_id: str) -> tuple[list[str], int]:
    """Her statistics document's walk-in days, and the anonymous walk-ins the figures count (unperturbed)."""
    from storage import report as store_report

    doc = store_report.get(team_store.store, s.keys, student_id)
    anonymous = store_report.anonymous_walk_ins(
        team_store.store, s.keys, datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    return (doc or {}).get("inloop", []), len(anonymous)


def test_anonymous_walk_in_linked_to_a_new_student_keeps_its_day(team_store, fixed_clock, dutch_time_zone):
    """She gives her name four days later: a new student whose first walk-in is the anonymous
    one, on its own day and hour, with its leefdomeinen and duration; the figures count her
    walk-in once (hers, not also an anonymous one); the audit holds a code, no student."""
    s = session(team_store)
    contact = _anonymous_last_thursday(s, ["welzijn"], 25)
    before = {e.seq for e in audit_rows(team_store.store, "change")}
    rec = s.spreekuur.link_anonymous(contact, sam(), intake.WalkIn(hulpvraag="Durfde eerst haar naam niet te zeggen"))
    assert rec.status == "lopend" and rec.details.leefdomeinen == ["welzijn"]
    (entry,) = s.dossier.read_file(rec.id)
    assert entry.kind == "inloop"
    assert entry.payload["moment"] == "2026-11-19T14:05" and entry.payload["minuten"] == 25
    assert entry.payload["hulpvraag"] == "Durfde eerst haar naam niet te zeggen"
    (talk,) = s.dossier.open_dossier(rec.id).talks()
    assert talk.label == "inloopgesprek" and talk.at == datetime(2026, 11, 19, 14, 5)
    walk_ins, anonymous = _truth_of_the_figures(team_store, s, rec.id)
    assert (walk_ins, anonymous) == (["2026-11-19"], 0)
    from storage import report as store_report
    assert store_report.get(team_store.store, s.keys, rec.id)["ingeschreven"] == "2026-11-19"
    # The walk-in list of that day shows her at 14:05, once, under her name; today's list does not.
    assert [(q.at.strftime("%H:%M"), q.record.id if q.record else None) for q in s.spreekuur.walk_ins_on(LAST_THURSDAY)] == [
        ("14:05", rec.id)]
    assert s.spreekuur.walk_ins_on(TODAY) == []
    (line,) = [e for e in audit_rows(team_store.store, "change") if e.seq not in before and e.student_id is None]
    assert line.detail == "anonieme inloop gekoppeld" and line.on_behalf_of is None
    # The link itself is sealed: the row's plain columns name no student.
    with team_store.store.reading() as db:
        from storage.models import AnonymousContact
        row = db.get(AnonymousContact, contact)
        assert row.linked and rec.id.encode() not in row.data


def test_anonymous_walk_in_linked_to_an_existing_student(team_store, fixed_clock, dutch_time_zone):
    """A student the team knows (here a colleague's, unreadable for Hanna): the walk-in is appended to her
    file on its own day, without Hanna reading it; the figures count it once, as hers."""
    otto = session(team_store, "other")
    known = otto.spreekuur.register_referral(sam(), intake.Referral(by_name="Jan Coach", reason="verzuim"),
                                             contact_worker_id=team_store.other_id, today=TODAY - timedelta(days=10))
    hanna = session(team_store)
    contact = _anonymous_last_thursday(hanna, ["wonen"], None)
    rec = hanna.spreekuur.link_anonymous(contact, existing=hanna.students[known.id])
    assert rec.id == known.id and rec.status == "lopend"  # her first talk ended the wait
    with pytest.raises(NotInvolved):
        hanna.dossier.read_file(known.id)
    entries = {e.kind: e for e in otto.dossier.read_file(known.id)}
    assert entries["inloop"].payload["moment"] == "2026-11-19T14:05"
    assert entries["inloop"].payload["leefdomeinen"] == ["wonen"] and entries["inloop"].payload["minuten"] is None
    assert _truth_of_the_figures(team_store, otto, known.id) == (["2026-11-19"], 0)
    assert [q.record.id for q in hanna.spreekuur.walk_ins_on(LAST_THURSDAY) if q.record] == [known.id]


def test_an_anonymous_walk_in_is_linked_once(team_store, fixed_clock):
    """A second link (by anyone, to anyone) is refused in Dutch, and saves nothing of it."""
    from jongerenteam.messages import explain
    from storage.models import AnonymousContact, FileEntry, Student

    hanna, otto = session(team_store), session(team_store, "other")
    contact = _anonymous_last_thursday(hanna)
    first = hanna.spreekuur.link_anonymous(contact, sam())
    other = otto.spreekuur.register_walk_in(sam(first_name="Noor", last_name="Bakker"), intake.WalkIn(), today=TODAY)
    with team_store.store.reading() as db:
        counts = (db.query(Student).count(), db.query(FileEntry).count())
    for attempt in (
        lambda: otto.spreekuur.link_anonymous(contact, existing=otto.students[other.id]),
        lambda: hanna.spreekuur.link_anonymous(contact, sam(first_name="Iemand", last_name="Anders")),
    ):
        with pytest.raises(NotAllowed) as err:
            attempt()
        assert explain(err.value)[0].startswith("Deze anonieme inloop is al gekoppeld aan een student.")
    with team_store.store.reading() as db:
        assert (db.query(Student).count(), db.query(FileEntry).count()) == counts
        assert db.query(AnonymousContact).filter_by(linked=True).count() == 1
    assert _truth_of_the_figures(team_store, hanna, first.id) == (["2026-11-19"], 0)
    assert _truth_of_the_figures(team_store, otto, other.id)[0] == ["2026-11-23"]


def test_a_link_that_a_colleague_made_first_is_refused_in_one_statement(team_store, fixed_clock):
    """Two windows link the same walk-in at once: the store's flag decides; the later one saves nothing."""
    from storage import students as store_students

    hanna = session(team_store)
    contact = _anonymous_last_thursday(hanna)
    rec = hanna.spreekuur.register_student(sam(), today=TODAY)
    entry = store_students.add_entry(team_store.store, hanna.keys, rec.id, "inloop", {"tekst": ""})
    spreekuur.link_anonymous_contact(team_store.store, hanna.keys, contact, rec.id, entry)
    with pytest.raises(NotAllowed) as err:
        spreekuur.link_anonymous_contact(team_store.store, hanna.keys, contact, rec.id, entry)
    assert err.value.reason == Reason.ALREADY_LINKED


def test_walk_in_of_a_colleagues_student_is_added_without_reading(team_store, fixed_clock):
    """A walk-in talk on a student of a colleague lands in that file; the worker still cannot read it."""
    hanna = session(team_store)
    rec = hanna.spreekuur.register_walk_in(sam(), intake.WalkIn(hulpvraag="eerste gesprek"), today=TODAY)
    otto = session(team_store, "other")
    known = otto.students[rec.id]
    otto.spreekuur.register_walk_in(known.details, intake.WalkIn(hulpvraag="kwam langs bij Otto"), existing=known, today=TODAY)
    with pytest.raises(NotInvolved):
        otto.dossier.read_file(rec.id)
    texts = [e.payload["hulpvraag"] for e in session(team_store).dossier.read_file(rec.id)]
    assert texts == ["eerste gesprek", "kwam langs bij Otto"]


def test_referral_waits_with_working_days_and_suggested_contact(team_store, fixed_clock):
    """An aanmelding waits for a first talk; the vaste contactpersoon of the programme is suggested."""
    coord = session(team_store, "coordinator")
    coord.team.set_programme_contact("Verzorgende IG", team_store.other_id, seen=coord.team.programme_contacts().get("Verzorgende IG"))
    s = session(team_store)
    assert s.spreekuur.suggest_contact("verzorgende ig") == team_store.other_id
    assert s.spreekuur.suggest_contact("Kok") is None
    referral = intake.Referral(by_name="Jan Coach", by_role="studentcoach", by_contact="0612345678",
                               reason="Verzuimt veel, thuis onrustig", urgency="snel")
    monday_last_week = TODAY - timedelta(days=7)
    rec = s.spreekuur.register_referral(sam(), referral, contact_worker_id=team_store.other_id, today=monday_last_week)
    assert rec.status == "wacht" and rec.contact_worker_id == team_store.other_id
    otto = session(team_store, "other")
    assert otto.is_involved(rec.id)
    waiting = s.spreekuur.today(TODAY).waiting
    assert [(w.record.id, w.working_days, w.urgency, w.too_long) for w in waiting] == [(rec.id, 5, "snel", False)]
    assert s.spreekuur.today(TODAY + timedelta(days=1)).waiting[0].too_long
    # The first talk (a walk-in) ends the wait.
    otto.spreekuur.register_walk_in(otto.students[rec.id].details, intake.WalkIn(hulpvraag="eerste gesprek"),
                          existing=otto.students[rec.id], today=TODAY)
    assert otto.students[rec.id].status == "lopend"


def test_a_coach_who_registers_the_student_is_her_studiecoach(team_store, fixed_clock):
    """An aanmelding by a studiecoach (or SLB'er, mentor): the file knows its coach at once, not
    "Studiecoach: nog niet bekend"; another referrer (a docent) names no coach."""
    s = session(team_store)
    by_coach = s.spreekuur.register_referral(
        sam(), intake.Referral(by_name="Jan Coach", by_role="studiecoach/SLB'er", reason="verzuim"),
        contact_worker_id=team_store.worker_id, today=TODAY)
    assert (by_coach.details.coach_name, by_coach.details.coach_role) == ("Jan Coach", "studentcoach")
    by_slb = s.spreekuur.register_referral(
        sam(first_name="Noor", last_name="Bakker"), intake.Referral(by_name="Mevr. Bos", by_role="SLB'er", reason="x"),
        contact_worker_id=team_store.worker_id, today=TODAY)
    assert (by_slb.details.coach_name, by_slb.details.coach_role) == ("Mevr. Bos", "slb")
    by_teacher = s.spreekuur.register_referral(
        sam(first_name="Kim", last_name="Jansen"), intake.Referral(by_name="Dhr. Smit", by_role="docent Nederlands", reason="x"),
        contact_worker_id=team_store.worker_id, today=TODAY)
    assert by_teacher.details.coach_name == "" and by_teacher.details.coach_role == ""


def test_referral_needs_who_and_why():
    with pytest.raises(ValidationError) as err:
        intake.Referral(by_name="", reason="x").validate()
    assert err.value.field == "by_name"
    with pytest.raises(ValidationError) as err:
        intake.Referral(by_name="Jan", reason="x", by_contact="geen nummer").validate()
    assert err.value.field == "by_contact"


@pytest.mark.parametrize(("first", "message"), [
    ("", intake.REFERRAL_NAME_NEEDED), ("  ", intake.REFERRAL_NAME_NEEDED),
    ("anoniem", intake.REFERRAL_NOT_ANONYMOUS), (" Anoniem ", intake.REFERRAL_NOT_ANONYMOUS),
])
def test_a_referral_is_always_of_a_named_student(team_store, fixed_clock, first, message):
    """An aanmelding with no first name, or 'anoniem' (which only a walk-in knows), is refused
    with a sentence that says why; no student is made."""
    s = session(team_store)
    before = len(s.students)
    with pytest.raises(ValidationError) as err:
        s.spreekuur.register_referral(
            StudentDetails(first_name=first), intake.Referral(by_name="Mevr. Bos", reason="verzuim"),
            contact_worker_id=team_store.worker_id, today=TODAY,
        )
    assert (err.value.field, str(err.value)) == ("first_name", message)
    assert len(s.students) == before


def test_working_days():
    """Weekends do not count; a week from Monday to Monday is five working days."""
    assert working_days_between(date(2026, 11, 16), date(2026, 11, 23)) == 5
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 23)) == 1  # Friday -> Monday
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 23)) == 0


def test_duplicates_by_number_or_similar_name_and_birth_date(team_store, fixed_clock):
    """'Bedoel je ...?': same student number, or a near-identical name with the same birth date."""
    s = session(team_store)
    rec = s.spreekuur.register_student(sam(student_number="123456"), today=TODAY)
    assert s.spreekuur.find_duplicates(StudentDetails(first_name="Iemand", student_number="123456")) == [rec]
    assert s.spreekuur.find_duplicates(sam(last_name="de Vris", student_number="")) == [rec]  # typo
    assert s.spreekuur.find_duplicates(sam(last_name="Vries", student_number="")) == [rec]  # no tussenvoegsel
    assert s.spreekuur.find_duplicates(sam(first_name="Samira", last_name="Bakker")) == []
    assert s.spreekuur.find_duplicates(sam(birth_date=date(2008, 12, 4))) == []


def test_duplicates_by_name_when_a_birth_date_is_missing(team_store, fixed_clock):
    """A walk-in gives only her name: "Sam" + "Strijker" finds the Sam Strijker the team knows,
    with or without a birth date on either side; a typo in a short first name too."""
    s = session(team_store)
    known = s.spreekuur.register_student(StudentDetails(first_name="Sam", last_name="Strijker"), today=TODAY)
    assert s.spreekuur.find_duplicates(StudentDetails(first_name="Sam", last_name="Strijker")) == [known]
    assert s.spreekuur.find_duplicates(StudentDetails(first_name="sam", last_name="strijker ")) == [known]
    assert s.spreekuur.find_duplicates(StudentDetails(first_name="Samm", last_name="Strijker")) == [known]
    assert s.spreekuur.find_duplicates(StudentDetails(first_name="Sam", last_name="Strijkr")) == [known]
    assert s.spreekuur.find_duplicates(sam(first_name="Sam", last_name="Strijker")) == [known]  # she knows her birth date now
    assert s.spreekuur.find_duplicates(StudentDetails(first_name="Sam", last_name="Smit")) == []
    dated = s.spreekuur.register_student(sam(), today=TODAY)  # Sam de Vries, 3-12-2008
    assert s.spreekuur.find_duplicates(StudentDetails(first_name="Sam", last_name="de Vries")) == [dated]


@pytest.mark.parametrize(("first", "last"), [
    ("[red]Jan", "de Vries"), ("Jan", "[bold]Bakker[/bold]"), ("[red]", "Smit"), ("Jan", "[red]"), ("Ann[a]", "Smit [x]"),
])
def test_duplicates_of_a_name_with_square_brackets(team_store, fixed_clock, first, last):
    """Text is data in the duplicate check too: a name that looks like markup is
    found again when typed again, with and without a birth date."""
    s = session(team_store)
    rec = s.spreekuur.register_student(StudentDetails(first_name=first, last_name=last, birth_date=date(2008, 1, 1)), today=TODAY)
    again = StudentDetails(first_name=first, last_name=last, birth_date=date(2008, 1, 1))
    assert [r.id for r in s.spreekuur.find_duplicates(again)] == [rec.id]
    assert [r.id for r in s.spreekuur.find_duplicates(StudentDetails(first_name=first, last_name=last))] == [rec.id]


def test_duplicates_by_exact_name_and_birth_date_of_a_colleagues_student(team_store, fixed_clock):
    """Otto registered Simon; Hanna, not involved, types his exact name and birth date
    (as a hulpverlener types it): "Bedoel je …?" offers him. A namesake born on another day is not offered."""
    otto, hanna = session(team_store, "other"), session(team_store)
    simon = otto.spreekuur.register_student(
        StudentDetails(first_name="Simon", last_name="de Gruson", birth_date=date(2005, 8, 25)), today=TODAY)
    assert not hanna.is_involved(simon.id)
    typed = StudentDetails(first_name="Simon", last_name="de Gruson", birth_date=date(2005, 8, 25))
    assert [r.id for r in hanna.spreekuur.find_duplicates(typed)] == [simon.id]
    assert [r.id for r in hanna.spreekuur.find_duplicates(StudentDetails(first_name="Simon", last_name="de Gruson"))] == [simon.id]
    other_day = StudentDetails(first_name="Simon", last_name="de Gruson", birth_date=date(2006, 8, 25))
    assert hanna.spreekuur.find_duplicates(other_day) == []


def test_vandaag_caseload_due_and_turning_18(team_store, fixed_clock):
    """Vandaag lists my students with their next appointment, what is due, and who turns 18 soon."""
    s = session(team_store)
    a = s.spreekuur.register_walk_in(sam(), intake.WalkIn(hulpvraag="x", next_date=TODAY + timedelta(days=3),
        next_text="terugkomen"), today=TODAY)
    b = s.spreekuur.register_walk_in(sam(first_name="Noor", last_name="Bakker", birth_date=date(2001, 1, 1)),
                           intake.WalkIn(hulpvraag="y", next_date=TODAY - timedelta(days=1), next_text="bellen"), today=TODAY)
    t = s.spreekuur.today(TODAY)
    rows = {c.record.id: (c.next_date, c.next_text) for c in t.caseload}
    assert rows[a.id] == (TODAY + timedelta(days=3), "terugkomen")
    assert rows[b.id] == (None, "")
    assert [(d.record.id, d.text) for d in t.due] == [(b.id, "bellen")]
    assert [(r.record.id, r.days) for r in t.turning_18] == [(a.id, 10)]
    # Someone else's Vandaag does not show my caseload.
    assert session(team_store, "other").spreekuur.today(TODAY).caseload == []


def test_vandaag_lists_come_from_the_directorys_own_lists_kept_true_by_every_change(team_store, fixed_clock):
    """Vandaag's caseload and waiting list come from the directory's lists per status and per
    contact person (no walk over every student); a change in another window (another contact
    person, a file waiting again) reaches them through the change feed, as a walk would see it."""
    hanna, otto = session(team_store), session(team_store, "other")
    mine = hanna.spreekuur.register_walk_in(sam(), intake.WalkIn(hulpvraag="x"), today=TODAY)
    waits = otto.spreekuur.register_referral(sam(first_name="Noor", last_name="Bakker"),
                                             intake.Referral(by_name="Jan Coach", reason="verzuim"),
                                             contact_worker_id=team_store.worker_id, today=TODAY)
    ottos = otto.spreekuur.register_walk_in(sam(first_name="Daan", last_name="Visser"), intake.WalkIn(hulpvraag="y"),
                                            today=TODAY)
    hanna.sync()
    assert ottos.id in {r.id for r in hanna.directory.with_contact(team_store.other_id)}
    coord = session(team_store, "coordinator")
    coord.team.deactivate_worker_with_handover(team_store.other_id, team_store.worker_id)
    hanna.sync()
    assert ottos.id in {r.id for r in hanna.directory.with_contact(team_store.worker_id)}
    assert hanna.directory.with_contact(team_store.other_id) == []

    def walked(status: str | None = None, contact: str | None = None) -> set[str]:
        return {r.id for r in hanna.directory.records()
                if (status is None or r.status == status) and (contact is None or r.contact_worker_id == contact)}

    for status in ("wacht", "aangemeld", "in_behandeling", "afgesloten"):
        assert {r.id for r in hanna.directory.with_status(status)} == walked(status=status)
    for worker in (team_store.worker_id, team_store.other_id, team_store.coordinator_id):
        assert {r.id for r in hanna.directory.with_contact(worker)} == walked(contact=worker)
    today = hanna.spreekuur.today(TODAY)
    assert {c.record.id for c in today.caseload} >= {mine.id}
    assert [w.record.id for w in today.waiting] == [waits.id]
    assert waits.id in {r.id for r in hanna.directory.with_contact(team_store.worker_id)}


def test_emergency_access_needs_reason_and_coordinator_and_is_shown(team_store, fixed_clock):
    """Noodtoegang: a coördinator's passphrase and a reason; logged, and shown to the contact person."""
    hanna = session(team_store)
    rec = hanna.spreekuur.register_walk_in(sam(), intake.WalkIn(hulpvraag="geheim verhaal"), today=TODAY)
    otto = session(team_store, "other")
    with pytest.raises(NotAllowed):
        otto.spreekuur.emergency_read(rec.id, team_store.coordinator_id, COORDINATOR_PASS, "", "")
    with pytest.raises(WrongPassphrase):
        otto.spreekuur.emergency_read(rec.id, team_store.coordinator_id, "fout", "veiligheid", "")
    with pytest.raises(NotAllowed):  # a worker's passphrase does not open the escrow
        otto.spreekuur.emergency_read(rec.id, team_store.worker_id, WORKER_PASS, "veiligheid", "")
    entries = otto.spreekuur.emergency_read(rec.id, team_store.coordinator_id, COORDINATOR_PASS, "veiligheid", "student in paniek")
    assert entries[0].payload["hulpvraag"] == "geheim verhaal"
    with pytest.raises(NotInvolved):
        otto.dossier.read_file(rec.id)  # one read, not a lasting key
    notices = session(team_store).spreekuur.today(TODAY).notices
    assert [(n.record.id, n.by, n.coordinator) for n in notices] == [(rec.id, "Otto Collega", "Cora Coördinator")]
    with team_store.store.reading() as db:
        from storage.models import AuditEntry
        e = db.query(AuditEntry).filter_by(event="emergency_access").one()
        assert (e.detail, e.worker_id, e.on_behalf_of) == ("veiligheid", team_store.other_id, team_store.coordinator_id)
    texts = [e.payload.get("tekst", "") for e in session(team_store).dossier.read_file(rec.id)]
    assert any("student in paniek" in t for t in texts)


def test_deactivate_hands_students_to_new_contact(team_store, fixed_clock):
    """A leaving worker's students get a new contact person at once, who reads their file once
    the student's consent to share with them is in it (issue 23)."""
    hanna = session(team_store)
    rec = hanna.spreekuur.register_walk_in(sam(), intake.WalkIn(hulpvraag="z"), today=TODAY)
    coord = session(team_store, "coordinator")
    moved, _ = coord.team.deactivate_worker_with_handover(team_store.worker_id, team_store.other_id)
    assert moved == 1
    otto = session(team_store, "other")
    assert otto.students[rec.id].contact_worker_id == team_store.other_id
    with pytest.raises(NotInvolved):
        otto.dossier.read_file(rec.id)
    (held,) = otto.handover.held_for_me()
    otto.handover.record_held_consent(held.row, "beide")
    assert otto.dossier.read_file(rec.id)[0].payload["hulpvraag"] == "z"
    with pytest.raises(NotAllowed):
        otto.team.deactivate_worker_with_handover(team_store.coordinator_id, team_store.other_id)


def test_team_settings_are_coordinator_only_and_logged(team_store):
    s = session(team_store)
    with pytest.raises(NotAllowed):
        s.team.set_idle_lock_minutes(10, version=s.team.settings_version())
    with pytest.raises(NotAllowed):
        s.team.set_programme_contact("Kok", team_store.worker_id, seen=s.team.programme_contacts().get("Kok"))
    coord = session(team_store, "coordinator")
    coord.team.set_idle_lock_minutes(10, version=coord.team.settings_version())
    coord.team.set_expertise(team_store.worker_id, ("inkomen", "wonen"), version=coord.workers[team_store.worker_id].version)
    assert team_store.store.team().idle_lock_minutes == 10
    assert coord.workers[team_store.worker_id].expertise == "inkomen,wonen"
    assert coord.team.verify_audit().ok


def test_draft_is_sealed_to_its_worker(team_store):
    """A half-filled form kept over a lock opens only for the same worker."""
    s = session(team_store)
    sealed = s.drafts.seal({"first_name": "Sam"})
    assert b"Sam" not in sealed
    assert s.drafts.open(sealed) == {"first_name": "Sam"}
    other = session(team_store, "other")
    with pytest.raises(DecryptionError):
        other.drafts.open(sealed)


def test_concerns_ask_before_unusual_input():
    """Age outside 12-30 and an unknown municipality are allowed after a confirmation."""
    young = StudentDetails(first_name="Kim", birth_date=date(2016, 1, 1))
    young.validate(TODAY)
    assert [c.field for c in young.concerns(TODAY)] == ["birth_date"]
    free = StudentDetails(first_name="Kim", municipality_text="Atlantis")
    assert [c.field for c in free.concerns(TODAY)] == ["municipality"]
    with pytest.raises(ValidationError):
        StudentDetails(first_name="Kim", contact_preference="telefoon", contact_value="12").validate(TODAY)
    StudentDetails(first_name="Kim", contact_preference="email", contact_value="kim@school.nl").validate(TODAY)


def test_a_recovery_reset_ends_the_wait_after_wrong_guesses(team_store):
    """After five wrong passphrases a worker waits; a new passphrase via the recovery code ends that."""
    from jongerenteam.settings import kdf_params
    from storage import team as team_ops

    for _ in range(6):
        with pytest.raises(WrongPassphrase):
            team_ops.unlock(team_store.store, team_store.worker_id, "fout")
    assert team_ops.login_throttle(team_store.store, team_store.worker_id)[0] == 6
    team_key, escrow_private = team_ops.unlock_recovery(team_store.store, team_store.recovery_code)
    team_ops.reset_passphrase(team_store.store, team_key, escrow_private, team_store.worker_id,
                              "een heel nieuw wachtwoord", kdf_params(), by_worker=None, via="herstelcode")
    assert team_ops.login_throttle(team_store.store, team_store.worker_id)[0] == 0


# -- what a registration writes (issue 19: the fast path must keep every record) --------------------


def test_a_registration_writes_exactly_its_signed_records(team_store, fixed_clock):
    """Hanna registers Sam with Otto as contact person: the escrow and both of them get a wrap of
    the student key; each worker's wrap is named in the signed log exactly as stored, then one
    'create' line; every line is Hanna's, signed, and the whole chain and its head verify.
    Both can open the (empty) file, and what the call returns is the student as stored."""
    from sqlalchemy import select

    from storage import audit, authority, files, students
    from storage.models import AuditEntry, AuditHead, StudentKeyWrap

    s = session(team_store)
    hanna, otto = team_store.worker_id, team_store.other_id
    before = last_seq(team_store.store)
    rec = s.spreekuur.register_student(sam(), contact_worker_id=otto, today=TODAY)
    with team_store.store.reading() as db:
        lines = db.scalars(select(AuditEntry).where(AuditEntry.seq > before).order_by(AuditEntry.seq)).all()
        wraps = {w.recipient: w for w in db.scalars(select(StudentKeyWrap).where(StudentKeyWrap.student_id == rec.id))}
        head = db.get(AuditHead, 1)
        trust = authority.trust(db, s.keys.root_public, s.keys.signed_from)
        verified = audit.verify(db, s.keys)
    assert set(wraps) == {files.ESCROW, hanna, otto}
    assert [(e.event, e.worker_id, e.student_id, e.on_behalf_of, e.entry_id, e.detail) for e in lines] == [
        *(("change", hanna, rec.id, w, files.WRAP_RECORD + w, "toegang: betrokken [geen einde]") for w in sorted([hanna, otto])),
        ("create", hanna, rec.id, None, None, ""),
    ]
    for e in lines[:2]:
        assert e.entry_hash == files.wrap_hash(wraps[e.on_behalf_of])
    assert all(e.signer == hanna and audit.signed_by_author(trust, e) for e in lines)
    assert [e.seq for e in lines] == list(range(before + 1, before + 4))
    assert verified.ok, verified
    assert (head.seq, head.mac) == (lines[-1].seq, lines[-1].mac)
    assert s.dossier.read_file(rec.id) == []
    assert session(team_store, "other").dossier.read_file(rec.id) == []
    stored = students.get_student(team_store.store, s.keys, rec.id)
    assert (rec.version, rec.status, rec.contact_worker_id) == (stored.version, stored.status, otto) == (1, "aangemeld", otto)
    assert rec.details.to_dict() == StudentDetails.from_dict(stored.data).to_dict()
    assert s.students[rec.id] is rec and s.is_involved(rec.id)


def test_a_registration_inside_a_larger_unit_returns_the_student_too(team_store, fixed_clock):
    """Inside an outer unit nothing is synced until it ends: the student is read in that unit."""
    s = session(team_store)
    with s.unit():
        rec = s.spreekuur.register_student(sam(), today=TODAY)
        assert (rec.details.first_name, rec.version) == ("Sam", 1)
    assert s.students[rec.id].details.last_name == "de Vries"
