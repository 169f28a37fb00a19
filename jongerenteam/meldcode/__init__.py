"""The meldcode (issue 21): the domain in ``model``, the use cases in ``service`` (``session.meldcode``)."""

from jongerenteam.meldcode.service import MeldcodeService, Trajectory

__all__ = ["MeldcodeService", "Trajectory"]
