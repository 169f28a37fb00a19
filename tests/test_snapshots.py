"""SVG snapshots of the main screens and a few dialogs, at 120x35 and at 80x24.

pytest-textual-snapshot compares each screenshot with the baseline in
tests/__snapshots__/test_snapshots/; a difference fails the test and writes
snapshot_report.html, side by side. After an intended change of the screens:
``pytest tests/test_snapshots.py --snapshot-update``, look at the new SVGs,
commit them.

Deterministic across runs and xdist workers: one store with fixed demo data
built once per worker under a clock that ticks one minute per call (so no two
entries share a moment and nothing is ordered by a random id), the app run at
a fixed moment (Monday 23 November 2026, 11:30 in the Netherlands), Dutch
time, no animations, a cursor that does not blink (shown where focus is), no
toasts (they time out).
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from jongerenteam import consent as cn
from jongerenteam import dossier as d
from jongerenteam import spreekuur as intake
from jongerenteam.domain import StudentDetails
from storage import clock
from tests.support import (
    COORDINATOR_PASS,
    MONDAY_MORNING,
    NARROW,
    TODAY,
    WORKER_PASS,
    build_app,
    copy_team,
    make_team,
    paste,
    session,
    settle,
)

WIDE = (120, 35)
SIZES = pytest.mark.parametrize("size", [WIDE, NARROW], ids=["120x35", "80x24"])


def ticking(start: datetime):
    """A clock one minute further at every call: every entry its own moment."""
    moments = (start + timedelta(minutes=n) for n in itertools.count())
    return lambda: next(moments)


def fill(fx) -> None:
    """The fixed demo data: Hanna's caseload, an aanmelding, Otto's student, today's spreekuur."""
    clock.set_clock(ticking(datetime(2026, 11, 2, 8, 0, tzinfo=UTC)))
    cora = session(fx, "coordinator")
    cora.team.set_programme_contact("Verzorgende IG", fx.worker_id, seen=cora.team.programme_contacts().get("Verzorgende IG"))
    cora.lock()
    hanna = session(fx)
    fatma = hanna.spreekuur.register_walk_in(
        StudentDetails(first_name="Fatma", last_name="Özdemir", birth_date=date(2007, 9, 12), student_number="S100200",
                       programme="Pedagogisch medewerker", level="3", year=2, municipality_code="GM0193",
                       coach_name="Mevr. Bos", coach_role="slb", contact_preference="whatsapp", contact_value="0612345678"),
        intake.WalkIn(hulpvraag="Huurachterstand en stress over de opleiding", leefdomeinen=["inkomen", "wonen"], minutes=30),
        today=date(2026, 11, 2),
    )
    willem = hanna.spreekuur.register_walk_in(
        StudentDetails(first_name="Willem", last_name="de Boer", birth_date=date(2008, 12, 1), programme="Kok", level="2",
                       municipality_code="GM0363"),
        intake.WalkIn(hulpvraag="Wil op kamers na zijn 18e", leefdomeinen=["wonen"], minutes=20),
        today=date(2026, 11, 4),
    )
    # Later that month: talks, agreements, scores, consent, an aanmelding.
    clock.set_clock(ticking(datetime(2026, 11, 17, 8, 0, tzinfo=UTC)))
    hanna.dossier.add_talk(fatma.id, d.NewTalk("vervolggesprek", datetime(2026, 11, 9, 10, 0), 45, ["Fatma"],
                                              "Samen de brieven van de verhuurder doorgenomen."))
    hanna.dossier.add_talk(fatma.id, d.NewTalk("telefonisch", datetime(2026, 11, 16, 14, 0), 15, [],
                                              "Betalingsregeling aangevraagd; wacht op antwoord."))
    hanna.dossier.add_agreement(fatma.id, d.NewAgreement(d.Who("student"), "Brief van de verhuurder meenemen", date(2026, 11, 30)))
    hanna.dossier.add_agreement(fatma.id, d.NewAgreement(d.Who("medewerker", worker_id=fx.worker_id),
                                                         "Budgetcoach bellen", date(2026, 11, 25)))
    hanna.dossier.add_score(fatma.id, d.NewScore("inkomen", 2, date(2026, 11, 2), "huurachterstand"))
    hanna.dossier.add_score(fatma.id, d.NewScore("inkomen", 3, date(2026, 11, 16)))
    hanna.consent.add_consent(fatma.id, cn.NewConsent(cn.ConsentWith("organisatie", "Budgetcoach Zwolle"), ["inkomen"],
                                                      "schuldhulp regelen", on=date(2026, 11, 9)))
    hanna.dossier.add_external(fatma.id, "Bram Budget", "budgetcoach", "Gemeente Zwolle", "0687654321")
    hanna.dossier.add_appointment(willem.id, date(2026, 11, 24), "samen naar het woonloket")
    hanna.spreekuur.register_referral(
        StudentDetails(first_name="Sanne", last_name="Jansen", birth_date=date(2006, 1, 30), programme="Verzorgende IG", level="3"),
        intake.Referral(by_name="Jan Coach", by_role="studentcoach", by_contact="0611223344",
                        reason="Verzuimt veel, thuis onrustig", urgency="snel"),
        contact_worker_id=fx.worker_id, today=date(2026, 11, 17),
    )
    hanna.lock()
    otto = session(fx, "other")
    otto.spreekuur.register_walk_in(
        StudentDetails(first_name="Noor", last_name="Bakker", birth_date=date(2007, 3, 3), programme="Kok", level="2"),
        intake.WalkIn(hulpvraag="Geldzorgen", leefdomeinen=["inkomen"]), today=date(2026, 11, 10),
    )
    otto.lock()
    # This morning's spreekuur: Willem came back, and someone who stayed anonymous.
    clock.set_clock(ticking(datetime(2026, 11, 23, 8, 0, tzinfo=UTC)))
    hanna = session(fx)
    hanna.spreekuur.register_walk_in(hanna.students[willem.id].details, intake.WalkIn(hulpvraag="Vraag over huurtoeslag"),
                                     existing=hanna.students[willem.id], today=TODAY)
    hanna.spreekuur.register_anonymous(["welzijn"], 10)
    hanna.lock()


@pytest.fixture(scope="module")
def snapshot_template(tmp_path_factory):
    """The team and its demo data, built once per worker (the team itself too: its log shows the fixed moments).
    The random keys of the report's cell key method come from a seeded generator, so the
    Rapportage shows the same (perturbed) figures every time."""
    import random

    from jongerenteam.report import cellkey

    drawn = random.Random(22)
    real = cellkey.new_record_key
    cellkey.new_record_key = lambda: drawn.randrange(cellkey.KEY_SPACE)
    try:
        clock.set_clock(ticking(datetime(2026, 11, 2, 7, 0, tzinfo=UTC)))
        fx = make_team(tmp_path_factory.mktemp("snapshots") / "team.jt")
        fill(fx)
        fx.store.close()
    finally:
        clock.set_clock(None)
        cellkey.new_record_key = real
    return fx


@pytest.fixture
def snap_app(snapshot_template, tmp_path, dutch_time_zone, monkeypatch):
    """The app on a copy of the snapshot store, at the fixed moment, without animations."""
    from textual.widgets import Input, TextArea

    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    # No blinking: the cursor stays shown where focus is. (Stopping the blink
    # just before the picture is not enough: a tick already queued may still
    # hide it.)
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)
    fx = copy_team(snapshot_template, tmp_path / "team.jt")
    clock.set_clock(lambda: MONDAY_MORNING)
    app = build_app(fx)
    app.animation_level = "none"
    yield app
    clock.set_clock(None)
    fx.store.close()


async def still(app, pilot) -> None:
    """Ready for the picture: workers done, no toasts (they go after a few seconds)."""
    await settle(app, pilot)
    app.clear_notifications()
    await pilot.pause()


def shoot(snap_compare, app, size, *steps) -> None:
    """Run ``steps`` (async functions of app and pilot), then compare the screen with its baseline."""

    async def run_before(pilot) -> None:
        for step in steps:
            await step(app, pilot)
            await settle(app, pilot)
        await still(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def unlocked(who: str):
    """Straight to Vandaag as ``who`` (the unlock screen has its own snapshots; keys cost time)."""

    async def step(app, pilot) -> None:
        from jongerenteam.session import TeamSession

        worker = next(w for w in app.store.workers() if w.full_name.startswith(who))
        app.start_session(TeamSession.unlock(app.store, worker.id, PASSPHRASES[who]))

    return step


PASSPHRASES = {"Hanna": WORKER_PASS, "Cora": COORDINATOR_PASS}
as_hanna = unlocked("Hanna")
as_cora = unlocked("Cora")


def keys(*pressed: str):
    async def step(app, pilot) -> None:
        await pilot.press(*pressed)

    return step


def typed(text: str):
    async def step(app, pilot) -> None:
        await paste(app, pilot, text)

    return step


async def fatma(app, pilot) -> None:
    """Fatma's dossier, as Enter on her row opens it."""
    from screens.dossier import DossierScreen

    record = next(r for r in app.session.students.values() if r.details.first_name == "Fatma")
    app.push_screen(DossierScreen(app.session, record))


async def nothing(app, pilot) -> None:
    await pilot.pause()


# -- screens ------------------------------------------------------------------------------


@SIZES
def test_unlock(snap_compare, snap_app, size):
    """Wie ben je?: the team's workers, the name filter focused."""
    shoot(snap_compare, snap_app, size, nothing)


@SIZES
def test_unlock_passphrase(snap_compare, snap_app, size):
    """Hanna picked, the masked passphrase field focused."""
    shoot(snap_compare, snap_app, size, keys(*"hanna", "enter"))


@SIZES
def test_vandaag(snap_compare, snap_app, size):
    """Vandaag for Hanna: her caseload, what is due, the aanmelding waiting, this morning's spreekuur."""
    shoot(snap_compare, snap_app, size, as_hanna)


@SIZES
def test_search(snap_compare, snap_app, size):
    """'/' and a few letters: the team's students that match, with their contact person."""
    shoot(snap_compare, snap_app, size, as_hanna, keys("slash", *"o"))


@SIZES
def test_walk_in_form(snap_compare, snap_app, size):
    """ctrl+n, a name typed: the walk-in form (intake at the spreekuur)."""
    shoot(snap_compare, snap_app, size, as_hanna, keys("ctrl+n", *"Tessa", "tab", *"Tuinbouwer"))


@SIZES
def test_referral_form(snap_compare, snap_app, size):
    """ctrl+r: the aanmelding form, empty."""
    shoot(snap_compare, snap_app, size, as_hanna, keys("ctrl+r"))


@SIZES
def test_dossier_overzicht(snap_compare, snap_app, size):
    """Fatma's dossier, tab 1: the overview."""
    shoot(snap_compare, snap_app, size, as_hanna, fatma)


@SIZES
def test_dossier_gesprekken(snap_compare, snap_app, size):
    """Tab 2: the talks, newest first."""
    shoot(snap_compare, snap_app, size, as_hanna, fatma, keys("2"))


@SIZES
def test_dossier_afspraken(snap_compare, snap_app, size):
    """Tab 3: the agreements."""
    shoot(snap_compare, snap_app, size, as_hanna, fatma, keys("3"))


@SIZES
def test_dossier_scores(snap_compare, snap_app, size):
    """Tab 4: the leefdomein scores."""
    shoot(snap_compare, snap_app, size, as_hanna, fatma, keys("4"))


@SIZES
def test_dossier_consent(snap_compare, snap_app, size):
    """Tab 5: consent."""
    shoot(snap_compare, snap_app, size, as_hanna, fatma, keys("5"))


@SIZES
def test_driegesprek(snap_compare, snap_app, size):
    """d in the dossier: the driegesprek, a question typed."""
    shoot(snap_compare, snap_app, size, as_hanna, fatma, keys("d"), typed("Rust in het hoofd"))


@SIZES
def test_handover(snap_compare, snap_app, size):
    """w in the dossier: the warme overdracht dialog, intern, the document composed."""
    shoot(snap_compare, snap_app, size, as_hanna, fatma, keys("w"))


@SIZES
def test_report(snap_compare, snap_app, size):
    """The coördinator's Rapportage of this quarter."""
    from screens.report import commands

    async def open_report(app, pilot) -> None:
        next(cb for _t, _h, cb in commands(app, app.screen))()

    shoot(snap_compare, snap_app, size, as_cora, open_report)


@SIZES
def test_team(snap_compare, snap_app, size):
    """ctrl+t for the coördinator: the team's workers."""
    shoot(snap_compare, snap_app, size, as_cora, keys("ctrl+t"))


# -- dialogs --------------------------------------------------------------------------------


@SIZES
def test_dialog_not_involved(snap_compare, snap_app, size):
    """Enter on a colleague's student: who to ask, nothing of the file."""
    shoot(snap_compare, snap_app, size, as_hanna, keys("slash", *"noor", "down", "enter"))


@SIZES
def test_dialog_discard_typed_text(snap_compare, snap_app, size):
    """Escape in a walk-in with typed text: asks before throwing it away."""
    shoot(snap_compare, snap_app, size, as_hanna, keys("ctrl+n", *"Tessa", "escape"))


@SIZES
def test_dialog_status(snap_compare, snap_app, size):
    """s in the dossier: the status of the file."""
    shoot(snap_compare, snap_app, size, as_hanna, fatma, keys("s"))
