"""Every word of the warme overdracht on screen, in one place (and the choices of the wizard)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from jongerenteam import domainwords
from jongerenteam import handover as h

TEXT = {
    "propose": "Voorstellen",
    "title": "Warme overdracht · {name}",
    "hint": (
        "Kies soort en ontvanger; het document wordt samengesteld uit het dossier. Tab: volgend veld · ctrl+s: voorstellen · "
        "Esc: terug"
    ),
    "kind": "Soort",
    "receiver": "Aan",
    "free": "Of typ een naam",
    "free_hint": "Iemand die niet op de sociale kaart staat: naam, en eventueel rol en organisatie na komma's.",
    "ground": "Wettelijke grond",
    "ground_none": "geen",
    "ground_reason": "Waarom zonder toestemming",
    "document": "Overdrachtsdocument",
    "view": "De student",
    "objection": "Bezwaar van de student",
    "follow": "Nagaan op",
    "days": "Meelezen (dagen)",
    "no_receivers_intern": "Er zijn geen andere collega's in het team.",
    "no_receivers_kaart": "De sociale kaart is leeg: typ hieronder de naam, of vul de kaart (F4).",
    "composing": "Document wordt samengesteld…",
    "left_out": "Weggelaten (geen toestemming):",
    "nothing_left_out": "Alles uit het dossier mag mee naar deze ontvanger.",
    "blocked": "Dit kan alleen met een wettelijke grond. {why}",
    "edited_kept": "Je hebt het document bewerkt; het is niet opnieuw samengesteld. F5: opnieuw samenstellen.",
    "saved": "Overdracht voorgesteld aan {name}.",
    "card_title": "Overdracht {kind} · {state}",
    "card_from": "Van: {name}",
    "card_to": "Aan: {name}",
    "card_access": "{name} leest mee tot {until:%d-%m-%Y}.",
    "card_follow": "Nagaan op: {day:%d-%m-%Y}",
    "card_meeting": "Kennismaking op: {day:%d-%m-%Y}",
    "card_access_short": "Let op: {name} leest dan niet meer mee. De nieuwe hulpverlener kan het meelezen verlengen met l.",
    "card_new": "Deze overdracht is {state}. n: een nieuwe overdracht beginnen.",
    "card_steps": "Stappen",
    "card_doc": "Document",
    "not_readable": "Je ziet het document na acceptatie (je krijgt dan het dossier).",
    "proposal_doc": "Het overdrachtsdocument lees je nu al; het dossier zelf krijg je na acceptatie.",
    "decline_title": "Overdracht afwijzen",
    "decline_label": "Reden",
    "withdraw_title": "Overdracht intrekken",
    "meeting_title": "Kennismaking plannen (student, oude en nieuwe hulpverlener)",
    "meeting_label": "Datum",
    "contact_title": "Contact bevestigen",
    "contact_label": "Datum contact",
    "finish_title": "Overdracht afronden",
    "finish_label": "Toelichting (mag leeg)",
    "access_title": "Meelezen van de oude hulpverlener",
    "access_label": "Dagen na acceptatie",
    "follow_title": "Nieuwe opvolgdatum",
    "pdf_title": "Overdrachtsdocument als PDF",
    "text_title": "Overdrachtsdocument als tekstbestand",
    "path_label": "Bestand",
    "written": "Opgeslagen: {result}",
    "caseload_title": "Caseload overdragen · {name}",
    "caseload_hint": (
        "Kies per student een collega met 1-9 of Enter (lijst van alle collega's); 0: niet overdragen; a: alle naar één "
        "collega. ctrl+s: alle overdrachten voorstellen · Esc: terug"
    ),
    "caseload_who": "Van wie",
    "caseload_to": "Naar wie",
    "caseload_none": "{name} is van geen open dossier contactpersoon.",
    "caseload_done": "{n} {overdrachten} voorgesteld. Niet overgedragen: {skipped}.",
    "caseload_done_all": "{n} {overdrachten} voorgesteld.",
    "caseload_held": "{n} met een nieuwe contactpersoon; het dossier gaat voor die collega open na toestemming van de student.",
    "caseload_all_to": "Alle studenten naar",
    "caseload_summary": "Voorstellen: {parts}. Blijven staan: {stay}. Doorgaan?",
    "outcome_proposed": "voorgesteld aan {name}",
    "outcome_held": "{name} contactpersoon; dossier na toestemming",
    "outcome_skipped": "niet: {why}",
    "not_involved": "Je bent niet betrokken bij deze student; alleen betrokkenen dragen over.",
    "receiver_needed": "Kies aan wie je overdraagt.",
    "words_found": "Let op: in het document staan woorden over leefdomeinen waarvoor de student geen toestemming gaf "
                   "om met {name} te delen:",
    "words_more": "  … en nog {n} regels",
    "words_over": "Gaat over {what}.",
    "words_fix": "Haal ze weg uit het document, of kies hieronder een wettelijke grond en schrijf op waarom.",
    "words_ground": "Grond voor deze woorden",
    "card_words": (
        "Let op: dit document noemt leefdomeinen waarvoor de student nu geen toestemming heeft om met deze "
        "ontvanger te delen ({what}). Opslaan als PDF of tekst (p, t) kan pas als je toestemming vastlegt, of als "
        "je de overdracht intrekt en opnieuw voorstelt."
    ),
    "words_reason": "Waarom toch delen",
    "days_needed": "Vul het aantal dagen in, bijvoorbeeld 42 (zes weken).",
    "line_hint": "Enter of ctrl+s: bewaren · Esc: terug",
    "accept_question": (
        "Overdracht van {name} accepteren? Je wordt contactpersoon en krijgt het dossier. Open werkafspraken van "
        "de vorige hulpverlener staan daarna op jouw naam."
    ),
    "accepted": "Geaccepteerd: je bent nu contactpersoon en kunt het dossier openen.",
    "access_days_bad": "Vul een aantal dagen in, bijvoorbeeld 42.",
    "access_title_shorter": "Korter meelezen (langer kan alleen de nieuwe hulpverlener)",
    "end_access_question": (
        "Stoppen met meelezen in het dossier van {name}? Je kunt het dossier daarna niet meer openen. "
        "De nieuwe hulpverlener ziet dat je gestopt bent."
    ),
    "end_access_done": "Je leest niet meer mee in dit dossier.",
    "coord_reason": "Reden (coördinator)",
    "card_held": (
        "Je bent nu contactpersoon. Het dossier gaat voor je open zodra de student toestemming gaf om alles met jou "
        "te delen: vraag het de student en leg het vast met g. Staat die toestemming er al, open het dan met a."
    ),
    "held_question": "Het dossier van {name} openen? Dat kan alleen als de toestemming van de student er al in staat.",
    "consent_title": "Toestemming vastleggen: alles delen met jou (nieuwe contactpersoon)",
    "consent_label": "Gegeven door (student, ouders of beide)",
    "consent_giver_bad": "Typ student, ouders of beide.",
    "consent_done": "Toestemming vastgelegd: je kunt het dossier nu openen.",
    "coord_reason_hint": "Je bent niet de contactpersoon. De contactpersoon ziet deze reden op Vandaag en in het dossier.",
    "coordinator_caseload_reason": "Reden (de contactpersoon ziet die)",
    "left_out_title": "Weggelaten:",
    "no_colleague": "Onder {n} staat geen collega. Kies 1-{count} of Enter.",
    "more_colleagues": " · Enter: alle {n} collega's",
    "not_assigned": " · 0 niet",
    "pick_first": "Kies eerst per student een collega (1-9 of Enter).",
    "busy": "Bezig…",
    "coordinator_caseload": "Alleen een coördinator draagt de caseload van een collega over.",
}

KIND_OPTIONS = [(h.INTERN, "intern"), (h.EXTERN, "extern"), (h.ADULT, "18+")]
GROUND_OPTIONS = [("", TEXT["ground_none"])] + [(code, label) for code, label in h.LEGAL_GROUNDS.items()]
VIEW_OPTIONS = [("akkoord", "gezien, akkoord"), ("bezwaar", "gezien, bezwaar"), ("niet", "nog niet gezien")]


WORDS_SHOWN_LINES = 6
WORD_STYLE = "bold reverse"


def words_text(document: str, hits: Sequence[domainwords.Hit], receiver: str) -> Text:
    """The lines of the document with words of leefdomeinen without consent, those words
    highlighted (a ``Text`` built from the plain document: never markup)."""
    out = Text()
    out.append(TEXT["words_found"].format(name=receiver or "deze ontvanger") + "\n", style="bold")
    starts: list[int] = []
    for hit in hits:
        start = document.rfind("\n", 0, hit.start) + 1
        if start not in starts:
            starts.append(start)
    for start in starts[:WORDS_SHOWN_LINES]:
        end = document.find("\n", start)
        end = len(document) if end < 0 else end
        out.append("  ")
        at = start
        for hit in (x for x in hits if start <= x.start < end):
            out.append(document[at:hit.start])
            out.append(document[hit.start:min(hit.end, end)], style=WORD_STYLE)
            at = min(hit.end, end)
        out.append(document[at:end] + "\n")
    if len(starts) > WORDS_SHOWN_LINES:
        out.append(TEXT["words_more"].format(n=len(starts) - WORDS_SHOWN_LINES) + "\n")
    out.append(TEXT["words_over"].format(what=domainwords.describe(hits)) + "\n")
    out.append(TEXT["words_fix"])
    return out
