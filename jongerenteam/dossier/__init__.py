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
from jongerenteam.dossier.service import EDIT_DETAILS, EVENT_LABELS, DossierService, LogLine, detail_text
from jongerenteam.entries import edited

__all__ = [
    "AGREEMENT",
    "AGREEMENT_STATUSES",
    "APPOINTMENT",
    "EDIT_DETAILS",
    "EMERGENCY_NOTE",
    "EVENT_LABELS",
    "EXTERNAL",
    "OTHER_KIND_LABELS",
    "REFERRAL",
    "SCORE",
    "TALK",
    "TALK_TYPES",
    "WALK_IN",
    "WHO_KINDS",
    "Agreement",
    "Appointment",
    "Dossier",
    "DossierService",
    "External",
    "LogLine",
    "NewAgreement",
    "NewScore",
    "NewTalk",
    "Score",
    "TimelineItem",
    "Who",
    "detail_text",
    "edited",
    "fold",
]
