"""The store's errors. They carry places and names of things, never field values.

The Dutch sentences a user reads are in ``jongerenteam.messages``.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why something is not allowed (``NotAllowed``): one code per reason, and
    each has one Dutch sentence in ``jongerenteam.messages.NOT_ALLOWED``
    (``tests/test_messages.py`` checks that none is missing)."""

    COORDINATOR_ONLY = "coordinator only"
    NOT_A_COORDINATOR = "not a coordinator"
    COORDINATOR_WITHOUT_ESCROW = "coordinator without escrow"
    ESCROW_NOT_OPEN = "escrow not open"
    FIRST_WORKER_COORDINATOR = "first worker must be a coordinator"
    CANNOT_DEACTIVATE_SELF = "cannot deactivate self"
    SAME_WORKER = "same worker"
    INACTIVE_WORKER = "inactive worker"
    REASON_NEEDED = "reason needed"
    EMERGENCY_NEEDS_REASON = "emergency access needs a reason"
    ERASURE_NEEDS_REASON = "erasure needs a reason"
    CONTACT_PERSON = "contact person"
    LAST_INVOLVED = "last involved"
    REMOVED = "removed"
    NOT_EDITABLE = "not editable"
    RECEIVER_ONLY = "receiver only"
    IMPOSSIBLE_STEP = "impossible step"
    HANDOVER_OPEN = "handover open"
    UNKNOWN_HANDOVER = "unknown handover"
    BACKUP_COORDINATOR = "backup coordinator"
    CONTACT_ONLY = "contact person only"
    COORDINATOR_REASON = "coordinator needs a reason"
    ACCESS_DAYS_NEW_HELPER = "access days new helper"
    HANDOVER_NOT_SIGNED = "handover not as signed"
    OLD_HELPER_ONLY = "old helper only"
    MELDCODE_STARTER_ONLY = "meldcode starter only"
    MELDCODE_SELF = "meldcode self"
    ALREADY_LINKED = "anonymous walk-in already linked"


class StoreError(Exception):
    """Base class; ``where`` names the store, table or row concerned."""

    def __init__(self, where: str = "", **info: object) -> None:
        super().__init__(where)
        self.where = where
        self.info = info


class StoreMissing(StoreError):
    pass


class StoreExists(StoreError):
    pass


class StoreDamaged(StoreError):
    pass


class StoreLocked(StoreError):
    pass


class DiskFull(StoreError):
    pass


class StoreUnavailable(StoreError):
    """The database server cannot be reached, or the connection was lost mid-work."""


class StoreAccessDenied(StoreError):
    """The database server refused this login (role, password, pg_hba.conf, privileges)."""


class ServerBackup(StoreError):
    """Backups of a store on a database server are made by its admins (pg_dump), not by the app."""


class NewerSchema(StoreError):
    pass


class WrongPassphrase(StoreError):
    pass


class UnknownWorker(StoreError):
    pass


class WorkerInactive(StoreError):
    pass


class WorkerExists(StoreError):
    """Another active worker already uses these initials (they pick people in the CLI)."""


class UnknownStudent(StoreError):
    pass


class Tampered(StoreError):
    """A value failed authentication: moved, edited or damaged."""


class KeySwapped(Tampered):
    """A worker's public key column is not the key their signed grant names
    (someone put their own key there to read what is sealed to that worker);
    ``info["worker_id"]``: whose. Nothing is sealed to it; that worker's next
    login puts their own key back."""


class LogTampered(Tampered):
    """The audit log was cut short, emptied or its anchor changed: nothing is
    added to it (and so nobody logs in) until a coördinator has looked.
    ``info["seq"]``: the line where the damage starts, when known."""


class Conflict(StoreError):
    """Someone else saved this row since it was read (optimistic concurrency)."""

    def __init__(self, where: str, by_name: str, at: str) -> None:
        super().__init__(where, by_name=by_name, at=at)
        self.by_name = by_name
        self.at = at


class NotInvolved(StoreError):
    """The worker holds no key for this student's file."""


class NotAllowed(StoreError):
    """Not allowed, for one ``Reason``."""

    def __init__(self, where: str = "", *, reason: Reason | str = Reason.COORDINATOR_ONLY, **info: object) -> None:
        self.reason = Reason(reason)  # an unknown code is a programming error, found at once
        super().__init__(where, reason=self.reason, **info)


class Locked(StoreError):
    """The session was locked; keys are gone."""


class StoreInUse(StoreError):
    """Another program holds this store file open ("reason": "open"), or a restore is replacing it ("restore")."""


class BackupUnusable(StoreError):
    """The file given as a backup cannot be restored; ``info["reason"]`` says why.

    Reasons: ``missing``, ``folder``, ``empty``, ``not sqlite``, ``truncated``,
    ``damaged`` (integrity check), ``not a store``, ``newer``, ``same`` (the
    store itself). ``where`` is the backup file as the user named it.
    """


class BackupDamaged(StoreError):
    """Values in the backup no longer decrypt (or its audit chain is broken).

    ``info`` holds counts only: ``damaged`` (kind -> number of values),
    ``students`` (kind -> number of students concerned) and ``audit_seq``
    (the first broken audit entry, or None). Never values, never ids.
    """
