"""What every file entry shares: dates and text as payloads hold them, and edits that keep history.

A file entry's payload is a JSON document (``storage.documents``). Dates are
ISO strings, free text is cleaned and limited as all typed text is
(``jongerenteam.text``), and a change never overwrites: ``edited`` keeps the
earlier values in the payload's ``geschiedenis`` list, which ``history``
reads back. The dossier, consent, the 18+ checklist and the handover use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from jongerenteam.domain import ValidationError
from jongerenteam.text import LIMITS, check_text, clean_block, clean_line
from storage.documents import JsonObject

MAX_TEXT = LIMITS["note"]  # characters per free-text field: a long story, not a pasted book
HISTORY = "geschiedenis"


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def text_field(field_name: str, value: str, label: str, *, required: bool = False, kind: str = "note") -> str:
    """Validate one free-text field (cleaned as input is: jongerenteam.text); return it cleaned."""
    value = clean_block(value) if kind == "note" else clean_line(value)
    if required and not value:
        raise ValidationError(field_name, f"Vul {label} in.")
    check_text(field_name, value, kind)
    return value


@dataclass(slots=True)
class Change:
    """One earlier version of an edited entry: the old values, when, by whom."""

    old: JsonObject
    at: datetime | None
    by: str

    def __repr__(self) -> str:
        return "Change(…)"


def history(payload: JsonObject) -> list[Change]:
    return [
        Change(h.get("oud", {}), moment(h.get("op")), h.get("door", ""))
        for h in payload.get("geschiedenis", [])
    ]


def edited(payload: JsonObject, changes: Mapping[str, object], *, by: str, at: datetime) -> JsonObject | None:
    """A copy of ``payload`` with ``changes`` applied and the old values in its history.

    Only fields whose value really changes are recorded; ``None`` when
    nothing changes (so no empty version is written).
    """
    old = {k: payload.get(k) for k, v in changes.items() if payload.get(k) != v}
    if not old:
        return None
    new = dict(payload)
    new.update({k: changes[k] for k in old})
    new["geschiedenis"] = [*payload.get("geschiedenis", []), {"oud": old, "op": at.isoformat(timespec="seconds"), "door": by}]
    return new
