"""Register one student and commit, against a raw sqlite3 insert + commit.

    python benchmarks/bench_register.py [--sizes 1000 10000 50000] [--repeat 300] [--team real]

Three operations, interleaved round by round so that they share the same
disk, cache and WAL conditions:

- raw: plain ``sqlite3``, the store's pragmas (``storage.sqlite.PRAGMAS``:
  WAL, synchronous=FULL, secure_delete ...), ``BEGIN IMMEDIATE``, one INSERT
  of a row shaped like a student (uuid, dates, ~0.5 kB blob, keys), COMMIT.
  The table holds as many rows as the store has students.
- add_student: ``storage.students.add_student`` (key pair, directory
  envelope, student key wrapped for escrow and contact, audit entry, commit).
- register_student: ``TeamSession.register_student`` (validation, the above,
  the statistics record, and the sync after the unit: the change feed read,
  the new student put in the in-memory directory and search index). This is
  the issue's figure.
- walk-in save (information, no target): what ``ctrl+s`` on the spreekuur
  form does for a new student: ``find_duplicates`` (a sync, then the search
  index) and ``register_walk_in`` (the above plus the hulpvraag as a sealed
  file entry with its entry record). The raw baseline has no counterpart
  for either: this says what a person waits for, not how far from the target.

The session's search index is built before the rounds, as the app builds
it once Vandaag is drawn: a registration then also puts the student in it
(``--without-index``: not built and no walk-ins, the conditions of the
measurements before 2026-12-06).

Then, as an experiment, raw and add_student again while a second connection
keeps the database open. The store opens a new connection per transaction
(NullPool); when that is the only connection, SQLite checkpoints the WAL
into the database and deletes it on every close. The experiment shows what
keeping one connection open would save; the app does not do it today.

Writes go to a private copy of the cached store, never to the cache itself.
Target (issue): registering costs no more than 3x the raw insert + commit.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from measure import Result, emit, print_machine, summary

TARGET_RATIO = 3.0


class RawBaseline:
    """The same pragmas and transaction shape, none of the application."""

    def __init__(self, path: Path, rows: int, blob_len: int) -> None:
        from storage.sqlite import BUSY_TIMEOUT_MS, PRAGMAS

        self.blob_len = blob_len
        self.con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        for pragma in PRAGMAS:
            self.con.execute(pragma)
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS students (id VARCHAR(36) PRIMARY KEY, created_at DATETIME,"
            " created_by VARCHAR(36), updated_at DATETIME, updated_by VARCHAR(36), version INTEGER,"
            " status VARCHAR(30), contact_worker_id VARCHAR(36), directory BLOB, public_key BLOB,"
            " private_key BLOB)"
        )
        self.con.execute("CREATE INDEX IF NOT EXISTS ix_contact ON students (contact_worker_id)")
        self.con.execute("BEGIN IMMEDIATE")
        self.con.executemany(
            "INSERT INTO students VALUES (?,?,?,?,?,?,?,?,?,?,?)", (self._row() for _ in range(rows))
        )
        self.con.execute("COMMIT")

    def _row(self) -> tuple:
        now = datetime.now(UTC).isoformat()
        who = "00000000-0000-4000-8000-000000000000"
        return (str(uuid.uuid4()), now, who, now, who, 1, "aangemeld", who,
                os.urandom(self.blob_len), os.urandom(32), os.urandom(69))

    def insert_commit(self) -> None:
        row = self._row()
        self.con.execute("BEGIN IMMEDIATE")
        self.con.execute("INSERT INTO students VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)
        self.con.execute("COMMIT")

    def close(self) -> None:
        self.con.close()


def _rounds(store, keys, session, raw, items, repeat: int, walk_ins=()) -> dict[str, list[tuple[float, float]]]:
    """Interleave the operations; each sample is (wall, CPU) seconds."""
    from jongerenteam.domain import StudentDetails
    from jongerenteam.spreekuur import WalkIn
    from storage import students

    today = datetime.now().date()
    out: dict[str, list[tuple[float, float]]] = {"raw": [], "add": [], "register": [], "walk_in": []}
    for i in range(repeat):
        a, b = items[2 * i], items[2 * i + 1]
        details = StudentDetails.from_dict(b.data)
        t, c = time.perf_counter(), time.process_time()
        raw.insert_commit()
        out["raw"].append((time.perf_counter() - t, time.process_time() - c))
        t, c = time.perf_counter(), time.process_time()
        students.add_student(store, keys, a.data, status=a.status, contact_worker_id=a.contact_worker_id)
        out["add"].append((time.perf_counter() - t, time.process_time() - c))
        if session is not None:
            t, c = time.perf_counter(), time.process_time()
            session.spreekuur.register_student(details, today=today)
            out["register"].append((time.perf_counter() - t, time.process_time() - c))
        if session is not None and i < len(walk_ins):
            walker = StudentDetails.from_dict(walk_ins[i].data)
            visit = WalkIn(hulpvraag="Geldzorgen en ruzie thuis", leefdomeinen=["inkomen", "wonen"])
            t, c = time.perf_counter(), time.process_time()
            session.spreekuur.find_duplicates(walker)
            session.spreekuur.register_walk_in(walker, visit, today=today)
            out["walk_in"].append((time.perf_counter() - t, time.process_time() - c))
    return out


def run(
    sizes: list[int], repeat: int, entries: int = 0, experiment: bool = True, team_kind: str = "worst",
    with_index: bool = True,
) -> list[Result]:
    from build_store import copy_of, ensure_store, open_store
    from sqlalchemy import select

    from jongerenteam.demo import demo_students
    from jongerenteam.session import TeamSession
    from storage import team
    from storage.models import Student

    results: list[Result] = []
    for n in sizes:
        cached = ensure_store(n, entries, team=team_kind)
        with tempfile.TemporaryDirectory(prefix="jt-bench-register-", dir=cached.path.parent) as tmp:
            bs = copy_of(cached, Path(tmp))
            store = open_store(bs)
            keys = team.unlock(store, bs.worker_id, bs.meta["passphrase"])
            session = TeamSession(store, keys)
            with store.session() as s:
                blob_len = len(s.scalar(select(Student.directory).limit(1)))
            raw = RawBaseline(Path(tmp) / "raw.sqlite", n, blob_len)
            items = demo_students(4 * repeat + 20, bs.meta["worker_ids"], seed=99)
            walk_ins = demo_students(repeat + 10, bs.meta["worker_ids"], seed=98) if with_index else []
            if with_index:
                session.directory.prepare_search()
            _rounds(store, keys, session, raw, items[:20], 10, walk_ins[:10])  # untimed warm-up
            got = _rounds(store, keys, session, raw, items[20 : 20 + 2 * repeat], repeat, walk_ins[10:])
            kept = None
            if experiment:
                # Experiment (not what the app does today): another connection
                # keeps the database open, so closing the session's connection
                # is no longer "the last connection" and SQLite does not
                # checkpoint and remove the WAL at the end of every transaction.
                keeper = sqlite3.connect(bs.path)
                keeper.execute("SELECT count(*) FROM team").fetchall()
                kept = _rounds(store, keys, None, raw, items[20 + 2 * repeat :], repeat)
                keeper.close()
            raw.close()
            session.lock()
            store.close()
        label = f"{n}" + (f", +{entries} entries each" if entries else "")
        wall = {k: summary([x[0] for x in v]) for k, v in got.items() if v}
        cpu = {k: summary([x[1] for x in v]) for k, v in got.items() if v}
        r = wall["raw"]
        results.append(Result(
            "register", "raw sqlite3 insert+commit (median)", n, r["median"] * 1000, "ms", None,
            note=f"p95 {r['p95'] * 1000:.2f} ms, CPU {cpu['raw']['median'] * 1000:.2f} ms; "
            f"{repeat} runs, blob {blob_len} B" + (f"; store {label}" if entries else ""),
        ))
        for key, label_op in (("add", "add_student"), ("register", "register_student")):
            x = wall[key]
            results.append(Result(
                "register", f"{label_op} (median)", n, x["median"] * 1000, "ms", None,
                note=f"p95 {x['p95'] * 1000:.2f} ms, max {x['max'] * 1000:.1f} ms, "
                f"CPU {cpu[key]['median'] * 1000:.2f} ms",
            ))
            results.append(Result(
                "register", f"{label_op} / raw, median", n, x["median"] / r["median"], "x", TARGET_RATIO,
                note=f"p95 / p95: {x['p95'] / r['p95']:.1f}x",
            ))
            results.append(Result(
                "register", f"{label_op} / raw, CPU median", n, cpu[key]["median"] / cpu["raw"]["median"], "x",
                TARGET_RATIO,
            ))
        if got["walk_in"]:
            w = wall["walk_in"]
            results.append(Result(
                "register", "walk-in save: find_duplicates + register_walk_in (median)", n, w["median"] * 1000, "ms",
                None, note=f"p95 {w['p95'] * 1000:.2f} ms, CPU {cpu['walk_in']['median'] * 1000:.2f} ms; "
                "what ctrl+s waits for, no raw counterpart",
            ))
        if kept is not None:
            kw = {k: summary([x[0] for x in v]) for k, v in kept.items() if v}
            kr, ka = kw["raw"], kw["add"]
            results.append(Result(
                "register", "experiment: add_student, store kept open (median)", n, ka["median"] * 1000,
                "ms", None,
                note=f"p95 {ka['p95'] * 1000:.2f} ms; raw in the same phase {kr['median'] * 1000:.2f} ms; "
                f"ratio {ka['median'] / kr['median']:.1f}x",
            ))
    return results


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="register benchmark")
    ap.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 50000])
    ap.add_argument("--repeat", type=int, default=300)
    ap.add_argument("--entries", type=int, default=0, help="use the store with file entries")
    ap.add_argument("--no-experiment", action="store_true", help="skip the kept-open experiment")
    ap.add_argument("--team", choices=("worst", "real"), default="worst",
                    help="the cached store's team (build_store.TEAMS)")
    ap.add_argument("--without-index", action="store_true",
                    help="no search index and no walk-ins (the conditions of the earlier measurements)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.json:
        print_machine()
    emit(run(args.sizes, args.repeat, args.entries, not args.no_experiment, args.team, not args.without_index),
         as_json=args.json)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
