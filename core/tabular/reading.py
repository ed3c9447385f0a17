"""Reading the first sheet of a CSV or XLSX file into a `Table` of raw cell values.

CSV as saved by Excel in Italy: `;` or `,` separators (detected), UTF-8 with or without BOM
or Windows-1252. XLSX: the first sheet, values only; formulas and merged cells are refused
because what the office sees is then not what the file holds. Readers raise `FileRefused`
with a message for the clerk and never touch the database; the limits of
core.tabular.limits are enforced on what is actually read.
"""

import csv
import io
import itertools
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .encoding import XLSX_MAGIC, _looks_binary, decode_text
from .errors import FileRefused, SpreadsheetTooLarge
from .limits import (
    Limits,
    _bounded_lines,
    _LineCounter,
    _too_long_cell,
    _too_many_columns,
    _too_many_rows,
    check_workbook_limits,
)


@dataclass
class Table:
    headers: list[str]
    rows: list[list]  # raw values; CSV gives str, XLSX gives str/int/float/datetime/bool/None
    first_data_row: int = 2  # spreadsheet row number of rows[0], for messages
    format: str = "csv"
    estimated_rows: int | None = None  # with streamed rows: at most this many (lines of the file)


def read_table(content: bytes, filename: str, *, stream: bool = False, limits: Limits | None = None) -> Table:
    """The first sheet of a CSV or XLSX file. Raises FileRefused (SpreadsheetTooLarge for
    files over the limits in settings) for a file that cannot be read.

    With `stream`, a CSV's rows are an iterator read as they are consumed (a million rows are
    never all held), which raises FileRefused at the row that cannot be read; trailing blank
    rows are then left to the caller (they are blank). `limits`: instead of the settings'."""
    name = filename.lower()
    if not content or content.isspace():
        raise FileRefused(_("The file is empty."), "empty")
    limits = limits or Limits.from_settings()
    if name.endswith(".xlsx"):
        if not content.startswith(XLSX_MAGIC):
            raise FileRefused(
                _("The file is named .xlsx but is not an Excel workbook: save it again from Excel as .xlsx."),
                "not_xlsx",
            )
        check_workbook_limits(content, limits=limits)
        return read_xlsx(content, limits=limits)
    if name.endswith(".csv") or name.endswith(".txt"):
        return read_csv(content, limits=limits, stream=stream)
    if name.endswith(".xls") or name.endswith(".ods"):
        raise FileRefused(_("This spreadsheet format is not accepted: save the file as .xlsx or as CSV."), "format")
    raise FileRefused(_("Upload a CSV (.csv) or Excel (.xlsx) file."), "format")


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


def read_csv(content: bytes, *, limits: Limits | None = None, stream: bool = False) -> Table:
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
    records = _csv_records(text_value, separator, limits)
    if stream:
        first = list(itertools.islice(records, header_index + 1))
        return Table(
            headers=first[header_index] if len(first) > header_index else [],
            rows=records,
            first_data_row=header_index + 2,
            format="csv",
            estimated_rows=max(text_value.count("\n") - header_index, 0),
        )
    rows = list(records)
    headers = rows[header_index]
    data = rows[header_index + 1 :]
    # Excel leaves lines of bare separators at the end of a sheet.
    while data and not any(cell.strip() for cell in data[-1]):
        data.pop()
    return Table(headers=headers, rows=data, first_data_row=header_index + 2, format="csv")


_BLOCK_CHARS = 4 << 20


def _csv_records(text_value: str, separator: str, limits: Limits):
    """The CSV's records, one list of cells each, within the limits.

    A file without quotes has one record per line; if it also has fewer lines than the row
    limit, its lines are cut block by block in C and each block's longest line is checked
    at once (`_plain_records`); otherwise, or when a block breaks a limit, every line is
    bounded as it is read, which also gives the exact row for the message."""
    bound = min(limits.csv_line_chars, limits.cell_chars)
    if '"' not in text_value and text_value.count("\n") < limits.rows:
        yield from _plain_records(text_value, separator, limits, bound)
    else:
        yield from _bounded_records(text_value, separator, limits)


def _plain_records(text_value: str, separator: str, limits: Limits, bound: int):
    size, position, line = len(text_value), 0, 0
    while position < size:
        end = text_value.find("\n", position + _BLOCK_CHARS)
        stop = size if end == -1 else end + 1
        lines = text_value[position:stop].split("\n")
        if lines[-1] == "":
            lines.pop()  # what follows the block's last newline
        if lines and max(map(len, lines)) > bound:
            # The same refusal, at the same row, as reading line by line gives.
            for _row in _bounded_records(text_value, separator, limits):
                pass
        reader = csv.reader(lines, delimiter=separator)
        try:
            for row in reader:
                if len(row) > limits.columns:
                    width = len(row)
                    while width and not row[width - 1].strip():
                        width -= 1
                    if width > limits.columns:
                        raise _too_many_columns(width, line + reader.line_num, limits)
                    del row[width:]  # trailing empty cells: Excel pads rows with separators
                yield row
        except csv.Error as error:
            raise FileRefused(
                _("Row %(row)d cannot be read as CSV (%(problem)s): check the quotes.")
                % {"row": line + reader.line_num, "problem": error},
                "csv",
            ) from error
        line += len(lines)
        position = stop


def _bounded_records(text_value: str, separator: str, limits: Limits):
    counter = _LineCounter()
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
            yield row
            counter.next_record()
    except csv.Error as error:
        raise FileRefused(
            _("Row %(row)d cannot be read as CSV (%(problem)s): check the quotes.")
            % {"row": counter.record_start, "problem": error},
            "csv",
        ) from error


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
