"""Drafts: what a worker typed but did not save yet, kept until they are back.

The screens hand over one document (``screens/drafts.py``: which screens were
open, what was typed); this module keeps it in the store, sealed to the
worker's own key (``storage/drafts.py``), one per worker and app window. At
the next unlock the worker gets it back: the draft of this window at once
(after a lock), a draft of another window (after a crash, a closed terminal,
or ctrl+q on the lock screen) after a question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import orjson

from jongerenteam.service import Service
from storage import drafts as store_drafts
from storage.crypto import open_sealed, public_from_private, seal_to
from storage.documents import JsonObject
from storage.errors import Locked
from storage.store import Store


@dataclass(frozen=True, slots=True)
class SavedWork:
    id: str
    saved_at: datetime  # local time
    document: JsonObject = field(repr=False)  # decrypted: never in a repr


@dataclass(frozen=True, slots=True)
class WaitingWork:
    """A worker's drafts at unlock: this window's, other windows', and how many would not open."""

    here: SavedWork | None
    elsewhere: list[SavedWork]
    damaged: int


class DraftService(Service):
    """This worker's drafts: kept per app window, offered back at unlock."""

    def keep(self, instance: str, document: JsonObject | None) -> None:
        """Keep ``document`` as this worker's draft for this window; None: nothing unsaved any more."""
        if self.session.is_locked:
            return
        try:
            if document is None:
                store_drafts.forget(self.store, self.worker_id, instance)
            else:
                store_drafts.save(self.store, self.keys, instance, document)
        except Locked:
            return  # locked meanwhile: the lock itself kept the draft

    def waiting(self, instance: str) -> WaitingWork:
        """This worker's drafts after an unlock; drafts that would not open are thrown away."""
        rows, damaged = store_drafts.of_worker(self.store, self.keys)
        for draft_id in damaged:
            store_drafts.remove(self.store, self.keys, draft_id)
        here = next((SavedWork(r.id, r.saved_at, r.data) for r in rows if r.instance == instance), None)
        elsewhere = [SavedWork(r.id, r.saved_at, r.data) for r in rows if r.instance != instance]
        return WaitingWork(here, elsewhere, len(damaged))

    def discard(self, draft_id: str) -> None:
        """Throw one of this worker's drafts away (taken back into this window, or declined)."""
        store_drafts.remove(self.store, self.keys, draft_id)

    def seal(self, document: JsonObject) -> bytes:
        """A draft sealed to this worker's own key, for memory (when the store refused it)."""
        return seal_to(public_from_private(self.keys.worker_private), orjson.dumps(document), b"draft|" + self.worker_id.encode())

    def open(self, sealed: bytes) -> JsonObject:
        raw = open_sealed(self.keys.worker_private, sealed, b"draft|" + self.worker_id.encode(), "draft")
        document: JsonObject = orjson.loads(raw)
        return document


def workers_with_drafts(store: Store) -> set[str]:
    """Ids of the workers who have a draft waiting (readable without keys: ids only)."""
    return store_drafts.workers_with_drafts(store)
