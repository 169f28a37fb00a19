"""Bewaartermijnen (coördinator): the team's terms, and the closed files past
their term, to erase (one by one or all at once, after typing WISSEN).

Opened from the command palette (screens/rights.py ``commands``). Every
store call runs in a thread; what was typed stays when it fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical

from jongerenteam.domain import RETENTION_REGIMES
from jongerenteam.rights import (
    ERASE_WORD,
    erase_confirmed,
)
from screens.background import run_in_thread
from screens.dialogs import Dialog, TypedConfirm, leave_asking_if_typed
from screens.text import DataTable, Input, Static
from screens.widgets import SteadyFooter

if TYPE_CHECKING:
    from jongerenteam.rights import PastTerm
    from jongerenteam.session import TeamSession

# The column titles; every other word is in TEXT.
COLUMNS = ("", "Naam", "Termijn", "Afgesloten", "Termijn tot", "Dagen over")

TEXT = {
    "retention_title": "Bewaartermijnen",
    "retention_hint": (
        "Termijnen in jaren na het afsluiten van een dossier. ctrl+s: termijnen opslaan · spatie: (de)selecteren · "
        "w: wissen · Esc: sluiten"
    ),
    "school_years": "Alleen school (jaren)",
    "jeugdwet_years": "Jeugdwet (jaren)",
    "kort_years": "Kort contact (jaren)",
    "terms_saved": "De bewaartermijnen zijn opgeslagen.",
    "past_none": "Er zijn geen dossiers over hun bewaartermijn.",
    "past_count": "{n} dossier(s) over hun bewaartermijn.",
    "erase_all_title": "{n} dossier(s) wissen",
    "erase_all_hint": (
        "Deze dossiers zijn over hun bewaartermijn. Alles van deze studenten wordt definitief vernietigd. Typ WISSEN "
        "om te bevestigen."
    ),
    "erased_all": "{n} dossier(s) gewist.",
    "select": "(De)selecteren",
    "save_terms": "Termijnen opslaan",
    "not_number": "Vul een heel aantal jaren in, bijvoorbeeld 2 of 20 (geen komma of punt).",
    "typed_keys": "Enter: wissen · Esc: terug",
    "typed_wrong": "Typ WISSEN om te bevestigen.",
    "erase": "Gegevens wissen",
    "close": "Sluiten",
}


class RetentionScreen(Dialog):
    """The team's terms (editable) and the closed files past their term (coördinator)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save_terms", TEXT["save_terms"], priority=True),
        Binding("space", "mark", TEXT["select"], key_display="spatie"),
        Binding("w", "erase", TEXT["erase"]),
        Binding("escape", "cancel", TEXT["close"]),
    ]
    MESSAGE_ID = "ret-error"

    def __init__(self, session: TeamSession) -> None:
        super().__init__(session)
        self.session: TeamSession = session
        self.rows: list[PastTerm] = []
        self.selected: set[str] = set()
        self.version = 0
        self.stored_terms: tuple[str, ...] | None = None  # as loaded: Esc asks when they were changed

    def compose(self) -> ComposeResult:
        with Vertical(id="ret-box"):
            yield Static(TEXT["retention_title"], classes="title")
            yield Static(TEXT["retention_hint"], classes="hint")
            for regime in RETENTION_REGIMES:
                yield Horizontal(Static(TEXT[f"{regime}_years"]), Input(id=f"ret-{regime}"), classes="ret-row")
            yield Static("", id="ret-error")
            yield Static("", id="ret-count")
            yield DataTable(id="ret-past", cursor_type="row", zebra_stripes=True)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#ret-past", DataTable).add_columns(*COLUMNS)
        self.load()

    def run(self, call: Any, done: Any) -> None:
        """A store call in a thread; a failure is said above the list."""
        run_in_thread(self, "rights-store", call, done=done, failed=lambda f: self.show_error("", f.text))

    def load(self) -> None:
        session = self.session
        self.run(lambda: (session.team.settings_version(), session.rights.retention_years(), session.rights.past_term()),
                 self.loaded)

    def loaded(self, result: tuple[int, dict[str, int], list[PastTerm]]) -> None:
        self.version, years, past = result
        for regime in RETENTION_REGIMES:
            field = self.query_one(f"#ret-{regime}", Input)
            if not field.value:
                field.value = str(years[regime])
        self.stored_terms = tuple(str(years[regime]) for regime in RETENTION_REGIMES)
        self.rows = past
        self.selected &= {p.record.id for p in past}
        self._fill()
        self.query_one("#ret-past", DataTable).focus()

    def _fill(self) -> None:
        table = self.query_one("#ret-past", DataTable)
        cursor = table.cursor_row
        table.clear()
        for p in self.rows:
            table.add_row(
                "●" if p.record.id in self.selected else " ", p.record.details.display_name,
                RETENTION_REGIMES[p.regime], f"{p.closed_on:%d-%m-%Y}", f"{p.ends_on:%d-%m-%Y}", str(p.days_past),
                key=p.record.id,
            )
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))
        count = TEXT["past_count"].format(n=len(self.rows)) if self.rows else TEXT["past_none"]
        self.query_one("#ret-count", Static).update(count)

    def action_mark(self) -> None:
        if not self.rows or self.focused is not self.query_one("#ret-past", DataTable):
            return
        sid = self.rows[self.query_one("#ret-past", DataTable).cursor_row].record.id
        self.selected ^= {sid}
        self._fill()

    def action_save_terms(self) -> None:
        self.show_error("", "")
        try:
            terms = {regime: int(self.query_one(f"#ret-{regime}", Input).value.strip()) for regime in RETENTION_REGIMES}
        except ValueError:
            self.show_error("", TEXT["not_number"])
            return
        session, version = self.session, self.version
        self.run(lambda: session.rights.set_retention_years(terms, version=version), self.terms_saved)

    def terms_saved(self, _result: object) -> None:
        self.notify(TEXT["terms_saved"])
        self.load()

    def action_erase(self) -> None:
        if not self.rows or isinstance(self.focused, Input):
            return
        ids = [p.record.id for p in self.rows if not self.selected or p.record.id in self.selected]
        session = self.session

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run(lambda: session.rights.erase_past_term(ids), self.erased)

        self.app.push_screen(TypedConfirm(
            TEXT["erase_all_title"].format(n=len(ids)), TEXT["erase_all_hint"], placeholder=ERASE_WORD,
            check=lambda typed: erase_confirmed(typed), wrong=TEXT["typed_wrong"], keys=TEXT["typed_keys"],
        ), confirmed)

    def erased(self, n: int) -> None:
        self.notify(TEXT["erased_all"].format(n=n))
        self.selected.clear()
        self.load()

    def typed_terms(self) -> tuple[str, ...]:
        return tuple(self.query_one(f"#ret-{regime}", Input).value.strip() for regime in RETENTION_REGIMES)

    def action_cancel(self) -> None:
        typed = self.stored_terms is not None and self.typed_terms() != self.stored_terms
        leave_asking_if_typed(self, typed, lambda: self.dismiss(None))


