"""Append-only audit log with an HMAC chain (NEN 7513 fields).

Each entry's MAC = HMAC(audit key, previous MAC || canonical entry), with the
audit key derived from the team key. Deleting, editing or reordering an entry
breaks the chain from that entry on; ``verify`` names the first broken one.

Entries written while no key is available (a failed login) are stored with
an empty MAC and sealed into the chain by the next successful unlock; until
then they sit at the tail, and an empty MAC anywhere else is a break.

The chain is anchored: ``audit_head`` holds the sequence number and MAC of
the newest sealed entry, itself under an HMAC. Cutting entries off the end,
or nulling the newest MACs to pass them off as pending failed logins, no
longer leaves a valid shorter chain. (Putting back a whole older copy of the
store cannot be detected from inside it; see docs/security.md.)

Appends are serialised, so the "last entry" read here cannot change under
us before COMMIT: on SQLite every write transaction starts with BEGIN
IMMEDIATE; on PostgreSQL ``append`` first takes the backend's chain lock (a
transaction-scoped advisory lock), which the store hands to every session in
``Session.info[CHAIN_LOCK_INFO]``. See docs/security.md, "Audit log".
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import clock
from storage.crypto import mac, mac_equal
from storage.models import AuditEntry, AuditHead

GENESIS = b"\x00" * 32

# Session.info key under which the store puts its backend's chain lock.
CHAIN_LOCK_INFO = "jongerenteam.lock_audit_chain"

EVENTS = frozenset(
    {
        "open",
        "create",
        "change",
        "delete",
        "export",
        "print",
        "search",
        "handover",
        "login",
        "failed_login",
        "lock",
        "unlock",
        "emergency_access",
        "erasure",
        "backup",
        "restore",
        "recovery",
        "worker_added",
        "worker_deactivated",
        "passphrase_changed",
        "migration",
        "settings",
    }
)


def access_point() -> str:
    return socket.gethostname()[:100] or "onbekend"


def _canonical(e: AuditEntry) -> bytes:
    parts = (
        str(e.seq),
        e.at,
        e.event,
        e.worker_id or "",
        e.student_id or "",
        e.on_behalf_of or "",
        e.access_point,
        e.detail or "",
    )
    return "\x1f".join(parts).encode("utf-8")


def _lock_chain(session: Session) -> None:
    """Wait for, then hold until the transaction ends, the right to extend the chain."""
    lock = session.info.get(CHAIN_LOCK_INFO)
    if lock is not None:
        lock(session)


def _next_seq(session: Session) -> int:
    return (session.scalar(select(func.max(AuditEntry.seq))) or 0) + 1


def _head_mac(audit_key: bytes, seq: int, last: bytes) -> bytes:
    return mac(audit_key, b"audit_head\x1f" + str(seq).encode() + b"\x1f" + last)


def _head(session: Session) -> AuditHead | None:
    return session.get(AuditHead, 1)


def _chain_end(session: Session) -> tuple[int, bytes]:
    """(seq, MAC) the next sealed entry chains to.

    The head when there is one; only a store migrated from before the head
    existed falls back, once, to the newest sealed entry in the table.
    """
    head = _head(session)
    if head is not None:
        return head.seq, head.mac
    row = session.execute(
        select(AuditEntry.seq, AuditEntry.mac)
        .where(AuditEntry.mac.is_not(None))
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    # (The query asks for sealed entries only: ``row[1]`` is never None.)
    return (row[0], row[1]) if row and row[1] is not None else (0, GENESIS)


def _advance_head(session: Session, audit_key: bytes, seq: int, last: bytes) -> None:
    head = _head(session)
    if head is None:
        session.add(AuditHead(id=1, seq=seq, mac=last, head_mac=_head_mac(audit_key, seq, last)))
        session.flush()  # so the next lookup in this transaction finds it
    else:
        head.seq, head.mac, head.head_mac = seq, last, _head_mac(audit_key, seq, last)


def append(
    session: Session,
    audit_key: bytes | None,
    event: str,
    *,
    worker_id: str | None = None,
    student_id: str | None = None,
    on_behalf_of: str | None = None,
    detail: str = "",
) -> AuditEntry:
    """Add one entry inside the caller's transaction.

    ``detail`` must never contain personal data: codes and counts only.
    Without an audit key the entry is left unsealed (see module docstring).
    """
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    # Send the caller's own changes first, so that while the chain lock is
    # held this transaction writes only audit rows (and, in a batch, new
    # rows): the lock is held briefly, and its holder never waits for a row
    # lock of a transaction that is waiting for the chain lock (no deadlock).
    session.flush()
    # Then the lock, before anything of the chain is read in this transaction.
    _lock_chain(session)
    if audit_key is not None:
        _seal(session, audit_key)
    entry = AuditEntry(
        seq=_next_seq(session),
        at=clock.now().isoformat(timespec="microseconds"),
        event=event,
        worker_id=worker_id,
        student_id=student_id,
        on_behalf_of=on_behalf_of,
        access_point=access_point(),
        detail=detail[:200],
    )
    if audit_key is not None:
        _, last = _chain_end(session)
        entry.mac = mac(audit_key, last + _canonical(entry))
        _advance_head(session, audit_key, entry.seq, entry.mac)
    session.add(entry)
    session.flush()
    return entry


def seal_pending(session: Session, audit_key: bytes) -> int:
    """Chain the unsealed entries after the anchored head (failed logins) in order.

    Only entries *after* the head are sealed: an entry the head already
    covers whose MAC was emptied stays broken and is reported by ``verify``.
    """
    _lock_chain(session)
    return _seal(session, audit_key)


def _seal(session: Session, audit_key: bytes) -> int:
    after, prev = _chain_end(session)
    pending = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.seq > after, AuditEntry.mac.is_(None))
        .order_by(AuditEntry.seq)
    ).all()
    if not pending:
        return 0
    for e in pending:
        e.mac = mac(audit_key, prev + _canonical(e))  # written by the flush below
        prev = e.mac
    _advance_head(session, audit_key, pending[-1].seq, prev)
    session.flush()
    return len(pending)


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    unsealed: int = 0


def authentic(session: Session, audit_key: bytes, entry: AuditEntry) -> bool:
    """Whether this one sealed entry is as it was written: its MAC over the
    entry before it still holds (no need to walk the whole chain)."""
    if entry.mac is None:
        return False
    prev = GENESIS if entry.seq == 1 else session.scalar(select(AuditEntry.mac).where(AuditEntry.seq == entry.seq - 1))
    return prev is not None and mac_equal(entry.mac, mac(audit_key, prev + _canonical(entry)))


def verify(session: Session, audit_key: bytes) -> Verification:
    """Walk the chain and check it against the anchored head; name the first break."""
    head = _head(session)
    head_seq = head.seq if head else 0
    prev = GENESIS
    expected_seq = 1
    checked = 0
    unsealed = 0
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    for e in rows:
        if e.seq != expected_seq:
            return Verification(False, checked, e.seq, "ontbrekende regel ervoor")
        expected_seq += 1
        if e.mac is None:
            if e.seq <= head_seq:
                return Verification(False, checked, e.seq, "verzegeling verwijderd")
            if e.event != "failed_login":
                return Verification(False, checked, e.seq, "niet verzegeld")
            unsealed += 1
            continue
        if unsealed:
            return Verification(False, checked, e.seq - unsealed, "niet verzegeld")
        if not mac_equal(e.mac, mac(audit_key, prev + _canonical(e))):
            return Verification(False, checked, e.seq, "gewijzigd of verplaatst")
        prev = e.mac
        checked += 1
        if head is not None and e.seq == head_seq and not mac_equal(e.mac, head.mac):
            return Verification(False, checked, e.seq, "gewijzigd of verplaatst")
    if checked and head is None:
        return Verification(False, checked, 1, "ankerpunt ontbreekt")
    if head is not None and not mac_equal(head.head_mac, _head_mac(audit_key, head.seq, head.mac)):
        return Verification(False, checked, head.seq, "ankerpunt gewijzigd")
    # Every entry up to the head was sealed and the head's own entry matched;
    # what can still be wrong is entries missing after the last one present.
    if head_seq > len(rows):
        return Verification(False, checked, len(rows) + 1, "regels aan het eind verwijderd")
    return Verification(True, checked, unsealed=unsealed)


@dataclass(frozen=True, slots=True)
class LogRow:
    """One line of a student's access log, as the file's log tab and an inzage show it."""

    at: datetime
    event: str
    worker_id: str | None
    on_behalf_of: str | None
    access_point: str
    detail: str


def student_log(session: Session, student_id: str, *, newest_first: bool = False, limit: int | None = None) -> list[LogRow]:
    """Who opened, changed or exported this student's file (no personal data in it)."""
    q = (
        select(
            AuditEntry.at, AuditEntry.event, AuditEntry.worker_id, AuditEntry.on_behalf_of,
            AuditEntry.access_point, AuditEntry.detail,
        )
        .where(AuditEntry.student_id == student_id)
        .order_by(AuditEntry.seq.desc() if newest_first else AuditEntry.seq)
    )
    if limit is not None:
        q = q.limit(limit)
    return [
        LogRow(datetime.fromisoformat(at), event, worker_id, on_behalf_of, point, detail)
        for at, event, worker_id, on_behalf_of, point, detail in session.execute(q).all()
    ]
