"""Reading spreadsheets as Italian offices produce them, and writing them back.

CSV as saved by Excel in Italy: `;` or `,` separators (detected), UTF-8 with or without BOM
or Windows-1252, decimal comma with thousands point (`1.234,56`), dates `dd/mm/yyyy`.
XLSX: the first sheet, values only; formulas and merged cells are refused because what the
office sees is then not what the file holds.

Readers return a `Table` (headers and rows of raw cell values) or raise `FileRefused` with a
message for the clerk; they never touch the database. Cell parsers turn raw values into
Python values or raise `CellError`; `Column` and `match_headers` map headers written in
Italian, in any case and with or without accents, onto the fields they describe.
"""

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"


class FileRefused(Exception):
    """The whole file cannot be read; `message` says why and what to do."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


class CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    headers: list[str]
    rows: list[list]  # raw values; CSV gives str, XLSX gives str/int/float/datetime/bool/None
    first_data_row: int = 2  # spreadsheet row number of rows[0], for messages
    format: str = "csv"


# --- reading ------------------------------------------------------------------------


def read_table(content: bytes, filename: str) -> Table:
    name = filename.lower()
    if not content or not content.strip():
        raise FileRefused(_("The file is empty."), "empty")
    if name.endswith(".xlsx"):
        if not content.startswith(XLSX_MAGIC):
            raise FileRefused(
                _("The file is named .xlsx but is not an Excel workbook: save it again from Excel as .xlsx."),
                "not_xlsx",
            )
        return read_xlsx(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        return read_csv(content)
    if name.endswith(".xls") or name.endswith(".ods"):
        raise FileRefused(_("This spreadsheet format is not accepted: save the file as .xlsx or as CSV."), "format")
    raise FileRefused(_("Upload a CSV (.csv) or Excel (.xlsx) file."), "format")


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM) or, failing that, Windows-1252 as Excel writes it in Italy."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="strict")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    control = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    return control > len(sample) * 0.01


def detect_separator(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (";", ",", "\t", "|")}
    if counts[";"] or counts[","]:
        return ";" if counts[";"] >= counts[","] else ","
    if counts["\t"] or counts["|"]:
        found = _("tab") if counts["\t"] >= counts["|"] else "|"
        raise FileRefused(
            _("The columns are separated by %(separator)s: save the file as CSV with ';' (or ',') as separator.")
            % {"separator": found},
            "separator",
        )
    raise FileRefused(
        _(
            "No column separator found in the first line: the file must have one column per field, separated by ';' or ','."
        ),
        "separator",
    )


def read_csv(content: bytes) -> Table:
    if content.startswith(XLSX_MAGIC):
        raise FileRefused(
            _(
                "The file is named .csv but is an Excel workbook or a compressed archive: upload it as .xlsx or save it as CSV."
            ),
            "binary",
        )
    if _looks_binary(content[:8192]):
        raise FileRefused(_("The file is named .csv but is not a text file: save the spreadsheet as CSV."), "binary")
    text = decode_text(content)
    head = text[:65536].splitlines()
    header_index = next((i for i, line in enumerate(head) if line.strip(" ;,\t")), None)
    if header_index is None:
        raise FileRefused(_("The file is empty."), "empty")
    separator = detect_separator(head[header_index])
    rows = list(csv.reader(io.StringIO(text), delimiter=separator))
    headers = rows[header_index]
    data = rows[header_index + 1 :]
    # Excel leaves lines of bare separators at the end of a sheet.
    while data and not any(cell.strip() for cell in data[-1]):
        data.pop()
    return Table(headers=headers, rows=data, first_data_row=header_index + 2, format="csv")


def read_xlsx(content: bytes) -> Table:
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise FileRefused(_("The Excel file is damaged and cannot be read."), "damaged") from error
    try:
        sheet = workbook.worksheets[0]
        _refuse_merged_cells(workbook, sheet)
        rows, formulas = [], []
        for row in sheet.iter_rows():
            values = []
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    formulas.append(f"{get_column_letter(cell.column)}{cell.row}")
                values.append(cell.value)
            rows.append(values)
    finally:
        workbook.close()
    if formulas:
        shown = ", ".join(formulas[:10]) + ("…" if len(formulas) > 10 else "")
        raise FileRefused(
            _(
                "The sheet contains formulas (cells %(cells)s): copy the sheet and paste values only, then upload it again."
            )
            % {"cells": shown},
            "formulas",
        )
    header_index = next((i for i, row in enumerate(rows) if any(_present(value) for value in row)), None)
    if header_index is None:
        raise FileRefused(_("The file is empty."), "empty")
    headers = ["" if value is None else str(value) for value in rows[header_index]]
    data = rows[header_index + 1 :]
    while data and not any(_present(value) for value in data[-1]):
        data.pop()
    return Table(headers=headers, rows=data, first_data_row=header_index + 2, format="xlsx")


def _refuse_merged_cells(workbook, sheet) -> None:
    path = getattr(sheet, "_worksheet_path", None)
    archive = getattr(workbook, "_archive", None)
    if not path or archive is None:
        return
    with archive.open(path) as handle:
        tail = b""
        while chunk := handle.read(1 << 20):
            if b"<mergeCell " in tail + chunk:
                raise FileRefused(
                    _("The sheet contains merged cells: unmerge them (one value per cell) and upload it again."),
                    "merged_cells",
                )
            tail = chunk[-16:]


def _present(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


# --- headers ------------------------------------------------------------------------


def normalise_header(text) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Callable
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""
    help: str = ""

    def names(self):
        return {normalise_header(self.header), normalise_header(self.key), *map(normalise_header, self.aliases)}


@dataclass
class HeaderMatch:
    positions: dict[str, int] = field(default_factory=dict)  # column key -> index in the row
    errors: list[str] = field(default_factory=list)


def match_headers(headers: list, columns: list[Column]) -> HeaderMatch:
    lookup = {}
    for column in columns:
        for name in column.names():
            lookup[name] = column
    match = HeaderMatch()
    unknown, seen = [], {}
    for index, header in enumerate(headers):
        name = normalise_header(header)
        if not name:
            continue
        column = lookup.get(name)
        if column is None:
            unknown.append(str(header).strip())
            continue
        if column.key in match.positions:
            match.errors.append(
                _("The column “%(column)s” appears twice (as “%(first)s” and “%(second)s”).")
                % {"column": column.header, "first": seen[column.key], "second": str(header).strip()}
            )
            continue
        match.positions[column.key] = index
        seen[column.key] = str(header).strip()
    if unknown:
        match.errors.append(
            _("Unknown columns: %(columns)s. Use the headers of the template (download it from this page).")
            % {"columns": ", ".join(f"“{name}”" for name in unknown)}
        )
    missing = [column.header for column in columns if column.required and column.key not in match.positions]
    if missing:
        match.errors.append(
            _("Required columns missing: %(columns)s.") % {"columns": ", ".join(f"“{name}”" for name in missing)}
        )
    return match


# --- cell parsers -------------------------------------------------------------------
# Each takes a raw value that is present (not None, not blank) and returns the Python value.

_INT_RE = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$|^[+-]?\d+$")
_IT_DECIMAL_RE = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_DOT_DECIMAL_RE = re.compile(r"^[+-]?\d+\.\d+$")
_DATE_RE = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")

TRUE_WORDS = frozenset({"si", "sì", "s", "x", "1", "vero", "true", "yes", "y"})
FALSE_WORDS = frozenset({"no", "n", "0", "falso", "false"})


def as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def text(max_length: int) -> Callable:
    def parse(value):
        result = value.strip() if type(value) is str else as_text(value)
        if len(result) > max_length:
            raise CellError(_("Too long: at most %(max)d characters.") % {"max": max_length})
        return result

    return parse


def parse_decimal(value) -> Decimal:
    """Italian decimal: `1.234,56`, `1234,56`, `65`; a lone point followed by other than
    three digits is read as a decimal point (`65.5`), as some systems export."""
    if type(value) is not str:
        if isinstance(value, bool):
            raise CellError(_("A number is expected here."))
        if isinstance(value, (int, float, Decimal)):
            return Decimal(str(value))
        raise CellError(_("A number is expected here."))
    raw = value.strip()
    # Fast path for the common case: digits with at most one decimal comma ("68,40").
    if raw.replace(",", "", 1).isdigit():
        return Decimal(raw.replace(",", "."))
    raw = raw.replace(" ", "").replace("\u00a0", "").replace("€", "")
    if _IT_DECIMAL_RE.match(raw):
        return Decimal(raw.replace(".", "").replace(",", "."))
    if _DOT_DECIMAL_RE.match(raw):
        return Decimal(raw)
    raise CellError(_("“%(value)s” is not a number (write it like 1.234,56).") % {"value": value.strip()})


def decimal(*, places: int, minimum: Decimal, maximum: Decimal) -> Callable:
    quantum = Decimal(1).scaleb(-places)

    def parse(value):
        number = parse_decimal(value)
        if number < minimum or number > maximum:
            raise CellError(
                _("%(value)s is out of range: it must be between %(min)s and %(max)s.")
                % {"value": _it(number), "min": _it(minimum), "max": _it(maximum)}
            )
        try:
            rounded = number.quantize(quantum)
        except InvalidOperation:
            raise CellError(_("A number is expected here."))
        if rounded != number:
            raise CellError(_("At most %(places)d decimal places.") % {"places": places})
        return rounded

    return parse


def integer(*, minimum: int, maximum: int) -> Callable:
    def parse(value):
        if type(value) is str:
            raw = value.strip().replace(" ", "")
            if not _INT_RE.match(raw):
                raise CellError(_("“%(value)s” is not a whole number.") % {"value": value.strip()})
            number = int(raw.replace(".", ""))
        elif isinstance(value, bool):
            raise CellError(_("A whole number is expected here."))
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            raise CellError(_("A whole number is expected here."))
        if number < minimum or number > maximum:
            raise CellError(
                _("%(value)s is out of range: it must be between %(min)d and %(max)d.")
                % {"value": number, "min": minimum, "max": maximum}
            )
        return number

    return parse


def boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    word = as_text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Write “sì” or “no”."))


def date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = value.strip() if type(value) is str else as_text(value)
    if len(raw) == 10 and raw[2] == "/" and raw[5] == "/":
        try:
            return datetime.date(int(raw[6:]), int(raw[3:5]), int(raw[:2]))
        except ValueError:
            pass  # fall through to the full check and its message
    match = _DATE_RE.match(raw)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        match = _ISO_DATE_RE.match(raw)
        if match:
            return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(_("The date %(value)s does not exist.") % {"value": raw})
    raise CellError(_("“%(value)s” is not a date (write it as dd/mm/yyyy).") % {"value": raw})


def choice(mapping: dict[str, str], described: str) -> Callable:
    """A value from a list: `mapping` goes from normalised spellings to stored codes."""

    exact = {}
    for spelling, code in mapping.items():
        exact[spelling] = code
        exact[spelling.upper()] = code

    def parse(value):
        if type(value) is str:
            found = exact.get(value) or exact.get(value.strip().lower())
            if found is not None:
                return found
        key = normalise_header(value)
        try:
            return mapping[key]
        except KeyError:
            raise CellError(
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": as_text(value), "allowed": described}
            )

    return parse


def _it(number) -> str:
    return f"{number}".replace(".", ",")


# --- writing ------------------------------------------------------------------------


def italian_cell(value) -> str:
    """A value written the way Excel in Italy reads it back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sì" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def write_csv(headers: list[str], rows, handle) -> None:
    """Italian CSV: BOM, `;`, decimal comma, dd/mm/yyyy. Formula-like text is neutralised."""
    handle.write("\ufeff")
    writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_safe(italian_cell(value)) for value in row])


def write_xlsx(headers: list[str], rows, handle, *, sheet_title="Dati") -> None:
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


def _safe(text_value: str) -> str:
    if text_value and text_value[0] in "=+@\t\r" or (text_value.startswith("-") and not _looks_numeric(text_value)):
        return "'" + text_value
    return text_value


def _looks_numeric(value: str) -> bool:
    return bool(_IT_DECIMAL_RE.match(value.replace(" ", "")))


# --- generic row validation -------------------------------------------------------------


@dataclass
class CellProblem:
    row: int
    column: str
    value: str
    message: str

    def as_list(self):
        return [self.row, self.column, self.value, self.message]


@dataclass
class ParsedRows:
    records: list = field(default_factory=list)  # (row number, {key: value}) of rows without errors
    problems: list = field(default_factory=list)
    error_rows: set = field(default_factory=set)
    total_rows: int = 0


def is_blank(cell) -> bool:
    return cell is None or cell == "" or (type(cell) is str and cell.isspace())


def shown(value) -> str:
    """A cell's value as a report shows it: trimmed, at most 60 characters."""
    if value is None:
        return ""
    text_value = str(value).strip()
    return text_value if len(text_value) <= 60 else text_value[:57] + "…"


def parse_rows(table: Table, columns: list[Column]) -> ParsedRows:
    """Check every cell of every row against `columns`; rows with any problem are reported
    and left out of `records`. Header problems are reported as row 1 and stop there.
    Each distinct value of a column is parsed once."""
    result = ParsedRows()
    match = match_headers(table.headers, columns)
    if match.errors:
        result.problems = [CellProblem(1, "", "", message) for message in match.errors]
        result.error_rows.add(1)
        return result
    plan = [(column, match.positions.get(column.key), {}) for column in columns]
    typed = table.format != "csv"
    for number, raw in enumerate(table.rows, start=table.first_data_row):
        if not any(raw) or all(is_blank(cell) for cell in raw):
            continue
        result.total_rows += 1
        values, problems = {}, []
        for column, index, cache in plan:
            cell = raw[index] if index is not None and index < len(raw) else None
            if is_blank(cell):
                if column.required:
                    problems.append(CellProblem(number, column.header, "", _("Required: this cell is empty.")))
                else:
                    values[column.key] = None
                continue
            key = (type(cell), cell) if typed else cell
            cached = cache.get(key)
            if cached is None:
                try:
                    cached = (True, column.parse(cell))
                except CellError as error:
                    cached = (False, error.message)
                cache[key] = cached
            ok, value = cached
            if ok:
                values[column.key] = value
            else:
                shown = str(cell).strip()
                problems.append(
                    CellProblem(number, column.header, shown if len(shown) <= 60 else shown[:57] + "…", value)
                )
        if problems:
            result.problems.extend(problems)
            result.error_rows.add(number)
        else:
            result.records.append((number, values))
    return result
