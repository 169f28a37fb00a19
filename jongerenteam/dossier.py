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

from dataclasses import dataclass, field
from datetime import date, datetime

from jongerenteam.catalogue import COACH_ROLES, LEEFDOMEIN_CODES, SCORES
from jongerenteam.domain import ValidationError, age_on
from jongerenteam.text import LIMITS, check_text, clean_block, clean_line

# -- entry kinds (FileEntry.kind) -------------------------------------------------

TALK = "talk"
AGREEMENT = "agreement"
SCORE = "score"
CONSENT = "consent"
EXTERNAL = "external"  # an external professional involved with the student
# Written by the spreekuur (jongerenteam.intake); shown in the timeline too.
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
}

AGREEMENT_STATUSES = {"open": "open", "gedaan": "gedaan", "vervallen": "vervallen"}
WHO_KINDS = {"student": "student", "coach": "studiecoach", "medewerker": "medewerker", "anders": "iemand anders"}

CONSENT_GIVERS = {"student": "de student", "ouders": "ouder(s)/verzorger(s)", "beide": "student en ouder(s)"}
CONSENT_HOW = {"mondeling": "mondeling", "schriftelijk": "schriftelijk"}
CONSENT_WITH_KINDS = {"rol": "rol", "organisatie": "organisatie", "professional": "professional"}
ALL_DOMAINS = "alles"
EXPIRY_WARNING_DAYS = 30

MAX_TEXT = LIMITS["note"]  # characters per free-text field: a long story, not a pasted book


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _text(field_name: str, value: str, label: str, *, required: bool = False, kind: str = "note") -> str:
    """Validate one free-text field (cleaned as input is: jongerenteam.text); return it cleaned."""
    value = clean_block(value) if kind == "note" else clean_line(value)
    if required and not value:
        raise ValidationError(field_name, f"Vul {label} in.")
    check_text(field_name, value, kind)
    return value


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

    def to_dict(self) -> dict:
        return {"soort": self.kind, "naam": self.name.strip(), "medewerker": self.worker_id}

    @classmethod
    def from_dict(cls, d: dict | None) -> "Who":
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

    def validate(self, today: date) -> None:
        if self.type not in TALK_TYPES:
            raise ValidationError("type", "Kies het soort gesprek.")
        if self.at is None:
            raise ValidationError("at", "Vul de datum van het gesprek in.")
        if self.at.date() > today:
            raise ValidationError("at", "Een gesprek dat nog moet komen is een afspraak; de datum ligt in de toekomst.")
        if self.minutes is not None and not 1 <= self.minutes <= 480:
            raise ValidationError("minutes", "Duur is een aantal minuten, van 1 tot 480.")
        self.note = _text("note", self.note, "een verslag", required=self.type != "driegesprek")
        self.participants = [clean_line(p) for p in self.participants]
        for p in self.participants:
            check_text("participants", p, "name")

    def payload(self) -> dict:
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

    def validate(self) -> None:
        self.who.validate("who")
        self.what = _text("what", self.what, "wat er is afgesproken", required=True, kind="line")
        if self.status not in AGREEMENT_STATUSES:
            raise ValidationError("status", "Kies open, gedaan of vervallen.")
        if self.due and self.follow_up and self.follow_up < self.due and self.status == "open":
            pass  # following up before the deadline is allowed (a check-in halfway)

    def payload(self, talk_id: str | None = None) -> dict:
        return {
            "wie": self.who.to_dict(),
            "wat": self.what.strip(),
            "uiterlijk": _iso(self.due),
            "opvolgen": _iso(self.follow_up),
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
        self.reason = _text("reason", self.reason, "een reden", kind="line")

    def payload(self, talk_id: str | None = None) -> dict:
        return {"domein": self.domain, "score": self.score, "datum": self.on.isoformat(),
                "reden": self.reason.strip(), "gesprek": talk_id}

    def __repr__(self) -> str:
        return f"NewScore({self.domain!r}, {self.score})"


@dataclass(slots=True)
class ConsentWith:
    """With whom information may be shared: a role, an organisation, a named professional."""

    kind: str = "rol"
    name: str = ""
    map_id: str | None = None  # a sociale-kaart entry, if chosen from it

    def to_dict(self) -> dict:
        return {"soort": self.kind, "naam": self.name.strip(), "kaart": self.map_id}

    @classmethod
    def from_dict(cls, d: dict | None) -> "ConsentWith":
        d = d or {}
        return cls(d.get("soort", "rol"), d.get("naam", ""), d.get("kaart"))


@dataclass(slots=True)
class NewConsent:
    with_: ConsentWith = field(default_factory=ConsentWith)
    about: list[str] = field(default_factory=lambda: [ALL_DOMAINS])
    purpose: str = ""
    given_by: str = "student"
    how: str = "mondeling"
    on: date | None = None
    valid_until: date | None = None

    def validate(self, today: date) -> None:
        if self.with_.kind not in CONSENT_WITH_KINDS:
            raise ValidationError("with", "Kies met wie: een rol, een organisatie of een professional.")
        self.with_.name = _text("with", self.with_.name, "met wie er gedeeld mag worden", required=True, kind="short")
        if not self.about:
            raise ValidationError("about", "Kies waarover: alles, of een of meer leefdomeinen.")
        if any(a != ALL_DOMAINS and a not in LEEFDOMEIN_CODES for a in self.about):
            raise ValidationError("about", "Onbekend leefdomein.")
        self.purpose = _text("purpose", self.purpose, "het doel", required=True, kind="line")
        if self.given_by not in CONSENT_GIVERS:
            raise ValidationError("given_by", "Kies wie toestemming gaf: student, ouders of beide.")
        if self.how not in CONSENT_HOW:
            raise ValidationError("how", "Kies mondeling of schriftelijk.")
        if self.on is None:
            raise ValidationError("on", "Vul de datum in waarop de toestemming is gegeven.")
        if self.on > today:
            raise ValidationError("on", "De toestemming kan niet in de toekomst gegeven zijn.")
        if self.valid_until is not None and self.valid_until < self.on:
            raise ValidationError("valid_until", "'Geldig tot' ligt voor de datum van de toestemming.")

    def payload(self, talk_id: str | None = None) -> dict:
        about = [ALL_DOMAINS] if ALL_DOMAINS in self.about else sorted(set(self.about))
        return {
            "met": self.with_.to_dict(),
            "over": about,
            "doel": self.purpose.strip(),
            "gegeven_door": self.given_by,
            "hoe": self.how,
            "datum": _iso(self.on),
            "geldig_tot": _iso(self.valid_until),
            "ingetrokken_op": None,
            "gesprek": talk_id,
            "geschiedenis": [],
        }

    def __repr__(self) -> str:
        return "NewConsent(…)"


@dataclass(slots=True)
class Driegesprek:
    """The first (or a later) talk of student, study coach and hulpverlener."""

    at: datetime | None = None
    minutes: int | None = None
    coach_name: str = ""
    coach_role: str = "studentcoach"
    workers: list[str] = field(default_factory=list)  # worker ids present
    others: list[str] = field(default_factory=list)  # e.g. "pleegmoeder"
    story: str = ""  # "Verhaal van de student", in the student's own words
    school_concerns: str = ""  # "Zorgen van school"
    question: str = ""  # "Hulpvraag"
    agreements: list[NewAgreement] = field(default_factory=list)
    consents: list[NewConsent] = field(default_factory=list)
    scores: list[NewScore] = field(default_factory=list)
    next_date: date | None = None
    next_text: str = ""

    def validate(self, today: date) -> None:
        if self.at is None:
            raise ValidationError("at", "Vul de datum van het driegesprek in.")
        if self.at.date() > today:
            raise ValidationError("at", "De datum van het driegesprek ligt in de toekomst.")
        if self.minutes is not None and not 1 <= self.minutes <= 480:
            raise ValidationError("minutes", "Duur is een aantal minuten, van 1 tot 480.")
        if self.coach_role and self.coach_role not in COACH_ROLES:
            raise ValidationError("coach_role", "Kies de rol van de coach: SLB'er, LOB'er, mentor of studentcoach.")
        self.story = story = _text("story", self.story, "het verhaal van de student")
        self.school_concerns = concerns = _text("school_concerns", self.school_concerns, "de zorgen van school")
        self.question = question = _text("question", self.question, "de hulpvraag")
        self.coach_name = _text("coach_name", self.coach_name, "de naam van de coach", kind="name")
        self.others = [clean_line(o) for o in self.others]
        for other in self.others:
            check_text("others", other, "name")
        self.next_text = _text("next_text", self.next_text, "wat er is afgesproken", kind="line")
        if not (story or concerns or question):
            raise ValidationError("story", "Schrijf iets op: het verhaal van de student, de zorgen van school of de hulpvraag.")
        for i, a in enumerate(self.agreements):
            try:
                a.validate()
            except ValidationError as exc:
                raise ValidationError(f"agreement:{i}:{exc.field}", exc.message) from None
        for i, c in enumerate(self.consents):
            try:
                c.validate(today)
            except ValidationError as exc:
                raise ValidationError(f"consent:{i}:{exc.field}", exc.message) from None
        for s in self.scores:
            s.validate(today)
        if self.next_date is not None and self.next_date < today:
            raise ValidationError("next_date", "De volgende afspraak ligt in het verleden.")

    def talk_payload(self) -> dict:
        participants = ["student"]
        if self.coach_name.strip():
            participants.append(f"{self.coach_name.strip()} ({COACH_ROLES.get(self.coach_role, self.coach_role)})")
        participants += [o.strip() for o in self.others if o.strip()]
        return {
            "type": "driegesprek",
            "moment": self.at.isoformat(timespec="minutes") if self.at else None,
            "minuten": self.minutes,
            "deelnemers": participants,
            "medewerkers": list(self.workers),
            "coach": {"naam": self.coach_name.strip(), "rol": self.coach_role},
            "aanwezig": [o.strip() for o in self.others if o.strip()],
            "verhaal": self.story.strip(),
            "zorgen": self.school_concerns.strip(),
            "hulpvraag": self.question.strip(),
            "tekst": self.question.strip() or self.story.strip() or self.school_concerns.strip(),
            "volgende": {"datum": _iso(self.next_date), "tekst": self.next_text.strip()} if self.next_date else None,
            "geschiedenis": [],
        }

    def __repr__(self) -> str:
        return "Driegesprek(…)"


# -- consent rules (Jeugdwet / WGBO) -------------------------------------------------


def consent_needed_from(birth: date | None, on: date) -> str:
    """Who must consent on ``on``: 'ouders' under 12, 'beide' 12 to 16, 'student' from 16.

    Without a birth date the team must ask the student; the warning list
    says the birth date is missing.
    """
    if birth is None:
        return "student"
    age = age_on(birth, on)
    if age < 12:
        return "ouders"
    if age < 16:
        return "beide"
    return "student"


def giver_suffices(giver: str, needed: str) -> bool:
    if needed == "ouders":
        return giver in ("ouders", "beide")
    if needed == "beide":
        return giver == "beide"
    return giver in ("student", "beide")


def _birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February
        return date(birth.year + years, 3, 1)


NEEDED_LABELS = {
    "ouders": "de ouder(s)/verzorger(s)",
    "beide": "de student én de ouder(s)/verzorger(s)",
    "student": "de student zelf",
}


@dataclass(frozen=True, slots=True)
class ConsentWarning:
    consent_id: str | None  # None: about the register as a whole
    kind: str  # missing | giver | expiring | expired | turned_16 | turned_18 | no_birth_date
    message: str


# -- the folded dossier -----------------------------------------------------------


@dataclass(slots=True)
class Change:
    """One earlier version of an edited entry: the old values, when, by whom."""

    old: dict
    at: datetime | None
    by: str

    def __repr__(self) -> str:
        return "Change(…)"


def _history(payload: dict) -> list[Change]:
    return [
        Change(h.get("oud", {}), _moment(h.get("op")), h.get("door", ""))
        for h in payload.get("geschiedenis", [])
    ]


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
    payload: dict = field(repr=False)
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
class Consent:
    id: str
    version: int
    with_: ConsentWith
    about: list[str]
    purpose: str
    given_by: str
    how: str
    on: date | None
    valid_until: date | None
    withdrawn_on: date | None
    talk_id: str | None
    by: str
    history: list[Change] = field(default_factory=list, repr=False)

    def active(self, today: date) -> bool:
        if self.withdrawn_on is not None and self.withdrawn_on <= today:
            return False
        return not (self.valid_until is not None and self.valid_until < today)

    def covers(self, domain: str) -> bool:
        return ALL_DOMAINS in self.about or domain in self.about

    @property
    def about_text(self) -> str:
        from jongerenteam.catalogue import LEEFDOMEINEN

        if ALL_DOMAINS in self.about:
            return "alles"
        labels = {d.code: d.label.lower() for d in LEEFDOMEINEN}
        return ", ".join(labels.get(a, a) for a in self.about)

    def __repr__(self) -> str:
        return f"Consent(id={self.id!r})"


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

    def talks(self, n: int | None = None) -> list[TimelineItem]:
        talks = [t for t in self.timeline if t.kind in (TALK, WALK_IN)]
        return talks if n is None else talks[:n]

    def active_consents(self, today: date) -> list[Consent]:
        return [c for c in self.consents if c.active(today)]

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


def _same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def consent_covers_external(consent: Consent, external: External) -> bool:
    """Whether a consent names this external professional: by sociale-kaart entry,
    by name, by organisation or by role."""
    w = consent.with_
    if w.map_id and external.map_id and w.map_id == external.map_id:
        return True
    return any(w.name and value and _same(w.name, value) for value in (external.name, external.organisation, external.role))


def consent_warnings(
    consents: list[Consent], birth: date | None, today: date, externals: list[External] = ()
) -> list[ConsentWarning]:
    """What the Toestemming tab warns about, most urgent first.

    - an external professional on the file (Betrokkenen) without an active
      consent naming them;
    - no active consent at all;
    - a consent given by the wrong party for the student's age today;
    - a consent that expired, or expires within 30 days;
    - a consent given before the student turned 16 or 18: ask again.
    """
    out: list[ConsentWarning] = []
    if birth is None:
        out.append(ConsentWarning(None, "no_birth_date", "De geboortedatum ontbreekt: de app kan niet nagaan wie toestemming moet geven."))
    active = [c for c in consents if c.active(today)]
    for ext in externals:
        if ext.until is None and not any(consent_covers_external(c, ext) for c in active):
            out.append(ConsentWarning(None, "external", f"{ext.name} is betrokken, maar er is geen toestemming om met hem of haar te delen."))
    if not active:
        needed = consent_needed_from(birth, today)
        out.append(ConsentWarning(None, "missing", f"Er is geen geldige toestemming vastgelegd. Vraag die aan {NEEDED_LABELS[needed]}."))
    for c in consents:
        name = c.with_.name or "?"
        if c.withdrawn_on is not None and c.withdrawn_on <= today:
            continue
        if c.valid_until is not None and c.valid_until < today:
            out.append(ConsentWarning(c.id, "expired", f"Toestemming voor {name} is verlopen op {c.valid_until:%d-%m-%Y}."))
            continue
        if c.valid_until is not None and (c.valid_until - today).days <= EXPIRY_WARNING_DAYS:
            days = (c.valid_until - today).days
            when = "vandaag" if days == 0 else f"over {days} dag{'en' if days != 1 else ''}"
            out.append(ConsentWarning(c.id, "expiring", f"Toestemming voor {name} verloopt {when} ({c.valid_until:%d-%m-%Y})."))
        if birth is not None and c.on is not None:
            eighteen, sixteen = _birthday(birth, 18), _birthday(birth, 16)
            if c.on < eighteen <= today:
                out.append(ConsentWarning(c.id, "turned_18", f"De student is 18 geworden na de toestemming voor {name}: vraag het opnieuw aan de student."))
                continue
            if c.on < sixteen <= today and c.given_by != "student":
                out.append(ConsentWarning(c.id, "turned_16", f"De student is 16 geworden na de toestemming voor {name}: vanaf 16 beslist de student zelf; vraag het opnieuw."))
                continue
        needed = consent_needed_from(birth, today)
        if not giver_suffices(c.given_by, needed):
            out.append(ConsentWarning(
                c.id, "giver",
                f"Toestemming voor {name} is gegeven door {CONSENT_GIVERS[c.given_by]}; nu is die nodig van {NEEDED_LABELS[needed]}.",
            ))
    return out


def _local_moment(e) -> datetime:
    """When an entry happened, as the worker knows it (naive local time)."""
    from storage.clock import local_time

    return local_time(e.created_at).replace(tzinfo=None)


def fold(student_id: str, entries) -> Dossier:
    """Build the dossier from decrypted file entries (``storage.students.EntryView``)."""
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
                e.id, e.version, Who.from_dict(p.get("wie")), p.get("wat", ""), _date(p.get("uiterlijk")),
                _date(p.get("opvolgen")), p.get("status", "open"), p.get("gesprek"), saved, e.created_by,
                _history(p),
            ))
        elif e.kind == SCORE:
            on = _date(p.get("datum")) or saved.date()
            scores.setdefault(p.get("domein", ""), []).append(
                Score(e.id, p.get("domein", ""), int(p.get("score", 0)), on, p.get("reden", ""), e.created_by, saved)
            )
        elif e.kind == CONSENT:
            consents.append(Consent(
                e.id, e.version, ConsentWith.from_dict(p.get("met")), list(p.get("over", [ALL_DOMAINS])),
                p.get("doel", ""), p.get("gegeven_door", "student"), p.get("hoe", "mondeling"),
                _date(p.get("datum")), _date(p.get("geldig_tot")), _date(p.get("ingetrokken_op")),
                p.get("gesprek"), e.created_by, _history(p),
            ))
        elif e.kind == EXTERNAL:
            externals.append(External(
                e.id, e.version, p.get("naam", ""), p.get("rol", ""), p.get("organisatie", ""),
                p.get("contact", ""), p.get("kaart"), _date(p.get("sinds")), _date(p.get("tot")),
            ))
        elif e.kind == "checklist18":  # the 18+ checklist (jongerenteam.eighteen): its own screen
            continue
        elif e.kind == APPOINTMENT:
            on = _date(p.get("datum"))
            if on is not None:
                appointments.append(Appointment(e.id, on, p.get("tekst", ""), bool(p.get("klaar"))))
                if p.get("gesprek"):
                    with_entry.add(p["gesprek"])
        else:
            at = _moment(p.get("moment")) or saved
            item = TimelineItem(
                e.id, e.kind, p.get("type", e.kind) if e.kind == TALK else e.kind, at, e.created_by, e.version,
                p.get("minuten"), list(p.get("deelnemers", [])), p.get("tekst", ""), p, _history(p),
            )
            timeline.append(item)
            q = p.get("hulpvraag") or (p.get("reden") if e.kind == REFERRAL else "")
            if q and (question_at is None or at >= question_at):
                question, question_at = q, at
            nxt = p.get("volgende")
            if e.kind == TALK and nxt and _date(nxt.get("datum")):
                talk_next.append(Appointment(e.id, _date(nxt["datum"]), nxt.get("tekst", ""), False))
    appointments += [a for a in talk_next if a.id not in with_entry]
    timeline.sort(key=lambda t: t.at, reverse=True)
    agreements.sort(key=lambda a: a.created_at, reverse=True)
    consents.sort(key=lambda c: (c.on or date.min), reverse=True)
    for series in scores.values():
        series.sort(key=lambda s: (s.on, s.created_at))
    appointments.sort(key=lambda a: a.on)
    return Dossier(student_id, timeline, agreements, scores, consents, appointments, externals, question)


# -- edits keep the earlier version ------------------------------------------------


def edited(payload: dict, changes: dict, *, by: str, at: datetime) -> dict:
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
