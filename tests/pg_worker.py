"""One laptop of a team on a shared PostgreSQL store, for tests/test_postgres.py.

Run as ``python tests/pg_worker.py --store URL --worker-id ID --shared-id SID
--count N --tag T``. The worker's passphrase is the first line on stdin.
It unlocks, reads the shared student (the version it will save from),
prints ``ready`` and waits for a ``go`` line, so that every process starts
from the same version. Then, N times: register a walk-in student (``S
<id>``), add a talk to it (``E <student id> <entry id>``) and, every
second round, save a new last name for the shared student from the version
it last read: ``U <version> <last name>`` when saved, ``C <Dutch message>``
when refused as a conflict (it then re-reads the student, as a user who
pressed "herlaad" would). Every line is printed after the call it reports
returned, so the parent may count it as committed. ``done`` at the end; an
unexpected error is one JSON line and exit code 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jongerenteam import messages
from jongerenteam.directory import record_of
from jongerenteam.session import TeamSession
from storage import students
from storage.errors import Conflict
from storage.store import Store
from tests.support import CANARY_NOTE, canary_student


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run(args, passphrase: str) -> None:
    store = Store.open(args.store)
    session = TeamSession.unlock(store, args.worker_id, passphrase)
    shared = session.students[args.shared_id]
    emit("ready")
    line = sys.stdin.readline()
    if line.strip() != "go":
        raise SystemExit("no go")
    for n in range(args.count):
        details = dataclasses.replace(
            canary_student(), student_number=f"{args.tag}-{n}", first_name=f"Inloop{n}"
        )
        rec = session.spreekuur.register_student(details)
        emit(f"S {rec.id}")
        eid = session.dossier.add_entry(rec.id, "gesprek", {"tekst": f"{CANARY_NOTE} {args.tag} {n}"})
        emit(f"E {rec.id} {eid}")
        if n % 2 == 0:
            name = f"Naam{args.tag}x{n}"
            try:
                shared = session.dossier.update_student(
                    shared, dataclasses.replace(shared.details, last_name=name)
                )
                emit(f"U {shared.version} {name}")
            except Conflict as exc:
                emit("C " + messages.explain(exc)[0])
                shared = record_of(students.get_student(store, session.keys, args.shared_id))
    session.lock()
    store.close()
    emit("done")


def main() -> int:
    p = argparse.ArgumentParser(prog="pg_worker")
    p.add_argument("--store", required=True)
    p.add_argument("--worker-id", required=True)
    p.add_argument("--shared-id", required=True)
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--tag", default="w")
    args = p.parse_args()
    passphrase = sys.stdin.readline().rstrip("\n")
    try:
        run(args, passphrase)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as data
        text, code = messages.explain(exc)
        emit(json.dumps({"event": "error", "type": type(exc).__name__, "message": text, "code": code}))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
