"""Use cases of the figures for municipalities and the school board.

The use cases that change a student call ``note`` inside their own unit of
work, which keeps the student's statistics document (``storage.report``)
up to date in the same transaction; ``report`` reads all documents and
computes the protected figures (``jongerenteam.report.figures``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from jongerenteam.dates import local_today
from jongerenteam.domain import StudentDetails
from jongerenteam.report import figures as rp
from jongerenteam.service import Service
from storage import clock, students
from storage import meldcode as store_meldcode
from storage import report as store_report
from storage.documents import JsonObject

# Entry kinds that are a talk in the figures when a file only has metadata (the backfill).
_TALK_KINDS = ("talk",)


class ReportService(Service):
    """The figures for the municipalities, and the statistics tier they come from."""

    # -- keeping the statistics tier up to date ---------------------------------------

    def note(
        self,
        student_id: str,
        *,
        on: date | None = None,
        walk_in: bool | date = False,
        referral: bool = False,
        talks: tuple[tuple[date, str, str], ...] = (),
        scores: tuple[tuple[date, str, int], ...] = (),
        retype: tuple[str, str] | None = None,
    ) -> None:
        """Bring the student's statistics document up to date, inside the unit of
        the change it describes (a walk-in, a talk, a status): the directory
        facts as stored now, and the events. ``walk_in``: True for a walk-in
        on ``on``, or the day of a walk-in noted later (an anonymous walk-in
        linked to her file)."""
        row = students.get_student(self.store, self.keys, student_id)
        today = on or local_today()
        walk_in_day = walk_in if isinstance(walk_in, date) else (today if walk_in else None)
        facts = rp.facts_of(StudentDetails.from_dict(row.data), row.status)
        store_report.update(
            self.store, self.keys, student_id,
            lambda doc: rp.revise(
                doc, facts, today, walk_in=walk_in_day,
                referral=today if referral else None, talks=talks, scores=scores, retype=retype,
            ),
        )

    def note_new(
        self, student_id: str, data: JsonObject, status: str, *, on: date, walk_in: bool = False,
        referral: bool = False,
    ) -> None:
        """The first statistics document of a student registered in this unit, from
        the directory data and status just written (not read back): ``note`` for
        a student no one else can have a record for yet."""
        facts = rp.facts_of(StudentDetails.from_dict(data), status)
        doc = rp.revise(None, facts, on, walk_in=on if walk_in else None, referral=on if referral else None)
        store_report.create(self.store, self.keys, student_id, doc)

    def _require_coordinator(self) -> None:
        self.require_coordinator("statistics")

    def report(self, period: rp.Period, municipality: str | None = None) -> rp.Report:
        """The protected figures of one period (coördinator only); no file is opened.

        Each statistics document is decrypted, parsed, counted and dropped in
        turn (``storage.report.each_document``): half a million small lists at
        50,000 students never live all at once (benchmarks/bench_report.py).
        """
        from jongerenteam.directory import _gc_paused

        self._require_coordinator()
        self.backfill_statistics()
        documents = store_report.each_document(self.store, self.keys)
        # What the count keeps (the programmes of the students helped, the waits)
        # is not walked again and again by the cyclic collector meanwhile.
        with _gc_paused():
            report = self._figures(documents, period, municipality)
        report.damaged = documents.damaged  # known once every record was read
        return report

    def report_from(self, statistics: rp.Statistics, period: rp.Period, municipality: str | None = None) -> rp.Report:
        """The figures from documents already read (the screen re-uses them
        when only the period or municipality changes)."""
        return self._figures(statistics.documents, period, municipality, statistics.damaged)

    def _figures(
        self, documents: Iterable[JsonObject], period: rp.Period, municipality: str | None, damaged: int = 0
    ) -> rp.Report:
        from jongerenteam.dates import day_start

        walk_ins = store_report.anonymous_walk_ins(
            self.store, self.keys, day_start(period.start), day_start(period.end + timedelta(days=1))
        )
        anonymous = [(clock.local_time(t).date(), key) for t, key in walk_ins]
        meldcode = [
            (kind, clock.local_time(t).date(), key)
            for kind, t, key in store_meldcode.counts_between(
                self.store, self.keys, day_start(period.start), day_start(period.end + timedelta(days=1))
            )
        ]
        return rp.compute(
            documents, anonymous, period, municipality,
            made_at=clock.local_time(clock.now()), damaged=damaged, meldcode=meldcode,
        )

    def statistics_documents(self) -> rp.Statistics:
        from jongerenteam.directory import _gc_paused

        self._require_coordinator()
        self.backfill_statistics()
        with _gc_paused():
            return rp.Statistics(*store_report.load_all(self.store, self.keys))

    def report_municipalities(self, statistics: rp.Statistics) -> list[tuple[str, str]]:
        """(code, name) of the woongemeenten in the figures, by name."""
        from jongerenteam.municipalities import name_of

        codes = {d.get("gemeente") or "" for d in statistics.documents}
        return sorted(((c, name_of(c) or "woongemeente onbekend") for c in codes), key=lambda x: (x[0] == "", x[1]))

    def backfill_statistics(self) -> int:
        """Statistics documents for students registered before this version.

        Built from what a coördinator may read without file keys: the
        directory (municipality, level, programme, verwijzer, leefdomeinen,
        birth month, status, close reason), when the student was registered,
        and the kind and date of each file entry. Talk *types* and scores
        are inside the file and stay unknown for these students ("onbekend";
        no score changes). Returns the number of records made.
        """
        missing = [sid for sid in store_report.students_without_record(self.store) if sid in self.students]
        if missing:
            with self.unit():
                return self._backfill(missing)
        return 0

    def _backfill(self, missing: list[str]) -> int:
        meta = store_report.entry_metadata(self.store, missing)
        plain = store_report.student_created(self.store, missing)
        docs = {}
        for sid in missing:
            record = self.students[sid]
            created, _status, closed_at = plain.get(sid, (clock.now(), record.status, None))
            registered = clock.local_time(created).date()
            facts = rp.facts_of(record.details, record.status)
            doc = rp.new_document(registered)
            doc.update({k: facts[k] for k in ("gemeente", "niveau", "opleiding", "verwijzer", "domeinen", "achttien")})
            for kind, at in meta.get(sid, []):
                day = clock.local_time(at).date().isoformat()
                if kind == "inloop":
                    doc["inloop"].append(day)
                elif kind == "aanmelding":
                    doc["aanmeldingen"].append(day)
                elif kind in _TALK_KINDS:
                    doc["gesprekken"].append([day, "", ""])
            if record.details.waiting_since and not doc["aanmeldingen"]:
                doc["aanmeldingen"].append(record.details.waiting_since.isoformat())
            doc["statussen"] = [[registered.isoformat(), "aangemeld", ""]]
            if record.status != "aangemeld":
                when = clock.local_time(closed_at).date() if (closed_at and record.status == "afgesloten") else registered
                doc["statussen"].append([when.isoformat(), record.status, facts["reden"]])
            docs[sid] = doc
        return store_report.add_many(self.store, self.keys, docs)

    # -- exports --------------------------------------------------------------------------

    def export_report(self, report: rp.Report, fmt: str, path: str | Path) -> Path:
        """Write the report as CSV or PDF (atomically) and log the export."""
        from jongerenteam.pdf import check_target, write_atomic

        self._require_coordinator()
        if fmt == "csv":
            target = rp.csv_target(str(path))
            data = rp.to_csv(report)
        elif fmt == "pdf":
            target = check_target(path, example="rapportage.pdf")
            data = rp.render_pdf(report)
        else:
            raise ValueError("format")
        write_atomic(target, data)
        with self.unit():
            store_report.log_report_export(self.store, self.keys, f"rapportage {fmt}")
        return target


def stamp() -> datetime:
    return clock.local_time(clock.now())
