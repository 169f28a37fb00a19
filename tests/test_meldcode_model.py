"""The meldcode's domain (issue 21): where the afwegingskader's answers lead, and the next step."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jongerenteam.domain import ValidationError
from jongerenteam.meldcode import model as m

TODAY = date(2026, 11, 23)

answers = st.fixed_dictionaries({q: st.sampled_from([None, True, False]) for q in m.QUESTIONS})


def _first_open(a):
    return next((q for q in m.QUESTIONS if a[q] is None), None)


@given(answers)
def test_the_answers_always_lead_where_the_afwegingskader_says(a):
    """For any answers, the outcome is the one the basismodel names: the sequence stops at
    the first deciding answer (1 no: close; 2 yes, 3 no, 4 no, 5 no: report; 5 yes: close
    with agreements), an unanswered question before that is asked first, and answers
    after the deciding one change nothing."""
    where = m.lead(a)
    for i, q in enumerate(m.QUESTIONS):
        answer = a[q]
        if answer is None:
            if q == m.HULP_EFFECT:
                assert where == m.Lead(m.Outcome.FOLLOW, q)  # help offered and accepted: follow it
            else:
                assert where == m.Lead(m.Outcome.ASK, q)
            break
        if q == m.VERMOEDEN and answer is False:
            assert where == m.Lead(m.Outcome.CLOSE, q)
            break
        if q == m.ONVEILIG and answer is True:
            assert where == m.Lead(m.Outcome.REPORT, q)
            assert "Veilig Thuis" in where.text and "3 tot en met 5" in where.text
            break
        if q in (m.HULP_MOGELIJK, m.HULP_AANVAARD, m.HULP_EFFECT) and answer is False:
            assert where == m.Lead(m.Outcome.REPORT, q)
            break
        assert i < len(m.QUESTIONS) - 1 or where == m.Lead(m.Outcome.CLOSE_WITH_AGREEMENTS, None)
    # Answers after the deciding question do not matter.
    later = {q: (None if q not in where.asked else a[q]) for q in m.QUESTIONS}
    assert m.lead(later) == where
    assert where.text.endswith(".")


@given(answers, st.sampled_from(m.QUESTIONS), st.booleans())
def test_changing_a_later_answer_never_changes_a_decided_outcome(a, q, value):
    """Once a question decided the outcome (close or report), answering a later question
    differently leaves it where it was: the app never overrules the sequence."""
    where = m.lead(a)
    if where.outcome in (m.Outcome.CLOSE, m.Outcome.REPORT) and q not in where.asked:
        assert m.lead({**a, q: value}) == where


def test_the_examples_of_the_issue():
    """The five questions as the issue lists them, one by one."""
    yes, no = True, False
    assert m.lead({}).outcome is m.Outcome.ASK and m.lead({}).question == m.VERMOEDEN
    assert m.lead({m.VERMOEDEN: no}).outcome is m.Outcome.CLOSE
    assert m.lead({m.VERMOEDEN: yes}).question == m.ONVEILIG
    assert m.lead({m.VERMOEDEN: yes, m.ONVEILIG: yes}).outcome is m.Outcome.REPORT
    assert m.lead({m.VERMOEDEN: yes, m.ONVEILIG: no, m.HULP_MOGELIJK: no}).outcome is m.Outcome.REPORT
    base = {m.VERMOEDEN: yes, m.ONVEILIG: no, m.HULP_MOGELIJK: yes}
    assert m.lead({**base, m.HULP_AANVAARD: no}).outcome is m.Outcome.REPORT
    assert m.lead({**base, m.HULP_AANVAARD: yes}).outcome is m.Outcome.FOLLOW
    assert m.lead({**base, m.HULP_AANVAARD: yes, m.HULP_EFFECT: no}).text == m.REPORT_AGAIN
    done = m.lead({**base, m.HULP_AANVAARD: yes, m.HULP_EFFECT: yes})
    assert done.outcome is m.Outcome.CLOSE_WITH_AGREEMENTS and "afspraken" in done.text


def test_next_step_walks_the_five_steps():
    """The first step not done yet; after the weighing, where the answers lead."""
    doc = m.new_document("Jeugdhulp Zwolle", TODAY)
    assert m.next_step(doc).step == m.SIGNALEN
    doc["signalen"].append(m.Signal(TODAY, "blauwe plek op de arm").to_dict(TODAY))
    assert m.next_step(doc).step == m.CONSULTATIE
    doc["consultaties"].append(m.Consultation(TODAY, m.VEILIG_THUIS, "Veilig Thuis", "gesprek voeren").to_dict(TODAY))
    assert m.next_step(doc).step == m.GESPREK
    doc["gesprekken"].append(m.Talk(None, "", why_not="De veiligheid van de student").to_dict(TODAY))
    assert m.next_step(doc).step == m.WEGEN
    doc["afweging"][m.VERMOEDEN] = m.Answer(m.VERMOEDEN, True, TODAY).to_dict(TODAY)
    doc["afweging"][m.ONVEILIG] = m.Answer(m.ONVEILIG, True, TODAY).to_dict(TODAY)
    assert m.next_step(doc).step == m.BESLISSEN
    doc["besluit"]["melding"] = m.Melding(TODAY, "Hanna", "VT-1", told_student="dat we melden", told_on=TODAY).to_dict(TODAY)
    assert m.next_step(doc).step == m.BESLISSEN  # follow what Veilig Thuis decides
    doc["status"] = m.CLOSED
    assert m.next_step(doc).step is None


def test_forms_refuse_what_is_missing_in_dutch():
    """A signal needs facts, a talk a report or a reason (not both), a melding what the student was told or why not."""
    with pytest.raises(ValidationError) as err:
        m.Signal(TODAY, "  ").to_dict(TODAY)
    assert err.value.field == "observed"
    with pytest.raises(ValidationError) as err:
        m.Talk(TODAY, "student", said="ze vertelde", why_not="onveilig").to_dict(TODAY)
    assert err.value.field == "why_not"
    with pytest.raises(ValidationError) as err:
        m.Melding(TODAY, "Hanna").to_dict(TODAY)
    assert err.value.field == "told_student"
    with pytest.raises(ValidationError) as err:
        m.Signal(date(2026, 12, 1), "iets").to_dict(TODAY)
    assert err.value.field == "on"
