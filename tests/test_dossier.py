"""Dossier use cases on a real store: talks with note history, agreements,
leefdomein scores, consent (and its age rules), the driegesprek in one
transaction, betrokkenen and key access, the file's log, the sociale kaart."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest

from jongerenteam import consent as cn
from jongerenteam import dossier as d
from jongerenteam import driegesprek as dg
from jongerenteam.domain import StudentDetails, ValidationError
from jongerenteam.messages import explain
from jongerenteam.rights import Correction
from jongerenteam.session import TeamSession
from jongerenteam.socialmap import MapEntry
from storage.errors import Conflict, NotAllowed, NotInvolved

# The spreekuur tests' store (SQLite and PostgreSQL), fixed clock and sessions.
from tests.support import TODAY, made_on, session

pytestmark = pytest.mark.backends("sqlite", "postgresql")


def willem(s: TeamSession):
    details = StudentDetails(first_name="Willem", last_name="Jansen", birth_date=date(2007, 5, 14),
                             programme="Sport, Bewegen en Gezonde Leefstijl", level="4", year=3)
    return s.spreekuur.register_student(details, status="wacht", today=TODAY)


def test_talk_note_edit_keeps_every_earlier_version(team_store, fixed_clock):
    s = session(team_store)
    rec = willem(s)
    talk_id = s.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", datetime(2026, 11, 23, 9, 0), 45, ["Willem"], "Eerste versie"))
    item = s.dossier.open_dossier(rec.id).item(talk_id)
    assert s.dossier.edit_talk(rec.id, item, {"tekst": "Tweede versie"})
    item = s.dossier.open_dossier(rec.id).item(talk_id)
    assert s.dossier.edit_talk(rec.id, item, {"tekst": "Derde versie"})
    item = s.dossier.open_dossier(rec.id).item(talk_id)
    assert item.note == "Derde versie"
    assert [h.old["tekst"] for h in item.history] == ["Eerste versie", "Tweede versie"]
    assert all(h.by == team_store.worker_id for h in item.history)
    assert item.version == 3
    # Saving the same text again writes no empty version.
    assert not s.dossier.edit_talk(rec.id, item, {"tekst": "Derde versie"})
    # A stale copy (someone edited since) is refused, not overwritten.
    stale = dataclasses.replace(item, version=2)
    with pytest.raises(Conflict):
        s.dossier.edit_talk(rec.id, stale, {"tekst": "Vierde"})
    # Every edit is in the file's log.
    log = s.dossier.file_log(rec.id)
    assert sum(1 for line in log if line.what == "gewijzigd: dossier: gesprek gewijzigd") == 2


def test_a_note_that_still_holds_both_versions_of_a_conflict_is_refused(team_store, fixed_clock):
    """The line the note dialog puts between a colleague's text and the worker's own (d.MERGE_MARK) is
    never saved as the verslag: not in a note, not in a driegesprek part; the stored text stays as it was.
    Once the worker made one text of it, it saves."""
    s = session(team_store)
    rec = willem(s)
    talk_id = s.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", datetime(2026, 11, 23, 9, 0), 45, [], "Eerste versie"))
    item = s.dossier.open_dossier(rec.id).item(talk_id)
    both = f"Tekst van Daan\n\n{d.MERGE_MARK}\nTekst van Waisca"
    for text in (both, f"  {d.MERGE_MARK}  \nalleen de regel, met spaties"):
        with pytest.raises(ValidationError) as exc:
            s.dossier.edit_talk(rec.id, item, {"tekst": text})
        assert exc.value.field == "tekst" and exc.value.message == d.UNMERGED
        assert "haal de regel '--- jouw tekst, nog niet opgeslagen ---' weg" in exc.value.message
    # A correction request (AVG) that rewrites the note goes through the same refusal, and records nothing.
    with pytest.raises(ValidationError) as exc:
        s.rights.record_correction(rec.id, Correction(request="klopt niet", on=TODAY, reason="de student", target="gesprek",
                                                      entry_id=talk_id, new_value=both))
    assert exc.value.field == "tekst"
    assert s.dossier.open_dossier(rec.id).item(talk_id).note == "Eerste versie"
    assert not [e for e in s.dossier.open_dossier(rec.id).timeline if e.kind == "correctie"]
    assert s.dossier.edit_talk(rec.id, item, {"tekst": "Tekst van Daan en van Waisca"})
    assert s.dossier.open_dossier(rec.id).item(talk_id).note == "Tekst van Daan en van Waisca"

    drie_id = s.driegesprek.save_driegesprek(rec.id, dg.Driegesprek(at=datetime(2026, 11, 23, 10, 0), story="verhaal",
                                                                     school_concerns="zorgen", question="vraag"))
    drie = s.dossier.open_dossier(rec.id).item(drie_id)
    with pytest.raises(ValidationError) as exc:
        s.dossier.edit_talk(rec.id, drie, {"verhaal": "verhaal", "zorgen": both, "hulpvraag": "vraag", "tekst": "vraag"})
    assert exc.value.field == "zorgen"
    assert s.dossier.open_dossier(rec.id).item(drie_id).payload["zorgen"] == "zorgen"


def test_a_first_talk_ends_the_wait(team_store, fixed_clock):
    s = session(team_store)
    rec = willem(s)
    assert rec.status == "wacht"
    s.dossier.add_talk(rec.id, d.NewTalk("intake", datetime(2026, 11, 23, 9, 0), 30, [], "Kennismaking"))
    assert s.students[rec.id].status == "lopend"


def test_talk_input_is_checked(team_store, fixed_clock):
    s = session(team_store)
    rec = willem(s)
    with pytest.raises(ValidationError) as exc:
        s.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", datetime(2026, 11, 30, 9, 0), 30, [], "x"))
    assert exc.value.field == "at"
    with pytest.raises(ValidationError):
        s.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", datetime(2026, 11, 23, 9, 0), 30, [], "  "))
    with pytest.raises(ValidationError):
        s.dossier.add_talk(rec.id, d.NewTalk("kletspraat", datetime(2026, 11, 23, 9, 0), 30, [], "x"))


def test_agreements_due_reach_the_contact_persons_home(team_store, fixed_clock):
    s = session(team_store)
    rec = willem(s)
    with made_on(TODAY - timedelta(days=9)):  # its deadline passed since
        overdue = s.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("student"), "Mail sturen naar de decaan",
                                                                 TODAY - timedelta(days=2)))
    s.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("coach", "Mevr. Bos"), "Rooster aanpassen", TODAY + timedelta(days=7)))
    follow = s.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("medewerker", worker_id=team_store.worker_id),
        "Bellen met huisarts", TODAY + timedelta(days=9), follow_up=TODAY))
    due = s.spreekuur.today(TODAY).due
    texts = sorted(row.text for row in due)
    assert texts == ["werkafspraak: Bellen met huisarts", "werkafspraak: Mail sturen naar de decaan"]
    # Done agreements leave the home screen.
    agreement = s.dossier.open_dossier(rec.id).agreement(overdue)
    assert s.dossier.change_agreement(rec.id, agreement, status="gedaan")
    assert [r.text for r in s.spreekuur.today(TODAY).due] == ["werkafspraak: Bellen met huisarts"]
    a = s.dossier.open_dossier(rec.id).agreement(overdue)
    assert a.status == "gedaan" and a.history[0].old == {"status": "open"}
    # A colleague who is involved but not the contact person does not get them on Vandaag.
    s.dossier.involve(rec.id, team_store.other_id)
    other = session(team_store, "other")
    assert other.spreekuur.today(TODAY).due == []
    assert s.dossier.open_dossier(rec.id).agreement(follow).is_due(TODAY)


def test_agreement_needs_who_and_what(team_store, fixed_clock):
    s = session(team_store)
    rec = willem(s)
    with pytest.raises(ValidationError) as exc:
        s.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("student"), "  "))
    assert exc.value.field == "what"
    with pytest.raises(ValidationError):
        s.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("anders", ""), "iets"))
    with pytest.raises(ValidationError):
        s.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("medewerker"), "iets"))


def test_a_follow_up_date_or_deadline_changed_later_is_not_in_the_past_either(team_store, fixed_clock):
    """The `o` dialog (and any later change) sets no follow-up date or deadline already past: refused
    with the date said, nothing changed; today and later are fine, and clearing it is too."""
    s = session(team_store)
    rec = willem(s)
    s.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("student"), "Rooster meenemen", TODAY + timedelta(days=7)))
    (agreement,) = s.dossier.open_dossier(rec.id).agreements
    for change in ({"follow_up": TODAY - timedelta(days=6)}, {"due": TODAY - timedelta(days=1)}):
        with pytest.raises(ValidationError) as exc:
            s.dossier.change_agreement(rec.id, agreement, **change)
        assert exc.value.field == next(iter(change)) and "ligt in het verleden" in exc.value.message
    (unchanged,) = s.dossier.open_dossier(rec.id).agreements
    assert (unchanged.follow_up, unchanged.due, unchanged.version) == (None, TODAY + timedelta(days=7), agreement.version)
    assert s.dossier.change_agreement(rec.id, unchanged, follow_up=TODAY)
    (later,) = s.dossier.open_dossier(rec.id).agreements
    assert later.follow_up == TODAY
    assert s.dossier.change_agreement(rec.id, later, follow_up=None)


def test_an_open_agreement_past_its_deadline_from_the_start_is_refused(team_store, fixed_clock):
    """A deadline or follow-up date already past is refused (nothing saved); today is fine. A day and
    month without a year are read by the one date parser the driegesprek uses: this year's when it
    was up to 60 days ago (and so refused), else the next one. Following up after the deadline is
    possible, but asked."""
    from jongerenteam.dates import parse_date

    s = session(team_store)
    rec = willem(s)
    with pytest.raises(ValidationError) as exc:
        s.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("student"), "Zorgtoeslag aanvragen", TODAY - timedelta(days=1)))
    assert (exc.value.field, exc.value.message) == (
        "due", "De uiterlijke datum (22-11-2026) ligt in het verleden. Kies vandaag of een dag die nog komt.")
    with pytest.raises(ValidationError) as exc:
        s.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("student"), "Zorgtoeslag aanvragen", TODAY + timedelta(days=7),
                                                       follow_up=date(2025, 11, 30)))
    assert (exc.value.field, exc.value.message) == (
        "follow_up", "De opvolgdatum (30-11-2025) ligt in het verleden. Kies vandaag of een dag die nog komt.")
    assert s.dossier.open_dossier(rec.id).agreements == []
    s.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("student"), "Rooster meenemen", TODAY, follow_up=TODAY))
    assert [a.due for a in s.dossier.open_dossier(rec.id).agreements] == [TODAY]
    # The tester's case, on 6 December: Uiterlijk 30-11 is refused, 28-02 is next February.
    december = date(2026, 12, 6)
    typed = d.NewAgreement(d.Who("student"), "Zorgtoeslag aanvragen met DigiD",
                           parse_date("30-11", today=december, field="due", upcoming=True))
    with pytest.raises(ValidationError, match=r"\(30-11-2026\) ligt in het verleden"):
        typed.validate(december)
    typed.due = parse_date("28-02", today=december, field="due", upcoming=True)
    typed.validate(december)
    assert typed.due == date(2027, 2, 28)
    # Following up after the deadline: asked, not refused; before it (a check-in halfway): not asked.
    late = d.NewAgreement(d.Who("student"), "Brief meenemen", date(2026, 12, 10), follow_up=date(2026, 12, 15))
    late.validate(december)
    assert [(c.field, c.message) for c in late.concerns()] == [
        ("follow_up", "De opvolgdatum (15-12-2026) ligt na de uiterlijke datum (10-12-2026). Klopt dat?")]
    assert d.NewAgreement(d.Who("student"), "x", date(2026, 12, 10), follow_up=date(2026, 12, 8)).concerns() == []
    # Done already when it is written down: its deadline may have passed.
    d.NewAgreement(d.Who("student"), "Formulier ingeleverd", date(2026, 11, 1), status="gedaan").validate(december)


def test_a_talk_before_the_birth_is_refused_one_long_ago_is_asked(team_store, fixed_clock):
    """Willem was born on 14-05-2007: a talk or a driegesprek dated before that is refused (nothing
    saved); one more than a year ago is possible (written up late) but a concern the form asks."""
    s = session(team_store)
    rec = willem(s)
    before_birth = "Deze datum ligt vóór de geboortedatum van de student. Kijk het jaar na."
    for when in (datetime(2007, 5, 13, 10, 0), datetime(1990, 1, 1, 10, 0)):
        with pytest.raises(ValidationError) as exc:
            s.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", when, 30, [], "Oud verslag"))
        assert (exc.value.field, exc.value.message) == ("at", before_birth)
        with pytest.raises(ValidationError) as exc:
            s.driegesprek.save_driegesprek(rec.id, dg.Driegesprek(at=when, story="Oud verhaal"))
        assert (exc.value.field, exc.value.message) == ("at", before_birth)
    assert s.dossier.open_dossier(rec.id).talks() == []
    assert s.students[rec.id].status == "wacht"

    long_ago = d.NewTalk("vervolggesprek", datetime(2025, 11, 22, 10, 0), 30, [], "Laat uitgewerkt")
    assert [(c.field, c.message) for c in long_ago.concerns(TODAY)] == [
        ("at", "Volgens deze datum was het gesprek op 22-11-2025, meer dan een jaar geleden. Klopt dat?")]
    assert d.NewTalk("vervolggesprek", datetime(2025, 11, 23, 10, 0), 30, [], "x").concerns(TODAY) == []
    assert dg.Driegesprek(at=datetime(2020, 1, 1, 10, 0), story="x").concerns(TODAY)[0].field == "at"
    assert dg.Driegesprek(at=datetime(2026, 11, 1, 10, 0), story="x").concerns(TODAY) == []
    # The worker said yes: the use case saves it; the birth day itself is fine.
    s.dossier.add_talk(rec.id, long_ago)
    s.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", datetime(2007, 5, 14, 10, 0), 30, [], "Op de geboortedag"))
    assert sorted(t.at.date() for t in s.dossier.open_dossier(rec.id).talks()) == [date(2007, 5, 14), date(2025, 11, 22)]


def test_scores_over_time_per_domain(team_store, fixed_clock):
    s = session(team_store)
    rec = willem(s)
    s.dossier.add_score(rec.id, d.NewScore("gezondheid", 2, TODAY - timedelta(days=60), "aanvallen"))
    s.dossier.add_score(rec.id, d.NewScore("gezondheid", 4, TODAY, "stabiel"))
    s.dossier.add_score(rec.id, d.NewScore("gezondheid", 3, TODAY - timedelta(days=30)))
    s.dossier.add_score(rec.id, d.NewScore("wonen", 3, TODAY))
    dos = s.dossier.open_dossier(rec.id)
    assert [x.score for x in dos.scores["gezondheid"]] == [2, 3, 4]
    assert dos.latest_scores()["gezondheid"].score == 4
    with pytest.raises(ValidationError):
        s.dossier.add_score(rec.id, d.NewScore("gezondheid", 6, TODAY))
    with pytest.raises(ValidationError):
        s.dossier.add_score(rec.id, d.NewScore("gezondheid", 3, TODAY + timedelta(days=1)))


# -- consent age rules: 11, 12, 15, 16, 17, 18 and the birthday itself ----------------

BIRTH = date(2010, 6, 15)


@pytest.mark.parametrize(
    ("on", "needed"),
    [
        (date(2021, 6, 15), "ouders"),  # the 11th birthday
        (date(2022, 6, 14), "ouders"),  # 11, the day before turning 12
        (date(2022, 6, 15), "beide"),  # the 12th birthday
        (date(2025, 6, 15), "beide"),  # the 15th birthday
        (date(2026, 6, 14), "beide"),  # 15, the day before 16
        (date(2026, 6, 15), "student"),  # the 16th birthday
        (date(2027, 6, 15), "student"),  # 17
        (date(2028, 6, 15), "student"),  # 18
    ],
)
def test_who_must_consent_by_age(on, needed):
    assert cn.consent_needed_from(BIRTH, on) == needed


def consent(given_by="student", on=date(2026, 1, 1), valid_until=None, withdrawn_on=None, about=("alles",)):
    return cn.Consent("c1", 1, cn.ConsentWith("rol", "jeugdarts"), list(about), "afstemmen zorg", given_by,
                     "mondeling", on, valid_until, withdrawn_on, None, "w")


def kinds(warnings):
    return sorted(w.kind for w in warnings)


def test_no_consent_is_a_warning_naming_who_to_ask():
    w = cn.consent_warnings([], BIRTH, date(2024, 1, 1))  # 13
    assert kinds(w) == ["missing"]
    assert "de student én de ouder(s)" in w[0].message


def test_consent_by_the_student_alone_at_15_needs_the_parents_too():
    w = cn.consent_warnings([consent("student", on=date(2026, 1, 1))], BIRTH, date(2026, 6, 14))
    assert kinds(w) == ["missing", "partner"]
    assert "die van ouder(s)/verzorger(s) nog niet" in next(x for x in w if x.kind == "partner").message
    w = cn.consent_warnings([consent("beide", on=date(2026, 1, 1))], BIRTH, date(2026, 6, 14))
    assert w == []


def test_the_student_and_the_parents_may_consent_each_on_their_own_day():
    """Families give consent in two steps: the student's and the parents', recorded separately for the
    same party, hold together from 12 to 16, for the leefdomeinen both cover; withdrawing one says
    truly what remains."""
    today = date(2026, 6, 14)  # 15
    student = dataclasses.replace(consent("student", on=date(2026, 5, 1), about=("inkomen", "wonen")), id="s")
    parents = dataclasses.replace(consent("ouders", on=date(2026, 6, 1), about=("inkomen",)), id="p")
    other = dataclasses.replace(consent("ouders", about=("wonen",)), id="o",
                                with_=cn.ConsentWith("rol", "mentor"))  # another party: no pair
    assert cn.holding([student], BIRTH, today) == {}
    assert cn.holding([student, other], BIRTH, today) == {}
    both = cn.holding([student, parents, other], BIRTH, today)
    assert both == {"s": frozenset({"inkomen"}), "p": frozenset({"inkomen"})}
    assert cn.consent_warnings([student, parents], BIRTH, today) == []
    # Withdrawing the parents' takes the pair apart: nothing remains for the jeugdarts.
    assert cn.after_withdrawal(parents, [student, parents], BIRTH, today) == frozenset()
    together = dataclasses.replace(consent("beide", about=("wonen",)), id="b")
    assert cn.after_withdrawal(parents, [student, parents, together], BIRTH, today) == frozenset({"wonen"})
    # From 16 the student decides alone: her own consent holds for all it names.
    assert cn.holding([student], BIRTH, date(2026, 6, 15)) == {"s": frozenset({"inkomen", "wonen"})}


def test_parents_consent_at_11_is_enough_then_the_student_joins_at_12():
    assert cn.consent_warnings([consent("ouders", on=date(2021, 9, 1))], BIRTH, date(2022, 6, 14)) == []
    # From 12 the parents' consent waits for the student's own.
    assert kinds(cn.consent_warnings([consent("ouders", on=date(2021, 9, 1))], BIRTH, date(2022, 6, 15))) == [
        "missing", "partner"]


def test_turning_16_asks_again_from_the_birthday_on():
    given = consent("beide", on=date(2025, 9, 1))
    assert cn.consent_warnings([given], BIRTH, date(2026, 6, 14)) == []
    assert kinds(cn.consent_warnings([given], BIRTH, date(2026, 6, 15))) == ["turned_16"]
    # Given by the student alone on the 16th birthday: nothing to ask again.
    assert cn.consent_warnings([consent("student", on=date(2026, 6, 15))], BIRTH, date(2026, 6, 15)) == []


def test_turning_18_asks_again_even_when_the_student_gave_it():
    given = consent("student", on=date(2027, 9, 1))  # 17
    assert cn.consent_warnings([given], BIRTH, date(2028, 6, 14)) == []
    assert kinds(cn.consent_warnings([given], BIRTH, date(2028, 6, 15))) == ["turned_18"]


def test_expiry_within_30_days_and_after():
    c = consent(valid_until=date(2026, 12, 23))
    assert cn.consent_warnings([c], BIRTH, date(2026, 11, 22)) == []  # 31 days
    w = cn.consent_warnings([c], BIRTH, date(2026, 11, 23))  # 30 days
    assert kinds(w) == ["expiring"] and "over 30 dagen" in w[0].message
    assert "vandaag" in cn.consent_warnings([c], BIRTH, date(2026, 12, 23))[0].message
    assert kinds(cn.consent_warnings([c], BIRTH, date(2026, 12, 24))) == ["expired", "missing"]


def test_withdrawn_consent_no_longer_counts():
    c = consent(withdrawn_on=date(2026, 11, 1))
    assert kinds(cn.consent_warnings([c], BIRTH, date(2026, 11, 23))) == ["missing"]


def test_consent_register_round_trip(team_store, fixed_clock):
    s = session(team_store)
    rec = willem(s)
    cid = s.consent.add_consent(rec.id, cn.NewConsent(cn.ConsentWith("professional", "dr. Smit, jeugdarts"), ["gezondheid"],
                                             "afstemmen medicatie", "student", "mondeling", TODAY, TODAY + timedelta(days=20)))
    dos = s.dossier.open_dossier(rec.id)
    c = dos.consent(cid)
    assert c.covers("gezondheid") and not c.covers("inkomen")
    assert kinds(dos.consent_warnings(rec.details.birth_date, TODAY)) == ["expiring"]
    assert s.consent.extend_consent(rec.id, c, TODAY + timedelta(days=365))
    c = s.dossier.open_dossier(rec.id).consent(cid)
    assert s.consent.withdraw_consent(rec.id, c)
    c = s.dossier.open_dossier(rec.id).consent(cid)
    assert c.withdrawn_on == TODAY and not c.active(TODAY)
    assert [h.old for h in c.history] == [{"geldig_tot": "2026-12-13"}, {"ingetrokken_op": None}]
    with pytest.raises(ValidationError):
        s.consent.add_consent(rec.id, cn.NewConsent(cn.ConsentWith("rol", ""), ["alles"], "doel", on=TODAY))


def test_driegesprek_is_one_talk_with_its_parts(team_store, fixed_clock):
    s = session(team_store)
    rec = willem(s)
    talk = dg.Driegesprek(
        at=datetime(2026, 11, 23, 10, 0), minutes=60, coach_name="Mevr. Bos", coach_role="studentcoach",
        workers=[team_store.worker_id], others=["moeder"],
        story="Thuis is het onrustig, ik krijg aanvallen.", school_concerns="Veel verzuim.",
        question="Rust thuis en school afmaken.",
        agreements=[d.NewAgreement(d.Who("student"), "Afspraak neuroloog maken", TODAY + timedelta(days=7))],
        consents=[cn.NewConsent(cn.ConsentWith("rol", "studentcoach"), ["onderwijs", "gezondheid"], "verzuim afstemmen",
                               "student", "mondeling", TODAY)],
        scores=[d.NewScore("gezondheid", 2, TODAY, "aanvallen")],
        next_date=TODAY + timedelta(days=7), next_text="vervolggesprek",
    )
    talk_id = s.driegesprek.save_driegesprek(rec.id, talk)
    dos = s.dossier.open_dossier(rec.id)
    item = dos.item(talk_id)
    assert item.is_driegesprek
    assert item.payload["verhaal"].startswith("Thuis")
    assert len(item.payload["werkafspraken"]) == 1 and dos.agreement(item.payload["werkafspraken"][0]).talk_id == talk_id
    assert dos.consent(item.payload["toestemmingen"][0]).covers("onderwijs")
    assert dos.latest_scores()["gezondheid"].score == 2
    assert dos.next_appointment(TODAY).on == TODAY + timedelta(days=7)
    assert dos.question == "Rust thuis en school afmaken."
    rec = s.students[rec.id]
    assert rec.status == "lopend" and rec.details.coach_name == "Mevr. Bos"
    assert "gezondheid" in rec.details.leefdomeinen


def test_driegesprek_with_a_bad_agreement_saves_nothing(team_store, fixed_clock):
    s = session(team_store)
    rec = willem(s)
    talk = dg.Driegesprek(at=datetime(2026, 11, 23, 10, 0), story="verhaal",
                         agreements=[d.NewAgreement(d.Who("student"), "")])
    with pytest.raises(ValidationError) as exc:
        s.driegesprek.save_driegesprek(rec.id, talk)
    assert exc.value.field == "agreement:0:what"
    assert s.dossier.open_dossier(rec.id).timeline == []


def test_adding_and_removing_betrokkenen_changes_who_can_read(team_store, fixed_clock):
    s = session(team_store)
    rec = willem(s)
    s.dossier.add_talk(rec.id, d.NewTalk("intake", datetime(2026, 11, 23, 9, 0), 30, [], "geheim verslag"))
    other = session(team_store, "other")
    with pytest.raises(NotInvolved):
        other.dossier.open_dossier(rec.id)
    s.dossier.involve(rec.id, team_store.other_id)
    other = session(team_store, "other")
    assert other.dossier.open_dossier(rec.id).talks()[0].note == "geheim verslag"
    s.dossier.remove_involved(rec.id, team_store.other_id)
    with pytest.raises(NotInvolved):
        other.dossier.open_dossier(rec.id)
    # The contact person cannot be removed, nor the last involved worker.
    with pytest.raises(NotAllowed) as exc:
        s.dossier.remove_involved(rec.id, team_store.worker_id)
    assert explain(exc.value)[0].startswith("De contactpersoon kan niet van het dossier af")
    log = [line.what for line in s.dossier.file_log(rec.id)]
    assert "gewijzigd: betrokkene verwijderd" in log and "gewijzigd: betrokkene toegevoegd" in log


def test_file_log_is_only_for_those_involved(team_store, fixed_clock):
    s = session(team_store)
    rec = willem(s)
    s.dossier.open_dossier(rec.id)
    lines = s.dossier.file_log(rec.id)
    assert lines[0].what == "dossier geopend" and lines[0].who == "Hanna Hulpverlener"
    with pytest.raises(NotInvolved):
        session(team_store, "other").dossier.file_log(rec.id)


def test_external_professionals_on_a_file(team_store, fixed_clock):
    s = session(team_store)
    rec = willem(s)
    eid = s.dossier.add_external(rec.id, "Karin de Wit", "begeleider pleegzorg", "Pleegzorg Midden", "06-11112222")
    ext = s.dossier.open_dossier(rec.id).externals[0]
    assert ext.id == eid and ext.until is None
    assert s.dossier.end_external(rec.id, ext)
    assert s.dossier.open_dossier(rec.id).externals[0].until == TODAY


def test_sociale_kaart_crud_and_checks(team_store, fixed_clock):
    s = session(team_store)
    mid = s.social_map.add(MapEntry("professional", "Karin de Wit", "begeleider pleegzorg", "Pleegzorg Midden",
                                   ["netwerk", "wonen"], "06-11112222", "k.dewit@example.org"))
    other = session(team_store, "other")
    items = other.social_map.entries()
    assert [i.id for i in items] == [mid] and items[0].entry.leefdomeinen == ["netwerk", "wonen"]
    changed = dataclasses.replace(items[0].entry, phone="06-33334444")
    other.social_map.update(items[0], changed)
    with pytest.raises(Conflict):
        s.social_map.update(items[0], changed)  # stale version
    assert s.social_map.entries()[0].entry.phone == "06-33334444"
    with pytest.raises(ValidationError):
        s.social_map.add(MapEntry("professional", "X", phone="12"))
    s.social_map.remove(s.social_map.entries()[0])
    assert s.social_map.entries() == []


def test_status_closed_needs_a_reason(team_store, fixed_clock):
    s = session(team_store)
    rec = willem(s)
    with pytest.raises(ValidationError):
        s.dossier.set_status(rec, "afgesloten")
    rec = s.dossier.set_status(rec, "afgesloten", "doel_bereikt")
    assert rec.status == "afgesloten" and rec.details.closed_reason == "doel_bereikt"
    rec = s.dossier.set_status(rec, "lopend")
    assert rec.details.closed_reason == ""


def test_worker_contact_for_overviews(team_store, fixed_clock):
    s = session(team_store)
    assert s.team.worker_contact(team_store.worker_id) == ""
    s.team.set_my_contact("06-12345678 (ma-do)")
    assert session(team_store, "other").team.worker_contact(team_store.worker_id) == "06-12345678 (ma-do)"


def test_demo_files_have_talks_agreements_scores_and_consent(tmp_path):
    from jongerenteam.demo import DEMO_SOCIAL_MAP, DEMO_WORKERS, build_demo
    from storage import report as store_report
    from storage.store import Store

    build_demo(str(tmp_path / "demo.jt"), students=30)
    store = Store.open(str(tmp_path / "demo.jt"))
    try:
        worker = next(w for w in store.workers() if w.initials == DEMO_WORKERS[1].initials)
        s = TeamSession.unlock(store, worker.id, DEMO_WORKERS[1].passphrase)
        files = [s.dossier.open_dossier(sid) for sid in s.involved]
        full = [f for f in files if f.agreements]
        assert full, "some demo files have a driegesprek, talks and agreements"
        f = full[0]
        assert f.timeline[-1].is_driegesprek and f.scores and f.consents
        assert len(s.social_map.entries()) == len(DEMO_SOCIAL_MAP) == 5
        # The figures: each demo student counts as registered on the day of their first entry.
        documents, damaged = store_report.load_all(store, s.keys)
        assert len(documents) == 30 and not damaged
        for doc in documents:
            days = [g[0] for g in doc["gesprekken"]] + doc["aanmeldingen"] + doc["inloop"]
            if days:
                assert doc["ingeschreven"] == min(days)
        assert len({doc["ingeschreven"] for doc in documents}) > 5
    finally:
        store.close()


def test_an_external_professional_without_consent_is_a_warning():
    ext = d.External("e1", 1, "Karin de Vries", "budgetcoach", "Schuldhulp Midden", "", None, date(2026, 1, 1), None)
    w = cn.consent_warnings([consent("student", on=date(2026, 1, 1))], BIRTH, date(2026, 11, 23), [ext])
    assert kinds(w) == ["external"] and w[0].message.startswith("Karin de Vries is betrokken")
    by_role = cn.Consent("c2", 1, cn.ConsentWith("rol", "Budgetcoach"), ["inkomen"], "schulden", "student",
                        "mondeling", date(2026, 1, 1), None, None, None, "w")
    assert cn.consent_warnings([by_role], BIRTH, date(2026, 11, 23), [ext]) == []
    ended = dataclasses.replace(ext, until=date(2026, 6, 1))
    assert kinds(cn.consent_warnings([consent()], BIRTH, date(2026, 11, 23), [ended])) == []
