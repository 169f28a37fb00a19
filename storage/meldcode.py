"""The meldcode tier (issue 21): a trajectory under its own key, for its members only.

A meldcode trajectory is more sensitive than the rest of a student's file:
fewer people may read it. It is therefore not a file entry under the
student key, but a row of its own (``meldcode_trajectories``) whose body is
sealed under a random **trajectory key**, with the same machinery as the
file tier (``storage.crypto``: AES-256-GCM bound to the row, X25519 sealed
boxes for the wraps, ``files.recipient_public`` for the signed public key,
the signed audit log for records):

- the key is sealed (``meldcode_wraps``) to the worker who started the
  trajectory and to each colleague they add (the aandachtsfunctionaris, a
  colleague); being involved in the file gives nothing;
- there is **no escrow wrap**: noodtoegang, a coördinator's inzage of the
  file and the recovery code do not open it;
- the row and every wrap are records in the signed log (``mt:<id>``,
  ``mk:<id>`` with the member in ``on_behalf_of``), checked at every read: a
  row or wrap copied back, moved or slipped in is refused (``Tampered``);
- a member taken off gets nothing new: the trajectory gets a new key;
- every read and change is logged with a code (``meldcode: ...``), never
  what it holds.

What this cannot hide from someone with the store's file: that a trajectory
exists for a student id, when it was saved, and who its members are.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage import audit, clock, documents, files, guard
from storage.crypto import DecryptionError, FieldKey, open_column, open_field, open_sealed, random_key, seal_field, seal_to
from storage.documents import JsonObject
from storage.errors import NotAllowed, NotInvolved, Reason, Tampered, UnknownStudent
from storage.keyring import Keys
from storage.models import AuditEntry, MeldcodeCount, MeldcodeTrajectory, MeldcodeWrap, Worker
from storage.store import Store

# The audit detail of every meldcode line starts with this (the file's Logboek leaves them out).
DETAIL = audit.MELDCODE
ROW_RECORD = "mt:"
WRAP_RECORD = "mk:"
TABLE = "meldcode_trajectories"
WRAP_COLUMN = "meldcode_wraps.wrapped"

STARTED, AANDACHTSFUNCTIONARIS, COLLEAGUE = "gestart", "aandachtsfunctionaris", "collega"
ROLES = (STARTED, AANDACHTSFUNCTIONARIS, COLLEAGUE)


@dataclass(frozen=True, slots=True)
class TrajectoryView:
    id: str
    student_id: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    version: int
    members: dict[str, str]  # worker id -> role
    doc: JsonObject = field(repr=False)  # decrypted: never in a repr


# -- crypto: the same machinery as the file tier ----------------------------------------


def wrap_context(trajectory_id: str, recipient: str) -> bytes:
    return f"meldcode_wraps|{trajectory_id}|{recipient}".encode()


def _binding(row: MeldcodeTrajectory | tuple[str, str, int]) -> str:
    tid, sid, version = (row.id, row.student_id, row.version) if isinstance(row, MeldcodeTrajectory) else row
    return f"{tid}|{sid}|v{version}"


def _seal_body(key: bytes, tid: str, sid: str, version: int, doc: JsonObject) -> bytes:
    return seal_field(FieldKey.of(key), TABLE, "body", _binding((tid, sid, version)), documents.dump(doc))


def _open_body(key: bytes, row: MeldcodeTrajectory) -> JsonObject:
    try:
        doc: JsonObject = documents.load(open_field(FieldKey.of(key), TABLE, "body", _binding(row), row.body))
    except DecryptionError as exc:
        raise Tampered(exc.where) from None
    return doc


def row_hash(row: MeldcodeTrajectory) -> bytes:
    h = hashlib.sha256(b"meldcode trajectory")
    for part in (row.id, row.student_id, row.created_by, str(row.version)):
        h.update(b"\x1f" + part.encode())
    h.update(b"\x1f" + bytes(row.body))
    return h.digest()


def wrap_hash(w: MeldcodeWrap) -> bytes:
    h = hashlib.sha256(b"meldcode wrap")
    for part in (w.trajectory_id, w.recipient, w.role):
        h.update(b"\x1f" + part.encode())
    h.update(b"\x1f" + bytes(w.wrapped))
    return h.digest()


def _log(s: Session, keys: Keys, event: str, row: MeldcodeTrajectory, what: str, *,
         on_behalf_of: str | None = None, record: tuple[str, bytes] | None = None) -> None:
    audit.append(s, keys, event, worker_id=keys.worker_id, student_id=row.student_id,
                 on_behalf_of=on_behalf_of, detail=DETAIL + what, record=record)


def _record_row(s: Session, keys: Keys, event: str, row: MeldcodeTrajectory, what: str) -> None:
    s.flush()
    _log(s, keys, event, row, what, record=(ROW_RECORD + row.id, row_hash(row)))


def _record_wrap(s: Session, keys: Keys, row: MeldcodeTrajectory, recipient: str, what: str) -> None:
    s.flush()
    w = s.scalar(select(MeldcodeWrap).where(MeldcodeWrap.trajectory_id == row.id, MeldcodeWrap.recipient == recipient))
    _log(s, keys, "change", row, what, on_behalf_of=recipient,
         record=(WRAP_RECORD + row.id, b"" if w is None else wrap_hash(w)))


def _records(s: Session, row: MeldcodeTrajectory) -> tuple[bytes | None, dict[str, bytes]]:
    """The newest record of the row, and of each member's wrap, as the signed log says."""
    rows = s.execute(
        select(AuditEntry.entry_id, AuditEntry.on_behalf_of, AuditEntry.entry_hash)
        .where(AuditEntry.student_id == row.student_id,
               AuditEntry.entry_id.in_((ROW_RECORD + row.id, WRAP_RECORD + row.id)))
        .order_by(AuditEntry.seq)
    ).all()
    own: bytes | None = None
    wraps: dict[str, bytes] = {}
    for entry_id, member, digest in rows:
        if entry_id == ROW_RECORD + row.id:
            own = bytes(digest or b"")
        elif member is not None:
            wraps[member] = bytes(digest or b"")
    return own, wraps


def _check(s: Session, row: MeldcodeTrajectory, wraps: list[MeldcodeWrap]) -> None:
    """``Tampered`` unless the row and every wrap are what the signed log last said of them."""
    own, recorded = _records(s, row)
    if own is None or own != row_hash(row):
        raise Tampered(f"{TABLE} (anders dan in het logboek)")
    for w in wraps:
        if recorded.get(w.recipient) != wrap_hash(w):
            raise Tampered("meldcode_wraps (anders dan in het logboek)")


def _wraps(s: Session, tid: str) -> list[MeldcodeWrap]:
    return list(s.scalars(select(MeldcodeWrap).where(MeldcodeWrap.trajectory_id == tid)).all())


def _row(s: Session, tid: str) -> MeldcodeTrajectory:
    row = s.get(MeldcodeTrajectory, tid)
    if row is None:
        raise UnknownStudent(f"{TABLE}/{tid}")
    return row


def _key(s: Session, keys: Keys, row: MeldcodeTrajectory) -> tuple[bytes, list[MeldcodeWrap]]:
    """The trajectory key through the worker's own wrap (``NotInvolved`` for everyone else,
    also a coördinator with the escrow: there is no escrow wrap), checked against the log."""
    wraps = _wraps(s, row.id)
    mine = next((w for w in wraps if w.recipient == keys.worker_id), None)
    if mine is None:
        raise NotInvolved(f"{TABLE}/{row.id}")
    try:
        key = open_sealed(keys.worker_private, mine.wrapped, wrap_context(row.id, keys.worker_id), WRAP_COLUMN)
    except DecryptionError as exc:
        raise Tampered(exc.where) from None
    _check(s, row, wraps)
    return key, wraps


def _seal_for(s: Session, keys: Keys, row: MeldcodeTrajectory, key: bytes, worker: Worker, role: str) -> MeldcodeWrap:
    w = MeldcodeWrap(
        id=str(uuid.uuid4()), trajectory_id=row.id, recipient=worker.id, role=role,
        wrapped=seal_to(files.recipient_public(s, keys, worker), key, wrap_context(row.id, worker.id)),
        created_at=clock.now(),
    )
    s.add(w)
    return w


def _view(row: MeldcodeTrajectory, wraps: list[MeldcodeWrap], doc: JsonObject) -> TrajectoryView:
    return TrajectoryView(row.id, row.student_id, row.created_at, row.created_by, row.updated_at, row.updated_by,
                          row.version, {w.recipient: w.role for w in wraps}, doc)


# -- use -------------------------------------------------------------------------------------


COUNT_KINDS = ("gestart", "veilig_thuis", "melding")


def _count(s: Session, keys: Keys, counts: list[tuple[str, int]]) -> None:
    """The report's counts (kind, record key): no student id, the key under the directory key."""
    for kind, rk in counts:
        if kind not in COUNT_KINDS:
            raise ValueError("unknown meldcode count")
        cid = str(uuid.uuid4())
        s.add(MeldcodeCount(id=cid, kind=kind, at=clock.now(),
                            data=seal_field(keys.directory, "meldcode_counts", "data", cid, documents.dump({"rk": rk}))))


def counts_between(store: Store, keys: Keys, since: datetime, until: datetime) -> list[tuple[str, datetime, int]]:
    """(kind, when, record key) of the counted meldcode events in [since, until); a damaged row is left out."""
    with store.reading() as s:
        rows = s.execute(select(MeldcodeCount.id, MeldcodeCount.kind, MeldcodeCount.at, MeldcodeCount.data)
                         .where(MeldcodeCount.at >= since, MeldcodeCount.at < until)).all()
    meta = {rid: (kind, at) for rid, kind, at, _ in rows}
    out = []
    for rid, raw in open_column(keys.directory, "meldcode_counts", "data", [(rid, blob) for rid, _, _, blob in rows]):
        rk = documents.load(raw).get("rk") if raw is not None else None
        if isinstance(rk, int):
            kind, at = meta[rid]
            out.append((kind, at, rk))
    return out


def start(store: Store, keys: Keys, student_id: str, doc: JsonObject, *, rk: int = 0) -> str:
    """A new trajectory, started by a worker involved in the file, sealed to them alone
    (``rk``: the record key of its count in the report)."""
    with store.session() as s:
        files.require_involved(s, keys, student_id)  # only from the file, by someone on it
        me = s.get(Worker, keys.worker_id)
        if me is None:
            raise NotInvolved(f"workers/{keys.worker_id}")
        key = random_key()
        now = clock.now()
        tid = str(uuid.uuid4())
        row = MeldcodeTrajectory(
            id=tid, student_id=student_id, created_at=now, created_by=keys.worker_id, updated_at=now,
            updated_by=keys.worker_id, version=1, body=_seal_body(key, tid, student_id, 1, doc),
        )
        s.add(row)
        _record_row(s, keys, "create", row, "gestart")
        _seal_for(s, keys, row, key, me, STARTED)
        _record_wrap(s, keys, row, me.id, "lid: gestart")
        _count(s, keys, [("gestart", rk)])
        return tid


def read(store: Store, keys: Keys, tid: str, *, detail: str | None = "geopend") -> TrajectoryView:
    """One trajectory, for a member; logged as 'open' (``detail`` None: not logged)."""
    with store.session() as s:
        row = _row(s, tid)
        key, wraps = _key(s, keys, row)
        doc = _open_body(key, row)
        if detail is not None:
            _log(s, keys, "open", row, detail)
        return _view(row, wraps, doc)


def mine(store: Store, keys: Keys, *, detail: str | None = None) -> list[TrajectoryView]:
    """Every trajectory this worker is a member of (each read logged with ``detail`` when given;
    otherwise the caller logs, ``log_open``)."""
    with store.session() as s:
        ids = s.scalars(select(MeldcodeWrap.trajectory_id).where(MeldcodeWrap.recipient == keys.worker_id)).all()
        out = []
        for tid in ids:
            row = _row(s, tid)
            key, wraps = _key(s, keys, row)
            out.append(_view(row, wraps, _open_body(key, row)))
            if detail is not None:
                _log(s, keys, "open", row, detail)
        return sorted(out, key=lambda v: v.created_at)


def of_student(store: Store, keys: Keys, student_id: str) -> list[str]:
    """The ids of this student's trajectories that this worker is a member of (no key opened)."""
    with store.reading() as s:
        return list(s.scalars(
            select(MeldcodeTrajectory.id).join(MeldcodeWrap, MeldcodeWrap.trajectory_id == MeldcodeTrajectory.id)
            .where(MeldcodeTrajectory.student_id == student_id, MeldcodeWrap.recipient == keys.worker_id)
            .order_by(MeldcodeTrajectory.created_at)
        ).all())


def write(
    store: Store, keys: Keys, tid: str, expected_version: int, doc: JsonObject, what: str,
    counts: list[tuple[str, int]] | None = None,
) -> int:
    """Replace the document, against the version the worker saw (``Conflict`` otherwise); the new
    version. ``counts``: the report's counts this change adds (kind, record key)."""
    with store.session() as s:
        row = _row(s, tid)
        key, _ = _key(s, keys, row)
        guard.check(s, f"{TABLE}/{tid}", row, expected_version)
        version = expected_version + 1
        result = s.execute(
            update(MeldcodeTrajectory)
            .where(MeldcodeTrajectory.id == tid, MeldcodeTrajectory.version == expected_version)
            .values(version=version, body=_seal_body(key, tid, row.student_id, version, doc),
                    updated_at=clock.now(), updated_by=keys.worker_id)
            .execution_options(synchronize_session=False)
        )
        if guard.rowcount(result) != 1:
            raise guard.of_row(s, f"{TABLE}/{tid}", row)
        s.refresh(row)
        _record_row(s, keys, "change", row, what)
        _count(s, keys, counts or [])
        return version


def add_member(store: Store, keys: Keys, tid: str, worker_id: str, role: str) -> None:
    """The worker who started the trajectory seals its key to a colleague (the aandachtsfunctionaris, a colleague)."""
    if role not in (AANDACHTSFUNCTIONARIS, COLLEAGUE):
        raise ValueError("unknown meldcode role")
    with store.session() as s:
        row = _row(s, tid)
        key, wraps = _key(s, keys, row)
        _require_starter(wraps, keys, tid)
        worker = s.get(Worker, worker_id)
        if worker is None or not worker.active:
            raise NotAllowed(f"workers/{worker_id}", reason=Reason.INACTIVE_WORKER)
        existing = next((w for w in wraps if w.recipient == worker_id), None)
        if existing is not None:
            if existing.role == STARTED or existing.role == role:
                return
            existing.role = role
        else:
            _seal_for(s, keys, row, key, worker, role)
        _record_wrap(s, keys, row, worker_id, f"lid: {role}")


def remove_member(store: Store, keys: Keys, tid: str, worker_id: str) -> None:
    """Take a member off: the trajectory gets a new key, sealed to the others only."""
    with store.session() as s:
        row = _row(s, tid)
        key, wraps = _key(s, keys, row)
        _require_starter(wraps, keys, tid)
        if worker_id == keys.worker_id:
            raise NotAllowed(f"{TABLE}/{tid}", reason=Reason.MELDCODE_SELF)
        if all(w.recipient != worker_id for w in wraps):
            return
        doc = _open_body(key, row)
        _rotate(s, keys, row, doc, [w for w in wraps if w.recipient != worker_id])
        for w in wraps:
            if w.recipient == worker_id:
                s.delete(w)
        _record_wrap(s, keys, row, worker_id, "lid: niet meer")


def _rotate(s: Session, keys: Keys, row: MeldcodeTrajectory, doc: JsonObject, keep: list[MeldcodeWrap]) -> None:
    new_key = random_key()
    row.version += 1
    row.body = _seal_body(new_key, row.id, row.student_id, row.version, doc)
    row.updated_at, row.updated_by = clock.now(), keys.worker_id
    _record_row(s, keys, "change", row, "sleutel vernieuwd")
    for w in keep:
        worker = s.get(Worker, w.recipient)
        if worker is None or not worker.active:
            s.delete(w)
            _record_wrap(s, keys, row, w.recipient, "lid: niet meer")
            continue
        w.wrapped = seal_to(files.recipient_public(s, keys, worker), new_key, wrap_context(row.id, worker.id))
        _record_wrap(s, keys, row, w.recipient, "lid: nieuwe sleutel")


def _require_starter(wraps: list[MeldcodeWrap], keys: Keys, tid: str) -> None:
    if not any(w.recipient == keys.worker_id and w.role == STARTED for w in wraps):
        raise NotAllowed(f"{TABLE}/{tid}", reason=Reason.MELDCODE_STARTER_ONLY)


def log_open(store: Store, keys: Keys, tid: str, student_id: str, what: str) -> None:
    """Log a read of a trajectory that the caller made (``mine``), once."""
    with store.session() as s:
        audit.append(s, keys, "open", worker_id=keys.worker_id, student_id=student_id, detail=DETAIL + what)


def only_member_of(store: Store, worker_id: str) -> int:
    """How many trajectories only this worker can read (no key opened): for the coördinator
    about to deactivate her, since no escrow opens them afterwards."""
    from sqlalchemy import func

    with store.reading() as s:
        counts = s.execute(
            select(MeldcodeWrap.trajectory_id, func.count()).group_by(MeldcodeWrap.trajectory_id)
            .having(func.count() == 1)
        ).all()
        alone = {tid for tid, _ in counts}
        if not alone:
            return 0
        mine = s.scalars(select(MeldcodeWrap.trajectory_id).where(MeldcodeWrap.recipient == worker_id)).all()
        return len(alone & set(mine))
