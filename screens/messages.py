"""Custom Textual messages of the app, in one place (harlequin's habit)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.message import Message

if TYPE_CHECKING:
    from jongerenteam.drafts import WaitingWork
    from jongerenteam.session import Changes, TeamSession
    from jongerenteam.spreekuur import Today


class Unlocked(Message):
    """A worker unlocked the store; ``session`` is their TeamSession, ``waiting``
    their drafts in the store (or None), ``today`` what Vandaag shows, read in
    the same thread (or None: Vandaag reads it itself)."""

    def __init__(self, session: TeamSession, waiting: WaitingWork | None = None, today: Today | None = None) -> None:
        super().__init__()
        self.session = session
        self.waiting = waiting
        self.today = today


class UnlockFailed(Message):
    def __init__(self, text: str, *, wrong_passphrase: bool) -> None:
        super().__init__()
        self.text = text
        self.wrong_passphrase = wrong_passphrase


class StoreChanged(Message):
    """The store changed (this window's own saves, another window, another laptop):
    ``changes`` is a ``jongerenteam.session.Changes``. Sent to every screen on the stack."""

    def __init__(self, changes: Changes) -> None:
        super().__init__()
        self.changes = changes


class DossierChanged(Message):
    """Something in a student's file was saved: an open dossier of that student reads it again.

    ``student_id`` None: the dossier the message reaches (a tab of it posted
    it). ``select``: a new entry, which its list then highlights (so e edits
    the talk just added).
    """

    def __init__(self, student_id: str | None = None, select: str | None = None) -> None:
        super().__init__()
        self.student_id = student_id
        self.select = select


def dossier_changed(app: App[Any], student_id: str, select: str | None = None) -> None:
    """Tell every screen that a student's file changed (a dialog saved; also one rebuilt after a lock)."""
    for screen in app.screen_stack:
        screen.post_message(DossierChanged(student_id, select))
