"""The team's sociale kaart: the organisations and professionals outside the team.

Every worker may read and change it; an entry is under the directory key
(``storage.dossier``). A removed entry is emptied and kept, so consents and
handovers that name it still resolve. Screen: ``screens/socialmap.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jongerenteam.catalogue import LEEFDOMEIN_CODES, PROFESSIONALS_EXTERNAL, PROFESSIONALS_SCHOOL
from jongerenteam.domain import ValidationError
from jongerenteam.search import fold
from jongerenteam.service import Service
from jongerenteam.text import check_document, check_text, clean_block, clean_line
from storage import socialmap as store_socialmap
from storage.documents import JsonObject

# The sociale kaart's types: the professional roles of the field (docs/domain.md).
MAP_ROLES: tuple[str, ...] = PROFESSIONALS_SCHOOL + PROFESSIONALS_EXTERNAL
MAP_KINDS = {"organisatie": "organisatie", "professional": "professional"}

@dataclass(slots=True)
class MapEntry:
    """An organisation or professional on the team's sociale kaart."""

    kind: str = "professional"
    name: str = ""
    role: str = ""
    organisation: str = ""
    leefdomeinen: list[str] = field(default_factory=list)
    phone: str = ""
    email: str = ""
    note: str = ""

    def validate(self) -> None:
        from jongerenteam.domain import email_problem, phone_problem

        for name, kind in (("name", "short"), ("role", "short"), ("organisation", "short"), ("phone", "number"), ("email", "short")):
            setattr(self, name, clean_line(getattr(self, name)))
            check_text(name, getattr(self, name), kind)
        self.note = clean_block(self.note)
        check_text("note", self.note, "note")
        if self.kind not in MAP_KINDS:
            raise ValidationError("kind", "Kies organisatie of professional.")
        if not self.name.strip():
            raise ValidationError("name", "Vul een naam in.")
        if any(c not in LEEFDOMEIN_CODES for c in self.leefdomeinen):
            raise ValidationError("leefdomeinen", "Onbekend leefdomein.")
        if self.phone.strip() and (problem := phone_problem(self.phone)):
            raise ValidationError("phone", problem)
        if self.email.strip() and (problem := email_problem(self.email)):
            raise ValidationError("email", problem)

    def to_dict(self) -> JsonObject:
        return {
            "naam": self.name.strip(), "rol": self.role.strip(), "organisatie": self.organisation.strip(),
            "leefdomeinen": sorted(set(self.leefdomeinen)), "telefoon": self.phone.strip(),
            "email": self.email.strip(), "notitie": self.note.strip(),
        }

    @classmethod
    def from_row(cls, row: store_socialmap.MapRow) -> MapEntry:
        x = row.data
        return cls(row.kind, x.get("naam", ""), x.get("rol", ""), x.get("organisatie", ""),
                   list(x.get("leefdomeinen", [])), x.get("telefoon", ""), x.get("email", ""), x.get("notitie", ""))

    @property
    def label(self) -> str:
        parts = [self.name]
        if self.role:
            parts.append(self.role)
        if self.organisation and self.organisation != self.name:
            parts.append(self.organisation)
        return " · ".join(parts)

    def __repr__(self) -> str:
        return "MapEntry(…)"


@dataclass(slots=True)
class MapItem:
    id: str
    version: int
    entry: MapEntry



class SocialMapService(Service):
    def entries(self) -> list[MapItem]:
        """Every entry, by name."""
        items = [MapItem(r.id, r.version, MapEntry.from_row(r)) for r in store_socialmap.entries(self.store, self.keys)]
        return sorted(items, key=lambda i: fold(i.entry.name))

    def add(self, entry: MapEntry) -> str:
        entry.validate()
        check_document(entry.to_dict())
        with self.unit():
            return store_socialmap.add(self.store, self.keys, entry.kind, entry.to_dict())

    def update(self, item: MapItem, entry: MapEntry) -> None:
        """Change an entry against the version the worker saw (``Conflict`` otherwise)."""
        entry.validate()
        check_document(entry.to_dict())
        with self.unit():
            store_socialmap.update(self.store, self.keys, item.id, entry.kind, entry.to_dict(), item.version)

    def remove(self, item: MapItem) -> None:
        """Remove an entry as the worker saw it (``Conflict`` when a colleague changed it meanwhile)."""
        with self.unit():
            store_socialmap.remove(self.store, self.keys, item.id, item.version)
