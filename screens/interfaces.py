"""How screens ask one another something: small Protocols, and the app typed.

A screen never looks for a method on another screen by name: what it may
ask is written here, and a screen that answers says so by having it.

- ``Reloadable``: ``reload()`` reads what it shows again (Vandaag after a save).
- ``AboutStudent``: it shows or acts on one student (``student_id``): the
  palette offers that student's commands, an erasure closes it.
- ``ShowsRecord``: it holds a student's directory record (``record``).
- ``AsksBeforeQuit``: ``quit_question()`` on ctrl+q (the recovery code).
- ``OffersCommands``: ``palette_commands()``, its own palette entries.

``team_app(node)`` is the app with its type (the session, the team's name,
drafts), so screens need no ``getattr`` to reach it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast, runtime_checkable

from textual.dom import DOMNode

from jongerenteam.errors import Locked

if TYPE_CHECKING:
    from jongerenteam.directory import StudentRecord
    from jongerenteam.session import TeamSession
    from screens.app import JongerenteamApp

# A palette entry: title, Dutch help, what it does.
Command = tuple[str, str, Callable[[], object]]


@runtime_checkable
class Reloadable(Protocol):
    def reload(self) -> None: ...


@runtime_checkable
class AboutStudent(Protocol):
    @property
    def student_id(self) -> str | None: ...


@runtime_checkable
class ShowsRecord(Protocol):
    @property
    def record(self) -> StudentRecord: ...


@runtime_checkable
class AsksBeforeQuit(Protocol):
    def quit_question(self) -> str | None: ...


@runtime_checkable
class OffersCommands(Protocol):
    def palette_commands(self) -> list[Command]: ...


def team_app(node: DOMNode) -> JongerenteamApp:
    """The app a widget or screen belongs to, as the JongerenteamApp it is."""
    return cast("JongerenteamApp", node.app)


def current_session(node: DOMNode) -> TeamSession:
    """The unlocked session of the app; ``Locked`` after a lock (every screen that needs it is gone by then)."""
    session = team_app(node).session
    if session is None:
        raise Locked("session")
    return session


def reload_screen(node: DOMNode) -> None:
    """Read the app's current screen again (after a dialog over it closed), if it can."""
    screen = node.app.screen
    if isinstance(screen, Reloadable):
        screen.reload()
