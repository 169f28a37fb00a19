"""One handover's card: where it stands, its steps, its document, and the keys
for the next steps the state machine and the worker's role allow (accept,
decline, kennismaking, contact, afronden, intrekken), read access,
follow-up date, PDF and text export.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget

from jongerenteam import domainwords
from jongerenteam import handover as h
from jongerenteam.dates import local_today, parse_date
from jongerenteam.domain import ValidationError
from screens.background import Failure, run_in_thread
from screens.dialogs import Confirm, Dialog, FormDialog
from screens.messages import dossier_changed
from screens.text import Input, Static
from screens.widgets import SteadyFooter

if TYPE_CHECKING:
    from jongerenteam.handover import HandoverView
    from jongerenteam.session import TeamSession

from screens.handover.wizard import HandoverDialog
from screens.handover.words import TEXT, WORD_STYLE

# -- one handover ------------------------------------------------------------------------


class LineDialog(FormDialog):
    """One field and a store call: a reason, a date, a number of days, a path."""

    FIELD_IDS: ClassVar[dict[str, str]] = {"value": "ld-value", "reason": "ld-value", "on": "ld-value", "follow_up": "ld-value",
                 "access_days": "ld-value", "path": "ld-value", "state": "ld-value", "given_by": "ld-value",
                 "consent": "ld-value"}
    HINT = TEXT["line_hint"]

    def __init__(self, session: TeamSession, title: str, label: str, make_call: Callable[[str], Callable[[], Any]], *,
                 value: str = "", saved_text: str = "") -> None:
        super().__init__(session)
        self.dialog_title = title
        self.label = label
        self.make_call = make_call
        self.value = value
        self.saved_text = saved_text

    def title_text(self) -> str:
        return self.dialog_title

    def fields(self) -> ComposeResult:
        yield from self.row(self.label, Input(self.value, id="ld-value"))

    def enter_pressed(self, field: Widget) -> None:
        self.action_save()

    def prepare(self) -> Any:
        return self.make_call(self.query_one("#ld-value", Input).value)

    def saved(self, result: Any) -> None:
        if self.saved_text:
            self.app.notify(self.saved_text.format(result=result), timeout=8)
        self.dismiss(result)


def held_consent_dialog(session: TeamSession, row: h.HandoverRow) -> LineDialog:
    """Recording the consent that opens a held file for me, the new contact person (g on the
    handover card, and on the student when opened from a list). Dismissed with the new row."""

    def make(v: str) -> Callable[[], Any]:
        giver = {"s": "student", "student": "student", "o": "ouders", "ouders": "ouders",
                 "b": "beide", "beide": "beide"}.get(v.strip().lower())
        if giver is None:
            raise ValidationError("value", TEXT["consent_giver_bad"])
        return lambda: session.handover.record_held_consent(row, giver)

    return LineDialog(session, TEXT["consent_title"], TEXT["consent_label"], make, value="student",
                      saved_text=TEXT["consent_done"])


def _date(text: str, field: str) -> date:
    return parse_date(text, today=local_today(), field=field, upcoming=True)


class HandoverCard(Dialog):
    """One handover: where it stands, its steps, its document, the next steps."""

    FOOTER_LAST: ClassVar[tuple[str, ...]] = ()  # Esc first in the Footer here
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Terug"),
        Binding("a", "step('accept')", "Accepteren"),
        Binding("x", "step('decline')", "Afwijzen"),
        Binding("k", "step('meeting')", "Kennismaking"),
        Binding("c", "step('contact')", "Contact bevestigd"),
        Binding("f", "step('finish')", "Afronden"),
        Binding("i", "step('withdraw')", "Intrekken"),
        Binding("l", "access", "Meelezen"),
        Binding("e", "end_access", "Stop met meelezen"),
        Binding("g", "consent", "Toestemming vastleggen"),
        Binding("o", "follow_up", "Opvolgdatum"),
        Binding("p", "export('pdf')", "PDF"),
        Binding("t", "export('txt')", "Tekst"),
        Binding("n", "new", "Nieuwe overdracht"),
    ]
    STEP_STATES: ClassVar[dict[str, str]] = {"accept": h.ACCEPTED, "decline": h.DECLINED, "meeting": h.MEETING,
                   "contact": h.CONTACT, "finish": h.DONE, "withdraw": h.WITHDRAWN}

    def __init__(self, session: TeamSession, view: HandoverView) -> None:
        super().__init__(session)
        self.session: TeamSession = session
        self.view = view
        self.access_mode = ""  # "ja", "korter" or "": what l may do (HandoverService.may_change_access_days)
        self.can_end_access = False
        self.hits: list[domainwords.Hit] = []  # words of leefdomeinen without consent today (export refuses)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", id="hc-body")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.show()
        self.check_words()

    def check_words(self) -> None:
        """Whether the stored document names leefdomeinen without consent today (consent
        withdrawn since, or older than the check): read in a thread, then highlighted."""
        s, view = self.session, self.view
        if not view.document or not s.is_involved(view.row.student_id):
            return

        def found(hits: list[domainwords.Hit]) -> None:
            if self.is_attached and hits != self.hits:
                self.hits = hits
                self.show()

        run_in_thread(self, "handover-card", lambda: s.handover.unconsented_words(view), done=found,
                      failed=lambda f: self.notify(f.text, severity="error"))

    def show(self) -> None:
        v, row = self.view, self.view.row
        t = Text()
        t.append(TEXT["card_title"].format(kind=h.KIND_SHORT[row.kind], state=h.state_label(row.state)) + "\n", style="bold")
        t.append(f"{v.student_name}\n")
        t.append(TEXT["card_from"].format(name=v.from_name) + "\n")
        t.append(TEXT["card_to"].format(name=v.receiver_label) + "\n")
        if row.follow_up and row.open:
            key = "card_meeting" if row.state == h.MEETING else "card_follow"
            t.append(TEXT[key].format(day=row.follow_up) + "\n")
        if row.kind == h.INTERN and row.state not in (h.PROPOSED, h.DECLINED, h.WITHDRAWN):
            until = self.session.handover.read_access_until(row.student_id, row.from_worker_id)
            if until:
                t.append(TEXT["card_access"].format(name=v.from_name, until=until) + "\n")
                if row.state == h.MEETING and row.follow_up and until < row.follow_up:
                    t.append(TEXT["card_access_short"].format(name=v.from_name) + "\n", style="bold")
        if row.state == h.HELD:
            t.append(TEXT["card_held"] + "\n", style="bold")
        if not row.open:
            t.append(TEXT["card_new"].format(state=h.state_label(row.state)) + "\n", style="italic")
        if v.steps:
            t.append("\n" + TEXT["card_steps"] + "\n", style="bold")
            for at, state, text in v.steps:
                label = h.state_label(state)
                # Most step texts start with their state already ("Contact bevestigd: ...").
                shown = "" if text.lower().startswith(label.lower()) else f"{label}: "
                t.append(f"{at:%d-%m-%Y %H:%M}  {shown}", style="bold")
                t.append(f"{text}\n")
        t.append("\n" + TEXT["card_doc"] + "\n", style="bold")
        if v.document and row.state == h.PROPOSED and self.session.worker_id == row.to_worker_id:
            t.append(TEXT["proposal_doc"] + "\n", style="italic")
        if self.hits:
            t.append(TEXT["card_words"].format(what=domainwords.describe(self.hits)) + "\n", style="bold")
            pos = 0
            for hit in self.hits:
                t.append(v.document[pos:hit.start])
                t.append(v.document[hit.start:hit.end], style=WORD_STYLE)
                pos = hit.end
            t.append(v.document[pos:] + "\n")
        else:
            t.append((v.document or TEXT["not_readable"]) + "\n")
        if v.left_out:
            t.append("\n" + TEXT["left_out_title"] + "\n", style="bold")
            for what, why in v.left_out:
                t.append(f"- {what}: {why}\n")
        self.query_one("#hc-body", Static).update(t)
        self.access_mode = self.session.handover.may_change_access_days(row)
        self.can_end_access = self.session.handover.may_end_own_access(row)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        row = self.view.row
        if action == "step":
            state = self.STEP_STATES.get(str(parameters[0]))
            if state not in h.next_states(row):
                return False
            if state in (h.ACCEPTED, h.DECLINED):
                return self.session.worker_id == row.to_worker_id
            return self.session.is_involved(row.student_id)
        if action == "access":
            return row.kind == h.INTERN and row.state in (h.ACCEPTED, h.MEETING, h.DONE) and bool(self.access_mode)
        if action == "end_access":
            return self.can_end_access
        if action == "consent":
            return row.state == h.HELD and self.session.worker_id == row.to_worker_id
        if action == "follow_up":
            # With a kennismaking planned its date is the one to check on: k moves it.
            return row.open and row.kind != h.INTERN and row.state != h.MEETING and self.session.is_involved(row.student_id)
        if action == "export":
            return bool(self.view.document)
        if action == "new":
            return not row.open and self.session.is_involved(row.student_id)
        return True

    def action_new(self) -> None:
        record = self.session.students.get(self.view.row.student_id)
        if record is None:
            return
        self.dismiss(None)
        self.app.push_screen(HandoverDialog(self.session, record))

    def updated(self, new_row: h.HandoverRow) -> None:
        """After a step: read the handover again and show it."""
        dossier_changed(self.app, new_row.student_id)
        session, student_id = self.session, new_row.student_id

        def read() -> HandoverView | None:
            views = session.handover.handovers_of(student_id) if session.is_involved(student_id) else []
            return next((x for x in views if x.row.id == new_row.id), None)

        def failed(failure: Failure) -> None:
            self._replace(None, new_row)  # the card shows the step; what failed is only the re-read
            self.notify(failure.text, severity="error")

        run_in_thread(self.app, "handover-card", read, done=lambda view: self._replace(view, new_row), failed=failed)

    def _replace(self, view: HandoverView | None, new_row: h.HandoverRow) -> None:
        if not self.is_attached:
            return
        if view is None:
            self.view.row = new_row
        else:
            self.view = view
        self.show()

    def action_step(self, what: str) -> None:
        s, row = self.session, self.view.row
        if what == "accept":
            def answered(yes: bool | None) -> None:
                if yes:
                    self.run_step(lambda: s.handover.accept_handover(row), TEXT["accepted"])

            question = TEXT["held_question" if row.state == h.HELD else "accept_question"]
            self.app.push_screen(Confirm(question.format(name=self.view.student_name)), answered)
            return
        today = local_today()
        # Each other step: one line (a reason, a date) and the step's use case.
        steps: dict[str, tuple[str, str, Callable[[str], Callable[[], Any]], str]] = {
            "decline": (TEXT["decline_title"], TEXT["decline_label"],
                        lambda v: partial(s.handover.decline_handover, row, v), ""),
            "withdraw": (TEXT["withdraw_title"], TEXT["decline_label"],
                         lambda v: partial(s.handover.withdraw_handover, row, v), ""),
            "meeting": (TEXT["meeting_title"], TEXT["meeting_label"],
                        lambda v: partial(s.handover.plan_meeting, row, _date(v, "on")), f"{today + timedelta(days=7):%d-%m-%Y}"),
            "contact": (TEXT["contact_title"], TEXT["contact_label"],
                        lambda v: partial(s.handover.confirm_contact, row, _date(v, "on")), f"{today:%d-%m-%Y}"),
            "finish": (TEXT["finish_title"], TEXT["finish_label"],
                       lambda v: partial(s.handover.finish_handover, row, v), ""),
        }
        if what in steps:
            title, label, make, value = steps[what]
            self.app.push_screen(LineDialog(s, title, label, make, value=value), self._after)

    def run_step(self, call: Callable[[], h.HandoverRow], done_text: str) -> None:
        def done(row: h.HandoverRow) -> None:
            self.notify(done_text)
            self.updated(row)

        run_in_thread(self, "handover-step", call, done=done, failed=lambda f: self.notify(f.text, severity="error"),
                      exclusive=True)

    def _after(self, result: h.HandoverRow | None) -> None:
        if result is not None:
            self.updated(result)

    def action_access(self) -> None:
        s, row = self.session, self.view.row

        def make(v: str) -> Callable[[], Any]:
            if not v.strip().isdecimal():
                raise ValidationError("access_days", TEXT["access_days_bad"])
            return lambda: s.handover.set_access_days(row, int(v.strip()))

        title = TEXT["access_title_shorter" if self.access_mode == "korter" else "access_title"]
        self.app.push_screen(LineDialog(s, title, TEXT["access_label"], make, value=str(row.access_days)), self._after)

    def action_consent(self) -> None:
        """The student (or the parents) gave consent to share everything with me, the new
        contact person: it goes into the file and the file opens."""
        self.app.push_screen(held_consent_dialog(self.session, self.view.row), self._after)

    def action_end_access(self) -> None:
        """The old helper stops reading along now (her key goes; the file gets a new one)."""
        s, row = self.session, self.view.row

        def ended(_: object) -> None:
            self.notify(TEXT["end_access_done"])
            dossier_changed(self.app, row.student_id)
            if self.is_attached:
                self.dismiss(None)

        def answered(yes: bool | None) -> None:
            if yes:
                run_in_thread(self, "handover-step", lambda: s.handover.end_own_access(row), done=ended,
                              failed=lambda f: self.notify(f.text, severity="error"), exclusive=True)

        self.app.push_screen(Confirm(TEXT["end_access_question"].format(name=self.view.student_name)), answered)

    def action_follow_up(self) -> None:
        s, row = self.session, self.view.row
        self.app.push_screen(LineDialog(
            s, TEXT["follow_title"], TEXT["meeting_label"],
            lambda v: (lambda d: lambda: s.handover.set_follow_up(row, d))(_date(v, "follow_up")),
            value=f"{(row.follow_up or local_today()):%d-%m-%Y}"), self._after)

    def action_export(self, fmt: str) -> None:
        from jongerenteam.pdf import (
            OverwriteGuard,
            check_no_student_name,
            documents_folder,
            target_file,
            unique_path,
        )

        s, view = self.session, self.view
        default = unique_path(documents_folder(), f"overdracht-{local_today():%Y-%m-%d}", fmt)
        guard = OverwriteGuard()

        def make(v: str) -> Callable[[], Any]:
            target = target_file(v, f".{fmt}", f"overdracht.{fmt}")
            record = s.students.get(view.row.student_id)
            if record is not None:
                check_no_student_name(target, record.details)
            guard.check(target)
            if fmt == "pdf":
                return lambda: s.handover.export_handover(view, pdf_path=target)
            return lambda: _write_text(target, s.handover.export_handover(view))

        self.app.push_screen(LineDialog(
            s, TEXT["pdf_title" if fmt == "pdf" else "text_title"], TEXT["path_label"], make,
            value=str(default), saved_text=TEXT["written"]))


def _write_text(target: Path, text: str | Path) -> Path:
    """The overdrachtsdocument as a text file (``export_handover`` without a PDF path returns its text)."""
    from jongerenteam.pdf import write_atomic

    write_atomic(target, str(text).encode("utf-8"))
    return target
