"""The installed command in a real terminal (tmux): unlock, search, lock, wrong passphrase, quit.

Polls ``capture-pane`` until the expected text shows instead of sleeping a
fixed time. Skipped when tmux is not installed (CI installs it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from jongerenteam.demo import DEMO_WORKERS
from jongerenteam.session import TeamSession
from storage.store import Store
from tests.support import (
    NAME_FILTER,
    PASSPHRASE,
    SEARCH,
    TMUX,
    Terminal,
    app_in_terminal,
    files_containing,
    installed_command,
    login,
    poll_until,
)

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")

WAISCA = DEMO_WORKERS[1]
STUDENTS = 40


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> Path:
    """A demo store of 40 students made once by the installed command (``jongerenteam demo``), closed."""
    folder = tmp_path_factory.mktemp("demo")
    store = folder / "demo.jt"
    proc = subprocess.run(
        [installed_command(), "demo", "--no-open", "--store", str(store), "--students", str(STUDENTS)],
        capture_output=True, text=True, env=terminal_env(folder / "home"), timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return store


def terminal_env(home: Path) -> dict[str, str]:
    """The test's environment without the app's own variables, with a home of its own and the cheap KDF."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JONGERENTEAM_")}
    # JONGERENTEAM_DEBUG: should the app crash, its message names the frames (never values).
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"), JONGERENTEAM_INSECURE_TEST_KDF="1",
               JONGERENTEAM_DEBUG="1")
    return env


@pytest.fixture
def demo_store(tmp_path, demo_template) -> tuple[Path, dict[str, str]]:
    """A copy of the demo store for this test, and the environment to run the command in."""
    store = tmp_path / "demo.jt"
    shutil.copyfile(demo_template, store)
    os.chmod(store, 0o600)
    return store, terminal_env(tmp_path / "home")


@contextlib.contextmanager
def session_of(store: Path, worker):
    """A session of a demo worker on the store as a new process finds it (after the app quit), locked and closed after."""
    opened = Store.open(str(store))
    try:
        wid = next(w.id for w in opened.workers() if w.initials == worker.initials)
        session = TeamSession.unlock(opened, wid, worker.passphrase)
        try:
            yield session
        finally:
            session.lock()
    finally:
        opened.close()


def walk_in(term: Terminal, *keys: str, shows: tuple[str, ...]) -> None:
    """ctrl+n, and once the form is there the walk-in typed in one burst, as a fast typist does
    (Tab moves focus before the next key is read); returns when the form ``shows`` what was typed."""
    term.keys("C-n")
    term.wait_for("Inloop: een student loopt binnen", "Leefdomeinen")
    term.keys(*keys)
    term.wait_for(*shows)


def open_by_search(term: Terminal, fragment: str, *shows: str) -> None:
    """On Vandaag: / , the fragment (one hit), Enter: the dossier opens and shows ``shows``."""
    term.type("/")
    term.wait_for_focus(SEARCH)
    term.type(fragment)
    term.wait_for("1 van")
    term.keys("Enter")
    term.wait_for(*(shows or ("1 Overzicht",)))


def _pick_student(store_path: Path) -> tuple[str, str, int, str]:
    """(display name, search fragment, hits for it, a name that should be filtered away)."""
    with session_of(store_path, WAISCA) as session:
        everyone = session.spreekuur.all_students()
        for rec in everyone:
            last = rec.details.last_name.split()[-1]
            fragment = last[:5].lower() if len(last) >= 5 else last.lower()
            hits = session.spreekuur.search(fragment, limit=100)
            if 1 <= len(hits) <= 3:
                hit_ids = {h.id for h in hits}
                # The first student in list order (so visible before filtering)
                # that the filter must remove.
                other = next(
                    r.details.display_name for r in everyone
                    if r.id not in hit_ids and fragment not in r.details.display_name.lower()
                    and not any(r.details.display_name in h.details.display_name for h in hits)
                )
                return rec.details.display_name, fragment, len(hits), other
    pytest.fail("no student with a distinctive last name in the demo store")


def test_unlock_search_lock_quit_in_a_real_terminal(demo_store):
    """Unlock as Waisca (the demo shows the passphrases), filter the list with '/', ctrl+l hides all names,
    a wrong passphrase is refused, ctrl+q quits."""
    store, env = demo_store
    name, fragment, hits, other = _pick_student(store)

    with app_in_terminal(store, env) as term:
        # The demo's unlock screen shows the demo passphrases (a first run needs them).
        term.wait_for("Wie ben je?", WAISCA.full_name, NAME_FILTER, f"{WAISCA.full_name}: {WAISCA.passphrase}")
        login(term, WAISCA, then=("Vandaag", "Mijn studenten", "Spreekuur vandaag", "Waisca Ramdin (hulpverlener)"))
        # tmux may show a frame half redrawn for a moment: until the unlock screen is gone altogether.
        term.wait_for("Mijn studenten", absent=(WAISCA.passphrase, "Wie ben je?"))

        term.type("/")
        term.wait_for_focus(SEARCH)
        term.type(fragment)
        screen = term.wait_for(f"{hits} van {STUDENTS} studenten", name, absent=(other,))

        term.keys("C-l")
        screen = term.wait_for("Wie ben je?", "Vergrendeld", absent=(name,))
        assert "studenten" not in screen and "Mijn studenten" not in screen
        assert other not in screen
        # The lock runs as a priority binding and focuses the passphrase field
        # before the next key is read; the terminal cursor is not moved on a
        # screen switch, so there is nothing to poll here.

        term.type("dit is niet mijn wachtwoord")
        term.keys("Enter")
        screen = term.wait_for("Het wachtwoord klopt niet", absent=(name,))
        assert "dit is niet mijn wachtwoord" not in screen

        term.quit()


def test_fast_typing_after_enter_goes_to_the_passphrase(demo_store):
    """Name, Enter and passphrase sent in one burst: the passphrase never lands in the visible name filter."""
    store, env = demo_store
    with app_in_terminal(store, env) as term:
        term.wait_for("Wie ben je?", NAME_FILTER)
        # One send-keys call: all keys arrive before the app handles the first Enter.
        term.keys("wai", "Enter", WAISCA.passphrase, "Enter")
        # Until the unlock screen (which lists the demo passphrases) is gone altogether:
        # tmux may show a frame half redrawn, the demo list still standing under Vandaag.
        screen = term.wait_for("Mijn studenten", absent=("Wie ben je?", "Dit is de demo", f"{WAISCA.full_name}: "))
        assert WAISCA.passphrase not in screen


def test_a_typo_in_the_passphrase_put_right_in_one_burst_still_unlocks(demo_store):
    """The passphrase with a typo and BSpace sent in one burst (a busy laptop reads the keys in
    one go): the backspace acts where it was typed (Textual issue 6605), so the worker gets in."""
    store, env = demo_store
    with app_in_terminal(store, env) as term:
        term.wait_for("Wie ben je?", NAME_FILTER)
        term.type("wai")
        term.wait_for(f"{WAISCA.full_name} ({WAISCA.initials})", absent=("Floor Bakker (FB)",))
        term.keys("Enter")
        term.wait_for_focus(PASSPHRASE)
        term.keys(WAISCA.passphrase[:-1] + "q", "BSpace", WAISCA.passphrase[-1], "Left", "Right", "Enter")
        term.wait_for("Mijn studenten", absent=("Wie ben je?",))


def test_walk_in_intake_by_keys_then_found_by_search(demo_store):
    """ctrl+n, a name, a birth date, a hulpvraag, two leefdomeinen, ctrl+s; then '/' finds the student."""
    store, env = demo_store
    with app_in_terminal(store, env) as term:
        login(term, WAISCA)
        walk_in(term, "Tessa", "Tab", "Tuinbouwer", "Tab", "3 apr 2008", "Tab", "Wil stoppen met school", "Tab", "1", "5",
                shows=("■ Onderwijs", "■ Inkomen / schulden", "03-04-2008 ·"))
        term.keys("C-s")
        screen = term.wait_for("Inloop van Tessa Tuinbouwer opgeslagen", "Spreekuur vandaag")
        assert "Tessa Tuinbouwer" in screen
        term.type("/")
        term.wait_for_focus(SEARCH)
        term.type("tuinbouw")
        term.wait_for(f"1 van {STUDENTS + 1} studenten", "Tessa Tuinbouwer")
        term.quit()
    # Stored for real: a new process finds her, with the hulpvraag in the file.
    with session_of(store, WAISCA) as session:
        (tessa,) = session.spreekuur.search("Tessa Tuinbouwer")
        assert tessa.details.leefdomeinen == ["inkomen", "onderwijs"]
        assert [e.payload["hulpvraag"] for e in session.dossier.read_file(tessa.id)] == ["Wil stoppen met school"]


def test_a_walk_in_typed_in_one_burst_with_ctrl_s_loses_nothing(demo_store):
    """Name, Tab, surname, Tab, a birth date and ctrl+s in one send-keys: ctrl+s acts only after
    every letter before it is in its field. A date in the future is refused (nothing saved, the
    typed text stays); the right date, in a new burst, is saved with the student."""
    store, env = demo_store
    with app_in_terminal(store, env) as term:
        login(term, WAISCA)
        term.keys("C-n")
        term.wait_for("Inloop: een student loopt binnen")
        term.keys("Bo", "Tab", "Snelvinger", "Tab", "morgen", "C-s")
        screen = term.wait_for("De geboortedatum ligt in de toekomst.")
        assert "Snelvinger" in screen
        term.keys("Escape")
        term.wait_for("Weggooien")
        term.keys("j")
        term.wait_for("Mijn studenten")
        term.keys("C-n")
        term.wait_for("Inloop: een student loopt binnen")
        term.keys("Bo", "Tab", "Snelvinger", "Tab", "3-4-2008", "C-s")
        term.wait_for("Inloop van Bo Snelvinger opgeslagen", "Spreekuur vandaag")
        term.quit()
    with session_of(store, WAISCA) as session:
        (bo,) = session.spreekuur.search("Bo Snelvinger")
        assert bo.details.birth_date == date(2008, 4, 3)


def test_dossier_talk_and_agreement_in_a_real_terminal(demo_store):
    """Open a walk-in's dossier from search, add a talk (tab 2) and a werkafspraak (tab 3),
    then the file as stored, read by a new process, holds both."""
    store, env = demo_store
    with app_in_terminal(store, env) as term:
        login(term, WAISCA)
        walk_in(term, "Tessa", "Tab", "Tuinbouwer", "Tab", "3 apr 2008", "Tab", "Wil stoppen met school", "Tab", "1",
                shows=("■ Onderwijs", "03-04-2008 ·"))
        term.keys("C-s")
        term.wait_for("Spreekuur vandaag", "Tessa Tuinbouwer")
        # One hit and Enter: the dossier opens.
        open_by_search(term, "tuinbouw", "Tessa Tuinbouwer · 18 jaar", "1 Overzicht", "Wil stoppen met school")
        term.keys("2")
        term.wait_for("Datum en tijd", "inloopgesprek")  # the timeline's header
        term.keys("a")
        term.wait_for("Gesprek toevoegen: Tessa Tuinbouwer")
        term.keys("3")  # vervolggesprek
        term.wait_for("● vervolggesprek")
        term.keys("Tab", "Tab", "Tab", "Tab", "Tab")
        term.wait_for_focus("Verslag", below=1)  # the text area beside its label
        term.type("Samen naar de decaan gegaan.")
        # ctrl+s is a priority key: sent in the same burst it could overtake the
        # letters still queued for the field (no person types that fast).
        term.wait_for("Samen naar de decaan gegaan.")
        term.keys("C-s")
        term.wait_for("Gesprek opgeslagen", "vervolggesprek", "Samen naar de decaan")
        term.keys("3")
        term.wait_for("Uiterlijk", "Opvolgen")  # the agreements' header
        term.keys("a")
        term.wait_for("Werkafspraak toevoegen: Tessa Tuinbouwer")
        term.keys("Tab")
        term.type("Mail sturen naar de decaan")
        term.wait_for("Mail sturen naar de decaan")
        term.keys("C-s")
        # (A toast may cover the end of the row: the stored text is checked below.)
        term.wait_for("Werkafspraak opgeslagen", "Mail sturen naar", absent=("Wat is afgesproken",))
        term.quit()
    with session_of(store, WAISCA) as session:
        (tessa,) = session.spreekuur.search("Tessa Tuinbouwer")
        dossier = session.dossier.open_dossier(tessa.id)
        assert [(t.type, t.note) for t in dossier.talks() if t.kind == "talk"] == [
            ("vervolggesprek", "Samen naar de decaan gegaan.")
        ]
        assert [(a.who.kind, a.what, a.status) for a in dossier.agreements] == [
            ("student", "Mail sturen naar de decaan", "open")
        ]


def _consented_student(store_path: Path) -> tuple[str, str, str]:
    """One of Waisca's running students, with consent about everything for the
    first organisation on the sociale kaart: (name, search fragment, receiver)."""
    from jongerenteam import consent as cn
    from jongerenteam.dates import local_today

    with session_of(store_path, WAISCA) as session:
        receiver = next(r for r in session.handover.handover_receivers() if r.kind == "kaart")
        for rec in session.spreekuur.all_students():
            if rec.id not in session.involved or rec.status != "lopend":
                continue
            last = rec.details.last_name.split()[-1]
            hits = session.spreekuur.search(f"{rec.details.first_name} {last}", limit=5)
            if len(hits) != 1:
                continue
            session.consent.add_consent(rec.id, cn.NewConsent(
                cn.ConsentWith("organisatie", receiver.name, receiver.map_id), [cn.ALL_DOMAINS], "toeleiding",
                "beide", "schriftelijk", local_today()))
            return rec.details.display_name, f"{rec.details.first_name} {last}".lower(), receiver.name
    pytest.fail("no running student of Waisca with a distinctive name in the demo store")


def test_handover_proposed_from_the_dossier_in_a_real_terminal(demo_store):
    """Open a dossier, press w, choose extern, keep the composed document,
    record that the student agrees, ctrl+s: the handover is stored, with its
    follow-up date, and the card shows it."""
    store, env = demo_store
    _name, fragment, receiver = _consented_student(store)
    with app_in_terminal(store, env) as term:
        login(term, WAISCA)
        open_by_search(term, fragment)
        term.keys("w")
        term.wait_for("Warme overdracht", "Overdrachtsdocument")
        term.keys("2")  # extern: the sociale kaart
        # The digit moves focus on to the receivers at once; the field for a typed
        # name appears (and the document is composed for the first receiver) when
        # the change is handled: a Tab sent before that would skip the field.
        term.wait_for(receiver, "Wie is de student", "Of typ een naam")
        # Receivers -> typed name -> legal ground -> its reason -> the document,
        # each step seen on screen: the terminal cursor moves into each text field
        # (not into the legal-ground choice: that step is seen at the next field).
        # (A field's cursor sits a line or two under its label's first line.)
        term.keys("Tab")
        term.wait_for_focus("Of typ een naam", below=2)
        term.keys("Tab", "Tab")
        term.wait_for_focus("Waarom zonder", below=3)
        term.keys("Tab")
        term.wait_for_focus("Overdrachtsdocument", below=12)
        # The document: the worker writes it over (f7 selects all of it). Just after the
        # focus the text area may still move its cursor and drop the selection (the text
        # then lands beside the composed one): select all and write again until the
        # screen shows only the new text. Idempotent, so a repeat never harms.
        document = "Risico's: geen. Wensen: hulp bij geld en wonen."
        composed = ("Wie is de student", "(vul in:", "Wie blijft betrokken")

        def written() -> bool:
            screen = term.screen()
            if document in screen and not any(c in screen for c in composed):
                return True
            term.keys("F7")
            term.type(document)
            return False

        poll_until(written, "the document written over", every=1.0)
        term.keys("Tab")
        term.keys("1")  # the student has seen it and agrees
        term.wait_for("● gezien, akkoord")
        term.keys("C-s")
        term.wait_for("Overdracht voorgesteld")
        term.keys("w")
        term.wait_for("Overdracht extern · voorgesteld", "Nagaan op")
        term.keys("Escape")
        term.quit()
    with session_of(store, WAISCA) as session:
        (student,) = session.spreekuur.search(fragment)
        (view,) = session.handover.handovers_of(student.id)
        assert view.row.kind == "extern" and view.row.state == "voorgesteld"
        assert view.receiver.name == receiver and view.student_view == "akkoord"
        assert view.document == "Risico's: geen. Wensen: hulp bij geld en wonen."
        assert view.row.follow_up is not None


# -- typed work survives (issue: text is data, typed work survives) ---------------------------------------


def drafts_in(store: Path) -> list[tuple[str, bytes]]:
    """(worker id, sealed body) of every draft in the store, read as an outsider would (plain sqlite3)."""
    import sqlite3

    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return [(w, bytes(b)) for w, b in con.execute("SELECT worker_id, body FROM drafts")]
    finally:
        con.close()


def test_a_form_survives_kill_9_and_is_offered_at_the_next_unlock(demo_store):
    """Typing a walk-in, the app is killed (kill -9): the next unlock offers the draft; j puts it back as typed."""
    store, env = demo_store
    secret = "Verhaal-dat-niet-verloren-mag-gaan"
    with app_in_terminal(store, env) as term:
        login(term, WAISCA)
        walk_in(term, "Draftje", "Tab", "Kwijtgeraakt", "Tab", "Tab", secret, shows=(secret,))
        # The draft is kept within seconds (sealed: the store holds no typed text).
        poll_until(lambda: len(drafts_in(store)) == 1, "the draft in the store")
        os.kill(term.pid(), signal.SIGKILL)
        term.wait_for("JT-EXIT=137")
    assert files_containing(store.parent, (secret, "Kwijtgeraakt")) == []

    with app_in_terminal(store, env) as term:
        login(term, WAISCA, then=("Er is niet-opgeslagen invoer van je bewaard", "een inloop", "j = terugzetten"))
        term.keys("j")
        term.wait_for("Inloop: een student loopt binnen", "Draftje", "Kwijtgeraakt", secret)
        term.keys("C-s")
        term.wait_for("Inloop van Draftje Kwijtgeraakt opgeslagen")
        # Saved: nothing is kept as a draft any more.
        poll_until(lambda: drafts_in(store) == [], "the draft gone after saving")
        term.quit()


def test_ctrl_q_on_the_lock_screen_asks_first_when_a_draft_waits(demo_store):
    """A locked worker's half-filled form: ctrl+q on the lock screen asks; quitting keeps the draft for them."""
    store, env = demo_store
    with app_in_terminal(store, env) as term:
        login(term, WAISCA)
        term.keys("C-n")
        term.wait_for("Inloop: een student loopt binnen")
        term.keys("Halfvol")
        term.wait_for("Halfvol")
        term.keys("C-l")
        term.wait_for("Wie ben je?", "Vergrendeld", absent=("Halfvol",))
        term.keys("C-q")
        term.wait_for(f"niet-opgeslagen invoer van {WAISCA.full_name}", "Afsluiten?")
        term.keys("n")
        term.wait_for("Wie ben je?", absent=("Afsluiten?",))
        term.keys("C-q")
        term.wait_for("Afsluiten?")
        term.keys("j")
        term.wait_for("JT-EXIT=0")
    assert [w for w, _ in drafts_in(store)] and all(b"Halfvol" not in body for _, body in drafts_in(store))


def test_a_bracketed_paste_with_a_bell_and_colour_codes_is_plain_text(demo_store):
    """A terminal paste holding a bell and escape codes: no screen opens, the field holds only the letters."""
    store, env = demo_store
    with app_in_terminal(store, env) as term:
        login(term, WAISCA)
        term.keys("C-n")
        term.wait_for("Inloop: een student loopt binnen")
        term.tmux("set-buffer", "-b", "plak", "Kim\x07\x1b[31mberly\x1b[0m\x0c")
        term.tmux("paste-buffer", "-p", "-b", "plak", "-t", "jt")
        screen = term.wait_for("Kimberly")
        assert "Sociale kaart" not in screen.split("\n")[0] and "[31m" not in screen
        assert "Inloop: een student loopt binnen" in screen
        term.keys("Escape")
        term.wait_for("Weggooien en teruggaan?")
        term.keys("j")
        term.wait_for("Mijn studenten")
        term.quit()


def test_two_windows_on_one_store_see_each_others_walk_ins(demo_store):
    """Two installed apps on one store: a walk-in saved in one is found in the other's search within seconds, no F5;
    registering the same student there asks "Bedoel je …?"."""
    store, env = demo_store
    floor = DEMO_WORKERS[0]
    with app_in_terminal(store, env) as first, app_in_terminal(store, env) as second:
        login(first, WAISCA)
        login(second, floor)
        second.type("/")
        second.wait_for_focus(SEARCH)
        second.type("tweevenster")
        second.wait_for("Geen student gevonden")
        walk_in(first, "Tessa", "Tab", "Tweevenster", "Tab", "3 apr 2008", "Tab", "Samen op de laptop", shows=("03-04-2008 ·",))
        first.keys("C-s")
        first.wait_for("Inloop van Tessa Tweevenster opgeslagen")
        second.wait_for("Tessa Tweevenster", "1 van", absent=("Geen student gevonden",))
        # The same student again in the second window: the store is asked, not the window's list.
        walk_in(second, "Tessa", "Tab", "Tweevenster", "Tab", "3 apr 2008", shows=("03-04-2008 ·",))
        second.keys("C-s")
        second.wait_for("Bedoel je een van deze studenten?", "Tessa Tweevenster")
        second.keys("Escape")
        second.wait_for("Inloop: een student loopt binnen", absent=("Bedoel je een van deze studenten?",))
        first.quit()
        # The second window still holds the typed walk-in: it asks, and keeps it sealed.
        second.keys("C-q")
        second.wait_for("Afsluiten?")
        second.keys("j")
        second.wait_for("JT-EXIT=0")


def test_the_installed_command_shows_the_wizard_in_a_real_terminal(tmp_path):
    """'jongerenteam --store <nieuw>' in a real terminal opens at step 1; ctrl+q leaves without making anything."""
    location = tmp_path / "team.jt"
    env = terminal_env(tmp_path / "home")
    with app_in_terminal(location, env) as term:
        term.wait_for("Stap 1 van 4: Team")
        term.type("Jongerenteam Da Vinci")
        term.wait_for("Jongerenteam Da Vinci")
        term.keys("C-q")
        term.wait_for("JT-EXIT=0", absent=("Stap 1 van 4",))
    assert not location.exists()


def test_a_werkafspraak_typed_in_one_burst_is_added_whole(demo_store):
    """Issue 23: in the driegesprek a werkafspraak, its date, Enter and the next row's first
    keys all arrive in one burst (tmux send-keys): the row is added whole, with its date, and the
    keys after Enter land in the new row."""
    store, env = demo_store
    with session_of(store, WAISCA) as session:
        fragment = name = ""
        for rec in session.spreekuur.all_students():
            last = rec.details.last_name.split()[-1]
            if rec.id in session.involved and len(session.spreekuur.search(f"{rec.details.first_name} {last}", limit=5)) == 1:
                name, fragment = rec.details.display_name, f"{rec.details.first_name} {last}".lower()
                break
    assert fragment, "a student of Waisca with a distinctive name in the demo store"
    with app_in_terminal(store, env) as term:
        login(term, WAISCA)
        open_by_search(term, fragment)
        term.keys("d")
        term.wait_for("Werkafspraken")
        for _ in range(15):  # Tab, one field at a time, until the first field of the werkafspraak row
            try:
                term.wait_for_focus("wat is afgesproken", timeout=1.5)
                break
            except AssertionError:
                term.keys("Tab")
        term.wait_for_focus("wat is afgesproken")
        # A deadline two weeks ahead (one already past is refused); day and month, as a worker types it.
        due = f"{date.today() + timedelta(days=14):%d-%m}"
        term.type(f"student\tRooster ophalen bij de balie\t{due}\rcoach\tMailen")
        screen = term.wait_for(f"Rooster ophalen bij de balie · uiterlijk {due}", "Mailen")
        assert f"{due}coach" not in screen and name
