"""The student's rights (AVG): inzage, correctie, verwijdering, bewaartermijn.

``inzage``: the words, terms, ``Correction`` and the inzage document;
``article15``: what an inzage must tell (purposes, grounds, rights);
``others``: the parts of an inzage about other people;
``service``: ``RightsService``, the use cases.
"""

from jongerenteam.rights.inzage import (
    CORRECTABLE,
    CORRECTION,
    DECISIONS,
    DEFAULT_REGIME,
    DEFAULT_RETENTION_YEARS,
    DIRECTORY_LABELS,
    ERASE_WORD,
    ERASURE_REASONS,
    EXPORT_PDF,
    EXPORT_TEXT,
    FIELD_LABELS,
    HIDDEN_KEYS,
    KIND_LABELS,
    MAY_BE_EMPTIED,
    READ_FOR_INZAGE,
    RETENTION_LIMITS,
    TEXT,
    Correction,
    InzageDraft,
    PastTerm,
    add_years,
    build_inzage,
    check_text_target,
    default_inzage_path,
    erase_confirmed,
    make_draft,
    student_initials,
)
from jongerenteam.rights.others import OtherPart
from jongerenteam.rights.service import RightsService

__all__ = [
    "CORRECTABLE",
    "CORRECTION",
    "DECISIONS",
    "DEFAULT_REGIME",
    "DEFAULT_RETENTION_YEARS",
    "DIRECTORY_LABELS",
    "ERASE_WORD",
    "ERASURE_REASONS",
    "EXPORT_PDF",
    "EXPORT_TEXT",
    "FIELD_LABELS",
    "HIDDEN_KEYS",
    "KIND_LABELS",
    "MAY_BE_EMPTIED",
    "READ_FOR_INZAGE",
    "RETENTION_LIMITS",
    "TEXT",
    "Correction",
    "InzageDraft",
    "OtherPart",
    "PastTerm",
    "RightsService",
    "add_years",
    "build_inzage",
    "check_text_target",
    "default_inzage_path",
    "erase_confirmed",
    "make_draft",
    "student_initials",
]
