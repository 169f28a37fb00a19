"""Dutch sentences for every error a user can cause, and the exit codes.

One place, so they can be reviewed together. No sentence includes student
data; some name a worker (who saved first in a conflict) or the store
location the user gave.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from jongerenteam import errors as core
from storage import errors as e

EXIT_OK = 0
EXIT_BROKEN = 1  # audit verify found a break
EXIT_USAGE = 2
EXIT_WRONG_PASSPHRASE = 3
EXIT_MISSING = 4
EXIT_DAMAGED = 5
EXIT_LOCKED = 6
EXIT_DISK_FULL = 7
EXIT_NEWER_SCHEMA = 8
EXIT_EXISTS = 9
EXIT_NOT_ALLOWED = 10
EXIT_CONFLICT = 11
EXIT_TAMPERED = 12
EXIT_UNAVAILABLE = 13  # the database server cannot be reached or the connection was lost
EXIT_ACCESS_DENIED = 14  # the database server refused the login
EXIT_NOT_HERE = 15  # backup/restore of a server store: the IT department's pg_dump
EXIT_CANCELLED = 130
EXIT_OTHER = 70


_COORDINATOR_ONLY = "Alleen een coördinator mag dit doen."

# One Dutch sentence per reason something is not allowed (storage.errors.Reason).
NOT_ALLOWED: dict[e.Reason, str] = {
    e.Reason.COORDINATOR_ONLY: _COORDINATOR_ONLY,
    e.Reason.NOT_A_COORDINATOR: "Dit wachtwoord is niet van een coördinator. Noodtoegang kan alleen met het wachtwoord van een coördinator.",
    e.Reason.COORDINATOR_WITHOUT_ESCROW: "Deze coördinator heeft (nog) geen sleutel voor noodtoegang. Vraag een andere coördinator, of stel het wachtwoord opnieuw in met de herstelcode.",
    e.Reason.ESCROW_NOT_OPEN: "Hiervoor is het wachtwoord van een coördinator nodig; typ het opnieuw.",
    e.Reason.FIRST_WORKER_COORDINATOR: "De eerste medewerker van een team is de coördinator.",
    e.Reason.CANNOT_DEACTIVATE_SELF: "Je kunt jezelf niet deactiveren. Vraag een andere coördinator.",
    e.Reason.SAME_WORKER: "Kies een andere medewerker als nieuwe contactpersoon.",
    e.Reason.INACTIVE_WORKER: "Deze collega werkt niet meer in het team. Kies iemand anders.",
    e.Reason.REASON_NEEDED: "Kies een reden voor de noodtoegang.",
    e.Reason.EMERGENCY_NEEDS_REASON: "Kies een reden voor de noodtoegang.",
    e.Reason.ERASURE_NEEDS_REASON: "Kies een reden voor het wissen.",
    e.Reason.CONTACT_PERSON: "De contactpersoon kan niet van het dossier af. Maak eerst iemand anders contactpersoon (tabblad Betrokkenen, toets p).",
    e.Reason.LAST_INVOLVED: "Dit is de enige betrokken medewerker; een dossier heeft altijd iemand nodig. Voeg eerst een collega toe.",
    e.Reason.REMOVED: "Dit onderdeel is intussen door een collega verwijderd.",
    e.Reason.NOT_EDITABLE: "Dit onderdeel kun je niet bewerken.",
    e.Reason.RECEIVER_ONLY: "Alleen de collega aan wie de overdracht is voorgesteld kan die accepteren of afwijzen.",
    e.Reason.IMPOSSIBLE_STEP: "Deze stap kan niet meer: een collega heeft de overdracht intussen verder gezet. Herlaad het overzicht.",
    e.Reason.HANDOVER_OPEN: "Er loopt al een overdracht voor deze student. Rond die eerst af of trek hem in.",
    e.Reason.UNKNOWN_HANDOVER: "Deze overdracht bestaat niet meer. Herlaad het overzicht.",
    e.Reason.CONTACT_ONLY: "Alleen de contactpersoon van de student kan de student aan een collega overdragen (of een coördinator, met een reden).",
    e.Reason.COORDINATOR_REASON: "Je bent niet de contactpersoon. Schrijf als coördinator op waarom jij deze overdracht voorstelt; de contactpersoon ziet die reden.",
    e.Reason.HANDOVER_NOT_SIGNED: (
        "Deze overdracht klopt niet met het logboek: wie hem voorstelde, of hoe lang de vorige hulpverlener "
        "meeleest, is buiten jongerenteam om veranderd. Neem hem niet aan en meld het bij de coördinator."
    ),
    e.Reason.ACCESS_DAYS_NEW_HELPER: "Hoe lang de oude hulpverlener meeleest, verandert alleen de nieuwe hulpverlener of een coördinator. De oude hulpverlener kan het alleen korter maken of stoppen.",
    e.Reason.OLD_HELPER_ONLY: "Alleen de oude hulpverlener kan de eigen meeleestoegang stoppen.",
    e.Reason.MELDCODE_STARTER_ONLY: "Alleen wie de meldcode startte, kan collega's toevoegen of weghalen.",
    e.Reason.MELDCODE_SELF: "Je kunt jezelf niet weghalen uit je eigen meldcode.",
    e.Reason.ALREADY_LINKED: "Deze anonieme inloop is al gekoppeld aan een student. Een inloop hoort bij één student; er is niets opgeslagen.",
    e.Reason.BACKUP_COORDINATOR: "Log in als coördinator uit de back-up: alleen een coördinator kan alles in de back-up controleren en bevestigen dat hij terug mag. Er is niets teruggezet; de huidige opslag is niet veranderd.",
}


# Said when a window's own worker was deactivated meanwhile (storage.audit.require_active).
DEACTIVATED = (
    "Je account is door een coördinator gedeactiveerd. Dit venster is vergrendeld en slaat niets meer op. "
    "Vraag de coördinator als dit niet klopt."
)


def wait_sentence(seconds: int) -> str:
    """The wait after too many wrong passphrases, as the unlock screen says it."""
    amount = "1 seconde" if seconds == 1 else f"{seconds} seconden"
    return f"Te vaak een verkeerd wachtwoord. Wacht {amount} en probeer het dan opnieuw."


# Said when a key slot is opened that was made with the test suite's cheap
# key derivation (below OWASP's floor), outside the test suite.
WEAK_KEY_SLOT = (
    "Let op: dit wachtwoord is met een te zwakke instelling opgeslagen (de instelling voor het testen van "
    "jongerenteam). Kies een nieuw wachtwoord: in de app met F2 (Wachtwoord wijzigen), of met de herstelcode "
    "('jongerenteam recover' of Team beheren). Dan wordt het goed beveiligd."
)


# Said at set-up when the key derivation takes much longer than its aim (0.5 s) on this laptop:
# the floor holds (storage.keyslots), so every unlock takes this long here.
SLOW_KEY_SETUP = (
    "Het afstemmen van de beveiliging op deze laptop ging traag: ontgrendelen duurt hier ongeveer "
    "{seconds} seconden. Dat komt door een trage of erg drukke laptop. De beveiliging is er niet minder "
    "om. Gaat het elke keer zo traag, vraag dan de ICT van de school naar de laptop."
)


def explain(exc: BaseException) -> tuple[str, int]:
    """Return (Dutch sentence, exit code) for an error; never a traceback.

    An error nobody foresaw (the sentence "Er ging iets onverwachts mis", a
    store error without a known cause, a file that could not be read) is
    also written to the error log, without values (jongerenteam.errorlog),
    so whoever looks into it later knows where it happened.
    """
    text, code = _explain(exc)
    if code == EXIT_OTHER:
        from jongerenteam import errorlog

        errorlog.record(exc, "onverwacht")
    return text, code


def _explain(exc: BaseException) -> tuple[str, int]:
    where = getattr(exc, "where", "")
    match exc:
        case core.WeakPassphrase():
            return exc.message, EXIT_USAGE
        case core.PassphraseWait():
            return wait_sentence(exc.seconds), EXIT_WRONG_PASSPHRASE
        case core.InsecureTestKdf():
            return (
                f"De omgevingsvariabele {exc.variable} staat aan. Die is alleen voor het testen van jongerenteam: "
                "wachtwoorden worden er zwak door beveiligd. jongerenteam start daarom niet. Haal de variabele weg "
                f"(bijvoorbeeld met 'unset {exc.variable}') en start jongerenteam opnieuw."
            ), EXIT_USAGE
        case e.WrongPassphrase():
            if where == "recovery":
                return "De herstelcode klopt niet. Controleer de code op papier en probeer het opnieuw.", EXIT_WRONG_PASSPHRASE
            return "Het wachtwoord klopt niet. Probeer het opnieuw.", EXIT_WRONG_PASSPHRASE
        case e.StoreMissing() if "://" in where and exc.info.get("reason") == "empty":
            return f"De database {where} is nog geen teamopslag. Maak er een met 'jongerenteam init --store {where}'.", EXIT_MISSING
        case e.StoreMissing() if "://" in where:
            return f"De database {where} bestaat niet. Vraag de ICT-afdeling om hem aan te maken (zie docs/postgresql.md).", EXIT_MISSING
        case e.StoreMissing() if exc.info.get("reason") == "empty":
            return f"Dit bestand is nog geen teamopslag: {where}. Maak er een met 'jongerenteam init'.", EXIT_MISSING
        case e.StoreMissing():
            return f"Er is nog geen teamopslag op {where}. Maak er een met 'jongerenteam init' of probeer eerst 'jongerenteam demo'.", EXIT_MISSING
        case e.StoreExists() if "://" in where:
            return f"Er staat al een teamopslag in de database {where}. Kies een andere database met --store.", EXIT_EXISTS
        case e.StoreExists():
            return f"Er staat al een teamopslag op {where}. Kies een ander bestand met --store.", EXIT_EXISTS
        case e.StoreDamaged():
            return f"De teamopslag op {where} is beschadigd of is geen teamopslag. Zet een back-up terug met 'jongerenteam restore'.", EXIT_DAMAGED
        case e.StoreLocked():
            return "De teamopslag is bezet door een ander programma. Wacht even en probeer het opnieuw.", EXIT_LOCKED
        case e.StoreUnavailable():
            return "De verbinding met de database is verbroken of de databaseserver is niet bereikbaar. Je tekst is bewaard; probeer het opnieuw als de verbinding terug is.", EXIT_UNAVAILABLE
        case e.StoreAccessDenied():
            return f"De databaseserver weigert de toegang tot {where}. Controleer de gebruikersnaam en het wachtwoord, of vraag de ICT-afdeling om toegang (pg_hba.conf en rechten).", EXIT_ACCESS_DENIED
        case e.ServerBackup():
            return "Deze teamopslag staat op een databaseserver van school. Back-ups daarvan maakt (en zet terug) de ICT-afdeling met pg_dump; zie docs/postgresql.md. 'jongerenteam backup' en 'restore' werken alleen voor een opslag op deze laptop.", EXIT_NOT_HERE
        case e.DiskFull() if "://" in where:
            return "De schijf van de databaseserver is vol: er is niets opgeslagen. Meld dit bij de ICT-afdeling; eerder opgeslagen gegevens zijn veilig.", EXIT_DISK_FULL
        case e.DiskFull():
            return "De schijf is vol: er is niets opgeslagen. Maak ruimte vrij en probeer het opnieuw; eerder opgeslagen gegevens zijn veilig.", EXIT_DISK_FULL
        case e.NewerSchema():
            return "Deze teamopslag is gemaakt met een nieuwere versie van jongerenteam. Installeer de nieuwste versie.", EXIT_NEWER_SCHEMA
        case e.WorkerExists():
            return "Er is al een actieve medewerker met deze initialen. Kies andere initialen (bijvoorbeeld met een extra letter).", EXIT_EXISTS
        case e.UnknownStudent():
            return "Deze student bestaat niet (meer) in de teamopslag. Herlaad de lijst.", EXIT_MISSING
        case e.UnknownWorker():
            return "Deze medewerker bestaat niet in dit team.", EXIT_NOT_ALLOWED
        case e.WorkerInactive() if exc.info.get("own"):
            return DEACTIVATED, EXIT_NOT_ALLOWED
        case e.WorkerInactive():
            return "Deze medewerker is niet meer actief in het team. Vraag de coördinator om hulp.", EXIT_NOT_ALLOWED
        case e.NotAllowed():
            return NOT_ALLOWED[exc.reason], EXIT_NOT_ALLOWED
        case e.NotInvolved():
            return "Je bent niet betrokken bij deze student, dus je kunt dit dossier niet openen.", EXIT_NOT_ALLOWED
        case e.Conflict():
            # One thing to do, and doing it keeps the colleague's change: nothing was overwritten.
            return (
                f"Gewijzigd door {exc.by_name} om {exc.at}, terwijl jij dit open had. Jouw wijziging is niet opgeslagen, "
                "zodat die van je collega blijft staan: open het opnieuw en kijk of je wijziging nog nodig is."
            ), EXIT_CONFLICT
        case e.LogTampered():
            return (
                "Het logboek van deze teamopslag is ingekort of veranderd buiten het programma om. "
                "Daarom gaat de opslag niet open: zo kan niemand het verbergen. "
                "Meld dit meteen bij de coördinator; die kan een back-up terugzetten (zie de handleiding, 'Een back-up terugzetten').",
                EXIT_TAMPERED,
            )
        case e.KeySwapped():
            return (
                "De sleutel van deze collega in de teamopslag is vervangen buiten het programma om. "
                "Daarom wordt er nu niets voor deze collega versleuteld (geen overdracht, geen toegang). "
                "Meld dit bij de coördinator; zodra de collega weer inlogt, is de eigen sleutel hersteld.",
                EXIT_TAMPERED,
            )
        case e.Tampered():
            return f"Een opgeslagen gegeven is beschadigd of veranderd buiten het programma om ({where}). Het wordt niet getoond; meld dit bij de coördinator.", EXIT_TAMPERED
        case e.StoreInUse() if exc.info.get("reason") == "restore":
            return "Er wordt op dit moment een back-up teruggezet in deze teamopslag. Wacht tot dat klaar is en open jongerenteam daarna opnieuw.", EXIT_LOCKED
        case e.StoreInUse():
            return "De app is nog geopend op deze opslag (op deze laptop). Sluit jongerenteam overal af en probeer het opnieuw.", EXIT_LOCKED
        case e.BackupUnusable():
            return _backup_unusable(where, exc.info.get("reason"))
        case e.BackupDamaged():
            parts = damage_phrases(_counts(exc.info.get("damaged")), _counts(exc.info.get("students")), _seq(exc.info.get("audit_seq")))
            verb = "is" if len(parts) == 1 and parts[0][1] else "zijn"
            return f"De back-up {where} kan niet worden teruggezet: {_and([p for p, _ in parts])} {verb} beschadigd. Kies een andere (oudere) back-up; de huidige opslag is niet veranderd.", EXIT_TAMPERED
        case e.StoreError():
            return "De teamopslag gaf een onverwachte fout. Er is niets verloren gegaan; probeer het opnieuw.", EXIT_OTHER
        case KeyboardInterrupt():
            return "Afgebroken.", EXIT_CANCELLED
        case OSError() if getattr(exc, "errno", None) == 28:
            return "De schijf is vol: er is niets opgeslagen. Maak ruimte vrij en probeer het opnieuw.", EXIT_DISK_FULL
        case OSError():
            return f"Het bestand kon niet worden gelezen of geschreven ({getattr(exc, 'filename', '') or 'onbekend'}).", EXIT_OTHER
    return "Er ging iets onverwachts mis. Er is niets verloren gegaan; probeer het opnieuw.", EXIT_OTHER


# -- backups that cannot go back ------------------------------------------------------

_KEPT = "de huidige opslag is niet veranderd."


def _backup_unusable(where: str, reason: object) -> tuple[str, int]:
    """What is wrong with *this file* and what to do; never "zet een back-up terug"."""
    match reason:
        case "missing":
            return f"Het bestand {where} bestaat niet. Controleer de naam en de map van de back-up; {_KEPT}", EXIT_MISSING
        case "folder":
            return f"{where} is een map, geen back-upbestand. Kies het back-upbestand zelf (bijvoorbeeld team.jtbackup); {_KEPT}", EXIT_MISSING
        case "empty":
            return f"Het bestand {where} is leeg (0 bytes): er staat geen back-up in, misschien is het kopiëren mislukt. Kies een andere back-up; {_KEPT}", EXIT_DAMAGED
        case "truncated":
            return f"De back-up {where} is niet compleet: het bestand houdt halverwege op, bijvoorbeeld omdat het kopiëren niet af was. Kopieer de back-up opnieuw of kies een andere; {_KEPT}", EXIT_DAMAGED
        case "not sqlite":
            return f"Het bestand {where} is geen back-up van jongerenteam: het is beschadigd of is geen teamopslag (maar bijvoorbeeld een document of foto). Kies het juiste back-upbestand; {_KEPT}", EXIT_DAMAGED
        case "not a store":
            return f"Het bestand {where} is een database, maar geen back-up van jongerenteam. Kies het juiste back-upbestand; {_KEPT}", EXIT_DAMAGED
        case "newer":
            return f"De back-up {where} is gemaakt met een nieuwere versie van jongerenteam. Installeer eerst de nieuwste versie en zet de back-up daarna terug; {_KEPT}", EXIT_NEWER_SCHEMA
        case "same":
            return f"{where} is de teamopslag zelf, geen back-up. Kies het back-upbestand dat je terug wilt zetten; {_KEPT}", EXIT_USAGE
        case "unreadable":
            return f"Het bestand {where} kan niet worden gelezen (geen toegang). Kies een andere back-up of vraag de ICT-afdeling om hulp; {_KEPT}", EXIT_OTHER
    return f"De back-up {where} is beschadigd: de controle van het bestand vond fouten. Kies een andere (oudere) back-up; {_KEPT}", EXIT_DAMAGED


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


def _counts(value: object) -> Mapping[str, int]:
    """A count per kind from an error's info (``storage.backup.ContentCheck.summary``)."""
    return value if isinstance(value, dict) else {}


def _seq(value: object) -> int | None:
    return value if isinstance(value, int) else None


def damage_phrases(damaged: Mapping[str, int], students: Mapping[str, int], audit_seq: int | None = None) -> list[tuple[str, bool]]:
    """Dutch words for the damage counted by ``storage.backup.check_contents``.

    Returns (phrase, singular) pairs in a fixed order, e.g. ("3 dossierregels
    van 2 studenten", False). Counts only: no names, no values.
    """

    def of_students(kind: str) -> str:
        return _n(students.get(kind, 0) or damaged[kind], "student", "studenten")

    words: dict[str, Callable[[int], tuple[str, bool]]] = {
        "file_entries": lambda n: (f"{_n(n, 'dossierregel', 'dossierregels')} van {of_students('file_entries')}", n == 1),
        "student_keys": lambda n: (f"de dossiersleutel van {of_students('student_keys')}", True),
        "private_keys": lambda n: (f"de sleutel voor aanvullingen van collega's in het dossier van {of_students('private_keys')}", True),
        "directory": lambda n: (f"de gegevens (naam, geboortedatum en dergelijke) van {of_students('directory')}", False),
        "statistics": lambda n: (f"{_n(n, 'regel', 'regels')} van de cijfers voor de rapportage", n == 1),
        "social_map": lambda n: (f"{_n(n, 'adres', 'adressen')} op de sociale kaart", n == 1),
        "anonymous_contacts": lambda n: (f"{_n(n, 'anonieme inloop', 'anonieme inlopen')}", n == 1),
        "worker_contacts": lambda n: (f"de bereikbaarheid van {_n(n, 'medewerker', 'medewerkers')}", True),
        "wraps": lambda n: (f"{_n(n, 'dossiersleutel', 'dossiersleutels')} van medewerkers", n == 1),
        "pending_wraps": lambda n: (f"{_n(n, 'sleutel', 'sleutels')} van een overdracht die nog wacht", n == 1),
        "escrow": lambda n: ("de sleutel voor noodtoegang van deze coördinator", True),
        "drafts": lambda n: (f"{_n(n, 'bewaard, niet-opgeslagen formulier', 'bewaarde, niet-opgeslagen formulieren')}", n == 1),
    }
    out = [words[kind](damaged[kind]) for kind in words if damaged.get(kind)]
    if audit_seq is not None or damaged.get("audit"):
        out.append((f"het logboek (vanaf regel {audit_seq})" if audit_seq else "het logboek", True))
    return out or [("een versleuteld gegeven", True)]
