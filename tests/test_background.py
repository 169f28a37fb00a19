"""No failure is silent: every background worker that fails says so in Dutch, and the error log has it.

Each test breaks one real worker (the store call it makes, or the screen
update it hands back to the UI thread) with an exception whose message is a
canary, then checks: a Dutch message on screen, the rest of the screen still
drawn, the app still running, and an error-log record that names the place
in the code but holds no canary.
"""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from jongerenteam import errorlog
from jongerenteam.domain import StudentDetails
from jongerenteam.dossier import DossierService
from jongerenteam.report import ReportService
from jongerenteam.session import TeamSession
from jongerenteam.socialmap import SocialMapService
from jongerenteam.spreekuur import SpreekuurService
from screens.background import WHAT
from screens.home import HomeScreen
from tests.support import (
    CANARIES,
    CANARY_FIRST,
    CANARY_NOTE,
    COORDINATOR_PASS,
    WORKER_PASS,
    build_app,
    files_containing,
    notifications,
    paste,
    screen_text,
    settle,
    unlock_as,
    wait_until,
)

SCREENS = Path(__file__).resolve().parent.parent / "screens"
SIZE = (120, 36)


class Broken(RuntimeError):
    """The injected failure; its message is personal data that must reach no log."""


def boom(*_args, **_kwargs):
    raise Broken(f"{CANARY_FIRST} {CANARY_NOTE}")


@pytest.fixture
def error_log(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "log" / "fouten.log"
    monkeypatch.setenv(errorlog.LOG_ENV, str(path))
    return path


def logged(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def assert_logged_without_data(path: Path) -> None:
    text = logged(path)
    assert "Broken" in text, "the failure is in the error log"
    assert all(canary not in text for canary in CANARIES)
    assert files_containing(path.parent) == []
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def errors(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


# -- every worker has words ------------------------------------------------------------------------


def worker_codes() -> list[tuple[str, str]]:
    """(file, code) of every thread worker the screens start: its group, or its function's name."""
    out = []
    for path in sorted(SCREENS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for deco in node.decorator_list:
                    if isinstance(deco, ast.Call) and getattr(deco.func, "id", "") == "work":
                        kw = {k.arg: k.value for k in deco.keywords}
                        code = kw["group"].value if "group" in kw else kw["name"].value if "name" in kw else node.name
                        out.append((path.name, code))
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("run_worker", "run_in_thread"):
                kw = {k.arg: k.value for k in node.keywords}
                value = kw.get("group") or kw.get("name")
                if getattr(node.func, "id", "") == "run_in_thread" and len(node.args) > 1:
                    value = node.args[1]
                if isinstance(value, ast.Constant):
                    out.append((path.name, value.value))
                elif path.name != "background.py":
                    out.append((path.name, "<no fixed name>"))
    return out


def test_every_worker_of_the_screens_says_in_dutch_what_did_not_happen():
    """A failed worker's message names what failed ('Vandaag laden is niet gelukt'): each worker has its words."""
    missing = [(f, code) for f, code in worker_codes() if code not in WHAT]
    assert missing == []
    assert len(worker_codes()) >= 30


# -- injected failures, through the real app -------------------------------------------------------------


def hanna_with_a_student(fx) -> str:
    s = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    rec = s.spreekuur.register_student(StudentDetails(first_name="Fatma", last_name="Özdemir", birth_date=date(2007, 9, 12)))
    s.lock()
    return rec.id


async def test_vandaag_that_fails_to_draw_says_so_and_the_rest_still_draws(team_store, error_log, monkeypatch):
    """The old same-day crash path: an exception while Vandaag fills its lists is told, not swallowed."""
    hanna_with_a_student(team_store)
    monkeypatch.setattr(HomeScreen, "show_today", boom)
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await wait_until(pilot, lambda: errors(app), what="a Dutch error message")
        assert errors(app) == [
            "Vandaag laden is niet gelukt. Er ging iets onverwachts mis. Er is niets verloren gegaan; probeer het opnieuw."
        ]
        assert isinstance(app.screen, HomeScreen) and app.is_running
        assert "Zoek op naam" in screen_text(app)  # the search field still draws
    assert_logged_without_data(error_log)
    assert "today" in logged(error_log)


async def test_a_dossier_that_fails_to_load_says_so(team_store, error_log, monkeypatch):
    """Opening a dossier whose read fails: a Dutch message, the app keeps running."""
    sid = hanna_with_a_student(team_store)
    monkeypatch.setattr(DossierService, "open_dossier", boom)
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        from screens.student import open_student

        open_student(app.screen, app.session, app.session.students[sid])
        await wait_until(pilot, lambda: "Er ging iets onverwachts mis" in "\n".join(notifications(app)) + screen_text(app),
            what="the message")
        assert app.is_running
    assert_logged_without_data(error_log)


async def test_a_walk_in_that_fails_to_save_keeps_what_was_typed(team_store, error_log, monkeypatch):
    """ctrl+s on a walk-in whose save fails: the form stays filled and says why in Dutch."""
    monkeypatch.setattr(SpreekuurService, "register_walk_in", boom)
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n", *"Sam", "ctrl+s")
        await settle(app, pilot)
        from screens.spreekuur import IntakeScreen

        assert isinstance(app.screen, IntakeScreen)
        assert app.screen.query_one("#f-first_name").value == "Sam"
        assert "Er ging iets onverwachts mis" in screen_text(app) and "Je invoer staat er nog." in screen_text(app)
    assert_logged_without_data(error_log)


async def test_the_sociale_kaart_that_fails_to_load_says_so(team_store, error_log, monkeypatch):
    """F4 on a store whose sociale kaart cannot be read: a Dutch message on the screen."""
    monkeypatch.setattr(SocialMapService, "entries", boom)
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("f4")
        await settle(app, pilot)
        from screens.socialmap import SocialMapScreen

        assert isinstance(app.screen, SocialMapScreen)
        assert "Er ging iets onverwachts mis" in screen_text(app) + "\n".join(notifications(app))
    assert_logged_without_data(error_log)


async def test_a_report_that_fails_says_so(team_store, error_log, monkeypatch):
    """The coördinator's rapportage whose figures cannot be made: a Dutch message, the screen stays."""
    monkeypatch.setattr(ReportService, "report_from", boom)
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "co", COORDINATOR_PASS)
        from screens import report

        app.push_screen(report.ReportScreen())
        await settle(app, pilot)
        assert isinstance(app.screen, report.ReportScreen)
        assert "Er ging iets onverwachts mis" in screen_text(app) + "\n".join(notifications(app))
    assert_logged_without_data(error_log)


async def test_a_draft_that_cannot_be_kept_says_so(team_store, error_log, monkeypatch):
    """The autosave of a half-filled form fails (a broken store): the worker reads it, the form stays."""
    from jongerenteam.drafts import DraftService

    monkeypatch.setattr(DraftService, "keep", boom)
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n")
        await paste(app, pilot, "Sam")
        app.autosave()
        await wait_until(pilot, lambda: errors(app), what="the autosave message")
        assert errors(app)[0].startswith("Je invoer tussentijds versleuteld bewaren is niet gelukt.")
        assert app.screen.query_one("#f-first_name").value == "Sam"
    assert_logged_without_data(error_log)
