"""Tab 3 Afspraken: werkafspraken (who, what, by when, status, follow-up) and their dialogs."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget

from jongerenteam import dossier as d
from jongerenteam.dates import local_today, parse_date
from jongerenteam.domain import ValidationError
from jongerenteam.errors import Conflict
from screens import forms
from screens.background import Failure
from screens.dialogs import Dense, InfoDialog
from screens.dossier.base import DossierDialog, ListPane, day_text, history_text, who_text, worker_name
from screens.text import Input
from screens.widgets import CHOICE_HINT, KeyChoice, LineTable, SuggestWords

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.session import TeamSession

# The column titles; every other word is in TEXT.
COLUMNS = ("Status", "Wie", "Wat", "Uiterlijk", "Opvolgen")

TEXT = {
    "title": "Afspraken",
    "empty": "Nog geen werkafspraken. Druk op a om er een toe te voegen.",
    "overdue": "te laat",
    "due_today": "vandaag",
    "already": "Deze werkafspraak staat al op {status}.",
    "set_status": "Werkafspraak op {status} gezet.",
    "follow_set": "Opvolgdatum gezet op {day}.",
    "follow_cleared": "Opvolgdatum verwijderd.",
    "nothing_chosen": "Kies eerst een regel in de lijst.",
    "dialog_keys": "Tab: volgend veld · ctrl+s: opslaan · Esc: terug",
    "agreement_title": "Werkafspraak toevoegen: {name}",
    "agreement_saved": "Werkafspraak opgeslagen.",
    "worker_needed": "Kies welke medewerker het doet.",
    "worker_bad": "Deze medewerker ken ik niet. Typ een naam of de initialen.",
    "follow_title": "Opvolgdatum van de werkafspraak",
    "follow_hint": "Bijvoorbeeld 15-1, 15 jan of morgen. Leeg laten haalt de datum weg. Enter: opslaan · Esc: terug",
    "follow_conflict": (
        "Gewijzigd door {by} om {at}: de opvolgdatum is nu {now}. Jouw datum staat nog in het veld. "
        "Druk nog een keer op Enter om jouw datum op te slaan, of op Esc om die van je collega te houden."
    ),
    "follow_reading": "Gewijzigd door {by} om {at}. De werkafspraak wordt opnieuw opgehaald…",
    "follow_none": "leeg",
    "follow_gone": "Deze werkafspraak bestaat niet meer in het dossier.",
    "created": "Vastgelegd op {at} door {by}",
    "from_talk": "Afgesproken in: {label} van {at}",
}


def agreement_order(dossier: d.Dossier) -> list[d.Agreement]:
    """Open ones first, soonest date first; then the rest, newest first."""
    rest = sorted((a for a in dossier.agreements if a.status != "open"), key=lambda a: a.created_at, reverse=True)
    return dossier.open_agreements() + rest


def agreement_detail(session: TeamSession, dossier: d.Dossier, a: d.Agreement) -> Text:
    text = Text()
    rows = [
        ("Wie", who_text(session, a.who)),
        ("Wat", a.what),
        ("Uiterlijk", day_text(a.due) or "-"),
        ("Opvolgen", day_text(a.follow_up) or "-"),
        ("Status", d.AGREEMENT_STATUSES.get(a.status, a.status)),
    ]
    for label, value in rows:
        text.append(f"{label}: ", style="bold")
        text.append(value + "\n")
    text.append(TEXT["created"].format(at=f"{a.created_at:%d-%m-%Y %H:%M}", by=worker_name(session, a.by)) + "\n")
    talk = dossier.item(a.talk_id) if a.talk_id else None
    if talk is not None:
        text.append(TEXT["from_talk"].format(label=talk.label, at=f"{talk.at:%d-%m-%Y}") + "\n")
    text.append("\n")
    text.append_text(history_text(session, a.history))
    return text


class AgreementsPane(ListPane):
    """Tab 3: werkafspraken; who, what, by when, status, follow-up."""

    TAB_TITLE = TEXT["title"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Toevoegen"),
        Binding("g", "status('gedaan')", "Gedaan"),
        Binding("v", "status('vervallen')", "Vervallen"),
        Binding("h", "status('open')", "Heropenen"),
        Binding("o", "follow_up", "Opvolgdatum"),
    ]
    COLUMNS: ClassVar[list[tuple[str, int | None]]] = list(zip(COLUMNS, (10, 20, None, 10, 10), strict=True))
    EMPTY = TEXT["empty"]
    TABLE_ID = "agreements"

    def fill(self) -> None:
        super().fill()
        today = local_today()
        ordered = agreement_order(self.shown)
        rows: list[tuple[str | Text, ...]] = []
        for a in ordered:
            when = a.due_date()
            if a.status != "open":
                rows.append(tuple(Text(v, style="dim") for v in (
                    d.AGREEMENT_STATUSES.get(a.status, a.status), who_text(self.session, a.who), a.what,
                    day_text(a.due), day_text(a.follow_up))))
                continue
            if when and when < today:
                status, style = TEXT["overdue"], "bold red"
            elif when == today:
                status, style = TEXT["due_today"], "bold yellow"
            else:
                status, style = d.AGREEMENT_STATUSES["open"], ""
            rows.append((
                Text(status, style=style), who_text(self.session, a.who), a.what,
                Text(day_text(a.due), style=style if a.due and a.due <= today else ""),
                Text(day_text(a.follow_up), style=style if a.follow_up and a.follow_up <= today else ""),
            ))
        self.set_rows([a.id for a in ordered], rows)

    def current(self) -> d.Agreement | None:
        entry_id = self.current_id()
        return self.dossier.agreement(entry_id) if entry_id and self.dossier else None

    def action_add(self) -> None:
        self.app.push_screen(AgreementModal(self.session, self.record), self.added)

    def action_status(self, status: str) -> None:
        a = self.current()
        if a is None:
            self.notify(TEXT["nothing_chosen"])
            return
        label = d.AGREEMENT_STATUSES[status]
        if a.status == status:
            self.notify(TEXT["already"].format(status=label))
            return
        session, sid = self.session, self.record.id
        self.store(lambda: session.dossier.change_agreement(sid, a, status=status), said=TEXT["set_status"].format(status=label))

    def action_follow_up(self) -> None:
        a = self.current()
        if a is None:
            self.notify(TEXT["nothing_chosen"])
            return
        # The dialog saves itself: a colleague's change in between keeps it open with the date typed.
        self.app.push_screen(DateModal(self.session, self.record, a))

    @on(LineTable.Selected)
    def details(self, event: LineTable.Selected) -> None:
        event.stop()
        a = self.current()
        if a is not None:
            self.app.push_screen(InfoDialog(a.what, agreement_detail(self.session, self.shown, a)))


# -- dialogs ---------------------------------------------------------------------------------------


class AgreementModal(Dense, DossierDialog):
    """Add a werkafspraak: who, what, by when, follow-up date."""

    DRAFT_LABEL = "een werkafspraak"
    HINT = TEXT["dialog_keys"]
    FIELD_IDS: ClassVar[dict[str, str]] = {"who": "f-who", "worker": "f-worker", "name": "f-name", "what": "f-what", "due": "f-due",
                 "follow": "f-follow", "follow_up": "f-follow"}
    TYPED = ("f-worker", "f-name", "f-what", "f-due", "f-follow")

    def title_text(self) -> str:
        return TEXT["agreement_title"].format(name=self.record.details.display_name)

    def fields(self) -> ComposeResult:
        session = self.session
        yield from self.row("Wie", KeyChoice(d.WHO_KINDS, value="student", grid=True, advance=False, hint=CHOICE_HINT,
                                             id="f-who"))
        workers = SuggestWords(lambda: [w.full_name for w in session.active_workers()])
        yield from self.row("Medewerker", Input(id="f-worker", placeholder="naam of initialen", suggester=workers))
        yield from self.row("Naam", Input(id="f-name", placeholder="naam van wie het doet"))
        yield from self.row("Wat", Input(id="f-what", placeholder="wat is er afgesproken"))
        yield from self.row("Uiterlijk", Input(id="f-due", placeholder="datum, bijv. 15-1 of morgen (mag leeg)"))
        yield from self.row("Opvolgen", Input(id="f-follow", placeholder="datum om na te vragen (mag leeg)"))

    def prefill(self) -> None:
        self.show_who("student")

    def restored(self, draft: dict[str, Any]) -> None:
        self.show_who(self.query_one("#f-who", KeyChoice).value)

    def first_focus(self) -> None:
        self.query_one("#f-who").focus()

    @on(KeyChoice.Changed, "#f-who")
    def who_changed(self, event: KeyChoice.Changed) -> None:
        self.show_who(event.value)

    def show_who(self, kind: str | None) -> None:
        self.query_one("#row-worker").display = kind == "medewerker"
        self.query_one("#row-name").display = kind == "anders"
        if kind != "medewerker":
            self.show_error("worker", "")
        if kind != "anders":
            self.show_error("name", "")

    def draft(self) -> dict[str, Any] | None:
        values = self.snapshot()
        return {"fields": values} if any(str(values.get(k) or "").strip() for k in self.TYPED) else None

    def collect(self) -> d.NewAgreement:
        v = self.snapshot()
        today = local_today()
        kind = v["f-who"] or "student"
        who = d.Who(kind)
        if kind == "medewerker":
            if not v["f-worker"].strip():
                raise ValidationError("worker", TEXT["worker_needed"])
            worker_id = forms.colleague_id(self.session, v["f-worker"])
            if worker_id is None:
                raise ValidationError("worker", TEXT["worker_bad"])
            who = d.Who(kind, worker_id=worker_id)
        elif kind == "anders":
            who = d.Who(kind, name=v["f-name"])
        elif kind == "coach":
            who = d.Who(kind, name=self.record.details.coach_name)
        due = parse_date(v["f-due"], today=today, field="due", upcoming=True) if v["f-due"].strip() else None
        follow = parse_date(v["f-follow"], today=today, field="follow", upcoming=True) if v["f-follow"].strip() else None
        agreement = d.NewAgreement(who, v["f-what"], due, follow)
        try:
            agreement.validate(today)
        except ValidationError as exc:
            if exc.field == "who":
                raise ValidationError({"medewerker": "worker", "anders": "name"}.get(kind, "who"), exc.message) from None
            raise
        return agreement

    def prepare(self) -> Any:
        agreement = self.collect()
        self.ask_first(agreement.concerns())
        session, sid = self.session, self.record.id
        return lambda: session.dossier.add_agreement(sid, agreement)

    def saved_text(self, result: Any) -> str:
        return TEXT["agreement_saved"]


class DateModal(Dense, DossierDialog):
    """The follow-up date of one werkafspraak (or none), saved from the dialog itself.

    A colleague who saved the agreement first: the dialog stays open with the
    date as typed, says who changed it, when, and what the date is now, and
    takes the colleague's version as the one seen, so a second ctrl+s saves
    this date over theirs knowingly (as the note dialog does with a text).
    """

    HINT = TEXT["follow_hint"]
    FIELD_IDS: ClassVar[dict[str, str]] = {"date": "f-date", "follow_up": "f-date", "opvolgen": "f-date"}
    REOPEN_AFTER_LOCK = False  # one date: nothing worth a draft

    def __init__(self, session: TeamSession, record: StudentRecord, agreement: d.Agreement) -> None:
        super().__init__(session, record)
        self.agreement = agreement
        self.day: date | None = None

    def title_text(self) -> str:
        return TEXT["follow_title"]

    def fields(self) -> ComposeResult:
        yield from self.row("Datum", Input(day_text(self.agreement.follow_up), id="f-date", placeholder="bijv. 15-1 of morgen"))

    def first_focus(self) -> None:
        self.query_one("#f-date").focus()

    def enter_pressed(self, field: Widget) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def draft(self) -> dict[str, Any] | None:
        return None

    def prepare(self) -> Any:
        text = self.query_one("#f-date", Input).value
        day = parse_date(text, today=local_today(), field="date", upcoming=True) if text.strip() else None
        session, sid, agreement = self.session, self.record.id, self.agreement
        self.day = day
        return lambda: session.dossier.change_agreement(sid, agreement, follow_up=day)

    def saved_text(self, result: Any) -> str:
        return TEXT["follow_set"].format(day=day_text(self.day)) if self.day else TEXT["follow_cleared"]

    def show_failure(self, failure: Failure) -> None:
        exc = failure.error
        if not isinstance(exc, Conflict):
            super().show_failure(failure)
            return
        # The agreement as the colleague left it: the next save is against their version.
        agreement_id = self.agreement.id

        def done(dossier: d.Dossier) -> None:
            now = dossier.agreement(agreement_id)
            if now is None:
                self.say(TEXT["follow_gone"])
                return
            self.agreement = now
            self.say(TEXT["follow_conflict"].format(
                by=exc.by_name, at=exc.at, now=day_text(now.follow_up) or TEXT["follow_none"]))

        self.say(TEXT["follow_reading"].format(by=exc.by_name, at=exc.at), busy=True)
        self.read_file_again(done)
