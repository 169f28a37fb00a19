"""The full report for 50,000 students and 500,000 talks (target: below 2 s).

    JONGERENTEAM_INSECURE_TEST_KDF=1 python benchmarks/bench_report.py [--students 50000] [--talks 10] [--repeat 3]
    python benchmarks/bench_report.py --bench-store [--team real] [--cli 3] [--json]

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

With ``--bench-store`` (``run_all.py`` runs it so) the store is a copy of the
cached benchmark store of ``--students`` students (``build_store.py``,
``--team real``: the directory of a real team to unlock), and every student
gets a statistics document like the ones above (``storage.report.add_many``).
Then also (f): the installed command, ``jongerenteam report --from --to
--out FILE.pdf`` as the coördinator, timed from process start to exit
(``--cli`` runs, median): the process, the unlock (since issue 19 without
the directory, which the command decrypts only for students without a
statistics record: none here), the report and the PDF written. The passphrase goes in on stdin (the command
reads a line when stdin is no terminal); the child gets no JONGERENTEAM_
variables, as a worker's shell has none.

Byte-code, as in bench_coldstart.py: an installed program runs from compiled
byte-code, which a development shell with PYTHONDONTWRITEBYTECODE=1 never
writes, so jongerenteam's own modules were compiled from source in every
run of the command. The children run without that variable and with
PYTHONPYCACHEPREFIX in the benchmark directory (nothing is written into the
source tree), after one untimed run that fills it; ``--as-is`` keeps the
environment as it is (how the figures before issue 19 were taken).
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
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("JONGERENTEAM_INSECURE_TEST_KDF", "1")
os.environ["JONGERENTEAM_BENCHMARK"] = "1"  # the mark that lets the test KDF count (jongerenteam.settings)

import orjson
from measure import Result, emit, summary
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
REPORT_TARGET_S = 2.0


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


def fill_bench_store(path: Path, coord_id: str, passphrase: str, talks: int) -> int:
    """One statistics document per student of a benchmark store (``build_store.py``), with
    ``talks`` talks each, sealed by ``storage.report.add_many``; returns how many."""
    from storage.students import load_directory

    store = Store.open(str(path))
    try:
        keys = team.unlock(store, coord_id, passphrase)
        rows, _damaged = load_directory(store, keys)
        ids = [r.id for r in rows]
        docs = documents(len(ids), talks, random.Random(2026))
        return store_report.add_many(store, keys, dict(zip(ids, docs, strict=True)))
    finally:
        store.close()


def time_cli(
    path: Path, initials: str, passphrase: str, year: rp.Period, repeat: int, out_dir: Path, *, as_is: bool = False
) -> list[float]:
    """The installed ``jongerenteam report`` command, from start to exit: the process, unlock,
    the report and the PDF written. The passphrase goes in on stdin (the command reads a
    line when stdin is no terminal), never on the command line. Byte-code: see the top."""
    import shutil
    import subprocess

    from build_store import bench_dir

    command = shutil.which("jongerenteam", path=str(Path(sys.executable).parent)) or shutil.which("jongerenteam")
    if command is None:
        raise RuntimeError("the jongerenteam command is not installed (pip install -e .)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JONGERENTEAM_")}  # as a worker runs it
    env["HOME"] = str(out_dir)  # its error log and Documents stay in the benchmark's folder
    if not as_is:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bench_dir() / "pycache")
    times = []
    for i in range(repeat if as_is else repeat + 1):  # the first run fills the byte-code cache: not timed
        target = out_dir / f"rapportage-{i}.pdf"
        t0 = time.perf_counter()
        proc = subprocess.run(
            [command, "--store", str(path), "report", "--worker", initials, "--from", f"{year.start:%d-%m-%Y}",
             "--to", f"{year.end:%d-%m-%Y}", "--out", str(target)],
            input=passphrase + "\n", capture_output=True, text=True, env=env, check=False,
        )
        took = time.perf_counter() - t0
        if proc.returncode != 0 or not target.exists():
            sys.stderr.write(proc.stderr)
            raise RuntimeError(f"jongerenteam report failed with exit code {proc.returncode}")
        if as_is or i > 0:
            times.append(took)
    return times


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=50_000)
    ap.add_argument("--talks", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--bench-store", action="store_true",
                    help="on a copy of the benchmark store of --students students (build_store.py, --team) "
                         "instead of a fresh store of anonymous records; also times the installed command")
    ap.add_argument("--team", choices=("real", "worst"), default="real")
    ap.add_argument("--cli", type=int, default=3, help="with --bench-store: runs of `jongerenteam report`")
    ap.add_argument("--as-is", action="store_true",
                    help="run the command with PYTHONDONTWRITEBYTECODE / PYTHONPYCACHEPREFIX as the environment has them")
    ap.add_argument("--json", action="store_true", help="print the results for run_all.py")
    args = ap.parse_args(argv)
    say = (lambda text: print(text, file=sys.stderr, flush=True)) if args.json else print
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        if args.bench_store:
            from build_store import PASSPHRASE, WORKERS, copy_of, ensure_store

            bs = ensure_store(args.students, team=args.team)
            copy = copy_of(bs, Path(tmp))
            coord_id, passphrase = bs.worker_id, PASSPHRASE
            made = fill_bench_store(copy.path, coord_id, passphrase, args.talks)
            store = Store.open(str(copy.path))
            say(f"copy of {bs.path.name} with {made} statistics records, {made * args.talks} talks, "
                f"in {time.perf_counter() - t0:.1f} s")
        else:
            store, coord_id = build(Path(tmp) / "bench.jt", args.students, args.talks)
            passphrase = PASS
            say(f"store built: {args.students} students, {args.students * args.talks} talks in {time.perf_counter() - t0:.1f} s")
        session = TeamSession.unlock(store, coord_id, passphrase)
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
        say(f"(a) bare decrypt of {len(docs)} records: {base * 1000:.0f} ms")
        say(f"(b) decrypt + parse (load_all):        {load * 1000:.0f} ms")
        say(f"(c) compute + perturb (school year):  {compute * 1000:.0f} ms")
        say(f"(d) full report (TeamSession.report):  {full * 1000:.0f} ms  = {full / base:.1f} x (a)")
        say(f"(e) full report, one municipality:     {one * 1000:.0f} ms")
        say(f"target (d) < 2000 ms: {'OK' if full < 2 else 'MISSED'}")
        for t in report.tables[:4]:
            say(f"-- {t.title}")
            for label, cells in t.rows[:6]:
                say(f"   {label:<45} {' '.join(c.text for c in cells)}")
        session.lock()
        store.close()
        n = args.students
        where = f"{args.team} team store, {n * args.talks:,} talks" if args.bench_store else f"{n * args.talks:,} talks"
        results = [
            Result("report", "full report (TeamSession.report), school year", n, full, "s", REPORT_TARGET_S,
                   note=f"median of {args.repeat}; {where}; bare decrypt {base * 1000:.0f} ms, "
                   f"compute {compute * 1000:.0f} ms, one municipality {one * 1000:.0f} ms"),
        ]
        if args.bench_store and args.cli:
            initials = next(w[1] for w in WORKERS if w[2] == "coordinator")
            cli = summary(time_cli(copy.path, initials, passphrase, year, args.cli, Path(tmp), as_is=args.as_is))
            say(f"(f) `jongerenteam report` (PDF), start to exit: {cli['median']:.2f} s median of {cli['n']}")
            results.append(Result(
                "report", "`jongerenteam report` (PDF), process start to exit", n, cli["median"], "s", REPORT_TARGET_S,
                note=f"median of {cli['n']}, max {cli['max']:.2f} s; unlock, report, PDF written; {where}"))
    if args.json:
        emit(results, as_json=True)
    else:
        for r in results:
            print(r.line())


if __name__ == "__main__":
    main()
