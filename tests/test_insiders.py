"""Attacks on the store's integrity, each through the real unlock, as the victim meets them.

Every test tampers first (raw SQL on the store's own engine, or an older copy
of the store file put back), then goes through ``TeamSession.unlock`` (the
path the app and the CLI take), and checks what the worker is told and what
the log says. Tests taking ``store_url`` run on SQLite and on PostgreSQL.
See the threat table in docs/security.md: each row names its test here.
"""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select, text

from jongerenteam import integrity, messages
from jongerenteam.session import TeamSession
from storage import audit, students
from storage.errors import LogTampered
from storage.models import AuditEntry, Student
from storage.store import Store
from tests.conftest import COORDINATOR_PASS, OTHER_PASS, WORKER_PASS, canary_student, make_team
from tests.support import build_app, notifications, unlock_as, wait_until


@pytest.fixture
def fx(store_url):
    team_fx = make_team(store_url)
    yield team_fx
    team_fx.store.close()


def _raw(store: Store, sql: str, **params) -> list:
    """Raw SQL past the application, as someone with the files would."""
    with store.engine.begin() as conn:
        result = conn.execute(text(sql), params)
        return result.fetchall() if result.returns_rows else []


def _newest_seq(store: Store) -> int:
    return _raw(store, "SELECT max(seq) FROM audit_log")[0][0]


def _events(store: Store, event: str) -> list[AuditEntry]:
    with store.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.event == event)).all())


# -- 1. a log cut short or emptied, without any key ----------------------------------------------------


def test_newest_entries_removed_with_their_head_refuse_the_unlock(fx):
    """Deleting the newest entries and the head row leaves a shorter chain that is valid on its own:
    the next unlock (which always appends a login) refuses to chain on, in Dutch."""
    TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS).lock()
    newest = _newest_seq(fx.store)
    _raw(fx.store, "DELETE FROM audit_log WHERE seq > :cut", cut=newest - 3)
    _raw(fx.store, "DELETE FROM audit_head")
    with pytest.raises(LogTampered) as caught:
        TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    text_, code = messages.explain(caught.value)
    assert "logboek" in text_ and "ingekort of veranderd" in text_
    assert code == messages.EXIT_TAMPERED
    # Nothing was added to the cut log.
    assert _newest_seq(fx.store) == newest - 3


def test_whole_log_and_head_removed_refuse_the_unlock(fx):
    _raw(fx.store, "DELETE FROM audit_log")
    _raw(fx.store, "DELETE FROM audit_head")
    with pytest.raises(LogTampered):
        TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    assert _raw(fx.store, "SELECT count(*) FROM audit_log")[0][0] == 0


def test_newest_entries_removed_head_kept_refuse_the_unlock(fx):
    """The head names an entry that is no longer there."""
    newest = _newest_seq(fx.store)
    _raw(fx.store, "DELETE FROM audit_log WHERE seq = :seq", seq=newest)
    with pytest.raises(LogTampered):
        TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)


def test_head_moved_back_refuses_the_unlock(fx):
    """Pointing the head at an older entry (with that entry's MAC) breaks the head's own MAC."""
    newest = _newest_seq(fx.store)
    older_mac = _raw(fx.store, "SELECT mac FROM audit_log WHERE seq = :seq", seq=newest - 2)[0][0]
    _raw(fx.store, "DELETE FROM audit_log WHERE seq > :cut", cut=newest - 2)
    _raw(fx.store, "UPDATE audit_head SET seq = :seq, mac = :mac", seq=newest - 2, mac=older_mac)
    with pytest.raises(LogTampered):
        TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)


def test_audit_verify_in_the_cli_says_it_in_dutch(tmp_path):
    """The installed command: after the cut, 'audit verify' does not say 'in orde'."""
    from tests.test_cli import run

    home = tmp_path / "home"
    home.mkdir()
    fx = make_team(tmp_path / "team.jt")
    newest = _newest_seq(fx.store)
    _raw(fx.store, "DELETE FROM audit_log WHERE seq > :cut", cut=newest - 2)
    _raw(fx.store, "DELETE FROM audit_head")
    fx.store.close()
    proc = run(["--store", str(fx.path), "audit", "verify", "--worker", "HH"], home=home, stdin=WORKER_PASS + "\n")
    assert proc.returncode == messages.EXIT_TAMPERED
    assert "in orde" not in proc.stdout
    assert "Het logboek van deze teamopslag is ingekort of veranderd" in proc.stderr


# -- 6. an older copy of the store put back ---------------------------------------------------------------


def _student(fx, session: TeamSession) -> str:
    return students.add_student(
        session.store, session.keys, canary_student().to_dict(), status="aangemeld", contact_worker_id=fx.worker_id,
    ).id


def test_older_copy_of_the_store_is_seen_at_the_next_unlock(tmp_path):
    """This laptop saw a newer head; an older copy put over the store is said at unlock and logged."""
    fx = make_team(tmp_path / "team.jt")
    first = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    assert first.notices == []
    first.lock()
    fx.store.close()
    old = tmp_path / "oud.jt"
    shutil.copyfile(fx.path, old)
    store = Store.open(str(fx.path))
    for _ in range(2):
        TeamSession.unlock(store, fx.worker_id, WORKER_PASS).lock()
    store.close()
    shutil.copyfile(old, fx.path)
    store = Store.open(str(fx.path))
    try:
        session = TeamSession.unlock(store, fx.worker_id, WORKER_PASS)
        assert len(session.notices) == 1
        assert session.notices[0].startswith("Let op: deze teamopslag is ouder dan de versie die je op deze laptop eerder zag")
        (entry,) = _events(store, "integrity")
        assert entry.worker_id == fx.worker_id and entry.detail.startswith("rolled back")
        session.lock()
        # Said once: from now on this laptop remembers this store as it is.
        assert TeamSession.unlock(store, fx.worker_id, WORKER_PASS).notices == []
    finally:
        store.close()


def test_older_copy_used_since_is_seen_as_another_history(tmp_path, monkeypatch):
    """An older copy that was used since (its log grew past the remembered point) is not the same log."""
    fx = make_team(tmp_path / "team.jt")
    fx.store.close()
    old = tmp_path / "oud.jt"
    shutil.copyfile(fx.path, old)
    store = Store.open(str(fx.path))
    TeamSession.unlock(store, fx.worker_id, WORKER_PASS).lock()
    store.close()
    # The old copy is used on another laptop (its own memory) for a while, then put back here.
    here = integrity.state_path()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "other-laptop"))
    other = Store.open(str(old))
    for _ in range(4):
        TeamSession.unlock(other, fx.other_id, OTHER_PASS).lock()
    other.close()
    monkeypatch.setenv("XDG_STATE_HOME", str(here.parent.parent))
    shutil.copyfile(old, fx.path)
    store = Store.open(str(fx.path))
    try:
        session = TeamSession.unlock(store, fx.worker_id, WORKER_PASS)
        assert any(n.startswith("Let op: het logboek van deze teamopslag is niet meer hetzelfde") for n in session.notices)
        assert _events(store, "integrity")[0].detail.startswith("replaced")
    finally:
        store.close()


def test_a_restore_by_a_coordinator_is_not_a_rollback(tmp_path):
    """An authentic 'restore' entry written after this laptop's memory: an older log is expected."""
    fx = make_team(tmp_path / "team.jt")
    TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS).lock()
    fx.store.close()
    old = tmp_path / "oud.jt"
    shutil.copyfile(fx.path, old)
    store = Store.open(str(fx.path))
    for _ in range(2):
        TeamSession.unlock(store, fx.worker_id, WORKER_PASS).lock()
    store.close()
    shutil.copyfile(old, fx.path)
    store = Store.open(str(fx.path))
    try:
        coordinator = TeamSession.unlock(store, fx.coordinator_id, COORDINATOR_PASS, check=False)
        with store.session() as s:
            audit.append(s, coordinator.keys.audit_key, "restore", worker_id=fx.coordinator_id)
        coordinator.lock()
        assert TeamSession.unlock(store, fx.worker_id, WORKER_PASS).notices == []
        assert _events(store, "integrity") == []
    finally:
        store.close()


def test_erased_student_back_in_an_older_copy_is_erased_again_at_unlock(tmp_path):
    """The erasure list is applied at every unlock, not only at a restore."""
    fx = make_team(tmp_path / "team.jt")
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    sid = _student(fx, coordinator)
    fx.store.close()
    old = tmp_path / "oud.jt"
    shutil.copyfile(fx.path, old)
    store = Store.open(str(fx.path))
    coordinator = TeamSession.unlock(store, fx.coordinator_id, COORDINATOR_PASS)
    coordinator.rights.erase_student(sid, "verzoek")
    coordinator.lock()
    store.close()
    shutil.copyfile(old, fx.path)  # the side file <store>.erasures stays where it is
    store = Store.open(str(fx.path))
    try:
        with store.session() as s:
            assert s.get(Student, sid) is not None  # back, in the old copy
        session = TeamSession.unlock(store, fx.worker_id, WORKER_PASS)
        assert any("stonden weer in de opslag" in n and "opnieuw gewist" in n for n in session.notices)
        with store.session() as s:
            assert s.get(Student, sid) is None
        assert any(e.detail.startswith("gewiste studenten terug: 1") for e in _events(store, "integrity"))
    finally:
        store.close()


def test_unwritable_memory_is_said_not_silent(tmp_path, monkeypatch):
    fx = make_team(tmp_path / "team.jt")
    state = tmp_path / "state"
    state.mkdir()
    (state / "jongerenteam").write_text("geen map")  # the folder cannot be made
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    try:
        session = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
        assert any("kon op deze laptop niet bijhouden" in n for n in session.notices)
    finally:
        fx.store.close()


async def test_the_app_tells_the_worker_after_unlock(tmp_path):
    """In the app: the warning is a notification right after the unlock, before anything else."""
    fx = make_team(tmp_path / "team.jt")
    TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS).lock()
    fx.store.close()
    old = tmp_path / "oud.jt"
    shutil.copyfile(fx.path, old)
    store = Store.open(str(fx.path))
    TeamSession.unlock(store, fx.worker_id, WORKER_PASS).lock()
    store.close()
    shutil.copyfile(old, fx.path)
    fx.store = Store.open(str(fx.path))
    try:
        app = build_app(fx)
        async with app.run_test(size=(120, 36)) as pilot:
            await unlock_as(app, pilot, "Hanna", WORKER_PASS)
            await wait_until(
                pilot, lambda: any("ouder dan de versie" in str(n) for n in notifications(app)),
                what="the rollback warning",
            )
    finally:
        fx.store.close()


def test_memory_holds_no_personal_data(tmp_path):
    fx = make_team(tmp_path / "team.jt")
    session = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    _student(fx, session)
    session.lock()
    fx.store.close()
    kept = integrity.state_path().read_text(encoding="utf-8")
    assert set(kept) <= set('{}":,0123456789abcdef -') | set("seqmacat") | set("T.+")
    assert integrity.state_path().stat().st_mode & 0o077 == 0
