"""The dossier: talks, agreements, leefdomein scores and consent.

Everything here is file-tier data: it lives in a student's file entries,
each encrypted under the student's key (storage.students). This module is
plain Python: it checks what a worker enters, turns it into entry payloads,
and folds a student's entries back into a ``Dossier`` the screens show.

Entries are append-only in spirit: a change to a talk note, an agreement
or a consent rewrites the entry with the earlier values kept in its
``geschiedenis`` (history) list, so nothing a colleague once read is lost.
Payload keys are Dutch, as the spreekuur's are (docs/glossary.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from jongerenteam.catalogue import LEEFDOMEIN_CODES, SCORES
from jongerenteam.consent import (
    ALL_DOMAINS,
    CONSENT,
    Consent,
    ConsentWarning,
    ConsentWith,
    consent_warnings,
    holding,
)
from jongerenteam.domain import Concern, ValidationError
from jongerenteam.entries import Change, day, history, iso, moment, text_field
from jongerenteam.text import check_text, clean_line
from storage.documents import JsonObject

if TYPE_CHECKING:
    from storage.files import EntryView

# -- entry kinds (FileEntry.kind) -------------------------------------------------

TALK = "talk"
AGREEMENT = "agreement"
SCORE = "score"
EXTERNAL = "external"  # an external professional involved with the student
# Written by the spreekuur (jongerenteam.spreekuur); shown in the timeline too.
WALK_IN, REFERRAL, APPOINTMENT, EMERGENCY_NOTE = "inloop", "aanmelding", "afspraak", "noodtoegang"

TALK_TYPES = {
    "intake": "intake",
    "driegesprek": "driegesprek",
    "vervolggesprek": "vervolggesprek",
    "telefonisch": "telefonisch",
    "app": "app/WhatsApp",
    "email": "e-mail",
    "huisbezoek": "huisbezoek",
    "buiten": "buiten/wandeling",
    "overleg": "overleg met betrokkene",
}
# Timeline labels of the spreekuur's entries.
OTHER_KIND_LABELS = {
    WALK_IN: "inloopgesprek",
    REFERRAL: "aanmelding",
    APPOINTMENT: "afspraak gepland",
    EMERGENCY_NOTE: "noodtoegang",
    "note": "notitie",
    "notitie": "notitie",
    "overdracht": "overdracht",
    "overdracht_stap": "overdracht",
    "correctie": "correctieverzoek",
    "ontvangers": "ontvangers ingelicht",
}

AGREEMENT_STATUSES = {"open": "open", "gedaan": "gedaan", "vervallen": "vervallen"}
WHO_KINDS = {"student": "student", "coach": "studiecoach", "medewerker": "medewerker", "anders": "iemand anders"}


# -- dates a worker types: refused when they cannot be right, asked when unusual ------------

TALK_BEFORE_BIRTH = "Deze datum ligt vóór de geboortedatum van de student. Kijk het jaar na."
TALK_LONG_AGO = "Volgens deze datum was het gesprek op {day}, meer dan een jaar geleden. Klopt dat?"
DUE_PAST = "De uiterlijke datum ({day}) ligt in het verleden. Kies vandaag of een dag die nog komt."
FOLLOW_UP_PAST = "De opvolgdatum ({day}) ligt in het verleden. Kies vandaag of een dag die nog komt."
FOLLOW_UP_AFTER_DUE = "De opvolgdatum ({follow}) ligt na de uiterlijke datum ({due}). Klopt dat?"


def _dmy(day: date) -> str:
    return f"{day:%d-%m-%Y}"


def year_before(day: date) -> date:
    """The same day a year earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return date(day.year - 1, 2, 28)


def check_talk_day(field_name: str, day: date, birth: date | None) -> None:
    """Refuse a talk dated before the student was born (a typo in the year)."""
    if birth is not None and day < birth:
        raise ValidationError(field_name, TALK_BEFORE_BIRTH)


def talk_day_concerns(field_name: str, day: date, today: date) -> list[Concern]:
    """A talk more than a year ago is possible (written up late), but more often a typo: asked."""
    if day < year_before(today):
        return [Concern(field_name, TALK_LONG_AGO.format(day=_dmy(day)))]
    return []


# -- what a worker enters ----------------------------------------------------------


@dataclass(slots=True)
class Who:
    """Who does something: the student, the coach, a worker, or someone by name."""

    kind: str = "student"
    name: str = ""
    worker_id: str | None = None

    def validate(self, field_name: str = "who") -> None:
        if self.kind not in WHO_KINDS:
            raise ValidationError(field_name, "Kies wie het doet: student, studiecoach, medewerker of iemand anders.")
        if self.kind == "medewerker" and not self.worker_id:
            raise ValidationError(field_name, "Kies welke medewerker het doet.")
        self.name = clean_line(self.name)
        if self.kind == "anders" and not self.name.strip():
            raise ValidationError(field_name, "Vul de naam in van wie het doet.")
        check_text(field_name, self.name, "name")

    def to_dict(self) -> JsonObject:
        return {"soort": self.kind, "naam": self.name.strip(), "medewerker": self.worker_id}

    @classmethod
    def from_dict(cls, d: JsonObject | None) -> Who:
        d = d or {}
        return cls(d.get("soort", "student"), d.get("naam", ""), d.get("medewerker"))


@dataclass(slots=True)
class NewTalk:
    """A talk as entered: type, moment, duration, participants, note."""

    type: str = "vervolggesprek"
    at: datetime | None = None  # local time on the laptop
    minutes: int | None = None
    participants: list[str] = field(default_factory=list)
    note: str = ""

    def validate(self, today: date, birth: date | None = None) -> None:
        """Refuse what cannot be right (``birth``: the student's birth date, if known)."""
        if self.type not in TALK_TYPES:
            raise ValidationError("type", "Kies het soort gesprek.")
        if self.at is None:
            raise ValidationError("at", "Vul de datum van het gesprek in.")
        if self.at.date() > today:
            raise ValidationError("at", "Een gesprek dat nog moet komen is een afspraak; de datum ligt in de toekomst.")
        check_talk_day("at", self.at.date(), birth)
        if self.minutes is not None and not 1 <= self.minutes <= 480:
            raise ValidationError("minutes", "Duur is een aantal minuten, van 1 tot 480.")
        self.note = text_field("note", self.note, "een verslag", required=self.type != "driegesprek")
        self.participants = [clean_line(p) for p in self.participants]
        for p in self.participants:
            check_text("participants", p, "name")

    def concerns(self, today: date) -> list[Concern]:
        """Possible but unusual: the worker confirms before it is saved."""
        return talk_day_concerns("at", self.at.date(), today) if self.at is not None else []

    def payload(self) -> JsonObject:
        return {
            "type": self.type,
            "moment": self.at.isoformat(timespec="minutes") if self.at else None,
            "minuten": self.minutes,
            "deelnemers": [p.strip() for p in self.participants if p.strip()],
            "tekst": self.note.strip(),
            "geschiedenis": [],
        }

    def __repr__(self) -> str:
        return "NewTalk(…)"


@dataclass(slots=True)
class NewAgreement:
    who: Who = field(default_factory=Who)
    what: str = ""
    due: date | None = None
    follow_up: date | None = None
    status: str = "open"

    def validate(self, today: date) -> None:
        """Refuse what cannot be right: an open agreement is not overdue the moment it is made."""
        self.who.validate("who")
        self.what = text_field("what", self.what, "wat er is afgesproken", required=True, kind="line")
        if self.status not in AGREEMENT_STATUSES:
            raise ValidationError("status", "Kies open, gedaan of vervallen.")
        if self.status == "open":
            if self.due is not None and self.due < today:
                raise ValidationError("due", DUE_PAST.format(day=_dmy(self.due)))
            if self.follow_up is not None and self.follow_up < today:
                raise ValidationError("follow_up", FOLLOW_UP_PAST.format(day=_dmy(self.follow_up)))

    def concerns(self) -> list[Concern]:
        """Possible but unusual: the worker confirms before it is saved. Following up before the
        deadline is usual (a check-in halfway); after it, it may be a mix-up of the two dates."""
        if self.due is not None and self.follow_up is not None and self.follow_up > self.due and self.status == "open":
            return [Concern("follow_up", FOLLOW_UP_AFTER_DUE.format(follow=_dmy(self.follow_up), due=_dmy(self.due)))]
        return []

    def payload(self, talk_id: str | None = None) -> JsonObject:
        return {
            "wie": self.who.to_dict(),
            "wat": self.what.strip(),
            "uiterlijk": iso(self.due),
            "opvolgen": iso(self.follow_up),
            "status": self.status,
            "gesprek": talk_id,
            "geschiedenis": [],
        }

    def __repr__(self) -> str:
        return "NewAgreement(…)"


@dataclass(slots=True)
class NewScore:
    domain: str
    score: int
    on: date
    reason: str = ""

    def validate(self, today: date) -> None:
        if self.domain not in LEEFDOMEIN_CODES:
            raise ValidationError("domain", "Onbekend leefdomein.")
        if self.score not in SCORES:
            raise ValidationError("score", "Een score is 1 tot en met 5.")
        if self.on > today:
            raise ValidationError("on", "De datum van een score ligt niet in de toekomst.")
        self.reason = text_field("reason", self.reason, "een reden", kind="line")

    def payload(self, talk_id: str | None = None) -> JsonObject:
        return {"domein": self.domain, "score": self.score, "datum": self.on.isoformat(),
                "reden": self.reason.strip(), "gesprek": talk_id}

    def __repr__(self) -> str:
        return f"NewScore({self.domain!r}, {self.score})"


# -- two versions of one text (a conflict) ---------------------------------------

# The line the note dialog puts between a colleague's text and the worker's own when
# the colleague saved first (screens/dossier/talks.py). A text that still holds it is
# two versions, not one: it is never saved as the official record.
MERGE_MARK = "--- jouw tekst, nog niet opgeslagen ---"
UNMERGED = (
    f"Hier staan nog twee versies. Maak er één tekst van en haal de regel '{MERGE_MARK}' weg. "
    "Daarna kun je opslaan."
)


def has_merge_mark(text: str) -> bool:
    """True when ``text`` still holds the line between two versions (``MERGE_MARK``)."""
    return any(line.strip() == MERGE_MARK for line in text.splitlines())


def refuse_unmerged(texts: Mapping[str, object]) -> None:
    """A ValidationError on the first field whose text still holds two versions."""
    for key, value in texts.items():
        if isinstance(value, str) and has_merge_mark(value):
            raise ValidationError(key, UNMERGED)


# -- the folded dossier -----------------------------------------------------------


@dataclass(slots=True)
class TimelineItem:
    """A talk or another entry in the Gesprekken tab, newest first."""

    id: str
    kind: str
    type: str  # TALK_TYPES code for talks, else the kind
    at: datetime  # local time, as the worker entered it (or when it was saved)
    by: str  # worker id
    version: int
    minutes: int | None
    participants: list[str]
    note: str
    payload: JsonObject = field(repr=False)
    history: list[Change] = field(default_factory=list, repr=False)

    @property
    def label(self) -> str:
        if self.kind == TALK:
            return TALK_TYPES.get(self.type, self.type)
        return OTHER_KIND_LABELS.get(self.kind, self.kind)

    @property
    def is_driegesprek(self) -> bool:
        return self.kind == TALK and self.type == "driegesprek"

    @property
    def editable(self) -> bool:
        return self.kind == TALK


@dataclass(slots=True)
class Agreement:
    id: str
    version: int
    who: Who
    what: str
    due: date | None
    follow_up: date | None
    status: str
    talk_id: str | None
    created_at: datetime
    by: str
    history: list[Change] = field(default_factory=list, repr=False)

    def is_due(self, today: date) -> bool:
        """Open and its deadline or follow-up date is today or past."""
        if self.status != "open":
            return False
        return any(d is not None and d <= today for d in (self.due, self.follow_up))

    def due_date(self) -> date | None:
        dates = [d for d in (self.follow_up, self.due) if d is not None]
        return min(dates) if dates else None

    def __repr__(self) -> str:
        return f"Agreement(id={self.id!r}, status={self.status!r})"


@dataclass(frozen=True, slots=True)
class Score:
    id: str
    domain: str
    score: int
    on: date
    reason: str
    by: str
    created_at: datetime

    def __repr__(self) -> str:
        return f"Score({self.domain!r}, {self.score}, {self.on})"


@dataclass(slots=True)
class Appointment:
    id: str
    on: date
    text: str
    done: bool

    def __repr__(self) -> str:
        return f"Appointment({self.on})"


@dataclass(slots=True)
class External:
    """An external professional involved with this student (Betrokkenen)."""

    id: str
    version: int
    name: str
    role: str
    organisation: str
    contact: str
    map_id: str | None
    since: date | None
    until: date | None

    def __repr__(self) -> str:
        return f"External(id={self.id!r})"


@dataclass(slots=True)
class Dossier:
    student_id: str
    timeline: list[TimelineItem]  # newest first
    agreements: list[Agreement]  # newest first
    scores: dict[str, list[Score]]  # per domain, oldest first
    consents: list[Consent]  # newest first
    appointments: list[Appointment]  # oldest first
    externals: list[External]
    question: str  # the latest hulpvraag
    sealed_count: int = 0  # entries added by colleagues not involved (for the Logboek)

    def open_agreements(self) -> list[Agreement]:
        return sorted(
            (a for a in self.agreements if a.status == "open"),
            key=lambda a: (a.due_date() or date.max, a.created_at),
        )

    def next_appointment(self, today: date) -> Appointment | None:
        upcoming = [a for a in self.appointments if a.on >= today and not a.done]
        return min(upcoming, key=lambda a: a.on) if upcoming else None

    def latest_scores(self) -> dict[str, Score]:
        return {d: s[-1] for d, s in self.scores.items() if s}

    def suggested_talk_type(self) -> str:
        """The kind a new talk starts as: the intake while the file has no talk yet (a walk-in
        at the spreekuur is not one), a vervolggesprek after."""
        return "vervolggesprek" if any(t.kind == TALK for t in self.timeline) else "intake"

    def talks(self, n: int | None = None) -> list[TimelineItem]:
        talks = [t for t in self.timeline if t.kind in (TALK, WALK_IN)]
        return talks if n is None else talks[:n]

    def active_consents(self, today: date) -> list[Consent]:
        return [c for c in self.consents if c.active(today)]

    def holding_consents(self, birth: date | None, today: date) -> list[Consent]:
        """The consents that hold today: active, and given by whom the age asks (a student's and a
        parents' consent for the same party together, from 12 to 16: ``jongerenteam.consent.holding``)."""
        holds = holding(self.consents, birth, today)
        return [c for c in self.consents if c.id in holds]

    def item(self, entry_id: str) -> TimelineItem | None:
        return next((t for t in self.timeline if t.id == entry_id), None)

    def agreement(self, entry_id: str) -> Agreement | None:
        return next((a for a in self.agreements if a.id == entry_id), None)

    def consent(self, entry_id: str) -> Consent | None:
        return next((c for c in self.consents if c.id == entry_id), None)

    def consent_warnings(self, birth: date | None, today: date) -> list[ConsentWarning]:
        return consent_warnings(self.consents, birth, today, self.externals)

    def __repr__(self) -> str:
        return f"Dossier(student_id={self.student_id!r}, entries={len(self.timeline)})"


def _local_moment(e: EntryView) -> datetime:
    """When an entry happened, as the worker knows it (naive local time)."""
    from storage.clock import local_time

    return local_time(e.created_at).replace(tzinfo=None)


def fold(student_id: str, entries: Iterable[EntryView]) -> Dossier:
    """Build the dossier from decrypted file entries (``storage.files.EntryView``)."""
    timeline: list[TimelineItem] = []
    agreements: list[Agreement] = []
    scores: dict[str, list[Score]] = {}
    consents: list[Consent] = []
    appointments: list[Appointment] = []
    externals: list[External] = []
    question, question_at = "", None
    # A driegesprek's next appointment: its own entry since this version, only
    # inside the talk in files written before (shown once either way).
    talk_next: list[Appointment] = []
    with_entry: set[str] = set()
    for e in entries:
        p = e.payload
        saved = _local_moment(e)
        if e.kind == AGREEMENT:
            agreements.append(Agreement(
                e.id, e.version, Who.from_dict(p.get("wie")), p.get("wat", ""), day(p.get("uiterlijk")),
                day(p.get("opvolgen")), p.get("status", "open"), p.get("gesprek"), saved, e.created_by,
                history(p),
            ))
        elif e.kind == SCORE:
            on = day(p.get("datum")) or saved.date()
            scores.setdefault(p.get("domein", ""), []).append(
                Score(e.id, p.get("domein", ""), int(p.get("score", 0)), on, p.get("reden", ""), e.created_by, saved)
            )
        elif e.kind == CONSENT:
            consents.append(Consent(
                e.id, e.version, ConsentWith.from_dict(p.get("met")), list(p.get("over", [ALL_DOMAINS])),
                p.get("doel", ""), p.get("gegeven_door", "student"), p.get("hoe", "mondeling"),
                day(p.get("datum")), day(p.get("geldig_tot")), day(p.get("ingetrokken_op")),
                p.get("gesprek"), e.created_by, history(p),
            ))
        elif e.kind == EXTERNAL:
            externals.append(External(
                e.id, e.version, p.get("naam", ""), p.get("rol", ""), p.get("organisatie", ""),
                p.get("contact", ""), p.get("kaart"), day(p.get("sinds")), day(p.get("tot")),
            ))
        elif e.kind == "checklist18":  # the 18+ checklist (jongerenteam.eighteen): its own screen
            continue
        elif e.kind == APPOINTMENT:
            planned = day(p.get("datum"))
            if planned is not None:
                appointments.append(Appointment(e.id, planned, p.get("tekst", ""), bool(p.get("klaar"))))
                if p.get("gesprek"):
                    with_entry.add(p["gesprek"])
        else:
            at = moment(p.get("moment")) or saved
            item = TimelineItem(
                e.id, e.kind, p.get("type", e.kind) if e.kind == TALK else e.kind, at, e.created_by, e.version,
                p.get("minuten"), list(p.get("deelnemers", [])), p.get("tekst", ""), p, history(p),
            )
            timeline.append(item)
            q = p.get("hulpvraag") or (p.get("reden") if e.kind == REFERRAL else "")
            if q and (question_at is None or at >= question_at):
                question, question_at = q, at
            nxt = p.get("volgende")
            if e.kind == TALK and nxt and (next_on := day(nxt.get("datum"))):
                talk_next.append(Appointment(e.id, next_on, nxt.get("tekst", ""), False))
    appointments += [a for a in talk_next if a.id not in with_entry]
    timeline.sort(key=lambda t: t.at, reverse=True)
    agreements.sort(key=lambda a: a.created_at, reverse=True)
    consents.sort(key=lambda c: (c.on or date.min), reverse=True)
    for series in scores.values():
        series.sort(key=lambda s: (s.on, s.created_at))
    appointments.sort(key=lambda a: a.on)
    return Dossier(student_id, timeline, agreements, scores, consents, appointments, externals, question)


