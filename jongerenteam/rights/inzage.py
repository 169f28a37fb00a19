"""The student's privacy rights: the words, the terms, the correction request and the inzage document.

The use cases are in ``jongerenteam.rights.service`` (``RightsService``).

- **Inzage** (AVG article 15): everything stored about one student in B1
  Dutch, as a ``Document`` for text or PDF: the directory details, every
  file entry dated when it happened with its source and earlier versions,
  who received what, purposes and legal ground, categories, retention,
  every right, and the file's access log (texts in ``article15``). Two
  steps: ``make_draft`` reads it and finds the parts about others
  (``others``); ``build_inzage`` needs a decision on each of them (in, or
  left out). An involved worker may; a coördinator who is not involved may
  through the escrow after typing their passphrase again (logged as
  emergency access with reason "inzage", which the contact person sees on
  Vandaag).
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
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    LEVEL_LABELS,
    REFERRERS,
    SCORES,
    STATUSES,
    URGENCIES,
)
from jongerenteam.domain import RETENTION_REGIMES, StudentDetails, ValidationError
from jongerenteam.meldcode.model import INZAGE_KIND as MELDCODE
from jongerenteam.meldcode.model import INZAGE_WHY as MELDCODE_WHY
from jongerenteam.pdf import Document, Section
from jongerenteam.rights import article15
from jongerenteam.rights.others import NAMES, PLAIN, Field, Finder, OtherPart, other_people
from jongerenteam.rights.others import TEXT as TEXT_KIND
from jongerenteam.text import check_text, clean_block
from storage import clock
from storage.documents import JsonObject
from storage.eighteen import CHECKLIST_KIND as CHECKLIST18
from storage.files import WITHOUT_READING
from storage.handover import DOCUMENT_KIND as HANDOVER_DOCUMENT
from storage.handover import STEP_KIND as HANDOVER_STEP

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
READ_FOR_INZAGE = "inzage: nakijken"  # the read before the worker checks the parts about others

TEXT = {
    "title": "Inzage: wat het jongerenteam over jou heeft vastgelegd",
    "about": "Over dit overzicht",
    "made": "Gemaakt op {when} door {by}{team}.",
    "intro": (
        "In dit overzicht staat alles wat het jongerenteam in de app over jou heeft opgeslagen. Je leest ook "
        "waarom we dat doen, met wie we iets hebben gedeeld, hoe lang we het bewaren en wat je rechten zijn."
    ),
    "dates": (
        "Bij elk onderdeel staat de datum waarop het gebeurde. Staat er 'opgeschreven op', dan is het op een "
        "andere dag in de app gezet. Bij 'Bron' staat van wie we het weten."
    ),
    "left_out_note": (
        "Er {verb} {n} {parts} weggelaten, omdat het ook over iemand anders gaat. Die persoon heeft ook recht "
        "op privacy. Wil je weten waarom? Vraag het ons."
    ),
    "directory": "Je gegevens",
    "directory_source": "Bron: jij, of wie je bij ons heeft aangemeld.",
    "directory_source_by": "Bron: jij, en wie je bij ons heeft aangemeld ({by}).",
    "involved": "Medewerkers die je dossier mogen lezen",
    "file": "Je dossier",
    "empty_file": "Er staat nog niets in je dossier.",
    "source": "Bron",
    "written": "Opgeschreven door {by}.",
    "written_on": "Opgeschreven op {when} door {by}.",
    "earlier": "Eerdere versie (veranderd op {when} door {by}):",
    "left_out": "(weggelaten: dit gaat ook over iemand anders)",
    "shared": "Met wie we iets hebben gedeeld",
    "shared_none": "Volgens het logboek hebben we niets uit je dossier gedeeld, geprint of opgeslagen buiten de app.",
    "purposes": "Waarom we dit bijhouden en waarom dat mag",
    "categories": "Wat voor gegevens we hebben",
    "retention": "Hoe lang we je gegevens bewaren",
    "retention_unknown": "De bewaartermijn staat niet in dit overzicht. Vraag ernaar.",
    "rights": "Je rechten",
    "log": "Wie heeft je dossier bekeken of veranderd",
    "empty_log": "Nog niemand.",
    "footer": "Inzage · vertrouwelijk",
    "undecided": (
        "Kijk eerst alle delen na die over iemand anders gaan: nog {n} te doen. Kies bij elk deel of het "
        "erin mag of wordt weggelaten."
    ),
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
    """Turns stored values of a kind this module does not know into readable Dutch (worker ids into names)."""

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
            return _who_text(v, self.names)
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

    def fields(self, payload: JsonObject) -> list[Field]:
        out = []
        for k, v in payload.items():
            if k in HIDDEN_KEYS:
                continue
            text = self.value(k, v)
            if text:
                kind = TEXT_KIND if isinstance(v, str) and not _UUID.match(v) and not _ISO_DATE.match(v) else PLAIN
                out.append(Field(k, FIELD_LABELS.get(k, k.replace("_", " ")).capitalize(), text, kind))
        return out


def _label(labels: Mapping[str, str], code: str) -> str:
    return labels.get(code, code)


def _who_text(v: Mapping[str, object], names: Mapping[str, str]) -> str:
    """Who does something / with whom to share: "jij", "je studiecoach Mevr. Bos", "Tactus (organisatie)"."""
    kind = str(v.get("soort") or "")
    name = str(v.get("naam") or "") or names.get(str(v.get("medewerker") or ""), "")
    extra = ", ".join(str(v[k]) for k in ("rol", "organisatie") if v.get(k) and v.get(k) != name)
    if kind == "student":
        text = "jij"
    elif kind == "coach":
        text = f"je studiecoach {name}".strip()
    elif kind == "medewerker":
        text = name or "een medewerker"
    elif kind == "rol":
        text = f"wie de rol heeft van {name}" if name else "een rol"
    elif kind in cn.CONSENT_WITH_KINDS:
        text = f"{name} ({cn.CONSENT_WITH_KINDS[kind]})" if name else cn.CONSENT_WITH_KINDS[kind]
    else:
        text = name or d.WHO_KINDS.get(kind, kind)
    return f"{text}, {extra}" if extra else text


def _directory_lines(details: StudentDetails, status: str, contact_name: str) -> list[str]:
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
        elif key == "level":
            text = _label(LEVEL_LABELS, v)
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
        out.append("Anoniem: ja, je naam staat niet in de app")
    out.append(f"Hoe het nu staat: {STATUSES.get(status, status)}")
    out.append(f"Je vaste hulpverlener (contactpersoon): {contact_name}")
    return out


# -- the items of the file -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One file entry as the student reads it: the date it happened, what, where it came from."""

    entry_id: str
    kind: str
    group: str
    at: datetime  # when it happened (local, naive); a day without a time at 00:00
    timed: bool
    heading: str
    fields: tuple[Field, ...]
    source: str
    written: str  # who wrote it down (and when, if that was another day)
    history: tuple[tuple[str, tuple[Field, ...]], ...] = ()
    told_by: tuple[str, ...] = ()  # others who told it or were there (the review asks about its text)

    def __repr__(self) -> str:
        return f"Item({self.kind!r})"


def _day(v: object) -> date | None:
    if isinstance(v, str) and _ISO_DATE.match(v):
        try:
            return date.fromisoformat(v)
        except ValueError:
            return None
    return None


def _moment(v: object) -> datetime | None:
    if isinstance(v, str) and _ISO_MOMENT.match(v):
        try:
            at = datetime.fromisoformat(v)
        except ValueError:
            return None
        return clock.local_time(at).replace(tzinfo=None) if at.tzinfo else at
    return None


def _when(at: datetime, timed: bool) -> str:
    return f"{at:%d-%m-%Y} om {at:%H:%M}" if timed else f"{at:%d-%m-%Y}"


class _Items:
    """Builds the ``Item`` of every entry kind the app writes; other kinds generically."""

    def __init__(self, entries: Sequence[EntryView], names: dict[str, str], own_names: Sequence[str]) -> None:
        self.entries = entries
        self.names = names
        self.own = own_names
        self.reader = _Reader(names)
        self.talk_moments = {
            e.id: m for e in entries if e.kind == d.TALK and (m := _moment(e.payload.get("moment"))) is not None
        }

    def name(self, worker_id: object) -> str:
        return self.names.get(str(worker_id or ""), "een medewerker")

    def text(self, key: str, label: str, v: object, kind: str = TEXT_KIND) -> list[Field]:
        text = str(v).strip() if isinstance(v, str) else ""
        return [Field(key, label, text, kind)] if text else []

    def plain(self, key: str, label: str, text: str) -> list[Field]:
        return [Field(key, label, text, PLAIN)] if text else []

    def date_field(self, key: str, label: str, v: object) -> list[Field]:
        day = _day(v)
        return self.plain(key, label, _fmt_date(day)) if day else []

    # -- per kind: (group, heading, when, timed, fields(payload), source, told_by) -----

    def talk(self, p: JsonObject) -> list[Field]:
        out: list[Field] = []
        if isinstance(p.get("minuten"), int):
            out += self.plain("minuten", "Hoe lang", f"{p['minuten']} {'minuut' if p['minuten'] == 1 else 'minuten'}")
        people = [("jij" if str(x).casefold() == "student" else str(x)) for x in p.get("deelnemers") or []]
        if people:
            out += [Field("deelnemers", "Wie waren erbij", ", ".join(people), NAMES)]
        elif p.get("aanwezig"):
            out += [Field("aanwezig", "Ook aanwezig", ", ".join(str(x) for x in p["aanwezig"]), NAMES)]
        workers = [self.name(w) for w in p.get("medewerkers") or []]
        out += self.plain("medewerkers", "Hulpverleners", ", ".join(workers))
        said = []
        for key, label in (("verhaal", "Jouw verhaal"), ("zorgen", "Zorgen van school"), ("hulpvraag", "Je hulpvraag")):
            out += self.text(key, label, p.get(key))
            said.append(str(p.get(key) or "").strip())
        if str(p.get("tekst") or "").strip() not in said:
            out += self.text("tekst", "Verslag", p.get("tekst"))
        nxt = p.get("volgende")
        if isinstance(nxt, dict) and _day(nxt.get("datum")):
            what = str(nxt.get("tekst") or "").strip()
            out += [Field("volgende", "Volgende afspraak",
                          f"{_fmt_date(_day(nxt.get('datum')) or date.min)}" + (f": {what}" if what else ""), TEXT_KIND)]
        return out

    def item(self, e: EntryView) -> Item:
        p = e.payload
        written_at = clock.local_time(e.created_at).replace(tzinfo=None)
        at, timed = written_at, True
        told_by: list[str] = []
        kind = e.kind
        fields_of: Callable[[JsonObject], list[Field]]
        if kind == d.TALK:
            type_ = str(p.get("type") or "")
            heading = "Driegesprek" if type_ == "driegesprek" else f"Gesprek ({d.TALK_TYPES.get(type_, type_)})"
            at = _moment(p.get("moment")) or at
            fields_of, group = self.talk, article15.HELP
            people = [str(x) for x in p.get("deelnemers") or []] or [str(x) for x in p.get("aanwezig") or []]
            coach = p.get("coach") if isinstance(p.get("coach"), dict) else {}
            coach_name = str((coach or {}).get("naam") or "")
            others = [x for x in other_people(people, self.own, self.names.values())
                      if not (coach_name and x.startswith(coach_name))]
            if type_ == "driegesprek":
                source = "Een driegesprek met jou, je studiecoach en je hulpverlener."
                told_by = others
            elif type_ == "overleg":
                source = "Een overleg van je hulpverlener met " + (", ".join(others) or "iemand die bij je betrokken is") + "."
                told_by = others or ["iemand die bij je betrokken is"]
            else:
                source = "Een gesprek met jou" + (f". Ook aanwezig: {', '.join(others)}." if others else ".")
                told_by = others
        elif kind == d.WALK_IN:
            heading, group = "Inloopgesprek", article15.HELP

            def fields_of(p: JsonObject) -> list[Field]:
                out = self.text("hulpvraag", "Je vraag", p.get("hulpvraag"))
                if str(p.get("tekst") or "").strip() != str(p.get("hulpvraag") or "").strip():
                    out += self.text("tekst", "Verslag", p.get("tekst"))
                domains = [x for x in p.get("leefdomeinen") or [] if isinstance(x, str)]
                out += self.plain("leefdomeinen", "Leefgebieden", ", ".join(_DOMAIN_LABELS.get(x, x) for x in domains))
                if isinstance(p.get("minuten"), int):
                    out += self.plain("minuten", "Hoe lang", f"{p['minuten']} {'minuut' if p['minuten'] == 1 else 'minuten'}")
                return out

            referrer = str(p.get("verwijzer") or "")
            source = "Je kwam zelf langs op het spreekuur" + (
                f" (gestuurd door: {REFERRERS.get(referrer, referrer)})." if referrer and referrer != "zelf" else "."
            )
        elif kind == d.REFERRAL:
            heading, group = "Aanmelding", article15.HELP

            def fields_of(p: JsonObject) -> list[Field]:
                out = self.text("aanmelder", "Aangemeld door", p.get("aanmelder"), NAMES)
                out += self.text("rol", "Rol van wie je aanmeldde", p.get("rol"), PLAIN)
                out += self.text("contact", "Telefoon of e-mail van wie je aanmeldde", p.get("contact"), NAMES)
                out += self.text("reden", "Waarom je bent aangemeld", p.get("reden") or p.get("tekst"))
                urgency = str(p.get("urgentie") or "")
                out += self.plain("urgentie", "Hoe snel", URGENCIES.get(urgency, urgency))
                return out

            by = ", ".join(x for x in (str(p.get("aanmelder") or ""), str(p.get("rol") or "")) if x)
            source = f"Verteld door wie je aanmeldde ({by})." if by else "Verteld door wie je aanmeldde."
            told_by = [by or "wie je aanmeldde"]
        elif kind == d.AGREEMENT:
            heading, group = "Werkafspraak", article15.HELP
            talk_at = self.talk_moments.get(str(p.get("gesprek") or ""))
            at = talk_at or at

            def fields_of(p: JsonObject) -> list[Field]:
                out: list[Field] = []
                who = p.get("wie")
                if isinstance(who, dict):
                    kind_ = NAMES if who.get("soort") == "anders" else PLAIN
                    out += [Field("wie", "Wie doet het", _who_text(who, self.names), kind_)]
                out += self.text("wat", "Wat", p.get("wat"))
                out += self.date_field("uiterlijk", "Uiterlijk", p.get("uiterlijk"))
                out += self.date_field("opvolgen", "We vragen ernaar op", p.get("opvolgen"))
                status = str(p.get("status") or "")
                out += self.plain("status", "Hoe het staat", d.AGREEMENT_STATUSES.get(status, status))
                return out

            source = f"Afgesproken in het gesprek van {talk_at:%d-%m-%Y}." if talk_at else "Afgesproken met je hulpverlener."
        elif kind == d.SCORE:
            domain = str(p.get("domein") or "")
            heading, group = f"Score op leefgebied {_DOMAIN_LABELS.get(domain, domain)}", article15.SCORES
            day = _day(p.get("datum"))
            at, timed = (datetime.combine(day, datetime.min.time()), False) if day else (at, timed)

            def fields_of(p: JsonObject) -> list[Field]:
                score = p.get("score")
                out = self.plain("score", "Score", f"{score} van 5: {SCORES[score]}" if score in SCORES else str(score or ""))
                return out + self.text("reden", "Waarom", p.get("reden"))

            source = f"Samen ingeschat met je hulpverlener {self.name(e.created_by)}."
        elif kind == cn.CONSENT:
            heading, group = "Toestemming om iets te delen", article15.CONSENTS
            day = _day(p.get("datum"))
            at, timed = (datetime.combine(day, datetime.min.time()), False) if day else (at, timed)

            def fields_of(p: JsonObject) -> list[Field]:
                out: list[Field] = []
                if isinstance(p.get("met"), dict):
                    out += self.plain("met", "Met wie", _who_text(p["met"], self.names))
                about = [x for x in p.get("over") or [] if isinstance(x, str)]
                out += self.plain("over", "Waarover", ", ".join(
                    "alles" if x == cn.ALL_DOMAINS else _DOMAIN_LABELS.get(x, x) for x in about))
                out += self.text("doel", "Waarvoor", p.get("doel"))
                how = str(p.get("hoe") or "")
                out += self.plain("hoe", "Hoe gegeven", cn.CONSENT_HOW.get(how, how))
                out += self.date_field("geldig_tot", "Geldig tot", p.get("geldig_tot"))
                out += self.date_field("ingetrokken_op", "Ingetrokken op", p.get("ingetrokken_op"))
                return out

            giver = str(p.get("gegeven_door") or "")
            source = f"Gegeven door {cn.CONSENT_GIVERS.get(giver, giver or 'jou')}."
        elif kind == d.EXTERNAL:
            heading, group = "Andere hulpverlener die bij je betrokken is", article15.HELP
            day = _day(p.get("sinds"))
            at, timed = (datetime.combine(day, datetime.min.time()), False) if day else (at, timed)

            def fields_of(p: JsonObject) -> list[Field]:
                out = self.text("naam", "Naam", p.get("naam"), PLAIN)
                out += self.text("rol", "Rol", p.get("rol"), PLAIN)
                out += self.text("organisatie", "Organisatie", p.get("organisatie"), PLAIN)
                out += self.text("contact", "Telefoon of e-mail", p.get("contact"), NAMES)
                return out + self.date_field("tot", "Betrokken tot", p.get("tot"))

            source = f"Opgeschreven door je hulpverlener {self.name(e.created_by)}."
        elif kind == d.APPOINTMENT:
            heading, group = "Afspraak", article15.HELP
            day = _day(p.get("datum"))
            at, timed = (datetime.combine(day, datetime.min.time()), False) if day else (at, timed)

            def fields_of(p: JsonObject) -> list[Field]:
                return self.text("tekst", "Waarover", p.get("tekst"))

            source = f"Gepland door {self.name(e.created_by)}."
        elif kind == d.EMERGENCY_NOTE:
            heading, group = "Noodtoegang tot je dossier", article15.EMERGENCY

            def fields_of(p: JsonObject) -> list[Field]:
                from jongerenteam.spreekuur import EMERGENCY_REASONS

                reason = str(p.get("reden") or "")
                out = self.plain("reden", "Waarom", EMERGENCY_REASONS.get(reason, reason))
                return out + self.text("tekst", "Uitleg", p.get("tekst"))

            source = f"{self.name(e.created_by)} opende je dossier met noodtoegang."
        elif kind == CORRECTION:
            heading, group = "Je vroeg om iets te verbeteren", article15.CORRECTIONS
            day = _day(p.get("datum"))
            at, timed = (datetime.combine(day, datetime.min.time()), False) if day else (at, timed)

            def fields_of(p: JsonObject) -> list[Field]:
                out = self.text("verzoek", "Wat je vroeg", p.get("verzoek"))
                decision = str(p.get("besluit") or "")
                out += self.plain("besluit", "Wat we deden", DECISIONS.get(decision, decision))
                out += self.text("veld", "Wat", p.get("veld"), PLAIN)
                out += self.text("oud", "Wat er stond", p.get("oud"))
                out += self.text("nieuw", "Wat er nu staat", p.get("nieuw"))
                return out + self.text("reden", "Waarom", p.get("reden"))

            source = "Je vroeg het zelf."
        elif kind == HANDOVER_DOCUMENT:
            heading, group = "Overdracht naar andere hulp", article15.SHARING
            fields_of = self.handover
            source = f"Voorgesteld door {self.name(p.get('van') or e.created_by)}."
        elif kind == HANDOVER_STEP:
            state = str(p.get("naar") or "")
            heading, group = f"Overdracht: {handover_state(state)}", article15.SHARING
            day = _day(p.get("datum"))
            at, timed = (datetime.combine(day, datetime.min.time()), False) if day else (at, timed)

            def fields_of(p: JsonObject) -> list[Field]:
                old = str(p.get("van") or "")
                out = self.plain("van", "Eerst", handover_state(old)) if old else []
                out += self.text("reden", "Waarom", p.get("reden"))
                return out + self.text("tekst", "Toelichting", p.get("tekst"))

            source = f"Opgeschreven door {self.name(e.created_by)}."
        elif kind == CHECKLIST18:
            heading, group = "Checklist 18 jaar: wat je hebt geregeld", article15.HELP

            def fields_of(p: JsonObject) -> list[Field]:
                out: list[Field] = []
                for key, point in (p.get("punten") or {}).items():
                    label = str(point.get("label") or key) if isinstance(point, dict) else key
                    if not isinstance(point, dict):
                        out.append(Field(f"punten.{key}", label.capitalize(), "nog niet geregeld", PLAIN))
                        continue
                    day = _day(point.get("datum"))
                    done = ("geregeld" + (f" op {day:%d-%m-%Y}" if day else "")) if point.get("klaar") else "nog niet geregeld"
                    note = str(point.get("notitie") or "").strip()
                    out.append(Field(f"punten.{key}", label.capitalize(), f"{done}. {note}" if note else done,
                                     TEXT_KIND if note else PLAIN))
                return out

            source = f"Bijgehouden door {self.name(e.created_by)}."
        elif kind == MELDCODE:
            # A meldcode trajectory (issue 21), one item per step's record: every text is a
            # part the worker decides on (information of others, e.g. parents, Veilig Thuis).
            heading, group = str(p.get("kop") or "Meldcode"), article15.HELP
            day = _day(p.get("datum"))
            if day is not None:
                at, timed = datetime.combine(day, datetime.min.time()), False
            told_by = [MELDCODE_WHY]

            def fields_of(p: JsonObject) -> list[Field]:
                return [Field(str(k), str(label), str(text), TEXT_KIND) for k, label, text in p.get("velden") or []]

            source = f"Vastgelegd in de meldcode door {self.name(e.created_by)}."
        elif kind in ("note", "notitie"):
            heading, group = "Notitie", article15.HELP

            def fields_of(p: JsonObject) -> list[Field]:
                return self.text("tekst", "Notitie", p.get("tekst"))

            source = f"Opgeschreven door {self.name(e.created_by)}."
        else:
            heading, group = KIND_LABELS.get(kind, kind.replace("_", " ").capitalize()), article15.HELP
            fields_of = self.reader.fields
            source = f"Opgeschreven door {self.name(e.created_by)}."
        history = []
        for h in p.get("geschiedenis", []) or []:
            if not isinstance(h, dict):
                continue
            old = h.get("oud") or {}
            if kind == CHECKLIST18:
                old = {"punten": old}
            fields = tuple(fields_of(old)) if isinstance(old, dict) else ()
            if not fields:
                continue
            changed = _moment(h.get("op"))
            when = f"{changed:%d-%m-%Y}" if changed else "?"
            history.append((TEXT["earlier"].format(when=when, by=self.name(h.get("door"))), fields))
        if not timed and at.date() == written_at.date():
            at = written_at  # the same day: in the order it was written (shown without the time)
        if at.date() == written_at.date():
            written = TEXT["written"].format(by=self.name(e.created_by))
        else:
            written = TEXT["written_on"].format(by=self.name(e.created_by), when=f"{written_at:%d-%m-%Y}")
        return Item(
            e.id, kind, group, at, timed, heading, tuple(fields_of(p)), source, written, tuple(history), tuple(told_by),
        )

    def handover(self, p: JsonObject) -> list[Field]:
        from jongerenteam.handover.model import KIND_LABELS as HANDOVER_KINDS
        from jongerenteam.handover.model import LEGAL_GROUNDS

        out: list[Field] = []
        kind = str(p.get("soort") or "")
        out += self.plain("soort", "Soort overdracht", HANDOVER_KINDS.get(kind, kind))
        receiver = p.get("ontvanger")
        if isinstance(receiver, dict):
            name = str(receiver.get("naam") or "")
            extra = ", ".join(str(receiver[k]) for k in ("rol", "organisatie") if receiver.get(k) and receiver.get(k) != name)
            out += self.plain("ontvanger", "Naar", f"{name} ({extra})" if name and extra else name or extra)
        ground = str(p.get("grond") or "")
        if ground:
            out += self.plain("grond", "Gedeeld zonder je toestemming, want", LEGAL_GROUNDS.get(ground, ground))
            out += self.text("grond_reden", "Uitleg", p.get("grond_reden"))
        view = str(p.get("student") or "")
        out += self.plain("student", "Wat jij ervan vond", _STUDENT_VIEWS.get(view, view))
        out += self.text("bezwaar", "Je bezwaar", p.get("bezwaar"))
        left_out = [x for x in p.get("weggelaten") or [] if isinstance(x, list) and x]
        out += self.plain("weggelaten", "Niet gedeeld", "; ".join(
            f"{x[0]} ({x[1]})" if len(x) > 1 and x[1] else str(x[0]) for x in left_out))
        days = p.get("leestoegang_dagen")
        if isinstance(days, int) and kind == "intern":
            out += self.plain("leestoegang_dagen", "Je vorige hulpverlener",
                              f"mag na de overdracht nog {days} dagen in je dossier lezen")
        return out + self.text("document", "Wat is gedeeld (het overdrachtsdocument)", p.get("document"))


_STUDENT_VIEWS = {
    "akkoord": "je hebt het document gezien en was het ermee eens",
    "bezwaar": "je hebt het document gezien en had bezwaar",
    "niet": "je had het document nog niet gezien",
}
# What an export or print in the log was, for the student.
_EXPORTS = {
    EXPORT_TEXT: "een inzage voor jou (tekst)",
    EXPORT_PDF: "een inzage voor jou (PDF)",
    "overdrachtsdocument tekst": "het overdrachtsdocument (tekst)",
    "overdrachtsdocument pdf": "het overdrachtsdocument (PDF)",
    "afsprakenoverzicht: tekst": "een overzicht van je afspraken (tekst)",
    "afsprakenoverzicht: pdf": "een overzicht van je afspraken (PDF)",
}


def read_items(entries: Sequence[EntryView], names: dict[str, str], own_names: Sequence[str]) -> list[Item]:
    """Every entry as an ``Item``, in the order things happened (oldest first)."""
    maker = _Items(entries, names, own_names)
    items = [maker.item(e) for e in entries]
    written = {e.id: e.created_at for e in entries}
    return sorted(items, key=lambda i: (i.at, written[i.entry_id]))


def handover_state(state: str) -> str:
    from jongerenteam.handover.model import STATE_LABELS

    return STATE_LABELS.get(state, state)


# -- parts about others ------------------------------------------------------------------


def find_other_parts(items: Sequence[Item], finder: Finder) -> tuple[OtherPart, ...]:
    """The parts the worker checks before the inzage goes out (``jongerenteam.rights.others``)."""
    parts = []
    for item in items:
        versions = [item.fields, *(fields for _label, fields in item.history)]
        keys = list(dict.fromkeys(f.key for fields in versions for f in fields))
        for key in keys:
            texts = [f for fields in versions for f in fields if f.key == key]
            kind = texts[0].kind
            why = []
            if kind == NAMES and any(finder.other_names(f.text) for f in texts):
                why.append("naam of gegevens van iemand anders")
            if kind == TEXT_KIND and item.told_by:
                why.append("verteld door of met erbij: " + ", ".join(item.told_by))
            if kind in (TEXT_KIND, NAMES):
                words = list(dict.fromkeys(w for f in texts for w in finder.mentions(f.text).words))
                if words and kind == TEXT_KIND:
                    why.append("noemt: " + ", ".join(words))
            if not why:
                continue
            label = texts[0].label
            where = f"{item.heading} van {item.at:%d-%m-%Y}: {label.lower()}"
            shown = texts[0].text if len(texts) == 1 else "\n".join(
                [texts[0].text] + [f"(eerder) {f.text}" for f in texts[1:]]
            )
            parts.append(OtherPart(f"{item.entry_id}:{key}", where, "; ".join(why), shown))
    return tuple(parts)


# -- the draft and the document ----------------------------------------------------------


@dataclass(slots=True)
class InzageDraft:
    """What was read for an inzage, with the parts about others the worker must decide on.

    Made by ``RightsService.read_inzage``; the document is only made (and the
    export only logged) by ``RightsService.export_inzage`` with a decision on
    every part. Holds decrypted data: never in a repr, dropped with the dialog.
    """

    student_id: str
    details: StudentDetails
    status: str
    contact_name: str
    involved: tuple[str, ...]
    made_by: str
    team: str
    made_at: datetime
    items: tuple[Item, ...]
    log: tuple[LogRow, ...]
    names: dict[str, str]
    retention: tuple[str, ...]
    parts: tuple[OtherPart, ...]
    via_escrow: bool = False

    def __repr__(self) -> str:
        return f"InzageDraft(items={len(self.items)}, parts={len(self.parts)})"

    def undecided(self, decisions: Mapping[str, bool]) -> list[OtherPart]:
        return [p for p in self.parts if p.id not in decisions]


def make_draft(
    details: StudentDetails, record: StudentRecord, entries: Sequence[EntryView], log: Iterable[LogRow], *,
    names: dict[str, str], contact_name: str, involved: list[str], made_by: str, team: str = "",
    retention: tuple[str, ...] = (), now: datetime | None = None, via_escrow: bool = False,
) -> InzageDraft:
    """Read the entries into items and find the parts about others."""
    from jongerenteam.municipalities import name_of

    own = [n for n in (details.first_name, details.last_name, details.display_name) if n]
    items = read_items(entries, names, own)
    known_others = [p for i in items for p in i.told_by]
    for i in items:
        known_others += [f.text for f in i.fields if f.kind == NAMES and "@" not in f.text]
    finder = Finder(own, names.values(), places=[name_of(details.municipality_code) or "", details.programme],
                    known_others=known_others)
    made_at = (now or clock.local_time(clock.now())).replace(tzinfo=None)
    return InzageDraft(
        record.id, details, record.status, contact_name, tuple(names.get(w, "onbekend") for w in involved),
        made_by, team, made_at, tuple(items), tuple(log), names, retention, find_other_parts(items, finder),
        via_escrow,
    )


def _categories(draft: InzageDraft) -> list[str]:
    det = draft.details
    kinds = {i.kind for i in draft.items}
    groups = {i.group for i in draft.items}
    out = []
    if det.first_name or det.last_name or det.birth_date:
        out.append("naam")
    if det.contact_value:
        out.append("contact")
    if det.programme or det.level or det.year or det.student_number:
        out.append("school")
    if det.municipality_code or det.municipality_text:
        out.append("gemeente")
    if article15.HELP in groups:
        out.append("hulp")
    if article15.SCORES in groups:
        out.append("scores")
    if article15.CONSENTS in groups:
        out.append("toestemming")
    if d.EXTERNAL in kinds:
        out.append("anderen")
    if article15.SHARING in groups:
        out.append("delen")
    out.append("logboek")
    domains = set(det.leefdomeinen)
    for e in draft.items:
        for f in e.fields:
            if f.key in ("leefdomeinen", "over") or e.kind == d.SCORE:
                domains |= {code for code, label in _DOMAIN_LABELS.items() if label in f.text or code in f.text}
        if e.kind == d.SCORE:
            domains |= {code for code, label in _DOMAIN_LABELS.items() if e.heading.endswith(label)}
    special = {article15.SPECIAL_DOMAINS[x] for x in domains if x in article15.SPECIAL_DOMAINS}
    out += [x for x in ("gezondheid", "justitie") if x in special]
    return out


def _purpose_lines(draft: InzageDraft, categories: Sequence[str]) -> list[str]:
    regime = draft.details.retention or DEFAULT_REGIME
    help_ground = article15.HELP_GROUND.get(regime, article15.HELP_GROUND[DEFAULT_REGIME])
    groups = [article15.DIRECTORY, *dict.fromkeys(i.group for i in draft.items), article15.LOG]
    order = list(article15.PURPOSES)
    out = []
    for group in sorted(dict.fromkeys(groups), key=order.index):
        what, why, ground = article15.PURPOSES[group]
        out.append(f"{what}. Waarom: {why} Mag dat? {ground.format(help_ground=help_ground)}")
    for special in ("gezondheid", "justitie"):
        if special in categories:
            out.append(article15.SPECIAL_GROUND[special])
    return out


def _log_what(row: LogRow) -> str:
    from jongerenteam.dossier import EVENT_LABELS, detail_text
    from jongerenteam.handover.model import KIND_SHORT, LEGAL_GROUNDS
    from jongerenteam.spreekuur import EMERGENCY_REASONS

    what = EVENT_LABELS.get(row.event, row.event)
    detail = detail_text(row.detail) if row.detail else ""
    if row.event == "emergency_access" and detail in EMERGENCY_REASONS:
        detail = EMERGENCY_REASONS[detail]
    elif row.event == "emergency_access" and detail == "inzage":
        detail = "om een inzage te maken"
    if detail.startswith("status: "):
        code = detail.removeprefix("status: ").split(" ")[0]
        detail = f"status: {STATUSES.get(code, code)}"
    for code, label in KIND_SHORT.items():
        detail = re.sub(rf"\b{re.escape(code)}\b", label, detail)
    for code, label in LEGAL_GROUNDS.items():
        detail = detail.replace(f"wettelijke grond: {code}", f"wettelijke grond: {label}")
    for code, label in (("inzage: tekst", "inzage (tekst)"), ("inzage: pdf", "inzage (PDF)"),
                        ("inzage: nakijken", "inzage nakijken"), (WITHOUT_READING, " (zonder je dossier te lezen)")):
        detail = detail.replace(code, label)
    if row.event == "create" and not detail:
        return "je gegevens toegevoegd"
    return f"{what}: {detail}" if detail else what


def _shared_lines(draft: InzageDraft) -> list[str]:
    """Who received what and when: handovers in the file, exports and prints in the log."""
    out = []
    steps: dict[str, list[Item]] = {}
    for i in draft.items:
        if i.kind == HANDOVER_STEP:
            steps.setdefault(i.entry_id, []).append(i)
    for i in draft.items:
        if i.kind != HANDOVER_DOCUMENT:
            continue
        to = next((f.text for f in i.fields if f.key == "ontvanger"), "andere hulp")
        ground = next((f.text for f in i.fields if f.key == "grond"), "")
        line = f"{i.at:%d-%m-%Y}: overdracht naar {to}, " + (
            f"zonder je toestemming ({ground})." if ground else "met je toestemming."
        )
        out.append(line)
    for row in draft.log:
        if row.event not in ("export", "print"):
            continue
        at = clock.local_time(row.at).replace(tzinfo=None)
        by = draft.names.get(row.worker_id or "", "een medewerker")
        detail = row.detail.split(";")[0]
        what = _EXPORTS.get(detail) or f"een bestand ({_log_what(row).split(': ', 1)[-1]})"
        out.append(f"{at:%d-%m-%Y}: {by} heeft {what} gemaakt.")
    return out


def _directory_source(details: StudentDetails) -> str:
    referrer = details.referrer
    if referrer and referrer != "zelf":
        return TEXT["directory_source_by"].format(by=REFERRERS.get(referrer, referrer))
    return TEXT["directory_source"]


def build_inzage(draft: InzageDraft, decisions: Mapping[str, bool]) -> Document:
    """The inzage as a ``Document``; ``decisions`` says for every part about others
    whether it goes in (True) or is left out (False). A part without a decision
    stops it: nothing goes out unchecked."""
    missing = draft.undecided(decisions)
    if missing:
        raise ValidationError("parts", TEXT["undecided"].format(n=len(missing)))
    left_out = {pid for pid, keep in decisions.items() if not keep}
    categories = _categories(draft)
    about = [
        TEXT["made"].format(when=_fmt_date(draft.made_at), by=draft.made_by, team=f" ({draft.team})" if draft.team else ""),
        TEXT["intro"],
        TEXT["dates"],
    ]
    if left_out:
        one = len(left_out) == 1
        about.append(TEXT["left_out_note"].format(verb="is" if one else "zijn", n=len(left_out), parts="deel" if one else "delen"))
    about.append(article15.ASK.format(contact=draft.contact_name or "je hulpverlener"))
    sections = [
        Section(TEXT["about"], tuple(about)),
        Section(TEXT["directory"], (*_directory_lines(draft.details, draft.status, draft.contact_name),
                                    _directory_source(draft.details))),
        Section(TEXT["involved"], draft.involved or ("niemand",), bullets=True),
    ]
    n = len(draft.items)
    sections.append(Section(TEXT["file"], (
        TEXT["empty_file"] if not n else f"{n} {'onderdeel' if n == 1 else 'onderdelen'}, oudste eerst.",
    )))
    for item in draft.items:
        lines = []
        for f in item.fields:
            shown = TEXT["left_out"] if f"{item.entry_id}:{f.key}" in left_out else f.text
            lines.append(f"{f.label}: {shown}")
        lines.append(f"{TEXT['source']}: {item.source}")
        lines.append(item.written)
        for label, fields in item.history:
            lines.append(label)
            for f in fields:
                shown = TEXT["left_out"] if f"{item.entry_id}:{f.key}" in left_out else f.text
                lines.append(f"    {f.label}: {shown}")
        sections.append(Section(f"{item.heading} · {_when(item.at, item.timed)}", tuple(lines)))
    sections.append(Section(TEXT["shared"], tuple(_shared_lines(draft)) or (TEXT["shared_none"],)))
    sections.append(Section(TEXT["purposes"], tuple(_purpose_lines(draft, categories)), bullets=True))
    sections.append(Section(TEXT["categories"], tuple(article15.CATEGORY_TEXT[c] for c in categories), bullets=True))
    sections.append(Section(TEXT["retention"], draft.retention or (TEXT["retention_unknown"],)))
    sections.append(Section(TEXT["rights"], tuple(f"{name}: {text}" for name, text in article15.RIGHTS), bullets=True))
    log_lines = []
    for row in draft.log:
        by = draft.names.get(row.worker_id or "", "onbekend")
        if row.on_behalf_of and row.on_behalf_of != row.worker_id:
            by += f" (met {draft.names.get(row.on_behalf_of, 'onbekend')})"
        at = clock.local_time(row.at).replace(tzinfo=None)
        log_lines.append(f"{_fmt_date(at)} · {by} · {_log_what(row)}")
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
