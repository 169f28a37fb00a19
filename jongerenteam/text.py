"""Text that people type: cleaned the same way everywhere, within sensible limits.

Three rules, one place each:

- **Input** (``clean_line``, ``clean_block``): escape sequences and control
  characters are removed (``storage.documents.clean_text``: the store applies
  the same rule to everything it seals, so nothing else can slip through).
- **Limits** (``LIMITS``, ``check_text``): a name, a number or a note has a
  maximum length, refused with a Dutch message that says how long it is.
- **Display** (``visible``): anything that is still a control character (older
  data, a file read back) is shown as a visible symbol, never sent to the
  terminal, where it would act.
"""

from __future__ import annotations

from typing import Any

from jongerenteam.glyphs import unprintable
from storage.documents import clean_document, clean_text

__all__ = ["LIMITS", "check_document", "check_text", "clean_block", "clean_document", "clean_line", "clean_text", "visible"]

# Maximum lengths in characters. A name fits a long Dutch or Arabic name
# with several parts ("Maria Johanna Theodora van den Broek-Al Hashimi" is
# 48); a line is one sentence (a werkafspraak, a reason); a note is a
# talk report of several pages.
LIMITS = {
    "name": 60,
    "initials": 20,
    "number": 20,
    "short": 100,
    "line": 300,
    "note": 20_000,
}

TEXT = {
    "too_long": "Dit is te lang: hoogstens {limit} tekens, nu {length}. Maak het korter.",
    "too_long_note": "Deze tekst is te lang: hoogstens {limit} tekens, nu {length}. Verdeel hem over twee verslagen.",
    "unprintable": (
        "Deze tekens kan het programma niet afdrukken: {chars}. "
        "Laat ze weg of schrijf ze met andere letters (bijvoorbeeld Latijnse)."
    ),
}


def clean_line(text: str) -> str:
    """One line of input (a name, a number): no controls, no line breaks, no outer spaces."""
    return clean_text(text, multiline=False).strip()


def clean_block(text: str) -> str:
    """Several lines of input (a note, a reason): no controls, line breaks kept."""
    return clean_text(text, multiline=True).strip()


def check_text(field: str, value: str, kind: str) -> None:
    """Refuse ``value`` longer than ``LIMITS[kind]``, or with characters no PDF can print,
    with a Dutch message naming ``field``."""
    from jongerenteam.domain import ValidationError

    limit = LIMITS[kind]
    if len(value) > limit:
        template = TEXT["too_long_note"] if kind == "note" else TEXT["too_long"]
        raise ValidationError(field, template.format(limit=limit, length=len(value)))
    missing = unprintable(value)
    if missing:
        raise ValidationError(field, TEXT["unprintable"].format(chars=" ".join(missing[:10])))


def check_document(payload: Any, field: str = "tekst") -> None:
    """No string anywhere in a file entry's payload is longer than a note may be, or unprintable."""
    if isinstance(payload, str):
        check_text(field, payload, "note")
    elif isinstance(payload, dict):
        for key, value in payload.items():
            if key == "geschiedenis":
                continue  # earlier values, as they were saved then: not typed now
            check_document(value, key if isinstance(key, str) else field)
    elif isinstance(payload, (list, tuple)):
        for value in payload:
            check_document(value, field)


# Control characters as visible symbols: C0 as the Unicode "control
# pictures" (U+2400 + code: a bell shows as ␇), DEL as ␡, and everything
# else that would act on a terminal or reorder the text as U+FFFD.
_VISIBLE = {i: 0x2400 + i for i in range(0x20)}
_VISIBLE[0x7F] = 0x2421
_VISIBLE.update(dict.fromkeys(range(128, 160), 65533))
_VISIBLE.update(dict.fromkeys((*range(8234, 8239), *range(8294, 8298), 8232, 8233), 65533))
_VISIBLE.update(dict.fromkeys(range(55296, 57344), 65533))


def visible(text: str, *, newlines: bool = False) -> str:
    """``text`` safe to put on a terminal: every control character as a visible symbol.

    With ``newlines`` a line break stays a line break (multi-line text in a
    widget that wraps); otherwise it shows as ␊ too.
    """
    if text.isprintable():
        return text
    if newlines:
        return "\n".join(line.translate(_VISIBLE) for line in text.split("\n"))
    return text.translate(_VISIBLE)
