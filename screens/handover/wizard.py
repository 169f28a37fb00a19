"""The wizard of a warme overdracht: one form, recomposed when the kind, the
receiver or the legal ground changes; ctrl+s proposes it.

Kind (1 intern, 2 extern, 3 18+), receiver, the composed document (what is
left out and why), a legal ground when consent is missing, what the
student thinks, follow-up date or read access. The worker's own edits of
the document are kept until F5. Words in the document tied to leefdomeinen
the receiver has no consent for (``Composition.unconsented_words``) are
shown highlighted under it on every change, with a ground and a reason
asked for them while there are any.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from jongerenteam import domainwords
from jongerenteam import handover as h
from jongerenteam.dates import local_today, parse_date
from jongerenteam.domain import ValidationError
from screens.background import dutch, run_in_thread
from screens.dialogs import FormDialog
from screens.drafts import involved_record
from screens.messages import dossier_changed
from screens.text import Input, Option, OptionList, Static, TextArea
from screens.widgets import KeyChoice

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.dossier import Dossier
    from jongerenteam.session import TeamSession

from screens.handover.words import GROUND_OPTIONS, KIND_OPTIONS, TEXT, VIEW_OPTIONS, words_text


class HandoverDialog(FormDialog):
    """The wizard: one form, recomposed whenever kind, receiver or ground changes."""

    # Not ctrl+r: that is the app's Aanmelding (a priority binding, it would win).
    # ctrl+s proposes the handover: the Footer says so, as the heading does.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", TEXT["propose"], priority=True),
        Binding("f5", "recompose", "Opnieuw samenstellen", priority=True),
    ]
    FOOTER_LAST: ClassVar[tuple[str, ...]] = ("escape", "f5")  # ^s Voorstellen  esc Terug  f5 Opnieuw samenstellen
    FIELD_IDS: ClassVar[dict[str, str]] = {
        "kind": "ho-kind", "receiver": "ho-receiver", "legal_ground": "ho-ground",
        "legal_reason": "ho-ground-reason", "document": "ho-doc", "student_view": "ho-view",
        "objection": "ho-objection", "follow_up": "ho-follow", "access_days": "ho-days",
        "coordinator_reason": "ho-coord-reason", "words_ground": "ho-words-ground", "words_reason": "ho-words-reason",
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
        self.hits: list[domainwords.Hit] = []  # words of leefdomeinen without consent in the document

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
        yield Static("", id="ho-words", classes="field-hint")
        yield from self.row(TEXT["words_ground"], KeyChoice(GROUND_OPTIONS, value="", id="ho-words-ground"))
        yield from self.row(TEXT["words_reason"], Input(id="ho-words-reason"))
        yield from self.row(TEXT["view"], KeyChoice(VIEW_OPTIONS, id="ho-view"))
        yield from self.row(TEXT["objection"], Input(id="ho-objection"))
        yield from self.row(TEXT["follow"], Input(id="ho-follow"))
        yield from self.row(TEXT["days"], Input(id="ho-days"))
        yield from self.row(TEXT["coord_reason"], Input(id="ho-coord-reason"), hint=TEXT["coord_reason_hint"])

    def prefill(self) -> None:
        self.query_one("#ho-follow", Input).value = f"{local_today() + timedelta(days=h.FOLLOW_UP_DAYS):%d-%m-%Y}"
        self.query_one("#ho-days", Input).value = str(h.DEFAULT_ACCESS_DAYS)
        self.set_line("ho-leftout", TEXT["composing"])
        self.show_row("ho-coord-reason", False)  # until the receivers are in (fill_receivers)
        self.query_one("#ho-coord-reason-hint").display = False
        self.show_words()
        self.load()

    def first_focus(self) -> None:
        self.query_one("#ho-kind").focus()

    def draft(self) -> dict[str, Any] | None:
        """Typed text only: a choice or the composed document alone is nothing to lose."""
        values = self.snapshot()
        typed = any(values.get(f, "").strip()
                    for f in ("ho-free", "ho-ground-reason", "ho-objection", "ho-coord-reason", "ho-words-reason"))
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
        # The contact role: the contact person hands it over; a coördinator only with a reason.
        may = self.session.handover.may_hand_over(self.record.id) if self.kind == h.INTERN else ""
        self.show_row("ho-coord-reason", may == "reden")
        self.query_one("#ho-coord-reason-hint").display = may == "reden"
        if may not in ("", "reden"):
            self.set_line("ho-receiver-error", may)
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
            self.show_words()
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
            self.show_words()
            return
        self.set_line("ho-doc-error", "")
        self.composed_text = comp.text
        doc.text = comp.text
        self.show_words()

    # -- words of leefdomeinen without consent -------------------------------------------------

    @on(TextArea.Changed, "#ho-doc")
    def document_changed(self) -> None:
        self.show_words()

    def show_words(self) -> None:
        """The words in the document tied to leefdomeinen this receiver has no consent for,
        highlighted in their lines; the ground for them is asked only while there are any."""
        comp, doc = self.composition, self.query_one("#ho-doc", TextArea).text
        self.hits = comp.unconsented_words(doc) if comp is not None and not comp.blocked else []
        line = self.query_one("#ho-words", Static)
        line.display = bool(self.hits)
        self.show_row("ho-words-ground", bool(self.hits))
        self.show_row("ho-words-reason", bool(self.hits))
        if not self.hits:
            self.set_line("ho-words-ground-error", "")
            self.set_line("ho-words-reason-error", "")
            line.update("")
            return
        receiver = self.receiver()
        line.update(words_text(doc, self.hits, receiver.label if receiver else ""))

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
        if not event.value.strip().isdecimal():
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
        if self.kind == h.INTERN and not days_text.isdecimal():
            raise ValidationError("access_days", TEXT["days_needed"])
        comp = self.composition
        days = int(days_text) if days_text.isdecimal() else h.DEFAULT_ACCESS_DAYS
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
        if self.hits:
            # Not silently: the words go only with a ground and a reason (the service checks it too).
            proposal.words_ground = self.query_one("#ho-words-ground", KeyChoice).value or ""
            proposal.words_reason = self.query_one("#ho-words-reason", Input).value
            if not proposal.words_ground:
                raise ValidationError("words_ground", h.words_message(receiver, self.hits))
        proposal.validate(local_today())
        session, student_id = self.session, self.record.id
        reason = self.query_one("#ho-coord-reason", Input).value if self.kind == h.INTERN else ""
        return lambda: session.handover.propose_handover(student_id, proposal, reason=reason)

    def saved(self, result: Any) -> None:
        receiver = self.receiver()
        self.app.notify(TEXT["saved"].format(name=receiver.label if receiver else ""))
        dossier_changed(self.app, self.record.id)
        self.dismiss(result)
