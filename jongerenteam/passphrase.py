"""Feedback on passphrases, in Dutch, before a key slot is made.

Long passphrases of several words beat short complicated ones; the advice
follows NIST SP 800-63B: length first, no composition rules, refuse the
obviously guessable.
"""

from __future__ import annotations

MIN_LENGTH = 10
GOOD_LENGTH = 16

_COMMON = {
    "wachtwoord", "welkom", "password", "qwerty", "azerty", "123456", "geheim",
    "jongerenteam", "school", "zomer", "winter", "voorjaar", "najaar", "welkom01",
}


def weakness(passphrase: str, *, names: tuple[str, ...] = ()) -> str | None:
    """A Dutch sentence explaining why the passphrase is too weak, or None."""
    p = passphrase.strip()
    if len(p) < MIN_LENGTH:
        return (
            f"Te kort: gebruik minstens {MIN_LENGTH} tekens. "
            "Een zin van vier woorden is sterk en goed te onthouden."
        )
    low = p.lower()
    if low in _COMMON or any(low.startswith(c) and len(low) - len(c) <= 4 for c in _COMMON):
        return "Dit wachtwoord is te makkelijk te raden. Kies een zin van een paar woorden."
    if len(set(low)) <= 3:
        return "Te weinig verschillende tekens. Kies een zin van een paar woorden."
    for name in names:
        if name and len(name) >= 3 and name.lower() in low:
            return "Gebruik je eigen naam of de naam van het team niet in je wachtwoord."
    return None


def advice(passphrase: str) -> str | None:
    """A gentle hint for acceptable but short passphrases."""
    if len(passphrase.strip()) < GOOD_LENGTH and " " not in passphrase.strip():
        return "Tip: een langere zin van een paar woorden is nog sterker."
    return None
