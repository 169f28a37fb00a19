"""Dutch municipalities with their CBS codes (GMxxxx).

A subset for the foundation and the demo: the largest mbo cities and the
region around Deltion (Zwolle). Source: CBS "Gemeentelijke indeling op
1 januari 2025". The full bundled list arrives with the spreekuur issue.
"""

from __future__ import annotations

MUNICIPALITIES_YEAR = 2025
MUNICIPALITIES_SOURCE = "CBS, Gemeentelijke indeling op 1 januari 2025 (deelverzameling)"

MUNICIPALITIES: dict[str, str] = {
    "GM0014": "Groningen",
    "GM0034": "Almere",
    "GM0119": "Meppel",
    "GM0148": "Dalfsen",
    "GM0150": "Deventer",
    "GM0153": "Enschede",
    "GM0160": "Hardenberg",
    "GM0166": "Kampen",
    "GM0177": "Raalte",
    "GM0180": "Staphorst",
    "GM0193": "Zwolle",
    "GM0200": "Apeldoorn",
    "GM0202": "Arnhem",
    "GM0244": "Hattem",
    "GM0246": "Heerde",
    "GM0268": "Nijmegen",
    "GM0307": "Amersfoort",
    "GM0344": "Utrecht",
    "GM0363": "Amsterdam",
    "GM0392": "Haarlem",
    "GM0518": "'s-Gravenhage",
    "GM0546": "Leiden",
    "GM0599": "Rotterdam",
    "GM0758": "Breda",
    "GM0772": "Eindhoven",
    "GM0855": "Tilburg",
    "GM0917": "Heerlen",
    "GM0935": "Maastricht",
    "GM0983": "Venlo",
    "GM1883": "Sittard-Geleen",
}


def name_of(code: str | None) -> str:
    return MUNICIPALITIES.get(code or "", "")
