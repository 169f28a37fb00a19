"""What the spreekuur records besides the directory: a walk-in talk, an
aanmelding by a professional, an anonymous walk-in, and the duplicate check.

The directory part of a student is ``StudentDetails`` (domain.py). What a
student *tells* (the hulpvraag) and who registered them with what reason is
file-tier data: it goes into the student's file as an entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rapidfuzz.distance import Levenshtein

from jongerenteam.catalogue import LEEFDOMEIN_CODES, REFERRERS, URGENCIES
from jongerenteam.domain import StudentDetails, ValidationError, contact_problem
from jongerenteam.search import fold
from jongerenteam.text import check_text, clean_block, clean_line

# File-entry kinds written by the spreekuur.
WALK_IN = "inloop"
REFERRAL = "aanmelding"
APPOINTMENT = "afspraak"
EMERGENCY_NOTE = "noodtoegang"
# Kinds that show on "Vandaag" with a date: appointments, and agreements (jongerenteam.dossier).
AGENDA_KINDS = (APPOINTMENT, "agreement")


@dataclass(slots=True)
class WalkIn:
    """One walk-in talk at the spreekuur."""

    hulpvraag: str = ""
    leefdomeinen: list[str] = field(default_factory=list)
    referrer: str = ""
    minutes: int | None = None
    next_date: date | None = None  # a follow-up appointment, if one was made
    next_text: str = ""

    def validate(self) -> None:
        self.hulpvraag, self.next_text = clean_block(self.hulpvraag), clean_line(self.next_text)
        check_text("hulpvraag", self.hulpvraag, "note")
        check_text("next_text", self.next_text, "line")
        if any(c not in LEEFDOMEIN_CODES for c in self.leefdomeinen):
            raise ValidationError("leefdomeinen", "Onbekend leefdomein.")
        if self.referrer and self.referrer not in REFERRERS:
            raise ValidationError("referrer", "Kies wie de student verwijst.")
        if self.minutes is not None and not 1 <= self.minutes <= 480:
            raise ValidationError("minutes", "Duur is een aantal minuten, van 1 tot 480.")

    def payload(self) -> dict:
        return {
            "tekst": self.hulpvraag,
            "hulpvraag": self.hulpvraag,
            "leefdomeinen": list(self.leefdomeinen),
            "verwijzer": self.referrer,
            "minuten": self.minutes,
        }

    def __repr__(self) -> str:
        return "WalkIn(…)"


@dataclass(slots=True)
class Referral:
    """An aanmelding: a coach or other professional registers a student."""

    by_name: str = ""
    by_role: str = ""
    by_contact: str = ""
    reason: str = ""
    urgency: str = "gewoon"

    def validate(self) -> None:
        self.by_name, self.by_role, self.by_contact = clean_line(self.by_name), clean_line(self.by_role), clean_line(self.by_contact)
        self.reason = clean_block(self.reason)
        check_text("by_name", self.by_name, "name")
        check_text("by_role", self.by_role, "short")
        check_text("by_contact", self.by_contact, "short")
        check_text("reason", self.reason, "note")
        if not self.by_name.strip():
            raise ValidationError("by_name", "Vul in wie de student aanmeldt.")
        if not self.reason.strip():
            raise ValidationError("reason", "Vul de reden van de aanmelding in.")
        if self.urgency not in URGENCIES:
            raise ValidationError("urgency", "Kies gewoon, snel of acuut.")
        value = self.by_contact.strip()
        if value:
            problem = contact_problem("email" if "@" in value else "telefoon", value)
            if problem:
                raise ValidationError("by_contact", problem)

    def payload(self) -> dict:
        return {
            "tekst": self.reason,
            "reden": self.reason,
            "aanmelder": self.by_name,
            "rol": self.by_role,
            "contact": self.by_contact,
            "urgentie": self.urgency,
        }

    def __repr__(self) -> str:
        return "Referral(…)"


# -- duplicates -----------------------------------------------------------------


def _name(d: StudentDetails) -> str:
    return fold(f"{d.first_name} {d.last_name}").strip()


def similar_names(a: StudentDetails, b: StudentDetails) -> bool:
    """Same or nearly the same name: a typo, a missing tussenvoegsel, a swap."""
    na, nb = _name(a), _name(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    longest = max(len(na), len(nb))
    if Levenshtein.distance(na, nb) <= (1 if longest < 8 else 2):
        return True
    # Same first name and one last name contains the other ("Berg" / "van den Berg").
    fa, fb = fold(a.first_name).strip(), fold(b.first_name).strip()
    la, lb = fold(a.last_name).strip(), fold(b.last_name).strip()
    if fa and fa == fb and la and lb and (la in lb or lb in la):
        return True
    # First and last name swapped.
    return bool(fa and la and fa == lb and la == fb)


def is_possible_duplicate(new: StudentDetails, existing: StudentDetails) -> bool:
    """Same student number, or a similar name with the same birth date."""
    number = new.student_number.strip()
    if number and number == existing.student_number.strip():
        return True
    if new.birth_date is not None and new.birth_date == existing.birth_date:
        return similar_names(new, existing)
    return False
