"""Use cases of the meldcode (issue 21): ``session.meldcode``.

A trajectory is readable only by the worker who started it and the
colleagues they add (``storage.meldcode``: its own key, no escrow). Every
use case is one unit of work; every change writes the whole document
against the version the worker saw (``Conflict`` when a member saved in
between) and logs a code (``meldcode: stap signalen``), never content.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from jongerenteam.dates import local_today
from jongerenteam.domain import ValidationError
from jongerenteam.meldcode import model as m
from jongerenteam.report.cellkey import new_record_key
from jongerenteam.service import Service
from jongerenteam.text import check_document, check_text, clean_block, clean_line
from storage import meldcode as store_meldcode
from storage.documents import JsonObject
from storage.files import EntryView

if TYPE_CHECKING:
    from jongerenteam.session import Changes, TeamSession

ROLE_LABELS = {
    store_meldcode.STARTED: "gestart",
    store_meldcode.AANDACHTSFUNCTIONARIS: "aandachtsfunctionaris",
    store_meldcode.COLLEAGUE: "collega",
}


@dataclass(frozen=True, slots=True)
class Trajectory:
    """A trajectory as a member sees it."""

    id: str
    student_id: str
    version: int
    created_at: datetime
    created_by: str
    members: dict[str, str]  # worker id -> role
    doc: JsonObject = field(repr=False)

    @property
    def is_open(self) -> bool:
        return self.doc.get("status") != m.CLOSED

    @property
    def next(self) -> m.NextStep:
        return m.next_step(self.doc)

    @property
    def lead(self) -> m.Lead:
        return m.lead(m.answers_of(self.doc))

    @property
    def target(self) -> date | None:
        """The target date of the next step (set by the worker), if any."""
        return m.target_of(self.doc, self.next.step)

    def overdue(self, today: date) -> bool:
        t = self.target
        return t is not None and t < today

    def __repr__(self) -> str:
        return f"Trajectory({self.id!r}, v{self.version})"


def _trajectory(v: store_meldcode.TrajectoryView) -> Trajectory:
    return Trajectory(v.id, v.student_id, v.version, v.created_at, v.created_by, dict(v.members), v.doc)


class MeldcodeService(Service):
    """Start, read and fill a meldcode trajectory; its members."""

    def __init__(self, session: TeamSession) -> None:
        super().__init__(session)
        self._mine: list[Trajectory] | None = None
        self._logged: set[str] = set()

    # -- caches ---------------------------------------------------------------------------

    def changed(self, changes: Changes) -> None:
        if self._mine is None:
            return
        if changes.everything or changes.workers or changes.meldcode:
            self._mine = None

    def forget(self) -> None:
        self._mine = None
        self._logged = set()

    # -- reading -------------------------------------------------------------------------

    def mine(self) -> list[Trajectory]:
        """Every trajectory this worker is a member of (Vandaag, the dossier header).

        Each trajectory's first read in a session is logged ('open', ``meldcode: vandaag``).
        """
        if self._mine is None:
            with self.unit():
                views = store_meldcode.mine(self.store, self.keys)
                for v in views:
                    if v.id not in self._logged:
                        store_meldcode.log_open(self.store, self.keys, v.id, v.student_id, "vandaag")
            self._logged |= {v.id for v in views}
            self._mine = [_trajectory(v) for v in views]
        return list(self._mine)

    def open_for(self, student_id: str) -> list[Trajectory]:
        """This student's trajectories that the worker may read (none: the worker may not know of any)."""
        return [t for t in self.mine() if t.student_id == student_id]

    def has_open(self, student_id: str) -> bool:
        """Whether a trajectory is open for this student, for a worker who may know."""
        return any(t.is_open for t in self.open_for(student_id))

    def known_open(self, student_id: str) -> bool:
        """Like ``has_open``, from what this session already read (never reads the store):
        for the dossier header, drawn on the UI thread."""
        return any(t.student_id == student_id and t.is_open for t in self._mine or ())

    def open(self, trajectory_id: str) -> Trajectory:
        """One trajectory, read now and logged ('open', ``meldcode: geopend``)."""
        with self.unit():
            return _trajectory(store_meldcode.read(self.store, self.keys, trajectory_id))

    def today(self) -> list[Trajectory]:
        """Open trajectories with their next step, oldest target date first (Vandaag)."""
        open_ = [t for t in self.mine() if t.is_open]
        return sorted(open_, key=lambda t: (t.target or date.max, t.created_at))

    # -- starting -------------------------------------------------------------------------

    def start(
        self, student_id: str, *, organisation: str | None = None, aandachtsfunctionaris: str = "",
        targets: Mapping[str, date | None] | None = None,
    ) -> Trajectory:
        """Start a trajectory for a student whose file the worker is on; only they can read it.

        ``organisation``: whose meldcode applies (default: the worker's own organisation).
        """
        doc = m.new_document(self._organisation(organisation), local_today())
        doc["aandachtsfunctionaris"] = self._person(aandachtsfunctionaris)
        doc["streefdata"] = m.target_dates(targets or {})
        check_document(doc)
        with self.unit():
            tid = store_meldcode.start(self.store, self.keys, student_id, doc, rk=new_record_key())
        self._mine = None
        return self._reread(tid)

    def _organisation(self, value: str | None) -> str:
        org = clean_line(value if value is not None else self.worker.organisation)
        check_text("organisation", org, "short")
        if not org:
            raise ValidationError("organisation", "Vul in welke organisatie haar meldcode geldt.")
        return org

    @staticmethod
    def _person(value: str) -> str:
        name = clean_line(value)
        check_text("aandachtsfunctionaris", name, "short")
        return name

    # -- the steps ------------------------------------------------------------------------

    def add_signal(self, t: Trajectory, signal: m.Signal) -> Trajectory:
        item = signal.to_dict(local_today())
        return self._change(t, "stap signalen", lambda d: d["signalen"].append(item))

    def add_consultation(self, t: Trajectory, consultation: m.Consultation) -> Trajectory:
        item = consultation.to_dict(local_today())
        veilig_thuis = item["soort"] == m.VEILIG_THUIS
        what = "stap consultatie" + (" veilig thuis" if veilig_thuis else "")
        return self._change(t, what, lambda d: d["consultaties"].append(item), counts=["veilig_thuis"] if veilig_thuis else [])

    def add_talk(self, t: Trajectory, talk: m.Talk) -> Trajectory:
        item = talk.to_dict(local_today())
        return self._change(t, "stap gesprek", lambda d: d["gesprekken"].append(item))

    def answer(self, t: Trajectory, answer: m.Answer) -> Trajectory:
        """One question of the afwegingskader, answered and dated (a question that is not
        part of the sequence as answered so far is refused: the app shows where the answers lead)."""
        lead = t.lead
        if answer.question not in lead.asked and lead.outcome is not m.Outcome.CLOSE_WITH_AGREEMENTS:
            raise ValidationError("question", "Deze vraag komt pas aan de orde na de vragen ervoor.")
        item = answer.to_dict(local_today())
        return self._change(t, "stap wegen", lambda d: d["afweging"].__setitem__(answer.question, item))

    def set_help(self, t: Trajectory, plan: m.HelpPlan) -> Trajectory:
        item = plan.to_dict(local_today())
        return self._change(t, "stap beslissen: hulp", lambda d: d["besluit"].__setitem__("hulp", item))

    def set_melding(self, t: Trajectory, melding: m.Melding) -> Trajectory:
        item = melding.to_dict(local_today())
        before = (t.doc.get("besluit") or {}).get("melding") or {}
        new = before.get("datum") != item["datum"]  # a (new) melding is counted; a correction of one is not
        return self._change(t, "stap beslissen: melding", lambda d: d["besluit"].__setitem__("melding", item),
                            counts=["melding"] if new else [])

    def set_targets(self, t: Trajectory, targets: Mapping[str, date | None]) -> Trajectory:
        values = m.target_dates(targets)
        return self._change(t, "streefdata", lambda d: d.__setitem__("streefdata", values))

    def set_organisation(self, t: Trajectory, organisation: str, aandachtsfunctionaris: str) -> Trajectory:
        org, person = self._organisation(organisation), self._person(aandachtsfunctionaris)

        def apply(d: JsonObject) -> None:
            d["organisatie"], d["aandachtsfunctionaris"] = org, person

        return self._change(t, "organisatie", apply)

    def close(self, t: Trajectory, reason: str) -> Trajectory:
        """The worker closes the trajectory (the app never does), with why."""
        why = clean_block(reason)
        check_text("reason", why, "note")
        if not why:
            raise ValidationError("reason", "Schrijf op waarom je de meldcode afsluit.")
        closing = {"datum": local_today().isoformat(), "reden": why, "uitkomst": t.lead.outcome.value}

        def apply(d: JsonObject) -> None:
            d["status"], d["afsluiting"] = m.CLOSED, closing

        return self._change(t, "afgesloten", apply)

    def _change(
        self, t: Trajectory, what: str, apply: Callable[[JsonObject], None], *, counts: list[str] | None = None,
    ) -> Trajectory:
        doc = copy.deepcopy(t.doc)
        for key, empty in (("signalen", []), ("consultaties", []), ("gesprekken", []), ("afweging", {}), ("besluit", {})):
            doc.setdefault(key, empty)
        apply(doc)
        check_document(doc)
        with self.unit():
            store_meldcode.write(self.store, self.keys, t.id, t.version, doc, what,
                                 [(kind, new_record_key()) for kind in counts or []])
        self._mine = None
        return self._reread(t.id)

    def _reread(self, tid: str) -> Trajectory:
        return _trajectory(store_meldcode.read(self.store, self.keys, tid, detail=None))

    # -- the student's rights --------------------------------------------------------------

    def inzage_entries(self, student_id: str) -> list[EntryView]:
        """This student's trajectories that the worker may read, one entry per step's record,
        for an inzage (``RightsService.read_inzage``); each read logged ('meldcode: inzage').
        A worker who is not a member gets none: the trajectory's starter makes that part."""
        out: list[EntryView] = []
        for tid in store_meldcode.of_student(self.store, self.keys, student_id):
            with self.unit():
                v = store_meldcode.read(self.store, self.keys, tid, detail="inzage")
            for i, (heading, day, fields) in enumerate(m.inzage_items(v.doc)):
                payload: JsonObject = {"kop": heading, "datum": day, "velden": [list(f) for f in fields]}
                out.append(EntryView(f"meldcode-{v.id}-{i}", m.INZAGE_KIND, v.created_at, v.created_by, v.version, payload))
        return out

    def handover_text(self, student_id: str) -> str:
        """What the student's trajectory recorded (the newest this worker may read), for an
        overdrachtsdocument on the legal ground "meldcode"; "" when there is none. Logged."""
        tids = store_meldcode.of_student(self.store, self.keys, student_id)
        if not tids:
            return ""
        with self.unit():
            views = [store_meldcode.read(self.store, self.keys, tid, detail=None) for tid in tids]
            chosen = next((v for v in reversed(views) if v.doc.get("status") != m.CLOSED), views[-1])
            store_meldcode.log_open(self.store, self.keys, chosen.id, student_id, "overdracht")
        return m.handover_text(chosen.doc)

    # -- members -------------------------------------------------------------------------

    def add_member(self, t: Trajectory, worker_id: str, role: str = store_meldcode.COLLEAGUE) -> Trajectory:
        """The starter adds a colleague (the aandachtsfunctionaris, a colleague): only then may they read it."""
        with self.unit():
            store_meldcode.add_member(self.store, self.keys, t.id, worker_id, role)
        self._mine = None
        return self._reread(t.id)

    def remove_member(self, t: Trajectory, worker_id: str) -> Trajectory:
        """The starter takes a colleague off; the trajectory gets a new key."""
        with self.unit():
            store_meldcode.remove_member(self.store, self.keys, t.id, worker_id)
        self._mine = None
        return self._reread(t.id)
