"""Use cases of the student's privacy rights: inzage, correctie, verwijdering, bewaartermijn.

What they mean and the inzage document are in ``jongerenteam.rights.inzage``;
the store side is ``storage/rights.py``; screen: ``screens/rights.py``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from jongerenteam.dates import local_today
from jongerenteam.domain import RETENTION_CHOOSE, RETENTION_REGIMES, StudentDetails, ValidationError
from jongerenteam.rights.article15 import retention_lines
from jongerenteam.rights.inzage import (
    CORRECTABLE,
    CORRECTION,
    DEFAULT_REGIME,
    DEFAULT_RETENTION_YEARS,
    ERASURE_REASONS,
    EXPORT_PDF,
    EXPORT_TEXT,
    READ_FOR_INZAGE,
    RETENTION_LIMITS,
    Correction,
    InzageDraft,
    PastTerm,
    _fmt_date,
    add_years,
    build_inzage,
    check_text_target,
    make_draft,
)
from jongerenteam.rights.recipients import (
    ERASURE_TOLD,
    INFORMED,
    Recipient,
    Told,
    export_word,
    informed_payload,
    to_the_student,
)
from jongerenteam.rights.retention import ClosingTerms, suggest_regime
from jongerenteam.service import Service
from jongerenteam.text import check_document
from storage import clock, students
from storage import rights as store_rights
from storage.documents import JsonObject
from storage.errors import NotAllowed, Reason

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.dossier.model import Dossier

# -- the use cases ---------------------------------------------------------------------


class RightsService(Service):
    """Inzage, correctie, verwijdering and bewaartermijn."""

    # -- inzage ------------------------------------------------------------------------

    def read_inzage(
        self, student_id: str, *, coordinator_passphrase: str | None = None, team: str = "",
    ) -> InzageDraft:
        """Everything stored about one student, read for the worker to check (logged as a read).

        A coördinator who is not involved passes their passphrase again: the
        escrow then opens the file for this one read. Nothing leaves the app
        here: ``export_inzage`` writes the document once every part about
        others is decided.
        """
        from jongerenteam import throttle
        from storage import spreekuur

        record = self.session.record(student_id)
        escrow_private = None
        if not self.is_involved(student_id) and coordinator_passphrase is not None:
            if not self.keys.is_coordinator:
                raise NotAllowed("escrow", reason=Reason.NOT_A_COORDINATOR)
            coordinator = throttle.check_passphrase(self.store, self.worker_id, coordinator_passphrase)
            escrow_private = spreekuur.require_escrow(coordinator)
        via_escrow = escrow_private is not None
        entries, log = store_rights.read_for_inzage(
            self.store, self.keys, student_id, READ_FOR_INZAGE, event="open",
            escrow_private=escrow_private, coordinator_id=self.worker_id if escrow_private else None,
        )
        del escrow_private
        # The meldcode trajectories this worker may read (issue 21): each text a part to decide on.
        entries = [*entries, *self.session.meldcode.inzage_entries(student_id)]
        names = {wid: w.full_name for wid, w in self.workers.items()}
        return make_draft(
            record.details, record, entries, log, names=names, contact_name=self.session.contact_name(record),
            involved=self.session.dossier.involved_workers(student_id), made_by=self.worker.full_name, team=team,
            retention=self._retention_lines(record), via_escrow=via_escrow,
        )

    def _retention_lines(self, record: StudentRecord) -> tuple[str, ...]:
        regime = record.details.retention or DEFAULT_REGIME
        years = self.retention_years().get(regime, DEFAULT_RETENTION_YEARS[DEFAULT_REGIME])
        closed_on = ends_on = None
        if record.status == "afgesloten":
            closed = store_rights.closed_files(self.store, self.keys, [record.id]).get(record.id)
            if closed is not None:
                closed_on = clock.local_time(closed).date()
                ends_on = add_years(closed_on, years)
        return retention_lines(RETENTION_REGIMES.get(regime, regime), years, closed_on, ends_on, regime == "jeugdwet")

    def export_inzage(
        self, draft: InzageDraft, path: str | os.PathLike[str], fmt: str = "tekst", *,
        decisions: Mapping[str, bool],
    ) -> Path:
        """Write the inzage to ``path`` (text or PDF, atomically); returns the file written.

        ``decisions``: for every part about others (``draft.parts``) whether it
        goes in (True) or is left out (False); one missing refuses the export.
        Logged as an export (with the number left out) before the file is written.
        """
        from jongerenteam.pdf import check_target, render_pdf, write_atomic

        target = check_target(path, "inzage.pdf") if fmt == "pdf" else check_text_target(path)
        doc = build_inzage(draft, decisions)  # refuses undecided parts
        what = EXPORT_PDF if fmt == "pdf" else EXPORT_TEXT
        left_out = sum(1 for p in draft.parts if decisions.get(p.id) is False)
        if left_out:
            what += f"; weggelaten: {left_out}"
        with self.unit():
            store_rights.log_inzage_export(self.store, self.keys, draft.student_id, what, via_escrow=draft.via_escrow)
        data = render_pdf(doc) if fmt == "pdf" else doc.text().encode("utf-8")
        write_atomic(target, data)
        return target

    # -- correctie ---------------------------------------------------------------------

    def record_correction(self, student_id: str, correction: Correction) -> str:
        """Record a correction request; an accepted one also makes the change.

        The change comes first (a conflict then leaves nothing half-recorded);
        the correctie entry names the old and the new value.
        """

        today = local_today()
        correction.validate(today)
        if correction.on is None:  # not reached: validate() refuses a request without a date
            raise ValueError("correction without a date")
        dossier = self.session.dossier.open_dossier(student_id, log=False)  # only someone involved may
        payload: JsonObject = {
            "verzoek": correction.request.strip(),
            "datum": correction.on.isoformat(),
            "besluit": correction.decision,
            "reden": correction.reason.strip(),
            "onderdeel": correction.target,
        }
        if correction.decision == "aangepast" and correction.target == "gegevens":
            old, new = self._correct_directory(student_id, correction.field, correction.new_value, correction.version)
            payload.update(veld=CORRECTABLE[correction.field], oud=old, nieuw=new)
            summary = f"{CORRECTABLE[correction.field]} verbeterd: '{old}' werd '{new}'"
        elif correction.decision == "aangepast":
            item = dossier.item(correction.entry_id or "")
            if item is None or not item.editable:
                raise ValidationError("entry", "Dit gesprek bestaat niet (meer); kies een ander.")
            old = item.note
            self.session.dossier.edit_talk(student_id, item, {"tekst": correction.new_value.strip()})
            when = f"{item.at:%d-%m-%Y}"
            payload.update(veld=f"verslag van het gesprek van {when}", oud=old, nieuw=correction.new_value.strip(),
                           entry=item.id)
            summary = f"verslag van het gesprek van {when} verbeterd"
        else:
            summary = "verzoek geweigerd"
        payload["tekst"] = f"Correctieverzoek: {summary}. Reden: {correction.reason.strip()}"
        return self.session.dossier.add_entries(student_id, [(CORRECTION, payload)])[0]

    def _correct_directory(self, student_id: str, field_name: str, value: str, seen_version: int | None = None) -> tuple[str, str]:
        from jongerenteam.dates import parse_date
        from jongerenteam.municipalities import code_for, name_of

        record = self.session.record(student_id)
        if seen_version is not None:
            # The details changed since the worker looked at them: say who, change nothing.
            students.check_version(self.store, student_id, seen_version)
        details = record.details
        value = value.strip()
        if field_name == "birth_date":
            old = _fmt_date(details.birth_date) if details.birth_date else ""
            new_date = parse_date(value, field="new_value") if value else None
            details.birth_date = new_date
            new = _fmt_date(new_date) if new_date else ""
        elif field_name == "municipality":
            old = name_of(details.municipality_code) or details.municipality_text
            code = code_for(value) if value else ""
            if value and code is None:
                raise ValidationError("new_value", "Deze gemeente staat niet in de lijst.")
            details.municipality_code, details.municipality_text = code or "", ""
            new = name_of(code) if code else ""
        else:
            if field_name == "first_name" and not value and not details.anonymous:
                raise ValidationError("new_value", "Vul een voornaam in.")
            old = getattr(details, field_name)
            setattr(details, field_name, value)
            new = value
        if old == new:
            raise ValidationError("new_value", "Dit is hetzelfde als wat er al staat.")
        try:
            details.validate()
        except ValidationError as exc:
            raise ValidationError("new_value", exc.message) from None
        self.session.dossier.update_student(record, details)
        return old, new

    # -- verwijdering ------------------------------------------------------------------

    def erase_student(self, student_id: str, reason: str, told: str = "") -> None:
        """Erase one student for good (coördinator, reason code from ERASURE_REASONS).

        When the file's data went to someone (``recipients``), ``told`` says
        whether they were told (an ``ERASURE_TOLD`` code, logged after the
        erasure); without it the erasure is refused.
        """
        if not self.keys.is_coordinator:
            raise NotAllowed("students", reason=Reason.COORDINATOR_ONLY)
        if reason not in ERASURE_REASONS:
            raise ValidationError("reason", "Kies een reden voor het wissen.")
        if told not in ERASURE_TOLD and self.recipients(student_id):
            raise ValidationError("told", "Zeg of de ontvangers zijn ingelicht (AVG artikel 19).")
        self.erase_students([student_id], reason)
        if told in ERASURE_TOLD:
            with self.unit():
                store_rights.log_told(self.store, self.keys, student_id, told)

    # -- ontvangers (AVG art. 19) ---------------------------------------------------------

    def recipients(self, student_id: str) -> list[Recipient]:
        """Where this file's data went: its handovers, then its exports and prints (not the student's own inzage)."""
        from storage import dossier as store_dossier

        out: list[Recipient] = []
        for view in reversed(self.session.handover.handovers_of(student_id)):
            row = view.row
            if view.receiver is not None:
                who = view.receiver_label
            elif row.to_worker_id:
                who = self.session.worker_name(row.to_worker_id)
            else:
                who = "een hulpverlener buiten het team"
            on = clock.local_time(row.created_at).date()
            out.append(Recipient(f"overdracht:{row.id}", who, f"warme overdracht ({view.title})", on, row.open))
        for n, (at, event, detail) in enumerate(store_dossier.shared_events(self.store, student_id)):
            if to_the_student(detail):
                continue
            what = "geprint" if event == "print" else "gekopieerd of opgeslagen"
            out.append(Recipient(f"export:{n}", export_word(detail), what, clock.local_time(at).date()))
        return out

    def record_informed(self, student_id: str, about: str, told: list[Told], how: str) -> str:
        """Record, in the file, which recipients were told of a correction (or erasure), and how or why not."""
        if not told:
            raise ValidationError("told", "Er zijn geen ontvangers om in te lichten.")
        if any(not t.told for t in told) and not how.strip():
            raise ValidationError("how", "Schrijf op waarom niet iedereen is ingelicht.")
        check_document(how, "how")
        return self.session.dossier.add_entries(student_id, [(INFORMED, informed_payload(about, told, how))])[0]

    def erase_students(self, student_ids: list[str], reason: str) -> int:
        if not self.keys.is_coordinator:
            raise NotAllowed("students", reason=Reason.COORDINATOR_ONLY)
        if reason not in ERASURE_REASONS:
            raise ValidationError("reason", "Kies een reden voor het wissen.")
        if reason == "bewaartermijn":
            # Only true for a closed file whose term has passed (the log keeps the reason).
            past = {p.record.id for p in self.past_term()}
            if any(sid not in past for sid in student_ids):
                raise ValidationError(
                    "reason",
                    "De bewaartermijn van dit dossier is niet verstreken (of het dossier is nog open). Kies een andere reden.",
                )
        with self.unit():
            removed = store_rights.erase_students(self.store, self.keys, student_ids, reason)
        return len(removed)

    # -- bewaartermijn -----------------------------------------------------------------

    def retention_years(self) -> dict[str, int]:
        stored = store_rights.retention_terms(self.store, self.keys) or {}
        out = dict(DEFAULT_RETENTION_YEARS)
        for regime in out:
            v = stored.get(regime)
            # Never below the legal floor, whatever the store holds.
            low, high = RETENTION_LIMITS[regime]
            if isinstance(v, int) and low <= v <= high:
                out[regime] = v
        return out

    def retention_set_aside(self) -> bool:
        """Whether stored retention terms were set aside (no valid coördinator signature): the legal terms apply."""
        return store_rights.retention_checked(self.store, self.keys)[1]

    def set_retention_years(self, terms: dict[str, int], *, version: int) -> None:
        if not self.keys.is_coordinator:
            raise NotAllowed("team", reason=Reason.COORDINATOR_ONLY)
        clean = {}
        now = self.retention_years()  # a regime not given keeps its term
        for regime, (low, high) in RETENTION_LIMITS.items():
            v = terms.get(regime, now[regime])
            if not isinstance(v, int) or not low <= v <= high:
                label = RETENTION_REGIMES[regime]
                extra = " (de Jeugdwet vraagt minstens 20 jaar)" if regime == "jeugdwet" else ""
                raise ValidationError(regime, f"Bewaartermijn {label}: een aantal jaren van {low} tot {high}{extra}.")
            clean[regime] = v
        with self.unit():
            store_rights.set_retention_terms(self.store, self.keys, clean, version)

    def set_retention_regime(self, record: StudentRecord, regime: str) -> StudentRecord:
        """Which term applies to this student's file (a directory field)."""
        if regime not in RETENTION_REGIMES:
            raise ValidationError("retention", RETENTION_CHOOSE)
        # Against the version the worker saw: a colleague's change in between is a Conflict.
        details = StudentDetails.from_dict(record.details.to_dict())
        details.retention = regime
        return self.session.dossier.update_student(record, details)

    def suggest_regime(self, record: StudentRecord, dossier: Dossier | None) -> str:
        """The retention regime to propose when this file closes (``jongerenteam.rights.retention``)."""
        return suggest_regime(record.details.retention, dossier)

    def closing_terms(self, record: StudentRecord) -> ClosingTerms:
        """The team's terms, and the file's first closing moment when it is closed already."""
        closed = store_rights.closed_files(self.store, self.keys, [record.id]).get(record.id)
        return ClosingTerms(self.retention_years(), clock.local_time(closed).date() if closed else None)

    def past_term(self, today: date | None = None) -> list[PastTerm]:
        """Closed files past their retention term, longest past first (coördinator)."""

        if not self.keys.is_coordinator:
            raise NotAllowed("students", reason=Reason.COORDINATOR_ONLY)
        today = today or local_today()
        years = self.retention_years()
        out = []
        for sid, closed in store_rights.closed_files(self.store, self.keys).items():
            record = self.students.get(sid)
            if record is None or record.status != "afgesloten":
                continue
            regime = record.details.retention or DEFAULT_REGIME
            closed_on = clock.local_time(closed).date()
            ends = add_years(closed_on, years.get(regime, years[DEFAULT_REGIME]))
            if today > ends:
                out.append(PastTerm(record, regime, closed_on, ends, (today - ends).days))
        return sorted(out, key=lambda p: (-p.days_past, p.record.sort_key))

    def erase_past_term(self, student_ids: list[str], today: date | None = None) -> int:
        """Erase these files, each only if it is still past its term (reason 'bewaartermijn')."""
        due = {p.record.id for p in self.past_term(today)}
        chosen = [sid for sid in student_ids if sid in due]
        if not chosen:
            return 0
        return self.erase_students(chosen, "bewaartermijn")

