"""Smoke test: the fixture team works end to end through the use cases."""

from jongerenteam.session import TeamSession
from tests.conftest import COORDINATOR_PASS, canary_student


def test_register_and_find(team_store):
    """A registered student is found again by part of the name after a fresh unlock."""
    s = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    rec = s.register_student(canary_student())
    s.lock()
    s2 = TeamSession.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    assert [r.id for r in s2.search("kanarie")] == [rec.id]
