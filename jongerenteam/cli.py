"""The ``jongerenteam`` command and the composition root (``make_app``).

Subcommand names are English; every help text and message is Dutch. Every
error a user can cause ends as one Dutch sentence and an exit code.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from jongerenteam import __version__
from jongerenteam import messages as msg
from jongerenteam.passphrase import advice, weakness
from jongerenteam.settings import (
    Settings,
    default_store,
    demo_store,
    kdf_params,
    refuse_insecure_test_kdf,
    resolve_store,
)

if TYPE_CHECKING:  # the commands import what they need when they run (cold start)
    from jongerenteam.backup import RestorePlan
    from jongerenteam.session import TeamSession
    from screens.app import JongerenteamApp
    from storage.models import Worker
    from storage.preview import OpeningStore
    from storage.store import Store

PROG = "jongerenteam"

# A subcommand: the parsed arguments and the console in, the exit code out.
Command = Callable[[argparse.Namespace, "Console"], int]


# --- composition root ------------------------------------------------------


def make_app(settings: Settings, store: Store | OpeningStore | None) -> JongerenteamApp:
    """Wire the Textual app to a store. The CLI and the tests both call this.

    ``store`` is a ``Store``, None (no store yet: the set-up wizard), or a
    ``storage.preview.OpeningStore`` (the unlock screen shows from its
    preview; the app opens the store behind it after the first frame).
    """
    from screens.app import JongerenteamApp

    return JongerenteamApp(settings=settings, store=store)


# --- small I/O helpers -------------------------------------------------------


class Console:
    """Prompts on a terminal, plain lines from stdin otherwise (scripts, tests).

    Everything it writes is shown inert (``jongerenteam.text.visible``): a
    team or worker name read from a store or a backup file may hold escape
    sequences or control characters, which then show as symbols (␛, ␇)
    instead of acting on the terminal.
    """

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.interactive = self.stdin.isatty()

    def say(self, text: str = "") -> None:
        print(_inert(text), file=self.stdout, flush=True)

    def warn(self, text: str) -> None:
        print(_inert(text), file=self.stderr, flush=True)

    def ask(self, prompt: str, *, default: str = "", secret: bool = False) -> str:
        shown = _inert(f"{prompt} [{default}]: " if default else f"{prompt}: ")
        if self.interactive:
            answer = getpass.getpass(shown) if secret else input(shown)
        else:
            line = self.stdin.readline()
            if line == "":
                raise EOFError(prompt)
            answer = line.rstrip("\r\n")
        if not secret:
            # A typed answer is text like any other: no control characters or escape codes.
            from jongerenteam.text import clean_line

            answer = clean_line(answer)
        return answer.strip() or default

    def ask_required(self, prompt: str, *, default: str = "") -> str:
        for _ in range(5):
            value = self.ask(prompt, default=default)
            if value:
                return value
            self.warn("Dit veld is verplicht.")
        raise EOFError(prompt)

    def new_passphrase(self, names: tuple[str, ...] = ()) -> str:
        """Ask twice, with feedback on weak ones; retry until acceptable."""
        for _ in range(5):
            first = self.ask("Kies een wachtwoord(zin)", secret=True)
            problem = weakness(first, names=names)
            if problem:
                self.warn(problem)
                continue
            second = self.ask("Typ het wachtwoord nog een keer", secret=True)
            if first != second:
                self.warn("De twee wachtwoorden zijn niet gelijk. Probeer het opnieuw.")
                continue
            hint = advice(first)
            if hint:
                self.warn(hint)
            return first
        raise EOFError("passphrase")


def _inert(text: str) -> str:
    """``text`` as the terminal may get it: line breaks kept, every other control character a visible symbol."""
    from jongerenteam.text import visible

    return visible(text, newlines=True)


# --- commands --------------------------------------------------------------


def _open_store(location: str) -> Store:
    from storage.store import Store

    return Store.open(location)


def _pick_worker(console: Console, store: Store, wanted: str | None) -> Worker:
    """Find the worker by initials or name, or ask."""
    workers = store.workers()
    if wanted:
        w = wanted.casefold()
        for worker in workers:
            if w in (worker.initials.casefold(), worker.full_name.casefold()):
                return worker
        for worker in store.workers(active_only=False):
            if w in (worker.initials.casefold(), worker.full_name.casefold()):
                from storage.errors import WorkerInactive

                raise WorkerInactive("worker")
        raise LookupError("worker")
    if len(workers) == 1:
        return workers[0]
    console.say("Wie ben je?")
    for i, worker in enumerate(workers, 1):
        console.say(f"  {i}. {worker.full_name} ({worker.initials})")
    answer = console.ask("Nummer of initialen")
    if answer.isdecimal() and 1 <= int(answer) <= len(workers):
        return workers[int(answer) - 1]
    return _pick_worker(console, store, answer)


def _unlock(console: Console, store: Store, wanted: str | None, *, check: bool = True, lean: bool = False) -> TeamSession:
    """Ask who and the passphrase, and unlock (``lean``: see ``TeamSession.unlock``)."""
    from jongerenteam.session import TeamSession

    worker = _pick_worker(console, store, wanted)
    passphrase = console.ask(f"Wachtwoord van {worker.full_name}", secret=True)
    _wait_after_failures(console, store, worker.id)
    session = TeamSession.unlock(store, worker.id, passphrase, check=check, lean=lean)
    warning = session.weak_key_warning()
    for notice in ([warning] if warning else []) + session.notices:
        console.warn(notice)
    return session


def _wait_after_failures(console: Console, store: Store, worker_id: str) -> None:
    """The same growing wait as the unlock screen, so a script cannot guess faster."""
    import math
    import time

    from jongerenteam import throttle
    from storage import clock, team

    failures, last = team.login_throttle(store, worker_id)
    wait = throttle.remaining(failures, last, clock.now())
    if wait > 0:
        console.warn(f"Te vaak een verkeerd wachtwoord: even wachten ({math.ceil(wait)} s)...")
        time.sleep(wait)


def cmd_init(args: argparse.Namespace, console: Console) -> int:
    from jongerenteam import start, team
    from jongerenteam.text import check_text, clean_line
    from storage.store import Store

    location = resolve_store(args.store)
    # Refuse before the questions, not after the passphrase was typed twice
    # (for a server store this also finds out now whether it can be reached).
    Store.refuse_existing(location)
    console.say(f"Nieuwe teamopslag: {start.display_location(location)}")
    team_name = args.team or console.ask_required("Naam van het team")
    full_name = args.name or console.ask_required("Jouw volledige naam")
    initials = args.initials or console.ask_required(
        "Jouw initialen", default="".join(p[0] for p in full_name.split() if p).upper()
    )
    organisation = args.organisation or console.ask_required(
        "Jouw moederorganisatie (bijv. jeugdhulp, ggz, verslavingszorg)"
    )
    details = team.WorkerDetails(full_name, initials, team.COORDINATOR, organisation)
    # Before the passphrase: a name the PDFs cannot print is refused now, not after typing it twice.
    check_text("team_name", clean_line(team_name), "short")
    team.check_worker(details)
    passphrase = console.new_passphrase(names=(full_name, initials, team_name, *full_name.split()))
    console.say("Een moment: de sleutel wordt afgestemd op deze laptop...")
    store = start.create_store(location)
    try:
        recovery, slow = start.create_team(store, team_name, details, passphrase)
    finally:
        store.close()
    if slow:
        console.warn(slow)
    console.say("")
    console.say(f"Het team '{team_name}' is aangemaakt. Jij bent coördinator.")
    console.say("")
    console.say("HERSTELCODE (wordt maar één keer getoond):")
    console.say(f"    {recovery}")
    console.say("")
    console.say("Schrijf deze code op papier en bewaar hem in de kluis van de school.")
    console.say("Met deze code kan een coördinator een nieuw wachtwoord instellen als")
    console.say("iedereen zijn wachtwoord kwijt is. Bewaar hem niet op deze laptop.")
    return msg.EXIT_OK


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from jongerenteam.demo import build_demo
    from jongerenteam.demo_team import DEMO_WORKERS
    from storage.errors import StoreExists

    # Never $JONGERENTEAM_STORE: that names the team's real store.
    location = args.store or demo_store()
    if "://" in location:
        console.warn("De demo kan alleen in een bestand op deze laptop, niet op een server.")
        return msg.EXIT_USAGE
    path = Path(location)
    if path.exists() and not args.fresh:
        console.say(f"De demo-opslag bestaat al: {_shown(location)}")
        console.say("Gebruik --opnieuw om hem opnieuw te vullen.")
    else:
        if path.exists():
            if not _is_demo_store(location):
                raise StoreExists(location)
            _remove_store_files(path)
        console.say("Demo-opslag vullen met verzonnen studenten...")
        count = build_demo(location, students=args.students)
        console.say(f"{count} verzonnen studenten aangemaakt in: {_shown(location)}")
    console.say("")
    console.say("Demo-medewerkers (alleen voor deze demo):")
    for w in DEMO_WORKERS:
        console.say(f"  {w.full_name:<22} {w.role_label:<13} wachtwoord: {w.passphrase}")
    if args.no_open:
        console.say("")
        opener = "jongerenteam demo" if not args.store else f"jongerenteam --store {_shown(location)}"
        console.say(f"Open de demo later met: {opener}")
        return msg.EXIT_OK
    return _run_app(location, console)


def _shown(location: str) -> str:
    from storage.store import display_location

    return display_location(location)


def _is_demo_store(location: str) -> bool:
    from jongerenteam.demo_team import DEMO_TEAM_NAME

    # Only a store that opens and says it is the demo may be replaced: a
    # damaged, newer or foreign file could be a real team's store.
    try:
        store = _open_store(location)
    except Exception:  # noqa: BLE001 - anything unreadable is not provably a demo
        return False
    try:
        t = store.team()
        return t is not None and t.name == DEMO_TEAM_NAME
    finally:
        store.close()


def _remove_store_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _run_app(location: str, console: Console) -> int:
    """Run the app on the store; with no store yet, at a terminal, the app's set-up wizard.

    A team store in a file on this laptop is not opened here: the app starts
    from a preview (storage.preview) and opens it behind the unlock screen,
    so that the screen is up before SQLAlchemy is even imported.
    """
    store = _preview_store(location) or _open_or_set_up(location, console)
    app = None
    try:
        app = make_app(Settings(store=location), store)
        app.run()
        code = app.return_code or 0
    finally:
        # The wizard hands the store it created to the app, and an opening
        # store becomes the opened one: close whichever the app holds now.
        opened = app.store if app is not None else store
        if opened is not None:
            opened.close()
    # Opening behind the unlock screen failed (the screen said why): the
    # same Dutch sentence and exit code as when it fails before the app.
    from storage.preview import OpeningStore

    if isinstance(store, OpeningStore) and store.error is not None:
        raise store.error
    return code


def _preview_store(location: str) -> OpeningStore | None:
    """The store to open behind the unlock screen, or None: then it is opened (or set up) first, as always.

    Only for a file store at the current schema whose team and workers read
    without trouble; everything else (no file, damaged, older or newer, a
    database server) goes the ordinary way and gets the ordinary errors.
    """
    from storage.preview import OpeningStore, read_preview

    preview = read_preview(location)
    if preview is None:
        return None
    return OpeningStore(location, preview, opener=_open_store_behind_unlock)


def _open_store_behind_unlock(location: str) -> Store:
    """Open the store (in the app's thread worker) and load what unlocking needs next."""
    store = _open_store(location)
    # Imported here, off the UI thread and before the store counts as open:
    # Enter on the unlock screen then finds them loaded.
    import jongerenteam.session  # noqa: F401 - imported for the loading, not for a name
    import storage.team  # noqa: F401 - imported for the loading, not for a name

    return store


def _open_or_set_up(location: str, console: Console) -> Store | None:
    """The store, or None when none exists yet and a person at a terminal can make one in the app.

    Without a terminal (a script, a pipe) the missing store stays the Dutch
    error and exit code it always was. The wizard is offered only where
    ``Store.create`` would succeed: no file yet (or an empty one), or an
    empty database; a database that does not exist is the IT department's.
    """
    from storage.errors import StoreMissing
    from storage.store import Store, is_server_location

    try:
        return _open_store(location)
    except StoreMissing as exc:
        if not _at_a_terminal(console):
            raise
        if is_server_location(location) and exc.info.get("reason") != "empty":
            raise
        try:
            Store.refuse_existing(location)
        except Exception:  # noqa: BLE001 - not a place for a new store: the original error says why
            raise exc from None
        return None


def _at_a_terminal(console: Console) -> bool:
    isatty = getattr(console.stdout, "isatty", None)
    return console.interactive and bool(isatty and isatty())


def cmd_open(args: argparse.Namespace, console: Console) -> int:
    return _run_app(resolve_store(args.store), console)


def cmd_backup(args: argparse.Namespace, console: Console) -> int:
    from jongerenteam import backup as service

    location = resolve_store(args.store)
    service.refuse_server_store(location)
    target = Path(args.file)
    if target.exists() and not args.overwrite:
        # Before the passphrase: nothing to unlock (and lock again) for.
        console.warn(f"Het bestand {target} bestaat al. Kies een andere naam of gebruik --overschrijven.")
        return msg.EXIT_EXISTS
    store = _open_store(location)
    try:
        session = _unlock(console, store, args.worker)
        try:
            made = service.make_backup(store, session, target)
        finally:
            session.lock()
    finally:
        store.close()
    console.say(f"Back-up gemaakt: {made.target}")
    if made.facts is not None:
        console.say(
            f"In de back-up: team '{made.facts.team_name}', {_count(made.facts.students, 'student', 'studenten')} "
            f"en {_count(made.facts.workers, 'actieve medewerker', 'actieve medewerkers')}."
        )
    console.say("De back-up is versleuteld, net als de teamopslag zelf.")
    return msg.EXIT_OK


def cmd_restore(args: argparse.Namespace, console: Console) -> int:
    from jongerenteam import backup as service

    location = resolve_store(args.store)
    with service.prepare_restore(args.file, location) as plan:
        _show_restore_plan(console, plan)
        answer = console.ask("Doorgaan? (j/n)")
        if answer.strip().casefold() not in ("j", "ja"):
            console.say("Er is niets teruggezet; de huidige opslag is niet veranderd.")
            return msg.EXIT_CANCELLED

        def confirm_current(store: Store) -> TeamSession:
            console.say("Een coördinator van de huidige teamopslag bevestigt eerst het terugzetten.")
            return _unlock(console, store, args.worker, check=False)

        def login_backup(store: Store) -> TeamSession:
            console.say("Log nu in als coördinator uit de back-up; daarna wordt alles in de back-up gecontroleerd.")
            return _unlock(console, store, args.worker, check=False)

        result = service.restore(plan, confirm_current=confirm_current, login_backup=login_backup)
    checked = result.check.checked
    console.say(
        f"Alles in de back-up is leesbaar: {_count(checked['file_entries'], 'dossierregel', 'dossierregels')} "
        f"van {_count(checked['student_keys'], 'student', 'studenten')} gecontroleerd, en het logboek is in orde."
    )
    if result.kept is not None:
        if result.kept_damaged:
            console.say(f"De huidige opslag was niet te lezen en is apart gezet als: {result.kept}")
        else:
            console.say(f"De huidige opslag is eerst bewaard als: {result.kept}")
    console.say(f"De back-up is teruggezet in: {_shown(location)}")
    console.say(
        f"Team '{plan.backup.team_name}': {_count(plan.backup.students, 'student', 'studenten')} "
        f"en {_count(plan.backup.workers, 'actieve medewerker', 'actieve medewerkers')}."
    )
    if result.reapplied:
        console.say(
            f"{result.reapplied} student(en) die na deze back-up gewist zijn, zijn opnieuw gewist."
        )
    if result.refused:
        console.warn(
            f"Let op: de lijst van gewiste studenten noemt {result.refused} student(en) uit de back-up zonder "
            "geldige handtekening van een coördinator. Die zijn niet gewist: misschien heeft iemand met de "
            "opslag geknoeid. Kijk het na met de coördinator."
        )
    return msg.EXIT_OK


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _when(moment: datetime | None) -> str:
    """A stored moment in the laptop's time, as dd-mm-jjjj uu:mm; '–' when unknown."""
    from storage.clock import local_time

    return local_time(moment).strftime("%d-%m-%Y %H:%M") if moment is not None else "–"


def _show_restore_plan(console: Console, plan: RestorePlan) -> None:
    """What the restore would put back and what it would replace, side by side, before the question."""
    from jongerenteam import backup as service

    b, c = plan.backup, plan.current
    console.say(f"Back-up: {plan.source}")
    console.say(f"Gemaakt op {_when(b.made_at)} (het tijdstip van de laatste regel in het logboek van de back-up).")
    console.say("")
    if c is None:
        rows = [
            ("team", b.team_name),
            ("studenten", str(b.students)),
            ("actieve medewerkers", str(b.workers)),
            ("nieuwste dossierregel", _when(b.newest_entry)),
        ]
        for label, value in rows:
            console.say(f"  {label:<24}{value}")
        console.say("")
        if plan.current_state == service.CURRENT_DAMAGED:
            console.say(
                f"De teamopslag op {_shown(plan.location)} is nu niet te lezen (beschadigd). "
                f"Hij wordt niet weggegooid maar apart gezet in {plan.safety_folder}."
            )
        else:
            console.say(f"Op {_shown(plan.location)} staat nu geen teamopslag: de back-up wordt de teamopslag.")
    else:
        team_now = c.team_name + (" (ander team)" if plan.other_team else "")
        columns = [
            ("", "in de back-up", "nu in de opslag"),
            ("team", b.team_name, team_now),
            ("studenten", str(b.students), str(c.students)),
            ("actieve medewerkers", str(b.workers), str(c.workers)),
            ("nieuwste dossierregel", _when(b.newest_entry), _when(c.newest_entry)),
            ("laatste logboekregel", _when(b.made_at), _when(c.made_at)),
        ]
        width = max(len(r[1]) for r in columns) + 3
        for label, left, right in columns:
            console.say(f"  {label:<24}{left:<{width}}{right}")
        console.say("")
        console.say(
            f"{_count(c.students, 'student', 'studenten')} nu, {b.students} in de back-up."
            + (f" Na het terugzetten zijn er {c.students - b.students} studenten minder." if b.students < c.students else "")
        )
        if plan.other_team:
            console.say("")
            console.say("!" * 72)
            console.say("LET OP: DEZE BACK-UP IS VAN EEN ANDER TEAM.")
            if b.team_name == c.team_name:
                console.say(f"De back-up heet ook '{b.team_name}', maar komt uit een andere teamopslag.")
            else:
                console.say(f"De back-up is van '{b.team_name}'; de opslag op deze laptop is van '{c.team_name}'.")
            console.say(f"Terugzetten vervangt ALLE gegevens van '{c.team_name}' door die van de back-up.")
            console.say("Doe dit alleen als je zeker weet dat dit de bedoeling is.")
            console.say("!" * 72)
        console.say("")
        console.say(f"De huidige opslag wordt eerst bewaard in {plan.safety_folder}.")
    console.say("Studenten die in de huidige opslag gewist zijn, worden in de back-up opnieuw gewist.")


def cmd_audit_verify(args: argparse.Namespace, console: Console) -> int:
    store = _open_store(resolve_store(args.store))
    try:
        session = _unlock(console, store, args.worker)
        result = session.team.verify_audit()
        session.lock()
    finally:
        store.close()
    if result.ok:
        console.say(f"Het logboek is in orde: {result.checked} regels gecontroleerd.")
        if result.unconfirmed:
            console.say(
                f"{result.unconfirmed} regel(s) zijn ondertekend met een nieuwe sleutel van een collega die een "
                "coördinator nog niet heeft bevestigd; dat gebeurt bij de volgende aanmelding van een coördinator."
            )
        if result.unsealed:
            console.say(f"{result.unsealed} mislukte aanmelding(en) worden bij de volgende aanmelding vastgelegd.")
        return msg.EXIT_OK
    console.say(
        f"Het logboek is NIET in orde: bij regel {result.first_broken_seq}: {result.reason}. "
        "Meld dit bij de coördinator; mogelijk is met de opslag geknoeid."
    )
    return msg.EXIT_BROKEN


def cmd_worker_add(args: argparse.Namespace, console: Console) -> int:
    from jongerenteam.team import check_worker
    from storage import team

    store = _open_store(resolve_store(args.store))
    try:
        session = _unlock(console, store, args.worker)
        full_name = args.name or console.ask_required("Volledige naam van de nieuwe medewerker")
        initials = args.initials or console.ask_required(
            "Initialen", default="".join(p[0] for p in full_name.split() if p).upper()
        )
        organisation = args.organisation or console.ask_required("Moederorganisatie")
        role = team.COORDINATOR if args.coordinator else team.WORKER
        details = team.WorkerDetails(full_name, initials, role, organisation)
        check_worker(details)  # before the passphrase is chosen
        console.say("De nieuwe medewerker kiest nu een wachtwoord.")
        passphrase = console.new_passphrase(names=(full_name, initials, *full_name.split()))
        session.team.add_worker(details, passphrase, kdf_params())
        # Said at once: a failure after this (the lock's log entry on a full
        # disk) must not read as if the colleague was not added.
        console.say(f"{full_name} is toegevoegd aan het team.")
        session.lock()
    finally:
        store.close()
    return msg.EXIT_OK


def cmd_worker_deactivate(args: argparse.Namespace, console: Console) -> int:
    store = _open_store(resolve_store(args.store))
    moved = 0
    try:
        session = _unlock(console, store, args.worker)
        if not session.keys.is_coordinator:
            from storage.errors import NotAllowed, Reason

            raise NotAllowed("workers", reason=Reason.COORDINATOR_ONLY)
        left = _inactive_worker(store, args.who)
        if left is not None and args.successor:
            # Repair: a colleague who left still is contact person of students (an older
            # deactivation): they get the new contact person now, the file after consent.
            successor = _pick_worker(console, store, args.successor)
            students_of, _ = session.team.handover_load(left.id)
            if not students_of:
                console.say(f"{left.full_name} is al gedeactiveerd en is van geen student meer contactpersoon.")
                session.lock()
                return msg.EXIT_OK
            from jongerenteam.domain import ValidationError

            named, waiting = 0, 0
            for sid in students_of:
                try:
                    session.team.name_contact(sid, successor.id)
                    named += 1
                except ValidationError:  # a handover still open for this student: its receiver answers
                    waiting += 1
            session.lock()
            console.say(f"{named} student(en) van {left.full_name} hebben nu {successor.full_name} als "
                        f"contactpersoon. {CONSENT_FIRST.format(name=successor.full_name)}")
            if waiting:
                console.say(f"{waiting} student(en) hebben nog een lopende overdracht: de ontvanger beslist.")
            return msg.EXIT_OK
        target = _pick_worker(console, store, args.who)
        if args.successor:
            successor = _pick_worker(console, store, args.successor)
            if successor.id == target.id:
                console.warn("Kies bij --overdragen-aan een andere collega dan wie vertrekt.")
                return msg.EXIT_USAGE
            plan = session.team.deactivation_plan(target.id)
            if plan.to_them:
                console.say(f"{len(plan.to_them)} overdracht(en) aan {target.full_name} worden ingetrokken.")
            if plan.from_them:
                console.say(f"{len(plan.from_them)} overdracht(en) van {target.full_name} blijven staan: de ontvanger beslist.")
            moved, removed = session.team.deactivate_worker_with_handover(target.id, successor.id)
        else:
            # Nobody may be left without a contact person: ask who takes over.
            students_of, programmes = session.team.handover_load(target.id)
            if students_of or programmes:
                parts = []
                if students_of:
                    parts.append(f"contactpersoon van {len(students_of)} student(en)")
                if programmes:
                    parts.append(f"vaste contactpersoon van {len(programmes)} opleiding(en)")
                console.warn(
                    f"{target.full_name} is nog {' en '.join(parts)}. Zeg wie dat overneemt met "
                    "--overdragen-aan INITIALEN (of deactiveer in de app: Team beheren, d). Er is niets veranderd."
                )
                return msg.EXIT_USAGE
            removed = session.team.deactivate_worker(target.id)
        session.lock()
    finally:
        store.close()
    console.say(
        f"{target.full_name} is gedeactiveerd. Het wachtwoord opent niets meer; "
        f"{removed} dossiersleutel(s) van deze medewerker zijn verwijderd."
    )
    if moved:
        console.say(f"{moved} student(en) hebben nu {successor.full_name} als contactpersoon. "
                    f"{CONSENT_FIRST.format(name=successor.full_name)}")
    return msg.EXIT_OK


CONSENT_FIRST = ("{name} opent een dossier pas als de student toestemming gaf om alles met {name} te delen "
                 "(in de app: Vandaag, toestemming vragen).")


def _inactive_worker(store: Store, wanted: str | None) -> Worker | None:
    """The deactivated worker these initials or this name name, if that is who is meant."""
    if not wanted:
        return None
    w = wanted.casefold()
    if any(w in (x.initials.casefold(), x.full_name.casefold()) for x in store.workers()):
        return None
    return next((x for x in store.workers(active_only=False)
                 if not x.active and w in (x.initials.casefold(), x.full_name.casefold())), None)


def cmd_worker_list(args: argparse.Namespace, console: Console) -> int:
    from jongerenteam.catalogue import ROLE_LABELS

    store = _open_store(resolve_store(args.store))
    try:
        for w in store.workers(active_only=False):
            state = "" if w.active else " (gedeactiveerd)"
            console.say(f"{w.initials:<6} {w.full_name:<28} {ROLE_LABELS.get(w.role, w.role):<13} {w.organisation}{state}")
    finally:
        store.close()
    return msg.EXIT_OK


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    """The figures of a period as CSV or PDF, without the app (coördinator only)."""
    from jongerenteam import report as rp
    from jongerenteam.dates import parse_date
    from jongerenteam.domain import ValidationError
    from jongerenteam.municipalities import code_for
    from jongerenteam.pdf import documents_folder

    try:
        period = rp.custom(parse_date(args.date_from, field="from"), parse_date(args.date_to, field="to"))
    except ValidationError as exc:
        console.warn(f"Periode: {exc.message}")
        return msg.EXIT_USAGE
    municipality = None
    if args.gemeente:
        municipality = code_for(args.gemeente)
        if municipality is None:
            console.warn(f"De gemeente '{args.gemeente}' staat niet in de lijst van gemeenten.")
            return msg.EXIT_USAGE
    store = _open_store(resolve_store(args.store))
    try:
        # The figures come from the statistics tier: a lean session, whose directory
        # is decrypted only if students without a statistics record need one (backfill).
        session = _unlock(console, store, args.worker, lean=True)
        try:
            report = session.report.report(period, municipality)
            _settle()  # before fpdf2 is imported: its import runs a full collection
            out = args.out or str(documents_folder() / rp.default_file_name(report, args.format))
            try:
                target = session.report.export_report(report, args.format, out)
            except ValidationError as exc:
                console.warn(exc.message)
                return msg.EXIT_USAGE
        finally:
            session.lock()
    finally:
        store.close()
    if report.damaged:
        console.warn(report.damaged_note)
    if report.refused:
        console.warn(report.refused)
    console.say(f"De rapportage ({report.period.label}, {report.scope}) staat in {target}")
    _settle()  # the interpreter runs a full collection as it exits
    return msg.EXIT_OK


def _settle() -> None:
    """In the command's own process (``run``): move everything alive now out of
    the cyclic collector's way (``gc.freeze``).

    The process ends within seconds, and what is alive now (the modules, the
    store, the session) lives until then; the collector's full passes need not
    walk it again. For the report at 50,000 students: 0.1 s less
    (docs/performance.md). Objects freed by their reference count (all but
    cycles) are freed as always. Not when ``main`` runs inside another
    program (the tests), and not for the app: it manages its own.
    """
    if _one_shot:
        import gc

        gc.freeze()


def cmd_recover(args: argparse.Namespace, console: Console) -> int:
    from jongerenteam import start

    store = _open_store(resolve_store(args.store))
    try:
        target = _pick_worker(console, store, args.worker)
        code = console.ask("Herstelcode (van papier)", secret=True)
        start.check_recovery_code(store, code)  # a wrong code is told before a new passphrase is asked
        console.say(f"Kies een nieuw wachtwoord voor {target.full_name}.")
        passphrase = console.new_passphrase(names=(target.full_name, target.initials, *target.full_name.split()))
        start.reset_with_recovery(store, code, target.id, passphrase)
    finally:
        store.close()
    console.say(f"Het nieuwe wachtwoord van {target.full_name} werkt vanaf nu.")
    console.say("Het gebruik van de herstelcode staat in het logboek.")
    return msg.EXIT_OK


# --- argument parsing ----------------------------------------------------------


class _DutchFormatter(argparse.HelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, prefix="gebruik: " if prefix is None else prefix)


class DutchParser(argparse.ArgumentParser):
    """argparse with Dutch usage lines and errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # ``Any``: ArgumentParser's own arguments
        kwargs.setdefault("formatter_class", _DutchFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(msg.EXIT_USAGE, f"{self.prog}: fout: {_dutch_argparse(message)}\n")


def _dutch_argparse(message: str) -> str:
    replacements = {
        "the following arguments are required": "deze gegevens ontbreken",
        "unrecognized arguments": "onbekende opties",
        "invalid choice": "ongeldige keuze",
        "expected one argument": "verwacht één waarde",
        "argument": "optie",
        "choose from": "kies uit",
    }
    for en, nl in replacements.items():
        message = message.replace(en, nl)
    return message


def _translate_help(parser: argparse.ArgumentParser) -> None:
    parser._positionals.title = "argumenten"
    parser._optionals.title = "opties"


def build_parser() -> argparse.ArgumentParser:
    # The shared options are DutchParsers too: typeshed wants the parents of a
    # subcommand to be of its parser class.
    common = DutchParser(add_help=False)
    # SUPPRESS: a subcommand's own --store default must not overwrite a
    # --store given before the subcommand (jongerenteam --store X worker list).
    common.add_argument(
        "--store", metavar="PAD", default=argparse.SUPPRESS,
        help=f"de teamopslag (standaard: $JONGERENTEAM_STORE of {default_store()})",
    )
    worker_opt = DutchParser(add_help=False)
    worker_opt.add_argument("--worker", metavar="INITIALEN", help="wie je bent (initialen of naam); anders wordt het gevraagd")

    parser = DutchParser(
        prog=PROG,
        description="jongerenteam: registratie en begeleiding voor het jongerenteam op school.",
        parents=[common],
        add_help=False,
        usage="%(prog)s [opties] [opdracht]",
    )
    parser.add_argument("-h", "--help", action="help", help="toon deze hulp en stop")
    parser.add_argument("--version", action="version", version=f"jongerenteam {__version__}", help="toon het versienummer")
    _translate_help(parser)
    sub = parser.add_subparsers(dest="command", title="opdrachten", metavar="opdracht", parser_class=DutchParser, prog=PROG)

    def add(name: str, help_text: str, func: Command, parents: Sequence[DutchParser] = ()) -> DutchParser:
        p = sub.add_parser(name, help=help_text, description=help_text, parents=[common, *parents], add_help=False)
        p.add_argument("-h", "--help", action="help", help="toon deze hulp en stop")
        _translate_help(p)
        p.set_defaults(func=func)
        return p

    p = add("init", "maak een nieuwe teamopslag met de eerste coördinator", cmd_init)
    p.add_argument("--team", metavar="NAAM", help="naam van het team")
    p.add_argument("--name", metavar="NAAM", help="jouw volledige naam")
    p.add_argument("--initials", metavar="INITIALEN", help="jouw initialen")
    p.add_argument("--organisation", metavar="ORGANISATIE", help="jouw moederorganisatie")

    p = add("demo", "maak een demo-opslag met verzonnen studenten en open de app", cmd_demo)
    p.add_argument("--no-open", action="store_true", help="alleen aanmaken, de app niet openen")
    p.add_argument("--opnieuw", dest="fresh", action="store_true", help="een bestaande demo-opslag opnieuw vullen")
    p.add_argument("--students", type=int, default=200, metavar="AANTAL", help="aantal verzonnen studenten (standaard 200)")

    add("open", "open de app (dit gebeurt ook zonder opdracht)", cmd_open)

    p = add("backup", "maak een versleutelde back-up van de teamopslag", cmd_backup, [worker_opt])
    p.add_argument("file", metavar="BESTAND", help="waar de back-up komt")
    p.add_argument("--overschrijven", dest="overwrite", action="store_true", help="een bestaand bestand overschrijven")

    p = add(
        "restore", "zet een back-up terug (je ziet eerst wat erin staat; de huidige opslag wordt eerst bewaard)",
        cmd_restore, [worker_opt],
    )
    p.add_argument("file", metavar="BESTAND", help="de back-up die terug moet")

    p = add("audit", "het logboek (wie deed wat wanneer)", lambda a, c: _usage(a), [])
    audit_sub = p.add_subparsers(
        dest="audit_command", title="opdrachten", metavar="opdracht", parser_class=DutchParser, prog=f"{PROG} audit"
    )
    pv = audit_sub.add_parser("verify", help="controleer of er met het logboek is geknoeid", parents=[common, worker_opt], add_help=False)
    pv.add_argument("-h", "--help", action="help", help="toon deze hulp en stop")
    _translate_help(pv)
    pv.set_defaults(func=cmd_audit_verify)

    p = add("worker", "medewerkers van het team (alleen coördinatoren)", lambda a, c: _usage(a), [])
    w_sub = p.add_subparsers(dest="worker_command", title="opdrachten", metavar="opdracht", parser_class=DutchParser, prog=f"{PROG} worker")
    pa = w_sub.add_parser("add", help="voeg een medewerker toe", parents=[common, worker_opt], add_help=False)
    pa.add_argument("-h", "--help", action="help", help="toon deze hulp en stop")
    pa.add_argument("--name", metavar="NAAM", help="volledige naam van de nieuwe medewerker")
    pa.add_argument("--initials", metavar="INITIALEN", help="initialen van de nieuwe medewerker")
    pa.add_argument("--organisation", metavar="ORGANISATIE", help="moederorganisatie")
    pa.add_argument("--coordinator", action="store_true", help="de nieuwe medewerker wordt coördinator")
    _translate_help(pa)
    pa.set_defaults(func=cmd_worker_add)
    pd = w_sub.add_parser(
        "deactivate", help="deactiveer een medewerker (wachtwoord en sleutels vervallen)", parents=[common, worker_opt], add_help=False
    )
    pd.add_argument("-h", "--help", action="help", help="toon deze hulp en stop")
    pd.add_argument("who", metavar="WIE", help="initialen of naam van de medewerker")
    pd.add_argument("--overdragen-aan", dest="successor", metavar="INITIALEN",
                    help="de collega die de studenten en opleidingen van de vertrekkende medewerker overneemt")
    _translate_help(pd)
    pd.set_defaults(func=cmd_worker_deactivate)
    pl = w_sub.add_parser("list", help="toon de medewerkers", parents=[common], add_help=False)
    pl.add_argument("-h", "--help", action="help", help="toon deze hulp en stop")
    _translate_help(pl)
    pl.set_defaults(func=cmd_worker_list)

    p = add("report", "maak de rapportage (cijfers) van een periode, als CSV of PDF (alleen coördinatoren)", cmd_report, [worker_opt])
    p.add_argument("--from", dest="date_from", required=True, metavar="DD-MM-JJJJ", help="eerste dag van de periode")
    p.add_argument("--to", dest="date_to", required=True, metavar="DD-MM-JJJJ", help="laatste dag van de periode")
    p.add_argument("--format", choices=("csv", "pdf"), default="pdf", help="csv (voor Excel en LibreOffice) of pdf (standaard)")
    p.add_argument("--gemeente", metavar="NAAM", help="alleen de studenten uit deze woongemeente")
    p.add_argument("--out", metavar="PAD", help="waar het bestand komt (standaard: je map Documenten)")

    add("recover", "nieuw wachtwoord instellen met de herstelcode van papier", cmd_recover, [worker_opt])
    return parser


def _usage(args: argparse.Namespace) -> int:
    build_parser().parse_args([args.command, "--help"])
    return msg.EXIT_USAGE


def _harden_process() -> None:
    """No core dumps: a crash must not write decrypted data to disk."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on every OS
        pass


# What a ValidationError's field is called in a message of the command.
FIELD_LABELS = {
    "team_name": "Naam van het team",
    "full_name": "Naam",
    "initials": "Initialen",
    "organisation": "Moederorganisatie",
}


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    _harden_process()
    console = console or Console()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "store"):  # --store has default SUPPRESS, see build_parser
        args.store = None
    func = getattr(args, "func", cmd_open)
    try:
        # Before anything else: never make weak key slots outside the test suite.
        refuse_insecure_test_kdf()
        return func(args, console)
    except LookupError:
        console.warn("Deze medewerker is niet gevonden. Gebruik de initialen of de volledige naam.")
        return msg.EXIT_NOT_ALLOWED
    except EOFError:
        console.warn("Er kwam geen antwoord; er is niets veranderd.")
        return msg.EXIT_CANCELLED
    except BaseException as exc:
        if isinstance(exc, SystemExit):
            raise
        from jongerenteam.domain import ValidationError

        if isinstance(exc, ValidationError):  # bad input: its own Dutch message, with what it is about
            label = FIELD_LABELS.get(exc.field)
            console.warn(f"{label}: {exc.message}" if label else exc.message)
            return msg.EXIT_USAGE
        text, code = msg.explain(exc)
        console.warn(text)
        if os.environ.get("JONGERENTEAM_DEBUG") == "1":
            # Type and place only: messages may quote values.
            tb = exc.__traceback__
            while tb and tb.tb_next:
                tb = tb.tb_next
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"
            console.warn(f"[debug] {type(exc).__name__} bij {where}")
        return code


# True in the process of the installed command (``run``): see ``_settle``.
_one_shot = False


def run() -> None:
    global _one_shot
    _one_shot = True
    sys.exit(main())
