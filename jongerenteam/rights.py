"""Use cases of the student's privacy rights (issue 6): inzage, correctie, verwijdering, bewaartermijn.

Mixed into ``TeamSession``; nothing here knows Textual.

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
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from jongerenteam import dossier as d
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
from jongerenteam.domain import RETENTION_REGIMES, ValidationError
from jongerenteam.pdf import Document, Section
from jongerenteam.text import check_text, clean_block
from storage import clock
from storage import rights as store_rights
from storage.errors import NotAllowed

CORRECTION = "correctie"  # FileEntry.kind of a correction request

ERASURE_REASONS = {
    "verzoek": "verzoek van de student",
    "bewaartermijn": "bewaartermijn verstreken",
    "onterecht": "ten onrechte geregistreerd",
}
ERASE_WORD = "WISSEN"

DEFAULT_RETENTION_YEARS = {"school": 2, "jeugdwet": 20}
DEFAULT_REGIME = "jeugdwet"
RETENTION_LIMITS = {"school": (1, 20), "jeugdwet": (20, 100)}

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
    d.CONSENT: "Toestemming",
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
                        "new_value", f"Vul de juiste {CORRECTABLE[self.field]} in. Leeg laten kan alleen bij het studentnummer of het telefoonnummer of e-mailadres."
                    )
            elif self.target == "gesprek":
                if not self.entry_id:
                    raise ValidationError("entry", "Kies welk gesprek wordt verbeterd.")
                if not self.new_value.strip():
                    raise ValidationError("new_value", "Vul de verbeterde tekst in.")
            else:
                raise ValidationError("target", "Kies wat wordt verbeterd: een gegeven of een gesprek.")
        for name, value in (("request", self.request), ("reason", self.reason), ("new_value", self.new_value)):
            if len(value) > d.MAX_TEXT:
                raise ValidationError(name, f"De tekst is te lang (meer dan {d.MAX_TEXT} tekens).")

    def __repr__(self) -> str:
        return "Correction(…)"


@dataclass(frozen=True, slots=True)
class PastTerm:
    """A closed file past its retention term."""

    record: object  # session.StudentRecord
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
    from jongerenteam.search import fold
    from jongerenteam.session import TUSSENVOEGSELS

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

    def value(self, key: str, v) -> str:
        if v is None or v == "" or v == [] or v == {}:
            return ""
        if isinstance(v, bool):
            return "ja" if v else "nee"
        if isinstance(v, (int, float)):
            if key == "score" and v in SCORES:
                return f"{v} ({SCORES[v]})"
            return str(v)
        if isinstance(v, list):
            parts = [self.value(key, x) for x in v]
            return ", ".join(p for p in parts if p)
        if isinstance(v, dict) and ("naam" in v or "soort" in v) and set(v) <= _PERSON_KEYS:
            # Who does something / with whom to share: "studiecoach Mevr. Bos", "Tactus (organisatie)".
            kind = str(v.get("soort") or "")
            name = str(v.get("naam") or "") or self.names.get(str(v.get("medewerker") or ""), "")
            label = d.WHO_KINDS.get(kind) or d.CONSENT_WITH_KINDS.get(kind) or kind
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
            return "alles" if text == d.ALL_DOMAINS else _DOMAIN_LABELS.get(text, text)
        if key == "gegeven_door":
            return d.CONSENT_GIVERS.get(text, text)
        if key == "soort":
            return d.WHO_KINDS.get(text, text)
        if key == "rol" and text in COACH_ROLES:
            return COACH_ROLES[text]
        return text

    def lines(self, payload: dict) -> list[str]:
        out = []
        for k, v in payload.items():
            if k in HIDDEN_KEYS:
                continue
            text = self.value(k, v)
            if text:
                out.append(f"{FIELD_LABELS.get(k, k.replace('_', ' ')).capitalize()}: {text}")
        return out


def _directory_lines(details, record, contact_name: str) -> list[str]:
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
            text = CONTACT_PREFERENCES.get(v, v)
        elif key == "referrer":
            text = REFERRERS.get(v, v)
        elif key == "urgency":
            text = URGENCIES.get(v, v)
        elif key == "coach_role":
            text = COACH_ROLES.get(v, v)
        elif key == "closed_reason":
            text = CLOSE_REASONS.get(v, v)
        elif key == "retention":
            text = RETENTION_REGIMES.get(v, v)
        else:
            text = str(v)
        out.append(f"{label.capitalize()}: {text}")
    if details.anonymous:
        out.append("Anoniem: ja")
    out.append(f"Status: {STATUSES.get(record.status, record.status)}")
    out.append(f"Contactpersoon: {contact_name}")
    return out


def build_inzage(
    details, record, entries, log, *, names: dict[str, str], contact_name: str,
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
        sections.append(Section(TEXT["file"], (f"{len(entries)} onderdelen, oudste eerst.",)))
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
    from jongerenteam.casework import EVENT_LABELS, _detail_text

    log_lines = []
    for row in log:
        what = EVENT_LABELS.get(row.event, row.event)
        if row.detail:
            what = f"{what}: {_detail_text(row.detail)}"
        by = names.get(row.worker_id or "", "onbekend")
        if row.on_behalf_of:
            by += f" (met {names.get(row.on_behalf_of, 'onbekend')})"
        at = clock.local_time(row.at).replace(tzinfo=None)
        log_lines.append(f"{_fmt_date(at)} · {by} · {what}")
    sections.append(Section(TEXT["log"], tuple(log_lines) or (TEXT["empty_log"],)))
    return Document(TEXT["title"], tuple(sections), TEXT["footer"])


def check_text_target(path: str | os.PathLike, example: str = "inzage.txt") -> Path:
    """Like ``pdf.check_target`` for a text file ('.txt' added)."""
    from jongerenteam.pdf import target_file

    return target_file(path, ".txt", example)


def default_inzage_path(today: date, fmt: str) -> Path:
    """In the user's Documents folder (home if there is none); never the student's name."""
    from jongerenteam.pdf import documents_folder, unique_path

    return unique_path(documents_folder(), f"inzage-{today:%Y-%m-%d}", "pdf" if fmt == "pdf" else "txt")


# -- the use cases ---------------------------------------------------------------------


class RightsMixin:
    """``self`` is a ``TeamSession``."""

    # -- inzage ------------------------------------------------------------------------

    def inzage(
        self, student_id: str, fmt: str = "tekst", *, coordinator_passphrase: str | None = None,
        team: str = "",
    ) -> Document:
        """Everything stored about one student, read and logged as an export.

        A coördinator who is not involved passes their passphrase again: the
        escrow then opens the file for this one read.
        """
        from storage import spreekuur
        from storage import team as store_team

        what = EXPORT_PDF if fmt == "pdf" else EXPORT_TEXT
        record = self._refresh_record(student_id)
        escrow_private = None
        if student_id not in self.involved and coordinator_passphrase is not None:
            if not self.keys.is_coordinator:
                raise NotAllowed("escrow", reason="not a coordinator")
            coordinator = store_team.check_passphrase(self.store, self.worker_id, coordinator_passphrase)
            escrow_private = spreekuur.require_escrow(coordinator)
        entries, log = store_rights.read_for_inzage(
            self.store, self.keys, student_id, what,
            escrow_private=escrow_private, coordinator_id=self.worker_id if escrow_private else None,
        )
        del escrow_private
        names = {wid: w.full_name for wid, w in self.workers.items()}
        return build_inzage(
            record.details, record, entries, log, names=names, contact_name=self.contact_name(record),
            involved=self.involved_workers(student_id), made_by=self.worker.full_name, team=team,
        )

    def export_inzage(
        self, student_id: str, path: str | os.PathLike, fmt: str = "tekst", *,
        coordinator_passphrase: str | None = None, team: str = "",
    ) -> Path:
        """Write the inzage to ``path`` (text or PDF, atomically); returns the file written."""
        from jongerenteam.pdf import check_target, render_pdf, write_atomic

        target = check_target(path, "inzage.pdf") if fmt == "pdf" else check_text_target(path)
        doc = self.inzage(student_id, fmt, coordinator_passphrase=coordinator_passphrase, team=team)
        data = render_pdf(doc) if fmt == "pdf" else doc.text().encode("utf-8")
        write_atomic(target, data)
        return target

    # -- correctie ---------------------------------------------------------------------

    def record_correction(self, student_id: str, correction: Correction) -> str:
        """Record a correction request; an accepted one also makes the change.

        The change comes first (a conflict then leaves nothing half-recorded);
        the correctie entry names the old and the new value.
        """
        from jongerenteam.session import local_today
        from storage import dossier as store_dossier

        today = local_today()
        correction.validate(today)
        dossier = self.open_dossier(student_id, log=False)  # only someone involved may
        payload: dict = {
            "verzoek": correction.request.strip(),
            "datum": correction.on.isoformat(),
            "besluit": correction.decision,
            "reden": correction.reason.strip(),
            "onderdeel": correction.target,
        }
        if correction.decision == "aangepast" and correction.target == "gegevens":
            old, new = self._correct_directory(student_id, correction.field, correction.new_value)
            payload.update(veld=CORRECTABLE[correction.field], oud=old, nieuw=new)
            summary = f"{CORRECTABLE[correction.field]} verbeterd: '{old}' werd '{new}'"
        elif correction.decision == "aangepast":
            item = dossier.item(correction.entry_id or "")
            if item is None or not item.editable:
                raise ValidationError("entry", "Dit gesprek bestaat niet (meer); kies een ander.")
            old = item.note
            self.edit_talk(student_id, item, {"tekst": correction.new_value.strip()})
            when = f"{item.at:%d-%m-%Y}"
            payload.update(veld=f"verslag van het gesprek van {when}", oud=old, nieuw=correction.new_value.strip(),
                           entry=item.id)
            summary = f"verslag van het gesprek van {when} verbeterd"
        else:
            summary = "verzoek geweigerd"
        payload["tekst"] = f"Correctieverzoek: {summary}. Reden: {correction.reason.strip()}"
        entry_id = store_dossier.new_entry_id()
        self._add(student_id, [(entry_id, CORRECTION, payload)])
        return entry_id

    def _correct_directory(self, student_id: str, field_name: str, value: str) -> tuple[str, str]:
        from jongerenteam.dates import parse_date
        from jongerenteam.municipalities import code_for, name_of

        record = self._refresh_record(student_id)
        details = record.details
        value = value.strip()
        if field_name == "birth_date":
            old = _fmt_date(details.birth_date) if details.birth_date else ""
            new_date = parse_date(value, field="new_value") if value else None
            details.birth_date = new_date
            new = _fmt_date(new_date) if new_date else ""
        elif field_name == "municipality":
            old = name_of(details.municipality_code) or details.municipality_text
            code = code_for(value) if value else ""
            if value and code is None:
                raise ValidationError("new_value", "Deze gemeente staat niet in de lijst.")
            details.municipality_code, details.municipality_text = code or "", ""
            new = name_of(code) if code else ""
        else:
            if field_name == "first_name" and not value and not details.anonymous:
                raise ValidationError("new_value", "Vul een voornaam in.")
            old = getattr(details, field_name)
            setattr(details, field_name, value)
            new = value
        if old == new:
            raise ValidationError("new_value", "Dit is hetzelfde als wat er al staat.")
        try:
            details.validate()
        except ValidationError as exc:
            raise ValidationError("new_value", exc.message) from None
        self.update_student(record, details)
        return old, new

    # -- verwijdering ------------------------------------------------------------------

    def erase_student(self, student_id: str, reason: str) -> None:
        """Erase one student for good (coördinator, reason code from ERASURE_REASONS)."""
        self.erase_students([student_id], reason)

    def erase_students(self, student_ids: list[str], reason: str) -> int:
        if not self.keys.is_coordinator:
            raise NotAllowed("students", reason="coordinator only")
        if reason not in ERASURE_REASONS:
            raise ValidationError("reason", "Kies een reden voor het wissen.")
        if reason == "bewaartermijn":
            # Only true for a closed file whose term has passed (the log keeps the reason).
            past = {p.record.id for p in self.past_term()}
            if any(sid not in past for sid in student_ids):
                raise ValidationError(
                    "reason",
                    "De bewaartermijn van dit dossier is niet verstreken (of het dossier is nog open). Kies een andere reden.",
                )
        removed = store_rights.erase_students(self.store, self.keys, student_ids, reason)
        self._forget_students(student_ids)
        return len(removed)

    def _forget_students(self, student_ids) -> None:
        from jongerenteam.search import DirectoryIndex

        for sid in student_ids:
            self.students.pop(sid, None)
            self.involved.discard(sid)
        self._sorted = None
        self._agenda = None
        self._programmes = None
        self.index = DirectoryIndex((s.id, s.search_key) for s in self.students.values())

    # -- bewaartermijn -----------------------------------------------------------------

    def retention_years(self) -> dict[str, int]:
        stored = store_rights.retention_terms(self.store) or {}
        out = dict(DEFAULT_RETENTION_YEARS)
        for regime in out:
            v = stored.get(regime)
            if isinstance(v, int) and v > 0:
                out[regime] = v
        return out

    def set_retention_years(self, terms: dict[str, int]) -> None:
        if not self.keys.is_coordinator:
            raise NotAllowed("team", reason="coordinator only")
        clean = {}
        for regime, (low, high) in RETENTION_LIMITS.items():
            v = terms.get(regime)
            if not isinstance(v, int) or not low <= v <= high:
                label = RETENTION_REGIMES[regime]
                extra = " (de Jeugdwet vraagt minstens 20 jaar)" if regime == "jeugdwet" else ""
                raise ValidationError(regime, f"Bewaartermijn {label}: een aantal jaren van {low} tot {high}{extra}.")
            clean[regime] = v
        store_rights.set_retention_terms(self.store, self.keys, clean)

    def set_retention_regime(self, record, regime: str):
        """Which term applies to this student's file (a directory field)."""
        if regime not in RETENTION_REGIMES:
            raise ValidationError("retention", "Kies de bewaartermijn: alleen schoolbegeleiding of Jeugdwet.")
        current = self._refresh_record(record.id)
        details = current.details
        details.retention = regime
        return self.update_student(current, details)

    def past_term(self, today: date | None = None) -> list[PastTerm]:
        """Closed files past their retention term, longest past first (coördinator)."""
        from jongerenteam.session import local_today

        if not self.keys.is_coordinator:
            raise NotAllowed("students", reason="coordinator only")
        today = today or local_today()
        years = self.retention_years()
        out = []
        for sid, closed in store_rights.closed_files(self.store).items():
            record = self.students.get(sid)
            if record is None or record.status != "afgesloten":
                continue
            regime = record.details.retention or DEFAULT_REGIME
            closed_on = clock.local_time(closed).date()
            ends = add_years(closed_on, years.get(regime, years[DEFAULT_REGIME]))
            if today > ends:
                out.append(PastTerm(record, regime, closed_on, ends, (today - ends).days))
        return sorted(out, key=lambda p: (-p.days_past, p.record.sort_key))

    def erase_past_term(self, student_ids: list[str], today: date | None = None) -> int:
        """Erase these files, each only if it is still past its term (reason 'bewaartermijn')."""
        due = {p.record.id for p in self.past_term(today)}
        chosen = [sid for sid in student_ids if sid in due]
        if not chosen:
            return 0
        return self.erase_students(chosen, "bewaartermijn")
