"""The file tier's secret operations, each in exactly one place.

A student's file (talks, agreements, consent, notes) is sealed with a
per-student key. That key is wrapped (sealed to a public key) for every
involved worker and for the team escrow. Everything in storage/ that opens
a student key, wraps one, writes a file entry or reads the entries back
goes through this module, so a fix here is a fix everywhere:

- ``student_key``: the worker's own, still current wrap; with
  ``escrow=True`` a coördinator's opened escrow when they have no wrap.
- ``escrow_key``: the escrow wrap with an escrow private key given by the
  caller (noodtoegang, inzage, recovery, the backup check).
- ``wrap_for``: a new wrap for a worker or the escrow.
- ``write_entries``: new entries, encrypted under the student key, or, for
  a worker who may append but not read, sealed to the student's public key.
- ``read_entries``: the entries back (both kinds), with one audit line.
- ``rotate_key``: a new student key when someone's access ends, so what is
  written after it never opens with the key they held.

Every audit line goes through ``storage.audit.append``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from storage import audit, authority, clock, documents
from storage.crypto import (
    DecryptionError,
    FieldKey,
    new_keypair,
    open_field,
    open_sealed,
    random_key,
    seal_field,
    seal_to,
)
from storage.documents import JsonObject
from storage.errors import KeySwapped, NotInvolved, Tampered, UnknownStudent
from storage.keyring import Keys
from storage.models import AuditEntry, FileEntry, Handover, Student, StudentKeyWrap, Worker

# The recipient name of the team escrow's wrap of each student key.
ESCROW = "escrow"

WRAP_COLUMN = "student_key_wraps.wrapped"
# Said in the audit line of an entry added by someone who cannot read the file.
WITHOUT_READING = " (toegevoegd zonder inzage)"

# Every document sealed here goes through storage.documents: control
# characters and escape sequences never reach the store.
dump = documents.dump
load = documents.load


class EntryRow(Protocol):
    """What opening an entry needs of its row (a ``FileEntry``, or a selected row with these columns)."""

    @property
    def id(self) -> str: ...
    @property
    def student_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def created_by(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def sealed(self) -> bool: ...
    @property
    def body(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class EntryView:
    id: str
    kind: str
    created_at: datetime
    created_by: str
    version: int
    payload: JsonObject = field(repr=False)  # decrypted: never in a repr


def new_entry_id() -> str:
    return str(uuid.uuid4())


def wrap_context(student_id: str, recipient: str) -> bytes:
    return f"student_key_wraps|{student_id}|{recipient}".encode()


def entry_binding(entry_id: str, kind: str, created_by: str, version: int) -> str:
    """What an entry's envelope is bound to besides its table and column: the
    row's id, kind, author and version (an older version copied back, or a
    consent relabelled as a note, no longer opens as what it claims to be)."""
    return f"{entry_id}|{kind}|{created_by}|v{version}"


def entry_context(entry_id: str, student_id: str, binding: str | None = None) -> bytes:
    """The context of an entry sealed to the student's public key (``binding``: see ``entry_binding``)."""
    base = f"file_entries|body|{entry_id}|{student_id}"
    return (base + "|" + binding if binding else base).encode()


def entry_hash(entry_id: str, student_id: str, kind: str, created_by: str, version: int, sealed: bool, body: bytes) -> bytes:
    """The hash of a file entry's row as written: what its entry record in the signed log names."""
    h = hashlib.sha256(b"file entry")
    for part in (entry_id, student_id, kind, created_by, str(version), "1" if sealed else "0"):
        h.update(b"\x1f" + part.encode())
    h.update(b"\x1f" + bytes(body))
    return h.digest()


def row_hash(e: FileEntry) -> bytes:
    return entry_hash(e.id, e.student_id, e.kind, e.created_by, e.version, e.sealed, e.body)


def check_records(
    s: Session,
    keys: Keys,
    student_id: str,
    rows: Iterable[FileEntry],
    *,
    whole: bool,
    records: dict[str, bytes] | None = None,
) -> None:
    """``Tampered`` unless the rows are what the signed log says the file holds.

    Every row must match the newest entry record of its id (not a row copied
    back from an older copy, moved from another file, relabelled or given
    another author); with ``whole`` (every kind read) no recorded entry may
    be missing. A row without any record counts only in a store whose files
    were not recorded yet (``Keys.entries_from``). ``records``: this
    student's, when the caller read those of many students at once.
    """
    if records is None:
        records = audit.entry_records(s, [student_id]).get(student_id, {})
    seen: set[str] = set()
    for e in rows:
        seen.add(e.id)
        recorded = records.get(e.id)
        if recorded is None:
            if keys.entries_from is not None:
                raise Tampered("file_entries (niet in het logboek)")
            continue
        if recorded != row_hash(e):
            raise Tampered("file_entries (anders dan in het logboek)")
    if whole and {r for r in records if not r.startswith(OTHER_RECORDS)} - seen:
        raise Tampered("file_entries (regel verdwenen)")


# -- wrap records: who may open the student key, and until when, as the signed log says --


# The record id of a worker's wrap of one student key: its recipient, marked.
WRAP_RECORD = "w:"
# Records of the student's log that are not file entries: wraps, and the
# meldcode tier's rows and wraps (storage.meldcode: "mt:", "mk:").
OTHER_RECORDS = (WRAP_RECORD, "mt:", "mk:")
# How a wrap record's detail names the wrap's end (``self_extended`` reads it back).
_END = " [tot "
_NO_END = " [geen einde]"


def _moment(value: datetime | None) -> str:
    if value is None:
        return "-"
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="microseconds")


def wrap_hash(w: StudentKeyWrap) -> bytes:
    """The hash of a wrap row as written: student, recipient, the sealed key, and its end."""
    h = hashlib.sha256(b"student key wrap")
    for part in (w.student_id, w.recipient, _moment(w.expires_at)):
        h.update(b"\x1f" + part.encode())
    h.update(b"\x1f" + bytes(w.wrapped))
    return h.digest()


def record_wrap(s: Session, keys: Keys, student_id: str, recipient: str, detail: str, *, by: str | None = None) -> None:
    """Put a worker's wrap of this student key, as it is now (or its absence), in the signed log.

    Every change to who may open a file, and until when, goes through here:
    a wrap the log does not name as it is (an end date removed or moved, a
    wrap copied back from an older copy) does not open (``check_wrap``).
    The escrow's wrap is not a worker's access and is not recorded. ``by``:
    who did it, when that is not the session's own worker (a recovery).
    """
    if recipient == ESCROW:
        return
    s.flush()
    row = s.scalar(select(StudentKeyWrap).where(
        StudentKeyWrap.student_id == student_id, StudentKeyWrap.recipient == recipient))
    if row is not None:
        s.refresh(row)  # as stored (the end date's form), which is what a later read hashes
        detail += f"{_END}{_moment(row.expires_at)}]" if row.expires_at is not None else _NO_END
    audit.append(
        s, keys, "change", worker_id=by or keys.worker_id, student_id=student_id, on_behalf_of=recipient,
        detail=detail, record=(WRAP_RECORD + recipient, b"" if row is None else wrap_hash(row)),
    )


def check_wrap(s: Session, keys: Keys, w: StudentKeyWrap, records: dict[str, bytes] | None = None) -> None:
    """``Tampered`` unless this wrap is what the signed log last said of it (see ``record_wrap``);
    a wrap without a record counts only in a store whose files were not recorded yet."""
    if records is None:
        records = audit.entry_records(s, [w.student_id]).get(w.student_id, {})
    recorded = records.get(WRAP_RECORD + w.recipient)
    if recorded is None:
        if keys.entries_from is not None:
            raise Tampered("student_key_wraps (niet in het logboek)")
        return
    if recorded != wrap_hash(w):
        raise Tampered("student_key_wraps (anders dan in het logboek)")


def current() -> ColumnElement[bool]:
    """Wraps that still give access: no end date, or an end date still to come.

    A handover leaves the old helper a wrap that ends by itself; it stops
    counting at ``expires_at`` even before ``storage.handover.expire_wraps``
    deletes it.
    """
    return or_(StudentKeyWrap.expires_at.is_(None), StudentKeyWrap.expires_at > clock.now())


# -- student keys ------------------------------------------------------------------


def open_wrap(private: bytes, wrapped: bytes, student_id: str, recipient: str, where: str = WRAP_COLUMN) -> bytes:
    """Open one wrap of a student key; ``Tampered`` if it was changed."""
    try:
        return open_sealed(private, wrapped, wrap_context(student_id, recipient), where)
    except DecryptionError as exc:
        raise Tampered(exc.where) from None


def seal_wrap(public: bytes, student_key: bytes, student_id: str, recipient: str) -> bytes:
    return seal_to(public, student_key, wrap_context(student_id, recipient))


def student_key(s: Session, keys: Keys, student_id: str, *, escrow: bool = False) -> bytes:
    """The student key through the worker's own current wrap.

    ``escrow=True``: a coördinator without a wrap (a caseload transfer, a
    colleague who leaves) falls back to the escrow their passphrase opened.
    ``NotInvolved`` when neither opens it.
    """
    wrap = s.scalar(
        select(StudentKeyWrap).where(
            StudentKeyWrap.student_id == student_id,
            StudentKeyWrap.recipient == keys.worker_id,
            current(),
        )
    )
    if wrap is not None:
        key = open_wrap(keys.worker_private, wrap.wrapped, student_id, keys.worker_id)
        check_wrap(s, keys, wrap)  # after opening: a wrap moved between files says so first
        return key
    if escrow and keys.escrow_private is not None:
        return escrow_key(s, keys.escrow_private, student_id)
    raise NotInvolved(f"students/{student_id}")


def escrow_key(s: Session, escrow_private: bytes, student_id: str) -> bytes:
    """The student key through the escrow wrap (``escrow_private`` from a
    coördinator's passphrase or the recovery code, never the team key)."""
    wrap = s.scalar(
        select(StudentKeyWrap.wrapped).where(
            StudentKeyWrap.student_id == student_id, StudentKeyWrap.recipient == ESCROW
        )
    )
    if wrap is None:
        raise NotInvolved(f"students/{student_id}")
    return open_wrap(escrow_private, wrap, student_id, ESCROW)


def require_involved(s: Session, keys: Keys, student_id: str) -> None:
    """``NotInvolved`` unless the worker holds a current wrap of the student key."""
    student_key(s, keys, student_id)


def recipient_public(s: Session, keys: Keys, worker: Worker) -> bytes:
    """The public key to seal a student key to for ``worker``.

    In a signed team: the key the worker's grant (signed by the team's root)
    names, and ``KeySwapped`` when the plain column says otherwise, so a
    student key is never sealed to a key a colleague swapped in. In a team
    not signed yet: the column.
    """
    if keys.root_public is None or keys.signed_from is None:
        return bytes(worker.public_key)
    grant = authority.current_grant(s, keys.root_public, worker.id)
    if grant is None:
        raise Tampered("grants")
    if bytes(grant.box_public) != bytes(worker.public_key):
        raise KeySwapped(f"workers.public_key (medewerker {worker.id})", worker_id=worker.id)
    return bytes(grant.box_public)


def wrap_for(s: Session, keys: Keys, student_id: str, key: bytes, recipient: str, public: bytes, detail: str) -> None:
    """A new wrap of the student key for ``recipient`` (a worker or the escrow), recorded in the log."""
    wrap = StudentKeyWrap(
        id=str(uuid.uuid4()),
        student_id=student_id,
        recipient=recipient,
        wrapped=seal_wrap(public, key, student_id, recipient),
        created_at=clock.now(),
    )
    s.add(wrap)
    if recipient == ESCROW:
        return  # not a worker's access: not recorded (``record_wrap``)
    # The row as written here is the row as stored: no end date (whose stored
    # form ``record_wrap`` reads back), so it is hashed without reading it again.
    # (``audit.append`` flushes it first: a wrap that cannot be stored, for
    # example a second one for the same recipient, fails there.)
    audit.append(
        s, keys, "change", worker_id=keys.worker_id, student_id=student_id, on_behalf_of=recipient,
        detail=detail + _NO_END, record=(WRAP_RECORD + recipient, wrap_hash(wrap)),
    )


# -- entries -----------------------------------------------------------------------


_OWN = object()  # write_entries: try the worker's own key, else append sealed


def seal_entry(fk: FieldKey, binding: str, payload: JsonObject) -> bytes:
    """An entry's body under the student key, bound to ``entry_binding(...)``."""
    return seal_field(fk, "file_entries", "body", binding, dump(payload))


def write_entries(
    s: Session,
    keys: Keys,
    student: Student,
    entries: Iterable[tuple[str, str, JsonObject]],
    *,
    key: bytes | object | None = _OWN,
    detail: str = "",
) -> bool:
    """Add file entries (id, kind, payload), each with its audit line.

    ``key``: the student key (from the caller's earlier open); None to
    append sealed to the student's public key (a receiver declining); by
    default the worker's own key, or sealed when they are not involved.
    ``detail`` is added to each audit line (``' (coachwissel)'``).
    Returns whether the entries were sealed (added without reading access).
    """
    if key is _OWN:
        try:
            key = student_key(s, keys, student.id)
        except NotInvolved:
            key = None
    fk = FieldKey.of(key) if isinstance(key, bytes) else None
    now = clock.now()
    for entry_id, kind, payload in entries:
        binding = entry_binding(entry_id, kind, keys.worker_id, 1)
        if fk is not None:
            body = seal_entry(fk, binding, payload)
        else:
            body = seal_to(student.public_key, dump(payload), entry_context(entry_id, student.id, binding))
        s.add(
            FileEntry(
                id=entry_id, student_id=student.id, kind=kind, sealed=fk is None, body=body,
                created_at=now, created_by=keys.worker_id, updated_at=now,
                updated_by=keys.worker_id, version=1,
            )
        )
        audit.append(
            s, keys, "create", worker_id=keys.worker_id, student_id=student.id,
            detail=f"dossier: {kind}{detail}" + (WITHOUT_READING if fk is None else ""),
            record=(entry_id, entry_hash(entry_id, student.id, kind, keys.worker_id, 1, fk is None, body)),
        )
    return fk is None


def open_body(fk: FieldKey, private: Callable[[], bytes], e: EntryRow) -> bytes:
    """One entry's plaintext: under the student key, or (appended by someone
    not involved) sealed to the student's key pair; ``private()`` gives the
    student's private key, opened only when needed. ``Tampered`` if changed.

    Bound to the row's id, kind, author and version (``entry_binding``); an
    entry written before that binding existed opens with its id alone (its
    kind, author and version are then held by its entry record).
    """
    binding = entry_binding(e.id, e.kind, e.created_by, e.version)
    try:
        try:
            if e.sealed:
                return open_sealed(private(), e.body, entry_context(e.id, e.student_id, binding), "file_entries.body")
            return open_field(fk, "file_entries", "body", binding, e.body)
        except DecryptionError:
            if e.sealed:
                return open_sealed(private(), e.body, entry_context(e.id, e.student_id), "file_entries.body")
            return open_field(fk, "file_entries", "body", e.id, e.body)
    except DecryptionError as exc:
        raise Tampered(exc.where) from None


def open_entry(fk: FieldKey, private: Callable[[], bytes], e: EntryRow) -> JsonObject:
    doc: JsonObject = load(open_body(fk, private, e))
    return doc


def open_private(s: Session, fk: FieldKey, student_id: str) -> bytes:
    """The student's private key (it opens the entries appended sealed)."""
    try:
        return open_field(fk, "students", "private_key", student_id, get_student(s, student_id).private_key)
    except DecryptionError as exc:
        raise Tampered(exc.where) from None


def get_student(s: Session, student_id: str) -> Student:
    student = s.get(Student, student_id)
    if student is None:
        raise UnknownStudent(f"students/{student_id}")
    return student


def read_entries(
    s: Session,
    keys: Keys,
    student_id: str,
    key: bytes,
    *,
    event: str | None,
    on_behalf_of: str | None = None,
    detail: str = "",
    kinds: tuple[str, ...] | None = None,
) -> list[EntryView]:
    """The file's entries (or those of ``kinds``), oldest first, decrypted
    with ``key``; logged as ``event`` (None: not logged, for a re-read right
    after a logged change or a read that the caller logs itself)."""
    fk = FieldKey.of(key)
    private = open_private(s, fk, student_id)  # even when no entry is sealed: a changed key shows at once
    q = select(FileEntry).where(FileEntry.student_id == student_id)
    if kinds is not None:
        q = q.where(FileEntry.kind.in_(kinds))
    rows = s.scalars(q.order_by(FileEntry.created_at)).all()  # ties: as written
    out = [
        EntryView(e.id, e.kind, e.created_at, e.created_by, e.version, open_entry(fk, lambda: private, e))
        for e in rows
    ]
    check_records(s, keys, student_id, rows, whole=kinds is None)
    if event is not None:
        audit.append(
            s, keys, event, worker_id=keys.worker_id, student_id=student_id,
            on_behalf_of=on_behalf_of, detail=detail,
        )
    return out


# -- a new key when someone's access ends ------------------------------------------


ROTATED = "sleutel van het dossier vernieuwd"


def wrap_history(s: Session, student_id: str) -> dict[str, list[tuple[str | None, str]]]:
    """Per worker wrap of this file, its records oldest first: (author, detail)."""
    out: dict[str, list[tuple[str | None, str]]] = {}
    rows = s.execute(
        select(AuditEntry.entry_id, AuditEntry.worker_id, AuditEntry.detail)
        .where(AuditEntry.student_id == student_id, AuditEntry.entry_id.like(WRAP_RECORD + "%"))
        .order_by(AuditEntry.seq)
    ).all()
    for entry_id, author, detail in rows:
        out.setdefault(str(entry_id)[len(WRAP_RECORD):], []).append((author, detail or ""))
    return out


def split_end(detail: str) -> tuple[str, datetime | None]:
    """A wrap record's detail without the end it names (``record_wrap``), and that end."""
    if detail.endswith(_NO_END):
        return detail[: -len(_NO_END)], None
    if not detail.endswith("]") or _END not in detail:
        return detail, None
    at = detail.rindex(_END)
    try:
        return detail[:at], datetime.fromisoformat(detail[at + len(_END):-1])
    except ValueError:
        return detail, None


def self_extended(student: Student, w: StudentKeyWrap, history: dict[str, list[tuple[str | None, str]]]) -> bool:
    """Whether this worker lengthened their own access to the file: the newest
    record of their wrap is their own, they are not the file's contact
    person, and the wrap (as checked against that record) ends later than
    the end the last colleague who set it gave it, or not at all.

    The honest app never lets a worker do that: the contact person changes a
    read-along. A record like this comes from changed code run by the old
    helper while her read-along was ending; a new key is not wrapped for her.
    """
    records = history.get(w.recipient, [])
    if not records or records[-1][0] != w.recipient or student.contact_worker_id == w.recipient:
        return False
    for author, detail in reversed(records):
        if author != w.recipient:
            _, end = split_end(detail)
            if end is None:
                return False  # the colleague set no end (or a record from before ends were named)
            return w.expires_at is None or _aware(w.expires_at) > end
    return False


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def rotate_key(s: Session, keys: Keys, student_id: str, old_key: bytes, *, drop: Iterable[str] = ()) -> bytes:
    """Give the file a new student key and key pair, and return the key.

    Called when a worker's access ends (the read-along after a handover, a
    colleague taken off the file, a colleague who leaves): whatever that
    worker kept of the old key (a copy taken while they could read, a wrap
    row they kept from changed code) opens nothing written from now on.

    Every entry is opened with the old key (and checked against the signed
    log first), sealed again under the new one and recorded; the student's
    private key likewise. The remaining wraps (the escrow, every worker still
    on the file except ``drop`` and a worker who lengthened their own access,
    see ``self_extended``) and any key sealed to the receiver of a handover
    still open are sealed again with the new key. Logged as ``ROTATED``.
    """
    student = get_student(s, student_id)
    old_fk = FieldKey.of(old_key)
    old_private = open_private(s, old_fk, student_id)
    rows = s.scalars(select(FileEntry).where(FileEntry.student_id == student_id).order_by(FileEntry.created_at)).all()
    check_records(s, keys, student_id, rows, whole=True)  # only what the log vouches for is carried over
    new_key = random_key()
    new_fk = FieldKey.of(new_key)
    new_private, new_public = new_keypair()
    for e in rows:
        plain = open_body(old_fk, lambda: old_private, e)
        binding = entry_binding(e.id, e.kind, e.created_by, e.version)
        e.body = (
            seal_to(new_public, plain, entry_context(e.id, student_id, binding)) if e.sealed
            else seal_field(new_fk, "file_entries", "body", binding, plain)
        )
        audit.append(s, keys, "change", worker_id=keys.worker_id, student_id=student_id,
                     detail=audit.RESEALED, record=(e.id, row_hash(e)))
    student.public_key = new_public
    student.private_key = seal_field(new_fk, "students", "private_key", student_id, new_private)
    dropped = set(drop)
    history = wrap_history(s, student_id)
    records = audit.entry_records(s, [student_id]).get(student_id, {})
    now = clock.now()
    for w in s.scalars(select(StudentKeyWrap).where(StudentKeyWrap.student_id == student_id)).all():
        if w.recipient == ESCROW:
            w.wrapped = seal_wrap(keys.escrow_public, new_key, student_id, ESCROW)
            continue
        worker = s.get(Worker, w.recipient)
        keep = (worker is not None and worker.active and w.recipient not in dropped
                and (w.expires_at is None or _aware(w.expires_at) > now))
        if keep:
            check_wrap(s, keys, w, records)
            keep = not self_extended(student, w, history)
        if keep and worker is not None:
            w.wrapped = seal_wrap(recipient_public(s, keys, worker), new_key, student_id, w.recipient)
        else:
            s.delete(w)
        record_wrap(s, keys, student_id, w.recipient, "toegang: nieuwe sleutel" if keep else "toegang: niet meer")
    for h in s.scalars(select(Handover).where(Handover.student_id == student_id, Handover.pending_wrap.is_not(None))).all():
        receiver = s.get(Worker, h.to_worker_id) if h.to_worker_id else None
        if receiver is None or not receiver.active:
            h.pending_wrap = None
            continue
        h.pending_wrap = seal_wrap(recipient_public(s, keys, receiver), new_key, student_id, receiver.id)
    audit.append(s, keys, "change", worker_id=keys.worker_id, student_id=student_id, detail=ROTATED)
    return new_key
