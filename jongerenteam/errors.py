"""The errors the core raises, for screens and the CLI to catch by name.

They are defined beside the store (``storage.errors``), which raises most of
them; screens import them from here, never from storage/. What a user reads
for each is in ``jongerenteam.messages``.
"""

from __future__ import annotations

from storage.errors import (
    BackupDamaged,
    BackupUnusable,
    Conflict,
    DiskFull,
    Locked,
    LogTampered,
    NewerSchema,
    NotAllowed,
    NotInvolved,
    Reason,
    ServerBackup,
    StoreAccessDenied,
    StoreDamaged,
    StoreError,
    StoreExists,
    StoreInUse,
    StoreLocked,
    StoreMissing,
    StoreUnavailable,
    Tampered,
    UnknownStudent,
    UnknownWorker,
    WorkerExists,
    WorkerInactive,
    WrongPassphrase,
)

__all__ = [
    "BackupDamaged",
    "BackupUnusable",
    "Conflict",
    "DiskFull",
    "Locked",
    "LogTampered",
    "NewerSchema",
    "NotAllowed",
    "NotInvolved",
    "Reason",
    "ServerBackup",
    "StoreAccessDenied",
    "StoreDamaged",
    "StoreError",
    "StoreExists",
    "StoreInUse",
    "StoreLocked",
    "StoreMissing",
    "StoreUnavailable",
    "Tampered",
    "UnknownStudent",
    "UnknownWorker",
    "WorkerExists",
    "WorkerInactive",
    "WrongPassphrase",
]
