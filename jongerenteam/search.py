"""In-memory directory search, built at unlock from the decrypted directory.

No persistent index exists on disk: the names are only ever in memory, and
only while unlocked. All keys are folded (accents, case) and concatenated
into one string, so a query is a handful of C-speed ``str.find`` calls
rather than a Python loop over 50,000 students.

Small typos are forgiven. When the exact search finds fewer students than
asked for, every query word of four letters or more (no digits) may also
match a *name token* (a word of the first or last name) that is within
edit distance 1 of it (words of 4-7 letters) or 2 (8 letters or more), or
whose beginning is: "jansne" finds Jansen, "ozdemri" Özdemir, "bakekr"
Bakker, and "jnase", half typed, Jansen too. The distance is the optimal
string alignment distance (Levenshtein plus swapping two neighbouring
letters, each counting 1; "restricted Damerau-Levenshtein"). The exact hits come
first, then the fuzzy ones: fewest edits first, a whole name before a
beginning of one, then directory order.

The fuzzy part keeps the unique name tokens of four letters or more, sorted,
with the rows that have them (see ``_Tokens`` for how a word finds the
tokens near it without comparing it with all of them). Those tables are
built on the first search that needs them, not at unlock.
"""

from __future__ import annotations

import gc
import unicodedata
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator
from itertools import accumulate, combinations

_SEP = "\x00"
MIN_FUZZY = 4  # query words and compared name parts are at least this long
_PUNCT = ",.;:()\"'"
_DIGITS = frozenset("0123456789")
_NUMBERS = "0123456789- "  # what a key ends with: student number, birth date
_HEAD = 5  # letters of a token filed for the two-edit search
_KEY = _HEAD - 2  # under the strings these leave after two deletions
_AFTER = "\U0010ffff"  # sorts after any letter: prefix + _AFTER ends a prefix range


def fold(text: str) -> str:
    """Lower case without accents: "Özdemir" -> "ozdemir"."""
    if text.isascii():  # most keys: NFKD and casefold change nothing but case
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def max_typos(word: str) -> int:
    """How many edits a query word may be off: 0 (too short, or has digits), 1 or 2."""
    if len(word) < MIN_FUZZY or not _DIGITS.isdisjoint(word):
        return 0
    return 1 if len(word) <= 7 else 2


def name_tokens(folded_key: str) -> Iterator[str]:
    """The name words of a folded key long enough for typo matching.

    Words with digits (student number, birth date) are skipped; a
    double name also gives its parts ("el-idrissi" -> "el-idrissi",
    "idrissi").
    """
    for t in folded_key.split():
        if len(t) < MIN_FUZZY:
            continue
        if t.isalpha():
            yield t
            continue
        if not _DIGITS.isdisjoint(t):
            continue
        t = t.strip(_PUNCT)
        if len(t) >= MIN_FUZZY:
            yield t
        if "-" in t:
            for part in t.split("-"):
                part = part.strip(_PUNCT)
                if len(part) >= MIN_FUZZY:
                    yield part


class _Tokens:
    """The unique name tokens with their rows, for the typo search.

    ``near(word, k)`` finds the tokens that are, or begin with, a string
    within k edits of the word, without comparing the word with every token:

    - k = 1: every string one edit away from the word is generated (about
      55 per letter, and only at positions where the word still begins some
      token) and looked up in the sorted token list. No table beyond that
      list; well under a millisecond.
    - k = 2 (words of 8 letters or more): that would be tens of thousands of
      strings. Instead the first five letters ("head") of every token are
      filed under the three-letter strings left after deleting any two of
      them; a word within two edits of a token's beginning shares one with
      it (see ``_head_keys``). The tokens found that way are then measured
      with rapidfuzz. This table is built on the first such word.
    """

    def __init__(self, keys: list[str]) -> None:
        self.rows: dict[str, list[int]] = {}
        rows = self.rows
        get = rows.get
        isalpha = str.isalpha
        for i, key in enumerate(keys):
            # The key ends with the student number and birth date: strip them
            # at C speed. If that cut a word ("canary987654" -> "canary"),
            # that whole word goes through name_tokens() like any odd word.
            name = key.rstrip(_NUMBERS)
            words = name.split()
            if len(name) < len(key) and key[len(name)] != " " and words:
                cut = words.pop()
                words += name_tokens(key[len(name) - len(cut) :].split(None, 1)[0])
            for t in words:
                if len(t) < MIN_FUZZY:
                    continue
                if isalpha(t):  # the common case inline, the rest through name_tokens()
                    r = get(t)
                    if r is None:
                        rows[t] = [i]
                    elif r[-1] != i:
                        r.append(i)
                    continue
                for u in name_tokens(t):
                    r = get(u)
                    if r is None:
                        rows[u] = [i]
                    elif r[-1] != i:
                        r.append(i)
        self.sorted: list[str] = sorted(rows)
        self.alphabet: set[str] = set("".join(self.sorted))
        self._by_key: dict[str, list[str]] | None = None  # key -> heads; built when first needed
        self._heads: set[str] = set()

    def add(self, i: int, key: str) -> None:
        for t in dict.fromkeys(name_tokens(key)):
            r = self.rows.get(t)
            if r is None:
                self.rows[t] = [i]
                insort(self.sorted, t)
                self.alphabet.update(t)
                if self._by_key is not None:
                    self._file_head(t, self._by_key)
            else:
                r.append(i)

    def remove(self, i: int, key: str) -> None:
        # A token left without rows stays: it finds nobody.
        for t in dict.fromkeys(name_tokens(key)):
            r = self.rows.get(t)
            if r is not None and i in r:
                r.remove(i)

    def near(self, word: str, k: int) -> dict[str, int]:
        """Tokens within k edits of the word, or whose beginning is: token -> rank.

        The rank is twice the edits, plus one when only a beginning of the
        token is that close (so "jansne" ranks Jansen before Janssens).
        Beginnings from max(4, len - k) to len + k letters count (a whole
        token is its own longest beginning). Tokens that begin with the word
        itself are left out: the exact search has them.
        """
        return self._near1(word) if k == 1 else self._near2(word)

    def _starting(self, prefix: str) -> list[str]:
        """Tokens that begin with prefix (a range of the sorted list)."""
        toks = self.sorted
        lo = bisect_left(toks, prefix)
        if lo == len(toks) or not toks[lo].startswith(prefix):
            return []
        return toks[lo : bisect_left(toks, prefix + _AFTER, lo)]

    def _known_depth(self, word: str) -> int:
        """Length of the longest beginning of word that begins some token."""
        toks = self.sorted
        i = bisect_left(toks, word)
        best = 0
        for t in toks[max(i - 1, 0) : i + 1]:  # the neighbours share the most
            n = 0
            for a, b in zip(word, t, strict=False):
                if a != b:
                    break
                n += 1
            best = max(best, n)
        return best

    def _near1(self, word: str) -> dict[str, int]:
        found: dict[str, int] = {}
        letters = self.alphabet
        tried: set[str] = {word}
        # An edit at position i keeps word[:i]: it can only lead to a token
        # if word[:i] begins one. An insertion at the very end gives strings
        # that begin with the word (the exact search's).
        for i in range(min(self._known_depth(word), len(word) - 1) + 1):
            head, c0, rest = word[:i], word[i], word[i + 1 :]
            variants = [head + rest]  # delete
            variants += [head + c + word[i:] for c in letters]  # insert
            variants += [head + c + rest for c in letters if c != c0]  # substitute
            if rest:
                variants.append(head + rest[0] + c0 + rest[1:])  # swap
            for x in variants:
                if len(x) < MIN_FUZZY or x in tried:
                    continue
                tried.add(x)
                for t in self._starting(x):
                    if t.startswith(word):
                        continue
                    rank = 2 + (len(t) != len(x))
                    if rank < found.get(t, 4):
                        found[t] = rank
        return found

    def _file_head(self, t: str, by_key: dict[str, list[str]]) -> None:
        if len(t) < _HEAD:  # too short to be within two edits of an 8-letter word
            return
        head = t[:_HEAD]
        if head in self._heads:
            return
        self._heads.add(head)
        for key in _head_keys(head):
            heads = by_key.get(key)
            if heads is None:
                by_key[key] = [head]
            else:
                heads.append(head)

    def _near2(self, word: str) -> dict[str, int]:
        # Imported here, not at the top: about 15 ms off every cold start.
        from rapidfuzz.distance import OSA
        from rapidfuzz.process import extract

        if self._by_key is None:
            self._by_key = {}
            for t in self.sorted:
                self._file_head(t, self._by_key)
        candidates: set[str] = set()
        for key in _head_keys(word[:_HEAD]):
            for head in self._by_key.get(key, ()):
                candidates.update(self._starting(head))
        candidates = {t for t in candidates if not t.startswith(word)}
        found: dict[str, int] = {}
        n = len(word)
        for length in range(n - 2, n + 3):
            tokens = [t for t in candidates if len(t) >= length]
            if not tokens:
                break
            beginnings = [t[:length] for t in tokens]
            for _b, d, j in extract(word, beginnings, scorer=OSA.distance, score_cutoff=2, limit=None):
                t = tokens[j]
                rank = 2 * d + (len(t) != length)
                if rank < found.get(t, 6):
                    found[t] = rank
        return found


def _head_keys(head: str) -> set[str]:
    """The strings left of a five-letter head after deleting any two letters.

    If a word is within two edits of a string (both at least six letters
    long), some string c is left of both after at most two deletions each: a
    substitution or a swap deletes one letter on each side, an insertion one
    on one side. The first three letters of c come from the first five of
    each, so their heads share a key.
    """
    return {"".join(c) for c in combinations(head, _KEY)}


TUSSENVOEGSELS = frozenset(
    {"van", "de", "der", "den", "het", "'t", "te", "ten", "ter", "in", "op", "aan", "'s", "d'", "la", "le", "du", "van't"}
)


def sort_name(last_name: str) -> str:
    """Last name for sorting without its tussenvoegsel: "van der Berg" -> "berg"."""
    words = fold(last_name).split()
    while len(words) > 1 and words[0] in TUSSENVOEGSELS:
        words.pop(0)
    return " ".join(words)


class DirectoryIndex:
    """Substring search over name, student number and birth date, forgiving small typos in names."""

    def __init__(self, entries: Iterable[tuple[str, str]] = ()) -> None:
        self._ids: list[str] = []  # per row; "" for a row retired by ``replace``
        self._keys: list[str] = []
        for sid, key in entries:
            self._ids.append(sid)
            self._keys.append(fold(key))
        self._row: dict[str, int] = {sid: i for i, sid in enumerate(self._ids)}
        self._tokens: _Tokens | None = None  # built on the first fuzzy search
        self._rebuild()

    def _rebuild(self) -> None:
        self._blob = _SEP.join(self._keys) + _SEP
        self._starts: list[int] = list(accumulate((len(k) + 1 for k in self._keys), initial=0))
        self._starts.pop()

    def _token_table(self) -> _Tokens:
        if self._tokens is None:
            # Thousands of new lists would set off the cyclic garbage
            # collector, and a full pass walks the whole directory.
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                self._tokens = _Tokens(self._keys)
            finally:
                if was_enabled:
                    gc.enable()
        return self._tokens

    def prepare(self) -> int:
        """Build the typo table now instead of on the first search that needs it.

        Returns the number of distinct name words (of four letters or more).
        """
        return len(self._token_table().rows)

    def add(self, sid: str, key: str) -> None:
        folded = fold(key)
        i = len(self._ids)
        self._ids.append(sid)
        self._keys.append(folded)
        self._row[sid] = i
        # Append instead of rebuilding: the blob already ends with a separator.
        self._starts.append(len(self._blob))
        self._blob += folded + _SEP
        if self._tokens is not None:
            self._tokens.add(i, folded)

    def replace(self, sid: str, key: str) -> None:
        """The student's key is now ``key`` ("": the student is gone). Neither walks the
        whole index (a registration at 50,000 students spent 1-1.5 ms here): a key of the
        same length is written over the old one; otherwise the old row is retired (its text
        becomes separators, which no word matches) and the student gets a new row at the end."""
        i = self._row.get(sid)
        if i is None:
            if key:
                self.add(sid, key)
            return
        folded = fold(key) if key else ""
        old = self._keys[i]
        if folded == old and key:
            return
        if self._tokens is not None:
            self._tokens.remove(i, old)
        start, blob = self._starts[i], self._blob
        if key and len(folded) == len(old):
            self._blob = "".join((blob[:start], folded, blob[start + len(old):]))
            self._keys[i] = folded
            if self._tokens is not None:
                self._tokens.add(i, folded)
            return
        parts = [blob[:start], _SEP * len(old), blob[start + len(old):]]
        self._keys[i], self._ids[i] = "", ""
        del self._row[sid]
        if key:  # a new row at the end, in the same one copy of the text
            n = len(self._ids)
            self._ids.append(sid)
            self._keys.append(folded)
            self._row[sid] = n
            self._starts.append(len(blob))
            parts += [folded, _SEP]
            if self._tokens is not None:
                self._tokens.add(n, folded)
        self._blob = "".join(parts)

    def key(self, sid: str) -> str:
        """The student's key as the index holds it (folded); "" for an id it does not hold."""
        i = self._row.get(sid)
        return "" if i is None else self._keys[i]

    def __len__(self) -> int:
        return len(self._row)

    def search(self, query: str, limit: int = 50) -> list[str]:
        """Ids whose key contains every word of the query, in directory order;
        then, if fewer than ``limit``, ids that match with small typos in name words.
        """
        words = [w for w in fold(query).split() if w]
        if not words or limit <= 0:
            return []
        found = self._exact(words, limit)
        if len(found) < limit:
            found += self._fuzzy(words, limit - len(found), set(found))
        return [self._ids[i] for i in found]  # a retired row matches no word: never among them

    def _exact(self, words: list[str], limit: int) -> list[int]:
        """Rows whose key contains every word, in directory order (a leapfrog join).

        Each word in turn jumps to the first row at or after the current one
        that contains it; when all words land on the same row it is a hit.
        The rarest word sets the pace, so "van vo" costs what "vo" costs,
        not a test of each of the 14,000 students with "van" in their name.
        """
        # A word inside another word adds nothing ("jan jansen").
        words = sorted(set(words), key=len, reverse=True)
        words = [w for i, w in enumerate(words) if not any(w in longer for longer in words[:i])]
        blob, starts = self._blob, self._starts
        found: list[int] = []
        row, agreed, n, rows = 0, 0, len(words), len(starts)
        while row < rows:
            for w in words:  # round and round: agreed counts the last words that agree
                pos = blob.find(w, starts[row])
                if pos == -1:
                    return found
                at = bisect_right(starts, pos) - 1
                if at != row:
                    row, agreed = at, 0
                agreed += 1
                if agreed == n:
                    found.append(row)
                    if len(found) >= limit:
                        return found
                    row, agreed = row + 1, 0
                    break
        return found

    def _fuzzy(self, words: list[str], limit: int, exact: set[int]) -> list[int]:
        """Rows where every word is in the key or near one of its name tokens,
        not already exact hits; fewest edits first (a whole name before a
        beginning), then directory order."""
        typos = {w: k for w in set(words) if (k := max_typos(w))}
        if not typos:
            return []
        table = self._token_table()
        near_rows: dict[str, dict[int, int]] = {}  # word -> row -> rank (see _Tokens.near)
        for w, k in typos.items():
            by_row: dict[int, int] = {}
            worst = 2 * k + 2
            for t, rank in table.near(w, k).items():
                for i in table.rows[t]:
                    if rank < by_row.get(i, worst):
                        by_row[i] = rank
            near_rows[w] = by_row
        keys = self._keys
        scored: list[tuple[int, int]] = []  # (summed rank, row)
        seen = set(exact)
        for by_row in near_rows.values():
            for i in by_row:
                if i in seen:
                    continue
                seen.add(i)
                key = keys[i]
                total = 0
                for w in words:
                    if w in key:
                        continue
                    near = near_rows[w].get(i) if w in near_rows else None
                    if near is None:
                        break
                    total += near
                else:
                    scored.append((total, i))
        scored.sort()
        return [i for _rank, i in scored[:limit]]
