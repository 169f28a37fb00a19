"""Use cases of turning 18 and of a change of study coach (issue 5): the 18+ checklist, the bulk coachwissel.

Mixed into ``TeamSession``; nothing here knows Textual.

The 18+ checklist of a student is one file entry (kind ``checklist18``)
under the student key. Its payload holds each item under a stable key::

    {"punten": {"zorgtoeslag": {"klaar": true, "datum": "2026-11-23",
                                "notitie": "", "label": "zorgtoeslag"}},
     "geschiedenis": [{"oud": {"zorgtoeslag": null}, "op": "...", "door": "<worker id>"}]}

The label stored with an item is the label at the time of the change: an
item the team later removed from its list still shows under that name.
The history works as ``jongerenteam.dossier.edited``: every change keeps the
item's earlier value, who changed it and when.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import orjson

from jongerenteam import dossier as d
from jongerenteam.catalogue import COACH_ROLES, DEFAULT_CHECKLIST_18
from jongerenteam.dates import local_today
from jongerenteam.domain import StudentDetails, ValidationError, days_until_18
from jongerenteam.entries import Change, history
from jongerenteam.search import fold
from jongerenteam.service import Service
from jongerenteam.text import check_document
from storage import clock
from storage import dossier as store_dossier
from storage import eighteen as store_eighteen
from storage.documents import JsonObject
from storage.errors import NotAllowed, Reason

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from storage.files import EntryView

CHECKLIST_18 = store_eighteen.CHECKLIST_KIND
HISTORY = "geschiedenis"  # never an item key

MAX_ITEMS = 40
MAX_LABEL = 120
MAX_NOTE = 500
MAX_COACH_NAME = 200

# The contact person's task after a coachwissel (a werkafspraak, on Vandaag when due).
COACH_TASK = "Stel de nieuwe studiecoach {name} voor aan de student"
COACH_TASK_WORKING_DAYS = 10

CHANGE_DETAIL = "dossier: 18+-checklist gewijzigd"


# -- the team's list ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One item of the team's 18+ checklist: a stable key and the label shown."""

    key: str
    label: str


def default_checklist() -> list[ChecklistItem]:
    return [ChecklistItem(k, label) for k, label in DEFAULT_CHECKLIST_18]


def parse_team_checklist(raw: str | None) -> list[ChecklistItem]:
    """The team's list from ``Team.checklist_18``; None (or unreadable) is the default list.

    Stored as ``[{"sleutel": ..., "label": ...}, ...]``; a plain list of
    labels is read too (keys are then made from the labels).
    """
    if not raw:
        return default_checklist()
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return default_checklist()
    items: list[ChecklistItem] = []
    taken: set[str] = set()
    for x in data if isinstance(data, list) else []:
        if isinstance(x, str):
            label, key = x, ""
        elif isinstance(x, dict):
            label, key = str(x.get("label", "")), str(x.get("sleutel", ""))
        else:
            continue
        if not label.strip():
            continue
        if not key or key in taken or key == HISTORY:
            key = new_item_key(label, taken)
        taken.add(key)
        items.append(ChecklistItem(key, label.strip()))
    return items or default_checklist()


def dump_team_checklist(items: list[ChecklistItem]) -> str:
    return orjson.dumps([{"sleutel": i.key, "label": i.label} for i in items]).decode()


def new_item_key(label: str, taken: set[str]) -> str:
    """A key for a new item: its label in lower-case ASCII, unique in ``taken``."""
    base = re.sub(r"[^a-z0-9]+", "_", fold(label)).strip("_")[:40] or "punt"
    if base == HISTORY:
        base = "punt_geschiedenis"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


# -- a student's checklist ------------------------------------------------------------------


@dataclass(slots=True)
class ChecklistRow:
    key: str
    label: str
    done: bool
    on: date | None  # when it was done
    note: str = field(default="", repr=False)
    on_team_list: bool = True  # False: removed from the team's list, kept because it was ticked

    def __repr__(self) -> str:
        return f"ChecklistRow({self.key!r}, done={self.done})"


@dataclass(slots=True)
class StudentChecklist:
    student_id: str
    rows: list[ChecklistRow]
    entry_id: str | None  # None: nothing ticked yet (no entry)
    version: int
    history: list[Change] = field(default_factory=list, repr=False)
    payload: JsonObject = field(default_factory=dict, repr=False)

    def row(self, key: str) -> ChecklistRow | None:
        return next((r for r in self.rows if r.key == key), None)

    @property
    def done_count(self) -> int:
        return sum(1 for r in self.rows if r.done and r.on_team_list)

    @property
    def team_count(self) -> int:
        return sum(1 for r in self.rows if r.on_team_list)

    def __repr__(self) -> str:
        return f"StudentChecklist(student_id={self.student_id!r}, rows={len(self.rows)})"


def _date(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def fold_checklist(student_id: str, items: list[ChecklistItem], entries: Iterable[EntryView]) -> StudentChecklist:
    """The team's items in the team's order with the student's state, then removed
    items the student had ticked (or noted something about).

    Normally there is one entry; should two workers have started the list at
    the same moment, the oldest is the list and the other only fills gaps.
    """
    points: dict[str, JsonObject] = {}
    entry_id: str | None = None
    version = 0
    payload: JsonObject = {}
    for e in entries:
        if entry_id is None:
            entry_id, version, payload = e.id, e.version, dict(e.payload)
        for key, value in (e.payload.get("punten") or {}).items():
            if isinstance(value, dict):
                points.setdefault(key, value)
    rows: list[ChecklistRow] = []
    for item in items:
        p = points.get(item.key, {})
        done = bool(p.get("klaar"))
        rows.append(ChecklistRow(item.key, item.label, done, _date(p.get("datum")) if done else None, p.get("notitie", "")))
    known = {i.key for i in items}
    for key, p in points.items():
        if key in known or not (p.get("klaar") or p.get("notitie")):
            continue
        done = bool(p.get("klaar"))
        rows.append(ChecklistRow(key, p.get("label") or key, done, _date(p.get("datum")) if done else None,
                                 p.get("notitie", ""), on_team_list=False))
    return StudentChecklist(student_id, rows, entry_id, version, history(payload), payload)


def checklist_payload(ticks: list[tuple[ChecklistItem, date, str]], *, by: str, at: datetime) -> JsonObject:
    """A new checklist entry with these items done (item, date done, note): the demo uses it."""
    points = {i.key: {"klaar": True, "datum": on.isoformat(), "notitie": note, "label": i.label} for i, on, note in ticks}
    history = [{"oud": dict.fromkeys(points), "op": at.isoformat(timespec="seconds"), "door": by}] if points else []
    return {"punten": points, HISTORY: history}


# -- coaches ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CoachRow:
    """A study coach known from the directory, with their students with an open file."""

    name: str
    role: str  # COACH_ROLES code (the most common one for this name)
    count: int

    @property
    def role_label(self) -> str:
        return COACH_ROLES.get(self.role, self.role)

    def __repr__(self) -> str:
        return f"CoachRow(count={self.count})"


@dataclass(slots=True)
class CoachChangeResult:
    changed: list[str] = field(default_factory=list)  # student ids
    failed: list[tuple[str, str]] = field(default_factory=list)  # (student id, Dutch reason)
    tasks: int = 0  # werkafspraken made for contact persons
    without_contact: list[str] = field(default_factory=list)  # changed, but no contact person for a task


def coach_key(name: str) -> str:
    """How two spellings of one coach compare: case, accents, spaces, hyphens and dots ignored."""
    return " ".join(fold(name).replace("-", " ").replace(".", " ").split())


def add_working_days(day: date, n: int) -> date:
    """``n`` working days (Monday to Friday) after ``day``."""
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _is_open(record: StudentRecord) -> bool:
    return record.status != "afgesloten"


class EighteenService(Service):
    """The 18+ checklist of a student, the team's list, turning 18 and the coachwissel."""

    # -- the team's list ------------------------------------------------------------------

    def team_checklist(self) -> list[ChecklistItem]:
        return parse_team_checklist(store_eighteen.team_checklist(self.store))

    def set_team_checklist(self, items: list[ChecklistItem | str], *, version: int) -> list[ChecklistItem]:
        """A coördinator saves the team's list: add, rename, remove, reorder.

        ``items`` in the new order; a plain label that matches a current item
        keeps its key, a ``ChecklistItem`` with an empty key is new. Keys of
        renamed items stay, so what students had ticked stays ticked.
        """
        if not self.keys.is_coordinator:
            raise NotAllowed("team", reason=Reason.COORDINATOR_ONLY)
        current = {coach_key(i.label): i.key for i in self.team_checklist()}
        out: list[ChecklistItem] = []
        keys: set[str] = set()
        labels: set[str] = set()
        if not items:
            raise ValidationError("items", "De lijst moet minstens één punt hebben.")
        if len(items) > MAX_ITEMS:
            raise ValidationError("items", f"Hoogstens {MAX_ITEMS} punten op de lijst.")
        for it in items:
            label, key = (it, "") if isinstance(it, str) else (it.label, it.key)
            label = " ".join(label.split())
            if not label:
                raise ValidationError("label", "Een punt heeft een naam nodig.")
            if len(label) > MAX_LABEL:
                raise ValidationError("label", f"Houd de naam kort (hoogstens {MAX_LABEL} tekens).")
            if coach_key(label) in labels:
                raise ValidationError("label", f"'{label}' staat al op de lijst.")
            labels.add(coach_key(label))
            if not key:
                key = current.get(coach_key(label)) or ""
            if not key or key in keys or key == HISTORY:
                key = new_item_key(label, keys | set(current.values()))
            keys.add(key)
            out.append(ChecklistItem(key, label))
        with self.unit():
            store_eighteen.set_team_checklist(self.store, self.keys, dump_team_checklist(out), version)
        return out

    def reset_team_checklist(self, *, version: int) -> list[ChecklistItem]:
        """Back to the default list (ticks under keys the default has come back)."""
        with self.unit():
            store_eighteen.set_team_checklist(self.store, self.keys, None, version)
        return default_checklist()

    # -- a student's checklist --------------------------------------------------------------

    def checklist(self, student_id: str, *, log: bool = True) -> StudentChecklist:
        """The student's 18+ checklist (only for workers involved); logged as an 'open'."""
        entries = store_eighteen.read_checklist_entries(self.store, self.keys, student_id, log=log)
        return fold_checklist(student_id, self.team_checklist(), entries)

    def set_checklist_item(
        self, student_id: str, key: str, done: bool, on: date | None = None, note: str | None = None,
        *, version: int | None = None,
    ) -> StudentChecklist:
        """Tick or untick one item (``on``: the date done, default today); ``note``
        None keeps the note. Returns the checklist as it is now."""
        today = local_today()
        current = self.checklist(student_id, log=False)
        if version is not None and current.version != version:
            # A colleague ticked or noted something since this worker's list was read.
            from storage.errors import Conflict

            raise Conflict(f"file_entries/{current.entry_id}", by_name=self._last_editor(current), at=self._last_edit_at(current))
        row = current.row(key)
        if row is None:
            raise ValidationError("item", "Dit punt staat niet (meer) op de 18+-checklist.")
        if done:
            on = on or (row.on if row.done and row.on else today)
            if on > today:
                raise ValidationError("on", "De datum ligt in de toekomst; vul de dag in waarop het geregeld is.")
            birth = self.students[student_id].details.birth_date if student_id in self.students else None
            if birth is not None and on < birth:
                raise ValidationError("on", f"De datum ligt voor de geboortedatum ({birth:%d-%m-%Y}). Klopt de datum?")
        else:
            on = None
        if note is None:
            note = row.note
        note = note.strip()
        if len(note) > MAX_NOTE:
            raise ValidationError("note", f"Houd de notitie kort (hoogstens {MAX_NOTE} tekens).")
        if done == row.done and on == row.on and note == row.note:
            return current  # nothing changes: no new version
        item = {"klaar": done, "datum": on.isoformat() if on else None, "notitie": note, "label": row.label}
        points = dict(current.payload.get("punten") or {})
        flat = {**points, HISTORY: list(current.payload.get(HISTORY, []))}
        if key not in flat:
            flat[key] = None  # the history then says it was not there before
        new = d.edited(flat, {key: item}, by=self.worker_id, at=clock.now())
        if new is None:
            return current
        payload = {"punten": {k: v for k, v in new.items() if k != HISTORY and v is not None}, HISTORY: new[HISTORY]}
        check_document(payload)
        with self.unit():
            if current.entry_id is None:
                store_dossier.add_entries(self.store, self.keys, student_id, [(store_dossier.new_entry_id(), CHECKLIST_18, payload)])
            else:
                store_dossier.rewrite_entry(
                    self.store, self.keys, student_id, current.entry_id, payload, current.version, detail=CHANGE_DETAIL,
                )
        return self.checklist(student_id, log=False)

    def _last_editor(self, checklist: StudentChecklist) -> str:
        last = checklist.history[-1] if checklist.history else None
        return self.session.worker_name(last.by if last else None, "een collega")

    def _last_edit_at(self, checklist: StudentChecklist) -> str:
        last = checklist.history[-1] if checklist.history else None
        return last.at.astimezone().strftime("%H:%M") if last and last.at else ""

    def turning_18(self, within_days: int = 183, day: date | None = None) -> list[tuple[StudentRecord, int]]:
        """Every student with an open file (not only this worker's) who turns 18
        within ``within_days``: (record, days left), soonest first."""
        day = day or local_today()
        out = []
        for rec in self.directory.records():
            if rec.status in ("afgesloten", "overgedragen"):
                continue
            b = rec.details.birth_date
            left = days_until_18(b, day) if b else None
            if left is not None and left <= within_days:
                out.append((rec, left))
        return sorted(out, key=lambda x: (x[1], x[0].sort_key))

    # -- coachwissel -----------------------------------------------------------------------------

    def coaches(self) -> list[CoachRow]:
        """The study coaches in the directory, with how many students with an open file each has."""
        names: dict[str, Counter[str]] = {}
        roles: dict[str, Counter[str]] = {}
        for rec in self.directory.records():
            name = rec.details.coach_name.strip()
            if not name or not _is_open(rec):
                continue
            k = coach_key(name)
            names.setdefault(k, Counter())[" ".join(name.split())] += 1
            roles.setdefault(k, Counter())[rec.details.coach_role] += 1
        rows = [
            CoachRow(names[k].most_common(1)[0][0], roles[k].most_common(1)[0][0], sum(names[k].values()))
            for k in names
        ]
        return sorted(rows, key=lambda r: coach_key(r.name))

    def students_of_coach(self, name: str) -> list[StudentRecord]:
        """The students with an open file whose coach is ``name`` (any spelling), phone-book order."""
        k = coach_key(name)
        hits = [
            r for r in self.directory.records()
            if _is_open(r) and r.details.coach_name.strip() and coach_key(r.details.coach_name) == k
        ]
        return sorted(hits, key=lambda r: r.sort_key)

    @staticmethod
    def check_new_coach(name: str, role: str, old_name: str = "") -> tuple[str, str]:
        name = " ".join(name.split())
        if not name:
            raise ValidationError("new_name", "Vul de naam van de nieuwe studiecoach in.")
        if len(name) > MAX_COACH_NAME:
            raise ValidationError("new_name", f"Die naam is te lang (hoogstens {MAX_COACH_NAME} tekens).")
        if not any(c.isalpha() for c in name):
            raise ValidationError("new_name", "Typ de naam van de coach (met letters), bijvoorbeeld Mevr. Bos.")
        if role not in COACH_ROLES:
            raise ValidationError("new_role", "Kies de rol van de nieuwe coach: SLB'er, LOB'er, mentor of studiecoach.")
        if old_name and coach_key(old_name) == coach_key(name):
            raise ValidationError("new_name", "Dit is dezelfde coach. Typ de naam van de nieuwe studiecoach.")
        return name, role

    def bulk_change_coach(self, old_name: str, new_name: str, new_role: str) -> CoachChangeResult:
        """Coördinator: every student with an open file and coach ``old_name`` gets the new coach.

        Each student is its own transaction (directory and task together): a
        conflict on one (a colleague saved that student meanwhile) is reported
        and the others are still done. Each contact person gets a werkafspraak
        to introduce the new coach.
        """
        from jongerenteam.messages import explain

        if not self.keys.is_coordinator:
            raise NotAllowed("students", reason=Reason.COORDINATOR_ONLY)
        new_name, new_role = self.check_new_coach(new_name, new_role, old_name)
        records = self.students_of_coach(old_name)
        if not records:
            raise ValidationError("old_name", "Deze coach heeft geen studenten met een open dossier.")
        result = CoachChangeResult()
        for rec in records:
            try:
                made_task = self._change_coach(rec, new_name, new_role)
            except ValidationError:
                raise
            except Exception as exc:  # noqa: BLE001 - one student's failure must not stop the others
                result.failed.append((rec.id, explain(exc)[0]))
                continue
            result.changed.append(rec.id)
            if made_task:
                result.tasks += 1
            else:
                result.without_contact.append(rec.id)
        with self.unit():
            store_eighteen.log_bulk_change(self.store, self.keys, len(result.changed), len(result.failed))
        return result

    def change_coach(self, record: StudentRecord, name: str, role: str) -> bool:
        """One student gets a new study coach, and the contact person a task to introduce them.

        Returns False when nothing changed (the same coach and role). A
        student who had no coach yet just gets one: no task (nobody to hand over from).
        """
        name, role = self.check_new_coach(name, role)
        # Against the version the worker saw: a colleague's change in between is a Conflict.
        if coach_key(record.details.coach_name) == coach_key(name) and record.details.coach_role == role:
            return False
        self._change_coach(record, name, role, task=bool(record.details.coach_name.strip()))
        return True

    def _change_coach(self, record: StudentRecord, name: str, role: str, *, task: bool = True) -> bool:
        """Directory and task in one transaction, against the version the caller saw.
        Returns whether the contact person got a task."""
        details = StudentDetails.from_dict(record.details.to_dict())
        details.coach_name, details.coach_role = name, role
        contact = record.contact_worker_id
        entry = None
        if task and contact and contact in self.workers and self.workers[contact].active:
            agreement = d.NewAgreement(
                d.Who("medewerker", worker_id=contact), COACH_TASK.format(name=name),
                due=add_working_days(local_today(), COACH_TASK_WORKING_DAYS),
            )
            agreement.validate(local_today())
            entry = (d.AGREEMENT, agreement.payload())
        with self.unit():
            store_eighteen.change_coach(self.store, self.keys, record.id, details.to_dict(), record.version, entry)
        return entry is not None
