"""De coachwissel (coördinator, issue 5): all students of one study coach get a
new coach, and their contact persons a task to introduce them.

1 choose the current coach, 2 type the new one, 3 choose the role and
confirm; ``session.eighteen.bulk_change_coach`` does it per student in one
transaction each, in a thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen

from jongerenteam.catalogue import COACH_ROLES
from jongerenteam.domain import ValidationError
from jongerenteam.eighteen import coach_key
from screens.background import Failure, run_in_thread
from screens.dialogs import Confirm, leave_asking_if_typed
from screens.interfaces import current_session
from screens.text import Input, Label, Option, OptionList, Static
from screens.widgets import SteadyFooter, SuggestWords

if TYPE_CHECKING:
    from jongerenteam.eighteen import CoachChangeResult, CoachRow
    from jongerenteam.session import TeamSession

from screens.forms import plural

# Every word the user reads on this screen, in one place.
TEXT = {
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
    "back": "Terug",
    "coordinator_only": "Alleen een coördinator kan dit doen.",
}


class CoachChangeScreen(Screen[None]):
    """All students of one study coach get a new coach; their contact persons a task."""

    HELP_TITLE = "Coachwissel"
    HELP = (
        "Een studiecoach wisselt: zet in één keer een nieuwe coach bij zijn of haar studenten, en zie bij wie"
        " een driegesprek nodig is."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", TEXT["back"]),
        Binding("ctrl+s", "change", TEXT["change"]),
    ]
    def __init__(self) -> None:
        super().__init__()
        self.coaches: list[CoachRow] = []  # as listed
        self.old: CoachRow | None = None  # the chosen one
        self.busy = False

    @property
    def session(self) -> TeamSession:
        return current_session(self)

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
        yield SteadyFooter()

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
            Option(Text(TEXT["coach_row"].format(name=c.name, role=c.role_label, n=c.count, en=plural(c.count, "", "en"))),
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
        self.old = self.coaches[int(event.option.id or 0)]
        self.query_one("#cc-old", Static).update(Text(f"{self.old.name} ({self.old.role_label})"))
        role = self.query_one("#cc-role", OptionList)
        role.highlighted = list(COACH_ROLES).index(self.old.role) if self.old.role in COACH_ROLES else 0
        self.show_preview()
        self.message("")
        self.query_one("#cc-name", Input).focus()

    def show_preview(self) -> None:
        if self.old is None:
            return
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
        role = option.id if option is not None and option.id is not None else ""
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
        if old is None:
            return
        n = len(self.session.eighteen.students_of_coach(old.name))
        question = TEXT["confirm"].format(n=n, en=plural(n, "", "en"), krijgen=plural(n, "krijgt", "krijgen"), new=name,
                                          role=COACH_ROLES[role], old=old.name)

        def answer(yes: bool | None) -> None:
            if yes:
                self.busy = True
                self.message(TEXT["busy"])
                self.run_change(old.name, name, role)

        self.app.push_screen(Confirm(question), answer)

    def run_change(self, old: str, name: str, role: str) -> None:
        session = self.session
        # What was typed stays when it fails.
        run_in_thread(self, "coachwissel", lambda: session.eighteen.bulk_change_coach(old, name, role),
                      done=lambda result: self.done(result, name), failed=self.failed, exclusive=True)

    def failed(self, failure: Failure) -> None:
        self.busy = False
        self.message(failure.text)

    def done(self, result: CoachChangeResult, name: str) -> None:
        self.busy = False
        students = self.session.students
        n = len(result.changed)
        lines = [TEXT["result"].format(n=n, en=plural(n, "", "en"), hebben=plural(n, "heeft", "hebben"), new=name, tasks=result.tasks,
                                       ten=plural(result.tasks, "", "en"))]
        if result.failed:
            lines.append(TEXT["failed"].format(n=len(result.failed), en=plural(len(result.failed), "", "en")))
            lines += [TEXT["failed_row"].format(name=students[sid].details.display_name if sid in students else "?", reason=reason)
                      for sid, reason in result.failed]
        if result.without_contact:
            names = ", ".join(students[sid].details.display_name for sid in result.without_contact if sid in students)
            lines.append(TEXT["without_contact"].format(names=names))
        self.message("")
        self.query_one("#cc-result", Static).update(Text("\n".join(lines)))
        self.app.notify(lines[0])
        old_name = self.old.name if self.old else ""
        self.old = None
        self.query_one("#cc-old", Static).update("–")
        self.query_one("#cc-name", Input).value = ""
        self.query_one("#cc-students", Static).update("")
        # Who is left with the old coach (failed ones) stays listed for a retry.
        self.fill_coaches(highlight=old_name)
        self.query_one("#cc-coaches").focus()

    def draft(self) -> dict[str, Any] | None:
        name = self.query_one("#cc-name", Input).value.strip()
        return {"new_name": name} if name and not self.busy else None

    def action_back(self) -> None:
        leave_asking_if_typed(self, bool(self.draft()), self.app.pop_screen)


