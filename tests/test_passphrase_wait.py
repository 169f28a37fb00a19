"""The growing wait after wrong passphrases also holds where a coördinator types
theirs at a session: noodtoegang (someone else's session) and an inzage through
the escrow. Counted from the audit log, so reopening the store changes nothing.
Time moves with the store's clock hook, never with sleeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from jongerenteam import messages, start, throttle
from jongerenteam import spreekuur as intake
from jongerenteam.domain import StudentDetails
from jongerenteam.errors import PassphraseWait, WrongPassphrase
from jongerenteam.session import TeamSession
from storage import clock
from storage import team as store_team
from storage.store import Store
from tests.support import COORDINATOR_PASS, OTHER_PASS, WORKER_PASS

TODAY = date(2026, 11, 23)


class MovingClock:
    """The store's clock, standing still until the test moves it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)

    def move(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def moving_clock():
    c = MovingClock()
    clock.set_clock(lambda: c.now)
    yield c
    clock.set_clock(None)


def student_of_hanna(fx) -> str:
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    details = StudentDetails(first_name="Sam", last_name="de Vries", birth_date=date(2008, 12, 3),
                             programme="Verzorgende IG", level="3")
    return hanna.spreekuur.register_walk_in(details, intake.WalkIn(hulpvraag="geheim verhaal"), today=TODAY).id


def failures(fx) -> int:
    return store_team.login_throttle(fx.store, fx.coordinator_id)[0]


def emergency(otto: TeamSession, fx, student_id: str, passphrase: str):
    return otto.spreekuur.emergency_read(student_id, fx.coordinator_id, passphrase, "veiligheid", "student in paniek")


def test_noodtoegang_waits_after_wrong_coordinator_passphrases(team_store, moving_clock):
    """Five wrong ones at Otto's session: the right one is refused, untried, for 2 s; then it opens the file."""
    fx = team_store
    sid = student_of_hanna(fx)
    otto = TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)
    for _ in range(throttle.FREE_ATTEMPTS + 1):
        with pytest.raises(WrongPassphrase):
            emergency(otto, fx, sid, "fout wachtwoord")
    assert failures(fx) == 5

    with pytest.raises(PassphraseWait) as waited:
        emergency(otto, fx, sid, COORDINATOR_PASS)
    assert waited.value.seconds == 2
    assert failures(fx) == 5  # not tried, so not logged either
    text, code = messages.explain(waited.value)
    assert text == "Te vaak een verkeerd wachtwoord. Wacht 2 seconden en probeer het dan opnieuw."
    assert code == messages.EXIT_WRONG_PASSPHRASE

    moving_clock.move(1)
    with pytest.raises(PassphraseWait) as waited:
        emergency(otto, fx, sid, COORDINATOR_PASS)
    assert waited.value.seconds == 1
    assert messages.explain(waited.value)[0] == "Te vaak een verkeerd wachtwoord. Wacht 1 seconde en probeer het dan opnieuw."

    moving_clock.move(1)
    entries = emergency(otto, fx, sid, COORDINATOR_PASS)
    assert entries[0].payload["hulpvraag"] == "geheim verhaal"
    # The right passphrase ends the wait, as a login does.
    assert failures(fx) == 0


def test_the_wait_grows_and_counts_for_the_login_too(team_store, moving_clock):
    """Each further wrong try doubles the wait; the login of the coördinator waits just as long."""
    fx = team_store
    sid = student_of_hanna(fx)
    otto = TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)
    waits = []
    for _ in range(8):
        wait = throttle.wait_seconds(fx.store, fx.coordinator_id)
        waits.append(wait)
        moving_clock.move(wait)
        with pytest.raises(WrongPassphrase):
            emergency(otto, fx, sid, "nog steeds fout")
    assert waits == [0, 0, 0, 0, 0, 2, 4, 8]
    assert throttle.wait_seconds(fx.store, fx.coordinator_id) == 16
    # The unlock screen and the command line read the same count.
    assert start.login_wait_seconds(fx.store, fx.coordinator_id) == 16


def test_four_wrong_tries_cost_no_wait(team_store, moving_clock):
    fx = team_store
    sid = student_of_hanna(fx)
    otto = TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)
    for _ in range(throttle.FREE_ATTEMPTS):
        with pytest.raises(WrongPassphrase):
            emergency(otto, fx, sid, "fout")
    assert emergency(otto, fx, sid, COORDINATOR_PASS)


def test_reopening_the_store_does_not_end_the_wait(team_store, moving_clock):
    """The count lives in the audit log: a new process (here: the store closed and opened again) still waits."""
    fx = team_store
    sid = student_of_hanna(fx)
    otto = TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)
    for _ in range(6):
        moving_clock.move(throttle.wait_seconds(fx.store, fx.coordinator_id))
        with pytest.raises(WrongPassphrase):
            emergency(otto, fx, sid, "fout")
    otto.lock()
    fx.store.close()

    store = Store.open(str(fx.path))
    try:
        otto = TeamSession.unlock(store, fx.other_id, OTHER_PASS)
        with pytest.raises(PassphraseWait) as waited:
            otto.spreekuur.emergency_read(sid, fx.coordinator_id, COORDINATOR_PASS, "veiligheid", "")
        assert waited.value.seconds == 4
    finally:
        store.close()
        fx.store = Store.open(str(fx.path))  # the fixture closes what it holds


def test_inzage_through_the_escrow_waits_too(team_store, moving_clock):
    """A coördinator who is not involved types their passphrase for an inzage: the same wait."""
    fx = team_store
    sid = student_of_hanna(fx)
    cora = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    for _ in range(5):
        with pytest.raises(WrongPassphrase):
            cora.rights.read_inzage(sid, coordinator_passphrase="niet het wachtwoord")
    with pytest.raises(PassphraseWait) as waited:
        cora.rights.read_inzage(sid, coordinator_passphrase=COORDINATOR_PASS)
    assert waited.value.seconds == 2
    moving_clock.move(2)
    assert cora.rights.read_inzage(sid, coordinator_passphrase=COORDINATOR_PASS).details.first_name == "Sam"
