"""What an unlocked worker holds, and the features they use.

A ``TeamSession`` is the explicit context every feature shares between
unlock and lock: the store, the worker's keys, the team's workers and the
decrypted directory (``jongerenteam.directory``). The use cases live in one
service per feature, reached as attributes (``session.spreekuur``,
``session.dossier``, ``session.consent``, ``session.driegesprek``,
``session.handover``, ``session.eighteen``, ``session.report``,
``session.rights``, ``session.team``, ``session.social_map``,
``session.drafts``, ``session.meldcode``), each in the module named after the feature.

The app's session makes all of them at unlock. A *lean* session (a command
such as ``jongerenteam report``: ``TeamSession.unlock(lean=True)``) decrypts
the directory and imports and makes a feature's service only when a use
case first reaches it: the report's figures come from the statistics tier
alone (at 50,000 students about a third of a second less; docs/performance.md).

Two rules hold for every use case:

- **One unit of work**: everything it writes commits in one transaction
  (``session.unit()``, over ``Store.unit()``), or nothing does.
- **Published once, from one place**: after a unit commits, ``sync()`` reads
  the store's change feed (the audit log: ``storage.changes``) and brings the
  directory and the caches up to date. The app calls ``sync()`` every few
  seconds too, so changes made in another window or on another laptop show
  up without a new unlock; ``Changes`` says what changed and who changed it.

``lock()`` drops the keys and everything decrypted. Nothing here knows Textual.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from jongerenteam import integrity
from jongerenteam.directory import Directory, StudentRecord
from storage import audit, changes, team
from storage import integrity as store_integrity
from storage.errors import Locked, WorkerInactive
from storage.keyring import Keys
from storage.models import Worker
from storage.store import Store

if TYPE_CHECKING:
    from jongerenteam.consent import ConsentService
    from jongerenteam.dossier import DossierService
    from jongerenteam.drafts import DraftService
    from jongerenteam.driegesprek import DriegesprekService
    from jongerenteam.eighteen import EighteenService
    from jongerenteam.handover import HandoverService
    from jongerenteam.meldcode import MeldcodeService
    from jongerenteam.report import ReportService
    from jongerenteam.rights import RightsService
    from jongerenteam.service import Service
    from jongerenteam.socialmap import SocialMapService
    from jongerenteam.spreekuur import SpreekuurService
    from jongerenteam.team import TeamService

# Team-level changes (no student): which caches they concern.
WORKER_EVENTS = frozenset({"worker_added", "worker_deactivated", "recovery", "passphrase_changed"})
EVERYTHING = frozenset({"restore", "migration"})


@dataclass(slots=True)
class Changes:
    """What ``sync`` found: which students changed (and who changed them last, when),
    and whether team-level things did (workers, settings, the sociale kaart)."""

    students: dict[str, tuple[str | None, datetime]] = field(default_factory=dict)
    workers: bool = False
    team: bool = False  # settings, the sociale kaart, vaste contactpersonen, checklists
    everything: bool = False
    # Students whose meldcode trajectory changed: kept apart from ``students``, so a colleague
    # on the file who is not on the trajectory is not told "bijgewerkt" (storage.meldcode).
    meldcode: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.students) or self.workers or self.team or self.everything or bool(self.meldcode)

    def by(self, student_id: str) -> tuple[str | None, datetime] | None:
        """(worker id, moment) of the newest change of this student, if it changed."""
        return self.students.get(student_id)

    def merge(self, other: Changes) -> None:
        self.students.update(other.students)
        self.meldcode |= other.meldcode
        self.workers |= other.workers
        self.team |= other.team
        self.everything |= other.everything


_S = TypeVar("_S", bound="Service")


class _Feature(Generic[_S]):
    """A feature's service on the session (``session.report``): the service class
    ``name`` of ``module``, imported and made with the session, or in a lean
    session on first use. Once made it sits in the session's own attributes,
    so reaching it again never comes here."""

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        self.attribute = ""

    def __set_name__(self, owner: type, attribute: str) -> None:
        self.attribute = attribute

    @overload
    def __get__(self, session: None, owner: type) -> _Feature[_S]: ...

    @overload
    def __get__(self, session: TeamSession, owner: type) -> _S: ...

    def __get__(self, session: TeamSession | None, owner: type) -> _Feature[_S] | _S:
        if session is None:
            return self
        service: _S = session._make_feature(self)
        return service


class TeamSession:
    """An unlocked worker: keys, workers, directory, and the features."""

    spreekuur: _Feature[SpreekuurService] = _Feature("jongerenteam.spreekuur", "SpreekuurService")
    dossier: _Feature[DossierService] = _Feature("jongerenteam.dossier", "DossierService")
    consent: _Feature[ConsentService] = _Feature("jongerenteam.consent", "ConsentService")
    driegesprek: _Feature[DriegesprekService] = _Feature("jongerenteam.driegesprek", "DriegesprekService")
    handover: _Feature[HandoverService] = _Feature("jongerenteam.handover", "HandoverService")
    eighteen: _Feature[EighteenService] = _Feature("jongerenteam.eighteen", "EighteenService")
    report: _Feature[ReportService] = _Feature("jongerenteam.report", "ReportService")
    rights: _Feature[RightsService] = _Feature("jongerenteam.rights", "RightsService")
    team: _Feature[TeamService] = _Feature("jongerenteam.team", "TeamService")
    social_map: _Feature[SocialMapService] = _Feature("jongerenteam.socialmap", "SocialMapService")
    drafts: _Feature[DraftService] = _Feature("jongerenteam.drafts", "DraftService")
    meldcode: _Feature[MeldcodeService] = _Feature("jongerenteam.meldcode", "MeldcodeService")
    # The attribute names above, in their order (made in this order at a full unlock).
    FEATURES = tuple(name for name, value in list(vars().items()) if isinstance(value, _Feature))

    def __init__(self, store: Store, keys: Keys, *, lean: bool = False) -> None:
        self.store = store
        self._keys: Keys | None = keys
        self.worker_id = keys.worker_id
        self.role = keys.role
        self._sync_lock = threading.Lock()
        self._depth = threading.local()
        # What sync found that the screens have not been told yet (take_changes).
        self._untold = Changes()
        self._deactivated = False
        # Dutch warnings from the checks at unlock (jongerenteam.integrity): the app and the CLI say them.
        self.notices: list[str] = []
        # The change feed: everything up to here is in what we load now.
        self._seen = changes.latest(store)
        self.workers: dict[str, Worker] = {w.id: w for w in store.workers(active_only=False)}
        # The directory, decrypted now or, in a lean session, on first use (``self.directory``).
        self._directory: Directory | None = None
        self._directory_build = threading.Lock()
        if not lean:
            self._directory = Directory(store, keys)
        # The features' services made so far, in the order they were made (``_Feature``).
        self._services: list[Service] = []
        self._features_lock = threading.Lock()
        if not lean:
            for name in self.FEATURES:
                getattr(self, name)
        # Read access that ended after a handover goes now (logged).
        self.handover.expire_access()

    # -- life cycle ------------------------------------------------------

    @classmethod
    def unlock(
        cls, store: Store, worker_id: str, passphrase: str, *, after_lock: bool = False, check: bool = True,
        lean: bool = False,
    ) -> TeamSession:
        """Open the worker's slot; logged as 'login', or 'unlock' after a lock.

        ``check``: compare the store with what this laptop saw before
        (``jongerenteam.integrity``); off only for the logins inside a
        restore, which open a backup (older by nature) or the store it replaces.
        ``lean``: decrypt the directory and make the features' services only
        when a use case first reaches them (a command; see the top).
        """
        event = "unlock" if after_lock else "login"
        keys = team.unlock(store, worker_id, passphrase, event=event)
        # Before anything is shown: is this the store this laptop saw last time?
        notices = integrity.after_unlock(store, keys) if check else []
        session = cls(store, keys, lean=lean)
        session.notices = notices
        return session

    def weak_key_warning(self) -> str | None:
        """A Dutch warning when this worker's key slot is below OWASP's floor (made
        with the test suite's cheap key derivation), outside the test suite; else None."""
        from jongerenteam.messages import WEAK_KEY_SLOT
        from jongerenteam.settings import under_test

        if under_test():
            return None
        params = team.slot_params(self.store, self.worker_id)
        return WEAK_KEY_SLOT if params is not None and not params.meets_owasp_floor() else None

    @property
    def keys(self) -> Keys:
        if self._keys is None:
            raise Locked("session")
        return self._keys

    @property
    def is_locked(self) -> bool:
        return self._keys is None

    @property
    def worker(self) -> Worker:
        return self.workers[self.worker_id]

    def lock(self) -> None:
        """Log the lock, drop keys and every decrypted value, fold the WAL."""
        if self._keys is None:
            return
        keys = self._keys
        # Keys and decrypted data go first, whatever happens to the log entry
        # (a lost server connection, a full disk): locking must never fail open.
        self._keys = None
        if self._directory is not None:
            self._directory.forget()
        for service in tuple(self._services):
            service.forget()
        with self.store.session() as s:
            audit.append(s, keys, "lock", worker_id=self.worker_id)
            store_integrity.record_seen(s, keys)
        integrity.remember_now(self.store)
        self.store.checkpoint()

    # -- one unit of work, one publication ----------------------------------------------

    @property
    def deactivated(self) -> bool:
        """Whether a coördinator deactivated this worker after the unlock (seen by
        ``sync`` or by a refused write): the window locks (``screens.app``)."""
        return self._deactivated or not self.worker.active

    @contextmanager
    def unit(self) -> Iterator[None]:
        """One use case: one transaction; when the outermost unit commits, ``sync()``.

        Every write checks that this worker is still active (``storage.audit.require_active``).
        """
        depth = getattr(self._depth, "n", 0)
        self._depth.n = depth + 1
        try:
            with self.store.unit():
                yield
        except WorkerInactive as exc:
            if exc.info.get("own"):
                self._deactivated = True
            raise
        finally:
            self._depth.n = depth
        if depth == 0:
            self.sync()

    def sync(self) -> Changes:
        """Read what changed in the store since the last sync and bring the
        directory, the workers and every service's cache up to date."""
        found = Changes()
        if self.is_locked:
            return found
        with self._sync_lock:
            # The feed and the students it names, read in one read transaction.
            with self.store.reading_together():
                if not self._read_changes(found):
                    return found
            for service in tuple(self._services):
                service.changed(found)
            self._untold.merge(found)
        return found

    def _read_changes(self, found: Changes) -> bool:
        """Fill ``found`` from the change feed and refresh the workers and the
        directory; False when nothing changed since the last sync."""
        newest, rows = changes.since(self.store, self._seen)
        if newest <= self._seen:
            return False
        self._seen = newest
        for c in rows:
            if c.event in EVERYTHING:
                found.everything = True
            elif c.event in WORKER_EVENTS:
                found.workers = True
            elif c.student_id and c.detail.startswith(audit.MELDCODE):
                found.meldcode.add(c.student_id)
            elif c.student_id:
                found.students[c.student_id] = (c.worker_id, c.at)
            else:
                found.team = True
        if len(rows) > 10_000:
            found.everything = True
        if found.workers or found.team or found.everything:
            # A worker's expertise or reachability is a team-level change too.
            self.workers = {w.id: w for w in self.store.workers(active_only=False)}
        # A directory not decrypted yet has nothing to refresh: it reads the store as it is then.
        directory = self._directory
        if directory is not None and found.everything:
            directory.refresh(set(directory.students) | self._all_student_ids())
        elif directory is not None and found.students:
            directory.refresh(found.students)
        return True

    def take_changes(self) -> Changes:
        """Everything the syncs found since the screens last asked (also what a use
        case's own sync found: a colleague's change it came across on the way)."""
        with self._sync_lock:
            told, self._untold = self._untold, Changes()
        return told

    def _all_student_ids(self) -> set[str]:
        from storage import students

        return students.all_ids(self.store)

    def _make_feature(self, feature: _Feature[_S]) -> _S:
        """The feature's service, made now (``_Feature``): its module imported, the
        service kept among the session's attributes and told of syncs and the lock."""
        with self._features_lock:
            made: Any = self.__dict__.get(feature.attribute)  # made meanwhile by another thread
            if made is None:
                made = getattr(importlib.import_module(feature.module), feature.name)(self)
                self.__dict__[feature.attribute] = made
                self._services.append(made)
        service: _S = made
        return service

    # -- what every feature reads ---------------------------------------------------------

    @property
    def directory(self) -> Directory:
        """The decrypted directory; in a session unlocked with ``directory=False``
        decrypted here, on first use (raises Locked after the lock)."""
        built = self._directory
        if built is not None:
            return built
        with self._directory_build:
            if self._directory is None:
                self._directory = Directory(self.store, self.keys)
            return self._directory

    @property
    def students(self) -> dict[str, StudentRecord]:
        """The directory by id (read-only: the change feed keeps it current)."""
        return self.directory.students

    @property
    def involved(self) -> set[str]:
        return self.directory.involved

    @property
    def damaged_ids(self) -> list[str]:
        return self.directory.damaged_ids

    def is_involved(self, student_id: str) -> bool:
        return self.directory.is_involved(student_id)

    def record(self, student_id: str) -> StudentRecord:
        """The student as stored now (read again), e.g. before a use case checks their status."""
        self.directory.refresh([student_id])
        rec = self.directory.get(student_id)
        if rec is None:
            from storage.errors import UnknownStudent

            raise UnknownStudent(f"students/{student_id}")
        return rec

    def contact_name(self, record: StudentRecord) -> str:
        w = self.workers.get(record.contact_worker_id or "")
        return w.full_name if w else "geen"

    def active_workers(self) -> list[Worker]:
        from jongerenteam.search import fold

        return sorted((w for w in self.workers.values() if w.active), key=lambda w: fold(w.full_name))

    def worker_name(self, worker_id: str | None, default: str = "onbekend") -> str:
        w = self.workers.get(worker_id or "")
        return w.full_name if w else default
