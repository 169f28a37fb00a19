"""The keys an unlocked session holds, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.crypto import FieldKey, derive_subkey


@dataclass(slots=True)
class Keys:
    """Keys of one unlocked worker. ``forget()`` drops them on lock.

    Python cannot overwrite immutable bytes in place; dropping every
    reference is what we can do, and the session object is the only holder.
    ``role`` too comes from the slot: a worker who edits their role column
    does not become a coördinator.
    """

    worker_id: str
    role: str
    team_key: bytes = field(repr=False)
    worker_private: bytes = field(repr=False)
    # Taken from the worker's own authenticated slot, never from a plain
    # column, so editing the database cannot redirect escrow wraps.
    escrow_public: bytes = field(repr=False)
    escrow_private: bytes | None = field(default=None, repr=False)
    directory: FieldKey = field(init=False, repr=False)
    audit_key: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.directory = FieldKey.of(derive_subkey(self.team_key, "directory"))
        self.audit_key = derive_subkey(self.team_key, "audit")

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator"
