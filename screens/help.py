"""Help for the screen in front of the worker: F1 (and ? where no field takes letters).

What a screen is for is its ``HELP`` text (two or three Dutch sentences; a
dialog without its own says what every form does). Its keys come from the
screen's ``active_bindings``, the very list the Footer draws, so the help
cannot drift from what the keys do; it also lists the keys the Footer leaves
out for lack of room.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen

from screens.text import DataTable, Static, Text, wrapped_cell
from screens.widgets import SteadyFooter

TEXT = {
    "title": "Hulp: {what}",
    "this_screen": "dit scherm",
    "keys": "Toetsen",
    "close": "Sluiten",
    "hint": "Esc of F1 sluit de hulp. ctrl+p zoekt in alle opdrachten.",
    "form": (
        "Vul de velden in; Tab gaat naar het volgende veld. ctrl+s bewaart. Klopt er iets niet, dan staat de "
        "melding bij het veld en blijft alles wat je typte staan. Esc gaat terug."
    ),
    "dialog": "Kies met de toetsen hieronder. Esc gaat terug.",
}
# Keys people know by another name than Textual's.
KEY_NAMES = {"escape": "Esc", "enter": "Enter", "tab": "Tab", "space": "spatie", "question_mark": "?"}
# Textual's own widget keys (their descriptions are English): said once, in Dutch, instead.
MOVING = [
    ("↑ ↓ pgup pgdn home end", "door een lijst of een tekst bewegen"),
    ("Tab / shift+Tab", "naar het volgende / het vorige veld of de volgende lijst"),
]


def _textuals_own(node: object, binding: Binding) -> bool:
    """Whether ``binding`` comes from a Textual widget's own BINDINGS (English), not from this app."""
    for cls in type(node).__mro__:
        for declared in cls.__dict__.get("BINDINGS") or ():
            # By action and description: Textual splits a binding of several keys into one per key.
            if isinstance(declared, Binding) and (declared.action, declared.description) == (
                binding.action, binding.description,
            ):
                return cls.__module__.startswith("textual")
    return False


def screen_help(screen: Screen[Any]) -> tuple[str, str, list[tuple[str, str]]]:
    """(what the screen is called, what it is for, its keys as (key, what it does)) for ``screen``."""
    from screens.dialogs import Dialog, FormDialog

    what = getattr(screen, "HELP_TITLE", "") or ""
    if not what and isinstance(screen, Dialog):
        title = getattr(screen, "title_text", None)
        what = title() if callable(title) else ""
    about = getattr(screen, "HELP", "") or ""
    if not about:
        about = TEXT["form"] if isinstance(screen, FormDialog) else TEXT["dialog"]
    keys: list[tuple[str, str]] = []
    seen: set[str] = set()
    app = screen.app
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or not active.enabled or binding.description in seen:
            continue
        if _textuals_own(active.node, binding):
            continue
        seen.add(binding.description)
        # ctrl+n as the guide writes it (the Footer's "^n" is short for it).
        shown = binding.key_display or KEY_NAMES.get(key) or (key if key.startswith("ctrl+") else app.get_key_display(binding))
        keys.append((shown, binding.description))
    return what or TEXT["this_screen"], about, keys + MOVING


class HelpScreen(ModalScreen[None]):
    """The help of one screen: what it is for, and every key it has now."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", TEXT["close"]),
        Binding("f1", "dismiss", TEXT["close"], show=False),
    ]

    def __init__(self, what: str, about: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.what, self.about, self.keys = what, about, keys

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Text(TEXT["title"].format(what=self.what)), classes="title")
            yield Static(Text(self.about), id="help-about")
            yield Static(TEXT["keys"], classes="panel-title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Static(TEXT["hint"], classes="hint")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#help-keys", DataTable).focus()
        self.call_after_refresh(self.fill)  # the table's width is known once laid out

    def on_resize(self) -> None:
        self.call_after_refresh(self.fill)

    def fill(self) -> None:
        """The keys, with the "Wat" column as wide as the table leaves it: a long description
        wraps onto a second line instead of being cut off at the edge."""
        table = self.query_one("#help-keys", DataTable)
        pad = 2 * table.cell_padding
        key_width = max((cell_len(k) for k, _ in self.keys), default=5)
        key_width = max(key_width, cell_len("Toets"))
        # Room for the vertical scrollbar whether or not it shows (it comes with the rows).
        room = table.scrollable_content_region.width - table.styles.scrollbar_size_vertical
        does_width = max(20, room - key_width - 2 * pad)
        if table.columns and list(table.columns.values())[-1].width == does_width:
            return
        row = table.cursor_row
        table.clear(columns=True)
        table.add_column("Toets", width=key_width)
        table.add_column("Wat", width=does_width)
        for key, does in self.keys:
            table.add_row(Text(key), wrapped_cell(does), height=None)
        table.move_cursor(row=min(row, len(self.keys) - 1))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
