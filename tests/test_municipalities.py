"""The bundled list of Dutch municipalities and the autocomplete over it."""

import re
from importlib.resources import files

import pytest

from jongerenteam.municipalities import (
    ALIASES,
    MUNICIPALITIES,
    MUNICIPALITIES_SOURCE,
    MUNICIPALITIES_YEAR,
    code_for,
    name_of,
    suggest,
)

# The 30 codes of the foundation subset: the domain, the demo and stored
# records use them, so they must stay.
FOUNDATION = {
    "GM0014": "Groningen", "GM0034": "Almere", "GM0119": "Meppel", "GM0148": "Dalfsen",
    "GM0150": "Deventer", "GM0153": "Enschede", "GM0160": "Hardenberg", "GM0166": "Kampen",
    "GM0177": "Raalte", "GM0180": "Staphorst", "GM0193": "Zwolle", "GM0200": "Apeldoorn",
    "GM0202": "Arnhem", "GM0244": "Hattem", "GM0246": "Heerde", "GM0268": "Nijmegen",
    "GM0307": "Amersfoort", "GM0344": "Utrecht", "GM0363": "Amsterdam", "GM0392": "Haarlem",
    "GM0518": "'s-Gravenhage", "GM0546": "Leiden", "GM0599": "Rotterdam", "GM0758": "Breda",
    "GM0772": "Eindhoven", "GM0855": "Tilburg", "GM0917": "Heerlen", "GM0935": "Maastricht",
    "GM0983": "Venlo", "GM1883": "Sittard-Geleen",
}  # fmt: skip


def test_count_year_and_source_agree():
    """342 gemeenten on 1 January 2026, and the CSV header says the same as the constants."""
    assert MUNICIPALITIES_YEAR == 2026
    assert len(MUNICIPALITIES) == 342
    assert str(MUNICIPALITIES_YEAR) in MUNICIPALITIES_SOURCE
    assert MUNICIPALITIES_SOURCE.startswith("CBS, Gemeentelijke indeling op 1 januari")
    header = (files("jongerenteam") / "data" / "gemeenten.csv").read_text(encoding="utf-8")
    assert MUNICIPALITIES_SOURCE in header
    assert "342 gemeenten" in header


def test_codes_are_well_formed_and_names_unique():
    """Every code is GM plus four digits; no name appears twice."""
    assert all(re.fullmatch(r"GM\d{4}", code) for code in MUNICIPALITIES)
    names = list(MUNICIPALITIES.values())
    assert len(set(names)) == len(names)
    assert all(name == name.strip() and name for name in names)


def test_foundation_codes_remain():
    """The 30 codes of the earlier subset are all there, with the same names."""
    assert {code: MUNICIPALITIES.get(code) for code in FOUNDATION} == FOUNDATION


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("GM1979", "Eemsdelta"),  # 2021
        ("GM1980", "Dijk en Waard"),  # 2022
        ("GM1982", "Land van Cuijk"),  # 2022
        ("GM1991", "Maashorst"),  # 2022
        ("GM1992", "Voorne aan Zee"),  # 2023
        ("GM0796", "'s-Hertogenbosch"),
        ("GM1900", "Súdwest-Fryslân"),
        ("GM0820", "Nuenen, Gerwen en Nederwetten"),  # the comma survives the CSV
        ("GM0373", "Bergen (NH.)"),
        ("GM0893", "Bergen (L.)"),
    ],
)
def test_known_entries(code, name):
    """Recent mergers and the awkward names are present under their CBS code."""
    assert name_of(code) == name


@pytest.mark.parametrize(
    "code",
    ["GM0457", "GM0501", "GM0530", "GM0614"],
)
def test_merged_away_municipalities_are_gone(code):
    """Weesp (into Amsterdam, 2022) and Brielle, Hellevoetsluis, Westvoorne (Voorne aan Zee, 2023)."""
    assert code not in MUNICIPALITIES
    assert name_of(code) == ""


def test_name_of_unknown_or_empty():
    assert name_of(None) == ""
    assert name_of("") == ""
    assert name_of("GM9999") == ""


def test_aliases_point_at_real_codes():
    assert all(code in MUNICIPALITIES for code in ALIASES.values())


def test_suggest_prefix_before_substring():
    """Names starting with the text come first, then names containing it."""
    got = suggest("bergen", limit=20)
    names = [name for _, name in got]
    assert names[:3] == ["Bergen (L.)", "Bergen (NH.)", "Bergen op Zoom"]
    assert set(names[3:]) == {"Tubbergen", "Haaksbergen", "Steenbergen"}
    assert all(MUNICIPALITIES[code] == name for code, name in got)


def test_suggest_ignores_case_accents_and_hyphens():
    assert suggest("súdwest")[0] == ("GM1900", "Súdwest-Fryslân")
    assert suggest("SUDWEST")[0] == ("GM1900", "Súdwest-Fryslân")
    assert suggest("sudwest fryslan") == [("GM1900", "Súdwest-Fryslân")]
    assert suggest("midden drenthe") == [("GM1731", "Midden-Drenthe")]


def test_suggest_ignores_the_leading_s():
    """'grav' and '’s-grav' find 's-Gravenhage; 's-h' offers 's-Hertogenbosch first."""
    assert suggest("grav")[0] == ("GM0518", "'s-Gravenhage")
    assert suggest("\u2019s-grav")[0] == ("GM0518", "'s-Gravenhage")
    assert suggest("s-h")[0] == ("GM0796", "'s-Hertogenbosch")
    assert suggest("hertog") == [("GM0796", "'s-Hertogenbosch")]


def test_suggest_knows_the_aliases():
    assert suggest("den haag") == [("GM0518", "'s-Gravenhage")]
    assert suggest("Den Bosch") == [("GM0796", "'s-Hertogenbosch")]
    assert suggest("hengelo") == [("GM0164", "Hengelo (O.)")]
    # Both aliases and the real "Den Helder" start with "den"; each code once.
    got = [code for code, _ in suggest("den", limit=50)]
    assert got[:3] == ["GM0796", "GM0518", "GM0400"]
    assert len(got) == len(set(got))


def test_suggest_limits_and_empty_input():
    assert len(suggest("a")) == 8
    assert len(suggest("a", limit=3)) == 3
    assert suggest("a", limit=0) == []
    assert suggest("") == []
    assert suggest("   ") == []
    assert suggest("xyzzy") == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Zwolle", "GM0193"),
        ("zwolle ", "GM0193"),
        ("'s-Gravenhage", "GM0518"),
        ("Den Haag", "GM0518"),
        ("den bosch", "GM0796"),
        ("'S-HERTOGENBOSCH", "GM0796"),
        ("Súdwest-Fryslân", "GM1900"),
        ("sudwest fryslan", "GM1900"),
        ("Bergen (NH.)", "GM0373"),
        ("Hengelo", "GM0164"),
        ("Nuenen, Gerwen en Nederwetten", "GM0820"),
    ],
)
def test_code_for(name, code):
    assert code_for(name) == code


@pytest.mark.parametrize("name", ["", "Zwol", "Bergen", "Weesp", "Atlantis"])
def test_code_for_needs_an_exact_unambiguous_name(name):
    """A prefix, an ambiguous name or a merged-away one gives None."""
    assert code_for(name) is None


def test_every_official_name_round_trips():
    assert all(code_for(name) == code for code, name in MUNICIPALITIES.items())
