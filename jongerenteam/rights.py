"""Use cases of the student's privacy rights (issue 6): inzage, correctie, verwijdering, bewaartermijn.

Mixed into ``TeamSession``; nothing here knows Textual.
"""

from __future__ import annotations


class RightsMixin:
    """``self`` is a ``TeamSession``."""
