"""Who is in the demo store: its name and its three workers.

Kept apart from ``jongerenteam.demo`` (which fills a store and imports the
storage layer) so that the unlock screen can show the demo passphrases
without loading SQLAlchemy. These passphrases are public on purpose: the
demo holds only invented students, and a real team never uses them.
"""

from __future__ import annotations

from dataclasses import dataclass

from jongerenteam.catalogue import ROLE_LABELS

DEMO_TEAM_NAME = "Demo jongerenteam (verzonnen gegevens)"


@dataclass(frozen=True, slots=True)
class DemoWorker:
    full_name: str
    initials: str
    role: str  # storage.team.COORDINATOR or WORKER
    organisation: str
    passphrase: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


DEMO_WORKERS: tuple[DemoWorker, ...] = (
    DemoWorker("Floor Bakker", "FB", "coordinator", "wijkteam", "demo floor fietst naar school"),
    DemoWorker("Waisca Ramdin", "WR", "worker", "jeugdhulp", "demo waisca drinkt thee"),
    DemoWorker("Daan Visser", "DV", "worker", "verslavingszorg", "demo daan leest de krant"),
)
