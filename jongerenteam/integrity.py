"""Rollback seen: what this laptop's app remembers of each team's store.

The memory (``storage.integrity.Seen``: the newest audit head seen per team,
no personal data) lives outside the store, in the user's state folder
(platformdirs), written atomically and readable by this user only. At every
unlock ``after_unlock`` compares, records the new head, and returns the Dutch
sentences the worker must read (the app shows them, the CLI prints them).
"""

from __future__ import annotations

import json
from pathlib import Path

from storage import integrity
from storage.integrity import REPLACED, ROLLED_BACK, Findings, Seen
from storage.keyring import Keys
from storage.rights import write_private
from storage.store import Store

STATE_FILE = "gezien.json"

TEXT = {
    ROLLED_BACK: (
        "Let op: deze teamopslag is ouder dan de versie die je op deze laptop eerder zag "
        "(logboek tot regel {found}, eerder gezien tot regel {seen}). Misschien is er een oude kopie "
        "teruggezet buiten het programma om. Wat sindsdien is vastgelegd, ontbreekt mogelijk. "
        "Meld dit meteen bij de coördinator; dit staat ook in het logboek."
    ),
    REPLACED: (
        "Let op: het logboek van deze teamopslag is niet meer hetzelfde als wat je op deze laptop eerder "
        "zag (vanaf regel {seen}). Misschien is de opslag vervangen door een andere kopie. "
        "Meld dit meteen bij de coördinator; dit staat ook in het logboek."
    ),
    "not_remembered": (
        "De app kon op deze laptop niet bijhouden welke versie van de teamopslag je zag "
        "(de map {folder} is niet te schrijven of de schijf is vol). Zo kan hij een oude kopie niet opmerken."
    ),
    "seen_cut": (
        "Let op: het logboek is korter dan (of niet meer hetzelfde als) toen {name} het de laatste keer zag. "
        "Iemand heeft buiten het programma om regels weggehaald of vervangen. Werk niet verder aan dossiers "
        "en meld het meteen bij de coördinator. Dit staat in het logboek."
    ),
    "seen_changed": (
        "Let op: wat de teamopslag bewaarde over hoe ver {name} het logboek had gezien, is veranderd of "
        "verdwenen, buiten het programma om. Meld het bij de coördinator. Dit staat in het logboek."
    ),
    "key_swapped": (
        "Je openbare sleutel in de teamopslag was vervangen door een andere, buiten het programma om. "
        "Je eigen sleutel is nu hersteld en dit staat in het logboek. Meld dit bij de coördinator."
    ),
    "recorded": (
        "De {n} regels in de dossiers staan nu in het logboek: een regel die verdwijnt, terugkomt uit een "
        "oude kopie of van soort verandert, wordt voortaan gezien als het dossier opent. Dit staat in het logboek."
    ),
    "signed": (
        "De teamopslag is nu beveiligd met handtekeningen: wie coördinator is, wie actief is en het logboek "
        "kunnen niet meer ongemerkt door een collega worden veranderd. Dit staat in het logboek. "
        "Kijk in Team beheren of iedereen de juiste rol heeft."
    ),
    "binding_wrong": (
        "Let op: de ondertekensleutel die bij {name} in de opslag staat, is niet door {name} zelf gemaakt. "
        "Hij is niet goedgekeurd. Misschien heeft iemand met de opslag geknoeid; dit staat in het logboek."
    ),
    "erased_again": (
        "{n} student(en) die eerder gewist waren, stonden weer in de opslag (een oude kopie?). "
        "Ze zijn meteen opnieuw gewist. Meld dit bij de coördinator; dit staat ook in het logboek."
    ),
    "erasures_refused": (
        "Let op: de lijst van gewiste studenten noemt {n} student(en) die er nog zijn, zonder geldige "
        "handtekening van een coördinator. Die zijn níet gewist: misschien heeft iemand met de opslag geknoeid. "
        "Meld dit bij de coördinator; dit staat ook in het logboek."
    ),
}


def state_path() -> Path:
    from platformdirs import user_state_path

    return user_state_path("jongerenteam", appauthor=False) / STATE_FILE


def _read() -> dict[str, dict[str, object]]:
    try:
        data = json.loads(state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remembered(team_id: str) -> Seen | None:
    entry = _read().get(team_id)
    if not isinstance(entry, dict):
        return None
    try:
        return Seen(int(str(entry["seq"])), bytes.fromhex(str(entry["mac"])), str(entry["at"]))
    except (KeyError, ValueError):
        return None


def remember(team_id: str, seen: Seen) -> None:
    """Write the newest head seen for this team (atomically, 0600)."""
    data = _read()
    data[team_id] = {"seq": seen.seq, "mac": seen.mac.hex(), "at": seen.at}
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_private(path, json.dumps(data))


def remember_now(store: Store) -> None:
    """At a lock: remember the head as it is now (the lock entry included).

    Unwritable memory is not said here (the worker is leaving); the next
    unlock says it.
    """
    team = store.team()
    position = integrity.current(store)
    if team is None or position is None:
        return
    try:
        remember(team.id, position)
    except OSError:
        return


def warnings(found: Findings) -> list[str]:
    """The Dutch sentences for what was found (empty: all as expected)."""
    out = []
    if found.log_problem:
        out.append(TEXT[found.log_problem].format(seen=found.seen_seq, found=found.found_seq))
    if found.erased_again:
        out.append(TEXT["erased_again"].format(n=len(found.erased_again)))
    if found.erasures_refused:
        out.append(TEXT["erasures_refused"].format(n=found.erasures_refused))
    return out


def authority_notes(store: Store, keys: Keys) -> list[str]:
    """What the unlock did about signed authority (storage.team), in Dutch."""
    from storage import team as store_team

    names = {w.id: w.full_name for w in store.workers(active_only=False)}
    out = []
    for code, worker_id in keys.unlock_notes:
        if code == store_team.SIGNED:
            out.append(TEXT["signed"])
        elif code == integrity.SEEN_CUT:
            out.append(TEXT["seen_cut"].format(name=names.get(worker_id, "een medewerker")))
        elif code in (integrity.SEEN_FORGED, integrity.SEEN_MISSING, integrity.SEEN_OLD):
            out.append(TEXT["seen_changed"].format(name=names.get(worker_id, "een medewerker")))
        elif code == store_team.KEY_SWAPPED:
            out.append(TEXT["key_swapped"])
        elif code == store_team.RECORDED:
            out.append(TEXT["recorded"].format(n=worker_id))
        elif code == store_team.BINDING_WRONG:
            out.append(TEXT["binding_wrong"].format(name=names.get(worker_id, "een medewerker")))
    return out


def after_unlock(store: Store, keys: Keys) -> list[str]:
    """Check the store against this laptop's memory, remember what is there now, say what was wrong."""
    team = store.team()
    if team is None:
        return []
    found = integrity.check(store, keys, remembered(team.id))
    said = authority_notes(store, keys) + warnings(found)
    if found.head is not None:
        try:
            remember(team.id, found.head)
        except OSError:
            # A read-only or full home folder must not stop the work, but it is said.
            said.append(TEXT["not_remembered"].format(folder=state_path().parent))
    return said
