"""Unlock: pick your name (type to filter), passphrase, Enter.

The lock screen shows the team's name, the time and the team's workers;
never anything about students. "Wachtwoord vergeten?" (F1) explains what to
do and lets whoever holds the recovery code set a new passphrase here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from jongerenteam import errorlog, start
from jongerenteam.catalogue import ROLE_LABELS
from jongerenteam.dates import clock_time, now
from jongerenteam.demo_team import DEMO_TEAM_NAME, DEMO_WORKERS
from jongerenteam.errors import StoreError, WrongPassphrase
from jongerenteam.search import fold
from jongerenteam.start import OpeningStore
from screens.background import dutch
from screens.interfaces import team_app
from screens.messages import Unlocked, UnlockFailed
from screens.text import Input, Label, Option, OptionList, Static
from screens.widgets import SteadyFooter

if TYPE_CHECKING:
    from jongerenteam.drafts import WaitingWork
    from jongerenteam.session import TeamSession
    from jongerenteam.spreekuur import Today

# The session, the team and the key derivation (SQLAlchemy, argon2,
# cryptography) load inside jongerenteam.start's functions, in this screen's
# worker threads: this screen is the first frame, and may be showing while
# the store is still being opened behind it (docs/performance.md).

TEXT = {
    "title": "jongerenteam",
    "choose": "Wie ben je? Typ je naam",
    "filter": "Typ om te zoeken",
    "passphrase": "Wachtwoord",
    "passphrase_placeholder": "Je wachtwoord(zin)",
    "busy": "Bezig met ontgrendelen...",
    "pick_first": "Kies eerst je naam in de lijst.",
    "pick_first_esc": "Kies eerst je naam in de lijst: druk op Esc en typ je naam.",
    "empty_passphrase": "Vul je wachtwoord in.",
    "wait": "Te vaak een verkeerd wachtwoord. Wacht {seconds} seconden en probeer het dan opnieuw.",
    "wait_one": "Te vaak een verkeerd wachtwoord. Wacht 1 seconde en probeer het dan opnieuw.",
    "no_workers": "Dit team heeft nog geen actieve medewerkers.",
    "forgot_hint": "Wachtwoord vergeten? Druk op F1 (of F2).",
    "demo_title": "Dit is de demo. De wachtwoorden:",
    "demo_row": "  {name}: {passphrase}",
    "reset_done": "Het nieuwe wachtwoord van {name} werkt vanaf nu. Typ het hieronder om je aan te melden.",
    "drafts_failed": "Je bewaarde invoer kon niet worden geladen. {reason}",
}

# How often the clock beside the team name is brought up to date.
CLOCK_SECONDS = 5.0




class UnlockScreen(Screen[None]):
    """The first screen, and the one every lock returns to."""

    HELP_TITLE = "Ontgrendelen"
    HELP = (
        "Kies je naam en typ je wachtwoord. Wachtwoord vergeten? F1 of F2 helpt je verder met de herstelcode "
        "of de coördinator."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority, and a synchronous focus change: keys typed right after
        # Enter (fast typing, a paste, auto-type) must land in the passphrase
        # field, never in the visible name filter.
        Binding("enter", "to_passphrase", "Naar wachtwoord", show=False, priority=True),
        Binding("escape", "back_to_name", "Andere naam"),
        # F1 is free in Textual and in Input; F2 for terminals that keep F1 for their own
        # help. Not ctrl+g: that is the bell character, and no control character may act.
        Binding("f1", "forgot", "Wachtwoord vergeten?", key_display="F1"),
        Binding("f2", "forgot", "Wachtwoord vergeten?", show=False),
        Binding("down", "move(1)", "Volgende naam", show=False),
        Binding("up", "move(-1)", "Vorige naam", show=False),
    ]

    def __init__(self, store: Any, team_name: str) -> None:
        """``store`` is a Store, or an OpeningStore whose preview lists the workers while it opens."""
        super().__init__()
        self.store = store
        self.team_name = team_name
        # The opened Store or an OpeningStore (screens never import storage/): both list the workers.
        self.team_workers: Sequence[Any] = store.preview.workers if isinstance(store, OpeningStore) else store.workers()
        self.busy = False
        self.pending_worker: str | None = None
        # Set when the store could not be opened behind this screen: the
        # Dutch reason, shown instead of unlocking (ctrl+q still quits).
        self.refusal = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="unlock-box"):
            with Horizontal(id="unlock-head"):
                yield Static(f"{TEXT['title']} · {self.team_name}", classes="title")
                yield Static(self.clock_text(), id="unlock-clock")
            yield Label(TEXT["choose"])
            yield Input(placeholder=TEXT["filter"], id="name-filter")
            yield OptionList(*self._options(""), id="workers")
            yield Label(TEXT["passphrase"])
            yield Input(placeholder=TEXT["passphrase_placeholder"], password=True, id="passphrase")
            yield Static("", id="unlock-message", classes="error")
            yield Static(TEXT["forgot_hint"], classes="hint")
            if self.team_name == DEMO_TEAM_NAME:
                yield Static(self.demo_text({w.full_name for w in self.team_workers}), id="unlock-demo", classes="hint")
        yield SteadyFooter()

    @staticmethod
    def demo_text(listed: set[str]) -> str:
        """The demo workers' passphrases, of those who can still log in (``listed``: the team's active workers)."""
        rows = [TEXT["demo_row"].format(name=w.full_name, passphrase=w.passphrase) for w in DEMO_WORKERS
                if w.full_name in listed]
        return "\n".join([TEXT["demo_title"], *rows])

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
        self.set_interval(CLOCK_SECONDS, self.update_clock)

    @staticmethod
    def clock_text() -> str:
        """HH:MM on the laptop's own clock (through the store's clock, which tests fix)."""
        return clock_time(now())

    def update_clock(self) -> None:
        self.query_one("#unlock-clock", Static).update(self.clock_text())

    def show(self, text: str) -> None:
        self.query_one("#unlock-message", Static).update(text)

    def reset(self, text: str = "") -> None:
        """Back to a clean screen (after a lock), with the team's workers as they are now
        (a colleague added in the meantime can log in at once)."""
        self.refresh_workers()
        self.query_one("#passphrase", Input).value = ""
        self.busy = False
        self.show(text)
        self.query_one("#passphrase", Input).focus()

    def refresh_workers(self) -> None:
        """Read the active workers again (only from an opened store: never wait on the UI thread)."""
        store = self.store
        if isinstance(store, OpeningStore):
            if not store.opened:
                return
            store = store.wait()
        try:
            self.team_workers = store.workers()
        except StoreError as exc:
            errorlog.record(exc, "unlock")  # the list stays as it was; unlocking says what is wrong
            return
        options = self.query_one("#workers", OptionList)
        chosen = self.selected_worker_id()
        options.clear_options()
        options.add_options(self._options(self.query_one("#name-filter", Input).value))
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        if options.option_count:
            options.highlighted = ids.index(chosen) if chosen in ids else 0

    def store_failed(self, text: str) -> None:
        """The store behind this screen did not open: say why; unlocking is refused from now on."""
        self.refusal = text
        self.show(text)

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

    async def action_to_passphrase(self) -> None:
        """Enter on the name filter or the list: go to the passphrase at once. Enter in the
        passphrase field: submit it now, as the key is read."""
        options = self.query_one("#workers", OptionList)
        passphrase = self.query_one("#passphrase", Input)
        if self.focused is passphrase:
            # Not the field's own Enter binding: that runs only once the key has gone round
            # the field and back, after letters typed right behind Enter (someone who starts
            # on a student's name at once) have joined the passphrase, which is then wrong.
            await passphrase.action_submit()
            return
        if self.focused not in (self.query_one("#name-filter"), options):
            raise SkipAction()
        if self.focused is options and options.highlighted is None and options.option_count:
            options.highlighted = 0
        # Always on to the (masked) passphrase: a passphrase typed right after a
        # name that matched nobody must never land in the visible name field.
        self.show("" if self.selected_worker_id() is not None else TEXT["pick_first"])
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
        if self.refusal:
            self.show(self.refusal)
            return
        worker_id = self.selected_worker_id()
        if worker_id is None:
            # The focus stays in the masked field: someone who thinks they mistyped types the
            # passphrase again, and it must never land in the visible name field. Esc goes there.
            self.show(TEXT["pick_first_esc"])
            event.input.value = ""
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
        try:
            # Waits while the store is still being opened behind this screen
            # (and raises why, if that failed); only then the heavy imports.
            store = start.opened(self.store)
            # Checked again here: on Enter the store may not have been open yet.
            wait = self._wait_text(store, worker_id)
            if wait:
                self.app.call_from_thread(self.must_wait, wait)
                return
            session = start.unlock(store, worker_id, passphrase, after_lock=team_app(self).sessions_started > 0)
        except Exception as exc:  # noqa: BLE001 - a thread worker that posts its outcome: one Dutch sentence
            self.post_message(UnlockFailed(dutch(exc), wrong_passphrase=isinstance(exc, WrongPassphrase)))
            return
        self.post_message(Unlocked(session, self._waiting_work(session), self._first_day(session)))

    @staticmethod
    def _first_day(session: TeamSession) -> Today | None:
        """What Vandaag shows, read here in the unlock's thread while nothing else runs (read
        beside the drawing of a new screen it takes about four times as long). A failure is
        left to Vandaag, which reads the day again and says why."""
        try:
            return session.spreekuur.today()
        except Exception:  # noqa: BLE001 - Vandaag reads it again and tells a failure there
            return None

    def _waiting_work(self, session: TeamSession) -> WaitingWork | None:
        """This worker's drafts in the store; a failure here never stops the unlock (it is told)."""
        app = team_app(self)
        try:
            return session.drafts.waiting(app.instance)
        except Exception as exc:  # noqa: BLE001 - Vandaag opens anyway; the worker hears why the drafts did not
            errorlog.record(exc, "terugzetten")
            app.call_from_thread(app.notify, TEXT["drafts_failed"].format(reason=dutch(exc)), severity="error", timeout=10)
            return None

    def must_wait(self, text: str) -> None:
        """Too many wrong passphrases, found only once the store was open: as on Enter, the field stays."""
        self.busy = False
        self.show(text)

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
        """The Dutch 'wait N seconds' sentence while this worker must wait, else ''.

        '' while the store is still opening: the unlock worker asks again
        once it is open (the UI thread never waits for the store).
        """
        store = self.store
        if isinstance(store, OpeningStore):
            if not store.opened:
                return ""
            store = store.wait()
        return self._wait_text(store, worker_id)

    @staticmethod
    def _wait_text(store: Any, worker_id: str) -> str:
        seconds = start.login_wait_seconds(store, worker_id)
        if seconds <= 0:
            return ""
        return TEXT["wait_one"] if seconds == 1 else TEXT["wait"].format(seconds=seconds)

    def on_unlocked(self, message: Unlocked) -> None:
        self.busy = False
        self.query_one("#passphrase", Input).value = ""
        self.show("")
        team_app(self).start_session(message.session, message.waiting, message.today)

    # -- forgotten passphrase ------------------------------------------------------

    def action_forgot(self) -> None:
        if self.busy:
            return
        if self.refusal:
            self.show(self.refusal)
            return
        worker_id = self.selected_worker_id()
        name = next((w.full_name for w in self.team_workers if w.id == worker_id), "")
        from screens.forgot import ForgotPassphraseScreen  # not on the way to the first frame

        self.app.push_screen(ForgotPassphraseScreen(self.store, worker_id, name), self.forgot_closed)

    def forgot_closed(self, name: str | None) -> None:
        field = self.query_one("#passphrase", Input)
        if name:
            field.value = ""
            self.show(TEXT["reset_done"].format(name=name))
            field.focus()
