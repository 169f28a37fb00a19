"""Build (and cache) team stores with N invented students for the benchmarks.

    python benchmarks/build_store.py 1000 10000 50000 [--entries 10] [--rebuild]

Students come from ``jongerenteam.demo.demo_students`` (Faker, nl_NL) and go
in through the real ``storage.students.add_students``, in batches of 1,000
per transaction, so every row is exactly what the app writes: the directory
sealed under the team key, a key pair per student, the student key wrapped
for the escrow and the contact person, one audit entry per student.

Key slots use the cheap, insecure test profile (JONGERENTEAM_INSECURE_TEST_KDF):
only so the stores build and open quickly. Argon2 with the calibrated
parameters is measured on its own by bench_unlock.py. These stores hold
invented data and a published passphrase: never use them for anything real.

With ``--entries K`` every student also gets K file entries (notes), sealed
with that student's own key (recovered through the escrow). They are written
in bulk through SQLAlchemy Core, 2,000 students' worth per transaction, each
batch with one audit entry (``add_entry`` writes one per note, but a
transaction per note would make 500,000 notes take far too long to build).

Stores are cached in $JONGERENTEAM_BENCH_DIR (default: <tmp>/jongerenteam-bench)
with a small JSON file beside each; any change to the code under storage/
(or to the demo data) rebuilds them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

BUILDER_VERSION = 1
BATCH = 1000
PASSPHRASE = "benchmark wachtwoord zin, alleen verzonnen gegevens"  # noqa: S105 - a made-up passphrase for made-up data
TEAM_NAME = "Benchmark-team (verzonnen gegevens)"
WORKERS = (
    ("Floor Bakker", "FB", "coordinator", "wijkteam"),
    ("Waisca Ramdin", "WR", "worker", "jeugdhulp"),
    ("Daan Visser", "DV", "worker", "verslavingszorg"),
    ("Noor El Idrissi", "NE", "worker", "school"),
    ("Sem de Graaf", "SG", "worker", "GGZ"),
    ("Lotte Jansen", "LJ", "worker", "schuldhulp"),
)


# Set to 1 to use a cached store built by older storage code with the same schema
# head instead of rebuilding it (7.5 minutes at 50,000): for a change that does not
# touch what a store holds. Said on stderr when it happens; never for a store-format change.
REUSE_STALE_ENV = "JONGERENTEAM_BENCH_REUSE_STALE"


def bench_dir() -> Path:
    d = Path(os.environ.get("JONGERENTEAM_BENCH_DIR") or Path(tempfile.gettempdir()) / "jongerenteam-bench")
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    return d


@dataclass(frozen=True)
class BenchStore:
    path: Path
    meta: dict

    @property
    def size(self) -> int:
        return self.meta["students"]

    @property
    def worker_id(self) -> str:
        """The coördinator: the worker every benchmark unlocks as."""
        return self.meta["coordinator_id"]


# The team of a store: "worst" (6 workers share every student: caseloads of
# thousands, a waiting list of thousands: the worst case the code must bear)
# or "real" (10 workers, caseloads of about 40, a waiting list of about 40,
# every other student's file closed: a team after some years, issue 19).
TEAMS = ("worst", "real")
EXTRA_WORKERS = (
    ("Ilse de Wit", "IW", "worker", "jongerenwerk"),
    ("Ramon Pinas", "RP", "worker", "jeugdhulp"),
    ("Fatima Amrani", "FA", "worker", "GGZ"),
    ("Joost Kramer", "JK", "worker", "schuldhulp"),
)
REAL_CASELOAD = 40
REAL_WAITING = 40


def store_path(n: int, entries: int = 0, team: str = "worst") -> Path:
    suffix = "" if team == "worst" else f"-{team}"
    return bench_dir() / f"students-{n}-entries-{entries}{suffix}.jt"


def _format_fingerprint() -> str:
    """A hash of the code that decides what a store holds and how it is sealed.

    The schema revision alone is not enough while the initial migration is
    still edited in place; any change under storage/ (or to the demo data)
    rebuilds the cached stores.
    """
    import hashlib

    root = Path(__file__).resolve().parent.parent
    files = [*sorted((root / "storage").rglob("*.py")), root / "jongerenteam" / "demo.py", root / "jongerenteam" / "domain.py"]
    h = hashlib.sha256(str(BUILDER_VERSION).encode())
    for f in files:
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def _schema_head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storage.store import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head() or ""


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), _meta_path(path)):
        p.unlink(missing_ok=True)
    shutil.rmtree(path.with_name(path.name + ".backups"), ignore_errors=True)


def ensure_store(n: int, entries: int = 0, *, rebuild: bool = False, log=None, team: str = "worst") -> BenchStore:
    """Return the cached store of n students (``team``: see ``TEAMS``), building it when missing or stale."""
    log = log or (lambda text: print(text, file=sys.stderr, flush=True))
    path = store_path(n, entries, team)
    meta_file = _meta_path(path)
    if not rebuild and path.exists() and meta_file.exists():
        meta = json.loads(meta_file.read_text())
        if meta.get("fingerprint") == _format_fingerprint():
            return BenchStore(path, meta)
        if os.environ.get(REUSE_STALE_ENV) == "1" and meta.get("schema") == _schema_head():
            log(f"reusing {path.name}: built by other storage code (fingerprint {meta.get('fingerprint')}), "
                f"same schema ({REUSE_STALE_ENV}=1)")
            return BenchStore(path, meta)
    _remove(path)
    log(f"building store: {n} students, {entries} file entries each, team {team} -> {path}")
    meta = _build(path, n, entries, log, team)
    meta_file.write_text(json.dumps(meta, indent=2))
    return BenchStore(path, meta)


def _real_team(new: list, worker_ids: list[str]) -> list:
    """The statuses of a real team's store: caseloads of about 40 each, about 40 waiting, the rest closed."""
    from storage.students import NewStudent

    running = REAL_CASELOAD * len(worker_ids)
    out = []
    for i, s in enumerate(new):
        data = dict(s.data)
        if i < running:
            status, contact = "lopend", worker_ids[i % len(worker_ids)]
        elif i < running + REAL_WAITING:
            status, contact = "wacht", worker_ids[i % len(worker_ids)]
            data.setdefault("waiting_since", data.get("waiting_since") or "2026-11-30")
        else:
            status, contact = "afgesloten", worker_ids[i % len(worker_ids)]
            data["closed_reason"] = data.get("closed_reason") or "doel_bereikt"
        out.append(NewStudent(data, status, contact))
    return out


def _build(path: Path, n: int, entries: int, log, team_kind: str = "worst") -> dict:
    # Cheap key slots, and only for these invented benchmark stores.
    os.environ["JONGERENTEAM_INSECURE_TEST_KDF"] = "1"
    os.environ["JONGERENTEAM_BENCHMARK"] = "1"  # the mark that lets the test KDF count (jongerenteam.settings)
    from jongerenteam.demo import demo_students
    from jongerenteam.settings import kdf_params
    from storage import team
    from storage.store import Store
    from storage.students import add_students

    started = time.perf_counter()
    params = kdf_params()
    store = Store.create(str(path))
    try:
        coord, *others = WORKERS
        coordinator_id, _recovery = team.create_team(
            store, TEAM_NAME, team.WorkerDetails(*coord), PASSPHRASE, params
        )
        keys = team.unlock(store, coordinator_id, PASSPHRASE)
        if team_kind == "real":
            others = [*others, *EXTRA_WORKERS]
        worker_ids = [coordinator_id] + [
            team.add_worker(store, keys, team.WorkerDetails(*w), PASSPHRASE, params) for w in others
        ]
        t = time.perf_counter()
        new = demo_students(n, worker_ids)
        if team_kind == "real":
            new = _real_team(new, worker_ids)
        faker_s = time.perf_counter() - t
        t = time.perf_counter()
        for start in range(0, n, BATCH):
            add_students(store, keys, new[start : start + BATCH], creator_involved=False)
            done = min(start + BATCH, n)
            if done % 10000 == 0 or done == n:
                log(f"  {done}/{n} students, {time.perf_counter() - t:.1f} s")
        students_s = time.perf_counter() - t
        entries_s = 0.0
        if entries:
            t = time.perf_counter()
            _bulk_entries(store, keys, entries, log)
            entries_s = time.perf_counter() - t
    finally:
        store.close()
    total = time.perf_counter() - started
    log(f"  built in {total:.1f} s (Faker {faker_s:.1f} s, add_students {students_s:.1f} s, entries {entries_s:.1f} s)")
    return {
        "builder": BUILDER_VERSION,
        "schema": _schema_head(),
        "fingerprint": _format_fingerprint(),
        "students": n,
        "team": team_kind,
        "entries_per_student": entries,
        "coordinator_id": coordinator_id,
        "worker_ids": worker_ids,
        "passphrase": PASSPHRASE,
        "insecure_test_kdf": True,
        "build_seconds": round(total, 2),
        "faker_seconds": round(faker_s, 2),
        "add_students_seconds": round(students_s, 2),
        "entries_seconds": round(entries_s, 2),
        "bytes": path.stat().st_size,
    }


def _bulk_entries(store, keys, per_student: int, log) -> None:
    """K notes per student, sealed with the student's key (opened via the escrow).

    One audit entry per 2,000 students' worth of notes goes through the real
    ``audit.append``; ``add_entry`` would write one per note, but a
    transaction per note makes 500,000 notes take far too long to build.
    """
    from sqlalchemy import insert, select

    from jongerenteam.demo import NOTES
    from storage import audit, clock
    from storage.crypto import FieldKey, open_sealed, seal_field
    from storage.files import ESCROW, wrap_context
    from storage.files import dump as _dump
    from storage.models import FileEntry, StudentKeyWrap

    rnd = random.Random(11)
    with store.session() as s:
        wraps = s.execute(
            select(StudentKeyWrap.student_id, StudentKeyWrap.wrapped).where(
                StudentKeyWrap.recipient == ESCROW
            )
        ).all()
    done = 0
    chunk = 2000  # students per transaction
    for start in range(0, len(wraps), chunk):
        rows = []
        for student_id, wrapped in wraps[start : start + chunk]:
            key = open_sealed(keys.escrow_private, wrapped, wrap_context(student_id, ESCROW), "bench")
            fk = FieldKey.of(key)
            for _ in range(per_student):
                entry_id = str(uuid.uuid4())
                now = clock.now()
                body = seal_field(fk, "file_entries", "body", entry_id, _dump({"tekst": rnd.choice(NOTES)}))
                rows.append(
                    {"id": entry_id, "student_id": student_id, "kind": "note", "sealed": False, "body": body,
                         "created_at": now, "created_by": keys.worker_id, "updated_at": now,
                         "updated_by": keys.worker_id, "version": 1}
                )
        with store.session() as s:
            s.execute(insert(FileEntry), rows)
            audit.append(s, keys, "create", worker_id=keys.worker_id,
                         detail=f"benchmark: {len(rows)} dossierregels")
        done += len(rows)
        if (start // chunk) % 5 == 4 or start + chunk >= len(wraps):
            log(f"  {done} file entries")


def open_store(bs: BenchStore):
    from storage.store import Store

    return Store.open(str(bs.path))


def copy_of(bs: BenchStore, target_dir: Path) -> BenchStore:
    """A private copy of a cached store, for benchmarks that write."""
    from storage.sqlite import backup_to

    target = Path(target_dir) / bs.path.name
    backup_to(bs.path, target)
    return BenchStore(target, bs.meta)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 50000])
    ap.add_argument("--entries", type=int, default=0, help="file entries per student")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--team", choices=TEAMS, default="worst")
    args = ap.parse_args(argv)
    for n in args.sizes:
        bs = ensure_store(n, args.entries, rebuild=args.rebuild, team=args.team)
        m = bs.meta
        print(f"{n:>6} students, {args.entries} entries each: {bs.path} "
              f"({m['bytes'] / 1e6:.1f} MB, built in {m['build_seconds']} s)")


if __name__ == "__main__":
    main()
