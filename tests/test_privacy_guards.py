"""Guards that keep personal data and keys out of reprs, messages and shown URLs."""

from datetime import datetime

import pytest

from jongerenteam.messages import explain
from storage import team
from storage.crypto import FieldKey, random_key
from storage.errors import WorkerExists
from storage.files import EntryView
from storage.keyring import Keys
from storage.postgres import display_location
from storage.students import NewStudent
from tests.support import CANARY_FIRST, CANARY_NOTE, canary_student


def test_reprs_show_no_keys_or_student_data():
    """Keys, field keys, student details and file entries print without secrets or names."""
    key, private = random_key(), random_key()
    keys = Keys("w", "worker", key, private, random_key(), escrow_private=random_key())
    for secret in (key, private, keys.escrow_private, keys.audit_key, keys.directory.key):
        assert repr(secret) not in repr(keys) and secret.hex() not in repr(keys)
    assert repr(key) not in repr(FieldKey.of(key))
    assert CANARY_FIRST not in repr(canary_student())
    entry = EntryView("e", "note", datetime(2026, 1, 1), "w", 1, {"tekst": CANARY_NOTE})
    assert CANARY_NOTE not in repr(entry)
    assert CANARY_FIRST not in repr(NewStudent(canary_student().to_dict(), "aangemeld", None))


def test_server_url_is_shown_without_any_password():
    """A password in the user part or in the query string never reaches the screen."""
    shown = display_location("postgresql://jt:geheim1@db.school.nl/team?password=geheim2&sslmode=require")
    assert "geheim1" not in shown and "geheim2" not in shown
    assert "sslmode=require" in shown and "db.school.nl" in shown


def test_initials_must_be_unique_among_active_workers(team_store):
    """A second active worker with the same initials is refused with a Dutch sentence."""
    from jongerenteam.settings import kdf_params
    from tests.support import COORDINATOR_PASS

    keys = team.unlock(team_store.store, team_store.coordinator_id, COORDINATOR_PASS)
    with pytest.raises(WorkerExists) as err:
        team.add_worker(
            team_store.store, keys, team.WorkerDetails("Hans Heuvel", "hh", team.WORKER, "ggz"),
            "nog een wachtwoord zin", kdf_params(),
        )
    assert "initialen" in explain(err.value)[0]
