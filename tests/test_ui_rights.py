"""The rights screens through the real app (Pilot): a coördinator erases a student
(reason, typed confirmation, gone from search), a worker exports an inzage to a
folder (a wrong folder keeps what was typed), a correction, the retention list."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from textual.widgets import DataTable, Input, Static

from jongerenteam import dossier as d
from jongerenteam.domain import StudentDetails
from jongerenteam.session import TeamSession
from screens.dialogs import Confirm
from screens.home import HomeScreen
from screens.rights import (
    CorrectionDialog,
    EraseDialog,
    InzageDialog,
    InzageReview,
    RetentionScreen,
    RightsMenu,
    commands,
)
from storage import clock as store_clock
from storage.models import Erasure, Student
from tests.support import (
    COORDINATOR_PASS,
    OTHER_PASS,
    SIZE,
    WORKER_PASS,
    audit_rows,
    build_app,
    last_seq,
    notifications,
    paste,
    settle,
    table_rows,
    unlock_as,
)


def register(team_store, first="Leonie", last="de Vries", note="Gesprek over de huur"):
    s = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    rec = s.spreekuur.register_student(StudentDetails(first_name=first, last_name=last, birth_date=date(2008, 4, 3)), status="lopend")
    talk = s.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", datetime(2019, 3, 1, 10, 0), 30, [], note))
    s.lock()
    return rec.id, talk


def error_text(app, widget_id: str) -> str:
    return str(app.screen.query_one(f"#{widget_id}-error", Static).render())


async def test_coordinator_erases_a_student_with_reason_and_typed_confirmation(team_store, fixed_store_clock):
    sid, _ = register(team_store)
    keep, _ = register(team_store, "Sanne", "Jansen")
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "co", COORDINATOR_PASS)
        assert isinstance(app.screen, HomeScreen)
        titles = [t for t, _h, _c in commands(app, app.screen)]
        assert titles == ["coördinator: bewaartermijnen"]
        app.push_screen(RightsMenu(app.session, sid))
        await settle(app, pilot)
        assert "w  wissen" in str(app.screen.query_one("#rights-lines", Static).render())
        await pilot.press("w")
        await settle(app, pilot)
        assert isinstance(app.screen, EraseDialog)
        # No reason, no confirmation: refused with a Dutch message, nothing erased.
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert error_text(app, "e-reason") == "Kies een reden voor het wissen."
        await pilot.press("1")  # verzoek van de student; focus moves on to the confirmation
        await pilot.press(*"ja", "ctrl+s")
        await settle(app, pilot)
        assert error_text(app, "e-confirm") == "Typ WISSEN of de initialen van de student om te bevestigen."
        assert app.screen.query_one("#e-confirm", Input).value == "ja"  # what was typed stays
        assert sid in app.session.students
        app.screen.query_one("#e-confirm", Input).value = ""
        await pilot.press(*"ldv", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "De gegevens van de student zijn gewist." in notifications(app)
        # Gone from the session, from search and from the store; the erasure is logged.
        assert sid not in app.session.students
        await pilot.press("slash", *"leonie")
        await settle(app, pilot)
        assert table_rows(app) == []
        await pilot.press("escape")
        with team_store.store.reading() as db:
            assert db.get(Student, sid) is None and db.get(Erasure, sid) is not None
            assert db.get(Student, keep) is not None
        assert [(r.student_id, r.detail) for r in audit_rows(team_store.store, "erasure")] == [(sid, "verzoek")]


async def test_recipients_are_told_of_a_correction_and_of_an_erasure(team_store, fixed_store_clock):
    """AVG art. 19: after a correction the worker sees who got the file's data (an open handover to
    Otto, a printed afsprakenoverzicht; not the student's own inzage), marks who was told, says why
    not for the rest, and it is recorded in the file. The coördinator's erasure dialog shows the same
    list, says a handover is still open, and asks whether the recipients were told."""
    from jongerenteam import consent as cn
    from jongerenteam import handover as h
    from screens.recipients import InformDialog

    sid, _talk = register(team_store)
    s = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    s.consent.add_consent(sid, cn.NewConsent(
        cn.ConsentWith("rol", "jongerenteam"), [cn.ALL_DOMAINS], "overdracht binnen het team", "student", "mondeling",
        store_clock.local_time(store_clock.now()).date(),
    ))
    s.handover.propose_handover(sid, h.Proposal(
        h.INTERN, h.Receiver("medewerker", "Otto Collega", worker_id=team_store.other_id), "Naar Otto.",
        student_view="akkoord",
    ))
    s.dossier.log_export(sid, "afsprakenoverzicht: pdf", printed=True)
    s.dossier.log_export(sid, "inzage: pdf", printed=True)
    s.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        app.push_screen(RightsMenu(app.session, sid))
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        await paste(app, pilot, "Mijn naam is verkeerd gespeld")
        await pilot.press("tab", "tab", "1", "2")
        await paste(app, pilot, "de Vriesch")
        await pilot.press("tab")
        await paste(app, pilot, "Spelfout")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InformDialog)
        rows = table_rows(app, "#r-list")
        assert [r[1:3] for r in rows] == [
            ["Otto Collega (loopt nog)", "warme overdracht (intern · voorgesteld)"],
            ["afsprakenoverzicht (pdf)", "geprint"],
        ]
        assert [r[0] for r in rows] == ["nog niet", "nog niet"]
        await pilot.press("space")  # Otto: told
        assert [r[0] for r in table_rows(app, "#r-list")] == ["ingelicht", "nog niet"]
        await pilot.press("ctrl+s")  # the overview was not told, and no word why: refused, nothing lost
        await settle(app, pilot)
        assert error_text(app, "r-how") == "Schrijf op waarom niet iedereen is ingelicht."
        assert [r[0] for r in table_rows(app, "#r-list")] == ["ingelicht", "nog niet"]
        await paste(app, pilot, "Otto gebeld; het overzicht had de student zelf")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, RightsMenu)
        assert "Vastgelegd in het dossier wie is ingelicht." in notifications(app)
        (told,) = [e.payload for e in app.session.dossier.read_file(sid) if e.kind == "ontvangers"]
        assert [(r["wie"], r["ingelicht"]) for r in told["ontvangers"]] == [
            ("Otto Collega", True), ("afsprakenoverzicht (pdf)", False)]
        assert told["toelichting"] == "Otto gebeld; het overzicht had de student zelf"

    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "co", COORDINATOR_PASS)
        app.push_screen(RightsMenu(app.session, sid))
        await settle(app, pilot)
        await pilot.press("w")
        await settle(app, pilot)
        shared = str(app.screen.query_one("#e-shared", Static).render())
        assert "Gegevens uit dit dossier gingen naar:" in shared and "Otto Collega: warme overdracht" in shared
        assert "Er loopt nog een overdracht" in shared
        await pilot.press("1")  # verzoek van de student: on to the recipients
        assert app.focused is app.screen.query_one("#e-told")
        await pilot.press("tab", *"WISSEN", "ctrl+s")  # not said whether they were told: refused
        await settle(app, pilot)
        assert error_text(app, "e-told") == "Zeg of de ontvangers zijn ingelicht."
        assert sid in app.session.students
        app.screen.query_one("#e-told").focus()
        await pilot.press("1", "ctrl+s")
        await settle(app, pilot)
        assert sid not in app.session.students
    assert [(r.student_id, r.detail) for r in audit_rows(team_store.store, "erasure")] == [
        (sid, "verzoek"), (sid, "ontvangers: ingelicht")]


async def test_inzage_export_to_a_folder_and_a_correction(team_store, fixed_store_clock, tmp_path):
    sid, _talk = register(team_store)
    app = build_app(team_store)
    start = last_seq(team_store.store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        app.push_screen(RightsMenu(app.session, sid))
        await settle(app, pilot)
        # A worker may not erase: the key does nothing and is not offered.
        assert "wissen" not in str(app.screen.query_one("#rights-lines", Static).render())
        await pilot.press("w")
        assert isinstance(app.screen, RightsMenu)
        await pilot.press("i")
        await settle(app, pilot)
        assert isinstance(app.screen, InzageDialog)
        path = app.screen.query_one("#i-path", Input)
        assert path.value.endswith(".pdf") and "Leonie" not in path.value
        await pilot.press("2")  # tekst: the suggested name follows
        assert path.value.endswith(".txt") and app.focused is path
        path.value = str(tmp_path / "bestaat-niet" / "inzage.txt")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert error_text(app, "i-path").startswith("De map ")
        assert path.value == str(tmp_path / "bestaat-niet" / "inzage.txt")
        path.value = str(tmp_path / "inzage-Leonie.txt")  # her name in the file name: refused
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert error_text(app, "i-path").startswith("Zet geen naam van de student in de bestandsnaam")
        path.value = str(tmp_path / "inzage")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        # Read, not written yet: the review step comes first (here nothing about others was found).
        assert isinstance(app.screen, InzageReview)
        assert "De app vond niets dat over iemand anders gaat" in str(app.screen.query_one("#review-intro", Static).render())
        assert not (tmp_path / "inzage.txt").exists()
        assert audit_rows(team_store.store, "export", after=start) == []
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, RightsMenu)
        written = tmp_path / "inzage.txt"
        text = written.read_text(encoding="utf-8")
        assert "Voornaam: Leonie" in text and "Verslag: Gesprek over de huur" in text
        assert "*Gesprek (vervolggesprek) · 01-03-2019 om 10:00*" in text  # the day it happened
        assert f"Inzage opgeslagen: {written}" in notifications(app)
        assert [(r.student_id, r.detail) for r in audit_rows(team_store.store, "export", after=start)] == [(sid, "inzage: tekst")]
        # The same file again: asked first (under the field), replaced on the second ctrl+s.
        written.write_text("een ander bestand", encoding="utf-8")
        await pilot.press("i")
        await settle(app, pilot)
        await pilot.press("2")
        app.screen.query_one("#i-path", Input).value = str(written)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert error_text(app, "i-path").startswith("Er staat al een bestand inzage.txt.")
        assert written.read_text(encoding="utf-8") == "een ander bestand"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InzageReview) and written.read_text(encoding="utf-8") == "een ander bestand"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, RightsMenu) and "Voornaam: Leonie" in written.read_text(encoding="utf-8")

        # A correction of the last name.
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, CorrectionDialog)
        assert app.focused is app.screen.query_one("#c-request", Input)
        assert not app.screen.query_one("#c-talk-hint", Static).display  # one talk: no "nine newest" hint
        await paste(app, pilot, "Mijn naam is verkeerd gespeld")
        await pilot.press("tab", "tab", "1", "2")  # datum (prefilled) · aangepast · achternaam
        assert app.focused is app.screen.query_one("#c-new", Input)
        await paste(app, pilot, "de Vriesch")
        await pilot.press("tab")
        await paste(app, pilot, "Spelfout bij aanmelding")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, RightsMenu)
        assert app.session.students[sid].details.last_name == "de Vriesch"
        entries = [e.payload for e in app.session.dossier.read_file(sid) if e.kind == "correctie"]
        assert [(e["oud"], e["nieuw"], e["reden"]) for e in entries] == [("de Vries", "de Vriesch", "Spelfout bij aanmelding")]


async def test_retention_screen_lists_files_past_their_term_and_erases_them(team_store):
    store_clock.set_clock(lambda: datetime(2020, 1, 10, 10, 0, tzinfo=UTC))
    try:
        sid, _ = register(team_store)
        s = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
        s.rights.set_retention_regime(s.students[sid], "school")
        s.dossier.set_status(s.students[sid], "afgesloten", "doel_bereikt")
        s.lock()
        store_clock.set_clock(lambda: datetime(2026, 1, 10, 10, 0, tzinfo=UTC))
        app = build_app(team_store)
        async with app.run_test(size=SIZE) as pilot:
            await unlock_as(app, pilot, "co", COORDINATOR_PASS)
            app.push_screen(RetentionScreen(app.session))
            await settle(app, pilot)
            table = app.screen.query_one("#ret-past", DataTable)
            rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
            days = str((date(2026, 1, 10) - date(2022, 1, 10)).days)
            assert rows == [[" ", "Leonie de Vries", "alleen schoolbegeleiding", "10-01-2020", "10-01-2022", days]]
            assert app.screen.query_one("#ret-school", Input).value == "2"
            # A changed term is not thrown away by Esc without a question.
            app.screen.query_one("#ret-school", Input).value = "3"
            await pilot.press("escape")
            assert isinstance(app.screen, Confirm)
            await pilot.press("n")
            assert isinstance(app.screen, RetentionScreen)
            # 1.5 years is not a whole number: said so, and what was typed stays.
            app.screen.query_one("#ret-school", Input).value = "1.5"
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert str(app.screen.query_one("#ret-error", Static).render()).startswith("Vul een heel aantal jaren in")
            assert app.screen.query_one("#ret-school", Input).value == "1.5"
            app.screen.query_one("#ret-school", Input).value = "2"
            app.screen.query_one("#ret-past", DataTable).focus()
            await pilot.press("w")
            await settle(app, pilot)
            await pilot.press(*"wissen", "enter")
            await settle(app, pilot)
            assert isinstance(app.screen, RetentionScreen)
            assert table.row_count == 0
            assert "1 dossier(s) gewist." in notifications(app)
        with team_store.store.reading() as db:
            assert db.scalars(select(Student.id)).all() == []
        assert [(r.student_id, r.detail) for r in audit_rows(team_store.store, "erasure")] == [(sid, "bewaartermijn")]
    finally:
        store_clock.set_clock(None)


async def test_correction_of_an_old_talk_from_the_gesprekken_tab(team_store, fixed_store_clock):
    """Twelve talks: the dialog lists the nine newest, c on the oldest in tab 2 opens it with that talk chosen."""
    from screens.dossier import DossierScreen
    from tests.support import open_row

    s = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    rec = s.spreekuur.register_student(StudentDetails(first_name="Leonie", last_name="de Vries", birth_date=date(2008, 4, 3)),
        status="lopend")
    oldest = s.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", datetime(2025, 1, 6, 10, 0), 30, [], "Zij woont bij haar oom"))
    for n in range(11):
        s.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", datetime(2025, 2, 3 + n, 10, 0), 30, [], f"Gesprek {n}"))
    s.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await open_row(app, pilot, "Leonie")
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("2")
        await settle(app, pilot)
        await pilot.press("end", "c")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, CorrectionDialog)
        picker = dialog.query_one("#c-talk")
        assert picker.value == oldest and len(picker.options) == 9
        assert dialog.query_one("#c-what").value == "gesprek"
        text = dialog.query_one("#c-text")
        assert text.text == "Zij woont bij haar oom"
        hint = dialog.query_one("#c-talk-hint", Static)
        assert hint.display and "tabblad 2" in str(hint.render())
        dialog.query_one("#c-request", Input).value = "Het klopt niet wat er staat"
        text.text = "Zij woont bij haar tante"
        dialog.query_one("#c-reason", Input).value = "Verkeerd opgeschreven"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DossierScreen)
        entries = [e.payload for e in app.session.dossier.read_file(rec.id) if e.kind == "correctie"]
        assert [(e["oud"], e["nieuw"]) for e in entries] == [("Zij woont bij haar oom", "Zij woont bij haar tante")]


async def test_correction_without_talks_offers_no_talk_and_an_empty_date_is_refused(team_store, fixed_store_clock):
    """No talks: 'verslag van een gesprek' is not offered. An empty new birth date is refused under
    the field and the birth date stays."""
    s = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    rec = s.spreekuur.register_student(StudentDetails(first_name="Floor", last_name="Kuijpers", birth_date=date(2009, 1, 2)),
        status="lopend")
    s.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        app.push_screen(CorrectionDialog(app.session, rec.id))
        await settle(app, pilot)
        dialog = app.screen
        codes = [code for code, _ in dialog.query_one("#c-what").options]
        assert "gesprek" not in codes and "birth_date" in codes
        dialog.query_one("#c-request", Input).value = "Geboortedatum klopt niet"
        dialog.query_one("#c-what").value = "birth_date"
        dialog.query_one("#c-reason", Input).value = "Paspoort gezien"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is dialog
        assert error_text(app, "c-new").startswith("Vul de juiste geboortedatum in.")
        assert app.session.students[rec.id].details.birth_date == date(2009, 1, 2)


async def test_inzage_review_by_keyboard_decides_every_part_about_others(team_store, fixed_store_clock, tmp_path):
    """The review step lists what may be about others with why; ctrl+s refuses while one is open;
    j keeps a part, w leaves it out, the cursor goes on to the next open one; Esc after deciding asks
    first; the file holds what was kept and not what was left out."""
    sid, _talk = register(team_store)
    s = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    s.dossier.add_talk(sid, d.NewTalk("vervolggesprek", datetime(2019, 3, 8, 10, 0), 30, ["Leonie", "moeder"],
                                      "Moeder vertelt dat haar broer Kees drugs verkoopt."))
    s.lock()
    app = build_app(team_store)
    start = last_seq(team_store.store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        app.push_screen(RightsMenu(app.session, sid))
        await settle(app, pilot)
        await pilot.press("i")
        await settle(app, pilot)
        await pilot.press("2")
        app.screen.query_one("#i-path", Input).value = str(tmp_path / "inzage")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InzageReview)
        rows = table_rows(app, "#review-parts")
        assert [r[0] for r in rows] == ["nakijken", "nakijken"]
        assert rows[0][1] == "Gesprek (vervolggesprek) van 08-03-2019: wie waren erbij"
        assert rows[1][1] == "Gesprek (vervolggesprek) van 08-03-2019: verslag"
        assert "noemt: Moeder, broer, Kees" in rows[1][2]
        assert "2 delen gaan misschien ook over iemand anders" in str(app.screen.query_one("#review-intro", Static).render())
        # The highlighted part's whole text is shown under the list.
        assert "Leonie, moeder" in str(app.screen.query_one("#review-text", Static).render())
        # Not all decided: nothing written, nothing logged.
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert str(app.screen.query_one("#review-message", Static).render()).startswith("Kijk eerst alle delen na: nog 2 te doen.")
        assert not (tmp_path / "inzage.txt").exists()
        await pilot.press("j")  # who was there: may go in; on to the talk's text
        assert app.screen.query_one("#review-parts", DataTable).cursor_row == 1
        assert "Kees drugs verkoopt" in str(app.screen.query_one("#review-text", Static).render())
        await pilot.press("w")
        assert [r[0] for r in table_rows(app, "#review-parts")] == ["mag erin", "weglaten"]
        assert "2 van 2 nagekeken, 1 weggelaten." in str(app.screen.query_one("#review-count", Static).render())
        # Esc now asks before the decisions are thrown away; n stays.
        await pilot.press("escape")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert isinstance(app.screen, InzageReview)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, RightsMenu)
        text = (tmp_path / "inzage.txt").read_text(encoding="utf-8")
        assert "Kees" not in text and "Verslag: (weggelaten: dit gaat ook over iemand anders)" in text
        assert "Wie waren erbij: Leonie, moeder" in text and "Verslag: Gesprek over de huur" in text
        assert [(r.student_id, r.detail) for r in audit_rows(team_store.store, "export", after=start)] == [
            (sid, "inzage: tekst; weggelaten: 1")]


async def test_a_coordinator_outside_the_file_reaches_inzage_from_search(team_store, fixed_store_clock, tmp_path):
    """Cora is not involved: Enter on the student offers r (rights); the menu has inzage and wissen
    only, and the inzage asks her passphrase (through the escrow)."""
    from screens.student import NotInvolvedModal
    from tests.support import open_row

    _sid, _ = register(team_store)
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "co", COORDINATOR_PASS)
        await open_row(app, pilot, "leonie")
        assert isinstance(app.screen, NotInvolvedModal)
        assert "r: rechten van de student" in str(app.screen.query_one(".hint", Static).render())
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, RightsMenu)
        lines = str(app.screen.query_one("#rights-lines", Static).render())
        assert "inzage" in lines and "wissen" in lines and "correctie" not in lines and "bewaartermijn" not in lines
        await pilot.press("c")
        assert isinstance(app.screen, RightsMenu)  # not offered
        await pilot.press("i")
        await settle(app, pilot)
        assert isinstance(app.screen, InzageDialog) and app.screen.query("#i-pass")
        # Her passphrase opens the file once; the review comes next, then the file.
        app.screen.query_one("#i-path", Input).value = str(tmp_path / "inzage.pdf")
        app.screen.query_one("#i-pass", Input).focus()
        await pilot.press(*COORDINATOR_PASS, "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InzageReview) and not (tmp_path / "inzage.pdf").exists()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, RightsMenu) and (tmp_path / "inzage.pdf").read_bytes().startswith(b"%PDF")
        export = audit_rows(team_store.store, "export", _sid)[-1]
        assert (export.on_behalf_of, export.detail) == (team_store.coordinator_id, "inzage: pdf")
    # A hulpverlener who is not involved gets no r.
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ot", OTHER_PASS)
        await open_row(app, pilot, "leonie")
        assert isinstance(app.screen, NotInvolvedModal)
        await pilot.press("r")
        assert isinstance(app.screen, NotInvolvedModal)
