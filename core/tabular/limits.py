"""The size limits of a spreadsheet, enforced before it is expanded.

Every file is bounded before it is expanded (`check_spreadsheet_limits`): a workbook is a
zip archive whose parts can unpack to thousands of times their size, and a CSV line can
hold millions of separators. The limits come from settings (`PUSH_MAX_*`) and are enforced
twice: on what the archive declares, before openpyxl opens it, and on what is actually read,
while streaming (core.tabular.reading), because a sheet's declared `<dimension>` can lie.
"""

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from .encoding import XLSX_MAGIC, decode_text
from .errors import FileRefused, SpreadsheetTooLarge

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
