"""Large imports are validated and written in one pass, by batches (registry.stock.writer.
StockSink): the promises of the import hold across batches. Run on SQLite and on PostgreSQL
(DATABASE_URL), where the batches are written by a thread while the next rows are checked."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from registry.models import Building, ImportJob, ImportStatus, PropertyChange, Unit
from registry.stock import services as stock
from registry.stock import writer as stock_writer
from registry.stock.spec import COLUMNS_BY_KEY
from tests.conftest import ARCA_SUD_SALENTO
from tests.registry.test_imports import csv_bytes, row

BATCH = 40  # rows per batch in these tests (CHUNK_ROWS is 10,000 in production)
UNITS = 250  # more than six batches


@pytest.fixture
def owner(entities):
    return entities[ARCA_SUD_SALENTO]


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(stock_writer, "CHUNK_ROWS", BATCH)
    original = stock_writer.StockSink.__init__

    def init(self, *args, **kwargs):
        kwargs["chunk_rows"] = BATCH
        original(self, *args, **kwargs)

    monkeypatch.setattr(stock_writer.StockSink, "__init__", init)


def units(count=UNITS, overrides=None):
    """`count` units in buildings of 7 (so batches end in the middle of buildings), with no
    coordinates (the Comune check of coordinates is not what is tested here)."""
    rows = []
    for number in range(1, count + 1):
        values = {
            "unit_id": f"U{number}",
            "building_id": f"F{(number - 1) // 7 + 1}",
            "internal_number": str(number),
            "building_latitude": "",
            "building_longitude": "",
        }
        values.update((overrides or {}).get(number, {}))
        rows.append(row(**values))
    return rows


def write_file(tmp_path, rows, name="alloggi.csv"):
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows))
    return path


def assert_nothing_written():
    assert (Unit.objects.count(), Building.objects.count(), PropertyChange.objects.count()) == (0, 0, 0)


def test_one_wrong_row_after_several_batches_writes_nothing_and_names_its_row_and_column(owner, tmp_path):
    # Row 200 of the sheet (unit 199): the rooms are not a number; five batches were sent already.
    path = write_file(tmp_path, units(overrides={199: {"rooms": "quattro"}}))

    with pytest.raises(CommandError, match="1 rows have errors: nothing written"):
        call_command("import_units", str(path), owner=owner.code, stderr=(errors := _Output()))

    assert_nothing_written()
    assert f"row 200 · {COLUMNS_BY_KEY['rooms'].header} · 'quattro'" in errors.text


def test_the_admins_upload_with_a_wrong_row_late_in_the_file_writes_nothing(owner, arca_officer):
    content = csv_bytes(units(overrides={230: {"comune_code": "999999"}}))
    job = stock.create_import_job(
        owner=owner, uploaded_by=arca_officer, uploaded_file=SimpleUploadedFile("a.csv", content)
    )
    stock.run_import(job)

    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert (job.total_rows, job.error_rows) == (UNITS, 1)
    assert [error[:3] for error in job.errors] == [[231, COLUMNS_BY_KEY["comune_code"].header, "999999"]]
    assert_nothing_written()


def test_only_valid_rows_writes_every_other_row_across_batches(owner, tmp_path):
    path = write_file(tmp_path, units(overrides={3: {"usable_area": "-4"}, 199: {"rooms": "quattro"}}))

    call_command("import_units", str(path), owner=owner.code, only_valid_rows=True, stdout=_Output(), stderr=_Output())

    assert Unit.objects.count() == UNITS - 2
    assert not Unit.objects.filter(local_id__in=["U3", "U199"]).exists()


def test_new_units_get_their_ids_their_buildings_and_one_creation_row_each(owner, tmp_path):
    path = write_file(tmp_path, units())

    call_command("import_units", str(path), owner=owner.code, stdout=_Output())

    stored = list(Unit.objects.filter(owner=owner).values_list("id", "local_id", "push_id", "building__local_id"))
    assert len(stored) == UNITS
    for _pk, local_id, push_id, building_local_id in stored:
        number = int(local_id[1:])
        assert push_id == f"{owner.code}-U{number}"
        assert building_local_id == f"F{(number - 1) // 7 + 1}"
    assert Building.objects.filter(owner=owner).count() == (UNITS + 6) // 7
    unit_ids = sorted(pk for pk, *_rest in stored)
    history = PropertyChange.objects.filter(unit__isnull=False)
    assert sorted(history.values_list("unit_id", flat=True)) == unit_ids
    assert {(created, str(changes)) for created, changes in history.values_list("created", "changes")} == {(True, "{}")}
    building_history = PropertyChange.objects.filter(building__isnull=False)
    assert sorted(building_history.values_list("building_id", flat=True)) == sorted(
        Building.objects.values_list("id", flat=True)
    )
    # The ids were taken from the table's own counter: the next unit saved gets a new one.
    building = Building.objects.get(local_id="F1")
    later = Unit.objects.create(
        owner=owner, building=building, local_id="LATER", push_id=f"{owner.code}-LATER", usable_area=50
    )
    assert later.pk > max(unit_ids)


def test_reimporting_the_same_file_changes_nothing(owner, tmp_path):
    path = write_file(tmp_path, units())
    call_command("import_units", str(path), owner=owner.code, stdout=_Output())
    before = (
        list(Unit.objects.order_by("pk").values_list("pk", "updated_at", "building_id")),
        PropertyChange.objects.count(),
    )

    call_command("import_units", str(path), owner=owner.code, stdout=(output := _Output()))

    assert f"0 units created, 0 updated, {UNITS} unchanged; buildings 0 created, 0 updated" in output.text
    after = (
        list(Unit.objects.order_by("pk").values_list("pk", "updated_at", "building_id")),
        PropertyChange.objects.count(),
    )
    assert after == before


def test_a_file_adding_and_changing_units_writes_both_with_their_history(owner, tmp_path):
    call_command("import_units", str(write_file(tmp_path, units(100))), owner=owner.code, stdout=_Output())

    changed = units(UNITS, overrides={5: {"floor": "9"}})
    call_command("import_units", str(write_file(tmp_path, changed)), owner=owner.code, stdout=(output := _Output()))

    assert f"{UNITS - 100} units created, 1 updated, 99 unchanged" in output.text
    unit = Unit.objects.get(local_id="U5")
    assert unit.floor == "9"
    change = PropertyChange.objects.get(unit=unit, created=False)
    assert change.changes == {"floor": ["3", "9"]}


def test_moving_units_to_another_comune_needs_confirmation_even_late_in_a_large_file(owner, tmp_path):
    call_command("import_units", str(write_file(tmp_path, units(100))), owner=owner.code, stdout=_Output())
    before = PropertyChange.objects.count()
    # Building F14 (units 92 to 98) moves to Gallipoli; units 101+ are new.
    moved = units(UNITS, overrides={number: {"comune_code": "075031"} for number in range(92, 99)})

    with pytest.raises(CommandError, match="1 units or buildings would move"):
        call_command("import_units", str(write_file(tmp_path, moved)), owner=owner.code, stderr=_Output())

    assert (Unit.objects.count(), PropertyChange.objects.count()) == (100, before)
    assert Building.objects.get(local_id="F14").comune.code == "075035"

    call_command(
        "import_units", str(write_file(tmp_path, moved)), owner=owner.code, confirm_moves=True, stdout=_Output()
    )
    assert Unit.objects.count() == UNITS
    assert Building.objects.get(local_id="F14").comune.code == "075031"


def test_the_command_loads_more_rows_than_an_upload_may_have(owner, arca_officer, tmp_path, settings):
    settings.PUSH_MAX_ROWS = 100
    content = csv_bytes(units())

    with pytest.raises(ValidationError) as refused:
        stock.create_import_job(
            owner=owner, uploaded_by=arca_officer, uploaded_file=SimpleUploadedFile("a.csv", content)
        )
    assert refused.value.error_list[0].code == "rows"
    assert not ImportJob.objects.exists()

    path = write_file(tmp_path, units())
    call_command("import_units", str(path), owner=owner.code, stdout=_Output())
    assert Unit.objects.count() == UNITS
    with pytest.raises(CommandError, match=r"\b252\b.*\b100\b"):
        call_command("import_units", str(path), owner=owner.code, max_rows=100, stdout=_Output())


def test_a_writing_failure_in_a_middle_batch_rolls_everything_back(owner, arca_officer, monkeypatch):
    calls = []
    original = stock_writer.StockSink._write_batch

    def third_fails(self, cursor, buildings, new_units):
        calls.append(len(new_units))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(self, cursor, buildings, new_units)

    monkeypatch.setattr(stock_writer.StockSink, "_write_batch", third_fails)
    job = stock.create_import_job(
        owner=owner, uploaded_by=arca_officer, uploaded_file=SimpleUploadedFile("a.csv", csv_bytes(units()))
    )
    with pytest.raises(RuntimeError, match="disk full"):
        stock.run_import(ImportJob.objects.get(pk=job.pk))

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "disk full" in job.failure
    assert calls[:3] == [BATCH, BATCH, BATCH]
    assert_nothing_written()


class _Output:
    def __init__(self):
        self.text = ""

    def write(self, value):
        self.text += value

    def flush(self):
        pass
