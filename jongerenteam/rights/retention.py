"""Which retention term a file gets, from the kind of help it holds.

The team sets the years per regime (``RETENTION_LIMITS`` bound them; the
Jeugdwet's twenty years is the floor of its regime). When a file is closed
the worker is proposed a regime from what the file holds, and sees until
when the file will be kept before saving:

- ``kort``: only walk-ins and a referral, no talks of a help trajectory, no
  agreements, no scores, no handover: a short contact or advice.
- ``jeugdwet`` otherwise: a help trajectory, kept at least twenty years.

The Jeugdwet (art. 7.3.8) counts its twenty years from the moment each
document was made; a file is erased whole, so the term counts from its
newest document, which is at the latest the moment it was closed: every
term here runs from the (first) closing moment. ``school`` (school support
only, no jeugdhulp) is never proposed: only the worker knows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jongerenteam.dossier import model as d
from jongerenteam.rights.inzage import DEFAULT_REGIME, add_years

SHORT = "kort"

# Timeline kinds that are part of a short contact (everything else is help).
_SHORT_KINDS = frozenset({d.WALK_IN, d.REFERRAL})


def suggest_regime(chosen: str, dossier: d.Dossier | None) -> str:
    """The regime to propose when the file closes: the one chosen before, else from what the file holds."""
    if chosen:
        return chosen
    if dossier is None:
        return DEFAULT_REGIME
    short = (
        all(item.kind in _SHORT_KINDS for item in dossier.timeline)
        and not dossier.agreements
        and not any(dossier.scores.values())
        and not dossier.externals
    )
    return SHORT if short else DEFAULT_REGIME


@dataclass(frozen=True, slots=True)
class ClosingTerms:
    """What the status dialog needs to say until when a closing file is kept."""

    years: dict[str, int]  # the team's terms per regime
    closed_on: date | None  # the first closing moment, when the file is closed already

    def kept_until(self, regime: str, today: date) -> date:
        """The last day the file is kept if it closes (or stays closed) under ``regime``."""
        return add_years(self.closed_on or today, self.years.get(regime, self.years[DEFAULT_REGIME]))
