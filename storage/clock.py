"""The one place the store asks for the time, so tests can fix the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def _utc_now() -> datetime:
    return datetime.now(UTC)


_now: Callable[[], datetime] = _utc_now


def now() -> datetime:
    return _now()


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests); None restores the real one."""
    global _now
    _now = fn if fn is not None else _utc_now


def local_time(moment: datetime) -> datetime:
    """Show a stored UTC moment in the laptop's own time zone."""
    if moment.tzinfo is None:  # SQLite hands back naive UTC values
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()
