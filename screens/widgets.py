"""The widgets the screens share: one number-key picker, a fast list, the footer, suggesters.

- ``KeyChoice``: the one picker of a short list by digit keys (one choice,
  or several), in two looks: packed on a line (forms) or in columns with a
  hint under it (``grid``). ``LeefdomeinPicker`` is it for the nine
  leefdomeinen.
- ``LineTable``: rows drawn line by line, for lists of hundreds (the dossier).
- ``SteadyFooter``: a Footer that rebuilds its keys once per change.
- ``SuggestWords`` / ``ListSuggester``: completion from a list that may change.
- ``FastTab`` and ``FAST_TAB_BINDINGS``: Tab moves focus before the next key.
- ``highlighted_key`` / ``keep_cursor``: a DataTable's row by key.

Styles live in app.tcss and dialogs.tcss, not here. Why one file of about
600 lines: it is the screens' one toolkit, so a screen looks in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Protocol, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from jongerenteam.search import fold
from jongerenteam.text import visible
from screens.text import DataTable

# -- one number-key picker ---------------------------------------------------------------


class ChoiceMessage(Message):
    """What a KeyChoice tells its form (``Changed``, ``Done``): the picker and its value."""

    def __init__(self, choice: KeyChoice) -> None:
        super().__init__()
        self.choice = choice

    @property
    def control(self) -> KeyChoice:
        return self.choice

    @property
    def value(self) -> Any:
        return self.choice.value


class KeyChoice(Widget, can_focus=True):
    """One choice (or several, ``multi``) from up to nine, by digit keys.

    Keys: 1-9 pick an option (``multi``: switch it on or off), 0 switches
    all off (``multi``), ← → move (a single choice follows the cursor),
    space picks the option under the cursor, Enter posts ``Done`` (a dialog
    then moves to the next field). With ``advance`` a digit in a single
    choice moves on to the next field at once: "9" then "2" picks a
    leefdomein and a score without Tab.

    Two looks: packed on as many lines as the width needs (the forms), or
    ``grid``: in columns, with ``hint`` under them while focused (↑ ↓ move
    too, for a single choice). A ``multi`` grid has digits only.
    ``value`` is the chosen code (None: nothing) or, for ``multi``, the
    chosen codes in option order. ``Changed`` is posted when the worker
    changes it, not when code sets it.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"pick({n})", str(n), show=False) for n in range(1, 10)),
        Binding("0", "clear", "Geen", show=False),
        Binding("left", "move(-1)", "Vorige", show=False),
        Binding("right", "move(1)", "Volgende", show=False),
        Binding("up", "move_up_down(-1)", "Vorige", show=False),
        Binding("down", "move_up_down(1)", "Volgende", show=False),
        Binding("space", "toggle_cursor", "Aan/uit", show=False),
        Binding("enter", "done", "Volgend veld", show=False),
    ]

    class Changed(ChoiceMessage):
        """The worker changed the choice."""

    class Done(ChoiceMessage):
        """Enter on the picker: the dialog decides what comes next."""

    def __init__(
        self,
        options: Sequence[tuple[str, str]] | Mapping[str, str],
        *,
        value: str | None = None,
        values: Iterable[str] = (),
        multi: bool = False,
        advance: bool = True,
        grid: bool = False,
        hint: str | None = None,
        per_line: int | None = None,
        cell_width: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        pairs = list(options.items()) if isinstance(options, Mapping) else list(options)
        self.options: list[tuple[str, str]] = pairs[:9]
        self.multi = multi
        self.advance = advance and not multi
        self.grid = grid
        self.hint = hint
        self.per_line = per_line
        self.cell_width = cell_width
        codes = self.option_codes
        self._value: str | None = value if value in codes else None
        self._values: set[str] = {c for c in values if c in codes}
        self.cursor = codes.index(value) if value in codes else 0

    @property
    def option_codes(self) -> list[str]:
        return [code for code, _ in self.options]

    # -- value ---------------------------------------------------------------------

    @property
    def value(self) -> Any:
        """The chosen code or None (single), the chosen codes in option order (multi)."""
        if self.multi:
            return [code for code in self.option_codes if code in self._values]
        return self._value

    @value.setter
    def value(self, new: Any) -> None:
        codes = self.option_codes
        if self.multi:
            self._values = {c for c in (new or ()) if c in codes}
        else:
            self._value = new if new in codes else None
            if self._value is not None:
                self.cursor = codes.index(self._value)
        self.refresh(layout=True)

    def set_options(self, options: Sequence[tuple[str, str]]) -> None:
        """Other options (what the worker may choose changed); the choice goes where it is no longer offered."""
        self.options = list(options)[:9]
        self.value = self.value
        self.cursor = min(self.cursor, max(len(self.options) - 1, 0))

    def _changed(self) -> None:
        self.refresh(layout=True)
        self.post_message(self.Changed(self))

    # -- keys ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A key this picker does not use goes on to the form (↑ ↓ scroll it, for one).
        if action == "clear":
            return self.multi
        if action == "move_up_down":
            return self.grid and not self.multi
        if action in ("move", "toggle_cursor"):
            return not (self.grid and self.multi)
        return True

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
        self._values = set()
        self._changed()

    def action_move(self, step: int) -> None:
        if not self.options:
            return
        self.cursor = (self.cursor + step) % len(self.options)
        if self.multi:
            self.refresh()
            return
        self._value = self.options[self.cursor][0]
        self._changed()

    def action_move_up_down(self, step: int) -> None:
        self.action_move(step)

    def action_toggle_cursor(self) -> None:
        """Space: switch the option under the cursor (multi), or choose it (single)."""
        self.action_pick(self.cursor + 1)

    def action_done(self) -> None:
        self.post_message(self.Done(self))

    # -- drawing ----------------------------------------------------------------------

    def _marked(self, i: int, code: str, label: str) -> str:
        if self.multi:
            return f"{i + 1} {'■' if code in self._values else '□'} {visible(label)}"
        return f"{i + 1} {'●' if code == self._value else '○'} {visible(label)}"

    def _grid_lines(self, width: int) -> list[str]:
        cells = [self._marked(i, code, label) for i, (code, label) in enumerate(self.options)]
        if not cells:
            return [""]
        cell = self.cell_width or max(len(c) for c in cells) + 3
        per = self.per_line or max(1, width // cell)
        lines = ["".join(f"{c:<{cell}}" for c in cells[i:i + per]).rstrip() for i in range(0, len(cells), per)]
        if self.has_focus and self.hint:
            lines.append(self.hint.format(n=len(cells)))
        return lines

    def _cells(self) -> list[Text]:
        cells = []
        for i, (code, label) in enumerate(self.options):
            if self.multi:
                style = "underline" if self.has_focus and i == self.cursor else ""
                cells.append(Text(self._marked(i, code, label), style=style))
            else:
                chosen = code == self._value
                cells.append(Text(f" {self._marked(i, code, label)} ", style="reverse bold" if chosen else ""))
        return cells

    def _packed(self, width: int) -> list[list[Text]]:
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

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self.grid:
            # Measured as drawn: a line wider than the widget wraps, and every wrapped part shows.
            lines = self._grid_lines(width or 80)
            return len(Content("\n".join(lines)).wrap(width)) if width else len(lines)
        return len(self._packed(width))

    def render(self) -> Text:
        # Text, never str: a str from render() is parsed as markup, and a label may be data.
        if self.grid:
            return Text("\n".join(self._grid_lines(self.content_size.width or 80)))
        out = Text()
        for n, line in enumerate(self._packed(self.content_size.width)):
            if n:
                out.append("\n")
            for i, cell in enumerate(line):
                if i:
                    out.append("  ")
                out.append_text(cell)
        return out

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self.refresh(layout=True)

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self.refresh(layout=True)


LEEFDOMEIN_HINT = "toets 1-9 zet een leefdomein aan of uit, 0 zet alles uit"
CHOICE_HINT = "toets 1-{n} of pijltjes kiest"


def leefdomein_options() -> list[tuple[str, str]]:
    from jongerenteam.catalogue import LEEFDOMEINEN

    return [(d.code, d.label) for d in LEEFDOMEINEN]


class LeefdomeinPicker(KeyChoice):
    """The nine leefdomeinen, three to a line; 1-9 switch one on or off, 0 all off."""

    def __init__(self, chosen: Iterable[str] = (), **kwargs: Any) -> None:
        # Three per line: fits 120 columns beside the labels.
        super().__init__(leefdomein_options(), values=chosen, multi=True, grid=True, hint=LEEFDOMEIN_HINT,
                         per_line=3, cell_width=29, **kwargs)

    @property
    def codes(self) -> list[str]:
        """The chosen leefdomeinen, in the catalogue's order."""
        return list(self.value)


# -- a list that draws only what is in view --------------------------------------


Cell = tuple[str, Style | None]


def line_cell(value: str | Text) -> Cell:
    """A LineTable cell: its text (control characters made visible) and one style for the whole cell."""
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

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Details"),
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"linetable--header", "linetable--cursor", "linetable--odd"}

    cursor: reactive[int] = reactive(0, init=False)

    class Selected(Message):
        def __init__(self, table: LineTable, index: int) -> None:
            super().__init__()
            self.table = table
            self.index = index

        @property
        def control(self) -> LineTable:
            return self.table

    def __init__(self, columns: list[tuple[str, int | None]], *, selectable: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.columns = columns
        self.selectable = selectable
        self.rows: list[tuple[Cell, ...]] = []
        self._frame: tuple[Style, Style, Style, Style, list[int]] | None = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "select" and not self.selectable)

    # -- data -------------------------------------------------------------------

    def set_rows(self, rows: Sequence[tuple[str | Text, ...]], cursor: int | None = None) -> None:
        self.rows = [tuple(line_cell(v) for v in row) for row in rows]
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
        widths = [w if w is not None else rest for _, w in self.columns]
        # Wider than the terminal: take from the widest columns (never below 4), so every
        # column stays on screen and a cut value ends in "…" instead of the line being cropped.
        over = sum(widths) + 2 * len(widths) - total
        while over > 0:
            widest = max(range(len(widths)), key=lambda i: widths[i])
            if widths[widest] <= 4:
                break
            widths[widest] -= 1
            over -= 1
        return widths

    def _line(self, cells: Sequence[Cell], widths: list[int], row_style: Style, width: int) -> Strip:
        segments = []
        for (text, style), w in zip(cells, widths, strict=False):
            if cell_len(text) > w:
                text = set_cell_size(text, w - 1) + "…"
            segments.append(Segment(" " + set_cell_size(text, w) + " ", row_style + style if style else row_style))
        return Strip(segments).adjust_cell_length(width, row_style).crop(0, width)

    def render_lines(self, crop: Region) -> list[Strip]:
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
        if self._frame is None:
            return Strip.blank(width)
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
        shown = max(1, self.size.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + shown:
            self.scroll_to(y=self.cursor - shown + 1, animate=False, immediate=True)

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


# -- the footer -----------------------------------------------------------------------


# The app's own keys in the footer, most needed first; a screen's own keys come
# before all of them (they are what the screen is for). What does not fit the
# width is left out whole, never cut: F1 (help) and ctrl+p (the palette) list it all.
APP_KEY_ORDER = ("walk_in", "referral", "help", "lock", "search", "today", "team", "quit", "change_passphrase")
# Shown whatever the width (with ctrl+p at the right): the help, which lists every key.
ALWAYS_SHOWN = frozenset({"help"})


class SteadyFooter(Footer):
    """The footer of every screen: the most important keys first, as many as fit.

    Textual's Footer mounts every key anew on each bindings signal: four
    times while a screen opens (focus, stack, and an echo of each), 20 to
    60 ms each here, which held back the first frame with the file in it.
    This one rebuilds after the next refresh, once for a burst of signals,
    and not at all when the keys shown did not change.

    It also orders the keys (the screen's own first, then ``APP_KEY_ORDER``)
    and shows only those that fit the width whole, so at 80 columns no key
    is cut in half and the important ones are there; help (F1) and the
    palette (ctrl+p, always shown at the right) have the rest. A screen
    may leave app keys out of its footer (``FOOTER_HIDES``: actions); they
    still work.
    """

    _shown: tuple[tuple[str, str, str, bool], ...] | None = None
    _scheduled = False
    _fitted_width = 0
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

    def _keys(self) -> tuple[tuple[str, str, str, bool], ...]:
        return tuple(
            (binding.key, binding.description, binding.action, enabled)
            for _node, binding, enabled, _tooltip in self.screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen[Any]) -> None:
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
        if keys != self._shown or self.app.size.width != self._fitted_width:
            self._shown = keys
            await self.recompose()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width and event.size.width != self._fitted_width and self._bindings_ready:
            self.bindings_changed(self.screen)

    def ordered(self) -> list[tuple[Binding, bool, str]]:
        """The keys to show, in the order to show them (one per action)."""
        app = self.app
        rows: list[tuple[int, int, Binding, bool, str]] = []
        actions: set[str] = set()
        palette = app.COMMAND_PALETTE_BINDING
        hides: frozenset[str] = getattr(self.screen, "FOOTER_HIDES", frozenset())
        for index, (key, (node, binding, enabled, tooltip)) in enumerate(self.screen.active_bindings.items()):
            if not binding.show or binding.action in actions or key == palette or binding.action in hides:
                continue
            actions.add(binding.action)
            if node is app:
                rank = 1 + (APP_KEY_ORDER.index(binding.action) if binding.action in APP_KEY_ORDER else len(APP_KEY_ORDER))
            else:
                rank = 0
            rows.append((rank, index, binding, enabled, tooltip))
        rows.sort(key=lambda row: (row[0], row[1]))
        return [(binding, enabled, tooltip) for _rank, _index, binding, enabled, tooltip in rows]

    def compose(self) -> Iterable[Widget]:
        if not self._bindings_ready:
            return
        app = self.app
        width = self._fitted_width = app.size.width
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            palette = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
        room = width - 1  # the last column stays free
        if palette is not None:
            # Its left border, and its right padding when not compact.
            room -= key_width(app.get_key_display(palette[1]), palette[1].description, self.compact) + 2
        keys = self.ordered()
        widths = [key_width(app.get_key_display(b), b.description, self.compact) for b, _e, _t in keys]
        room -= sum(w for (b, _e, _t), w in zip(keys, widths, strict=True) if b.action in ALWAYS_SHOWN)
        full = False
        for (binding, enabled, tooltip), needed in zip(keys, widths, strict=True):
            display = app.get_key_display(binding)
            if binding.action not in ALWAYS_SHOWN:
                # The first key that does not fit ends the row (but for the ones always shown):
                # a smaller, less important key never takes the place of a bigger one.
                full = full or needed > room
                if full:
                    continue
                room -= needed
            yield FooterKey(binding.key, display, binding.description, binding.action, disabled=not enabled,
                            tooltip=tooltip).data_bind(compact=Footer.compact)
        if palette is not None:
            _node, binding, enabled, _tooltip = palette
            yield FooterKey(binding.key, app.get_key_display(binding), binding.description, binding.action,
                            classes="-command-palette", disabled=not enabled,
                            tooltip=binding.tooltip or binding.description)


def key_width(display: str, description: str, compact: bool = False) -> int:
    """Columns one footer key takes: a space, the key, a space, the description, a space
    (compact: the key, a space, the description, a margin)."""
    return cell_len(display) + cell_len(description) + (2 if compact else 3)


# -- completion -------------------------------------------------------------------------


class SuggestWords(Suggester):
    """Complete from a list that may change (programmes the team entered)."""

    def __init__(self, words_fn: Callable[[], Iterable[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.words_fn = words_fn

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        wanted = fold(value)
        for word in self.words_fn():
            if fold(word).startswith(wanted):
                return word
        return None


class ListSuggester(Suggester):
    """Complete the last comma-separated part of a field from a list of words."""

    def __init__(self, words_fn: Callable[[], Iterable[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.words_fn = words_fn

    async def get_suggestion(self, value: str) -> str | None:
        head, sep, last = value.rpartition(",")
        typed = last.lstrip()
        if not typed:
            return None
        wanted = fold(typed)
        for word in self.words_fn():
            if fold(word).startswith(wanted):
                return f"{head}{sep}{last[: len(last) - len(typed)]}{word}"
        return None


# -- focus ------------------------------------------------------------------------------

# Tab and shift+Tab as *priority* bindings move focus before the next key is
# read: a fast typist (or a paste, or tmux send-keys) writing "Tab, text" in one
# burst gets the text in the next field, not in the one being left
# (docs/architecture.md, "Keys, focus and fast typists").
FAST_TAB_BINDINGS: list[BindingType] = [
    Binding("tab", "next_field", "Volgend veld", show=False, priority=True),
    Binding("shift+tab", "previous_field", "Vorig veld", show=False, priority=True),
]


class _Focusing(Protocol):
    def focus_next(self, selector: str = ...) -> Widget | None: ...

    def focus_previous(self, selector: str = ...) -> Widget | None: ...


class FastTab:
    """Mixin for forms (a Screen): the synchronous focus moves behind FAST_TAB_BINDINGS."""

    def action_next_field(self: _Focusing) -> None:
        self.focus_next()

    def action_previous_field(self: _Focusing) -> None:
        self.focus_previous()


W = TypeVar("W", bound=Widget)


def hidden(widget: W) -> W:
    """``widget``, not shown until it has something to show (a hint, an error, a list)."""
    widget.display = False
    return widget


class DialogBox(VerticalScroll, can_focus=False):
    """A dialog's frame: scrolls to the focused field on a small terminal, never takes focus itself."""


# -- tables ----------------------------------------------------------------------------------


def highlighted_key(table: DataTable) -> str | None:
    """The key of the highlighted row, or None in an empty table."""
    if not table.row_count:
        return None
    return table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value


def keep_cursor(table: DataTable, *wanted: str | None) -> None:
    """Back on the first of ``wanted`` that is a row of the table (an entry just added, the row that was highlighted)."""
    for key in wanted:
        if key is not None and key in table.rows:
            table.move_cursor(row=table.get_row_index(key))
            return
