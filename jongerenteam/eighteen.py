"""Use cases of turning 18 and of a change of study coach (issue 5): the 18+ checklist, the bulk coachwissel.

Mixed into ``TeamSession``; nothing here knows Textual.
"""

from __future__ import annotations


class EighteenMixin:
    """``self`` is a ``TeamSession``."""
