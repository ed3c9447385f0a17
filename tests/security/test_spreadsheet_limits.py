"""Spreadsheets built to take the service down: a workbook whose parts unpack to thousands of
times their size, a sheet that declares a million rows, a CSV line of 10 MB. Each is refused
with a message naming the limit, quickly and without expanding it in memory."""

import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.tabular import FileRefused, SpreadsheetTooLarge, check_spreadsheet_limits, parse_rows, read_table
from tests.conftest import ARCA_SUD_SALENTO

MEMORY_CEILING = 50 * 1024 * 1024
TIME_CEILING = 10  # seconds, under tracemalloc on a slow shared machine; a refusal takes ~1 s

SHARED_STRINGS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in their source language, whatever the catalogue says."""
    with translation.override("en"):
        yield


def small_workbook(rows=(("Codice fiscale", "Componenti nucleo"), ("x", 1))) -> bytes:
    workbook = openpyxl.Workbook()
    for values in rows:
        workbook.active.append(list(values))
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


def rebuild(content: bytes, replace: dict, add: dict | None = None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """The workbook with some parts replaced (str, bytes, or a callable writing to the part)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        parts = {info.filename: source.read(info) for info in source.infolist()}
        parts.update(add or {})
        for name, data in parts.items():
            data = replace.get(name, data)
            if callable(data):
                with target.open(name, "w", force_zip64=True) as handle:
                    data(handle)
            else:
                target.writestr(name, data)
    return out.getvalue()


def shared_string_bomb(megabytes=64) -> bytes:
    """67 KB that unpack to a 64 MB cell, read through the shared-string table."""
    content = small_workbook()
    source = zipfile.ZipFile(io.BytesIO(content))
    types = (
        source.read("[Content_Types].xml")
        .decode()
        .replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
    )
    rels = (
        source.read("xl/_rels/workbook.xml.rels")
        .decode()
        .replace(
            "</Relationships>",
            f'<Relationship Id="rIdBomb" Type="{SHARED_STRINGS_TYPE}" Target="sharedStrings.xml"/></Relationships>',
        )
    )
    sheet = source.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace('<c r="A2" t="inlineStr"><is><t>x</t></is></c>', '<c r="A2" t="s"><v>0</v></c>')

    def strings(handle):
        handle.write(
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        )
        handle.write(b"<si><t>")
        block = b"A" * (1 << 20)
        for _ in range(megabytes):
            handle.write(block)
        handle.write(b"</t></si></sst>")

    return rebuild(
        content,
        {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels, "xl/worksheets/sheet1.xml": sheet},
        {"xl/sharedStrings.xml": strings},
    )


def with_dimension(content: bytes, ref: str, extra_rows: str = "") -> bytes:
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    start = sheet.index("<dimension")
    end = sheet.index("/>", start) + 2
    sheet = sheet[:start] + f'<dimension ref="{ref}"/>' + sheet[end:]
    sheet = sheet.replace("</sheetData>", extra_rows + "</sheetData>")
    return rebuild(content, {"xl/worksheets/sheet1.xml": sheet})


def refused(content: bytes, filename: str) -> SpreadsheetTooLarge:
    """Read the file and return the refusal, measuring time and peak memory."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(SpreadsheetTooLarge) as caught:
            read_table(content, filename)
    finally:
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < TIME_CEILING, elapsed
    assert peak < MEMORY_CEILING, f"peak {peak / 1e6:.0f} MB"
    return caught.value


# --- workbooks ---------------------------------------------------------------------------


def test_a_shared_string_zip_bomb_is_refused_before_it_is_expanded():
    bomb = shared_string_bomb()
    assert len(bomb) < 200_000
    error = refused(bomb, "domande.xlsx")
    assert error.code == "compression_ratio"
    assert "at most 100" in error.message


def test_a_bomb_under_the_ratio_limit_is_still_refused_for_its_cell_length(settings):
    """Defence in depth: with the ratio check out of the way, the longest run of text is
    measured in 1 MB chunks before openpyxl loads the table of strings."""
    settings.PUSH_MAX_COMPRESSION_RATIO = 1_000_000
    error = refused(shared_string_bomb(16), "domande.xlsx")
    assert error.code == "cell_chars"
    assert "32767 characters" in error.message


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused(settings):
    settings.PUSH_MAX_UNPACKED_BYTES = 10_000
    error = refused(small_workbook(), "alloggi.xlsx")
    assert error.code == "unpacked_bytes"
    assert "at most 0,0 MB" in error.message


@pytest.mark.parametrize(
    "ref, code, text",
    [
        ("A1:XFD1048576", "rows", "The sheet has 1048576 rows; at most 250000"),
        ("A1:XFD3", "columns", "The sheet has 16384 columns; at most 100"),
    ],
)
def test_a_sheet_declaring_a_huge_dimension_is_refused_before_it_is_read(ref, code, text):
    """openpyxl pads every row and gap up to the declared dimension: a million rows of
    16,384 cells from a file of a few kilobytes."""
    error = refused(with_dimension(small_workbook(), ref), "alloggi.xlsx")
    assert error.code == code
    assert text in error.message


def test_a_dimension_that_lies_about_the_rows_is_caught_while_reading(settings):
    settings.PUSH_MAX_ROWS = 50
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="n"><v>{n}</v></c></row>' for n in range(3, 80))
    error = refused(with_dimension(small_workbook(), "A1:B2", rows), "alloggi.xlsx")
    assert error.code == "rows"
    assert "at most 50 are accepted" in error.message


def test_a_dimension_that_lies_about_the_columns_is_caught_while_reading_naming_the_row():
    row = '<row r="7"><c r="ZZ7" t="n"><v>1</v></c></row>'
    error = refused(with_dimension(small_workbook(), "A1:B2", row), "alloggi.xlsx")
    assert error.code == "columns"
    assert "Row 7 has a value in column 702; at most 100 columns are accepted" in error.message


def test_a_far_away_row_does_not_fill_memory_with_empty_rows(settings):
    settings.PUSH_MAX_ROWS = 10_000  # the gap is counted, never materialised past the limit
    row = '<row r="1048576"><c r="A1048576" t="n"><v>1</v></c></row>'
    error = refused(with_dimension(small_workbook(), "A1:B2", row), "alloggi.xlsx")
    assert error.code == "rows"


def test_a_cell_longer_than_excel_allows_is_refused_naming_row_and_column():
    import random

    text = "".join(random.Random(1).choice("abcdefghij ") for _ in range(40_000))
    content = small_workbook([("Codice fiscale", "Note"), ("x", "LONG")])
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    content = rebuild(content, {"xl/worksheets/sheet1.xml": sheet.replace("<t>LONG</t>", f"<t>{text}</t>")})
    error = refused(content, "domande.xlsx")
    assert error.code == "cell_chars"
    assert error.message.startswith("Row 2, column 2 (B): the cell holds more than 32767 characters")


def test_too_many_sheets_are_refused(settings):
    settings.PUSH_MAX_SHEETS = 2
    workbook = openpyxl.Workbook()
    for index in range(3):
        workbook.create_sheet(f"Foglio {index}")
    handle = io.BytesIO()
    workbook.save(handle)
    error = refused(handle.getvalue(), "alloggi.xlsx")
    assert error.code == "sheets"
    assert "The workbook has 4 sheets; at most 2 are accepted" in error.message


def test_a_workbook_with_a_corrupt_part_is_refused_as_damaged_not_crashed():
    stored = rebuild(small_workbook(), {}, compression=zipfile.ZIP_STORED)
    corrupt = stored.replace(b"<sheetData>", b"<sheetDatX>", 1)
    assert corrupt != stored
    for check in (read_table, check_spreadsheet_limits):
        with pytest.raises(FileRefused) as caught:
            check(corrupt, "alloggi.xlsx")
        assert caught.value.code == "damaged"


def test_an_ordinary_workbook_passes_the_checks():
    table = read_table(small_workbook(), "domande.xlsx")
    assert table.headers == ["Codice fiscale", "Componenti nucleo"] and table.rows == [["x", 1]]
    check_spreadsheet_limits(small_workbook(), "domande.xlsx")


# --- CSV --------------------------------------------------------------------------------


def test_a_csv_with_a_10_mb_line_is_refused_quickly_with_little_memory():
    content = b"Codice fiscale;Componenti nucleo\r\n" + b"A;" * (5 * 1024 * 1024) + b"\r\n"
    error = refused(content, "domande.csv")
    assert error.code == "csv_line_chars"
    assert error.message.startswith("Row 2 is longer than 65536 characters")


def test_a_quoted_cell_running_over_many_short_lines_is_bounded_too():
    content = b'Codice fiscale;Note\r\nX;"' + b"riga di testo\r\n" * 10_000 + b'"\r\n'
    error = refused(content, "domande.csv")
    assert error.code == "csv_line_chars"
    assert "Row 2 is longer" in error.message


def test_a_csv_with_too_many_filled_columns_is_refused(settings):
    content = ("A;B\r\n" + ";".join(["x"] * 150) + "\r\n").encode()
    error = refused(content, "domande.csv")
    assert error.code == "columns"
    assert "Row 2 has a value in column 150; at most 100 columns are accepted" in error.message


def test_trailing_empty_separators_past_the_column_limit_are_harmless():
    content = ("A;B\r\n1;2" + ";" * 500 + "\r\n").encode()
    assert read_table(content, "domande.csv").rows == [["1", "2"]]


def test_a_table_of_texts_beyond_a_quarter_of_the_limit_is_refused(settings):
    settings.PUSH_MAX_COMPRESSION_RATIO = 1_000_000
    error = refused(shared_string_bomb(64), "domande.xlsx")
    assert error.code == "unpacked_bytes"
    assert "table of texts unpacks to 64,0 MB; at most 50,0 MB" in error.message


def test_a_csv_with_more_rows_than_the_limit_is_refused(settings):
    settings.PUSH_MAX_ROWS = 10
    content = ("A;B\r\n" + "1;2\r\n" * 20).encode()
    error = refused(content, "domande.csv")
    assert error.code == "rows"


def test_the_pre_check_refuses_a_csv_line_without_parsing():
    with pytest.raises(SpreadsheetTooLarge):
        check_spreadsheet_limits(b"A;B\r\n" + b"x" * 100_000, "domande.csv")


def test_the_pre_check_bounds_each_line_not_the_whole_file():
    # 5,000 ordinary rows are 300,000 characters: far over one line's limit, and accepted.
    content = "Codice fiscale;Reddito\r\n" + "RSSMRA85T10A662X;12345,67\r\n" * 5_000
    check_spreadsheet_limits(content.encode(), "domande.csv")
    assert read_table(content.encode(), "domande.csv")


def test_the_refusal_is_a_file_refusal_every_caller_already_handles():
    assert issubclass(SpreadsheetTooLarge, FileRefused)


# --- rows wider than the header (shared by unit imports and applicant lists) --------------


def test_parse_rows_refuses_a_value_past_the_last_header():
    from core.tabular import Column, Table, text

    columns = [Column("a", "A", text(10), required=True), Column("b", "B", text(10))]
    table = Table(headers=["A", "B"], rows=[["1", "2"], ["3", "Via Roma", " 12"], ["4", "5", ""]])
    parsed = parse_rows(table, columns)
    assert [(p.row, p.column, p.value) for p in parsed.problems] == [(3, "3 (C)", "12")]
    assert "past the last column of the header (“B”)" in parsed.problems[0].message
    assert [number for number, _values in parsed.records] == [2, 4]


def test_parse_rows_refuses_a_value_under_a_blank_header():
    from core.tabular import Column, Table, text

    columns = [Column("a", "A", text(10)), Column("b", "B", text(10))]
    parsed = parse_rows(Table(headers=["A", "", "B"], rows=[["1", "lost", "2"]]), columns)
    assert [(p.row, p.column, p.value) for p in parsed.problems] == [(2, "2 (B)", "lost")]


# --- the upload screen refuses before queueing ---------------------------------------------


def test_the_units_upload_refuses_a_bomb_before_storing_it(entities, arca_officer):
    from registry.models import ImportJob
    from registry.stock import services as stock

    with pytest.raises(ValidationError) as caught:
        stock.create_import_job(
            owner=entities[ARCA_SUD_SALENTO],
            uploaded_by=arca_officer,
            uploaded_file=SimpleUploadedFile("alloggi.xlsx", shared_string_bomb(8)),
        )
    assert caught.value.code == "compression_ratio"
    assert not ImportJob.objects.exists()


def test_the_upload_screen_answers_a_bomb_with_the_limit_and_stores_nothing(client, entities, arca_officer):
    from django.urls import reverse

    from registry.models import ImportJob

    client.force_login(arca_officer)
    response = client.post(
        reverse("registry_importjob_modeladmin_create"),
        {"owner": entities[ARCA_SUD_SALENTO].pk, "file": SimpleUploadedFile("alloggi.xlsx", shared_string_bomb(8))},
    )
    assert response.status_code == 200
    [message] = response.context["form"].errors["file"]
    assert "xl/sharedStrings.xml" in message and "100" in message  # the part and the limit, in any language
    assert not ImportJob.objects.exists()
