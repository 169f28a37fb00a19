"""Store operations of the dossier: several entries in one transaction, an
entry rewritten (its payload carries its own history), removing a worker
from a file, the file's access log, and an export logged. The key and entry
operations themselves are in ``storage.files``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update

from storage import audit, clock, files, guard
from storage.crypto import FieldKey
from storage.documents import JsonObject
from storage.errors import NotAllowed, Reason, UnknownStudent
from storage.files import ESCROW
from storage.keyring import Keys
from storage.models import (
    AuditEntry,
    FileEntry,
    StudentKeyWrap,
)
from storage.store import Store

new_entry_id = files.new_entry_id


def add_entries(
    store: Store, keys: Keys, student_id: str, entries: Iterable[tuple[str, str, JsonObject]]
) -> None:
    """Add several file entries (id, kind, payload) at once: all of them, or none.

    Ids come from ``new_entry_id()`` so entries can name each other (a
    driegesprek lists the agreements made in it). An involved worker
    encrypts under the student key; anyone else appends sealed to the
    student's public key (``storage.files.write_entries``).
    """
    with store.session() as s:
        files.write_entries(s, keys, files.get_student(s, student_id), entries)


def rewrite_entry(
    store: Store,
    keys: Keys,
    student_id: str,
    entry_id: str,
    payload: JsonObject,
    expected_version: int,
    *,
    detail: str,
) -> int:
    """Store a new payload for an entry unless someone changed it since it was read.

    The caller keeps the earlier values inside ``payload`` (its history);
    this only guards the version and logs the change. Returns the new version.
    """
    now = clock.now()
    version = expected_version + 1
    with store.session() as s:
        fk = FieldKey.of(files.student_key(s, keys, student_id))
        current = s.get(FileEntry, entry_id)
        if current is None or current.student_id != student_id:
            raise UnknownStudent(f"file_entries/{entry_id}")
        # The row being replaced is the one the signed log names (not one put back).
        files.check_records(s, keys, student_id, [current], whole=False)
        kind, author = current.kind, current.created_by
        body = files.seal_entry(fk, files.entry_binding(entry_id, kind, author, version), payload)
        result = s.execute(
            update(FileEntry)
            .where(
                FileEntry.id == entry_id,
                FileEntry.student_id == student_id,
                FileEntry.version == expected_version,
            )
            .values(body=body, sealed=False, version=version, updated_at=now, updated_by=keys.worker_id)
        )
        if guard.rowcount(result) != 1:
            raise guard.of_row(s, f"file_entries/{entry_id}", current)
        audit.append(
            s, keys, "change", worker_id=keys.worker_id, student_id=student_id,
            detail=detail,
            record=(entry_id, files.entry_hash(entry_id, student_id, kind, author, version, False, body)),
        )
        return version


def check_entry(store: Store, student_id: str, entry_id: str, expected_version: int) -> None:
    """``Conflict`` (naming who and when) unless the entry is still at the version the worker saw."""
    with store.reading() as s:
        row = s.get(FileEntry, entry_id)
        if row is None or row.student_id != student_id:
            raise UnknownStudent(f"file_entries/{entry_id}")
        guard.check(s, f"file_entries/{entry_id}", row, expected_version)


def remove_involvement(store: Store, keys: Keys, student_id: str, worker_id: str) -> None:
    """Take a worker off a file: their wrap of the student key is deleted and
    the file gets a new key (``storage.files.rotate_key``).

    Refused for the contact person (choose another first) and for the last
    involved worker (the file would only open by noodtoegang). The caller
    must be involved.
    """
    with store.session() as s:
        key = files.student_key(s, keys, student_id)  # only someone involved may change who is
        student = files.get_student(s, student_id)
        if student.contact_worker_id == worker_id:
            raise NotAllowed(f"students/{student_id}", reason=Reason.CONTACT_PERSON)
        recipients = s.scalars(
            select(StudentKeyWrap.recipient).where(StudentKeyWrap.student_id == student_id)
        ).all()
        workers = [r for r in recipients if r != ESCROW]
        if worker_id not in workers:
            return
        if len(workers) <= 1:
            raise NotAllowed(f"students/{student_id}", reason=Reason.LAST_INVOLVED)
        # Their wrap goes, and the file gets a new key: what they kept of the old one opens nothing new.
        files.rotate_key(s, keys, student_id, key, drop=[worker_id])
        audit.append(
            s, keys, "change", worker_id=keys.worker_id, student_id=student_id,
            on_behalf_of=worker_id, detail="betrokkene verwijderd",
        )


def file_log(store: Store, keys: Keys, student_id: str, limit: int = 2000) -> list[audit.LogRow]:
    """Who opened or changed this file, newest first (only for those involved)."""
    with store.reading() as s:
        files.require_involved(s, keys, student_id)
        return audit.student_log(s, student_id, newest_first=True, limit=limit)


def shared_events(store: Store, student_id: str) -> list[tuple[datetime, str, str]]:
    """Every export and print of this file, oldest first: (when, event, what).

    No involvement needed: these lines hold codes, never personal data (a
    coördinator about to erase the file sees where its data went).
    """
    with store.reading() as s:
        rows = s.execute(
            select(AuditEntry.at, AuditEntry.event, AuditEntry.detail)
            .where(AuditEntry.student_id == student_id, AuditEntry.event.in_(("export", "print")))
            .order_by(AuditEntry.seq)
        ).all()
    return [(datetime.fromisoformat(at), event, detail or "") for at, event, detail in rows]


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


def log_event(store: Store, keys: Keys, event: str, student_id: str | None, detail: str) -> None:
    """Log an export or print of file data (``detail``: what, never personal data)."""
    with store.session() as s:
        if student_id is not None:
            files.require_involved(s, keys, student_id)  # only someone involved exports a file
        audit.append(s, keys, event, worker_id=keys.worker_id, student_id=student_id, detail=detail)
