"""The dossier of one student: a header that always shows, seven tabs below.

Opened with Enter on a student the worker is involved with. The file is
read and folded in a thread worker (logged as 'open'); after a save the
screen re-reads it without a second 'open' and shows every tab again.
Tabs 1 Overzicht, 2 Gesprekken, 3 Afspraken and 7 Logboek live here;
4 Leefdomeinen, 5 Toestemming and 6 Betrokkenen in screens/dossier_panes.py.

Built for a file with hundreds of talks (benchmarks/bench_dossier.py):
the lists are ``LineTable``s, line-based scroll views that draw only the
rows in view from plain tuples (no widget per talk, no per-cell measuring
as a DataTable does), and a tab's pane is mounted when it is first shown
(Textual's TabbedContent alone cost more than the whole first frame).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, VerticalScroll
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer

from jongerenteam import dossier as d
from jongerenteam.catalogue import (
    CLOSE_REASONS,
    COACH_ROLES,
    CONTACT_PREFERENCES,
    LEEFDOMEINEN,
    LEVEL_LABELS,
    SCORES,
    STATUSES,
)
from jongerenteam.dates import local_now, local_time, local_today, parse_date
from jongerenteam.domain import ValidationError, age_on, days_until_18
from jongerenteam.errors import NotInvolved
from jongerenteam.messages import explain
from jongerenteam.search import fold
from jongerenteam.text import visible
from screens.dossier_base import DossierChanged, DossierPane
from screens.dossier_panes import PANE_COMMANDS, ConsentPane, InvolvedPane, ScoresPane
from screens.messages import StoreChanged
from screens.text import Input, Label, Static, TextArea

TEXT_NOT_INVOLVED = "Je bent niet meer betrokken bij deze student; het dossier is gesloten."
from screens.widgets import (
    FAST_TAB_BINDINGS,
    FastTab,
    SuggestWords,
    leave_asking_if_typed,
)

# Every text a worker reads on this screen and its dialogs, in one place.
TEXT = {
    "loading": "Dossier wordt geladen…",
    "load_failed": "Het dossier kon niet worden geladen: {reason} F5: opnieuw proberen.",
    "updated_by": "Bijgewerkt door {name} om {at}: het dossier is opnieuw ingelezen.",
    "age": "{age} jaar",
    "turns_18": "wordt 18 over {days} {unit}",
    "no_birth": "geboortedatum onbekend",
    "year": "leerjaar {year}",
    "contact": "Contactpersoon: {name}",
    "coach": "Studiecoach: {name}",
    "no_coach": "Studiecoach: nog niet bekend",
    "preference": "Contactvoorkeur: {how}",
    "no_preference": "Contactvoorkeur: niet vastgelegd",
    "status": "Status: {status}",
    # Overzicht
    "ov_question": "Hulpvraag",
    "ov_no_question": "Nog geen hulpvraag vastgelegd.",
    "ov_domains": "Leefdomeinen (laatste score)",
    "ov_no_domains": "Nog geen leefdomeinen gekozen.",
    "ov_no_score": "nog geen score",
    "ov_agreements": "Open werkafspraken ({n})",
    "ov_no_agreements": "Geen open werkafspraken.",
    "ov_more": "… en nog {n}; zie tab 3 Afspraken.",
    "ov_next": "Volgende afspraak",
    "ov_no_next": "Geen afspraak gepland.",
    "ov_talks": "Laatste gesprekken",
    "ov_no_talks": "Nog geen gesprekken.",
    # Gesprekken
    "talk_columns": ("Datum en tijd", "Soort", "Door", "Duur", "Verslag"),
    "no_talks": "Nog geen gesprekken. Druk op a om er een toe te voegen.",
    "not_editable": "Alleen het verslag van een gesprek kan worden bewerkt, niet een {label}.",
    "minutes": "{n} min",
    # Afspraken
    "agreement_columns": ("Status", "Wie", "Wat", "Uiterlijk", "Opvolgen"),
    "no_agreements": "Nog geen werkafspraken. Druk op a om er een toe te voegen.",
    "overdue": "te laat",
    "due_today": "vandaag",
    "already": "Deze werkafspraak staat al op {status}.",
    "set_status": "Werkafspraak op {status} gezet.",
    "follow_set": "Opvolgdatum gezet op {day}.",
    "follow_cleared": "Opvolgdatum verwijderd.",
    "nothing_chosen": "Kies eerst een regel in de lijst.",
    # Logboek
    "log_columns": ("Wanneer", "Wie", "Wat", "Namens", "Plek"),
    "log_loading": "Logboek wordt geladen…",
    "log_empty": "Nog niets in het logboek.",
    "log_hint": "Wie dit dossier opende of wijzigde, uit het auditlog. Nieuwste bovenaan.",
    # dialogs
    "draft_back": "Je niet-opgeslagen invoer is teruggezet.",
    "saving": "Bezig met opslaan…",
    "dialog_keys": "Tab: volgend veld · ctrl+s: opslaan · Esc: terug",
    "talk_title": "Gesprek toevoegen: {name}",
    "talk_saved": "Gesprek opgeslagen.",
    "note_title": "Verslag bewerken: {label} van {at}",
    "note_hint": "De vorige versie blijft bewaard in de geschiedenis. ctrl+s: opslaan · Esc: terug",
    "note_saved": "Verslag opgeslagen; de vorige versie staat in de geschiedenis.",
    "note_same": "Er is niets veranderd; niets opgeslagen.",
    "note_loading": "Het gesprek wordt opgehaald…",
    "note_gone": "Dit gesprek bestaat niet meer in het dossier.",
    "conflict_merged": "Gewijzigd door {by} om {at}: de tekst van je collega staat nu in het veld, die van jou eronder. Maak er één tekst van en druk op ctrl+s.",
    "merge_mark": "--- jouw tekst, nog niet opgeslagen ---",
    "agreement_title": "Werkafspraak toevoegen: {name}",
    "agreement_saved": "Werkafspraak opgeslagen.",
    "status_title": "Status van het dossier: {name}",
    "status_hint": "Kies met 1-5 of de pijltjes. Bij 'afgesloten' ook de reden. ctrl+s of Enter: opslaan · Esc: terug",
    "status_saved": "Status gewijzigd: {status}.",
    "follow_title": "Opvolgdatum van de werkafspraak",
    "follow_hint": "Bijvoorbeeld 30-11 of 30 nov. Leeg laten haalt de datum weg. Enter: opslaan · Esc: terug",
    "time_bad": "Vul de tijd in als uu:mm, bijvoorbeeld 14:30.",
    "minutes_bad": "Duur is een aantal minuten, bijvoorbeeld 45.",
    "worker_bad": "Deze medewerker ken ik niet. Typ een naam of de initialen.",
    "choose_hint": "toets 1-{n} of pijltjes kiest",
    "close": "Sluiten",
    # details
    "by": "Vastgelegd door {name}",
    "participants": "Deelnemers: {names}",
    "duration": "Duur: {n} minuten",
    "note": "Verslag",
    "story": "Verhaal van de student",
    "concerns": "Zorgen van school",
    "question": "Hulpvraag",
    "agreements_made": "Werkafspraken in dit gesprek",
    "next_made": "Volgende afspraak",
    "history": "Eerdere versies ({n})",
    "no_history": "Nog niet gewijzigd.",
    "change": "{at} wijzigde {by} dit. Daarvoor stond er:",
    "created": "Vastgelegd op {at} door {by}",
    "from_talk": "Afgesproken in: {label} van {at}",
    # screen-wide
    "missing_screen": "{what} is nog niet beschikbaar in deze versie.",
    "driegesprek": "Het driegesprek",
    "overview": "Het afsprakenoverzicht",
}

TAB_TITLES = {1: "Overzicht", 2: "Gesprekken", 3: "Afspraken", 7: "Logboek"}

FIELD_LABELS = {
    "tekst": "Verslag", "verhaal": "Verhaal van de student", "zorgen": "Zorgen van school",
    "hulpvraag": "Hulpvraag", "minuten": "Duur (minuten)", "deelnemers": "Deelnemers", "type": "Soort",
    "status": "Status", "opvolgen": "Opvolgen", "uiterlijk": "Uiterlijk", "wat": "Wat",
}


# -- small helpers ----------------------------------------------------------------


def _day(value: date | None) -> str:
    return f"{value:%d-%m-%Y}" if value else ""


def _moment(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:  # history stamps are stored in UTC
        value = local_time(value).replace(tzinfo=None)
    return f"{value:%d-%m-%Y %H:%M}"


def _first_line(text: str, width: int = 70) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


def _worker_name(session, worker_id: str | None) -> str:
    w = session.workers.get(worker_id or "")
    return w.full_name if w else "onbekend"


def _initials(session, worker_id: str | None) -> str:
    w = session.workers.get(worker_id or "")
    return w.initials if w else "?"


def who_text(session, who: d.Who) -> str:
    if who.kind == "medewerker":
        return _worker_name(session, who.worker_id)
    if who.kind == "coach":
        return f"studiecoach {who.name}".strip()
    if who.kind == "anders":
        return who.name
    return d.WHO_KINDS.get(who.kind, who.kind)


def _value_text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None or value == "":
        return "(leeg)"
    return str(value)


def _past_date(text: str, today: date, field: str) -> date:
    """A date that has happened: 3-4-2026, 3 apr 2026, or 3-4 for the last such day."""
    try:
        return parse_date(text, today=today, field=field)
    except ValidationError as first:
        try:
            when = parse_date(text, today=today, field=field, upcoming=True)
        except ValidationError:
            raise first from None
        return when if when <= today else when.replace(year=when.year - 1)


_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")


def _time(text: str) -> tuple[int, int]:
    m = _TIME.match(text.strip())
    if not m or int(m[1]) > 23 or int(m[2] or 0) > 59:
        raise ValidationError("time", TEXT["time_bad"])
    return int(m[1]), int(m[2] or 0)


def _find_worker(session, text: str) -> str | None:
    wanted = fold(text.strip())
    if not wanted:
        return None
    workers = session.active_workers()
    for w in workers:
        if wanted in (fold(w.full_name), fold(w.initials)):
            return w.id
    hits = [w for w in workers if fold(w.full_name).startswith(wanted)]
    return hits[0].id if len(hits) == 1 else None


def _now_local() -> datetime:
    return local_now()


def run_store(node, call: Callable[[], object], done: Callable[[object], None], failed: Callable[[BaseException], None]) -> None:
    """Run a store call in a thread; ``done(result)`` or ``failed(exc)`` back on the UI thread."""
    app = node.app

    def work_() -> None:
        try:
            result = call()
        except Exception as exc:  # noqa: BLE001 - the handler turns it into one Dutch sentence
            app.call_from_thread(failed, exc)
            return
        app.call_from_thread(done, result)

    node.run_worker(work_, thread=True, exit_on_error=False, group="dossier-dialog")


def dutch(exc: BaseException) -> str:
    return exc.message if isinstance(exc, ValidationError) else explain(exc)[0]


def dossier_changed(app, student_id: str, select: str | None = None) -> None:
    """Tell an open dossier of this student to re-read itself (after a dialog saved);
    ``select``: the new entry, which its list then highlights (so e edits the new talk)."""
    for screen in app.screen_stack:
        if isinstance(screen, DossierScreen) and screen.record.id == student_id:
            screen.select_after = select
            screen.post_message(DossierChanged())


# -- a choice from a short list, by number key -------------------------------------


class ChoicePicker(Widget, can_focus=True):
    """One choice from up to nine: keys 1-9 pick, arrows move, Enter goes on."""

    BINDINGS = [
        *(Binding(str(i + 1), f"pick({i})", show=False) for i in range(9)),
        Binding("left,up", "move(-1)", show=False),
        Binding("right,down", "move(1)", show=False),
        Binding("enter", "done", show=False),
    ]
    DEFAULT_CSS = """
    ChoicePicker { height: auto; width: 1fr; padding: 0 1; background: $boost; }
    ChoicePicker:focus { background: $accent 25%; }
    """

    value: reactive[str] = reactive("", init=False)

    class Changed(Message):
        def __init__(self, picker: ChoicePicker, value: str) -> None:
            super().__init__()
            self.picker = picker
            self.value = value

        @property
        def control(self) -> ChoicePicker:
            return self.picker

    class Done(Message):
        """Enter on the picker: the dialog decides what comes next."""

        def __init__(self, picker: ChoicePicker) -> None:
            super().__init__()
            self.picker = picker

        @property
        def control(self) -> ChoicePicker:
            return self.picker

    def __init__(self, options: dict[str, str], value: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.options = dict(list(options.items())[:9])
        self.set_reactive(ChoicePicker.value, value)

    def _lines(self, width: int) -> list[str]:
        cells = [
            f"{i + 1} {'●' if code == self.value else '○'} {label}"
            for i, (code, label) in enumerate(self.options.items())
        ]
        cell = max(len(c) for c in cells) + 3
        per = max(1, width // cell)
        lines = ["".join(f"{c:<{cell}}" for c in cells[i:i + per]).rstrip() for i in range(0, len(cells), per)]
        if self.has_focus:
            lines.append(TEXT["choose_hint"].format(n=len(cells)))
        return lines

    def render(self) -> Text:
        # Text, not str: a str from render() is parsed as markup, and a label may be data.
        return Text(visible("\n".join(self._lines(self.content_size.width or 80)), newlines=True))

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._lines(width or 80))

    def watch_value(self, value: str) -> None:
        self.refresh(layout=True)
        self.post_message(self.Changed(self, value))

    def action_pick(self, index: int) -> None:
        codes = list(self.options)
        if index < len(codes):
            self.value = codes[index]

    def action_move(self, step: int) -> None:
        codes = list(self.options)
        i = codes.index(self.value) if self.value in codes else (-1 if step > 0 else 0)
        self.value = codes[(i + step) % len(codes)]

    def action_done(self) -> None:
        self.post_message(self.Done(self))

    def _on_focus(self, event) -> None:
        self.refresh(layout=True)

    def _on_blur(self, event) -> None:
        self.refresh(layout=True)


# -- a list that draws only what is in view --------------------------------------


Cell = tuple[str, Style | None]


def cell(value: str | Text) -> Cell:
    """A table cell: its text (control characters made visible) and one style for the whole cell."""
    if isinstance(value, Text):
        style = value.style
        return visible(value.plain), (Style.parse(style) if isinstance(style, str) and style else (style or None))
    return visible(value), None


class LineTable(ScrollView, can_focus=True):
    """Rows of plain cells under a fixed header, drawn line by line.

    Filling it costs one tuple per row; a frame draws only the visible rows.
    A column with width None takes the rest of the line. Enter posts
    ``Selected`` with the row index.
    """

    BINDINGS = [
        Binding("enter", "select", "Details"),
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
    ]
    COMPONENT_CLASSES = {"linetable--header", "linetable--cursor", "linetable--odd"}
    DEFAULT_CSS = """
    LineTable { height: 1fr; overflow-x: hidden; background: $surface; }
    LineTable > .linetable--header { text-style: bold; background: $panel; color: $text; }
    LineTable > .linetable--cursor { background: $panel-lighten-2; }
    LineTable:focus > .linetable--cursor { background: $accent; color: $text; }
    LineTable > .linetable--odd { background: $surface-lighten-1; }
    """

    cursor: reactive[int] = reactive(0, init=False)

    class Selected(Message):
        def __init__(self, table: LineTable, index: int) -> None:
            super().__init__()
            self.table = table
            self.index = index

        @property
        def control(self) -> LineTable:
            return self.table

    def __init__(self, columns: list[tuple[str, int | None]], *, selectable: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.columns = columns
        self.selectable = selectable
        self.rows: list[tuple[Cell, ...]] = []

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "select" and not self.selectable:
            return False
        return True

    # -- data -------------------------------------------------------------------

    def set_rows(self, rows: list[tuple[str | Text, ...]], cursor: int | None = None) -> None:
        self.rows = [tuple(cell(v) for v in row) for row in rows]
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        target = min(cursor if cursor is not None else self.cursor, max(len(self.rows) - 1, 0))
        self.set_reactive(LineTable.cursor, target)
        self._scroll_to_cursor()
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self.rows)

    # -- drawing ------------------------------------------------------------------

    def _widths(self, total: int) -> list[int]:
        fixed = sum(w for _, w in self.columns if w is not None) + 2 * len(self.columns)
        rest = max(10, total - fixed)
        return [w if w is not None else rest for _, w in self.columns]

    def _line(self, cells, widths: list[int], row_style: Style, width: int) -> Strip:
        segments = []
        for (text, style), w in zip(cells, widths):
            if cell_len(text) > w:
                text = set_cell_size(text, w - 1) + "…"
            segments.append(Segment(" " + set_cell_size(text, w) + " ", row_style + style if style else row_style))
        return Strip(segments).adjust_cell_length(width, row_style).crop(0, width)

    def render_lines(self, crop):
        # The styles once per frame, not once per line (each lookup walks the CSS).
        base = self.rich_style
        self._frame = (
            base,
            base + self.get_component_rich_style("linetable--header"),
            base + self.get_component_rich_style("linetable--cursor"),
            base + self.get_component_rich_style("linetable--odd"),
            self._widths(self.size.width),
        )
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base, header, cursor, odd, widths = self._frame
        if y == 0:
            return self._line([(label, None) for label, _ in self.columns], widths, header, width)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, base)
        style = cursor if index == self.cursor else (odd if index % 2 else base)
        return self._line(self.rows[index], widths, style, width)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows) + 1)
        self._scroll_to_cursor()

    # -- the cursor -----------------------------------------------------------------

    def _page(self) -> int:
        return max(1, self.size.height - 2)

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.size.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def watch_cursor(self, old: int, new: int) -> None:
        top = int(self.scroll_offset.y)
        self._scroll_to_cursor()
        if int(self.scroll_offset.y) == top:
            # No scroll: repaint only the two rows whose look changed.
            width = self.size.width
            self.refresh(*(Region(0, i - top + 1, width, 1) for i in (old, new)))
        else:
            self.refresh()

    def _set_cursor(self, index: int) -> None:
        if self.rows:
            self.cursor = max(0, min(index, len(self.rows) - 1))

    def action_move(self, step: int) -> None:
        self._set_cursor(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor + direction * self._page())

    def action_jump(self, index: int) -> None:
        self._set_cursor(index if index >= 0 else len(self.rows) - 1)

    def action_select(self) -> None:
        if self.rows:
            self.post_message(self.Selected(self, self.cursor))

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            index = int(self.scroll_offset.y) + event.y - 1
            if index < len(self.rows):
                if index == self.cursor and event.chain > 1:
                    self.action_select()
                self._set_cursor(index)


class SteadyFooter(Footer):
    """A Footer that rebuilds its keys once per change, not once per signal.

    Textual's Footer mounts every key anew on each bindings signal: four
    times while a screen opens (focus, stack, and an echo of each), 20 to
    60 ms each here, which held back the first frame with the file in it.
    This one rebuilds after the next refresh, once for a burst of signals,
    and not at all when the keys shown did not change.
    """

    _shown: tuple | None = None
    _scheduled = False
    held = False  # while True, signals are noted and the rebuild waits for release()

    def hold(self, at_most: float) -> None:
        """Build the keys only after ``release()`` (or ``at_most`` seconds):
        what the screen is for comes first, its keys a moment later."""
        self.held = True
        self.set_timer(at_most, self.release)

    def release(self) -> None:
        # Through the footer's own queue: whoever calls this, the keys are
        # built in the footer's context (Footer.compose binds data to it).
        self.call_later(self._release)

    def _release(self) -> None:
        if self.held:
            self.held = False
            self.bindings_changed(self.screen)

    def _keys(self) -> tuple:
        return tuple(
            (binding.key, binding.description, binding.action, enabled)
            for _node, binding, enabled, _tooltip in self.screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen) -> None:
        self._bindings_ready = True
        if self.held or not screen.app.app_focus or not self.is_attached or screen is not self.screen or self._scheduled:
            return
        self._scheduled = True
        self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._scheduled = False
        if self.held or not self.is_attached:
            return  # release() asks again
        keys = self._keys()
        if keys != self._shown:
            self._shown = keys
            await self.recompose()


# -- the header ---------------------------------------------------------------------


def header_text(session, record, today: date) -> Text:
    det = record.details
    first: list[Text | str] = [Text(det.display_name, style="bold")]
    if det.birth_date:
        age = TEXT["age"].format(age=age_on(det.birth_date, today))
        left = days_until_18(det.birth_date, today)
        if left is not None:
            age += " · " + TEXT["turns_18"].format(days=left, unit="dag" if left == 1 else "dagen")
        first.append(age)
    else:
        first.append(TEXT["no_birth"])
    study = [p for p in (det.programme, LEVEL_LABELS.get(det.level, det.level)) if p]
    if det.year:
        study.append(TEXT["year"].format(year=det.year))
    if study:
        first.append(", ".join(study))
    coach = (
        TEXT["coach"].format(name=f"{det.coach_name} ({COACH_ROLES.get(det.coach_role, det.coach_role)})" if det.coach_role else det.coach_name)
        if det.coach_name else TEXT["no_coach"]
    )
    if det.contact_preference:
        how = CONTACT_PREFERENCES.get(det.contact_preference, det.contact_preference)
        preference = TEXT["preference"].format(how=f"{how} {det.contact_value}".strip())
    else:
        preference = TEXT["no_preference"]
    status = STATUSES.get(record.status, record.status)
    if record.status == "afgesloten" and det.closed_reason:
        status = f"{status} ({CLOSE_REASONS.get(det.closed_reason, det.closed_reason)})"
    second = [TEXT["contact"].format(name=session.contact_name(record)), coach, preference]
    line1 = Text(" · ").join(Text(p) if isinstance(p, str) else p for p in first)
    line2 = Text(" · ").join([Text(TEXT["status"].format(status=status), style="bold")] + [Text(p) for p in second])
    return Text("\n").join([line1, line2])


class DossierHeader(Static):
    """Name, age, study, contact person, coach, contact preference, status."""

    DEFAULT_CSS = """
    DossierHeader { height: auto; padding: 0 1; background: $boost; border-bottom: solid $accent; }
    """

    def show(self, session, record) -> None:
        self.update(header_text(session, record, local_today()))


# -- panes -----------------------------------------------------------------------------


class LazyPane(DossierPane):
    """A pane that fills its lists only while its tab is shown."""

    pending = False

    @property
    def tab_number(self) -> int:
        return int((self.id or "pane-0").removeprefix("pane-"))

    def show(self, dossier, record) -> None:
        super().show(dossier, record)
        self.pending = True
        if self.is_active():
            self.fill()

    def activated(self) -> None:
        if self.pending and self.dossier is not None:
            self.fill()

    def is_active(self) -> bool:
        return getattr(self.screen, "active_tab", self.tab_number) == self.tab_number

    def fill(self) -> None:
        self.pending = False

    def focus_main(self) -> None:
        pass


class OverviewPane(LazyPane):
    """Tab 1: hulpvraag, leefdomeinen, open agreements, next appointment, the last talks."""

    TAB_TITLE = TAB_TITLES[1]
    BINDINGS = [Binding("a", "add_talk", "Nieuw gesprek")]
    DEFAULT_CSS = """
    OverviewPane VerticalScroll { height: 1fr; padding: 0 1; }
    OverviewPane Static { height: auto; margin-bottom: 1; }
    """
    SECTIONS = ("question", "domains", "agreements", "next", "talks")

    def compose(self) -> ComposeResult:
        # One Static per section, its title in it: every widget costs at mount.
        with VerticalScroll(id="ov-scroll"):
            for key in self.SECTIONS:
                yield Static(self.section(TEXT[f"ov_{key}"], ""), id=f"ov-{key}")

    @staticmethod
    def section(title: str, body: str | Text) -> Text:
        text = Text(title, style="bold")
        text.append("\n")
        text.append_text(body if isinstance(body, Text) else Text(body))
        return text

    def focus_main(self) -> None:
        self.query_one("#ov-scroll").focus()

    def action_add_talk(self) -> None:
        self.screen.add_talk()

    def fill(self) -> None:
        super().fill()
        dos, rec, session = self.dossier, self.record, self.session
        today = local_today()

        def put(key: str, body: str | Text, title: str | None = None) -> None:
            self.query_one(f"#ov-{key}", Static).update(self.section(title or TEXT[f"ov_{key}"], body))

        put("question", dos.question or TEXT["ov_no_question"])

        latest = dos.latest_scores()
        codes = set(rec.details.leefdomeinen) | set(latest)
        lines = []
        for dom in LEEFDOMEINEN:
            if dom.code not in codes:
                continue
            s = latest.get(dom.code)
            lines.append(f"{dom.label}: {s.score} {SCORES.get(s.score, '')} ({s.on:%d-%m-%Y})" if s else f"{dom.label}: {TEXT['ov_no_score']}")
        put("domains", "\n".join(lines) or TEXT["ov_no_domains"])

        open_ = dos.open_agreements()
        text = Text()
        for a in open_[:5]:
            when = a.due_date()
            style = "bold red" if when and when < today else ("bold yellow" if when == today else "")
            text.append(f"{when:%d-%m-%Y}" if when else "geen datum", style=style)
            text.append(f" · {who_text(session, a.who)} · {a.what}\n")
        if len(open_) > 5:
            text.append(TEXT["ov_more"].format(n=len(open_) - 5))
        text.rstrip()  # in place
        put("agreements", text if open_ else TEXT["ov_no_agreements"], TEXT["ov_agreements"].format(n=len(open_)))

        nxt = dos.next_appointment(today)
        put("next", f"{nxt.on:%d-%m-%Y} · {nxt.text}" if nxt else TEXT["ov_no_next"])

        put("talks", "\n".join(
            f"{t.at:%d-%m-%Y %H:%M} · {t.label} · {_initials(session, t.by)} · {_first_line(t.note)}" for t in dos.talks(3)
        ) or TEXT["ov_no_talks"])


class ListPane(LazyPane):
    """A pane around one LineTable whose rows stand for entries with ids."""

    COLUMNS: list[tuple[str, int | None]] = []
    EMPTY = ""
    DEFAULT_CSS = """
    ListPane .list-empty { padding: 1; color: $text-muted; height: auto; }
    """

    ids: list[str] = []

    SELECTABLE = True

    def compose(self) -> ComposeResult:
        yield Static(self.EMPTY, classes="list-empty")
        yield LineTable(self.COLUMNS, id=self.table_id, selectable=self.SELECTABLE)

    def on_mount(self) -> None:
        self.query_one(".list-empty").display = False

    @property
    def table_id(self) -> str:
        return type(self).__name__.removesuffix("Pane").lower()

    @property
    def table(self) -> LineTable:
        return self.query_one(LineTable)

    def focus_main(self) -> None:
        self.table.focus()

    def set_rows(self, ids: list[str], rows: list[tuple]) -> None:
        wanted = getattr(self.screen, "select_after", None)
        keep = wanted if wanted in ids else self.current_id()
        self.ids = ids
        self.table.set_rows(rows, ids.index(keep) if keep in ids else None)
        self.query_one(".list-empty").display = not ids

    def current_id(self) -> str | None:
        if not self.ids:
            return None
        return self.ids[min(self.table.cursor, len(self.ids) - 1)]


class TalksPane(ListPane):
    """Tab 2: the timeline of talks and other entries, newest first."""

    TAB_TITLE = TAB_TITLES[2]
    BINDINGS = [
        Binding("a", "add", "Toevoegen"),
        Binding("e", "edit", "Verslag bewerken"),
        # Not in the Footer (no room); named in the correction dialog and the guide.
        Binding("c", "correction", "Correctieverzoek over dit gesprek", show=False),
    ]
    COLUMNS = list(zip(TEXT["talk_columns"], (16, 22, 4, 7, None)))
    EMPTY = TEXT["no_talks"]

    @property
    def table_id(self) -> str:
        return "talks"

    def fill(self) -> None:
        super().fill()
        names = {wid: w.initials for wid, w in self.session.workers.items()}
        minutes = TEXT["minutes"]
        timeline = self.dossier.timeline
        self.set_rows([t.id for t in timeline], [
            (
                f"{t.at:%d-%m-%Y %H:%M}",
                t.label,
                names.get(t.by, "?"),
                minutes.format(n=t.minutes) if t.minutes else "",
                _first_line(t.note or t.payload.get("hulpvraag", ""), 120),
            )
            for t in timeline
        ])

    def current(self) -> d.TimelineItem | None:
        entry_id = self.current_id()
        return self.dossier.item(entry_id) if entry_id and self.dossier else None

    def action_add(self) -> None:
        self.screen.add_talk()

    def action_edit(self) -> None:
        item = self.current()
        if item is None:
            self.notify(TEXT["nothing_chosen"])
            return
        self.edit(item)

    def action_correction(self) -> None:
        """A correction request (AVG) about the highlighted talk, however old."""
        from screens.rights import CorrectionDialog

        item = self.current()
        if item is None or not item.editable:
            self.notify(TEXT["nothing_chosen"] if item is None else TEXT["not_editable"].format(label=item.label))
            return
        self.app.push_screen(CorrectionDialog(self.session, self.record.id, talk_id=item.id))

    def edit(self, item: d.TimelineItem) -> None:
        if not item.editable:
            self.notify(TEXT["not_editable"].format(label=item.label))
            return
        self.app.push_screen(NoteModal(self.session, self.record, item))

    @on(LineTable.Selected)
    def details(self, event: LineTable.Selected) -> None:
        event.stop()
        item = self.current()
        if item is None:
            return

        def closed(choice: str | None) -> None:
            if choice == "edit":
                self.edit(item)

        self.app.push_screen(TalkDetailModal(self.session, self.dossier, item), closed)


def agreement_order(agreements: list[d.Agreement]) -> list[d.Agreement]:
    """Open ones first, soonest date first; then the rest, newest first."""
    open_ = sorted((a for a in agreements if a.status == "open"), key=lambda a: (a.due_date() or date.max, a.created_at))
    rest = sorted((a for a in agreements if a.status != "open"), key=lambda a: a.created_at, reverse=True)
    return open_ + rest


class AgreementsPane(ListPane):
    """Tab 3: werkafspraken; who, what, by when, status, follow-up."""

    TAB_TITLE = TAB_TITLES[3]
    BINDINGS = [
        Binding("a", "add", "Toevoegen"),
        Binding("g", "status('gedaan')", "Gedaan"),
        Binding("v", "status('vervallen')", "Vervallen"),
        Binding("h", "status('open')", "Heropenen"),
        Binding("o", "follow_up", "Opvolgdatum"),
    ]
    COLUMNS = list(zip(TEXT["agreement_columns"], (10, 20, None, 10, 10)))
    EMPTY = TEXT["no_agreements"]

    @property
    def table_id(self) -> str:
        return "agreements"

    def fill(self) -> None:
        super().fill()
        today = local_today()
        ordered = agreement_order(self.dossier.agreements)
        rows = []
        for a in ordered:
            when = a.due_date()
            if a.status != "open":
                rows.append(tuple(Text(v, style="dim") for v in (
                    d.AGREEMENT_STATUSES.get(a.status, a.status), who_text(self.session, a.who), a.what,
                    _day(a.due), _day(a.follow_up))))
                continue
            if when and when < today:
                status, style = TEXT["overdue"], "bold red"
            elif when == today:
                status, style = TEXT["due_today"], "bold yellow"
            else:
                status, style = d.AGREEMENT_STATUSES["open"], ""
            rows.append((
                Text(status, style=style), who_text(self.session, a.who), a.what,
                Text(_day(a.due), style=style if a.due and a.due <= today else ""),
                Text(_day(a.follow_up), style=style if a.follow_up and a.follow_up <= today else ""),
            ))
        self.set_rows([a.id for a in ordered], rows)

    def current(self) -> d.Agreement | None:
        entry_id = self.current_id()
        return self.dossier.agreement(entry_id) if entry_id and self.dossier else None

    def action_add(self) -> None:
        self.app.push_screen(AgreementModal(self.session, self.record))

    def action_status(self, status: str) -> None:
        a = self.current()
        if a is None:
            self.notify(TEXT["nothing_chosen"])
            return
        label = d.AGREEMENT_STATUSES[status]
        if a.status == status:
            self.notify(TEXT["already"].format(status=label))
            return
        sid = self.record.id

        def done(_changed) -> None:
            self.notify(TEXT["set_status"].format(status=label))
            self.changed()

        self.run_store(lambda: self.session.dossier.change_agreement(sid, a, status=status), done=done)

    def action_follow_up(self) -> None:
        a = self.current()
        if a is None:
            self.notify(TEXT["nothing_chosen"])
            return
        sid = self.record.id

        def chosen(result) -> None:
            if result is None:
                return
            _ok, day = result

            def done(_changed) -> None:
                self.notify(TEXT["follow_set"].format(day=_day(day)) if day else TEXT["follow_cleared"])
                self.changed()

            self.run_store(lambda: self.session.dossier.change_agreement(sid, a, follow_up=day), done=done)

        self.app.push_screen(DateModal(TEXT["follow_title"], _day(a.follow_up)), chosen)

    @on(LineTable.Selected)
    def details(self, event: LineTable.Selected) -> None:
        event.stop()
        a = self.current()
        if a is not None:
            self.app.push_screen(InfoModal(a.what, agreement_detail(self.session, self.dossier, a)))


class LogPane(ListPane):
    """Tab 7: who opened or changed this file, from the audit log."""

    TAB_TITLE = TAB_TITLES[7]
    COLUMNS = list(zip(TEXT["log_columns"], (16, 20, None, 16, 12)))
    SELECTABLE = False  # a log line has nothing more to show
    DEFAULT_CSS = """
    LogPane .hint { height: auto; }
    """

    @property
    def table_id(self) -> str:
        return "log"

    def compose(self) -> ComposeResult:
        yield Static(TEXT["log_hint"], classes="hint", id="log-hint")
        yield from super().compose()

    def fill(self) -> None:
        super().fill()
        self.query_one("#log-hint", Static).update(TEXT["log_loading"])
        sid = self.record.id
        self.run_store(lambda: self.session.dossier.file_log(sid), done=self.show_log,
                       failed=lambda text: self.query_one("#log-hint", Static).update(text))

    def show_log(self, lines) -> None:
        self.set_rows([str(i) for i in range(len(lines))], [
            (f"{line.at:%d-%m-%Y %H:%M}", line.who, line.what.replace("dossier: ", ""), line.on_behalf_of, line.access_point)
            for line in lines
        ])
        self.query_one("#log-hint", Static).update(TEXT["log_hint"] if lines else TEXT["log_empty"])


# -- details ---------------------------------------------------------------------------


def _history_text(session, history: list[d.Change]) -> Text:
    text = Text()
    text.append(TEXT["history"].format(n=len(history)) + "\n", style="bold")
    if not history:
        text.append(TEXT["no_history"])
        return text
    for change in reversed(history):  # the latest change first
        text.append(TEXT["change"].format(at=_moment(change.at), by=_worker_name(session, change.by)) + "\n", style="italic")
        for key, value in change.old.items():
            text.append(f"  {FIELD_LABELS.get(key, key)}: ", style="bold")
            text.append(_value_text(value) + "\n")
    text.rstrip()  # in place
    return text


def talk_detail(session, dossier: d.Dossier, item: d.TimelineItem) -> Text:
    p = item.payload
    text = Text()
    head = [f"{item.at:%d-%m-%Y %H:%M}", item.label]
    text.append(" · ".join(head) + "\n", style="bold")
    text.append(TEXT["by"].format(name=_worker_name(session, item.by)) + "\n")
    if item.minutes:
        text.append(TEXT["duration"].format(n=item.minutes) + "\n")
    if item.participants:
        text.append(TEXT["participants"].format(names=", ".join(item.participants)) + "\n")
    text.append("\n")
    if item.is_driegesprek:
        for key, label in (("verhaal", "story"), ("zorgen", "concerns"), ("hulpvraag", "question")):
            text.append(TEXT[label] + "\n", style="bold")
            text.append((p.get(key) or "(leeg)") + "\n\n")
        made = [dossier.agreement(a) for a in p.get("werkafspraken", [])]
        made = [a for a in made if a is not None]
        if made:
            text.append(TEXT["agreements_made"] + "\n", style="bold")
            for a in made:
                when = f" · uiterlijk {_day(a.due)}" if a.due else ""
                text.append(f"- {who_text(session, a.who)}: {a.what}{when} ({d.AGREEMENT_STATUSES.get(a.status, a.status)})\n")
            text.append("\n")
        nxt = p.get("volgende")
        if nxt and nxt.get("datum"):
            text.append(TEXT["next_made"] + "\n", style="bold")
            text.append(f"{_day(date.fromisoformat(nxt['datum']))} {nxt.get('tekst', '')}\n\n")
    else:
        text.append(TEXT["note"] + "\n", style="bold")
        text.append((item.note or p.get("hulpvraag") or "(leeg)") + "\n\n")
    text.append_text(_history_text(session, item.history))
    return text


def agreement_detail(session, dossier: d.Dossier, a: d.Agreement) -> Text:
    text = Text()
    rows = [
        ("Wie", who_text(session, a.who)),
        ("Wat", a.what),
        ("Uiterlijk", _day(a.due) or "-"),
        ("Opvolgen", _day(a.follow_up) or "-"),
        ("Status", d.AGREEMENT_STATUSES.get(a.status, a.status)),
    ]
    for label, value in rows:
        text.append(f"{label}: ", style="bold")
        text.append(value + "\n")
    text.append(TEXT["created"].format(at=f"{a.created_at:%d-%m-%Y %H:%M}", by=_worker_name(session, a.by)) + "\n")
    talk = dossier.item(a.talk_id) if a.talk_id else None
    if talk is not None:
        text.append(TEXT["from_talk"].format(label=talk.label, at=f"{talk.at:%d-%m-%Y}") + "\n")
    text.append("\n")
    text.append_text(_history_text(session, a.history))
    return text


class InfoModal(ModalScreen[str | None]):
    """Read-only details in a scrolling box; Esc closes."""

    BINDINGS = [Binding("escape", "close", TEXT["close"])]
    DEFAULT_CSS = """
    InfoModal { align: center middle; }
    InfoModal > #info-box { width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1; }
    InfoModal #info-body { height: auto; }
    """

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="info-box"):
            yield Static(Text(self.title_text), classes="title", id="info-title")
            yield Static(self.body, id="info-body")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#info-box").focus()

    def action_close(self) -> None:
        self.dismiss(None)


class TalkDetailModal(InfoModal):
    """One talk in full, with every earlier version of its note."""

    BINDINGS = [Binding("e", "edit", "Verslag bewerken")]

    def __init__(self, session, dossier: d.Dossier, item: d.TimelineItem) -> None:
        super().__init__(f"{item.label} van {item.at:%d-%m-%Y}", talk_detail(session, dossier, item))
        self.item = item

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "edit" and not self.item.editable:
            return False
        return True

    def action_edit(self) -> None:
        self.dismiss("edit")


# -- dialogs -------------------------------------------------------------------------------


class DossierDialog(FastTab, ModalScreen):
    """A form over the dossier: errors under the field, nothing typed is lost."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Opslaan", priority=True),
        Binding("escape", "cancel", "Terug"),
        *FAST_TAB_BINDINGS,
    ]
    DEFAULT_CSS = """
    DossierDialog { align: center middle; }
    DossierDialog > .dd-box { width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1; }
    DossierDialog .dd-row { height: auto; }
    DossierDialog .dd-label { width: 18; padding: 0 1 0 0; }
    DossierDialog Input { border: none; height: 1; padding: 0 1; width: 1fr; background: $boost; }
    DossierDialog Input:focus { border: none; background: $accent 25%; }
    DossierDialog TextArea { border: none; height: 5; width: 1fr; background: $boost; }
    DossierDialog TextArea:focus { border: none; background: $accent 25%; }
    DossierDialog .dd-error { color: $error; padding: 0 0 0 18; height: auto; }
    DossierDialog .dd-message { color: $error; height: auto; }
    DossierDialog .dd-hint { color: $text-muted; height: auto; }
    """

    # Rebuilt after a lock (same student, draft put back) as ``cls(session, record, restore=True)``;
    # dialogs with more arguments override resume_state and resume, small ones are not rebuilt.
    REOPEN_AFTER_LOCK = False

    def resume_state(self) -> dict | None:
        return {"student": self.record.id} if self.REOPEN_AFTER_LOCK else None

    @classmethod
    def resume(cls, session, state: dict):
        record = session.students.get(state.get("student", ""))
        if record is None or not session.is_involved(record.id):
            return None
        return cls(session, record, restore=True)

    busy = False

    def row(self, field_id: str, label: str, widget: Widget) -> ComposeResult:
        with Horizontal(classes="dd-row", id=f"row-{field_id}"):
            yield Label(label, classes="dd-label")
            yield widget
        yield Static("", id=f"err-{field_id}", classes="dd-error")

    def on_mount(self) -> None:
        for err in self.query(".dd-error"):
            err.display = False

    def error(self, field_id: str, text: str) -> None:
        try:
            widget = self.query_one(f"#err-{field_id}", Static)
        except Exception:  # noqa: BLE001 - no such field: say it in the message line
            self.message(text)
            return
        widget.update(text)
        widget.display = bool(text)
        if text:
            try:
                self.query_one(f"#f-{field_id}").focus()
            except Exception:  # noqa: BLE001 - nothing to focus
                pass

    def clear_errors(self) -> None:
        for err in self.query(".dd-error"):
            err.update("")
            err.display = False
        self.message("")

    def message(self, text: str) -> None:
        self.query_one("#dd-message", Static).update(text)

    # Subclasses change what Enter does through these two hooks: Textual
    # calls a handler of every class in the MRO, so overriding one would not
    # replace it.
    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.enter_pressed(event.input)

    @on(ChoicePicker.Done)
    def _choice_done(self, event: ChoicePicker.Done) -> None:
        event.stop()
        self.choice_done(event.picker)

    def enter_pressed(self, field: Input) -> None:
        self.focus_next()

    def choice_done(self, picker: ChoicePicker) -> None:
        self.focus_next()

    def draft(self) -> dict | None:
        return None

    def action_cancel(self) -> None:
        leave_asking_if_typed(self, bool(self.draft()), lambda: self.dismiss(None))

    def action_save(self) -> None:
        raise NotImplementedError

    def store(self, call: Callable[[], object], done: Callable[[object], None],
              fields: dict[str, str] | None = None) -> None:
        """Save in a thread; a ValidationError goes under its field, anything else in the message line.

        ``fields`` maps a domain field name to this form's field id.
        Nothing typed is touched either way.
        """
        if self.busy:
            return
        self.busy = True
        self.message(TEXT["saving"])
        fields = fields or {}

        def ok(result) -> None:
            self.busy = False
            self.message("")
            done(result)

        def failed(exc: BaseException) -> None:
            self.busy = False
            self.message("")
            if isinstance(exc, ValidationError):
                self.error(fields.get(exc.field, exc.field), exc.message)
            else:
                self.message(self.store_failed(exc) or dutch(exc))

        run_store(self, call, ok, failed)

    def store_failed(self, exc: BaseException) -> str | None:
        """A store error other than bad input: the message to show instead of the usual one, or None."""
        return None


class TalkModal(DossierDialog):
    """Add a talk: type, date and time, duration, participants, note."""

    DRAFT_LABEL = "een gesprek"

    REOPEN_AFTER_LOCK = True

    def __init__(self, session, record, *, restore: bool = False) -> None:
        super().__init__()
        self.session = session
        self.record = record
        self.restore = restore
        now = _now_local()
        self.defaults = {"type": "vervolggesprek", "date": f"{now:%d-%m-%Y}", "time": f"{now:%H:%M}",
                         "minutes": "", "participants": "", "note": ""}

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dd-box"):
            yield Static(Text(TEXT["talk_title"].format(name=self.record.details.display_name)), classes="title")
            yield Static(TEXT["dialog_keys"], classes="dd-hint")
            yield from self.row("type", "Soort", ChoicePicker(d.TALK_TYPES, self.defaults["type"], id="f-type"))
            yield from self.row("date", "Datum", Input(self.defaults["date"], id="f-date", placeholder="bijv. 3-4 of 3 apr 2026"))
            yield from self.row("time", "Tijd", Input(self.defaults["time"], id="f-time", placeholder="uu:mm"))
            yield from self.row("minutes", "Duur (minuten)", Input(id="f-minutes", placeholder="bijv. 45"))
            yield from self.row("participants", "Deelnemers", Input(id="f-participants", placeholder="met komma's, bijv. student, moeder, SLB'er"))
            yield from self.row("note", "Verslag", TextArea(id="f-note", soft_wrap=True, tab_behavior="focus"))
            yield Static("", id="dd-message", classes="dd-message")
        yield SteadyFooter()

    def on_mount(self) -> None:
        if self.restore:
            draft = self.app.take_draft(self)
            if draft:
                self.fill(draft)
                self.notify(TEXT["draft_back"])
        self.query_one("#f-type").focus()

    def values(self) -> dict[str, str]:
        return {
            "type": self.query_one("#f-type", ChoicePicker).value,
            "date": self.query_one("#f-date", Input).value,
            "time": self.query_one("#f-time", Input).value,
            "minutes": self.query_one("#f-minutes", Input).value,
            "participants": self.query_one("#f-participants", Input).value,
            "note": self.query_one("#f-note", TextArea).text,
        }

    def fill(self, values: dict[str, str]) -> None:
        self.query_one("#f-type", ChoicePicker).value = values.get("type") or self.defaults["type"]
        for key in ("date", "time", "minutes", "participants"):
            self.query_one(f"#f-{key}", Input).value = values.get(key, "")
        self.query_one("#f-note", TextArea).text = values.get("note", "")

    def draft(self) -> dict | None:
        values = self.values()
        typed = any(values[k].strip() != self.defaults[k] for k in ("minutes", "participants", "note"))
        return values if typed else None

    def collect(self) -> d.NewTalk:
        v = self.values()
        today = local_today()
        if not v["type"]:
            raise ValidationError("type", "Kies het soort gesprek.")
        day = _past_date(v["date"], today, "date")
        hour, minute = _time(v["time"])
        minutes = None
        if v["minutes"].strip():
            if not v["minutes"].strip().isdigit():
                raise ValidationError("minutes", TEXT["minutes_bad"])
            minutes = int(v["minutes"].strip())
        talk = d.NewTalk(
            type=v["type"], at=datetime(day.year, day.month, day.day, hour, minute), minutes=minutes,
            participants=[p.strip() for p in v["participants"].split(",") if p.strip()], note=v["note"],
        )
        talk.validate(today)
        return talk

    def action_save(self) -> None:
        self.clear_errors()
        fields = {"at": "date", "type": "type", "minutes": "minutes", "note": "note"}
        try:
            talk = self.collect()
        except ValidationError as exc:
            self.error(fields.get(exc.field, exc.field), exc.message)
            return
        sid = self.record.id

        def done(talk_id) -> None:
            self.notify(TEXT["talk_saved"])
            dossier_changed(self.app, sid, talk_id)
            self.dismiss(talk_id)

        self.store(lambda: self.session.dossier.add_talk(sid, talk), done, fields)


class NoteModal(DossierDialog):
    """Edit a talk's note (a driegesprek: its three parts); the old text stays as history."""

    DRAFT_LABEL = "een gespreksverslag"

    def __init__(self, session, record, item: d.TimelineItem | None, *, talk_id: str | None = None,
                 driegesprek: bool = False, restore: bool = False) -> None:
        """``item`` None (after a lock): the talk ``talk_id`` is read in a thread."""
        super().__init__()
        self.session = session
        self.record = record
        self.item = item
        self.talk_id = item.id if item is not None else talk_id
        self.restore = restore
        self.restored: dict | None = None
        self.driegesprek = item.is_driegesprek if item is not None else driegesprek

    def parts(self) -> list[tuple[str, str]]:
        if self.driegesprek:
            return [("verhaal", TEXT["story"]), ("zorgen", TEXT["concerns"]), ("hulpvraag", TEXT["question"])]
        return [("tekst", TEXT["note"])]

    def compose(self) -> ComposeResult:
        if self.restore:
            self.restored = self.app.take_draft(self)
        title = (TEXT["note_title"].format(label=self.item.label, at=f"{self.item.at:%d-%m-%Y}")
                 if self.item is not None else TEXT["note_loading"])
        with VerticalScroll(classes="dd-box"):
            yield Static(Text(title), classes="title", id="note-title")
            yield Static(TEXT["note_hint"], classes="dd-hint")
            for key, label in self.parts():
                yield from self.row(key, label, TextArea(id=f"f-{key}", soft_wrap=True, tab_behavior="focus"))
            yield Static("", id="dd-message", classes="dd-message")
        yield SteadyFooter()

    def on_mount(self) -> None:
        if self.item is not None:
            for key, _label in self.parts():
                self.query_one(f"#f-{key}", TextArea).text = self.item.payload.get(key, "") or ""
        if self.restored:
            for key, text in self.restored.get("parts", {}).items():
                self.query_one(f"#f-{key}", TextArea).text = text
            self.notify(TEXT["draft_back"])
        if self.item is None:
            self.fetch()
        area = self.query_one(f"#f-{self.parts()[0][0]}", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def fetch(self, *, merge: bool = False) -> None:
        """Read the talk again (after a lock, or after a colleague saved first: ``merge``
        puts their text in each field with this worker's under it)."""
        sid, talk_id = self.record.id, self.talk_id

        def done(dossier) -> None:
            item = dossier.item(talk_id)
            if item is None:
                self.message(TEXT["note_gone"])
                return
            first_time = self.item is None
            self.item = item
            if merge:
                for key, _label in self.parts():
                    area = self.query_one(f"#f-{key}", TextArea)
                    theirs, mine = item.payload.get(key, "") or "", area.text
                    area.text = theirs if mine.strip() == theirs.strip() else f"{theirs}\n\n{TEXT['merge_mark']}\n{mine}"
                return
            if first_time:
                self.query_one("#note-title", Static).update(
                    Text(TEXT["note_title"].format(label=item.label, at=f"{item.at:%d-%m-%Y}")))
                if not self.restored:  # nothing was typed before the lock: show the stored text
                    for key, _label in self.parts():
                        self.query_one(f"#f-{key}", TextArea).text = item.payload.get(key, "") or ""
                elif self.restored.get("version") and self.restored["version"] != item.version:
                    # Changed since the draft was made: saving must not silently overwrite it.
                    self.item = replace(item, version=self.restored["version"])

        run_store(self, lambda: self.session.dossier.open_dossier(sid, log=False), done, lambda exc: self.message(dutch(exc)))

    def texts(self) -> dict[str, str]:
        return {key: self.query_one(f"#f-{key}", TextArea).text for key, _ in self.parts()}

    def draft(self) -> dict | None:
        texts = self.texts()
        if self.item is not None and all(texts[k] == (self.item.payload.get(k, "") or "") for k in texts):
            return None
        if self.item is None and not any(t.strip() for t in texts.values()):
            return None
        return {"talk_id": self.talk_id, "version": self.item.version if self.item else None, "parts": texts}

    def resume_state(self) -> dict | None:
        return {"student": self.record.id, "talk": self.talk_id, "driegesprek": self.driegesprek}

    @classmethod
    def resume(cls, session, state: dict):
        record = session.students.get(state.get("student", ""))
        if record is None or not session.is_involved(record.id):
            return None
        return cls(session, record, None, talk_id=state.get("talk"), driegesprek=bool(state.get("driegesprek")), restore=True)

    def action_save(self) -> None:
        if self.item is None:
            self.message(TEXT["note_loading"])
            return
        self.clear_errors()
        texts = self.texts()
        changes = dict(texts)
        if self.driegesprek:
            changes["tekst"] = texts["hulpvraag"].strip() or texts["verhaal"].strip() or texts["zorgen"].strip()
        sid, item = self.record.id, self.item

        def done(changed) -> None:
            self.notify(TEXT["note_saved"] if changed else TEXT["note_same"])
            if changed:
                dossier_changed(self.app, sid)
            self.dismiss(bool(changed))

        self.store(lambda: self.session.dossier.edit_talk(sid, item, changes), done, {"note": "tekst"})

    def store_failed(self, exc: BaseException) -> str | None:
        from jongerenteam.errors import Conflict

        if not isinstance(exc, Conflict):
            return None
        # A colleague saved first: their text goes in the field, this worker's
        # under it, so the next ctrl+s can only keep both (or what the worker
        # deliberately made of them), never replace theirs unseen.
        self.fetch(merge=True)
        return TEXT["conflict_merged"].format(by=exc.by_name, at=exc.at)


class AgreementModal(DossierDialog):
    """Add a werkafspraak: who, what, by when, follow-up date."""

    DRAFT_LABEL = "een werkafspraak"

    REOPEN_AFTER_LOCK = True

    def __init__(self, session, record, *, restore: bool = False) -> None:
        super().__init__()
        self.session = session
        self.record = record
        self.restore = restore

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dd-box"):
            yield Static(Text(TEXT["agreement_title"].format(name=self.record.details.display_name)), classes="title")
            yield Static(TEXT["dialog_keys"], classes="dd-hint")
            yield from self.row("who", "Wie", ChoicePicker(d.WHO_KINDS, "student", id="f-who"))
            workers = SuggestWords(lambda: [w.full_name for w in self.session.active_workers()])
            yield from self.row("worker", "Medewerker", Input(id="f-worker", placeholder="naam of initialen", suggester=workers))
            yield from self.row("name", "Naam", Input(id="f-name", placeholder="naam van wie het doet"))
            yield from self.row("what", "Wat", Input(id="f-what", placeholder="wat is er afgesproken"))
            yield from self.row("due", "Uiterlijk", Input(id="f-due", placeholder="datum, bijv. 30-11 (mag leeg)"))
            yield from self.row("follow", "Opvolgen", Input(id="f-follow", placeholder="datum om na te vragen (mag leeg)"))
            yield Static("", id="dd-message", classes="dd-message")
        yield SteadyFooter()

    def on_mount(self) -> None:
        if self.restore:
            draft = self.app.take_draft(self)
            if draft:
                self.fill(draft)
                self.notify(TEXT["draft_back"])
        self.show_who(self.query_one("#f-who", ChoicePicker).value)
        self.query_one("#f-who").focus()

    @on(ChoicePicker.Changed, "#f-who")
    def who_changed(self, event: ChoicePicker.Changed) -> None:
        self.show_who(event.value)

    def show_who(self, kind: str) -> None:
        self.query_one("#row-worker").display = kind == "medewerker"
        self.query_one("#row-name").display = kind == "anders"
        if kind != "medewerker":
            self.error("worker", "")
        if kind != "anders":
            self.error("name", "")

    def values(self) -> dict[str, str]:
        out = {"who": self.query_one("#f-who", ChoicePicker).value}
        for key in ("worker", "name", "what", "due", "follow"):
            out[key] = self.query_one(f"#f-{key}", Input).value
        return out

    def fill(self, values: dict[str, str]) -> None:
        self.query_one("#f-who", ChoicePicker).value = values.get("who") or "student"
        for key in ("worker", "name", "what", "due", "follow"):
            self.query_one(f"#f-{key}", Input).value = values.get(key, "")

    def draft(self) -> dict | None:
        values = self.values()
        return values if any(values[k].strip() for k in ("worker", "name", "what", "due", "follow")) else None

    def collect(self) -> d.NewAgreement:
        v = self.values()
        today = local_today()
        kind = v["who"]
        who = d.Who(kind)
        if kind == "medewerker":
            if not v["worker"].strip():
                raise ValidationError("worker", "Kies welke medewerker het doet.")
            worker_id = _find_worker(self.session, v["worker"])
            if worker_id is None:
                raise ValidationError("worker", TEXT["worker_bad"])
            who = d.Who(kind, worker_id=worker_id)
        elif kind == "anders":
            who = d.Who(kind, name=v["name"])
        elif kind == "coach":
            who = d.Who(kind, name=self.record.details.coach_name)
        due = parse_date(v["due"], today=today, field="due", upcoming=True) if v["due"].strip() else None
        follow = parse_date(v["follow"], today=today, field="follow", upcoming=True) if v["follow"].strip() else None
        agreement = d.NewAgreement(who, v["what"], due, follow)
        try:
            agreement.validate()
        except ValidationError as exc:
            if exc.field == "who":
                raise ValidationError({"medewerker": "worker", "anders": "name"}.get(kind, "who"), exc.message) from None
            raise
        return agreement

    def action_save(self) -> None:
        self.clear_errors()
        try:
            agreement = self.collect()
        except ValidationError as exc:
            self.error(exc.field, exc.message)
            return
        sid = self.record.id

        def done(entry_id) -> None:
            self.notify(TEXT["agreement_saved"])
            dossier_changed(self.app, sid, entry_id)
            self.dismiss(entry_id)

        self.store(lambda: self.session.dossier.add_agreement(sid, agreement), done)


class DateModal(DossierDialog):
    """One date (or none): dismisses with (True, date | None), or None on Esc."""

    BINDINGS = [Binding("escape", "cancel", "Terug")]

    def __init__(self, title: str, value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dd-box"):
            yield Static(self.title_text, classes="title")
            yield Static(TEXT["follow_hint"], classes="dd-hint")
            yield from self.row("date", "Datum", Input(self.value, id="f-date", placeholder="bijv. 30-11"))
            yield Static("", id="dd-message", classes="dd-message")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#f-date").focus()

    def enter_pressed(self, field: Input) -> None:
        self.action_save()

    def action_save(self) -> None:
        text = self.query_one("#f-date", Input).value
        if not text.strip():
            self.dismiss((True, None))
            return
        try:
            day = parse_date(text, today=local_today(), field="date", upcoming=True)
        except ValidationError as exc:
            self.error("date", exc.message)
            return
        self.dismiss((True, day))

    def action_cancel(self) -> None:
        self.dismiss(None)


class StatusModal(DossierDialog):
    """Change the file's status; 'afgesloten' asks how it ended."""

    def __init__(self, session, record) -> None:
        super().__init__()
        self.session = session
        self.record = record

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dd-box"):
            yield Static(Text(TEXT["status_title"].format(name=self.record.details.display_name)), classes="title")
            yield Static(TEXT["status_hint"], classes="dd-hint")
            yield from self.row("status", "Status", ChoicePicker(STATUSES, self.record.status, id="f-status"))
            reason = self.record.details.closed_reason
            yield from self.row("closed_reason", "Reden", ChoicePicker(CLOSE_REASONS, reason, id="f-closed_reason"))
            yield Static("", id="dd-message", classes="dd-message")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#row-closed_reason").display = self.record.status == "afgesloten"
        self.query_one("#f-status").focus()

    @on(ChoicePicker.Changed, "#f-status")
    def status_changed(self, event: ChoicePicker.Changed) -> None:
        self.query_one("#row-closed_reason").display = event.value == "afgesloten"
        self.error("closed_reason", "")

    def choice_done(self, picker: ChoicePicker) -> None:
        if picker.id == "f-status" and picker.value == "afgesloten":
            self.query_one("#f-closed_reason").focus()
        else:
            self.action_save()

    def action_save(self) -> None:
        self.clear_errors()
        status = self.query_one("#f-status", ChoicePicker).value
        reason = self.query_one("#f-closed_reason", ChoicePicker).value if status == "afgesloten" else ""
        if status == "afgesloten" and not reason:
            self.error("closed_reason", "Kies hoe het dossier is afgesloten.")
            return
        record, sid = self.record, self.record.id

        def done(new_record) -> None:
            self.notify(TEXT["status_saved"].format(status=STATUSES.get(status, status)))
            dossier_changed(self.app, sid)
            self.dismiss(new_record)

        self.store(lambda: self.session.dossier.set_status(record, status, reason), done)


# -- the screen ------------------------------------------------------------------------------


GC_HOLD_AT_MOST = 1.0  # seconds: the garbage collector runs again by then, whatever happened

PANES: dict[int, type[DossierPane]] = {
    1: OverviewPane, 2: TalksPane, 3: AgreementsPane,
    4: ScoresPane, 5: ConsentPane, 6: InvolvedPane, 7: LogPane,
}


class TabBar(Widget):
    """The tab titles, the active one marked; a click picks one (keys 1-7 do too).

    On a narrow terminal the titles take two lines rather than being cut off.
    """

    DEFAULT_CSS = """
    TabBar { height: auto; padding: 0 1; background: $panel; }
    TabBar > .tabbar--active { background: $accent; color: $text; text-style: bold; }
    """
    COMPONENT_CLASSES = {"tabbar--active"}

    active: reactive[int] = reactive(1, layout=True)

    class Chosen(Message):
        def __init__(self, tab: int) -> None:
            super().__init__()
            self.tab = tab

    def _lines(self, width: int) -> list[list[tuple[int, str]]]:
        """The tabs packed into lines of ``width`` cells: (number, label) per tab."""
        lines: list[list[tuple[int, str]]] = [[]]
        used = 0
        for n, pane in PANES.items():
            label = f" {n} {pane.TAB_TITLE} "
            if lines[-1] and used + len(label) > width:
                lines.append([])
                used = 0
            lines[-1].append((n, label))
            used += len(label) + 1
        return lines

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._lines(width or 80))

    def render(self) -> Text:
        active = self.get_component_rich_style("tabbar--active")
        text = Text(no_wrap=True, overflow="crop")
        for i, line in enumerate(self._lines(self.content_size.width or 80)):
            if i:
                text.append("\n")
            for n, label in line:
                text.append(label, style=active if n == self.active else "")
                text.append(" ")
        return text

    def on_click(self, event: events.Click) -> None:
        lines = self._lines(self.content_size.width or 80)
        if not 0 <= event.y < len(lines):
            return
        x = event.x - 1  # the padding
        for n, label in lines[event.y]:
            if 0 <= x < len(label):
                self.post_message(self.Chosen(n))
                return
            x -= len(label) + 1


class DossierScreen(Screen):
    """The dossier of one student, for a worker involved with that student."""

    # An entry just added by a dialog: its list highlights it after the re-read.
    select_after: str | None = None

    BINDINGS = [
        Binding("escape", "back", "Terug"),
        # The tab bar shows the digits 1-7; the Footer keeps its width for the rest.
        *(Binding(str(n), f"tab({n})", f"Tabblad {n}", show=False) for n in range(1, 8)),
        Binding("d", "driegesprek", "Driegesprek"),
        Binding("u", "overview", "Afsprakenoverzicht"),
        Binding("s", "status", "Status"),
        Binding("w", "handover", "Overdracht"),
        Binding("8", "checklist", "18+-lijst"),
        Binding("r", "rights", "Rechten"),
        Binding("f5", "reload", "Opnieuw laden", show=False),
    ]
    DEFAULT_CSS = """
    DossierScreen #dossier-loading { height: auto; }
    DossierScreen #dossier-body { height: 1fr; }
    DossierScreen DossierPane { height: 1fr; }
    """

    def __init__(self, session, record, *, tab: int = 1) -> None:
        super().__init__()
        self.session = session
        self.record = record
        self.active_tab = tab if tab in PANES else 1
        self.dossier: d.Dossier | None = None
        self.built = False  # mounted: the panes can show the file
        self.early: d.Dossier | None = None  # read before the screen was mounted
        # Focus the list of the first tab when the screen shows, in one go:
        # every focus change makes the Footer rebuild its keys (tens of ms).
        self.AUTO_FOCUS = {1: "#ov-scroll", 2: "#talks", 3: "#agreements", 7: "#log"}.get(self.active_tab, "#dossier-body *")

    def compose(self) -> ComposeResult:
        self._hold_gc()
        # Start reading now: the file is read and decrypted while the screen is built.
        self.load(True)
        yield DossierHeader(id="dossier-header")
        yield Static(TEXT["loading"], id="dossier-loading", classes="hint")
        yield TabBar(id="dossier-tabbar")
        # Only the first tab's pane now; the others are mounted when first shown.
        with Container(id="dossier-body"):
            yield self._new_pane(self.active_tab)
        yield SteadyFooter(compact=True)

    def _new_pane(self, n: int) -> DossierPane:
        return PANES[n](self.session, self.record, id=f"pane-{n}")

    def on_mount(self) -> None:
        self.query_one(TabBar).active = self.active_tab
        self.query_one(DossierHeader).show(self.session, self.record)
        # The file first, then the keys: building the footer holds the UI
        # thread for tens of ms, which the reading thread needs (one GIL).
        self.query_one(SteadyFooter).hold(at_most=0.5)
        self.built = True
        self.set_timer(GC_HOLD_AT_MOST, self._resume_gc)
        if self.early is not None:
            self.loaded(self.early)

    # -- reading -----------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="dossier-load")
    def load(self, log: bool) -> None:
        try:
            dossier = self.session.dossier.open_dossier(self.record.id, log=log)
        except NotInvolved:
            # Taken off this file meanwhile (by a colleague, or by themselves): nothing stale stays.
            self.session.directory.refresh([self.record.id])
            self.app.call_from_thread(self.no_longer_involved)
            return
        except Exception as exc:  # noqa: BLE001 - one Dutch sentence, never a traceback
            self.app.call_from_thread(self.load_failed, explain(exc)[0])
            return
        self.app.call_from_thread(self.loaded, dossier)

    def _still_ours(self) -> bool:
        # A lock may come while the file is read: then nothing may appear.
        return self.is_attached and self.app.session is self.session and not self.session.is_locked

    def loaded(self, dossier: d.Dossier) -> None:
        if not self._still_ours():
            return
        if not self.built:
            self.early = dossier
            return
        self.early = None
        self.dossier = dossier
        self.record = self.session.students.get(self.record.id, self.record)
        self.query_one(DossierHeader).show(self.session, self.record)
        self.query_one("#dossier-loading").display = False
        for pane in self.query(DossierPane):
            pane.show(dossier, self.record)
        self.select_after = None
        self._after_paint = True  # the keys and the garbage collector wait for the frame with the file

    # -- what waits until the file is on screen ------------------------------------

    _after_paint = False
    _gc_held = False

    def _compositor_refresh(self) -> None:
        super()._compositor_refresh()
        if self._after_paint and self is self.app.screen:
            self._after_paint = False
            self._resume_gc()
            self.query_one(SteadyFooter).release()

    def _hold_gc(self) -> None:
        """No full garbage collection while the file is read and shown.

        Opening allocates a lot (the folded file, the widgets); that regularly
        set off a full collection of the whole heap in the middle of it, 140-220
        ms here (benchmarks/bench_dossier.py, a third of the pushes). It runs
        once the file is painted instead; at most GC_HOLD_AT_MOST seconds later.
        """
        if gc.isenabled():
            gc.disable()
            self._gc_held = True

    def _resume_gc(self) -> None:
        if self._gc_held:
            self._gc_held = False
            gc.enable()

    def on_unmount(self) -> None:
        self._resume_gc()

    def no_longer_involved(self) -> None:
        if not self._still_ours():
            return
        self.notify(TEXT_NOT_INVOLVED, severity="warning")
        if self.app.screen is self:
            self.dismiss(None)
        else:
            self.app.pop_screen()  # a dialog over it: the dossier goes with it below
            self.call_after_refresh(lambda: self.dismiss(None) if self.is_attached else None)

    def load_failed(self, text: str) -> None:
        if not self._still_ours() or not self.built:
            if self._still_ours():
                self.call_after_refresh(self.load_failed, text)
            return
        self.query_one("#dossier-loading", Static).update(TEXT["load_failed"].format(reason=text))
        self._resume_gc()
        self.query_one(SteadyFooter).release()
        self.notify(text, severity="error")

    def reload(self) -> None:
        """Re-read after a change this worker made (already logged)."""
        self.load(False)

    def on_dossier_changed(self, message: DossierChanged) -> None:
        message.stop()
        self.reload()

    def on_store_changed(self, message: StoreChanged) -> None:
        """A colleague (another window, another laptop) changed this student: say so, read again."""
        changes = message.changes
        by = changes.by(self.record.id)
        if by is None and not changes.everything:
            return
        if by is not None and by[0] == self.session.worker_id and not changes.everything:
            return  # this window's own change: already re-read
        if by is not None:
            from jongerenteam.dates import clock_time

            self.notify(TEXT["updated_by"].format(name=self.session.worker_name(by[0]), at=clock_time(by[1])), timeout=8)
        self.reload()

    def action_reload(self) -> None:
        """F5: read the file again (logged: the worker asked to see it anew)."""
        self.query_one("#dossier-loading", Static).update(TEXT["loading"])
        self.query_one("#dossier-loading").display = True
        self.load(True)

    # -- tabs ---------------------------------------------------------------------

    def pane(self, n: int) -> DossierPane | None:
        found = self.query(f"#pane-{n}")
        return found.first() if found else None

    async def action_tab(self, n: int) -> None:
        if n not in PANES:
            return
        pane = self.pane(n)
        if pane is None:
            pane = self._new_pane(n)
            pane.display = False
            await self.query_one("#dossier-body").mount(pane)
            if self.dossier is not None:
                self.active_tab = n  # so a lazy pane fills itself in show()
                pane.show(self.dossier, self.record)
        for other in self.query_one("#dossier-body").children:
            other.display = other is pane
        self.active_tab = n
        self.query_one(TabBar).active = n
        activated = getattr(pane, "activated", None)
        if activated is not None:
            activated()
        self.focus_tab()

    def focus_tab(self) -> None:
        """Focus the active pane's list, so its keys are in the footer."""
        pane = self.pane(self.active_tab)
        if pane is None:
            return
        focus_main = getattr(pane, "focus_main", None)
        if focus_main is not None:
            focus_main()
        if self.focused is None or pane not in self.focused.ancestors_with_self:
            first = next((w for w in pane.walk_children() if w.focusable), None)
            if first is not None:
                first.focus()

    @on(TabBar.Chosen)
    async def tab_clicked(self, event: TabBar.Chosen) -> None:
        await self.action_tab(event.tab)

    # -- screen-wide actions ---------------------------------------------------------

    def add_talk(self) -> None:
        self.app.push_screen(TalkModal(self.session, self.record))

    def action_back(self) -> None:
        self.dismiss(None)

    def _after_other_screen(self, _result=None) -> None:
        if self._still_ours():
            self.reload()

    def action_driegesprek(self) -> None:
        try:
            from screens.driegesprek import DriegesprekScreen
        except ImportError:
            self.notify(TEXT["missing_screen"].format(what=TEXT["driegesprek"]), severity="warning")
            return
        self.app.push_screen(DriegesprekScreen(self.session, self.record), self._after_other_screen)

    def action_overview(self) -> None:
        try:
            from screens.overview import OverviewModal
        except ImportError:
            self.notify(TEXT["missing_screen"].format(what=TEXT["overview"]), severity="warning")
            return
        self.app.push_screen(OverviewModal(self.session, self.record), self._after_other_screen)

    def action_status(self) -> None:
        self.app.push_screen(StatusModal(self.session, self.record))

    @property
    def student_id(self) -> str:
        return self.record.id

    def action_handover(self) -> None:
        from screens.handover import start_handover

        start_handover(self.app, self.record.id)

    def action_checklist(self) -> None:
        from screens.eighteen import ChecklistScreen

        self.app.push_screen(ChecklistScreen(self.record.id), self._after_other_screen)

    def action_rights(self) -> None:
        from screens.rights import RightsMenu, leave_erased

        student_id = self.record.id

        def closed(result) -> None:
            if result == "erased":
                leave_erased(self.app, student_id)
            else:
                self._after_other_screen()

        self.app.push_screen(RightsMenu(self.session, student_id), closed)

    # -- lock and the command palette -----------------------------------------------

    def resume_state(self) -> dict | None:
        return {"student": self.record.id, "tab": self.active_tab}

    def draft(self) -> dict | None:
        return None  # the dossier itself holds no typed text; its dialogs do

    @classmethod
    def resume(cls, session, state: dict):
        """After the same worker unlocks: the dossier again (read and logged anew), if still involved."""
        record = session.students.get(state.get("student", ""))
        if record is None or not session.is_involved(record.id):
            return None
        return cls(session, record, tab=int(state.get("tab") or 1))

    def dossier_commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        """'dossier: ...' commands for the palette (screens/app.py offers them)."""
        def tab(n: int) -> Callable[[], None]:
            return lambda: self.run_action(f"tab({n})")

        def in_pane(n: int, action: str) -> Callable[[], None]:
            async def run() -> None:
                await self.action_tab(n)
                await self.pane(n).run_action(action)
            return run

        return [
            ("dossier: gesprek toevoegen", "Een gesprek met type, datum, duur en verslag", self.add_talk),
            ("dossier: werkafspraak toevoegen", "Wie doet wat, uiterlijk wanneer", in_pane(3, "add")),
            ("dossier: driegesprek", "Student, studiecoach en hulpverlener (d)", self.action_driegesprek),
            ("dossier: afsprakenoverzicht", "De afspraken voor de student (u)", self.action_overview),
            ("dossier: status wijzigen", "Aangemeld, lopend, overgedragen of afgesloten (s)", self.action_status),
            ("dossier: rechten van de student", "Inzage, correctie, wissen, bewaartermijn (r)", self.action_rights),
            ("dossier: overzicht", "Tabblad 1", tab(1)),
            ("dossier: gesprekken", "Tabblad 2", tab(2)),
            ("dossier: afspraken", "Tabblad 3", tab(3)),
            ("dossier: leefdomeinen", "Tabblad 4", tab(4)),
            ("dossier: toestemming", "Tabblad 5", tab(5)),
            ("dossier: betrokkenen", "Tabblad 6", tab(6)),
            ("dossier: logboek", "Tabblad 7", tab(7)),
            *((title, help_text, in_pane(n, action)) for title, help_text, n, action in PANE_COMMANDS),
        ]
