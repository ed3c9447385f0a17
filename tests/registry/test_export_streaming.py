"""The unit register's export (registry.stock.unit_export): the CSV is streamed, and both
formats hold exactly the cells of the import format's statement (spec.unit_export_rows),
formula-like text neutralised, only the person's own units, with a fixed number of queries."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.tabular import csv_lines
from registry.models import Building, Unit
from registry.stock.spec import EXPORT_HEADERS, unit_export_rows
from tests.conftest import ARCA_PUGLIA_CENTRALE, ARCA_SUD_SALENTO

URL = reverse("registry_unit_modeladmin_index")


@pytest.fixture
def stock(entities, load_stock):
    load_stock(ARCA_SUD_SALENTO, 40)
    load_stock(ARCA_PUGLIA_CENTRALE, 10)
    units = list(Unit.objects.filter(owner__code=ARCA_SUD_SALENTO).order_by("push_id"))
    # Every kind of awkward value: formula-like text, blanks, negative and zero amounts.
    Unit.objects.filter(pk=units[0].pk).update(staircase="=A1+B1", floor="-1", monthly_rent=None)
    Unit.objects.filter(pk=units[1].pk).update(internal_number="@SUM(A1)", monthly_rent=Decimal("0.00"))
    Unit.objects.filter(pk=units[2].pk).update(floor="+39 080", last_update=datetime.date(2024, 2, 29))
    Building.objects.filter(pk=units[3].building_id).update(street="=1+1", neighbourhood="")
    return Unit.objects.filter(owner__code=ARCA_SUD_SALENTO)


def statement_rows(units):
    ordered = units.select_related("building__comune", "building__manager", "owner").order_by("push_id")
    return list(unit_export_rows(ordered))


def content_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_csv_is_streamed_and_holds_exactly_the_statements_cells(client, arca_officer, stock):
    client.force_login(arca_officer)
    response = client.get(URL + "?export=csv")
    assert response.status_code == 200
    assert response.streaming  # written and sent chunk by chunk, never held whole
    assert response["Content-Disposition"].startswith('attachment; filename="alloggi-')
    expected = "".join(csv_lines(EXPORT_HEADERS, statement_rows(stock))).encode("utf-8")
    assert content_of(response) == expected
    text = expected.decode("utf-8")
    assert ";'=A1+B1;" in text and ";'@SUM(A1);" in text and ";'=1+1;" in text
    assert ";-1;" in text and ";+39 080;" in text  # signed numbers stay as they are


def test_the_xlsx_holds_the_statements_typed_cells_and_no_formula(client, arca_officer, stock):
    client.force_login(arca_officer)
    response = client.get(URL + "?export=xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(content_of(response)))
    sheet = workbook["Alloggi"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [str(header) for header in EXPORT_HEADERS]

    def as_read(value):
        if isinstance(value, Decimal):
            return float(value) if value != value.to_integral_value() else int(value)
        if isinstance(value, datetime.date):
            return datetime.datetime.combine(value, datetime.time())
        return value

    def blank_as_none(row):
        return [None if value == "" else value for value in row]

    assert [blank_as_none(row) for row in rows[1:]] == [
        blank_as_none([as_read(value) for value in row]) for row in statement_rows(stock)
    ]
    kinds = {cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row}
    assert "f" not in kinds  # text such as =1+1 is stored as text, never as a formula
    assert any(cell.value == "=1+1" and cell.data_type == "s" for row in sheet.iter_rows() for cell in row)
    dates = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.is_date]
    assert dates and all(cell.number_format.lower() == "dd/mm/yyyy" for cell in dates)


def test_an_officer_exports_only_their_own_units(client, arca_officer, stock, entities):
    others = list(Unit.objects.filter(owner__code=ARCA_PUGLIA_CENTRALE).values_list("push_id", flat=True))
    assert others
    client.force_login(arca_officer)
    other_owner = entities[ARCA_PUGLIA_CENTRALE].pk
    for export_format, query in [
        ("csv", ""),
        ("xlsx", ""),
        # Asking for the other owner's units by filter gives none of them.
        ("csv", f"&owner__id__exact={other_owner}"),
        ("xlsx", f"&owner__id__exact={other_owner}"),
    ]:
        response = client.get(URL + f"?export={export_format}{query}")
        assert response.status_code == 200
        body = content_of(response)
        if export_format == "xlsx":
            sheet = load_workbook(io.BytesIO(body), read_only=True).active
            body = repr(list(sheet.iter_rows(values_only=True))).encode()
        assert not any(push_id.encode() in body for push_id in others)


def test_the_export_makes_the_same_number_of_queries_for_few_or_many_units(client, arca_officer, stock):
    client.force_login(arca_officer)
    content_of(client.get(URL + "?export=csv"))  # warm-up (session, permissions)

    def export(query=""):
        with CaptureQueriesContext(connection) as captured:
            lines = content_of(client.get(URL + "?export=csv" + query)).count(b"\r\n")
        return lines, len(captured)

    status = stock.order_by("push_id").values_list("status", flat=True)[0]
    some = stock.filter(status=status).count()
    assert 0 < some < 40
    many, queries_many = export()
    few, queries_few = export(f"&status__exact={status}")
    assert (many, few) == (41, some + 1)
    assert queries_many == queries_few


def test_the_direct_xlsx_writer_escapes_text_and_keeps_types():
    from core.tabular.writing import write_xlsx_rows, xlsx_cell

    values = ["a < b & c > d", "ctrl\x01char", "  spaced  ", "=SUM(A1)", Decimal("-12.50"), 7, True, None]
    values.append(datetime.date(2026, 2, 28))
    handle = io.BytesIO()
    write_xlsx_rows(["Testo"] * len(values), [[tuple(xlsx_cell(value) for value in values)]], handle, sheet_title="A&B")
    workbook = load_workbook(io.BytesIO(handle.getvalue()))
    assert workbook.sheetnames == ["A&B"]
    row = [cell for cell in next(workbook.active.iter_rows(min_row=2))]
    # A control character, which XML cannot hold, is written as Excel's own escape.
    assert [cell.value for cell in row[:4]] == ["a < b & c > d", "ctrl_x0001_char", "  spaced  ", "=SUM(A1)"]
    assert row[3].data_type == "s"
    assert [cell.value for cell in row[4:8]] == [-12.5, 7, True, None]
    assert row[8].value == datetime.datetime(2026, 2, 28) and row[8].number_format == "dd/mm/yyyy"
