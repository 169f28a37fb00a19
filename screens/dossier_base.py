"""What the dossier screen and its tab panes share.

A pane is one tab of the dossier (screens/dossier.py). It shows a folded
``Dossier`` (jongerenteam.dossier) and, when it saved something, posts
``DossierChanged``: the screen then re-reads the file (without a second
'open' in the log: the change itself was logged) and calls ``show`` on
every pane. Panes never keep decrypted data beyond what they show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.containers import Vertical
from textual.message import Message

from jongerenteam.messages import explain


class DossierChanged(Message):
    """A pane saved something: re-read the file and show it again."""


class DossierPane(Vertical):
    """One tab of the dossier. Subclasses set TAB_TITLE and implement ``show``."""

    TAB_TITLE: ClassVar[str] = ""
    can_focus = False

    def __init__(self, session, record, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.record = record
        self.dossier = None

    def show(self, dossier, record) -> None:
        """Render ``dossier`` (and the directory ``record``, for the header data)."""
        self.dossier, self.record = dossier, record

    def changed(self) -> None:
        self.post_message(DossierChanged())

    def run_store(
        self,
        call: Callable[[], object],
        *,
        done: Callable[[object], None] | None = None,
        failed: Callable[[str], None] | None = None,
    ) -> None:
        """Run a store call off the UI thread; ``done(result)`` or ``failed(dutch)`` after.

        By default a success posts DossierChanged and a failure is a Dutch
        notification; what the worker typed stays where it was.
        """
        app = self.app

        def work() -> None:
            try:
                result = call()
            except Exception as exc:  # noqa: BLE001 - one Dutch sentence, never a traceback
                text = explain(exc)[0] if not hasattr(exc, "field") else exc.message
                app.call_from_thread(failed or (lambda t: app.notify(t, severity="error")), text)
                return
            app.call_from_thread(done or (lambda _r: self.changed()), result)

        self.run_worker(work, thread=True, exit_on_error=False, group="dossier-store")
