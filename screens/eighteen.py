"""18 worden (issue 5): a student's 18+ checklist and the team's list of items
(coördinator); the palette's entries, with the coachwissel
(screens/coachwissel.py).

Every store call runs in a thread worker; the screens keep only what they
show. Opened from the dossier and from the command palette (``commands``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from jongerenteam.dates import local_today, parse_date
from jongerenteam.domain import ValidationError, days_until_18, eighteenth_birthday
from jongerenteam.eighteen import ChecklistItem
from screens.background import run_in_thread
from screens.coachwissel import CoachChangeScreen
from screens.dialogs import Confirm, Dialog, leave_asking_if_typed
from screens.forms import plural
from screens.interfaces import AboutStudent, Command, ShowsRecord, current_session, team_app
from screens.text import Input, Label, Option, OptionList, Static
from screens.widgets import SteadyFooter

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.eighteen import ChecklistRow, StudentChecklist
    from jongerenteam.session import TeamSession

# Every word the user reads on these screens, in one place.
TEXT = {
    # the student's checklist
    "title": "18+-checklist · {name}",
    "turns_in": "wordt 18 over {days} dag{s} (op {day:%d-%m-%Y})",
    "is_18": "is 18 (sinds {day:%d-%m-%Y})",
    "no_birth": "geboortedatum onbekend",
    "progress": "{done} van {total} geregeld",
    "hint": "Spatie of Enter: geregeld / niet geregeld (met de datum van vandaag) · d: datum · n: notitie · o: 18+-overdracht",
    "loading": "De checklist wordt gelezen…",
    "removed": "(niet meer op de teamlijst)",
    "done_on": "geregeld op {day:%d-%m-%Y}",
    "saved_on": "'{label}' is geregeld ({day:%d-%m-%Y}).",
    "saved_off": "'{label}' staat weer op niet geregeld.",
    "date_title": "Wanneer is '{label}' geregeld?",
    "date_hint": "Bijvoorbeeld 20-11-2026. Enter: opslaan · Esc: terug",
    "date_not_done": "Zet '{label}' eerst op geregeld (spatie); dan kun je de datum wijzigen.",
    "note_title": "Notitie bij '{label}'",
    "note_hint": "Kort, bijvoorbeeld wat er nog moet of wie helpt. Leeg maken mag. Enter: opslaan · Esc: terug",
    "note_saved": "De notitie is opgeslagen.",
    "not_involved": "Je bent niet betrokken bij deze student; de checklist staat in het dossier.",
    "back": "Terug",
    "toggle": "Geregeld aan/uit",
    "date": "Datum",
    "note": "Notitie",
    "handover": "18+-overdracht",
    "team_list": "Teamlijst",
    # the team's list
    "team_title": "18+-checklist van het team",
    "team_hint": "De punten die elke student krijgt. Een nieuwe naam houdt wat studenten al hadden afgevinkt.",
    "new": "Nieuw punt",
    "rename": "Hernoemen",
    "remove": "Verwijderen",
    "up": "Omhoog",
    "down": "Omlaag",
    "default": "Standaardlijst",
    "label": "Naam van het punt",
    "edit_hint": "Enter: opslaan · Esc: niet opslaan",
    "remove_question": "'{label}' van de lijst halen? Wie het al had afgevinkt, houdt het in zijn lijst.",
    "default_question": "Terug naar de standaardlijst van jongerenteam? Eigen punten gaan van de lijst.",
    "team_saved": "De 18+-checklist van het team is opgeslagen.",
    "coordinator_only": "Alleen een coördinator kan dit doen.",
    "in_future": "De datum ligt in de toekomst; vul de dag in waarop het geregeld is.",
    "note_long": "Houd de notitie kort (hoogstens 500 tekens).",
}
NOTE_MAX = 500


# -- small dialogs -----------------------------------------------------------------------


class LineModal(Dialog):
    """One line of text; ``check(text)`` returns a Dutch problem or None. Esc: None (asking if typed)."""

    MESSAGE_ID = "line-message"

    def __init__(self, title: str, hint: str, value: str = "", check: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.title_text, self.hint, self.value, self.check = title, hint, value, check

    def compose(self) -> ComposeResult:
        with Vertical(id="line-box"):
            yield Static(Text(self.title_text), classes="title")
            yield Static(self.hint, classes="hint")
            yield Input(self.value, id="line-input")
            yield self.message_line()
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#line-input", Input).focus()

    @on(Input.Submitted, "#line-input")
    def submitted(self, event: Input.Submitted) -> None:
        problem = self.check(event.value) if self.check else None
        if problem:
            self.say(problem)
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        typed = self.query_one("#line-input", Input).value.strip() != (self.value or "").strip()
        leave_asking_if_typed(self, typed, lambda: self.dismiss(None))


# -- a student's checklist --------------------------------------------------------------------


class ChecklistScreen(Screen[None]):
    """The 18+ checklist of one student: tick items by keyboard, with the date done."""

    HELP_TITLE = "18+-lijst"
    HELP = (
        "Wat geregeld moet zijn als de student 18 wordt: zorgverzekering, DigiD, inkomen, toestemming, zorg "
        "die overgaat naar volwassenenzorg. Vink af wat klaar is."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", TEXT["back"]),
        Binding("space", "tick", TEXT["toggle"], key_display="spatie"),
        Binding("d", "date", TEXT["date"]),
        Binding("n", "note", TEXT["note"]),
        Binding("o", "handover", TEXT["handover"]),
        Binding("t", "team_list", TEXT["team_list"]),
    ]
    def __init__(self, student_id: str) -> None:
        super().__init__()
        self.student_id = student_id
        self.checklist: StudentChecklist | None = None  # once read

    @property
    def session(self) -> TeamSession:
        return current_session(self)

    def resume_state(self) -> dict[str, Any] | None:
        return {"student": self.student_id}

    def draft(self) -> dict[str, Any] | None:
        return None  # every tick is saved at once

    @classmethod
    def resume(cls, session: TeamSession, state: dict[str, Any]) -> ChecklistScreen | None:
        student_id = state.get("student", "")
        return cls(student_id) if session.is_involved(student_id) else None

    def compose(self) -> ComposeResult:
        record = self.session.students.get(self.student_id)
        name = record.details.display_name if record else ""
        yield Static(Text(TEXT["title"].format(name=name)), classes="title", id="cl-title")
        yield Static(self._age_line(record), id="cl-head", classes="hint")
        yield Static(TEXT["hint"], classes="hint")
        yield OptionList(Option(TEXT["loading"], disabled=True), id="cl-items")
        yield Static("", id="cl-message", classes="error")
        yield SteadyFooter()

    def _age_line(self, record: StudentRecord | None) -> str:
        birth = record.details.birth_date if record else None
        if birth is None:
            return TEXT["no_birth"]
        left = days_until_18(birth, local_today())
        eighteen = eighteenth_birthday(birth)
        if left is None:
            return TEXT["is_18"].format(day=eighteen)
        return TEXT["turns_in"].format(days=left, s=plural(left, "", "en"), day=eighteen)

    def on_mount(self) -> None:
        self.query_one("#cl-items").focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "team_list":
            session = team_app(self).session
            return session is not None and session.keys.is_coordinator
        if action in ("tick", "date", "note") and self.checklist is None:
            return None
        return True

    # -- reading and showing -------------------------------------------------------

    def load(self) -> None:
        session, student_id = self.session, self.student_id
        run_in_thread(self, "checklist-load", lambda: session.eighteen.checklist(student_id), done=self.show,
                      failed=lambda f: self.message(f.text), exclusive=True)

    def show(self, checklist: StudentChecklist, message: str = "") -> None:
        self.checklist = checklist
        items = self.query_one("#cl-items", OptionList)
        keep = items.highlighted or 0
        options = []
        for row in checklist.rows:
            line = Text("[x] " if row.done else "[ ] ", style="bold" if row.done else "")
            line.append(row.label)
            if not row.on_team_list:
                line.append(" " + TEXT["removed"], style="italic")
            if row.done and row.on:
                line.append("   " + TEXT["done_on"].format(day=row.on), style="dim")
            if row.note:
                line.append("\n    " + row.note, style="dim")
            options.append(Option(line, id=row.key))
        items.set_options(options)
        if options:
            items.highlighted = min(keep, len(options) - 1)
        record = self.session.students.get(self.student_id)
        head = self._age_line(record) + " · " + TEXT["progress"].format(done=checklist.done_count, total=checklist.team_count)
        self.query_one("#cl-head", Static).update(head)
        self.message(message)
        self.refresh_bindings()

    def message(self, text: str) -> None:
        self.query_one("#cl-message", Static).update(text)

    def _row(self) -> ChecklistRow | None:
        if self.checklist is None:
            return None
        option = self.query_one("#cl-items", OptionList).highlighted_option
        return self.checklist.row(option.id) if option is not None and option.id is not None else None

    # -- changing --------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#cl-items")
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.action_tick()

    def action_tick(self) -> None:
        row = self._row()
        if row is None:
            return
        done = not row.done
        if done:
            self.save(row.key, done=True, confirm=TEXT["saved_on"].format(label=row.label, day=local_today()))
        else:
            self.save(row.key, done=False, confirm=TEXT["saved_off"].format(label=row.label))

    def action_date(self) -> None:
        row = self._row()
        if row is None:
            return
        if not row.done:
            self.message(TEXT["date_not_done"].format(label=row.label))
            return

        def check(text: str) -> str | None:
            try:
                day = parse_date(text, today=local_today(), field="on")
            except ValidationError as exc:
                return exc.message
            if day > local_today():
                return TEXT["in_future"]
            return None

        def done(text: str | None) -> None:
            if text is None:
                return
            day = parse_date(text, today=local_today(), field="on")
            self.save(row.key, done=True, on=day, confirm=TEXT["saved_on"].format(label=row.label, day=day))

        value = f"{row.on:%d-%m-%Y}" if row.on else ""
        self.app.push_screen(LineModal(TEXT["date_title"].format(label=row.label), TEXT["date_hint"], value, check), done)

    def action_note(self) -> None:
        row = self._row()
        if row is None:
            return

        def check(text: str) -> str | None:
            return TEXT["note_long"] if len(text.strip()) > NOTE_MAX else None

        def done(text: str | None) -> None:
            if text is not None:
                self.save(row.key, done=row.done, on=row.on, note=text, confirm=TEXT["note_saved"])

        self.app.push_screen(LineModal(TEXT["note_title"].format(label=row.label), TEXT["note_hint"], row.note, check), done)

    def save(self, key: str, *, done: bool, on: date | None = None, note: str | None = None, confirm: str = "") -> None:
        session, student_id = self.session, self.student_id
        # The list as this worker sees it: a colleague's tick in between is refused, not overwritten.
        seen = self.checklist.version if self.checklist is not None and self.checklist.entry_id else None

        run_in_thread(
            self, "checklist-save",
            lambda: session.eighteen.set_checklist_item(student_id, key, done, on=on, note=note, version=seen),
            done=lambda checklist: self.show(checklist, confirm), failed=lambda f: self.message(f.text),
        )

    def action_handover(self) -> None:
        from screens.handover import start_handover

        start_handover(self.app, self.student_id, kind="18plus")

    def action_team_list(self) -> None:
        self.app.push_screen(TeamChecklistScreen(), lambda _changed: self.load())

    def action_back(self) -> None:
        self.app.pop_screen()


# -- the team's list (coördinator) ----------------------------------------------------------------


class TeamChecklistScreen(Screen[bool]):
    """The coördinator edits the team's 18+ checklist: add, rename, remove, reorder."""

    HELP_TITLE = "18+ in het team"
    HELP = "Alle studenten van het team die binnenkort 18 worden, met hoe ver hun 18+-lijst is."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", TEXT["back"]),
        Binding("n", "new", TEXT["new"]),
        Binding("h", "rename", TEXT["rename"]),
        Binding("x,delete", "remove", TEXT["remove"], key_display="x"),
        Binding("shift+up,minus", "move(-1)", TEXT["up"], key_display="⇧↑"),
        Binding("shift+down,plus", "move(1)", TEXT["down"], key_display="⇧↓"),
        Binding("s", "default", TEXT["default"]),
    ]
    def __init__(self) -> None:
        super().__init__()
        self.items: list[ChecklistItem] | None = None
        self.editing: int | None = None  # index renamed, or -1 for a new item
        self.changed = False
        self.version = 0  # the team settings as read: a change in between is refused at saving

    @property
    def session(self) -> TeamSession:
        return current_session(self)

    def compose(self) -> ComposeResult:
        yield Static(TEXT["team_title"], classes="title")
        yield Static(TEXT["team_hint"], classes="hint")
        yield OptionList(Option(TEXT["loading"], disabled=True), id="tl-items")
        with Horizontal(id="tl-edit"):
            yield Label(TEXT["label"])
            yield Input(id="tl-input")
        yield Static(TEXT["edit_hint"], id="tl-edit-hint", classes="hint")
        yield Static("", id="tl-message", classes="error")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#tl-edit-hint").display = False
        self.query_one("#tl-items").focus()
        if not self.session.keys.is_coordinator:
            self.message(TEXT["coordinator_only"])
            return
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return True
        if self.editing is not None:
            return False  # the Input has the keys; Esc stops editing
        if self.items is None:
            return None
        return True

    def load(self) -> None:
        session = self.session

        def read() -> tuple[int, list[ChecklistItem]]:
            # The version first: a change that lands after it is refused at saving, not overwritten.
            return session.team.settings_version(), session.eighteen.team_checklist()

        def loaded(result: tuple[int, list[ChecklistItem]]) -> None:
            self.version, items = result
            self.show(items)

        run_in_thread(self, "team-checklist", read, done=loaded, failed=lambda f: self.message(f.text), exclusive=True)

    def show(self, items: list[ChecklistItem], highlight: int | None = None, message: str = "") -> None:
        self.items = items
        lst = self.query_one("#tl-items", OptionList)
        keep = lst.highlighted or 0 if highlight is None else highlight
        lst.set_options([Option(Text(f"{i + 1}. {item.label}"), id=item.key) for i, item in enumerate(items)])
        if items:
            lst.highlighted = max(0, min(keep, len(items) - 1))
        self.message(message, error=False)
        self.refresh_bindings()

    def message(self, text: str, *, error: bool = True) -> None:
        msg = self.query_one("#tl-message", Static)
        msg.set_class(not error, "hint")
        msg.set_class(error, "error")
        msg.update(text)

    def _index(self) -> int | None:
        return self.query_one("#tl-items", OptionList).highlighted

    # -- editing a label ---------------------------------------------------------------------

    def _edit(self, index: int, value: str) -> None:
        self.editing = index
        self.query_one("#tl-edit").add_class("shown")
        self.query_one("#tl-edit-hint").display = True
        field = self.query_one("#tl-input", Input)
        field.value = value
        field.focus()
        self.refresh_bindings()

    def _stop_editing(self) -> None:
        self.editing = None
        self.query_one("#tl-edit").remove_class("shown")
        self.query_one("#tl-edit-hint").display = False
        self.query_one("#tl-items").focus()
        self.refresh_bindings()

    def action_new(self) -> None:
        self._edit(-1, "")

    def action_rename(self) -> None:
        index = self._index()
        if index is not None and self.items:
            self._edit(index, self.items[index].label)

    @on(OptionList.OptionSelected, "#tl-items")
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.action_rename()

    @on(Input.Submitted, "#tl-input")
    def label_entered(self, event: Input.Submitted) -> None:
        items = list(self.items or [])
        label = event.value
        index = self._index()
        if self.editing is None or self.editing == -1:
            at = index + 1 if items and index is not None else len(items)
            items.insert(at, ChecklistItem("", label))
        else:
            at = self.editing
            items[at] = ChecklistItem(items[at].key, label)
        self.save(items, at)

    def action_remove(self) -> None:
        index = self._index()
        if index is None or not self.items:
            return
        items, item = self.items, self.items[index]

        def answer(yes: bool | None) -> None:
            if yes:
                self.save([i for i in items if i.key != item.key], index)

        self.app.push_screen(Confirm(TEXT["remove_question"].format(label=item.label)), answer)

    def action_move(self, step: int) -> None:
        index = self._index()
        if index is None or not self.items:
            return
        to = index + step
        if not 0 <= to < len(self.items):
            return
        items = list(self.items)
        items[index], items[to] = items[to], items[index]
        self.save(items, to)

    def action_default(self) -> None:
        def answer(yes: bool | None) -> None:
            if yes:
                self.save(None, 0)

        self.app.push_screen(Confirm(TEXT["default_question"]), answer)

    def save(self, items: list[ChecklistItem] | None, highlight: int) -> None:
        session, version = self.session, self.version

        def write() -> list[ChecklistItem]:
            if items is None:
                return session.eighteen.reset_team_checklist(version=version)
            listed: list[ChecklistItem | str] = [*items]
            return session.eighteen.set_team_checklist(listed, version=version)

        # The typed label stays when it fails.
        run_in_thread(self, "team-checklist-save", write, done=lambda saved: self.saved(saved, highlight),
                      failed=lambda f: self.message(f.text))

    def saved(self, items: list[ChecklistItem], highlight: int) -> None:
        self.version += 1  # this save's own change
        self.changed = True
        if self.editing is not None:
            self._stop_editing()
        self.show(items, highlight, TEXT["team_saved"])

    def action_back(self) -> None:
        if self.editing is not None:
            self._stop_editing()
            self.message("")
            return
        self.dismiss(self.changed)


# -- the command palette ---------------------------------------------------------------------------


def commands(app: App[Any], screen: Screen[Any]) -> list[Command]:
    """Palette commands (title, help, callback) for the screen the worker is on."""
    session = team_app(app).session
    if session is None:
        return []
    out: list[Command] = []
    student_id = screen.student_id if isinstance(screen, AboutStudent) else None
    if not student_id and isinstance(screen, ShowsRecord):
        student_id = screen.record.id
    if student_id and session.is_involved(student_id) and not isinstance(screen, ChecklistScreen):
        out.append(("18+: checklist", "Wat er geregeld moet zijn als de student 18 wordt",
                    lambda: app.push_screen(ChecklistScreen(student_id))))
    if session.keys.is_coordinator:
        out.append(("coördinator: coach wisselen", "Alle studenten van een studiecoach krijgen een nieuwe coach",
                    lambda: app.push_screen(CoachChangeScreen())))
        out.append(("coördinator: 18+-checklist van het team", "De punten van de 18+-checklist toevoegen, hernoemen, verwijderen",
                    lambda: app.push_screen(TeamChecklistScreen())))
    return out
