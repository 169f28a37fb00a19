"""Dutch municipalities (gemeenten) with their CBS codes (GMxxxx).

The complete list is bundled as ``jongerenteam/data/gemeenten.csv`` (CBS,
"Gemeentelijke indeling op 1 januari 2026": 342 gemeenten) and read once,
at import. Names are the official CBS spelling, so "'s-Gravenhage" and
"Bergen (NH.)"; :func:`suggest` and :func:`code_for` also accept the names
people actually type ("Den Haag", "den bosch", "sudwest", "hengelo").

A new indeling (a merger on 1 January) only needs a new CSV and the two
constants below; codes of merged-away municipalities then fail validation
for new input, which is what a team wants.
"""

from __future__ import annotations

import csv
import re
from importlib.resources import files

from jongerenteam.search import fold

MUNICIPALITIES_YEAR = 2026
MUNICIPALITIES_SOURCE = "CBS, Gemeentelijke indeling op 1 januari 2026"

_CODE = re.compile(r"GM\d{4}")


def _load() -> dict[str, str]:
    text = (files("jongerenteam") / "data" / "gemeenten.csv").read_text(encoding="utf-8")
    rows = csv.reader(line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    if next(rows, None) != ["code", "naam"]:
        raise RuntimeError("gemeenten.csv: expected the header 'code,naam'")
    out: dict[str, str] = {}
    for row in rows:
        code, name = (cell.strip() for cell in row)
        if not _CODE.fullmatch(code) or not name or code in out:
            raise RuntimeError(f"gemeenten.csv: bad or duplicate row {row!r}")
        out[code] = name
    return out


MUNICIPALITIES: dict[str, str] = _load()


def name_of(code: str | None) -> str:
    return MUNICIPALITIES.get(code or "", "")


# What people say and type besides the CBS name. The suffix-less forms of
# "Hengelo (O.)" and the like are added below, where the base is unambiguous
# ("Bergen" is not: Limburg and Noord-Holland both have one).
ALIASES: dict[str, str] = {
    "Den Haag": "GM0518",
    "Den Bosch": "GM0796",
    "De Friese Meren": "GM1940",
    "Noordoost-Friesland": "GM1970",
    "Zuidwest-Friesland": "GM1900",
    "Tietjerksteradeel": "GM0737",
}

_PUNCT = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "-": " "})
_S_PREFIX = re.compile(r"^'?s ")  # "'s-Gravenhage", typed as "'s-", "'s " or "s-"
_SUFFIX = re.compile(r"\s*\([^)]*\)$")  # "Hengelo (O.)" -> "Hengelo"


def _norm(text: str) -> str:
    """Folded, apostrophes unified, hyphens as spaces, single spaces."""
    return " ".join(fold(text).translate(_PUNCT).split())


def _short(key: str) -> str:
    return _S_PREFIX.sub("", key)


def _suffix_aliases() -> dict[str, str]:
    bases: dict[str, list[str]] = {}
    for code, name in MUNICIPALITIES.items():
        base = _SUFFIX.sub("", name)
        if base != name:
            bases.setdefault(_norm(base), []).append(code)
    taken = {_norm(name) for name in MUNICIPALITIES.values()}
    return {base: codes[0] for base, codes in bases.items() if len(codes) == 1 and base not in taken}


# (full key, key without "'s ", code), official names first, then aliases.
_KEYS: list[tuple[str, str, str]] = [(_norm(n), _short(_norm(n)), c) for c, n in MUNICIPALITIES.items()]
_KEYS += [(_norm(a), _short(_norm(a)), c) for a, c in ALIASES.items()]
_KEYS += [(k, _short(k), c) for k, c in _suffix_aliases().items()]



def _exact() -> dict[str, str]:
    out: dict[str, str] = {}
    for full, short, code in _KEYS:  # official names win over aliases
        out.setdefault(full, code)
        out.setdefault(short, code)
    return out


_EXACT = _exact()


def code_for(name: str) -> str | None:
    """The code of a municipality by name (official or alias), else None.

    Case, accents, hyphens and the "'s-" of "'s-Gravenhage" do not matter:
    "den haag", "'S-GRAVENHAGE" and "Gravenhage" all give GM0518.
    """
    key = _norm(name)
    if not key:
        return None
    return _EXACT.get(key) or _EXACT.get(_short(key))


def suggest(text: str, limit: int = 8) -> list[tuple[str, str]]:
    """(code, official name) pairs for an autocomplete, best first.

    Names that start with the text come before names that merely contain it;
    within each group the earlier match and then the alphabet decide. Case,
    accents and a leading "'s-" are ignored, and aliases count ("den haag"
    offers 's-Gravenhage), but each municipality appears once.
    """
    q = _norm(text)
    if not q or limit <= 0:
        return []
    qs = _short(q)
    typed_s = qs != q  # "s-h" should offer 's-Hertogenbosch before Haarlem
    best: dict[str, tuple[int, int, int, str]] = {}
    for full, short, code in _KEYS:
        bonus = 0 if typed_s and full != short else 1
        if full.startswith(q) or (qs and short.startswith(qs)):
            rank = (0, 0, bonus, short)
        else:
            pos = full.find(q)
            if pos < 0 and qs:
                pos = short.find(qs)
            if pos < 0:
                continue
            rank = (1, pos, bonus, short)
        if code not in best or rank < best[code]:
            best[code] = rank
    ordered = sorted(best, key=lambda c: (*best[c], c))
    return [(code, MUNICIPALITIES[code]) for code in ordered[:limit]]
