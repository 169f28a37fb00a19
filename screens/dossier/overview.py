"""Tab 1 Overzicht: hulpvraag, leefdomeinen, open agreements, next appointment, the last talks."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll

from jongerenteam.catalogue import LEEFDOMEINEN, SCORES
from jongerenteam.dates import local_today
from screens.dossier.base import DossierPane, first_line, initials, who_text
from screens.dossier.talks import TalkModal
from screens.text import Static

TEXT = {
    "title": "Overzicht",
    "consent": "Toestemming (tabblad 5)",
    "question": "Hulpvraag",
    "no_question": "Nog geen hulpvraag vastgelegd.",
    "domains": "Leefdomeinen (laatste score)",
    "no_domains": "Nog geen leefdomeinen gekozen.",
    "no_score": "nog geen score",
    "agreements": "Open werkafspraken ({n})",
    "no_agreements": "Geen open werkafspraken.",
    "more": "… en nog {n}; zie tab 3 Afspraken.",
    "no_date": "geen datum",
    "next": "Volgende afspraak",
    "no_next": "Geen afspraak gepland.",
    "talks": "Laatste gesprekken",
    "no_talks": "Nog geen gesprekken.",
}

SECTIONS = ("consent", "question", "domains", "agreements", "next", "talks")
SHOWN_AGREEMENTS = 5


def section(title: str, body: str | Text) -> Text:
    text = Text(title, style="bold")
    text.append("\n")
    text.append_text(body if isinstance(body, Text) else Text(body))
    return text


class OverviewPane(DossierPane):
    """Tab 1: hulpvraag, leefdomeinen, open agreements, next appointment, the last talks."""

    TAB_TITLE = TEXT["title"]
    BINDINGS: ClassVar[list[BindingType]] = [Binding("a", "add_talk", "Nieuw gesprek")]

    def compose(self) -> ComposeResult:
        # One Static per section, its title in it: every widget costs at mount.
        with VerticalScroll(id="ov-scroll"):
            for key in SECTIONS:
                yield Static(section(TEXT[key], ""), id=f"ov-{key}")

    def focus_main(self) -> None:
        self.query_one("#ov-scroll").focus()

    def action_add_talk(self) -> None:
        self.app.push_screen(TalkModal(self.session, self.record, dossier=self.dossier))

    def put(self, key: str, body: str | Text, title: str | None = None) -> None:
        self.query_one(f"#ov-{key}", Static).update(section(title or TEXT[key], body))

    def fill(self) -> None:
        super().fill()
        dos, rec, session = self.shown, self.record, self.session
        today = local_today()

        # Consent only when something is wrong: then first, so it is seen without opening tab 5.
        warnings = dos.consent_warnings(rec.details.birth_date, today)
        self.put("consent", Text("\n".join(f"⚠ {w.message}" for w in warnings), style="bold yellow"))
        self.query_one("#ov-consent").display = bool(warnings)

        self.put("question", dos.question or TEXT["no_question"])

        latest = dos.latest_scores()
        codes = set(rec.details.leefdomeinen) | set(latest)
        lines = []
        for dom in LEEFDOMEINEN:
            if dom.code not in codes:
                continue
            s = latest.get(dom.code)
            lines.append(f"{dom.label}: {s.score} {SCORES.get(s.score, '')} ({s.on:%d-%m-%Y})" if s else f"{dom.label}: {TEXT['no_score']}")
        self.put("domains", "\n".join(lines) or TEXT["no_domains"])

        open_ = dos.open_agreements()
        text = Text()
        for a in open_[:SHOWN_AGREEMENTS]:
            when = a.due_date()
            style = "bold red" if when and when < today else ("bold yellow" if when == today else "")
            text.append(f"{when:%d-%m-%Y}" if when else TEXT["no_date"], style=style)
            text.append(f" · {who_text(session, a.who)} · {a.what}\n")
        if len(open_) > SHOWN_AGREEMENTS:
            text.append(TEXT["more"].format(n=len(open_) - SHOWN_AGREEMENTS))
        text.rstrip()  # in place
        self.put("agreements", text if open_ else TEXT["no_agreements"], TEXT["agreements"].format(n=len(open_)))

        nxt = dos.next_appointment(today)
        self.put("next", f"{nxt.on:%d-%m-%Y} · {nxt.text}" if nxt else TEXT["no_next"])

        self.put("talks", "\n".join(
            f"{t.at:%d-%m-%Y %H:%M} · {t.label} · {initials(session, t.by)} · {first_line(t.note)}" for t in dos.talks(3)
        ) or TEXT["no_talks"])
