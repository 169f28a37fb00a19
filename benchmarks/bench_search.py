"""Name search over the unlocked directory (TeamSession.search).

    python benchmarks/bench_search.py [--sizes 1000 10000 50000] [--queries 200]

Queries are drawn from the store's own (invented) students, the way a
worker types at the spreekuur: part of a last name, a student number prefix,
a full birth date 'dd-mm-yyyy', 2- and 3-letter fragments, first name plus
part of the last name, and queries that find nothing. Each query is timed
through ``TeamSession.search`` (the index plus turning ids into records),
with the app's default limit of 50 hits.
Target (issue): p95 below 5 ms at 50,000 students.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

from measure import Result, emit, percentile, print_machine, summary

TARGET_MS = 5.0
TARGET_SIZE = 50000
ROUNDS = 5  # every query is run this many times; each run is one sample
# Typos and impossible values; the last ones pair a common word with a miss,
# so every student matching the common word is checked and rejected.
NO_HIT = ("xq", "qzx", "zzyzx", "31-02-2007", "0000000", "vanderwxyz", "jan qzx", "de xq")


def make_queries(records, per_kind: int, seed: int = 42) -> dict[str, list[str]]:
    rnd = random.Random(seed)
    people = [r.details for r in records]
    pick = lambda: rnd.choice(people)  # noqa: E731

    def part_of(text: str, lo: int, hi: int) -> str:
        text = text.replace(" ", "")
        if len(text) <= lo:
            return text
        k = rnd.randint(lo, min(hi, len(text)))
        i = rnd.randint(0, len(text) - k)
        return text[i : i + k]

    kinds: dict[str, list[str]] = {
        "last name, start (4-6 letters)": [],
        "last name, any part (3-5 letters)": [],
        "student number prefix (3-4 digits)": [],
        "full student number": [],
        "birth date dd-mm-yyyy": [],
        "2-letter fragment": [],
        "3-letter fragment": [],
        "first name + part of last name": [],
        "no hit": [],
    }
    for _ in range(per_kind):
        d = pick()
        last = d.last_name.split()[-1]
        kinds["last name, start (4-6 letters)"].append(last[: rnd.randint(4, 6)])
        kinds["last name, any part (3-5 letters)"].append(part_of(d.last_name, 3, 5))
        kinds["student number prefix (3-4 digits)"].append(d.student_number[: rnd.randint(3, 4)])
        kinds["full student number"].append(d.student_number)
        kinds["birth date dd-mm-yyyy"].append(d.birth_date.strftime("%d-%m-%Y"))
        kinds["2-letter fragment"].append(part_of(pick().last_name, 2, 2))
        kinds["3-letter fragment"].append(part_of(pick().first_name, 3, 3))
        kinds["first name + part of last name"].append(f"{d.first_name} {last[:3]}")
        kinds["no hit"].append(rnd.choice(NO_HIT))
    return kinds


def _time_queries(session, kinds: dict[str, list[str]]) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {k: [] for k in kinds}
    hits: dict[str, list[int]] = {k: [] for k in kinds}
    for _ in range(ROUNDS):
        for kind, queries in kinds.items():
            for q in queries:
                t = time.perf_counter()
                found = session.search(q)
                timings[kind].append(time.perf_counter() - t)
                hits[kind].append(len(found))
    return timings, hits


def run(sizes: list[int], per_kind: int) -> list[Result]:
    from build_store import ensure_store, open_store

    from jongerenteam.session import TeamSession
    from storage import team

    results: list[Result] = []
    for n in sizes:
        bs = ensure_store(n)
        store = open_store(bs)
        session = TeamSession(store, team.unlock(store, bs.worker_id, bs.meta["passphrase"]))
        kinds = make_queries(list(session.students.values()), per_kind)
        session.search("warm up")
        timings, hits = _time_queries(session, kinds)
        everything = [t for ts in timings.values() for t in ts]
        s = summary(everything)
        worst_kind = max(timings, key=lambda k: percentile(timings[k], 95))
        results.append(Result(
            "search", "search p95, all query kinds", n, s["p95"] * 1000, "ms",
            TARGET_MS if n == TARGET_SIZE else None,
            note=f"median {s['median'] * 1000:.3f} ms, max {s['max'] * 1000:.2f} ms, {s['n']} searches",
        ))
        for kind, ts in timings.items():
            k = summary(ts)
            avg_hits = sum(hits[kind]) / len(hits[kind])
            results.append(Result(
                "search", f"  p95 {kind}", n, k["p95"] * 1000, "ms", None,
                note=f"median {k['median'] * 1000:.3f} ms, max {k['max'] * 1000:.2f} ms, {avg_hits:.1f} hits avg"
                + (" (slowest kind)" if kind == worst_kind else ""),
            ))
        session.lock()
        store.close()
    return results


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="search benchmark")
    ap.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 50000])
    ap.add_argument("--queries", type=int, default=200, help="queries per kind")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.json:
        print_machine()
    emit(run(args.sizes, args.queries), as_json=args.json)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
