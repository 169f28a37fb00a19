"""Use cases of the warme overdracht (issue 5): internal, external and 18+ handovers.

Mixed into ``TeamSession``; nothing here knows Textual.
"""

from __future__ import annotations


class HandoverMixin:
    """``self`` is a ``TeamSession``."""
