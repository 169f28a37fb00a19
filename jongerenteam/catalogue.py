"""The field's catalogue, from docs/domain.md: leefdomeinen, levels,
professionals, contact preferences, referrers. Screen words are Dutch; the
codes are stable identifiers stored in the data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Leefdomein:
    code: str
    label: str
    vraagstukken: tuple[str, ...]


LEEFDOMEINEN: tuple[Leefdomein, ...] = (
    Leefdomein("onderwijs", "Onderwijs", ("verzuim", "studievertraging", "dreigende uitval", "passend onderwijs", "stage")),
    Leefdomein("welzijn", "Welzijn", ("overgang hulpverlening 18-/18+", "zelf verantwoordelijk vanaf 18", "mentaal welbevinden", "verslaving (middelen, gokken, gamen)")),
    Leefdomein("netwerk", "Support / netwerk", ("ouderbetrokkenheid", "jongeren in kwetsbare positie", "maatje uit eigen netwerk")),
    Leefdomein("werk", "Werk", ("ongediplomeerde uitstroom", "stageplek vinden", "stagediscriminatie", "thuiszitten na einde werkcontract")),
    Leefdomein("inkomen", "Inkomen / schulden", ("armoede", "schulden", "studieschuld", "18+ financiële zelfredzaamheid", "vier weken zoektermijn uitkering")),
    Leefdomein("justitie", "Justitie", ("incidenten op school", "terugkeer uit detentie", "drugshandel/ronselen/criminaliteit", "verzuim")),
    Leefdomein("wonen", "Wonen", ("jongerenhuisvesting/woningnood", "uitstroom jeugdhulpinstelling bij 18", "dak- en thuisloosheid", "bankslapers")),
    Leefdomein("veiligheid", "Veiligheid", ("huiselijk geweld", "pesten", "gescheiden ouders", "chantage/uitbuiting", "mensenhandel (loverboys)")),
    Leefdomein("gezondheid", "Gezondheid", ("chronische ziekte", "psychische stoornissen", "tijdelijke uitval door ziekte")),
)
LEEFDOMEIN_CODES = tuple(d.code for d in LEEFDOMEINEN)

# Zelfredzaamheid-Matrix scale, 1..5
SCORES = {
    1: "acute problematiek",
    2: "niet zelfredzaam",
    3: "beperkt zelfredzaam",
    4: "voldoende zelfredzaam",
    5: "volledig zelfredzaam",
}

LEVELS: tuple[str, ...] = ("Entree", "1", "2", "3", "4")
LEVEL_LABELS = {"Entree": "Entree", "1": "niveau 1", "2": "niveau 2", "3": "niveau 3", "4": "niveau 4"}

CONTACT_PREFERENCES = {
    "telefoon": "telefoon",
    "whatsapp": "WhatsApp",
    "email": "e-mail",
    "langskomen": "langskomen",
}

REFERRERS = {
    "zelf": "zelf",
    "studentcoach": "studiecoach/SLB'er",
    "lob": "LOB'er",
    "docent": "docent",
    "zorgcoordinator": "zorgcoördinator",
    "ouder": "ouder/verzorger",
    "extern": "extern",
}

URGENCIES = {"gewoon": "gewoon", "snel": "snel", "acuut": "acuut"}

STATUSES = {
    "aangemeld": "aangemeld",
    "wacht": "wacht op eerste gesprek",
    "lopend": "lopend",
    "overgedragen": "overgedragen",
    "afgesloten": "afgesloten",
}

# Who the study coach is for the student (the school's side of the driegesprek).
COACH_ROLES = {"slb": "SLB'er", "lob": "LOB'er", "mentor": "mentor", "studentcoach": "studiecoach"}

# How a file ends (status afgesloten); the verantwoording counts these.
CLOSE_REASONS = {
    "doel_bereikt": "doel bereikt",
    "overgedragen_intern": "overgedragen binnen het team",
    "overgedragen_extern": "overgedragen naar hulp buiten school",
    "gestopt": "gestopt (op eigen verzoek)",
    "uitgevallen": "uitgevallen van school",
}

ROLE_LABELS = {"coordinator": "coördinator", "worker": "hulpverlener"}

# The 18+ checklist (issue 5) when the team has not made its own list:
# (stable key, label). A student's ticks are stored under the key, so a
# coördinator may rename an item without losing what was ticked.
DEFAULT_CHECKLIST_18: tuple[tuple[str, str], ...] = (
    ("zorgverzekering", "zorgverzekering"),
    ("zorgtoeslag", "zorgtoeslag"),
    ("digid", "DigiD"),
    ("bank_inkomen", "bankrekening en inkomen"),
    ("studiefinanciering", "studiefinanciering of tegemoetkoming"),
    ("vervolg_zorg", "jeugdhulp loopt af: vervolg in Wmo/volwassenen-ggz geregeld"),
    ("bewindvoering", "bewindvoering: nodig of niet besproken"),
    ("wonen", "woonsituatie"),
    ("financieel_spreekuur", "financieel spreekuur bezocht"),
)

# Mother organisations of the people in the team (docs/domain.md, "one leg in").
MOTHER_ORGANISATIONS: tuple[str, ...] = (
    "jeugdhulp",
    "ggz",
    "verslavingszorg",
    "schoolmaatschappelijk werk",
    "jongerenwerk",
    "wijkteam",
    "GGD",
    "leerplicht/RMC",
    "budgetcoach",
)

PROFESSIONALS_SCHOOL: tuple[str, ...] = (
    "docent", "SLB'er/mentor/coach", "pluscoach", "decaan/LOB'er",
    "stagebegeleider/BPV-begeleider", "zorgcoördinator", "expert passend onderwijs",
    "expert instroom/overstap", "verzuimcoördinator", "vertrouwenspersoon",
)

PROFESSIONALS_EXTERNAL: tuple[str, ...] = (
    "schoolmaatschappelijk werker", "onderwijsconsulent", "praktijkopleider",
    "leerplichtambtenaar", "trajectbegeleider RMC", "jeugdhulp in de klas",
    "jeugdzorgwerker", "wijkteam", "medewerker sociaal domein", "schoolpsycholoog",
    "jongerenwerker", "verslavingszorg", "orthopedagoog", "lifecoach", "jobcoach",
    "werk & inkomen", "budgetcoach", "schuldhulpverlener", "bewindvoerder",
    "(jeugd)reclassering", "politie", "Halt", "begeleider pleegzorg",
    "jongerenhuisvesting", "jeugdbeschermer", "Veilig Thuis",
    "jeugdarts/jeugdverpleegkundige", "huisarts/POH-GGZ", "jeugd-ggz",
    "volwassenen-ggz", "GZ-psycholoog",
)
