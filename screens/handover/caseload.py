"""The caseload transfer: all open files of one worker, each to a chosen colleague, in one go."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen

from jongerenteam import handover as h
from screens.background import Failure, run_in_thread
from screens.dialogs import Confirm, Dialog, leave_asking_if_typed
from screens.text import DataTable, Input, Option, OptionList, Static
from screens.widgets import SteadyFooter

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.session import TeamSession
    from screens.forms import Colleague

from screens.handover.words import TEXT

# -- caseload transfer ------------------------------------------------------------------------


class CaseloadScreen(Screen[None]):
    """All open files of one worker, each to a chosen colleague, in one go."""

    HELP_TITLE = "Caseload overdragen"
    HELP = (
        "De studenten van een collega die weggaat of afwezig is, naar anderen: per student een voorstel voor "
        "een warme overdracht, alleen waar de student toestemming gaf."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Terug"),
        Binding("ctrl+s", "save", "Voorstellen", priority=True),
        Binding("w", "choose_worker", "Van wie", show=True),
        Binding("a", "assign_all", "Alle naar…", show=True),
        *(Binding(str(n), f"assign({n})", show=False) for n in range(10)),
    ]

    def __init__(self, session: TeamSession, worker_id: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.worker_id = worker_id or session.worker_id
        self.assignments: dict[str, str] = {}
        self.records: list[StudentRecord] = []
        self.outcome: dict[str, str] = {}  # student id -> what happened at the last ctrl+s (or why not)
        self.busy = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose_worker":
            return self.session.keys.is_coordinator
        return True

    def colleagues(self) -> list[Colleague]:
        """Everyone who can take over; the first nine also have a digit."""
        return [w for w in sorted(self.session.active_workers(), key=lambda w: w.full_name) if w.id != self.worker_id]

    def compose(self) -> ComposeResult:
        yield Static("", id="cl-title", classes="title")
        yield Static(TEXT["caseload_hint"], classes="hint")
        yield Static("", id="cl-legend", classes="hint")
        yield DataTable(id="cl-table", cursor_type="row")
        yield Static(TEXT["coordinator_caseload_reason"], id="cl-reason-label", classes="hint")
        yield Input(id="cl-reason")
        yield Static("", id="cl-message")
        yield SteadyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#cl-table", DataTable)
        table.add_column("Student", width=30)
        table.add_column("Status", width=12)
        table.add_column("Naar", width=24)
        table.add_column("Uitkomst", width=44)
        self.fill()
        table.focus()

    def fill(self) -> None:
        name = self.session.workers[self.worker_id].full_name
        self.query_one("#cl-title", Static).update(TEXT["caseload_title"].format(name=name))
        colleagues = self.colleagues()
        legend = " · ".join(f"{i + 1} {w.full_name}" for i, w in enumerate(colleagues[:9]))
        more = TEXT["more_colleagues"].format(n=len(colleagues)) if len(colleagues) > 9 else ""
        self.query_one("#cl-legend", Static).update(legend + TEXT["not_assigned"] + more)
        # A coördinator moving a colleague's students says why (the contact person reads it).
        for widget_id in ("#cl-reason-label", "#cl-reason"):
            self.query_one(widget_id).display = self.worker_id != self.session.worker_id
        self.records = self.session.handover.caseload_of(self.worker_id)
        self.assignments = {}
        table = self.query_one("#cl-table", DataTable)
        table.clear()
        for r in self.records:
            table.add_row(r.details.display_name, r.status, "—", self.outcome.get(r.id, ""), key=r.id)
        self.query_one("#cl-message", Static).update("" if self.records else TEXT["caseload_none"].format(name=name))

    def action_assign(self, n: int) -> None:
        if not self.records:
            return
        colleagues = self.colleagues()[:9]
        if n > len(colleagues):
            self.app.bell()
            self.query_one("#cl-message", Static).update(TEXT["no_colleague"].format(n=n, count=len(colleagues)))
            return
        self.assign(self.query_one("#cl-table", DataTable).cursor_row, colleagues[n - 1] if n else None)

    def assign(self, row: int, worker: Colleague | None) -> None:
        """Row ``row`` goes to ``worker`` (None: stays); the cursor moves on to the next student."""
        table = self.query_one("#cl-table", DataTable)
        record = self.records[row]
        if worker is None:
            self.assignments.pop(record.id, None)
        else:
            self.assignments[record.id] = worker.id
        table.update_cell(record.id, table.ordered_columns[2].key, worker.full_name if worker else "—")
        if row + 1 < len(self.records):
            table.move_cursor(row=row + 1)

    def action_assign_all(self) -> None:
        """Every student to one colleague (then change single rows with 1-9, 0 or Enter)."""
        if not self.records:
            return
        by_id = {w.id: w for w in self.colleagues()}

        def chosen(worker_id: str | None) -> None:
            if worker_id in by_id:
                for row in range(len(self.records)):
                    self.assign(row, by_id[worker_id])
                self.query_one("#cl-table", DataTable).move_cursor(row=0)

        self.app.push_screen(WorkerPicker(list(by_id.values()), TEXT["caseload_all_to"]), chosen)

    @on(DataTable.RowSelected, "#cl-table")
    def pick_from_list(self, event: DataTable.RowSelected) -> None:
        """Enter on a student: choose from every colleague (a team may have more than nine)."""
        row = event.cursor_row
        by_id = {w.id: w for w in self.colleagues()}

        def chosen(worker_id: str | None) -> None:
            if worker_id in by_id and row < len(self.records):
                self.assign(row, by_id[worker_id])

        self.app.push_screen(WorkerPicker(list(by_id.values()), TEXT["caseload_to"]), chosen)

    def action_choose_worker(self) -> None:
        if not self.session.keys.is_coordinator:
            self.notify(TEXT["coordinator_caseload"], severity="warning")
            return
        workers = sorted(self.session.active_workers(), key=lambda w: w.full_name)

        def chosen(value: str | None) -> None:
            if value:
                self.worker_id = value
                self.outcome = {}
                self.fill()

        self.app.push_screen(WorkerPicker(workers, TEXT["caseload_who"]), chosen)

    def action_back(self) -> None:
        if self.busy:
            return
        # Colleagues chosen but not yet proposed: ask before throwing the choices away.
        leave_asking_if_typed(self, bool(self.assignments),
                              lambda: self.dismiss() if self.is_modal else self.app.pop_screen())

    def action_save(self) -> None:
        if self.busy or not self.assignments:
            if not self.assignments:
                self.query_one("#cl-message", Static).update(TEXT["pick_first"])
            return
        # A summary first: how many to whom, and how many stay.
        counts: dict[str, int] = {}
        for to in self.assignments.values():
            counts[to] = counts.get(to, 0) + 1
        names = self.session.workers
        parts = [f"{n} naar {names[to].full_name if to in names else '?'}" for to, n in sorted(counts.items(), key=lambda kv: -kv[1])]
        stay = len(self.records) - len(self.assignments)
        question = TEXT["caseload_summary"].format(parts=", ".join(parts), stay=stay)

        def answered(yes: bool | None) -> None:
            if yes:
                self.propose()

        self.app.push_screen(Confirm(question), answered)

    def propose(self) -> None:
        self.busy = True
        self.query_one("#cl-message", Static).update(TEXT["busy"])
        session, worker_id, assignments = self.session, self.worker_id, dict(self.assignments)
        reason = self.query_one("#cl-reason", Input).value if worker_id != session.worker_id else ""
        run_in_thread(self, "caseload", lambda: session.handover.transfer_caseload(worker_id, assignments, reason=reason),
                      done=self.done, failed=self.failed, exclusive=True)

    def failed(self, failure: Failure) -> None:
        self.busy = False
        self.query_one("#cl-message", Static).update(failure.text)

    def done(self, result: h.CaseloadResult) -> None:
        self.busy = False
        names = {r.id: r.details.display_name for r in self.records}
        workers = self.session.workers
        to_name = {sid: workers[to].full_name if to in workers else "?" for sid, to in self.assignments.items()}
        self.outcome = {sid: TEXT["outcome_proposed"].format(name=to_name.get(sid, "?")) for sid in result.proposed}
        self.outcome.update({sid: TEXT["outcome_held"].format(name=to_name.get(sid, "?")) for sid in result.held})
        self.outcome.update({sid: TEXT["outcome_skipped"].format(why=why) for sid, why in result.skipped})
        skipped = "; ".join(f"{names.get(sid, '?')} ({why})" for sid, why in result.skipped)
        n = len(result.proposed)
        words = {"n": n, "overdrachten": "overdracht" if n == 1 else "overdrachten"}
        text = (TEXT["caseload_done"].format(skipped=skipped, **words) if skipped
                else TEXT["caseload_done_all"].format(**words))
        if result.held:
            text += " " + TEXT["caseload_held"].format(n=len(result.held))
        self.fill()
        self.query_one("#cl-message", Static).update(text)


class WorkerPicker(Dialog):
    """Choose one colleague from a list (arrows and Enter); Esc chooses nobody."""

    def __init__(self, workers: Iterable[Colleague], title: str) -> None:
        super().__init__()
        self.choices = list(workers)  # not "workers": Textual's Screen has its own
        self.title_text = title

    def compose(self) -> ComposeResult:
        options = OptionList(*(Option(w.full_name, id=w.id) for w in self.choices))
        options.border_title = self.title_text
        yield options
        yield SteadyFooter()

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
