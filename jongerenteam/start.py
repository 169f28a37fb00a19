"""Before a session exists: the store opening behind the first frame, the
wait after wrong passphrases, the unlock itself, a new team, and a new
passphrase with the recovery code.

Screens (unlock, setup, the app) use these, never storage/. This module is
light to import (the standard library and ``storage.preview``): the first
frame must not wait for SQLAlchemy or Alembic (docs/performance.md, "Cold
start"). The heavy modules load inside the functions, which the screens
call from worker threads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from jongerenteam import throttle
from storage.preview import OpeningStore, opened

if TYPE_CHECKING:
    from jongerenteam.session import TeamSession
    from jongerenteam.team import WorkerDetails
    from storage.store import Store

__all__ = [
    "OpeningStore",
    "create_store",
    "create_team",
    "display_location",
    "login_wait_seconds",
    "opened",
    "prepare_unlock",
    "reset_with_recovery",
    "stop_preparing",
    "unlock",
]


def display_location(location: str) -> str:
    """Where the store is, as a user may see it (a server address without its password)."""
    from storage.store import display_location as shown

    return shown(location)


def login_wait_seconds(store: Store, worker_id: str) -> int:
    """How many seconds this worker must still wait after wrong passphrases (0: none).

    0 too when the store cannot say: the unlock attempt itself then tells why.
    """
    try:
        return throttle.wait_seconds(store, worker_id)
    except Exception:  # noqa: BLE001 - the unlock attempt reports a store problem itself
        return 0


def prepare_unlock(store: Store | OpeningStore) -> None:
    """Behind the unlock screen, while the person picks a name and types the passphrase:
    the students' pages, which every unlock reads in full, are read from disk once
    (``Store.warm``: their lengths only, nothing decrypted or kept), and the modules of
    the session's features are imported. The first unlock of the day, Enter 3 s after
    the screen, went from 0.83 to 0.57 s at 50,000 students and from 1.89 to 1.46 s at
    200,000 (docs/performance.md, "What changed in the evening stop")."""
    import importlib

    from jongerenteam.session import TeamSession

    opened(store).warm()
    for name in TeamSession.FEATURES:
        importlib.import_module(getattr(TeamSession, name).module)


def stop_preparing(store: Store) -> None:
    """End ``prepare_unlock``'s read under way (the app quits: it must not wait for it)."""
    store.stop_warming()


def unlock(store: Store | OpeningStore, worker_id: str, passphrase: str, *, after_lock: bool) -> TeamSession:
    """Open a session with the worker's passphrase (waits while the store is still opening)."""
    from jongerenteam.session import TeamSession

    return TeamSession.unlock(opened(store), worker_id, passphrase, after_lock=after_lock)


def reset_with_recovery(store: Store | OpeningStore, recovery_code: str, worker_id: str, new_passphrase: str) -> int:
    """A new passphrase for a worker who forgot theirs, with the team's recovery code.

    The one way, from the command line, the unlock screen and Team beheren
    (``jongerenteam.team.reset_with_recovery``). Returns how many student
    keys were wrapped again.
    """
    from jongerenteam import team
    from jongerenteam.settings import kdf_params

    return team.reset_with_recovery(opened(store), recovery_code, worker_id, new_passphrase, kdf_params())


def check_recovery_code(store: Store | OpeningStore, recovery_code: str) -> None:
    """Refuse a wrong recovery code (``WrongPassphrase``) before a new passphrase is asked."""
    from storage import team

    team.unlock_recovery(opened(store), recovery_code)


def create_store(location: str) -> Store:
    """A new, empty store at ``location`` (refused when one is there already)."""
    from storage.store import Store

    return Store.create(location)


class CreatedTeam(NamedTuple):
    recovery: str  # the recovery code, shown once
    slow: str | None  # a Dutch sentence when the key derivation is slow on this laptop (settings.tuned_kdf)


def create_team(store: Store, team_name: str, details: WorkerDetails, passphrase: str) -> CreatedTeam:
    """The team in a new store, with its first coördinator: the recovery code, and whether
    the key derivation turned out slow on this laptop."""
    from jongerenteam import team
    from jongerenteam.settings import tuned_kdf

    params, slow = tuned_kdf()
    return CreatedTeam(team.create_team(store, team_name, details, passphrase, params), slow)
