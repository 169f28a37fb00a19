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
longer leaves a valid shorter chain. Every sealed append checks the head
first and refuses (``LogTampered``) to chain onto a head that is missing,
changed or no longer matches its entry, or onto a log that was emptied: an
unlock always appends, so a cut log cannot be hidden behind a fresh tail.
(Putting back a whole older copy of the store cannot be seen from inside it;
each worker's app remembers the newest head it saw, see ``storage.seen``.)

Appends are serialised, so the "last entry" read here cannot change under
us before COMMIT: on SQLite every write transaction starts with BEGIN
IMMEDIATE; on PostgreSQL ``append`` first takes the backend's chain lock (a
transaction-scoped advisory lock), which the store hands to every session in
``Session.info[CHAIN_LOCK_INFO]``. See docs/security.md, "Audit log".
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import authority, clock
from storage.crypto import mac, mac_equal, signature_valid
from storage.errors import LogTampered, WorkerInactive
from storage.keyring import Keys
from storage.models import AuditEntry, AuditHead, Worker

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
        # What a worker's app saw that it should not have: a store older than
        # before, a log that was replaced, erased students back (jongerenteam.integrity).
        "integrity",
    }
)


def access_point() -> str:
    return socket.gethostname()[:100] or "onbekend"


def _canonical(e: AuditEntry) -> bytes:
    parts: tuple[str, ...] = (
        str(e.seq),
        e.at,
        e.event,
        e.worker_id or "",
        e.student_id or "",
        e.on_behalf_of or "",
        e.access_point,
        e.detail or "",
    )
    if e.entry_id is not None:  # an entry record (storage.files): what the file held after it
        parts += (e.entry_id, (e.entry_hash or b"").hex())
    return "\x1f".join(parts).encode("utf-8")


def _lock_chain(session: Session) -> None:
    """Wait for, then hold until the transaction ends, the right to extend the chain."""
    lock = session.info.get(CHAIN_LOCK_INFO)
    if lock is not None:
        lock(session)


def _next_seq(session: Session) -> int:
    return (session.scalar(select(func.max(AuditEntry.seq))) or 0) + 1


def next_seq(session: Session) -> int:
    """The sequence number the next entry will get (inside a writing transaction)."""
    return _next_seq(session)


def _head_mac(audit_key: bytes, seq: int, last: bytes) -> bytes:
    return mac(audit_key, b"audit_head\x1f" + str(seq).encode() + b"\x1f" + last)


# Session.info key holding the head row an append checked or wrote, under the
# chain lock: the session's identity map holds objects weakly, and without it
# every look-up of the head in the same transaction (the check, the move, the
# next append) would read it again.
_HEAD_REF = "jongerenteam.audit_head"


def _head(session: Session) -> AuditHead | None:
    return session.get(AuditHead, 1)


def _chain_end(session: Session, keys: Keys) -> tuple[int, bytes, list[tuple[int, bytes | None]]]:
    """(seq, MAC) the next sealed entry chains to: the anchored head, checked
    first; and (seq, MAC) of every entry after it (refused logins waiting to
    be sealed, normally none), read in the same query as the head's own entry.

    Nothing is chained onto a head that does not hold: its own MAC, and the
    entry it names with the same MAC. A log with entries but no head was cut
    (the newest entries removed together with the head). Either is refused
    with ``LogTampered``: chaining on would hide the cut behind a fresh,
    valid-looking tail. (An emptied log is refused at unlock: ``require_log``.)
    """
    # Read from the store, whatever the session held before it had the chain lock.
    head = session.get(AuditHead, 1, populate_existing=True)
    session.info[_HEAD_REF] = head
    if head is None:
        if session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.mac.is_not(None))):
            raise LogTampered("audit_head", reason="missing")
        rows = session.execute(select(AuditEntry.seq, AuditEntry.mac).order_by(AuditEntry.seq)).all()
        return 0, GENESIS, [(seq, entry_mac) for seq, entry_mac in rows]
    if not mac_equal(head.head_mac, _head_mac(keys.audit_key, head.seq, head.mac)):
        raise LogTampered("audit_head", reason="changed", seq=head.seq)
    rows = session.execute(
        select(AuditEntry.seq, AuditEntry.mac).where(AuditEntry.seq >= head.seq).order_by(AuditEntry.seq)
    ).all()
    at_head = rows[0][1] if rows and rows[0][0] == head.seq else None
    if at_head is None or not mac_equal(at_head, head.mac):
        raise LogTampered("audit_head", reason="cut", seq=head.seq)
    return head.seq, head.mac, [(seq, entry_mac) for seq, entry_mac in rows[1:]]


def _advance_head(session: Session, keys: Keys, seq: int, last: bytes) -> None:
    head = _head(session)
    if head is None:
        head = AuditHead(id=1, seq=seq, mac=last)
        session.add(head)
        session.info[_HEAD_REF] = head
    head.seq, head.mac, head.head_mac = seq, last, _head_mac(keys.audit_key, seq, last)
    # Signed by whoever moved it (a team that is signed, storage.authority).
    head.signer, head.sig = (keys.worker_id, keys.sign(_head_message(seq, last))) if keys.sign_seed else (None, None)
    # Written with the entry: ``append`` flushes both (a query before that autoflushes).


def _entry_message(entry_mac: bytes) -> bytes:
    """What an entry's author signs: its MAC, which covers the entry and the one before."""
    return b"audit entry\x1f" + entry_mac


def _head_message(seq: int, last: bytes) -> bytes:
    return b"audit head\x1f" + str(seq).encode() + b"\x1f" + last


def _seal_entry(entry: AuditEntry, keys: Keys, prev: bytes) -> bytes:
    """MAC (team) and signature (the worker whose session writes it) of one entry."""
    entry.mac = mac(keys.audit_key, prev + _canonical(entry))
    if keys.sign_seed:
        entry.signer, entry.sig = keys.worker_id, keys.sign(_entry_message(entry.mac))
    return entry.mac


def require_log(session: Session) -> None:
    """Refuse a log that was emptied: a team's creation is always its first
    entry, so an unlock that finds no entry at all finds a log wiped clean."""
    if session.scalar(select(AuditEntry.seq).limit(1)) is None:
        raise LogTampered("audit_log", reason="empty")


def append(
    session: Session,
    keys: Keys | None,
    event: str,
    *,
    worker_id: str | None = None,
    student_id: str | None = None,
    on_behalf_of: str | None = None,
    detail: str = "",
    record: tuple[str, bytes] | None = None,
) -> AuditEntry:
    """Add one entry inside the caller's transaction.

    ``detail`` must never contain personal data: codes and counts only.
    ``record``: (file entry id, hash of its row) for an entry that wrote a
    file entry (``storage.files.entry_hash``): an entry record.
    ``keys``: the session writing it, which seals (MAC) and signs the entry
    and the head. Without keys (a refused login) the entry is left unsealed
    (see module docstring).
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
    end: tuple[int, bytes] | None = None
    if keys is None:
        session.info.pop(_OWN_END, None)  # an unsealed entry after our head: the next append checks again
        seq = _next_seq(session)
    else:
        if event not in STILL_ALLOWED_WHEN_INACTIVE:
            require_active(session, keys)
        end = _own_end(session, keys)
        if end is not None:
            seq = end[0] + 1
        else:
            after, last, seq = _seal(session, keys)
            end = after, last
    entry = AuditEntry(
        seq=seq,
        at=clock.now().isoformat(timespec="microseconds"),
        event=event,
        worker_id=worker_id,
        student_id=student_id,
        on_behalf_of=on_behalf_of,
        access_point=access_point(),
        detail=detail[:200],
        entry_id=record[0] if record else None,
        entry_hash=record[1] if record else None,
    )
    if keys is not None and end is not None:
        _advance_head(session, keys, entry.seq, _seal_entry(entry, keys, end[1]))
    session.add(entry)
    session.flush()
    if keys is not None:
        # The head this transaction itself just moved (see ``_own_end``).
        session.info[_OWN_END] = (session.get_transaction(), keys.audit_key, entry.seq, entry.mac)
    return entry


# Session.info key: (transaction, audit key, seq, MAC) of the head this
# transaction itself last moved.
_OWN_END = "jongerenteam.audit_own_end"


def _own_end(session: Session, keys: Keys) -> tuple[int, bytes] | None:
    """The chain end when this transaction itself moved the head last, and it still stands.

    The first append of a transaction checks the anchored head and seals
    pending entries (``_seal``), under the chain lock that is held until the
    transaction ends (BEGIN IMMEDIATE on SQLite, the advisory lock and the
    head's row lock on PostgreSQL): nobody else can append or move the head
    until then. So a later append in the same transaction chains onto the
    head it wrote itself without reading and checking the log again: the
    head as this session holds it must still be exactly that one (a
    savepoint rolled back, or anything else that moved it, means the full
    check again), and an unsealed entry written meanwhile clears it.
    """
    own = session.info.get(_OWN_END)
    if own is None or own[0] is not session.get_transaction() or own[1] != keys.audit_key:
        return None
    _, _, seq, last = own
    head = _head(session)  # from the session's identity map: no query while it is current
    if head is None or head.seq != seq or head.mac is None or not mac_equal(head.mac, last):
        return None
    return seq, last


# What a window of a worker who was deactivated meanwhile may still log: that it locks.
STILL_ALLOWED_WHEN_INACTIVE = frozenset({"lock"})
_ACTIVE_CHECKED = "jongerenteam.active_checked"


def require_active(session: Session, keys: Keys) -> None:
    """``WorkerInactive`` when the worker of this session was deactivated (by a
    coördinator, in another window or on another laptop) after it unlocked.

    Every write logs, so every write comes through here: an open window of a
    worker who left the team stores nothing more. Read once per transaction,
    after the chain lock (so a deactivation committed before this write is seen).
    """
    if session.info.get(_ACTIVE_CHECKED) == keys.worker_id:
        return
    active = session.scalar(select(Worker.active).where(Worker.id == keys.worker_id))
    if active is False:
        raise WorkerInactive(keys.worker_id, own=True)
    session.info[_ACTIVE_CHECKED] = keys.worker_id


def _seal(session: Session, keys: Keys) -> tuple[int, bytes, int]:
    """Chain the unsealed entries after the anchored head (refused logins) in order, signed by this session.

    Only entries *after* the head are sealed: an entry the head already
    covers whose MAC was emptied stays broken and is reported by ``verify``.
    Returns the chain end after it: (seq, MAC) of the checked head, or of
    the last entry sealed here (the new head); and the next free seq.
    """
    after, prev, tail = _chain_end(session, keys)
    next_seq = (tail[-1][0] if tail else after) + 1
    if all(entry_mac is not None for _, entry_mac in tail):
        return after, prev, next_seq
    pending = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.seq > after, AuditEntry.mac.is_(None))
        .order_by(AuditEntry.seq)
    ).all()
    for e in pending:
        prev = _seal_entry(e, keys, prev)  # written by the flush below
    _advance_head(session, keys, pending[-1].seq, prev)
    return pending[-1].seq, prev, next_seq


def head_position(session: Session) -> tuple[int, bytes] | None:
    """(seq, MAC) of the anchored head, or None for a log without one."""
    head = _head(session)
    return (head.seq, head.mac) if head is not None else None


def mac_at(session: Session, seq: int) -> bytes | None:
    """The MAC of entry ``seq`` (None: no such entry, or not sealed)."""
    return session.scalar(select(AuditEntry.mac).where(AuditEntry.seq == seq))


def restored_after(session: Session, audit_key: bytes, moment: str) -> bool:
    """Whether an authentic 'restore' entry was written after ``moment`` (ISO text):
    a coördinator put a backup back, so an older log is expected."""
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.event == "restore", AuditEntry.at > moment).order_by(AuditEntry.seq)
    ).all()
    return any(authentic(session, audit_key, e) for e in entries)


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    unsealed: int = 0
    # Entries signed with a colleague's new key that no coördinator has
    # granted yet (storage.authority): counted, not a break.
    unconfirmed: int = 0


# Only a coördinator (by their signed grant) writes these; an entry of this
# kind signed by anyone else was made with a changed app or store.
COORDINATOR_EVENTS = frozenset({"worker_added", "worker_deactivated"})


def authentic(session: Session, audit_key: bytes, entry: AuditEntry) -> bool:
    """Whether this one sealed entry is as it was written: its MAC over the
    entry before it still holds (no need to walk the whole chain)."""
    if entry.mac is None:
        return False
    prev = GENESIS if entry.seq == 1 else session.scalar(select(AuditEntry.mac).where(AuditEntry.seq == entry.seq - 1))
    return prev is not None and mac_equal(entry.mac, mac(audit_key, prev + _canonical(entry)))


def _signed(trust: authority.Trust, signer: str | None, sig: bytes | None, message: bytes) -> bool:
    if signer is None:
        return False
    keys = {trust.root} if signer == authority.ROOT_SIGNER else trust.signing_keys.get(signer, set())
    return any(signature_valid(k, sig, message) for k in keys)


def signed_by_author(trust: authority.Trust, e: AuditEntry) -> bool:
    """Whether a sealed entry carries a valid signature of the worker it names (or of the root)."""
    if e.mac is None or e.signer not in (e.worker_id, authority.ROOT_SIGNER):
        return False
    return _signed(trust, e.signer, e.sig, _entry_message(e.mac))


# Handover lines only a coördinator writes (storage.handover: a proposal on behalf of
# the contact person, a new contact person named while the file waits for consent).
COORDINATOR_HANDOVER_LINES = ("overdracht voorgesteld door coördinator", "contactpersoon aangewezen")


def _needs_coordinator(e: AuditEntry) -> bool:
    if e.event == "handover":
        return (e.detail or "").startswith(COORDINATOR_HANDOVER_LINES)
    return e.event in COORDINATOR_EVENTS or (e.event == "erasure" and not (e.detail or "").startswith("terugzetten"))


def verify(session: Session, keys: Keys) -> Verification:
    """Walk the chain and check it against the anchored head; name the first break.

    In a signed team (``keys.root_public``, from the worker's own
    attestation) every entry from ``signed_from`` on, and the head, must
    also carry a valid signature of a worker the root granted a signing key
    (or of the root itself), and an entry only a coördinator writes must be
    signed by one: rewriting the log needs the keys of everyone who wrote
    after the change, not just the team key every worker has.
    """
    audit_key = keys.audit_key
    trust = authority.trust(session, keys.root_public, keys.signed_from) if keys.root_public and keys.signed_from else None
    signed_from = keys.signed_from or 0
    if trust is not None and trust.forged:
        return Verification(False, 0, None, "rechten van een medewerker veranderd zonder geldige handtekening")
    head = _head(session)
    head_seq = head.seq if head else 0
    prev = GENESIS
    expected_seq = 1
    checked = 0
    unsealed = 0
    unconfirmed = 0
    gone: set[str] = set()
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
        if trust is not None and e.seq >= signed_from:
            if not _signed(trust, e.signer, e.sig, _entry_message(e.mac)):
                return Verification(False, checked, e.seq, "handtekening ontbreekt of klopt niet")
            # Signed by the worker it names (or the root key): nobody re-signs a
            # colleague's entries as their own without it showing. A refused
            # login is sealed, and signed, by whoever unlocks next.
            if e.worker_id is not None and e.event != "failed_login" and e.signer not in (e.worker_id, authority.ROOT_SIGNER):
                return Verification(False, checked, e.seq, "ondertekend door een ander dan wie het deed")
            if _needs_coordinator(e) and e.signer != authority.ROOT_SIGNER and trust.role(e.signer) != authority.COORDINATOR:
                return Verification(False, checked, e.seq, "gedaan zonder bevoegdheid")
            if e.signer in trust.pending:
                unconfirmed += 1
            # A deactivated worker signs nothing after their deactivation (even
            # with a copy of their old slot, which still holds their seed).
            if e.signer in gone:
                return Verification(False, checked, e.seq, "ondertekend door een gedeactiveerde medewerker")
            if e.event == "worker_deactivated" and e.on_behalf_of:
                gone.add(e.on_behalf_of)
        prev = e.mac
        checked += 1
        if head is not None and e.seq == head_seq and not mac_equal(e.mac, head.mac):
            return Verification(False, checked, e.seq, "gewijzigd of verplaatst")
    if checked and head is None:
        return Verification(False, checked, 1, "ankerpunt ontbreekt")
    if head is not None and not mac_equal(head.head_mac, _head_mac(audit_key, head.seq, head.mac)):
        return Verification(False, checked, head.seq, "ankerpunt gewijzigd")
    if (
        head is not None and trust is not None and head.seq >= signed_from
        and not _signed(trust, head.signer, head.sig, _head_message(head.seq, head.mac))
    ):
        return Verification(False, checked, head.seq, "ankerpunt niet ondertekend")
    # Every entry up to the head was sealed and the head's own entry matched;
    # what can still be wrong is entries missing after the last one present.
    if head_seq > len(rows):
        return Verification(False, checked, len(rows) + 1, "regels aan het eind verwijderd")
    return Verification(True, checked, unsealed=unsealed, unconfirmed=unconfirmed)


# The detail of the "migration" entry from which on every file entry has an
# entry record: written when a team is created, or by the first coördinator's
# unlock after the upgrade, which records the files as they stand.
ENTRY_RECORDS = "dossierregels vastgelegd"
# The detail of the entry record of a file row sealed again under a new
# student key (``storage.files.rotate_key``).
RESEALED = "dossierregel opnieuw versleuteld"
# The detail of every line about a meldcode trajectory starts with this (storage.meldcode.DETAIL).
MELDCODE = "meldcode: "


def marker_seq(session: Session, detail: str) -> int | None:
    """The seq of the first "migration" entry with this detail (None: none yet)."""
    seq: int | None = session.scalar(
        select(func.min(AuditEntry.seq)).where(AuditEntry.event == "migration", AuditEntry.detail == detail)
    )
    return seq


def entry_records_from(session: Session) -> int | None:
    """The seq of the first ``ENTRY_RECORDS`` entry (None: the files are not recorded yet)."""
    return marker_seq(session, ENTRY_RECORDS)


def entry_records(session: Session, student_ids: Iterable[str]) -> dict[str, dict[str, bytes]]:
    """Per student, per file entry, the hash its newest entry record names."""
    out: dict[str, dict[str, bytes]] = {}
    ids = list(student_ids)
    for i in range(0, len(ids), 500):  # within every backend's limit on bound parameters
        rows = session.execute(
            select(AuditEntry.student_id, AuditEntry.entry_id, AuditEntry.entry_hash)
            .where(AuditEntry.student_id.in_(ids[i : i + 500]), AuditEntry.entry_id.is_not(None))
            .order_by(AuditEntry.seq)
        ).all()
        for student_id, entry_id, entry_hash in rows:
            if student_id is not None and entry_id is not None:
                out.setdefault(student_id, {})[entry_id] = bytes(entry_hash or b"")
    return out


@dataclass(frozen=True, slots=True)
class LogRow:
    """One line of a student's access log, as the file's log tab and an inzage show it."""

    at: datetime
    event: str
    worker_id: str | None
    on_behalf_of: str | None
    access_point: str
    detail: str


def student_log(
    session: Session, student_id: str, *, newest_first: bool = False, limit: int | None = None,
    include_meldcode: bool = False,
) -> list[LogRow]:
    """Who opened, changed or exported this student's file (no personal data in it).

    The meldcode tier's lines (``MELDCODE``) are left out unless asked for:
    the file's Logboek is read by everyone involved, and a meldcode
    trajectory is for its members only (``storage.meldcode``).

    The entry records of a file's rows sealed again under a new key
    (``RESEALED``) are left out: that is the store's work, said once by the
    line that follows them, not someone reading or changing the file.
    """
    q = (
        select(
            AuditEntry.at, AuditEntry.event, AuditEntry.worker_id, AuditEntry.on_behalf_of,
            AuditEntry.access_point, AuditEntry.detail,
        )
        .where(AuditEntry.student_id == student_id, AuditEntry.detail != RESEALED)
        .order_by(AuditEntry.seq.desc() if newest_first else AuditEntry.seq)
    )
    if not include_meldcode:
        q = q.where(AuditEntry.detail.not_like(MELDCODE + "%"))
    if limit is not None:
        q = q.limit(limit)
    return [
        LogRow(datetime.fromisoformat(at), event, worker_id, on_behalf_of, point, detail)
        for at, event, worker_id, on_behalf_of, point, detail in session.execute(q).all()
    ]
