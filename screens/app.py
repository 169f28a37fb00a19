"""The Textual app: unlock, then the team's students; locks itself when idle."""

from __future__ import annotations

import gc
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual._path import CSSPathType
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from jongerenteam import errorlog, start
from jongerenteam.errors import StoreError
from jongerenteam.start import OpeningStore
from jongerenteam.text import visible
from screens import paste
from screens.background import WHAT, Failure, SpokenWorkers, dutch, run_in_thread
from screens.interfaces import AsksBeforeQuit
from screens.unlock import UnlockScreen

if TYPE_CHECKING:
    from jongerenteam.drafts import WaitingWork
    from jongerenteam.session import Changes, TeamSession
    from jongerenteam.settings import Settings
    from jongerenteam.spreekuur import Today
    from screens.home import HomeScreen

# Everything on the way to the unlock screen's first frame is imported at the
# top; what only an unlocked worker (or the wizard) needs is imported where it
# is used. SQLAlchemy and Alembic must not be among the former:
# tests/test_fast_start.py checks it (docs/performance.md, "Cold start").

# Control characters inside a terminal paste never act as keys (screens/paste.py).
paste.install()

IDLE_CHECK_SECONDS = 5.0
# How often what is typed is kept in the store (sealed to the worker's own key).
AUTOSAVE_SECONDS = 3.0
# How often the app asks the store what changed (other windows, other laptops).
SYNC_SECONDS = 2.0

# The garbage collector's full passes (docs/performance.md, "Full collections when idle"):
# Python starts one after every 10 middle passes, in the middle of whatever runs, and at
# 50,000 students one took 150-220 ms (a scroll step, a keystroke). The app starts them
# itself instead, once nobody has touched a key for IDLE_GC_SECONDS; only after
# FULL_GC_BACKSTOP middle passes without such a moment does one run regardless.
IDLE_GC_SECONDS = 1.0
FULL_GC_DUE = 10  # Python's own default threshold for a full pass
FULL_GC_BACKSTOP = 100


DRAFT_TEXT = {
    "damaged": "{n} bewaarde invoer kon niet worden geopend (beschadigd) en is weggegooid. Meld dit bij de coördinator.",
    "not_kept": "Je invoer kon niet in de teamopslag worden bewaard: {reason} Hij blijft in dit venster tot je weer ontgrendelt.",
    "quit_typed": (
        "Je hebt nog niet opgeslagen invoer. Die wordt versleuteld bewaard en je krijgt hem terug als je weer "
        "ontgrendelt. Afsluiten?"
    ),
    "quit_locked": (
        "Er staat niet-opgeslagen invoer van {names} klaar, versleuteld bewaard. Die komt terug bij het volgende "
        "ontgrendelen, ook als je nu afsluit. Afsluiten?"
    ),
}


class JongerenteamApp(App[int]):
    """One laptop, one store, one worker at a time."""

    # The styles of the screens (no DEFAULT_CSS in screens/). Before the first frame only
    # app.tcss: the unlock screen, the set-up wizard and the general rules. The others
    # (the dialogs', the dossier's, the meldcode's; none matches anything on those first
    # screens: tests/test_fast_start.py) are read right after that frame
    # (``read_later_css``): parsing them took about 18 ms of the start (docs/performance.md,
    # "What changed in the evening stop").
    CSS_PATH: ClassVar[CSSPathType | None] = ["app.tcss"]
    LATER_CSS_PATH: ClassVar[tuple[str, ...]] = ("dialogs.tcss", "dossier/dossier.tcss", "meldcode.tcss")
    TITLE = "jongerenteam"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "lock", "Vergrendelen", priority=True),
        # Help early (after locking, which must always show): the Footer cuts what does not
        # fit, from the end; screens/help.py lists it all. (Textual's App puts ctrl+q first.)
        Binding("f1", "help", "Hulp"),
        Binding("ctrl+o", "today", "Vandaag", priority=True),
        Binding("ctrl+f", "search", "Zoeken", priority=True),
        Binding("ctrl+n", "walk_in", "Inloop", priority=True),
        Binding("ctrl+r", "referral", "Aanmelding", priority=True),
        Binding("ctrl+q", "quit", "Afsluiten", priority=True),
        Binding("ctrl+t", "team", "Team", priority=True),
        # F4, not ctrl+g: ctrl+g is the bell character, which text pasted from a
        # terminal can hold; a key that a paste can press must not open a screen.
        Binding("f4", "social_map", "Sociale kaart", show=False, priority=True),
        # Every worker changes their own passphrase (the first one came from the coördinator).
        # F2, as "Wachtwoord vergeten?" on the unlock screen (whose own key wins there); not a
        # ctrl key: the text fields use ctrl+w, ctrl+k and ctrl+u for editing. Shown last: where it fits.
        Binding("f2", "change_passphrase", "Wachtwoord wijzigen"),
        # Help for the screen in front (screens/help.py). F1 (above) is not a priority
        # key: where a screen means something else by it (the unlock screen: a forgotten
        # passphrase), the screen's own key wins; "?" is typed as a letter where a field takes it.
        Binding("question_mark", "help", "Hulp", key_display="?", show=False),
        # Declared here so Textual does not add its own, English "palette" key to the footer.
        Binding("ctrl+p", "command_palette", "Opdrachten", show=False, priority=True, tooltip="Toon alle opdrachten"),
    ]
    COMMAND_PALETTE_PLACEHOLDER = "Zoek een opdracht…"
    # No text selection: a selection can be copied to the system clipboard,
    # which would carry student names out of the app.
    ALLOW_SELECT = False

    def __init__(self, settings: Settings, store: Any, *, clock: Callable[[], float] = time.monotonic) -> None:
        """``store`` is None when no store exists yet: the app starts the set-up wizard.

        It may be an ``OpeningStore`` (storage.preview): the unlock screen
        then shows from its preview, the store is opened in a thread worker
        after the first frame, and ``self.store`` becomes the opened store.
        """
        super().__init__()
        # A worker that fails is told to the user in Dutch and logged (screens/background.py).
        self._workers = SpokenWorkers(self)
        self.settings = settings
        self.store = store
        # The Dutch reason when an OpeningStore could not be opened.
        self.store_error = ""
        self._store_opener: Worker[Any] | None = None
        self.clock = clock
        self.session: TeamSession | None = None
        # The first unlock of a run is a 'login' in the audit log, later ones 'unlock'.
        self.sessions_started = 0
        self.last_activity = clock()
        self.team_name = ""
        self.idle_lock_seconds = settings.idle_lock_seconds or 300.0
        # This window's id: a worker's draft in the store is per worker and window.
        self.instance = str(uuid.uuid4())
        # What to rebuild after a lock, per worker (several people share the
        # laptop): which screens were open, without what was typed (a locked
        # app keeps no typed text in memory; that is in the store, sealed to
        # the worker's key, see screens/drafts.py).
        self.resume: dict[str, dict[str, Any]] = {}
        # Only if the store refused the draft at the lock (a full disk): the
        # draft sealed to the worker's key, in memory, as before.
        self.sealed_drafts: dict[str, bytes] = {}
        # The drafts of screens being rebuilt, taken by each with take_draft(self).
        self._restored: dict[Screen[Any], dict[str, Any]] = {}
        # What the last autosave kept (so an unchanged form is not written again).
        self._autosaved: str | None = None
        # Draft writes happen in a thread (autosave) and on this one (lock, quit):
        # one at a time, and an older one never after a newer one.
        self._draft_lock = threading.Lock()
        self._draft_generation = 0
        self._sync_failing = False
        # Set by the first unexpected error: the crash message is told once.
        self._crash_told = False
        if store is not None:
            self._read_team()

    def _read_team(self) -> None:
        store = self.store
        # Never wait for the store on the UI thread: its preview has the same two columns.
        team = store.preview.team if isinstance(store, OpeningStore) and not store.opened else store.team()
        self.team_name = team.name if team else ""
        minutes = team.idle_lock_minutes if team else 5
        self.idle_lock_seconds = self.settings.idle_lock_seconds or minutes * 60.0

    def get_default_screen(self) -> Screen[Any]:
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
        self.set_interval(AUTOSAVE_SECONDS, self.autosave)
        self.set_interval(SYNC_SECONDS, self.sync_now)
        # Full collections when idle (collect_when_idle); young and middle ones as Python does.
        young, middle, _full = gc.get_threshold()
        gc.set_threshold(young, middle, FULL_GC_BACKSTOP)
        self.set_interval(IDLE_GC_SECONDS / 2, self.collect_when_idle)

    def on_unmount(self) -> None:
        if self.store is not None and not isinstance(self.store, OpeningStore):
            # A read-ahead still under way ends now: quitting must not wait for it.
            start.stop_preparing(self.store)
        gc.unfreeze()  # see start_session
        young, middle, _full = gc.get_threshold()
        gc.set_threshold(young, middle, FULL_GC_DUE)

    def collect_when_idle(self) -> bool:
        """A full garbage collection, if one is due and no key was pressed for IDLE_GC_SECONDS.

        Returns whether it ran. (``gc.get_count()[2]`` counts the middle passes since the last
        full one.)"""
        if gc.get_count()[2] < FULL_GC_DUE or self.clock() - self.last_activity < IDLE_GC_SECONDS:
            return False
        gc.collect()
        return True

    def read_later_css(self) -> None:
        """The styles of the screens after the first (``LATER_CSS_PATH``), applied to what is shown."""
        here = Path(__file__).parent
        for name in self.LATER_CSS_PATH:
            self.stylesheet.read(here / name)
        self.stylesheet.update(self)

    def on_ready(self) -> None:
        self.read_later_css()
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

    def store_opened(self, store: Any) -> None:
        """The store behind the unlock screen is open: use it directly from now on, and
        read ahead what the unlock will read (``start.prepare_unlock``) while the person types."""
        self.store = store
        for screen in self.screen_stack:
            if isinstance(screen, UnlockScreen):
                screen.store = store
        run_in_thread(self, "unlock-prepare", lambda: start.prepare_unlock(store))

    def store_failed(self, exc: BaseException | None) -> None:
        """The store behind the unlock screen did not open: say why there, and unlock nothing."""
        self.store_error = dutch(exc if exc is not None else RuntimeError("open-store"))
        for screen in self.screen_stack:
            if isinstance(screen, UnlockScreen):
                screen.store_failed(self.store_error)

    def store_ready(self, store: Any) -> None:
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
        target = self.focused if isinstance(event, events.Key) and not event.is_forwarded else None
        await super().on_event(event)
        if target is not None and getattr(target, "KEYS_IN_ORDER", False):
            await self._handled_by(target)

    async def _handled_by(self, widget: Any) -> None:
        """Wait (briefly) until ``widget`` has handled the key just handed to it, before the next
        key is read: Textual hands each key to whatever has the focus when it reads it, so keys
        typed fast after an Enter or a Tab would otherwise land in the field that had the focus
        before (issue 23; screens/driegesprek.py ``RowInput``). Never longer than a quarter second."""
        import asyncio

        # The widget's queue, and its ancestors' up to the screen: what the key made the widget
        # post (an Input's Changed, which clears that field's error) bubbles through them, and a
        # priority key read next (ctrl+s) must come after it too.
        queues = [getattr(node, "_message_queue", None) for node in (widget, *widget.ancestors)
                  if node is not self]  # Textual's MessagePump queues (pinned version)
        deadline = time.monotonic() + 0.25
        while any(q is not None and not q.empty() for q in queues) and time.monotonic() < deadline:
            await asyncio.sleep(0)
        await asyncio.sleep(0)  # and the handler that took the last message off a queue

    SESSION_ACTIONS = frozenset({
        "lock", "today", "search", "walk_in", "referral", "link_anonymous", "team", "social_map", "change_passphrase",
    })

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing to lock or open before anyone unlocked: hide those keys.
        if action in self.SESSION_ACTIONS and self.session is None:
            return False
        return not (action == "team" and self.session is not None and not self.session.keys.is_coordinator)

    # -- session life cycle ---------------------------------------------------

    def start_session(self, session: TeamSession, waiting: WaitingWork | None = None,
                      today: Today | None = None) -> None:
        """The worker unlocked: Vandaag, then where they were, then drafts of other windows.

        ``waiting`` (``jongerenteam.drafts.WaitingWork``, read in the unlock
        worker) holds this worker's drafts in the store; ``today``, read there
        too, what Vandaag shows first.
        """
        from screens.home import HomeScreen

        self.session = session
        # The directory just decrypted (at 50,000 students most of the heap) lives
        # until the lock: frozen, a full garbage collection no longer walks it (one
        # scroll step waited 0.5-1.1 s for that; docs/performance.md). The lock and
        # the end of the app thaw it: frozen cycles would never be collected.
        gc.freeze()
        self.sessions_started += 1
        self.last_activity = self.clock()
        self._autosaved = None
        self.refresh_bindings()
        self.push_screen(HomeScreen(session, first_day=today))
        # What the checks at unlock found (an older copy of the store, erased
        # students back): said before anything else, and kept on screen long.
        for notice in session.notices:
            self.notify(notice, severity="error", timeout=60)
        # Back to where this worker was in this window: the draft kept at the
        # lock if something was typed, else the screens remembered in memory.
        remembered = self.resume.pop(session.worker_id, None)
        sealed = self.sealed_drafts.pop(session.worker_id, None)
        here = waiting.here.document if waiting is not None and waiting.here is not None else None
        if sealed is not None:
            try:
                here = session.drafts.open(sealed)
            except Exception as exc:  # noqa: BLE001 - a draft that will not open is dropped (logged); Vandaag opens anyway
                errorlog.record(exc, "terugzetten")
        document = here if here is not None else remembered
        if document is not None:
            self._reopen(session, document)
        if waiting is not None:
            if waiting.damaged:
                self.notify(DRAFT_TEXT["damaged"].format(n=waiting.damaged), severity="error", timeout=10)
            for work in waiting.elsewhere:
                self._offer(session, work)

    def _reopen(self, session: TeamSession, document: dict[str, Any]) -> None:
        from screens import drafts

        for screen, draft in drafts.rebuild(session, document):
            if draft:
                self._restored[screen] = draft
            self.push_screen(screen)

    def _offer(self, session: TeamSession, work: Any) -> None:
        """A draft of another window (a crash, a closed terminal): back, thrown away, or later."""
        from screens import drafts

        what = ", ".join(drafts.labels(work.document)) or drafts.DEFAULT_LABEL
        question = drafts.TEXT["offer"].format(at=work.saved_at, what=what)

        def answered(answer: str | None) -> None:
            if self.session is not session or answer not in ("back", "discard"):
                return  # later (or locked meanwhile): the draft stays for the next unlock
            if answer == "back":
                self._reopen(session, work.document)
            run_in_thread(self, "terugzetten", lambda: session.drafts.discard(work.id))

        self.push_screen(drafts.OfferDraft(question), answered)

    def sync_now(self) -> None:
        """Ask the store what changed (in a thread) and tell every screen (on this thread).

        Also F5 calls it. What a use case's own sync came across is told too
        (``TeamSession.take_changes``), so a colleague's change never goes unseen.
        """
        session = self.session
        if session is None or session.is_locked:
            return

        def ask() -> Changes:
            session.sync()
            return session.take_changes()

        def tell(changes: Changes) -> None:
            self._sync_failing = False
            if self.session is session and session.deactivated:
                self.lock_deactivated()
                return
            if changes and self.session is session:
                from screens.messages import StoreChanged

                for screen in self.screen_stack:
                    screen.post_message(StoreChanged(changes))

        def failed(failure: Failure) -> None:
            # Said once, not every two seconds while a server is away; said again after it worked.
            if not self._sync_failing:
                self._sync_failing = True
                self.notify(f"{WHAT['bijwerken']} is niet gelukt. {failure.text}", severity="error", timeout=10)

        run_in_thread(self, "bijwerken", ask, done=tell, failed=failed, exclusive=True)

    def take_draft(self, screen: Screen[Any]) -> dict[str, Any] | None:
        """What was typed in ``screen`` before it was rebuilt (after a lock or a crash), once."""
        return self._restored.pop(screen, None)

    def autosave(self) -> None:
        """Keep what is typed in the store every few seconds, sealed to the worker's own key."""
        session = self.session
        # Not while the app shuts down: its screens are being taken apart, there is nothing to read.
        if session is None or session.is_locked or not self.is_running:
            return
        from screens import drafts

        document = drafts.collect(self.screen_stack[1:])
        keep = document if drafts.typed(document) else None
        fingerprint = json.dumps(keep, sort_keys=True, default=str)
        if fingerprint == self._autosaved:
            return
        self._autosaved = fingerprint
        instance = self.instance
        self._draft_generation += 1
        generation = self._draft_generation

        def write() -> None:
            with self._draft_lock:
                if generation == self._draft_generation:  # else a newer draft was written (or is coming)
                    session.drafts.keep(instance, keep)

        run_in_thread(self, "tussentijds-bewaren", write)

    # -- screens reachable from anywhere -----------------------------------------

    def _unsaved_screens(self) -> bool:
        from screens.drafts import typed_in

        return any(typed_in(screen) for screen in self.screen_stack[1:])

    def _to_home(self, then: Callable[[HomeScreen], object]) -> None:
        """Close every screen above Vandaag, asking first if typed text would go."""
        from screens.dialogs import Confirm
        from screens.home import HomeScreen

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

    def action_help(self) -> None:
        """F1 or ?: what this screen is for and its keys (the Footer's own list, and the rest)."""
        from screens.help import HelpScreen, screen_help

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(*screen_help(self.screen)))

    def action_search(self) -> None:
        self._to_home(lambda home: home.action_focus_search())

    def action_walk_in(self) -> None:
        self._intake("inloop")

    def action_referral(self) -> None:
        self._intake("aanmelding")

    def action_link_anonymous(self) -> None:
        from screens.spreekuur import link_an_earlier_anonymous_walk_in

        link_an_earlier_anonymous_walk_in(self)

    def _intake(self, kind: str) -> None:
        """The walk-in or aanmelding form; after a search on Vandaag that found nobody, with the typed name in it."""
        from screens.home import HomeScreen
        from screens.spreekuur import IntakeScreen, typed_name

        if self.session is None:
            return
        typed = self.screen.unknown_search() if isinstance(self.screen, HomeScreen) else ""
        self.push_screen(IntakeScreen(self.session, kind=kind, values=typed_name(typed)))

    def action_team(self) -> None:
        from screens.team import TeamScreen

        if any(isinstance(screen, TeamScreen) for screen in self.screen_stack):
            while not isinstance(self.screen, TeamScreen):
                self.pop_screen()
            return
        if self.session is not None:
            self.push_screen(TeamScreen(self.session))

    def action_reachability(self) -> None:
        from screens.overview import ReachabilityModal

        if self.session is not None:
            self.push_screen(ReachabilityModal(self.session))

    def action_change_passphrase(self) -> None:
        """F2 (or the palette): the worker chooses a passphrase of their own; a notice once it is done."""
        from screens.team_dialogs import ChangePassphraseDialog

        session = self.session
        if session is None or isinstance(self.screen, ChangePassphraseDialog):
            return

        def closed(result: str | None) -> None:
            if result and self.session is session:
                self.notify(result, timeout=10)

        self.push_screen(ChangePassphraseDialog(session), closed)

    def action_social_map(self) -> None:
        from screens.socialmap import SocialMapScreen

        if self.session is not None and not isinstance(self.screen, SocialMapScreen):
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
            except Exception as exc:  # noqa: BLE001 - the keys are gone either way; told in one Dutch sentence
                self.notify(dutch(exc), severity="error")
        gc.unfreeze()  # the session's objects collectable again (start_session)
        while not isinstance(self.screen, UnlockScreen) and len(self.screen_stack) > 1:
            self.pop_screen()
        # Toasts can name a student ("Je bent niet betrokken bij ...").
        self.clear_notifications()
        if isinstance(self.screen, UnlockScreen):
            self.screen.reset(reason if session is not None else "")

    def lock_deactivated(self) -> None:
        """A coördinator deactivated this worker (seen by a sync or a refused write):
        the window locks at once and says why; nothing more is stored."""
        from jongerenteam.messages import DEACTIVATED

        if self.session is not None:
            self.action_lock(reason=DEACTIVATED)

    def _remember_screens(self, session: TeamSession) -> None:
        """Before the keys go: which screens to rebuild (memory) and what was typed (the store).

        What was typed is written now, on this thread: the keys are about to
        go, and it must be in the store before they do. If the store refuses
        (a full disk) the draft is sealed to the worker's key and kept in
        memory for this window instead.
        """
        from screens import drafts

        document = drafts.collect(self.screen_stack[1:])
        self.resume[session.worker_id] = drafts.without_drafts(document)
        keep = document if drafts.typed(document) else None
        try:
            with self._draft_lock:  # after any autosave still writing; none after this one
                self._draft_generation += 1
                self._autosaved = None
                session.drafts.keep(self.instance, keep)
        except Exception as exc:  # noqa: BLE001 - the draft stays, sealed, in memory; told in one Dutch sentence
            errorlog.record(exc, "tussentijds-bewaren")
            if keep is not None:
                self.sealed_drafts[session.worker_id] = session.drafts.seal(keep)
            self.notify(DRAFT_TEXT["not_kept"].format(reason=dutch(exc)), severity="error", timeout=10)

    def _quit_question(self) -> str | None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, AsksBeforeQuit) and (text := screen.quit_question()):
                return text
        if self.session is not None and self._unsaved_screens():
            return DRAFT_TEXT["quit_typed"]
        if self.session is None:
            names = self._workers_with_drafts()
            if names:
                return DRAFT_TEXT["quit_locked"].format(names=" en ".join(names))
        return None

    def _workers_with_drafts(self) -> list[str]:
        """Names of the workers with a draft waiting in the store (on the lock screen)."""
        from jongerenteam import drafts as kept

        store = self.store
        if store is None or (isinstance(store, OpeningStore) and not store.opened):
            return []
        opened = store.wait() if isinstance(store, OpeningStore) else store
        try:
            ids = kept.workers_with_drafts(opened) | set(self.sealed_drafts)
            workers = {w.id: w.full_name for w in opened.workers()}
        except StoreError as exc:  # no question then (logged); the drafts stay in the store
            errorlog.record(exc, "terugzetten")
            return []
        return sorted(workers[i] for i in ids if i in workers)

    async def action_quit(self) -> None:
        """ctrl+q: lock and quit, after asking if typed text or the recovery code would be lost."""
        from screens.dialogs import Confirm

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
            self._remember_screens(self.session)
            try:
                self.session.lock()
            except StoreError as exc:  # quitting anyway: the keys go with the process (logged)
                errorlog.record(exc, "app")
            self.session = None
        self.exit(0)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast that shows its text literally: messages often quote a name (no markup, ever)."""
        super().notify(visible(str(message), newlines=True), title=visible(title), severity=severity, timeout=timeout, markup=False)

    # -- crashes ----------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """Every unexpected error takes the Dutch crash path (``_fatal_error``).

        Textual sends an error that renders itself (``__rich__``) to
        ``panic()`` instead, which prints that rendering (values and all)
        and skips the lock and the kept draft.
        """
        self._return_code = 1
        if self._exception is None:  # Pilot re-raises the first one for the test
            self._exception = error
            self._exception_event.set()
        self._fatal_error()

    def _fatal_error(self) -> None:
        """Exit on an unexpected error without printing locals or values.

        Textual's default shows a traceback *with local variables*, which
        would put decrypted student data on the screen and in any captured
        output. Developers can set JONGERENTEAM_DEBUG=1 for the stack only.

        The message is one renderable, added once: a widget that fails on
        every refresh calls this again before the app has stopped, and
        Textual prints only the first renderable (``_print_error_renderables``).
        """
        import os

        if self._crash_told:
            return  # the app is stopping already; the first error is logged and told
        self._crash_told = True
        self.bell()
        if self._exception is not None:
            errorlog.record(self._exception, "app")
        lines = [
            "Er ging iets onverwachts mis; jongerenteam is gestopt en vergrendeld. Opgeslagen gegevens zijn veilig.",
            "Wat je aan het typen was, is versleuteld bewaard: je krijgt het terug als je weer ontgrendelt.",
            f"Wat er misging staat (zonder persoonsgegevens) in {errorlog.log_path()}.",
        ]
        if os.environ.get("JONGERENTEAM_DEBUG") == "1" and self._exception is not None:
            import traceback

            frames = traceback.extract_tb(self._exception.__traceback__)
            lines.append(f"[debug] {type(self._exception).__name__}")
            lines.extend(f"[debug]   {f.filename}:{f.lineno} in {f.name}" for f in frames)
        from rich.text import Text

        # One Text: printed literally (a path or a type name is no markup), and whole.
        self._exit_renderables.append(Text("\n".join(lines)))
        if self.session is not None:
            try:
                self._remember_screens(self.session)
                self.session.lock()
            except Exception as exc:  # noqa: BLE001 - best effort while crashing; the log has it
                errorlog.record(exc, "app")
            self.session = None
        self._close_messages_no_wait()

    def _print_error_renderables(self) -> None:
        """Print what the app says on exit, all of it, without Textual's English note.

        Textual prints only the first renderable and then "NOTE: 1 of n errors
        shown. Run with textual run --dev …" (or, in dev mode, all of them and
        "NOTE: n errors shown above."): neither is for a worker.
        """
        for renderable in self._exit_renderables:
            self.error_console.print(renderable)
        self._exit_renderables.clear()

    # -- command palette (screens/palette.py) --------------------------------

    def action_command_palette(self) -> None:
        from screens.palette import open_palette

        open_palette(self)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from screens.palette import system_commands

        return system_commands(self, screen)
