"""The meldcode huiselijk geweld en kindermishandeling: the five steps and the afwegingskader.

Pure domain, no store and no Textual. A trajectory is one document (Dutch
keys, as every sealed payload) that the worker fills step by step:

1. ``signalen``: dated observations, facts apart from interpretation, who else noticed;
2. ``consultaties``: a colleague, the aandachtsfunctionaris, Veilig Thuis (advice,
   anonymous about the student), with whom, when, what was advised;
3. ``gesprekken``: with the student (and parents where it applies and is safe),
   when and what was said, or why it did not happen;
4. ``afweging``: the afwegingskader's five questions, each answered and dated;
5. ``besluit``: help organised and followed, and/or a melding at Veilig Thuis
   (date, by whom, reference, what was told to the student and when, or why not).

``lead(answers)`` says where the afwegingskader's answers lead, exactly as
the basismodel (2019) says; ``next_step(doc)`` what is still open in the
trajectory. The app never decides for the worker: it shows where the
answers lead, and the worker closes or reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from jongerenteam.domain import ValidationError
from jongerenteam.text import check_text, clean_block, clean_line

# -- the five steps ------------------------------------------------------------------------

SIGNALEN, CONSULTATIE, GESPREK, WEGEN, BESLISSEN = "signalen", "consultatie", "gesprek", "wegen", "beslissen"
STEPS: tuple[str, ...] = (SIGNALEN, CONSULTATIE, GESPREK, WEGEN, BESLISSEN)
STEP_LABELS = {
    SIGNALEN: "1. Signalen in kaart brengen",
    CONSULTATIE: "2. Collegiale consultatie en zo nodig Veilig Thuis raadplegen",
    GESPREK: "3. Gesprek met de student",
    WEGEN: "4. Wegen met het afwegingskader",
    BESLISSEN: "5. Beslissen: hulp en/of melden",
}
STEP_SHORT = {
    SIGNALEN: "signalen", CONSULTATIE: "consultatie", GESPREK: "gesprek", WEGEN: "wegen", BESLISSEN: "beslissen",
}

# Who a consultation was with.
CONSULT_KINDS = {
    "collega": "collega",
    "aandachtsfunctionaris": "aandachtsfunctionaris",
    "veilig_thuis": "Veilig Thuis (advies)",
}
VEILIG_THUIS = "veilig_thuis"

# Who took part in a talk (step 3).
TALK_WITH = {"student": "de student", "ouders": "ouders of verzorgers", "student_en_ouders": "de student en ouders"}

# -- the afwegingskader --------------------------------------------------------------------

VERMOEDEN, ONVEILIG, HULP_MOGELIJK, HULP_AANVAARD, HULP_EFFECT = (
    "vermoeden", "onveilig", "hulp_mogelijk", "hulp_aanvaard", "hulp_effect",
)
QUESTIONS: tuple[str, ...] = (VERMOEDEN, ONVEILIG, HULP_MOGELIJK, HULP_AANVAARD, HULP_EFFECT)
QUESTION_TEXT = {
    VERMOEDEN: "Is er, na stap 1 tot en met 3, een vermoeden van (dreiging van) huiselijk geweld of kindermishandeling?",
    ONVEILIG: "Is er sprake van acute onveiligheid of structurele onveiligheid?",
    HULP_MOGELIJK: "Ben ik in staat effectieve hulp te bieden of te organiseren?",
    HULP_AANVAARD: "Aanvaarden de betrokkenen de hulp en zijn zij bereid zich daarvoor in te zetten?",
    HULP_EFFECT: "Leidt de hulp binnen de gewenste termijn tot de noodzakelijke veiligheid en het welzijn van alle betrokkenen?",
}
class Outcome(StrEnum):
    """Where the afwegingskader's answers lead."""

    ASK = "vraag"  # a question still needs an answer
    CLOSE = "afsluiten"  # no suspicion: close and record
    REPORT = "melden"  # report to Veilig Thuis
    FOLLOW = "hulp_volgen"  # help is offered and accepted: follow its effect (question 5 still open)
    CLOSE_WITH_AGREEMENTS = "afsluiten_met_afspraken"  # help works: close with agreements on following (un)safety


# The answer that stops the sequence at each question, and where it leads.
_STOPS: dict[str, tuple[bool, Outcome]] = {
    VERMOEDEN: (False, Outcome.CLOSE),
    ONVEILIG: (True, Outcome.REPORT),
    HULP_MOGELIJK: (False, Outcome.REPORT),
    HULP_AANVAARD: (False, Outcome.REPORT),
    HULP_EFFECT: (False, Outcome.REPORT),
}

OUTCOME_TEXT = {
    Outcome.ASK: "Beantwoord vraag {n}.",
    Outcome.CLOSE: "Geen vermoeden: sluit af en leg vast waarom.",
    Outcome.REPORT: "Melden bij Veilig Thuis.",
    Outcome.FOLLOW: "Hulp bieden of organiseren en het effect volgen; beantwoord daarna vraag 5.",
    Outcome.CLOSE_WITH_AGREEMENTS: "Afsluiten, met afspraken over het volgen van (on)veiligheid in de toekomst.",
}
REPORT_AFTER_UNSAFE = (
    "Bij acute of structurele onveiligheid loop je vraag 3 tot en met 5 samen met Veilig Thuis door."
)
REPORT_AGAIN = "Melden (opnieuw) bij Veilig Thuis: de hulp leidt niet tot veiligheid."


@dataclass(frozen=True, slots=True)
class Lead:
    """Where the answers lead: an outcome, the question that decided it (or
    that still needs an answer), and one Dutch sentence for the worker."""

    outcome: Outcome
    question: str | None

    @property
    def text(self) -> str:
        if self.outcome is Outcome.ASK and self.question is not None:
            return OUTCOME_TEXT[Outcome.ASK].format(n=QUESTIONS.index(self.question) + 1)
        if self.outcome is Outcome.REPORT and self.question == ONVEILIG:
            return OUTCOME_TEXT[Outcome.REPORT] + " " + REPORT_AFTER_UNSAFE
        if self.outcome is Outcome.REPORT and self.question == HULP_EFFECT:
            return REPORT_AGAIN
        return OUTCOME_TEXT[self.outcome]

    @property
    def asked(self) -> tuple[str, ...]:
        """The questions that are part of the sequence up to here (later ones are not asked)."""
        if self.question is None:
            return QUESTIONS
        return QUESTIONS[: QUESTIONS.index(self.question) + 1]


def lead(answers: Mapping[str, bool | None]) -> Lead:
    """Where the afwegingskader's answers (question key → yes/no, None or
    missing: not answered) lead, as the basismodel says:

    1. no suspicion → close and record; yes → question 2;
    2. acute or structural unsafety → report (3-5 then with Veilig Thuis); no → 3;
    3. cannot offer or organise effective help → report; yes → 4;
    4. those involved do not accept the help → report; yes → 5 (follow the help);
    5. the help does not lead to safety in time → (again) report; yes → close
       with agreements on following future (un)safety.

    Answers after a deciding one are not part of the sequence and change nothing.
    """
    for q in QUESTIONS:
        answer = answers.get(q)
        if answer is None:
            return Lead(Outcome.FOLLOW, q) if q == HULP_EFFECT else Lead(Outcome.ASK, q)
        stop, outcome = _STOPS[q]
        if answer is stop:
            return Lead(outcome, q)
    return Lead(Outcome.CLOSE_WITH_AGREEMENTS, None)


# -- the trajectory document ---------------------------------------------------------------

OPEN, CLOSED = "open", "afgesloten"


def new_document(organisation: str, started_on: date) -> dict[str, Any]:
    """A new trajectory: the organisation whose meldcode applies (the worker's own by default)."""
    return {
        "organisatie": organisation,
        "aandachtsfunctionaris": "",
        "gestart": started_on.isoformat(),
        "streefdata": {},
        "signalen": [],
        "consultaties": [],
        "gesprekken": [],
        "afweging": {},
        "besluit": {},
        "status": OPEN,
        "afsluiting": {},
    }


def answers_of(doc: Mapping[str, Any]) -> dict[str, bool | None]:
    """The afwegingskader's answers as yes/no (None: not answered)."""
    out: dict[str, bool | None] = {}
    for q in QUESTIONS:
        a = (doc.get("afweging") or {}).get(q)
        out[q] = a.get("antwoord") if isinstance(a, dict) else None
    return out


def melding_done(doc: Mapping[str, Any]) -> bool:
    return bool((doc.get("besluit") or {}).get("melding", {}).get("datum"))


def help_recorded(doc: Mapping[str, Any]) -> bool:
    return bool((doc.get("besluit") or {}).get("hulp", {}).get("omschrijving"))


def talk_done(doc: Mapping[str, Any]) -> bool:
    """Step 3 is done by a talk held, or by the reason it did not happen."""
    return any(g.get("datum") or g.get("waarom_niet") for g in doc.get("gesprekken", []))


@dataclass(frozen=True, slots=True)
class NextStep:
    """What is still open in a trajectory: the step, and one Dutch sentence."""

    step: str | None  # None: nothing open (the trajectory is closed, or ready to close)
    text: str


def next_step(doc: Mapping[str, Any]) -> NextStep:
    """The first step that is not done yet, and for step 4 and 5 where the answers lead.

    Only a guide: the worker may go back to any step, and closes the
    trajectory themselves.
    """
    if doc.get("status") == CLOSED:
        return NextStep(None, "Afgesloten.")
    if not doc.get("signalen"):
        return NextStep(SIGNALEN, "Breng de signalen in kaart.")
    if not doc.get("consultaties"):
        return NextStep(CONSULTATIE, "Overleg met een collega, de aandachtsfunctionaris of Veilig Thuis.")
    if not talk_done(doc):
        return NextStep(GESPREK, "Voer het gesprek met de student, of leg vast waarom niet.")
    where = lead(answers_of(doc))
    if where.outcome is Outcome.ASK:
        return NextStep(WEGEN, where.text)
    if where.outcome is Outcome.REPORT and not melding_done(doc):
        return NextStep(BESLISSEN, where.text)
    if where.outcome is Outcome.FOLLOW:
        if not help_recorded(doc):
            return NextStep(BESLISSEN, "Leg vast welke hulp er komt.")
        return NextStep(WEGEN, where.text)
    if where.outcome is Outcome.REPORT:
        return NextStep(BESLISSEN, "Melding gedaan: volg wat Veilig Thuis besluit en sluit af.")
    return NextStep(None, where.text)


# -- what the worker types, checked ---------------------------------------------------------


def _when(value: date | None, field: str, today: date, *, required: bool = True) -> str:
    if value is None:
        if required:
            raise ValidationError(field, "Vul een datum in.")
        return ""
    if value > today:
        raise ValidationError(field, "Deze datum ligt in de toekomst.")
    return value.isoformat()


def _line(value: str, field: str, *, required: str | None = None) -> str:
    value = clean_line(value)
    check_text(field, value, "short")
    if required and not value:
        raise ValidationError(field, required)
    return value


def _block(value: str, field: str, *, required: str | None = None) -> str:
    value = clean_block(value)
    check_text(field, value, "note")
    if required and not value:
        raise ValidationError(field, required)
    return value


@dataclass(slots=True)
class Signal:
    """Step 1: one dated observation. Facts apart from interpretation."""

    on: date | None
    observed: str  # what was seen or heard (the facts)
    student_said: str = ""  # what the student said, in their words
    interpretation: str = ""  # what the worker makes of it, kept apart
    also_noticed_by: str = ""  # who else noticed

    def to_dict(self, today: date) -> dict[str, Any]:
        return {
            "datum": _when(self.on, "on", today),
            "feiten": _block(self.observed, "observed", required="Schrijf op wat je zag of hoorde."),
            "uitspraak": _block(self.student_said, "student_said"),
            "interpretatie": _block(self.interpretation, "interpretation"),
            "ook_gezien_door": _line(self.also_noticed_by, "also_noticed_by"),
        }


@dataclass(slots=True)
class Consultation:
    """Step 2: a consultation, with whom, when, what was advised."""

    on: date | None
    kind: str  # CONSULT_KINDS
    with_whom: str
    advice: str
    anonymous: bool = True  # Veilig Thuis: advice without naming the student

    def to_dict(self, today: date) -> dict[str, Any]:
        if self.kind not in CONSULT_KINDS:
            raise ValidationError("kind", "Kies met wie je overlegde.")
        return {
            "datum": _when(self.on, "on", today),
            "soort": self.kind,
            "met": _line(self.with_whom, "with_whom", required="Vul in met wie je overlegde."),
            "advies": _block(self.advice, "advice", required="Schrijf op wat het advies was."),
            "anoniem": bool(self.anonymous) if self.kind == VEILIG_THUIS else False,
        }


@dataclass(slots=True)
class Talk:
    """Step 3: the talk with the student (and parents), or why it did not happen."""

    on: date | None
    with_whom: str  # TALK_WITH
    said: str = ""
    why_not: str = ""  # e.g. the safety of the student

    def to_dict(self, today: date) -> dict[str, Any]:
        said = _block(self.said, "said")
        why_not = _block(self.why_not, "why_not")
        if why_not and (self.on is not None or said):
            raise ValidationError("why_not", "Vul een gesprek in, of waarom het niet plaatsvond, niet allebei.")
        if not why_not:
            if self.with_whom not in TALK_WITH:
                raise ValidationError("with_whom", "Kies met wie je sprak.")
            if not said:
                raise ValidationError("said", "Schrijf op wat er gezegd is, of waarom het gesprek niet plaatsvond.")
        return {
            "datum": _when(self.on, "on", today, required=not why_not),
            "met": self.with_whom if not why_not else "",
            "verslag": said,
            "waarom_niet": why_not,
        }


@dataclass(slots=True)
class Answer:
    """Step 4: one question of the afwegingskader, answered and dated."""

    question: str
    yes: bool
    on: date | None
    explanation: str = ""

    def to_dict(self, today: date) -> dict[str, Any]:
        if self.question not in QUESTIONS:
            raise ValidationError("question", "Onbekende vraag.")
        return {
            "antwoord": bool(self.yes),
            "datum": _when(self.on, "on", today),
            "toelichting": _block(self.explanation, "explanation"),
        }


@dataclass(slots=True)
class HelpPlan:
    """Step 5: the help organised, and how its effect is followed."""

    description: str
    follow_up: str = ""
    on: date | None = None

    def to_dict(self, today: date) -> dict[str, Any]:
        return {
            "omschrijving": _block(self.description, "description", required="Beschrijf welke hulp er komt."),
            "volgen": _block(self.follow_up, "follow_up"),
            "datum": _when(self.on, "on", today),
        }


@dataclass(slots=True)
class Melding:
    """Step 5: the melding at Veilig Thuis, and what the student was told, when, or why not."""

    on: date | None
    by: str  # who made it
    reference: str = ""  # Veilig Thuis' reference
    told_student: str = ""  # what was told to the student
    told_on: date | None = None
    why_not_told: str = ""
    student_view: str = ""  # the student's own view of the melding, if known

    def to_dict(self, today: date) -> dict[str, Any]:
        told = _block(self.told_student, "told_student")
        why_not = _block(self.why_not_told, "why_not_told")
        if not told and not why_not:
            raise ValidationError("told_student", "Schrijf op wat je de student vertelde, of waarom niet.")
        if told and self.told_on is None:
            raise ValidationError("told_on", "Vul in wanneer je het de student vertelde.")
        return {
            "datum": _when(self.on, "on", today),
            "door": _line(self.by, "by", required="Vul in wie de melding deed."),
            "referentie": _line(self.reference, "reference"),
            "verteld": told,
            "verteld_op": _when(self.told_on, "told_on", today, required=False) if told else "",
            "waarom_niet_verteld": why_not,
            "visie_student": _block(self.student_view, "student_view"),
        }


def target_dates(values: Mapping[str, date | None]) -> dict[str, str]:
    """The worker's target date per step (a step without one is left out)."""
    out: dict[str, str] = {}
    for step, value in values.items():
        if step not in STEPS:
            raise ValidationError("step", "Onbekende stap.")
        if value is not None:
            out[step] = value.isoformat()
    return out


def target_of(doc: Mapping[str, Any], step: str | None) -> date | None:
    value = (doc.get("streefdata") or {}).get(step or "")
    return date.fromisoformat(value) if value else None


# -- for an inzage: the trajectory as items the student can read ------------------------------

INZAGE_KIND = "meldcode"
# Why every free text of a trajectory is a part the worker decides on before an inzage goes out.
INZAGE_WHY = "de meldcode (kan informatie van of over anderen bevatten, zoals ouders of Veilig Thuis)"


def inzage_items(doc: Mapping[str, Any]) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """Each step's record as (heading, ISO date, [(key, Dutch label, text)]), for the inzage
    (``jongerenteam.rights``). Plain words for the student; empty fields left out."""
    out: list[tuple[str, str, list[tuple[str, str, str]]]] = []

    def add(heading: str, day: str, fields: list[tuple[str, str, str]]) -> None:
        kept = [(k, label, str(text).strip()) for k, label, text in fields if str(text or "").strip()]
        if kept:
            out.append((heading, day, kept))

    add("Meldcode: gestart", str(doc.get("gestart", "")), [
        ("organisatie", "Meldcode van", doc.get("organisatie", "")),
        ("aandachtsfunctionaris", "Aandachtsfunctionaris", doc.get("aandachtsfunctionaris", "")),
    ])
    for s in doc.get("signalen", []):
        add("Meldcode: signaal", s.get("datum", ""), [
            ("feiten", "Wat er is gezien of gehoord", s.get("feiten", "")),
            ("uitspraak", "Wat jij zei", s.get("uitspraak", "")),
            ("interpretatie", "Wat de hulpverlener ervan dacht", s.get("interpretatie", "")),
            ("ook_gezien_door", "Ook gezien door", s.get("ook_gezien_door", "")),
        ])
    for c in doc.get("consultaties", []):
        add("Meldcode: overleg", c.get("datum", ""), [
            ("met", "Overleg met", f"{CONSULT_KINDS.get(c.get('soort', ''), '')}: {c.get('met', '')}"),
            ("advies", "Advies", c.get("advies", "")),
        ])
    for g in doc.get("gesprekken", []):
        add("Meldcode: gesprek", g.get("datum", ""), [
            ("met", "Gesprek met", TALK_WITH.get(g.get("met", ""), "")),
            ("verslag", "Wat er gezegd is", g.get("verslag", "")),
            ("waarom_niet", "Waarom er (nog) geen gesprek was", g.get("waarom_niet", "")),
        ])
    answers = doc.get("afweging") or {}
    for n, q in enumerate(QUESTIONS, start=1):
        a = answers.get(q)
        if isinstance(a, dict):
            add(f"Meldcode: afweging, vraag {n}", a.get("datum", ""), [
                ("vraag", "Vraag", QUESTION_TEXT[q]),
                ("antwoord", "Antwoord", "ja" if a.get("antwoord") else "nee"),
                ("toelichting", "Toelichting", a.get("toelichting", "")),
            ])
    besluit = doc.get("besluit") or {}
    if isinstance(besluit.get("hulp"), dict):
        h = besluit["hulp"]
        add("Meldcode: hulp", h.get("datum", ""), [
            ("omschrijving", "Welke hulp", h.get("omschrijving", "")), ("volgen", "Hoe het wordt gevolgd", h.get("volgen", "")),
        ])
    if isinstance(besluit.get("melding"), dict):
        md = besluit["melding"]
        add("Meldcode: melding bij Veilig Thuis", md.get("datum", ""), [
            ("door", "Gemeld door", md.get("door", "")), ("referentie", "Kenmerk", md.get("referentie", "")),
            ("verteld", "Wat jou is verteld", md.get("verteld", "")),
            ("waarom_niet_verteld", "Waarom het je niet is verteld", md.get("waarom_niet_verteld", "")),
            ("visie_student", "Wat jij ervan vond", md.get("visie_student", "")),
        ])
    closing = doc.get("afsluiting") or {}
    if doc.get("status") == CLOSED:
        add("Meldcode: afgesloten", closing.get("datum", ""), [("reden", "Waarom", closing.get("reden", ""))])
    return out


def handover_text(doc: Mapping[str, Any]) -> str:
    """What the trajectory recorded, for an overdrachtsdocument to Veilig Thuis on the legal
    ground "meldcode" (``jongerenteam.handover``): the ground, each step, the student's own view."""
    melding = (doc.get("besluit") or {}).get("melding") or {}
    lines = ["Gedeeld op grond van de meldcode huiselijk geweld en kindermishandeling"
             + (f" (meldcode van {doc['organisatie']})" if doc.get("organisatie") else "") + "."]
    if melding.get("datum"):
        ref = f", kenmerk {melding['referentie']}" if melding.get("referentie") else ""
        lines.append(f"Melding bij Veilig Thuis op {_nl(melding['datum'])}{ref}.")
    view = str(melding.get("visie_student") or "").strip()
    lines.append(f"Wat de student er zelf van vindt: {view}" if view else "Wat de student er zelf van vindt: niet bekend.")
    for heading, day, fields in inzage_items(doc):
        if heading == "Meldcode: gestart":
            continue
        lines.append("")
        lines.append(heading.removeprefix("Meldcode: ").capitalize() + (f" ({_nl(day)})" if day else ""))
        lines += [f"- {label}: {text}" for key, label, text in fields if key != "visie_student"]
    return "\n".join(lines)


def _nl(iso: str) -> str:
    try:
        return date.fromisoformat(iso).strftime("%d-%m-%Y")
    except ValueError:
        return iso
