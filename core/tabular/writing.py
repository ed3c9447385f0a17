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
    """The rows as the one sheet of a workbook. Text is stored as text, never as a formula
    (openpyxl would store a text starting with = as one)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.append(headers)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if cell.data_type == "f":
                cell.data_type = "s"
            if isinstance(value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
            cells.append(cell)
        sheet.append(cells)
    workbook.save(handle)
