"""Where the store lives and how strong its key derivation is.

Settings come from the command line and the environment only; the app keeps
no config file yet. The cheap key-derivation profile exists for the test
suite and is switched on by one explicit, loudly named variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # argon2 and cryptography load at the first key derivation, not at start-up
    from storage.keyslots import KdfParams

STORE_ENV = "JONGERENTEAM_STORE"
TEST_KDF_ENV = "JONGERENTEAM_INSECURE_TEST_KDF"
DEFAULT_STORE_NAME = "team.jt"
DEMO_STORE_NAME = "demo.jt"


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("jongerenteam", appauthor=False)


def default_store() -> str:
    return str(data_dir() / DEFAULT_STORE_NAME)


def demo_store() -> str:
    return str(data_dir() / DEMO_STORE_NAME)


def resolve_store(explicit: str | None) -> str:
    """--store beats JONGERENTEAM_STORE beats the default in the user data dir."""
    return explicit or os.environ.get(STORE_ENV) or default_store()


def insecure_test_kdf() -> bool:
    return os.environ.get(TEST_KDF_ENV) == "1"


def kdf_params() -> KdfParams:
    """Calibrated Argon2id parameters, or the test-only profile when enabled."""
    from storage.keyslots import TEST_ONLY_PARAMS, KdfParams, calibrate

    if insecure_test_kdf():
        return KdfParams(*TEST_ONLY_PARAMS)
    return calibrate()


@dataclass(frozen=True, slots=True)
class Settings:
    store: str
    # None: the team's own setting (default 5 minutes).
    idle_lock_seconds: float | None = None
