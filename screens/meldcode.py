"""The meldcode (issue 21): a trajectory's screen, its step forms, the afwegingskader, the Vandaag panel.

Opened from the dossier (key m, palette "meldcode: starten" / "meldcode:
openen"). Only a member of a trajectory sees it (``session.meldcode``); the
screen never decides: it shows where the answers lead, and the worker
closes or reports. Every store call runs in a thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen

from jongerenteam.dates import local_today, parse_date
from jongerenteam.domain import ValidationError
from jongerenteam.meldcode import model as m
from jongerenteam.meldcode.service import ROLE_LABELS
from screens import forms
from screens.background import run_in_thread
from screens.dialogs import Dense, FormDialog
from screens.interfaces import Command, team_app
from screens.text import DataTable, Input, Static, Text, TextArea
from screens.widgets import CHOICE_HINT, KeyChoice, SteadyFooter, SuggestWords

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.meldcode import Trajectory
    from jongerenteam.session import TeamSession

TEXT = {
    "title": "Meldcode · {name}",
    "loading": "De meldcode wordt gelezen…",
    "organisation": "Meldcode van: {org}",
    "attention": "Aandachtsfunctionaris: {name}",
    "no_attention": "Aandachtsfunctionaris: nog niet genoemd",
    "members": "Wie mag dit lezen: {names}",
    "started": "Gestart op {day:%d-%m-%Y}",
    "closed": "Afgesloten op {day} · {reason}",
    "next": "Volgende stap: {step}",
    "next_none": "Geen open stap.",
    "target": " · streefdatum {day:%d-%m-%Y}",
    "late": " · te laat",
    "lead": "Waar de antwoorden van het afwegingskader heen leiden: {text}",
    "never_decides": "Het programma beslist niet: jij besluit, met de aandachtsfunctionaris.",
    "empty": "Nog niets vastgelegd. Begin met 1: signalen.",
    "detail_hint": "Kies een regel om hem hier helemaal te lezen.",
    "saved": "Opgeslagen.",
    "started_saved": "De meldcode is gestart. Alleen jij kunt hem lezen, tot je een collega toevoegt (c).",
    "member_added": "{name} kan de meldcode nu lezen.",
    "closed_saved": "De meldcode is afgesloten.",
    "not_member": "Je kunt deze meldcode niet (meer) lezen.",
    "none_yet": "Er is nog geen meldcode voor deze student. Start er een met 'meldcode: starten'.",
    # forms
    "start_title": "Meldcode starten · {name}",
    "start_hint": (
        "Alleen jij kunt deze meldcode lezen; collega's die bij het dossier betrokken zijn niet, ook niet "
        "met noodtoegang. Voeg de aandachtsfunctionaris of een collega later toe. ctrl+s: starten · Esc: terug"
    ),
    "signal_title": "Stap 1 · signaal",
    "signal_hint": "Schrijf feiten apart van wat je ervan denkt. ctrl+s: opslaan · Esc: terug",
    "consult_title": "Stap 2 · overleg",
    "consult_hint": "Met een collega, de aandachtsfunctionaris of Veilig Thuis (advies, zonder de naam van de student). ctrl+s: opslaan",
    "talk_title": "Stap 3 · gesprek met de student",
    "talk_hint": "Vul het gesprek in, of alleen waarom het (nog) niet kon, bijvoorbeeld om de veiligheid. ctrl+s: opslaan",
    "weigh_title": "Stap 4 · afwegingskader, vraag {n} van 5",
    "weigh_hint": "1: ja · 2: nee. Het antwoord bepaalt de volgende vraag; het programma beslist niet voor je. ctrl+s: opslaan",
    "help_title": "Stap 5 · hulp",
    "help_hint": "Welke hulp er komt en hoe je het effect volgt. ctrl+s: opslaan",
    "melding_title": "Stap 5 · melding bij Veilig Thuis",
    "melding_hint": "Wanneer, door wie, het kenmerk, en wat je de student vertelde en wanneer (of waarom niet). ctrl+s: opslaan",
    "targets_title": "Streefdata per stap",
    "targets_hint": "Een datum per stap (mag leeg). Vandaag toont de volgende stap met zijn datum. ctrl+s: opslaan",
    "org_title": "Organisatie en aandachtsfunctionaris",
    "org_hint": "De meldcode van welke organisatie geldt (standaard die van jou). ctrl+s: opslaan",
    "member_title": "Collega toevoegen aan de meldcode",
    "member_hint": "Deze collega kan de meldcode daarna lezen en aanvullen. ctrl+s: toevoegen",
    "close_title": "Meldcode afsluiten",
    "close_hint": "Waarom sluit je af? Het afwegingskader leidt nu naar: {lead} ctrl+s: afsluiten",
    "worker_bad": "Geen collega met die naam of initialen.",
    "yes": "ja",
    "no": "nee",
    # Vandaag
    "panel": "Meldcode: volgende stap ({n})",
}
STEP_COLUMNS = (("Stap", 14), ("Datum", 10), ("Wat", 70))
ANSWERS = {"ja": TEXT["yes"], "nee": TEXT["no"]}


def _day(value: str) -> str:
    try:
        return f"{date.fromisoformat(value):%d-%m-%Y}"
    except (TypeError, ValueError):
        return ""


def _date(text: str, field: str, *, required: bool = True, upcoming: bool = False) -> date | None:
    if not text.strip():
        if required:
            raise ValidationError(field, "Vul een datum in, bijvoorbeeld 23-11-2026.")
        return None
    return parse_date(text, today=local_today(), field=field, upcoming=upcoming)


def next_text(t: Trajectory, today: date) -> Text:
    """The next step with its target date; overdue in red, and said in words too."""
    nxt = t.next
    line = Text(TEXT["next"].format(step=m.STEP_LABELS[nxt.step]) if nxt.step else TEXT["next_none"], style="bold")
    target = t.target
    if target is not None:
        late = t.overdue(today)
        line.append(TEXT["target"].format(day=target) + (TEXT["late"] if late else ""), style="bold red" if late else "")
    line.append(" · " + nxt.text)
    return line


def step_rows(t: Trajectory, names: Callable[[str], str]) -> list[tuple[str, str, str, str]]:
    """Every recorded item as (key, step, date, one line), in the order of the steps."""
    doc = t.doc
    rows: list[tuple[str, str, str, str]] = []
    for i, s in enumerate(doc.get("signalen", [])):
        rows.append((f"signaal|{i}", "1 signaal", _day(s.get("datum", "")), s.get("feiten", "")))
    for i, c in enumerate(doc.get("consultaties", [])):
        kind = m.CONSULT_KINDS.get(c.get("soort", ""), "")
        rows.append((f"overleg|{i}", "2 overleg", _day(c.get("datum", "")), f"{kind}: {c.get('met', '')} · {c.get('advies', '')}"))
    for i, g in enumerate(doc.get("gesprekken", [])):
        what = g.get("verslag") or f"niet gevoerd: {g.get('waarom_niet', '')}"
        rows.append((f"gesprek|{i}", "3 gesprek", _day(g.get("datum", "")), what))
    for n, q in enumerate(m.QUESTIONS, start=1):
        a = (doc.get("afweging") or {}).get(q)
        if isinstance(a, dict):
            answer = TEXT["yes"] if a.get("antwoord") else TEXT["no"]
            rows.append((f"vraag|{q}", f"4 vraag {n}", _day(a.get("datum", "")), f"{answer} · {m.QUESTION_TEXT[q]}"))
    besluit = doc.get("besluit") or {}
    if besluit.get("hulp"):
        rows.append(("hulp", "5 hulp", _day(besluit["hulp"].get("datum", "")), besluit["hulp"].get("omschrijving", "")))
    if besluit.get("melding"):
        md = besluit["melding"]
        what = f"door {md.get('door', '')} · kenmerk {md.get('referentie', '') or '–'}"
        rows.append(("melding", "5 melding", _day(md.get("datum", "")), what))
    return rows


def detail_text(t: Trajectory, key: str) -> Text:
    """The whole of one item, every field with its Dutch label, as plain text."""
    doc = t.doc
    kind, _, index = key.partition("|")
    fields: list[tuple[str, str]] = []
    if kind == "signaal":
        s = doc["signalen"][int(index)]
        fields = [("Datum", _day(s.get("datum", ""))), ("Feiten", s.get("feiten", "")),
                  ("Wat de student zei", s.get("uitspraak", "")), ("Wat ik ervan denk", s.get("interpretatie", "")),
                  ("Ook gezien door", s.get("ook_gezien_door", ""))]
    elif kind == "overleg":
        c = doc["consultaties"][int(index)]
        fields = [("Datum", _day(c.get("datum", ""))), ("Met", f"{m.CONSULT_KINDS.get(c.get('soort', ''), '')}: {c.get('met', '')}"),
                  ("Advies", c.get("advies", ""))]
        if c.get("soort") == m.VEILIG_THUIS:
            fields.append(("Anoniem", TEXT["yes"] if c.get("anoniem") else TEXT["no"]))
    elif kind == "gesprek":
        g = doc["gesprekken"][int(index)]
        fields = [("Datum", _day(g.get("datum", ""))), ("Met", m.TALK_WITH.get(g.get("met", ""), "")),
                  ("Wat er gezegd is", g.get("verslag", "")), ("Waarom niet", g.get("waarom_niet", ""))]
    elif kind == "vraag":
        a = doc["afweging"][index]
        fields = [("Vraag", m.QUESTION_TEXT[index]), ("Antwoord", TEXT["yes"] if a.get("antwoord") else TEXT["no"]),
                  ("Datum", _day(a.get("datum", ""))), ("Toelichting", a.get("toelichting", ""))]
    elif kind == "hulp":
        h = doc["besluit"]["hulp"]
        fields = [("Hulp", h.get("omschrijving", "")), ("Effect volgen", h.get("volgen", "")), ("Datum", _day(h.get("datum", "")))]
    elif kind == "melding":
        md = doc["besluit"]["melding"]
        fields = [("Datum", _day(md.get("datum", ""))), ("Door", md.get("door", "")), ("Kenmerk", md.get("referentie", "")),
                  ("Verteld aan de student", md.get("verteld", "")), ("Verteld op", _day(md.get("verteld_op", ""))),
                  ("Waarom niet verteld", md.get("waarom_niet_verteld", "")), ("Visie van de student", md.get("visie_student", ""))]
    out = Text()
    for label, value in fields:
        if value:
            out.append(f"{label}: ", style="bold")
            out.append(value + "\n")
    return out


# -- the trajectory screen ----------------------------------------------------------------


class MeldcodeScreen(Screen[None]):
    """One meldcode trajectory: what each step holds, the next step, where the answers lead."""

    HELP_TITLE = "De meldcode"
    HELP = (
        "De vijf stappen van de meldcode huiselijk geweld en kindermishandeling, met het afwegingskader. "
        "Leg per stap vast wat je zag, met wie je overlegde, het gesprek en je antwoorden; het scherm laat zien "
        "waar de antwoorden heen leiden, maar jij beslist. Alleen jij en de collega's die jij toevoegt kunnen dit lezen."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "signal", "Signaal"),
        Binding("2", "consult", "Overleg"),
        Binding("3", "talk", "Gesprek"),
        Binding("4", "weigh", "Wegen"),
        Binding("5", "melding", "Melding"),
        Binding("h", "help_plan", "Hulp"),
        Binding("t", "targets", "Streefdata"),
        Binding("o", "organisation", "Organisatie"),
        Binding("c", "member", "Collega toevoegen"),
        Binding("a", "close_trajectory", "Afsluiten"),
        # Last: where the footer has no room for all, Esc (the same on every screen) goes first.
        Binding("escape", "back", "Terug"),
        Binding("f5", "reload", "Opnieuw laden", show=False),
    ]

    def __init__(self, session: TeamSession, record: StudentRecord, trajectory: Trajectory) -> None:
        super().__init__()
        self.session = session
        self.record = record
        self.trajectory = trajectory

    @property
    def student_id(self) -> str:
        return self.record.id

    def compose(self) -> ComposeResult:
        yield Static(Text(TEXT["title"].format(name=self.record.details.display_name)), classes="title", id="mc-title")
        yield Static("", id="mc-about")
        yield Static("", id="mc-next")
        yield Static("", id="mc-lead")
        yield DataTable(id="mc-steps", cursor_type="row", zebra_stripes=True)
        yield Static(TEXT["detail_hint"], id="mc-detail", classes="hint")
        yield SteadyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#mc-steps", DataTable)
        for label, width in STEP_COLUMNS:
            table.add_column(label, width=width)
        self.show()
        table.focus()

    def show(self) -> None:
        t, today = self.trajectory, local_today()
        doc = t.doc
        names = ", ".join(f"{self.session.worker_name(w)} ({ROLE_LABELS.get(r, r)})" for w, r in t.members.items())
        about = [
            TEXT["organisation"].format(org=doc.get("organisatie", "")),
            TEXT["attention"].format(name=doc["aandachtsfunctionaris"]) if doc.get("aandachtsfunctionaris") else TEXT["no_attention"],
            TEXT["members"].format(names=names),
            TEXT["started"].format(day=t.created_at.date()),
        ]
        if not t.is_open:
            closing = doc.get("afsluiting") or {}
            about.append(TEXT["closed"].format(day=_day(closing.get("datum", "")), reason=closing.get("reden", "")))
        self.query_one("#mc-about", Static).update(Text("\n".join(about)))
        self.query_one("#mc-next", Static).update(next_text(t, today))
        lead = Text(TEXT["lead"].format(text=t.lead.text))
        lead.append("\n" + TEXT["never_decides"], style="italic")
        self.query_one("#mc-lead", Static).update(lead)
        table = self.query_one("#mc-steps", DataTable)
        table.clear()
        rows = step_rows(t, self.session.worker_name)
        for key, step, day, what in rows:
            table.add_row(step, day, what.replace("\n", " "), key=key)
        if not rows:
            self.query_one("#mc-detail", Static).update(TEXT["empty"])

    @on(DataTable.RowHighlighted, "#mc-steps")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value if event.row_key is not None else None
        if key:
            self.query_one("#mc-detail", Static).update(detail_text(self.trajectory, key))

    # -- after a save ------------------------------------------------------------------

    def changed(self, result: Any) -> None:
        if result is None:
            return
        self.trajectory = result
        self.show()

    def action_reload(self) -> None:
        session, tid = self.session, self.trajectory.id

        def done(t: Trajectory) -> None:
            if self.is_attached and team_app(self).session is session:
                self.changed(t)

        run_in_thread(self, "meldcode", lambda: session.meldcode.open(tid), done=done,
                      failed=lambda f: self.notify(f.text, severity="error"))

    def action_back(self) -> None:
        self.dismiss(None)

    # -- the steps ---------------------------------------------------------------------

    def _form(self, dialog: StepDialog) -> None:
        self.app.push_screen(dialog, self.changed)

    def action_signal(self) -> None:
        self._form(SignalModal(self.session, self.trajectory))

    def action_consult(self) -> None:
        self._form(ConsultModal(self.session, self.trajectory))

    def action_talk(self) -> None:
        self._form(TalkModal(self.session, self.trajectory))

    def action_weigh(self) -> None:
        """The afwegingskader as a guided sequence: the question the answers so far lead to,
        then the next, until the answers lead to closing, reporting or following the help."""
        lead = self.trajectory.lead
        question = lead.question if lead.outcome in (m.Outcome.ASK, m.Outcome.FOLLOW) else None
        if question is None:
            self.notify(lead.text)
            return

        def answered(result: Any) -> None:
            self.changed(result)
            if result is not None and result.lead.outcome is m.Outcome.ASK:
                self.action_weigh()
            elif result is not None:
                self.notify(TEXT["lead"].format(text=result.lead.text), timeout=10)

        self.app.push_screen(WeighModal(self.session, self.trajectory, question), answered)

    def action_melding(self) -> None:
        self._form(MeldingModal(self.session, self.trajectory))

    def action_help_plan(self) -> None:
        self._form(HelpModal(self.session, self.trajectory))

    def action_targets(self) -> None:
        self._form(TargetsModal(self.session, self.trajectory))

    def action_organisation(self) -> None:
        self._form(OrganisationModal(self.session, self.trajectory))

    def action_member(self) -> None:
        self._form(MemberModal(self.session, self.trajectory))

    def action_close_trajectory(self) -> None:
        self._form(CloseModal(self.session, self.trajectory))

    def palette_commands(self) -> list[Command]:
        """'meldcode: ...' in the palette (ctrl+p): every step, also where the footer has no room."""
        return [
            ("meldcode: signaal vastleggen", "Stap 1: wat je zag of hoorde, wat de student zei (1)", self.action_signal),
            ("meldcode: overleg vastleggen", "Stap 2: collega, aandachtsfunctionaris of Veilig Thuis (2)", self.action_consult),
            ("meldcode: gesprek vastleggen", "Stap 3: het gesprek met de student, of waarom niet (3)", self.action_talk),
            ("meldcode: afwegingskader", "Stap 4: de vijf vragen, één voor één (4)", self.action_weigh),
            ("meldcode: melding vastleggen", "Stap 5: de melding bij Veilig Thuis (5)", self.action_melding),
            ("meldcode: hulp vastleggen", "Stap 5: welke hulp en hoe je het effect volgt (h)", self.action_help_plan),
            ("meldcode: streefdata", "Een streefdatum per stap (t)", self.action_targets),
            ("meldcode: organisatie en aandachtsfunctionaris", "Welke meldcode geldt, wie de aandachtsfunctionaris is (o)",
             self.action_organisation),
            ("meldcode: collega toevoegen", "De aandachtsfunctionaris of een collega mag daarna meelezen (c)",
             self.action_member),
            ("meldcode: afsluiten", "Jij sluit af, met de reden (a)", self.action_close_trajectory),
        ]

    def resume_state(self) -> dict[str, Any] | None:
        return None  # after a lock the worker opens it again from the dossier

    def draft(self) -> dict[str, Any] | None:
        return None


# -- the forms ----------------------------------------------------------------------------


class StepDialog(Dense, FormDialog):
    """A form about one trajectory; dismisses with the trajectory as saved."""

    SAVED = TEXT["saved"]

    def __init__(self, session: TeamSession, trajectory: Trajectory) -> None:
        super().__init__(session)
        self.session: TeamSession = session
        self.trajectory = trajectory

    def area(self, key: str) -> str:
        return self.query_one(f"#f-{key}", TextArea).text

    def value(self, key: str) -> str:
        return self.query_one(f"#f-{key}", Input).value

    def saved(self, result: Any) -> None:
        self.app.notify(self.SAVED)
        self.dismiss(result)


class SignalModal(StepDialog):
    DIALOG_TITLE = TEXT["signal_title"]
    HINT = TEXT["signal_hint"]
    FIELD_IDS: ClassVar[dict[str, str]] = {
        "on": "f-on", "observed": "f-observed", "student_said": "f-said", "interpretation": "f-interpretation",
        "also_noticed_by": "f-others",
    }

    def fields(self) -> ComposeResult:
        yield from self.row("Datum", Input(f"{local_today():%d-%m-%Y}", id="f-on"))
        yield from self.row("Feiten", TextArea(id="f-observed", soft_wrap=True, tab_behavior="focus"))
        yield from self.row("Student zei", TextArea(id="f-said", soft_wrap=True, tab_behavior="focus"))
        yield from self.row("Ik denk", TextArea(id="f-interpretation", soft_wrap=True, tab_behavior="focus"))
        yield from self.row("Ook gezien", Input(id="f-others", placeholder="wie zag het nog meer (mag leeg)"))

    def first_focus(self) -> None:
        self.query_one("#f-observed").focus()

    def prepare(self) -> Any:
        signal = m.Signal(_date(self.value("on"), "on"), self.area("observed"), self.area("said"),
                          self.area("interpretation"), self.value("others"))
        signal.to_dict(local_today())  # the Dutch message before the thread
        session, t = self.session, self.trajectory
        return lambda: session.meldcode.add_signal(t, signal)


class ConsultModal(StepDialog):
    DIALOG_TITLE = TEXT["consult_title"]
    HINT = TEXT["consult_hint"]
    FIELD_IDS: ClassVar[dict[str, str]] = {"on": "f-on", "kind": "f-kind", "with_whom": "f-with", "advice": "f-advice"}

    def fields(self) -> ComposeResult:
        yield from self.row("Datum", Input(f"{local_today():%d-%m-%Y}", id="f-on"))
        yield from self.row("Met", KeyChoice(m.CONSULT_KINDS, value="collega", advance=False, hint=CHOICE_HINT, id="f-kind"))
        yield from self.row("Naam", Input(id="f-with", placeholder="met wie (bij Veilig Thuis: de medewerker of 'Veilig Thuis')"))
        yield from self.row("Advies", TextArea(id="f-advice", soft_wrap=True, tab_behavior="focus"))
        yield from self.row("Anoniem", KeyChoice(ANSWERS, value="ja", advance=False, hint=CHOICE_HINT, id="f-anonymous"))

    def first_focus(self) -> None:
        self.query_one("#f-kind").focus()

    def prepare(self) -> Any:
        kind = self.query_one("#f-kind", KeyChoice).value or ""
        anonymous = self.query_one("#f-anonymous", KeyChoice).value != "nee"
        consultation = m.Consultation(_date(self.value("on"), "on"), kind, self.value("with"), self.area("advice"), anonymous)
        consultation.to_dict(local_today())
        session, t = self.session, self.trajectory
        return lambda: session.meldcode.add_consultation(t, consultation)


class TalkModal(StepDialog):
    DIALOG_TITLE = TEXT["talk_title"]
    HINT = TEXT["talk_hint"]
    FIELD_IDS: ClassVar[dict[str, str]] = {"on": "f-on", "with_whom": "f-with", "said": "f-said", "why_not": "f-why"}

    def fields(self) -> ComposeResult:
        yield from self.row("Datum", Input(f"{local_today():%d-%m-%Y}", id="f-on"))
        yield from self.row("Met", KeyChoice(m.TALK_WITH, value="student", advance=False, hint=CHOICE_HINT, id="f-with"))
        yield from self.row("Gezegd", TextArea(id="f-said", soft_wrap=True, tab_behavior="focus"))
        yield from self.row("Waarom niet", TextArea(id="f-why", soft_wrap=True, tab_behavior="focus"))

    def first_focus(self) -> None:
        self.query_one("#f-said").focus()

    def prepare(self) -> Any:
        why = self.area("why")
        on = None if why.strip() and not self.area("said").strip() else _date(self.value("on"), "on")
        talk = m.Talk(on, self.query_one("#f-with", KeyChoice).value or "", self.area("said"), why)
        talk.to_dict(local_today())
        session, t = self.session, self.trajectory
        return lambda: session.meldcode.add_talk(t, talk)


class WeighModal(StepDialog):
    """One question of the afwegingskader, with the answers so far and where they lead."""

    HINT = TEXT["weigh_hint"]
    FIELD_IDS: ClassVar[dict[str, str]] = {"on": "f-on", "question": "f-answer", "explanation": "f-explanation"}

    def __init__(self, session: TeamSession, trajectory: Trajectory, question: str) -> None:
        super().__init__(session, trajectory)
        self.question = question

    def title_text(self) -> str:
        return TEXT["weigh_title"].format(n=m.QUESTIONS.index(self.question) + 1)

    def fields(self) -> ComposeResult:
        answers = m.answers_of(self.trajectory.doc)
        so_far = Text()
        for n, q in enumerate(m.QUESTIONS[: m.QUESTIONS.index(self.question)], start=1):
            so_far.append(f"{n}. {m.QUESTION_TEXT[q]} ", style="dim")
            so_far.append((TEXT["yes"] if answers[q] else TEXT["no"]) + "\n", style="bold")
        if so_far:
            yield Static(so_far, id="w-so-far")
        yield Static(Text(m.QUESTION_TEXT[self.question], style="bold"), id="w-question")
        yield from self.row("Antwoord", KeyChoice(ANSWERS, advance=False, hint=CHOICE_HINT, id="f-answer"))
        yield from self.row("Datum", Input(f"{local_today():%d-%m-%Y}", id="f-on"))
        yield from self.row("Toelichting", TextArea(id="f-explanation", soft_wrap=True, tab_behavior="focus"))
        yield Static("", id="w-leads")

    def first_focus(self) -> None:
        self.query_one("#f-answer").focus()

    @on(KeyChoice.Changed, "#f-answer")
    def answer_changed(self, event: KeyChoice.Changed) -> None:
        """Before saving: where this answer would lead."""
        answers = {**m.answers_of(self.trajectory.doc), self.question: event.value == "ja"}
        for q in m.QUESTIONS[m.QUESTIONS.index(self.question) + 1:]:
            answers[q] = None
        self.query_one("#w-leads", Static).update(Text(TEXT["lead"].format(text=m.lead(answers).text)))

    def prepare(self) -> Any:
        choice = self.query_one("#f-answer", KeyChoice).value
        if choice not in ANSWERS:
            raise ValidationError("question", "Kies ja (1) of nee (2).")
        answer = m.Answer(self.question, choice == "ja", _date(self.value("on"), "on"), self.area("explanation"))
        answer.to_dict(local_today())
        session, t = self.session, self.trajectory
        return lambda: session.meldcode.answer(t, answer)


class HelpModal(StepDialog):
    DIALOG_TITLE = TEXT["help_title"]
    HINT = TEXT["help_hint"]
    FIELD_IDS: ClassVar[dict[str, str]] = {"on": "f-on", "description": "f-description", "follow_up": "f-follow"}

    def fields(self) -> ComposeResult:
        yield from self.row("Datum", Input(f"{local_today():%d-%m-%Y}", id="f-on"))
        yield from self.row("Hulp", TextArea(id="f-description", soft_wrap=True, tab_behavior="focus"))
        yield from self.row("Effect volgen", TextArea(id="f-follow", soft_wrap=True, tab_behavior="focus"))

    def first_focus(self) -> None:
        self.query_one("#f-description").focus()

    def prepare(self) -> Any:
        plan = m.HelpPlan(self.area("description"), self.area("follow"), _date(self.value("on"), "on"))
        plan.to_dict(local_today())
        session, t = self.session, self.trajectory
        return lambda: session.meldcode.set_help(t, plan)


class MeldingModal(StepDialog):
    DIALOG_TITLE = TEXT["melding_title"]
    HINT = TEXT["melding_hint"]
    FIELD_IDS: ClassVar[dict[str, str]] = {
        "on": "f-on", "by": "f-by", "reference": "f-reference", "told_student": "f-told", "told_on": "f-told-on",
        "why_not_told": "f-why", "student_view": "f-view",
    }

    def fields(self) -> ComposeResult:
        yield from self.row("Datum", Input(f"{local_today():%d-%m-%Y}", id="f-on"))
        yield from self.row("Door", Input(self.session.worker.full_name, id="f-by"))
        yield from self.row("Kenmerk", Input(id="f-reference", placeholder="kenmerk van Veilig Thuis (mag leeg)"))
        yield from self.row("Verteld", TextArea(id="f-told", soft_wrap=True, tab_behavior="focus"))
        yield from self.row("Verteld op", Input(id="f-told-on", placeholder="datum"))
        yield from self.row("Waarom niet", TextArea(id="f-why", soft_wrap=True, tab_behavior="focus"))
        yield from self.row("Visie student", TextArea(id="f-view", soft_wrap=True, tab_behavior="focus"))

    def first_focus(self) -> None:
        self.query_one("#f-reference").focus()

    def prepare(self) -> Any:
        told = self.area("told")
        melding = m.Melding(
            _date(self.value("on"), "on"), self.value("by"), self.value("reference"), told,
            _date(self.value("told-on"), "told_on", required=bool(told.strip())), self.area("why"), self.area("view"),
        )
        melding.to_dict(local_today())
        session, t = self.session, self.trajectory
        return lambda: session.meldcode.set_melding(t, melding)


class TargetsModal(StepDialog):
    DIALOG_TITLE = TEXT["targets_title"]
    HINT = TEXT["targets_hint"]
    FIELD_IDS: ClassVar[dict[str, str]] = {step: f"f-{step}" for step in m.STEPS}

    def fields(self) -> ComposeResult:
        for step in m.STEPS:
            target = m.target_of(self.trajectory.doc, step)
            yield from self.row(m.STEP_SHORT[step].capitalize(), Input(f"{target:%d-%m-%Y}" if target else "", id=f"f-{step}",
                                                                        placeholder="datum (mag leeg)"))

    def prepare(self) -> Any:
        targets = {step: _date(self.value(step), step, required=False, upcoming=True) for step in m.STEPS}
        session, t = self.session, self.trajectory
        return lambda: session.meldcode.set_targets(t, targets)


class OrganisationModal(StepDialog):
    DIALOG_TITLE = TEXT["org_title"]
    HINT = TEXT["org_hint"]
    FIELD_IDS: ClassVar[dict[str, str]] = {"organisation": "f-organisation", "aandachtsfunctionaris": "f-attention"}

    def fields(self) -> ComposeResult:
        doc = self.trajectory.doc
        yield from self.row("Organisatie", Input(doc.get("organisatie", ""), id="f-organisation"))
        yield from self.row("Aandachtsfunctionaris", Input(doc.get("aandachtsfunctionaris", ""), id="f-attention"))

    def prepare(self) -> Any:
        org, person = self.value("organisation"), self.value("attention")
        session, t = self.session, self.trajectory
        return lambda: session.meldcode.set_organisation(t, org, person)


class MemberModal(StepDialog):
    DIALOG_TITLE = TEXT["member_title"]
    HINT = TEXT["member_hint"]
    SAVED = ""
    FIELD_IDS: ClassVar[dict[str, str]] = {"worker": "f-worker", "role": "f-role"}

    def fields(self) -> ComposeResult:
        session = self.session
        workers = SuggestWords(lambda: [w.full_name for w in session.active_workers()])
        yield from self.row("Collega", Input(id="f-worker", placeholder="naam of initialen", suggester=workers))
        roles = {k: v for k, v in ROLE_LABELS.items() if k != "gestart"}
        yield from self.row("Als", KeyChoice(roles, value="collega", advance=False, hint=CHOICE_HINT, id="f-role"))

    def prepare(self) -> Any:
        worker_id = forms.colleague_id(self.session, self.value("worker"))
        if worker_id is None:
            raise ValidationError("worker", TEXT["worker_bad"])
        role = self.query_one("#f-role", KeyChoice).value or "collega"
        session, t = self.session, self.trajectory
        self.added_name = session.worker_name(worker_id)
        return lambda: session.meldcode.add_member(t, worker_id, role)

    def saved(self, result: Any) -> None:
        self.app.notify(TEXT["member_added"].format(name=self.added_name))
        self.dismiss(result)


class CloseModal(StepDialog):
    HINT = ""
    SAVED = TEXT["closed_saved"]
    FIELD_IDS: ClassVar[dict[str, str]] = {"reason": "f-reason"}

    def title_text(self) -> str:
        return TEXT["close_title"]

    def hint_text(self) -> str:
        return TEXT["close_hint"].format(lead=self.trajectory.lead.text)

    def fields(self) -> ComposeResult:
        yield from self.row("Waarom", TextArea(id="f-reason", soft_wrap=True, tab_behavior="focus"))

    def prepare(self) -> Any:
        reason = self.area("reason")
        session, t = self.session, self.trajectory
        return lambda: session.meldcode.close(t, reason)


class StartModal(Dense, FormDialog):
    """Start a trajectory: whose meldcode applies, the aandachtsfunctionaris, a target date for step 1."""

    HINT = TEXT["start_hint"]
    FIELD_IDS: ClassVar[dict[str, str]] = {"organisation": "f-organisation", "aandachtsfunctionaris": "f-attention",
                                          "step": "f-target"}

    def __init__(self, session: TeamSession, record: StudentRecord) -> None:
        super().__init__(session)
        self.session: TeamSession = session
        self.record = record

    def title_text(self) -> str:
        return TEXT["start_title"].format(name=self.record.details.display_name)

    def fields(self) -> ComposeResult:
        yield from self.row("Organisatie", Input(self.session.worker.organisation, id="f-organisation"))
        yield from self.row("Aandachtsfunctionaris", Input(id="f-attention", placeholder="naam (mag later)"))
        yield from self.row("Streefdatum stap 1", Input(id="f-target", placeholder="datum (mag leeg)"))

    def prepare(self) -> Any:
        org = self.query_one("#f-organisation", Input).value
        person = self.query_one("#f-attention", Input).value
        target = _date(self.query_one("#f-target", Input).value, "step", required=False, upcoming=True)
        session, sid = self.session, self.record.id
        return lambda: session.meldcode.start(sid, organisation=org, aandachtsfunctionaris=person,
                                              targets={m.SIGNALEN: target})

    def saved(self, result: Any) -> None:
        self.app.notify(TEXT["started_saved"])
        self.dismiss(result)


# -- from the dossier ----------------------------------------------------------------------


def _after(then: Callable[[], object] | None) -> Callable[[None], None]:
    def closed(_result: None) -> None:
        if then is not None:
            then()

    return closed


def start(screen: Screen[Any], session: TeamSession, record: StudentRecord, then: Callable[[], object] | None = None) -> None:
    """'meldcode: starten': the start form, then the new trajectory's screen."""

    def started(t: Trajectory | None) -> None:
        if t is not None:
            screen.app.push_screen(MeldcodeScreen(session, record, t), _after(then))

    screen.app.push_screen(StartModal(session, record), started)


def open_existing(screen: Screen[Any], session: TeamSession, record: StudentRecord,
                  then: Callable[[], object] | None = None, *, or_start: bool = False) -> None:
    """Open the student's newest open trajectory (else the newest one); none that the
    worker may read: say so, or (``or_start``, the key m) the start form."""

    def found(ids: list[Trajectory]) -> None:
        if not screen.is_attached:
            return
        if not ids:
            if or_start:
                start(screen, session, record, then)
            else:
                screen.notify(TEXT["none_yet"])
            return
        chosen = next((t for t in reversed(ids) if t.is_open), ids[-1])

        def opened(t: Trajectory) -> None:
            screen.app.push_screen(MeldcodeScreen(session, record, t), _after(then))

        run_in_thread(screen, "meldcode", lambda: session.meldcode.open(chosen.id), done=opened,
                      failed=lambda f: screen.notify(f.text, severity="error"))

    run_in_thread(screen, "meldcode", lambda: session.meldcode.open_for(record.id), done=found,
                  failed=lambda f: screen.notify(f.text, severity="error"))


# -- Vandaag -------------------------------------------------------------------------------


class MeldcodePanel(Vertical):
    """Vandaag's list of open trajectories this worker may read: the next step and its
    target date (overdue in red, and in words). Hidden when there are none."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.trajectories: dict[str, Trajectory] = {}

    def compose(self) -> ComposeResult:
        yield Static(TEXT["panel"].format(n=0), classes="panel-title", id="title-meldcode")
        yield DataTable(id="meldcode", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one("#meldcode", DataTable)
        for label, width in (("Naam", 24), ("Streefdatum", 17), ("Volgende stap", 60)):
            table.add_column(label, width=width)
        self.set_class(True, "-empty")

    def load(self, session: TeamSession) -> None:
        run_in_thread(self, "meldcode-today", session.meldcode.today, done=lambda rows: self.show(session, rows),
                      exclusive=True, failed=lambda f: self.notify(f.text, severity="error"))

    def show(self, session: TeamSession, rows: list[Trajectory]) -> None:
        if not self.is_attached or team_app(self).session is not session or session.is_locked:
            return
        today = local_today()
        table = self.query_one("#meldcode", DataTable)
        table.clear()
        self.trajectories = {t.id: t for t in rows}
        for t in rows:
            record = session.students.get(t.student_id)
            if record is None:
                continue
            target = t.target
            late = t.overdue(today)
            when = Text(f"{target:%d-%m-%Y}" + (" te laat" if late else ""), style="bold red" if late else "") if target else Text("")
            step = m.STEP_LABELS[t.next.step] if t.next.step else t.next.text
            table.add_row(record.details.display_name, when, step, key=t.id)
        self.query_one("#title-meldcode", Static).update(TEXT["panel"].format(n=len(rows)))
        self.set_class(not rows, "-empty")

    @on(DataTable.RowSelected, "#meldcode")
    def open_row(self, event: DataTable.RowSelected) -> None:
        event.stop()
        session = team_app(self).session
        t = self.trajectories.get(event.row_key.value or "")
        if session is None or t is None:
            return
        record = session.students.get(t.student_id)
        if record is None:
            return
        screen = self.screen
        reload = getattr(screen, "reload", None)

        def opened(full: Trajectory) -> None:
            self.app.push_screen(MeldcodeScreen(session, record, full), _after(reload))

        run_in_thread(self, "meldcode", lambda: session.meldcode.open(t.id), done=opened,
                      failed=lambda f: self.notify(f.text, severity="error"))

