"""The student's privacy rights on screen: inzage, correctie, wissen, bewaartermijnen.

``RightsMenu(session, student_id)`` is opened from the dossier (key r) or
the command palette: i inzage exporteren (``InzageDialog`` reads the file,
``InzageReview`` has the worker decide on every part about others before
the file is written), c correctie vastleggen, t
bewaartermijn van dit dossier, w gegevens wissen (coördinator only).
``RetentionScreen`` (screens/retention.py) is the coördinator's list of
files past their term. Every store call runs in a thread worker; what was typed stays when a
save fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen

from jongerenteam.dates import local_today, parse_date
from jongerenteam.domain import RETENTION_REGIMES, ValidationError
from jongerenteam.pdf import OverwriteGuard, check_no_student_name
from jongerenteam.rights import (
    CORRECTABLE,
    DECISIONS,
    DEFAULT_REGIME,
    ERASURE_REASONS,
    Correction,
    default_inzage_path,
    erase_confirmed,
)
from jongerenteam.rights.recipients import ERASURE_TOLD, Recipient
from screens.background import Failure, run_in_thread
from screens.dialogs import Confirm, Dialog, FormDialog
from screens.interfaces import AboutStudent, Command, reload_screen, team_app
from screens.messages import dossier_changed
from screens.recipients import InformDialog, recipient_lines
from screens.retention import RetentionScreen
from screens.text import DataTable, Input, Static, Text, TextArea
from screens.widgets import KeyChoice, SteadyFooter

if TYPE_CHECKING:
    from pathlib import Path

    from jongerenteam.dossier import TimelineItem
    from jongerenteam.rights import InzageDraft
    from jongerenteam.session import TeamSession

# The lines of the menu; every other word is in TEXT.
MENU_LINES = (
    "i  inzage: alles wat over de student is vastgelegd, als PDF of tekst",
    "c  correctie: een verzoek om iets te verbeteren (of de weigering) vastleggen",
    "t  bewaartermijn van dit dossier: {regime}",
    "o  ontvangers: wie kreeg gegevens, en wie is ingelicht over een correctie",
)

TEXT = {
    "menu_title": "Rechten van {name}",
    "menu_hint": "De student mag zijn of haar dossier inzien, laten verbeteren en laten wissen (AVG).",
    "inzage": "Inzage exporteren",
    "correction": "Correctie vastleggen",
    "regime": "Bewaartermijn",
    "recipients": "Ontvangers",
    "erase_told": "Ontvangers",
    "told_needed": "Zeg of de ontvangers zijn ingelicht.",
    "loading_recipients": "Nagaan wie gegevens uit dit dossier kreeg …",
    "erase_told_hint": "Laat iedereen die gegevens kreeg weten dat ze gewist worden (AVG artikel 19).",
    "erase_shared": "Gegevens uit dit dossier gingen naar:",
    "erase_not_shared": "Gegevens uit dit dossier zijn met niemand gedeeld.",
    "erase_open": "Er loopt nog een overdracht: trek die in of rond hem af, of laat de ontvanger weten dat hij stopt.",
    "erase": "Gegevens wissen",
    "close": "Sluiten",
    "menu_erase": "w  wissen: alle gegevens van de student definitief vernietigen (coördinator)",
    "inzage_title": "Inzage exporteren voor {name}",
    "inzage_hint": (
        "Kies PDF of tekst en waar het bestand komt. ctrl+s: verder (je kijkt daarna na wat over anderen gaat) · "
        "Esc: terug"
    ),
    "format": "Vorm",
    "path": "Opslaan als",
    "path_hint": "Zet geen naam van de student in de bestandsnaam.",
    "passphrase": "Jouw wachtwoord",
    "passphrase_hint": (
        "Je bent niet betrokken: je wachtwoord opent het dossier eenmalig via de sleutelkluis. Dit komt in het "
        "logboek en de contactpersoon ziet het."
    ),
    "inzage_saved": "Inzage opgeslagen: {path}",
    "inzage_reading": "Het dossier wordt gelezen…",
    "review_title": "Inzage nakijken voor {name}",
    "review_intro": (
        "De inzage heeft {items} onderdelen. {n} {parts} misschien ook over iemand anders: wat een ouder of een "
        "ander vertelde, of namen en telefoonnummers van anderen. Die persoon heeft ook recht op privacy. Lees "
        "elk deel en kies: mag het erin, of laat je het weg?"
    ),
    "review_none": (
        "De inzage heeft {items} onderdelen. De app vond niets dat over iemand anders gaat. De app vindt niet "
        "alles: lees de inzage na voordat je hem aan de student geeft."
    ),
    "review_keys": "j: mag erin · w: weglaten · ↑ ↓: volgend deel · ctrl+s: inzage opslaan · Esc: terug",
    "review_keys_none": "ctrl+s: inzage opslaan · Esc: terug",
    "review_count": "{done} van {n} nagekeken, {out} weggelaten.",
    "review_undecided": "Kijk eerst alle delen na: nog {n} te doen. j: mag erin · w: weglaten",
    "review_leave": "Je hebt al delen nagekeken. Teruggaan zonder de inzage op te slaan?",
    "keep": "Mag erin",
    "leave_out": "Weglaten",
    "save_inzage": "Inzage opslaan",
    "undecided": "nakijken",
    "kept": "mag erin",
    "left_out": "weglaten",
    "saving_inzage": "De inzage wordt opgeslagen…",
    "correction_title": "Correctie vastleggen voor {name}",
    "request": "Verzoek",
    "request_hint": "Wat vroeg de student te verbeteren?",
    "on": "Datum verzoek",
    "decision": "Besluit",
    "what": "Wat",
    "talk": "Gesprek",
    "new": "Nieuwe waarde",
    "new_text": "Nieuwe tekst",
    "reason": "Reden",
    "reason_hint": "Waarom is het aangepast, of waarom geweigerd? De student heeft recht op die reden.",
    "no_talks": "Er zijn geen gesprekken in dit dossier.",
    "talk_hint": "De negen nieuwste. Een ouder gesprek: kies het in tabblad 2 (Gesprekken) en druk op c.",
    "correction_saved": "Het correctieverzoek is vastgelegd.",
    "erase_title": "Gegevens van {name} wissen",
    "erase_hint": (
        "Alles van deze student wordt definitief vernietigd: de sleutel van het dossier, alle gesprekken, "
        "afspraken en toestemmingen, en de gegevens in het register. Dit kan niet ongedaan worden gemaakt, "
        "ook niet met een back-up. Voor de cijfers blijft alleen een grove telling over, zonder naam, nummer of datum."
    ),
    "erase_reason": "Reden",
    "confirm": "Bevestig",
    "confirm_hint": "Typ WISSEN of de initialen van de student ({initials}).",
    "confirm_wrong": "Typ WISSEN of de initialen van de student om te bevestigen.",
    "erase_save": "Wissen",
    "erased": "De gegevens van de student zijn gewist.",
    "regime_title": "Welke bewaartermijn geldt voor dit dossier?",
    "regime_saved": "Bewaartermijn vastgelegd: {label}.",
    "regime_hint": "1, 2 of 3 kiest · Enter: vastleggen · Esc: terug",
    "regime_choose": "Vastleggen",
    "passphrase_needed": "Typ je wachtwoord om het dossier via de sleutelkluis te openen.",
    "erase_keys": "ctrl+s: wissen · Esc: terug",
    "reason_needed": "Kies een reden voor het wissen.",
}

FORMATS = [("pdf", "PDF (om te printen)"), ("tekst", "tekst (.txt)")]


def _name(session: TeamSession, student_id: str) -> str:
    record = session.students.get(student_id)
    return record.details.display_name if record is not None else "de student"


# -- the menu -------------------------------------------------------------------------------


class RightsMenu(Dialog):
    """What the student may ask: inzage, correctie, wissen. Dismisses "erased" after an erasure."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "inzage", TEXT["inzage"]),
        Binding("c", "correction", TEXT["correction"]),
        Binding("t", "regime", TEXT["regime"]),
        Binding("o", "recipients", TEXT["recipients"]),
        Binding("w", "erase", TEXT["erase"]),
        Binding("escape", "cancel", TEXT["close"]),
    ]

    def __init__(self, session: TeamSession, student_id: str) -> None:
        super().__init__(session)
        self.session: TeamSession = session
        self.student_id = student_id

    def compose(self) -> ComposeResult:
        with Vertical(id="rights-box"):
            yield Static(TEXT["menu_title"].format(name=_name(self.session, self.student_id)), classes="title")
            yield Static(TEXT["menu_hint"], classes="hint")
            yield Static(self._lines(), id="rights-lines")
        yield SteadyFooter()

    def _lines(self) -> str:
        record = self.session.students.get(self.student_id)
        regime = (record.details.retention if record is not None else "") or DEFAULT_REGIME
        lines = [line.format(regime=RETENTION_REGIMES[regime]) for line in MENU_LINES]
        if not self.session.is_involved(self.student_id):
            # A coördinator from outside the file: inzage (through the escrow) and wissen only.
            lines = [line for line in lines if line.startswith("i ")]
        if self.session.keys.is_coordinator:
            lines.append(TEXT["menu_erase"])
        return "\n".join(lines)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "erase" and (self.session.is_locked or not self.session.keys.is_coordinator):
            return False
        return not (action in ("correction", "regime", "recipients") and not self.session.is_involved(self.student_id))

    def action_inzage(self) -> None:
        self.app.push_screen(InzageDialog(self.session, self.student_id))

    def action_correction(self) -> None:
        self.app.push_screen(CorrectionDialog(self.session, self.student_id))

    def action_recipients(self) -> None:
        self.app.push_screen(InformDialog(self.session, self.student_id))

    def action_regime(self) -> None:
        record = self.session.students.get(self.student_id)
        current = (record.details.retention if record is not None else "") or DEFAULT_REGIME
        session = self.session

        def chosen(regime: str | None) -> None:
            if not regime or regime == current or record is None:
                return
            run_in_thread(self, "rights-store", lambda: session.rights.set_retention_regime(record, regime),
                          done=lambda _r: self._regime_saved(regime), failed=lambda f: self.notify(f.text, severity="error"))

        self.app.push_screen(RegimePicker(current), chosen)

    def _regime_saved(self, regime: str) -> None:
        self.query_one("#rights-lines", Static).update(self._lines())
        self.notify(TEXT["regime_saved"].format(label=RETENTION_REGIMES[regime]))

    def action_erase(self) -> None:
        if not self.session.keys.is_coordinator:
            return

        def done(erased: bool | None) -> None:
            if erased:
                self.dismiss("erased")
                leave_erased(self.app, self.student_id)

        self.app.push_screen(EraseDialog(self.session, self.student_id), done)


def leave_erased(app: App[Any], student_id: str) -> None:
    """Close every screen that still shows the erased student; the screen below reads again."""
    while len(app.screen_stack) > 1 and isinstance(app.screen, AboutStudent) and app.screen.student_id == student_id:
        app.pop_screen()
    reload_screen(app)


class RegimePicker(Dialog):
    """1 school, 2 Jeugdwet; Enter keeps the highlighted one, Esc changes nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", TEXT["regime_choose"], priority=True),
        Binding("escape", "cancel", TEXT["close"]),
    ]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(TEXT["regime_title"], classes="title")
            yield KeyChoice(RETENTION_REGIMES, value=self.current, advance=False, id="regime")
            yield Static(TEXT["regime_hint"], classes="hint")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#regime").focus()

    @on(KeyChoice.Changed)
    def picked(self, event: KeyChoice.Changed) -> None:
        event.stop()

    def action_choose(self) -> None:
        self.dismiss(self.query_one("#regime", KeyChoice).value)


# -- inzage ---------------------------------------------------------------------------------


class InzageDialog(FormDialog):
    """Format, file name (and, for a coördinator who is not involved, the passphrase)."""

    FIELD_IDS: ClassVar[dict[str, str]] = {"path": "i-path", "passphrase": "i-pass"}
    HINT = TEXT["inzage_hint"]

    def __init__(self, session: TeamSession, student_id: str) -> None:
        super().__init__(session)
        self.session: TeamSession = session
        self.student_id = student_id
        self.via_escrow = not session.is_involved(student_id) and session.keys.is_coordinator
        self.overwrite = OverwriteGuard()
        self.target: Path | None = None  # where the inzage goes, once checked (prepare)
        self.fmt = "pdf"

    def title_text(self) -> str:
        return TEXT["inzage_title"].format(name=_name(self.session, self.student_id))

    def fields(self) -> ComposeResult:
        yield from self.row(TEXT["format"], KeyChoice(FORMATS, value="pdf", id="i-format"))
        yield from self.row(TEXT["path"], Input(id="i-path"), hint=TEXT["path_hint"])
        if self.via_escrow:
            yield from self.row(TEXT["passphrase"], Input(id="i-pass", password=True), hint=TEXT["passphrase_hint"])

    def prefill(self) -> None:
        self.query_one("#i-path", Input).value = str(default_inzage_path(local_today(), "pdf"))

    def first_focus(self) -> None:
        self.query_one("#i-format").focus()

    @on(KeyChoice.Changed, "#i-format")
    def format_changed(self, event: KeyChoice.Changed) -> None:
        field = self.query_one("#i-path", Input)
        ext = ".pdf" if event.value == "pdf" else ".txt"
        for old in (".pdf", ".txt"):
            if field.value.endswith(old):
                field.value = field.value[: -len(old)] + ext

    def draft(self) -> dict[str, Any] | None:
        return None  # nothing worth keeping over a lock (and never the passphrase)

    def prepare(self) -> Any:
        from jongerenteam.pdf import check_target
        from jongerenteam.rights import check_text_target

        fmt = self.query_one("#i-format", KeyChoice).value or "pdf"
        path = self.query_one("#i-path", Input).value
        target = check_target(path, "inzage.pdf") if fmt == "pdf" else check_text_target(path)
        record = self.session.students.get(self.student_id)
        if record is not None:
            check_no_student_name(target, record.details)
        self.overwrite.check(target)
        passphrase = None
        if self.via_escrow:
            passphrase = self.query_one("#i-pass", Input).value
            if not passphrase:
                raise ValidationError("passphrase", TEXT["passphrase_needed"])
        team = team_app(self).team_name
        session, student_id = self.session, self.student_id
        self.target, self.fmt = target, fmt
        # Only read here: nothing is written before the worker checked the parts about others.
        return lambda: session.rights.read_inzage(student_id, coordinator_passphrase=passphrase, team=team)

    def show_failure(self, failure: Failure) -> None:
        if self.via_escrow and failure.field is None:
            self.query_one("#i-pass", Input).value = ""  # a wrong passphrase is typed again
        super().show_failure(failure)

    def saved(self, result: Any) -> None:
        def done(path: Path | None) -> None:
            if path is not None:
                self.app.notify(TEXT["inzage_saved"].format(path=path))
                self.dismiss(path)

        if self.target is not None:
            self.app.push_screen(InzageReview(self.session, result, self.target, self.fmt), done)


class InzageReview(Dialog):
    """The step before an inzage goes out: the worker decides on every part about others.

    One row per part (where, why, the decision); the highlighted part's full
    text under the list. j keeps it in, w leaves it out; ctrl+s writes the
    inzage only when every part is decided (the use case refuses otherwise
    too). Dismisses with the file written, or None (Esc).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "decide(True)", TEXT["keep"]),
        Binding("w", "decide(False)", TEXT["leave_out"]),
        Binding("ctrl+s", "save", TEXT["save_inzage"], priority=True),
    ]
    MESSAGE_ID = "review-message"

    def __init__(self, session: TeamSession, inzage: InzageDraft, target: Path, fmt: str) -> None:
        super().__init__(session)
        self.session: TeamSession = session
        self.inzage = inzage
        self.target = target
        self.fmt = fmt
        self.decisions: dict[str, bool] = {}

    def compose(self) -> ComposeResult:
        parts = self.inzage.parts
        with Vertical(id="review-box"):
            yield Static(TEXT["review_title"].format(name=_name(self.session, self.inzage.student_id)), classes="title")
            n, items = len(parts), len(self.inzage.items)
            intro = (TEXT["review_intro"].format(items=items, n=n, parts="deel gaat" if n == 1 else "delen gaan")
                     if parts else TEXT["review_none"].format(items=items))
            yield Static(intro, id="review-intro", classes="hint")
            yield Static(TEXT["review_keys"] if parts else TEXT["review_keys_none"], classes="hint")
            table = DataTable(id="review-parts", cursor_type="row", zebra_stripes=True)
            table.display = bool(parts)
            yield table
            with VerticalScroll(id="review-text-box"):
                yield Static("", id="review-text")
            yield Static("", id="review-count")
            yield self.message_line()
        yield SteadyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#review-parts", DataTable)
        table.add_column("Besluit", width=9)
        table.add_column("Waar", width=46)
        table.add_column("Waarom", width=44)
        for part in self.inzage.parts:
            table.add_row(TEXT["undecided"], part.where, part.why, key=part.id)
        self.query_one("#review-text-box").display = bool(self.inzage.parts)
        self._count()
        if self.inzage.parts:
            table.focus()
            self._show(0)

    def _show(self, row: int) -> None:
        parts = self.inzage.parts
        if not 0 <= row < len(parts):
            return
        part = parts[row]
        text = Text(f"{part.where}\n", style="bold")
        text.append(f"Waarom: {part.why}\n\n", style="italic")
        text.append(part.text)
        self.query_one("#review-text", Static).update(text)

    @on(DataTable.RowHighlighted, "#review-parts")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.cursor_row)

    def _count(self) -> None:
        n = len(self.inzage.parts)
        out = sum(1 for keep in self.decisions.values() if not keep)
        self.query_one("#review-count", Static).update(
            TEXT["review_count"].format(done=len(self.decisions), n=n, out=out) if n else "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "decide" and not self.inzage.parts)

    def action_decide(self, keep: bool) -> None:
        parts = self.inzage.parts
        if not parts or self.busy:
            return
        table = self.query_one("#review-parts", DataTable)
        row = table.cursor_row
        part = parts[row]
        self.decisions[part.id] = keep
        table.update_cell(part.id, table.ordered_columns[0].key, TEXT["kept"] if keep else TEXT["left_out"])
        self.say("")
        self._count()
        # On to the next part not decided yet (after this one, else from the top).
        order = list(range(row + 1, len(parts))) + list(range(row))
        following = next((i for i in order if parts[i].id not in self.decisions), None)
        if following is not None:
            table.move_cursor(row=following)

    def action_save(self) -> None:
        undecided = self.inzage.undecided(self.decisions)
        if undecided:
            self.say(TEXT["review_undecided"].format(n=len(undecided)))
            first = self.inzage.parts.index(undecided[0])
            self.query_one("#review-parts", DataTable).move_cursor(row=first)
            return
        session, inzage, target, fmt, decisions = self.session, self.inzage, self.target, self.fmt, dict(self.decisions)
        self.store(lambda: session.rights.export_inzage(inzage, target, fmt, decisions=decisions), self.dismiss,
                   busy_text=TEXT["saving_inzage"])

    def action_cancel(self) -> None:
        if self.busy:
            return
        if not self.decisions:
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        self.app.push_screen(Confirm(TEXT["review_leave"]), answered)


# -- correctie --------------------------------------------------------------------------------


class CorrectionDialog(FormDialog):
    """A correction request: what was asked, when, the decision, the change and why."""

    FIELD_IDS: ClassVar[dict[str, str]] = {
        "request": "c-request", "on": "c-on", "decision": "c-decision", "field": "c-what",
        "target": "c-what", "entry": "c-talk", "new_value": "c-new", "reason": "c-reason",
        "tekst": "c-text",  # the talk's text, as edit_talk names it (two versions left in it, d.UNMERGED)
    }

    def __init__(self, session: TeamSession, student_id: str, *, talk_id: str | None = None, restore: bool = False) -> None:
        """``talk_id``: the talk to correct (from the Gesprekken tab), chosen already."""
        super().__init__(session, restore=restore)
        self.session: TeamSession = session
        self.student_id = student_id
        self.talk_id = talk_id
        self.talks: list[TimelineItem] = []
        self.new_value_id = "c-new"
        # The details as the worker sees them now: a colleague's change in between is refused.
        record = session.students.get(student_id)
        self.seen_version = record.version if record is not None else None

    def title_text(self) -> str:
        return TEXT["correction_title"].format(name=_name(self.session, self.student_id))

    def fields(self) -> ComposeResult:
        targets = [*CORRECTABLE.items(), ("gesprek", "verslag van een gesprek")]
        yield from self.row(TEXT["request"], Input(id="c-request"), hint=TEXT["request_hint"])
        yield from self.row(TEXT["on"], Input(id="c-on"))
        yield from self.row(TEXT["decision"], KeyChoice(DECISIONS, value="aangepast", id="c-decision"))
        yield from self.row(TEXT["what"], KeyChoice(targets, value=None, id="c-what"))
        yield from self.row(TEXT["talk"], KeyChoice([("", TEXT["no_talks"])], value=None, id="c-talk"), hint=TEXT["talk_hint"])
        yield from self.row(TEXT["new"], Input(id="c-new"))
        yield from self.row(TEXT["new_text"], TextArea(id="c-text"))
        yield from self.row(TEXT["reason"], Input(id="c-reason"), hint=TEXT["reason_hint"])

    def prefill(self) -> None:
        self.query_one("#c-on", Input).value = f"{local_today():%d-%m-%Y}"
        self.query_one("#c-talk-hint", Static).display = False  # until the talks are counted
        self._show_rows()
        session, student_id = self.session, self.student_id
        run_in_thread(self, "rights-talks", lambda: session.dossier.open_dossier(student_id, log=False).timeline,
                      done=self._talks_loaded, failed=lambda f: self.say(f.text))

    def first_focus(self) -> None:
        self.query_one("#c-request").focus()

    def restored(self, draft: dict[str, Any]) -> None:
        self._show_rows()

    def _talks_loaded(self, timeline: list[TimelineItem]) -> None:
        if not self.still_here():
            return
        editable = [t for t in timeline if t.editable]
        # The nine newest; a talk chosen in the Gesprekken tab comes first, however old.
        chosen = [t for t in editable if t.id == self.talk_id]
        self.talks = (chosen + [t for t in editable if t.id != self.talk_id])[:9]
        self.query_one("#c-talk-hint", Static).display = len(editable) > len(self.talks)
        what = self.query_one("#c-what", KeyChoice)
        if not self.talks:
            # Nothing to choose: "verslag van een gesprek" is not offered at all.
            what.set_options([(code, label) for code, label in what.options if code != "gesprek"])
            return
        picker = self.query_one("#c-talk", KeyChoice)
        picker.set_options([(t.id, f"{t.at:%d-%m-%Y} {t.label}: {t.note[:30]}") for t in self.talks])
        picker.value = None
        talk = next((t for t in self.talks if t.id == self.talk_id), None)
        if talk is not None and not self.restore:
            what.value = "gesprek"
            picker.value = talk.id
            area = self.query_one("#c-text", TextArea)
            if not area.text.strip():
                area.text = talk.note
            self._show_rows()

    def _show_row(self, widget_id: str, shown: bool) -> None:
        row = self.query_one(f"#{widget_id}").parent
        if row is not None:
            row.display = shown

    def _show_rows(self) -> None:
        decision = self.query_one("#c-decision", KeyChoice).value
        target = self.query_one("#c-what", KeyChoice).value
        changing = decision == "aangepast"
        self._show_row("c-what", changing)
        self._show_row("c-talk", changing and target == "gesprek")
        self._show_row("c-text", changing and target == "gesprek")
        self._show_row("c-new", changing and target not in (None, "gesprek"))

    @on(KeyChoice.Changed, "#c-decision, #c-what")
    def choice_changed(self, event: KeyChoice.Changed) -> None:
        self._show_rows()
        # The digit already moved focus on, past rows that were hidden until now.
        if self.focused is not event.choice:
            decision = self.query_one("#c-decision", KeyChoice).value
            target = self.query_one("#c-what", KeyChoice).value
            if event.choice.id == "c-decision":
                self.query_one("#c-what" if decision == "aangepast" else "#c-reason").focus()
            elif target is not None:
                self.query_one("#c-talk" if target == "gesprek" else "#c-new").focus()

    @on(KeyChoice.Changed, "#c-talk")
    def talk_changed(self, event: KeyChoice.Changed) -> None:
        talk = next((t for t in self.talks if t.id == event.value), None)
        area = self.query_one("#c-text", TextArea)
        if talk is not None and not area.text.strip():
            area.text = talk.note

    def show_error(self, field: str, text: str, *, focus: bool = True) -> None:
        # The new value is typed in the talk's text or in the one-line field, whichever is shown.
        super().show_error(self.new_value_id if field == "new_value" else field, text, focus=focus)

    def prepare(self) -> Any:
        on_text = self.query_one("#c-on", Input).value
        on = parse_date(on_text, field="on") if on_text.strip() else None
        decision = self.query_one("#c-decision", KeyChoice).value or "aangepast"
        target = self.query_one("#c-what", KeyChoice).value
        is_talk = target == "gesprek"
        correction = Correction(
            request=self.query_one("#c-request", Input).value,
            on=on,
            decision=decision,
            reason=self.query_one("#c-reason", Input).value,
            target="gesprek" if is_talk else "gegevens",
            field="" if is_talk else (target or ""),
            entry_id=(self.query_one("#c-talk", KeyChoice).value or None) if is_talk else None,
            new_value=self.query_one("#c-text", TextArea).text if is_talk else self.query_one("#c-new", Input).value,
            version=self.seen_version,
        )
        self.new_value_id = "c-text" if is_talk else "c-new"
        correction.validate(local_today())
        session, student_id = self.session, self.student_id
        return lambda: session.rights.record_correction(student_id, correction)

    def saved(self, result: Any) -> None:
        self.app.notify(TEXT["correction_saved"])
        dossier_changed(self.app, self.student_id)
        changed = self.query_one("#c-decision", KeyChoice).value in (None, "aangepast")
        self.dismiss(result)
        if changed:  # who got the old value must hear of the new one (AVG art. 19)
            self.app.push_screen(InformDialog(self.session, self.student_id, only_if_any=True))

    def resume_state(self) -> dict[str, Any] | None:
        return {"student": self.student_id, "talk": self.talk_id}

    @classmethod
    def resume(cls, session: TeamSession, state: dict[str, Any]) -> CorrectionDialog | None:
        student_id = state.get("student", "")
        if not session.is_involved(student_id) or student_id not in session.students:
            return None
        return cls(session, student_id, talk_id=state.get("talk"), restore=True)


# -- wissen -------------------------------------------------------------------------------------


class EraseDialog(FormDialog):
    """Reason and typed confirmation; erases one student (coördinator)."""

    FIELD_IDS: ClassVar[dict[str, str]] = {"reason": "e-reason", "confirm": "e-confirm", "told": "e-told"}
    HINT = ""
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "save", TEXT["erase_save"], priority=True)]

    def __init__(self, session: TeamSession, student_id: str) -> None:
        super().__init__(session)
        self.session: TeamSession = session
        self.student_id = student_id
        self.recipients: list[Recipient] | None = None  # loaded in a thread

    def prefill(self) -> None:
        for widget_id in ("#row-e-told", "#e-told-hint"):
            self.query_one(widget_id).display = False
        session, student_id = self.session, self.student_id
        run_in_thread(self, "rights-recipients", lambda: session.rights.recipients(student_id),
                      done=self._recipients_loaded, failed=lambda f: self.say(f.text))

    def row_id(self, widget_id: str) -> str | None:
        return "row-e-told" if widget_id == "e-told" else None

    def _recipients_loaded(self, recipients: list[Recipient]) -> None:
        self.recipients = recipients
        shared = self.query_one("#e-shared", Static)
        if not recipients:
            shared.update(TEXT["erase_not_shared"])
            return
        text = Text(TEXT["erase_shared"] + "\n")
        text.append_text(recipient_lines(recipients))
        if any(r.open for r in recipients):
            text.append("\n" + TEXT["erase_open"])
        shared.update(text)
        for widget_id in ("#row-e-told", "#e-told-hint"):
            self.query_one(widget_id).display = True

    def title_text(self) -> str:
        return TEXT["erase_title"].format(name=_name(self.session, self.student_id))

    def fields(self) -> ComposeResult:
        from jongerenteam.rights import student_initials

        record = self.session.students.get(self.student_id)
        initials = ""
        if record is not None:
            options = sorted(student_initials(record.details.first_name, record.details.last_name), key=len)
            initials = " of ".join(i.upper() for i in options) or "?"
        yield Static(TEXT["erase_hint"], classes="hint")
        yield Static(TEXT["loading_recipients"], id="e-shared")
        yield from self.row(TEXT["erase_reason"], KeyChoice(ERASURE_REASONS, value=None, id="e-reason"))
        yield from self.row(TEXT["erase_told"], KeyChoice(ERASURE_TOLD, value=None, id="e-told"),
                            hint=TEXT["erase_told_hint"])
        yield from self.row(TEXT["confirm"], Input(id="e-confirm"), hint=TEXT["confirm_hint"].format(initials=initials))
        yield Static(TEXT["erase_keys"], classes="hint")

    def draft(self) -> dict[str, Any] | None:
        return None

    def first_focus(self) -> None:
        self.query_one("#e-reason").focus()

    def prepare(self) -> Any:
        reason = self.query_one("#e-reason", KeyChoice).value
        if reason not in ERASURE_REASONS:
            raise ValidationError("reason", TEXT["reason_needed"])
        record = self.session.students.get(self.student_id)
        first, last = (record.details.first_name, record.details.last_name) if record else ("", "")
        if not erase_confirmed(self.query_one("#e-confirm", Input).value, first, last):
            raise ValidationError("confirm", TEXT["confirm_wrong"])
        told = self.query_one("#e-told", KeyChoice).value if self.recipients else ""
        if self.recipients and not told:
            raise ValidationError("told", TEXT["told_needed"])
        session, student_id = self.session, self.student_id
        return lambda: session.rights.erase_student(student_id, reason, str(told or ""))

    def saved(self, result: Any) -> None:
        self.app.notify(TEXT["erased"])
        self.dismiss(True)


# -- the command palette -------------------------------------------------------------------------


def commands(app: App[Any], screen: Screen[Any]) -> list[Command]:
    """Palette entries: on a student's dossier the student's rights; for a coördinator the terms."""
    session = team_app(app).session
    if session is None or session.is_locked:
        return []
    out: list[Command] = []
    student_id = screen.student_id if isinstance(screen, AboutStudent) else None
    if student_id and student_id in session.students:
        out += [
            ("student: inzage exporteren", "alles wat over deze student is vastgelegd, als PDF of tekst",
             lambda: app.push_screen(InzageDialog(session, student_id))),
            ("student: correctie vastleggen", "een verzoek van de student om iets te verbeteren",
             lambda: app.push_screen(CorrectionDialog(session, student_id))),
        ]
        if session.keys.is_coordinator:
            def erase() -> None:
                app.push_screen(
                    EraseDialog(session, student_id),
                    lambda erased: leave_erased(app, student_id) if erased else None,
                )

            out.append(("student: gegevens wissen", "alle gegevens van deze student definitief vernietigen", erase))
    if session.keys.is_coordinator:
        out.append(("coördinator: bewaartermijnen", "termijnen en dossiers over hun bewaartermijn",
                    lambda: app.push_screen(RetentionScreen(session))))
    return out
