"""Use cases of the dossier and the driegesprek, mixed into ``TeamSession``.

Each method checks the input (``jongerenteam.dossier``), writes through
``storage.dossier`` / ``storage.students`` and keeps the session's view
(the directory, the Vandaag agenda) up to date. Nothing here knows Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from jongerenteam import dossier as d
from jongerenteam.catalogue import (
    CLOSE_REASONS,
    LEEFDOMEIN_CODES,
    PROFESSIONALS_EXTERNAL,
    PROFESSIONALS_SCHOOL,
)
from jongerenteam.domain import ValidationError, validate_status
from jongerenteam.text import check_document, check_text, clean_block, clean_line
from storage import clock, students
from storage import dossier as store_dossier
from storage.errors import NotAllowed

# Every entry rewrite is logged with one of these details (no personal data).
EDIT_DETAILS = {
    d.TALK: "dossier: gesprek gewijzigd",
    d.AGREEMENT: "dossier: werkafspraak gewijzigd",
    d.CONSENT: "dossier: toestemming gewijzigd",
    d.EXTERNAL: "dossier: externe betrokkene gewijzigd",
}

# The sociale kaart's types: the professional roles of the field (DOMAIN.md).
MAP_ROLES: tuple[str, ...] = PROFESSIONALS_SCHOOL + PROFESSIONALS_EXTERNAL
MAP_KINDS = {"organisatie": "organisatie", "professional": "professional"}

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


@dataclass(slots=True)
class MapEntry:
    """An organisation or professional on the team's sociale kaart."""

    kind: str = "professional"
    name: str = ""
    role: str = ""
    organisation: str = ""
    leefdomeinen: list[str] = field(default_factory=list)
    phone: str = ""
    email: str = ""
    note: str = ""

    def validate(self) -> None:
        from jongerenteam.domain import email_problem, phone_problem

        for name, kind in (("name", "short"), ("role", "short"), ("organisation", "short"), ("phone", "number"), ("email", "short")):
            setattr(self, name, clean_line(getattr(self, name)))
            check_text(name, getattr(self, name), kind)
        self.note = clean_block(self.note)
        check_text("note", self.note, "note")
        if self.kind not in MAP_KINDS:
            raise ValidationError("kind", "Kies organisatie of professional.")
        if not self.name.strip():
            raise ValidationError("name", "Vul een naam in.")
        if any(c not in LEEFDOMEIN_CODES for c in self.leefdomeinen):
            raise ValidationError("leefdomeinen", "Onbekend leefdomein.")
        if self.phone.strip() and (problem := phone_problem(self.phone)):
            raise ValidationError("phone", problem)
        if self.email.strip() and (problem := email_problem(self.email)):
            raise ValidationError("email", problem)

    def to_dict(self) -> dict:
        return {
            "naam": self.name.strip(), "rol": self.role.strip(), "organisatie": self.organisation.strip(),
            "leefdomeinen": sorted(set(self.leefdomeinen)), "telefoon": self.phone.strip(),
            "email": self.email.strip(), "notitie": self.note.strip(),
        }

    @classmethod
    def from_row(cls, row: store_dossier.MapRow) -> "MapEntry":
        x = row.data
        return cls(row.kind, x.get("naam", ""), x.get("rol", ""), x.get("organisatie", ""),
                   list(x.get("leefdomeinen", [])), x.get("telefoon", ""), x.get("email", ""), x.get("notitie", ""))

    @property
    def label(self) -> str:
        parts = [self.name]
        if self.role:
            parts.append(self.role)
        if self.organisation and self.organisation != self.name:
            parts.append(self.organisation)
        return " · ".join(parts)

    def __repr__(self) -> str:
        return "MapEntry(…)"


@dataclass(slots=True)
class MapItem:
    id: str
    version: int
    entry: MapEntry


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


def _detail_text(detail: str) -> str:
    for code, word in _DETAIL_WORDS.items():
        if detail.startswith(code):
            return word + detail[len(code):]
    return detail


class CaseworkMixin:
    """The dossier's use cases; ``self`` is a ``TeamSession``."""

    # -- reading -------------------------------------------------------------------

    def open_dossier(self, student_id: str, *, log: bool = True) -> d.Dossier:
        """Decrypt and fold a student's file. Logged as 'open' unless ``log`` is
        False, which only a screen refreshing after its own (logged) change uses."""
        entries = students.read_file(self.store, self.keys, student_id, log=log)
        return d.fold(student_id, entries)

    def file_log(self, student_id: str) -> list[LogLine]:
        names = {wid: w.full_name for wid, w in self.workers.items()}
        out = []
        for row in store_dossier.file_log(self.store, self.keys, student_id):
            what = EVENT_LABELS.get(row.event, row.event)
            if row.detail:
                what = f"{what}: {_detail_text(row.detail)}"
            out.append(LogLine(
                clock.local_time(row.at), what, names.get(row.worker_id or "", "onbekend"),
                names.get(row.on_behalf_of or "", ""), row.access_point,
            ))
        return out

    # -- writing -------------------------------------------------------------------

    def _today(self) -> date:
        from jongerenteam.session import local_today

        return local_today()

    def _add(self, student_id: str, entries: list[tuple[str, str, dict]]) -> None:
        for _, _, payload in entries:
            check_document(payload)
        store_dossier.add_entries(self.store, self.keys, student_id, entries)
        if any(kind in (d.AGREEMENT, d.APPOINTMENT) for _, kind, _ in entries):
            self._agenda = None

    def add_talk(self, student_id: str, talk: d.NewTalk) -> str:
        talk.validate(self._today())
        entry_id = store_dossier.new_entry_id()
        self._add(student_id, [(entry_id, d.TALK, talk.payload())])
        self._first_talk_held(student_id)
        self._stats_note(student_id, talks=((talk.at.date(), talk.type, entry_id),))
        return entry_id

    def _rewrite(self, student_id: str, kind: str, entry_id: str, version: int, payload: dict | None) -> bool:
        if payload is None:
            return False  # nothing changed: no new version
        check_document(payload)
        store_dossier.rewrite_entry(
            self.store, self.keys, student_id, entry_id, payload, version, detail=EDIT_DETAILS[kind],
        )
        if kind == d.AGREEMENT:
            self._agenda = None
        return True

    def edit_talk(self, student_id: str, item: d.TimelineItem, changes: dict) -> bool:
        """Change a talk's note (or its driegesprek parts); the old text stays as history."""
        if not item.editable:
            raise NotAllowed(f"file_entries/{item.id}", reason="not editable")
        allowed = {"tekst", "verhaal", "zorgen", "hulpvraag", "minuten", "deelnemers", "type"}
        if set(changes) - allowed:
            raise ValueError("unknown talk fields")
        if "tekst" in changes and not str(changes["tekst"]).strip() and not item.is_driegesprek:
            raise ValidationError("note", "Een verslag mag niet leeg zijn.")
        if "type" in changes and changes["type"] not in d.TALK_TYPES:
            raise ValidationError("type", "Kies het soort gesprek.")
        payload = d.edited(item.payload, changes, by=self.worker_id, at=clock.now())
        done = self._rewrite(student_id, d.TALK, item.id, item.version, payload)
        if done and "type" in changes:
            self._stats_note(student_id, retype=(item.id, changes["type"]))
        return done

    def add_agreement(self, student_id: str, agreement: d.NewAgreement, *, talk_id: str | None = None) -> str:
        agreement.validate()
        entry_id = store_dossier.new_entry_id()
        self._add(student_id, [(entry_id, d.AGREEMENT, agreement.payload(talk_id))])
        return entry_id

    def change_agreement(self, student_id: str, agreement: d.Agreement, **changes) -> bool:
        """Status (open/gedaan/vervallen), follow-up date, deadline or text."""
        raw: dict = {}
        if "status" in changes:
            if changes["status"] not in d.AGREEMENT_STATUSES:
                raise ValidationError("status", "Kies open, gedaan of vervallen.")
            raw["status"] = changes["status"]
        if "follow_up" in changes:
            raw["opvolgen"] = changes["follow_up"].isoformat() if changes["follow_up"] else None
        if "due" in changes:
            raw["uiterlijk"] = changes["due"].isoformat() if changes["due"] else None
        if "what" in changes:
            if not changes["what"].strip():
                raise ValidationError("what", "Vul in wat er is afgesproken.")
            raw["wat"] = changes["what"].strip()
        current = self._payload(student_id, agreement.id)
        payload = d.edited(current, raw, by=self.worker_id, at=clock.now())
        return self._rewrite(student_id, d.AGREEMENT, agreement.id, agreement.version, payload)

    def _payload(self, student_id: str, entry_id: str) -> dict:
        """The stored payload of one entry (for a rewrite), read without a new log line."""
        for e in students.read_file(self.store, self.keys, student_id, log=False):
            if e.id == entry_id:
                return dict(e.payload)
        raise ValidationError("entry", "Dit onderdeel bestaat niet meer; herlaad het dossier.")

    def add_score(self, student_id: str, score: d.NewScore) -> str:
        score.validate(self._today())
        entry_id = store_dossier.new_entry_id()
        self._add(student_id, [(entry_id, d.SCORE, score.payload())])
        self._stats_note(student_id, scores=((score.on, score.domain, score.score),))
        return entry_id

    def add_consent(self, student_id: str, consent: d.NewConsent) -> str:
        consent.validate(self._today())
        entry_id = store_dossier.new_entry_id()
        self._add(student_id, [(entry_id, d.CONSENT, consent.payload())])
        return entry_id

    def withdraw_consent(self, student_id: str, consent: d.Consent, on: date | None = None) -> bool:
        on = on or self._today()
        if consent.on is not None and on < consent.on:
            raise ValidationError("withdrawn_on", "Intrekken kan niet voor de datum van de toestemming.")
        current = self._payload(student_id, consent.id)
        payload = d.edited(current, {"ingetrokken_op": on.isoformat()}, by=self.worker_id, at=clock.now())
        return self._rewrite(student_id, d.CONSENT, consent.id, consent.version, payload)

    def extend_consent(self, student_id: str, consent: d.Consent, valid_until: date | None) -> bool:
        if valid_until is not None and consent.on is not None and valid_until < consent.on:
            raise ValidationError("valid_until", "'Geldig tot' ligt voor de datum van de toestemming.")
        current = self._payload(student_id, consent.id)
        payload = d.edited(
            current, {"geldig_tot": valid_until.isoformat() if valid_until else None},
            by=self.worker_id, at=clock.now(),
        )
        return self._rewrite(student_id, d.CONSENT, consent.id, consent.version, payload)

    def add_appointment(self, student_id: str, on: date, text: str = "") -> str:
        if on < self._today():
            raise ValidationError("next_date", "De afspraak ligt in het verleden.")
        entry_id = store_dossier.new_entry_id()
        self._add(student_id, [(entry_id, d.APPOINTMENT, {"datum": on.isoformat(), "tekst": text.strip() or "vervolggesprek"})])
        return entry_id

    def save_driegesprek(self, student_id: str, talk: d.Driegesprek) -> str:
        """One talk of type driegesprek, with its agreements, consents, scores
        and next appointment, all written in one transaction.

        The study coach named in it becomes the student's coach when none is
        set yet, scored leefdomeinen join the student's, and a student waiting
        for a first talk has had one.
        """
        today = self._today()
        talk.validate(today)
        talk_id = store_dossier.new_entry_id()
        entries: list[tuple[str, str, dict]] = []
        agreement_ids, consent_ids, score_ids = [], [], []
        for a in talk.agreements:
            eid = store_dossier.new_entry_id()
            agreement_ids.append(eid)
            entries.append((eid, d.AGREEMENT, a.payload(talk_id)))
        for c in talk.consents:
            eid = store_dossier.new_entry_id()
            consent_ids.append(eid)
            entries.append((eid, d.CONSENT, c.payload(talk_id)))
        for s in talk.scores:
            eid = store_dossier.new_entry_id()
            score_ids.append(eid)
            entries.append((eid, d.SCORE, s.payload(talk_id)))
        payload = talk.talk_payload()
        payload.update({"werkafspraken": agreement_ids, "toestemmingen": consent_ids, "scores": score_ids})
        entries.insert(0, (talk_id, d.TALK, payload))
        if talk.next_date is not None:
            # Its own appointment entry, so Vandaag's agenda sees it (fold shows it once).
            entries.append((store_dossier.new_entry_id(), d.APPOINTMENT, {
                "datum": talk.next_date.isoformat(), "tekst": talk.next_text.strip() or "vervolggesprek",
                "gesprek": talk_id,
            }))
        self._first_talk_held(
            student_id, coach=(talk.coach_name.strip(), talk.coach_role),
            domains={s.domain for s in talk.scores},
        )
        self._add(student_id, entries)
        self._agenda = None
        self._stats_note(
            student_id, talks=((talk.at.date(), "driegesprek", talk_id),),
            scores=tuple((s.on, s.domain, s.score) for s in talk.scores),
        )
        return talk_id

    def _first_talk_held(
        self, student_id: str, *, coach: tuple[str, str] | None = None, domains: set[str] = frozenset()
    ) -> None:
        """Update the directory after a talk: wait ends, coach and leefdomeinen known."""
        record = self._refresh_record(student_id)
        details = record.details
        status = "lopend" if record.status in ("wacht", "aangemeld") else None
        changed = status is not None
        if coach and coach[0] and not details.coach_name:
            details.coach_name, details.coach_role = coach
            changed = True
        if domains - set(details.leefdomeinen):
            details.leefdomeinen = sorted(set(details.leefdomeinen) | domains)
            changed = True
        if changed:
            row = students.update_student(
                self.store, self.keys, record.id, details.to_dict(), record.version, status=status,
            )
            self._replace_record(row)

    def _replace_record(self, row: students.DirectoryRow):
        from jongerenteam.session import _record

        rec = _record(row)
        self.students[rec.id] = rec
        self._sorted = None
        self.index.replace(rec.id, rec.search_key)
        return rec

    def set_status(self, record, status: str, closed_reason: str = ""):
        """Change a file's status; 'afgesloten' needs one of CLOSE_REASONS."""
        validate_status(status)
        if status == "afgesloten" and closed_reason not in CLOSE_REASONS:
            raise ValidationError("closed_reason", "Kies hoe het dossier is afgesloten.")
        current = self._refresh_record(record.id)
        details = current.details
        details.closed_reason = closed_reason if status == "afgesloten" else ""
        row = students.update_student(
            self.store, self.keys, current.id, details.to_dict(), current.version, status=status,
        )
        rec = self._replace_record(row)
        self._stats_note(rec.id)
        return rec

    def set_coach(self, record, name: str, role: str):
        current = self._refresh_record(record.id)
        details = current.details
        details.coach_name, details.coach_role = name.strip(), role if name.strip() else ""
        details.validate()
        row = students.update_student(self.store, self.keys, current.id, details.to_dict(), current.version)
        return self._replace_record(row)

    # -- betrokkenen -------------------------------------------------------------------

    def involved_workers(self, student_id: str) -> list[str]:
        return students.involved_workers(self.store, student_id)

    def change_contact(self, student_id: str, worker_id: str):
        """Make a colleague the contact person; they get the student key if they lack it."""
        from storage import spreekuur

        spreekuur.change_contact(self.store, self.keys, student_id, worker_id)
        self._agenda = None
        return self._refresh_record(student_id)

    def remove_involved(self, student_id: str, worker_id: str) -> None:
        store_dossier.remove_involvement(self.store, self.keys, student_id, worker_id)
        if worker_id == self.worker_id:
            self.involved.discard(student_id)
            self._agenda = None

    def add_external(
        self, student_id: str, name: str, role: str = "", organisation: str = "",
        contact: str = "", map_id: str | None = None,
    ) -> str:
        if not name.strip():
            raise ValidationError("name", "Vul de naam van de betrokkene in.")
        entry_id = store_dossier.new_entry_id()
        self._add(student_id, [(entry_id, d.EXTERNAL, {
            "naam": name.strip(), "rol": role.strip(), "organisatie": organisation.strip(),
            "contact": contact.strip(), "kaart": map_id, "sinds": self._today().isoformat(), "tot": None,
            "geschiedenis": [],
        })])
        return entry_id

    def end_external(self, student_id: str, external: d.External) -> bool:
        current = self._payload(student_id, external.id)
        payload = d.edited(current, {"tot": self._today().isoformat()}, by=self.worker_id, at=clock.now())
        return self._rewrite(student_id, d.EXTERNAL, external.id, external.version, payload)

    # -- the sociale kaart --------------------------------------------------------------

    def social_map(self) -> list[MapItem]:
        from jongerenteam.search import fold

        items = [MapItem(r.id, r.version, MapEntry.from_row(r)) for r in store_dossier.social_map(self.store, self.keys)]
        return sorted(items, key=lambda i: fold(i.entry.name))

    def add_map_entry(self, entry: MapEntry) -> str:
        entry.validate()
        check_document(entry.to_dict())
        return store_dossier.add_map_entry(self.store, self.keys, entry.kind, entry.to_dict())

    def update_map_entry(self, item: MapItem, entry: MapEntry) -> None:
        entry.validate()
        check_document(entry.to_dict())
        store_dossier.update_map_entry(self.store, self.keys, item.id, entry.kind, entry.to_dict(), item.version)

    def remove_map_entry(self, item: MapItem) -> None:
        store_dossier.remove_map_entry(self.store, self.keys, item.id)

    # -- reachability (for the student's overview) ---------------------------------------

    def worker_contact(self, worker_id: str) -> str:
        return store_dossier.worker_contact(self.store, self.keys, worker_id)

    def set_my_contact(self, text: str) -> None:
        text = clean_line(text)
        check_text("contact", text, "line")
        store_dossier.set_worker_contact(self.store, self.keys, text)
