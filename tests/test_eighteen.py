"""Turning 18 and the coachwissel on a real store (SQLite and PostgreSQL): the
18+ checklist and its history, who may read it, the team's list, the bulk
coach change with tasks on Vandaag and a conflict, the 18+ radar's edges."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from jongerenteam.domain import StudentDetails, ValidationError
from jongerenteam.eighteen import ChecklistItem, add_working_days
from jongerenteam.session import TeamSession
from storage.errors import NotAllowed, NotInvolved
from storage.models import AuditEntry, FileEntry

# The spreekuur tests' store (SQLite and PostgreSQL), fixed clock and sessions.
from tests.support import TODAY, session

pytestmark = pytest.mark.backends("sqlite", "postgresql")

TASK = "werkafspraak: Stel de nieuwe studiecoach Dhr. Yilmaz voor aan de student"
TASK_DUE = date(2026, 12, 7)  # ten working days after Monday 23 November 2026


def student(s: TeamSession, first: str, *, birth: date = date(2009, 1, 10), coach: str = "", role: str = "slb", status: str = "lopend"):
    details = StudentDetails(first_name=first, last_name="Test", birth_date=birth, programme="Kok", level="2",
                             coach_name=coach, coach_role=role if coach else "")
    return s.spreekuur.register_student(details, status=status, today=TODAY)


def audit(store, event: str) -> list[AuditEntry]:
    with store.session() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.event == event).order_by(AuditEntry.seq)).all())


def test_checklist_round_trip_keeps_history_and_only_involved_read_it(team_store, fixed_clock):
    """Ticks with their dates and notes come back in a new session, every change keeps the old
    value, a worker who is not involved cannot read or write it, and the file holds one entry."""
    hanna = session(team_store)
    rec = student(hanna, "Leonie")
    empty = hanna.eighteen.checklist(rec.id)
    assert empty.entry_id is None and empty.done_count == 0 and empty.team_count == 9
    assert [r.label for r in empty.rows][:3] == ["zorgverzekering", "zorgtoeslag", "DigiD"]

    hanna.eighteen.set_checklist_item(rec.id, "zorgtoeslag", True)
    hanna.eighteen.set_checklist_item(rec.id, "financieel_spreekuur", True, on=date(2026, 11, 20), note="samen met pleegzorgbegeleider")
    after = hanna.eighteen.set_checklist_item(rec.id, "zorgtoeslag", False)
    assert after.row("zorgtoeslag").done is False
    with pytest.raises(ValidationError) as exc:
        hanna.eighteen.set_checklist_item(rec.id, "digid", True, on=TODAY + timedelta(days=1))
    assert exc.value.field == "on"
    with pytest.raises(ValidationError) as exc:
        hanna.eighteen.set_checklist_item(rec.id, "digid", True, on=date(1900, 1, 1))
    assert exc.value.field == "on" and "voor de geboortedatum" in exc.value.message
    with pytest.raises(ValidationError):
        hanna.eighteen.set_checklist_item(rec.id, "bestaat_niet", True)
    # The same state again writes no new version.
    same = hanna.eighteen.set_checklist_item(rec.id, "financieel_spreekuur", True)
    assert same.version == after.version == 3

    hanna.lock()
    again = session(team_store).eighteen.checklist(rec.id)
    spreekuur = again.row("financieel_spreekuur")
    assert (spreekuur.done, spreekuur.on, spreekuur.note) == (True, date(2026, 11, 20), "samen met pleegzorgbegeleider")
    assert again.row("zorgtoeslag").done is False and again.row("zorgtoeslag").on is None
    assert again.done_count == 1
    # Three changes, each with the item's earlier value and who made it.
    assert [h.old for h in again.history] == [
        {"zorgtoeslag": None},
        {"financieel_spreekuur": None},
        {"zorgtoeslag": {"klaar": True, "datum": TODAY.isoformat(), "notitie": "", "label": "zorgtoeslag"}},
    ]
    assert {h.by for h in again.history} == {team_store.worker_id}
    with team_store.store.session() as db:
        entries = db.scalars(select(FileEntry).where(FileEntry.student_id == rec.id, FileEntry.kind == "checklist18")).all()
        assert len(entries) == 1 and not entries[0].sealed
        assert b"pleegzorg" not in entries[0].body  # encrypted under the student key
    assert any(e.detail == "18+-checklist" and e.student_id == rec.id for e in audit(team_store.store, "open"))

    otto = session(team_store, "other")
    with pytest.raises(NotInvolved):
        otto.eighteen.checklist(rec.id)
    with pytest.raises(NotInvolved):
        otto.eighteen.set_checklist_item(rec.id, "digid", True)
    session(team_store).dossier.involve(rec.id, team_store.other_id)
    assert session(team_store, "other").eighteen.checklist(rec.id).row("financieel_spreekuur").done


def test_team_list_edit_keeps_what_students_ticked(team_store, fixed_clock):
    """A coördinator renames, removes, adds and reorders items; a renamed item stays ticked, a
    removed one the student ticked is still shown (off the team list), the default list returns."""
    hanna = session(team_store)
    rec = student(hanna, "Leonie")
    hanna.eighteen.set_checklist_item(rec.id, "zorgtoeslag", True, on=date(2026, 11, 2))
    hanna.eighteen.set_checklist_item(rec.id, "bewindvoering", True)
    with pytest.raises(NotAllowed):
        hanna.eighteen.set_team_checklist(["iets"], version=hanna.team.settings_version())

    coord = session(team_store, "coordinator")
    items = coord.eighteen.team_checklist()
    by_key = {i.key: i for i in items}
    new = [ChecklistItem("", "stempas en identiteitsbewijs"),
           ChecklistItem("zorgtoeslag", "zorgtoeslag aangevraagd"),
           *[i for i in items if i.key not in ("zorgtoeslag", "bewindvoering")]]
    saved = coord.eighteen.set_team_checklist(new, version=coord.team.settings_version())
    assert saved[0].key == "stempas_en_identiteitsbewijs" and saved[1] == ChecklistItem("zorgtoeslag", "zorgtoeslag aangevraagd")
    # A plain label that is already on the list keeps its key.
    assert coord.eighteen.set_team_checklist([i.label for i in saved], version=coord.team.settings_version()) == saved
    for bad in ([], ["a", "A "], ["  "], ["x" * 121]):
        with pytest.raises(ValidationError):
            coord.eighteen.set_team_checklist(bad, version=coord.team.settings_version())
    assert audit(team_store.store, "settings")[-1].detail == "18+-checklist"

    mine = session(team_store).eighteen.checklist(rec.id)
    assert [r.label for r in mine.rows][:2] == ["stempas en identiteitsbewijs", "zorgtoeslag aangevraagd"]
    assert (mine.row("zorgtoeslag").done, mine.row("zorgtoeslag").on) == (True, date(2026, 11, 2))
    removed = mine.rows[-1]
    assert (removed.key, removed.label, removed.done, removed.on_team_list) == ("bewindvoering", by_key["bewindvoering"].label, True, False)
    assert mine.team_count == 9 and mine.done_count == 1
    # Unticking a removed item is still possible; then it leaves the student's list.
    gone = session(team_store).eighteen.set_checklist_item(rec.id, "bewindvoering", False)
    assert gone.row("bewindvoering") is None

    coord.eighteen.reset_team_checklist(version=coord.team.settings_version())
    assert [i.key for i in session(team_store).eighteen.team_checklist()][:2] == ["zorgverzekering", "zorgtoeslag"]
    assert session(team_store).eighteen.checklist(rec.id).row("zorgtoeslag").label == "zorgtoeslag"


def test_bulk_coach_change_reaches_every_contact_persons_vandaag(team_store, fixed_clock):
    """All open files of coach X (any spelling) get coach Y, nobody else's; each contact person
    gets a werkafspraak that shows on their Vandaag when due; all of it is logged without names."""
    hanna = session(team_store)
    a = student(hanna, "Anna", coach="Mevr. Bos")
    b = student(hanna, "Bram", coach="mevr.  bos", role="mentor")
    c = student(hanna, "Cas", coach="Dhr. Ali")
    closed = student(hanna, "Dirk", coach="Mevr. Bos")
    hanna.dossier.set_status(closed, "afgesloten", "doel_bereikt")
    otto = session(team_store, "other")
    f = student(otto, "Fleur", coach="Mevr. Bos", status="wacht")

    coord = session(team_store, "coordinator")
    coaches = {r.name: (r.role, r.count) for r in coord.eighteen.coaches()}
    assert coaches == {"Dhr. Ali": ("slb", 1), "Mevr. Bos": ("slb", 3)}
    assert [r.id for r in coord.eighteen.students_of_coach("MEVR. BOS")] == sorted([a.id, b.id, f.id],
        key=lambda i: coord.students[i].sort_key)
    with pytest.raises(NotAllowed):
        session(team_store).eighteen.bulk_change_coach("Mevr. Bos", "Dhr. Yilmaz", "slb")
    with pytest.raises(ValidationError):
        coord.eighteen.bulk_change_coach("Mevr. Bos", "  ", "slb")
    with pytest.raises(ValidationError):
        coord.eighteen.bulk_change_coach("Mevr. Bos", "Dhr. Yilmaz", "rector")
    with pytest.raises(ValidationError):
        coord.eighteen.bulk_change_coach("Mevr. Bos", "mevr. bos", "slb")
    with pytest.raises(ValidationError):
        coord.eighteen.bulk_change_coach("Mevr. Bos", "Mevr-Bos", "slb")  # a hyphen is no other coach
    with pytest.raises(ValidationError) as exc:
        coord.eighteen.bulk_change_coach("Mevr. Bos", "123", "slb")
    assert exc.value.message.startswith("Typ de naam van de coach (met letters)")
    with pytest.raises(ValidationError):
        coord.eighteen.bulk_change_coach("Niemand", "Dhr. Yilmaz", "slb")

    result = coord.eighteen.bulk_change_coach("Mevr. Bos", "Dhr. Yilmaz", "slb")
    assert sorted(result.changed) == sorted([a.id, b.id, f.id])
    assert result.failed == [] and result.tasks == 3 and result.without_contact == []

    fresh = session(team_store, "coordinator")
    coach = {sid: (r.details.coach_name, r.details.coach_role) for sid, r in fresh.students.items()}
    assert coach[a.id] == coach[b.id] == coach[f.id] == ("Dhr. Yilmaz", "slb")
    assert coach[c.id] == ("Dhr. Ali", "slb") and coach[closed.id] == ("Mevr. Bos", "slb")
    assert fresh.students[f.id].status == "wacht"  # only the coach changed

    assert add_working_days(TODAY, 10) == TASK_DUE
    hanna = session(team_store)
    assert TASK not in [r.text for r in hanna.spreekuur.today(TODAY).due]
    due = hanna.spreekuur.today(TASK_DUE).due
    assert sorted(r.record.id for r in due if r.text == TASK) == sorted([a.id, b.id])
    assert [r.record.id for r in session(team_store, "other").spreekuur.today(TASK_DUE).due if r.text == TASK] == [f.id]
    # The coördinator is not involved: the tasks were added without reading the files.
    task = next(x for x in hanna.dossier.open_dossier(a.id).open_agreements() if x.what.startswith("Stel"))
    assert (task.who.kind, task.who.worker_id, task.due) == ("medewerker", team_store.worker_id, TASK_DUE)
    changes = [e for e in audit(team_store.store, "change") if e.worker_id == team_store.coordinator_id]
    assert sorted(e.student_id for e in changes if e.detail == "coachwissel") == sorted([a.id, b.id, f.id])
    assert any(e.detail == "coachwissel: 3 gewijzigd, 0 niet gelukt" for e in changes)
    creates = [e.detail for e in audit(team_store.store, "create") if e.worker_id == team_store.coordinator_id and e.student_id]
    assert creates == ["dossier: agreement (coachwissel) (toegevoegd zonder inzage)"] * 3

    # One student, by the worker: the same task, and nothing when the coach is the same.
    hanna = session(team_store)
    assert hanna.eighteen.change_coach(hanna.students[c.id], "Mevr. de Wit", "lob")
    assert not hanna.eighteen.change_coach(hanna.students[c.id], "mevr. de wit", "lob")
    assert hanna.students[c.id].details.coach_name == "Mevr. de Wit"
    assert [r.text for r in hanna.spreekuur.today(TASK_DUE).due if r.record.id == c.id] == [
        "werkafspraak: Stel de nieuwe studiecoach Mevr. de Wit voor aan de student"]
    # A first coach is no wissel: no one to introduce them, so no task.
    g = student(hanna, "Gijs")
    assert hanna.eighteen.change_coach(g, "Mevr. de Wit", "lob")
    assert hanna.students[g.id].details.coach_name == "Mevr. de Wit"
    assert [r for r in hanna.spreekuur.today(TASK_DUE).due if r.record.id == g.id] == []


def test_a_conflict_on_one_student_leaves_the_rest_done(team_store, fixed_clock):
    """A student a colleague saved after the coördinator's list was read is reported, not
    overwritten; the others change; a second run picks up the one left."""
    hanna = session(team_store)
    a = student(hanna, "Anna", coach="Mevr. Bos")
    b = student(hanna, "Bram", coach="Mevr. Bos")
    coord = session(team_store, "coordinator")  # reads the directory now
    details = hanna.students[b.id].details
    details.programme = "Bakker"
    hanna.dossier.update_student(hanna.students[b.id], details)

    result = coord.eighteen.bulk_change_coach("Mevr. Bos", "Dhr. Yilmaz", "slb")
    assert result.changed == [a.id]
    assert [sid for sid, _ in result.failed] == [b.id]
    assert result.failed[0][1].startswith("Gewijzigd door Hanna Hulpverlener om ")
    check = session(team_store)
    assert check.students[a.id].details.coach_name == "Dhr. Yilmaz"
    assert (check.students[b.id].details.coach_name, check.students[b.id].details.programme) == ("Mevr. Bos", "Bakker")
    assert [r.record.id for r in check.spreekuur.today(TASK_DUE).due if r.text == TASK] == [a.id]  # no task without the change

    again = coord.eighteen.bulk_change_coach("Mevr. Bos", "Dhr. Yilmaz", "slb")
    assert (again.changed, again.failed) == ([b.id], [])
    assert session(team_store).students[b.id].details.programme == "Bakker"


def test_the_18_plus_radar_at_its_edges(team_store, fixed_clock):
    """Vandaag's 'wordt binnen 6 maanden 18' holds a student 183 days from 18, not 184, not one already 18."""
    day = date(2026, 11, 23)
    hanna = session(team_store)
    in_183 = student(hanna, "Precies", birth=date(2009, 5, 25))
    in_184 = student(hanna, "Netniet", birth=date(2009, 5, 26))
    today_18 = student(hanna, "Jarig", birth=date(2008, 11, 23))
    tomorrow = student(hanna, "Morgen", birth=date(2008, 11, 24))
    closed = student(hanna, "Dicht", birth=date(2009, 1, 1))
    hanna.dossier.set_status(closed, "afgesloten", "gestopt")
    turning = [(r.record.id, r.days) for r in hanna.spreekuur.today(day=day).turning_18]
    assert turning == [(tomorrow.id, 1), (in_183.id, 183)]
    assert in_184.id not in dict(turning) and today_18.id not in dict(turning)
    # The team-wide radar (for a coördinator who is not involved) agrees.
    coord = session(team_store, "coordinator")
    assert [(r.id, n) for r, n in coord.eighteen.turning_18(day=day)] == [(tomorrow.id, 1), (in_183.id, 183)]
    assert [r.id for r, _ in coord.eighteen.turning_18(within_days=184, day=day)] == [tomorrow.id, in_183.id, in_184.id]
