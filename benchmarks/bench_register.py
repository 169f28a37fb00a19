"""Register one student and commit, against a raw sqlite3 insert + commit.

    python benchmarks/bench_register.py [--sizes 1000 10000 50000] [--repeat 300] [--team real]

Four operations, interleaved round by round so that they share the same
disk, cache and WAL conditions:

- raw: plain ``sqlite3``, the store's pragmas (``storage.sqlite.PRAGMAS``:
  WAL, synchronous=FULL, secure_delete ...), ``BEGIN IMMEDIATE``, one INSERT
  of a row shaped like a student (uuid, dates, ~0.5 kB blob, keys), COMMIT.
  The table holds as many rows as the store has students.
- floor (information): ``FloorWrite``, the same rows and the same
  cryptography as register_student, in plain ``sqlite3`` with no reads and
  no checks, in its own copy of the store. What the security design costs
  before any application code: ``floor / raw`` is the best ratio any
  implementation could reach, ``register_student / floor`` what the checks
  (the audit chain's head, the grant, the active worker), the ORM and the
  sync after the unit add.
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

Writes go to a private copy of the cached store, never to the cache itself.
Target (issue): registering costs no more than 3x the raw insert + commit.
"""

from __future__ import annotations

import argparse
import hashlib
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


class FloorWrite:
    """The floor under any registration with this security design: the same rows
    and the same cryptography as ``register_student``, written with plain
    ``sqlite3`` into a private copy of the same store, with none of the checks.

    One ``BEGIN IMMEDIATE`` ... ``COMMIT`` holds: the student row (directory
    sealed under the team key, a new key pair, the private key sealed under a
    new student key); the student key sealed to the escrow and to each worker
    given access (X25519 + AEAD each); per worker wrap an audit entry that
    records the wrap's hash, and the "create" entry (HMAC chained, Ed25519
    signed each); the audit head moved (HMAC, signature); the statistics
    record (sealed). Nothing is read: no chain check, no grant check, no
    version guard, no active-worker check, no sync. The head it writes breaks
    that copy's chain: the copy is only written to, never opened by the app.
    """

    def __init__(self, path: Path, keys) -> None:
        from storage.sqlite import BUSY_TIMEOUT_MS, PRAGMAS

        self.keys = keys
        self.con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        for pragma in PRAGMAS:
            self.con.execute(pragma)
        self.seq, self.last = self.con.execute("SELECT seq, mac FROM audit_head WHERE id = 1").fetchone()
        # Read once here, not per registration: the floor reads nothing.
        self.publics = {wid: bytes(key) for wid, key in self.con.execute("SELECT id, public_key FROM workers")}
        self.statements = 0

    def write(self, data: dict, status: str, contact: str | None, facts_doc: dict) -> None:
        from storage import audit, files, report
        from storage.crypto import FieldKey, mac, new_keypair, random_key, seal_field
        from storage.students import _seal_directory

        keys, con = self.keys, self.con
        sid, now = str(uuid.uuid4()), datetime.now(UTC)
        stamp = str(now.replace(tzinfo=None))
        student_key = random_key()
        private, public = new_keypair()
        rows: list[tuple[str, tuple]] = [(
            "INSERT INTO students (id, created_at, created_by, updated_at, updated_by, version, status,"
            " contact_worker_id, directory, public_key, private_key) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (sid, stamp, keys.worker_id, stamp, keys.worker_id, 1, status, contact,
             _seal_directory(keys, sid, data), public,
             seal_field(FieldKey.of(student_key), "students", "private_key", sid, private)),
        )]
        wrap_sql = "INSERT INTO student_key_wraps (id, student_id, recipient, wrapped, created_at) VALUES (?,?,?,?,?)"
        entry_sql = (
            "INSERT INTO audit_log (seq, at, event, worker_id, student_id, on_behalf_of, access_point, detail,"
            " mac, signer, sig, entry_id, entry_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
        )
        escrow = files.seal_wrap(keys.escrow_public, student_key, sid, files.ESCROW)
        rows.append((wrap_sql, (str(uuid.uuid4()), sid, files.ESCROW, escrow, stamp)))
        seq, last = self.seq, self.last
        point = audit.access_point()

        def entry(event: str, on_behalf_of: str | None, detail: str, record: tuple[str, bytes] | None) -> None:
            nonlocal seq, last
            seq += 1
            at = now.isoformat(timespec="microseconds")
            parts = [str(seq), at, event, keys.worker_id, sid, on_behalf_of or "", point, detail]
            if record:
                parts += [record[0], record[1].hex()]
            last = mac(keys.audit_key, last + "\x1f".join(parts).encode())
            sig = keys.sign(b"audit entry\x1f" + last)
            rows.append((entry_sql, (seq, at, event, keys.worker_id, sid, on_behalf_of, point, detail, last,
                                     keys.worker_id, sig, record[0] if record else None,
                                     record[1] if record else None)))

        for recipient in sorted({keys.worker_id, contact} - {None}):
            wrapped = files.seal_wrap(self.publics[recipient], student_key, sid, recipient)
            rows.append((wrap_sql, (str(uuid.uuid4()), sid, recipient, wrapped, stamp)))
            digest = hashlib.sha256(b"student key wrap\x1f" + sid.encode() + b"\x1f" + recipient.encode()
                                    + b"\x1f\x1f" + wrapped).digest()
            entry("change", recipient, "toegang: betrokken [geen einde]", (files.WRAP_RECORD + recipient, digest))
        entry("create", None, "", None)
        head_mac = mac(keys.audit_key, b"audit_head\x1f" + str(seq).encode() + b"\x1f" + last)
        head_sig = keys.sign(b"audit head\x1f" + str(seq).encode() + b"\x1f" + last)
        rows.append(("UPDATE audit_head SET seq = ?, mac = ?, head_mac = ?, signer = ?, sig = ? WHERE id = 1",
                     (seq, last, head_mac, keys.worker_id, head_sig)))
        record_id = str(uuid.uuid4())
        rows.append(("INSERT INTO statistics (id, student_id, data, updated_at, version) VALUES (?,?,?,?,?)",
                     (record_id, sid, report._seal(keys, record_id, facts_doc), stamp, 1)))
        con.execute("BEGIN IMMEDIATE")
        for sql, params in rows:
            con.execute(sql, params)
        con.execute("COMMIT")
        self.seq, self.last = seq, last
        self.statements = len(rows)

    def close(self) -> None:
        self.con.close()


def _rounds(
    store, keys, session, raw, items, repeat: int, walk_ins=(), floor: FloorWrite | None = None
) -> dict[str, list[tuple[float, float]]]:
    """Interleave the operations; each sample is (wall, CPU) seconds."""
    from jongerenteam.domain import StudentDetails
    from jongerenteam.report import figures as rp
    from jongerenteam.spreekuur import WalkIn
    from storage import students

    today = datetime.now().date()
    out: dict[str, list[tuple[float, float]]] = {"raw": [], "floor": [], "add": [], "register": [], "walk_in": []}
    for i in range(repeat):
        a, b = items[2 * i], items[2 * i + 1]
        details = StudentDetails.from_dict(b.data)
        t, c = time.perf_counter(), time.process_time()
        raw.insert_commit()
        out["raw"].append((time.perf_counter() - t, time.process_time() - c))
        if floor is not None:
            # The same student register_student gets below (its own copy of the store).
            t, c = time.perf_counter(), time.process_time()
            doc = rp.revise(None, rp.facts_of(details, "aangemeld"), today)
            floor.write(details.to_dict(), "aangemeld", keys.worker_id, doc)
            out["floor"].append((time.perf_counter() - t, time.process_time() - c))
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
    sizes: list[int], repeat: int, entries: int = 0, team_kind: str = "worst", with_index: bool = True,
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
            floor_dir = Path(tmp) / "floor"
            floor_dir.mkdir()
            floor = FloorWrite(copy_of(cached, floor_dir).path, keys)
            items = demo_students(2 * repeat + 20, bs.meta["worker_ids"], seed=99)
            walk_ins = demo_students(repeat + 10, bs.meta["worker_ids"], seed=98) if with_index else []
            if with_index:
                session.directory.prepare_search()
            _rounds(store, keys, session, raw, items[:20], 10, walk_ins[:10], floor)  # untimed warm-up
            got = _rounds(store, keys, session, raw, items[20 : 20 + 2 * repeat], repeat, walk_ins[10:], floor)
            raw.close()
            floor.close()
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
        f = wall["floor"]
        results.append(Result(
            "register", "floor: the same rows and crypto, plain sqlite3 (median)", n, f["median"] * 1000, "ms", None,
            note=f"p95 {f['p95'] * 1000:.2f} ms, CPU {cpu['floor']['median'] * 1000:.2f} ms; "
            f"{floor.statements} statements in one transaction, no reads, no checks",
        ))
        results.append(Result(
            "register", "floor / raw, median", n, f["median"] / r["median"], "x", TARGET_RATIO,
            note=f"CPU {cpu['floor']['median'] / cpu['raw']['median']:.1f}x: "
            "what the target asks of the rows and cryptography alone",
        ))
        x = wall["register"]
        results.append(Result(
            "register", "register_student / floor, median", n, x["median"] / f["median"], "x", None,
            note=f"CPU {cpu['register']['median'] / cpu['floor']['median']:.1f}x: "
            "what the checks, the ORM and the sync after add to the floor",
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
    return results


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="register benchmark")
    ap.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 50000])
    ap.add_argument("--repeat", type=int, default=300)
    ap.add_argument("--entries", type=int, default=0, help="use the store with file entries")
    ap.add_argument("--team", choices=("worst", "real"), default="worst",
                    help="the cached store's team (build_store.TEAMS)")
    ap.add_argument("--without-index", action="store_true",
                    help="no search index and no walk-ins (the conditions of the earlier measurements)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.json:
        print_machine()
    emit(run(args.sizes, args.repeat, args.entries, args.team, not args.without_index), as_json=args.json)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
