"""Signed authority: who is who in a team, decided by signatures, not by plain values.

A store is one shared file: anyone on the team can change any plain value
in it, and every worker's slot holds the team key (so the audit log's MACs
stop an outsider, not a colleague). What a colleague cannot do is sign in
someone else's name. So:

- **The root key.** An Ed25519 key whose seed is derived from the escrow
  private key: only coördinators (through their escrow wrap) and the
  recovery code have it. Its public half is in ``teams.root_public``.
- **Attestation.** A worker trusts that root public key (and the first audit
  entry that must be signed, ``signed_from``) only through
  ``workers.root_attest``: a MAC that needs either the escrow private key or
  that worker's own X25519 private key (``crypto.pair_mac``). The worker
  checks it with their own private key and the escrow public key, both from
  their own authenticated slot; a colleague cannot make one for them.
- **Grants.** ``grants`` holds, per worker, numbered statements signed by
  the root key: role, active or not, their X25519 public key and their
  Ed25519 signing key. A worker's role and activation are those of their
  newest valid grant; their slot's role byte and ``workers.role`` are not
  consulted once the team is signed.
- **Signing keys.** Each worker's Ed25519 seed is in their slot. A worker
  whose slot predates signing makes one at their next unlock and publishes
  it with a binding MAC (pair MAC with the escrow public key); the next
  coördinator's unlock checks the binding and grants the key. Until then the
  key is *pending*: entries it signed count, and ``verify`` says how many
  are unconfirmed.
- Audit entries and the head are signed by the worker whose session wrote
  them (``storage.audit``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import clock
from storage.crypto import (
    derive_subkey,
    mac_equal,
    pair_mac,
    sign,
    signature_valid,
    signing_key_from_seed,
)
from storage.models import Grant, Team, Worker

COORDINATOR = "coordinator"
# The signer of entries written with the escrow key alone (a new passphrase
# set with the recovery code): the root key itself.
ROOT_SIGNER = "root"


def root_seed(escrow_private: bytes) -> bytes:
    return derive_subkey(escrow_private, "root signing")


def root_public(escrow_private: bytes) -> bytes:
    return signing_key_from_seed(root_seed(escrow_private))


# -- attestation: the root, as this worker can check it -------------------------------------


def _attest_message(worker_id: str, root: bytes, signed_from: int) -> bytes:
    return b"root\x1f" + worker_id.encode() + b"\x1f" + root + b"\x1f" + str(signed_from).encode()


def attest(escrow_private: bytes, worker_id: str, box_public: bytes, signed_from: int) -> bytes:
    """The attestation of the team's root for one worker (needs the escrow private key)."""
    return pair_mac(escrow_private, box_public, "root", _attest_message(worker_id, root_public(escrow_private), signed_from))


def attested(worker_private: bytes, escrow_public: bytes, worker_id: str, root: bytes, signed_from: int, tag: bytes | None) -> bool:
    """Whether ``tag`` attests this root for this worker (checked with the worker's own private key)."""
    if not tag:
        return False
    return mac_equal(tag, pair_mac(worker_private, escrow_public, "root", _attest_message(worker_id, root, signed_from)))


# -- a worker's own signing key, bound to their box key ------------------------------------


def _binding_message(worker_id: str, sign_public: bytes) -> bytes:
    return b"signing key\x1f" + worker_id.encode() + b"\x1f" + sign_public


def bind(worker_private: bytes, escrow_public: bytes, worker_id: str, sign_public: bytes) -> bytes:
    return pair_mac(worker_private, escrow_public, "signing key", _binding_message(worker_id, sign_public))


def bound(escrow_private: bytes, box_public: bytes, worker_id: str, sign_public: bytes, tag: bytes | None) -> bool:
    if not tag:
        return False
    return mac_equal(tag, pair_mac(escrow_private, box_public, "signing key", _binding_message(worker_id, sign_public)))


# -- grants ---------------------------------------------------------------------------------


def _grant_message(g: Grant) -> bytes:
    parts = (
        "grant", g.worker_id, str(g.serial), g.role, "1" if g.active else "0",
        g.box_public.hex(), (g.sign_public or b"").hex(), g.signed_at,
    )
    return "\x1f".join(parts).encode()


def issue(
    s: Session, escrow_private: bytes, worker_id: str, *, role: str, active: bool,
    box_public: bytes, sign_public: bytes | None,
) -> Grant:
    """A new grant for a worker, signed by the root key (the next serial number)."""
    serial = (s.scalar(select(func.max(Grant.serial)).where(Grant.worker_id == worker_id)) or 0) + 1
    g = Grant(
        worker_id=worker_id, serial=serial, role=role, active=active, box_public=box_public,
        sign_public=sign_public, signed_at=clock.now().isoformat(timespec="seconds"),
    )
    g.sig = sign(root_seed(escrow_private), _grant_message(g))
    s.add(g)
    s.flush()
    return g


@dataclass(slots=True)
class Trust:
    """The team as the signatures say it is, checked against one worker's root."""

    root: bytes
    signed_from: int
    # Per worker: their newest valid grant.
    current: dict[str, Grant] = field(default_factory=dict)
    # Per worker: every signing key that may have signed their entries
    # (granted ones, and a pending one still waiting for a coördinator).
    signing_keys: dict[str, set[bytes]] = field(default_factory=dict)
    pending: dict[str, bytes] = field(default_factory=dict)
    # Grant rows whose signature does not hold (someone edited them).
    forged: list[tuple[str, int]] = field(default_factory=list)

    def role(self, worker_id: str | None) -> str | None:
        g = self.current.get(worker_id or "")
        return g.role if g is not None else None

    def is_coordinator(self, worker_id: str | None) -> bool:
        g = self.current.get(worker_id or "")
        return g is not None and g.active and g.role == COORDINATOR


@lru_cache(maxsize=4096)
def _root_signed(root: bytes, sig: bytes, message: bytes) -> bool:
    """``signature_valid``, remembered: a grant's row is read from the store every
    time, but the same bytes under the same root are only checked once per
    process (the check is deterministic; each wrap of a student key reads
    every grant, ``storage.files.recipient_public``)."""
    return signature_valid(root, sig, message)


def trust(s: Session, root: bytes, signed_from: int) -> Trust:
    """Read every grant and keep the ones the root signed."""
    t = Trust(root, signed_from)
    for g in s.scalars(select(Grant).order_by(Grant.worker_id, Grant.serial)).all():
        if not g.sig or not _root_signed(bytes(root), bytes(g.sig), _grant_message(g)):
            t.forged.append((g.worker_id, g.serial))
            continue
        t.current[g.worker_id] = g
        if g.sign_public:
            t.signing_keys.setdefault(g.worker_id, set()).add(bytes(g.sign_public))
    # A pending key counts only for a worker who has no granted signing key
    # yet (a slot from before signing): otherwise anyone could publish a key
    # "for" a colleague and sign in their name until a coördinator looked.
    for wid, key in s.execute(select(Worker.id, Worker.sign_public).where(Worker.sign_public.is_not(None))).all():
        if key is not None and wid not in t.signing_keys:
            t.pending[wid] = bytes(key)
    for wid, key in t.pending.items():
        t.signing_keys[wid] = {key}
    return t


def current_grant(s: Session, root: bytes, worker_id: str) -> Grant | None:
    """One worker's newest grant the root signed (what ``trust(...).current`` holds
    for them), reading only that worker's grants."""
    found: Grant | None = None
    for g in s.scalars(select(Grant).where(Grant.worker_id == worker_id).order_by(Grant.serial)).all():
        if g.sig and _root_signed(bytes(root), bytes(g.sig), _grant_message(g)):
            found = g
    return found


def team_root(s: Session) -> tuple[bytes, int] | None:
    """The team's root public key and ``signed_from`` as stored (plain: check with ``attested``)."""
    team = s.scalar(select(Team))
    if team is None or team.root_public is None or team.signed_from is None:
        return None
    return bytes(team.root_public), team.signed_from
