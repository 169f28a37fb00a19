"""Willem's start (docs/domain.md), through the real app by keyboard.

Willem, 19, third year Sport, Bewegen en Gezonde Leefstijl, a problematic
situation at home that brought on epileptic seizures. His studentcoach
registers him; Hanna (gezinswerker in the team) holds the
kennismakingsgesprek with the three of them, then two follow-up talks (one
outside, one by app). The test checks what is stored and the overview he gets.
"""

from __future__ import annotations

from datetime import date

from textual import events

from jongerenteam.dates import local_today
from screens.dialogs import Confirm
from screens.dossier import DossierScreen
from screens.driegesprek import DriegesprekScreen
from screens.home import HomeScreen
from screens.overview import OverviewModal
from screens.spreekuur import IntakeScreen
from tests.support import WORKER_PASS, build_app, open_row, settle, unlock_as

WIDE = (140, 40)
STORY = "Thuis is het onrustig. Ik krijg vaker aanvallen en slaap slecht."
CONCERNS = "Willem mist veel lessen en loopt achter met zijn stage-opdrachten."
QUESTION = "Rust thuis en de opleiding afmaken."


async def type_in(app, pilot, text: str) -> None:
    """Longer text arrives as a terminal delivers a paste: at the app."""
    app.post_message(events.Paste(text))
    await pilot.pause()


def field(app, name: str):
    return app.screen.query_one(f"#f-{name}")


async def test_willem_from_aanmelding_to_driegesprek_and_two_follow_ups(team_store, fixed_store_clock):
    app = build_app(team_store)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        today = local_today()

        # 1. His studentcoach registers him (ctrl+r), with Hanna as contact person.
        await pilot.press("ctrl+r")
        assert isinstance(app.screen, IntakeScreen)
        await pilot.press(*"Willem", "tab", *"Jansen", "tab", *"14-5-2007")
        field(app, "programme").focus()
        await type_in(app, pilot, "Sport, Bewegen en Gezonde Leefstijl")
        field(app, "level").focus()
        await pilot.press("4", "tab", "3")
        field(app, "by_name").focus()
        await type_in(app, pilot, "Mevr. Bos")
        await pilot.press("tab", *"studentcoach", "tab", "tab")
        await type_in(app, pilot, "Veel verzuim, zorgen over de situatie thuis en epileptische aanvallen.")
        field(app, "contact_worker").focus()
        field(app, "contact_worker").value = ""
        await pilot.press(*"HH", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        (willem,) = app.session.spreekuur.search("Willem Jansen")
        assert willem.status == "wacht" and willem.contact_worker_id == team_store.worker_id

        # 2. Hanna opens his file and starts the driegesprek (d).
        await open_row(app, pilot, "willem")
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, DriegesprekScreen)
        app.screen.query_one("#dg-coach_name").value = ""
        app.screen.query_one("#dg-coach_name").focus()
        await type_in(app, pilot, "Mevr. Bos")
        app.screen.query_one("#dg-story").focus()
        await type_in(app, pilot, STORY)
        await pilot.press("tab")
        await type_in(app, pilot, CONCERNS)
        await pilot.press("tab")
        await type_in(app, pilot, QUESTION)
        await pilot.press("tab", *"student", "tab")
        await type_in(app, pilot, "Afspraak bij de neuroloog maken")
        await pilot.press("tab", *"21-3", "enter")
        await pilot.press(*"coach", "tab")
        await type_in(app, pilot, "Stage-opdrachten in kleinere stappen plannen")
        await pilot.press("enter")
        app.screen.query_one("#consent-with").focus()
        await type_in(app, pilot, "studentcoach")
        await pilot.press("tab", "ctrl+u")
        await type_in(app, pilot, "onderwijs, gezondheid")
        await pilot.press("tab")
        await type_in(app, pilot, "verzuim en aanvallen afstemmen met school")
        await pilot.press("enter")
        app.screen.query_one("#score-domain").focus()
        await type_in(app, pilot, "gezondheid")
        await pilot.press("tab", "2", "tab")
        await type_in(app, pilot, "aanvallen door stress thuis")
        await pilot.press("enter")
        app.screen.query_one("#dg-next_date").focus()
        await pilot.press(*"21-3", "tab")
        await type_in(app, pilot, "wandelen en bijpraten")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)  # "Afsprakenoverzicht voor de student maken?"
        await pilot.press("j")
        await settle(app, pilot)
        assert isinstance(app.screen, OverviewModal)
        overview = app.screen.document.text()
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, DossierScreen)

        # 3. Two follow-up talks: a walk outside and app contact (tab 2, a).
        for type_key, note in (("8", "Wandeling buiten: het gaat iets beter thuis."), ("5", "Appje: de neuroloog is gebeld.")):
            await pilot.press("2", "a")
            await pilot.press(type_key)
            field(app, "minutes").focus()
            await pilot.press(*"30")
            field(app, "note").focus()
            await type_in(app, pilot, note)
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert isinstance(app.screen, DossierScreen)

        record = app.session.students[willem.id]
        dossier = app.session.dossier.open_dossier(willem.id, log=False)

    # The stored file: the aanmelding, the driegesprek with its parts, two follow-ups.
    assert record.status == "lopend"
    assert (record.details.coach_name, record.details.coach_role) == ("Mevr. Bos", "studentcoach")
    assert "gezondheid" in record.details.leefdomeinen
    kinds = [(t.kind, t.type) for t in dossier.timeline]
    assert sorted(kinds) == sorted([
        ("aanmelding", "aanmelding"), ("talk", "driegesprek"), ("talk", "buiten"), ("talk", "app"),
    ])
    drie = next(t for t in dossier.timeline if t.is_driegesprek)
    assert (drie.payload["verhaal"], drie.payload["zorgen"], drie.payload["hulpvraag"]) == (STORY, CONCERNS, QUESTION)
    agreements = sorted(dossier.open_agreements(), key=lambda a: a.what)
    assert [(a.who.kind, a.what) for a in agreements] == [
        ("student", "Afspraak bij de neuroloog maken"),
        ("coach", "Stage-opdrachten in kleinere stappen plannen"),
    ]
    assert all(a.talk_id == drie.id for a in agreements)
    (consent,) = dossier.consents
    assert consent.with_.name == "studentcoach" and consent.covers("gezondheid") and consent.given_by == "student"
    assert dossier.latest_scores()["gezondheid"].score == 2
    assert dossier.next_appointment(today).on == date(2026, 3, 21)
    assert dossier.question == QUESTION
    # Both follow-ups were entered with the default moment (now), so their order is not asserted.
    assert {t.note for t in dossier.talks() if t.type in ("buiten", "app")} == {
        "Appje: de neuroloog is gebeld.", "Wandeling buiten: het gaat iets beter thuis.",
    }

    # The overview he gets: plain Dutch, his agreements, the appointment, what may be shared.
    assert overview.startswith("*Jouw afspraken met het jongerenteam*")
    assert "Hoi Willem," in overview and "Je contactpersoon is Hanna Hulpverlener." in overview
    assert "Jij: Afspraak bij de neuroloog maken (uiterlijk zaterdag 21 maart)" in overview
    assert "Stage-opdrachten in kleinere stappen plannen" in overview
    assert "Zaterdag 21 maart: wandelen en bijpraten." in overview
    assert "studentcoach" in overview
