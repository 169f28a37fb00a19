"""Scenario (issue 21), through the use cases: Noa, 16, tells Hanna at the spreekuur that her
father hits her. Hanna maps the signals, consults the aandachtsfunctionaris and Veilig Thuis,
talks with Noa, weighs (acute unsafety), reports to Veilig Thuis, hands over on the legal ground
"meldcode", and follows up; Otto, on Noa's file, never reads any of it."""

from datetime import date, timedelta

import pytest

from jongerenteam import handover as h
from jongerenteam.dates import local_today
from jongerenteam.domain import StudentDetails, age_on
from jongerenteam.errors import NotInvolved
from jongerenteam.meldcode import model as m
from tests.support import session


def test_noa_16_discloses_violence_at_home(team_store, fixed_clock):
    today = local_today()
    hanna = session(team_store)
    noa = hanna.spreekuur.register_student(StudentDetails(
        first_name="Noa", last_name="Visser", birth_date=date(today.year - 16, 1, 10), level="2",
        municipality_code="GM0193",
    ))
    assert age_on(noa.details.birth_date, today) == 16
    hanna.dossier.involve(noa.id, team_store.other_id)  # Otto is on her file, for her debts

    # 1. Signals: facts apart from interpretation, and what Noa said in her own words.
    t = hanna.meldcode.start(noa.id, aandachtsfunctionaris="Mw. de Wit",
                             targets={m.SIGNALEN: today, m.CONSULTATIE: today + timedelta(days=2)})
    assert t.doc["organisatie"] == "jeugdhulp" and t.next.step == m.SIGNALEN
    t = hanna.meldcode.add_signal(t, m.Signal(today, "Rode striemen op de bovenarm; wil niet naar huis.",
                                              student_said="Mijn vader slaat me als hij gedronken heeft.",
                                              interpretation="Mogelijk huiselijk geweld.", also_noticed_by="mentor"))
    assert t.next.step == m.CONSULTATIE and t.target == today + timedelta(days=2)

    # 2. Consultation: the aandachtsfunctionaris, and Veilig Thuis anonymously.
    t = hanna.meldcode.add_consultation(t, m.Consultation(today, "aandachtsfunctionaris", "Mw. de Wit", "Raadpleeg Veilig Thuis."))
    t = hanna.meldcode.add_consultation(t, m.Consultation(today, m.VEILIG_THUIS, "Veilig Thuis", "Bij acuut gevaar: melden.",
                                                          anonymous=True))
    assert t.doc["consultaties"][1]["anoniem"] is True and t.next.step == m.GESPREK

    # 3. The talk with Noa; not with her parents (her safety).
    t = hanna.meldcode.add_talk(t, m.Talk(today, "student", said="Noa vertelt dat het elke week gebeurt; ze is bang."))
    t = hanna.meldcode.add_talk(t, m.Talk(None, "", why_not="Gesprek met ouders niet veilig voor Noa."))
    assert t.next.step == m.WEGEN

    # 4. Weighing: suspicion, acute unsafety: the answers lead to reporting, 3-5 with Veilig Thuis.
    t = hanna.meldcode.answer(t, m.Answer(m.VERMOEDEN, True, today, "Verhaal en striemen passen bij elkaar."))
    assert t.lead == m.Lead(m.Outcome.ASK, m.ONVEILIG)
    t = hanna.meldcode.answer(t, m.Answer(m.ONVEILIG, True, today, "Ze durft niet naar huis."))
    assert t.lead.outcome is m.Outcome.REPORT and t.next.step == m.BESLISSEN
    with pytest.raises(Exception, match="pas aan de orde"):
        hanna.meldcode.answer(t, m.Answer(m.HULP_MOGELIJK, True, today))

    # 5. The melding, what Noa was told and her view; the aandachtsfunctionaris joins (Otto does not).
    t = hanna.meldcode.set_melding(t, m.Melding(today, "Hanna Hulpverlener", "VT-2026-0042",
                                                told_student="Dat ik meld bij Veilig Thuis en wat er dan gebeurt.",
                                                told_on=today, student_view="Ze is opgelucht maar bang voor haar vader."))
    assert t.next.step == m.BESLISSEN and "Melding gedaan" in t.next.text

    # The handover to Veilig Thuis on the legal ground "meldcode" carries the trajectory.
    vt = h.Receiver("vrij", "Veilig Thuis IJsselland", "Veilig Thuis", "Veilig Thuis IJsselland")
    comp = hanna.handover.compose_handover(noa.id, h.EXTERN, vt, legal_ground="meldcode")
    text = comp.text
    assert "Meldcode huiselijk geweld en kindermishandeling" in text
    assert "VT-2026-0042" in text and "Mijn vader slaat me" in text
    assert "Wat de student er zelf van vindt: Ze is opgelucht" in text
    document = h.without_placeholders(text, "Geen aanvullingen.")  # the parts the worker writes
    row = hanna.handover.propose_handover(noa.id, h.Proposal(
        h.EXTERN, vt, document, legal_ground="meldcode", legal_reason="Acute onveiligheid thuis; melding gedaan.",
        student_view="akkoord", follow_up=today + timedelta(days=7),
    ))
    assert row.id

    # Follow-up: a target date to check what Veilig Thuis decided; Vandaag shows it.
    t = hanna.meldcode.set_targets(t, {m.BESLISSEN: today + timedelta(days=7)})
    [on_today] = hanna.meldcode.today()
    assert on_today.id == t.id and on_today.target == today + timedelta(days=7) and not on_today.overdue(today)
    assert on_today.overdue(today + timedelta(days=8))

    # Otto, on Noa's file, sees nothing of it; the handover's document is in the file he can read
    # (the worker chose what goes in: the docs say so).
    otto = session(team_store, "other")
    assert otto.meldcode.today() == [] and not otto.meldcode.has_open(noa.id)
    with pytest.raises(NotInvolved):
        otto.meldcode.open(t.id)

    # Veilig Thuis takes it over: Hanna closes, with why; nothing open remains.
    t = hanna.meldcode.close(t, "Veilig Thuis heeft het overgenomen; afspraken over contact met Noa.")
    assert t.doc["afsluiting"]["uitkomst"] == "melden" and hanna.meldcode.today() == []
