"""Leonie (docs/domain.md), through the real use cases on a real store
(SQLite and PostgreSQL), no UI.

Leonie, first year at Deltion, heavy childhood experiences, missed many
lessons and got stuck in her previous programme. Her LOB'er brings her to
Waisca (jeugdhulp, in the team). Weekly talks, sometimes with her pleegmoeder
and her LOB'er. Waisca asks before passing anything on. At 17 years and 10
months she is on the 18+ radar: the checklist, and the financial spreekuur
visited with her pleegzorgbegeleider *before* her 18th birthday. Then a warm
18+ handover to the pleegzorg organisation (verlengde pleegzorg keeps helping
with geld and wonen after 18) that carries only what she agreed to share:
inkomen and wonen, never her childhood (veiligheid, gezondheid). After the
handover the team keeps a finger on the pulse by app during her internship.

The clock moves through the story day by day; every step is checked on what
is stored and on what Waisca's Vandaag shows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jongerenteam import consent as cn
from jongerenteam import dossier as d
from jongerenteam import driegesprek as dg
from jongerenteam import handover as h
from jongerenteam import spreekuur as intake
from jongerenteam.dates import local_today
from jongerenteam.domain import StudentDetails, age_on
from jongerenteam.session import TeamSession
from jongerenteam.settings import kdf_params
from jongerenteam.socialmap import MapEntry
from storage import clock, team
from tests.support import session

WAISCA_PASS = "waisca heeft een lange wachtwoord zin"
BIRTH = date(2009, 1, 20)
EIGHTEEN = date(2027, 1, 20)
SCENARIO_DAY = date(2026, 11, 23)  # a Monday: Leonie is 17 years and 10 months

CHILDHOOD = (
    "Leonie vertelt over haar jeugd: op haar tiende is ze uit huis geplaatst na huiselijk geweld. "
    "Ze slaapt slecht en heeft nachtmerries."
)
QUESTION = "Grip op mijn geld en weten waar ik woon na mijn 18e."
SPREEKUUR_TASK = "Samen met Leonie naar het financieel spreekuur"
# What may never reach the pleegzorg organisation: she did not consent to share it.
NEVER_SHARED = ("veiligheid", "gezondheid", "onveilig", "huiselijk geweld", "uit huis geplaatst",
                "nachtmerries", "slaapt slecht", "jeugd", "gemiste lessen")


# The team store (a copied template) on SQLite and on PostgreSQL.
pytestmark = pytest.mark.backends("sqlite", "postgresql")


@pytest.fixture
def story_clock():
    """The store's clock, moved by the story: ``story_clock(day)`` is 10:00 UTC that day."""

    def set_day(day: date, hour: int = 10) -> None:
        clock.set_clock(lambda: datetime(day.year, day.month, day.day, hour, tzinfo=UTC))

    yield set_day
    clock.set_clock(None)


def at(day: date, hour: int = 11) -> datetime:
    """A talk's moment as the worker types it (local time on the laptop)."""
    return datetime(day.year, day.month, day.day, hour)


def talk(s: TeamSession, student_id: str, day: date, type_: str, note: str, who=("Leonie",), minutes=45) -> str:
    return s.dossier.add_talk(student_id, d.NewTalk(type_, at(day), minutes, list(who), note))


def due_texts(s: TeamSession, day: date, student_id: str) -> list[str]:
    return [row.text for row in s.spreekuur.today(day).due if row.record.id == student_id]


def test_leonie_turning_18_checklist_spreekuur_consented_handover_and_app_contact(team_store, story_clock):
    # Waisca (jeugdhulp) joins the team.
    story_clock(date(2026, 9, 1))
    cora = session(team_store, "coordinator")
    waisca_id = cora.team.add_worker(
        team.WorkerDetails("Waisca Wijdenbosch", "WW", team.WORKER, "jeugdhulp"), WAISCA_PASS, kdf_params(),
    )
    waisca = TeamSession.unlock(team_store.store, waisca_id, WAISCA_PASS)

    # 1. Monday 5 October: her LOB'er brings her; an aanmelding with Waisca as contact person.
    registered = date(2026, 10, 5)
    story_clock(registered)
    details = StudentDetails(
        first_name="Leonie", last_name="Brouwer", birth_date=BIRTH,
        programme="Pedagogisch medewerker kinderopvang", level="3", year=1,
        contact_preference="whatsapp", contact_value="0612345678", referrer="lob",
    )
    referral = intake.Referral(
        by_name="Mevr. Koster", by_role="LOB'er",
        reason="Leonie mist veel lessen en liep vast in haar vorige opleiding. Ze wordt bijna 18 en maakt zich zorgen over geld.",
    )
    leonie = waisca.spreekuur.register_referral(details, referral, contact_worker_id=waisca_id, today=registered)
    sid = leonie.id
    assert leonie.status == "wacht" and leonie.contact_worker_id == waisca_id
    assert [w.record.id for w in waisca.spreekuur.today(registered).waiting] == [sid]
    # Already on the 18+ radar (within 6 months of her birthday).
    assert [(t.record.id, t.days) for t in waisca.spreekuur.today(registered).turning_18] == [(sid, (EIGHTEEN - registered).days)]

    # 2. Wednesday 7 October: the first talk with her LOB'er and her pleegmoeder.
    first = date(2026, 10, 7)
    story_clock(first)
    waisca.driegesprek.save_driegesprek(sid, dg.Driegesprek(
        at=at(first), minutes=60, coach_name="Mevr. Koster", coach_role="lob", workers=[waisca_id],
        others=["pleegmoeder"], story=CHILDHOOD,
        school_concerns="Veel gemiste lessen; ze liep vast in haar vorige opleiding.",
        question=QUESTION,
        agreements=[d.NewAgreement(d.Who("student"), "Rooster met de LOB'er doornemen", date(2026, 10, 28))],
        consents=[cn.NewConsent(cn.ConsentWith("rol", "LOB'er"), ["onderwijs"], "verzuim en rooster afstemmen met school",
                               "student", "mondeling", first)],
        scores=[
            d.NewScore("inkomen", 2, first, "schulden bij de telefoonaanbieder, geen overzicht"),
            d.NewScore("wonen", 3, first, "woont in het pleeggezin; wat na haar 18e?"),
            d.NewScore("veiligheid", 2, first, "onveilig thuis in haar jeugd, huiselijk geweld"),
            d.NewScore("gezondheid", 2, first, "slaapt slecht, nachtmerries"),
            d.NewScore("onderwijs", 2, first, "veel gemiste lessen"),
        ],
        next_date=date(2026, 10, 14), next_text="vervolggesprek",
    ))
    leonie = waisca.students[sid]
    assert leonie.status == "lopend"
    assert (leonie.details.coach_name, leonie.details.coach_role) == ("Mevr. Koster", "lob")
    assert waisca.spreekuur.today(first).waiting == []

    # 3. Wednesday 14 October: she wants her pleegzorgbegeleider to help with geld and wonen.
    #    Waisca asks first: Leonie is 17, so she decides herself. About inkomen and wonen only.
    week2 = date(2026, 10, 14)
    story_clock(week2)
    assert cn.consent_needed_from(BIRTH, week2) == "student"
    map_id = waisca.social_map.add(MapEntry(
        kind="professional", name="Sanne Visser", role="begeleider pleegzorg", organisation="Pleegzorg Overijssel",
        leefdomeinen=["inkomen", "wonen"], phone="0381234567",
    ))
    talk(waisca, sid, week2, "vervolggesprek",
         "Over geld: Leonie weet niet wat er op haar 18e verandert. Ze wil dat Sanne van pleegzorg meedenkt.")
    waisca.consent.add_consent(sid, cn.NewConsent(
        cn.ConsentWith("organisatie", "Pleegzorg Overijssel", map_id), ["inkomen", "wonen"],
        "geld en wonen na haar 18e samen regelen", "student", "mondeling", week2,
    ))
    waisca.dossier.add_agreement(sid, d.NewAgreement(d.Who("anders", "Sanne Visser (pleegzorg)"), SPREEKUUR_TASK, date(2026, 11, 12)))

    # 4. Weekly talks, sometimes with the pleegmoeder or the LOB'er.
    week3, week4, week5 = date(2026, 10, 21), date(2026, 10, 28), date(2026, 11, 4)
    story_clock(week3)
    talk(waisca, sid, week3, "vervolggesprek", "Met pleegmoeder: Leonie houdt zelf haar post bij.",
         who=("Leonie", "pleegmoeder"))
    story_clock(week4)
    talk(waisca, sid, week4, "vervolggesprek", "Rooster doorgenomen; ze is bijna elke les geweest.",
         who=("Leonie", "Mevr. Koster (LOB'er)"))
    rooster = next(a for a in waisca.dossier.open_dossier(sid, log=False).agreements if a.what.startswith("Rooster"))
    assert waisca.dossier.change_agreement(sid, rooster, status="gedaan")
    waisca.dossier.add_score(sid, d.NewScore("onderwijs", 3, week4, "bijna elke les aanwezig"))
    story_clock(week5)
    talk(waisca, sid, week5, "vervolggesprek", "Zorgverzekering en DigiD uitgezocht met pleegmoeder.")
    waisca.eighteen.set_checklist_item(sid, "zorgverzekering", True, note="vanaf haar 18e een eigen polis")
    waisca.eighteen.set_checklist_item(sid, "digid", True)

    # 5. Thursday 12 November: to the financial spreekuur with her pleegzorgbegeleider, before her 18th birthday.
    spreekuur = date(2026, 11, 12)
    story_clock(spreekuur)
    talk(waisca, sid, spreekuur, "telefonisch",
         "Leonie was met Sanne bij het financieel spreekuur: overzicht van de schulden en een betalingsregeling.",
         minutes=15)
    # The werkafspraak's deadline is today: it is on Waisca's Vandaag until it is done.
    assert due_texts(waisca, spreekuur, sid) == [f"werkafspraak: {SPREEKUUR_TASK}"]
    task = next(a for a in waisca.dossier.open_dossier(sid, log=False).agreements if a.what == SPREEKUUR_TASK)
    assert waisca.dossier.change_agreement(sid, task, status="gedaan")
    waisca.eighteen.set_checklist_item(sid, "financieel_spreekuur", True, note="samen met pleegzorgbegeleider")
    assert due_texts(waisca, spreekuur, sid) == []
    week7 = date(2026, 11, 19)
    story_clock(week7)
    talk(waisca, sid, week7, "vervolggesprek", "De betalingsregeling loopt; ze heeft een overzicht van haar geld.")
    waisca.dossier.add_score(sid, d.NewScore("inkomen", 4, week7, "betalingsregeling loopt, overzicht in- en uitgaven"))
    waisca.dossier.add_agreement(sid, d.NewAgreement(d.Who("student"), "Zorgtoeslag aanvragen na je 18e verjaardag", date(2027, 1, 25)))

    # 6. Monday 23 November: 17 years and 10 months, on Waisca's 18+ radar, checklist partly done.
    story_clock(SCENARIO_DAY)
    assert local_today() == SCENARIO_DAY
    assert age_on(BIRTH, SCENARIO_DAY) == 17 and date(2026, 11, 20) <= SCENARIO_DAY < date(2026, 12, 20)
    vandaag = waisca.spreekuur.today(SCENARIO_DAY)
    assert [(t.record.id, t.days) for t in vandaag.turning_18] == [(sid, 58)]
    assert [(r.id, days) for r, days in waisca.eighteen.turning_18()] == [(sid, 58)]
    assert [c.record.id for c in vandaag.caseload] == [sid]
    assert [r.text for r in vandaag.due if r.record.id == sid] == []  # nothing overdue
    # The team's radar shows her to a colleague too; Hanna's own Vandaag does not (not her student).
    hanna = session(team_store)
    assert [r.id for r, _ in hanna.eighteen.turning_18(day=SCENARIO_DAY)] == [sid]
    assert hanna.spreekuur.today(SCENARIO_DAY).turning_18 == []
    checklist = waisca.eighteen.checklist(sid)
    assert (checklist.done_count, checklist.team_count) == (3, 9)
    fs = checklist.row("financieel_spreekuur")
    assert (fs.done, fs.on, fs.note) == (True, spreekuur, "samen met pleegzorgbegeleider")
    assert fs.on < EIGHTEEN
    assert not checklist.row("zorgtoeslag").done and not checklist.row("vervolg_zorg").done

    # 7. The 18+ handover to the pleegzorg organisation, chosen from the sociale kaart.
    receivers = [r for r in waisca.handover.handover_receivers() if r.map_id == map_id]
    assert len(receivers) == 1
    sanne = receivers[0]
    assert (sanne.kind, sanne.name, sanne.role, sanne.organisation) == (
        "kaart", "Sanne Visser", "begeleider pleegzorg", "Pleegzorg Overijssel")
    comp = waisca.handover.compose_handover(sid, h.ADULT, sanne)
    assert not comp.blocked
    assert comp.scope == {"inkomen", "wonen"}
    text = comp.text
    assert "Leonie Brouwer" in text and "17 jaar (geboren 20-01-2009)" in text
    assert "Inkomen / schulden: 4 (voldoende zelfredzaam) op 19-11-2026; eerste score 2 op 07-10-2026" in text
    assert "Wonen: 3 (beperkt zelfredzaam) op 07-10-2026" in text
    for word in NEVER_SHARED:
        assert word not in text.casefold(), word
    assert "Onderwijs" not in text  # consented with the LOB'er only, not with pleegzorg
    left = dict(comp.left_out)
    for domain in ("Veiligheid", "Gezondheid", "Onderwijs"):
        assert left[f"Leefdomein {domain}"] == "geen toestemming voor dit leefdomein"
    assert left["Hulpvraag"].startswith("geen toestemming")  # her question spans domains she did not share
    assert "Open werkafspraken" in left  # the zorgtoeslag task: needs consent about everything
    # Waisca fills in the parts only she and Leonie can write, and Leonie reads it and agrees.
    document = text.replace(
        "(vul in: waar moet de ontvanger op letten?)",
        "Als de post zich opstapelt, raakt ze het overzicht kwijt.",
    ).replace(
        "(vul in: wat wil de student zelf, in eigen woorden?)",
        "Ik wil zelf mijn geld regelen, met Sanne als vraagbaak.",
    )
    follow_up = date(2026, 12, 7)
    row = waisca.handover.propose_handover(sid, h.Proposal(
        h.ADULT, sanne, document, comp.left_out, student_view="akkoord", follow_up=follow_up,
    ))
    assert (row.state, row.kind, row.follow_up, row.to_worker_id) == (h.PROPOSED, h.ADULT, follow_up, None)

    # 8. The follow-up date reaches Waisca's Vandaag on that date, not before.
    for day in (SCENARIO_DAY, date(2026, 12, 4)):
        assert not any("overdracht" in t for t in due_texts(waisca, day, sid)), day
    story_clock(follow_up)
    follow = [r for r in waisca.spreekuur.today(follow_up).due if r.record.id == sid and "overdracht" in r.text]
    assert [(r.due, r.text) for r in follow] == [
        (follow_up, "overdracht: ga na of er contact is met de nieuwe hulpverlener")]
    assert not any(r.record.id == sid for r in hanna.spreekuur.today(follow_up).due)  # only the one who handed over
    talk(waisca, sid, follow_up, "app", "Appje: Sanne heeft gebeld, op 10 december praten ze over wonen na haar 18e.",
         minutes=10)
    row = waisca.handover.confirm_contact(row, note="Sanne heeft Leonie gebeld.")
    assert row.state == h.CONTACT and row.follow_up is None
    assert not any("overdracht" in t for t in due_texts(waisca, follow_up, sid))
    finished_on = date(2026, 12, 14)
    story_clock(finished_on)
    row = waisca.handover.finish_handover(row, "Sanne begeleidt Leonie na haar 18e bij geld en wonen.")
    assert row.state == h.DONE and not row.open

    # The steps, in order, in the file; the export holds only what she agreed to.
    (view,) = waisca.handover.handovers_of(sid)
    assert [state for _, state, _ in view.steps] == [h.PROPOSED, h.CONTACT, h.DONE]
    assert view.student_view == "akkoord" and view.receiver.map_id == map_id
    assert view.document == document.strip()
    exported = waisca.handover.export_handover(view)
    assert "Overdrachtsdocument (18+)" in exported
    assert "Aan: Sanne Visser (begeleider pleegzorg, Pleegzorg Overijssel)" in exported
    assert "Van: Waisca Wijdenbosch" in exported and "Stand: afgerond" in exported
    assert "Inkomen / schulden: 4" in exported and "Ik wil zelf mijn geld regelen" in exported
    for word in NEVER_SHARED:
        assert word not in exported.casefold(), word
    log = [line.what for line in waisca.dossier.file_log(sid)]
    assert "geëxporteerd: overdrachtsdocument tekst" in log
    assert not any(name in w for w in log for name in ("Leonie", "Sanne", "Pleegzorg"))  # no personal data

    # 9. During her internship: app contact, the team keeps a finger on the pulse.
    app_days = (date(2026, 12, 21), date(2027, 1, 11), date(2027, 1, 25))
    notes = ("Stage bij de kinderopvang gaat goed.", "Eerste weken stage: ze is elke dag op tijd.",
             "Ze is 18 geworden; zorgtoeslag is aangevraagd.")
    for day, note in zip(app_days, notes, strict=False):
        story_clock(day)
        talk(waisca, sid, day, "app", note, minutes=10)
    end = app_days[-1]
    waisca.eighteen.set_checklist_item(sid, "zorgtoeslag", True, on=date(2027, 1, 22))
    toeslag = next(a for a in waisca.dossier.open_dossier(sid, log=False).agreements if a.what.startswith("Zorgtoeslag"))
    assert waisca.dossier.change_agreement(sid, toeslag, status="gedaan")

    # 10. The stored file tells her story.
    waisca.lock()
    waisca = TeamSession.unlock(team_store.store, waisca_id, WAISCA_PASS)
    dossier = waisca.dossier.open_dossier(sid)
    record = waisca.students[sid]
    assert record.status == "lopend" and record.contact_worker_id == waisca_id
    assert set(record.details.leefdomeinen) == {"inkomen", "wonen", "veiligheid", "gezondheid", "onderwijs"}
    talks = sorted(dossier.talks(), key=lambda t: t.at)
    assert [t.type for t in talks] == [
        "driegesprek", "vervolggesprek", "vervolggesprek", "vervolggesprek", "vervolggesprek", "telefonisch",
        "vervolggesprek", "app", "app", "app", "app",
    ]
    assert talks[0].payload["verhaal"] == CHILDHOOD and talks[0].payload["aanwezig"] == ["pleegmoeder"]
    assert "pleegmoeder" in talks[2].participants and "Mevr. Koster (LOB'er)" in talks[3].participants
    # Weekly at first, then app contact only, all after the handover was finished but the first.
    assert [t.at.date() for t in talks[:5]] == [first, week2, week3, week4, week5]
    apps = [t for t in talks if t.type == "app"]
    assert [t.at.date() for t in apps] == [follow_up, *app_days]
    assert all(t.at.date() > finished_on for t in apps[1:])
    assert dossier.question == QUESTION
    assert [s.score for s in dossier.scores["inkomen"]] == [2, 4]
    assert [s.score for s in dossier.scores["onderwijs"]] == [2, 3]
    assert dossier.open_agreements() == []
    assert {a.what: a.status for a in dossier.agreements} == {
        "Rooster met de LOB'er doornemen": "gedaan", SPREEKUUR_TASK: "gedaan",
        "Zorgtoeslag aanvragen na je 18e verjaardag": "gedaan",
    }
    pleegzorg = next(c for c in dossier.consents if c.with_.map_id == map_id)
    assert sorted(pleegzorg.about) == ["inkomen", "wonen"] and pleegzorg.given_by == "student"
    # She turned 18 after both consents: the file asks Waisca to ask her again.
    warnings = dossier.consent_warnings(BIRTH, end)
    assert sorted(w.consent_id for w in warnings if w.kind == "turned_18") == sorted(c.id for c in dossier.consents)
    # The handover in the timeline: the document, then its three steps in order.
    steps = sorted((t for t in dossier.timeline if t.kind == "overdracht_stap"), key=lambda t: t.at)
    assert [(t.payload["naar"], t.at.date()) for t in steps] == [
        (h.PROPOSED, SCENARIO_DAY), (h.CONTACT, follow_up), (h.DONE, finished_on)]
    assert steps[0].note.startswith("Overdracht (18+) aan Sanne Visser (begeleider pleegzorg, Pleegzorg Overijssel)")
    assert "akkoord" in steps[0].note
    assert "Sanne heeft Leonie gebeld." in steps[1].note
    assert [t.id for t in dossier.timeline if t.kind == "overdracht"] == [view.row.id]
    checklist = waisca.eighteen.checklist(sid)
    assert {r.key: r.on for r in checklist.rows if r.done} == {
        "zorgverzekering": week5, "digid": week5, "financieel_spreekuur": spreekuur, "zorgtoeslag": date(2027, 1, 22),
    }

    # ... and so does Waisca's Vandaag: still her student, off the 18+ radar, nothing overdue.
    vandaag = waisca.spreekuur.today(end)
    assert [c.record.id for c in vandaag.caseload] == [sid]
    assert vandaag.turning_18 == []
    assert [r.text for r in vandaag.due if r.record.id == sid] == []
    assert waisca.eighteen.turning_18() == []
    assert waisca.handover.my_handovers() == []  # the handover is closed
