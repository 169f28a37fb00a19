"""Tab 2 Gesprekken: the timeline of talks and other entries, and the dialogs of a talk.

``TalkModal`` adds a talk, ``NoteModal`` edits its note (the old text stays
as history; a colleague who saved first is merged in, never overwritten),
``TalkDetailModal`` shows it in full.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from jongerenteam import dossier as d
from jongerenteam.dates import local_now, local_today, parse_past_date, parse_time
from jongerenteam.domain import ValidationError
from jongerenteam.errors import Conflict
from screens import forms
from screens.background import Failure
from screens.dialogs import Dense, InfoDialog
from screens.dossier.base import DossierDialog, ListPane, day_text, first_line, history_text, who_text, worker_name
from screens.drafts import involved_record
from screens.messages import dossier_changed
from screens.text import Input, Static, TextArea
from screens.widgets import CHOICE_HINT, KeyChoice, LineTable

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.session import TeamSession

# The column titles; every other word is in TEXT.
COLUMNS = ("Datum en tijd", "Soort", "Door", "Duur", "Verslag")

TEXT = {
    "title": "Gesprekken",
    "empty": "Nog geen gesprekken. Druk op a om er een toe te voegen.",
    "not_editable": "Alleen het verslag van een gesprek kan worden bewerkt, niet een {label}.",
    "nothing_chosen": "Kies eerst een regel in de lijst.",
    "minutes": "{n} min",
    "dialog_keys": "Tab: volgend veld · ctrl+s: opslaan · Esc: terug",
    "talk_title": "Gesprek toevoegen: {name}",
    "talk_saved": "Gesprek opgeslagen.",
    "type_needed": "Kies het soort gesprek.",
    "minutes_bad": "Duur is een aantal minuten, bijvoorbeeld 45.",
    "note_title": "Verslag bewerken: {label} van {at}",
    "note_hint": "De vorige versie blijft bewaard in de geschiedenis. ctrl+s: opslaan · Esc: terug",
    "note_saved": "Verslag opgeslagen; de vorige versie staat in de geschiedenis.",
    "note_same": "Er is niets veranderd; niets opgeslagen.",
    "note_loading": "Het gesprek wordt opgehaald…",
    "note_gone": "Dit gesprek bestaat niet meer in het dossier.",
    "conflict_merged": (
        "Gewijzigd door {by} om {at}: de tekst van je collega staat nu in het veld, die van jou eronder. Maak er "
        "één tekst van, haal de regel '{mark}' weg en druk op ctrl+s."
    ),
    "detail_title": "{label} van {at:%d-%m-%Y}",
    "by": "Vastgelegd door {name}",
    "participants": "Deelnemers: {names}",
    "duration": "Duur: {n} {unit}",
    "note": "Verslag",
    "story": "Verhaal van de student",
    "concerns": "Zorgen van school",
    "question": "Hulpvraag",
    "agreements_made": "Werkafspraken in dit gesprek",
    "next_made": "Volgende afspraak",
    "due": " · uiterlijk {day}",
    "empty_part": "(leeg)",
}


# -- the tab ------------------------------------------------------------------------------------


class TalksPane(ListPane):
    """Tab 2: the timeline of talks and other entries, newest first."""

    TAB_TITLE = TEXT["title"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Toevoegen"),
        Binding("e", "edit", "Verslag bewerken"),
        # Not in the Footer (no room); named in the correction dialog and the guide.
        Binding("c", "correction", "Correctieverzoek over dit gesprek", show=False),
    ]
    COLUMNS: ClassVar[list[tuple[str, int | None]]] = list(zip(COLUMNS, (16, 22, 4, 7, None), strict=True))
    EMPTY = TEXT["empty"]
    TABLE_ID = "talks"

    def fill(self) -> None:
        super().fill()
        names = {wid: w.initials for wid, w in self.session.workers.items()}
        minutes = TEXT["minutes"]
        timeline = self.shown.timeline
        self.set_rows([t.id for t in timeline], [
            (
                f"{t.at:%d-%m-%Y %H:%M}",
                t.label,
                names.get(t.by, "?"),
                minutes.format(n=t.minutes) if t.minutes else "",
                first_line(t.note or t.payload.get("hulpvraag", ""), 120),
            )
            for t in timeline
        ])

    def current(self) -> d.TimelineItem | None:
        entry_id = self.current_id()
        return self.dossier.item(entry_id) if entry_id and self.dossier else None

    def action_add(self) -> None:
        self.app.push_screen(TalkModal(self.session, self.record, dossier=self.dossier), self.added)

    def action_edit(self) -> None:
        item = self.current()
        if item is None:
            self.notify(TEXT["nothing_chosen"])
            return
        self.edit(item)

    def action_correction(self) -> None:
        """A correction request (AVG) about the highlighted talk, however old."""
        from screens.rights import CorrectionDialog

        item = self.current()
        if item is None or not item.editable:
            self.notify(TEXT["nothing_chosen"] if item is None else TEXT["not_editable"].format(label=item.label))
            return
        self.app.push_screen(CorrectionDialog(self.session, self.record.id, talk_id=item.id))

    def edit(self, item: d.TimelineItem) -> None:
        if not item.editable:
            self.notify(TEXT["not_editable"].format(label=item.label))
            return
        self.app.push_screen(NoteModal(self.session, self.record, item))

    @on(LineTable.Selected)
    def details(self, event: LineTable.Selected) -> None:
        event.stop()
        item = self.current()
        if item is None:
            return

        def closed(choice: str | None) -> None:
            if choice == "edit":
                self.edit(item)

        self.app.push_screen(TalkDetailModal(self.session, self.shown, item), closed)


# -- one talk in full -----------------------------------------------------------------------------


def talk_detail(session: TeamSession, dossier: d.Dossier, item: d.TimelineItem) -> Text:
    p = item.payload
    text = Text()
    text.append(f"{item.at:%d-%m-%Y %H:%M} · {item.label}\n", style="bold")
    text.append(TEXT["by"].format(name=worker_name(session, item.by)) + "\n")
    if item.minutes:
        text.append(TEXT["duration"].format(n=item.minutes, unit=forms.plural(item.minutes, "minuut", "minuten")) + "\n")
    if item.participants:
        text.append(TEXT["participants"].format(names=", ".join(item.participants)) + "\n")
    text.append("\n")
    if item.is_driegesprek:
        for key, label in (("verhaal", "story"), ("zorgen", "concerns"), ("hulpvraag", "question")):
            text.append(TEXT[label] + "\n", style="bold")
            text.append((p.get(key) or TEXT["empty_part"]) + "\n\n")
        made = [a for a in (dossier.agreement(a_id) for a_id in p.get("werkafspraken", [])) if a is not None]
        if made:
            text.append(TEXT["agreements_made"] + "\n", style="bold")
            for a in made:
                when = TEXT["due"].format(day=day_text(a.due)) if a.due else ""
                text.append(f"- {who_text(session, a.who)}: {a.what}{when} ({d.AGREEMENT_STATUSES.get(a.status, a.status)})\n")
            text.append("\n")
        nxt = p.get("volgende")
        if nxt and nxt.get("datum"):
            text.append(TEXT["next_made"] + "\n", style="bold")
            text.append(f"{day_text(date.fromisoformat(nxt['datum']))} {nxt.get('tekst', '')}\n\n")
    else:
        text.append(TEXT["note"] + "\n", style="bold")
        text.append((item.note or p.get("hulpvraag") or TEXT["empty_part"]) + "\n\n")
    text.append_text(history_text(session, item.history))
    return text


class TalkDetailModal(InfoDialog):
    """One talk in full, with every earlier version of its note; e edits it."""

    FOOTER_LAST: ClassVar[tuple[str, ...]] = ()  # Esc first in the Footer here
    BINDINGS: ClassVar[list[BindingType]] = [Binding("e", "edit", "Verslag bewerken")]

    def __init__(self, session: TeamSession, dossier: d.Dossier, item: d.TimelineItem) -> None:
        super().__init__(TEXT["detail_title"].format(label=item.label, at=item.at), talk_detail(session, dossier, item))
        self.item = item

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "edit" and not self.item.editable)

    def action_edit(self) -> None:
        self.dismiss("edit")


# -- adding a talk ------------------------------------------------------------------------------------


class TalkModal(Dense, DossierDialog):
    """Add a talk: type, date and time, duration, participants, note."""

    DRAFT_LABEL = "een gesprek"
    HINT = TEXT["dialog_keys"]
    FIELD_IDS: ClassVar[dict[str, str]] = {"at": "f-date", "date": "f-date", "time": "f-time", "type": "f-type", "minutes": "f-minutes",
                 "participants": "f-participants", "note": "f-note"}
    # Typed text (not the type, date and time the form opens with) is what a draft keeps.
    TYPED = ("f-minutes", "f-participants", "f-note")

    def __init__(self, session: TeamSession, record: StudentRecord, *, restore: bool = False,
                 dossier: d.Dossier | None = None) -> None:
        super().__init__(session, record, restore=restore)
        # The file as the dossier shows it: its first talk starts as the intake.
        self.kind = dossier.suggested_talk_type() if dossier is not None else "vervolggesprek"

    def title_text(self) -> str:
        return TEXT["talk_title"].format(name=self.record.details.display_name)

    def fields(self) -> ComposeResult:
        now = local_now()
        yield from self.row("Soort", KeyChoice(d.TALK_TYPES, value=self.kind, grid=True, advance=False,
                                               hint=CHOICE_HINT, id="f-type"))
        yield from self.row("Datum", Input(f"{now:%d-%m-%Y}", id="f-date", placeholder="bijv. 3-4 of 3 apr 2026"))
        yield from self.row("Tijd", Input(f"{now:%H:%M}", id="f-time", placeholder="uu:mm"))
        yield from self.row("Duur (minuten)", Input(id="f-minutes", placeholder="bijv. 45"))
        yield from self.row("Deelnemers", Input(id="f-participants", placeholder="met komma's, bijv. student, moeder, SLB'er"))
        yield from self.row("Verslag", TextArea(id="f-note", soft_wrap=True, tab_behavior="focus"))

    def first_focus(self) -> None:
        self.query_one("#f-type").focus()

    def draft(self) -> dict[str, Any] | None:
        values = self.snapshot()
        typed = any(str(values.get(k) or "").strip() for k in self.TYPED)
        return {"fields": values} if typed else None

    def collect(self) -> d.NewTalk:
        v = self.snapshot()
        today = local_today()
        if not v["f-type"]:
            raise ValidationError("type", TEXT["type_needed"])
        day = parse_past_date(v["f-date"], today=today, field="date")
        clock = parse_time(v["f-time"], field="time")
        talk = d.NewTalk(
            type=v["f-type"], at=datetime.combine(day, clock),
            minutes=forms.minutes(v["f-minutes"], "minutes", TEXT["minutes_bad"]),
            participants=forms.parts(v["f-participants"]), note=v["f-note"],
        )
        talk.validate(today, self.record.details.birth_date)
        return talk

    def prepare(self) -> Any:
        talk = self.collect()
        self.ask_first(talk.concerns(local_today()))
        session, sid = self.session, self.record.id
        return lambda: session.dossier.add_talk(sid, talk)

    def saved_text(self, result: Any) -> str:
        return TEXT["talk_saved"]


# -- editing a note ---------------------------------------------------------------------------------------


class NoteModal(Dense, DossierDialog):
    """Edit a talk's note (a driegesprek: its three parts); the old text stays as history."""

    DRAFT_LABEL = "een gespreksverslag"
    HINT = TEXT["note_hint"]
    FIELD_IDS: ClassVar[dict[str, str]] = {"tekst": "f-tekst", "note": "f-tekst", "verhaal": "f-verhaal",
                                           "zorgen": "f-zorgen", "hulpvraag": "f-hulpvraag"}

    def __init__(self, session: TeamSession, record: StudentRecord, item: d.TimelineItem | None, *,
                 talk_id: str | None = None, driegesprek: bool = False, restore: bool = False) -> None:
        """``item`` None (after a lock): the talk ``talk_id`` is read in a thread."""
        super().__init__(session, record, restore=restore)
        self.item = item
        self.talk_id = item.id if item is not None else talk_id
        self.restored_draft: dict[str, Any] | None = None
        self.driegesprek = item.is_driegesprek if item is not None else driegesprek

    def parts(self) -> list[tuple[str, str]]:
        if self.driegesprek:
            return [("verhaal", TEXT["story"]), ("zorgen", TEXT["concerns"]), ("hulpvraag", TEXT["question"])]
        return [("tekst", TEXT["note"])]

    def title_text(self) -> str:
        if self.item is None:
            return TEXT["note_loading"]
        return TEXT["note_title"].format(label=self.item.label, at=f"{self.item.at:%d-%m-%Y}")

    def fields(self) -> ComposeResult:
        for key, label in self.parts():
            yield from self.row(label, TextArea(id=f"f-{key}", soft_wrap=True, tab_behavior="focus"))

    def area(self, key: str) -> TextArea:
        return self.query_one(f"#f-{key}", TextArea)

    def prefill(self) -> None:
        if self.item is not None:
            for key, _label in self.parts():
                self.area(key).text = self.item.payload.get(key, "") or ""

    def restore_draft(self, draft: dict[str, Any]) -> None:
        self.restored_draft = draft
        for key, text in draft.get("parts", {}).items():
            self.area(key).text = text

    def first_focus(self) -> None:
        if self.item is None:
            self.fetch()
        area = self.area(self.parts()[0][0])
        area.focus()
        area.move_cursor(area.document.end)

    def fetch(self, *, merge: bool = False) -> None:
        """Read the talk again (after a lock, or after a colleague saved first: ``merge``
        puts their text in each field with this worker's under it)."""
        talk_id = self.talk_id

        def done(dossier: d.Dossier) -> None:
            item = dossier.item(talk_id or "")
            if item is None:
                self.say(TEXT["note_gone"])
                return
            first_time = self.item is None
            self.item = item
            if merge:
                for key, _label in self.parts():
                    area = self.area(key)
                    theirs, mine = item.payload.get(key, "") or "", area.text
                    area.text = theirs if mine.strip() == theirs.strip() else f"{theirs}\n\n{d.MERGE_MARK}\n{mine}"
                return
            if first_time:
                self.query_one("#dialog-title", Static).update(Text(self.title_text()))
                if not self.restored_draft:  # nothing was typed before the lock: show the stored text
                    for key, _label in self.parts():
                        self.area(key).text = item.payload.get(key, "") or ""
                elif self.restored_draft.get("version") and self.restored_draft["version"] != item.version:
                    # Changed since the draft was made: saving must not silently overwrite it.
                    self.item = replace(item, version=self.restored_draft["version"])

        self.read_file_again(done)

    def texts(self) -> dict[str, str]:
        return {key: self.area(key).text for key, _ in self.parts()}

    def draft(self) -> dict[str, Any] | None:
        texts = self.texts()
        if self.item is not None and all(texts[k] == (self.item.payload.get(k, "") or "") for k in texts):
            return None
        if self.item is None and not any(t.strip() for t in texts.values()):
            return None
        return {"talk_id": self.talk_id, "version": self.item.version if self.item else None, "parts": texts}

    def resume_state(self) -> dict[str, Any] | None:
        return {"student": self.record.id, "talk": self.talk_id, "driegesprek": self.driegesprek}

    @classmethod
    def resume(cls, session: TeamSession, state: dict[str, Any]) -> NoteModal | None:
        record = involved_record(session, state)
        if record is None:
            return None
        return cls(session, record, None, talk_id=state.get("talk"), driegesprek=bool(state.get("driegesprek")), restore=True)

    def prepare(self) -> Any:
        if self.item is None:
            self.say(TEXT["note_loading"])
            return None
        texts = self.texts()
        # Still two versions after a conflict: said under the field at once (the use case refuses it too).
        d.refuse_unmerged(texts)
        changes = dict(texts)
        if self.driegesprek:
            changes["tekst"] = texts["hulpvraag"].strip() or texts["verhaal"].strip() or texts["zorgen"].strip()
        session, sid, item = self.session, self.record.id, self.item
        return lambda: session.dossier.edit_talk(sid, item, changes)

    def saved(self, result: Any) -> None:
        self.notify(TEXT["note_saved"] if result else TEXT["note_same"])
        if result:
            dossier_changed(self.app, self.record.id)
        self.dismiss(bool(result))

    def show_failure(self, failure: Failure) -> None:
        exc = failure.error
        if not isinstance(exc, Conflict):
            super().show_failure(failure)
            return
        # A colleague saved first: their text goes in the field, this worker's
        # under it, so the next ctrl+s can only keep both (or what the worker
        # deliberately made of them), never replace theirs unseen.
        self.fetch(merge=True)
        self.say(TEXT["conflict_merged"].format(by=exc.by_name, at=exc.at, mark=d.MERGE_MARK))

