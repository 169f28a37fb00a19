"""The one dialog base of the screens, and the small dialogs built on it.

``Dialog`` is what every modal dialog derives from. It gives:

- Esc cancels (``action_cancel``): at once when nothing was typed, else
  after asking (``draft()`` says what was typed); never while saving;
- Tab and shift+Tab as priority bindings (``FastTab``): a fast typist's next
  key lands in the next field;
- one Dutch message line (``say``), hidden while empty, and an error line
  under every field (``row``, ``show_error``);
- ``store(call, done)``: the store call in a thread (``run_in_thread``); a
  ValidationError goes under its field, any other failure is one Dutch
  sentence in the message line, and what was typed stays;
- ``still_here()``: False once the app locked or the dialog closed while a
  thread ran (nothing then touches a screen that is gone);
- ``draft()``, ``snapshot()``/``apply()``, ``resume_state()``/``resume()``:
  what was typed survives a lock (screens/drafts.py).

``FormDialog`` is a Dialog laid out as a form: a title, a hint, the rows of
``fields()``, the message line; ctrl+s runs ``prepare()`` (check, return the
store call) and ``saved(result)``. Dialogs of one family set ``LOOK`` (a CSS
class: "dense" for the dossier's own forms, "team" for Team beheren) and
``MESSAGE_ID``; how each looks is in dialogs.tcss.

The small dialogs: ``Question`` (``Confirm``: j/n), ``InfoDialog``
(read-only text in a scrolling box), ``TypedConfirm`` (type a word).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

from screens.background import Failure, run_in_thread
from screens.interfaces import team_app
from screens.text import Input, Label, Static, TextArea
from screens.widgets import FAST_TAB_BINDINGS, DialogBox, FastTab, KeyChoice, SteadyFooter

if TYPE_CHECKING:
    from jongerenteam.domain import Concern
    from jongerenteam.session import TeamSession

TEXT = {
    "back": "Terug",
    "save": "Opslaan",
    "close": "Sluiten",
    "busy": "Bezig met opslaan…",
    "draft_back": "Je niet-opgeslagen invoer is teruggezet.",
    "form_hint": "Tab: volgend veld · ctrl+s: opslaan · Esc: terug",
    "discard": "Je hebt al iets getypt. Weggooien en teruggaan?",
    "yes_no": "j = ja · n = nee",
    "replace": "Er staat al een bestand {name}. Vervangen?",
}

DISCARD_QUESTION = TEXT["discard"]
DRAFT_BACK = TEXT["draft_back"]


def leave_asking_if_typed(screen: Screen[Any], typed: bool, leave: Callable[[], object]) -> None:
    """Esc on a form: ``leave()`` at once when nothing was typed, else after a yes."""
    if not typed:
        leave()
        return

    def answered(yes: bool | None) -> None:
        if yes:
            leave()

    screen.app.push_screen(Confirm(DISCARD_QUESTION), answered)


def unless_replacing(screen: Screen[Any], target: Path, then: Callable[[Path], object]) -> None:
    """``then(target)`` for a new file; for a file that is already there, after a yes ("Vervangen?")."""
    if not target.exists():
        then(target)
        return

    def answered(yes: bool | None) -> None:
        if yes:
            then(target)

    screen.app.push_screen(Confirm(TEXT["replace"].format(name=target.name)), answered)


class Dialog(FastTab, ModalScreen[Any]):
    """The one base of every dialog (module docstring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", TEXT["back"]),
        *FAST_TAB_BINDINGS,
    ]
    # Keys the Footer shows last, in this order, after a subclass's own: Esc
    # ends the row, as every dialog listed it (Textual would put a base's first).
    FOOTER_LAST: ClassVar[tuple[str, ...]] = ("escape",)
    # Dense dialogs keep their message line as an empty line when there is nothing to say.
    KEEP_MESSAGE_LINE: ClassVar[bool] = False
    # The Dutch message line at the bottom; the families keep the ids their tests know.
    MESSAGE_ID: ClassVar[str] = "dialog-message"
    # A CSS class on the dialog for the look of its family (dialogs.tcss).
    LOOK: ClassVar[str] = ""
    # A domain field (a ValidationError's) -> the id of the widget it is typed in.
    FIELD_IDS: ClassVar[dict[str, str]] = {}
    # Asked by screens/drafts.py: what the draft is, in words ("een gesprek").
    DRAFT_LABEL: ClassVar[str] = ""

    def __init__(self, session: TeamSession | None = None, *, restore: bool = False) -> None:
        super().__init__(classes=self.LOOK or None)
        self.session = session
        self.restore = restore
        self.busy = False
        self.initial: dict[str, Any] = {}
        # Unusual input the worker said yes to (``FormDialog.ask_first``), by its sentence.
        self.confirmed_concerns: set[str] = set()

    @classmethod
    def _merge_bindings(cls) -> BindingsMap:
        # Textual's merge keeps a key where the first (base) class put it; FOOTER_LAST moves keys to the end.
        merged = super()._merge_bindings()
        keys = dict(merged.key_to_bindings)
        for key in cls.FOOTER_LAST:
            if key in keys:
                keys[key] = keys.pop(key)
        return BindingsMap.from_keys(keys)

    # -- the message line and the error lines ---------------------------------------------

    @staticmethod
    def line(widget_id: str, classes: str) -> Static:
        """A message line, hidden while empty."""
        widget = Static("", id=widget_id, classes=classes)
        widget.display = False
        return widget

    def message_line(self) -> Static:
        line = self.line(self.MESSAGE_ID, "dialog-message")
        line.display = self.KEEP_MESSAGE_LINE
        return line

    def set_line(self, widget_id: str, text: str) -> None:
        """Put ``text`` in the line ``widget_id`` (shown when not empty); no such line: nothing."""
        try:
            line = self.query_one(f"#{widget_id}", Static)
        except NoMatches:
            return
        line.update(text)
        line.display = bool(text) or (widget_id == self.MESSAGE_ID and self.KEEP_MESSAGE_LINE)

    def say(self, text: str, *, busy: bool = False) -> None:
        """The message line: a Dutch sentence (an error), or what is going on (``busy``).

        An error is brought in view: in a long dialog the line may sit below
        the fold, where a failure would go unseen.
        """
        self.set_line(self.MESSAGE_ID, text)
        try:
            line = self.query_one(f"#{self.MESSAGE_ID}")
        except NoMatches:
            return
        line.set_class(busy and bool(text), "-busy")
        if text and not busy:
            self.call_after_refresh(line.scroll_visible, animate=False)

    def error_id(self, widget_id: str) -> str:
        """The id of the error line under the widget ``widget_id``."""
        return f"{widget_id}-error"

    def row_id(self, widget_id: str) -> str | None:
        """The id of the row (label and widget) of the widget ``widget_id``, if it has one."""
        return None

    def row(self, label: str, widget: Widget, *, hint: str | None = None) -> ComposeResult:
        """One field: the label left, the widget right; a hint line (optional) and an error line under it."""
        yield Horizontal(Label(label, classes="field-label"), widget, classes="field-row", id=self.row_id(widget.id or ""))
        if hint is not None:
            hint_line = Static(hint, id=f"{widget.id}-hint", classes="field-hint")
            hint_line.display = bool(hint)
            yield hint_line
        yield self.line(self.error_id(widget.id or ""), "field-error")

    def show_error(self, field: str, text: str, *, focus: bool = True) -> None:
        """The Dutch sentence under the field ``field`` (a domain field or a widget id), or in the message line."""
        widget_id = self.FIELD_IDS.get(field, field)
        line = self._static(self.error_id(widget_id)) if widget_id else None
        if line is None:
            self.say(text)
            line = self._static(self.MESSAGE_ID)
        else:
            line.update(text)
            line.display = bool(text)
            if text and focus:
                self.query_one(f"#{widget_id}").focus()
        # On a short terminal the line may sit below the fold: bring it in view.
        if text and line is not None:
            self.call_after_refresh(line.scroll_visible, animate=False)

    def _static(self, widget_id: str) -> Static | None:
        found = self.query(f"#{widget_id}").results(Static)
        return next(iter(found), None)

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Several sentences at once, each under its field; the first field gets the focus."""
        for field, text in reversed(problems):
            self.show_error(field, text)

    def clear_errors(self) -> None:
        for line in self.query(".field-error").results(Static):
            line.update("")
            line.display = False
        self.say("")

    # -- what was typed ------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Every field with an id, as it is now (for drafts)."""
        values: dict[str, Any] = {}
        for widget in self.query("Input, KeyChoice, TextArea"):
            if not widget.id:
                continue
            if isinstance(widget, Input):
                values[widget.id] = widget.value
            elif isinstance(widget, TextArea):
                values[widget.id] = widget.text
            elif isinstance(widget, KeyChoice):
                value = widget.value
                values[widget.id] = list(value) if isinstance(value, list) else value
        return values

    def apply(self, values: dict[str, Any]) -> None:
        """Fields back as ``snapshot`` had them (a draft after a lock)."""
        for widget_id, value in values.items():
            try:
                widget = self.query_one(f"#{widget_id}")
            except NoMatches:
                continue
            if isinstance(widget, Input):
                widget.value = value or ""
            elif isinstance(widget, TextArea):
                widget.text = value or ""
            elif isinstance(widget, KeyChoice):
                widget.value = value

    def draft(self) -> dict[str, Any] | None:
        """What was typed that would be lost; None when nothing was."""
        return None

    def resume_state(self) -> dict[str, Any] | None:
        """A dialog that can come back after a lock or a crash says what it needs (``resume``)."""
        return None

    def draft_label(self) -> str:
        """What the draft is, in words, for the question "Terugzetten?"."""
        return self.DRAFT_LABEL

    def take_draft(self) -> dict[str, Any] | None:
        """The draft kept at the lock, for a dialog rebuilt after it (once); None otherwise."""
        if not self.restore:
            return None
        return team_app(self).take_draft(self)

    # -- keys ------------------------------------------------------------------------------

    @on(KeyChoice.Done)
    def _choice_done(self, event: KeyChoice.Done) -> None:
        event.stop()
        self.choice_done(event.choice)

    def choice_done(self, choice: KeyChoice) -> None:
        """Enter on a picker: the next field (a dialog may save instead)."""
        self.focus_next()

    def action_cancel(self) -> None:
        if self.busy:
            return
        leave_asking_if_typed(self, bool(self.draft()), lambda: self.dismiss(None))

    # -- saving in a thread ----------------------------------------------------------------

    def still_here(self) -> bool:
        """False when the app locked (or the dialog closed) while a thread ran."""
        if not self.is_attached:
            return False
        session = self.session
        return session is None or (team_app(self).session is session and not session.is_locked)

    def store(self, call: Callable[[], Any], done: Callable[[Any], object], *, busy_text: str = TEXT["busy"]) -> None:
        """Run ``call`` in a thread, then ``done(result)``; a failure is shown (``show_failure``). Once at a time."""
        if self.busy:
            return
        self.busy = True
        self.say(busy_text, busy=True)

        def ok(result: Any) -> None:
            if not self.still_here():
                return
            self.busy = False
            self.say("")
            done(result)

        def failed(failure: Failure) -> None:
            if not self.still_here():
                return
            self.busy = False
            self.say("")
            self.show_failure(failure)

        run_in_thread(self, "dialog-save", call, done=ok, failed=failed, exclusive=True)

    def show_failure(self, failure: Failure) -> None:
        """A save that failed: under its field (a ValidationError), else in the message line."""
        self.show_error(failure.field or "", failure.text)


class Dense:
    """Mixin for the dossier's own quick forms (a talk, an agreement, a date, the status):
    the compact look ("dense" in dialogs.tcss), field ``f-<name>`` with its
    row ``row-<name>`` and error line ``err-<name>``, message line ``dd-message``."""

    LOOK: ClassVar[str] = "dense"
    MESSAGE_ID: ClassVar[str] = "dd-message"
    KEEP_MESSAGE_LINE: ClassVar[bool] = True

    def error_id(self, widget_id: str) -> str:
        return "err-" + widget_id.removeprefix("f-")

    def row_id(self, widget_id: str) -> str | None:
        return "row-" + widget_id.removeprefix("f-")


def ask_concern(
    screen: Screen[Any], concern: Concern, confirmed: set[str], save: Callable[[], None],
    refused: Callable[[str, str], None],
) -> None:
    """Possible but unusual input (a domain ``Concern``) asked j/n: a yes is remembered in
    ``confirmed`` (by its sentence) and saves again; a no goes under its field (``refused``)."""

    def answered(yes: bool | None) -> None:
        if yes:
            confirmed.add(concern.message)
            save()
        else:
            refused(concern.field, concern.message)

    screen.app.push_screen(Confirm(concern.message), answered)


class Unsure(Exception):
    """Raised by ``FormDialog.ask_first``: ``concern`` is asked before saving."""

    def __init__(self, concern: Concern) -> None:
        super().__init__(concern.message)
        self.concern = concern


class FormDialog(Dialog):
    """A form: title, hint, the rows of ``fields()``, the message line; ctrl+s saves.

    Subclasses yield their rows in ``fields()``, map domain fields to widget
    ids in FIELD_IDS, and implement ``prepare()`` (check what was typed;
    return the store call to run in a thread, None when nothing is to be
    done, or raise ValidationError) and ``saved(result)``. What was typed is
    never cleared: a failed save leaves every field as it was. ``draft()``
    is what differs from the form as it opened.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", TEXT["save"], priority=True),
    ]
    MESSAGE_ID = "fd-message"
    DIALOG_TITLE: ClassVar[str] = ""
    HINT: ClassVar[str] = TEXT["form_hint"]

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with DialogBox(classes="dialog-box"):
            yield Static(Text(self.title_text()), classes="title", id="dialog-title")
            if self.hint_text():
                yield Static(self.hint_text(), classes="hint dialog-hint")
            yield from self.fields()
            yield self.message_line()
        yield SteadyFooter()

    def title_text(self) -> str:
        return self.DIALOG_TITLE

    def draft_label(self) -> str:
        return self.DRAFT_LABEL or self.DIALOG_TITLE

    def hint_text(self) -> str:
        return self.HINT

    def fields(self) -> ComposeResult:
        yield from ()

    def on_resize(self) -> None:
        # On a short terminal (80x24) the fields sit without blank lines between them.
        self.set_class(self.size.height < 34, "-compact")

    # -- opening -------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.prefill()
        self.initial = self.snapshot()
        draft = self.take_draft()
        if draft:
            self.restore_draft(draft)
            self.notify(DRAFT_BACK)
        self.first_focus()

    # Subclasses set themselves up through these hooks, not an on_mount of their
    # own: Textual calls the on_mount of every class in the MRO.

    def prefill(self) -> None:
        """Default values (today's date, the current coach): not typed text."""

    def restore_draft(self, draft: dict[str, Any]) -> None:
        """Put back what was typed before a lock (``draft()`` made it)."""
        self.apply(draft.get("fields", {}))
        self.restored(draft)

    def restored(self, draft: dict[str, Any]) -> None:
        """A draft was put back (after a lock): update what follows the fields."""

    def first_focus(self) -> None:
        """Last, when the form is filled: where the worker starts."""
        self.focus_next()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.enter_pressed(event.input)

    def enter_pressed(self, field: Widget) -> None:
        """Enter in a one-line field: the next field (a dialog may save instead)."""
        self.focus_next()

    def draft(self) -> dict[str, Any] | None:
        values = self.snapshot()
        return {"fields": values} if values != self.initial else None

    # -- saving ----------------------------------------------------------------------------

    def prepare(self) -> Callable[[], Any] | None:
        """Check the fields; return the store call to run, or raise ValidationError
        (or ``Unsure``, through ``ask_first``)."""
        raise NotImplementedError

    def ask_first(self, concerns: Sequence[Concern]) -> None:
        """In ``prepare``: input that is possible but unusual (a domain ``Concern``) is asked
        (j/n) before anything is saved; a yes holds for that sentence while the form is open,
        a no puts it under its field with everything typed kept."""
        for concern in concerns:
            if concern.message not in self.confirmed_concerns:
                raise Unsure(concern)

    def action_save(self) -> None:
        if self.busy:
            return
        from jongerenteam.domain import ValidationError

        self.clear_errors()
        try:
            call = self.prepare()
        except ValidationError as exc:
            self.show_error(exc.field, exc.message)
            return
        except Unsure as unsure:
            ask_concern(self, unsure.concern, self.confirmed_concerns, self.action_save, self.show_error)
            return
        if call is not None:
            self.store(call, self.saved)

    def saved(self, result: Any) -> None:
        self.dismiss(result)


# -- small dialogs ------------------------------------------------------------------------------


class Question(Dialog):
    """A question with a few answers by key; the keys are the subclass's BINDINGS (``answer``)."""

    HINT: ClassVar[str] = ""

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question)
            yield Static(self.HINT, classes="hint")
        yield SteadyFooter()

    def action_answer(self, answer: Any) -> None:
        self.dismiss(answer)


class Confirm(Question):
    """A yes/no question; Enter or j is yes, Esc or n is no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,enter", "answer(True)", "Ja", key_display="j"),
        Binding("n,escape", "answer(False)", "Nee", key_display="n"),
    ]
    HINT = TEXT["yes_no"]


class InfoDialog(Dialog):
    """Read-only text in a scrolling box; Esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", TEXT["close"])]

    def __init__(self, title: str, body: Text | str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="info-box", classes="dialog-box"):
            yield Static(Text(self.title_text), classes="title", id="info-title")
            yield Static(self.body, id="info-body")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#info-box").focus()


class TypedConfirm(Dialog):
    """A confirmation that needs a word typed (``check``); Esc cancels."""

    MESSAGE_ID = "tc-error"

    def __init__(self, title: str, hint: str, *, placeholder: str, check: Callable[[str], bool],
                 wrong: str, keys: str) -> None:
        super().__init__()
        self.title_text, self.hint = title, hint
        self.placeholder, self.check, self.wrong, self.keys = placeholder, check, wrong, keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self.title_text, classes="title")
            yield Static(self.hint, classes="hint")
            yield Input(id="tc-word", placeholder=self.placeholder)
            yield self.message_line()
            yield Static(self.keys, classes="hint")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#tc-word").focus()

    @on(Input.Submitted, "#tc-word")
    def submitted(self, event: Input.Submitted) -> None:
        if self.check(event.value):
            self.dismiss(True)
        else:
            self.say(self.wrong)

    def action_cancel(self) -> None:
        self.dismiss(False)
