"""Domain model: what the team knows about a student, checked and typed.

Plain Python; the store sees only ``to_dict()``. Validation messages are
Dutch because they reach the screen as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any, ClassVar

from jongerenteam.catalogue import (
    CLOSE_REASONS,
    COACH_ROLES,
    CONTACT_PREFERENCES,
    LEEFDOMEIN_CODES,
    LEVELS,
    REFERRERS,
    STATUSES,
    URGENCIES,
)
from jongerenteam.municipalities import MUNICIPALITIES
from jongerenteam.text import check_text, clean_line
from storage.documents import JsonObject

# Retention regimes of a file (issue 6): the term itself is the team's (Team.retention).
# Which one a closing file gets is proposed from what the file holds
# (``jongerenteam.rights.suggest_regime``); the worker confirms or changes it.
RETENTION_REGIMES = {
    "school": "alleen schoolbegeleiding",
    "jeugdwet": "jeugdhulp onder de Jeugdwet",
    "kort": "kort contact (alleen inloop of advies)",
}

RETENTION_CHOOSE = "Kies de bewaartermijn: alleen schoolbegeleiding, Jeugdwet of kort contact."

YOUNGEST, OLDEST = 12, 30  # outside this, a birth date needs a confirmation
IMPOSSIBLE_AGE = 100

_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{7,17}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]{2,}$")


class ValidationError(ValueError):
    """Bad input; ``field`` names the form field, the message is Dutch."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


# A worker's text fields and the kind of limit each has (jongerenteam.text.LIMITS).
# The name and organisation are printed in PDFs (the afsprakenoverzicht, the
# overdracht): letters no PDF font has are refused, as in a student's name.
WORKER_FIELDS = {"full_name": "name", "initials": "initials", "organisation": "short"}
WORKER_REQUIRED = {
    "full_name": "Vul de volledige naam in.",
    "initials": "Vul de initialen in.",
    "organisation": "Vul de moederorganisatie in.",
}


def check_worker_field(field_name: str, value: str) -> None:
    """Refuse a worker's name, initials or organisation (``WORKER_FIELDS``) that is empty, too
    long or has letters the PDFs cannot print: a ``ValidationError`` naming the field."""
    value = clean_line(value)
    if not value:
        raise ValidationError(field_name, WORKER_REQUIRED[field_name])
    check_text(field_name, value, WORKER_FIELDS[field_name])


@dataclass(frozen=True, slots=True)
class Concern:
    """Input that is possible but unusual: saved only after the worker confirms."""

    field: str
    message: str


def phone_problem(value: str) -> str | None:
    """Dutch numbers have 10 digits (06-12345678); +31 6 12345678 or 0031... also work."""
    text = value.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        ok = 10 <= len(digits) <= 15
    elif digits.startswith("00"):
        ok = 11 <= len(digits) <= 15
    else:
        ok = len(digits) == 10
    if not _PHONE.match(text) or not ok:
        return "Dit lijkt geen telefoonnummer; gebruik bijvoorbeeld 06-12345678."
    return None


def email_problem(value: str) -> str | None:
    if not _EMAIL.match(value.strip()):
        return "Dit lijkt geen e-mailadres; gebruik bijvoorbeeld naam@voorbeeld.nl."
    return None


def contact_problem(preference: str, value: str) -> str | None:
    """A phone number for telefoon/WhatsApp, an address for e-mail, else nothing."""
    if not value.strip():
        return None
    if preference in ("telefoon", "whatsapp"):
        return phone_problem(value)
    if preference == "email":
        return email_problem(value)
    return None


@dataclass(slots=True)
class StudentDetails:
    """The directory tier of a student (all of it encrypted under the team key)."""

    first_name: str = ""
    last_name: str = ""
    birth_date: date | None = None
    student_number: str = ""
    programme: str = ""
    level: str = ""
    year: int | None = None
    municipality_code: str = ""
    contact_preference: str = ""
    contact_value: str = ""
    anonymous: bool = False
    leefdomeinen: list[str] = field(default_factory=list)
    # A municipality that is not in the bundled list, kept as typed (confirmed).
    municipality_text: str = ""
    referrer: str = ""  # REFERRERS code: who sent the student
    urgency: str = ""  # URGENCIES code, for an aanmelding
    waiting_since: date | None = None  # aanmelding: the waiting clock starts
    # The study coach (school side): a school employee, found by name for a coachwissel.
    coach_name: str = ""
    coach_role: str = ""  # COACH_ROLES code
    closed_reason: str = ""  # CLOSE_REASONS code, when the status is afgesloten
    # Which retention term applies (RETENTION_REGIMES code); "" counts as the
    # longer "jeugdwet" term, so nothing is erased too early.
    retention: str = ""

    # Text fields and the kind of limit each has (jongerenteam.text.LIMITS).
    TEXT_FIELDS: ClassVar[dict[str, str]] = {
        "first_name": "name",
        "last_name": "name",
        "student_number": "number",
        "programme": "short",
        "municipality_text": "short",
        "contact_value": "short",
        "coach_name": "name",
    }

    def normalise(self) -> None:
        """Clean every text field as typed input is cleaned: no control characters, no outer spaces."""
        for name in self.TEXT_FIELDS:
            setattr(self, name, clean_line(getattr(self, name)))

    def validate(self, today: date | None = None) -> None:
        """Clean the text fields, then refuse what cannot be right (the first problem of
        ``problems``); ``concerns`` lists what needs a yes."""
        found = self.problems(today)
        if found:
            raise found[0]

    def problems(self, today: date | None = None) -> list[ValidationError]:
        """Clean the text fields, then every field that cannot be right, one problem per
        field, so a form can show them all at once."""
        today = today or date.today()
        self.normalise()
        out: list[ValidationError] = []
        for name, kind in self.TEXT_FIELDS.items():
            try:
                check_text("municipality" if name == "municipality_text" else name, getattr(self, name), kind)
            except ValidationError as exc:
                out.append(exc)
        if not self.anonymous and not self.first_name.strip():
            out.append(ValidationError("first_name", "Vul een voornaam in, of kies 'anoniem'."))
        if self.birth_date is not None:
            if self.birth_date > today:
                out.append(ValidationError("birth_date", "De geboortedatum ligt in de toekomst."))
            elif age_on(self.birth_date, today) > IMPOSSIBLE_AGE:
                out.append(ValidationError("birth_date", "Deze geboortedatum kan niet kloppen (ouder dan 100)."))
        if self.level and self.level not in LEVELS:
            out.append(ValidationError("level", "Kies een niveau: Entree, 1, 2, 3 of 4."))
        if self.municipality_code and self.municipality_code not in MUNICIPALITIES:
            out.append(ValidationError("municipality_code", "Deze gemeente staat niet in de lijst."))
        if self.contact_preference and self.contact_preference not in CONTACT_PREFERENCES:
            out.append(ValidationError("contact_preference", "Kies telefoon, WhatsApp, e-mail of langskomen."))
        problem = contact_problem(self.contact_preference, self.contact_value)
        if problem:
            out.append(ValidationError("contact_value", problem))
        if self.year is not None and not 1 <= self.year <= 6:
            out.append(ValidationError("year", "Leerjaar is een getal van 1 tot en met 6."))
        if any(code not in LEEFDOMEIN_CODES for code in self.leefdomeinen):
            out.append(ValidationError("leefdomeinen", "Onbekend leefdomein."))
        if self.referrer and self.referrer not in REFERRERS:
            out.append(ValidationError("referrer", "Kies wie de student verwijst."))
        if self.urgency and self.urgency not in URGENCIES:
            out.append(ValidationError("urgency", "Kies gewoon, snel of acuut."))
        if self.coach_role and self.coach_role not in COACH_ROLES:
            out.append(ValidationError("coach_role", "Kies de rol van de coach: SLB'er, LOB'er, mentor of studiecoach."))
        if self.closed_reason and self.closed_reason not in CLOSE_REASONS:
            out.append(ValidationError("closed_reason", "Kies hoe het dossier is afgesloten."))
        if self.retention and self.retention not in RETENTION_REGIMES:
            out.append(ValidationError("retention", RETENTION_CHOOSE))
        return out

    def concerns(self, today: date | None = None) -> list[Concern]:
        """Unusual but possible input, each to be confirmed before saving."""
        today = today or date.today()
        out: list[Concern] = []
        if self.birth_date is not None and self.birth_date <= today:
            age = age_on(self.birth_date, today)
            if age < YOUNGEST:
                out.append(Concern("birth_date", f"Volgens deze datum is de student {age} jaar, jonger dan {YOUNGEST}. Klopt dat?"))
            elif age > OLDEST:
                out.append(Concern("birth_date", f"Volgens deze datum is de student {age} jaar, ouder dan {OLDEST}. Klopt dat?"))
        if self.municipality_text and not self.municipality_code:
            out.append(Concern("municipality", f"'{self.municipality_text}' staat niet in de lijst van gemeenten. Toch zo opslaan?"))
        return out

    def __repr__(self) -> str:
        # Decrypted personal data must not reach a traceback or a log line.
        return "StudentDetails(…)"

    @property
    def display_name(self) -> str:
        if self.anonymous:
            return "anoniem"
        return f"{self.first_name} {self.last_name}".strip()

    def to_dict(self) -> JsonObject:
        d = asdict(self)
        d["birth_date"] = self.birth_date.isoformat() if self.birth_date else None
        d["waiting_since"] = self.waiting_since.isoformat() if self.waiting_since else None
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> StudentDetails:
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        for name in ("birth_date", "waiting_since"):
            if known.get(name):
                known[name] = date.fromisoformat(known[name])
        return cls(**known)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def eighteenth_birthday(birth: date) -> date:
    """The day a student born on ``birth`` turns 18 (born on 29 February: 1 March)."""
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:  # born on 29 February
        return date(birth.year + 18, 3, 1)


def days_until_18(birth: date, today: date) -> int | None:
    """Days until the 18th birthday, or None when already 18."""
    delta = (eighteenth_birthday(birth) - today).days
    return delta if delta > 0 else None


def working_days_between(start: date, end: date) -> int:
    """Working days (Monday to Friday) after ``start`` up to and including ``end``.

    Registered on a Monday and still waiting on the next Monday: 5. School
    holidays are not known to the tool and count as working days.
    """
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    d = start + timedelta(days=weeks * 7)
    for _ in range(rest):
        d += timedelta(days=1)
        if d.weekday() < 5:
            count += 1
    return count


WAITING_STANDARD_DAYS = 5  # the teams' standard: a first talk within a week


def validate_status(status: str) -> None:
    if status not in STATUSES:
        raise ValidationError("status", "Onbekende status.")
