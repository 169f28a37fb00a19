"""What AVG article 15 asks an inzage to tell, in plain Dutch (B1, "je").

Purposes and legal basis per kind of data, the categories (with the special
ones: health, criminal), the retention text and every right with the
Autoriteit Persoonsgegevens. ``jongerenteam.rights.inzage`` puts them in the
document; the choice of which lines apply is made from what the file holds.
Legal references are given in brackets for a reader who wants to check them.
"""

from __future__ import annotations

from datetime import date

AP_NAME = "Autoriteit Persoonsgegevens"
AP_SITE = "autoriteitpersoonsgegevens.nl"

# Groups of data, in the order the inzage names them; each kind of file entry
# belongs to one group (GROUP_OF in jongerenteam.rights.inzage).
DIRECTORY, HELP, SCORES, CONSENTS, SHARING, CORRECTIONS, EMERGENCY, LOG = (
    "gegevens", "hulp", "scores", "toestemming", "delen", "correctie", "noodtoegang", "logboek",
)

# (what it is, why we keep it, on what ground) per group.
PURPOSES: dict[str, tuple[str, str, str]] = {
    DIRECTORY: (
        "Je gegevens (naam, geboortedatum, opleiding, woongemeente, hoe we je bereiken)",
        "Zo kunnen we je vinden, je bereiken en afspraken met je maken. De gemeente betaalt het "
        "jongerenteam. Daarom tellen we hoeveel jongeren uit een gemeente hulp krijgen. De gemeente "
        "krijgt alleen aantallen, nooit je naam of je verhaal.",
        "{help_ground}",
    ),
    HELP: (
        "Gesprekken, inloop, aanmeldingen, werkafspraken en afspraken",
        "Om je goed te helpen. We schrijven op wat je vraag is, wat er is besproken en wat we hebben "
        "afgesproken. Zo hoef je je verhaal niet steeds opnieuw te vertellen.",
        "{help_ground}",
    ),
    SCORES: (
        "Scores op leefgebieden",
        "Om samen te zien hoe het met je gaat en of de hulp helpt.",
        "{help_ground}",
    ),
    CONSENTS: (
        "Toestemmingen",
        "Om vast te leggen met wie we iets over jou mogen delen, waarover en tot wanneer.",
        "Jouw toestemming (AVG artikel 6 lid 1a). Je mag een toestemming altijd intrekken.",
    ),
    SHARING: (
        "Overdrachten naar andere hulp",
        "Om je goed door te verwijzen naar andere hulp, zonder dat je alles opnieuw moet vertellen.",
        "Jouw toestemming. Zonder toestemming delen we alleen als de wet dat toestaat: bij acuut gevaar, "
        "of volgens de meldcode huiselijk geweld en kindermishandeling.",
    ),
    CORRECTIONS: (
        "Je verzoeken om iets te verbeteren",
        "Om te laten zien wat je vroeg, wat we hebben gedaan en waarom.",
        "Een plicht uit de wet (AVG artikel 16 en 19).",
    ),
    EMERGENCY: (
        "Noodtoegang",
        "Soms moet een collega die niet bij je dossier hoort het toch openen, bijvoorbeeld bij acuut "
        "gevaar. We schrijven op wie dat deed en waarom.",
        "Een plicht uit de wet: je gegevens goed beveiligen (AVG artikel 32).",
    ),
    LOG: (
        "Het logboek: wie je dossier heeft bekeken of veranderd",
        "Om te controleren dat alleen de goede mensen je dossier lezen.",
        "Een plicht uit de wet: je gegevens goed beveiligen (AVG artikel 32, NEN 7513).",
    ),
}

HELP_GROUND = {
    "jeugdwet": (
        "Hulp geven is een taak die de wet aan het jongerenteam geeft (AVG artikel 6 lid 1e): tot je 18e de "
        "Jeugdwet, vanaf je 18e de Wmo 2015."
    ),
    "school": (
        "Je hebt zelf om hulp gevraagd, en de school moet studenten goed begeleiden (Wet educatie en "
        "beroepsonderwijs; AVG artikel 6 lid 1e)."
    ),
}
SPECIAL_GROUND = {
    "gezondheid": (
        "Over je gezondheid schrijven we alleen op wat nodig is om je te helpen (AVG artikel 9, "
        "Uitvoeringswet AVG artikel 30)."
    ),
    "justitie": (
        "Over contact met politie of justitie schrijven we alleen op wat nodig is om je te helpen "
        "(AVG artikel 10, Uitvoeringswet AVG artikel 33)."
    ),
}

# Categories of data: (label, shown when).
CATEGORY_TEXT = {
    "naam": "Wie je bent: je naam en je geboortedatum.",
    "contact": "Hoe we je bereiken: je telefoonnummer of e-mailadres.",
    "school": "Je opleiding: opleiding, niveau, leerjaar of studentnummer.",
    "gemeente": "Waar je woont: je woongemeente (geen adres).",
    "hulp": "Wat je ons vertelde en wat we afspraken: je vraag, gesprekken, werkafspraken.",
    "scores": "Hoe het met je gaat op leefgebieden, als score van 1 tot 5.",
    "toestemming": "Met wie we iets over jou mogen delen.",
    "anderen": "Andere hulpverleners die bij je betrokken zijn.",
    "delen": "Overdrachten naar andere hulp.",
    "logboek": "Wie je dossier heeft bekeken of veranderd, en wanneer.",
    "gezondheid": (
        "Gegevens over je gezondheid, ook over hoe je je voelt of over verslaving. De wet noemt dit "
        "bijzondere persoonsgegevens. Die zijn extra beschermd."
    ),
    "justitie": (
        "Gegevens over contact met politie of justitie. De wet noemt dit strafrechtelijke gegevens. "
        "Die zijn extra beschermd."
    ),
}
# Leefdomeinen whose data counts as a special category.
SPECIAL_DOMAINS = {"gezondheid": "gezondheid", "welzijn": "gezondheid", "justitie": "justitie"}

RIGHTS: tuple[tuple[str, str], ...] = (
    ("Inzien", "Je mag altijd vragen wat we over je hebben vastgelegd. Dat is dit overzicht."),
    ("Verbeteren", "Klopt er iets niet? Vraag ons dan om het te verbeteren (AVG artikel 16)."),
    ("Wissen", (
        "Je mag vragen om je gegevens te wissen. Soms mag dat niet, bijvoorbeeld als de wet zegt dat we ze "
        "moeten bewaren. Dan leggen we uit waarom (AVG artikel 17)."
    )),
    ("Beperken", (
        "Je mag vragen dat we je gegevens een tijd niet gebruiken, bijvoorbeeld terwijl we nakijken of iets "
        "klopt (AVG artikel 18)."
    )),
    ("Bezwaar maken", (
        "Je mag bezwaar maken tegen wat we met je gegevens doen. Dan kijken we opnieuw of het echt nodig is "
        "(AVG artikel 21)."
    )),
    ("Toestemming intrekken", (
        "Gaf je toestemming om iets te delen? Die mag je altijd intrekken. Wat al gedeeld is, blijft "
        "gedeeld."
    )),
    ("Geen computerbesluit", "Een computer beslist niets over jou. Dat doen altijd mensen."),
    ("Klacht", (
        "Ben je het niet eens met hoe we met je gegevens omgaan? Praat erover met je hulpverlener. Je mag "
        f"ook een klacht indienen bij de {AP_NAME}: {AP_SITE}."
    )),
)
ASK = (
    "Wil je iets vragen of een van deze rechten gebruiken? Zeg het tegen {contact}, of tegen een andere "
    "hulpverlener van het team. Je krijgt binnen een maand antwoord. Dit kost niets."
)


def retention_lines(regime_label: str, years: int, closed_on: date | None, ends_on: date | None,
                    jeugdwet: bool) -> tuple[str, ...]:
    """How long the file is kept, for the student."""
    lines = [f"Voor je dossier geldt de bewaartermijn voor {regime_label}: {years} jaar na het afsluiten."]
    if closed_on is None or ends_on is None:
        lines.append(f"Je dossier is nog open. Als het is afgesloten, bewaren we het nog {years} jaar.")
    else:
        lines.append(f"Je dossier is afgesloten op {closed_on:%d-%m-%Y}. We bewaren het tot {ends_on:%d-%m-%Y}.")
    if jeugdwet:
        lines.append("De Jeugdwet zegt dat we een dossier van jeugdhulp minstens 20 jaar moeten bewaren.")
    lines.append(
        "Daarna wissen we alles. Alleen tellingen zonder je naam blijven over. Wil je dat we eerder wissen? "
        "Dat mag je vragen (zie Je rechten)."
    )
    return tuple(lines)
