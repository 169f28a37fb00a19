"""Consent: who may know what about a student, given by whom, until when.

What the Jeugdwet and the WGBO ask (under 12 the parents decide, 12 to 16
the student and the parents, from 16 the student alone), the consent types
a worker records, the warnings the Toestemming tab shows, and
``ConsentService`` (record, withdraw, extend). A consent is a file entry of
kind ``consent`` under the student key (``jongerenteam.dossier`` folds it);
the handover's gate asks ``scope`` here what may be shared with whom.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from jongerenteam.catalogue import LEEFDOMEIN_CODES
from jongerenteam.domain import ValidationError, age_on
from jongerenteam.entries import Change, iso, text_field
from jongerenteam.service import Service
from storage import clock
from storage.documents import JsonObject

if TYPE_CHECKING:
    from jongerenteam.dossier import External

CONSENT = "consent"  # the file entry kind
CONSENT_GIVERS = {"student": "de student", "ouders": "ouder(s)/verzorger(s)", "beide": "student en ouder(s)"}
CONSENT_HOW = {"mondeling": "mondeling", "schriftelijk": "schriftelijk"}
CONSENT_WITH_KINDS = {"rol": "rol", "organisatie": "organisatie", "professional": "professional"}
ALL_DOMAINS = "alles"
EXPIRY_WARNING_DAYS = 30
# What a consent is on a given day (Consent.state).
WITHDRAWN, EXPIRED, EXPIRING, ACTIVE = "ingetrokken", "verlopen", "verloopt", "geldig"


@dataclass(slots=True)
class ConsentWith:
    """With whom information may be shared: a role, an organisation, a named professional."""

    kind: str = "rol"
    name: str = ""
    map_id: str | None = None  # a sociale-kaart entry, if chosen from it

    def to_dict(self) -> JsonObject:
        return {"soort": self.kind, "naam": self.name.strip(), "kaart": self.map_id}

    @classmethod
    def from_dict(cls, d: JsonObject | None) -> ConsentWith:
        d = d or {}
        return cls(d.get("soort", "rol"), d.get("naam", ""), d.get("kaart"))


@dataclass(slots=True)
class NewConsent:
    with_: ConsentWith = field(default_factory=ConsentWith)
    about: list[str] = field(default_factory=lambda: [ALL_DOMAINS])
    purpose: str = ""
    given_by: str = "student"
    how: str = "mondeling"
    on: date | None = None
    valid_until: date | None = None

    def validate(self, today: date) -> None:
        if self.with_.kind not in CONSENT_WITH_KINDS:
            raise ValidationError("with", "Kies met wie: een rol, een organisatie of een professional.")
        self.with_.name = text_field("with", self.with_.name, "met wie er gedeeld mag worden", required=True, kind="short")
        if not self.about:
            raise ValidationError("about", "Kies waarover: alles, of een of meer leefdomeinen.")
        if any(a != ALL_DOMAINS and a not in LEEFDOMEIN_CODES for a in self.about):
            raise ValidationError("about", "Onbekend leefdomein.")
        self.purpose = text_field("purpose", self.purpose, "het doel", required=True, kind="line")
        if self.given_by not in CONSENT_GIVERS:
            raise ValidationError("given_by", "Kies wie toestemming gaf: student, ouders of beide.")
        if self.how not in CONSENT_HOW:
            raise ValidationError("how", "Kies mondeling of schriftelijk.")
        if self.on is None:
            raise ValidationError("on", "Vul de datum in waarop de toestemming is gegeven.")
        if self.on > today:
            raise ValidationError("on", "De toestemming kan niet in de toekomst gegeven zijn.")
        if self.valid_until is not None and self.valid_until < self.on:
            raise ValidationError("valid_until", "'Geldig tot' ligt voor de datum van de toestemming.")

    def payload(self, talk_id: str | None = None) -> JsonObject:
        about = [ALL_DOMAINS] if ALL_DOMAINS in self.about else sorted(set(self.about))
        return {
            "met": self.with_.to_dict(),
            "over": about,
            "doel": self.purpose.strip(),
            "gegeven_door": self.given_by,
            "hoe": self.how,
            "datum": iso(self.on),
            "geldig_tot": iso(self.valid_until),
            "ingetrokken_op": None,
            "gesprek": talk_id,
            "geschiedenis": [],
        }

    def __repr__(self) -> str:
        return "NewConsent(…)"


@dataclass(slots=True)
class Consent:
    id: str
    version: int
    with_: ConsentWith
    about: list[str]
    purpose: str
    given_by: str
    how: str
    on: date | None
    valid_until: date | None
    withdrawn_on: date | None
    talk_id: str | None
    by: str
    history: list[Change] = field(default_factory=list, repr=False)

    def active(self, today: date) -> bool:
        return self.state(today) in (ACTIVE, EXPIRING)

    def state(self, today: date) -> str:
        """WITHDRAWN, EXPIRED, EXPIRING (active, ends within EXPIRY_WARNING_DAYS) or ACTIVE."""
        if self.withdrawn_on is not None and self.withdrawn_on <= today:
            return WITHDRAWN
        if self.valid_until is not None and self.valid_until < today:
            return EXPIRED
        if self.valid_until is not None and (self.valid_until - today).days <= EXPIRY_WARNING_DAYS:
            return EXPIRING
        return ACTIVE

    def expires_in(self, today: date) -> str:
        """When an expiring consent ends, in words: 'vandaag', 'over 1 dag', 'over 12 dagen'."""
        days = (self.valid_until - today).days if self.valid_until is not None else 0
        return "vandaag" if days == 0 else f"over {days} dag{'en' if days != 1 else ''}"

    def covers(self, domain: str) -> bool:
        return ALL_DOMAINS in self.about or domain in self.about

    @property
    def about_text(self) -> str:
        return domains_text(self.about)

    def __repr__(self) -> str:
        return f"Consent(id={self.id!r})"


# -- consent rules (Jeugdwet / WGBO) -------------------------------------------------


def consent_needed_from(birth: date | None, on: date) -> str:
    """Who must consent on ``on``: 'ouders' under 12, 'beide' 12 to 16, 'student' from 16.

    Without a birth date the team must ask the student; the warning list
    says the birth date is missing.
    """
    if birth is None:
        return "student"
    age = age_on(birth, on)
    if age < 12:
        return "ouders"
    if age < 16:
        return "beide"
    return "student"


def giver_suffices(giver: str, needed: str) -> bool:
    if needed == "ouders":
        return giver in ("ouders", "beide")
    if needed == "beide":
        return giver == "beide"
    return giver in ("student", "beide")


def _birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February
        return date(birth.year + years, 3, 1)


def _about(c: Consent) -> frozenset[str]:
    return frozenset({ALL_DOMAINS}) if ALL_DOMAINS in c.about else frozenset(c.about)


def _both(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    """The domains two consents share (``ALL_DOMAINS`` on one side: the other's)."""
    if ALL_DOMAINS in a:
        return b
    if ALL_DOMAINS in b:
        return a
    return a & b


def same_party(a: Consent, b: Consent) -> bool:
    """Whether two consents are about sharing with the same party (sociale-kaart entry, or kind and name)."""
    if a.with_.map_id and b.with_.map_id:
        return a.with_.map_id == b.with_.map_id
    return a.with_.kind == b.with_.kind and _same(a.with_.name, b.with_.name)


def holding(consents: Sequence[Consent], birth: date | None, today: date) -> dict[str, frozenset[str]]:
    """The consents that hold today, each with the leefdomeinen it holds for (by consent id).

    A consent holds when it is active and given by whom the student's age
    asks (``consent_needed_from``). From 12 to 16 the student and the
    parents must both agree; families often say so at different moments, so
    a student's consent and the parents' consent for the same party, each
    recorded on its own, hold together, for the leefdomeinen both cover.
    """
    needed = consent_needed_from(birth, today)
    active = [c for c in consents if c.active(today)]
    out: dict[str, frozenset[str]] = {}
    for c in active:
        if giver_suffices(c.given_by, needed):
            out[c.id] = _about(c)
        elif needed == "beide" and c.given_by in ("student", "ouders"):
            other = "ouders" if c.given_by == "student" else "student"
            shared: set[str] = set()
            for p in active:
                if p.given_by in (other, "beide") and same_party(c, p):
                    shared |= _both(_about(c), _about(p))
            if shared:
                out[c.id] = frozenset({ALL_DOMAINS}) if ALL_DOMAINS in shared else frozenset(shared)
    return out


def waiting_for(c: Consent, birth: date | None, today: date) -> str:
    """Whose consent a partial consent (12 to 16) still waits for: 'ouders' or 'student' ('' otherwise)."""
    if consent_needed_from(birth, today) != "beide" or c.given_by not in ("student", "ouders"):
        return ""
    return "ouders" if c.given_by == "student" else "student"


NEEDED_LABELS = {
    "ouders": "de ouder(s)/verzorger(s)",
    "beide": "de student én de ouder(s)/verzorger(s)",
    "student": "de student zelf",
}


@dataclass(frozen=True, slots=True)
class ConsentWarning:
    consent_id: str | None  # None: about the register as a whole
    kind: str  # missing | giver | expiring | expired | turned_16 | turned_18 | no_birth_date
    message: str


def _same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def consent_covers_external(consent: Consent, external: External) -> bool:
    """Whether a consent names this external professional: by sociale-kaart entry,
    by name, by organisation or by role."""
    w = consent.with_
    if w.map_id and external.map_id and w.map_id == external.map_id:
        return True
    return any(w.name and value and _same(w.name, value) for value in (external.name, external.organisation, external.role))


def consent_warnings(
    consents: list[Consent], birth: date | None, today: date, externals: Sequence[External] = ()
) -> list[ConsentWarning]:
    """What the Toestemming tab warns about, most urgent first.

    - an external professional on the file (Betrokkenen) without an active
      consent naming them;
    - no active consent at all;
    - a consent given by the wrong party for the student's age today;
    - a consent that expired, or expires within 30 days;
    - a consent given before the student turned 16 or 18: ask again.
    """
    out: list[ConsentWarning] = []
    if birth is None:
        out.append(ConsentWarning(None, "no_birth_date", "De geboortedatum ontbreekt: de app kan niet nagaan wie toestemming moet geven."))
    holds = holding(consents, birth, today)
    active = [c for c in consents if c.id in holds]
    for ext in externals:
        if ext.until is None and not any(consent_covers_external(c, ext) for c in active):
            out.append(ConsentWarning(
                None, "external", f"{ext.name} is betrokken, maar er is geen toestemming om met hem of haar te delen."
            ))
    if not active:
        needed = consent_needed_from(birth, today)
        out.append(ConsentWarning(None, "missing", f"Er is geen geldige toestemming vastgelegd. Vraag die aan {NEEDED_LABELS[needed]}."))
    for c in consents:
        name = c.with_.name or "?"
        state = c.state(today)
        if state == WITHDRAWN:
            continue
        if state == EXPIRED:
            out.append(ConsentWarning(c.id, "expired", f"Toestemming voor {name} is verlopen op {c.valid_until:%d-%m-%Y}."))
            continue
        if state == EXPIRING:
            out.append(ConsentWarning(
                c.id, "expiring", f"Toestemming voor {name} verloopt {c.expires_in(today)} ({c.valid_until:%d-%m-%Y})."
            ))
        if birth is not None and c.on is not None:
            eighteen, sixteen = _birthday(birth, 18), _birthday(birth, 16)
            if c.on < eighteen <= today:
                out.append(ConsentWarning(
                    c.id, "turned_18", f"De student is 18 geworden na de toestemming voor {name}: vraag het opnieuw aan de student."
                ))
                continue
            if c.on < sixteen <= today and c.given_by != "student":
                out.append(ConsentWarning(
                    c.id, "turned_16",
                    f"De student is 16 geworden na de toestemming voor {name}: vanaf 16 beslist de student zelf; vraag het opnieuw.",
                ))
                continue
        needed = consent_needed_from(birth, today)
        if c.id in holds:
            continue
        missing = waiting_for(c, birth, today)
        if missing:
            out.append(ConsentWarning(
                c.id, "partner",
                f"Toestemming voor {name} van {CONSENT_GIVERS[c.given_by]} is er; die van "
                f"{CONSENT_GIVERS[missing]} nog niet. Tot die er ook is, mag er niets met {name} gedeeld worden.",
            ))
        elif not giver_suffices(c.given_by, needed):
            out.append(ConsentWarning(
                c.id, "giver",
                f"Toestemming voor {name} is gegeven door {CONSENT_GIVERS[c.given_by]}; nu is die nodig van {NEEDED_LABELS[needed]}.",
            ))
    return out


def domains_text(domains: Collection[str]) -> str:
    """Leefdomeinen in words ("alles", or their labels)."""
    from jongerenteam.catalogue import LEEFDOMEINEN

    if ALL_DOMAINS in domains:
        return "alles"
    labels = {d.code: d.label.lower() for d in LEEFDOMEINEN}
    return ", ".join(labels.get(a, a) for a in domains)


def after_withdrawal(c: Consent, consents: Sequence[Consent], birth: date | None, today: date) -> frozenset[str]:
    """What may still be shared with ``c``'s party once ``c`` is withdrawn (other consents that then still hold)."""
    rest = [x for x in consents if x.id != c.id]
    holds = holding(rest, birth, today)
    out: set[str] = set()
    for x in rest:
        if x.id in holds and same_party(c, x):
            out |= holds[x.id]
    return frozenset({ALL_DOMAINS}) if ALL_DOMAINS in out else frozenset(out)




# -- the use cases --------------------------------------------------------------------------------


class ConsentService(Service):
    """Recording, withdrawing and extending a student's consents (only for those involved)."""

    def add_consent(self, student_id: str, consent: NewConsent) -> str:
        consent.validate(clock.local_time(clock.now()).date())
        return self.session.dossier.add_entries(student_id, [(CONSENT, consent.payload())])[0]

    def withdraw_consent(self, student_id: str, consent: Consent, on: date | None = None) -> bool:
        on = on or clock.local_time(clock.now()).date()
        if consent.on is not None and on < consent.on:
            raise ValidationError("withdrawn_on", "Intrekken kan niet voor de datum van de toestemming.")
        return self.session.dossier.rewrite(student_id, CONSENT, consent.id, consent.version, {"ingetrokken_op": on.isoformat()})

    def extend_consent(self, student_id: str, consent: Consent, valid_until: date | None) -> bool:
        if valid_until is not None and valid_until < clock.local_time(clock.now()).date():
            raise ValidationError("valid_until", "Deze datum ligt in het verleden. Kies een datum vanaf vandaag.")
        if valid_until is not None and consent.on is not None and valid_until < consent.on:
            raise ValidationError("valid_until", "'Geldig tot' ligt voor de datum van de toestemming.")
        return self.session.dossier.rewrite(
            student_id, CONSENT, consent.id, consent.version, {"geldig_tot": valid_until.isoformat() if valid_until else None},
        )
