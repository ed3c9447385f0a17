"""The small-count rule of open data (dashboards/suppression.py) on tables written by hand:
small counts hidden, and never one hidden cell alone on a line whose total is known."""

import pytest

from dashboards import suppression
from dashboards.results import CategoryKind, Result, Series, Unit


def lines_of(matrix, row_groups=()):
    rows, columns = len(matrix), len(matrix[0])
    lines = [[(r, c) for c in range(columns)] for r in range(rows)]
    lines += [[(r, c) for r in range(rows)] for c in range(columns)]
    lines += [[(r, c) for r in group] for group in row_groups for c in range(columns)]
    # A line of one cell has that cell for total: nothing to difference.
    return [line for line in lines if len(line) > 1]


def recoverable(matrix, hidden, row_groups=()):
    """What a reader works out by differencing: for every line whose total is known, the
    total minus the cells shown, when a single cell of the line is hidden."""
    found = {}
    for line in lines_of(matrix, row_groups):
        hidden_here = [cell for cell in line if cell in hidden]
        if len(hidden_here) == 1:
            total = sum(matrix[r][c] for r, c in line)
            shown = sum(matrix[r][c] for r, c in line if (r, c) not in hidden)
            found[hidden_here[0]] = total - shown
    return found


def test_counts_below_the_threshold_are_hidden_zeros_and_larger_counts_are_not():
    hidden = suppression.hidden_cells([[0], [1], [4], [5], [120]], limit=5)
    assert (1, 0) in hidden and (2, 0) in hidden
    assert (0, 0) not in hidden and (4, 0) not in hidden


def test_a_lone_small_count_takes_the_smallest_positive_cell_with_it():
    # Units by Comune of one province: 3 would be the province's total minus the others.
    matrix = [[40], [3], [12], [0], [25]]
    hidden = suppression.hidden_cells(matrix, limit=5)
    assert hidden == {(1, 0), (2, 0)}
    assert recoverable(matrix, hidden) == {}


def test_the_differencing_attack_finds_nothing_in_a_two_way_table():
    # Comuni by status, with totals by row and by column published.
    matrix = [
        [30, 2, 10, 6],
        [25, 8, 7, 9],
        [40, 11, 1, 12],
        [50, 9, 14, 3],
    ]
    hidden = suppression.hidden_cells(matrix, limit=5)
    assert {(0, 1), (2, 2), (3, 3)} <= hidden
    assert recoverable(matrix, hidden) == {}
    # Every line has no hidden cell or at least two.
    for line in lines_of(matrix):
        assert sum(cell in hidden for cell in line) != 1


def test_groups_of_rows_with_a_published_total_are_protected_too():
    # Comuni of two provinces; each province's total is published (units by province).
    matrix = [[100], [6], [30], [2], [8], [50]]
    provinces = [[0, 1, 2], [3, 4, 5]]
    without_groups = suppression.hidden_cells(matrix, limit=5)
    assert recoverable(matrix, without_groups, provinces)  # the attack works on the province
    hidden = suppression.hidden_cells(matrix, limit=5, row_groups=provinces)
    assert recoverable(matrix, hidden, provinces) == {}
    assert {(3, 0), (4, 0)} <= hidden


def test_not_available_cells_are_neither_hidden_nor_taken_as_complements():
    matrix = [[3], [None], [20]]
    assert suppression.hidden_cells(matrix, limit=5) == {(0, 0), (2, 0)}


def test_a_result_says_how_many_cells_it_hides_and_why(settings):
    settings.PUSH_SMALL_COUNT_THRESHOLD = 10
    result = Result(
        indicator="x",
        title="x",
        unit=Unit.COUNT,
        category_kind=CategoryKind.LABEL,
        categories=["a", "b", "c"],
        codes=["a", "b", "c"],
        series=[Series("units", "Units", [9, 40, 12])],
    )
    suppression.suppress_result(result)
    assert result.series[0].values == [None, 40, None]
    assert result.suppressed == 2
    assert "10" in result.note


@pytest.mark.parametrize("limit", [2, 5, 10])
def test_every_hidden_value_stays_hidden_whatever_the_threshold(limit):
    matrix = [[1, 7, 15], [4, 6, 1], [20, 30, 3]]
    hidden = suppression.hidden_cells(matrix, limit=limit)
    assert {(r, c) for r in range(3) for c in range(3) if 0 < matrix[r][c] < limit} <= hidden
    assert recoverable(matrix, hidden) == {}
