"""Domain rules: age, the 18th birthday, and Dutch validation messages."""

from datetime import date

import pytest

from jongerenteam.domain import StudentDetails, ValidationError, age_on, days_until_18

TODAY = date(2026, 11, 23)


def test_age_turns_on_the_birthday():
    """Age goes up on the birthday itself, not a day earlier."""
    assert age_on(date(2008, 11, 24), TODAY) == 17
    assert age_on(date(2008, 11, 23), TODAY) == 18


def test_days_until_18_and_leap_day():
    """'wordt 18 over N dagen' counts to the birthday; someone born on 29 February turns 18 on 1 March."""
    assert days_until_18(date(2008, 12, 3), TODAY) == 10
    assert days_until_18(date(2008, 11, 23), TODAY) is None
    assert days_until_18(date(2008, 2, 29), date(2026, 2, 28)) == 1


@pytest.mark.parametrize(
    ("details", "field"),
    [
        (StudentDetails(first_name=""), "first_name"),
        (StudentDetails(first_name="Sam", birth_date=date(2027, 1, 1)), "birth_date"),
        (StudentDetails(first_name="Sam", level="5"), "level"),
        (StudentDetails(first_name="Sam", municipality_code="GM9999"), "municipality_code"),
        (StudentDetails(first_name="Sam", year=9), "year"),
    ],
)
def test_bad_input_names_the_field_in_dutch(details, field):
    """Each invalid field is refused with its name and a Dutch sentence."""
    with pytest.raises(ValidationError) as err:
        details.validate(TODAY)
    assert err.value.field == field
    assert err.value.message.endswith(".")


def test_anonymous_walk_in_needs_no_name():
    """An anonymous walk-in is valid without a first name and shows as 'anoniem'."""
    d = StudentDetails(anonymous=True, leefdomeinen=["welzijn"])
    d.validate(TODAY)
    assert d.display_name == "anoniem"


@pytest.mark.parametrize("number", ["0612345678", "06-12345678", "+31 6 12345678", "0031612345678", "020 123 4567"])
def test_phone_numbers_that_are_accepted(number):
    StudentDetails(first_name="Sam", contact_preference="telefoon", contact_value=number).validate(TODAY)


@pytest.mark.parametrize("number", ["0612-12345678", "12345", "06 1234 567", "bel me"])
def test_phone_numbers_that_are_refused(number):
    with pytest.raises(ValidationError) as err:
        StudentDetails(first_name="Sam", contact_preference="whatsapp", contact_value=number).validate(TODAY)
    assert err.value.field == "contact_value"


def test_every_generated_demo_student_passes_the_apps_own_validation():
    """The demo and the benchmark stores are built from ``demo_students``: every value in them is
    one the intake would accept (a Faker landline like "(0653) 505432" made the register benchmark crash)."""
    from jongerenteam.demo import demo_students

    for seed in (2026, 7):
        for new in demo_students(1500, ["w1", "w2"], seed=seed):
            StudentDetails.from_dict(new.data).validate()


def test_every_problem_of_a_student_is_named_once_and_validate_raises_the_first():
    """``problems`` lists each wrong field (a form shows them all at once); ``validate`` raises the first."""
    details = StudentDetails(first_name="", level="7", year=9, contact_preference="telegram", referrer="buurman")
    found = details.problems(date(2026, 12, 6))
    assert [p.field for p in found] == ["first_name", "level", "contact_preference", "year", "referrer"]
    with pytest.raises(ValidationError) as err:
        details.validate(date(2026, 12, 6))
    assert err.value.field == "first_name"
    assert StudentDetails(first_name="Sam").problems(date(2026, 12, 6)) == []
