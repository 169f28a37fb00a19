"""Tab 7 Logboek: who opened or changed this file, from the audit log (newest first)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult

from jongerenteam.dossier import LogLine
from screens.background import run_in_thread
from screens.dossier.base import ListPane
from screens.text import Static

# The column titles; every other word is in TEXT.
# "Over wie": the colleague the line is about (a receiver, a colleague added, the coördinator of a
# noodtoegang), not someone the worker acted for.
COLUMNS = ("Wanneer", "Wie", "Wat", "Over wie", "Plek")

TEXT = {
    "title": "Logboek",
    "loading": "Logboek wordt geladen…",
    "empty": "Nog niets in het logboek.",
    "hint": "Wie dit dossier opende of wijzigde, uit het auditlog. Nieuwste bovenaan.",
}


class LogPane(ListPane):
    """Tab 7: who opened or changed this file, from the audit log."""

    TAB_TITLE = TEXT["title"]
    COLUMNS: ClassVar[list[tuple[str, int | None]]] = list(zip(COLUMNS, (16, 20, None, 16, 12), strict=True))
    SELECTABLE = False  # a log line has nothing more to show
    TABLE_ID = "log"

    def compose(self) -> ComposeResult:
        yield Static(TEXT["hint"], classes="hint", id="log-hint")
        yield from super().compose()

    def hint(self, text: str) -> None:
        self.query_one("#log-hint", Static).update(text)

    def fill(self) -> None:
        super().fill()
        self.hint(TEXT["loading"])
        session, sid = self.session, self.record.id
        run_in_thread(self, "dossier-log", lambda: session.dossier.file_log(sid), done=self.show_log,
                      failed=lambda f: self.hint(f.text))

    def show_log(self, lines: Sequence[LogLine]) -> None:
        self.set_rows([str(i) for i in range(len(lines))], [
            (f"{line.at:%d-%m-%Y %H:%M}", line.who, line.what.replace("dossier: ", ""), line.on_behalf_of, line.access_point)
            for line in lines
        ])
        self.hint(TEXT["hint"] if lines else TEXT["empty"])
