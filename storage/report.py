"""The statistics tier: what the reports count about each student.

One ``StatisticsRecord`` per student, its ``data`` a JSON document sealed
with the directory key, so a coördinator gets the figures without opening
any file (the file tier stays under the per-student keys). The document
holds codes, dates and counts only: no name, birth date, student number or
free text (docs/security.md and docs/architecture.md, reporting). When a student
is erased, ``student_id`` is emptied and the anonymous record stays.

Writers do a read-modify-write with a version guard; a concurrent change
makes them read again and re-apply (``update``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

import orjson
from sqlalchemy import func, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import audit, clock, guard
from storage.crypto import DecryptionError, open_column, open_field, seal_field
from storage.documents import JsonObject
from storage.errors import NotAllowed, Reason, Tampered
from storage.keyring import Keys
from storage.models import AnonymousContact, FileEntry, StatisticsRecord, Student
from storage.store import Store

TABLE, COLUMN = "statistics", "data"
RETRIES = 5


def _seal(keys: Keys, record_id: str, data: JsonObject) -> bytes:
    return seal_field(keys.directory, TABLE, COLUMN, record_id, orjson.dumps(data, option=orjson.OPT_SORT_KEYS))


def _open(keys: Keys, record_id: str, blob: bytes) -> JsonObject:
    try:
        data: JsonObject = orjson.loads(open_field(keys.directory, TABLE, COLUMN, record_id, blob))
    except DecryptionError as exc:
        raise Tampered(exc.where) from None
    return data


def get(store: Store, keys: Keys, student_id: str) -> JsonObject | None:
    """The decrypted statistics document of one student, or None."""
    with store.reading() as s:
        row = s.scalar(select(StatisticsRecord).where(StatisticsRecord.student_id == student_id))
        return None if row is None else _open(keys, row.id, row.data)


def update(store: Store, keys: Keys, student_id: str, change: Callable[[JsonObject | None], JsonObject]) -> JsonObject:
    """Read the student's document, apply ``change`` (it gets None for a new
    record and returns the new document) and write it back, in the caller's
    unit of work (``Store.unit``) when there is one.

    The write only lands if nobody saved in between (version guard); on a
    conflict the document is read again and ``change`` applied again, so
    ``change`` must be a pure function of the document it is given. A first
    record that a colleague created at the same moment (the unique student
    id) is inserted in a savepoint, so losing that race only means reading
    theirs, not losing the transaction.
    """
    with store.session() as s:
        for _ in range(RETRIES):
            row = s.execute(
                select(StatisticsRecord.id, StatisticsRecord.version, StatisticsRecord.data)
                .where(StatisticsRecord.student_id == student_id)
            ).first()
            now = clock.now()
            if row is not None:
                record_id, version, blob = row
                data = change(_open(keys, record_id, blob))
                done = s.execute(
                    sql_update(StatisticsRecord)
                    .where(StatisticsRecord.id == record_id, StatisticsRecord.version == version)
                    .values(data=_seal(keys, record_id, data), updated_at=now, version=version + 1)
                )
                if guard.rowcount(done) == 1:
                    return data
                continue
            data = change(None)
            record_id = str(uuid.uuid4())
            try:
                with s.begin_nested():
                    s.execute(insert(StatisticsRecord).values(
                        id=record_id, student_id=student_id, data=_seal(keys, record_id, data),
                        updated_at=now, version=1,
                    ))
                return data
            except IntegrityError:
                continue  # a colleague created the record just now: read theirs and apply again
        # The record has no updated_by (it is anonymous): 'een collega', now.
        raise guard.conflict(s, f"statistics/{student_id}", None, None)


def load_all(store: Store, keys: Keys) -> tuple[list[JsonObject], int]:
    """Every statistics document (also of erased students). Returns
    (documents, number of damaged records left out).

    One Core select and ``open_column``: this is the report's hot path
    (50,000 records, benchmarks/bench_report.py).
    """
    with store.reading() as s:
        rows = s.execute(select(StatisticsRecord.id, StatisticsRecord.data)).all()
    out: list[JsonObject] = []
    damaged = 0
    loads = orjson.loads
    append = out.append
    for _, raw in open_column(keys.directory, TABLE, COLUMN, rows):
        if raw is None:
            damaged += 1
            continue
        try:
            append(loads(raw))
        except ValueError:
            damaged += 1
    return out, damaged


def anonymous_walk_in_times(store: Store, since: datetime, until: datetime) -> list[datetime]:
    """When anonymous walk-ins happened (plain column; nothing to decrypt)."""
    with store.reading() as s:
        return list(s.scalars(
            select(AnonymousContact.at).where(AnonymousContact.at >= since, AnonymousContact.at < until)
        ))


def students_without_record(store: Store) -> list[str]:
    """Students registered before the statistics tier existed."""
    with store.reading() as s:
        have = select(StatisticsRecord.student_id).where(StatisticsRecord.student_id.is_not(None))
        return list(s.scalars(select(Student.id).where(Student.id.not_in(have))))


def entry_metadata(store: Store, student_ids: list[str]) -> dict[str, list[tuple[str, datetime]]]:
    """(kind, created_at) of the file entries of these students: plain columns,
    no file key needed (the backfill of old stores)."""
    out: dict[str, list[tuple[str, datetime]]] = {sid: [] for sid in student_ids}
    with store.reading() as s:
        for start in range(0, len(student_ids), 500):
            chunk = student_ids[start:start + 500]
            for sid, kind, at in s.execute(
                select(FileEntry.student_id, FileEntry.kind, FileEntry.created_at)
                .where(FileEntry.student_id.in_(chunk)).order_by(FileEntry.created_at)
            ):
                out[sid].append((kind, at))
    return out


def student_created(store: Store, student_ids: list[str]) -> dict[str, tuple[datetime, str, datetime | None]]:
    """(created_at, status, closed_at) per student: plain columns."""
    out = {}
    with store.reading() as s:
        for start in range(0, len(student_ids), 500):
            chunk = student_ids[start:start + 500]
            for sid, created, status, closed in s.execute(
                select(Student.id, Student.created_at, Student.status, Student.closed_at).where(Student.id.in_(chunk))
            ):
                out[sid] = (created, status, closed)
    return out


def add_many(store: Store, keys: Keys, documents: dict[str, JsonObject]) -> int:
    """Create records for students that have none yet (one transaction).
    Students that got one meanwhile are skipped. Returns how many were made."""
    made = 0
    with store.session() as s:
        have = set(s.scalars(select(StatisticsRecord.student_id).where(StatisticsRecord.student_id.in_(list(documents)))))
        now = clock.now()
        for sid, data in documents.items():
            if sid in have:
                continue
            record_id = str(uuid.uuid4())
            s.add(StatisticsRecord(id=record_id, student_id=sid, data=_seal(keys, record_id, data),
                                   updated_at=now, version=1))
            made += 1
    return made


def count(store: Store) -> int:
    with store.reading() as s:
        return s.scalar(select(func.count()).select_from(StatisticsRecord)) or 0


def log_report_export(store: Store, keys: Keys, what: str) -> None:
    """Log that a report left the app (``what``: e.g. "rapportage csv"; no personal data)."""
    if not keys.is_coordinator:
        raise NotAllowed("statistics", reason=Reason.COORDINATOR_ONLY)
    with store.session() as s:
        audit.append(s, keys, "export", worker_id=keys.worker_id, detail=what)


def anonymised(doc: JsonObject) -> JsonObject:
    """The document of an erased student: talk ids dropped (they pointed into a
    file that no longer exists), everything the figures count kept."""
    out = dict(doc)
    out["gesprekken"] = [[d, t, ""] for d, t, *_ in doc.get("gesprekken", [])]
    return out


def detach(s: Session, keys: Keys, student_id: str) -> None:
    """Inside an erasure's transaction: unlink the student's record and keep it
    anonymous (``anonymised``). Nothing else about the student stays."""
    record = s.scalar(select(StatisticsRecord).where(StatisticsRecord.student_id == student_id))
    if record is None:
        return
    record.data = _seal(keys, record.id, anonymised(_open(keys, record.id, record.data)))
    record.student_id = None
    record.version += 1
    record.updated_at = clock.now()
