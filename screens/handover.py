"""The warme overdracht on screen: the wizard, one handover's card with its
next steps, and the caseload transfer.

- ``HandoverDialog``: kind (1 intern, 2 extern, 3 18+), receiver, the
  composed document (what is left out and why), a legal ground when
  consent is missing, what the student thinks, follow-up date or read
  access; ctrl+s proposes it.
- ``HandoverCard``: one handover: state, steps, document; keys for the
  steps the state machine allows (accept, decline, kennismaking, contact,
  afronden, intrekken), read access, follow-up date, PDF and text export.
- ``CaseloadScreen``: all open files of one worker, each to a colleague.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from jongerenteam import handover as h
from jongerenteam.dates import local_time, local_today, parse_date
from jongerenteam.domain import ValidationError
from screens.background import Failure, dutch, run_in_thread
from screens.dialogs import Confirm, Dialog, FormDialog, leave_asking_if_typed
from screens.drafts import involved_record
from screens.interfaces import AboutStudent, Command, current_session
from screens.messages import dossier_changed
from screens.text import DataTable, Input, Option, OptionList, Static, TextArea
from screens.widgets import KeyChoice, SteadyFooter

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.dossier import Dossier
    from jongerenteam.handover import HandoverView
    from jongerenteam.session import TeamSession
    from screens.forms import Colleague

TEXT = {
    "title": "Warme overdracht · {name}",
    "hint": (
        "Kies soort en ontvanger; het document wordt samengesteld uit het dossier. Tab: volgend veld · ctrl+s: voorstellen · "
        "Esc: terug"
    ),
    "kind": "Soort",
    "receiver": "Aan",
    "free": "Of typ een naam",
    "free_hint": "Iemand die niet op de sociale kaart staat: naam, en eventueel rol en organisatie na komma's.",
    "ground": "Wettelijke grond",
    "ground_none": "geen",
    "ground_reason": "Waarom zonder toestemming",
    "document": "Overdrachtsdocument",
    "view": "De student",
    "objection": "Bezwaar van de student",
    "follow": "Nagaan op",
    "days": "Meelezen (dagen)",
    "no_receivers_intern": "Er zijn geen andere collega's in het team.",
    "no_receivers_kaart": "De sociale kaart is leeg: typ hieronder de naam, of vul de kaart (F4).",
    "composing": "Document wordt samengesteld…",
    "left_out": "Weggelaten (geen toestemming):",
    "nothing_left_out": "Alles uit het dossier mag mee naar deze ontvanger.",
    "blocked": "Dit kan alleen met een wettelijke grond. {why}",
    "edited_kept": "Je hebt het document bewerkt; het is niet opnieuw samengesteld. F5: opnieuw samenstellen.",
    "saved": "Overdracht voorgesteld aan {name}.",
    "card_title": "Overdracht {kind} · {state}",
    "card_from": "Van: {name}",
    "card_to": "Aan: {name}",
    "card_access": "{name} leest mee tot {until:%d-%m-%Y}.",
    "card_follow": "Nagaan op: {day:%d-%m-%Y}",
    "card_meeting": "Kennismaking op: {day:%d-%m-%Y}",
    "card_access_short": "Let op: {name} leest dan niet meer mee. Verleng het meelezen met l.",
    "card_new": "Deze overdracht is {state}. n: een nieuwe overdracht beginnen.",
    "card_steps": "Stappen",
    "card_doc": "Document",
    "not_readable": "Je ziet het document na acceptatie (je krijgt dan het dossier).",
    "decline_title": "Overdracht afwijzen",
    "decline_label": "Reden",
    "withdraw_title": "Overdracht intrekken",
    "meeting_title": "Kennismaking plannen (student, oude en nieuwe hulpverlener)",
    "meeting_label": "Datum",
    "contact_title": "Contact bevestigen",
    "contact_label": "Datum contact",
    "finish_title": "Overdracht afronden",
    "finish_label": "Toelichting (mag leeg)",
    "access_title": "Meelezen van de oude hulpverlener",
    "access_label": "Dagen na acceptatie",
    "follow_title": "Nieuwe opvolgdatum",
    "pdf_title": "Overdrachtsdocument als PDF",
    "text_title": "Overdrachtsdocument als tekstbestand",
    "path_label": "Bestand",
    "written": "Opgeslagen: {result}",
    "caseload_title": "Caseload overdragen · {name}",
    "caseload_hint": (
        "Kies per student een collega met 1-9 of Enter (lijst van alle collega's); 0: niet overdragen. ctrl+s: alle "
        "overdrachten voorstellen · Esc: terug"
    ),
    "caseload_who": "Van wie",
    "caseload_to": "Naar wie",
    "caseload_none": "{name} is van geen open dossier contactpersoon.",
    "caseload_done": "{n} {overdrachten} voorgesteld. Niet overgedragen: {skipped}.",
    "caseload_done_all": "{n} {overdrachten} voorgesteld.",
    "not_involved": "Je bent niet betrokken bij deze student; alleen betrokkenen dragen over.",
    "receiver_needed": "Kies aan wie je overdraagt.",
    "days_needed": "Vul het aantal dagen in, bijvoorbeeld 42 (zes weken).",
    "line_hint": "Enter of ctrl+s: bewaren · Esc: terug",
    "accept_question": "Overdracht van {name} accepteren? Je wordt contactpersoon en krijgt het dossier.",
    "accepted": "Geaccepteerd: je bent nu contactpersoon en kunt het dossier openen.",
    "access_days_bad": "Vul een aantal dagen in, bijvoorbeeld 42.",
    "left_out_title": "Weggelaten:",
    "no_colleague": "Onder {n} staat geen collega. Kies 1-{count} of Enter.",
    "more_colleagues": " · Enter: alle {n} collega's",
    "not_assigned": " · 0 niet",
    "pick_first": "Kies eerst per student een collega (1-9 of Enter).",
    "busy": "Bezig…",
    "coordinator_caseload": "Alleen een coördinator draagt de caseload van een collega over.",
}

KIND_OPTIONS = [(h.INTERN, "intern"), (h.EXTERN, "extern"), (h.ADULT, "18+")]
GROUND_OPTIONS = [("", TEXT["ground_none"])] + [(code, label) for code, label in h.LEGAL_GROUNDS.items()]
VIEW_OPTIONS = [("akkoord", "gezien, akkoord"), ("bezwaar", "gezien, bezwaar"), ("niet", "nog niet gezien")]


def start_handover(app: App[Any], student_id: str, kind: str | None = None) -> None:
    """Open the handover of a student: its card when one is open, else the wizard."""
    session = current_session(app)
    record = session.students.get(student_id)
    if record is None:
        return
    if not session.is_involved(student_id):
        app.notify(TEXT["not_involved"], severity="warning")
        return

    def opened(views: list[HandoverView]) -> None:
        open_view = next((v for v in views if v.row.open), None)
        latest = views[0] if views else None
        if open_view is not None:
            app.push_screen(HandoverCard(session, open_view))
        elif latest is not None and kind is None and not _long_ago(latest):
            # The last one (its steps, "leest mee tot"); n starts a new one.
            app.push_screen(HandoverCard(session, latest))
        else:
            app.push_screen(HandoverDialog(session, record, kind=kind))

    run_in_thread(app, "handover-open", lambda: session.handover.handovers_of(student_id), done=opened,
                  failed=lambda f: app.notify(f.text, severity="error"))


def _long_ago(view: HandoverView) -> bool:
    """A handover finished more than its read-access period ago: start fresh."""
    return (local_today() - local_time(view.row.updated_at).date()).days > max(view.row.access_days, 42)


class HandoverDialog(FormDialog):
    """The wizard: one form, recomposed whenever kind, receiver or ground changes."""

    # Not ctrl+r: that is the app's Aanmelding (a priority binding, it would win).
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f5", "recompose", "Opnieuw samenstellen", priority=True)]
    FIELD_IDS: ClassVar[dict[str, str]] = {
        "kind": "ho-kind", "receiver": "ho-receiver", "legal_ground": "ho-ground",
        "legal_reason": "ho-ground-reason", "document": "ho-doc", "student_view": "ho-view",
        "objection": "ho-objection", "follow_up": "ho-follow", "access_days": "ho-days",
    }

    def __init__(self, session: TeamSession, record: StudentRecord, *, kind: str | None = None, restore: bool = False) -> None:
        super().__init__(session, restore=restore)
        self.session: TeamSession = session
        self.record = record
        self.kind = kind or h.INTERN
        self.receivers: list[h.Receiver] = []
        self.dossier: Dossier | None = None
        self.composition: h.Composition | None = None
        self.composed_text = ""

    def title_text(self) -> str:
        return TEXT["title"].format(name=self.record.details.display_name)

    HINT = TEXT["hint"]

    def fields(self) -> ComposeResult:
        yield from self.row(TEXT["kind"], KeyChoice(KIND_OPTIONS, value=self.kind, id="ho-kind"))
        yield from self.row(TEXT["receiver"], OptionList(id="ho-receiver"))
        yield from self.row(TEXT["free"], Input(id="ho-free"), hint=TEXT["free_hint"])
        yield from self.row(TEXT["ground"], KeyChoice(GROUND_OPTIONS, value="", id="ho-ground"))
        yield from self.row(TEXT["ground_reason"], Input(id="ho-ground-reason"))
        yield Static("", id="ho-leftout")
        yield from self.row(TEXT["document"], TextArea(id="ho-doc", soft_wrap=True))
        yield from self.row(TEXT["view"], KeyChoice(VIEW_OPTIONS, id="ho-view"))
        yield from self.row(TEXT["objection"], Input(id="ho-objection"))
        yield from self.row(TEXT["follow"], Input(id="ho-follow"))
        yield from self.row(TEXT["days"], Input(id="ho-days"))

    def prefill(self) -> None:
        self.query_one("#ho-follow", Input).value = f"{local_today() + timedelta(days=h.FOLLOW_UP_DAYS):%d-%m-%Y}"
        self.query_one("#ho-days", Input).value = str(h.DEFAULT_ACCESS_DAYS)
        self.set_line("ho-leftout", TEXT["composing"])
        self.load()

    def first_focus(self) -> None:
        self.query_one("#ho-kind").focus()

    def draft(self) -> dict[str, Any] | None:
        """Typed text only: a choice or the composed document alone is nothing to lose."""
        values = self.snapshot()
        typed = any(values.get(f, "").strip() for f in ("ho-free", "ho-ground-reason", "ho-objection"))
        edited = values.get("ho-doc", "") not in ("", self.composed_text)
        return {"fields": values} if typed or edited else None

    DRAFT_LABEL = "een overdracht"

    def resume_state(self) -> dict[str, Any] | None:
        return {"student": self.record.id, "kind": self.kind}

    @classmethod
    def resume(cls, session: TeamSession, state: dict[str, Any]) -> HandoverDialog | None:
        record = involved_record(session, state)
        if record is None:
            return None
        return cls(session, record, kind=state.get("kind") or "intern", restore=True)

    # -- loading and composing -----------------------------------------------------------

    def load(self) -> None:
        session, student_id = self.session, self.record.id

        def read() -> tuple[Dossier, list[h.Receiver]]:
            return session.dossier.open_dossier(student_id), session.handover.handover_receivers()

        run_in_thread(self, "handover-load", read, done=lambda result: self.loaded(*result),
                      failed=lambda f: self.say(f.text), exclusive=True)

    def loaded(self, dossier: Dossier, receivers: list[h.Receiver]) -> None:
        if not self.still_here():
            return
        self.dossier = dossier
        self.receivers = receivers
        self.fill_receivers()

    def options_for_kind(self) -> list[h.Receiver]:
        if self.kind == h.INTERN:
            # Not the colleague who already is the contact person.
            contact = self.session.students.get(self.record.id)
            current = contact.contact_worker_id if contact else None
            return [r for r in self.receivers if r.kind == "medewerker" and r.worker_id != current]
        return [r for r in self.receivers if r.kind == "kaart"]

    def fill_receivers(self) -> None:
        listing = self.query_one("#ho-receiver", OptionList)
        listing.clear_options()
        options = self.options_for_kind()
        for i, r in enumerate(options):
            listing.add_option(Option(r.label, id=str(i)))
        if options:
            listing.highlighted = 0
            self.set_line("ho-receiver-error", "")
        else:
            self.set_line("ho-receiver-error", TEXT["no_receivers_intern" if self.kind == h.INTERN else "no_receivers_kaart"])
        self.show_row("ho-free", self.kind != h.INTERN)  # label and field
        self.query_one("#ho-free-hint").display = self.kind != h.INTERN
        self.show_row("ho-follow", self.kind != h.INTERN)
        self.show_row("ho-days", self.kind == h.INTERN)
        self.recompose_document()

    def show_row(self, widget_id: str, shown: bool) -> None:
        row = self.query_one(f"#{widget_id}").parent
        if row is not None:
            row.display = shown

    def receiver(self) -> h.Receiver | None:
        typed = self.query_one("#ho-free", Input).value.strip() if self.kind != h.INTERN else ""
        if typed:
            parts = [p.strip() for p in typed.split(",")]
            return h.Receiver("vrij", parts[0], parts[1] if len(parts) > 1 else "", ", ".join(parts[2:]))
        options = self.options_for_kind()
        index = self.query_one("#ho-receiver", OptionList).highlighted
        if index is None or index >= len(options):
            return None
        return options[index]

    def access_days(self) -> int:
        try:
            return int(self.query_one("#ho-days", Input).value.strip() or h.DEFAULT_ACCESS_DAYS)
        except ValueError:
            return h.DEFAULT_ACCESS_DAYS

    def recompose_document(self, *, force: bool = False) -> None:
        if self.dossier is None:
            return
        receiver = self.receiver()
        doc = self.query_one("#ho-doc", TextArea)
        if receiver is None:
            self.composition = None
            self.set_line("ho-leftout", "")
            return
        ground = self.query_one("#ho-ground", KeyChoice).value or ""
        try:
            comp = self.session.handover.compose_handover(
                self.record.id, self.kind, receiver, legal_ground=ground, access_days=self.access_days(),
                dossier=self.dossier,
            )
        except Exception as exc:  # noqa: BLE001 - on the UI thread: one Dutch sentence, never a crash
            self.say(dutch(exc))
            return
        self.composition = comp
        edited = doc.text.strip() and doc.text != self.composed_text
        if comp.blocked:
            self.set_line("ho-leftout", TEXT["blocked"].format(why=comp.blocked))
        elif comp.left_out:
            self.set_line("ho-leftout", "\n".join(
                [TEXT["left_out"]] + [f"- {what}: {why}" for what, why in comp.left_out]))
        else:
            self.set_line("ho-leftout", TEXT["nothing_left_out"])
        if edited and not force:
            self.set_line("ho-doc-error", TEXT["edited_kept"])
            return
        self.set_line("ho-doc-error", "")
        self.composed_text = comp.text
        doc.text = comp.text

    @on(KeyChoice.Changed, "#ho-kind")
    def kind_changed(self, event: KeyChoice.Changed) -> None:
        self.kind = event.value or h.INTERN
        self.fill_receivers()

    @on(KeyChoice.Changed, "#ho-ground")
    def ground_changed(self) -> None:
        self.set_line("ho-ground-error", "")  # the "needs a legal ground" refusal no longer applies
        self.recompose_document()

    @on(OptionList.OptionHighlighted, "#ho-receiver")
    def receiver_changed(self) -> None:
        self.recompose_document()

    @on(Input.Changed, "#ho-free")
    def free_changed(self) -> None:
        self.recompose_document()

    @on(Input.Changed, "#ho-days")
    def days_changed(self, event: Input.Changed) -> None:
        """The document says how long the old helper reads along: keep it true (also in edited text)."""
        if not event.value.strip().isdigit():
            return
        days = int(event.value.strip())
        doc = self.query_one("#ho-doc", TextArea)
        # The same change to both: an unedited document stays "not edited".
        self.composed_text = h.with_access_days(self.composed_text, days)
        new = h.with_access_days(doc.text, days)
        if new != doc.text:
            doc.text = new

    def action_recompose(self) -> None:
        self.recompose_document(force=True)

    # -- saving -------------------------------------------------------------------------

    def prepare(self) -> Any:
        receiver = self.receiver()
        if receiver is None:
            raise ValidationError("receiver", TEXT["receiver_needed"])
        follow = None
        if self.kind != h.INTERN:
            follow = parse_date(self.query_one("#ho-follow", Input).value, today=local_today(),
                                field="follow_up", upcoming=True)
        days_text = self.query_one("#ho-days", Input).value.strip()
        if self.kind == h.INTERN and not days_text.isdigit():
            raise ValidationError("access_days", TEXT["days_needed"])
        comp = self.composition
        days = int(days_text) if days_text.isdigit() else h.DEFAULT_ACCESS_DAYS
        proposal = h.Proposal(
            self.kind, receiver, h.with_access_days(self.query_one("#ho-doc", TextArea).text, days),
            list(comp.left_out) if comp else [],
            legal_ground=self.query_one("#ho-ground", KeyChoice).value or "",
            legal_reason=self.query_one("#ho-ground-reason", Input).value,
            student_view=self.query_one("#ho-view", KeyChoice).value or "",
            objection=self.query_one("#ho-objection", Input).value,
            follow_up=follow, access_days=days,
            blocked=comp.blocked if comp else "",
        )
        proposal.validate(local_today())
        session, student_id = self.session, self.record.id
        return lambda: session.handover.propose_handover(student_id, proposal)

    def saved(self, result: Any) -> None:
        receiver = self.receiver()
        self.app.notify(TEXT["saved"].format(name=receiver.label if receiver else ""))
        dossier_changed(self.app, self.record.id)
        self.dismiss(result)


# -- one handover ------------------------------------------------------------------------


class LineDialog(FormDialog):
    """One field and a store call: a reason, a date, a number of days, a path."""

    FIELD_IDS: ClassVar[dict[str, str]] = {"value": "ld-value", "reason": "ld-value", "on": "ld-value", "follow_up": "ld-value",
                 "access_days": "ld-value", "path": "ld-value", "state": "ld-value"}
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


def _date(text: str, field: str) -> date:
    return parse_date(text, today=local_today(), field=field, upcoming=True)


class HandoverCard(Dialog):
    """One handover: where it stands, its steps, its document, the next steps."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Terug"),
        Binding("a", "step('accept')", "Accepteren"),
        Binding("x", "step('decline')", "Afwijzen"),
        Binding("k", "step('meeting')", "Kennismaking"),
        Binding("c", "step('contact')", "Contact bevestigd"),
        Binding("f", "step('finish')", "Afronden"),
        Binding("i", "step('withdraw')", "Intrekken"),
        Binding("l", "access", "Meelezen"),
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

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", id="hc-body")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.show()

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
        t.append((v.document or TEXT["not_readable"]) + "\n")
        if v.left_out:
            t.append("\n" + TEXT["left_out_title"] + "\n", style="bold")
            for what, why in v.left_out:
                t.append(f"- {what}: {why}\n")
        self.query_one("#hc-body", Static).update(t)
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
            return row.kind == h.INTERN and row.state in (h.ACCEPTED, h.MEETING, h.DONE) and self.session.is_involved(row.student_id)
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

            self.app.push_screen(Confirm(TEXT["accept_question"].format(name=self.view.student_name)), answered)
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
            if not v.strip().isdigit():
                raise ValidationError("access_days", TEXT["access_days_bad"])
            return lambda: s.handover.set_access_days(row, int(v.strip()))

        self.app.push_screen(LineDialog(s, TEXT["access_title"], TEXT["access_label"], make, value=str(row.access_days)), self._after)

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


def _write_text(target: Path, text: str) -> Path:
    from jongerenteam.pdf import write_atomic

    write_atomic(target, text.encode("utf-8"))
    return target


# -- caseload transfer ------------------------------------------------------------------------


class CaseloadScreen(Screen[None]):
    """All open files of one worker, each to a chosen colleague, in one go."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Terug"),
        Binding("ctrl+s", "save", "Voorstellen", priority=True),
        Binding("w", "choose_worker", "Van wie", show=True),
        *(Binding(str(n), f"assign({n})", show=False) for n in range(10)),
    ]

    def __init__(self, session: TeamSession, worker_id: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.worker_id = worker_id or session.worker_id
        self.assignments: dict[str, str] = {}
        self.records: list[StudentRecord] = []
        self.busy = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose_worker":
            return self.session.keys.is_coordinator
        return True

    def colleagues(self) -> list[Colleague]:
        """Everyone who can take over; the first nine also have a digit."""
        return [w for w in sorted(self.session.active_workers(), key=lambda w: w.full_name) if w.id != self.worker_id]

    def compose(self) -> ComposeResult:
        yield Static("", id="cl-title", classes="title")
        yield Static(TEXT["caseload_hint"], classes="hint")
        yield Static("", id="cl-legend", classes="hint")
        yield DataTable(id="cl-table", cursor_type="row")
        yield Static("", id="cl-message")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#cl-table", DataTable)
        table.add_column("Student", width=30)
        table.add_column("Status", width=12)
        table.add_column("Naar", width=30)
        self.fill()
        table.focus()

    def fill(self) -> None:
        name = self.session.workers[self.worker_id].full_name
        self.query_one("#cl-title", Static).update(TEXT["caseload_title"].format(name=name))
        colleagues = self.colleagues()
        legend = " · ".join(f"{i + 1} {w.full_name}" for i, w in enumerate(colleagues[:9]))
        more = TEXT["more_colleagues"].format(n=len(colleagues)) if len(colleagues) > 9 else ""
        self.query_one("#cl-legend", Static).update(legend + TEXT["not_assigned"] + more)
        self.records = self.session.handover.caseload_of(self.worker_id)
        self.assignments = {}
        table = self.query_one("#cl-table", DataTable)
        table.clear()
        for r in self.records:
            table.add_row(r.details.display_name, r.status, "—", key=r.id)
        self.query_one("#cl-message", Static).update("" if self.records else TEXT["caseload_none"].format(name=name))

    def action_assign(self, n: int) -> None:
        if not self.records:
            return
        colleagues = self.colleagues()[:9]
        if n > len(colleagues):
            self.app.bell()
            self.query_one("#cl-message", Static).update(TEXT["no_colleague"].format(n=n, count=len(colleagues)))
            return
        self.assign(self.query_one("#cl-table", DataTable).cursor_row, colleagues[n - 1] if n else None)

    def assign(self, row: int, worker: Colleague | None) -> None:
        """Row ``row`` goes to ``worker`` (None: stays); the cursor moves on to the next student."""
        table = self.query_one("#cl-table", DataTable)
        record = self.records[row]
        if worker is None:
            self.assignments.pop(record.id, None)
        else:
            self.assignments[record.id] = worker.id
        table.update_cell(record.id, table.ordered_columns[2].key, worker.full_name if worker else "—")
        if row + 1 < len(self.records):
            table.move_cursor(row=row + 1)

    @on(DataTable.RowSelected, "#cl-table")
    def pick_from_list(self, event: DataTable.RowSelected) -> None:
        """Enter on a student: choose from every colleague (a team may have more than nine)."""
        row = event.cursor_row
        by_id = {w.id: w for w in self.colleagues()}

        def chosen(worker_id: str | None) -> None:
            if worker_id in by_id and row < len(self.records):
                self.assign(row, by_id[worker_id])

        self.app.push_screen(WorkerPicker(list(by_id.values()), TEXT["caseload_to"]), chosen)

    def action_choose_worker(self) -> None:
        if not self.session.keys.is_coordinator:
            self.notify(TEXT["coordinator_caseload"], severity="warning")
            return
        workers = sorted(self.session.active_workers(), key=lambda w: w.full_name)

        def chosen(value: str | None) -> None:
            if value:
                self.worker_id = value
                self.fill()

        self.app.push_screen(WorkerPicker(workers, TEXT["caseload_who"]), chosen)

    def action_back(self) -> None:
        if self.busy:
            return
        # Colleagues chosen but not yet proposed: ask before throwing the choices away.
        leave_asking_if_typed(self, bool(self.assignments),
                              lambda: self.dismiss() if self.is_modal else self.app.pop_screen())

    def action_save(self) -> None:
        if self.busy or not self.assignments:
            if not self.assignments:
                self.query_one("#cl-message", Static).update(TEXT["pick_first"])
            return
        self.busy = True
        self.query_one("#cl-message", Static).update(TEXT["busy"])
        session, worker_id, assignments = self.session, self.worker_id, dict(self.assignments)
        run_in_thread(self, "caseload", lambda: session.handover.transfer_caseload(worker_id, assignments),
                      done=self.done, failed=self.failed, exclusive=True)

    def failed(self, failure: Failure) -> None:
        self.busy = False
        self.query_one("#cl-message", Static).update(failure.text)

    def done(self, result: h.CaseloadResult) -> None:
        self.busy = False
        names = {r.id: r.details.display_name for r in self.records}
        skipped = "; ".join(f"{names.get(sid, '?')} ({why})" for sid, why in result.skipped)
        n = len(result.proposed)
        words = {"n": n, "overdrachten": "overdracht" if n == 1 else "overdrachten"}
        text = (TEXT["caseload_done"].format(skipped=skipped, **words) if skipped
                else TEXT["caseload_done_all"].format(**words))
        self.fill()
        self.query_one("#cl-message", Static).update(text)


class WorkerPicker(Dialog):
    """Choose one colleague from a list (arrows and Enter); Esc chooses nobody."""

    def __init__(self, workers: Iterable[Colleague], title: str) -> None:
        super().__init__()
        self.choices = list(workers)  # not "workers": Textual's Screen has its own
        self.title_text = title

    def compose(self) -> ComposeResult:
        options = OptionList(*(Option(w.full_name, id=w.id) for w in self.choices))
        options.border_title = self.title_text
        yield options
        yield Footer()

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


def commands(app: App[Any], screen: Screen[Any]) -> list[Command]:
    """Palette commands: the handover of the open dossier, and the caseload."""
    out: list[Command] = []
    student_id = screen.student_id if isinstance(screen, AboutStudent) else None
    if student_id:
        out.append(("overdracht: warme overdracht", "Overdragen aan een collega, naar hulp buiten school of bij 18 jaar (w in het dossier)",
                    lambda: start_handover(app, student_id)))
    out.append(("overdracht: caseload overdragen", "Alle studenten van jou (of, als coördinator, van een collega) elk aan een collega",
                lambda: app.push_screen(CaseloadScreen(current_session(app)))))
    return out
