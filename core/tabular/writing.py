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


# --- XLSX written directly, for the register's large exports -------------------------
# A workbook is a zip of a few XML parts. `xlsx_cell` gives one cell's XML without its
# reference (cells and rows may leave it out: each follows the one before), so a cell's XML
# depends on its value only and a column's distinct values are formatted once; the sheet is
# streamed into the zip chunk by chunk. Text is an inline string (never a formula), numbers
# are written as they are (Decimal exactly), dates as serial numbers shown dd/mm/yyyy.

_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
BLANK_XLSX_CELL = "<c/>"


def xlsx_cell(value) -> str:
    """One cell of a sheet row as XML, without its reference (see above)."""
    if value is None or value == "":
        return BLANK_XLSX_CELL
    kind = type(value)
    if kind is str:
        text_value = _XML_FORBIDDEN.sub(lambda match: f"_x{ord(match.group(0)):04X}_", value.translate(_XML_ESCAPES))
        return f'<c t="inlineStr"><is><t xml:space="preserve">{text_value}</t></is></c>'
    if kind is bool:
        return f'<c t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is Decimal or kind is float:
        return f"<c><v>{value}</v></c>"
    if kind is datetime.date:
        from openpyxl.utils.datetime import to_excel

        return f'<c s="1"><v>{to_excel(value)}</v></c>'
    if kind is datetime.datetime:
        from openpyxl.utils.datetime import to_excel

        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        return f'<c s="2"><v>{to_excel(value)}</v></c>'
    for base in (bool, datetime.datetime, datetime.date, str, int, float, Decimal):
        if isinstance(value, base):
            return xlsx_cell(base(value) if base in (str, int, float) else value)
    return xlsx_cell(str(value))


def write_xlsx_rows(headers, row_chunks, handle, *, sheet_title="Dati") -> None:
    """A one-sheet workbook whose rows come as chunks of rows of cell XML (xlsx_cell),
    streamed into the zip: memory holds one chunk."""
    import zipfile

    title = str(sheet_title)[:31].translate(_XML_ESCAPES).replace('"', "&quot;")
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr(
            "xl/workbook.xml",
            f'{_XML_HEAD}<workbook xmlns="{_SPREADSHEET_NS}" xmlns:r="{_RELATIONSHIPS_NS}">'
            f'<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/styles.xml", _STYLES)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            header = "".join(xlsx_cell(str(value)) for value in headers)
            sheet.write(f'{_XML_HEAD}<worksheet xmlns="{_SPREADSHEET_NS}"><sheetData><row>{header}</row>'.encode())
            for rows in row_chunks:
                sheet.write("".join(["<row>" + "".join(row) + "</row>" for row in rows]).encode())
            sheet.write(b"</sheetData></worksheet>")


_CONTENT_TYPES = (
    f"{_XML_HEAD}"
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'{_XML_HEAD}<Relationships xmlns="{_PACKAGE_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    f'{_XML_HEAD}<Relationships xmlns="{_PACKAGE_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)
# Style 0: general; 1: a date shown dd/mm/yyyy; 2: a date and time shown dd/mm/yyyy hh:mm.
_STYLES = (
    f'{_XML_HEAD}<styleSheet xmlns="{_SPREADSHEET_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
    '<numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
