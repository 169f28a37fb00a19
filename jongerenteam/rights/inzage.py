"""The student's privacy rights: the words, the terms, the correction request and the inzage document.

The use cases are in ``jongerenteam.rights.service`` (``RightsService``).

- **Inzage**: everything stored about one student in readable Dutch (the
  directory details, every file entry with its earlier versions, the access
  log of the file), as a ``Document`` for text or PDF. Reading it is logged
  as an ``export`` before anything leaves the app. An involved worker may;
  a coördinator who is not involved may through the escrow after typing
  their passphrase again (logged as emergency access with reason
  "inzage", which the contact person sees on Vandaag).
- **Correctie**: a request of the student is a file entry of kind
  ``correctie`` (what was asked, when, the decision, what changed from what
  to what, why). An accepted request also makes the change: a directory
  field, or a talk's text (whose own history keeps the old text). A refusal
  is recorded with its reason.
- **Verwijdering**: crypto-shredding by a coördinator, with a reason code
  (storage.rights).
- **Bewaartermijn**: the team's terms (years after closing) per regime; each
  student's regime is a directory field, empty meaning the longer Jeugdwet
  term, so nothing is erased too early.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from jongerenteam import consent as cn
from jongerenteam import dossier as d
from jongerenteam import entries
from jongerenteam.catalogue import (
    CLOSE_REASONS,
    COACH_ROLES,
    CONTACT_PREFERENCES,
    LEEFDOMEINEN,
    REFERRERS,
    SCORES,
    STATUSES,
    URGENCIES,
)
from jongerenteam.domain import RETENTION_REGIMES, StudentDetails, ValidationError
from jongerenteam.pdf import Document, Section
from jongerenteam.text import check_text, clean_block
from storage import clock
from storage.documents import JsonObject

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from storage.audit import LogRow
    from storage.files import EntryView

CORRECTION = "correctie"  # FileEntry.kind of a correction request

ERASURE_REASONS = {
    "verzoek": "verzoek van de student",
    "bewaartermijn": "bewaartermijn verstreken",
    "onterecht": "ten onrechte geregistreerd",
}
ERASE_WORD = "WISSEN"

# Years after closing (docs/gebruikershandleiding.md, "Bewaartermijnen", says why).
DEFAULT_RETENTION_YEARS = {"school": 2, "jeugdwet": 20, "kort": 1}
DEFAULT_REGIME = "jeugdwet"  # a file without a regime of its own: the longest, never too short
RETENTION_LIMITS = {"school": (1, 20), "jeugdwet": (20, 100), "kort": (1, 5)}

DECISIONS = {"aangepast": "aangepast", "geweigerd": "geweigerd"}

# Directory fields a correction may change, with their Dutch labels.
CORRECTABLE = {
    "first_name": "voornaam",
    "last_name": "achternaam",
    "birth_date": "geboortedatum",
    "student_number": "studentnummer",
    "programme": "opleiding",
    "municipality": "woongemeente",
    "contact_value": "telefoonnummer of e-mailadres",
}

# What a student may also ask to have removed (a correction with an empty new value).
MAY_BE_EMPTIED = frozenset({"student_number", "contact_value"})

# Logged with the 'export' event (what, never content).
EXPORT_TEXT = "inzage: tekst"
EXPORT_PDF = "inzage: pdf"

TEXT = {
    "title": "Inzage: alles wat het jongerenteam over jou heeft vastgelegd",
    "about": "Over dit overzicht",
    "made": "Gemaakt op {when} door {by}{team}.",
    "intro": (
        "Dit overzicht bevat alle gegevens die in de app van het jongerenteam over jou zijn opgeslagen: "
        "je gegevens, alles in je dossier (ook eerdere versies van wat is gewijzigd) en wie je dossier "
        "heeft bekeken of gewijzigd. Klopt er iets niet? Vraag dan om een correctie."
    ),
    "directory": "Je gegevens",
    "involved": "Medewerkers met toegang tot je dossier",
    "file": "Je dossier",
    "empty_file": "Er staat nog niets in je dossier.",
    "log": "Wie heeft je dossier bekeken of gewijzigd",
    "empty_log": "Nog niets.",
    "entry_heading": "{label} · {when} · vastgelegd door {by}",
    "earlier": "Eerdere versie (gewijzigd op {when} door {by}):",
    "footer": "Inzage · vertrouwelijk",
}

# Timeline labels of every kind the store knows; unknown kinds show their own name.
KIND_LABELS = {
    d.TALK: "Gesprek",
    d.AGREEMENT: "Werkafspraak",
    d.SCORE: "Leefdomeinscore",
    cn.CONSENT: "Toestemming",
    d.EXTERNAL: "Externe betrokkene",
    d.WALK_IN: "Inloopgesprek",
    d.REFERRAL: "Aanmelding",
    d.APPOINTMENT: "Afspraak",
    d.EMERGENCY_NOTE: "Noodtoegang",
    CORRECTION: "Correctieverzoek",
    "note": "Notitie",
    "notitie": "Notitie",
    "gesprek": "Gesprek",
}

# Payload keys in readable Dutch; keys not listed show their own name.
FIELD_LABELS = {
    "type": "soort",
    "moment": "moment",
    "minuten": "duur (minuten)",
    "deelnemers": "aanwezig",
    "medewerkers": "medewerkers",
    "tekst": "verslag",
    "verhaal": "verhaal van de student",
    "zorgen": "zorgen van school",
    "hulpvraag": "hulpvraag",
    "coach": "studiecoach",
    "aanwezig": "ook aanwezig",
    "volgende": "volgende afspraak",
    "wie": "wie",
    "wat": "wat",
    "uiterlijk": "uiterlijk",
    "opvolgen": "opvolgen op",
    "status": "status",
    "domein": "leefdomein",
    "score": "score",
    "datum": "datum",
    "reden": "reden",
    "met": "delen met",
    "over": "waarover",
    "doel": "doel",
    "gegeven_door": "gegeven door",
    "hoe": "hoe",
    "geldig_tot": "geldig tot",
    "ingetrokken_op": "ingetrokken op",
    "naam": "naam",
    "rol": "rol",
    "organisatie": "organisatie",
    "contact": "contact",
    "sinds": "sinds",
    "tot": "tot",
    "leefdomeinen": "leefdomeinen",
    "verzoek": "wat de student vroeg",
    "besluit": "besluit",
    "onderdeel": "onderdeel",
    "veld": "gegeven",
    "oud": "was",
    "nieuw": "is nu",
    "klaar": "gedaan",
}
# Links between entries and internal ids: not meaningful to a reader.
HIDDEN_KEYS = frozenset({"geschiedenis", "gesprek", "werkafspraken", "toestemmingen", "scores", "kaart", "soort_id", "entry"})

DIRECTORY_LABELS = (
    ("first_name", "voornaam"),
    ("last_name", "achternaam"),
    ("birth_date", "geboortedatum"),
    ("student_number", "studentnummer"),
    ("programme", "opleiding"),
    ("level", "niveau"),
    ("year", "leerjaar"),
    ("municipality_code", "woongemeente"),
    ("municipality_text", "woongemeente (zoals getypt)"),
    ("contact_preference", "contactvoorkeur"),
    ("contact_value", "telefoonnummer of e-mailadres"),
    ("leefdomeinen", "leefdomeinen"),
    ("referrer", "verwezen door"),
    ("urgency", "urgentie"),
    ("waiting_since", "wacht sinds"),
    ("coach_name", "studiecoach"),
    ("coach_role", "rol van de studiecoach"),
    ("closed_reason", "hoe het dossier is afgesloten"),
    ("retention", "bewaartermijn"),
)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DOMAIN_LABELS = {x.code: x.label for x in LEEFDOMEINEN}


# -- what a worker enters --------------------------------------------------------------


@dataclass(slots=True)
class Correction:
    """A correction request of the student and what the team did with it.

    ``target`` is "gegevens" (a directory field, ``field`` from CORRECTABLE)
    or "gesprek" (a talk's text, ``entry_id``); ``new_value`` is the
    corrected value (for a refusal it may stay empty).
    """

    request: str = ""
    on: date | None = None
    decision: str = "aangepast"
    reason: str = ""
    target: str = "gegevens"
    field: str = ""
    entry_id: str | None = None
    # The version of the student's details the worker saw (a directory correction
    # against a colleague's change in between is refused, not written over it).
    version: int | None = None
    new_value: str = ""

    def validate(self, today: date) -> None:
        self.request, self.reason = clean_block(self.request), clean_block(self.reason)
        check_text("request", self.request, "note")
        check_text("reason", self.reason, "note")
        if not self.request.strip():
            raise ValidationError("request", "Vul in wat de student vroeg te verbeteren.")
        if self.on is None:
            raise ValidationError("on", "Vul de datum van het verzoek in.")
        if self.on > today:
            raise ValidationError("on", "De datum van het verzoek ligt in de toekomst.")
        if self.decision not in DECISIONS:
            raise ValidationError("decision", "Kies aangepast of geweigerd.")
        if not self.reason.strip():
            raise ValidationError(
                "reason",
                "Vul in waarom het is aangepast." if self.decision == "aangepast"
                else "Vul in waarom het verzoek is geweigerd; de student heeft recht op die reden.",
            )
        if self.decision == "aangepast":
            if self.target == "gegevens":
                if self.field not in CORRECTABLE:
                    raise ValidationError("field", "Kies welk gegeven wordt verbeterd.")
                if not self.new_value.strip() and self.field not in MAY_BE_EMPTIED:
                    raise ValidationError(
                        "new_value",
                        f"Vul de juiste {CORRECTABLE[self.field]} in. "
                        "Leeg laten kan alleen bij het studentnummer of het telefoonnummer of e-mailadres.",
                    )
            elif self.target == "gesprek":
                if not self.entry_id:
                    raise ValidationError("entry", "Kies welk gesprek wordt verbeterd.")
                if not self.new_value.strip():
                    raise ValidationError("new_value", "Vul de verbeterde tekst in.")
            else:
                raise ValidationError("target", "Kies wat wordt verbeterd: een gegeven of een gesprek.")
        for name, value in (("request", self.request), ("reason", self.reason), ("new_value", self.new_value)):
            if len(value) > entries.MAX_TEXT:
                raise ValidationError(name, f"De tekst is te lang (meer dan {entries.MAX_TEXT} tekens).")

    def __repr__(self) -> str:
        return "Correction(…)"


@dataclass(frozen=True, slots=True)
class PastTerm:
    """A closed file past its retention term."""

    record: StudentRecord
    regime: str
    closed_on: date
    ends_on: date
    days_past: int


# -- formatting ------------------------------------------------------------------------


def _fmt_date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return f"{value:%d-%m-%Y %H:%M}"
    return f"{value:%d-%m-%Y}"


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return date(day.year + years, 3, 1)


def student_initials(first_name: str, last_name: str) -> set[str]:
    """What counts as the student's initials when confirming an erasure.

    "Leonie de Vries": "ldv" and "lv" (with or without the tussenvoegsel).
    """
    from jongerenteam.search import TUSSENVOEGSELS, fold

    first = fold(first_name).split()
    last = fold(last_name).split()
    head = first[0][0] if first else ""
    full = head + "".join(w[0] for w in last)
    core = [w for w in last if w not in TUSSENVOEGSELS] or last
    short = head + "".join(w[0] for w in core)
    return {x for x in (full, short) if len(x) >= 2}


def erase_confirmed(typed: str, first_name: str = "", last_name: str = "") -> bool:
    """The coördinator typed WISSEN or the student's initials."""
    cleaned = re.sub(r"[\s.]", "", typed).casefold()
    if cleaned == ERASE_WORD.casefold():
        return True
    return bool(cleaned) and cleaned in student_initials(first_name, last_name)


_PERSON_KEYS = {"naam", "soort", "medewerker", "kaart", "rol", "organisatie", "contact"}


class _Reader:
    """Turns stored values into readable Dutch (worker ids into names)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def value(self, key: str, v: object) -> str:
        if v is None or v == "" or v == [] or v == {}:
            return ""
        if isinstance(v, bool):
            return "ja" if v else "nee"
        if isinstance(v, (int, float)):
            if key == "score" and v in SCORES:
                return f"{v} ({SCORES[int(v)]})"
            return str(v)
        if isinstance(v, list):
            parts = [self.value(key, x) for x in v]
            return ", ".join(p for p in parts if p)
        if isinstance(v, dict) and ("naam" in v or "soort" in v) and set(v) <= _PERSON_KEYS:
            # Who does something / with whom to share: "studiecoach Mevr. Bos", "Tactus (organisatie)".
            kind = str(v.get("soort") or "")
            name = str(v.get("naam") or "") or self.names.get(str(v.get("medewerker") or ""), "")
            label = d.WHO_KINDS.get(kind) or cn.CONSENT_WITH_KINDS.get(kind) or kind
            extra = ", ".join(str(v[k]) for k in ("rol", "organisatie") if v.get(k) and v.get(k) != name)
            if kind in d.WHO_KINDS and kind != "anders":
                text = f"{label} {name}".strip() if kind != "medewerker" else name or label
            else:
                text = f"{name} ({label})" if name and label else name or label
            return f"{text}, {extra}" if extra else text
        if isinstance(v, dict):
            parts = []
            for k, x in v.items():
                if k in HIDDEN_KEYS:
                    continue
                text = self.value(k, x)
                if text:
                    parts.append(f"{FIELD_LABELS.get(k, k.replace('_', ' '))}: {text}")
            return "; ".join(parts)
        text = str(v)
        if _UUID.match(text):
            return self.names.get(text, "")
        if _ISO_DATE.match(text):
            return _fmt_date(date.fromisoformat(text))
        if _ISO_MOMENT.match(text):
            try:
                return _fmt_date(datetime.fromisoformat(text).replace(tzinfo=None))
            except ValueError:
                return text
        if key == "type":
            return d.TALK_TYPES.get(text, text)
        if key in ("domein", "over", "leefdomeinen"):
            return "alles" if text == cn.ALL_DOMAINS else _DOMAIN_LABELS.get(text, text)
        if key == "gegeven_door":
            return cn.CONSENT_GIVERS.get(text, text)
        if key == "soort":
            return d.WHO_KINDS.get(text, text)
        if key == "rol" and text in COACH_ROLES:
            return COACH_ROLES[text]
        return text

    def lines(self, payload: JsonObject) -> list[str]:
        out = []
        for k, v in payload.items():
            if k in HIDDEN_KEYS:
                continue
            text = self.value(k, v)
            if text:
                out.append(f"{FIELD_LABELS.get(k, k.replace('_', ' ')).capitalize()}: {text}")
        return out


def _label(labels: Mapping[str, str], code: str) -> str:
    return labels.get(code, code)


def _directory_lines(details: StudentDetails, record: StudentRecord, contact_name: str) -> list[str]:
    from jongerenteam.municipalities import name_of

    data = details.to_dict()
    out = []
    for key, label in DIRECTORY_LABELS:
        v = data.get(key)
        if v in (None, "", []):
            continue
        if key == "birth_date" or key == "waiting_since":
            text = _fmt_date(date.fromisoformat(v))
        elif key == "municipality_code":
            text = name_of(v) or v
        elif key == "leefdomeinen":
            text = ", ".join(_DOMAIN_LABELS.get(c, c) for c in v)
        elif key == "contact_preference":
            text = _label(CONTACT_PREFERENCES, v)
        elif key == "referrer":
            text = _label(REFERRERS, v)
        elif key == "urgency":
            text = _label(URGENCIES, v)
        elif key == "coach_role":
            text = _label(COACH_ROLES, v)
        elif key == "closed_reason":
            text = _label(CLOSE_REASONS, v)
        elif key == "retention":
            text = _label(RETENTION_REGIMES, v)
        else:
            text = str(v)
        out.append(f"{label.capitalize()}: {text}")
    if details.anonymous:
        out.append("Anoniem: ja")
    out.append(f"Status: {STATUSES.get(record.status, record.status)}")
    out.append(f"Contactpersoon: {contact_name}")
    return out


def build_inzage(
    details: StudentDetails, record: StudentRecord, entries: Sequence[EntryView], log: Iterable[LogRow], *,
    names: dict[str, str], contact_name: str,
    involved: list[str], made_by: str, team: str = "", now: datetime | None = None,
) -> Document:
    """The inzage as a ``Document``: directory, file entries (oldest first, with
    their earlier versions), the file's access log."""
    reader = _Reader(names)
    now = now or clock.local_time(clock.now())
    sections = [
        Section(TEXT["about"], (
            TEXT["made"].format(when=_fmt_date(now.replace(tzinfo=None)), by=made_by, team=f" ({team})" if team else ""),
            TEXT["intro"],
        )),
        Section(TEXT["directory"], tuple(_directory_lines(details, record, contact_name))),
        Section(TEXT["involved"], tuple(names.get(w, "onbekend") for w in involved) or ("niemand",), bullets=True),
    ]
    if not entries:
        sections.append(Section(TEXT["file"], (TEXT["empty_file"],)))
    else:
        sections.append(Section(TEXT["file"], (f"{len(entries)} {'onderdeel' if len(entries) == 1 else 'onderdelen'}, oudste eerst.",)))
    for e in sorted(entries, key=lambda e: e.created_at):
        label = KIND_LABELS.get(e.kind, e.kind.replace("_", " ").capitalize())
        when = clock.local_time(e.created_at).replace(tzinfo=None)
        lines = reader.lines(e.payload)
        for h in e.payload.get("geschiedenis", []) or []:
            at = h.get("op")
            try:
                at_text = _fmt_date(datetime.fromisoformat(at).astimezone().replace(tzinfo=None)) if at else "?"
            except (ValueError, TypeError):
                at_text = "?"
            lines.append(TEXT["earlier"].format(when=at_text, by=names.get(h.get("door", ""), "onbekend")))
            lines += [f"    {x}" for x in reader.lines(h.get("oud", {}) or {})]
        sections.append(Section(
            TEXT["entry_heading"].format(label=label, when=_fmt_date(when), by=names.get(e.created_by, "onbekend")),
            tuple(lines) or ("(geen inhoud)",),
        ))
    from jongerenteam.dossier import EVENT_LABELS, detail_text

    log_lines = []
    for row in log:
        what = EVENT_LABELS.get(row.event, row.event)
        if row.detail:
            what = f"{what}: {detail_text(row.detail)}"
        by = names.get(row.worker_id or "", "onbekend")
        if row.on_behalf_of:
            by += f" (met {names.get(row.on_behalf_of, 'onbekend')})"
        at = clock.local_time(row.at).replace(tzinfo=None)
        log_lines.append(f"{_fmt_date(at)} · {by} · {what}")
    sections.append(Section(TEXT["log"], tuple(log_lines) or (TEXT["empty_log"],)))
    return Document(TEXT["title"], tuple(sections), TEXT["footer"])


def check_text_target(path: str | os.PathLike[str], example: str = "inzage.txt") -> Path:
    """Like ``pdf.check_target`` for a text file ('.txt' added)."""
    from jongerenteam.pdf import target_file

    return target_file(path, ".txt", example)


def default_inzage_path(today: date, fmt: str) -> Path:
    """In the user's Documents folder (home if there is none); never the student's name."""
    from jongerenteam.pdf import documents_folder, unique_path

    return unique_path(documents_folder(), f"inzage-{today:%Y-%m-%d}", "pdf" if fmt == "pdf" else "txt")
