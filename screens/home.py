"""Vandaag: the home screen after unlock, with search from anywhere.

While the search field is empty, the worker sees their day: their
caseload with the next appointment, today's spreekuur, aanmeldingen waiting
for a first talk, appointments due or overdue, students turning 18 soon and
emergency accesses to their students' files. Typing in the search field
shows matching students instead.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import Screen
from textual.widgets.input import Selection

from jongerenteam.catalogue import LEVEL_LABELS, ROLE_LABELS, STATUSES, URGENCIES
from jongerenteam.dates import local_today
from jongerenteam.domain import WAITING_STANDARD_DAYS, age_on, eighteenth_birthday
from screens.background import Failure, failure_text, run_in_thread
from screens.interfaces import team_app
from screens.meldcode import MeldcodePanel
from screens.messages import StoreChanged
from screens.student import open_student
from screens.text import DataTable, Input, Static
from screens.widgets import SteadyFooter, highlighted_key

_Row = TypeVar("_Row")

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.session import TeamSession
    from jongerenteam.spreekuur import DueRow, QueueRow, Today

# The column titles; every other word is in TEXT.
COLUMNS = ("Naam", "Lft", "Opleiding", "Niveau", "Contactpersoon", "Status", "Betrokken")

TEXT = {
    "search": "Zoek op naam, studentnummer of geboortedatum (/ of ctrl+f)",
    "yes": "ja",
    "no": "nee",
    "count": "{shown} van {total} studenten",
    "count_capped": "{shown} van {total} studenten getoond: typ verder om te zoeken",
    "none": "Geen student gevonden. Ctrl+n: een nieuwe inloop, met wat je typte al ingevuld.",
    "preparing": "Het zoeken wordt voorbereid…",
    "damaged": "Let op: {n} student(en) konden niet worden gelezen (beschadigd). Meld dit bij de coördinator.",
    "caseload": "Mijn studenten ({n})",
    "queue": "Spreekuur vandaag ({n})",
    "waiting": "Wachten op eerste gesprek ({n}) · norm {days} werkdagen",
    "due": "Afspraken vandaag en te laat ({n})",
    "turning": "Wordt binnen 6 maanden 18 ({n})",
    "notices": "Noodtoegang tot dossiers van jouw studenten (laatste 30 dagen)",
    "notice": "{at:%d-%m %H:%M} · {name} · door {by} met {coordinator} · {reason}",
    "anonymous": "anoniem",
    "no_date": "geen afspraak",
    "loading": "Vandaag wordt geladen…",
    "today_failed": "Vandaag kon niet worden geladen: {reason}",
    "name_contact": "Nieuwe contactpersoon voor {name}",
    "contact_named": "{name} is nu contactpersoon. Het dossier gaat voor {name} open na toestemming van de student.",
    "first_rows": " · de eerste {shown}, + toont alles",
}
# Search results drawn at most (the count says how many there are): a few screens full.
MAX_ROWS = 100
# Search results drawn at once: a screenful. The rest of the (at most MAX_ROWS) found
# are drawn when the cursor comes near the end: each keystroke draws only what is seen.
PAGE_ROWS = 30
# Each list of Vandaag draws its first rows only, in the order that matters
# (acuut and longest waiting first, overdue first, the next appointment first);
# its title gives the whole count and "+" draws the rest of the focused list.
PANEL_ROWS = 50
# Status words that fit a narrow column.
STATUS_SHORT = {**STATUSES, "wacht": "wacht 1e gesprek"}


def age_text(record: StudentRecord, day: date) -> str:
    birth = record.details.birth_date
    return str(age_on(birth, day)) if birth else ""


class HomeScreen(Screen[None]):
    """Vandaag, and the search results while something is typed."""

    HELP_TITLE = "Vandaag"
    HELP = (
        "Je dag in één scherm: jouw studenten met hun volgende afspraak, wie er vandaag binnenliep, wie wacht"
        " op een eerste gesprek, wat vandaag moet of te laat is en wie binnenkort 18 wordt. Typ een naam om "
        "te zoeken; Enter opent de student. Geeft een anonieme inloop later haar naam: Enter op die inloop "
        "koppelt hem aan haar dossier. Een lange lijst toont eerst de 50 belangrijkste regels: + toont alles."
    )

    # ctrl+o (Vandaag) is not in the footer here: this is Vandaag (it still clears a search).
    FOOTER_HIDES = frozenset({"today"})
    # Below 100 columns the lists stack (app.tcss: HomeScreen.-narrow).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (Textual declares it without ClassVar)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Zoeken", key_display="/", show=False),
        Binding("escape", "clear_search", "Wissen", show=False),
        Binding("down", "to_results", "Naar de lijst", show=False),
        # Vandaag renews itself; F5 stays for whoever wants it now (help lists it).
        Binding("f5", "reload", "Vernieuwen", show=False),
        # Named in the title of a list that shows only its first rows.
        Binding("plus", "show_all", "Alles tonen", key_display="+", show=False),
    ]

    def __init__(self, session: TeamSession, first_day: Today | None = None) -> None:
        super().__init__()
        self.session = session
        self.first_day = first_day  # read in the unlock's thread: shown on mount, not read again
        self.due_rows: list[DueRow] = []  # as shown: Enter on one may open its handover
        self.queue_rows: list[QueueRow] = []  # as shown: Enter on an anonymous one links it to a student
        self.today: Today | None = None  # as loaded: "+" shows a whole list from it
        self.shown_keys: list[str] = []  # the search results as drawn (same ones: not drawn again)
        self.waiting_rows: list[StudentRecord] = []  # found, not drawn yet (more_results)
        self.whole: set[str] = set()  # the lists shown whole ("+")
        self.search_prepared = False  # the index build is asked for once, after Vandaag's first frame
        self.search_started = False  # its thread was started
        self.shown_query = ""
        self.damaged_shown = 0  # how many damaged students the warning counts

    def compose(self) -> ComposeResult:
        w = self.session.worker
        yield Static(
            f"Vandaag · {team_app(self).team_name} · {w.full_name} ({ROLE_LABELS.get(w.role, w.role)}) · {local_today():%d-%m-%Y}",
            classes="title", id="home-title",
        )
        # Not select_on_focus: a letter typed on a list lands in it (on_key) and must stay.
        yield Input(placeholder=TEXT["search"], id="search", select_on_focus=False)
        damaged = Static(TEXT["damaged"].format(n=len(self.session.damaged_ids)), classes="error", id="damaged")
        damaged.display = bool(self.session.damaged_ids)
        self.damaged_shown = len(self.session.damaged_ids)
        yield damaged
        yield Static("", id="notices", classes="error")
        yield MeldcodePanel(classes="panel", id="panel-meldcode")  # only with open trajectories
        with Vertical(id="results"):
            yield Static("", id="count", classes="hint")
            yield DataTable(id="students", cursor_type="row", zebra_stripes=True)
        with Grid(id="today"):
            with Vertical(classes="panel", id="panel-caseload"):
                yield Static(TEXT["caseload"].format(n=0), classes="panel-title", id="title-caseload")
                yield DataTable(id="caseload", cursor_type="row")
            with Vertical(classes="panel"):
                yield Static(TEXT["queue"].format(n=0), classes="panel-title", id="title-queue")
                yield DataTable(id="queue", cursor_type="row")
            with Vertical(classes="panel"):
                yield Static(TEXT["waiting"].format(n=0, days=WAITING_STANDARD_DAYS), classes="panel-title", id="title-waiting")
                yield DataTable(id="waiting", cursor_type="row")
            with Vertical(classes="panel"):
                yield Static(TEXT["due"].format(n=0), classes="panel-title", id="title-due")
                yield DataTable(id="due", cursor_type="row")
            with Vertical(classes="panel"):
                yield Static(TEXT["turning"].format(n=0), classes="panel-title", id="title-turning")
                yield DataTable(id="turning", cursor_type="row")
        yield SteadyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#students", DataTable)
        # Fixed widths that fit 120 columns (with the cell padding); a longer name ends in "…".
        for label, width in zip(COLUMNS, (28, 3, 24, 8, 16, 16, 9), strict=True):
            table.add_column(label, width=width)
        caseload = self.query_one("#caseload", DataTable)
        for label, width in (("Naam", 24), ("Lft", 3), ("Status", 10), ("Volgende afspraak", 22)):
            caseload.add_column(label, width=width)
        queue = self.query_one("#queue", DataTable)
        # Fixed too: a 60-letter surname ends in "…" and "Door" stays in view.
        for label, width in (("Tijd", 5), ("Naam", 24), ("Door", 4)):
            queue.add_column(label, width=width)
        waiting = self.query_one("#waiting", DataTable)
        for label, width in (("Naam", 20), ("Urgentie", 8), ("Dagen", 5), ("Bij", 3)):
            waiting.add_column(label, width=width)
        due = self.query_one("#due", DataTable)
        # Fixed widths that fit the panel at 120 and at 80 columns: a long "Wat" ends in "…",
        # not cut off by the panel's border.
        for label, width in (("Datum", 13), ("Naam", 17), ("Wat", 34)):
            due.add_column(label, width=width)
        turning = self.query_one("#turning", DataTable)
        for label, width in (("Naam", 24), ("18 op", 10), ("Dagen", 5)):
            turning.add_column(label, width=width)
        self.query_one("#results").display = False
        self.query_one("#notices").display = False
        self.reload()
        self.query_one("#caseload", DataTable).focus()

    # -- Vandaag -------------------------------------------------------------

    def reload(self) -> None:
        """Read the day again (after a save, or F5)."""
        if self.session.is_locked:
            return
        query = self.query_one("#search", Input).value.strip()
        self.shown_keys = []  # read again: the same students may show something new
        if query:
            self.show_results(query)
        self.load_today()
        self.query_one(MeldcodePanel).load(self.session)

    def action_reload(self) -> None:
        """F5: ask the store what changed now (other windows, other laptops), then read the day again."""
        team_app(self).sync_now()
        self.reload()

    def on_store_changed(self, message: StoreChanged) -> None:
        """Something changed in the store: the day and the search results are read again."""
        self.reload()

    def go_today(self) -> None:
        """ctrl+o: away from any search, back to the day, read again."""
        field = self.query_one("#search", Input)
        if field.value:
            field.value = ""
        self.query_one("#results").display = False
        self.query_one("#today").display = True
        self.reload()
        self.query_one("#caseload", DataTable).focus()

    def load_today(self) -> None:
        first, self.first_day = self.first_day, None
        # The day read in the unlock's thread is shown as one read now would be (the same worker,
        # the same failure path), without reading it again.
        read = self.session.spreekuur.today if first is None else lambda: first
        run_in_thread(self, "today", read, done=self.show_today, exclusive=True,
                      failed=lambda f: self.notify(TEXT["today_failed"].format(reason=f.text), severity="error"))

    def show_today(self, today: Today) -> None:
        if team_app(self).session is not self.session or self.session.is_locked:
            return
        day = local_today()
        self.today = today
        # Filled again after every change in the store: each list keeps its place.
        cursors = {t.id: t.cursor_row for t in self.query(DataTable) if t.id != "students"}
        self._caseload(today, day)
        self._queue(today)
        self._waiting(today)
        self._due(today, day)
        self._turning(today)
        lines = [
            TEXT["notice"].format(
                at=n.at, name=n.record.details.display_name if n.record else "?", by=n.by,
                coordinator=n.coordinator, reason=n.reason,
            )
            for n in today.notices
        ]
        notices = self.query_one("#notices", Static)
        notices.update("\n".join([TEXT["notices"] + ":", *lines]) if lines else "")
        notices.display = bool(lines)
        for table in self.query(DataTable):
            cursor = cursors.get(table.id)
            if cursor and table.row_count:
                table.move_cursor(row=min(cursor, table.row_count - 1))
        if not self.search_prepared:
            self.search_prepared = True
            # Vandaag is on the screen: now the search index, in a thread, before the first
            # letter is typed (the results of one typed sooner come when it is ready; search).
            self.call_after_refresh(self.prepare_search)

    def prepare_search(self) -> None:
        if self.session.is_locked or self.search_started:
            return
        self.search_started = True
        run_in_thread(self, "search-index", self.session.spreekuur.prepare_search, done=self.search_prepared_now,
                      failed=self.search_not_prepared)

    def search_not_prepared(self, failure: Failure) -> None:
        """Said in Dutch; the next letter typed tries again."""
        self.search_started = False
        self.notify(failure_text("search-index", failure.error), severity="error", timeout=10)

    def search_prepared_now(self, _indexed: object = None) -> None:
        """The index is built: what was typed meanwhile is searched now, and any damage said."""
        if self.session.is_locked:
            return
        query = self.query_one("#search", Input).value.strip()
        if query:
            self.show_results(query)
        self.show_damaged()

    def show_damaged(self) -> None:
        """The warning about directory entries that could not be read (some are only
        found when the search index reads every student)."""
        if self.session.is_locked:
            return
        n = len(self.session.damaged_ids)
        damaged = self.query_one("#damaged", Static)
        if n != self.damaged_shown:
            self.damaged_shown = n
            self.load_today()  # a student just found damaged may be on one of the lists
        damaged.update(TEXT["damaged"].format(n=n))
        damaged.display = n > 0

    def _panel(self, name: str, count: int, **words: object) -> DataTable:
        """One of Vandaag's lists, emptied, its title with the new count (and how many it draws)."""
        title = TEXT[name].format(n=count, **words)
        if count > PANEL_ROWS and name not in self.whole:
            title += TEXT["first_rows"].format(shown=PANEL_ROWS)
        self.query_one(f"#title-{name}", Static).update(title)
        table = self.query_one(f"#{name}", DataTable)
        table.clear()
        return table

    def _rows(self, name: str, rows: list[_Row]) -> list[_Row]:
        """The rows of one list that are drawn: the first ``PANEL_ROWS``, or all after "+"."""
        return rows if name in self.whole else rows[:PANEL_ROWS]

    def action_show_all(self) -> None:
        """+ on a list that shows only its first rows: draw all of it."""
        table = self.focused
        if not isinstance(table, DataTable) or table.id in (None, "students") or self.today is None:
            return
        self.whole.add(table.id or "")
        cursor = table.cursor_row
        self.show_today(self.today)
        table.move_cursor(row=cursor)

    def _caseload(self, today: Today, day: date) -> None:
        t = self._panel("caseload", len(today.caseload))
        for row in self._rows("caseload", today.caseload):
            when = f"{row.next_date:%d-%m} {row.next_text}".strip() if row.next_date else TEXT["no_date"]
            status = STATUS_SHORT.get(row.record.status, row.record.status)
            t.add_row(row.record.details.display_name, age_text(row.record, day), status, when, key=row.record.id)

    def _queue(self, today: Today) -> None:
        t = self._panel("queue", len(today.queue))
        # Keyed by position: a student who walks in twice on one day has two rows.
        self.queue_rows = self._rows("queue", list(today.queue))
        for i, row in enumerate(self.queue_rows):
            name = row.record.details.display_name if row.record else TEXT["anonymous"]
            t.add_row(f"{row.at:%H:%M}", name, row.by, key=f"{row.record.id if row.record else 'anon'}|{i}")

    def _waiting(self, today: Today) -> None:
        t = self._panel("waiting", len(today.waiting), days=WAITING_STANDARD_DAYS)
        for row in self._rows("waiting", today.waiting):
            days = Text(str(row.working_days), style="bold red" if row.too_long else "")
            urgency = Text(URGENCIES.get(row.urgency, row.urgency), style="bold" if row.urgency == "acuut" else "")
            contact = self.session.workers.get(row.record.contact_worker_id or "")
            t.add_row(row.record.details.display_name, urgency, days, contact.initials if contact else "", key=row.record.id)

    def _due(self, today: Today, day: date) -> None:
        t = self._panel("due", len(today.due))
        self.due_rows = self._rows("due", list(today.due))
        for i, row in enumerate(self.due_rows):
            # Not by colour alone: "te laat" in words as well.
            late = Text(f"{row.due:%d-%m} te laat", style="bold red") if row.due < day else Text(f"{row.due:%d-%m}")
            t.add_row(late, row.record.details.display_name, row.text, key=f"{row.record.id}|{i}")

    def _turning(self, today: Today) -> None:
        t = self._panel("turning", len(today.turning_18))
        for row in self._rows("turning", today.turning_18):
            birth = row.record.details.birth_date
            eighteen = f"{eighteenth_birthday(birth):%d-%m-%Y}" if birth else ""
            t.add_row(row.record.details.display_name, eighteen, str(row.days), key=row.record.id)

    # -- search ---------------------------------------------------------------

    def show_results(self, query: str) -> None:
        records = self.session.spreekuur.search(query, limit=MAX_ROWS + 1)
        self.shown_query = query  # what the results below are for (benchmarks/bench_felt.py waits for it)
        table = self.query_one("#students", DataTable)
        shown = records[:MAX_ROWS]
        self._count(records, shown)
        keys = [r.id for r in shown]
        if keys == self.shown_keys:
            return  # one more letter, the same students: the table stays as it is drawn
        self.shown_keys = keys
        table.clear()
        self.waiting_rows = shown[PAGE_ROWS:]
        self._add_result_rows(shown[:PAGE_ROWS])

    def _add_result_rows(self, records: list[StudentRecord]) -> None:
        table = self.query_one("#students", DataTable)
        today = local_today()
        for r in records:
            d = r.details
            table.add_row(
                d.display_name,
                str(age_on(d.birth_date, today)) if d.birth_date else "",
                d.programme,
                LEVEL_LABELS.get(d.level, d.level),
                self.session.contact_name(r),
                STATUS_SHORT.get(r.status, r.status),
                TEXT["yes"] if self.session.is_involved(r.id) else TEXT["no"],
                key=r.id,
            )

    @on(DataTable.RowHighlighted, "#students")
    def more_results(self, event: DataTable.RowHighlighted) -> None:
        """The cursor near the end of the results drawn: draw the next page of them."""
        if self.waiting_rows and event.cursor_row >= event.data_table.row_count - 5:
            page, self.waiting_rows = self.waiting_rows[:PAGE_ROWS], self.waiting_rows[PAGE_ROWS:]
            self._add_result_rows(page)

    def unknown_search(self) -> str:
        """What is typed in the search when it finds nobody (ctrl+n carries it into the new walk-in); else ""."""
        query = self.query_one("#search", Input).value.strip()
        return query if query and not self.session.spreekuur.search(query, limit=1) else ""

    def _count(self, records: list[StudentRecord], shown: list[StudentRecord]) -> None:
        total = len(self.session.students)
        template = TEXT["count_capped"] if len(records) > MAX_ROWS else TEXT["count"]
        text = template.format(shown=len(shown), total=total) if records else TEXT["none"]
        # One line of a fixed height: its new text needs no new layout of the screen (a keystroke's frame).
        self.query_one("#count", Static).update(text, layout=False)

    @on(Input.Changed, "#search")
    def search(self, event: Input.Changed) -> None:
        query = event.value.strip()
        searching = bool(query)
        results, today = self.query_one("#results"), self.query_one("#today")
        if results.display != searching:  # only when it changes: a layout of the screen costs a frame
            results.display = searching
            today.display = not searching
            self.query_one(MeldcodePanel).set_class(searching, "-searching")
        if not searching:
            return
        if not self.session.spreekuur.search_ready():
            # Just after the unlock the index is still being built in its thread: the keys go
            # on into the field, the results come when it is ready (search_prepared_now).
            self.query_one("#count", Static).update(TEXT["preparing"], layout=False)
            self.prepare_search()
            return
        self.show_results(query)

    @on(Input.Submitted, "#search")
    def to_results(self) -> None:
        """Enter: with one hit, open that student; with more, go to the list."""
        if not self.query_one("#search", Input).value.strip():
            return
        table = self.query_one("#students", DataTable)
        if table.row_count == 1:
            record = self.session.students.get(highlighted_key(table) or "")
            if record is not None:
                open_student(self, self.session, record)
                return
        table.focus()

    def action_to_results(self) -> None:
        if self.focused is self.query_one("#search", Input) and self.query_one("#search", Input).value.strip():
            self.query_one("#students", DataTable).focus()

    def action_focus_search(self) -> None:
        """Focus the search with what it holds selected: typing replaces the old query."""
        search = self.query_one("#search", Input)
        search.selection = Selection(0, len(search.value))
        search.focus()

    def on_key(self, event: events.Key) -> None:
        """A letter or digit typed on one of Vandaag's lists starts a search with it
        (Vandaag has no letter keys of its own; "/" and ctrl+f work too). Once
        started, the rest goes there too (a space, a hyphen), also the keys that
        arrive before the search field has taken the focus."""
        search = self.query_one("#search", Input)
        char = event.character
        # Not "is the search field focused": a key sent to a list just before the
        # focus moved reaches here after it moved, and must not be lost. The
        # search field stops the keys it takes itself, so what arrives here is not typed yet.
        if not event.is_printable or not char or char == "/":
            return  # "/" is the search key itself (a binding, after this handler)
        if not (char.isalnum() or search.value):
            return
        event.stop()
        event.prevent_default()
        search.insert_text_at_cursor(char)
        search.focus()

    def action_clear_search(self) -> None:
        field = self.query_one("#search", Input)
        if field.value:
            field.value = ""
        self.query_one("#caseload", DataTable).focus()

    # -- opening a student -------------------------------------------------------

    @on(DataTable.RowSelected)
    def open_row(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value or ""
        if event.data_table.id == "due" and "|" in key:
            index = int(key.split("|")[1])
            rows = self.due_rows
            handover_id = rows[index].handover_id if index < len(rows) else None
            if handover_id:
                self.open_handover(handover_id)
                return
            if index < len(rows) and rows[index].repair:
                self.name_contact(rows[index].record)
                return
        if event.data_table.id == "queue" and "|" in key:
            index = int(key.split("|")[1])
            walk_in = self.queue_rows[index].anonymous if index < len(self.queue_rows) else None
            if walk_in is not None:
                # An anonymous walk-in who gave her name: link it to her (new or known) file.
                from screens.spreekuur import link_anonymous

                link_anonymous(self, self.session, walk_in, self.reload)
                return
        record = self.session.students.get(key.split("|")[0])
        if record is None:
            return
        open_student(self, self.session, record)

    def name_contact(self, record: StudentRecord) -> None:
        """A coördinator's repair: the student's contact person left the team; choose a new one
        (the file opens for them once the student's consent is in it)."""
        from screens.handover.caseload import WorkerPicker

        session = self.session
        colleagues = [w for w in session.active_workers() if w.id != record.contact_worker_id]

        def chosen(worker_id: str | None) -> None:
            if not worker_id:
                return
            name = session.worker_name(worker_id)

            def named(_: object) -> None:
                self.notify(TEXT["contact_named"].format(name=name))
                self.reload()

            run_in_thread(self, "save", lambda: session.team.name_contact(record.id, worker_id), done=named,
                          failed=lambda f: self.notify(f.text, severity="error"))

        title = TEXT["name_contact"].format(name=record.details.display_name)
        self.app.push_screen(WorkerPicker(colleagues, title), chosen)

    def open_handover(self, handover_id: str) -> None:
        """A handover on Vandaag (to answer, or to follow up): its card."""
        from screens.handover import HandoverCard

        if TYPE_CHECKING:
            from jongerenteam.handover import HandoverView

        session = self.session

        def opened(view: HandoverView | None) -> None:
            if view is not None:
                self.app.push_screen(HandoverCard(session, view), lambda _result: self.reload())

        run_in_thread(self, "handover-open", lambda: session.handover.handover(handover_id), done=opened,
                      failed=lambda f: self.notify(f.text, severity="error"))
