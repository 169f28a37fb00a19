"""Which characters the PDFs can print: the shipped fonts and their coverage.

The PDFs (jongerenteam.pdf, the report's PDF) use the free Noto fonts in
``jongerenteam/fonts/`` (SIL Open Font License, ``fonts/OFL.txt``; where
each file comes from: ``fonts/README.md``): Noto Sans for Latin (every
diacritic, Vietnamese too), Greek, Cyrillic and Devanagari, in a regular
and a bold face, and fallback fonts for Arabic (Persian, Urdu), Hebrew,
Ethiopic (Tigrinya, Amharic), Armenian, Georgian, symbols and emoji
(monochrome). No CJK font: one is over 10 MB.

``unprintable(text)`` answers, without loading fpdf2 or fontTools, which
characters of a text no shipped font has a glyph for: the name validation
refuses those, so a student's name in an inzage or overdrachtsdocument is
printed exactly. It reads ``fonts/coverage.txt``, the code points of each
font as ranges, which ``python -m jongerenteam.glyphs`` regenerates from the
TTF files (fontTools); a test checks that the file matches the fonts.

This module imports only the standard library.
"""

from __future__ import annotations

import sys
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from functools import cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"
COVERAGE_FILE = FONT_DIR / "coverage.txt"

# The main family, then the fallback families in the order the PDF tries them:
# (family name for fpdf2, regular file, bold file or None).
MAIN_FAMILY = ("noto", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
FALLBACK_FAMILIES = (
    ("noto-arabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    ("noto-hebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
    ("noto-ethiopic", "NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf"),
    ("noto-armenian", "NotoSansArmenian-Regular.ttf", "NotoSansArmenian-Bold.ttf"),
    ("noto-georgian", "NotoSansGeorgian-Regular.ttf", "NotoSansGeorgian-Bold.ttf"),
    ("noto-symbols", "NotoSansSymbols-Regular.ttf", None),
    ("noto-emoji", "NotoEmoji-Regular.ttf", None),
)
FAMILIES = (MAIN_FAMILY, *FALLBACK_FAMILIES)
FONT_FILES = tuple(f for family in FAMILIES for f in family[1:] if f)

# Consumed by text shaping (joining, emoji sequences, glyph variants), never
# printed on their own: a text may hold them even where no font maps them.
ZWNJ, ZWJ = "\u200c", "\u200d"


def ignorable(ch: str) -> bool:
    """Whitespace, a zero-width (non-)joiner or a variation selector."""
    cp = ord(ch)
    return ch.isspace() or ch in (ZWNJ, ZWJ) or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


# -- the coverage file ----------------------------------------------------------------------


Ranges = tuple[tuple[int, int], ...]


def parse_coverage(text: str) -> dict[str, Ranges]:
    """``file: ranges`` from the coverage file's lines ("NotoSans-Regular.ttf 20-7e a0 ...")."""
    out: dict[str, Ranges] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, *spans = line.split()
        ranges = []
        for span in spans:
            lo, _, hi = span.partition("-")
            ranges.append((int(lo, 16), int(hi or lo, 16)))
        out[name] = tuple(ranges)
    return out


def _merge(ranges: Iterable[tuple[int, int]]) -> Ranges:
    merged: list[list[int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple((lo, hi) for lo, hi in merged)


@cache
def coverage() -> dict[str, Ranges]:
    """The code points of every shipped font file (read once)."""
    return parse_coverage(COVERAGE_FILE.read_text(encoding="ascii"))


class _Lookup:
    """Membership in sorted, merged ranges by bisection."""

    __slots__ = ("ends", "starts")

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        merged = _merge(ranges)
        self.starts = [lo for lo, _ in merged]
        self.ends = [hi for _, hi in merged]

    def __contains__(self, cp: int) -> bool:
        i = bisect_right(self.starts, cp) - 1
        return i >= 0 and cp <= self.ends[i]


@cache
def _union() -> _Lookup:
    return _Lookup(r for ranges in coverage().values() for r in ranges)


@cache
def _family_lookup(regular_file: str) -> _Lookup:
    return _Lookup(coverage()[regular_file])


def printable_char(ch: str) -> bool:
    """Does a shipped font have a glyph for ``ch`` (one character)?"""
    return ord(ch) in _union()


def unprintable(text: str) -> str:
    """The characters of ``text`` that no shipped font has a glyph for, each
    once, in the order they first appear ("" when the PDFs print all of it).

    Whitespace, zero-width joiners and variation selectors are never
    reported: text shaping consumes them. Control characters and lone
    surrogates are always reported. Fast and import-light (no fpdf2, no
    fontTools): meant for input validation.
    """
    if text.isascii() and text.isprintable():
        return ""  # the main font has every printable ASCII character
    union = _union()
    seen: dict[str, None] = {}
    for ch in text:
        if ch not in seen and ord(ch) not in union and not ignorable(ch):
            seen[ch] = None
    return "".join(seen)


def in_font(ch: str, font_file: str) -> bool:
    """Does the shipped font ``font_file`` (a name in FONT_FILES) have a glyph for ``ch``?"""
    return ord(ch) in _family_lookup(font_file)


def family_for(ch: str) -> str | None:
    """The regular file of the first family (main font first) with a glyph for ``ch``."""
    cp = ord(ch)
    for family in FAMILIES:
        if cp in _family_lookup(family[1]):
            return family[1]
    return None


# -- generating the coverage file -----------------------------------------------------------


def _spans(codepoints: Iterable[int]) -> list[str]:
    return [f"{lo:x}" if lo == hi else f"{lo:x}-{hi:x}" for lo, hi in _merge((cp, cp) for cp in codepoints)]


def font_codepoints(path: Path) -> set[int]:
    """The code points a TTF maps to a glyph (its best cmap), control characters left out."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        cmap = font.getBestCmap() or {}
    return {cp for cp in cmap if unicodedata.category(chr(cp)) != "Cc"}


def generate(font_dir: Path = FONT_DIR) -> str:
    """The coverage file's text, computed from the TTF files with fontTools."""
    lines = [
        "# Code points each shipped font has a glyph for (hexadecimal ranges; control characters left out).",
        "# Generated from the TTF files by `python -m jongerenteam.glyphs`; do not edit by hand.",
    ]
    for name in FONT_FILES:
        lines.append(" ".join([name, *_spans(font_codepoints(font_dir / name))]))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m jongerenteam.glyphs`` writes fonts/coverage.txt; ``--check`` only compares."""
    args = sys.argv[1:] if argv is None else argv
    text = generate()
    if "--check" in args:
        current = COVERAGE_FILE.read_text(encoding="ascii") if COVERAGE_FILE.exists() else ""
        if current != text:
            print(f"{COVERAGE_FILE} is out of date: run python -m jongerenteam.glyphs", file=sys.stderr)
            return 1
        return 0
    COVERAGE_FILE.write_text(text, encoding="ascii")
    print(f"wrote {COVERAGE_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
