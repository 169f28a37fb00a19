"""Rapportage: figures from a store built through the real use cases, small-cell
suppression that no combination of exports undoes, CSV dialect, PDF, the CLI."""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from fractions import Fraction

import orjson
import pytest

from jongerenteam import report as rp
from jongerenteam.cli import Console, main
from jongerenteam.domain import ValidationError
from jongerenteam.session import TeamSession
from storage import clock
from storage import report as store_report
from storage.errors import NotAllowed
from storage.models import AuditEntry
from tests.support import AMSTERDAM, COORDINATOR_PASS, DEN_HAAG, UTRECHT, WORKER_PASS, build_known_store
from tests.support import report_student as student
from tests.support import set_store_day as at

Q4 = rp.quarter_of(date(2026, 11, 1))


@pytest.fixture(autouse=True)
def reset_clock():
    yield
    clock.set_clock(None)


def cells(report: rp.Report, key: str) -> dict[str, str]:
    table = report.table(key)
    out = {label: c[0].text for label, c in table.rows}
    if table.total:
        out["totaal"] = table.total[1][0].text
    return out


@pytest.mark.backends("sqlite", "postgresql")
def test_figures_from_the_use_cases(team_store):
    """Counts per period and municipality match the store the use cases built; small cells are hidden."""
    built = build_known_store(team_store)
    at(date(2026, 11, 23))
    coord = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    r = coord.report.report(Q4)
    assert cells(r, "kern") == {
        "Studenten geholpen (gesprek of inloop)": "17", "Nieuwe studenten ingeschreven": "17",
        "Aanmeldingen": "10", "Inloop met naam": "7", "Inloop anoniem": "<5", "Gesprekken": "10",
    }
    # One student from Den Haag: "<5"; Amsterdam hidden too, or 17 - 10 would give it away.
    g = cells(r, "gemeente")
    assert g["Utrecht"] == "10" and g["totaal"] == "17"
    assert sorted(v for k, v in g.items() if k not in ("Utrecht", "totaal")) == ["<5", "x"]
    assert cells(r, "niveau") == {"Entree": "0", "niveau 1": "0", "niveau 2": "x", "niveau 3": "10", "niveau 4": "<5", "totaal": "17"}
    # The type of one talk was changed afterwards: the figures follow.
    soort = cells(r, "soort")
    assert soort["telefonisch"] == "<5" and soort["vervolggesprek"] == "x" and soort["totaal"] == "10"
    assert cells(r, "leeftijd")["jonger dan 18"] == "17"
    assert cells(r, "reden")["doel bereikt"] == "5"
    wait = {label: [c.text for c in cs] for label, cs in r.table("wachttijd").rows}
    assert wait["Eerste gesprek binnen 5 werkdagen"] == ["5", "50%"]
    assert wait["Eerste gesprek na meer dan 5 werkdagen"] == ["5", "50%"]
    assert wait["Mediaan wachttijd (werkdagen)"][0] == "5"
    scores = {label: [c.text for c in cs] for label, cs in r.table("scores").rows}
    assert scores["Inkomen / schulden"] == ["6", "6", "0", "0", "+2,0"]
    # Per municipality (bestuurlijk overleg).
    u = coord.report.report(Q4, UTRECHT)
    assert cells(u, "kern")["Studenten geholpen (gesprek of inloop)"] == "10"
    assert "gemeente" not in {t.key for t in u.tables}
    a = coord.report.report(Q4, AMSTERDAM)
    # Hidden in the overall table (next to Den Haag's one student), so hidden in its own view too.
    assert cells(a, "kern")["Studenten geholpen (gesprek of inloop)"] == "x"
    assert cells(a, "scores")["Inkomen / schulden"] == "6"
    assert cells(a, "reden")["doel bereikt"] == "5"
    assert cells(coord.report.report(Q4, DEN_HAAG), "kern")["Studenten geholpen (gesprek of inloop)"] == "<5"
    # Another period: nothing happened in the third quarter.
    assert cells(coord.report.report(Q4.shift(-1)), "kern")["Gesprekken"] == "0"
    # The statistics tier holds no name, birth date or student number.
    raw = orjson.dumps(store_report.load_all(team_store.store, coord.keys)[0]).decode()
    assert "Sam" not in raw and "2008-12-03" not in raw and "900001" not in raw and "geld" not in raw
    assert '"2026-12"' in raw  # the month of turning 18, no more
    # Only a coördinator gets the figures.
    with pytest.raises(NotAllowed):
        built["worker"].report.report(Q4)


def test_old_store_without_statistics_is_backfilled(team_store):
    """Students written without the statistics tier get a record at the first report, from plain data."""
    from storage import students as store_students

    at(date(2026, 11, 2))
    w = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    for i in range(6):
        row = store_students.add_student(
            team_store.store, w.keys, student(i, UTRECHT, "2").to_dict(), status="lopend",
            contact_worker_id=team_store.worker_id, entries=[("inloop", {"tekst": "x"}), ("talk", {"type": "app"})],
        )
        assert store_report.get(team_store.store, w.keys, row.id) is None
    coord = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    r = coord.report.report(Q4)
    assert cells(r, "kern")["Studenten geholpen (gesprek of inloop)"] == "6"
    assert cells(r, "kern")["Gesprekken"] == "6"
    assert cells(r, "soort")["onbekend"] == "6"  # the type is inside the file
    assert store_report.count(team_store.store) == 6
    assert coord.report.backfill_statistics() == 0


# -- suppression: nothing recoverable ---------------------------------------------------------

HIDDEN = ("<5", "x")
ADDITIVE = ("gemeente", "gemeente_gesprekken", "soort", "niveau", "opleiding", "verwijzer", "leeftijd", "reden")


class Equations:
    """Published numbers as a linear system; hidden cells are the unknowns."""

    def __init__(self) -> None:
        self.unknowns: dict[tuple, int] = {}
        self.bounds: dict[int, tuple[int, int]] = {}
        self.rows: list[tuple[dict[int, Fraction], Fraction]] = []

    def term(self, key: tuple, text: str):
        if text in HIDDEN:
            if key not in self.unknowns:
                self.unknowns[key] = len(self.unknowns)
                self.bounds[self.unknowns[key]] = (0, 4) if text == "<5" else (5, 10**6)
            return self.unknowns[key]
        return Fraction(text or "0")

    def equal(self, left: tuple, left_text: str, right: list[tuple[tuple, str]]) -> None:
        coef: dict[int, Fraction] = {}
        const = Fraction(0)
        for sign, (key, text) in [(1, (left, left_text))] + [(-1, r) for r in right]:
            t = self.term(key, text)
            if isinstance(t, int) and not isinstance(t, Fraction):
                coef[t] = coef.get(t, Fraction(0)) + sign
            else:
                const -= sign * t
        self.rows.append((coef, const))

    def determined(self) -> set[int]:
        """Unknowns fixed by the equations alone (reduced row echelon form)."""
        n = len(self.unknowns)
        m = [[r[0].get(j, Fraction(0)) for j in range(n)] + [r[1]] for r in self.rows]
        pivot_rows, row = [], 0
        for col in range(n):
            p = next((i for i in range(row, len(m)) if m[i][col] != 0), None)
            if p is None:
                continue
            m[row], m[p] = m[p], m[row]
            m[row] = [x / m[row][col] for x in m[row]]
            for i in range(len(m)):
                if i != row and m[i][col] != 0:
                    f = m[i][col]
                    m[i] = [a - f * b for a, b in zip(m[i], m[row], strict=False)]
            pivot_rows.append((row, col))
            row += 1
        return {col for r, col in pivot_rows if sum(1 for x in m[r][:n] if x != 0) == 1}

    def pinned_by_bounds(self) -> list[int]:
        """Unknowns a single equation pins down with the bounds the markers give."""
        out = []
        for coef, const in self.rows:
            if not coef or any(abs(c) != 1 for c in coef.values()):
                continue
            # sum(c_i x_i) = const with c_i = +-1: interval of each x_i
            for i, ci in coef.items():
                lo = hi = const
                for j, cj in coef.items():
                    if j == i:
                        continue
                    blo, bhi = self.bounds[j]
                    lo -= cj * (bhi if cj > 0 else blo)
                    hi -= cj * (blo if cj > 0 else bhi)
                lo, hi = (lo / ci, hi / ci) if ci > 0 else (hi / ci, lo / ci)
                blo, bhi = self.bounds[i]
                if max(lo, blo) >= min(hi, bhi):
                    out.append(i)
        return out


def published_system(overall: rp.Report, views: dict[str, rp.Report]) -> Equations:
    eq = Equations()

    def table_eqs(tag: str, report: rp.Report) -> None:
        for t in report.tables:
            if t.key in ADDITIVE and t.total:
                eq.equal((tag, t.key, "totaal", 0), t.total[1][0].text,
                         [((tag, t.key, label, 0), c[0].text) for label, c in t.rows])
        wait = report.table("wachttijd").rows
        eq.equal((tag, "wachttijd", wait[0][0], 0), wait[0][1][0].text,
                 [((tag, "wachttijd", label, 0), c[0].text) for label, c in wait[1:4]])
        for label, cs in report.table("scores").rows:
            eq.equal((tag, "scores", label, 0), cs[0].text, [((tag, "scores", label, k), cs[k].text) for k in (1, 2, 3)])

    table_eqs("all", overall)
    for code, view in views.items():
        table_eqs(code, view)
    # Across views: the overall number is the sum of the municipalities' numbers.
    for t in overall.tables:
        if t.key.startswith("gemeente"):
            continue
        width = 4 if t.key == "scores" else 1
        for label, cs in [*t.rows, *([t.total] if t.total else [])]:
            if label == "Inloop anoniem" or label.startswith("Mediaan"):
                continue
            for k in range(width):
                parts = []
                for code, view in views.items():
                    vt = dict([*view.table(t.key).rows, *([view.table(t.key).total] if view.table(t.key).total else [])])
                    parts.append(((code, t.key, label, k), vt[label][k].text if label in vt else "0"))
                eq.equal(("all", t.key, label, k), cs[k].text, parts)
    # The overall per-municipality tables are the views' own totals.
    for key, core_label in (("gemeente", "Studenten geholpen (gesprek of inloop)"), ("gemeente_gesprekken", "Gesprekken")):
        for label, cs in overall.table(key).rows:
            code = next(c for c, v in views.items() if v.scope == label)
            kern = dict(views[code].table("kern").rows)
            eq.equal(("all", key, label, 0), cs[0].text, [((code, "kern", core_label, 0), kern[core_label][0].text)])
    return eq


def doc(m: str, level: str, *, talks=1, programme="Kok", referrer="zelf", domains=("welzijn",), scores=()) -> dict:
    out = rp.new_document(date(2026, 10, 5))
    out.update(gemeente=m, niveau=level, opleiding=programme, verwijzer=referrer, domeinen=list(domains), achttien="2027-01")
    out["gesprekken"] = [["2026-10-06", "vervolggesprek", ""]] * talks
    out["aanmeldingen"] = ["2026-10-05"]
    out["scores"] = list(scores)
    out["statussen"] = [["2026-10-05", "lopend", ""]]
    return out


def crafted_cases() -> dict[str, list[dict]]:
    rnd = random.Random(6)
    many = [doc(rnd.choice([AMSTERDAM, UTRECHT, DEN_HAAG, "GM0193", "GM0166", ""]), rnd.choice(["Entree", "1", "2", "3", "4", ""]),
                talks=rnd.randint(0, 4), programme=rnd.choice(["Kok", "Kapper", "Beveiliger", "Verzorgende IG"]),
                referrer=rnd.choice(["zelf", "docent", "lob", "extern"]),
                domains=rnd.sample(["welzijn", "inkomen", "wonen", "onderwijs"], rnd.randint(1, 3)),
                scores=[["2026-10-06", "inkomen", rnd.randint(1, 5)], ["2026-11-06", "inkomen", rnd.randint(1, 5)]])
            for _ in range(90)]
    return {
        # One student in a municipality next to a larger one.
        "one_in_a_municipality": [doc(AMSTERDAM, "2") for _ in range(9)] + [doc(DEN_HAAG, "2")],
        # Total minus all shown cells would reveal the one small cell.
        "total_minus_cells": [doc(UTRECHT, "2") for _ in range(7)] + [doc(UTRECHT, "3") for _ in range(6)] + [doc(UTRECHT, "4")],
        # Two small cells that sum to a shown difference of 2 (both would be 1).
        "two_ones": [doc(AMSTERDAM, "2") for _ in range(6)] + [doc(AMSTERDAM, "3"), doc(AMSTERDAM, "4")],
        # Small cells everywhere: six municipalities with one student each.
        "all_ones": [doc(m, "2") for m in (AMSTERDAM, UTRECHT, DEN_HAAG, "GM0193", "GM0166", "GM0014")],
        # A cell of 4 next to a cell of 4: total 8 would pin both.
        "two_fours": [doc(AMSTERDAM, "1") for _ in range(4)] + [doc(AMSTERDAM, "2") for _ in range(4)],
        # The same small category in two municipalities (the views against the overall view).
        "across_views": [doc(AMSTERDAM, "2") for _ in range(8)] + [doc(AMSTERDAM, "4")]
        + [doc(UTRECHT, "2") for _ in range(8)] + [doc(UTRECHT, "4")] + [doc(DEN_HAAG, "2") for _ in range(5)],
        "random_90": many,
    }


@pytest.mark.parametrize("case", list(crafted_cases()))
def test_no_single_student_can_be_recovered_from_any_export(case):
    """For the overall view and every municipality view together, no hidden cell follows from the
    published numbers (linear algebra), nor from one equation with the bounds "<5" and "x" give."""
    docs = crafted_cases()[case]
    overall = rp.compute(docs, [], Q4)
    views = {m: rp.compute(docs, [], Q4, m) for m in {x["gemeente"] for x in docs}}
    # Every count 1-4 is hidden in every view.
    for report in (overall, *views.values()):
        for t in report.tables:
            for label, cs in [*t.rows, *([t.total] if t.total else [])]:
                for c in cs:
                    if c.text.isdigit() and not label.startswith("Mediaan"):
                        assert not 0 < int(c.text) < 5, (case, t.key)
    eq = published_system(overall, views)
    assert eq.unknowns, "the case should hide something"
    names = {v: k for k, v in eq.unknowns.items()}
    assert not [names[i] for i in eq.determined()], case
    assert not [names[i] for i in eq.pinned_by_bounds()], case
    # The simple rule from the brief: every line with a shown total hides 0 or 2+ cells.
    for coef, _ in eq.rows:
        assert len(coef) != 1, case


def test_hidden_total_and_shares_and_means():
    """A small total hides its shares; a mean over fewer than 5 students is not shown."""
    docs = [doc(AMSTERDAM, "2", scores=[["2026-10-06", "inkomen", 1], ["2026-11-06", "inkomen", 3]]) for _ in range(3)]
    r = rp.compute(docs, [], Q4)
    assert cells(r, "kern")["Studenten geholpen (gesprek of inloop)"] == "<5"
    assert all(c[1].text in ("–", "0%") or c[0].text == "0" for _, c in r.table("niveau").rows if c[0].text != "0")
    scores = {label: [c.text for c in cs] for label, cs in r.table("scores").rows}
    assert scores["Inkomen / schulden"][4] == "–"


def test_periods():
    """Month, quarter, school year (1 August - 31 July) and stepping back and forth."""
    day = date(2026, 2, 14)
    assert (rp.month_of(day).start, rp.month_of(day).end) == (date(2026, 2, 1), date(2026, 2, 28))
    assert rp.quarter_of(day).shift(-1) == rp.Period("kwartaal", date(2025, 10, 1), date(2025, 12, 31))
    assert rp.school_year_of(day) == rp.Period("schooljaar", date(2025, 8, 1), date(2026, 7, 31))
    assert rp.school_year_of(date(2026, 8, 1)).label == "schooljaar 2026-2027"
    assert rp.month_of(date(2026, 12, 5)).shift(1).label == "januari 2027"
    assert rp.custom(date(2026, 1, 1), date(2026, 1, 10)).shift(1).start == date(2026, 1, 11)
    # The calendar has an end: a report stays within 2000-2099 and stepping stops at the edge.
    with pytest.raises(ValidationError) as exc:
        rp.custom(date(9999, 1, 1), date(9999, 12, 31))
    assert exc.value.field == "start" and exc.value.message == "Kies een datum tussen 01-01-2000 en 31-12-2099."
    long = rp.custom(date(2026, 10, 1), date(2099, 12, 31))
    assert long.shift(1) is long and long.shift(-1) is long  # 73 years: no room either way
    last = rp.month_of(date(2099, 12, 1))
    assert last.shift(1) is last


# -- exports ------------------------------------------------------------------------------------


def test_csv_and_pdf_exports_and_the_log(team_store, tmp_path):
    """CSV: BOM, ';', decimal comma, dd-mm-jjjj; PDF written; both logged as export without data."""
    build_known_store(team_store)
    at(date(2026, 11, 23))
    coord = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    r = coord.report.report(Q4)
    target = coord.report.export_report(r, "csv", tmp_path / "cijfers")
    assert target.name == "cijfers.csv"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert csv.Sniffer().sniff(text.split("\r\n", 3)[1]).delimiter == ";"
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1] == ["Periode", "01-10-2026", "31-12-2026"]
    flat = {r[0]: r[1:] for r in rows if r}
    assert flat["Gesprekken"] == ["10"]
    assert flat["Inkomen / schulden"][-1] == "+2,0"  # decimal comma
    assert flat["Mediaan wachttijd (werkdagen)"][0] == "5"
    assert "Sam0" not in text
    pdf = coord.report.export_report(r, "pdf", tmp_path / "cijfers.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    with team_store.store.reading() as s:
        details = [e.detail for e in s.query(AuditEntry).filter(AuditEntry.event == "export")]
    assert details == ["rapportage csv", "rapportage pdf"]

    with pytest.raises(ValidationError):
        coord.report.export_report(r, "csv", tmp_path / "bestaat-niet" / "x.csv")


def test_cli_report_csv_and_pdf(team_store, tmp_path):
    """`jongerenteam report` asks the passphrase and writes CSV and PDF; a hulpverlener is refused."""
    build_known_store(team_store)
    at(date(2026, 11, 23))
    team_store.store.close()

    def run(args, passphrase):
        out, err = io.StringIO(), io.StringIO()
        code = main(["report", "--store", str(team_store.path), *args],
                    Console(stdin=io.StringIO(passphrase + "\n"), stdout=out, stderr=err))
        return code, out.getvalue(), err.getvalue()

    code, out, err = run(["--worker", "CC", "--from", "01-10-2026", "--to", "31-12-2026", "--format", "csv",
                          "--out", str(tmp_path / "q4.csv")], COORDINATOR_PASS)
    assert code == 0, err
    assert "q4.csv" in out
    assert '"Gesprekken";10' in (tmp_path / "q4.csv").read_text(encoding="utf-8-sig")  # text quoted, figures plain
    code, out, err = run(["--worker", "CC", "--from", "1-10-2026", "--to", "31-12-2026", "--format", "pdf",
                          "--gemeente", "Utrecht", "--out", str(tmp_path / "utrecht")], COORDINATOR_PASS)
    assert code == 0, err
    assert (tmp_path / "utrecht.pdf").read_bytes().startswith(b"%PDF")
    code, out, err = run(["--worker", "HH", "--from", "01-10-2026", "--to", "31-12-2026",
                          "--out", str(tmp_path / "nee.pdf")], WORKER_PASS)
    assert code != 0 and "coördinator" in err
    assert not (tmp_path / "nee.pdf").exists()
    code, out, err = run(["--worker", "CC", "--from", "31-12-2026", "--to", "01-10-2026"], COORDINATOR_PASS)
    assert code != 0 and "einddatum" in err


def test_damaged_statistics_records_are_said_not_skipped_silently(team_store, tmp_path):
    """A statistics record damaged in the file: left out of the figures, and said in the
    figures themselves (CSV, PDF's legend) and by the command."""
    from sqlalchemy import text

    build_known_store(team_store)
    at(date(2026, 11, 23))
    with team_store.store.engine.begin() as conn:
        (rid,) = conn.execute(text("SELECT id FROM statistics ORDER BY id LIMIT 1")).one()
        conn.execute(text("UPDATE statistics SET data = :d WHERE id = :i"), {"d": b"\x01" + b"\x00" * 60, "i": rid})
    coord = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    try:
        report = coord.report.report(rp.custom(date(2026, 10, 1), date(2026, 12, 31)))
        assert report.damaged == 1
        assert report.damaged_note.startswith("Let op: 1 registratie van een student kon niet worden gelezen")
        assert "Let op" in rp.to_csv(report).decode("utf-8-sig")
    finally:
        coord.lock()
    team_store.store.close()
    out, err = io.StringIO(), io.StringIO()
    code = main(["report", "--store", str(team_store.path), "--worker", "CC", "--from", "01-10-2026",
                 "--to", "31-12-2026", "--format", "csv", "--out", str(tmp_path / "q4.csv")],
                Console(stdin=io.StringIO(COORDINATOR_PASS + "\n"), stdout=out, stderr=err))
    assert code == 0, err.getvalue()
    assert "1 registratie van een student kon niet worden gelezen" in err.getvalue()
    assert "Let op" in (tmp_path / "q4.csv").read_text(encoding="utf-8-sig")
