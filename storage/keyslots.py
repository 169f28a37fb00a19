"""Key slots: a passphrase (or recovery code) unwraps the team's keys.

A slot holds a payload (team key plus, for a worker, their X25519 private key;
for the recovery slot, the escrow private key) encrypted with a key derived
from the passphrase by Argon2id. The unwrap *is* the passphrase check: no
separate, cheaper hash is stored. Each slot keeps its own Argon2 parameters,
calibrated on the machine at set-up and never below OWASP's floor.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw

from storage.crypto import DecryptionError, FieldKey, open_field, seal_field

SALT_LEN = 16
# OWASP floors: m=19 MiB t=2 p=1, or m=46 MiB t=1 p=1 (memory in KiB).
OWASP_FLOORS = ((19 * 1024, 2), (46 * 1024, 1))
CALIBRATION_TARGET_S = 0.5
_CAL_MEMORY_KIB = 64 * 1024
_MAX_TIME_COST = 40

# Only for the test suite, switched on by an explicit environment variable
# (see jongerenteam.settings): far below the floor so the suite stays fast.
TEST_ONLY_PARAMS = (8 * 1024, 1, 1)


@dataclass(frozen=True, slots=True)
class KdfParams:
    memory_kib: int
    time_cost: int
    parallelism: int = 1

    def meets_owasp_floor(self) -> bool:
        return any(
            self.memory_kib >= m and self.time_cost >= t for m, t in OWASP_FLOORS
        )


def derive(secret: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        secret=secret.encode("utf-8"),
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _timed(params: KdfParams, salt: bytes) -> float:
    """The fastest of three derivations with these parameters: the machine's own speed, not its
    momentary load (a busy machine must not lower the cost; see ``calibrate``)."""
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        derive("calibration", salt, params)
        timings.append(time.perf_counter() - start)
    return min(timings)


# The floor calibration never goes below, whatever the machine's load: 64 MiB, time cost 3.
FLOOR_MEMORY_KIB = _CAL_MEMORY_KIB
FLOOR_TIME_COST = 3


@dataclass(frozen=True, slots=True)
class Calibration:
    """What ``calibrate_timed`` picked, and how long one derivation with it takes here."""

    params: KdfParams
    seconds: float  # estimated from the two measured points (the fastest of three each)


def calibrate(target_s: float = CALIBRATION_TARGET_S) -> KdfParams:
    return calibrate_timed(target_s).params


def calibrate_timed(target_s: float | None = None) -> Calibration:
    """Pick Argon2id parameters that take about target_s on this machine.

    Memory stays at 64 MiB (RFC 9106's second recommendation); the time cost
    grows until one derivation takes about the target, never below 3 (and so
    never below OWASP's floor). The cost is not proportional to the time
    cost (filling 64 MiB costs the same at any t), so the estimate is made
    from two measured points and checked once. On a slow (or very busy)
    machine the floor alone can take longer than the target: the floor holds,
    and ``seconds`` says how long an unlock will take.
    """
    target_s = CALIBRATION_TARGET_S if target_s is None else target_s
    salt = os.urandom(SALT_LEN)
    derive("warm-up", salt, KdfParams(_CAL_MEMORY_KIB, 1))
    low, high = KdfParams(_CAL_MEMORY_KIB, 1), KdfParams(_CAL_MEMORY_KIB, 3)
    t_low, t_high = _timed(low, salt), _timed(high, salt)
    per_pass = max((t_high - t_low) / 2, 1e-4)
    fixed = max(t_low - per_pass, 0.0)
    t = round((target_s - fixed) / per_pass)
    params = KdfParams(FLOOR_MEMORY_KIB, max(FLOOR_TIME_COST, min(_MAX_TIME_COST, t)))
    if not params.meets_owasp_floor():  # not an assert: it must hold under ``python -O`` too
        raise AssertionError("calibrated KDF parameters below the OWASP floor")
    return Calibration(params, fixed + per_pass * params.time_cost)


@dataclass(frozen=True, slots=True)
class SlotRecord:
    """What the store keeps for one slot (all public except the sealed payload)."""

    slot_id: str
    salt: bytes
    params: KdfParams
    wrapped: bytes


def make_slot(slot_id: str, secret: str, payload: bytes, params: KdfParams) -> SlotRecord:
    salt = os.urandom(SALT_LEN)
    kek = FieldKey.of(derive(secret, salt, params))
    wrapped = seal_field(kek, "key_slots", "wrapped", slot_id, payload)
    return SlotRecord(slot_id, salt, params, wrapped)


class WrongSecret(Exception):
    """The passphrase or recovery code did not open the slot."""


def open_slot(record: SlotRecord, secret: str) -> bytes:
    kek = FieldKey.of(derive(secret, record.salt, record.params))
    try:
        return open_field(kek, "key_slots", "wrapped", record.slot_id, record.wrapped)
    except DecryptionError:
        raise WrongSecret() from None


# --- recovery codes ------------------------------------------------------

# Crockford's base32 alphabet: no I, L, O or U, so it reads aloud cleanly.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_GROUPS = 7
RECOVERY_GROUP_LEN = 4  # 28 characters * 5 bits = 140 bits


def new_recovery_code() -> str:
    chars = [secrets.choice(_ALPHABET) for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LEN)]
    groups = [
        "".join(chars[i : i + RECOVERY_GROUP_LEN])
        for i in range(0, len(chars), RECOVERY_GROUP_LEN)
    ]
    return "-".join(groups)


def normalise_recovery_code(code: str) -> str:
    """Accept lower case, spaces and the usual look-alikes (O->0, I/L->1)."""
    cleaned = "".join(c for c in code.upper() if c.isalnum())
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    groups = [
        cleaned[i : i + RECOVERY_GROUP_LEN] for i in range(0, len(cleaned), RECOVERY_GROUP_LEN)
    ]
    return "-".join(groups)
