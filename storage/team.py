"""The team's key hierarchy: team key, key slots, worker key pairs, escrow.

- A random 256-bit team key, in one Argon2id key slot per worker and in a
  recovery slot. From it come the directory key and the audit key (HKDF).
- Each worker has an X25519 key pair; the private key sits in their slot.
- The team escrow key pair: its private key is sealed to each coördinator's
  public key and sits in the recovery slot, never under the team key alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from storage import audit, authority, clock, documents, files, guard
from storage.crypto import (
    DecryptionError,
    new_keypair,
    new_signing_key,
    open_field,
    open_sealed,
    public_from_private,
    random_key,
    seal_field,
    seal_to,
)
from storage.errors import (
    NotAllowed,
    NotInvolved,
    Reason,
    StoreExists,
    Tampered,
    UnknownWorker,
    WorkerExists,
    WorkerInactive,
    WrongPassphrase,
)
from storage.keyring import Keys
from storage.keyslots import (
    KdfParams,
    SlotRecord,
    WrongSecret,
    make_slot,
    new_recovery_code,
    normalise_recovery_code,
    open_slot,
)
from storage.models import (
    AuditEntry,
    Erasure,
    EscrowWrap,
    FileEntry,
    Handover,
    KeySlot,
    MeldcodeWrap,
    Student,
    StudentKeyWrap,
    Team,
    Worker,
)
from storage.store import Store

COORDINATOR = "coordinator"
WORKER = "worker"
ROLES = (COORDINATOR, WORKER)


@dataclass(frozen=True, slots=True)
class WorkerDetails:
    full_name: str
    initials: str
    role: str
    organisation: str
    expertise: tuple[str, ...] = ()  # leefdomein codes

    def __post_init__(self) -> None:
        # Plain columns, shown on every lock screen: the same rule as every sealed document.
        for name in ("full_name", "initials", "organisation"):
            object.__setattr__(self, name, documents.clean_text(getattr(self, name), multiline=False).strip())


def _new_id() -> str:
    return str(uuid.uuid4())


_ROLE_BYTES = {COORDINATOR: b"\x01", WORKER: b"\x00"}


def _worker_payload(team_key: bytes, private: bytes, escrow_public: bytes, role: str, sign_seed: bytes) -> bytes:
    """What a worker's slot protects: team key, own private key, escrow public
    key, role (used only before the team is signed), own signing seed.

    The escrow public key lives here, inside the authenticated slot, so
    nobody can redirect escrow wraps or fake the root's attestation by
    editing plain columns.
    """
    return team_key + private + escrow_public + _ROLE_BYTES[role] + sign_seed


def _split_worker(payload: bytes) -> tuple[bytes, bytes, bytes, str, bytes | None]:
    """(team key, private key, escrow public key, role, signing seed or None for a slot from before signing)."""
    if len(payload) not in (97, 129) or payload[96:97] not in _ROLE_BYTES.values():
        raise Tampered("key_slots.wrapped")
    role = COORDINATOR if payload[96:97] == _ROLE_BYTES[COORDINATOR] else WORKER
    seed = payload[97:] if len(payload) == 129 else None
    return payload[:32], payload[32:64], payload[64:96], role, seed


def _recovery_payload(team_key: bytes, escrow_private: bytes) -> bytes:
    return team_key + escrow_private


def _split_recovery(payload: bytes) -> tuple[bytes, bytes]:
    if len(payload) != 64:
        raise Tampered("key_slots.wrapped")
    return payload[:32], payload[32:]


def _escrow_context(worker_id: str) -> bytes:
    return b"escrow_wraps|" + worker_id.encode()


def _slot_row(record: SlotRecord, kind: str, worker_id: str | None) -> KeySlot:
    return KeySlot(
        id=record.slot_id,
        kind=kind,
        worker_id=worker_id,
        salt=record.salt,
        memory_kib=record.params.memory_kib,
        time_cost=record.params.time_cost,
        parallelism=record.params.parallelism,
        wrapped=record.wrapped,
        created_at=clock.now(),
    )


def _record_of(slot: KeySlot) -> SlotRecord:
    return SlotRecord(
        slot.id,
        slot.salt,
        KdfParams(slot.memory_kib, slot.time_cost, slot.parallelism),
        slot.wrapped,
    )


def _insert_worker(
    s: Session,
    details: WorkerDetails,
    passphrase: str,
    params: KdfParams,
    team_key: bytes,
    escrow_public: bytes,
    escrow_private: bytes | None,
) -> Worker:
    """A new worker: their slot (with a new signing key), their escrow wrap
    (a coördinator), and, with the escrow key at hand, their first grant and
    the root's attestation (storage.authority)."""
    if details.role not in ROLES:
        raise ValueError(f"unknown role {details.role!r}")
    if escrow_private is None:
        raise NotAllowed("escrow", reason=Reason.ESCROW_NOT_OPEN)
    wanted = details.initials.strip().casefold()
    for initials in s.scalars(select(Worker.initials).where(Worker.active.is_(True))):
        if initials.strip().casefold() == wanted:
            raise WorkerExists("workers")
    worker_private, worker_public = new_keypair()
    sign_seed, sign_public = new_signing_key()
    worker_id = _new_id()
    worker = Worker(
        id=worker_id,
        full_name=details.full_name,
        initials=details.initials,
        role=details.role,
        organisation=details.organisation,
        expertise=",".join(details.expertise),
        active=True,
        public_key=worker_public,
        created_at=clock.now(),
        version=1,
        sign_public=sign_public,
        sign_binding=authority.bind(worker_private, escrow_public, worker_id, sign_public),
    )
    s.add(worker)
    s.flush()
    payload = _worker_payload(team_key, worker_private, escrow_public, details.role, sign_seed)
    record = make_slot(_new_id(), passphrase, payload, params)
    s.add(_slot_row(record, "worker", worker.id))
    if details.role == COORDINATOR:
        s.add(
            EscrowWrap(
                worker_id=worker.id,
                wrapped=seal_to(worker_public, escrow_private, _escrow_context(worker.id)),
            )
        )
    root = authority.team_root(s)
    if root is not None:
        worker.root_attest = authority.attest(escrow_private, worker.id, worker_public, root[1])
        authority.issue(
            s, escrow_private, worker.id, role=details.role, active=True,
            box_public=worker_public, sign_public=sign_public,
        )
    return worker


def create_team(
    store: Store,
    team_name: str,
    first: WorkerDetails,
    passphrase: str,
    params: KdfParams,
) -> tuple[str, str]:
    """Set up a new team in an empty store. Returns (worker id, recovery code)."""
    if first.role != COORDINATOR:
        raise NotAllowed("team", reason=Reason.FIRST_WORKER_COORDINATOR)
    team_key = random_key()
    escrow_private, escrow_public = new_keypair()
    recovery_code = new_recovery_code()
    with store.session() as s:
        if s.scalar(select(Team)) is not None:
            raise StoreExists(store.location)
        s.add(
            Team(
                id=_new_id(),
                name=documents.clean_text(team_name, multiline=False).strip(),
                created_at=clock.now(),
                idle_lock_minutes=5,
                version=1,
                # Signed from the first entry on (storage.authority).
                root_public=authority.root_public(escrow_private),
                signed_from=1,
            )
        )
        worker = _insert_worker(
            s, first, passphrase, params, team_key, escrow_public, escrow_private
        )
        record = make_slot(
            _new_id(), recovery_code, _recovery_payload(team_key, escrow_private), params
        )
        s.add(_slot_row(record, "recovery", None))
        keys = unlocked_keys(s, worker.id, passphrase)
        audit.append(s, keys, "create", worker_id=worker.id, detail="team")
        # Every file entry has an entry record from the start (storage.files).
        audit.append(s, keys, "migration", worker_id=worker.id, detail=audit.ENTRY_RECORDS)
        # And every erasure is signed from the start (storage.rights.trusted_erasures).
        audit.append(s, keys, "migration", worker_id=worker.id, detail=ERASURES_SIGNED)
        return worker.id, recovery_code


def _open_escrow_wrap(s: Session, worker_id: str, worker_private: bytes) -> bytes | None:
    wrap = s.get(EscrowWrap, worker_id)
    if wrap is None:
        return None
    try:
        return open_sealed(
            worker_private, wrap.wrapped, _escrow_context(worker_id), "escrow_wraps.wrapped"
        )
    except DecryptionError as exc:
        raise Tampered(exc.where) from None


def _try_slot(s: Session, worker_id: str, passphrase: str) -> Keys:
    """Open a worker's slot; raise WrongSecret, UnknownWorker, WorkerInactive or Tampered.

    In a signed team the role and activation come from the worker's newest
    grant the root signed, and the root itself from the worker's own
    attestation: a worker who rewrites their slot's role byte, or a plain
    column, gains nothing.
    """
    worker = s.get(Worker, worker_id)
    if worker is None:
        raise UnknownWorker(worker_id)
    if not worker.active:
        raise WorkerInactive(worker_id)
    slot = s.scalar(select(KeySlot).where(KeySlot.worker_id == worker_id))
    if slot is None:
        raise WorkerInactive(worker_id)
    team_key, private, escrow_public, role, sign_seed = _split_worker(
        open_slot(_record_of(slot), passphrase)
    )
    keys = Keys(worker.id, role, team_key, private, escrow_public, sign_seed=sign_seed)
    root = authority.team_root(s)
    if root is not None:
        root_public, signed_from = root
        if not authority.attested(private, escrow_public, worker.id, root_public, signed_from, worker.root_attest):
            raise Tampered("workers.root_attest")
        grant = authority.trust(s, root_public, signed_from).current.get(worker.id)
        if grant is None or bytes(grant.box_public) != public_from_private(private):
            raise Tampered("grants")
        if not grant.active:
            raise WorkerInactive(worker_id)
        keys.role, keys.root_public, keys.signed_from = grant.role, root_public, signed_from
    if keys.role == COORDINATOR:
        keys.escrow_private = _open_escrow_wrap(s, worker.id, private)
    keys.entries_from = audit.entry_records_from(s)
    return keys


def unlocked_keys(s: Session, worker_id: str, passphrase: str) -> Keys:
    """The keys of a worker who just typed their passphrase (no log entry): for use inside a transaction."""
    return _try_slot(s, worker_id, passphrase)


def _refused(store: Store, worker_id: str, detail: str) -> None:
    """Log a refused login (no key yet: sealed into the chain at the next unlock)."""
    with store.session() as s:
        audit.append(s, None, "failed_login", worker_id=worker_id, detail=detail)


def unlock(
    store: Store, worker_id: str, passphrase: str, *, event: str | None = "login"
) -> Keys:
    """Open a worker's slot. Every refusal is logged (unsealed) and raised.

    ``event=None`` checks the passphrase without logging a login (a
    coördinator confirming at someone else's session); refusals are still
    logged, marked "check".
    """
    try:
        with store.session() as s:
            keys = _try_slot(s, worker_id, passphrase)
            audit.require_log(s)
            if event is not None:
                from storage import integrity

                _bring_up_to_date(s, keys, passphrase)
                audit.append(s, keys, event, worker_id=keys.worker_id)
                # Colleagues' signed memories of the log first, then this worker's own.
                keys.unlock_notes += integrity.check_seen_rows(s, keys)
                integrity.record_seen(s, keys)
            return keys
    except WrongSecret:
        _refused(store, worker_id, "" if event else "check")
        raise WrongPassphrase(worker_id) from None
    except (UnknownWorker, WorkerInactive) as exc:
        _refused(store, worker_id, "onbekend" if isinstance(exc, UnknownWorker) else "niet actief")
        raise


# What an unlock did about signed authority (Keys.unlock_notes).
SIGNED = "signed"  # a coördinator's unlock signed a team from before signing
RECORDED = "recorded"  # a coördinator's unlock recorded every file entry in the signed log
KEY_SWAPPED = "key swapped"  # the worker's public key column held another key: their own is back
CONFIRMED = "confirmed"  # a coördinator's unlock granted a colleague's new signing key
BINDING_WRONG = "binding wrong"  # a published signing key was not made by that worker: not granted


def _bring_up_to_date(s: Session, keys: Keys, passphrase: str) -> None:
    """At a login: give a slot from before signing its signing key, let a
    coördinator sign a team from before signing, and grant colleagues'
    pending signing keys whose binding holds. Inside the login's transaction,
    before its entry (which is then signed)."""
    if keys.sign_seed is None:
        _add_signing_key(s, keys, passphrase)
    _restore_own_public_key(s, keys)
    if keys.escrow_private is None:
        return
    if keys.root_public is None:
        _sign_team(s, keys)
    else:
        _confirm_pending(s, keys)
    if keys.entries_from is None:
        _record_files(s, keys)
    if audit.marker_seq(s, ERASURES_SIGNED) is None:
        _sign_erasures(s, keys)


# The detail of the "migration" entry of the first coördinator unlock that signed the erasures.
ERASURES_SIGNED = "wissingen ondertekend"


def _sign_erasures(s: Session, keys: Keys) -> None:
    """The first coördinator's unlock after the upgrade signs the erasures the store lists.

    Once: from then on an erasure without a valid coördinator signature is
    never applied again (``storage.rights.trusted_erasures``). Like every
    value signed at the upgrade, the list is taken as it stands.
    """
    from storage import rights

    audit.append(s, keys, "migration", worker_id=keys.worker_id, detail=ERASURES_SIGNED)
    for row in s.scalars(select(Erasure).where(Erasure.sig.is_(None))).all():
        signed = rights.sign_erasure(keys, row.student_id, row.erased_at, row.reason or "")
        row.signer, row.sig = signed.signer or None, signed.sig or None


def _record_files(s: Session, keys: Keys) -> None:
    """The first coördinator's unlock after the upgrade records every file entry as it stands.

    From then on a row the signed log does not name, or names otherwise, is
    refused when its file is read (storage.files.check_records). Rows
    changed before this moment are taken as they stand, like every value
    signed at ``_sign_team``.
    """
    marker = audit.append(s, keys, "migration", worker_id=keys.worker_id, detail=audit.ENTRY_RECORDS)
    count = 0
    for row in s.scalars(select(FileEntry).order_by(FileEntry.student_id, FileEntry.created_at)):
        audit.append(
            s, keys, "migration", worker_id=keys.worker_id, student_id=row.student_id,
            detail="dossierregel vastgelegd", record=(row.id, files.row_hash(row)),
        )
        count += 1
    # And who may open each file, and until when (storage.files.record_wrap).
    for wrap in s.scalars(select(StudentKeyWrap).where(StudentKeyWrap.recipient != files.ESCROW)):
        files.record_wrap(s, keys, wrap.student_id, wrap.recipient, "toegang vastgelegd")
    keys.entries_from = marker.seq
    if count:
        keys.unlock_notes.append((RECORDED, str(count)))


def _restore_own_public_key(s: Session, keys: Keys) -> None:
    """A worker's public key column swapped for another key: put their own back, say so, log it.

    Their own key comes from their slot, which their passphrase opened (and,
    in a signed team, matched their grant), so it is the right one.
    """
    worker = s.get(Worker, keys.worker_id)
    own = public_from_private(keys.worker_private)
    if worker is None or bytes(worker.public_key) == own:
        return
    worker.public_key = own
    keys.unlock_notes.append((KEY_SWAPPED, keys.worker_id))
    audit.append(s, keys, "integrity", worker_id=keys.worker_id, detail="openbare sleutel vervangen; hersteld")


def _add_signing_key(s: Session, keys: Keys, passphrase: str) -> None:
    slot = s.scalar(select(KeySlot).where(KeySlot.worker_id == keys.worker_id))
    worker = s.get(Worker, keys.worker_id)
    if slot is None or worker is None:
        return
    seed, public = new_signing_key()
    params = KdfParams(slot.memory_kib, slot.time_cost, slot.parallelism)
    s.delete(slot)
    payload = _worker_payload(keys.team_key, keys.worker_private, keys.escrow_public, keys.role, seed)
    s.add(_slot_row(make_slot(_new_id(), passphrase, payload, params), "worker", keys.worker_id))
    worker.sign_public = public
    worker.sign_binding = authority.bind(keys.worker_private, keys.escrow_public, keys.worker_id, public)
    keys.sign_seed = seed
    s.flush()


def _sign_team(s: Session, keys: Keys) -> None:
    """The first coördinator's unlock after the upgrade signs the team as it is now.

    Every worker's key pair and activation are taken as they stand (nobody
    could sign them before); a worker's role comes from the authentic log
    entry that created them, this coördinator's from their own slot. The
    coördinator is told who is what (``SIGNED``), so a surprise shows.
    """
    escrow_private = keys.escrow_private
    team = s.scalar(select(Team))
    if escrow_private is None or team is None:
        return
    team.root_public = authority.root_public(escrow_private)
    team.signed_from = audit.next_seq(s)
    for worker in s.scalars(select(Worker).order_by(Worker.created_at)).all():
        own = worker.id == keys.worker_id
        role = keys.role if own else _role_at_creation(s, keys.audit_key, worker.id)
        sign_public = worker.sign_public if own else None
        worker.root_attest = authority.attest(escrow_private, worker.id, worker.public_key, team.signed_from)
        authority.issue(
            s, escrow_private, worker.id, role=role, active=worker.active,
            box_public=worker.public_key, sign_public=sign_public,
        )
    keys.root_public, keys.signed_from = team.root_public, team.signed_from
    keys.unlock_notes.append((SIGNED, ""))
    audit.append(s, keys, "migration", worker_id=keys.worker_id, detail="ondertekend")
    # Files closed before: their closing, with the moment it happened, now
    # stands in the signed log (the retention list believes only that).
    closed = s.execute(
        select(Student.id, Student.closed_at, Student.updated_at).where(Student.status == "afgesloten")
    ).all()
    for sid, closed_at, updated_at in closed:
        moment = closed_at or updated_at
        audit.append(
            s, keys, "change", worker_id=keys.worker_id, student_id=sid,
            detail=f"status: afgesloten sinds {moment.isoformat()}",
        )
    # Colleagues who already made a signing key (they logged in since the
    # upgrade): granted now, when the binding holds.
    _confirm_pending(s, keys)


def _confirm_pending(s: Session, keys: Keys) -> None:
    escrow_private, root, signed_from = keys.escrow_private, keys.root_public, keys.signed_from
    if escrow_private is None or root is None or signed_from is None:
        return
    trust = authority.trust(s, root, signed_from)
    for worker_id, key in trust.pending.items():
        grant = trust.current.get(worker_id)
        worker = s.get(Worker, worker_id)
        if grant is None or worker is None:
            continue
        if authority.bound(escrow_private, grant.box_public, worker_id, key, worker.sign_binding):
            authority.issue(
                s, escrow_private, worker_id, role=grant.role, active=grant.active,
                box_public=grant.box_public, sign_public=key,
            )
            if worker_id != keys.worker_id:
                keys.unlock_notes.append((CONFIRMED, worker_id))
        else:
            keys.unlock_notes.append((BINDING_WRONG, worker_id))
            audit.append(s, keys, "integrity", worker_id=keys.worker_id, on_behalf_of=worker_id, detail="ondertekensleutel klopt niet")


def slot_params(store: Store, worker_id: str) -> KdfParams | None:
    """The Argon2id parameters of a worker's key slot (None: the worker has no slot)."""
    with store.reading() as s:
        slot = s.scalar(select(KeySlot).where(KeySlot.worker_id == worker_id))
        return None if slot is None else _record_of(slot).params


def check_passphrase(store: Store, worker_id: str, passphrase: str) -> Keys:
    """Unwrap a worker's slot without logging a login (for four-eyes checks)."""
    return unlock(store, worker_id, passphrase, event=None)


def unlock_recovery(store: Store, recovery_code: str) -> tuple[bytes, bytes]:
    """Open the recovery slot: returns (team key, escrow private key)."""
    code = normalise_recovery_code(recovery_code)
    with store.session() as s:
        slot = s.scalar(select(KeySlot).where(KeySlot.kind == "recovery"))
    if slot is None:
        raise WrongPassphrase("recovery")
    try:
        return _split_recovery(open_slot(_record_of(slot), code))
    except WrongSecret:
        with store.session() as s:
            audit.append(s, None, "failed_login", detail="recovery")
        raise WrongPassphrase("recovery") from None


def _require_coordinator(keys: Keys) -> None:
    if not keys.is_coordinator:
        raise NotAllowed("workers", reason=Reason.COORDINATOR_ONLY)


def add_worker(
    store: Store, keys: Keys, details: WorkerDetails, passphrase: str, params: KdfParams
) -> str:
    """A coördinator adds a worker with their own key slot."""
    _require_coordinator(keys)
    if details.role == COORDINATOR and keys.escrow_private is None:
        raise NotAllowed("escrow", reason=Reason.ESCROW_NOT_OPEN)
    with store.session() as s:
        worker = _insert_worker(
            s, details, passphrase, params, keys.team_key, keys.escrow_public,
            keys.escrow_private,
        )
        audit.append(
            s, keys, "worker_added", worker_id=keys.worker_id,
            on_behalf_of=worker.id, detail=details.role,
        )
        return worker.id


def deactivate_worker(store: Store, keys: Keys, worker_id: str) -> int:
    """Remove a worker's slot, escrow wrap and every student key wrapped for them.

    Returns the number of student keys removed. Their old passphrase then
    opens nothing, and each file they were on gets a new key
    (``storage.files.rotate_key``), so a key they kept opens nothing new.
    """
    _require_coordinator(keys)
    if worker_id == keys.worker_id:
        raise NotAllowed("workers", reason=Reason.CANNOT_DEACTIVATE_SELF)
    with store.session() as s:
        worker = s.get(Worker, worker_id)
        if worker is None:
            raise UnknownWorker(worker_id)
        s.execute(delete(KeySlot).where(KeySlot.worker_id == worker_id))
        s.execute(delete(EscrowWrap).where(EscrowWrap.worker_id == worker_id))
        worker.active = False
        worker.deactivated_at = clock.now()
        worker.version += 1
        _regrant(s, keys, worker_id, active=False)
        on_files = s.scalars(select(StudentKeyWrap.student_id).where(StudentKeyWrap.recipient == worker_id)).all()
        removed = len(on_files)
        if keys.escrow_private is not None:
            # Each file they were on gets a new key (through the escrow): what they
            # kept of the old keys opens nothing written from now on.
            for student_id in sorted(on_files):
                files.rotate_key(s, keys, student_id, files.escrow_key(s, keys.escrow_private, student_id), drop=[worker_id])
        else:  # (not recorded one by one: a deactivated worker opens nothing, whatever wrap rows say)
            s.execute(delete(StudentKeyWrap).where(StudentKeyWrap.recipient == worker_id))
        # Their meldcode wraps go too (not recorded one by one, as above; no escrow opens a
        # trajectory, so a trajectory whose last member leaves can no longer be read: storage.meldcode).
        s.execute(delete(MeldcodeWrap).where(MeldcodeWrap.recipient == worker_id))
        # A student key sealed to them in a handover they never answered goes too
        # (the session withdraws such proposals first; this makes sure no key stays).
        removed += guard.rowcount(s.execute(
            update(Handover)
            .where(Handover.to_worker_id == worker_id, Handover.pending_wrap.is_not(None))
            .values(pending_wrap=None)
        ))
        audit.append(
            s, keys, "worker_deactivated", worker_id=keys.worker_id,
            on_behalf_of=worker_id, detail=f"sleutels verwijderd: {removed}",
        )
        return removed


def _regrant(
    s: Session, keys: Keys, worker_id: str, *, active: bool | None = None,
    box_public: bytes | None = None, sign_public: bytes | None = None,
) -> None:
    """A new grant for a worker in a signed team: the newest one, with these changes."""
    if keys.root_public is None or keys.signed_from is None:
        return  # a team not signed yet: its first coördinator's unlock signs it as it is then
    if keys.escrow_private is None:
        raise NotAllowed("escrow", reason=Reason.ESCROW_NOT_OPEN)
    grant = authority.trust(s, keys.root_public, keys.signed_from).current.get(worker_id)
    if grant is None:
        raise Tampered("grants")
    authority.issue(
        s, keys.escrow_private, worker_id, role=grant.role,
        active=grant.active if active is None else active,
        box_public=grant.box_public if box_public is None else box_public,
        sign_public=grant.sign_public if sign_public is None else sign_public,
    )


def change_passphrase(
    store: Store, keys: Keys, old_passphrase: str, new_passphrase: str, params: KdfParams
) -> None:
    """Rewrap the worker's own slot; the data is not touched.

    Both key derivations (the current passphrase checked, the new slot made)
    run outside the write transaction, each taking about a second: colleagues
    on the same store never wait for them. The write then checks that the
    slot is still the one that was opened (a reset with the recovery code, or
    a change in another window, meanwhile: ``WrongPassphrase``, nothing written).

    A wrong ``old_passphrase`` is logged like a refused login (``failed_login``,
    detail "wijzigen"; its own transaction, so call this outside a unit) and
    raises ``WrongPassphrase``: it counts for the growing wait (``login_throttle``).
    """
    with store.reading() as s:
        slot_id = s.scalar(select(KeySlot.id).where(KeySlot.worker_id == keys.worker_id))
        try:
            current = _try_slot(s, keys.worker_id, old_passphrase)
        except WrongSecret:
            current = None
    if current is None:
        _refused(store, keys.worker_id, "wijzigen")
        raise WrongPassphrase(keys.worker_id)
    seed, sign_public = current.sign_seed, None
    if seed is None:  # a slot from before signing that never logged in since
        seed, sign_public = new_signing_key()
    payload = _worker_payload(current.team_key, current.worker_private, current.escrow_public, current.role, seed)
    record = make_slot(_new_id(), new_passphrase, payload, params)
    with store.session() as s:
        if s.scalar(select(KeySlot.id).where(KeySlot.worker_id == current.worker_id)) != slot_id:
            raise WrongPassphrase(keys.worker_id)
        s.execute(delete(KeySlot).where(KeySlot.worker_id == current.worker_id))
        if sign_public is not None:
            worker = s.get(Worker, current.worker_id)
            if worker is not None:
                worker.sign_public = sign_public
                worker.sign_binding = authority.bind(
                    current.worker_private, current.escrow_public, current.worker_id, sign_public)
        s.add(_slot_row(record, "worker", current.worker_id))
        audit.append(s, keys, "passphrase_changed", worker_id=current.worker_id)


def _role_at_creation(s: Session, audit_key: bytes, worker_id: str) -> str:
    """The role a worker was created with, read from the audit log where its
    MAC still holds (the team's first coördinator: "create team"; others:
    "worker_added" with the role as detail). Nothing authentic: hulpverlener."""
    entries = s.scalars(
        select(AuditEntry).where(or_(
            and_(AuditEntry.event == "worker_added", AuditEntry.on_behalf_of == worker_id),
            and_(AuditEntry.event == "create", AuditEntry.detail == "team",
                 AuditEntry.worker_id == worker_id),
        )).order_by(AuditEntry.seq)
    ).all()
    for entry in entries:
        if audit.authentic(s, audit_key, entry):
            return COORDINATOR if entry.event == "create" or entry.detail == COORDINATOR else WORKER
    return WORKER


def reset_passphrase(
    store: Store,
    team_key: bytes,
    escrow_private: bytes,
    worker_id: str,
    new_passphrase: str,
    params: KdfParams,
    *,
    by_worker: str | None,
    via: str,
) -> int:
    """Give a worker a new passphrase and key pair when the old one is lost.

    Needs the escrow (a coördinator's session or the recovery code): each
    student key wrapped for the worker is unwrapped through the escrow and
    wrapped again for the new key pair. Returns how many were rewrapped.
    """
    escrow_public = public_from_private(escrow_private)
    # The escrow key is at hand (a coördinator's, or the recovery slot's): the
    # entry is signed by the team's root key itself.
    keys = Keys(
        authority.ROOT_SIGNER, COORDINATOR, team_key, b"", escrow_public, escrow_private,
        sign_seed=authority.root_seed(escrow_private),
    )
    with store.session() as s:
        worker = s.get(Worker, worker_id)
        if worker is None:
            raise UnknownWorker(worker_id)
        if not worker.active:
            raise WorkerInactive(worker_id)
        root = authority.team_root(s)
        grant = authority.trust(s, root[0], root[1]).current.get(worker_id) if root is not None else None
        if root is not None and (grant is None or not grant.active):
            raise WorkerInactive(worker_id)
        new_private, new_public = new_keypair()
        sign_seed, sign_public = new_signing_key()
        worker.public_key = new_public
        worker.sign_public = sign_public
        worker.sign_binding = authority.bind(new_private, escrow_public, worker_id, sign_public)
        worker.version += 1
        s.execute(delete(KeySlot).where(KeySlot.worker_id == worker_id))
        # The old slot cannot be opened, and the plain role column could have
        # been edited: the role comes from the worker's signed grant (in a team
        # from before signing, from the sealed audit entry that created them).
        role = grant.role if grant is not None else _role_at_creation(s, keys.audit_key, worker_id)
        payload = _worker_payload(team_key, new_private, escrow_public, role, sign_seed)
        record = make_slot(_new_id(), new_passphrase, payload, params)
        s.add(_slot_row(record, "worker", worker_id))
        if root is not None:
            worker.root_attest = authority.attest(escrow_private, worker_id, new_public, root[1])
            authority.issue(
                s, escrow_private, worker_id, role=role, active=True, box_public=new_public, sign_public=sign_public,
            )
        if role == COORDINATOR:
            s.execute(delete(EscrowWrap).where(EscrowWrap.worker_id == worker_id))
            s.add(
                EscrowWrap(
                    worker_id=worker_id,
                    wrapped=seal_to(new_public, escrow_private, _escrow_context(worker_id)),
                )
            )
        rewrapped = 0
        wraps = s.scalars(
            select(StudentKeyWrap).where(StudentKeyWrap.recipient == worker_id)
        ).all()
        for wrap in wraps:
            try:
                student_key = files.escrow_key(s, escrow_private, wrap.student_id)
            except NotInvolved:  # no escrow wrap: nothing to rewrap from
                continue
            wrap.wrapped = files.seal_wrap(new_public, student_key, wrap.student_id, worker_id)
            files.record_wrap(s, keys, wrap.student_id, worker_id, "toegang: opnieuw verpakt na herstel", by=by_worker)
            rewrapped += 1
        audit.append(
            s, keys, "recovery", worker_id=by_worker, on_behalf_of=worker_id,
            detail=f"{via}; sleutels opnieuw verpakt: {rewrapped}",
        )
        return rewrapped



def login_throttle(store: Store, worker_id: str) -> tuple[int, datetime | None]:
    """(refused logins since the last successful one, time of the newest refusal).

    Read from the audit log rather than kept in memory, so quitting and
    restarting the app does not reset the growing delay after wrong guesses.
    """
    with store.reading() as s:
        # A login, the right passphrase typed for noodtoegang or an inzage (the
        # escrow read is logged on this worker's behalf), a new passphrase
        # set with the recovery code, or their own passphrase changed (the
        # current one typed right), ends the wait.
        last_ok = s.scalar(
            select(func.max(AuditEntry.seq)).where(
                or_(
                    and_(AuditEntry.worker_id == worker_id, AuditEntry.event.in_(("login", "unlock", "passphrase_changed"))),
                    and_(AuditEntry.on_behalf_of == worker_id, AuditEntry.event.in_(("recovery", "emergency_access"))),
                )
            )
        ) or 0
        count, last_at = s.execute(
            select(func.count(), func.max(AuditEntry.at)).where(
                AuditEntry.worker_id == worker_id,
                AuditEntry.event == "failed_login",
                AuditEntry.seq > last_ok,
            )
        ).one()
    return count or 0, datetime.fromisoformat(last_at) if last_at else None


def open_since(store: Store, worker_id: str) -> datetime | None:
    """When this worker's newest window was opened, if the log shows it still open
    (a login or unlock with no lock after it); None otherwise.

    A window that crashed or was killed wrote no lock: it shows as open until
    the worker's next lock, so callers say "lijkt", not "is".
    """
    with store.reading() as s:
        rows = s.execute(
            select(AuditEntry.event, AuditEntry.at)
            .where(AuditEntry.worker_id == worker_id, AuditEntry.event.in_(("login", "unlock", "lock")))
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        ).all()
    if not rows or rows[0][0] == "lock":
        return None
    return datetime.fromisoformat(rows[0][1])


# -- how a worker is reached (for the student's afsprakenoverzicht) ----------------------


def worker_contact(store: Store, keys: Keys, worker_id: str) -> str:
    """How students reach this worker (work phone, e-mail), or ''."""
    with store.reading() as s:
        w = s.get(Worker, worker_id)
        if w is None or w.contact is None:
            return ""
        try:
            return open_field(keys.directory, "workers", "contact", worker_id, w.contact).decode()
        except DecryptionError as exc:
            raise Tampered(exc.where) from None


def set_worker_contact(store: Store, keys: Keys, text: str) -> None:
    """A worker sets their own reachability (shown to students in overviews)."""
    with store.session() as s:
        w = s.get(Worker, keys.worker_id)
        if w is None:
            raise UnknownWorker(keys.worker_id)
        w.contact = seal_field(keys.directory, "workers", "contact", keys.worker_id, text.encode())
        audit.append(s, keys, "settings", worker_id=keys.worker_id, detail="eigen bereikbaarheid")
