"""Use cases of an unlocked worker: the directory, registering, the file.

A ``TeamSession`` is what a worker holds between unlock and lock: their
keys, the decrypted directory and its search index. ``lock()`` drops all
of it. Screens and the CLI call these methods; nothing here knows Textual.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import orjson

from jongerenteam import intake
from jongerenteam.casework import CaseworkMixin
from jongerenteam.domain import (
    WAITING_STANDARD_DAYS,
    StudentDetails,
    days_until_18,
    validate_status,
    working_days_between,
)
from jongerenteam.eighteen import EighteenMixin
from jongerenteam.handovers import HandoverMixin
from jongerenteam.reports import ReportMixin
from jongerenteam.rights import RightsMixin
from jongerenteam.search import DirectoryIndex, fold
from jongerenteam.text import check_document
from storage import audit, clock, spreekuur, students, team
from storage.crypto import open_sealed, seal_to
from storage.errors import Locked, NotAllowed
from storage.keyring import Keys
from storage.keyslots import KdfParams
from storage.models import Worker
from storage.store import Store


class StudentRecord:
    """A student as the directory shows it (no file-tier data).

    ``details`` is built from the decrypted document on first use: at unlock
    only the search key is needed for every student, and the screens show a
    few hundred at most.
    """

    __slots__ = ("id", "version", "status", "contact_worker_id", "_data", "_details")

    def __init__(
        self,
        id: str,
        version: int,
        status: str,
        contact_worker_id: str | None,
        data: dict | None = None,
        details: StudentDetails | None = None,
    ) -> None:
        self.id = id
        self.version = version
        self.status = status
        self.contact_worker_id = contact_worker_id
        self._data = data
        self._details = details

    @property
    def details(self) -> StudentDetails:
        if self._details is None:
            self._details = StudentDetails.from_dict(self._data or {})
            self._data = None
        return self._details

    @property
    def search_key(self) -> str:
        if self._details is None and self._data is not None:
            d = self._data
            birth = d.get("birth_date") or ""
            if birth:  # ISO yyyy-mm-dd -> 03-04-2008 and 3-4-2008, as typed in the spreekuur
                day, month = birth[8:10], birth[5:7]
                birth = f"{day}-{month}-{birth[0:4]} {day.lstrip('0')}-{month.lstrip('0')}-{birth[0:4]}"
            return f"{d.get('first_name', '')} {d.get('last_name', '')} {d.get('student_number', '')} {birth}"
        d = self.details
        b = d.birth_date
        birth = f"{b.day:02d}-{b.month:02d}-{b.year} {b.day}-{b.month}-{b.year}" if b else ""
        return f"{d.first_name} {d.last_name} {d.student_number} {birth}"

    @property
    def sort_key(self) -> tuple[str, str]:
        """Dutch phone-book order: "de Vries" under V, accents ignored."""
        if self._details is None and self._data is not None:
            first, last = self._data.get("first_name", ""), self._data.get("last_name", "")
        else:
            first, last = self.details.first_name, self.details.last_name
        return sort_name(last), fold(first)

    def __repr__(self) -> str:  # never the decrypted values
        return f"StudentRecord(id={self.id!r}, version={self.version})"


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while the directory is built.

    Tens of thousands of new dicts and records would trigger it over and
    over, each pass walking everything made so far (measured at 50,000
    students: 1.26 s instead of 0.87 s; docs/performance.md). Only the
    timing changes; anything cyclic made meanwhile is collected later.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _record(row: students.DirectoryRow) -> StudentRecord:
    return StudentRecord(row.id, row.version, row.status, row.contact_worker_id, row.data)


TUSSENVOEGSELS = frozenset(
    {"van", "de", "der", "den", "het", "'t", "te", "ten", "ter", "in", "op", "aan", "'s", "d'", "la", "le", "du", "van't"}
)


def sort_name(last_name: str) -> str:
    """Last name for sorting without its tussenvoegsel: "van der Berg" -> "berg"."""
    words = fold(last_name).split()
    while len(words) > 1 and words[0] in TUSSENVOEGSELS:
        words.pop(0)
    return " ".join(words)


def local_today() -> date:
    """Today on this laptop, by the store's clock (which tests can fix)."""
    return clock.local_time(clock.now()).date()


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` on this laptop, in UTC (as stored)."""
    return datetime.combine(day, time.min).astimezone().astimezone(UTC)


@dataclass(slots=True)
class CaseRow:
    record: StudentRecord
    next_date: date | None
    next_text: str = field(default="", repr=False)


@dataclass(slots=True)
class QueueRow:
    at: datetime  # local time
    record: StudentRecord | None  # None: an anonymous walk-in
    by: str  # initials


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
EIGHTEEN_WINDOW_DAYS = 183  # "turns 18 within 6 months" (the 18+ radar)
EMERGENCY_REASONS = {
    "veiligheid": "acute zorg om de veiligheid van de student of anderen",
    "afwezig": "contactpersoon afwezig en de student heeft nu hulp nodig",
    "wettelijk": "wettelijke plicht of meldcode",
}


class TeamSession(CaseworkMixin, HandoverMixin, EighteenMixin, ReportMixin, RightsMixin):
    """An unlocked worker's view of the team store."""

    def __init__(self, store: Store, keys: Keys) -> None:
        self.store = store
        self._keys: Keys | None = keys
        self.worker_id = keys.worker_id
        self.role = keys.role
        self.workers: dict[str, Worker] = {
            w.id: w for w in store.workers(active_only=False)
        }
        with _gc_paused():
            rows, self.damaged_ids = students.load_directory(store, keys)
            self.students: dict[str, StudentRecord] = {r.id: _record(r) for r in rows}
            self._sorted: list[StudentRecord] | None = None
            del rows
            self.involved: set[str] = students.involved_student_ids(store, keys.worker_id)
            self.index = DirectoryIndex((s.id, s.search_key) for s in self.students.values())
        self._agenda: list[spreekuur.AgendaItem] | None = None
        self._programmes: list[str] | None = None
        self._programme_contacts: dict[str, str] | None = None
        # Read access that ended after a handover goes now (logged).
        self.expire_access()

    # -- life cycle ------------------------------------------------------

    @classmethod
    def unlock(
        cls, store: Store, worker_id: str, passphrase: str, *, after_lock: bool = False
    ) -> "TeamSession":
        """Open the worker's slot; logged as 'login', or 'unlock' after a lock."""
        event = "unlock" if after_lock else "login"
        return cls(store, team.unlock(store, worker_id, passphrase, event=event))

    @property
    def keys(self) -> Keys:
        if self._keys is None:
            raise Locked("session")
        return self._keys

    @property
    def is_locked(self) -> bool:
        return self._keys is None

    @property
    def worker(self) -> Worker:
        return self.workers[self.worker_id]

    def lock(self) -> None:
        """Log the lock, drop keys and every decrypted value, fold the WAL."""
        if self._keys is None:
            return
        keys = self._keys
        # Keys and decrypted data go first, whatever happens to the log entry
        # (a lost server connection, a full disk): locking must never fail open.
        self._keys = None
        self.students = {}
        self._sorted = None
        self.index = DirectoryIndex()
        self.involved = set()
        self._agenda = None
        self._programmes = None
        self._programme_contacts = None
        with self.store.session() as s:
            audit.append(s, keys.audit_key, "lock", worker_id=self.worker_id)
        self.store.checkpoint()

    # -- directory ---------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[StudentRecord]:
        """Students matching every word of the query, in phone-book order."""
        hits = [self.students[i] for i in self.index.search(query, limit)]
        # Exact matches first (phone-book order), then those found despite a typo.
        words = fold(query).split()
        return sorted(hits, key=lambda r: (not all(w in fold(r.search_key) for w in words), r.sort_key))

    def all_students(self) -> list[StudentRecord]:
        """Every student in phone-book order (kept until the directory changes)."""
        if self._sorted is None:
            self._sorted = sorted(self.students.values(), key=lambda r: r.sort_key)
        return self._sorted

    def register_student(
        self,
        details: StudentDetails,
        *,
        status: str = "aangemeld",
        contact_worker_id: str | None = None,
        today: date | None = None,
        entries: tuple[tuple[str, dict], ...] = (),
    ) -> StudentRecord:
        """A new student, with ``entries`` for the file in the same transaction."""
        details.validate(today)
        validate_status(status)
        row = students.add_student(
            self.store, self.keys, details.to_dict(), status=status,
            contact_worker_id=contact_worker_id or self.worker_id, entries=entries,
        )
        rec = _record(row)
        self.students[rec.id] = rec
        self._sorted = None
        self._programmes = None
        self.involved.add(rec.id)
        self.index.add(rec.id, rec.search_key)
        self._stats_registered(rec, entries, today)
        return rec

    def update_student(self, record: StudentRecord, details: StudentDetails) -> StudentRecord:
        """Save changed details; raises Conflict if someone saved in between."""
        details.validate()
        row = students.update_student(
            self.store, self.keys, record.id, details.to_dict(), record.version
        )
        rec = _record(row)
        self.students[rec.id] = rec
        self._sorted = None
        self.index.replace(rec.id, rec.search_key)
        self._stats_note(rec.id)
        return rec

    def contact_name(self, record: StudentRecord) -> str:
        w = self.workers.get(record.contact_worker_id or "")
        return w.full_name if w else "geen"

    # -- file tier -----------------------------------------------------------

    def is_involved(self, student_id: str) -> bool:
        return student_id in self.involved

    def read_file(self, student_id: str) -> list[students.EntryView]:
        return students.read_file(self.store, self.keys, student_id)

    def involve(self, student_id: str, worker_id: str) -> None:
        students.involve_worker(self.store, self.keys, student_id, worker_id)
        if worker_id == self.worker_id:
            self.involved.add(student_id)

    # -- team ----------------------------------------------------------------

    def add_worker(self, details: team.WorkerDetails, passphrase: str, params: KdfParams) -> str:
        wid = team.add_worker(self.store, self.keys, details, passphrase, params)
        self.workers = {w.id: w for w in self.store.workers(active_only=False)}
        return wid

    def deactivate_worker(self, worker_id: str) -> int:
        self._withdraw_proposals_to(worker_id)
        removed = team.deactivate_worker(self.store, self.keys, worker_id)
        self.workers = {w.id: w for w in self.store.workers(active_only=False)}
        return removed

    def verify_audit(self) -> audit.Verification:
        with self.store.session() as s:
            return audit.verify(s, self.keys.audit_key)

    def active_workers(self) -> list[Worker]:
        return sorted((w for w in self.workers.values() if w.active), key=lambda w: fold(w.full_name))

    def _reload_workers(self) -> None:
        self.workers = {w.id: w for w in self.store.workers(active_only=False)}

    def handover_load(self, worker_id: str) -> tuple[list[str], list[str]]:
        """What a leaving worker still holds: (students they are contact person of,
        programmes they are vaste contactpersoon of)."""
        students_of = spreekuur.students_with_contact(self.store, worker_id)
        programmes = sorted(p for p, w in self.programme_contacts().items() if w == worker_id)
        return students_of, programmes

    def deactivate_worker_with_handover(self, worker_id: str, new_contact_id: str) -> tuple[int, int]:
        """Give the leaving worker's students (and programmes) a new contact person, then deactivate.

        Returns (students moved, student keys removed). Needs a coördinator,
        whose escrow gives the new contact the key of files they could not read.
        """
        if not self.keys.is_coordinator:
            raise NotAllowed("workers", reason="coordinator only")
        if new_contact_id == worker_id:
            raise NotAllowed("workers", reason="same worker")
        students_of, programmes = self.handover_load(worker_id)
        moved = 0
        for sid in students_of:
            spreekuur.change_contact(self.store, self.keys, sid, new_contact_id)
            moved += 1
            self._refresh_record(sid)
        for programme in programmes:
            self.set_programme_contact(programme, new_contact_id)
        self._withdraw_proposals_to(worker_id)
        removed = team.deactivate_worker(self.store, self.keys, worker_id)
        self._reload_workers()
        return moved, removed

    def reset_passphrase_with_recovery(
        self, recovery_code: str, worker_id: str, new_passphrase: str, params: KdfParams
    ) -> int:
        team_key, escrow_private = team.unlock_recovery(self.store, recovery_code)
        done = team.reset_passphrase(
            self.store, team_key, escrow_private, worker_id, new_passphrase, params,
            by_worker=self.worker_id, via="herstelcode",
        )
        self._reload_workers()
        return done

    def set_expertise(self, worker_id: str, codes: tuple[str, ...]) -> None:
        spreekuur.set_expertise(self.store, self.keys, worker_id, codes)
        self._reload_workers()

    def set_idle_lock_minutes(self, minutes: int) -> None:
        spreekuur.set_idle_lock_minutes(self.store, self.keys, minutes)

    def programme_contacts(self) -> dict[str, str]:
        """Programme -> worker id; read once per session (suggested on every keystroke)."""
        if self._programme_contacts is None:
            self._programme_contacts = spreekuur.programme_contacts(self.store)
        return dict(self._programme_contacts)

    def set_programme_contact(self, programme: str, worker_id: str | None) -> None:
        spreekuur.set_programme_contact(self.store, self.keys, programme, worker_id)
        self._programmes = None
        self._programme_contacts = None

    # -- the spreekuur ---------------------------------------------------------

    def programmes(self) -> list[str]:
        """Programme names the team has entered, for autocomplete (kept until a new student)."""
        if self._programmes is None:
            names = {r.details.programme.strip() for r in self.students.values() if r.details.programme.strip()}
            names.update(self.programme_contacts())
            self._programmes = sorted(names, key=fold)
        return self._programmes

    def suggest_contact(self, programme: str) -> str | None:
        """The vaste contactpersoon for this programme (case-insensitive), if set and active."""
        wanted = fold(programme.strip())
        for name, worker_id in self.programme_contacts().items():
            w = self.workers.get(worker_id)
            if fold(name) == wanted and w is not None and w.active:
                return worker_id
        return None

    def find_duplicates(self, details: StudentDetails) -> list[StudentRecord]:
        """Students that may be the same person (same number, or similar name and birth date).

        Candidates come from the search index (the student number, the birth
        date as dd-mm-yyyy), so a save at 50,000 students does not decrypt
        and compare every directory entry.
        """
        candidates: set[str] = set()
        if details.student_number.strip():
            candidates.update(self.index.search(details.student_number.strip(), limit=1000))
        b = details.birth_date
        if b is not None:
            candidates.update(self.index.search(f"{b.day:02d}-{b.month:02d}-{b.year}", limit=1000))
        hits = [
            self.students[i] for i in candidates
            if i in self.students and intake.is_possible_duplicate(details, self.students[i].details)
        ]
        return sorted(hits, key=lambda r: r.sort_key)

    def _refresh_record(self, student_id: str) -> StudentRecord:
        row = students.get_student(self.store, self.keys, student_id)
        rec = _record(row)
        self.students[rec.id] = rec
        self._sorted = None
        self.index.replace(rec.id, rec.search_key)
        return rec

    def register_walk_in(
        self,
        details: StudentDetails,
        visit: intake.WalkIn,
        *,
        existing: StudentRecord | None = None,
        today: date | None = None,
    ) -> StudentRecord:
        """A named walk-in: a new student (status lopend) or a visit of a known one.

        The hulpvraag goes into the file. A known student the worker is not
        involved with gets the visit appended without the worker reading
        the file. A student waiting for a first talk now has had one.
        """
        visit.validate()
        today = today or local_today()
        entries = [(intake.WALK_IN, visit.payload())]
        if visit.next_date is not None:
            entries.append((intake.APPOINTMENT, {"datum": visit.next_date.isoformat(), "tekst": visit.next_text or "vervolggesprek"}))
        if existing is None:
            details.leefdomeinen = sorted(set(details.leefdomeinen) | set(visit.leefdomeinen))
            details.referrer = details.referrer or visit.referrer
            record = self.register_student(details, status="lopend", today=today, entries=tuple(entries))
            self._agenda = None
        else:
            # Read the student again: a colleague may have saved since the list was loaded.
            record = self._refresh_record(existing.id)
            if record.status in ("wacht", "aangemeld"):
                # The first talk ends the wait (before the visit is written,
                # so a conflict here leaves nothing half-saved).
                d = record.details
                d.leefdomeinen = sorted(set(d.leefdomeinen) | set(visit.leefdomeinen))
                row = students.update_student(self.store, self.keys, record.id, d.to_dict(), record.version, status="lopend")
                record = _record(row)
                self.students[record.id] = record
                self._sorted = None
            for kind, payload in entries:
                self.add_entry(record.id, kind, payload)
            self._stats_note(record.id, on=today, walk_in=True)
        return record

    def register_anonymous(self, leefdomeinen: list[str], minutes: int | None) -> str:
        """An anonymous walk-in: date, leefdomeinen and duration only."""
        intake.WalkIn(leefdomeinen=leefdomeinen, minutes=minutes).validate()
        return spreekuur.add_anonymous_contact(
            self.store, self.keys, {"leefdomeinen": sorted(leefdomeinen), "minuten": minutes}
        )

    def register_referral(
        self,
        details: StudentDetails,
        referral: intake.Referral,
        *,
        contact_worker_id: str,
        today: date | None = None,
    ) -> StudentRecord:
        """An aanmelding: status 'wacht op eerste gesprek', the waiting clock starts."""
        referral.validate()
        today = today or local_today()
        details.urgency = referral.urgency
        details.waiting_since = today
        return self.register_student(
            details, status="wacht", contact_worker_id=contact_worker_id, today=today,
            entries=((intake.REFERRAL, referral.payload()),),
        )

    def add_referral_to_existing(
        self, record: StudentRecord, referral: intake.Referral, *, today: date | None = None
    ) -> StudentRecord:
        """An aanmelding for a student the team already knows.

        The reason goes into the file. A student whose case was closed or
        handed over (or only registered) waits again for a first talk; a
        running case keeps its status and contact person.
        """
        referral.validate()
        today = today or local_today()
        current = self._refresh_record(record.id)
        if current.status in ("afgesloten", "overgedragen", "aangemeld"):
            d = current.details
            d.urgency, d.waiting_since = referral.urgency, today
            row = students.update_student(self.store, self.keys, current.id, d.to_dict(), current.version, status="wacht")
            current = _record(row)
            self.students[current.id] = current
            self._sorted = None
        self.add_entry(current.id, intake.REFERRAL, referral.payload())
        self._stats_note(current.id, on=today, referral=True)
        return current

    def add_entry(self, student_id: str, kind: str, payload: dict) -> str:
        check_document(payload)
        entry_id = students.add_entry(self.store, self.keys, student_id, kind, payload)
        if kind in intake.AGENDA_KINDS:
            self._agenda = None
        return entry_id

    def today(self, day: date | None = None) -> Today:
        """Everything the Vandaag screen shows, for this worker."""
        day = day or local_today()
        mine = {sid for sid in self.students if sid in self.involved or self.students[sid].contact_worker_id == self.worker_id}
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
            rec = self.students[sid]
            if rec.status in ("afgesloten", "overgedragen"):
                continue
            nxt = upcoming.get(sid)
            caseload.append(CaseRow(rec, nxt[0] if nxt else None, nxt[1] if nxt else ""))
            b = rec.details.birth_date
            if b is not None:
                left = days_until_18(b, day)
                if left is not None and left <= EIGHTEEN_WINDOW_DAYS:
                    turning.append(TurningRow(rec, left))
        for row, when, text in self.handover_follow_ups(day):
            due.append(DueRow(self.students[row.student_id], when, text, row.id))
        for view in self.incoming_handovers():
            rec = self.students.get(view.row.student_id)
            if rec is not None:
                when = clock.local_time(view.row.created_at).date()
                due.append(DueRow(rec, when, f"overdracht: accepteren of afwijzen (van {view.from_name})", view.row.id))
        caseload.sort(key=lambda c: (c.next_date or date.max, c.record.sort_key))
        waiting = []
        for rec in self.students.values():
            if rec.status == "wacht":
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
        if getattr(self, "_agenda", None) is None:
            readable = student_ids & self.involved
            self._agenda = spreekuur.agenda(self.store, self.keys, readable, intake.AGENDA_KINDS)
        return self._agenda

    def walk_ins_on(self, day: date) -> list[QueueRow]:
        """The spreekuur of one day: named and anonymous walk-ins, in order."""
        start = day_start(day)
        end = day_start(day + timedelta(days=1))
        initials = {wid: w.initials for wid, w in self.workers.items()}
        rows = [
            QueueRow(clock.local_time(e.created_at), self.students.get(e.student_id), initials.get(e.created_by, "?"))
            for e in spreekuur.entries_of_kind(self.store, intake.WALK_IN, start, end)
            if e.student_id in self.students
        ]
        rows += [
            QueueRow(clock.local_time(a.at), None, initials.get(a.created_by, "?"))
            for a in spreekuur.anonymous_contacts(self.store, self.keys, start, end)
        ]
        return sorted(rows, key=lambda r: r.at)

    def emergency_notices(self, since: date) -> list[NoticeRow]:
        names = {wid: w.full_name for wid, w in self.workers.items()}
        return [
            NoticeRow(
                self.students.get(n.student_id),
                clock.local_time(datetime.fromisoformat(n.at)),
                names.get(n.by or "", "onbekend"),
                names.get(n.coordinator or "", "onbekend"),
                EMERGENCY_REASONS.get(n.reason, n.reason),
            )
            for n in spreekuur.emergency_notices(self.store, self.worker_id, day_start(since))
        ]

    def emergency_read(
        self, student_id: str, coordinator_id: str, passphrase: str, reason: str, explanation: str
    ) -> list[students.EntryView]:
        """Noodtoegang: a coördinator's passphrase opens the escrow for one read.

        The reason code goes into the audit log; the explanation (free text,
        may name people) goes into the student's file, readable by those
        involved.
        """
        if reason not in EMERGENCY_REASONS:
            raise NotAllowed("emergency", reason="reason needed")
        coordinator = team.check_passphrase(self.store, coordinator_id, passphrase)
        escrow_private = spreekuur.require_escrow(coordinator)
        entries = students.read_file_via_escrow(
            self.store, self.keys, escrow_private, student_id,
            coordinator_id=coordinator_id, reason_code=reason,
        )
        del escrow_private, coordinator
        students.add_entry(
            self.store, self.keys, student_id, intake.EMERGENCY_NOTE,
            {"tekst": f"Noodtoegang: {EMERGENCY_REASONS[reason]}. {explanation}".strip(), "reden": reason},
        )
        return entries

    # -- drafts survive a lock -------------------------------------------------------

    def log_export(self, student_id: str | None, what: str, *, printed: bool = False) -> None:
        """Log that file data left the app (a copied text, a PDF); ``what`` names the kind."""
        from storage import dossier as store_dossier

        store_dossier.log_event(self.store, self.keys, "print" if printed else "export", student_id, what)

    def seal_draft(self, draft: dict) -> bytes:
        """Encrypt a half-filled form to this worker's own key (kept in memory only)."""
        return seal_to(self.worker.public_key, orjson.dumps(draft), b"draft|" + self.worker_id.encode())

    def open_draft(self, sealed: bytes) -> dict:
        raw = open_sealed(self.keys.worker_private, sealed, b"draft|" + self.worker_id.encode(), "draft")
        return orjson.loads(raw)
