"""The row validation engine: every cell of every row checked against the columns, each
problem reported as a `CellProblem` (row, column, value, message) a clerk can act on."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .cells import CellError
from .columns import Column, match_headers
from .limits import column_label
from .reading import Table


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
