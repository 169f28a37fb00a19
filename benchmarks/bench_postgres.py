"""Several laptops on one PostgreSQL store, against one laptop on SQLite.

    python benchmarks/bench_postgres.py [--duration 60] [--clients 5] [--seed-students 200]

Starts a throwaway PostgreSQL cluster on 127.0.0.1 (tests/pg.py, with
PostgreSQL's durable defaults: fsync and synchronous_commit on), or uses
$JONGERENTEAM_TEST_PG_URL. Builds a team with one worker per client and
``--seed-students`` students, then runs, one phase after the other, each for
``--duration`` seconds:

1. ``--clients`` processes at once against PostgreSQL (the issue: five);
2. one process against PostgreSQL (what the network and server cost alone);
3. one process against a SQLite file (today's single laptop).

Every client does the spreekuur's work in a loop, chosen at random with a
fixed seed: 40 % walk-in intakes (``TeamSession.register_student``), 50 %
talks (``TeamSession.add_entry`` on a random student of the directory,
sealed when the worker is not involved), and 10 % edits of one of ten
"busy" students saved from the version the client last read, so that two
clients editing the same student meet the optimistic-concurrency check. A
refused edit counts as a conflict; the client then re-reads the student,
as a user who pressed "herlaad" would. Every call is timed from the call to
its return (validation, encryption, SQL, commit).

Reports per phase: operations per second, p50/p95/max latency per kind and
over all saves, the number of conflicts and of other errors. The cheap test
KDF is used (it only changes unlock, which is not measured).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["JONGERENTEAM_INSECURE_TEST_KDF"] = "1"
os.environ["JONGERENTEAM_BENCHMARK"] = "1"  # the mark that lets the test KDF count (jongerenteam.settings)

PASS = "benchmark wachtwoord zin {n}"  # noqa: S105 - a made-up passphrase for made-up data
BUSY_STUDENTS = 10


def _details(rng: random.Random, n: int):
    from jongerenteam.domain import StudentDetails

    return StudentDetails(
        first_name=rng.choice(["Sanne", "Daan", "Noor", "Milan", "Yara", "Sem", "Lotte", "Finn"]),
        last_name=rng.choice(["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer"]) + f" {n}",
        birth_date=date(2006 + rng.randrange(4), 1 + rng.randrange(12), 1 + rng.randrange(28)),
        student_number=f"B{n:07d}",
        programme="Verzorgende IG",
        level="3",
        year=1,
        municipality_code="GM0193",
        contact_preference="whatsapp",
        contact_value="0612345678",
        leefdomeinen=["inkomen"],
    )


# --- set-up ---------------------------------------------------------------------------


def build_team(location: str, clients: int, seed_students: int) -> tuple[list[str], list[str]]:
    """A team with one worker per client and seed students; returns (worker ids, busy student ids)."""
    from jongerenteam.session import TeamSession
    from jongerenteam.settings import kdf_params
    from storage import team
    from storage.store import Store

    params = kdf_params()
    store = Store.create(location)
    try:
        coord, _ = team.create_team(
            store, "Benchmarkteam",
            team.WorkerDetails("Coördinator Bench", "CB", team.COORDINATOR, "wijkteam"),
            PASS.format(n=0), params,
        )
        keys = team.unlock(store, coord, PASS.format(n=0))
        workers = [
            team.add_worker(
                store, keys,
                team.WorkerDetails(f"Medewerker {i}", f"M{i}", team.WORKER, "jeugdhulp"),
                PASS.format(n=i), params,
            )
            for i in range(1, clients + 1)
        ]
        session = TeamSession.unlock(store, coord, PASS.format(n=0))
        rng = random.Random(1)
        ids = [session.spreekuur.register_student(_details(rng, n)).id for n in range(seed_students)]
        session.lock()
        return workers, ids[:BUSY_STUDENTS]
    finally:
        store.close()


# --- one client (a child process) -------------------------------------------------------


def client(args) -> int:
    from jongerenteam.directory import record_of
    from jongerenteam.session import TeamSession
    from storage import students
    from storage.errors import Conflict, StoreError
    from storage.store import Store

    location = sys.stdin.readline().rstrip("\n")  # not in argv: ps would show a password
    passphrase = sys.stdin.readline().rstrip("\n")
    busy = args.busy.split(",")
    store = Store.open(location)
    session = TeamSession.unlock(store, args.worker_id, passphrase)
    rng = random.Random(args.seed)
    directory = list(session.students)
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return 1
    lat: dict[str, list[float]] = {"intake": [], "talk": [], "edit": []}
    conflicts = errors = 0
    n = 0
    deadline = time.monotonic() + args.duration
    while time.monotonic() < deadline:
        roll = rng.random()
        t0 = time.perf_counter()
        try:
            if roll < 0.4:
                kind = "intake"
                rec = session.spreekuur.register_student(_details(rng, 10_000_000 + args.seed * 100_000 + n))
                directory.append(rec.id)
            elif roll < 0.9:
                kind = "talk"
                session.dossier.add_entry(rng.choice(directory), "gesprek", {"tekst": "x" * rng.randrange(200, 1200)})
            else:
                kind = "edit"
                sid = rng.choice(busy)
                rec = session.students[sid]
                changed = dataclasses.replace(rec.details, programme=f"Opleiding {n}")
                try:
                    session.dossier.update_student(rec, changed)
                except Conflict:
                    conflicts += 1
                    session.students[sid] = record_of(students.get_student(store, session.keys, sid))
                    continue
        except StoreError:
            errors += 1
            continue
        lat[kind].append(time.perf_counter() - t0)
        n += 1
    session.lock()
    store.close()
    print(json.dumps({"lat": lat, "conflicts": conflicts, "errors": errors}), flush=True)
    return 0


# --- phases -------------------------------------------------------------------------


class LockSampler:
    """Every 50 ms: how many of the app's server connections wait for the audit-chain lock."""

    def __init__(self, server, database: str) -> None:
        import threading

        self.server, self.database = server, database
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.server.admin_url, autocommit=True) as con:
            while not self._stop.is_set():
                n = con.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND wait_event_type = 'Lock' AND wait_event = 'advisory'",
                    (self.database,),
                ).fetchone()[0]
                self.samples.append(n)
                time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        if not self.samples:
            return {}
        return {
            "samples": len(self.samples),
            "mean_waiting": round(statistics.mean(self.samples), 2),
            "share_with_a_waiter": round(sum(1 for x in self.samples if x) / len(self.samples), 2),
        }


def run_phase(location: str, workers: list[str], busy: list[str], duration: float, sampler=None) -> dict:
    procs = []
    for i, wid in enumerate(workers):
        p = subprocess.Popen(
            [sys.executable, __file__, "--child", "--worker-id", wid,
             "--busy", ",".join(busy), "--seed", str(i + 1), "--duration", str(duration)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )
        p.stdin.write(location + "\n" + PASS.format(n=wid_index[wid]) + "\n")
        p.stdin.flush()
        procs.append(p)
    for p in procs:
        line = p.stdout.readline()
        if line.strip() != "ready":
            raise SystemExit(f"client did not start: {line!r}")
    load_before = os.getloadavg()[0]
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    results = []
    if sampler is not None:
        sampler.__enter__()
    try:
        for p in procs:
            out, _ = p.communicate(timeout=duration + 120)
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        if sampler is not None:
            sampler.__exit__(None, None, None)
    lat = {k: [x for r in results for x in r["lat"][k]] for k in ("intake", "talk", "edit")}
    saves = [x for v in lat.values() for x in v]
    return {
        "clients": len(workers),
        "duration_s": duration,
        "ops": len(saves),
        "ops_per_s": len(saves) / duration,
        "conflicts": sum(r["conflicts"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "by_kind": {k: _stats(v) for k, v in lat.items()},
        "all": _stats(saves),
        "load_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "audit_lock_waiters": sampler.summary() if sampler is not None else None,
    }


wid_index: dict[str, int] = {}


def _stats(xs: list[float]) -> dict:
    if not xs:
        return {"n": 0}
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
    return {
        "n": len(xs),
        "p50_ms": round(statistics.median(xs) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(xs[-1] * 1000, 2),
    }


def _print(name: str, r: dict) -> None:
    a = r["all"]
    print(f"\n{name}: {r['clients']} client(s), {r['duration_s']:.0f} s")
    print(f"  saves: {r['ops']}  ({r['ops_per_s']:.1f}/s)   conflicts: {r['conflicts']}   other errors: {r['errors']}")
    print(f"  all saves   p50 {a.get('p50_ms', '-')} ms   p95 {a.get('p95_ms', '-')} ms   max {a.get('max_ms', '-')} ms")
    print(f"  load average (1 min) before/after: {r['load_1min_before_after']}")
    if r["audit_lock_waiters"]:
        print(f"  connections waiting for the audit-chain lock: {r['audit_lock_waiters']}")
    for kind, s in r["by_kind"].items():
        if s["n"]:
            print(f"  {kind:<7} n={s['n']:<6} p50 {s['p50_ms']} ms   p95 {s['p95_ms']} ms   max {s['max_ms']} ms")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--duration", type=float, default=60.0, help="seconds per phase (default 60)")
    p.add_argument("--clients", type=int, default=5)
    p.add_argument("--seed-students", type=int, default=200)
    p.add_argument("--skip-single-pg", action="store_true", help="leave out phase 2")
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    # child mode
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--worker-id", help=argparse.SUPPRESS)
    p.add_argument("--busy", help=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return client(args)

    from tests.pg import URL_ENV, PgServer

    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    server = PgServer.external(os.environ[URL_ENV]) if os.environ.get(URL_ENV) else PgServer.start(durable=True)
    tmp = Path(tempfile.mkdtemp(prefix="jt-bench-pg-"))
    results = {}
    try:
        version = server.admin("postgres", "SHOW server_version")[0][0]
        settings = dict(server.admin(
            "postgres",
            "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers')",
        ))
        print(f"PostgreSQL {version} on 127.0.0.1 ({settings}); SQLite: {tmp}")
        url = server.new_database("bench")
        workers, busy = build_team(url, args.clients, args.seed_students)
        for i, w in enumerate(workers, 1):
            wid_index[w] = i
        from tests.pg import database_of

        results["postgresql_multi"] = run_phase(
            url, workers, busy, args.duration, LockSampler(server, database_of(url))
        )
        _print(f"PostgreSQL, {args.clients} clients at once", results["postgresql_multi"])
        if not args.skip_single_pg:
            url1 = server.new_database("bench")
            w1, b1 = build_team(url1, 1, args.seed_students)
            wid_index[w1[0]] = 1
            results["postgresql_single"] = run_phase(url1, w1, b1, args.duration)
            _print("PostgreSQL, 1 client", results["postgresql_single"])
        path = str(tmp / "team.jt")
        ws, bs = build_team(path, 1, args.seed_students)
        wid_index[ws[0]] = 1
        results["sqlite_single"] = run_phase(path, ws, bs, args.duration)
        _print("SQLite, 1 client", results["sqlite_single"])
    finally:
        server.stop()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
