"""Small counts in open data: which cells of a public table are hidden, so that no count
below PUSH_SMALL_COUNT_THRESHOLD can be read or worked out.

The rule, applied to every public table (image, HTML table, CSV, API alike, because they
are all made from the same Result):

- primary suppression: a count from 1 to the threshold excluded is hidden (None). Zeros
  are shown: "none" discloses nobody;
- secondary suppression: every row and every column of the table is treated as having a
  published total (it is, or it can be read off another public indicator: the units by
  Comune add up to the units by province and to the units by status), and so is every
  group of rows given by the caller (the Comuni of one province). A line with exactly one
  hidden cell would give it away by difference (total − shown cells), so one more cell of
  that line is hidden: the smallest positive shown one (the least information lost), else a
  zero. Hiding it may leave another line with a single hidden cell: this repeats until no
  line has exactly one;
- a rate or amount computed from hidden counts is hidden with them (the callers map the
  hidden count cells onto the cells they derive, `derived_hidden`).

Pure functions over lists: no database, no settings beyond the threshold.
"""

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.utils.translation import gettext as _

Cell = tuple[int, int]  # (row, column)


def threshold() -> int:
    return int(getattr(settings, "PUSH_SMALL_COUNT_THRESHOLD", 5))


def is_small(value, limit: int) -> bool:
    return value is not None and 0 < value < limit


def hidden_cells(matrix: Sequence[Sequence], *, limit: int, row_groups: Iterable[Sequence[int]] = ()) -> set[Cell]:
    """The cells of `matrix` (rows of counts; None = not available) to hide: the small
    counts and, for each line with a single hidden cell, its complement (see the module)."""
    rows = len(matrix)
    columns = len(matrix[0]) if rows else 0
    hidden = {(r, c) for r in range(rows) for c in range(columns) if is_small(matrix[r][c], limit)}
    if not hidden:
        return hidden
    lines: list[list[Cell]] = [[(r, c) for c in range(columns)] for r in range(rows)]
    lines += [[(r, c) for r in range(rows)] for c in range(columns)]
    for group in row_groups:
        group = sorted(set(group))
        if 1 < len(group) < rows:  # the whole column is already a line
            lines += [[(r, c) for r in group] for c in range(columns)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = [cell for cell in line if matrix[cell[0]][cell[1]] is not None]
            if len(cells) < 2 or sum(cell in hidden for cell in cells) != 1:
                continue
            complement = _complement([cell for cell in cells if cell not in hidden], matrix)
            hidden.add(complement)
            changed = True
    return hidden


def _complement(shown: list[Cell], matrix) -> Cell:
    """The cell to hide beside a lone hidden one: the smallest positive, else a zero; ties
    by position, so that the same table always hides the same cells."""
    positive = [cell for cell in shown if matrix[cell[0]][cell[1]] > 0]
    candidates = positive or shown
    return min(candidates, key=lambda cell: (matrix[cell[0]][cell[1]], cell))


def derived_hidden(hidden: set[Cell], rows: int, *, columns_of: dict[int, Sequence[int]]) -> set[Cell]:
    """The cells of a derived table to hide: derived cell (r, k) is hidden when any count
    cell (r, c) it is computed from (c in columns_of[k]) is hidden."""
    return {(r, k) for r in range(rows) for k, sources in columns_of.items() if any((r, c) in hidden for c in sources)}


def note(limit: int) -> str:
    return _("Values below %(threshold)d are not shown, nor any value from which they could be worked out.") % {
        "threshold": limit
    }


def suppress_result(result, *, row_groups: Iterable[Sequence[int]] = ()):
    """Hide the small counts of a count Result in place (public readers): its series'
    values become None where hidden; `suppressed` and `note` say so. Returns the hidden cells."""
    limit = threshold()
    matrix = [[series.values[r] for series in result.series] for r in range(len(result.categories))]
    hidden = hidden_cells(matrix, limit=limit, row_groups=row_groups)
    hide(result, hidden, limit=limit)
    return hidden


def hide(result, hidden: set[Cell], *, limit: int | None = None) -> None:
    """Set the hidden cells of `result` to None and record how many, with the note."""
    if not hidden:
        return
    for c, series in enumerate(result.series):
        series.values = [None if (r, c) in hidden else value for r, value in enumerate(series.values)]
    result.suppressed = len(hidden)
    result.note = note(threshold() if limit is None else limit)
