"""UI tests of Team beheren: a coördinator manages workers, contacts and the idle lock by keyboard."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets._footer import FooterKey

from jongerenteam.domain import StudentDetails
from jongerenteam.messages import explain
from jongerenteam.passphrase import SAME_AS_CURRENT, weakness
from jongerenteam.session import TeamSession
from jongerenteam.team import TeamService
from screens.dialogs import Confirm
from screens.handover.caseload import WorkerPicker
from screens.home import HomeScreen
from screens.team import (
    COLUMNS,
    TEAM_COMMANDS,
    TEXT,
    AddWorkerDialog,
    DeactivateDialog,
    ExpertiseDialog,
    IdleLockDialog,
    ProgrammeContactsDialog,
    ResetPassphraseDialog,
    TeamScreen,
)
from screens.team_dialogs import ChangePassphraseDialog
from screens.unlock import UnlockScreen
from storage import spreekuur, team
from storage.errors import NotInvolved, WorkerExists, WorkerInactive, WrongPassphrase
from tests.support import (
    COORDINATOR_PASS,
    OTHER_PASS,
    WORKER_PASS,
    build_app,
    notifications,
    paste,
    screen_text,
    settle,
    text_of,
    unlock_as,
    wait_until,
)

SIZE = (120, 36)
WAIT_FOR_GATE = 30.0
NEW_PASS = "fietsen langs de grachten in mei"
OTHER_NEW_PASS = "koffie met stroopwafels op dinsdag"


# -- helpers ---------------------------------------------------------------------


async def start(app, pilot, team_store, worker_id: str, passphrase: str) -> TeamSession:
    session = TeamSession.unlock(team_store.store, worker_id, passphrase)
    app.start_session(session)
    await pilot.pause()
    return session


async def open_team(app, pilot, team_store) -> TeamSession:
    """Unlock as Cora (coördinator) and press ctrl+t."""
    session = await start(app, pilot, team_store, team_store.coordinator_id, COORDINATOR_PASS)
    await pilot.press("ctrl+t")
    await pilot.pause()
    assert isinstance(app.screen, TeamScreen)
    return session


async def to_row(app, pilot, name: str) -> None:
    """Move the table cursor to the worker with this name."""
    table = app.screen.query_one("#team-workers", DataTable)
    assert app.focused is table
    names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
    await pilot.press(*["up"] * len(names), *["down"] * names.index(name))


def table_rows(app) -> list[list[str]]:
    table = app.screen.query_one("#team-workers", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def value(app, selector: str) -> str:
    return app.screen.query_one(selector, Input).value


def worker_named(store, name: str):
    return next(w for w in store.workers(active_only=False) if w.full_name == name)


def register_for_hanna(team_store) -> str:
    """Hanna registers a student (she becomes contact person); returns the student id."""
    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    record = hanna.spreekuur.register_student(
        StudentDetails(first_name="Sanne", last_name="Jansen", birth_date=date(2006, 1, 30), level="2",
                       programme="Verzorgende IG")
    )
    hanna.lock()
    return record.id


async def deactivate_dialog_for_hanna(app, pilot, team_store) -> None:
    """Cora opens Team beheren and presses d on Hanna: the deactivation dialog."""
    await open_team(app, pilot, team_store)
    await to_row(app, pilot, "Hanna Hulpverlener")
    await pilot.press("d")


# -- the screen ----------------------------------------------------------------------


async def test_team_screen_lists_workers_with_dutch_columns_and_keys(team_store):
    """ctrl+t shows every worker with Dutch role labels; the footer names each key in Dutch, Vergrendelen included."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team(app, pilot, team_store)
        table = app.screen.query_one("#team-workers", DataTable)
        assert [str(c.label) for c in table.ordered_columns] == list(COLUMNS)
        assert table_rows(app) == [
            ["Cora Coördinator", "CC", "coördinator", "wijkteam", "", "ja"],
            ["Hanna Hulpverlener", "HH", "hulpverlener", "jeugdhulp", "", "ja"],
            ["Otto Collega", "OC", "hulpverlener", "verslavingszorg", "", "ja"],
        ]
        shown = [key.description for key in app.screen.query(FooterKey)]
        assert {"Nieuw", "Deactiveren", "Wachtwoord", "Expertise", "Opleidingen", "Vergrendeltijd", "Terug"} <= set(shown)
        footer_line = next(line for line in screen_text(app).splitlines() if "Deactiveren" in line)
        assert "Vergrendelen" in footer_line  # not pushed off the 120 columns
        assert "Vergrendelen na 5 min" in text_of(app, "#team-settings")

        await pilot.press("escape")
        assert not isinstance(app.screen, TeamScreen)


async def test_a_worker_cannot_open_the_team_screen(team_store):
    """For a hulpverlener ctrl+t does nothing, the footer has no 'Team' and the palette offers no team commands."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, team_store, team_store.worker_id, WORKER_PASS)
        before = app.screen
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.screen is before
        assert "Team" not in [key.description for key in app.screen.query(FooterKey)]
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert not [t for t in titles if t.startswith("team:")]

        # Even pushed directly (a bug elsewhere), the screen refuses and leaves.
        app.push_screen(TeamScreen(app.session))
        await pilot.pause()
        await pilot.pause()
        assert not isinstance(app.screen, TeamScreen)
        assert TEXT["coordinator_only"] in [n.message for n in app._notifications]


@pytest.mark.parametrize("title, dialog", [
    ("team: medewerker toevoegen", AddWorkerDialog),
    ("team: medewerker deactiveren", DeactivateDialog),
    ("team: wachtwoord herstellen", ResetPassphraseDialog),
    ("team: vaste contactpersonen", ProgrammeContactsDialog),
    ("team: vergrendeltijd instellen", IdleLockDialog),
])
async def test_palette_team_commands_open_their_dialog(team_store, title, dialog):
    """Each 'team: ...' palette command opens the Team screen with its dialog on top."""
    assert title in [t for t, _, _ in TEAM_COMMANDS]
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, team_store, team_store.coordinator_id, COORDINATOR_PASS)
        command = next(c for c in app.get_system_commands(app.screen) if c.title == title)
        command.callback()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, dialog)
        assert isinstance(app.screen_stack[-2], TeamScreen)


# -- 1. add a worker ------------------------------------------------------------------------


async def test_add_worker_by_keyboard_only_and_the_new_worker_can_unlock(team_store):
    """Name, initials, role, organisation (suggested), expertise by number keys, passphrase twice, Enter: saved."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team(app, pilot, team_store)
        await pilot.press("t")
        assert isinstance(app.screen, AddWorkerDialog)
        assert app.focused is app.screen.query_one("#add-name", Input)
        await pilot.press(*"Jamal Bakker", "tab", *"JB", "tab")
        await pilot.press("down", "tab")  # coördinator
        await pilot.press(*"jonge", "right", "tab")  # accept the suggestion
        assert value(app, "#add-organisation") == "jongerenwerk"
        await pilot.press("1", "9", "tab")
        await paste(app, pilot, NEW_PASS)
        await pilot.press("tab")
        await paste(app, pilot, NEW_PASS)
        await pilot.press("enter")
        await settle(app, pilot)

        assert isinstance(app.screen, TeamScreen)
        assert ["Jamal Bakker", "JB", "coördinator", "jongerenwerk", "Onderwijs, Gezondheid", "ja"] in table_rows(app)
        assert "Jamal Bakker is toegevoegd" in text_of(app, "#team-message")
    jamal = worker_named(team_store.store, "Jamal Bakker")
    assert (jamal.role, jamal.organisation, jamal.expertise) == ("coordinator", "jongerenwerk", "onderwijs,gezondheid")
    keys = team.unlock(team_store.store, jamal.id, NEW_PASS)
    assert keys.is_coordinator and keys.escrow_private is not None


async def test_duplicate_initials_show_the_message_and_keep_the_form(team_store):
    """Initials in use (any case) give the WorkerExists sentence next to the field; nothing typed is lost."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team(app, pilot, team_store)
        await pilot.press("t", *"Henk Hoekstra", "tab", *"hh", "tab", "tab", *"jongerenwerk", "tab", "3", "tab")
        await paste(app, pilot, NEW_PASS)
        await pilot.press("tab")
        await paste(app, pilot, NEW_PASS)
        await pilot.press("enter")
        await settle(app, pilot)

        assert isinstance(app.screen, AddWorkerDialog)
        assert text_of(app, "#add-initials-error") == explain(WorkerExists("workers"))[0]
        assert app.focused is app.screen.query_one("#add-initials", Input)
        assert [value(app, f"#add-{f}") for f in ("name", "initials", "organisation", "passphrase", "repeat")] == [
            "Henk Hoekstra", "hh", "jongerenwerk", NEW_PASS, NEW_PASS,
        ]
        assert app.screen.query_one("#add-expertise").codes == ["netwerk"]

        # Another letter, and it saves.
        await pilot.press("end", "k", "enter")
        await pilot.press("tab", "tab", "tab", "tab", "enter")  # Enter in the repeat field saves
        await settle(app, pilot)
        assert isinstance(app.screen, TeamScreen)
    assert worker_named(team_store.store, "Henk Hoekstra").initials == "hhk"


async def test_weak_or_different_passphrases_and_empty_fields_are_explained_in_dutch(team_store):
    """Missing fields, a weak passphrase and two different ones each get a Dutch sentence; nothing is saved."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team(app, pilot, team_store)
        await pilot.press("t", "ctrl+s")
        assert text_of(app, "#add-name-error") == TEXT["need_name"]
        assert text_of(app, "#add-initials-error") == TEXT["need_initials"]
        assert text_of(app, "#add-organisation-error") == TEXT["need_organisation"]
        assert text_of(app, "#add-passphrase-error") == TEXT["need_passphrase"]
        assert app.focused is app.screen.query_one("#add-name", Input)

        await pilot.press(*"Fleur de Wit", "tab", *"FW", "tab", "tab", *"ggz", "tab", "tab")
        await paste(app, pilot, "welkom01")
        await pilot.press("ctrl+s")
        assert text_of(app, "#add-name-error") == ""
        assert text_of(app, "#add-passphrase-error").startswith("Te kort")

        app.screen.query_one("#add-passphrase", Input).value = NEW_PASS
        app.screen.query_one("#add-repeat", Input).value = OTHER_NEW_PASS
        await pilot.press("ctrl+s")
        assert text_of(app, "#add-repeat-error") == TEXT["not_equal"]
        assert app.focused is app.screen.query_one("#add-repeat", Input)
        await settle(app, pilot)
    assert "Fleur de Wit" not in [w.full_name for w in team_store.store.workers(active_only=False)]


async def test_a_name_the_pdfs_cannot_print_is_refused_beside_the_field(team_store):
    """A Chinese name (no PDF font has it) or one over 60 characters: the Dutch reason under the name, nothing saved."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team(app, pilot, team_store)
        await pilot.press("t")
        await paste(app, pilot, "王小明" + "x" * 57)
        await pilot.press("tab", *"WX", "tab", "tab", *"ggz", "tab", "tab")
        await paste(app, pilot, NEW_PASS)
        await pilot.press("tab")
        await paste(app, pilot, NEW_PASS)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, AddWorkerDialog)
        assert text_of(app, "#add-name-error").startswith("Deze tekens kan het programma niet afdrukken: 王 小 明.")
        assert app.focused is app.screen.query_one("#add-name", Input)

        app.screen.query_one("#add-name", Input).value = "Li Wang " + "x" * 53
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert text_of(app, "#add-name-error") == "Dit is te lang: hoogstens 60 tekens, nu 61. Maak het korter."
        assert value(app, "#add-initials") == "WX" and value(app, "#add-passphrase") == NEW_PASS
    assert "WX" not in [w.initials for w in team_store.store.workers(active_only=False)]


async def test_escape_asks_before_throwing_away_the_add_form(team_store):
    """Esc on a filled form asks first: 'n' keeps everything, 'j' closes; an empty form closes at once."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team(app, pilot, team_store)
        await pilot.press("t", "escape")
        assert isinstance(app.screen, TeamScreen)

        await pilot.press("t", *"Fleur", "escape")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert isinstance(app.screen, AddWorkerDialog)
        assert value(app, "#add-name") == "Fleur"
        await pilot.press("escape", "j")
        assert isinstance(app.screen, TeamScreen)


# -- 2. deactivate with handover ---------------------------------------------------------------


async def test_deactivate_hands_students_and_programmes_to_the_new_contact(team_store):
    """Hanna leaves: her student and her programme go to Otto, who can then read the file; Hanna cannot log in."""
    student_id = register_for_hanna(team_store)
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_team(app, pilot, team_store)
        session.team.set_programme_contact("Verzorgende IG", team_store.worker_id,
            seen=session.team.programme_contacts().get("Verzorgende IG"))
        await to_row(app, pilot, "Hanna Hulpverlener")
        await pilot.press("d")
        assert isinstance(app.screen, DeactivateDialog)
        info = text_of(app, "#leaving-info")
        assert "Hanna Hulpverlener is contactpersoon van 1 student(en)." in info
        assert "Verzorgende IG" in info
        options = [str(o.prompt) for o in app.screen.query_one("#new-contact", OptionList).options]
        assert options == ["Cora Coördinator (CC)", "Otto Collega (OC)"]

        await pilot.press("ctrl+s")  # no new contact chosen yet
        assert text_of(app, "#new-contact-error") == TEXT["need_new_contact"]
        assert app.focused is app.screen.query_one("#new-contact", OptionList)
        await pilot.press("down", "down", "enter")
        assert isinstance(app.screen, Confirm)
        await pilot.press("j")
        await settle(app, pilot)

        assert isinstance(app.screen, TeamScreen)
        message = text_of(app, "#team-message")
        assert "Hanna Hulpverlener is gedeactiveerd" in message
        assert "1 student(en) hebben nu Otto Collega als contactpersoon (dossier na toestemming" in message
        assert ["Hanna Hulpverlener", "HH", "hulpverlener", "jeugdhulp", "", "nee"] in table_rows(app)
        assert session.team.programme_contacts() == {"Verzorgende IG": team_store.other_id}

        # The cursor stays on Hanna (now at the bottom); she cannot leave twice.
        await pilot.press("d")
        assert text_of(app, "#leaving-error") == "Hanna Hulpverlener is niet meer actief in het team."
        assert "Hanna Hulpverlener (HH)" not in [str(o.prompt) for o in app.screen.query_one("#leaving", OptionList).options]
        await pilot.press("escape")

    assert spreekuur.students_with_contact(team_store.store, team_store.other_id) == [student_id]
    assert spreekuur.students_with_contact(team_store.store, team_store.worker_id) == []
    with pytest.raises(WorkerInactive):
        team.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    otto = TeamSession.unlock(team_store.store, team_store.other_id, "collega wachtwoord zin")
    with pytest.raises(NotInvolved):  # not before the student's consent to share with Otto is in the file
        otto.dossier.read_file(student_id)
    (held,) = otto.handover.held_for_me()
    otto.handover.record_held_consent(held.row, "beide")
    otto.dossier.read_file(student_id)  # Otto now holds the student key


async def test_deactivate_shows_and_resolves_the_handovers_still_open(team_store):
    """Hanna proposed a student to Otto, and Otto one to her: the dialog says both; deactivating
    withdraws the one to her and leaves hers for Otto to answer (that student is not moved)."""
    from jongerenteam import consent as cn
    from jongerenteam import handover as h
    from storage import handover as store_handover

    def with_proposal(s: TeamSession, first: str, to_id: str, to_name: str) -> str:
        rec = s.spreekuur.register_student(StudentDetails(first_name=first, last_name="Jansen", birth_date=date(2006, 1, 30)))
        s.consent.add_consent(rec.id, cn.NewConsent(cn.ConsentWith("rol", "jongerenteam"), [cn.ALL_DOMAINS], "overdracht",
                                                    "student", "mondeling", date(2026, 1, 5)))
        s.handover.propose_handover(rec.id, h.Proposal(h.INTERN, h.Receiver("medewerker", to_name, worker_id=to_id),
                                                       "Document", student_view="akkoord"))
        return rec.id

    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    from_hanna = with_proposal(hanna, "Sanne", team_store.other_id, "Otto Collega")
    hanna.lock()
    otto = TeamSession.unlock(team_store.store, team_store.other_id, "collega wachtwoord zin")
    to_hanna = with_proposal(otto, "Tim", team_store.worker_id, "Hanna Hulpverlener")
    otto.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await deactivate_dialog_for_hanna(app, pilot, team_store)
        info = text_of(app, "#leaving-info")
        assert "1 overdracht(en) aan Hanna Hulpverlener wachten nog: die worden ingetrokken" in info
        assert "1 overdracht(en) van Hanna Hulpverlener lopen nog: die blijven staan" in info
        app.screen.query_one("#new-contact", OptionList).focus()
        await pilot.press("down", "enter")
        assert isinstance(app.screen, Confirm)
        await pilot.press("j")
        await settle(app, pilot)
    assert [r.state for r in store_handover.handovers(team_store.store, student_id=to_hanna)] == ["ingetrokken"]
    assert [r.state for r in store_handover.handovers(team_store.store, student_id=from_hanna)] == ["voorgesteld"]
    assert spreekuur.students_with_contact(team_store.store, team_store.worker_id) == [from_hanna]


async def test_deactivate_chooses_a_colleague_per_student(team_store):
    """Hanna leaves with three students: by default all go to the new contact person; Enter on
    one student in the dialog's list gives that one to Cora instead. The confirmation sums it
    up per colleague, and the store holds exactly those choices."""
    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    ids = {
        first: hanna.spreekuur.register_student(
            StudentDetails(first_name=first, last_name="de Vries", birth_date=date(2006, 1, 30))).id
        for first in ("Anna", "Bram", "Cees")
    }
    hanna.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await deactivate_dialog_for_hanna(app, pilot, team_store)
        assert isinstance(app.screen, DeactivateDialog)
        table = app.screen.query_one("#leaving-students", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == [
            "Anna de Vries", "Bram de Vries", "Cees de Vries"]
        assert {str(table.get_row_at(i)[1]) for i in range(table.row_count)} == {TEXT["row_default"]}
        app.screen.query_one("#new-contact", OptionList).focus()
        await pilot.press("down", "down")  # Otto, not yet Enter (that would save)
        assert {str(table.get_row_at(i)[1]) for i in range(table.row_count)} == {"Otto Collega"}
        table.focus()
        await pilot.press("down", "enter")  # Bram: choose for him alone
        await wait_until(pilot, lambda: isinstance(app.screen, WorkerPicker))
        await pilot.press("enter")  # Cora, the first of the list
        await wait_until(pilot, lambda: isinstance(app.screen, DeactivateDialog))
        assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == [
            "Otto Collega", "Cora Coördinator", "Otto Collega"]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        question = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "2 naar Otto Collega, 1 naar Cora Coördinator" in question
        await pilot.press("j")
        await settle(app, pilot)
        assert "3 student(en) hebben nu een nieuwe contactpersoon" in text_of(app, "#team-message")
    assert sorted(spreekuur.students_with_contact(team_store.store, team_store.other_id)) == sorted(
        [ids["Anna"], ids["Cees"]])
    assert spreekuur.students_with_contact(team_store.store, team_store.coordinator_id) == [ids["Bram"]]


async def test_deactivate_warns_when_the_leaving_worker_seems_logged_in(team_store):
    """Hanna's window is open (unlocked, not locked): the dialog says she seems logged in and that what
    she typed and did not save is lost, so the coördinator asks her first. Once she locked, it says nothing."""
    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await deactivate_dialog_for_hanna(app, pilot, team_store)
        info = text_of(app, "#leaving-info")
        assert "Hanna Hulpverlener lijkt nu ingelogd (sinds " in info
        assert "gaat bij het deactiveren verloren" in info
        await pilot.press("escape")
        hanna.lock()
        await pilot.press("d")
        assert "ingelogd" not in text_of(app, "#leaving-info")
        await pilot.press("escape")


async def test_a_coordinator_cannot_deactivate_themself(team_store):
    """With the cursor on yourself, the dialog says so in Dutch and does not offer your own name."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team(app, pilot, team_store)
        await to_row(app, pilot, "Cora Coördinator")
        await pilot.press("d")
        assert text_of(app, "#leaving-error") == TEXT["not_self"]
        leaving = [str(o.prompt) for o in app.screen.query_one("#leaving", OptionList).options]
        assert "Cora Coördinator (CC)" not in leaving
        await pilot.press("escape")
        assert isinstance(app.screen, TeamScreen)
    assert team.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)


# -- 3. reset a passphrase with the recovery code ---------------------------------------------------


async def test_reset_passphrase_with_the_recovery_code(team_store):
    """A wrong code is refused with the Dutch sentence and the fields kept; the right one sets the new passphrase."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team(app, pilot, team_store)
        await to_row(app, pilot, "Hanna Hulpverlener")
        await pilot.press("w")
        assert isinstance(app.screen, ResetPassphraseDialog)
        assert app.focused is app.screen.query_one("#reset-code", Input)

        await pilot.press(*"1234", "enter")
        await paste(app, pilot, NEW_PASS)
        await pilot.press("enter")
        await paste(app, pilot, NEW_PASS)
        await pilot.press("enter")
        assert text_of(app, "#reset-code-error") == TEXT["code_format"]

        await pilot.press("ctrl+u")
        await paste(app, pilot, "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345")  # well formed, wrong
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert text_of(app, "#reset-code-error") == explain(WrongPassphrase("recovery"))[0]
        assert app.focused is app.screen.query_one("#reset-code", Input)
        assert value(app, "#reset-passphrase") == NEW_PASS
        assert value(app, "#reset-repeat") == NEW_PASS

        await pilot.press("ctrl+u")
        await paste(app, pilot, team_store.recovery_code.lower())  # case does not matter
        await pilot.press("enter", "enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TeamScreen)
        assert "Het wachtwoord van Hanna Hulpverlener is hersteld" in text_of(app, "#team-message")

    assert team.unlock(team_store.store, team_store.worker_id, NEW_PASS).worker_id == team_store.worker_id
    with pytest.raises(WrongPassphrase):
        team.unlock(team_store.store, team_store.worker_id, WORKER_PASS)


# -- 4. vaste contactpersonen ----------------------------------------------------------------------------


async def test_programme_contact_set_and_cleared(team_store):
    """Type a programme, pick Hanna, Enter: saved; typed in other case and 'geen' chosen: cleared."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_team(app, pilot, team_store)
        await pilot.press("o")
        assert isinstance(app.screen, ProgrammeContactsDialog)
        assert app.focused is app.screen.query_one("#programme", Input)
        await pilot.press(*"Verzorgende IG", "enter")
        assert app.focused is app.screen.query_one("#programme-worker", OptionList)
        await pilot.press("down", "down", "down", "enter")  # geen, Cora, Hanna
        assert session.team.programme_contacts() == {"Verzorgende IG": team_store.worker_id}
        assert [str(o.prompt) for o in app.screen.query_one("#contacts", OptionList).options] == [
            "Verzorgende IG → Hanna Hulpverlener (HH)"
        ]
        assert text_of(app, "#team-dialog-message") == "Hanna Hulpverlener is nu vaste contactpersoon voor Verzorgende IG."

        await pilot.press(*"verzorgende ig", "enter", "home", "enter")
        assert session.team.programme_contacts() == {}
        assert text_of(app, "#team-dialog-message") == "Geen vaste contactpersoon meer voor Verzorgende IG."
        await pilot.press("escape")
        assert isinstance(app.screen, TeamScreen)
        assert "0 opleiding(en)" in text_of(app, "#team-settings")


# -- 5. idle lock ------------------------------------------------------------------------------------------


async def test_idle_lock_minutes_are_checked_saved_and_applied(team_store):
    """61 is refused in Dutch and kept; 15 is saved in the store and the app's idle timer follows;
    the confirmation says "1 minuut", not "1 minuten"."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_team(app, pilot, team_store)
        await pilot.press("v")
        assert value(app, "#idle-minutes") == "5"
        await pilot.press("backspace", *"61", "enter")
        assert text_of(app, "#idle-minutes-error") == TEXT["need_minutes"]
        assert value(app, "#idle-minutes") == "61"
        assert team_store.store.team().idle_lock_minutes == 5
        await pilot.press("backspace", "backspace", *"15", "enter")
        assert isinstance(app.screen, TeamScreen)
        assert team_store.store.team().idle_lock_minutes == 15
        assert app.idle_lock_seconds == 15 * 60
        assert "Vergrendelen na 15 min" in text_of(app, "#team-settings")
        assert "jongerenteam vergrendelt nu na 15 minuten zonder activiteit." in notifications(app)
        await pilot.press("v", "backspace", "backspace", "1", "enter")
        assert "jongerenteam vergrendelt nu na 1 minuut zonder activiteit." in notifications(app)  # not "1 minuten"


# -- 6. expertise -------------------------------------------------------------------------------------------


async def test_expertise_is_toggled_with_number_keys_and_saved(team_store):
    """On Hanna's row, 'e', then 2 and 5 and ctrl+s: her expertise is Welzijn and Inkomen / schulden."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team(app, pilot, team_store)
        await to_row(app, pilot, "Hanna Hulpverlener")
        await pilot.press("e")
        assert isinstance(app.screen, ExpertiseDialog)
        await pilot.press("2", "5", "ctrl+s")
        assert isinstance(app.screen, TeamScreen)
        assert table_rows(app)[1][4] == "Welzijn, Inkomen / schulden"
    assert worker_named(team_store.store, "Hanna Hulpverlener").expertise == "welzijn,inkomen"


# -- locking ---------------------------------------------------------------------------------------------------


async def test_lock_closes_the_dialog_and_unlock_returns_to_the_team_screen(team_store):
    """ctrl+l in a dialog drops it; after Cora unlocks again she is back on Team beheren."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team(app, pilot, team_store)
        await pilot.press("t", *"Fleur")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        await paste(app, pilot, COORDINATOR_PASS)  # the passphrase field has focus after a lock
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TeamScreen)
        assert app.screen.session is app.session


async def test_resetting_your_own_passphrase_locks_so_you_unlock_with_the_new_one(team_store):
    """Cora resets her own passphrase: the app locks (her keys changed) and the new passphrase opens it again."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team(app, pilot, team_store)
        await to_row(app, pilot, "Cora Coördinator")
        await pilot.press("w")
        await paste(app, pilot, team_store.recovery_code)
        await pilot.press("enter")
        await paste(app, pilot, NEW_PASS)
        await pilot.press("enter")
        await paste(app, pilot, NEW_PASS)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert app.session is None
        assert text_of(app, "#unlock-message") == TEXT["reset_self"]
        await paste(app, pilot, NEW_PASS)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TeamScreen)
        assert app.session.keys.escrow_private is not None


# -- every worker: change your own passphrase (F2, the palette) -----------------------------------------


def change_fields(app) -> tuple[str, str, str]:
    return value(app, "#change-current"), value(app, "#change-passphrase"), value(app, "#change-repeat")


async def type_change(app, pilot, current: str, new: str) -> None:
    """In the open dialog: the current passphrase, the new one twice, Enter after each (the last one saves)."""
    for text in (current, new, new):
        await paste(app, pilot, text)
        await pilot.press("enter")


async def test_a_worker_changes_her_own_passphrase_by_f2(team_store, monkeypatch):
    """Hanna (no coördinator) presses F2 on Vandaag: a wrong current passphrase is said beside it while
    everything typed stays; the right one saves (busy meanwhile, the screen answering), the notice says so,
    and after a lock only the new passphrase unlocks."""
    # The key derivation held until the test has seen the dialog busy (the real use case then runs).
    gate = threading.Event()
    real = TeamService.change_own_passphrase

    def held(self, current, new, params=None):
        assert gate.wait(WAIT_FOR_GATE)
        return real(self, current, new, params)

    monkeypatch.setattr(TeamService, "change_own_passphrase", held)
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "hanna", WORKER_PASS)
        assert isinstance(app.screen, HomeScreen)
        footer = [key.description for key in app.screen.query(FooterKey)]
        await wait_until(pilot, lambda: "Wachtwoord wijzigen" in [k.description for k in app.screen.query(FooterKey)],
                         what=f"F2 in the footer of Vandaag (now {footer})")
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, ChangePassphraseDialog), what="the dialog")
        dialog = app.screen
        assert app.focused is dialog.query_one("#change-current", Input)
        assert [dialog.query_one(f"#{f}", Input).password for f in ("change-current", "change-passphrase", "change-repeat")] \
            == [True, True, True]
        assert "Huidig wachtwoord" in screen_text(app) and "Nieuw wachtwoord nog een keer" in screen_text(app)

        await type_change(app, pilot, WORKER_PASS + "x", NEW_PASS)
        await wait_until(pilot, lambda: TEXT["change_busy"] in text_of(app, "#team-dialog-message"), what="busy")
        await pilot.press("ctrl+s")  # a second save while busy starts nothing
        gate.set()
        await settle(app, pilot)
        assert app.screen is dialog
        assert text_of(app, "#change-current-error") == TEXT["wrong_current"]
        assert text_of(app, "#team-dialog-message") == ""
        assert change_fields(app) == (WORKER_PASS + "x", NEW_PASS, NEW_PASS)
        assert app.focused is dialog.query_one("#change-current", Input)

        await pilot.press("ctrl+u")
        await paste(app, pilot, WORKER_PASS)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert TEXT["changed"] == "Je wachtwoord is gewijzigd. Gebruik voortaan het nieuwe wachtwoord."
        assert TEXT["changed"] in notifications(app)
        assert app.session is not None  # same keys: the session goes on

        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen)
        await paste(app, pilot, WORKER_PASS)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session is None
        assert "Het wachtwoord klopt niet" in text_of(app, "#unlock-message")
        await pilot.press("ctrl+u")
        await paste(app, pilot, NEW_PASS)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.session.worker_id == team_store.worker_id


async def test_change_passphrase_from_the_palette_refuses_weak_and_same_and_escape_closes(team_store):
    """Otto opens it from the palette: a weak or unchanged new passphrase is refused in the dialog, before
    any thread runs; Esc closes it and nothing changed."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "otto", OTHER_PASS)
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "ik: wachtwoord wijzigen")
        command.callback()
        await wait_until(pilot, lambda: isinstance(app.screen, ChangePassphraseDialog), what="the dialog")
        await pilot.press("f2")  # F2 again: no second dialog
        await pilot.pause()
        assert len([s for s in app.screen_stack if isinstance(s, ChangePassphraseDialog)]) == 1

        await type_change(app, pilot, OTHER_PASS, "Otto fiets 2024")
        assert text_of(app, "#change-passphrase-error") == weakness("Otto fiets 2024", names=("Otto Collega", "OC"))
        await pilot.press("ctrl+u")
        await paste(app, pilot, OTHER_PASS)
        await pilot.press("tab", "ctrl+u")
        await paste(app, pilot, OTHER_PASS)
        await pilot.press("ctrl+s")
        assert text_of(app, "#change-passphrase-error") == SAME_AS_CURRENT
        assert not [w for w in app.workers if w.name == "wachtwoord-wijzigen"]

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert team.unlock(team_store.store, team_store.other_id, OTHER_PASS).worker_id == team_store.other_id
