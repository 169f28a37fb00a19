"""The team's sociale kaart: organisations and professionals to refer to,
sealed with the directory key (every worker reads it). A removed entry stays
as a tombstone without details, so a consent that named it still says
'verwijderd'. Use cases: ``jongerenteam.socialmap``; screen: ``screens/socialmap.py``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy import update as sql_update

from storage import audit, clock, files, guard
from storage.crypto import DecryptionError, open_field, seal_field
from storage.documents import JsonObject
from storage.errors import NotAllowed, Reason, Tampered
from storage.keyring import Keys
from storage.models import SocialMapEntry
from storage.store import Store


@dataclass(frozen=True, slots=True)
class MapRow:
    id: str
    version: int
    kind: str  # organisatie | professional
    updated_at: datetime
    data: JsonObject = field(repr=False)  # decrypted: never in a repr


def _seal_map(keys: Keys, entry_id: str, data: JsonObject) -> bytes:
    return seal_field(keys.directory, "social_map", "data", entry_id, files.dump(data))


def entries(store: Store, keys: Keys) -> list[MapRow]:
    """The team's sociale kaart (organisations and professionals), decrypted."""
    with store.reading() as s:
        rows = s.scalars(select(SocialMapEntry).where(SocialMapEntry.removed_at.is_(None))).all()
        out = []
        for r in rows:
            try:
                data = files.load(open_field(keys.directory, "social_map", "data", r.id, r.data))
            except DecryptionError as exc:
                raise Tampered(exc.where) from None
            out.append(MapRow(r.id, r.version, r.kind, r.updated_at, data))
    return out


def add(store: Store, keys: Keys, kind: str, data: JsonObject) -> str:
    entry_id = str(uuid.uuid4())
    now = clock.now()
    with store.session() as s:
        s.add(
            SocialMapEntry(
                id=entry_id, kind=kind, data=_seal_map(keys, entry_id, data), created_at=now,
                updated_at=now, updated_by=keys.worker_id, version=1,
            )
        )
        audit.append(s, keys, "create", worker_id=keys.worker_id, detail="sociale kaart")
    return entry_id


def update(
    store: Store, keys: Keys, entry_id: str, kind: str, data: JsonObject, expected_version: int
) -> None:
    with store.session() as s:
        result = s.execute(
            sql_update(SocialMapEntry)
            .where(SocialMapEntry.id == entry_id, SocialMapEntry.version == expected_version)
            .values(
                kind=kind, data=_seal_map(keys, entry_id, data), version=expected_version + 1,
                updated_at=clock.now(), updated_by=keys.worker_id,
            )
        )
        if guard.rowcount(result) != 1:
            current = s.get(SocialMapEntry, entry_id)
            if current is None:
                raise NotAllowed(f"social_map/{entry_id}", reason=Reason.REMOVED)
            raise guard.of_row(s, f"social_map/{entry_id}", current)
        audit.append(s, keys, "change", worker_id=keys.worker_id, detail="sociale kaart")


def remove(store: Store, keys: Keys, entry_id: str, expected_version: int) -> None:
    """Remove an entry from the kaart, as the worker saw it (a colleague's change in
    between is a ``Conflict``). Its details are overwritten, the row stays as a
    tombstone so consents that named it still resolve to 'verwijderd'."""
    with store.session() as s:
        row = s.get(SocialMapEntry, entry_id)
        if row is None or row.removed_at is not None:
            return
        guard.check(s, f"social_map/{entry_id}", row, expected_version)
        now = clock.now()
        row.data = _seal_map(keys, entry_id, {})
        row.removed_at = now
        row.updated_at = now
        row.updated_by = keys.worker_id
        row.version += 1
        audit.append(s, keys, "delete", worker_id=keys.worker_id, detail="sociale kaart")
