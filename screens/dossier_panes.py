"""Dossier tabs 4-6: Leefdomeinen (scores and their chart), Toestemming (the
consent register and its warnings), Betrokkenen (team workers, study coach,
external professionals).

Each pane shows the folded ``Dossier`` it is given (``show``); every change
goes through a session method in a thread worker. Dialogs save by
themselves and then ask the dossier screen below them to re-read the file
(``refresh_dossier``), so a dialog rebuilt after a lock works the same way.

Also here, because the sociale kaart (screens/socialmap.py) shares them:
``KeyChoice`` (a compact choice by digit keys) and ``FormDialog`` (a modal
form with per-field Dutch errors, Esc that asks before discarding, and a
draft that survives a lock).
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.coordinate import Coordinate
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Footer

from jongerenteam import consent as cn
from jongerenteam import dossier as d
from jongerenteam.catalogue import COACH_ROLES, LEEFDOMEINEN, SCORES
from jongerenteam.dates import format_date, local_today, parse_date
from jongerenteam.domain import ValidationError, age_on
from jongerenteam.errors import NotAllowed
from jongerenteam.messages import explain
from jongerenteam.search import fold
from jongerenteam.socialmap import MAP_ROLES
from screens.dossier_base import DossierPane
from screens.text import DataTable, Input, Label, Option, OptionList, Static, TextArea
from screens.widgets import (
    FAST_TAB_BINDINGS,
    Confirm,
    FastTab,
    SuggestWords,
    leave_asking_if_typed,
)

DOMAIN_LABELS = {x.code: x.label for x in LEEFDOMEINEN}

# Every word these tabs and their dialogs show, in one place.
TEXT = {
    "save": "Opslaan",
    "back": "Terug",
    "busy": "Bezig met opslaan…",
    "draft_back": "Je niet-opgeslagen invoer is teruggezet.",
    "dialog_hint": "Tab: volgend veld · ctrl+s: opslaan · Esc: terug",
    "date_placeholder": "bijv. 23-11-2026 of 23 nov 2026",
    # Leefdomeinen
    "scores_columns": ("Leefdomein", "Laatste score", "Datum", "Verloop", "Reden"),
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
    "need_domain": "Kies een leefdomein met de toetsen 1-9 (of ← →).",
    "need_score": "Kies een score met de toetsen 1-5 (of ← →).",
    "score_saved": "Score voor {domain} opgeslagen: {score} {label}.",
    # Toestemming
    "needed": "Toestemming nodig van: {who}{age}.",
    "needed_age": " (de student is {age} jaar)",
    "needed_no_birth": " (geboortedatum onbekend)",
    "no_warnings": "✓ Geen waarschuwingen: de vastgelegde toestemming is in orde.",
    "consent_columns": ("Status", "Met wie", "Waarover", "Doel", "Gegeven door", "Hoe", "Datum", "Geldig tot"),
    "consent_empty": "Nog geen toestemming vastgelegd. Druk op a om toestemming toe te voegen.",
    "status_active": "geldig",
    "status_expiring": "verloopt {when}",
    "status_expired": "verlopen",
    "status_withdrawn": "ingetrokken",
    "no_end": "geen einddatum",
    "consent_detail": "{kind} {name} · over {about} · doel: {purpose} · gegeven door {giver}, {how}, op {on} · {until}{withdrawn}",
    "consent_until_detail": "geldig tot {date}",
    "consent_withdrawn": " · ingetrokken op {date}",
    "consent_title": "Toestemming vastleggen",
    "consent_kind": "Met wie (1-3)",
    "consent_name": "Naam",
    "consent_name_placeholder": "rol, organisatie of naam; → neemt de suggestie over",
    "consent_about": "Waarover (1-9)",
    "consent_about_hint": "Niets gekozen = alles. Toets 1-9 zet een leefdomein aan of uit, 0 = weer alles.",
    "consent_about_all": "Nu: alles.",
    "consent_about_some": "Nu: {domains}.",
    "consent_purpose": "Doel",
    "consent_purpose_placeholder": "waarvoor, bijv. afstemmen verzuim",
    "consent_given": "Gegeven door (1-3)",
    "consent_given_hint": "Nu nodig van {who}.",
    "consent_how": "Hoe (1-2)",
    "consent_date": "Datum",
    "consent_until": "Geldig tot",
    "consent_until_placeholder": "leeg = geen einddatum",
    "on_map": "Op de sociale kaart: {label}",
    "consent_saved": "Toestemming voor {name} vastgelegd.",
    "pick_consent": "Kies eerst met ↑↓ een toestemming in de lijst.",
    "already_withdrawn": "Deze toestemming is al ingetrokken.",
    "withdraw_confirm": "Toestemming voor {name} intrekken per vandaag? Er mag dan niets meer met {name} gedeeld worden.",
    "withdrawn": "Toestemming voor {name} is ingetrokken.",
    "extend_withdrawn": "Een ingetrokken toestemming kun je niet verlengen. Leg een nieuwe toestemming vast (a).",
    "extend_title": "Toestemming voor {name} verlengen",
    "extend_hint": "Nieuwe einddatum; leeg = geen einddatum. ctrl+s: opslaan · Esc: terug",
    "until_past": "Deze datum ligt in het verleden. Kies een datum vanaf vandaag.",
    "extended": "Toestemming voor {name} geldt nu {until}.",
    "extended_until": "tot {date}",
    "extended_open": "zonder einddatum",
    # Betrokkenen
    "workers_title": "Betrokken medewerkers van het team",
    "workers_columns": ("Naam", "Initialen", "In dit dossier"),
    "contact_person": "contactpersoon",
    "involved": "betrokken",
    "you": " (jij)",
    "workers_loading": "Bezig met laden…",
    "coach_title": "Studiecoach",
    "coach_line": "{name} · {role}",
    "coach_none": "Nog geen studiecoach vastgelegd. Druk op c om die in te vullen.",
    "externals_title": "Externe betrokkenen",
    "externals_columns": ("Naam", "Rol", "Organisatie", "Contact", "Sinds", "Tot"),
    "externals_none": "Nog geen externe betrokkenen. Druk op e om iemand toe te voegen (van de sociale kaart of zelf getypt).",
    "pick_worker": "Kies eerst met ↑↓ een medewerker in de lijst.",
    "refused_contact": "{name} is de contactpersoon en kan niet van het dossier af. Maak eerst iemand anders contactpersoon (toets p).",
    "contact_title": "Nieuwe contactpersoon kiezen",
    "contact_changed": "{name} is nu de contactpersoon en kan het dossier lezen.",
    "refused_last": "{name} is de enige betrokken medewerker. Voeg eerst een collega toe; het dossier moet altijd iemand hebben.",
    "remove_confirm": "{name} van dit dossier halen? {name} kan het dossier daarna niet meer lezen.",
    "remove_self_confirm": "Jezelf van dit dossier halen? Je kunt het dossier daarna niet meer openen.",
    "removed": "{name} is niet meer betrokken en kan het dossier niet meer lezen.",
    "removed_self": "Je bent niet meer betrokken bij dit dossier; het wordt gesloten.",
    "added_worker": "{name} is nu betrokken en kan het dossier lezen.",
    "colleague_title": "Collega betrekken bij dit dossier",
    "colleague_hint": "Typ om te zoeken, ↑↓ en Enter om te kiezen. De collega kan daarna het hele dossier lezen. Esc: terug",
    "colleague_filter": "Zoek op naam of initialen",
    "colleague_none": "Alle actieve collega's zijn al betrokken.",
    "colleague_nomatch": "Geen collega gevonden met deze naam.",
    "pick_external": "Kies eerst met ↑↓ een externe betrokkene in de lijst.",
    "already_ended": "De betrokkenheid van {name} is al beëindigd op {date}.",
    "end_confirm": "Betrokkenheid van {name} beëindigen per vandaag?",
    "ended": "Betrokkenheid van {name} is beëindigd.",
    "external_title": "Externe betrokkene toevoegen",
    "external_hint": "Begin de naam te typen: → neemt een naam van de sociale kaart over. ctrl+s: opslaan · Esc: terug",
    "external_name": "Naam",
    "external_name_placeholder": "naam van de professional of organisatie",
    "external_role": "Rol",
    "external_role_placeholder": "bijv. jeugdarts/jeugdverpleegkundige; → neemt de suggestie over",
    "external_organisation": "Organisatie",
    "external_contact": "Contact",
    "external_contact_placeholder": "telefoon of e-mail",
    "external_saved": "{name} staat nu bij de externe betrokkenen.",
    "coach_dialog_title": "Studiecoach",
    "coach_name": "Naam",
    "coach_name_placeholder": "naam van de SLB'er, LOB'er, mentor of studentcoach (leeg = geen)",
    "coach_role": "Rol (1-4)",
    "coach_saved": "Studiecoach opgeslagen: {name}.",
    "coach_cleared": "Er staat geen studiecoach meer in het dossier.",
    "coach_same": "Dit is al de studiecoach; er is niets veranderd.",
    "coach_changed": "Studiecoach opgeslagen: {name}. De contactpersoon heeft een taak om de nieuwe coach voor te stellen.",
    "not_involved_now": "Je bent niet meer betrokken bij dit dossier.",
}

# Palette commands for these tabs: (title, Dutch help, tab number on the
# dossier screen, action on that tab's pane). screens/dossier.py offers them.
PANE_COMMANDS: list[tuple[str, str, int, str]] = [
    ("dossier: leefdomeinscore toevoegen", "Een score van 1 tot 5 op een leefdomein (tabblad 4, a)", 4, "add"),
    ("dossier: toestemming vastleggen", "Met wie, waarover, waarvoor, door wie gegeven (tabblad 5, a)", 5, "add"),
    ("dossier: toestemming intrekken", "De gekozen toestemming geldt niet meer vanaf vandaag (tabblad 5, i)", 5, "withdraw"),
    ("dossier: toestemming verlengen", "Een nieuwe einddatum voor de gekozen toestemming (tabblad 5, v)", 5, "extend"),
    ("dossier: contactpersoon wijzigen", "Een collega wordt contactpersoon en kan het dossier lezen (tabblad 6, p)", 6, "contact"),
    ("dossier: collega betrekken", "Een collega uit het team kan het dossier daarna lezen (tabblad 6, a)", 6, "add_colleague"),
    ("dossier: collega van het dossier halen", "De gekozen collega kan het dossier daarna niet meer lezen (tabblad 6, x)", 6, "remove_colleague"),
    ("dossier: studiecoach wijzigen", "Naam en rol van de SLB'er, LOB'er, mentor of studentcoach (tabblad 6, c)", 6, "coach"),
    ("dossier: externe betrokkene toevoegen", "Een professional van buiten school, van de sociale kaart of zelf getypt (tabblad 6, e)", 6, "add_external"),
    ("dossier: externe betrokkene beëindigen", "De gekozen externe betrokkene is niet meer betrokken (tabblad 6, b)", 6, "end_external"),
]

SCORE_STYLES = {1: "bold red", 2: "dark_orange", 3: "yellow", 4: "green", 5: "bold green"}
SPARK = {1: "▁", 2: "▃", 3: "▄", 4: "▆", 5: "█"}
SPARK_MAX = 12  # scores shown in the table's Verloop column


class FocusOnShow:
    """Mixin for the panes: when the tab appears and the focus is nowhere, or
    still in the tab just hidden (Textual hands it to a hidden sibling of the
    list that lost it), focus this pane's list, so its keys work and show in
    the footer."""

    def on_show(self) -> None:
        self.call_after_refresh(self._claim_focus)

    def _claim_focus(self) -> None:
        if not self.is_attached or not self.display:
            return
        screen = self.screen
        focused = screen.focused
        lost = focused is None or any(not node.display for node in focused.ancestors_with_self)
        if screen.is_current and lost:
            self.focus_main()


def refresh_dossier(app) -> bool:
    """Ask the dossier screen under the current dialog to re-read the file.

    Works for a dialog opened from a pane and for one rebuilt after a lock
    (which has no callback): the first DossierPane found posts DossierChanged.
    """
    for screen in reversed(app.screen_stack):
        for pane in screen.query(DossierPane):
            pane.changed()
            return True
    return False


# -- small widgets -----------------------------------------------------------------------


class KeyChoice(Widget, can_focus=True):
    """A compact choice: digit keys pick option 1-9, ← → move; with ``multi``
    digits (or space) switch options on and off and 0 switches all off.

    The options wrap over as many lines as the width needs. In single mode a
    digit moves on to the next field (``advance``): "9" then "2" picks a
    leefdomein and a score without Tab.
    """

    DEFAULT_CSS = """
    KeyChoice { height: auto; width: 1fr; padding: 0 1; background: $boost; }
    KeyChoice:focus { background: $accent 25%; }
    """

    BINDINGS = [Binding(str(n), f"pick({n})", str(n), show=False) for n in range(1, 10)] + [
        Binding("0", "clear", "Geen", show=False),
        Binding("left", "move(-1)", "Vorige", show=False),
        Binding("right", "move(1)", "Volgende", show=False),
        Binding("space", "toggle_cursor", "Aan/uit", show=False),
        Binding("enter", "next_field", "Volgend veld", show=False),
    ]

    class Changed(Message):
        def __init__(self, choice: KeyChoice) -> None:
            super().__init__()
            self.choice = choice

        @property
        def control(self) -> KeyChoice:
            return self.choice

    def __init__(
        self, options: list[tuple[str, str]], *, value: str | None = None, values=(), multi: bool = False,
        advance: bool = True, **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.options = list(options)
        self.multi = multi
        self.advance = advance
        self._value = value
        self._values = set(values)
        codes = [code for code, _ in self.options]
        self.cursor = codes.index(value) if value in codes else 0

    # -- value ---------------------------------------------------------------------

    @property
    def value(self):
        """The chosen code (single) or the chosen codes in option order (multi)."""
        if self.multi:
            return [code for code, _ in self.options if code in self._values]
        return self._value

    @value.setter
    def value(self, new) -> None:
        codes = [code for code, _ in self.options]
        if self.multi:
            self._values = {c for c in (new or ()) if c in codes}
        else:
            self._value = new if new in codes else None
            if self._value is not None:
                self.cursor = codes.index(self._value)
        self.refresh(layout=True)

    def _changed(self) -> None:
        self.refresh(layout=True)
        self.post_message(self.Changed(self))

    # -- keys ------------------------------------------------------------------------

    def action_pick(self, n: int) -> None:
        if not 1 <= n <= len(self.options):
            self.app.bell()
            return
        self.cursor = n - 1
        code = self.options[n - 1][0]
        if self.multi:
            self._values ^= {code}
            self._changed()
            return
        self._value = code
        self._changed()
        if self.advance:
            self.screen.focus_next()

    def action_clear(self) -> None:
        if self.multi:
            self._values = set()
            self._changed()

    def action_move(self, step: int) -> None:
        self.cursor = (self.cursor + step) % len(self.options)
        if not self.multi:
            self._value = self.options[self.cursor][0]
            self._changed()
        else:
            self.refresh()

    def action_toggle_cursor(self) -> None:
        """Space: switch the option under the cursor (multi), or choose it (single)."""
        self.action_pick(self.cursor + 1)

    def action_next_field(self) -> None:
        self.screen.focus_next()

    # -- drawing ----------------------------------------------------------------------

    def _cells(self) -> list[Text]:
        cells = []
        for i, (code, label) in enumerate(self.options):
            if self.multi:
                mark = "■" if code in self._values else "□"
                style = "underline" if self.has_focus and i == self.cursor else ""
                cells.append(Text(f"{i + 1} {mark} {label}", style=style))
            else:
                chosen = code == self._value
                mark = "●" if chosen else "○"
                cells.append(Text(f" {i + 1} {mark} {label} ", style="reverse bold" if chosen else ""))
        return cells

    def _pack(self, width: int) -> list[list[Text]]:
        lines: list[list[Text]] = [[]]
        used = 0
        for cell in self._cells():
            size = cell.cell_len + (2 if lines[-1] else 0)
            if lines[-1] and width and used + size > width:
                lines.append([])
                used, size = 0, cell.cell_len
            lines[-1].append(cell)
            used += size
        return lines

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._pack(width))

    def render(self) -> Text:
        out = Text()
        for n, line in enumerate(self._pack(self.content_size.width)):
            if n:
                out.append("\n")
            for i, cell in enumerate(line):
                if i:
                    out.append("  ")
                out.append_text(cell)
        return out

    def _on_focus(self, event) -> None:
        self.refresh()

    def _on_blur(self, event) -> None:
        self.refresh()


# -- dialogs -------------------------------------------------------------------------------


class DialogBox(VerticalScroll, can_focus=False):
    """The dialog's frame: scrolls to the focused field on a small terminal, never takes focus itself."""


class FormDialog(FastTab, ModalScreen[object]):
    """A small form: labels left, fields right, a Dutch error under each field.

    Subclasses yield their rows in ``fields()``, map ValidationError fields to
    widget ids in FIELD_IDS, and implement ``prepare()`` (check what was
    typed; return the store call to run in a thread, or raise
    ValidationError) and ``saved(result)``. What was typed is never cleared:
    a failed save leaves every field as it was. ``draft()`` is what differs
    from the form as it opened; Esc asks before throwing it away.
    """

    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > .fd-box {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; padding: 0 1; background: $surface;
    }
    FormDialog .fd-row { height: auto; margin-top: 1; }
    FormDialog .fd-label { width: 20; padding: 0 1 0 0; }
    FormDialog Input { border: none; height: 1; padding: 0 1; width: 1fr; background: $boost; }
    FormDialog Input:focus { border: none; background: $accent 25%; }
    FormDialog TextArea, FormDialog TextArea:focus { border: none; height: 3; width: 1fr; background: $boost; }
    FormDialog .fd-error { color: $error; padding: 0 0 0 20; height: auto; }
    FormDialog .fd-hint { color: $text-muted; padding: 0 0 0 20; height: auto; }
    FormDialog .fd-message { color: $error; height: auto; margin-top: 1; }
    FormDialog .fd-message.fd-busy { color: $text-muted; }
    FormDialog OptionList { height: auto; max-height: 10; border: none; padding: 0; }
    FormDialog.fd-compact .fd-row { margin-top: 0; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", TEXT["save"], priority=True),
        Binding("escape", "cancel", TEXT["back"]),
        *FAST_TAB_BINDINGS,
    ]

    DIALOG_TITLE = ""
    HINT = TEXT["dialog_hint"]
    FIELD_IDS: dict[str, str] = {}

    def __init__(self, session, *, restore: bool = False) -> None:
        super().__init__()
        self.session = session
        self.restore = restore
        self.busy = False
        self.initial: dict = {}

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with DialogBox(classes="fd-box"):
            yield Static(self.title_text(), classes="title")
            if self.HINT:
                yield Static(self.HINT, classes="hint")
            yield from self.fields()
            yield self.line("fd-message", "fd-message")
        yield Footer()

    def title_text(self) -> str:
        return self.DIALOG_TITLE

    def on_resize(self) -> None:
        # On a short terminal (80x24) the fields sit without blank lines between them.
        self.set_class(self.size.height < 34, "fd-compact")

    def fields(self) -> ComposeResult:
        yield from ()

    @staticmethod
    def line(widget_id: str, classes: str) -> Static:
        """A message line, hidden while empty."""
        widget = Static("", id=widget_id, classes=classes)
        widget.display = False
        return widget

    def row(self, label: str, widget: Widget, *, hint: str | None = None) -> ComposeResult:
        """One field: label and widget, a hint line (optional) and an error line."""
        yield Horizontal(Label(label, classes="fd-label"), widget, classes="fd-row")
        if hint is not None:
            hint_line = Static(hint, id=f"{widget.id}-hint", classes="fd-hint")
            hint_line.display = bool(hint)
            yield hint_line
        yield self.line(f"{widget.id}-error", "fd-error")

    def set_line(self, widget_id: str, text: str) -> None:
        try:
            line = self.query_one(f"#{widget_id}", Static)
        except NoMatches:
            return
        line.update(text)
        line.display = bool(text)

    def show_error(self, field: str, text: str, *, focus: bool = True) -> None:
        """The Dutch sentence under the field ``field`` (a ValidationError field), or at the bottom."""
        widget_id = self.FIELD_IDS.get(field)
        line_id = "fd-message" if widget_id is None else f"{widget_id}-error"
        self.set_line(line_id, text)
        if widget_id is not None and focus:
            self.query_one(f"#{widget_id}").focus()
        # On a short terminal the message may sit below the fold: bring it in view.
        try:
            line = self.query_one(f"#{line_id}", Static)
        except NoMatches:
            return
        self.call_after_refresh(line.scroll_visible, animate=False)

    def clear_errors(self) -> None:
        for line in self.query(".fd-error"):
            line.update("")
            line.display = False
        self.set_line("fd-message", "")

    # -- what was typed ------------------------------------------------------------------

    def snapshot(self) -> dict:
        values: dict = {}
        for widget in self.query("Input, KeyChoice, TextArea"):
            if not widget.id:
                continue
            if isinstance(widget, Input):
                values[widget.id] = widget.value
            elif isinstance(widget, TextArea):
                values[widget.id] = widget.text
            else:
                value = widget.value
                values[widget.id] = list(value) if isinstance(value, list) else value
        return values

    def apply(self, values: dict) -> None:
        for widget_id, value in values.items():
            try:
                widget = self.query_one(f"#{widget_id}")
            except NoMatches:
                continue
            if isinstance(widget, Input):
                widget.value = value or ""
            elif isinstance(widget, TextArea):
                widget.text = value or ""
            elif isinstance(widget, KeyChoice):
                widget.value = value

    def draft(self) -> dict | None:
        values = self.snapshot()
        return {"fields": values} if values != self.initial else None

    def resume_state(self) -> dict | None:
        """A dialog that can come back after a lock or a crash says what it needs (``resume``)."""
        return None

    def on_mount(self) -> None:
        self.prefill()
        self.initial = self.snapshot()
        if self.restore:
            draft = self.app.take_draft(self)
            if draft:
                self.apply(draft.get("fields", {}))
                self.restored(draft)
                self.notify(TEXT["draft_back"])
        self.first_focus()

    def prefill(self) -> None:
        """Default values (today's date, the current coach): not typed text."""

    def restored(self, draft: dict) -> None:
        """A draft was put back (after a lock): update hints that follow the fields."""

    def first_focus(self) -> None:
        self.focus_next()

    @on(Input.Submitted)
    def next_field(self) -> None:
        self.focus_next()

    # -- closing and saving ------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self.busy:
            return
        leave_asking_if_typed(self, bool(self.draft()), lambda: self.dismiss(None))

    def prepare(self):
        """Check the fields; return the store call to run, or raise ValidationError."""
        raise NotImplementedError

    def action_save(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        try:
            call = self.prepare()
        except ValidationError as exc:
            self.show_error(exc.field, exc.message)
            return
        if call is None:
            return
        self.busy = True
        self.set_line("fd-message", TEXT["busy"])
        self.query_one("#fd-message").add_class("fd-busy")
        self.run_save(call)

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-save")
    def run_save(self, call) -> None:
        try:
            result = call()
        except ValidationError as exc:
            self.app.call_from_thread(self.failed, exc.field, exc.message)
            return
        except Exception as exc:  # noqa: BLE001 - one Dutch sentence; the form stays filled
            self.app.call_from_thread(self.failed, None, self.explain(exc))
            return
        self.app.call_from_thread(self.finished, result)

    def explain(self, exc: Exception) -> str:
        return explain(exc)[0]

    def still_here(self) -> bool:
        """False when the app locked (or the dialog closed) while the thread ran."""
        session = getattr(self.app, "session", self.session)
        return self.is_attached and session is self.session and not self.session.is_locked

    def failed(self, field: str | None, text: str) -> None:
        if not self.still_here():
            return
        self.busy = False
        self.query_one("#fd-message").remove_class("fd-busy")
        self.set_line("fd-message", "")
        self.show_error(field or "", text)

    def finished(self, result) -> None:
        if not self.still_here():
            return
        self.busy = False
        self.saved(result)

    def saved(self, result) -> None:
        self.dismiss(result)


class PaneDialog(FormDialog):
    """A form about one student's file; after saving the dossier is re-read."""

    def __init__(self, session, record, *, restore: bool = False) -> None:
        super().__init__(session, restore=restore)
        self.record = record

    def saved(self, result) -> None:
        text = self.saved_text(result)
        if text:
            self.app.notify(text)
        if isinstance(result, str):  # a new entry's id: its list highlights it after the re-read
            for screen in self.app.screen_stack:
                if hasattr(screen, "select_after"):
                    screen.select_after = result
        refresh_dossier(self.app)
        self.dismiss(result)

    def saved_text(self, result) -> str:
        return ""

    def resume_state(self) -> dict | None:
        return {"student": self.record.id}

    @classmethod
    def resume(cls, session, state: dict):
        record = session.students.get(state.get("student", ""))
        if record is None or not session.is_involved(record.id):
            return None
        return cls(session, record, restore=True)


def domain_options() -> list[tuple[str, str]]:
    return [(x.code, x.label) for x in LEEFDOMEINEN]


class ScoreDialog(PaneDialog):
    """A 1-5 score on one leefdomein: digits pick the domain and the score."""

    DIALOG_TITLE = TEXT["score_title"]
    FIELD_IDS = {"domain": "score-domain", "score": "score-value", "on": "score-date", "reason": "score-reason"}

    def __init__(self, session, record, *, domain: str | None = None, restore: bool = False) -> None:
        super().__init__(session, record, restore=restore)
        self.domain = domain

    def fields(self) -> ComposeResult:
        yield from self.row(TEXT["score_domain"], KeyChoice(domain_options(), value=self.domain, id="score-domain"))
        scores = [(str(n), f"{label}") for n, label in SCORES.items()]
        yield from self.row(TEXT["score_value"], KeyChoice(scores, id="score-value"))
        yield from self.row(TEXT["score_date"], Input(placeholder=TEXT["date_placeholder"], id="score-date"))
        yield from self.row(
            TEXT["score_reason"], Input(placeholder=TEXT["score_reason_placeholder"], max_length=500, id="score-reason")
        )

    def prefill(self) -> None:
        self.query_one("#score-date", Input).value = format_date(local_today())

    def first_focus(self) -> None:
        # Always the domain first (the highlighted one is chosen already; Enter
        # keeps it, a digit picks another), as the footer and the guide say:
        # a digit meant for the domain must never land on the score.
        self.query_one("#score-domain").focus()

    def prepare(self):
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
        if problems:
            for field, text in reversed(problems):
                self.show_error(field, text)
            return None
        new = d.NewScore(domain, int(score), on, self.query_one("#score-reason", Input).value)
        new.validate(today)
        session, student_id = self.session, self.record.id
        return lambda: session.dossier.add_score(student_id, new)

    def saved_text(self, result) -> str:
        score = int(self.query_one("#score-value", KeyChoice).value)
        domain = DOMAIN_LABELS[self.query_one("#score-domain", KeyChoice).value]
        return TEXT["score_saved"].format(domain=domain, score=score, label=SCORES[score])


class MapAware:
    """Mixin for dialogs that suggest names from the sociale kaart (read in a thread)."""

    map_items: list = []

    def load_map(self) -> None:
        session = self.session

        def read() -> None:
            try:
                items = session.social_map.entries()
            except Exception:  # noqa: BLE001 - suggestions only; the form works without them
                return
            self.app.call_from_thread(self.map_loaded, items)

        self.run_worker(read, thread=True, exit_on_error=False, group="social-map")

    def map_loaded(self, items) -> None:
        self.map_items = items

    def map_match(self, name: str):
        wanted = fold(name.strip())
        if not wanted:
            return None
        for item in self.map_items:
            if fold(item.entry.name) == wanted:
                return item
        return None

    def map_names(self, kind: str | None = None) -> list[str]:
        names = [i.entry.name for i in self.map_items if kind is None or i.entry.kind == kind]
        if kind in (None, "organisatie"):
            names += [i.entry.organisation for i in self.map_items if i.entry.organisation]
        return list(dict.fromkeys(n for n in names if n))


class ConsentDialog(MapAware, PaneDialog):
    """A consent: with whom, about what, what for, given by whom, how, when, until."""

    DIALOG_TITLE = TEXT["consent_title"]
    FIELD_IDS = {
        "with": "consent-name", "about": "consent-about", "purpose": "consent-purpose",
        "given_by": "consent-given", "how": "consent-how", "on": "consent-date", "valid_until": "consent-until",
    }

    def fields(self) -> ComposeResult:
        today = local_today()
        birth = self.record.details.birth_date
        needed = cn.consent_needed_from(birth, today)
        self.needed = needed
        yield from self.row(
            TEXT["consent_kind"], KeyChoice(list(cn.CONSENT_WITH_KINDS.items()), value="rol", id="consent-kind")
        )
        yield from self.row(
            TEXT["consent_name"],
            Input(placeholder=TEXT["consent_name_placeholder"], max_length=300, id="consent-name",
                  suggester=SuggestWords(self.name_suggestions)),
            hint="",
        )
        yield from self.row(
            TEXT["consent_about"], KeyChoice(domain_options(), multi=True, id="consent-about"),
            hint=f"{TEXT['consent_about_hint']} {TEXT['consent_about_all']}",
        )
        yield from self.row(
            TEXT["consent_purpose"],
            Input(placeholder=TEXT["consent_purpose_placeholder"], max_length=500, id="consent-purpose"),
        )
        yield from self.row(
            TEXT["consent_given"], KeyChoice(list(cn.CONSENT_GIVERS.items()), value=needed, id="consent-given"),
            hint=TEXT["consent_given_hint"].format(who=cn.NEEDED_LABELS[needed]),
        )
        yield from self.row(
            TEXT["consent_how"], KeyChoice(list(cn.CONSENT_HOW.items()), value="mondeling", id="consent-how")
        )
        yield from self.row(TEXT["consent_date"], Input(placeholder=TEXT["date_placeholder"], id="consent-date"))
        yield from self.row(
            TEXT["consent_until"], Input(placeholder=TEXT["consent_until_placeholder"], id="consent-until")
        )

    def prefill(self) -> None:
        self.query_one("#consent-date", Input).value = format_date(local_today())
        self.load_map()

    def first_focus(self) -> None:
        self.query_one("#consent-kind").focus()

    def name_suggestions(self) -> list[str]:
        kind = self.query_one("#consent-kind", KeyChoice).value
        roles = list(MAP_ROLES) + list(COACH_ROLES.values())
        if kind == "rol":
            return roles + self.map_names()
        if kind == "organisatie":
            return self.map_names("organisatie") + self.map_names()
        return self.map_names("professional") + self.map_names() + roles

    @on(Input.Changed, "#consent-name")
    def name_changed(self) -> None:
        item = self.map_match(self.query_one("#consent-name", Input).value)
        self.set_line("consent-name-hint", TEXT["on_map"].format(label=item.entry.label) if item else "")

    @on(KeyChoice.Changed, "#consent-about")
    def about_changed(self) -> None:
        codes = self.query_one("#consent-about", KeyChoice).value
        now = (
            TEXT["consent_about_some"].format(domains=", ".join(DOMAIN_LABELS[c].lower() for c in codes))
            if codes else TEXT["consent_about_all"]
        )
        self.set_line("consent-about-hint", f"{TEXT['consent_about_hint']} {now}")

    def restored(self, draft: dict) -> None:
        self.about_changed()
        self.name_changed()

    def prepare(self):
        today = local_today()
        problems: list[tuple[str, str]] = []
        on = until = None
        try:
            on = parse_date(self.query_one("#consent-date", Input).value, today=today, field="on")
        except ValidationError as exc:
            problems.append((exc.field, exc.message))
        until_text = self.query_one("#consent-until", Input).value
        if until_text.strip():
            try:
                until = parse_date(until_text, today=today, field="valid_until", upcoming=True)
            except ValidationError as exc:
                problems.append((exc.field, exc.message))
        kind = self.query_one("#consent-kind", KeyChoice).value or "rol"
        name = self.query_one("#consent-name", Input).value
        item = self.map_match(name) if kind != "rol" else None
        new = cn.NewConsent(
            cn.ConsentWith(kind, name, item.id if item else None),
            self.query_one("#consent-about", KeyChoice).value or [cn.ALL_DOMAINS],
            self.query_one("#consent-purpose", Input).value,
            self.query_one("#consent-given", KeyChoice).value or "",
            self.query_one("#consent-how", KeyChoice).value or "",
            on, until,
        )
        if on is not None:
            try:
                new.validate(today)
            except ValidationError as exc:
                problems.append((exc.field, exc.message))
        elif not name.strip():
            problems.append(("with", "Vul in met wie er gedeeld mag worden."))
        if problems:
            for field, text in reversed(problems):
                self.show_error(field, text)
            return None
        session, student_id = self.session, self.record.id
        self.saved_name = name.strip()
        return lambda: session.consent.add_consent(student_id, new)

    def saved_text(self, result) -> str:
        return TEXT["consent_saved"].format(name=self.saved_name)


class ExtendDialog(PaneDialog):
    """A new 'geldig tot' for one consent (empty: no end date)."""

    HINT = TEXT["extend_hint"]
    FIELD_IDS = {"valid_until": "extend-until"}

    def __init__(self, session, record, consent: cn.Consent) -> None:
        super().__init__(session, record)
        self.consent = consent

    def title_text(self) -> str:
        return TEXT["extend_title"].format(name=self.consent.with_.name)

    def fields(self) -> ComposeResult:
        yield from self.row(
            TEXT["consent_until"], Input(placeholder=TEXT["consent_until_placeholder"], id="extend-until")
        )

    def prefill(self) -> None:
        if self.consent.valid_until:
            self.query_one("#extend-until", Input).value = format_date(self.consent.valid_until)

    def first_focus(self) -> None:
        self.query_one("#extend-until").focus()

    def prepare(self):
        today = local_today()
        text = self.query_one("#extend-until", Input).value
        until = parse_date(text, today=today, field="valid_until", upcoming=True) if text.strip() else None
        if until is not None and until < today:
            raise ValidationError("valid_until", TEXT["until_past"])
        session, student_id, consent = self.session, self.record.id, self.consent
        self.until = until
        return lambda: session.consent.extend_consent(student_id, consent, until)

    def saved_text(self, result) -> str:
        until = TEXT["extended_until"].format(date=format_date(self.until)) if self.until else TEXT["extended_open"]
        return TEXT["extended"].format(name=self.consent.with_.name, until=until)

    def resume_state(self) -> dict | None:
        return None  # one date: not worth a draft after a lock


class CoachDialog(PaneDialog):
    """The student's study coach: name and role (empty name: no coach)."""

    DIALOG_TITLE = TEXT["coach_dialog_title"]
    FIELD_IDS = {"coach_name": "coach-name", "coach_role": "coach-role", "new_name": "coach-name", "new_role": "coach-role"}

    def fields(self) -> ComposeResult:
        yield from self.row(
            TEXT["coach_name"], Input(placeholder=TEXT["coach_name_placeholder"], max_length=200, id="coach-name")
        )
        yield from self.row(TEXT["coach_role"], KeyChoice(list(COACH_ROLES.items()), id="coach-role"))

    def prefill(self) -> None:
        details = self.record.details
        self.query_one("#coach-name", Input).value = details.coach_name
        self.query_one("#coach-role", KeyChoice).value = details.coach_role or "studentcoach"

    def first_focus(self) -> None:
        self.query_one("#coach-name").focus()

    def prepare(self):
        name = self.query_one("#coach-name", Input).value
        role = self.query_one("#coach-role", KeyChoice).value or "studentcoach"
        session, record = self.session, self.record
        self.saved_name = " ".join(name.split())
        self.had_coach = bool(record.details.coach_name.strip())
        if not self.saved_name:
            return lambda: session.dossier.set_coach(record, "", role)
        # A new coach: the contact person gets a task to introduce them (as in a coachwissel).
        return lambda: session.eighteen.change_coach(record, name, role)

    def saved_text(self, result) -> str:
        if not self.saved_name:
            return TEXT["coach_cleared"]
        if result is False:
            return TEXT["coach_same"]
        return TEXT["coach_changed" if self.had_coach else "coach_saved"].format(name=self.saved_name)


class ExternalDialog(MapAware, PaneDialog):
    """An external professional on this file, from the sociale kaart or typed."""

    DIALOG_TITLE = TEXT["external_title"]
    HINT = TEXT["external_hint"]
    FIELD_IDS = {"name": "external-name"}

    def fields(self) -> ComposeResult:
        yield from self.row(
            TEXT["external_name"],
            Input(placeholder=TEXT["external_name_placeholder"], max_length=200, id="external-name",
                  suggester=SuggestWords(lambda: self.map_names())),
            hint="",
        )
        yield from self.row(
            TEXT["external_role"],
            Input(placeholder=TEXT["external_role_placeholder"], max_length=200, id="external-role",
                  suggester=SuggestWords(lambda: list(MAP_ROLES))),
        )
        yield from self.row(
            TEXT["external_organisation"],
            Input(max_length=200, id="external-organisation",
                  suggester=SuggestWords(lambda: self.map_names("organisatie"))),
        )
        yield from self.row(
            TEXT["external_contact"],
            Input(placeholder=TEXT["external_contact_placeholder"], max_length=200, id="external-contact"),
        )

    def prefill(self) -> None:
        self.load_map()

    def first_focus(self) -> None:
        self.query_one("#external-name").focus()

    @on(Input.Changed, "#external-name")
    def name_changed(self) -> None:
        item = self.map_match(self.query_one("#external-name", Input).value)
        self.set_line("external-name-hint", TEXT["on_map"].format(label=item.entry.label) if item else "")

    @on(Input.Submitted, "#external-name")
    def name_submitted(self) -> None:
        """Enter on a name from the kaart fills the empty fields from it."""
        item = self.map_match(self.query_one("#external-name", Input).value)
        if item is not None:
            e = item.entry
            contact = " · ".join(x for x in (e.phone, e.email) if x)
            for widget_id, value in (("external-role", e.role), ("external-organisation", e.organisation),
                                     ("external-contact", contact)):
                widget = self.query_one(f"#{widget_id}", Input)
                if not widget.value.strip():
                    widget.value = value

    def restored(self, draft: dict) -> None:
        self.name_changed()

    def prepare(self):
        value = {k: self.query_one(f"#external-{k}", Input).value for k in ("name", "role", "organisation", "contact")}
        if not value["name"].strip():
            raise ValidationError("name", "Vul de naam van de betrokkene in.")
        item = self.map_match(value["name"])
        session, student_id = self.session, self.record.id
        self.saved_name = value["name"].strip()
        return lambda: session.dossier.add_external(
            student_id, value["name"], value["role"], value["organisation"], value["contact"],
            item.id if item else None,
        )

    def saved_text(self, result) -> str:
        return TEXT["external_saved"].format(name=self.saved_name)


class ColleagueDialog(ModalScreen[str | None]):
    """Pick an active colleague not yet involved; dismissed with their worker id."""

    DEFAULT_CSS = """
    ColleagueDialog { align: center middle; }
    ColleagueDialog > .fd-box {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; padding: 0 1; background: $surface;
    }
    ColleagueDialog Input { border: none; height: 1; padding: 0 1; background: $boost; margin-top: 1; }
    ColleagueDialog Input:focus { border: none; background: $accent 25%; }
    ColleagueDialog OptionList { height: auto; max-height: 12; border: none; padding: 0; margin-top: 1; }
    ColleagueDialog #colleague-message { color: $text-muted; height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", TEXT["back"])]

    def __init__(self, workers, title: str = TEXT["colleague_title"]) -> None:
        super().__init__()
        self.candidates = list(workers)
        self.title_text = title

    def compose(self) -> ComposeResult:
        with DialogBox(classes="fd-box"):
            yield Static(self.title_text, classes="title")
            yield Static(TEXT["colleague_hint"], classes="hint")
            yield Input(placeholder=TEXT["colleague_filter"], id="colleague-filter")
            yield OptionList(id="colleague-list")
            yield Static("", id="colleague-message")
        yield Footer()

    def on_mount(self) -> None:
        self.fill("")
        self.query_one("#colleague-filter", Input).focus()

    @on(Input.Changed, "#colleague-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def fill(self, text: str) -> None:
        wanted = fold(text.strip())
        shown = [w for w in self.candidates if not wanted or wanted in fold(f"{w.full_name} {w.initials}")]
        options = self.query_one("#colleague-list", OptionList)
        options.clear_options()
        options.add_options([Option(f"{w.full_name} ({w.initials})", id=w.id) for w in shown])
        if shown:
            options.highlighted = 0
        message = "" if shown else (TEXT["colleague_nomatch"] if self.candidates else TEXT["colleague_none"])
        self.query_one("#colleague-message", Static).update(message)

    def on_key(self, event) -> None:
        if event.key == "down" and self.focused is self.query_one("#colleague-filter"):
            self.query_one("#colleague-list").focus()
            event.stop()

    @on(Input.Submitted, "#colleague-filter")
    def submitted(self) -> None:
        self.choose()

    @on(OptionList.OptionSelected, "#colleague-list")
    def chosen(self) -> None:
        self.choose()

    def choose(self) -> None:
        options = self.query_one("#colleague-list", OptionList)
        if options.highlighted is None or not options.option_count:
            return
        self.dismiss(options.get_option_at_index(options.highlighted).id)

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- helpers for tables ------------------------------------------------------------------------


def highlighted_key(table: DataTable) -> str | None:
    if not table.row_count:
        return None
    return table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value


def keep_cursor(table: DataTable, key: str | None) -> None:
    """Back on the row that was highlighted, or on an entry a dialog just added."""
    just_added = getattr(table.screen, "select_after", None)
    for wanted in (just_added, key):
        if wanted is None:
            continue
        try:
            table.move_cursor(row=table.get_row_index(wanted))
            return
        except Exception:  # noqa: BLE001 - not in this table, or gone; try the next
            continue


def initials(session, worker_id: str) -> str:
    worker = session.workers.get(worker_id)
    return worker.initials if worker else "?"


# -- Leefdomeinen ----------------------------------------------------------------------------


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


class ScoresPane(FocusOnShow, DossierPane):
    """Per leefdomein the latest score, a sparkline of all scores, and for the
    highlighted domain a chart over time and the full list."""

    TAB_TITLE = "Leefdomeinen"

    DEFAULT_CSS = """
    ScoresPane { height: 1fr; }
    ScoresPane #scores-table { height: auto; max-height: 50%; }
    ScoresPane #scores-detail { height: 1fr; padding: 0 1; }
    ScoresPane #scores-history { margin-top: 1; }
    """

    BINDINGS = [Binding("a", "add", "Score toevoegen")]

    def compose(self) -> ComposeResult:
        yield DataTable(id="scores-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="scores-detail"):
            yield Static("", id="scores-chart")
            yield Static("", id="scores-history")

    def on_mount(self) -> None:
        table = self.query_one("#scores-table", DataTable)
        for label, width in zip(TEXT["scores_columns"], (18, 24, 10, SPARK_MAX, None)):
            table.add_column(label, width=width, key=label)
        if self.dossier is not None:
            self.fill()

    def show(self, dossier, record) -> None:
        super().show(dossier, record)
        if self.is_mounted:
            self.fill()

    def ordered_domains(self) -> list[str]:
        scores = self.dossier.scores if self.dossier else {}
        with_scores = [x.code for x in LEEFDOMEINEN if scores.get(x.code)]
        return with_scores + [x.code for x in LEEFDOMEINEN if not scores.get(x.code)]

    def fill(self) -> None:
        table = self.query_one("#scores-table", DataTable)
        keep = highlighted_key(table)
        table.clear()
        for code in self.ordered_domains():
            series = self.dossier.scores.get(code, [])
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
        keep_cursor(table, keep)
        self.show_domain(highlighted_key(table))

    @on(DataTable.RowHighlighted, "#scores-table")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
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
            self.show_domain(highlighted_key(self.query_one("#scores-table", DataTable)))
        except NoMatches:
            pass

    def focus_main(self) -> None:
        self.query_one("#scores-table").focus()

    def action_add(self) -> None:
        domain = highlighted_key(self.query_one("#scores-table", DataTable))
        self.app.push_screen(ScoreDialog(self.session, self.record, domain=domain))


# -- Toestemming -----------------------------------------------------------------------------


def consent_status(c: cn.Consent, today: date) -> tuple[str, bool]:
    """(Dutch status, active?) of one consent today."""
    if c.withdrawn_on is not None and c.withdrawn_on <= today:
        return TEXT["status_withdrawn"], False
    if c.valid_until is not None and c.valid_until < today:
        return TEXT["status_expired"], False
    if c.valid_until is not None and (c.valid_until - today).days <= cn.EXPIRY_WARNING_DAYS:
        days = (c.valid_until - today).days
        when = "vandaag" if days == 0 else f"over {days} dag{'en' if days != 1 else ''}"
        return TEXT["status_expiring"].format(when=when), True
    return TEXT["status_active"], True


class ConsentPane(FocusOnShow, DossierPane):
    """Who must consent now, the warnings, and the register (active first)."""

    TAB_TITLE = "Toestemming"

    DEFAULT_CSS = """
    ConsentPane { height: 1fr; }
    ConsentPane #consent-needed { text-style: bold; padding: 0 1; }
    ConsentPane #consent-warnings { color: $warning; padding: 0 1; height: auto; max-height: 40%; }
    ConsentPane #consent-warnings.consent-ok { color: $success; }
    ConsentPane #consent-table { height: 1fr; }
    ConsentPane #consent-detail { color: $text-muted; padding: 0 1; height: auto; max-height: 4; }
    """

    BINDINGS = [
        Binding("a", "add", "Toestemming toevoegen"),
        Binding("i", "withdraw", "Intrekken"),
        Binding("v", "extend", "Verlengen"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", id="consent-needed")
        yield Static("", id="consent-warnings")
        yield DataTable(id="consent-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="consent-detail")

    def on_mount(self) -> None:
        table = self.query_one("#consent-table", DataTable)
        for label, width in zip(TEXT["consent_columns"], (16, 24, 18, 22, 18, 11, 10, 10)):
            table.add_column(label, width=width, key=label)
        if self.dossier is not None:
            self.fill()

    def show(self, dossier, record) -> None:
        super().show(dossier, record)
        if self.is_mounted:
            self.fill()

    def ordered(self, today: date) -> list[cn.Consent]:
        consents = list(self.dossier.consents)  # newest first
        return [c for c in consents if consent_status(c, today)[1]] + [
            c for c in consents if not consent_status(c, today)[1]
        ]

    def fill(self) -> None:
        today = local_today()
        birth = self.record.details.birth_date
        needed = cn.consent_needed_from(birth, today)
        age = TEXT["needed_age"].format(age=age_on(birth, today)) if birth else TEXT["needed_no_birth"]
        self.query_one("#consent-needed", Static).update(
            TEXT["needed"].format(who=cn.NEEDED_LABELS[needed], age=age)
        )
        warnings = self.dossier.consent_warnings(birth, today)
        box = self.query_one("#consent-warnings", Static)
        box.set_class(not warnings, "consent-ok")
        box.update("\n".join(f"⚠ {w.message}" for w in warnings) if warnings else TEXT["no_warnings"])
        table = self.query_one("#consent-table", DataTable)
        keep = highlighted_key(table)
        table.clear()
        for c in self.ordered(today):
            status, active = consent_status(c, today)
            style = "" if active else "dim"
            cells = [
                status,
                f"{cn.CONSENT_WITH_KINDS.get(c.with_.kind, c.with_.kind)}: {c.with_.name}",
                c.about_text,
                c.purpose,
                cn.CONSENT_GIVERS.get(c.given_by, c.given_by),
                cn.CONSENT_HOW.get(c.how, c.how),
                format_date(c.on) if c.on else "",
                format_date(c.valid_until) if c.valid_until else "–",
            ]
            if status.startswith("verloopt"):
                cells[0] = Text(status, style="bold yellow")
            table.add_row(*(cell if isinstance(cell, Text) else Text(cell, style=style) for cell in cells), key=c.id)
        keep_cursor(table, keep)
        self.show_detail()

    @on(DataTable.RowHighlighted, "#consent-table")
    def show_detail(self) -> None:
        detail = self.query_one("#consent-detail", Static)
        c = self.current()
        if c is None:
            detail.update(TEXT["consent_empty"] if self.dossier is not None and not self.dossier.consents else "")
            return
        detail.update(TEXT["consent_detail"].format(
            kind=cn.CONSENT_WITH_KINDS.get(c.with_.kind, c.with_.kind), name=c.with_.name, about=c.about_text,
            purpose=c.purpose, giver=cn.CONSENT_GIVERS.get(c.given_by, c.given_by), how=cn.CONSENT_HOW.get(c.how, c.how),
            on=format_date(c.on) if c.on else "?",
            until=TEXT["consent_until_detail"].format(date=format_date(c.valid_until)) if c.valid_until else TEXT["no_end"],
            withdrawn=TEXT["consent_withdrawn"].format(date=format_date(c.withdrawn_on)) if c.withdrawn_on else "",
        ))

    def current(self) -> cn.Consent | None:
        if self.dossier is None:
            return None
        key = highlighted_key(self.query_one("#consent-table", DataTable))
        return self.dossier.consent(key) if key else None

    def focus_main(self) -> None:
        self.query_one("#consent-table").focus()

    def action_add(self) -> None:
        self.app.push_screen(ConsentDialog(self.session, self.record))

    def action_withdraw(self) -> None:
        c = self.current()
        if c is None:
            self.notify(TEXT["pick_consent"], severity="warning")
            return
        if c.withdrawn_on is not None:
            self.notify(TEXT["already_withdrawn"], severity="warning")
            return
        name, session, student_id = c.with_.name, self.session, self.record.id

        def answered(yes: bool | None) -> None:
            if not yes:
                return

            def done(_result) -> None:
                self.notify(TEXT["withdrawn"].format(name=name))
                self.changed()

            self.run_store(lambda: session.consent.withdraw_consent(student_id, c), done=done)

        self.app.push_screen(Confirm(TEXT["withdraw_confirm"].format(name=name)), answered)

    def action_extend(self) -> None:
        c = self.current()
        if c is None:
            self.notify(TEXT["pick_consent"], severity="warning")
            return
        if c.withdrawn_on is not None:
            self.notify(TEXT["extend_withdrawn"], severity="warning")
            return
        self.app.push_screen(ExtendDialog(self.session, self.record, c))


# -- Betrokkenen ------------------------------------------------------------------------------


class InvolvedPane(FocusOnShow, DossierPane):
    """Team workers with access, the study coach, external professionals."""

    TAB_TITLE = "Betrokkenen"

    DEFAULT_CSS = """
    InvolvedPane { height: 1fr; overflow-y: auto; }
    InvolvedPane .involved-title { text-style: bold; padding: 0 1; color: $accent; }
    InvolvedPane #involved-workers { height: auto; max-height: 8; }
    InvolvedPane #involved-coach { padding: 0 1 1 1; height: auto; }
    InvolvedPane #involved-externals { height: auto; max-height: 12; }
    InvolvedPane #involved-externals-none { color: $text-muted; padding: 0 1; height: auto; }
    InvolvedPane #involved-message { color: $error; padding: 0 1; height: auto; }
    """

    BINDINGS = [
        Binding("a", "add_colleague", "Collega erbij"),
        Binding("p", "contact", "Contactpersoon"),
        Binding("x", "remove_colleague", "Collega eraf"),
        Binding("c", "coach", "Coach"),
        Binding("e", "add_external", "Extern erbij"),
        Binding("b", "end_external", "Extern stoppen"),
        Binding("k", "social_map", "Sociale kaart"),
    ]

    def __init__(self, session, record, **kwargs) -> None:
        super().__init__(session, record, **kwargs)
        self.involved: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(TEXT["workers_title"], classes="involved-title")
        yield DataTable(id="involved-workers", cursor_type="row", zebra_stripes=True)
        yield Static("", id="involved-message")
        yield Static(TEXT["coach_title"], classes="involved-title")
        yield Static("", id="involved-coach")
        yield Static(TEXT["externals_title"], classes="involved-title")
        yield DataTable(id="involved-externals", cursor_type="row", zebra_stripes=True)
        yield Static(TEXT["externals_none"], id="involved-externals-none")

    def on_mount(self) -> None:
        workers = self.query_one("#involved-workers", DataTable)
        for label, width in zip(TEXT["workers_columns"], (30, 10, 22)):
            workers.add_column(label, width=width, key=label)
        externals = self.query_one("#involved-externals", DataTable)
        for label, width in zip(TEXT["externals_columns"], (22, 22, 20, 20, 10, 10)):
            externals.add_column(label, width=width, key=label)
        self.query_one("#involved-message").display = False
        if self.dossier is not None:
            self.fill()

    def show(self, dossier, record) -> None:
        super().show(dossier, record)
        if self.is_mounted:
            self.fill()

    def say(self, text: str) -> None:
        line = self.query_one("#involved-message", Static)
        line.update(text)
        line.display = bool(text)

    def fill(self) -> None:
        self.say("")
        details = self.record.details
        coach = self.query_one("#involved-coach", Static)
        if details.coach_name:
            coach.update(TEXT["coach_line"].format(
                name=details.coach_name, role=COACH_ROLES.get(details.coach_role, details.coach_role or "coach")
            ))
        else:
            coach.update(TEXT["coach_none"])
        self.fill_externals()
        session, student_id = self.session, self.record.id
        self.run_store(lambda: session.dossier.involved_workers(student_id), done=self.fill_workers)

    def fill_workers(self, worker_ids) -> None:
        if not self.is_attached:
            return
        self.involved = list(worker_ids)
        table = self.query_one("#involved-workers", DataTable)
        keep = highlighted_key(table)
        table.clear()
        contact = self.record.contact_worker_id
        ordered = sorted(
            self.involved,
            key=lambda wid: (wid != contact, fold(self.session.workers[wid].full_name) if wid in self.session.workers else ""),
        )
        for wid in ordered:
            worker = self.session.workers.get(wid)
            name = worker.full_name if worker else "onbekende medewerker"
            if wid == self.session.worker_id:
                name += TEXT["you"]
            role = TEXT["contact_person"] if wid == contact else TEXT["involved"]
            table.add_row(
                Text(name, style="bold" if wid == contact else ""), worker.initials if worker else "?", role, key=wid
            )
        keep_cursor(table, keep)

    def fill_externals(self) -> None:
        table = self.query_one("#involved-externals", DataTable)
        keep = highlighted_key(table)
        table.clear()
        externals = sorted(self.dossier.externals, key=lambda e: (e.until is not None, fold(e.name)))
        for e in externals:
            style = "dim" if e.until is not None else ""
            cells = [e.name, e.role, e.organisation, e.contact,
                     format_date(e.since) if e.since else "", format_date(e.until) if e.until else ""]
            table.add_row(*(Text(c, style=style) for c in cells), key=e.id)
        keep_cursor(table, keep)
        table.display = bool(externals)
        self.query_one("#involved-externals-none").display = not externals

    def focus_main(self) -> None:
        self.query_one("#involved-workers").focus()

    # -- team workers -----------------------------------------------------------------

    def action_add_colleague(self) -> None:
        candidates = [w for w in self.session.active_workers() if w.id not in self.involved]
        self._pick_colleague(candidates, TEXT["colleague_title"], self.session.dossier.involve, TEXT["added_worker"])

    def action_contact(self) -> None:
        """p: another colleague becomes the contact person (and is involved from then on)."""
        candidates = [w for w in self.session.active_workers() if w.id != self.record.contact_worker_id]
        record = self.record  # as shown: a colleague's change in between is refused, not overwritten
        self._pick_colleague(
            candidates, TEXT["contact_title"], lambda _sid, wid: self.session.dossier.change_contact(record, wid), TEXT["contact_changed"],
        )

    def _pick_colleague(self, candidates, title: str, use_case, message: str) -> None:
        """Pick a colleague, then ``use_case(student_id, worker_id)`` in a thread; ``message`` on success."""
        session, student_id = self.session, self.record.id

        def chosen(worker_id: str | None) -> None:
            if not worker_id:
                return
            name = session.workers[worker_id].full_name

            def done(_result) -> None:
                self.notify(message.format(name=name))
                self.changed()

            self.run_store(lambda: use_case(student_id, worker_id), done=done, failed=self.refused)

        self.app.push_screen(ColleagueDialog(candidates, title), chosen)

    def refused(self, text: str) -> None:
        self.say(text)
        self.notify(text, severity="error")

    def action_remove_colleague(self) -> None:
        table = self.query_one("#involved-workers", DataTable)
        worker_id = highlighted_key(table)
        if worker_id is None:
            self.notify(TEXT["pick_worker"], severity="warning")
            return
        worker = self.session.workers.get(worker_id)
        name = worker.full_name if worker else "?"
        if worker_id == self.record.contact_worker_id:
            self.refused(TEXT["refused_contact"].format(name=name))
            return
        if len(self.involved) <= 1:
            self.refused(TEXT["refused_last"].format(name=name))
            return
        session, student_id = self.session, self.record.id
        myself = worker_id == session.worker_id

        def call() -> None:
            try:
                session.dossier.remove_involved(student_id, worker_id)
            except NotAllowed as exc:
                reason = exc.info.get("reason")
                if reason == "contact person":
                    raise ValidationError("worker", TEXT["refused_contact"].format(name=name)) from None
                if reason == "last involved":
                    raise ValidationError("worker", TEXT["refused_last"].format(name=name)) from None
                raise

        def done(_result) -> None:
            self.say("")
            if myself:
                # No key for this file any more: a re-read would fail. Close the
                # dossier (the screen this pane is on) and say why.
                self.app.notify(TEXT["removed_self"])
                if self.screen is self.app.screen:
                    self.screen.dismiss(None)
                return
            self.notify(TEXT["removed"].format(name=name))
            self.changed()

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_store(call, done=done, failed=self.refused)

        question = TEXT["remove_self_confirm"] if myself else TEXT["remove_confirm"].format(name=name)
        self.app.push_screen(Confirm(question), answered)

    # -- coach and externals -------------------------------------------------------------

    def action_coach(self) -> None:
        self.app.push_screen(CoachDialog(self.session, self.record))

    def action_add_external(self) -> None:
        self.app.push_screen(ExternalDialog(self.session, self.record))

    def action_end_external(self) -> None:
        key = highlighted_key(self.query_one("#involved-externals", DataTable))
        external = next((e for e in self.dossier.externals if e.id == key), None) if self.dossier else None
        if external is None:
            self.notify(TEXT["pick_external"], severity="warning")
            return
        if external.until is not None:
            self.notify(TEXT["already_ended"].format(name=external.name, date=format_date(external.until)),
                        severity="warning")
            return
        session, student_id, name = self.session, self.record.id, external.name

        def done(_result) -> None:
            self.notify(TEXT["ended"].format(name=name))
            self.changed()

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_store(lambda: session.dossier.end_external(student_id, external), done=done)

        self.app.push_screen(Confirm(TEXT["end_confirm"].format(name=name)), answered)

    def action_social_map(self) -> None:
        from screens.socialmap import SocialMapScreen

        self.app.push_screen(SocialMapScreen(self.session))
