"""A paste stays text: control characters inside a bracketed paste never act as keys.

The terminal wraps pasted text in ``ESC[200~`` … ``ESC[201~`` (bracketed
paste). Textual 8.2.8's input parser collects that text into one Paste
event, except when the text itself holds an escape character (a colour code
copied from a terminal): from there on it re-reads the rest of the paste as
key presses, so a form feed in it locks the app (ctrl+l) and letters after
it land as typed keys. This module puts a small filter in front of that
parser: inside a bracketed paste, escape sequences and other control
characters (newline and tab aside) are taken out before the parser sees
them. The Paste event then holds only text, and the widgets of
``screens/text.py`` clean what is left.

``install()`` swaps the parser class the Linux (and macOS) driver uses;
Textual is pinned exactly (pyproject.toml), and ``tests/test_tmux.py``
pastes such text into the installed app in a real terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from textual._xterm_parser import XTermParser

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"

# Inside a paste: a complete escape sequence, or one control character.
_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI (the paste's own end marker is one: handled first)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC, ended by BEL or ST
    r"|\x1b[PX^_][^\x1b]*\x1b\\"  # DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]"  # two-character escapes
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # C0 controls but tab and line breaks (CR, LF), and DEL
)
# A sequence that may be cut off at the end of a chunk: wait for the rest.
_UNFINISHED = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|[PX^_][^\x1b]*|[ -/]*)?$")


class PasteFilter:
    """Takes escape sequences and control characters out of bracketed pastes, chunk by chunk."""

    def __init__(self) -> None:
        self.in_paste = False
        self.held = ""
        # The last chunk ended in a lone ESC, passed on at once (it may be the
        # Escape key); if this chunk goes on with "[200~", a paste starts.
        self.after_esc = False

    def __call__(self, data: str, *, final: bool = False) -> str:
        data = self.held + data
        self.held = ""
        out: list[str] = []
        if self.after_esc and not self.in_paste:
            rest = PASTE_START[1:]
            if len(data) < len(rest) and rest.startswith(data) and not final:
                self.held = data  # still maybe the start of a paste: wait for the rest
                return ""
            if data.startswith(rest):
                out.append(rest)
                data = data[len(rest):]
                self.in_paste = True
        self.after_esc = False
        while data:
            if not self.in_paste:
                start = data.find(PASTE_START)
                if start < 0:
                    # A chunk may end in the first bytes of the start marker: hold
                    # them back, but never a lone ESC (the Escape key must not wait).
                    keep = _partial_suffix(data, PASTE_START) if not final else 0
                    if keep == 1:
                        keep, self.after_esc = 0, True
                    out.append(data[: len(data) - keep])
                    self.held = data[len(data) - keep:]
                    break
                out.append(data[: start + len(PASTE_START)])
                data = data[start + len(PASTE_START):]
                self.in_paste = True
                continue
            end = data.find(PASTE_END)
            body = data if end < 0 else data[:end]
            if end < 0 and not final:
                unfinished = _UNFINISHED.search(body)
                cut = unfinished.start() if unfinished else len(body)
                keep_marker = _partial_suffix(body, PASTE_END)
                cut = min(cut, len(body) - keep_marker)
                self.held = body[cut:]
                body = body[:cut]
            out.append(_SEQUENCE.sub("", body))
            if end < 0:
                break
            out.append(PASTE_END)
            data = data[end + len(PASTE_END):]
            self.in_paste = False
        return "".join(out)


def _partial_suffix(data: str, marker: str) -> int:
    """How many characters at the end of ``data`` begin ``marker``."""
    for size in range(min(len(marker) - 1, len(data)), 0, -1):
        if marker.startswith(data[-size:]):
            return size
    return 0


class PasteSafeParser(XTermParser):
    """Textual's input parser, fed through a ``PasteFilter``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._paste_filter = PasteFilter()

    def feed(self, data: str) -> Iterable[Any]:
        if data:
            filtered = self._paste_filter(data)
            if filtered:  # an empty feed would mean the end of input to the parser
                yield from super().feed(filtered)
            return
        # The end of input: first what was held back, then the end itself.
        rest = self._paste_filter("", final=True)
        if rest:
            yield from super().feed(rest)
        yield from super().feed("")


def install() -> None:
    """Use the paste-safe parser for the terminal drivers (once; harmless again)."""
    from textual.drivers import linux_driver

    vars(linux_driver)["XTermParser"] = PasteSafeParser  # the name the driver looks up when it starts
