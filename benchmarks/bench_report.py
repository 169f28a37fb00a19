"""The full report for 50,000 students and 500,000 talks (target: below 2 s).

    JONGERENTEAM_INSECURE_TEST_KDF=1 python benchmarks/bench_report.py [--students 50000] [--talks 10] [--repeat 3]

Builds a fresh SQLite store (cheap test key derivation) with one
statistics record per student, written in bulk the way
``storage.report`` seals them: ``--talks`` talks per student spread
over a school year, two or three leefdomein scores, walk-ins, aanmeldingen
and status changes, over 30 municipalities and 60 programmes. Then, in one
process, each the median of ``--repeat`` runs:

(a) baseline: the bare decrypt of every record (``open_column``, no JSON);
(b) ``store_report.load_all``: decrypt and parse every document;
(c) ``report.compute`` for a school year, all municipalities (counting,
    perturbation, issue 22);
(d) ``TeamSession.report``: everything a coördinator waits for (the
    backfill check, reading, the anonymous walk-ins, computing).

Prints the figures of the report and the ratio of (d) against (a).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics as pystats
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("JONGERENTEAM_INSECURE_TEST_KDF", "1")
os.environ["JONGERENTEAM_BENCHMARK"] = "1"  # the mark that lets the test KDF count (jongerenteam.settings)

import orjson
from sqlalchemy import insert, select

from jongerenteam import report as rp
from jongerenteam.catalogue import CLOSE_REASONS, LEEFDOMEIN_CODES, LEVELS, REFERRERS
from jongerenteam.municipalities import MUNICIPALITIES
from jongerenteam.session import TeamSession
from jongerenteam.settings import kdf_params
from storage import report as store_report
from storage import team
from storage.crypto import open_column, seal_field
from storage.models import StatisticsRecord
from storage.store import Store

PASS = "bench passphrase for the report"  # noqa: S105 - a made-up passphrase for made-up data
TYPES = list(rp.TALK_TYPE_LABELS)


def documents(n: int, talks: int, rnd: random.Random) -> list[dict]:
    munis = sorted(MUNICIPALITIES)[:30]
    weights = [30 if i < 5 else 3 for i in range(len(munis))]
    programmes = [f"Opleiding {i}" for i in range(60)]
    start = date(2025, 8, 1)
    out = []
    for _ in range(n):
        reg = start + timedelta(days=rnd.randint(0, 364))
        doc = rp.new_document(reg)
        doc.update(
            gemeente=rnd.choices(munis, weights)[0], niveau=rnd.choice(LEVELS), opleiding=rnd.choice(programmes),
            verwijzer=rnd.choice(list(REFERRERS)), domeinen=rnd.sample(LEEFDOMEIN_CODES, rnd.randint(1, 3)),
            achttien=f"{rnd.randint(2024, 2028)}-{rnd.randint(1, 12):02d}",
        )
        doc["aanmeldingen"] = [reg.isoformat()] if rnd.random() < 0.5 else []
        doc["inloop"] = [reg.isoformat()] if not doc["aanmeldingen"] else []
        days = sorted(rnd.randint(0, 200) for _ in range(talks))
        doc["gesprekken"] = [[(reg + timedelta(days=d)).isoformat(), rnd.choice(TYPES), str(uuid.uuid4())] for d in days]
        dom = doc["domeinen"][0]
        doc["scores"] = [[(reg + timedelta(days=30 * k)).isoformat(), dom, rnd.randint(1, 5)] for k in range(rnd.randint(1, 3))]
        doc["statussen"] = [[reg.isoformat(), "lopend", ""]]
        if rnd.random() < 0.3:
            doc["statussen"].append([(reg + timedelta(days=150)).isoformat(), "afgesloten", rnd.choice(list(CLOSE_REASONS))])
        out.append(doc)
    return out


def build(path: Path, n: int, talks: int) -> tuple[Store, str]:
    store = Store.create(str(path))
    coord_id, _ = team.create_team(
        store, "Bench", team.WorkerDetails("Cora Coördinator", "CC", team.COORDINATOR, "wijkteam"), PASS, kdf_params(),
    )
    keys = team.unlock(store, coord_id, PASS)
    rnd = random.Random(2026)
    now = datetime.now(UTC)
    docs = documents(n, talks, rnd)
    rows = []
    for doc in docs:
        rid = str(uuid.uuid4())
        # student_id None: anonymous records (as after an erasure), so no directory is needed.
        rows.append({"id": rid, "student_id": None, "updated_at": now, "version": 1,
                     "data": seal_field(keys.directory, "statistics", "data", rid, orjson.dumps(doc))})
    with store.session() as s:
        for i in range(0, len(rows), 5000):
            s.execute(insert(StatisticsRecord), rows[i:i + 5000])
    return store, coord_id


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return pystats.median(times), result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=50_000)
    ap.add_argument("--talks", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        store, coord_id = build(Path(tmp) / "bench.jt", args.students, args.talks)
        print(f"store built: {args.students} students, {args.students * args.talks} talks in {time.perf_counter() - t0:.1f} s")
        session = TeamSession.unlock(store, coord_id, PASS)
        keys = session.keys
        year = rp.school_year_of(date(2025, 9, 1))

        def bare():
            with store.reading() as s:
                rows = s.execute(select(StatisticsRecord.id, StatisticsRecord.data)).all()
            return sum(1 for _, raw in open_column(keys.directory, "statistics", "data", rows) if raw)

        base, _ = timed(bare, args.repeat)
        load, (docs, _) = timed(lambda: store_report.load_all(store, keys), args.repeat)
        compute, _ = timed(lambda: rp.compute(docs, [], year), args.repeat)
        full, report = timed(lambda: session.report.report(year), args.repeat)
        town = docs[0]["gemeente"]
        one, _ = timed(lambda: session.report.report(year, town), args.repeat)
        print(f"(a) bare decrypt of {len(docs)} records: {base * 1000:.0f} ms")
        print(f"(b) decrypt + parse (load_all):        {load * 1000:.0f} ms")
        print(f"(c) compute + perturb (school year):  {compute * 1000:.0f} ms")
        print(f"(d) full report (TeamSession.report):  {full * 1000:.0f} ms  = {full / base:.1f} x (a)")
        print(f"(e) full report, one municipality:     {one * 1000:.0f} ms")
        print(f"target (d) < 2000 ms: {'OK' if full < 2 else 'MISSED'}")
        for t in report.tables[:4]:
            print(f"-- {t.title}")
            for label, cells in t.rows[:6]:
                print(f"   {label:<45} {' '.join(c.text for c in cells)}")
        session.lock()
        store.close()


if __name__ == "__main__":
    main()
