"""The cell key method: every published count is perturbed a little, the same
way every time the same students make it up.

The method of the Australian Bureau of Statistics (TableBuilder) and of the
European 2021 census (Eurostat's harmonised protection, the "cell key
method"; Fraser and Wooton 2005, Giessing 2016, Enderle et al. 2020 in the
sdcTable/cellKey and ptable R packages). Design and parameters:
docs/report-privacy.md.

- Every statistics record holds a *record key*: a random integer in
  [0, KEY_SPACE), i.e. a number uniform in [0, 1) kept as KEY_SPACE-ths so
  that sums are exact. It is drawn once (``new_record_key``), sealed in the
  record with the directory key, never derived from an id, never shown.
- A cell's *cell key* is the sum of the record keys of the records counted
  in it (a record counted n times adds its key n times), modulo KEY_SPACE:
  the fractional part of the sum of the keys in [0, 1). Integer sums do not
  depend on the order of the records.
- The *perturbation table* ``PTABLE`` maps (count, cell key) to the
  published count. The same records give the same cell key, so the same
  figure in every report; one student more or less gives an unrelated key,
  so a difference of two reports is the true difference plus noise.
"""

from __future__ import annotations

import secrets

KEY_BITS = 32
KEY_SPACE = 1 << KEY_BITS

D = 2  # the largest change of a count, either way
SMALL = 3  # counts 1..SMALL-1 are never published as themselves (published: 0 or SMALL)
TOP = 5  # counts from TOP on share the last row of the table

# count -> ((change, probability), ...): the probabilities of a row add to 1.
# A row's changes are laid out in this order on [0, 1); the cell key picks one.
PTABLE: dict[int, tuple[tuple[int, float], ...]] = {
    0: ((0, 1.0),),  # nothing stays nothing: an empty cell is never made up
    1: ((-1, 2 / 3), (+2, 1 / 3)),  # 0 or 3; mean 1
    2: ((-2, 1 / 3), (+1, 2 / 3)),  # 0 or 3; mean 2
    3: ((0, 0.75), (+1, 0.2), (+2, 0.05)),  # 3, 4 or 5 (never 1 or 2); mean 3.3
    4: ((-1, 0.3125), (0, 0.45), (+1, 0.1625), (+2, 0.075)),  # 3-6 (never 2); mean 4
    TOP: ((-2, 0.075), (-1, 0.2), (0, 0.45), (+1, 0.2), (+2, 0.075)),  # mean n, variance 1
}

# The same table as cumulative bounds in key units, so a lookup is exact integer work.
_BOUNDS: dict[int, tuple[tuple[int, int], ...]] = {}
for _n, _row in PTABLE.items():
    _acc, _out = 0.0, []
    for _change, _p in _row:
        _acc += _p
        _out.append((round(_acc * KEY_SPACE), _change))
    _out[-1] = (KEY_SPACE, _out[-1][1])
    _BOUNDS[_n] = tuple(_out)


def new_record_key() -> int:
    """A fresh record key: uniform in [0, KEY_SPACE), from the system's random source."""
    return secrets.randbelow(KEY_SPACE)


def perturb(count: int, cell_key: int) -> int:
    """The published count of a cell of ``count`` records with this cell key."""
    if count <= 0:
        return 0
    key = cell_key % KEY_SPACE
    for bound, change in _BOUNDS[min(count, TOP)]:
        if key < bound:
            return count + change
    raise AssertionError("unreachable: the last bound is KEY_SPACE")


def row_stats(count: int) -> tuple[float, float]:
    """(mean change, variance) of the table's row for ``count`` (docs and tests)."""
    row = PTABLE[min(count, TOP)] if count > 0 else PTABLE[0]
    mean = sum(c * p for c, p in row)
    return mean, sum(p * (c - mean) ** 2 for c, p in row)
