"""Writing spreadsheets: one Italian CSV format, whether the file is written whole
(core.exports.spreadsheet_file, spreadsheet_response) or streamed (streaming_csv_response)."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone, translation

from core.exports import spreadsheet_file, streaming_csv_response
from core.tabular import italian_cell, write_csv

ROWS = [
    ["Bari", Decimal("1234.50"), True, datetime.date(2026, 3, 15), None, "=1+2"],
    ["Lecce", Decimal("-12.5"), False, datetime.date(2026, 1, 2), 3, "-12,5"],
]
HEADERS = ["Comune", "Importo", "Attivo", "Data", "Numero", "Nota"]


def test_a_moment_is_written_in_italian_local_time_with_its_minutes():
    moment = datetime.datetime(2026, 7, 1, 22, 30, tzinfo=ZoneInfo("UTC"))
    with timezone.override("Europe/Rome"):
        assert italian_cell(moment) == "02/07/2026 00:30"


def test_numbers_dates_and_yes_no_are_italian():
    assert [italian_cell(value) for value in ROWS[0][:5]] == ["Bari", "1234,50", "sì", "15/03/2026", ""]
    assert italian_cell(2.5) == "2,5"


def test_the_streamed_csv_is_the_same_file_as_the_written_one():
    handle = io.StringIO()
    write_csv(HEADERS, ROWS, handle)
    streamed = streaming_csv_response(HEADERS, iter(ROWS), filename="elenco")
    assert b"".join(streamed.streaming_content).decode("utf-8") == handle.getvalue()
    assert streamed["Content-Disposition"] == 'attachment; filename="elenco.csv"'
    assert streamed["Content-Type"] == "text/csv; charset=utf-8"
    whole = spreadsheet_file(HEADERS, ROWS, filename="elenco", file_format="csv")
    assert whole.content.decode("utf-8") == handle.getvalue()
    assert handle.getvalue().startswith("\ufeffComune;Importo;")
    assert "Bari;1234,50;sì;15/03/2026;;'=1+2\r\n" in handle.getvalue()


def test_lazy_headers_are_written_as_text():
    from django.utils.translation import gettext_lazy

    with translation.override("en"):
        response = spreadsheet_file([gettext_lazy("Row")], [[1]], filename="x", file_format="csv")
    assert response.content.decode("utf-8").startswith("\ufeffRow\r\n")
