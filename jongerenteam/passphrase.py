"""Feedback on passphrases, in Dutch, before a key slot is made.

Long passphrases of several words beat short complicated ones; the advice
follows NIST SP 800-63B: length first, no composition rules, refuse the
guessable. What is guessable is estimated by zxcvbn (Dropbox's estimator),
told about what a Dutch attacker tries first: the word list in
``jongerenteam/data/wachtwoordwoorden.txt`` (everyday words and the words of
jeugdhulp and school, first names and surnames, places, sports clubs, days,
months and seasons), the 342 gemeenten, the years around now, and the
worker's own name and the team's name.

A passphrase is accepted from zxcvbn score 4 ("very unguessable: strong
protection from an offline slow-hash attack", at least 10^10 guesses): the
attack this guards against is exactly that, a stolen laptop where every
guess costs a calibrated Argon2id derivation. Score 3 is not enough with
zxcvbn's model: it adds 10^4 guesses for every further part of a password,
so any three parts ("Zomer" + "2025" + "!") reach 10^8 however common each
part is. For the same reason spaces and other separators are taken out
before the estimate: an attacker tries "fiets regen" as cheaply as
"fietsregen", and zxcvbn would otherwise count every space as a part. Four
ordinary Dutch words pass easily; three, or a word with a year, do not.

The reason a user reads is made here, in plain Dutch, from the kinds of
pattern zxcvbn found (a known word, a year, a sequence ...), never from its
English feedback. zxcvbn is imported at the first check, not at start-up.
"""

from __future__ import annotations

import csv
import math
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

MIN_LENGTH = 10
GOOD_LENGTH = 16
# zxcvbn's score runs 0..4; 4 means at least 10^10 guesses.
MIN_SCORE = 4
# zxcvbn sees at most this many characters: its matching grows with the
# square of the length, and whatever comes after 64 characters only adds.
CHECKED_LENGTH = 64
# zxcvbn tries every way to read symbols as letters ("@" as a, "1" as i or l):
# with many different symbols that is hundreds of readings, each matched
# against every dictionary. Readings times length squared stays under this
# (about a quarter of a second); a longer passphrase is then judged by its
# beginning, which can only make the estimate stricter.
L33T_BUDGET = 200_000
# Taken out before the estimate: they separate words, they do not hide them.
SEPARATORS = frozenset(" \t-_.,/+")
# Years tried as words, the ones closest to now first.
YEARS_BACK, YEARS_AHEAD = 80, 15

WORD_LIST = "wachtwoordwoorden.txt"

# Kinds of guessable part, each as (one, several) in a Dutch sentence.
_PHRASES: dict[str, tuple[str, str]] = {
    "eigen": ("je eigen naam of die van het team", "je eigen naam of die van het team"),
    "wachtwoord": ("een veelgebruikt wachtwoord", "veelgebruikte wachtwoorden"),
    "woord": ("een bekend woord", "bekende woorden"),
    "naam": ("een naam", "namen"),
    "plaats": ("een plaatsnaam", "plaatsnamen"),
    "club": ("de naam van een club", "namen van clubs"),
    "tijd": ("een dag, maand of seizoen", "dagen, maanden of seizoenen"),
    "jaartal": ("een jaartal", "jaartallen"),
    "datum": ("een datum", "datums"),
    "reeks": ("een reeks zoals abc of 1234", "reeksen zoals abc of 1234"),
    "herhaling": ("een herhaling zoals aaa of abcabc", "herhalingen zoals aaa of abcabc"),
    "toetsenbord": ("toetsen die naast elkaar liggen, zoals qwerty", "toetsen die naast elkaar liggen, zoals qwerty"),
}
# The sections of the word list, and the kind each one is.
_SECTIONS = {
    "woorden": "woord",
    "tijd": "tijd",
    "voornamen": "naam",
    "achternamen": "naam",
    "plaatsen": "plaats",
    "clubs": "club",
}
# zxcvbn's own dictionaries.
_DICTIONARIES = {
    "passwords": "wachtwoord",
    "english_wikipedia": "woord",
    "us_tv_and_film": "woord",
    "female_names": "naam",
    "male_names": "naam",
    "surnames": "naam",
}
_PATTERNS = {"sequence": "reeks", "repeat": "herhaling", "spatial": "toetsenbord", "regex": "jaartal", "date": "datum"}
# Tussenvoegsels and the like: parts of a name that are no name by themselves.
_PARTICLES = frozenset({"van", "der", "den", "de", "het", "ten", "ter", "te", "op", "in", "'t", "la", "le", "el", "al", "da", "di", "du"})

TOO_SHORT = f"Te kort: gebruik minstens {MIN_LENGTH} tekens. Een zin van vier woorden is sterk en goed te onthouden."
OWN_NAME = "Gebruik je eigen naam of de naam van het team niet in je wachtwoord."
# A worker's "new" passphrase that is the one they have now (``TeamService.change_own_passphrase``).
SAME_AS_CURRENT = "Het nieuwe wachtwoord is hetzelfde als je huidige. Kies een ander wachtwoord."
_GUESSABLE = "Dit wachtwoord is te makkelijk te raden"
_NOT_STRONG = "Dit wachtwoord is nog niet sterk genoeg: maak het langer."
_LEET = "Letters vervangen door cijfers of tekens (zoals 0 voor o of @ voor a) maakt het niet sterker."
_ADVICE = "Kies een zin van vier of meer gewone woorden die niet bij elkaar horen."

# zxcvbn keeps the user inputs of the call in a module-level dictionary.
_ZXCVBN = threading.Lock()


def weakness(passphrase: str, *, names: Sequence[str] = ()) -> str | None:
    """A Dutch sentence explaining why the passphrase is too weak, or None.

    ``names``: the worker's full name, initials and the team's name; each
    name and the words in it count as guessable.
    """
    p = passphrase.strip()
    if len(p) < MIN_LENGTH:
        return TOO_SHORT
    low = p.casefold()
    if any(name in low for name in _own_names(names)):
        return OWN_NAME
    score, sequence, kinds = _estimate(_checked_part(p), names)
    if score >= MIN_SCORE:
        return None
    return _reason(sequence, kinds)


def require_strong(passphrase: str, *, names: Sequence[str] = ()) -> None:
    """Refuse a new passphrase that ``weakness`` finds weak, with ``WeakPassphrase``.

    The use cases that make a key slot call this (a new team, a new worker,
    a new passphrase with the recovery code), so no way round the forms and
    prompts, which check first, makes a weak slot.
    """
    problem = weakness(passphrase, names=names)
    if problem is not None:
        from jongerenteam.errors import WeakPassphrase

        raise WeakPassphrase(problem)


def advice(passphrase: str) -> str | None:
    """A gentle hint for acceptable but short passphrases."""
    if len(passphrase.strip()) < GOOD_LENGTH and " " not in passphrase.strip():
        return "Tip: een langere zin van een paar woorden is nog sterker."
    return None


# -- names --------------------------------------------------------------------------------


def _name_words(names: Iterable[str]) -> list[str]:
    """Each name, lower case, and the words in it (without tussenvoegsels)."""
    out: list[str] = []
    for name in names:
        low = name.strip().casefold()
        if not low:
            continue
        out.append(low)
        out.extend(part for part in low.replace("-", " ").split() if part not in _PARTICLES and len(part) >= 2)
    return list(dict.fromkeys(out))


def _own_names(names: Iterable[str]) -> list[str]:
    """What may not appear in a passphrase at all: each name as given, from 3 characters.

    The words inside a name (a first name, the "Noord" of "Team Noord") are
    not refused outright; zxcvbn counts them as the first words an attacker tries.
    """
    return [low for low in (name.strip().casefold() for name in names) if len(low) >= 3 and low not in _PARTICLES]


# -- the word list ------------------------------------------------------------------------


def _forms(word: str) -> list[str]:
    """The word as listed, and as people type it: without spaces, hyphens, apostrophes or accents."""
    word = word.split("(")[0].strip().casefold()
    joined = "".join(c for c in word if c not in " -'.")
    plain = unicodedata.normalize("NFKD", joined).encode("ascii", "ignore").decode()
    return [f for f in dict.fromkeys((word, joined, plain)) if len(f) >= 2]


@cache
def _word_kinds() -> dict[str, str]:
    """Every listed word (in the order of the list, then the gemeenten) and its kind."""
    data = files("jongerenteam") / "data"
    kinds: dict[str, str] = {}
    section = ""
    for raw in (data / WORD_LIST).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            if section not in _SECTIONS:
                raise RuntimeError(f"{WORD_LIST}: unknown section {line}")
            continue
        if not section:
            raise RuntimeError(f"{WORD_LIST}: a word before the first section")
        for form in _forms(line):
            kinds.setdefault(form, _SECTIONS[section])
    lines = (row for row in (data / "gemeenten.csv").read_text(encoding="utf-8").splitlines() if row and not row.startswith("#"))
    for row in list(csv.reader(lines))[1:]:
        for form in _forms(row[1]):
            kinds.setdefault(form, "plaats")
    return kinds


@cache
def _years(this_year: int) -> tuple[str, ...]:
    """The years around now, nearest first (zxcvbn's own year pattern stops at 2019)."""
    years = range(this_year - YEARS_BACK, this_year + YEARS_AHEAD + 1)
    return tuple(str(y) for y in sorted(years, key=lambda y: (abs(y - this_year), -y)))


# -- the estimate and the reason --------------------------------------------------------


def _checked_part(passphrase: str) -> str:
    """What zxcvbn is given: the passphrase without separators, at most so long that it stays quick."""
    from zxcvbn import matching

    joined = "".join(c for c in passphrase if c not in SEPARATORS and not c.isspace())
    text = joined[:CHECKED_LENGTH]
    readings = len(matching.enumerate_l33t_subs(matching.relevant_l33t_subtable(text, matching.L33T_TABLE)))
    if readings * len(text) ** 2 > L33T_BUDGET:
        text = text[: max(MIN_LENGTH, math.isqrt(L33T_BUDGET // readings))]
    return text


def _estimate(passphrase: str, names: Sequence[str]) -> tuple[int, list[dict[str, Any]], dict[str, str]]:
    """zxcvbn's score and match sequence, and the kind of every word it was given."""
    from zxcvbn import zxcvbn

    own = _name_words(names)
    years = _years(date.today().year)
    words = _word_kinds()
    # Order is rank: the worker's own names are tried first, then years, then the list.
    inputs = [*own, *years, *words]
    kinds = {**words, **dict.fromkeys(years, "jaartal"), **dict.fromkeys(own, "eigen")}
    with _ZXCVBN:
        result = zxcvbn(passphrase, user_inputs=inputs, max_length=CHECKED_LENGTH)
    return int(result["score"]), list(result["sequence"]), kinds


def _kind(match: dict[str, Any], kinds: dict[str, str]) -> str | None:
    pattern = match.get("pattern")
    if pattern == "dictionary":
        name = match.get("dictionary_name")
        if name == "user_inputs":
            return kinds.get(str(match.get("matched_word", "")), "woord")
        return _DICTIONARIES.get(str(name), "woord")
    return _PATTERNS.get(str(pattern))


def _reason(sequence: list[dict[str, Any]], kinds: dict[str, str]) -> str:
    """The Dutch sentence for a weak passphrase: which guessable parts it holds, then what to do."""
    found: dict[str, int] = {}
    leet = False
    for match in sequence:
        kind = _kind(match, kinds)
        if kind is None:
            continue
        found[kind] = found.get(kind, 0) + 1
        leet = leet or bool(match.get("l33t"))
    parts = [_PHRASES[kind][0 if n == 1 else 1] for kind, n in list(found.items())[:3]]
    sentences = [f"{_GUESSABLE}, want het bevat {_and(parts)}." if parts else _NOT_STRONG]
    if leet:
        sentences.append(_LEET)
    sentences.append(_ADVICE)
    return " ".join(sentences)


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]
