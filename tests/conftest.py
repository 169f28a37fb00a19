"""The fixtures: a copied team store per test, fixed clocks, the standard students,
PostgreSQL; and the layer markers, set by file.

Helpers that are not fixtures are in tests/support.py. The cheap Argon2
profile is switched on here, and only here, through the explicit test-only
variable (see jongerenteam.settings).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from datetime import date

import pytest

# Before anything imports the settings: cheap KDF, no real user data dir.
os.environ["JONGERENTEAM_INSECURE_TEST_KDF"] = "1"
os.environ.pop("JONGERENTEAM_STORE", None)

from tests import support
from tests.support import (
    CANARY_NOTE,
    JANSEN_FIRST,
    JANSEN_LAST,
    MONDAY_MORNING,
    OTHER_PASS,
    OZDEMIR_FIRST,
    OZDEMIR_LAST,
    OZDEMIR_NOTE,
    STORE_NOW,
    TODAY,
    WORKER_PASS,
    TeamFixture,
    canary_student,
    copy_team,
    make_team,
)

# PostgreSQL: a throwaway server for the session, a fresh database per test,
# and the sqlite/postgresql parametrised ``store_url`` (the fixtures of tests/pg.py).
pytest_plugins = ["tests.pg"]

# -- layers ----------------------------------------------------------------------------------------
#
# Every test module belongs to one layer (docs/development.md):
#   unit     pure functions and single modules, no team store or a throwaway one
#   usecase  the use cases (jongerenteam/*) and the store on real SQLite/PostgreSQL
#   ui       the real app driven by Textual's Pilot (headless), snapshots included
#   tmux     the installed ``jongerenteam`` command in a real terminal (tmux), and tests
#            that run it or other separate processes (kill -9, several writers)
# A test in a module of one layer may name another itself (``@pytest.mark.tmux``
# on the one test of a use-case module that starts processes). A test that
# uses PostgreSQL also gets ``postgres``.

LAYERS = {
    "unit": (
        "test_architecture", "test_crypto", "test_dates", "test_domain", "test_messages",
        "test_municipalities", "test_search", "test_migrations", "test_privacy_guards", "test_meldcode_model",
        "test_code_health", "test_passphrase_strength", "test_domainwords",
    ),
    "usecase": (
        "test_access", "test_audit", "test_backends", "test_dossier",
        "test_eighteen", "test_exports", "test_meldcode", "test_handover", "test_handover_states", "test_no_silent_overwrite",
        "test_postgres", "test_report", "test_restore", "test_rights", "test_scenario_leonie", "test_scenario_meldcode", "test_smoke",
        "test_spreekuur", "test_store_errors", "test_sync", "test_tamper",
        "test_insiders", "test_defences", "test_passphrase_wait", "test_passphrase_change",
    ),
    "ui": (
        "test_background", "test_fast_start", "test_overview", "test_scenario_willem", "test_snapshots",
        "test_ui", "test_ui_dossier", "test_ui_dossier_panes", "test_ui_driegesprek", "test_ui_eighteen",
        "test_ui_handover", "test_ui_meldcode", "test_ui_report", "test_ui_rights", "test_ui_setup", "test_ui_spreekuur",
        "test_ui_team", "test_text_is_data",
    ),
    "tmux": (
        "test_tmux", "test_tmux_meldcode", "test_cli", "test_crash", "test_concurrency", "test_canary",
        "test_insecure_kdf", "test_portability",
    ),
}
LAYER_OF = {module: layer for layer, modules in LAYERS.items() for module in modules}


def pytest_configure(config):
    """The suite runs on two pytest-xdist workers (pyproject addopts): one
    example of a property test may then wait for the CPU behind the other
    worker, so Hypothesis' per-example time limit (200 ms) would fail tests
    at random. No deadline by default; a test may still set its own.

    Here rather than at import: the child processes of the tests import the
    support module for its constants and need no Hypothesis."""
    from hypothesis import settings

    settings.register_profile("jongerenteam", deadline=None)
    settings.load_profile("jongerenteam")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Each test gets the marker of its module's layer (a module not in LAYERS fails
    the run: every new module is placed in a layer), and ``postgres`` when it uses PostgreSQL."""
    unplaced = set()
    for item in items:
        module = item.path.stem
        layer = LAYER_OF.get(module)
        if layer is None:
            unplaced.add(module)
            continue
        if not any(item.get_closest_marker(name) for name in LAYERS):  # a test may name its own layer
            item.add_marker(getattr(pytest.mark, layer))
        params = getattr(getattr(item, "callspec", None), "params", {})
        if {"pg_url", "pg_server"} & set(item.fixturenames) or "postgresql" in params.values():
            item.add_marker(pytest.mark.postgres)
    if unplaced:
        raise pytest.UsageError(f"test modules in no layer (tests/conftest.py LAYERS): {sorted(unplaced)}")


def pytest_generate_tests(metafunc):
    """``@pytest.mark.backends("sqlite", "postgresql")`` (on a test or a module): ``team_store`` on each."""
    marker = metafunc.definition.get_closest_marker("backends")
    if marker and "team_store" in metafunc.fixturenames:
        metafunc.parametrize("team_store", list(marker.args), indirect=True)


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


# -- team stores: built once per process, copied per test ---------------------------------------------


@pytest.fixture(scope="session")
def team_template() -> TeamFixture:
    """One team store per test process, built once and closed: ``team_store`` copies it.

    Creating a team (three key slots, the escrow, the first audit entries)
    takes a few hundred milliseconds; copying the closed file takes less
    than one.
    """
    return support.team_template()


@pytest.fixture(scope="session")
def pg_team_template(pg_server) -> TeamFixture:
    """The same team in a PostgreSQL database, closed: copied with CREATE DATABASE … TEMPLATE."""
    fx = make_team(pg_server.new_database("jt_template"))
    fx.store.close()
    return fx


@pytest.fixture
def team_store(request, tmp_path, team_template) -> TeamFixture:
    """A fresh team store: a copy of the template, on SQLite in tmp_path
    (or, parametrised by the ``backends`` marker, in a new PostgreSQL database)."""
    if getattr(request, "param", "sqlite") == "postgresql":
        from storage.store import Store
        from tests.pg import database_of

        server = request.getfixturevalue("pg_server")
        template = request.getfixturevalue("pg_team_template")
        url = server.new_database(template=database_of(template.path))
        fx = replace(template, path=url, store=Store.open(url))
        yield fx
        fx.store.close()
        server.drop_database(database_of(url))
        return
    fx = copy_team(team_template, tmp_path / "team.jt")
    yield fx
    fx.store.close()


@pytest.fixture
def closed_team(tmp_path, team_template) -> TeamFixture:
    """A team store on disk that no connection of the test holds open (``store`` is None)."""
    return copy_team(team_template, tmp_path / "team.jt", open_it=False)


# -- clocks -------------------------------------------------------------------------------------------------


@pytest.fixture
def fixed_clock():
    """The store's clock (and so local_today) on Monday 23 November 2026, 10:30 UTC (support.TODAY)."""
    from storage import clock

    clock.set_clock(lambda: MONDAY_MORNING)
    yield TODAY
    clock.set_clock(None)


@pytest.fixture
def fixed_store_clock():
    """The store stamps every entry with one fixed moment (support.STORE_NOW: just after midnight in the Netherlands)."""
    from storage import clock

    clock.set_clock(lambda: STORE_NOW)
    yield STORE_NOW
    clock.set_clock(None)


@pytest.fixture
def dutch_time_zone(monkeypatch):
    """The laptop runs on Dutch time, whatever the test machine uses."""
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# -- the standard students --------------------------------------------------------------------------------


@dataclass
class Students:
    ozdemir_id: str  # registered by Hanna: she is involved
    canary_id: str  # registered by Otto: Hanna is not involved
    jansen_id: str  # registered by Otto


@pytest.fixture
def students(team_store, fixed_store_clock) -> Students:
    """Three students: one Hanna works with, two that belong to Otto."""
    from jongerenteam.domain import StudentDetails
    from jongerenteam.session import TeamSession

    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    ozdemir = hanna.spreekuur.register_student(
        StudentDetails(
            first_name=OZDEMIR_FIRST, last_name=OZDEMIR_LAST, birth_date=date(2007, 9, 12),
            student_number="S100200", programme="Pedagogisch medewerker", level="3",
            municipality_code="GM0193",
        )
    )
    hanna.dossier.add_entry(ozdemir.id, "notitie", {"tekst": OZDEMIR_NOTE})
    hanna.lock()
    otto = TeamSession.unlock(team_store.store, team_store.other_id, OTHER_PASS)
    canary = otto.spreekuur.register_student(canary_student())
    otto.dossier.add_entry(canary.id, "notitie", {"tekst": CANARY_NOTE})
    jansen = otto.spreekuur.register_student(
        StudentDetails(first_name=JANSEN_FIRST, last_name=JANSEN_LAST, birth_date=date(2006, 1, 30), level="2")
    )
    otto.lock()
    return Students(ozdemir.id, canary.id, jansen.id)

