"""Tab 6 Betrokkenen: team workers with access, the study coach, external professionals, and their dialogs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget

from jongerenteam.catalogue import COACH_ROLES
from jongerenteam.dates import format_date
from jongerenteam.domain import ValidationError
from jongerenteam.errors import NotAllowed, Reason
from jongerenteam.search import fold
from jongerenteam.socialmap import MAP_ROLES
from jongerenteam.text import LIMITS
from screens.background import Failure
from screens.dialogs import Confirm, Dialog
from screens.dossier.base import DossierDialog, TablePane
from screens.socialmap import MapNames
from screens.text import DataTable, Input, Option, OptionList, Static
from screens.widgets import DialogBox, KeyChoice, SteadyFooter, SuggestWords

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.session import TeamSession
    from screens.forms import Colleague

# The column titles; every other word is in TEXT.
WORKERS_COLUMNS = ("Naam", "Initialen", "In dit dossier")
EXTERNALS_COLUMNS = ("Naam", "Rol", "Organisatie", "Contact", "Sinds", "Tot")

TEXT = {
    "title": "Betrokkenen",
    "workers_title": "Betrokken medewerkers van het team",
    "contact_person": "contactpersoon",
    "involved": "betrokken",
    "you": " (jij)",
    "unknown_worker": "onbekende medewerker",
    "coach_title": "Studiecoach",
    "coach_line": "{name} · {role}",
    "coach_none": "Nog geen studiecoach vastgelegd. Druk op c om die in te vullen.",
    "externals_title": "Externe betrokkenen",
    "externals_none": "Nog geen externe betrokkenen. Druk op e om iemand toe te voegen (van de sociale kaart of zelf getypt).",
    "pick_worker": "Kies eerst met ↑↓ een medewerker in de lijst.",
    "refused_contact": "{name} is de contactpersoon en kan niet van het dossier af. Maak eerst iemand anders contactpersoon (toets p).",
    "contact_title": "Nieuwe contactpersoon kiezen",
    "contact_changed": "{name} is nu de contactpersoon en kan het dossier lezen.",
    "refused_last": "{name} is de enige betrokken medewerker. Voeg eerst een collega toe; het dossier moet altijd iemand hebben.",
    "remove_confirm": "{name} van dit dossier halen? {name} kan het dossier daarna niet meer lezen.",
    "remove_self_confirm": "Jezelf van dit dossier halen? Je kunt het dossier daarna niet meer openen.",
    "removed": "{name} is niet meer betrokken en kan het dossier niet meer lezen.",
    "removed_self": "Je bent niet meer betrokken bij dit dossier; het wordt gesloten.",
    "added_worker": "{name} is nu betrokken en kan het dossier lezen.",
    "colleague_title": "Collega betrekken bij dit dossier",
    "colleague_hint": "Typ om te zoeken, ↑↓ en Enter om te kiezen. De collega kan daarna het hele dossier lezen. Esc: terug",
    "colleague_filter": "Zoek op naam of initialen",
    "colleague_none": "Alle actieve collega's zijn al betrokken.",
    "colleague_nomatch": "Geen collega gevonden met deze naam.",
    "pick_external": "Kies eerst met ↑↓ een externe betrokkene in de lijst.",
    "already_ended": "De betrokkenheid van {name} is al beëindigd op {date}.",
    "end_confirm": "Betrokkenheid van {name} beëindigen per vandaag?",
    "ended": "Betrokkenheid van {name} is beëindigd.",
    "external_title": "Externe betrokkene toevoegen",
    "external_hint": "Begin de naam te typen: → neemt een naam van de sociale kaart over. ctrl+s: opslaan · Esc: terug",
    "external_name": "Naam",
    "external_name_placeholder": "naam van de professional of organisatie",
    "external_name_needed": "Vul de naam van de betrokkene in.",
    "external_role": "Rol",
    "external_role_placeholder": "bijv. jeugdarts/jeugdverpleegkundige; → neemt de suggestie over",
    "external_organisation": "Organisatie",
    "external_contact": "Contact",
    "external_contact_placeholder": "telefoon of e-mail",
    "external_saved": "{name} staat nu bij de externe betrokkenen.",
    "on_map": "Op de sociale kaart: {label}",
    "coach_dialog_title": "Studiecoach",
    "coach_name": "Naam",
    "coach_name_placeholder": "naam van de SLB'er, LOB'er, mentor of studiecoach (leeg = geen)",
    "coach_role": "Rol (1-4)",
    "coach_saved": "Studiecoach opgeslagen: {name}.",
    "coach_cleared": "Er staat geen studiecoach meer in het dossier.",
    "coach_same": "Dit is al de studiecoach; er is niets veranderd.",
    "coach_changed": "Studiecoach opgeslagen: {name}. De contactpersoon heeft een taak om de nieuwe coach voor te stellen.",
}


class InvolvedPane(TablePane):
    """Team workers with access, the study coach, external professionals."""

    TAB_TITLE = TEXT["title"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_colleague", "Collega erbij"),
        Binding("p", "contact", "Contactpersoon"),
        Binding("x", "remove_colleague", "Collega eraf"),
        Binding("c", "coach", "Coach"),
        Binding("e", "add_external", "Extern erbij"),
        Binding("b", "end_external", "Extern stoppen"),
        Binding("k", "social_map", "Sociale kaart"),
    ]
    TABLES: ClassVar[dict[str, Sequence[tuple[str, int | None]]]] = {
        "involved-workers": list(zip(WORKERS_COLUMNS, (30, 10, 22), strict=True)),
        "involved-externals": list(zip(EXTERNALS_COLUMNS, (22, 22, 20, 20, 10, 10), strict=True)),
    }
    MAIN = "involved-workers"

    def __init__(self, session: TeamSession, record: StudentRecord, **kwargs: Any) -> None:
        super().__init__(session, record, **kwargs)
        self.involved: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(TEXT["workers_title"], classes="involved-title")
        yield DataTable(id="involved-workers", cursor_type="row", zebra_stripes=True)
        message = Static("", id="involved-message")
        message.display = False
        yield message
        yield Static(TEXT["coach_title"], classes="involved-title")
        yield Static("", id="involved-coach")
        yield Static(TEXT["externals_title"], classes="involved-title")
        yield DataTable(id="involved-externals", cursor_type="row", zebra_stripes=True)
        yield Static(TEXT["externals_none"], id="involved-externals-none")

    def say(self, text: str) -> None:
        line = self.query_one("#involved-message", Static)
        line.update(text)
        line.display = bool(text)

    def fill(self) -> None:
        super().fill()
        self.say("")
        details = self.record.details
        coach = self.query_one("#involved-coach", Static)
        if details.coach_name:
            coach.update(TEXT["coach_line"].format(
                name=details.coach_name, role=COACH_ROLES.get(details.coach_role, details.coach_role or "coach")
            ))
        else:
            coach.update(TEXT["coach_none"])
        self.fill_externals()
        session, student_id = self.session, self.record.id
        self.store(lambda: session.dossier.involved_workers(student_id), self.fill_workers)

    def fill_workers(self, worker_ids: Iterable[str]) -> None:
        if not self.is_attached:
            return
        self.involved = list(worker_ids)
        table = self.query_one("#involved-workers", DataTable)
        keep = self.highlighted("involved-workers")
        table.clear()
        contact = self.record.contact_worker_id
        workers = self.session.workers
        ordered = sorted(
            self.involved,
            key=lambda wid: (wid != contact, fold(workers[wid].full_name) if wid in workers else ""),
        )
        for wid in ordered:
            worker = workers.get(wid)
            name = worker.full_name if worker else TEXT["unknown_worker"]
            if wid == self.session.worker_id:
                name += TEXT["you"]
            role = TEXT["contact_person"] if wid == contact else TEXT["involved"]
            table.add_row(
                Text(name, style="bold" if wid == contact else ""), worker.initials if worker else "?", role, key=wid
            )
        self.keep(table, keep)

    def fill_externals(self) -> None:
        table = self.query_one("#involved-externals", DataTable)
        keep = self.highlighted("involved-externals")
        table.clear()
        externals = sorted(self.shown.externals, key=lambda e: (e.until is not None, fold(e.name)))
        for e in externals:
            style = "dim" if e.until is not None else ""
            cells = [e.name, e.role, e.organisation, e.contact,
                     format_date(e.since) if e.since else "", format_date(e.until) if e.until else ""]
            table.add_row(*(Text(c, style=style) for c in cells), key=e.id)
        self.keep(table, keep)
        table.display = bool(externals)
        self.query_one("#involved-externals-none").display = not externals

    # -- team workers -----------------------------------------------------------------

    def action_add_colleague(self) -> None:
        candidates = [w for w in self.session.active_workers() if w.id not in self.involved]
        self._pick_colleague(candidates, TEXT["colleague_title"], self.session.dossier.involve, TEXT["added_worker"])

    def action_contact(self) -> None:
        """p: another colleague becomes the contact person (and is involved from then on)."""
        candidates = [w for w in self.session.active_workers() if w.id != self.record.contact_worker_id]
        record, session = self.record, self.session  # as shown: a colleague's change in between is refused
        self._pick_colleague(
            candidates, TEXT["contact_title"], lambda _sid, wid: session.dossier.change_contact(record, wid),
            TEXT["contact_changed"],
        )

    def _pick_colleague(self, candidates: Iterable[Colleague], title: str, use_case: Callable[[str, str], object],
                        message: str) -> None:
        """Pick a colleague, then ``use_case(student_id, worker_id)`` in a thread; ``message`` on success."""
        session, student_id = self.session, self.record.id

        def chosen(worker_id: str | None) -> None:
            if not worker_id:
                return
            name = session.workers[worker_id].full_name
            self.store(lambda: use_case(student_id, worker_id), failed=self.refused, said=message.format(name=name))

        self.app.push_screen(ColleagueDialog(candidates, title), chosen)

    def refused(self, failure: Failure) -> None:
        self.refuse(failure.text)

    def refuse(self, text: str) -> None:
        self.say(text)
        self.notify(text, severity="error")

    def action_remove_colleague(self) -> None:
        worker_id = self.highlighted("involved-workers")
        if worker_id is None:
            self.notify(TEXT["pick_worker"], severity="warning")
            return
        worker = self.session.workers.get(worker_id)
        name = worker.full_name if worker else "?"
        if worker_id == self.record.contact_worker_id:
            self.refuse(TEXT["refused_contact"].format(name=name))
            return
        if len(self.involved) <= 1:
            self.refuse(TEXT["refused_last"].format(name=name))
            return
        session, student_id = self.session, self.record.id
        myself = worker_id == session.worker_id

        def call() -> None:
            try:
                session.dossier.remove_involved(student_id, worker_id)
            except NotAllowed as exc:
                # The words of this tab, with the colleague's name, rather than the general ones.
                if exc.reason == Reason.CONTACT_PERSON:
                    raise ValidationError("worker", TEXT["refused_contact"].format(name=name)) from None
                if exc.reason == Reason.LAST_INVOLVED:
                    raise ValidationError("worker", TEXT["refused_last"].format(name=name)) from None
                raise

        def done(_result: object) -> None:
            self.say("")
            if myself:
                # No key for this file any more: a re-read would fail. Close the
                # dossier (the screen this pane is on) and say why.
                self.app.notify(TEXT["removed_self"])
                if self.screen is self.app.screen:
                    self.screen.dismiss(None)
                return
            self.notify(TEXT["removed"].format(name=name))
            self.changed()

        def answered(yes: bool | None) -> None:
            if yes:
                self.store(call, done, self.refused)

        question = TEXT["remove_self_confirm"] if myself else TEXT["remove_confirm"].format(name=name)
        self.app.push_screen(Confirm(question), answered)

    # -- coach and externals -------------------------------------------------------------

    def action_coach(self) -> None:
        self.app.push_screen(CoachDialog(self.session, self.record))

    def action_add_external(self) -> None:
        self.app.push_screen(ExternalDialog(self.session, self.record), self.added)

    def action_end_external(self) -> None:
        key = self.highlighted("involved-externals")
        external = next((e for e in self.dossier.externals if e.id == key), None) if self.dossier else None
        if external is None:
            self.notify(TEXT["pick_external"], severity="warning")
            return
        if external.until is not None:
            self.notify(TEXT["already_ended"].format(name=external.name, date=format_date(external.until)),
                        severity="warning")
            return
        session, student_id, name = self.session, self.record.id, external.name
        self.store_after_yes(TEXT["end_confirm"].format(name=name),
                             lambda: session.dossier.end_external(student_id, external), TEXT["ended"].format(name=name))

    def action_social_map(self) -> None:
        from screens.socialmap import SocialMapScreen

        self.app.push_screen(SocialMapScreen(self.session))


# -- dialogs -------------------------------------------------------------------------------------------


class CoachDialog(DossierDialog):
    """The student's study coach: name and role (empty name: no coach)."""

    DIALOG_TITLE = TEXT["coach_dialog_title"]
    FIELD_IDS: ClassVar[dict[str, str]] = {
        "coach_name": "coach-name", "coach_role": "coach-role", "new_name": "coach-name", "new_role": "coach-role",
    }

    def __init__(self, session: TeamSession, record: StudentRecord, *, restore: bool = False) -> None:
        super().__init__(session, record, restore=restore)
        self.saved_name = ""
        self.had_coach = False

    def fields(self) -> ComposeResult:
        yield from self.row(
            TEXT["coach_name"], Input(placeholder=TEXT["coach_name_placeholder"], max_length=LIMITS["name"], id="coach-name")
        )
        yield from self.row(TEXT["coach_role"], KeyChoice(COACH_ROLES, id="coach-role"))

    def prefill(self) -> None:
        details = self.record.details
        self.query_one("#coach-name", Input).value = details.coach_name
        self.query_one("#coach-role", KeyChoice).value = details.coach_role or "studentcoach"

    def first_focus(self) -> None:
        self.query_one("#coach-name").focus()

    def prepare(self) -> Any:
        name = self.query_one("#coach-name", Input).value
        role = self.query_one("#coach-role", KeyChoice).value or "studentcoach"
        session, record = self.session, self.record
        self.saved_name = " ".join(name.split())
        self.had_coach = bool(record.details.coach_name.strip())
        if not self.saved_name:
            return lambda: session.dossier.set_coach(record, "", role)
        # A new coach: the contact person gets a task to introduce them (as in a coachwissel).
        return lambda: session.eighteen.change_coach(record, name, role)

    def saved_text(self, result: Any) -> str:
        if not self.saved_name:
            return TEXT["coach_cleared"]
        if result is False:
            return TEXT["coach_same"]
        return TEXT["coach_changed" if self.had_coach else "coach_saved"].format(name=self.saved_name)


class ExternalDialog(DossierDialog):
    """An external professional on this file, from the sociale kaart or typed."""

    DIALOG_TITLE = TEXT["external_title"]
    HINT = TEXT["external_hint"]
    FIELD_IDS: ClassVar[dict[str, str]] = {"name": "external-name"}
    FIELDS = ("name", "role", "organisation", "contact")

    def __init__(self, session: TeamSession, record: StudentRecord, *, restore: bool = False) -> None:
        super().__init__(session, record, restore=restore)
        self.map = MapNames()
        self.saved_name = ""

    def fields(self) -> ComposeResult:
        yield from self.row(
            TEXT["external_name"],
            Input(placeholder=TEXT["external_name_placeholder"], max_length=200, id="external-name",
                  suggester=SuggestWords(lambda: self.map.names())),
            hint="",
        )
        yield from self.row(
            TEXT["external_role"],
            Input(placeholder=TEXT["external_role_placeholder"], max_length=200, id="external-role",
                  suggester=SuggestWords(lambda: list(MAP_ROLES))),
        )
        yield from self.row(
            TEXT["external_organisation"],
            Input(max_length=200, id="external-organisation", suggester=SuggestWords(lambda: self.map.names("organisatie"))),
        )
        yield from self.row(
            TEXT["external_contact"],
            Input(placeholder=TEXT["external_contact_placeholder"], max_length=200, id="external-contact"),
        )

    def prefill(self) -> None:
        self.map.load(self, self.session)

    def first_focus(self) -> None:
        self.query_one("#external-name").focus()

    @on(Input.Changed, "#external-name")
    def name_changed(self) -> None:
        item = self.map.match(self.query_one("#external-name", Input).value)
        self.set_line("external-name-hint", TEXT["on_map"].format(label=item.entry.label) if item else "")

    def enter_pressed(self, field: Widget) -> None:
        if field.id == "external-name":
            self.take_from_map()
        super().enter_pressed(field)

    def take_from_map(self) -> None:
        """Enter on a name from the kaart fills the empty fields from it."""
        item = self.map.match(self.query_one("#external-name", Input).value)
        if item is None:
            return
        e = item.entry
        contact = " · ".join(x for x in (e.phone, e.email) if x)
        for widget_id, value in (("external-role", e.role), ("external-organisation", e.organisation),
                                 ("external-contact", contact)):
            widget = self.query_one(f"#{widget_id}", Input)
            if not widget.value.strip():
                widget.value = value

    def restored(self, draft: dict[str, Any]) -> None:
        self.name_changed()

    def prepare(self) -> Any:
        value = {k: self.query_one(f"#external-{k}", Input).value for k in self.FIELDS}
        if not value["name"].strip():
            raise ValidationError("name", TEXT["external_name_needed"])
        item = self.map.match(value["name"])
        session, student_id = self.session, self.record.id
        self.saved_name = value["name"].strip()
        return lambda: session.dossier.add_external(
            student_id, value["name"], value["role"], value["organisation"], value["contact"],
            item.id if item else None,
        )

    def saved_text(self, result: Any) -> str:
        return TEXT["external_saved"].format(name=self.saved_name)


class ColleagueDialog(Dialog):
    """Pick an active colleague not yet involved; dismissed with their worker id."""

    def __init__(self, workers: Iterable[Colleague], title: str = TEXT["colleague_title"]) -> None:
        super().__init__()
        self.candidates = list(workers)
        self.title_text = title

    def compose(self) -> ComposeResult:
        with DialogBox(classes="dialog-box"):
            yield Static(self.title_text, classes="title")
            yield Static(TEXT["colleague_hint"], classes="hint")
            yield Input(placeholder=TEXT["colleague_filter"], id="colleague-filter")
            yield OptionList(id="colleague-list")
            yield Static("", id="colleague-message")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.fill("")
        self.query_one("#colleague-filter", Input).focus()

    @on(Input.Changed, "#colleague-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def fill(self, text: str) -> None:
        wanted = fold(text.strip())
        shown = [w for w in self.candidates if not wanted or wanted in fold(f"{w.full_name} {w.initials}")]
        options = self.query_one("#colleague-list", OptionList)
        options.clear_options()
        options.add_options([Option(f"{w.full_name} ({w.initials})", id=w.id) for w in shown])
        if shown:
            options.highlighted = 0
        message = "" if shown else (TEXT["colleague_nomatch"] if self.candidates else TEXT["colleague_none"])
        self.query_one("#colleague-message", Static).update(message)

    def on_key(self, event: events.Key) -> None:
        if event.key == "down" and self.focused is self.query_one("#colleague-filter"):
            self.query_one("#colleague-list").focus()
            event.stop()

    @on(Input.Submitted, "#colleague-filter")
    @on(OptionList.OptionSelected, "#colleague-list")
    def choose(self) -> None:
        options = self.query_one("#colleague-list", OptionList)
        if options.highlighted is None or not options.option_count:
            return
        self.dismiss(options.get_option_at_index(options.highlighted).id)

    def action_cancel(self) -> None:
        self.dismiss(None)
