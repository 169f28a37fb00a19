"""The warme overdracht on screen (``session.handover``).

- ``start_handover``: key ``w`` in the dossier, ``o`` on the 18+ checklist:
  the open handover's card, else the wizard;
- ``wizard``: ``HandoverDialog``;
- ``card``: ``HandoverCard`` (one handover and its next steps) and
  ``LineDialog`` (one line for a step: a reason, a date);
- ``caseload``: ``CaseloadScreen`` and ``WorkerPicker``;
- ``words``: every word, in one place;
- ``commands``: the palette's entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.screen import Screen

from jongerenteam.dates import local_time, local_today
from screens.background import run_in_thread
from screens.handover.card import HandoverCard, LineDialog
from screens.handover.caseload import CaseloadScreen, WorkerPicker
from screens.handover.wizard import HandoverDialog
from screens.handover.words import TEXT
from screens.interfaces import AboutStudent, Command, current_session

if TYPE_CHECKING:
    from jongerenteam.handover import HandoverView

__all__ = [
    "CaseloadScreen",
    "HandoverCard",
    "HandoverDialog",
    "LineDialog",
    "WorkerPicker",
    "commands",
    "start_handover",
]


def start_handover(app: App[Any], student_id: str, kind: str | None = None) -> None:
    """Open the handover of a student: its card when one is open, else the wizard."""
    session = current_session(app)
    record = session.students.get(student_id)
    if record is None:
        return
    if not session.is_involved(student_id):
        app.notify(TEXT["not_involved"], severity="warning")
        return

    def opened(views: list[HandoverView]) -> None:
        open_view = next((v for v in views if v.row.open), None)
        latest = views[0] if views else None
        if open_view is not None:
            app.push_screen(HandoverCard(session, open_view))
        elif latest is not None and kind is None and not _long_ago(latest):
            # The last one (its steps, "leest mee tot"); n starts a new one.
            app.push_screen(HandoverCard(session, latest))
        else:
            app.push_screen(HandoverDialog(session, record, kind=kind))

    run_in_thread(app, "handover-open", lambda: session.handover.handovers_of(student_id), done=opened,
                  failed=lambda f: app.notify(f.text, severity="error"))


def _long_ago(view: HandoverView) -> bool:
    """A handover finished more than its read-access period ago: start fresh."""
    return (local_today() - local_time(view.row.updated_at).date()).days > max(view.row.access_days, 42)


def commands(app: App[Any], screen: Screen[Any]) -> list[Command]:
    """Palette commands: the handover of the open dossier, and the caseload."""
    out: list[Command] = []
    student_id = screen.student_id if isinstance(screen, AboutStudent) else None
    if student_id:
        out.append(("overdracht: warme overdracht", "Overdragen aan een collega, naar hulp buiten school of bij 18 jaar (w in het dossier)",
                    lambda: start_handover(app, student_id)))
    out.append(("overdracht: caseload overdragen", "Alle studenten van jou (of, als coördinator, van een collega) elk aan een collega",
                lambda: app.push_screen(CaseloadScreen(current_session(app)))))
    return out
