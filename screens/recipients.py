"""Telling recipients of a correction (AVG art. 19): who got the file's data, who was told.

Opened after a correction that changed something (``screens.rights.CorrectionDialog``)
and from the rights menu (key o). The list is ``session.rights.recipients``;
space marks a recipient as told; ctrl+s records it in the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from jongerenteam.domain import ValidationError
from jongerenteam.rights.recipients import Recipient, Told
from screens.background import run_in_thread
from screens.dialogs import FormDialog
from screens.text import DataTable, Input, Static, Text

if TYPE_CHECKING:
    from jongerenteam.session import TeamSession

TEXT = {
    "title": "Wie moet de correctie weten?",
    "hint": (
        "Deze ontvangers kregen gegevens uit het dossier. Laat hen weten wat er verbeterd is (AVG artikel 19), "
        "of schrijf op waarom dat niet kan. spatie: ingelicht aan/uit · ctrl+s: vastleggen · Esc: later"
    ),
    "how": "Hoe, of waarom niet",
    "how_hint": "Bijvoorbeeld: gebeld op 6 december; of: de overdracht is al afgerond en de hulp gestopt.",
    "none": "Niemand kreeg gegevens uit dit dossier: er is niemand om in te lichten.",
    "loading": "De ontvangers laden …",
    "saved": "Vastgelegd in het dossier wie is ingelicht.",
    "toggle": "Ingelicht aan/uit",
    "yes": "ingelicht",
    "no": "nog niet",
    "open": " (loopt nog)",
    "nobody": "Er zijn geen ontvangers om vast te leggen.",
}

COLUMNS = ("", "Ontvanger", "Hoe gedeeld", "Datum")


def recipient_lines(recipients: list[Recipient]) -> Text:
    """The recipients as lines of plain text (names are data, never markup)."""
    return Text("\n".join(f"• {r.line}" + (TEXT["open"] if r.open else "") for r in recipients))


class InformDialog(FormDialog):
    """Mark the recipients that were told of a correction, say how (or why not), record it."""

    FIELD_IDS: ClassVar[dict[str, str]] = {"how": "r-how", "told": "r-list"}
    DIALOG_TITLE = TEXT["title"]
    HINT = TEXT["hint"]
    BINDINGS: ClassVar[list[BindingType]] = [Binding("space", "mark_told", TEXT["toggle"], key_display="spatie")]

    def __init__(self, session: TeamSession, student_id: str, *, about: str = "correctie", only_if_any: bool = False) -> None:
        super().__init__(session)
        self.session: TeamSession = session
        self.student_id = student_id
        self.about = about
        self.only_if_any = only_if_any  # after a correction: nobody got the data, nothing to ask
        self.recipients: list[Recipient] = []
        self.told: set[str] = set()

    def fields(self) -> ComposeResult:
        yield Static(TEXT["loading"], id="r-state")
        yield DataTable(id="r-list", cursor_type="row", zebra_stripes=True)
        yield from self.row(TEXT["how"], Input(id="r-how"), hint=TEXT["how_hint"])

    def prefill(self) -> None:
        self.query_one("#r-list", DataTable).add_columns(*COLUMNS)
        session, student_id = self.session, self.student_id
        run_in_thread(self, "rights-recipients", lambda: session.rights.recipients(student_id),
                      done=self._loaded, failed=lambda f: self.say(f.text))

    def first_focus(self) -> None:
        self.query_one("#r-list").focus()

    def _loaded(self, recipients: list[Recipient]) -> None:
        if not recipients and self.only_if_any:
            self.dismiss(None)
            return
        self.recipients = recipients
        self.query_one("#r-state", Static).update(TEXT["none"] if not recipients else "")
        self.query_one("#r-state").display = not recipients
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#r-list", DataTable)
        cursor = table.cursor_row
        table.clear()
        for r in self.recipients:
            mark = TEXT["yes"] if r.key in self.told else TEXT["no"]
            table.add_row(Text(mark), Text(r.who + (TEXT["open"] if r.open else "")), Text(r.what),
                          Text(f"{r.on:%d-%m-%Y}"), key=r.key)
        if self.recipients:
            table.move_cursor(row=min(max(cursor, 0), len(self.recipients) - 1))

    def action_mark_told(self) -> None:
        table = self.query_one("#r-list", DataTable)
        if not self.recipients or self.focused is not table:
            return
        key = self.recipients[table.cursor_row].key
        self.told ^= {key}
        self._fill()

    def draft(self) -> dict[str, Any] | None:
        return {"fields": {"r-how": self.query_one("#r-how", Input).value}} if self.query_one("#r-how", Input).value else None

    def prepare(self) -> Any:
        if not self.recipients:
            raise ValidationError("told", TEXT["nobody"])
        told = [Told(r, r.key in self.told) for r in self.recipients]
        how = self.query_one("#r-how", Input).value
        session, student_id, about = self.session, self.student_id, self.about
        return lambda: session.rights.record_informed(student_id, about, told, how)

    def saved(self, result: Any) -> None:
        self.app.notify(TEXT["saved"])
        self.dismiss(result)
