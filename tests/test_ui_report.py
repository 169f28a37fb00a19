"""The Rapportage screen driven with Pilot: choose the quarter, see a figure, export CSV."""

from __future__ import annotations

import csv
import io

from textual.widgets import Input, Static

from screens.report import ReportScreen, commands
from storage import clock
from storage.models import AuditEntry
from tests.support import (
    COORDINATOR_PASS,
    SIZE,
    build_app,
    build_known_store,
    plausible,
    screen_text,
    settle,
    unlock_as,
    widget_text,
)


async def test_report_screen_quarter_figure_and_csv_export(team_store, tmp_path):
    """A coördinator opens the report from the palette commands, picks the quarter, sees the
    number of talks with a bar, steps back a quarter, and exports a CSV to a typed path."""
    build_known_store(team_store)
    clock.set_clock(None)
    try:
        app = build_app(team_store)
        async with app.run_test(size=SIZE) as pilot:
            await unlock_as(app, pilot, "Cora", COORDINATOR_PASS)
            titles = [t for t, _, _ in commands(app, app.screen)]
            assert titles == ["rapportage: tonen"]
            next(cb for t, _, cb in commands(app, app.screen))()
            await settle(app, pilot)
            assert isinstance(app.screen, ReportScreen)
            await pilot.press("a")  # an own period, typed as dd-mm-jjjj
            await pilot.pause()
            start = app.screen.query_one("#period-from", Input)
            start.value = "1-10-2026"
            await pilot.press("enter")
            app.screen.query_one("#period-to", Input).value = "31-13-2026"
            await pilot.press("enter")
            await pilot.pause()
            assert "bestaat niet" in widget_text(app.screen.query_one("#period-to-error", Static))
            app.screen.query_one("#period-to", Input).value = "31-12-2026"
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.screen.report.period.label == "01-10-2026 t/m 31-12-2026"
            screen = app.screen
            await pilot.press("j")
            await settle(app, pilot)
            assert screen.report.period.label == "schooljaar 2026-2027"
            await pilot.press("k")  # the first quarter of the school year
            await settle(app, pilot)
            assert screen.report.period.label == "kwartaal 3 2026"
            await pilot.press("right")
            await settle(app, pilot)
            assert screen.report.period.label == "kwartaal 4 2026"
            shown = screen_text(app)
            line = next(x for x in shown.splitlines() if "Gesprekken " in x)
            talks = line.split("Gesprekken", 1)[1].split()[0]
            assert plausible(talks, 10) and "█" in line  # the figure (10, perturbed) and its bar
            anonymous = next(x for x in shown.splitlines() if "Inloop anoniem" in x)
            assert anonymous.split("Inloop anoniem", 1)[1].split()[0] in ("0", "3")  # one walk-in: never 1
            assert "klein beetje veranderd" in widget_text(screen.query_one("#report-message", Static))
            assert "kwartaal 4 2026" in widget_text(screen.query_one("#report-title", Static))
            await pilot.press("left")
            await settle(app, pilot)
            assert screen.report.period.label == "kwartaal 3 2026"
            await pilot.press("right")
            await settle(app, pilot)
            await pilot.press("c")
            await pilot.pause()
            field = app.screen.query_one("#save-path", Input)
            assert field.value.endswith(".csv")
            field.value = str(tmp_path / "nergens" / "q4.csv")
            await pilot.press("enter")
            await pilot.pause()
            assert "bestaat niet" in widget_text(app.screen.query_one("#save-error", Static))
            assert field.value.endswith("q4.csv")  # what was typed stays
            field.value = str(tmp_path / "q4")
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, ReportScreen)
            rows = list(csv.reader(io.StringIO((tmp_path / "q4.csv").read_text(encoding="utf-8-sig")), delimiter=";"))
            assert ["Gesprekken", talks] in rows  # the same cell: the same figure on screen and in the file
            assert "q4.csv" in widget_text(screen.query_one("#report-message", Static))
        with team_store.store.reading() as s:
            assert [e.detail for e in s.query(AuditEntry).filter(AuditEntry.event == "export")] == ["rapportage csv"]
    finally:
        clock.set_clock(None)


async def test_report_is_not_offered_to_a_hulpverlener(team_store):
    """A hulpverlener gets no report command."""
    from tests.support import WORKER_PASS

    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "Hanna", WORKER_PASS)
        assert commands(app, app.screen) == []


async def test_a_programme_name_with_markup_is_shown_as_typed_in_the_report(team_store):
    """Programmes typed as 'Kok[/]' and '[bold red]Rood[/] [Sammy]', each shared by five students:
    the report opens, and its 'per opleiding' table shows both names literally (no crash, no red)."""
    from jongerenteam import spreekuur as intake
    from jongerenteam.dates import local_today
    from jongerenteam.domain import StudentDetails
    from jongerenteam.session import TeamSession
    from tests.support import WORKER_PASS, wait_until

    programmes = ["Kok[/]", "[bold red]Rood[/] [Sammy]"]
    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    today = local_today()
    for p, programme in enumerate(programmes):
        for i in range(5):
            details = StudentDetails(first_name=f"Student{p}{i}", last_name="Test", programme=programme)
            hanna.spreekuur.register_walk_in(details, intake.WalkIn(hulpvraag="vraag"), today=today)
    hanna.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "Cora", COORDINATOR_PASS)
        next(cb for t, _, cb in commands(app, app.screen))()
        await settle(app, pilot)
        assert isinstance(app.screen, ReportScreen)
        screen = app.screen
        await wait_until(pilot, lambda: screen.report is not None and screen.query("#report-opleiding"), what="the report")
        table = screen.query_one("#report-opleiding", Static)
        screen.query_one("#report-scroll").scroll_to_widget(table, animate=False, top=True)
        await settle(app, pilot)
        shown = screen_text(app)
        assert app.is_running
        for programme in programmes:
            assert programme in shown, programme
        line = next(x for x in shown.splitlines() if "Rood" in x)
        assert plausible(line.split("[Sammy]", 1)[1].split()[0], 5) and "█" in line


async def test_a_small_woongemeente_gets_a_sentence_not_a_profile(team_store):
    """g, a woongemeente with 6 students helped: the screen says in Dutch that there are too
    few students for its own figures, and shows no table; the privacy legend stays."""
    from textual.widgets import OptionList

    from tests.support import AMSTERDAM, wait_until

    build_known_store(team_store)
    clock.set_clock(None)
    try:
        app = build_app(team_store)
        async with app.run_test(size=SIZE) as pilot:
            await unlock_as(app, pilot, "Cora", COORDINATOR_PASS)
            next(cb for t, _, cb in commands(app, app.screen))()
            await settle(app, pilot)
            screen = app.screen
            await pilot.press("a")
            await pilot.pause()
            app.screen.query_one("#period-from", Input).value = "1-10-2026"
            await pilot.press("enter")
            app.screen.query_one("#period-to", Input).value = "31-12-2026"
            await pilot.press("enter")
            await settle(app, pilot)
            await pilot.press("g")
            await pilot.pause()
            options = app.screen.query_one("#municipality-list", OptionList)
            options.highlighted = next(i for i in range(options.option_count)
                                       if options.get_option_at_index(i).id == AMSTERDAM)
            await pilot.press("enter")
            await wait_until(pilot, lambda: screen.report is not None and screen.report.municipality == AMSTERDAM,
                             what="Amsterdam's report")
            await settle(app, pilot)
            message = widget_text(screen.query_one("#report-message", Static))
            assert "Te weinig studenten uit Amsterdam in deze periode (minder dan 10)" in message
            assert "klein beetje veranderd" in message
            assert not screen.query(".report-table")
    finally:
        clock.set_clock(None)
