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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import audit, authority, clock, rights
from storage.crypto import sign, signature_valid
from storage.keyring import Keys
from storage.models import AuditEntry, SeenHead
from storage.store import Store

ROLLED_BACK = "rolled back"
REPLACED = "replaced"

# What a worker's signed memory inside the store says (``check_seen_rows``),
# as codes in ``Keys.unlock_notes`` with the worker id it concerns.
SEEN_CUT = "seen: cut"  # the log is shorter than, or not the one, this worker saw
SEEN_FORGED = "seen: forged"  # the row is not signed by the worker it names
SEEN_MISSING = "seen: missing"  # a worker who logged in has no row any more
SEEN_OLD = "seen: old"  # the row is older than that worker's own newest login (an older row put back)


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
    # Erasures in the list or the side file without a valid coördinator signature: not applied.
    erasures_refused: int = 0


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
    found.erased_again, found.erasures_refused = _erase_returned(store, keys)
    found.head = current(store)
    return found


def current(store: Store) -> Seen | None:
    """The head as it is now, stamped with the store's clock."""
    with store.reading() as s:
        position = audit.head_position(s)
    if position is None:
        return None
    return Seen(position[0], position[1], clock.now().isoformat(timespec="microseconds"))


def _erase_returned(store: Store, keys: Keys) -> tuple[list[str], int]:
    """Students erased before (table or side file) who are in the store again: erase them again.

    Only erasures a coördinator signed count (``rights.trusted_erasures``): a
    line someone added to the list or the side file erases nothing; it is
    counted, said and logged. Returns (the ids erased again, how many were refused).
    """
    erased = rights.erasure_ids(store)
    side = rights.read_side_file(store.path) if store.path is not None else {}
    for sid, first in side.items():
        if sid not in erased or (first.sig and not erased[sid].sig):
            erased[sid] = first
    if not erased:
        return [], 0
    with store.reading() as s:
        trusted, refused = rights.trusted_erasures(s, keys, erased)
    if store.path is not None and any(not side.get(sid, rights.Erased(e.at)).sig for sid, e in trusted.items()):
        rights.write_side_file(store.path, trusted)  # the signed form, also for lines from before signing
    back = rights.present(store, trusted)
    removed = rights.erase_students(store, keys, back, "", reapply=True, originals=trusted) if back else []
    with store.session() as s:
        if removed:
            audit.append(
                s, keys, "integrity", worker_id=keys.worker_id,
                detail=f"gewiste studenten terug: {len(removed)}, opnieuw gewist",
            )
        refused_back = rights.present(store, refused)
        if refused_back:
            audit.append(
                s, keys, "integrity", worker_id=keys.worker_id,
                detail=f"{ERASURES_REFUSED}: {len(refused_back)}",
            )
    return removed, len(refused_back)


# The detail of the log line of erasures that were not applied again (no valid signature).
ERASURES_REFUSED = "wissingen zonder geldige handtekening genegeerd"


# -- each worker's signed memory inside the store -------------------------------------------


# The detail of the "migration" entry written with the first row (``record_seen``).
SEEN_KEPT = "gezien bijgehouden"


def _kept_from(s: Session) -> int | None:
    return audit.marker_seq(s, SEEN_KEPT)


def _seen_message(worker_id: str, seq: int, mac: bytes) -> bytes:
    return b"seen head\x1f" + worker_id.encode() + b"\x1f" + str(seq).encode() + b"\x1f" + mac


def record_seen(s: Session, keys: Keys) -> None:
    """Write this worker's signed row: the head as it is now (at unlock and at lock).

    Nothing in a team that is not signed yet (there is no key to check it with).
    """
    if keys.sign_seed is None or keys.root_public is None:
        return
    if _kept_from(s) is None:
        # From here on every worker who logs in has a row (``SEEN_MISSING`` counts from this entry).
        audit.append(s, keys, "migration", worker_id=keys.worker_id, detail=SEEN_KEPT)
    position = audit.head_position(s)
    if position is None:
        return
    seq, mac = position
    row = s.get(SeenHead, keys.worker_id)
    if row is None:
        row = SeenHead(worker_id=keys.worker_id)
        s.add(row)
    row.seq, row.mac, row.at = seq, mac, clock.now().isoformat(timespec="microseconds")
    row.sig = sign(keys.sign_seed, _seen_message(keys.worker_id, seq, mac))
    s.flush()


def _newest_logins(s: Session, kept_from: int | None, head: int | None) -> dict[str, int]:
    """Per worker, the seq of their newest signed login or unlock since the rows are kept,
    before ``head`` (the unlocking worker's own login, which is the head now)."""
    if kept_from is None or head is None:
        return {}
    rows = s.execute(
        select(AuditEntry.worker_id, func.max(AuditEntry.seq)).where(
            AuditEntry.event.in_(("login", "unlock")), AuditEntry.seq > kept_from, AuditEntry.seq < head,
            AuditEntry.mac.is_not(None),
        ).group_by(AuditEntry.worker_id)
    ).all()
    return {w: int(seq) for w, seq in rows if w is not None}


def check_seen_rows(s: Session, keys: Keys) -> list[tuple[str, str]]:
    """(code, worker id) for every worker whose signed memory the log no longer matches.

    A row signed by its worker whose position is past the head, or whose
    entry there carries another MAC: the log was cut or replaced after that
    worker saw it (``SEEN_CUT``). A row not signed by the worker it names
    (``SEEN_FORGED``). A worker who logged in since the rows exist (the
    ``SEEN_KEPT`` entry), without a row (``SEEN_MISSING``; the unlocking
    worker's own row is written after this check). A row older than its
    worker's own newest login (every unlock writes the row in the same
    transaction as its login, so it is never behind it): an older row put
    back from an older copy (``SEEN_OLD``). A whole older copy of the store
    brings its own older rows: that is for each laptop's memory (``check``).
    """
    if keys.root_public is None or keys.signed_from is None:
        return []
    trust = authority.trust(s, keys.root_public, keys.signed_from)
    position = audit.head_position(s)
    found: list[tuple[str, str]] = []
    have: set[str] = set()
    kept_from = _kept_from(s)
    newest_login = _newest_logins(s, kept_from, position[0] if position is not None else None)
    for row in s.scalars(select(SeenHead).order_by(SeenHead.worker_id)).all():
        have.add(row.worker_id)
        message = _seen_message(row.worker_id, row.seq, bytes(row.mac))
        if not any(signature_valid(k, row.sig, message) for k in trust.signing_keys.get(row.worker_id, set())):
            found.append((SEEN_FORGED, row.worker_id))
        elif position is None or position[0] < row.seq or audit.mac_at(s, row.seq) != bytes(row.mac):
            found.append((SEEN_CUT, row.worker_id))
        elif row.seq < newest_login.get(row.worker_id, 0):
            found.append((SEEN_OLD, row.worker_id))
    if kept_from is not None:
        logged_in = s.scalars(
            select(AuditEntry.worker_id).where(
                AuditEntry.event == "login", AuditEntry.seq > kept_from, AuditEntry.mac.is_not(None),
            ).distinct()
        ).all()
        found += [(SEEN_MISSING, w) for w in sorted(w for w in logged_in if w and w not in have and w != keys.worker_id)]
    for code, worker_id in found:
        audit.append(s, keys, "integrity", worker_id=keys.worker_id, on_behalf_of=worker_id, detail=code)
    return found
