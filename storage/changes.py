"""What changed in the store since a moment: read from the audit log.

Every change a use case makes is logged in the same transaction as the
change itself (``storage.audit``, NEN 7513): the event, the worker, the
student (an id) and a code-only detail, with a sequence number that grows
in commit order (writers are serialised: BEGIN IMMEDIATE on SQLite, the
chain lock on PostgreSQL). So the log is also the store's change feed: a
window reads the entries after the last one it saw and knows which students,
workers or team settings to read again. No extra table, nothing decrypted,
and it works the same on SQLite and PostgreSQL, across windows and laptops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from storage.models import AuditEntry
from storage.store import Store

# Events that change what a window shows. Reads ("open", "export", "search"),
# logins and locks change nothing.
CHANGING = (
    "create", "change", "delete", "handover", "erasure", "emergency_access", "settings",
    "worker_added", "worker_deactivated", "recovery", "passphrase_changed", "restore", "migration",
)


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    event: str
    worker_id: str | None
    student_id: str | None
    detail: str
    at: datetime


def latest(store: Store) -> int:
    """The sequence number of the newest log entry (0 for an empty log)."""
    with store.reading() as s:
        return s.scalar(select(func.max(AuditEntry.seq))) or 0


def since(store: Store, seq: int, *, limit: int = 10_000) -> tuple[int, list[Change]]:
    """(newest sequence number now, the changing entries after ``seq`` up to it, oldest first).

    One short read transaction, so the two agree. More than ``limit``
    changes: the caller should read everything again.
    """
    with store.reading() as s:
        newest = s.scalar(select(func.max(AuditEntry.seq))) or 0
        if newest <= seq:
            return newest, []
        rows = s.execute(
            select(AuditEntry.seq, AuditEntry.event, AuditEntry.worker_id, AuditEntry.student_id,
                   AuditEntry.detail, AuditEntry.at)
            .where(AuditEntry.seq > seq, AuditEntry.seq <= newest, AuditEntry.event.in_(CHANGING))
            .order_by(AuditEntry.seq)
            .limit(limit + 1)
        ).all()
    return newest, [Change(r[0], r[1], r[2], r[3], r[4] or "", datetime.fromisoformat(r[5])) for r in rows]
