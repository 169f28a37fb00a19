"""The cheap test key derivation counts only inside the test suite (or a benchmark):
anywhere else the installed command refuses to start, in Dutch, rather than make
weak key slots. A slot that is weak anyway says so when it is opened."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jongerenteam import messages, settings
from jongerenteam.errors import InsecureTestKdf
from jongerenteam.session import TeamSession
from storage.keyslots import TEST_ONLY_PARAMS, KdfParams
from tests.support import COORDINATOR_PASS


def _command() -> str:
    found = Path(sys.executable).with_name("jongerenteam")
    if found.exists():
        return str(found)
    which = shutil.which("jongerenteam")
    if which is None:  # pragma: no cover - the package is installed in the venv
        pytest.fail("the jongerenteam command is not installed")
    return which


def outside_the_suite(home: Path, **extra: str) -> dict[str, str]:
    """The environment of someone's terminal: no pytest mark, no jongerenteam variables but ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JONGERENTEAM_") and k != settings.TEST_SUITE_ENV}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"), PYTHONIOENCODING="utf-8", **extra)
    return env


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    proc = subprocess.run([_command(), *args], input=stdin, capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=60, cwd=env["HOME"])
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    return proc


@pytest.fixture
def home(tmp_path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


REFUSAL = re.compile(
    r"De omgevingsvariabele JONGERENTEAM_INSECURE_TEST_KDF staat aan\. .*"
    r"Haal de variabele weg \(bijvoorbeeld met 'unset JONGERENTEAM_INSECURE_TEST_KDF'\) en start jongerenteam opnieuw\."
)


def test_the_installed_command_refuses_the_test_kdf_outside_the_suite(home, tmp_path):
    """`init` with the variable but without the test suite's mark: refused before a question, nothing made."""
    store = tmp_path / "team.jt"
    answers = "Team Noord\nAnna de Vries\nAV\nwijkteam\nfiets regen koffie bergop\nfiets regen koffie bergop\n"
    proc = run(["init", "--store", str(store)], outside_the_suite(home, JONGERENTEAM_INSECURE_TEST_KDF="1"), answers)
    assert proc.returncode == messages.EXIT_USAGE
    assert REFUSAL.fullmatch(proc.stderr.strip()), proc.stderr
    assert proc.stdout == ""
    assert not store.exists()


def test_a_benchmark_may_use_the_test_kdf(home, tmp_path):
    """The benchmark scripts set their own mark next to the variable: not refused."""
    env = outside_the_suite(home, JONGERENTEAM_INSECURE_TEST_KDF="1", JONGERENTEAM_BENCHMARK="1")
    proc = run(["worker", "list", "--store", str(tmp_path / "geen.jt")], env)
    assert "JONGERENTEAM_INSECURE_TEST_KDF" not in proc.stderr
    assert proc.returncode == messages.EXIT_MISSING


def test_in_the_suite_the_test_kdf_is_cheap_and_elsewhere_refused(monkeypatch):
    assert settings.insecure_test_kdf()
    assert settings.kdf_params() == KdfParams(*TEST_ONLY_PARAMS)
    monkeypatch.delenv(settings.TEST_SUITE_ENV)
    assert not settings.insecure_test_kdf()
    with pytest.raises(InsecureTestKdf) as refused:
        settings.kdf_params()
    assert REFUSAL.fullmatch(messages.explain(refused.value)[0])


def test_opening_a_weak_slot_outside_the_suite_says_so(team_store, home, monkeypatch):
    """The test suite's slots are below OWASP's floor: the command line says so when one is opened
    outside the suite (the session exposes the same sentence); inside the suite it stays quiet."""
    team_store.store.close()
    env = outside_the_suite(home)
    proc = run(["audit", "verify", "--store", str(team_store.path), "--worker", "CC"], env, COORDINATOR_PASS + "\n")
    assert proc.returncode == messages.EXIT_OK, proc.stderr
    assert messages.WEAK_KEY_SLOT in proc.stderr
    assert messages.WEAK_KEY_SLOT.startswith("Let op: dit wachtwoord is met een te zwakke instelling opgeslagen")

    proc = run(["audit", "verify", "--store", str(team_store.path), "--worker", "CC"],
               {**env, settings.TEST_SUITE_ENV: "test_insecure_kdf.py"}, COORDINATOR_PASS + "\n")
    assert proc.returncode == messages.EXIT_OK, proc.stderr
    assert messages.WEAK_KEY_SLOT not in proc.stderr

    team_store.store = type(team_store.store).open(str(team_store.path))
    session = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    assert session.weak_key_warning() is None
    monkeypatch.delenv(settings.TEST_SUITE_ENV)
    assert session.weak_key_warning() == messages.WEAK_KEY_SLOT
