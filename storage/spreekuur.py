"""Store operations of the spreekuur: anonymous walk-ins, today's walk-ins,
the agenda of involved students, vaste contactpersonen, team settings,
handing a student to a new contact person and emergency-access notices.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

import orjson
from sqlalchemy import select
from sqlalchemy import update as sql_update

from storage import audit, clock, files, guard
from storage.crypto import (
    DecryptionError,
    FieldKey,
    open_field,
    seal_field,
)
from storage.documents import JsonObject
from storage.errors import (
    NotAllowed,
    Reason,
    Tampered,
    UnknownStudent,
    UnknownWorker,
)
from storage.keyring import Keys
from storage.models import (
    AnonymousContact,
    AuditEntry,
    FileEntry,
    ProgrammeContact,
    Student,
    StudentKeyWrap,
    Worker,
)
from storage.store import Store
from storage.team import _require_coordinator

# -- anonymous walk-ins ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnonymousView:
    id: str
    at: datetime
    created_by: str
    data: JsonObject = field(repr=False)
    linked: bool = False

    @property
    def student_id(self) -> str | None:
        """The student this walk-in was linked to (sealed in ``data``), if any."""
        sid = self.data.get("student") if self.linked else None
        return sid if isinstance(sid, str) else None

    @property
    def entry_id(self) -> str | None:
        """The file entry it became when it was linked, if any."""
        eid = self.data.get("inloop") if self.linked else None
        return eid if isinstance(eid, str) else None


def _view(keys: Keys, r: AnonymousContact) -> AnonymousView:
    try:
        raw = open_field(keys.directory, "anonymous_contacts", "data", r.id, r.data)
    except DecryptionError as exc:
        raise Tampered(exc.where) from None
    return AnonymousView(r.id, r.at, r.created_by, orjson.loads(raw), bool(r.linked))


def add_anonymous_contact(store: Store, keys: Keys, data: JsonObject) -> str:
    """Record an anonymous walk-in: leefdomeinen and duration, under the directory key."""
    contact_id = str(uuid.uuid4())
    body = seal_field(keys.directory, "anonymous_contacts", "data", contact_id, orjson.dumps(data))
    with store.session() as s:
        s.add(AnonymousContact(id=contact_id, at=clock.now(), created_by=keys.worker_id, data=body))
        audit.append(s, keys, "create", worker_id=keys.worker_id, detail="anonieme inloop")
    return contact_id


def anonymous_contacts(
    store: Store, keys: Keys, since: datetime, until: datetime | None = None
) -> list[AnonymousView]:
    query = select(AnonymousContact).where(AnonymousContact.at >= since)
    if until is not None:
        query = query.where(AnonymousContact.at < until)
    with store.reading() as s:
        return [_view(keys, r) for r in s.scalars(query.order_by(AnonymousContact.at)).all()]


def anonymous_contact(store: Store, keys: Keys, contact_id: str) -> AnonymousView:
    """One anonymous walk-in (``NotAllowed`` REMOVED when it is gone)."""
    with store.reading() as s:
        row = s.get(AnonymousContact, contact_id)
        if row is None:
            raise NotAllowed(f"anonymous_contacts/{contact_id}", reason=Reason.REMOVED)
        return _view(keys, row)


def linked_contacts(store: Store, keys: Keys, known: Collection[str] = ()) -> list[AnonymousView]:
    """The anonymous walk-ins that were linked to a student, except the ids in
    ``known`` (a caller's cache: a link never changes once made)."""
    with store.reading() as s:
        ids = [i for i in s.scalars(select(AnonymousContact.id).where(AnonymousContact.linked.is_(True))) if i not in known]
        if not ids:
            return []
        rows = s.scalars(select(AnonymousContact).where(AnonymousContact.id.in_(ids))).all()
        return [_view(keys, r) for r in rows]


def link_anonymous_contact(store: Store, keys: Keys, contact_id: str, student_id: str, entry_id: str) -> None:
    """Mark an anonymous walk-in as the first walk-in of a student who later gave her name.

    The student and the file entry it became are sealed into ``data``
    (under the directory key, as the directory's own names are); only the
    flag is plain. A walk-in that is already linked (also by a colleague a
    moment ago) is refused: one statement sets the flag only where it was
    not set. Logged with a code only, without the student (no plain link).
    """
    with store.session() as s:
        row = s.get(AnonymousContact, contact_id)
        if row is None:
            raise NotAllowed(f"anonymous_contacts/{contact_id}", reason=Reason.REMOVED)
        view = _view(keys, row)
        if view.linked:
            raise NotAllowed(f"anonymous_contacts/{contact_id}", reason=Reason.ALREADY_LINKED)
        data = {**view.data, "student": student_id, "inloop": entry_id}
        body = seal_field(keys.directory, "anonymous_contacts", "data", contact_id, orjson.dumps(data))
        result = s.execute(
            sql_update(AnonymousContact)
            .where(AnonymousContact.id == contact_id, AnonymousContact.linked.is_(False))
            .values(linked=True, data=body)
            .execution_options(synchronize_session=False)
        )
        if guard.rowcount(result) != 1:
            raise NotAllowed(f"anonymous_contacts/{contact_id}", reason=Reason.ALREADY_LINKED)
        audit.append(s, keys, "change", worker_id=keys.worker_id, detail="anonieme inloop gekoppeld")


# -- today's walk-ins and the agenda -------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryMeta:
    """A file entry without its (encrypted) content: who, when, for whom."""

    id: str
    student_id: str
    kind: str
    created_at: datetime
    created_by: str


def entries_of_kind(
    store: Store, kind: str, since: datetime, until: datetime | None = None
) -> list[EntryMeta]:
    """Metadata of file entries of one kind in a period (no decryption)."""
    query = select(
        FileEntry.id, FileEntry.student_id, FileEntry.kind, FileEntry.created_at, FileEntry.created_by
    ).where(FileEntry.kind == kind, FileEntry.created_at >= since)
    if until is not None:
        query = query.where(FileEntry.created_at < until)
    with store.reading() as s:
        return [EntryMeta(*row) for row in s.execute(query.order_by(FileEntry.created_at)).all()]


@dataclass(frozen=True, slots=True)
class AgendaItem:
    entry_id: str
    student_id: str
    kind: str
    created_at: datetime
    payload: JsonObject = field(repr=False)


def agenda(store: Store, keys: Keys, student_ids: set[str], kinds: tuple[str, ...]) -> list[AgendaItem]:
    """Decrypt only the entries of ``kinds`` in the files of involved students.

    Logged once per student whose entries were read ("open", detail
    "vandaag"), as every read of the file tier is.
    """
    out: list[AgendaItem] = []
    if not student_ids:
        return out
    with store.session() as s:
        rows = s.execute(
            select(FileEntry, StudentKeyWrap)
            .join(StudentKeyWrap, StudentKeyWrap.student_id == FileEntry.student_id)
            .where(
                FileEntry.kind.in_(kinds),
                StudentKeyWrap.recipient == keys.worker_id,
                files.current(),  # not through a read-along wrap that has ended
            )
        ).all()
        opened: dict[str, FieldKey] = {}
        privates: dict[str, bytes] = {}

        def private_of(sid: str) -> bytes:
            if sid not in privates:
                privates[sid] = files.open_private(s, opened[sid], sid)
            return privates[sid]

        mine = [(entry, wrap) for entry, wrap in rows if entry.student_id in student_ids]
        by_student: dict[str, list[FileEntry]] = {}
        wraps: dict[str, StudentKeyWrap] = {}
        for entry, wrap in mine:
            by_student.setdefault(entry.student_id, []).append(entry)
            wraps[entry.student_id] = wrap
        records = audit.entry_records(s, by_student)
        for sid, entries in by_student.items():
            files.check_wrap(s, keys, wraps[sid], records.get(sid, {}))
            files.check_records(s, keys, sid, entries, whole=False, records=records.get(sid, {}))
        for entry, wrap in mine:
            wrapped = wrap.wrapped
            sid = entry.student_id
            if sid not in opened:
                opened[sid] = FieldKey.of(files.open_wrap(keys.worker_private, wrapped, sid, keys.worker_id))
            payload = files.open_entry(opened[sid], partial(private_of, sid), entry)
            out.append(AgendaItem(entry.id, sid, entry.kind, entry.created_at, payload))
        for sid in sorted(opened):
            audit.append(s, keys, "open", worker_id=keys.worker_id, student_id=sid, detail="vandaag")
    return out


# -- vaste contactpersonen and team settings ---------------------------------------


def programme_contacts(store: Store) -> dict[str, str]:
    """Programme name -> worker id of the team's vaste contactpersoon."""
    with store.reading() as s:
        return {p.programme: p.worker_id for p in s.scalars(select(ProgrammeContact))}


_ANY = object()


def set_programme_contact(store: Store, keys: Keys, programme: str, worker_id: str | None, expected: object = _ANY) -> None:
    """A coördinator sets (or with ``None`` clears) the contact for a programme.

    ``expected``: the contact the coördinator saw for it (None: none); a
    different one means a colleague chose meanwhile (``Conflict``).
    """
    _require_coordinator(keys)
    programme = programme.strip()
    if not programme:
        raise ValueError("programme needed")
    with store.session() as s:
        current = s.get(ProgrammeContact, programme)
        if expected is not _ANY and (current.worker_id if current is not None else None) != expected:
            # A colleague chose (or cleared) another contact since this worker looked.
            if current is not None:
                raise guard.of_row(s, f"programme_contacts/{programme}", current)
            raise guard.of_team_settings(s, "programme_contacts")
        if worker_id is None:
            if current is not None:
                s.delete(current)
        else:
            worker = s.get(Worker, worker_id)
            if worker is None or not worker.active:
                raise UnknownWorker(worker_id)
            if current is None:
                s.add(ProgrammeContact(programme=programme, worker_id=worker_id,
                                       updated_at=clock.now(), updated_by=keys.worker_id))
            else:
                current.worker_id = worker_id
                current.updated_at = clock.now()
                current.updated_by = keys.worker_id
        audit.append(s, keys, "settings", worker_id=keys.worker_id,
                     on_behalf_of=worker_id, detail="vaste contactpersoon")


def set_idle_lock_minutes(store: Store, keys: Keys, minutes: int, expected_version: int) -> None:
    """The team's idle lock time, against the settings version the coördinator saw."""
    _require_coordinator(keys)
    if not 1 <= minutes <= 60:
        raise ValueError("idle lock minutes out of range")
    with store.session() as s:
        t = guard.team_settings(s, expected_version)
        t.idle_lock_minutes = minutes
        t.version += 1
        audit.append(s, keys, "settings", worker_id=keys.worker_id,
                     detail=f"vergrendelen na {minutes} min")


def set_expertise(store: Store, keys: Keys, worker_id: str, codes: tuple[str, ...], expected_version: int) -> None:
    """A worker's expertise, against the version of the worker the coördinator saw."""
    _require_coordinator(keys)
    with store.session() as s:
        worker = s.get(Worker, worker_id)
        if worker is None:
            raise UnknownWorker(worker_id)
        if worker.version != expected_version:
            raise guard.of_team_settings(s, f"workers/{worker_id}")
        worker.expertise = ",".join(codes)
        worker.version += 1
        audit.append(s, keys, "settings", worker_id=keys.worker_id,
                     on_behalf_of=worker_id, detail="expertise")


# -- a new contact person ------------------------------------------------------------


def change_contact(store: Store, keys: Keys, student_id: str, new_worker_id: str, expected_version: int | None = None) -> None:
    """Make another worker the contact person, and give them the student key.

    ``expected_version``: the version of the student the worker saw (a choice
    in the dossier); None only where the team moves students as they are now
    (a colleague leaves).

    The key comes from the caller's own wrap, or, for a coördinator who is
    not involved (a colleague leaves the team), from the escrow their
    passphrase opened. Logged as a change of the student.
    """
    with store.session() as s:
        student = s.get(Student, student_id)
        if student is None:
            raise UnknownStudent(f"students/{student_id}")
        if expected_version is not None:
            guard.check(s, f"students/{student_id}", student, expected_version)
        worker = s.get(Worker, new_worker_id)
        if worker is None or not worker.active:
            raise UnknownWorker(new_worker_id)
        key = files.student_key(s, keys, student_id, escrow=True)
        exists = s.scalar(select(StudentKeyWrap).where(
            StudentKeyWrap.student_id == student_id, StudentKeyWrap.recipient == new_worker_id))
        if exists is None:
            files.wrap_for(s, keys, student_id, key, new_worker_id, files.recipient_public(s, keys, worker), "toegang: contactpersoon")
        elif exists.expires_at is not None:
            exists.expires_at = None  # a contact person's access never ends by itself
            files.record_wrap(s, keys, student_id, new_worker_id, "toegang: contactpersoon, zonder einddatum")
        student.contact_worker_id = new_worker_id
        student.version += 1
        student.updated_at = clock.now()
        student.updated_by = keys.worker_id
        audit.append(s, keys, "change", worker_id=keys.worker_id, student_id=student_id,
                     on_behalf_of=new_worker_id, detail="contactpersoon gewijzigd")


def students_with_contact(store: Store, worker_id: str) -> list[str]:
    with store.reading() as s:
        return list(s.scalars(select(Student.id).where(Student.contact_worker_id == worker_id)))


# -- emergency access, shown to the contact person ------------------------------------


@dataclass(frozen=True, slots=True)
class EmergencyNotice:
    at: str
    student_id: str
    by: str | None
    coordinator: str | None
    reason: str


def emergency_notices(store: Store, contact_worker_id: str, since: datetime) -> list[EmergencyNotice]:
    """Emergency accesses to files of students this worker is contact person of."""
    with store.reading() as s:
        rows = s.execute(
            select(AuditEntry.at, AuditEntry.student_id, AuditEntry.worker_id,
                   AuditEntry.on_behalf_of, AuditEntry.detail)
            .join(Student, Student.id == AuditEntry.student_id)
            .where(AuditEntry.event == "emergency_access",
                   Student.contact_worker_id == contact_worker_id,
                   AuditEntry.at >= since.isoformat())
            .order_by(AuditEntry.seq.desc())
        ).all()
    # (The join drops entries without a student: ``student_id`` is never None here.)
    return [
        EmergencyNotice(at, student_id, by, coordinator, reason)
        for at, student_id, by, coordinator, reason in rows
        if student_id is not None
    ]


def require_escrow(keys: Keys) -> bytes:
    if keys.escrow_private is None:
        raise NotAllowed("escrow", reason=Reason.NOT_A_COORDINATOR)
    return keys.escrow_private
