"""Custom Textual messages of the app, in one place (harlequin's habit)."""

from __future__ import annotations

from textual.message import Message


class Unlocked(Message):
    """A worker unlocked the store; ``session`` is their TeamSession, ``waiting``
    their drafts in the store (``jongerenteam.drafts.WaitingWork``, or None)."""

    def __init__(self, session, waiting=None) -> None:
        super().__init__()
        self.session = session
        self.waiting = waiting


class UnlockFailed(Message):
    def __init__(self, text: str, *, wrong_passphrase: bool) -> None:
        super().__init__()
        self.text = text
        self.wrong_passphrase = wrong_passphrase


class StoreChanged(Message):
    """The store changed (this window's own saves, another window, another laptop):
    ``changes`` is a ``jongerenteam.session.Changes``. Sent to every screen on the stack."""

    def __init__(self, changes) -> None:
        super().__init__()
        self.changes = changes
