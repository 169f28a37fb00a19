"""The spreekuur: a student walks in or is registered, is found again, and shows on Vandaag.

The input types (``WalkIn``, ``Referral``) and the duplicate-student rule,
then ``SpreekuurService``: registering (walk-in, anonymous walk-in,
aanmelding), finding (search, "Bedoel je …?"), the day (``today`` for
Vandaag) and noodtoegang. What a student *tells* (the hulpvraag) and who
registered them with what reason is file-tier data: it goes into the
student's file as an entry. Screens: ``screens/home.py`` (Vandaag, search),
``screens/spreekuur.py``, ``screens/student.py``; store: ``storage/spreekuur.py``
and ``storage/students.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from rapidfuzz.distance import Levenshtein

from jongerenteam import throttle
from jongerenteam.catalogue import LEEFDOMEIN_CODES, REFERRERS, URGENCIES
from jongerenteam.dates import day_start, local_today
from jongerenteam.directory import StudentRecord
from jongerenteam.domain import (
    WAITING_STANDARD_DAYS,
    StudentDetails,
    ValidationError,
    contact_problem,
    days_until_18,
    validate_status,
    working_days_between,
)
from jongerenteam.dossier.model import AGREEMENT, APPOINTMENT, EMERGENCY_NOTE, REFERRAL, WALK_IN
from jongerenteam.search import fold
from jongerenteam.service import Service
from jongerenteam.text import check_document, check_text, clean_block, clean_line
from storage import clock, files, spreekuur, students
from storage.documents import JsonObject
from storage.errors import NotAllowed, Reason

if TYPE_CHECKING:
    from jongerenteam.session import Changes, TeamSession

# Kinds that show on "Vandaag" with a date: appointments, and agreements.
AGENDA_KINDS = (APPOINTMENT, AGREEMENT)


def text_problems(*fields: tuple[str, str, str]) -> list[ValidationError]:
    """``check_text`` of each (field, text, kind of limit), as a list of problems."""
    out: list[ValidationError] = []
    for name, value, kind in fields:
        try:
            check_text(name, value, kind)
        except ValidationError as exc:
            out.append(exc)
    return out


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
        """Clean the text, then refuse the first problem (``problems``)."""
        found = self.problems()
        if found:
            raise found[0]

    def problems(self) -> list[ValidationError]:
        """Clean the text, then every problem, one per field (a form shows them all)."""
        self.hulpvraag, self.next_text = clean_block(self.hulpvraag), clean_line(self.next_text)
        out = text_problems(("hulpvraag", self.hulpvraag, "note"), ("next_text", self.next_text, "line"))
        if any(c not in LEEFDOMEIN_CODES for c in self.leefdomeinen):
            out.append(ValidationError("leefdomeinen", "Onbekend leefdomein."))
        if self.referrer and self.referrer not in REFERRERS:
            out.append(ValidationError("referrer", "Kies wie de student verwijst."))
        if self.minutes is not None and not 1 <= self.minutes <= 480:
            out.append(ValidationError("minutes", "Duur is een aantal minuten, van 1 tot 480."))
        return out

    def payload(self) -> JsonObject:
        return {
            "tekst": self.hulpvraag,
            "hulpvraag": self.hulpvraag,
            "leefdomeinen": list(self.leefdomeinen),
            "verwijzer": self.referrer,
            "minuten": self.minutes,
        }

    def __repr__(self) -> str:
        return "WalkIn(…)"


# Typed as the first name of a walk-in: an anonymous walk-in (only its date, leefdomeinen and duration kept).
ANONYMOUS_WORD = "anoniem"
REFERRAL_NAME_NEEDED = "Vul de voornaam van de student in: een aanmelding is altijd op naam."
REFERRAL_NOT_ANONYMOUS = (
    "Een aanmelding is altijd op naam: vul de voornaam van de student in. Wil de student anoniem blijven, "
    "registreer dan een anonieme inloop (ctrl+n, typ 'anoniem')."
)


def require_named_for_referral(details: StudentDetails) -> None:
    """An aanmelding is of a student with a name: an empty first name, or 'anoniem'
    (which only a walk-in knows), is refused, saying why."""
    first = details.first_name.strip()
    if not first:
        raise ValidationError("first_name", REFERRAL_NAME_NEEDED)
    if fold(first) == ANONYMOUS_WORD:
        raise ValidationError("first_name", REFERRAL_NOT_ANONYMOUS)


@dataclass(slots=True)
class Referral:
    """An aanmelding: a coach or other professional registers a student."""

    by_name: str = ""
    by_role: str = ""
    by_contact: str = ""
    reason: str = ""
    urgency: str = "gewoon"

    def validate(self) -> None:
        """Clean the text, then refuse the first problem (``problems``)."""
        found = self.problems()
        if found:
            raise found[0]

    def problems(self) -> list[ValidationError]:
        """Clean the text, then every problem, one per field (a form shows them all)."""
        self.by_name, self.by_role, self.by_contact = clean_line(self.by_name), clean_line(self.by_role), clean_line(self.by_contact)
        self.reason = clean_block(self.reason)
        out = text_problems(
            ("by_name", self.by_name, "name"), ("by_role", self.by_role, "short"),
            ("by_contact", self.by_contact, "short"), ("reason", self.reason, "note"),
        )
        if not self.by_name.strip():
            out.append(ValidationError("by_name", "Vul in wie de student aanmeldt."))
        if not self.reason.strip():
            out.append(ValidationError("reason", "Vul de reden van de aanmelding in."))
        if self.urgency not in URGENCIES:
            out.append(ValidationError("urgency", "Kies gewoon, snel of acuut."))
        value = self.by_contact.strip()
        if value:
            problem = contact_problem("email" if "@" in value else "telefoon", value)
            if problem:
                out.append(ValidationError("by_contact", problem))
        return out

    def payload(self) -> JsonObject:
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


def coach_role_of(role: str) -> str | None:
    """The COACH_ROLES code a referrer's role names ("SLB'er", "studiecoach/SLB'er", "mentor"), if any."""
    words = fold(role)
    for code, marks in (("studentcoach", ("studiecoach", "studentcoach", "coach")), ("slb", ("slb",)),
                        ("lob", ("lob",)), ("mentor", ("mentor",))):
        if any(m in words for m in marks):
            return code
    return None


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
    """Same student number, or a similar name unless both birth dates are known and differ.

    A walk-in often gives only her name: a similar name without a birth date
    (on either side) is asked about too. Two students with the same name but
    different known birth dates are two people.
    """
    number = new.student_number.strip()
    if number and number == existing.student_number.strip():
        return True
    if new.birth_date is not None and existing.birth_date is not None and new.birth_date != existing.birth_date:
        return False
    return similar_names(new, existing)


# What the walk-in and aanmelding forms ask about a student that a visit or a referral of a
# student the team already knows does not write into her record (her file gets the
# hulpvraag, the leefdomeinen or the reason; her details stay as they are).
NOT_CARRIED_FIELDS = (
    "student_number", "programme", "level", "year", "municipality_code", "municipality_text",
    "contact_preference", "contact_value",
)


def not_carried(typed: StudentDetails, known: StudentDetails) -> list[str]:
    """The fields typed on the form that the known student's record does not hold as typed:
    not saved when the visit or referral goes to her file, so the screen names them."""
    out: list[str] = []
    for name in NOT_CARRIED_FIELDS:
        value, held = getattr(typed, name), getattr(known, name)
        if value in ("", None):
            continue
        if isinstance(value, str) and isinstance(held, str) and fold(value.strip()) == fold(held.strip()):
            continue
        if value != held:
            out.append(name)
    return out


# -- Vandaag ----------------------------------------------------------------------------


@dataclass(slots=True)
class CaseRow:
    record: StudentRecord
    next_date: date | None
    next_text: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class AnonymousWalkIn:
    """An anonymous walk-in not linked to a student yet, as Vandaag shows it."""

    id: str
    at: datetime  # local time
    leefdomeinen: tuple[str, ...] = ()
    minutes: int | None = None
    by: str = ""  # initials of the worker who registered it


@dataclass(slots=True)
class QueueRow:
    at: datetime  # local time
    record: StudentRecord | None  # None: an anonymous walk-in
    by: str  # initials
    anonymous: AnonymousWalkIn | None = None  # not linked yet: Enter links it to a student


@dataclass(slots=True)
class WaitingRow:
    record: StudentRecord
    since: date
    working_days: int
    urgency: str

    @property
    def too_long(self) -> bool:
        return self.working_days > WAITING_STANDARD_DAYS


@dataclass(slots=True)
class DueRow:
    record: StudentRecord
    due: date
    text: str = field(repr=False)
    handover_id: str | None = None  # a handover to answer or to follow up (opens its card)
    repair: bool = False  # a coördinator's: the contact person left the team; Enter names a new one


@dataclass(slots=True)
class TurningRow:
    record: StudentRecord
    days: int


@dataclass(slots=True)
class NoticeRow:
    record: StudentRecord | None
    at: datetime
    by: str
    coordinator: str
    reason: str


@dataclass(slots=True)
class Today:
    caseload: list[CaseRow]
    queue: list[QueueRow]
    waiting: list[WaitingRow]
    due: list[DueRow]
    turning_18: list[TurningRow]
    notices: list[NoticeRow]


APPOINTMENT_LINGER_DAYS = 7
DUPLICATE_CANDIDATES = 1000  # search hits per query looked at for "Bedoel je …?"
EIGHTEEN_WINDOW_DAYS = 183  # "turns 18 within 6 months" (the 18+ radar)
EMERGENCY_REASONS = {
    "veiligheid": "acute zorg om de veiligheid van de student of anderen",
    "afwezig": "contactpersoon afwezig en de student heeft nu hulp nodig",
    "wettelijk": "wettelijke plicht of meldcode",
}


class SpreekuurService(Service):
    """Registering, finding and the day of one worker."""

    def __init__(self, session: TeamSession) -> None:
        super().__init__(session)
        # The appointments and werkafspraken of involved students, per student,
        # for Vandaag (read from their files; dropped when a student changes).
        self._agenda: dict[str, list[spreekuur.AgendaItem]] = {}
        self._programmes: list[str] | None = None
        # Linked anonymous walk-ins: contact id -> (student id, file entry id).
        # A link never changes once made, so each is read (decrypted) once.
        self._linked_entries: dict[str, tuple[str | None, str | None]] = {}

    def changed(self, changes: Changes) -> None:
        if changes.everything or changes.workers:
            self._agenda = {}
        if changes.everything:  # a restore may bring a walk-in back from before its link
            self._linked_entries = {}
        for sid in changes.students:
            self._agenda.pop(sid, None)
        if changes.students or changes.team or changes.everything:
            self._programmes = None

    def forget(self) -> None:
        self._agenda = {}
        self._programmes = None
        self._linked_entries = {}

    # -- finding --------------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[StudentRecord]:
        """Students matching every word of the query, in phone-book order."""
        return self.directory.search(query, limit)

    def prepare_search(self) -> int:
        """Build the search index now (the app does, in a thread, once Vandaag is drawn);
        else the first search builds it. Returns the number of students indexed."""
        return self.directory.prepare_search()

    def search_ready(self) -> bool:
        """Whether ``search`` answers at once; else it first builds the index (``prepare_search``)."""
        return self.directory.search_ready

    def all_students(self) -> list[StudentRecord]:
        """Every student in phone-book order."""
        return self.directory.all_sorted()

    def find_duplicates(self, details: StudentDetails) -> list[StudentRecord]:
        """Students that may be the same person (``is_possible_duplicate``): the same
        student number, or a similar name with the same or an unknown birth date.

        The store is asked first (``sync``): a colleague in another window may
        have registered the same student a moment ago. Candidates then come
        from the search index (the typed name, forgiving small typos; the
        student number; the birth date as dd-mm-yyyy), so a save at 50,000
        students does not compare every directory entry. Every student of
        the team counts, also one the worker is not involved with.
        """
        self.session.sync()
        candidates: set[str] = set()
        queries = [details.student_number.strip(), f"{details.first_name} {details.last_name}".strip()]
        b = details.birth_date
        if b is not None:
            queries.append(f"{b.day:02d}-{b.month:02d}-{b.year}")
        for query in queries:
            if query:
                candidates.update(r.id for r in self.directory.search(query, limit=DUPLICATE_CANDIDATES))
        if details.first_name.strip() and details.last_name.strip():
            # The search forgives no typo in a word under four letters ("Samm" for Sam):
            # the last name alone brings those candidates too.
            candidates.update(r.id for r in self.directory.search(details.last_name, limit=DUPLICATE_CANDIDATES))
        hits = [
            self.students[i] for i in candidates
            if i in self.students and is_possible_duplicate(details, self.students[i].details)
        ]
        return sorted(hits, key=lambda r: r.sort_key)

    def programmes(self) -> list[str]:
        """Programme names the team has entered, for autocomplete (kept until something changes)."""
        if self._programmes is None:
            names = {r.details.programme.strip() for r in self.directory.records() if r.details.programme.strip()}
            names.update(self.session.team.programme_contacts())
            self._programmes = sorted(names, key=fold)
        return self._programmes

    def suggest_contact(self, programme: str) -> str | None:
        """The vaste contactpersoon for this programme (case-insensitive), if set and active."""
        wanted = fold(programme.strip())
        for name, worker_id in self.session.team.programme_contacts().items():
            w = self.workers.get(worker_id)
            if fold(name) == wanted and w is not None and w.active:
                return worker_id
        return None

    # -- registering ----------------------------------------------------------------------------

    def register_student(
        self,
        details: StudentDetails,
        *,
        status: str = "aangemeld",
        contact_worker_id: str | None = None,
        today: date | None = None,
        entries: tuple[tuple[str, JsonObject], ...] = (),
    ) -> StudentRecord:
        """A new student, with ``entries`` for the file and the statistics, in one transaction."""
        details.validate(today)
        validate_status(status)
        for _, payload in entries:
            check_document(payload)
        data = details.to_dict()
        with self.unit():
            row = students.add_student(
                self.store, self.keys, data, status=status,
                contact_worker_id=contact_worker_id or self.worker_id, entries=entries,
            )
            kinds = {kind for kind, _ in entries}
            self.session.report.note_new(
                row.id, data, status, on=today or local_today(), walk_in=WALK_IN in kinds,
                referral=REFERRAL in kinds,
            )
        # The unit's sync read the change feed, which names the new student, and put
        # her in the directory as stored: not read again. (Inside an outer unit
        # there was no sync yet: then she is read here.)
        record = self.directory.get(row.id)
        return record if record is not None else self.session.record(row.id)

    def register_walk_in(
        self,
        details: StudentDetails,
        visit: WalkIn,
        *,
        existing: StudentRecord | None = None,
        today: date | None = None,
    ) -> StudentRecord:
        """A named walk-in: a new student (status lopend) or a visit of a known one.

        The hulpvraag goes into the file. A known student the worker is not
        involved with gets the visit appended without the worker reading
        the file. A student waiting for a first talk now has had one. All of
        it in one transaction.
        """
        visit.validate()
        today = today or local_today()
        entries = [(WALK_IN, visit.payload())]
        if visit.next_date is not None:
            entries.append((APPOINTMENT, {"datum": visit.next_date.isoformat(), "tekst": visit.next_text or "vervolggesprek"}))
        if existing is None:
            details.leefdomeinen = sorted(set(details.leefdomeinen) | set(visit.leefdomeinen))
            details.referrer = details.referrer or visit.referrer
            return self.register_student(details, status="lopend", today=today, entries=tuple(entries))
        with self.unit():
            self._known_walks_in(existing.id, visit, entries)
            self.session.report.note(existing.id, on=today, walk_in=True)
        return self.session.record(existing.id)

    def _known_walks_in(self, student_id: str, visit: WalkIn, entries: list[tuple[str, JsonObject]]) -> None:
        """A student the team knows walks in: a first talk ends her wait; ``entries`` go into her
        file (appended without reading it). Inside the caller's unit."""
        # Read the student again: a colleague may have saved since the list was loaded.
        record = self.session.record(student_id)
        if record.status in ("wacht", "aangemeld"):
            d = record.details
            d.leefdomeinen = sorted(set(d.leefdomeinen) | set(visit.leefdomeinen))
            students.update_student(self.store, self.keys, record.id, d.to_dict(), record.version, status="lopend")
        for kind, payload in entries:
            self.session.dossier.add_entry(record.id, kind, payload)

    def register_anonymous(self, leefdomeinen: list[str], minutes: int | None) -> str:
        """An anonymous walk-in: date, leefdomeinen and duration only, and a random
        key for the cell key method of the figures (jongerenteam/report/cellkey.py)."""
        from jongerenteam.report.cellkey import new_record_key

        WalkIn(leefdomeinen=leefdomeinen, minutes=minutes).validate()
        with self.unit():
            return spreekuur.add_anonymous_contact(
                self.store, self.keys,
                {"leefdomeinen": sorted(leefdomeinen), "minuten": minutes, "rk": new_record_key()},
            )

    # -- the anonymous walk-in who gives her name later -------------------------------------

    def link_anonymous(
        self,
        contact_id: str,
        details: StudentDetails | None = None,
        visit: WalkIn | None = None,
        *,
        existing: StudentRecord | None = None,
    ) -> StudentRecord:
        """An anonymous walk-in gives her name: link it to a new student (``details``)
        or to one the team knows (``existing``).

        The walk-in keeps its moment: it becomes an "inloop" entry in her file
        dated then (not today), with its leefdomeinen and duration and what
        ``visit`` adds (a hulpvraag, a follow-up). The figures count it once,
        as her walk-in on that day: the anonymous walk-in is marked linked and
        left out of the anonymous count. The link itself is sealed
        (``storage.spreekuur.link_anonymous_contact``); the audit holds codes
        only. A walk-in already linked is refused (``NotAllowed``
        ALREADY_LINKED), also when a colleague linked it a moment ago: then
        nothing is saved. A known student the worker is not involved with
        gets the entry appended without the worker reading the file.
        """
        new = details if existing is None else None
        if existing is None and new is None:
            raise ValueError("a new student's details or an existing student")
        visit = visit or WalkIn()
        visit.validate()
        contact = spreekuur.anonymous_contact(self.store, self.keys, contact_id)
        if contact.linked:
            raise NotAllowed(f"anonymous_contacts/{contact_id}", reason=Reason.ALREADY_LINKED)
        at = clock.local_time(contact.at)
        on = at.date()
        visit.leefdomeinen = sorted(set(visit.leefdomeinen) | set(contact.data.get("leefdomeinen") or []))
        if visit.minutes is None and isinstance(contact.data.get("minuten"), int):
            visit.minutes = contact.data["minuten"]
        payload = {**visit.payload(), "moment": at.replace(tzinfo=None).isoformat(timespec="minutes"), "was_anoniem": True}
        check_document(payload)
        later: list[tuple[str, JsonObject]] = []
        if visit.next_date is not None:
            later.append((APPOINTMENT, {"datum": visit.next_date.isoformat(), "tekst": visit.next_text or "vervolggesprek"}))
        with self.unit():
            if new is not None:
                new.leefdomeinen = sorted(set(new.leefdomeinen) | set(visit.leefdomeinen))
                new.referrer = new.referrer or visit.referrer
                # Registered on the day she first walked in: that is when the team met her.
                record = self.register_student(new, status="lopend", today=on, entries=tuple(later))
                status_day = on
            elif existing is not None:
                self._known_walks_in(existing.id, visit, later)
                record = self.session.record(existing.id)
                status_day = local_today()
            else:
                raise ValueError("a new student's details or an existing student")
            entry_id = students.add_entry(self.store, self.keys, record.id, WALK_IN, payload)
            spreekuur.link_anonymous_contact(self.store, self.keys, contact_id, record.id, entry_id)
            self.session.report.note(record.id, on=status_day, walk_in=on)
        self._linked_entries.pop(contact_id, None)
        return self.session.record(record.id)

    def register_referral(
        self,
        details: StudentDetails,
        referral: Referral,
        *,
        contact_worker_id: str,
        today: date | None = None,
    ) -> StudentRecord:
        """An aanmelding: status 'wacht op eerste gesprek', the waiting clock starts."""
        require_named_for_referral(details)
        referral.validate()
        today = today or local_today()
        details.urgency = referral.urgency
        details.waiting_since = today
        role = coach_role_of(referral.by_role)
        if role is not None and not details.coach_name.strip():
            # The studiecoach registers the student: the file knows its coach from the start.
            details.coach_name, details.coach_role = referral.by_name, role
        return self.register_student(
            details, status="wacht", contact_worker_id=contact_worker_id, today=today,
            entries=((REFERRAL, referral.payload()),),
        )

    def add_referral_to_existing(
        self, record: StudentRecord, referral: Referral, *, today: date | None = None
    ) -> StudentRecord:
        """An aanmelding for a student the team already knows.

        The reason goes into the file. A student whose case was closed or
        handed over (or only registered) waits again for a first talk; a
        running case keeps its status and contact person.
        """
        referral.validate()
        today = today or local_today()
        with self.unit():
            current = self.session.record(record.id)
            if current.status in ("afgesloten", "overgedragen", "aangemeld"):
                d = current.details
                d.urgency, d.waiting_since = referral.urgency, today
                students.update_student(self.store, self.keys, current.id, d.to_dict(), current.version, status="wacht")
            self.session.dossier.add_entry(current.id, REFERRAL, referral.payload())
            self.session.report.note(current.id, on=today, referral=True)
        return self.session.record(record.id)

    # -- the day -------------------------------------------------------------------------------------

    def today(self, day: date | None = None) -> Today:
        """Everything the Vandaag screen shows, for this worker."""
        day = day or local_today()
        mine = set(self.session.involved) | {r.id for r in self.directory.with_contact(self.worker_id)}
        items = self._agenda_items(mine)
        upcoming: dict[str, tuple[date, str]] = {}
        due: list[DueRow] = []
        for item in items:
            if item.kind == "agreement":
                self._agreement_due(item, day, due)
                continue
            try:
                when = date.fromisoformat(item.payload.get("datum", ""))
            except ValueError:
                continue
            if item.payload.get("klaar"):
                continue
            text = item.payload.get("tekst", "")
            rec = self.students.get(item.student_id)
            if rec is None:
                continue
            # An appointment stays on the list for a week after its day (time to
            # record the talk); nothing marks it done, so older ones drop off.
            if day - timedelta(days=APPOINTMENT_LINGER_DAYS) <= when <= day:
                due.append(DueRow(rec, when, text))
            if when >= day and (item.student_id not in upcoming or when < upcoming[item.student_id][0]):
                upcoming[item.student_id] = (when, text)
        caseload = []
        turning = []
        for sid in mine:
            rec = self.students.get(sid)
            if rec is None or rec.status in ("afgesloten", "overgedragen"):
                continue
            nxt = upcoming.get(sid)
            caseload.append(CaseRow(rec, nxt[0] if nxt else None, nxt[1] if nxt else ""))
            b = rec.details.birth_date
            if b is not None:
                left = days_until_18(b, day)
                if left is not None and left <= EIGHTEEN_WINDOW_DAYS:
                    turning.append(TurningRow(rec, left))
        handovers = self.session.handover
        for row, when, text in handovers.handover_follow_ups(day):
            if row.student_id in self.students:
                due.append(DueRow(self.students[row.student_id], when, text, row.id))
        for view in handovers.incoming_handovers():
            rec = self.students.get(view.row.student_id)
            if rec is not None:
                when = clock.local_time(view.row.created_at).date()
                due.append(DueRow(rec, when, f"overdracht: accepteren of afwijzen (van {view.from_name})", view.row.id))
        for view, line in handovers.answered_for_me(day):
            rec = self.students.get(view.row.student_id)
            if rec is not None:
                due.append(DueRow(rec, day, line, view.row.id))
        for view in handovers.held_for_me():
            rec = self.students.get(view.row.student_id)
            if rec is not None:
                when = clock.local_time(view.row.created_at).date()
                due.append(DueRow(rec, when, "toestemming vragen: je bent nu contactpersoon; het dossier gaat open na toestemming",
                                  view.row.id))
        for rec in handovers.without_active_contact():
            due.append(DueRow(rec, day, "geen contactpersoon meer in het team: kies een nieuwe", repair=True))
        for view, by in handovers.proposed_for_me():
            rec = self.students.get(view.row.student_id)
            if rec is not None:
                when = clock.local_time(view.row.created_at).date()
                due.append(DueRow(rec, when, f"overdracht voorgesteld door {by} (coördinator): lees de reden", view.row.id))
        caseload.sort(key=lambda c: (c.next_date or date.max, c.record.sort_key))
        waiting = []
        for rec in self.directory.with_status("wacht"):
            since = rec.details.waiting_since or day
            waiting.append(WaitingRow(rec, since, working_days_between(since, day), rec.details.urgency or "gewoon"))
        urgency_order = {"acuut": 0, "snel": 1, "gewoon": 2}
        waiting.sort(key=lambda w: (urgency_order.get(w.urgency, 3), -w.working_days, w.record.sort_key))
        return Today(
            caseload=caseload,
            queue=self.walk_ins_on(day),
            waiting=waiting,
            due=sorted(due, key=lambda d: (d.due, d.record.sort_key)),
            turning_18=sorted(turning, key=lambda t: t.days),
            notices=self.emergency_notices(day - timedelta(days=30)),
        )

    def _agreement_due(self, item: spreekuur.AgendaItem, day: date, due: list[DueRow]) -> None:
        """An open agreement past its deadline or follow-up date, for the contact person."""
        p = item.payload
        rec = self.students.get(item.student_id)
        if rec is None or rec.contact_worker_id != self.worker_id or p.get("status", "open") != "open":
            return
        dates = [date.fromisoformat(x) for x in (p.get("uiterlijk"), p.get("opvolgen")) if x]
        if dates and min(dates) <= day:
            due.append(DueRow(rec, min(dates), f"werkafspraak: {p.get('wat', '')}"))

    def _agenda_items(self, student_ids: set[str]) -> list[spreekuur.AgendaItem]:
        """The agenda entries of these students' files; only students not read since their last change are read."""
        readable = student_ids & self.session.involved
        missing = readable - set(self._agenda)
        if missing:
            found: dict[str, list[spreekuur.AgendaItem]] = {sid: [] for sid in missing}
            for item in spreekuur.agenda(self.store, self.keys, missing, AGENDA_KINDS):
                found.setdefault(item.student_id, []).append(item)
            self._agenda.update(found)
        return [item for sid in readable for item in self._agenda.get(sid, [])]

    def walk_ins_on(self, day: date) -> list[QueueRow]:
        """The spreekuur of one day: named and anonymous walk-ins, in order."""
        start = day_start(day)
        end = day_start(day + timedelta(days=1))
        initials = {wid: w.initials for wid, w in self.workers.items()}
        # A walk-in linked later is shown at its own moment, under her name; the
        # file entry it became (written when it was linked) is not a walk-in of that day.
        for view in spreekuur.linked_contacts(self.store, self.keys, self._linked_entries.keys()):
            self._linked_entries[view.id] = (view.student_id, view.entry_id)
        from_links = {entry for _, entry in self._linked_entries.values()}
        rows = [
            QueueRow(clock.local_time(e.created_at), self.students.get(e.student_id), initials.get(e.created_by, "?"))
            for e in spreekuur.entries_of_kind(self.store, WALK_IN, start, end)
            if e.student_id in self.students and e.id not in from_links
        ]
        for a in spreekuur.anonymous_contacts(self.store, self.keys, start, end):
            by = initials.get(a.created_by, "?")
            if not a.linked:
                walk_in = self._anonymous(a, by)
                rows.append(QueueRow(walk_in.at, None, by, walk_in))
            elif a.student_id in self.students:  # (an erased student's walk-in leaves the list, as a named one does)
                rows.append(QueueRow(clock.local_time(a.at), self.students[a.student_id or ""], by))
        return sorted(rows, key=lambda r: r.at)

    @staticmethod
    def _anonymous(view: spreekuur.AnonymousView, by: str) -> AnonymousWalkIn:
        minutes = view.data.get("minuten")
        return AnonymousWalkIn(view.id, clock.local_time(view.at), tuple(view.data.get("leefdomeinen") or ()),
                               minutes if isinstance(minutes, int) else None, by)

    def unlinked_anonymous(self, days: int = 30, day: date | None = None) -> list[AnonymousWalkIn]:
        """The anonymous walk-ins of the last ``days`` days not linked to a student, newest first
        (to link one when she gives her name on a later day)."""
        day = day or local_today()
        initials = {wid: w.initials for wid, w in self.workers.items()}
        views = spreekuur.anonymous_contacts(self.store, self.keys, day_start(day - timedelta(days=days)),
                                             day_start(day + timedelta(days=1)))
        return [self._anonymous(v, initials.get(v.created_by, "?")) for v in reversed(views) if not v.linked]

    def emergency_notices(self, since: date) -> list[NoticeRow]:
        return [
            NoticeRow(
                self.students.get(n.student_id),
                clock.local_time(datetime.fromisoformat(n.at)),
                self.session.worker_name(n.by),
                self.session.worker_name(n.coordinator),
                EMERGENCY_REASONS.get(n.reason, n.reason),
            )
            for n in spreekuur.emergency_notices(self.store, self.worker_id, day_start(since))
        ]

    def emergency_read(
        self, student_id: str, coordinator_id: str, passphrase: str, reason: str, explanation: str
    ) -> list[files.EntryView]:
        """Noodtoegang: a coördinator's passphrase opens the escrow for one read.

        The reason code goes into the audit log; the explanation (free text,
        may name people) goes into the student's file, readable by those
        involved. The read and the note are one transaction.
        """
        if reason not in EMERGENCY_REASONS:
            raise NotAllowed("emergency", reason=Reason.REASON_NEEDED)
        explanation = clean_block(explanation)
        check_text("explanation", explanation, "note")
        coordinator = throttle.check_passphrase(self.store, coordinator_id, passphrase)
        escrow_private = spreekuur.require_escrow(coordinator)
        with self.unit():
            entries = students.read_file_via_escrow(
                self.store, self.keys, escrow_private, student_id,
                coordinator_id=coordinator_id, reason_code=reason,
            )
            del escrow_private, coordinator
            students.add_entry(
                self.store, self.keys, student_id, EMERGENCY_NOTE,
                {"tekst": f"Noodtoegang: {EMERGENCY_REASONS[reason]}. {explanation}".strip(), "reden": reason},
            )
        return entries
