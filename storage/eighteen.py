"""Store operations of turning 18 and of a coachwissel (issue 5).

- A student's 18+ checklist is one file entry (kind ``checklist18``) under
  the student key: only workers involved with the student read it. Reading
  it decrypts that entry only, not the whole file.
- The team's list of checklist items is ``Team.checklist_18`` (JSON; item
  labels are no personal data, so it is not sealed).
- A change of study coach writes the directory (version-guarded) and the
  contact person's task (a werkafspraak) in one transaction per student.
"""

from __future__ import annotations

from sqlalchemy import select, update

from storage import audit, clock, files, guard
from storage.documents import JsonObject
from storage.errors import UnknownStudent
from storage.files import EntryView
from storage.keyring import Keys
from storage.models import Student, Team
from storage.store import Store
from storage.students import DirectoryRow, _conflict, _seal_directory
from storage.team import _require_coordinator

CHECKLIST_KIND = "checklist18"
CHECKLIST_DETAIL = "18+-checklist"


def read_checklist_entries(store: Store, keys: Keys, student_id: str, *, log: bool = True) -> list[EntryView]:
    """The student's checklist entries (normally one), oldest first.

    Needs the student key (``NotInvolved`` otherwise). Logged as an 'open'
    of the file with detail '18+-checklist' unless ``log`` is False (a
    re-read for a change that is itself logged).
    """
    with store.session() as s:
        key = files.student_key(s, keys, student_id)
        return files.read_entries(
            s, keys, student_id, key, kinds=(CHECKLIST_KIND,), event="open" if log else None, detail=CHECKLIST_DETAIL,
        )


# -- the team's list -------------------------------------------------------------------


def team_checklist(store: Store) -> str | None:
    """The team's checklist as stored (JSON text), or None for the default list."""
    with store.reading() as s:
        return s.scalar(select(Team.checklist_18))


def set_team_checklist(store: Store, keys: Keys, raw: str | None, expected_version: int) -> None:
    """A coördinator stores the team's list (None: back to the default list),
    against the team settings' version they saw."""
    _require_coordinator(keys)
    with store.session() as s:
        t = guard.team_settings(s, expected_version)
        t.checklist_18 = raw
        t.version += 1
        audit.append(s, keys, "settings", worker_id=keys.worker_id, detail=CHECKLIST_DETAIL)


# -- a new study coach -------------------------------------------------------------------


def change_coach(
    store: Store,
    keys: Keys,
    student_id: str,
    data: JsonObject,
    expected_version: int,
    task: tuple[str, JsonObject] | None,
) -> DirectoryRow:
    """Save the directory with the new coach and add ``task`` (kind, payload) to the file.

    One transaction: a conflict (someone saved the student since
    ``expected_version`` was read) leaves neither. The task is encrypted
    under the student key when the caller is involved, else sealed to the
    student's public key (readable by those involved, as any appended entry).
    """
    now = clock.now()
    with store.session() as s:
        result = s.execute(
            update(Student)
            .where(Student.id == student_id, Student.version == expected_version)
            .values(
                directory=_seal_directory(keys, student_id, data), version=expected_version + 1,
                updated_at=now, updated_by=keys.worker_id,
            )
        )
        if guard.rowcount(result) != 1:
            raise _conflict(s, student_id)
        audit.append(s, keys, "change", worker_id=keys.worker_id, student_id=student_id, detail="coachwissel")
        row = s.get(Student, student_id)
        if row is None:
            raise UnknownStudent(f"students/{student_id}")
        s.refresh(row)
        if task is not None:
            kind, payload = task
            files.write_entries(s, keys, row, [(files.new_entry_id(), kind, payload)], detail=" (coachwissel)")
        return DirectoryRow(
            row.id, row.version, row.status, row.contact_worker_id, row.created_at, row.updated_at, dict(data),
        )


def log_bulk_change(store: Store, keys: Keys, changed: int, failed: int) -> None:
    """One line for the whole coachwissel (each student has its own line too)."""
    with store.session() as s:
        audit.append(
            s, keys, "change", worker_id=keys.worker_id,
            detail=f"coachwissel: {changed} gewijzigd, {failed} niet gelukt",
        )
