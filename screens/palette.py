"""The command palette (ctrl+p) in Dutch, and what it offers.

``DutchCommandPalette`` is Textual's palette with its one English line in
Dutch. ``system_commands(app, screen)`` lists the app's commands for the
worker and the screen they are on: the app's own, Team beheren's (for a
coördinator), the screen's own (``OffersCommands``, the dossier) and each
feature's (overdracht, 18+, rechten, rapportage: their ``commands``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.command import CommandPalette
from textual.screen import Screen

from screens.interfaces import OffersCommands

if TYPE_CHECKING:
    from screens.app import JongerenteamApp

class DutchCommandPalette(CommandPalette):
    """Textual's command palette, with its "no matches" line in Dutch.

    Textual writes that line inside ``_start_no_matches_countdown``; this is
    the same method (Textual pinned in pyproject.toml) with the Dutch text.
    """

    NO_MATCHES = "Geen opdracht gevonden"

    def _start_no_matches_countdown(self, search_value: str) -> None:
        from rich.align import Align
        from rich.text import Text
        from textual.command import CommandList

        from screens.text import Option

        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(self.NO_MATCHES, style="not bold")), disabled=True, id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)



def open_palette(app: JongerenteamApp) -> None:
    """ctrl+p: Textual's own palette has an English placeholder and "No matches found"."""
    if app.use_command_palette and not isinstance(app.screen, CommandPalette):
        app.push_screen(DutchCommandPalette(placeholder=app.COMMAND_PALETTE_PLACEHOLDER, id="--command-palette"))


def system_commands(app: JongerenteamApp, screen: Screen[Any]) -> Iterable[SystemCommand]:
    """The palette's entries for ``screen``, in Dutch; deliberately no "screenshot" (it would write names to disk)."""
    yield SystemCommand("app: afsluiten", "Vergrendel en sluit jongerenteam af", app.action_quit)
    yield SystemCommand("app: hulp bij dit scherm", "Waar dit scherm voor is en al zijn toetsen (F1)", app.action_help)
    session = app.session
    if session is None:
        return
    yield SystemCommand("app: vergrendelen", "Vergrendel nu; je wachtwoord is nodig om verder te gaan", app.action_lock)
    yield SystemCommand("vandaag: tonen", "Je overzicht van vandaag (ctrl+o)", app.action_today)
    yield SystemCommand("student: zoeken", "Zoek op naam, studentnummer of geboortedatum (ctrl+f of /)", app.action_search)
    yield SystemCommand("student: inloop registreren", "Een student loopt binnen op het spreekuur (ctrl+n)", app.action_walk_in)
    yield SystemCommand("student: aanmelden", "Een coach of andere professional meldt een student aan (ctrl+r)",
                        app.action_referral)
    yield SystemCommand("student: anonieme inloop koppelen",
                        "Een student die eerder anoniem binnenliep geeft haar naam: koppel die inloop aan haar dossier",
                        app.action_link_anonymous)
    yield SystemCommand("ik: wachtwoord wijzigen", "Kies zelf een nieuw wachtwoord; het oude werkt daarna niet meer (F2)",
                        app.action_change_passphrase)
    yield SystemCommand("ik: bereikbaarheid instellen", "Hoe studenten jou bereiken; staat in elk afsprakenoverzicht",
                        app.action_reachability)
    yield SystemCommand("sociale kaart: tonen", "Organisaties en professionals van het team: zoeken, toevoegen, wijzigen (F4)",
                        app.action_social_map)
    if session.keys.is_coordinator:
        yield SystemCommand("team: beheren", "Medewerkers, vaste contactpersonen en instellingen (ctrl+t)", app.action_team)
        yield from team_commands(app)
    # On a DossierScreen: its 'dossier: ...' commands (screens/dossier/screen.py).
    # Asked of the screen itself, so the dossier package is not imported here.
    if isinstance(screen, OffersCommands):
        for title, help_text, callback in screen.palette_commands():
            yield SystemCommand(title, help_text, callback)
    # Each feature module offers its own commands (overdracht, 18+, rights, reports).
    from screens import eighteen, handover, report, rights

    for module in (handover, eighteen, rights, report):
        for title, help_text, callback in module.commands(app, screen):
            yield SystemCommand(title, help_text, callback)
    # No theme picker: Textual's is in English (theme names and its search
    # field). No "keys" panel: it lists Textual's built-in keys in English; the
    # footer shows every key of this app in Dutch.


def team_commands(app: JongerenteamApp) -> Iterable[SystemCommand]:
    """'team: ...' commands that open one dialog of the Team screen."""
    from screens.team import TEAM_COMMANDS, TeamScreen

    session = app.session
    if session is None:
        return
    for title, help_text, action in TEAM_COMMANDS:
        def run(action: str = action) -> None:
            screen = TeamScreen(session)
            app.push_screen(screen)
            app.call_after_refresh(screen.run_action, action)

        yield SystemCommand(title, help_text, run)
