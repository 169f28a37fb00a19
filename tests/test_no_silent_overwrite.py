"""No silent overwrite anywhere: every editable thing, changed by two windows from the same view.

Each case: two sessions (two windows, or two laptops on PostgreSQL) read the
same thing; the first saves a change; the second saves its own change from
what it had read. The second is refused with "Gewijzigd door <first> om
HH:MM", and the first one's change is what is stored.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime

import pytest

from jongerenteam import dossier as d
from jongerenteam import handover as h
from jongerenteam import spreekuur as intake
from jongerenteam.consent import ConsentWith, NewConsent
from jongerenteam.domain import StudentDetails
from jongerenteam.eighteen import ChecklistItem
from jongerenteam.messages import explain
from jongerenteam.rights import Correction
from jongerenteam.session import TeamSession
from jongerenteam.socialmap import MapEntry
from storage.errors import Conflict
from storage.store import Store
from tests.support import COORDINATOR_PASS, OTHER_PASS, TODAY, WORKER_PASS

# The team store (a copied template) on SQLite and on PostgreSQL.
pytestmark = pytest.mark.backends("sqlite", "postgresql")


@dataclasses.dataclass
class Two:
    fx: object
    first: TeamSession  # Hanna
    second: TeamSession  # Otto, in another window (its own Store)
    coord_a: TeamSession
    coord_b: TeamSession
    student_id: str


@pytest.fixture
def two(team_store, fixed_clock):
    fx = team_store
    other_store = Store.open(fx.store.location)
    third = Store.open(fx.store.location)
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    rec = hanna.spreekuur.register_walk_in(
        StudentDetails(first_name="Twee", last_name="Handen", birth_date=date(2008, 12, 1), coach_name="Mevr. Bos", coach_role="slb"),
        intake.WalkIn(hulpvraag="geld"), today=TODAY,
    )
    hanna.dossier.involve(rec.id, fx.other_id)
    otto = TeamSession.unlock(other_store, fx.other_id, OTHER_PASS)
    coord_a = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    coord_b = TeamSession.unlock(third, fx.coordinator_id, COORDINATOR_PASS)
    yield Two(fx, hanna, otto, coord_a, coord_b, rec.id)
    for st in (other_store, third):
        st.close()


def refused_by(call, name: str) -> None:
    with pytest.raises(Conflict) as caught:
        call()
    text = explain(caught.value)[0]
    assert re.match(rf"Gewijzigd door {name} om [0-2]\d:[0-5]\d, terwijl jij dit open had", text), text


def test_student_details_status_coach_contact_and_retention_regime(two):
    """The directory record: details, status, coach (dossier and coachwissel), contact person, retention regime."""
    t = two
    seen_a, seen_b = t.first.students[t.student_id], t.second.students[t.student_id]
    t.first.dossier.update_student(seen_a, dataclasses.replace(seen_a.details, last_name="Handen-Eerst"))
    for call in (
        lambda: t.second.dossier.update_student(seen_b, dataclasses.replace(seen_b.details, last_name="Handen-Tweede")),
        lambda: t.second.dossier.set_status(seen_b, "afgesloten", "doel_bereikt"),
        lambda: t.second.dossier.set_coach(seen_b, "Dhr. Tweede", "slb"),
        lambda: t.second.eighteen.change_coach(seen_b, "Dhr. Tweede", "slb"),
        lambda: t.second.dossier.change_contact(seen_b, t.fx.other_id),
        lambda: t.second.rights.set_retention_regime(seen_b, "school"),
        lambda: t.second.rights.record_correction(t.student_id, Correction(
            request="naam klopt niet", on=TODAY, reason="paspoort", field="last_name", new_value="Handen-Tweede", version=seen_b.version)),
    ):
        refused_by(call, "Hanna Hulpverlener")
    stored = t.first.record(t.student_id)
    assert stored.details.last_name == "Handen-Eerst" and stored.status == "lopend"
    assert stored.details.coach_name == "Mevr. Bos" and stored.contact_worker_id == t.fx.worker_id


def test_file_entries_talk_agreement_consent_external_and_checklist(two):
    """The file: a talk note, a werkafspraak, a consent (withdraw, extend), an external, the 18+ checklist."""
    t = two
    sid = t.student_id
    t.first.dossier.add_talk(sid, d.NewTalk("vervolggesprek", datetime(2026, 11, 20, 10, 0), 30, [], "eerste versie"))
    t.first.dossier.add_agreement(sid, d.NewAgreement(d.Who("student"), "bellen met de budgetcoach"))
    t.first.consent.add_consent(sid, NewConsent(ConsentWith("rol", "studentcoach"), ["alles"], "afstemmen", "student", "mondeling", TODAY))
    t.first.dossier.add_external(sid, "Sanne Smit", "budgetcoach")
    t.first.eighteen.set_checklist_item(sid, "zorgverzekering", True, on=TODAY)
    a, b = t.first.dossier.open_dossier(sid, log=False), t.second.dossier.open_dossier(sid, log=False)
    cl_b = t.second.eighteen.checklist(sid, log=False)
    talk_a, talk_b = (next(i for i in x.timeline if i.kind == d.TALK) for x in (a, b))
    t.first.dossier.edit_talk(sid, talk_a, {"tekst": "van Hanna"})
    t.first.dossier.change_agreement(sid, a.agreements[0], status="gedaan")
    t.first.consent.extend_consent(sid, a.consents[0], date(2027, 6, 1))
    t.first.dossier.end_external(sid, a.externals[0])
    t.first.eighteen.set_checklist_item(sid, "zorgtoeslag", True, on=TODAY)
    for call in (
        lambda: t.second.dossier.edit_talk(sid, talk_b, {"tekst": "van Otto"}),
        lambda: t.second.dossier.change_agreement(sid, b.agreements[0], status="vervallen"),
        lambda: t.second.consent.withdraw_consent(sid, b.consents[0], TODAY),
        lambda: t.second.consent.extend_consent(sid, b.consents[0], date(2027, 1, 1)),
        lambda: t.second.dossier.end_external(sid, b.externals[0]),
        lambda: t.second.eighteen.set_checklist_item(sid, "digid", True, on=TODAY, version=cl_b.version),
    ):
        refused_by(call, "Hanna Hulpverlener")
    now = t.first.dossier.open_dossier(sid, log=False)
    assert next(i for i in now.timeline if i.kind == d.TALK).note == "van Hanna" and now.agreements[0].status == "gedaan"
    assert now.consents[0].valid_until == date(2027, 6, 1) and now.consents[0].withdrawn_on is None


def test_the_sociale_kaart_and_the_team_settings(two):
    """A sociale kaart entry (change, remove); the idle time, the 18+ list, the retention terms, a vaste
    contactpersoon and a worker's expertise (coördinators in two windows)."""
    t = two
    t.first.social_map.add(MapEntry("professional", "Karin de Wit", "budgetcoach"))
    (item_a,), (item_b,) = t.first.social_map.entries(), t.second.social_map.entries()
    t.first.social_map.update(item_a, MapEntry("professional", "Karin de Wit", "budgetcoach", phone="06-12345678"))
    refused_by(lambda: t.second.social_map.update(item_b, MapEntry("professional", "Karin de Wit", "schuldhulp")), "Hanna Hulpverlener")
    refused_by(lambda: t.second.social_map.remove(item_b), "Hanna Hulpverlener")
    assert t.first.social_map.entries()[0].entry.phone == "06-12345678"

    a, b = t.coord_a, t.coord_b
    version = b.team.settings_version()
    contact_seen = b.team.programme_contacts().get("Kok")
    expertise_seen = b.workers[t.fx.worker_id].version
    a.team.set_idle_lock_minutes(10, version=a.team.settings_version())
    a.team.set_programme_contact("Kok", t.fx.worker_id, seen=None)
    a.team.set_expertise(t.fx.worker_id, ("inkomen",), version=a.workers[t.fx.worker_id].version)
    for call in (
        lambda: b.team.set_idle_lock_minutes(20, version=version),
        lambda: b.eighteen.set_team_checklist([ChecklistItem("", "Iets nieuws")], version=version),
        lambda: b.eighteen.reset_team_checklist(version=version),
        lambda: b.rights.set_retention_years({"school": 3, "jeugdwet": 25}, version=version),
        lambda: b.team.set_programme_contact("Kok", t.fx.other_id, seen=contact_seen),
        lambda: b.team.set_expertise(t.fx.worker_id, ("wonen",), version=expertise_seen),
    ):
        refused_by(call, "Cora Coördinator")
    assert t.fx.store.team().idle_lock_minutes == 10
    assert a.team.programme_contacts() == {"Kok": t.fx.worker_id}


def test_a_handover_step(two):
    """A handover: both windows answer the same proposal; the second answer is refused."""
    t = two
    sid = t.student_id
    t.first.consent.add_consent(sid, NewConsent(ConsentWith("rol", "budgetcoach"), ["alles"], "overdracht", "student", "mondeling", TODAY))
    receiver = h.Receiver("anders", "Sanne Smit", "budgetcoach")
    comp = t.first.handover.compose_handover(sid, h.EXTERN, receiver)
    row = t.first.handover.propose_handover(sid, h.Proposal(
        h.EXTERN, receiver, h.without_placeholders(comp.text, "Geen."), student_view="akkoord", follow_up=date(2026, 12, 1)))
    t.first.handover.set_follow_up(row, date(2026, 12, 4))
    refused_by(lambda: t.second.handover.withdraw_handover(row, "toch niet"), "Hanna Hulpverlener")
