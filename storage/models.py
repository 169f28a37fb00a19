"""SQLAlchemy 2.x typed ORM models: the tables of a team store.

Every column that can hold personal data is an encrypted envelope
(``Envelope`` type). Plain columns hold only ids, dates, states and the
names of the team's own workers (the unlock screen must list those before
any key is available). Later issues add tables with Alembic migrations.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from storage.crypto import ENVELOPE_VERSION, HEADER_LEN, SEAL_VERSION, TAG_LEN


class Envelope(TypeDecorator[bytes]):
    """A column that only ever holds encryption envelopes.

    Binding anything that is not a well-formed envelope (for example a
    plaintext string by mistake) raises before it reaches the database, so a
    coding error cannot write personal data in the clear. Encryption itself
    happens in ``storage.students`` and ``storage.team`` (through
    ``storage.crypto``), where the row id and the key are known.
    """

    impl = LargeBinary
    cache_ok = True

    def __init__(self, sealed_box: bool = False) -> None:
        super().__init__()
        self.sealed_box = sealed_box

    def process_bind_param(self, value: object, dialect: Dialect) -> bytes | None:
        # ``object``, not ``bytes | None``: the check below is for what a
        # coding error might really pass in.
        if value is None:
            return None
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError("encrypted column needs an envelope, got plain value")
        value = bytes(value)
        version = SEAL_VERSION if self.sealed_box else ENVELOPE_VERSION
        if len(value) < HEADER_LEN + TAG_LEN or value[0] != version:
            raise TypeError("encrypted column needs an envelope")
        return value

    def process_result_value(self, value: bytes | bytearray | memoryview | None, dialect: Dialect) -> bytes | None:
        return None if value is None else bytes(value)


class Base(DeclarativeBase):
    pass


UUID_LEN = 36


class Team(Base):
    __tablename__ = "team"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The team-wide settings a coördinator may change (idle lock minutes ...).
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=5)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The team's 18+ checklist: item labels as JSON (None: the default list).
    checklist_18: Mapped[str | None] = mapped_column(Text)
    # The team's retention terms as JSON (None: the defaults).
    retention: Mapped[str | None] = mapped_column(Text)
    # Signed authority (storage.authority): the root key's public half and
    # the first audit entry that must be signed. Plain copies: each worker
    # trusts them only through their own attestation (workers.root_attest).
    root_public: Mapped[bytes | None] = mapped_column(LargeBinary)
    signed_from: Mapped[int | None] = mapped_column(Integer)
    # The retention terms are trusted only with a coördinator's signature
    # over them (storage.rights.retention_terms).
    retention_signer: Mapped[str | None] = mapped_column(String(UUID_LEN))
    retention_sig: Mapped[bytes | None] = mapped_column(LargeBinary)


class Worker(Base):
    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    initials: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20))  # coordinator | worker
    organisation: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Leefdomein codes, comma separated: what this worker knows most about.
    expertise: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # How students reach this worker (work phone, e-mail), under the directory key.
    contact: Mapped[bytes | None] = mapped_column(Envelope())
    # storage.authority: the root attested for this worker (pair MAC with the
    # escrow key), their own signing key and its binding to their box key.
    root_attest: Mapped[bytes | None] = mapped_column(LargeBinary)
    sign_public: Mapped[bytes | None] = mapped_column(LargeBinary)
    sign_binding: Mapped[bytes | None] = mapped_column(LargeBinary)


class KeySlot(Base):
    __tablename__ = "key_slots"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # worker | recovery
    worker_id: Mapped[str | None] = mapped_column(
        ForeignKey("workers.id", ondelete="CASCADE"), index=True
    )
    salt: Mapped[bytes] = mapped_column(LargeBinary)
    memory_kib: Mapped[int] = mapped_column(Integer)
    time_cost: Mapped[int] = mapped_column(Integer)
    parallelism: Mapped[int] = mapped_column(Integer)
    wrapped: Mapped[bytes] = mapped_column(Envelope())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EscrowWrap(Base):
    """The escrow private key sealed to one coördinator's public key."""

    __tablename__ = "escrow_wraps"

    worker_id: Mapped[str] = mapped_column(
        ForeignKey("workers.id", ondelete="CASCADE"), primary_key=True
    )
    wrapped: Mapped[bytes] = mapped_column(Envelope(sealed_box=True))


class Student(Base):
    """Directory tier under the team key; the key pair for the file tier."""

    __tablename__ = "students"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(30))
    contact_worker_id: Mapped[str | None] = mapped_column(
        ForeignKey("workers.id"), index=True
    )
    # Names, birth date, student number, programme, level, municipality,
    # contact preference: one JSON document, encrypted with the directory key.
    directory: Mapped[bytes] = mapped_column(Envelope())
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    # The student's X25519 private key, encrypted with the per-student key.
    private_key: Mapped[bytes] = mapped_column(Envelope())
    # When the file was last closed (status afgesloten); the retention term
    # runs from here. None while the file is open.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StudentKeyWrap(Base):
    """The per-student key sealed to one involved worker or to the escrow."""

    __tablename__ = "student_key_wraps"
    __table_args__ = (UniqueConstraint("student_id", "recipient"),)

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    student_id: Mapped[str] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    # "escrow" or a worker id
    recipient: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    wrapped: Mapped[bytes] = mapped_column(Envelope(sealed_box=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Read access that ends by itself (the old helper after a handover).
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FileEntry(Base):
    """The file tier container: talks, agreements, consent and notes.

    ``body`` is either an envelope under the student key (written by an
    involved worker) or a sealed box to the student's public key (appended by
    a worker who may not read the file); ``sealed`` says which.
    """

    __tablename__ = "file_entries"
    __table_args__ = (Index("ix_file_entries_kind_created", "kind", "created_at"),)

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    student_id: Mapped[str] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Both forms start with version byte 1 and are longer than an envelope header.
    body: Mapped[bytes] = mapped_column(Envelope())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)


class AnonymousContact(Base):
    """An anonymous walk-in: counted in the figures, linked to nobody.

    ``data`` holds only the leefdomeinen and the duration, under the
    directory key. When the student later gives her name, the walk-in is
    linked to her file (``linked``): the student and the file entry it
    became are then sealed in ``data`` too, never in a plain column, and the
    figures count her walk-in from her statistics document instead.
    """

    __tablename__ = "anonymous_contacts"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    created_by: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    data: Mapped[bytes] = mapped_column(Envelope())
    linked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ProgrammeContact(Base):
    """The team's vaste contactpersoon for one programme (opleiding)."""

    __tablename__ = "programme_contacts"

    programme: Mapped[str] = mapped_column(String(200), primary_key=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(ForeignKey("workers.id"))


class SocialMapEntry(Base):
    """The team's sociale kaart: an organisation or a professional outside the team.

    ``data`` (name, role, organisation, leefdomeinen, contact details) is
    under the directory key: every worker of the team may read and edit it.
    A removed entry keeps its row (emptied) so consents naming it still resolve.
    """

    __tablename__ = "social_map"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # organisatie | professional
    data: Mapped[bytes] = mapped_column(Envelope())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Handover(Base):
    """One warme overdracht of a student's file (storage/handover.py).

    Plain: ids, kind, state and dates. The document, reasons and an outside
    receiver are file entries under the student key. ``pending_wrap`` is the
    student key sealed to the receiving colleague until they accept.
    """

    __tablename__ = "handovers"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    student_id: Mapped[str] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # intern | extern | 18plus
    state: Mapped[str] = mapped_column(String(30))
    from_worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    to_worker_id: Mapped[str | None] = mapped_column(ForeignKey("workers.id"), index=True)
    pending_wrap: Mapped[bytes | None] = mapped_column(Envelope(sealed_box=True))
    follow_up: Mapped[date | None] = mapped_column(Date)
    access_days: Mapped[int] = mapped_column(Integer, default=42)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)


class StatisticsRecord(Base):
    """What the reports count about one student, under the directory key.

    No name, birth date or free text. ``student_id`` is emptied when the
    student is erased; the anonymous record stays for the figures.
    """

    __tablename__ = "statistics"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    student_id: Mapped[str | None] = mapped_column(String(UUID_LEN), index=True, unique=True)
    data: Mapped[bytes] = mapped_column(Envelope())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class Erasure(Base):
    """An erased student's id, when and why (a reason code), signed by the coördinator; nothing else.
    A restore, and every unlock, re-applies the erasures whose signature holds."""

    __tablename__ = "erasures"

    student_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(String(20))
    # The coördinator who erased, and their signature (storage.rights.erasure_message).
    signer: Mapped[str | None] = mapped_column(String(UUID_LEN))
    sig: Mapped[bytes | None] = mapped_column(LargeBinary)


class AuditEntry(Base):
    """NEN 7513 style access log; each MAC chains to the previous one.

    ``mac`` is empty for entries written while no key was available (a failed
    login); the next unlock seals them into the chain.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_event", "event"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(40))
    worker_id: Mapped[str | None] = mapped_column(String(UUID_LEN), index=True)
    student_id: Mapped[str | None] = mapped_column(String(UUID_LEN), index=True)
    on_behalf_of: Mapped[str | None] = mapped_column(String(UUID_LEN))
    access_point: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(String(200), default="")
    mac: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Who signed it (the session that wrote or sealed it) and the signature
    # over the MAC (storage.authority); empty before the team was signed.
    signer: Mapped[str | None] = mapped_column(String(UUID_LEN))
    sig: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The file entry this entry wrote, and the hash of that entry's row as it
    # was written (storage.files.entry_hash): the signed log says what every
    # file holds, so a row deleted, copied back from an older copy, moved or
    # relabelled is seen when the file is read. None for other entries.
    entry_id: Mapped[str | None] = mapped_column(String(UUID_LEN + 4))  # a file entry id, or "w:" + a wrap's recipient
    entry_hash: Mapped[bytes | None] = mapped_column(LargeBinary)


class SeenHead(Base):
    """The newest audit head a worker's app saw, signed by that worker (storage.integrity).

    Kept inside the store, beside each laptop's own memory: a colleague who
    cuts the newest entries off the log and signs the head again cannot sign
    this row in another's name, so any worker's next unlock sees the cut.
    """

    __tablename__ = "seen_heads"

    worker_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    mac: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[str] = mapped_column(String(40))
    sig: Mapped[bytes] = mapped_column(LargeBinary)


class Grant(Base):
    """One statement by the team's root key about a worker: role, active, keys (storage.authority)."""

    __tablename__ = "grants"

    worker_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    serial: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean)
    box_public: Mapped[bytes] = mapped_column(LargeBinary)
    sign_public: Mapped[bytes | None] = mapped_column(LargeBinary)
    signed_at: Mapped[str] = mapped_column(String(40))
    sig: Mapped[bytes] = mapped_column(LargeBinary)


class AuditHead(Base):
    """The anchor of the audit chain: the newest sealed entry, under an HMAC."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    mac: Mapped[bytes] = mapped_column(LargeBinary)
    head_mac: Mapped[bytes] = mapped_column(LargeBinary)
    signer: Mapped[str | None] = mapped_column(String(UUID_LEN))
    sig: Mapped[bytes | None] = mapped_column(LargeBinary)


class Draft(Base):
    """A worker's unsaved typing: the screens they had open and their half-filled forms.

    ``body`` is a sealed box to the worker's own public key: only that worker
    can open it, after unlocking. One row per worker and app window
    (``instance``), so two windows never overwrite each other's draft.
    """

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("worker_id", "instance"),)

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    instance: Mapped[str] = mapped_column(String(UUID_LEN))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[bytes] = mapped_column(Envelope(sealed_box=True))


class MeldcodeTrajectory(Base):
    """A meldcode trajectory of one student (issue 21): the five steps in one document.

    ``body`` is under the trajectory's own key, which is not the student key:
    it is sealed only to the worker who started it and the colleagues they
    added (``MeldcodeWrap``), never to the escrow. Plain: ids, dates, version.
    """

    __tablename__ = "meldcode_trajectories"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    student_id: Mapped[str] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    body: Mapped[bytes] = mapped_column(Envelope())


class MeldcodeWrap(Base):
    """A trajectory's key sealed to one member: the starter, or a colleague they added."""

    __tablename__ = "meldcode_wraps"
    __table_args__ = (UniqueConstraint("trajectory_id", "recipient"),)

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    trajectory_id: Mapped[str] = mapped_column(
        ForeignKey("meldcode_trajectories.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(UUID_LEN), index=True)  # a worker id
    # gestart | aandachtsfunctionaris | collega
    role: Mapped[str] = mapped_column(String(30))
    wrapped: Mapped[bytes] = mapped_column(Envelope(sealed_box=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MeldcodeCount(Base):
    """One counted meldcode event for the report (a trajectory started, a consultation with
    Veilig Thuis, a melding), with no student id: the report never needs to know whose.
    ``data`` holds the record key of the cell key method, under the directory key."""

    __tablename__ = "meldcode_counts"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # gestart | veilig_thuis | melding
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    data: Mapped[bytes] = mapped_column(Envelope())
