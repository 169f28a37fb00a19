"""Use cases of the warme overdracht: internal, external and 18+ handovers,
the caseload transfer, and the old helper's read access.

The words and the document are in ``jongerenteam.handover.model``, the state
machine and the key handling in ``storage.handover``; screen:
``screens/handover.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from jongerenteam import domainwords
from jongerenteam.consent import ALL_DOMAINS
from jongerenteam.dates import local_today
from jongerenteam.domain import ValidationError
from jongerenteam.dossier import fold
from jongerenteam.dossier.model import AGREEMENT
from jongerenteam.handover import model as h
from jongerenteam.messages import NOT_ALLOWED
from jongerenteam.service import Service
from jongerenteam.text import check_text
from storage import clock, students
from storage import dossier as store_dossier
from storage import handover as store_handover
from storage.documents import JsonObject
from storage.errors import NotAllowed, NotInvolved, Reason

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.dossier.model import Dossier
    from jongerenteam.pdf import Document


@dataclass(slots=True)
class HandoverView:
    """One handover as the screens show it: the plain row plus, for those
    who can read the file, the document."""

    row: h.HandoverRow
    student_name: str
    from_name: str
    receiver: h.Receiver | None = None  # None: the file is not readable for this worker
    document: str = field(default="", repr=False)
    left_out: list[tuple[str, str]] = field(default_factory=list, repr=False)
    legal_ground: str = ""
    words_ground: str = ""  # the ground for words of leefdomeinen without consent (h.Proposal.words_ground)
    student_view: str = ""
    steps: list[tuple[datetime, str, str]] = field(default_factory=list, repr=False)  # (when, state, text)

    @property
    def receiver_label(self) -> str:
        return self.receiver.label if self.receiver else "(niet zichtbaar)"

    @property
    def title(self) -> str:
        return f"{h.KIND_SHORT[self.row.kind]} · {h.state_label(self.row.state)}"


@dataclass(slots=True)
class CaseloadResult:
    proposed: list[str] = field(default_factory=list)  # student ids
    held: list[str] = field(default_factory=list)  # new contact person now, the file after consent (hold_for)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (student id, Dutch reason)


CONTACT_ONLY = NOT_ALLOWED[Reason.CONTACT_ONLY]
NO_CONSENT_YET = ("Er staat nog geen toestemming in het dossier om alles met jou te delen. Vraag de student "
                  "(of de ouders) om toestemming en leg die vast; dan gaat het dossier voor je open.")
WRONG_GIVER = "Voor deze leeftijd is toestemming van iemand anders nodig (ouders, of student en ouders samen)."
COORDINATOR_REASON = NOT_ALLOWED[Reason.COORDINATOR_REASON]
EXPORT_WORDS = ("Het document noemt leefdomeinen waarvoor de student nu geen toestemming heeft om met deze ontvanger "
                "te delen ({words}). Zo gaat het niet naar buiten. Leg eerst toestemming vast (tabblad 5), of trek de "
                "overdracht in en stel hem opnieuw voor, zonder deze woorden of met een wettelijke grond.")

_RANK = {h.PROPOSED: 0, h.ACCEPTED: 1, h.DECLINED: 1, h.MEETING: 2, h.CONTACT: 3, h.DONE: 4, h.WITHDRAWN: 4}


# The section an overdrachtsdocument on the legal ground "meldcode" gets (jongerenteam.meldcode).
MELDCODE_SECTION = "Meldcode huiselijk geweld en kindermishandeling"


class HandoverService(Service):
    """One worker's handovers."""

    # -- reading -------------------------------------------------------------------

    def expire_access(self) -> int:
        """End read access whose period is over (run at every unlock; the key lookups ignore it from the moment it ends)."""
        with self.unit():
            return store_handover.expire_wraps(self.store, self.keys)

    def handover_receivers(self) -> list[h.Receiver]:
        """Colleagues first (not yourself), then the sociale kaart."""
        out = [
            h.Receiver("medewerker", w.full_name, organisation=w.organisation, worker_id=w.id)
            for w in sorted(self.session.active_workers(), key=lambda w: w.full_name)
            if w.id != self.worker_id
        ]
        for item in self.session.social_map.entries():
            e = item.entry
            contact = " ".join(x for x in (e.phone, e.email) if x)
            out.append(h.Receiver("kaart", e.name, e.role, e.organisation, map_id=item.id, contact=contact))
        return out

    def compose_handover(
        self, student_id: str, kind: str, receiver: h.Receiver, *, legal_ground: str = "",
        access_days: int = h.DEFAULT_ACCESS_DAYS, dossier: Dossier | None = None,
    ) -> h.Composition:
        """The overdrachtsdocument as the file allows it for this receiver."""
        if dossier is None:
            dossier = fold(student_id, store_handover.read_for_handover(self.store, self.keys, student_id))
        record = self.session.record(student_id)
        names = {wid: w.full_name for wid, w in self.workers.items()}
        sender_id = (
            record.contact_worker_id
            if record.contact_worker_id and kind == h.INTERN and record.contact_worker_id != receiver.worker_id
            else self.worker_id
        )
        others = [
            names[w] for w in students.involved_workers(self.store, student_id)
            if w in names and w not in (self.worker_id, receiver.worker_id, sender_id)
        ]
        comp = h.compose(
            dossier, record.details, receiver, kind, local_today(), sender=names.get(sender_id, "?"),
            legal_ground=legal_ground, others=others, access_days=access_days, worker_names=names,
        )
        if kind == h.ADULT and not comp.blocked:
            self._adult_sections(comp, dossier, record, receiver, sender_id)
        if legal_ground == "meldcode" and (recorded := self.session.meldcode.handover_text(student_id)):
            # Issue 21: a melding at Veilig Thuis carries what the meldcode trajectory recorded.
            comp.sections.append(h.Section(MELDCODE_SECTION, recorded))
        return comp

    def _adult_sections(self, comp: h.Composition, dossier: Dossier, record: StudentRecord,
                        receiver: h.Receiver, sender_id: str) -> None:
        """An 18+ document also says how far the 18+ checklist is, how to reach the sender,
        and the consent it relies on (issue 23); before "Wie blijft betrokken"."""
        today = local_today()
        extra: list[h.Section] = []
        if ALL_DOMAINS in comp.scope:
            try:
                checklist = self.session.eighteen.checklist(record.id, log=False)
            except NotInvolved:
                checklist = None
            if checklist is not None and checklist.team_count:
                lines = [f"{checklist.done_count} van {checklist.team_count} punten geregeld."]
                lines += [f"- {r.label}: " + (f"geregeld op {r.on:%d-%m-%Y}" if r.done and r.on else
                                               "geregeld" if r.done else "nog niet")
                          for r in checklist.rows if r.on_team_list]
                extra.append(h.Section("18+-checklist", "\n".join(lines)))
        else:
            comp.left_out.append(("18+-checklist", "de toestemming geldt niet voor alles"))
        sender = self.workers.get(sender_id)
        if sender is not None:
            reach = self.session.team.worker_contact(sender_id).strip()
            who = f"{sender.full_name}, jongerenteam"
            extra.append(h.Section("Contact met de afzender", who + (f"\n{reach}" if reach else "")))
        consents = [c for c in dossier.consents if c.active(today) and h.names_receiver(c, receiver)]
        if consents:
            from jongerenteam.consent import CONSENT_GIVERS

            extra.append(h.Section("Toestemming waarop dit document steunt", "\n".join(
                f"- {CONSENT_GIVERS.get(c.given_by, c.given_by)} gaf op "
                f"{c.on:%d-%m-%Y} toestemming om te delen met {c.with_.name}, over: {h.scope_text(set(c.about))}."
                if c.on else f"- toestemming om te delen met {c.with_.name}, over: {h.scope_text(set(c.about))}."
                for c in consents)))
        comp.sections[-1:-1] = extra

    def handovers_of(self, student_id: str, *, dossier: Dossier | None = None) -> list[HandoverView]:
        """Every handover of one student, newest first, with its document and steps."""
        rows = store_handover.handovers(self.store, student_id=student_id)
        if not rows:
            return []
        if dossier is None and self.is_involved(student_id):
            dossier = self.session.dossier.open_dossier(student_id, log=False)
        return [self._view(r, dossier) for r in rows]

    def _view(self, row: h.HandoverRow, dossier: Dossier | None) -> HandoverView:
        names = {wid: w.full_name for wid, w in self.workers.items()}
        rec = self.students.get(row.student_id)
        name = f"{rec.details.first_name} {rec.details.last_name}".strip() if rec else "?"
        view = HandoverView(row, name, names.get(row.from_worker_id, "?"))
        if row.to_worker_id:
            view.receiver = h.Receiver("medewerker", names.get(row.to_worker_id, "?"), worker_id=row.to_worker_id)
        if dossier is None:
            return view
        doc = dossier.item(row.id)
        if doc is not None:
            p = doc.payload
            view.receiver = h.Receiver.from_dict(p.get("ontvanger"))
            view.document = p.get("document", "")
            view.left_out = [tuple(x) for x in p.get("weggelaten", [])]
            view.legal_ground = p.get("grond") or ""
            view.words_ground = p.get("woorden_grond") or ""
            view.student_view = p.get("student", "")
        for t in dossier.timeline:
            if t.kind == store_handover.STEP_KIND and t.payload.get("overdracht") == row.id:
                view.steps.append((t.at, t.payload.get("naar", ""), t.note))
        # Same-minute steps (a fast worker, a fixed clock) keep the machine's order.
        view.steps.sort(key=lambda st: (st[0], _RANK.get(st[1], 9)))
        return view

    def handover(self, handover_id: str) -> HandoverView | None:
        """One handover, with its document when this worker can read the file."""
        row = next((r for r in store_handover.handovers(self.store, worker_id=self.worker_id) if r.id == handover_id), None)
        if row is None:
            return None
        dossier = self.session.dossier.open_dossier(row.student_id, log=False) if self.is_involved(row.student_id) else None
        view = self._view(row, dossier)
        if dossier is None and row.state == h.PROPOSED and row.to_worker_id == self.worker_id:
            view.document = self.proposal_document(row)  # read before answering; the file stays closed
        return view

    def incoming_handovers(self) -> list[HandoverView]:
        """Internal handovers proposed to me, waiting for my answer (Vandaag)."""
        rows = [r for r in store_handover.handovers(self.store, worker_id=self.worker_id, open_only=True)
                if r.to_worker_id == self.worker_id and r.state == h.PROPOSED]
        return [self._view(r, None) for r in rows]

    def answered_for_me(self, day: date, days: int = 7) -> list[tuple[HandoverView, str]]:
        """Internal handovers I proposed that the receiver accepted or declined in the last
        ``days`` days: (view, Dutch line for Vandaag); the reason is in the card's steps."""
        out = []
        since = day - timedelta(days=days)
        for r in store_handover.handovers(self.store, worker_id=self.worker_id):
            if (r.kind != h.INTERN or r.from_worker_id != self.worker_id or r.to_worker_id is None
                    or clock.local_time(r.updated_at).date() < since):
                continue
            name = self.session.worker_name(r.to_worker_id)
            if r.state == h.DECLINED:
                out.append((self._view(r, None), f"overdracht afgewezen door {name}: lees de reden"))
            elif r.state == h.ACCEPTED:
                out.append((self._view(r, None), f"overdracht geaccepteerd door {name}"))
        return out

    def proposal_document(self, row: h.HandoverRow) -> str:
        """The overdrachtsdocument of a proposal to me, before I answer: only that entry is
        opened, with the key sealed to me for this handover (logged). The rest of the file
        stays closed until I accept."""
        if row.state != h.PROPOSED or row.to_worker_id != self.worker_id:
            return ""
        entries = store_handover.read_pending(self.store, self.keys, row.id, (store_handover.DOCUMENT_KIND,))
        doc = next((e for e in entries if e.id == row.id), None)
        return str(doc.payload.get("document", "")) if doc is not None else ""

    def held_for_me(self) -> list[HandoverView]:
        """Students I was named contact person of, whose file waits for the student's consent (Vandaag)."""
        rows = [r for r in store_handover.handovers(self.store, worker_id=self.worker_id, open_only=True)
                if r.to_worker_id == self.worker_id and r.state == h.HELD]
        return [self._view(r, None) for r in rows]

    def without_active_contact(self) -> list[StudentRecord]:
        """For a coördinator: open files whose contact person no longer works in the team
        and that no handover is waiting for (to repair: name a new contact person)."""
        if not self.keys.is_coordinator:
            return []
        busy = {r.student_id for r in store_handover.handovers(self.store, open_only=True)}
        out = [
            rec
            for worker in self.workers.values() if not worker.active
            for rec in self.directory.with_contact(worker.id)
            if rec.status not in ("afgesloten", "overgedragen") and rec.id not in busy
        ]
        return sorted(out, key=lambda r: r.sort_key)

    def my_handovers(self) -> list[HandoverView]:
        """Open handovers I started or received (the overview on Vandaag)."""
        rows = store_handover.handovers(self.store, worker_id=self.worker_id, open_only=True)
        return [self._view(r, None) for r in rows]

    def handover_follow_ups(self, day: date) -> list[tuple[h.HandoverRow, date, str]]:
        """Open handovers of mine whose follow-up date has come: check that the
        receiver made contact (extern, 18+) or that the kennismaking happened."""
        out = []
        for r in store_handover.handovers(self.store, worker_id=self.worker_id, open_only=True):
            if r.follow_up is None or r.follow_up > day or r.student_id not in self.students:
                continue
            if r.kind == h.INTERN:
                if r.state == h.MEETING:
                    out.append((r, r.follow_up, "overdracht: kennismaking gepland, rond de overdracht af"))
            elif r.from_worker_id == self.worker_id:
                out.append((r, r.follow_up, "overdracht: ga na of er contact is met de nieuwe hulpverlener"))
        return out

    def read_access_until(self, student_id: str, worker_id: str | None = None) -> date | None:
        end = store_handover.access_until(self.store, student_id, worker_id or self.worker_id)
        return clock.local_time(end).date() if end else None

    # -- writing -------------------------------------------------------------------

    def may_hand_over(self, student_id: str) -> str:
        """Whether I may propose handing over the contact role of this student:
        "" (I am the contact person), "reden" (a coördinator: only with a reason),
        or the Dutch sentence why not."""
        rec = self.students.get(student_id)
        if rec is not None and rec.contact_worker_id == self.worker_id:
            return ""
        if self.keys.is_coordinator:
            return "reden"
        return CONTACT_ONLY

    def propose_handover(self, student_id: str, proposal: h.Proposal, *, from_worker_id: str | None = None,
                         reason: str = "") -> h.HandoverRow:
        """Start a handover: the document and the first step go into the file.

        An internal handover (the contact role) is proposed by the contact
        person; a coördinator may propose it for them with a ``reason``, which
        goes into the file (the contact person reads it, and sees it on Vandaag).
        """
        today = local_today()
        proposal.validate(today)
        reason = " ".join(reason.split())
        on_behalf = False
        contact: str | None = None
        if proposal.kind == h.INTERN:
            current = self.session.record(student_id)
            contact = current.contact_worker_id
            if contact == proposal.receiver.worker_id:
                raise ValidationError("receiver", f"{proposal.receiver.name} is al contactpersoon van deze student.")
            if contact != self.worker_id:
                if not self.keys.is_coordinator:
                    raise ValidationError("kind", CONTACT_ONLY)
                if not reason:
                    raise ValidationError("coordinator_reason", COORDINATOR_REASON)
                check_text("coordinator_reason", reason, "note")
                on_behalf = True
                from_worker_id = contact or from_worker_id
        # The gate is checked here too, not only by the screen: without consent
        # (or a legal ground) no handover is stored, whatever the caller says.
        words = 0
        if not proposal.legal_ground:
            gate = self.compose_handover(student_id, proposal.kind, proposal.receiver,
                                         access_days=proposal.access_days)
            if gate.blocked:
                raise ValidationError("legal_ground", gate.blocked)
            # Free text that names a leefdomein without consent goes out only with a ground of its own.
            hits = gate.unconsented_words(proposal.document)
            if hits and not proposal.words_ground:
                raise ValidationError("words_ground", h.words_message(proposal.receiver, hits))
            words = len(hits)
        if not words:
            proposal.words_ground, proposal.words_reason = "", ""  # nothing to ground
        else:
            proposal.document = (proposal.document.rstrip() + "\n\n"
                                 + h.words_ground_section(proposal.words_ground, proposal.words_reason))
        handover_id = store_dossier.new_entry_id()
        step_id = store_dossier.new_entry_id()
        sender = from_worker_id or self.worker_id
        text = proposal.summary()
        if on_behalf:
            text += (f" Voorgesteld door {self.worker.full_name} (coördinator) namens de contactpersoon "
                     f"{self.session.worker_name(sender)}. Reden: {h.sentence(reason)}")
        step: JsonObject = {
            "overdracht": handover_id, "van": None, "naar": h.PROPOSED, "datum": today.isoformat(), "tekst": text,
        }
        if on_behalf:
            step["door"] = self.worker_id
            step["reden"] = reason
        entries = [
            (handover_id, store_handover.DOCUMENT_KIND, proposal.document_payload(sender)),
            (step_id, store_handover.STEP_KIND, step),
        ]
        try:
            with self.unit():
                row = store_handover.propose(
                    self.store, self.keys, handover_id=handover_id, student_id=student_id, kind=proposal.kind,
                    from_worker_id=sender,
                    to_worker_id=proposal.receiver.worker_id if proposal.kind == h.INTERN else None,
                    follow_up=proposal.follow_up, access_days=proposal.access_days, entries=entries,
                    legal_ground=proposal.legal_ground, coordinator_reason=on_behalf,
                )
                if words:
                    # The code of the ground and a count; never the words or the reason.
                    store_dossier.log_event(self.store, self.keys, "handover", student_id,
                                            f"overdracht: {words} woorden zonder toestemming, "
                                            f"wettelijke grond: {proposal.words_ground}")
                if proposal.kind != h.INTERN:
                    self._add_receiver_as_external(student_id, proposal.receiver)
        except NotAllowed as exc:
            if exc.info.get("reason") == "handover open":
                raise ValidationError("kind", "Er loopt al een overdracht voor deze student. Rond die eerst af of trek hem in.") from None
            if exc.info.get("reason") == "same worker":
                raise ValidationError("receiver", "Je kunt niet aan jezelf overdragen.") from None
            if exc.info.get("reason") == "inactive worker":
                raise ValidationError("receiver", "Deze collega werkt niet meer in het team.") from None
            raise
        return row

    def _add_receiver_as_external(self, student_id: str, receiver: h.Receiver) -> None:
        """An external or 18+ receiver becomes one of the student's external professionals
        (Betrokkenen), unless they are already there."""
        if not self.is_involved(student_id) or not receiver.name.strip():
            return
        dossier = self.session.dossier.open_dossier(student_id, log=False)
        for e in dossier.externals:
            same_map = bool(receiver.map_id) and e.map_id == receiver.map_id
            same_name = e.name.casefold() == receiver.name.casefold() and e.organisation.casefold() == receiver.organisation.casefold()
            if e.until is None and (same_map or same_name):
                return
        self.session.dossier.add_external(student_id, receiver.name, receiver.role, receiver.organisation,
                                          receiver.contact, receiver.map_id)

    def _step(self, row: h.HandoverRow, new_state: str, text: str, *, reason: str = "",
              on: date | None = None, follow_up: date | Literal[False] | None = False) -> h.HandoverRow:
        if new_state not in h.next_states(row):
            raise ValidationError("state", f"Dit kan niet: de overdracht is {h.state_label(row.state)}.")
        today = local_today()
        payload = {
            "overdracht": row.id, "van": row.state, "naar": new_state, "datum": (on or today).isoformat(),
            "reden": reason.strip(), "tekst": text,
        }
        with self.unit():
            return store_handover.step(
                self.store, self.keys, row.id, new_state, row.version,
                entries=[(store_dossier.new_entry_id(), store_handover.STEP_KIND, payload)], follow_up=follow_up,
            )

    def withdraw_proposals_to(self, worker_id: str) -> None:
        """Handovers proposed to a colleague who leaves: withdrawn, with a step in the file
        (the sender sees why), and the student key sealed to them is removed."""
        if not self.keys.is_coordinator:
            raise NotAllowed("workers", reason=Reason.COORDINATOR_ONLY)
        if worker_id == self.worker_id:
            raise NotAllowed("workers", reason=Reason.CANNOT_DEACTIVATE_SELF)
        name = self.workers[worker_id].full_name if worker_id in self.workers else "de ontvanger"
        for row in store_handover.handovers(self.store, worker_id=worker_id, open_only=True):
            if row.to_worker_id == worker_id and row.state == h.PROPOSED:
                self.withdraw_handover(row, f"{name} werkt niet meer in het team")

    def _receiver_name(self, row: h.HandoverRow) -> str:
        if row.to_worker_id and row.to_worker_id in self.workers:
            return self.workers[row.to_worker_id].full_name
        return "de ontvanger"

    def accept_handover(self, row: h.HandoverRow, *, agreements: str = "overnemen") -> h.HandoverRow:
        """The receiving colleague accepts: they get the file and become contact person.

        A file held for a new contact person (``HELD``) is taken only when the
        student's consent to share everything with them is in the file.
        ``agreements``: the old helper's open werkafspraken "overnemen" (they
        become mine) or "sluiten" (vervallen); in the same unit.
        """
        if agreements not in ("overnemen", "sluiten"):
            raise ValidationError("agreements", "Kies: de werkafspraken overnemen of sluiten.")
        with self.unit():
            if row.state == h.HELD:
                if not self.held_consent(row):
                    raise ValidationError("consent", NO_CONSENT_YET)
                new_row = self._step(row, h.ACCEPTED, f"Toestemming is er: {self._receiver_name(row)} opent nu het dossier.")
            else:
                new_row = self._step(row, h.ACCEPTED, f"Overdracht geaccepteerd door {self._receiver_name(row)}.")
            self._take_over_agreements(row, agreements)
        return new_row

    def _take_over_agreements(self, row: h.HandoverRow, how: str) -> int:
        """The old helper's open werkafspraken: mine now, or closed (vervallen)."""
        from jongerenteam.dossier import Who

        if row.kind != h.INTERN or row.from_worker_id == self.worker_id:
            return 0
        dossier = self.session.dossier.open_dossier(row.student_id, log=False)
        moved = 0
        for a in dossier.open_agreements():
            if a.who.kind != "medewerker" or a.who.worker_id != row.from_worker_id:
                continue
            if how == "sluiten":
                self.session.dossier.change_agreement(row.student_id, a, status="vervallen")
            else:
                me = Who("medewerker", self.worker.full_name, self.worker_id).to_dict()
                self.session.dossier.rewrite(row.student_id, AGREEMENT, a.id, a.version, {"wie": me})
            moved += 1
        return moved

    # -- a new contact person named without reading the file (a colleague leaves) -----------

    def hold_for(self, student_id: str, to_worker_id: str, reason: str, *, from_worker_id: str | None = None) -> h.HandoverRow:
        """A coördinator names a new contact person without opening the file: the role
        moves now, the file waits for the student's consent (``storage.handover.hold``)."""
        self.require_coordinator("handovers")
        reason = " ".join(reason.split())
        if not reason:
            raise ValidationError("coordinator_reason", COORDINATOR_REASON)
        check_text("coordinator_reason", reason, "note")
        rec = self.session.record(student_id)
        old = from_worker_id or rec.contact_worker_id
        today = local_today()
        text = (f"{self.session.worker_name(to_worker_id)} is nu contactpersoon (aangewezen door "
                f"{self.worker.full_name}, coördinator, in plaats van {self.session.worker_name(old, 'niemand')}). "
                f"Reden: {h.sentence(reason)} Het dossier gaat open zodra de student toestemming gaf om alles met "
                f"{self.session.worker_name(to_worker_id)} te delen.")
        step: JsonObject = {"overdracht": None, "van": None, "naar": h.HELD, "datum": today.isoformat(),
                            "tekst": text, "door": self.worker_id, "reden": reason}
        handover_id = store_dossier.new_entry_id()
        step["overdracht"] = handover_id
        try:
            with self.unit():
                return store_handover.hold(
                    self.store, self.keys, handover_id=handover_id, student_id=student_id, from_worker_id=old,
                    to_worker_id=to_worker_id, entries=[(store_dossier.new_entry_id(), store_handover.STEP_KIND, step)])
        except NotAllowed as exc:
            if exc.reason in (Reason.HANDOVER_OPEN, Reason.SAME_WORKER, Reason.INACTIVE_WORKER):
                raise ValidationError("receiver", NOT_ALLOWED[exc.reason]) from None
            raise

    def held_consent(self, row: h.HandoverRow) -> bool:
        """Whether the file held for me has the student's consent to share everything with me
        (only the consents are opened, logged)."""
        from jongerenteam.consent import CONSENT

        entries = store_handover.read_held(self.store, self.keys, row.id, (CONSENT,))
        dossier = fold(row.student_id, entries)
        rec = self.session.record(row.student_id)
        me = h.Receiver("medewerker", self.worker.full_name, organisation=self.worker.organisation, worker_id=self.worker_id)
        return ALL_DOMAINS in h.consent_scope(dossier.consents, me, rec.details.birth_date, local_today())

    def record_held_consent(self, row: h.HandoverRow, given_by: str, how: str = "mondeling",
                            on: date | None = None) -> h.HandoverRow:
        """The student (or parents) consented to share everything with me, the new contact person:
        the consent goes into the file and I take it (one unit)."""
        from jongerenteam.consent import CONSENT, ConsentWith, NewConsent

        consent = NewConsent(ConsentWith("rol", "jongerenteam"), [ALL_DOMAINS], "overdracht binnen het team",
                             given_by, how, on or local_today())
        consent.validate(local_today())
        from jongerenteam.consent import consent_needed_from, giver_suffices

        rec = self.session.record(row.student_id)
        if not giver_suffices(given_by, consent_needed_from(rec.details.birth_date, local_today())):
            raise ValidationError("given_by", WRONG_GIVER)
        with self.unit():
            store_handover.write_held(self.store, self.keys, row.id,
                                      [(store_dossier.new_entry_id(), CONSENT, consent.payload())])
            return self.accept_handover(row)

    def decline_handover(self, row: h.HandoverRow, reason: str) -> h.HandoverRow:
        if not reason.strip():
            raise ValidationError("reason", "Schrijf op waarom je de overdracht niet aanneemt.")
        return self._step(
            row, h.DECLINED, f"Overdracht afgewezen door {self._receiver_name(row)}. Reden: {h.sentence(reason)}", reason=reason
        )

    def plan_meeting(self, row: h.HandoverRow, on: date, note: str = "") -> h.HandoverRow:
        """The warm step: a kennismaking of the student with the old and the new helper."""
        if on < local_today():
            raise ValidationError("on", "De kennismaking ligt in het verleden.")
        if on > local_today() + timedelta(days=h.MAX_AHEAD_DAYS):
            raise ValidationError("on", "De kennismaking ligt meer dan een jaar vooruit. Klopt de datum?")
        text = (f"Kennismaking verzet naar {on:%d-%m-%Y}." if row.state == h.MEETING
                else f"Kennismaking gepland op {on:%d-%m-%Y} (student, oude en nieuwe hulpverlener).")
        if note.strip():
            text += f" {h.sentence(note)}"
        return self._step(row, h.MEETING, text, reason=note, on=on, follow_up=on)

    def confirm_contact(self, row: h.HandoverRow, on: date | None = None, note: str = "") -> h.HandoverRow:
        on = on or local_today()
        if on > local_today():
            raise ValidationError("on", "Contact bevestigen kan pas als het contact er is geweest.")
        proposed = clock.local_time(row.created_at).date()
        if on < proposed:
            raise ValidationError("on", f"Het contact kan niet eerder zijn dan de overdracht ({proposed:%d-%m-%Y}).")
        text = f"Contact bevestigd: de nieuwe hulpverlener heeft contact met de student ({on:%d-%m-%Y})."
        if note.strip():
            text += f" {h.sentence(note)}"
        return self._step(row, h.CONTACT, text, reason=note, on=on, follow_up=None)

    def finish_handover(self, row: h.HandoverRow, note: str = "") -> h.HandoverRow:
        """Afronden. Before a planned kennismaking has taken place it asks why (the warm step is skipped)."""
        if row.state == h.MEETING and row.follow_up is not None and row.follow_up > local_today() and not note.strip():
            raise ValidationError(
                "reason", f"De kennismaking is pas op {row.follow_up:%d-%m-%Y}. Schrijf op waarom je nu al afrondt.")
        text = "Overdracht afgerond." + (f" {h.sentence(note)}" if note.strip() else "")
        return self._step(row, h.DONE, text, reason=note, follow_up=None)

    def withdraw_handover(self, row: h.HandoverRow, reason: str) -> h.HandoverRow:
        if not reason.strip():
            raise ValidationError("reason", "Schrijf op waarom je de overdracht intrekt.")
        return self._step(row, h.WITHDRAWN, f"Overdracht ingetrokken. Reden: {h.sentence(reason)}", reason=reason, follow_up=None)

    def set_follow_up(self, row: h.HandoverRow, on: date) -> h.HandoverRow:
        """A new date to check on an external handover (keeps the state)."""
        if on < local_today():
            raise ValidationError("follow_up", "De opvolgdatum ligt in het verleden.")
        if on > local_today() + timedelta(days=h.MAX_AHEAD_DAYS):
            raise ValidationError("follow_up", "De opvolgdatum ligt meer dan een jaar vooruit. Klopt de datum?")
        with self.unit():
            return store_handover.step_follow_up(self.store, self.keys, row.id, row.version, on)

    def set_access_days(self, row: h.HandoverRow, days: int) -> h.HandoverRow:
        """How long the old helper keeps reading along. Set by the proposer; after
        that changed by the new helper (her agreement) or a coördinator; the old
        helper may only make it shorter (``end_own_access`` stops it now)."""
        if not 1 <= days <= h.MAX_ACCESS_DAYS:
            raise ValidationError("access_days", f"Meelezen kan 1 tot {h.MAX_ACCESS_DAYS} dagen.")
        try:
            with self.unit():
                return store_handover.set_access_days(self.store, self.keys, row.id, days)
        except NotInvolved:
            raise ValidationError("access_days", "Alleen wie bij het dossier betrokken is kan dit veranderen.") from None
        except NotAllowed as exc:
            raise ValidationError("access_days", NOT_ALLOWED[exc.reason]) from None

    def may_change_access_days(self, row: h.HandoverRow) -> str:
        """"ja" (any number), "korter" (the old helper: only shorter) or "" (not at all)."""
        if row.kind != h.INTERN or row.state in (h.DECLINED, h.WITHDRAWN):
            return ""
        if row.state == h.PROPOSED and self.worker_id in (row.from_worker_id, row.to_worker_id):
            return "ja"
        if self.worker_id == row.to_worker_id or (self.keys.is_coordinator and self.worker_id != row.from_worker_id):
            return "ja"
        if self.worker_id == row.from_worker_id and self.read_access_until(row.student_id) is not None:
            return "korter"
        return ""

    def may_end_own_access(self, row: h.HandoverRow) -> bool:
        """Whether I am the old helper of this handover and still read along."""
        return (row.kind == h.INTERN and row.state in (h.ACCEPTED, h.MEETING, h.DONE)
                and row.from_worker_id == self.worker_id and self.read_access_until(row.student_id) is not None)

    def end_own_access(self, row: h.HandoverRow) -> None:
        """The old helper stops reading along now: a step in the file (the new helper
        sees it), her key goes and the file gets a new one."""
        today = local_today()
        payload: JsonObject = {
            "overdracht": row.id, "van": row.state, "naar": row.state, "datum": today.isoformat(), "reden": "",
            "tekst": f"{self.worker.full_name} leest niet meer mee (zelf gestopt op {today:%d-%m-%Y}).",
        }
        try:
            with self.unit():
                store_handover.end_own_access(self.store, self.keys, row.id,
                                              [(store_dossier.new_entry_id(), store_handover.STEP_KIND, payload)])
        except NotInvolved:
            raise ValidationError("access_days", "Je leest al niet meer mee in dit dossier.") from None
        except NotAllowed as exc:
            raise ValidationError("access_days", NOT_ALLOWED[exc.reason]) from None

    def proposed_for_me(self) -> list[tuple[HandoverView, str]]:
        """Open handovers of my students that a coördinator proposed for me: (view, coördinator's name)."""
        rows = [r for r in store_handover.handovers(self.store, worker_id=self.worker_id, open_only=True)
                if r.from_worker_id == self.worker_id]
        by = store_handover.proposed_by_coordinator(self.store, rows)
        return [(self._view(r, None), self.session.worker_name(by[r.id])) for r in rows if r.id in by]

    # -- export --------------------------------------------------------------------------

    def unconsented_words(self, view: HandoverView) -> list[domainwords.Hit]:
        """Words in a stored document tied to leefdomeinen the receiver has no consent for
        today (consent may have been withdrawn since, or the document is older than this
        check). None when the document went out on a wettelijke grond."""
        if view.legal_ground or view.words_ground or view.receiver is None or not view.document:
            return []
        # A check, not a reading: no 'open' in the file's log (the worker has the document before them).
        dossier = self.session.dossier.open_dossier(view.row.student_id, log=False)
        comp = self.compose_handover(view.row.student_id, view.row.kind, view.receiver,
                                     access_days=view.row.access_days, dossier=dossier)
        return comp.unconsented_words(view.document)

    def handover_document(self, view: HandoverView) -> Document:
        """The document as a ``jongerenteam.pdf.Document`` (text and PDF share it)."""
        from jongerenteam.pdf import Document, Section

        head = (
            f"Student: {view.student_name}",
            f"Van: {view.from_name}",
            f"Aan: {view.receiver_label}",
            f"Datum: {clock.local_time(view.row.created_at):%d-%m-%Y}",
            f"Stand: {h.state_label(view.row.state)}",
        )
        sections = [Section("", head)]
        for block in view.document.strip().split("\n\n"):
            lines = block.splitlines()
            if lines:
                sections.append(Section(lines[0], tuple(lines[1:])))
        if view.legal_ground:
            sections.append(Section("Wettelijke grond", (
                f"Gedeeld zonder toestemming op grond van: {h.LEGAL_GROUNDS.get(view.legal_ground, view.legal_ground)}.",
            )))
        return Document(
            title=f"Overdrachtsdocument ({h.KIND_SHORT[view.row.kind]})", sections=tuple(sections),
            footer="Vertrouwelijk: alleen voor de ontvanger van deze overdracht.",
        )

    def export_handover(self, view: HandoverView, *, pdf_path: str | os.PathLike[str] | None = None) -> str | Path:
        """The document as text, or written as PDF to ``pdf_path`` (returns the
        file). Logged as export (text) or print (PDF), never its content."""
        from jongerenteam.pdf import write_pdf

        hits = self.unconsented_words(view)
        if hits:
            raise ValidationError("path", EXPORT_WORDS.format(words=domainwords.describe(hits)))
        doc = self.handover_document(view)
        if pdf_path is None:
            self.session.dossier.log_export(view.row.student_id, "overdrachtsdocument tekst")
            return doc.text()
        target = write_pdf(doc, pdf_path)
        self.session.dossier.log_export(view.row.student_id, "overdrachtsdocument pdf", printed=True)
        return target

    # -- caseload transfer ------------------------------------------------------------

    def caseload_of(self, worker_id: str) -> list[StudentRecord]:
        """The open files this worker is contact person of (for a caseload transfer)."""
        return sorted(
            (r for r in self.directory.records()
             if r.contact_worker_id == worker_id and r.status not in ("afgesloten",)),
            key=lambda r: r.sort_key,
        )

    def transfer_caseload(self, from_worker_id: str, assignments: dict[str, str], *,
                          access_days: int = h.DEFAULT_ACCESS_DAYS, note: str = "", reason: str = "") -> CaseloadResult:
        """Propose an internal handover for each student to the chosen colleague.

        The leaving worker does it for their own students; a coördinator may
        do it for anyone's (reading through the escrow, logged), with a
        ``reason`` the contact person reads. Students whose consent does not
        allow it are skipped with the reason; their handover needs the wizard
        (a legal ground or new consent).
        """
        if from_worker_id != self.worker_id and not self.keys.is_coordinator:
            raise NotAllowed("handovers", reason=Reason.COORDINATOR_ONLY)
        if from_worker_id != self.worker_id and not reason.strip():
            raise ValidationError("coordinator_reason", COORDINATOR_REASON)
        result = CaseloadResult()
        for student_id, to_id in assignments.items():
            if not to_id or to_id == from_worker_id:
                result.skipped.append((student_id, "geen andere collega gekozen"))
                continue
            if store_handover.handovers(self.store, student_id=student_id, open_only=True):
                result.skipped.append((student_id, "er loopt al een overdracht"))
                continue
            worker = self.workers.get(to_id)
            if worker is None or not worker.active:
                result.skipped.append((student_id, "deze collega werkt niet meer in het team"))
                continue
            if not self.is_involved(student_id) and self.keys.is_coordinator:
                # A coördinator opens no file to see whether the consent allows it: the
                # colleague becomes contact person now and takes the file once the
                # student's consent is in it (the old contact person reads along then).
                try:
                    self.hold_for(student_id, to_id, reason, from_worker_id=from_worker_id)
                except ValidationError as exc:
                    why = exc.message.split(". ")[0].rstrip(".")
                    result.skipped.append((student_id, why[:1].lower() + why[1:]))
                    continue
                result.held.append(student_id)
                continue
            receiver = h.Receiver("medewerker", worker.full_name, organisation=worker.organisation, worker_id=to_id)
            try:
                comp = self.compose_handover(student_id, h.INTERN, receiver, access_days=access_days)
            except NotInvolved:
                result.skipped.append((student_id, "je kunt dit dossier niet lezen"))
                continue
            if comp.blocked:
                result.skipped.append((student_id, "geen toestemming om alles met deze collega te delen"))
                continue
            document = h.without_placeholders(comp.text, "(bespreken in de kennismaking)")
            if note.strip():
                document += f"\n\nToelichting\n{note.strip()}"
            proposal = h.Proposal(
                h.INTERN, receiver, document, comp.left_out, student_view="niet", caseload=True,
                access_days=access_days,
            )
            try:
                self.propose_handover(student_id, proposal, from_worker_id=from_worker_id,
                                      reason=reason if from_worker_id != self.worker_id else "")
            except ValidationError as exc:
                # In brackets after the name: no capital, no full stop.
                why = exc.message.split(". ")[0].rstrip(".")
                result.skipped.append((student_id, why[:1].lower() + why[1:]))
                continue
            result.proposed.append(student_id)
        return result
