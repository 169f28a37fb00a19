"""The growing wait after repeated wrong passphrases.

Every guess already costs a calibrated Argon2id derivation; on top of that,
from the fifth refusal since the last successful login, the worker waits
2, 4, 8 ... seconds (at most a minute) before the next try is even made.
The count and the time come from the audit log, so a restart changes nothing.

The same wait holds wherever a passphrase is typed: the login (the unlock
screen and the command line) and a coördinator's passphrase typed again at
someone's session, for noodtoegang or an inzage through the escrow
(``check_passphrase``). A refusal there is logged like a refused login, so
it counts for both.

``delay_after`` and ``remaining`` are the policy; the two functions below
them read the audit log (storage is imported inside them: this module is
loaded before the first frame).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.keyring import Keys
    from storage.store import Store

FREE_ATTEMPTS = 4
MAX_DELAY_SECONDS = 60


def delay_after(failures: int) -> int:
    """Seconds to wait after this many refusals (0 while under the free attempts)."""
    if failures <= FREE_ATTEMPTS:
        return 0
    return min(MAX_DELAY_SECONDS, 1 << min(failures - FREE_ATTEMPTS, 16))


def remaining(failures: int, last_failure: datetime | None, now: datetime) -> float:
    """Seconds still to wait before the next try; 0 when it may go ahead."""
    if last_failure is None:
        return 0.0
    wait = delay_after(failures) - (now - last_failure).total_seconds()
    return max(0.0, wait)


def wait_seconds(store: Store, worker_id: str) -> int:
    """Whole seconds this worker must still wait before a passphrase is tried (0: none)."""
    from storage import clock, team

    failures, last = team.login_throttle(store, worker_id)
    return max(0, math.ceil(remaining(failures, last, clock.now())))


def check_passphrase(store: Store, worker_id: str, passphrase: str) -> Keys:
    """A passphrase typed again at a session (noodtoegang, inzage), after the same wait as the login.

    While the wait runs the passphrase is not tried at all: ``PassphraseWait``
    says how long. A wrong one raises ``WrongPassphrase`` and is logged, so
    the next wait grows.
    """
    from storage import team

    wait = wait_seconds(store, worker_id)
    if wait > 0:
        from jongerenteam.errors import PassphraseWait

        raise PassphraseWait(worker_id, wait)
    return team.check_passphrase(store, worker_id, passphrase)
