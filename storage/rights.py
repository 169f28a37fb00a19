"""Store operations of the student's privacy rights (AVG): inzage, erasure, retention.

Erasure is crypto-shredding: every wrap of the student key (the escrow's
too) is deleted, so the key, and with it every file entry ever written under
it, is gone; the file entries, handovers and the directory row are deleted
as well. The statistics record is deleted; a generalised copy without
exact dates, id or time of its own goes into the pool of erased students
(``report.detach``, ``report.pool``). An
``erasures`` row (id and date only) remembers the erasure so a restore of an
older backup can apply it again; for a store in a file a side file
``<store>.erasures`` holds the same ids, so that still works when the store
file itself is damaged or gone.

On SQLite the store runs with ``secure_delete=ON`` (storage/sqlite.py), so
deleted cells and freed pages are overwritten with zeros; after an erasure
the WAL is checkpointed and truncated, so the old pages do not linger there.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage import audit, authority, clock, files, guard, report
from storage.audit import LogRow
from storage.crypto import sign, signature_valid
from storage.documents import JsonObject
from storage.errors import NotAllowed, Reason
from storage.files import EntryView
from storage.keyring import Keys
from storage.models import (
    AuditEntry,
    Erasure,
    FileEntry,
    Handover,
    MeldcodeTrajectory,
    MeldcodeWrap,
    Student,
    StudentKeyWrap,
    Team,
)
from storage.store import Store

# Reason codes of an erasure: only the code goes into the audit log.
ERASURE_REASONS = ("verzoek", "bewaartermijn", "onterecht")
REAPPLIED = "terugzetten"  # detail of an erasure applied again after a restore (then ": <reason>, gewist <moment>")


@dataclass(frozen=True, slots=True)
class Erased:
    """What is kept of an erasure: when, why (an ``ERASURE_REASONS`` code; "" for one from
    before reasons were kept), and the coördinator's signature over both (``erasure_message``)."""

    at: datetime
    reason: str = ""
    signer: str = ""
    sig: bytes = b""


def erasure_message(student_id: str, at: datetime, reason: str) -> bytes:
    """What a coördinator signs when erasing: an erasure is applied again (at an unlock, at a
    restore) only when this signature holds, so a line added to the erasure list or the side
    file by someone with the files destroys nothing."""
    return "\x1f".join(("erasure", student_id, _iso(_aware(at).astimezone(UTC)), reason)).encode()


def sign_erasure(keys: Keys, student_id: str, at: datetime, reason: str) -> Erased:
    """The erasure as this coördinator signs it (no signature in a team not signed yet)."""
    if keys.sign_seed is None:
        return Erased(at, reason)
    return Erased(at, reason, keys.worker_id, sign(keys.sign_seed, erasure_message(student_id, at, reason)))


def trusted_erasures(
    s: Session, keys: Keys, erased: Mapping[str, Erased],
) -> tuple[dict[str, Erased], list[str]]:
    """(the erasures signed by a coördinator of this team, the ids of those that are not).

    In a team not signed yet every erasure counts (there is nothing to check it with).
    """
    if keys.root_public is None or keys.signed_from is None:
        return dict(erased), []
    trust = authority.trust(s, keys.root_public, keys.signed_from)
    good: dict[str, Erased] = {}
    bad: list[str] = []
    for sid, e in erased.items():
        grant = trust.current.get(e.signer)
        message = erasure_message(sid, e.at, e.reason)
        if grant is not None and grant.role == authority.COORDINATOR and any(
            signature_valid(k, e.sig, message) for k in trust.signing_keys.get(e.signer, set())
        ):
            good[sid] = e
        else:
            bad.append(sid)
    return good, bad

SIDE_FILE_SUFFIX = ".erasures"
SIDE_FILE_HEADER = (
    "# jongerenteam: gewiste studenten (alleen id, datum, reden en de handtekening van de coördinator).\n"
    "# Nodig bij het terugzetten van een back-up: deze studenten worden dan opnieuw gewist. Niet weggooien.\n"
)


# -- inzage ------------------------------------------------------------------------


def read_for_inzage(
    store: Store,
    keys: Keys,
    student_id: str,
    what: str,
    *,
    escrow_private: bytes | None = None,
    coordinator_id: str | None = None,
    event: str = "export",
) -> tuple[list[EntryView], list[LogRow]]:
    """Everything in a student's file plus its access log, for an inzage.

    Read and logged in one transaction: an ``event`` entry (``export``, or
    ``open`` when the worker first checks it: ``log_inzage_export`` then
    logs the export itself) with ``what`` as detail (no personal data).
    With the worker's own wrap of the student key; or, for a coördinator
    who is not involved, through the escrow (their passphrase opened it):
    then the read is also logged as ``emergency_access`` with reason
    ``inzage``.
    """
    with store.session() as s:
        files.get_student(s, student_id)
        if escrow_private is None:
            key = files.student_key(s, keys, student_id)
            entries = files.read_entries(s, keys, student_id, key, event=None)
        else:
            key = files.escrow_key(s, escrow_private, student_id)
            entries = files.read_entries(
                s, keys, student_id, key, event="emergency_access",
                on_behalf_of=coordinator_id, detail="inzage",
            )
        log = audit.student_log(s, student_id)
        audit.append(
            s, keys, event, worker_id=keys.worker_id, student_id=student_id,
            on_behalf_of=coordinator_id if escrow_private is not None else None, detail=what,
        )
    return entries, log


def log_inzage_export(store: Store, keys: Keys, student_id: str, what: str, *, via_escrow: bool = False) -> None:
    """Log that an inzage read earlier (``read_for_inzage``) leaves the app, before it is written.

    Someone involved; or a coördinator who read it through the escrow
    (``on_behalf_of`` is then the coördinator, as for the read).
    """
    with store.session() as s:
        files.get_student(s, student_id)
        if via_escrow:
            if not keys.is_coordinator:
                raise NotAllowed("escrow", reason=Reason.NOT_A_COORDINATOR)
        else:
            files.require_involved(s, keys, student_id)
        audit.append(
            s, keys, "export", worker_id=keys.worker_id, student_id=student_id,
            on_behalf_of=keys.worker_id if via_escrow else None, detail=what,
        )


# -- erasure -------------------------------------------------------------------------


def erase_students(
    store: Store, keys: Keys, student_ids: Iterable[str], reason: str, *,
    reapply: bool = False, originals: Mapping[str, Erased] | None = None,
) -> list[str]:
    """Erase students in one transaction; returns the ids whose data was removed.

    Needs a coördinator, except when ``reapply`` (a restore, or an unlock,
    putting back an erasure that was already decided): then ``reason`` is
    ignored, and the original erasure (``originals``: when and why) is what
    the ``erasures`` row keeps and what the audit line names ("terugzetten:
    verzoek, gewist 2026-12-01T10:00:00+00:00"), so a restore never replaces
    the first erasure's time and reason by its own. An id that is no longer
    in the store still gets its ``erasures`` row, so it is never forgotten.
    """
    ids = list(dict.fromkeys(student_ids))
    if not reapply:
        if not keys.is_coordinator:
            raise NotAllowed("students", reason=Reason.COORDINATOR_ONLY)
        if reason not in ERASURE_REASONS:
            raise NotAllowed("students", reason=Reason.ERASURE_NEEDS_REASON)
    now = clock.now()
    first = originals or {}
    removed: list[str] = []
    with store.session() as s:
        copies: list[JsonObject] = []
        for sid in ids:
            # The key first: without any wrap the student key is gone, and
            # with it everything ever encrypted under it.
            s.execute(delete(StudentKeyWrap).where(StudentKeyWrap.student_id == sid))
            s.execute(delete(FileEntry).where(FileEntry.student_id == sid))
            s.execute(delete(Handover).where(Handover.student_id == sid))
            # The meldcode tier (issue 21): its wraps first (the key is gone), then the trajectories.
            trajectories = select(MeldcodeTrajectory.id).where(MeldcodeTrajectory.student_id == sid)
            s.execute(delete(MeldcodeWrap).where(MeldcodeWrap.trajectory_id.in_(trajectories)))
            s.execute(delete(MeldcodeTrajectory).where(MeldcodeTrajectory.student_id == sid))
            gone = guard.rowcount(s.execute(delete(Student).where(Student.id == sid)))
            if (copy := report.detach(s, keys, sid)) is not None:
                copies.append(copy)
            original = first.get(sid) if reapply else sign_erasure(keys, sid, now, reason)
            row = s.get(Erasure, sid)
            if row is None and original is not None:
                row = Erasure(student_id=sid, erased_at=original.at, reason=original.reason,
                              signer=original.signer or None, sig=original.sig or None)
                s.add(row)
            if row is None:
                continue  # not reached: a re-applied erasure always names its original
            if gone:
                removed.append(sid)
            if gone or not reapply:
                s.flush()
                detail = reason
                if reapply:
                    kept = Erased(_aware(row.erased_at), row.reason or "")
                    detail = f"{REAPPLIED}: {kept.reason or 'onbekend'}, gewist {_iso(kept.at)}"
                audit.append(
                    s, keys, "erasure", worker_id=keys.worker_id, student_id=sid, detail=detail,
                )
        # What the figures keep: generalised copies in the one shuffled pool (storage/report.py).
        report.pool(s, keys, copies)
    # A restore works on a staged copy and writes the real store's side file itself.
    _after_erasure(store, write_side=not reapply)
    return removed


def log_told(store: Store, keys: Keys, student_id: str, code: str) -> None:
    """Log, after an erasure, what the coördinator said of the file's recipients (a code, AVG art. 19)."""
    with store.session() as s:
        audit.append(s, keys, "erasure", worker_id=keys.worker_id, student_id=student_id, detail=f"{TOLD}{code}")


# The detail of the line ``log_told`` writes, before the code.
TOLD = "ontvangers: "


def _after_erasure(store: Store, *, write_side: bool) -> None:
    """Once committed: fold the WAL into the (secure-deleted) file and bring the side file up to date."""

    def fold() -> None:
        store.checkpoint()
        if write_side and store.path is not None:
            write_side_file(store.path, erasure_ids(store))

    store.after_commit(fold)


def erasure_ids(store: Store) -> dict[str, Erased]:
    """Every erased student id in this store, with when, why and who signed it (no key needed)."""
    with store.reading() as s:
        return {
            sid: Erased(_aware(at), reason or "", signer or "", bytes(sig or b""))
            for sid, at, reason, signer, sig in s.execute(
                select(Erasure.student_id, Erasure.erased_at, Erasure.reason, Erasure.signer, Erasure.sig)
            ).all()
        }


def present(store: Store, student_ids: Iterable[str]) -> list[str]:
    """Which of these students are in the store."""
    ids = list(student_ids)
    out: list[str] = []
    with store.reading() as s:
        for i in range(0, len(ids), 500):
            out += [sid for (sid,) in s.execute(select(Student.id).where(Student.id.in_(ids[i : i + 500]))).all()]
    return out


def side_file(store_path: Path) -> Path:
    return Path(str(store_path) + SIDE_FILE_SUFFIX)


def read_side_file(store_path: Path) -> dict[str, Erased]:
    """The ids in ``<store>.erasures``, with when and why (missing or unreadable lines are skipped)."""
    path = side_file(store_path)
    out: dict[str, Erased] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, OSError, UnicodeDecodeError):
        return out
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        sid, when, why, signer, sig = ([*line.split("\t"), "", "", "", ""])[:5]
        try:
            at = _aware(datetime.fromisoformat(when.strip()))
            signature = bytes.fromhex(sig.strip())
        except ValueError:
            continue  # a line that does not read whole signs nothing
        if _looks_like_uuid(sid.strip()):
            out[sid.strip()] = Erased(at, why.strip() if why.strip() in ERASURE_REASONS else "", signer.strip(), signature)
    return out


def _looks_like_uuid(text: str) -> bool:
    import uuid

    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def write_side_file(store_path: Path, ids: Mapping[str, Erased]) -> None:
    """Merge ``ids`` into ``<store>.erasures``: written atomically, this user only.
    The first erasure of an id is what stays (its time and reason)."""
    merged = read_side_file(store_path)
    for sid, erased in ids.items():
        if sid not in merged or (erased.sig and not merged[sid].sig):
            merged[sid] = erased  # the first erasure stays; its signed form replaces an unsigned one
    path = side_file(store_path)
    lines = [SIDE_FILE_HEADER] + [
        f"{sid}\t{_iso(e.at)}\t{e.reason}\t{e.signer}\t{e.sig.hex()}\n"
        for sid, e in sorted(merged.items(), key=lambda kv: (_iso(kv[1].at), kv[0]))
    ]
    write_private(path, "".join(lines))


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically (a temporary file beside it, fsync, rename), readable by this user only."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


# -- retention --------------------------------------------------------------------


def _retention_message(raw: str) -> bytes:
    return b"retention terms\x1f" + raw.encode()


def retention_terms(store: Store, keys: Keys) -> JsonObject | None:
    """The team's retention terms as stored (None: the defaults).

    In a signed team (storage.authority) they count only with a valid
    signature of a coördinator: a value that decides when files may be
    erased is never taken from a plain column. Unsigned or wrongly signed
    terms read as None (the defaults, the legal terms) and ``RetentionForged``
    is raised by ``retention_checked`` for whoever wants to say so.
    """
    terms, _ = retention_checked(store, keys)
    return terms


def retention_checked(store: Store, keys: Keys) -> tuple[JsonObject | None, bool]:
    """(terms or None, whether stored terms were set aside because their signature did not hold)."""
    with store.reading() as s:
        team = s.scalar(select(Team))
        if team is None or not team.retention:
            return None, False
        raw, signer, sig = team.retention, team.retention_signer, team.retention_sig
        if keys.root_public is not None and keys.signed_from is not None:
            trust = authority.trust(s, keys.root_public, keys.signed_from)
            key_ok = signer is not None and any(
                signature_valid(k, sig, _retention_message(raw)) for k in trust.signing_keys.get(signer, set())
            )
            if not (key_ok and trust.is_coordinator(signer)):
                return None, True
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None, True
    return (data, False) if isinstance(data, dict) else (None, True)


def set_retention_terms(store: Store, keys: Keys, terms: JsonObject, expected_version: int) -> None:
    """A coördinator sets the team's terms (years per regime), against the team
    settings' version they saw; signed by them, logged as settings."""
    if not keys.is_coordinator:
        raise NotAllowed("team", reason=Reason.COORDINATOR_ONLY)
    with store.session() as s:
        t = guard.team_settings(s, expected_version)
        t.retention = orjson.dumps(terms, option=orjson.OPT_SORT_KEYS).decode()
        if keys.sign_seed is not None:
            t.retention_signer, t.retention_sig = keys.worker_id, sign(keys.sign_seed, _retention_message(t.retention))
        t.version += 1
        audit.append(s, keys, "settings", worker_id=keys.worker_id, detail="bewaartermijnen")


# The audit detail of a status change ("status: <new status>"): in a signed
# team the retention list believes these signed entries, not the columns.
STATUS_DETAIL = "status: "
CLOSED_DETAIL = STATUS_DETAIL + "afgesloten"


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def closed_at_of(detail: str, at: str) -> datetime | None:
    """The closing moment a status entry records, or None when it does not close the file.

    ``status: afgesloten`` closed the file at the entry's own time;
    ``status: afgesloten sinds <iso>`` (written when a team was signed)
    carries the moment it had closed before.
    """
    if not detail.startswith(CLOSED_DETAIL):
        return None
    _, _, since = detail.partition(" sinds ")
    try:
        return _aware(datetime.fromisoformat(since or at))
    except ValueError:
        return None


def closed_files(store: Store, keys: Keys, student_ids: Iterable[str] | None = None) -> dict[str, datetime]:
    """Closed files (of ``student_ids``, or all) and when they closed (no decryption).

    In a signed team a file counts as closed only when the newest signed
    status entry in the log for it (written by the worker who changed the
    status, ``storage.students``) closed it, from the moment of the first
    closing since it was last reopened:
    the plain ``status`` and ``closed_at`` columns alone never offer a file
    for erasure. A team from before signing: the columns (a file closed
    before ``closed_at`` existed: its last change).
    """
    with store.reading() as s:
        q = select(Student.id, Student.closed_at, Student.updated_at).where(Student.status == "afgesloten")
        if student_ids is not None:
            q = q.where(Student.id.in_(list(student_ids)))
        rows = s.execute(q).all()
        plain = {sid: _aware(closed or updated) for sid, closed, updated in rows}
        if keys.root_public is None or keys.signed_from is None or not plain:
            return plain
        trust = authority.trust(s, keys.root_public, keys.signed_from)
        newest: dict[str, datetime | None] = {}
        ids = list(plain)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            entries = s.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.student_id.in_(chunk), AuditEntry.event == "change",
                    AuditEntry.detail.startswith(STATUS_DETAIL), AuditEntry.seq >= keys.signed_from,
                )
                .order_by(AuditEntry.seq)
            ).all()
            for e in entries:
                if audit.signed_by_author(trust, e) and audit.authentic(s, keys.audit_key, e):
                    sid, moment = e.student_id or "", closed_at_of(e.detail, e.at)
                    # Closing a closed file again keeps the first closing moment; reopening clears it.
                    newest[sid] = (newest.get(sid) or moment) if moment is not None else None
        return {sid: at for sid, at in newest.items() if at is not None and sid in plain}
