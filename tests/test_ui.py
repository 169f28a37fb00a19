"""UI tests: drive the real Textual app with a Pilot and check widgets, focus, messages and the store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.command import CommandInput, CommandPalette
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets._footer import FooterKey

import screens.app as app_module
from jongerenteam.session import TeamSession
from screens.app import JongerenteamApp
from screens.dossier import DossierScreen, LineTable
from screens.home import HomeScreen
from screens.student import NotInvolvedModal
from screens.unlock import UnlockScreen
from storage import clock as store_clock
from storage import team
from tests.support import (
    CANARY_FIRST,
    CANARY_LAST,
    CANARY_NOTE,
    CANARY_NUMBER,
    COORDINATOR_PASS,
    JANSEN_FIRST,
    JANSEN_LAST,
    OTHER_PASS,
    OZDEMIR_FIRST,
    OZDEMIR_LAST,
    OZDEMIR_NOTE,
    SIZE,
    STORE_NOW,
    STUDENT_SECRETS,
    WORKER_PASS,
    FakeClock,
    audit_rows,
    build_app,
    build_app_with_clock,
    everything_shown,
    last_seq,
    leaked,
    lock_during_the_next_read,
    open_row,
    paste,
    screen_text,
    settle,
    table_rows,
    text_of,
    unlock_as,
    wait_until,
)


def message(app) -> str:
    return text_of(app, "#unlock-message")


def option_prompts(app) -> list[str]:
    return [str(o.prompt) for o in app.screen.query_one("#workers", OptionList).options]


# -- 1. unlock ------------------------------------------------------------------


async def test_unlock_pick_name_then_passphrase_shows_students(team_store, students):
    """Filtering the worker list, Enter to the passphrase, and a right passphrase opens the student list."""
    app = build_app(team_store)
    start = last_seq(team_store.store)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, UnlockScreen)
        assert app.focused is app.screen.query_one("#name-filter", Input)
        assert option_prompts(app) == [
            "Cora Coördinator (CC) · coördinator",
            "Hanna Hulpverlener (HH) · hulpverlener",
            "Otto Collega (OC) · hulpverlener",
        ]
        await pilot.press(*"hann")
        assert option_prompts(app) == ["Hanna Hulpverlener (HH) · hulpverlener"]
        await pilot.press("enter")
        assert app.focused is app.screen.query_one("#passphrase", Input)
        assert app.screen.query_one("#passphrase", Input).password

        await pilot.press(*WORKER_PASS, "enter")
        await settle(app, pilot)

        assert isinstance(app.screen, HomeScreen)
        assert app.session is not None and app.session.worker_id == team_store.worker_id
        # Vandaag first; the search shows the team's students.
        assert app.focused is app.screen.query_one("#caseload", DataTable)
        await pilot.press("slash", "a")
        rows = {row[0]: row for row in table_rows(app)}
        assert set(rows) == {f"{OZDEMIR_FIRST} {OZDEMIR_LAST}", f"{CANARY_FIRST} {CANARY_LAST}", f"{JANSEN_FIRST} {JANSEN_LAST}"}
        assert rows[f"{OZDEMIR_FIRST} {OZDEMIR_LAST}"][-1] == "ja"
        assert rows[f"{OZDEMIR_FIRST} {OZDEMIR_LAST}"][4] == "Hanna Hulpverlener"
        assert rows[f"{CANARY_FIRST} {CANARY_LAST}"][-1] == "nee"
        assert rows[f"{CANARY_FIRST} {CANARY_LAST}"][4] == "Otto Collega"
        assert str(app.screen.query_one("#count", Static).render()) == "3 van 3 studenten"
        assert [r.worker_id for r in audit_rows(team_store.store, "login", after=start)] == [team_store.worker_id]


async def test_letters_typed_right_behind_enter_do_not_join_the_passphrase(team_store, students):
    """Name, Enter, passphrase, Enter and at once the start of a student's name, in one burst
    (as a fast typist does, before the app has handled a key): the passphrase is submitted as
    it was at Enter, so the worker is let in, not told the passphrase is wrong."""
    from textual import events

    def keys(text: str) -> list[events.Key]:
        names = {" ": "space", "\n": "enter"}
        return [events.Key(names.get(ch, ch), "\r" if ch == "\n" else ch) for ch in text]

    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys(f"hanna\n{WORKER_PASS}\nozd"):  # all queued before the app reads one
            app.post_message(key)
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen), what="Vandaag, not a refusal")
        await settle(app, pilot)  # Vandaag mounted whole before the app ends
        assert app.session is not None and app.session.worker_id == team_store.worker_id


async def test_a_typo_in_the_passphrase_corrected_fast_still_unlocks(team_store, students):
    """The passphrase typed in one burst with a typo put right by backspace (a laptop busy
    for a moment reads the keys in one go): the backspace acts where it was typed, so the
    worker is let in, not told the passphrase is wrong."""
    from textual import events

    typed = [events.Key(ch if ch != " " else "space", ch) for ch in "hanna"] + [events.Key("enter", "\r")]
    typed += [events.Key(ch if ch != " " else "space", ch) for ch in WORKER_PASS[:5] + "x"]
    typed += [events.Key("backspace", None)]
    typed += [events.Key(ch if ch != " " else "space", ch) for ch in WORKER_PASS[5:]]
    typed += [events.Key("enter", "\r")]
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in typed:  # all queued before the app reads one
            app.post_message(key)
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen) or bool(message(app)),
                         what="Vandaag or a refusal")
        await settle(app, pilot)
        assert app.session is not None, message(app)


async def test_unlock_lists_only_active_workers(team_store):
    """A deactivated colleague is no longer offered on the unlock screen."""
    coordinator = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    coordinator.team.deactivate_worker(team_store.other_id)
    coordinator.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        assert option_prompts(app) == [
            "Cora Coördinator (CC) · coördinator",
            "Hanna Hulpverlener (HH) · hulpverlener",
        ]
        assert not app.screen.query("#unlock-demo")  # only the demo shows passphrases
        await pilot.press(*"otto", "enter")
        assert option_prompts(app) == []
        # On to the masked field all the same: a passphrase typed next never shows in the name field.
        assert app.focused is app.screen.query_one("#passphrase", Input)
        assert message(app) == "Kies eerst je naam in de lijst."
        await pilot.press(*"geheim", "enter")
        # Still the masked field: the passphrase typed again (as after a typo) stays hidden.
        assert app.focused is app.screen.query_one("#passphrase", Input)
        assert message(app) == "Kies eerst je naam in de lijst: druk op Esc en typ je naam."
        assert app.screen.query_one("#passphrase", Input).value == ""
        await pilot.press(*"geheim")
        assert app.screen.query_one("#name-filter", Input).value == "otto"
        assert "geheim" not in screen_text(app)
        await pilot.press("escape")
        assert app.focused is app.screen.query_one("#name-filter", Input)
        assert app.screen.query_one("#passphrase", Input).value == ""


async def test_unlock_filter_is_accent_insensitive_and_arrows_pick(team_store):
    """'coor' finds 'Coördinator'; arrow keys move the highlight while the filter has focus."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"coor")
        assert option_prompts(app) == ["Cora Coördinator (CC) · coördinator"]
        await pilot.press(*["backspace"] * 4)
        await pilot.press("down", "down")
        assert app.screen.selected_worker_id() == team_store.other_id
        await pilot.press("up")
        assert app.screen.selected_worker_id() == team_store.worker_id
        await pilot.press(*"zzz", "enter")
        assert option_prompts(app) == []
        assert message(app) == "Kies eerst je naam in de lijst."
        assert app.focused is app.screen.query_one("#passphrase", Input)  # masked, whatever is typed next
        await pilot.press("escape")
        assert app.focused is app.screen.query_one("#name-filter", Input)


# -- 2. wrong passphrase and the growing delay --------------------------------------


async def test_wrong_passphrase_is_refused_cleared_and_logged(team_store):
    """A wrong passphrase gives a Dutch message, empties and focuses the field, and logs 'failed_login'."""
    app = build_app(team_store)
    start = last_seq(team_store.store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", "dit is niet het wachtwoord")
        assert isinstance(app.screen, UnlockScreen)
        assert app.session is None
        assert "Het wachtwoord klopt niet" in message(app)
        field = app.screen.query_one("#passphrase", Input)
        assert field.value == ""
        assert app.focused is field
        failed = audit_rows(team_store.store, "failed_login", after=start)
        assert [r.worker_id for r in failed] == [team_store.worker_id]
        assert audit_rows(team_store.store, "login", after=start) == []


async def test_after_five_failures_a_growing_delay_refuses_even_the_right_passphrase(team_store, students):
    """From the fifth wrong try on, a doubling wait applies; only after it has passed does the right passphrase work."""
    clock = FakeClock()
    # The wait is computed from the audit log's times: let the store's clock follow.
    base = clock.now
    store_clock.set_clock(lambda: STORE_NOW + timedelta(seconds=clock.now - base))
    app = build_app_with_clock(team_store, clock)
    start = last_seq(team_store.store)
    async with app.run_test(size=SIZE) as pilot:

        async def attempt(passphrase: str) -> None:
            await paste(app, pilot, passphrase)
            await pilot.press("enter")
            await settle(app, pilot)

        await pilot.press(*"hanna", "enter")
        for n in range(4):
            await attempt(f"fout {n}")
            assert "Wacht" not in message(app)
        await attempt("fout 5")
        assert "Het wachtwoord klopt niet" in message(app)
        assert "Wacht 2 seconden" in message(app)
        assert len(audit_rows(team_store.store, "failed_login", after=start)) == 5

        # During the wait even the right passphrase is refused, without trying it.
        clock.advance(0.5)
        await attempt(WORKER_PASS)
        assert isinstance(app.screen, UnlockScreen)
        assert app.session is None
        assert "Wacht 2 seconden" in message(app)
        clock.advance(0.5)
        await pilot.press("enter")  # the passphrase is still in the field
        await settle(app, pilot)
        assert "Wacht 1 seconde en" in message(app)
        assert app.session is None
        assert audit_rows(team_store.store, "login", after=start) == []
        assert len(audit_rows(team_store.store, "failed_login", after=start)) == 5

        # Wait over; another wrong try doubles the delay.
        clock.advance(1)
        app.screen.query_one("#passphrase", Input).value = ""
        await attempt("fout 6")
        assert "Wacht 4 seconden" in message(app)
        assert len(audit_rows(team_store.store, "failed_login", after=start)) == 6

        clock.advance(4)
        await attempt(WORKER_PASS)
        assert isinstance(app.screen, HomeScreen)
        assert app.session is not None and app.session.worker_id == team_store.worker_id
        assert [r.worker_id for r in audit_rows(team_store.store, "login", after=start)] == [team_store.worker_id]


async def test_the_wait_survives_a_restart_of_the_app(team_store, fixed_store_clock):
    """Five wrong guesses, then a fresh app: the right passphrase is still refused until the wait has passed."""
    from storage.errors import WrongPassphrase

    for n in range(5):
        with pytest.raises(WrongPassphrase):
            team.unlock(team_store.store, team_store.worker_id, f"fout {n}")
    start = last_seq(team_store.store)
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        assert isinstance(app.screen, UnlockScreen)
        assert "Wacht 2 seconden" in message(app)
        assert audit_rows(team_store.store, "login", after=start) == []


# -- 3. home: search and opening a file ----------------------------------------------


async def test_search_filters_accent_insensitively_and_escape_clears(team_store, students):
    """'ozd' finds Özdemir only; the count follows; Escape brings back every student."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("slash")
        search = app.screen.query_one("#search", Input)
        assert app.focused is search
        await pilot.press(*"ozd")
        assert [row[0] for row in table_rows(app)] == [f"{OZDEMIR_FIRST} {OZDEMIR_LAST}"]
        assert str(app.screen.query_one("#count", Static).render()) == "1 van 3 studenten"
        await pilot.press(*"xq")
        assert table_rows(app) == []
        assert str(app.screen.query_one("#count", Static).render()).startswith("Geen student gevonden.")
        await pilot.press("escape")
        assert search.value == ""
        assert app.screen.query_one("#today").display and not app.screen.query_one("#results").display
        assert app.focused is app.screen.query_one("#caseload", DataTable)


async def test_vandaag_draws_the_first_rows_of_a_long_list_and_plus_draws_all(team_store):
    """A worker with 160 students: the caseload draws 50, its title says 160 and how to see the rest;
    "+" on that list draws all of it. Search finds at most 100 results and says how many there are;
    it draws a screenful (30) at once and the next 30 when the cursor comes near the end."""
    from jongerenteam.demo import demo_students
    from storage import students as store_students

    keys = team.unlock(team_store.store, team_store.worker_id, WORKER_PASS, event=None)
    new = [
        store_students.NewStudent(n.data, "lopend", team_store.worker_id)
        for n in demo_students(160, [team_store.worker_id], seed=60)
    ]
    store_students.add_students(team_store.store, keys, new)
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await wait_until(pilot, lambda: app.screen.query_one("#caseload", DataTable).row_count > 0, what="caseload")
        caseload = app.screen.query_one("#caseload", DataTable)
        assert caseload.row_count == 50
        assert text_of(app, "#title-caseload") == "Mijn studenten (160) · de eerste 50, + toont alles"
        caseload.focus()
        await pilot.press("plus")
        await settle(app, pilot)
        assert app.screen.query_one("#caseload", DataTable).row_count == 160
        assert text_of(app, "#title-caseload") == "Mijn studenten (160)"
        await pilot.press("slash", *"e")
        await settle(app, pilot)
        assert len(table_rows(app)) == 30
        assert text_of(app, "#count") == "100 van 160 studenten getoond: typ verder om te zoeken"
        first_page = table_rows(app)
        await pilot.press("down")  # to the list
        for drawn in (60, 90, 100, 100):
            await pilot.press("ctrl+end")
            await wait_until(pilot, lambda drawn=drawn: len(table_rows(app)) == drawn, what=f"{drawn} rows")
        assert table_rows(app)[:30] == first_page


async def test_help_on_vandaag_and_in_the_dossier_lists_the_screens_own_keys(team_store, students):
    """? on Vandaag (no field takes it) and F1 in a dossier open the help of that screen: what it is
    for, in Dutch, and its keys from the bindings the Footer draws, also those the Footer leaves out.
    In the search field ? is a letter."""
    from screens.help import HelpScreen

    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        assert app.focused is app.screen.query_one("#caseload", DataTable)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        assert screen_text(app).count("Hulp: Vandaag") == 1
        assert "Je dag in één scherm" in text_of(app, "#help-about")
        keys = {tuple(row) for row in table_rows(app, "#help-keys")}
        assert {("ctrl+n", "Inloop"), ("+", "Alles tonen"), ("/", "Zoeken"), ("f5", "Vernieuwen")} <= keys
        english = ("Cursor", "Copy", "Focus", "Page", "Select", "Top", "Bottom")
        assert not [row for row in keys if any(word in row[1] for word in english)]  # Textual's own keys: in Dutch
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.focused is app.screen.query_one("#caseload", DataTable)
        await pilot.press("slash", "question_mark")
        assert app.screen.query_one("#search", Input).value == "?" and isinstance(app.screen, HomeScreen)
        await pilot.press("escape")
        await open_row(app, pilot, "ozd")
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Hulp: Het dossier" in screen_text(app)
        keys = {tuple(row) for row in table_rows(app, "#help-keys")}
        assert {("s", "Status"), ("w", "Overdracht")} <= keys
        assert not [row for row in keys if any(word in row[1] for word in english)]
        await pilot.press("f1")  # F1 again closes it
        await settle(app, pilot)
        assert isinstance(app.screen, DossierScreen)


@pytest.mark.parametrize("size", [(80, 24), SIZE], ids=["80x24", "120x36"])
async def test_the_dossier_help_names_the_tabs_and_wraps_a_long_row(team_store, students, size):
    """F1 in a dossier: the keys 1-7 are named by their tab (from the dossier's own bindings),
    and the last row (Tab / shift+Tab) is shown whole, wrapped, at 80x24 and 120x36."""
    from screens.dossier.screen import PANES
    from screens.help import MOVING, HelpScreen

    app = build_app(team_store)
    async with app.run_test(size=size) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await open_row(app, pilot, "ozd")
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        rows = [tuple(row) for row in table_rows(app, "#help-keys")]
        tabs = [row for row in rows if row[0] in "1234567"]
        assert tabs == [
            ("1", "Tabblad Overzicht"), ("2", "Tabblad Gesprekken"), ("3", "Tabblad Afspraken"),
            ("4", "Tabblad Leefdomeinen"), ("5", "Tabblad Toestemming"), ("6", "Tabblad Betrokkenen"),
            ("7", "Tabblad Logboek"),
        ]
        assert [f"Tabblad {pane.TAB_TITLE}" for pane in PANES.values()] == [does for _key, does in tabs]
        await pilot.press("ctrl+end")  # to the last row
        await settle(app, pilot)
        key, does = MOVING[-1]
        lines = screen_text(app).splitlines()
        at = next(i for i, line in enumerate(lines) if key in line)
        start = lines[at].index(does.split()[0], lines[at].index(key) + len(key))
        shown = " ".join(line[start:].strip(" │┃▊▎▌█▐") for line in lines[at:at + 3])
        assert does in " ".join(shown.split()), shown


def test_every_screen_says_what_it_is_for():
    """Each full screen has a Dutch help text and title (a dialog without its own gets the form's)."""
    import importlib
    import inspect
    import pkgutil

    from textual.screen import ModalScreen, Screen

    import screens

    found = []
    for info in pkgutil.walk_packages(screens.__path__, "screens."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Screen) and not issubclass(cls, ModalScreen) and cls.__module__ == module.__name__:
                found.append(cls)
                assert cls.__dict__.get("HELP") and cls.__dict__.get("HELP_TITLE"), cls.__name__
    assert len(found) >= 12


async def test_typing_a_name_on_vandaag_searches_and_slash_selects_the_old_query(team_store, students):
    """Letters typed while a Vandaag list has focus land in the search, first letter included;
    '/' later selects the old query, so typing replaces it."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        search = app.screen.query_one("#search", Input)
        assert app.focused is app.screen.query_one("#caseload", DataTable)
        await pilot.press(*"Ozd")
        await pilot.pause()
        assert app.focused is search and search.value == "Ozd"
        assert [row[0] for row in table_rows(app)] == [f"{OZDEMIR_FIRST} {OZDEMIR_LAST}"]
        # A name with a space, typed in one burst from a list: nothing lost.
        await pilot.press("escape")
        assert app.focused is app.screen.query_one("#caseload", DataTable)
        await pilot.press(*OZDEMIR_FIRST, "space", *"ozd")
        await pilot.pause()
        assert search.value == f"{OZDEMIR_FIRST} ozd"
        assert [row[0] for row in table_rows(app)] == [f"{OZDEMIR_FIRST} {OZDEMIR_LAST}"]
        await pilot.press("down")  # to the list; "/" brings the query back, selected
        await pilot.press("slash", *"xq")
        assert search.value == "xq"


async def test_enter_on_student_of_a_colleague_names_the_contact_and_opens_nothing(team_store, students):
    """A worker who is not involved gets a notice with the contact person, no file and no 'open' log entry."""
    app = build_app(team_store)
    start = last_seq(team_store.store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await open_row(app, pilot, "kan")
        assert isinstance(app.screen, NotInvolvedModal)
        assert not any(isinstance(s, DossierScreen) for s in app.screen_stack)
        assert str(app.screen.query_one("#not-involved", Static).render()) == (
            f"Je bent niet betrokken bij {CANARY_FIRST} {CANARY_LAST}. Contactpersoon: Otto Collega."
        )
        assert CANARY_NOTE not in everything_shown(app)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        assert audit_rows(team_store.store, "open", after=start) == []


async def test_enter_on_own_student_opens_the_file_and_logs_open(team_store, dutch_time_zone, students):
    """An involved worker gets the dossier; its timeline shows the entry with the local date; an 'open' entry is logged."""
    app = build_app(team_store)
    start = last_seq(team_store.store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await open_row(app, pilot, "ozd")
        assert isinstance(app.screen, DossierScreen)
        assert f"{OZDEMIR_FIRST} {OZDEMIR_LAST}" in str(app.screen.query_one("#dossier-header", Static).render())
        await pilot.press("2")
        await settle(app, pilot)
        rows = [[text for text, _style in row] for row in app.screen.query_one("#talks", LineTable).rows]
        assert rows == [["15-03-2026 00:30", "notitie", "HH", "", OZDEMIR_NOTE]]  # 14-03 23:30 UTC is 15-03 in Amsterdam
        opened = audit_rows(team_store.store, "open", after=start)
        assert [(r.worker_id, r.student_id) for r in opened] == [(team_store.worker_id, students.ozdemir_id)]

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_lock_while_a_file_is_being_read_shows_no_file(team_store, students):
    """If the lock comes while the file is read in the background, the file never appears on the lock screen."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        lock_during_the_next_read(app)
        await open_row(app, pilot, "ozd")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert not any(isinstance(s, DossierScreen) for s in app.screen_stack)
        assert leaked(app) == []


# -- 4. lock ------------------------------------------------------------------------


async def test_unlock_freezes_the_directory_for_the_garbage_collector_and_lock_thaws_it(team_store, students):
    """After the unlock the decrypted directory is frozen (``gc.freeze()``): a full garbage
    collection no longer walks it (a scroll step waited 0.5-1.1 s for that at 50,000
    students, docs/performance.md). The lock and the end of the app thaw it, so nothing
    of a session stays out of the collector's reach."""
    import gc

    def frozen(obj: object) -> bool:
        # gc.get_objects() lists the collector's generations, not the frozen (permanent) one.
        return gc.is_tracked(obj) and not any(o is obj for o in gc.get_objects())

    gc.unfreeze()
    app = build_app(team_store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            assert gc.get_freeze_count() == 0
            await unlock_as(app, pilot, "ha", WORKER_PASS)
            assert isinstance(app.screen, HomeScreen)
            assert gc.get_freeze_count() > 0
            assert frozen(app.session.students)

            await pilot.press("ctrl+l")
            await wait_until(pilot, lambda: isinstance(app.screen, UnlockScreen), what="the unlock screen")
            assert gc.get_freeze_count() == 0

            await unlock_as(app, pilot, "ha", WORKER_PASS)
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() == 0  # the app ended
    finally:
        gc.unfreeze()


async def test_a_search_typed_while_the_index_is_built_waits_without_holding_the_keys(team_store, students,
                                                                                        monkeypatch):
    """Vandaag draws before the search index is built (in a thread). Letters typed meanwhile go
    into the field at once and the line under it says the search is being prepared; the results
    come as soon as the index is there, for everything typed."""
    import threading

    from jongerenteam.directory import Directory
    from screens.widgets import highlighted_key
    from tests.support import WAIT, submit_unlock

    release = threading.Event()
    build = Directory.prepare_search

    def held(self: Directory) -> int:
        release.wait(WAIT)
        return build(self)

    monkeypatch.setattr(Directory, "prepare_search", held)
    app = build_app(team_store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await submit_unlock(app, pilot, "ha", WORKER_PASS)
            await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.today is not None,
                             what="Vandaag drawn")
            await pilot.press("slash", *"ozd")
            assert app.screen.query_one("#search", Input).value == "ozd"
            assert str(app.screen.query_one("#count", Static).render()) == "Het zoeken wordt voorbereid…"
            assert not app.session.spreekuur.search_ready()
            release.set()
            table = app.screen.query_one("#students", DataTable)
            await wait_until(pilot, lambda: table.row_count == 1, what="the results once the index is built")
            assert highlighted_key(table) == students.ozdemir_id
    finally:
        release.set()


async def test_full_garbage_collections_wait_until_nobody_types(team_store, students):
    """Python's full garbage collection (150-220 ms at 50,000 students) no longer starts in the
    middle of a scroll step or a keystroke: the app runs it once no key was pressed for a
    second (docs/performance.md); the end of the app gives Python its own rule back."""
    import gc

    clock = FakeClock()
    app = build_app_with_clock(team_store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        assert gc.get_threshold()[2] == app_module.FULL_GC_BACKSTOP
        for _ in range(app_module.FULL_GC_DUE):
            gc.collect(1)  # each middle pass counts towards a full one
        await pilot.press("down")  # someone is working
        assert not app.collect_when_idle()
        assert gc.get_count()[2] >= app_module.FULL_GC_DUE
        clock.advance(app_module.IDLE_GC_SECONDS)
        await wait_until(pilot, lambda: gc.get_count()[2] < app_module.FULL_GC_DUE, what="a full collection once idle")
    assert gc.get_threshold()[2] == app_module.FULL_GC_DUE


async def test_ctrl_l_locks_and_leaves_no_student_data_anywhere(team_store, students):
    """ctrl+l drops the session, removes the home screen and the file, and logs 'lock'."""
    app = build_app(team_store)
    start = last_seq(team_store.store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        session = app.session
        home = app.screen
        await open_row(app, pilot, "kan")  # leaves a notice that names the student
        await pilot.press("escape")  # clear the search again
        await open_row(app, pilot, "ozd")
        assert isinstance(app.screen, DossierScreen)
        assert leaked(app)  # the helper does see decrypted data while unlocked

        await pilot.press("ctrl+l")
        await pilot.pause()

        assert isinstance(app.screen, UnlockScreen)
        assert not any(isinstance(s, (HomeScreen, DossierScreen)) for s in app.screen_stack)
        assert not home.is_attached
        assert app.session is None
        assert session.is_locked and session.students == {}
        assert leaked(app) == []
        assert message(app) == "Vergrendeld."
        assert app.focused is app.screen.query_one("#passphrase", Input)
        assert [r.worker_id for r in audit_rows(team_store.store, "lock", after=start)] == [team_store.worker_id]

        # Unlocking again as somebody else works from the same screen.
        await pilot.press("escape", *["backspace"] * 2, *"ot", "enter")
        await paste(app, pilot, OTHER_PASS)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.session.worker_id == team_store.other_id
        # The first unlock of the run is a login; this one, after a lock, an unlock.
        assert [r.worker_id for r in audit_rows(team_store.store, "login", after=start)] == [team_store.worker_id]
        assert [r.worker_id for r in audit_rows(team_store.store, "unlock", after=start)] == [team_store.other_id]


# -- 5. idle auto-lock ----------------------------------------------------------------


async def test_idle_lock_after_the_timeout_and_key_presses_reset_the_timer(team_store, students):
    """With a fake clock: activity postpones the lock; after the idle time the file closes and the lock screen shows."""
    clock = FakeClock()
    app = build_app_with_clock(team_store, clock, idle_lock_seconds=60)
    start = last_seq(team_store.store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        assert app.idle_lock_seconds == 60
        clock.advance(50)
        await pilot.press("down")  # activity
        clock.advance(50)  # 100 s since unlock, 50 s since the key press
        app.check_idle_lock()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.session is not None

        await open_row(app, pilot, "ozd")
        assert isinstance(app.screen, DossierScreen)
        clock.advance(59)
        app.check_idle_lock()
        await pilot.pause()
        assert isinstance(app.screen, DossierScreen)

        clock.advance(1)
        app.check_idle_lock()
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert app.session is None
        assert "Automatisch vergrendeld" in message(app)
        assert leaked(app) == []
        assert len(audit_rows(team_store.store, "lock", after=start)) == 1


async def test_idle_lock_defaults_to_the_teams_five_minutes(team_store, students):
    """Without an override the team's 5 minutes apply: 299 s keeps the session, 300 s locks it."""
    clock = FakeClock()
    app = build_app_with_clock(team_store, clock)
    async with app.run_test(size=SIZE) as pilot:
        assert app.idle_lock_seconds == 300
        app.check_idle_lock()  # nothing to lock yet: no error, no message
        assert message(app) == ""
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        clock.advance(299)
        app.check_idle_lock()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        clock.advance(1)
        app.check_idle_lock()
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert "Automatisch vergrendeld" in message(app)


async def test_idle_lock_timer_fires_by_itself(team_store, students, monkeypatch):
    """The app's own interval runs the idle check; no test has to call it."""
    monkeypatch.setattr(app_module, "IDLE_CHECK_SECONDS", 0.02)
    clock = FakeClock()
    app = build_app_with_clock(team_store, clock, idle_lock_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        clock.advance(61)
        await wait_until(pilot, lambda: isinstance(app.screen, UnlockScreen), what="the idle lock")
        assert app.session is None
        assert leaked(app) == []


# -- 6. Dutch keys and commands --------------------------------------------------------


async def test_footer_and_command_palette_are_dutch_without_screenshot(team_store, students):
    """The footer shows Dutch key names only; the palette's commands are Dutch and offer no screenshot."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.pause()
        shown = [key.description for key in app.screen.query(FooterKey)]
        assert {"Vergrendelen", "Afsluiten", "Zoeken"} <= set(shown)
        assert "palette" not in screen_text(app)

        commands = list(app.get_system_commands(app.screen))
        titles = [c.title for c in commands]
        assert "app: afsluiten" in titles
        assert "app: vergrendelen" in titles
        english = ("screenshot", "quit", "theme", "keys", "save", "maximize", "minimize")
        for c in commands:
            assert not any(word in f"{c.title} {c.help}".lower() for word in english), c

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(CommandInput).placeholder == "Zoek een opdracht…"
        await pilot.press(*"afsl")
        await settle(app, pilot)  # the palette searches its providers in a worker
        assert "app: afsluiten" in screen_text(app)
        await pilot.press(*["backspace"] * 4, *"scre")
        await settle(app, pilot)
        assert "screenshot" not in screen_text(app).lower()
        await pilot.press(*["backspace"] * 4, *"zzzq")
        await settle(app, pilot)
        # Textual waits a moment before it says nothing matched.
        await wait_until(pilot, lambda: "Geen opdracht gevonden" in screen_text(app), what="'Geen opdracht gevonden'")
        assert "No matches" not in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_the_footer_at_80_columns_shows_the_important_keys_whole(team_store, students):
    """At 80x24 (issue 20) the footer of Vandaag and of a dossier shows its most important keys,
    none cut in half and none under the palette key; F1 Hulp is always there."""

    def footer(app) -> list[str]:
        keys = list(app.screen.query(FooterKey))
        palette = next(k for k in keys if k.has_class("-command-palette"))
        others = [k for k in keys if k is not palette]
        for key in others:  # whole: its full text fits before the palette key
            assert key.region.right <= palette.region.x, key.description
            assert key.region.width >= len(key.key_display) + 1 + len(key.description), key.description
        return [k.description for k in others]

    app = build_app(team_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await wait_until(pilot, lambda: "Hulp" in footer(app), what="the footer of Vandaag")
        assert footer(app)[:4] == ["Inloop", "Aanmelding", "Hulp", "Vergrendelen"]
        assert "Vandaag" not in footer(app)  # ctrl+o is not offered on Vandaag itself
        await open_row(app, pilot, "ozd")
        assert isinstance(app.screen, DossierScreen)
        await wait_until(pilot, lambda: "Nieuw gesprek" in footer(app), what="the footer of the dossier")
        shown = footer(app)
        assert shown[0] == "Nieuw gesprek" and "Hulp" in shown


def test_every_screen_uses_the_one_footer():
    """Screens yield widgets.SteadyFooter (ordered, fitted), never Textual's Footer directly."""
    import ast
    from pathlib import Path

    import screens

    problems = []
    for path in sorted(Path(screens.__file__).parent.rglob("*.py")):
        if path.name == "widgets.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.ImportFrom) and node.module == "textual.widgets"
                    and any(a.name == "Footer" for a in node.names)):
                problems.append(f"{path.name}:{node.lineno}")
    assert problems == []


def test_the_demo_lists_the_passphrases_of_active_workers_only():
    """The demo's unlock screen shows the demo passphrases, not of a demo worker who was deactivated."""
    from jongerenteam.demo_team import DEMO_WORKERS

    names = [w.full_name for w in DEMO_WORKERS]
    text = UnlockScreen.demo_text(set(names[:-1]))
    assert all(name in text for name in names[:-1])
    assert names[-1] not in text


async def test_unlock_screen_offers_no_lock_command(team_store):
    """Before unlocking, the palette does not offer 'vergrendelen' (there is nothing to lock)."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "app: vergrendelen" not in titles
        assert "app: afsluiten" in titles


async def test_unlock_footer_hides_lock_and_text_cannot_be_selected(team_store):
    """The unlock screen's footer has no 'Vergrendelen'; text selection (and so copying names) is off."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = [key.description for key in app.screen.query(FooterKey)]
        assert "Afsluiten" in shown
        assert "Vergrendelen" not in shown
        assert app.ALLOW_SELECT is False


# -- 7. crashes ------------------------------------------------------------------------


async def test_crash_in_a_handler_shows_a_dutch_sentence_and_no_student_data(team_store, students, capsys):
    """An unexpected error exits with one Dutch sentence, no locals, and the session locked."""
    app = build_app(team_store)
    start = last_seq(team_store.store)
    exit_output: list = []
    print_errors = app._print_error_renderables

    def spy() -> None:  # Textual prints and then clears them at shutdown
        exit_output.extend(app._exit_renderables)
        print_errors()

    app._print_error_renderables = spy
    with pytest.raises(RuntimeError):
        async with app.run_test(size=SIZE) as pilot:
            await unlock_as(app, pilot, "ha", WORKER_PASS)
            session = app.session

            def broken(student_id: str) -> bool:
                record = session.students[student_id]  # a local full of student data
                raise RuntimeError(f"kapot bij {record.details.display_name}")

            session.is_involved = broken
            await open_row(app, pilot, "kan")
    assert JongerenteamApp._fatal_error is not app_module.App._fatal_error
    printed = capsys.readouterr().err
    text = "\n".join(str(r) for r in exit_output)
    for output in (text, printed):
        assert "Er ging iets onverwachts mis" in output
        assert [s for s in STUDENT_SECRETS if s in output] == []
        assert "Traceback" not in output and "kapot" not in output
    assert app.session is None
    assert session.is_locked
    assert [r.worker_id for r in audit_rows(team_store.store, "lock", after=start)] == [team_store.worker_id]


CRASH_LINES = (
    "Er ging iets onverwachts mis; jongerenteam is gestopt en vergrendeld. Opgeslagen gegevens zijn veilig.",
    "Wat je aan het typen was, is versleuteld bewaard: je krijgt het terug als je weer ontgrendelt.",
    "Wat er misging staat (zonder persoonsgegevens) in",
)


class _RendersItself(RuntimeError):
    """An error that brings its own Rich rendering (Textual would print it with panic())."""

    def __rich__(self):
        return f"kapot {CANARY_FIRST}"


@pytest.mark.parametrize("error", [RuntimeError, _RendersItself])
async def test_a_crash_prints_the_whole_dutch_message_once_and_no_english(team_store, tmp_path, monkeypatch, capsys, error):
    """A widget that fails on every refresh: what Textual prints on the terminal is the three Dutch
    sentences, once, with the log's path, and not its English "NOTE: 1 of n errors shown" (also
    for an error that renders itself, which Textual would print as it is and not lock)."""
    import re

    class Broken(Static):
        def render(self):
            raise error(f"kapot {CANARY_FIRST}")

    from jongerenteam import errorlog

    error_log = tmp_path / "fouten.log"
    monkeypatch.setenv(errorlog.LOG_ENV, str(error_log))
    app = build_app(team_store)
    with pytest.raises(RuntimeError):
        async with app.run_test(size=SIZE) as pilot:
            await unlock_as(app, pilot, "ha", WORKER_PASS)
            session = app.session
            await app.screen.mount(Broken())
            await pilot.pause()
    err = capsys.readouterr().err
    printed = " ".join(err.split())  # the console wraps at its width
    for line in CRASH_LINES:
        assert printed.count(line) == 1, (line, printed)
    assert "".join(str(error_log).split()) in "".join(err.split())  # a long path is folded, not cut
    assert re.search(r"NOTE|errors? shown|textual run|Traceback|kapot", printed) is None, printed
    assert CANARY_FIRST not in printed
    assert session.is_locked


async def test_fatal_error_debug_mode_names_frames_but_no_values(team_store, monkeypatch):
    """With JONGERENTEAM_DEBUG=1 the crash shows where it happened, still without the exception text."""
    monkeypatch.setenv("JONGERENTEAM_DEBUG", "1")
    app = build_app(team_store)
    try:
        raise ValueError(f"{CANARY_FIRST} {CANARY_NUMBER}")
    except ValueError as exc:
        app._exception = exc
    app._fatal_error()
    text = "\n".join(str(r) for r in app._exit_renderables)
    assert "Er ging iets onverwachts mis" in text
    assert "[debug] ValueError" in text
    assert "test_fatal_error_debug_mode_names_frames_but_no_values" in text
    assert CANARY_FIRST not in text and CANARY_NUMBER not in text
