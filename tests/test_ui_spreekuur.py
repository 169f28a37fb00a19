"""The spreekuur through the real app (Pilot): walk-in, anonymous walk-in,
aanmelding, duplicates, bad input, search, noodtoegang, lock with a draft."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from textual.widgets import DataTable, Input, OptionList, Static, TextArea

from jongerenteam import spreekuur as intake
from jongerenteam.dates import local_today
from jongerenteam.domain import StudentDetails
from jongerenteam.session import TeamSession
from screens.dialogs import Confirm
from screens.dossier.screen import DossierScreen
from screens.home import HomeScreen
from screens.spreekuur import AnonymousPicker, DuplicateModal, IntakeScreen, LinkAnonymousModal
from screens.student import EmergencyModal, FileModal, NotInvolvedModal
from screens.unlock import UnlockScreen
from screens.widgets import LeefdomeinPicker
from storage.models import AnonymousContact, AuditEntry, Student
from tests.support import (
    CANARY_FIRST,
    CANARY_LAST,
    CANARY_NOTE,
    COORDINATOR_PASS,
    OTHER_PASS,
    SIZE,
    WORKER_PASS,
    FakeClock,
    audit_rows,
    build_app,
    build_app_with_clock,
    draft_bodies,
    everything_shown,
    last_seq,
    leaked,
    notifications,
    open_row,
    paste,
    screen_text,
    settle,
    table_rows,
    text_of,
    unlock_as,
    wait_until,
)

NEW_FIRST = "Kanarieloper"
NEW_LAST = "Wandelbroek"


def count(store, model) -> int:
    with store.reading() as s:
        return s.scalar(select(func.count()).select_from(model))


def field(app, name: str):
    return app.screen.query_one(f"#f-{name}")


def field_error(app, name: str) -> str:
    return str(app.screen.query_one(f"#err-{name}", Static).render())


async def test_walk_in_by_keyboard_only(team_store, students):
    """ctrl+n, name, birth date, hulpvraag, two leefdomeinen, ctrl+s: stored, found, on today's spreekuur."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, IntakeScreen)
        assert app.focused is field(app, "first_name")
        await pilot.press(*NEW_FIRST, "tab", *NEW_LAST, "tab", *"3 apr 2008")
        hint = str(app.screen.query_one("#hint-birth_date", Static).render())
        assert hint.startswith("03-04-2008 · ") and "jaar" in hint
        await pilot.press("tab", *"Schulden en ruzie thuis", "tab", "5", "7", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert f"Inloop van {NEW_FIRST} {NEW_LAST} opgeslagen." in notifications(app)
        queue = app.screen.query_one("#queue", DataTable)
        assert [str(queue.get_row_at(i)[1]) for i in range(queue.row_count)] == [f"{NEW_FIRST} {NEW_LAST}"]
        await pilot.press("slash", *"wandelbr")
        assert [r[0] for r in table_rows(app)] == [f"{NEW_FIRST} {NEW_LAST}"]
        record = app.session.spreekuur.search("wandelbroek")[0]
        assert record.details.birth_date == date(2008, 4, 3)
        assert record.details.leefdomeinen == ["inkomen", "wonen"]
        entries = app.session.dossier.read_file(record.id)
        assert [(e.kind, e.payload["hulpvraag"]) for e in entries] == [("inloop", "Schulden en ruzie thuis")]


# Keys that are not typed values (what a keystroke count of a task counts).
COMMAND_KEYS = {"ctrl+n", "ctrl+s", "tab", "shift+tab", "enter", "escape", "down", "up"}


async def test_anonymous_walk_in_with_a_duration_in_four_keys(team_store, students):
    """'anoniem' as first name hides what is not kept: from Vandaag, ctrl+n, the name, Tab,
    a leefdomein, Tab, the minutes, ctrl+s: four keys beyond the typed values (issue 20).
    Only date, leefdomeinen and duration are stored."""
    app = build_app(team_store)
    before = count(team_store.store, Student)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        keys = ["ctrl+n", *"anoniem", "tab", "2", "tab", *"15", "ctrl+s"]
        await pilot.press(*keys[:8])
        assert "Anonieme inloop" in str(app.screen.query_one("#hint-first_name", Static).render())
        hidden_rows = [r.id for r in app.screen.query(".row") if not r.display]
        assert "row-hulpvraag" in hidden_rows and "row-birth_date" in hidden_rows and "row-minutes" not in hidden_rows
        await pilot.press(*keys[8:11])
        assert app.focused is field(app, "minutes")
        await pilot.press(*keys[11:])
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen), everything_shown(app)
        assert len([k for k in keys if k in COMMAND_KEYS]) <= 4
        assert count(team_store.store, Student) == before
        (walk_in,) = app.session.spreekuur.walk_ins_on(local_today())
        assert walk_in.record is None and walk_in.anonymous is not None
        assert (walk_in.anonymous.leefdomeinen, walk_in.anonymous.minutes) == (("welzijn",), 15)
        queue = app.screen.query_one("#queue", DataTable)
        assert [str(queue.get_row_at(i)[1]) for i in range(queue.row_count)] == ["anoniem"]


async def test_a_name_after_anoniem_brings_every_field_back(team_store, students):
    """Typed 'anoniem' by mistake: changing the name shows the hidden fields again, with what was typed in them."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n", *"Sam", "tab", *"Bakker")
        field(app, "first_name").value = ""
        field(app, "first_name").focus()
        await pilot.press(*"anoniem")
        assert not app.screen.query_one("#row-last_name").display
        await pilot.press(*"x")
        assert app.screen.query_one("#row-last_name").display and field(app, "last_name").value == "Bakker"


def _anonymous_this_evening(team_store, minutes_before: int = 20) -> str:
    """An anonymous walk-in by Hanna ``minutes_before`` the UI tests' store moment (the same day)."""
    from datetime import timedelta

    from storage import clock
    from tests.support import STORE_NOW

    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    clock.set_clock(lambda: STORE_NOW - timedelta(minutes=minutes_before))
    try:
        return hanna.spreekuur.register_anonymous(["wonen"], 25)
    finally:
        clock.set_clock(lambda: STORE_NOW)
        hanna.lock()


async def _to_the_anonymous_row(app, pilot) -> None:
    """From Vandaag's first list to the spreekuur, the anonymous walk-in highlighted."""
    queue = app.screen.query_one("#queue", DataTable)
    await pilot.press("tab")
    assert app.focused is queue and str(queue.get_row_at(queue.cursor_row)[1]) == "anoniem"


async def test_anonymous_walk_in_linked_to_a_new_student_from_vandaag(team_store, students, dutch_time_zone):
    """Enter on the 'anoniem' row, her name, Enter (new student), ctrl+s: she has a file whose first
    walk-in is the anonymous one, at its own time; Vandaag shows her name on that row, once."""
    _anonymous_this_evening(team_store)
    app = build_app(team_store)
    before = count(team_store.store, Student)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        queue = app.screen.query_one("#queue", DataTable)
        time_shown = str(queue.get_row_at(0)[0])
        await _to_the_anonymous_row(app, pilot)
        keys = ["enter", *f"{NEW_FIRST} {NEW_LAST}", "enter", "ctrl+s"]
        await pilot.press(keys[0])
        assert isinstance(app.screen, LinkAnonymousModal)
        await pilot.press(*keys[1:-2])
        options = app.screen.query_one("#link-choices", OptionList)
        assert str(options.get_option_at_index(0).prompt) == f"Nieuwe student: {NEW_FIRST} {NEW_LAST}"
        await pilot.press(keys[-2])
        assert isinstance(app.screen, IntakeScreen) and app.screen.link is not None
        assert (field(app, "first_name").value, field(app, "last_name").value) == (NEW_FIRST, NEW_LAST)
        assert field(app, "minutes").value == "25" and field(app, "leefdomeinen").codes == ["wonen"]
        title = str(app.screen.query_one(".title", Static).render())
        assert title.startswith("Anonieme inloop van ") and title.endswith(f"{time_shown} koppelen aan een nieuwe student")
        await pilot.press(keys[-1])
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen), everything_shown(app)
        assert len([k for k in keys if k in COMMAND_KEYS]) == 3  # and the Tab to the list
        assert count(team_store.store, Student) == before + 1
        record = app.session.spreekuur.search(NEW_LAST)[0]
        assert any(f"in het dossier van {NEW_FIRST} {NEW_LAST}" in n for n in notifications(app))
        (entry,) = [e for e in app.session.dossier.read_file(record.id) if e.kind == "inloop"]
        assert entry.payload["moment"].endswith(f"T{time_shown}") and entry.payload["minuten"] == 25
        queue = app.screen.query_one("#queue", DataTable)
        assert [(str(queue.get_row_at(i)[0]), str(queue.get_row_at(i)[1])) for i in range(queue.row_count)] == [
            (time_shown, f"{NEW_FIRST} {NEW_LAST}")]
        assert count(team_store.store, AnonymousContact) == 1


async def test_anonymous_walk_in_linked_to_a_known_student_and_only_once(team_store, students):
    """Enter on 'anoniem', part of her name, Enter (she is listed first): linked to the student the
    team knows (no new student). The row is hers now; Enter on it opens her, not the link again."""
    _anonymous_this_evening(team_store)
    app = build_app(team_store)
    before = count(team_store.store, Student)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await _to_the_anonymous_row(app, pilot)
        await pilot.press("enter", *"ozdem")
        options = app.screen.query_one("#link-choices", OptionList)
        assert str(options.get_option_at_index(0).prompt).startswith("Fatma Özdemir · 12-09-2007")
        await pilot.press("enter")  # one question first, with her birth date: "n" links nothing
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
        question = " ".join(screen_text(app).split())
        assert "koppelen aan Fatma Özdemir" in question and "12-09-2007" in question, question
        await pilot.press("n")
        await settle(app, pilot)
        assert app.session.spreekuur.unlinked_anonymous() != []
        assert app.focused is app.screen.query_one("#queue", DataTable)  # back on the anonymous row
        await pilot.press("enter", *"ozdem", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
        await pilot.press("j")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen), everything_shown(app)
        assert count(team_store.store, Student) == before
        assert "staat nu als inloopgesprek in het dossier van Fatma Özdemir." in " ".join(notifications(app))
        queue = app.screen.query_one("#queue", DataTable)
        assert [str(queue.get_row_at(i)[1]) for i in range(queue.row_count)] == ["Fatma Özdemir"]
        (entry,) = [e for e in app.session.dossier.read_file(students.ozdemir_id) if e.kind == "inloop"]
        assert entry.payload["leefdomeinen"] == ["wonen"]
        with team_store.store.reading() as s:
            assert s.scalar(select(func.count()).select_from(AnonymousContact).where(AnonymousContact.linked)) == 1
        queue.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, (HomeScreen, LinkAnonymousModal))
        assert getattr(app.screen, "student_id", None) == students.ozdemir_id, everything_shown(app)


async def test_link_dialog_lists_known_students_first_and_fits_80_columns(team_store, students):
    """At 80x24: her whole name typed, the student the team knows comes first and "Nieuwe student"
    last, so Enter at once links her file instead of making a second one. The dialog, its right
    border and the whole hint fit the terminal."""
    _anonymous_this_evening(team_store)
    app = build_app(team_store)
    before = count(team_store.store, Student)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await _to_the_anonymous_row(app, pilot)
        await pilot.press("enter", *"Fatma Ozdemir")
        assert isinstance(app.screen, LinkAnonymousModal)
        prompts = [str(o.prompt) for o in app.screen.query_one("#link-choices", OptionList).options]
        assert prompts[0].startswith("Fatma Özdemir · 12-09-2007") and prompts[-1] == "Nieuwe student: Fatma Ozdemir"
        box = app.screen.query_one(".dialog")
        assert box.region.x >= 0 and box.region.right <= 80, box.region
        hint = app.screen.query_one(".hint", Static)
        assert box.region.contains_region(hint.region) and hint.region.height >= 2
        shown = screen_text(app)
        assert any(line.rstrip().endswith("╮") and len(line.rstrip()) == 80 for line in shown.splitlines()), shown
        assert "Enter: koppelen" in " ".join(shown.split()), shown
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
        await pilot.press("j")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen), everything_shown(app)
        assert count(team_store.store, Student) == before
        (entry,) = [e for e in app.session.dossier.read_file(students.ozdemir_id) if e.kind == "inloop"]
        assert entry.payload["was_anoniem"] is True


async def test_an_anonymous_walk_in_of_an_earlier_day_linked_through_the_palette(team_store, students):
    """She gives her name three days later: the palette's "student: anonieme inloop koppelen" lists
    the walk-ins not linked yet; Enter, her name, Enter on her (listed first). Her file has the walk-in
    on its own day; the list no longer offers it."""
    from datetime import timedelta

    from storage import clock
    from tests.support import STORE_NOW

    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    clock.set_clock(lambda: STORE_NOW - timedelta(days=3))
    hanna.spreekuur.register_anonymous(["onderwijs", "welzijn"], 1)
    clock.set_clock(lambda: STORE_NOW)
    hanna.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        (command,) = [c for c in app.get_system_commands(app.screen) if c.title == "student: anonieme inloop koppelen"]
        command.callback()
        await settle(app, pilot)
        assert isinstance(app.screen, AnonymousPicker)
        (line,) = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
        assert line.endswith(" · HH · Onderwijs, Welzijn · 1 minuut")
        await pilot.press("enter")
        assert isinstance(app.screen, LinkAnonymousModal)
        await pilot.press(*"ozdem", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
        await pilot.press("j")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen), everything_shown(app)
        (entry,) = [e for e in app.session.dossier.read_file(students.ozdemir_id) if e.kind == "inloop"]
        walked_in = (STORE_NOW - timedelta(days=3)).astimezone().replace(tzinfo=None)
        assert entry.payload["moment"] == walked_in.isoformat(timespec="minutes")
        assert app.session.spreekuur.unlinked_anonymous() == []
        command.callback()
        await settle(app, pilot)
        assert "geen anonieme inloop van de laatste 30 dagen die nog niet gekoppeld is" in " ".join(notifications(app))


async def test_ctrl_n_after_a_search_that_found_nobody_carries_the_name(team_store, students):
    """A search for a name the team does not know, then ctrl+n: the walk-in form has that name
    (ctrl+r the aanmelding too); after a search that found someone, the form starts empty."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("slash", *f"{NEW_FIRST} van der {NEW_LAST}")
        assert str(app.screen.query_one("#count", Static).render()).startswith("Geen student gevonden. Ctrl+n")
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, IntakeScreen)
        assert (field(app, "first_name").value, field(app, "last_name").value) == (NEW_FIRST, f"van der {NEW_LAST}")
        app.screen.query_one("#f-first_name", Input).value = ""
        app.screen.query_one("#f-last_name", Input).value = ""
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+r")
        assert app.screen.kind == "aanmelding" and field(app, "first_name").value == NEW_FIRST
        app.screen.query_one("#f-first_name", Input).value = ""
        app.screen.query_one("#f-last_name", Input).value = ""
        await pilot.press("escape", "escape", "slash", *"ozdemir", "ctrl+n")
        assert isinstance(app.screen, IntakeScreen) and field(app, "first_name").value == ""


async def test_referral_suggests_the_programmes_contact_and_waits(team_store, students):
    """Aanmelding: the vaste contactpersoon is filled in from the programme; status 'wacht'."""
    coord = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    coord.team.set_programme_contact("Verzorgende IG", team_store.other_id, seen=coord.team.programme_contacts().get("Verzorgende IG"))
    coord.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+r")
        assert isinstance(app.screen, IntakeScreen) and app.screen.kind == "aanmelding"
        await pilot.press(*NEW_FIRST, "tab", *NEW_LAST)
        field(app, "programme").focus()
        await pilot.press(*"verzorgende ig")
        assert field(app, "contact_worker").value == "Otto Collega"
        field(app, "by_name").focus()
        await pilot.press(*"Jan de Coach", "tab", *"SLB'er", "tab", *"0612345678", "tab", *"Verzuimt veel")
        assert field(app, "urgency").value == "gewoon"
        field(app, "urgency").value = ""
        field(app, "urgency").focus()
        await pilot.press(*"sn", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen), everything_shown(app)
        record = app.session.spreekuur.search(NEW_LAST)[0]
        assert record.status == "wacht" and record.contact_worker_id == team_store.other_id
        assert record.details.urgency == "snel" and record.details.waiting_since == local_today()
        waiting = app.screen.query_one("#waiting", DataTable)
        names = [str(waiting.get_row_at(i)[0]) for i in range(waiting.row_count)]
        assert f"{NEW_FIRST} {NEW_LAST}" in names


async def test_referral_without_reason_keeps_everything_typed(team_store, students):
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+r", *NEW_FIRST)
        field(app, "by_name").focus()
        await pilot.press(*"Jan de Coach")
        field(app, "contact_worker").focus()
        await pilot.press(*"HH", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert field_error(app, "reason") == "Vul de reden van de aanmelding in."
        assert app.focused is field(app, "reason")
        assert field(app, "first_name").value == NEW_FIRST and field(app, "by_name").value == "Jan de Coach"


async def test_a_referral_named_anoniem_is_refused_with_the_reason(team_store, students):
    """ctrl+r with no name says an aanmelding is always of a named student (not "or 'anoniem'");
    'anoniem' as the name is refused too, and points to an anonymous walk-in; what was typed stays."""
    app = build_app(team_store)
    before = count(team_store.store, Student)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+r", "ctrl+s")
        await settle(app, pilot)
        assert field_error(app, "first_name") == intake.REFERRAL_NAME_NEEDED
        await pilot.press(*"anoniem")
        field(app, "by_name").value = "Jan de Coach"
        field(app, "reason").text = "verzuim"
        field(app, "contact_worker").value = "HH"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert field_error(app, "first_name") == intake.REFERRAL_NOT_ANONYMOUS
        assert field(app, "first_name").value == "anoniem" and field(app, "by_name").value == "Jan de Coach"
    assert count(team_store.store, Student) == before


async def test_duplicate_warning_offers_the_existing_student(team_store, students):
    """Same birth date and a name with a typo: 'Bedoel je ...?'; choosing it adds the visit there."""
    app = build_app(team_store)
    before = count(team_store.store, Student)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n", *"Fatma", "tab", *"Ozdemr", "tab", *"12-9-2007", "tab", *"Kwam terug", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DuplicateModal)
        option = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert option.startswith("Fatma Özdemir · 12-09-2007 · studentnummer S100200")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert count(team_store.store, Student) == before
        assert "Inloopgesprek toegevoegd aan het dossier van Fatma Özdemir." in notifications(app)
        entries = app.session.dossier.read_file(students.ozdemir_id)
        assert [e.payload.get("hulpvraag") for e in entries if e.kind == "inloop"] == ["Kwam terug"]


async def test_duplicate_warning_for_a_name_that_looks_like_markup(team_store, students):
    """A walk-in named "[red]Jan" comes back: 'Bedoel je ...?' offers the student
    registered before, his name shown as typed."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n", *"[red]Jan", "tab", *"de [b]Vries", "tab", *"1-2-2008", "tab", *"Eerste keer", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen), everything_shown(app)
        before = count(team_store.store, Student)
        await pilot.press("ctrl+n", *"[red]Jan", "tab", *"de [b]Vries", "tab", *"1-2-2008", "tab", *"Kwam terug", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DuplicateModal), everything_shown(app)
        option = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert option.startswith("[red]Jan de [b]Vries · 01-02-2008")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert count(team_store.store, Student) == before


async def test_a_visit_of_a_known_student_names_the_details_it_did_not_save(team_store, students):
    """From another student's file, ctrl+n: a walk-in typed with an opleiding and niveau that
    Fatma's record holds otherwise. 'Bedoel je ...?' says her details stay as they are; after
    Enter the notice names what was typed and not saved, and that the worker is back in the
    other student's file (a next key is not for Fatma)."""
    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    hanna.spreekuur.register_student(StudentDetails(first_name="Tweede", last_name="Dossierhouder"))
    hanna.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await open_row(app, pilot, "Dossierhouder")
        other = app.screen
        assert isinstance(other, DossierScreen) and other.record.details.last_name == "Dossierhouder"
        await pilot.press("ctrl+n", *"Fatma", "tab", *"Ozdemr", "tab", *"12-9-2007", "tab", *"Kwam terug")
        field(app, "programme").value = "Kok"
        field(app, "level").value = "2"
        field(app, "student_number").value = "S100200"  # the same as hers: nothing to say
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DuplicateModal)
        assert "de gegevens van die student (opleiding, telefoon …) blijven zoals ze zijn" in text_of(app, "#duplicates-carry")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is other
        (notice,) = [n for n in notifications(app) if n.startswith("Inloopgesprek toegevoegd")]
        assert notice == (
            "Inloopgesprek toegevoegd aan het dossier van Fatma Özdemir. Niet overgenomen in de gegevens van de "
            "student (daar staat het niet, of anders): Opleiding: Kok · Niveau: 2. Klopt het wat je typte, pas het dan aan in het "
            "dossier. Je bent terug in het dossier van Tweede Dossierhouder."
        )
        record = app.session.students[students.ozdemir_id]
        assert (record.details.programme, record.details.level) == ("Pedagogisch medewerker", "3")


async def test_duplicate_warning_can_save_a_new_student_or_go_back(team_store, students):
    app = build_app(team_store)
    before = count(team_store.store, Student)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n", *"Fatma", "tab", *"Özdemir", "tab", *"12-09-2007", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DuplicateModal)
        await pilot.press("escape")
        assert isinstance(app.screen, IntakeScreen) and field(app, "last_name").value == "Özdemir"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert count(team_store.store, Student) == before + 1


async def test_duplicate_warning_for_a_name_only_walk_in_of_a_colleagues_student(team_store, students):
    """Only "Sanne" + "Jansen" (no birth date), Otto's student: 'Bedoel je ...?' offers her;
    Enter adds the visit to her file without Hanna reading it, and no second Sanne Jansen is made."""
    app = build_app(team_store)
    before = count(team_store.store, Student)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n", *"Sanne", "tab", *"Jansen", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DuplicateModal), everything_shown(app)
        options = app.screen.query_one(OptionList)
        assert [str(o.prompt) for o in options.options] == [
            "Sanne Jansen · 30-01-2006 · contactpersoon Otto Collega"]
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen), everything_shown(app)
        assert count(team_store.store, Student) == before
        assert any(n.startswith("Inloopgesprek toegevoegd aan het dossier van Sanne Jansen. Je kunt dat dossier niet lezen")
                   for n in notifications(app))


async def test_every_wrong_field_is_told_at_once_in_form_order(team_store, students):
    """An exploratory tester needed seven saves to see seven mistakes, told in a jumbled order:
    one ctrl+s now says each under its own field, the first field in the form gets the focus,
    and everything typed stays."""
    typed = {
        "first_name": "", "birth_date": "12-13-2008", "level": "5", "year": "0", "contact_preference": "telegram",
        "contact_value": "06-123", "referrer": "buurman", "minutes": "twintig", "next_date": "30-11-2025",
    }
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        for name, value in typed.items():
            field(app, name).value = value
        await settle(app, pilot)  # the fields' own Changed handlers (which clear a field's error) first
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, IntakeScreen)
        told = {name: field_error(app, name) for name in typed if field_error(app, name)}
        assert list(told) == ["first_name", "birth_date", "level", "year", "contact_preference", "referrer",
                              "minutes", "next_date"], told
        assert told["first_name"].startswith("Vul een voornaam in")
        assert app.focused is field(app, "first_name")
        assert {name: field(app, name).value for name in typed} == typed


async def test_a_very_long_name_keeps_who_in_view_on_todays_spreekuur(team_store, students):
    """A walk-in with a 60-letter surname: on Vandaag's spreekuur the name ends in "…" and the
    column "Door" (who saw her) stays in view, no sideways scrolling (an exploratory tester's finding)."""
    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    hanna.spreekuur.register_walk_in(StudentDetails(first_name="Lang", last_name="W" * 60), intake.WalkIn(hulpvraag="x"))
    hanna.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        queue = app.screen.query_one("#queue", DataTable)
        await wait_until(pilot, lambda: queue.row_count > 0, what="the spreekuur filled")
        assert queue.virtual_size.width <= queue.scrollable_content_region.width
        assert [str(c.label) for c in queue.columns.values()] == ["Tijd", "Naam", "Door"]
        assert str(queue.get_row_at(0)[2]) == "HH"


async def test_an_aanmelding_without_who_and_why_tells_both_at_once(team_store, students):
    """"Aangemeld door" and "Reden" both empty, and no contactpersoon: one ctrl+s says all three,
    each under its field (the review found the aanmelding's own fields still told one by one)."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+r", *NEW_FIRST, "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert field_error(app, "by_name") == "Vul in wie de student aanmeldt."
        assert field_error(app, "reason") == "Vul de reden van de aanmelding in."
        assert field_error(app, "contact_worker")
        assert app.focused is field(app, "by_name")


async def test_a_superscript_two_in_a_number_field_is_told_not_a_crash(team_store, students):
    """AltGr+2 types "²", which Python calls a digit but cannot turn into a number: in Leerjaar
    and Duur it is told in Dutch under the field (it crashed the app), and what was typed stays."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n", *NEW_FIRST)
        field(app, "year").value = "²"
        field(app, "minutes").value = "2²"
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, IntakeScreen)
        assert field_error(app, "year") == "Leerjaar is een getal van 1 tot en met 6."
        assert field_error(app, "minutes").startswith("Duur is een aantal minuten")
        assert (field(app, "year").value, field(app, "minutes").value) == ("²", "2²")


async def test_bad_input_is_told_next_to_the_field_and_kept(team_store, students):
    """An impossible date, a wrong phone number, a 10-year-old and an unknown municipality."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n", *NEW_FIRST, "tab", "tab", *"31-2-2008", "ctrl+s")
        await settle(app, pilot)
        assert field_error(app, "birth_date").startswith("Deze datum bestaat niet.")
        assert app.focused is field(app, "birth_date") and field(app, "birth_date").value == "31-2-2008"

        field(app, "birth_date").value = "1-1-2016"
        field(app, "contact_preference").value = "tel"
        field(app, "contact_value").value = "12345"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert field_error(app, "contact_value").startswith("Dit lijkt geen telefoonnummer")

        field(app, "contact_value").value = "06-12345678"
        field(app, "municipality").value = "Atlantis"
        await pilot.pause()
        assert "Niet in de lijst" in str(app.screen.query_one("#hint-municipality", Static).render())
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)  # 10 years old: sure?
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert "jonger dan 12" in field_error(app, "birth_date")
        assert field(app, "first_name").value == NEW_FIRST

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("j")  # yes, 10 years old
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)  # and Atlantis as free text?
        await pilot.press("j")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        record = app.session.spreekuur.search(NEW_FIRST)[0]
        assert record.details.municipality_text == "Atlantis" and record.details.municipality_code == ""
        assert record.details.contact_preference == "telefoon"


async def test_municipality_autocomplete_resolves_to_a_cbs_code(team_store, students):
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n", *NEW_FIRST)
        field(app, "municipality").focus()
        await pilot.press(*"den haag")
        assert "'s-Gravenhage (CBS-code GM0518)" in str(app.screen.query_one("#hint-municipality", Static).render())
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.session.spreekuur.search(NEW_FIRST)[0].details.municipality_code == "GM0518"


async def test_escape_asks_before_throwing_typed_text_away(team_store, students):
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n", *NEW_FIRST, "escape")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert isinstance(app.screen, IntakeScreen) and field(app, "first_name").value == NEW_FIRST
        await pilot.press("escape", "j")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+n", "escape")  # nothing typed: no question
        assert isinstance(app.screen, HomeScreen)


async def test_search_tolerates_accents_case_and_typos(team_store, students):
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        for query in ("ozd", "ÖZDEMIR", "ozdemri", "12-09-2007", "S1002"):
            await pilot.press("ctrl+f")
            app.screen.query_one("#search", Input).value = ""
            await pilot.press(*query)
            assert [r[0] for r in table_rows(app)] == ["Fatma Özdemir"], query


async def test_walk_in_talk_on_a_colleagues_student_without_reading(team_store, students):
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("slash", *"kanarie", "enter")  # one hit: Enter opens it
        await settle(app, pilot)
        assert isinstance(app.screen, NotInvolvedModal)
        await pilot.press("v", *"Vroeg naar Otto", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert CANARY_NOTE not in everything_shown(app)
    otto = TeamSession.unlock(team_store.store, team_store.other_id, OTHER_PASS)
    texts = [e.payload.get("hulpvraag") for e in otto.dossier.read_file(students.canary_id)]
    assert "Vroeg naar Otto" in texts


async def test_emergency_access_is_logged_and_shown_to_the_contact_person(team_store, students):
    """Noodtoegang needs a reason, an explanation and a coördinator's passphrase."""
    app = build_app(team_store)
    start = last_seq(team_store.store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("slash", *"kanarie", "enter")  # one hit: Enter opens it
        await settle(app, pilot)
        await pilot.press("n")
        assert isinstance(app.screen, EmergencyModal)
        await pilot.press("ctrl+s")
        assert str(app.screen.query_one("#emergency-message", Static).render()) == "Kies een reden."
        await pilot.press("down", "tab", *"Student is in paniek", "tab", "down", "tab")
        await paste(app, pilot, "fout wachtwoord")
        await pilot.press("enter")
        await settle(app, pilot)
        assert str(app.screen.query_one("#emergency-message", Static).render()) == "Het wachtwoord klopt niet. Probeer het opnieuw."
        assert app.screen.query_one("#explanation", Input).value == "Student is in paniek"
        await paste(app, pilot, COORDINATOR_PASS)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FileModal)
        assert CANARY_NOTE in everything_shown(app)
    logged = audit_rows(team_store.store, "emergency_access", after=start)
    assert [(e.worker_id, e.on_behalf_of, e.student_id) for e in logged] == [
        (team_store.worker_id, team_store.coordinator_id, students.canary_id)
    ]
    # Otto, the contact person, sees it on Vandaag.
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ot", OTHER_PASS)
        notices = str(app.screen.query_one("#notices", Static).render())
        assert f"{CANARY_FIRST} {CANARY_LAST} · door Hanna Hulpverlener met Cora Coördinator" in notices


async def test_lock_mid_form_keeps_a_sealed_draft_for_the_same_worker(team_store, students):
    """ctrl+l in a half-filled form: no personal data in the widget tree; after unlock the form is back."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n", *CANARY_FIRST, "tab", *CANARY_LAST, "tab", "tab", *"geheim verhaal")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert leaked(app) == [] and "geheim verhaal" not in everything_shown(app)
        (sealed,) = draft_bodies(team_store.store, team_store.worker_id)
        assert CANARY_FIRST.encode() not in sealed
        # Another worker unlocking does not get Hanna's draft.
        await pilot.press("escape", *["backspace"] * 2, *"ot", "enter")
        await paste(app, pilot, OTHER_PASS)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("escape", *["backspace"] * 2, *"ha", "enter")
        await paste(app, pilot, WORKER_PASS)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert field(app, "first_name").value == CANARY_FIRST
        assert app.screen.query_one("#f-hulpvraag", TextArea).text == "geheim verhaal"
        assert "Je niet-opgeslagen invoer is teruggezet." in notifications(app)
        assert app._restored == {}  # put back once


async def test_idle_lock_in_a_form_with_a_fake_clock(team_store, students):
    clock = FakeClock()
    app = build_app_with_clock(team_store, clock, idle_lock_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n", *CANARY_FIRST)
        app.screen.query_one(LeefdomeinPicker).focus()
        await pilot.press("8")
        clock.advance(61)
        app.check_idle_lock()
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert leaked(app) == []
        await paste(app, pilot, WORKER_PASS)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert field(app, "first_name").value == CANARY_FIRST
        assert app.screen.query_one(LeefdomeinPicker).codes == ["veiligheid"]


async def test_palette_has_noun_verb_commands(team_store, students):
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in ("student: zoeken", "student: inloop registreren", "student: aanmelden", "vandaag: tonen",
                       "student: anonieme inloop koppelen"):
            assert wanted in titles
        assert not any(t.startswith("team:") for t in titles)  # not a coördinator


async def test_no_audit_noise_for_an_empty_vandaag(team_store, students):
    """Opening Vandaag reads no file unless there are appointments to show."""
    app = build_app(team_store)
    start = last_seq(team_store.store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
    assert audit_rows(team_store.store, "open", after=start) == []
    with team_store.store.reading() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.seq > start)) >= 1


async def test_quit_asks_before_losing_typed_text(team_store, students):
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        session = app.session
        await pilot.press("ctrl+n", *NEW_FIRST, "ctrl+q")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert isinstance(app.screen, IntakeScreen) and field(app, "first_name").value == NEW_FIRST
        await pilot.press("ctrl+o")  # to Vandaag: also asks
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await pilot.press("ctrl+q", "j")
        await pilot.pause()
    assert app.return_code == 0 and session.is_locked


async def test_a_busy_store_keeps_the_form_and_a_retry_saves(team_store, students):
    """Another program holds the store's write lock: a Dutch message, the form stays filled, ctrl+s again works."""
    import sqlite3

    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n", *NEW_FIRST, "tab", *NEW_LAST, "tab", "tab", *"Zorgen over geld")
        blocker = sqlite3.connect(str(team_store.path), timeout=1, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            message = str(app.screen.query_one("#form-message", Static).render())
            assert message.startswith("De teamopslag is bezet door een ander programma.")
            assert message.endswith("Je invoer staat er nog.")
            assert isinstance(app.screen, IntakeScreen)
            assert field(app, "last_name").value == NEW_LAST
            assert app.screen.query_one("#f-hulpvraag", TextArea).text == "Zorgen over geld"
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert len(app.session.spreekuur.search(NEW_LAST)) == 1


async def test_visit_window_asks_before_discarding_and_survives_a_lock(team_store, students):
    """The 'inloopgesprek toevoegen' window: Esc asks when text was typed; a lock keeps it sealed for the same worker."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("slash", *"kanarie", "enter")
        await settle(app, pilot)
        await pilot.press("v", *"Vroeg naar Otto", "escape")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen) and "Vroeg naar Otto" not in everything_shown(app)
        await paste(app, pilot, WORKER_PASS)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.query_one("#visit-hulpvraag", TextArea).text == "Vroeg naar Otto"


async def test_follow_up_without_a_year_lands_on_vandaag(team_store, students):
    """'Vervolgafspraak 30-11' means the next 30 November; Vandaag shows it in Mijn studenten."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n", *NEW_FIRST)
        field(app, "next_date").focus()
        await pilot.press(*"30-11", "tab", *"bellen met budgetcoach", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        caseload = app.screen.query_one("#caseload", DataTable)
        rows = [[str(c) for c in caseload.get_row_at(i)] for i in range(caseload.row_count)]
        (mine,) = [r for r in rows if r[0] == NEW_FIRST]
        assert mine[3] == "30-11 bellen met budgetcoach"


async def test_ctrl_o_leaves_a_search_for_vandaag(team_store, students):
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("slash", *"ozd")
        assert app.screen.query_one("#results").display
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        assert app.screen.query_one("#search", Input).value == ""
        assert app.screen.query_one("#today").display and not app.screen.query_one("#results").display
        assert app.focused is app.screen.query_one("#caseload", DataTable)
