"""The dossier of one student: a header that always shows, seven tabs below.

Opened with Enter on a student the worker is involved with. The file is
read and folded in a thread worker (logged as 'open'); after a save the
screen re-reads it without a second 'open' and shows every tab again.

Built for a file with hundreds of talks (benchmarks/bench_dossier.py):
the lists are ``LineTable``s, line-based scroll views that draw only the
rows in view from plain tuples (no widget per talk, no per-cell measuring
as a DataTable does), and a tab's pane is mounted when it is first shown
(Textual's TabbedContent alone cost more than the whole first frame).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget

from jongerenteam import dossier as d
from jongerenteam.catalogue import CLOSE_REASONS, COACH_ROLES, CONTACT_PREFERENCES, LEVEL_LABELS, STATUSES
from jongerenteam.dates import clock_time, local_today
from jongerenteam.domain import RETENTION_REGIMES, age_on, days_until_18
from jongerenteam.errors import NotInvolved
from jongerenteam.rights import DEFAULT_REGIME
from screens.background import failure_of, run_in_thread
from screens.dialogs import Dense
from screens.dossier.agreements import AgreementsPane
from screens.dossier.base import DossierDialog, DossierPane
from screens.dossier.consent import ConsentPane
from screens.dossier.involved import InvolvedPane
from screens.dossier.log import LogPane
from screens.dossier.overview import OverviewPane
from screens.dossier.scores import ScoresPane
from screens.dossier.talks import TalkModal, TalksPane
from screens.drafts import involved_record
from screens.interfaces import Command, team_app
from screens.messages import DossierChanged, StoreChanged
from screens.text import Static
from screens.widgets import CHOICE_HINT, KeyChoice, SteadyFooter

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.rights.retention import ClosingTerms
    from jongerenteam.session import TeamSession

TEXT = {
    "loading": "Dossier wordt geladen…",
    "load_failed": "Het dossier kon niet worden geladen: {reason} F5: opnieuw proberen.",
    "not_involved": "Je bent niet meer betrokken bij deze student; het dossier is gesloten.",
    "updated_by": "Bijgewerkt door {name} om {at}: het dossier is opnieuw ingelezen.",
    "age": "{age} jaar",
    "turns_18": "wordt 18 over {days} {unit}",
    "no_birth": "geboortedatum onbekend",
    "year": "leerjaar {year}",
    "contact": "Contactpersoon: {name}",
    "coach": "Studiecoach: {name}",
    "no_coach": "Studiecoach: nog niet bekend",
    "preference": "Contactvoorkeur: {how}",
    "no_preference": "Contactvoorkeur: niet vastgelegd",
    "status": "Status: {status}",
    "consent_problem": "⚠ toestemming: zie tabblad 5",
    "meldcode_open": "meldcode loopt (m)",
    "status_title": "Status van het dossier: {name}",
    "status_hint": (
        "Kies met 1-5 of de pijltjes. Bij 'afgesloten' ook de reden en hoe lang het dossier bewaard blijft. "
        "ctrl+s of Enter: opslaan · Esc: terug"
    ),
    "status_saved": "Status gewijzigd: {status}.",
    "reason_needed": "Kies hoe het dossier is afgesloten.",
    "kept_until": "Het dossier wordt bewaard tot {date} ({years} jaar na het afsluiten).",
}

GC_HOLD_AT_MOST = 1.0  # seconds: the garbage collector runs again by then, whatever happened

PANES: dict[int, type[DossierPane]] = {
    1: OverviewPane, 2: TalksPane, 3: AgreementsPane,
    4: ScoresPane, 5: ConsentPane, 6: InvolvedPane, 7: LogPane,
}

# Palette commands of the tabs: (title, Dutch help, tab number, action on that tab's pane).
PANE_COMMANDS: list[tuple[str, str, int, str]] = [
    ("dossier: werkafspraak toevoegen", "Wie doet wat, uiterlijk wanneer", 3, "add"),
    ("dossier: leefdomeinscore toevoegen", "Een score van 1 tot 5 op een leefdomein (tabblad 4, a)", 4, "add"),
    ("dossier: toestemming vastleggen", "Met wie, waarover, waarvoor, door wie gegeven (tabblad 5, a)", 5, "add"),
    ("dossier: toestemming intrekken", "De gekozen toestemming geldt niet meer vanaf vandaag (tabblad 5, i)", 5, "withdraw"),
    ("dossier: toestemming verlengen", "Een nieuwe einddatum voor de gekozen toestemming (tabblad 5, v)", 5, "extend"),
    ("dossier: contactpersoon wijzigen", "Een collega wordt contactpersoon en kan het dossier lezen (tabblad 6, p)", 6, "contact"),
    ("dossier: collega betrekken", "Een collega uit het team kan het dossier daarna lezen (tabblad 6, a)", 6, "add_colleague"),
    ("dossier: collega van het dossier halen", "De gekozen collega kan het dossier daarna niet meer lezen (tabblad 6, x)", 6,
     "remove_colleague"),
    ("dossier: studiecoach wijzigen", "Naam en rol van de SLB'er, LOB'er, mentor of studiecoach (tabblad 6, c)", 6, "coach"),
    ("dossier: externe betrokkene toevoegen",
     "Een professional van buiten school, van de sociale kaart of zelf getypt (tabblad 6, e)", 6, "add_external"),
    ("dossier: externe betrokkene beëindigen", "De gekozen externe betrokkene is niet meer betrokken (tabblad 6, b)", 6, "end_external"),
]
TAB_COMMANDS = ("overzicht", "gesprekken", "afspraken", "leefdomeinen", "toestemming", "betrokkenen", "logboek")


# -- the header ---------------------------------------------------------------------


def header_text(session: TeamSession, record: StudentRecord, today: date, dossier: d.Dossier | None = None) -> Text:
    det = record.details
    first: list[Text | str] = [Text(det.display_name, style="bold")]
    if det.birth_date:
        age = TEXT["age"].format(age=age_on(det.birth_date, today))
        left = days_until_18(det.birth_date, today)
        if left is not None:
            age += " · " + TEXT["turns_18"].format(days=left, unit="dag" if left == 1 else "dagen")
        first.append(age)
    else:
        first.append(TEXT["no_birth"])
    study = [p for p in (det.programme, LEVEL_LABELS.get(det.level, det.level)) if p]
    if det.year:
        study.append(TEXT["year"].format(year=det.year))
    if study:
        first.append(", ".join(study))
    coach_name = f"{det.coach_name} ({COACH_ROLES.get(det.coach_role, det.coach_role)})" if det.coach_role else det.coach_name
    coach = TEXT["coach"].format(name=coach_name) if det.coach_name else TEXT["no_coach"]
    if det.contact_preference:
        how = CONTACT_PREFERENCES.get(det.contact_preference, det.contact_preference)
        preference = TEXT["preference"].format(how=f"{how} {det.contact_value}".strip())
    else:
        preference = TEXT["no_preference"]
    status = STATUSES.get(record.status, record.status)
    if record.status == "afgesloten" and det.closed_reason:
        status = f"{status} ({CLOSE_REASONS.get(det.closed_reason, det.closed_reason)})"
    second = [TEXT["contact"].format(name=session.contact_name(record)), coach, preference]
    line1 = Text(" · ").join(Text(p) if isinstance(p, str) else p for p in first)
    line2 = Text(" · ").join([Text(TEXT["status"].format(status=status), style="bold")] + [Text(p) for p in second])
    if session.meldcode.known_open(record.id):  # only a member of the trajectory knows of it
        line2.append_text(Text(" · "))
        line2.append_text(Text(TEXT["meldcode_open"], style="bold red"))
    if dossier is not None and record.status not in ("afgesloten", "overgedragen") and any(
        w.kind in CONSENT_PROBLEMS for w in dossier.consent_warnings(det.birth_date, today)
    ):
        line2.append_text(Text(" · "))
        line2.append_text(Text(TEXT["consent_problem"], style="bold yellow"))
    return Text("\n").join([line1, line2])


def meldcode_header(session: TeamSession) -> None:
    """In the reading thread: which trajectories this worker may know of (the header asks
    ``known_open``, which never reads the store on the UI thread)."""
    try:
        session.meldcode.mine()
    except Exception:  # noqa: BLE001 - the file still opens; the meldcode screen says what failed
        return


def meldcode_commands(screen: DossierScreen) -> list[Command]:
    """The palette's 'meldcode: ...' commands from the dossier (screens/meldcode.py)."""
    from screens.meldcode import open_existing, start

    session, record = screen.session, screen.record
    return [
        ("meldcode: starten", "Signalen van huiselijk geweld of kindermishandeling: de vijf stappen (m)",
         lambda: start(screen, session, record, screen._after_other_screen)),
        ("meldcode: openen", "De meldcode van deze student, als je hem mag lezen (m)",
         lambda: open_existing(screen, session, record, screen._after_other_screen)),
    ]


# Consent warnings that mean: nothing (or not everything) may be shared yet (jongerenteam.consent).
CONSENT_PROBLEMS = frozenset({"missing", "partner", "giver", "external", "expired"})


class DossierHeader(Static):
    """Name, age, study, contact person, coach, contact preference, status."""

    def show(self, session: TeamSession, record: StudentRecord, dossier: d.Dossier | None = None) -> None:
        self.update(header_text(session, record, local_today(), dossier))


class TabBar(Widget):
    """The tab titles, the active one marked; a click picks one (keys 1-7 do too).

    On a narrow terminal the titles take two lines rather than being cut off.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"tabbar--active"}

    active: reactive[int] = reactive(1, layout=True)

    class Chosen(Message):
        def __init__(self, tab: int) -> None:
            super().__init__()
            self.tab = tab

    def _lines(self, width: int) -> list[list[tuple[int, str]]]:
        """The tabs packed into lines of ``width`` cells: (number, label) per tab."""
        lines: list[list[tuple[int, str]]] = [[]]
        used = 0
        for n, pane in PANES.items():
            label = f" {n} {pane.TAB_TITLE} "
            if lines[-1] and used + len(label) > width:
                lines.append([])
                used = 0
            lines[-1].append((n, label))
            used += len(label) + 1
        return lines

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return len(self._lines(width or 80))

    def render(self) -> Text:
        active = self.get_component_rich_style("tabbar--active")
        text = Text(no_wrap=True, overflow="crop")
        for i, line in enumerate(self._lines(self.content_size.width or 80)):
            if i:
                text.append("\n")
            for n, label in line:
                text.append(label, style=active if n == self.active else "")
                text.append(" ")
        return text

    def on_click(self, event: events.Click) -> None:
        lines = self._lines(self.content_size.width or 80)
        if not 0 <= event.y < len(lines):
            return
        x = event.x - 1  # the padding
        for n, label in lines[event.y]:
            if 0 <= x < len(label):
                self.post_message(self.Chosen(n))
                return
            x -= len(label) + 1


# -- the status (s) -------------------------------------------------------------------------------


class StatusModal(Dense, DossierDialog):
    """Change the file's status; 'afgesloten' asks how it ended and which retention term
    applies (proposed from what the file holds), and says until when the file is kept."""

    HINT = TEXT["status_hint"]
    FIELD_IDS: ClassVar[dict[str, str]] = {
        "status": "f-status", "closed_reason": "f-closed_reason", "retention": "f-retention",
    }
    REOPEN_AFTER_LOCK = False

    def __init__(self, session: TeamSession, record: StudentRecord, *, regime: str = DEFAULT_REGIME) -> None:
        super().__init__(session, record)
        self.regime = regime
        self.terms: ClosingTerms | None = None  # loaded in a thread: until when, per regime

    def title_text(self) -> str:
        return TEXT["status_title"].format(name=self.record.details.display_name)

    def fields(self) -> ComposeResult:
        record = self.record
        yield from self.row("Status", KeyChoice(STATUSES, value=record.status, grid=True, advance=False,
                                                hint=CHOICE_HINT, id="f-status"))
        yield from self.row("Reden", KeyChoice(CLOSE_REASONS, value=record.details.closed_reason, grid=True,
                                               advance=False, hint=CHOICE_HINT, id="f-closed_reason"))
        yield from self.row("Bewaren", KeyChoice(RETENTION_REGIMES, value=self.regime, advance=False,
                                                 hint=CHOICE_HINT, id="f-retention"))
        yield Static("", id="f-kept-until", classes="field-hint")

    def prefill(self) -> None:
        self._closing_shown(self.record.status == "afgesloten")
        session, record = self.session, self.record
        run_in_thread(self, "dossier-load", lambda: session.rights.closing_terms(record), done=self._terms_loaded,
                      failed=lambda f: self.say(f.text))

    def _terms_loaded(self, terms: ClosingTerms) -> None:
        self.terms = terms
        self._show_until()

    def _closing_shown(self, shown: bool) -> None:
        for widget_id in ("#row-closed_reason", "#row-retention", "#f-kept-until"):
            self.query_one(widget_id).display = shown

    def _show_until(self) -> None:
        regime = self.query_one("#f-retention", KeyChoice).value or self.regime
        text = ""
        if self.terms is not None and isinstance(regime, str) and regime:
            until = self.terms.kept_until(regime, local_today())
            text = TEXT["kept_until"].format(date=f"{until:%d-%m-%Y}", years=self.terms.years.get(regime, 0))
        self.query_one("#f-kept-until", Static).update(text)

    def first_focus(self) -> None:
        self.query_one("#f-status").focus()

    def draft(self) -> dict[str, Any] | None:
        return None  # three choices: nothing typed to lose

    @on(KeyChoice.Changed, "#f-status")
    def status_changed(self, event: KeyChoice.Changed) -> None:
        self._closing_shown(event.value == "afgesloten")
        self.show_error("closed_reason", "")

    @on(KeyChoice.Changed, "#f-retention")
    def retention_changed(self, _event: KeyChoice.Changed) -> None:
        self._show_until()

    def choice_done(self, choice: KeyChoice) -> None:
        if choice.id == "f-status" and choice.value == "afgesloten":
            self.query_one("#f-closed_reason").focus()
        elif choice.id == "f-closed_reason" and choice.value:
            self.query_one("#f-retention").focus()
        else:
            self.action_save()

    def prepare(self) -> Any:
        status = self.query_one("#f-status", KeyChoice).value or self.record.status
        closing = status == "afgesloten"
        reason = self.query_one("#f-closed_reason", KeyChoice).value if closing else ""
        regime = self.query_one("#f-retention", KeyChoice).value if closing else ""
        if closing and not reason:
            self.show_error("closed_reason", TEXT["reason_needed"])
            return None
        session, record = self.session, self.record
        self.new_status: str = status
        self.until_text = str(self.query_one("#f-kept-until", Static).content) if closing else ""
        return lambda: session.dossier.set_status(record, status, reason or "", str(regime or ""))

    def saved_text(self, result: Any) -> str:
        said = TEXT["status_saved"].format(status=STATUSES.get(self.new_status, self.new_status))
        return f"{said} {self.until_text}" if self.until_text else said


# -- the screen ------------------------------------------------------------------------------


class DossierScreen(Screen[None]):
    """The dossier of one student, for a worker involved with that student."""

    HELP_TITLE = "Het dossier"
    HELP = (
        "Alles over één student: overzicht, gesprekken, werkafspraken, scores, toestemming, betrokkenen en "
        "logboek, elk op een tabblad (1-7). Vanuit hier houd je het driegesprek, maak je het "
        "afsprakenoverzicht voor de student, zet je de status of begin je een warme overdracht."
    )

    # Focus the list of the tab it opens on (its first focusable widget) when the screen
    # shows, in one go: every focus change makes the Footer rebuild its keys (tens of ms).
    AUTO_FOCUS = "#dossier-body *"
    BINDINGS: ClassVar[list[BindingType]] = [
        # The tab bar shows the digits 1-7; the Footer keeps its width for the rest. The help
        # (F1) lists these by the tab's own title.
        *(Binding(str(n), f"tab({n})", f"Tabblad {pane.TAB_TITLE}", show=False) for n, pane in PANES.items()),
        Binding("d", "driegesprek", "Driegesprek"),
        Binding("u", "overview", "Afsprakenoverzicht"),
        Binding("s", "status", "Status"),
        Binding("w", "handover", "Overdracht"),
        Binding("8", "checklist", "18+-lijst"),
        Binding("r", "rights", "Rechten"),
        Binding("m", "meldcode", "Meldcode"),
        # Last: where the footer has no room for all, Esc (the same on every screen) goes first.
        Binding("escape", "back", "Terug"),
        Binding("f5", "reload", "Opnieuw laden", show=False),
    ]

    def __init__(self, session: TeamSession, record: StudentRecord, *, tab: int = 1) -> None:
        super().__init__()
        self.session = session
        self.record = record
        self.active_tab = tab if tab in PANES else 1
        self.dossier: d.Dossier | None = None
        self.built = False  # mounted: the panes can show the file
        self.early: d.Dossier | None = None  # read before the screen was mounted
        # An entry just added by a dialog: its list highlights it after the re-read.
        self.select_after: str | None = None
        self._after_paint = False
        self._gc_held = False

    @property
    def student_id(self) -> str:
        return self.record.id

    def compose(self) -> ComposeResult:
        self._hold_gc()
        # Start reading now: the file is read and decrypted while the screen is built.
        self.load(True)
        yield DossierHeader(id="dossier-header")
        yield Static(TEXT["loading"], id="dossier-loading", classes="hint")
        yield TabBar(id="dossier-tabbar")
        # Only the first tab's pane now; the others are mounted when first shown.
        with Container(id="dossier-body"):
            yield self._new_pane(self.active_tab)
        yield SteadyFooter(compact=True)

    def _new_pane(self, n: int) -> DossierPane:
        return PANES[n](self.session, self.record, id=f"pane-{n}")

    def on_mount(self) -> None:
        self.query_one(TabBar).active = self.active_tab
        self.query_one(DossierHeader).show(self.session, self.record)
        # The file first, then the keys: building the footer holds the UI
        # thread for tens of ms, which the reading thread needs (one GIL).
        self.query_one(SteadyFooter).hold(at_most=0.5)
        self.built = True
        self.set_timer(GC_HOLD_AT_MOST, self._resume_gc)
        if self.early is not None:
            self.loaded(self.early)

    # -- reading -----------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="dossier-load")
    def load(self, log: bool) -> None:
        app = self.app
        try:
            dossier = self.session.dossier.open_dossier(self.record.id, log=log)
        except NotInvolved:
            # Taken off this file meanwhile (by a colleague, or by themselves): nothing stale stays.
            self.session.directory.refresh([self.record.id])
            app.call_from_thread(self.no_longer_involved)
            return
        except Exception as exc:  # noqa: BLE001 - one Dutch sentence, never a traceback
            app.call_from_thread(self.load_failed, failure_of(exc).text)
            return
        meldcode_header(self.session)
        app.call_from_thread(self.loaded, dossier)

    def _still_ours(self) -> bool:
        # A lock may come while the file is read: then nothing may appear.
        return self.is_attached and team_app(self).session is self.session and not self.session.is_locked

    def loaded(self, dossier: d.Dossier) -> None:
        if not self._still_ours():
            return
        if not self.built:
            self.early = dossier
            return
        self.early = None
        self.dossier = dossier
        self.record = self.session.students.get(self.record.id, self.record)
        self.query_one(DossierHeader).show(self.session, self.record, dossier)
        self.query_one("#dossier-loading").display = False
        for pane in self.query(DossierPane):
            pane.show(dossier, self.record, select=self.select_after)
        self.select_after = None
        self._after_paint = True  # the keys and the garbage collector wait for the frame with the file

    # -- what waits until the file is on screen ------------------------------------

    def _compositor_refresh(self) -> None:
        super()._compositor_refresh()
        if self._after_paint and self is self.app.screen:
            self._after_paint = False
            self._resume_gc()
            self.query_one(SteadyFooter).release()

    def _hold_gc(self) -> None:
        """No full garbage collection while the file is read and shown.

        Opening allocates a lot (the folded file, the widgets); that regularly
        set off a full collection of the whole heap in the middle of it, 140-220
        ms here (benchmarks/bench_dossier.py, a third of the pushes). It runs
        once the file is painted instead; at most GC_HOLD_AT_MOST seconds later.
        """
        if gc.isenabled():
            gc.disable()
            self._gc_held = True

    def _resume_gc(self) -> None:
        if self._gc_held:
            self._gc_held = False
            gc.enable()

    def on_unmount(self) -> None:
        self._resume_gc()

    def no_longer_involved(self) -> None:
        if not self._still_ours():
            return
        self.notify(TEXT["not_involved"], severity="warning")
        if self.app.screen is self:
            self.dismiss(None)
        else:
            self.app.pop_screen()  # a dialog over it: the dossier goes with it below
            self.call_after_refresh(lambda: self.dismiss(None) if self.is_attached else None)

    def load_failed(self, text: str) -> None:
        if not self._still_ours() or not self.built:
            if self._still_ours():
                self.call_after_refresh(self.load_failed, text)
            return
        self.query_one("#dossier-loading", Static).update(TEXT["load_failed"].format(reason=text))
        self._resume_gc()
        self.query_one(SteadyFooter).release()
        self.notify(text, severity="error")

    def reload(self) -> None:
        """Re-read after a change this worker made (already logged)."""
        self.load(False)

    def on_dossier_changed(self, message: DossierChanged) -> None:
        message.stop()
        if message.student_id not in (None, self.record.id):
            return
        if message.select is not None:
            self.select_after = message.select
        self.reload()

    def on_store_changed(self, message: StoreChanged) -> None:
        """A colleague (another window, another laptop) changed this student: say so, read again."""
        changes = message.changes
        by = changes.by(self.record.id)
        if by is None and not changes.everything:
            return
        if by is not None and by[0] == self.session.worker_id and not changes.everything:
            return  # this window's own change: already re-read
        if by is not None:
            self.notify(TEXT["updated_by"].format(name=self.session.worker_name(by[0]), at=clock_time(by[1])), timeout=8)
        self.reload()

    def action_reload(self) -> None:
        """F5: read the file again (logged: the worker asked to see it anew)."""
        self.query_one("#dossier-loading", Static).update(TEXT["loading"])
        self.query_one("#dossier-loading").display = True
        self.load(True)

    # -- tabs ---------------------------------------------------------------------

    def pane(self, n: int) -> DossierPane | None:
        found = self.query(f"#pane-{n}").results(DossierPane)
        return next(iter(found), None)

    async def action_tab(self, n: int) -> None:
        if n not in PANES:
            return
        pane = self.pane(n)
        if pane is None:
            pane = self._new_pane(n)
            pane.display = False
            await self.query_one("#dossier-body").mount(pane)
            if self.dossier is not None:
                pane.show(self.dossier, self.record)
        for other in self.query_one("#dossier-body").children:
            other.display = other is pane
        self.active_tab = n
        self.query_one(TabBar).active = n
        pane.activated()
        self.focus_tab()

    def focus_tab(self) -> None:
        """Focus the active pane's list, so its keys are in the footer."""
        pane = self.pane(self.active_tab)
        if pane is None:
            return
        pane.focus_main()
        if self.focused is None or pane not in self.focused.ancestors_with_self:
            first = next((w for w in pane.walk_children(Widget) if w.focusable), None)
            if first is not None:
                first.focus()

    @on(TabBar.Chosen)
    async def tab_clicked(self, event: TabBar.Chosen) -> None:
        await self.action_tab(event.tab)

    # -- screen-wide actions ---------------------------------------------------------

    def add_talk(self) -> None:
        self.app.push_screen(TalkModal(self.session, self.record, dossier=self.dossier))

    def action_back(self) -> None:
        self.dismiss(None)

    def _after_other_screen(self, _result: object = None) -> None:
        if self._still_ours():
            self.reload()

    def action_driegesprek(self) -> None:
        from screens.driegesprek import DriegesprekScreen

        self.app.push_screen(DriegesprekScreen(self.session, self.record), self._after_other_screen)

    def action_overview(self) -> None:
        from screens.overview import OverviewModal

        self.app.push_screen(OverviewModal(self.session, self.record), self._after_other_screen)

    def action_status(self) -> None:
        regime = self.session.rights.suggest_regime(self.record, self.dossier)
        self.app.push_screen(StatusModal(self.session, self.record, regime=regime))

    def action_handover(self) -> None:
        from screens.handover import start_handover

        start_handover(self.app, self.record.id)

    def action_checklist(self) -> None:
        from screens.eighteen import ChecklistScreen

        self.app.push_screen(ChecklistScreen(self.record.id), self._after_other_screen)

    def action_meldcode(self) -> None:
        """m: the student's meldcode trajectory (for a member), or the form to start one."""
        from screens.meldcode import open_existing

        open_existing(self, self.session, self.record, self._after_other_screen, or_start=True)

    def action_rights(self) -> None:
        from screens.rights import RightsMenu, leave_erased

        student_id = self.record.id

        def closed(result: str | None) -> None:
            if result == "erased":
                leave_erased(self.app, student_id)
            else:
                self._after_other_screen()

        self.app.push_screen(RightsMenu(self.session, student_id), closed)

    # -- lock and the command palette -----------------------------------------------

    def resume_state(self) -> dict[str, Any] | None:
        return {"student": self.record.id, "tab": self.active_tab}

    def draft(self) -> dict[str, Any] | None:
        return None  # the dossier itself holds no typed text; its dialogs do

    @classmethod
    def resume(cls, session: TeamSession, state: dict[str, Any]) -> DossierScreen | None:
        """After the same worker unlocks: the dossier again (read and logged anew), if still involved."""
        record = involved_record(session, state)
        if record is None:
            return None
        return cls(session, record, tab=int(state.get("tab") or 1))

    def palette_commands(self) -> list[Command]:
        """'dossier: ...' commands for the palette (screens/app.py offers them)."""
        def tab(n: int) -> Callable[[], object]:
            return lambda: self.run_action(f"tab({n})")

        def in_pane(n: int, action: str) -> Callable[[], object]:
            async def run() -> None:
                await self.action_tab(n)
                pane = self.pane(n)
                if pane is not None:
                    await pane.run_action(action)
            return run

        return [
            ("dossier: gesprek toevoegen", "Een gesprek met type, datum, duur en verslag", self.add_talk),
            *((title, help_text, in_pane(n, action)) for title, help_text, n, action in PANE_COMMANDS[:1]),
            ("dossier: driegesprek", "Student, studiecoach en hulpverlener (d)", self.action_driegesprek),
            ("dossier: afsprakenoverzicht", "De afspraken voor de student (u)", self.action_overview),
            ("dossier: status wijzigen", "Aangemeld, lopend, overgedragen of afgesloten (s)", self.action_status),
            ("dossier: rechten van de student", "Inzage, correctie, wissen, bewaartermijn (r)", self.action_rights),
            *meldcode_commands(self),
            *((f"dossier: {name}", f"Tabblad {n}", tab(n)) for n, name in enumerate(TAB_COMMANDS, start=1)),
            *((title, help_text, in_pane(n, action)) for title, help_text, n, action in PANE_COMMANDS[1:]),
        ]
