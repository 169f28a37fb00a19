"""What the dossier screen, its tabs and their dialogs share.

A pane is one tab of the dossier (screens/dossier/screen.py). It shows a
folded ``Dossier`` (jongerenteam.dossier) and, when it saved something,
posts ``DossierChanged``: the screen then re-reads the file (without a
second 'open' in the log: the change itself was logged) and calls ``show``
on every pane. A pane fills itself only while its tab is shown (a hidden
one when it is shown again). Panes never keep decrypted data beyond what
they show.

``DossierDialog`` is a form about one student's file (the one dialog base,
screens/dialogs.py): after it saved, the dossier of that student reads
itself again, with the new entry highlighted.

Also the words the tabs share: who did something, dates, the history of
an edited entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical

from jongerenteam import dossier as d
from jongerenteam.dates import local_time
from jongerenteam.entries import Change
from screens.background import Failure, run_in_thread
from screens.dialogs import Confirm, FormDialog
from screens.drafts import involved_record
from screens.messages import DossierChanged, dossier_changed
from screens.text import DataTable, Static
from screens.widgets import LineTable, highlighted_key, keep_cursor

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.session import TeamSession

TEXT = {
    "unknown": "onbekend",
    "history": "Eerdere versies ({n})",
    "no_history": "Nog niet gewijzigd.",
    "change": "{at} wijzigde {by} dit. Daarvoor stond er:",
    "empty": "(leeg)",
    "coach": "studiecoach {name}",
}

FIELD_LABELS = {
    "tekst": "Verslag", "verhaal": "Verhaal van de student", "zorgen": "Zorgen van school",
    "hulpvraag": "Hulpvraag", "minuten": "Duur (minuten)", "deelnemers": "Deelnemers", "type": "Soort",
    "status": "Status", "opvolgen": "Opvolgen", "uiterlijk": "Uiterlijk", "wat": "Wat",
}


# -- words ---------------------------------------------------------------------------------


def day_text(value: date | None) -> str:
    return f"{value:%d-%m-%Y}" if value else ""


def moment_text(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:  # history stamps are stored in UTC
        value = local_time(value).replace(tzinfo=None)
    return f"{value:%d-%m-%Y %H:%M}"


def first_line(text: str, width: int = 70) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


def worker_name(session: TeamSession, worker_id: str | None) -> str:
    w = session.workers.get(worker_id or "")
    return w.full_name if w else TEXT["unknown"]


def initials(session: TeamSession, worker_id: str | None) -> str:
    w = session.workers.get(worker_id or "")
    return w.initials if w else "?"


def who_text(session: TeamSession, who: d.Who) -> str:
    if who.kind == "medewerker":
        return worker_name(session, who.worker_id)
    if who.kind == "coach":
        return TEXT["coach"].format(name=who.name).strip()
    if who.kind == "anders":
        return who.name
    return d.WHO_KINDS.get(who.kind, who.kind)


def _value_text(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None or value == "":
        return TEXT["empty"]
    return str(value)


def history_text(session: TeamSession, history: list[Change]) -> Text:
    """Every earlier version of an edited entry, the latest change first."""
    text = Text()
    text.append(TEXT["history"].format(n=len(history)) + "\n", style="bold")
    if not history:
        text.append(TEXT["no_history"])
        return text
    for change in reversed(history):
        text.append(TEXT["change"].format(at=moment_text(change.at), by=worker_name(session, change.by)) + "\n", style="italic")
        for key, value in change.old.items():
            text.append(f"  {FIELD_LABELS.get(key, key)}: ", style="bold")
            text.append(_value_text(value) + "\n")
    text.rstrip()  # in place
    return text


# -- panes ------------------------------------------------------------------------------------


class DossierPane(Vertical, can_focus=False):
    """One tab of the dossier. Subclasses set TAB_TITLE and implement ``fill``."""

    TAB_TITLE: ClassVar[str] = ""

    def __init__(self, session: TeamSession, record: StudentRecord, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.record = record
        self.dossier: d.Dossier | None = None
        # An entry a dialog just added: its list highlights it at the next fill.
        self.select: str | None = None
        self.pending = False

    def show(self, dossier: d.Dossier, record: StudentRecord, *, select: str | None = None) -> None:
        """Show ``dossier`` (and the directory ``record``, for the header data): now if the tab is shown, else when it is.

        ``select``: an entry just added, which its list highlights.
        """
        self.dossier, self.record = dossier, record
        if select is not None:
            self.select = select
        self.pending = True
        if self.is_mounted and self.display:
            self.fill()

    def activated(self) -> None:
        """The tab is shown: fill it if a newer file came while it was hidden."""
        if self.pending and self.dossier is not None:
            self.fill()

    def fill(self) -> None:
        self.pending = False

    def focus_main(self) -> None:
        """Focus what the tab is about (its list), so its keys are in the footer."""

    @property
    def shown(self) -> d.Dossier:
        """The dossier on screen (fill runs only once there is one)."""
        if self.dossier is None:
            raise LookupError("dossier")
        return self.dossier

    def changed(self) -> None:
        """This pane saved something: the screen reads the file again."""
        self.post_message(DossierChanged())

    def added(self, result: object) -> None:
        """A dialog of this tab closed: the entry it added (its id) is highlighted once the file is read again."""
        if isinstance(result, str):
            self.select = result

    def take_select(self) -> str | None:
        """The entry to highlight at this fill (once)."""
        select, self.select = self.select, None
        return select

    def store(self, call: Callable[[], object], done: Callable[[Any], object] | None = None,
              failed: Callable[[Failure], object] | None = None, *, said: str = "") -> None:
        """Run a store call off the UI thread; then ``done(result)``, or by default say ``said`` and
        read the file again. A failure is a Dutch notification (or ``failed``); what the worker
        typed stays where it was."""

        def saved(_result: object) -> None:
            if said:
                self.notify(said)
            self.changed()

        run_in_thread(
            self, "dossier-store", call,
            done=done or saved,
            failed=failed or (lambda f: self.notify(f.text, severity="error")),
        )

    def store_after_yes(self, question: str, call: Callable[[], object], said: str,
                        failed: Callable[[Failure], object] | None = None) -> None:
        """Ask ``question`` (j/n); on a yes ``store(call, said=said)``."""

        def answered(yes: bool | None) -> None:
            if yes:
                self.store(call, failed=failed, said=said)

        self.app.push_screen(Confirm(question), answered)


class FocusOnShow(DossierPane):
    """A pane that, when its tab appears and the focus is nowhere or still in the tab
    just hidden (Textual hands it to a hidden sibling of the list that lost it),
    focuses its own list, so its keys work and show in the footer."""

    def on_show(self) -> None:
        self.call_after_refresh(self._claim_focus)

    def _claim_focus(self) -> None:
        if not self.is_attached or not self.display:
            return
        screen = self.screen
        focused = screen.focused
        lost = focused is None or any(not node.display for node in focused.ancestors_with_self)
        if screen.is_current and lost:
            self.focus_main()


class TablePane(FocusOnShow):
    """A tab around DataTables whose columns are set once (``TABLES``); ``MAIN`` gets the focus."""

    # table id -> (label, width) per column
    TABLES: ClassVar[dict[str, Sequence[tuple[str, int | None]]]] = {}
    MAIN: ClassVar[str] = ""

    def on_mount(self) -> None:
        for table_id, columns in self.TABLES.items():
            table = self.query_one(f"#{table_id}", DataTable)
            for label, width in columns:
                table.add_column(label, width=width, key=label)
        if self.dossier is not None and self.display:
            self.fill()

    def focus_main(self) -> None:
        self.query_one(f"#{self.MAIN}").focus()

    def keep(self, table: DataTable, key: str | None) -> None:
        """Back on the entry just added, else on the row that was highlighted."""
        keep_cursor(table, self.take_select(), key)

    def highlighted(self, table_id: str) -> str | None:
        return highlighted_key(self.query_one(f"#{table_id}", DataTable))


class ListPane(DossierPane):
    """A tab around one LineTable whose rows stand for entries with ids."""

    COLUMNS: ClassVar[list[tuple[str, int | None]]] = []
    EMPTY: ClassVar[str] = ""
    SELECTABLE: ClassVar[bool] = True
    TABLE_ID: ClassVar[str] = ""

    def __init__(self, session: TeamSession, record: StudentRecord, **kwargs: Any) -> None:
        super().__init__(session, record, **kwargs)
        self.ids: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(self.EMPTY, classes="list-empty")
        yield LineTable(self.COLUMNS, id=self.TABLE_ID, selectable=self.SELECTABLE)

    def on_mount(self) -> None:
        self.query_one(".list-empty").display = False

    @property
    def table(self) -> LineTable:
        return self.query_one(LineTable)

    def focus_main(self) -> None:
        self.table.focus()

    def set_rows(self, ids: list[str], rows: Sequence[tuple[str | Text, ...]]) -> None:
        select = self.take_select()
        keep = select if select in ids else self.current_id()
        self.ids = ids
        self.table.set_rows(rows, ids.index(keep) if keep in ids else None)
        self.query_one(".list-empty").display = not ids

    def current_id(self) -> str | None:
        if not self.ids:
            return None
        return self.ids[min(self.table.cursor, len(self.ids) - 1)]


# -- dialogs ---------------------------------------------------------------------------------------


class DossierDialog(FormDialog):
    """A form about one student's file; after saving, that dossier is read again.

    Rebuilt after a lock (same student, draft put back) as
    ``cls(session, record, restore=True)`` when REOPEN_AFTER_LOCK; dialogs
    with more arguments override ``resume_state`` and ``resume``.
    """

    REOPEN_AFTER_LOCK: ClassVar[bool] = True

    def __init__(self, session: TeamSession, record: StudentRecord, *, restore: bool = False) -> None:
        super().__init__(session, restore=restore)
        self.session: TeamSession = session
        self.record = record

    def saved(self, result: Any) -> None:
        text = self.saved_text(result)
        if text:
            self.app.notify(text)
        # A new entry's id: its list highlights it after the re-read.
        dossier_changed(self.app, self.record.id, result if isinstance(result, str) else None)
        self.dismiss(result)

    def saved_text(self, result: Any) -> str:
        return ""

    def read_file_again(self, done: Callable[[d.Dossier], object]) -> None:
        """Read this student's file again in a thread (no second 'open' in the log), then
        ``done(dossier)`` if the dialog is still there; a failure is said in the message line.

        After a ``Conflict`` this is how a dialog takes the colleague's version as
        the one it saw, keeping what was typed: the next ctrl+s is then a knowing
        choice, never a silent overwrite (NoteModal, DateModal)."""
        session, student_id = self.session, self.record.id

        def read(dossier: d.Dossier) -> None:
            if self.still_here():
                done(dossier)

        run_in_thread(self, "dossier-load", lambda: session.dossier.open_dossier(student_id, log=False), done=read,
                      failed=lambda f: self.say(f.text))

    def resume_state(self) -> dict[str, Any] | None:
        return {"student": self.record.id} if self.REOPEN_AFTER_LOCK else None

    @classmethod
    def resume(cls, session: TeamSession, state: dict[str, Any]) -> DossierDialog | None:
        record = involved_record(session, state)
        if record is None:
            return None
        return cls(session, record, restore=True)
