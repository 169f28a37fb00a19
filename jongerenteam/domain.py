"""Domain model: what the team knows about a student, checked and typed.

Plain Python; the store sees only ``to_dict()``. Validation messages are
Dutch because they reach the screen as they are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from jongerenteam.catalogue import CONTACT_PREFERENCES, LEVELS, STATUSES
from jongerenteam.municipalities import MUNICIPALITIES


class ValidationError(ValueError):
    """Bad input; ``field`` names the form field, the message is Dutch."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


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

    def validate(self, today: date | None = None) -> None:
        today = today or date.today()
        if not self.anonymous and not self.first_name.strip():
            raise ValidationError("first_name", "Vul een voornaam in, of kies 'anoniem'.")
        if self.birth_date is not None:
            if self.birth_date > today:
                raise ValidationError("birth_date", "De geboortedatum ligt in de toekomst.")
            if age_on(self.birth_date, today) > 40:
                raise ValidationError("birth_date", "Deze geboortedatum past niet bij een mbo-student (ouder dan 40).")
        if self.level and self.level not in LEVELS:
            raise ValidationError("level", "Kies een niveau: Entree, 1, 2, 3 of 4.")
        if self.municipality_code and self.municipality_code not in MUNICIPALITIES:
            raise ValidationError("municipality_code", "Deze gemeente staat niet in de lijst.")
        if self.contact_preference and self.contact_preference not in CONTACT_PREFERENCES:
            raise ValidationError("contact_preference", "Kies telefoon, WhatsApp, e-mail of langskomen.")
        if self.year is not None and not 1 <= self.year <= 6:
            raise ValidationError("year", "Leerjaar is een getal van 1 tot en met 6.")

    def __repr__(self) -> str:
        # Decrypted personal data must not reach a traceback or a log line.
        return "StudentDetails(…)"

    @property
    def display_name(self) -> str:
        if self.anonymous:
            return "anoniem"
        return f"{self.first_name} {self.last_name}".strip()

    def to_dict(self) -> dict:
        d = asdict(self)
        d["birth_date"] = self.birth_date.isoformat() if self.birth_date else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "StudentDetails":
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        if known.get("birth_date"):
            known["birth_date"] = date.fromisoformat(known["birth_date"])
        return cls(**known)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def days_until_18(birth: date, today: date) -> int | None:
    """Days until the 18th birthday, or None when already 18."""
    try:
        eighteen = birth.replace(year=birth.year + 18)
    except ValueError:  # born on 29 February
        eighteen = date(birth.year + 18, 3, 1)
    delta = (eighteen - today).days
    return delta if delta > 0 else None


def validate_status(status: str) -> None:
    if status not in STATUSES:
        raise ValidationError("status", "Onbekende status.")
