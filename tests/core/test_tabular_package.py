"""core.tabular is a package by job; what callers import from `core.tabular` stays there."""

import importlib

import pytest

NAMES = [
    "CellError",
    "CellProblem",
    "Column",
    "FileRefused",
    "Limits",
    "RowShape",
    "SpreadsheetTooLarge",
    "Table",
    "boolean",
    "check_spreadsheet_limits",
    "choice",
    "date",
    "decimal",
    "integer",
    "is_blank",
    "match_headers",
    "neutralise_formula",
    "normalise_header",
    "parse_decimal",
    "parse_rows",
    "read_table",
    "shown",
    "text",
    "write_csv",
    "write_xlsx",
]


@pytest.mark.parametrize("name", NAMES)
def test_the_name_is_importable_from_core_tabular(name):
    assert getattr(importlib.import_module("core.tabular"), name)


def test_a_row_problem_has_one_class_with_row_column_value_and_message():
    from core.tabular import CellProblem

    problem = CellProblem(3, "Mesi", "13", "Fuori intervallo")
    assert (problem.row, problem.column, problem.value, problem.message) == (3, "Mesi", "13", "Fuori intervallo")
    assert problem.as_list() == [3, "Mesi", "13", "Fuori intervallo"]
