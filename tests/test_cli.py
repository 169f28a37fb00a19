"""The installed ``jongerenteam`` command, driven as a user would: real processes, stdin, exit codes.

Every run goes through ``run()``, which also checks that no traceback ever
reaches the user. Stores are built once per module and copied per test.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from jongerenteam import __version__
from jongerenteam import messages as msg
from jongerenteam.demo import DEMO_WORKERS
from jongerenteam.session import TeamSession
from storage import team
from storage.errors import WorkerInactive, WrongPassphrase
from storage.store import Store
from tests.support import cli_env, installed_command, run_cli

RECOVERY_RE = re.compile(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){6}\b")

INIT_PASS = "koffie op het plein om acht"
NEW_WORKER_PASS = "tulpen langs de vaart in mei"
RECOVERED_PASS = "de fiets staat bij de kantine"

FLOOR, WAISCA, DAAN = DEMO_WORKERS  # coördinator, hulpverlener, hulpverlener


# The installed command and its environment: tests/support.py (``run_cli``), shared with the other layers.
COMMAND = installed_command()
_env = cli_env
run = run_cli


def lines(*answers: str) -> str:
    return "".join(f"{a}\n" for a in answers)


@dataclass
class Built:
    path: Path
    stdout: str
    stderr: str
    returncode: int


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("clihome")


@pytest.fixture(scope="module")
def demo_template(home) -> Built:
    path = home / "template-demo.jt"
    proc = run(["demo", "--no-open", "--store", str(path), "--students", "30"], home=home)
    return Built(path, proc.stdout, proc.stderr, proc.returncode)


@pytest.fixture(scope="module")
def init_template(home) -> Built:
    path = home / "template-init.jt"
    stdin = lines("Team Noord", "Anna de Vries", "AV", "wijkteam", INIT_PASS, INIT_PASS)
    proc = run(["init", "--store", str(path)], home=home, stdin=stdin)
    return Built(path, proc.stdout, proc.stderr, proc.returncode)


def _copy(template: Built, tmp_path: Path) -> Path:
    target = tmp_path / "team.jt"
    shutil.copyfile(template.path, target)
    return target


@pytest.fixture
def demo(demo_template, tmp_path) -> Path:
    assert demo_template.returncode == 0, demo_template.stderr
    return _copy(demo_template, tmp_path)


@pytest.fixture
def initialised(init_template, tmp_path) -> Path:
    assert init_template.returncode == 0, init_template.stderr
    return _copy(init_template, tmp_path)


def active_initials(store: Path) -> set[str]:
    """Initials of the active workers, read with plain sqlite3."""
    con = sqlite3.connect(store)
    try:
        return {row[0] for row in con.execute("SELECT initials FROM workers WHERE active")}
    finally:
        con.close()


def unlocks(path: Path, initials: str, passphrase: str) -> bool:
    """Whether this passphrase opens the worker's key slot (checked in-process, cheap)."""
    store = Store.open(str(path))
    try:
        worker = next(w for w in store.workers(active_only=False) if w.initials == initials)
        try:
            team.unlock(store, worker.id, passphrase)
        except (WrongPassphrase, WorkerInactive):
            return False
        return True
    finally:
        store.close()


def recovery_code(stdout: str) -> str:
    found = RECOVERY_RE.findall(stdout)
    assert len(found) == 1, stdout
    return found[0]


# --- help, version, usage ------------------------------------------------------


def test_version(home):
    """--version prints the package version and exits 0."""
    proc = run(["--version"], home=home)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"jongerenteam {__version__}"


def test_help_is_dutch(home):
    """--help is in Dutch and lists every subcommand."""
    proc = run(["--help"], home=home)
    assert proc.returncode == 0
    out = proc.stdout
    assert "opdrachten" in out and "opties" in out
    assert "toon deze hulp en stop" in out
    for name in ("init", "demo", "open", "backup", "restore", "audit", "worker", "recover"):
        assert re.search(rf"^\s+{name}\s", out, re.MULTILINE), name
    assert "show this help" not in out
    assert out.startswith("gebruik: jongerenteam")
    sub = run(["report", "--help"], home=home).stdout
    assert sub.startswith("gebruik: jongerenteam report "), sub


@pytest.mark.parametrize(
    ("args", "dutch"),
    [
        (["--bogus"], "onbekende opties"),
        (["worker", "ontslaan"], "ongeldige keuze"),
        (["worker", "deactivate"], "deze gegevens ontbreken"),
    ],
)
def test_usage_errors_are_dutch(home, args, dutch):
    """A wrong option, choice or missing argument exits 2 with a Dutch 'fout' line."""
    proc = run(args, home=home)
    assert proc.returncode == msg.EXIT_USAGE
    assert "jongerenteam" in proc.stderr and "fout:" in proc.stderr
    assert dutch in proc.stderr
    assert "error:" not in proc.stderr and "usage:" not in proc.stderr


# --- init -------------------------------------------------------------------------


def test_init_prints_recovery_code_and_creates_store(init_template):
    """init via stdin creates the store and shows one recovery code of 7x4 with the paper/safe advice."""
    assert init_template.returncode == 0, init_template.stderr
    assert init_template.path.is_file() and init_template.path.stat().st_size > 0
    out = init_template.stdout
    code = recovery_code(out)
    assert len(code.split("-")) == 7 and all(len(g) == 4 for g in code.split("-"))
    assert "HERSTELCODE" in out
    assert "op papier" in out and "kluis van de school" in out
    assert "Team Noord" in out and "coördinator" in out
    assert INIT_PASS not in out and INIT_PASS not in init_template.stderr


def test_init_says_in_dutch_when_the_key_derivation_is_slow_on_this_laptop(home, tmp_path, monkeypatch):
    """The real key derivation (not the suite's cheap one) on a laptop where even the floor takes
    more than twice the aim (the aim set below what any machine does, standing for a slow one):
    init creates the team with the floor's parameters and says how long an unlock will take."""
    import io

    from jongerenteam import cli, settings
    from storage import keyslots

    monkeypatch.delenv(settings.TEST_KDF_ENV, raising=False)
    monkeypatch.setattr(keyslots, "CALIBRATION_TARGET_S", 0.0001)
    store = tmp_path / "team.jt"
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["init", "--store", str(store)], console=cli.Console(
        stdin=io.StringIO(lines("Team Zuid", "Bram Jansen", "BJ", "ggz", INIT_PASS, INIT_PASS)), stdout=out, stderr=err))
    assert code == 0, err.getvalue()
    assert "Het afstemmen van de beveiliging op deze laptop ging traag: ontgrendelen duurt hier ongeveer" in err.getvalue()
    recovery_code(out.getvalue())
    from storage.store import Store
    from storage.team import slot_params

    opened = Store.open(str(store))
    try:
        worker = next(w for w in opened.workers() if w.initials == "BJ")
        assert slot_params(opened, worker.id) == keyslots.KdfParams(keyslots.FLOOR_MEMORY_KIB, keyslots.FLOOR_TIME_COST)
    finally:
        opened.close()


def test_init_rejects_weak_passphrase_then_accepts_good_one(home, tmp_path):
    """Too short, guessable, own name and mismatched passphrases get Dutch feedback; a good one is accepted."""
    store = tmp_path / "team.jt"
    stdin = lines(
        "Team Zuid", "Bram Jansen", "BJ", "ggz",
        "kort",                       # too short
        "wachtwoord1",                # guessable
        "bram jansen is de beste",    # contains own name
        INIT_PASS, "iets anders helemaal",  # second entry differs
        INIT_PASS, INIT_PASS,
    )
    proc = run(["init", "--store", str(store)], home=home, stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    assert "Te kort" in proc.stderr
    assert "te makkelijk te raden" in proc.stderr
    assert "eigen naam" in proc.stderr
    assert "niet gelijk" in proc.stderr
    recovery_code(proc.stdout)
    assert unlocks(store, "BJ", INIT_PASS)


def test_init_refuses_existing_store_before_asking(initialised, home):
    """init on an existing store exits 9 with a Dutch sentence, asks nothing and leaves the store alone."""
    before = initialised.read_bytes()
    proc = run(["init", "--store", str(initialised)], home=home, stdin="")  # no answers at all
    assert proc.returncode == msg.EXIT_EXISTS
    assert "Er staat al een teamopslag" in proc.stderr
    assert initialised.read_bytes() == before


# --- demo and workers ---------------------------------------------------------------------


def test_demo_creates_store_and_prints_workers(demo_template):
    """demo --no-open creates a store, names its path and prints the three demo workers with passphrases."""
    assert demo_template.returncode == 0, demo_template.stderr
    assert demo_template.path.is_file()
    out = demo_template.stdout
    assert "30 verzonnen studenten" in out
    assert str(demo_template.path) in out
    for w in DEMO_WORKERS:
        assert re.search(rf"{w.full_name}\s+{w.role_label}\s+wachtwoord: {w.passphrase}$", out, re.MULTILINE), w


def test_worker_list(demo, home):
    """worker list shows initials, names, Dutch roles and organisations of every worker."""
    proc = run(["worker", "list", "--store", str(demo)], home=home)
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.strip().splitlines()
    assert len(rows) == 3
    for w in DEMO_WORKERS:
        assert any(r.split()[0] == w.initials and w.full_name in r and w.role_label in r and w.organisation in r for r in rows)


def test_store_option_before_subcommand_is_honoured(demo, home):
    """'jongerenteam --store X worker list' uses X, not the default store."""
    proc = run(["--store", str(demo), "worker", "list"], home=home)
    assert proc.returncode == 0, proc.stderr
    assert "Floor Bakker" in proc.stdout


def test_missing_store_gives_dutch_hint(home, tmp_path):
    """A store that does not exist exits 4 and points to init and demo."""
    proc = run(["worker", "list", "--store", str(tmp_path / "nergens.jt")], home=home)
    assert proc.returncode == msg.EXIT_MISSING
    assert "jongerenteam init" in proc.stderr and "jongerenteam demo" in proc.stderr


def test_worker_add_then_new_worker_can_unlock(demo, home):
    """The coördinator adds a worker; that worker's passphrase then unlocks the store."""
    stdin = lines(FLOOR.passphrase, NEW_WORKER_PASS, NEW_WORKER_PASS)
    proc = run(
        ["worker", "add", "--store", str(demo), "--worker", "FB",
         "--name", "Nina Nieuwenhuis", "--initials", "NN", "--organisation", "ggz"],
        home=home, stdin=stdin,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Nina Nieuwenhuis is toegevoegd" in proc.stdout
    assert "NN" in active_initials(demo)
    unlocked = run(["audit", "verify", "--store", str(demo), "--worker", "NN"], home=home, stdin=lines(NEW_WORKER_PASS))
    assert unlocked.returncode == 0, unlocked.stderr
    assert "in orde" in unlocked.stdout


def test_a_name_the_pdfs_cannot_print_is_refused_before_the_passphrase(demo, home, tmp_path):
    """worker add and init refuse a Chinese or too long name in Dutch (exit 2), before a passphrase is asked."""
    proc = run(
        ["worker", "add", "--store", str(demo), "--worker", "FB", "--name", "王小明" + "x" * 251, "--initials", "WX",
         "--organisation", "ggz"],
        home=home, stdin=lines(FLOOR.passphrase),
    )
    assert proc.returncode == msg.EXIT_USAGE, proc.stderr
    assert "Naam: Dit is te lang: hoogstens 60 tekens, nu 254." in proc.stderr
    assert "wachtwoord" not in proc.stdout and "onverwachts" not in proc.stderr
    assert active_initials(demo) == {"FB", "WR", "DV"}

    store = tmp_path / "nieuw.jt"
    proc = run(["init", "--store", str(store)], home=home, stdin=lines("Team Zuid", "Li 王小明", "LW", "ggz"))
    assert proc.returncode == msg.EXIT_USAGE, proc.stderr
    assert "Naam: Deze tekens kan het programma niet afdrukken: 王 小 明." in proc.stderr
    assert not store.exists()


def test_worker_add_by_non_coordinator_is_refused(demo, home):
    """A hulpverlener cannot add workers: exit 10 and nobody is added."""
    stdin = lines(WAISCA.passphrase, NEW_WORKER_PASS, NEW_WORKER_PASS)
    proc = run(
        ["worker", "add", "--store", str(demo), "--worker", "WR",
         "--name", "Nina Nieuwenhuis", "--initials", "NN", "--organisation", "ggz"],
        home=home, stdin=stdin,
    )
    assert proc.returncode == msg.EXIT_NOT_ALLOWED
    assert "Alleen een coördinator" in proc.stderr
    assert active_initials(demo) == {"FB", "WR", "DV"}


def test_worker_deactivate_stops_passphrase(demo, home):
    """Daan still has students: refused until --overdragen-aan names who takes over; after that
    he is marked in the list, his passphrase opens nothing and Waisca is their contact person."""
    assert unlocks(demo, "DV", DAAN.passphrase)
    refused = run(["worker", "deactivate", "--store", str(demo), "--worker", "FB", "DV"], home=home, stdin=lines(FLOOR.passphrase))
    assert refused.returncode == msg.EXIT_USAGE
    assert "Daan Visser is nog contactpersoon van" in refused.stderr and "--overdragen-aan" in refused.stderr
    assert active_initials(demo) == {"FB", "WR", "DV"}
    proc = run(["worker", "deactivate", "--store", str(demo), "--worker", "FB", "DV", "--overdragen-aan", "WR"],
               home=home, stdin=lines(FLOOR.passphrase))
    assert proc.returncode == 0, proc.stderr
    assert "Daan Visser is gedeactiveerd" in proc.stdout
    assert "hebben nu Waisca Ramdin als contactpersoon" in proc.stdout
    store = Store.open(str(demo))
    try:
        waisca = TeamSession.unlock(store, next(w.id for w in store.workers() if w.initials == "WR"), WAISCA.passphrase)
        daan_id = next(w.id for w in store.workers(active_only=False) if w.initials == "DV")
        assert waisca.team.handover_load(daan_id) == ([], [])
    finally:
        store.close()
    assert active_initials(demo) == {"FB", "WR"}
    assert not unlocks(demo, "DV", DAAN.passphrase)
    # Naming a successor for a colleague who already left repairs what is left (nothing here).
    again = run(["worker", "deactivate", "--store", str(demo), "--worker", "FB", "DV", "--overdragen-aan", "WR"],
                home=home, stdin=lines(FLOOR.passphrase))
    assert again.returncode == 0, again.stderr
    assert "is al gedeactiveerd en is van geen student meer contactpersoon" in again.stdout
    after = run(["audit", "verify", "--store", str(demo), "--worker", "DV"], home=home, stdin=lines(DAAN.passphrase))
    assert after.returncode == msg.EXIT_NOT_ALLOWED
    assert "niet meer actief" in after.stderr
    assert "in orde" not in after.stdout


def test_wrong_passphrase_exit_3(demo, home):
    """A wrong passphrase exits 3 with one Dutch sentence."""
    proc = run(["audit", "verify", "--store", str(demo), "--worker", "WR"], home=home, stdin=lines("dit is het niet hoor"))
    assert proc.returncode == msg.EXIT_WRONG_PASSPHRASE
    assert proc.stderr.strip() == "Het wachtwoord klopt niet. Probeer het opnieuw."


def test_worker_deactivate_repairs_the_students_of_a_colleague_who_left(demo, home):
    """Daan was deactivated without a successor (the store before issue 23): his students have an
    inactive contact person. Naming one now gives each of them Waisca, the file after consent."""
    from storage import spreekuur

    store = Store.open(str(demo))
    ids = {w.initials: w.id for w in store.workers()}
    orphans = spreekuur.students_with_contact(store, ids["DV"])
    team.deactivate_worker(store, team.unlock(store, ids["FB"], FLOOR.passphrase), ids["DV"])
    store.close()
    assert orphans
    proc = run(["worker", "deactivate", "--store", str(demo), "--worker", "FB", "DV", "--overdragen-aan", "WR"],
               home=home, stdin=lines(FLOOR.passphrase))
    assert proc.returncode == 0, proc.stderr
    assert f"{len(orphans)} student(en) van Daan Visser hebben nu Waisca Ramdin als contactpersoon" in proc.stdout
    assert "toestemming" in proc.stdout
    store = Store.open(str(demo))
    try:
        assert spreekuur.students_with_contact(store, ids["DV"]) == []
        assert set(orphans) <= set(spreekuur.students_with_contact(store, ids["WR"]))
    finally:
        store.close()


# --- backup and restore -------------------------------------------------------------


def test_backup_restore_round_trip(demo, home, tmp_path):
    """A backup restores the earlier state and the replaced store is kept in '<store>.backups/'."""
    backup = tmp_path / "kopie.jtbackup"
    made = run(["backup", "--store", str(demo), "--worker", "FB", str(backup)], home=home, stdin=lines(FLOOR.passphrase))
    assert made.returncode == 0, made.stderr
    assert backup.is_file() and "Back-up gemaakt" in made.stdout
    # The closing message names what was saved.
    assert "In de back-up: team 'Demo jongerenteam (verzonnen gegevens)', 30 studenten en 3 actieve medewerkers." in made.stdout
    # A second backup to the same file is refused without --overschrijven.
    again = run(["backup", "--store", str(demo), "--worker", "FB", str(backup)], home=home, stdin=lines(FLOOR.passphrase))
    assert again.returncode == msg.EXIT_EXISTS and "--overschrijven" in again.stderr

    # Change the store after the backup (in-process, to save a process): Daan leaves.
    store = Store.open(str(demo))
    ids = {w.initials: w.id for w in store.workers()}
    team.deactivate_worker(store, team.unlock(store, ids["FB"], FLOOR.passphrase), ids["DV"])
    store.close()
    assert active_initials(demo) == {"FB", "WR"}

    # First the facts and "Doorgaan? (j/n)", then the current store's coördinator confirms, then the backup's login.
    restored = run(
        ["restore", "--store", str(demo), "--worker", "FB", str(backup)],
        home=home, stdin=lines("j", FLOOR.passphrase, FLOOR.passphrase),
    )
    assert restored.returncode == 0, restored.stderr
    assert "De back-up is teruggezet" in restored.stdout
    assert active_initials(demo) == {"FB", "WR", "DV"}
    assert unlocks(demo, "DV", DAAN.passphrase)

    safety = list((tmp_path / "team.jt.backups").glob("voor-terugzetten-*.jtbackup"))
    assert len(safety) == 1
    assert str(safety[0].name) in restored.stdout
    assert active_initials(safety[0]) == {"FB", "WR"}  # the state just before the restore
    assert backup.is_file()


def test_restore_garbage_file(demo, home, tmp_path):
    """Restoring a file that is not a backup exits 5 in Dutch and leaves the store untouched."""
    garbage = tmp_path / "vakantiefoto.jtbackup"
    garbage.write_bytes(b"dit is geen back-up\n" * 50)
    before = demo.read_bytes()
    proc = run(["restore", "--store", str(demo), "--worker", "FB", str(garbage)], home=home, stdin=lines(FLOOR.passphrase))
    assert proc.returncode == msg.EXIT_DAMAGED
    assert "beschadigd of is geen teamopslag" in proc.stderr
    assert demo.read_bytes() == before
    assert not (tmp_path / "team.jt.backups").exists()


# --- audit ------------------------------------------------------------------------------


def test_audit_verify_ok_then_tampered(demo, home):
    """audit verify passes on a fresh store and names 'regel 2' after a row is edited with sqlite3."""
    ok = run(["audit", "verify", "--store", str(demo), "--worker", "FB"], home=home, stdin=lines(FLOOR.passphrase))
    assert ok.returncode == 0, ok.stderr
    assert re.search(r"Het logboek is in orde: \d+ regels gecontroleerd", ok.stdout)

    con = sqlite3.connect(demo)
    with con:
        changed = con.execute("UPDATE audit_log SET detail='x' WHERE seq=2").rowcount
    con.close()
    assert changed == 1

    broken = run(["audit", "verify", "--store", str(demo), "--worker", "FB"], home=home, stdin=lines(FLOOR.passphrase))
    assert broken.returncode == msg.EXIT_BROKEN
    assert "NIET in orde" in broken.stdout and "regel 2" in broken.stdout


# --- recovery ------------------------------------------------------------------------------


def test_recover_with_code_from_init(initialised, init_template, home):
    """The recovery code printed by init sets a new coördinator passphrase; the old one stops working."""
    code = recovery_code(init_template.stdout)
    # Written down by hand: lower case, spaces instead of dashes.
    typed = code.lower().replace("-", " ")
    proc = run(["recover", "--store", str(initialised)], home=home, stdin=lines(typed, RECOVERED_PASS, RECOVERED_PASS))
    assert proc.returncode == 0, proc.stderr
    assert "Het nieuwe wachtwoord van Anna de Vries werkt vanaf nu" in proc.stdout
    new = run(["audit", "verify", "--store", str(initialised)], home=home, stdin=lines(RECOVERED_PASS))
    assert new.returncode == 0, new.stderr
    assert not unlocks(initialised, "AV", INIT_PASS)


def test_recover_with_wrong_code(initialised, home):
    """A wrong recovery code exits 3 with a Dutch sentence and asks for no new passphrase."""
    proc = run(
        ["recover", "--store", str(initialised)], home=home,
        stdin=lines("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG", RECOVERED_PASS, RECOVERED_PASS),
    )
    assert proc.returncode == msg.EXIT_WRONG_PASSPHRASE
    assert "De herstelcode klopt niet" in proc.stderr
    assert "Kies een nieuw wachtwoord" not in proc.stdout
    assert unlocks(initialised, "AV", INIT_PASS)


def test_no_answer_on_stdin_changes_nothing(initialised, home):
    """When stdin ends before a passphrase is given, the command exits 130 in Dutch."""
    proc = run(["audit", "verify", "--store", str(initialised)], home=home, stdin="")
    assert proc.returncode == msg.EXIT_CANCELLED
    assert "Er kwam geen antwoord" in proc.stderr


# -- safety around the real store (found in review) -------------------------------------


def test_demo_refresh_never_replaces_a_real_store(initialised, home):
    """'demo --opnieuw' on a real team's store refuses and leaves it as it was."""
    before = initialised.read_bytes()
    proc = run(["demo", "--no-open", "--opnieuw", "--store", str(initialised), "--students", "5"], home=home)
    assert proc.returncode == 9, proc.stdout + proc.stderr
    assert initialised.read_bytes() == before


def test_demo_refresh_never_replaces_a_damaged_or_newer_store(initialised, home):
    """A store that cannot be opened (here: a newer schema) is not taken for a demo and not deleted."""
    import sqlite3

    con = sqlite3.connect(initialised)
    con.execute("UPDATE alembic_version SET version_num = 'ffff'")
    con.commit()
    con.close()
    proc = run(["demo", "--no-open", "--opnieuw", "--store", str(initialised), "--students", "5"], home=home)
    assert proc.returncode != 0
    con = sqlite3.connect(initialised)
    assert con.execute("SELECT name FROM team").fetchone() == ("Team Noord",)
    con.close()


def test_demo_ignores_the_real_store_variable(initialised, home, tmp_path):
    """JONGERENTEAM_STORE names the real store; 'demo' builds its own store elsewhere."""
    env = _env(home)
    env["JONGERENTEAM_STORE"] = str(initialised)
    before = initialised.read_bytes()
    proc = subprocess.run(
        [COMMAND, "demo", "--no-open", "--opnieuw", "--students", "5"],
        capture_output=True, text=True, env=env, cwd=home, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert str(initialised) not in proc.stdout
    assert initialised.read_bytes() == before


def test_cli_waits_after_repeated_wrong_passphrases(initialised):
    """After five refusals the CLI waits like the unlock screen does, so a script cannot guess faster."""
    import io

    from jongerenteam import cli
    from storage import team
    from storage.errors import WrongPassphrase
    from storage.store import Store

    store = Store.open(str(initialised))
    try:
        worker_id = store.workers()[0].id
        for n in range(5):
            with pytest.raises(WrongPassphrase):
                team.unlock(store, worker_id, f"fout {n}")
    finally:
        store.close()
    # In this process, not the installed command: the wait after five refusals
    # is 2 s from the last one, and a cold start of the command on a loaded
    # machine (tests running in parallel) can take longer than that, after
    # which there is rightly nothing left to wait. The code path is the same.
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["--store", str(initialised), "audit", "verify"],
        console=cli.Console(stdin=io.StringIO(lines(INIT_PASS)), stdout=out, stderr=err),
    )
    assert code == 0, err.getvalue()
    assert "even wachten" in err.getvalue()
    assert out.getvalue().startswith("Het logboek is in orde")


def test_only_a_coordinator_of_the_current_store_may_restore(demo, home, tmp_path):
    """A hulpverlener cannot replace the team's store with a backup (exit 10, store unchanged)."""
    from jongerenteam.demo import DEMO_WORKERS

    waisca = DEMO_WORKERS[1]
    backup = tmp_path / "oud.jtbackup"
    made = run(["backup", "--store", str(demo), "--worker", "FB", str(backup)], home=home, stdin=lines(DEMO_WORKERS[0].passphrase))
    assert made.returncode == 0, made.stderr
    proc = run(
        ["restore", "--store", str(demo), "--worker", "WR", str(backup)],
        home=home, stdin=lines("j", waisca.passphrase, waisca.passphrase),
    )
    assert proc.returncode == 10, proc.stdout + proc.stderr
    assert "coördinator" in proc.stderr
    # Nothing was replaced: no safety copy of the current store was needed.
    assert list(demo.parent.glob("*.backups/voor-terugzetten-*")) == []


# --- what the command prints from a store or a backup is inert ------------------------------------


ESCAPES = "\x1b]0;gehackt\x07\x1b[2J\x1b[31mRood\x1b[0m\x07\x9b1m"


def _rename(path: Path, sql: str, *params: str) -> None:
    """Change a store or backup file with raw SQL, as someone with the file could."""
    con = sqlite3.connect(path)
    with con:
        assert con.execute(sql, params).rowcount >= 1
    con.close()


def assert_inert(out: str) -> None:
    """No escape or control character of the data reaches the terminal."""
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert all(ch.isprintable() or ch == "\n" for ch in out), repr(out)


def test_team_and_worker_names_from_a_file_reach_the_terminal_inert(demo, home, tmp_path):
    """A backup (or store) whose team or worker names hold escape sequences: restore, worker list and the
    worker question print them as visible symbols, never as codes the terminal would act on."""
    backup = tmp_path / "kopie.jtbackup"
    made = run(["backup", "--store", str(demo), "--worker", "FB", str(backup)], home=home, stdin=lines(FLOOR.passphrase))
    assert made.returncode == 0, made.stderr
    _rename(backup, "UPDATE team SET name = ?", f"Team{ESCAPES}")
    _rename(demo, "UPDATE team SET name = ?", f"Nu{ESCAPES}")
    _rename(demo, "UPDATE workers SET full_name = full_name || ? WHERE initials = 'DV'", ESCAPES)

    restore = run(["restore", "--store", str(demo), "--worker", "FB", str(backup)], home=home, stdin=lines("n"))
    assert restore.returncode == msg.EXIT_CANCELLED, restore.stderr
    assert_inert(restore.stdout + restore.stderr)
    assert "Team␛]0;gehackt␇␛[2J␛[31mRood" in restore.stdout  # shown, not acted on
    assert "Nu␛]0;gehackt" in restore.stdout

    listed = run(["worker", "list", "--store", str(demo)], home=home)
    assert listed.returncode == 0, listed.stderr
    assert_inert(listed.stdout + listed.stderr)
    assert "Daan" in listed.stdout and "␛[31mRood" in listed.stdout

    # Without --worker the command lists who may answer (and then gets no answer).
    asked = run(["audit", "verify", "--store", str(demo)], home=home)
    assert asked.returncode == msg.EXIT_CANCELLED
    assert_inert(asked.stdout + asked.stderr)
    assert "Wie ben je?" in asked.stdout and "␛[31mRood" in asked.stdout
