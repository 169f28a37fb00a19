"""The dossier's use cases: reading a file, talks, agreements, scores,
appointments, status and coach, betrokkenen, the Logboek.

``DossierService`` is the one way a file entry is written or rewritten
(``add_entries``, ``rewrite``): every payload is checked (length, printable
characters), every rewrite keeps the earlier version in the entry's history
and is guarded by the version the worker saw. Consent (``jongerenteam.consent``),
the driegesprek, the handover and the rights build on these.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, TypedDict, Unpack

from jongerenteam.catalogue import CLOSE_REASONS
from jongerenteam.consent import CONSENT
from jongerenteam.dates import local_today
from jongerenteam.domain import RETENTION_CHOOSE, RETENTION_REGIMES, StudentDetails, ValidationError, validate_status
from jongerenteam.dossier import model as d
from jongerenteam.entries import edited
from jongerenteam.service import Service
from jongerenteam.text import check_document
from storage import clock, files, spreekuur, students
from storage import dossier as store_dossier
from storage.documents import JsonObject
from storage.errors import NotAllowed, Reason

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord

# Every entry rewrite is logged with one of these details (no personal data).
EDIT_DETAILS = {
    d.TALK: "dossier: gesprek gewijzigd",
    d.AGREEMENT: "dossier: werkafspraak gewijzigd",
    CONSENT: "dossier: toestemming gewijzigd",
    d.EXTERNAL: "dossier: externe betrokkene gewijzigd",
}


class AgreementChanges(TypedDict, total=False):
    """What ``DossierService.change_agreement`` may change (None: clear the date)."""

    status: str
    follow_up: date | None
    due: date | None
    what: str


EVENT_LABELS = {
    "open": "dossier geopend",
    "create": "toegevoegd",
    "change": "gewijzigd",
    "delete": "verwijderd",
    "export": "geëxporteerd",
    "print": "afgedrukt",
    "handover": "overdracht",
    "emergency_access": "noodtoegang",
    "erasure": "gewist",
}


@dataclass(frozen=True, slots=True)
class LogLine:
    at: datetime  # local
    what: str  # Dutch: "dossier geopend", "toegevoegd: werkafspraak" ...
    who: str  # worker name
    on_behalf_of: str
    access_point: str


_DETAIL_WORDS = {
    "dossier: talk": "gesprek",
    "dossier: agreement": "werkafspraak",
    "dossier: score": "leefdomeinscore",
    "dossier: consent": "toestemming",
    "dossier: external": "externe betrokkene",
    "dossier: inloop": "inloopgesprek",
    "dossier: aanmelding": "aanmelding",
    "dossier: afspraak": "afspraak",
    "dossier: noodtoegang": "noodtoegang",
    "dossier: checklist18": "18+-checklist",
    "dossier: note": "notitie",
    "dossier: notitie": "notitie",
    "dossier: correctie": "correctieverzoek",
    "vandaag": "voor het overzicht Vandaag",
    "dossier: overdracht_stap": "stap van een overdracht",
    "dossier: overdracht": "overdrachtsdocument",
}


def detail_text(detail: str) -> str:
    detail, end = files.split_end(detail)  # a wrap record names the access's end: as a Dutch date
    if end is not None:
        detail += f" (tot {clock.local_time(end):%d-%m-%Y})"
    for code, word in _DETAIL_WORDS.items():
        if detail.startswith(code):
            return word + detail[len(code):]
    return detail




class DossierService(Service):
    """One worker's use cases on the files of the students they are involved with."""

    # -- reading -------------------------------------------------------------------

    def open_dossier(self, student_id: str, *, log: bool = True) -> d.Dossier:
        """Decrypt and fold a student's file. Logged as 'open' unless ``log`` is
        False, which only a screen refreshing after its own (logged) change uses."""
        entries = students.read_file(self.store, self.keys, student_id, log=log)
        return d.fold(student_id, entries)

    def read_file(self, student_id: str) -> list[files.EntryView]:
        """The file's entries as stored (logged as 'open')."""
        return students.read_file(self.store, self.keys, student_id)

    def file_log(self, student_id: str) -> list[LogLine]:
        out = []
        for row in store_dossier.file_log(self.store, self.keys, student_id):
            what = EVENT_LABELS.get(row.event, row.event)
            if row.detail:
                what = f"{what}: {detail_text(row.detail)}"
            out.append(LogLine(
                clock.local_time(row.at), what, self.session.worker_name(row.worker_id),
                self.session.worker_name(row.on_behalf_of, ""), row.access_point,
            ))
        return out

    def involved_workers(self, student_id: str) -> list[str]:
        return students.involved_workers(self.store, student_id)

    # -- writing file entries: the one way ----------------------------------------------------

    def add_entries(self, student_id: str, entries: list[tuple[str, JsonObject]], *, ids: list[str] | None = None) -> list[str]:
        """Write several file entries in one transaction (``ids``: chosen beforehand,
        when one entry names another, as a driegesprek names its agreements)."""
        for _, payload in entries:
            check_document(payload)
        ids = ids or [store_dossier.new_entry_id() for _ in entries]
        with self.unit():
            store_dossier.add_entries(
                self.store, self.keys, student_id, [(eid, kind, payload) for eid, (kind, payload) in zip(ids, entries, strict=True)],
            )
        return ids

    def add_entry(self, student_id: str, kind: str, payload: JsonObject) -> str:
        """One entry; a worker who is not involved appends it without reading the file."""
        check_document(payload)
        with self.unit():
            return students.add_entry(self.store, self.keys, student_id, kind, payload)

    def rewrite(self, student_id: str, kind: str, entry_id: str, version: int, changes: JsonObject) -> bool:
        """Change fields of an entry, keeping the old values in its history, against
        the version the worker saw (``Conflict`` when a colleague saved in between).
        False when nothing changes (no new version is written)."""
        with self.unit():
            current = self._payload(student_id, entry_id)
            payload = edited(current, changes, by=self.worker_id, at=clock.now())
            if payload is None:
                # Nothing to write, but only if nobody changed it since the worker looked:
                # a colleague's same change is theirs, and this worker should hear so.
                store_dossier.check_entry(self.store, student_id, entry_id, version)
                return False
            check_document(payload)
            store_dossier.rewrite_entry(
                self.store, self.keys, student_id, entry_id, payload, version, detail=EDIT_DETAILS.get(kind, f"dossier: {kind} gewijzigd"),
            )
        return True

    def _payload(self, student_id: str, entry_id: str) -> JsonObject:
        """The stored payload of one entry (for a rewrite), read without a new log line."""
        for e in students.read_file(self.store, self.keys, student_id, log=False):
            if e.id == entry_id:
                return dict(e.payload)
        raise ValidationError("entry", "Dit onderdeel bestaat niet meer; herlaad het dossier.")

    def log_export(self, student_id: str | None, what: str, *, printed: bool = False) -> None:
        """Log that file data left the app (a copied text, a PDF); ``what`` names the kind."""
        with self.unit():
            store_dossier.log_event(self.store, self.keys, "print" if printed else "export", student_id, what)

    # -- talks, agreements, scores, appointments -------------------------------------------------

    def birth_date(self, student_id: str) -> date | None:
        """The student's birth date as stored now (a talk's date is checked against it)."""
        row = students.get_student(self.store, self.keys, student_id)
        return StudentDetails.from_dict(row.data).birth_date

    def add_talk(self, student_id: str, talk: d.NewTalk) -> str:
        talk.validate(local_today(), self.birth_date(student_id))
        if talk.at is None:  # not reached: validate() refuses a talk without a date
            raise ValueError("talk without a date")
        at = talk.at
        with self.unit():
            (entry_id,) = self.add_entries(student_id, [(d.TALK, talk.payload())])
            self.first_talk_held(student_id)
            self.session.report.note(student_id, talks=((at.date(), talk.type, entry_id),))
        return entry_id

    def edit_talk(self, student_id: str, item: d.TimelineItem, changes: JsonObject) -> bool:
        """Change a talk's note (or its driegesprek parts); the old text stays as history."""
        if not item.editable:
            raise NotAllowed(f"file_entries/{item.id}", reason=Reason.NOT_EDITABLE)
        allowed = {"tekst", "verhaal", "zorgen", "hulpvraag", "minuten", "deelnemers", "type"}
        if set(changes) - allowed:
            raise ValueError("unknown talk fields")
        # Both versions of a conflict, still with the line between them, are not a verslag.
        d.refuse_unmerged(changes)
        if "tekst" in changes and not str(changes["tekst"]).strip() and not item.is_driegesprek:
            raise ValidationError("note", "Een verslag mag niet leeg zijn.")
        if "type" in changes and changes["type"] not in d.TALK_TYPES:
            raise ValidationError("type", "Kies het soort gesprek.")
        with self.unit():
            done = self.rewrite(student_id, d.TALK, item.id, item.version, changes)
            if done and "type" in changes:
                self.session.report.note(student_id, retype=(item.id, changes["type"]))
        return done

    def add_agreement(self, student_id: str, agreement: d.NewAgreement, *, talk_id: str | None = None) -> str:
        agreement.validate(local_today())
        return self.add_entries(student_id, [(d.AGREEMENT, agreement.payload(talk_id))])[0]

    def change_agreement(self, student_id: str, agreement: d.Agreement, **changes: Unpack[AgreementChanges]) -> bool:
        """Status (open/gedaan/vervallen), follow-up date, deadline or text."""
        raw: JsonObject = {}
        if "status" in changes:
            if changes["status"] not in d.AGREEMENT_STATUSES:
                raise ValidationError("status", "Kies open, gedaan of vervallen.")
            raw["status"] = changes["status"]
        # A date set now is not in the past (as for a new agreement): a typo, not a plan.
        today = local_today()
        if "follow_up" in changes:
            follow_up = changes["follow_up"]
            if follow_up is not None and follow_up < today:
                raise ValidationError("follow_up", d.FOLLOW_UP_PAST.format(day=f"{follow_up:%d-%m-%Y}"))
            raw["opvolgen"] = follow_up.isoformat() if follow_up else None
        if "due" in changes:
            due = changes["due"]
            if due is not None and due < today:
                raise ValidationError("due", d.DUE_PAST.format(day=f"{due:%d-%m-%Y}"))
            raw["uiterlijk"] = due.isoformat() if due else None
        if "what" in changes:
            if not changes["what"].strip():
                raise ValidationError("what", "Vul in wat er is afgesproken.")
            raw["wat"] = changes["what"].strip()
        return self.rewrite(student_id, d.AGREEMENT, agreement.id, agreement.version, raw)

    def add_score(self, student_id: str, score: d.NewScore) -> str:
        score.validate(local_today())
        with self.unit():
            (entry_id,) = self.add_entries(student_id, [(d.SCORE, score.payload())])
            self.session.report.note(student_id, scores=((score.on, score.domain, score.score),))
        return entry_id

    def add_appointment(self, student_id: str, on: date, text: str = "") -> str:
        if on < local_today():
            raise ValidationError("next_date", "De afspraak ligt in het verleden.")
        payload = {"datum": on.isoformat(), "tekst": text.strip() or "vervolggesprek"}
        return self.add_entries(student_id, [(d.APPOINTMENT, payload)])[0]

    def first_talk_held(
        self, student_id: str, *, coach: tuple[str, str] | None = None, domains: AbstractSet[str] = frozenset()
    ) -> None:
        """Update the directory after a talk (inside the talk's unit): the wait ends,
        coach and leefdomeinen become known."""
        row = students.get_student(self.store, self.keys, student_id)
        details = StudentDetails.from_dict(row.data)
        status = "lopend" if row.status in ("wacht", "aangemeld") else None
        changed = status is not None
        if coach and coach[0] and not details.coach_name:
            details.coach_name, details.coach_role = coach
            changed = True
        if domains - set(details.leefdomeinen):
            details.leefdomeinen = sorted(set(details.leefdomeinen) | domains)
            changed = True
        if changed:
            students.update_student(self.store, self.keys, row.id, details.to_dict(), row.version, status=status)

    # -- the directory record -------------------------------------------------------------------------

    def update_student(self, record: StudentRecord, details: StudentDetails) -> StudentRecord:
        """Save changed details against the version the worker saw (``Conflict`` otherwise)."""
        details.validate()
        with self.unit():
            students.update_student(self.store, self.keys, record.id, details.to_dict(), record.version)
            self.session.report.note(record.id)
        return self.session.record(record.id)

    def set_status(
        self, record: StudentRecord, status: str, closed_reason: str = "", retention: str = "",
    ) -> StudentRecord:
        """Change a file's status ('afgesloten' needs one of CLOSE_REASONS, and may set
        the retention regime), against the version the worker saw: a colleague's
        change in between is a ``Conflict``."""
        validate_status(status)
        if status == "afgesloten" and closed_reason not in CLOSE_REASONS:
            raise ValidationError("closed_reason", "Kies hoe het dossier is afgesloten.")
        details = StudentDetails.from_dict(record.details.to_dict())
        details.closed_reason = closed_reason if status == "afgesloten" else ""
        if status == "afgesloten" and retention:
            if retention not in RETENTION_REGIMES:
                raise ValidationError("retention", RETENTION_CHOOSE)
            details.retention = retention
        with self.unit():
            students.update_student(self.store, self.keys, record.id, details.to_dict(), record.version, status=status)
            self.session.report.note(record.id)
        return self.session.record(record.id)

    def set_coach(self, record: StudentRecord, name: str, role: str) -> StudentRecord:
        """The student's study coach, against the version the worker saw."""
        details = StudentDetails.from_dict(record.details.to_dict())
        details.coach_name, details.coach_role = name.strip(), role if name.strip() else ""
        return self.update_student(record, details)

    # -- betrokkenen -------------------------------------------------------------------

    def involve(self, student_id: str, worker_id: str) -> None:
        with self.unit():
            students.involve_worker(self.store, self.keys, student_id, worker_id)

    def change_contact(self, record: StudentRecord, worker_id: str) -> StudentRecord:
        """Make a colleague the contact person (they get the student key if they lack it),
        against the version of the student the worker saw."""
        with self.unit():
            spreekuur.change_contact(self.store, self.keys, record.id, worker_id, record.version)
        student_id = record.id
        return self.session.record(student_id)

    def remove_involved(self, student_id: str, worker_id: str) -> None:
        with self.unit():
            store_dossier.remove_involvement(self.store, self.keys, student_id, worker_id)

    def add_external(
        self, student_id: str, name: str, role: str = "", organisation: str = "",
        contact: str = "", map_id: str | None = None,
    ) -> str:
        if not name.strip():
            raise ValidationError("name", "Vul de naam van de betrokkene in.")
        return self.add_entries(student_id, [(d.EXTERNAL, {
            "naam": name.strip(), "rol": role.strip(), "organisatie": organisation.strip(),
            "contact": contact.strip(), "kaart": map_id, "sinds": local_today().isoformat(), "tot": None,
            "geschiedenis": [],
        })])[0]

    def end_external(self, student_id: str, external: d.External) -> bool:
        return self.rewrite(student_id, d.EXTERNAL, external.id, external.version, {"tot": local_today().isoformat()})
