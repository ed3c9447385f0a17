"""Reading spreadsheets as Italian offices produce them, and writing them back.

CSV as saved by Excel in Italy: `;` or `,` separators (detected), UTF-8 with or without BOM
or Windows-1252, decimal comma with thousands point (`1.234,56`), dates `dd/mm/yyyy`.
XLSX: the first sheet, values only; formulas and merged cells are refused because what the
office sees is then not what the file holds.

Readers return a `Table` (headers and rows of raw cell values) or raise `FileRefused` with a
message for the clerk; they never touch the database. Cell parsers turn raw values into
Python values or raise `CellError`; `Column` and `match_headers` map headers written in
Italian, in any case and with or without accents, onto the fields they describe.

Every file is bounded before it is expanded (`check_spreadsheet_limits`): a workbook is a
zip archive whose parts can unpack to thousands of times their size, and a CSV line can
hold millions of separators. The limits come from settings (`PUSH_MAX_*`) and are enforced
twice: on what the archive declares, before openpyxl opens it, and on what is actually read,
while streaming, because a sheet's declared `<dimension>` can lie.
"""

import csv
import datetime
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from core.numbers import NumberFormatError, parse_italian_decimal

XLSX_MAGIC = b"PK\x03\x04"


class FileRefused(Exception):
    """The whole file cannot be read; `message` says why and what to do."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


class SpreadsheetTooLarge(FileRefused):
    """The file exceeds one of the size limits (`code` names which); nothing was expanded
    beyond the limit."""


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


# --- limits -------------------------------------------------------------------------

# How many times a part of a workbook may unpack its compressed size (parts over 1 MB): real
# sheets unpack about 10 times; a "zip bomb" a thousand times.
DEFAULT_COMPRESSION_RATIO = 100
_RATIO_FROM_BYTES = 1 << 20
_MAX_ZIP_PARTS = 10_000
_MAX_METADATA_BYTES = 4 << 20  # workbook.xml and its relationships: a few KB in practice


@dataclass(frozen=True)
class Limits:
    """The size limits of a spreadsheet, from settings (`PUSH_MAX_*`)."""

    unpacked_bytes: int
    sheets: int
    rows: int  # rows of the sheet, the header included
    columns: int
    cell_chars: int
    csv_line_chars: int
    compression_ratio: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            unpacked_bytes=getattr(settings, "PUSH_MAX_UNPACKED_BYTES", 200 * 1024 * 1024),
            sheets=getattr(settings, "PUSH_MAX_SHEETS", 20),
            rows=getattr(settings, "PUSH_MAX_ROWS", 250_000),
            columns=getattr(settings, "PUSH_MAX_COLUMNS", 100),
            cell_chars=getattr(settings, "PUSH_MAX_CELL_CHARS", 32_767),
            csv_line_chars=getattr(settings, "PUSH_MAX_CSV_LINE_CHARS", 65_536),
            compression_ratio=getattr(settings, "PUSH_MAX_COMPRESSION_RATIO", DEFAULT_COMPRESSION_RATIO),
        )


def column_label(index: int) -> str:
    """A 0-based column position as a clerk finds it in Excel: its number and its letter."""
    from openpyxl.utils import get_column_letter

    return f"{index + 1} ({get_column_letter(min(index + 1, 18278))})"


def _mb(size: int) -> str:
    return _("%(size)s MB") % {"size": f"{size / (1024 * 1024):.1f}".replace(".", ",")}


def _too_many_rows(rows: int, limits: Limits) -> SpreadsheetTooLarge:
    return SpreadsheetTooLarge(
        _("The sheet has %(rows)d rows; at most %(max)d are accepted. Split the file into smaller files.")
        % {"rows": rows, "max": limits.rows},
        "rows",
    )


def _too_many_columns(columns: int, row: int | None, limits: Limits) -> SpreadsheetTooLarge:
    if row is None:
        message = _(
            "The sheet has %(columns)d columns; at most %(max)d are accepted. Delete the columns after the last one of the template."
        ) % {"columns": columns, "max": limits.columns}
    else:
        message = _(
            "Row %(row)d has a value in column %(columns)d; at most %(max)d columns are accepted. Delete the columns after the last one of the template."
        ) % {"row": row, "columns": columns, "max": limits.columns}
    return SpreadsheetTooLarge(message, "columns")


def _too_long_cell(row: int | None, index: int | None, limits: Limits) -> SpreadsheetTooLarge:
    if row is None:
        message = _("A cell of the file holds more than %(max)d characters, the most a cell may hold.") % {
            "max": limits.cell_chars
        }
    else:
        message = _(
            "Row %(row)d, column %(column)s: the cell holds more than %(max)d characters, the most a cell may hold."
        ) % {"row": row, "column": column_label(index), "max": limits.cell_chars}
    return SpreadsheetTooLarge(message, "cell_chars")


def check_spreadsheet_limits(content: bytes, filename: str, *, limits: Limits | None = None) -> None:
    """Refuse, with `SpreadsheetTooLarge`, a file that exceeds the size limits, without
    expanding it: for a workbook, what its zip archive declares (unpacked size, compression
    ratio, number of sheets, the first sheet's declared dimension, the longest text run);
    for a CSV, its number of lines and the length of each.

    Cheap enough for the web request that receives an upload, before the file is queued.
    `read_table` calls it too and, while reading, enforces the same limits on what is
    actually there (a declared dimension can lie)."""
    limits = limits or Limits.from_settings()
    name = filename.lower()
    if name.endswith(".xlsx") and content.startswith(XLSX_MAGIC):
        check_workbook_limits(content, limits=limits)
    elif (name.endswith(".csv") or name.endswith(".txt")) and not content.startswith(XLSX_MAGIC):
        # Without the CSV reader to tell where a record ends, each line is bounded on its
        # own here; read_csv bounds whole records (a quoted cell may span lines).
        counter = _LineCounter()
        for _line in _bounded_lines(decode_text(content), limits, counter):
            counter.next_record()


_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError)


def check_workbook_limits(content: bytes, *, limits: Limits | None = None) -> None:
    """The workbook part of `check_spreadsheet_limits`; an archive that cannot be read
    (corrupt data, a bad checksum, encryption) is refused as damaged."""
    limits = limits or Limits.from_settings()
    try:
        _check_workbook_limits(content, limits)
    except _DAMAGED as error:
        raise FileRefused(_("The Excel file is damaged and cannot be read."), "damaged") from error


def _check_workbook_limits(content: bytes, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise FileRefused(_("The Excel file is damaged and cannot be read."), "damaged") from error
    if len(infos) > _MAX_ZIP_PARTS:
        raise SpreadsheetTooLarge(
            _("The workbook is made of %(parts)d parts; at most %(max)d are accepted.")
            % {"parts": len(infos), "max": _MAX_ZIP_PARTS},
            "parts",
        )
    # Python's zipfile never yields more than a part's declared size, so the declared sizes
    # bound what openpyxl can expand.
    for info in infos:
        if info.file_size > _RATIO_FROM_BYTES and info.file_size > limits.compression_ratio * max(
            info.compress_size, 1
        ):
            raise SpreadsheetTooLarge(
                _(
                    "The workbook is compressed %(ratio)d times (part %(part)s): no spreadsheet is; at most %(max)d is accepted. Save it again from Excel."
                )
                % {
                    "ratio": info.file_size // max(info.compress_size, 1),
                    "part": info.filename[-60:],
                    "max": limits.compression_ratio,
                },
                "compression_ratio",
            )
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.unpacked_bytes:
        raise SpreadsheetTooLarge(
            _("The workbook unpacks to %(size)s; at most %(max)s are accepted. Split it into smaller files.")
            % {"size": _mb(unpacked), "max": _mb(limits.unpacked_bytes)},
            "unpacked_bytes",
        )
    # openpyxl loads the table of shared texts whole (the sheet it streams): a tighter bound.
    shared_strings = sum(info.file_size for info in infos if info.filename.lower().endswith("sharedstrings.xml"))
    if shared_strings > limits.unpacked_bytes // 4:
        raise SpreadsheetTooLarge(
            _(
                "The workbook's table of texts unpacks to %(size)s; at most %(max)s are accepted. Split it into smaller files."
            )
            % {"size": _mb(shared_strings), "max": _mb(limits.unpacked_bytes // 4)},
            "unpacked_bytes",
        )
    names = {info.filename: info for info in infos}
    sheet_paths = _worksheet_paths(archive, names)
    if len(sheet_paths) > limits.sheets:
        raise SpreadsheetTooLarge(
            _("The workbook has %(sheets)d sheets; at most %(max)d are accepted. Keep the data in the first sheet.")
            % {"sheets": len(sheet_paths), "max": limits.sheets},
            "sheets",
        )
    first = sheet_paths[0] if sheet_paths else None
    if first in names:
        dimension = _declared_dimension(archive, first)
        if dimension is not None:
            rows, columns = dimension
            if rows > limits.rows:
                raise _too_many_rows(rows, limits)
            if columns > limits.columns:
                raise _too_many_columns(columns, None, limits)
    # A cell's text is a run of bytes without markup; UTF-8 takes at most 4 bytes a character.
    longest_allowed = limits.cell_chars * 4 + 256
    for path in [first, *(name for name in names if name.lower().endswith("sharedstrings.xml"))]:
        if path in names and _longest_text_run(archive, path, longest_allowed) > longest_allowed:
            raise _too_long_cell(None, None, limits)


def _xml_part(archive, names, path) -> bytes | None:
    info = names.get(path)
    if info is None:
        return None
    if info.file_size > _MAX_METADATA_BYTES:
        raise FileRefused(_("The Excel file is damaged and cannot be read."), "damaged")
    return archive.read(info)


def _worksheet_paths(archive, names) -> list[str]:
    """The paths of the workbook's sheets, in the workbook's order (the first is read)."""
    import xml.etree.ElementTree as ElementTree

    try:
        workbook = _xml_part(archive, names, "xl/workbook.xml")
        relationships = _xml_part(archive, names, "xl/_rels/workbook.xml.rels")
        if workbook is None:
            return []
        targets = {}
        if relationships is not None:
            for element in ElementTree.fromstring(relationships):
                if element.tag.endswith("Relationship"):
                    target = element.get("Target", "")
                    target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                    targets[element.get("Id")] = target
        paths = []
        for element in ElementTree.fromstring(workbook).iter():
            if element.tag.endswith("}sheet"):
                reference = next((value for key, value in element.attrib.items() if key.endswith("}id")), None)
                paths.append(targets.get(reference, ""))
        return paths
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError) as error:
        raise FileRefused(_("The Excel file is damaged and cannot be read."), "damaged") from error


_DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z]{0,3})(\d*)(?::([A-Za-z]{1,3})(\d+))?\"")


def _declared_dimension(archive, path) -> tuple[int, int] | None:
    """Rows and columns the sheet declares (`<dimension ref="A1:AL5001"/>`), if it does."""
    from openpyxl.utils import column_index_from_string

    with archive.open(path) as handle:
        head = handle.read(65536)
    match = _DIMENSION_RE.search(head)
    if not match:
        return None
    column, row = (match.group(3), match.group(4)) if match.group(3) else (match.group(1), match.group(2))
    try:
        return int(row or 1), column_index_from_string(column.decode().upper()) if column else 1
    except ValueError:
        return None


def _longest_text_run(archive, path, stop_after: int) -> int:
    """The longest stretch of the part without markup, read 1 MB at a time; stops as soon
    as it exceeds `stop_after`."""
    longest = current = 0
    with archive.open(path) as handle:
        while chunk := handle.read(1 << 20):
            parts = chunk.split(b"<")
            if len(parts) == 1:
                current += len(chunk)
            else:
                longest = max(longest, current + len(parts[0]), max(map(len, parts[1:-1]), default=0))
                current = len(parts[-1])
            if max(longest, current) > stop_after:
                return max(longest, current)
    return max(longest, current)


# --- reading ------------------------------------------------------------------------


def read_table(content: bytes, filename: str) -> Table:
    """The first sheet of a CSV or XLSX file. Raises FileRefused (SpreadsheetTooLarge for
    files over the limits in settings) for a file that cannot be read."""
    name = filename.lower()
    if not content or content.isspace():
        raise FileRefused(_("The file is empty."), "empty")
    limits = Limits.from_settings()
    if name.endswith(".xlsx"):
        if not content.startswith(XLSX_MAGIC):
            raise FileRefused(
                _("The file is named .xlsx but is not an Excel workbook: save it again from Excel as .xlsx."),
                "not_xlsx",
            )
        check_workbook_limits(content, limits=limits)
        return read_xlsx(content, limits=limits)
    if name.endswith(".csv") or name.endswith(".txt"):
        return read_csv(content, limits=limits)
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


class _LineCounter:
    """Where the CSV reader is: lines read, and the characters of the record being read
    (a quoted cell may span lines; the record as a whole is bounded)."""

    __slots__ = ("lines", "record_chars", "record_start")

    def __init__(self):
        self.lines = 0
        self.record_chars = 0
        self.record_start = 1

    def next_record(self):
        self.record_chars = 0
        self.record_start = self.lines + 1


def _bounded_lines(text_value: str, limits: Limits, counter: _LineCounter):
    """The lines of a CSV text, none longer than the limit: a line is never read whole
    before its length is known (the newline is looked for within the limit only)."""
    limit = limits.csv_line_chars
    position, size = 0, len(text_value)
    while position < size:
        end = text_value.find("\n", position, position + limit + 2)
        stop = end + 1 if end != -1 else min(size, position + limit + 2)
        line = text_value[position:stop]
        position = stop
        counter.lines += 1
        # A record is bounded as a whole: a quoted cell may go on over many short lines.
        counter.record_chars += len(line.rstrip("\r\n"))
        if counter.record_chars > limit:
            raise SpreadsheetTooLarge(
                _(
                    "Row %(row)d is longer than %(max)d characters: it cannot be a row of the template. Check the separators and the quotes."
                )
                % {"row": counter.record_start, "max": limit},
                "csv_line_chars",
            )
        if counter.lines > limits.rows:
            raise _too_many_rows(text_value.count("\n") + 1, limits)
        yield line


def read_csv(content: bytes, *, limits: Limits | None = None) -> Table:
    limits = limits or Limits.from_settings()
    if content.startswith(XLSX_MAGIC):
        raise FileRefused(
            _(
                "The file is named .csv but is an Excel workbook or a compressed archive: upload it as .xlsx or save it as CSV."
            ),
            "binary",
        )
    if _looks_binary(content[:8192]):
        raise FileRefused(_("The file is named .csv but is not a text file: save the spreadsheet as CSV."), "binary")
    text_value = decode_text(content)
    head = text_value[:65536].splitlines()
    header_index = next((i for i, line in enumerate(head) if line.strip(" ;,\t")), None)
    if header_index is None:
        raise FileRefused(_("The file is empty."), "empty")
    separator = detect_separator(head[header_index][: limits.csv_line_chars])
    counter = _LineCounter()
    rows = []
    try:
        for row in csv.reader(_bounded_lines(text_value, limits, counter), delimiter=separator):
            if len(row) > limits.columns:
                width = len(row)
                while width and not row[width - 1].strip():
                    width -= 1
                if width > limits.columns:
                    raise _too_many_columns(width, counter.record_start, limits)
                del row[width:]  # trailing empty cells: Excel pads rows with separators
            if counter.record_chars > limits.cell_chars:
                for index, cell in enumerate(row):
                    if len(cell) > limits.cell_chars:
                        raise _too_long_cell(counter.record_start, index, limits)
            rows.append(row)
            counter.next_record()
    except csv.Error as error:
        raise FileRefused(
            _("Row %(row)d cannot be read as CSV (%(problem)s): check the quotes.")
            % {"row": counter.record_start, "problem": error},
            "csv",
        ) from error
    headers = rows[header_index]
    data = rows[header_index + 1 :]
    # Excel leaves lines of bare separators at the end of a sheet.
    while data and not any(cell.strip() for cell in data[-1]):
        data.pop()
    return Table(headers=headers, rows=data, first_data_row=header_index + 2, format="csv")


def read_xlsx(content: bytes, *, limits: Limits | None = None) -> Table:
    import openpyxl
    from openpyxl.utils import get_column_letter

    limits = limits or Limits.from_settings()
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise FileRefused(_("The Excel file is damaged and cannot be read."), "damaged") from error
    try:
        if len(workbook.worksheets) > limits.sheets:
            raise SpreadsheetTooLarge(
                _("The workbook has %(sheets)d sheets; at most %(max)d are accepted. Keep the data in the first sheet.")
                % {"sheets": len(workbook.worksheets), "max": limits.sheets},
                "sheets",
            )
        sheet = workbook.worksheets[0]
        _refuse_merged_cells(workbook, sheet)
        # Read what is there, not what the sheet declares: with its declared dimension
        # openpyxl pads every row and fills every gap up to it.
        sheet.reset_dimensions()
        rows, formulas = [], []
        for row_number, row in enumerate(sheet.iter_rows(), start=1):
            if row_number > limits.rows:
                raise _too_many_rows(row_number, limits)
            if len(row) > limits.columns:
                width = len(row)
                while width > limits.columns and not _present(row[width - 1].value):
                    width -= 1
                if width > limits.columns:
                    raise _too_many_columns(width, row_number, limits)
                row = row[:width]
            values = []
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    formulas.append(f"{get_column_letter(cell.column)}{cell.row}")
                value = cell.value
                if type(value) is str and len(value) > limits.cell_chars:
                    raise _too_long_cell(row_number, len(values), limits)
                values.append(value)
            rows.append(values)
    finally:
        workbook.close()
    if formulas:
        shown_cells = ", ".join(formulas[:10]) + ("…" if len(formulas) > 10 else "")
        raise FileRefused(
            _(
                "The sheet contains formulas (cells %(cells)s): copy the sheet and paste values only, then upload it again."
            )
            % {"cells": shown_cells},
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
    """Italian decimal (`core.numbers.parse_italian_decimal`): `1.234,56`, `1234,56`, `65`;
    a lone point followed by other than three digits is read as a decimal point (`65.5`),
    as other systems export."""
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
    try:
        return parse_italian_decimal(raw, dot_decimal=True)
    except NumberFormatError as error:
        raise CellError(error.message)


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


class RowShape:
    """Where a row's values may be: under a header. A value past the last header (text
    typed after the last column, an unquoted ';' splitting an address in two) or under a
    blank header would otherwise be dropped without a word; `stray_cells` reports it."""

    def __init__(self, headers: list):
        named = [index for index, header in enumerate(headers) if not is_blank(header)]
        self.width = named[-1] + 1 if named else 0
        self.last_header = str(headers[named[-1]]).strip() if named else ""
        self.unnamed = [index for index in range(self.width) if index not in set(named)]

    def stray_cells(self, raw, row_number: int) -> list["CellProblem"]:
        """The row's values outside the headed columns (empty for a well-formed row; the
        check costs one length comparison when every header is named)."""
        problems = []
        for index in self.unnamed:
            if index < len(raw) and not is_blank(raw[index]):
                problems.append(
                    CellProblem(
                        row_number,
                        column_label(index),
                        shown(raw[index]),
                        _("Value in a column without a header: give the column a header or delete the value."),
                    )
                )
        if len(raw) > self.width:
            for index in range(self.width, len(raw)):
                if not is_blank(raw[index]):
                    problems.append(
                        CellProblem(
                            row_number,
                            column_label(index),
                            shown(raw[index]),
                            _(
                                "Value past the last column of the header (“%(header)s”): the row has more cells than the header. An unquoted ';' in a text splits it in two; text typed after the last column is not read."
                            )
                            % {"header": self.last_header},
                        )
                    )
        return problems


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
    shape = RowShape(table.headers)
    for number, raw in enumerate(table.rows, start=table.first_data_row):
        if not any(raw) or all(is_blank(cell) for cell in raw):
            continue
        result.total_rows += 1
        values, problems = {}, shape.stray_cells(raw, number)
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
