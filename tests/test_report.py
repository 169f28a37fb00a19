"""Rapportage: figures from a store built through the real use cases, the cell key
method replayed against the differencing attacks of issue 22, CSV dialect, PDF, the CLI."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import date

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jongerenteam import report as rp
from jongerenteam.cli import Console, main
from jongerenteam.domain import ValidationError
from jongerenteam.municipalities import name_of
from jongerenteam.report import cellkey
from jongerenteam.session import TeamSession
from storage import clock
from storage import report as store_report
from storage.errors import NotAllowed
from storage.models import AuditEntry
from tests.support import (
    AMSTERDAM,
    COORDINATOR_PASS,
    DEN_HAAG,
    UTRECHT,
    WORKER_PASS,
    build_known_store,
    pdf_text,
    plausible,
)
from tests.support import report_student as student
from tests.support import set_store_day as at

Q4 = rp.quarter_of(date(2026, 11, 1))
HELPED = "Studenten geholpen (gesprek of inloop)"


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


def check(shown: dict[str, str], truth: dict[str, int]) -> None:
    for label, true in truth.items():
        assert plausible(shown[label], true), (label, shown[label], true)


@pytest.mark.backends("sqlite", "postgresql")
def test_figures_from_the_use_cases(team_store):
    """Counts per period and municipality follow the store the use cases built, each
    perturbed by at most 2 (cell key method); the same cell gives the same figure in
    every report; small woongemeenten are grouped and get no report of their own."""
    built = build_known_store(team_store)
    at(date(2026, 11, 23))
    coord = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    r = coord.report.report(Q4)
    kern = cells(r, "kern")
    check(kern, {HELPED: 17, "Nieuwe studenten ingeschreven": 17, "Aanmeldingen": 10, "Inloop met naam": 7,
                 "Inloop anoniem": 1, "Gesprekken": 10})
    assert kern["Inloop anoniem"] in ("0", "3")  # one anonymous walk-in is never published as 1
    # The same students, the same figures: again, and as an own period with the same days.
    assert cells(coord.report.report(Q4), "kern") == kern
    assert cells(coord.report.report(rp.custom(Q4.start, Q4.end)), "kern") == kern
    # Amsterdam (6) and Den Haag (1) are never named; Utrecht (10) only when its published figure is 10+.
    g = cells(r, "gemeente")
    assert "Amsterdam" not in g and name_of(DEN_HAAG) not in g
    assert g["totaal"] == kern[HELPED]  # the total is one cell, whatever table shows it
    if "Utrecht" in g:
        assert int(g["Utrecht"]) >= rp.MIN_STUDENTS and plausible(g["Utrecht"], 10)
        assert plausible(g["overige gemeenten"], 7)
    else:
        assert plausible(g["overige gemeenten"], 17)
    assert "overige gemeenten" in r.table("gemeente").note
    niveau = cells(r, "niveau")
    check(niveau, {"Entree": 0, "niveau 1": 0, "niveau 2": 6, "niveau 3": 10, "niveau 4": 1, "totaal": 17})
    # The type of one talk was changed afterwards: the figures follow.
    check(cells(r, "soort"), {"telefonisch": 1, "vervolggesprek": 9, "totaal": 10})
    check(cells(r, "leeftijd"), {"jonger dan 18": 17})
    check(cells(r, "reden"), {"doel bereikt": 5})
    wait = {label: [c.text for c in cs] for label, cs in r.table("wachttijd").rows}
    assert plausible(wait["Eerste gesprek binnen 5 werkdagen"][0], 5)
    assert plausible(wait["Eerste gesprek na meer dan 5 werkdagen"][0], 5)
    assert wait["Mediaan wachttijd (werkdagen)"][0] == "5"
    scores = {label: [c.text for c in cs] for label, cs in r.table("scores").rows}
    assert plausible(scores["Inkomen / schulden"][0], 6) and plausible(scores["Inkomen / schulden"][1], 6)
    assert scores["Inkomen / schulden"][2:] == ["0", "0", "+2,0"]
    # Per municipality (bestuurlijk overleg): Utrecht's own view shows the same cell as the overall table.
    u = coord.report.report(Q4, UTRECHT)
    if "Utrecht" in g:
        assert not u.refused and cells(u, "kern")[HELPED] == g["Utrecht"]
        assert "gemeente" not in {t.key for t in u.tables}
    else:
        assert u.tables == [] and "Te weinig studenten uit Utrecht" in u.refused
    for code in (AMSTERDAM, DEN_HAAG):  # 6 and 1 students: never a profile of their own
        small = coord.report.report(Q4, code)
        assert small.tables == [] and f"Te weinig studenten uit {name_of(code)}" in small.refused
        assert small.refused in rp.to_csv(small).decode("utf-8-sig")
    # Another period: nothing happened in the third quarter.
    assert cells(coord.report.report(Q4.shift(-1)), "kern")["Gesprekken"] == "0"
    # The statistics tier holds no name, birth date or student number; every record its own random key.
    documents = store_report.load_all(team_store.store, coord.keys)[0]
    assert len({d["rk"] for d in documents}) == len(documents) == 17
    raw = orjson.dumps(documents).decode()
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
    assert plausible(cells(r, "kern")[HELPED], 6)
    assert plausible(cells(r, "kern")["Gesprekken"], 6)
    assert plausible(cells(r, "soort")["onbekend"], 6)  # the type is inside the file
    assert store_report.count(team_store.store) == 6
    assert coord.report.backfill_statistics() == 0


def test_a_record_from_before_the_cell_key_method_gets_its_key_once(team_store):
    """A statistics document without a record key gets a random one at the first
    read, written into the sealed record, and keeps it."""
    at(date(2026, 11, 2))
    rec = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS).spreekuur.register_student(
        student(1, UTRECHT, "2"), status="lopend")
    coord = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    store_report.update(team_store.store, coord.keys, rec.id, lambda d: {k: v for k, v in (d or {}).items() if k != "rk"})
    assert "rk" not in store_report.get(team_store.store, coord.keys, rec.id)
    first = store_report.load_all(team_store.store, coord.keys)[0]
    stored = store_report.get(team_store.store, coord.keys, rec.id)["rk"]
    assert [d["rk"] for d in first] == [stored] and 0 <= stored < cellkey.KEY_SPACE
    assert [d["rk"] for d in store_report.load_all(team_store.store, coord.keys)[0]] == [stored]


def tables(report: rp.Report) -> list:
    return [(t.key, t.headers, [(label, [c.text for c in cs]) for label, cs in t.rows], t.note) for t in report.tables]


def test_the_report_reads_each_document_once_as_load_all_lists_them(team_store):
    """Issue 19: one report reads the statistics documents one at a time
    (``each_document``): the same documents as ``load_all`` (the pool of erased
    students expanded), damaged ones counted, and one without a record key counted
    once, after it got its key; the figures are the same as from the list."""
    from sqlalchemy import text

    build_known_store(team_store)
    at(date(2026, 11, 23))
    coord = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    listed, damaged = store_report.load_all(team_store.store, coord.keys)
    with team_store.store.engine.connect() as conn:
        (sid,) = conn.execute(text("SELECT student_id FROM statistics WHERE student_id IS NOT NULL LIMIT 1")).one()
    store_report.update(team_store.store, coord.keys, sid, lambda d: {k: v for k, v in (d or {}).items() if k != "rk"})
    with team_store.store.engine.begin() as conn:
        (rid,) = conn.execute(text("SELECT id FROM statistics WHERE student_id != :s ORDER BY id LIMIT 1"), {"s": sid}).one()
        conn.execute(text("UPDATE statistics SET data = :d WHERE id = :i"), {"d": b"\x01" + b"\x00" * 60, "i": rid})
    documents = store_report.each_document(team_store.store, coord.keys)
    streamed = list(documents)
    assert documents.damaged == 1 and damaged == 0
    assert len(streamed) == len(listed) - 1  # the damaged one left out, the keyless one counted once
    new_key = store_report.get(team_store.store, coord.keys, sid)["rk"]
    assert [d["rk"] for d in streamed].count(new_key) == 1 and streamed[-1]["rk"] == new_key  # last: after its key
    again, damaged = store_report.load_all(team_store.store, coord.keys)
    key = lambda d: orjson.dumps(d, option=orjson.OPT_SORT_KEYS)  # noqa: E731
    assert sorted(map(key, again)) == sorted(map(key, streamed)) and damaged == 1
    report = coord.report.report(Q4)
    assert report.damaged == 1 and report.records == len(streamed)
    assert tables(report) == tables(coord.report.report_from(coord.report.statistics_documents(), Q4))


def test_the_report_command_unlocks_a_lean_session(team_store):
    """Issue 19: the command's session (``lean=True``) decrypts no directory and makes only
    the services it uses, and gives the same figures as the app's session; a student
    without a statistics record still gets one (the directory is decrypted for that)."""
    from storage import students as store_students

    build_known_store(team_store)
    at(date(2026, 11, 23))
    app = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    assert app._directory is not None and len(app._services) == len(TeamSession.FEATURES)
    lean = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS, lean=True)
    assert tables(lean.report.report(Q4)) == tables(app.report.report(Q4))
    assert lean._directory is None  # never decrypted
    assert {type(x).__name__ for x in lean._services} == {"HandoverService", "ReportService"}
    assert lean.sync() is not None and lean._directory is None  # a sync does not need it either
    w = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    row = store_students.add_student(team_store.store, w.keys, student(40, UTRECHT, "2").to_dict(), status="lopend",
                                     contact_worker_id=team_store.worker_id, entries=[("talk", {"type": "app"})])
    lean.report.report(Q4)
    assert lean._directory is not None and row.id in lean.students  # decrypted for the backfill
    assert store_report.get(team_store.store, lean.keys, row.id) is not None
    lean.lock()
    assert lean.is_locked


# -- the perturbation table ---------------------------------------------------------------------


def test_the_perturbation_table():
    """Each row adds up to 1; 0 stays 0; 1 and 2 become 0 or 3; no change beyond D = 2;
    from 4 on unbiased, with variance 1 from TOP on (docs/report-privacy.md)."""
    assert store_report.KEY_BITS == cellkey.KEY_BITS
    for n, row in cellkey.PTABLE.items():
        assert abs(sum(p for _, p in row) - 1) < 1e-12, n
        assert all(abs(change) <= cellkey.D for change, _ in row)
        outputs = {n + change for change, _ in row}
        assert not outputs & {1, 2}, n
    assert {n + c for n in (1, 2) for c, _ in cellkey.PTABLE[n]} == {0, 3}
    for n in (1, 2, 4, 5, 17):
        mean, _ = cellkey.row_stats(n)
        assert abs(mean) < 1e-9, n
    assert abs(cellkey.row_stats(9)[1] - 1.0) < 1e-9
    rnd = random.Random(1)
    seen = Counter(cellkey.perturb(5, rnd.randrange(cellkey.KEY_SPACE)) for _ in range(20000))
    assert set(seen) == {3, 4, 5, 6, 7}
    assert abs(seen[5] / 20000 - 0.45) < 0.02  # the keys fall on the row as the table says
    assert cellkey.perturb(0, 12345) == 0


def test_a_total_is_a_cell_of_its_own():
    """A total is perturbed once from its own count and key (the sum of its records'
    keys), not added up from perturbed parts: the same students give the same total
    in every table, and the parts' noise does not pile up in it."""
    rnd = random.Random(5)
    for _ in range(500):
        parts = [rp.Num() for _ in range(3)]
        for p in parts:
            for _ in range(rnd.randint(0, 6)):
                p.add(rnd.randrange(cellkey.KEY_SPACE))
            p.publish()
        total = rp.Num.total(parts)
        assert total.shown == cellkey.perturb(sum(p.value for p in parts), sum(p.key for p in parts))
    docs = [doc(m, "2") for m in (UTRECHT, AMSTERDAM) for _ in range(12)]
    r = rp.compute(docs, [], Q4)
    assert len({cells(r, k)["totaal"] for k in ("gemeente", "niveau", "leeftijd", "verwijzer")} | {str(kern(r))}) == 1


# -- attacks: the differencing of issue 22, replayed ------------------------------------------------


def doc(m: str, level: str, *, talks=("2026-10-06",), programme="Kok", referrer="zelf", domains=("welzijn",),
        eighteen="2030-01", scores=(), registered=date(2026, 10, 5)) -> dict:
    out = rp.new_document(registered)
    out.update(gemeente=m, niveau=level, opleiding=programme, verwijzer=referrer, domeinen=list(domains), achttien=eighteen)
    out["gesprekken"] = [[t, "vervolggesprek", ""] for t in talks]
    out["aanmeldingen"] = [registered.isoformat()]
    out["scores"] = list(scores)
    out["statussen"] = [[registered.isoformat(), "lopend", ""]]
    return out


def rekey(docs: list[dict], rnd: random.Random) -> list[dict]:
    """The same students with other record keys: another store with the same facts."""
    for d in docs:
        d["rk"] = rnd.randrange(cellkey.KEY_SPACE)
    return docs


RUNS = 300


def guessed(attack, docs: list[dict], truth: int) -> None:
    """Run ``attack`` (records -> the number the attacker derives) over RUNS stores
    that differ only in their random record keys, and assert the attacker cannot
    rely on it: it hits the true hidden count in well under 60% of the stores
    (a cell is published unchanged with probability 0.45), and what comes out
    takes at least three different values, so a hit cannot be told from a miss."""
    rnd = random.Random(22)
    outcomes = Counter(attack(rekey(docs, rnd)) for _ in range(RUNS))
    assert outcomes[truth] / RUNS < 0.6, outcomes
    assert len(outcomes) >= 3, outcomes


def kern(report: rp.Report, label: str = HELPED) -> int:
    return int(cells(report, "kern")[label])


def test_attack_one_report_total_minus_the_shown_rows():
    """Issue 22: 'x' and '<5' next to a total of 80 gave 5 and 1. Now: the small woongemeenten
    are one 'overige gemeenten' cell, and total minus the named rows is not their count."""
    docs = ([doc(UTRECHT, "2") for _ in range(40)] + [doc(AMSTERDAM, "3") for _ in range(34)]
            + [doc(DEN_HAAG, "2") for _ in range(5)] + [doc("GM0193", "4")])

    def names(r: rp.Report) -> set[str]:
        return set(cells(r, "gemeente"))

    r = rp.compute(docs, [], Q4)
    assert "Zwolle" not in names(r) and "overige gemeenten" in names(r)

    def attack(ds: list[dict]) -> int:
        g = cells(rp.compute(ds, [], Q4), "gemeente")
        return int(g["totaal"]) - sum(int(v) for k, v in g.items() if k in ("Utrecht", "Amsterdam"))

    guessed(attack, docs, 6)
    # Zwolle's one student: never a report of its own, never its count.
    assert rp.compute(docs, [], Q4, "GM0193").refused


def test_attack_subtracting_periods():
    """Issue 22: Q4 minus October and November gave December's hidden count; two small months
    with a visible two-month total were both pinned. Totals are cells of their own: noise."""
    docs = ([doc(UTRECHT, "2", talks=("2026-10-06",)) for _ in range(30)]
            + [doc(UTRECHT, "2", talks=("2026-11-06",)) for _ in range(30)]
            + [doc(UTRECHT, "2", talks=("2026-12-07",)) for _ in range(4)])
    oct_, nov = (rp.month_of(date(2026, m, 1)) for m in (10, 11))

    def december(ds):
        return kern(rp.compute(ds, [], Q4)) - kern(rp.compute(ds, [], oct_)) - kern(rp.compute(ds, [], nov))

    guessed(december, docs, 4)

    two = [doc(UTRECHT, "2", talks=("2026-10-06",)) for _ in range(4)] + [doc(UTRECHT, "2", talks=("2026-11-06",)) for _ in range(4)]
    both = rp.custom(date(2026, 10, 1), date(2026, 11, 30))

    def november(ds):
        return kern(rp.compute(ds, [], both)) - kern(rp.compute(ds, [], oct_))

    guessed(november, two, 4)


def test_attack_one_municipality_against_the_total():
    """Issue 22: one municipality's talks came out as 1 (one student's). Total minus every
    named woongemeente is noise; the woongemeente itself gets no report."""
    docs = ([doc(UTRECHT, "2", talks=("2026-12-07",)) for _ in range(20)]
            + [doc(AMSTERDAM, "2", talks=("2026-12-07",)) for _ in range(20)]
            + [doc(DEN_HAAG, "2", talks=("2026-12-07",))])
    dec = rp.month_of(date(2026, 12, 1))

    def den_haag(ds):
        r = rp.compute(ds, [], dec)
        shown = {code: kern(rp.compute(ds, [], dec, code), "Gesprekken") for code in (UTRECHT, AMSTERDAM)
                 if not rp.compute(ds, [], dec, code).refused}
        return kern(r, "Gesprekken") - sum(shown.values())

    guessed(den_haag, docs, 1)
    assert rp.compute(docs, [], dec, DEN_HAAG).tables == []


def test_attack_the_age_split_and_one_more_walk_in():
    """Issue 22: re-running a month after one more walk-in revealed the hidden under/over-18
    split. Before: 3 under 18 among 20; after: a fourth. The difference is noise."""
    month = rp.month_of(date(2026, 10, 1))
    base = [doc(UTRECHT, "2", eighteen="2030-01") for _ in range(3)] + [doc(UTRECHT, "2", eighteen="2020-01") for _ in range(17)]

    def under(r):
        return int(cells(r, "leeftijd")["jonger dan 18"])

    def total_minus_over(ds):
        c = cells(rp.compute(ds, [], month), "leeftijd")
        return int(c["totaal"]) - int(c["18 of ouder"])

    guessed(total_minus_over, base, 3)

    def before_from_after(ds):
        *before, newcomer = ds
        after = under(rp.compute([*before, newcomer], [], month))
        return after - 1  # the attacker knows the newcomer is under 18 and subtracts them

    guessed(before_from_after, [*base, doc(UTRECHT, "2", eighteen="2030-01")], 3)
    newcomer = doc(UTRECHT, "2", eighteen="2030-01")
    # The same students before and after give the same figure: only the cells the newcomer is in move.
    rnd = random.Random(3)
    rekey(base, rnd)
    before, after = rp.compute(base, [], month), rp.compute([*base, newcomer], [], month)
    assert cells(before, "leeftijd")["18 of ouder"] == cells(after, "leeftijd")["18 of ouder"]


def test_a_small_municipality_is_not_profiled_and_rare_programmes_are_grouped():
    """Issue 22: a woongemeente with one student showed their domains, level, programme,
    referrer and age. Its report now says why it shows nothing; a rare programme is 'overig'."""
    # Four from 's-Gravenhage: published as 2 to 6 (never 0), so without the grouping its row would show.
    docs = [doc(UTRECHT, "3", programme="Kok") for _ in range(12)] + [
        doc(DEN_HAAG, "1", programme="Smid", referrer="ouder", domains=("justitie", "gezondheid"), eighteen="2030-01")
        for _ in range(4)]
    own = rp.compute(docs, [], Q4, DEN_HAAG)
    assert own.tables == []
    assert own.refused.startswith("Te weinig studenten uit 's-Gravenhage in deze periode (minder dan 10)")
    csv_text = rp.to_csv(own).decode("utf-8-sig")
    assert "Justitie" not in csv_text and "Smid" not in csv_text and own.refused in csv_text
    assert render(own)
    overall = rp.compute(docs, [], Q4)
    assert "Smid" not in cells(overall, "opleiding") and "overig" in cells(overall, "opleiding")
    assert name_of(DEN_HAAG) not in cells(overall, "gemeente")


def render(report: rp.Report) -> bytes:
    pdf = rp.render_pdf(report)
    assert pdf.startswith(b"%PDF")
    return pdf


# -- properties over random small stores -------------------------------------------------------------

MUNIS = (UTRECHT, AMSTERDAM, DEN_HAAG)
MONTHS = ("2026-10-06", "2026-11-10", "2026-12-07")


@st.composite
def stores(draw) -> list[dict]:
    n = draw(st.integers(0, 40))
    out = []
    for _ in range(n):
        d = doc(draw(st.sampled_from(MUNIS)), draw(st.sampled_from(["Entree", "1", "2", "3", "4", ""])),
                talks=tuple(draw(st.lists(st.sampled_from(MONTHS), max_size=3))),
                referrer=draw(st.sampled_from(["zelf", "ouder", "docent"])),
                domains=tuple(draw(st.sets(st.sampled_from(["welzijn", "justitie", "wonen"]), max_size=2))),
                eighteen=draw(st.sampled_from(["2026-11", "2030-01", "2020-01"])))
        d["rk"] = draw(st.integers(0, cellkey.KEY_SPACE - 1))
        out.append(d)
    return out


def count_cells(report: rp.Report):
    """Every published count (not shares, means or medians)."""
    for t in report.tables:
        width = 4 if t.key == "scores" else 1
        for label, cs in [*t.rows, *([t.total] if t.total else [])]:
            if label.startswith("Mediaan"):
                continue
            yield from (c.text for c in cs[:width])


@settings(max_examples=60, deadline=None)
@given(stores(), st.sampled_from([Q4, rp.month_of(date(2026, 11, 1)), rp.custom(date(2026, 10, 1), date(2026, 11, 30))]))
def test_properties_over_random_stores(docs, period):
    """For any store: no count is published as 1 or 2; the kern figures are within the
    table of the truth; the same records give the same figure in every view and order;
    a woongemeente's own report shows figures exactly when the overall table names it."""
    overall = rp.compute(docs, [], period)
    in_period = [d for d in docs if any(period.start.isoformat() <= t[0] <= period.end.isoformat() for t in d["gesprekken"])]
    assert plausible(cells(overall, "kern")[HELPED], len(in_period))
    talks = sum(period.start.isoformat() <= t[0] <= period.end.isoformat() for d in docs for t in d["gesprekken"])
    assert plausible(cells(overall, "kern")["Gesprekken"], talks)
    named = cells(overall, "gemeente")
    for m in MUNIS:
        view = rp.compute(docs, [], period, m)
        for report in (overall, view):
            assert not {"1", "2"} & set(count_cells(report))
        if view.refused:
            assert name_of(m) not in named
            continue
        assert cells(view, "kern")[HELPED] == named[name_of(m)]
        own = sum(1 for d in in_period if d["gemeente"] == m)
        assert plausible(named[name_of(m)], own) and int(named[name_of(m)]) >= rp.MIN_STUDENTS
        # Other municipalities' students and the order of the records change nothing in this view.
        mine = [d for d in docs if d["gemeente"] == m]
        alone = rp.compute(list(reversed(mine)), [], period, m)
        for key in ("kern", "niveau", "verwijzer", "leeftijd", "leefdomein", "soort"):
            assert cells(alone, key) == cells(view, key), key


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
    assert len(flat["Gesprekken"]) == 1 and plausible(flat["Gesprekken"][0], 10)
    # The privacy legend, in plain Dutch, as a "Let op" row.
    assert ["Let op", rp.TEXT["legend"]] in rows
    assert "klein beetje veranderd" in rp.TEXT["legend"] and "nooit" in rp.TEXT["legend"]
    assert flat["Inkomen / schulden"][-1] == "+2,0"  # decimal comma
    assert flat["Mediaan wachttijd (werkdagen)"][0] == "5"
    assert "Sam0" not in text
    pdf = coord.report.export_report(r, "pdf", tmp_path / "cijfers.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "klein beetje veranderd" in " ".join(pdf_text(pdf.read_bytes()).split())  # the legend under the title
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
    written = (tmp_path / "q4.csv").read_text(encoding="utf-8-sig")
    (talks,) = [line for line in written.splitlines() if line.startswith('"Gesprekken";')]
    assert plausible(talks.split(";")[1], 10)  # text quoted, figures plain
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
        assert report.damaged_note in rp.to_csv(report).decode("utf-8-sig")
    finally:
        coord.lock()
    team_store.store.close()
    out, err = io.StringIO(), io.StringIO()
    code = main(["report", "--store", str(team_store.path), "--worker", "CC", "--from", "01-10-2026",
                 "--to", "31-12-2026", "--format", "csv", "--out", str(tmp_path / "q4.csv")],
                Console(stdin=io.StringIO(COORDINATOR_PASS + "\n"), stdout=out, stderr=err))
    assert code == 0, err.getvalue()
    assert "1 registratie van een student kon niet worden gelezen" in err.getvalue()
    assert "Let op: 1 registratie van een student" in (tmp_path / "q4.csv").read_text(encoding="utf-8-sig")
