"""The warme overdracht through the real app (Pilot): the wizard from the
dossier (w), consent gating shown on screen, an internal proposal reaching
the colleague's Vandaag, accepting it from its card, and the caseload
transfer screen."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from textual.widgets import DataTable, Input, OptionList, Static, TextArea

from jongerenteam import consent as cn
from jongerenteam import dossier as d
from jongerenteam.dates import local_today
from jongerenteam.domain import StudentDetails
from jongerenteam.session import TeamSession
from screens.dialogs import Confirm
from screens.dossier import DossierScreen
from screens.handover import CaseloadScreen, HandoverCard, HandoverDialog
from screens.home import HomeScreen
from storage import handover as store_handover
from tests.support import COORDINATOR_PASS, OTHER_PASS, SIZE, WORKER_PASS, build_app, notifications, open_row, settle, unlock_as


def leonie(team_store, *, consent_all: bool) -> str:
    s = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    rec = s.spreekuur.register_student(StudentDetails(
        first_name="Leonie", last_name="Mulder", birth_date=date(2008, 5, 20), programme="Helpende", level="2",
        leefdomeinen=["inkomen"],
    ))
    s.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", datetime(2026, 3, 10, 10, 0), 45, [], "Geheim: onveilig thuis"))
    s.dossier.add_score(rec.id, d.NewScore("veiligheid", 1, date(2026, 3, 10), "onveilig"))
    s.dossier.add_score(rec.id, d.NewScore("inkomen", 2, date(2026, 3, 10), ""))
    about = [cn.ALL_DOMAINS] if consent_all else ["inkomen"]
    s.consent.add_consent(rec.id, cn.NewConsent(cn.ConsentWith("organisatie", "jongerenteam"), about, "overdracht",
                                       "student", "mondeling", date(2026, 3, 10)))
    s.lock()
    return rec.id


async def hanna_opens_the_wizard_for_leonie(app, pilot) -> None:
    """Hanna unlocks, opens Leonie from the search and presses w (the warme overdracht)."""
    await unlock_as(app, pilot, "Hanna", WORKER_PASS)
    await open_row(app, pilot, "Leonie")
    await pilot.press("w")
    await settle(app, pilot)


async def test_intern_handover_from_the_dossier_to_acceptance_on_vandaag(team_store, fixed_store_clock):
    student_id = leonie(team_store, consent_all=True)
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "Hanna", WORKER_PASS)
        await open_row(app, pilot, "Leonie")
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("w")
        await settle(app, pilot)
        assert isinstance(app.screen, HandoverDialog)
        dialog = app.screen
        await settle(app, pilot)
        # Intern is preselected; choose Otto from the colleagues.
        receivers = dialog.query_one("#ho-receiver", OptionList)
        names = [str(receivers.get_option_at_index(i).prompt) for i in range(receivers.option_count)]
        receivers.highlighted = next(i for i, n in enumerate(names) if n.startswith("Otto"))
        await pilot.pause()
        doc = dialog.query_one("#ho-doc", TextArea).text
        assert "Veiligheid: 1" in doc and "Wie is de student" in doc
        # F5 composes the document again from the file (ctrl+r would be the app's Aanmelding).
        dialog.query_one("#ho-doc", TextArea).text = "eigen tekst"
        await pilot.press("f5")
        await settle(app, pilot)
        assert app.screen is dialog and dialog.query_one("#ho-doc", TextArea).text == doc
        # The document says how long Hanna reads along, also after the number changes.
        assert "blijft 42 dagen na de acceptatie meelezen" in doc
        dialog.query_one("#ho-days", Input).value = "10"
        await pilot.pause()
        doc = dialog.query_one("#ho-doc", TextArea).text
        assert "blijft 10 dagen na de acceptatie meelezen" in doc and "42 dagen" not in doc
        # The parts only the worker can write are still "(vul in: ...)": refused, nothing lost.
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "vul in" in str(dialog.query_one("#ho-doc-error", Static).render()).lower()
        area = dialog.query_one("#ho-doc", TextArea)
        area.text = "\n".join(
            "Geen bijzonderheden." if line.startswith("(vul in:") else line for line in area.text.splitlines())
        # Without saying what the student thinks: refused with a Dutch message.
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "document" in str(dialog.query_one("#ho-view-error", Static).render()).lower()
        assert "Geen bijzonderheden." in dialog.query_one("#ho-doc", TextArea).text
        dialog.query_one("#ho-view").focus()
        await pilot.press("1")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, HandoverDialog)
        assert any("Overdracht voorgesteld" in n for n in notifications(app))
        rows = store_handover.handovers(team_store.store, student_id=student_id)
        assert [r.state for r in rows] == ["voorgesteld"] and rows[0].to_worker_id == team_store.other_id
        # w again now shows the open handover's card.
        await pilot.press("w")
        await settle(app, pilot)
        assert isinstance(app.screen, HandoverCard)
        body = str(app.screen.query_one("#hc-body", Static).render())
        assert "voorgesteld" in body and "Otto Collega" in body
    # Otto: the proposal is on his Vandaag; Enter opens its card; a accepts after j.
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ot", OTHER_PASS)
        assert isinstance(app.screen, HomeScreen)
        due = app.screen.query_one("#due", DataTable)
        texts = [str(due.get_row_at(i)[2]) for i in range(due.row_count)]
        index = next(i for i, t in enumerate(texts) if "overdracht: accepteren" in t and "Hanna" in t)
        due.focus()
        due.move_cursor(row=index)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, HandoverCard)
        body = str(app.screen.query_one("#hc-body", Static).render())
        assert "onveilig" not in body  # not readable before acceptance
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("j")
        await settle(app, pilot)
        rows = store_handover.handovers(team_store.store, student_id=student_id)
        assert rows[0].state == "geaccepteerd"
        body = str(app.screen.query_one("#hc-body", Static).render())
        assert "geaccepteerd" in body and "Veiligheid: 1" in body
        assert app.session.students[student_id].contact_worker_id == team_store.other_id
        # A kennismaking after Hanna's reading ends (42 days, here 10): the card warns.
        await pilot.press("k")
        await settle(app, pilot)
        app.screen.query_one("#ld-value", Input).value = f"{local_today() + timedelta(days=60):%d-%m-%Y}"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HandoverCard)
        body = str(app.screen.query_one("#hc-body", Static).render())
        assert "Let op: Hanna Hulpverlener leest dan niet meer mee." in body


async def test_wizard_shows_what_is_left_out_and_stops_without_consent(team_store, fixed_store_clock):
    leonie(team_store, consent_all=False)
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await hanna_opens_the_wizard_for_leonie(app, pilot)
        dialog = app.screen
        await settle(app, pilot)
        assert isinstance(dialog, HandoverDialog)
        # Intern needs consent about everything: the wizard says so.
        left = str(dialog.query_one("#ho-leftout", Static).render())
        assert "wettelijke grond" in left and "hele dossier" in left
        # Extern to someone typed in (the consent names the team, not them): blocked too.
        dialog.query_one("#ho-kind").focus()
        await pilot.press("2")
        await pilot.pause()
        dialog.query_one("#ho-free", Input).value = "Femke, budgetcoach, Budgetcoach Zwolle"
        await pilot.pause()
        left = str(dialog.query_one("#ho-leftout", Static).render())
        assert "geen geldige toestemming" in left
        dialog.query_one("#ho-view").focus()
        await pilot.press("1")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HandoverDialog)
        error = str(dialog.query_one("#ho-ground-error", Static).render())
        assert "toestemming" in error
        # Choosing a ground takes the refusal away (the reason is asked for next).
        dialog.query_one("#ho-ground").focus()
        await pilot.press("2")
        await pilot.pause()
        assert str(dialog.query_one("#ho-ground-error", Static).render()) == ""
        # What was typed is still there.
        assert dialog.query_one("#ho-free", Input).value.startswith("Femke")


async def test_caseload_screen_proposes_a_handover_per_student(team_store, fixed_store_clock):
    student_id = leonie(team_store, consent_all=True)
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "Hanna", WORKER_PASS)
        app.push_screen(CaseloadScreen(app.session))
        await settle(app, pilot)
        table = app.screen.query_one("#cl-table", DataTable)
        assert table.row_count == 1
        legend = str(app.screen.query_one("#cl-legend", Static).render())
        otto_key = next(part.split(" ")[0] for part in legend.split(" · ") if "Otto" in part)
        await pilot.press("9")  # nobody there: said so, nothing chosen
        assert str(app.screen.query_one("#cl-message", Static).render()).startswith("Onder 9 staat geen collega.")
        assert not app.screen.assignments
        await pilot.press(otto_key)
        # Esc with a choice made asks first; n keeps the screen and the choice.
        await pilot.press("escape")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert isinstance(app.screen, CaseloadScreen) and app.screen.assignments
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)  # the summary first
        assert "1 naar Otto Collega" in str(app.screen.question)
        await pilot.press("j")
        await settle(app, pilot)
        assert "1 overdracht voorgesteld" in str(app.screen.query_one("#cl-message", Static).render())
        table = app.screen.query_one("#cl-table", DataTable)
        assert str(table.get_row_at(0)[3]) == "voorgesteld aan Otto Collega"
        rows = store_handover.handovers(team_store.store, student_id=student_id)
        assert rows[0].to_worker_id == team_store.other_id and rows[0].state == "voorgesteld"


async def test_caseload_enter_offers_every_colleague_beyond_the_first_nine(team_store, fixed_store_clock):
    """A team of twelve: digits cover nine colleagues, Enter lists all eleven and assigns the one chosen."""
    from jongerenteam.settings import kdf_params
    from storage import team

    student_id = leonie(team_store, consent_all=True)
    keys = team.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    extra = [
        team.add_worker(team_store.store, keys, team.WorkerDetails(f"Zeger Zwaan {n}", f"Z{n}", team.WORKER, "jeugdhulp"),
                        f"wachtwoord van zeger {n}", kdf_params())
        for n in range(1, 10)
    ]
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "Hanna", WORKER_PASS)
        app.push_screen(CaseloadScreen(app.session))
        await settle(app, pilot)
        legend = str(app.screen.query_one("#cl-legend", Static).render())
        assert "9 Zeger Zwaan 7" in legend and "Zeger Zwaan 9" not in legend
        assert "Enter: alle 11 collega's" in legend
        await pilot.press("enter")
        await settle(app, pilot)
        picker = app.screen.query_one(OptionList)
        assert picker.option_count == 11
        await pilot.press(*["down"] * 10, "enter")  # the last one: Zeger Zwaan 9
        await settle(app, pilot)
        assert isinstance(app.screen, CaseloadScreen)
        table = app.screen.query_one("#cl-table", DataTable)
        assert str(table.get_row_at(0)[2]) == "Zeger Zwaan 9"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("j")
        await settle(app, pilot)
        rows = store_handover.handovers(team_store.store, student_id=student_id)
        assert rows[0].to_worker_id == extra[-1] and rows[0].state == "voorgesteld"


async def test_the_old_helper_ends_her_read_along_from_the_card(team_store, fixed_store_clock):
    """After Otto accepted, Hanna's card offers only a shorter read-along (l) and e to stop now;
    stopping asks first, and then she cannot open the file any more."""
    from jongerenteam import handover as h
    from storage import students

    student_id = leonie(team_store, consent_all=True)
    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    row = hanna.handover.propose_handover(student_id, h.Proposal(
        h.INTERN, h.Receiver("medewerker", "Otto Collega", worker_id=team_store.other_id), "Document",
        student_view="akkoord"))
    hanna.lock()
    otto = TeamSession.unlock(team_store.store, team_store.other_id, OTHER_PASS)
    otto.handover.accept_handover(row)
    otto.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "Hanna", WORKER_PASS)
        view = app.session.handover.handovers_of(student_id)[0]
        card = HandoverCard(app.session, view)
        app.push_screen(card)
        await settle(app, pilot)
        assert card.access_mode == "korter" and card.can_end_access
        await pilot.press("l")
        await settle(app, pilot)
        assert "Korter meelezen" in app.screen.dialog_title
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("j")
        await settle(app, pilot)
        assert not isinstance(app.screen, HandoverCard)
        assert any("niet meer mee" in n for n in notifications(app))
        assert team_store.worker_id not in students.involved_workers(team_store.store, student_id)


async def test_a_deactivated_workers_window_locks_and_the_coordinator_repairs(team_store, fixed_store_clock):
    """Two windows on one store. Hanna's window is open when Cora deactivates her (in another
    window): at the next sync Hanna's window locks with a Dutch sentence. Cora's Vandaag lists
    Hanna's student with no contact person; Enter names Otto. Otto's Vandaag asks him to get
    consent; with g he records it and the file opens."""
    from jongerenteam.messages import DEACTIVATED
    from screens.unlock import UnlockScreen

    student_id = leonie(team_store, consent_all=False)
    hanna_app = build_app(team_store)
    async with hanna_app.run_test(size=SIZE) as pilot:
        await unlock_as(hanna_app, pilot, "Hanna", WORKER_PASS)
        cora = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
        cora.team.deactivate_worker(team_store.worker_id)
        cora.lock()
        hanna_app.sync_now()
        await settle(hanna_app, pilot)
        assert isinstance(hanna_app.screen, UnlockScreen) and hanna_app.session is None
        assert DEACTIVATED in str(hanna_app.screen.query_one("#unlock-message", Static).render())
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "Cora", COORDINATOR_PASS)
        due = app.screen.query_one("#due", DataTable)
        texts = [str(due.get_row_at(i)[2]) for i in range(due.row_count)]
        index = next(i for i, t in enumerate(texts) if "geen contactpersoon meer" in t)
        due.focus()
        due.move_cursor(row=index)
        await pilot.press("enter")
        await settle(app, pilot)
        picker = app.screen.query_one(OptionList)
        names = [str(picker.get_option_at_index(i).prompt) for i in range(picker.option_count)]
        assert "Hanna Hulpverlener" not in names
        picker.highlighted = names.index("Otto Collega")
        await pilot.press("enter")
        await settle(app, pilot)
        assert any("Otto Collega is nu contactpersoon" in n for n in notifications(app))
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ot", OTHER_PASS)
        due = app.screen.query_one("#due", DataTable)
        texts = [str(due.get_row_at(i)[2]) for i in range(due.row_count)]
        index = next(i for i, t in enumerate(texts) if t.startswith("toestemming vragen"))
        due.focus()
        due.move_cursor(row=index)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, HandoverCard)
        assert "leg het vast met g" in str(app.screen.query_one("#hc-body", Static).render())
        await pilot.press("a")  # no consent for Otto yet: refused, said in Dutch
        await settle(app, pilot)
        await pilot.press("j")
        await settle(app, pilot)
        assert any("nog geen toestemming" in n for n in notifications(app))
        assert not app.session.is_involved(student_id)
        await pilot.press("g")
        await settle(app, pilot)
        await pilot.press("ctrl+s")  # "student": Leonie is 18
        await settle(app, pilot)
        assert app.session.is_involved(student_id)
        assert app.session.dossier.open_dossier(student_id).student_id == student_id


async def test_caseload_all_to_one_colleague_by_the_coordinator_with_a_reason(team_store, fixed_store_clock):
    """Cora moves Hanna's whole caseload: a sends everyone to Otto, the summary says so; without
    a reason it is refused, with one each student gets Otto as contact person (file after
    consent) and no file was opened by Cora."""
    leonie(team_store, consent_all=True)
    leonie(team_store, consent_all=False)
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "Cora", COORDINATOR_PASS)
        app.push_screen(CaseloadScreen(app.session, team_store.worker_id))
        await settle(app, pilot)
        screen = app.screen
        assert screen.query_one("#cl-reason", Input).display
        screen.query_one("#cl-table", DataTable).focus()
        await pilot.press("a")
        await settle(app, pilot)
        picker = app.screen.query_one(OptionList)
        names = [str(picker.get_option_at_index(i).prompt) for i in range(picker.option_count)]
        picker.highlighted = names.index("Otto Collega")
        await pilot.press("enter")
        await settle(app, pilot)
        assert set(screen.assignments.values()) == {team_store.other_id} and len(screen.assignments) == 2
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "2 naar Otto Collega" in str(app.screen.question)
        await pilot.press("j")
        await settle(app, pilot)
        assert "reden" in str(screen.query_one("#cl-message", Static).render()).lower()
        screen.query_one("#cl-reason", Input).value = "Hanna gaat met zwangerschapsverlof"
        screen.query_one("#cl-table", DataTable).focus()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("j")
        await settle(app, pilot)
        assert "2 met een nieuwe contactpersoon" in str(screen.query_one("#cl-message", Static).render())
    from tests.support import audit_rows
    assert not [r for r in audit_rows(team_store.store, "open") if r.worker_id == team_store.coordinator_id]
    rows = store_handover.handovers(team_store.store)
    assert sorted(r.state for r in rows) == ["toestemming", "toestemming"]


async def test_the_wizard_asks_a_coordinator_for_a_reason_and_refuses_a_colleague(team_store, fixed_store_clock):
    """Cora is on Leonie's file, Hanna is the contact person: the wizard shows Cora a reason field
    and refuses without it; Otto (on the file too, not the contact person) is told he cannot."""
    student_id = leonie(team_store, consent_all=True)
    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    hanna.dossier.involve(student_id, team_store.coordinator_id)
    hanna.dossier.involve(student_id, team_store.other_id)
    hanna.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ot", OTHER_PASS)
        app.push_screen(HandoverDialog(app.session, app.session.students[student_id]))
        await settle(app, pilot)
        assert "Alleen de contactpersoon" in str(app.screen.query_one("#ho-receiver-error", Static).render())
        assert not app.screen.query_one("#ho-coord-reason").parent.display
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "Cora", COORDINATOR_PASS)
        dialog = HandoverDialog(app.session, app.session.students[student_id])
        app.push_screen(dialog)
        await settle(app, pilot)
        assert dialog.query_one("#ho-coord-reason").parent.display
        receivers = dialog.query_one("#ho-receiver", OptionList)
        names = [str(receivers.get_option_at_index(i).prompt) for i in range(receivers.option_count)]
        receivers.highlighted = next(i for i, n in enumerate(names) if n.startswith("Otto"))
        await pilot.pause()
        area = dialog.query_one("#ho-doc", TextArea)
        area.text = "\n".join("Geen." if line.startswith("(vul in:") else line for line in area.text.splitlines())
        dialog.query_one("#ho-view").focus()
        await pilot.press("1", "ctrl+s")
        await settle(app, pilot)
        assert "reden" in str(dialog.query_one("#ho-coord-reason-error", Static).render()).lower()
        assert store_handover.handovers(team_store.store, student_id=student_id) == []
        dialog.query_one("#ho-coord-reason", Input).value = "Hanna is langdurig ziek"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        (row,) = store_handover.handovers(team_store.store, student_id=student_id)
        assert row.from_worker_id == team_store.worker_id and row.to_worker_id == team_store.other_id


async def test_the_wizard_highlights_words_without_consent_and_asks_a_ground(team_store, fixed_store_clock):
    """Issue 20, item 5: "gokt, online casino" under Risico's in a handover to the
    schuldhulpverlening (consent for inkomen only) is highlighted, and the wizard does
    not propose until the words are out or a wettelijke grond with a reason is chosen."""
    s = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    rec = s.spreekuur.register_student(StudentDetails(
        first_name="Sanne", last_name="Vos", birth_date=date(2008, 3, 2), programme="Helpende Zorg en Welzijn",
        level="2", leefdomeinen=["inkomen"],
    ))
    s.dossier.add_score(rec.id, d.NewScore("inkomen", 2, date(2026, 3, 10), ""))
    s.consent.add_consent(rec.id, cn.NewConsent(cn.ConsentWith("organisatie", "Schuldhulpverlening Deventer"), ["inkomen"],
                                                "schuldhulp", "student", "mondeling", date(2026, 3, 10)))
    s.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "Hanna", WORKER_PASS)
        await open_row(app, pilot, "Sanne")
        await pilot.press("w")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, HandoverDialog)
        dialog.query_one("#ho-kind").focus()
        await pilot.press("2")
        dialog.query_one("#ho-free", Input).value = "Mo Yilmaz, schuldhulpverlener, Schuldhulpverlening Deventer"
        await pilot.pause()
        words = dialog.query_one("#ho-words", Static)
        ground = dialog.query_one("#ho-words-ground")
        # The composed document names only inkomen (and the programme, a line the app wrote): nothing to show.
        area = dialog.query_one("#ho-doc", TextArea)
        assert "Inkomen / schulden: 2" in area.text and "Welzijn" in area.text
        assert not words.display and not ground.parent.display

        def write(risks: str) -> str:
            return "\n".join(risks if "waar moet de ontvanger op letten" in line
                             else "Ze wil een regeling." if line.startswith("(vul in:") else line
                             for line in area.text.splitlines())

        area.text = write("Ze gokt, online casino.")
        await pilot.pause()
        assert words.display and ground.parent.display
        shown = words.render()
        assert "Ze gokt, online casino." in str(shown) and "welzijn: gokt, online casino" in str(shown)
        highlighted = {str(shown)[span.start:span.end] for span in shown.spans if getattr(span.style, "reverse", False)}
        assert highlighted == {"gokt", "online casino"}
        # Proposing now is refused, under the ground, naming the words.
        dialog.query_one("#ho-view").focus()
        await pilot.press("1")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is dialog
        error = str(dialog.query_one("#ho-words-ground-error", Static).render())
        assert "gokt, online casino" in error and "wettelijke grond" in error
        assert store_handover.handovers(team_store.store, student_id=rec.id) == []
        # Taking the words out makes the warning and the ground go away.
        area.text = area.text.replace("Ze gokt, online casino.", "Ze koopt veel op afbetaling.")
        await pilot.pause()
        assert not words.display and not ground.parent.display
        # Back in, with a ground: a reason is asked for, then it goes.
        area.text = area.text.replace("Ze koopt veel op afbetaling.", "Ze gokt, online casino.")
        await pilot.pause()
        ground.focus()
        await pilot.press("3")  # geen, acuut, meldcode
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is dialog
        assert "waarom" in str(dialog.query_one("#ho-words-reason-error", Static).render()).lower()
        dialog.query_one("#ho-words-reason", Input).value = "Meldcode stap 2, besproken met de aandachtsfunctionaris."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, HandoverDialog)
        rows = store_handover.handovers(team_store.store, student_id=rec.id)
        assert [r.state for r in rows] == ["voorgesteld"]
        view = app.session.handover.handovers_of(rec.id)[0]
        assert view.words_ground == "meldcode" and "Ze gokt, online casino." in view.document


async def test_the_card_highlights_words_whose_consent_was_withdrawn_and_the_export_stops(
        team_store, fixed_store_clock, tmp_path):
    """A document proposed with consent for inkomen and welzijn; then the welzijn consent is
    withdrawn. The card marks the words, and saving it as text is refused (nothing written)."""
    from jongerenteam import handover as h

    s = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    rec = s.spreekuur.register_student(StudentDetails(
        first_name="Sanne", last_name="Vos", birth_date=date(2008, 3, 2), programme="Helpende", level="2",
        leefdomeinen=["inkomen"],
    ))
    s.dossier.add_score(rec.id, d.NewScore("inkomen", 2, date(2026, 3, 10), ""))
    for about in (["inkomen"], ["welzijn"]):
        s.consent.add_consent(rec.id, cn.NewConsent(cn.ConsentWith("organisatie", "Schuldhulpverlening Deventer"), about,
                                                    "schuldhulp", "student", "mondeling", date(2026, 3, 10)))
    receiver = h.Receiver("vrij", "Mo Yilmaz", "schuldhulpverlener", "Schuldhulpverlening Deventer")
    comp = s.handover.compose_handover(rec.id, h.EXTERN, receiver)
    document = h.without_placeholders(comp.text, "Ze gokt, online casino.")
    s.handover.propose_handover(rec.id, h.Proposal(h.EXTERN, receiver, document, student_view="akkoord",
                                                   follow_up=local_today() + timedelta(days=14)))
    welzijn = next(c for c in s.dossier.open_dossier(rec.id).consents if c.about == ["welzijn"])
    s.consent.withdraw_consent(rec.id, welzijn)
    s.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "Hanna", WORKER_PASS)
        await open_row(app, pilot, "Sanne")
        await pilot.press("w")
        await settle(app, pilot)
        card = app.screen
        assert isinstance(card, HandoverCard)
        shown = card.query_one("#hc-body", Static).render()
        assert "noemt leefdomeinen waarvoor de student nu geen toestemming heeft" in str(shown)
        highlighted = {str(shown)[span.start:span.end] for span in shown.spans if getattr(span.style, "reverse", False)}
        assert highlighted == {"gokt", "online casino"}
        await pilot.press("t")
        await settle(app, pilot)
        target = tmp_path / "overdracht.txt"
        app.screen.query_one("#ld-value", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = str(app.screen.query_one("#ld-value-error", Static).render())
        assert "welzijn: gokt, online casino" in error and "tabblad 5" in error
        assert not target.exists()


async def test_the_new_contact_person_is_told_the_file_waits_for_consent_and_records_it_there(
        team_store, fixed_store_clock):
    """Cora names Otto contact person of Leonie without opening the file (a held handover).
    Otto opens Leonie from the search: the screen says he is the contact person and the file
    waits for consent (not "niet betrokken"), and g there records it; the dossier then opens."""
    from screens.student import NotInvolvedModal

    student_id = leonie(team_store, consent_all=False)
    cora = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    cora.handover.hold_for(student_id, team_store.other_id, "Hanna gaat met verlof")
    cora.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ot", OTHER_PASS)
        await open_row(app, pilot, "Leonie")
        assert isinstance(app.screen, NotInvolvedModal)
        said = str(app.screen.query_one("#not-involved", Static).render())
        assert "niet betrokken" not in said and "Contactpersoon:" not in said
        assert "Je bent de nieuwe contactpersoon van Leonie Mulder" in said
        assert "toestemming" in said and "leg het vast met g" in said
        hint = str(app.screen.query_one(".hint", Static).render())
        assert "g: toestemming vastleggen" in hint and "inloopgesprek" not in hint
        await pilot.press("v")  # not offered for one's own student
        await pilot.pause()
        assert isinstance(app.screen, NotInvolvedModal)
        await pilot.press("g")
        await settle(app, pilot)
        assert "Toestemming vastleggen" in str(app.screen.query_one(".title", Static).render())
        await pilot.press("ctrl+s")  # "student": Leonie is 18
        await settle(app, pilot)
        assert app.session.is_involved(student_id)
        assert isinstance(app.screen, DossierScreen) and app.screen.record.id == student_id


async def test_the_new_contact_person_sees_the_handover_card_from_the_student(team_store, fixed_store_clock):
    """o on the same screen opens the held handover's card (g records the consent there too)."""
    from screens.student import NotInvolvedModal

    student_id = leonie(team_store, consent_all=False)
    cora = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    cora.handover.hold_for(student_id, team_store.other_id, "Hanna gaat met verlof")
    cora.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ot", OTHER_PASS)
        await open_row(app, pilot, "Leonie")
        assert isinstance(app.screen, NotInvolvedModal)
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, HandoverCard)
        assert "leg het vast met g" in str(app.screen.query_one("#hc-body", Static).render())


async def test_the_wizards_footer_says_voorstellen_as_its_heading_does(team_store, fixed_store_clock):
    """ctrl+s in the wizard proposes the handover: heading and Footer both say so, not Opslaan."""
    from textual.widgets._footer import FooterKey

    leonie(team_store, consent_all=True)
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await hanna_opens_the_wizard_for_leonie(app, pilot)
        assert isinstance(app.screen, HandoverDialog)
        assert "ctrl+s: voorstellen" in str(app.screen.query_one(".hint", Static).render())
        footer = {key.key: key.description for key in app.screen.query(FooterKey)}
        assert footer.get("ctrl+s") == "Voorstellen"
        assert "Opslaan" not in footer.values()
