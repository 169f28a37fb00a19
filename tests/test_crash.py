"""kill -9 during writes: no acknowledged record lost, no half record, store opens.

A forked child (tests/proc_worker.py ``write_loop``) registers canary
students and file entries in a loop and writes an acknowledgement line to a
pipe only after each commit has returned. The parent kills it with SIGKILL
at a random moment, then checks the files on disk (the WAL before any
checkpoint included) and the store itself.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time

from storage import audit, students, team
from storage.store import Store
from tests import proc_worker
from tests.support import CANARY_NOTE, CANARY_NUMBER, COORDINATOR_PASS, files_containing

ITERATIONS = 50
# On a busy machine a writer starts slowly and more kills land before its
# first commit: then the moments are drawn from a longer window (up to
# MAX_WINDOW), and more rounds run, until enough kills hit the middle of the work.
WINDOW = 0.4
MAX_WINDOW = 5.0
MAX_ITERATIONS = 200


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks).decode()
        chunks.append(chunk)


def _kill_at_random(path, worker_id, rng, window: float) -> tuple[list[str], list[tuple[str, str]]]:
    """Run one writer, SIGKILL it at a random moment in the first ``window`` seconds; return what it acknowledged."""
    pid, fd = proc_worker.fork_write_loop(str(path), worker_id, COORDINATOR_PASS)
    try:
        time.sleep(rng.uniform(0.0, window))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        text = _read_all(fd)
    finally:
        os.close(fd)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, text[-500:]
    acked_students, acked_entries = [], []
    for line in text.splitlines():
        assert not line.startswith("error"), line
        parts = line.split()
        if parts[0] == "S" and len(parts) == 2 and len(parts[1]) == 36:
            acked_students.append(parts[1])
        elif parts[0] == "E" and len(parts) == 3 and len(parts[2]) == 36:
            acked_entries.append((parts[1], parts[2]))
        # a torn last line (killed mid-write) acknowledges nothing
    return acked_students, acked_entries


def _raw_checks(path) -> None:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        # A student row never exists without its escrow wrap (one transaction).
        orphans = con.execute(
            "SELECT count(*) FROM students s WHERE NOT EXISTS (SELECT 1 FROM "
            "student_key_wraps w WHERE w.student_id = s.id AND w.recipient = 'escrow')"
        ).fetchone()[0]
        assert orphans == 0
    finally:
        con.close()


def enough(kills_with_acks: int, kills_with_wal: int, entries: dict) -> bool:
    """Enough kills in the middle of the work (after some commits, before a checkpoint) to mean something."""
    return kills_with_acks >= 10 and kills_with_wal >= 1 and len(entries) >= 10


def test_kill9_loop_keeps_every_acknowledged_record(team_store):
    """50 SIGKILLs (more on a busy machine) at random moments: integrity ok, store opens, every acked row decrypts, no canary on disk."""
    fx = team_store
    fx.store.close()
    folder = fx.path.parent
    rng = random.Random(int.from_bytes(os.urandom(4), "big"))
    all_students: set[str] = set()
    all_entries: dict[str, str] = {}
    kills_with_wal = 0
    kills_with_acks = 0
    i = 0
    window = WINDOW
    while i < ITERATIONS or (not enough(kills_with_acks, kills_with_wal, all_entries) and i < MAX_ITERATIONS):
        i += 1
        acked_students, acked_entries = _kill_at_random(fx.path, fx.coordinator_id, rng, window)
        kills_with_acks += bool(acked_students)
        if not acked_students:
            window = min(window * 1.25, MAX_WINDOW)
        wal = fx.path.with_name(fx.path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            kills_with_wal += 1
        # Before anything opens (and so checkpoints) the store: no plaintext anywhere.
        assert files_containing(folder) == [], f"iteration {i}"

        _raw_checks(fx.path)
        store = Store.open(str(fx.path))
        try:
            keys = team.unlock(store, fx.coordinator_id, COORDINATOR_PASS)
            rows, damaged = students.load_directory(store, keys)
            assert damaged == [], f"iteration {i}"
            by_id = {r.id: r for r in rows}
            all_students.update(acked_students)
            missing = all_students - by_id.keys()
            assert not missing, f"iteration {i}: {len(missing)} acknowledged students lost"
            for sid in acked_students:
                assert by_id[sid].data["student_number"].startswith(CANARY_NUMBER)
            for sid, eid in acked_entries:
                entries = {e.id: e for e in students.read_file(store, keys, sid)}
                assert eid in entries, f"iteration {i}: acknowledged entry lost"
                assert entries[eid].payload["tekst"].startswith(CANARY_NOTE)
                all_entries[eid] = sid
            with store.session() as s:
                assert audit.verify(s, keys).ok, f"iteration {i}"
        finally:
            store.close()

    # The kills really landed in the middle of the work, and some before a checkpoint.
    assert kills_with_acks >= 10
    assert kills_with_wal >= 1
    assert len(all_entries) >= 10
    # Once more at the end, everything acknowledged in all iterations is there.
    store = Store.open(str(fx.path))
    try:
        keys = team.unlock(store, fx.coordinator_id, COORDINATOR_PASS)
        rows, damaged = students.load_directory(store, keys)
        assert damaged == [] and all_students <= {r.id for r in rows}
        for sid in set(all_entries.values()):
            ids = {e.id for e in students.read_file(store, keys, sid)}
            assert {e for e, s in all_entries.items() if s == sid} <= ids
    finally:
        store.close()
