"""Passphrase strength: zxcvbn with a Dutch word list, a plain Dutch reason, and a
check in every use case that makes a key slot (a new team, a new worker, a new
passphrase with the recovery code), behind the forms and prompts that check first."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jongerenteam import messages, passphrase, start
from jongerenteam.errors import WeakPassphrase
from jongerenteam.passphrase import weakness
from jongerenteam.session import TeamSession
from jongerenteam.settings import kdf_params
from jongerenteam.team import COORDINATOR, WORKER, WorkerDetails
from storage import team as store_team
from storage.store import Store
from tests.support import COORDINATOR_PASS, WORKER_PASS

NAMES = ("Anna de Vries", "AV", "Team Noord")

# From issue 18: accepted before, refused now.
ISSUE_EXAMPLES = ("Welkom2024!", "Jeugdzorg2026", "P@ssw0rd123", "abcdefghij")

# Four ordinary Dutch words: long, easy to remember, and strong.
FOUR_WORDS = (
    "fiets regen koffie bergop",
    "fietsregenkoffiebergop",
    "Fiets regen koffie bergop",
    "fiets-regen-koffie-bergop",
    "tulpen langs de vaart",
    "ik drink graag koffie",
    "hond kat vis muis",
)

ENGLISH = ("guess", "word", "avoid", "common", "sequence", "repeat", "add another", "uppercase")


@pytest.mark.parametrize("weak", ISSUE_EXAMPLES)
def test_the_examples_from_the_issue_are_refused_in_plain_dutch(weak):
    reason = weakness(weak, names=NAMES)
    assert reason is not None
    assert reason.startswith("Dit wachtwoord is te makkelijk te raden")
    assert reason.endswith("Kies een zin van vier of meer gewone woorden die niet bij elkaar horen.")
    assert not any(w in reason.casefold() for w in ENGLISH), reason


@pytest.mark.parametrize("strong", FOUR_WORDS)
def test_four_ordinary_dutch_words_are_accepted(strong):
    assert weakness(strong, names=NAMES) is None


@pytest.mark.parametrize("weak", ["Zomer2025!", "Pindakaas2024!", "fiets regen koffie", "jan piet kees"])
def test_three_parts_are_not_enough(weak):
    """zxcvbn adds 10^4 guesses per further part, so three common parts reach its score 3
    whatever they are; score 4, with the spaces taken out first, refuses them."""
    assert weakness(weak) is not None


def test_the_reason_names_what_makes_it_guessable():
    assert "een bekend woord en een jaartal" in weakness("Jeugdzorg2026")
    assert "een veelgebruikt wachtwoord" in weakness("P@ssw0rd123")
    assert "Letters vervangen door cijfers of tekens" in weakness("P@ssw0rd123")
    assert "een reeks zoals abc of 1234" in weakness("abcdefghij")
    assert "een herhaling" in weakness("hoi hoi hoi hoi hoi")
    assert "een plaatsnaam" in weakness("Zoetermeer2025!")  # one of the 342 gemeenten
    assert "de naam van een club" in weakness("Feyenoord1908!")
    assert "een dag, maand of seizoen" in weakness("Sinterklaas2024")
    assert "een naam" in weakness("Mohammed2008")


def test_the_dutch_word_list_is_what_refuses_dutch_passwords():
    """zxcvbn alone, without the Dutch list and the years, finds these very strong."""
    from zxcvbn import zxcvbn

    for weak in ("Jeugdzorg2026", "Voorjaar2026", "hulpverlening2025"):
        assert zxcvbn(weak)["score"] == 4, weak
        assert weakness(weak) is not None, weak


def test_own_names_are_refused_and_name_words_count_as_guessable():
    assert weakness("anna de vries drinkt thee", names=NAMES) == passphrase.OWN_NAME
    assert weakness("koffie bij team noord", names=NAMES) == passphrase.OWN_NAME
    reason = weakness("Wijdenbosch2026!", names=("Waisca Wijdenbosch", "WW"))
    assert reason is not None and "je eigen naam" in reason
    # Without the name, the same passphrase is judged as a word like any other.
    assert weakness("Wijdenbosch2026!") is None


def test_short_and_blank_edges():
    assert weakness("kort") == passphrase.TOO_SHORT
    assert weakness("   koffie   ") == passphrase.TOO_SHORT
    assert weakness("x" * 200) is not None  # long but a repetition


def test_quick_even_on_the_worst_input():
    """zxcvbn tries every reading of symbols as letters: many different symbols must not take seconds."""
    weakness("warm de lijsten op")
    for worst in ("4@8({<369!1|70$5%2[" * 4, "@4({[<8369!1|70$5%2" * 4, "P@$$w0rd!1|7(<{[)" * 4, "abc1" * 50):
        began = time.process_time()
        weakness(worst, names=NAMES)
        assert time.process_time() - began < 0.6, worst  # about 0.15 s; over a second without the cap


def test_zxcvbn_is_not_loaded_at_start():
    """The first frame does not wait for zxcvbn's lists: loaded at the first check only."""
    code = "import sys, jongerenteam.cli, jongerenteam.start, jongerenteam.team; print('zxcvbn' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parent.parent)
    assert proc.stdout.strip() == "False", proc.stderr


# -- every use case that makes a key slot refuses a weak passphrase ------------------------


def test_adding_a_worker_refuses_a_weak_passphrase(team_store):
    cora = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    before = len(team_store.store.workers())
    with pytest.raises(WeakPassphrase) as refused:
        cora.team.add_worker(WorkerDetails("Fleur de Wit", "FW", WORKER, "ggz"), "Welkom2024!", kdf_params())
    assert len(team_store.store.workers()) == before
    text, code = messages.explain(refused.value)
    assert text == weakness("Welkom2024!", names=("Fleur de Wit", "FW"))
    assert code == messages.EXIT_USAGE
    assert refused.value.field == "passphrase"
    cora.team.add_worker(WorkerDetails("Fleur de Wit", "FW", WORKER, "ggz"), "fiets regen koffie bergop", kdf_params())
    assert len(team_store.store.workers()) == before + 1


def test_a_new_team_refuses_a_weak_passphrase(tmp_path):
    store = start.create_store(str(tmp_path / "team.jt"))
    try:
        details = WorkerDetails("Bram Jansen", "BJ", COORDINATOR, "ggz")
        with pytest.raises(WeakPassphrase):
            start.create_team(store, "Team Zuid", details, "Jeugdzorg2026")
        assert store.team() is None
        with pytest.raises(WeakPassphrase):
            start.create_team(store, "Team Zuid", details, "koffie voor team zuid")  # the team's name
        assert start.create_team(store, "Team Zuid", details, "fiets regen koffie bergop")
    finally:
        store.close()


def test_a_new_passphrase_with_the_recovery_code_refuses_a_weak_one(team_store):
    with pytest.raises(WeakPassphrase):
        start.reset_with_recovery(team_store.store, team_store.recovery_code, team_store.worker_id, "P@ssw0rd123")
    with pytest.raises(WeakPassphrase):  # the worker's own name
        start.reset_with_recovery(team_store.store, team_store.recovery_code, team_store.worker_id, "hanna hulpverlener fietst")
    assert store_team.unlock(team_store.store, team_store.worker_id, WORKER_PASS, event=None)
    start.reset_with_recovery(team_store.store, team_store.recovery_code, team_store.worker_id, "tulpen langs de vaart")
    assert store_team.unlock(team_store.store, team_store.worker_id, "tulpen langs de vaart", event=None)


def test_init_on_the_command_line_explains_and_asks_again(tmp_path):
    """The installed command: each weak passphrase gets its Dutch reason, then a strong one is taken."""
    command = Path(sys.executable).with_name("jongerenteam")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JONGERENTEAM_")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"), JONGERENTEAM_INSECURE_TEST_KDF="1",
               PYTHONIOENCODING="utf-8")
    store = tmp_path / "team.jt"
    good = "fiets regen koffie bergop"
    answers = "\n".join(["Team Noord", "Anna de Vries", "AV", "wijkteam", *ISSUE_EXAMPLES[:3], good, good]) + "\n"
    proc = subprocess.run([str(command), "init", "--store", str(store)], input=answers, capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=60, cwd=home)
    assert proc.returncode == 0, proc.stderr
    for weak in ISSUE_EXAMPLES[:3]:
        assert weakness(weak, names=("Anna de Vries", "AV", "Team Noord")) in proc.stderr.splitlines()
    opened = Store.open(str(store))
    try:
        (anna,) = opened.workers()
        assert store_team.unlock(opened, anna.id, good, event=None)
    finally:
        opened.close()
