"""The Textual app: unlock, then the team's students; locks itself when idle."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from jongerenteam.messages import explain
from screens.unlock import UnlockScreen
from storage.preview import OpeningStore

if TYPE_CHECKING:
    from jongerenteam.settings import Settings

# Everything on the way to the unlock screen's first frame is imported at the
# top; what only an unlocked worker (or the wizard) needs is imported where it
# is used. SQLAlchemy and Alembic must not be among the former:
# tests/test_fast_start.py checks it (docs/performance.md, "Cold start").

IDLE_CHECK_SECONDS = 5.0


class DutchCommandPalette(CommandPalette):
    """Textual's command palette, with its "no matches" line in Dutch.

    Textual writes that line inside ``_start_no_matches_countdown``; this is
    the same method (Textual pinned in pyproject.toml) with the Dutch text.
    """

    NO_MATCHES = "Geen opdracht gevonden"

    def _start_no_matches_countdown(self, search_value: str) -> None:
        from rich.align import Align
        from rich.text import Text
        from textual.command import CommandList
        from textual.widgets.option_list import Option

        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(self.NO_MATCHES, style="not bold")), disabled=True, id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)


class JongerenteamApp(App[int]):
    """One laptop, one store, one worker at a time."""

    CSS_PATH = "app.tcss"
    TITLE = "jongerenteam"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Afsluiten", priority=True),
        Binding("ctrl+l", "lock", "Vergrendelen", priority=True),
        Binding("ctrl+o", "today", "Vandaag", priority=True),
        Binding("ctrl+f", "search", "Zoeken", priority=True),
        Binding("ctrl+n", "walk_in", "Inloop", priority=True),
        Binding("ctrl+r", "referral", "Aanmelding", priority=True),
        Binding("ctrl+t", "team", "Team", priority=True),
        Binding("ctrl+g", "social_map", "Sociale kaart", show=False, priority=True),
        # Declared here so Textual does not add its own, English "palette" key to the footer.
        Binding("ctrl+p", "command_palette", "Opdrachten", show=False, priority=True, tooltip="Toon alle opdrachten"),
    ]
    COMMAND_PALETTE_PLACEHOLDER = "Zoek een opdracht…"
    # No text selection: a selection can be copied to the system clipboard,
    # which would carry student names out of the app.
    ALLOW_SELECT = False

    def __init__(self, settings: Settings, store, *, clock: Callable[[], float] = time.monotonic) -> None:
        """``store`` is None when no store exists yet: the app starts the set-up wizard.

        It may be an ``OpeningStore`` (storage.preview): the unlock screen
        then shows from its preview, the store is opened in a thread worker
        after the first frame, and ``self.store`` becomes the opened store.
        """
        super().__init__()
        self.settings = settings
        self.store = store
        # The Dutch reason when an OpeningStore could not be opened.
        self.store_error = ""
        self._store_opener: Worker | None = None
        self.clock = clock
        self.session = None
        # The first unlock of a run is a 'login' in the audit log, later ones 'unlock'.
        self.sessions_started = 0
        self.last_activity = clock()
        self.team_name = ""
        self.idle_lock_seconds = settings.idle_lock_seconds or 300.0
        # What to rebuild after a lock: the screen a worker was on, and
        # half-filled forms sealed to that worker's key (memory only).
        # Per worker: several people share the laptop, and one worker's lock
        # must not throw away another's half-filled form.
        self.resume: dict[str, list] = {}
        self.drafts: dict[str, bytes] = {}
        if store is not None:
            self._read_team()

    def _read_team(self) -> None:
        store = self.store
        # Never wait for the store on the UI thread: its preview has the same two columns.
        team = store.preview.team if isinstance(store, OpeningStore) and not store.opened else store.team()
        self.team_name = team.name if team else ""
        minutes = team.idle_lock_minutes if team else 5
        self.idle_lock_seconds = self.settings.idle_lock_seconds or minutes * 60.0

    def get_default_screen(self) -> Screen:
        # The unlock screen is the bottom of the stack (every lock returns to
        # it). As the default screen it is the first one composed, without an
        # empty screen before it: about 10 ms less to the first frame.
        if self.store is not None:
            return UnlockScreen(self.store, self.team_name)
        return super().get_default_screen()

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        if self.store is None:
            from screens.setup import SetupScreen

            self.push_screen(SetupScreen(self.settings.store))
        self.set_interval(IDLE_CHECK_SECONDS, self.check_idle_lock)

    def on_ready(self) -> None:
        # The first frame is on the screen: now open the store behind it
        # (SQLAlchemy, the schema check) while the user picks a name and
        # types. Earlier would only slow that frame down: imports hold the GIL.
        if isinstance(self.store, OpeningStore):
            self._store_opener = self.run_worker(
                self.store.wait, name="open-store", group="open-store", thread=True, exit_on_error=False
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if self._store_opener is None or event.worker is not self._store_opener:
            return
        if event.state == WorkerState.SUCCESS:
            self.store_opened(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self.store_failed(event.worker.error)

    def store_opened(self, store) -> None:
        """The store behind the unlock screen is open: use it directly from now on."""
        self.store = store
        for screen in self.screen_stack:
            if isinstance(screen, UnlockScreen):
                screen.store = store

    def store_failed(self, exc: BaseException | None) -> None:
        """The store behind the unlock screen did not open: say why there, and unlock nothing."""
        self.store_error = explain(exc if exc is not None else RuntimeError("open-store"))[0]
        for screen in self.screen_stack:
            if isinstance(screen, UnlockScreen):
                screen.store_failed(self.store_error)

    def store_ready(self, store) -> None:
        """The set-up wizard created the store: continue at the unlock screen."""
        self.store = store
        self._read_team()
        self.switch_screen(UnlockScreen(self.store, self.team_name))

    def team_settings_changed(self) -> None:
        """A coördinator changed the idle time (or the team name)."""
        self._read_team()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self.last_activity = self.clock()
        await super().on_event(event)

    SESSION_ACTIONS = frozenset({"lock", "today", "search", "walk_in", "referral", "team", "social_map"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing to lock or open before anyone unlocked: hide those keys.
        if action in self.SESSION_ACTIONS and self.session is None:
            return False
        if action == "team" and not self.session.keys.is_coordinator:
            return False
        return True

    # -- session life cycle ---------------------------------------------------

    def start_session(self, session) -> None:
        from screens.home import HomeScreen

        self.session = session
        self.sessions_started += 1
        self.last_activity = self.clock()
        self.refresh_bindings()
        self.push_screen(HomeScreen(session))
        # Back to where this worker was, rebuilt from the store.
        for factory in self.resume.pop(session.worker_id, []):
            try:
                screen = factory(session)
            except Exception:  # noqa: BLE001 - the student may be gone; Vandaag is fine
                break
            if screen is not None:
                self.push_screen(screen)

    # -- screens reachable from anywhere -----------------------------------------

    def _unsaved_screens(self) -> bool:
        return any(getattr(screen, "draft", lambda: None)() for screen in self.screen_stack[1:])

    def _to_home(self, then: Callable[[object], None]) -> None:
        """Close every screen above Vandaag, asking first if typed text would go."""
        from screens.home import HomeScreen
        from screens.widgets import Confirm

        if self.session is None:
            return

        def go(yes: bool | None = True) -> None:
            if not yes:
                return
            while len(self.screen_stack) > 1 and not isinstance(self.screen, (HomeScreen, UnlockScreen)):
                self.pop_screen()
            if isinstance(self.screen, HomeScreen):
                then(self.screen)

        if self._unsaved_screens():
            self.push_screen(Confirm("Je hebt nog niet opgeslagen invoer. Weggooien en naar Vandaag?"), go)
        else:
            go()

    def action_today(self) -> None:
        self._to_home(lambda home: home.go_today())

    def action_search(self) -> None:
        self._to_home(lambda home: home.action_focus_search())

    def action_walk_in(self) -> None:
        from screens.intake import IntakeScreen

        self.push_screen(IntakeScreen(self.session, kind="inloop"))

    def action_referral(self) -> None:
        from screens.intake import IntakeScreen

        self.push_screen(IntakeScreen(self.session, kind="aanmelding"))

    def action_team(self) -> None:
        from screens.team import TeamScreen

        if any(isinstance(screen, TeamScreen) for screen in self.screen_stack):
            while not isinstance(self.screen, TeamScreen):
                self.pop_screen()
            return
        self.push_screen(TeamScreen(self.session))

    def action_reachability(self) -> None:
        from screens.overview import ReachabilityModal

        self.push_screen(ReachabilityModal(self.session))

    def action_social_map(self) -> None:
        from screens.socialmap import SocialMapScreen

        if not isinstance(self.screen, SocialMapScreen):
            self.push_screen(SocialMapScreen(self.session))

    def check_idle_lock(self) -> None:
        if self.session is not None and self.clock() - self.last_activity >= self.idle_lock_seconds:
            self.action_lock(reason="Automatisch vergrendeld na een tijd zonder activiteit.")

    def action_lock(self, reason: str = "Vergrendeld.") -> None:
        """Drop the keys and every screen that showed student data."""
        session, self.session = self.session, None
        self._wipe_clipboard()
        self.refresh_bindings()
        if session is not None:
            self._remember_screens(session)
            try:
                session.lock()
            except Exception as exc:  # noqa: BLE001 - keys are gone either way
                self.notify(explain(exc)[0], severity="error")
        while not isinstance(self.screen, UnlockScreen) and len(self.screen_stack) > 1:
            self.pop_screen()
        # Toasts can name a student ("Je bent niet betrokken bij ...").
        self.clear_notifications()
        if isinstance(self.screen, UnlockScreen):
            self.screen.reset(reason if session is not None else "")

    def _remember_screens(self, session) -> None:
        """Before the keys go: how to rebuild each open screen, and sealed drafts.

        A screen may offer ``resume_factory()`` (a callable taking the new
        session) and ``draft()`` (a dict of what was typed, or None).
        """
        factories = []
        for screen in self.screen_stack[1:]:
            factory = getattr(screen, "resume_factory", None)
            if factory is None:
                continue
            draft = screen.draft() if hasattr(screen, "draft") else None
            if draft:
                self.drafts[session.worker_id] = session.seal_draft(draft)
            factories.append(factory())
        self.resume[session.worker_id] = factories

    def take_draft(self, session) -> dict | None:
        """The sealed draft of this worker, opened once and forgotten."""
        sealed = self.drafts.pop(session.worker_id, None)
        if sealed is None:
            return None
        try:
            return session.open_draft(sealed)
        except Exception:  # noqa: BLE001 - a draft that will not open is dropped
            return None

    def _quit_question(self) -> str | None:
        for screen in reversed(self.screen_stack):
            question = getattr(screen, "quit_question", None)
            if question is not None and (text := question()):
                return text
        if self._unsaved_screens():
            return "Je hebt nog niet opgeslagen invoer. Toch afsluiten? Wat je typte gaat dan verloren."
        return None

    async def action_quit(self) -> None:
        """ctrl+q: lock and quit, after asking if typed text or the recovery code would be lost."""
        from screens.widgets import Confirm

        question = self._quit_question()
        if question and not isinstance(self.screen, Confirm):
            def answered(yes: bool | None) -> None:
                if yes:
                    self._quit_now()

            self.push_screen(Confirm(question), answered)
            return
        self._quit_now()

    def _wipe_clipboard(self) -> None:
        """Empty the clipboard now if the app copied a text still waiting to be wiped."""
        overview = sys.modules.get("screens.overview")  # only if it was ever used: no import cost
        if overview is not None:
            overview.clear_clipboard(self)

    def _quit_now(self) -> None:
        self._wipe_clipboard()
        if self.session is not None:
            try:
                self.session.lock()
            except Exception:  # noqa: BLE001 - quitting anyway; nothing to lose
                pass
            self.session = None
        self.exit(0)

    # -- crashes ----------------------------------------------------------------

    def _fatal_error(self) -> None:
        """Exit on an unexpected error without printing locals or values.

        Textual's default shows a traceback *with local variables*, which
        would put decrypted student data on the screen and in any captured
        output. Developers can set JONGERENTEAM_DEBUG=1 for the stack only.
        """
        import os

        self.bell()
        lines = ["Er ging iets onverwachts mis; jongerenteam is gestopt en vergrendeld. Opgeslagen gegevens zijn veilig."]
        if os.environ.get("JONGERENTEAM_DEBUG") == "1" and self._exception is not None:
            import traceback

            frames = traceback.extract_tb(self._exception.__traceback__)
            lines.append(f"[debug] {type(self._exception).__name__}")
            lines.extend(f"[debug]   {f.filename}:{f.lineno} in {f.name}" for f in frames)
        self._exit_renderables.extend(lines)
        if self.session is not None:
            try:
                self.session.lock()
            except Exception:  # noqa: BLE001 - best effort while crashing
                pass
            self.session = None
        self._close_messages_no_wait()

    # -- command palette -------------------------------------------------------

    def action_command_palette(self) -> None:
        # Textual's own version has an English placeholder and "No matches found".
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(DutchCommandPalette(placeholder=self.COMMAND_PALETTE_PLACEHOLDER, id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Dutch names; deliberately no "screenshot" (it would write names to disk).
        yield SystemCommand("app: afsluiten", "Vergrendel en sluit jongerenteam af", self.action_quit)
        if self.session is not None:
            yield SystemCommand("app: vergrendelen", "Vergrendel nu; je wachtwoord is nodig om verder te gaan", self.action_lock)
            yield SystemCommand("vandaag: tonen", "Je overzicht van vandaag (ctrl+o)", self.action_today)
            yield SystemCommand("student: zoeken", "Zoek op naam, studentnummer of geboortedatum (ctrl+f of /)", self.action_search)
            yield SystemCommand("student: inloop registreren", "Een student loopt binnen op het spreekuur (ctrl+n)", self.action_walk_in)
            yield SystemCommand("student: aanmelden", "Een coach of andere professional meldt een student aan (ctrl+r)", self.action_referral)
            yield SystemCommand("ik: bereikbaarheid instellen", "Hoe studenten jou bereiken; staat in elk afsprakenoverzicht", self.action_reachability)
            yield SystemCommand("sociale kaart: tonen", "Organisaties en professionals van het team: zoeken, toevoegen, wijzigen (ctrl+g)", self.action_social_map)
            if self.session.keys.is_coordinator:
                yield SystemCommand("team: beheren", "Medewerkers, vaste contactpersonen en instellingen (ctrl+t)", self.action_team)
                yield from self.team_commands()
            # On a DossierScreen: its 'dossier: ...' commands (screens/dossier.py).
            # Asked of the screen itself, so the dossier module is not imported here.
            dossier_commands = getattr(screen, "dossier_commands", None)
            if dossier_commands is not None:
                for title, help_text, callback in dossier_commands():
                    yield SystemCommand(title, help_text, callback)
            # Each feature module offers its own commands (overdracht, 18+, rights, reports).
            from screens import eighteen, handover, report, rights

            for module in (handover, eighteen, rights, report):
                for title, help_text, callback in module.commands(self, screen):
                    yield SystemCommand(title, help_text, callback)
        # No theme picker: Textual's is in English (theme names and its search
        # field). No "keys" panel: it lists Textual's built-in keys in English; the
        # footer shows every key of this app in Dutch.

    def team_commands(self) -> Iterable[SystemCommand]:
        """'team: ...' commands that open one dialog of the Team screen."""
        from screens.team import TEAM_COMMANDS, TeamScreen

        for title, help_text, action in TEAM_COMMANDS:
            def run(action=action) -> None:
                screen = TeamScreen(self.session)
                self.push_screen(screen)
                self.call_after_refresh(screen.run_action, action)

            yield SystemCommand(title, help_text, run)
