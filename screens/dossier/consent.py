"""Tab 5 Toestemming: who must consent now, the warnings, the register, and its dialogs.

Whether a consent is active, expiring or ended is the core's rule
(``jongerenteam.consent.Consent.state``); this tab only says it in words.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from jongerenteam import consent as cn
from jongerenteam.catalogue import COACH_ROLES, LEEFDOMEINEN
from jongerenteam.dates import format_date, local_today, parse_date
from jongerenteam.domain import ValidationError, age_on
from jongerenteam.socialmap import MAP_ROLES
from jongerenteam.text import LIMITS
from screens.dossier.base import DossierDialog, TablePane
from screens.socialmap import MapNames
from screens.text import DataTable, Input, Static
from screens.widgets import KeyChoice, SuggestWords, leefdomein_options

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.session import TeamSession

DOMAIN_LABELS = {x.code: x.label for x in LEEFDOMEINEN}

# The column titles; every other word is in TEXT.
COLUMNS = ("Status", "Met wie", "Waarover", "Doel", "Gegeven door", "Hoe", "Datum", "Geldig tot")

TEXT = {
    "title": "Toestemming",
    "needed": "Toestemming nodig van: {who}{age}.",
    "needed_age": " (de student is {age} jaar)",
    "needed_no_birth": " (geboortedatum onbekend)",
    "no_warnings": "✓ Geen waarschuwingen: de vastgelegde toestemming is in orde.",
    "empty": "Nog geen toestemming vastgelegd. Druk op a om toestemming toe te voegen.",
    cn.ACTIVE: "geldig",
    cn.EXPIRING: "verloopt {when}",
    cn.EXPIRED: "verlopen",
    cn.WITHDRAWN: "ingetrokken",
    "no_end": "geen einddatum",
    "detail": "{kind} {name} · over {about} · doel: {purpose} · gegeven door {giver}, {how}, op {on} · {until}{withdrawn}",
    "until_detail": "geldig tot {date}",
    "withdrawn_on": " · ingetrokken op {date}",
    "dialog_title": "Toestemming vastleggen",
    "kind": "Met wie (1-3)",
    "name": "Naam",
    "name_placeholder": "rol, organisatie of naam; → neemt de suggestie over",
    "name_needed": "Vul in met wie er gedeeld mag worden.",
    "about": "Waarover (1-9)",
    "about_hint": "Niets gekozen = alles. Toets 1-9 zet een leefdomein aan of uit, 0 = weer alles.",
    "about_all": "Nu: alles.",
    "about_some": "Nu: {domains}.",
    "purpose": "Doel",
    "purpose_placeholder": "waarvoor, bijv. afstemmen verzuim",
    "given": "Gegeven door (1-3)",
    "given_hint": "Nu nodig van {who}.",
    "how": "Hoe (1-2)",
    "date": "Datum",
    "date_placeholder": "bijv. 23-11-2026 of 23 nov 2026",
    "until": "Geldig tot",
    "until_placeholder": "leeg = geen einddatum",
    "on_map": "Op de sociale kaart: {label}",
    "saved": "Toestemming voor {name} vastgelegd.",
    "pick": "Kies eerst met ↑↓ een toestemming in de lijst.",
    "already_withdrawn": "Deze toestemming is al ingetrokken.",
    "withdraw_confirm": "Toestemming voor {name} intrekken per vandaag? Er mag dan niets meer met {name} gedeeld worden.",
    "withdraw_confirm_rest": (
        "Toestemming voor {name} intrekken per vandaag? Met {name} mag dan nog alleen gedeeld worden wat een andere "
        "toestemming toestaat: {rest}."
    ),
    "waiting": "wacht op {who}",
    "withdrawn": "Toestemming voor {name} is ingetrokken.",
    "extend_withdrawn": "Een ingetrokken toestemming kun je niet verlengen. Leg een nieuwe toestemming vast (a).",
    "extend_title": "Toestemming voor {name} verlengen",
    "extend_hint": "Nieuwe einddatum; leeg = geen einddatum. ctrl+s: opslaan · Esc: terug",
    "extended": "Toestemming voor {name} geldt nu {until}.",
    "extended_until": "tot {date}",
    "extended_open": "zonder einddatum",
}


def status_text(c: cn.Consent, today: date, holds: Container[str] | None = None, birth: date | None = None) -> str:
    """The consent's state today, in the register's words; an active consent that does not hold
    yet (``holds``: the ids that do) says whose consent it waits for."""
    state = c.state(today)
    if holds is not None and c.active(today) and c.id not in holds:
        who = cn.waiting_for(c, birth, today)
        if who:
            return TEXT["waiting"].format(who=cn.CONSENT_GIVERS[who])
    return TEXT[state].format(when=c.expires_in(today))


class ConsentPane(TablePane):
    """Who must consent now, the warnings, and the register (active first)."""

    TAB_TITLE = TEXT["title"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Toestemming toevoegen"),
        Binding("i", "withdraw", "Intrekken"),
        Binding("v", "extend", "Verlengen"),
    ]
    TABLES: ClassVar[dict[str, Sequence[tuple[str, int | None]]]] = {
        # Together no wider than the pane at 120 columns: a column cut off at the edge shows no "…".
        "consent-table": list(zip(COLUMNS, (12, 18, 13, 15, 12, 10, 10, 10), strict=True)),
    }
    MAIN = "consent-table"

    def compose(self) -> ComposeResult:
        yield Static("", id="consent-needed")
        yield Static("", id="consent-warnings")
        yield DataTable(id="consent-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="consent-detail")

    def fill(self) -> None:
        super().fill()
        today = local_today()
        dossier, birth = self.shown, self.record.details.birth_date
        needed = cn.consent_needed_from(birth, today)
        age = TEXT["needed_age"].format(age=age_on(birth, today)) if birth else TEXT["needed_no_birth"]
        self.query_one("#consent-needed", Static).update(TEXT["needed"].format(who=cn.NEEDED_LABELS[needed], age=age))
        warnings = dossier.consent_warnings(birth, today)
        box = self.query_one("#consent-warnings", Static)
        box.set_class(not warnings, "consent-ok")
        box.update("\n".join(f"⚠ {w.message}" for w in warnings) if warnings else TEXT["no_warnings"])
        table = self.query_one("#consent-table", DataTable)
        keep = self.highlighted("consent-table")
        table.clear()
        # Active first (newest first within each).
        ordered = sorted(dossier.consents, key=lambda c: not c.active(today))
        holds = cn.holding(dossier.consents, birth, today)
        for c in ordered:
            state = c.state(today)
            style = "" if c.active(today) else "dim"
            waiting = c.active(today) and c.id not in holds
            cells: list[Text] = [
                Text(status_text(c, today, holds, birth),
                     style="bold yellow" if state == cn.EXPIRING or waiting else style),
                *(Text(value, style=style) for value in (
                    f"{cn.CONSENT_WITH_KINDS.get(c.with_.kind, c.with_.kind)}: {c.with_.name}",
                    c.about_text,
                    c.purpose,
                    cn.CONSENT_GIVERS.get(c.given_by, c.given_by),
                    cn.CONSENT_HOW.get(c.how, c.how),
                    format_date(c.on) if c.on else "",
                    format_date(c.valid_until) if c.valid_until else "–",
                )),
            ]
            table.add_row(*cells, key=c.id)
        self.keep(table, keep)
        self.show_detail()

    @on(DataTable.RowHighlighted, "#consent-table")
    def show_detail(self) -> None:
        detail = self.query_one("#consent-detail", Static)
        c = self.current()
        if c is None:
            detail.update(TEXT["empty"] if self.dossier is not None and not self.dossier.consents else "")
            return
        detail.update(TEXT["detail"].format(
            kind=cn.CONSENT_WITH_KINDS.get(c.with_.kind, c.with_.kind), name=c.with_.name, about=c.about_text,
            purpose=c.purpose, giver=cn.CONSENT_GIVERS.get(c.given_by, c.given_by), how=cn.CONSENT_HOW.get(c.how, c.how),
            on=format_date(c.on) if c.on else "?",
            until=TEXT["until_detail"].format(date=format_date(c.valid_until)) if c.valid_until else TEXT["no_end"],
            withdrawn=TEXT["withdrawn_on"].format(date=format_date(c.withdrawn_on)) if c.withdrawn_on else "",
        ))

    def current(self) -> cn.Consent | None:
        if self.dossier is None:
            return None
        key = self.highlighted("consent-table")
        return self.dossier.consent(key) if key else None

    def action_add(self) -> None:
        self.app.push_screen(ConsentDialog(self.session, self.record), self.added)

    def action_withdraw(self) -> None:
        c = self.current()
        if c is None:
            self.notify(TEXT["pick"], severity="warning")
            return
        if c.withdrawn_on is not None:
            self.notify(TEXT["already_withdrawn"], severity="warning")
            return
        name, session, student_id = c.with_.name, self.session, self.record.id
        rest = cn.after_withdrawal(c, self.shown.consents, self.record.details.birth_date, local_today())
        ask = (TEXT["withdraw_confirm_rest"].format(name=name, rest=cn.domains_text(rest)) if rest
               else TEXT["withdraw_confirm"].format(name=name))
        self.store_after_yes(ask,
                             lambda: session.consent.withdraw_consent(student_id, c), TEXT["withdrawn"].format(name=name))

    def action_extend(self) -> None:
        c = self.current()
        if c is None:
            self.notify(TEXT["pick"], severity="warning")
            return
        if c.withdrawn_on is not None:
            self.notify(TEXT["extend_withdrawn"], severity="warning")
            return
        self.app.push_screen(ExtendDialog(self.session, self.record, c))


# -- dialogs ------------------------------------------------------------------------------------------


class ConsentDialog(DossierDialog):
    """A consent: with whom, about what, what for, given by whom, how, when, until."""

    DIALOG_TITLE = TEXT["dialog_title"]
    FIELD_IDS: ClassVar[dict[str, str]] = {
        "with": "consent-name", "about": "consent-about", "purpose": "consent-purpose",
        "given_by": "consent-given", "how": "consent-how", "on": "consent-date", "valid_until": "consent-until",
    }

    def __init__(self, session: TeamSession, record: StudentRecord, *, restore: bool = False) -> None:
        super().__init__(session, record, restore=restore)
        self.map = MapNames()
        self.saved_name = ""

    def fields(self) -> ComposeResult:
        needed = cn.consent_needed_from(self.record.details.birth_date, local_today())
        yield from self.row(TEXT["kind"], KeyChoice(cn.CONSENT_WITH_KINDS, value="rol", id="consent-kind"))
        yield from self.row(
            TEXT["name"],
            Input(placeholder=TEXT["name_placeholder"], max_length=LIMITS["short"], id="consent-name",
                  suggester=SuggestWords(self.name_suggestions)),
            hint="",
        )
        yield from self.row(
            TEXT["about"], KeyChoice(leefdomein_options(), multi=True, id="consent-about"),
            hint=f"{TEXT['about_hint']} {TEXT['about_all']}",
        )
        yield from self.row(
            TEXT["purpose"], Input(placeholder=TEXT["purpose_placeholder"], max_length=LIMITS["line"], id="consent-purpose"),
        )
        yield from self.row(
            TEXT["given"], KeyChoice(cn.CONSENT_GIVERS, value=needed, id="consent-given"),
            hint=TEXT["given_hint"].format(who=cn.NEEDED_LABELS[needed]),
        )
        yield from self.row(TEXT["how"], KeyChoice(cn.CONSENT_HOW, value="mondeling", id="consent-how"))
        yield from self.row(TEXT["date"], Input(placeholder=TEXT["date_placeholder"], id="consent-date"))
        yield from self.row(TEXT["until"], Input(placeholder=TEXT["until_placeholder"], id="consent-until"))

    def prefill(self) -> None:
        self.query_one("#consent-date", Input).value = format_date(local_today())
        self.map.load(self, self.session)

    def first_focus(self) -> None:
        self.query_one("#consent-kind").focus()

    def name_suggestions(self) -> list[str]:
        kind = self.query_one("#consent-kind", KeyChoice).value
        roles = list(MAP_ROLES) + list(COACH_ROLES.values())
        if kind == "rol":
            return roles + self.map.names()
        if kind == "organisatie":
            return self.map.names("organisatie") + self.map.names()
        return self.map.names("professional") + self.map.names() + roles

    @on(Input.Changed, "#consent-name")
    def name_changed(self) -> None:
        item = self.map.match(self.query_one("#consent-name", Input).value)
        self.set_line("consent-name-hint", TEXT["on_map"].format(label=item.entry.label) if item else "")

    @on(KeyChoice.Changed, "#consent-about")
    def about_changed(self) -> None:
        codes = self.query_one("#consent-about", KeyChoice).value
        now = (
            TEXT["about_some"].format(domains=", ".join(DOMAIN_LABELS[c].lower() for c in codes))
            if codes else TEXT["about_all"]
        )
        self.set_line("consent-about-hint", f"{TEXT['about_hint']} {now}")

    def restored(self, draft: dict[str, Any]) -> None:
        self.about_changed()
        self.name_changed()

    def prepare(self) -> Any:
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
        item = self.map.match(name) if kind != "rol" else None
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
            problems.append(("with", TEXT["name_needed"]))
        if problems:
            self.show_problems(problems)
            return None
        session, student_id = self.session, self.record.id
        self.saved_name = name.strip()
        return lambda: session.consent.add_consent(student_id, new)

    def saved_text(self, result: Any) -> str:
        return TEXT["saved"].format(name=self.saved_name)


class ExtendDialog(DossierDialog):
    """A new 'geldig tot' for one consent (empty: no end date)."""

    HINT = TEXT["extend_hint"]
    FIELD_IDS: ClassVar[dict[str, str]] = {"valid_until": "extend-until"}
    REOPEN_AFTER_LOCK = False  # one date: not worth a draft after a lock

    def __init__(self, session: TeamSession, record: StudentRecord, consent: cn.Consent) -> None:
        super().__init__(session, record)
        self.consent = consent
        self.until: date | None = None

    def title_text(self) -> str:
        return TEXT["extend_title"].format(name=self.consent.with_.name)

    def fields(self) -> ComposeResult:
        yield from self.row(TEXT["until"], Input(placeholder=TEXT["until_placeholder"], id="extend-until"))

    def prefill(self) -> None:
        if self.consent.valid_until:
            self.query_one("#extend-until", Input).value = format_date(self.consent.valid_until)

    def first_focus(self) -> None:
        self.query_one("#extend-until").focus()

    def prepare(self) -> Any:
        today = local_today()
        text = self.query_one("#extend-until", Input).value
        until = parse_date(text, today=today, field="valid_until", upcoming=True) if text.strip() else None
        session, student_id, consent = self.session, self.record.id, self.consent
        self.until = until
        return lambda: session.consent.extend_consent(student_id, consent, until)

    def saved_text(self, result: Any) -> str:
        until = TEXT["extended_until"].format(date=format_date(self.until)) if self.until else TEXT["extended_open"]
        return TEXT["extended"].format(name=self.consent.with_.name, until=until)
