"""Opening a student from a list: the dossier if involved; otherwise who the
contact person is, a walk-in talk added without reading, or noodtoegang
(which shows the file read-only, once, in FileModal)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget

from jongerenteam import spreekuur as intake
from jongerenteam.dates import local_time  # stored moments are UTC; show the laptop's date
from jongerenteam.domain import ValidationError
from jongerenteam.spreekuur import EMERGENCY_REASONS
from screens import forms
from screens.background import Failure, run_in_thread
from screens.dialogs import DRAFT_BACK, Dialog
from screens.interfaces import Reloadable, reload_screen, team_app
from screens.text import Input, Label, Option, OptionList, Static, TextArea
from screens.widgets import LeefdomeinPicker, SteadyFooter

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.handover import HandoverView
    from jongerenteam.session import TeamSession

TEXT = {
    "file_title": "Dossier van {name}",
    "file_empty": "Nog niets vastgelegd in dit dossier.",
    "emergency_title": "Noodtoegang tot het dossier van {name}",
    "close": "Sluiten",
    "not_involved": "Je bent niet betrokken bij {name}. Contactpersoon: {contact}.",
    "held": (
        "Je bent de nieuwe contactpersoon van {name}. Het dossier gaat voor je open zodra er toestemming is "
        "om alles met jou te delen (van de student, of bij een jonge student ook van de ouders). "
        "Vraag het {name} en leg het vast met g."
    ),
    "held_choices": "g: toestemming vastleggen · o: overdracht bekijken · Esc: terug",
    "contact_closed": (
        "Je bent de contactpersoon van {name}, maar het dossier is nog niet voor je open. "
        "Vraag de coördinator wat er nodig is."
    ),
    "choices": "v: inloopgesprek toevoegen (zonder het dossier te lezen) · n: noodtoegang · Esc: terug",
    "choices_rights": "\nr: rechten van de student (inzage op verzoek, gegevens wissen)",
    "visit_title": "Inloopgesprek met {name} toevoegen",
    "visit_hint": "Je voegt dit toe aan het dossier zonder het te lezen. De contactpersoon ziet het. ctrl+s: opslaan · Esc: terug",
    "visit_saved": "Inloopgesprek toegevoegd aan het dossier van {name}; {contact} ziet het.",
    "hulpvraag_needed": "Schrijf kort op waarvoor de student kwam.",
    "minutes_bad": "Duur is een aantal minuten, bijvoorbeeld 20.",
    "emergency_intro": (
        "Alleen als de student nu hulp nodig heeft en de contactpersoon er niet is. "
        "Een coördinator bevestigt met zijn of haar wachtwoord. De toegang wordt vastgelegd "
        "en de contactpersoon krijgt het te zien."
    ),
    "reason": "Reden (kies met pijltjes)",
    "explanation": "Toelichting",
    "coordinator": "Coördinator",
    "passphrase": "Wachtwoord coördinator",
    "reason_needed": "Kies een reden.",
    "explanation_needed": "Schrijf kort waarom je nu toegang nodig hebt.",
    "coordinator_needed": "Kies de coördinator die meekijkt.",
    "passphrase_needed": "De coördinator vult het wachtwoord in.",
    "busy": "Bezig…",
    "no_coordinators": "Er is geen coördinator in dit team; noodtoegang kan niet.",
}


KIND_LABELS = {
    "note": "notitie",
    "notitie": "notitie",
    "inloop": "inloopgesprek",
    "aanmelding": "aanmelding",
    "afspraak": "afspraak",
    "noodtoegang": "noodtoegang",
}


class Entry(Protocol):
    """A file entry as the dossier service reads it (kind, payload, who and when)."""

    @property
    def kind(self) -> str: ...

    @property
    def payload(self) -> dict[str, Any]: ...

    @property
    def created_at(self) -> datetime: ...

    @property
    def created_by(self) -> str: ...


def _entry_text(e: Entry) -> str:
    text = str(e.payload.get("tekst", ""))
    if e.kind == "afspraak" and e.payload.get("datum"):
        try:
            when = date.fromisoformat(e.payload["datum"])
            return f"op {when:%d-%m-%Y}: {text}"
        except ValueError:
            return text  # an unreadable date: the text alone
    if e.kind == "aanmelding" and e.payload.get("aanmelder"):
        return f"door {e.payload['aanmelder']} ({e.payload.get('urgentie', '')}): {text}"
    return text


def file_lines(session: TeamSession, entries: Iterable[Entry]) -> list[str]:
    names = {wid: w.initials for wid, w in session.workers.items()}
    return [
        f"{local_time(e.created_at):%d-%m-%Y} · {names.get(e.created_by, '?')} · {KIND_LABELS.get(e.kind, e.kind)} · {_entry_text(e)}"
        for e in sorted(entries, key=lambda e: e.created_at, reverse=True)
    ]


class FileModal(Dialog):
    """Read-only view of the file-tier entries of a student (the read is logged)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", TEXT["close"])]

    def __init__(self, title: str, lines: list[str], *, student_id: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines
        self.student_id = student_id

    def compose(self) -> ComposeResult:
        with Vertical(id="file-box"):
            yield Static(self.title_text, classes="title")
            with VerticalScroll():
                for line in self.lines or [TEXT["file_empty"]]:
                    yield Static(line)
        yield SteadyFooter()

    def resume_state(self) -> dict[str, Any] | None:
        # Without a student id (noodtoegang: one logged read) it does not come back.
        return {"student": self.student_id} if self.student_id is not None else None

    @classmethod
    def resume(cls, session: TeamSession, state: dict[str, Any]) -> FileModal | None:
        """After a lock: reopen the file (read and logged again), if still involved."""
        student_id = state.get("student", "")
        if not session.is_involved(student_id) or student_id not in session.students:
            return None
        record = session.students[student_id]
        return cls(
            TEXT["file_title"].format(name=record.details.display_name),
            file_lines(session, session.dossier.read_file(student_id)),
            student_id=student_id,
        )


class NotInvolvedModal(Dialog):
    """Who the contact person is, and what a non-involved worker may do."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "choose('visit')", "Inloopgesprek toevoegen"),
        Binding("n", "choose('emergency')", "Noodtoegang"),
        Binding("r", "choose('rights')", "Rechten van de student"),
        Binding("g", "choose('consent')", "Toestemming vastleggen"),
        Binding("o", "choose('handover')", "Overdracht bekijken"),
        Binding("escape", "choose(None)", "Terug"),
    ]

    def __init__(self, text: str, *, coordinator: bool = False, held: bool = False) -> None:
        super().__init__()
        self.text = text
        self.coordinator = coordinator
        self.held = held  # I am the new contact person; the file waits for consent (g records it)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.text, id="not-involved")
            choices = TEXT["held_choices"] if self.held else TEXT["choices"]
            yield Static(choices + (TEXT["choices_rights"] if self.coordinator and not self.held else ""), classes="hint")
        yield SteadyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        choice = parameters[0] if action == "choose" and parameters else None
        if choice == "rights":
            return self.coordinator and not self.held  # inzage on request and wissen: a coördinator's tasks
        if choice in ("consent", "handover"):
            return self.held
        if choice in ("visit", "emergency"):
            return not self.held  # for someone else's student, not one's own
        return True

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)


class VisitModal(Dialog):
    """A walk-in talk added to a file the worker cannot read."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "save", "Opslaan", priority=True)]
    MESSAGE_ID = "visit-message"
    DRAFT_LABEL = "een inloopgesprek"

    def __init__(self, session: TeamSession, record: StudentRecord, *, restore: bool = False) -> None:
        super().__init__(session, restore=restore)
        self.session: TeamSession = session
        self.record = record

    def compose(self) -> ComposeResult:
        name = self.record.details.display_name
        with Vertical(classes="dialog wide"):
            yield Static(TEXT["visit_title"].format(name=name), classes="title")
            yield Static(TEXT["visit_hint"], classes="hint")
            yield Label("Hulpvraag")
            yield TextArea(id="visit-hulpvraag", tab_behavior="focus", soft_wrap=True)
            yield Label("Leefdomeinen")
            yield LeefdomeinPicker(id="visit-leefdomeinen")
            with Horizontal(classes="row"):
                yield Label("Duur (minuten)", classes="label")
                yield Input(id="visit-minutes", placeholder="bijv. 20")
            yield Static("", id="visit-message", classes="error")
        yield SteadyFooter()

    def on_mount(self) -> None:
        draft = self.take_draft()
        if draft:
            self.query_one("#visit-hulpvraag", TextArea).text = draft.get("hulpvraag", "")
            self.query_one(LeefdomeinPicker).value = draft.get("leefdomeinen", [])
            self.query_one("#visit-minutes", Input).value = draft.get("minutes", "")
            self.notify(DRAFT_BACK)
        self.query_one("#visit-hulpvraag", TextArea).focus()

    def draft(self) -> dict[str, Any] | None:
        hulpvraag = self.query_one("#visit-hulpvraag", TextArea).text
        leefdomeinen = self.query_one(LeefdomeinPicker).codes
        minutes = self.query_one("#visit-minutes", Input).value
        if not (hulpvraag.strip() or leefdomeinen or minutes.strip()):
            return None
        return {"hulpvraag": hulpvraag, "leefdomeinen": leefdomeinen, "minutes": minutes}

    def resume_state(self) -> dict[str, Any] | None:
        return {"student": self.record.id}

    @classmethod
    def resume(cls, session: TeamSession, state: dict[str, Any]) -> VisitModal | None:
        record = session.students.get(state.get("student", ""))
        return cls(session, record, restore=True) if record is not None else None

    def action_save(self) -> None:
        text = self.query_one("#visit-hulpvraag", TextArea).text.strip()
        if not text:
            self.say(TEXT["hulpvraag_needed"])
            return
        try:
            minutes = forms.minutes(self.query_one("#visit-minutes", Input).value, "minutes", TEXT["minutes_bad"])
        except ValidationError as exc:
            self.say(exc.message)
            return
        visit = intake.WalkIn(hulpvraag=text, leefdomeinen=self.query_one(LeefdomeinPicker).codes, minutes=minutes)
        session, record = self.session, self.record
        # The text stays when it fails.
        self.store(lambda: session.spreekuur.register_walk_in(record.details, visit, existing=record), self.saved,
                   busy_text="")

    def saved(self, _result: object) -> None:
        name = self.record.details.display_name
        self.app.notify(TEXT["visit_saved"].format(name=name, contact=self.session.contact_name(self.record)))
        self.dismiss(True)


class EmergencyModal(Dialog):
    """Noodtoegang: a reason, an explanation, and a coördinator's passphrase."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "Openen", priority=True)]
    MESSAGE_ID = "emergency-message"

    def __init__(self, session: TeamSession, record: StudentRecord) -> None:
        super().__init__(session)
        self.session: TeamSession = session
        self.record = record

    def coordinators(self) -> list[Any]:
        return [w for w in self.session.active_workers() if w.role == "coordinator"]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(TEXT["emergency_title"].format(name=self.record.details.display_name), classes="title")
            yield Static(TEXT["emergency_intro"], classes="hint")
            yield Label(TEXT["reason"])
            yield OptionList(*(Option(text, id=code) for code, text in EMERGENCY_REASONS.items()), id="reason")
            yield Label(TEXT["explanation"])
            yield Input(id="explanation", placeholder="waarom nu, wat is er aan de hand")
            yield Label(TEXT["coordinator"])
            yield OptionList(*(Option(f"{w.full_name} ({w.initials})", id=w.id) for w in self.coordinators()), id="coordinator")
            yield Label(TEXT["passphrase"])
            yield Input(id="coordinator-passphrase", password=True)
            yield Static("", id="emergency-message", classes="error")
        yield SteadyFooter()

    def on_mount(self) -> None:
        if not self.coordinators():
            self.say(TEXT["no_coordinators"])
        # No reason chosen for the worker: they pick one on purpose.
        self.query_one("#reason", OptionList).highlighted = None
        self.query_one("#reason", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)  # nothing is kept of a noodtoegang request (never the passphrase)

    @on(Input.Submitted, "#coordinator-passphrase")
    def submitted(self) -> None:
        self.action_submit()

    @on(OptionList.OptionSelected)
    @on(Input.Submitted, "#explanation")
    def next_field(self) -> None:
        """Enter on a choice or the explanation goes on to the next field."""
        self.focus_next()

    def action_submit(self) -> None:
        if self.busy:
            return
        reason_list = self.query_one("#reason", OptionList)
        coord_list = self.query_one("#coordinator", OptionList)
        explanation = self.query_one("#explanation", Input).value.strip()
        passphrase = self.query_one("#coordinator-passphrase", Input).value
        problem, focus = "", cast("Widget | None", None)
        if reason_list.highlighted is None:
            problem, focus = TEXT["reason_needed"], reason_list
        elif not explanation:
            problem, focus = TEXT["explanation_needed"], self.query_one("#explanation", Input)
        elif coord_list.highlighted is None:
            problem, focus = TEXT["coordinator_needed"], coord_list
        elif not passphrase:
            problem, focus = TEXT["passphrase_needed"], self.query_one("#coordinator-passphrase", Input)
        if focus is not None:
            self.say(problem)
            focus.focus()
            return
        reason = reason_list.get_option_at_index(reason_list.highlighted or 0).id or ""
        coordinator = coord_list.get_option_at_index(coord_list.highlighted or 0).id or ""
        session, student_id = self.session, self.record.id

        def read() -> list[str]:
            entries = session.spreekuur.emergency_read(student_id, coordinator, passphrase, reason, explanation)
            return file_lines(session, entries)

        self.store(read, self.opened, busy_text=TEXT["busy"])

    def show_failure(self, failure: Failure) -> None:
        # The fields stay, except the passphrase.
        self.query_one("#coordinator-passphrase", Input).value = ""
        self.say(failure.text)
        self.query_one("#coordinator-passphrase", Input).focus()

    def opened(self, lines: list[str]) -> None:
        self.dismiss(None)
        # Not resumable after a lock: emergency access is one logged read.
        self.app.push_screen(FileModal(TEXT["emergency_title"].format(name=self.record.details.display_name), lines))


def open_student(screen: Screen[Any], session: TeamSession, record: StudentRecord) -> None:
    """Enter on a student anywhere: the dossier, or the not-involved choices."""
    if session.is_involved(record.id):
        load_file(screen, session, record)
        return
    if record.contact_worker_id == session.worker_id:
        open_own_closed(screen, session, record)
        return
    not_involved(screen, session, record,
                 TEXT["not_involved"].format(name=record.details.display_name, contact=session.contact_name(record)))


def not_involved(screen: Screen[Any], session: TeamSession, record: StudentRecord, text: str) -> None:
    """What a worker who cannot read the file may do: a walk-in talk, noodtoegang, rights."""
    app = screen.app

    def erased(result: object) -> None:
        if result == "erased":  # the student is gone: Vandaag (and a search) read again
            reload_screen(app)

    def chosen(choice: str | None) -> None:
        if choice == "visit":
            app.push_screen(VisitModal(session, record), lambda _result: reload_screen(app))
        elif choice == "emergency":
            app.push_screen(EmergencyModal(session, record))
        elif choice == "rights":
            from screens.rights import RightsMenu

            app.push_screen(RightsMenu(session, record.id), erased)

    app.push_screen(NotInvolvedModal(text, coordinator=session.keys.is_coordinator), chosen)


def open_own_closed(screen: Screen[Any], session: TeamSession, record: StudentRecord) -> None:
    """I am the contact person but cannot read the file: a coördinator named me (a colleague
    left, a caseload moved) and the file waits for the student's consent to share everything
    with me. Say so, and let me record that consent here (g) or see the handover (o)."""
    app = screen.app
    name = record.details.display_name

    def found(views: list[HandoverView]) -> None:
        from screens.handover import HandoverCard
        from screens.handover.card import held_consent_dialog

        if not views:  # no handover waits for consent: the usual choices, without the contradiction
            not_involved(screen, session, record, TEXT["contact_closed"].format(name=name))
            return
        view = views[0]

        def consented(row: object) -> None:
            if row is not None and session.is_involved(record.id):
                load_file(screen, session, record)

        def chosen(choice: str | None) -> None:
            if choice == "consent":
                app.push_screen(held_consent_dialog(session, view.row), consented)
            elif choice == "handover":
                app.push_screen(HandoverCard(session, view), lambda _result: reload_screen(app))

        held = NotInvolvedModal(TEXT["held"].format(name=name), coordinator=session.keys.is_coordinator, held=True)
        app.push_screen(held, chosen)

    def held() -> list[HandoverView]:
        return [v for v in session.handover.held_for_me() if v.row.student_id == record.id]

    run_in_thread(screen, "held-open", held, done=found, failed=lambda f: app.notify(f.text, severity="error"))


def load_file(screen: Screen[Any], session: TeamSession, record: StudentRecord) -> None:
    """Open the dossier of a student the worker is involved with.

    The screen shows at once (the header needs only the directory); it
    reads and folds the file itself in a thread worker, logged as 'open'.
    Back on Esc, the screen it came from is read again (a talk or an
    agreement may change Vandaag).
    """
    from screens.dossier import DossierScreen

    app = team_app(screen)
    if app.session is not session or session.is_locked:
        return

    def back(_result: object) -> None:
        if isinstance(screen, Reloadable):
            screen.reload()

    app.push_screen(DossierScreen(session, record), back)
