"""No silent overwrite: the one way a change is refused because a colleague saved first.

Every editable row carries a ``version``; a change names the version the
worker saw, and a different one means someone else saved in between. The
refusal (``Conflict``) names who and when, read from the row itself
(``updated_by``, ``updated_at``) or, for the team's settings, which have no
such columns, from the newest ``settings`` entry of the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Result, select
from sqlalchemy.orm import Session

from storage import clock
from storage.errors import Conflict, StoreDamaged
from storage.models import AuditEntry, Team, Worker


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """How many rows a bulk UPDATE or DELETE matched (a versioned update: 1, or 0 when someone saved first).

    ``Session.execute`` is typed to return a plain ``Result``; for those
    statements it is a ``CursorResult``, which carries the count.
    """
    return cast("CursorResult[*tuple[Any, ...]]", result).rowcount


def conflict(s: Session, where: str, worker_id: str | None, at: datetime | None) -> Conflict:
    """A Conflict that names the worker and the time (HH:MM on this laptop)."""
    by = s.get(Worker, worker_id) if worker_id else None
    return Conflict(
        where,
        by_name=by.full_name if by else "een collega",
        at=clock.local_time(at).strftime("%H:%M") if at is not None else clock.local_time(clock.now()).strftime("%H:%M"),
    )


def of_row(s: Session, where: str, row: Any) -> Conflict:
    """A Conflict about ``row`` as stored now (its ``updated_by`` and ``updated_at``)."""
    s.refresh(row)
    return conflict(s, where, row.updated_by, row.updated_at)


def check(s: Session, where: str, row: Any, expected_version: int) -> None:
    """Refuse unless ``row`` is still at the version the worker saw."""
    if row.version != expected_version:
        raise of_row(s, where, row)


def team_settings(s: Session, expected_version: int) -> Team:
    """The team row, to change its settings: refused unless still at the version
    the coördinator saw. (A store without its team row is damaged.)"""
    # (Annotated: Session.scalar's overloads give ``Any`` for an ORM entity.)
    team: Team | None = s.scalar(select(Team))
    if team is None:
        raise StoreDamaged("team")
    if team.version != expected_version:
        raise of_team_settings(s, "team")
    return team


def of_team_settings(s: Session, where: str) -> Conflict:
    """A Conflict about the team's settings: who changed them last, from the audit log."""
    last = s.execute(
        select(AuditEntry.worker_id, AuditEntry.at).where(AuditEntry.event == "settings")
        .order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    if last is None:
        return conflict(s, where, None, None)
    return conflict(s, where, last[0], datetime.fromisoformat(last[1]))
