"""The afsprakenoverzicht: its contents in B1 Dutch, the PDF (atomic, Dutch
errors) and the modal through the real app (copy with a wiped clipboard,
PDF, both logged as exports)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import Input, Static

from jongerenteam import consent as cn
from jongerenteam import dossier as d
from jongerenteam import driegesprek as dg
from jongerenteam.domain import StudentDetails, ValidationError
from jongerenteam.overview import ContactPerson, build_overview, dutch_date
from jongerenteam.pdf import (
    Document,
    OverwriteGuard,
    Section,
    check_no_student_name,
    documents_folder,
    printable,
    render_pdf,
    target_file,
    unique_path,
    write_atomic,
    write_pdf,
)
from jongerenteam.session import TeamSession
from screens.dialogs import Confirm
from screens.overview import OverviewModal, clipboard_pending
from screens.unlock import UnlockScreen
from storage.models import AuditEntry
from tests.support import SIZE, WORKER_PASS, build_app, notifications, pdf_text, settle, unlock_as, wait_until

TODAY = date(2026, 11, 23)  # a Monday
def hanna(fx) -> TeamSession:
    return TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)


def willem(s: TeamSession, **extra):
    details = {
        "first_name": "Willem", "last_name": "Jansen", "birth_date": date(2007, 5, 14), "level": "4", "year": 3,
        "contact_preference": "whatsapp", "contact_value": "0612345678", "coach_name": "Peter de Boer", "coach_role": "slb",
    }
    details.update(extra)
    return s.spreekuur.register_student(StudentDetails(**details), status="wacht", today=TODAY)


def known_student(s: TeamSession, fx) -> str:
    """Willem after a driegesprek: agreements open, done and dropped; consents active, withdrawn, expired."""
    rec = willem(s)
    s.driegesprek.save_driegesprek(rec.id, dg.Driegesprek(
        at=datetime(2026, 11, 23, 9, 0), minutes=45, coach_name="Peter de Boer", coach_role="slb",
        story="Het gaat thuis niet goed.", question="Hulp bij geld en stage.",
        agreements=[
            d.NewAgreement(d.Who("student"), "bel de huisarts voor een afspraak.", due=date(2026, 11, 30)),
            d.NewAgreement(d.Who("coach"), "Regelt een gesprek met de stagebegeleider", due=date(2027, 1, 4)),
            d.NewAgreement(d.Who("medewerker", worker_id=fx.other_id), "Zoekt uit hoe zorgtoeslag werkt"),
            d.NewAgreement(d.Who("anders", name="pleegmoeder"), "Gaat mee naar de bank", status="gedaan"),
        ],
        consents=[
            cn.NewConsent(cn.ConsentWith("rol", "huisarts"), ["gezondheid", "inkomen"], "Samen een plan maken",
                         on=date(2026, 11, 23), valid_until=date(2027, 5, 1)),
        ],
        next_date=date(2026, 12, 7), next_text="Vervolggesprek met Peter erbij",
    ))
    dropped = s.dossier.add_agreement(rec.id, d.NewAgreement(d.Who("student"), "Stoppen met de bijbaan", due=date(2026, 12, 1)))
    s.dossier.change_agreement(rec.id, s.dossier.open_dossier(rec.id, log=False).agreement(dropped), status="vervallen")
    withdrawn = s.consent.add_consent(rec.id, cn.NewConsent(cn.ConsentWith("organisatie", "Veilig Thuis"), [cn.ALL_DOMAINS],
                                                   "Overleg", on=date(2026, 11, 2)))
    s.consent.withdraw_consent(rec.id, s.dossier.open_dossier(rec.id, log=False).consent(withdrawn), on=date(2026, 11, 20))
    s.consent.add_consent(rec.id, cn.NewConsent(cn.ConsentWith("professional", "Mo Budgetcoach"), ["inkomen"], "Schulden",
                                       on=date(2026, 1, 5), valid_until=date(2026, 6, 30)))
    s.consent.add_consent(rec.id, cn.NewConsent(cn.ConsentWith("rol", "SLB'er"), ["onderwijs", "netwerk", "welzijn"],
                                       "Afstemmen over verzuim", given_by="beide", on=date(2026, 11, 10)))
    s.team.set_my_contact("06-11122233 of hanna@school.nl.")
    return rec.id


def overview_for(s: TeamSession, student_id: str, *, contact=True, sender="Hanna Hulpverlener") -> Document:
    record = s.students[student_id]
    person = None
    if contact:
        worker = s.workers[record.contact_worker_id]
        person = ContactPerson(worker.full_name, s.team.worker_contact(worker.id))
    return build_overview(
        s.dossier.open_dossier(student_id, log=False), record.details, today=TODAY, contact=person,
        worker_names={wid: w.full_name for wid, w in s.workers.items()}, team="Testteam", sender=sender,
    )


def section(doc: Document, heading: str) -> Section:
    return next(s for s in doc.sections if s.heading == heading)


BANNED = ("cliënt", "client", "casus", "leefdomein", "hulpvraag", "werkafspraak", "betrokkene", "zelfredzaam", "gegeven_door",
    "medewerker", "consent", "status", "vervallen", "gedaan")


def assert_b1(text: str) -> None:
    """What can be checked by machine: je/jij (never u/uw), no jargon or codes, short sentences."""
    words = re.findall(r"[A-Za-zÀ-ÿ']+", text.lower())
    assert "u" not in words and "uw" not in words
    assert "je" in words and {"jij", "jou", "jouw"} & set(words)
    for bad in BANNED:
        assert bad not in text.lower(), bad
    for code in ("onderwijs", "welzijn", "netwerk", "inkomen", "justitie"):
        assert code not in text.lower(), code
    # Short sentences (a line without a full stop, like a heading or an agreement, counts as one).
    for line in text.splitlines():
        for sentence in re.split(r"(?<=[.?!])\s+", line):
            assert len(sentence.split()) <= 20, sentence


# -- contents ------------------------------------------------------------------------


def test_overview_lists_only_what_is_still_valid(team_store, fixed_clock):
    """Open agreements (soonest first, who in the student's words), the next appointment,
    active consents only, the contact person's reachability and how we reach the student."""
    s = hanna(team_store)
    student_id = known_student(s, team_store)
    doc = overview_for(s, student_id)

    assert doc.title == "Jouw afspraken met het jongerenteam"
    assert doc.sections[0].lines == ("Hoi Willem,", "Hier lees je wat we samen hebben afgesproken.")
    assert section(doc, "Je contactpersoon").lines == (
        "Je contactpersoon is Hanna Hulpverlener.",
        "Je kunt Hanna bereiken via 06-11122233 of hanna@school.nl.",
        "Je SLB'er op school is Peter de Boer.",
        "Wij sturen je een WhatsApp-bericht op 0612345678.",
        "Klopt dit niet meer? Zeg het ons.",
    )
    # Done and dropped agreements are left out; no deadline sorts last.
    agreements = section(doc, "Wat we hebben afgesproken")
    assert agreements.bullets
    assert agreements.lines == (
        "Jij: Bel de huisarts voor een afspraak (uiterlijk maandag 30 november)",
        "Je SLB'er: Regelt een gesprek met de stagebegeleider (uiterlijk maandag 4 januari 2027)",
        "Otto: Zoekt uit hoe zorgtoeslag werkt",
    )
    assert section(doc, "Je volgende afspraak").lines == ("Maandag 7 december: vervolggesprek met Peter erbij.",)
    # A second appointment (made later, planned further ahead) is listed too, soonest first.
    s.dossier.add_appointment(student_id, date(2026, 12, 14), "samen naar het financieel spreekuur")
    more = section(overview_for(s, student_id), "Je volgende afspraken")
    assert more.bullets and more.lines == (
        "Maandag 7 december: vervolggesprek met Peter erbij.",
        "Maandag 14 december: samen naar het financieel spreekuur.",
    )
    # The withdrawn (Veilig Thuis) and the expired (budgetcoach) consents are not listed.
    sharing = section(doc, "Met wie we over jou mogen praten")
    assert sharing.lines == (
        ("Je vindt het goed dat we met de huisarts praten. Waarover: geldzaken en je gezondheid. "
        "Waarom: samen een plan maken. Dit geldt tot zaterdag 1 mei 2027."),
        ("Jij en je ouders vinden het goed dat we met de SLB'er praten. "
        "Waarover: je opleiding, hoe het met je gaat en de mensen om je heen. Waarom: afstemmen over verzuim."),
    )
    text = doc.text()
    assert "Veilig Thuis" not in text and "Budgetcoach" not in text
    assert "bijbaan" not in text and "bank" not in text
    assert text.startswith("*Jouw afspraken met het jongerenteam*\n\nHoi Willem,\n")
    assert "*Wat we hebben afgesproken*\n- Jij: Bel de huisarts" in text
    assert text.rstrip().endswith(
        "Zeg het tegen Hanna.\nJe mag altijd van gedachten veranderen, ook over wat we mogen delen.\n\nGroetjes,\nHanna"
    )
    assert "|" not in text and "#" not in text  # no markdown tables or headings for WhatsApp
    assert doc.footer == "Gemaakt op maandag 23 november 2026 · Testteam"
    assert "Gemaakt op" not in text  # the message has its own date
    assert_b1(text)
    # No names in reprs (logs, tracebacks).
    reprs = [repr(doc), *map(repr, doc.sections), repr(ContactPerson("Hanna Hulpverlener", "06-11122233"))]
    assert not [r for r in reprs if "Willem" in r or "Hanna" in r or "huisarts" in r]


def test_overview_is_honest_when_little_is_known(team_store, fixed_clock):
    """No reachability set, no agreements, no appointment, no consent, no contact
    preference: plain sentences that say what is true; without a contact person, the spreekuur."""
    s = hanna(team_store)
    rec = willem(s, contact_preference="", contact_value="", coach_name="", coach_role="")
    doc = overview_for(s, rec.id)
    assert section(doc, "Je contactpersoon").lines == (
        "Je contactpersoon is Hanna Hulpverlener.",
        "Je kunt Hanna spreken op het spreekuur van het jongerenteam op school.",
        "Hoe wil je dat we contact met je opnemen? Bellen, WhatsApp of e-mail? Laat het ons weten.",
    )
    assert section(doc, "Wat we hebben afgesproken").lines == ("Er staan nu geen afspraken open.",)
    assert section(doc, "Je volgende afspraak").lines == (
        "We hebben nog geen nieuwe afspraak gepland.", "Wil je iemand spreken? Neem dan contact op met Hanna.",
    )
    sharing = section(doc, "Met wie we over jou mogen praten")
    assert sharing.lines[0] == "Je hebt nog niemand genoemd met wie we over jou mogen praten. We vragen het jou altijd eerst."
    assert "veiligheid" in sharing.lines[1]  # the meldcode exception is not hidden
    assert_b1(doc.text())

    nobody = overview_for(s, rec.id, contact=False, sender="")
    assert section(nobody, "Je contactpersoon").lines[:2] == (
        "Je hebt nog geen vaste contactpersoon.", "Je kunt langskomen op het spreekuur van het jongerenteam op school.",
    )
    assert "Zeg het op het spreekuur." in nobody.text()
    assert "Groetjes" not in nobody.text()


def test_a_15_year_olds_own_yes_is_told_as_agreed_and_waiting_for_her_parents(team_store, fixed_clock):
    """Willem is 15 and agreed himself that we talk with his mentor; his parents have not yet.
    The letter does not say he named no one, nor that we talk with the mentor now: he agreed,
    and we talk with the mentor once his parents agree too. The other way round likewise; with
    both, both yeses are told, without the waiting."""
    s = hanna(team_store)
    rec = willem(s, birth_date=date(2011, 5, 14))

    def agree(given_by: str, about: list[str]) -> None:
        s.consent.add_consent(rec.id, cn.NewConsent(cn.ConsentWith("rol", "mentor"), about, "Samen kijken naar school",
                                                    given_by=given_by, on=date(2026, 11, 20)))

    agree("student", [cn.ALL_DOMAINS])
    doc = overview_for(s, rec.id)
    sharing = section(doc, "Met wie we over jou mogen praten")
    assert "niemand genoemd" not in doc.text()
    assert sharing.lines[0] == (
        "Je vindt het goed dat we met de mentor praten. Waarover: alles waar we samen aan werken. "
        "Waarom: samen kijken naar school. "
        "Je bent nog geen 16. Daarom moeten je ouders het ook goed vinden. Pas dan praten we met de mentor."
    )
    assert "veiligheid" in doc.text()  # the meldcode exception still said
    assert_b1(doc.text())

    other = willem(s, first_name="Sara", birth_date=date(2011, 5, 14))
    s.consent.add_consent(other.id, cn.NewConsent(cn.ConsentWith("rol", "mentor"), ["onderwijs"], "School",
                                                  given_by="ouders", on=date(2026, 11, 20)))
    (line,) = section(overview_for(s, other.id), "Met wie we over jou mogen praten").lines
    assert line == ("Je ouders vinden het goed dat we met de mentor praten. Waarover: je opleiding. Waarom: school. "
                    "Pas als jij het ook goed vindt, praten we met de mentor.")

    agree("ouders", ["onderwijs"])  # the parents agree about school only: both hold, for school
    lines = section(overview_for(s, rec.id), "Met wie we over jou mogen praten").lines
    assert lines == (
        "Je vindt het goed dat we met de mentor praten. Waarover: je opleiding. Waarom: samen kijken naar school.",
        "Je ouders vinden het goed dat we met de mentor praten. Waarover: je opleiding. Waarom: samen kijken naar school.",
    )


def test_dutch_dates_need_no_locale():
    """Weekday and month in Dutch whatever the laptop's locale; the year only when it is not this year."""
    assert dutch_date(date(2026, 11, 30), TODAY) == "maandag 30 november"
    assert dutch_date(date(2026, 3, 1), TODAY) == "zondag 1 maart"
    assert dutch_date(date(2027, 1, 6), TODAY) == "woensdag 6 januari 2027"
    assert dutch_date(date(2026, 5, 14)) == "donderdag 14 mei 2026"
    days = {dutch_date(date(2026, 11, 23 + i), TODAY).split()[0] for i in range(7)}
    assert days == {"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"}


# -- the PDF -------------------------------------------------------------------------


def test_pdf_is_a_valid_pdf_with_the_overview_and_prints_emoji(team_store, fixed_clock):
    """%PDF ... %%EOF with the title, the sections and the footer; emoji, a phone sign and
    smart quotes are printed as typed (shipped fonts), not dropped."""
    s = hanna(team_store)
    student_id = known_student(s, team_store)
    s.dossier.add_agreement(student_id, d.NewAgreement(d.Who("student"), "Stuur Hanna een 👍 als het “gelukt” is 🙂 — ok?",
                                               due=date(2026, 11, 24)))
    s.team.set_my_contact("06-11122233 ☎ of hanna@school.nl")
    doc = overview_for(s, student_id)
    data = render_pdf(doc)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/MediaBox [0 0 595.28 841.89]" in data  # A4
    text = " ".join(pdf_text(data).split())  # a long agreement wraps onto two lines
    for expected in ("Jouw afspraken met het jongerenteam", "Hoi Willem,", "Je contactpersoon",
                     "Je kunt Hanna bereiken via 06-11122233 ☎ of hanna@school.nl.",
                     "Jij: Stuur Hanna een 👍 als het “gelukt” is 🙂 — ok? (uiterlijk dinsdag 24 november)",
                     "Je volgende afspraak", "Gemaakt op maandag 23 november 2026 · Testteam", "pagina 1 van 1"):
        assert expected in text, expected
    assert "\u2022" in text  # the agreements are a bulleted list
    if shutil.which("pdftotext"):  # pragma: no cover - only where poppler is installed
        out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
        assert "Hoi Willem," in out and "Je volgende afspraak" in out


def test_printable_replaces_only_what_no_shipped_font_has():
    """Accents, Greek, Polish and emoji stay; a character no font has (Chinese) becomes '?',
    a private-use symbol goes; a long document breaks pages and numbers them."""
    assert printable("Één café, “zó” — €5 · ok") == "Één café, “zó” — €5 · ok"
    assert printable("Top 👍🏽 !") == "Top 👍🏽 !"
    assert printable("Łukasz Şahin Ζωή") == "Łukasz Şahin Ζωή"
    assert printable("王 ok") == "? ok"
    assert printable("ok \ue000 !") == "ok!"
    long_doc = Document("Titel", tuple(Section(f"Kop {i}", ("regel " * 40,) * 5, bullets=i % 2 == 0) for i in range(12)), "voet")
    data = render_pdf(long_doc, compress=False)
    assert data.count(b"/Type /Page\n") >= 3 and "voet  ·  pagina 3 van" in pdf_text(data)


def test_write_pdf_is_atomic_and_explains_problems_in_dutch(tmp_path):
    """The PDF lands under its name with no temporary file left, also after a failed
    write; a missing folder or a folder as the name gives a Dutch message."""
    doc = Document("Titel", (Section("Kop", ("Eén regel.",)),), "Gemaakt op vandaag")
    target = write_pdf(doc, tmp_path / "overzicht")
    assert target == tmp_path / "overzicht.pdf"
    assert target.read_bytes().startswith(b"%PDF-")
    write_pdf(doc, str(target))  # replacing an existing file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["overzicht.pdf"]
    assert (target.stat().st_mode & 0o077) == 0  # only this user can read it

    with pytest.raises(ValidationError) as exc:
        write_pdf(doc, tmp_path / "bestaat-niet" / "overzicht.pdf")
    assert exc.value.field == "path"
    assert exc.value.message == f"De map {tmp_path / 'bestaat-niet'} bestaat niet. Kies een map die er al is."
    with pytest.raises(ValidationError) as exc:
        write_pdf(doc, tmp_path)
    assert exc.value.message.startswith("Dit is een map.")
    with pytest.raises(ValidationError) as exc:
        write_pdf(doc, "  ")
    assert exc.value.message.startswith("Vul in waar het bestand moet komen")

    # No name, a file where a folder should be, a bare name (goes to Documents, not the
    # working folder), and an existing file (asked once, replaced the second time).
    with pytest.raises(ValidationError) as exc:
        target_file(str(tmp_path) + "/.txt", ".txt", "overdracht.txt")
    assert exc.value.message == "Geef het bestand een naam, bijvoorbeeld overdracht.txt."
    (tmp_path / "eenbestand").write_text("x")
    with pytest.raises(ValidationError) as exc:
        target_file(tmp_path / "eenbestand" / "o.txt", ".txt", "o.txt")
    assert exc.value.message == f"{tmp_path / 'eenbestand'} is een bestand, geen map. Kies een map die er al is."
    (tmp_path / "eenbestand").unlink()
    assert target_file("rapport", ".csv", "r.csv") == documents_folder() / "rapport.csv"
    guard = OverwriteGuard()
    with pytest.raises(ValidationError) as exc:
        guard.check(target)
    assert exc.value.message.startswith("Er staat al een bestand overzicht.pdf. Druk nog een keer op ctrl+s")
    guard.check(target)  # the second time: replace
    guard.check(tmp_path / "nieuw.pdf")  # a new file: no question
    assert unique_path(tmp_path, "overzicht", "pdf") == tmp_path / "overzicht-2.pdf"
    # The student's name (a word of it) has no place in a file name; "van" alone is no name.
    with pytest.raises(ValidationError) as exc:
        check_no_student_name(tmp_path / "inzage-Özdemir.pdf", StudentDetails(first_name="Fatma", last_name="Özdemir"))
    assert exc.value.message.startswith("Zet geen naam van de student in de bestandsnaam")
    with pytest.raises(ValidationError):
        check_no_student_name(tmp_path / "vries-overdracht.txt", StudentDetails(first_name="Leonie", last_name="de Vries"))
    check_no_student_name(tmp_path / "overdracht-van-2026.pdf", StudentDetails(first_name="Daan", last_name="van Dijk"))

    # A rename that fails (a folder is in the way) leaves no temporary file behind.
    (tmp_path / "weg.pdf").mkdir()
    with pytest.raises(OSError):
        write_atomic(tmp_path / "weg.pdf", b"%PDF-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["overzicht.pdf", "weg.pdf"]


# -- the modal through the real app ----------------------------------------------------


def exports(store, student_id: str) -> list[str]:
    with store.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.event == "export", AuditEntry.student_id == student_id)
                         .order_by(AuditEntry.seq)).all()
        return [r.detail for r in rows]


def opens(store, student_id: str) -> int:
    with store.session() as s:
        return len(s.scalars(select(AuditEntry).where(AuditEntry.event == "open", AuditEntry.student_id == student_id)).all())


async def open_overview(app, pilot, student_id: str) -> OverviewModal:
    modal = OverviewModal(app.session, app.session.students[student_id])
    app.push_screen(modal)
    await settle(app, pilot)
    assert app.screen is modal
    return modal


def shown_text(modal) -> str:
    return str(modal.query_one("#overview-text", Static).render())


def message(modal) -> str:
    return str(modal.query_one("#overview-message", Static).render())


async def test_modal_copies_with_a_wiped_clipboard_and_saves_a_pdf(team_store, fixed_clock, monkeypatch, tmp_path):
    """k copies the text (logged as export) and the clipboard is empty after the timer;
    p offers a default file without the student's name, explains a missing folder,
    saves the PDF (logged); Esc closes the path row, then the modal."""
    s = hanna(team_store)
    student_id = known_student(s, team_store)
    s.lock()
    monkeypatch.setattr(OverviewModal, "CLIPBOARD_SECONDS", 0.3)
    folder = tmp_path / "export"
    folder.mkdir()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "hann", WORKER_PASS)
        opened_before = opens(team_store.store, student_id)
        modal = await open_overview(app, pilot, student_id)
        text = shown_text(modal)
        assert "Hoi Willem," in text and "Jij: Bel de huisarts voor een afspraak (uiterlijk maandag 30 november)" in text
        assert "Gaat mee naar de bank" not in text
        assert opens(team_store.store, student_id) == opened_before  # read again without a second 'open'
        assert exports(team_store.store, student_id) == []

        await pilot.press("k")
        await settle(app, pilot)
        assert app.clipboard == modal.document.text() and app.clipboard.startswith("*Jouw afspraken")
        assert "Gekopieerd; het klembord wordt over 0.3 seconden leeggemaakt." in notifications(app)
        assert exports(team_store.store, student_id) == ["afsprakenoverzicht: tekst"]
        await wait_until(pilot, lambda: app.clipboard == "", what="the clipboard wiped")
        assert not clipboard_pending(app)

        # PDF: the default file is in the (isolated) home, named by date, never by student.
        await pilot.press("p")
        field = modal.query_one("#overview-path", Input)
        assert app.focused is field
        default = Path(field.value)
        assert default.name == "afsprakenoverzicht-2026-11-23.pdf"
        assert "Willem" not in field.value and "Jansen" not in field.value
        # Typing in the field types: the screen's k and p keys do not fire there.
        field.value = str(folder / "geen-map") + os.sep
        field.cursor_position = len(field.value)
        await pilot.press(*"kp.pdf", "enter")
        await settle(app, pilot)
        assert message(modal) == f"De map {folder / 'geen-map'} bestaat niet. Kies een map die er al is."
        assert field.value == str(folder / "geen-map" / "kp.pdf")  # nothing typed is lost
        assert exports(team_store.store, student_id) == ["afsprakenoverzicht: tekst"]

        field.value = str(folder / "overzicht")
        await pilot.press("enter")
        await settle(app, pilot)
        saved = folder / "overzicht.pdf"
        assert saved.read_bytes().startswith(b"%PDF-")
        assert "Hoi Willem," in pdf_text(saved.read_bytes())
        assert [p.name for p in folder.iterdir()] == ["overzicht.pdf"]
        assert f"Opgeslagen als PDF: {saved}" in notifications(app)
        assert exports(team_store.store, student_id) == ["afsprakenoverzicht: tekst", "afsprakenoverzicht: pdf"]
        assert modal.query_one("#overview-save").has_class("hidden") and message(modal) == ""

        # The same name again: asked first, then replaced (and logged again).
        await pilot.press("p")
        assert app.focused is field and field.value == str(folder / "overzicht")
        await pilot.press("enter")
        assert isinstance(app.screen, Confirm)
        assert "Er staat al een bestand overzicht.pdf. Vervangen?" in str(app.screen.query_one(Static).render())
        await pilot.press("j")
        await settle(app, pilot)
        assert app.screen is modal and [p.name for p in folder.iterdir()] == ["overzicht.pdf"]
        assert exports(team_store.store, student_id)[-1] == "afsprakenoverzicht: pdf"
        assert len(exports(team_store.store, student_id)) == 3

        # Esc: first back from the path row, then closed.
        await pilot.press("p")
        assert app.focused is field
        await pilot.press("escape")
        assert app.screen is modal and modal.query_one("#overview-save").has_class("hidden")
        await pilot.press("escape")
        assert app.screen is not modal


async def test_locking_wipes_a_copied_overview_at_once(team_store, fixed_clock):
    """ctrl+l while the overview is open empties the clipboard straight away, not after 30 seconds."""
    s = hanna(team_store)
    student_id = known_student(s, team_store)
    s.lock()
    app = build_app(team_store)
    async with app.run_test(size=SIZE) as pilot:
        await unlock_as(app, pilot, "hann", WORKER_PASS)
        modal = await open_overview(app, pilot, student_id)
        # b: the worker sets how students reach them; the overview says it at once.
        await pilot.press("b")
        await settle(app, pilot)
        field = app.screen.query_one("#reach-text", Input)
        assert field.value == "06-11122233 of hanna@school.nl."  # what was set before, to change
        field.value = ""
        await pilot.press(*"06-55554444 (ma-do)", "enter")
        await settle(app, pilot)
        assert app.screen is modal
        assert "06-55554444 (ma-do)" in shown_text(modal)
        assert app.session.team.worker_contact(team_store.worker_id) == "06-55554444 (ma-do)"
        await pilot.press("k")
        await settle(app, pilot)
        assert "Hoi Willem," in app.clipboard and clipboard_pending(app)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert app.clipboard == "" and not clipboard_pending(app)
