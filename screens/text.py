"""The one place where data becomes widget text.

Since Textual 2 a plain ``str`` given to a Static, a Label, a DataTable cell,
an option or a notification is parsed as content markup: a name with ``[/]``
in it crashes the screen and ``[@click=app.quit]`` runs an action. Every
screen therefore imports its text widgets from here, never from
``textual.widgets`` (``tests/test_architecture.py`` checks it):

- ``Static``, ``Label``, ``OptionList``/``Option`` and ``DataTable`` never
  parse markup, and turn control characters into visible symbols
  (``jongerenteam.text.visible``), so a bell or an escape sequence in older
  data never reaches the terminal.
- ``DataTable`` cuts a long value with "…" (``cell``) and forgets the widths of
  earlier rows on ``clear()``, so no value can change the layout of a later
  search or screen.
- ``Input`` and ``TextArea`` drop control characters and escape sequences as
  they are typed or pasted (``jongerenteam.text.clean_line``/``clean_block``),
  so what a worker sees in the field is what is saved. An ``Input`` whose
  ``max_length`` a paste would pass refuses it with a notice saying how much
  fits, never silently. Their own keys (backspace, the arrows, delete) act
  in order with the letters around them, however fast the keys come
  (``run_own_binding``).

Styled text is built as ``rich.text.Text`` or ``textual.content.Content``
from plain strings (never ``from_markup``); the widgets here make those
safe too. ``App.notify`` is safe in ``screens/app.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from rich.cells import cell_len, set_cell_size
from rich.measure import Measurement
from rich.text import Text
from textual import events
from textual import widgets as _w
from textual.content import Content
from textual.geometry import Size
from textual.render import measure
from textual.widget import Widget
from textual.widgets.option_list import Option as _Option

from jongerenteam.text import clean_text, visible

__all__ = [
    "CellText", "Content", "DataTable", "Input", "Label", "Option", "OptionList", "Static", "Text", "TextArea",
    "cell", "literal", "safe", "shorten",
]

# The widest a table cell gets when its column has no width of its own.
MAX_CELL = 40
ELLIPSIS = "…"


def shorten(text: str, width: int) -> str:
    """``text`` in at most ``width`` terminal cells, cut with "…" when longer."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + ELLIPSIS


def safe(value: Any, *, newlines: bool = True) -> Any:
    """Anything a widget may show, with its control characters made visible.

    A ``str`` stays a ``str`` (the widgets here never parse markup); ``Text``
    and ``Content`` keep their styles (``visible`` maps one character to one,
    so their spans stay where they were).
    """
    if isinstance(value, str):
        return visible(value, newlines=newlines)
    if isinstance(value, Text):
        plain = visible(value.plain, newlines=newlines)
        if plain == value.plain:
            return value
        copy = value.copy()
        copy.plain = plain
        return copy
    if isinstance(value, Content):
        plain = visible(value.plain, newlines=newlines)
        return value if plain == value.plain else Content(plain, spans=list(value.spans))
    return value


def literal(value: Any, style: str = "") -> Text:
    """``value`` as a ``Text`` that is shown as it is: for renderables that parse a ``str``
    as markup (a Rich ``Table``'s title, headers, cells and caption)."""
    if isinstance(value, (Text, Content)):
        value = value.plain
    return Text(visible("" if value is None else str(value)), style=style)


class CellText(Text):
    """A cell's text: measured as at most ``MAX_CELL`` cells wide, cut with "…" when drawn.

    The cell keeps its whole value (``str(cell)`` is what was given); only its
    column stops growing, so one long name cannot push the other columns
    off the screen.
    """

    def __rich_measure__(self, console: Any, options: Any) -> Measurement:
        measured = super().__rich_measure__(console, options)
        return Measurement(min(measured.minimum, MAX_CELL), min(measured.maximum, MAX_CELL))


def cell_width(value: CellText) -> int:
    """What ``textual.render.measure`` gives for a ``CellText`` (its widest line, at most
    ``MAX_CELL``), without the console's options Textual builds for every cell."""
    lines = value.plain.splitlines()
    return min(max(cell_len(line) for line in lines) if lines else 0, MAX_CELL)


class WrappedCell(CellText):
    """A cell that wraps onto more lines in a column of fixed width (a row added with
    ``height=None``) instead of being cut with "…"; literal, one paragraph."""


def wrapped_cell(value: str) -> WrappedCell:
    return WrappedCell(visible(" ".join(value.split())), end="")


def cell(value: Any) -> Any:
    """A table cell: one line, literal, drawn with "…" when its column is narrower
    (a ``WrappedCell`` wraps instead)."""
    if value is None:
        value = ""
    if isinstance(value, WrappedCell):
        return value
    if isinstance(value, Content):
        value = Text(value.plain)  # one style per cell: Content spans are not needed here
    if isinstance(value, (int, float)):
        value = str(value)
    if isinstance(value, str):
        return CellText(visible(value), no_wrap=True, overflow="ellipsis", end="")
    if isinstance(value, Text):
        text = safe(value, newlines=False)
        out = CellText(text.plain, style=text.style, no_wrap=True, overflow="ellipsis", end="")
        out.spans = list(text.spans)
        return out
    return value


class Static(_w.Static):
    """A Static that never parses markup and shows control characters visibly."""

    def __init__(self, content: Any = "", **kwargs: Any) -> None:
        kwargs["markup"] = False
        super().__init__(safe(content), **kwargs)

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(safe(content), layout=layout)


class Label(_w.Label):
    """A Label that never parses markup and shows control characters visibly."""

    def __init__(self, content: Any = "", **kwargs: Any) -> None:
        kwargs["markup"] = False
        super().__init__(safe(content), **kwargs)

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(safe(content), layout=layout)


class Option(_Option):
    """An option whose prompt is shown literally."""

    def __init__(self, prompt: Any, id: str | None = None, disabled: bool = False) -> None:
        super().__init__(safe(prompt), id=id, disabled=disabled)


class OptionList(_w.OptionList):
    """An OptionList that never parses markup; plain ``str`` options are made safe too."""

    def __init__(self, *content: Any, **kwargs: Any) -> None:
        kwargs["markup"] = False
        super().__init__(*(self._safe_option(c) for c in content), **kwargs)

    @staticmethod
    def _safe_option(option: Any) -> Any:
        return safe(option) if isinstance(option, (str, Text, Content)) else option

    def add_options(self, items: Any) -> OptionList:
        return super().add_options([self._safe_option(item) for item in items])

    def add_option(self, item: Any = None) -> OptionList:
        return super().add_option(self._safe_option(item))


class DataTable(_w.DataTable[Any]):
    """A DataTable whose cells are literal, one line, and cut with "…" to their column.

    A column without a width grows with its content, but never past
    ``MAX_CELL``: one long value cannot squeeze the other columns, now or in
    later results.
    """

    def add_column(self, label: Any, *, width: int | None = None, key: str | None = None, default: Any = None) -> Any:
        if isinstance(label, str):
            label = Text(visible(label))
        return super().add_column(label, width=width, key=key, default=default)

    def add_columns(self, *labels: Any) -> list[Any]:
        keys = []
        for label in labels:
            if isinstance(label, tuple):
                keys.append(self.add_column(label[0], key=label[1]))
            else:
                keys.append(self.add_column(label))
        return keys

    _forget_widths = False

    def clear(self, columns: bool = False) -> Self:
        """Empty the table; kept columns forget how wide earlier rows made them.

        Textual's ``clear`` keeps each column's measured width, so one long
        value would keep its column wide for every later search or list. The
        widths are measured again from the labels when the new rows are
        (``_update_dimensions``, Textual 8): until then the old ones stay, so
        a table that is cleared and filled again never shows a frame with
        squeezed columns.
        """
        super().clear(columns=columns)
        self._forget_widths = True
        return self

    def _update_dimensions(self, new_rows: Iterable[Any]) -> None:
        before = [column.content_width for column in self.columns.values()]
        if self._forget_widths:
            self._forget_widths = False
            console = self.app.console
            for column in self.columns.values():
                column.content_width = measure(console, column.label, 1)
        super()._update_dimensions(self._measure_one_line_rows(new_rows))
        if [column.content_width for column in self.columns.values()] != before:
            # Textual's row cache is not keyed on the widths: a frame drawn before
            # this (new rows, old widths) would otherwise stay on the screen.
            self._clear_caches()
            self._update_count += 1
            self.refresh()

    def _measure_one_line_rows(self, new_rows: Iterable[Any]) -> list[Any]:
        """Widen the columns for the new rows whose cells are all one-line ``CellText``
        (``cell_width``: a third of a search keystroke went into Textual's measuring
        of every cell); the other rows (a label, a wrapped cell, a row of automatic
        height) are left to Textual, and returned."""
        rest = []
        columns = self.ordered_columns
        for key in new_rows:
            row, data = self.rows.get(key), self._data.get(key)
            if row is None or data is None:
                continue  # removed before the table was idle (as Textual skips it)
            cells = [data.get(column.key) for column in columns]
            texts = [c for c in cells if type(c) is CellText]  # a WrappedCell is not one line
            if row.label is not None or row.auto_height or len(texts) != len(cells):
                rest.append(key)
                continue
            for column, value in zip(columns, texts, strict=True):
                width = cell_width(value)
                if width > column.content_width:
                    column.content_width = width
        return rest

    def add_row(self, *cells: Any, height: int | None = 1, key: str | None = None, label: Any = None) -> Any:
        shown = [cell(value) for value in cells]
        return super().add_row(*shown, height=height, key=key, label=cell(label) if label is not None else None)

    def add_rows(self, rows: Any) -> list[Any]:
        return [self.add_row(*row) for row in rows]

    def update_cell(self, row_key: Any, column_key: Any, value: Any, *, update_width: bool = False) -> None:
        super().update_cell(row_key, column_key, cell(value), update_width=update_width)

    def update_cell_at(self, coordinate: Any, value: Any, *, update_width: bool = False) -> None:
        super().update_cell_at(coordinate, cell(value), update_width=update_width)



# What an Input with a ``max_length`` says when more would not fit (never nothing).
TOO_LONG = {
    "paste": "Niet geplakt: hier passen hoogstens {limit} tekens, met de geplakte tekst zouden het er {length} zijn. "
             "Maak de tekst korter en plak opnieuw.",
    "full": "Dit veld is vol: hier passen hoogstens {limit} tekens.",
}


def dutch_count(n: int) -> str:
    """20000 -> '20.000'."""
    return f"{n:,}".replace(",", ".")


async def run_own_binding(widget: Widget, event: events.Key) -> bool:
    """Run ``widget``'s own (not priority) binding for this key at once, in the widget's
    turn, and stop the key; False when it has none or its action does not run.

    Textual handles a typed letter in the field itself but sends a bound key (backspace,
    the arrows, delete) up to the app first, behind every key already waiting there: keys
    read in one go (a fast typist, a busy laptop catching up, a script) then had their
    backspace applied after the letters typed after it ("demo wachtwoord" with a typo
    corrected came out wrong; Textual issue 6605). The focused widget's bindings come
    first in the app's binding chain, and priority bindings were already tried before
    the key reached the widget, so the same action runs, only in order. One difference:
    a key the field binds no longer bubbles, so a parent's ``on_key`` does not see it
    (backspace, the arrows the field uses, home/end, enter); handle such keys with a
    binding on the parent, or a subclass binding of the field. The app's keymap
    (``App.set_keymap``) is not applied here; the app sets none.
    """
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):  # Textual's own map (pinned version)
        if not binding.priority and await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False


class Input(_w.Input):
    """An Input that drops control characters and escape sequences, typed or pasted.

    A pasted text of several lines becomes one line (the lines joined by a
    space), not only its first line: nothing pasted is dropped without a trace.
    A paste that would make the value longer than ``max_length`` is refused
    as a whole with a notice that says how much fits (Textual drops it
    silently); a key typed into a full field says so once.
    """

    _told_full = False
    # Every key typed here is handled before the app reads the next one (screens/app.py
    # ``_handled_by``): a fast typist's (or a script's) ctrl+s right after the last letters
    # must find them in the field, not act while they still wait in its queue.
    KEYS_IN_ORDER = True

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable:
            await run_own_binding(self, event)  # backspace, arrows: in order with the letters
        await super()._on_key(event)

    def _watch_value(self, value: str) -> None:
        # Textual's watcher sets ``virtual_size``, a layout reactive, which the next layout
        # sets back: a layout of the whole screen on every key typed (tens of ms in a full
        # Vandaag, issue 19). Set it quietly first, so Textual's assignment changes nothing.
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)

    def _on_paste(self, event: Any) -> None:
        event.prevent_default()  # instead of Input's own handler, which keeps only the first line
        if event.text:
            # A copied line often ends in a line break: that is no space to keep.
            line = clean_text(event.text.strip("\r\n\x0b\x0c\u2028\u2029"), multiline=False)
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(line)
            else:
                self.replace(line, *selection)
        event.stop()

    def replace(self, text: str, start: int, end: int) -> None:
        text = clean_text(text, multiline=False)
        if self.max_length and text:
            value = self.value
            low, high = sorted((max(0, start), min(len(value), end)))
            length = len(value) - (high - low) + len(text)
            if length > self.max_length:
                self._too_long(length, pasted=len(text) > 1)
                return
        self._told_full = False
        super().replace(text, start, end)

    def _too_long(self, length: int, *, pasted: bool) -> None:
        self.restricted()  # the bell, as for any key the field refuses
        limit = dutch_count(self.max_length or 0)
        if pasted:
            self.app.notify(TOO_LONG["paste"].format(limit=limit, length=dutch_count(length)), severity="warning")
        elif not self._told_full:  # a key held down: one notice
            self._told_full = True
            self.app.notify(TOO_LONG["full"].format(limit=limit), severity="warning")

    def validate_value(self, value: str) -> str:
        # Also when a value is set from code (a draft, the store's older data).
        return value if value.isprintable() else clean_text(value, multiline=False)


class TextArea(_w.TextArea):
    """A TextArea that drops control characters and escape sequences, typed or pasted."""

    KEYS_IN_ORDER = True  # as Input: ctrl+s after fast typing finds every letter in the field

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(clean_text(text, multiline=True), **kwargs)

    # Keys the TextArea itself turns into text or focus moves (Textual's ``_on_key``).
    _OWN_KEYS = frozenset({"enter", "tab", "escape"})

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable and event.key not in self._OWN_KEYS:
            await run_own_binding(self, event)  # as Input: backspace and arrows in order with the letters
        await super()._on_key(event)

    def _replace_via_keyboard(self, insert: str, start: Any, end: Any) -> Any:
        if not insert.isprintable():
            insert = clean_text(insert, multiline=True)
        return super()._replace_via_keyboard(insert, start, end)

    def load_text(self, text: str) -> None:
        super().load_text(clean_text(text, multiline=True))
