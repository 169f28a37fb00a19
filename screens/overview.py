"""The afsprakenoverzicht for a student: read, copy for WhatsApp/e-mail, or save as PDF.

Opened from the dossier (key u) or right after a driegesprek. The file is
read again here without a second 'open' in the log: the screen below has
just opened (and logged) it, and every copy or PDF is logged as an
'export' before the text leaves the app. A copied text is wiped from the
clipboard after ``CLIPBOARD_SECONDS``, also when the app locks meanwhile
(the timer lives on the app, not on this screen).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from weakref import WeakKeyDictionary

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer

from jongerenteam.dates import local_today
from jongerenteam.domain import ValidationError
from screens.background import run_in_thread
from screens.dialogs import Dialog, unless_replacing
from screens.interfaces import team_app
from screens.text import Input, Label, Static
from screens.widgets import SteadyFooter

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.pdf import Document
    from jongerenteam.session import TeamSession

TEXT = {
    "title": "Afsprakenoverzicht voor {name}",
    "hint": "Controleer de tekst samen met de student. k: kopiëren voor WhatsApp of e-mail · p: opslaan als PDF · Esc: sluiten",
    "loading": "Het overzicht wordt gemaakt…",
    "copy": "Kopiëren",
    "pdf": "PDF opslaan",
    "close": "Sluiten",
    "save_as": "Opslaan als",
    "save_hint": "Enter: opslaan · Esc: terug. Zet geen naam van de student in de bestandsnaam.",
    "copied": "Gekopieerd; het klembord wordt over {seconds} seconden leeggemaakt.",
    "saved": "Opgeslagen als PDF: {path}",
    "busy": "Bezig met opslaan…",
    "reach": "Mijn bereikbaarheid",
    "reach_title": "Hoe bereiken studenten jou?",
    "reach_hint": (
        "Bijvoorbeeld je werknummer en wanneer je bereikbaar bent. Dit komt in elk afsprakenoverzicht. Enter: opslaan · "
        "Esc: terug"
    ),
    "reach_saved": "Je bereikbaarheid is opgeslagen.",
    "reach_placeholder": "bijv. 06-12345678 (ma t/m do, 9-17 uur)",
}

# Logged with the 'export' event: what left the app, never any of its content.
EXPORT_TEXT = "afsprakenoverzicht: tekst"
EXPORT_PDF = "afsprakenoverzicht: pdf"

# -- the clipboard, wiped after a while -------------------------------------------------

_clear_timers: WeakKeyDictionary[App[Any], Timer] = WeakKeyDictionary()


def copy_briefly(app: App[Any], text: str, seconds: float) -> None:
    """Copy ``text`` (OSC 52) and empty the clipboard after ``seconds``.

    The timer is the app's, so it still fires when this screen is closed
    or the app locks in between. A second copy restarts it.
    """
    old = _clear_timers.pop(app, None)
    if old is not None:
        old.stop()
    app.copy_to_clipboard(text)
    _clear_timers[app] = app.set_timer(seconds, lambda: clear_clipboard(app), name="clear-clipboard")


def clear_clipboard(app: App[Any]) -> None:
    """Empty the clipboard now if this app put a text on it that is still waiting to be wiped."""
    timer = _clear_timers.pop(app, None)
    if timer is None:
        return
    timer.stop()
    app.copy_to_clipboard("")


def clipboard_pending(app: App[Any]) -> bool:
    return app in _clear_timers


def default_pdf_path(today: date) -> Path:
    """In the user's Documents folder (home if there is none); never the student's name."""
    from jongerenteam.pdf import documents_folder, unique_path

    return unique_path(documents_folder(), f"afsprakenoverzicht-{today:%Y-%m-%d}", "pdf")


class OverviewModal(Dialog):
    """The student's afsprakenoverzicht, with copy and PDF."""

    # Tests shorten it; the notification says the real number.
    CLIPBOARD_SECONDS: ClassVar[float] = 30.0

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "copy", TEXT["copy"]),
        Binding("p", "pdf", TEXT["pdf"]),
        Binding("b", "reachability", TEXT["reach"]),
        Binding("escape", "cancel", TEXT["close"]),
    ]
    MESSAGE_ID = "overview-message"

    def __init__(self, session: TeamSession, record: StudentRecord) -> None:
        super().__init__(session)
        self.session: TeamSession = session
        self.record = record
        self.document: Document | None = None  # once built

    # -- building ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        record = self.session.students.get(self.record.id, self.record)
        with Vertical(id="overview-box"):
            yield Static(TEXT["title"].format(name=record.details.display_name), classes="title")
            yield Static(TEXT["hint"], classes="hint")
            with VerticalScroll(id="overview-scroll"):
                yield Static(TEXT["loading"], id="overview-text")
            with Horizontal(id="overview-save", classes="hidden"):
                yield Label(TEXT["save_as"])
                yield Input(id="overview-path")
            yield Static(TEXT["save_hint"], id="overview-save-hint", classes="hint hidden")
            yield Static("", id="overview-message", classes="error")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#overview-scroll").focus()
        self.load()

    def load(self) -> None:
        from jongerenteam.overview import ContactPerson, build_overview

        session, student_id, fallback, team = self.session, self.record.id, self.record, team_app(self).team_name

        def build() -> Document:
            record = session.students.get(student_id, fallback)
            # Shown from an already opened (and logged) file; the export itself is logged.
            dossier = session.dossier.open_dossier(student_id, log=False)
            worker = session.workers.get(record.contact_worker_id or "")
            # A colleague who left the team is no one to turn to: the overview then points to the spreekuur.
            active = worker is not None and worker.active
            contact = ContactPerson(worker.full_name, session.team.worker_contact(worker.id)) if worker and active else None
            return build_overview(
                dossier, record.details, today=local_today(), contact=contact,
                worker_names={wid: w.full_name for wid, w in session.workers.items()},
                team=team, sender=session.worker.full_name,
            )

        run_in_thread(self, "overview", build, done=self.loaded, failed=lambda f: self.say(f.text), exclusive=True)

    def loaded(self, document: Document) -> None:
        self.document = document
        self.query_one("#overview-text", Static).update(document.text())
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("copy", "pdf") and self.document is None:
            return None  # shown greyed out until the text is there
        return True

    # -- copy ----------------------------------------------------------------------

    def action_copy(self) -> None:
        if self.document is None:
            return
        self.say("")
        text, session, student_id = self.document.text(), self.session, self.record.id
        # Logged first: nothing leaves the app without its line in the log.
        run_in_thread(self, "overview-export", lambda: session.dossier.log_export(student_id, EXPORT_TEXT),
                      done=lambda _r: self.copied(text), failed=lambda f: self.say(f.text), exclusive=True)

    def copied(self, text: str) -> None:
        seconds = self.CLIPBOARD_SECONDS
        copy_briefly(self.app, text, seconds)
        self.app.notify(TEXT["copied"].format(seconds=f"{seconds:g}"))

    # -- PDF -----------------------------------------------------------------------

    def _save_row_shown(self) -> bool:
        return not self.query_one("#overview-save").has_class("hidden")

    def _show_save_row(self, shown: bool) -> None:
        self.query_one("#overview-save").set_class(not shown, "hidden")
        self.query_one("#overview-save-hint").set_class(not shown, "hidden")

    def action_pdf(self) -> None:
        if self.document is None:
            return
        field = self.query_one("#overview-path", Input)
        if not self._save_row_shown():
            if not field.value.strip():
                field.value = str(default_pdf_path(local_today()))
            self._show_save_row(True)
        self.say("")
        field.focus()
        field.cursor_position = len(field.value)

    @on(Input.Submitted, "#overview-path")
    def path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save_pdf()

    def save_pdf(self) -> None:
        from jongerenteam.pdf import check_no_student_name, check_target

        try:
            target = check_target(self.query_one("#overview-path", Input).value)
            check_no_student_name(target, self.record.details)
        except ValidationError as exc:
            self.say(exc.message)
            return
        unless_replacing(self, target, self._write)

    def _write(self, target: Path) -> None:
        from jongerenteam.pdf import render_pdf, write_atomic

        document, session, student_id = self.document, self.session, self.record.id
        if document is None:
            return

        def export() -> Path:
            data = render_pdf(document)
            session.dossier.log_export(student_id, EXPORT_PDF)
            write_atomic(target, data)
            return target

        self.say(TEXT["busy"])
        # A full disk, a lost connection: one Dutch sentence.
        run_in_thread(self, "overview-export", export, done=self.pdf_saved, failed=lambda f: self.say(f.text),
                      exclusive=True)

    def pdf_saved(self, target: Path) -> None:
        self.say("")
        self._show_save_row(False)
        self.query_one("#overview-scroll").focus()
        self.app.notify(TEXT["saved"].format(path=target))

    # -- the worker's own reachability ----------------------------------------------

    def action_reachability(self) -> None:
        def done(saved: bool | None) -> None:
            if saved:
                self.load()  # the overview now says how to reach you

        self.app.push_screen(ReachabilityModal(self.session), done)

    # -- closing ---------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self._save_row_shown():
            self._show_save_row(False)
            self.say("")
            self.query_one("#overview-scroll").focus()
            return
        self.dismiss(None)

    def on_unmount(self) -> None:
        # Popped by a lock (the session is gone by then): wipe a copied text now.
        if team_app(self).session is None:
            clear_clipboard(self.app)


class ReachabilityModal(Dialog):
    """The worker sets how students reach them (shown in every afsprakenoverzicht)."""

    MESSAGE_ID = "reach-message"

    def __init__(self, session: TeamSession) -> None:
        super().__init__(session)
        self.session: TeamSession = session

    def compose(self) -> ComposeResult:
        with Vertical(id="reach-box"):
            yield Static(TEXT["reach_title"], classes="title")
            yield Static(TEXT["reach_hint"], classes="hint")
            yield Input(id="reach-text", placeholder=TEXT["reach_placeholder"])
            yield Static("", id="reach-message", classes="error")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#reach-text", Input).focus()
        session = self.session
        run_in_thread(self, "reach", lambda: session.team.worker_contact(session.worker_id), done=self._fill,
                      failed=lambda f: self.say(f.text), exclusive=True)

    def _fill(self, text: str) -> None:
        field = self.query_one("#reach-text", Input)
        if not field.value:
            field.value = text

    @on(Input.Submitted, "#reach-text")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        session, text = self.session, event.value

        def saved(_result: object) -> None:
            self.app.notify(TEXT["reach_saved"])
            self.dismiss(True)

        # The typed text stays when it fails.
        run_in_thread(self, "reach-save", lambda: session.team.set_my_contact(text), done=saved,
                      failed=lambda f: self.say(f.text), exclusive=True)

    def action_cancel(self) -> None:
        self.dismiss(False)
