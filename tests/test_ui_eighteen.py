"""The 18+ checklist, the team's list and the coachwissel through the real app (Pilot):
ticking by keyboard survives leaving and reopening, the coördinator edits the list,
and a bulk coach change from choosing to confirming, with its result in the store."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Input, OptionList, Static

from jongerenteam.dates import local_today
from jongerenteam.domain import StudentDetails
from jongerenteam.eighteen import add_working_days
from jongerenteam.session import TeamSession
from screens.dialogs import Confirm
from screens.eighteen import ChecklistScreen, CoachChangeScreen, TeamChecklistScreen, commands
from screens.home import HomeScreen
from tests.support import COORDINATOR_PASS, SIZE, WORKER_PASS, build_app, paste, settle, text_of, unlock_as


def options(app, selector: str) -> list[str]:
    return [str(o.prompt) for o in app.screen.query_one(selector, OptionList).options]


def hanna(team_store) -> TeamSession:
    return TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)


@pytest.fixture
def leonie(team_store, fixed_store_clock) -> str:
    """Hanna's student, 17 years and 10 months old."""
    s = hanna(team_store)
    today = local_today()
    rec = s.spreekuur.register_student(StudentDetails(first_name="Leonie", last_name="de Boer", birth_date=_birth_17y10m(today)))
    s.lock()
    return rec.id


def _birth_17y10m(today: date) -> date:
    """A birth date two months (and a bit) short of 18 years before ``today``."""
    month = today.month + 2
    year = today.year - 18 + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


async def test_ticking_items_by_keyboard_survives_leaving_and_reopening(team_store, leonie):
    """Space and Enter tick two items with today's date, d changes a date, n adds a note;
    Esc leaves; reopened, the checklist shows them again, and the store holds them."""
    app = build_app(team_store)
    today = local_today()
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        # Vandaag's 18+ radar names her, with the days in a column that fits at 120 columns.
        turning = app.screen.query_one("#turning", DataTable)
        name, _on, days = (str(c) for c in turning.get_row_at(0))
        assert name == "Leonie de Boer" and 0 < int(days) <= 183
        assert sum(col.get_render_width(turning) for col in turning.ordered_columns) <= turning.content_region.width
        app.push_screen(ChecklistScreen(leonie))
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ChecklistScreen)
        assert "Leonie de Boer" in text_of(app, "#cl-title")
        head = text_of(app, "#cl-head")
        assert "wordt 18 over" in head and "0 van 9 geregeld" in head
        assert options(app, "#cl-items")[:2] == ["[ ] zorgverzekering", "[ ] zorgtoeslag"]
        assert app.focused is screen.query_one("#cl-items")

        await pilot.press("space")  # zorgverzekering
        await settle(app, pilot)
        await pilot.press("down", "down", "enter")  # DigiD
        await settle(app, pilot)
        shown = options(app, "#cl-items")
        assert shown[0] == f"[x] zorgverzekering   geregeld op {today:%d-%m-%Y}"
        assert shown[2] == f"[x] DigiD   geregeld op {today:%d-%m-%Y}"
        assert shown[1] == "[ ] zorgtoeslag"
        assert "2 van 9 geregeld" in text_of(app, "#cl-head")
        assert text_of(app, "#cl-message") == f"'DigiD' is geregeld ({today:%d-%m-%Y})."

        # d on DigiD: a wrong date is refused in the dialog, a right one saved.
        await pilot.press("d")
        await pilot.pause()
        field = app.screen.query_one("#line-input", Input)
        field.value = ""
        await paste(app, pilot, "31-02-2020")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#line-message", Static).render().plain  # a Dutch problem, dialog still open
        field.value = ""
        await paste(app, pilot, "02-01-2026")
        await pilot.press("enter")
        await settle(app, pilot)
        # n: a note under the item.
        await pilot.press("n")
        await pilot.pause()
        await paste(app, pilot, "samen met pleegmoeder")
        # Esc on a typed note asks first; n goes back to the note, as typed.
        await pilot.press("escape")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert app.screen.query_one("#line-input", Input).value == "samen met pleegmoeder"
        await pilot.press("enter")
        await settle(app, pilot)
        assert options(app, "#cl-items")[2] == "[x] DigiD   geregeld op 02-01-2026\n    samen met pleegmoeder"

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        app.push_screen(ChecklistScreen(leonie))
        await settle(app, pilot)
        shown = options(app, "#cl-items")
        assert shown[0] == f"[x] zorgverzekering   geregeld op {today:%d-%m-%Y}"
        assert shown[2].startswith("[x] DigiD   geregeld op 02-01-2026")
        # The worker is no coördinator: no team list key, and the palette offers no coördinator commands.
        assert app.screen.check_action("team_list", ()) is False
        assert [t for t, _h, _c in commands(app, app.screen)] == []

    stored = hanna(team_store).eighteen.checklist(leonie)
    assert [(r.key, r.on) for r in stored.rows if r.done] == [("zorgverzekering", today), ("digid", date(2026, 1, 2))]
    assert stored.row("digid").note == "samen met pleegmoeder"


async def test_coordinator_edits_the_team_list(team_store, leonie):
    """n adds an item after the highlighted one, h renames (keeping the ticks), x removes after a yes."""
    s = hanna(team_store)
    s.eighteen.set_checklist_item(leonie, "zorgtoeslag", True)
    s.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "cora", COORDINATOR_PASS)
        titles = [t for t, _h, _c in commands(app, app.screen)]
        assert titles == ["coördinator: coach wisselen", "coördinator: 18+-checklist van het team"]
        app.push_screen(TeamChecklistScreen())
        await settle(app, pilot)
        assert options(app, "#tl-items")[:2] == ["1. zorgverzekering", "2. zorgtoeslag"]
        await pilot.press("down", "h")  # rename zorgtoeslag
        await pilot.pause()
        field = app.screen.query_one("#tl-input", Input)
        assert app.focused is field and field.value == "zorgtoeslag"
        field.value = ""
        await paste(app, pilot, "zorgtoeslag aangevraagd")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        await paste(app, pilot, "zorgverzekering")  # already on the list: refused, text kept
        await pilot.press("enter")
        await settle(app, pilot)
        assert "staat al op de lijst" in text_of(app, "#tl-message")
        assert app.screen.query_one("#tl-input", Input).value == "zorgverzekering"
        app.screen.query_one("#tl-input", Input).value = ""
        await paste(app, pilot, "stempas")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("down", "x")  # the new item is highlighted; the one after it (DigiD) goes
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("j")
        await settle(app, pilot)
        shown = options(app, "#tl-items")
        assert shown[:4] == ["1. zorgverzekering", "2. zorgtoeslag aangevraagd", "3. stempas", "4. bankrekening en inkomen"]
        assert len(shown) == 9 and not any("DigiD" in x for x in shown)  # one added, one removed
    mine = hanna(team_store).eighteen.checklist(leonie)
    assert mine.row("zorgtoeslag").label == "zorgtoeslag aangevraagd" and mine.row("zorgtoeslag").done
    assert mine.rows[2].label == "stempas"


async def test_coordinator_changes_a_coach_for_all_students(team_store, fixed_store_clock):
    """Choose coach X, type Y, choose the role, confirm with j: X's students get Y, the result
    is shown, and the contact person's Vandaag gets the task when it is due."""
    s = hanna(team_store)
    ids = []
    for first, coach in (("Anna", "Mevr. Bos"), ("Bram", "Mevr. Bos"), ("Cas", "Dhr. Ali")):
        rec = s.spreekuur.register_student(StudentDetails(first_name=first, last_name="Test", coach_name=coach, coach_role="slb"))
        ids.append(rec.id)
    s.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "cora", COORDINATOR_PASS)
        app.push_screen(CoachChangeScreen())
        await settle(app, pilot)
        assert options(app, "#cc-coaches") == ["Dhr. Ali (SLB'er) · 1 student", "Mevr. Bos (SLB'er) · 2 studenten"]
        # Typing a name before choosing a coach says what to do first.
        app.screen.query_one("#cc-name", Input).focus()
        await paste(app, pilot, "Dhr. Yilmaz")
        await pilot.press("enter")
        await pilot.pause()
        assert text_of(app, "#cc-message") == "Kies eerst de huidige coach in de lijst (Enter)."
        assert app.focused is app.screen.query_one("#cc-coaches")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert text_of(app, "#cc-old") == "Mevr. Bos (SLB'er)"
        preview = text_of(app, "#cc-students")
        assert "Deze 2 studenten krijgen de nieuwe coach:" in preview
        assert "· Anna Test · contactpersoon: Hanna Hulpverlener" in preview and "Cas" not in preview
        assert app.focused is app.screen.query_one("#cc-name", Input)
        assert app.screen.query_one("#cc-name", Input).value == "Dhr. Yilmaz"  # nothing typed is lost
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#cc-role")
        await pilot.press("down", "enter")  # LOB'er
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert "2 studenten krijgen Dhr. Yilmaz (LOB'er) als studiecoach in plaats van Mevr. Bos" in str(
            app.screen.query_one(Static).render())
        await pilot.press("j")
        await settle(app, pilot)
        assert isinstance(app.screen, CoachChangeScreen)
        assert text_of(app, "#cc-result").startswith(
            "2 studenten hebben nu Dhr. Yilmaz als studiecoach; voor 2 studenten staat er een taak bij de contactpersoon."
        )
        assert options(app, "#cc-coaches") == ["Dhr. Ali (SLB'er) · 1 student", "Dhr. Yilmaz (LOB'er) · 2 studenten"]

    worker = hanna(team_store)
    coach = {sid: (worker.students[sid].details.coach_name, worker.students[sid].details.coach_role) for sid in ids}
    assert coach == {ids[0]: ("Dhr. Yilmaz", "lob"), ids[1]: ("Dhr. Yilmaz", "lob"), ids[2]: ("Dhr. Ali", "slb")}
    due = worker.spreekuur.today(add_working_days(local_today(), 10)).due
    assert sorted(r.record.id for r in due if "Stel de nieuwe studiecoach Dhr. Yilmaz voor" in r.text) == sorted(ids[:2])
