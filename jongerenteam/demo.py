"""A demo store full of invented students (Faker, nl_NL), for a first look.

Everything here is synthetic. The three demo workers have fixed passphrases
that the ``demo`` command prints; a real team never uses them.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from jongerenteam import consent as cn
from jongerenteam import dossier as d
from jongerenteam import driegesprek as dg
from jongerenteam import report
from jongerenteam.catalogue import (
    COACH_ROLES,
    CONTACT_PREFERENCES,
    LEEFDOMEIN_CODES,
    LEVELS,
    REFERRERS,
    URGENCIES,
)
from jongerenteam.demo_team import DEMO_TEAM_NAME, DEMO_WORKERS
from jongerenteam.domain import StudentDetails, days_until_18
from jongerenteam.eighteen import CHECKLIST_18, checklist_payload, default_checklist
from jongerenteam.municipalities import MUNICIPALITIES
from jongerenteam.settings import kdf_params
from storage import dossier as store_dossier
from storage import report as store_report
from storage import socialmap as store_socialmap
from storage import team
from storage.documents import JsonObject
from storage.spreekuur import add_anonymous_contact, set_programme_contact
from storage.store import Store
from storage.students import DirectoryRow, NewStudent, add_entry, add_students


def _statistics_document(
    details: StudentDetails, status: str, entries: list[tuple[str, JsonObject, date]], today: date, rnd: random.Random
) -> JsonObject:
    """Registered on the day of the file's first entry (or aanmelding); a student
    without any on a day of the last four months, not all on the day the demo was made."""
    doc = report.document_from_entries(details, status, today, entries)
    days = [g[0] for g in doc["gesprekken"]] + [sc[0] for sc in doc["scores"]] + doc["aanmeldingen"] + doc["inloop"]
    first = date.fromisoformat(min(days)) if days else today - timedelta(days=rnd.randint(0, 120))
    return report.document_from_entries(details, status, min(first, today), entries)


# Programme, and the levels it is offered at.
PROGRAMMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Entree - medewerker dienstverlening", ("Entree",)),
    ("Entree - medewerker bouw en infra", ("Entree",)),
    ("Logistiek medewerker", ("2",)),
    ("Medewerker fastservice", ("1", "2")),
    ("Kok", ("2", "3")),
    ("Helpende zorg en welzijn", ("2",)),
    ("Verzorgende IG", ("3",)),
    ("Mbo-verpleegkundige", ("4",)),
    ("Pedagogisch medewerker", ("3", "4")),
    ("Sport, Bewegen en Gezonde Leefstijl", ("4",)),
    ("Software developer", ("4",)),
    ("Autotechnicus", ("2", "3")),
    ("Kapper", ("2", "3")),
    ("Beveiliger", ("2",)),
    ("Commercieel medewerker", ("3", "4")),
    ("Eerste monteur elektrotechniek", ("3",)),
)

# Rough shape of the mbo: most help is asked at Entree and levels 1 and 2.
LEVEL_WEIGHTS = {"Entree": 4, "1": 3, "2": 5, "3": 3, "4": 3}

NOTES = (
    "Kennismaking gehad; student vertelt over drukte thuis en moeite met op tijd komen.",
    "Studentcoach maakt zich zorgen over verzuim. Samen afgesproken om volgende week verder te praten.",
    "Student wil hulp bij het regelen van zorgtoeslag en een bankrekening voor de 18e verjaardag.",
    "Gesprek tijdens een wandeling; het gaat beter op stage, nog spanning over geld.",
    "Appcontact over een afspraak bij het financieel spreekuur.",
)


# The region of the demo school (around Zwolle) and how many students come from each.
REGION = ("GM0193", "GM0166", "GM0148", "GM0244", "GM0177", "GM0246", "GM1896", "GM0180", "GM0119")
REGION_WEIGHTS = (40, 12, 8, 5, 8, 4, 6, 5, 8)


def demo_students(count: int, worker_ids: list[str], seed: int = 2026) -> list[NewStudent]:
    """Invented students spread over levels, programmes, municipalities and domains."""
    from faker import Faker

    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    rnd = random.Random(seed)
    today = date.today()
    levels = list(LEVEL_WEIGHTS)
    weights = list(LEVEL_WEIGHTS.values())
    codes = sorted(MUNICIPALITIES)
    numbers = rnd.sample(range(100000, 999999), count)
    prefs = list(CONTACT_PREFERENCES)
    coach_pool = [(fake.name(), rnd.choice(list(COACH_ROLES))) for _ in range(max(3, count // 15))]
    out: list[NewStudent] = []
    for i in range(count):
        # Make sure every level and leefdomein appears even in a small demo.
        level = LEVELS[i % len(LEVELS)] if i < len(LEVELS) else rnd.choices(levels, weights)[0]
        programme = rnd.choice([p for p, lv in PROGRAMMES if level in lv])
        domains = {LEEFDOMEIN_CODES[i % len(LEEFDOMEIN_CODES)]}
        domains.update(rnd.sample(LEEFDOMEIN_CODES, rnd.randint(0, 2)))
        age_days = rnd.randint(16 * 365, 23 * 365)
        if i % 20 == 3:  # about 17 and a half: on the 18+ radar, with a checklist (build_demo)
            age_days = 18 * 365 - rnd.randint(20, 170)
        pref = rnd.choice(prefs)
        details = StudentDetails(
            first_name=fake.first_name(),
            last_name=fake.last_name(),
            birth_date=today - timedelta(days=age_days),
            student_number=str(numbers[i]),
            programme=programme,
            level=level,
            year=rnd.randint(1, 4 if level in ("3", "4") else 2),
            # Most students live in the school's region (as in a real mbo), a few further away.
            municipality_code=rnd.choices(REGION, REGION_WEIGHTS)[0] if rnd.random() < 0.9 else rnd.choice(codes),
            contact_preference=pref,
            # A mobile number in the form the app asks for (Faker's nl_NL numbers include
            # landline forms such as "(0653) 505432" that the intake refuses).
            contact_value=fake.email() if pref == "email" else (
                f"06-{rnd.randint(10_000_000, 99_999_999)}" if pref in ("telefoon", "whatsapp") else ""),
            leefdomeinen=sorted(domains),
            # Coaches from a small pool: each has several students (a coachwissel has work to do).
            coach_name=rnd.choice(coach_pool)[0] if rnd.random() < 0.8 else "",
            coach_role=rnd.choice(list(COACH_ROLES)),
        )
        # A coach keeps one role for all their students.
        details.coach_role = dict(coach_pool).get(details.coach_name, "")
        data = details.to_dict()
        data["referrer"] = rnd.choice(list(REFERRERS))
        status = rnd.choices(["aangemeld", "wacht", "lopend", "overgedragen", "afgesloten"], [2, 2, 6, 1, 1])[0]
        if status == "afgesloten":
            data["closed_reason"] = rnd.choice(["doel_bereikt", "gestopt", "uitgevallen", "overgedragen_extern"])
        if status == "wacht":  # an aanmelding: the waiting clock runs, some too long
            data["waiting_since"] = (today - timedelta(days=rnd.randint(0, 12))).isoformat()
            data["urgency"] = rnd.choices(list(URGENCIES), [6, 3, 1])[0]
        out.append(NewStudent(data, status, rnd.choice(worker_ids)))
    return out


TALK_NOTES = (
    "Gesprek over de week: op tijd komen lukt beter, geld blijft lastig.",
    "Samen de brief van de zorgverzekeraar gelezen en een betalingsregeling gevraagd.",
    "Student vertelt dat het thuis rustiger is sinds de afspraken met moeder.",
    "Appcontact tijdens de stage: het gaat goed, volgende week samen naar het financieel spreekuur.",
    "Wandeling buiten; student wil minder blowen en vraagt om een gesprek met de collega van verslavingszorg.",
    "Telefonisch: afspraak verzet vanwege ziekte.",
)
AGREEMENTS = (
    ("student", "Mail sturen naar de stagebegeleider over de roostertijden"),
    ("coach", "Met de docent overleggen over uitstel van de opdracht"),
    ("medewerker", "Samen de aanvraag zorgtoeslag invullen"),
    ("student", "Afspraak maken bij de huisarts"),
    ("anders", "Gesprek plannen met het financieel spreekuur"),
)
def demo_file(row: DirectoryRow, worker_ids: list[str], rnd: random.Random, today: date) -> list[tuple[str, str, JsonObject]]:
    """Talks, agreements, scores and consent for one running student (all invented)."""
    entries: list[tuple[str, str, JsonObject]] = []
    start = today - timedelta(days=rnd.randint(30, 150))
    first = dg.Driegesprek(
        at=datetime.combine(start, time(10, 0)), minutes=60, coach_name=row.data.get("coach_name") or "",
        coach_role=row.data.get("coach_role") or "studentcoach", story=rnd.choice(NOTES),
        school_concerns="Veel verzuim de laatste weken en achterstand bij de opdrachten.",
        question="Rust in het hoofd en de opleiding afmaken.",
    )
    talk_id = store_dossier.new_entry_id()
    entries.append((talk_id, d.TALK, first.talk_payload()))
    domains = row.data.get("leefdomeinen") or ["welzijn"]
    for n in range(rnd.randint(2, 8)):
        when = start + timedelta(days=7 * (n + 1))
        if when >= today:
            break
        talk = d.NewTalk(rnd.choice(["vervolggesprek", "telefonisch", "app", "buiten"]),
                         datetime.combine(when, time(rnd.choice([9, 11, 13, 15]), 0)), rnd.choice([15, 30, 45]),
                         [], rnd.choice(TALK_NOTES))
        entries.append((store_dossier.new_entry_id(), d.TALK, talk.payload()))
    for kind, what in rnd.sample(AGREEMENTS, rnd.randint(1, 3)):
        who = d.Who(kind, "budgetcoach" if kind == "anders" else "", rnd.choice(worker_ids) if kind == "medewerker" else None)
        agreement = d.NewAgreement(who, what, today + timedelta(days=rnd.randint(-5, 20)),
                                   status=rnd.choices(["open", "gedaan"], [3, 1])[0])
        entries.append((store_dossier.new_entry_id(), d.AGREEMENT, agreement.payload(talk_id)))
    for domain in domains[:2]:
        score = rnd.randint(1, 3)
        for k in range(3):
            on = start + timedelta(days=30 * k)
            if on > today:
                break
            entries.append((store_dossier.new_entry_id(), d.SCORE,
                            d.NewScore(domain, min(5, score + k), on, "").payload()))
    consent = cn.NewConsent(cn.ConsentWith("rol", "studiecoach"), ["onderwijs"], "afstemmen over verzuim en rooster",
                           "student", "mondeling", start, start + timedelta(days=rnd.choice([120, 200, 365])))
    entries.append((store_dossier.new_entry_id(), cn.CONSENT, consent.payload(talk_id)))
    if rnd.random() < 0.5:
        # Half of them also agreed that the team may share everything among itself
        # (so a warme overdracht to a colleague can be tried in the demo).
        team_wide = cn.NewConsent(cn.ConsentWith("organisatie", "het jongerenteam"), [cn.ALL_DOMAINS],
                                 "overleg en overdracht binnen het jongerenteam", "beide", "schriftelijk", start)
        entries.append((store_dossier.new_entry_id(), cn.CONSENT, team_wide.payload(talk_id)))
    return entries


# An invented sociale kaart: no real organisation, no real phone number.
DEMO_SOCIAL_MAP = (
    ("organisatie", {"naam": "Financieel spreekuur (demo)", "rol": "budgetcoach", "organisatie": "Financieel spreekuur (demo)",
                     "leefdomeinen": ["inkomen"], "telefoon": "", "email": "spreekuur@example.org",
                     "notitie": "dinsdag 13-16 uur in de aula"}),
    ("professional", {"naam": "Ilse Verbeek (demo)", "rol": "begeleider pleegzorg", "organisatie": "Pleegzorg (demo)",
                      "leefdomeinen": ["netwerk", "wonen"], "telefoon": "", "email": "ilse@example.org", "notitie": ""}),
    ("professional", {"naam": "Ramon Hoekstra (demo)", "rol": "jongerenwerker", "organisatie": "Jongerenwerk (demo)",
                      "leefdomeinen": ["welzijn", "justitie"], "telefoon": "", "email": "ramon@example.org", "notitie": ""}),
    ("organisatie", {"naam": "Wmo-loket (demo)", "rol": "medewerker sociaal domein", "organisatie": "Gemeente (demo)",
                     "leefdomeinen": ["wonen", "inkomen", "welzijn"], "telefoon": "", "email": "wmo@example.org",
                     "notitie": "voor 18+: begeleiding, wonen, vervolg na jeugdhulp"}),
    ("organisatie", {"naam": "Volwassenen-ggz (demo)", "rol": "volwassenen-ggz", "organisatie": "Volwassenen-ggz (demo)",
                     "leefdomeinen": ["gezondheid", "welzijn"], "telefoon": "", "email": "ggz@example.org", "notitie": ""}),
)

APPOINTMENTS = ("vervolggesprek", "samen bellen met budgetcoach", "driegesprek met SLB'er", "terugkoppeling stage", "huisbezoek plannen")


def build_demo(location: str, *, students: int = 200) -> int:
    """Create the demo store at ``location``; returns the number of students."""
    params = kdf_params()
    store = Store.create(location)
    try:
        coordinator, *others = DEMO_WORKERS
        first_id, _recovery = team.create_team(
            store, DEMO_TEAM_NAME,
            team.WorkerDetails(coordinator.full_name, coordinator.initials, coordinator.role, coordinator.organisation),
            coordinator.passphrase, params,
        )
        keys = team.unlock(store, first_id, coordinator.passphrase)
        ids = [first_id]
        for w in others:
            ids.append(
                team.add_worker(
                    store, keys,
                    team.WorkerDetails(w.full_name, w.initials, w.role, w.organisation),
                    w.passphrase, params,
                )
            )
        rows = add_students(store, keys, demo_students(students, ids), creator_involved=False)
        rnd = random.Random(7)
        for row in rows[: len(rows) // 2]:
            add_entry(store, keys, row.id, "note", {"tekst": rnd.choice(NOTES)})
        # The files of a third of the running students: talks, agreements, scores, consent.
        today = date.today()
        files: dict[str, list[tuple[str, JsonObject, date]]] = {r.id: [] for r in rows}
        for row in [r for r in rows if r.status == "lopend"][::3]:
            entries = demo_file(row, ids, rnd, today)
            store_dossier.add_entries(store, keys, row.id, entries)
            files[row.id] += [(kind, payload, today) for _, kind, payload in entries]
        for kind, data in DEMO_SOCIAL_MAP:
            store_socialmap.add(store, keys, kind, data)
        # Appointments (some due or overdue) for running students, so Vandaag has a day.
        for row in [r for r in rows if r.status == "lopend"][::3]:
            when = today + timedelta(days=rnd.randint(-3, 14))
            add_entry(store, keys, row.id, "afspraak", {"datum": when.isoformat(), "tekst": rnd.choice(APPOINTMENTS)})
        # Students about to turn 18 have a partly filled 18+ checklist.
        checklist = default_checklist()
        for row in rows:
            birth = date.fromisoformat(row.data["birth_date"]) if row.data.get("birth_date") else None
            left = days_until_18(birth, today) if birth else None
            if row.status != "lopend" or left is None or left > 183:
                continue
            ticks = [(item, today - timedelta(days=rnd.randint(1, 40)), "") for item in rnd.sample(checklist, rnd.randint(2, 5))]
            store_dossier.add_entries(store, keys, row.id, [(
                store_dossier.new_entry_id(), CHECKLIST_18, checklist_payload(ticks, by=first_id, at=datetime.now()),
            )])
        # Today's spreekuur so far: two named walk-ins and an anonymous one.
        for row in rows[:2]:
            add_entry(store, keys, row.id, "inloop", {"tekst": rnd.choice(NOTES), "hulpvraag": rnd.choice(NOTES), "leefdomeinen": []})
            files[row.id].append(("inloop", {}, today))
        # The statistics tier, so a report on the demo store shows real figures.
        store_report.add_many(store, keys, {
            r.id: _statistics_document(StudentDetails.from_dict(r.data), r.status, files[r.id], today, rnd)
            for r in rows
        })
        add_anonymous_contact(store, keys, {"leefdomeinen": ["welzijn"], "minuten": 15})
        programmes = sorted({r.data.get("programme", "") for r in rows} - {""})
        for programme, worker_id in zip(programmes, ids[1:] * len(programmes), strict=False):
            set_programme_contact(store, keys, programme, worker_id)
    finally:
        store.close()
    return len(rows)
