"""The warme overdracht: its words, who may receive what, the document.

Pure functions over the folded dossier (``jongerenteam.dossier``): nothing
here touches the store or Textual. The state machine itself is in
``storage.handover`` (so the store refuses impossible steps too); this
module names the states in Dutch and composes the overdrachtsdocument.

Consent gating: only what the student consented to share with *this*
receiver goes into the document. A leefdomein is shared when an active
consent, given by the right party for the student's age, names the receiver
and covers that domain. Parts that belong to no single domain (the open
werkafspraken, who else is involved) need a consent about "alles". An
internal receiver gets the student key on acceptance, so the whole file:
an internal handover therefore needs consent about "alles", or a legal
ground. Without any consent for the receiver the wizard stops unless the
worker records a legal ground with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from jongerenteam import domainwords
from jongerenteam.catalogue import (
    CONTACT_PREFERENCES,
    LEEFDOMEINEN,
    LEVEL_LABELS,
    SCORES,
)
from jongerenteam.consent import ALL_DOMAINS, Consent, holding
from jongerenteam.domain import StudentDetails, ValidationError, age_on
from jongerenteam.dossier.model import TALK_TYPES, Dossier, Who
from jongerenteam.text import check_text, clean_block
from storage.documents import JsonObject
from storage.handover import (
    ACCEPTED,
    ADULT,
    CONTACT,
    DECLINED,
    DEFAULT_ACCESS_DAYS,
    DONE,
    EXTERN,
    HELD,
    INTERN,
    KINDS,
    MEETING,
    PROPOSED,
    TRANSITIONS,
    WITHDRAWN,
    HandoverRow,
)

__all__ = [
    "ACCEPTED", "ADULT", "CONTACT", "DECLINED", "DEFAULT_ACCESS_DAYS", "DONE", "EXTERN", "HELD", "INTERN",
    "KINDS", "MEETING", "PROPOSED", "TRANSITIONS", "WITHDRAWN", "HandoverRow",
]

KIND_LABELS = {
    INTERN: "intern: naar een collega in het team",
    EXTERN: "extern: toeleiding naar hulp buiten school",
    ADULT: "18+: naar volwassenenzorg (Wmo, volwassenen-ggz, werk en inkomen)",
}
KIND_SHORT = {INTERN: "intern", EXTERN: "extern", ADULT: "18+"}
STATE_LABELS = {
    PROPOSED: "voorgesteld",
    ACCEPTED: "geaccepteerd",
    DECLINED: "afgewezen",
    MEETING: "kennismaking gepland",
    CONTACT: "contact bevestigd",
    DONE: "afgerond",
    WITHDRAWN: "ingetrokken",
    HELD: "wacht op toestemming",
}
LEGAL_GROUNDS = {
    "acuut": "acute onveiligheid van de student of anderen",
    "meldcode": "meldcode huiselijk geweld en kindermishandeling",
}
STUDENT_VIEWS = {
    "akkoord": "heeft het document gezien en is akkoord",
    "bezwaar": "heeft het document gezien en heeft bezwaar",
    "niet": "heeft het document nog niet gezien",
}
PLACEHOLDER = "(vul in:"  # parts the worker writes; never sent as they are
FOLLOW_UP_DAYS = 14  # an external handover: check after two weeks that contact was made
MAX_ACCESS_DAYS = 365
MAX_AHEAD_DAYS = 366  # a kennismaking or follow-up date further ahead is a typo

_DOMAIN_LABELS = {d.code: d.label for d in LEEFDOMEINEN}


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state)


def next_states(row: HandoverRow) -> tuple[str, ...]:
    """The steps the state machine allows from here, in a sensible order."""
    order = (ACCEPTED, DECLINED, MEETING, CONTACT, DONE, WITHDRAWN)
    allowed = TRANSITIONS.get(row.kind, {}).get(row.state, frozenset())
    return tuple(s for s in order if s in allowed)


# -- who receives ------------------------------------------------------------------


@dataclass(slots=True)
class Receiver:
    """Who the file goes to: a colleague in the team, an entry of the sociale
    kaart, or a professional typed in."""

    kind: str  # medewerker | kaart | vrij
    name: str
    role: str = ""
    organisation: str = ""
    worker_id: str | None = None
    map_id: str | None = None
    contact: str = ""

    @property
    def label(self) -> str:
        extra = ", ".join(x for x in (self.role, self.organisation) if x and x != self.name)
        return f"{self.name} ({extra})" if extra else self.name

    def to_dict(self) -> JsonObject:
        return {
            "soort": self.kind, "naam": self.name, "rol": self.role, "organisatie": self.organisation,
            "medewerker": self.worker_id, "kaart": self.map_id, "contact": self.contact,
        }

    @classmethod
    def from_dict(cls, d: JsonObject | None) -> Receiver:
        d = d or {}
        return cls(d.get("soort", "vrij"), d.get("naam", ""), d.get("rol", ""), d.get("organisatie", ""),
                   d.get("medewerker"), d.get("kaart"), d.get("contact", ""))

    def __repr__(self) -> str:
        return f"Receiver(kind={self.kind!r})"


def _same(a: str, b: str) -> bool:
    return bool(a and b) and " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def names_receiver(consent: Consent, receiver: Receiver) -> bool:
    """Whether a consent is about this receiver: the same sociale-kaart entry,
    or its name, organisation or role. For a colleague, a consent with "het
    jongerenteam" counts too."""
    w = consent.with_
    if w.map_id and receiver.map_id and w.map_id == receiver.map_id:
        return True
    if any(_same(w.name, v) for v in (receiver.name, receiver.organisation, receiver.role)):
        return True
    return receiver.kind == "medewerker" and "jongerenteam" in w.name.casefold()


def consent_scope(consents: list[Consent], receiver: Receiver, birth: date | None, today: date) -> set[str]:
    """The leefdomeinen (or ``ALL_DOMAINS``) the student agreed to share with the receiver: the
    consents that hold (``jongerenteam.consent.holding``: from 12 to 16 a student's and a parents'
    consent together), for the domains they hold for."""
    holds = holding(consents, birth, today)
    scope: set[str] = set()
    for c in consents:
        if c.id in holds and names_receiver(c, receiver):
            scope.update(holds[c.id])
    if ALL_DOMAINS in scope:
        return {ALL_DOMAINS}
    return scope


def _covers(scope: set[str], domains: Collection[str]) -> bool:
    return ALL_DOMAINS in scope or (bool(domains) and set(domains) <= scope)


def scope_text(scope: set[str]) -> str:
    if ALL_DOMAINS in scope:
        return "alles"
    if not scope:
        return "niets"
    return ", ".join(_DOMAIN_LABELS.get(c, c).lower() for c in sorted(scope))


# -- the document -------------------------------------------------------------------


@dataclass(slots=True)
class Section:
    title: str
    text: str = field(repr=False)
    free: bool = False  # free text (typed in the file, or still to be written): checked word by word


@dataclass(slots=True)
class Composition:
    """The composed document: what goes in, what is left out and why, and
    whether the handover may go ahead at all."""

    sections: list[Section]
    left_out: list[tuple[str, str]]  # (what, why)
    scope: set[str]
    blocked: str = ""  # why it cannot go ahead without a legal ground; "" if it can

    @property
    def text(self) -> str:
        return "\n\n".join(f"{s.title}\n{s.text}" for s in self.sections)

    @property
    def generated_lines(self) -> set[str]:
        """The lines the app composed from the file's structured data under this consent (a score,
        the programme): not free text, so never flagged as it stands (``unconsented_words``)."""
        out = {s.title.strip() for s in self.sections}
        for s in self.sections:
            if not s.free:
                out.update(line.strip() for line in s.text.splitlines() if line.strip())
        return out

    def unconsented_words(self, document: str) -> list[domainwords.Hit]:
        """Words in ``document`` tied to leefdomeinen the receiver has no consent for
        (``jongerenteam.domainwords``); the lines the app composed itself are not checked."""
        return domainwords.find(document, self.scope, skip_lines=self.generated_lines)

    def __repr__(self) -> str:
        return f"Composition(sections={len(self.sections)}, left_out={len(self.left_out)})"


def _who(who: Who, worker_names: dict[str, str] | None) -> str:
    if who.kind == "student":
        return "student"
    if who.kind == "coach":
        return f"studiecoach {who.name}".strip()
    if who.kind == "medewerker":
        return (worker_names or {}).get(who.worker_id or "", "medewerker")
    return who.name


def _d(day: date | None) -> str:
    return day.strftime("%d-%m-%Y") if day else "onbekend"


def compose(
    dossier: Dossier,
    details: StudentDetails,
    receiver: Receiver,
    kind: str,
    today: date,
    *,
    sender: str,
    legal_ground: str = "",
    others: Sequence[str] = (),
    access_days: int = DEFAULT_ACCESS_DAYS,
    worker_names: dict[str, str] | None = None,
) -> Composition:
    """Compose the overdrachtsdocument from the file, gated by consent.

    ``sender``: the name of the worker handing over; ``others``: colleagues
    who stay involved. With a ``legal_ground`` everything may go in; the
    worker then takes out what the receiver does not need.
    """
    scope = consent_scope(dossier.consents, receiver, details.birth_date, today)
    if legal_ground:
        scope = {ALL_DOMAINS}
    blocked = ""
    if not legal_ground:
        if kind == INTERN and ALL_DOMAINS not in scope:
            part = f" (alleen over: {scope_text(scope)})" if scope else ""
            blocked = (
                f"{receiver.name} krijgt na acceptatie het hele dossier te zien. De student gaf geen "
                f"toestemming om alles met {receiver.name} te delen{part}. Leg eerst toestemming vast "
                "(tabblad 5), of kies een wettelijke grond."
            )
        elif not scope:
            blocked = (
                f"Er is geen geldige toestemming om met {receiver.label} te delen. Leg eerst toestemming "
                "vast (tabblad 5), of kies een wettelijke grond."
            )
    sections: list[Section] = []
    left_out: list[tuple[str, str]] = []
    if blocked:
        return Composition(sections, left_out, scope, blocked)

    # Who the student is: shared with anyone the student agreed to share something with.
    who = [f"{details.first_name} {details.last_name}".strip()]
    if details.birth_date:
        who.append(f"{age_on(details.birth_date, today)} jaar (geboren {_d(details.birth_date)})")
    study = [p for p in (details.programme, LEVEL_LABELS.get(details.level, details.level)) if p]
    if details.year:
        study.append(f"leerjaar {details.year}")
    if study:
        who.append(", ".join(study))
    if details.contact_preference or details.contact_value:
        how = CONTACT_PREFERENCES.get(details.contact_preference, details.contact_preference)
        who.append(f"Contact met de student: {how} {details.contact_value}".strip())
    sections.append(Section("Wie is de student", "\n".join(who)))

    question_domains = list(details.leefdomeinen)
    if dossier.question:
        if _covers(scope, question_domains):
            sections.append(Section("Hulpvraag", dossier.question, free=True))
        else:
            why = "de hulpvraag gaat over " + (scope_text(set(question_domains)) if question_domains else "meer dan één leefdomein")
            left_out.append(("Hulpvraag", f"geen toestemming: {why}"))

    score_lines = []
    for code, series in sorted(dossier.scores.items(), key=lambda kv: kv[0]):
        if not series:
            continue
        label = _DOMAIN_LABELS.get(code, code)
        if not _covers(scope, [code]):
            left_out.append((f"Leefdomein {label}", "geen toestemming voor dit leefdomein"))
            continue
        last = series[-1]
        line = f"{label}: {last.score} ({SCORES.get(last.score, '')}) op {_d(last.on)}"
        if len(series) > 1:
            line += f"; eerste score {series[0].score} op {_d(series[0].on)}"
        score_lines.append(line)
    if score_lines:
        sections.append(Section("Leefdomeinen en scores", "\n".join(score_lines)))

    talks = dossier.talks()
    if talks:
        counts: dict[str, int] = {}
        for t in talks:
            counts[t.type] = counts.get(t.type, 0) + 1
        first = min(t.at for t in talks).date()
        kinds = ", ".join(f"{TALK_TYPES.get(k, k)}: {n}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        sections.append(Section(
            "Wat is er gedaan",
            f"{len(talks)} {'gesprek' if len(talks) == 1 else 'gesprekken'} sinds {_d(first)} ({kinds}). Begeleid door {sender}.",
        ))

    agreements = dossier.open_agreements()
    if agreements:
        if ALL_DOMAINS in scope:
            lines = []
            for a in agreements:
                due = f", uiterlijk {_d(a.due)}" if a.due else ""
                lines.append(f"- {_who(a.who, worker_names)}: {a.what}{due}")
            sections.append(Section("Open werkafspraken", "\n".join(lines), free=True))
        else:
            left_out.append(("Open werkafspraken", "de toestemming geldt niet voor alles (alleen voor: " + scope_text(scope) + ")"))

    sections.append(Section("Risico's", f"{PLACEHOLDER} waar moet de ontvanger op letten?)", free=True))
    sections.append(Section("Wensen van de student", f"{PLACEHOLDER} wat wil de student zelf, in eigen woorden?)", free=True))

    stays = []
    if kind == INTERN:
        stays.append(f"{sender} blijft {days_text(access_days)} na de acceptatie meelezen en is aanspreekbaar.")
    else:
        stays.append(f"{sender} blijft contactpersoon in het jongerenteam en houdt een vinger aan de pols.")
    if others:
        if ALL_DOMAINS in scope:
            stays.append("Ook betrokken in het team: " + ", ".join(others) + ".")
        else:
            left_out.append(("Andere betrokkenen", "de toestemming geldt niet voor alles"))
    sections.append(Section("Wie blijft betrokken", "\n".join(stays)))
    return Composition(sections, left_out, scope, "")


# -- the proposal a worker makes ------------------------------------------------------


@dataclass(slots=True)
class Proposal:
    kind: str
    receiver: Receiver
    document: str = field(repr=False)
    left_out: list[tuple[str, str]] = field(default_factory=list, repr=False)
    legal_ground: str = ""
    legal_reason: str = field(default="", repr=False)
    student_view: str = ""
    objection: str = field(default="", repr=False)
    follow_up: date | None = None
    access_days: int = DEFAULT_ACCESS_DAYS
    blocked: str = ""  # from the composition
    caseload: bool = False  # part of a caseload transfer: the student sees it at the kennismaking
    # Words of leefdomeinen without consent in the document (``Composition.unconsented_words``)
    # go out only with a wettelijke grond of their own: its code and the worker's reason.
    words_ground: str = ""
    words_reason: str = field(default="", repr=False)

    def validate(self, today: date) -> None:
        self.document = clean_block(self.document)
        self.legal_reason, self.objection = clean_block(self.legal_reason), clean_block(self.objection)
        self.words_reason = clean_block(self.words_reason)
        for name in ("document", "legal_reason", "objection", "words_reason"):
            check_text(name, getattr(self, name), "note")
        if self.kind not in KINDS:
            raise ValidationError("kind", "Kies het soort overdracht.")
        if not self.receiver.name.strip():
            raise ValidationError("receiver", "Kies aan wie je overdraagt.")
        if self.kind == INTERN and not self.receiver.worker_id:
            raise ValidationError("receiver", "Kies een collega uit het team.")
        if self.legal_ground and self.legal_ground not in LEGAL_GROUNDS:
            raise ValidationError("legal_ground", "Kies een wettelijke grond uit de lijst.")
        if self.legal_ground and not self.legal_reason.strip():
            raise ValidationError("legal_reason", "Schrijf op waarom je deelt zonder toestemming.")
        if self.blocked and not self.legal_ground:
            raise ValidationError("legal_ground", self.blocked)
        if self.words_ground and self.words_ground not in LEGAL_GROUNDS:
            raise ValidationError("words_ground", "Kies een wettelijke grond uit de lijst.")
        if self.words_ground and not self.words_reason.strip():
            raise ValidationError("words_reason", WORDS_REASON_NEEDED)
        if not self.document.strip():
            raise ValidationError("document", "Het overdrachtsdocument is leeg.")
        if PLACEHOLDER in self.document:
            raise ValidationError(
                "document",
                "Vul in het document de delen met '(vul in: ...)' in (risico's, wensen van de student), of haal ze weg.",
            )
        if self.student_view not in STUDENT_VIEWS:
            raise ValidationError("student_view", "Leg vast of de student het document heeft gezien en wat die ervan vindt.")
        if self.student_view == "bezwaar" and not self.objection.strip():
            raise ValidationError("objection", "Schrijf op waar de student bezwaar tegen heeft.")
        if self.student_view == "niet" and not (self.legal_ground or self.caseload):
            raise ValidationError(
                "student_view",
                "Een warme overdracht bespreek je eerst met de student. Alleen met een wettelijke grond mag dat later.",
            )
        if not 1 <= self.access_days <= MAX_ACCESS_DAYS:
            raise ValidationError("access_days", f"Meelezen kan 1 tot {MAX_ACCESS_DAYS} dagen.")
        if self.kind != INTERN:
            if self.follow_up is None:
                raise ValidationError("follow_up", "Kies de datum waarop je nagaat of er contact is.")
            if self.follow_up < today:
                raise ValidationError("follow_up", "De opvolgdatum ligt in het verleden.")
            if (self.follow_up - today).days > MAX_AHEAD_DAYS:
                raise ValidationError("follow_up", "De opvolgdatum ligt meer dan een jaar vooruit. Klopt de datum?")

    def document_payload(self, sender_id: str) -> JsonObject:
        return {
            "soort": self.kind,
            "ontvanger": self.receiver.to_dict(),
            "document": self.document.strip(),
            "weggelaten": [list(x) for x in self.left_out],
            "grond": self.legal_ground or None,
            "grond_reden": self.legal_reason.strip(),
            "student": self.student_view,
            "bezwaar": self.objection.strip(),
            "van": sender_id,
            "leestoegang_dagen": self.access_days,
            "woorden_grond": self.words_ground or None,
            "woorden_grond_reden": self.words_reason.strip(),
            # Not the summary: the first step says that, and the timeline would show it twice.
            "tekst": f"Overdrachtsdocument ({KIND_SHORT[self.kind]}) voor {self.receiver.label}.",
        }

    def summary(self) -> str:
        text = f"Overdracht ({KIND_SHORT[self.kind]}) aan {self.receiver.label} voorgesteld."
        text += f" De student {STUDENT_VIEWS[self.student_view]}" if self.student_view in STUDENT_VIEWS else ""
        text += f": {self.objection.strip()}." if self.student_view == "bezwaar" else "."
        if self.legal_ground:
            text += f" Gedeeld zonder toestemming op grond van {LEGAL_GROUNDS[self.legal_ground]}: {self.legal_reason.strip()}"
        elif self.words_ground:
            text += (f" Woorden over leefdomeinen zonder toestemming gedeeld op grond van "
                     f"{LEGAL_GROUNDS[self.words_ground]}: {sentence(self.words_reason)}")
        return text


WORDS_REASON_NEEDED = "Schrijf op waarom deze woorden zonder toestemming mee moeten."


def words_message(receiver: Receiver, hits: Sequence[domainwords.Hit]) -> str:
    """Why a document with words of leefdomeinen without consent cannot go out as it is."""
    return (f"In het document staan woorden over leefdomeinen waarvoor de student geen toestemming gaf om met "
            f"{receiver.label} te delen ({domainwords.describe(hits)}). Haal ze weg, of kies een wettelijke "
            "grond voor deze woorden.")


def words_ground_section(ground: str, reason: str) -> str:
    """The part of the document that says on what ground it names leefdomeinen without consent."""
    return (f"Wettelijke grond\nDit document noemt onderwerpen waarvoor de student geen toestemming gaf. "
            f"Gedeeld op grond van: {LEGAL_GROUNDS[ground]}. Reden: {sentence(reason)}")


def without_placeholders(document: str, instead: str) -> str:
    """The document with every '(vul in: ...)' line replaced by ``instead``."""
    return "\n".join(instead if line.strip().startswith(PLACEHOLDER) else line for line in document.splitlines())


_ACCESS_PHRASE = re.compile(r"blijft \d+ dag(?:en)? na de acceptatie meelezen")


def days_text(n: int) -> str:
    """'1 dag', '42 dagen'."""
    return f"{n} dag" if n == 1 else f"{n} dagen"


def with_access_days(document: str, days: int) -> str:
    """The document saying the old helper reads along ``days`` days (the number
    can change after the document was composed; the rest of the text stays)."""
    return _ACCESS_PHRASE.sub(f"blijft {days_text(days)} na de acceptatie meelezen", document)


def sentence(text: str) -> str:
    """A note as a sentence: capital first letter, full stop at the end."""
    text = " ".join(text.split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."
