"""Free text that leaves the team, checked against consent.

What the worker types in a document for someone outside the team (the
overdrachtsdocument, its export) may name a leefdomein the student gave no
consent for: "gokt, online casino" in a handover to schuldhulpverlening with
consent for inkomen only. ``find`` returns those words, with where they are,
so the screen can highlight them and the use case can refuse to send the
text until the worker takes them out or records a wettelijke grond.

The words are data: ``data/leefdomeinwoorden.txt``, one section per
leefdomein (its format is explained at its top). Matching is on whole words,
ignoring capitals and accents ("Cocaïne", "cocaine"), with the common Dutch
forms of each word (plural, verb forms, diminutive). A word tied to several
leefdomeinen ("stageplek": onderwijs and werk) is found only when none of
them has consent.

Pure functions; nothing here touches the store or the screen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from jongerenteam.catalogue import LEEFDOMEIN_CODES, LEEFDOMEINEN
from jongerenteam.consent import ALL_DOMAINS

__all__ = ["WORD_LIST", "Hit", "describe", "find", "fold", "listed_words", "load"]

WORD_LIST = "leefdomeinwoorden.txt"

# Endings that make the common forms of a listed word: plural (casino's is
# "casino" and "s"), verb forms (blowt, blowde), -er (blower), -je (gokje).
_ENDINGS = ("", "s", "e", "en", "n", "er", "ers", "t", "te", "ten", "d", "de", "den", "je", "jes", "tje", "tjes")
_VERB_ENDINGS = ("", "t", "te", "ten", "d", "de", "den", "end", "ende")
_VOWELS = "aeiou"
_TOKEN = re.compile(r"[^\W_]+")
# Between the words of a phrase: only spaces and hyphens ("online casino", "online-casino").
_JOIN = re.compile(r"[\s\-‐‑]+")
_LABELS = {d.code: d.label.lower() for d in LEEFDOMEINEN}


@dataclass(frozen=True, slots=True)
class Hit:
    """A word in the text tied to leefdomeinen without consent."""

    start: int  # in the text as given
    end: int
    word: str  # as written in the text
    domains: tuple[str, ...]  # leefdomein codes, in catalogue order

    def __repr__(self) -> str:  # the word is what a student said: not in a traceback
        return f"Hit(start={self.start}, end={self.end}, domains={self.domains!r})"


@dataclass(frozen=True, slots=True)
class _Terms:
    forms: dict[str, frozenset[str]]  # a whole word -> its leefdomeinen
    prefixes: tuple[tuple[str, frozenset[str]], ...]  # "gok*"
    suffixes: tuple[tuple[str, frozenset[str]], ...]  # "*verslaving"
    phrases: dict[str, tuple[tuple[tuple[str, ...], frozenset[str]], ...]]  # first word -> (rest of the words, domains)


# -- normalising -------------------------------------------------------------------------


def fold(text: str) -> tuple[str, list[int]]:
    """The text without accents and capitals, and for each of its characters the
    index of the character in ``text`` it came from ("ß" becomes "ss": both point to it)."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            base = ch.lower()
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).casefold()
        out.append(base)
        where.extend([i] * len(base))
    return "".join(out), where


def _plain(word: str) -> str:
    return fold(word)[0]


# -- the word list ------------------------------------------------------------------------


def _verb_stem(base: str) -> str:
    """The stem of an infinitive without its -en: gokk -> gok, won -> woon, lev -> leef."""
    if len(base) >= 2 and base[-1] == base[-2] and base[-1] not in _VOWELS:
        return base[:-1]
    stem = base
    if (len(base) >= 3 and base[-1] not in _VOWELS + "wjy" and base[-2] in _VOWELS
            and base[-3] not in _VOWELS):
        stem = base[:-1] + base[-2] + base[-1]
    return stem[:-1] + {"v": "f", "z": "s"}.get(stem[-1], stem[-1])


def _forms(word: str) -> set[str]:
    """A listed word and its common forms (all folded)."""
    forms = {word + e for e in _ENDINGS}
    if word.endswith("en") and len(word) >= 5:
        base = word[:-2]
        stem = _verb_stem(base)
        forms |= {stem + e for e in _VERB_ENDINGS}
        forms |= {"ge" + stem + "t", "ge" + stem + "d", base + "er", base + "ers"}
    return forms


def _entries(text: str) -> Iterator[tuple[str, str]]:
    """(section, line) of the word list; an unknown section or a word outside one stops."""
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            if section not in LEEFDOMEIN_CODES:
                raise RuntimeError(f"{WORD_LIST}: unknown leefdomein [{section}]")
            continue
        if not section:
            raise RuntimeError(f"{WORD_LIST}: a word before the first section")
        yield section, line


def parse(text: str) -> dict[str, tuple[str, ...]]:
    """The word list by leefdomein, as written (for the tests and the documentation)."""
    out: dict[str, list[str]] = {}
    for section, line in _entries(text):
        out.setdefault(section, []).append(line)
    return {k: tuple(v) for k, v in out.items()}


def build(text: str) -> _Terms:
    forms: dict[str, set[str]] = {}
    prefixes: dict[str, set[str]] = {}
    suffixes: dict[str, set[str]] = {}
    phrases: dict[str, dict[tuple[str, ...], set[str]]] = {}

    def add(table: dict[str, set[str]], key: str, domain: str) -> None:
        table.setdefault(key, set()).add(domain)

    for domain, line in _entries(text):
        exact = line.startswith("=")
        entry = _plain(line.lstrip("=")).strip()
        if entry.endswith("*"):
            add(prefixes, entry.rstrip("*"), domain)
            entry = entry.rstrip("*")
        if entry.startswith("*"):
            add(suffixes, entry.lstrip("*"), domain)
            entry = entry.lstrip("*")
        words = tuple(_TOKEN.findall(entry))
        if not words:
            continue
        last = {words[-1]} if exact else _forms(words[-1])
        for form in last:
            if len(words) == 1:
                add(forms, form, domain)
            else:
                phrases.setdefault(words[0], {}).setdefault((*words[1:-1], form), set()).add(domain)
                add(forms, "".join(words[:-1]) + form, domain)  # written as one word
    return _Terms(
        {k: frozenset(v) for k, v in forms.items()},
        tuple((k, frozenset(v)) for k, v in sorted(prefixes.items()) if k),
        tuple((k, frozenset(v)) for k, v in sorted(suffixes.items()) if k),
        {k: tuple((rest, frozenset(d)) for rest, d in sorted(v.items(), key=lambda kv: -len(kv[0])))
         for k, v in phrases.items()},
    )


@cache
def _word_list_text() -> str:
    return (files("jongerenteam") / "data" / WORD_LIST).read_text(encoding="utf-8")


@cache
def load() -> _Terms:
    """The word list of ``data/leefdomeinwoorden.txt``, ready for ``find`` (read once)."""
    return build(_word_list_text())


def listed_words() -> dict[str, tuple[str, ...]]:
    """The lines of the word list by leefdomein, as written."""
    return parse(_word_list_text())


# -- finding ------------------------------------------------------------------------------


def _word_domains(terms: _Terms, token: str) -> frozenset[str]:
    found = set(terms.forms.get(token, ()))
    for prefix, domains in terms.prefixes:
        if token.startswith(prefix):
            found |= domains
    for suffix, domains in terms.suffixes:
        if suffix in token and any(token.endswith(suffix + e) for e in _ENDINGS):
            found |= domains
    return frozenset(found)


def _line_spans(text: str, skip_lines: Collection[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of ``text`` not in ``skip_lines`` (compared stripped)."""
    start = 0
    for line in text.splitlines(keepends=True):
        end = start + len(line)
        if line.strip() not in skip_lines:
            yield start, end
        start = end


def find(text: str, scope: Collection[str], *, skip_lines: Collection[str] = (), terms: _Terms | None = None) -> list[Hit]:
    """The words in ``text`` tied only to leefdomeinen outside ``scope`` (the
    leefdomeinen with consent, or ``ALL_DOMAINS``), in the order they appear.

    ``skip_lines``: lines the app composed itself from what consent allows
    (a programme called "Zorg en welzijn"); compared stripped, skipped whole.
    """
    if ALL_DOMAINS in scope:
        return []
    terms = terms or load()
    allowed = set(scope)
    skip = {line.strip() for line in skip_lines if line.strip()}
    hits: list[Hit] = []
    seen: dict[str, frozenset[str]] = {}  # a text repeats its words
    for line_start, line_end in _line_spans(text, skip):
        folded, where = fold(text[line_start:line_end])
        tokens = list(_TOKEN.finditer(folded))
        i = 0
        while i < len(tokens):
            token = tokens[i]
            word = token.group()
            if word not in seen:
                seen[word] = _word_domains(terms, word)
            span_end, used, domains = token.end(), 1, seen[word]
            for rest, phrase_domains in terms.phrases.get(token.group(), ()):
                if _phrase_at(folded, tokens, i, rest):
                    span_end, used, domains = tokens[i + len(rest)].end(), 1 + len(rest), phrase_domains
                    break
            if domains and not domains & allowed:
                start, end = line_start + where[token.start()], line_start + where[span_end - 1] + 1
                order = tuple(c for c in LEEFDOMEIN_CODES if c in domains)
                hits.append(Hit(start, end, text[start:end], order))
            i += used
    return hits


def _phrase_at(folded: str, tokens: list[re.Match[str]], i: int, rest: tuple[str, ...]) -> bool:
    if i + len(rest) >= len(tokens):
        return False
    for k, word in enumerate(rest, start=1):
        if tokens[i + k].group() != word or not _JOIN.fullmatch(folded[tokens[i + k - 1].end():tokens[i + k].start()]):
            return False
    return True


def describe(hits: Iterable[Hit]) -> str:
    """The words found, by leefdomein, for a Dutch message: "welzijn: gokt, casino"."""
    by_domain: dict[str, list[str]] = {}
    for hit in hits:
        label = " of ".join(_LABELS.get(d, d) for d in hit.domains)
        words = by_domain.setdefault(label, [])
        word = " ".join(hit.word.split())
        if _plain(word) not in (_plain(w) for w in words):
            words.append(word)
    return "; ".join(f"{label}: {', '.join(words)}" for label, words in by_domain.items())
