"""Parts of an inzage that may be about someone else (AVG article 15(4)).

A student's copy of their file must not harm others: what a parent said
about a sibling, a friend named in a note, a referrer's phone number. The
inzage flow shows the worker these parts (``find_other_parts``) and asks,
for each, whether it may go in or is left out; the export refuses until
every part is decided (``RightsService.export_inzage``).

Finding them is a heuristic that errs towards asking, never a guarantee
(the user guide says so):

- a field that holds names or contact details of other people (who else
  was present, who registered the student, an external's phone number,
  a named person in an agreement);
- free text told by or in the presence of others (a referral's reason,
  a consultation without the student, a talk with a parent present);
- free text that names others: a family or social word ("moeder",
  "vriendin", "buurman"), a name typed elsewhere in this file (a
  participant, an external, the referrer), or a capitalised word inside a
  sentence that is not the student's or a colleague's name, a place or a
  known term.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Words for people in the student's private life: whole words, and stems that
# also count at the end of a longer word ("pleegmoeder", "vriendinnetje").
_RELATION_WORDS = (
    "ouder", "ouders", "mama", "papa", "mam", "pap", "opa", "oma", "oom", "tante", "neef", "neefje", "nicht",
    "nichtje", "partner", "ex", "buurman", "buurvrouw", "buren", "baby", "gezin", "familie", "familielid",
    "baas", "werkgever", "verzorger", "verzorgers", "klasgenote", "pleegouder", "pleegouders",
    "stiefouder", "grootouders", "schoonouders",
)
_RELATION_STEMS = (
    "moeder", "vader", "broer", "broers", "broertje", "zus", "zusje", "zussen", "zusjes", "vriend", "vriendin",
    "vrienden", "vriendinnen", "vriendje", "vriendinnetje", "kind", "kinderen", "dochter", "genoot", "genoten",
)


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_RELATION = re.compile(
    rf"\b(?:(?:{_alternatives(_RELATION_WORDS)})|\w*(?:{_alternatives(_RELATION_STEMS)}))\b", re.IGNORECASE,
)
# A word with a capital, inside a sentence (not after . ! ? or at a line start).
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_OPENERS = " \t\"'(“‘«-–"

# Capitalised words that are not people.
_KNOWN_WORDS = frozenset({
    "ik", "je", "jij", "hij", "zij", "ze", "we", "wij", "u", "de", "het", "een",
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
    "november", "december", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
    "whatsapp", "teams", "zoom", "instagram", "snapchat", "tiktok", "google", "digid", "mijnoverheid",
    "nederland", "nederlands", "engels", "europa", "jeugdwet", "wmo", "avg", "ggz", "duo", "uwv",
    "veilig", "thuis", "halt", "politie", "entree", "mbo", "vmbo", "havo", "vwo", "hbo", "bol", "bbl",
})

_SCHOOL_ROLES = ("(SLB'er)", "(LOB'er)", "(mentor)", "(studentcoach)", "(studiecoach)")

# Fields whose values are names or contact details of people other than the student.
NAMES, TEXT, PLAIN = "namen", "tekst", "gewoon"


@dataclass(frozen=True, slots=True)
class Field:
    """One line of an inzage item: ``key`` (the payload key), its label, the text shown, what kind of value."""

    key: str
    label: str
    text: str = field(repr=False)  # personal data: never in a repr
    kind: str = PLAIN  # NAMES | TEXT | PLAIN


@dataclass(frozen=True, slots=True)
class Mentions:
    """What a free text says about others, for the worker: the words found."""

    words: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.words)


@dataclass(frozen=True, slots=True)
class OtherPart:
    """A part of the inzage that may be about someone else; the worker decides before export.

    ``id`` is "<entry id>:<field key>"; leaving it out leaves that field out
    of the entry and of every earlier version of it.
    """

    id: str
    where: str  # "Gesprek van 20-11-2026: verslag"
    why: str  # Dutch, for the worker: "noemt: vader, Bram"
    text: str  # what would go into the inzage (earlier versions too)

    def __repr__(self) -> str:
        return f"OtherPart({self.id!r})"


class Finder:
    """Finds mentions of other people in the text of one student's file."""

    def __init__(self, own_names: Iterable[str], colleague_names: Iterable[str], places: Iterable[str] = (),
                 known_others: Iterable[str] = ()) -> None:
        self.own = {w.casefold() for n in own_names for w in _WORD.findall(n)}
        self.colleagues = {w.casefold() for n in colleague_names for w in _WORD.findall(n)}
        self.places = {w.casefold() for n in places for w in _WORD.findall(n)}
        # Names typed elsewhere in the file (participants, externals, the referrer): found anywhere.
        others = set()
        for name in known_others:
            for w in _WORD.findall(name):
                low = w.casefold()
                if w[:1].isupper() and len(w) > 1 and low not in self.own | self.colleagues | _KNOWN_WORDS:
                    others.add(low)
        self.others = others

    def other_names(self, text: str) -> list[str]:
        """The people in a list of names ("jij, Mevr. Bos (studentcoach), moeder") other than the student and colleagues."""
        out = []
        for name in text.split(", "):
            if name.rstrip().endswith(_SCHOOL_ROLES):
                continue  # the study coach in a driegesprek: the school, not someone private
            words = {w.casefold() for w in _WORD.findall(name)}
            if words and not words <= self.own | self.colleagues | {"jij", "student", "de", "je"}:
                out.append(name.strip())
            elif not words and name.strip():
                out.append(name.strip())  # a phone number
        return out

    def mentions(self, text: str) -> Mentions:
        found: list[str] = []

        def add(word: str) -> None:
            if word.casefold() not in {f.casefold() for f in found}:
                found.append(word)

        for m in _RELATION.finditer(text):
            add(m.group(0))
        for m in _WORD.finditer(text):
            word = m.group(0)
            low = word.casefold()
            if low in self.own or low in self.colleagues:
                continue
            if low in self.others:
                add(word)
                continue
            stem = re.split(r"['’-]", word)[0]  # "SLB'er", "GGD-arts": an abbreviation, not a name
            if not word[:1].isupper() or stem.isupper() or low in _KNOWN_WORDS or low in self.places:
                continue
            if _starts_sentence(text, m.start()):
                continue  # the first word of a sentence: a capital for grammar, not a name
            add(word)
        return Mentions(tuple(found))


def _starts_sentence(text: str, at: int) -> bool:
    i = at - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    return i < 0 or text[i] in ".!?:;\n\r•"


def other_people(names: Sequence[str], own_names: Iterable[str], colleague_names: Iterable[str]) -> list[str]:
    """The names in a list that are not the student ("student", "jij", their own name) or a colleague."""
    own = {n.casefold() for n in own_names if n} | {"student", "de student", "jij"}
    colleagues = {n.casefold() for n in colleague_names if n}
    out = []
    for name in names:
        low = name.strip().casefold()
        if low and low not in own and low not in colleagues and low.split(" (")[0] not in own:
            out.append(name.strip())
    return out
