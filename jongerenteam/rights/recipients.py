"""Who received a student's data, and telling them of a correction or an erasure (AVG art. 19).

After a correction, and before an erasure, the worker sees to whom the
file's data went (``Recipient``): every handover (a colleague, a helper
outside the team, the 18+ handover) and every export or print the file's
log names, except the student's own inzage. For a correction the worker
records who was told, and how, or why not, as a file entry of kind
``INFORMED``. An erasure leaves no file to write in: its audit line says,
as a code, whether the recipients were told (``ERASURE_TOLD``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The file entry kind: who was told of a correction, and how or why not.
INFORMED = "ontvangers"

# What the coördinator says of the recipients when erasing (code -> Dutch).
ERASURE_TOLD = {
    "ingelicht": "ontvangers zijn ingelicht",
    "volgt": "ontvangers worden nog ingelicht",
    "onmogelijk": "inlichten is niet mogelijk of vraagt te veel",
}

# Export and print lines of the file's log that went to the student, not to a recipient.
_TO_THE_STUDENT = ("inzage",)

# What an export line names (``DossierService.log_export``) -> Dutch.
EXPORT_WORDS = {
    "overdrachtsdocument tekst": "overdrachtsdocument (tekst)",
    "overdrachtsdocument pdf": "overdrachtsdocument (pdf)",
    "afsprakenoverzicht: tekst": "afsprakenoverzicht (tekst)",
    "afsprakenoverzicht: pdf": "afsprakenoverzicht (pdf)",
}


@dataclass(frozen=True, slots=True)
class Recipient:
    """One place the file's data went: a handover, or an export or print."""

    key: str  # stable within the file: "overdracht:<id>" or "export:<n>"
    who: str  # Dutch: the receiver, or what was exported
    what: str  # Dutch: the kind of sharing and its state
    on: date
    open: bool = False  # a handover still under way

    @property
    def line(self) -> str:
        return f"{self.who}: {self.what} ({self.on:%d-%m-%Y})"


@dataclass(frozen=True, slots=True)
class Told:
    """What the worker records for one recipient after a correction."""

    recipient: Recipient
    told: bool


def export_word(detail: str) -> str:
    return EXPORT_WORDS.get(detail, detail)


def to_the_student(detail: str) -> bool:
    return detail.startswith(_TO_THE_STUDENT)


def informed_payload(about: str, told: list[Told], how: str) -> dict[str, object]:
    """The ``INFORMED`` entry: each recipient and whether they were told, and how (or why not)."""
    yes = [t.recipient.who for t in told if t.told]
    no = [t.recipient.who for t in told if not t.told]
    parts = []
    if yes:
        parts.append("ingelicht: " + ", ".join(yes))
    if no:
        parts.append("niet ingelicht: " + ", ".join(no))
    text = f"Ontvangers over de {about}: " + "; ".join(parts) + (f". {how.strip()}" if how.strip() else ".")
    return {
        "over": about,
        "ontvangers": [{"wie": t.recipient.who, "wat": t.recipient.what, "ingelicht": t.told} for t in told],
        "toelichting": how.strip(),
        "tekst": text,
    }
