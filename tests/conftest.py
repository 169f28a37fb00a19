"""Shared fixtures: a fresh team store per test, never the user's own files.

The cheap Argon2 profile is switched on here, and only here, through the
explicit test-only variable (see jongerenteam.settings).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

# Before anything imports the settings: cheap KDF, no real user data dir.
os.environ["JONGERENTEAM_INSECURE_TEST_KDF"] = "1"
os.environ.pop("JONGERENTEAM_STORE", None)

from jongerenteam.domain import StudentDetails  # noqa: E402
from jongerenteam.settings import kdf_params  # noqa: E402
from storage import team  # noqa: E402
from storage.store import Store  # noqa: E402

COORDINATOR_PASS = "coordinator wachtwoord zin"
WORKER_PASS = "hulpverlener wachtwoord zin"
OTHER_PASS = "collega wachtwoord zin"

# Canary strings: if any of these is ever found in a file on disk, a
# protection failed. They are unusual enough never to appear by chance.
CANARY_FIRST = "Kanarievogelina"
CANARY_LAST = "Zwavelstokhuizen"
CANARY_NUMBER = "CANARY987654"
CANARY_NOTE = "KANARIE-NOTITIE mishandeling en schulden"
CANARIES = (CANARY_FIRST, CANARY_LAST, CANARY_NUMBER, CANARY_NOTE)


def pytest_configure(config):
    """The suite runs on two pytest-xdist workers (pyproject addopts): one
    example of a property test may then wait for the CPU behind the other
    worker, so Hypothesis' per-example time limit (200 ms) would fail tests
    at random. No deadline by default; a test may still set its own.

    Here rather than at import: the child processes of the tests import this
    module for its constants and need no Hypothesis."""
    from hypothesis import settings

    settings.register_profile("jongerenteam", deadline=None)
    settings.load_profile("jongerenteam")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Point platformdirs at a throwaway folder: the user's data is never touched."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    # What the app remembers of each store it saw (jongerenteam.integrity).
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.delenv("JONGERENTEAM_STORE", raising=False)
    yield


@dataclass
class TeamFixture:
    """A store with a coördinator, a worker and a second worker."""

    path: Path
    store: Store
    coordinator_id: str
    worker_id: str
    other_id: str
    recovery_code: str


def make_team(path: Path) -> TeamFixture:
    params = kdf_params()
    store = Store.create(str(path))
    coord_id, code = team.create_team(
        store, "Testteam",
        team.WorkerDetails("Cora Coördinator", "CC", team.COORDINATOR, "wijkteam"),
        COORDINATOR_PASS, params,
    )
    keys = team.unlock(store, coord_id, COORDINATOR_PASS)
    worker_id = team.add_worker(
        store, keys, team.WorkerDetails("Hanna Hulpverlener", "HH", team.WORKER, "jeugdhulp"),
        WORKER_PASS, params,
    )
    other_id = team.add_worker(
        store, keys, team.WorkerDetails("Otto Collega", "OC", team.WORKER, "verslavingszorg"),
        OTHER_PASS, params,
    )
    return TeamFixture(path, store, coord_id, worker_id, other_id, code)


@pytest.fixture(scope="session")
def team_template(tmp_path_factory) -> TeamFixture:
    """One team store per test process, built once and closed: ``team_store`` copies it.

    Creating a team (three key slots, the escrow, the first audit entries)
    takes a few hundred milliseconds; copying the closed file takes less
    than one.
    """
    fx = make_team(tmp_path_factory.mktemp("template") / "team.jt")
    fx.store.close()
    return fx


def copy_team(template: TeamFixture, path: Path) -> TeamFixture:
    """A copy of the template store at ``path``, opened (the same workers, ids and passphrases)."""
    shutil.copyfile(template.path, path)
    os.chmod(path, 0o600)
    return replace(template, path=path, store=Store.open(str(path)))


@pytest.fixture
def team_store(tmp_path, team_template) -> TeamFixture:
    """A fresh SQLite team store in a temporary folder (a copy of the template)."""
    fx = copy_team(team_template, tmp_path / "team.jt")
    yield fx
    fx.store.close()


def canary_student() -> StudentDetails:
    return StudentDetails(
        first_name=CANARY_FIRST,
        last_name=CANARY_LAST,
        birth_date=date(2008, 4, 3),
        student_number=CANARY_NUMBER,
        programme="Verzorgende IG",
        level="3",
        year=1,
        municipality_code="GM0193",
        contact_preference="whatsapp",
        contact_value="0612345678",
        leefdomeinen=["veiligheid", "inkomen"],
    )


def files_containing(folder: Path, needles=CANARIES) -> list[tuple[str, str]]:
    """Every (file, canary) pair where a canary occurs in a file under folder.

    Checks UTF-8 and UTF-16 spellings, so a hit in any text encoding counts.
    """
    hits = []
    for p in folder.rglob("*"):
        if not p.is_file():
            continue
        data = p.read_bytes()
        for needle in needles:
            for enc in ("utf-8", "utf-16-le", "utf-16-be"):
                if needle.encode(enc) in data:
                    hits.append((str(p), needle))
                    break
    return hits


# PostgreSQL: a throwaway server for the session, and the sqlite/postgresql
# parametrised ``store_url`` (tests/pg.py).
from tests.pg import pg_server, pg_url, store_url  # noqa: E402, F401


async def wait_workers(app) -> None:
    """Wait for the app's workers; one cancelled by a newer one of its
    exclusive group (on purpose) is not a failure, a failed one still raises."""
    from textual.worker import WorkerCancelled

    for worker in list(app.workers):
        try:
            await worker.wait()
        except WorkerCancelled:
            pass


def draft_bodies(store, worker_id: str) -> list[bytes]:
    """The sealed draft bodies of one worker, as raw bytes from the store (what an outsider sees)."""
    from sqlalchemy import text

    with store.reading() as s:
        return [bytes(r[0]) for r in s.execute(text("SELECT body FROM drafts WHERE worker_id = :w"), {"w": worker_id})]
