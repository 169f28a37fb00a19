"""The driegesprek: student, study coach and hulpverlener, on one screen.

Participants at the top; three text panes ("Verhaal van de student",
"Zorgen van school", "Hulpvraag") side by side on a wide terminal and
stacked on a narrow one; then the agreements, what may be shared with
whom, leefdomein scores and the next appointment, each added inline with
Enter. ctrl+s saves it all as one talk (``session.save_driegesprek``).
Nothing typed is lost: errors show next to the field, and a lock keeps a
sealed draft that comes back when the same worker unlocks.

Why one file of about 750 lines: one form whose inline lists, their
parsing of what is typed ("coach", a colleague's initials, "alles") and
the errors that point back into them belong together.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widget import Widget

from jongerenteam import consent as cn
from jongerenteam import dossier as d
from jongerenteam import driegesprek as dg
from jongerenteam.catalogue import (
    COACH_ROLES,
    LEEFDOMEINEN,
    PROFESSIONALS_EXTERNAL,
    PROFESSIONALS_SCHOOL,
    SCORES,
)
from jongerenteam.dates import local_now, local_today, parse_date, parse_moment
from jongerenteam.domain import ValidationError
from jongerenteam.search import fold
from screens import forms
from screens.background import Failure, run_in_thread
from screens.dialogs import DRAFT_BACK, Confirm, ask_concern, leave_asking_if_typed
from screens.drafts import involved_record
from screens.interfaces import team_app
from screens.messages import dossier_changed
from screens.socialmap import MapNames
from screens.text import Input, Label, Option, OptionList, Static, TextArea
from screens.widgets import FAST_TAB_BINDINGS, FastTab, ListSuggester, SteadyFooter, SuggestWords, hidden

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.session import TeamSession

# From this many columns on, the three panes stand side by side.
WIDE_COLUMNS = 110

TEXT = {
    "title": "Driegesprek met {name}",
    "hint": "Tab: volgend veld · Enter: regel toevoegen · ctrl+s: opslaan · Esc: terug",
    "story": "Verhaal van de student (in eigen woorden)",
    "school_concerns": "Zorgen van school",
    "question": "Hulpvraag",
    "agreements": "Werkafspraken: wie doet wat, uiterlijk wanneer (Enter: toevoegen)",
    "consents": "Mag gedeeld worden met (toestemming, Enter: toevoegen)",
    "scores": "Leefdomeinscores, als je die geeft (Enter: toevoegen)",
    "next": "Volgende afspraak",
    "list_hint": "Enter: aanpassen · Del: verwijderen",
    "consent_needed": "Toestemming nodig van: {who}.",
    "saving": "Bezig met opslaan…",
    "saved": "Driegesprek met {name} opgeslagen: {parts}.",
    "ask_overview": "Afsprakenoverzicht voor de student maken?",
    "kept": " Je invoer staat er nog.",
    "in_list": "Regel {n} in de lijst: {message} Kies de regel met Enter om hem aan te passen.",
    "row_busy": "Voeg eerst toe (Enter) of wis wat je in de regel hierboven typte; daarna kun je deze aanpassen.",
    "at_future": "De datum van het driegesprek ligt in de toekomst; plan een afspraak als vervolggesprek.",
    "minutes_bad": "Duur is een aantal minuten, bijvoorbeeld 45.",
    "coach_role_bad": "Kies de rol van de coach: " + ", ".join(COACH_ROLES.values()) + ".",
    "worker_unknown": "Onbekende medewerker '{name}'. Typ naam of initialen, gescheiden door komma's.",
    "who_needed": "Vul in wie het doet: student, coach, een medewerker (naam) of iemand anders (naam).",
    "domain_bad": "Onbekend leefdomein '{name}'. Typ de naam of het nummer (1-9).",
    "about_bad": "Onbekend leefdomein '{name}'. Typ 'alles' of leefdomeinen, bijvoorbeeld onderwijs, gezondheid.",
    "giver_bad": "Kies wie toestemming gaf: student, ouders of beide.",
    "how_bad": "Kies mondeling of schriftelijk.",
    "score_bad": "Een score is 1 tot en met 5.",
    "next_needed": "Vul de datum van de volgende afspraak in (bijvoorbeeld 30-11).",
}

# The inline rows: kind -> fields (name, label, placeholder, width in cells or None for 1fr).
ROW_FIELDS: dict[str, list[tuple[str, str, str, int | None]]] = {
    "agreement": [
        ("who", "Wie", "student, coach, naam", 22),
        ("what", "Wat", "wat is afgesproken", None),
        ("due", "Uiterlijk", "bijv. 15-1", 14),
    ],
    "consent": [
        ("with", "Met wie", "rol, organisatie of naam", None),
        ("about", "Waarover", "alles, of leefdomeinen", None),
        ("purpose", "Doel", "waarvoor", None),
        ("given_by", "Toestemming van", "student, ouders, beide", 18),
        ("how", "Hoe", "mondeling/schriftelijk", 16),
        ("until", "Geldig tot", "leeg = geen einde", 20),
    ],
    "score": [
        ("domain", "Leefdomein", "naam of 1-9", 24),
        ("score", "Score", "1-5", 8),
        ("reason", "Reden", "waarom deze score", None),
    ],
}
# A ValidationError's field (from jongerenteam.dossier) -> the row's field shown.
ROW_ERROR_FIELDS = {
    "agreement": {"who": "who", "what": "what", "due": "due", "follow_up": "due", "status": "what"},
    "consent": {"with": "with", "about": "about", "purpose": "purpose", "given_by": "given_by",
                "how": "how", "on": "with", "valid_until": "until"},
    "score": {"domain": "domain", "score": "score", "reason": "reason", "on": "domain"},
}
LIST_KINDS = ("agreement", "consent", "score")
PANES = ("story", "school_concerns", "question")
# Top fields whose errors show under them (the rest show in the message line).
TOP_ERRORS = ("at", "minutes", "coach_role", "workers", "next_date")


def _domain(text: str) -> str | None:
    """A leefdomein by its number (1-9), code, label or the unambiguous start of one."""
    t = text.strip()
    if t.isdecimal():
        n = int(t)
        return LEEFDOMEINEN[n - 1].code if 1 <= n <= len(LEEFDOMEINEN) else None
    return forms.choice(t, {x.code: x.label for x in LEEFDOMEINEN}) or None


class Field(Vertical):
    """A label above a one-line input."""

    def __init__(self, label: str, field_input: Input, width: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.field_input = field_input
        if width is not None:
            self.styles.width = width

    def compose(self) -> ComposeResult:
        yield Label(self.label)
        yield self.field_input


class AddRow(Message):
    """Enter in an inline row: check it and add it to the list under it."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind


class RemoveItem(Message):
    """Del on a line of an inline list: take it out."""

    def __init__(self, kind: str, index: int) -> None:
        super().__init__()
        self.kind = kind
        self.index = index


class EntryRow(Vertical):
    """One inline row of small fields; Enter in any of them adds it to the list below."""

    KIND: ClassVar[str] = ""

    def __init__(self, fields: list[Field], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fields = fields

    def compose(self) -> ComposeResult:
        # Three fields per line: the consent's six fields take two.
        for i in range(0, len(self.fields), 3):
            with Horizontal():
                yield from self.fields[i:i + 3]

    def action_add(self) -> None:
        self.post_message(AddRow(self.KIND))


class RowInput(Input):
    """A field of an inline row, where keys are handled strictly in the order typed (issue 23).

    Enter adds the row and Tab moves on here, in the field's own turn: after every key it got
    before them, and (with the app waiting for this field before it hands on the next key,
    ``KEYS_IN_ORDER``, screens/app.py) before any key typed after them. A priority binding
    would act when the app reads the key, before the field has taken the keys typed just
    before it (a fast typist's, a script's): the row was added cut off mid-word; and a key
    left to bubble to the screen would act after keys typed just after it.
    """

    KEYS_IN_ORDER = True

    def __init__(self, kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind = kind

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        if event.key in ("enter", "tab", "shift+tab") and isinstance(screen, DriegesprekScreen):
            event.stop()
            event.prevent_default()
            if event.key == "enter":
                screen.add_item(self.kind)
            elif event.key == "tab":
                screen.focus_next()
            else:
                screen.focus_previous()
            return
        await super()._on_key(event)


# The bindings only name Enter in the footer; Enter itself arrives as Input.Submitted (EntryRow.submitted).
class AgreementRow(EntryRow):
    KIND = "agreement"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "add", "Werkafspraak toevoegen")]


class ConsentRow(EntryRow):
    KIND = "consent"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "add", "Toestemming toevoegen")]


class ScoreRow(EntryRow):
    KIND = "score"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "add", "Score toevoegen")]


class ItemList(OptionList):
    """What was added from a row: Del removes a line, Enter puts it back in the row to change it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Aanpassen"),
        Binding("delete,backspace", "remove", "Verwijderen", key_display="Del"),
    ]

    def __init__(self, kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind = kind

    def action_remove(self) -> None:
        if self.highlighted is not None:
            self.post_message(RemoveItem(self.kind, self.highlighted))


class DriegesprekScreen(FastTab, Screen[str | None]):
    """Record a driegesprek; dismisses with the new talk's id (or None)."""

    HELP_TITLE = "Driegesprek"
    HELP = (
        "Het gesprek met de student, de studiecoach en jou: wie er waren, wat besproken is, de werkafspraken"
        " (wie doet wat, voor wanneer) en de scores. ctrl+s bewaart alles in één keer in het dossier; daarna"
        " kun je het afsprakenoverzicht voor de student maken."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Opslaan", priority=True),
        Binding("escape", "leave", "Terug"),
        *FAST_TAB_BINDINGS,
    ]

    def __init__(self, session: TeamSession, record: StudentRecord, *, restore: bool = False) -> None:
        super().__init__()
        self.session = session
        self.record = record
        self.restore = restore
        self.items: dict[str, list[dict[str, str]]] = {kind: [] for kind in LIST_KINDS}
        self.map = MapNames()  # the sociale kaart, read in a thread on mount
        self.busy = False
        self.saved_id: str | None = None
        self.defaults: dict[str, str] = {}
        # Unusual input the worker said yes to (a date more than a year ago), by its sentence.
        self.confirmed: set[str] = set()

    # -- layout ---------------------------------------------------------------------

    def _input(self, name: str, placeholder: str = "", value: str = "", suggester: Suggester | None = None) -> Input:
        return Input(value=value, placeholder=placeholder, id=f"dg-{name}", suggester=suggester)

    def _now(self) -> datetime:
        return local_now().replace(second=0, microsecond=0)

    def _today(self) -> date:
        return local_today()

    def compose(self) -> ComposeResult:
        details = self.record.details
        me = self.session.workers.get(self.session.worker_id)
        role = COACH_ROLES.get(details.coach_role or "studentcoach", "studiecoach")
        session = self.session

        def workers() -> list[str]:
            return [w.full_name for w in session.active_workers()]

        yield Static(TEXT["title"].format(name=details.display_name), classes="title")
        yield Static(TEXT["hint"], classes="hint")
        yield Static("", id="dg-message", classes="error")
        with VerticalScroll(id="dg-form"):
            with Horizontal(classes="dg-line"):
                yield Field("Datum en tijd", self._input("at", "dd-mm-jjjj uu:mm", f"{self._now():%d-%m-%Y %H:%M}"), 20)
                yield Field("Duur (minuten)", self._input("minutes", "bijv. 45"), 16)
                yield Field("Coach (school)", self._input("coach_name", "naam van de coach", details.coach_name))
                yield Field("Rol coach", self._input(
                    "coach_role", "SLB'er, LOB'er, mentor…", role, SuggestWords(lambda: list(COACH_ROLES.values()))
                ), 18)
            yield from self._errors("at", "minutes", "coach_role")
            with Horizontal(classes="dg-line"):
                yield Field("Medewerker(s)", self._input(
                    "workers", "naam of initialen, komma ertussen", me.full_name if me else "", ListSuggester(workers)
                ))
                yield Field("Ook aanwezig", self._input("others", "bijv. pleegmoeder, docent"))
            yield from self._errors("workers")
            with Vertical(id="dg-panes"):
                for name in PANES:
                    with Vertical(classes="dg-pane", id=f"pane-{name}"):
                        yield Label(TEXT[name])
                        yield TextArea(id=f"dg-{name}", soft_wrap=True, tab_behavior="focus", show_line_numbers=False)
            yield from self._errors("panes")
            for kind, title, row_class in (
                ("agreement", TEXT["agreements"], AgreementRow),
                ("consent", TEXT["consents"], ConsentRow),
                ("score", TEXT["scores"], ScoreRow),
            ):
                yield Static(title, classes="dg-section")
                if kind == "consent":
                    yield Static(self._consent_note(), id="consent-note", classes="dg-note")
                yield row_class([self._row_field(kind, *spec) for spec in ROW_FIELDS[kind]], id=f"row-{kind}")
                yield from self._errors(kind)
                yield hidden(ItemList(kind, id=f"list-{kind}"))
            yield Static(TEXT["next"], classes="dg-section")
            with Horizontal(classes="dg-line"):
                yield Field("Datum", self._input("next_date", "bijv. 15-1"), 16)
                yield Field("Wat", self._input("next_text", "bijv. vervolggesprek met coach"))
            yield from self._errors("next_date")
        yield SteadyFooter()

    def _errors(self, *names: str) -> Iterator[Widget]:
        for name in names:
            yield hidden(Static("", id=f"err-{name}", classes="dg-error"))

    def _row_field(self, kind: str, name: str, label: str, placeholder: str, width: int | None) -> Field:
        suggester: Suggester | None = None
        if (kind, name) == ("agreement", "who"):
            suggester = SuggestWords(self._who_words)
        elif (kind, name) == ("consent", "with"):
            suggester = SuggestWords(self._with_words)
        elif name in ("about",):
            suggester = ListSuggester(lambda: ["alles"] + [x.label for x in LEEFDOMEINEN])
        elif name == "domain":
            suggester = SuggestWords(lambda: [x.label for x in LEEFDOMEINEN])
        elif name == "given_by":
            suggester = SuggestWords(lambda: list(cn.CONSENT_GIVERS))
        elif name == "how":
            suggester = SuggestWords(lambda: list(cn.CONSENT_HOW))
        value = self._row_defaults(kind).get(name, "")
        return Field(label, RowInput(kind, value=value, placeholder=placeholder, id=f"{kind}-{name}", suggester=suggester), width)

    def _row_defaults(self, kind: str) -> dict[str, str]:
        if kind == "consent":
            return {"about": "alles", "given_by": self._giver(), "how": "mondeling"}
        return {}

    def _giver(self) -> str:
        return cn.consent_needed_from(self.record.details.birth_date, self._today())

    def _consent_note(self) -> str:
        return TEXT["consent_needed"].format(who=cn.NEEDED_LABELS[self._giver()])

    def _who_words(self) -> list[str]:
        coach = self.value("coach_name").strip()
        return ["student", "studiecoach", *([coach] if coach else []), *(w.full_name for w in self.session.active_workers())]

    def _with_words(self) -> list[str]:
        return [
            *COACH_ROLES.values(), *PROFESSIONALS_SCHOOL, *PROFESSIONALS_EXTERNAL,
            *(item.entry.name for item in self.map.items),
        ]

    def on_mount(self) -> None:
        self._fit(self.app.size.width)
        self.defaults = self.values()
        if self.restore:
            draft = team_app(self).take_draft(self)
            if draft:
                self.fill(draft)
                self.notify(DRAFT_BACK)
        self.query_one("#dg-story", TextArea).focus()
        # The sociale kaart's names, as suggestions for 'Met wie'.
        self.map.load(self, self.session)

    # -- wide or narrow ---------------------------------------------------------------

    def _fit(self, width: int) -> None:
        wide = width >= WIDE_COLUMNS
        self.set_class(wide, "-wide")
        self.set_class(not wide, "-narrow")

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def on_screen_resume(self) -> None:
        # A resize while a dialog was on top only reached that dialog.
        self._fit(self.app.size.width)

    # -- values -------------------------------------------------------------------------

    def value(self, name: str) -> str:
        widget = self.query_one(f"#dg-{name}")
        if isinstance(widget, TextArea):
            return widget.text
        return widget.value if isinstance(widget, Input) else ""

    def row_values(self, kind: str) -> dict[str, str]:
        return {name: self.query_one(f"#{kind}-{name}", Input).value for name, *_ in ROW_FIELDS[kind]}

    def values(self) -> dict[str, str]:
        """Every field on the screen (the rows too), as typed."""
        out = {
            name: self.value(name)
            for name in ("at", "minutes", "coach_name", "coach_role", "workers", "others", *PANES, "next_date", "next_text")
        }
        for kind in LIST_KINDS:
            out.update({f"{kind}-{k}": v for k, v in self.row_values(kind).items()})
        return out

    def fill(self, draft: dict[str, Any]) -> None:
        for name, text in draft.get("values", {}).items():
            found = self.query(f"#dg-{name}" if "-" not in name else f"#{name}")
            widget = found.first() if found else None  # None: a field this version does not have
            if isinstance(widget, TextArea):
                widget.text = text
            elif isinstance(widget, Input):
                widget.value = text
        for kind in LIST_KINDS:
            self.items[kind] = [dict(raw) for raw in draft.get("items", {}).get(kind, [])]
            self.show_list(kind)

    def row_typed(self, kind: str) -> bool:
        defaults = self._row_defaults(kind)
        return any(v.strip() != defaults.get(k, "") for k, v in self.row_values(kind).items())

    def draft(self) -> dict[str, Any] | None:
        if self.saved_id is not None:
            return None
        values = self.values()
        if values == self.defaults and not any(self.items.values()):
            return None
        return {"values": values, "items": {kind: [dict(raw) for raw in self.items[kind]] for kind in LIST_KINDS}}

    def draft_label(self) -> str:
        return "een driegesprek"

    def resume_state(self) -> dict[str, Any] | None:
        return {"student": self.record.id} if self.saved_id is None else None

    @classmethod
    def resume(cls, session: TeamSession, state: dict[str, Any]) -> DriegesprekScreen | None:
        record = involved_record(session, state)
        if record is None:
            return None
        return cls(session, record, restore=True)

    # -- errors -------------------------------------------------------------------------

    def error(self, name: str, text: str) -> None:
        widget = self.query_one(f"#err-{name}", Static)
        widget.update(text)
        widget.display = bool(text)

    def clear_errors(self) -> None:
        self.query_one("#dg-message", Static).update("")
        for name in (*TOP_ERRORS, "panes", *LIST_KINDS):
            self.error(name, "")

    @on(Input.Changed)
    def input_changed(self, event: Input.Changed) -> None:
        wid = event.input.id or ""
        if wid.startswith("dg-") and wid[3:] in TOP_ERRORS:
            self.error(wid[3:], "")
        elif wid.partition("-")[0] in LIST_KINDS:
            self.error(wid.partition("-")[0], "")

    @on(TextArea.Changed)
    def pane_changed(self) -> None:
        self.error("panes", "")

    def show_error(self, field: str, message: str) -> None:
        """Put a ValidationError next to its field and focus that field."""
        kind, _, rest = field.partition(":")
        if kind in LIST_KINDS and rest:
            index_text, _, sub = rest.partition(":")
            index = int(index_text) if index_text.isdecimal() else 0
            if index < len(self.items[kind]):
                items = self.query_one(f"#list-{kind}", ItemList)
                items.highlighted = index
                self.error(kind, TEXT["in_list"].format(n=index + 1, message=message))
                self._focus(items)
            else:  # the row still being typed
                self.error(kind, message)
                name = ROW_ERROR_FIELDS[kind].get(sub, ROW_FIELDS[kind][0][0])
                self._focus(self.query_one(f"#{kind}-{name}", Input))
            return
        if field in PANES:
            self.error("panes", message)
            self._focus(self.query_one(f"#dg-{field}", TextArea))
            return
        target = {"coach_name": "coach_role", "next_text": "next_date", "type": "at"}.get(field, field)
        if target in TOP_ERRORS:
            self.error(target, message)
            self._focus(self.query_one(f"#dg-{field if field != 'type' else 'at'}"))
            return
        self.query_one("#dg-message", Static).update(message)

    def _focus(self, widget: Widget) -> None:
        widget.focus()
        self.call_after_refresh(widget.scroll_visible)

    # -- building what is saved ----------------------------------------------------------

    def parse_item(self, kind: str, raw: dict[str, str], index: int, at: date) -> d.NewAgreement | cn.NewConsent | d.NewScore:
        """Typed row values to NewAgreement / NewConsent / NewScore; ValidationError names kind:index:field."""
        def bad(name: str, message: str) -> ValidationError:
            return ValidationError(f"{kind}:{index}:{name}", message)

        today = self._today()
        try:
            if kind == "agreement":
                item = d.NewAgreement(self.parse_who(raw.get("who", ""), index), raw.get("what", ""))
                if raw.get("due", "").strip():
                    item.due = parse_date(raw["due"], today=today, field=f"{kind}:{index}:due", upcoming=True)
                item.validate(today)
                return item
            if kind == "consent":
                about: list[str] = []
                for part in forms.parts(raw.get("about", "")) or [cn.ALL_DOMAINS]:
                    code = cn.ALL_DOMAINS if fold(part) == cn.ALL_DOMAINS else _domain(part)
                    if code is None:
                        raise bad("about", TEXT["about_bad"].format(name=part))
                    about.append(code)
                given_by = forms.choice(raw.get("given_by", ""), cn.CONSENT_GIVERS)
                if not given_by:
                    raise bad("given_by", TEXT["giver_bad"])
                how = forms.choice(raw.get("how", ""), cn.CONSENT_HOW)
                if not how:
                    raise bad("how", TEXT["how_bad"])
                until = None
                if raw.get("until", "").strip():
                    until = parse_date(raw["until"], today=today, field=f"{kind}:{index}:valid_until", upcoming=True)
                consent = cn.NewConsent(self.parse_with(raw.get("with", "")), about, raw.get("purpose", ""),
                                        given_by, how, at, until)
                consent.validate(today)
                return consent
            domain = _domain(raw.get("domain", ""))
            if domain is None:
                raise bad("domain", TEXT["domain_bad"].format(name=raw.get("domain", "").strip()))
            score_text = raw.get("score", "").strip()
            if not score_text.isdecimal() or int(score_text) not in SCORES:
                raise bad("score", TEXT["score_bad"])
            score = d.NewScore(domain, int(score_text), at, raw.get("reason", ""))
            score.validate(today)
            return score
        except ValidationError as exc:
            if exc.field.startswith(f"{kind}:"):
                raise
            raise bad(exc.field, exc.message) from None

    def parse_who(self, text: str, index: int) -> d.Who:
        t = fold(text.strip())
        if not t:
            raise ValidationError(f"agreement:{index}:who", TEXT["who_needed"])
        coach = self.value("coach_name").strip()
        if t in ("student", "de student") or t == fold(self.record.details.first_name or "-"):
            return d.Who("student")
        if t in ("coach", "studiecoach", "de coach") or t in (fold(x) for x in COACH_ROLES.values()) or (coach and t == fold(coach)):
            return d.Who("coach", coach)
        if t in ("ik", "medewerker"):
            return d.Who("medewerker", worker_id=self.session.worker_id)
        worker_id = forms.colleague_id(self.session, text)
        if worker_id is not None:
            return d.Who("medewerker", worker_id=worker_id)
        return d.Who("anders", text.strip())

    def parse_with(self, text: str) -> cn.ConsentWith:
        item = self.map.match(text)
        if item is not None:
            return cn.ConsentWith(item.entry.kind, item.entry.name, item.id)
        return cn.ConsentWith("rol", text.strip())

    def item_label(self, kind: str, raw: dict[str, str]) -> str:
        try:
            item = self.parse_item(kind, raw, 0, self._today())
        except ValidationError:
            return " · ".join(v.strip() for v in raw.values() if v.strip())
        if isinstance(item, d.NewAgreement):
            who = {"student": "student", "coach": item.who.name or "studiecoach", "anders": item.who.name}.get(item.who.kind)
            if who is None:
                worker = self.session.workers.get(item.who.worker_id or "")
                who = worker.full_name if worker else "medewerker"
            due = f" · uiterlijk {item.due:%d-%m-%Y}" if item.due else ""
            return f"{who}: {item.what.strip()}{due}"
        if isinstance(item, cn.NewConsent):
            about = "alles" if cn.ALL_DOMAINS in item.about else ", ".join(
                x.label.lower() for x in LEEFDOMEINEN if x.code in item.about
            )
            until = f" · tot {item.valid_until:%d-%m-%Y}" if item.valid_until else ""
            return (f"{item.with_.name} · over {about} · doel: {item.purpose.strip()} · "
                    f"van {cn.CONSENT_GIVERS[item.given_by]}, {item.how}{until}")
        label = next(x.label for x in LEEFDOMEINEN if x.code == item.domain)
        reason = f" · {item.reason.strip()}" if item.reason.strip() else ""
        return f"{label}: {item.score} ({SCORES[item.score]}){reason}"

    def collect(self) -> dg.Driegesprek:
        """Everything typed to a Driegesprek (rows still being typed included); ValidationError if not right."""
        v = self.values()
        today = self._today()
        at = parse_moment(v["at"], today=today)
        if at.date() > today:
            # Before the lists: their dates follow the talk's.
            raise ValidationError("at", TEXT["at_future"])
        minutes = None
        if v["minutes"].strip():
            if not v["minutes"].strip().isdecimal():
                raise ValidationError("minutes", TEXT["minutes_bad"])
            minutes = int(v["minutes"])
        coach_role = forms.choice(v["coach_role"], COACH_ROLES)
        if coach_role is None:
            raise ValidationError("coach_role", TEXT["coach_role_bad"])
        workers: list[str] = []
        for part in forms.parts(v["workers"]):
            worker_id = forms.colleague_id(self.session, part)
            if worker_id is None:
                raise ValidationError("workers", TEXT["worker_unknown"].format(name=part))
            if worker_id not in workers:
                workers.append(worker_id)
        parsed = []
        for kind in LIST_KINDS:
            raws = list(self.items[kind])
            if self.row_typed(kind):
                raws.append(self.row_values(kind))
            parsed += [self.parse_item(kind, raw, i, at.date()) for i, raw in enumerate(raws)]
        next_date = None
        if v["next_date"].strip():
            next_date = parse_date(v["next_date"], today=today, field="next_date", upcoming=True)
        elif v["next_text"].strip():
            raise ValidationError("next_date", TEXT["next_needed"])
        talk = dg.Driegesprek(
            at=at, minutes=minutes, coach_name=v["coach_name"].strip(), coach_role=coach_role,
            workers=workers, others=forms.parts(v["others"]),
            story=v["story"], school_concerns=v["school_concerns"], question=v["question"],
            agreements=[x for x in parsed if isinstance(x, d.NewAgreement)],
            consents=[x for x in parsed if isinstance(x, cn.NewConsent)],
            scores=[x for x in parsed if isinstance(x, d.NewScore)],
            next_date=next_date, next_text=v["next_text"].strip(),
        )
        talk.validate(today, self.record.details.birth_date)
        return talk

    # -- the inline lists ------------------------------------------------------------------

    @on(AddRow)
    def row_added(self, message: AddRow) -> None:
        message.stop()
        self.add_item(message.kind)

    @on(RemoveItem)
    def item_removed(self, message: RemoveItem) -> None:
        message.stop()
        self.remove_item(message.kind, message.index)

    def add_item(self, kind: str) -> None:
        """Enter in a row: check it, add it to the list under it, empty the row."""
        self.error(kind, "")
        raw = self.row_values(kind)
        index = len(self.items[kind])
        today = self._today()
        try:
            at = min(parse_moment(self.value("at"), today=today).date(), today)
        except ValidationError:
            at = today
        try:
            self.parse_item(kind, raw, index, at)
        except ValidationError as exc:
            self.show_error(exc.field, exc.message)
            return
        self.items[kind].append(raw)
        self.show_list(kind)
        self.reset_row(kind)

    def reset_row(self, kind: str) -> None:
        defaults = self._row_defaults(kind)
        for name, *_ in ROW_FIELDS[kind]:
            self.query_one(f"#{kind}-{name}", Input).value = defaults.get(name, "")
        first = self.query_one(f"#{kind}-{ROW_FIELDS[kind][0][0]}", Input)
        self.set_focus(first)  # now, not later: the next key typed goes here (RowInput)

    def show_list(self, kind: str) -> None:
        items = self.query_one(f"#list-{kind}", ItemList)
        items.clear_options()
        items.add_options([Option(self.item_label(kind, raw)) for raw in self.items[kind]])
        items.display = bool(self.items[kind])
        if self.items[kind]:
            items.highlighted = len(self.items[kind]) - 1

    def remove_item(self, kind: str, index: int) -> None:
        del self.items[kind][index]
        self.show_list(kind)
        self.error(kind, "")
        if self.items[kind]:
            self.query_one(f"#list-{kind}", ItemList).highlighted = min(index, len(self.items[kind]) - 1)
        else:
            self.query_one(f"#{kind}-{ROW_FIELDS[kind][0][0]}", Input).focus()

    @on(OptionList.OptionSelected)
    def edit_item(self, event: OptionList.OptionSelected) -> None:
        """Enter on a line: back into the row to change it (only when the row is empty)."""
        items = event.option_list
        if not isinstance(items, ItemList):
            return
        kind = items.kind
        if self.row_typed(kind):
            self.error(kind, TEXT["row_busy"])
            return
        raw = self.items[kind].pop(event.option_index)
        for name, *_ in ROW_FIELDS[kind]:
            self.query_one(f"#{kind}-{name}", Input).value = raw.get(name, "")
        self.show_list(kind)
        self.error(kind, "")
        self._focus(self.query_one(f"#{kind}-{ROW_FIELDS[kind][0][0]}", Input))

    # -- saving ------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.busy or self.app.screen is not self:
            return
        self.clear_errors()
        try:
            talk = self.collect()
        except ValidationError as exc:
            self.show_error(exc.field, exc.message)
            return
        doubt = next((c for c in talk.concerns(self._today()) if c.message not in self.confirmed), None)
        if doubt is not None:
            ask_concern(self, doubt, self.confirmed, self.action_save, self.show_error)
            return
        self.busy = True
        self.query_one("#dg-message", Static).update(TEXT["saving"])
        session, student_id = self.session, self.record.id
        # Everything typed stays when it fails.
        run_in_thread(self, "dg-save", lambda: session.driegesprek.save_driegesprek(student_id, talk),
                      done=lambda talk_id: self.saved(talk_id, saved_parts(talk)), failed=self.failed, exclusive=True)

    def failed(self, failure: Failure) -> None:
        self.busy = False
        self.query_one("#dg-message", Static).update("")
        if failure.field:
            self.show_error(failure.field, failure.text)
        else:
            self.query_one("#dg-message", Static).update(failure.text + TEXT["kept"])

    def saved(self, talk_id: str, parts: str) -> None:
        self.busy = False
        self.saved_id = talk_id
        app = team_app(self)
        if app.session is not self.session:
            return  # locked meanwhile: this screen is gone
        self.query_one("#dg-message", Static).update("")
        self.record = self.session.students.get(self.record.id, self.record)
        app.notify(TEXT["saved"].format(name=self.record.details.display_name, parts=parts), timeout=6)
        session, record = self.session, self.record

        def answered(yes: bool | None) -> None:
            self.dismiss(talk_id)
            # The dossier below re-reads the file; also when this screen was
            # rebuilt after a lock and so has no callback of its opener.
            dossier_changed(app, record.id)
            if yes and app.session is session:
                from screens.overview import OverviewModal

                app.push_screen(OverviewModal(session, record))

        app.push_screen(Confirm(TEXT["ask_overview"]), answered)

    # -- leaving --------------------------------------------------------------------------------

    def action_leave(self) -> None:
        if self.busy:
            return
        leave_asking_if_typed(self, bool(self.draft()), lambda: self.dismiss(None))


def saved_parts(talk: dg.Driegesprek) -> str:
    """What a driegesprek saved, in words: 'gesprek, 2 werkafspraken, volgende afspraak ...'."""
    parts = ["gesprek"]
    for count, one, many in (
        (len(talk.agreements), "werkafspraak", "werkafspraken"),
        (len(talk.consents), "toestemming", "toestemmingen"),
        (len(talk.scores), "score", "scores"),
    ):
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    if talk.next_date:
        parts.append(f"volgende afspraak {talk.next_date:%d-%m-%Y}")
    return ", ".join(parts)
