"""Dutch date input: every accepted spelling means the same day; nonsense is refused."""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jongerenteam.dates import MONTHS, format_date, parse_date, parse_past_date
from jongerenteam.domain import StudentDetails, ValidationError
from jongerenteam.dossier.model import NewTalk

TODAY = date(2026, 11, 23)
SHORT_MONTH = {v: k for k, v in MONTHS.items() if len(k) == 3 and k not in ("maa", "mar", "oct")}


@pytest.mark.parametrize(
    "text",
    ["3-4-2008", "03-04-2008", "3 apr 2008", "2008-04-03", "3/4/2008", "3.4.2008", "03042008", "3 april 2008", "3-4-08"],
)
def test_accepted_spellings(text):
    """Every spelling from the issue reads as 3 April 2008."""
    assert parse_date(text, today=TODAY) == date(2008, 4, 3)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2026, 11, 23)))
def test_round_trip(d):
    """Numeric, ISO and month-word spellings of any date parse back to that date."""
    assert parse_date(format_date(d), today=TODAY) == d
    assert parse_date(d.isoformat(), today=TODAY) == d
    assert parse_date(f"{d.day} {SHORT_MONTH[d.month]} {d.year}", today=TODAY) == d


@pytest.mark.parametrize("text", ["", "31-2-2008", "3 foo 2008", "ooit", "morgenvroeg", "2008", "13-13-2008"])
def test_refused_with_dutch_message(text):
    """Impossible or unknown input raises a ValidationError with a Dutch hint."""
    with pytest.raises(ValidationError) as err:
        parse_date(text, today=TODAY)
    assert "datum" in err.value.message.lower() or "maand" in err.value.message.lower()


def test_two_digit_year_never_in_future():
    """'95' means 1995 and '08' means 2008 (never a year after today)."""
    assert parse_date("1-1-95", today=TODAY).year == 1995
    assert parse_date("1-1-08", today=TODAY).year == 2008


def test_an_appointment_date_may_leave_out_the_year():
    """'30-11' or '2 jan' for a follow-up: the next such day from today on; a birth date needs the year."""
    assert parse_date("30-11", today=date(2026, 11, 23), upcoming=True) == date(2026, 11, 30)
    jan = parse_date("2 jan", today=date(2026, 11, 23), upcoming=True)
    assert jan == date(2027, 1, 2)
    assert parse_date("23-11", today=date(2026, 11, 23), upcoming=True) == date(2026, 11, 23)
    with pytest.raises(ValidationError):
        parse_date("30-11", today=TODAY)
    with pytest.raises(ValidationError):
        parse_date("31-2", today=TODAY, upcoming=True)


def test_day_month_without_year_is_the_nearest_looking_ahead():
    """A follow-up date of last week stays last week; further back it is next year's."""
    today = date(2026, 11, 23)
    assert parse_date("20-11", today=today, upcoming=True) == date(2026, 11, 20)
    assert parse_date("24-9", today=today, upcoming=True) == date(2026, 9, 24)  # 60 days back
    assert parse_date("23-9", today=today, upcoming=True) == date(2027, 9, 23)  # 61 days back
    assert parse_date("20-12", today=date(2027, 1, 10), upcoming=True) == date(2026, 12, 20)
    assert parse_date("2 jan", today=today, upcoming=True) == date(2027, 1, 2)


def test_a_date_ahead_gets_an_example_ahead():
    """A birth date's message shows a past example; a follow-up date's one two weeks ahead."""
    with pytest.raises(ValidationError) as err:
        parse_date("32-13", field="follow_up", today=date(2026, 12, 2), upcoming=True)
    assert "bijvoorbeeld 16-12 of 16 dec 2026" in err.value.message
    with pytest.raises(ValidationError) as err:
        parse_date("ooit", field="birth_date", today=date(2026, 12, 2))
    assert "bijvoorbeeld 3-4-2008 of 3 apr 2008" in err.value.message


@pytest.mark.parametrize(
    ("text", "days"),
    [("vandaag", 0), ("gisteren", -1), ("eergisteren", -2), ("morgen", 1), ("overmorgen", 2),
     ("Gisteren", -1), (" vandaag. ", 0), ("OVERMORGEN", 2)],
)
def test_words_for_days_near_today(text, days):
    """vandaag, gisteren, eergisteren, morgen, overmorgen: days from today, in every kind of field."""
    assert parse_date(text, today=TODAY) == TODAY + timedelta(days=days)
    assert parse_date(text, today=TODAY, field="next_date", upcoming=True) == TODAY + timedelta(days=days)
    assert parse_past_date(text, today=TODAY, field="date") == TODAY + timedelta(days=days)


def test_each_field_keeps_its_rules_for_the_words():
    """A talk of yesterday is fine, one of tomorrow is refused with the talk's own Dutch message;
    a birth date of tomorrow is refused as a birth date."""
    yesterday = parse_past_date("gisteren", today=TODAY, field="date")
    NewTalk(at=datetime.combine(yesterday, time(10)), note="Verslag").validate(TODAY)
    tomorrow = parse_past_date("morgen", today=TODAY, field="date")
    with pytest.raises(ValidationError) as err:
        NewTalk(at=datetime.combine(tomorrow, time(10)), note="Verslag").validate(TODAY)
    assert err.value.message == "Een gesprek dat nog moet komen is een afspraak; de datum ligt in de toekomst."
    with pytest.raises(ValidationError) as err:
        StudentDetails(first_name="Sam", birth_date=parse_date("morgen", today=TODAY)).validate(TODAY)
    assert err.value.message == "De geboortedatum ligt in de toekomst."


def test_a_past_day_gets_an_example_of_a_past_day():
    """A talk date (or a score, a period) typed wrong: the example is a recent day, not a birth date."""
    with pytest.raises(ValidationError) as err:
        parse_past_date("ooit", today=TODAY, field="date")
    assert "bijvoorbeeld gisteren, 9-11-2026 of 9 nov 2026" in err.value.message
    assert "2008" not in err.value.message
    with pytest.raises(ValidationError) as err:
        parse_date("", today=TODAY, field="on")
    assert err.value.message == "Vul een datum in, bijvoorbeeld gisteren, 9-11-2026 of 9 nov 2026."
