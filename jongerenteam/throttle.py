"""The growing wait after repeated wrong passphrases (policy, no I/O).

Every guess already costs a calibrated Argon2id derivation; on top of that,
from the fifth refusal since the last successful login, the worker waits
2, 4, 8 ... seconds (at most a minute) before the next try is even made.
The count and the time come from the audit log, so a restart changes nothing.
"""

from __future__ import annotations

from datetime import datetime

FREE_ATTEMPTS = 4
MAX_DELAY_SECONDS = 60


def delay_after(failures: int) -> int:
    """Seconds to wait after this many refusals (0 while under the free attempts)."""
    if failures <= FREE_ATTEMPTS:
        return 0
    return min(MAX_DELAY_SECONDS, 1 << (failures - FREE_ATTEMPTS))  # 2 ** (failures - FREE_ATTEMPTS)


def remaining(failures: int, last_failure: datetime | None, now: datetime) -> float:
    """Seconds still to wait before the next try; 0 when it may go ahead."""
    if last_failure is None:
        return 0.0
    wait = delay_after(failures) - (now - last_failure).total_seconds()
    return max(0.0, wait)
