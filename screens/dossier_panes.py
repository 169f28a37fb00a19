"""Dossier tabs: Leefdomeinen, Toestemming, Betrokkenen (placeholders, being built)."""

from __future__ import annotations

from textual.widgets import Static

from screens.dossier_base import DossierPane


class ScoresPane(DossierPane):
    TAB_TITLE = "Leefdomeinen"

    def compose(self):
        yield Static("", id="scores-placeholder")


class ConsentPane(DossierPane):
    TAB_TITLE = "Toestemming"

    def compose(self):
        yield Static("", id="consent-placeholder")


class InvolvedPane(DossierPane):
    TAB_TITLE = "Betrokkenen"

    def compose(self):
        yield Static("", id="involved-placeholder")
