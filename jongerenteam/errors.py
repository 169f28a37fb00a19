"""The errors the core raises, for screens and the CLI to catch by name.

Most are defined beside the store (``storage.errors``), which raises them;
the few the core raises itself are defined below. Screens import them from
here, never from storage/. What a user reads for each is in
``jongerenteam.messages``.
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
    "InsecureTestKdf",
    "Locked",
    "LogTampered",
    "NewerSchema",
    "NotAllowed",
    "NotInvolved",
    "PassphraseWait",
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
    "WeakPassphrase",
    "WorkerExists",
    "WorkerInactive",
    "WrongPassphrase",
]


class WeakPassphrase(ValueError):
    """A new passphrase was refused as too easy to guess; ``message`` is the Dutch reason
    (``jongerenteam.passphrase.weakness``), ``field`` the form field, as in ``ValidationError``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.field = "passphrase"
        self.message = message


class PassphraseWait(Exception):
    """Too many wrong passphrases for this worker: the next try may be made in ``seconds``.

    Counted from the audit log (``jongerenteam.throttle``), for every place a
    passphrase is typed: the login and a coördinator confirming at someone
    else's session (noodtoegang, inzage).
    """

    def __init__(self, worker_id: str, seconds: int) -> None:
        super().__init__(worker_id)
        self.worker_id = worker_id
        self.seconds = seconds


class InsecureTestKdf(Exception):
    """``JONGERENTEAM_INSECURE_TEST_KDF`` is set outside the test suite and the benchmarks
    (``jongerenteam.settings``): nothing starts, so no weak key slot is made."""

    def __init__(self, variable: str) -> None:
        super().__init__(variable)
        self.variable = variable
