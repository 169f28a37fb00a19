"""The meldcode tier (issue 21): a trajectory under its own key, for its members only, on a real store."""

from datetime import date

import pytest
from sqlalchemy import select, text

from jongerenteam.meldcode import model as m
from storage import files
from storage import meldcode as store_meldcode
from storage.crypto import DecryptionError, FieldKey, open_field, open_sealed
from storage.errors import Conflict, NotAllowed, NotInvolved, Tampered
from storage.models import AuditEntry, MeldcodeTrajectory, MeldcodeWrap, StudentKeyWrap
from tests.support import COORDINATOR_PASS, session

SECRET = "MELDCODE-KANARIE vader slaat haar"
TODAY = date(2026, 3, 14)  # the students fixture's store day (support.STORE_NOW, local date)


def _started(fx, students):
    """Hanna starts a trajectory for Özdemir and maps a signal; Otto is involved in the file, not in the trajectory."""
    hanna = session(fx)
    hanna.dossier.involve(students.ozdemir_id, fx.other_id)
    t = hanna.meldcode.start(students.ozdemir_id, aandachtsfunctionaris="Mw. Aandacht")
    day = t.created_at.date()
    t = hanna.meldcode.add_signal(t, m.Signal(day, SECRET, student_said="Ik wil niet naar huis"))
    return hanna, t


@pytest.mark.backends("sqlite", "postgresql")
def test_a_trajectory_is_kept_step_by_step_and_logged_with_codes_only(team_store, students):
    """The five steps are saved and read back in a new session; the organisation defaults to the
    worker's own; every change is an audit line with a code, never what was written."""
    hanna, t = _started(team_store, students)
    day = t.created_at.date()
    assert t.doc["organisatie"] == "jeugdhulp" and t.doc["aandachtsfunctionaris"] == "Mw. Aandacht"
    t = hanna.meldcode.add_consultation(t, m.Consultation(day, m.VEILIG_THUIS, "Veilig Thuis IJsselland", "Ga in gesprek"))
    t = hanna.meldcode.add_talk(t, m.Talk(day, "student", said="Ze vertelde over thuis"))
    t = hanna.meldcode.answer(t, m.Answer(m.VERMOEDEN, True, day))
    t = hanna.meldcode.answer(t, m.Answer(m.ONVEILIG, True, day))
    assert t.lead.outcome is m.Outcome.REPORT and t.next.step == m.BESLISSEN
    with pytest.raises(Exception, match="pas aan de orde"):
        hanna.meldcode.answer(t, m.Answer(m.HULP_EFFECT, True, day))  # not part of the sequence now
    t = hanna.meldcode.set_melding(t, m.Melding(day, "Hanna", "VT-2026-17", told_student="Dat ik meld", told_on=day))
    t = hanna.meldcode.set_targets(t, {m.BESLISSEN: date(2026, 3, 20)})
    t = hanna.meldcode.set_organisation(t, "Wijkteam Zwolle", "Dhr. Aandacht")
    hanna.lock()

    again = session(team_store)
    [read] = again.meldcode.open_for(students.ozdemir_id)
    assert read.doc["signalen"][0]["feiten"] == SECRET
    assert read.doc["besluit"]["melding"]["referentie"] == "VT-2026-17"
    assert read.doc["organisatie"] == "Wijkteam Zwolle"
    assert read.target == date(2026, 3, 20)
    assert again.meldcode.has_open(students.ozdemir_id)
    read = again.meldcode.close(read, "Veilig Thuis neemt het over")
    assert not again.meldcode.has_open(students.ozdemir_id)
    with team_store.store.reading() as s:
        details = s.scalars(select(AuditEntry.detail).where(AuditEntry.detail.like("meldcode:%"))).all()
    assert "meldcode: stap consultatie veilig thuis" in details and "meldcode: afgesloten" in details
    assert "meldcode: vandaag" in details
    assert not any(word in d for d in details for word in ("slaat", "VT-2026", "Zwolle", "Aandacht"))


def test_only_the_starter_and_added_members_read_it(team_store, students):
    """Otto is on the file but not on the trajectory: he sees none and cannot open it; added, he can;
    taken off, he cannot, and the trajectory has a new key."""
    hanna, t = _started(team_store, students)
    otto = session(team_store, "other")
    assert otto.dossier.open_dossier(students.ozdemir_id) is not None  # he is on the file
    assert otto.meldcode.open_for(students.ozdemir_id) == [] and not otto.meldcode.has_open(students.ozdemir_id)
    with pytest.raises(NotInvolved):
        otto.meldcode.open(t.id)
    with pytest.raises(NotInvolved):
        otto.meldcode.add_member(t, team_store.other_id)  # nobody adds themselves

    t = hanna.meldcode.add_member(t, team_store.other_id, store_meldcode.AANDACHTSFUNCTIONARIS)
    assert t.members[team_store.other_id] == "aandachtsfunctionaris"
    otto.meldcode.forget()
    assert otto.meldcode.open(t.id).doc["signalen"][0]["feiten"] == SECRET
    with pytest.raises(NotAllowed):
        otto.meldcode.remove_member(t, team_store.worker_id)  # only the starter changes who may read

    with team_store.store.reading() as s:
        old_wrap = s.scalar(select(MeldcodeWrap.wrapped).where(MeldcodeWrap.recipient == team_store.other_id))
    old_key = open_sealed(otto.keys.worker_private, old_wrap, store_meldcode.wrap_context(t.id, team_store.other_id), "x")
    t = hanna.meldcode.remove_member(t, team_store.other_id)
    assert team_store.other_id not in t.members
    with pytest.raises(NotInvolved):
        otto.meldcode.open(t.id)
    with team_store.store.reading() as s:
        row = s.get(MeldcodeTrajectory, t.id)
        with pytest.raises(DecryptionError):  # the key he kept opens nothing written since
            open_field(FieldKey.of(old_key), "meldcode_trajectories", "body", f"{t.id}|{row.student_id}|v{row.version}", row.body)


def test_a_colleague_on_the_file_with_the_files_and_her_passphrase_cannot_read_it(team_store, students):
    """The insider: Otto, involved in the file, holds the student key and his private key. Neither
    opens the trajectory: its key is in no student-key wrap, is not the student key, and no wrap of it
    is sealed to him or to the escrow. The plain text is nowhere in the store."""
    hanna, t = _started(team_store, students)
    otto = session(team_store, "other")
    with team_store.store.reading() as s:
        student_key = files.student_key(s, otto.keys, students.ozdemir_id)
        row = s.get(MeldcodeTrajectory, t.id)
        wraps = s.scalars(select(MeldcodeWrap)).all()
        student_wraps = s.scalars(select(StudentKeyWrap).where(StudentKeyWrap.student_id == students.ozdemir_id)).all()
        binding = f"{t.id}|{row.student_id}|v{row.version}"
        with pytest.raises(DecryptionError):
            open_field(FieldKey.of(student_key), "meldcode_trajectories", "body", binding, row.body)
        assert {w.recipient for w in wraps} == {team_store.worker_id}  # no escrow, no Otto
        for w in wraps:
            for context in (store_meldcode.wrap_context(t.id, team_store.other_id), store_meldcode.wrap_context(t.id, w.recipient)):
                with pytest.raises(DecryptionError):
                    open_sealed(otto.keys.worker_private, w.wrapped, context, "x")
        # The trajectory key is not among the student-key wraps (the file tier): Hanna's own
        # student key, opened with her wrap, is not it either.
        hanna_student_key = files.student_key(s, hanna.keys, students.ozdemir_id)
        assert len(student_wraps) == 3  # Hanna, Otto and the escrow: nothing was added for the trajectory
        with pytest.raises(DecryptionError):
            open_field(FieldKey.of(hanna_student_key), "meldcode_trajectories", "body", binding, row.body)
    hanna.lock()
    otto.lock()
    team_store.store.checkpoint()
    raw = b"".join(p.read_bytes() for p in team_store.path.parent.glob("team.jt*") if p.is_file())
    assert SECRET.encode() not in raw and b"vader slaat" not in raw


def test_noodtoegang_and_a_coordinator_do_not_open_it(team_store, students):
    """Noodtoegang opens the file through the escrow, never the trajectory; a coördinator
    (who holds the escrow) is refused like anyone who was not added."""
    hanna, t = _started(team_store, students)
    otto = session(team_store, "other")
    hanna.dossier.remove_involved(students.ozdemir_id, team_store.other_id)
    entries = otto.spreekuur.emergency_read(
        students.ozdemir_id, team_store.coordinator_id, COORDINATOR_PASS, "veiligheid", "ze is in gevaar",
    )
    assert entries and not any(SECRET in str(e.payload) for e in entries)
    cora = session(team_store, "coordinator")
    assert cora.keys.escrow_private is not None
    with pytest.raises(NotInvolved):
        cora.meldcode.open(t.id)
    assert cora.meldcode.mine() == []


def test_the_files_logboek_leaves_the_trajectory_out(team_store, students):
    """Everyone on the file reads its Logboek; the meldcode lines are not in it."""
    _hanna, _ = _started(team_store, students)
    otto = session(team_store, "other")
    lines = otto.dossier.file_log(students.ozdemir_id)
    assert lines and not any("meldcode" in (line.what or "").lower() for line in lines)


def test_a_row_or_wrap_put_back_or_changed_is_refused(team_store, students):
    """The row and each wrap are records in the signed log: an older body copied back is refused."""
    hanna, t = _started(team_store, students)
    with team_store.store.reading() as s:
        old = s.get(MeldcodeTrajectory, t.id)
        old_body, old_version = bytes(old.body), old.version
    hanna.meldcode.add_talk(t, m.Talk(None, "", why_not="Niet veilig om te praten"))
    with team_store.store.session() as s:
        s.execute(text("UPDATE meldcode_trajectories SET body = :b, version = :v WHERE id = :i"),
                  {"b": old_body, "v": old_version, "i": t.id})
    with pytest.raises(Tampered):
        hanna.meldcode.open(t.id)


def test_two_members_saving_at_once_is_a_conflict(team_store, students):
    """No silent overwrite: the second save names who saved first."""
    hanna, t = _started(team_store, students)
    t = hanna.meldcode.add_member(t, team_store.other_id)
    otto = session(team_store, "other")
    seen_by_otto = otto.meldcode.open(t.id)
    hanna.meldcode.add_signal(t, m.Signal(t.created_at.date(), "tweede signaal"))
    with pytest.raises(Conflict):
        otto.meldcode.add_signal(seen_by_otto, m.Signal(t.created_at.date(), "zijn signaal"))


def test_a_member_who_leaves_the_team_loses_the_trajectory(team_store, students):
    """The coördinator is told (a count) which trajectories only the leaver can read; deactivation
    deletes the leaver's wraps of every trajectory too."""
    hanna, t = _started(team_store, students)
    cora = session(team_store, "coordinator")
    assert cora.team.deactivation_plan(team_store.worker_id).meldcode_alone == 1
    hanna.meldcode.add_member(t, team_store.other_id)
    assert cora.team.deactivation_plan(team_store.worker_id).meldcode_alone == 0
    cora.team.deactivate_worker(team_store.other_id)
    with team_store.store.reading() as s:
        assert s.scalars(select(MeldcodeWrap.recipient)).all() == [team_store.worker_id]
    hanna.meldcode.forget()
    assert hanna.meldcode.open(t.id).doc["signalen"]


def test_the_report_counts_started_consultations_and_meldingen_without_students(team_store, students):
    """Trajectories started, consultations with Veilig Thuis and meldingen per period, each a
    cell of the cell key method; the rows hold no student id; a woongemeente's report has no meldcode."""
    from jongerenteam.report import figures as rp
    from storage.models import MeldcodeCount
    from tests.support import plausible, sam

    hanna = session(team_store)
    ids = [students.ozdemir_id] + [hanna.spreekuur.register_student(sam(first_name=f"Sam{i}")).id for i in range(5)]
    for sid in ids:
        t = hanna.meldcode.start(sid)
        day = t.created_at.date()
        t = hanna.meldcode.add_consultation(t, m.Consultation(day, m.VEILIG_THUIS, "Veilig Thuis", "advies"))
        t = hanna.meldcode.add_consultation(t, m.Consultation(day, "collega", "Otto", "advies"))
    t = hanna.meldcode.set_melding(t, m.Melding(day, "Hanna", told_student="dat ik meld", told_on=day))
    hanna.meldcode.set_melding(t, m.Melding(day, "Hanna", "VT-9", told_student="dat ik meld", told_on=day))  # a correction
    cora = session(team_store, "coordinator")
    year = rp.custom(date(day.year, 1, 1), date(day.year, 12, 31))
    rows = {label: cells[0].text for label, cells in cora.report.report(year).table("meldcode").rows}
    assert plausible(rows["Meldcode-trajecten gestart"], 6)
    assert plausible(rows["Overleg met Veilig Thuis (advies)"], 6)
    assert rows["Meldingen bij Veilig Thuis"] in ("0", "3")  # one melding: never shown as 1
    before = rp.custom(date(day.year - 1, 1, 1), date(day.year - 1, 12, 31))
    assert {c[0].text for _, c in cora.report.report(before).table("meldcode").rows} == {"0"}
    with team_store.store.reading() as s:
        assert sorted(s.scalars(select(MeldcodeCount.kind)).all()).count("melding") == 1
        assert "student_id" not in MeldcodeCount.__table__.columns


def test_inzage_includes_the_trajectory_with_every_text_to_decide_and_erasure_removes_it(team_store, students):
    """The starter's inzage holds the trajectory, each text a part about others to decide on
    (ouders, Veilig Thuis); a colleague's inzage does not; erasure deletes trajectory and wraps."""
    hanna, t = _started(team_store, students)
    hanna.meldcode.add_consultation(t, m.Consultation(t.created_at.date(), m.VEILIG_THUIS, "Veilig Thuis", "Praat met moeder"))
    draft = hanna.rights.read_inzage(students.ozdemir_id)
    meldcode_items = [i for i in draft.items if i.kind == "meldcode"]
    assert {i.heading for i in meldcode_items} >= {"Meldcode: gestart", "Meldcode: signaal", "Meldcode: overleg"}
    texts = [p.text for p in draft.parts]
    assert any(SECRET in x for x in texts) and any("Praat met moeder" in x for x in texts)
    otto = session(team_store, "other")
    assert not [i for i in otto.rights.read_inzage(students.ozdemir_id).items if i.kind == "meldcode"]

    cora = session(team_store, "coordinator")
    cora.rights.erase_student(students.ozdemir_id, "verzoek")
    with team_store.store.reading() as s:
        assert s.scalars(select(MeldcodeTrajectory.id)).all() == []
        assert s.scalars(select(MeldcodeWrap.id)).all() == []


def test_a_colleague_on_the_file_is_not_told_the_file_changed_when_the_trajectory_did(team_store, students):
    """The change feed keeps meldcode lines apart: Otto's open dossier does not say "bijgewerkt"
    for a change he may not know of; a member's caches are still brought up to date."""
    hanna, t = _started(team_store, students)
    otto = session(team_store, "other")
    otto.sync()
    hanna.meldcode.add_signal(t, m.Signal(t.created_at.date(), "nog een signaal"))
    found = otto.sync()
    assert students.ozdemir_id not in found.students and students.ozdemir_id in found.meldcode
