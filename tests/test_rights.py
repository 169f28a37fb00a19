"""The student's privacy rights on a real store (SQLite and PostgreSQL): inzage,
correctie, verwijdering (crypto-shredding), restore re-applying erasures, and
the retention list at its boundaries with a fake clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from jongerenteam import consent as cn
from jongerenteam import dossier as d
from jongerenteam.domain import StudentDetails, ValidationError
from jongerenteam.rights import Correction, build_inzage, erase_confirmed
from jongerenteam.session import TeamSession
from jongerenteam.spreekuur import Referral
from storage import clock
from storage import report as store_report
from storage import rights as store_rights
from storage.errors import NotAllowed, NotInvolved, UnknownStudent, WrongPassphrase
from storage.models import (
    AuditEntry,
    Erasure,
    FileEntry,
    Handover,
    StatisticsRecord,
    Student,
    StudentKeyWrap,
)
from tests.support import (
    CANARIES,
    CANARY_LAST,
    COORDINATOR_PASS,
    TODAY,
    audit_rows,
    erasure_case,
    files_containing,
    session,
)

pytestmark = pytest.mark.backends("sqlite", "postgresql")


def leonie(s: TeamSession, **kw):
    base = {"first_name": "Leonie", "last_name": "de Vries", "birth_date": date(2008, 4, 3),
                "programme": "Verzorgende IG", "level": "2", "municipality_code": "GM0193"}
    base.update(kw)
    return s.spreekuur.register_student(StudentDetails(**base), status="lopend", today=TODAY)


def full_file(s: TeamSession, student_id: str, fx) -> str:
    """Every kind of entry: talk (edited), agreement, score, consent, external,
    walk-in, appointment, a handover document (a kind this module does not know)."""
    talk = s.dossier.add_talk(student_id, d.NewTalk("vervolggesprek", datetime(2026, 11, 20, 10, 0), 45, ["Leonie"],
        "Schulden bij de telefoonaanbieder"))
    s.dossier.edit_talk(student_id, s.dossier.open_dossier(student_id, log=False).item(talk), {"tekst": "Schulden bij de zorgverzekeraar"})
    s.dossier.add_agreement(student_id, d.NewAgreement(d.Who("student"), "Brief van de bank meenemen", TODAY + timedelta(days=7)))
    s.dossier.add_score(student_id, d.NewScore("inkomen", 2, TODAY, "achterstand huur"))
    s.consent.add_consent(student_id, cn.NewConsent(cn.ConsentWith("organisatie", "Budgetcoach Zwolle"), ["inkomen"],
        "schuldhulp regelen", on=TODAY))
    s.dossier.add_external(student_id, "Bram Budget", "budgetcoach", "Gemeente Zwolle", "0612345678")
    s.dossier.add_entry(student_id, "inloop", {"hulpvraag": "Vraag over huurtoeslag", "leefdomeinen": ["wonen"], "minuten": 15})
    s.dossier.add_appointment(student_id, TODAY + timedelta(days=3), "samen bellen met de bank")
    s.dossier.add_entry(student_id, "overdracht_document", {"samenvatting": "Overdracht naar de schuldhulp",
        "ontvanger": "Schuldhulp Zwolle"})
    return talk


# -- inzage ---------------------------------------------------------------------------------


def all_in(draft) -> dict[str, bool]:
    """Every part about others checked and kept in."""
    return {p.id: True for p in draft.parts}


def test_inzage_holds_every_entry_kind_its_history_and_the_access_log(team_store, fixed_clock, tmp_path):
    """The inzage names every stored item in readable Dutch (also a kind it does not know), dated when it
    happened, the earlier text of an edited talk and who opened and changed the file; the read is logged,
    the export too (only when the file is written); a PDF is written."""
    s = session(team_store)
    rec = leonie(s)
    full_file(s, rec.id, team_store)
    s.dossier.open_dossier(rec.id)  # one logged opening
    draft = s.rights.read_inzage(rec.id)
    assert [(r.event, r.detail) for r in audit_rows(team_store.store, "open", rec.id)][-1] == ("open", "inzage: nakijken")
    assert audit_rows(team_store.store, "export", rec.id) == []  # nothing has left the app yet
    txt = s.rights.export_inzage(draft, tmp_path / "inzage", "tekst", decisions=all_in(draft))
    text = txt.read_text(encoding="utf-8")
    for expected in (
        "Voornaam: Leonie", "Achternaam: de Vries", "Geboortedatum: 03-04-2008", "Woongemeente: Zwolle",
        "Niveau: niveau 2", "Hoe het nu staat: lopend", "Je vaste hulpverlener (contactpersoon): Hanna Hulpverlener",
        # The talk under the day it happened, written down three days later.
        "Gesprek (vervolggesprek) · 20-11-2026 om 10:00", "Opgeschreven op 23-11-2026 door Hanna Hulpverlener.",
        "Hoe lang: 45 minuten", "Verslag: Schulden bij de zorgverzekeraar", "Verslag: Schulden bij de telefoonaanbieder",
        "Eerdere versie (veranderd op 23-11-2026 door Hanna Hulpverlener):",
        "Werkafspraak · ", "Wie doet het: jij", "Wat: Brief van de bank meenemen", "Uiterlijk: 30-11-2026",
        "Hoe het staat: open",
        "Score op leefgebied Inkomen / schulden · 23-11-2026", "Score: 2 van 5: niet zelfredzaam", "Waarom: achterstand huur",
        "Toestemming om iets te delen · 23-11-2026", "Met wie: Budgetcoach Zwolle (organisatie)", "Waarvoor: schuldhulp regelen",
        "Bron: Gegeven door de student.",
        "Andere hulpverlener die bij je betrokken is", "Naam: Bram Budget",
        "Inloopgesprek", "Je vraag: Vraag over huurtoeslag", "Leefgebieden: Wonen",
        "Afspraak · 26-11-2026", "Waarover: samen bellen met de bank",
        "Overdracht document", "Samenvatting: Overdracht naar de schuldhulp",
        "Wie heeft je dossier bekeken of veranderd", "Hanna Hulpverlener · dossier geopend",
        "toegevoegd: werkafspraak", "gewijzigd: dossier: gesprek gewijzigd",
    ):
        assert expected in text, expected
    # No internal ids or codes in what the student reads.
    assert rec.id not in text and team_store.worker_id not in text
    for code in ("vervolggesprek ·", "Soort: ", "dagen: ", "GM0193", "True", "False", "None"):
        assert code not in text, code
    exports = audit_rows(team_store.store, "export", rec.id)
    assert [(e.worker_id, e.detail) for e in exports] == [(team_store.worker_id, "inzage: tekst")]

    pdf = s.rights.export_inzage(draft, tmp_path / "inzage", "pdf", decisions=all_in(draft))
    assert pdf.name == "inzage.pdf" and pdf.read_bytes().startswith(b"%PDF")
    assert [e.detail for e in audit_rows(team_store.store, "export", rec.id)][-1] == "inzage: pdf"
    with pytest.raises(ValidationError) as err:
        s.rights.export_inzage(draft, tmp_path / "bestaat-niet" / "x.pdf", "pdf", decisions=all_in(draft))
    assert err.value.field == "path"


def test_inzage_tells_what_article_15_asks(team_store, fixed_clock, tmp_path):
    """Purposes and legal ground per kind of data, the categories with health and criminal data, who
    received what and when (a handover on the meldcode, a printed document), the retention term and
    every right with the Autoriteit Persoonsgegevens, in plain words."""
    from jongerenteam import handover as h

    s = session(team_store)
    rec = leonie(s, leefdomeinen=["justitie"])
    s.dossier.add_score(rec.id, d.NewScore("gezondheid", 2, TODAY - timedelta(days=30), "slaapt slecht"))
    s.consent.add_consent(rec.id, cn.NewConsent(cn.ConsentWith("organisatie", "Tactus"), ["welzijn"],
        "doorverwijzen", on=date(2026, 10, 1)))
    receiver = h.Receiver("vrij", "Veilig Thuis", "Veilig Thuis", "Veilig Thuis IJsselland")
    proposal = h.Proposal(h.ADULT, receiver, "Zorgen over de veiligheid thuis.", student_view="niet",
                          follow_up=TODAY, legal_ground="meldcode", legal_reason="Stap 5 van de meldcode.")
    s.handover.propose_handover(rec.id, proposal)
    s.handover.export_handover(s.handover.handovers_of(rec.id)[0], pdf_path=tmp_path / "overdracht")
    draft = s.rights.read_inzage(rec.id)
    text = s.rights.export_inzage(draft, tmp_path / "inzage", "tekst", decisions=all_in(draft)).read_text(encoding="utf-8")
    lines = text.splitlines()
    for expected in (
        "Waarom we dit bijhouden en waarom dat mag",
        "Jeugdwet", "Wmo 2015", "AVG artikel 6 lid 1e",
        "Toestemmingen. Waarom: Om vast te leggen met wie we iets over jou mogen delen",
        "Jouw toestemming (AVG artikel 6 lid 1a)",
        "meldcode huiselijk geweld en kindermishandeling",
        "Uitvoeringswet AVG artikel 30", "Uitvoeringswet AVG artikel 33",
        "Wat voor gegevens we hebben", "bijzondere persoonsgegevens", "strafrechtelijke gegevens",
        "Met wie we iets hebben gedeeld",
        "23-11-2026: overdracht naar Veilig Thuis (Veilig Thuis IJsselland), zonder je toestemming "
        "(meldcode huiselijk geweld en kindermishandeling).",
        "23-11-2026: Hanna Hulpverlener heeft het overdrachtsdocument (PDF) gemaakt.",
        "Soort overdracht: 18+: naar volwassenenzorg (Wmo, volwassenen-ggz, werk en inkomen)",
        "Wat jij ervan vond: je had het document nog niet gezien",
        "Hoe lang we je gegevens bewaren",
        "Voor je dossier geldt de bewaartermijn voor jeugdhulp onder de Jeugdwet: 20 jaar na het afsluiten.",
        "Je dossier is nog open.",
        "Je rechten", "Verbeteren: ", "Wissen: ", "Beperken: ", "Bezwaar maken: ", "Toestemming intrekken: ",
        "Klacht: ", "Autoriteit Persoonsgegevens: autoriteitpersoonsgegevens.nl",
        "Zeg het tegen Hanna Hulpverlener",
        "overdracht: overdracht voorgesteld: 18+; zonder toestemming, wettelijke grond: meldcode huiselijk geweld",
    ):
        assert expected in text, expected
    assert "18plus" not in text and "Vraag dan om een correctie" not in text
    # The score is under the day it was given, a month before it was written down.
    assert "*Score op leefgebied Gezondheid · 24-10-2026*" in lines
    assert "*Toestemming om iets te delen · 01-10-2026*" in lines
    # The handover's first step comes after the document it belongs to (the same day).
    assert text.index("*Overdracht naar andere hulp · 23-11-2026 om 10:30*") < text.index("*Overdracht: voorgesteld · 23-11-2026*")


def test_what_is_about_others_is_checked_before_anything_goes_out(team_store, fixed_clock, tmp_path):
    """A parent's words about a brother, a referrer's phone number: flagged for the worker with why;
    no export without a decision on each; a part left out is gone from the file (earlier versions
    too) and the student reads that something was left out; a plain note is not flagged."""
    s = session(team_store)
    rec = leonie(s)
    parent = s.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", datetime(2026, 11, 16, 14, 0), 30,
        ["Leonie", "moeder"], "Moeder vertelt dat haar broer Kees drugs verkoopt."))
    s.dossier.edit_talk(rec.id, s.dossier.open_dossier(rec.id, log=False).item(parent),
                        {"tekst": "Moeder vertelt dat Kees drugs verkoopt en schulden heeft."})
    plain = s.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", datetime(2026, 11, 20, 10, 0), 30, ["Leonie"],
        "Schulden bij de zorgverzekeraar besproken."))
    s.spreekuur.add_referral_to_existing(s.students[rec.id], Referral(
        by_name="Mevr. Bos", by_role="studentcoach", by_contact="06-11112222", reason="Veel verzuim sinds de zomer."))
    draft = s.rights.read_inzage(rec.id)
    parts = {p.id: p for p in draft.parts}
    talk_text = parts[f"{parent}:tekst"]
    assert "Kees" in talk_text.why and "broer" in talk_text.why and "moeder" in talk_text.why
    assert "drugs verkoopt en schulden" in talk_text.text and "(eerder) Moeder vertelt dat haar broer" in talk_text.text
    assert talk_text.where == "Gesprek (vervolggesprek) van 16-11-2026: verslag"
    assert f"{parent}:deelnemers" in parts
    assert not [(p.id, p.why) for p in draft.parts if p.id.startswith(plain)]  # nothing about others in it
    referral = [p for p in draft.parts if p.where.startswith("Aanmelding")]
    assert {p.where.split(": ")[1] for p in referral} >= {"aangemeld door", "telefoon of e-mail van wie je aanmeldde",
                                                          "waarom je bent aangemeld"}
    # Not decided: refused, nothing logged, nothing written.
    target = tmp_path / "inzage.txt"
    decisions = all_in(draft)
    del decisions[f"{parent}:tekst"]
    with pytest.raises(ValidationError) as err:
        s.rights.export_inzage(draft, target, "tekst", decisions=decisions)
    assert err.value.field == "parts" and "nog 1 te doen" in err.value.message
    assert not target.exists() and audit_rows(team_store.store, "export", rec.id) == []
    # Left out: neither the text nor its earlier version goes out.
    decisions[f"{parent}:tekst"] = False
    text = s.rights.export_inzage(draft, target, "tekst", decisions=decisions).read_text(encoding="utf-8")
    assert "Kees" not in text and "drugs" not in text
    assert "Verslag: (weggelaten: dit gaat ook over iemand anders)" in text
    assert "    Verslag: (weggelaten: dit gaat ook over iemand anders)" in text  # the earlier version
    assert "Er is 1 deel weggelaten, omdat het ook over iemand anders gaat." in text
    assert "Wie waren erbij: Leonie, moeder" in text and "Schulden bij de zorgverzekeraar besproken." in text
    assert "06-11112222" in text  # checked and kept
    assert [e.detail for e in audit_rows(team_store.store, "export", rec.id)] == ["inzage: tekst; weggelaten: 1"]


def test_inzage_of_a_driegesprek_and_a_closed_file(team_store, fixed_clock, tmp_path):
    """A driegesprek reads as one talk with the student's story, the school's concerns and the help
    question, the coach in words and not flagged, the mother who was there flagged with the texts told in
    her presence; a closed file under the school term says until when it is kept."""
    from jongerenteam import driegesprek as dg

    s = session(team_store)
    rec = leonie(s)
    talk = s.driegesprek.save_driegesprek(rec.id, dg.Driegesprek(
        at=datetime(2026, 11, 9, 13, 30), minutes=60, coach_name="Mevr. Bos", coach_role="studentcoach",
        workers=[team_store.worker_id], others=["moeder"], story="Thuis is het onrustig.",
        school_concerns="Veel verzuim.", question="Rust thuis en school afmaken.",
        agreements=[d.NewAgreement(d.Who("coach"), "Rooster aanpassen", TODAY + timedelta(days=7))],
    ))
    record = s.rights.set_retention_regime(s.students[rec.id], "school")
    s.dossier.set_status(record, "afgesloten", "doel_bereikt")
    draft = s.rights.read_inzage(rec.id)
    parts = {p.id: p for p in draft.parts}
    assert set(parts) == {f"{talk}:deelnemers", f"{talk}:verhaal", f"{talk}:zorgen", f"{talk}:hulpvraag"}
    assert parts[f"{talk}:verhaal"].why == "verteld door of met erbij: moeder"
    text = build_inzage(draft, all_in(draft)).text()
    for expected in (
        "*Driegesprek · 09-11-2026 om 13:30*", "Wie waren erbij: jij, Mevr. Bos (studiecoach), moeder",
        "Hulpverleners: Hanna Hulpverlener", "Jouw verhaal: Thuis is het onrustig.", "Zorgen van school: Veel verzuim.",
        "Je hulpvraag: Rust thuis en school afmaken.", "Bron: Een driegesprek met jou, je studiecoach en je hulpverlener.",
        "*Werkafspraak · 09-11-2026 om 13:30*", "Wie doet het: je studiecoach", "Bron: Afgesproken in het gesprek van 09-11-2026.",
        "Hoe het nu staat: afgesloten", "Hoe het dossier is afgesloten: doel bereikt",
        "Voor je dossier geldt de bewaartermijn voor alleen schoolbegeleiding: 2 jaar na het afsluiten.",
        "Je dossier is afgesloten op 23-11-2026. We bewaren het tot 23-11-2028.",
        "de school moet studenten goed begeleiden",
    ):
        assert expected in text, expected
    assert "Verslag: Rust thuis" not in text  # the talk's summary text is the help question: shown once
    assert "minstens 20 jaar" not in text


def test_finder_flags_family_words_names_inside_a_sentence_and_names_known_in_the_file():
    """The heuristic: a family word anywhere, a capital inside a sentence unless it is the student, a
    colleague, the place or a known term; a name typed elsewhere in the file even at a sentence start."""
    from jongerenteam.rights.others import Finder

    finder = Finder(["Leonie", "de Vries"], ["Hanna Hulpverlener"], places=["Zwolle"], known_others=["Bram Budget"])
    assert finder.mentions("Leonie woont bij haar pleegmoeder in Zwolle.").words == ("pleegmoeder",)
    assert finder.mentions("Ze belde met Sanne over de huur.").words == ("Sanne",)
    assert finder.mentions("Bram helpt met de brief.").words == ("Bram",)
    assert not finder.mentions("Schulden bij de zorgverzekeraar. Hanna belt DUO in januari en Leonie gaat naar Zwolle.")
    assert not finder.mentions("Een diploma halen, de schouder doet pijn, de boom in de tuin.")
    assert not finder.mentions("Overleg met de SLB'er en een collega van de GGD-arts.")


def test_inzage_by_a_coordinator_who_is_not_involved_needs_the_passphrase(team_store, fixed_clock, tmp_path):
    """A colleague who is not involved cannot; a coördinator can after typing the passphrase
    again: the escrow read is logged as emergency access with reason 'inzage', the export as hers."""
    rec = leonie(session(team_store))
    otto = session(team_store, "other")
    with pytest.raises(NotInvolved):
        otto.rights.read_inzage(rec.id)
    coord = session(team_store, "coordinator")
    with pytest.raises(NotInvolved):
        coord.rights.read_inzage(rec.id)
    with pytest.raises(WrongPassphrase):
        coord.rights.read_inzage(rec.id, coordinator_passphrase="niet het wachtwoord")
    draft = coord.rights.read_inzage(rec.id, coordinator_passphrase=COORDINATOR_PASS)
    access = audit_rows(team_store.store, "emergency_access", rec.id)
    assert [(a.worker_id, a.on_behalf_of, a.detail) for a in access] == [
        (team_store.coordinator_id, team_store.coordinator_id, "inzage")
    ]
    with pytest.raises(NotAllowed):  # Otto cannot log an export of a file he cannot read
        otto.rights.export_inzage(draft, tmp_path / "x.txt", "tekst", decisions=all_in(draft))
    text = coord.rights.export_inzage(draft, tmp_path / "inzage.txt", "tekst", decisions=all_in(draft)).read_text(
        encoding="utf-8")
    assert "Voornaam: Leonie" in text and "noodtoegang: om een inzage te maken" in text
    export = audit_rows(team_store.store, "export", rec.id)[-1]
    assert (export.worker_id, export.on_behalf_of, export.detail) == (
        team_store.coordinator_id, team_store.coordinator_id, "inzage: tekst")


# -- correctie ------------------------------------------------------------------------------


def test_correction_changes_the_data_and_keeps_what_was_wrong_and_why(team_store, fixed_clock):
    s = session(team_store)
    rec = leonie(s, last_name="de Vris")
    talk = s.dossier.add_talk(rec.id, d.NewTalk("intake", datetime(2026, 11, 20, 9, 0), 30, [], "Leonie woont bij haar vader"))
    # A directory field.
    s.rights.record_correction(rec.id, Correction(
        request="Mijn achternaam is verkeerd gespeld", on=TODAY, reason="Spelfout bij de aanmelding",
        target="gegevens", field="last_name", new_value="de Vries",
    ))
    assert s.students[rec.id].details.last_name == "de Vries"
    assert [r.id for r in s.spreekuur.search("de vries")] == [rec.id]
    # A birth date, typed the Dutch way.
    s.rights.record_correction(rec.id, Correction(
        request="Geboortedatum klopt niet", on=TODAY, reason="Paspoort gezien",
        target="gegevens", field="birth_date", new_value="4-3-2008",
    ))
    assert s.students[rec.id].details.birth_date == date(2008, 3, 4)
    # A talk note: the talk's own history keeps the old text.
    s.rights.record_correction(rec.id, Correction(
        request="Ik woon bij mijn moeder, niet bij mijn vader", on=TODAY, reason="De student heeft gelijk",
        target="gesprek", entry_id=talk, new_value="Leonie woont bij haar moeder",
    ))
    item = s.dossier.open_dossier(rec.id, log=False).item(talk)
    assert item.note == "Leonie woont bij haar moeder"
    assert [h.old["tekst"] for h in item.history] == ["Leonie woont bij haar vader"]
    # A refusal, with its reason.
    s.rights.record_correction(rec.id, Correction(
        request="Haal het gesprek over verzuim weg", on=TODAY, decision="geweigerd",
        reason="Het verslag klopt; het verzuim is met de student besproken",
    ))
    corrections = [e.payload for e in s.dossier.read_file(rec.id) if e.kind == "correctie"]
    assert [(c["besluit"], c.get("veld"), c.get("oud"), c.get("nieuw")) for c in corrections] == [
        ("aangepast", "achternaam", "de Vris", "de Vries"),
        ("aangepast", "geboortedatum", "03-04-2008", "04-03-2008"),
        ("aangepast", "verslag van het gesprek van 20-11-2026", "Leonie woont bij haar vader", "Leonie woont bij haar moeder"),
        ("geweigerd", None, None, None),
    ]
    assert corrections[3]["reden"] == "Het verslag klopt; het verzuim is met de student besproken"
    draft = s.rights.read_inzage(rec.id)
    text = build_inzage(draft, all_in(draft)).text()
    assert "*Je vroeg om iets te verbeteren · 23-11-2026*" in text
    assert "Wat er stond: de Vris" in text and "Wat er nu staat: de Vries" in text and "Wat we deden: geweigerd" in text

    # Bad input: a Dutch message on the right field, nothing changed.
    with pytest.raises(ValidationError) as err:
        s.rights.record_correction(rec.id, Correction(request="x", on=TODAY, decision="geweigerd", reason=" "))
    assert err.value.field == "reason" and "recht op die reden" in err.value.message
    with pytest.raises(ValidationError) as err:
        s.rights.record_correction(rec.id, Correction(request="x", on=TODAY, reason="y", field="birth_date", new_value="31-02-2008"))
    assert err.value.field == "new_value"
    with pytest.raises(ValidationError) as err:
        s.rights.record_correction(rec.id, Correction(request="x", on=TODAY, reason="y", field="last_name", new_value="de Vries"))
    assert err.value.field == "new_value"
    # An empty new value would wipe the birth date: refused (only number and contact may be emptied).
    with pytest.raises(ValidationError) as err:
        s.rights.record_correction(rec.id, Correction(request="x", on=TODAY, reason="y", field="birth_date", new_value=" "))
    assert err.value.field == "new_value" and err.value.message.startswith("Vul de juiste geboortedatum in.")
    assert s.students[rec.id].details.birth_date == date(2008, 3, 4)
    assert len([e for e in s.dossier.read_file(rec.id) if e.kind == "correctie"]) == 4
    # Only someone involved records a correction.
    with pytest.raises(NotInvolved):
        session(team_store, "other").rights.record_correction(rec.id, Correction(
            request="x", on=TODAY, decision="geweigerd", reason="y"))


# -- verwijdering ------------------------------------------------------------------------------


def test_erasure_shreds_the_key_and_removes_everything_but_the_anonymous_record(team_store, fixed_clock):
    fx = team_store
    s, sid, keep, stat_id, blobs = erasure_case(fx)
    s.lock()
    # Only a coördinator, and only with a reason.
    with pytest.raises(NotAllowed):
        session(fx).rights.erase_student(sid, "verzoek")
    coord = session(fx, "coordinator")
    with pytest.raises(ValidationError):
        coord.rights.erase_student(sid, "zomaar")
    assert coord.spreekuur.search(CANARY_LAST)
    if fx.store.path is not None:  # control: before the erasure the ciphertext is in the file
        fx.store.checkpoint()
        assert all(bytes(b) in fx.store.path.read_bytes() for b in blobs)
    coord.rights.erase_student(sid, "verzoek", "ingelicht")

    with fx.store.reading() as db:
        assert db.scalars(select(StudentKeyWrap).where(StudentKeyWrap.student_id == sid)).all() == []
        assert db.scalars(select(FileEntry).where(FileEntry.student_id == sid)).all() == []
        assert db.scalars(select(Handover).where(Handover.student_id == sid)).all() == []
        assert db.get(Student, sid) is None
        assert db.get(Student, keep) is not None
        # The statistics record is gone; a generalised copy sits in the one pool row, whose time is no erasure's.
        assert db.get(StatisticsRecord, stat_id) is None
        (kept,) = db.scalars(select(StatisticsRecord).where(StatisticsRecord.student_id.is_(None))).all()
        assert kept.updated_at.replace(tzinfo=UTC) == store_report.POOL_TIME
        assert db.get(Erasure, sid) is not None
    # Logged once, with the reason code only.
    erasures = audit_rows(fx.store, "erasure")
    assert [(e.worker_id, e.student_id, e.detail) for e in erasures] == [
        (fx.coordinator_id, sid, "verzoek"), (fx.coordinator_id, sid, "ontvangers: ingelicht")]
    # Gone from the session's directory and search, and from a fresh unlock.
    assert sid not in coord.students and coord.spreekuur.search(CANARY_LAST) == []
    assert [r.id for r in coord.spreekuur.search("blijft")] == [keep]
    fresh = session(fx)
    assert sid not in fresh.students and sid not in fresh.involved
    # The key cannot be recovered: no wrap for anyone, not even the escrow.
    with pytest.raises((NotInvolved, UnknownStudent)):
        fresh.dossier.read_file(sid)
    with pytest.raises((NotInvolved, UnknownStudent)):
        coord.rights.read_inzage(sid, coordinator_passphrase=COORDINATOR_PASS)
    assert coord.team.verify_audit().ok

    if fx.store.path is not None:
        coord.lock()
        fresh.lock()
        fx.store.close()
        folder = fx.store.path.parent
        assert files_containing(folder) == []
        data = b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name.startswith("team.jt"))
        assert not [b for b in blobs if bytes(b) in data], "ciphertext of the erased student is still in the file"
        side = store_rights.side_file(fx.store.path).read_text()
        assert sid in side and not any(c in side for c in CANARIES)


def test_an_erasure_that_rolls_back_leaves_the_student_and_the_side_file_alone(team_store):
    """The WAL fold and the side file wait for the commit: a use case that fails
    after the erasure (same unit) erases nothing and names nobody as erased."""
    coord = session(team_store, "coordinator")
    rec = leonie(coord)
    with pytest.raises(RuntimeError), coord.unit():
        coord.rights.erase_student(rec.id, "verzoek")
        raise RuntimeError("the rest of the use case failed")
    assert rec.id in coord.students
    if team_store.store.path is not None:
        assert rec.id not in store_rights.read_side_file(team_store.store.path)
    coord.rights.erase_student(rec.id, "verzoek")
    assert rec.id not in coord.students
    if team_store.store.path is not None:
        assert rec.id in store_rights.read_side_file(team_store.store.path)


# -- restore re-applies erasures -----------------------------------------------------------


# Restoring an older backup erases the student again: tests/test_restore.py.


# -- bewaartermijn -------------------------------------------------------------------------------


def test_retention_list_at_the_boundaries(team_store):
    """Closed on day X: a 2-year term lists the file one day after X + 2 years, not on that day.
    The Jeugdwet term (the default) runs 20 years; reopening clears the closing moment."""
    closed = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
    clock.set_clock(lambda: closed)
    try:
        s = session(team_store)
        school = leonie(s, first_name="Sanne")
        jeugd = leonie(s, first_name="Jelle")
        reopened = leonie(s, first_name="Rik")
        s.rights.set_retention_regime(school, "school")
        for rec in (school, jeugd, reopened):
            s.dossier.set_status(s.students[rec.id], "afgesloten", "doel_bereikt")
        with team_store.store.reading() as db:
            assert {db.get(Student, r.id).closed_at.replace(tzinfo=None) for r in (school, jeugd)} == {closed.replace(tzinfo=None)}
        s.dossier.set_status(s.students[reopened.id], "lopend")
        with team_store.store.reading() as db:
            assert db.get(Student, reopened.id).closed_at is None
        # Closing again with another reason keeps the first closing moment.
        clock.set_clock(lambda: closed + timedelta(days=30))
        s.dossier.set_status(s.students[school.id], "afgesloten", "gestopt")
        with team_store.store.reading() as db:
            assert db.get(Student, school.id).closed_at.replace(tzinfo=None) == closed.replace(tzinfo=None)

        coord = session(team_store, "coordinator")
        assert coord.rights.retention_years() == {"school": 2, "jeugdwet": 20, "kort": 1}
        with pytest.raises(NotAllowed):
            s.rights.past_term(date(2030, 1, 1))
        assert coord.rights.past_term(date(2028, 6, 15)) == []  # exactly at the term: not yet
        past = coord.rights.past_term(date(2028, 6, 16))
        assert [(p.record.id, p.regime, p.days_past) for p in past] == [(school.id, "school", 1)]
        assert (past[0].closed_on, past[0].ends_on) == (date(2026, 6, 15), date(2028, 6, 15))
        assert [p.record.id for p in coord.rights.past_term(date(2046, 6, 15))] == [school.id]
        assert sorted(p.record.id for p in coord.rights.past_term(date(2046, 6, 16))) == sorted([school.id, jeugd.id])

        # The team changes its terms: Jeugdwet never below 20 years.
        with pytest.raises(ValidationError) as err:
            coord.rights.set_retention_years({"school": 2, "jeugdwet": 10}, version=coord.team.settings_version())
        assert err.value.field == "jeugdwet"
        with pytest.raises(NotAllowed):
            s.rights.set_retention_years({"school": 5, "jeugdwet": 20}, version=s.team.settings_version())
        coord.rights.set_retention_years({"school": 5, "jeugdwet": 25}, version=coord.team.settings_version())
        assert coord.rights.retention_years() == {"school": 5, "jeugdwet": 25, "kort": 1}
        assert coord.rights.past_term(date(2028, 6, 16)) == []
        assert [p.record.id for p in coord.rights.past_term(date(2031, 6, 16))] == [school.id]

        # Erasing all past their term: only those still past it, logged with the reason code.
        clock.set_clock(lambda: datetime(2031, 6, 16, 10, 0, tzinfo=UTC))
        assert coord.rights.erase_past_term([school.id, jeugd.id], date(2031, 6, 16)) == 1
        assert school.id not in coord.students and jeugd.id in coord.students
        assert [(e.student_id, e.detail) for e in audit_rows(team_store.store, "erasure")] == [(school.id, "bewaartermijn")]
    finally:
        clock.set_clock(None)


def test_a_walk_in_only_file_is_proposed_the_short_term_and_a_help_trajectory_the_jeugdwet(team_store):
    """Closing a file proposes its retention regime from what it holds, and says until when it is kept:
    only walk-ins -> kort (1 year after closing by default); a talk of a help trajectory -> Jeugdwet."""
    closed = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
    clock.set_clock(lambda: closed)
    try:
        s = session(team_store)
        walk_in = s.spreekuur.register_student(StudentDetails(first_name="Ina", last_name="Loop"), status="lopend")
        helped = leonie(s, first_name="Hulp")
        s.dossier.add_talk(helped.id, d.NewTalk("vervolggesprek", datetime(2026, 6, 10, 10, 0), 30, [], "Over thuis"))
        suggested = {
            rec.id: s.rights.suggest_regime(s.students[rec.id], s.dossier.open_dossier(rec.id, log=False))
            for rec in (walk_in, helped)
        }
        assert suggested == {walk_in.id: "kort", helped.id: "jeugdwet"}
        # A regime the worker chose before is what is proposed again.
        s.rights.set_retention_regime(s.students[helped.id], "school")
        assert s.rights.suggest_regime(s.students[helped.id], None) == "school"
        with pytest.raises(ValidationError) as err:
            s.dossier.set_status(s.students[walk_in.id], "afgesloten", "doel_bereikt", "eeuwig")
        assert err.value.field == "retention"
        terms = s.rights.closing_terms(s.students[walk_in.id])
        assert terms.closed_on is None and terms.kept_until("kort", date(2026, 6, 15)) == date(2027, 6, 15)
        s.dossier.set_status(s.students[walk_in.id], "afgesloten", "doel_bereikt", "kort")
        assert s.students[walk_in.id].details.retention == "kort"
        # Closed: the term counts from the first closing moment, whatever day it is asked.
        later = s.rights.closing_terms(s.students[walk_in.id])
        assert later.closed_on == date(2026, 6, 15) and later.kept_until("kort", date(2026, 9, 1)) == date(2027, 6, 15)

        coord = session(team_store, "coordinator")
        assert coord.rights.past_term(date(2027, 6, 15)) == []
        assert [(p.record.id, p.regime) for p in coord.rights.past_term(date(2027, 6, 16))] == [(walk_in.id, "kort")]
        # The team may set the short term from 1 to 5 years; the others keep theirs.
        with pytest.raises(ValidationError) as err:
            coord.rights.set_retention_years({"kort": 6}, version=coord.team.settings_version())
        assert err.value.field == "kort"
        coord.rights.set_retention_years({"kort": 3}, version=coord.team.settings_version())
        assert coord.rights.retention_years() == {"school": 2, "jeugdwet": 20, "kort": 3}
    finally:
        clock.set_clock(None)


def test_recipients_and_telling_them(team_store, fixed_clock):
    """Where a file's data went (handovers, exports and prints, not the student's own inzage), what the
    worker records of telling them, and an erasure refused until the coördinator says whether they were told."""
    from jongerenteam.rights.recipients import Told

    s = session(team_store)
    rec = leonie(s)
    assert s.rights.recipients(rec.id) == []
    s.dossier.log_export(rec.id, "overdrachtsdocument pdf", printed=True)
    s.dossier.log_export(rec.id, "inzage: tekst")
    (one,) = s.rights.recipients(rec.id)
    assert (one.who, one.what, one.open) == ("overdrachtsdocument (pdf)", "geprint", False)
    with pytest.raises(ValidationError) as err:
        s.rights.record_informed(rec.id, "correctie", [Told(one, False)], " ")
    assert err.value.field == "how"
    s.rights.record_informed(rec.id, "correctie", [Told(one, False)], "Het document ging naar de student zelf.")
    (entry,) = [e for e in s.dossier.read_file(rec.id) if e.kind == "ontvangers"]
    assert entry.payload["tekst"] == (
        "Ontvangers over de correctie: niet ingelicht: overdrachtsdocument (pdf). Het document ging naar de student zelf.")
    assert "ontvangers ingelicht" in [t.label for t in s.dossier.open_dossier(rec.id, log=False).timeline]

    coord = session(team_store, "coordinator")
    with pytest.raises(ValidationError) as err:
        coord.rights.erase_student(rec.id, "verzoek")
    assert err.value.field == "told" and rec.id in coord.students
    coord.rights.erase_student(rec.id, "verzoek", "onmogelijk")
    assert rec.id not in coord.students
    assert [(e.student_id, e.detail) for e in audit_rows(team_store.store, "erasure")] == [
        (rec.id, "verzoek"), (rec.id, "ontvangers: onmogelijk")]


def test_erase_confirmation_word_or_initials():
    assert erase_confirmed("wissen") and erase_confirmed(" WISSEN ")
    assert erase_confirmed("LdV", "Leonie", "de Vries") and erase_confirmed("l.v.", "Leonie", "de Vries")
    assert not erase_confirmed("", "Leonie", "de Vries")
    assert not erase_confirmed("ja", "Leonie", "de Vries")
    assert not erase_confirmed("L", "Leonie", "de Vries")


def test_erasure_keeps_only_a_generalised_copy_in_the_pool(team_store, fixed_clock):
    """The figures keep counting an erased student, but what is kept has no id, no
    exact date, no birth month, no programme, no talk ids, a new record key and no
    time of its own; the student's audit rows hold codes only."""
    hanna = session(team_store)
    rec = leonie(hanna)
    hanna.dossier.add_talk(rec.id, d.NewTalk("vervolggesprek", datetime(2026, 11, 23, 9, 0), 30, [], "Over geld"))
    hanna.dossier.add_score(rec.id, d.NewScore("inkomen", 2, date(2026, 11, 20)))
    before = store_report.get(team_store.store, hanna.keys, rec.id)
    assert before is not None and any(t[2] for t in before["gesprekken"]) and before["achttien"]
    coord = session(team_store, "coordinator")
    coord.rights.erase_student(rec.id, "verzoek")
    assert store_report.get(team_store.store, coord.keys, rec.id) is None
    (kept,) = store_report.pooled(team_store.store, coord.keys)
    assert kept["rk"] != before["rk"] and kept["opleiding"] == ""
    assert kept["achttien"] in (None, before["achttien"][:4])  # a year at most, never the month
    assert store_report.generalised(before)["achttien"] == before["achttien"][:4]  # before any recoding
    dates = [kept["ingeschreven"], *kept["inloop"], *(t[0] for t in kept["gesprekken"]),
             *(x[0] for x in kept["statussen"]), *(x[0] for x in kept["scores"]),
             *(x[0] for x in kept["aanmeldingen"]), *(x[2] for x in kept["aanmeldingen"] if x[2])]
    assert dates and all(len(day) == 7 for day in dates), dates  # months only
    assert [t[1:] for t in kept["gesprekken"]] == [["vervolggesprek", ""]]
    # One student erased so far: fewer than K, so nothing that describes them is left.
    assert store_report.quasi_identifiers(kept) == ("", "", None, "")
    raw = repr(kept)
    assert rec.id not in raw and "2026-11-23" not in raw
    # The figures still count the talk.
    docs, _ = store_report.load_all(team_store.store, coord.keys)
    assert [t[:2] for doc in docs for t in doc["gesprekken"]] == [["2026-11-01", "vervolggesprek"]]
    # The audit rows under the (random, now meaningless) id keep codes only.
    with team_store.store.reading() as db:
        rows = db.scalars(select(AuditEntry).where(AuditEntry.student_id == rec.id)).all()
    assert len(rows) > 3
    for row in rows:
        assert not any(c in (row.detail or "") for c in ("Leonie", "Vries", "geld", "2008")), row.detail


def test_k_anonymous_recodes_rare_and_homogeneous_classes():
    """Five kept records alike in everything someone could know, all with 'justitie', would
    tell that domain of anyone known to be among them: they are recoded into a mixed class.
    A record alone gives up what it must, cheapest first (referrer, level, age, woongemeente)."""
    def kept(m: str, level: str, domains: list[str]) -> dict:
        return {"gemeente": m, "niveau": level, "verwijzer": "zelf", "achttien": "2027", "domeinen": domains}

    docs = ([kept("GM0344", "2", ["justitie"]) for _ in range(5)]
            + [kept("GM0344", "3", ["wonen"]) for _ in range(5)] + [kept("GM0363", "2", ["wonen"])])
    store_report.k_anonymous(docs)
    classes: dict[tuple, list[dict]] = {}
    for doc in docs:
        classes.setdefault(store_report.quasi_identifiers(doc), []).append(doc)
    assert min(len(c) for c in classes.values()) >= store_report.K
    for members in classes.values():
        assert not set.intersection(*(set(doc["domeinen"]) for doc in members)), members
    assert all(doc["domeinen"] for doc in docs)  # the leefdomeinen themselves stay for the figures
    assert {doc["gemeente"] for doc in docs} >= {"GM0344"}  # Utrecht's ten keep their woongemeente


def test_after_erasing_every_demo_student_each_kept_record_has_k_alikes(tmp_path):
    """Measured on the demo store (200 invented students): before, most statistics
    records are unique on woongemeente, programme, level and birth month; after
    erasing them all, every kept record shares its attributes with at least K-1
    others, no date is more exact than a month, and the month and quarter
    figures still count them."""
    from collections import Counter

    from jongerenteam import report as rp
    from jongerenteam.demo import DEMO_WORKERS, build_demo
    from storage.store import Store

    path = str(tmp_path / "demo.jt")
    build_demo(path)
    store = Store.open(path)
    try:
        worker = next(w for w in store.workers() if w.initials == DEMO_WORKERS[0].initials)
        coord = TeamSession.unlock(store, worker.id, DEMO_WORKERS[0].passphrase)
        docs, _ = store_report.load_all(store, coord.keys)
        identifying = Counter((d["gemeente"], d["opleiding"], d["niveau"], d["achttien"]) for d in docs)
        unique_before = sum(1 for n in identifying.values() if n == 1)
        assert unique_before > len(docs) // 2  # the finding of issue 22
        today = clock.local_time(clock.now()).date()
        year = rp.school_year_of(today)
        talks_before = sum(year.start.isoformat() <= t[0] <= year.end.isoformat() for d in docs for t in d["gesprekken"])
        before = coord.report.report(year)
        coord.rights.erase_students(list(coord.students), "verzoek")
        kept = store_report.pooled(store, coord.keys)
        assert len(kept) == len(docs) == 200
        classes = Counter(store_report.quasi_identifiers(d) for d in kept)
        assert min(classes.values()) >= store_report.K, classes
        for qi in classes:  # and no class gives a leefdomein away (all its students in it)
            shared = set.intersection(*(set(d["domeinen"]) for d in kept if store_report.quasi_identifiers(d) == qi))
            assert not shared, (qi, shared)
        for d in kept:
            assert d["opleiding"] == "" and (d["achttien"] is None or len(d["achttien"]) == 4)
            assert all(len(t[0]) == 7 for t in d["gesprekken"]) and len(d["ingeschreven"]) == 7
        with store.reading() as s:
            rows = s.scalars(select(StatisticsRecord)).all()
        assert len(rows) == 1 and rows[0].student_id is None
        assert rows[0].updated_at.replace(tzinfo=UTC) == store_report.POOL_TIME
        # The school year's figures count the erased students as before (perturbed afresh: within 2 + 2).
        after = coord.report.report(year)
        expanded, _ = store_report.load_all(store, coord.keys)
        assert sum(year.start.isoformat() <= t[0] <= year.end.isoformat() for d in expanded for t in d["gesprekken"]) == talks_before
        for label in ("Gesprekken", "Studenten geholpen (gesprek of inloop)", "Aanmeldingen"):
            b = int(dict(before.table("kern").rows)[label][0].text)
            a = int(dict(after.table("kern").rows)[label][0].text)
            assert abs(a - b) <= 4, (label, b, a)
    finally:
        store.close()


def test_bewaartermijn_is_no_reason_for_an_open_file(team_store, fixed_clock):
    """The reason lands in the log: 'bewaartermijn verstreken' must be true."""
    rec = leonie(session(team_store))
    coord = session(team_store, "coordinator")
    with pytest.raises(ValidationError) as exc:
        coord.rights.erase_student(rec.id, "bewaartermijn")
    assert "niet verstreken" in exc.value.message
    assert rec.id in coord.students
    assert audit_rows(team_store.store, "erasure") == []
