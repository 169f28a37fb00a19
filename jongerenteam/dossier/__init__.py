"""The dossier: a student's file as the worker reads and writes it.

``model``: the entry kinds, what a worker enters (``NewTalk``, ``NewAgreement``,
``NewScore``) and ``fold``, which turns a file's entries into
the ``Dossier`` the screens show. ``service``: ``DossierService``, the use
cases. Consent has its own module (``jongerenteam.consent``).
"""

from jongerenteam.dossier.model import (
    AGREEMENT,
    AGREEMENT_STATUSES,
    APPOINTMENT,
    EMERGENCY_NOTE,
    EXTERNAL,
    OTHER_KIND_LABELS,
    REFERRAL,
    SCORE,
    TALK,
    TALK_TYPES,
    WALK_IN,
    WHO_KINDS,
    Agreement,
    Appointment,
    Dossier,
    External,
    NewAgreement,
    NewScore,
    NewTalk,
    Score,
    TimelineItem,
    Who,
    fold,
)
from jongerenteam.entries import edited
from jongerenteam.dossier.service import EDIT_DETAILS, EVENT_LABELS, DossierService, LogLine, detail_text

__all__ = [
    "EMERGENCY_NOTE",
    "APPOINTMENT",
    "REFERRAL",
    "WALK_IN",
    "AGREEMENT",
    "AGREEMENT_STATUSES",
    "Agreement",
    "Appointment",
    "Dossier",
    "DossierService",
    "EDIT_DETAILS",
    "EVENT_LABELS",
    "EXTERNAL",
    "External",
    "LogLine",
    "NewAgreement",
    "NewScore",
    "NewTalk",
    "OTHER_KIND_LABELS",
    "SCORE",
    "Score",
    "TALK",
    "TALK_TYPES",
    "TimelineItem",
    "WHO_KINDS",
    "Who",
    "detail_text",
    "edited",
    "fold",
]
