"""Store operations of the warme overdracht (handover of a student's file).

A handover row holds only ids, the kind, the state and dates. What is said
in it (the overdrachtsdocument, reasons, the receiver outside the team) is
written as file entries under the student key, in the same transaction as
the state change, so the timeline shows every step.

The state machine lives here, so no caller can store an impossible step:

- intern: voorgesteld -> geaccepteerd | afgewezen | ingetrokken;
  geaccepteerd -> kennismaking -> afgerond (or geaccepteerd -> afgerond).
- extern and 18plus: voorgesteld -> kennismaking | contact | ingetrokken;
  kennismaking -> contact | ingetrokken; contact -> afgerond.

Key handling of an internal handover: when it is proposed, the student key
is sealed to the receiving colleague (``pending_wrap``); on acceptance that
wrap becomes theirs and they become the contact person, and the old helper's
wrap gets an end date (``access_days`` later). ``expire_wraps`` deletes
wraps past their end; ``storage.students`` ignores them from that moment
even before. Declining or withdrawing deletes the pending wrap.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased

from storage import audit, authority, clock, dossier, files, guard
from storage.documents import JsonObject
from storage.errors import NotAllowed, NotInvolved, Reason, UnknownStudent
from storage.keyring import Keys
from storage.models import AuditEntry, Handover, Student, StudentKeyWrap, Worker
from storage.store import Store

INTERN, EXTERN, ADULT = "intern", "extern", "18plus"
KINDS = (INTERN, EXTERN, ADULT)

PROPOSED, ACCEPTED, DECLINED = "voorgesteld", "geaccepteerd", "afgewezen"
MEETING, CONTACT, DONE, WITHDRAWN = "kennismaking", "contact", "afgerond", "ingetrokken"
HELD = "toestemming"  # a new contact person named by a coördinator waits for the student's consent
STATES = (PROPOSED, ACCEPTED, DECLINED, MEETING, CONTACT, DONE, WITHDRAWN, HELD)
CLOSED_STATES = frozenset({DECLINED, DONE, WITHDRAWN})

TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    INTERN: {
        PROPOSED: frozenset({ACCEPTED, DECLINED, WITHDRAWN}),
        HELD: frozenset({ACCEPTED, WITHDRAWN}),  # taken once consent is recorded (see ``hold``)
        ACCEPTED: frozenset({MEETING, DONE}),
        MEETING: frozenset({MEETING, DONE}),  # MEETING again: the kennismaking moves
    },
    EXTERN: {
        PROPOSED: frozenset({MEETING, CONTACT, WITHDRAWN}),
        MEETING: frozenset({MEETING, CONTACT, WITHDRAWN}),
        CONTACT: frozenset({DONE}),
    },
}
TRANSITIONS[ADULT] = TRANSITIONS[EXTERN]

DEFAULT_ACCESS_DAYS = 42  # six weeks of read access for the old helper

# Kinds of file entry written by a handover.
DOCUMENT_KIND = "overdracht"  # the overdrachtsdocument; its id is the handover's id
STEP_KIND = "overdracht_stap"  # one step of the state machine


def allowed(kind: str, state: str, new_state: str) -> bool:
    return new_state in TRANSITIONS.get(kind, {}).get(state, frozenset())


@dataclass(frozen=True, slots=True)
class HandoverRow:
    id: str
    student_id: str
    kind: str
    state: str
    from_worker_id: str
    to_worker_id: str | None
    follow_up: date | None
    access_days: int
    created_at: datetime
    updated_at: datetime
    version: int

    @property
    def open(self) -> bool:
        return self.state not in CLOSED_STATES


def _row(h: Handover) -> HandoverRow:
    return HandoverRow(
        h.id, h.student_id, h.kind, h.state, h.from_worker_id, h.to_worker_id, h.follow_up,
        h.access_days, h.created_at, h.updated_at, h.version,
    )


def propose(
    store: Store,
    keys: Keys,
    *,
    handover_id: str,
    student_id: str,
    kind: str,
    from_worker_id: str,
    to_worker_id: str | None,
    follow_up: date | None,
    access_days: int,
    entries: Iterable[tuple[str, str, JsonObject]],
    legal_ground: str = "",
    coordinator_reason: bool = False,
) -> HandoverRow:
    """Start a handover: the row, the document and the first step, at once.

    The caller must be involved (a coördinator may use the escrow, for a
    caseload transfer). One open handover per student at a time.

    Who may hand over the contact role (an internal handover): only the
    student's contact person, from themselves; or a coördinator, on behalf
    of the contact person, with a reason (``coordinator_reason``: the caller
    wrote it in ``entries``, where the contact person reads it; the log says
    a coördinator proposed it, see ``proposed_by_coordinator``).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown handover kind {kind!r}")
    if (kind == INTERN) != (to_worker_id is not None):
        raise ValueError("an internal handover names a colleague; others do not")
    now = clock.now()
    with store.session() as s:
        student = s.get(Student, student_id)
        if student is None:
            raise UnknownStudent(f"students/{student_id}")
        key = files.student_key(s, keys, student_id, escrow=True)
        if kind == INTERN:
            _check_proposer(keys, student, from_worker_id, coordinator_reason)
        busy = s.scalar(select(Handover.id).where(
            Handover.student_id == student_id, Handover.state.not_in(CLOSED_STATES)))
        if busy is not None:
            raise NotAllowed(f"handovers/{busy}", reason=Reason.HANDOVER_OPEN)
        pending = None
        if to_worker_id is not None:
            if to_worker_id == from_worker_id:
                raise NotAllowed(f"workers/{to_worker_id}", reason=Reason.SAME_WORKER)
            receiver = s.get(Worker, to_worker_id)
            if receiver is None or not receiver.active:
                raise NotAllowed(f"workers/{to_worker_id}", reason=Reason.INACTIVE_WORKER)
            pending = files.seal_wrap(files.recipient_public(s, keys, receiver), key, student_id, to_worker_id)
        handover = Handover(
            id=handover_id, student_id=student_id, kind=kind, state=PROPOSED,
            from_worker_id=from_worker_id, to_worker_id=to_worker_id, pending_wrap=pending,
            follow_up=follow_up, access_days=access_days, created_at=now, updated_at=now,
            updated_by=keys.worker_id, version=1,
        )
        s.add(handover)
        files.write_entries(s, keys, student, entries, key=key)
        on_behalf = kind == INTERN and keys.worker_id != from_worker_id
        detail = f"{PROPOSED_BY_COORDINATOR if on_behalf else 'overdracht voorgesteld'}: {kind}"
        if kind == INTERN:
            detail += f"; {READ_ALONG_DAYS} {access_days}"  # signed: what the receiver accepts (check_signed_terms)
        if legal_ground:
            detail += f"; zonder toestemming, wettelijke grond: {legal_ground}"
        audit.append(s, keys, "handover", worker_id=keys.worker_id,
                     student_id=student_id, on_behalf_of=from_worker_id if on_behalf else to_worker_id, detail=detail)
        s.flush()
        return _row(handover)


# The log line of an internal handover a coördinator proposed for the contact person.
PROPOSED_BY_COORDINATOR = "overdracht voorgesteld door coördinator"
# In the signed proposal line: how long the old helper reads along (days).
READ_ALONG_DAYS = "meelezen dagen"
# The signed line of a change of the read-along period (``set_access_days``).
ACCESS_DAYS_LINE = "leestoegang oude hulpverlener: "


def check_signed_terms(s: Session, keys: Keys, h: Handover) -> None:
    """Refuse to accept an internal handover whose row says what its signed log does not.

    The rules of issue 23 hold in this code, but a colleague with the files
    and changed code could write a handover row of their own: proposing a
    student whose contact person they are not, or a read-along they set
    themselves. Each log line is signed by the worker it names (checked at
    unlock, ``audit.verify``; a coördinator's proposal only by a coördinator),
    so before the receiver takes the file the row must match the log:

    - the newest proposal of the student is signed by the row's proposer (the
      contact person), or is a coördinator's proposal on their behalf;
    - the read-along period is the one in that proposal, or the newest change
      after it, made by the proposer, the receiver or a coördinator.

    Proposals written before the period was signed carry none: for those the
    period may not exceed the default.
    """
    trust = authority.trust(s, keys.root_public, keys.signed_from) if keys.root_public and keys.signed_from else None

    def coordinator(worker_id: str | None) -> bool:
        if worker_id is None:
            return False
        if trust is not None:
            return trust.role(worker_id) == authority.COORDINATOR
        worker = s.get(Worker, worker_id)
        return worker is not None and worker.role == "coordinator"

    lines = s.execute(
        select(AuditEntry.worker_id, AuditEntry.on_behalf_of, AuditEntry.detail)
        .where(AuditEntry.event == "handover", AuditEntry.student_id == h.student_id)
        .order_by(AuditEntry.seq)
    ).all()
    proposal_at = None
    for i, (_worker, _behalf, detail) in enumerate(lines):
        if (detail or "").startswith("overdracht voorgesteld"):
            proposal_at = i
    if proposal_at is None:
        raise NotAllowed(f"handovers/{h.id}", reason=Reason.HANDOVER_NOT_SIGNED)
    worker, behalf, detail = lines[proposal_at]
    detail = detail or ""
    if detail.startswith(PROPOSED_BY_COORDINATOR):
        if behalf != h.from_worker_id or not coordinator(worker):
            raise NotAllowed(f"handovers/{h.id}", reason=Reason.HANDOVER_NOT_SIGNED)
    elif worker != h.from_worker_id or not detail.startswith(f"overdracht voorgesteld: {INTERN}"):
        raise NotAllowed(f"handovers/{h.id}", reason=Reason.HANDOVER_NOT_SIGNED)
    days: int | None = None
    marker = f"; {READ_ALONG_DAYS} "
    if marker in detail:
        days = _int(detail.split(marker, 1)[1])
    for worker, _behalf, line in lines[proposal_at + 1:]:
        if (line or "").startswith(ACCESS_DAYS_LINE):
            if worker not in (h.from_worker_id, h.to_worker_id) and not coordinator(worker):
                raise NotAllowed(f"handovers/{h.id}", reason=Reason.HANDOVER_NOT_SIGNED)
            changed = _int((line or "")[len(ACCESS_DAYS_LINE):])
            days = changed if changed is not None else days  # "zelf beëindigd" names no period
    if (h.access_days > DEFAULT_ACCESS_DAYS) if days is None else (days != h.access_days):
        raise NotAllowed(f"handovers/{h.id}", reason=Reason.HANDOVER_NOT_SIGNED)


def _int(text: str) -> int | None:
    digits = text.strip().split(" ", 1)[0].split(";", 1)[0]
    return int(digits) if digits.isdecimal() else None


def _check_proposer(keys: Keys, student: Student, from_worker_id: str, coordinator_reason: bool) -> None:
    """Only the contact person hands over the contact role; a coördinator may, for them, with a reason."""
    contact = student.contact_worker_id
    if contact is not None and from_worker_id != contact:
        raise NotAllowed(f"students/{student.id}", reason=Reason.CONTACT_ONLY)
    if contact is not None and keys.worker_id == contact:
        return
    if not keys.is_coordinator:
        raise NotAllowed(f"students/{student.id}", reason=Reason.CONTACT_ONLY)
    if not coordinator_reason:
        raise NotAllowed(f"students/{student.id}", reason=Reason.COORDINATOR_REASON)


def proposed_by_coordinator(store: Store, rows: Iterable[HandoverRow]) -> dict[str, str]:
    """Of these open handovers, those a coördinator proposed for the contact person:
    handover id -> the coördinator's worker id (from the signed log: the newest
    proposal of the student, as one handover at a time is open)."""
    wanted = {r.student_id: r for r in rows if r.open and r.kind == INTERN}
    if not wanted:
        return {}
    out: dict[str, str] = {}
    with store.reading() as s:
        found = s.execute(
            select(AuditEntry.student_id, AuditEntry.worker_id, AuditEntry.detail)
            .where(AuditEntry.event == "handover", AuditEntry.student_id.in_(wanted),
                   AuditEntry.detail.like("overdracht voorgesteld%"))
            .order_by(AuditEntry.seq)
        ).all()
    newest: dict[str, tuple[str | None, str]] = {}
    for student_id, worker_id, detail in found:
        newest[str(student_id)] = (worker_id, detail or "")
    for student_id, (worker_id, detail) in newest.items():
        if detail.startswith(PROPOSED_BY_COORDINATOR) and worker_id:
            out[wanted[student_id].id] = worker_id
    return out


def step(
    store: Store,
    keys: Keys,
    handover_id: str,
    new_state: str,
    expected_version: int,
    *,
    entries: Iterable[tuple[str, str, JsonObject]] = (),
    follow_up: date | Literal[False] | None = False,
) -> HandoverRow:
    """Move a handover to ``new_state`` (refused unless the state machine allows it).

    Accepting and declining are the receiver's; every other step needs
    someone involved in the file. ``follow_up``: a new date, None to clear,
    False to keep.
    """
    now = clock.now()
    with store.session() as s:
        h = s.get(Handover, handover_id)
        if h is None:
            raise NotAllowed(f"handovers/{handover_id}", reason=Reason.UNKNOWN_HANDOVER)
        guard.check(s, f"handovers/{handover_id}", h, expected_version)
        if not allowed(h.kind, h.state, new_state):
            raise NotAllowed(f"handovers/{handover_id}", reason=Reason.IMPOSSIBLE_STEP)
        student = files.get_student(s, h.student_id)
        key: bytes | None
        if new_state in (ACCEPTED, DECLINED):
            if keys.worker_id != h.to_worker_id:
                raise NotAllowed(f"handovers/{handover_id}", reason=Reason.RECEIVER_ONLY)
            key = None  # declining: the receiver may append, not read
            if new_state == ACCEPTED:
                if h.kind == INTERN and h.state != HELD:
                    check_signed_terms(s, keys, h)
                key = _take_pending(s, keys, h)
                student.contact_worker_id = h.to_worker_id
                student.version += 1
                student.updated_at = now
                student.updated_by = keys.worker_id
                s.execute(update(StudentKeyWrap).where(
                    StudentKeyWrap.student_id == h.student_id,
                    StudentKeyWrap.recipient == h.from_worker_id,
                ).values(expires_at=now + timedelta(days=h.access_days)))
                if h.from_worker_id is not None:
                    files.record_wrap(s, keys, h.student_id, h.from_worker_id, "toegang: meelezen na overdracht")
            h.pending_wrap = None
        else:
            try:
                key = files.student_key(s, keys, h.student_id)
            except NotInvolved:
                # A coördinator withdrawing a proposal to a colleague who leaves the
                # team: the step is appended sealed, like a receiver's decline.
                if new_state != WITHDRAWN or not keys.is_coordinator:
                    raise
                key = None
            if new_state == WITHDRAWN:
                h.pending_wrap = None
        h.state = new_state
        if follow_up is not False:
            h.follow_up = follow_up
        elif new_state in CLOSED_STATES:
            h.follow_up = None
        h.version += 1
        h.updated_at = now
        h.updated_by = keys.worker_id
        files.write_entries(s, keys, student, entries, key=key)
        audit.append(s, keys, "handover", worker_id=keys.worker_id,
                     student_id=h.student_id, on_behalf_of=h.to_worker_id,
                     detail=f"overdracht {h.kind}: {new_state}")
        s.flush()
        return _row(h)


def hold(
    store: Store,
    keys: Keys,
    *,
    handover_id: str,
    student_id: str,
    from_worker_id: str | None,
    to_worker_id: str,
    entries: Iterable[tuple[str, str, JsonObject]],
) -> HandoverRow:
    """A coördinator names a new contact person for a student of a colleague who
    leaves (or left), without reading the file: the contact role moves now (the
    new contact person sees the student in the directory and on Vandaag), and
    the student key is sealed to them in a handover that waits (``HELD``) until
    the student's consent is recorded; then they take it (``step`` to
    ``ACCEPTED``). The escrow key only seals the key and writes ``entries``;
    no entry is opened. One open handover per student at a time.
    """
    if not keys.is_coordinator or keys.escrow_private is None:
        raise NotAllowed(f"students/{student_id}", reason=Reason.COORDINATOR_ONLY)
    now = clock.now()
    with store.session() as s:
        student = s.get(Student, student_id)
        if student is None:
            raise UnknownStudent(f"students/{student_id}")
        if to_worker_id == from_worker_id:
            raise NotAllowed(f"workers/{to_worker_id}", reason=Reason.SAME_WORKER)
        receiver = s.get(Worker, to_worker_id)
        if receiver is None or not receiver.active:
            raise NotAllowed(f"workers/{to_worker_id}", reason=Reason.INACTIVE_WORKER)
        busy = s.scalar(select(Handover.id).where(
            Handover.student_id == student_id, Handover.state.not_in(CLOSED_STATES)))
        if busy is not None:
            raise NotAllowed(f"handovers/{busy}", reason=Reason.HANDOVER_OPEN)
        key = files.escrow_key(s, keys.escrow_private, student_id)
        pending = files.seal_wrap(files.recipient_public(s, keys, receiver), key, student_id, to_worker_id)
        handover = Handover(
            id=handover_id, student_id=student_id, kind=INTERN, state=HELD,
            from_worker_id=from_worker_id or student.contact_worker_id or keys.worker_id,
            to_worker_id=to_worker_id, pending_wrap=pending, follow_up=None, access_days=DEFAULT_ACCESS_DAYS,
            created_at=now, updated_at=now, updated_by=keys.worker_id, version=1,
        )
        s.add(handover)
        student.contact_worker_id = to_worker_id
        student.version += 1
        student.updated_at = now
        student.updated_by = keys.worker_id
        files.write_entries(s, keys, student, entries, key=key)
        audit.append(s, keys, "handover", worker_id=keys.worker_id, student_id=student_id,
                     on_behalf_of=to_worker_id, detail="contactpersoon aangewezen; dossier wacht op toestemming")
        s.flush()
        return _row(handover)


def held_key(store: Store, keys: Keys, handover_id: str) -> tuple[str, bytes]:
    """(student id, student key) of a handover held for this worker, opened to
    check or record the student's consent before they take the file."""
    with store.reading() as s:
        h = s.get(Handover, handover_id)
        if h is None or h.state != HELD or h.pending_wrap is None or h.to_worker_id != keys.worker_id:
            raise NotAllowed(f"handovers/{handover_id}", reason=Reason.RECEIVER_ONLY)
        return h.student_id, files.open_wrap(keys.worker_private, h.pending_wrap, h.student_id, keys.worker_id,
                                             "handovers.pending_wrap")


def read_held(store: Store, keys: Keys, handover_id: str, kinds: tuple[str, ...]) -> list[files.EntryView]:
    """Only the entries of ``kinds`` (the consents) of a file held for this worker (logged)."""
    student_id, key = held_key(store, keys, handover_id)
    with store.session() as s:
        return files.read_entries(s, keys, student_id, key, event="open", kinds=kinds,
                                  detail="toestemming nagaan voor overdracht")


def read_pending(store: Store, keys: Keys, handover_id: str, kinds: tuple[str, ...]) -> list[files.EntryView]:
    """Only the entries of ``kinds`` (the overdrachtsdocument) of a file proposed to this worker,
    before they answer: the document is written for them, the rest stays closed (logged)."""
    with store.reading() as s:
        h = s.get(Handover, handover_id)
        if h is None or h.state != PROPOSED or h.pending_wrap is None or h.to_worker_id != keys.worker_id:
            raise NotAllowed(f"handovers/{handover_id}", reason=Reason.RECEIVER_ONLY)
        student_id = h.student_id
        key = files.open_wrap(keys.worker_private, h.pending_wrap, student_id, keys.worker_id, "handovers.pending_wrap")
    with store.session() as s:
        return files.read_entries(s, keys, student_id, key, event="handover", kinds=kinds,
                                  detail="overdrachtsdocument gelezen voor het antwoord")


def write_held(store: Store, keys: Keys, handover_id: str, entries: Iterable[tuple[str, str, JsonObject]]) -> None:
    """Write entries (a consent the student gave) into a file held for this worker."""
    student_id, key = held_key(store, keys, handover_id)
    with store.session() as s:
        files.write_entries(s, keys, files.get_student(s, student_id), entries, key=key)


def _take_pending(s: Session, keys: Keys, h: Handover) -> bytes:
    """The receiver opens the key sealed to them and keeps it as their own wrap."""
    existing = s.scalar(select(StudentKeyWrap).where(
        StudentKeyWrap.student_id == h.student_id, StudentKeyWrap.recipient == h.to_worker_id))
    sealed = h.pending_wrap if h.pending_wrap is not None else (existing.wrapped if existing else None)
    receiver = h.to_worker_id
    if sealed is None or receiver is None:
        raise NotInvolved(f"students/{h.student_id}")
    key = files.open_wrap(keys.worker_private, sealed, h.student_id, receiver, "handovers.pending_wrap")
    if existing is None:
        s.add(StudentKeyWrap(id=str(uuid.uuid4()), student_id=h.student_id, recipient=receiver,
                             wrapped=sealed, created_at=clock.now()))
    else:
        existing.expires_at = None  # a colleague whose access was ending keeps it now
    files.record_wrap(s, keys, h.student_id, receiver, "toegang: overdracht aangenomen")
    return key


def set_access_days(store: Store, keys: Keys, handover_id: str, days: int) -> HandoverRow:
    """Change how long the old helper keeps read access (counted from acceptance).

    The proposer sets it in the proposal (and may change it until the
    receiver answers). After that only the new helper (the receiver, who
    agrees to it) or a coördinator changes it; the old helper may only make
    her own read-along shorter (``end_own_access`` ends it at once). So a
    worker never lengthens their own access (``storage.files.self_extended``).
    """
    with store.session() as s:
        h = s.get(Handover, handover_id)
        if h is None:
            raise NotAllowed(f"handovers/{handover_id}", reason=Reason.UNKNOWN_HANDOVER)
        if h.kind != INTERN or h.state in CLOSED_STATES - {DONE}:
            raise NotAllowed(f"handovers/{handover_id}", reason=Reason.IMPOSSIBLE_STEP)
        me = keys.worker_id
        if me == h.to_worker_id and h.state == PROPOSED:
            pass  # the receiver, before answering: not on the file yet, but it is her agreement
        elif me == h.from_worker_id and h.state == PROPOSED:
            files.require_involved(s, keys, h.student_id)  # the proposer, still part of her proposal
        elif me == h.to_worker_id:
            files.require_involved(s, keys, h.student_id)
        elif me == h.from_worker_id:
            files.require_involved(s, keys, h.student_id)
            if days >= h.access_days:
                raise NotAllowed(f"handovers/{handover_id}", reason=Reason.ACCESS_DAYS_NEW_HELPER)
        elif not keys.is_coordinator:
            raise NotAllowed(f"handovers/{handover_id}", reason=Reason.ACCESS_DAYS_NEW_HELPER)
        accepted_at = _accepted_at(s, h)  # before access_days changes
        h.access_days = days
        h.version += 1
        h.updated_at = clock.now()
        h.updated_by = keys.worker_id
        if h.state != PROPOSED:
            s.execute(update(StudentKeyWrap).where(
                StudentKeyWrap.student_id == h.student_id,
                StudentKeyWrap.recipient == h.from_worker_id,
                StudentKeyWrap.expires_at.is_not(None),
            ).values(expires_at=accepted_at + timedelta(days=days)))
            files.record_wrap(s, keys, h.student_id, h.from_worker_id, "toegang: meelezen aangepast")
        audit.append(s, keys, "handover", worker_id=keys.worker_id, student_id=h.student_id,
                     on_behalf_of=h.from_worker_id,
                     detail=f"{ACCESS_DAYS_LINE}{days} {'dag' if days == 1 else 'dagen'}")
        s.flush()
        return _row(h)


def end_own_access(store: Store, keys: Keys, handover_id: str, entries: Iterable[tuple[str, str, JsonObject]] = ()) -> None:
    """The old helper of an accepted internal handover stops reading along, now.

    Only she may (``OLD_HELPER_ONLY``), and only while she still reads along.
    ``entries`` (a step in the file) are written with her key first; then
    her wrap goes and the file gets a new key, as when anyone is taken off a
    file (``storage.dossier.remove_involvement``, ``files.rotate_key``).
    """
    with store.unit() as s:
        h = s.get(Handover, handover_id)
        if h is None:
            raise NotAllowed(f"handovers/{handover_id}", reason=Reason.UNKNOWN_HANDOVER)
        if keys.worker_id != h.from_worker_id:
            raise NotAllowed(f"handovers/{handover_id}", reason=Reason.OLD_HELPER_ONLY)
        if h.kind != INTERN or h.state not in (ACCEPTED, MEETING, DONE):
            raise NotAllowed(f"handovers/{handover_id}", reason=Reason.IMPOSSIBLE_STEP)
        student = files.get_student(s, h.student_id)
        if student.contact_worker_id == keys.worker_id:
            raise NotAllowed(f"students/{h.student_id}", reason=Reason.CONTACT_PERSON)
        key = files.student_key(s, keys, h.student_id)  # NotInvolved: it ended already
        files.write_entries(s, keys, student, entries, key=key)
        audit.append(s, keys, "handover", worker_id=keys.worker_id, student_id=h.student_id,
                     on_behalf_of=keys.worker_id, detail="leestoegang oude hulpverlener: zelf beëindigd")
        dossier.remove_involvement(store, keys, h.student_id, keys.worker_id)


def _accepted_at(s: Session, h: Handover) -> datetime:
    wrap = s.scalar(select(StudentKeyWrap).where(
        StudentKeyWrap.student_id == h.student_id, StudentKeyWrap.recipient == h.from_worker_id))
    if wrap is not None and wrap.expires_at is not None:
        return _aware(wrap.expires_at) - timedelta(days=h.access_days)
    return _aware(h.updated_at)


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def access_until(store: Store, student_id: str, worker_id: str) -> datetime | None:
    """When this worker's read access to the file ends (None: it does not)."""
    with store.reading() as s:
        end = s.scalar(select(StudentKeyWrap.expires_at).where(
            StudentKeyWrap.student_id == student_id, StudentKeyWrap.recipient == worker_id))
    return None if end is None else _aware(end)


def expire_wraps(store: Store, keys: Keys) -> int:
    """End read access whose period is over, on the files this worker is on.

    For each such file the ended wraps go and the file gets a new key
    (``storage.files.rotate_key``), so a copy of the old key kept by the old
    helper opens nothing written from now on. So does an old helper's access
    that she lengthened herself on a file this worker is contact person of
    (``storage.files.self_extended``: only changed code writes that). Only
    someone still on the file can give it a new key: until they unlock, an
    ended wrap opens nothing anyway (``storage.files.current``). Each end is
    logged. Returns how many accesses ended.
    """
    now = clock.now()
    with store.session() as s:
        # Both asked from the side with few rows (this runs at every unlock: at 200,000
        # students the queries driven by this worker's own files took 0.2 s).
        ended: dict[str, set[str]] = {}
        held = aliased(StudentKeyWrap)
        still_mine = select(held.id).where(
            held.student_id == StudentKeyWrap.student_id, held.recipient == keys.worker_id,
            or_(held.expires_at.is_(None), held.expires_at > now),
        ).exists()
        for student_id, recipient in s.execute(select(StudentKeyWrap.student_id, StudentKeyWrap.recipient).where(
                StudentKeyWrap.expires_at.is_not(None), StudentKeyWrap.expires_at <= now, still_mine)).all():
            ended.setdefault(student_id, set()).add(recipient)
        lengthened: dict[str, set[str]] = {}
        helped = s.execute(select(Handover.student_id, Handover.from_worker_id).where(
            Handover.kind == INTERN, Handover.state.in_((ACCEPTED, MEETING, DONE)),
            Handover.from_worker_id != keys.worker_id)).all()
        if helped:
            ids = sorted({sid for sid, _ in helped})
            contact: set[str] = set()
            for i in range(0, len(ids), 500):
                contact.update(s.scalars(select(Student.id).where(
                    Student.id.in_(ids[i:i + 500]), Student.contact_worker_id == keys.worker_id)).all())
            pairs = {(sid, w) for sid, w in helped if sid in contact}
            wanted = sorted(contact)
            for i in range(0, len(wanted), 500):
                for student_id, recipient in s.execute(select(StudentKeyWrap.student_id, StudentKeyWrap.recipient)
                                                       .where(StudentKeyWrap.student_id.in_(wanted[i:i + 500]))).all():
                    if (student_id, recipient) in pairs:
                        lengthened.setdefault(student_id, set()).add(recipient)
        count = 0
        for student_id in sorted(set(ended) | set(lengthened)):
            student = files.get_student(s, student_id)
            history = files.wrap_history(s, student_id)
            own = {w.recipient for w in s.scalars(select(StudentKeyWrap).where(
                StudentKeyWrap.student_id == student_id,
                StudentKeyWrap.recipient.in_(lengthened.get(student_id, set())))).all()
                if files.self_extended(student, w, history)}
            gone = ended.get(student_id, set()) | own
            if not gone:
                continue
            key = files.student_key(s, keys, student_id)
            for recipient in sorted(gone):
                audit.append(s, keys, "handover" if recipient not in own else "integrity", worker_id=keys.worker_id,
                             student_id=student_id, on_behalf_of=recipient,
                             detail="leestoegang verlopen" if recipient not in own else SELF_EXTENDED)
            files.rotate_key(s, keys, student_id, key, drop=gone)
            count += len(gone)
    return count


# The log line of an old helper's access that she lengthened herself, ended by the contact person's app.
SELF_EXTENDED = "leestoegang door oude hulpverlener zelf verlengd: beëindigd"


def handovers(store: Store, *, student_id: str | None = None, worker_id: str | None = None,
              open_only: bool = False) -> list[HandoverRow]:
    """Handovers of one student, or those a worker sends or receives; newest first."""
    q = select(Handover)
    if student_id is not None:
        q = q.where(Handover.student_id == student_id)
    if worker_id is not None:
        q = q.where((Handover.from_worker_id == worker_id) | (Handover.to_worker_id == worker_id))
    if open_only:
        q = q.where(Handover.state.not_in(CLOSED_STATES))
    with store.reading() as s:
        return [_row(h) for h in s.scalars(q.order_by(Handover.created_at.desc()))]


def read_for_handover(store: Store, keys: Keys, student_id: str) -> list[files.EntryView]:
    """Read a file to compose a handover document. A coördinator who is not
    involved (a caseload transfer) reads through the escrow; logged as a
    handover read, not as noodtoegang."""
    with store.session() as s:
        try:
            key = files.student_key(s, keys, student_id)
            involved = True
        except NotInvolved:
            key = files.student_key(s, keys, student_id, escrow=True)
            involved = False
        return files.read_entries(
            s, keys, student_id, key, event="open" if involved else "handover",
            detail="" if involved else "dossier gelezen voor overdracht (via de sleutel van de coördinator)",
        )


def step_follow_up(store: Store, keys: Keys, handover_id: str, expected_version: int, on: date) -> HandoverRow:
    """A new follow-up date, the state unchanged (someone involved)."""
    with store.session() as s:
        h = s.get(Handover, handover_id)
        if h is None or h.state in CLOSED_STATES:
            raise NotAllowed(f"handovers/{handover_id}", reason=Reason.IMPOSSIBLE_STEP)
        files.require_involved(s, keys, h.student_id)
        guard.check(s, f"handovers/{handover_id}", h, expected_version)
        h.follow_up = on
        h.version += 1
        h.updated_at = clock.now()
        h.updated_by = keys.worker_id
        audit.append(s, keys, "handover", worker_id=keys.worker_id, student_id=h.student_id,
                     detail="overdracht: nieuwe opvolgdatum")
        s.flush()
        return _row(h)
