"""The handover state machine under random sequences of actions (hypothesis).

Whatever a team does, in whatever order, with impossible steps mixed in
and time passing: no handover reaches a state the machine does not know,
no student has two open handovers, the contact person can always open the
file, the receiver can read it only after accepting, and the file's
timeline tells the same story as the stored state.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from jongerenteam import consent as cn
from jongerenteam import handover as h
from jongerenteam.domain import StudentDetails, ValidationError
from jongerenteam.session import TeamSession
from storage import clock
from storage import handover as store_handover
from storage.errors import NotAllowed, NotInvolved
from storage.models import Handover
from tests.support import OTHER_PASS, WORKER_PASS, copy_team, team_template

START = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


class HandoverMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = START
        clock.set_clock(lambda: self.now)
        self.folder = Path(tempfile.mkdtemp(prefix="jt-handover-"))
        self.fx = copy_team(team_template(), self.folder / "team.jt")
        self.hanna = TeamSession.unlock(self.fx.store, self.fx.worker_id, WORKER_PASS)
        self.otto = TeamSession.unlock(self.fx.store, self.fx.other_id, OTHER_PASS)
        self.by_id = {self.fx.worker_id: self.hanna, self.fx.other_id: self.otto}
        details = StudentDetails(first_name="Leonie", last_name="de Boer", programme="Helpende", level="2")
        self.student = self.hanna.spreekuur.register_student(details, status="lopend", today=START.date())
        for name in ("jongerenteam", "Budgetcoach Zwolle"):
            self.hanna.consent.add_consent(self.student.id, cn.NewConsent(
                cn.ConsentWith("organisatie", name), [cn.ALL_DOMAINS], "overdracht", "student", "mondeling",
                START.date()))

    def teardown(self) -> None:
        self.fx.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        clock.set_clock(None)

    # -- helpers ---------------------------------------------------------------------

    def rows(self):
        return store_handover.handovers(self.fx.store, student_id=self.student.id)

    def open_row(self):
        return next((r for r in self.rows() if r.open), None)

    def contact(self) -> str:
        with self.fx.store.reading() as s:
            from storage.models import Student
            return s.get(Student, self.student.id).contact_worker_id

    def actor(self, who: str) -> TeamSession:
        return self.hanna if who == "hanna" else self.otto

    def attempt(self, call) -> None:
        """Run a step; a refused step must leave the stored state as it was."""
        before = [(r.id, r.state, r.version) for r in self.rows()]
        try:
            call()
        except (ValidationError, NotAllowed, NotInvolved):
            after = [(r.id, r.state, r.version) for r in self.rows()]
            assert after == before

    # -- rules ---------------------------------------------------------------------

    @rule(who=st.sampled_from(["hanna", "otto"]), kind=st.sampled_from(h.KINDS))
    def propose(self, who, kind):
        s = self.actor(who)
        other = self.fx.other_id if who == "hanna" else self.fx.worker_id
        if kind == h.INTERN:
            receiver = h.Receiver("medewerker", s.workers[other].full_name, worker_id=other)
        else:
            receiver = h.Receiver("vrij", "Femke", "budgetcoach", "Budgetcoach Zwolle")
        proposal = h.Proposal(kind, receiver, "Document", student_view="akkoord",
                              follow_up=self.now.date() + timedelta(days=14), access_days=7)
        contact, known = self.contact(), {r.id for r in self.rows()}
        self.attempt(lambda: s.handover.propose_handover(self.student.id, proposal))
        for row in self.rows():
            if row.id not in known and row.kind == h.INTERN:
                # Only the contact person hands over the contact role (no coördinator here).
                assert row.from_worker_id == contact == s.worker_id

    @rule(who=st.sampled_from(["hanna", "otto"]), days=st.integers(min_value=1, max_value=60))
    def change_read_along(self, who, days):
        rows = [r for r in self.rows() if r.kind == h.INTERN]
        if not rows:
            return
        row, s = rows[0], self.actor(who)
        before = store_handover.access_until(self.fx.store, self.student.id, row.from_worker_id)
        self.attempt(lambda: s.handover.set_access_days(row, days))
        after = store_handover.access_until(self.fx.store, self.student.id, row.from_worker_id)
        if s.worker_id == row.from_worker_id and before is not None:
            # A worker never lengthens her own read-along.
            assert after is None or after <= before

    @rule(who=st.sampled_from(["hanna", "otto"]))
    def end_read_along(self, who):
        rows = [r for r in self.rows() if r.kind == h.INTERN]
        if not rows:
            return
        row, s = rows[0], self.actor(who)
        self.attempt(lambda: s.handover.end_own_access(row))
        if s.worker_id == row.from_worker_id and s.worker_id != self.contact():
            from storage import students

            assert s.worker_id not in students.involved_workers(self.fx.store, self.student.id)

    @rule(who=st.sampled_from(["hanna", "otto"]),
          action=st.sampled_from(["accept", "decline", "meeting", "contact", "finish", "withdraw"]))
    def step(self, who, action):
        row = self.open_row() or (self.rows()[0] if self.rows() else None)
        if row is None:
            return
        s = self.actor(who)
        today = self.now.date()
        calls = {
            "accept": lambda: s.handover.accept_handover(row),
            "decline": lambda: s.handover.decline_handover(row, "geen plek"),
            "meeting": lambda: s.handover.plan_meeting(row, today + timedelta(days=2)),
            "contact": lambda: s.handover.confirm_contact(row, today),
            "finish": lambda: s.handover.finish_handover(row),
            "withdraw": lambda: s.handover.withdraw_handover(row, "toch niet"),
        }
        self.attempt(calls[action])

    @rule(days=st.integers(min_value=1, max_value=10))
    def time_passes(self, days):
        self.now += timedelta(days=days)
        self.hanna.handover.expire_access()

    # -- invariants ------------------------------------------------------------------

    @invariant()
    def states_are_known_and_one_is_open(self):
        rows = self.rows()
        assert all(r.state in store_handover.STATES for r in rows)
        assert sum(1 for r in rows if r.open) <= 1

    @invariant()
    def the_contact_person_can_always_open_the_file(self):
        contact = self.contact()
        assert contact in self.by_id
        assert self.by_id[contact].dossier.open_dossier(self.student.id, log=False).student_id == self.student.id

    @invariant()
    def pending_key_only_while_an_internal_proposal_waits(self):
        with self.fx.store.reading() as s:
            for row in s.query(Handover).all():
                waiting = row.kind == h.INTERN and row.state == h.PROPOSED
                assert (row.pending_wrap is not None) == waiting

    @invariant()
    def a_receiver_reads_only_after_accepting(self):
        for r in self.rows():
            if r.kind == h.INTERN and r.state == h.PROPOSED:
                receiver = self.by_id[r.to_worker_id]
                try:
                    receiver.dossier.open_dossier(self.student.id, log=False)
                except NotInvolved:
                    continue
                # Readable only if they were involved already (the earlier contact person).
                assert r.to_worker_id != self.contact()

    @invariant()
    def the_timeline_tells_the_stored_story(self):
        contact = self.by_id[self.contact()]
        dossier = contact.dossier.open_dossier(self.student.id, log=False)
        for r in self.rows():
            steps = [t for t in dossier.timeline
                     if t.kind == store_handover.STEP_KIND and t.payload.get("overdracht") == r.id]
            assert steps, "every handover has its steps in the file"
            assert r.state in {t.payload["naar"] for t in steps}


HandoverMachine.TestCase.settings = settings(
    max_examples=20, stateful_step_count=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestHandoverStates = HandoverMachine.TestCase
