"""Backup and restore as use cases: the CLI asks and shows, this module decides and does.

``make_backup`` logs a ``backup`` entry and copies the store. A restore has
two steps, so that the coördinator sees what would happen before anything
does:

1. ``prepare_restore(source, location)`` (a context manager) refuses a
   store on a database server, a store that is open somewhere (the "in use"
   marker, storage/sqlite.py) and every file that is not a backup that can go
   back (missing, empty, cut off, not SQLite, not a team store, newer,
   damaged pages); it stages a private copy of the backup and reads, without
   keys, the facts of the backup and of the current store: a ``RestorePlan``.
   On leaving the block the staged copy is removed.
2. ``restore(plan, confirm_current=..., login_backup=...)`` holds the store
   exclusively for the rest of the work: a coördinator of the current store
   confirms (when it still opens), a coördinator of the backup logs in to the
   staged copy, every envelope in it is opened (``storage.backup.
   check_contents``: any damage refuses the restore), students erased in the
   current store are erased again in the staged copy, the current store is
   saved aside, and the staged copy is put in place.

The two ``login`` callbacks are how the caller asks who someone is: given an
open ``Store`` they return an unlocked ``TeamSession`` (the CLI asks a name
and a passphrase). Nothing here prints.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storage import audit
from storage import backup as store_backup
from storage import rights as store_rights
from storage.errors import (
    BackupDamaged,
    BackupUnusable,
    LogTampered,
    NotAllowed,
    Reason,
    ServerBackup,
    StoreDamaged,
    StoreError,
    StoreMissing,
)
from storage.store import Store, display_location, is_server_location

if TYPE_CHECKING:
    from jongerenteam.session import TeamSession

StoreFacts = store_backup.StoreFacts
ContentCheck = store_backup.ContentCheck

Login = Callable[[Store], "TeamSession"]

# The state of the store that a restore would replace.
CURRENT_OK = "ok"
CURRENT_MISSING = "ontbreekt"
CURRENT_DAMAGED = "beschadigd"


def refuse_server_store(location: str) -> None:
    """Backup and restore of a store on a database server belong to its admins (pg_dump)."""
    if is_server_location(location):
        raise ServerBackup(display_location(location))


# -- backup ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackupMade:
    target: Path
    facts: StoreFacts | None  # what the backup file holds (read back from it)


def make_backup(store: Store, session: TeamSession, target: Path) -> BackupMade:
    """Log a ``backup`` entry, then copy the store to ``target`` (written atomically).

    The entry is in the copy: it is what a restore later shows as the moment
    the backup was made.
    """
    if store.path is None:
        raise ServerBackup(store.display)
    with store.session() as s:
        audit.append(s, session.keys, "backup", worker_id=session.worker_id)
    store.backup(target)
    return BackupMade(Path(target), store_backup.read_facts(Path(target)))


# -- restore: what would happen ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RestorePlan:
    """A backup that can go back, staged, with the facts of both sides (no key was needed)."""

    source: Path  # the backup file as the user named it (never changed)
    location: str
    target: Path  # the store file that would be replaced
    staging: Path  # the private working copy of the backup
    backup: StoreFacts
    current: StoreFacts | None  # None: missing or not readable (see current_state)
    current_state: str  # CURRENT_OK, CURRENT_MISSING or CURRENT_DAMAGED

    @property
    def other_team(self) -> bool:
        """The backup belongs to another team than the store it would replace."""
        return self.current is not None and self.current.team_id != self.backup.team_id

    @property
    def safety_folder(self) -> Path:
        return store_backup.safety_folder(self.target)


@contextmanager
def prepare_restore(source: str | Path, location: str) -> Iterator[RestorePlan]:
    """Check the backup and stage it; yield the plan; remove the staged copy afterwards.

    Raises ServerBackup, StoreInUse or BackupUnusable before anything is
    written (except the staged copy, which is removed again).
    """
    refuse_server_store(location)
    source = Path(source)
    shown = str(source)
    target = store_backup.store_path(location)
    store_backup.check_file(source, shown)
    if target.exists() and source.resolve() == target.resolve():
        raise BackupUnusable(shown, reason="same")
    # Refused now, before any question, if the store is open somewhere.
    current = store_backup.current_facts(target)
    made_folder = not target.parent.exists()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = None
    try:
        staging = store_backup.stage(source, target.parent, target.name)
        facts = store_backup.inspect(staging, shown)
        if current is not None:
            state = CURRENT_OK
        elif target.exists() and target.stat().st_size > 0:
            state = CURRENT_DAMAGED
        else:
            state = CURRENT_MISSING
        yield RestorePlan(source, location, target, staging, facts, current, state)
    finally:
        if staging is not None:
            store_backup.remove_store_files(staging)
        if made_folder and not target.exists():
            with contextlib.suppress(OSError):
                target.parent.rmdir()  # only if still empty


# -- restore: doing it ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RestoreResult:
    kept: Path | None  # where the replaced store was saved (None: there was none)
    kept_damaged: bool  # the replaced store could not be copied and was moved aside as it was
    reapplied: int  # students erased again
    check: ContentCheck
    refused: int = 0  # erasures in the list without a valid coördinator signature: not applied


def restore(plan: RestorePlan, *, confirm_current: Login, login_backup: Login) -> RestoreResult:
    """Put the staged backup in place of the store, after every check; see the module docstring.

    Raises StoreInUse (the store was opened since the plan), NotAllowed (no
    coördinator on either side), BackupDamaged (an envelope or the audit
    chain failed), or a login's error; in each case the store is unchanged.
    """
    target = plan.target
    with store_backup.exclusive(target):
        # Erased students must not come back with an older backup (AVG): their
        # ids come from the current store and from its side file (which also
        # works when the store file is damaged or gone). Only erasures a
        # coördinator signed count, in the current store's team or the backup's.
        erased = known_erasures(target)
        signed_now = _confirm_by_current_coordinator(target, confirm_current, erased)
        check, reapplied, refused = _check_in_staging(plan, login_backup, erased, signed_now)
        if not check.ok:
            raise BackupDamaged(str(plan.source), **check.summary())
        kept, kept_damaged = (None, False)
        if target.exists():
            kept, kept_damaged = store_backup.keep_aside(target)
        store_backup.replace(plan.staging, target)
        if erased:
            store_rights.write_side_file(target, erased)
    return RestoreResult(kept, kept_damaged, len(reapplied), check, refused)


def _check_in_staging(
    plan: RestorePlan, login_backup: Login, erased: dict[str, store_rights.Erased], signed_now: set[str],
) -> tuple[store_backup.ContentCheck, list[str], int]:
    """In the staged copy: a coördinator of the backup logs in, the signed erasures are applied
    again (``signed_now``: those the current store's team vouches for), every envelope is opened."""
    try:
        staged = Store.open(str(plan.staging))
    except StoreDamaged:
        # The error must name the backup the user chose, not our working copy.
        raise BackupUnusable(str(plan.source), reason="damaged") from None
    try:
        session = login_backup(staged)
        try:
            if not session.keys.is_coordinator:
                raise NotAllowed("restore", reason=Reason.BACKUP_COORDINATOR)
            with staged.session() as s:
                audit.append(s, session.keys, "restore", worker_id=session.worker_id)
                signed_then, _ = store_rights.trusted_erasures(s, session.keys, erased)
            chosen = {sid: e for sid, e in erased.items() if sid in signed_now or sid in signed_then}
            reapplied: list[str] = []
            if chosen:
                reapplied = store_rights.erase_students(staged, session.keys, chosen, "", reapply=True, originals=chosen)
            # After the erasures: what is checked is exactly what will be put in place.
            check = store_backup.check_contents(staged, session.keys)
            unsigned = [sid for sid in erased if sid not in chosen]
            refused = len(store_rights.present(staged, unsigned))
        finally:
            session.lock()
    finally:
        staged.close()
    return check, reapplied, refused


def _confirm_by_current_coordinator(target: Path, confirm_current: Login, erased: dict[str, store_rights.Erased]) -> set[str]:
    """A coördinator of the *current* store must agree before it is replaced.

    Otherwise anyone with an old backup and an old passphrase (a worker
    deactivated since, say) could put that backup back. A store that no
    longer opens (damaged, missing) is exactly what restore is for: then the
    backup's own coördinator login is the check. Returns the erasures the
    current store's team signed (``storage.rights.trusted_erasures``).
    """
    if not target.exists():
        return set()
    try:
        current = Store.open(str(target))
    except (StoreDamaged, StoreMissing):
        return set()
    try:
        try:
            session = confirm_current(current)
        except LogTampered:
            # Its log was cut or emptied, so nobody can log in to it: like a
            # damaged store, the backup's own coördinator login is the check.
            return set()
        try:
            if not session.keys.is_coordinator:
                raise NotAllowed("restore")
            with current.session() as s:
                audit.append(s, session.keys, "restore", worker_id=session.worker_id, detail="bevestigd")
                signed, _ = store_rights.trusted_erasures(s, session.keys, erased)
            return set(signed)
        finally:
            session.lock()
    finally:
        current.close()


def known_erasures(target: Path) -> dict[str, store_rights.Erased]:
    """Ids (and dates) of every student erased in the current store: its
    ``erasures`` table and the side file ``<store>.erasures`` together."""
    erased = store_rights.read_side_file(target)
    if target.exists():
        try:
            current = Store.open(str(target))
        except StoreError:
            return erased
        try:
            for sid, first in store_rights.erasure_ids(current).items():
                erased.setdefault(sid, first)
        except StoreError:
            pass
        finally:
            current.close()
    return erased
