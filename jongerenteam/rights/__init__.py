"""The student's rights (AVG): inzage, correctie, verwijdering, bewaartermijn.

``inzage``: the words, terms, ``Correction`` and the inzage document;
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
    RETENTION_LIMITS,
    TEXT,
    Correction,
    PastTerm,
    add_years,
    build_inzage,
    check_text_target,
    default_inzage_path,
    erase_confirmed,
    student_initials,
)
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
    "RETENTION_LIMITS",
    "TEXT",
    "Correction",
    "PastTerm",
    "RightsService",
    "add_years",
    "build_inzage",
    "check_text_target",
    "default_inzage_path",
    "erase_confirmed",
    "student_initials",
]
