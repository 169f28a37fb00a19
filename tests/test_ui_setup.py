"""The set-up wizard, the CLI that starts it, and the unlock screen's clock and "Wachtwoord vergeten?".

Driven by keyboard through a Pilot on real stores (SQLite, and an empty
PostgreSQL database when the throwaway server is available).
"""

from __future__ import annotations

import io
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, OptionList, Static
from textual.widgets._footer import FooterKey

import screens.unlock as unlock_module
from jongerenteam import cli
from jongerenteam import messages as msg
from jongerenteam.cli import make_app
from jongerenteam.settings import Settings
from screens.forgot import ForgotPassphraseScreen
from screens.setup import SetupScreen, suggest_initials
from screens.unlock import UnlockScreen
from storage import clock as store_clock
from storage import team
from storage.errors import DiskFull, WrongPassphrase
from storage.store import Store
from tests.support import COORDINATOR_PASS, WORKER_PASS, StubApp, audit_rows, paste, screen_text, settle, text_of, wait_until

SIZE = (120, 36)
TEAM = "Jongerenteam Da Vinci"
NAME = "Anna van der Berg"
GOOD_PASS = "fiets regen koffie dinsdag"
NEW_PASS = "tulpen langs de vaart in mei"


# -- helpers ------------------------------------------------------------------


def statics(app) -> str:
    """The text of every Static on the current screen (a sentence is one piece, however it wraps)."""
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


def value_of(app, selector: str) -> str:
    return app.screen.query_one(selector, Input).value


async def type_line(app, pilot, text: str) -> None:
    await paste(app, pilot, text)
    await pilot.press("enter")
    await pilot.pause()


async def fill_team_and_you(app, pilot) -> None:
    """Steps 1 and 2 by keyboard: team name, own name, the suggested initials, 'jeu' -> jeugdhulp."""
    await type_line(app, pilot, TEAM)
    await type_line(app, pilot, NAME)
    assert app.focused.id == "initials"
    assert value_of(app, "#initials") == "AvdB"  # suggested from the name
    await pilot.press("enter")
    assert app.focused.id == "organisation"
    await pilot.press(*"jeu")
    # The suggester runs in the background.
    await wait_until(pilot, lambda: app.focused._suggestion, what="the organisation suggested for 'jeu'")
    await pilot.press("enter")
    await pilot.pause()


class FakeTerminal(io.StringIO):
    """stdin/stdout that say they are a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def stub_app(monkeypatch):
    StubApp.made = []
    monkeypatch.setattr(cli, "make_app", StubApp)
    return StubApp


def run_open(location: str, *, terminal: bool) -> tuple[int, str]:
    stream = FakeTerminal if terminal else io.StringIO
    err = io.StringIO()
    code = cli.main(["--store", location, "open"], console=cli.Console(stdin=stream(), stdout=stream(), stderr=err))
    return code, err.getvalue()


# -- 1. the wizard ----------------------------------------------------------------


async def test_wizard_says_in_dutch_when_the_key_derivation_is_slow_on_this_laptop(tmp_path, monkeypatch):
    """The real key derivation on a laptop where even the floor takes more than twice the aim
    (the aim set below what any machine does): the code step says how long an unlock takes."""
    from jongerenteam import settings
    from storage import keyslots

    monkeypatch.delenv(settings.TEST_KDF_ENV, raising=False)
    monkeypatch.setattr(keyslots, "CALIBRATION_TARGET_S", 0.0001)
    app = make_app(Settings(store=str(tmp_path / "team.jt")), None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await fill_team_and_you(app, pilot)
        await type_line(app, pilot, GOOD_PASS)
        await type_line(app, pilot, GOOD_PASS)
        await wait_until(pilot, lambda: text_of(app, "#setup-step") == "Stap 4 van 4: Herstelcode", what="the code step")
        assert "ging traag: ontgrendelen duurt hier ongeveer" in text_of(app, "#setup-message")


async def test_wizard_by_keyboard_creates_a_store_whose_passphrase_and_recovery_code_work(tmp_path):
    """Four steps by keyboard make a store; its coördinator unlocks with the passphrase, the code shown opens the recovery slot."""
    location = str(tmp_path / "nieuw" / "team.jt")
    app = make_app(Settings(store=location), None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert app.focused is app.screen.query_one("#team-name", Input)
        assert text_of(app, "#setup-step") == "Stap 1 van 4: Team"
        footer = {key.description for key in app.screen.query(FooterKey)}
        assert "Verder" in footer and "Afsluiten" in footer
        assert "Terug" not in footer  # nothing before the first step

        await fill_team_and_you(app, pilot)
        assert value_of(app, "#organisation") == "jeugdhulp"
        assert text_of(app, "#setup-step") == "Stap 3 van 4: Wachtwoord"
        assert app.focused is app.screen.query_one("#passphrase", Input)
        assert app.screen.query_one("#passphrase", Input).password
        assert not Path(location).exists()  # nothing is made before the last Enter

        await type_line(app, pilot, GOOD_PASS)
        await type_line(app, pilot, GOOD_PASS)
        await settle(app, pilot)

        assert text_of(app, "#setup-step") == "Stap 4 van 4: Herstelcode"
        assert f"Het team '{TEAM}' is aangemaakt" in text_of(app, "#setup-created")
        shown = text_of(app, "#recovery-code")
        assert "HERSTELCODE (wordt maar één keer getoond)" in screen_text(app)
        assert "bewaar het papier in de kluis van de school" in statics(app)
        assert value_of(app, "#passphrase") == ""  # not kept in the widget once used
        assert app.focused is app.screen.query_one("#written", Checkbox)

        # ctrl+q now would lose the code: the app asks first.
        await pilot.press("ctrl+q")
        assert "maar één keer getoond" in screen_text(app)
        await pilot.press("n")
        assert isinstance(app.screen, SetupScreen)

        # Enter without ticking the box: not yet.
        await pilot.press("enter")
        assert isinstance(app.screen, SetupScreen)
        assert "Schrijf eerst de herstelcode op" in text_of(app, "#err-written")
        await pilot.press("space", "enter")
        await pilot.pause()

        assert isinstance(app.screen, UnlockScreen)
        assert app.store is not None and app.team_name == TEAM
        assert shown.replace(" ", "").replace("-", "") not in screen_text(app).replace(" ", "")
        assert [str(o.prompt) for o in app.screen.query_one("#workers", OptionList).options] == [
            f"{NAME} (AvdB) · coördinator"
        ]

        store = app.store
        (worker,) = store.workers()
        assert (worker.full_name, worker.initials, worker.organisation, worker.role) == (NAME, "AvdB", "jeugdhulp", team.COORDINATOR)
        keys = team.unlock(store, worker.id, GOOD_PASS)
        assert keys.is_coordinator and keys.escrow_private is not None
        team_key, escrow_private = team.unlock_recovery(store, shown)
        assert team_key == keys.team_key and escrow_private == keys.escrow_private

        # And the unlock screen it ends on works with that passphrase.
        await pilot.press("enter")
        await paste(app, pilot, GOOD_PASS)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session is not None and app.session.worker_id == worker.id
    app.store.close()


async def test_weak_and_mismatched_passphrases_and_empty_fields_keep_what_was_typed(tmp_path):
    """Each refusal is a Dutch sentence beside its field; the typed text stays; Esc goes back with values intact."""
    location = str(tmp_path / "team.jt")
    app = make_app(Settings(store=location), None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        assert text_of(app, "#err-team-name") == "Vul de naam van het team in."
        assert text_of(app, "#setup-step") == "Stap 1 van 4: Team"
        await fill_team_and_you(app, pilot)

        await type_line(app, pilot, "kort")
        assert text_of(app, "#err-passphrase").startswith("Te kort")
        assert value_of(app, "#passphrase") == "kort"
        assert app.focused is app.screen.query_one("#passphrase", Input)

        await pilot.press(*" en van der Berg erbij")  # now long enough, but holds the name
        await pilot.press("enter")
        assert value_of(app, "#passphrase") == "kort en van der Berg erbij"
        assert "eigen naam" in text_of(app, "#err-passphrase")
        app.screen.query_one("#passphrase", Input).value = ""
        await type_line(app, pilot, GOOD_PASS)
        assert text_of(app, "#err-passphrase") == ""
        assert app.focused is app.screen.query_one("#passphrase-again", Input)

        await type_line(app, pilot, "fiets regen koffie woensdag")
        assert text_of(app, "#err-passphrase-again").startswith("De twee wachtwoorden zijn niet gelijk")
        assert value_of(app, "#passphrase") == GOOD_PASS
        assert value_of(app, "#passphrase-again") == "fiets regen koffie woensdag"
        assert text_of(app, "#setup-step") == "Stap 3 van 4: Wachtwoord"
        await pilot.press("backspace")  # typing again clears the message
        assert text_of(app, "#err-passphrase-again") == ""

        await pilot.press("escape")
        assert text_of(app, "#setup-step") == "Stap 2 van 4: Over jou"
        assert (value_of(app, "#full-name"), value_of(app, "#initials"), value_of(app, "#organisation")) == (NAME, "AvdB", "jeugdhulp")
        await pilot.press("escape")
        assert value_of(app, "#team-name") == TEAM
        assert not Path(location).exists()


async def test_a_name_the_pdfs_cannot_print_is_refused_at_its_step(tmp_path):
    """Your name in Chinese (no PDF font has it) or over 60 characters: the Dutch reason beside it, on step 2."""
    location = str(tmp_path / "team.jt")
    app = make_app(Settings(store=location), None)
    async with app.run_test(size=SIZE) as pilot:
        await type_line(app, pilot, TEAM)
        await type_line(app, pilot, "王小明")
        assert text_of(app, "#err-full-name").startswith("Deze tekens kan het programma niet afdrukken: 王 小 明.")
        assert app.focused is app.screen.query_one("#full-name", Input)
        assert text_of(app, "#setup-step") == "Stap 2 van 4: Over jou"
        app.screen.query_one("#full-name", Input).value = "a" * 61
        await settle(app, pilot)  # the change clears the old message first
        await pilot.press("enter")
        assert text_of(app, "#err-full-name") == "Dit is te lang: hoogstens 60 tekens, nu 61. Maak het korter."
        assert app.focused is app.screen.query_one("#full-name", Input)
    assert not Path(location).exists()


async def test_a_store_error_is_one_dutch_sentence_and_a_retry_finishes_the_same_store(tmp_path, monkeypatch):
    """Disk full while making the team: the Dutch sentence, both passphrases kept; Enter again completes the store made the first time."""
    location = str(tmp_path / "team.jt")
    real_create_team = team.create_team
    go_on = threading.Event()

    def disk_full(*args, **kwargs):
        go_on.wait(5)  # hold the attempt so the test sees it running
        raise DiskFull(location)

    monkeypatch.setattr(team, "create_team", disk_full)
    app = make_app(Settings(store=location), None)
    async with app.run_test(size=SIZE) as pilot:
        await fill_team_and_you(app, pilot)
        await type_line(app, pilot, GOOD_PASS)
        await type_line(app, pilot, GOOD_PASS)
        assert "Bezig" in text_of(app, "#setup-message")
        await pilot.press("escape", "enter")  # neither goes anywhere while busy
        assert text_of(app, "#setup-step") == "Stap 3 van 4: Wachtwoord"
        go_on.set()
        await settle(app, pilot)

        assert text_of(app, "#setup-message").startswith("De schijf is vol")
        assert app.screen.query_one("#setup-message").has_class("error")
        assert text_of(app, "#setup-step") == "Stap 3 van 4: Wachtwoord"
        assert value_of(app, "#passphrase") == GOOD_PASS and value_of(app, "#passphrase-again") == GOOD_PASS
        assert Path(location).exists()  # the empty store was made before the disk filled up

        monkeypatch.setattr(team, "create_team", real_create_team)
        await pilot.press("enter")
        await settle(app, pilot)
        assert text_of(app, "#setup-step") == "Stap 4 van 4: Herstelcode"
        await pilot.press("space", "enter")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert [w.full_name for w in app.store.workers()] == [NAME]
    app.store.close()


async def test_a_place_where_no_store_can_be_made_is_reported_and_nothing_is_lost(tmp_path):
    """A folder that cannot be made (a file is in the way): a Dutch sentence; the wizard stays usable."""
    blocker = tmp_path / "bestand"
    blocker.write_text("geen map")
    app = make_app(Settings(store=str(blocker / "team.jt")), None)
    async with app.run_test(size=SIZE) as pilot:
        await fill_team_and_you(app, pilot)
        await type_line(app, pilot, GOOD_PASS)
        await type_line(app, pilot, GOOD_PASS)
        await settle(app, pilot)
        assert "kon niet worden gelezen of geschreven" in text_of(app, "#setup-message")
        assert "Traceback" not in screen_text(app)
        assert value_of(app, "#passphrase-again") == GOOD_PASS
        await pilot.press("escape")  # back works again once the attempt is over
        assert text_of(app, "#setup-step") == "Stap 2 van 4: Over jou"


async def test_an_unreachable_database_server_is_reported_without_its_password(tmp_path):
    """Nothing listens at the server address: the Dutch 'not reachable' sentence, the password never on screen, the text kept."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    location = f"postgresql://jt:Geheim4711@127.0.0.1:{port}/team"
    app = make_app(Settings(store=location), None)
    async with app.run_test(size=SIZE) as pilot:
        await fill_team_and_you(app, pilot)
        await type_line(app, pilot, GOOD_PASS)
        await type_line(app, pilot, GOOD_PASS)
        await settle(app, pilot)
        assert text_of(app,
            "#setup-message").startswith("De verbinding met de database is verbroken of de databaseserver is niet bereikbaar")
        assert "Geheim4711" not in screen_text(app) and "Geheim4711" not in statics(app)
        assert value_of(app, "#passphrase") == GOOD_PASS and value_of(app, "#team-name") == TEAM


def test_initials_are_suggested_the_dutch_way():
    """Capitals for names, lower case for tussenvoegsels."""
    assert suggest_initials("Anna van der Berg") == "AvdB"
    assert suggest_initials("cora coördinator") == "CC"
    assert suggest_initials("Jan de Vries-van Dam") == "JdVD"
    assert suggest_initials("") == ""


async def test_wizard_on_an_empty_postgres_database(pg_url):
    """An empty database on the server: the wizard makes the store there and never shows the database password."""
    from sqlalchemy.engine import make_url

    password = make_url(pg_url).password
    assert cli._open_or_set_up(pg_url, cli.Console(stdin=FakeTerminal(), stdout=FakeTerminal())) is None
    app = make_app(Settings(store=pg_url), None)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, SetupScreen)
        assert password and password not in screen_text(app)
        await fill_team_and_you(app, pilot)
        await type_line(app, pilot, GOOD_PASS)
        await type_line(app, pilot, GOOD_PASS)
        await settle(app, pilot)
        code = text_of(app, "#recovery-code")
        await pilot.press("space", "enter")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
    app.store.close()
    store = Store.open(pg_url)
    try:
        assert store.team().name == TEAM
        (worker,) = store.workers()
        assert team.unlock(store, worker.id, GOOD_PASS).is_coordinator
        team.unlock_recovery(store, code)
    finally:
        store.close()


# -- 2. the command line -------------------------------------------------------------


def test_open_without_a_store_starts_the_wizard_only_at_a_terminal(tmp_path, stub_app):
    """At a terminal 'jongerenteam open' hands the app no store (the wizard); in a script it stays the Dutch error and exit 4."""
    location = str(tmp_path / "team.jt")
    code, err = run_open(location, terminal=True)
    assert code == msg.EXIT_OK, err
    (made,) = stub_app.made
    assert made.store is None and made.settings.store == location
    assert not Path(location).exists()

    stub_app.made = []
    code, err = run_open(location, terminal=False)
    assert code == msg.EXIT_MISSING
    assert "jongerenteam init" in err
    assert stub_app.made == []


def test_open_at_a_terminal_never_offers_the_wizard_over_a_file_that_is_not_a_store(tmp_path, stub_app):
    """A file that is not a team store is reported as before, not overwritten by a new team."""
    garbage = tmp_path / "team.jt"
    garbage.write_bytes(b"dit is geen database" * 10)
    code, _err = run_open(str(garbage), terminal=True)
    assert code == msg.EXIT_DAMAGED
    assert stub_app.made == []
    assert garbage.read_bytes() == b"dit is geen database" * 10


def test_open_with_an_existing_store_gives_the_app_that_store(team_store, stub_app):
    """The ordinary path is unchanged: the store is opened and given to the app (and closed after)."""
    code, _ = run_open(str(team_store.path), terminal=True)
    assert code == msg.EXIT_OK
    (made,) = stub_app.made
    assert made.store is not None and made.store.team().name == "Testteam"


def test_open_at_a_terminal_on_a_missing_database_keeps_the_dutch_error(pg_url, stub_app):
    """A database that does not exist is the IT department's to make: no wizard, the usual sentence."""
    from sqlalchemy.engine import make_url

    missing = make_url(pg_url).set(database=f"bestaat_niet_{uuid.uuid4().hex[:8]}").render_as_string(hide_password=False)
    code, err = run_open(missing, terminal=True)
    assert code == msg.EXIT_MISSING
    assert "bestaat niet" in err
    assert stub_app.made == []


# -- 3. unlock: clock and "Wachtwoord vergeten?" -----------------------------------------


@pytest.fixture
def night_clock(monkeypatch):
    """Half past eleven at night UTC on 14 March: 00:30 in the Netherlands."""
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    moment = [datetime(2026, 3, 14, 23, 30, tzinfo=UTC)]
    store_clock.set_clock(lambda: moment[0])
    yield moment
    store_clock.set_clock(None)
    monkeypatch.undo()
    time.tzset()


async def test_unlock_shows_team_name_and_a_running_clock(team_store, night_clock, monkeypatch):
    """Beside the team name the local time (HH:MM), brought up to date by itself; F1 'Wachtwoord vergeten?' is in the footer."""
    monkeypatch.setattr(unlock_module, "CLOCK_SECONDS", 0.02)
    app = make_app(Settings(store=str(team_store.path)), team_store.store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert text_of(app, "#unlock-clock") == "00:30"
        assert "jongerenteam · Testteam" in screen_text(app)
        keys = {key.description: key.key_display for key in app.screen.query(FooterKey)}
        assert keys.get("Wachtwoord vergeten?") == "F1"
        night_clock[0] = datetime(2026, 3, 14, 23, 47, tzinfo=UTC)
        await wait_until(pilot, lambda: text_of(app, "#unlock-clock") == "00:47", what="the clock at 00:47")


async def test_forgotten_passphrase_with_the_recovery_code_sets_a_new_one(team_store):
    """F1 on Hanna: a wrong code is refused and cleared (new passphrase kept); the right code sets the new
    passphrase, logged as recovery."""
    app = make_app(Settings(store=str(team_store.path)), team_store.store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"hanna", "f1")
        await pilot.pause()
        assert isinstance(app.screen, ForgotPassphraseScreen)
        assert "vraag dat aan een coördinator van je team" in statics(app)
        assert "nieuw wachtwoord in voor Hanna Hulpverlener" in statics(app)
        assert app.focused is app.screen.query_one("#forgot-code", Input)
        assert app.screen.query_one("#forgot-code", Input).password

        await type_line(app, pilot, "ABCD-EFGH")
        assert "28 tekens" in text_of(app, "#err-forgot-code")
        assert value_of(app, "#forgot-code") == "ABCD-EFGH"
        app.screen.query_one("#forgot-code", Input).value = ""
        wrong = "0000-0000-0000-0000-0000-0000-0000"
        await type_line(app, pilot, wrong)
        await type_line(app, pilot, "kort")
        assert text_of(app, "#err-forgot-new").startswith("Te kort")
        app.screen.query_one("#forgot-new", Input).value = ""
        await type_line(app, pilot, NEW_PASS)
        await type_line(app, pilot, "iets anders dan dat")
        assert text_of(app, "#err-forgot-again").startswith("De twee wachtwoorden zijn niet gelijk")
        app.screen.query_one("#forgot-again", Input).value = ""
        await type_line(app, pilot, NEW_PASS)
        await settle(app, pilot)

        assert isinstance(app.screen, ForgotPassphraseScreen)
        assert text_of(app, "#err-forgot-code").startswith("De herstelcode klopt niet")
        assert value_of(app, "#forgot-code") == ""
        assert app.focused is app.screen.query_one("#forgot-code", Input)
        assert value_of(app, "#forgot-new") == NEW_PASS and value_of(app, "#forgot-again") == NEW_PASS

        await type_line(app, pilot, team_store.recovery_code.lower())  # lower case is accepted
        await pilot.press("enter", "enter")
        await settle(app, pilot)

        assert isinstance(app.screen, UnlockScreen)
        assert "Het nieuwe wachtwoord van Hanna Hulpverlener werkt vanaf nu" in text_of(app, "#unlock-message")
        assert app.focused is app.screen.query_one("#passphrase", Input)
        with pytest.raises(WrongPassphrase):
            team.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
        (entry,) = audit_rows(team_store.store, "recovery")
        assert entry.on_behalf_of == team_store.worker_id and entry.worker_id is None
        assert entry.detail.startswith("herstelcode")

        await paste(app, pilot, NEW_PASS)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session is not None and app.session.worker_id == team_store.worker_id


async def test_forgotten_passphrase_without_a_name_only_explains_and_esc_returns(team_store):
    """With no name chosen the dialog explains what to do and asks for the name first; Esc goes back with the filter intact."""
    app = make_app(Settings(store=str(team_store.path)), team_store.store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"zzz", "f1")
        await pilot.pause()
        assert isinstance(app.screen, ForgotPassphraseScreen)
        assert "Kies dan eerst je naam in de lijst" in statics(app)
        assert list(app.screen.query(Input)) == []
        assert "Verder" not in {key.description for key in app.screen.query(FooterKey)}
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert value_of(app, "#name-filter") == "zzz"
        team.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)  # nothing changed


async def test_f2_also_opens_the_dialog(team_store):
    """For terminals that keep F1 for their own help, F2 opens the same dialog."""
    app = make_app(Settings(store=str(team_store.path)), team_store.store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ForgotPassphraseScreen)
        assert "voor Cora Coördinator" in statics(app)  # the first name is highlighted
