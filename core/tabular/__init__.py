"""Reading spreadsheets as Italian offices produce them, checking their rows, and writing
them back.

One module per job:

- `reading`: `read_table` (CSV or XLSX → `Table` of raw cell values, or `FileRefused`);
- `limits`: the size limits (`PUSH_MAX_*`), checked before a file is expanded
  (`check_spreadsheet_limits`) and again while it is read;
- `columns`: `Column` and `match_headers`, headers in Italian matched in any case, with or
  without accents;
- `cells`: cell parsers (`text`, `decimal`, `integer`, `boolean`, `date`, `choice`) that
  return Python values or raise `CellError`;
- `rows`: the validation engine, `parse_rows` and `RowShape`, every problem a `CellProblem`
  (row, column, value, message) – the one class of a row error in PUSH;
- `writing`: `write_csv`, `csv_lines`, `write_xlsx`, `italian_cell` and
  `neutralise_formula`, the one rule against formula injection;
- `encoding`, `errors`: text decoding and `FileRefused`/`SpreadsheetTooLarge`.

Everything is importable from `core.tabular` itself; readers never touch the database.
"""

from .cells import (
    FALSE_WORDS,
    TRUE_WORDS,
    CellError,
    as_text,
    boolean,
    choice,
    date,
    decimal,
    integer,
    parse_decimal,
    text,
)
from .columns import Column, HeaderMatch, match_headers, normalise_header
from .encoding import XLSX_MAGIC, decode_text
from .errors import FileRefused, SpreadsheetTooLarge
from .limits import (
    DEFAULT_COMPRESSION_RATIO,
    Limits,
    check_spreadsheet_limits,
    check_workbook_limits,
    column_label,
)
from .reading import Table, detect_separator, read_csv, read_table, read_xlsx
from .rows import CellProblem, ParsedRows, RowShape, is_blank, parse_rows, shown
from .writing import csv_lines, italian_cell, neutralise_formula, write_csv, write_xlsx

__all__ = [
    "DEFAULT_COMPRESSION_RATIO",
    "FALSE_WORDS",
    "TRUE_WORDS",
    "XLSX_MAGIC",
    "CellError",
    "CellProblem",
    "Column",
    "FileRefused",
    "HeaderMatch",
    "Limits",
    "ParsedRows",
    "RowShape",
    "SpreadsheetTooLarge",
    "Table",
    "as_text",
    "boolean",
    "check_spreadsheet_limits",
    "check_workbook_limits",
    "choice",
    "column_label",
    "csv_lines",
    "date",
    "decimal",
    "decode_text",
    "detect_separator",
    "integer",
    "is_blank",
    "italian_cell",
    "match_headers",
    "neutralise_formula",
    "normalise_header",
    "parse_decimal",
    "parse_rows",
    "read_csv",
    "read_table",
    "read_xlsx",
    "shown",
    "text",
    "write_csv",
    "write_xlsx",
]
