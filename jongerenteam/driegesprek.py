"""The driegesprek: student, study coach and hulpverlener, the talk the guidance starts with.

``Driegesprek`` is what the worker records (the student's story in their own
words, the school's concerns, the help question, the agreements, what may be
shared with whom, scores, the next appointment); ``DriegesprekService`` saves
it as one talk with its agreements, consents, scores and appointment, in one
transaction. Screen: ``screens/driegesprek.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from jongerenteam.catalogue import COACH_ROLES
from jongerenteam.consent import CONSENT, NewConsent
from jongerenteam.dates import local_today
from jongerenteam.domain import Concern, ValidationError
from jongerenteam.dossier.model import (
    AGREEMENT,
    APPOINTMENT,
    SCORE,
    TALK,
    NewAgreement,
    NewScore,
    check_talk_day,
    talk_day_concerns,
)
from jongerenteam.entries import iso, text_field
from jongerenteam.service import Service
from jongerenteam.text import check_text, clean_line
from storage import dossier as store_dossier
from storage.documents import JsonObject


@dataclass(slots=True)
class Driegesprek:
    """The first (or a later) talk of student, study coach and hulpverlener."""

    at: datetime | None = None
    minutes: int | None = None
    coach_name: str = ""
    coach_role: str = "studentcoach"
    workers: list[str] = field(default_factory=list)  # worker ids present
    others: list[str] = field(default_factory=list)  # e.g. "pleegmoeder"
    story: str = ""  # "Verhaal van de student", in the student's own words
    school_concerns: str = ""  # "Zorgen van school"
    question: str = ""  # "Hulpvraag"
    agreements: list[NewAgreement] = field(default_factory=list)
    consents: list[NewConsent] = field(default_factory=list)
    scores: list[NewScore] = field(default_factory=list)
    next_date: date | None = None
    next_text: str = ""

    def validate(self, today: date, birth: date | None = None) -> None:
        """Refuse what cannot be right (``birth``: the student's birth date, if known)."""
        if self.at is None:
            raise ValidationError("at", "Vul de datum van het driegesprek in.")
        if self.at.date() > today:
            raise ValidationError("at", "De datum van het driegesprek ligt in de toekomst.")
        check_talk_day("at", self.at.date(), birth)
        if self.minutes is not None and not 1 <= self.minutes <= 480:
            raise ValidationError("minutes", "Duur is een aantal minuten, van 1 tot 480.")
        if self.coach_role and self.coach_role not in COACH_ROLES:
            raise ValidationError("coach_role", "Kies de rol van de coach: SLB'er, LOB'er, mentor of studiecoach.")
        self.story = story = text_field("story", self.story, "het verhaal van de student")
        self.school_concerns = concerns = text_field("school_concerns", self.school_concerns, "de zorgen van school")
        self.question = question = text_field("question", self.question, "de hulpvraag")
        self.coach_name = text_field("coach_name", self.coach_name, "de naam van de coach", kind="name")
        self.others = [clean_line(o) for o in self.others]
        for other in self.others:
            check_text("others", other, "name")
        self.next_text = text_field("next_text", self.next_text, "wat er is afgesproken", kind="line")
        if not (story or concerns or question):
            raise ValidationError("story", "Schrijf iets op: het verhaal van de student, de zorgen van school of de hulpvraag.")
        for i, a in enumerate(self.agreements):
            try:
                a.validate(today)
            except ValidationError as exc:
                raise ValidationError(f"agreement:{i}:{exc.field}", exc.message) from None
        for i, c in enumerate(self.consents):
            try:
                c.validate(today)
            except ValidationError as exc:
                raise ValidationError(f"consent:{i}:{exc.field}", exc.message) from None
        for s in self.scores:
            s.validate(today)
        if self.next_date is not None and self.next_date < today:
            raise ValidationError("next_date", "De volgende afspraak ligt in het verleden.")

    def concerns(self, today: date) -> list[Concern]:
        """Possible but unusual: the worker confirms before it is saved."""
        return talk_day_concerns("at", self.at.date(), today) if self.at is not None else []

    def talk_payload(self) -> JsonObject:
        participants = ["student"]
        if self.coach_name.strip():
            participants.append(f"{self.coach_name.strip()} ({COACH_ROLES.get(self.coach_role, self.coach_role)})")
        participants += [o.strip() for o in self.others if o.strip()]
        return {
            "type": "driegesprek",
            "moment": self.at.isoformat(timespec="minutes") if self.at else None,
            "minuten": self.minutes,
            "deelnemers": participants,
            "medewerkers": list(self.workers),
            "coach": {"naam": self.coach_name.strip(), "rol": self.coach_role},
            "aanwezig": [o.strip() for o in self.others if o.strip()],
            "verhaal": self.story.strip(),
            "zorgen": self.school_concerns.strip(),
            "hulpvraag": self.question.strip(),
            "tekst": self.question.strip() or self.story.strip() or self.school_concerns.strip(),
            "volgende": {"datum": iso(self.next_date), "tekst": self.next_text.strip()} if self.next_date else None,
            "geschiedenis": [],
        }

    def __repr__(self) -> str:
        return "Driegesprek(…)"


class DriegesprekService(Service):
    def save_driegesprek(self, student_id: str, talk: Driegesprek) -> str:
        """One talk of type driegesprek, with its agreements, consents, scores
        and next appointment, all written in one transaction.

        The study coach named in it becomes the student's coach when none is
        set yet, scored leefdomeinen join the student's, and a student waiting
        for a first talk has had one.
        """
        talk.validate(local_today(), self.session.dossier.birth_date(student_id))
        if talk.at is None:  # not reached: validate() refuses a talk without a date
            raise ValueError("driegesprek without a date")
        at = talk.at
        talk_id = store_dossier.new_entry_id()
        ids: list[str] = [talk_id]
        entries: list[tuple[str, JsonObject]] = []
        agreement_ids, consent_ids, score_ids = [], [], []
        for a in talk.agreements:
            agreement_ids.append(store_dossier.new_entry_id())
            entries.append((AGREEMENT, a.payload(talk_id)))
        for c in talk.consents:
            consent_ids.append(store_dossier.new_entry_id())
            entries.append((CONSENT, c.payload(talk_id)))
        for s in talk.scores:
            score_ids.append(store_dossier.new_entry_id())
            entries.append((SCORE, s.payload(talk_id)))
        ids += agreement_ids + consent_ids + score_ids
        payload = talk.talk_payload()
        payload.update({"werkafspraken": agreement_ids, "toestemmingen": consent_ids, "scores": score_ids})
        entries.insert(0, (TALK, payload))
        if talk.next_date is not None:
            # Its own appointment entry, so Vandaag's agenda sees it (fold shows it once).
            ids.append(store_dossier.new_entry_id())
            entries.append((APPOINTMENT, {
                "datum": talk.next_date.isoformat(), "tekst": talk.next_text.strip() or "vervolggesprek",
                "gesprek": talk_id,
            }))
        dossier = self.session.dossier
        with self.unit():
            dossier.first_talk_held(
                student_id, coach=(talk.coach_name.strip(), talk.coach_role),
                domains={s.domain for s in talk.scores},
            )
            dossier.add_entries(student_id, entries, ids=ids)
            self.session.report.note(
                student_id, talks=((at.date(), "driegesprek", talk_id),),
                scores=tuple((s.on, s.domain, s.score) for s in talk.scores),
            )
        return talk_id
