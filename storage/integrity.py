"""What a worker's app checks at every unlock against what it saw before.

Inside one shared store nothing can tell a whole older copy from the real
thing: every row in it was once valid. What can tell is memory kept
elsewhere. Each worker's app remembers, outside the store (``seen``, kept by
``jongerenteam.integrity`` in the user's state folder), the newest anchored
audit head it saw per team. At the next unlock:

- the head is *older* (a lower sequence number) than the one seen: the store
  was put back to an older copy;
- the head is newer, but the entry at the remembered position no longer
  carries the remembered MAC: the log was replaced by another history.

Either is accepted when an authentic 'restore' entry was written after the
moment it was seen (a coördinator put a backup back, on purpose). Otherwise
it is logged ('integrity') and told to the worker.

And every unlock applies the erasure list again: an erased student's id is
in the ``erasures`` table and in the side file ``<store>.erasures``; a
student with such an id back in the store (an old copy put over the
current one) is erased again at once, and that is logged and told.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from storage import audit, clock, rights
from storage.keyring import Keys
from storage.models import Student
from storage.store import Store

ROLLED_BACK = "rolled back"
REPLACED = "replaced"


@dataclass(frozen=True, slots=True)
class Seen:
    """The newest head a worker's app saw for one team (no personal data)."""

    seq: int
    mac: bytes
    at: str  # ISO moment, the store's clock


@dataclass(slots=True)
class Findings:
    """What the checks at this unlock found."""

    head: Seen | None = None
    log_problem: str | None = None  # ROLLED_BACK or REPLACED
    seen_seq: int = 0
    found_seq: int = 0
    erased_again: list[str] = field(default_factory=list)


def check(store: Store, keys: Keys, seen: Seen | None) -> Findings:
    """Compare the store with what this app saw, erase returned students again, log what was found."""
    found = Findings()
    with store.session() as s:
        position = audit.head_position(s)
        if position is not None and seen is not None:
            seq = position[0]
            found.seen_seq, found.found_seq = seen.seq, seq
            if seq < seen.seq:
                found.log_problem = ROLLED_BACK
            elif audit.mac_at(s, seen.seq) != seen.mac:
                found.log_problem = REPLACED
            if found.log_problem and audit.restored_after(s, keys.audit_key, seen.at):
                found.log_problem = None
        if found.log_problem:
            audit.append(
                s, keys, "integrity", worker_id=keys.worker_id,
                detail=f"{found.log_problem}: gezien {found.seen_seq}, nu {found.found_seq}",
            )
    found.erased_again = _erase_returned(store, keys)
    found.head = current(store)
    return found


def current(store: Store) -> Seen | None:
    """The head as it is now, stamped with the store's clock."""
    with store.reading() as s:
        position = audit.head_position(s)
    if position is None:
        return None
    return Seen(position[0], position[1], clock.now().isoformat(timespec="microseconds"))


def _erase_returned(store: Store, keys: Keys) -> list[str]:
    """Students erased before (table or side file) who are in the store again: erase them again."""
    erased = rights.erasure_ids(store)
    if store.path is not None:
        for sid, at in rights.read_side_file(store.path).items():
            erased.setdefault(sid, at)
    if not erased:
        return []
    ids = list(erased)
    back: list[str] = []
    with store.reading() as s:
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            back += [sid for (sid,) in s.execute(select(Student.id).where(Student.id.in_(chunk))).all()]
    if not back:
        return []
    removed = rights.erase_students(store, keys, back, "", reapply=True)
    with store.session() as s:
        audit.append(
            s, keys, "integrity", worker_id=keys.worker_id,
            detail=f"gewiste studenten terug: {len(removed)}, opnieuw gewist",
        )
    return removed
