"""Append-only audit log with an HMAC chain (NEN 7513 fields).

Each entry's MAC = HMAC(audit key, previous MAC || canonical entry), with the
audit key derived from the team key. Deleting, editing or reordering an entry
breaks the chain from that entry on; ``verify`` names the first broken one.

Entries written while no key is available (a failed login) are stored with
an empty MAC and sealed into the chain by the next successful unlock; until
then they sit at the tail, and an empty MAC anywhere else is a break.

Writers are serialised by the database: SQLite's write transactions start
with BEGIN IMMEDIATE, so the "last entry" read here cannot change under us.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage import clock
from storage.crypto import mac, mac_equal
from storage.models import AuditEntry

GENESIS = b"\x00" * 32

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


def _next_seq(session: Session) -> int:
    return (session.scalar(select(func.max(AuditEntry.seq))) or 0) + 1


def _last_mac(session: Session) -> bytes:
    last = session.scalar(
        select(AuditEntry.mac)
        .where(AuditEntry.mac.is_not(None))
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )
    return last or GENESIS


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
    if audit_key is not None:
        seal_pending(session, audit_key)
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
        entry.mac = mac(audit_key, _last_mac(session) + _canonical(entry))
    session.add(entry)
    session.flush()
    return entry


def seal_pending(session: Session, audit_key: bytes) -> int:
    """Chain the unsealed entries at the tail (failed logins) in order."""
    pending = session.scalars(
        select(AuditEntry).where(AuditEntry.mac.is_(None)).order_by(AuditEntry.seq)
    ).all()
    if not pending:
        return 0
    prev = _last_mac(session)
    for e in pending:
        e.mac = mac(audit_key, prev + _canonical(e))
        prev = e.mac
        session.execute(update(AuditEntry).where(AuditEntry.seq == e.seq).values(mac=e.mac))
    session.flush()
    return len(pending)


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    unsealed: int = 0


def verify(session: Session, audit_key: bytes) -> Verification:
    """Walk the chain; report the first entry that does not verify."""
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
            unsealed += 1
            continue
        if unsealed:
            return Verification(False, checked, e.seq - unsealed, "niet verzegeld")
        if not mac_equal(e.mac, mac(audit_key, prev + _canonical(e))):
            return Verification(False, checked, e.seq, "gewijzigd of verplaatst")
        prev = e.mac
        checked += 1
    return Verification(True, checked, unsealed=unsealed)
