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
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from jongerenteam.domain import StudentDetails
from jongerenteam.search import DirectoryIndex, fold, sort_name
from storage import students
from storage.documents import JsonObject, load
from storage.keyring import Keys
from storage.store import Store


class StudentRecord:
    """A student as the directory shows it (no file-tier data).

    Holds the decrypted directory document as bytes: it is parsed when first
    needed (``details``, ``search_key``), because at unlock only the ids,
    statuses and contact persons are needed for every student, and the
    screens show a few hundred at most. The search index parses each once,
    in a thread after Vandaag is drawn (``Directory.prepare_search``).
    """

    __slots__ = ("_details", "_raw", "contact_worker_id", "id", "status", "version")

    def __init__(
        self,
        id: str,
        version: int,
        status: str,
        contact_worker_id: str | None,
        raw: bytes | None = None,
        details: StudentDetails | None = None,
    ) -> None:
        self.id = id
        self.version = version
        self.status = status
        self.contact_worker_id = contact_worker_id
        self._raw = raw
        self._details = details

    def document(self) -> JsonObject | None:
        """The directory document parsed anew; None if it is no JSON object (damaged)."""
        if self._raw is None:
            return None
        try:
            data = load(self._raw)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    @property
    def details(self) -> StudentDetails:
        if self._details is None:
            data = self.document()
            if data is None:  # damaged: nothing to show, and the search index will say so
                return StudentDetails.from_dict({})
            self._details = StudentDetails.from_dict(data)
            self._raw = None
        return self._details

    @property
    def search_key(self) -> str:
        return self.indexed_key() or ""

    def indexed_key(self) -> str | None:
        """What the search index holds for this student (names, student number, birth date
        as typed in the spreekuur); None if the document is damaged."""
        if self._details is None:
            d = self.document()
            if d is None:
                return None
            birth = d.get("birth_date") or ""
            if birth:  # ISO yyyy-mm-dd -> 03-04-2008 and 3-4-2008, as typed in the spreekuur
                day, month = birth[8:10], birth[5:7]
                birth = f"{day}-{month}-{birth[0:4]} {day.lstrip('0')}-{month.lstrip('0')}-{birth[0:4]}"
            return f"{d.get('first_name', '')} {d.get('last_name', '')} {d.get('student_number', '')} {birth}"
        details = self._details
        b = details.birth_date
        birth = f"{b.day:02d}-{b.month:02d}-{b.year} {b.day}-{b.month}-{b.year}" if b else ""
        return f"{details.first_name} {details.last_name} {details.student_number} {birth}"

    @property
    def sort_key(self) -> tuple[str, str]:
        """Dutch phone-book order: "de Vries" under V, accents ignored."""
        if self._details is None:
            d = self.document() or {}
            first, last = d.get("first_name", ""), d.get("last_name", "")
        else:
            first, last = self.details.first_name, self.details.last_name
        return sort_name(last), fold(first)

    def __repr__(self) -> str:  # never the decrypted values
        return f"StudentRecord(id={self.id!r}, version={self.version})"


@contextmanager
def _gc_paused(freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector while the directory is built.

    Tens of thousands of new dicts and records would trigger it over and
    over, each pass walking everything made so far (measured at 50,000
    students: 1.26 s instead of 0.87 s; docs/performance.md). Only the
    timing changes; anything cyclic made meanwhile is collected later.

    ``freeze``: move everything alive to the collector's permanent generation
    before it runs again (``gc.freeze()``). Otherwise its first pass walks
    every record just made (about 90 ms at 50,000 students), and every full
    pass after it. The records hold no cycles: a record dropped from the
    directory is freed at once all the same. The app thaws at the lock
    (``screens.app``).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if freeze:
            gc.freeze()
    finally:
        if was_enabled:
            gc.enable()


def record_of(row: students.DirectoryRow) -> StudentRecord:
    """A record from a row read on its own (``storage.students.get_student``)."""
    return StudentRecord(row.id, row.version, row.status, row.contact_worker_id,
                         details=StudentDetails.from_dict(row.data))


def _records(entries: list[students.DirectoryPlaintext]) -> dict[str, StudentRecord]:
    return {e[0]: StudentRecord(*e) for e in entries}


class Directory:
    """Students by id, in phone-book order on request, searchable; and the involved set."""

    def __init__(self, store: Store, keys: Keys) -> None:
        self._store = store
        self._keys = keys
        self._lock = threading.RLock()
        # The search index is built on the first search, or by ``prepare_search``
        # (the app calls it in a thread once Vandaag is drawn): the unlock does
        # not wait for it (about 0.25 s at 50,000 students; docs/performance.md).
        self._index: DirectoryIndex | None = None
        self._index_build = threading.Lock()
        self._generation = 0  # counts refreshes, so an index built meanwhile is not kept stale
        # Who has which status and contact person, kept with every refresh: Vandaag's lists
        # come from these, not from a walk over every student.
        self._by_status: dict[str, set[str]] = defaultdict(set)
        self._by_contact: dict[str | None, set[str]] = defaultdict(set)
        self.students: dict[str, StudentRecord] = {}
        with _gc_paused(freeze=True):
            entries, damaged = students.directory_plaintexts(store, keys)
            # One pass over the rows, from their tuples (at 200,000 students a pass per
            # record and per map took about 30 ms more).
            records, by_status, by_contact = self.students, self._by_status, self._by_contact
            for entry in entries:
                sid = entry[0]
                records[sid] = StudentRecord(*entry)
                by_status[entry[2]].add(sid)
                by_contact[entry[3]].add(sid)
            del entries
            self.damaged_ids: list[str] = damaged
            self.involved: set[str] = students.involved_student_ids(store, keys.worker_id)
        self._sorted: list[StudentRecord] | None = None

    def _file(self, r: StudentRecord) -> None:
        self._by_status[r.status].add(r.id)
        self._by_contact[r.contact_worker_id].add(r.id)

    def _unfile(self, r: StudentRecord) -> None:
        self._by_status[r.status].discard(r.id)
        self._by_contact[r.contact_worker_id].discard(r.id)

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

    @property
    def index(self) -> DirectoryIndex:
        """The search index, built now if no search or ``prepare_search`` built it yet."""
        index = self._index
        if index is not None:
            return index
        with self._index_build:  # a second caller waits for the build under way
            while self._index is None:
                with self._lock:
                    generation = self._generation
                    records = list(self.students.values())
                # Built outside the lock: screens reading the directory meanwhile do not wait.
                # Every document is parsed here for the first time: one that is no JSON
                # object is damaged (it decrypted, so only a key holder wrote it).
                entries: list[tuple[str, str]] = []
                damaged: list[str] = []
                with _gc_paused():
                    for r in records:
                        key = r.indexed_key()
                        if key is None:
                            damaged.append(r.id)
                        else:
                            entries.append((r.id, key))
                    built = DirectoryIndex(entries)
                del entries
                with self._lock:
                    if self._generation == generation:  # else a refresh came between: again
                        self._index = built
                        if damaged:
                            for sid in damaged:
                                gone = self.students.pop(sid, None)
                                if gone is not None:
                                    self._unfile(gone)
                            self.damaged_ids = sorted(set(self.damaged_ids) | set(damaged))
                            self._sorted = None
            return self._index

    @property
    def search_ready(self) -> bool:
        """Whether a search now answers at once (the index is built)."""
        return self._index is not None

    def prepare_search(self) -> int:
        """Build the search index now (and its typo table), not on the first keystroke.

        Returns the number of students indexed."""
        index = self.index
        index.prepare()
        return len(index)

    def with_status(self, status: str) -> list[StudentRecord]:
        """The students with this status (e.g. "wacht"), without walking the directory."""
        with self._lock:
            return [self.students[i] for i in self._by_status.get(status, ())]

    def with_contact(self, worker_id: str) -> list[StudentRecord]:
        """The students whose contact person is this worker, without walking the directory."""
        with self._lock:
            return [self.students[i] for i in self._by_contact.get(worker_id, ())]

    def search(self, query: str, limit: int = 50) -> list[StudentRecord]:
        """Students matching every word of the query, in phone-book order."""
        index = self.index
        with self._lock:
            hits = [self.students[i] for i in index.search(query, limit) if i in self.students]
        # Exact matches first (phone-book order), then those found despite a typo: tested on the
        # index's own folded keys, not on each hit's document parsed and folded again.
        words = fold(query).split()
        return sorted(hits, key=lambda r: (not all(w in index.key(r.id) for w in words), r.sort_key))

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
        entries, damaged = students.directory_plaintexts(self._store, self._keys, only=wanted)
        involved = students.involved_student_ids(self._store, self._keys.worker_id, only=wanted)
        fresh = _records(entries)
        for sid in [sid for sid, r in fresh.items() if r.indexed_key() is None]:
            fresh.pop(sid)
            damaged.append(sid)
        changed: set[str] = set()
        with self._lock:
            self._generation += 1
            index = self._index  # None until built: then it is built from the records as they are
            for sid in wanted:
                old = self.students.get(sid)
                new = fresh.get(sid)
                if new is None:
                    if old is not None:
                        self.students.pop(sid)
                        self._unfile(old)
                        if index is not None:
                            index.replace(sid, "")
                        changed.add(sid)
                elif (
                    old is None or old.version != new.version or old.status != new.status
                    or old.contact_worker_id != new.contact_worker_id
                ):
                    self.students[sid] = new
                    if old is not None:
                        self._unfile(old)
                    self._file(new)
                    if index is not None:
                        index.replace(sid, new.search_key)
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
            self._by_status, self._by_contact = defaultdict(set), defaultdict(set)
            self._sorted = None
            self._generation += 1
            self._index = DirectoryIndex()
            self.involved = set()
            self.damaged_ids = []

    def __iter__(self) -> Iterator[StudentRecord]:
        return iter(self.records())
