"""A demo store full of invented students (Faker, nl_NL), for a first look.

Everything here is synthetic. The three demo workers have fixed passphrases
that the ``demo`` command prints; a real team never uses them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from jongerenteam.catalogue import CONTACT_PREFERENCES, LEEFDOMEIN_CODES, LEVELS, REFERRERS, ROLE_LABELS, URGENCIES
from jongerenteam.domain import StudentDetails
from jongerenteam.municipalities import MUNICIPALITIES
from jongerenteam.settings import kdf_params
from storage import team
from storage.spreekuur import add_anonymous_contact, set_programme_contact
from storage.students import NewStudent, add_entry, add_students
from storage.store import Store

DEMO_TEAM_NAME = "Demo jongerenteam (verzonnen gegevens)"


@dataclass(frozen=True, slots=True)
class DemoWorker:
    full_name: str
    initials: str
    role: str
    organisation: str
    passphrase: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


DEMO_WORKERS: tuple[DemoWorker, ...] = (
    DemoWorker("Floor Bakker", "FB", team.COORDINATOR, "wijkteam", "demo floor fietst naar school"),
    DemoWorker("Waisca Ramdin", "WR", team.WORKER, "jeugdhulp", "demo waisca drinkt thee"),
    DemoWorker("Daan Visser", "DV", team.WORKER, "verslavingszorg", "demo daan leest de krant"),
)

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
    out: list[NewStudent] = []
    for i in range(count):
        # Make sure every level and leefdomein appears even in a small demo.
        level = LEVELS[i % len(LEVELS)] if i < len(LEVELS) else rnd.choices(levels, weights)[0]
        programme = rnd.choice([p for p, lv in PROGRAMMES if level in lv])
        domains = {LEEFDOMEIN_CODES[i % len(LEEFDOMEIN_CODES)]}
        domains.update(rnd.sample(LEEFDOMEIN_CODES, rnd.randint(0, 2)))
        age_days = rnd.randint(16 * 365, 23 * 365)
        pref = rnd.choice(prefs)
        details = StudentDetails(
            first_name=fake.first_name(),
            last_name=fake.last_name(),
            birth_date=today - timedelta(days=age_days),
            student_number=str(numbers[i]),
            programme=programme,
            level=level,
            year=rnd.randint(1, 4 if level in ("3", "4") else 2),
            municipality_code=codes[i % len(codes)] if i < len(codes) else rnd.choice(codes),
            contact_preference=pref,
            contact_value=fake.email() if pref == "email" else (fake.phone_number() if pref in ("telefoon", "whatsapp") else ""),
            leefdomeinen=sorted(domains),
        )
        data = details.to_dict()
        data["referrer"] = rnd.choice(list(REFERRERS))
        status = rnd.choices(["aangemeld", "wacht", "lopend", "overgedragen", "afgesloten"], [2, 2, 6, 1, 1])[0]
        if status == "wacht":  # an aanmelding: the waiting clock runs, some too long
            data["waiting_since"] = (today - timedelta(days=rnd.randint(0, 12))).isoformat()
            data["urgency"] = rnd.choices(list(URGENCIES), [6, 3, 1])[0]
        out.append(NewStudent(data, status, rnd.choice(worker_ids)))
    return out


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
        # Appointments (some due or overdue) for running students, so Vandaag has a day.
        today = date.today()
        for row in [r for r in rows if r.status == "lopend"][::3]:
            when = today + timedelta(days=rnd.randint(-3, 14))
            add_entry(store, keys, row.id, "afspraak", {"datum": when.isoformat(), "tekst": rnd.choice(APPOINTMENTS)})
        # Today's spreekuur so far: two named walk-ins and an anonymous one.
        for row in rows[:2]:
            add_entry(store, keys, row.id, "inloop", {"tekst": rnd.choice(NOTES), "hulpvraag": rnd.choice(NOTES), "leefdomeinen": []})
        add_anonymous_contact(store, keys, {"leefdomeinen": ["welzijn"], "minuten": 15})
        programmes = sorted({r.data.get("programme", "") for r in rows} - {""})
        for programme, worker_id in zip(programmes, ids[1:] * len(programmes)):
            set_programme_contact(store, keys, programme, worker_id)
    finally:
        store.close()
    return len(rows)
