"""Every error a user can meet has its own Dutch sentence (jongerenteam.messages)."""

from __future__ import annotations

import pytest

from jongerenteam import messages
from storage import errors as e


@pytest.mark.parametrize("reason", list(e.Reason))
def test_every_reason_has_its_own_dutch_sentence(reason: e.Reason) -> None:
    text, code = messages.explain(e.NotAllowed("somewhere", reason=reason))
    assert code == messages.EXIT_NOT_ALLOWED
    assert text == messages.NOT_ALLOWED[reason]
    assert text.endswith(".") and "reason" not in text and "somewhere" not in text


def test_the_sentences_are_distinct_where_the_reasons_differ() -> None:
    # Two reasons may share a sentence only when they mean the same to a user.
    same_meaning = {frozenset({e.Reason.REASON_NEEDED, e.Reason.EMERGENCY_NEEDS_REASON})}
    seen: dict[str, e.Reason] = {}
    for reason in e.Reason:
        text = messages.NOT_ALLOWED[reason]
        if text in seen:
            assert frozenset({seen[text], reason}) in same_meaning, (seen[text], reason)
        seen[text] = reason


def test_an_unknown_reason_is_a_programming_error_found_at_once() -> None:
    with pytest.raises(ValueError):
        e.NotAllowed("x", reason="no such reason")


def test_a_not_allowed_without_reason_is_coordinator_only() -> None:
    assert messages.explain(e.NotAllowed("x"))[0] == "Alleen een coördinator mag dit doen."
