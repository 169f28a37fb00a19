"""The store side of backup and restore (SQLite files only).

- ``check_file`` and ``inspect``: is this file a backup that can be put
  back? Each refusal is a ``BackupUnusable`` with a reason (missing, empty,
  not SQLite, cut off, damaged pages, not a team store, newer version).
- ``StoreFacts`` / ``read_facts``: what a store holds, from plain columns,
  without any key (team, counts, dates): the restore shows them before it
  asks.
- ``stage``: a private working copy of the backup; the backup file itself is
  only ever read as bytes, never opened with SQLite, so nothing can change it
  (no journal rolled back, no WAL folded in).
- ``check_contents``: every encrypted value of a store that the keys of an
  unlocked coördinator can open, opened; plus the audit chain. One
  structured result (counts per kind of damage), for restore and for a later
  "opslag controleren".
- ``exclusive`` / ``current_facts``: the "in use" marker taken
  exclusively (storage/sqlite.py), so a store is never replaced under an open
  app.
- ``keep_aside`` and ``replace``: the safety copy of the current store and
  the replacement itself (SQLite backup API).

Nothing here asks, prints or knows Dutch sentences; errors name places and
counts, never values.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

import orjson
from sqlalchemy import Row, and_, select
from sqlalchemy.orm import Session, aliased

from storage import audit, clock, files
from storage import sqlite as sqlite_backend
from storage.crypto import (
    NONCE_LEN,
    SEAL_VERSION,
    TAG_LEN,
    DecryptionError,
    FieldKey,
    open_column,
    open_field,
)
from storage.errors import BackupUnusable, StoreError, Tampered
from storage.files import ESCROW
from storage.keyring import Keys
from storage.models import (
    AnonymousContact,
    EscrowWrap,
    FileEntry,
    Handover,
    SocialMapEntry,
    StatisticsRecord,
    Student,
    StudentKeyWrap,
    Worker,
)
from storage.store import MIGRATIONS_DIR, Store

SQLITE_HEADER = b"SQLite format 3\x00"
HEADER_LEN = 100  # the SQLite file header

STAGING_INFIX = ".terugzetten-"
STORE_FILE_SUFFIXES = ("", "-wal", "-shm", "-journal", sqlite_backend.IN_USE_SUFFIX)


def store_path(location: str) -> Path:
    """The file of a SQLite store location."""
    return sqlite_backend.path_of(str(location))


# -- is this file a backup? ---------------------------------------------------------


def check_file(source: Path, shown: str) -> None:
    """The checks that need only the file's size and first bytes (cheap: before any copy).

    Raises BackupUnusable with reason ``missing``, ``folder``, ``empty``,
    ``not sqlite``, ``truncated`` or ``damaged``; ``shown`` is the name the
    user gave (it goes into the error as the place).
    """
    try:
        if not source.exists():
            raise BackupUnusable(shown, reason="missing")
        if source.is_dir():
            raise BackupUnusable(shown, reason="folder")
        size = source.stat().st_size
        if size == 0:
            raise BackupUnusable(shown, reason="empty")
        with source.open("rb") as fh:
            head = fh.read(HEADER_LEN)
    except OSError as exc:
        raise BackupUnusable(shown, reason="unreadable") from exc
    problem = header_problem(head, size)
    if problem:
        raise BackupUnusable(shown, reason=problem)


def header_problem(head: bytes, size: int) -> str | None:
    """What the SQLite header says about a file of ``size`` bytes: None, or a reason."""
    if len(head) < len(SQLITE_HEADER):
        return "truncated" if SQLITE_HEADER.startswith(head) else "not sqlite"
    if head[: len(SQLITE_HEADER)] != SQLITE_HEADER:
        return "not sqlite"
    if len(head) < HEADER_LEN:
        return "truncated"
    page_size = int.from_bytes(head[16:18], "big")
    if page_size == 1:
        page_size = 65536
    if page_size < 512 or page_size & (page_size - 1):
        return "damaged"
    pages = int.from_bytes(head[28:32], "big")
    # The page count in the header is valid when "version valid for" equals
    # the change counter (every SQLite since 3.7.0 writes both).
    if pages and head[92:96] == head[24:28] and size < pages * page_size:
        return "truncated"
    if size % page_size:
        return "truncated"
    return None


@dataclass(frozen=True, slots=True)
class StoreFacts:
    """What a store holds, read from plain columns (no key, no personal data).

    ``made_at`` is the time of the store's newest audit entry: for a backup
    made with ``jongerenteam backup`` that is its ``backup`` entry, written
    just before the copy; for an automatic copy (before an update, before a
    restore) it is the last thing that happened in the store before the copy.
    """

    team_id: str
    team_name: str
    revision: str
    made_at: datetime | None
    last_event: str | None
    students: int
    workers: int  # active workers
    newest_entry: datetime | None  # the newest change of a file entry


def known_revisions() -> set[str]:
    """Every schema revision this program knows (the migration scripts)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def inspect(path: Path, shown: str) -> StoreFacts:
    """Check a (staged) backup with SQLite and read its facts; raise BackupUnusable if it cannot go back.

    Order: damaged pages (integrity check), not a team store (no ``team`` or
    ``alembic_version`` table, not exactly one team), a newer schema.
    """
    try:
        con = sqlite3.connect(sqlite_backend.read_only_uri(path), uri=True)
    except sqlite3.Error as exc:
        raise BackupUnusable(shown, reason="damaged") from exc
    try:
        try:
            rows = con.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as exc:
            raise BackupUnusable(shown, reason="damaged") from exc
        if [r[0] for r in rows] != ["ok"]:
            raise BackupUnusable(shown, reason="damaged")
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"team", "alembic_version", "workers", "students", "file_entries", "audit_log"} <= tables:
                raise BackupUnusable(shown, reason="not a store")
            revisions = con.execute("SELECT version_num FROM alembic_version").fetchall()
            if len(revisions) != 1:
                raise BackupUnusable(shown, reason="not a store")
            if revisions[0][0] not in known_revisions():
                raise BackupUnusable(shown, reason="newer")
            facts = _facts(con)
        except sqlite3.DatabaseError as exc:
            raise BackupUnusable(shown, reason="damaged") from exc
        if facts is None:
            raise BackupUnusable(shown, reason="not a store")
        return facts
    finally:
        con.close()


def read_facts(path: Path, *, read_only: bool = True) -> StoreFacts | None:
    """The facts of a store file; None when it is missing or cannot be read as a team store.

    Only SELECTs either way. ``read_only=False`` for a store in WAL mode that
    nobody else has open (the caller holds it exclusively): a read-only
    connection would leave an empty ``-wal`` and ``-shm`` behind, an ordinary
    one removes them when it closes, as the app does.
    """
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        uri = sqlite_backend.read_only_uri(path)
        if not read_only:
            uri = uri.replace("?mode=ro", "?mode=rw")
        con = sqlite3.connect(uri, uri=True, timeout=0.5)
    except (OSError, sqlite3.Error):
        return None
    try:
        return _facts(con)
    except (sqlite3.Error, ValueError, TypeError):
        return None
    finally:
        con.close()


def _facts(con: sqlite3.Connection) -> StoreFacts | None:
    teams = con.execute("SELECT id, name FROM team LIMIT 2").fetchall()
    if len(teams) != 1:
        return None
    team_id, team_name = teams[0]
    revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
    last = con.execute("SELECT at, event FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    students = con.execute("SELECT count(*) FROM students").fetchone()[0]
    workers = con.execute("SELECT count(*) FROM workers WHERE active").fetchone()[0]
    newest = con.execute("SELECT max(updated_at) FROM file_entries").fetchone()[0]
    return StoreFacts(
        team_id=str(team_id),
        team_name=str(team_name),
        revision=str(revision[0]) if revision else "",
        made_at=_moment(last[0]) if last else None,
        last_event=str(last[1]) if last else None,
        students=int(students),
        workers=int(workers),
        newest_entry=_moment(newest),
    )


def _moment(value: object) -> datetime | None:
    """A stored moment (ISO text; SQLite keeps UTC without an offset) as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# -- working copies -------------------------------------------------------------------


def stage(source: Path, folder: Path, name: str) -> Path:
    """A private copy (0600) of ``source`` in ``folder`` to work on: the backup is only read.

    A plain byte copy: a backup is one finished file, and SQLite never opens
    the original, so no journal beside it is rolled back and no WAL folded in.
    """
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}{STAGING_INFIX}", suffix=".jt")
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, length=1 << 20)
    except BaseException:
        remove_store_files(Path(tmp))
        raise
    return Path(tmp)


def remove_store_files(path: Path) -> None:
    """A store file with everything SQLite and jongerenteam keep beside it (WAL, marker, update backups)."""
    for suffix in STORE_FILE_SUFFIXES:
        Path(str(path) + suffix).unlink(missing_ok=True)
    shutil.rmtree(Path(str(path) + ".backups"), ignore_errors=True)


def safety_folder(target: Path) -> Path:
    return target.with_name(target.name + ".backups")


def keep_aside(target: Path) -> tuple[Path, bool]:
    """Save the store that is about to be replaced. Returns (where, damaged).

    A copy through the SQLite backup API into ``<store>.backups/``; a file
    SQLite cannot copy (damaged, not a database) is moved there as it is.
    """
    folder = safety_folder(target)
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    copy = folder / f"voor-terugzetten-{stamp}.jtbackup"
    try:
        sqlite_backend.backup_to(target, copy)
        return copy, False
    except StoreError:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        aside = folder / f"beschadigd-{stamp}.jt"
        os.replace(target, aside)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        return aside, True


def replace(staging: Path, target: Path) -> None:
    """Put the staged store in place of the store file (SQLite backup API, then WAL as usual)."""
    sqlite_backend.restore_from(staging, target)


# -- the "in use" marker ----------------------------------------------------------------


@contextmanager
def exclusive(target: Path) -> Iterator[None]:
    """Hold the store file exclusively (nobody may open it meanwhile); StoreInUse if it is open."""
    marker = sqlite_backend.take_exclusive(target)
    try:
        yield
    finally:
        marker.release()


def current_facts(target: Path) -> StoreFacts | None:
    """The facts of the store a restore would replace (None: missing or unreadable).

    Raises StoreInUse when it is open somewhere: that refusal comes now,
    before anyone is asked anything. The file is held exclusively while it
    is read.
    """
    if not target.exists():
        return None
    with exclusive(target):
        return read_facts(target, read_only=False)


# -- every envelope, opened ------------------------------------------------------------------

# Kinds of damage, as counted by check_contents (the Dutch words are in
# jongerenteam/messages.py, damage_phrases).
DIRECTORY = "directory"  # a student's directory document (team / directory key)
STATISTICS = "statistics"  # a statistics record
SOCIAL_MAP = "social_map"  # an entry of the sociale kaart
ANONYMOUS = "anonymous_contacts"  # an anonymous walk-in
WORKER_CONTACTS = "worker_contacts"  # a worker's reachability
ESCROW_KEY = "escrow"  # the coördinator's escrow key is missing
STUDENT_KEYS = "student_keys"  # a student key that the escrow cannot open (the whole file)
PRIVATE_KEYS = "private_keys"  # a student's private key (entries appended without reading)
FILE_ENTRIES = "file_entries"  # one file entry
WRAPS = "wraps"  # a key wrap for a worker (shape only, or opened when it is the checker's own)
PENDING_WRAPS = "pending_wraps"  # a handover's pending key wrap
AUDIT = "audit"  # the audit chain
DRAFTS = "drafts"  # a worker's unsaved typing (storage/drafts.py; shape only unless it is the checker's own)

# A sealed box holding a 32-byte key: version, ephemeral public key, nonce, key, tag.
_KEY_BOX_LEN = 1 + 32 + NONCE_LEN + 32 + TAG_LEN


class CheckSummary(TypedDict):
    """``ContentCheck.summary()``: counts per kind, and the first broken audit entry."""

    damaged: dict[str, int]
    students: dict[str, int]
    audit_seq: int | None


@dataclass(slots=True)
class ContentCheck:
    """What ``check_contents`` found: how many values of each kind it opened and how many failed.

    ``students`` counts, per kind, the students concerned (their ids stay in
    this object, in memory; ``summary()`` gives counts only).
    ``unchecked_students``: files these keys cannot reach (a worker without
    the escrow checks only the files they are involved in).
    """

    checked: Counter[str] = field(default_factory=Counter)
    damaged: Counter[str] = field(default_factory=Counter)
    students: dict[str, set[str]] = field(default_factory=dict)
    unchecked_students: int = 0
    audit: audit.Verification | None = None

    @property
    def ok(self) -> bool:
        return not self.damaged and (self.audit is None or self.audit.ok)

    def _damage(self, kind: str, student_id: str | None = None) -> None:
        self.damaged[kind] += 1
        if student_id is not None:
            self.students.setdefault(kind, set()).add(student_id)

    def summary(self) -> CheckSummary:
        """Counts only (for an error, a message, a log): never ids or values."""
        return {
            "damaged": {kind: n for kind, n in self.damaged.items() if n},
            "students": {kind: len(ids) for kind, ids in self.students.items()},
            "audit_seq": None if self.audit is None or self.audit.ok else self.audit.first_broken_seq,
        }


def check_contents(store: Store, keys: Keys) -> ContentCheck:
    """Open every encrypted value these keys can open, and verify the audit chain.

    Directory tier (directory key): students' directory documents, statistics
    records, the sociale kaart, anonymous walk-ins, workers' reachability.
    File tier, per student: the student key through the escrow (a
    coördinator's keys hold the escrow private key) and, where it exists,
    through the checker's own wrap (both must give the same key); the
    student's private key; every file entry (envelopes under the student key,
    sealed boxes to the student's public key). Key wraps for other workers and
    pending handover wraps are sealed to keys the checker does not hold: they
    are checked for shape only (length and version), unless they are the
    checker's own. Decrypted values are parsed and dropped at once; nothing
    is written.
    """
    check = ContentCheck()
    with store.reading() as s:
        _check_directory_tier(s, keys, check)
        _check_file_tier(s, keys, check)
        _check_other_wraps(s, keys, check)
        _check_drafts(s, keys, check)
        check.audit = audit.verify(s, keys)
        if not check.audit.ok:
            check._damage(AUDIT)
    return check


def _json_ok(raw: bytes | None) -> bool:
    if raw is None:
        return False
    try:
        return isinstance(orjson.loads(raw), dict)
    except orjson.JSONDecodeError:
        return False


_STREAM = {"yield_per": 1000}


def _check_directory_tier(s: Session, keys: Keys, check: ContentCheck) -> None:
    # Directory documents: the student id is the row id.
    rows = s.execute(select(Student.id, Student.directory).execution_options(**_STREAM))
    for sid, raw in open_column(keys.directory, "students", "directory", rows):
        check.checked[DIRECTORY] += 1
        if not _json_ok(raw):
            check._damage(DIRECTORY, sid)
    for kind, model, table in (
        (STATISTICS, StatisticsRecord, "statistics"),
        (SOCIAL_MAP, SocialMapEntry, "social_map"),
        (ANONYMOUS, AnonymousContact, "anonymous_contacts"),
    ):
        rows = s.execute(select(model.id, model.data).execution_options(**_STREAM))
        for _, raw in open_column(keys.directory, table, "data", rows):
            check.checked[kind] += 1
            if not _json_ok(raw):
                check._damage(kind)
    rows = s.execute(select(Worker.id, Worker.contact).where(Worker.contact.is_not(None)))
    for _, raw in open_column(keys.directory, "workers", "contact", rows):
        check.checked[WORKER_CONTACTS] += 1
        if raw is None:
            check._damage(WORKER_CONTACTS)


def _check_file_tier(s: Session, keys: Keys, check: ContentCheck) -> None:
    escrow = keys.escrow_private
    if keys.is_coordinator and escrow is None:
        check._damage(ESCROW_KEY)
    by_escrow = aliased(StudentKeyWrap)
    own = aliased(StudentKeyWrap)
    students = s.execute(
        select(Student.id, Student.private_key, by_escrow.wrapped, own.wrapped)
        .outerjoin(by_escrow, and_(by_escrow.student_id == Student.id, by_escrow.recipient == ESCROW))
        .outerjoin(own, and_(own.student_id == Student.id, own.recipient == keys.worker_id))
        .order_by(Student.id)
        .execution_options(**_STREAM)
    )
    # Entries arrive ordered by student, in step with the students: one
    # student's key in memory at a time.
    entries = iter(
        s.execute(
            select(
                FileEntry.student_id, FileEntry.id, FileEntry.sealed, FileEntry.body,
                FileEntry.kind, FileEntry.created_by, FileEntry.version,
            )
            .order_by(FileEntry.student_id, FileEntry.id)
            .execution_options(**_STREAM)
        )
    )
    pending = next(entries, None)
    for sid, private_blob, escrow_wrap, own_wrap in students:
        while pending is not None and pending[0] < sid:  # no student row (foreign keys forbid it)
            pending = next(entries, None)
        mine: list[_EntryRow] = []
        while pending is not None and pending[0] == sid:
            mine.append(pending)
            pending = next(entries, None)
        _check_student(keys, escrow, sid, private_blob, escrow_wrap, own_wrap, mine, check)


# (student id, entry id, sealed, body, kind, created_by, version) of one file entry.
_EntryRow = Row[str, str, bool, bytes, str, str, int]


def _check_student(
    keys: Keys,
    escrow: bytes | None,
    sid: str,
    private_blob: bytes,
    escrow_wrap: bytes | None,
    own_wrap: bytes | None,
    entries: list[_EntryRow],
    check: ContentCheck,
) -> None:
    key: bytes | None = None
    if escrow is not None:
        check.checked[STUDENT_KEYS] += 1
        if escrow_wrap is None:
            check._damage(STUDENT_KEYS, sid)
        else:
            try:
                key = files.open_wrap(escrow, escrow_wrap, sid, ESCROW)
            except Tampered:
                check._damage(STUDENT_KEYS, sid)
    if own_wrap is not None:
        check.checked[WRAPS] += 1
        try:
            mine = files.open_wrap(keys.worker_private, own_wrap, sid, keys.worker_id)
        except Tampered:
            check._damage(WRAPS, sid)
        else:
            if key is not None and mine != key:
                check._damage(WRAPS, sid)
            elif key is None and escrow is None:
                key = mine
    if key is None:
        if escrow is None and own_wrap is None:
            check.unchecked_students += 1
        return
    try:
        fk = FieldKey.of(key)
    except ValueError:
        check._damage(STUDENT_KEYS, sid)
        return
    check.checked[PRIVATE_KEYS] += 1
    private: bytes | None
    try:
        private = open_field(fk, "students", "private_key", sid, private_blob)
    except DecryptionError:
        private = None
    if private is None or len(private) != 32:
        private = None
        check._damage(PRIVATE_KEYS, sid)

    def student_private() -> bytes:
        if private is None:  # not reached: sealed entries are skipped below when it is missing
            raise Tampered("students.private_key")
        return private

    for entry in entries:
        if entry.sealed and private is None:
            continue  # unreadable because of the private key, counted there
        check.checked[FILE_ENTRIES] += 1
        try:
            raw: bytes | None = files.open_body(fk, student_private, entry)
        except Tampered:
            raw = None
        if not _json_ok(raw):
            check._damage(FILE_ENTRIES, sid)


def _key_box_ok(blob: bytes | None) -> bool:
    return blob is not None and len(blob) == _KEY_BOX_LEN and blob[0] == SEAL_VERSION


def _check_other_wraps(s: Session, keys: Keys, check: ContentCheck) -> None:
    rows = s.execute(
        select(StudentKeyWrap.student_id, StudentKeyWrap.wrapped)
        .where(StudentKeyWrap.recipient.not_in((ESCROW, keys.worker_id)))
        .execution_options(**_STREAM)
    )
    for sid, blob in rows:
        check.checked[WRAPS] += 1
        if not _key_box_ok(blob):
            check._damage(WRAPS, sid)
    for worker_id, blob in s.execute(select(EscrowWrap.worker_id, EscrowWrap.wrapped)):
        if worker_id == keys.worker_id:
            continue  # opened at unlock
        check.checked[WRAPS] += 1
        if not _key_box_ok(blob):
            check._damage(WRAPS)
    pending = s.execute(
        select(Handover.student_id, Handover.to_worker_id, Handover.pending_wrap).where(
            Handover.pending_wrap.is_not(None)
        )
    )
    for sid, to_worker_id, wrap in pending:
        check.checked[PENDING_WRAPS] += 1
        if wrap is None or not _key_box_ok(wrap):
            check._damage(PENDING_WRAPS, sid)
            continue
        if to_worker_id == keys.worker_id:
            try:
                files.open_wrap(keys.worker_private, wrap, sid, to_worker_id, "handovers.pending_wrap")
            except Tampered:
                check._damage(PENDING_WRAPS, sid)


def _check_drafts(s: Session, keys: Keys, check: ContentCheck) -> None:
    """Drafts are sealed to their worker alone: the checker's own are opened, others checked for shape."""
    from storage import drafts as store_drafts
    from storage.models import Draft

    for row in s.scalars(select(Draft)):
        check.checked[DRAFTS] += 1
        blob = bytes(row.body)
        if (
            len(blob) < 1 + 32 + NONCE_LEN + TAG_LEN
            or blob[0] != SEAL_VERSION
            or (row.worker_id == keys.worker_id and not store_drafts.opens(keys, row))
        ):
            check._damage(DRAFTS)
