"""A second (third, ...) jongerenteam process for the process-level tests.

Run as ``python tests/proc_worker.py MODE --store PATH --worker-id ID`` (or
``python -m tests.proc_worker ...`` from the repo root). The worker's
passphrase is the first line on stdin, never an argument. Output is one line
per event on stdout, written *after* the store call it reports has returned,
so the parent may treat every line as an acknowledgement of a commit.

Modes:

- ``canary``: register the canary student and a file entry with the canary
  note, print ``ack <student id> <entry id>``, then wait (to be killed) or,
  with ``--exit``, lock and close normally.
- ``write-loop``: register students (and every second time a file entry)
  until killed or ``--count`` is reached; prints ``S <id>`` / ``E <student
  id> <entry id>`` after each commit and ``done`` at the end. With
  ``--wait-go`` it prints ``ready`` and waits for a ``go`` line first.
- ``edit``: read one student (prints a JSON ``read`` line with the version),
  wait for a ``save`` line, change the last name to ``--last-name`` and save
  from the version read; prints a JSON ``saved`` or ``error`` line.

``--hold-reader`` keeps one extra idle SQLite connection open, as a second
app instance would: the store's own connections then never are the last
ones to close, so SQLite does not checkpoint and delete the WAL behind us.

The kill -9 test forks ``write_loop`` straight from the test process
(``fork_write_loop``) instead of starting a new interpreter: 50+ cold starts
of Python with SQLAlchemy and Alembic would cost most of a minute.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sqlite3
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the repository root importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from jongerenteam import messages
from jongerenteam.session import TeamSession
from storage.store import Store
from tests.support import CANARY_NOTE, canary_student

REPO = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).with_name("jongerenteam"))
WORKER_SCRIPT = str(Path(__file__).resolve())


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child: the cheap test KDF must be passed on explicitly."""
    env = dict(os.environ)
    env["JONGERENTEAM_INSECURE_TEST_KDF"] = "1"
    env.pop("JONGERENTEAM_DEBUG", None)
    env.update(extra)
    return env


def spawn(mode: str, store: str, worker_id: str, passphrase: str, *extra: str, env=None):
    """Start ``proc_worker`` in a fresh interpreter; the passphrase goes in on stdin."""
    import subprocess

    proc = subprocess.Popen(
        [sys.executable, WORKER_SCRIPT, mode, "--store", store, "--worker-id", worker_id, *extra],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=REPO, env=env or child_env(),
    )
    proc.stdin.write(passphrase + "\n")
    proc.stdin.flush()
    return proc


def run_cli(args: list[str], stdin_text: str = "", *, env=None, timeout: float = 60):
    """Run the real ``jongerenteam`` command; returns the CompletedProcess (text)."""
    import subprocess

    return subprocess.run(
        [CLI, *args], input=stdin_text, capture_output=True, text=True,
        cwd=REPO, env=env or child_env(), timeout=timeout,
    )


def _hold_reader(path: str) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    con.execute("SELECT count(*) FROM sqlite_master").fetchall()
    return con


def _variant(n: int):
    """The canary student with a number that tells the rows apart."""
    details = canary_student()
    return dataclasses.replace(details, student_number=f"{details.student_number}-{n}")


def write_loop(
    store_path: str,
    worker_id: str,
    passphrase: str,
    emit: Callable[[str], None],
    *,
    count: int | None = None,
    hold_reader: bool = False,
    entries: bool = True,
    wait_go: Callable[[], None] | None = None,
) -> None:
    holder = _hold_reader(store_path) if hold_reader else None
    store = Store.open(store_path)
    session = TeamSession.unlock(store, worker_id, passphrase)
    if wait_go is not None:
        emit("ready")
        wait_go()
    n = 0
    while count is None or n < count:
        rec = session.spreekuur.register_student(_variant(n))
        emit(f"S {rec.id}")
        if entries and n % 2 == 0:
            eid = session.dossier.add_entry(rec.id, "gesprek", {"tekst": f"{CANARY_NOTE} {n}"})
            emit(f"E {rec.id} {eid}")
        n += 1
    session.lock()
    store.close()
    if holder is not None:
        holder.close()
    emit("done")


def fork_write_loop(store_path: str, worker_id: str, passphrase: str) -> tuple[int, int]:
    """Fork a child running ``write_loop`` forever; returns (pid, read end of its ack pipe).

    The caller must hold no open SQLite connection at the moment of the fork.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return into the test runner
        code = 0
        try:
            os.close(read_fd)

            def emit(line: str) -> None:
                os.write(write_fd, (line + "\n").encode())

            write_loop(store_path, worker_id, passphrase, emit, hold_reader=True)
        except BaseException:  # noqa: BLE001
            code = 1
            with contextlib.suppress(OSError):
                os.write(write_fd, f"error {traceback.format_exc()!r}\n".encode())
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _emit_stdout(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _error_line(exc: BaseException) -> str:
    text, code = messages.explain(exc)
    return json.dumps(
        {
            "event": "error",
            "type": type(exc).__name__,
            "by_name": getattr(exc, "by_name", None),
            "at": getattr(exc, "at", None),
            "message": text,
            "code": code,
        }
    )


def _wait_for(word: str) -> None:
    while True:
        line = sys.stdin.readline()
        if line == "":
            raise SystemExit(f"stdin closed while waiting for {word!r}")
        if line.strip() == word:
            return


def run_canary(args, passphrase: str) -> int:
    holder = _hold_reader(args.store) if args.hold_reader else None
    store = Store.open(args.store)
    session = TeamSession.unlock(store, args.worker_id, passphrase)
    rec = session.spreekuur.register_student(canary_student())
    eid = session.dossier.add_entry(rec.id, "gesprek", {"tekst": CANARY_NOTE})
    _emit_stdout(f"ack {rec.id} {eid}")
    if not args.exit:
        while True:  # wait for SIGKILL, never checkpoint
            time.sleep(60)
    session.lock()
    store.close()
    if holder is not None:
        holder.close()
    return 0


def run_edit(args, passphrase: str) -> int:
    store = Store.open(args.store)
    session = TeamSession.unlock(store, args.worker_id, passphrase)
    record = session.students[args.student_id]
    _emit_stdout(json.dumps({"event": "read", "version": record.version}))
    _wait_for("save")
    changed = dataclasses.replace(record.details, last_name=args.last_name)
    try:
        saved = session.dossier.update_student(record, changed)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as data
        _emit_stdout(_error_line(exc))
        return 1
    finally:
        session.lock()
        store.close()
    _emit_stdout(json.dumps({"event": "saved", "version": saved.version}))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="proc_worker")
    p.add_argument("mode", choices=("canary", "write-loop", "edit"))
    p.add_argument("--store", required=True)
    p.add_argument("--worker-id", required=True)
    p.add_argument("--student-id")
    p.add_argument("--last-name", default="")
    p.add_argument("--count", type=int)
    p.add_argument("--no-entries", action="store_true")
    p.add_argument("--hold-reader", action="store_true")
    p.add_argument("--wait-go", action="store_true")
    p.add_argument("--exit", action="store_true")
    args = p.parse_args(argv)
    passphrase = sys.stdin.readline().rstrip("\n")
    if args.mode == "canary":
        return run_canary(args, passphrase)
    if args.mode == "edit":
        return run_edit(args, passphrase)
    try:
        write_loop(
            args.store, args.worker_id, passphrase, _emit_stdout,
            count=args.count, hold_reader=args.hold_reader, entries=not args.no_entries,
            wait_go=(lambda: _wait_for("go")) if args.wait_go else None,
        )
    except Exception as exc:  # noqa: BLE001
        _emit_stdout(_error_line(exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
