"""In-memory directory search, built at unlock from the decrypted directory.

No persistent index exists on disk: the names are only ever in memory, and
only while unlocked. All keys are folded (accents, case) and concatenated
into one string, so a query is a handful of C-speed ``str.find`` calls
rather than a Python loop over 50,000 students.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate

_SEP = "\x00"


def fold(text: str) -> str:
    """Lower case without accents: "Özdemir" -> "ozdemir"."""
    if text.isascii():  # most keys: NFKD and casefold change nothing but case
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class DirectoryIndex:
    """Substring search over name, student number and birth date."""

    def __init__(self, entries: Iterable[tuple[str, str]] = ()) -> None:
        self._ids: list[str] = []
        self._keys: list[str] = []
        for sid, key in entries:
            self._ids.append(sid)
            self._keys.append(fold(key))
        self._rebuild()

    def _rebuild(self) -> None:
        self._blob = _SEP.join(self._keys) + _SEP
        self._starts: list[int] = list(accumulate((len(k) + 1 for k in self._keys), initial=0))
        self._starts.pop()

    def add(self, sid: str, key: str) -> None:
        folded = fold(key)
        self._ids.append(sid)
        self._keys.append(folded)
        # Append instead of rebuilding: the blob already ends with a separator.
        self._starts.append(len(self._blob))
        self._blob += folded + _SEP

    def replace(self, sid: str, key: str) -> None:
        try:
            i = self._ids.index(sid)
        except ValueError:
            self.add(sid, key)
            return
        self._keys[i] = fold(key)
        self._rebuild()

    def __len__(self) -> int:
        return len(self._ids)

    def search(self, query: str, limit: int = 50) -> list[str]:
        """Ids whose key contains every word of the query, in directory order."""
        words = [w for w in fold(query).split() if w]
        if not words:
            return []
        # Find candidates for the longest word, then filter by the others.
        words.sort(key=len, reverse=True)
        first, rest = words[0], words[1:]
        blob, starts, keys = self._blob, self._starts, self._keys
        # A word found nowhere means no hits; without this check a common
        # first word ("de xq") would test every student that contains it.
        if any(w not in blob for w in rest):
            return []
        found: list[int] = []
        seen: set[int] = set()
        pos = blob.find(first)
        while pos != -1:
            i = bisect_right(starts, pos) - 1
            if i not in seen:
                seen.add(i)
                if all(w in keys[i] for w in rest):
                    found.append(i)
                    if len(found) >= limit:
                        break
            # jump to the next entry: one hit per student is enough
            pos = blob.find(first, starts[i] + len(keys[i]) + 1)
        # The blob is in directory order, so the hits already are too.
        return [self._ids[i] for i in found]
