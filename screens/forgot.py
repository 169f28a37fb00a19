"""Wachtwoord vergeten? (F1 on the unlock screen): what to do without your
passphrase, and, with the recovery code at hand, a new one set here.

Not on the way to the unlock screen's first frame: the unlock screen
imports this module when F1 is pressed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical

from jongerenteam import start
from jongerenteam.errors import WrongPassphrase
from jongerenteam.passphrase import advice, weakness
from screens.background import Failure, run_in_thread
from screens.dialogs import Dialog
from screens.setup import Note
from screens.text import Input, Label, Static
from screens.widgets import SteadyFooter

# The "Wachtwoord vergeten?" dialog.
FORGOT = {
    "title": "Wachtwoord vergeten?",
    "explain": (
        "Niemand kan je wachtwoord voor je opzoeken, ook de coördinator niet. "
        "Wel kan een coördinator een nieuw wachtwoord voor je instellen: vraag dat aan een "
        "coördinator van je team. Die doet dat in Team, bij 'Wachtwoord herstellen', met de herstelcode uit de kluis. "
        "Je dossiers blijven gewoon leesbaar voor je."
    ),
    "self": "Heb je de herstelcode van papier zelf bij de hand? Stel dan hier een nieuw wachtwoord in voor {name}.",
    "pick_first": "Wil je de herstelcode zelf gebruiken? Kies dan eerst je naam in de lijst (Esc) en druk opnieuw op F1.",
    "code": "Herstelcode (van papier)",
    "code_placeholder": "7 groepjes van 4 tekens",
    "new": "Nieuw wachtwoord",
    "new_placeholder": "een zin van een paar woorden",
    "again": "Nieuw wachtwoord nog een keer",
    "again_placeholder": "nog een keer hetzelfde",
    "save_hint": "Enter in het laatste veld stelt het nieuwe wachtwoord in.",
    "required_code": "Vul de herstelcode van papier in.",
    "code_length": "Een herstelcode heeft 28 tekens: 7 groepjes van 4. Kijk de code op papier na.",
    "edge_space": "Begin of eindig het wachtwoord niet met een spatie.",
    "required_again": "Typ het nieuwe wachtwoord hier nog een keer.",
    "mismatch": "De twee wachtwoorden zijn niet gelijk. Kijk ze na en probeer het opnieuw.",
    "busy": "Bezig… de herstelcode wordt gecontroleerd en het nieuwe wachtwoord ingesteld. Dit duurt een paar seconden.",
}
RECOVERY_CODE_LENGTH = 28


class ForgotPassphraseScreen(Dialog):
    """What to do without your passphrase; with the recovery code, set a new one here.

    Dismisses with the worker's name once their new passphrase works, else None.
    Uses ``jongerenteam.start.reset_with_recovery`` as ``jongerenteam recover`` does: the
    worker's student keys are rewrapped through the escrow, and a
    'recovery' entry lands in the audit log.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "next", "Verder", priority=True)]
    MESSAGE_ID = "forgot-message"
    FIELDS = ("forgot-code", "forgot-new", "forgot-again")

    def __init__(self, store: Any, worker_id: str | None, worker_name: str) -> None:
        super().__init__()
        self.team_store = store  # not "store": the dialogs' own store() saves in a thread
        self.worker_id = worker_id
        self.worker_name = worker_name

    def compose(self) -> ComposeResult:

        with Vertical(id="forgot-box"):
            yield Static(FORGOT["title"], classes="title")
            yield Static(FORGOT["explain"], classes="setup-intro")
            if self.worker_id is None:
                yield Static(FORGOT["pick_first"], classes="setup-intro")
            else:
                yield Note(FORGOT["self"].format(name=self.worker_name), classes="setup-intro")
                yield from self._field("forgot-code", FORGOT["code"], FORGOT["code_placeholder"])
                yield from self._field("forgot-new", FORGOT["new"], FORGOT["new_placeholder"])
                yield from self._field("forgot-again", FORGOT["again"], FORGOT["again_placeholder"], hint=FORGOT["save_hint"])
            yield Note("", id="forgot-message", classes="hint")
        yield SteadyFooter()

    @staticmethod
    def _field(field_id: str, label: str, placeholder: str, *, hint: str = "") -> ComposeResult:

        yield Label(label, classes="setup-label")
        yield Input(placeholder=placeholder, id=field_id, password=True)
        yield Note(hint, id=f"hint-{field_id}", classes="hint")
        yield Note("", id=f"err-{field_id}", classes="error")

    def on_mount(self) -> None:
        if self.worker_id is not None:
            self.query_one("#forgot-code", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next":
            return self.worker_id is not None and (None if self.busy else True)
        if action == "cancel":
            return None if self.busy else True
        return True

    def value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value

    def problem(self, field_id: str) -> str | None:
        value = self.value(field_id)
        match field_id:
            case "forgot-code":
                cleaned = "".join(c for c in value if c.isalnum())
                if not cleaned:
                    return FORGOT["required_code"]
                return None if len(cleaned) == RECOVERY_CODE_LENGTH else FORGOT["code_length"]
            case "forgot-new":
                if value and value != value.strip():
                    return FORGOT["edge_space"]
                return weakness(value, names=(self.worker_name, *self.worker_name.split()))
            case "forgot-again":
                if not value:
                    return FORGOT["required_again"]
                return None if value == self.value("forgot-new") else FORGOT["mismatch"]
        return None

    def check(self, field_id: str) -> bool:
        text = self.problem(field_id)
        self.query_one(f"#err-{field_id}", Static).update(text or "")
        if field_id == "forgot-new":
            self.query_one("#hint-forgot-new", Static).update("" if text else (advice(self.value(field_id)) or ""))
        return text is None

    @on(Input.Changed)
    def typing_clears_message(self, event: Input.Changed) -> None:
        if event.input.id in self.FIELDS:
            self.query_one(f"#err-{event.input.id}", Static).update("")

    def message(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#forgot-message", Static)
        widget.update(text)
        widget.set_class(error, "error")
        widget.set_class(not error, "hint")


    def action_next(self) -> None:
        if self.busy or self.worker_id is None:
            return
        focused = self.focused
        if isinstance(focused, Input) and focused.id in self.FIELDS:
            if not self.check(focused.id):
                return
            index = self.FIELDS.index(focused.id)
            if index + 1 < len(self.FIELDS):
                self.query_one(f"#{self.FIELDS[index + 1]}", Input).focus()
                return
        for field_id in self.FIELDS:
            if not self.check(field_id):
                self.query_one(f"#{field_id}", Input).focus()
                return
        self.busy = True
        self.refresh_bindings()
        self.message(FORGOT["busy"])
        store, worker_id = self.team_store, self.worker_id
        code, passphrase = self.value("forgot-code"), self.value("forgot-new")
        # The store may still be opening behind the unlock screen: this waits.
        run_in_thread(self, "reset", lambda: start.reset_with_recovery(store, code, worker_id, passphrase),
                      done=lambda _r: self.reset_done(), failed=self.reset_failed, exclusive=True)

    def reset_failed(self, failure: Failure) -> None:
        self.busy = False
        self.refresh_bindings()
        text = failure.text
        if isinstance(failure.error, WrongPassphrase):
            # A wrong secret is cleared, like a wrong passphrase; the new passphrase stays.
            code = self.query_one("#forgot-code", Input)
            with code.prevent(Input.Changed):  # the message below must stay
                code.value = ""
            code.focus()
            self.query_one("#err-forgot-code", Static).update(text)
            self.message("")
        else:
            self.message(text, error=True)

    def reset_done(self) -> None:
        self.busy = False
        for field_id in self.FIELDS:
            self.query_one(f"#{field_id}", Input).value = ""
        self.dismiss(self.worker_name)
