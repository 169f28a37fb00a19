"""The student's privacy rights on screen: inzage, correctie, wissen, bewaartermijnen.

``RightsMenu(session, student_id)`` is opened from the dossier (the lead
wires the key) or the command palette: i inzage exporteren, c correctie
vastleggen, t bewaartermijn van dit dossier, w gegevens wissen (coördinator
only). ``RetentionScreen`` is the coördinator's list of files past their
term. Every store call runs in a thread worker; what was typed stays when a
save fails.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer

from jongerenteam.domain import RETENTION_REGIMES, ValidationError
from jongerenteam.messages import explain
from jongerenteam.pdf import OverwriteGuard, check_no_student_name
from jongerenteam.rights import (
    CORRECTABLE,
    DECISIONS,
    DEFAULT_REGIME,
    ERASE_WORD,
    ERASURE_REASONS,
    Correction,
    default_inzage_path,
    erase_confirmed,
)
from screens.dossier_panes import FormDialog, KeyChoice, refresh_dossier
from screens.text import DataTable, Input, Static, TextArea
from screens.widgets import leave_asking_if_typed

TEXT = {
    "menu_title": "Rechten van {name}",
    "menu_hint": "De student mag zijn of haar dossier inzien, laten verbeteren en laten wissen (AVG).",
    "inzage": "Inzage exporteren",
    "correction": "Correctie vastleggen",
    "regime": "Bewaartermijn",
    "erase": "Gegevens wissen",
    "close": "Sluiten",
    "menu_lines": (
        "i  inzage: alles wat over de student is vastgelegd, als PDF of tekst",
        "c  correctie: een verzoek om iets te verbeteren (of de weigering) vastleggen",
        "t  bewaartermijn van dit dossier: {regime}",
    ),
    "menu_erase": "w  wissen: alle gegevens van de student definitief vernietigen (coördinator)",
    "inzage_title": "Inzage exporteren voor {name}",
    "inzage_hint": "Kies PDF of tekst en waar het bestand komt. ctrl+s: opslaan · Esc: terug",
    "format": "Vorm",
    "path": "Opslaan als",
    "path_hint": "Zet geen naam van de student in de bestandsnaam.",
    "passphrase": "Jouw wachtwoord",
    "passphrase_hint": "Je bent niet betrokken: je wachtwoord opent het dossier eenmalig via de sleutelkluis. Dit komt in het logboek en de contactpersoon ziet het.",
    "inzage_saved": "Inzage opgeslagen: {path}",
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
        "ook niet met een back-up. Alleen een anoniem telrecord blijft voor de cijfers."
    ),
    "erase_reason": "Reden",
    "confirm": "Bevestig",
    "confirm_hint": "Typ WISSEN of de initialen van de student ({initials}).",
    "confirm_wrong": "Typ WISSEN of de initialen van de student om te bevestigen.",
    "erase_save": "Wissen",
    "erased": "De gegevens van de student zijn gewist.",
    "regime_title": "Welke bewaartermijn geldt voor dit dossier?",
    "regime_saved": "Bewaartermijn vastgelegd: {label}.",
    "retention_title": "Bewaartermijnen",
    "retention_hint": "Termijnen in jaren na het afsluiten van een dossier. ctrl+s: termijnen opslaan · spatie: (de)selecteren · w: wissen · Esc: sluiten",
    "school_years": "Alleen school (jaren)",
    "jeugdwet_years": "Jeugdwet (jaren)",
    "terms_saved": "De bewaartermijnen zijn opgeslagen.",
    "past_none": "Er zijn geen dossiers over hun bewaartermijn.",
    "past_count": "{n} dossier(s) over hun bewaartermijn.",
    "columns": ("", "Naam", "Termijn", "Afgesloten", "Termijn tot", "Dagen over"),
    "erase_all_title": "{n} dossier(s) wissen",
    "erase_all_hint": "Deze dossiers zijn over hun bewaartermijn. Alles van deze studenten wordt definitief vernietigd. Typ WISSEN om te bevestigen.",
    "erased_all": "{n} dossier(s) gewist.",
    "select": "(De)selecteren",
    "save_terms": "Termijnen opslaan",
    "not_number": "Vul een heel aantal jaren in, bijvoorbeeld 2 of 20 (geen komma of punt)."
}

FORMATS = [("pdf", "PDF (om te printen)"), ("tekst", "tekst (.txt)")]


def _name(session, student_id: str) -> str:
    record = session.students.get(student_id)
    return record.details.display_name if record is not None else "de student"


class _StoreCall:
    """Run a store call in a thread; ``done(result)`` or ``failed(text)`` on the UI thread."""

    def run_call(self, call: Callable[[], object], done, failed) -> None:
        app = self.app

        def work_() -> None:
            try:
                result = call()
            except ValidationError as exc:
                app.call_from_thread(failed, exc.message)
                return
            except Exception as exc:  # noqa: BLE001 - one Dutch sentence, never a traceback
                app.call_from_thread(failed, explain(exc)[0])
                return
            app.call_from_thread(done, result)

        self.run_worker(work_, thread=True, exit_on_error=False, group="rights-store")


# -- the menu -------------------------------------------------------------------------------


class RightsMenu(_StoreCall, ModalScreen[str | None]):
    """What the student may ask: inzage, correctie, wissen. Dismisses "erased" after an erasure."""

    BINDINGS = [
        Binding("i", "inzage", TEXT["inzage"]),
        Binding("c", "correction", TEXT["correction"]),
        Binding("t", "regime", TEXT["regime"]),
        Binding("w", "erase", TEXT["erase"]),
        Binding("escape", "close", TEXT["close"]),
    ]

    DEFAULT_CSS = """
    RightsMenu { align: center middle; }
    RightsMenu > #rights-box {
        width: 90; max-width: 100%; height: auto; border: round $accent; padding: 0 2; background: $surface;
    }
    RightsMenu #rights-lines { margin-top: 1; }
    """

    def __init__(self, session, student_id: str) -> None:
        super().__init__()
        self.session = session
        self.student_id = student_id

    def compose(self) -> ComposeResult:
        with Vertical(id="rights-box"):
            yield Static(TEXT["menu_title"].format(name=_name(self.session, self.student_id)), classes="title")
            yield Static(TEXT["menu_hint"], classes="hint")
            yield Static(self._lines(), id="rights-lines", markup=False)
        yield Footer()

    def _lines(self) -> str:
        record = self.session.students.get(self.student_id)
        regime = (record.details.retention if record is not None else "") or DEFAULT_REGIME
        lines = [line.format(regime=RETENTION_REGIMES[regime]) for line in TEXT["menu_lines"]]
        if not self.session.is_involved(self.student_id):
            # A coördinator from outside the file: inzage (through the escrow) and wissen only.
            lines = [line for line in lines if line.startswith("i ")]
        if self.session.keys.is_coordinator:
            lines.append(TEXT["menu_erase"])
        return "\n".join(lines)

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "erase" and (self.session.is_locked or not self.session.keys.is_coordinator):
            return False
        if action in ("correction", "regime") and not self.session.is_involved(self.student_id):
            return False
        return True

    def action_inzage(self) -> None:
        self.app.push_screen(InzageDialog(self.session, self.student_id))

    def action_correction(self) -> None:
        self.app.push_screen(CorrectionDialog(self.session, self.student_id))

    def action_regime(self) -> None:
        record = self.session.students.get(self.student_id)
        current = (record.details.retention if record is not None else "") or DEFAULT_REGIME

        def chosen(regime: str | None) -> None:
            if not regime or regime == current or record is None:
                return
            self.run_call(
                lambda: self.session.rights.set_retention_regime(record, regime),
                lambda _r: self._regime_saved(regime),
                lambda text: self.notify(text, severity="error"),
            )

        self.app.push_screen(RegimePicker(current), chosen)

    def _regime_saved(self, regime: str) -> None:
        self.query_one("#rights-lines", Static).update(self._lines())
        self.notify(TEXT["regime_saved"].format(label=RETENTION_REGIMES[regime]))

    def action_erase(self) -> None:
        if not self.session.keys.is_coordinator:
            return

        def done(erased) -> None:
            if erased:
                self.dismiss("erased")
                leave_erased(self.app, self.student_id)

        self.app.push_screen(EraseDialog(self.session, self.student_id), done)

    def action_close(self) -> None:
        self.dismiss(None)


def leave_erased(app, student_id: str) -> None:
    """Close every screen that still shows the erased student; the home screen reloads."""
    while len(app.screen_stack) > 1 and getattr(app.screen, "student_id", None) == student_id:
        app.pop_screen()
    reload = getattr(app.screen, "reload", None)
    if callable(reload):
        reload()


class RegimePicker(ModalScreen[str | None]):
    """1 school, 2 Jeugdwet; Enter keeps the highlighted one, Esc changes nothing."""

    BINDINGS = [
        Binding("enter", "choose", "Vastleggen", priority=True),
        Binding("escape", "close", TEXT["close"]),
    ]
    DEFAULT_CSS = """
    RegimePicker { align: center middle; }
    RegimePicker > Vertical { width: 70; height: auto; border: round $accent; padding: 0 2; background: $surface; }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(TEXT["regime_title"], classes="title")
            yield KeyChoice(list(RETENTION_REGIMES.items()), value=self.current, advance=False, id="regime")
            yield Static("1 of 2 kiest · Enter: vastleggen · Esc: terug", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#regime").focus()

    @on(KeyChoice.Changed)
    def picked(self, event: KeyChoice.Changed) -> None:
        event.stop()

    def action_choose(self) -> None:
        self.dismiss(self.query_one("#regime", KeyChoice).value)

    def action_close(self) -> None:
        self.dismiss(None)


# -- inzage ---------------------------------------------------------------------------------


class InzageDialog(FormDialog):
    """Format, file name (and, for a coördinator who is not involved, the passphrase)."""

    FIELD_IDS = {"path": "i-path", "passphrase": "i-pass"}
    HINT = TEXT["inzage_hint"]

    def __init__(self, session, student_id: str) -> None:
        super().__init__(session)
        self.student_id = student_id
        self.via_escrow = not session.is_involved(student_id) and session.keys.is_coordinator
        self.overwrite = OverwriteGuard()

    def title_text(self) -> str:
        return TEXT["inzage_title"].format(name=_name(self.session, self.student_id))

    def fields(self) -> ComposeResult:
        yield from self.row(TEXT["format"], KeyChoice(FORMATS, value="pdf", id="i-format"))
        yield from self.row(TEXT["path"], Input(id="i-path"), hint=TEXT["path_hint"])
        if self.via_escrow:
            yield from self.row(TEXT["passphrase"], Input(id="i-pass", password=True), hint=TEXT["passphrase_hint"])

    def prefill(self) -> None:
        from jongerenteam.dates import local_today

        self.query_one("#i-path", Input).value = str(default_inzage_path(local_today(), "pdf"))

    def first_focus(self) -> None:
        self.query_one("#i-format").focus()

    @on(KeyChoice.Changed, "#i-format")
    def format_changed(self, event: KeyChoice.Changed) -> None:
        field = self.query_one("#i-path", Input)
        ext = ".pdf" if event.choice.value == "pdf" else ".txt"
        for old in (".pdf", ".txt"):
            if field.value.endswith(old):
                field.value = field.value[: -len(old)] + ext

    def draft(self) -> dict | None:
        return None  # nothing worth keeping over a lock (and never the passphrase)

    def prepare(self):
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
                raise ValidationError("passphrase", "Typ je wachtwoord om het dossier via de sleutelkluis te openen.")
        team = getattr(self.app, "team_name", "")
        session, student_id = self.session, self.student_id
        return lambda: session.rights.export_inzage(student_id, target, fmt, coordinator_passphrase=passphrase, team=team)

    def explain(self, exc: Exception) -> str:
        if self.via_escrow:
            self.query_one("#i-pass", Input).value = ""  # a wrong passphrase is typed again
        return explain(exc)[0]

    def saved(self, result) -> None:
        self.app.notify(TEXT["inzage_saved"].format(path=result))
        self.dismiss(result)


# -- correctie --------------------------------------------------------------------------------


class CorrectionDialog(FormDialog):
    """A correction request: what was asked, when, the decision, the change and why."""

    FIELD_IDS = {
        "request": "c-request", "on": "c-on", "decision": "c-decision", "field": "c-what",
        "target": "c-what", "entry": "c-talk", "new_value": "c-new", "reason": "c-reason",
    }

    def __init__(self, session, student_id: str, *, talk_id: str | None = None, restore: bool = False) -> None:
        """``talk_id``: the talk to correct (from the Gesprekken tab), chosen already."""
        super().__init__(session, restore=restore)
        self.student_id = student_id
        self.talk_id = talk_id
        self.talks: list = []
        # The details as the worker sees them now: a colleague's change in between is refused.
        record = session.students.get(student_id)
        self.seen_version = record.version if record is not None else None

    def title_text(self) -> str:
        return TEXT["correction_title"].format(name=_name(self.session, self.student_id))

    def fields(self) -> ComposeResult:
        targets = [(code, label) for code, label in CORRECTABLE.items()] + [("gesprek", "verslag van een gesprek")]
        yield from self.row(TEXT["request"], Input(id="c-request"), hint=TEXT["request_hint"])
        yield from self.row(TEXT["on"], Input(id="c-on"))
        yield from self.row(TEXT["decision"], KeyChoice(list(DECISIONS.items()), value="aangepast", id="c-decision"))
        yield from self.row(TEXT["what"], KeyChoice(targets, value=None, id="c-what"))
        yield from self.row(TEXT["talk"], KeyChoice([("", TEXT["no_talks"])], value=None, id="c-talk"), hint=TEXT["talk_hint"])
        yield from self.row(TEXT["new"], Input(id="c-new"))
        yield from self.row(TEXT["new_text"], TextArea(id="c-text"))
        yield from self.row(TEXT["reason"], Input(id="c-reason"), hint=TEXT["reason_hint"])

    def prefill(self) -> None:
        from jongerenteam.dates import local_today

        self.query_one("#c-on", Input).value = f"{local_today():%d-%m-%Y}"
        self.query_one("#c-talk-hint", Static).display = False  # until the talks are counted
        self._show_rows()
        self.load_talks()

    def first_focus(self) -> None:
        self.query_one("#c-request").focus()

    def restored(self, draft: dict) -> None:
        self._show_rows()

    @work(thread=True, exclusive=True, exit_on_error=False, group="rights-talks")
    def load_talks(self) -> None:
        try:
            dossier = self.session.dossier.open_dossier(self.student_id, log=False)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.set_line, "fd-message", explain(exc)[0])
            return
        editable = [t for t in dossier.timeline if t.editable]
        # The nine newest; a talk chosen in the Gesprekken tab comes first, however old.
        chosen = [t for t in editable if t.id == self.talk_id]
        talks = (chosen + [t for t in editable if t.id != self.talk_id])[:9]
        self.app.call_from_thread(self._talks_loaded, talks, len(editable))

    def _talks_loaded(self, talks, total: int) -> None:
        self.talks = talks
        self.query_one("#c-talk-hint", Static).display = total > len(talks)
        if not talks:
            # Nothing to choose: "verslag van een gesprek" is not offered at all.
            what = self.query_one("#c-what", KeyChoice)
            what.options = [(code, label) for code, label in what.options if code != "gesprek"]
            what.refresh(layout=True)
        else:
            picker = self.query_one("#c-talk", KeyChoice)
            picker.options = [(t.id, f"{t.at:%d-%m-%Y} {t.label}: {t.note[:30]}") for t in talks]
            picker.value = None
            picker.refresh(layout=True)
            talk = next((t for t in talks if t.id == self.talk_id), None)
            if talk is not None and not self.restore:
                self.query_one("#c-what", KeyChoice).value = "gesprek"
                picker.value = talk.id
                area = self.query_one("#c-text", TextArea)
                if not area.text.strip():
                    area.text = talk.note
                self._show_rows()

    def _row_of(self, widget_id: str):
        return self.query_one(f"#{widget_id}").parent

    def _show_rows(self) -> None:
        decision = self.query_one("#c-decision", KeyChoice).value
        target = self.query_one("#c-what", KeyChoice).value
        changing = decision == "aangepast"
        self._row_of("c-what").display = changing
        self._row_of("c-talk").display = changing and target == "gesprek"
        self._row_of("c-text").display = changing and target == "gesprek"
        self._row_of("c-new").display = changing and target not in (None, "gesprek")

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
        talk = next((t for t in self.talks if t.id == event.choice.value), None)
        area = self.query_one("#c-text", TextArea)
        if talk is not None and not area.text.strip():
            area.text = talk.note

    def prepare(self):
        from jongerenteam.dates import local_today, parse_date

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
            entry_id=self.query_one("#c-talk", KeyChoice).value or None if is_talk else None,
            new_value=self.query_one("#c-text", TextArea).text if is_talk else self.query_one("#c-new", Input).value,
            version=self.seen_version,
        )
        self.FIELD_IDS = {**type(self).FIELD_IDS, "new_value": "c-text" if is_talk else "c-new"}
        correction.validate(local_today())
        session, student_id = self.session, self.student_id
        return lambda: session.rights.record_correction(student_id, correction)

    def saved(self, result) -> None:
        self.app.notify(TEXT["correction_saved"])
        refresh_dossier(self.app)
        self.dismiss(result)

    def resume_state(self) -> dict | None:
        return {"student": self.student_id, "talk": self.talk_id}

    @classmethod
    def resume(cls, session, state: dict):
        student_id = state.get("student", "")
        if not session.is_involved(student_id) or student_id not in session.students:
            return None
        return cls(session, student_id, talk_id=state.get("talk"), restore=True)


# -- wissen -------------------------------------------------------------------------------------


class EraseDialog(FormDialog):
    """Reason and typed confirmation; erases one student (coördinator)."""

    FIELD_IDS = {"reason": "e-reason", "confirm": "e-confirm"}
    HINT = ""
    BINDINGS = [Binding("ctrl+s", "save", TEXT["erase_save"], priority=True)]

    def __init__(self, session, student_id: str) -> None:
        super().__init__(session)
        self.student_id = student_id

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
        yield from self.row(TEXT["erase_reason"], KeyChoice(list(ERASURE_REASONS.items()), value=None, id="e-reason"))
        yield from self.row(TEXT["confirm"], Input(id="e-confirm"), hint=TEXT["confirm_hint"].format(initials=initials))
        yield Static("ctrl+s: wissen · Esc: terug", classes="hint")

    def draft(self) -> dict | None:
        return None

    def first_focus(self) -> None:
        self.query_one("#e-reason").focus()

    def prepare(self):
        reason = self.query_one("#e-reason", KeyChoice).value
        if reason not in ERASURE_REASONS:
            raise ValidationError("reason", "Kies een reden voor het wissen.")
        record = self.session.students.get(self.student_id)
        first, last = (record.details.first_name, record.details.last_name) if record else ("", "")
        if not erase_confirmed(self.query_one("#e-confirm", Input).value, first, last):
            raise ValidationError("confirm", TEXT["confirm_wrong"])
        session, student_id = self.session, self.student_id
        return lambda: session.rights.erase_student(student_id, reason)

    def saved(self, result) -> None:
        self.app.notify(TEXT["erased"])
        self.dismiss(True)


# -- bewaartermijnen --------------------------------------------------------------------------


class RetentionScreen(_StoreCall, ModalScreen[None]):
    """The team's terms (editable) and the closed files past their term (coördinator)."""

    BINDINGS = [
        Binding("ctrl+s", "save_terms", TEXT["save_terms"], priority=True),
        Binding("space", "toggle", TEXT["select"], key_display="spatie"),
        Binding("w", "erase", TEXT["erase"]),
        Binding("escape", "close", TEXT["close"]),
    ]

    DEFAULT_CSS = """
    RetentionScreen { align: center middle; }
    RetentionScreen > #ret-box {
        width: 110; max-width: 100%; height: 90%; border: round $accent; padding: 0 2; background: $surface;
    }
    RetentionScreen .ret-row { height: 1; margin-top: 1; }
    RetentionScreen .ret-row Static { width: 24; }
    RetentionScreen Input { border: none; height: 1; padding: 0 1; width: 8; background: $boost; }
    RetentionScreen Input:focus, RetentionScreen Input.-invalid, RetentionScreen Input.-invalid:focus { border: none; height: 1; }
    RetentionScreen Input:focus { background: $accent 25%; }
    RetentionScreen #ret-error { color: $error; height: auto; }
    RetentionScreen #ret-past { height: 1fr; margin-top: 1; }
    """

    def __init__(self, session) -> None:
        super().__init__()
        self.session = session
        self.rows: list = []
        self.selected: set[str] = set()
        self.stored_terms: tuple[str, str] | None = None  # as loaded: Esc asks when they were changed

    def compose(self) -> ComposeResult:
        from textual.containers import Horizontal

        with Vertical(id="ret-box"):
            yield Static(TEXT["retention_title"], classes="title")
            yield Static(TEXT["retention_hint"], classes="hint")
            yield Horizontal(Static(TEXT["school_years"]), Input(id="ret-school"), classes="ret-row")
            yield Horizontal(Static(TEXT["jeugdwet_years"]), Input(id="ret-jeugdwet"), classes="ret-row")
            yield Static("", id="ret-error")
            yield Static("", id="ret-count")
            yield DataTable(id="ret-past", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#ret-past", DataTable).add_columns(*TEXT["columns"])
        self.load()

    def load(self) -> None:
        session = self.session
        self.run_call(
            lambda: (session.team.settings_version(), session.rights.retention_years(), session.rights.past_term()),
            self.loaded, self.show_error,
        )

    def loaded(self, result) -> None:
        self.version, years, past = result
        school, jeugd = self.query_one("#ret-school", Input), self.query_one("#ret-jeugdwet", Input)
        if not school.value:
            school.value = str(years["school"])
        if not jeugd.value:
            jeugd.value = str(years["jeugdwet"])
        self.stored_terms = (str(years["school"]), str(years["jeugdwet"]))
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

    def show_error(self, text: str) -> None:
        self.query_one("#ret-error", Static).update(text)

    def action_toggle(self) -> None:
        if not self.rows or self.focused is not self.query_one("#ret-past", DataTable):
            return
        sid = self.rows[self.query_one("#ret-past", DataTable).cursor_row].record.id
        self.selected ^= {sid}
        self._fill()

    def action_save_terms(self) -> None:
        self.show_error("")
        try:
            terms = {
                "school": int(self.query_one("#ret-school", Input).value.strip()),
                "jeugdwet": int(self.query_one("#ret-jeugdwet", Input).value.strip()),
            }
        except ValueError:
            self.show_error(TEXT["not_number"])
            return
        session = self.session
        version = self.version
        self.run_call(lambda: session.rights.set_retention_years(terms, version=version), self.terms_saved, self.show_error)

    def terms_saved(self, _result) -> None:
        self.notify(TEXT["terms_saved"])
        self.load()

    def action_erase(self) -> None:
        if not self.rows or isinstance(self.focused, Input):
            return
        ids = [p.record.id for p in self.rows if not self.selected or p.record.id in self.selected]

        def confirmed(yes: bool | None) -> None:
            if yes:
                session = self.session
                self.run_call(lambda: session.rights.erase_past_term(ids), self.erased, self.show_error)

        self.app.push_screen(TypedConfirm(TEXT["erase_all_title"].format(n=len(ids)), TEXT["erase_all_hint"]), confirmed)

    def erased(self, n) -> None:
        self.notify(TEXT["erased_all"].format(n=n))
        self.selected.clear()
        self.load()

    def typed_terms(self) -> tuple[str, str]:
        return (self.query_one("#ret-school", Input).value.strip(), self.query_one("#ret-jeugdwet", Input).value.strip())

    def action_close(self) -> None:
        typed = self.stored_terms is not None and self.typed_terms() != self.stored_terms
        leave_asking_if_typed(self, typed, lambda: self.dismiss(None))


class TypedConfirm(ModalScreen[bool]):
    """A confirmation that needs the word WISSEN typed; Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Terug")]
    DEFAULT_CSS = """
    TypedConfirm { align: center middle; }
    TypedConfirm > Vertical { width: 80; height: auto; border: round $error; padding: 0 2; background: $surface; }
    TypedConfirm Input { border: none; height: 1; padding: 0 1; background: $boost; }
    TypedConfirm Input:focus, TypedConfirm Input.-invalid, TypedConfirm Input.-invalid:focus { border: none; height: 1; }
    TypedConfirm #tc-error { color: $error; height: auto; }
    """

    def __init__(self, title: str, hint: str) -> None:
        super().__init__()
        self.title_text, self.hint = title, hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="title")
            yield Static(self.hint, classes="hint")
            yield Input(id="tc-word", placeholder=ERASE_WORD)
            yield Static("", id="tc-error")
            yield Static("Enter: wissen · Esc: terug", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#tc-word").focus()

    @on(Input.Submitted, "#tc-word")
    def submitted(self, event: Input.Submitted) -> None:
        if erase_confirmed(event.value):
            self.dismiss(True)
        else:
            self.query_one("#tc-error", Static).update(TEXT["confirm_wrong"].replace(" of de initialen van de student", ""))

    def action_cancel(self) -> None:
        self.dismiss(False)


# -- the command palette -------------------------------------------------------------------------


def commands(app, screen) -> list[tuple[str, str, Callable[[], None]]]:
    """Palette entries: on a student's dossier the student's rights; for a coördinator the terms."""
    session = getattr(app, "session", None)
    if session is None or session.is_locked:
        return []
    out: list[tuple[str, str, Callable[[], None]]] = []
    student_id = getattr(screen, "student_id", None)
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
