"""What a worker types in a form, to values: a choice, a colleague, a number of minutes.

Typed choices and names are matched the same way on every form: case and
accents do not matter (``jongerenteam.search.fold``), and an unambiguous
start is enough. Dates and times are read by ``jongerenteam.dates``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol, TypeVar

from jongerenteam.domain import ValidationError
from jongerenteam.search import fold

if TYPE_CHECKING:
    from jongerenteam.session import TeamSession


class Named(Protocol):
    """A worker as far as finding one by name goes."""

    @property
    def full_name(self) -> str: ...

    @property
    def initials(self) -> str: ...


class Colleague(Named, Protocol):
    """A worker to choose from a list."""

    @property
    def id(self) -> str: ...


W = TypeVar("W", bound=Named)


def choice(value: str, options: Mapping[str, str]) -> str | None:
    """A typed choice to its code: the code, the label or an unambiguous start of either.

    '' when nothing was typed, None when it matches no option (or several).
    """
    wanted = fold(value.strip())
    if not wanted:
        return ""
    for code, label in options.items():
        if wanted in (fold(code), fold(label)):
            return code
    hits = [code for code, label in options.items() if fold(label).startswith(wanted) or fold(code).startswith(wanted)]
    return hits[0] if len(hits) == 1 else None


def find_worker(workers: Iterable[W], text: str) -> W | None:
    """An active colleague by full name or initials, or by the unambiguous start of a name."""
    wanted = fold(text.strip())
    if not wanted:
        return None
    listed = list(workers)
    for w in listed:
        if wanted in (fold(w.full_name), fold(w.initials)):
            return w
    hits = [w for w in listed if fold(w.full_name).startswith(wanted)]
    return hits[0] if len(hits) == 1 else None


def colleague_id(session: TeamSession, text: str) -> str | None:
    """The id of the active colleague typed (``find_worker``), or None."""
    worker = find_worker(session.active_workers(), text)
    return worker.id if worker is not None else None


def parts(text: str) -> list[str]:
    """The comma-separated parts of a field, trimmed, empty ones left out."""
    return [p.strip() for p in text.split(",") if p.strip()]


def minutes(text: str, field: str, message: str) -> int | None:
    """A number of minutes, or None when left empty; ValidationError(field, message) otherwise."""
    if not text.strip():
        return None
    if not text.strip().isdecimal():
        raise ValidationError(field, message)
    return int(text.strip())


def plural(n: int, one: str, more: str) -> str:
    """The word for ``n`` things: ``one`` for 1, else ``more`` ("student", "studenten")."""
    return one if n == 1 else more
