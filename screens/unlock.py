"""Unlock: pick your name (type to filter), passphrase, Enter."""

from __future__ import annotations

import math

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from jongerenteam import throttle
from jongerenteam.catalogue import ROLE_LABELS
from jongerenteam.messages import explain
from jongerenteam.search import fold
from screens.messages import Unlocked, UnlockFailed
from storage import clock, team

TEXT = {
    "title": "jongerenteam",
    "choose": "Wie ben je? Typ je naam",
    "filter": "Typ om te zoeken",
    "passphrase": "Wachtwoord",
    "passphrase_placeholder": "Je wachtwoord(zin)",
    "busy": "Bezig met ontgrendelen...",
    "pick_first": "Kies eerst je naam in de lijst.",
    "empty_passphrase": "Vul je wachtwoord in.",
    "wait": "Te vaak een verkeerd wachtwoord. Wacht {seconds} seconden en probeer het dan opnieuw.",
    "wait_one": "Te vaak een verkeerd wachtwoord. Wacht 1 seconde en probeer het dan opnieuw.",
    "no_workers": "Dit team heeft nog geen actieve medewerkers.",
}



class UnlockScreen(Screen):
    """The first screen, and the one every lock returns to."""

    BINDINGS = [
        # Priority, and a synchronous focus change: keys typed right after
        # Enter (fast typing, a paste, auto-type) must land in the passphrase
        # field, never in the visible name filter.
        Binding("enter", "to_passphrase", "Naar wachtwoord", show=False, priority=True),
        Binding("escape", "back_to_name", "Andere naam"),
        Binding("down", "move(1)", "Volgende naam", show=False),
        Binding("up", "move(-1)", "Vorige naam", show=False),
    ]

    def __init__(self, store, team_name: str) -> None:
        super().__init__()
        self.store = store
        self.team_name = team_name
        self.team_workers = store.workers()
        self.busy = False
        self.pending_worker: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="unlock-box"):
            yield Static(f"{TEXT['title']} · {self.team_name}", classes="title")
            yield Label(TEXT["choose"])
            yield Input(placeholder=TEXT["filter"], id="name-filter")
            yield OptionList(*self._options(""), id="workers")
            yield Label(TEXT["passphrase"])
            yield Input(placeholder=TEXT["passphrase_placeholder"], password=True, id="passphrase")
            yield Static("", id="unlock-message", classes="error")
        yield Footer()

    def _options(self, text: str) -> list[Option]:
        wanted = fold(text)
        return [
            Option(f"{w.full_name} ({w.initials}) · {ROLE_LABELS.get(w.role, w.role)}", id=w.id)
            for w in self.team_workers
            if not wanted or wanted in fold(f"{w.full_name} {w.initials}")
        ]

    def on_mount(self) -> None:
        options = self.query_one("#workers", OptionList)
        if options.option_count:
            options.highlighted = 0
        else:
            self.show(TEXT["no_workers"])
        self.query_one("#name-filter", Input).focus()

    def show(self, text: str) -> None:
        self.query_one("#unlock-message", Static).update(text)

    def reset(self, text: str = "") -> None:
        """Back to a clean screen (after a lock)."""
        self.query_one("#passphrase", Input).value = ""
        self.busy = False
        self.show(text)
        self.query_one("#passphrase", Input).focus()

    # -- choosing a name ---------------------------------------------------

    @on(Input.Changed, "#name-filter")
    def filter_names(self, event: Input.Changed) -> None:
        options = self.query_one("#workers", OptionList)
        options.clear_options()
        options.add_options(self._options(event.value))
        if options.option_count:
            options.highlighted = 0

    def action_move(self, step: int) -> None:
        if self.focused is self.query_one("#passphrase"):
            return
        options = self.query_one("#workers", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def action_to_passphrase(self) -> None:
        """Enter on the name filter or the list: go to the passphrase at once."""
        options = self.query_one("#workers", OptionList)
        if self.focused not in (self.query_one("#name-filter"), options):
            raise SkipAction()  # Enter in the passphrase field submits it
        if self.focused is options and options.highlighted is None and options.option_count:
            options.highlighted = 0
        if self.selected_worker_id() is None:
            self.show(TEXT["pick_first"])
            return
        self.show("")
        self.set_focus(self.query_one("#passphrase", Input))

    @on(OptionList.OptionSelected, "#workers")
    def option_chosen(self) -> None:
        # A mouse click on a name.
        self.set_focus(self.query_one("#passphrase", Input))

    def action_back_to_name(self) -> None:
        self.query_one("#passphrase", Input).value = ""
        self.query_one("#name-filter", Input).focus()

    def selected_worker_id(self) -> str | None:
        options = self.query_one("#workers", OptionList)
        if options.highlighted is None or not options.option_count:
            return None
        return options.get_option_at_index(options.highlighted).id

    # -- unlocking -------------------------------------------------------------

    @on(Input.Submitted, "#passphrase")
    def passphrase_entered(self, event: Input.Submitted) -> None:
        worker_id = self.selected_worker_id()
        if worker_id is None:
            self.show(TEXT["pick_first"])
            self.query_one("#name-filter", Input).focus()
            return
        if not event.value:
            self.show(TEXT["empty_passphrase"])
            return
        if self.busy:
            return
        wait = self.wait_text(worker_id)
        if wait:
            self.show(wait)
            return
        self.busy = True
        self.pending_worker = worker_id
        self.show(TEXT["busy"])
        self.unlock(worker_id, event.value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def unlock(self, worker_id: str, passphrase: str) -> None:
        from jongerenteam.session import TeamSession
        from storage.errors import WrongPassphrase

        try:
            session = TeamSession.unlock(
                self.store, worker_id, passphrase, after_lock=self.app.sessions_started > 0
            )
        except Exception as exc:  # noqa: BLE001 - shown as one Dutch sentence
            self.post_message(UnlockFailed(explain(exc)[0], wrong_passphrase=isinstance(exc, WrongPassphrase)))
            return
        self.post_message(Unlocked(session))

    def on_unlock_failed(self, message: UnlockFailed) -> None:
        self.busy = False
        field = self.query_one("#passphrase", Input)
        field.value = ""
        field.focus()
        text = message.text
        if message.wrong_passphrase and self.pending_worker:
            wait = self.wait_text(self.pending_worker)
            if wait:
                text = f"{text} {wait}"
        self.show(text)

    def wait_text(self, worker_id: str) -> str:
        """The Dutch 'wait N seconds' sentence while this worker must wait, else ''."""
        try:
            failures, last = team.login_throttle(self.store, worker_id)
        except Exception:  # noqa: BLE001 - the unlock attempt itself reports a store problem
            return ""
        seconds = math.ceil(throttle.remaining(failures, last, clock.now()))
        if seconds <= 0:
            return ""
        return TEXT["wait_one"] if seconds == 1 else TEXT["wait"].format(seconds=seconds)

    def on_unlocked(self, message: Unlocked) -> None:
        self.busy = False
        self.query_one("#passphrase", Input).value = ""
        self.show("")
        self.app.start_session(message.session)
