"""The dossier's Leefdomeinen, Toestemming and Betrokkenen tabs and the
sociale kaart, driven through the real app with a Pilot on a real store.

The panes are shown in a small host screen (the same contract as the
dossier screen: show() after every change, a re-read on DossierChanged),
and once through the real dossier screen.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from jongerenteam import consent as cn
from jongerenteam import dossier as d
from jongerenteam.domain import StudentDetails
from jongerenteam.session import TeamSession
from jongerenteam.socialmap import MapEntry
from screens.dialogs import Confirm
from screens.dossier.consent import ConsentDialog, ConsentPane, ExtendDialog
from screens.dossier.involved import CoachDialog, ColleagueDialog, ExternalDialog, InvolvedPane
from screens.dossier.scores import ScoreDialog, ScoresPane
from screens.messages import DossierChanged
from screens.socialmap import MapEntryDialog, SocialMapScreen
from screens.widgets import KeyChoice
from storage.errors import NotInvolved
from tests.support import (
    NARROW,
    OTHER_PASS,
    SIZE,
    TODAY,
    WORKER_PASS,
    build_app,
    notifications,
    paste,
    screen_text,
    settle,
    text_of,
    unlock_as,
    wait_until,
)

BIRTH_15 = date(2011, 3, 1)  # 15 on TODAY: the student and the parents consent


def hanna(team_store) -> TeamSession:
    return TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)


def otto(team_store) -> TeamSession:
    return TeamSession.unlock(team_store.store, team_store.other_id, OTHER_PASS)


@pytest.fixture
def willem(team_store, fixed_clock) -> str:
    """A student of 15 whose contact person is Hanna."""
    s = hanna(team_store)
    rec = s.spreekuur.register_student(
        StudentDetails(first_name="Willem", last_name="Jansen", birth_date=BIRTH_15, programme="Sport", level="2"),
        status="lopend", today=TODAY,
    )
    s.lock()
    return rec.id


class PaneHost(Screen):
    """Hosts one pane the way the dossier screen does."""

    select_after: str | None = None  # as DossierScreen: an entry a dialog just added

    def __init__(self, session, student_id: str, pane_cls) -> None:
        super().__init__()
        self.session = session
        self.student_id = student_id
        self.pane_cls = pane_cls
        self.closed_because = ""

    def compose(self) -> ComposeResult:
        yield self.pane_cls(self.session, self.session.students[self.student_id], id="pane")
        yield Footer()

    def on_mount(self) -> None:
        self.load(log=True)

    def load(self, log: bool) -> None:
        session, student_id = self.session, self.student_id

        def read() -> None:
            try:
                dossier = session.dossier.open_dossier(student_id, log=log)
            except NotInvolved:
                self.app.call_from_thread(self.app.pop_screen)
                return
            self.app.call_from_thread(self.shown, dossier)

        self.run_worker(read, thread=True, exit_on_error=False)

    def shown(self, dossier) -> None:
        pane = self.query_one("#pane")
        pane.show(dossier, self.session.students[self.student_id])
        self.select_after = None
        if self.focused is None:
            self.query_one("#pane DataTable").focus()

    def on_dossier_changed(self, event: DossierChanged) -> None:
        self.load(log=False)


async def open_pane(app, pilot, team_store, student_id: str, pane_cls, who=("ha", WORKER_PASS)):
    await unlock_as(app, pilot, *who)
    app.push_screen(PaneHost(app.session, student_id, pane_cls))
    await settle(app, pilot)
    return app.screen.query_one("#pane")


def cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def error_of(app, widget_id: str) -> str:
    line = app.screen.query_one(f"#{widget_id}-error", Static)
    return str(line.render()) if line.display else ""


async def type_into(app, pilot, widget_id: str, text: str) -> None:
    """Replace what a field holds by typing (focus, select all, type)."""
    field = app.screen.query_one(f"#{widget_id}", Input)
    field.focus()
    await pilot.pause()
    field.value = ""
    await pilot.press(*text)


# -- Leefdomeinen ------------------------------------------------------------------------


async def test_scores_by_keyboard_show_in_table_and_chart(team_store, willem):
    """Two scores on Gezondheid and one on Wonen by keys: the table puts scored
    domains first with the latest score and a sparkline, the chart shows a bar
    per score with its date, the list every score; a future date is refused in
    Dutch and the typed reason stays."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        pane = await open_pane(app, pilot, team_store, willem, ScoresPane)
        table = pane.query_one("#scores-table", DataTable)
        assert len(cells(table)) == 9 and all(row[1] == "nog geen score" for row in cells(table))
        assert "nog geen score" in text_of(app, "#scores-chart")

        # a: the dialog starts on the domain (the highlighted one chosen); 9 = Gezondheid, 2 = score.
        await pilot.press("a")
        assert isinstance(app.screen, ScoreDialog)
        assert app.focused is app.screen.query_one("#score-domain", KeyChoice)
        await pilot.press("9", "2")
        assert app.screen.query_one("#score-domain", KeyChoice).value == "gezondheid"
        assert app.screen.query_one("#score-value", KeyChoice).value == "2"
        # The score's digit moves on to the reason (issue 20: typed on, it never lands in the date).
        assert app.focused is app.screen.query_one("#score-reason")
        await pilot.press(*"aanvallen thuis", "enter")
        assert app.focused is app.screen.query_one("#score-date")
        await type_into(app, pilot, "score-date", "1-12-2026")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        # In the future: refused under the date, everything typed stays.
        assert isinstance(app.screen, ScoreDialog)
        assert "toekomst" in error_of(app, "score-date")
        assert app.screen.query_one("#score-reason", Input).value == "aanvallen thuis"
        await type_into(app, pilot, "score-date", "23 sep 2026")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, ScoreDialog)

        # The second: the dialog starts on the highlighted domain (now Gezondheid, on top).
        await pilot.press("ctrl+home", "a")
        assert app.screen.query_one("#score-domain", KeyChoice).value == "gezondheid"
        await pilot.press("enter", "4", *"stabiel")  # Enter keeps the domain; then the reason
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("a", "7", "3", "ctrl+s")
        await settle(app, pilot)

        stored = hanna(team_store).dossier.open_dossier(willem)
        assert [(s.score, s.on, s.reason) for s in stored.scores["gezondheid"]] == [
            (2, date(2026, 9, 23), "aanvallen thuis"), (4, TODAY, "stabiel"),
        ]
        assert [(s.score, s.on) for s in stored.scores["wonen"]] == [(3, TODAY)]

        # Scored domains first (in the catalogue's order), then the other seven.
        rows = cells(table)
        assert [r[0] for r in rows[:3]] == ["Wonen", "Gezondheid", "Onderwijs"]
        assert rows[0][1:4] == ["3 beperkt zelfredzaam", "23-11-2026", "▄"]
        assert rows[1][1:5] == ["4 voldoende zelfredzaam", "23-11-2026", "▃▆", "stabiel"]
        await pilot.press("ctrl+home", "down")
        chart = text_of(app, "#scores-chart")
        assert chart.startswith("Gezondheid · 4 voldoende zelfredzaam (23-11-2026)")
        assert chart.count("███") == 2 + 2 + 1 + 1  # rows 1-2 have both bars, rows 3-4 one
        assert "23-09" in chart and "23-11" in chart
        history = text_of(app, "#scores-history")
        assert history.index("stabiel") < history.index("aanvallen thuis")
        # One score draws one bar.
        await pilot.press("up")
        assert text_of(app, "#scores-chart").count("███") == 3
        # Visible on the screen at this size.
        assert "Gezondheid" in screen_text(app) and "Score toevoegen" in screen_text(app)


# -- Toestemming -------------------------------------------------------------------------


def row_of(table: DataTable, text: str) -> int:
    return next(i for i, row in enumerate(cells(table)) if any(text in c for c in row))


async def move_to(pilot, table: DataTable, text: str) -> None:
    """Move the cursor to the row holding ``text`` by arrow keys."""
    await pilot.press("ctrl+home", *["down"] * row_of(table, text))


async def test_consent_warnings_then_add_withdraw_and_extend_by_keyboard(team_store, willem):
    """A 15-year-old with a consent from the student alone and one expiring in
    10 days: who must consent and both warnings show. A new consent is added
    by keys (stored with every part), the student-only one is withdrawn
    (greyed, last) and the expiring one extended: no warnings are left.
    At 80x24."""
    s = hanna(team_store)
    s.consent.add_consent(willem, cn.NewConsent(cn.ConsentWith("rol", "studentcoach"), ["onderwijs"], "verzuim afstemmen",
                                       "student", "mondeling", date(2026, 10, 1)))
    s.consent.add_consent(willem, cn.NewConsent(cn.ConsentWith("rol", "jeugdarts"), ["alles"], "medicatie",
                                       "beide", "schriftelijk", date(2026, 6, 1), TODAY + timedelta(days=10)))
    s.lock()
    app = build_app(team_store)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        pane = await open_pane(app, pilot, team_store, willem, ConsentPane)
        assert text_of(app, "#consent-needed") == (
            "Toestemming nodig van: de student én de ouder(s)/verzorger(s) (de student is 15 jaar)."
        )
        warnings = text_of(app, "#consent-warnings")
        assert "⚠ Toestemming voor jeugdarts verloopt over 10 dagen (03-12-2026)." in warnings
        assert ("⚠ Toestemming voor studentcoach van de student is er; die van ouder(s)/verzorger(s) nog niet."
                in warnings)
        screen = screen_text(app)
        assert "Toestemming nodig van" in screen and "verloopt over 10 dagen" in screen
        table = pane.query_one("#consent-table", DataTable)
        assert cells(table)[row_of(table, "jeugdarts")][0] == "verloopt over 10 dagen"
        # Not "geldig" beside the warning: it waits for the parents.
        assert cells(table)[row_of(table, "studentcoach")][0] == "wacht op ouder(s)/verzorger(s)"

        # a: add one by keys: 3 = professional, name, 9 = about Gezondheid, purpose, 2 = schriftelijk.
        await pilot.press("a")
        assert isinstance(app.screen, ConsentDialog)
        assert app.screen.query_one("#consent-given", KeyChoice).value == "beide"  # what age 15 needs
        await pilot.press("3")
        assert app.focused is app.screen.query_one("#consent-name")
        await paste(app, pilot, "dr. Smit")
        await pilot.press("tab", "9", "tab")
        assert "Nu: gezondheid." in text_of(app, "#consent-about-hint")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        # No purpose yet: a Dutch message under the field, the rest stays.
        assert "Vul het doel in" in error_of(app, "consent-purpose")
        assert app.focused is app.screen.query_one("#consent-purpose")
        assert app.screen.query_one("#consent-name", Input).value == "dr. Smit"
        await paste(app, pilot, "afstemmen medicatie")
        await pilot.press("tab", "tab", "2", "tab", *"1-6-2027", "ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConsentDialog)

        stored = hanna(team_store).dossier.open_dossier(willem)
        smit = next(c for c in stored.consents if c.with_.name == "dr. Smit")
        assert (smit.with_.kind, smit.about, smit.purpose, smit.given_by, smit.how, smit.on, smit.valid_until) == (
            "professional", ["gezondheid"], "afstemmen medicatie", "beide", "schriftelijk", TODAY, date(2027, 6, 1)
        )
        assert "professional: dr. Smit" in cells(table)[0][1]
        # The new consent is highlighted, so i or v act on it, not on an older one.
        assert table.cursor_row == 0 and "dr. Smit" in text_of(app, "#consent-detail")

        # i: withdraw the student-only consent (j confirms): nothing else allows sharing with the coach.
        await move_to(pilot, table, "studentcoach")
        await pilot.press("i")
        assert isinstance(app.screen, Confirm)
        assert app.screen.question.endswith("Er mag dan niets meer met studentcoach gedeeld worden.")
        await pilot.press("j")
        await settle(app, pilot)
        coach = next(c for c in hanna(team_store).dossier.open_dossier(willem).consents if c.with_.name == "studentcoach")
        assert coach.withdrawn_on == TODAY
        last = table.get_row_at(table.row_count - 1)
        assert str(last[0]) == "ingetrokken" and "studentcoach" in str(last[1]) and last[1].style == "dim"
        assert "studentcoach" not in text_of(app, "#consent-warnings")

        # v: extend the expiring one.
        await move_to(pilot, table, "jeugdarts")
        await pilot.press("v")
        assert isinstance(app.screen, ExtendDialog)
        assert app.screen.query_one("#extend-until", Input).value == "03-12-2026"
        await type_into(app, pilot, "extend-until", "1-9-2027")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        doctor = next(c for c in hanna(team_store).dossier.open_dossier(willem).consents if c.with_.name == "jeugdarts")
        assert doctor.valid_until == date(2027, 9, 1)
        assert "rol jeugdarts · over alles · doel: medicatie" in text_of(app, "#consent-detail")
        assert "geldig tot 01-09-2027" in text_of(app, "#consent-detail")
        assert text_of(app, "#consent-warnings").startswith("✓ Geen waarschuwingen")
        assert "Toestemming voor jeugdarts geldt nu tot 01-09-2027." in [n.message for n in app._notifications]


# -- Betrokkenen -------------------------------------------------------------------------


def can_read(team_store, student_id: str) -> bool:
    """Can Otto (in a fresh session) decrypt the file?"""
    try:
        otto(team_store).dossier.open_dossier(student_id, log=False)
    except NotInvolved:
        return False
    return True


async def test_betrokkenen_colleague_coach_and_external_by_keyboard(team_store, willem):
    """Removing the contact person is refused in Dutch; adding Otto lets him
    read the file, removing him takes that away again; the study coach is
    set; an external professional is picked from the sociale kaart and ended."""
    s = hanna(team_store)
    map_id = s.social_map.add(MapEntry("professional", "Karin de Wit", "begeleider pleegzorg", "Pleegzorg Midden",
                                      ["netwerk"], "06-11112222", "k.dewit@example.org"))
    s.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        pane = await open_pane(app, pilot, team_store, willem, InvolvedPane)
        workers = pane.query_one("#involved-workers", DataTable)
        assert cells(workers) == [["Hanna Hulpverlener (jij)", "HH", "contactpersoon"]]
        assert "Nog geen studiecoach" in text_of(app, "#involved-coach")

        # x on the contact person: refused, with the reason, and no question first.
        await pilot.press("x")
        assert not isinstance(app.screen, Confirm)
        assert "is de contactpersoon en kan niet van het dossier af" in text_of(app, "#involved-message")

        # a: Otto, by typing part of his name.
        assert not can_read(team_store, willem)
        await pilot.press("a")
        assert isinstance(app.screen, ColleagueDialog)
        await pilot.press(*"ott", "enter")
        await settle(app, pilot)
        assert can_read(team_store, willem)
        assert cells(workers)[1] == ["Otto Collega", "OC", "betrokken"]
        assert "Otto Collega is nu betrokken en kan het dossier lezen." in [n.message for n in app._notifications]

        # x on Otto, j: he can no longer read it.
        await pilot.press("ctrl+home", "down", "x")
        assert isinstance(app.screen, Confirm)
        await pilot.press("j")
        await settle(app, pilot)
        assert not can_read(team_store, willem)
        assert [row[0] for row in cells(workers)] == ["Hanna Hulpverlener (jij)"]

        # c: the study coach.
        await pilot.press("c")
        assert isinstance(app.screen, CoachDialog)
        await paste(app, pilot, "Mevr. Bos")
        await pilot.press("tab", "1", "ctrl+s")
        await settle(app, pilot)
        details = hanna(team_store).students[willem].details
        assert (details.coach_name, details.coach_role) == ("Mevr. Bos", "slb")
        assert text_of(app, "#involved-coach") == "Mevr. Bos · SLB'er"
        # A new coach (the old one leaves): the contact person gets a task to introduce them.
        await pilot.press("c")
        assert isinstance(app.screen, CoachDialog)
        app.screen.query_one("#coach-name", Input).value = ""
        await paste(app, pilot, "Dhr. Yilmaz")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert any("De contactpersoon heeft een taak" in n.message for n in app._notifications)
        tasks = [a.what for a in hanna(team_store).dossier.open_dossier(willem).agreements if a.status == "open"]
        assert "Stel de nieuwe studiecoach Dhr. Yilmaz voor aan de student" in tasks

        # e: Karin from the kaart (→ takes the suggestion, Enter fills the rest), then b to end it.
        await pilot.press("e")
        assert isinstance(app.screen, ExternalDialog)
        await settle(app, pilot)  # the kaart is read in a thread
        await pilot.press(*"kar", "right")
        assert app.screen.query_one("#external-name", Input).value == "Karin de Wit"
        assert "Op de sociale kaart: Karin de Wit · begeleider pleegzorg · Pleegzorg Midden" in text_of(
            app, "#external-name-hint")
        await pilot.press("enter")
        assert app.screen.query_one("#external-role", Input).value == "begeleider pleegzorg"
        assert app.screen.query_one("#external-contact", Input).value == "06-11112222 · k.dewit@example.org"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        external = hanna(team_store).dossier.open_dossier(willem).externals[0]
        assert (external.name, external.role, external.organisation, external.map_id, external.until) == (
            "Karin de Wit", "begeleider pleegzorg", "Pleegzorg Midden", map_id, None)
        externals = pane.query_one("#involved-externals", DataTable)
        assert cells(externals)[0][:3] == ["Karin de Wit", "begeleider pleegzorg", "Pleegzorg Midden"]
        externals.focus()
        await pilot.press("b", "j")
        await settle(app, pilot)
        assert hanna(team_store).dossier.open_dossier(willem).externals[0].until == TODAY
        assert cells(externals)[0][5] == "23-11-2026" and externals.get_row_at(0)[0].style == "dim"

        # p: Otto becomes the contact person; he can read the file from then on.
        workers.focus()
        await pilot.press("p")
        assert isinstance(app.screen, ColleagueDialog)
        assert "Nieuwe contactpersoon kiezen" in str(app.screen.query_one(".title", Static).render())
        await pilot.press(*"ott", "enter")
        await settle(app, pilot)
        assert app.session.students[willem].contact_worker_id == team_store.other_id
        assert can_read(team_store, willem)
        assert ["Otto Collega", "OC", "contactpersoon"] in cells(workers)


# -- the sociale kaart --------------------------------------------------------------------


async def test_social_map_add_edit_filter_conflict_and_remove(team_store, fixed_clock):
    """An empty kaart lists the professional roles; adding with a bad phone
    number shows the Dutch error and keeps every field; the fixed entry is
    stored and found by the filter; a colleague's edit in between gives the
    Dutch conflict message with the text kept; x removes it. At 80x24."""
    app = build_app(team_store)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        app.push_screen(SocialMapScreen(app.session))
        await settle(app, pilot)
        info = text_of(app, "#map-info")
        assert info.startswith("De sociale kaart is nog leeg.") and "budgetcoach" in info and "Veilig Thuis" in info

        await pilot.press("a")
        assert isinstance(app.screen, MapEntryDialog)
        await pilot.press("2")  # professional; on to the name
        await paste(app, pilot, "Sanne Smit")
        await pilot.press("tab", *"budg", "right")  # the role from the field's types
        assert app.screen.query_one("#map-role", Input).value == "budgetcoach"
        await pilot.press("tab")
        await paste(app, pilot, "Geldzaken Utrecht")
        await pilot.press("tab", "5", "tab", *"12345", "tab")
        await paste(app, pilot, "s.smit@example.org")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MapEntryDialog)
        assert error_of(app, "map-phone") == "Dit lijkt geen telefoonnummer; gebruik bijvoorbeeld 06-12345678."
        assert app.focused is app.screen.query_one("#map-phone")
        kept = {k: app.screen.query_one(f"#map-{k}", Input).value for k in ("name", "role", "organisation", "phone", "email")}
        assert kept == {"name": "Sanne Smit", "role": "budgetcoach", "organisation": "Geldzaken Utrecht",
                        "phone": "12345", "email": "s.smit@example.org"}
        assert app.screen.query_one("#map-domains", KeyChoice).value == ["inkomen"]
        await type_into(app, pilot, "map-phone", "030-1234567")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, SocialMapScreen)
        [item] = hanna(team_store).social_map.entries()
        assert (item.entry.kind, item.entry.name, item.entry.role, item.entry.leefdomeinen, item.entry.phone) == (
            "professional", "Sanne Smit", "budgetcoach", ["inkomen"], "030-1234567")
        table = app.screen.query_one("#map-table", DataTable)
        assert cells(table)[0][:5] == ["Sanne Smit", "professional", "budgetcoach", "Geldzaken Utrecht", "Inkomen / schulden"]
        # The highlighted entry in full below the table (the columns cut at 80 wide).
        await pilot.pause()
        detail = str(app.screen.query_one("#map-detail", Static).render())
        assert "Sanne Smit · professional · budgetcoach · Geldzaken Utrecht" in detail and "030-1234567" in detail

        # / filters on any part, accents and case aside; Esc back to the list.
        await pilot.press("slash", *"inkomen")
        assert table.row_count == 1
        await pilot.press(*" xyz")
        assert table.row_count == 0 and text_of(app, "#map-info").startswith("Niets gevonden")
        await pilot.press("ctrl+u", "escape")
        assert app.focused is table and table.row_count == 1

        # e: change the phone; a colleague saved in between: the Dutch conflict message, the text stays.
        await pilot.press("e")
        assert app.screen.query_one("#map-name", Input).value == "Sanne Smit"
        other = otto(team_store)
        [theirs] = other.social_map.entries()
        other.social_map.update(theirs, MapEntry("professional", "Sanne Smit", "budgetcoach", "Geldzaken Utrecht",
                                                ["inkomen"], "030-7654321"))
        await type_into(app, pilot, "map-phone", "06-98765432")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MapEntryDialog)
        message = text_of(app, "#fd-message")
        assert message.startswith("Gewijzigd door Otto Collega om ") and "zodat die van je collega blijft staan" in message
        assert app.screen.query_one("#map-phone", Input).value == "06-98765432"
        await pilot.press("escape", "j")  # typed text: asked first
        await settle(app, pilot)
        assert isinstance(app.screen, SocialMapScreen)
        assert cells(table)[0][5] == "030-7654321"  # the list now shows the colleague's version
        await pilot.press("e")
        await type_into(app, pilot, "map-phone", "06-98765432")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert hanna(team_store).social_map.entries()[0].entry.phone == "06-98765432"
        assert cells(table)[0][5] == "06-98765432"

        # x: removed after j.
        await pilot.press("x")
        assert isinstance(app.screen, Confirm)
        await pilot.press("j")
        await settle(app, pilot)
        assert hanna(team_store).social_map.entries() == []
        assert table.row_count == 0


async def test_a_paste_too_long_for_a_field_is_refused_with_a_dutch_notice_never_silently(team_store):
    """The kaart's note takes what the domain allows (a 600-character note, once cut off at 500); a
    paste past a field's limit is refused whole with a notice saying how much fits, the field unchanged;
    a key typed into a full field says so once."""
    from jongerenteam.text import LIMITS

    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        app.push_screen(SocialMapScreen(app.session))
        await settle(app, pilot)
        await pilot.press("a")
        assert isinstance(app.screen, MapEntryDialog)
        await pilot.press("2")  # professional; on to the name
        await paste(app, pilot, "Sanne Smit")
        note = app.screen.query_one("#map-note", Input)
        note.focus()
        await pilot.pause()
        long_note = ("Bereikbaar op maandag en dinsdag. " * 18).strip()  # 611 characters
        await paste(app, pilot, long_note)
        assert note.value == long_note
        assert notifications(app) == []
        # Past the domain's limit: refused whole, with the numbers.
        await paste(app, pilot, "x" * (LIMITS["note"] - len(note.value) + 1))
        assert note.value == long_note
        assert notifications(app) == [
            "Niet geplakt: hier passen hoogstens 20.000 tekens, met de geplakte tekst zouden het er 20.001 zijn. "
            "Maak de tekst korter en plak opnieuw."
        ]
        # A phone number field holds 20: a 21-character paste is refused; typing into a full field says so once.
        phone = app.screen.query_one("#map-phone", Input)
        phone.focus()
        await pilot.pause()
        await paste(app, pilot, "0" * 21)
        assert phone.value == ""
        assert notifications(app)[-1].startswith(
            "Niet geplakt: hier passen hoogstens 20 tekens, met de geplakte tekst zouden het er 21 zijn.")
        await paste(app, pilot, "06-12345678 / 030-12")
        assert phone.value == "06-12345678 / 030-12"
        await pilot.press("3", "4")
        assert phone.value == "06-12345678 / 030-12"
        assert notifications(app)[-1] == "Dit veld is vol: hier passen hoogstens 20 tekens."
        assert notifications(app).count("Dit veld is vol: hier passen hoogstens 20 tekens.") == 1
        await pilot.press("backspace", "3")
        assert phone.value == "06-12345678 / 030-13"
        phone.value = "06-12345678"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, SocialMapScreen), screen_text(app)
        [item] = hanna(team_store).social_map.entries()
        assert item.entry.note == long_note


# -- through the real dossier screen -----------------------------------------------------------


async def test_tabs_4_5_6_in_the_dossier_and_leaving_it_yourself(team_store, willem):
    """Otto, involved but not the contact person, opens Willem's dossier with
    Enter at 80x24: 4, 5 and 6 show the three tabs with their keys in the
    footer; taking himself off the file (x, j) closes the dossier and he can
    no longer read it."""
    from screens.dossier import DossierScreen
    from screens.home import HomeScreen
    from tests.support import open_row

    s = hanna(team_store)
    s.dossier.add_score(willem, d.NewScore("gezondheid", 2, TODAY, "aanvallen"))
    s.consent.add_consent(willem, cn.NewConsent(cn.ConsentWith("rol", "studentcoach"), ["alles"], "verzuim", "beide",
                                       "mondeling", TODAY))
    s.dossier.involve(willem, team_store.other_id)
    s.lock()
    app = build_app(team_store)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await unlock_as(app, pilot, "ot", OTHER_PASS)
        await open_row(app, pilot, "willem")
        assert isinstance(app.screen, DossierScreen)

        await pilot.press("4")
        await settle(app, pilot)
        scores = app.screen.query_one(ScoresPane)
        await wait_until(pilot, lambda: app.focused is scores.query_one("#scores-table"))
        await pilot.pause()
        shown = screen_text(app)
        assert "Willem" in shown and "Gezondheid" in shown and "2 niet zelfredzaam" in shown
        assert "Score toevoegen" in shown

        await pilot.press("5")
        await settle(app, pilot)
        await wait_until(pilot, lambda: app.focused is app.screen.query_one("#consent-table"))
        await pilot.pause()
        shown = screen_text(app)
        assert "Toestemming nodig van: de student én de ouder(s)/verzorger(s)" in shown
        assert "Geen waarschuwingen" in shown and "Intrekken" in shown

        await pilot.press("6")
        await settle(app, pilot)
        involved = app.screen.query_one(InvolvedPane)
        workers = involved.query_one("#involved-workers", DataTable)
        await wait_until(pilot, lambda: app.focused is workers and workers.row_count == 2)
        await pilot.pause()
        assert cells(workers) == [["Hanna Hulpverlener", "HH", "contactpersoon"],
                                  ["Otto Collega (jij)", "OC", "betrokken"]]
        assert "Collega erbij" in screen_text(app)

        await pilot.press("down", "x")
        assert isinstance(app.screen, Confirm)
        assert "Jezelf van dit dossier halen?" in str(app.screen.query_one(Static).render())
        await pilot.press("j")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert not any(isinstance(x, DossierScreen) for x in app.screen_stack)
        assert "Je bent niet meer betrokken bij dit dossier; het wordt gesloten." in [n.message for n in app._notifications]
        assert not can_read(team_store, willem)
        assert not app.session.is_involved(willem)


async def test_a_half_typed_consent_survives_a_lock(team_store, willem):
    """A consent being typed in the dossier (tab 5) when the laptop locks is
    back, with its text, after the same worker unlocks; saving it then shows
    it in the register of the rebuilt dossier."""
    from screens.dossier import DossierScreen
    from tests.support import open_row

    app = build_app(team_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await open_row(app, pilot, "willem")
        await pilot.press("5")
        await wait_until(pilot, lambda: app.focused is app.screen.query_one("#consent-table"))
        await pilot.press("a", "3")
        await paste(app, pilot, "dr. Smit")
        await pilot.press("tab", "9", "tab")
        await paste(app, pilot, "afstemmen medicatie")
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert app.session is None
        assert not any(isinstance(x, ConsentDialog) for x in app.screen_stack)

        await unlock_as(app, pilot, "ha", WORKER_PASS)
        assert isinstance(app.screen, ConsentDialog)
        assert isinstance(app.screen_stack[-2], DossierScreen)
        dialog = app.screen
        assert dialog.query_one("#consent-name", Input).value == "dr. Smit"
        assert dialog.query_one("#consent-kind", KeyChoice).value == "professional"
        assert dialog.query_one("#consent-about", KeyChoice).value == ["gezondheid"]
        assert dialog.query_one("#consent-purpose", Input).value == "afstemmen medicatie"
        assert "Nu: gezondheid." in text_of(app, "#consent-about-hint")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DossierScreen)
        table = app.screen.query_one("#consent-table", DataTable)
        assert [str(c) for c in table.get_row_at(0)][1:4] == ["professional: dr. Smit", "gezondheid", "afstemmen medicatie"]
        [stored] = hanna(team_store).dossier.open_dossier(willem).consents
        assert (stored.with_.name, stored.about, stored.given_by) == ("dr. Smit", ["gezondheid"], "beide")


async def test_a_consent_value_wider_than_its_column_ends_in_an_ellipsis(team_store, willem):
    """A long purpose is cut with "…" in the Toestemming table, and the table fits the pane: no column
    is cut off at the edge without a sign (issue 23)."""
    s = hanna(team_store)
    purpose = "afstemmen over verzuim en de stage bij de zorginstelling in Zwolle"
    s.consent.add_consent(willem, cn.NewConsent(cn.ConsentWith("rol", "studentcoach"), ["onderwijs"], purpose,
                                                "beide", "mondeling", TODAY))
    s.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_pane(app, pilot, team_store, willem, ConsentPane)
        table = pane.query_one("#consent-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 1)
        shown = "".join(seg.text for seg in table.render_line(1))  # the first row under the header
        assert "afstemmen over" in shown and "Zwolle" not in shown
        assert "…" in shown
        # Every column is on screen: the last one is not cut off at the edge without a sign.
        header = "".join(seg.text for seg in table.render_line(0))
        assert header.rstrip().endswith("Geldig tot") and "–" in shown
