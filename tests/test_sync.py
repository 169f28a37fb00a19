"""Every window up to date: two sessions on one store (SQLite and PostgreSQL), and the app.

Each session stands for a window (or a laptop). What one saves, the other
sees after ``sync()`` (the app calls it every two seconds and on F5),
without a new unlock; the duplicate check asks the store itself; a
colleague's change reaches the screens with who made it.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import event

from jongerenteam import spreekuur as intake
from jongerenteam.domain import StudentDetails
from jongerenteam.dossier import NewTalk
from jongerenteam.session import TeamSession
from jongerenteam.settings import kdf_params
from jongerenteam.team import WorkerDetails
from storage import students
from storage.store import Store
from tests.support import (
    COORDINATOR_PASS,
    OTHER_PASS,
    WORKER_PASS,
    build_app,
    notifications,
    screen_text,
    settle,
    unlock_as,
    wait_until,
)

pytestmark = pytest.mark.backends("sqlite", "postgresql")


@pytest.fixture
def two(team_store):
    """A team store and two sessions on it, each with its own Store (its own engine), as two windows."""
    fx = team_store
    second = Store.open(fx.store.location)
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    otto = TeamSession.unlock(second, fx.other_id, OTHER_PASS)
    yield fx, hanna, otto
    second.close()


def sam() -> StudentDetails:
    return StudentDetails(first_name="Sam", last_name="Tweevenster", birth_date=date(2008, 5, 1), programme="Kok", level="2")


def test_a_student_registered_in_one_window_is_found_in_the_other(two):
    """Otto registers; after a sync Hanna's search finds him, her count grows, and she is told who did it."""
    fx, hanna, otto = two
    before = len(hanna.students)
    rec = otto.spreekuur.register_walk_in(sam(), intake.WalkIn(hulpvraag="geld"))
    assert hanna.spreekuur.search("Tweevenster") == []  # not yet: nothing asked the store
    changes = hanna.sync()
    assert [r.id for r in hanna.spreekuur.search("Tweevenster")] == [rec.id]
    assert len(hanna.students) == before + 1
    assert changes.by(rec.id)[0] == fx.other_id


def test_the_duplicate_check_asks_the_store_not_the_window(two):
    """The same student in the other window a moment ago: "Bedoel je …?" finds him without any sync."""
    _fx, hanna, otto = two
    rec = otto.spreekuur.register_walk_in(sam(), intake.WalkIn(hulpvraag="geld"))
    assert [r.id for r in hanna.spreekuur.find_duplicates(sam())] == [rec.id]


def test_a_status_a_talk_and_an_erasure_reach_the_other_window(two):
    """Hanna's record follows Otto's closing of a file; a colleague's talk changes her Vandaag agenda; an erased student goes."""
    fx, hanna, otto = two
    rec = otto.spreekuur.register_referral(sam(), intake.Referral(by_name="Mevr. Bos", reason="verzuim"), contact_worker_id=fx.other_id)
    otto.dossier.involve(rec.id, fx.worker_id)
    hanna.sync()
    assert hanna.students[rec.id].status == "wacht" and hanna.is_involved(rec.id)
    assert any(w.record.id == rec.id for w in hanna.spreekuur.today().waiting)
    otto.dossier.add_talk(rec.id, NewTalk("vervolggesprek", datetime(2026, 1, 5, 10, 0), 30, [], "eerste gesprek"))
    hanna.sync()
    assert hanna.students[rec.id].status == "lopend"  # the first talk ended the wait
    assert not any(w.record.id == rec.id for w in hanna.spreekuur.today().waiting)
    otto.dossier.set_status(otto.students[rec.id], "afgesloten", "doel_bereikt")
    hanna.sync()
    assert hanna.students[rec.id].status == "afgesloten"
    cora = TeamSession.unlock(Store.open(fx.store.location), fx.coordinator_id, COORDINATOR_PASS)
    try:
        cora.rights.erase_student(rec.id, "verzoek")
    finally:
        cora.store.close()
    hanna.sync()
    assert rec.id not in hanna.students and hanna.spreekuur.search("Tweevenster") == []
    assert not hanna.is_involved(rec.id)


def test_a_new_colleague_and_team_settings_reach_the_other_window(two):
    """A worker added and a vaste contactpersoon set in another window are known after a sync."""
    fx, hanna, _otto = two
    assert hanna.team.programme_contacts() == {}  # read (and kept) before the change
    second = Store.open(fx.store.location)
    cora = TeamSession.unlock(second, fx.coordinator_id, COORDINATOR_PASS)
    try:
        new_id = cora.team.add_worker(WorkerDetails("Noor Nieuwkomer", "NN", "worker", "jongerenwerk"),
            "noor heeft een wachtwoord", kdf_params())
        cora.team.set_programme_contact("Kok", fx.worker_id, seen=cora.team.programme_contacts().get("Kok"))
    finally:
        cora.lock()
        second.close()
    assert hanna.team.programme_contacts() == {}  # still what was read: nothing asked the store
    changes = hanna.sync()
    assert changes.workers and new_id in hanna.workers
    assert hanna.team.programme_contacts() == {"Kok": fx.worker_id}
    assert hanna.spreekuur.suggest_contact("kok") == fx.worker_id


def test_a_sync_reads_the_feed_and_the_students_it_names_in_one_read_transaction(two):
    """After a colleague's registration, the sync's reads (the change feed, the named
    student's directory row and key wraps) are one transaction: one snapshot, one begin."""
    _fx, hanna, otto = two
    hanna.directory  # decrypted, so the sync refreshes it  # noqa: B018
    rec = otto.spreekuur.register_walk_in(sam(), intake.WalkIn(hulpvraag="geld"))
    begins: list[object] = []

    def began(conn: object) -> None:
        begins.append(conn)

    event.listen(hanna.store.engine, "begin", began)
    try:
        changes = hanna.sync()
    finally:
        event.remove(hanna.store.engine, "begin", began)
    assert rec.id in changes.students and rec.id in hanna.students
    assert len(begins) == 1


@pytest.mark.backends("sqlite")
def test_readings_together_see_one_snapshot(two):
    """Inside ``reading_together`` a registration committed meanwhile in another window is
    not seen by a later read; after it, it is. (SQLite's snapshot; PostgreSQL reads
    committed rows per statement.)"""
    fx, _hanna, otto = two
    before = len(students.all_ids(fx.store))
    with fx.store.reading_together():
        assert len(students.all_ids(fx.store)) == before
        otto.spreekuur.register_walk_in(sam(), intake.WalkIn(hulpvraag="geld"))
        assert len(students.all_ids(fx.store)) == before
    assert len(students.all_ids(fx.store)) == before + 1


# -- the app ---------------------------------------------------------------------------------


@pytest.mark.backends("sqlite")
async def test_the_app_shows_a_colleagues_walk_in_and_changes_in_an_open_dossier(team_store):
    """Hanna's window: Otto's walk-in appears in her search within seconds, no F5; Otto's talk in a file she has
    open says 'Bijgewerkt door Otto Collega' and shows the new talk."""
    from screens.dossier import DossierScreen, LineTable

    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    shared = hanna.spreekuur.register_walk_in(StudentDetails(first_name="Gedeeld", last_name="Dossier"), intake.WalkIn(hulpvraag="x"))
    hanna.dossier.involve(shared.id, team_store.other_id)
    hanna.lock()
    second = Store.open(team_store.store.location)
    otto = TeamSession.unlock(second, team_store.other_id, OTHER_PASS)
    app = build_app(team_store)
    try:
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await unlock_as(app, pilot, "ha", WORKER_PASS)
            home = app.screen
            queue_before = home.query_one("#queue").row_count
            otto.spreekuur.register_walk_in(sam(), intake.WalkIn(hulpvraag="geld"))
            await wait_until(pilot, lambda: home.query_one("#queue").row_count == queue_before + 1,
                what="Otto's walk-in on Hanna's Vandaag")
            home.query_one("#search").value = "Tweevenster"
            await pilot.pause()
            assert "Sam Tweevenster" in screen_text(app)

            home.query_one("#search").value = ""
            app.push_screen(DossierScreen(app.session, app.session.students[shared.id], tab=2))
            await settle(app, pilot)
            talks = app.screen.query_one("#talks", LineTable)
            before = talks.row_count
            otto.dossier.add_talk(shared.id, NewTalk("telefonisch", datetime(2026, 1, 5, 10, 0), 10, [], "gebeld door Otto"))
            await wait_until(pilot, lambda: talks.row_count == before + 1, what="Otto's talk in Hanna's open dossier")
            assert any("Bijgewerkt door Otto Collega om" in n for n in notifications(app))
    finally:
        otto.lock()
        second.close()
