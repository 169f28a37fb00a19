"""School laptops are mostly Windows: the core runs without the POSIX-only modules.

A child process hides ``resource``, ``fcntl``, ``termios``, ``tty``, ``pty``,
``pwd`` and ``grp`` (an import of any of them fails, as on Windows), then does
what a team does without the screens: create a store and a team, unlock,
register a student with a talk, read the file, make a backup, make the
report, erase the student, and harden the process as the command does. Every
step must work (with its fallback where a module is missing).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

POSIX_ONLY = ("resource", "fcntl", "termios", "tty", "pty", "pwd", "grp")

CHILD = textwrap.dedent(
    """
    import importlib.abc, sys

    HIDDEN = set(sys.argv[2].split(","))

    class Windows(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in HIDDEN:
                raise ModuleNotFoundError(f"No module named {name!r} (hidden: as on Windows)", name=name)
            return None

    sys.meta_path.insert(0, Windows())
    for name in list(sys.modules):
        if name.split(".")[0] in HIDDEN:
            del sys.modules[name]

    from datetime import date, datetime
    from pathlib import Path

    from jongerenteam import dossier as d
    from jongerenteam.cli import _harden_process
    from jongerenteam.domain import StudentDetails
    from jongerenteam.report.figures import Period
    from jongerenteam.session import TeamSession
    from tests.support import COORDINATOR_PASS, WORKER_PASS, make_team

    _harden_process()
    folder = Path(sys.argv[1])
    fx = make_team(folder / "team.jt")
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    sid = hanna.spreekuur.register_student(StudentDetails(first_name="Sam", last_name="Bakker"), status="lopend").id
    hanna.dossier.add_talk(sid, d.NewTalk("vervolggesprek", datetime(2026, 11, 20, 10, 0), 30, [], "Over geld"))
    assert hanna.dossier.open_dossier(sid).talks()
    hanna.lock()
    fx.store.backup(folder / "kopie.jtbackup")
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    coordinator.report.report(Period("eigen", date(2026, 1, 1), date(2026, 12, 31)))
    coordinator.rights.erase_student(sid, "verzoek")
    coordinator.lock()
    fx.store.close()
    assert not any(name.split(".")[0] in HIDDEN for name in sys.modules), "a hidden module was imported"
    print("OK")
    """
)


def test_the_core_runs_without_the_posix_only_modules(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_STATE_HOME": str(tmp_path / "state")}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), ",".join(POSIX_ONLY)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("OK")
