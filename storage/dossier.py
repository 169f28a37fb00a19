"""Store operations of the dossier: several entries in one transaction, an
entry rewritten (its payload carries its own history), removing a worker
from a file, the file's access log, the team's sociale kaart, and how a
worker can be reached (for the student's afsprakenoverzicht).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select, update

from storage import audit, clock, guard
from storage.crypto import DecryptionError, FieldKey, open_field, seal_field, seal_to
from storage.errors import Conflict, NotAllowed, NotInvolved, Tampered, UnknownStudent
from storage.keyring import Keys
from storage.models import (
    AuditEntry,
    FileEntry,
    SocialMapEntry,
    Student,
    StudentKeyWrap,
    Worker,
)
from storage.store import Store
from storage.students import _dump, _entry_context, _load, _student_key
from storage.team import ESCROW


def new_entry_id() -> str:
    return str(uuid.uuid4())


def add_entries(
    store: Store, keys: Keys, student_id: str, entries: Iterable[tuple[str, str, dict]]
) -> None:
    """Add several file entries (id, kind, payload) at once: all of them, or none.

    Ids come from ``new_entry_id()`` so entries can name each other (a
    driegesprek lists the agreements made in it). An involved worker
    encrypts under the student key; anyone else appends sealed to the
    student's public key, as ``storage.students.add_entry`` does.
    """
    now = clock.now()
    with store.session() as s:
        student = s.get(Student, student_id)
        if student is None:
            raise UnknownStudent(f"students/{student_id}")
        try:
            fk: FieldKey | None = FieldKey.of(_student_key(s, keys, student_id))
        except NotInvolved:
            fk = None
        for entry_id, kind, payload in entries:
            if fk is not None:
                body = seal_field(fk, "file_entries", "body", entry_id, _dump(payload))
            else:
                body = seal_to(student.public_key, _dump(payload), _entry_context(entry_id, student_id))
            s.add(
                FileEntry(
                    id=entry_id, student_id=student_id, kind=kind, sealed=fk is None, body=body,
                    created_at=now, created_by=keys.worker_id, updated_at=now,
                    updated_by=keys.worker_id, version=1,
                )
            )
            audit.append(
                s, keys.audit_key, "create", worker_id=keys.worker_id, student_id=student_id,
                detail=f"dossier: {kind}" + (" (toegevoegd zonder inzage)" if fk is None else ""),
            )


def rewrite_entry(
    store: Store,
    keys: Keys,
    student_id: str,
    entry_id: str,
    payload: dict,
    expected_version: int,
    *,
    detail: str,
) -> int:
    """Store a new payload for an entry unless someone changed it since it was read.

    The caller keeps the earlier values inside ``payload`` (its history);
    this only guards the version and logs the change. Returns the new version.
    """
    now = clock.now()
    with store.session() as s:
        fk = FieldKey.of(_student_key(s, keys, student_id))
        result = s.execute(
            update(FileEntry)
            .where(
                FileEntry.id == entry_id,
                FileEntry.student_id == student_id,
                FileEntry.version == expected_version,
            )
            .values(
                body=seal_field(fk, "file_entries", "body", entry_id, _dump(payload)),
                sealed=False,
                version=expected_version + 1,
                updated_at=now,
                updated_by=keys.worker_id,
            )
        )
        if result.rowcount != 1:
            current = s.get(FileEntry, entry_id)
            if current is None or current.student_id != student_id:
                raise UnknownStudent(f"file_entries/{entry_id}")
            raise guard.of_row(s, f"file_entries/{entry_id}", current)
        audit.append(
            s, keys.audit_key, "change", worker_id=keys.worker_id, student_id=student_id,
            detail=detail,
        )
        return expected_version + 1


def check_entry(store: Store, student_id: str, entry_id: str, expected_version: int) -> None:
    """``Conflict`` (naming who and when) unless the entry is still at the version the worker saw."""
    with store.reading() as s:
        row = s.get(FileEntry, entry_id)
        if row is None or row.student_id != student_id:
            raise UnknownStudent(f"file_entries/{entry_id}")
        guard.check(s, f"file_entries/{entry_id}", row, expected_version)


def remove_involvement(store: Store, keys: Keys, student_id: str, worker_id: str) -> None:
    """Take a worker off a file: their wrap of the student key is deleted.

    Refused for the contact person (choose another first) and for the last
    involved worker (the file would only open by noodtoegang). The caller
    must be involved.
    """
    with store.session() as s:
        _student_key(s, keys, student_id)  # only someone involved may change who is
        student = s.get(Student, student_id)
        if student.contact_worker_id == worker_id:
            raise NotAllowed(f"students/{student_id}", reason="contact person")
        recipients = s.scalars(
            select(StudentKeyWrap.recipient).where(StudentKeyWrap.student_id == student_id)
        ).all()
        workers = [r for r in recipients if r != ESCROW]
        if worker_id not in workers:
            return
        if len(workers) <= 1:
            raise NotAllowed(f"students/{student_id}", reason="last involved")
        s.execute(
            delete(StudentKeyWrap).where(
                StudentKeyWrap.student_id == student_id, StudentKeyWrap.recipient == worker_id
            )
        )
        audit.append(
            s, keys.audit_key, "change", worker_id=keys.worker_id, student_id=student_id,
            on_behalf_of=worker_id, detail="betrokkene verwijderd",
        )


@dataclass(frozen=True, slots=True)
class LogRow:
    at: datetime
    event: str
    worker_id: str | None
    on_behalf_of: str | None
    access_point: str
    detail: str


def file_log(store: Store, keys: Keys, student_id: str, limit: int = 2000) -> list[LogRow]:
    """Who opened or changed this file, newest first (only for those involved)."""
    with store.reading() as s:
        _student_key(s, keys, student_id)
        rows = s.execute(
            select(
                AuditEntry.at, AuditEntry.event, AuditEntry.worker_id, AuditEntry.on_behalf_of,
                AuditEntry.access_point, AuditEntry.detail,
            )
            .where(AuditEntry.student_id == student_id)
            .order_by(AuditEntry.seq.desc())
            .limit(limit)
        ).all()
    return [LogRow(datetime.fromisoformat(at), *rest) for at, *rest in rows]


def entry_counts(store: Store, student_id: str) -> dict[str, int]:
    """How many entries of each kind a file has (no decryption)."""
    with store.reading() as s:
        return dict(
            s.execute(
                select(FileEntry.kind, func.count())
                .where(FileEntry.student_id == student_id)
                .group_by(FileEntry.kind)
            ).all()
        )


# -- the sociale kaart -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MapRow:
    id: str
    version: int
    kind: str  # organisatie | professional
    updated_at: datetime
    data: dict = field(repr=False)  # decrypted: never in a repr


def _seal_map(keys: Keys, entry_id: str, data: dict) -> bytes:
    return seal_field(keys.directory, "social_map", "data", entry_id, _dump(data))


def social_map(store: Store, keys: Keys) -> list[MapRow]:
    """The team's sociale kaart (organisations and professionals), decrypted."""
    with store.reading() as s:
        rows = s.scalars(select(SocialMapEntry).where(SocialMapEntry.removed_at.is_(None))).all()
        out = []
        for r in rows:
            try:
                data = _load(open_field(keys.directory, "social_map", "data", r.id, r.data))
            except DecryptionError as exc:
                raise Tampered(exc.where) from None
            out.append(MapRow(r.id, r.version, r.kind, r.updated_at, data))
    return out


def add_map_entry(store: Store, keys: Keys, kind: str, data: dict) -> str:
    entry_id = str(uuid.uuid4())
    now = clock.now()
    with store.session() as s:
        s.add(
            SocialMapEntry(
                id=entry_id, kind=kind, data=_seal_map(keys, entry_id, data), created_at=now,
                updated_at=now, updated_by=keys.worker_id, version=1,
            )
        )
        audit.append(s, keys.audit_key, "create", worker_id=keys.worker_id, detail="sociale kaart")
    return entry_id


def update_map_entry(
    store: Store, keys: Keys, entry_id: str, kind: str, data: dict, expected_version: int
) -> None:
    with store.session() as s:
        result = s.execute(
            update(SocialMapEntry)
            .where(SocialMapEntry.id == entry_id, SocialMapEntry.version == expected_version)
            .values(
                kind=kind, data=_seal_map(keys, entry_id, data), version=expected_version + 1,
                updated_at=clock.now(), updated_by=keys.worker_id,
            )
        )
        if result.rowcount != 1:
            current = s.get(SocialMapEntry, entry_id)
            if current is None:
                raise NotAllowed(f"social_map/{entry_id}", reason="removed")
            by = s.get(Worker, current.updated_by)
            raise Conflict(
                f"social_map/{entry_id}", by_name=by.full_name if by else "onbekend",
                at=clock.local_time(current.updated_at).strftime("%H:%M"),
            )
        audit.append(s, keys.audit_key, "change", worker_id=keys.worker_id, detail="sociale kaart")


def remove_map_entry(store: Store, keys: Keys, entry_id: str, expected_version: int) -> None:
    """Remove an entry from the kaart, as the worker saw it (a colleague's change in
    between is a ``Conflict``). Its details are overwritten, the row stays as a
    tombstone so consents that named it still resolve to 'verwijderd'."""
    with store.session() as s:
        row = s.get(SocialMapEntry, entry_id)
        if row is None or row.removed_at is not None:
            return
        guard.check(s, f"social_map/{entry_id}", row, expected_version)
        now = clock.now()
        row.data = _seal_map(keys, entry_id, {})
        row.removed_at = now
        row.updated_at = now
        row.updated_by = keys.worker_id
        row.version += 1
        audit.append(s, keys.audit_key, "delete", worker_id=keys.worker_id, detail="sociale kaart")


# -- how a worker is reached ---------------------------------------------------------------


def worker_contact(store: Store, keys: Keys, worker_id: str) -> str:
    """How students reach this worker (work phone, e-mail), or ''."""
    with store.reading() as s:
        w = s.get(Worker, worker_id)
        if w is None or w.contact is None:
            return ""
        try:
            return open_field(keys.directory, "workers", "contact", worker_id, w.contact).decode()
        except DecryptionError as exc:
            raise Tampered(exc.where) from None


def set_worker_contact(store: Store, keys: Keys, text: str) -> None:
    """A worker sets their own reachability (shown to students in overviews)."""
    with store.session() as s:
        w = s.get(Worker, keys.worker_id)
        w.contact = seal_field(keys.directory, "workers", "contact", keys.worker_id, text.encode())
        audit.append(s, keys.audit_key, "settings", worker_id=keys.worker_id, detail="eigen bereikbaarheid")


def log_event(store: Store, keys: Keys, event: str, student_id: str | None, detail: str) -> None:
    """Log an export or print of file data (``detail``: what, never personal data)."""
    with store.session() as s:
        if student_id is not None:
            _student_key(s, keys, student_id)  # only someone involved exports a file
        audit.append(s, keys.audit_key, event, worker_id=keys.worker_id, student_id=student_id, detail=detail)
