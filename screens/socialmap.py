"""De sociale kaart: the team's organisations and professionals.

A searchable list (name, kind, role, organisation, leefdomeinen, phone,
e-mail) with keys to add, change and remove. The kaart starts without
contacts; the professional roles of the field (MAP_ROLES, from docs/domain.md)
are there as types: the role field suggests them and the empty kaart lists
them. Reading and writing run in thread workers; entries are encrypted in
the store (storage.socialmap).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

from jongerenteam.catalogue import LEEFDOMEINEN
from jongerenteam.errors import Conflict, NotAllowed, Reason
from jongerenteam.search import fold
from jongerenteam.socialmap import MAP_KINDS, MAP_ROLES, MapEntry, MapItem
from jongerenteam.text import LIMITS
from screens.background import Failure, run_in_thread
from screens.dialogs import Confirm, FormDialog
from screens.interfaces import team_app
from screens.text import DataTable, Input, Static
from screens.widgets import KeyChoice, SteadyFooter, SuggestWords, highlighted_key, keep_cursor, leefdomein_options

if TYPE_CHECKING:
    from jongerenteam.session import TeamSession

DOMAIN_LABELS = {x.code: x.label for x in LEEFDOMEINEN}

# The column titles; every other word is in TEXT.
COLUMNS = ("Naam", "Soort", "Rol", "Organisatie", "Leefdomeinen", "Telefoon", "E-mail")

TEXT = {
    "title": "Sociale kaart · organisaties en professionals van het team",
    "filter": "Zoek op naam, rol, organisatie of leefdomein (/)",
    "loading": "Bezig met laden…",
    "count": "{shown} van {total} op de kaart",
    "empty": (
        "De sociale kaart is nog leeg. Druk op a om een organisatie of professional toe te voegen. "
        "Soorten professionals om uit te kiezen: {roles}."
    ),
    "no_match": "Niets gevonden voor deze zoekterm. Esc: terug naar de lijst.",
    "pick_row": "Kies eerst met ↑↓ een regel in de lijst.",
    "remove_confirm": "{name} van de sociale kaart halen? Dit geldt voor het hele team.",
    "removed": "{name} is van de sociale kaart gehaald.",
    "add_title": "Toevoegen aan de sociale kaart",
    "edit_title": "{name} wijzigen op de sociale kaart",
    "kind": "Soort (1-2)",
    "name": "Naam",
    "name_placeholder": "naam van de organisatie of professional",
    "role": "Rol",
    "role_placeholder": "bijv. budgetcoach; → neemt de suggestie over",
    "organisation": "Organisatie",
    "organisation_placeholder": "waar deze professional werkt",
    "domains": "Leefdomeinen (1-9)",
    "domains_hint": "Toets 1-9 zet een leefdomein aan of uit, 0 zet alles uit.",
    "phone": "Telefoon",
    "phone_placeholder": "bijv. 030-1234567 of 06-12345678",
    "email": "E-mail",
    "email_placeholder": "bijv. naam@organisatie.nl",
    "note": "Notitie",
    "note_placeholder": "bereikbaarheid, spreekuur, hoe aanmelden",
    "added": "{name} staat nu op de sociale kaart.",
    "changed": "{name} is gewijzigd op de sociale kaart.",
    "gone": "Dit onderdeel is intussen door een collega van de sociale kaart gehaald. Sluit met Esc; je tekst staat er nog.",
}


def entry_text(entry: MapEntry) -> str:
    """Everything the filter searches in, folded (accents and case do not matter)."""
    domains = " ".join(DOMAIN_LABELS.get(c, c) for c in entry.leefdomeinen)
    return fold(" ".join((entry.name, entry.kind, entry.role, entry.organisation, domains, entry.phone,
                          entry.email, entry.note)))


class MapNames:
    """The sociale kaart's entries as suggestions for a form (read in a thread when the form opens)."""

    def __init__(self) -> None:
        self.items: list[MapItem] = []

    def load(self, node: DOMNode, session: TeamSession) -> None:
        run_in_thread(node, "social-map", session.social_map.entries, done=self.loaded)

    def loaded(self, items: list[MapItem]) -> None:
        self.items = items

    def match(self, name: str) -> MapItem | None:
        """The entry with this name (case and accents do not matter), or None."""
        wanted = fold(name.strip())
        if not wanted:
            return None
        return next((item for item in self.items if fold(item.entry.name) == wanted), None)

    def names(self, kind: str | None = None) -> list[str]:
        """Names on the kaart (of one kind); with organisations also the professionals' organisations."""
        names = [i.entry.name for i in self.items if kind is None or i.entry.kind == kind]
        if kind in (None, "organisatie"):
            names += [i.entry.organisation for i in self.items if i.entry.organisation]
        return list(dict.fromkeys(n for n in names if n))


class MapEntryDialog(FormDialog):
    """Add or change one kaart entry; MapEntry.validate gives the Dutch errors."""

    FIELD_IDS: ClassVar[dict[str, str]] = {"kind": "map-kind", "name": "map-name", "leefdomeinen": "map-domains",
                 "phone": "map-phone", "email": "map-email"}

    def __init__(self, session: TeamSession, item: MapItem | None = None, *, organisations: tuple[str, ...] | list[str] = (),
                 restore: bool = False, item_ref: tuple[str, int] | None = None) -> None:
        super().__init__(session, restore=restore)
        self.session: TeamSession = session
        self.item = item
        self.saved_name = ""
        # After a lock only the id and version are kept; the fields come back from the sealed draft.
        self.item_ref = item_ref or ((item.id, item.version) if item else None)
        self.organisations = list(organisations)

    def title_text(self) -> str:
        if self.item_ref is None:
            return TEXT["add_title"]
        name = self.item.entry.name if self.item else ""
        return TEXT["edit_title"].format(name=name).strip()

    def fields(self) -> ComposeResult:
        yield from self.row(TEXT["kind"], KeyChoice(MAP_KINDS, value="professional", id="map-kind"))
        yield from self.row(TEXT["name"], Input(placeholder=TEXT["name_placeholder"], max_length=LIMITS["short"], id="map-name"))
        yield from self.row(
            TEXT["role"],
            Input(placeholder=TEXT["role_placeholder"], max_length=LIMITS["short"], id="map-role",
                  suggester=SuggestWords(lambda: MAP_ROLES)),
        )
        yield from self.row(
            TEXT["organisation"],
            Input(placeholder=TEXT["organisation_placeholder"], max_length=LIMITS["short"], id="map-organisation",
                  suggester=SuggestWords(lambda: self.organisations)),
        )
        yield from self.row(
            TEXT["domains"], KeyChoice(leefdomein_options(), multi=True, id="map-domains"), hint=TEXT["domains_hint"]
        )
        yield from self.row(TEXT["phone"], Input(placeholder=TEXT["phone_placeholder"], max_length=LIMITS["number"], id="map-phone"))
        yield from self.row(TEXT["email"], Input(placeholder=TEXT["email_placeholder"], max_length=LIMITS["short"], id="map-email"))
        yield from self.row(TEXT["note"], Input(placeholder=TEXT["note_placeholder"], max_length=LIMITS["note"], id="map-note"))

    def prefill(self) -> None:
        if self.item is None:
            return
        e = self.item.entry
        self.query_one("#map-kind", KeyChoice).value = e.kind
        self.query_one("#map-domains", KeyChoice).value = e.leefdomeinen
        for key, value in (("name", e.name), ("role", e.role), ("organisation", e.organisation),
                           ("phone", e.phone), ("email", e.email), ("note", e.note)):
            self.query_one(f"#map-{key}", Input).value = value

    def first_focus(self) -> None:
        if self.restore and self.item_ref is not None:
            # Rebuilt after a lock: the name comes from the draft, not from the kaart.
            self.query_one("#dialog-title", Static).update(
                Text(TEXT["edit_title"].format(name=self.query_one("#map-name", Input).value))
            )
        self.query_one("#map-name" if self.item_ref else "#map-kind").focus()

    def entry(self) -> MapEntry:
        value = {k: self.query_one(f"#map-{k}", Input).value for k in ("name", "role", "organisation", "phone", "email", "note")}
        return MapEntry(
            self.query_one("#map-kind", KeyChoice).value or "", value["name"], value["role"], value["organisation"],
            self.query_one("#map-domains", KeyChoice).value, value["phone"], value["email"], value["note"],
        )

    def prepare(self) -> Any:
        entry = self.entry()
        entry.validate()
        session = self.session
        self.saved_name = entry.name.strip()
        if self.item_ref is None:
            return lambda: session.social_map.add(entry)
        item = MapItem(self.item_ref[0], self.item_ref[1], entry)
        return lambda: session.social_map.update(item, entry)

    def show_failure(self, failure: Failure) -> None:
        exc = failure.error
        if isinstance(exc, NotAllowed) and exc.reason == Reason.REMOVED:
            self.show_error("", TEXT["gone"])
        else:
            super().show_failure(failure)
        if isinstance(exc, (Conflict, NotAllowed)):
            # A colleague changed or removed it: the list below shows their version.
            self.map_screen_reload()

    def map_screen_reload(self, select: str | None = None) -> None:
        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, SocialMapScreen):
                screen.reload(select=select)
                return

    def saved(self, result: Any) -> None:
        key = "added" if self.item_ref is None else "changed"
        self.app.notify(TEXT[key].format(name=self.saved_name))
        self.map_screen_reload(select=result if isinstance(result, str) else (self.item_ref or (None,))[0])
        self.dismiss(result)

    def draft(self) -> dict[str, Any] | None:
        values = super().draft()
        if values is not None and self.item_ref is not None:
            values["item"] = list(self.item_ref)
        return values

    def resume_state(self) -> dict[str, Any] | None:
        return {"item": list(self.item_ref) if self.item_ref is not None else None}

    @classmethod
    def resume(cls, session: TeamSession, state: dict[str, Any]) -> MapEntryDialog:
        item = state.get("item")
        return cls(session, restore=True, item_ref=(str(item[0]), int(item[1])) if item else None)


class SocialMapScreen(Screen[None]):
    """The team's sociale kaart: search, add, change, remove."""

    HELP_TITLE = "Sociale kaart"
    HELP = (
        "Organisaties en professionals waar het team naar verwijst, met hun leefdomeinen en hoe je ze "
        "bereikt. Zoek, voeg toe of wijzig; een overdracht naar buiten kiest de ontvanger hieruit."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Toevoegen"),
        Binding("e", "edit", "Wijzigen"),
        Binding("enter", "edit", "Wijzigen", show=False),
        Binding("x", "remove", "Verwijderen"),
        Binding("slash", "filter", "Zoeken", key_display="/"),
        Binding("escape", "leave", "Terug"),
        Binding("f5", "reload", "Vernieuwen", show=False),
    ]

    def __init__(self, session: TeamSession) -> None:
        super().__init__()
        self.session = session
        self.items: list[MapItem] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static(TEXT["title"], classes="title")
        yield Input(placeholder=TEXT["filter"], id="map-filter")
        yield DataTable(id="map-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="map-detail")
        yield Static(TEXT["loading"], id="map-info")
        yield Static("", id="map-message")
        yield SteadyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#map-table", DataTable)
        for label, width in zip(COLUMNS, (22, 12, 18, 18, 16, 14, None), strict=True):
            table.add_column(label, width=width, key=label)
        table.focus()
        self.reload()

    def resume_state(self) -> dict[str, Any] | None:
        return {}

    def draft(self) -> dict[str, Any] | None:
        return None  # its dialogs hold what is typed

    @classmethod
    def resume(cls, session: TeamSession, state: dict[str, Any]) -> SocialMapScreen:
        return cls(session)

    def still_here(self) -> bool:
        return self.is_attached and team_app(self).session is self.session and not self.session.is_locked

    # -- reading ------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        run_in_thread(self, "social-map", self.session.social_map.entries, exclusive=True,
                      done=lambda items: self.loaded_items(items, select), failed=lambda f: self.say(f.text))

    def loaded_items(self, items: list[MapItem], select: str | None) -> None:
        if not self.still_here():
            return
        self.items = items
        self.loaded = True
        self.fill(select)

    def shown_items(self) -> list[MapItem]:
        words = fold(self.query_one("#map-filter", Input).value).split()
        if not words:
            return list(self.items)
        return [i for i in self.items if all(w in entry_text(i.entry) for w in words)]

    def fill(self, select: str | None = None) -> None:
        table = self.query_one("#map-table", DataTable)
        keep = select or highlighted_key(table)
        table.clear()
        shown = self.shown_items()
        for item in shown:
            e = item.entry
            table.add_row(
                e.name, MAP_KINDS.get(e.kind, e.kind), e.role, e.organisation,
                ", ".join(DOMAIN_LABELS.get(c, c) for c in e.leefdomeinen), e.phone, e.email,
                key=item.id,
            )
        keep_cursor(table, keep)
        info = self.query_one("#map-info", Static)
        if not self.items:
            info.update(TEXT["empty"].format(roles=", ".join(MAP_ROLES)))
        elif not shown:
            info.update(TEXT["no_match"])
        else:
            info.update(TEXT["count"].format(shown=len(shown), total=len(self.items)))

    @on(DataTable.RowHighlighted, "#map-table")
    def show_detail(self, event: DataTable.RowHighlighted) -> None:
        """Everything of the highlighted entry, readable at any width (the table cuts)."""
        item = next((i for i in self.items if i.id == event.row_key.value), None)
        detail = self.query_one("#map-detail", Static)
        if item is None:
            detail.update("")
            return
        e = item.entry
        lines = [" · ".join(x for x in (e.name, MAP_KINDS.get(e.kind, e.kind), e.role, e.organisation) if x)]
        contact = " · ".join(x for x in (e.phone, e.email) if x)
        if contact:
            lines.append(contact)
        if e.leefdomeinen:
            lines.append("Leefdomeinen: " + ", ".join(DOMAIN_LABELS.get(c, c) for c in e.leefdomeinen))
        if e.note:
            lines.append(e.note)
        detail.update(Text("\n".join(lines)))

    @on(Input.Changed, "#map-filter")
    def filter_changed(self) -> None:
        if self.loaded:
            self.fill()

    @on(Input.Submitted, "#map-filter")
    def filter_done(self) -> None:
        self.query_one("#map-table").focus()

    def say(self, text: str) -> None:
        self.query_one("#map-message", Static).update(text)

    def current(self) -> MapItem | None:
        key = highlighted_key(self.query_one("#map-table", DataTable))
        return next((i for i in self.items if i.id == key), None)

    # -- keys -----------------------------------------------------------------------------

    def organisations(self) -> list[str]:
        names = [i.entry.name for i in self.items if i.entry.kind == "organisatie"]
        names += [i.entry.organisation for i in self.items if i.entry.organisation]
        return list(dict.fromkeys(names))

    def action_reload(self) -> None:
        self.reload()

    def action_filter(self) -> None:
        self.query_one("#map-filter", Input).focus()

    def action_leave(self) -> None:
        if self.focused is self.query_one("#map-filter"):
            self.query_one("#map-table").focus()
            return
        self.app.pop_screen()

    def action_add(self) -> None:
        self.say("")
        self.app.push_screen(MapEntryDialog(self.session, organisations=self.organisations()))

    def action_edit(self) -> None:
        item = self.current()
        if item is None:
            self.say(TEXT["pick_row"])
            return
        self.say("")
        self.app.push_screen(MapEntryDialog(self.session, item, organisations=self.organisations()))

    def action_remove(self) -> None:
        item = self.current()
        if item is None:
            self.say(TEXT["pick_row"])
            return
        name, session = item.entry.name, self.session

        def removed(_result: object) -> None:
            if self.still_here():
                self.app.notify(TEXT["removed"].format(name=name))
                self.reload()

        def answered(yes: bool | None) -> None:
            if yes:
                run_in_thread(self, "social-map-write", lambda: session.social_map.remove(item), done=removed,
                              failed=lambda f: self.say(f.text))

        self.app.push_screen(Confirm(TEXT["remove_confirm"].format(name=name)), answered)
