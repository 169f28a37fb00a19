"""The dialogs of Team beheren (coördinator only): add, deactivate, reset a
passphrase with the recovery code, vaste contactpersonen, idle time, expertise;
and the one every worker opens from anywhere (F2): change their own passphrase.

Each is a ``TeamDialog`` (the one dialog base, screens/dialogs.py, in the
team's look) that closes with a Dutch result sentence, or None when
cancelled. Argon2 and multi-row store work run in a thread; what is typed
here (passphrases, herstelcodes) is never kept as a draft.

Why one file of about 900 lines: seven short dialogs and the words they
share (TEXT); one file per dialog would scatter those words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget

from jongerenteam.catalogue import LEEFDOMEINEN, MOTHER_ORGANISATIONS, ROLE_LABELS
from jongerenteam.dates import moment_text
from jongerenteam.domain import ValidationError, check_worker_field
from jongerenteam.errors import PassphraseWait, WeakPassphrase, WorkerExists, WrongPassphrase
from jongerenteam.passphrase import SAME_AS_CURRENT, weakness
from jongerenteam.search import fold
from jongerenteam.settings import kdf_params
from jongerenteam.team import COORDINATOR, RECOVERY_GROUP_LEN, RECOVERY_GROUPS, WORKER, WorkerDetails
from jongerenteam.text import LIMITS
from screens.background import Failure, dutch, run_in_thread
from screens.dialogs import Confirm, FormDialog
from screens.handover.caseload import WorkerPicker
from screens.interfaces import team_app
from screens.text import DataTable, Input, Label, Option, OptionList, Static
from screens.widgets import KeyChoice, LeefdomeinPicker, SuggestWords

if TYPE_CHECKING:
    from jongerenteam.session import TeamSession
    from screens.forms import Colleague

# Every word the user reads on this screen and its dialogs, in one place.
TEXT = {
    "title": "Team beheren · {team}",
    "yes": "ja",
    "no": "nee",
    "settings": "Vergrendelen na {minutes} min zonder activiteit · vaste contactpersonen voor {n} opleiding(en)",
    "coordinator_only": "Alleen een coördinator kan het team beheren.",
    "inactive": "{name} is niet meer actief in het team.",
    "pick_row": "Kies eerst met ↑↓ een medewerker in de lijst.",
    "busy": "Bezig met opslaan…",
    "save": "Opslaan",
    "cancel": "Annuleren",
    "close": "Sluiten",
    # add a worker
    "add_title": "Nieuwe medewerker",
    "name": "Naam",
    "name_placeholder": "Voor- en achternaam",
    "initials": "Initialen",
    "initials_placeholder": "Bijvoorbeeld JB (uniek in het team)",
    "role": "Rol (↑↓)",
    "organisation": "Moederorganisatie",
    "organisation_placeholder": "Begin te typen; → neemt de suggestie over",
    "expertise": "Expertise per leefdomein",
    "passphrase": "Eerste wachtwoord",
    "passphrase_placeholder": "Een zin van een paar woorden",
    "repeat": "Herhaal wachtwoord",
    "need_name": "Vul de naam in.",
    "need_initials": "Vul de initialen in.",
    "initials_space": "Initialen zonder spaties, bijvoorbeeld JB.",
    "need_role": "Kies een rol.",
    "need_organisation": "Vul de moederorganisatie in.",
    "need_passphrase": "Vul een wachtwoord in.",
    "not_equal": "De twee wachtwoorden zijn niet gelijk. Typ ze allebei opnieuw.",
    "discard": "Wat je hebt ingevuld gaat verloren. Toch sluiten?",
    "added": "{name} is toegevoegd. Geef het eerste wachtwoord persoonlijk door (niet per mail of app).",
    # deactivate
    "deactivate_title": "Medewerker deactiveren",
    "leaving": "Wie gaat uit het team? (↑↓)",
    "not_self": "Je kunt jezelf niet deactiveren. Vraag een andere coördinator, of kies een collega.",
    "no_one_else": "Er is geen andere actieve medewerker om te deactiveren.",
    "contact_of": "{name} is contactpersoon van {n} student(en).",
    "programmes_of": "Ook vaste contactpersoon voor: {names}. Dat gaat mee naar de nieuwe contactpersoon.",
    "nothing_to_hand_over": "Er zijn geen studenten of opleidingen over te dragen.",
    "new_contact": "Nieuwe contactpersoon voor deze studenten (↑↓)",
    "need_leaving": "Kies wie uit het team gaat.",
    "need_new_contact": "Kies de nieuwe contactpersoon.",
    "deactivate_confirm": "{name} deactiveren? {name} kan daarna niet meer inloggen. {moved}",
    "deactivate_confirm_moved": (
        "{n} student(en) krijgen {new} als contactpersoon. {new} opent een dossier pas als de student toestemming "
        "gaf om alles met {new} te delen (Vandaag: toestemming vragen)."
    ),
    "open_now": (
        "{name} lijkt nu ingelogd (sinds {when}). Wat {name} typt en nog niet opsloeg, gaat bij het deactiveren "
        "verloren: vraag eerst om op te slaan en af te sluiten."
    ),
    "meldcode_alone": (
        "Let op: {n} meldcode(s) kan alleen {name} lezen. Na het deactiveren kan niemand die nog openen. Vraag "
        "{name} eerst de aandachtsfunctionaris of een collega toe te voegen (in de meldcode: c)."
    ),
    "to_them": "{n} overdracht(en) aan {name} wachten nog: die worden ingetrokken (de afzender ziet waarom).",
    "from_them": (
        "{n} overdracht(en) van {name} lopen nog: die blijven staan, de ontvanger beslist. Die student(en) gaan "
        "niet naar de nieuwe contactpersoon."
    ),
    "per_student": (
        "Hieronder per student wie het wordt: standaard de nieuwe contactpersoon. Tab naar de lijst, Enter op een "
        "student: een andere collega kiezen."
    ),
    "students_title": "Studenten en wie ze overneemt",
    "row_busy": "blijft: overdracht loopt",
    "row_default": "(nieuwe contactpersoon kiezen)",
    "student_to": "{name} naar",
    "confirm_parts": (
        "Nieuwe contactpersoon: {parts}. Elke collega opent een dossier pas als de student toestemming gaf om alles "
        "met hem of haar te delen (Vandaag: toestemming vragen)."
    ),
    "deactivated_moved_several": "{n} student(en) hebben nu een nieuwe contactpersoon (dossier na toestemming van de student).",
    "confirm_busy": "{n} blijven staan (overdracht loopt).",
    "deactivate_key": "Deactiveren",
    "deactivated": "{name} is gedeactiveerd en kan niet meer inloggen. {moved}",
    "deactivated_moved": "{n} student(en) hebben nu {new} als contactpersoon (dossier na toestemming van de student).",
    # reset a passphrase with the recovery code
    "reset_title": "Wachtwoord herstellen met de herstelcode",
    "reset_hint": "Voor een collega die het wachtwoord kwijt is. De herstelcode staat op papier, in de kluis.",
    "reset_worker": "Voor wie? (↑↓)",
    "code": "Herstelcode",
    "code_placeholder": "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX",
    "code_format": "De herstelcode bestaat uit 7 groepjes van 4 tekens, zoals op het papier. Controleer wat je typte.",
    "new_passphrase": "Nieuw wachtwoord",
    "need_worker": "Kies de medewerker.",
    "reset_done": "Het wachtwoord van {name} is hersteld. Geef het nieuwe wachtwoord persoonlijk door.",
    "reset_self": "Je wachtwoord is hersteld. Ontgrendel opnieuw met je nieuwe wachtwoord.",
    # change one's own passphrase (every worker: F2, the palette)
    "change_title": "Wachtwoord wijzigen",
    "change_hint": (
        "Kies zelf een nieuw wachtwoord. Daarna werkt alleen het nieuwe; ook wie je vorige wachtwoord kende, "
        "kan er niet meer mee ontgrendelen."
    ),
    "current": "Huidig wachtwoord",
    "change_new": "Nieuw wachtwoord",
    "change_repeat": "Nieuw wachtwoord nog een keer",
    "need_current": "Vul je huidige wachtwoord in.",
    "wrong_current": "Dit is niet je huidige wachtwoord. Typ het opnieuw; de rest blijft staan.",
    "change_busy": "Bezig met het nieuwe wachtwoord… Dit duurt een paar seconden.",
    "changed": "Je wachtwoord is gewijzigd. Gebruik voortaan het nieuwe wachtwoord.",
    # vaste contactpersonen
    "contacts_title": "Vaste contactpersonen per opleiding",
    "contacts_hint": "Een nieuwe aanmelding voor een opleiding krijgt deze contactpersoon voorgesteld. Enter op een regel om te wijzigen.",
    "contacts_none": "Nog geen vaste contactpersonen.",
    "contact_row": "{programme} → {name}",
    "programme": "Opleiding",
    "programme_placeholder": "Naam van de opleiding; → neemt de suggestie over",
    "contact": "Vaste contactpersoon (↑↓, Enter = opslaan)",
    "no_contact": "geen (weghalen)",
    "need_programme": "Vul de opleiding in.",
    "need_contact": "Kies een contactpersoon, of 'geen' om weg te halen.",
    "contact_set": "{name} is nu vaste contactpersoon voor {programme}.",
    "contact_cleared": "Geen vaste contactpersoon meer voor {programme}.",
    # idle lock
    "idle_title": "Vergrendeltijd",
    "idle_hint": "Na hoeveel minuten zonder activiteit vergrendelt jongerenteam zichzelf? Geldt voor het hele team.",
    "minutes": "Minuten (1-60)",
    "need_minutes": "Kies een getal van 1 tot en met 60 minuten.",
    "idle_set": "jongerenteam vergrendelt nu na {minutes} {unit} zonder activiteit.",
    # expertise
    "expertise_title": "Expertise van {name}",
    "expertise_hint": "Zet met de toetsen 1-9 een leefdomein aan of uit.",
    "expertise_set": "De expertise van {name} is opgeslagen.",
}

NO_CONTACT = "-geen-"  # option id of "no vaste contactpersoon" (never a worker id: those are UUIDs)


def worker_label(worker: Colleague) -> str:
    return f"{worker.full_name} ({worker.initials})"


def expertise_labels(expertise: str) -> str:
    codes = set(filter(None, expertise.split(",")))
    return ", ".join(d.label for d in LEEFDOMEINEN if d.code in codes)


def highlighted_id(options: OptionList) -> str | None:
    if options.highlighted is None or not options.option_count:
        return None
    return options.get_option_at_index(options.highlighted).id


def highlight(options: OptionList, option_id: str | None) -> None:
    """Highlight the option with this id, if present."""
    for index in range(options.option_count):
        if options.get_option_at_index(index).id == option_id:
            options.highlighted = index
            return


def passphrase_problems(passphrase: str, repeat: str, names: tuple[str, ...], field: str) -> list[tuple[str, str]]:
    """What is wrong with a new passphrase typed twice: (field, Dutch sentence), at most one."""
    weak = weakness(passphrase, names=names) if passphrase else TEXT["need_passphrase"]
    if weak:
        return [(f"{field}-passphrase", weak)]
    if passphrase != repeat:
        return [(f"{field}-repeat", TEXT["not_equal"])]
    return []


class TeamDialog(FormDialog):
    """A dialog of Team beheren: dismissed with a Dutch result sentence, or None.

    Nothing typed here is kept as a draft (passphrases, herstelcodes): Esc
    closes at once.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", TEXT["save"]),
        Binding("escape", "cancel", TEXT["cancel"]),
    ]
    LOOK = "team"
    MESSAGE_ID = "team-dialog-message"
    HINT = ""
    added = ""
    result_text = ""

    def __init__(self, session: TeamSession) -> None:
        super().__init__(session)
        self.session: TeamSession = session

    def draft(self) -> dict[str, Any] | None:
        return None

    def first_focus(self) -> None:
        """Each dialog says where it starts (and what it shows first)."""

    def done(self, text: str) -> None:
        """Close with the result sentence (unless the app locked meanwhile)."""
        if self.still_here():
            self.dismiss(text)


# -- add a worker ------------------------------------------------------------------------


class AddWorkerDialog(TeamDialog):
    """Naam, initialen, rol, moederorganisatie, expertise, first passphrase twice."""

    DIALOG_TITLE = TEXT["add_title"]
    TYPED = ("add-name", "add-initials", "add-organisation", "add-passphrase", "add-repeat")
    FIELD_IDS: ClassVar[dict[str, str]] = {"full_name": "add-name", "initials": "add-initials", "organisation": "add-organisation"}

    def fields(self) -> ComposeResult:
        yield from self.row(TEXT["name"], Input(placeholder=TEXT["name_placeholder"], max_length=200, id="add-name"))
        yield from self.row(
            TEXT["initials"], Input(placeholder=TEXT["initials_placeholder"], max_length=LIMITS["initials"], id="add-initials")
        )
        yield from self.row(
            TEXT["role"],
            OptionList(Option(ROLE_LABELS[WORKER], id=WORKER), Option(ROLE_LABELS[COORDINATOR], id=COORDINATOR), id="add-role"),
        )
        yield from self.row(
            TEXT["organisation"],
            Input(placeholder=TEXT["organisation_placeholder"], max_length=200,
                  suggester=SuggestWords(lambda: MOTHER_ORGANISATIONS), id="add-organisation"),
        )
        yield Label(TEXT["expertise"], classes="team-section")
        yield LeefdomeinPicker(id="add-expertise")
        yield from self.row(
            TEXT["passphrase"], Input(placeholder=TEXT["passphrase_placeholder"], password=True, id="add-passphrase"),
        )
        yield from self.row(TEXT["repeat"], Input(password=True, id="add-repeat"))

    def first_focus(self) -> None:
        self.query_one("#add-role", OptionList).highlighted = 0
        self.query_one("#add-name", Input).focus()

    def value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def typed_anything(self) -> bool:
        return any(self.value(f).strip() for f in self.TYPED) or bool(self.query_one(LeefdomeinPicker).codes)

    def action_cancel(self) -> None:
        if self.busy:
            return
        if not self.typed_anything():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(Confirm(TEXT["discard"]), answered)

    @on(OptionList.OptionSelected, "#add-role")
    def role_chosen(self) -> None:
        self.focus_next()

    def enter_pressed(self, field: Widget) -> None:
        """Enter moves on; Enter in the last field saves."""
        if field.id == "add-repeat":
            self.action_save()
        else:
            self.focus_next()

    def prepare(self) -> Any:
        name = self.value("add-name").strip()
        initials = self.value("add-initials").strip()
        role = highlighted_id(self.query_one("#add-role", OptionList))
        organisation = self.value("add-organisation").strip()
        passphrase = self.value("add-passphrase")
        problems: list[tuple[str, str]] = []
        if not name:
            problems.append(("add-name", TEXT["need_name"]))
        if not initials:
            problems.append(("add-initials", TEXT["need_initials"]))
        elif any(c.isspace() for c in initials):
            problems.append(("add-initials", TEXT["initials_space"]))
        if role is None:
            problems.append(("add-role", TEXT["need_role"]))
        if not organisation:
            problems.append(("add-organisation", TEXT["need_organisation"]))
        for widget_id, field, value in (
            ("add-name", "full_name", name), ("add-initials", "initials", initials), ("add-organisation", "organisation", organisation),
        ):
            # Too long, or letters the PDFs cannot print: the same rule as 'jongerenteam worker add'.
            if value and not any(p[0] == widget_id for p in problems):
                try:
                    check_worker_field(field, value)
                except ValidationError as exc:
                    problems.append((widget_id, exc.message))
        problems += passphrase_problems(passphrase, self.value("add-repeat"), (name, initials), "add")
        if problems or role is None:
            self.show_problems(problems)
            return None
        details = WorkerDetails(name, initials, role, organisation, expertise=tuple(self.query_one(LeefdomeinPicker).codes))
        session = self.session
        self.added = details.full_name
        return lambda: session.team.add_worker(details, passphrase, kdf_params())

    def saved(self, result: Any) -> None:
        self.done(TEXT["added"].format(name=self.added))

    def show_failure(self, failure: Failure) -> None:
        # Initials already in the team, or a field the use case refused: said beside it.
        self.show_error("add-initials" if isinstance(failure.error, WorkerExists) else failure.field or "", failure.text)


# -- deactivate a worker ----------------------------------------------------------------


class DeactivateDialog(TeamDialog):
    """Who leaves, who takes over their students (and programmes), confirm."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "save", TEXT["deactivate_key"])]
    DIALOG_TITLE = TEXT["deactivate_title"]

    def __init__(self, session: TeamSession, preselect: str | None) -> None:
        super().__init__(session)
        self.preselect = preselect
        # What the highlighted worker would hand over (read when highlighted).
        self.students: list[str] = []
        self.programmes: list[str] = []
        self.running_handover: set[str] = set()  # students with a handover the leaving worker started (they stay)
        self.chosen: dict[str, str] = {}  # student id -> colleague chosen for that student alone

    def fields(self) -> ComposeResult:
        others = [w for w in self.session.active_workers() if w.id != self.session.worker_id]
        yield from self.row(TEXT["leaving"], OptionList(*(Option(worker_label(w), id=w.id) for w in others), id="leaving"))
        yield Static("", id="leaving-info")
        yield from self.row(TEXT["new_contact"], OptionList(id="new-contact"))
        table = DataTable(id="leaving-students", cursor_type="row")
        table.border_title = TEXT["students_title"]
        yield table

    def on_mount(self) -> None:
        table = self.query_one("#leaving-students", DataTable)
        table.add_column("Student", width=32, key="student")
        table.add_column("Naar", width=30, key="to")

    def first_focus(self) -> None:
        leaving = self.query_one("#leaving", OptionList)
        leaving.highlighted = None  # nobody leaves by default
        workers = self.session.workers
        if not leaving.option_count:
            self.show_error("leaving", TEXT["no_one_else"], focus=False)
        elif self.preselect == self.session.worker_id:
            self.show_error("leaving", TEXT["not_self"], focus=False)
        elif self.preselect in workers and not workers[self.preselect].active:
            self.show_error("leaving", TEXT["inactive"].format(name=workers[self.preselect].full_name), focus=False)
        else:
            highlight(leaving, self.preselect)
        self.show_leaving()
        leaving.focus()

    @on(OptionList.OptionHighlighted, "#leaving")
    def show_leaving(self) -> None:
        worker_id = highlighted_id(self.query_one("#leaving", OptionList))
        new_contact = self.query_one("#new-contact", OptionList)
        chosen = highlighted_id(new_contact)
        new_contact.clear_options()
        if worker_id is None:
            self.students, self.programmes = [], []
            self.query_one("#leaving-info", Static).update("")
            self.fill_students()
            return
        self.show_error("leaving", "")
        worker = self.session.workers[worker_id]
        plan = self.session.team.deactivation_plan(worker_id)
        if plan.students != self.students:
            self.chosen = {}
        self.students, self.programmes = plan.students, sorted(plan.programmes, key=fold)
        self.running_handover = {r.student_id for r in plan.from_them}
        lines = [TEXT["contact_of"].format(name=worker.full_name, n=len(self.students))]
        if self.programmes:
            lines.append(TEXT["programmes_of"].format(names=", ".join(self.programmes)))
        if plan.to_them:
            lines.append(TEXT["to_them"].format(n=len(plan.to_them), name=worker.full_name))
        if plan.from_them:
            lines.append(TEXT["from_them"].format(n=len(plan.from_them), name=worker.full_name))
        if plan.meldcode_alone:
            lines.append(TEXT["meldcode_alone"].format(n=plan.meldcode_alone, name=worker.full_name))
        if plan.open_since is not None:
            lines.append(TEXT["open_now"].format(name=worker.full_name, when=moment_text(plan.open_since)))
        if len(self.students) > 1:
            lines.append(TEXT["per_student"])
        if not self.must_hand_over:
            lines.append(TEXT["nothing_to_hand_over"])
        self.query_one("#leaving-info", Static).update("\n".join(lines))
        new_contact.add_options(
            [Option(worker_label(w), id=w.id) for w in self.session.active_workers() if w.id != worker_id]
        )
        highlight(new_contact, chosen)
        self.fill_students()

    @on(OptionList.OptionHighlighted, "#new-contact")
    def fill_students(self) -> None:
        """One row per student of the leaving worker: who takes them over (the new
        contact person unless one was chosen for this student alone), or why not."""
        table = self.query_one("#leaving-students", DataTable)
        table.display = bool(self.students)
        cursor = table.cursor_row
        table.clear()
        assignments = self.assignments()
        workers = self.session.workers
        for sid in self.students:
            to = assignments.get(sid)
            if sid in self.running_handover:
                where = TEXT["row_busy"]
            elif to in workers:
                where = workers[to].full_name
            else:
                where = TEXT["row_default"]
            table.add_row(Text(self.session.record(sid).details.display_name), Text(where), key=sid)
        if self.students:
            table.move_cursor(row=min(max(cursor, 0), len(self.students) - 1))

    def assignments(self) -> dict[str, str]:
        """Student id -> colleague, for every student who moves (not those with a handover running)."""
        default = highlighted_id(self.query_one("#new-contact", OptionList))
        out: dict[str, str] = {}
        for sid in self.students:
            to = self.chosen.get(sid, default)
            if to and sid not in self.running_handover:
                out[sid] = to
        return out

    @on(DataTable.RowSelected, "#leaving-students")
    def choose_for_student(self, event: DataTable.RowSelected) -> None:
        """Enter on a student: a colleague for this student alone."""
        sid = str(event.row_key.value)
        leaving = highlighted_id(self.query_one("#leaving", OptionList))
        if sid in self.running_handover or leaving is None:
            self.app.bell()
            return
        colleagues = sorted((w for w in self.session.active_workers() if w.id != leaving), key=lambda w: fold(w.full_name))
        name = self.session.record(sid).details.display_name

        def picked(worker_id: str | None) -> None:
            if worker_id and self.still_here():
                self.chosen[sid] = worker_id
                self.fill_students()

        self.app.push_screen(WorkerPicker(colleagues, TEXT["student_to"].format(name=name)), picked)

    @property
    def must_hand_over(self) -> bool:
        return bool(self.students or self.programmes)

    @on(OptionList.OptionSelected, "#leaving")
    def to_new_contact(self) -> None:
        self.query_one("#new-contact", OptionList).focus()

    @on(OptionList.OptionSelected, "#new-contact")
    def chosen_new_contact(self) -> None:
        self.action_save()

    def prepare(self) -> Any:
        leaving = highlighted_id(self.query_one("#leaving", OptionList))
        if leaving is None:
            self.show_error("leaving", TEXT["need_leaving"])
            return None
        new_contact = highlighted_id(self.query_one("#new-contact", OptionList))
        if new_contact is None:
            if self.must_hand_over:
                self.show_error("new-contact", TEXT["need_new_contact"])
                return None
            new_contact = self.session.worker_id  # nothing moves; the API wants someone
        workers = self.session.workers
        name, new_name = workers[leaving].full_name, workers[new_contact].full_name
        assignments = self.assignments()
        counts: dict[str, int] = {}
        for to in assignments.values():
            counts[to] = counts.get(to, 0) + 1
        moved = ""
        if set(counts) == {new_contact}:
            moved = TEXT["deactivate_confirm_moved"].format(n=len(assignments), new=new_name)
        elif counts:
            parts = ", ".join(f"{n} naar {workers[to].full_name}" for to, n in sorted(counts.items(), key=lambda kv: -kv[1]))
            moved = TEXT["confirm_parts"].format(parts=parts)
        if self.running_handover:
            moved += " " + TEXT["confirm_busy"].format(n=len(self.running_handover))
        session, target = self.session, new_contact
        several = len(counts) > 1

        def deactivated(result: tuple[int, object]) -> None:
            moved_text = ""
            if result[0]:
                moved_text = (TEXT["deactivated_moved_several"].format(n=result[0]) if several
                              else TEXT["deactivated_moved"].format(n=result[0], new=new_name))
            self.done(TEXT["deactivated"].format(name=name, moved=moved_text).strip())

        def answered(yes: bool | None) -> None:
            if yes:
                self.store(lambda: session.team.deactivate_worker_with_handover(leaving, target, assignments=assignments),
                           deactivated)

        self.app.push_screen(Confirm(TEXT["deactivate_confirm"].format(name=name, moved=moved).strip()), answered)
        return None

    def show_failure(self, failure: Failure) -> None:
        super().show_failure(failure)
        self.show_leaving()  # part may have happened: show the store's state


# -- reset a passphrase with the recovery code ----------------------------------------------


def recovery_code_complete(code: str) -> bool:
    """7 groups of 4 letters or digits, whatever separators were typed."""
    return sum(c.isalnum() for c in code) == RECOVERY_GROUPS * RECOVERY_GROUP_LEN


class ResetPassphraseDialog(TeamDialog):
    """For whom, the herstelcode, the new passphrase twice."""

    DIALOG_TITLE = TEXT["reset_title"]
    HINT = TEXT["reset_hint"]

    def __init__(self, session: TeamSession, preselect: str | None) -> None:
        super().__init__(session)
        self.preselect = preselect

    def fields(self) -> ComposeResult:
        workers = self.session.active_workers()
        yield from self.row(TEXT["reset_worker"], OptionList(*(Option(worker_label(w), id=w.id) for w in workers), id="reset-worker"))
        yield from self.row(
            TEXT["code"], Input(placeholder=TEXT["code_placeholder"], password=True, max_length=60, id="reset-code"),
        )
        yield from self.row(
            TEXT["new_passphrase"], Input(placeholder=TEXT["passphrase_placeholder"], password=True, id="reset-passphrase"),
        )
        yield from self.row(TEXT["repeat"], Input(password=True, id="reset-repeat"))

    def first_focus(self) -> None:
        workers = self.query_one("#reset-worker", OptionList)
        workers.highlighted = None
        highlight(workers, self.preselect)
        known = self.session.workers
        if self.preselect in known and not known[self.preselect].active:
            self.show_error("reset-worker", TEXT["inactive"].format(name=known[self.preselect].full_name), focus=False)
        if workers.highlighted is None:
            workers.focus()
        else:
            self.query_one("#reset-code", Input).focus()

    @on(OptionList.OptionSelected, "#reset-worker")
    def to_code(self) -> None:
        self.query_one("#reset-code", Input).focus()

    def enter_pressed(self, field: Widget) -> None:
        if field.id == "reset-repeat":
            self.action_save()
        else:
            self.focus_next()

    def prepare(self) -> Any:
        worker_id = highlighted_id(self.query_one("#reset-worker", OptionList))
        code = self.query_one("#reset-code", Input).value
        passphrase = self.query_one("#reset-passphrase", Input).value
        problems: list[tuple[str, str]] = []
        if worker_id is None:
            problems.append(("reset-worker", TEXT["need_worker"]))
        if not recovery_code_complete(code):
            problems.append(("reset-code", TEXT["code_format"]))
        worker = self.session.workers.get(worker_id or "")
        names = (worker.full_name, worker.initials) if worker else ()
        problems += passphrase_problems(passphrase, self.query_one("#reset-repeat", Input).value, names, "reset")
        if problems or worker is None:
            self.show_problems(problems)
            return None
        session, target = self.session, worker.id
        self.result_text = TEXT["reset_self"] if target == session.worker_id else TEXT["reset_done"].format(name=worker.full_name)
        return lambda: session.team.reset_passphrase_with_recovery(code, target, passphrase, kdf_params())

    def saved(self, result: Any) -> None:
        self.done(self.result_text)

    def show_failure(self, failure: Failure) -> None:
        # A wrong herstelcode: said beside it.
        self.show_error("reset-code" if isinstance(failure.error, WrongPassphrase) else "", failure.text)


# -- change one's own passphrase -------------------------------------------------------------------


class ChangePassphraseDialog(TeamDialog):
    """Every worker: the current passphrase, the new one twice (F2 or the palette, from anywhere).

    The key derivations (the current passphrase checked, the slot made again)
    take a second or two: they run in a thread of their own ("wachtwoord-wijzigen").
    A wrong current passphrase is said beside it and everything typed stays.
    """

    DIALOG_TITLE = TEXT["change_title"]
    HINT = TEXT["change_hint"]
    HELP = TEXT["change_hint"]

    def fields(self) -> ComposeResult:
        yield from self.row(TEXT["current"], Input(password=True, id="change-current"))
        yield from self.row(
            TEXT["change_new"], Input(placeholder=TEXT["passphrase_placeholder"], password=True, id="change-passphrase"),
        )
        yield from self.row(TEXT["change_repeat"], Input(password=True, id="change-repeat"))

    def first_focus(self) -> None:
        self.query_one("#change-current", Input).focus()

    def enter_pressed(self, field: Widget) -> None:
        if field.id == "change-repeat":
            self.action_save()
        else:
            self.focus_next()

    def prepare(self) -> Any:
        current = self.query_one("#change-current", Input).value
        passphrase = self.query_one("#change-passphrase", Input).value
        repeat = self.query_one("#change-repeat", Input).value
        me = self.session.worker
        problems: list[tuple[str, str]] = []
        if not current:
            problems.append(("change-current", TEXT["need_current"]))
        if passphrase and passphrase == current:
            problems.append(("change-passphrase", SAME_AS_CURRENT))
        else:
            problems += passphrase_problems(passphrase, repeat, (me.full_name, me.initials), "change")
        if problems:
            self.show_problems(problems)
            return None
        session = self.session
        return lambda: session.team.change_own_passphrase(current, passphrase)

    def store(self, call: Callable[[], Any], done: Callable[[Any], object], *, busy_text: str = TEXT["change_busy"]) -> None:
        """As every dialog's, in a worker of its own name (its failures say what did not happen)."""
        if self.busy:
            return
        self.busy = True
        self.say(busy_text, busy=True)

        def ok(result: Any) -> None:
            if self.still_here():
                self.busy = False
                self.say("")
                done(result)

        def failed(failure: Failure) -> None:
            if self.still_here():
                self.busy = False
                self.say("")
                self.show_failure(failure)

        run_in_thread(self, "wachtwoord-wijzigen", call, done=ok, failed=failed, exclusive=True)

    def saved(self, result: Any) -> None:
        self.done(TEXT["changed"])

    def show_failure(self, failure: Failure) -> None:
        error = failure.error
        if isinstance(error, WrongPassphrase):
            self.show_error("change-current", TEXT["wrong_current"])
        elif isinstance(error, PassphraseWait):
            self.show_error("change-current", failure.text)
        elif isinstance(error, WeakPassphrase):
            self.show_error("change-passphrase", failure.text)
        else:
            super().show_failure(failure)


# -- vaste contactpersonen ---------------------------------------------------------------------


class ProgrammeContactsDialog(TeamDialog):
    """The list programme -> worker; type a programme, pick a worker (or 'geen'), save."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", TEXT["close"])]
    DIALOG_TITLE = TEXT["contacts_title"]
    HINT = TEXT["contacts_hint"]

    def __init__(self, session: TeamSession) -> None:
        super().__init__(session)
        self.changed: list[str] = []

    def fields(self) -> ComposeResult:
        yield OptionList(id="contacts")
        yield Static("", id="contacts-empty", classes="hint")
        yield from self.row(
            TEXT["programme"],
            Input(placeholder=TEXT["programme_placeholder"], max_length=LIMITS["short"],
                  suggester=SuggestWords(self.session.spreekuur.programmes), id="programme"),
        )
        yield from self.row(
            TEXT["contact"],
            OptionList(
                Option(TEXT["no_contact"], id=NO_CONTACT),
                *(Option(worker_label(w), id=w.id) for w in self.session.active_workers()),
                id="programme-worker",
            ),
        )

    def first_focus(self) -> None:
        self.query_one(f"#{self.MESSAGE_ID}").add_class("-note")  # what was saved, not an error
        self.query_one("#programme-worker", OptionList).highlighted = None  # a choice, not a default
        self.fill()
        contacts = self.query_one("#contacts", OptionList)
        if contacts.option_count:
            contacts.focus()
        else:
            self.query_one("#programme", Input).focus()

    def fill(self) -> None:
        contacts = self.query_one("#contacts", OptionList)
        contacts.clear_options()
        current = self.session.team.programme_contacts()
        for programme in sorted(current, key=fold):
            worker = self.session.workers.get(current[programme])
            name = worker_label(worker) if worker else "?"
            contacts.add_option(Option(TEXT["contact_row"].format(programme=programme, name=name), id=programme))
        self.query_one("#contacts-empty", Static).update("" if current else TEXT["contacts_none"])
        contacts.display = bool(current)

    @on(OptionList.OptionSelected, "#contacts")
    def edit_row(self, event: OptionList.OptionSelected) -> None:
        programme = event.option_id or ""
        self.query_one("#programme", Input).value = programme
        workers = self.query_one("#programme-worker", OptionList)
        highlight(workers, self.session.team.programme_contacts().get(programme))
        workers.focus()

    def enter_pressed(self, field: Widget) -> None:
        self.query_one("#programme-worker", OptionList).focus()

    @on(OptionList.OptionSelected, "#programme-worker")
    def chosen_worker(self) -> None:
        self.action_save()

    def stored_spelling(self, typed: str) -> str:
        """An existing programme written differently ('verzorgende ig') keeps its spelling."""
        wanted = fold(typed)
        for known in [*self.session.team.programme_contacts(), *self.session.spreekuur.programmes()]:
            if fold(known) == wanted:
                return known
        return typed

    def action_save(self) -> None:
        # Saved at once (a small write): the list below shows it, the dialog stays for the next one.
        self.clear_errors()
        typed = self.query_one("#programme", Input).value.strip()
        workers = self.query_one("#programme-worker", OptionList)
        if not typed:
            self.show_error("programme", TEXT["need_programme"])
            return
        if workers.highlighted is None:
            self.show_error("programme-worker", TEXT["need_contact"])
            return
        programme = self.stored_spelling(typed)
        chosen = highlighted_id(workers)
        worker_id = None if chosen == NO_CONTACT else chosen
        try:
            seen = self.session.team.programme_contacts().get(programme)
            self.session.team.set_programme_contact(programme, worker_id, seen=seen)
        except Exception as exc:  # noqa: BLE001 - on the UI thread: one Dutch sentence; the choice stays
            self.say(dutch(exc))
            return
        if worker_id is None:
            text = TEXT["contact_cleared"].format(programme=programme)
        else:
            text = TEXT["contact_set"].format(name=self.session.workers[worker_id].full_name, programme=programme)
        self.changed.append(text)
        self.say(text)
        self.query_one("#programme", Input).value = ""
        workers.highlighted = None
        self.fill()
        self.query_one("#programme", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(self.changed[-1] if self.changed else None)


# -- idle lock -----------------------------------------------------------------------------------


class IdleLockDialog(TeamDialog):
    """After how many minutes without activity the app locks itself (the whole team)."""

    DIALOG_TITLE = TEXT["idle_title"]
    HINT = TEXT["idle_hint"]

    def __init__(self, session: TeamSession, minutes: int) -> None:
        super().__init__(session)
        self.minutes = minutes
        # The settings as the coördinator sees them now: a colleague's change in between is refused.
        self.version = session.team.settings_version()

    def fields(self) -> ComposeResult:
        yield from self.row(TEXT["minutes"], Input(str(self.minutes), type="integer", max_length=2, id="idle-minutes"))

    def first_focus(self) -> None:
        self.query_one("#idle-minutes", Input).focus()

    def enter_pressed(self, field: Widget) -> None:
        self.action_save()

    def action_save(self) -> None:
        self.clear_errors()
        typed = self.query_one("#idle-minutes", Input).value.strip()
        minutes = int(typed) if typed.isdecimal() else 0
        if not 1 <= minutes <= 60:
            self.show_error("idle-minutes", TEXT["need_minutes"], focus=False)
            return
        try:
            self.session.team.set_idle_lock_minutes(minutes, version=self.version)
        except Exception as exc:  # noqa: BLE001 - on the UI thread: one Dutch sentence; the number stays
            self.say(dutch(exc))
            return
        team_app(self).team_settings_changed()
        self.dismiss(TEXT["idle_set"].format(minutes=minutes, unit="minuut" if minutes == 1 else "minuten"))


# -- expertise ---------------------------------------------------------------------------------------


class ExpertiseDialog(TeamDialog):
    """A colleague's expertise per leefdomein: digits switch one on or off."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s,enter", "save", TEXT["save"], key_display="ctrl+s"),
    ]
    HINT = TEXT["expertise_hint"]

    def __init__(self, session: TeamSession, worker_id: str) -> None:
        super().__init__(session)
        self.worker_id = worker_id

    def title_text(self) -> str:
        return TEXT["expertise_title"].format(name=self.session.workers[self.worker_id].full_name)

    def fields(self) -> ComposeResult:
        worker = self.session.workers[self.worker_id]
        yield LeefdomeinPicker(chosen=filter(None, worker.expertise.split(",")), id="expertise")

    def first_focus(self) -> None:
        self.query_one(LeefdomeinPicker).focus()

    def choice_done(self, choice: KeyChoice) -> None:
        self.action_save()

    def action_save(self) -> None:
        codes = tuple(self.query_one(LeefdomeinPicker).codes)
        worker = self.session.workers[self.worker_id]
        try:
            self.session.team.set_expertise(self.worker_id, codes, version=worker.version)
        except Exception as exc:  # noqa: BLE001 - on the UI thread: one Dutch sentence; the choice stays
            self.say(dutch(exc))
            return
        self.dismiss(TEXT["expertise_set"].format(name=worker.full_name))
