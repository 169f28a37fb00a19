"""Typed work survives: which screens were open, what was typed, and how to get it back.

A screen that can be rebuilt implements ``Resumable``:

- ``resume_state()``: a small JSON dict that names what it showed (a student
  id, a tab, a kind), or None when it should not come back;
- ``draft()``: what was typed, or None;
- ``resume(session, state)`` (a classmethod): the screen again, or None when
  it cannot come back (the student is gone, the worker no longer involved);
- optionally ``draft_label()`` (``Labelled``): what the draft is, in words.

``collect(app)`` turns the screen stack into one document. The app keeps it
in the store as the worker's draft (``jongerenteam.drafts``: sealed to the
worker's own key) every few seconds while something is typed, at a lock, at
ctrl+q and when it crashes. ``rebuild`` pushes the screens again after an
unlock; each rebuilt screen takes its own draft with ``app.take_draft(self)``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from textual.binding import Binding, BindingType
from textual.screen import Screen

from jongerenteam import errorlog
from screens.dialogs import Question

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.session import TeamSession


@runtime_checkable
class Resumable(Protocol):
    """A screen that can be rebuilt after a lock or a crash, with what was typed in it."""

    def resume_state(self) -> dict[str, Any] | None: ...

    def draft(self) -> dict[str, Any] | None: ...


@runtime_checkable
class Labelled(Protocol):
    """A screen that says what its draft is ("een gesprek")."""

    def draft_label(self) -> str: ...


def involved_record(session: TeamSession, state: dict[str, Any]) -> StudentRecord | None:
    """The student a ``resume_state`` names, if the worker is still involved with them (else nothing comes back)."""
    record = session.students.get(str(state.get("student", "")))
    return record if record is not None and session.is_involved(record.id) else None


# A label for the question "Terugzetten?" when a screen has none of its own.
DEFAULT_LABEL = "een formulier"


def _name(screen: Screen[Any]) -> str:
    cls = type(screen)
    return f"{cls.__module__}.{cls.__qualname__}"


def typed_in(screen: Screen[Any]) -> dict[str, Any] | None:
    """What is typed in ``screen``; nothing while it is still being built (no fields yet to read)."""
    if not isinstance(screen, Resumable) or not screen.is_mounted:
        return None
    return screen.draft() or None


def collect(stack: list[Screen[Any]]) -> dict[str, Any]:
    """The screens that can come back (Vandaag excluded), each with its state and its draft."""
    screens = []
    for screen in stack:
        if not isinstance(screen, Resumable):
            continue
        state = screen.resume_state()
        if state is None:
            continue
        screens.append({
            "screen": _name(screen),
            "state": state,
            "draft": typed_in(screen),
            "label": screen.draft_label() if isinstance(screen, Labelled) else "",
        })
    return {"v": 1, "screens": screens}


def typed(document: dict[str, Any]) -> bool:
    """True when any screen of the document holds typed text (only then is it kept in the store)."""
    return any(item.get("draft") for item in document.get("screens", []))


def without_drafts(document: dict[str, Any]) -> dict[str, Any]:
    """Which screens were open, without what was typed: what a locked app may keep in memory."""
    return {"v": 1, "screens": [{**item, "draft": None} for item in document.get("screens", [])]}


def labels(document: dict[str, Any]) -> list[str]:
    """What the draft holds, in words: 'Inloop', 'Gespreksverslag', ..."""
    return [item.get("label") or DEFAULT_LABEL for item in document.get("screens", []) if item.get("draft")]


@runtime_checkable
class Rebuildable(Protocol):
    """A screen class that can build its screen again from a ``resume_state``."""

    @classmethod
    def resume(cls, session: TeamSession, state: dict[str, Any]) -> Screen[Any] | None: ...


def _screen_class(name: str) -> type[Rebuildable] | None:
    """The screen class a draft names ("module.Class", ``_name``), if it is one of this app that can come back.

    The one place a name from stored data becomes code: only a module of
    ``screens``, only a Screen class in it with a ``resume``.
    """
    module_name, _, class_name = name.rpartition(".")
    if not module_name.startswith("screens.") or not class_name:
        return None
    cls = vars(importlib.import_module(module_name)).get(class_name)
    if isinstance(cls, type) and issubclass(cls, Screen) and issubclass(cls, Rebuildable):
        return cls
    return None


def rebuild(session: TeamSession, document: dict[str, Any]) -> list[tuple[Screen[Any], dict[str, Any] | None]]:
    """The screens of ``document`` again, each with its draft; those that cannot come back are left out."""
    out: list[tuple[Screen[Any], dict[str, Any] | None]] = []
    for item in document.get("screens", []):
        try:
            cls = _screen_class(str(item.get("screen", "")))
            screen = cls.resume(session, item.get("state") or {}) if cls is not None else None
        except Exception as exc:  # noqa: BLE001 - the student may be gone; the rest still comes back (logged)
            errorlog.record(exc, "terugzetten")
            screen = None
        if screen is not None:
            out.append((screen, item.get("draft")))
    return out


TEXT = {
    "offer": "Er is niet-opgeslagen invoer van je bewaard ({at:%d-%m om %H:%M}): {what}. Terugzetten?",
    "keys": "j = terugzetten · w = weggooien · Esc = later (je krijgt de vraag bij het volgende ontgrendelen weer)",
}


class OfferDraft(Question):
    """A draft of another window: back (j), thrown away (w), or later (Esc: asked again next time)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,enter", "answer('back')", "Terugzetten", key_display="j"),
        Binding("w", "answer('discard')", "Weggooien"),
        Binding("escape", "answer('later')", "Later"),
    ]
    HINT = TEXT["keys"]
