"""Printable documents: a title, sections of lines and a footer, as text or an A4 PDF.

The afsprakenoverzicht (jongerenteam.overview) is the first user; a
handover document or a report can build the same ``Document``. Rendering
uses fpdf2's core font Helvetica (no font files to ship), which only knows
Windows-1252: characters outside it (emoji, other scripts) are replaced or
dropped by ``printable``, never allowed to crash the export. fpdf2 is
imported only when a PDF is made: it is not needed to start the app.

Files are written atomically: a temporary file beside the target, fsynced,
then renamed into place, so a crash or a full disk never leaves half a PDF
under the real name. Problems the user can fix (a folder that does not
exist, no permission) raise ``ValidationError('path', ...)`` in Dutch.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from jongerenteam.domain import ValidationError

# The core fonts' encoding: Latin-1 plus the typographic quotes, dashes,
# bullet and euro sign that Dutch text uses (PDF WinAnsiEncoding).
PDF_ENCODING = "cp1252"

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


# -- characters the core font cannot show ---------------------------------------------

_REPLACEMENTS = {
    "\u2212": "-",  # minus sign
    "\u2010": "-", "\u2011": "-",  # hyphens
    "\u2032": "'", "\u2033": '"',  # primes
    "\u00a0": " ", "\u2007": " ", "\u202f": " ",  # no-break spaces
    "\u2192": "->", "\u2190": "<-",
    "\u2713": "v", "\u2714": "v",  # check marks
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0131": "i",
    "\u0152": "OE", "\u0153": "oe",  # in cp1252 already, kept for other encodings
}


def _encodable(ch: str) -> bool:
    try:
        ch.encode(PDF_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """``text`` with only characters the PDF's core font can show.

    Letters with an accent the font lacks lose the accent ("ş" -> "s"),
    a few symbols get a plain spelling, emoji and other pictographs are
    dropped, anything else becomes "?".
    """
    if all(_encodable(ch) for ch in text):
        return text
    out: list[str] = []
    dropped = False
    for ch in text:
        if _encodable(ch):
            out.append(ch)
        elif ch in _REPLACEMENTS:
            out.append(_REPLACEMENTS[ch])
        elif unicodedata.category(ch) in ("So", "Sk", "Cs", "Co", "Cf", "Mn", "Me"):
            dropped = True  # emoji, skin tones, joiners, variation selectors: no meaning lost on paper
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out.append(base if base and all(_encodable(c) for c in base) else "?")
    result = "".join(out)
    if dropped:  # a dropped emoji leaves a double space, or a space before punctuation
        result = re.sub(r" {2,}", " ", result)
        result = re.sub(r" +([.,!?;:])", r"\1", result).strip()
    return result


# -- rendering ------------------------------------------------------------------------

MARGIN_MM = 20
TITLE_PT, HEADING_PT, BODY_PT, FOOTER_PT = 18, 13, 12, 9
LINE_MM = 6.5  # for 12 pt text: comfortable to read on paper
BULLET_INDENT_MM = 6


def render_pdf(doc: Document, *, compress: bool = True) -> bytes:
    """The document as an A4 PDF (bytes)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    footer_text = printable(doc.footer)

    class _PDF(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "", FOOTER_PT)
            self.set_text_color(90, 90, 90)
            page = TEXT["page"].format(page=self.page_no(), pages="{nb}")
            left = f"{footer_text}  ·  {page}" if footer_text else page
            self.cell(0, 5, left, align="L")

    pdf = _PDF(orientation="P", unit="mm", format="A4")
    pdf.core_fonts_encoding = PDF_ENCODING
    pdf.set_compression(compress)
    pdf.set_lang("nl")
    pdf.set_creator("jongerenteam")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=MARGIN_MM)
    pdf.add_page()

    def block(text: str, size: int, style: str = "", height: float = LINE_MM, indent: float = 0) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.set_x(MARGIN_MM + indent)
        pdf.multi_cell(0, height, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    if doc.title:
        block(doc.title, TITLE_PT, "B", height=9)
        pdf.ln(3)
    for section in doc.sections:
        if pdf.get_y() > pdf.h - MARGIN_MM - 3 * LINE_MM:
            pdf.add_page()  # a heading never sits alone at the bottom of a page
        if section.heading:
            block(section.heading, HEADING_PT, "B", height=8)
        for line in section.lines:
            if section.bullets:
                pdf.set_font("Helvetica", "", BODY_PT)
                y = pdf.get_y()
                pdf.set_xy(MARGIN_MM + 1, y)
                pdf.cell(BULLET_INDENT_MM - 1, LINE_MM, "\u2022")
                pdf.set_xy(MARGIN_MM + BULLET_INDENT_MM, y)
                pdf.multi_cell(0, LINE_MM, printable(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
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


def target_file(path: str | os.PathLike, suffix: str, example: str) -> Path:
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


def check_target(path: str | os.PathLike, example: str = "afsprakenoverzicht.pdf") -> Path:
    """A PDF file to write (see ``target_file``)."""
    return target_file(path, ".pdf", example)


_TUSSENVOEGSELS = frozenset({"van", "der", "den", "de", "het", "ter", "ten", "te", "op", "in", "la", "le", "du"})


def check_no_student_name(target: Path, details) -> None:
    """Refuse a file name that holds a word of the student's first or last name
    (``details``: a StudentDetails; three letters or more, not "van", "der" and the like)."""
    from jongerenteam.search import fold

    file_name = fold(target.name)
    names = (details.first_name, details.last_name)
    words = {w for n in names if n for w in fold(n).replace("-", " ").split()}
    if any(len(w) >= 3 and w not in _TUSSENVOEGSELS and w in file_name for w in words):
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
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
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


def write_pdf(doc: Document, path: str | os.PathLike) -> Path:
    """Render ``doc`` and write it atomically to ``path``; returns the file written."""
    target = check_target(path)
    write_atomic(target, render_pdf(doc))
    return target
