"""Home after unlock: the team's students, searchable as you type.

A plain list for now; the spreekuur issue turns this into "Vandaag".
"""

from __future__ import annotations

from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Static

from jongerenteam.catalogue import LEVEL_LABELS, ROLE_LABELS, STATUSES
from jongerenteam.domain import age_on
from jongerenteam.messages import explain
from jongerenteam.municipalities import name_of

TEXT = {
    "search": "Zoek op naam, studentnummer of geboortedatum",
    "columns": ("Naam", "Leeftijd", "Opleiding", "Niveau", "Gemeente", "Contactpersoon", "Status", "Betrokken"),
    "yes": "ja",
    "no": "",
    "count": "{shown} van {total} studenten",
    "count_capped": "{shown} van {total} studenten getoond: typ om te zoeken",
    "none": "Geen student gevonden.",
    "empty": "Nog geen studenten in dit team.",
    "damaged": "Let op: {n} student(en) konden niet worden gelezen (beschadigd). Meld dit bij de coördinator.",
    "not_involved": "Je bent niet betrokken bij {name}. Contactpersoon: {contact}.",
    "file_title": "Dossier van {name}",
    "file_empty": "Nog niets vastgelegd in dit dossier.",
    "close": "Sluiten",
}

MAX_ROWS = 500


class FileModal(ModalScreen[None]):
    """Read-only view of the file-tier entries of a student (logged as 'open')."""

    BINDINGS = [Binding("escape", "dismiss", TEXT["close"])]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(id="file-box"):
            yield Static(self.title_text, classes="title")
            with VerticalScroll():
                for line in self.lines or [TEXT["file_empty"]]:
                    yield Static(line)
        yield Footer()

    def action_dismiss(self) -> None:
        self.dismiss(None)


class HomeScreen(Screen):
    BINDINGS = [
        Binding("slash", "focus_search", "Zoeken", key_display="/"),
        Binding("ctrl+f", "focus_search", "Zoeken", show=False),
        Binding("escape", "clear_search", "Wissen", show=False),
    ]

    def __init__(self, session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        w = self.session.worker
        yield Static(
            f"{self.app.team_name} · {w.full_name} ({ROLE_LABELS.get(w.role, w.role)})",
            classes="title",
        )
        yield Input(placeholder=TEXT["search"], id="search")
        yield Static("", id="count", classes="hint")
        if self.session.damaged_ids:
            yield Static(TEXT["damaged"].format(n=len(self.session.damaged_ids)), classes="error")
        yield DataTable(id="students", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#students", DataTable)
        # Fixed widths that fit 120 columns beside the name, which is never cut.
        for label, width in zip(TEXT["columns"], (None, 8, 16, 8, 11, 14, 10, 9)):
            table.add_column(label, width=width)
        self.fill(self.session.all_students())
        table.focus()

    def fill(self, records) -> None:
        table = self.query_one("#students", DataTable)
        table.clear()
        today = date.today()
        shown = records[:MAX_ROWS]
        for r in shown:
            d = r.details
            table.add_row(
                d.display_name,
                str(age_on(d.birth_date, today)) if d.birth_date else "",
                d.programme,
                LEVEL_LABELS.get(d.level, d.level),
                name_of(d.municipality_code),
                self.session.contact_name(r),
                STATUSES.get(r.status, r.status),
                TEXT["yes"] if self.session.is_involved(r.id) else TEXT["no"],
                key=r.id,
            )
        total = len(self.session.students)
        template = TEXT["count_capped"] if len(records) > MAX_ROWS else TEXT["count"]
        if records:
            text = template.format(shown=len(shown), total=total)
        else:
            text = TEXT["none"] if total else TEXT["empty"]
        self.query_one("#count", Static).update(text)

    @on(Input.Changed, "#search")
    def search(self, event: Input.Changed) -> None:
        query = event.value.strip()
        self.fill(self.session.search(query, limit=MAX_ROWS + 1) if query else self.session.all_students())

    @on(Input.Submitted, "#search")
    def to_results(self) -> None:
        self.query_one("#students", DataTable).focus()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        self.query_one("#search", Input).value = ""
        self.query_one("#students", DataTable).focus()

    @on(DataTable.RowSelected, "#students")
    def open_student(self, event: DataTable.RowSelected) -> None:
        record = self.session.students.get(event.row_key.value)
        if record is None:
            return
        if not self.session.is_involved(record.id):
            self.notify(
                TEXT["not_involved"].format(name=record.details.display_name, contact=self.session.contact_name(record)),
                timeout=8,
            )
            return
        self.load_file(record.id, record.details.display_name)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load_file(self, student_id: str, name: str) -> None:
        try:
            entries = self.session.read_file(student_id)
        except Exception as exc:  # noqa: BLE001 - one Dutch sentence
            self.app.call_from_thread(self.notify, explain(exc)[0], severity="error")
            return
        from storage.clock import local_time  # stored moments are UTC; show the laptop's date

        names = {wid: w.initials for wid, w in self.session.workers.items()}
        lines = [
            f"{local_time(e.created_at):%d-%m-%Y} · {names.get(e.created_by, '?')} · {e.payload.get('tekst', '')}"
            for e in sorted(entries, key=lambda e: e.created_at, reverse=True)
        ]
        self.app.call_from_thread(self.show_file, FileModal(TEXT["file_title"].format(name=name), lines))

    def show_file(self, modal: FileModal) -> None:
        # The app may have locked while the file was read: then it must not appear.
        if self.app.session is self.session and not self.session.is_locked:
            self.app.push_screen(modal)
