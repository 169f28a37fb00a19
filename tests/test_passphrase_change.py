"""A worker changes their own passphrase (``TeamService.change_own_passphrase``):
afterwards the new one unlocks and the old one does not; a wrong current
passphrase, a weak new one and one equal to the current are refused and
nothing changes. On SQLite and PostgreSQL, through the real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from jongerenteam import messages
from jongerenteam.errors import PassphraseWait, WeakPassphrase, WrongPassphrase
from jongerenteam.passphrase import SAME_AS_CURRENT, weakness
from jongerenteam.session import TeamSession
from storage import clock
from storage import team as store_team
from storage.models import AuditEntry, KeySlot
from tests.support import OTHER_PASS, WORKER_PASS

pytestmark = pytest.mark.backends("sqlite", "postgresql")

NEW_PASS = "fietsen langs de grachten in mei"


def slot_of(fx, worker_id: str) -> tuple[str, bytes, bytes]:
    """The worker's key slot as stored (to see that a refusal left it alone)."""
    with fx.store.reading() as s:
        slot = s.scalar(select(KeySlot).where(KeySlot.worker_id == worker_id))
        assert slot is not None
        return slot.id, bytes(slot.salt), bytes(slot.wrapped)


def events(fx, worker_id: str) -> list[tuple[str, str | None]]:
    with fx.store.reading() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.worker_id == worker_id).order_by(AuditEntry.seq)).all()
        return [(r.event, r.detail) for r in rows]


def unlocks(fx, worker_id: str, passphrase: str) -> bool:
    try:
        TeamSession.unlock(fx.store, worker_id, passphrase).lock()
    except WrongPassphrase:
        return False
    return True


def test_after_a_change_the_new_passphrase_unlocks_and_the_old_one_does_not(team_store, students):
    """Hanna changes hers: the new one opens her slot (and her student's file), the old one opens nothing."""
    fx = team_store
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    hanna.team.change_own_passphrase(WORKER_PASS, NEW_PASS)
    assert events(fx, fx.worker_id)[-1][0] == "passphrase_changed"
    # The session goes on with the same keys: her student's file still opens in it.
    hanna.dossier.open_dossier(students.ozdemir_id)
    hanna.lock()
    assert not unlocks(fx, fx.worker_id, WORKER_PASS)
    again = TeamSession.unlock(fx.store, fx.worker_id, NEW_PASS)
    again.dossier.open_dossier(students.ozdemir_id)  # NotInvolved if her keys had changed
    again.lock()
    # Only her own slot changed: Otto still opens with his.
    assert unlocks(fx, fx.other_id, OTHER_PASS)


def test_a_wrong_current_passphrase_is_refused_logged_and_changes_nothing(team_store):
    fx = team_store
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    before = slot_of(fx, fx.worker_id)
    with pytest.raises(WrongPassphrase) as refused:
        hanna.team.change_own_passphrase(WORKER_PASS + "x", NEW_PASS)
    assert messages.explain(refused.value)[0] == "Het wachtwoord klopt niet. Probeer het opnieuw."
    assert slot_of(fx, fx.worker_id) == before
    # Logged like a refused login: it counts for the growing wait.
    assert events(fx, fx.worker_id)[-1] == ("failed_login", "wijzigen")
    assert store_team.login_throttle(fx.store, fx.worker_id)[0] == 1
    hanna.lock()
    assert unlocks(fx, fx.worker_id, WORKER_PASS)
    assert not unlocks(fx, fx.worker_id, NEW_PASS)


@pytest.mark.parametrize("new", ["fiets2024", "Hanna Hulpverlener fietst", "Welkom2024!"])
def test_a_weak_new_passphrase_is_refused_before_the_current_one_is_tried(team_store, new):
    """Weak, or holding her own name: refused with the weakness sentence; not even a failed try is logged."""
    fx = team_store
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    before, logged = slot_of(fx, fx.worker_id), events(fx, fx.worker_id)
    with pytest.raises(WeakPassphrase) as refused:
        hanna.team.change_own_passphrase("not even tried", new)
    assert refused.value.message == weakness(new, names=("Hanna Hulpverlener", "HH"))
    assert messages.explain(refused.value) == (refused.value.message, messages.EXIT_USAGE)
    assert (slot_of(fx, fx.worker_id), events(fx, fx.worker_id)) == (before, logged)
    hanna.lock()
    assert unlocks(fx, fx.worker_id, WORKER_PASS)


def test_the_current_passphrase_again_is_refused(team_store):
    fx = team_store
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    before, logged = slot_of(fx, fx.worker_id), events(fx, fx.worker_id)
    with pytest.raises(WeakPassphrase) as refused:
        hanna.team.change_own_passphrase(WORKER_PASS, WORKER_PASS)
    assert messages.explain(refused.value)[0] == SAME_AS_CURRENT
    assert (slot_of(fx, fx.worker_id), events(fx, fx.worker_id)) == (before, logged)
    hanna.lock()
    assert unlocks(fx, fx.worker_id, WORKER_PASS)


def test_wrong_current_passphrases_bring_the_same_wait_as_the_login(team_store):
    """Five wrong tries: the sixth, even the right one, is refused untried until the wait is over;
    a change that succeeds ends the wait."""
    fx = team_store
    now = [datetime(2026, 11, 23, 10, 30, tzinfo=UTC)]
    clock.set_clock(lambda: now[0])
    try:
        hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
        for guess in range(5):
            with pytest.raises(WrongPassphrase):
                hanna.team.change_own_passphrase(f"gok {guess}", NEW_PASS)
        before = slot_of(fx, fx.worker_id)
        with pytest.raises(PassphraseWait) as waiting:
            hanna.team.change_own_passphrase(WORKER_PASS, NEW_PASS)
        assert waiting.value.seconds == 2
        assert slot_of(fx, fx.worker_id) == before
        now[0] += timedelta(seconds=2)
        hanna.team.change_own_passphrase(WORKER_PASS, NEW_PASS)
        assert store_team.login_throttle(fx.store, fx.worker_id)[0] == 0
        hanna.lock()
    finally:
        clock.set_clock(None)
    assert unlocks(fx, fx.worker_id, NEW_PASS)


def test_colleagues_can_save_while_the_new_slot_is_made(team_store, monkeypatch):
    """The key derivations of a change run outside the write transaction: while Hanna's new slot is
    being made, Otto (another window, his own Store) registers a student at once; then the change lands."""
    import threading

    from jongerenteam.domain import StudentDetails
    from storage.store import Store

    fx = team_store
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    second = Store.open(fx.store.location)
    otto = TeamSession.unlock(second, fx.other_id, OTHER_PASS)
    deriving, go_on = threading.Event(), threading.Event()
    real = store_team.make_slot

    def held(*args, **kwargs):
        deriving.set()
        assert go_on.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(store_team, "make_slot", held)
    failure: list[BaseException] = []

    def change() -> None:
        try:
            hanna.team.change_own_passphrase(WORKER_PASS, NEW_PASS)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            failure.append(exc)

    worker = threading.Thread(target=change)
    worker.start()
    try:
        assert deriving.wait(30)
        otto.spreekuur.register_student(StudentDetails(first_name="Tijdens", last_name="Wijzigen"))
    finally:
        go_on.set()
        worker.join(30)
        otto.lock()
        second.close()
    assert failure == []
    assert unlocks(fx, fx.worker_id, NEW_PASS)
