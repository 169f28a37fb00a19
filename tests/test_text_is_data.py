"""Text is data: names and notes are shown as typed, never as markup, never as terminal codes.

Three layers: the rule itself (``storage.documents.clean_text`` on input,
``jongerenteam.text.visible`` on display) as properties; the screens' text
widgets, checked in the source (only ``screens/text.py`` may use Textual's);
and the real app through Pilot, with a store full of names made of markup,
control characters, right-to-left and combining scripts, emoji and very long
strings (students, their programme and coach, a colleague, a sociale kaart
entry), opening every main screen and the feature screens: the sociale
kaart, the dossier's driegesprek, afsprakenoverzicht, 18+, rechten and
overdracht, the caseload, and as coördinator the report, Team beheren and
the coachwissel.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jongerenteam import spreekuur as intake
from jongerenteam.dates import local_today
from jongerenteam.domain import StudentDetails, ValidationError
from jongerenteam.dossier import NewAgreement, NewTalk, Who
from jongerenteam.session import TeamSession
from jongerenteam.socialmap import MapEntry
from jongerenteam.text import LIMITS, clean_line, visible
from screens.dossier import DossierScreen
from screens.handover import CaseloadScreen
from screens.home import HomeScreen
from screens.text import DataTable as SafeTable
from screens.text import cell
from storage.documents import clean_text
from tests.support import (
    COORDINATOR_PASS,
    OTHER_PASS,
    WORKER_PASS,
    build_app,
    copy_team,
    notifications,
    paste,
    screen_text,
    settle,
    unlock_as,
    wait_until,
    widget_text,
)

SCREENS = Path(__file__).resolve().parent.parent / "screens"
SIZE = (120, 36)

# What must never reach a terminal: C0 (but newline), DEL, C1, escape, bidi overrides.
ACTING = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# The tester's names from the issue, and more of the same kind.
NASTY = [
    "Kim[/]",
    "[@click=app.quit]Klik[/]",
    "[bold red]Rood[/]",
    "Sam [Sammy]",
    "Bel\x07la",
    "Esc\x1b[31mRood\x1b[0m",
    "محمد العلي",
    "Thị Ánh",
    "Zoë 😊",
    "e\u0301cole",
    "\u202eKimberly",
    "$name [b]x",
    "x" * 300,
]


# -- the rule -----------------------------------------------------------------------------------


@given(st.text())
def test_cleaned_input_holds_no_control_character(text):
    """Whatever is typed or pasted, what is kept has no character that acts on a terminal (newlines aside)."""
    for multiline in (True, False):
        cleaned = clean_text(text, multiline=multiline)
        assert not ACTING.search(cleaned)
        assert "\x1b" not in cleaned
        if not multiline:
            assert "\n" not in cleaned
        assert clean_text(cleaned, multiline=multiline) == cleaned  # the rule is stable


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"),
    blacklist_characters="\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")))
def test_cleaning_keeps_every_letter(text):
    """Letters of any script, combining marks, emoji and markup characters stay as typed (in NFC)."""
    assert clean_text(text) == unicodedata.normalize("NFC", text)


@given(st.text())
def test_visible_text_never_acts_and_keeps_its_length(text):
    """Display: every control character becomes a visible symbol, one for one (styles keep their place)."""
    shown = visible(text)
    assert len(shown) == len(text)
    assert not ACTING.search(shown) and "\n" not in shown


def test_escape_sequences_are_removed_whole():
    """A colour code pasted from a terminal leaves no '[31m' behind; a bell and a form feed go too."""
    assert clean_line("Esc\x1b[31mRood\x1b[0m") == "EscRood"
    assert clean_line("a\x07b\x0cc") == "ab c"
    assert clean_text("titel\x1b]0;hack\x07na") == "titelna"


def test_a_table_cell_keeps_its_whole_value_but_never_widens_a_column_past_the_cap():
    """A 300-character name stays whole in the cell (for the search, the tests) but measures at most the cap."""
    from rich.console import Console

    from screens.text import MAX_CELL

    c = cell("x" * 300)
    assert str(c) == "x" * 300
    assert Console().measure(c).maximum == MAX_CELL


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="ab \n\r\t\u2028\u3000漢字é\u0301\x00\x1b[]"), st.integers()))
@example("x" * 300)
@example("twee\nregels")
def test_a_cells_width_is_measured_as_textual_measures_it(value):
    """The table measures its one-line cells itself (``cell_width``, for speed): the same
    width as Textual's ``measure`` gives, for any value, the cap included."""
    from rich.console import Console
    from textual.render import measure

    from screens.text import CellText, cell_width

    c = cell(value)
    assert type(c) is CellText
    assert cell_width(c) == measure(Console(width=200), c, 1)


async def test_a_table_measures_its_columns_as_textual_does():
    """Our table measures one-line cells itself and leaves the other rows (a label, a wrapped
    cell, automatic height) to Textual: every column as wide as Textual's own table makes it."""
    from textual.app import App
    from textual.widgets import DataTable as TextualTable

    from screens.text import wrapped_cell

    class Host(App[None]):
        def compose(self):
            yield SafeTable(id="ours")
            yield TextualTable(id="theirs")

    rows = [
        ("10:30", "Sam", "HB", None, 1),
        ("", "漢字 Yılmaz-Ünal", "e\u0301e\u0301", None, 1),  # wide and combining characters
        ("10:31", "Maria", "Maria Johanna Theodora van den Broek-Al Hashimi", None, 1),  # the cap
        ("11:00", "", wrapped_cell("een lange notitie " * 8), None, None),  # left to Textual
        ("12:00", "Bo", "[red]niet rood[/red]", "label 1", 1),
    ]
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        ours, theirs = app.query_one("#ours", SafeTable), app.query_one("#theirs", TextualTable)
        for table in (ours, theirs):
            table.add_column("Tijd")
            table.add_column("Naam", width=None)
            table.add_column("Door")
        for *values, label, height in rows:
            ours.add_row(*values, height=height, label=label)
            theirs.add_row(*(cell(v) for v in values), height=height, label=cell(label) if label else None)
        await pilot.pause()
        assert [c.content_width for c in ours.ordered_columns] == [c.content_width for c in theirs.ordered_columns]
        assert ours._label_column.content_width == theirs._label_column.content_width > 0


async def test_a_table_forgets_the_widths_of_earlier_rows_when_it_is_cleared():
    """One long value widens its auto-width column (to the cap); after clear() and short rows it is narrow again."""
    from textual.app import App

    class Host(App[None]):
        def compose(self):
            yield SafeTable(id="t")

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one("#t", SafeTable)
        table.add_columns("Tijd", "Naam", "Door")
        short = ("10:30", "Sam", "HB")

        def widths() -> list[int]:
            return [c.get_render_width(table) for c in table.ordered_columns]

        table.add_row(*short)
        await pilot.pause()
        before = widths()
        table.add_row("10:31", "Maria Johanna Theodora van den Broek-Al Hashimi" * 3, "x" * 300)
        await pilot.pause()
        wide = widths()
        assert wide[1] > before[1] and wide[2] > before[2]
        table.clear()
        table.add_row(*short)
        await pilot.pause()
        assert widths() == before
        table.clear()
        await pilot.pause()
        assert widths() == [len(label) + 2 for label in ("Tijd", "Naam", "Door")]  # only the labels left


# -- the widgets ----------------------------------------------------------------------------------

# Textual widgets that show text: screens take them from screens/text.py, which never parses markup.
TEXT_WIDGETS = {"Static", "Label", "DataTable", "OptionList", "Option", "Input", "TextArea",
                "Select", "SelectionList", "Tree", "RichLog", "Log", "Markdown", "ListView", "Pretty", "Digits"}


def screen_modules() -> list[Path]:
    return sorted(p for p in SCREENS.rglob("*.py") if p.name != "text.py")


@pytest.mark.parametrize("path", screen_modules(), ids=lambda p: str(p.relative_to(SCREENS)))
def test_screens_take_their_text_widgets_from_the_one_safe_place(path):
    """No screen imports a text widget from Textual, switches markup on or parses markup from a string."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("textual.widgets"):
            bad = {a.name for a in node.names} & TEXT_WIDGETS
            if bad:
                problems.append(f"line {node.lineno}: {sorted(bad)} from {node.module}")
        if isinstance(node, ast.keyword) and node.arg == "markup" and not (
            isinstance(node.value, ast.Constant) and node.value.value is False
        ):
            problems.append(f"line {node.value.lineno}: markup= other than False")
        if isinstance(node, ast.Attribute) and node.attr == "from_markup":
            problems.append(f"line {node.lineno}: from_markup")
    assert problems == []


def test_every_render_method_of_the_screens_returns_text_not_a_markup_string():
    """A widget's render() returning a str is parsed as markup: the screens' own widgets return Text."""
    problems = []
    for path in screen_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == "render":
                returns = ast.unparse(node.returns) if node.returns else ""
                if returns in ("str", "'str'"):
                    problems.append(f"{path.name}:{node.lineno}")
    assert problems == []


# -- the real app -----------------------------------------------------------------------------------


def names_strategy():
    pieces = st.sampled_from([
        "[/]", "[b]", "[@click=app.quit]", "[bold red]", "]", "[", "\\[", "$var", "\x07", "\x1b[31m", "\x0c",
        "\x00", "\x9b", "\u202e", "محمد", "דוד", "e\u0301", "Thị", "😊", "👩\u200d👩\u200d👧", "Ω", "ß", "ij",
    ])
    letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÄÖÜéè", min_size=1, max_size=8)
    name = st.lists(st.one_of(pieces, letters), min_size=1, max_size=6).map("".join)
    return st.lists(name, min_size=3, max_size=4)


def usable(raw: str) -> str:
    """A generated name as the app keeps it: cleaned, at most a name's length, never empty."""
    name = clean_line(raw)[: LIMITS["name"]].strip()
    return name or "Naam"


def fill(fx, names: list[str]) -> list[str]:
    """Students with these names on every list of Hanna's Vandaag; returns their ids."""
    today = local_today()
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    ids = []
    for i, raw in enumerate(names):
        first = usable(raw)
        # Turning 18 within the radar's six months, a programme and a coach that are data too.
        born = today - timedelta(days=18 * 365 - 60 - i)
        details = StudentDetails(first_name=first, last_name=usable(names[-1 - i]), birth_date=born, programme=usable(raw)[:40],
                                 coach_name=usable(names[-1 - i]), coach_role="slb")
        rec = hanna.spreekuur.register_walk_in(details, intake.WalkIn(hulpvraag=f"verhaal {raw}", leefdomeinen=["wonen"]), today=today)
        # A second walk-in on the same day (the "Bedoel je …?" path): two rows in the queue.
        hanna.spreekuur.register_walk_in(details, intake.WalkIn(hulpvraag="nog een keer"), existing=rec, today=today)
        hanna.dossier.add_agreement(rec.id, NewAgreement(who=Who("anders", usable(raw)), what=f"bellen {usable(raw)}", due=today))
        hanna.dossier.add_talk(rec.id, NewTalk(type="vervolggesprek", at=datetime.now(), note=f"notitie {raw}"))
        ids.append(rec.id)
    hanna.lock()
    return ids


# A new colleague's passphrase: every three characters of it hold a digit or
# start with a space, so no generated name (stripped, without digits) is in it.
COLLEAGUE_PASS = "Qx7 Zw9 Vk3 Jp8 Mf2 Lr5"


def fill_team(fx, names: list[str]) -> tuple[str, MapEntry]:
    """A colleague (of Cora's) and a sociale kaart entry (of Hanna's) named as generated,
    and Hanna's reachability; returns the colleague's name and the entry as saved."""
    from jongerenteam.settings import kdf_params
    from jongerenteam.team import WORKER, WorkerDetails

    cora = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    # A worker's name is held to a name's length, like a student's.
    worker_id = cora.team.add_worker(
        WorkerDetails(usable(names[1]), "ZZ", WORKER, "jeugdhulp"), COLLEAGUE_PASS, kdf_params())
    worker_name = cora.workers[worker_id].full_name
    cora.lock()
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    raw = names[2]
    hanna.social_map.add(MapEntry("organisatie", usable(raw), usable(names[0]), usable(names[1]), ["wonen"],
                                  note=f"notitie {raw}\nregel 2"))
    [item] = hanna.social_map.entries()
    hanna.team.set_my_contact(f"bel {usable(raw)}")
    hanna.lock()
    return worker_name, item.entry


def shown_as_typed(text: str, value: str) -> bool:
    """The start of ``value`` is on the screen literally (tables cut long values with '…')."""
    start = value[:6].strip()
    return start in text


def assert_inert(text: str) -> None:
    """Nothing on the screen would act on the terminal."""
    assert not ACTING.search(text), repr(ACTING.search(text).group())


@pytest.fixture
def fresh_team(team_template, tmp_path_factory):
    """A factory: a new copy of the template store for each generated example."""
    made = []

    def make():
        fx = copy_team(team_template, tmp_path_factory.mktemp("nasty") / "team.jt")
        made.append(fx)
        return fx

    yield make
    for fx in made:
        fx.store.close()


# The hand-picked names in two groups, each a test of its own (so the two
# xdist workers share them), then names Hypothesis makes up.
@pytest.mark.parametrize("names", [NASTY[:7], NASTY[7:]], ids=["nasty-1", "nasty-2"])
async def test_every_main_screen_shows_the_nasty_names_as_typed(fresh_team, names):
    """Every screen shows each hand-picked name literally and never crashes (every_main_screen_shows)."""
    await every_main_screen_shows(fresh_team, names)


@settings(max_examples=2, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(names=names_strategy())
async def test_every_main_screen_shows_generated_names_as_typed(fresh_team, names):
    """Every screen shows any generated name literally and never crashes (every_main_screen_shows)."""
    await every_main_screen_shows(fresh_team, names)


async def every_main_screen_shows(fresh_team, names) -> None:
    """Every screen shows any name literally and never crashes: the lock screen, Vandaag, search,
    the dossier's tabs and dialogs, the sociale kaart, the caseload, the not-involved card,
    "Bedoel je", and the coördinator's report, Team beheren and coachwissel."""
    fx = fresh_team()
    ids = fill(fx, names)
    worker_name, entry = fill_team(fx, names)
    firsts = [usable(n) for n in names]
    app = build_app(fx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        text = screen_text(app)  # the lock screen lists the team
        assert_inert(text)
        assert shown_as_typed(text, visible(worker_name)), worker_name
        await unlock_as(app, pilot, "Hanna Hulpverlener", WORKER_PASS)
        assert isinstance(app.screen, HomeScreen)
        home = app.screen
        text = screen_text(app)
        assert_inert(text)
        for first in firsts:
            assert shown_as_typed(text, visible(first)), first
        # Two same-day walk-ins of one student: both in the queue, Vandaag still filled.
        queue = home.query_one("#queue", SafeTable)
        assert queue.row_count == 2 * len(names)
        assert home.query_one("#caseload", SafeTable).row_count == len(names)
        assert home.query_one("#turning", SafeTable).row_count == len(names)

        # Search: every name finds its row; the columns stay where they were.
        for first in firsts:
            query = first[:10]
            home.query_one("#search").value = query
            await pilot.pause()
            assert_inert(screen_text(app))
            table = home.query_one("#students", SafeTable)
            assert any(str(table.get_row_at(r)[0]).startswith(first[:6]) for r in range(table.row_count)) or not query.strip()
            assert len(table.ordered_columns) == 7
            assert sum(c.get_render_width(table) for c in table.ordered_columns) <= SIZE[0]
        home.query_one("#search").value = ""
        await pilot.pause()

        # Each dossier, every tab.
        for sid in ids:
            record = app.session.students[sid]
            app.push_screen(DossierScreen(app.session, record))
            await settle(app, pilot)
            for tab in range(1, 8):
                await pilot.press(str(tab))
                await settle(app, pilot)
                assert isinstance(app.screen, DossierScreen)
                assert_inert(screen_text(app))
            await pilot.press("1")
            await settle(app, pilot)
            assert shown_as_typed(screen_text(app), visible(record.details.first_name))
            app.pop_screen()
            await settle(app, pilot)

        await dossier_dialogs_show(app, pilot, app.session.students[ids[0]], worker_name)
        await social_map_shows(app, pilot, entry)

        # The caseload: the students, and the colleagues to hand them to.
        app.push_screen(CaseloadScreen(app.session))
        await settle(app, pilot)
        text = screen_text(app)
        assert_inert(text)
        assert shown_as_typed(text, visible(firsts[0]))
        assert visible(worker_name) in widget_text(app.screen.query_one("#cl-legend"))
        app.pop_screen()
        await settle(app, pilot)
        assert app.is_running
        assert all(not ACTING.search(n) for n in notifications(app))

    # Otto: not involved. The card names the student and Hanna as it was typed.
    app = build_app(fx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "Otto Collega", OTHER_PASS)
        from screens.student import NotInvolvedModal, open_student

        record = app.session.students[ids[0]]
        open_student(app.screen, app.session, record)
        await settle(app, pilot)
        assert isinstance(app.screen, NotInvolvedModal)
        assert_inert(screen_text(app))
        assert shown_as_typed(screen_text(app), visible(record.details.first_name))
        # Registering the same student again: "Bedoel je …?" lists the name literally.
        await pilot.press("escape")
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        form = app.screen
        form.query_one("#f-first_name").value = record.details.first_name
        form.query_one("#f-last_name").value = record.details.last_name
        form.query_one("#f-birth_date").value = f"{record.details.birth_date:%d-%m-%Y}"
        await pilot.press("ctrl+s")
        from screens.spreekuur import DuplicateModal

        await wait_until(pilot, lambda: isinstance(app.screen, DuplicateModal), what="Bedoel je …?")
        assert_inert(screen_text(app))
        assert shown_as_typed(screen_text(app), visible(record.details.first_name))
        assert app.is_running

    await coordinator_screens_show(fx, names, worker_name)


async def back_to(app, pilot, screen) -> None:
    """Escape until ``screen`` is on top again (a dialog may ask first: no, nothing is kept)."""
    from screens.dialogs import Confirm

    for _ in range(3):
        if app.screen is screen:
            return
        await pilot.press("escape")
        await settle(app, pilot)
        if isinstance(app.screen, Confirm):
            await pilot.press("j")
            await settle(app, pilot)
    assert app.screen is screen, app.screen


async def dossier_dialogs_show(app, pilot, record, worker_name: str) -> None:
    """From one dossier: driegesprek, afsprakenoverzicht, 18+, rechten and the warme overdracht."""
    from screens.driegesprek import DriegesprekScreen
    from screens.eighteen import ChecklistScreen
    from screens.handover import HandoverDialog
    from screens.overview import OverviewModal
    from screens.rights import RightsMenu
    from screens.text import OptionList

    first = visible(record.details.first_name)
    app.push_screen(DossierScreen(app.session, record))
    await settle(app, pilot)
    dossier = app.screen
    for key, kind in (("d", DriegesprekScreen), ("u", OverviewModal), ("8", ChecklistScreen), ("r", RightsMenu),
                      ("w", HandoverDialog)):
        await pilot.press(key)
        await wait_until(pilot, lambda kind=kind: isinstance(app.screen, kind), what=kind.__name__)
        await settle(app, pilot)
        text = screen_text(app)
        assert_inert(text)
        assert shown_as_typed(text, first), (kind.__name__, first)
        if kind is OverviewModal:  # the student's agreements, and how to reach Hanna
            assert visible(app.session.team.worker_contact(app.session.worker.id))[:10] in text
        if kind is HandoverDialog:  # the new colleague is one to hand over to
            receivers = app.screen.query_one("#ho-receiver", OptionList)
            assert visible(worker_name) in widget_text(receivers)
            assert shown_as_typed(text, visible(worker_name))
        assert all(not ACTING.search(n) for n in notifications(app))
        await back_to(app, pilot, dossier)
    app.pop_screen()
    await settle(app, pilot)


async def social_map_shows(app, pilot, entry: MapEntry) -> None:
    """F4: the entry in the table, and all of it (its note too) below the table."""
    from screens.socialmap import SocialMapScreen

    home = app.screen
    await pilot.press("f4")
    await wait_until(pilot, lambda: isinstance(app.screen, SocialMapScreen) and app.screen.loaded, what="de sociale kaart")
    await settle(app, pilot)
    text = screen_text(app)
    assert_inert(text)
    assert shown_as_typed(text, visible(entry.name))
    detail = widget_text(app.screen.query_one("#map-detail"))
    assert visible(entry.name) in detail and visible(entry.note, newlines=True) in detail
    await back_to(app, pilot, home)


async def coordinator_screens_show(fx, names: list[str], worker_name: str) -> None:
    """Cora: the report (a programme five students share as a row), Team beheren, the coachwissel."""
    from textual.containers import VerticalScroll

    from screens.eighteen import CoachChangeScreen
    from screens.report import ReportScreen
    from screens.report import commands as report_commands
    from screens.team import TeamScreen

    # Five helped students share the first generated programme: the report names it.
    programme = usable(names[0])[:40]
    otto = TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)
    for i in range(5):
        otto.spreekuur.register_walk_in(StudentDetails(first_name=f"Rapport{i}", programme=programme), intake.WalkIn(),
                                        today=local_today())
    otto.lock()
    app = build_app(fx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock_as(app, pilot, "Cora Coördinator", COORDINATOR_PASS)
        home = app.screen
        next(callback for title, _, callback in report_commands(app, app.screen) if title == "rapportage: tonen")()
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen) and app.screen.query("#report-opleiding"),
                         what="the report")
        await settle(app, pilot)
        table = app.screen.query_one("#report-opleiding")
        app.screen.query_one("#report-scroll", VerticalScroll).scroll_to_widget(table, animate=False, top=True)
        await settle(app, pilot)
        text = screen_text(app)
        assert_inert(text)
        assert shown_as_typed(text, visible(programme)), programme
        await back_to(app, pilot, home)

        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: isinstance(app.screen, TeamScreen), what="Team beheren")
        await settle(app, pilot)
        text = screen_text(app)
        assert_inert(text)
        assert shown_as_typed(text, visible(worker_name))
        await back_to(app, pilot, home)

        app.push_screen(CoachChangeScreen())
        await settle(app, pilot)
        text = screen_text(app)
        assert_inert(text)
        for raw in names:
            assert shown_as_typed(text, visible(usable(raw))), raw
        await back_to(app, pilot, home)
        assert app.is_running
        assert all(not ACTING.search(n) for n in notifications(app))


async def test_a_name_that_looks_like_a_click_action_does_nothing_when_clicked(team_store):
    """'[@click=app.quit]Klik[/]' is a name: clicking it selects the row, the app keeps running."""
    today = local_today()
    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    hanna.spreekuur.register_walk_in(StudentDetails(first_name="[@click=app.quit]Klik[/]", last_name="Test"), intake.WalkIn(), today=today)
    hanna.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        # Shown as typed (Vandaag's columns end a long name in "…"): the brackets are there, no link.
        assert "[@click=app.quit]Klik" in screen_text(app)
        await pilot.click("#queue", offset=(10, 1))
        await pilot.click("#caseload", offset=(3, 1))
        await settle(app, pilot)
        assert app.is_running and app.return_code is None


async def test_older_data_with_control_characters_shows_them_as_symbols(team_store):
    """A name saved before the cleaning rule (a bell, an escape code) shows as ␇ and ␛: visible, inert."""
    import orjson
    from sqlalchemy import update

    from storage.crypto import seal_field
    from storage.models import Student

    hanna = TeamSession.unlock(team_store.store, team_store.worker_id, WORKER_PASS)
    rec = hanna.spreekuur.register_student(StudentDetails(first_name="Oud", last_name="Gegeven"))
    # Write the directory document as an older version would have: controls and all.
    raw = StudentDetails(first_name="Oud\x07", last_name="Ge\x1b[31mgeven").to_dict()
    body = seal_field(hanna.keys.directory, "students", "directory", rec.id, orjson.dumps(raw, option=orjson.OPT_SORT_KEYS))
    with team_store.store.session() as s:
        s.execute(update(Student).where(Student.id == rec.id).values(directory=body))
    hanna.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        text = screen_text(app)
        assert "Oud␇ Ge␛[31mgeven" in text
        assert_inert(text)


def test_long_and_too_long_values_get_a_dutch_message():
    """A 61-character first name, a 21-character student number: refused, saying how long they may be."""
    with pytest.raises(ValidationError) as exc:
        StudentDetails(first_name="a" * 61).validate()
    assert exc.value.field == "first_name" and "hoogstens 60 tekens, nu 61" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        StudentDetails(first_name="Sam", student_number="1" * 21).validate()
    assert exc.value.field == "student_number"
    with pytest.raises(ValidationError) as exc:
        intake.WalkIn(hulpvraag="x" * (LIMITS["note"] + 1)).validate()
    assert "Verdeel hem over twee verslagen" in exc.value.message
    details = StudentDetails(first_name=" Sam\x07 ", last_name="de\tVries")
    details.validate()
    assert (details.first_name, details.last_name) == ("Sam", "de Vries")


async def test_a_pasted_bell_and_escape_codes_do_nothing_and_are_not_kept(team_store):
    """Pasting 'Kim<bell><ESC>[31m…' into the walk-in form: no screen opens, the field holds only the letters."""
    from screens.spreekuur import IntakeScreen

    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        await paste(app, pilot, "Kim\x07\x1b[31mberly\x1b[0m\x0c")
        assert isinstance(app.screen, IntakeScreen)
        assert app.screen.query_one("#f-first_name").value == "Kimberly"
        app.screen.query_one("#f-hulpvraag").focus()
        await pilot.pause()
        await paste(app, pilot, "regel 1\x07\r\nregel\x1b[1m 2")
        assert app.screen.query_one("#f-hulpvraag").text == "regel 1\nregel 2"
        # The bell as a key (a terminal without bracketed paste) opens nothing either.
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, IntakeScreen)


# -- a terminal paste -------------------------------------------------------------------------------------


def parse(chunks: list[str]) -> list[tuple[str, str]]:
    from screens.paste import PasteSafeParser

    parser = PasteSafeParser()
    events = [e for chunk in chunks for e in parser.feed(chunk)] + list(parser.feed(""))
    return [(type(e).__name__, getattr(e, "text", None) or getattr(e, "key", "")) for e in events]


@given(
    before=st.text(alphabet="abc xyz", max_size=5),
    pasted=st.lists(st.sampled_from([*list("Kim berly\n\t"), "\x07", "\x0c", "\x1b[31m", "\x1b[0m", "\x1b]0;t\x07", "\x1b", "\x00",
        "\x08", "\x1b[201"])).map("".join),
    cuts=st.lists(st.integers(min_value=1, max_value=60), max_size=8),
)
@example(before="ab", pasted="Kim\x07\x1b[31mberly\x0cend", cuts=[1] * 60)
def test_a_bracketed_paste_is_one_text_however_the_terminal_cuts_it(before, pasted, cuts):
    """Whatever a paste holds (bells, colour codes, form feeds) and however it arrives, it is one Paste of plain text, never keys."""
    data = before + "\x1b[200~" + pasted + "\x1b[201~"
    chunks, pos = [], 0
    for cut in cuts:
        chunks.append(data[pos:pos + cut])
        pos += cut
    chunks.append(data[pos:])
    events = parse([c for c in chunks if c])
    keys = [v for kind, v in events if kind == "Key"]
    pastes = [v for kind, v in events if kind == "Paste"]
    assert len(keys) == len(before)
    assert len(pastes) <= 1
    assert all(not ACTING.search(p.replace("\t", "")) and "\x1b" not in p for p in pastes)


async def test_a_pasted_text_of_several_lines_becomes_one_line_in_a_name_field(team_store):
    """'Jan<newline>Piet<tab>Tab' pasted as a first name: 'Jan Piet Tab', nothing dropped without a trace."""
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        await paste(app, pilot, "Jan\r\nPiet\tTab\n")
        assert app.screen.query_one("#f-first_name").value == "Jan Piet Tab"


async def test_a_letter_sent_to_a_list_as_the_focus_moves_still_reaches_the_search(team_store):
    """Typing on Vandaag: a key the terminal delivered to the list just before the focus moved lands in the search too."""
    from textual import events

    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await pilot.press("n")
        search = app.screen.query_one("#search")
        assert app.focused is search and search.value == "n"
        # As a fast typist's second key: dispatched to the list, handled after the focus moved.
        app.screen.query_one("#caseload").post_message(events.Key("g", "g"))
        await pilot.pause()
        assert search.value == "ng"


async def test_a_colleague_added_while_the_app_runs_can_log_in_after_a_lock(team_store):
    """The lock screen lists the team as it is now: a worker added in this window (or another) is there."""
    from jongerenteam.settings import kdf_params
    from jongerenteam.team import WorkerDetails
    from screens.unlock import UnlockScreen

    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "co", "coordinator wachtwoord zin")
        app.session.team.add_worker(WorkerDetails("Noor Nieuwkomer", "NN", "worker", "jongerenwerk"),
            "noor heeft een nieuw wachtwoord", kdf_params())
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        await pilot.press("escape", *["backspace"] * 3)
        await unlock_as(app, pilot, "noor", "noor heeft een nieuw wachtwoord")
        assert app.session is not None and app.session.worker.full_name == "Noor Nieuwkomer"
