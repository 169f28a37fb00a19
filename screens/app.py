"""The Textual app: unlock, then the team's students; locks itself when idle."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen

from jongerenteam.messages import explain
from jongerenteam.settings import Settings
from screens.unlock import UnlockScreen

IDLE_CHECK_SECONDS = 5.0


class JongerenteamApp(App[int]):
    """One laptop, one store, one worker at a time."""

    CSS_PATH = "app.tcss"
    TITLE = "jongerenteam"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Afsluiten", priority=True),
        Binding("ctrl+l", "lock", "Vergrendelen", priority=True),
        # Declared here so Textual does not add its own, English "palette" key to the footer.
        Binding("ctrl+p", "command_palette", "Opdrachten", show=False, priority=True, tooltip="Toon alle opdrachten"),
    ]
    COMMAND_PALETTE_PLACEHOLDER = "Zoek een opdracht…"
    # No text selection: a selection can be copied to the system clipboard,
    # which would carry student names out of the app.
    ALLOW_SELECT = False

    def __init__(self, settings: Settings, store, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.settings = settings
        self.store = store
        self.clock = clock
        self.session = None
        # The first unlock of a run is a 'login' in the audit log, later ones 'unlock'.
        self.sessions_started = 0
        self.last_activity = clock()
        team = store.team()
        self.team_name = team.name if team else ""
        minutes = team.idle_lock_minutes if team else 5
        self.idle_lock_seconds = settings.idle_lock_seconds or minutes * 60.0

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self.push_screen(UnlockScreen(self.store, self.team_name))
        self.set_interval(IDLE_CHECK_SECONDS, self.check_idle_lock)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self.last_activity = self.clock()
        await super().on_event(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing to lock before anyone unlocked: hide the key from the footer.
        if action == "lock" and self.session is None:
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

    def check_idle_lock(self) -> None:
        if self.session is not None and self.clock() - self.last_activity >= self.idle_lock_seconds:
            self.action_lock(reason="Automatisch vergrendeld na een tijd zonder activiteit.")

    def action_lock(self, reason: str = "Vergrendeld.") -> None:
        """Drop the keys and every screen that showed student data."""
        session, self.session = self.session, None
        self.refresh_bindings()
        if session is not None:
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

    async def action_quit(self) -> None:
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
        # Textual's own version has an English placeholder.
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=self.COMMAND_PALETTE_PLACEHOLDER, id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Dutch names; deliberately no "screenshot" (it would write names to disk).
        yield SystemCommand("app: afsluiten", "Vergrendel en sluit jongerenteam af", self.action_quit)
        if self.session is not None:
            yield SystemCommand("app: vergrendelen", "Vergrendel nu; je wachtwoord is nodig om verder te gaan", self.action_lock)
        yield SystemCommand("app: thema wisselen", "Kies een ander kleurenschema", self.action_change_theme)
        # No "keys" panel: it lists Textual's built-in keys in English; the
        # footer shows every key of this app in Dutch.
