"""Tab 4 Leefdomeinen: per leefdomein the latest score, a sparkline, a chart over time, and ScoreDialog."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.css.query import NoMatches

from jongerenteam import dossier as d
from jongerenteam.catalogue import LEEFDOMEINEN, SCORES
from jongerenteam.dates import format_date, local_today, parse_date
from jongerenteam.domain import ValidationError
from jongerenteam.text import LIMITS
from screens.dossier.base import DossierDialog, TablePane, initials
from screens.text import DataTable, Input, Static
from screens.widgets import KeyChoice, leefdomein_options

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.session import TeamSession

DOMAIN_LABELS = {x.code: x.label for x in LEEFDOMEINEN}

# The column titles; every other word is in TEXT.
COLUMNS = ("Leefdomein", "Laatste score", "Datum", "Verloop", "Reden")

TEXT = {
    "title": "Leefdomeinen",
    "no_score": "nog geen score",
    "chart_title": "{domain} · {score} {label} ({date})",
    "chart_empty": "{domain}: nog geen score. Druk op a om een score te geven (1 acute problematiek … 5 volledig zelfredzaam).",
    "chart_some": "laatste {n} van {total} scores",
    "history_title": "Alle scores voor {domain} (nieuwste eerst):",
    "history_line": "{date} · {score} {label} · {by}{reason}",
    "score_title": "Leefdomeinscore toevoegen",
    "score_domain": "Leefdomein (1-9)",
    "score_value": "Score (1-5)",
    "score_date": "Datum",
    "score_reason": "Reden (kort)",
    "score_reason_placeholder": "waarom deze score, in een paar woorden",
    "date_placeholder": "bijv. 23-11-2026 of 23 nov 2026",
    "need_domain": "Kies een leefdomein met de toetsen 1-9 (of ← →).",
    "need_score": "Kies een score met de toetsen 1-5 (of ← →).",
    "score_saved": "Score voor {domain} opgeslagen: {score} {label}.",
}

SCORE_STYLES = {1: "bold red", 2: "dark_orange", 3: "yellow", 4: "green", 5: "bold green"}
SPARK = {1: "▁", 2: "▃", 3: "▄", 4: "▆", 5: "█"}
SPARK_MAX = 12  # scores shown in the table's Verloop column


def spark(scores: list[d.Score]) -> Text:
    """The table's Verloop: one block per score (oldest left), coloured by score."""
    if not scores:
        return Text("–", style="dim")
    out = Text()
    for s in scores[-SPARK_MAX:]:
        out.append(SPARK.get(s.score, "?"), style=SCORE_STYLES.get(s.score, ""))
    return out


def score_chart(scores: list[d.Score], width: int) -> Text:
    """A bar chart of one leefdomein's scores over time: rows 5..1, one bar per score,
    the date (dd-mm) under each bar. One score is one bar; none is not drawn."""
    step = 7
    room = max(1, (max(width, 20) - 4) // step)
    shown = scores[-room:]
    lines = Text()
    for level in range(5, 0, -1):
        lines.append(f"{level} │", style="dim")
        for s in shown:
            cell = " ███   " if s.score >= level else "       "
            lines.append(cell, style=SCORE_STYLES.get(s.score, ""))
        lines.append("\n")
    lines.append("  └" + "─" * (step * len(shown)) + "\n", style="dim")
    lines.append("   ")
    for s in shown:
        lines.append(f"{s.on:%d-%m}  ")
    if len(shown) < len(scores):
        lines.append("\n")
        lines.append(TEXT["chart_some"].format(n=len(shown), total=len(scores)), style="dim")
    return lines


class ScoresPane(TablePane):
    """Per leefdomein the latest score, a sparkline of all scores, and for the
    highlighted domain a chart over time and the full list."""

    TAB_TITLE = TEXT["title"]
    BINDINGS: ClassVar[list[BindingType]] = [Binding("a", "add", "Score toevoegen")]
    TABLES: ClassVar[dict[str, Sequence[tuple[str, int | None]]]] = {
        "scores-table": list(zip(COLUMNS, (18, 24, 10, SPARK_MAX, None), strict=True)),
    }
    MAIN = "scores-table"

    def compose(self) -> ComposeResult:
        yield DataTable(id="scores-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="scores-detail"):
            yield Static("", id="scores-chart")
            yield Static("", id="scores-history")

    def ordered_domains(self) -> list[str]:
        scores = self.shown.scores
        with_scores = [x.code for x in LEEFDOMEINEN if scores.get(x.code)]
        return with_scores + [x.code for x in LEEFDOMEINEN if not scores.get(x.code)]

    def fill(self) -> None:
        super().fill()
        table = self.query_one("#scores-table", DataTable)
        keep = self.highlighted("scores-table")
        table.clear()
        for code in self.ordered_domains():
            series = self.shown.scores.get(code, [])
            if series:
                last = series[-1]
                table.add_row(
                    DOMAIN_LABELS[code],
                    Text(f"{last.score} {SCORES.get(last.score, '')}", style=SCORE_STYLES.get(last.score, "")),
                    format_date(last.on),
                    spark(series),
                    last.reason,
                    key=code,
                )
            else:
                table.add_row(DOMAIN_LABELS[code], Text(TEXT["no_score"], style="dim"), "", spark([]), "", key=code)
        self.keep(table, keep)
        self.show_domain(self.highlighted("scores-table"))

    @on(DataTable.RowHighlighted, "#scores-table")
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_domain(event.row_key.value)

    def show_domain(self, code: str | None) -> None:
        if code is None or self.dossier is None:
            return
        series = self.dossier.scores.get(code, [])
        label = DOMAIN_LABELS[code]
        chart = self.query_one("#scores-chart", Static)
        history = self.query_one("#scores-history", Static)
        if not series:
            chart.update(TEXT["chart_empty"].format(domain=label))
            history.update("")
            return
        last = series[-1]
        title = Text(
            TEXT["chart_title"].format(domain=label, score=last.score, label=SCORES.get(last.score, ""),
                                       date=format_date(last.on)),
            style="bold",
        )
        width = self.query_one("#scores-detail").content_size.width or 60
        chart.update(Text("\n").join([title, score_chart(series, width)]))
        lines = [TEXT["history_title"].format(domain=label)]
        for s in reversed(series):
            lines.append(TEXT["history_line"].format(
                date=format_date(s.on), score=s.score, label=SCORES.get(s.score, ""),
                by=initials(self.session, s.by), reason=f" · {s.reason}" if s.reason else "",
            ))
        history.update("\n".join(lines))

    def on_resize(self) -> None:
        try:
            self.show_domain(self.highlighted("scores-table"))
        except NoMatches:
            return

    def action_add(self) -> None:
        self.app.push_screen(ScoreDialog(self.session, self.record, domain=self.highlighted("scores-table")), self.added)


class ScoreDialog(DossierDialog):
    """A 1-5 score on one leefdomein: digits pick the domain and the score."""

    DIALOG_TITLE = TEXT["score_title"]
    FIELD_IDS: ClassVar[dict[str, str]] = {"domain": "score-domain", "score": "score-value", "on": "score-date", "reason": "score-reason"}

    def __init__(self, session: TeamSession, record: StudentRecord, *, domain: str | None = None, restore: bool = False) -> None:
        super().__init__(session, record, restore=restore)
        self.domain = domain

    def fields(self) -> ComposeResult:
        yield from self.row(TEXT["score_domain"], KeyChoice(leefdomein_options(), value=self.domain, id="score-domain"))
        scores = [(str(n), label) for n, label in SCORES.items()]
        yield from self.row(TEXT["score_value"], KeyChoice(scores, id="score-value"))
        # The reason right after the score (a digit there moves on to it); the date, filled
        # in with today, last: typing the reason must never land in the date.
        yield from self.row(
            TEXT["score_reason"], Input(placeholder=TEXT["score_reason_placeholder"], max_length=LIMITS["line"], id="score-reason")
        )
        yield from self.row(TEXT["score_date"], Input(placeholder=TEXT["date_placeholder"], id="score-date"))

    def prefill(self) -> None:
        self.query_one("#score-date", Input).value = format_date(local_today())

    def first_focus(self) -> None:
        # Always the domain first (the highlighted one is chosen already; Enter
        # keeps it, a digit picks another), as the footer and the guide say:
        # a digit meant for the domain must never land on the score.
        self.query_one("#score-domain").focus()

    def prepare(self) -> Any:
        today = local_today()
        domain = self.query_one("#score-domain", KeyChoice).value
        score = self.query_one("#score-value", KeyChoice).value
        problems: list[tuple[str, str]] = []
        if domain is None:
            problems.append(("domain", TEXT["need_domain"]))
        if score is None:
            problems.append(("score", TEXT["need_score"]))
        on = None
        try:
            on = parse_date(self.query_one("#score-date", Input).value, today=today, field="on")
        except ValidationError as exc:
            problems.append((exc.field, exc.message))
        if problems or on is None:
            self.show_problems(problems)
            return None
        new = d.NewScore(domain, int(score), on, self.query_one("#score-reason", Input).value)
        new.validate(today)
        session, student_id = self.session, self.record.id
        return lambda: session.dossier.add_score(student_id, new)

    def saved_text(self, result: Any) -> str:
        score = int(self.query_one("#score-value", KeyChoice).value)
        domain = DOMAIN_LABELS[self.query_one("#score-domain", KeyChoice).value]
        return TEXT["score_saved"].format(domain=domain, score=score, label=SCORES[score])
