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
from typing import TYPE_CHECKING

from storage import drafts as store_drafts
from storage.errors import Locked
from storage.store import Store

if TYPE_CHECKING:
    from jongerenteam.session import TeamSession


@dataclass(frozen=True, slots=True)
class SavedWork:
    id: str
    saved_at: datetime  # local time
    document: dict = field(repr=False)  # decrypted: never in a repr


@dataclass(frozen=True, slots=True)
class WaitingWork:
    """A worker's drafts at unlock: this window's, other windows', and how many would not open."""

    here: SavedWork | None
    elsewhere: list[SavedWork]
    damaged: int


def keep(session: TeamSession, instance: str, document: dict | None) -> None:
    """Keep ``document`` as this worker's draft for this window; None: nothing unsaved any more."""
    if session.is_locked:
        return
    try:
        if document is None:
            store_drafts.forget(session.store, session.worker_id, instance)
        else:
            store_drafts.save(session.store, session.keys, instance, document)
    except Locked:
        return  # locked meanwhile: the lock itself kept the draft


def waiting(session: TeamSession, instance: str) -> WaitingWork:
    """This worker's drafts after an unlock; drafts that would not open are thrown away."""
    rows, damaged = store_drafts.of_worker(session.store, session.keys)
    for draft_id in damaged:
        store_drafts.remove(session.store, session.keys, draft_id)
    here = next((SavedWork(r.id, r.saved_at, r.data) for r in rows if r.instance == instance), None)
    elsewhere = [SavedWork(r.id, r.saved_at, r.data) for r in rows if r.instance != instance]
    return WaitingWork(here, elsewhere, len(damaged))


def discard(session: TeamSession, draft_id: str) -> None:
    """Throw one of this worker's drafts away (taken back into this window, or declined)."""
    store_drafts.remove(session.store, session.keys, draft_id)


def workers_with_drafts(store: Store) -> set[str]:
    """Ids of the workers who have a draft waiting (readable without keys: ids only)."""
    return store_drafts.workers_with_drafts(store)
