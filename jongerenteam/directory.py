"""The team's directory as an unlocked worker sees it: every student's
directory tier, decrypted, with its search index and who this worker is
involved with.

Built at unlock (one query, one pass of decryption), dropped at lock, and
kept current from the store's change feed (``jongerenteam.session``,
``sync``): only the students that changed are read again. Screens and use
cases read it; only ``refresh`` and ``forget`` change it, under a lock,
because a use case may refresh it on a worker thread while the UI thread
searches.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from jongerenteam.domain import StudentDetails
from jongerenteam.search import DirectoryIndex, fold, sort_name
from storage import students
from storage.documents import JsonObject
from storage.keyring import Keys
from storage.store import Store


class StudentRecord:
    """A student as the directory shows it (no file-tier data).

    ``details`` is built from the decrypted document on first use: at unlock
    only the search key is needed for every student, and the screens show a
    few hundred at most.
    """

    __slots__ = ("_data", "_details", "contact_worker_id", "id", "status", "version")

    def __init__(
        self,
        id: str,
        version: int,
        status: str,
        contact_worker_id: str | None,
        data: JsonObject | None = None,
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
            if birth:  # ISO yyyy-mm-dd -> 03-04-2008 and 3-4-2008, as typed in the spreekuur
                day, month = birth[8:10], birth[5:7]
                birth = f"{day}-{month}-{birth[0:4]} {day.lstrip('0')}-{month.lstrip('0')}-{birth[0:4]}"
            return f"{d.get('first_name', '')} {d.get('last_name', '')} {d.get('student_number', '')} {birth}"
        details = self.details
        b = details.birth_date
        birth = f"{b.day:02d}-{b.month:02d}-{b.year} {b.day}-{b.month}-{b.year}" if b else ""
        return f"{details.first_name} {details.last_name} {details.student_number} {birth}"

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
def _gc_paused() -> Iterator[None]:
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


class Directory:
    """Students by id, in phone-book order on request, searchable; and the involved set."""

    def __init__(self, store: Store, keys: Keys) -> None:
        self._store = store
        self._keys = keys
        self._lock = threading.RLock()
        with _gc_paused():
            rows, damaged = students.load_directory(store, keys)
            self.students: dict[str, StudentRecord] = {r.id: _record(r) for r in rows}
            del rows
            self.damaged_ids: list[str] = damaged
            self.involved: set[str] = students.involved_student_ids(store, keys.worker_id)
            self.index = DirectoryIndex((s.id, s.search_key) for s in self.students.values())
        self._sorted: list[StudentRecord] | None = None

    # -- reading -------------------------------------------------------------------

    def get(self, student_id: str) -> StudentRecord | None:
        return self.students.get(student_id)

    def __contains__(self, student_id: object) -> bool:
        return student_id in self.students

    def __len__(self) -> int:
        return len(self.students)

    def records(self) -> list[StudentRecord]:
        """A snapshot of every record (safe to loop over while the feed refreshes)."""
        with self._lock:
            return list(self.students.values())

    def all_sorted(self) -> list[StudentRecord]:
        """Every student in phone-book order (kept until the directory changes)."""
        with self._lock:
            if self._sorted is None:
                self._sorted = sorted(self.students.values(), key=lambda r: r.sort_key)
            return self._sorted

    def search(self, query: str, limit: int = 50) -> list[StudentRecord]:
        """Students matching every word of the query, in phone-book order."""
        with self._lock:
            hits = [self.students[i] for i in self.index.search(query, limit) if i in self.students]
        # Exact matches first (phone-book order), then those found despite a typo.
        words = fold(query).split()
        return sorted(hits, key=lambda r: (not all(w in fold(r.search_key) for w in words), r.sort_key))

    def is_involved(self, student_id: str) -> bool:
        return student_id in self.involved

    # -- changing --------------------------------------------------------------------

    def refresh(self, student_ids: Iterable[str]) -> set[str]:
        """Read these students again (directory and involvement); gone ones are dropped.

        Returns the ids whose directory record changed (new, changed or gone).
        """
        wanted = set(student_ids)
        if not wanted:
            return set()
        rows, damaged = students.load_directory(self._store, self._keys, only=wanted)
        involved = students.involved_student_ids(self._store, self._keys.worker_id, only=wanted)
        fresh = {r.id: _record(r) for r in rows}
        changed: set[str] = set()
        with self._lock:
            for sid in wanted:
                old = self.students.get(sid)
                new = fresh.get(sid)
                if new is None:
                    if old is not None:
                        self.students.pop(sid)
                        self.index.replace(sid, "")
                        changed.add(sid)
                elif old is None or old.version != new.version or old.status != new.status or old.contact_worker_id != new.contact_worker_id:
                    self.students[sid] = new
                    self.index.replace(sid, new.search_key)
                    changed.add(sid)
                if sid in involved:
                    self.involved.add(sid)
                else:
                    self.involved.discard(sid)
            self.damaged_ids = sorted((set(self.damaged_ids) - wanted) | set(damaged))
            if changed:
                self._sorted = None
        return changed

    def forget(self) -> None:
        """Drop every decrypted value (at lock)."""
        with self._lock:
            self.students = {}
            self._sorted = None
            self.index = DirectoryIndex()
            self.involved = set()
            self.damaged_ids = []

    def __iter__(self) -> Iterator[StudentRecord]:
        return iter(self.records())
