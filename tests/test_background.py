"""No failure is silent: every background worker that fails says so in Dutch, and the error log has it.

Each test breaks one real worker (the store call it makes, or the screen
update it hands back to the UI thread) with an exception whose message is a
canary, then checks: a Dutch message on screen, the rest of the screen still
drawn, the app still running, and an error-log record that names the place
in the code but holds no canary.
"""

from __future__ import annotations

import ast
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from jongerenteam import errorlog
from jongerenteam.domain import StudentDetails
from jongerenteam.dossier import DossierService
from jongerenteam.report import ReportService
from jongerenteam.session import TeamSession
from jongerenteam.socialmap import SocialMapService
from jongerenteam.spreekuur import SpreekuurService
from screens.background import WHAT, failure_text
from screens.home import HomeScreen
from screens.unlock import UnlockScreen
from tests.support import (
    CANARIES,
    CANARY_FIRST,
    CANARY_NOTE,
    COORDINATOR_PASS,
    OTHER_PASS,
    WORKER_PASS,
    build_app,
    files_containing,
    notifications,
    paste,
    screen_text,
    settle,
    submit_unlock,
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


# -- every worker code, with an injected failure -----------------------------------------------------------
#
# One case per code in ``WHAT``: the screen that starts that worker, reached in
# the real app, with the service call the worker makes broken (``boom``) just
# before the key that starts it. The same checks for each: the Dutch sentence
# on screen (a toast or a message line), the screen still there and drawn, the
# app running, and an error-log record without the exception's message.

FAILED = "Er ging iets onverwachts mis"
# Workers whose failure reaches the log through ``messages.explain`` ("onverwacht"),
# not under their own code: they catch the exception (or read the worker's error) themselves.
LOGGED_AS = dict.fromkeys(("open-store", "unlock", "checks", "dossier-load"), "onverwacht")


@dataclass
class Run:
    """What a case works with: the team, its students, the app and the way to break a call."""

    fx: Any
    students: Any
    monkeypatch: pytest.MonkeyPatch
    tmp_path: Path
    app: Any = None
    pilot: Any = None
    data: dict[str, Any] = field(default_factory=dict)

    def breaks(self, owner: object, name: str) -> None:
        """From now on ``owner.name`` raises ``Broken`` (a service method, or a function of a module)."""
        self.monkeypatch.setattr(owner, name, boom)

    @property
    def fatma(self) -> str:
        return self.students.ozdemir_id

    async def settle(self) -> None:
        await settle(self.app, self.pilot)

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.settle()


@dataclass(frozen=True)
class Case:
    drive: Callable[[Run], Awaitable[type]]  # from Vandaag (or the first screen) to the failure; returns the screen that stays
    who: tuple[str, str] | None = ("ha", WORKER_PASS)  # unlocked as, before ``drive``
    prepare: Callable[[Run], None] | None = None  # data in the store, before the app starts
    app: Callable[[Run], Any] | None = None  # another app than the team's (the wizard, an opening store)


CASES: dict[str, Case] = {}


def case(code: str, **kw: Any) -> Callable[[Callable[[Run], Awaitable[type]]], Callable[[Run], Awaitable[type]]]:
    def register(drive: Callable[[Run], Awaitable[type]]) -> Callable[[Run], Awaitable[type]]:
        CASES[code] = Case(drive, **kw)
        return drive

    return register


COORDINATOR = ("co", COORDINATOR_PASS)


async def open_fatma(r: Run) -> None:
    from screens.student import open_student

    open_student(r.app.screen, r.app.session, r.app.session.students[r.fatma])
    await r.settle()


# -- starting, unlocking, Vandaag, drafts, syncing


def opening_store(r: Run) -> Any:
    """The app as the command starts it on a closed store file: the unlock screen first, the store opened behind it."""
    import shutil

    from storage.preview import OpeningStore, read_preview

    r.fx.store.checkpoint()  # everything in the file itself, then a copy nobody has open
    path = r.tmp_path / "dicht.jt"
    shutil.copyfile(r.fx.path, path)
    preview = read_preview(str(path))
    assert preview is not None
    return build_app(r.fx, store=OpeningStore(str(path), preview, opener=boom))


@case("open-store", who=None, app=opening_store)
async def _open_store(r: Run) -> type:
    return UnlockScreen


def opening_store_that_opens(r: Run) -> Any:
    """As ``opening_store``, with the copy really opened behind the unlock screen."""
    from storage.preview import OpeningStore

    closed = opening_store(r).store
    return build_app(r.fx, store=OpeningStore(closed.location, closed.preview))


def prepare_breaks(r: Run) -> None:
    from jongerenteam import start

    r.breaks(start, "prepare_unlock")


@case("unlock-prepare", who=None, app=opening_store_that_opens, prepare=prepare_breaks)
async def _unlock_prepare(r: Run) -> type:
    return UnlockScreen


@case("unlock", who=None)
async def _unlock(r: Run) -> type:
    from jongerenteam import start

    r.breaks(start, "unlock")
    await submit_unlock(r.app, r.pilot, "ha", WORKER_PASS)
    await r.settle()
    return UnlockScreen


@case("reset", who=None)
async def _reset(r: Run) -> type:
    from jongerenteam import start
    from screens.forgot import ForgotPassphraseScreen

    await r.pilot.press(*"hanna", "f1")
    await r.settle()
    r.breaks(start, "reset_with_recovery")
    for line in (r.fx.recovery_code, "tulpen langs de vaart in mei", "tulpen langs de vaart in mei"):
        await paste(r.app, r.pilot, line)
        await r.pilot.press("enter")
    await r.settle()
    return ForgotPassphraseScreen


def wizard(r: Run) -> Any:
    from jongerenteam.cli import make_app
    from jongerenteam.settings import Settings

    return make_app(Settings(store=str(r.tmp_path / "nieuw" / "team.jt")), None)


@case("create", who=None, app=wizard)
async def _create(r: Run) -> type:
    from jongerenteam import start
    from screens.setup import SetupScreen

    r.breaks(start, "create_team")
    for line in ("Team Zuid", "Anna van der Berg", "", "ggz", "fiets regen koffie dinsdag", "fiets regen koffie dinsdag"):
        await paste(r.app, r.pilot, line)
        await r.pilot.press("enter")
    await r.settle()
    return SetupScreen


@case("today", who=None)
async def _today(r: Run) -> type:
    r.breaks(SpreekuurService, "today")
    await unlock_as(r.app, r.pilot, "ha", WORKER_PASS)
    return HomeScreen


@case("search-index", who=None)
async def _search_index(r: Run) -> type:
    r.breaks(SpreekuurService, "prepare_search")
    await unlock_as(r.app, r.pilot, "ha", WORKER_PASS)
    return HomeScreen


def a_draft_of_another_window(r: Run) -> None:
    s = TeamSession.unlock(r.fx.store, r.fx.worker_id, WORKER_PASS)
    s.drafts.keep("een-ander-venster", {"screens": []})
    s.lock()


@case("terugzetten", who=None, prepare=a_draft_of_another_window)
async def _terugzetten(r: Run) -> type:
    from jongerenteam.drafts import DraftService
    from screens.drafts import OfferDraft

    r.breaks(DraftService, "discard")
    await unlock_as(r.app, r.pilot, "ha", WORKER_PASS)
    await wait_until(r.pilot, lambda: isinstance(r.app.screen, OfferDraft), what="the draft offered")
    await r.press("w")  # thrown away
    return HomeScreen


@case("tussentijds-bewaren")
async def _autosave(r: Run) -> type:
    from jongerenteam.drafts import DraftService
    from screens.spreekuur import IntakeScreen

    await r.pilot.press("ctrl+n")
    await paste(r.app, r.pilot, "Sam")
    r.breaks(DraftService, "keep")
    r.app.autosave()
    await r.settle()
    return IntakeScreen


@case("bijwerken")
async def _sync(r: Run) -> type:
    r.breaks(TeamSession, "sync")
    r.app.sync_now()
    await r.settle()
    return HomeScreen


# -- registering a student


@case("checks")
async def _checks(r: Run) -> type:
    from screens.spreekuur import IntakeScreen

    r.breaks(SpreekuurService, "find_duplicates")
    await r.pilot.press("ctrl+n")
    await paste(r.app, r.pilot, "Sam")
    await r.press("ctrl+s")
    return IntakeScreen


@case("save")
async def _save(r: Run) -> type:
    from screens.spreekuur import IntakeScreen

    r.breaks(SpreekuurService, "register_walk_in")
    await r.pilot.press("ctrl+n")
    await paste(r.app, r.pilot, "Sam")
    await r.press("ctrl+s")
    return IntakeScreen


@case("anonymous")
async def _anonymous(r: Run) -> type:
    r.breaks(SpreekuurService, "unlinked_anonymous")
    r.app.action_link_anonymous()  # ctrl+p: "student: anonieme inloop koppelen"
    await r.settle()
    return HomeScreen


@case("meldcode-today", who=None)
async def _meldcode_today(r: Run) -> type:
    from jongerenteam.meldcode import MeldcodeService

    r.breaks(MeldcodeService, "today")
    await unlock_as(r.app, r.pilot, "ha", WORKER_PASS)
    return HomeScreen


# -- the dossier


@case("dossier-load")
async def _dossier_load(r: Run) -> type:
    from screens.dossier import DossierScreen

    r.breaks(DossierService, "open_dossier")
    await open_fatma(r)
    return DossierScreen


@case("dossier-store")
async def _dossier_store(r: Run) -> type:
    from screens.dossier import DossierScreen

    await open_fatma(r)
    r.breaks(DossierService, "involved_workers")
    await r.press("6")  # Betrokkenen: the colleagues on the file are read
    return DossierScreen


@case("dossier-log")
async def _dossier_log(r: Run) -> type:
    from screens.dossier import DossierScreen

    await open_fatma(r)
    r.breaks(DossierService, "file_log")
    await r.press("7")
    return DossierScreen


def a_student_held_for_hanna(r: Run) -> None:
    """Cora registers a student and names Hanna contact person, the file waiting for consent."""
    cora = TeamSession.unlock(r.fx.store, r.fx.coordinator_id, COORDINATOR_PASS)
    record = cora.spreekuur.register_student(StudentDetails(first_name="Leonie", last_name="Mulder",
                                                            birth_date=date(2006, 5, 1)))
    cora.handover.hold_for(record.id, r.fx.worker_id, "Otto gaat met verlof")
    cora.lock()
    r.data["held"] = record.id


@case("held-open", prepare=a_student_held_for_hanna)
async def _held_open(r: Run) -> type:
    from jongerenteam.handover import HandoverService
    from screens.student import open_student

    r.breaks(HandoverService, "held_for_me")
    open_student(r.app.screen, r.app.session, r.app.session.students[r.data["held"]])
    await r.settle()
    return HomeScreen


@case("meldcode")
async def _meldcode(r: Run) -> type:
    from jongerenteam.meldcode import MeldcodeService
    from screens.dossier import DossierScreen

    await open_fatma(r)
    r.breaks(MeldcodeService, "open_for")
    await r.press("m")
    return DossierScreen


@case("dg-save")
async def _driegesprek(r: Run) -> type:
    from jongerenteam.driegesprek import DriegesprekService
    from screens.driegesprek import DriegesprekScreen

    await open_fatma(r)
    await r.press("d")
    assert isinstance(r.app.screen, DriegesprekScreen)
    r.app.screen.query_one("#dg-story").focus()
    await paste(r.app, r.pilot, "Het gaat beter op stage.")
    r.breaks(DriegesprekService, "save_driegesprek")
    await r.press("ctrl+s")
    return DriegesprekScreen


# -- the afsprakenoverzicht and the worker's reachability


async def open_overview(r: Run) -> None:
    from screens.overview import OverviewModal

    r.app.push_screen(OverviewModal(r.app.session, r.app.session.students[r.fatma]))
    await r.settle()


@case("overview")
async def _overview(r: Run) -> type:
    from screens.overview import OverviewModal

    r.breaks(DossierService, "open_dossier")
    await open_overview(r)
    return OverviewModal


@case("overview-export")
async def _overview_export(r: Run) -> type:
    from screens.overview import OverviewModal

    await open_overview(r)
    r.breaks(DossierService, "log_export")
    await r.press("k")  # copy: logged first, and that fails
    return OverviewModal


@case("reach")
async def _reach(r: Run) -> type:
    from jongerenteam.team import TeamService
    from screens.overview import ReachabilityModal

    await open_overview(r)
    r.breaks(TeamService, "worker_contact")
    await r.press("b")
    return ReachabilityModal


@case("reach-save")
async def _reach_save(r: Run) -> type:
    from jongerenteam.team import TeamService
    from screens.overview import ReachabilityModal

    await open_overview(r)
    await r.press("b")
    r.breaks(TeamService, "set_my_contact")
    await paste(r.app, r.pilot, "06-12345678 (ma-do)")
    await r.press("enter")
    return ReachabilityModal


@case("wachtwoord-wijzigen")
async def _change_passphrase(r: Run) -> type:
    from jongerenteam.team import TeamService
    from screens.team_dialogs import ChangePassphraseDialog

    await r.press("f2")
    assert isinstance(r.app.screen, ChangePassphraseDialog)
    r.breaks(TeamService, "change_own_passphrase")
    for line in (WORKER_PASS, "tulpen langs de vaart in mei", "tulpen langs de vaart in mei"):
        await paste(r.app, r.pilot, line)
        await r.pilot.press("enter")
    await r.settle()
    # What was typed stays.
    assert r.app.screen.query_one("#change-current").value == WORKER_PASS
    return ChangePassphraseDialog


# -- the sociale kaart


@case("social-map")
async def _social_map(r: Run) -> type:
    from screens.socialmap import SocialMapScreen

    r.breaks(SocialMapService, "entries")
    await r.press("f4")
    return SocialMapScreen


def an_entry_on_the_map(r: Run) -> None:
    from jongerenteam.socialmap import MapEntry

    s = TeamSession.unlock(r.fx.store, r.fx.worker_id, WORKER_PASS)
    s.social_map.add(MapEntry(kind="organisatie", name="Budgetmaatje"))
    s.lock()


@case("social-map-write", prepare=an_entry_on_the_map)
async def _social_map_write(r: Run) -> type:
    from screens.socialmap import SocialMapScreen

    await r.press("f4")
    r.app.screen.query_one("#map-table").focus()
    r.breaks(SocialMapService, "remove")
    await r.press("x", "j")
    return SocialMapScreen


# -- 18+


@case("checklist-load")
async def _checklist_load(r: Run) -> type:
    from jongerenteam.eighteen import EighteenService
    from screens.eighteen import ChecklistScreen

    r.breaks(EighteenService, "checklist")
    r.app.push_screen(ChecklistScreen(r.fatma))
    await r.settle()
    return ChecklistScreen


@case("checklist-save")
async def _checklist_save(r: Run) -> type:
    from jongerenteam.eighteen import EighteenService
    from screens.eighteen import ChecklistScreen

    r.app.push_screen(ChecklistScreen(r.fatma))
    await r.settle()
    r.breaks(EighteenService, "set_checklist_item")
    await r.press("space")
    return ChecklistScreen


@case("team-checklist", who=COORDINATOR)
async def _team_checklist(r: Run) -> type:
    from jongerenteam.eighteen import EighteenService
    from screens.eighteen import TeamChecklistScreen

    r.breaks(EighteenService, "team_checklist")
    r.app.push_screen(TeamChecklistScreen())
    await r.settle()
    return TeamChecklistScreen


@case("team-checklist-save", who=COORDINATOR)
async def _team_checklist_save(r: Run) -> type:
    from jongerenteam.eighteen import EighteenService
    from screens.eighteen import TeamChecklistScreen

    r.app.push_screen(TeamChecklistScreen())
    await r.settle()
    r.breaks(EighteenService, "reset_team_checklist")
    await r.press("s", "j")  # back to the standard list, yes
    return TeamChecklistScreen


def a_student_with_a_coach(r: Run) -> None:
    s = TeamSession.unlock(r.fx.store, r.fx.worker_id, WORKER_PASS)
    s.spreekuur.register_student(StudentDetails(first_name="Anna", last_name="Test", coach_name="Mevr. Bos", coach_role="slb"))
    s.lock()


@case("coachwissel", who=COORDINATOR, prepare=a_student_with_a_coach)
async def _coachwissel(r: Run) -> type:
    from jongerenteam.eighteen import EighteenService
    from screens.eighteen import CoachChangeScreen

    r.app.push_screen(CoachChangeScreen())
    await r.settle()
    await r.press("enter")  # the one coach
    await paste(r.app, r.pilot, "Dhr. Yilmaz")
    await r.press("enter", "enter")  # the name, the role: the question
    r.breaks(EighteenService, "bulk_change_coach")
    await r.press("j")
    return CoachChangeScreen


# -- the warme overdracht


@case("handover-open")
async def _handover_open(r: Run) -> type:
    from jongerenteam.handover import HandoverService
    from screens.dossier import DossierScreen

    await open_fatma(r)
    r.breaks(HandoverService, "handovers_of")
    await r.press("w")
    return DossierScreen


@case("handover-load")
async def _handover_load(r: Run) -> type:
    from jongerenteam.handover import HandoverService
    from screens.handover import HandoverDialog

    await open_fatma(r)
    r.breaks(HandoverService, "handover_receivers")
    await r.press("w")
    return HandoverDialog


def fatma_proposed_to_otto(r: Run) -> None:
    from jongerenteam import consent as cn
    from jongerenteam import handover as h
    from jongerenteam.dates import local_today

    s = TeamSession.unlock(r.fx.store, r.fx.worker_id, WORKER_PASS)
    sid = r.students.ozdemir_id
    s.consent.add_consent(sid, cn.NewConsent(cn.ConsentWith("organisatie", "jongerenteam"), [cn.ALL_DOMAINS], "overdracht",
                                             "student", "mondeling", local_today()))
    otto = h.Receiver("medewerker", "Otto Collega", worker_id=r.fx.other_id)
    r.data["handover"] = s.handover.propose_handover(sid, h.Proposal(h.INTERN, otto, "Document", student_view="akkoord")).id
    s.lock()


async def otto_opens_the_proposal(r: Run) -> None:
    from screens.handover import HandoverCard

    r.app.screen.open_handover(r.data["handover"])
    await r.settle()
    assert isinstance(r.app.screen, HandoverCard)


@case("handover-step", who=("ot", OTHER_PASS), prepare=fatma_proposed_to_otto)
async def _handover_step(r: Run) -> type:
    from jongerenteam.handover import HandoverService
    from screens.handover import HandoverCard

    await otto_opens_the_proposal(r)
    r.breaks(HandoverService, "accept_handover")
    await r.press("a", "j")
    return HandoverCard


@case("handover-card", who=("ot", OTHER_PASS), prepare=fatma_proposed_to_otto)
async def _handover_card(r: Run) -> type:
    from jongerenteam.handover import HandoverService
    from screens.handover import HandoverCard

    await otto_opens_the_proposal(r)
    r.breaks(HandoverService, "handovers_of")  # accepted, then read again: that read fails
    await r.press("a", "j")
    return HandoverCard


@case("caseload")
async def _caseload(r: Run) -> type:
    from jongerenteam.handover import HandoverService
    from screens.handover import CaseloadScreen

    r.app.push_screen(CaseloadScreen(r.app.session))
    await r.settle()
    legend = str(r.app.screen.query_one("#cl-legend").render())
    otto_key = next(part.split(" ")[0] for part in legend.split(" · ") if "Otto" in part)
    await r.pilot.press(otto_key)
    r.breaks(HandoverService, "transfer_caseload")
    await r.press("ctrl+s", "j")  # the summary first, then j
    return CaseloadScreen


# -- Team beheren, rapportage, rechten (coördinator)


@case("dialog-save", who=COORDINATOR)
async def _dialog_save(r: Run) -> type:
    from jongerenteam.team import TeamService
    from screens.team_dialogs import AddWorkerDialog

    await r.press("ctrl+t", "t")
    assert isinstance(r.app.screen, AddWorkerDialog)
    for widget_id, value in (("add-name", "Fleur de Wit"), ("add-initials", "FW"), ("add-organisation", "ggz"),
                             ("add-passphrase", "fiets regen koffie bergop"), ("add-repeat", "fiets regen koffie bergop")):
        r.app.screen.query_one(f"#{widget_id}").value = value
    r.breaks(TeamService, "add_worker")
    await r.press("ctrl+s")
    return AddWorkerDialog


@case("report", who=COORDINATOR)
async def _report(r: Run) -> type:
    from screens.report import ReportScreen

    r.breaks(ReportService, "report_from")
    r.app.push_screen(ReportScreen())
    await r.settle()
    return ReportScreen


@case("report-export", who=COORDINATOR)
async def _report_export(r: Run) -> type:
    from screens.report import ReportScreen

    r.app.push_screen(ReportScreen())
    await r.settle()
    await r.press("c")
    r.app.screen.query_one("#save-path").value = str(r.tmp_path / "cijfers.csv")
    r.breaks(ReportService, "export_report")
    await r.press("enter")
    return ReportScreen


@case("rights-store", who=COORDINATOR)
async def _rights_store(r: Run) -> type:
    from jongerenteam.rights import RightsService
    from screens.retention import RetentionScreen

    r.breaks(RightsService, "retention_years")
    r.app.push_screen(RetentionScreen(r.app.session))
    await r.settle()
    return RetentionScreen


@case("rights-talks")
async def _rights_talks(r: Run) -> type:
    from screens.rights import CorrectionDialog

    r.breaks(DossierService, "open_dossier")
    r.app.push_screen(CorrectionDialog(r.app.session, r.fatma))
    await r.settle()
    return CorrectionDialog


@case("rights-recipients")
async def _rights_recipients(r: Run) -> type:
    from jongerenteam.rights import RightsService
    from screens.recipients import InformDialog

    r.breaks(RightsService, "recipients")
    r.app.push_screen(InformDialog(r.app.session, r.fatma))
    await r.settle()
    return InformDialog


# Codes no case reaches (none now): each with why, in the report of the run.
UNREACHED: dict[str, str] = {}


def test_every_worker_code_has_a_case_with_an_injected_failure():
    """The cases below cover the table: a new worker code needs its own case (or a reason in UNREACHED)."""
    assert sorted(set(CASES) | set(UNREACHED)) == sorted(WHAT)
    assert not set(CASES) & set(UNREACHED)
    used = {code for _file, code in worker_codes()}
    assert used == set(WHAT), "every code in the table is used by a worker, and only those"
    for code, words in WHAT.items():
        # Dutch, one phrase that fits "... is niet gelukt": a capital, no full stop, no English.
        assert words and words[0].isupper() and not words.endswith("."), code
        assert failure_text(code, Broken("x")).startswith(f"{words} is niet gelukt. {FAILED}"), code


def shown(app) -> str:
    return "\n".join(notifications(app)) + "\n" + screen_text(app)


@pytest.mark.parametrize("code", sorted(CASES))
async def test_each_worker_that_fails_says_so_in_dutch_and_the_screen_stays(
    code, team_store, students, error_log, monkeypatch, tmp_path,
):
    """Break the call one worker makes: a Dutch sentence, the screen still there and drawn, a log record without data."""
    r = Run(team_store, students, monkeypatch, tmp_path)
    case_ = CASES[code]
    if case_.prepare is not None:
        case_.prepare(r)
    app = case_.app(r) if case_.app is not None else build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        r.app, r.pilot = app, pilot
        if case_.who is not None:
            await unlock_as(app, pilot, *case_.who)
            assert isinstance(app.screen, HomeScreen)
        stays = await case_.drive(r)
        await wait_until(pilot, lambda: FAILED in shown(app), what=f"the Dutch message of {code}")
        await settle(app, pilot)
        assert app.is_running
        assert isinstance(app.screen, stays), f"{code}: {type(app.screen).__name__}"
        text = shown(app)
        assert f"{CANARY_FIRST} {CANARY_NOTE}" not in text  # the exception's own words never reach the screen
        assert len(screen_text(app).strip()) > 40  # still drawn, not an empty frame
    assert_logged_without_data(error_log)
    assert f" {LOGGED_AS.get(code, code)} {Broken.__module__}.Broken" in logged(error_log)
