"""Writing spreadsheets the way Excel in Italy reads them back, with no formula to run.

`italian_cell` formats one value (decimal comma, dd/mm/yyyy, sì/no); `csv_lines` yields an
Italian CSV line by line (for streamed responses) and `write_csv` writes it whole;
`write_xlsx` writes a workbook.

`neutralise_formula` is the one rule against formula injection ("CSV injection"): every
CSV cell PUSH writes goes through it, and so does every text cell of the admin lists' own
XLSX exports (registry.scoped_admin, written by modeladmin). `write_xlsx` needs no prefix:
it stores text as text, which no spreadsheet program runs.
"""

import csv
import datetime
import re
from decimal import Decimal

from django.utils import timezone

# What a spreadsheet program runs as a formula when a cell starts with it (OWASP's list:
# = + - @, tab and carriage return).
_FORMULA_STARTS = frozenset("=+-@")
_CONTROL_STARTS = frozenset("\t\r")
_SIGNED_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")


def neutralise_formula(value):
    """The value as text that no spreadsheet program runs as a formula ("CSV injection").

    A text whose first character is a tab or a carriage return, or whose first character
    after any leading blanks is = + - or @, is prefixed with an apostrophe, which Excel and
    LibreOffice read as "this is text". Leading blanks are looked past because some programs
    trim them on import (Google Sheets; LibreOffice with "trim spaces") and would then run
    what follows. Signed numbers (`-12,5`, `+39 080 5401111`: digits, thousands points, a
    decimal comma and spaces only) are left as they are: they can call nothing, and a
    quoted negative amount would no longer be a number. Values other than text pass
    unchanged (a number cell is never a formula)."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in _CONTROL_STARTS:
        return "'" + value
    stripped = value.lstrip()
    if not stripped or stripped[0] not in _FORMULA_STARTS:
        return value
    if stripped[0] in "+-" and _SIGNED_NUMBER.match(stripped.replace(" ", "")):
        return value
    return "'" + value


def italian_cell(value) -> str:
    """A value written the way Excel in Italy reads it back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sì" if value else "no"
    if isinstance(value, (Decimal, float)):
        return f"{value:f}".replace(".", ",") if isinstance(value, Decimal) else str(value).replace(".", ",")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


class _Line:
    """A file-like target that hands back what csv.writer writes, one line at a time."""

    def write(self, value):
        return value


def csv_lines(headers, rows, *, cell=italian_cell):
    """An Italian CSV, line by line: BOM, `;`, CRLF, `cell` formatting each value (decimal
    comma, dd/mm/yyyy), formula-like text neutralised. Rows are read as the lines are
    consumed, so a streamed response never holds the whole file."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([str(header) for header in headers])
    for row in rows:
        yield writer.writerow([neutralise_formula(cell(value)) for value in row])


def write_csv(headers: list[str], rows, handle) -> None:
    """Italian CSV: BOM, `;`, decimal comma, dd/mm/yyyy. Formula-like text is neutralised."""
    for line in csv_lines(headers, rows):
        handle.write(line)


def write_xlsx(headers: list[str], rows, handle, *, sheet_title="Dati") -> None:
    """The rows as the one sheet of a workbook, written by XlsxWriter in constant-memory
    mode (each row goes to disk as it is written: a hundred thousand rows in a few
    seconds, memory flat). Text is always stored as text, never as a formula, a number or a
    link; numbers (Decimal exactly as written) as numbers, dates as dates shown dd/mm/yyyy,
    booleans as booleans, aware date-times in Europe/Rome."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        handle,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(sheet_title)
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    date_time_format = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    write_string, write_number, write_boolean = sheet.write_string, sheet.write_number, sheet.write_boolean
    write_datetime = sheet.write_datetime

    def write_date(row, column, value):
        write_datetime(row, column, value, date_format)

    def write_date_time(row, column, value):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        write_datetime(row, column, value, date_time_format)

    writers = {
        str: write_string,
        int: write_number,
        float: write_number,
        Decimal: write_number,
        bool: write_boolean,
        datetime.date: write_date,
        datetime.datetime: write_date_time,
    }

    def write_other(row, column, value):
        # Subclasses (safe strings, enums' values…) by what they are; anything else as text.
        for kind in (bool, datetime.datetime, datetime.date, str, int, float, Decimal):
            if isinstance(value, kind):
                return writers[kind](row, column, value)
        return write_string(row, column, str(value))

    for column, header in enumerate(headers):
        write_string(0, column, str(header))
    get = writers.get
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is not None:
                get(type(value), write_other)(row_number, column, value)
    workbook.close()
