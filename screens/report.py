"""Rapportage (coördinator): the figures of a period, with bars, and CSV/PDF export.

The statistics documents are read once (a thread worker) and the figures
computed again when the period or the municipality changes; no student
file is opened. Every export is logged ("rapportage csv" / "rapportage pdf").
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table as RichTable
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen

from jongerenteam import report as rp
from jongerenteam.dates import local_today, parse_date
from jongerenteam.domain import ValidationError
from screens.background import run_in_thread
from screens.dialogs import Dialog, unless_replacing
from screens.interfaces import Command, current_session, team_app
from screens.text import Input, Label, Option, OptionList, Static, cell, literal
from screens.widgets import SteadyFooter

if TYPE_CHECKING:
    from jongerenteam.session import TeamSession

TEXT = {
    "title": "Rapportage",
    "loading": "De cijfers worden geteld…",
    "hint": "m maand · k kwartaal · j schooljaar · a eigen periode · ←/→ vorige/volgende · g gemeente · c CSV · p PDF · Esc terug",
    "month": "Maand",
    "quarter": "Kwartaal",
    "year": "Schooljaar",
    "custom": "Eigen periode",
    "previous": "Vorige",
    "next": "Volgende",
    "municipality": "Gemeente",
    "csv": "CSV",
    "pdf": "PDF",
    "back": "Terug",
    "custom_title": "Eigen periode",
    "from": "Van (dd-mm-jjjj)",
    "to": "Tot en met (dd-mm-jjjj)",
    "custom_hint": "Enter: tonen · Esc: terug",
    "pick_title": "Welke woongemeente?",
    "all": "Alle gemeenten",
    "save_title": "Rapportage opslaan als {fmt}",
    "save_hint": "Enter: opslaan · Esc: terug. Controleer de map; het bestand bevat alleen cijfers.",
    "saved": "Rapportage opgeslagen: {path}",
    "busy": "Bezig met opslaan…",
    "coordinator_only": "Alleen een coördinator kan de rapportage zien.",
    "records": "{n} studenten in de opslag geteld",
}
BAR_WIDTH = 30


def bar(value: float | None, top: float) -> str:
    """A row of blocks scaled to the largest cell; hidden cells get none."""
    if not value or not top:
        return ""
    return "█" * max(1, round(BAR_WIDTH * value / top))


def render_table(table: rp.Table) -> RichTable:
    """One table of the report: every title, header, label and figure is literal text.

    A Rich ``Table`` parses a plain ``str`` as markup, and a row label can be a
    typed programme name ("Kok[/]"), so nothing reaches it as a ``str``.
    """
    out = RichTable(title=literal(table.title, style="bold"), title_justify="left", expand=False,
                    show_edge=False, pad_edge=False, box=None)
    out.add_column(literal(""), no_wrap=True, max_width=40)
    for h in table.headers:
        out.add_column(literal(h), justify="right", no_wrap=True)
    column = table.bar_column
    if column is not None:
        out.add_column(literal(""), no_wrap=True)
    top = max((c[column].value or 0 for _, c in table.rows), default=0) if column is not None else 0
    for label, cells in table.rows:
        extra = [literal(bar(cells[column].value, top), style="cyan")] if column is not None else []
        out.add_row(cell(label), *(literal(c.text) for c in cells), *extra)
    if table.total is not None:
        label, cells = table.total
        out.add_row(literal(label, style="bold"), *(literal(c.text, style="bold") for c in cells),
                    *([literal("")] if column is not None else []))
    if table.note:
        out.caption = literal(table.note, style="table.caption")  # Rich styles only a str caption itself
        out.caption_justify = "left"
    return out


class PeriodModal(Dialog):
    """Two dates typed as dd-mm-jjjj; a bad one gets a message under its field."""

    def __init__(self, period: rp.Period) -> None:
        super().__init__()
        self.period = period

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(TEXT["custom_title"], classes="title")
            yield Label(TEXT["from"])
            yield Input(rp.fmt_date(self.period.start), id="period-from")
            yield Static("", id="period-from-error", classes="error")
            yield Label(TEXT["to"])
            yield Input(rp.fmt_date(self.period.end), id="period-to")
            yield Static("", id="period-to-error", classes="error")
            yield Static(TEXT["custom_hint"], classes="hint")
        yield SteadyFooter()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "period-from":
            self.query_one("#period-to", Input).focus()
            return
        dates = {}
        ok = True
        for name in ("from", "to"):
            error = self.query_one(f"#period-{name}-error", Static)
            try:
                dates[name] = parse_date(self.query_one(f"#period-{name}", Input).value, field=name)
                error.update("")
            except ValidationError as exc:
                error.update(exc.message)
                ok = False
        if not ok:
            return
        try:
            self.dismiss(rp.custom(dates["from"], dates["to"]))
        except ValidationError as exc:
            self.query_one(f"#period-{'from' if exc.field == 'start' else 'to'}-error", Static).update(exc.message)


class MunicipalityModal(Dialog):
    """All municipalities, or one woongemeente (the bestuurlijk overleg)."""

    ALL = "*"

    def __init__(self, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(TEXT["pick_title"], classes="title")
            yield OptionList(Option(TEXT["all"], id=self.ALL),
                             *(Option(name, id=code or "-") for code, name in self.choices), id="municipality-list")
        yield SteadyFooter()

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id
        self.dismiss(self.ALL if option_id == self.ALL else ("" if option_id == "-" else option_id))


class SaveModal(Dialog):
    """Where the export goes; a folder that does not exist gets a message under the field."""

    MESSAGE_ID = "save-error"

    def __init__(self, fmt: str, default: Path) -> None:
        super().__init__()
        self.fmt = fmt
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(TEXT["save_title"].format(fmt=self.fmt.upper()), classes="title")
            yield Input(str(self.default), id="save-path")
            yield Static("", id="save-error", classes="error")
            yield Static(TEXT["save_hint"], classes="hint")
        yield SteadyFooter()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        from jongerenteam.pdf import check_target

        event.stop()
        value = event.value
        try:
            target = rp.csv_target(value) if self.fmt == "csv" else check_target(value, example="rapportage.pdf")
        except ValidationError as exc:
            self.say(exc.message)
            return
        unless_replacing(self, target, self.dismiss)


class ReportScreen(Screen[None]):
    """The coördinator's figures: period keys, municipality view, tables with bars, export."""

    HELP_TITLE = "Rapportage"
    HELP = (
        "De cijfers voor de gemeenten over een periode, zonder dossiers te openen. Elk aantal is een klein "
        "beetje veranderd om studenten te beschermen; kleine gemeenten staan samen. Bewaar als CSV of PDF."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "period('maand')", TEXT["month"]),
        Binding("k", "period('kwartaal')", TEXT["quarter"]),
        Binding("j", "period('schooljaar')", TEXT["year"]),
        Binding("a", "custom", TEXT["custom"]),
        Binding("left", "shift(-1)", TEXT["previous"], key_display="←"),
        Binding("right", "shift(1)", TEXT["next"], key_display="→"),
        Binding("g", "municipality", TEXT["municipality"]),
        Binding("c", "export('csv')", TEXT["csv"]),
        Binding("p", "export('pdf')", TEXT["pdf"]),
        Binding("escape", "back", TEXT["back"]),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.period = rp.quarter_of(local_today())
        self.municipality: str | None = None
        self.documents: rp.Statistics | None = None
        self.report: rp.Report | None = None

    @property
    def session(self) -> TeamSession:
        return current_session(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="report-head"):
            yield Static(TEXT["title"], id="report-title", classes="title")
            yield Static(TEXT["hint"], classes="hint")
        yield Static(TEXT["loading"], id="report-message")
        yield VerticalScroll(id="report-scroll")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#report-scroll").focus()
        self.recompute()

    def show_message(self, text: str, error: bool = False) -> None:
        message = self.query_one("#report-message", Static)
        message.update(text)
        message.set_class(error, "error")

    # -- computing -------------------------------------------------------------------------

    def recompute(self) -> None:
        self.show_message(TEXT["loading"])
        self.compute(self.period, self.municipality)

    def compute(self, period: rp.Period, municipality: str | None) -> None:
        session = self.session

        def count() -> rp.Report:
            # The documents once; the figures again for every period or municipality.
            if self.documents is None:
                self.documents = session.report.statistics_documents()
            return session.report.report_from(self.documents, period, municipality)

        run_in_thread(self, "report", count, done=self.show_report, failed=lambda f: self.show_message(f.text, True),
                      exclusive=True)

    async def show_report(self, report: rp.Report) -> None:
        self.report = report
        self.query_one("#report-title", Static).update(report.title)
        said = " ".join(report.notes) + " · " + TEXT["records"].format(n=report.records)
        self.show_message(said, error=bool(report.damaged))
        scroll = self.query_one("#report-scroll", VerticalScroll)
        await scroll.remove_children()
        await scroll.mount_all(
            Static(render_table(t), classes="report-table", id=f"report-{t.key}") for t in report.tables
        )

    # -- keys ----------------------------------------------------------------------------------

    def action_period(self, kind: str) -> None:
        anchor = self.period.start
        self.period = {"maand": rp.month_of, "kwartaal": rp.quarter_of, "schooljaar": rp.school_year_of}[kind](anchor)
        self.recompute()

    def action_shift(self, step: int) -> None:
        new = self.period.shift(step)
        if new == self.period:
            self.app.bell()  # the edge of the years a report covers
            return
        self.period = new
        self.recompute()

    def action_custom(self) -> None:
        def chosen(period: rp.Period | None) -> None:
            if period is not None:
                self.period = period
                self.recompute()

        self.app.push_screen(PeriodModal(self.period), chosen)

    def action_municipality(self) -> None:
        if self.documents is None:
            return

        def chosen(code: str | None) -> None:
            if code is None:
                return
            self.municipality = None if code == MunicipalityModal.ALL else code
            self.recompute()

        self.app.push_screen(MunicipalityModal(self.session.report.report_municipalities(self.documents)), chosen)

    def action_export(self, fmt: str) -> None:
        if self.report is None:
            return
        from jongerenteam.pdf import documents_folder

        report = self.report
        default = documents_folder() / rp.default_file_name(report, fmt)

        session = self.session

        def chosen(target: Path | None) -> None:
            if target is not None:
                self.show_message(TEXT["busy"])
                # A full disk: one Dutch sentence.
                run_in_thread(self, "report-export", lambda: session.report.export_report(report, fmt, target),
                              done=self.exported, failed=lambda f: self.show_message(f.text, True), exclusive=True)

        self.app.push_screen(SaveModal(fmt, default), chosen)

    def exported(self, target: Path) -> None:
        self.show_message(TEXT["saved"].format(path=target))
        self.app.notify(TEXT["saved"].format(path=target))

    def action_back(self) -> None:
        self.app.pop_screen()


def commands(app: App[Any], screen: Screen[Any]) -> list[Command]:
    """Palette commands: the report, for a coördinator."""
    session = team_app(app).session
    if session is None or session.is_locked or not session.keys.is_coordinator:
        return []
    if isinstance(screen, ReportScreen):
        return []
    return [("rapportage: tonen", "Cijfers per periode en gemeente, met export naar CSV en PDF",
             lambda: app.push_screen(ReportScreen()))]
