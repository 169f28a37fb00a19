"""Stolen laptop: no canary string readable in any file the app leaves behind.

Canaries (tests/conftest.py) are written through the real use cases; then
every file under the data folder, the WAL before checkpoint, a backup and
the output of child processes and of the CLI are searched for them.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3

from jongerenteam.session import TeamSession
from storage.store import Store
from tests import proc_worker
from tests.support import (
    CANARIES,
    CANARY_FIRST,
    CANARY_LAST,
    CANARY_NOTE,
    CANARY_NUMBER,
    COORDINATOR_PASS,
    canary_student,
    files_containing,
)


def _write_canaries(fx) -> tuple[str, str]:
    """The canaries go in as a note, and through the dossier's use cases: a
    driegesprek with an agreement and a consent, an edited talk (its history),
    an external professional, the sociale kaart and the worker's reachability."""
    from datetime import date, datetime

    from jongerenteam import consent as cn
    from jongerenteam import dossier as d
    from jongerenteam import driegesprek as dg
    from jongerenteam.socialmap import MapEntry

    s = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    rec = s.spreekuur.register_student(canary_student())
    eid = s.dossier.add_entry(rec.id, "gesprek", {"tekst": CANARY_NOTE})
    talk_id = s.driegesprek.save_driegesprek(rec.id, dg.Driegesprek(
        at=datetime(2026, 1, 5, 10, 0), coach_name=CANARY_LAST, story=CANARY_NOTE, question=CANARY_NOTE,
        agreements=[d.NewAgreement(d.Who("anders", CANARY_FIRST), CANARY_NOTE)],
        consents=[cn.NewConsent(cn.ConsentWith("professional", CANARY_LAST), ["alles"], CANARY_NOTE, on=date(2026, 1, 5))],
    ))
    s.dossier.edit_talk(rec.id, s.dossier.open_dossier(rec.id).item(talk_id), {"tekst": f"{CANARY_NOTE} (bijgewerkt)"})
    s.dossier.add_external(rec.id, CANARY_FIRST, contact=CANARY_NUMBER)
    s.social_map.add(MapEntry("professional", CANARY_LAST, note=CANARY_NOTE))
    s.team.set_my_contact(CANARY_NUMBER)
    s.lock()
    return rec.id, eid


def _assert_readable(path, student_id: str, entry_id: str) -> None:
    """Positive control: the canaries really are in the store, behind the key."""
    store = Store.open(str(path))
    try:
        coordinator = next(w for w in store.workers() if w.initials == "CC")
        s = TeamSession.unlock(store, coordinator.id, COORDINATOR_PASS)
        rec = s.students[student_id]
        assert (rec.details.first_name, rec.details.last_name) == (CANARY_FIRST, CANARY_LAST)
        entries = {e.id: e for e in s.dossier.read_file(student_id)}
        assert entries[entry_id].payload["tekst"] == CANARY_NOTE
        s.lock()
    finally:
        store.close()


def _no_canary(text: str) -> list[str]:
    return [c for c in CANARIES if c.casefold() in text.casefold()]


def test_scanner_finds_plaintext(tmp_path):
    """Control: files_containing does find a canary written in plain text (UTF-8 and UTF-16)."""
    (tmp_path / "a.txt").write_text(f"x {CANARY_LAST} y", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(CANARY_NOTE.encode("utf-16-le"))
    hits = files_containing(tmp_path)
    assert (str(tmp_path / "a.txt"), CANARY_LAST) in hits
    assert (str(tmp_path / "b.txt"), CANARY_NOTE) in hits


def test_data_folder_has_no_canary_after_lock_and_close(team_store):
    """After registering the canary student and note via TeamSession, lock and close: zero hits in the data folder."""
    sid, eid = _write_canaries(team_store)
    assert files_containing(team_store.path.parent) == []  # locked, store still open
    team_store.store.close()
    assert files_containing(team_store.path.parent) == []
    _assert_readable(team_store.path, sid, eid)
    assert files_containing(team_store.path.parent) == []


def test_wal_before_checkpoint_has_no_canary(team_store, tmp_path):
    """A child writes canaries and is SIGKILLed before any checkpoint: the non-empty WAL holds no canary."""
    fx = team_store
    fx.store.close()
    proc = proc_worker.spawn(
        "canary", str(fx.path), fx.coordinator_id, COORDINATOR_PASS, "--hold-reader"
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("ack "), proc.stderr.read() if proc.poll() is not None else line
        _, sid, eid = line.split()
    finally:
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    wal = fx.path.with_name(fx.path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    # The canary rows live only in the WAL: the main file alone does not have them.
    main_only = tmp_path / "main-only" / "copy.jt"
    main_only.parent.mkdir()
    shutil.copyfile(fx.path, main_only)
    con = sqlite3.connect(main_only)
    try:
        assert con.execute("SELECT count(*) FROM students WHERE id = ?", (sid,)).fetchone() == (0,)
    finally:
        con.close()

    assert files_containing(fx.path.parent) == []
    assert _no_canary(line + out + err) == []
    assert "Traceback" not in err
    # And the committed canaries are there once the WAL is recovered.
    _assert_readable(fx.path, sid, eid)
    assert files_containing(fx.path.parent) == []


def test_backup_has_no_canary(team_store, tmp_path):
    """A backup made with Store.backup contains no canary, yet restores the canary student."""
    sid, eid = _write_canaries(team_store)
    target = tmp_path / "elders" / "team.jtbackup"
    team_store.store.backup(target)
    assert target.exists() and target.stat().st_size > 0
    assert files_containing(target.parent) == []
    _assert_readable(target, sid, eid)
    assert files_containing(target.parent) == []


def test_child_and_cli_output_have_no_canary(team_store):
    """stdout/stderr of a writing child process and of the jongerenteam CLI contain no canary."""
    fx = team_store
    sid, eid = _write_canaries(fx)
    fx.store.close()
    child = proc_worker.spawn(
        "write-loop", str(fx.path), fx.coordinator_id, COORDINATOR_PASS, "--count", "6"
    )
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert out.splitlines()[-1] == "done"
    assert _no_canary(out + err) == []

    runs = {
        "audit verify": proc_worker.run_cli(
            ["--store", str(fx.path), "audit", "verify", "--worker", "CC"], COORDINATOR_PASS + "\n"
        ),
        "worker list": proc_worker.run_cli(["--store", str(fx.path), "worker", "list"]),
        "debug, wrong passphrase": proc_worker.run_cli(
            ["--store", str(fx.path), "audit", "verify", "--worker", "CC"], "fout\n",
            env=proc_worker.child_env(JONGERENTEAM_DEBUG="1"),
        ),
    }
    assert runs["audit verify"].returncode == 0, runs["audit verify"].stderr
    assert "Het logboek is in orde" in runs["audit verify"].stdout
    assert runs["worker list"].returncode == 0
    assert runs["debug, wrong passphrase"].returncode == 3
    for name, r in runs.items():
        assert _no_canary(r.stdout + r.stderr) == [], name
        assert "Traceback" not in r.stderr, name
    assert files_containing(fx.path.parent) == []
    _assert_readable(fx.path, sid, eid)
