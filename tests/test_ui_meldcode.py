"""The meldcode through the real app (Pilot): start from the dossier, fill the steps, the
afwegingskader as a guided sequence, Vandaag and the dossier header for members only."""

from __future__ import annotations

from datetime import timedelta

from jongerenteam.dates import local_today
from jongerenteam.meldcode import model as m
from screens.dossier.screen import DossierScreen
from screens.help import screen_help
from screens.home import HomeScreen
from screens.meldcode import MeldcodeScreen, StartModal, WeighModal
from tests.support import (
    OTHER_PASS,
    SIZE,
    WORKER_PASS,
    build_app,
    open_row,
    paste,
    session,
    settle,
    table_rows,
    text_of,
    unlock_as,
)


async def _open_dossier(app, pilot, name: str) -> None:
    await open_row(app, pilot, name)
    await settle(app, pilot)
    assert isinstance(app.screen, DossierScreen)


async def test_start_fill_and_weigh_from_the_dossier(team_store, students):
    """m on the dossier starts a trajectory (organisation prefilled); 1 records a signal;
    4 walks the afwegingskader question by question and stops where the answers lead
    (acute unsafety: report); the header says a meldcode is open."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await _open_dossier(app, pilot, "Özdemir")
        await pilot.press("m")
        await settle(app, pilot)
        assert isinstance(app.screen, StartModal)
        assert app.screen.query_one("#f-organisation").value == "jeugdhulp"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, MeldcodeScreen)
        title, about, keys = screen_help(screen)
        assert title == "De meldcode" and "jij beslist" in about and any(k[1] == "Wegen" for k in keys)
        assert {"meldcode: afwegingskader", "meldcode: collega toevoegen"} <= {c[0] for c in screen.palette_commands()}
        assert "1. Signalen in kaart brengen" in text_of(app, "#mc-next")

        await pilot.press("1")
        await settle(app, pilot)
        app.screen.query_one("#f-observed").focus()
        await paste(app, pilot, "Blauwe plek [b]op[/b] de arm")  # text is data, never markup
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MeldcodeScreen)
        [row] = table_rows(app, "#mc-steps")
        assert row[0] == "1 signaal" and row[2] == "Blauwe plek [b]op[/b] de arm"
        assert "Feiten: Blauwe plek [b]op[/b] de arm" in text_of(app, "#mc-detail")
        assert "2. Collegiale consultatie" in text_of(app, "#mc-next")

        # Step 4 before 2 and 3 is allowed: the worker decides the order; the sequence guides.
        await pilot.press("4")
        await settle(app, pilot)
        assert isinstance(app.screen, WeighModal) and app.screen.question == m.VERMOEDEN
        await pilot.press("1")  # ja
        await settle(app, pilot)
        assert "Beantwoord vraag 2" in text_of(app, "#w-leads")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, WeighModal) and app.screen.question == m.ONVEILIG  # guided: the next question
        await pilot.press("1")  # acute unsafety
        await settle(app, pilot)
        assert "Melden bij Veilig Thuis" in text_of(app, "#w-leads")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MeldcodeScreen)  # the sequence stops: reporting
        assert "Melden bij Veilig Thuis" in text_of(app, "#mc-lead")
        assert "jij besluit" in text_of(app, "#mc-lead")

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, DossierScreen)
        assert "meldcode loopt" in text_of(app, "#dossier-header")

    hanna = session(team_store)
    [t] = hanna.meldcode.open_for(students.ozdemir_id)
    assert t.doc["signalen"][0]["feiten"] == "Blauwe plek [b]op[/b] de arm"
    assert t.lead.outcome is m.Outcome.REPORT


async def test_vandaag_shows_the_next_step_for_members_only(team_store, students):
    """Hanna's Vandaag lists her open trajectory with its target date, overdue in red and in
    words; Otto, on the same file but not on the trajectory, sees no panel and no header mark."""
    hanna = session(team_store)
    hanna.dossier.involve(students.ozdemir_id, team_store.other_id)
    late = local_today() - timedelta(days=2)
    hanna.meldcode.start(students.ozdemir_id, targets={m.SIGNALEN: late})
    hanna.lock()

    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        panel = app.screen.query_one("#panel-meldcode")
        assert panel.display and not panel.has_class("-empty")
        table = app.screen.query_one("#meldcode")
        name, when, step = (str(c) for c in table.get_row_at(0))
        assert name.startswith("Fatma") and "te laat" in when and "Signalen" in step
        cell = table.get_row_at(0)[1]
        assert "red" in str(cell.style)
        table.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MeldcodeScreen)

    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ot", OTHER_PASS)
        await settle(app, pilot)
        assert app.screen.query_one("#panel-meldcode").has_class("-empty")
        await _open_dossier(app, pilot, "Özdemir")
        assert "meldcode" not in text_of(app, "#dossier-header")
        await pilot.press("m")
        await settle(app, pilot)
        assert isinstance(app.screen, StartModal)  # he knows of none: he may start his own
