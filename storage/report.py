"""The statistics tier: what the reports count about each student.

One ``StatisticsRecord`` per student, its ``data`` a JSON document sealed
with the directory key, so a coördinator gets the figures without opening
any file (the file tier stays under the per-student keys). The document
holds codes, dates and counts only: no name, birth date, student number or
free text (docs/security.md and docs/architecture.md, reporting), and a
random record key ("rk") for the cell key method (jongerenteam/report/cellkey.py).

When a student is erased their record is deleted; a generalised copy (no
exact dates, no birth month, no programme, a new record key) goes into the
one *pool* record of all erased students, in random order, and the pool
is recoded until every copy shares its attributes with at least K-1 others
(``generalised``, ``k_anonymous``; docs/report-privacy.md).

Writers do a read-modify-write with a version guard; a concurrent change
makes them read again and re-apply (``update``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta

import orjson
from sqlalchemy import Row, func, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import audit, clock, guard
from storage.crypto import DecryptionError, open_column, open_field, seal_field
from storage.documents import JsonObject
from storage.errors import NotAllowed, Reason, Tampered
from storage.keyring import Keys
from storage.models import AnonymousContact, FileEntry, StatisticsRecord, Student
from storage.store import Store

TABLE, COLUMN = "statistics", "data"
RETRIES = 5

KEY_BITS = 32  # record keys are integers in [0, 2**KEY_BITS): jongerenteam.report.cellkey.KEY_BITS
POOL = "gewist"  # the field of the pool document: the generalised records of erased students
K = 5  # every record in the pool shares its attributes (QUASI_IDENTIFIERS) with at least K-1 others
# What someone who knew the student could know about them (k-anonymity's quasi-
# identifiers), in the order they are given up when a record is too rare: the
# cheapest for the paid figures first. The leefdomeinen, talks and scores are
# what such a person would want to learn (the sensitive attributes): they are
# not matched on (docs/report-privacy.md).
QUASI_IDENTIFIERS = ("verwijzer", "niveau", "achttien", "gemeente")
EMPTY: JsonObject = {"verwijzer": "", "niveau": "", "achttien": None, "gemeente": ""}
# The pool's update time: the same for every store and every erasure, so it tells nothing.
POOL_TIME = datetime(2000, 1, 1, tzinfo=UTC)
STANDARD_WAIT_DAYS = 5  # jongerenteam.domain.WAITING_STANDARD_DAYS (storage cannot import it)


def _seal(keys: Keys, record_id: str, data: JsonObject) -> bytes:
    return seal_field(keys.directory, TABLE, COLUMN, record_id, orjson.dumps(data, option=orjson.OPT_SORT_KEYS))


def _open(keys: Keys, record_id: str, blob: bytes) -> JsonObject:
    try:
        data: JsonObject = orjson.loads(open_field(keys.directory, TABLE, COLUMN, record_id, blob))
    except DecryptionError as exc:
        raise Tampered(exc.where) from None
    return data


def get(store: Store, keys: Keys, student_id: str) -> JsonObject | None:
    """The decrypted statistics document of one student, or None."""
    with store.reading() as s:
        row = s.scalar(select(StatisticsRecord).where(StatisticsRecord.student_id == student_id))
        return None if row is None else _open(keys, row.id, row.data)


def update(store: Store, keys: Keys, student_id: str, change: Callable[[JsonObject | None], JsonObject]) -> JsonObject:
    """Read the student's document, apply ``change`` (it gets None for a new
    record and returns the new document) and write it back, in the caller's
    unit of work (``Store.unit``) when there is one.

    The write only lands if nobody saved in between (version guard); on a
    conflict the document is read again and ``change`` applied again, so
    ``change`` must be a pure function of the document it is given. A first
    record that a colleague created at the same moment (the unique student
    id) is inserted in a savepoint, so losing that race only means reading
    theirs, not losing the transaction.
    """
    with store.session() as s:
        for _ in range(RETRIES):
            row = s.execute(
                select(StatisticsRecord.id, StatisticsRecord.version, StatisticsRecord.data)
                .where(StatisticsRecord.student_id == student_id)
            ).first()
            now = clock.now()
            if row is not None:
                record_id, version, blob = row
                data = change(_open(keys, record_id, blob))
                done = s.execute(
                    sql_update(StatisticsRecord)
                    .where(StatisticsRecord.id == record_id, StatisticsRecord.version == version)
                    .values(data=_seal(keys, record_id, data), updated_at=now, version=version + 1)
                )
                if guard.rowcount(done) == 1:
                    return data
                continue
            data = change(None)
            record_id = str(uuid.uuid4())
            try:
                with s.begin_nested():
                    s.execute(insert(StatisticsRecord).values(
                        id=record_id, student_id=student_id, data=_seal(keys, record_id, data),
                        updated_at=now, version=1,
                    ))
                return data
            except IntegrityError:
                continue  # a colleague created the record just now: read theirs and apply again
        # The record has no updated_by (it is anonymous): 'een collega', now.
        raise guard.conflict(s, f"statistics/{student_id}", None, None)


def create(store: Store, keys: Keys, student_id: str, data: JsonObject) -> None:
    """The first document of a student created in the caller's unit of work.

    No read, no savepoint: the student's id is new and not yet committed, so no
    other transaction can have made a record for it (``update`` is for every
    other case). A record that is there all the same fails the unit (the
    unique student id), which then rolls back whole.
    """
    record_id = str(uuid.uuid4())
    with store.session() as s:
        s.execute(insert(StatisticsRecord).values(
            id=record_id, student_id=student_id, data=_seal(keys, record_id, data),
            updated_at=clock.now(), version=1,
        ))


def load_all(store: Store, keys: Keys) -> tuple[list[JsonObject], int]:
    """Every statistics document, the pooled ones of erased students too
    (``expanded``). Returns (documents, number of damaged records left out).

    A record from before the cell key method gets its random record key
    here, once (``_give_record_keys``).

    One Core select and ``open_column``: this is the report's hot path
    (50,000 records, benchmarks/bench_report.py). For one report,
    ``each_document`` reads the same one at a time.
    """
    rows = _all_rows(store)
    keyless: dict[str, JsonObject] = {}
    counter = [0]
    out = list(_parsed(keys, rows, keyless, counter, hold_keyless=False))
    if keyless:
        _give_record_keys(store, keys, keyless)
    return out, counter[0]


class Documents:
    """The statistics documents of ``load_all``, decrypted and parsed one at a
    time while they are counted: iterate once; ``damaged`` holds the number
    of damaged records left out once the iteration is done.

    One report (the ``jongerenteam report`` command) needs each document only
    once: read so, the half million small lists of 50,000 students never
    live all at once, and each is freed while still in the processor's cache
    (about a quarter of a second less at 50,000 students; docs/performance.md).
    A record from before the cell key method comes last, after it got its key.
    """

    def __init__(self, store: Store, keys: Keys) -> None:
        self._store = store
        self._keys = keys
        self._counter = [0]

    @property
    def damaged(self) -> int:
        return self._counter[0]

    def __iter__(self) -> Iterator[JsonObject]:
        self._counter[0] = 0
        rows = _all_rows(self._store)
        keyless: dict[str, JsonObject] = {}
        yield from _parsed(self._keys, rows, keyless, self._counter, hold_keyless=True)
        del rows
        if keyless:
            _give_record_keys(self._store, self._keys, keyless)
            yield from keyless.values()


def each_document(store: Store, keys: Keys) -> Documents:
    """The documents of ``load_all`` for one pass (``Documents``)."""
    return Documents(store, keys)


def _all_rows(store: Store) -> Sequence[Row[str, bytes]]:
    with store.reading() as s:
        # On the session's connection: Core rows without the ORM's result
        # handling (40 ms less for 50,000 records).
        return s.connection().execute(select(StatisticsRecord.id, StatisticsRecord.data)).all()


def _parsed(
    keys: Keys, rows: Sequence[Row[str, bytes]], keyless: dict[str, JsonObject], damaged: list[int],
    *, hold_keyless: bool,
) -> Iterator[JsonObject]:
    """Each readable document of ``rows`` (a pooled record: its documents,
    ``expanded``). One without a record key also goes into ``keyless``, by
    record id; with ``hold_keyless`` only there (it is counted once it has its
    key). A damaged record adds one to ``damaged[0]``."""
    loads = orjson.loads
    for record_id, raw in open_column(keys.directory, TABLE, COLUMN, rows):
        if raw is None:
            damaged[0] += 1
            continue
        try:
            doc = loads(raw)
        except ValueError:
            damaged[0] += 1
            continue
        if POOL in doc:
            yield from (expanded(d) for d in doc[POOL])
            continue
        if "rk" not in doc:
            keyless[record_id] = doc
            if hold_keyless:
                continue
        yield doc


def _give_record_keys(store: Store, keys: Keys, docs: dict[str, JsonObject]) -> None:
    """Write a random record key into records that have none (in place in ``docs``
    too). A record a colleague changed meanwhile keeps theirs for the next time."""
    with store.session() as s:
        for record_id, doc in docs.items():
            row = s.execute(select(StatisticsRecord.version, StatisticsRecord.data)
                            .where(StatisticsRecord.id == record_id)).first()
            if row is None:
                continue
            current = _open(keys, record_id, row.data)
            if "rk" in current:
                doc["rk"] = current["rk"]
                continue
            current["rk"] = doc["rk"] = secrets.randbelow(1 << KEY_BITS)
            s.execute(
                sql_update(StatisticsRecord)
                .where(StatisticsRecord.id == record_id, StatisticsRecord.version == row.version)
                .values(data=_seal(keys, record_id, current), version=row.version + 1)
            )


def anonymous_walk_ins(store: Store, keys: Keys, since: datetime, until: datetime) -> list[tuple[datetime, int]]:
    """When anonymous walk-ins happened, each with its key for the cell key method:
    the random "rk" sealed in its data. A walk-in from before that has none; its
    key is then an HMAC of its row id under the directory key: fixed for that
    walk-in, unpredictable to anyone without the key (who could read every
    record key anyway)."""
    with store.reading() as s:
        rows = s.execute(
            select(AnonymousContact.id, AnonymousContact.at, AnonymousContact.data)
            .where(AnonymousContact.at >= since, AnonymousContact.at < until)
            # A walk-in linked to a student later counts as hers (her statistics document), not twice.
            .where(AnonymousContact.linked.is_(False))
        ).all()
    at = {rid: when for rid, when, _ in rows}
    secret = hmac.new(keys.directory.key, b"jongerenteam cell key", hashlib.sha256).digest()
    out = []
    for rid, raw in open_column(keys.directory, "anonymous_contacts", "data", [(rid, blob) for rid, _, blob in rows]):
        key = orjson.loads(raw).get("rk") if raw is not None else None
        if not isinstance(key, int):
            key = int.from_bytes(hmac.new(secret, rid.encode(), hashlib.sha256).digest()[:KEY_BITS // 8], "big")
        out.append((at[rid], key))
    return out


def students_without_record(store: Store) -> list[str]:
    """Students registered before the statistics tier existed."""
    with store.reading() as s:
        have = select(StatisticsRecord.student_id).where(StatisticsRecord.student_id.is_not(None))
        return list(s.scalars(select(Student.id).where(Student.id.not_in(have))))


def entry_metadata(store: Store, student_ids: list[str]) -> dict[str, list[tuple[str, datetime]]]:
    """(kind, created_at) of the file entries of these students: plain columns,
    no file key needed (the backfill of old stores)."""
    out: dict[str, list[tuple[str, datetime]]] = {sid: [] for sid in student_ids}
    with store.reading() as s:
        for start in range(0, len(student_ids), 500):
            chunk = student_ids[start:start + 500]
            for sid, kind, at in s.execute(
                select(FileEntry.student_id, FileEntry.kind, FileEntry.created_at)
                .where(FileEntry.student_id.in_(chunk)).order_by(FileEntry.created_at)
            ):
                out[sid].append((kind, at))
    return out


def student_created(store: Store, student_ids: list[str]) -> dict[str, tuple[datetime, str, datetime | None]]:
    """(created_at, status, closed_at) per student: plain columns."""
    out = {}
    with store.reading() as s:
        for start in range(0, len(student_ids), 500):
            chunk = student_ids[start:start + 500]
            for sid, created, status, closed in s.execute(
                select(Student.id, Student.created_at, Student.status, Student.closed_at).where(Student.id.in_(chunk))
            ):
                out[sid] = (created, status, closed)
    return out


def add_many(store: Store, keys: Keys, documents: dict[str, JsonObject]) -> int:
    """Create records for students that have none yet (one transaction).
    Students that got one meanwhile are skipped. Returns how many were made."""
    made = 0
    with store.session() as s:
        have = set(s.scalars(select(StatisticsRecord.student_id).where(StatisticsRecord.student_id.in_(list(documents)))))
        now = clock.now()
        for sid, data in documents.items():
            if sid in have:
                continue
            record_id = str(uuid.uuid4())
            s.add(StatisticsRecord(id=record_id, student_id=sid, data=_seal(keys, record_id, data),
                                   updated_at=now, version=1))
            made += 1
    return made


def count(store: Store) -> int:
    with store.reading() as s:
        return s.scalar(select(func.count()).select_from(StatisticsRecord)) or 0


def log_report_export(store: Store, keys: Keys, what: str) -> None:
    """Log that a report left the app (``what``: e.g. "rapportage csv"; no personal data)."""
    if not keys.is_coordinator:
        raise NotAllowed("statistics", reason=Reason.COORDINATOR_ONLY)
    with store.session() as s:
        audit.append(s, keys, "export", worker_id=keys.worker_id, detail=what)


# -- what an erasure keeps -------------------------------------------------------------------


def _month(day: str) -> str:
    return day[:7]


def _working_days(start: date, end: date) -> int:
    """Monday to Friday after ``start`` up to and including ``end``
    (jongerenteam.domain.working_days_between, which storage cannot import)."""
    count, d = 0, start
    while d < end:
        d += timedelta(days=1)
        count += d.weekday() < 5
    return count


def generalised(doc: JsonObject) -> JsonObject:
    """What an erasure keeps of a student's document, before ``k_anonymous``:
    months instead of dates, the year the student turns 18 instead of the
    month, no programme (free text), no talk ids, a new record key, and for
    each referral only whether the first talk came within the standard wait
    and in which month (the wait in days is a detail of one student)."""
    walks = sorted(doc.get("inloop", []))
    talks = sorted(doc.get("gesprekken", []))
    contacts = sorted([*walks, *(t[0] for t in talks)])
    referrals = []
    for a in sorted(doc.get("aanmeldingen", [])):
        first = next((c for c in contacts if c >= a), None)
        if first is None:
            referrals.append([_month(a), "", ""])
            continue
        days = _working_days(date.fromisoformat(a[:10]), date.fromisoformat(first[:10]))
        referrals.append([_month(a), "binnen" if days <= STANDARD_WAIT_DAYS else "later", _month(first)])
    eighteen = doc.get("achttien")
    return {
        "v": doc.get("v", 1),
        "rk": secrets.randbelow(1 << KEY_BITS),
        "gemeente": doc.get("gemeente") or "",
        "niveau": doc.get("niveau") or "",
        "opleiding": "",
        "verwijzer": doc.get("verwijzer") or "",
        "domeinen": sorted(set(doc.get("domeinen", []))),
        "achttien": eighteen[:4] if eighteen else None,
        "ingeschreven": _month(doc.get("ingeschreven", "")),
        "inloop": [_month(w) for w in walks],
        "gesprekken": [[_month(d), t, ""] for d, t, *_ in talks],
        "statussen": [[_month(d), status, *rest] for d, status, *rest in doc.get("statussen", [])],
        "scores": [[_month(d), dom, v] for d, dom, v in sorted(doc.get("scores", []), key=lambda x: x[0])],
        "aanmeldingen": referrals,
    }


def quasi_identifiers(doc: JsonObject) -> tuple[object, ...]:
    """The attributes of a kept record that someone who knew the student could know."""
    return tuple(tuple(v) if isinstance(v := doc.get(f), list) else v for f in QUASI_IDENTIFIERS)


def _coarser(doc: JsonObject) -> list[tuple[int, str, object]]:
    """The one-step coarser versions of a record's attributes: (cost, field, value),
    each an attribute emptied ("onbekend" in the figures)."""
    return [(cost, field, EMPTY[field]) for cost, field in enumerate(QUASI_IDENTIFIERS)
            if doc.get(field) not in ("", None)]


def _homogeneous(group: list[JsonObject]) -> bool:
    """Does every record of this class share a leefdomein? Then knowing someone is
    in the class tells that domain (the homogeneity attack on k-anonymity)."""
    common = set(group[0].get("domeinen", []))
    for d in group[1:]:
        common &= set(d.get("domeinen", []))
        if not common:
            return False
    return bool(common)


def k_anonymous(docs: list[JsonObject], k: int = K) -> list[JsonObject]:
    """Recode rare records until each shares its QUASI_IDENTIFIERS with at least
    k-1 others, and no class has a leefdomein all its records share (greedy
    local recoding). Each round, every class smaller than k (or homogeneous)
    takes the one step coarser (``_coarser``) that brings it into the largest
    class there is; between equal classes, the step that costs the figures
    least (QUASI_IDENTIFIERS is ordered cheapest first). A class still smaller
    than k (or homogeneous) in the end has every attribute empty: there were
    fewer than k erased students in all (or all share that domain)."""
    for _ in range(64):  # every step makes a record coarser, so this ends well before
        groups: dict[tuple[object, ...], list[JsonObject]] = {}
        for d in docs:
            groups.setdefault(quasi_identifiers(d), []).append(d)
        rare = [g for g in groups.values() if len(g) < k or _homogeneous(g)]
        if not rare:
            break
        moved = False
        for group in sorted(rare, key=len):
            first = group[0]
            steps = [(-len(groups.get(quasi_identifiers({**first, field: value}), ())), cost, field, value)
                     for cost, field, value in _coarser(first)]
            if not steps:
                continue
            *_, field, value = min(steps, key=lambda step: step[:2])
            for d in group:
                d[field] = value
            moved = True
        if not moved:
            break
    _fill_the_empty_class(docs, k)
    return docs


def _fill_the_empty_class(docs: list[JsonObject], k: int) -> None:
    """The records that gave up every attribute form one class; when it is
    smaller than k (or homogeneous), records of classes that can spare one
    (still k or more, still mixed without it) give up theirs too, one at a
    time: first one without the domain the class shares. With none to spare,
    every record gives up everything."""
    empty = quasi_identifiers(EMPTY)
    while True:
        groups: dict[tuple[object, ...], list[JsonObject]] = {}
        for d in docs:
            groups.setdefault(quasi_identifiers(d), []).append(d)
        bottom = groups.get(empty, [])
        if not bottom or (len(bottom) >= k and not _homogeneous(bottom)):
            return
        shared = set.intersection(*(set(d.get("domeinen", [])) for d in bottom))
        spare = [
            (not (shared - set(d.get("domeinen", []))), -len(g), i, d)
            for qi, g in groups.items() if qi != empty and len(g) > k
            for i, d in enumerate(g) if not _homogeneous([x for x in g if x is not d])
        ]
        if not spare:
            for d in docs:
                d.update(EMPTY)
            return
        min(spare, key=lambda c: c[:3])[3].update(EMPTY)


def _day(month: str) -> str:
    return month + "-01" if len(month) == 7 else month


def expanded(doc: JsonObject) -> JsonObject:
    """A pooled record as the figures read it: each month as its first day."""
    out = dict(doc)
    out["ingeschreven"] = _day(doc.get("ingeschreven", ""))
    out["inloop"] = [_day(w) for w in doc.get("inloop", [])]
    out["gesprekken"] = [[_day(d), *rest] for d, *rest in doc.get("gesprekken", [])]
    out["statussen"] = [[_day(d), *rest] for d, *rest in doc.get("statussen", [])]
    out["scores"] = [[_day(d), *rest] for d, *rest in doc.get("scores", [])]
    out["aanmeldingen"] = [[_day(a), bucket, _day(first) if first else ""] for a, bucket, first in doc.get("aanmeldingen", [])]
    return out


def pooled(store: Store, keys: Keys) -> list[JsonObject]:
    """The pool as stored (generalised, not ``expanded``): for tests and the docs' measurements."""
    with store.reading() as s:
        rows = s.execute(select(StatisticsRecord.id, StatisticsRecord.data).where(StatisticsRecord.student_id.is_(None))).all()
    out: list[JsonObject] = []
    for record_id, blob in rows:
        doc = _open(keys, record_id, blob)
        out.extend(doc.get(POOL, []))
    return out


def detach(s: Session, keys: Keys, student_id: str) -> JsonObject | None:
    """Inside an erasure's transaction: delete the student's record and return
    its generalised copy (``generalised``) for ``pool``; None without a record.
    Nothing else about the student stays: no row, id, key or time of their own."""
    record = s.scalar(select(StatisticsRecord).where(StatisticsRecord.student_id == student_id))
    if record is None:
        return None
    kept = generalised(_open(keys, record.id, record.data))
    s.delete(record)
    return kept


def pool(s: Session, keys: Keys, kept: list[JsonObject]) -> None:
    """Inside an erasure's transaction, after ``detach``: put the kept copies into
    the pool, recode the pool (``k_anonymous``), shuffle it and write it back
    with POOL_TIME as its time. Anonymous records of older versions (student
    id emptied, dates exact) go into the pool the same way."""
    loose = list(s.scalars(select(StatisticsRecord).where(StatisticsRecord.student_id.is_(None)).with_for_update()))
    docs: list[JsonObject] = []
    pools: list[StatisticsRecord] = []
    older = 0
    for row in loose:
        data = _open(keys, row.id, row.data)
        if POOL in data:
            docs.extend(data[POOL])
            pools.append(row)
        else:
            docs.append(generalised(data))
            s.delete(row)
            older += 1
    if not kept and not older and len(pools) <= 1:
        return  # nothing new to pool
    docs.extend(kept)
    k_anonymous(docs)
    secrets.SystemRandom().shuffle(docs)
    target = pools[0] if pools else None
    for extra in pools[1:]:  # two erasures that each started a pool at the same moment
        s.delete(extra)
    if target is None:
        pool_id = str(uuid.uuid4())
        s.add(StatisticsRecord(id=pool_id, student_id=None, data=_seal(keys, pool_id, {"v": 1, POOL: docs}),
                               updated_at=POOL_TIME, version=1))
        return
    target.data = _seal(keys, target.id, {"v": 1, POOL: docs})
    target.version += 1
    target.updated_at = POOL_TIME
