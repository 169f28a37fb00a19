"""The driegesprek screen through the real app (Pilot): a full talk by
keyboard on a wide terminal, stacked panes on a narrow one, Dutch errors
that keep the text, and a draft that survives a lock."""

from __future__ import annotations

from datetime import date

from textual import events
from textual.widgets import Input, Static

from jongerenteam.dates import local_today
from screens.dialogs import Confirm
from screens.driegesprek import DriegesprekScreen, ItemList
from screens.home import HomeScreen
from screens.unlock import UnlockScreen
from tests.support import (
    OTHER_PASS,
    OZDEMIR_FIRST,
    OZDEMIR_LAST,
    WORKER_PASS,
    build_app,
    draft_bodies,
    everything_shown,
    notifications,
    settle,
    unlock_as,
    wait_until,
)

WIDE = (140, 40)
NARROW = (80, 24)
STORY = "Thuis is het onrustig en ik slaap slecht"
CONCERNS = "Veel verzuim sinds de kerstvakantie"
QUESTION = "Rust thuis en de opleiding afmaken"


async def open_driegesprek(app, pilot, student_id: str, results: list | None = None) -> DriegesprekScreen:
    """Push the screen the way the dossier does (key d there), and wait for it."""
    record = app.session.students[student_id]
    screen = DriegesprekScreen(app.session, record)
    app.push_screen(screen, results.append if results is not None else None)
    await settle(app, pilot)
    assert app.screen is screen
    return screen


def widget(app, selector: str):
    return app.screen.query_one(selector)


def error_text(app, name: str) -> str:
    w = app.screen.query_one(f"#err-{name}", Static)
    return str(w.render()) if w.display else ""


def list_lines(app, kind: str) -> list[str]:
    items = app.screen.query_one(f"#list-{kind}", ItemList)
    return [str(o.prompt) for o in items.options]


async def type_in(app, pilot, text: str) -> None:
    """Type into the focused field: short text by keys, longer text as a paste.

    The paste goes in where a terminal's does, at the app, which hands it
    to the focused widget (tests.test_ui.paste posts it to the widget
    itself, and a TextArea lets it bubble on to the app: twice the text).
    """
    if len(text) <= 5:
        await pilot.press(*text)
    else:
        app.post_message(events.Paste(text))
        await pilot.pause()


async def test_full_driegesprek_by_keyboard_on_a_wide_terminal(team_store, students):
    """Three panes side by side, two agreements, a consent and a score inline, ctrl+s: one talk with its parts."""
    app = build_app(team_store)
    results: list = []
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        screen = await open_driegesprek(app, pilot, students.ozdemir_id, results)
        assert screen.has_class("-wide")
        story, concerns, question = (widget(app, f"#dg-{n}") for n in ("story", "school_concerns", "question"))
        # Side by side: one line, left to right, each about a third of the width.
        assert story.region.y == concerns.region.y == question.region.y
        assert story.region.right <= concerns.region.x and concerns.region.right <= question.region.x
        assert story.region.width >= 35
        # The current worker is present by default; the form starts at the student's story.
        assert widget(app, "#dg-workers").value == "Hanna Hulpverlener"
        assert widget(app, "#consent-given_by").value == "student"  # 18: the student decides
        # (On a busy machine the focus has been seen on the form's scroll container first.)
        await wait_until(pilot, lambda: app.focused is story, what="focus on the student's story")

        await type_in(app, pilot, STORY)
        await pilot.press("tab")
        assert app.focused is concerns
        await type_in(app, pilot, CONCERNS)
        await pilot.press("tab")
        assert app.focused is question
        await type_in(app, pilot, QUESTION)

        # Two agreements: Enter in the row adds it to the list below and empties the row.
        await pilot.press("tab")
        assert app.focused is widget(app, "#agreement-who")
        await pilot.press(*"student", "tab")
        await type_in(app, pilot, "Afspraak bij de neuroloog maken")
        await pilot.press("tab", *"30-11", "enter")
        assert list_lines(app, "agreement") == ["student: Afspraak bij de neuroloog maken · uiterlijk 30-11-2026"]
        assert widget(app, "#agreement-what").value == ""
        assert app.focused is widget(app, "#agreement-who")
        await pilot.press(*"Hanna", "tab")
        await type_in(app, pilot, "Financieel spreekuur regelen")
        await pilot.press("enter")
        assert list_lines(app, "agreement")[1] == "Hanna Hulpverlener: Financieel spreekuur regelen"

        # What may be shared, with whom: straight into the consent register.
        await pilot.press("tab", "tab", "tab", "tab")
        assert app.focused is widget(app, "#consent-with")
        await type_in(app, pilot, "studentcoach")
        await pilot.press("tab", "ctrl+u")
        await type_in(app, pilot, "onderwijs, gezondheid")
        await pilot.press("tab")
        await type_in(app, pilot, "verzuim afstemmen")
        await pilot.press("enter")
        assert list_lines(app, "consent") == [
            "studentcoach · over onderwijs, gezondheid · doel: verzuim afstemmen · van de student, mondeling"
        ]
        assert widget(app, "#consent-given_by").value == "student"  # the row is back to its defaults

        # One leefdomein score.
        app.screen.query_one("#score-domain", Input).focus()
        await type_in(app, pilot, "gezondheid")
        await pilot.press("tab", "2", "tab")
        await type_in(app, pilot, "aanvallen")
        await pilot.press("enter")
        assert list_lines(app, "score") == ["Gezondheid: 2 (niet zelfredzaam) · aanvallen"]

        # The next appointment (past the list of scores), then the participants at the top.
        await pilot.press("tab", "tab", "tab", "tab")
        assert app.focused is widget(app, "#dg-next_date")
        await pilot.press(*"30-11", "tab")
        await type_in(app, pilot, "vervolggesprek")
        widget(app, "#dg-minutes").focus()
        await pilot.press(*"60", "tab")
        await type_in(app, pilot, "Mevr. Bos")
        await pilot.press("tab", "tab", "tab")
        assert app.focused is widget(app, "#dg-others")
        await type_in(app, pilot, "pleegmoeder")

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)
        assert app.screen.question == "Afsprakenoverzicht voor de student maken?"
        assert any(n.startswith(f"Driegesprek met {OZDEMIR_FIRST} {OZDEMIR_LAST} opgeslagen") for n in notifications(app))
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert len(results) == 1 and results[0]

        session = app.session
        dossier = session.dossier.open_dossier(students.ozdemir_id, log=False)
        talk = dossier.item(results[0])
        assert talk.is_driegesprek
        p = talk.payload
        assert (p["verhaal"], p["zorgen"], p["hulpvraag"]) == (STORY, CONCERNS, QUESTION)
        assert p["minuten"] == 60 and p["medewerkers"] == [team_store.worker_id] and p["aanwezig"] == ["pleegmoeder"]
        assert p["coach"] == {"naam": "Mevr. Bos", "rol": "studentcoach"}
        assert [t.id for t in dossier.timeline if t.kind == "talk"] == [talk.id]
        agreements = [dossier.agreement(i) for i in p["werkafspraken"]]
        assert [(a.who.kind, a.what, a.due) for a in agreements] == [
            ("student", "Afspraak bij de neuroloog maken", date(2026, 11, 30)),
            ("medewerker", "Financieel spreekuur regelen", None),
        ]
        assert agreements[1].who.worker_id == team_store.worker_id
        assert all(a.talk_id == talk.id for a in agreements)
        (consent,) = [dossier.consent(i) for i in p["toestemmingen"]]
        assert consent.with_.name == "studentcoach" and consent.about == ["gezondheid", "onderwijs"]
        assert consent.given_by == "student" and consent.how == "mondeling" and consent.talk_id == talk.id
        assert consent.on == talk.at.date()
        score = dossier.latest_scores()["gezondheid"]
        assert (score.score, score.reason) == (2, "aanvallen") and p["scores"] == [score.id]
        assert dossier.next_appointment(local_today()).on == date(2026, 11, 30)
        assert dossier.question == QUESTION
        record = session.students[students.ozdemir_id]
        assert record.status == "lopend"
        assert (record.details.coach_name, record.details.coach_role) == ("Mevr. Bos", "studentcoach")
        assert "gezondheid" in record.details.leefdomeinen


async def test_narrow_terminal_stacks_the_panes_and_errors_keep_the_text(team_store, students):
    """At 80x24 the panes are stacked and reachable by Tab; empty panes or an agreement
    without 'what' give a Dutch message next to the field, and nothing typed is lost."""
    app = build_app(team_store)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        screen = await open_driegesprek(app, pilot, students.ozdemir_id)
        assert screen.has_class("-narrow") and not screen.has_class("-wide")
        story, concerns, question = (widget(app, f"#dg-{n}") for n in ("story", "school_concerns", "question"))
        assert app.focused is story
        await pilot.press("tab")
        assert app.focused is concerns
        await pilot.press("tab")
        assert app.focused is question
        # Stacked: same column, one under the other, and the focused one scrolled into view.
        assert story.region.x == concerns.region.x == question.region.x
        assert question.region.y > 0 and 0 < question.region.bottom <= NARROW[1]
        panes = [widget(app, f"#pane-{n}").virtual_region for n in ("story", "school_concerns", "question")]
        assert panes[0].bottom <= panes[1].y and panes[1].bottom <= panes[2].y
        # Everything is reachable: Tab on to the last field, which scrolls into view.
        await pilot.press(*["tab"] * 14)
        assert app.focused is widget(app, "#dg-next_text")
        await pilot.pause()
        assert 0 < widget(app, "#dg-next_text").region.bottom <= NARROW[1] - 1

        # Nothing in the three panes.
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert error_text(app, "panes") == "Schrijf iets op: het verhaal van de student, de zorgen van school of de hulpvraag."
        assert app.focused is story
        assert isinstance(app.screen, DriegesprekScreen)
        await type_in(app, pilot, STORY)
        assert error_text(app, "panes") == ""

        # An agreement without 'what': Enter in the row refuses it, and so does ctrl+s.
        widget(app, "#agreement-who").focus()
        await pilot.press(*"student", "enter")
        assert error_text(app, "agreement") == "Vul wat er is afgesproken in."
        assert app.focused is widget(app, "#agreement-what")
        assert list_lines(app, "agreement") == []
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert error_text(app, "agreement") == "Vul wat er is afgesproken in."
        assert app.focused is widget(app, "#agreement-what")
        assert widget(app, "#agreement-who").value == "student"
        assert widget(app, "#dg-story").text == STORY
        assert session_talks(app, students.ozdemir_id) == []

        # A date that is not a date, under its own field.
        widget(app, "#dg-next_date").focus()
        await pilot.press(*"ooit")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert error_text(app, "agreement") == "Vul wat er is afgesproken in."  # first things first
        await pilot.press(*"Bellen")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert error_text(app, "next_date").startswith("Dit is geen datum die ik herken.")
        assert app.focused is widget(app, "#dg-next_date")

        # Esc with typed text asks first; 'n' keeps everything.
        await pilot.press("escape")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert isinstance(app.screen, DriegesprekScreen)
        assert widget(app, "#dg-story").text == STORY and widget(app, "#agreement-what").value == "Bellen"

        # Wider terminal: the panes go side by side, the text stays.
        await pilot.resize_terminal(*WIDE)
        await pilot.pause()
        assert screen.has_class("-wide")
        assert story.region.y == concerns.region.y == question.region.y and story.region.x < concerns.region.x
        assert widget(app, "#dg-story").text == STORY

        # Fixed: saved, with the agreement typed in the row (not yet added) included.
        widget(app, "#dg-next_date").focus()
        await pilot.press("end", *["backspace"] * 6)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await settle(app, pilot)
        talks = session_talks(app, students.ozdemir_id)
        assert len(talks) == 1
        dossier = app.session.dossier.open_dossier(students.ozdemir_id, log=False)
        assert [a.what for a in dossier.agreements] == ["Bellen"]


def session_talks(app, student_id: str) -> list:
    return [t for t in app.session.dossier.open_dossier(student_id, log=False).timeline if t.kind == "talk"]


async def test_a_draft_survives_a_lock_for_the_same_worker_only(team_store, students):
    """ctrl+l mid-talk: nothing shown; Otto unlocking sees no draft; Hanna gets the screen back as typed."""
    app = build_app(team_store)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await open_driegesprek(app, pilot, students.ozdemir_id)
        await type_in(app, pilot, STORY)
        widget(app, "#agreement-who").focus()
        await pilot.press(*"student", "tab", *"Rooster", "enter", *"coach", "tab", *"Mailen")
        assert len(list_lines(app, "agreement")) == 1

        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert STORY not in everything_shown(app) and "Rooster" not in everything_shown(app)
        (sealed,) = draft_bodies(team_store.store, team_store.worker_id)
        assert STORY.encode() not in sealed

        # Otto unlocks in between: Vandaag, not Hanna's driegesprek.
        await pilot.press("escape", *["backspace"] * 2)
        await unlock_as(app, pilot, "ot", OTHER_PASS)
        assert isinstance(app.screen, HomeScreen)
        assert not any(isinstance(s, DriegesprekScreen) for s in app.screen_stack)
        assert STORY not in everything_shown(app)
        await pilot.press("ctrl+l")
        await pilot.pause()

        await pilot.press("escape", *["backspace"] * 2)
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        assert isinstance(app.screen, DriegesprekScreen)
        assert widget(app, "#dg-story").text == STORY
        assert list_lines(app, "agreement") == ["student: Rooster"]
        assert (widget(app, "#agreement-who").value, widget(app, "#agreement-what").value) == ("coach", "Mailen")
        assert "Je niet-opgeslagen invoer is teruggezet." in notifications(app)
        assert app._restored == {}  # put back once
        # The list still works after the restore: Del removes the line.
        widget(app, "#list-agreement").focus()
        await pilot.press("delete")
        assert list_lines(app, "agreement") == []


async def test_from_the_dossier_with_d_and_then_the_afsprakenoverzicht(team_store, students):
    """d in the dossier opens the driegesprek; after ctrl+s 'j' shows the student's overview,
    and back in the dossier the new talk is in the Overzicht."""
    from screens.dossier import DossierScreen
    from screens.overview import OverviewModal
    from tests.support import open_row

    app = build_app(team_store)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await open_row(app, pilot, OZDEMIR_FIRST.lower())
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, DriegesprekScreen)
        await type_in(app, pilot, QUESTION)
        # An agreement typed in its row but not added with Enter is saved too.
        widget(app, "#agreement-who").focus()
        await pilot.press(*"student", "tab")
        await type_in(app, pilot, "Rooster ophalen bij de balie")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("j")
        await settle(app, pilot)
        assert isinstance(app.screen, OverviewModal)
        overview = str(app.screen.query_one("#overview-text", Static).render())
        assert "Rooster ophalen bij de balie" in overview
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, DossierScreen)
        talks = str(app.screen.query_one("#ov-talks", Static).render())
        assert "driegesprek · HH · " + QUESTION[:20] in talks
        assert [a.what for a in app.session.dossier.open_dossier(students.ozdemir_id, log=False).agreements] == [
            "Rooster ophalen bij de balie"
        ]


async def test_saved_after_a_lock_the_dossier_below_shows_it(team_store, students):
    """d, type, ctrl+l, unlock as the same worker, ctrl+s, n: the rebuilt dossier below
    shows the new driegesprek at once (the rebuilt screen has no callback of its opener)."""
    from screens.dossier import DossierScreen
    from tests.support import open_row

    app = build_app(team_store)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await open_row(app, pilot, OZDEMIR_FIRST.lower())
        await pilot.press("d")
        await settle(app, pilot)
        await type_in(app, pilot, QUESTION)
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await settle(app, pilot)
        assert isinstance(app.screen, DriegesprekScreen)
        await pilot.press("ctrl+s")
        # The save runs in a thread: the question comes when it is done (late on a busy machine).
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the afsprakenoverzicht question")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, DossierScreen), what="the dossier below")
        await settle(app, pilot)
        talks = str(app.screen.query_one("#ov-talks", Static).render())
        assert "driegesprek · HH · " + QUESTION[:20] in talks


def _burst(app, keys: list[str]) -> None:
    """Keys as a fast typist (or a script) sends them: all queued at the app before any is handled,
    the way the terminal driver posts them (``Pilot.press`` waits after each key)."""
    names = {"tab": ("tab", None), "enter": ("enter", "\r"), " ": ("space", " "), "-": ("minus", "-"),
             **{k: (k, None) for k in ("backspace", "delete", "left", "right", "home", "end")}}
    for key in keys:
        name, char = names.get(key, (key, key))
        app.post_message(events.Key(name, char))


async def test_a_typo_corrected_in_a_burst_is_corrected_where_it_was_typed(team_store, students):
    """Backspace and the arrows typed fast between letters act where they were typed, in a
    text field and in a text area (Textual handled them after the letters queued behind
    them, its issue 6605): "Rooster ophalrn", backspace twice, "en" gives "Rooster ophalen"."""
    app = build_app(team_store)
    async with app.run_test(size=WIDE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await open_driegesprek(app, pilot, students.ozdemir_id)
        story = widget(app, "#dg-story")
        story.focus()
        await pilot.pause()
        _burst(app, [*"Rooster ophalrn", "backspace", "backspace", *"en", "left", "left", "left", "backspace", *"LL",
                     "end", *" gaat goed"])
        await wait_until(pilot, lambda: story.text.endswith("goed"), what="all keys handled in the text area", timeout=15)
        assert story.text == "Rooster ophLLlen gaat goed"
        who = widget(app, "#agreement-who")
        who.focus()
        await pilot.pause()
        _burst(app, [*"studnet", "backspace", "backspace", "backspace", *"ent", "home", "delete", *"S"])
        await wait_until(pilot, lambda: who.value.startswith("S"), what="all keys handled in the field", timeout=15)
        assert who.value == "Student"


async def test_keys_typed_before_enter_are_never_lost(team_store, students):
    """Issue 23: typed fast, a werkafspraak and its date are added whole, and the next row's keys
    land in the emptied row, not in the one just added."""
    app = build_app(team_store)
    async with app.run_test(size=WIDE) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await open_driegesprek(app, pilot, students.ozdemir_id)
        widget(app, "#agreement-who").focus()
        await pilot.pause()
        _burst(app, [*"student", "tab", *"Rooster ophalen bij de balie", "tab", *"30-11", "enter",
                     *"coach", "tab", *"Mailen"])
        await wait_until(pilot, lambda: widget(app, "#agreement-what").value == "Mailen", what="all keys handled", timeout=15)
        await settle(app, pilot)
        (line,) = list_lines(app, "agreement")
        assert line.startswith("student: Rooster ophalen bij de balie") and "30-11" in line, line
        assert widget(app, "#agreement-who").value == "coach"


async def test_a_date_before_the_birth_or_long_ago_and_a_past_deadline(team_store, students):
    """Fatma was born on 12-09-2007: a driegesprek on 01-01-2007 is refused under its date; an
    agreement's deadline already past is refused under the row; 01-01-2020 is asked (j/n):
    n puts the question under the date, j saves. Nothing typed is lost meanwhile."""
    app = build_app(team_store)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await unlock_as(app, pilot, "ha", WORKER_PASS)
        await open_driegesprek(app, pilot, students.ozdemir_id)
        await type_in(app, pilot, STORY)
        widget(app, "#dg-at").value = "01-01-2007 10:00"
        await pilot.pause()  # its Changed (which clears the line under it) first
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert error_text(app, "at") == "Deze datum ligt vóór de geboortedatum van de student. Kijk het jaar na."
        assert app.focused is widget(app, "#dg-at")
        assert widget(app, "#dg-story").text == STORY
        assert session_talks(app, students.ozdemir_id) == []

        # A deadline that has passed: this year's 1 March, typed as 1-3 on 15 March.
        widget(app, "#dg-at").value = "01-01-2020 10:00"
        await pilot.pause()
        widget(app, "#agreement-who").focus()
        await pilot.press(*"student", "tab", *"Bellen", "tab", *"1-3", "enter")
        assert error_text(app, "agreement") == (
            "De uiterlijke datum (01-03-2026) ligt in het verleden. Kies vandaag of een dag die nog komt.")
        assert app.focused is widget(app, "#agreement-due")
        assert list_lines(app, "agreement") == []
        await pilot.press(*["backspace"] * 3, *"1-4", "enter")
        assert list_lines(app, "agreement") == ["student: Bellen · uiterlijk 01-04-2026"]

        question = "Volgens deze datum was het gesprek op 01-01-2020, meer dan een jaar geleden. Klopt dat?"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        assert app.screen.question == question
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, DriegesprekScreen))
        assert error_text(app, "at") == question
        assert widget(app, "#dg-story").text == STORY
        assert session_talks(app, students.ozdemir_id) == []

        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("j")
        # Saved; then the question about the afsprakenoverzicht.
        await wait_until(pilot, lambda: len(session_talks(app, students.ozdemir_id)) == 1)
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm) and app.screen.question.startswith("Afsprakenoverzicht"))
        await pilot.press("n")
        await settle(app, pilot)
        (talk,) = session_talks(app, students.ozdemir_id)
        assert talk.at.date() == date(2020, 1, 1)
        agreements = app.session.dossier.open_dossier(students.ozdemir_id, log=False).agreements
        assert [(a.what, a.due) for a in agreements] == [("Bellen", date(2026, 4, 1))]
