"""18 worden en coachwissel (issue 5): a student's 18+ checklist, the team's
list of items (coördinator), and the bulk change of study coach (coördinator).

Every store call runs in a thread worker; the screens keep only what they
show. Opened from the dossier and from the command palette (``commands``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer

from jongerenteam.catalogue import COACH_ROLES
from jongerenteam.dates import parse_date
from jongerenteam.domain import ValidationError, days_until_18
from jongerenteam.eighteen import ChecklistItem, coach_key
from jongerenteam.messages import explain
from screens.text import Input, Label, Option, OptionList, Static
from screens.widgets import Confirm, SuggestWords, leave_asking_if_typed

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
    # the coachwissel
    "coach_title": "Coach wisselen",
    "coach_hint": "1 Kies de huidige coach (↑↓, Enter) · 2 typ de nieuwe coach · 3 kies de rol en bevestig.",
    "coach_none": "Er zijn geen studiecoaches bekend bij studenten met een open dossier.",
    "coach_row": "{name} ({role}) · {n} student{en}",
    "old": "Huidige coach",
    "new_name": "Nieuwe coach",
    "new_name_placeholder": "Naam van de nieuwe studiecoach",
    "new_role": "Rol (↑↓, Enter)",
    "pick_old": "Kies eerst de huidige coach in de lijst (Enter).",
    "preview": "Deze {n} studenten krijgen de nieuwe coach:",
    "preview_one": "Deze student krijgt de nieuwe coach:",
    "preview_row": "· {name} · contactpersoon: {contact}",
    "confirm": "{n} student{en} {krijgen} {new} ({role}) als studiecoach in plaats van {old}. "
               "Hun contactpersonen krijgen een taak om de nieuwe coach voor te stellen. Doorgaan?",
    "busy": "Bezig met wisselen…",
    "result": "{n} student{en} {hebben} nu {new} als studiecoach; voor {tasks} student{ten} staat er een taak bij de contactpersoon.",
    "failed": "Niet gelukt bij {n} student{en} (probeer opnieuw):",
    "failed_row": "· {name}: {reason}",
    "without_contact": "Zonder contactpersoon (geen taak): {names}.",
    "change": "Wisselen",
    "next": "Verder",
}


def _plural(n: int, one: str, more: str) -> str:
    return one if n == 1 else more


# -- small dialogs -----------------------------------------------------------------------


class LineModal(ModalScreen[str | None]):
    """One line of text; ``check(text)`` returns a Dutch problem or None. Esc: None."""

    BINDINGS = [Binding("escape", "cancel", TEXT["back"])]
    DEFAULT_CSS = """
    LineModal { align: center middle; }
    LineModal #line-box { width: 80; height: auto; border: round $accent; padding: 1 2; background: $surface; }
    LineModal Input { border: none; height: 1; padding: 0 1; background: $boost; }
    LineModal Input:focus, LineModal Input.-invalid, LineModal Input.-invalid:focus { border: none; height: 1; }
    LineModal Input:focus { background: $accent 25%; }
    LineModal #line-message { color: $error; height: auto; }
    """

    def __init__(self, title: str, hint: str, value: str = "", check: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.title_text, self.hint, self.value, self.check = title, hint, value, check

    def compose(self) -> ComposeResult:
        with Vertical(id="line-box"):
            yield Static(Text(self.title_text), classes="title")
            yield Static(self.hint, classes="hint")
            yield Input(self.value, id="line-input")
            yield Static("", id="line-message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#line-input", Input).focus()

    @on(Input.Submitted, "#line-input")
    def submitted(self, event: Input.Submitted) -> None:
        problem = self.check(event.value) if self.check else None
        if problem:
            self.query_one("#line-message", Static).update(problem)
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        typed = self.query_one("#line-input", Input).value.strip() != (self.value or "").strip()
        leave_asking_if_typed(self, typed, lambda: self.dismiss(None))


# -- a student's checklist --------------------------------------------------------------------


class ChecklistScreen(Screen):
    """The 18+ checklist of one student: tick items by keyboard, with the date done."""

    BINDINGS = [
        Binding("escape", "back", TEXT["back"]),
        Binding("space", "toggle", TEXT["toggle"], key_display="spatie"),
        Binding("d", "date", TEXT["date"]),
        Binding("n", "note", TEXT["note"]),
        Binding("o", "handover", TEXT["handover"]),
        Binding("t", "team_list", TEXT["team_list"]),
    ]
    DEFAULT_CSS = """
    ChecklistScreen #cl-items { height: 1fr; border: round $panel; }
    ChecklistScreen #cl-items:focus { border: round $accent; }
    ChecklistScreen #cl-head, ChecklistScreen #cl-message { height: auto; }
    """

    def __init__(self, student_id: str) -> None:
        super().__init__()
        self.student_id = student_id
        self.checklist = None  # jongerenteam.eighteen.StudentChecklist, once read

    @property
    def session(self):
        return self.app.session

    def resume_state(self) -> dict | None:
        return {"student": self.student_id}

    def draft(self) -> dict | None:
        return None  # every tick is saved at once

    @classmethod
    def resume(cls, session, state: dict):
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
        yield Footer()

    def _age_line(self, record) -> str:
        from jongerenteam.dates import local_today

        birth = record.details.birth_date if record else None
        if birth is None:
            return TEXT["no_birth"]
        today = local_today()
        left = days_until_18(birth, today)
        try:
            eighteen = birth.replace(year=birth.year + 18)
        except ValueError:  # 29 February
            eighteen = date(birth.year + 18, 3, 1)
        if left is None:
            return TEXT["is_18"].format(day=eighteen)
        return TEXT["turns_in"].format(days=left, s=_plural(left, "", "en"), day=eighteen)

    def on_mount(self) -> None:
        self.query_one("#cl-items").focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "team_list":
            session = self.app.session
            return session is not None and session.keys.is_coordinator
        if action in ("toggle", "date", "note") and self.checklist is None:
            return None
        return True

    # -- reading and showing -------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="checklist-load")
    def load(self) -> None:
        session, student_id = self.session, self.student_id
        try:
            checklist = session.eighteen.checklist(student_id)
        except Exception as exc:  # noqa: BLE001 - one Dutch sentence, never a traceback
            self.app.call_from_thread(self.message, explain(exc)[0])
            return
        self.app.call_from_thread(self.show, checklist)

    def show(self, checklist, message: str = "") -> None:
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

    def _row(self):
        if self.checklist is None:
            return None
        option = self.query_one("#cl-items", OptionList).highlighted_option
        return self.checklist.row(option.id) if option is not None else None

    # -- changing --------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#cl-items")
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.action_toggle()

    def action_toggle(self) -> None:
        row = self._row()
        if row is None:
            return
        done = not row.done
        if done:
            self.save(row.key, done=True, confirm=TEXT["saved_on"].format(label=row.label, day=_today()))
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
                day = parse_date(text, today=_today(), field="on")
            except ValidationError as exc:
                return exc.message
            if day > _today():
                return "De datum ligt in de toekomst; vul de dag in waarop het geregeld is."
            return None

        def done(text: str | None) -> None:
            if text is None:
                return
            day = parse_date(text, today=_today(), field="on")
            self.save(row.key, done=True, on=day, confirm=TEXT["saved_on"].format(label=row.label, day=day))

        value = f"{row.on:%d-%m-%Y}" if row.on else ""
        self.app.push_screen(LineModal(TEXT["date_title"].format(label=row.label), TEXT["date_hint"], value, check), done)

    def action_note(self) -> None:
        row = self._row()
        if row is None:
            return

        def check(text: str) -> str | None:
            return "Houd de notitie kort (hoogstens 500 tekens)." if len(text.strip()) > 500 else None

        def done(text: str | None) -> None:
            if text is not None:
                self.save(row.key, done=row.done, on=row.on, note=text, confirm=TEXT["note_saved"])

        self.app.push_screen(LineModal(TEXT["note_title"].format(label=row.label), TEXT["note_hint"], row.note, check), done)

    def save(self, key: str, *, done: bool, on: date | None = None, note: str | None = None, confirm: str = "") -> None:
        session, student_id = self.session, self.student_id
        # The list as this worker sees it: a colleague's tick in between is refused, not overwritten.
        seen = self.checklist.version if self.checklist is not None and self.checklist.entry_id else None

        def work() -> None:
            try:
                checklist = session.eighteen.set_checklist_item(student_id, key, done, on=on, note=note, version=seen)
            except Exception as exc:  # noqa: BLE001 - one Dutch sentence, never a traceback
                text = exc.message if isinstance(exc, ValidationError) else explain(exc)[0]
                self.app.call_from_thread(self.message, text)
                return
            self.app.call_from_thread(self.show, checklist, confirm)

        self.run_worker(work, thread=True, exit_on_error=False, group="checklist-save")

    def action_handover(self) -> None:
        try:
            from screens.handover import start_handover
        except ImportError:  # the handover wizard is not in this build
            self.message("Een 18+-overdracht beginnen kan nog niet in deze versie.")
            return
        start_handover(self.app, self.student_id, kind="18plus")

    def action_team_list(self) -> None:
        self.app.push_screen(TeamChecklistScreen(), lambda _changed: self.load())

    def action_back(self) -> None:
        self.app.pop_screen()


def _today() -> date:
    from jongerenteam.dates import local_today

    return local_today()


# -- the team's list (coördinator) ----------------------------------------------------------------


class TeamChecklistScreen(Screen[bool]):
    """The coördinator edits the team's 18+ checklist: add, rename, remove, reorder."""

    BINDINGS = [
        Binding("escape", "back", TEXT["back"]),
        Binding("n", "new", TEXT["new"]),
        Binding("h", "rename", TEXT["rename"]),
        Binding("x,delete", "remove", TEXT["remove"], key_display="x"),
        Binding("shift+up,minus", "move(-1)", TEXT["up"], key_display="⇧↑"),
        Binding("shift+down,plus", "move(1)", TEXT["down"], key_display="⇧↓"),
        Binding("s", "default", TEXT["default"]),
    ]
    DEFAULT_CSS = """
    TeamChecklistScreen #tl-items { height: 1fr; border: round $panel; }
    TeamChecklistScreen #tl-items:focus { border: round $accent; }
    TeamChecklistScreen #tl-edit { height: auto; display: none; }
    TeamChecklistScreen #tl-edit.shown { display: block; }
    TeamChecklistScreen #tl-edit Label { width: 20; padding: 0 1; }
    TeamChecklistScreen #tl-input { border: none; height: 1; padding: 0 1; width: 1fr; background: $boost; }
    TeamChecklistScreen #tl-input:focus { background: $accent 25%; }
    TeamChecklistScreen #tl-message { height: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.items: list[ChecklistItem] | None = None
        self.editing: int | None = None  # index renamed, or -1 for a new item
        self.changed = False

    def compose(self) -> ComposeResult:
        yield Static(TEXT["team_title"], classes="title")
        yield Static(TEXT["team_hint"], classes="hint")
        yield OptionList(Option(TEXT["loading"], disabled=True), id="tl-items")
        with Horizontal(id="tl-edit"):
            yield Label(TEXT["label"])
            yield Input(id="tl-input")
        yield Static(TEXT["edit_hint"], id="tl-edit-hint", classes="hint")
        yield Static("", id="tl-message", classes="error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#tl-edit-hint").display = False
        self.query_one("#tl-items").focus()
        if not self.app.session.keys.is_coordinator:
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

    @work(thread=True, exclusive=True, exit_on_error=False, group="team-checklist")
    def load(self) -> None:
        try:
            # The version first: a change that lands after it is refused at saving, not overwritten.
            self.version = self.app.session.team.settings_version()
            items = self.app.session.eighteen.team_checklist()
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.message, explain(exc)[0])
            return
        self.app.call_from_thread(self.show, items)

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
        if self.editing == -1:
            at = (self._index() + 1) if items and self._index() is not None else len(items)
            items.insert(at, ChecklistItem("", label))
        else:
            at = self.editing
            items[at] = ChecklistItem(items[at].key, label)
        self.save(items, at)

    def action_remove(self) -> None:
        index = self._index()
        if index is None or not self.items:
            return
        item = self.items[index]

        def answer(yes: bool | None) -> None:
            if yes:
                self.save([i for i in self.items if i.key != item.key], index)

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
        session = self.app.session

        def work() -> None:
            try:
                saved = (session.eighteen.reset_team_checklist(version=self.version) if items is None
                         else session.eighteen.set_team_checklist(items, version=self.version))
                self.version += 1  # this save's own change
            except Exception as exc:  # noqa: BLE001 - one Dutch sentence; the typed label stays
                text = exc.message if isinstance(exc, ValidationError) else explain(exc)[0]
                self.app.call_from_thread(self.message, text)
                return
            self.app.call_from_thread(self.saved, saved, highlight)

        self.run_worker(work, thread=True, exit_on_error=False, group="team-checklist-save")

    def saved(self, items: list[ChecklistItem], highlight: int) -> None:
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


# -- coachwissel (coördinator) ------------------------------------------------------------------


class CoachChangeScreen(Screen):
    """All students of one study coach get a new coach; their contact persons a task."""

    BINDINGS = [
        Binding("escape", "back", TEXT["back"]),
        Binding("ctrl+s", "change", TEXT["change"]),
    ]
    DEFAULT_CSS = """
    CoachChangeScreen #cc-body { height: 1fr; }
    CoachChangeScreen #cc-coaches { width: 1fr; height: 1fr; border: round $panel; }
    CoachChangeScreen #cc-coaches:focus { border: round $accent; }
    CoachChangeScreen #cc-form { width: 1fr; height: 1fr; padding: 0 1; }
    CoachChangeScreen .cc-label { width: 18; }
    CoachChangeScreen .cc-row { height: auto; }
    CoachChangeScreen #cc-name { border: none; height: 1; padding: 0 1; width: 1fr; background: $boost; }
    CoachChangeScreen #cc-name:focus { background: $accent 25%; }
    CoachChangeScreen #cc-role { height: auto; max-height: 6; width: 1fr; border: round $panel; }
    CoachChangeScreen #cc-role:focus { border: round $accent; }
    CoachChangeScreen #cc-preview { height: 1fr; }
    CoachChangeScreen #cc-message, CoachChangeScreen #cc-result { height: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.coaches = []  # CoachRow, as listed
        self.old = None  # the chosen CoachRow
        self.busy = False

    @property
    def session(self):
        return self.app.session

    def compose(self) -> ComposeResult:
        yield Static(TEXT["coach_title"], classes="title")
        yield Static(TEXT["coach_hint"], classes="hint")
        with Horizontal(id="cc-body"):
            yield OptionList(id="cc-coaches")
            with Vertical(id="cc-form"):
                with Horizontal(classes="cc-row"):
                    yield Label(TEXT["old"], classes="cc-label")
                    yield Static("–", id="cc-old")
                with Horizontal(classes="cc-row"):
                    yield Label(TEXT["new_name"], classes="cc-label")
                    yield Input(id="cc-name", placeholder=TEXT["new_name_placeholder"],
                                suggester=SuggestWords(lambda: [c.name for c in self.coaches]))
                with Horizontal(classes="cc-row"):
                    yield Label(TEXT["new_role"], classes="cc-label")
                    yield OptionList(*[Option(label, id=code) for code, label in COACH_ROLES.items()], id="cc-role")
                yield Static("", id="cc-message", classes="error")
                with VerticalScroll(id="cc-preview"):
                    yield Static("", id="cc-students")
                    yield Static("", id="cc-result")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cc-coaches").focus()
        if not self.session.keys.is_coordinator:
            self.message(TEXT["coordinator_only"])
            return
        self.fill_coaches()

    def fill_coaches(self, highlight: str | None = None) -> None:
        # From the directory in memory: no store call, nothing to decrypt.
        self.coaches = self.session.eighteen.coaches()
        lst = self.query_one("#cc-coaches", OptionList)
        lst.set_options([
            Option(Text(TEXT["coach_row"].format(name=c.name, role=c.role_label, n=c.count, en=_plural(c.count, "", "en"))),
                   id=str(i))
            for i, c in enumerate(self.coaches)
        ])
        if not self.coaches:
            self.query_one("#cc-students", Static).update(TEXT["coach_none"])
        else:
            lst.highlighted = next((i for i, c in enumerate(self.coaches) if coach_key(c.name) == coach_key(highlight or "")), 0)

    def message(self, text: str) -> None:
        self.query_one("#cc-message", Static).update(text)

    # -- step 1: the current coach ---------------------------------------------------------

    @on(OptionList.OptionSelected, "#cc-coaches")
    def coach_chosen(self, event: OptionList.OptionSelected) -> None:
        self.old = self.coaches[int(event.option.id)]
        self.query_one("#cc-old", Static).update(Text(f"{self.old.name} ({self.old.role_label})"))
        role = self.query_one("#cc-role", OptionList)
        role.highlighted = list(COACH_ROLES).index(self.old.role) if self.old.role in COACH_ROLES else 0
        self.show_preview()
        self.message("")
        self.query_one("#cc-name", Input).focus()

    def show_preview(self) -> None:
        records = self.session.eighteen.students_of_coach(self.old.name)
        n = len(records)
        lines = [TEXT["preview_one"] if n == 1 else TEXT["preview"].format(n=n)]
        lines += [TEXT["preview_row"].format(name=r.details.display_name, contact=self.session.contact_name(r)) for r in records]
        self.query_one("#cc-students", Static).update(Text("\n".join(lines)))

    # -- step 2 and 3: the new coach, confirm -------------------------------------------------

    @on(Input.Submitted, "#cc-name")
    def name_entered(self, event: Input.Submitted) -> None:
        if self._check(need_role=False):
            self.query_one("#cc-role").focus()

    @on(OptionList.OptionSelected, "#cc-role")
    def role_chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_change()

    def _check(self, *, need_role: bool = True) -> tuple[str, str] | None:
        if self.old is None:
            self.message(TEXT["pick_old"])
            self.query_one("#cc-coaches").focus()
            return None
        name = self.query_one("#cc-name", Input).value
        option = self.query_one("#cc-role", OptionList).highlighted_option
        role = option.id if option is not None else ""
        try:
            checked = self.session.eighteen.check_new_coach(name, role if need_role else next(iter(COACH_ROLES)), self.old.name)
        except ValidationError as exc:
            self.message(exc.message)
            self.query_one("#cc-name" if exc.field == "new_name" else "#cc-role").focus()
            return None
        self.message("")
        return checked

    def action_change(self) -> None:
        if self.busy:
            return
        checked = self._check()
        if checked is None:
            return
        name, role = checked
        old = self.old
        n = len(self.session.eighteen.students_of_coach(old.name))
        question = TEXT["confirm"].format(n=n, en=_plural(n, "", "en"), krijgen=_plural(n, "krijgt", "krijgen"), new=name, role=COACH_ROLES[role], old=old.name)

        def answer(yes: bool | None) -> None:
            if yes:
                self.busy = True
                self.message(TEXT["busy"])
                self.run_change(old.name, name, role)

        self.app.push_screen(Confirm(question), answer)

    @work(thread=True, exclusive=True, exit_on_error=False, group="coachwissel")
    def run_change(self, old: str, name: str, role: str) -> None:
        try:
            result = self.session.eighteen.bulk_change_coach(old, name, role)
        except Exception as exc:  # noqa: BLE001 - one Dutch sentence; what was typed stays
            text = exc.message if isinstance(exc, ValidationError) else explain(exc)[0]
            self.app.call_from_thread(self.failed, text)
            return
        self.app.call_from_thread(self.done, result, name)

    def failed(self, text: str) -> None:
        self.busy = False
        self.message(text)

    def done(self, result, name: str) -> None:
        self.busy = False
        students = self.session.students
        n = len(result.changed)
        lines = [TEXT["result"].format(n=n, en=_plural(n, "", "en"), hebben=_plural(n, "heeft", "hebben"), new=name, tasks=result.tasks,
                                       ten=_plural(result.tasks, "", "en"))]
        if result.failed:
            lines.append(TEXT["failed"].format(n=len(result.failed), en=_plural(len(result.failed), "", "en")))
            lines += [TEXT["failed_row"].format(name=students[sid].details.display_name if sid in students else "?", reason=reason)
                      for sid, reason in result.failed]
        if result.without_contact:
            names = ", ".join(students[sid].details.display_name for sid in result.without_contact if sid in students)
            lines.append(TEXT["without_contact"].format(names=names))
        self.message("")
        self.query_one("#cc-result", Static).update(Text("\n".join(lines)))
        self.app.notify(lines[0])
        old_name = self.old.name
        self.old = None
        self.query_one("#cc-old", Static).update("–")
        self.query_one("#cc-name", Input).value = ""
        self.query_one("#cc-students", Static).update("")
        # Who is left with the old coach (failed ones) stays listed for a retry.
        self.fill_coaches(highlight=old_name)
        self.query_one("#cc-coaches").focus()

    def draft(self) -> dict | None:
        name = self.query_one("#cc-name", Input).value.strip()
        return {"new_name": name} if name and not self.busy else None

    def action_back(self) -> None:
        leave_asking_if_typed(self, bool(self.draft()), self.app.pop_screen)


# -- the command palette ---------------------------------------------------------------------------


def commands(app, screen) -> list[tuple[str, str, Callable[[], None]]]:
    """Palette commands (title, help, callback) for the screen the worker is on."""
    session = getattr(app, "session", None)
    if session is None:
        return []
    out: list[tuple[str, str, Callable[[], None]]] = []
    student_id = getattr(screen, "student_id", None) or getattr(getattr(screen, "record", None), "id", None)
    if student_id and session.is_involved(student_id) and not isinstance(screen, ChecklistScreen):
        out.append(("18+: checklist", "Wat er geregeld moet zijn als de student 18 wordt",
                    lambda: app.push_screen(ChecklistScreen(student_id))))
    if session.keys.is_coordinator:
        out.append(("coördinator: coach wisselen", "Alle studenten van een studiecoach krijgen een nieuwe coach",
                    lambda: app.push_screen(CoachChangeScreen())))
        out.append(("coördinator: 18+-checklist van het team", "De punten van de 18+-checklist toevoegen, hernoemen, verwijderen",
                    lambda: app.push_screen(TeamChecklistScreen())))
    return out
