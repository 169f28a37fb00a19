"""Small widgets the forms share: a leefdomein picker, a confirmation, hints."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Footer

from jongerenteam.catalogue import LEEFDOMEINEN
from jongerenteam.search import fold
from screens.text import Static


class LeefdomeinPicker(Widget, can_focus=True):
    """The nine leefdomeinen; number keys 1-9 switch one on or off."""

    BINDINGS = [
        Binding(str(i + 1), f"toggle({i})", d.label, show=False) for i, d in enumerate(LEEFDOMEINEN)
    ] + [Binding("0", "clear", "Geen", show=False)]

    DEFAULT_CSS = """
    LeefdomeinPicker { height: auto; padding: 0 1; }
    LeefdomeinPicker:focus { background: $boost; }
    """

    chosen: reactive[frozenset[str]] = reactive(frozenset())

    def __init__(self, chosen=(), **kwargs) -> None:
        super().__init__(**kwargs)
        self.set_reactive(LeefdomeinPicker.chosen, frozenset(chosen))

    def render(self) -> Text:
        cells = []
        for i, d in enumerate(LEEFDOMEINEN):
            mark = "■" if d.code in self.chosen else "□"
            cells.append(f"{i + 1} {mark} {d.label}")
        # Three per line: fits 120 columns beside the labels.
        lines = ["   ".join(f"{c:<26}" for c in cells[i:i + 3]).rstrip() for i in range(0, 9, 3)]
        if self.has_focus:
            lines.append("toets 1-9 zet een leefdomein aan of uit, 0 zet alles uit")
        return Text("\n".join(lines))

    def action_toggle(self, index: int) -> None:
        code = LEEFDOMEINEN[index].code
        self.chosen = self.chosen ^ {code}

    def action_clear(self) -> None:
        self.chosen = frozenset()

    @property
    def codes(self) -> list[str]:
        return [d.code for d in LEEFDOMEINEN if d.code in self.chosen]

    def _on_focus(self, event) -> None:
        self.refresh()

    def _on_blur(self, event) -> None:
        self.refresh()


class Confirm(ModalScreen[bool]):
    """A yes/no question; Enter or j is yes, Esc or n is no."""

    BINDINGS = [
        Binding("j,enter", "answer(True)", "Ja", key_display="j"),
        Binding("n,escape", "answer(False)", "Nee", key_display="n"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question)
            yield Static("j = ja · n = nee", classes="hint")
        yield Footer()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class SuggestWords(Suggester):
    """Complete from a list that may change (programmes the team entered)."""

    def __init__(self, words_fn) -> None:
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


# Tab and shift+Tab as *priority* bindings move focus before the next key is
# read: a fast typist (or a paste, or tmux send-keys) writing "Tab, text" in one
# burst gets the text in the next field, not in the one being left
# (docs/architecture.md, "Keys, focus and fast typists").
FAST_TAB_BINDINGS = [
    Binding("tab", "next_field", "Volgend veld", show=False, priority=True),
    Binding("shift+tab", "previous_field", "Vorig veld", show=False, priority=True),
]


class FastTab:
    """Mixin for forms: the synchronous focus moves behind FAST_TAB_BINDINGS."""

    def action_next_field(self) -> None:
        self.focus_next()

    def action_previous_field(self) -> None:
        self.focus_previous()


DISCARD_QUESTION = "Je hebt al iets getypt. Weggooien en teruggaan?"


def leave_asking_if_typed(screen, typed: bool, leave) -> None:
    """Esc on a form: ``leave()`` at once when nothing was typed, else after a yes."""
    if not typed:
        leave()
        return
    screen.app.push_screen(Confirm(DISCARD_QUESTION), lambda yes: leave() if yes else None)
