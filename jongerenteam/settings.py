"""Where the store lives and how strong its key derivation is.

Settings come from the command line and the environment only; the app keeps
no config file yet. The cheap key-derivation profile exists for the test
suite and is switched on by one explicit, loudly named variable, which
counts only where the test suite or a benchmark set it: pytest marks every
test (and the programs a test starts inherit the mark) with
``PYTEST_CURRENT_TEST``, the scripts in benchmarks/ set ``JONGERENTEAM_BENCHMARK``.
Anywhere else the variable stops everything (``InsecureTestKdf``): the
installed command refuses to start rather than make weak key slots.
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
# Set by pytest for the test running now; inherited by the programs a test starts.
TEST_SUITE_ENV = "PYTEST_CURRENT_TEST"
# Set by the benchmark scripts (benchmarks/), next to TEST_KDF_ENV.
BENCHMARK_ENV = "JONGERENTEAM_BENCHMARK"
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


def under_test() -> bool:
    """True inside the test suite (and what its tests start) or a benchmark script."""
    return bool(os.environ.get(TEST_SUITE_ENV)) or os.environ.get(BENCHMARK_ENV) == "1"


def insecure_test_kdf() -> bool:
    """The cheap, insecure key derivation: asked for, and by the test suite or a benchmark."""
    return os.environ.get(TEST_KDF_ENV) == "1" and under_test()


def refuse_insecure_test_kdf() -> None:
    """Raise ``InsecureTestKdf`` when the cheap key derivation is asked for outside the tests and benchmarks."""
    if os.environ.get(TEST_KDF_ENV) == "1" and not under_test():
        from jongerenteam.errors import InsecureTestKdf

        raise InsecureTestKdf(TEST_KDF_ENV)


def kdf_params() -> KdfParams:
    """Calibrated Argon2id parameters, or the test-only profile when enabled (refused elsewhere)."""
    return tuned_kdf()[0]


# Set-up says so when one key derivation takes more than this many times its aim.
SLOW_KDF_FACTOR = 2.0


def tuned_kdf() -> tuple[KdfParams, str | None]:
    """``kdf_params`` and, when the derivation with them takes more than twice its aim on this
    machine (the floor holds however slow the machine is), a Dutch sentence that says so."""
    from storage import keyslots

    refuse_insecure_test_kdf()
    if insecure_test_kdf():
        return keyslots.KdfParams(*keyslots.TEST_ONLY_PARAMS), None
    calibration = keyslots.calibrate_timed(keyslots.CALIBRATION_TARGET_S)
    if calibration.seconds <= SLOW_KDF_FACTOR * keyslots.CALIBRATION_TARGET_S:
        return calibration.params, None
    from jongerenteam.messages import SLOW_KEY_SETUP

    return calibration.params, SLOW_KEY_SETUP.format(seconds=f"{calibration.seconds:.1f}".replace(".", ","))


@dataclass(frozen=True, slots=True)
class Settings:
    store: str
    # None: the team's own setting (default 5 minutes).
    idle_lock_seconds: float | None = None
