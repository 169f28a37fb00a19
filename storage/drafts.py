"""Drafts: a worker's unsaved typing, kept in the store sealed to their own key.

A draft is one JSON document per worker and app window: which screens were
open and what was typed in them. It is a sealed box to the worker's own
X25519 public key (derived from their private key at unlock, never taken
from the plain ``workers.public_key`` column), bound to its row, its worker
and its window, so nobody else (no colleague, no coördinator, no escrow) can
read it, and it cannot be moved to another worker. Drafts are not file
data: writing one is not an audit event; a worker's drafts go with the
worker (``ON DELETE CASCADE``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select

from storage import clock, documents
from storage.crypto import DecryptionError, open_sealed, public_from_private, seal_to
from storage.documents import JsonObject
from storage.keyring import Keys
from storage.models import Draft
from storage.store import Store


def _context(draft_id: str, worker_id: str, instance: str) -> bytes:
    return f"drafts|body|{draft_id}|{worker_id}|{instance}".encode()


@dataclass(frozen=True, slots=True)
class DraftRow:
    id: str
    instance: str
    saved_at: datetime
    data: JsonObject = field(repr=False)  # decrypted: never in a repr


def save(store: Store, keys: Keys, instance: str, data: JsonObject) -> None:
    """Keep ``data`` as this worker's draft for this window (replacing the previous one)."""
    public = public_from_private(keys.worker_private)
    with store.session() as s:
        row = s.scalar(select(Draft).where(Draft.worker_id == keys.worker_id, Draft.instance == instance))
        draft_id = row.id if row is not None else str(uuid.uuid4())
        body = seal_to(public, documents.dump(data), _context(draft_id, keys.worker_id, instance))
        if row is None:
            s.add(Draft(id=draft_id, worker_id=keys.worker_id, instance=instance, saved_at=clock.now(), body=body))
        else:
            row.body, row.saved_at = body, clock.now()


def forget(store: Store, worker_id: str, instance: str) -> None:
    """This window has nothing unsaved of this worker any more."""
    with store.session() as s:
        s.execute(delete(Draft).where(Draft.worker_id == worker_id, Draft.instance == instance))


def remove(store: Store, keys: Keys, draft_id: str) -> None:
    """Throw one of this worker's drafts away (taken back, or declined)."""
    with store.session() as s:
        s.execute(delete(Draft).where(Draft.id == draft_id, Draft.worker_id == keys.worker_id))


def opens(keys: Keys, row: Draft) -> bool:
    """True when this worker's own draft row opens (a check of a backup)."""
    try:
        documents.load(open_sealed(keys.worker_private, row.body, _context(row.id, row.worker_id, row.instance), "drafts.body"))
    except (DecryptionError, ValueError):
        return False
    return True


def of_worker(store: Store, keys: Keys, *, except_instance: str | None = None) -> tuple[list[DraftRow], list[str]]:
    """This worker's drafts, newest first, and the ids of drafts that would not open (damaged)."""
    with store.reading() as s:
        q = select(Draft).where(Draft.worker_id == keys.worker_id).order_by(Draft.saved_at.desc())
        rows = list(s.scalars(q))
    out, damaged = [], []
    for row in rows:
        if row.instance == except_instance:
            continue
        try:
            raw = open_sealed(keys.worker_private, row.body, _context(row.id, row.worker_id, row.instance), f"drafts.body[{row.id}]")
            data = documents.load(raw)
        except (DecryptionError, ValueError):
            damaged.append(row.id)
            continue
        out.append(DraftRow(row.id, row.instance, clock.local_time(row.saved_at), data))
    return out, damaged


def workers_with_drafts(store: Store) -> set[str]:
    """Ids of the workers who have a draft waiting (plain ids: readable before unlock)."""
    with store.reading() as s:
        return set(s.scalars(select(Draft.worker_id).distinct()))
