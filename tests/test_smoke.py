"""Smoke test: the fixture team works end to end through the use cases."""

from jongerenteam.session import TeamSession
from tests.support import COORDINATOR_PASS, canary_student


def test_register_and_find(team_store):
    """A registered student is found again by part of the name after a fresh unlock."""
    s = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    rec = s.spreekuur.register_student(canary_student())
    s.lock()
    s2 = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    assert [r.id for r in s2.spreekuur.search("kanarie")] == [rec.id]


def test_phone_book_order_ignores_tussenvoegsel_and_accents(team_store):
    """'de Vries' sorts under V and 'Özdemir' under O, as in a Dutch phone book."""
    from datetime import date

    from jongerenteam.domain import StudentDetails

    s = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    for first, last in (("Anna", "de Vries"), ("Bram", "Özdemir"), ("Cas", "Bakker"), ("Dirk", "van der Berg")):
        s.spreekuur.register_student(StudentDetails(first, last, date(2007, 1, 1)))
    assert [r.details.last_name for r in s.spreekuur.all_students()] == ["Bakker", "van der Berg", "Özdemir", "de Vries"]
    s.lock()
    s2 = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    assert [r.details.last_name for r in s2.spreekuur.all_students()] == ["Bakker", "van der Berg", "Özdemir", "de Vries"]
