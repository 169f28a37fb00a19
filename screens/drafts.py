"""Typed work survives: which screens were open, what was typed, and how to get it back.

A screen that can be rebuilt implements ``Resumable``:

- ``resume_state()``: a small JSON dict that names what it showed (a student
  id, a tab, a kind), or None when it should not come back;
- ``draft()``: what was typed, or None;
- ``resume(session, state)`` (a classmethod): the screen again, or None when
  it cannot come back (the student is gone, the worker no longer involved).

``collect(app)`` turns the screen stack into one document. The app keeps it
in the store as the worker's draft (``jongerenteam.drafts``: sealed to the
worker's own key) every few seconds while something is typed, at a lock, at
ctrl+q and when it crashes. ``rebuild`` pushes the screens again after an
unlock; each rebuilt screen takes its own draft with ``app.take_draft(self)``.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol, runtime_checkable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer

from jongerenteam import errorlog
from screens.text import Static


@runtime_checkable
class Resumable(Protocol):
    """A screen that can be rebuilt after a lock or a crash, with what was typed in it."""

    def resume_state(self) -> dict | None: ...

    def draft(self) -> dict | None: ...


# A label per screen for the question "Terugzetten?"; screens may set DRAFT_LABEL.
DEFAULT_LABEL = "een formulier"


def _name(screen: Screen) -> str:
    cls = type(screen)
    return f"{cls.__module__}.{cls.__qualname__}"


def collect(stack: list[Screen]) -> dict:
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
            "draft": screen.draft() or None,
            "label": str(getattr(screen, "DRAFT_LABEL", "") or getattr(screen, "DIALOG_TITLE", "") or ""),
        })
    return {"v": 1, "screens": screens}


def typed(document: dict) -> bool:
    """True when any screen of the document holds typed text (only then is it kept in the store)."""
    return any(item.get("draft") for item in document.get("screens", []))


def without_drafts(document: dict) -> dict:
    """Which screens were open, without what was typed: what a locked app may keep in memory."""
    return {"v": 1, "screens": [{**item, "draft": None} for item in document.get("screens", [])]}


def labels(document: dict) -> list[str]:
    """What the draft holds, in words: 'Inloop', 'Gespreksverslag', ..."""
    return [item.get("label") or DEFAULT_LABEL for item in document.get("screens", []) if item.get("draft")]


def _screen_class(name: str) -> type | None:
    module_name, _, class_name = name.rpartition(".")
    if not module_name.startswith("screens.") or not class_name:
        return None
    module = importlib.import_module(module_name)
    cls = getattr(module, class_name, None)
    if isinstance(cls, type) and issubclass(cls, Screen) and hasattr(cls, "resume"):
        return cls
    return None


def rebuild(session: Any, document: dict) -> list[tuple[Screen, dict | None]]:
    """The screens of ``document`` again, each with its draft; those that cannot come back are left out."""
    out: list[tuple[Screen, dict | None]] = []
    for item in document.get("screens", []):
        try:
            cls = _screen_class(str(item.get("screen", "")))
            screen = cls.resume(session, item.get("state") or {}) if cls is not None else None  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - the student may be gone; the rest still comes back
            errorlog.record(exc, "terugzetten")
            screen = None
        if screen is not None:
            out.append((screen, item.get("draft")))
    return out


class OfferDraft(ModalScreen[str]):
    """A draft of another window: back (j), thrown away (w), or later (Esc: asked again next time)."""

    BINDINGS = [
        Binding("j,enter", "answer('back')", "Terugzetten", key_display="j"),
        Binding("w", "answer('discard')", "Weggooien"),
        Binding("escape", "answer('later')", "Later"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question)
            yield Static(TEXT["keys"], classes="hint")
        yield Footer()

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)


TEXT = {
    "offer": "Er is niet-opgeslagen invoer van je bewaard ({at:%d-%m om %H:%M}): {what}. Terugzetten?",
    "keys": "j = terugzetten · w = weggooien · Esc = later (je krijgt de vraag bij het volgende ontgrendelen weer)",
}
