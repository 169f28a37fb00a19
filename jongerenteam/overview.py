"""The afsprakenoverzicht: what a student agreed with the team, in plain Dutch.

Students asked to know the agreements made about their life and to be
reached the way they prefer (docs/domain.md, "tips van studenten"). This module
turns a folded ``Dossier`` into a short ``Document`` (jongerenteam.pdf):
B1 Dutch, "je/jij", short sentences. It is pasted into WhatsApp or an
e-mail, or printed as a PDF. Plain Python; the screen that shows it is
screens/overview.py.

Only what is still valid is listed: open agreements (not done or dropped),
the next appointment, consents that are active today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jongerenteam.catalogue import COACH_ROLES, LEEFDOMEIN_CODES
from jongerenteam.consent import ALL_DOMAINS, Consent, holding, waiting_for
from jongerenteam.domain import StudentDetails
from jongerenteam.dossier import Agreement, Dossier
from jongerenteam.pdf import Document, Section
from storage.documents import JsonObject

# Written out here: the laptop's locale may be English (or missing).
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)

# Leefdomeinen in a student's words (the catalogue's labels are the team's).
STUDENT_DOMAIN_WORDS = {
    "onderwijs": "je opleiding",
    "welzijn": "hoe het met je gaat",
    "netwerk": "de mensen om je heen",
    "werk": "werk",
    "inkomen": "geldzaken",
    "justitie": "justitie",
    "wonen": "wonen",
    "veiligheid": "je veiligheid",
    "gezondheid": "je gezondheid",
}
ALL_DOMAINS_WORDS = "alles waar we samen aan werken"

# How the team reaches the student, by contact preference (with and without
# a number or address); who agreed to sharing, by who gave the consent.
WE_REACH_YOU = {
    "telefoon": "Wij bellen je op {value}.",
    "whatsapp": "Wij sturen je een WhatsApp-bericht op {value}.",
    "email": "Wij sturen je een e-mail op {value}.",
    "langskomen": "Je komt het liefst even langs. Dat kan op het spreekuur.",
}
WE_REACH_YOU_NO_VALUE = {
    "telefoon": "Wij bellen je het liefst.",
    "whatsapp": "Wij sturen je het liefst een WhatsApp-bericht.",
    "email": "Wij sturen je het liefst een e-mail.",
}
CONSENT_BY = {
    "student": "Je vindt het goed dat we met {with_} praten.",
    "ouders": "Je ouders vinden het goed dat we met {with_} praten.",
    "beide": "Jij en je ouders vinden het goed dat we met {with_} praten.",
}
# From 12 to 16 the student and the parents both agree: one yes alone is told as it is,
# with what still has to happen before the team talks (nothing promised before it holds).
CONSENT_WAITS = {
    "ouders": ("Je vindt het goed dat we met {with_} praten.",
               "Je bent nog geen 16. Daarom moeten je ouders het ook goed vinden. Pas dan praten we met {with_}."),
    "student": ("Je ouders vinden het goed dat we met {with_} praten.",
                "Pas als jij het ook goed vindt, praten we met {with_}."),
}

TEXT = {
    "title": "Jouw afspraken met het jongerenteam",
    "hello": "Hoi {name},",
    "hello_anonymous": "Hoi,",
    "intro": "Hier lees je wat we samen hebben afgesproken.",
    # contact person
    "contact_heading": "Je contactpersoon",
    "contact_is": "Je contactpersoon is {name}.",
    "contact_reach": "Je kunt {first} bereiken via {reach}.",
    # No phone or e-mail set by the worker: say what is true, not a number we do not have.
    "contact_no_reach": "Je kunt {first} spreken op het spreekuur van het jongerenteam op school.",
    "no_contact": "Je hebt nog geen vaste contactpersoon.",
    "no_contact_reach": "Je kunt langskomen op het spreekuur van het jongerenteam op school.",
    "coach_is": "Je {role} op school is {name}.",
    "reach_check": "Klopt dit niet meer? Zeg het ons.",
    "reach_unknown": "Hoe wil je dat we contact met je opnemen? Bellen, WhatsApp of e-mail? Laat het ons weten.",
    # agreements
    "agreements_heading": "Wat we hebben afgesproken",
    "due": "(uiterlijk {date})",
    "who_student": "Jij",
    "who_coach": "Je {role}",
    "who_team": "Het jongerenteam",
    "no_agreements": "Er staan nu geen afspraken open.",
    # next appointment
    "next_heading": "Je volgende afspraak",
    "next_heading_more": "Je volgende afspraken",
    "next": "{date}: {what}.",
    "next_plain": "{date}.",
    "meeting": "kennismaking met je nieuwe hulpverlener (je huidige hulpverlener is er ook bij)",
    "no_next": "We hebben nog geen nieuwe afspraak gepland.",
    "no_next_ask": "Wil je iemand spreken? Neem dan contact op met {first}.",
    "no_next_ask_team": "Wil je iemand spreken? Kom dan langs op het spreekuur.",
    # sharing
    "sharing_heading": "Met wie we over jou mogen praten",
    "consent_about": "Waarover: {about}.",
    "consent_purpose": "Waarom: {purpose}.",
    "consent_until": "Dit geldt tot {date}.",
    "no_consent": "Je hebt nog niemand genoemd met wie we over jou mogen praten. We vragen het jou altijd eerst.",
    # Honest about the meldcode: safety can oblige the team to share without consent.
    "safety": (
        "Maken we ons grote zorgen over je veiligheid? Dan mogen we soms zonder jouw toestemming iets delen. "
        "Dat vertellen we je dan."
    ),
    # closing
    "change": "Wil je iets anders? Of klopt er iets niet? Zeg het tegen {first}.",
    "change_team": "Wil je iets anders? Of klopt er iets niet? Zeg het op het spreekuur.",
    "change_mind": "Je mag altijd van gedachten veranderen, ook over wat we mogen delen.",
    "regards": "Groetjes,",
    # footer
    "made": "Gemaakt op {date}",
}


def dutch_date(d: date, today: date | None = None) -> str:
    """'maandag 30 november'; with the year when it is not this year's."""
    text = f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]}"
    if today is None or d.year != today.year:
        text += f" {d.year}"
    return text


def _first_name(full_name: str) -> str:
    parts = full_name.split()
    return parts[0] if parts else full_name


def _sentence(text: str) -> str:
    """One line of free text as the worker typed it: one line, no closing period, capital first."""
    text = " ".join(text.split()).rstrip(".").strip()
    return text[:1].upper() + text[1:]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    """'Stage regelen' -> 'stage regelen', but 'DUO' stays 'DUO'."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


@dataclass(frozen=True, slots=True)
class ContactPerson:
    """The student's contact person: full name and how students reach them ('' if not set)."""

    name: str
    reach: str = ""

    @property
    def first_name(self) -> str:
        return _first_name(self.name)

    def __repr__(self) -> str:
        return "ContactPerson(…)"


def _coach_word(details: StudentDetails) -> str:
    role = getattr(details, "coach_role", "") or "studentcoach"
    return COACH_ROLES.get(role, role)


def _who(agreement: Agreement, details: StudentDetails, worker_names: dict[str, str]) -> str:
    who = agreement.who
    if who.kind == "student":
        return TEXT["who_student"]
    if who.kind == "coach":
        return TEXT["who_coach"].format(role=_coach_word(details))
    if who.kind == "medewerker":
        name = worker_names.get(who.worker_id or "", "")
        return _first_name(name) if name else TEXT["who_team"]
    return _cap(" ".join(who.name.split())) or TEXT["who_team"]


def agreement_line(agreement: Agreement, details: StudentDetails, worker_names: dict[str, str], today: date) -> str:
    """'Jij: Bel de huisarts (uiterlijk maandag 30 november)'."""
    line = f"{_who(agreement, details, worker_names)}: {_sentence(agreement.what)}"
    if agreement.due is not None:
        line += " " + TEXT["due"].format(date=dutch_date(agreement.due, today))
    return line


_ARTICLES = ("de ", "het ", "een ", "je ", "jouw ", "mijn ", "onze ")


def _with_words(consent: Consent) -> str:
    """With whom: 'de huisarts' for a role, the name itself for an organisation or person."""
    name = " ".join(consent.with_.name.split())
    if consent.with_.kind == "rol" and not name.lower().startswith(_ARTICLES):
        return f"de {name}"
    return name


def _about_words(consent: Consent) -> str:
    return _domain_words(frozenset(consent.about))


def _domain_words(about: frozenset[str]) -> str:
    if ALL_DOMAINS in about:
        return ALL_DOMAINS_WORDS
    order = {code: i for i, code in enumerate(LEEFDOMEIN_CODES)}  # the catalogue's order, not the stored one
    words = [STUDENT_DOMAIN_WORDS.get(a, a) for a in sorted(about, key=lambda a: order.get(a, len(order)))]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " en " + words[-1]


def consent_line(consent: Consent, today: date, *, about: frozenset[str] | None = None, waits: str = "") -> str:
    """'Je vindt het goed dat we met de huisarts praten. Waarover: je gezondheid. Waarom: ...'.

    ``about``: the leefdomeinen it holds for today (a student's and the parents' consent
    together may hold for less than one of them names). ``waits``: whose yes it still
    waits for ('ouders' or 'student'), said with what happens then."""
    with_ = _with_words(consent)
    if waits in CONSENT_WAITS:
        said, then = CONSENT_WAITS[waits]
    else:
        said, then = CONSENT_BY.get(consent.given_by, CONSENT_BY["student"]), ""
    words = _about_words(consent) if about is None else _domain_words(about)
    parts = [said.format(with_=with_), TEXT["consent_about"].format(about=words)]
    if consent.purpose.strip():
        parts.append(TEXT["consent_purpose"].format(purpose=_lower_first(_sentence(consent.purpose))))
    if consent.valid_until is not None:
        parts.append(TEXT["consent_until"].format(date=dutch_date(consent.valid_until, today)))
    if then:
        parts.append(then.format(with_=with_))
    return " ".join(parts)


def _reach_lines(details: StudentDetails) -> list[str]:
    pref = getattr(details, "contact_preference", "") or ""
    value = " ".join((getattr(details, "contact_value", "") or "").split())
    if pref in WE_REACH_YOU and (value or pref == "langskomen"):
        return [WE_REACH_YOU[pref].format(value=value), TEXT["reach_check"]]
    if pref in WE_REACH_YOU_NO_VALUE:
        return [WE_REACH_YOU_NO_VALUE[pref], TEXT["reach_check"]]
    return [TEXT["reach_unknown"]]


def planned_meetings(dossier: Dossier, today: date) -> list[date]:
    """Kennismakingen of a warme overdracht still to come: a handover whose last step
    (``overdracht_stap`` in the file) planned one from today on."""
    last: dict[str, JsonObject] = {}
    for item in dossier.timeline:
        if item.kind == "overdracht_stap" and item.payload.get("overdracht"):
            last[item.payload["overdracht"]] = item.payload
    out = []
    for step in last.values():
        if step.get("naar") != "kennismaking":
            continue
        try:
            on = date.fromisoformat(step.get("datum", ""))
        except ValueError:
            continue
        if on >= today:
            out.append(on)
    return out


def build_overview(
    dossier: Dossier,
    details: StudentDetails,
    *,
    today: date,
    contact: ContactPerson | None,
    worker_names: dict[str, str],
    team: str = "",
    sender: str = "",
) -> Document:
    """The afsprakenoverzicht of one student.

    ``details`` is the student's StudentDetails (first name, coach, how they
    like to be reached); ``contact`` their contact person (None: none yet);
    ``worker_names`` maps worker ids to full names (for agreements a worker
    took on); ``team`` the team's name for the footer; ``sender`` the full
    name of the worker who sends it (signs the message).
    """
    first = "" if getattr(details, "anonymous", False) else " ".join(details.first_name.split())
    sections: list[Section] = [
        Section("", (TEXT["hello"].format(name=first) if first else TEXT["hello_anonymous"], TEXT["intro"])),
    ]

    # Who to turn to, and how we reach the student.
    lines: list[str] = []
    if contact is not None:
        lines.append(TEXT["contact_is"].format(name=contact.name))
        reach = " ".join(contact.reach.split()).rstrip(".")
        if reach:
            lines.append(TEXT["contact_reach"].format(first=contact.first_name, reach=reach))
        else:
            lines.append(TEXT["contact_no_reach"].format(first=contact.first_name))
    else:
        lines += [TEXT["no_contact"], TEXT["no_contact_reach"]]
    coach_name = " ".join((getattr(details, "coach_name", "") or "").split())
    if coach_name:
        lines.append(TEXT["coach_is"].format(role=_coach_word(details), name=coach_name))
    lines += _reach_lines(details)
    sections.append(Section(TEXT["contact_heading"], tuple(lines)))

    # Open agreements only, soonest deadline first.
    agreements = tuple(agreement_line(a, details, worker_names, today) for a in dossier.open_agreements())
    sections.append(
        Section(TEXT["agreements_heading"], agreements, bullets=True)
        if agreements else Section(TEXT["agreements_heading"], (TEXT["no_agreements"],))
    )

    # Every planned appointment from today on (at most three), soonest first:
    # the one just made in a driegesprek may come after one planned earlier.
    # A planned kennismaking of a warme overdracht is one of them (issue 23).
    planned = [(a.on, a.text) for a in dossier.appointments if a.on >= today and not a.done]
    planned += [(on, TEXT["meeting"]) for on in planned_meetings(dossier, today)]
    upcoming = sorted(planned, key=lambda a: a[0])[:3]
    if upcoming:
        lines = []
        for on, text in upcoming:
            when = _cap(dutch_date(on, today))
            what = _sentence(text)
            lines.append(TEXT["next"].format(date=when, what=_lower_first(what)) if what else TEXT["next_plain"].format(date=when))
        heading = TEXT["next_heading"] if len(lines) == 1 else TEXT["next_heading_more"]
        sections.append(Section(heading, tuple(lines), bullets=len(lines) > 1))
    else:
        ask = TEXT["no_next_ask"].format(first=contact.first_name) if contact else TEXT["no_next_ask_team"]
        sections.append(Section(TEXT["next_heading"], (TEXT["no_next"], ask)))

    # What holds, for what it holds; a 15-year-old's own yes without her parents' (or theirs
    # without hers) is told as it is: agreed, and the team talks once the other yes is there too.
    holds = holding(dossier.consents, details.birth_date, today)
    consents = tuple(
        consent_line(c, today, about=holds[c.id]) if c.id in holds
        else consent_line(c, today, waits=waiting_for(c, details.birth_date, today))
        for c in dossier.consents
        if c.id in holds or (c.active(today) and waiting_for(c, details.birth_date, today))
    )
    if consents:
        sections.append(Section(TEXT["sharing_heading"], consents, bullets=True))
        sections.append(Section("", (TEXT["safety"],)))
    else:
        sections.append(Section(TEXT["sharing_heading"], (TEXT["no_consent"], TEXT["safety"])))

    closing = [
        TEXT["change"].format(first=contact.first_name) if contact else TEXT["change_team"],
        TEXT["change_mind"],
    ]
    sections.append(Section("", tuple(closing)))
    if sender.strip():
        sections.append(Section("", (TEXT["regards"], _first_name(sender.strip()))))

    footer = TEXT["made"].format(date=dutch_date(today))
    if team.strip():
        footer += f" · {team.strip()}"
    return Document(TEXT["title"], tuple(sections), footer)
