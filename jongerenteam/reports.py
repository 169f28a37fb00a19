"""Use cases of the figures for municipalities and the school board (issue 6).

Mixed into ``TeamSession``; nothing here knows Textual.
"""

from __future__ import annotations


class ReportMixin:
    """``self`` is a ``TeamSession``."""
