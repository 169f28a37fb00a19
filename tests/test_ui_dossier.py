"""The dossier screen through the real app (Pilot): opening it from search,
the header and the Overzicht, Gesprekken, Afspraken and Logboek tabs, adding
and editing talks (with history and a conflict), agreements reaching
Vandaag, the status dialog, a draft surviving a lock, a narrow terminal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from textual.widgets import DataTable, Input, TextArea

from jongerenteam import dossier as d
from jongerenteam import driegesprek as dg
from jongerenteam.dates import local_today
from jongerenteam.domain import StudentDetails
from jongerenteam.session import TeamSession
from screens.dialogs import Confirm
from screens.dossier import (
    AgreementModal,
    DateModal,
    DossierScreen,
    LineTable,
    NoteModal,
    StatusModal,
    TalkDetailModal,
    TalkModal,
)
from screens.home import HomeScreen
from screens.student import NotInvolvedModal
from screens.unlock import UnlockScreen
from screens.widgets import KeyChoice as ChoicePicker
from storage.store import Store
from tests.support import (
    OTHER_PASS,
    SIZE,
    WORKER_PASS,
    audit_rows,
    build_app,
    everything_shown,
    last_seq,
    lock_during_the_next_read,
    made_on,
    notifications,
    open_row,
    paste,
    screen_text,
    set_store_day,
    settle,
    text_of,
    unlock_as,
    wait_until,
)

STORY = "Thuis is het onrustig, ik krijg aanvallen."
CONCERNS = "Veel verzuim in periode 2."
QUESTION = "Rust thuis en de opleiding afmaken."
INTAKE_NOTE = "Kennismaking\nmet moeder erbij"
# Everything here that is decrypted file or directory data; none may survive a lock.
SECRETS = ("Willem", "Jansen", "Kennismaking", "Appje over stage", "Mail naar decaan", STORY)


@dataclass
class Willem:
    id: str
    intake_id: str
    driegesprek_id: str
    app_id: str
    overdue_id: str
    today: date


@pytest.fixture
def willem(team_store, fixed_store_clock) -> Willem:
    """A student of Hanna's with three talks (one a driegesprek), agreements, a score and an appointment."""
    s = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    today = local_today()
    rec = s.spreekuur.register_student(StudentDetails(
        first_name="Willem", last_name="Jansen", birth_date=date(2008, 4, 3),
        programme="Sport en bewegen", level="4", year=3, contact_preference="whatsapp",
        contact_value="0612345678", leefdomeinen=["wonen"],
    ))
    s.dossier.set_coach(rec, "Mevr. Bos", "slb")
    intake = s.dossier.add_talk(rec.id, d.NewTalk("intake", datetime(2026, 3, 1, 10, 0), 45, ["Willem", "moeder"], INTAKE_NOTE))
    drie = s.driegesprek.save_driegesprek(rec.id, dg.Driegesprek(
        at=datetime(2026, 3, 5, 13, 0), minutes=60, coach_name="Mevr. Bos", coach_role="slb",
        workers=[team_store.worker_id], story=STORY, school_concerns=CONCERNS, question=QUESTION,
        agreements=[d.NewAgreement(d.Who("coach", "Mevr. Bos"), "Rooster aanpassen", today + timedelta(days=14))],
        scores=[d.NewScore("gezondheid", 2, date(2026, 3, 5), "aanvallen")],
        next_date=today + timedelta(days=7), next_text="vervolggesprek",
    ))
    app_talk = s.dossier.add_talk(rec.id, d.NewTalk("app", datetime(2026, 3, 12, 9, 15), 10, [], "Appje over stage"))
    with made_on(today - timedelta(days=10)):  # their deadlines passed since
        overdue = s.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("student"), "Mail naar decaan", today - timedelta(days=3)))
        done = s.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("student"), "Formulier inleveren", today - timedelta(days=5)))
    s.dossier.change_agreement(rec.id, s.dossier.open_dossier(rec.id, log=False).agreement(done), status="gedaan")
    s.lock()
    return Willem(rec.id, intake, drie, app_talk, overdue, today)


def dossier_opens(store, after: int) -> list:
    """'open' audit entries of the dossier itself (Vandaag's agenda read logs its own, detail 'vandaag')."""
    return [r for r in audit_rows(store, "open", after=after) if r.detail != "vandaag"]


def rows(app, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, LineTable)
    return [[text for text, _style in row] for row in table.rows]


def hanna(team_store) -> TeamSession:
    return TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)


async def open_willem(app, pilot) -> None:
    await unlock_as(app, pilot, "ha", WORKER_PASS)
    await open_row(app, pilot, "willem")
    assert isinstance(app.screen, DossierScreen)


# -- 1. opening and reading ------------------------------------------------------------


async def test_missing_consent_shows_in_the_header_and_on_overzicht_not_only_on_its_tab(team_store, willem):
    """Willem has no consent yet: the header says so on every tab and Overzicht says what to ask;
    once a consent is recorded, both are quiet."""
    from jongerenteam import consent as cn

    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_willem(app, pilot)
        await settle(app, pilot)
        assert "⚠ toestemming: zie tabblad 5" in text_of(app, "#dossier-header")
        assert "⚠ Er is geen geldige toestemming vastgelegd. Vraag die aan de student zelf." in text_of(app, "#ov-consent")
        app.session.consent.add_consent(willem.id, cn.NewConsent(
            cn.ConsentWith("rol", "studiecoach"), [cn.ALL_DOMAINS], "verzuim afstemmen", "student", "mondeling",
            willem.today,
        ))
        await pilot.press("f5")
        await settle(app, pilot)
        assert "toestemming" not in text_of(app, "#dossier-header")
        assert not app.screen.query_one("#ov-consent").display



async def test_dossier_opens_from_search_and_each_tab_shows_the_file(team_store, willem):
    """Enter on a search hit opens the dossier (logged once); header, Overzicht, Gesprekken (with a
    driegesprek in full), Afspraken and Logboek show what was stored; 1-7 switch tabs."""
    app = build_app(team_store)
    start = last_seq(team_store.store)
    async with app.run_test(size=SIZE) as pilot:
        await open_willem(app, pilot)
        today = willem.today
        opened = dossier_opens(team_store.store, start)
        assert [(r.worker_id, r.student_id) for r in opened] == [(team_store.worker_id, willem.id)]

        header = text_of(app, "#dossier-header")
        days = (date(2026, 4, 3) - today).days
        assert f"Willem Jansen · 17 jaar · wordt 18 over {days} dagen · Sport en bewegen, niveau 4, leerjaar 3" in header
        for part in ("Status: lopend", "Contactpersoon: Hanna Hulpverlener", "Studiecoach: Mevr. Bos (SLB'er)",
                     "Contactvoorkeur: WhatsApp 0612345678"):
            assert part in header

        # At 120 columns the Footer shows every key of the dossier itself (the tab bar shows 1-7),
        # and F1 Hulp; Esc (Terug, the same everywhere) is the one left for the help to name.
        footer = screen_text(app).splitlines()[-1]
        for key in ("a Nieuw gesprek", "d Driegesprek", "u Afsprakenoverzicht", "s Status",
                    "w Overdracht", "8 18+-lijst", "r Rechten", "f1 Hulp"):
            assert key in footer, footer

        # 1 Overzicht
        assert text_of(app, "#ov-question") == f"Hulpvraag\n{QUESTION}"
        assert text_of(app, "#ov-domains") == (
            "Leefdomeinen (laatste score)\nWonen: nog geen score\nGezondheid: 2 niet zelfredzaam (05-03-2026)")
        assert text_of(app, "#ov-agreements").splitlines() == [
            "Open werkafspraken (2)",
            f"{today - timedelta(days=3):%d-%m-%Y} · student · Mail naar decaan",
            f"{today + timedelta(days=14):%d-%m-%Y} · studiecoach Mevr. Bos · Rooster aanpassen",
        ]
        assert text_of(app, "#ov-next") == f"Volgende afspraak\n{today + timedelta(days=7):%d-%m-%Y} · vervolggesprek"
        assert text_of(app, "#ov-talks").splitlines() == [
            "Laatste gesprekken",
            "12-03-2026 09:15 · app/WhatsApp · HH · Appje over stage",
            f"05-03-2026 13:00 · driegesprek · HH · {QUESTION}",
            "01-03-2026 10:00 · intake · HH · Kennismaking",
        ]

        # 2 Gesprekken: newest first, Enter shows a driegesprek in full
        await pilot.press("2")
        await settle(app, pilot)
        assert app.focused is app.screen.query_one("#talks", LineTable)
        assert rows(app, "#talks") == [
            ["12-03-2026 09:15", "app/WhatsApp", "HH", "10 min", "Appje over stage"],
            ["05-03-2026 13:00", "driegesprek", "HH", "60 min", QUESTION],
            ["01-03-2026 10:00", "intake", "HH", "45 min", "Kennismaking"],
        ]
        await pilot.press("down", "enter")
        assert isinstance(app.screen, TalkDetailModal)
        detail = text_of(app, "#info-body")
        for part in ("Verhaal van de student", STORY, "Zorgen van school", CONCERNS, "Hulpvraag", QUESTION,
                     "Werkafspraken in dit gesprek", "- studiecoach Mevr. Bos: Rooster aanpassen",
                     "Deelnemers: student, Mevr. Bos (SLB'er)", "Eerdere versies (0)"):
            assert part in detail
        await pilot.press("escape")

        # 3 Afspraken: open first by date, overdue marked, done ones last
        await pilot.press("3")
        await settle(app, pilot)
        assert rows(app, "#agreements") == [
            ["te laat", "student", "Mail naar decaan", f"{today - timedelta(days=3):%d-%m-%Y}", ""],
            ["open", "studiecoach Mevr. Bos", "Rooster aanpassen", f"{today + timedelta(days=14):%d-%m-%Y}", ""],
            ["gedaan", "student", "Formulier inleveren", f"{today - timedelta(days=5):%d-%m-%Y}", ""],
        ]
        _text, style = app.screen.query_one("#agreements", LineTable).rows[0][0]
        assert style.color.name == "red" and style.bold

        # 7 Logboek: the open just now, by Hanna
        await pilot.press("7")
        await settle(app, pilot)
        log = rows(app, "#log")
        assert log[0][1:3] == ["Hanna Hulpverlener", "dossier geopend"]
        assert ["Hanna Hulpverlener", "toegevoegd: werkafspraak"] in [r[1:3] for r in log]

        # Back to 1, and the palette offers the dossier's commands
        await pilot.press("1")
        assert app.screen.active_tab == 1
        assert app.focused is app.screen.query_one("#ov-scroll")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"dossier: gesprek toevoegen", "dossier: werkafspraak toevoegen", "dossier: status wijzigen"} <= set(titles)
        # Reading is one 'open'; tabs and reloads add none.
        assert len(dossier_opens(team_store.store, start)) == 1

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)


# -- 2. talks ----------------------------------------------------------------------------------


async def test_add_a_talk_by_keyboard_errors_under_the_field_and_newest_first(team_store, willem):
    """a, type by number key, a bad time (message under it, text kept), digits stay in the fields,
    Esc asks before discarding; ctrl+s stores the talk and it heads the timeline."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_willem(app, pilot)
        await pilot.press("2", "down", "a")  # the cursor on an older talk; the new one gets it after saving
        assert isinstance(app.screen, TalkModal)
        assert app.focused is app.screen.query_one("#f-type", ChoicePicker)
        await pilot.press("4")  # telefonisch
        assert app.screen.query_one("#f-type", ChoicePicker).value == "telefonisch"
        await pilot.press("tab", "tab", *"25:00", "tab", *"30", "tab", *"student, moeder", "tab", *"Gebeld over stage")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, TalkModal)
        assert text_of(app, "#err-time") == "Vul de tijd in als uu:mm, bijvoorbeeld 14:30."
        assert app.focused is app.screen.query_one("#f-time", Input)
        # Nothing typed was lost; the digits went into the fields, not to the tabs below.
        assert app.screen.query_one("#f-minutes", Input).value == "30"
        assert app.screen.query_one("#f-note", TextArea).text == "Gebeld over stage"
        assert app.screen_stack[-2].active_tab == 2

        await pilot.press("escape")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert isinstance(app.screen, TalkModal)
        await pilot.press(*"10:30", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DossierScreen)
        assert rows(app, "#talks")[0] == [
            f"{willem.today:%d-%m-%Y} 10:30", "telefonisch", "HH", "30 min", "Gebeld over stage",
        ]
        assert app.screen.query_one("#talks", LineTable).cursor == 0
        assert "Gesprek opgeslagen." in notifications(app)

    talk = hanna(team_store).dossier.open_dossier(willem.id, log=False).talks()[0]
    assert (talk.type, talk.at, talk.minutes, talk.participants, talk.note) == (
        "telefonisch", datetime.combine(willem.today, datetime.min.time()).replace(hour=10, minute=30), 30,
        ["student", "moeder"], "Gebeld over stage",
    )


async def test_a_new_students_first_talk_starts_as_the_intake(team_store, fixed_store_clock):
    """A file without a talk (a walk-in at the spreekuur is not one): a new talk starts as the
    intake; once a talk is in the file, as a vervolggesprek."""
    s = hanna(team_store)
    s.spreekuur.register_student(StudentDetails(first_name="Guus", last_name="Guit", birth_date=date(2009, 1, 2)))
    s.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await open_row(app, pilot, "guus")
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("2", "a")
        assert isinstance(app.screen, TalkModal)
        assert app.screen.query_one("#f-type", ChoicePicker).value == "intake"
        await pilot.press("tab", "tab", "tab", *"45", "tab", "tab", *"Kennismaking", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DossierScreen)
        assert rows(app, "#talks")[0][1] == "intake"
        await pilot.press("a")
        assert isinstance(app.screen, TalkModal)
        assert app.screen.query_one("#f-type", ChoicePicker).value == "vervolggesprek"


async def test_edit_a_note_keeps_history_shows_it_and_a_conflict_keeps_the_text(team_store, willem):
    """e edits a note; the old text is in the detail view with who and when and in the Logboek.
    A colleague's save in between gives a Dutch conflict message, the typed text stays, and a
    second ctrl+s saves it with both earlier versions in the history."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_willem(app, pilot)
        await pilot.press("2", "down", "down", "e")
        assert isinstance(app.screen, NoteModal)
        area = app.screen.query_one("#f-tekst", TextArea)
        assert area.text == INTAKE_NOTE and app.focused is area
        await pilot.press(*" en vader", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DossierScreen)

        await pilot.press("enter")
        assert isinstance(app.screen, TalkDetailModal)
        detail = text_of(app, "#info-body")
        assert f"{INTAKE_NOTE} en vader" in detail
        assert "Eerdere versies (1)" in detail
        assert "wijzigde Hanna Hulpverlener dit. Daarvoor stond er:" in detail
        assert "Verslag: Kennismaking\nmet moeder erbij\n" in detail + "\n"
        # e in the detail view edits too; meanwhile a colleague saves first.
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, NoteModal)
        other = hanna(team_store)
        item = other.dossier.open_dossier(willem.id, log=False).item(willem.intake_id)
        other.dossier.edit_talk(willem.id, item, {"tekst": "Versie van een collega"})
        await pilot.press(*" (en opa)", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, NoteModal)
        message = text_of(app, "#dd-message")
        assert message.startswith("Gewijzigd door Hanna Hulpverlener om ")
        # Both texts in the field: the colleague's first, this worker's under it; nothing is lost by saving.
        assert app.screen.query_one("#f-tekst", TextArea).text == (
            f"Versie van een collega\n\n--- jouw tekst, nog niet opgeslagen ---\n{INTAKE_NOTE} en vader (en opa)"
        )
        assert f"haal de regel '{d.MERGE_MARK}' weg en druk op ctrl+s" in message
        # ctrl+s at once, both versions still there: refused under the field, nothing saved, nothing lost.
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, NoteModal)
        assert text_of(app, "#err-tekst") == d.UNMERGED
        area = app.screen.query_one("#f-tekst", TextArea)
        assert area.text == f"Versie van een collega\n\n{d.MERGE_MARK}\n{INTAKE_NOTE} en vader (en opa)"
        assert app.focused is area
        assert hanna(team_store).dossier.open_dossier(willem.id, log=False).item(willem.intake_id).note == "Versie van een collega"
        # The worker makes one text of it (the line between the versions gone); now it saves.
        area.text = area.text.replace(f"\n\n{d.MERGE_MARK}\n", "\n")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DossierScreen)
        saved = hanna(team_store).dossier.open_dossier(willem.id, log=False).item(willem.intake_id).note
        assert saved == f"Versie van een collega\n{INTAKE_NOTE} en vader (en opa)"

        await pilot.press("7")
        await settle(app, pilot)
        changes = [r for r in rows(app, "#log") if r[2] == "gewijzigd: gesprek gewijzigd"]
        assert len(changes) == 3

    item = hanna(team_store).dossier.open_dossier(willem.id, log=False).item(willem.intake_id)
    assert item.note == f"Versie van een collega\n{INTAKE_NOTE} en vader (en opa)"
    assert [h.old["tekst"] for h in item.history] == [INTAKE_NOTE, f"{INTAKE_NOTE} en vader", "Versie van een collega"]


async def test_a_driegesprek_part_with_both_versions_is_refused_under_that_part(team_store, willem):
    """The three parts of a driegesprek are merged the same way after a conflict: a part that still holds
    the line between the versions is refused under that part (not saved), the others as typed."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_willem(app, pilot)
        await pilot.press("2", "down", "e")
        assert isinstance(app.screen, NoteModal) and app.screen.driegesprek
        zorgen = app.screen.query_one("#f-zorgen", TextArea)
        zorgen.text = f"{CONCERNS}\n\n{d.MERGE_MARK}\nVeel verzuim, ook in periode 3."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, NoteModal)
        assert text_of(app, "#err-zorgen") == d.UNMERGED
        assert app.focused is zorgen and d.MERGE_MARK in zorgen.text
    assert hanna(team_store).dossier.open_dossier(willem.id, log=False).item(willem.driegesprek_id).payload["zorgen"] == CONCERNS


async def test_a_follow_up_date_saved_by_a_colleague_first_keeps_the_typed_date(team_store, willem):
    """Two windows on one store, the opvolgdatum dialog open on the same werkafspraak in both. Otto saves a
    date first; Hanna's save is refused, the dialog stays open with her date typed and says who changed it,
    when and what the date is now. A second Enter saves her date over his knowingly (his in the history)."""
    hanna(team_store).dossier.involve(willem.id, team_store.other_id)
    second = Store.open(team_store.store.location)
    otto = TeamSession.unlock(second, team_store.other_id, OTHER_PASS)
    theirs, mine = willem.today + timedelta(days=5), willem.today + timedelta(days=2)
    app = build_app(team_store)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await open_willem(app, pilot)
            await pilot.press("3")
            await settle(app, pilot)
            table = app.screen.query_one("#agreements", LineTable)
            table.cursor = [r[2] for r in rows(app, "#agreements")].index("Rooster aanpassen")
            await pilot.press("o")
            assert isinstance(app.screen, DateModal)
            dialog = app.screen

            rooster = next(a for a in otto.dossier.open_dossier(willem.id, log=False).agreements if a.what == "Rooster aanpassen")
            assert otto.dossier.change_agreement(willem.id, rooster, follow_up=theirs)
            await pilot.press(*f"{mine.day}-{mine.month}", "enter")
            await settle(app, pilot)
            assert app.screen is dialog
            assert dialog.query_one("#f-date", Input).value == f"{mine.day}-{mine.month}"
            message = text_of(app, "#dd-message")
            assert message.startswith("Gewijzigd door Otto Collega om ")
            assert f"de opvolgdatum is nu {theirs:%d-%m-%Y}. Jouw datum staat nog in het veld." in message
            stored = hanna(team_store).dossier.open_dossier(willem.id, log=False).agreement(rooster.id)
            assert stored.follow_up == theirs

            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, DossierScreen)
            assert f"Opvolgdatum gezet op {mine:%d-%m-%Y}." in notifications(app)
            row = next(r for r in rows(app, "#agreements") if r[2] == "Rooster aanpassen")
            assert row[4] == f"{mine:%d-%m-%Y}"
    finally:
        otto.lock()
        second.close()
    stored = hanna(team_store).dossier.open_dossier(willem.id, log=False).agreement(rooster.id)
    assert stored.follow_up == mine
    assert [h.old.get("opvolgen") for h in stored.history] == [None, theirs.isoformat()]


# -- 3. agreements and status ---------------------------------------------------------------------


async def test_agreements_add_done_follow_up_vandaag_and_status(team_store, willem):
    """Add an agreement for a colleague (a missing name and a deadline already past are refused under
    their fields), mark one done, set a follow-up date; Vandaag of the contact person lists the one due today. s closes the file
    with a reason, shown in the header."""
    app = build_app(team_store)
    today = willem.today
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_willem(app, pilot)
        await pilot.press("3", "a")
        assert isinstance(app.screen, AgreementModal)
        await pilot.press("4")  # iemand anders
        assert app.screen.query_one("#row-name").display and not app.screen.query_one("#row-worker").display
        await pilot.press("tab", "tab", *"Stageplek zoeken", "tab", *f"{today - timedelta(days=1):%d-%m-%Y}", "ctrl+s")
        await settle(app, pilot)
        assert text_of(app, "#err-name") == "Vul de naam in van wie het doet."
        assert app.screen.query_one("#f-what", Input).value == "Stageplek zoeken"
        assert app.focused is app.screen.query_one("#f-name", Input)
        await pilot.press("shift+tab", "3")  # back to Wie: medewerker
        assert app.screen.query_one("#row-worker").display
        await pilot.press("tab", *"OC", "ctrl+s")
        await settle(app, pilot)
        # A deadline already past (yesterday) is refused next to it; everything typed stays.
        assert isinstance(app.screen, AgreementModal)
        assert text_of(app, "#err-due") == (
            f"De uiterlijke datum ({today - timedelta(days=1):%d-%m-%Y}) ligt in het verleden. Kies vandaag of een dag die nog komt.")
        assert app.screen.query_one("#f-what", Input).value == "Stageplek zoeken"
        assert app.screen.query_one("#f-worker", Input).value == "OC"
        assert app.focused is app.screen.query_one("#f-due", Input)
        app.screen.query_one("#f-due", Input).value = ""
        await pilot.press(*"vandaag", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DossierScreen)
        assert [r[:3] for r in rows(app, "#agreements")] == [
            ["te laat", "student", "Mail naar decaan"],
            ["vandaag", "Otto Collega", "Stageplek zoeken"],
            ["open", "studiecoach Mevr. Bos", "Rooster aanpassen"],
            ["gedaan", "student", "Formulier inleveren"],
        ]

        # The new agreement is highlighted after saving; up to the first row: Mail naar decaan.
        assert app.screen.query_one("#agreements", LineTable).cursor == 1
        await pilot.press("up", "g")
        await settle(app, pilot)
        after = [r[:3] for r in rows(app, "#agreements")]
        assert after[:2] == [["vandaag", "Otto Collega", "Stageplek zoeken"], ["open", "studiecoach Mevr. Bos", "Rooster aanpassen"]]
        assert sorted(after[2:]) == [["gedaan", "student", "Formulier inleveren"], ["gedaan", "student", "Mail naar decaan"]]
        assert "Werkafspraak op gedaan gezet." in notifications(app)

        # The cursor stays on Mail naar decaan; move to Rooster aanpassen and set a follow-up date.
        table = app.screen.query_one("#agreements", LineTable)
        table.cursor = [r[2] for r in rows(app, "#agreements")].index("Rooster aanpassen")
        await pilot.press("o")
        assert isinstance(app.screen, DateModal)
        await pilot.press(*"31-2")
        await pilot.press("enter")
        assert isinstance(app.screen, DateModal)
        assert text_of(app, "#err-date").startswith("Deze datum bestaat niet")
        follow = today + timedelta(days=2)
        app.screen.query_one("#f-date", Input).value = ""
        await pilot.press(*f"{follow.day}-{follow.month}", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DossierScreen)
        row = next(r for r in rows(app, "#agreements") if r[2] == "Rooster aanpassen")
        assert row[4] == f"{follow:%d-%m-%Y}"

        # s: close the file with a reason
        await pilot.press("s")
        assert isinstance(app.screen, StatusModal)
        await pilot.press("5", "enter")  # afgesloten: on to the reason
        assert app.focused is app.screen.query_one("#f-closed_reason", ChoicePicker)
        await pilot.press("enter")
        assert text_of(app, "#err-closed_reason") == "Kies hoe het dossier is afgesloten."
        await pilot.press("1", "enter")  # doel bereikt: on to how long the file is kept
        assert app.focused is app.screen.query_one("#f-retention", ChoicePicker)
        # Willem had talks and agreements: a help trajectory, the Jeugdwet's term is proposed and its end shown.
        assert app.screen.query_one("#f-retention", ChoicePicker).value == "jeugdwet"
        until = f"{today.replace(year=today.year + 20):%d-%m-%Y}"
        kept = f"Het dossier wordt bewaard tot {until} (20 jaar na het afsluiten)."
        await wait_until(pilot, lambda: text_of(app, "#f-kept-until") == kept)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DossierScreen)
        assert "Status: afgesloten (doel bereikt)" in text_of(app, "#dossier-header")

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        due = [[str(c) for c in r] for r in (app.screen.query_one("#due", DataTable).get_row_at(i)
                                            for i in range(app.screen.query_one("#due", DataTable).row_count))]
        assert due == [[f"{today:%d-%m}", "Willem Jansen", "werkafspraak: Stageplek zoeken"]]

    s = hanna(team_store)
    dos = s.dossier.open_dossier(willem.id, log=False)
    by_what = {a.what: a for a in dos.agreements}
    assert by_what["Stageplek zoeken"].who == d.Who("medewerker", "", team_store.other_id)
    assert by_what["Stageplek zoeken"].due == today
    assert by_what["Mail naar decaan"].status == "gedaan"
    assert by_what["Mail naar decaan"].history[-1].old == {"status": "open"}
    assert by_what["Rooster aanpassen"].follow_up == follow
    rec = s.students[willem.id]
    assert (rec.status, rec.details.closed_reason, rec.details.retention) == ("afgesloten", "doel_bereikt", "jeugdwet")


# -- 4. lock ------------------------------------------------------------------------------------------


async def test_a_half_typed_note_survives_a_lock(team_store, willem):
    """ctrl+l while editing a note: no file data left on screen; after unlocking the dossier and the
    note dialog are back (read and logged anew), with the typed text, and ctrl+s saves it."""
    app = build_app(team_store)
    start = last_seq(team_store.store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_willem(app, pilot)
        await pilot.press("2", "e")  # the newest talk: Appje over stage
        assert isinstance(app.screen, NoteModal)
        await pilot.press(*" en rooster")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        shown = everything_shown(app)
        assert [s for s in SECRETS if s in shown] == []

        await paste(app, pilot, WORKER_PASS)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, NoteModal)
        assert isinstance(app.screen_stack[-2], DossierScreen)
        assert app.screen.query_one("#f-tekst", TextArea).text == "Appje over stage en rooster"
        assert "Je niet-opgeslagen invoer is teruggezet." in notifications(app)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DossierScreen)
        assert rows(app, "#talks")[0][4] == "Appje over stage en rooster"
    opened = dossier_opens(team_store.store, start)
    assert [r.worker_id for r in opened] == [team_store.worker_id] * 2
    assert hanna(team_store).dossier.open_dossier(willem.id, log=False).item(willem.app_id).note == "Appje over stage en rooster"


async def test_a_lock_while_the_dossier_is_read_shows_nothing(team_store, willem):
    """If the lock comes while the file is read in the background, no file data appears anywhere."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        lock_during_the_next_read(app)
        await open_row(app, pilot, "willem")
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert not any(isinstance(s, DossierScreen) for s in app.screen_stack)
        shown = everything_shown(app)
        assert [s for s in SECRETS if s in shown] == []


# -- 5. narrow terminal, not involved -----------------------------------------------------------


async def test_narrow_terminal_and_a_colleague_who_is_not_involved(team_store, willem):
    """At 80x24 the header, the tabs and the add-talk dialog show; Otto, not involved, gets the
    not-involved choices and no dossier, and nothing is logged as opened."""
    app = build_app(team_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_willem(app, pilot)
        text = screen_text(app)
        assert "Willem Jansen · 17 jaar" in text
        assert "Status: lopend" in text
        assert "1 Overzicht" in text and "7 Logboek" in text  # the tabs wrap rather than being cut off
        await pilot.press("2")
        await settle(app, pilot)
        assert "Appje over stage" in screen_text(app)
        await pilot.press("a")
        assert isinstance(app.screen, TalkModal)
        assert "Gesprek toevoegen: Willem Jansen" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, DossierScreen)

    start = last_seq(team_store.store)
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ot", OTHER_PASS)
        await open_row(app, pilot, "willem")
        assert isinstance(app.screen, NotInvolvedModal)
        assert not any(isinstance(s, DossierScreen) for s in app.screen_stack)
        assert "Contactpersoon: Hanna Hulpverlener" in text_of(app, "#not-involved")
    assert dossier_opens(team_store.store, start) == []


# -- dates that are almost surely typos --------------------------------------------------------------


async def test_a_talk_before_the_birth_is_refused_and_one_long_ago_is_asked(team_store, willem):
    """Willem was born on 03-04-2008: a talk on 01-01-2008 is refused under the date (the note kept);
    one on 01-01-2020 is possible but asked (j/n): n puts the question under the date and saves
    nothing, j saves it."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_willem(app, pilot)
        await pilot.press("2", "a")
        assert isinstance(app.screen, TalkModal)
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#f-date", Input)
        app.screen.query_one("#f-date", Input).value = ""
        await pilot.press(*"01-01-2008", "tab", "tab", "tab", "tab", *"Oud gesprek", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, TalkModal)
        assert text_of(app, "#err-date") == "Deze datum ligt vóór de geboortedatum van de student. Kijk het jaar na."
        assert app.focused is app.screen.query_one("#f-date", Input)
        assert app.screen.query_one("#f-note", TextArea).text == "Oud gesprek"

        app.screen.query_one("#f-date", Input).value = "01-01-2020"
        question = "Volgens deze datum was het gesprek op 01-01-2020, meer dan een jaar geleden. Klopt dat?"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        assert app.screen.question == question
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, TalkModal))
        assert text_of(app, "#err-date") == question
        assert app.screen.query_one("#f-note", TextArea).text == "Oud gesprek"
        assert len(hanna(team_store).dossier.open_dossier(willem.id, log=False).talks()) == 3

        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("j")
        await wait_until(pilot, lambda: isinstance(app.screen, DossierScreen))
        await settle(app, pilot)
        assert rows(app, "#talks")[-1][2:] == ["HH", "", "Oud gesprek"]
        assert rows(app, "#talks")[-1][0].startswith("01-01-2020 ")

    talks = hanna(team_store).dossier.open_dossier(willem.id, log=False).talks()
    assert [t.at.date() for t in talks if t.note == "Oud gesprek"] == [date(2020, 1, 1)]


async def test_agreement_dates_deadline_past_refused_follow_up_after_it_asked(team_store, willem):
    """On 6 December 2026: Uiterlijk 30-11 is this year's 30 November, past: refused under the field,
    everything typed kept; 28-02 is the next 28 February (as in the driegesprek). A follow-up
    date after the deadline is asked (j/n). Vandaag names the agreement overdue since in words."""
    set_store_day(date(2026, 12, 6))
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_willem(app, pilot)
        await pilot.press("3", "a")
        assert isinstance(app.screen, AgreementModal)
        modal = app.screen
        modal.query_one("#f-what", Input).value = "Zorgtoeslag aanvragen met DigiD"
        modal.query_one("#f-due", Input).value = "30-11"
        modal.query_one("#f-follow", Input).value = "morgen"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is modal
        assert text_of(app, "#err-due") == "De uiterlijke datum (30-11-2026) ligt in het verleden. Kies vandaag of een dag die nog komt."
        assert app.focused is modal.query_one("#f-due", Input)
        assert [modal.query_one(f"#f-{n}", Input).value for n in ("what", "due", "follow")] == [
            "Zorgtoeslag aanvragen met DigiD", "30-11", "morgen"]

        modal.query_one("#f-due", Input).value = "28-02"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, DossierScreen))
        await settle(app, pilot)
        assert ["open", "student", "Zorgtoeslag aanvragen met DigiD", "28-02-2027", "07-12-2026"] in rows(app, "#agreements")

        await pilot.press("a")
        assert isinstance(app.screen, AgreementModal)
        modal = app.screen
        modal.query_one("#f-what", Input).value = "Rooster opvragen"
        modal.query_one("#f-due", Input).value = "10-12"
        modal.query_one("#f-follow", Input).value = "15 dec"
        question = "De opvolgdatum (15-12-2026) ligt na de uiterlijke datum (10-12-2026). Klopt dat?"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        assert app.screen.question == question
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is modal)
        assert text_of(app, "#err-follow") == question
        assert app.focused is modal.query_one("#f-follow", Input)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("j")
        await wait_until(pilot, lambda: isinstance(app.screen, DossierScreen))
        await settle(app, pilot)
        assert ["open", "student", "Rooster opvragen", "10-12-2026", "15-12-2026"] in rows(app, "#agreements")

        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        await settle(app, pilot)
        due = app.screen.query_one("#due", DataTable)
        texts = [[str(c) for c in due.get_row_at(i)] for i in range(due.row_count)]
        assert [f"{willem.today - timedelta(days=3):%d-%m} te laat", "Willem Jansen", "werkafspraak: Mail naar decaan"] in texts

    by_what = {a.what: a for a in hanna(team_store).dossier.open_dossier(willem.id, log=False).agreements}
    assert (by_what["Zorgtoeslag aanvragen met DigiD"].due, by_what["Zorgtoeslag aanvragen met DigiD"].follow_up) == (
        date(2027, 2, 28), date(2026, 12, 7))
    assert (by_what["Rooster opvragen"].due, by_what["Rooster opvragen"].follow_up) == (date(2026, 12, 10), date(2026, 12, 15))
