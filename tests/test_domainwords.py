"""Free text checked against consent (``jongerenteam.domainwords``): the word
list per leefdomein is whole, and the matcher finds a listed word wherever it
stands, in its common forms, whatever capitals and accents, and never a word
of a leefdomein with consent."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jongerenteam import domainwords as w
from jongerenteam.catalogue import LEEFDOMEIN_CODES, LEEFDOMEINEN
from jongerenteam.consent import ALL_DOMAINS


def words(text: str, scope=("inkomen",), **kw) -> list[str]:
    return [hit.word for hit in w.find(text, set(scope), **kw)]


# -- the list ------------------------------------------------------------------------------


def test_every_leefdomein_has_a_section_that_names_it():
    listed = w.listed_words()
    assert set(listed) == set(LEEFDOMEIN_CODES)
    for domain in LEEFDOMEINEN:
        lines = {line.lstrip("=").rstrip("*") for line in listed[domain.code]}
        for part in domain.label.lower().split("/"):
            assert part.strip() in lines, f"{domain.code}: the name {part.strip()!r} is not in its section"


def test_a_broken_word_list_stops_loudly():
    with pytest.raises(RuntimeError, match="unknown leefdomein"):
        w.build("[verslaving]\ngokken\n")
    with pytest.raises(RuntimeError, match="before the first section"):
        w.build("gokken\n")


# -- the scenario words and their forms ----------------------------------------------------------


def test_the_risico_text_of_the_scenario_is_found_as_welzijn():
    hits = w.find("gokt, online casino", {"inkomen"})
    assert [(h.word, h.domains) for h in hits] == [("gokt", ("welzijn",)), ("online casino", ("welzijn",))]
    assert w.describe(hits) == "welzijn: gokt, online casino"


@pytest.mark.parametrize("text", [
    "Hij gokt", "gokken", "ze gokte", "heeft gegokt", "een gokker", "gokkers", "Gokverslaving", "GOKT",
    "casino's", "Onlinecasino", "online-casino", "blowt", "geblowd", "Cocaïne", "cocaine", "loverboys",
    "kindermishandeling", "mishandeld", "burn-out", "burnout", "de deurwaarder", "veilig thuis", "halt-straf",
])
def test_common_forms_capitals_and_accents_are_found(text):
    assert words(text, scope=()), text


@pytest.mark.parametrize("text", [
    "Ze werkt hard en werken gaat goed.",  # =werk: only the word itself
    "Hij won de prijs.",  # not a form of wonen
    "de casinoregels", "gokje",  # prefixes are whole-word starts: found
])
def test_exact_words_and_prefixes(text):
    found = words(text, scope=("inkomen",))
    if text.startswith(("Ze werkt", "Hij won")):
        assert found == []
    else:
        assert found


def test_inside_another_word_is_not_a_word():
    # "wiet" inside "wietske", "joint" inside "jointventure" without a *: not found.
    assert words("Wietske en Jointventure", scope=()) == []


def test_a_word_of_two_leefdomeinen_needs_neither_to_have_consent():
    assert [h.domains for h in w.find("stageplek", set())] == [("onderwijs", "werk")]
    assert words("stageplek", scope=("werk",)) == []
    assert words("stageplek", scope=("onderwijs",)) == []


def test_consent_about_everything_finds_nothing():
    assert w.find("gokt, online casino, loverboy", {ALL_DOMAINS}) == []


def test_lines_the_app_composed_are_skipped_whole():
    text = "Helpende Zorg en Welzijn, niveau 2\nZe gokt."
    assert words(text) == ["Welzijn", "gokt"]
    assert words(text, skip_lines={"Helpende Zorg en Welzijn, niveau 2"}) == ["gokt"]


def test_a_phrase_needs_only_spaces_or_hyphens_between_its_words():
    assert words("online, casino") == ["casino"]  # "online" alone is no word of the list


def test_positions_point_into_the_text_as_given():
    text = "Straße: ﬁne. Ze GOKT in het Casino."
    for hit in w.find(text, set()):
        assert text[hit.start:hit.end] == hit.word
    assert words(text, scope=()) == ["GOKT", "Casino"]


def test_a_hit_never_shows_the_word_in_its_repr():
    (hit,) = w.find("gokt", set())
    assert "gokt" not in repr(hit)


# -- properties ---------------------------------------------------------------------------


def _single_words() -> list[tuple[str, str]]:
    """(domain, word) for every plain listed word (no *, no =)."""
    return [(d, line) for d, lines in w.listed_words().items() for line in lines if not line.startswith(("=", "*"))
            and not line.endswith("*")] + [(d, line.rstrip("*")) for d, lines in w.listed_words().items()
                                             for line in lines if line.endswith("*") and not line.startswith("*")]


LISTED = _single_words()
FILLER = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def _vary(word: str, data: st.DataObject) -> str:
    """The word with random capitals, and its accents sometimes left out."""
    if data.draw(st.booleans()):
        word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    caps = data.draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if up else c for c, up in zip(word, caps, strict=True))


@given(st.sampled_from(LISTED), FILLER, FILLER, st.data())
def test_a_listed_word_in_any_text_is_always_found(entry, before, after, data):
    domain, word = entry
    written = _vary(word, data)
    text = f"{before} {written} {after}"
    start = len(before) + 1

    def covering(hits):
        return [h for h in hits if h.start <= start and h.end >= start + len(written)]

    # Without any consent the word is found, tied (at least) to the leefdomein it is listed under.
    found = covering(w.find(text, set()))
    assert found and domain in found[0].domains, (text, found)
    # With consent for every leefdomein it is not tied to, it is still found where it stands.
    hits = w.find(text, set(LEEFDOMEIN_CODES) - set(found[0].domains))
    assert covering(hits), (text, hits)
    for hit in hits:
        assert text[hit.start:hit.end] == hit.word


@given(st.sets(st.sampled_from(LEEFDOMEIN_CODES), min_size=1), st.data())
def test_words_of_leefdomeinen_with_consent_are_never_found(scope, data):
    pool = [word for domain, lines in w.listed_words().items() if domain in scope
            for word in (line.strip("=*") for line in lines)]
    chosen = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=12))
    chosen = [_vary(word, data) for word in chosen]
    separators = data.draw(st.lists(st.sampled_from([", ", ". ", "\n", "; ", " ("]), min_size=len(chosen),
                                     max_size=len(chosen)))
    text = "".join(word + sep for word, sep in zip(chosen, separators, strict=True))
    assert w.find(text, scope) == []
