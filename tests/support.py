"""What the UI and terminal tests share: building the app, waiting for it, reading what it shows.

One place, so a wait or a reading is fixed once (tests/test_ui.py re-exports
these names for the modules that import them from there).
"""

from __future__ import annotations

import io

from rich.console import Console
from sqlalchemy import select
from textual import events
from textual.widgets import DataTable, Input, OptionList

from jongerenteam.cli import make_app
from jongerenteam.settings import Settings
from screens.app import JongerenteamApp
from storage.models import AuditEntry


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start: float = 10_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def build_app(team_store, **settings) -> JongerenteamApp:
    return make_app(Settings(store=str(team_store.path), **settings), team_store.store)


def build_app_with_clock(team_store, clock: FakeClock, **settings) -> JongerenteamApp:
    # make_app takes no clock; the app itself does (for exactly these tests).
    return JongerenteamApp(settings=Settings(store=str(team_store.path), **settings), store=team_store.store, clock=clock)


def audit_rows(store, event: str, *, after: int = 0) -> list[AuditEntry]:
    """Audit entries of one kind, optionally only those after sequence number ``after``."""
    with store.session() as s:
        q = select(AuditEntry).where(AuditEntry.event == event, AuditEntry.seq > after).order_by(AuditEntry.seq)
        return list(s.scalars(q).all())


def last_seq(store) -> int:
    """Where the audit log stands now: the fixtures themselves log logins and locks."""
    with store.session() as s:
        return max(s.scalars(select(AuditEntry.seq)).all(), default=0)


def notifications(app) -> list[str]:
    return [n.message for n in app._notifications]


def screen_text(app) -> str:
    """The current screen as plain text, rendered the way a screenshot is."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, force_terminal=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def widget_text(widget) -> str:
    parts: list[str] = []
    if isinstance(widget, DataTable):
        parts += [str(col.label) for col in widget.ordered_columns]
        parts += [str(cell) for i in range(widget.row_count) for cell in widget.get_row_at(i)]
    if isinstance(widget, OptionList):
        parts += [str(o.prompt) for o in widget.options]
    if isinstance(widget, Input):
        parts += [widget.value, widget.placeholder]
    try:
        parts.append(str(widget.render()))
    except Exception:  # noqa: BLE001 - some widgets only render inside a layout
        pass
    return "\n".join(parts)


def everything_shown(app) -> str:
    """All text any widget on any stacked screen holds, plus toasts and the screen itself."""
    parts = [widget_text(w) for screen in app.screen_stack for w in screen.walk_children(with_self=True)]
    parts += notifications(app)
    parts.append(screen_text(app))
    parts += [app.title or "", app.sub_title or ""]
    return "\n".join(parts)


async def settle(app, pilot) -> None:
    """Let thread workers finish and their messages be handled.

    A worker replaced by a newer one of its exclusive group is cancelled on
    purpose (Vandaag reloading twice); that is not a failure. Failed
    workers still raise.
    """
    from tests.conftest import wait_workers

    await wait_workers(app)
    await pilot.pause()
    await pilot.pause()


async def paste(app, pilot, text: str) -> None:
    """Paste into the focused widget (as from a password manager): far faster than a key per character.

    Posted to the app, as the terminal driver does: the app hands it to the focused widget once.
    """
    app.post_message(events.Paste(text))
    await pilot.pause()


async def unlock_as(app, pilot, name_part: str, passphrase: str) -> None:
    await pilot.press(*name_part, "enter")
    await paste(app, pilot, passphrase)
    await pilot.press("enter")
    await settle(app, pilot)


async def open_row(app, pilot, query: str) -> None:
    """Search for a student on the home screen and press Enter on the first hit."""
    await pilot.press("slash", *query, "down")
    assert app.focused is app.screen.query_one("#students", DataTable)
    await pilot.press("enter")
    await settle(app, pilot)




async def wait_until(pilot, condition, *, timeout: float = 30.0, what: str = "condition") -> None:
    """Pause until ``condition()`` holds (a screen, a text, a row): never a fixed sleep."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await pilot.pause(0.01)
