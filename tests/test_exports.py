"""Exports are safe and exact: the PDFs print every letter the app accepts (shipped
Noto fonts, text shaping, right-to-left text that reads back in logical order),
the glyph coverage file matches the fonts, and the CSV report cannot run a
formula in Excel."""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jongerenteam import glyphs
from jongerenteam import report as rp
from jongerenteam.domain import StudentDetails
from jongerenteam.pdf import Document, Section, printable, render_pdf, write_pdf
from jongerenteam.session import TeamSession
from tests.support import WORKER_PASS, pdf_text, plausible

Q4 = rp.quarter_of(date(2026, 11, 1))
MADE = datetime(2026, 11, 23, 10, 0)

# Vietnamese, Arabic, polytonic Greek, Cyrillic, Tigrinya (Ethiopic), Hebrew,
# an emoji, Danish and Polish letters; then Persian/Urdu letters, Devanagari,
# Armenian, Georgian, an emoji sequence with a skin tone and a joiner, and
# marks placed inside a word (Vietnamese, Hindi, vowelled Arabic, Yoruba).
NAMES = [
    "Thị Ánh Nguyễn", "محمد العلي", "Ἀλέξανδρος", "Олена Шевченко", "ሰላም ተስፋይ", "דוד כהן",
    "Zoë 😊 de Vries", "Ærøskøbing-Łukasz", "پریا ژیان", "عائشہ ٹیپو", "अनीता शर्मा", "Արամ Սարգսյան",
    "ნინო ბერიძე", "Sam 👍🏽 👩‍💻", "Nguyễn Văn Thịnh", "मुकेश कुमार", "مُحَمَّد", "Adéṣọ̀lá",
]


@pytest.fixture
def strict_glyphs(monkeypatch, caplog):
    """Every glyph a PDF draws exists: fpdf2 only logs a missing glyph, and with text
    shaping HarfBuzz's glyph 0 (.notdef) is silently left out; both become failures."""
    from fpdf.fonts import TTFFont

    shape = TTFFont.perform_harfbuzz_shaping

    def checked(self, text, *args, **kwargs):
        infos, positions = shape(self, text, *args, **kwargs)
        # A line break is measured while fpdf2 wraps a paragraph, never drawn.
        missing = [text[i.cluster] for i in infos if i.codepoint == 0 and text[i.cluster] != "\n"]
        assert not missing, f"{self.name} has no glyph for {missing!r}"
        return infos, positions

    monkeypatch.setattr(TTFFont, "perform_harfbuzz_shaping", checked)
    caplog.set_level(logging.WARNING, logger="fpdf")
    yield
    problems = [r.getMessage() for r in caplog.records if r.name.startswith("fpdf") and r.levelno >= logging.WARNING]
    assert not problems, problems


def name_document(name: str) -> Document:
    """A document with the name where the inzage and the overdracht put one: title,
    bold heading, a line, a bullet, a line with a Dutch label, the footer."""
    return Document(
        f"Inzage van {name}",
        (
            Section(name, (name, f"voornaam: {name}")),
            Section("Betrokken", (name, "Hanna Hulpverlener"), bullets=True),
        ),
        f"Gemaakt voor {name}",
    )


def test_the_shipped_fonts_print_these_names():
    """unprintable() accepts names from many scripts and flags Chinese (no CJK font) and control characters."""
    for name in NAMES:
        assert glyphs.unprintable(name) == "", name
    assert glyphs.unprintable("Li 王小明 王") == "王小明"
    assert glyphs.unprintable("a\x00b") == "\x00"
    assert glyphs.unprintable("ZWJ\u200d VS\ufe0f VS1\ufe00 tab\t") == ""  # shaping consumes these


@pytest.mark.parametrize("name", NAMES)
def test_document_pdf_shows_the_name_exactly(name, strict_glyphs):
    """pdf.render_pdf (overzicht, inzage, overdracht) prints a name exactly in title, heading, lines, bullets, footer."""
    text = pdf_text(render_pdf(name_document(name)))
    lines = text.splitlines()
    assert f"Inzage van {name}" in lines
    assert lines.count(name) >= 2  # the heading and the line
    assert f"• {name}" in lines
    assert f"voornaam: {name}" in lines
    assert any(line.startswith(f"Gemaakt voor {name}") for line in lines)


def test_rtl_text_reads_back_in_logical_order(strict_glyphs):
    """Arabic and Hebrew names extract in typed (logical) order, not the visual order they are drawn in."""
    text = pdf_text(render_pdf(name_document("محمد العلي")))
    assert "محمد العلي" in text and "العلي محمد" not in text
    assert "دمحم" not in text  # no letters reversed
    text = pdf_text(render_pdf(name_document("דוד כהן")))
    assert "דוד כהן" in text and "כהן דוד" not in text and "ןהכ" not in text
    if shutil.which("pdftotext"):  # poppler (PDF viewers on Linux) reads them the same way, when installed
        for name in ("محمد العلي", "پریا ژیان", "דוד כהן", "Nguyễn Văn Thịnh", "मुकेश कुमार"):
            data = render_pdf(name_document(name))
            out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
            assert name in re.sub("[\u202a-\u202e]", "", out).splitlines(), name  # minus its direction marks


def test_report_pdf_shows_free_text_exactly(strict_glyphs):
    """report.render_pdf prints programme names in any script exactly in its table rows."""
    programmes = ["Thị Ánh Nguyễn", "محمد العلي", "Ἀλέξανδρος", "Олена Шевченко", "ሰላም ተስፋይ", "דוד כהן",
                  "Zoë 😊 de Vries", "Ærøskøbing-Łukasz"]
    docs = [report_doc("GM0363", programme=p) for p in programmes for _ in range(5)]
    text = pdf_text(rp.render_pdf(rp.compute(docs, [], Q4, made_at=MADE)))
    assert "Studenten per opleiding" in text
    for p in programmes:
        assert re.search(rf"^{re.escape(p)} [3-7] \d+%$", text, re.MULTILINE), p  # 5, perturbed by at most 2
    assert "Rapportage jongerenteam, kwartaal 4 2026, alle gemeenten" in text


def report_rows(report: rp.Report) -> list[tuple[str, str]]:
    """Every line the report's tables print, as (label, the rest) the way text
    extraction reads them: title, headers, each row's label and its figures."""
    out = []
    for table in report.tables:
        out += [(table.title, ""), ("", " ".join(table.headers))]
        for label, cells in [*table.rows, *([table.total] if table.total else [])]:
            out.append((label, " ".join(c.text for c in cells if c.text)))
    return out


def printed(label: str, rest: str, lines: list[str]) -> bool:
    """Whether a line reads ``label`` (or its start and "…", when it is too wide) and
    then ``rest``; spaces aside (a header wider than its column touches the one before)."""
    label, rest = label.replace(" ", ""), rest.replace(" ", "")
    for line in (x.replace(" ", "") for x in lines):
        if not line.endswith(rest):
            continue
        shown = line[: len(line) - len(rest)]
        if shown == label or (shown.endswith("…") and label.startswith(shown[:-1]) and len(shown) > 10):
            return True
    return False


def test_report_pdf_holds_every_figure_and_label_as_when_every_cell_was_shaped(monkeypatch):
    """Issue 19: table cells of plain Latin text are drawn without text shaping. The PDF
    still holds every table, label and figure, and reads back exactly as when every
    cell was shaped (the layout of the paragraphs is the same, line for line)."""
    import jongerenteam.pdf as pdf_module

    programmes = ["Officemanagement", "Verzorgende IG", "Kok", "Ærøskøbing-Łukasz", "محمد العلي", "Zoë 😊 de Vries"]
    docs = [report_doc(m, programme=p, scores=[["2026-10-06", "welzijn", 2], ["2026-11-06", "welzijn", 4]])
            for m in ("GM0363", "GM0344", "GM0518") for p in programmes for _ in range(4)]
    report = rp.compute(docs, [], Q4, made_at=MADE)
    fast = pdf_text(rp.render_pdf(report))
    lines = fast.splitlines()
    for label, rest in report_rows(report):
        assert printed(label, rest, lines), (label, rest)
    assert "Mediaan wachttijd (werkdagen)" in fast and "Officemanagement" in fast
    monkeypatch.setattr(pdf_module, "plain", lambda text: False)  # every cell shaped, as before issue 19
    assert pdf_text(rp.render_pdf(report)) == fast


def test_plain_text_is_drawn_with_the_glyphs_shaping_would_give():
    """``pdf.plain`` admits only text that text shaping (HarfBuzz, on Noto Sans regular
    and bold) draws as the font's own glyph for each character, unmoved: every plain
    character, pairs of them, and the report's own labels and woongemeenten. The
    ligatures ("ff", "fi", "fl") and other scripts are not plain."""
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    from jongerenteam.municipalities import MUNICIPALITIES
    from jongerenteam.pdf import plain
    from jongerenteam.report.figures import LEEFDOMEINEN, TEXT

    chars = [chr(c) for c in range(0x20, 0x250) if plain(chr(c))] + list("–—‘’“”•…€")
    assert all(plain(c) for c in chars) and len(chars) > 300
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789%-'.,é"
    texts = [*chars, *(a + b for a in letters for b in letters), *MUNICIPALITIES.values(),
             *(d.label for d in LEEFDOMEINEN), *TEXT.values(), "Mediaan wachttijd (werkdagen)"]
    texts = [t for t in texts if plain(t)]
    for file in (glyphs.MAIN_FAMILY[1], glyphs.MAIN_FAMILY[2]):
        path = str(glyphs.FONT_DIR / file)
        ttfont = TTFont(path, lazy=True)
        cmap = ttfont.getBestCmap()
        font = hb.Font(hb.Face(hb.Blob.from_file_path(path)))
        for text in texts:
            buf = hb.Buffer()
            buf.add_str(text)
            buf.guess_segment_properties()
            hb.shape(font, buf, {})
            assert [g.codepoint for g in buf.glyph_infos] == [ttfont.getGlyphID(cmap[ord(c)]) for c in text], text
            assert all(not (p.x_offset or p.y_offset) for p in buf.glyph_positions), text
    for text in ("Officemanagement", "fl", "ff", "Zoë 😊", "محمد", "Олена", "ǹ", "e\u0301", "a\u00a0b", "x\u00adx"):
        assert not plain(text), text


def test_inzage_of_a_student_shows_their_name(team_store, tmp_path, strict_glyphs):
    """The inzage exported through the use case (the student's legal copy) has their names exactly."""
    s = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    for first, last in (("محمد", "العلي"), ("Thị Ánh", "Nguyễn"), ("ሰላም", "ተስፋይ"), ("Олена", "Шевченко")):
        rec = s.spreekuur.register_student(StudentDetails(first_name=first, last_name=last), status="lopend")
        draft = s.rights.read_inzage(rec.id)
        written = s.rights.export_inzage(draft, tmp_path / f"inzage-{rec.id[:8]}", "pdf", decisions={})
        lines = pdf_text(written.read_bytes()).splitlines()
        assert f"Voornaam: {first}" in lines and f"Achternaam: {last}" in lines, (first, last)


def test_write_pdf_keeps_a_long_mixed_document_intact(tmp_path, strict_glyphs):
    """A document of several pages with every script wraps, breaks pages and numbers them."""
    doc = Document("Lang", tuple(Section(f"Kop {i}", tuple(f"{n} {n} {n} {n} {n}" for n in NAMES), bullets=i % 2 == 0)
                                 for i in range(4)), "voet")
    text = pdf_text(write_pdf(doc, tmp_path / "lang").read_bytes())
    assert "pagina 3 van" in text
    for name in NAMES:
        assert name in text, name


def test_only_the_fonts_a_document_needs_are_embedded():
    """A Dutch document embeds Noto Sans only; an Arabic name adds Noto Sans Arabic, not the others."""
    plain = render_pdf(name_document("Willem Jansen"))
    assert b"NotoSansArabic" not in plain and b"NotoEmoji" not in plain and b"+NotoSans" in plain
    arabic = render_pdf(name_document("محمد العلي"))
    assert b"NotoSansArabic" in arabic and b"NotoSansEthiopic" not in arabic


# Every character some shipped font has, plus what shaping consumes and a few sequences.
COVERED = sorted({chr(cp) for ranges in glyphs.coverage().values() for lo, hi in ranges for cp in range(lo, hi + 1)})
EXTRA = [" ", "\t", "\n", "\u00a0", "\u200c", "\u200d", "\ufe0e", "\ufe0f", "\ufe00", "👍🏽", "👩‍💻", "ị", "لا"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(st.sampled_from(COVERED) | st.sampled_from(EXTRA), min_size=1, max_size=30).map("".join))
def test_any_printable_text_renders_without_missing_glyphs(text, strict_glyphs):
    """Whatever unprintable() lets through renders into a PDF with a glyph for every character."""
    assert glyphs.unprintable(text) == ""
    data = render_pdf(Document(text, (Section(text, (text,)), Section("", (text,), bullets=True)), text))
    assert data.startswith(b"%PDF-")


def test_printable_keeps_what_the_fonts_have():
    """printable() changes nothing the fonts can show, and replaces or drops only what no font has."""
    for name in NAMES:
        assert printable(name) == name
    assert printable("Li 王 ok") == "Li ? ok"
    assert printable("a \ue000 b") == "a b"  # private use: dropped
    assert printable("klaar ✓") == "klaar ✔"
    assert printable("Nguye\u0302\u0303n") == "Nguyễn"  # composed
    assert printable("a\tb\r\nc\rd") == "a b\nc\nd"


# -- the coverage file -----------------------------------------------------------------------


def test_coverage_file_matches_the_fonts():
    """fonts/coverage.txt equals what fontTools reads from the TTFs; each bold face covers its regular one."""
    assert glyphs.COVERAGE_FILE.read_text(encoding="ascii") == glyphs.generate()  # else: python -m jongerenteam.glyphs
    assert set(glyphs.coverage()) == set(glyphs.FONT_FILES)
    for _, regular, bold in glyphs.FAMILIES:
        assert bold is None or glyphs.coverage()[bold] == glyphs.coverage()[regular], bold


def test_fonts_ship_with_their_license_and_stay_small():
    """Every shipped font is listed in glyphs, README and OFL.txt, and all together stay under 5 MB."""
    folder = glyphs.FONT_DIR
    assert sorted(p.name for p in folder.glob("*.ttf")) == sorted(glyphs.FONT_FILES)
    assert "SIL Open Font License, Version 1.1" in (folder / "OFL.txt").read_text(encoding="utf-8")
    for name in glyphs.FONT_FILES:
        assert name in (folder / "OFL.txt").read_text(encoding="utf-8")
        assert name in (folder / "README.md").read_text(encoding="utf-8")
    assert sum(p.stat().st_size for p in folder.glob("*.ttf")) < 5_000_000


def test_unprintable_loads_neither_fpdf_nor_fonttools():
    """The name check is fast and light: importing glyphs and calling unprintable() loads no PDF library."""
    code = (
        "import sys, time\n"
        "from jongerenteam.glyphs import unprintable\n"
        "assert unprintable('Thị محمد 王') == '王'\n"
        "t = time.perf_counter()\n"
        "for _ in range(1000): unprintable('Ærøskøbing-Łukasz ሰላም')\n"
        "assert time.perf_counter() - t < 0.5\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('fpdf', 'fontTools', 'uharfbuzz')]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)


# -- CSV -------------------------------------------------------------------------------------


def report_doc(m: str, *, programme: str, level: str = "2", scores=()) -> dict:
    """A statistics document of one student helped in the fourth quarter of 2026."""
    out = rp.new_document(date(2026, 10, 5))
    out.update(gemeente=m, niveau=level, opleiding=programme, verwijzer="zelf", domeinen=["welzijn"], achttien="2027-01")
    out["gesprekken"] = [["2026-10-06", "vervolggesprek", ""]]
    out["aanmeldingen"] = ["2026-10-05"]
    out["scores"] = list(scores)
    out["statussen"] = [["2026-10-05", "lopend", ""]]
    return out


NASTY = ["=1+1", "+31 6 12345678", "-2", "@SUM(A1)", "\t=cmd", "\r=x", "a;b", 'a"b', " =HYPERLINK(\"http://x\",\"klik\")"]
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def read_csv(data: bytes) -> list[list[str]]:
    import csv

    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_cells_cannot_become_formulas():
    """Formula-like programme names and municipality codes read back as quoted-off text; figures stay numbers."""
    down = [["2026-10-06", "inkomen", 4], ["2026-11-06", "inkomen", 3]]
    docs = [report_doc("GM0363", programme=p, scores=down) for p in NASTY for _ in range(5)]
    docs += [report_doc(code, programme="Kok") for code in ("=1+1", "@SUM(A1)", "-2") for _ in range(5)]
    for municipality in (None, "GM0363", "=1+1"):
        rows = read_csv(rp.to_csv(rp.compute(docs, [], Q4, municipality, made_at=MADE)))
        cells = [c for r in rows for c in r]
        labels = {r[0] for r in rows if r}
        for p in NASTY:
            if municipality != "=1+1":
                expected = "'" + p if p.lstrip().startswith(FORMULA) else p
                assert expected in labels, (municipality, p)
            assert p not in cells or not p.lstrip().startswith(FORMULA)
        for cell in cells:
            if cell.startswith(FORMULA):
                assert re.fullmatch(r"[+-]\d+(,\d+)?", cell), cell  # only a computed number
        assert not {"=1+1", "@SUM(A1)"} & set(cells)
        if municipality is None:
            flat = {r[0]: r[1:] for r in rows if r}
            scores = flat["Inkomen / schulden"]
            assert plausible(scores[0], 45) and scores[1:3] == ["0", "0"] and plausible(scores[3], 45)
            assert scores[4] == "-1,0"
            assert plausible(flat["overige gemeenten"][0], 15)  # codes outside the CBS list are never named


def test_csv_quotes_text_and_leaves_figures_plain():
    """Text cells are always quoted (a ';' or '"' cannot break out), figures are written as numbers."""
    docs = [report_doc("GM0363", programme="a;b") for _ in range(5)] + [report_doc("GM0363", programme='a"b') for _ in range(6)]
    raw = rp.to_csv(rp.compute(docs, [], Q4, made_at=MADE)).decode("utf-8-sig")
    assert re.search(r'^"a;b";\d+;\d+%\r$', raw, re.MULTILINE) and re.search(r'^"a""b";\d+;\d+%\r$', raw, re.MULTILINE)
    assert re.search(r'^"Gesprekken";\d+\r$', raw, re.MULTILINE)
    assert rp.csv_figure("=1+1") == "\"'=1+1\"" and rp.csv_figure("-0,5") == "-0,5" and rp.csv_figure("–") == "–"


# -- free-text categories: overig ------------------------------------------------------------


def test_a_rare_programme_is_never_named_in_any_view_or_export():
    """A programme of 1 student is never named in any view, CSV or PDF: it is counted under "overig"."""
    docs = ([report_doc("GM0363", programme="Dierenverzorging Exotisch") ]
            + [report_doc("GM0363" if i % 2 else "GM0344", programme="Kok") for i in range(7)]
            + [report_doc("GM0344", programme=p) for p in ("Kapper", "kapper ", "KAPPER", "Kapper", "kapper")])
    views = {None, "GM0363", "GM0344"}
    for municipality in views:
        r = rp.compute(docs, [], Q4, municipality, made_at=MADE)
        if r.refused:  # fewer than 10 students: no figures at all
            assert municipality is not None and r.tables == []
            assert "Dierenverzorging" not in rp.to_csv(r).decode("utf-8-sig")
            continue
        table = r.table("opleiding")
        labels = [label for label, _ in table.rows]
        assert "Dierenverzorging Exotisch" not in labels and "overig" in labels, municipality
        assert "Kok" in labels and "Kapper" in labels and "kapper" not in labels
        assert "overig" in table.note
        csv_text = rp.to_csv(r).decode("utf-8-sig")
        pdf = pdf_text(rp.render_pdf(r))
        for export in (csv_text, pdf):
            assert "Dierenverzorging" not in export and "Exotisch" not in export
            assert "overig" in export
    overall = rp.compute(docs, [], Q4, made_at=MADE)
    rows = {label: cells[0].text for label, cells in overall.table("opleiding").rows}
    assert plausible(rows["Kok"], 7) and rows["overig"] in ("0", "3") and plausible(rows["Kapper"], 5)


def test_free_text_categories():
    """Values of fewer than 5 students, and "overig" typed by hand, share one category; empty stays unknown."""
    values = ["Kok"] * 5 + ["ICT"] * 4 + ["Overig"] * 6 + ["", " "]
    key_of, labels = rp.free_text_categories(values)
    assert labels[key_of["Kok"]] == "Kok"
    assert key_of["ICT"] == key_of["Overig"] == rp.OTHER and labels[rp.OTHER] == "overig"
    assert key_of[""] == key_of[" "] == ""
