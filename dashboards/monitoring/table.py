"""The monitoring's table: its columns, the whitelisted orderings and the filters applied to
the rows. The screen, the CSV and the XLSX are made from the same columns and the same rows,
so a file holds exactly what the screen shows, in the same order.

Ordering is `?ordering=<column>` or `?ordering=-<column>` (descending) for any column; an
unknown value is ignored (the default order, by name), never an error. Empty values (no unit,
no date) come last in either direction."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from dashboards.rendering.formats import format_value
from dashboards.results import Unit

from .selectors import CALL_STATUS_LABELS, REGISTER_STATUS_LABELS, CallStatus, ComuneRow

DEFAULT_ORDERING = "name"
# The filter on a call's submissions also takes "not sent": a draft or nothing (the
# call_participation indicator's "missing", which the admin home's summary links to).
NOT_SENT = "not_sent"
# How far along a Comune is in a call: sorting by a call puts those with nothing first.
CALL_STATUS_ORDER = {CallStatus.MISSING: 0, CallStatus.DRAFT: 1, CallStatus.LATE: 2, CallStatus.SUBMITTED: 3}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Callable  # row -> what the files hold (int, Decimal, date, text)
    sort: Callable  # row -> comparable, None for an empty value
    text: Callable | None = None  # row -> what the screen shows (default: the value)
    numeric: bool = False

    def display(self, row) -> str:
        if self.text is not None:
            return self.text(row)
        value = self.value(row)
        return "" if value is None else str(value)


def _date(row: ComuneRow) -> str:
    return date_format(row.last_update, "d/m/Y") if row.last_update else "–"


def _percent(row: ComuneRow) -> str:
    return format_value(row.completeness, Unit.PERCENT) if row.completeness is not None else "–"


def _call_column(call) -> Column:
    def status(row):
        return row.calls.get(call.pk, CallStatus.MISSING)

    return Column(
        key=f"call-{call.pk}",
        label=call.title,
        value=lambda row: str(CALL_STATUS_LABELS[status(row)]),
        sort=lambda row: CALL_STATUS_ORDER[status(row)],
    )


def columns(calls: list, *, with_tickets: bool) -> list[Column]:
    """The table's columns: the Comune, its accreditation and people, its register, one
    column per open call, and its open tickets once the helpdesk is there."""
    result = [
        Column("name", _("Comune"), lambda row: row.name, lambda row: row.name.casefold()),
        Column("code", _("ISTAT code"), lambda row: row.code, lambda row: row.code),
        Column("province", _("Province"), lambda row: row.province, lambda row: row.province),
        Column("arca", _("ARCA"), lambda row: row.arca_name, lambda row: row.arca_name or None),
        Column(
            "accreditation",
            _("Accreditation"),
            lambda row: row.accreditation_label,
            lambda row: row.accreditation,
        ),
        Column("people", _("People accredited"), lambda row: row.people, lambda row: row.people, numeric=True),
        Column(
            "units",
            _("Units in the register"),
            lambda row: row.register.units,
            lambda row: row.register.units,
            numeric=True,
        ),
        Column(
            "last_update",
            _("Register last updated"),
            lambda row: row.last_update,
            lambda row: row.last_update,
            text=_date,
            numeric=True,
        ),
        Column(
            "completeness",
            _("Complete records (%)"),
            lambda row: row.completeness,
            lambda row: row.completeness,
            text=_percent,
            numeric=True,
        ),
        Column(
            "register",
            _("Register"),
            lambda row: str(REGISTER_STATUS_LABELS[row.register_status]),
            lambda row: row.register_status.value,
        ),
        *(_call_column(call) for call in calls),
        Column(
            "late_interventions",
            _("Late interventions"),
            lambda row: row.late_interventions,
            lambda row: row.late_interventions,
            numeric=True,
        ),
    ]
    if with_tickets:
        result.append(
            Column("tickets", _("Open tickets"), lambda row: row.tickets, lambda row: row.tickets, numeric=True)
        )
    return result


def parse_ordering(value: str, available: list[Column]) -> tuple[str, bool]:
    """(column key, descending) from `?ordering=`; the default for anything not whitelisted."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value[1:] if descending else value
    if key not in {column.key for column in available}:
        return DEFAULT_ORDERING, False
    return key, descending


def ordered(rows: list, column: Column, *, descending: bool) -> list:
    """The rows by `column` (then by name, the rows' own order); empty values last."""
    present = [row for row in rows if column.sort(row) is not None]
    absent = [row for row in rows if column.sort(row) is None]
    present.sort(key=column.sort, reverse=descending)
    return present + absent


def matches(row: ComuneRow, *, call=None, call_state: str = "", register: str = "", behind: bool = False) -> bool:
    """Whether the row passes the filters on its computed figures: its standing in the chosen
    open call (in any open call when none is chosen), its register, or being behind."""
    if call_state:
        standings = [row.calls.get(call.pk)] if call is not None else list(row.calls.values())
        wanted = {CallStatus.DRAFT, CallStatus.MISSING} if call_state == NOT_SENT else {call_state}
        if not wanted.intersection(standings):
            return False
    if register and row.register_status != register:
        return False
    return not behind or row.behind
