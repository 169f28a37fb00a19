"""Printable documents: a title, sections of lines and a footer, as text or an A4 PDF.

The afsprakenoverzicht (jongerenteam.overview), the inzage
(jongerenteam.rights) and the overdrachtsdocument (jongerenteam.handovers)
are ``Document``s; the report (jongerenteam.report) draws its own tables on
the same ``new_pdf``. Rendering uses the free Noto fonts shipped in
``jongerenteam/fonts`` (jongerenteam.glyphs says which, and which characters
they cover): Noto Sans for Latin, Greek, Cyrillic and Devanagari,
fallback fonts for Arabic, Hebrew, Ethiopic, Armenian, Georgian, symbols
and emoji, loaded only when a document needs them. Text shaping (HarfBuzz,
through fpdf2 and uharfbuzz) joins Arabic letters, places diacritics and
lays out right-to-left text, so a name prints exactly as it was typed.
Characters no shipped font has (Chinese, for one) are replaced or dropped
by ``printable``, never allowed to crash the export; the name validation
refuses them (``jongerenteam.glyphs.unprintable``). fpdf2 is imported only
when a PDF is made: it is not needed to start the app.

Files are written atomically: a temporary file beside the target, fsynced,
then renamed into place, so a crash or a full disk never leaves half a PDF
under the real name. Problems the user can fix (a folder that does not
exist, no permission) raise ``ValidationError('path', ...)`` in Dutch.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jongerenteam import glyphs
from jongerenteam.domain import StudentDetails, ValidationError

if TYPE_CHECKING:  # fpdf2 is imported only when a PDF is made
    from fpdf import FPDF
    from fpdf.line_break import Fragment
    from fpdf.output import PDFFont, PDFType3Font

    # Draws one page's footer on the document (``new_pdf``).
    PageFooter = Callable[[FPDF], None]

TEXT = {
    "page": "pagina {page} van {pages}",
    "path_empty": "Vul in waar het bestand moet komen, bijvoorbeeld {example}.",
    "folder_missing": "De map {folder} bestaat niet. Kies een map die er al is.",
    "is_folder": "Dit is een map. Zet er een bestandsnaam achter, bijvoorbeeld {example}.",
    "no_permission": "Je mag niet schrijven in de map {folder}. Kies een andere map, bijvoorbeeld je map Documenten.",
    "not_a_folder": "{folder} is een bestand, geen map. Kies een map die er al is.",
    "no_name": "Geef het bestand een naam, bijvoorbeeld {example}.",
    "exists": "Er staat al een bestand {name}. Druk nog een keer op ctrl+s om het te vervangen, of kies een andere naam.",
    "has_name": "Zet geen naam van de student in de bestandsnaam: iedereen die de map ziet, leest hem.",
}


@dataclass(frozen=True, slots=True)
class Section:
    """A heading (may be empty) and its lines; ``bullets`` shows them as a list."""

    heading: str = ""
    lines: tuple[str, ...] = ()
    bullets: bool = False

    def __repr__(self) -> str:  # lines can hold names and agreements
        return f"Section(lines={len(self.lines)})"


@dataclass(frozen=True, slots=True)
class Document:
    """A title, sections and a footer (the PDF repeats the footer on every page)."""

    title: str
    sections: tuple[Section, ...]
    footer: str = ""

    def text(self) -> str:
        """Plain text for WhatsApp or e-mail: *bold* title and headings, '- ' lists.

        The footer is left out: a chat message or e-mail has its own date.
        """
        blocks = [f"*{self.title}*"] if self.title else []
        for section in self.sections:
            lines = [f"*{section.heading}*"] if section.heading else []
            lines += [f"- {line}" if section.bullets else line for line in section.lines]
            if lines:
                blocks.append("\n".join(lines))
        return "\n\n".join(blocks) + "\n"

    def __repr__(self) -> str:
        return f"Document(sections={len(self.sections)})"


# -- characters no shipped font has ---------------------------------------------------

# A symbol no shipped font has, and one that says the same and is there.
_REPLACEMENTS = {
    "\u2713": "\u2714",  # check mark -> heavy check mark (emoji font)
    "\u2717": "\u2718",  # ballot x -> heavy ballot x
}
# Symbols and emoji no font has, invisible format and control characters,
# private-use characters, marks no font has: no meaning lost on paper.
_DROPPED = frozenset({"So", "Sk", "Cs", "Co", "Cf", "Cc", "Mn", "Me"})


def _replacement(ch: str) -> str | None:
    """What to print for a character no shipped font has (None: leave it out)."""
    other = _REPLACEMENTS.get(ch)
    if other and not glyphs.unprintable(other):
        return other
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and base != ch and not glyphs.unprintable(base) and not base.isspace():
        return base  # a compatibility form the fonts lack by its plain letters: full-width "Ａ" -> "A"
    if unicodedata.category(ch) in _DROPPED:
        return None
    return "?"


def printable(text: str) -> str:
    """``text`` as the PDF prints it: composed (NFC), line breaks as "\\n", other
    whitespace the main font lacks (a tab) as a space, and every character no
    shipped font has replaced: a few symbols by one that is there, a
    compatibility form (full-width letters) by its plain letters, symbols,
    emoji and invisible characters left out, any other letter "?" (Chinese:
    no CJK font is shipped). Joiners and variation selectors stay (text
    shaping consumes them).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    composed = unicodedata.normalize("NFC", text)
    if composed != text and set(glyphs.unprintable(composed)) <= set(glyphs.unprintable(text)):
        text = composed
    if text.isascii() and text.isprintable():
        return text
    out: list[str] = []
    dropped = False
    for ch in text:
        if ch == "\n" or (glyphs.in_font(ch, glyphs.MAIN_FAMILY[1]) and unicodedata.category(ch) != "Cc"):
            out.append(ch)
        elif ch.isspace():
            out.append(" ")
        elif glyphs.printable_char(ch) or glyphs.ignorable(ch):
            out.append(ch)
        else:
            other = _replacement(ch)
            if other is None:
                dropped = True
            else:
                out.append(other)
    result = "".join(out)
    if dropped:  # a dropped emoji leaves a double space, or a space before punctuation
        result = re.sub(r" {2,}", " ", result)
        result = re.sub(r" +([.,!?;:])", r"\1", result).strip()
    return result


def one_line(text: str) -> str:
    """A printable text for a single-line cell: line breaks become spaces."""
    return text.replace("\n", " ")


# -- rendering ------------------------------------------------------------------------

FONT = glyphs.MAIN_FAMILY[0]  # the family to pass to set_font
MARGIN_MM = 20
TITLE_PT, HEADING_PT, BODY_PT, FOOTER_PT = 18, 13, 12, 9
LINE_MM = 6.5  # for 12 pt text: comfortable to read on paper
BULLET_INDENT_MM = 6
BULLET = "\u2022"


def _neutral(ch: str) -> bool:
    """A space, punctuation or a joiner: takes the direction and font of the letters around it."""
    return unicodedata.category(ch)[0] in "ZP" or glyphs.ignorable(ch)


def _attaches(ch: str) -> bool:
    """A combining mark, joiner or variation selector: shaped with the character before it."""
    return unicodedata.category(ch) in ("Mn", "Mc", "Me") or (glyphs.ignorable(ch) and not ch.isspace())


def _joined(fragment_type: type[Fragment], fragments: Iterable[Fragment], shaped_type: type[Fragment] | None = None) -> list[Fragment]:
    """fpdf2's fragments of one text, with two of its splits undone (and each
    plain fragment made a ``shaped_type``, when given).

    fpdf2 starts a new fragment wherever the font or the Unicode script
    changes. A space or hyphen between two words in a fallback font is in
    the main font too, so an Arabic or Hebrew name became one run per word:
    shaped word by word, and copied or extracted from the PDF in visual
    (reversed) word order; an emoji sequence fell apart at its joiner. A
    combining mark after its letter (script "inherited") became a fragment
    of its own and could not be placed on the letter. Such neutral
    characters are moved into the run around them when its font has them.
    """
    items = list(fragments)
    out: list[Fragment] = []
    i = 0
    while i < len(items):
        frag = items[i]
        prev = out[-1] if out else None
        if prev is not None and type(prev) is fragment_type and type(frag) is fragment_type and frag.link == prev.link:
            if frag.font is prev.font and all(_attaches(c) for c in frag.characters):
                out[-1] = prev.clone(prev.characters + frag.characters, link=prev.link)
                i += 1
                continue
            nxt = items[i + 1] if i + 1 < len(items) else None
            cmap = getattr(prev.font, "cmap", {})
            if (
                nxt is not None and type(nxt) is fragment_type and nxt.font is prev.font and nxt.link == prev.link
                and frag.font is not prev.font
                and all(_neutral(c) and ord(c) in cmap for c in frag.characters)
            ):
                out[-1] = prev.clone(prev.characters + frag.characters + nxt.characters, link=prev.link)
                i += 2
                continue
        out.append(frag)
        i += 1
    if shaped_type is not None:
        out = [shaped_type(f.characters, f.graphics_state, f.k, f.link) if type(f) is fragment_type else f for f in out]
    return out


# A noncharacter (never in text: ``printable`` replaces it) that marks, for a
# moment, the glyphs whose ToUnicode entry must be empty.
_NO_TEXT = 0xFDD0
# OpenType layout tables: shaping is done when the PDF is written, and fpdf2
# leaves them out of the embedded subset.
_LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF")


@cache
def _pdf_class() -> Callable[[PageFooter | None], FPDF]:
    """fpdf2's FPDF, imported on first use, with a footer callback and four
    repairs so that every name prints, and reads back, exactly: ``_joined``
    fragments, ``ShapedFragment`` words, the main font set again after a line
    that started in a fallback font, complete ToUnicode maps (``Producer``).
    They use fpdf2 2.8.9's internals; tests/test_exports.py checks them.
    Called with the footer callback, the class makes an A4 document in mm."""
    from fpdf import FPDF
    from fpdf.enums import TextDirection
    from fpdf.fonts import TTFFont
    from fpdf.line_break import Fragment
    from fpdf.output import OutputProducer
    from fpdf.syntax import PDFContentStream

    class Producer(OutputProducer):
        """Shaping can turn one character into several glyphs: Noto Sans draws
        "ị" as "i" plus a dot, Noto Sans Arabic a letter as its body plus dots.
        fpdf2 maps the first glyph to the character and leaves the others out
        of the font's ToUnicode map, so a PDF reader copying or extracting the
        text invents a character for them (the raw glyph code, "\\x04"). They
        are mapped to the empty string here: the text reads back exactly."""

        # ``Any``: passed through unchanged to fpdf2's own (private) methods.
        def _add_fonts(self, *args: Any, **kwargs: Any) -> dict[int, PDFFont | PDFType3Font]:
            marked = False
            for font in self.fpdf.fonts.values():
                if isinstance(font, TTFFont):
                    for tag in _LAYOUT_TABLES:  # not embedded anyway; fontTools' subsetter would parse them
                        if tag in font.ttfont:
                            del font.ttfont[tag]
                    for item in font.subset.items():  # a SubsetMap: (glyph, code) pairs
                        glyph = item[0]
                        if glyph is not None and glyph.unicode == ():
                            glyph.unicode = (_NO_TEXT,)  # Glyph hashes by glyph id only: the map stays valid
                            marked = True
            result = super()._add_fonts(*args, **kwargs)
            if marked:
                mark = f"> <{_NO_TEXT:04X}>\n".encode()
                for obj in self.pdf_objs:
                    if isinstance(obj, PDFContentStream) and mark in obj._contents:
                        obj._contents = obj._contents.replace(mark, b"> <>\n")
                        obj.length = len(obj._contents)
            return result

    class ShapedFragment(Fragment):
        """A fragment whose words PDF readers read back as typed.

        fpdf2 draws a glyph that shaping placed with an offset (an accent or
        dot positioned on its letter) in place, moving the text position to
        it and back; PDF readers take that jump for a gap between words
        (pypdf and poppler read "Thịnh" as "Thị nh", "मुकेश" as "मु के श").
        Here such a glyph is drawn before its word, which itself stays one
        unbroken run; in left-to-right text the character it stands for
        goes with the letter before it (as a ligature's do). The same glyphs
        land in the same places. Otherwise this is fpdf2's
        ``render_with_text_shaping`` (2.8.9).
        """

        def render_with_text_shaping(self, pos_x: float, pos_y: float, h: float, word_spacing: float) -> str:
            font, k = self.font, self.k
            if not isinstance(font, TTFFont):  # as in fpdf2's own: only a TrueType font is shaped
                raise TypeError("text shaping needs a TrueType font")
            subset = font.subset
            scale = font.scale * self.font_size_pt * (self.font_stretching / 100) / 1000 / k
            char_spacing = self.char_spacing * (self.font_stretching / 100) / k
            space_code = subset.pick(ord(" "))
            shaped = [dict(ti) for ti in font.shape_text(self.string, self.font_size_pt, self.text_shaping_parameters)]
            glyph_of = {code: glyph for glyph, code in subset.items() if glyph is not None}
            ltr = self.fragment_direction != TextDirection.RTL
            ops: list[str] = []  # what is drawn, word by word
            word: list[int | str] = []  # the current word: glyph codes (int) and text moves (str)
            marks: list[str] = []  # the current word's positioned glyphs, drawn first
            start = (pos_x, pos_y)
            jumped = False  # a glyph left out of the run moved the pen

            def tm(x: float, y: float) -> str:
                return f"1 0 0 1 {x * k:.2f} {(h - y) * k:.2f} Tm"

            def unicode_of(code: int) -> tuple[int, ...]:
                text = glyph_of[code].unicode  # a tuple for every glyph shaping gives
                return text if isinstance(text, tuple) else (text,)

            def remap(code: int, text: tuple[int, ...]) -> int:
                glyph = glyph_of[code]
                new = subset.get_glyph(glyph=glyph.glyph_id, unicode=text,
                                       glyph_name=glyph.glyph_name, glyph_width=glyph.glyph_width)
                new_code = subset.pick_glyph(new)
                if new is None or new_code is None:  # no glyph made (glyph id 0): keep the old one
                    return code
                glyph_of[new_code] = new
                return new_code

            def end_word() -> None:
                if marks:
                    ops.extend(marks)
                    ops.append(tm(*start))
                chars = ""
                for item in word:
                    if isinstance(item, int):
                        chars += font.escape_text(chr(item))
                        continue
                    if chars:
                        ops.append(f"({chars}) Tj")
                        chars = ""
                    ops.append(item)
                if chars:
                    ops.append(f"({chars}) Tj")
                word.clear()
                marks.clear()

            for i, ti in enumerate(shaped):
                code = ti["mapped_char"]
                if code is None:  # missing glyph
                    continue
                dx, dy = ti["x_offset"] * scale, ti["y_offset"] * scale
                advance = ti["x_advance"] * scale + char_spacing
                if dx or dy:
                    text = unicode_of(code)
                    nxt = shaped[i + 1] if i + 1 < len(shaped) else None
                    if (
                        text and nxt is not None and nxt["mapped_char"] is not None
                        and not unicode_of(nxt["mapped_char"]) and not (nxt["x_offset"] or nxt["y_offset"])
                    ):  # fpdf2 gave a cluster's text to its positioned first glyph (the dots of an Arabic
                        # letter): it goes to the next glyph, the letter's body
                        nxt["mapped_char"] = remap(nxt["mapped_char"], text)
                        code, text = remap(code, ()), ()
                    base = next((i for i in range(len(word) - 1, -1, -1) if isinstance(word[i], int)), None)
                    letter = word[base] if base is not None else None
                    if text and ltr and base is not None and isinstance(letter, int):  # a typed mark: its text goes with its letter
                        word[base] = remap(letter, unicode_of(letter) + text)
                        code, text = remap(code, ()), ()
                    if not text:
                        marks.append(f"{tm(pos_x + dx, pos_y - dy)} ({font.escape_text(chr(code))}) Tj")
                        pos_x += advance
                        pos_y += ti["y_advance"] * scale
                        jumped = jumped or bool(advance or ti["y_advance"])
                        continue
                if jumped or dx or dy:
                    word.append(tm(pos_x + dx, pos_y - dy))
                    jumped = False
                word.append(code)
                pos_x += advance
                pos_y += ti["y_advance"] * scale
                if word_spacing and code == space_code:
                    pos_x += word_spacing
                if ti["force_positioning"] or (word_spacing and code == space_code):
                    word.append(tm(pos_x, pos_y))
                if code == space_code:
                    end_word()
                    start = (pos_x, pos_y)
            end_word()
            if jumped:
                ops.append(tm(pos_x, pos_y))
            return " ".join(ops)

    class UnicodePDF(FPDF):
        def __init__(self, page_footer: PageFooter | None) -> None:
            super().__init__(orientation="P", unit="mm", format="A4")
            self.page_footer = page_footer

        def footer(self) -> None:
            if self.page_footer is not None:
                self.page_footer(self)

        def _parse_chars(self, text: str, markdown: bool, **kwargs: Any) -> Iterator[Fragment]:
            return iter(_joined(Fragment, super()._parse_chars(text, markdown, **kwargs), ShapedFragment))

        def _render_styled_text_line(self, *args: Any, **kwargs: Any) -> bool:
            # fpdf2 2.8.9: a line that starts in a fallback font sets the main
            # font inside the line's "q ... Q", which undoes it, yet records it
            # as set; the next line then draws its text in whatever font the
            # page had before (wrong glyphs, "voornaam" printed as "Innzaggev").
            # Forgetting it after every line costs one Tf at most.
            was_set = self.current_font_is_set_on_page
            result = super()._render_styled_text_line(*args, **kwargs)
            if not was_set:
                self.current_font_is_set_on_page = False
            return result

        def output(self, *args: Any, **kwargs: Any) -> Any:  # ``Any``: fpdf2's output() is overloaded
            kwargs.setdefault("output_producer_class", Producer)
            return super().output(*args, **kwargs)

    return UnicodePDF


def fallback_families(texts: Iterable[str]) -> list[tuple[str, str, str | None]]:
    """The fallback font families ``texts`` need (those of the characters the main font lacks)."""
    main = glyphs.MAIN_FAMILY[1]
    needed: set[str] = set()
    for ch in set("".join(texts)):
        if not glyphs.in_font(ch, main):
            family = glyphs.family_for(ch)
            if family is not None:
                needed.add(family)
    return [f for f in glyphs.FALLBACK_FAMILIES if f[1] in needed]


# Characters the main font prints the same with and without text shaping,
# but for kerning: printable Basic Latin, Latin-1 (not the no-break space and
# the soft hyphen) and Latin Extended-A (every one a precomposed glyph of Noto
# Sans) and the typographic punctuation of the report. "ff", "fi" and "fl" are ligatures when shaped, so a text with one of
# them is not plain. tests/test_exports.py checks this against HarfBuzz.
_PLAIN_EXTRA = frozenset("\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac")
_LIGATURES = ("ff", "fi", "fl")


def plain(text: str) -> bool:
    """Whether ``text`` (through ``printable``) needs no text shaping to print exactly
    the same glyphs: Latin letters, digits and punctuation only (see above), no ligature.

    A report's figures and most of its labels are plain; drawing them without
    shaping saves fpdf2's bidirectional analysis and HarfBuzz, cell by cell (a
    third of the report's PDF; docs/performance.md). Only kerning is left out,
    inside a cell. A name, or any other script, is shaped as always.
    """
    for ch in text:
        cp = ord(ch)
        if not (0x20 <= cp < 0x7F or (0xA1 <= cp < 0x180 and cp != 0xAD) or ch in _PLAIN_EXTRA):
            return False
    return not any(pair in text for pair in _LIGATURES)


def shape_unless_plain(pdf: FPDF, text: str) -> None:
    """Text shaping on for the next text drawn, or off when ``text`` is ``plain``
    (also before measuring it: ``get_string_width`` follows the same setting)."""
    if plain(text):
        pdf.set_text_shaping(False)
    elif not pdf.text_shaping:
        pdf.set_text_shaping(True)


def new_pdf(texts: Iterable[str], footer: PageFooter | None = None, *, compress: bool = True) -> FPDF:
    """An A4 fpdf2 document with its first page, ready to write ``texts`` (already
    through ``printable``): the main font in regular and bold, the fallback
    fonts these texts need, text shaping on. ``footer(pdf)`` draws each page's footer."""
    pdf = _pdf_class()(footer)
    pdf.set_compression(compress)
    pdf.set_lang("nl")
    pdf.set_creator("jongerenteam")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=MARGIN_MM)
    fallbacks = fallback_families(texts)
    for family, regular, bold in (glyphs.MAIN_FAMILY, *fallbacks):
        pdf.add_font(family, "", glyphs.FONT_DIR / regular)
        if bold:
            pdf.add_font(family, "B", glyphs.FONT_DIR / bold)
    if fallbacks:
        # exact_match=False: bold text uses a fallback's regular face where it has no bold one.
        pdf.set_fallback_fonts([f[0] for f in fallbacks], exact_match=False)
    pdf.set_text_shaping(True)
    pdf.add_page()
    pdf.set_font(FONT, "", BODY_PT)
    return pdf


def render_pdf(doc: Document, *, compress: bool = True) -> bytes:
    """The document as an A4 PDF (bytes)."""
    from fpdf.enums import XPos, YPos

    title, footer_text = printable(doc.title), one_line(printable(doc.footer))
    sections = [(printable(s.heading), [printable(line) for line in s.lines], s.bullets) for s in doc.sections]
    texts = [title, footer_text, TEXT["page"], BULLET, *(s[0] for s in sections), *(x for s in sections for x in s[1])]

    def footer(pdf: FPDF) -> None:
        pdf.set_y(-15)
        pdf.set_font(FONT, "", FOOTER_PT)
        pdf.set_text_color(90, 90, 90)
        page = TEXT["page"].format(page=pdf.page_no(), pages="{nb}")
        pdf.cell(0, 5, f"{footer_text}  ·  {page}" if footer_text else page, align="L")

    pdf = new_pdf(texts, footer, compress=compress)

    def block(text: str, size: int, style: str = "", height: float = LINE_MM, indent: float = 0) -> None:
        pdf.set_font(FONT, style, size)
        pdf.set_x(MARGIN_MM + indent)
        pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    if title:
        block(title, TITLE_PT, "B", height=9)
        pdf.ln(3)
    for heading, lines, bullets in sections:
        if pdf.get_y() > pdf.h - MARGIN_MM - 3 * LINE_MM:
            pdf.add_page()  # a heading never sits alone at the bottom of a page
        if heading:
            block(heading, HEADING_PT, "B", height=8)
        for line in lines:
            if bullets:
                pdf.set_font(FONT, "", BODY_PT)
                y = pdf.get_y()
                pdf.set_xy(MARGIN_MM + 1, y)
                pdf.cell(BULLET_INDENT_MM - 1, LINE_MM, BULLET)
                pdf.set_xy(MARGIN_MM + BULLET_INDENT_MM, y)
                pdf.multi_cell(0, LINE_MM, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(1)
            else:
                block(line, BODY_PT)
        pdf.ln(4)
    return bytes(pdf.output())

# -- writing --------------------------------------------------------------------------


def documents_folder() -> Path:
    """Where exports go by default: the user's Documents folder, or home without one."""
    from platformdirs import user_documents_dir

    folder = Path(user_documents_dir())
    return folder if folder.is_dir() else Path.home()


def unique_path(folder: Path, stem: str, extension: str) -> Path:
    """``folder/stem.extension``, or ``stem-2``, ``stem-3``, ... when that file exists."""
    path = folder / f"{stem}.{extension}"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}.{extension}"
        n += 1
    return path


def target_file(path: str | os.PathLike[str], suffix: str, example: str) -> Path:
    """The file to write, from what the user typed: '~' expanded, ``suffix``
    added, a bare name placed in the Documents folder (not wherever the app
    was started).

    Raises ValidationError('path', ...) in Dutch when the name is empty, the
    path is a folder, the folder does not exist or is a file, or it cannot be
    written to.
    """
    text = os.fspath(path).strip()
    if not text:
        raise ValidationError("path", TEXT["path_empty"].format(example=example))
    target = Path(text).expanduser()
    if not target.is_absolute():
        target = documents_folder() / target
    if target.is_dir():
        raise ValidationError("path", TEXT["is_folder"].format(example=str(target / example)))
    if target.suffix.lower() != suffix:
        target = target.with_name(target.name + suffix)
    if target.name == suffix or target.name.startswith("."):
        raise ValidationError("path", TEXT["no_name"].format(example=example))
    folder = target.parent
    if not folder.is_dir():
        blocker = next((p for p in folder.parents if p.exists()), None)
        if folder.exists() or (blocker is not None and not blocker.is_dir()):
            raise ValidationError("path", TEXT["not_a_folder"].format(folder=folder if folder.exists() else blocker))
        raise ValidationError("path", TEXT["folder_missing"].format(folder=folder))
    if not os.access(folder, os.W_OK):
        raise ValidationError("path", TEXT["no_permission"].format(folder=folder))
    return target


def check_target(path: str | os.PathLike[str], example: str = "afsprakenoverzicht.pdf") -> Path:
    """A PDF file to write (see ``target_file``)."""
    return target_file(path, ".pdf", example)


def check_no_student_name(target: Path, details: StudentDetails) -> None:
    """Refuse a file name that holds a word of the student's first or last name
    (``details``: a StudentDetails; three letters or more, not "van", "der" and the like)."""
    from jongerenteam.search import TUSSENVOEGSELS, fold

    file_name = fold(target.name)
    names = (details.first_name, details.last_name)
    words = {w for n in names if n for w in fold(n).replace("-", " ").split()}
    if any(len(w) >= 3 and w not in TUSSENVOEGSELS and w in file_name for w in words):
        raise ValidationError("path", TEXT["has_name"])


class OverwriteGuard:
    """Asks before an export replaces a file: the first save to an existing
    file is refused with the question, saving to the same file again replaces it."""

    def __init__(self) -> None:
        self._allowed: Path | None = None

    def check(self, target: Path) -> None:
        if target.exists() and target != self._allowed:
            self._allowed = target
            raise ValidationError("path", TEXT["exists"].format(name=target.name))


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file in the same folder.

    The temporary file is readable by this user only (mkstemp), fsynced and
    renamed over the target; on any error it is removed again.
    """
    folder = target.parent
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".jongerenteam-", suffix=".tmp")
    except FileNotFoundError:
        raise ValidationError("path", TEXT["folder_missing"].format(folder=folder)) from None
    except PermissionError:
        raise ValidationError("path", TEXT["no_permission"].format(folder=folder)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        if isinstance(exc, PermissionError) or getattr(exc, "errno", None) == errno.EACCES:
            raise ValidationError("path", TEXT["no_permission"].format(folder=folder)) from None
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not every platform opens folders (Windows); the file itself is synced
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_pdf(doc: Document, path: str | os.PathLike[str]) -> Path:
    """Render ``doc`` and write it atomically to ``path``; returns the file written."""
    target = check_target(path)
    write_atomic(target, render_pdf(doc))
    return target
