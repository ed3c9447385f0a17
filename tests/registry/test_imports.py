"""Importing units from spreadsheets as Italian offices produce them: good files, broken
files, and the promise that nothing is written unless every row is right."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import ModelLogEntry

from core.exports import EXPORT_ACTION
from registry.models import Building, ImportJob, ImportStatus, PropertyChange, Unit
from registry.stock import services as stock
from registry.stock.spec import EXPORT_HEADERS, UNIT_COLUMNS
from tests.conftest import ARCA_SUD_SALENTO, BARI

HEADERS = [column.header for column in UNIT_COLUMNS]
EXAMPLE = {column.key: column.example for column in UNIT_COLUMNS}


def row(**values):
    """A unit row as an office writes it (strings), from the template's example."""
    data = dict(EXAMPLE)
    data.update({"unit_id": "3122", "building_id": "F-0451", "comune_code": "075035", "manager_code": ""})
    # A point in Lecce, the row's Comune (the template's example is in Bari).
    data.update({"building_latitude": "40,352700", "building_longitude": "18,172300"})
    data.update(values)
    return [data[column.key] for column in UNIT_COLUMNS]


def csv_bytes(rows, *, headers=HEADERS, separator=";", encoding="utf-8-sig", newline="\r\n"):
    def quote(cell):
        cell = "" if cell is None else str(cell)
        if separator in cell or '"' in cell:
            return '"' + cell.replace('"', '""') + '"'
        return cell

    lines = [separator.join(quote(cell) for cell in headers)] + [
        separator.join(quote(cell) for cell in r) for r in rows
    ]
    return (newline.join(lines) + newline).encode(encoding)


def three_units():
    return [
        row(unit_id="101", building_id="F1", internal_number="1"),
        row(
            unit_id="102",
            building_id="F1",
            internal_number="2",
            status="sfitto disponibile",
            monthly_rent="",
            household_size="",
            income_band="",
        ),
        row(
            unit_id="201",
            building_id="F2",
            building_street="Via Leuca",
            building_street_number="12",
            internal_number="1",
        ),
    ]


@pytest.fixture
def owner(entities):
    return entities[ARCA_SUD_SALENTO]


def do_import(owner, content, filename="alloggi.csv", **kwargs):
    return stock.import_file(content=content, filename=filename, owner=owner, **kwargs)


def messages(parsed):
    return [error.message for error in parsed.errors]


def assert_nothing_written():
    assert not Unit.objects.exists()
    assert not Building.objects.exists()
    assert not PropertyChange.objects.exists()


# --- good files ----------------------------------------------------------------------


def test_a_valid_italian_csv_is_imported_with_its_values(owner):
    parsed, result = do_import(owner, csv_bytes(three_units()))

    assert (result.created_units, result.created_buildings) == (3, 2)
    unit = Unit.objects.get(push_id="750000-101")
    assert unit.owner == owner and unit.building.local_id == "F1"
    assert str(unit.usable_area) == "68.40" and str(unit.conventional_area) == "79.85"
    assert str(unit.monthly_rent) == "86.52" and unit.rooms == 4.5
    assert unit.status == "let" and unit.cadastral_category == "A/4" and unit.energy_class == "E"
    assert unit.last_update.isoformat() == "2026-01-15"
    building = unit.building
    assert building.comune.code == "075035" and building.has_lift is True and building.year_built == 1978
    assert str(building.latitude) == "40.352700"
    assert Unit.objects.get(push_id="750000-102").monthly_rent is None


@pytest.mark.parametrize(
    "variant",
    [
        {"separator": ",", "encoding": "utf-8"},
        {"separator": ";", "encoding": "utf-8"},
        {"separator": ";", "encoding": "cp1252", "newline": "\r\n"},
        {"separator": ";", "encoding": "utf-8-sig", "newline": "\n"},
    ],
    ids=["comma-utf8", "semicolon-no-bom", "windows-1252", "bom-unix-newlines"],
)
def test_csv_variants_excel_writes_in_italy_are_read(owner, variant):
    rows = [row(unit_id="1", building_street="Via Nardò", building_neighbourhood="Città vecchia")]
    parsed, result = do_import(owner, csv_bytes(rows, **variant))
    assert result is not None, messages(parsed)
    assert Building.objects.get().street == "Via Nardò"
    assert Building.objects.get().neighbourhood == "Città vecchia"


def test_thousands_point_decimal_comma_and_dates(owner):
    rows = [
        row(
            unit_id="1",
            monthly_rent="1.234,56",
            usable_area="1.050,5",
            conventional_area="1.100",
            last_update="3/2/2026",
        )
    ]
    parsed, result = do_import(owner, csv_bytes(rows))
    assert result is not None, messages(parsed)
    unit = Unit.objects.get()
    assert (
        str(unit.monthly_rent) == "1234.56"
        and str(unit.usable_area) == "1050.50"
        and str(unit.conventional_area) == "1100.00"
    )
    assert unit.last_update.isoformat() == "2026-02-03"


def test_headers_match_without_regard_to_case_accents_and_spacing(owner):
    headers = [f"  {header.upper()} " for header in HEADERS]
    headers[HEADERS.index("Superficie utile")] = "superficie UTILE (m²)"
    headers[HEADERS.index("Accessibile")] = "Accessibilità"
    parsed, result = do_import(owner, csv_bytes([row(unit_id="1")], headers=headers))
    assert result is not None, messages(parsed)


def test_istat_code_that_excel_stripped_of_its_leading_zero_is_accepted(owner):
    parsed, result = do_import(owner, csv_bytes([row(unit_id="1", comune_code="75035")]))
    assert result is not None, messages(parsed)
    assert Building.objects.get().comune.code == "075035"


def test_full_push_id_of_the_owner_is_accepted(owner):
    parsed, result = do_import(owner, csv_bytes([row(unit_id="750000-77")]))
    assert result is not None and Unit.objects.get().push_id == "750000-77"


def test_a_valid_xlsx_is_imported(owner):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    values = row(unit_id="1")
    values[HEADERS.index("Comune ISTAT")] = 75035  # a number, as Excel keeps it
    values[HEADERS.index("Superficie utile")] = 68.4
    values[HEADERS.index("Vani")] = 4.5
    values[HEADERS.index("Anno costruzione")] = 1978
    values[HEADERS.index("Ascensore")] = True
    import datetime

    values[HEADERS.index("Data aggiornamento")] = datetime.datetime(2026, 1, 15)
    sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)

    parsed, result = do_import(owner, buffer.getvalue(), filename="alloggi.xlsx")

    assert result is not None, messages(parsed)
    unit = Unit.objects.get()
    assert str(unit.usable_area) == "68.40" and unit.last_update.isoformat() == "2026-01-15"
    assert unit.building.has_lift is True and unit.building.comune.code == "075035"


def test_reimporting_the_same_file_changes_nothing(owner):
    content = csv_bytes(three_units())
    do_import(owner, content)
    before = list(Unit.objects.order_by("pk").values())
    changes = PropertyChange.objects.count()

    parsed, result = do_import(owner, content)

    assert (result.created_units, result.updated_units, result.unchanged_units) == (0, 0, 3)
    assert list(Unit.objects.order_by("pk").values()) == before
    assert PropertyChange.objects.count() == changes


def test_a_changed_row_updates_that_unit_and_records_the_change(owner, region_admin):
    do_import(owner, csv_bytes(three_units()))
    rows = three_units()
    rows[0] = row(
        unit_id="101", building_id="F1", internal_number="1", status="sfitto da ristrutturare", monthly_rent=""
    )

    parsed, result = do_import(owner, csv_bytes(rows), user=region_admin)

    assert (result.updated_units, result.unchanged_units) == (1, 2)
    change = PropertyChange.objects.get(unit__push_id="750000-101", created=False)
    assert change.changes == {"status": ["let", "vacant_needs_works"], "monthly_rent": ["86.52", None]}
    assert change.source == "import" and change.changed_by == region_admin


def test_export_then_reimport_changes_nothing(client, owner, arca_officer, load_stock):
    load_stock(ARCA_SUD_SALENTO, 60)
    client.force_login(arca_officer)
    before = list(Unit.objects.order_by("pk").values())
    for export_format in ("csv", "xlsx"):
        response = client.get(reverse("registry_unit_modeladmin_index") + f"?export={export_format}")
        assert response.status_code == 200
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if export_format == "csv":
            assert (
                content.startswith(b"\xef\xbb\xbf") and content.split(b"\r\n")[0].count(b";") == len(EXPORT_HEADERS) - 1
            )

        parsed, result = do_import(owner, content, filename=f"export.{export_format}")

        assert result is not None, messages(parsed)[:5]
        assert (result.created_units, result.updated_units, result.unchanged_units) == (0, 0, 60)
        assert list(Unit.objects.order_by("pk").values()) == before


# --- broken files: a message, and nothing written --------------------------------------


def test_wrong_separator_is_named(owner):
    parsed = None
    with pytest.raises(Exception) as error:
        do_import(owner, csv_bytes(three_units(), separator="\t"))
    assert error.value.code == "separator"
    assert "tab" in error.value.message.lower() or "tabulazione" in error.value.message.lower()
    assert parsed is None
    assert_nothing_written()


def test_unknown_column_is_reported(owner):
    headers = HEADERS + ["Colore facciata"]
    rows = [r + ["giallo"] for r in three_units()]
    parsed, result = do_import(owner, csv_bytes(rows, headers=headers))
    assert result is None
    assert any("Colore facciata" in message for message in messages(parsed))
    assert_nothing_written()


def test_missing_required_column_is_reported(owner):
    index = HEADERS.index("Stato")
    headers = HEADERS[:index] + HEADERS[index + 1 :]
    rows = [r[:index] + r[index + 1 :] for r in three_units()]
    parsed, result = do_import(owner, csv_bytes(rows, headers=headers))
    assert result is None
    assert any("Stato" in message for message in messages(parsed))
    assert_nothing_written()


def test_text_where_a_number_belongs_names_row_column_and_value(owner):
    rows = three_units()
    rows[1] = row(unit_id="102", building_id="F1", internal_number="2", usable_area="sessanta")
    parsed, result = do_import(owner, csv_bytes(rows))
    assert result is None
    [error] = parsed.errors
    assert (error.row, error.column, error.value) == (3, "Superficie utile", "sessanta")
    assert "non è un numero" in error.message
    assert_nothing_written()


@pytest.mark.parametrize("area", ["-45,00", "0", "12000", "68,123"])
def test_negative_zero_absurd_or_too_precise_area_is_refused(owner, area):
    parsed, result = do_import(owner, csv_bytes([row(unit_id="1", usable_area=area)]))
    assert result is None
    assert [error.column for error in parsed.errors] == ["Superficie utile"]
    assert_nothing_written()


def test_unknown_comune_code_is_refused(owner):
    parsed, result = do_import(owner, csv_bytes([row(unit_id="1", comune_code="075001")]))  # merged in 2019
    assert result is None
    assert [(error.column, error.value) for error in parsed.errors] == [("Comune ISTAT", "075001")]
    assert_nothing_written()


def test_unit_id_of_another_owner_is_refused(owner, load_stock):
    load_stock(BARI, 3)
    bari_units = Unit.objects.count()
    rows = three_units() + [row(unit_id="072006-1", building_id="F9")]
    parsed, result = do_import(owner, csv_bytes(rows))
    assert result is None
    [error] = parsed.errors
    assert error.row == 5 and "072006" in error.message
    assert Unit.objects.count() == bari_units
    assert not Unit.objects.filter(owner=owner).exists()


def test_duplicate_unit_id_in_the_file_names_both_rows(owner):
    rows = three_units() + [row(unit_id="101", building_id="F1", internal_number="9")]
    parsed, result = do_import(owner, csv_bytes(rows))
    assert result is None
    [error] = parsed.errors
    assert error.row == 5 and "2" in error.message
    assert_nothing_written()


def test_a_building_described_two_ways_is_refused(owner):
    rows = three_units()
    rows[1] = row(unit_id="102", building_id="F1", internal_number="2", building_street="Via Altra")
    parsed, result = do_import(owner, csv_bytes(rows))
    assert result is None
    assert parsed.errors[0].column == "Indirizzo" and parsed.errors[0].row == 3
    assert_nothing_written()


@pytest.mark.parametrize("content", [b"", b"   \r\n  ", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(owner, content):
    with pytest.raises(Exception) as error:
        do_import(owner, content)
    assert error.value.code == "empty"
    assert_nothing_written()


def test_headers_without_rows_is_an_empty_import(owner, arca_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = stock.create_import_job(
            owner=owner, uploaded_by=arca_officer, uploaded_file=SimpleUploadedFile("vuoto.csv", csv_bytes([]))
        )
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert "nessuna riga" in job.errors[0][3]


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04" + b"\x00" * 200, b"%PDF-1.7\n\x00\x01\x02binary", bytes(range(256)) * 4],
    ids=["xlsx-renamed", "pdf-renamed", "random-binary"],
)
def test_a_binary_file_named_csv_is_refused(owner, content):
    with pytest.raises(Exception) as error:
        do_import(owner, content, filename="alloggi.csv")
    assert error.value.code == "binary"
    assert_nothing_written()


def test_a_20_mb_file_is_refused_at_upload(owner, arca_officer):
    big = SimpleUploadedFile("alloggi.csv", b"x" * (20 * 1024 * 1024))
    with pytest.raises(Exception) as error:
        stock.create_import_job(owner=owner, uploaded_by=arca_officer, uploaded_file=big)
    assert error.value.code == "too_large"
    assert "20,0" in error.value.messages[0]
    assert not ImportJob.objects.exists()


def test_an_xlsx_with_formulas_is_refused(owner):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    values = row(unit_id="1")
    values[HEADERS.index("Canone mensile")] = "=B2*2"
    sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(Exception) as error:
        do_import(owner, buffer.getvalue(), filename="alloggi.xlsx")
    assert error.value.code == "formulas"
    assert "AI2" in error.value.message or "formul" in error.value.message
    assert_nothing_written()


def test_an_xlsx_with_merged_cells_is_refused(owner):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(row(unit_id="1"))
    sheet.append(row(unit_id="2"))
    sheet.merge_cells("B2:B3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(Exception) as error:
        do_import(owner, buffer.getvalue(), filename="alloggi.xlsx")
    assert error.value.code == "merged_cells"
    assert_nothing_written()


def test_a_damaged_xlsx_is_refused(owner):
    with pytest.raises(Exception) as error:
        do_import(owner, b"PK\x03\x04 not really a zip", filename="alloggi.xlsx")
    assert error.value.code == "damaged"


def test_an_old_xls_is_refused_with_advice(owner):
    with pytest.raises(Exception) as error:
        do_import(owner, b"\xd0\xcf\x11\xe0 old excel", filename="alloggi.xls")
    assert error.value.code == "format"


def test_every_problem_is_reported_not_just_the_first(owner):
    rows = [
        row(unit_id="1", status="boh"),
        row(unit_id="2", energy_class="Z"),
        row(unit_id="3", household_size="tre", building_id="F1"),
        row(unit_id="4", last_update="31/02/2026"),
        row(unit_id="5", building_postcode="7310"),
    ]
    parsed, result = do_import(owner, csv_bytes(rows))
    assert result is None
    assert [(error.row, error.column) for error in parsed.errors] == [
        (2, "Stato"),
        (3, "Classe energetica"),
        (4, "Componenti nucleo"),
        (5, "Data aggiornamento"),
        (6, "CAP"),
    ]
    assert all(error.message for error in parsed.errors)


def test_only_valid_rows_are_written_when_asked(owner):
    rows = three_units() + [row(unit_id="9", status="boh", building_id="F9")]
    parsed, result = do_import(owner, csv_bytes(rows), only_valid_rows=True)
    assert result.created_units == 3
    assert not Unit.objects.filter(local_id="9").exists()
    assert len(parsed.errors) == 1


# --- the admin flow ------------------------------------------------------------------


def upload(client, owner, content, name="alloggi.csv"):
    return client.post(
        reverse("registry_importjob_modeladmin_create"),
        {"owner": owner.pk, "file": SimpleUploadedFile(name, content)},
    )


def test_admin_upload_with_errors_shows_the_report_then_imports_the_valid_rows_on_request(
    client, owner, arca_officer, django_capture_on_commit_callbacks
):
    client.force_login(arca_officer)
    rows = three_units() + [row(unit_id="9", status="boh", building_id="F9")]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, owner, csv_bytes(rows))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/inspect/{job.pk}/")
    assert job.status == ImportStatus.INVALID and job.error_rows == 1 and job.total_rows == 4
    assert not Unit.objects.exists()

    page = client.get(response["Location"]).content.decode()
    assert "boh" in page and "Non è stato scritto nulla" in page
    assert reverse("registry_import_valid_rows", args=[job.pk]) in page
    report = client.get(reverse("registry_import_report", args=[job.pk])).content.decode("utf-8-sig")
    assert report.splitlines()[0] == "Riga;Colonna;Valore;Problema"
    assert report.splitlines()[1].startswith("5;Stato;boh;")
    exported = ModelLogEntry.objects.get(action=EXPORT_ACTION, user=arca_officer)
    assert (exported.data["list"], exported.data["rows"]) == (f"registry.importjob:{job.pk}", 1)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry_import_valid_rows", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_units == 3
    assert Unit.objects.count() == 3


def test_admin_upload_of_a_good_file_imports_it(client, owner, arca_officer, django_capture_on_commit_callbacks):
    client.force_login(arca_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, owner, csv_bytes(three_units()))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE and job.created_units == 3
    page = client.get(response["Location"]).content.decode()
    assert "3 alloggi creati" in page
    progress = client.get(reverse("registry_import_progress", args=[job.pk])).json()
    assert progress["finished"] and progress["percent"] == 100


def test_admin_upload_refuses_an_owner_that_is_not_ones_own(client, entities, arca_officer):
    client.force_login(arca_officer)
    response = upload(client, entities[BARI], csv_bytes(three_units()))
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_template_downloads_have_the_expected_columns(client, arca_officer):
    client.force_login(arca_officer)
    csv_text = client.get(reverse("registry_import_template", args=["csv"])).content.decode("utf-8-sig")
    header, example = csv_text.splitlines()[:2]
    assert header.split(";") == HEADERS
    assert example.split(";")[HEADERS.index("Stato")] == "locato"
    response = client.get(reverse("registry_import_template", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [cell.value for cell in sheet[1]] == HEADERS


def template_csv(**changes):
    from core.tabular import write_csv
    from registry.stock.spec import template_rows

    headers, rows = template_rows()
    for header, value in changes.items():
        rows[0][HEADERS.index(header)] = value
    handle = io.StringIO()
    write_csv(headers, rows, handle)
    return handle.getvalue().encode("utf-8")


def test_the_template_with_its_example_ids_replaced_imports(owner):
    content = template_csv(
        **{
            "Comune ISTAT": "075035",
            "Codice ente gestore": "",
            "ID alloggio": "A-1",
            "Latitudine": "40,352700",
            "Longitudine": "18,172300",
        }
    )
    parsed, result = do_import(owner, content)
    assert result is not None, messages(parsed)


def test_the_template_uploaded_unchanged_is_refused_by_name_and_touches_no_real_unit(owner, load_stock, english):
    """The template's example once used unit id 3122, a real unit of ARCA Sud Salento:
    uploading the template unchanged moved it into a new building in Bari."""
    load_stock(ARCA_SUD_SALENTO, 5)
    before = list(Unit.objects.order_by("pk").values_list("push_id", "building_id", "status"))
    for content in (template_csv(), template_csv(**{"Comune ISTAT": "075035", "Codice ente gestore": ""})):
        parsed, result = do_import(owner, content)
        assert result is None
        assert [(e.row, e.column, e.value) for e in parsed.errors][-1] == (2, "ID alloggio", "ESEMPIO-1")
        assert "template's example row" in messages(parsed)[-1]
    assert list(Unit.objects.order_by("pk").values_list("push_id", "building_id", "status")) == before
    assert not Unit.objects.filter(local_id__istartswith="ESEMPIO").exists()


def test_a_row_with_more_cells_than_the_header_is_refused_naming_row_and_column(owner, english):
    """An unquoted ';' in an address shifts the row: one cell more than the header. Before,
    the extra cell was dropped and the unit written with the wrong values."""
    good = csv_bytes([row(unit_id="101", building_id="F1")]).decode("utf-8-sig")
    lines = good.rstrip("\r\n").split("\r\n")
    lines.append(
        lines[1].replace("101;F1;075035;Via Giuseppe Fanelli", "102;F1;075035;Via Fanelli; angolo Via Roma", 1)
    )
    parsed, result = do_import(owner, "\r\n".join(lines).encode("utf-8"))
    assert result is None
    stray = [e for e in parsed.errors if "past the last column" in e.message]
    assert [(e.row, e.column, e.value) for e in stray] == [(3, "39 (AM)", "15/01/2026")]
    assert parsed.error_rows == {3}
    assert_nothing_written()


def test_text_typed_after_the_last_column_of_an_xlsx_is_refused(owner):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(row(unit_id="101", building_id="F1") + [None, "nota: chiavi al portiere"])
    handle = io.BytesIO()
    workbook.save(handle)
    parsed, result = do_import(owner, handle.getvalue(), "alloggi.xlsx")
    assert result is None
    assert [(e.row, e.column, e.value) for e in parsed.errors] == [(2, "40 (AN)", "nota: chiavi al portiere")]
    assert_nothing_written()


def test_trailing_empty_separators_are_not_stray_cells(owner):
    content = csv_bytes([row(unit_id="101", building_id="F1") + ["", "", ""]])
    parsed, result = do_import(owner, content)
    assert result is not None, messages(parsed)


def test_a_failed_write_rolls_everything_back_and_marks_the_job(
    owner, arca_officer, monkeypatch, django_capture_on_commit_callbacks
):
    from registry.stock import writer as stock_writer

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # The batch of new buildings and units fails as it is written (in the writer's thread
    # on PostgreSQL).
    monkeypatch.setattr(stock_writer.StockSink, "_write_batch", broken)
    # The background task records the failure on the job (the task runner keeps the traceback).
    with django_capture_on_commit_callbacks(execute=True):
        stock.create_import_job(
            owner=owner, uploaded_by=arca_officer, uploaded_file=SimpleUploadedFile("a.csv", csv_bytes(three_units()))
        )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and "disk full" in job.failure
    assert_nothing_written()
