"""Set-up wizard: a new team store from inside the app (what ``jongerenteam init`` does).

Shown when the app starts without a store. Four steps on one screen: the
team's name; your name, initials and mother organisation (you become the
first coördinator); a passphrase typed twice; then the recovery code, shown
once. The steps live in a ContentSwitcher, so no Input is ever recomposed and
nothing typed is lost when a message appears or the user goes back.

Creating the store and calibrating Argon2 take a second or two: that runs in
a thread worker and comes back through ``call_from_thread``. The store this
screen created is handed to the app (``app.store_ready``) only after the user
confirmed that the recovery code is on paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.suggester import Suggester, SuggestFromList
from textual.widgets import Checkbox, ContentSwitcher

from jongerenteam import errorlog, start
from jongerenteam.catalogue import MOTHER_ORGANISATIONS
from jongerenteam.domain import ValidationError, check_worker_field
from jongerenteam.errors import StoreError
from jongerenteam.passphrase import advice, weakness
from jongerenteam.search import fold
from jongerenteam.text import LIMITS, check_text, clean_line
from screens.background import run_in_thread
from screens.interfaces import team_app
from screens.text import Input, Label, Static
from screens.widgets import SteadyFooter

# jongerenteam.team (SQLAlchemy, Alembic) is imported where it is used, not
# with this module, which the unlock screen's dialogs import too: the unlock
# screen may be showing while the store is still being opened behind it
# (docs/performance.md, "Cold start"). jongerenteam.start is light.

# Every sentence on this screen, in one place for review.
TEXT = {
    "title": "jongerenteam · een nieuw team beginnen",
    "location": "Nieuwe teamopslag: {where}",
    "step": "Stap {n} van {total}: {name}",
    "intro_team": (
        "Er is nog geen teamopslag. In vier stappen maak je er een. "
        "Daarna meld je je aan en voeg je je collega's toe."
    ),
    "team_name": "Naam van het team",
    "team_name_placeholder": "bijvoorbeeld Jongerenteam Da Vinci",
    "intro_you": "Jij wordt de eerste coördinator van het team: jij voegt straks je collega's toe.",
    "full_name": "Jouw volledige naam",
    "full_name_placeholder": "voornaam en achternaam",
    "initials": "Jouw initialen",
    "initials_placeholder": "bijvoorbeeld AvdB",
    "organisation": "Jouw moederorganisatie",
    "organisation_placeholder": "bijvoorbeeld jeugdhulp",
    "organisation_hint": "Bijvoorbeeld {names}. Een voorstel in grijs neem je over met Enter of pijl naar rechts.",
    "intro_passphrase": (
        "Kies een wachtwoord(zin). Een zin van vier woorden is sterk en goed te onthouden, "
        "bijvoorbeeld \"fiets regen koffie dinsdag\". Niemand kan je wachtwoord voor je opzoeken."
    ),
    "passphrase": "Wachtwoord",
    "passphrase_placeholder": "je wachtwoord(zin)",
    "again": "Typ het wachtwoord nog een keer",
    "again_placeholder": "nog een keer hetzelfde",
    "create_hint": "Enter in het tweede veld maakt het team aan.",
    "required_team": "Vul de naam van het team in.",
    "required_name": "Vul je volledige naam in.",
    "required_initials": "Vul je initialen in.",
    "initials_space": "Schrijf je initialen zonder spaties, bijvoorbeeld AvdB.",
    "required_organisation": "Vul je moederorganisatie in.",
    "required_again": "Typ het wachtwoord hier nog een keer.",
    "edge_space": "Begin of eindig het wachtwoord niet met een spatie.",
    "mismatch": "De twee wachtwoorden zijn niet gelijk. Kijk ze na en probeer het opnieuw.",
    "busy": "Bezig… het team wordt aangemaakt en de sleutel wordt afgestemd op deze laptop. Dit duurt een paar seconden.",
    "created": "Het team '{team}' is aangemaakt. Jij bent coördinator.",
    "code_title": "HERSTELCODE (wordt maar één keer getoond)",
    "code_instruction": (
        "Schrijf deze code nu op papier en bewaar het papier in de kluis van de school. "
        "Met de herstelcode kan een nieuw wachtwoord worden ingesteld als iemand, of iedereen, "
        "zijn wachtwoord kwijt is. Bewaar de code niet op deze laptop, niet in een foto en niet in een mail."
    ),
    "written": "Ik heb de herstelcode opgeschreven",
    "written_hint": "Spatie: aanvinken · Enter: verder naar aanmelden",
    "not_written": "Schrijf eerst de herstelcode op en vink dan aan dat je dat gedaan hebt (spatie).",
}


@dataclass(frozen=True)
class Step:
    id: str
    name: str
    fields: tuple[str, ...]


STEPS = (
    Step("step-team", "Team", ("team-name",)),
    Step("step-you", "Over jou", ("full-name", "initials", "organisation")),
    Step("step-passphrase", "Wachtwoord", ("passphrase", "passphrase-again")),
    Step("step-code", "Herstelcode", ()),
)
PASSPHRASE_STEP = 2
CODE_STEP = 3

# The store's column sizes (storage/models.py): longer would fail on PostgreSQL.
MAX_NAME = 200
MAX_INITIALS = 20


def suggest_initials(full_name: str) -> str:
    """'Anna van der Berg' -> 'AvdB': capitals for names, lower case for tussenvoegsels."""
    parts = full_name.split()
    return "".join(
        part[0].upper() if i in (0, len(parts) - 1) or not part[0].islower() else part[0]
        for i, part in enumerate(parts)
    )


def shown_code(code: str) -> str:
    """The recovery code in groups of four, spaced for reading aloud and copying onto paper."""
    return " - ".join(code.split("-"))


class Note(Static):
    """A hint or message line: no markup (it may quote names and paths), no room while empty."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(text, **kwargs)
        self.display = bool(text)

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(content, layout=layout)
        self.display = bool(str(content))


class SetupScreen(Screen[None]):
    """Create the team store and its first coördinator, then show the recovery code once."""

    HELP_TITLE = "Eerste keer instellen"
    HELP = (
        "De teamopslag aanmaken: de naam van het team, jij als eerste coördinator, een sterk wachtwoord. "
        "Schrijf de herstelcode op die aan het eind verschijnt: zonder die code is een vergeten wachtwoord "
        "niet te herstellen."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: Enter moves through the fields and steps, also inside an Input.
        Binding("enter", "next", "Verder", priority=True),
        Binding("escape", "back", "Terug"),
    ]

    def __init__(self, location: str) -> None:
        super().__init__()
        self.location = location
        self.step = 0
        self.busy = False
        self.created_team = ""
        # A store this screen created: kept for a retry if making the team
        # failed after the store itself was made, handed to the app at the end.
        self._store: Any = None  # created by an attempt that failed after creating it

    # -- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:

        with Vertical(id="setup-box"):
            yield Static(TEXT["title"], classes="title")
            yield Note(TEXT["location"].format(where=start.display_location(self.location)), classes="hint")
            yield Static(self._step_text(), id="setup-step", classes="setup-step")
            with ContentSwitcher(initial=STEPS[0].id, id="setup-steps"):
                with Vertical(id="step-team"):
                    yield Static(TEXT["intro_team"], classes="setup-intro")
                    yield from self._field("team-name", TEXT["team_name"], TEXT["team_name_placeholder"], LIMITS["short"])
                with Vertical(id="step-you"):
                    yield Static(TEXT["intro_you"], classes="setup-intro")
                    yield from self._field("full-name", TEXT["full_name"], TEXT["full_name_placeholder"], MAX_NAME)
                    yield from self._field("initials", TEXT["initials"], TEXT["initials_placeholder"], MAX_INITIALS)
                    yield from self._field(
                        "organisation", TEXT["organisation"], TEXT["organisation_placeholder"], MAX_NAME,
                        suggester=SuggestFromList(MOTHER_ORGANISATIONS, case_sensitive=False),
                        hint=TEXT["organisation_hint"].format(names=", ".join(MOTHER_ORGANISATIONS)),
                    )
                with Vertical(id="step-passphrase"):
                    yield Static(TEXT["intro_passphrase"], classes="setup-intro")
                    yield from self._field("passphrase", TEXT["passphrase"], TEXT["passphrase_placeholder"], password=True)
                    yield from self._field(
                        "passphrase-again", TEXT["again"], TEXT["again_placeholder"], password=True,
                        hint=TEXT["create_hint"],
                    )
                with Vertical(id="step-code"):
                    yield Note("", id="setup-created", classes="title")
                    yield Static(TEXT["code_title"], classes="setup-code-title")
                    yield Note("", id="recovery-code")
                    yield Static(TEXT["code_instruction"], classes="setup-intro")
                    yield Checkbox(TEXT["written"], id="written")
                    yield Static(TEXT["written_hint"], classes="hint")
                    yield Note("", id="err-written", classes="error")
            yield Note("", id="setup-message", classes="hint")
        yield SteadyFooter()

    def _field(
        self, field_id: str, label: str, placeholder: str, max_length: int = 0, *,
        password: bool = False, suggester: Suggester | None = None, hint: str = "",
    ) -> ComposeResult:
        yield Label(label, classes="setup-label")
        yield Input(
            placeholder=placeholder, id=field_id, password=password,
            max_length=max_length, suggester=suggester,
        )
        yield Note(hint, id=f"hint-{field_id}", classes="hint")
        yield Note("", id=f"err-{field_id}", classes="error")

    def on_mount(self) -> None:
        self.query_one("#team-name", Input).focus()

    def on_unmount(self) -> None:
        # Left without finishing (the app quit): do not leave the engine open.
        store, self._store = self._store, None
        if store is not None:
            try:
                store.close()
            except StoreError as exc:  # closing on the way out: nothing to tell, the log has it
                errorlog.record(exc, "create")

    # -- small helpers --------------------------------------------------------

    def _step_text(self) -> str:
        return TEXT["step"].format(n=self.step + 1, total=len(STEPS), name=STEPS[self.step].name)

    def value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value

    def field_error(self, field_id: str, text: str | None) -> None:
        self.query_one(f"#err-{field_id}", Static).update(text or "")

    def message(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#setup-message", Static)
        widget.update(text)
        widget.set_class(error, "error")
        widget.set_class(not error, "hint")

    def go_to(self, step: int, focus: str | None = None) -> None:
        self.step = step
        self.query_one("#setup-steps", ContentSwitcher).current = STEPS[step].id
        self.query_one("#setup-step", Static).update(self._step_text())
        self.refresh_bindings()
        target = self.query_one(f"#{focus or (STEPS[step].fields[0] if STEPS[step].fields else 'written')}")
        target.focus()
        # The step was hidden until now: scroll once it has a place (small terminals).
        self.call_after_refresh(target.scroll_visible, animate=False)

    def quit_question(self) -> str | None:
        """Asked by the app on ctrl+q: the recovery code is shown only once."""
        if self.step == CODE_STEP:
            return "De herstelcode wordt maar één keer getoond. Heb je hem opgeschreven? Toch afsluiten?"
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            # Nothing before the first step; no way back once the team exists.
            return not self.busy and 0 < self.step < CODE_STEP
        if action == "next":
            return None if self.busy else True
        return True

    # -- checks (on Enter: nothing typed is ever cleared) ------------------------

    def names(self) -> tuple[str, ...]:
        """Words that must not be the passphrase: your name and the team's."""
        full_name = self.value("full-name").strip()
        return (full_name, self.value("team-name").strip(), *full_name.split())

    def problem(self, field_id: str) -> str | None:
        """The Dutch sentence for what is wrong with this field, or None."""
        value = self.value(field_id)
        match field_id:
            case "team-name":
                return self.text_problem("team_name", value, "short") if value.strip() else TEXT["required_team"]
            case "full-name":
                return self.worker_problem("full_name", value) if value.strip() else TEXT["required_name"]
            case "initials":
                if not value.strip():
                    return TEXT["required_initials"]
                return TEXT["initials_space"] if " " in value.strip() else self.worker_problem("initials", value)
            case "organisation":
                return self.worker_problem("organisation", value) if value.strip() else TEXT["required_organisation"]
            case "passphrase":
                # The command line strips what is typed: a passphrase made here
                # must also work in 'jongerenteam backup' and friends.
                if value and value != value.strip():
                    return TEXT["edge_space"]
                return weakness(value, names=self.names())
            case "passphrase-again":
                if not value:
                    return TEXT["required_again"]
                return None if value == self.value("passphrase") else TEXT["mismatch"]
        return None

    @staticmethod
    def text_problem(field: str, value: str, kind: str) -> str | None:
        """Too long, or letters the PDFs cannot print: the domain's Dutch sentence, or None."""
        try:
            check_text(field, clean_line(value), kind)
        except ValidationError as exc:
            return exc.message
        return None

    @staticmethod
    def worker_problem(field: str, value: str) -> str | None:
        """The rule for a worker's name, initials and organisation (the same as ``worker add``)."""
        try:
            check_worker_field(field, value)
        except ValidationError as exc:
            return exc.message
        return None

    def check(self, field_id: str) -> bool:
        """Show (or clear) the field's message; True when it is fine."""
        text = self.problem(field_id)
        self.field_error(field_id, text)
        if field_id == "passphrase":
            self.query_one("#hint-passphrase", Static).update("" if text else (advice(self.value(field_id)) or ""))
        return text is None

    @on(Input.Changed)
    def typing_clears_message(self, event: Input.Changed) -> None:
        if event.input.id:
            self.field_error(event.input.id, None)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # Arriving at the initials: suggest them from the name just typed.
        if event.widget.id == "initials" and not self.value("initials"):
            field = self.query_one("#initials", Input)
            field.value = suggest_initials(self.value("full-name"))
            field.cursor_position = len(field.value)

    # -- moving through the steps ---------------------------------------------------

    def action_next(self) -> None:
        if self.busy:
            return
        step = STEPS[self.step]
        if self.step == CODE_STEP:
            self.finish()
            return
        focused = self.focused
        if isinstance(focused, Input) and focused.id in step.fields:
            if focused.id == "organisation" and focused.cursor_at_end:
                focused.action_cursor_right()  # take the grey suggestion, if any
                self._normalise_organisation()
            if not self.check(focused.id):
                return
            index = step.fields.index(focused.id)
            if index + 1 < len(step.fields):
                self.query_one(f"#{step.fields[index + 1]}", Input).focus()
                return
        for field_id in step.fields:
            if not self.check(field_id):
                self.query_one(f"#{field_id}", Input).focus()
                return
        if self.step == PASSPHRASE_STEP:
            self.start_creating()
        else:
            self.go_to(self.step + 1)

    def _normalise_organisation(self) -> None:
        """'GGZ' typed in full becomes the catalogue's spelling 'ggz'; anything else stays as typed."""
        field = self.query_one("#organisation", Input)
        for name in MOTHER_ORGANISATIONS:
            if fold(name) == fold(field.value.strip()) and name != field.value:
                field.value = name
                field.cursor_position = len(name)

    def action_back(self) -> None:
        if self.busy or not 0 < self.step < CODE_STEP:
            return
        self.message("")
        self.go_to(self.step - 1)

    # -- creating ------------------------------------------------------------------

    def start_creating(self) -> None:
        from jongerenteam import team

        # Everything once more: a name changed after the passphrase was chosen
        # could make that passphrase guessable.
        for number, step in enumerate(STEPS[:CODE_STEP]):
            for field_id in step.fields:
                if not self.check(field_id):
                    self.go_to(number, focus=field_id)
                    return
        details = team.WorkerDetails(
            self.value("full-name").strip(),
            self.value("initials").strip(),
            team.COORDINATOR,
            self.value("organisation").strip(),
        )
        self.busy = True
        self.refresh_bindings()
        self.message(TEXT["busy"])
        team_name, passphrase = self.value("team-name").strip(), self.value("passphrase")

        def create() -> start.CreatedTeam:
            if self._store is None:
                self._store = start.create_store(self.location)
            return start.create_team(self._store, team_name, details, passphrase)

        run_in_thread(self, "create", create, done=lambda made: self.created(team_name, made),
                      failed=lambda f: self.creation_failed(f.text), exclusive=True)

    def creation_failed(self, text: str) -> None:
        self.busy = False
        self.refresh_bindings()
        self.message(text, error=True)

    def created(self, team_name: str, made: start.CreatedTeam) -> None:
        recovery = made.recovery
        self.busy = False
        self.created_team = team_name
        # The passphrase is in the key slot now; it need not stay in the widgets.
        for field_id in ("passphrase", "passphrase-again"):
            self.query_one(f"#{field_id}", Input).value = ""
        self.message(made.slow or "")  # a slow laptop: every unlock will take this long, said once here
        self.query_one("#setup-created", Static).update(TEXT["created"].format(team=team_name))
        self.query_one("#recovery-code", Static).update(shown_code(recovery))
        self.go_to(CODE_STEP)

    def finish(self) -> None:
        if not self.query_one("#written", Checkbox).value:
            self.query_one("#err-written", Static).update(TEXT["not_written"])
            self.query_one("#written", Checkbox).focus()
            return
        store, self._store = self._store, None
        self.query_one("#recovery-code", Static).update("")
        team_app(self).store_ready(store)

    @on(Checkbox.Changed, "#written")
    def written_changed(self, event: Checkbox.Changed) -> None:
        if event.value:
            self.query_one("#err-written", Static).update("")
