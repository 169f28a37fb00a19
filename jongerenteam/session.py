"""Use cases of an unlocked worker: the directory, registering, the file.

A ``TeamSession`` is what a worker holds between unlock and lock: their
keys, the decrypted directory and its search index. ``lock()`` drops all
of it. Screens and the CLI call these methods; nothing here knows Textual.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import date

from jongerenteam.domain import StudentDetails, validate_status
from jongerenteam.search import DirectoryIndex, fold
from storage import audit, students, team
from storage.errors import Locked
from storage.keyring import Keys
from storage.keyslots import KdfParams
from storage.models import Worker
from storage.store import Store


class StudentRecord:
    """A student as the directory shows it (no file-tier data).

    ``details`` is built from the decrypted document on first use: at unlock
    only the search key is needed for every student, and the screens show a
    few hundred at most.
    """

    __slots__ = ("id", "version", "status", "contact_worker_id", "_data", "_details")

    def __init__(
        self,
        id: str,
        version: int,
        status: str,
        contact_worker_id: str | None,
        data: dict | None = None,
        details: StudentDetails | None = None,
    ) -> None:
        self.id = id
        self.version = version
        self.status = status
        self.contact_worker_id = contact_worker_id
        self._data = data
        self._details = details

    @property
    def details(self) -> StudentDetails:
        if self._details is None:
            self._details = StudentDetails.from_dict(self._data or {})
            self._data = None
        return self._details

    @property
    def search_key(self) -> str:
        if self._details is None and self._data is not None:
            d = self._data
            birth = d.get("birth_date") or ""
            if birth:  # ISO yyyy-mm-dd -> dd-mm-yyyy, as typed in the spreekuur
                birth = f"{birth[8:10]}-{birth[5:7]}-{birth[0:4]}"
            return f"{d.get('first_name', '')} {d.get('last_name', '')} {d.get('student_number', '')} {birth}"
        d = self.details
        b = d.birth_date
        birth = f"{b.day:02d}-{b.month:02d}-{b.year}" if b else ""
        return f"{d.first_name} {d.last_name} {d.student_number} {birth}"

    @property
    def sort_key(self) -> tuple[str, str]:
        """Dutch phone-book order: "de Vries" under V, accents ignored."""
        if self._details is None and self._data is not None:
            first, last = self._data.get("first_name", ""), self._data.get("last_name", "")
        else:
            first, last = self.details.first_name, self.details.last_name
        return sort_name(last), fold(first)

    def __repr__(self) -> str:  # never the decrypted values
        return f"StudentRecord(id={self.id!r}, version={self.version})"


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while the directory is built.

    Tens of thousands of new dicts and records would trigger it over and
    over, each pass walking everything made so far (measured at 50,000
    students: 1.26 s instead of 0.87 s; docs/performance.md). Only the
    timing changes; anything cyclic made meanwhile is collected later.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _record(row: students.DirectoryRow) -> StudentRecord:
    return StudentRecord(row.id, row.version, row.status, row.contact_worker_id, row.data)


TUSSENVOEGSELS = frozenset(
    {"van", "de", "der", "den", "het", "'t", "te", "ten", "ter", "in", "op", "aan", "'s", "d'", "la", "le", "du", "van't"}
)


def sort_name(last_name: str) -> str:
    """Last name for sorting without its tussenvoegsel: "van der Berg" -> "berg"."""
    words = fold(last_name).split()
    while len(words) > 1 and words[0] in TUSSENVOEGSELS:
        words.pop(0)
    return " ".join(words)


class TeamSession:
    """An unlocked worker's view of the team store."""

    def __init__(self, store: Store, keys: Keys) -> None:
        self.store = store
        self._keys: Keys | None = keys
        self.worker_id = keys.worker_id
        self.role = keys.role
        self.workers: dict[str, Worker] = {
            w.id: w for w in store.workers(active_only=False)
        }
        with _gc_paused():
            rows, self.damaged_ids = students.load_directory(store, keys)
            self.students: dict[str, StudentRecord] = {r.id: _record(r) for r in rows}
            self._sorted: list[StudentRecord] | None = None
            del rows
            self.involved: set[str] = students.involved_student_ids(store, keys.worker_id)
            self.index = DirectoryIndex((s.id, s.search_key) for s in self.students.values())

    # -- life cycle ------------------------------------------------------

    @classmethod
    def unlock(
        cls, store: Store, worker_id: str, passphrase: str, *, after_lock: bool = False
    ) -> "TeamSession":
        """Open the worker's slot; logged as 'login', or 'unlock' after a lock."""
        event = "unlock" if after_lock else "login"
        return cls(store, team.unlock(store, worker_id, passphrase, event=event))

    @property
    def keys(self) -> Keys:
        if self._keys is None:
            raise Locked("session")
        return self._keys

    @property
    def is_locked(self) -> bool:
        return self._keys is None

    @property
    def worker(self) -> Worker:
        return self.workers[self.worker_id]

    def lock(self) -> None:
        """Log the lock, drop keys and every decrypted value, fold the WAL."""
        if self._keys is None:
            return
        keys = self._keys
        # Keys and decrypted data go first, whatever happens to the log entry
        # (a lost server connection, a full disk): locking must never fail open.
        self._keys = None
        self.students = {}
        self._sorted = None
        self.index = DirectoryIndex()
        self.involved = set()
        with self.store.session() as s:
            audit.append(s, keys.audit_key, "lock", worker_id=self.worker_id)
        self.store.checkpoint()

    # -- directory ---------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[StudentRecord]:
        """Students matching every word of the query, in phone-book order."""
        hits = [self.students[i] for i in self.index.search(query, limit)]
        return sorted(hits, key=lambda r: r.sort_key)

    def all_students(self) -> list[StudentRecord]:
        """Every student in phone-book order (kept until the directory changes)."""
        if self._sorted is None:
            self._sorted = sorted(self.students.values(), key=lambda r: r.sort_key)
        return self._sorted

    def register_student(
        self,
        details: StudentDetails,
        *,
        status: str = "aangemeld",
        contact_worker_id: str | None = None,
        today: date | None = None,
    ) -> StudentRecord:
        details.validate(today)
        validate_status(status)
        row = students.add_student(
            self.store, self.keys, details.to_dict(), status=status,
            contact_worker_id=contact_worker_id or self.worker_id,
        )
        rec = _record(row)
        self.students[rec.id] = rec
        self._sorted = None
        self.involved.add(rec.id)
        self.index.add(rec.id, rec.search_key)
        return rec

    def update_student(self, record: StudentRecord, details: StudentDetails) -> StudentRecord:
        """Save changed details; raises Conflict if someone saved in between."""
        details.validate()
        row = students.update_student(
            self.store, self.keys, record.id, details.to_dict(), record.version
        )
        rec = _record(row)
        self.students[rec.id] = rec
        self._sorted = None
        self.index.replace(rec.id, rec.search_key)
        return rec

    def contact_name(self, record: StudentRecord) -> str:
        w = self.workers.get(record.contact_worker_id or "")
        return w.full_name if w else "geen"

    # -- file tier -----------------------------------------------------------

    def is_involved(self, student_id: str) -> bool:
        return student_id in self.involved

    def read_file(self, student_id: str) -> list[students.EntryView]:
        return students.read_file(self.store, self.keys, student_id)

    def add_entry(self, student_id: str, kind: str, payload: dict) -> str:
        return students.add_entry(self.store, self.keys, student_id, kind, payload)

    def involve(self, student_id: str, worker_id: str) -> None:
        students.involve_worker(self.store, self.keys, student_id, worker_id)
        if worker_id == self.worker_id:
            self.involved.add(student_id)

    # -- team ----------------------------------------------------------------

    def add_worker(self, details: team.WorkerDetails, passphrase: str, params: KdfParams) -> str:
        wid = team.add_worker(self.store, self.keys, details, passphrase, params)
        self.workers = {w.id: w for w in self.store.workers(active_only=False)}
        return wid

    def deactivate_worker(self, worker_id: str) -> int:
        removed = team.deactivate_worker(self.store, self.keys, worker_id)
        self.workers = {w.id: w for w in self.store.workers(active_only=False)}
        return removed

    def verify_audit(self) -> audit.Verification:
        with self.store.session() as s:
            return audit.verify(s, self.keys.audit_key)
