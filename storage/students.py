"""Students: the directory tier (team key) and the file tier (per-student key).

The directory (names, birth date, student number, programme, level,
municipality, contact preference) is one JSON document per student, sealed
with the directory key so every worker can find a student. The file tier
(talks, agreements, consent, notes) is sealed with a per-student key that is
wrapped for each involved worker and for the team escrow only.

Anyone in the team may *append* to a file they cannot read: the entry is
sealed to the student's public key, and only holders of the student key can
open the student's private key to read it back. Every key and entry
operation is in ``storage.files``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from storage import audit, clock, files, guard
from storage.crypto import (
    DecryptionError,
    FieldKey,
    new_keypair,
    open_column,
    open_field,
    random_key,
    seal_field,
)
from storage.documents import JsonObject
from storage.errors import NotAllowed, NotInvolved, Reason, Tampered, UnknownStudent
from storage.files import ESCROW, EntryView, dump, load
from storage.keyring import Keys
from storage.models import Student, StudentKeyWrap, Worker
from storage.store import Store


@dataclass(slots=True)
class DirectoryRow:
    """One decrypted directory entry, as the spreekuur needs it."""

    id: str
    version: int
    status: str
    contact_worker_id: str | None
    created_at: datetime | None  # None where not loaded (the bulk directory load)
    updated_at: datetime | None
    data: JsonObject = field(default_factory=dict, repr=False)  # decrypted: never in a repr


def _seal_directory(keys: Keys, student_id: str, data: JsonObject) -> bytes:
    return seal_field(keys.directory, "students", "directory", student_id, dump(data))


def _open_directory(keys: Keys, student_id: str, blob: bytes) -> JsonObject:
    try:
        data: JsonObject = load(open_field(keys.directory, "students", "directory", student_id, blob))
    except DecryptionError as exc:
        raise Tampered(exc.where) from None
    return data


@dataclass(frozen=True, slots=True)
class NewStudent:
    data: JsonObject = field(repr=False)  # plaintext before encryption: never in a repr
    status: str
    contact_worker_id: str | None
    involve: tuple[str, ...] = ()
    # File entries (kind, payload) written in the same transaction: a walk-in
    # is the student and the hulpvraag together, or nothing.
    entries: tuple[tuple[str, JsonObject], ...] = field(default=(), repr=False)


def add_student(
    store: Store,
    keys: Keys,
    data: JsonObject,
    *,
    status: str,
    contact_worker_id: str | None,
    involve: Iterable[str] = (),
    entries: Iterable[tuple[str, JsonObject]] = (),
) -> DirectoryRow:
    """Register a student; the creator, the contact person and ``involve`` get the key."""
    return add_students(
        store, keys, [NewStudent(data, status, contact_worker_id, tuple(involve), tuple(entries))]
    )[0]


def add_students(
    store: Store, keys: Keys, new: Iterable[NewStudent], *, creator_involved: bool = True
) -> list[DirectoryRow]:
    """Register several students in one transaction (demo data, imports).

    With ``creator_involved=False`` (an import by a coördinator) only the
    contact person and ``involve`` get the student key, plus the escrow.
    """
    out: list[DirectoryRow] = []
    with store.session() as s:
        escrow_public = keys.escrow_public
        workers = {w.id: w for w in s.scalars(select(Worker).where(Worker.active.is_(True)))}
        for item in new:
            out.append(
                _insert_student(s, keys, item, escrow_public, workers, creator_involved)
            )
    return out


def _insert_student(
    s: Session,
    keys: Keys,
    item: NewStudent,
    escrow_public: bytes,
    workers: dict[str, Worker],
    creator_involved: bool = True,
) -> DirectoryRow:
    student_id = str(uuid.uuid4())
    now = clock.now()
    student_key = random_key()
    fk = FieldKey.of(student_key)
    private, public = new_keypair()
    student = Student(
        id=student_id,
        created_at=now,
        created_by=keys.worker_id,
        updated_at=now,
        updated_by=keys.worker_id,
        version=1,
        status=item.status,
        contact_worker_id=item.contact_worker_id,
        directory=_seal_directory(keys, student_id, item.data),
        public_key=public,
        private_key=seal_field(fk, "students", "private_key", student_id, private),
    )
    s.add(student)
    s.flush()
    recipients = set(item.involve)
    if creator_involved:
        recipients.add(keys.worker_id)
    if item.contact_worker_id:
        recipients.add(item.contact_worker_id)
    files.wrap_for(s, keys, student_id, student_key, ESCROW, escrow_public, "")
    for worker_id in sorted(recipients):
        worker = workers.get(worker_id)
        if worker is not None:
            files.wrap_for(s, keys, student_id, student_key, worker_id, files.recipient_public(s, keys, worker), "toegang: betrokken")
    audit.append(s, keys, "create", worker_id=keys.worker_id, student_id=student_id)
    if item.entries:
        files.write_entries(
            s, keys, student, ((files.new_entry_id(), kind, payload) for kind, payload in item.entries), key=student_key
        )
    return DirectoryRow(
        student_id, 1, item.status, item.contact_worker_id, now, now, dict(item.data)
    )


def update_student(
    store: Store,
    keys: Keys,
    student_id: str,
    data: JsonObject,
    expected_version: int,
    *,
    status: str | None = None,
    contact_worker_id: str | None = None,
) -> DirectoryRow:
    """Save changed directory data unless someone else saved since we read it."""
    now = clock.now()
    values: dict[str, object] = {
        "directory": _seal_directory(keys, student_id, data),
        "version": expected_version + 1,
        "updated_at": now,
        "updated_by": keys.worker_id,
    }
    if status is not None:
        values["status"] = status
        # The retention term runs from the moment a file is closed: set when
        # it becomes afgesloten (kept when it already was), cleared on reopening.
        values["closed_at"] = (
            case((Student.status == "afgesloten", Student.closed_at), else_=now)
            if status == "afgesloten" else None
        )
    if contact_worker_id is not None:
        values["contact_worker_id"] = contact_worker_id
    with store.session() as s:
        result = s.execute(
            update(Student)
            .where(Student.id == student_id, Student.version == expected_version)
            .values(**values)
        )
        if guard.rowcount(result) != 1:
            raise _conflict(s, student_id)
        # A status change is named in the (signed) log: the retention list
        # believes that entry, not the plain columns (storage.rights.closed_files).
        audit.append(
            s, keys, "change", worker_id=keys.worker_id, student_id=student_id,
            detail=f"status: {status}" if status is not None else "",
        )
        row = files.get_student(s, student_id)
        s.refresh(row)
        return DirectoryRow(
            row.id, row.version, row.status, row.contact_worker_id,
            row.created_at, row.updated_at, dict(data),
        )


def check_version(store: Store, student_id: str, expected_version: int) -> None:
    """``Conflict`` (naming who and when) unless the student is still at the version the worker saw."""
    with store.reading() as s:
        row = s.get(Student, student_id)
        if row is None:
            raise UnknownStudent(f"students/{student_id}")
        guard.check(s, f"students/{student_id}", row, expected_version)


def _conflict(s: Session, student_id: str) -> Exception:
    current = s.get(Student, student_id)
    if current is None:
        return UnknownStudent(f"students/{student_id}")
    return guard.of_row(s, f"students/{student_id}", current)


def load_directory(store: Store, keys: Keys, only: Iterable[str] | None = None) -> tuple[list[DirectoryRow], list[str]]:
    """Decrypt the whole directory (or the students ``only`` names) and parse
    every document. Returns (rows, ids of damaged rows)."""
    rows: list[DirectoryRow] = []
    entries, damaged = directory_plaintexts(store, keys, only)
    for sid, version, status, contact, raw in entries:
        try:
            data = load(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            damaged.append(sid)
            continue
        rows.append(DirectoryRow(sid, version, status, contact, None, None, data))
    return rows, damaged


DirectoryPlaintext = tuple[str, int, str, str | None, bytes]
"""(id, version, status, contact_worker_id, the decrypted directory document, not yet parsed)."""


def directory_plaintexts(
    store: Store, keys: Keys, only: Iterable[str] | None = None
) -> tuple[list[DirectoryPlaintext], list[str]]:
    """Decrypt the whole directory at unlock (or the students ``only`` names,
    when the change feed says they changed). Returns (entries, ids of rows
    that do not decrypt). The JSON is left to the caller
    (``jongerenteam.directory`` parses a document when it is first needed).

    A select of only what the spreekuur needs (no timestamps to parse):
    this runs for every student at every unlock and must stay well under
    half a second at 50,000 (docs/performance.md).
    """
    cols = (
        Student.id, Student.version, Student.status, Student.contact_worker_id, Student.directory,
    )
    with store.reading() as s:
        if only is None:
            # The whole table: the driver's own rows, without SQLAlchemy's (no column here
            # needs a type conversion; 0.32 instead of 0.43 s at 200,000 with exec_driver_sql).
            names = ", ".join(c.name for c in cols)
            result = store.plain_rows(s, f"SELECT {names} FROM {Student.__tablename__}")  # noqa: S608 - names from the model, no input
        else:
            wanted = sorted(set(only))
            result = []
            for i in range(0, len(wanted), 500):
                result += s.execute(select(*cols).where(Student.id.in_(wanted[i:i + 500]))).all()
    damaged: list[str] = []
    entries: list[DirectoryPlaintext] = []
    append = entries.append
    opened = open_column(keys.directory, "students", "directory", ((r[0], r[4]) for r in result))
    for (sid, raw), row in zip(opened, result, strict=True):
        if raw is None:
            damaged.append(sid)
        else:
            append((sid, row[1], row[2], row[3], raw))
    return entries, damaged


def all_ids(store: Store) -> set[str]:
    """Every student id in the store (plain ids, no keys needed)."""
    with store.reading() as s:
        return set(s.scalars(select(Student.id)).all())


def get_student(store: Store, keys: Keys, student_id: str) -> DirectoryRow:
    with store.reading() as s:
        row = s.get(Student, student_id)
        if row is None:
            raise UnknownStudent(f"students/{student_id}")
        data = _open_directory(keys, row.id, row.directory)
        return DirectoryRow(
            row.id, row.version, row.status, row.contact_worker_id,
            row.created_at, row.updated_at, data,
        )


def involved_student_ids(store: Store, worker_id: str, only: Iterable[str] | None = None) -> set[str]:
    """The students this worker holds a current key wrap for (of ``only``, if given)."""
    q = select(StudentKeyWrap.student_id).where(StudentKeyWrap.recipient == worker_id, files.current())
    with store.reading() as s:
        if only is None:
            return set(s.scalars(q).all())
        wanted = sorted(set(only))
        out: set[str] = set()
        for i in range(0, len(wanted), 500):
            out.update(s.scalars(q.where(StudentKeyWrap.student_id.in_(wanted[i:i + 500]))).all())
        return out


def involved_workers(store: Store, student_id: str) -> list[str]:
    with store.reading() as s:
        return [
            r
            for r in s.scalars(
                select(StudentKeyWrap.recipient).where(
                    StudentKeyWrap.student_id == student_id, files.current()
                )
            ).all()
            if r != ESCROW
        ]


def involve_worker(store: Store, keys: Keys, student_id: str, worker_id: str) -> None:
    """Wrap the student key for another worker (only someone involved can)."""
    with store.session() as s:
        key = files.student_key(s, keys, student_id)
        worker = s.get(Worker, worker_id)
        if worker is None or not worker.active:
            raise NotInvolved(f"workers/{worker_id}")
        exists = s.scalar(
            select(StudentKeyWrap).where(
                StudentKeyWrap.student_id == student_id, StudentKeyWrap.recipient == worker_id
            )
        )
        if exists is not None and exists.expires_at is not None:
            exists.expires_at = None  # added again: access no longer ends
            files.record_wrap(s, keys, student_id, worker_id, "toegang: zonder einddatum")
        if exists is None:
            files.wrap_for(s, keys, student_id, key, worker_id, files.recipient_public(s, keys, worker), "toegang: betrokken")
            audit.append(
                s, keys, "change", worker_id=keys.worker_id,
                student_id=student_id, on_behalf_of=worker_id, detail="betrokkene toegevoegd",
            )


def add_entry(store: Store, keys: Keys, student_id: str, kind: str, payload: JsonObject) -> str:
    """Add a file-tier entry. A non-involved worker appends without read access."""
    entry_id = files.new_entry_id()
    with store.session() as s:
        files.write_entries(s, keys, files.get_student(s, student_id), [(entry_id, kind, payload)])
    return entry_id


def read_file(store: Store, keys: Keys, student_id: str, *, log: bool = True) -> list[EntryView]:
    """Open a student's file tier (logged). Needs a wrapped student key.

    ``log=False`` only for a re-read right after the worker's own logged
    change, in a file this session already opened (the dossier screen).
    """
    with store.session() as s:
        key = files.student_key(s, keys, student_id)
        return files.read_entries(s, keys, student_id, key, event="open" if log else None)


def read_file_via_escrow(
    store: Store,
    keys: Keys,
    escrow_private: bytes,
    student_id: str,
    *,
    coordinator_id: str,
    reason_code: str,
) -> list[EntryView]:
    """Emergency access (break-glass): the escrow opens the file, logged as such.

    ``escrow_private`` comes from a coördinator's passphrase or the recovery
    code, never from the team key alone. A reason is required.
    """
    if not reason_code.strip():
        raise NotAllowed(f"students/{student_id}", reason=Reason.EMERGENCY_NEEDS_REASON)
    with store.session() as s:
        key = files.escrow_key(s, escrow_private, student_id)
        return files.read_entries(
            s, keys, student_id, key, event="emergency_access",
            on_behalf_of=coordinator_id, detail=reason_code,
        )
