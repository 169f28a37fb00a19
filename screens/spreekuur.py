"""Inloop and Aanmelding: register a student by keyboard in seconds.

One screen, two kinds. The inloop needs only a first name (or "anoniem");
the aanmelding adds who registers, the reason, the urgency and the contact
person. Nothing typed is lost: validation messages appear next to the
field, the store's errors above the form, and a lock keeps a sealed draft.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import on
from textual.actions import SkipAction
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widget import Widget

from jongerenteam import spreekuur as intake
from jongerenteam.catalogue import (
    CONTACT_PREFERENCES,
    LEEFDOMEINEN,
    LEVEL_LABELS,
    LEVELS,
    REFERRERS,
    STATUSES,
    URGENCIES,
)
from jongerenteam.dates import local_today, parse_date
from jongerenteam.domain import StudentDetails, ValidationError, age_on, days_until_18
from jongerenteam.municipalities import MUNICIPALITIES, code_for, suggest
from jongerenteam.search import fold
from screens import forms
from screens.background import dutch, run_in_thread
from screens.dialogs import Confirm, Dialog, leave_asking_if_typed
from screens.interfaces import ShowsRecord, reload_screen, team_app
from screens.text import Input, Label, Option, OptionList, Static, TextArea
from screens.widgets import LeefdomeinPicker, SteadyFooter, SuggestWords, hidden

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.session import TeamSession

_T = TypeVar("_T")

# The form field a domain field's problem is shown under.
FIELD_OF = {"municipality_code": "municipality", "municipality_text": "municipality"}


class FormProblems(ValidationError):
    """Every problem of a filled-in form (``IntakeScreen.collect``), in the order of its fields."""

    def __init__(self, problems: list[ValidationError]) -> None:
        super().__init__(problems[0].field, problems[0].message)
        self.problems = problems


TEXT = {
    "inloop": "Inloop: een student loopt binnen",
    "aanmelding": "Aanmelding: een coach of professional meldt een student aan",
    "hint_inloop": "Alleen een voornaam is nodig (of typ 'anoniem'). Tab: volgend veld · ctrl+s: opslaan · Esc: terug",
    "hint_aanmelding": (
        "Nodig: voornaam, wie aanmeldt, de reden en een contactpersoon in het team. Tab: volgend veld · "
        "ctrl+s: opslaan · Esc: terug"
    ),
    "saving": "Bezig met opslaan…",
    "saved_walk_in": "Inloop van {name} opgeslagen.",
    "saved_anonymous": "Anonieme inloop opgeslagen: alleen datum, leefdomeinen en duur; de rest is niet bewaard.",
    "saved_referral": "Aanmelding van {name} opgeslagen; wacht op eerste gesprek bij {contact}.",
    "saved_visit": "Inloopgesprek toegevoegd aan het dossier van {name}.",
    "saved_visit_sealed": (
        "Inloopgesprek toegevoegd aan het dossier van {name}. Je kunt dat dossier niet lezen; contactpersoon is "
        "{contact}."
    ),
    "saved_existing_referral": "Aanmelding toegevoegd aan het dossier van {name}; status: {status}, contactpersoon blijft {contact}.",
    "draft_back": "Je niet-opgeslagen invoer is teruggezet.",
    "age": "{age} jaar",
    "turns_18": "{age} jaar · wordt 18 over {days} {unit}",
    "municipality_found": "{name} (CBS-code {code})",
    "municipality_choose": "Bedoel je: {names}?",
    "municipality_unknown": "Niet in de lijst van gemeenten; wordt als vrije tekst bewaard na bevestiging.",
    "contact_suggested": "Voorgesteld: vaste contactpersoon voor {programme}.",
    "contact_unknown": "Kies een medewerker uit het team (typ naam of initialen).",
    "level_bad": "Kies Entree, 1, 2, 3 of 4.",
    "year_bad": "Leerjaar is een getal van 1 tot en met 6.",
    "minutes_bad": "Duur is een aantal minuten, bijvoorbeeld 20.",
    "preference_bad": "Kies telefoon, WhatsApp, e-mail of langskomen.",
    "referrer_bad": "Kies: " + ", ".join(REFERRERS.values()) + ".",
    "urgency_bad": "Kies gewoon, snel of acuut.",
    "urgency_choices": "Kies gewoon, snel of acuut (de eerste letter is genoeg).",
    "contact_needed": "Kies de contactpersoon in het team.",
    "anonymous_hint": (
        "Anonieme inloop: alleen datum, leefdomeinen en duur worden bewaard; de andere velden zijn verborgen. "
        "Geeft ze later haar naam: Enter op deze inloop op Vandaag."
    ),
    "next_past": "De vervolgafspraak ligt in het verleden.",
    "kept": " Je invoer staat er nog.",
    "no_birth": "geboortedatum onbekend",
    "duplicates_title": "Bedoel je een van deze studenten?",
    "duplicates_hint": "Enter: deze student · n: toch een nieuwe student opslaan · Esc: terug",
    "duplicates_carry": (
        "Kies je een bestaande student, dan komt dit in diens dossier; de gegevens van die student (opleiding, "
        "telefoon …) blijven zoals ze zijn. Wat je daarvan anders typte, zie je na het opslaan."
    ),
    "not_carried": " Niet overgenomen in de gegevens van de student (daar staat het niet, of anders): {items}. Klopt het wat "
                   "je typte, "
                   "pas het dan aan in het dossier.",
    "not_carried_sealed": " Niet overgenomen in de gegevens van de student (daar staat het niet, of anders): {items}. Geef het "
                          "door "
                          "aan {contact} als het klopt.",
    "back_in_file": " Je bent terug in het dossier van {name}.",
    "link": "Anonieme inloop van {when} koppelen aan een nieuwe student",
    "hint_link": (
        "De inloop houdt zijn datum en wordt het eerste inloopgesprek in het dossier. Alleen een voornaam is "
        "nodig. Tab: volgend veld · ctrl+s: opslaan · Esc: terug"
    ),
    "link_title": "Anonieme inloop van {when}: wie is de student?",
    "link_hint": (
        "Typ de naam. Pijltjes: kies een bekende student, of onderaan een nieuwe · Enter: koppelen · Esc: terug. "
        "De inloop houdt zijn datum en telt één keer mee in de cijfers."
    ),
    "link_placeholder": "naam, studentnummer of geboortedatum",
    "link_new": "Nieuwe student: {name}",
    "link_new_empty": "Nieuwe student",
    "pick_title": "Welke anonieme inloop was zij?",
    "pick_hint": "De anonieme inlopen van de laatste 30 dagen die nog bij niemand horen. Enter: kiezen · Esc: terug",
    "pick_none": "Er is geen anonieme inloop van de laatste 30 dagen die nog niet gekoppeld is.",
    "pick_no_domains": "geen leefdomein",
    "link_name_needed": "Vul de naam van de student in: een anonieme inloop koppel je aan een student met een naam.",
    "link_confirm": "De anonieme inloop van {when} koppelen aan {student}? Dat kan daarna niet meer ongedaan.",
    "saved_link": "De anonieme inloop van {when} staat nu als inloopgesprek in het dossier van {name}.",
    "saved_link_sealed": (
        "De anonieme inloop van {when} staat nu als inloopgesprek in het dossier van {name}. Je kunt dat "
        "dossier niet lezen; contactpersoon is {contact}."
    ),
}

# Field id -> label; the order is the Tab order. The inloop puts what a
# walk-in needs first (name, birth date, hulpvraag, leefdomeinen), so a
# quick intake is a few Tabs and ctrl+s.
STUDENT_FIELDS = [
    ("first_name", "Voornaam"),
    ("last_name", "Achternaam"),
    ("birth_date", "Geboortedatum"),
]
WALK_IN_FIELDS = [("hulpvraag", "Hulpvraag"), ("leefdomeinen", "Leefdomeinen")]
MORE_FIELDS = [
    ("student_number", "Studentnummer"),
    ("programme", "Opleiding"),
    ("level", "Niveau"),
    ("year", "Leerjaar"),
    ("municipality", "Woongemeente"),
    ("contact_preference", "Contactvoorkeur"),
    ("contact_value", "Nummer of adres"),
    ("referrer", "Verwezen door"),
]
WALK_IN_TAIL = [("minutes", "Duur (minuten)"), ("next_date", "Vervolgafspraak"), ("next_text", "Wat is afgesproken")]
REFERRAL_FIELDS = [
    ("by_name", "Aangemeld door"),
    ("by_role", "Rol aanmelder"),
    ("by_contact", "Telefoon/e-mail"),
    ("reason", "Reden"),
    ("urgency", "Urgentie"),
    ("contact_worker", "Contactpersoon"),
]
PLACEHOLDERS = {
    "first_name": "voornaam, of 'anoniem'",
    "birth_date": "bijv. 3-4-2008 of 3 apr 2008",
    "level": "Entree, 1, 2, 3 of 4",
    "year": "1, 2, 3 ...",
    "municipality": "begin te typen, bijv. Zwolle",
    "contact_preference": "telefoon, WhatsApp, e-mail of langskomen",
    "referrer": ", ".join(REFERRERS.values()),
    "minutes": "bijv. 20",
    "next_date": "datum, bijv. 15-1 of morgen",
    "by_role": "bijv. studiecoach/SLB'er",
    "urgency": "gewoon, snel of acuut",
    "contact_worker": "naam of initialen",
}
TEXT_AREAS = {"hulpvraag", "reason"}
# What an anonymous walk-in keeps (besides its date): the other fields go out of
# sight and out of the Tab order, so Duur is two Tabs from the name.
ANONYMOUS_FIELDS = {"first_name", "leefdomeinen", "minutes"}


def _level(value: str) -> str | None:
    v = fold(value.strip()).removeprefix("niveau").strip()
    if not v:
        return ""
    if "entree".startswith(v) and v[0] == "e":
        return "Entree"
    return v if v in LEVELS else None


def describe(session: TeamSession, record: StudentRecord) -> str:
    """One line that tells students apart: name, birth date, number, programme, contact person."""
    d = record.details
    born = f"{d.birth_date:%d-%m-%Y}" if d.birth_date else TEXT["no_birth"]
    parts = [d.display_name, born]
    if d.student_number:
        parts.append(f"studentnummer {d.student_number}")
    if d.programme:
        parts.append(f"{d.programme} {LEVEL_LABELS.get(d.level, d.level)}".strip())
    parts.append(f"contactpersoon {session.contact_name(record)}")
    return " · ".join(parts)


def typed_name(text: str) -> dict[str, str]:
    """What was typed as a name (a search, the link dialog) as the form's fields: the first
    word the first name, the rest the last name; digits only: a student number; a date: the
    birth date."""
    text = " ".join(text.split())
    if not text:
        return {}
    if text.isdecimal():
        return {"student_number": text}
    if any(c.isdecimal() for c in text):
        try:
            parse_date(text)
        except ValidationError:
            return {}  # a mix of letters and digits: nothing to guess
        return {"birth_date": text}
    first, _, last = text.partition(" ")
    return {"first_name": first, "last_name": last}


WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")


def when_text(walk_in: intake.AnonymousWalkIn) -> str:
    return f"{walk_in.at:%d-%m-%Y %H:%M}"


class LinkAnonymousModal(Dialog):
    """An anonymous walk-in gives her name: type it; the arrows pick a student the team
    knows (listed first) or a new one (last); Enter links. Dismissed with ("new", typed text), ("existing",
    student id), or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Volgende", show=False),
        Binding("up", "move(-1)", "Vorige", show=False),
    ]
    SHOWN = 8

    def __init__(self, session: TeamSession, walk_in: intake.AnonymousWalkIn) -> None:
        super().__init__(session)
        self.walk_in = walk_in

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(TEXT["link_title"].format(when=when_text(self.walk_in)), classes="title")
            yield Static(TEXT["link_hint"], classes="hint")
            yield Input(placeholder=TEXT["link_placeholder"], id="link-name")
            yield OptionList(id="link-choices")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.fill("")
        self.query_one("#link-name", Input).focus()

    @on(Input.Changed, "#link-name")
    def typed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def fill(self, text: str) -> None:
        query = text.strip()
        session = self.session
        records = session.spreekuur.search(query, limit=self.SHOWN) if (query and session) else []
        options = self.query_one("#link-choices", OptionList)
        options.clear_options()
        # The students the team knows first, "Nieuwe student" last: Enter at once never makes
        # a second file for her (and the form behind "Nieuwe student" still asks "Bedoel je …?").
        for r in records:
            options.add_option(Option(describe(session, r) if session else "", id=r.id))
        options.add_option(Option(TEXT["link_new"].format(name=query) if query else TEXT["link_new_empty"], id="new"))
        options.highlighted = 0

    def action_move(self, step: int) -> None:
        options = self.query_one("#link-choices", OptionList)
        if options.has_focus:
            raise SkipAction()  # the list moves itself
        current = options.highlighted or 0
        options.highlighted = max(0, min(options.option_count - 1, current + step))

    @on(Input.Submitted, "#link-name")
    def submitted(self) -> None:
        options = self.query_one("#link-choices", OptionList)
        if options.highlighted is not None:
            self.pick(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#link-choices")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.pick(event.option.id)

    def pick(self, option_id: str | None) -> None:
        if option_id == "new":
            self.dismiss(("new", self.query_one("#link-name", Input).value.strip()))
        elif option_id:
            self.dismiss(("existing", option_id))


def link_anonymous(screen: Screen[Any], session: TeamSession, walk_in: intake.AnonymousWalkIn,
                   done: Callable[[], object]) -> None:
    """Enter on an anonymous walk-in (Vandaag's spreekuur): she gave her name. A student the
    team knows is linked after one question (j); a new one gets the walk-in form, filled with what was typed
    and what the walk-in kept (leefdomeinen, duration). ``done`` after a link is saved."""
    when = when_text(walk_in)

    def chosen(answer: tuple[str, str] | None) -> None:
        if not answer:
            return
        kind, value = answer
        if kind == "new":
            values = {k: v for k, v in typed_name(value).items() if k in ("first_name", "last_name", "student_number")}
            values["leefdomeinen"] = ",".join(walk_in.leefdomeinen)
            values["minutes"] = str(walk_in.minutes) if walk_in.minutes else ""
            screen.app.push_screen(IntakeScreen(session, "inloop", values=values, link=walk_in))
            return
        record = session.students.get(value)
        if record is None:
            return

        def linked(result: StudentRecord) -> None:
            name = result.details.display_name
            if session.is_involved(result.id):
                screen.notify(TEXT["saved_link"].format(when=when, name=name), timeout=6)
            else:
                screen.notify(TEXT["saved_link_sealed"].format(when=when, name=name, contact=session.contact_name(result)),
                              timeout=6)
            done()

        def answered(yes: bool | None) -> None:
            if yes:
                run_in_thread(screen, "save", lambda: session.spreekuur.link_anonymous(walk_in.id, existing=record),
                              done=linked, failed=lambda f: screen.notify(f.text, severity="error", timeout=8),
                              exclusive=True)

        # Enter on the first match is quick: one question, with her birth date and programme, before
        # the walk-in goes into a file for good (the wrong Fatma would get it otherwise).
        screen.app.push_screen(Confirm(TEXT["link_confirm"].format(when=when, student=describe(session, record))),
                               answered)

    screen.app.push_screen(LinkAnonymousModal(session, walk_in), chosen)


class AnonymousPicker(Dialog):
    """The anonymous walk-ins of the last 30 days not linked yet: Enter picks the one to link."""

    def __init__(self, walk_ins: list[intake.AnonymousWalkIn]) -> None:
        super().__init__()
        self.walk_ins = {w.id: w for w in walk_ins}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(TEXT["pick_title"], classes="title")
            yield Static(TEXT["pick_hint"], classes="hint")
            yield OptionList(*(Option(self.walk_in_line(w), id=w.id) for w in self.walk_ins.values()), id="anonymous-walk-ins")
        yield SteadyFooter()

    @staticmethod
    def walk_in_line(w: intake.AnonymousWalkIn) -> str:
        labels = {d.code: d.label for d in LEEFDOMEINEN}
        domains = ", ".join(labels.get(c, c) for c in w.leefdomeinen) or TEXT["pick_no_domains"]
        minutes = f" · {w.minutes} {forms.plural(w.minutes, 'minuut', 'minuten')}" if w.minutes else ""
        return f"{WEEKDAYS[w.at.weekday()]} {when_text(w)} · {w.by} · {domains}{minutes}"

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.walk_ins.get(event.option.id or ""))


def link_an_earlier_anonymous_walk_in(app: App[Any]) -> None:
    """The palette's "spreekuur: anonieme inloop koppelen": she gives her name on a later day.
    Pick the walk-in (last 30 days), then as from Vandaag."""
    session = team_app(app).session
    if session is None:
        return
    screen = app.screen

    def listed(walk_ins: list[intake.AnonymousWalkIn]) -> None:
        if not walk_ins:
            app.notify(TEXT["pick_none"])
            return

        def picked(walk_in: intake.AnonymousWalkIn | None) -> None:
            if walk_in is not None:
                link_anonymous(app.screen, session, walk_in, lambda: reload_screen(app))

        app.push_screen(AnonymousPicker(walk_ins), picked)

    run_in_thread(screen, "anonymous", session.spreekuur.unlinked_anonymous, done=listed,
                  failed=lambda f: app.notify(f.text, severity="error"))


class DuplicateModal(Dialog):
    """'Bedoel je ...?': pick the existing student, save a new one, or go back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "Toch nieuwe student"),
        Binding("escape", "cancel", "Terug naar formulier"),
    ]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(TEXT["duplicates_title"], classes="title")
            yield OptionList(*(Option(text, id=sid) for sid, text in self.rows), id="duplicates")
            yield Static(TEXT["duplicates_carry"], classes="hint", id="duplicates-carry")
            yield Static(TEXT["duplicates_hint"], classes="hint")
        yield SteadyFooter()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_new(self) -> None:
        self.dismiss("new")


class IntakeScreen(Screen[None]):
    """The walk-in (kind="inloop") and aanmelding (kind="aanmelding") form."""

    HELP_TITLE = "Inloop of aanmelding"
    HELP = (
        "Een student registreren: bij een inloop is de naam genoeg, de rest kan later. Bij ctrl+s kijkt het "
        "programma of de student al bekend is (zelfde studentnummer, of bijna dezelfde naam met dezelfde of geen "
        "geboortedatum) en vraagt dan 'Bedoel je …?'; wat je typte blijft staan als er iets niet klopt."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Opslaan", priority=True),
        Binding("escape", "leave", "Terug"),
        # Priority, so focus moves before the next key is delivered: with a
        # fast typist (or a paste) the keys after Tab/Enter must land in the
        # next field, not the one being left.
        Binding("tab", "next_field", "Volgend veld", show=False, priority=True),
        Binding("shift+tab", "previous_field", "Vorig veld", show=False, priority=True),
        Binding("enter", "enter_next", "Volgend veld", show=False, priority=True),
    ]

    def __init__(self, session: TeamSession, kind: str = "inloop", *, restore: bool = False,
                 values: dict[str, str] | None = None, link: intake.AnonymousWalkIn | None = None) -> None:
        super().__init__()
        self.session = session
        self.kind = kind
        # An anonymous walk-in that gave her name: saving links it to the student (kind "inloop").
        self.link = link if kind == "inloop" else None
        self.restore = restore
        self.initial = values or {}
        self.busy = False
        self.confirmed: set[str] = set()
        self.suggested_contact: str | None = None
        self.anonymous = False  # "anoniem" typed as the first name: only its fields are shown

    # -- layout -------------------------------------------------------------------

    def fields(self) -> list[tuple[str, str]]:
        if self.kind == "inloop":
            return STUDENT_FIELDS + WALK_IN_FIELDS + MORE_FIELDS + WALK_IN_TAIL
        return STUDENT_FIELDS + MORE_FIELDS + REFERRAL_FIELDS

    def compose(self) -> ComposeResult:
        if self.link is not None:
            yield Static(TEXT["link"].format(when=when_text(self.link)), classes="title")
            yield Static(TEXT["hint_link"], classes="hint")
        else:
            yield Static(TEXT[self.kind], classes="title")
            yield Static(TEXT[f"hint_{self.kind}"], classes="hint")
        yield Static("", id="form-message", classes="error")
        with VerticalScroll(id="form"):
            for field_id, label in self.fields():
                with Horizontal(classes="row", id=f"row-{field_id}"):
                    yield Label(label, classes="label")
                    yield self._widget(field_id)
                yield hidden(Static("", id=f"hint-{field_id}", classes="field-hint"))
                yield hidden(Static("", id=f"err-{field_id}", classes="field-error"))
        yield SteadyFooter()

    def _widget(self, field_id: str) -> Widget:
        if field_id == "leefdomeinen":
            return LeefdomeinPicker(id="f-leefdomeinen")
        if field_id in TEXT_AREAS:
            return TextArea(id=f"f-{field_id}", soft_wrap=True, tab_behavior="focus", show_line_numbers=False)
        suggester: Suggester | None = None
        if field_id == "programme":
            suggester = SuggestWords(self.session.spreekuur.programmes)
        elif field_id == "level":
            suggester = SuggestWords(lambda: list(LEVELS))
        elif field_id == "municipality":
            suggester = SuggestWords(lambda: [name for _, name in suggest(self.query_one("#f-municipality", Input).value, limit=1)])
        elif field_id == "contact_preference":
            suggester = SuggestWords(lambda: list(CONTACT_PREFERENCES.values()))
        elif field_id == "referrer":
            suggester = SuggestWords(lambda: list(REFERRERS.values()))
        elif field_id == "urgency":
            suggester = SuggestWords(lambda: list(URGENCIES.values()))
        elif field_id == "contact_worker":
            suggester = SuggestWords(lambda: [w.full_name for w in self.session.active_workers()])
        placeholder = PLACEHOLDERS.get(field_id, "")
        if field_id == "first_name" and (self.kind != "inloop" or self.link is not None):
            placeholder = "voornaam"
        return Input(placeholder=placeholder, id=f"f-{field_id}", suggester=suggester)

    def on_mount(self) -> None:
        values = dict(self.initial)
        if self.restore:
            draft = team_app(self).take_draft(self)
            if draft:
                values.update(draft.get("values", {}))
                self.notify(TEXT["draft_back"])
        if values:
            self.fill(values)
        if self.kind == "aanmelding":
            if not self.value("urgency"):
                self.query_one("#f-urgency", Input).value = "gewoon"
            # The field holds "gewoon": its placeholder with the other choices is out of sight.
            self.hint("urgency", TEXT["urgency_choices"])
        self.query_one("#f-first_name", Input).focus()

    # -- values ---------------------------------------------------------------------

    def value(self, field_id: str) -> str:
        widget = self.query_one(f"#f-{field_id}")
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, LeefdomeinPicker):
            return ",".join(widget.codes)
        return widget.value if isinstance(widget, Input) else ""

    def values(self) -> dict[str, str]:
        return {field_id: self.value(field_id) for field_id, _ in self.fields()}

    def fill(self, values: dict[str, str]) -> None:
        fields = dict(self.fields())
        for field_id, text in values.items():
            if field_id not in fields:
                continue  # a field of the other kind
            widget = self.query_one(f"#f-{field_id}")
            if isinstance(widget, TextArea):
                widget.text = text
            elif isinstance(widget, LeefdomeinPicker):
                widget.value = [c for c in text.split(",") if c]
            elif isinstance(widget, Input):
                widget.value = text

    def typed_anything(self) -> bool:
        return any(v.strip() for k, v in self.values().items() if k not in ("urgency",))

    # -- resuming after a lock ------------------------------------------------------

    def draft(self) -> dict[str, Any] | None:
        return {"values": self.values()} if self.typed_anything() else None

    def draft_label(self) -> str:
        return "een inloop" if self.kind == "inloop" else "een aanmelding"

    def resume_state(self) -> dict[str, Any] | None:
        state: dict[str, Any] = {"kind": self.kind}
        if self.link is not None:
            state["link"] = {"id": self.link.id, "at": self.link.at.isoformat()}
        return state

    @classmethod
    def resume(cls, session: TeamSession, state: dict[str, Any]) -> IntakeScreen:
        link = None
        kept = state.get("link")
        if isinstance(kept, dict) and kept.get("id") and kept.get("at"):
            # The leefdomeinen and duration come back with the draft's values.
            link = intake.AnonymousWalkIn(str(kept["id"]), datetime.fromisoformat(str(kept["at"])))
        return cls(session, state.get("kind") or "inloop", restore=True, link=link)

    # -- live hints -----------------------------------------------------------------

    def hint(self, field_id: str, text: str) -> None:
        widget = self.query_one(f"#hint-{field_id}", Static)
        widget.update(text)
        widget.display = bool(text) and self.shown(field_id)

    def error(self, field_id: str, text: str) -> None:
        widget = self.query_one(f"#err-{field_id}", Static)
        widget.update(text)
        widget.display = bool(text) and self.shown(field_id)

    def shown(self, field_id: str) -> bool:
        return not self.anonymous or field_id in ANONYMOUS_FIELDS

    def show_anonymous(self, anonymous: bool) -> None:
        """Only the fields an anonymous walk-in keeps, or all of them again (what was typed stays)."""
        if anonymous == self.anonymous:
            return
        self.anonymous = anonymous
        for field_id, _ in self.fields():
            if field_id in ANONYMOUS_FIELDS:
                continue
            self.query_one(f"#row-{field_id}").display = not anonymous
            for line in (self.query_one(f"#hint-{field_id}", Static), self.query_one(f"#err-{field_id}", Static)):
                line.display = not anonymous and bool(str(line.render()).strip())

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        field_id = (event.input.id or "").removeprefix("f-")
        self.error(field_id, "")
        self.confirmed.discard(field_id)
        if field_id == "birth_date":
            self.birth_hint(event.value)
        elif field_id == "municipality":
            self.municipality_hint(event.value)
        elif field_id == "programme" and self.kind == "aanmelding":
            self.suggest_contact(event.value)
        elif field_id == "first_name" and self.kind == "inloop" and self.link is None:
            anonymous = fold(event.value.strip()) == intake.ANONYMOUS_WORD
            self.show_anonymous(anonymous)
            self.hint("first_name", TEXT["anonymous_hint"] if anonymous else "")

    def birth_hint(self, text: str) -> None:
        if not text.strip():
            self.hint("birth_date", "")
            return
        try:
            born = parse_date(text)
        except ValidationError:
            self.hint("birth_date", "")
            return
        today = local_today()
        if born > today:
            self.hint("birth_date", "")
            return
        age = age_on(born, today)
        left = days_until_18(born, today)
        shown = f"{born:%d-%m-%Y} · "
        if left is not None and left <= 366:
            self.hint("birth_date", shown + TEXT["turns_18"].format(age=age, days=left, unit="dag" if left == 1 else "dagen"))
        else:
            self.hint("birth_date", shown + TEXT["age"].format(age=age))

    def municipality_hint(self, text: str) -> None:
        if not text.strip():
            self.hint("municipality", "")
            return
        code = code_for(text)
        if code:
            self.hint("municipality", TEXT["municipality_found"].format(name=MUNICIPALITIES[code], code=code))
            return
        options = suggest(text, limit=4)
        if options:
            self.hint("municipality", TEXT["municipality_choose"].format(names=", ".join(n for _, n in options)))
        else:
            self.hint("municipality", TEXT["municipality_unknown"])

    def suggest_contact(self, programme: str) -> None:
        worker_id = self.session.spreekuur.suggest_contact(programme)
        field = self.query_one("#f-contact_worker", Input)
        current = self.suggested_contact
        if worker_id is None:
            return
        name = self.session.workers[worker_id].full_name
        # Fill it in unless the worker already chose someone else.
        if not field.value or (current and field.value == self.session.workers[current].full_name):
            field.value = name
            self.suggested_contact = worker_id
            self.hint("contact_worker", TEXT["contact_suggested"].format(programme=programme.strip()))

    def _in_form(self) -> bool:
        # Modal dialogs (Confirm, Bedoel je) sit above this screen: keys are theirs.
        return self.app.screen is self

    def action_next_field(self) -> None:
        if not self._in_form():
            raise SkipAction()
        self.focus_next()

    def action_previous_field(self) -> None:
        if not self._in_form():
            raise SkipAction()
        self.focus_previous()

    def action_enter_next(self) -> None:
        """Enter in a one-line field moves on; in a text area it starts a new line."""
        if not self._in_form() or not isinstance(self.focused, Input):
            raise SkipAction()
        self.focus_next()

    # -- building what is saved -----------------------------------------------------------

    def collect(self) -> tuple[StudentDetails, intake.WalkIn | intake.Referral, str | None]:
        """Typed text to domain objects; raise ``FormProblems`` naming every field that is wrong."""
        v = self.values()
        problems: list[ValidationError] = []

        def attempt(check: Callable[[], _T], instead: _T) -> _T:
            try:
                return check()
            except ValidationError as exc:
                problems.append(exc)
                return instead

        anonymous = self.kind == "inloop" and fold(v["first_name"].strip()) == intake.ANONYMOUS_WORD
        birth = attempt(lambda: parse_date(v["birth_date"]) if v["birth_date"].strip() else None, None)
        level = _level(v["level"])
        if level is None:
            problems.append(ValidationError("level", TEXT["level_bad"]))
        year = None
        if v["year"].strip():
            if v["year"].strip().isdecimal():
                year = int(v["year"])
            else:
                problems.append(ValidationError("year", TEXT["year_bad"]))
        preference = forms.choice(v["contact_preference"], CONTACT_PREFERENCES)
        if preference is None:
            problems.append(ValidationError("contact_preference", TEXT["preference_bad"]))
        referrer = forms.choice(v["referrer"], REFERRERS)
        if referrer is None:
            problems.append(ValidationError("referrer", TEXT["referrer_bad"]))
        municipality_code, municipality_text = "", ""
        if v["municipality"].strip():
            municipality_code = code_for(v["municipality"]) or ""
            if not municipality_code:
                options = suggest(v["municipality"], limit=2)
                if len(options) == 1:
                    municipality_code = options[0][0]
                else:
                    municipality_text = v["municipality"].strip()
        details = StudentDetails(
            first_name="" if anonymous else v["first_name"].strip(),
            last_name="" if anonymous else v["last_name"].strip(),
            birth_date=None if anonymous else birth,
            student_number=v["student_number"].strip(),
            programme=v["programme"].strip(),
            level=level or "",
            year=year,
            municipality_code=municipality_code,
            municipality_text=municipality_text,
            contact_preference=preference or "",
            contact_value=v["contact_value"].strip(),
            anonymous=anonymous,
            referrer=referrer or "",
            leefdomeinen=v.get("leefdomeinen", "").split(",") if v.get("leefdomeinen") else [],
        )
        if anonymous and self.link is not None:
            problems.append(ValidationError("first_name", TEXT["link_name_needed"]))
        if self.kind != "inloop":
            attempt(lambda: intake.require_named_for_referral(details), None)
        problems += details.problems()
        contact_id = None
        extra: intake.WalkIn | intake.Referral
        if self.kind == "inloop":
            minutes = attempt(lambda: forms.minutes(v["minutes"], "minutes", TEXT["minutes_bad"]), None)
            today = local_today()
            next_date = attempt(
                lambda: parse_date(v["next_date"], today=today, field="next_date", upcoming=True)
                if v["next_date"].strip() else None, None,
            )
            if next_date is not None and next_date < today:
                problems.append(ValidationError("next_date", TEXT["next_past"]))
            extra = intake.WalkIn(
                hulpvraag=v["hulpvraag"].strip(),
                leefdomeinen=details.leefdomeinen,
                referrer=referrer or "",
                minutes=minutes,
                next_date=next_date,
                next_text=v["next_text"].strip(),
            )
        else:
            urgency = forms.choice(v["urgency"], URGENCIES)
            if not urgency:
                problems.append(ValidationError("urgency", TEXT["urgency_bad"]))
            extra = intake.Referral(
                by_name=v["by_name"].strip(), by_role=v["by_role"].strip(),
                by_contact=v["by_contact"].strip(), reason=v["reason"].strip(), urgency=urgency or "",
            )
            contact_id = forms.colleague_id(self.session, v["contact_worker"])
            if contact_id is None:
                typed = v["contact_worker"].strip()
                problems.append(ValidationError(
                    "contact_worker", TEXT["contact_unknown"] if typed else TEXT["contact_needed"]))
        problems += extra.problems()
        if problems:
            raise FormProblems(self.in_form_order(problems))
        return details, extra, contact_id

    def in_form_order(self, problems: list[ValidationError]) -> list[ValidationError]:
        """One problem per field (the first found), in the order the fields stand on the form."""
        order = {field_id: i for i, (field_id, _) in enumerate(self.fields())}
        first: dict[str, ValidationError] = {}
        for problem in problems:
            first.setdefault(FIELD_OF.get(problem.field, problem.field), problem)
        return sorted(first.values(), key=lambda p: order.get(FIELD_OF.get(p.field, p.field), len(order)))

    # -- saving -------------------------------------------------------------------

    def action_save(self) -> None:
        if self.busy:
            return
        self.query_one("#form-message", Static).update("")
        for field_id, _ in self.fields():
            self.error(field_id, "")
        try:
            details, extra, contact_id = self.collect()
        except FormProblems as problems:
            # Every field that is wrong at once, each under its field; the first gets the focus.
            for problem in reversed(problems.problems):
                self.show_field_error(problem.field, problem.message)
            return
        self.run_worker(self.checks_then_save(details, extra, contact_id), exclusive=True, name="checks", group="checks")

    def show_field_error(self, field_id: str, message: str) -> None:
        target = FIELD_OF.get(field_id, field_id)
        if target not in dict(self.fields()):
            self.query_one("#form-message", Static).update(message)
            return
        self.error(target, message)
        widget = self.query_one(f"#f-{target}")
        widget.focus()
        widget.scroll_visible()

    async def checks_then_save(self, details: StudentDetails, extra: intake.WalkIn | intake.Referral,
                               contact_id: str | None) -> None:
        for concern in details.concerns():
            if concern.field in self.confirmed:
                continue
            if not await self.app.push_screen_wait(Confirm(concern.message)):
                self.show_field_error(concern.field, concern.message)
                return
            self.confirmed.add(concern.field)
        existing = None
        if not details.anonymous:
            # The store is asked (a colleague may just have registered the
            # same student): off the UI thread, and a failure is told here.
            try:
                matches = await asyncio.to_thread(self.session.spreekuur.find_duplicates, details)
            except Exception as exc:  # noqa: BLE001 - an async step, not a thread helper: one Dutch sentence; the form stays filled
                self.failed(dutch(exc), None)
                return
            if matches:
                rows = [(r.id, self.describe(r)) for r in matches]
                answer = await self.app.push_screen_wait(DuplicateModal(rows))
                if answer is None:
                    return
                if answer != "new":
                    existing = self.session.students.get(answer)
        self.busy = True
        self.query_one("#form-message", Static).update(TEXT["saving"])
        self.save(details, extra, contact_id, existing)

    def describe(self, record: StudentRecord) -> str:
        return describe(self.session, record)

    def save(self, details: StudentDetails, extra: intake.WalkIn | intake.Referral, contact_id: str | None,
             existing: StudentRecord | None) -> None:
        s = self.session

        left_out = self.not_carried(details, existing)

        def register() -> tuple[str, str | None, bool]:
            """The store calls: the Dutch sentence that says what was saved, the student's id, and
            whether it names details that were not saved (then it stays longer)."""
            text, record = saved_as()
            if record is None:
                return text, None, False
            if left_out:
                items = " · ".join(left_out)
                text += (TEXT["not_carried"].format(items=items) if s.is_involved(record.id)
                         else TEXT["not_carried_sealed"].format(items=items, contact=s.contact_name(record)))
            return text, record.id, bool(left_out)

        def saved_as() -> tuple[str, StudentRecord | None]:
            if isinstance(extra, intake.WalkIn) and self.link is not None:  # she gave her name
                when = when_text(self.link)
                record = s.spreekuur.link_anonymous(self.link.id, details, extra, existing=existing)
                name = record.details.display_name
                if s.is_involved(record.id):
                    return TEXT["saved_link"].format(when=when, name=name), record
                return TEXT["saved_link_sealed"].format(when=when, name=name, contact=s.contact_name(record)), record
            if isinstance(extra, intake.WalkIn):  # an inloop
                if details.anonymous:
                    s.spreekuur.register_anonymous(extra.leefdomeinen, extra.minutes)
                    return TEXT["saved_anonymous"], None
                record = s.spreekuur.register_walk_in(details, extra, existing=existing)
                name = record.details.display_name
                if existing is None:
                    return TEXT["saved_walk_in"].format(name=name), record
                if s.is_involved(record.id):
                    return TEXT["saved_visit"].format(name=name), record
                return TEXT["saved_visit_sealed"].format(name=name, contact=s.contact_name(record)), record
            if existing is not None:
                record = s.spreekuur.add_referral_to_existing(existing, extra)
                return TEXT["saved_existing_referral"].format(
                    name=record.details.display_name, status=STATUSES.get(record.status, record.status),
                    contact=s.contact_name(record),
                ), record
            if contact_id is None:  # collect() asks for one: never None here
                raise ValidationError("contact_worker", TEXT["contact_needed"])
            record = s.spreekuur.register_referral(details, extra, contact_worker_id=contact_id)
            return TEXT["saved_referral"].format(name=record.details.display_name, contact=s.contact_name(record)), record

        run_in_thread(self, "save", register, done=self.saved, failed=lambda f: self.failed(f.text, f.field),
                      exclusive=True)

    def failed(self, message: str, field_id: str | None) -> None:
        self.busy = False
        self.query_one("#form-message", Static).update("")
        if field_id:
            self.show_field_error(field_id, message)
        else:
            self.query_one("#form-message", Static).update(message + TEXT["kept"])

    def saved(self, result: tuple[str, str | None, bool]) -> None:
        text, student_id, long = result
        self.busy = False
        if team_app(self).session is not self.session:
            return  # locked meanwhile: the screen is gone
        self.app.pop_screen()
        below = self.app.screen
        if student_id is not None and isinstance(below, ShowsRecord) and below.record.id != student_id:
            # Back in the file of another student: said, so a next key is not meant for the one just saved.
            text += TEXT["back_in_file"].format(name=below.record.details.display_name)
        self.app.notify(text, timeout=20 if long else 6)
        reload_screen(self.app)

    def not_carried(self, details: StudentDetails, existing: StudentRecord | None) -> list[str]:
        """'Label: as typed' for each detail typed here that ``existing``'s record does not hold
        as typed (``intake.not_carried``): the visit or referral goes to her file, those do not."""
        if existing is None:
            return []
        labels = dict(MORE_FIELDS)
        out: list[str] = []
        for name in intake.not_carried(details, existing.details):
            field_id = "municipality" if name.startswith("municipality") else name
            typed = f"{label}: {value}" if (value := self.value(field_id).strip()) and (label := labels.get(field_id)) else ""
            if typed and typed not in out:
                out.append(typed)
        return out

    # -- leaving ----------------------------------------------------------------

    def action_leave(self) -> None:
        leave_asking_if_typed(self, self.typed_anything(), self.app.pop_screen)
