"""The team: its workers, their passphrases and the recovery code, and the
settings a coördinator keeps (idle lock time, vaste contactpersonen,
expertise), and each worker's reachability for students.

``TeamService`` holds the use cases of an unlocked worker (most are a
coördinator's; ``change_own_passphrase`` is every worker's).
``reset_with_recovery`` is the one way a passphrase is set again with the
recovery code from paper, from the command line, the unlock screen or Team
beheren. Screens: ``screens/team.py``, ``screens/unlock.py``,
``screens/setup.py``; store: ``storage/team.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from jongerenteam import throttle
from jongerenteam.domain import WORKER_FIELDS, check_worker_field
from jongerenteam.errors import PassphraseWait, WeakPassphrase
from jongerenteam.passphrase import SAME_AS_CURRENT, require_strong
from jongerenteam.service import Service
from jongerenteam.text import check_text, clean_line
from storage import audit, spreekuur
from storage import handover as store_handover
from storage import meldcode as store_meldcode
from storage import team as store_team
from storage.errors import NotAllowed, Reason
from storage.handover import HandoverRow
from storage.keyslots import RECOVERY_GROUP_LEN, RECOVERY_GROUPS, KdfParams
from storage.store import Store

if TYPE_CHECKING:
    from jongerenteam.session import Changes, TeamSession

COORDINATOR, WORKER = store_team.COORDINATOR, store_team.WORKER
WorkerDetails = store_team.WorkerDetails
__all__ = [
    "COORDINATOR", "RECOVERY_GROUPS", "RECOVERY_GROUP_LEN", "WORKER", "TeamService", "WorkerDetails",
    "check_worker", "create_team", "reset_with_recovery",
]


def check_worker(details: WorkerDetails) -> None:
    """Refuse a worker's name, initials or organisation that is empty, too long or has letters
    the PDFs cannot print (``ValidationError`` naming the field, a Dutch message).

    Every way a worker is made (``jongerenteam init``, the set-up wizard,
    ``worker add``, Team beheren) comes through here; the forms check each
    field first (``domain.check_worker_field``) to say so beside it.
    """
    for name in WORKER_FIELDS:
        check_worker_field(name, getattr(details, name))


def reset_with_recovery(
    store: Store, recovery_code: str, worker_id: str, new_passphrase: str, params: KdfParams, *, by_worker: str | None = None,
) -> int:
    """A new passphrase for a worker with the recovery code (logged as 'recovery').

    Their student keys are wrapped again through the escrow, so their files
    stay readable. Returns how many student keys were rewrapped. A weak new
    passphrase is refused (``WeakPassphrase``) before the code is tried.
    """
    worker = next((w for w in store.workers(active_only=False) if w.id == worker_id), None)
    require_strong(new_passphrase, names=(worker.full_name, worker.initials) if worker is not None else ())
    team_key, escrow_private = store_team.unlock_recovery(store, recovery_code)
    return store_team.reset_passphrase(
        store, team_key, escrow_private, worker_id, new_passphrase, params, by_worker=by_worker, via="herstelcode",
    )


def create_team(store: Store, team_name: str, details: WorkerDetails, passphrase: str, params: KdfParams) -> str:
    """The team in an empty store and its first worker (a coördinator); returns
    the recovery code, to be written on paper once."""
    team_name = clean_line(team_name)
    check_text("team_name", team_name, "short")
    check_worker(details)
    require_strong(passphrase, names=(details.full_name, details.initials, team_name))
    _, recovery = store_team.create_team(store, team_name, details, passphrase, params)
    return recovery


@dataclass(slots=True)
class DeactivationPlan:
    """What a leaving worker still holds (``TeamService.deactivation_plan``)."""

    students: list[str]  # student ids they are contact person of
    programmes: list[str]
    to_them: list[HandoverRow] = field(default_factory=list)  # open handovers proposed to them (withdrawn)
    from_them: list[HandoverRow] = field(default_factory=list)  # open handovers they started (their receivers answer)
    open_since: datetime | None = None  # their window seems open now (storage.team.open_since)
    meldcode_alone: int = 0  # meldcode trajectories only they can read (unreadable once they leave)


class TeamService(Service):
    def __init__(self, session: TeamSession) -> None:
        super().__init__(session)
        self._programme_contacts: dict[str, str] | None = None

    def changed(self, changes: Changes) -> None:
        if changes.team or changes.workers or changes.everything:
            self._programme_contacts = None

    def forget(self) -> None:
        self._programme_contacts = None

    # -- workers --------------------------------------------------------------------------

    def add_worker(self, details: WorkerDetails, passphrase: str, params: KdfParams) -> str:
        check_worker(details)
        require_strong(passphrase, names=(details.full_name, details.initials))
        with self.unit():
            return store_team.add_worker(self.store, self.keys, details, passphrase, params)

    def deactivate_worker(self, worker_id: str) -> int:
        """Deactivate a worker (coördinator): handovers proposed to them are withdrawn first."""
        with self.unit():
            self.session.handover.withdraw_proposals_to(worker_id)
            return store_team.deactivate_worker(self.store, self.keys, worker_id)

    def handover_load(self, worker_id: str) -> tuple[list[str], list[str]]:
        """What a leaving worker still holds: (students they are contact person of,
        programmes they are vaste contactpersoon of)."""
        students_of = spreekuur.students_with_contact(self.store, worker_id)
        programmes = sorted(p for p, w in self.programme_contacts().items() if w == worker_id)
        return students_of, programmes

    def deactivation_plan(self, worker_id: str) -> DeactivationPlan:
        """What a leaving worker still holds, read from the directory and the handover
        rows only (no file is opened): their students, their programmes, and the
        handovers still open to and from them."""
        self.require_coordinator("workers")
        students_of, programmes = self.handover_load(worker_id)
        rows = store_handover.handovers(self.store, worker_id=worker_id, open_only=True)
        return DeactivationPlan(
            students=sorted(students_of, key=lambda sid: self.students[sid].sort_key if sid in self.students else ""),
            programmes=programmes,
            to_them=[r for r in rows if r.to_worker_id == worker_id],
            from_them=[r for r in rows if r.from_worker_id == worker_id and r.to_worker_id != worker_id],
            meldcode_alone=store_meldcode.only_member_of(self.store, worker_id),
            open_since=store_team.open_since(self.store, worker_id),
        )

    def deactivate_worker_with_handover(
        self, worker_id: str, new_contact_id: str | None = None, *, assignments: dict[str, str] | None = None,
        reason: str = "",
    ) -> tuple[int, int]:
        """Name a new contact person for each of the leaving worker's students, then deactivate.

        ``assignments``: student id -> colleague (default: all to ``new_contact_id``).
        Each named colleague becomes contact person at once and sees the student
        on Vandaag with the task "toestemming vragen"; the file opens for them
        once the student's consent to share with them is in it (a held handover,
        ``HandoverService.hold_for``): the coördinator opens no file to decide.
        A student with a handover still open (proposed by the leaving worker)
        keeps it: its receiver answers. Handovers proposed *to* the leaving
        worker are withdrawn. Their programmes go to ``new_contact_id``.
        Returns (students given a new contact person, student keys removed),
        all of it in one transaction.
        """
        self.require_coordinator("workers")
        if worker_id == self.worker_id:
            raise NotAllowed("workers", reason=Reason.CANNOT_DEACTIVATE_SELF)
        if new_contact_id == worker_id or worker_id in (assignments or {}).values():
            raise NotAllowed("workers", reason=Reason.SAME_WORKER)
        name = self.session.worker_name(worker_id)
        reason = reason.strip() or f"{name} werkt niet meer in het team"
        moved = 0
        with self.unit():
            plan = self.deactivation_plan(worker_id)
            busy = {r.student_id for r in plan.from_them}
            if assignments is None:
                assignments = {sid: new_contact_id for sid in plan.students if new_contact_id}
            self.session.handover.withdraw_proposals_to(worker_id)
            for sid, to in assignments.items():
                if to and sid in plan.students and sid not in busy:
                    self.session.handover.hold_for(sid, to, reason, from_worker_id=worker_id)
                    moved += 1
            if new_contact_id:
                for programme in plan.programmes:
                    spreekuur.set_programme_contact(self.store, self.keys, programme, new_contact_id)
            removed = store_team.deactivate_worker(self.store, self.keys, worker_id)
        return moved, removed

    def name_contact(self, student_id: str, worker_id: str, reason: str = "") -> None:
        """Repair: a student whose contact person left the team gets a new one (held
        until the student's consent, like at a deactivation)."""
        rec = self.session.record(student_id)
        old = self.session.worker_name(rec.contact_worker_id, "de vorige contactpersoon")
        reason = reason.strip() or f"{old} werkt niet meer in het team"
        self.session.handover.hold_for(student_id, worker_id, reason)

    def reset_passphrase_with_recovery(self, recovery_code: str, worker_id: str, new_passphrase: str, params: KdfParams) -> int:
        with self.unit():
            return reset_with_recovery(self.store, recovery_code, worker_id, new_passphrase, params, by_worker=self.worker_id)

    def change_own_passphrase(self, current: str, new: str, params: KdfParams | None = None) -> None:
        """This worker chooses a new passphrase of their own, typing the current one.

        Their key slot is made again under the new passphrase (logged as
        'passphrase_changed'); the keys inside stay the same, so nothing else
        changes and the session goes on. Refused before any key derivation: a
        new passphrase equal to the current one or weak (``WeakPassphrase``),
        and any try while the growing wait after wrong passphrases runs
        (``PassphraseWait``). A wrong current passphrase raises
        ``WrongPassphrase`` and is logged like a refused login, so it counts
        for that wait. ``params``: the calibrated ones unless given.
        """
        if new == current:
            # Whoever knew the current one (the coördinator who typed it first) would know this one.
            raise WeakPassphrase(SAME_AS_CURRENT)
        me = self.worker
        require_strong(new, names=(me.full_name, me.initials))
        wait = throttle.wait_seconds(self.store, self.worker_id)
        if wait > 0:
            raise PassphraseWait(self.worker_id, wait)
        if params is None:
            from jongerenteam.settings import kdf_params

            params = kdf_params()
        # Not in a unit: a refusal is logged in a transaction of its own, which must stay.
        store_team.change_passphrase(self.store, self.keys, current, new, params)
        self.session.sync()

    def set_expertise(self, worker_id: str, codes: tuple[str, ...], *, version: int) -> None:
        """A worker's expertise; ``version``: of the worker as the coördinator saw them."""
        with self.unit():
            spreekuur.set_expertise(self.store, self.keys, worker_id, codes, version)

    def verify_audit(self) -> audit.Verification:
        with self.store.session() as s:
            return audit.verify(s, self.keys)

    # -- settings ------------------------------------------------------------------------------

    def settings_version(self) -> int:
        """The version of the team's settings now (idle time, 18+ list, retention terms):
        a screen that shows them keeps it, and a change names it."""
        team = self.store.team()
        return team.version if team is not None else 0

    def idle_lock_minutes(self) -> int:
        team = self.store.team()
        return team.idle_lock_minutes if team is not None else 5

    def set_idle_lock_minutes(self, minutes: int, *, version: int) -> None:
        with self.unit():
            spreekuur.set_idle_lock_minutes(self.store, self.keys, minutes, version)

    def programme_contacts(self) -> dict[str, str]:
        """Programme -> worker id; read once until something changes (suggested on every keystroke)."""
        if self._programme_contacts is None:
            self._programme_contacts = spreekuur.programme_contacts(self.store)
        return dict(self._programme_contacts)

    def set_programme_contact(self, programme: str, worker_id: str | None, *, seen: str | None) -> None:
        """The vaste contactpersoon of a programme; ``seen``: who the coördinator saw there (None: nobody)."""
        with self.unit():
            spreekuur.set_programme_contact(self.store, self.keys, programme, worker_id, seen)

    # -- reachability (for the student's overview) ---------------------------------------

    def worker_contact(self, worker_id: str) -> str:
        return store_team.worker_contact(self.store, self.keys, worker_id)

    def set_my_contact(self, text: str) -> None:
        text = clean_line(text)
        check_text("contact", text, "line")
        with self.unit():
            store_team.set_worker_contact(self.store, self.keys, text)
