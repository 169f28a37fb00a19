"""Authenticated encryption primitives: the field envelope and sealed boxes.

Every encrypted value in the store is an *envelope*::

    version (1 byte) | key id (8 bytes) | nonce (12 bytes) | ciphertext + tag

sealed with AES-256-GCM. The associated data binds the value to where it
lives (format version, table, column, row id, key id), so a blob copied to
another row or column fails to decrypt instead of showing someone else's data.

Sealed boxes (X25519 + HKDF-SHA256 + AES-256-GCM) wrap keys for a recipient's
public key; they let anyone in the team *append* to a student's file without
being able to read it back.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ENVELOPE_VERSION = 1
KEY_ID_LEN = 8
NONCE_LEN = 12
TAG_LEN = 16
HEADER_LEN = 1 + KEY_ID_LEN + NONCE_LEN
KEY_LEN = 32

SEAL_VERSION = 1
_SEAL_INFO = b"jongerenteam seal v1"


class DecryptionError(Exception):
    """A value could not be authenticated: wrong key, moved, or damaged.

    The message names *where* (table, column, row), never the contents.
    """

    def __init__(self, where: str, reason: str = "authenticatie mislukt") -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


def random_key() -> bytes:
    return os.urandom(KEY_LEN)


def key_id_for(key: bytes) -> bytes:
    """A short public identifier of a key (not usable to recover it)."""
    return hashlib.sha256(b"jongerenteam key id\x00" + key).digest()[:KEY_ID_LEN]


def derive_subkey(master: bytes, purpose: str) -> bytes:
    """Derive an independent 256-bit key for one purpose (HKDF-SHA256)."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_LEN,
        salt=None,
        info=b"jongerenteam subkey\x00" + purpose.encode(),
    ).derive(master)


@dataclass(frozen=True, slots=True)
class FieldKey:
    """A symmetric key with its id and a ready AESGCM object."""

    key: bytes = field(repr=False)
    key_id: bytes
    aead: AESGCM = field(repr=False)

    @classmethod
    def of(cls, key: bytes) -> FieldKey:
        if len(key) != KEY_LEN:
            raise ValueError("key must be 32 bytes")
        return cls(key=key, key_id=key_id_for(key), aead=AESGCM(key))


def associated_data(table: str, column: str, row_id: str, key_id: bytes) -> bytes:
    """Associated data: format version, table, column, row id and key id.

    The parts are joined with NUL, so a NUL inside a name would make two
    different places share associated data; such names are refused.
    """
    if "\x00" in table or "\x00" in column or "\x00" in row_id:
        raise ValueError("table, column and row id may not contain NUL")
    return b"\x00".join(
        (
            bytes([ENVELOPE_VERSION]),
            table.encode(),
            column.encode(),
            row_id.encode(),
            key_id,
        )
    )


def seal_field(fk: FieldKey, table: str, column: str, row_id: str, plaintext: bytes) -> bytes:
    """Encrypt one value into an envelope bound to its table, column and row."""
    nonce = os.urandom(NONCE_LEN)
    ad = associated_data(table, column, row_id, fk.key_id)
    ct = fk.aead.encrypt(nonce, plaintext, ad)
    return bytes([ENVELOPE_VERSION]) + fk.key_id + nonce + ct


def open_field(fk: FieldKey, table: str, column: str, row_id: str, envelope: bytes) -> bytes:
    """Decrypt an envelope; raise DecryptionError naming the place if anything is off."""
    where = f"{table}.{column} (rij {row_id})"
    if envelope is None or len(envelope) < HEADER_LEN + TAG_LEN:
        raise DecryptionError(where, "waarde is afgekapt of leeg")
    envelope = bytes(envelope)
    if envelope[0] != ENVELOPE_VERSION:
        raise DecryptionError(where, "onbekende versie")
    if envelope[1 : 1 + KEY_ID_LEN] != fk.key_id:
        raise DecryptionError(where, "verkeerde sleutel")
    nonce = envelope[1 + KEY_ID_LEN : HEADER_LEN]
    ad = associated_data(table, column, row_id, fk.key_id)
    try:
        return fk.aead.decrypt(nonce, envelope[HEADER_LEN:], ad)
    except InvalidTag:
        raise DecryptionError(where) from None


def open_column(
    fk: FieldKey, table: str, column: str, items: Iterable[tuple[str, bytes]]
) -> Iterator[tuple[str, bytes | None]]:
    """Decrypt many envelopes of one column: (row id, plaintext or None if damaged).

    The same checks and associated data as ``open_field``, with the parts
    that do not change per row computed once: this is the unlock's hot loop.
    """
    if "\x00" in table or "\x00" in column:
        raise ValueError("table and column may not contain NUL")
    prefix = bytes([ENVELOPE_VERSION]) + b"\x00" + table.encode() + b"\x00" + column.encode() + b"\x00"
    suffix = b"\x00" + fk.key_id
    header = bytes([ENVELOPE_VERSION]) + fk.key_id
    decrypt = fk.aead.decrypt
    for row_id, envelope in items:
        if (
            envelope is None
            or len(envelope) < HEADER_LEN + TAG_LEN
            or envelope[: 1 + KEY_ID_LEN] != header
            or "\x00" in row_id
        ):
            yield row_id, None
            continue
        try:
            yield row_id, decrypt(
                envelope[1 + KEY_ID_LEN : HEADER_LEN],
                envelope[HEADER_LEN:],
                prefix + row_id.encode() + suffix,
            )
        except InvalidTag:
            yield row_id, None


# --- X25519 sealed boxes -------------------------------------------------


def new_keypair() -> tuple[bytes, bytes]:
    """Return (private, public) raw 32-byte X25519 keys."""
    priv = X25519PrivateKey.generate()
    return _raw_private(priv), _raw_public(priv.public_key())


def public_from_private(private: bytes) -> bytes:
    return _raw_public(X25519PrivateKey.from_private_bytes(private).public_key())


def _raw_private(k: X25519PrivateKey) -> bytes:
    return k.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def _raw_public(k: X25519PublicKey) -> bytes:
    return k.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _box_key(shared: bytes, eph_pub: bytes, recipient_pub: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_LEN,
        salt=eph_pub + recipient_pub,
        info=_SEAL_INFO,
    ).derive(shared)


def seal_to(recipient_pub: bytes, plaintext: bytes, context: bytes) -> bytes:
    """Encrypt for the holder of a private key; context is bound as associated data.

    Format: version | ephemeral public key (32) | nonce (12) | ciphertext + tag.
    """
    eph = X25519PrivateKey.generate()
    eph_pub = _raw_public(eph.public_key())
    shared = eph.exchange(X25519PublicKey.from_public_bytes(recipient_pub))
    key = _box_key(shared, eph_pub, recipient_pub)
    nonce = os.urandom(NONCE_LEN)
    ct = AESGCM(key).encrypt(nonce, plaintext, bytes([SEAL_VERSION]) + context)
    return bytes([SEAL_VERSION]) + eph_pub + nonce + ct


def open_sealed(recipient_priv: bytes, box: bytes, context: bytes, where: str) -> bytes:
    box = bytes(box)
    if len(box) < 1 + 32 + NONCE_LEN + TAG_LEN or box[0] != SEAL_VERSION:
        raise DecryptionError(where, "waarde is afgekapt of onbekend")
    eph_pub = box[1:33]
    nonce = box[33 : 33 + NONCE_LEN]
    priv = X25519PrivateKey.from_private_bytes(recipient_priv)
    recipient_pub = _raw_public(priv.public_key())
    try:
        shared = priv.exchange(X25519PublicKey.from_public_bytes(eph_pub))
        key = _box_key(shared, eph_pub, recipient_pub)
        return AESGCM(key).decrypt(
            nonce, box[33 + NONCE_LEN :], bytes([SEAL_VERSION]) + context
        )
    except (InvalidTag, ValueError):
        raise DecryptionError(where) from None


def mac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def mac_equal(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)


# --- Ed25519 signatures and pairwise MACs ----------------------------------------
#
# Each worker signs what they write (audit entries); the team's root key (its
# seed derived from the escrow private key, so only coördinators and the
# recovery code have it) signs each worker's grant: role, activation, keys.
# A pairwise MAC (X25519 of one side's private and the other's public key,
# through HKDF) lets a worker check, with nothing but their own slot, that
# the root key really belongs to whoever holds the escrow key.


def signing_key_from_seed(seed: bytes) -> bytes:
    """The raw 32-byte Ed25519 public key of a 32-byte seed."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def new_signing_key() -> tuple[bytes, bytes]:
    """Return (seed, public) raw 32-byte Ed25519 keys."""
    seed = os.urandom(KEY_LEN)
    return seed, signing_key_from_seed(seed)


def sign(seed: bytes, message: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(seed).sign(message)


class Signer:
    """``sign`` for one seed, with the key made once (about half the cost of a
    signature): for a session that signs every audit entry it writes."""

    __slots__ = ("_key", "seed")

    def __init__(self, seed: bytes) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        self.seed = seed
        self._key = Ed25519PrivateKey.from_private_bytes(seed)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)


def signature_valid(public: bytes | None, signature: bytes | None, message: bytes) -> bool:
    """Whether ``signature`` is ``public``'s over ``message`` (False for anything missing or malformed)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not public or not signature:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(bytes(public)).verify(bytes(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def pair_mac(own_private: bytes, other_public: bytes, purpose: str, message: bytes) -> bytes:
    """A MAC only the two holders of these X25519 keys can make or check."""
    shared = X25519PrivateKey.from_private_bytes(own_private).exchange(X25519PublicKey.from_public_bytes(bytes(other_public)))
    return mac(derive_subkey(shared, "pair " + purpose), message)
