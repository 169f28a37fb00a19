"""The keys an unlocked session holds, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.crypto import FieldKey, Signer, derive_subkey


@dataclass(slots=True)
class Keys:
    """Keys of one unlocked worker. ``forget()`` drops them on lock.

    Python cannot overwrite immutable bytes in place; dropping every
    reference is what we can do, and the session object is the only holder.
    ``role`` comes from the worker's newest grant signed by the team's root
    key (storage.authority), in a team that is not signed yet from the
    slot: a worker who edits their role column, or their own slot, does not
    become a coördinator.
    """

    worker_id: str
    role: str
    team_key: bytes = field(repr=False)
    worker_private: bytes = field(repr=False)
    # Taken from the worker's own authenticated slot, never from a plain
    # column, so editing the database cannot redirect escrow wraps.
    escrow_public: bytes = field(repr=False)
    escrow_private: bytes | None = field(default=None, repr=False)
    # Signed authority (storage.authority): the worker's own Ed25519 seed,
    # from their slot; the team's root public key and the first audit entry
    # that must be signed, both checked against the worker's attestation.
    # None in a team that is not signed yet (a store from before).
    sign_seed: bytes | None = field(default=None, repr=False)
    root_public: bytes | None = field(default=None, repr=False)
    signed_from: int | None = None
    # The log seq from which every file entry has an entry record in the
    # signed log (storage.audit.ENTRY_RECORDS); None before a coördinator
    # recorded the files of a store from before. Read at unlock.
    entries_from: int | None = None
    # What this unlock did or found about signed authority, as codes
    # (storage.team.SIGNED, RECORDED, CONFIRMED, BINDING_WRONG) with a worker
    # id, a count (RECORDED) or "":
    # jongerenteam.integrity says them in Dutch.
    unlock_notes: list[tuple[str, str]] = field(default_factory=list)
    directory: FieldKey = field(init=False, repr=False)
    audit_key: bytes = field(init=False, repr=False)
    _signer: Signer | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.directory = FieldKey.of(derive_subkey(self.team_key, "directory"))
        self.audit_key = derive_subkey(self.team_key, "audit")

    def sign(self, message: bytes) -> bytes:
        """Sign with this worker's ``sign_seed`` (the key is made once per seed)."""
        seed = self.sign_seed
        if seed is None:
            raise ValueError("no signing key in this session")
        signer = self._signer
        if signer is None or signer.seed != seed:
            signer = self._signer = Signer(seed)
        return signer.sign(message)

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator"
