"""The dossier of one student: the screen, one module per tab, and the dialogs each tab owns.

- ``screen``: ``DossierScreen`` (header, tab bar, the screen-wide keys and
  ``StatusModal``);
- ``base``: what the tabs share (``DossierPane``, ``ListPane``,
  ``TablePane``, ``DossierDialog``, the words for who and when);
- one module per tab: ``overview`` (1), ``talks`` (2, with ``TalkModal``,
  ``NoteModal``, ``TalkDetailModal``), ``agreements`` (3, with
  ``AgreementModal``, ``DateModal``), ``scores`` (4, ``ScoreDialog``),
  ``consent`` (5, ``ConsentDialog``, ``ExtendDialog``), ``involved`` (6,
  ``CoachDialog``, ``ExternalDialog``, ``ColleagueDialog``), ``log`` (7).

Styles: dossier.tcss (loaded by the app). The shared widgets (``LineTable``,
``KeyChoice``) are in screens/widgets.py; ``LineTable`` is named here too.
"""

from screens.dossier.agreements import AgreementModal, DateModal
from screens.dossier.screen import DossierScreen, StatusModal
from screens.dossier.talks import NoteModal, TalkDetailModal, TalkModal
from screens.widgets import LineTable

__all__ = [
    "AgreementModal",
    "DateModal",
    "DossierScreen",
    "LineTable",
    "NoteModal",
    "StatusModal",
    "TalkDetailModal",
    "TalkModal",
]
