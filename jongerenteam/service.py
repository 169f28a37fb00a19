"""What every feature's service shares: the session it works in, and nothing else.

A service is a small class per feature (``SpreekuurService``,
``DossierService`` ...) holding the use cases of that feature. It reaches
the store, the keys, the workers and the directory through the session it
was made with (its explicit context), other features through their public
methods (``self.session.dossier.open_dossier(...)``), and never another
service's private state. Caches a service keeps are dropped in ``forget``
(at lock) and brought up to date in ``changed`` (after each ``sync``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from storage.keyring import Keys
from storage.models import Worker
from storage.store import Store

if TYPE_CHECKING:
    from jongerenteam.directory import Directory, StudentRecord
    from jongerenteam.session import Changes, TeamSession


class Service:
    """The use cases of one feature, in one worker's session."""

    def __init__(self, session: TeamSession) -> None:
        self.session = session

    # -- the shared context --------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self.session.store

    @property
    def keys(self) -> Keys:
        return self.session.keys

    @property
    def worker_id(self) -> str:
        return self.session.worker_id

    @property
    def worker(self) -> Worker:
        return self.session.worker

    @property
    def workers(self) -> dict[str, Worker]:
        return self.session.workers

    @property
    def directory(self) -> Directory:
        return self.session.directory

    @property
    def students(self) -> dict[str, StudentRecord]:
        return self.session.directory.students

    def is_involved(self, student_id: str) -> bool:
        return self.session.directory.is_involved(student_id)


    @contextmanager
    def unit(self) -> Iterator[None]:
        """This use case's one transaction (see ``TeamSession.unit``)."""
        with self.session.unit():
            yield

    def require_coordinator(self, where: str = "team") -> None:
        from storage.errors import NotAllowed, Reason

        if not self.keys.is_coordinator:
            raise NotAllowed(where, reason=Reason.COORDINATOR_ONLY)

    # -- caches ------------------------------------------------------------------------------

    def changed(self, changes: Changes) -> None:
        """The store changed (``session.sync``): drop what the change makes stale."""

    def forget(self) -> None:
        """The session locks: drop every decrypted value this service keeps."""
