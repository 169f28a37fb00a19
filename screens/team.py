"""Team beheren (coördinator only): the team's workers, a key for each change.

The screen lists every worker of the team; each change opens one of the
dialogs in screens/team_dialogs.py, which returns a Dutch result sentence
(or None when cancelled); the table is then filled again from
``session.workers``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen

from jongerenteam.catalogue import ROLE_LABELS
from jongerenteam.search import fold
from screens.interfaces import team_app
from screens.team_dialogs import (
    TEXT,
    AddWorkerDialog,
    DeactivateDialog,
    ExpertiseDialog,
    IdleLockDialog,
    ProgrammeContactsDialog,
    ResetPassphraseDialog,
    TeamDialog,
    expertise_labels,
)
from screens.text import DataTable, Static
from screens.widgets import SteadyFooter, highlighted_key, keep_cursor

if TYPE_CHECKING:
    from jongerenteam.session import TeamSession

__all__ = [
    "COLUMNS",
    "TEAM_COMMANDS",
    "TEXT",
    "AddWorkerDialog",
    "DeactivateDialog",
    "ExpertiseDialog",
    "IdleLockDialog",
    "ProgrammeContactsDialog",
    "ResetPassphraseDialog",
    "TeamScreen",
]

# The column titles; the words are in screens/team_dialogs.py (TEXT).
COLUMNS = ("Naam", "Initialen", "Rol", "Moederorganisatie", "Expertise", "Actief")

# (palette title, Dutch help, action on TeamScreen): screens.app offers these
# in the command palette and runs the action right after pushing the screen.
TEAM_COMMANDS: list[tuple[str, str, str]] = [
    ("team: medewerker toevoegen", "Een nieuwe collega met een eerste wachtwoord", "add_worker"),
    ("team: medewerker deactiveren", "Een collega gaat uit het team; kies wie de studenten overneemt", "deactivate_worker"),
    ("team: wachtwoord herstellen", "Nieuw wachtwoord voor een collega, met de herstelcode op papier", "reset_passphrase"),
    ("team: vaste contactpersonen", "Per opleiding de vaste contactpersoon kiezen", "programme_contacts"),
    ("team: vergrendeltijd instellen", "Na hoeveel minuten zonder activiteit het programma vergrendelt", "idle_lock"),
]



# -- the screen -------------------------------------------------------------------------------------------


class TeamScreen(Screen[None]):
    """The team's workers; keys open one dialog each."""

    HELP_TITLE = "Team beheren"
    HELP = (
        "De medewerkers van het team: iemand toevoegen, een rol wijzigen, een collega die weggaat deactiveren"
        " (met een warme overdracht van zijn of haar studenten), een wachtwoord opnieuw instellen met de "
        "herstelcode."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "add_worker", "Nieuw"),
        Binding("d", "deactivate_worker", "Deactiveren"),
        Binding("w", "reset_passphrase", "Wachtwoord"),
        Binding("e", "expertise", "Expertise"),
        Binding("o", "programme_contacts", "Opleidingen"),
        Binding("v", "idle_lock", "Vergrendeltijd"),
        Binding("escape", "leave", "Terug"),
    ]

    def __init__(self, session: TeamSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Static(TEXT["title"].format(team=team_app(self).team_name), classes="title")
        yield DataTable(id="team-workers", cursor_type="row", zebra_stripes=True)
        yield Static("", id="team-settings", classes="hint")
        yield Static("", id="team-message", classes="hint")
        # Seven keys of this screen plus the app's: compact, and without the
        # palette hint (every team command has its own key here), so that
        # "Vergrendelen" still fits in 120 columns.
        yield SteadyFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        if not self.session.keys.is_coordinator:
            # The app hides ctrl+t for workers; this is the second lock on the door.
            self.app.notify(TEXT["coordinator_only"], severity="warning")
            self.app.pop_screen()
            return
        table = self.query_one("#team-workers", DataTable)
        for label, width in zip(COLUMNS, (None, 9, 12, 24, 36, 6), strict=True):
            table.add_column(label, width=width)
        self.reload()
        table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave":
            return True
        return not self.session.is_locked and self.session.keys.is_coordinator

    def resume_state(self) -> dict[str, Any] | None:
        return {}

    def draft(self) -> dict[str, Any] | None:
        return None  # its dialogs hold what is typed

    @classmethod
    def resume(cls, session: TeamSession, state: dict[str, Any]) -> TeamScreen | None:
        """After a lock, the same coördinator comes back to this screen."""
        return cls(session) if session.keys.is_coordinator else None

    # -- filling ---------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Fill the table from ``session.workers`` (active first) and the team settings."""
        table = self.query_one("#team-workers", DataTable)
        keep = select or self.current_worker_id()
        table.clear()
        workers = sorted(self.session.workers.values(), key=lambda w: (not w.active, fold(w.full_name)))
        for w in workers:
            table.add_row(
                w.full_name,
                w.initials,
                ROLE_LABELS.get(w.role, w.role),
                w.organisation,
                expertise_labels(w.expertise),
                TEXT["yes"] if w.active else TEXT["no"],
                key=w.id,
            )
        keep_cursor(table, keep)  # a row that is gone: the cursor stays where it is
        self.query_one("#team-settings", Static).update(
            TEXT["settings"].format(
                minutes=self.session.team.idle_lock_minutes(), n=len(self.session.team.programme_contacts())
            )
        )

    def current_worker_id(self) -> str | None:
        found = self.query("#team-workers").results(DataTable)
        table = next(iter(found), None)
        return highlighted_key(table) if table is not None else None

    def say(self, text: str) -> None:
        self.query_one("#team-message", Static).update(text)

    def open_dialog(self, dialog: TeamDialog) -> None:
        self.say("")

        app = team_app(self)

        def closed(result: str | None) -> None:
            if app.session is not self.session:
                return  # locked meanwhile
            self.reload()
            if result:
                self.say(result)
                self.app.notify(result)
                if result == TEXT["reset_self"]:
                    # This session's private key was replaced: unlock again.
                    app.action_lock(reason=TEXT["reset_self"])

        self.app.push_screen(dialog, closed)

    # -- actions ----------------------------------------------------------------------------

    def action_add_worker(self) -> None:
        self.open_dialog(AddWorkerDialog(self.session))

    def action_deactivate_worker(self) -> None:
        self.open_dialog(DeactivateDialog(self.session, self.current_worker_id()))

    def action_reset_passphrase(self) -> None:
        self.open_dialog(ResetPassphraseDialog(self.session, self.current_worker_id()))

    def action_programme_contacts(self) -> None:
        self.open_dialog(ProgrammeContactsDialog(self.session))

    def action_idle_lock(self) -> None:
        self.open_dialog(IdleLockDialog(self.session, self.session.team.idle_lock_minutes()))

    def action_expertise(self) -> None:
        worker_id = self.current_worker_id()
        if worker_id is None:
            self.say(TEXT["pick_row"])
            return
        worker = self.session.workers[worker_id]
        if not worker.active:
            self.say(TEXT["inactive"].format(name=worker.full_name))
            return
        self.open_dialog(ExpertiseDialog(self.session, worker_id))

    def action_leave(self) -> None:
        self.app.pop_screen()
