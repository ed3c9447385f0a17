"""Use cases of the property register: imports (files and the API's bulk upsert), admin
edits' history, snapshots and background exports. Callable alike from the admin, the API and
management commands; each asks registry.stock.policy once before changing anything. Reads
live in registry.stock.selectors."""

import hashlib
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.log_actions import log

from core.tabular import CellProblem, FileRefused, SpreadsheetTooLarge, check_spreadsheet_limits, read_table, shown
from registry.models import (
    Building,
    ChangeSource,
    Entity,
    ImportJob,
    ImportStatus,
    PropertyChange,
    SnapshotCell,
    StockSnapshot,
    Unit,
)
from registry.stock import policy
from registry.stock.spec import BUILDING_FIELDS, MAX_ERRORS_KEPT, UNIT_FIELDS, OwnerContext, ParsedFile, validate
from registry.stock.writer import MovesNotConfirmed, StockSink, WriteResult, stock_changed, write_stock

# --- imports ------------------------------------------------------------------------


def max_import_bytes() -> int:
    return getattr(settings, "PUSH_MAX_IMPORT_BYTES", 16 * 1024 * 1024)


def create_import_job(
    *, owner: Entity, uploaded_by, uploaded_file, only_valid_rows=False, confirm_moves=False
) -> ImportJob:
    """Store the uploaded file (privately, with its SHA-256) and queue its import.

    Refuses files over the size limits (the upload's bytes, and what a workbook declares it
    unpacks to: core.tabular.check_spreadsheet_limits) and owners the user may not write
    for. `confirm_moves`: the officer accepts that units change Comune."""
    policy.require_write_stock(uploaded_by, owner)
    if uploaded_file.size > max_import_bytes():
        from django.template.defaultfilters import filesizeformat

        raise ValidationError(
            _("The file is %(size)s; the largest accepted is %(limit)s. Split it into several files.")
            % {"size": filesizeformat(uploaded_file.size), "limit": filesizeformat(max_import_bytes())},
            code="too_large",
        )
    name = uploaded_file.name or "file.csv"
    file_format = "xlsx" if name.lower().endswith(".xlsx") else "csv"
    content = uploaded_file.read()
    try:
        check_spreadsheet_limits(content, name)
    except SpreadsheetTooLarge as refused:
        raise ValidationError(refused.message, code=refused.code)
    except FileRefused:
        pass  # an unreadable file is reported by the import job, like every other problem
    job = ImportJob(
        owner=owner,
        uploaded_by=uploaded_by,
        original_name=name[-200:],
        file_format=file_format,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        only_valid_rows=only_valid_rows,
    )
    job.file.save(f"import.{file_format}", ContentFile(content), save=False)
    job.save()
    log(instance=job, action="push.import.uploaded", user=uploaded_by)
    _queue(job, confirm_moves=confirm_moves)
    return job


def _queue(job: ImportJob, *, confirm_moves: bool) -> None:
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: run_import_task.enqueue(job.pk, language, confirm_moves))


def pending_moves(job: ImportJob) -> list:
    """The moves to another Comune that stopped the job, as report rows."""
    if job.status != ImportStatus.INVALID:
        return []
    return [error for error in job.errors if len(error) > 4 and error[4] == MOVE_PENDING]


def confirm_import_moves(*, job: ImportJob, user) -> ImportJob:
    """After reading which units would change Comune, import the file with those moves."""
    policy.require_write_stock(user, job.owner)
    if not pending_moves(job):
        raise ValidationError(_("This import has no moves waiting for confirmation."), code="state")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.PENDING, processed_rows=0, finished_at=None)
    _queue(job, confirm_moves=True)
    job.refresh_from_db()
    return job


def import_only_valid_rows(*, job: ImportJob, user) -> ImportJob:
    """After reading the report of an invalid file, import its valid rows."""
    policy.require_write_stock(user, job.owner)
    if job.status != ImportStatus.INVALID:
        raise ValidationError(_("Only a file with errors can be imported partially."), code="state")
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.PENDING, only_valid_rows=True, processed_rows=0, finished_at=None
    )
    _queue(job, confirm_moves=False)
    job.refresh_from_db()
    return job


@task()
def run_import_task(job_id: int, language: str = "it", confirm_moves: bool = False):
    with translation.override(language):
        run_import(ImportJob.objects.select_related("owner", "uploaded_by").get(pk=job_id), confirm_moves=confirm_moves)


# A fifth element on a report row marks a move to another Comune (waiting, or made).
MOVE_PENDING, MOVE_DONE = "move", "moved"


def _move_rows(moves, kind) -> list:
    from registry.stock.spec import COLUMNS_BY_KEY

    rows = []
    for move in moves:
        if move.unit_id is None:
            column, value = COLUMNS_BY_KEY["building_id"].header, move.building_id
        else:
            column, value = COLUMNS_BY_KEY["unit_id"].header, move.unit_id
        rows.append([move.row, column, value, move.message if kind == MOVE_PENDING else move.done_message, kind])
    return rows


def _set(job: ImportJob, **fields):
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def run_import(job: ImportJob, *, confirm_moves: bool = False) -> ImportJob:
    """Validate the job's file and write it in the same pass (import_table): everything is
    rolled back unless every row is valid (or the officer asked for the valid rows only) and
    no unit changes Comune unless confirmed. Progress is saved as it goes, on a connection of
    its own (PostgreSQL), so the status page can show it while the import's transaction is
    open."""
    _set(job, status=ImportStatus.VALIDATING, started_at=timezone.now(), processed_rows=0, failure="")
    progress = _Progress(job)
    try:
        with job.file.open("rb") as handle:
            content = handle.read()
        try:
            table = read_table(content, job.original_name, stream=True)
            del content
            _set(job, total_rows=table.estimated_rows if table.estimated_rows is not None else len(table.rows))
            parsed, result = import_table(
                table,
                job.owner,
                user=job.uploaded_by,
                source=ChangeSource.IMPORT,
                job=job,
                only_valid_rows=job.only_valid_rows,
                confirm_moves=confirm_moves,
                progress=progress,
            )
        except FileRefused as refused:
            _set(
                job,
                status=ImportStatus.INVALID,
                errors=[[0, "", "", refused.message]],
                error_rows=0,
                finished_at=timezone.now(),
            )
            return job
        except MovesNotConfirmed as refused:
            parsed = refused.parsed
            errors = [error.as_list() for error in parsed.errors[:MAX_ERRORS_KEPT]]
            moves = _move_rows(refused.moves, MOVE_PENDING)
            _set(
                job,
                status=ImportStatus.INVALID,
                total_rows=parsed.total_rows,
                processed_rows=parsed.total_rows,
                error_rows=len(parsed.error_rows),
                errors=(errors + moves)[: MAX_ERRORS_KEPT + len(moves)],
                finished_at=timezone.now(),
            )
            return job
        errors = [error.as_list() for error in parsed.errors[:MAX_ERRORS_KEPT]]
        _set(
            job,
            total_rows=parsed.total_rows,
            processed_rows=parsed.total_rows,
            errors=errors,
            error_rows=len(parsed.error_rows),
        )
        if parsed.total_rows == 0 and not parsed.errors:
            _set(
                job,
                status=ImportStatus.INVALID,
                errors=[[0, "", "", _("The file has headers but no rows of data.")]],
                finished_at=timezone.now(),
            )
            return job
        if result is None:
            _set(job, status=ImportStatus.INVALID, finished_at=timezone.now())
            return job
        if result.moves:
            _set(job, errors=errors + _move_rows(result.moves, MOVE_DONE))
        _set(
            job,
            status=ImportStatus.DONE,
            finished_at=timezone.now(),
            created_units=result.created_units,
            updated_units=result.updated_units,
            unchanged_units=result.unchanged_units,
            created_buildings=result.created_buildings,
            updated_buildings=result.updated_buildings,
        )
        log(instance=job, action="push.import.done", user=job.uploaded_by, data=_result_data(result))
    except Exception as error:  # the job must never stay "running" forever
        _set(job, status=ImportStatus.FAILED, failure=f"{type(error).__name__}: {error}", finished_at=timezone.now())
        raise
    finally:
        progress.close()
    return job


class _Progress:
    """Saves how many rows were checked while the import's transaction is open: on
    PostgreSQL through a connection of its own, committed at once; elsewhere (SQLite lets
    one writer at a time) not until the end."""

    def __init__(self, job: ImportJob):
        self.job_id = job.pk
        self.side = None
        self.enabled = connection.vendor == "postgresql"

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        try:
            if self.side is None:
                self.side = connection.copy()
                with self.side.cursor() as cursor:
                    # Never wait for the job's row: progress is worth less than the import.
                    cursor.execute("SET lock_timeout = 500")
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET processed_rows = %s WHERE id = %s", [done, self.job_id]
                )
        except DatabaseError:
            self.enabled = False

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


class _NotWritten(Exception):
    """Rolls the import back: the file may not be written."""


def import_table(
    table,
    owner: Entity,
    *,
    user=None,
    source=ChangeSource.IMPORT,
    job=None,
    only_valid_rows=False,
    confirm_moves=False,
    progress=None,
) -> tuple[ParsedFile, WriteResult | None]:
    """Validate `table` (core.tabular.Table, its rows a list or a stream) and write it in one
    pass: each valid row goes to the writer as soon as it is checked (registry.stock.writer.
    StockSink), inside one transaction that is rolled back if any row turns out wrong (unless
    `only_valid_rows`), if the headers are wrong, if there is no row, or if units would change
    Comune unconfirmed (MovesNotConfirmed, carrying the parsed file as `parsed`). Returns the
    parsed file (errors, counts; its units are not kept) and the write result, None when
    nothing was written."""
    context = OwnerContext(owner)
    parsed = ParsedFile()
    try:
        with transaction.atomic():
            sink = StockSink(owner, user=user, source=source, job=job)
            if not only_valid_rows:
                sink.errors = parsed.errors
            with sink:
                validate(table, owner, progress=progress, context=context, sink=sink, parsed=parsed)
                if not parsed.may_be_written(only_valid_rows=only_valid_rows) or parsed.total_rows == 0:
                    sink.stop()
            if sink.stopped:
                raise _NotWritten
            try:
                return parsed, sink.finish(confirm_moves=confirm_moves)
            except MovesNotConfirmed as refused:
                refused.parsed = parsed
                raise
    except _NotWritten:
        return parsed, None


def _result_data(result: WriteResult) -> dict:
    return {
        "created_units": result.created_units,
        "updated_units": result.updated_units,
        "unchanged_units": result.unchanged_units,
        "created_buildings": result.created_buildings,
        "updated_buildings": result.updated_buildings,
    }


def import_file(
    *,
    content: bytes,
    filename: str,
    owner: Entity,
    user=None,
    only_valid_rows=False,
    source=ChangeSource.IMPORT,
    confirm_moves=False,
    limits=None,
):
    """Validate and write a file in one call (shell loads, the import_units command,
    benchmarks). Returns the parsed file and the write result (None when nothing was
    written). Raises MovesNotConfirmed when units would change Comune and `confirm_moves` is
    not set. `limits`: core.tabular.Limits instead of the settings' (initial loads)."""
    table = read_table(content, filename, stream=True, limits=limits)
    del content
    return import_table(
        table, owner, user=user, source=source, only_valid_rows=only_valid_rows, confirm_moves=confirm_moves
    )


# --- API bulk upsert ----------------------------------------------------------------


class UpsertMode:
    """What a record's omitted fields mean in the API's bulk upsert."""

    MERGE = "merge"  # an omitted field keeps the stored value; null or "" clears it
    REPLACE = "replace"  # the record is the whole unit: an omitted field is blank, as in a file
    choices = (MERGE, REPLACE)


def upsert_units_from_records(
    *, records: list[dict], owner: Entity, user, confirm_moves=False, mode: str = UpsertMode.MERGE
) -> tuple[ParsedFile, WriteResult | None]:
    """The API's bulk upsert: `records` use the same keys as the units file
    (registry.stock.spec.UNITS_FILE_SPEC); all-or-nothing, same validation as a file.

    With `mode` MERGE (the default) a record's omitted fields keep the values stored for its
    unit and for the building it names (or, without `building_id`, the building it is in):
    a record with only the keys changes nothing. With REPLACE each record is the whole row
    of a file, and omitted fields are written blank. Raises MovesNotConfirmed when units
    would change Comune and `confirm_moves` is not set."""
    from core.tabular import Table
    from registry.stock.spec import UNITS_FILE_SPEC

    policy.require_write_stock(user, owner)
    keys = [spec.key for spec in UNITS_FILE_SPEC.fields]
    unknown = sorted({key for record in records for key in record} - set(keys))
    if unknown:
        parsed = ParsedFile(total_rows=len(records))
        parsed.errors.append(CellProblem(0, ", ".join(unknown), "", _("Unknown fields.")))
        return parsed, None
    not_single = [
        CellProblem(number, UNITS_FILE_SPEC[key].header, shown(value), _("A single value is expected here."))
        for number, record in enumerate(records, start=1)
        for key, value in record.items()
        if isinstance(value, (dict, list))
    ]
    if not_single:
        parsed = ParsedFile(total_rows=len(records))
        parsed.errors.extend(not_single)
        parsed.error_rows.update(problem.row for problem in not_single)
        return parsed, None
    if mode == UpsertMode.MERGE:
        stored = _stored_records(records, owner)
        records = [{**stored.get(number, {}), **record} for number, record in enumerate(records)]
    rows = [[record.get(key) for key in keys] for record in records]
    table = Table(headers=UNITS_FILE_SPEC.headers, rows=rows, first_data_row=1, format="api")
    parsed = validate(table, owner)
    if parsed.errors:
        return parsed, None
    return parsed, write_stock(parsed, owner, user=user, source=ChangeSource.API, confirm_moves=confirm_moves)


def _stored_records(records: list[dict], owner: Entity) -> dict[int, dict]:
    """For each record (by position) that names a stored unit or building of `owner`, their
    stored values by record key, as the parsers read them (Python values)."""
    from core.tabular import as_text
    from registry.stock.spec import BUILDING_SPEC, UNIT_SPEC

    prefix = owner.code + "-"

    def local(value):
        if value is None or isinstance(value, (bool, dict, list)):
            return None
        text_value = as_text(value)
        return text_value[len(prefix) :] if text_value.startswith(prefix) else text_value

    unit_ids = {local(record.get("unit_id")) for record in records} - {None}
    units = {
        unit.local_id: unit
        for unit in Unit.objects.filter(owner=owner, local_id__in=unit_ids).select_related("building")
    }
    building_ids = {local(record.get("building_id")) for record in records} | {
        unit.building.local_id for unit in units.values()
    }
    buildings = {
        building.local_id: building
        for building in Building.objects.filter(owner=owner, local_id__in=building_ids - {None}).select_related(
            "comune", "manager"
        )
    }
    unit_fields = UNIT_SPEC.fields[1:]
    stored = {}
    for number, record in enumerate(records):
        unit = units.get(local(record.get("unit_id")))
        building_id = local(record.get("building_id")) if "building_id" in record else None
        if building_id is None and unit is not None:
            building_id = unit.building.local_id
        building = buildings.get(building_id)
        values = {}
        if building is not None:
            values.update(
                (spec.key, spec.value_of(building) if spec.value_of else getattr(building, spec.stored_as))
                for spec in BUILDING_SPEC.fields
            )
        if unit is not None:
            values.update((spec.key, getattr(unit, spec.stored_as)) for spec in unit_fields)
        if values:
            stored[number] = values
    return stored


# --- single edits from the admin ------------------------------------------------------


def record_admin_change(*, instance, before: dict, user) -> None:
    """Log an edit made in the admin form: the fields that changed, from what to what."""
    fields = UNIT_FIELDS if isinstance(instance, Unit) else BUILDING_FIELDS
    changes = {}
    for name in fields:
        old, new = before.get(name), getattr(instance, name)
        if old != new:
            changes[name] = [old, new]
    if not changes:
        return
    import json

    from registry.stock.writer import _json_default

    PropertyChange.objects.create(
        unit=instance if isinstance(instance, Unit) else None,
        building=instance if isinstance(instance, Building) else None,
        changed_by=user,
        source=ChangeSource.ADMIN,
        changes=json.loads(json.dumps(changes, default=_json_default)),
    )
    stock_changed()


def snapshot_of(instance) -> dict:
    fields = UNIT_FIELDS if isinstance(instance, Unit) else BUILDING_FIELDS
    return {name: getattr(instance, name) for name in fields}


# --- snapshots ----------------------------------------------------------------------

SNAPSHOT_DIMENSIONS = ("owner_id", "building__comune_id", "status", "use", "energy_class", "accessible")


def take_snapshot(*, reference_date: date, taken_by) -> StockSnapshot:
    """Freeze the stock as it is now under a reference date (normally 31 December).
    One snapshot per date; it is never changed afterwards. Regional administrators only."""
    policy.require_take_snapshot(taken_by)
    if StockSnapshot.objects.filter(reference_date=reference_date).exists():
        raise ValidationError(
            _("A snapshot at %(date)s already exists and cannot be replaced.")
            % {"date": reference_date.strftime("%d/%m/%Y")},
            code="exists",
        )
    with transaction.atomic():
        groups = (
            Unit.objects.values(*SNAPSHOT_DIMENSIONS)
            .annotate(units=Count("id"), area=Sum("conventional_area"))
            .order_by()
        )
        snapshot = StockSnapshot.objects.create(
            reference_date=reference_date,
            taken_by=taken_by,
            unit_count=Unit.objects.count(),
            building_count=Building.objects.count(),
        )
        SnapshotCell.objects.bulk_create(
            [
                SnapshotCell(
                    snapshot=snapshot,
                    owner_id=row["owner_id"],
                    comune_id=row["building__comune_id"],
                    status=row["status"],
                    use=row["use"],
                    energy_class=row["energy_class"],
                    accessible=row["accessible"],
                    units=row["units"],
                    conventional_area=row["area"] or 0,
                )
                for row in groups
            ],
            batch_size=2000,
        )
        log(instance=snapshot, action="push.snapshot.taken", user=taken_by)
    return snapshot


# --- exports in the background ------------------------------------------------------
#
# An export of more rows than PUSH_EXPORT_BACKGROUND_ROWS (the whole region's units as XLSX
# takes tens of seconds) is not written inside the request: the list answers with a status
# page, a task writes the file into private storage, and the page then offers it for
# download to the person who asked, and to nobody else. The job is two files under
# `exports/<token>/`: `status.json` (who asked, state, rows, file name) and the export.
# The task replays the very list request (path and query string) as that person, so the
# filters, the search and the access rule are the list's own, and the export is audited
# (core.exports.log_export) when it is written, as every export.

EXPORT_DIR = "exports"


class ExportState:
    QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"


def background_export_threshold() -> int:
    return getattr(settings, "PUSH_EXPORT_BACKGROUND_ROWS", 20_000)


def _export_status_path(token: str) -> str:
    return f"{EXPORT_DIR}/{token}/status.json"


def read_export_job(token: str) -> dict | None:
    import json

    from core.files import private_storage

    if not token.isalnum() or len(token) != 32:
        return None
    try:
        with private_storage().open(_export_status_path(token), "rb") as handle:
            return json.loads(handle.read().decode("utf-8"))
    except (FileNotFoundError, OSError, ValueError):
        return None


def _write_export_job(token: str, job: dict) -> None:
    import json

    from core.files import private_storage

    path = _export_status_path(token)
    if private_storage().exists(path):
        private_storage().delete(path)
    private_storage().save(path, ContentFile(json.dumps(job).encode("utf-8")))


def export_job_for(token: str, user) -> dict | None:
    """The export job `token` if `user` asked for it; None otherwise (the caller answers 404)."""
    job = read_export_job(token)
    if job is None or not user.is_authenticated or job.get("user") != user.pk:
        return None
    return job


def start_background_export(*, user, path: str, query_string: str, file_format: str, rows: int) -> str:
    """Queue the export of the list at `path?query_string` for `user`; returns its token."""
    import uuid

    token = uuid.uuid4().hex
    _write_export_job(
        token,
        {
            "user": user.pk,
            "state": ExportState.QUEUED,
            "format": file_format,
            "rows": rows,
            "path": path,
            "query_string": query_string,
            "created": timezone.now().isoformat(),
            "file": "",
            "filename": "",
        },
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: run_export_task.enqueue(token, language))
    return token


@task()
def run_export_task(token: str, language: str = "it"):
    with translation.override(language):
        run_export(token)


def run_export(token: str) -> None:
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory
    from django.urls import resolve

    from core.files import private_storage

    job = read_export_job(token)
    if job is None or job["state"] != ExportState.QUEUED:
        return
    _write_export_job(token, {**job, "state": ExportState.RUNNING})
    try:
        user = get_user_model().objects.get(pk=job["user"], is_active=True)
        request = RequestFactory().get(f"{job['path']}?{job['query_string']}")
        request.user = user
        request.export_in_this_task = True  # the list writes the file instead of queueing it again
        response = resolve(job["path"]).func(request)
        if response.status_code != 200:
            raise RuntimeError(f"the list answered {response.status_code}")
        content = b"".join(response.streaming_content) if response.streaming else response.content
        disposition = response.get("Content-Disposition", "")
        filename = (
            disposition.split('filename="')[-1].rstrip('"')
            if 'filename="' in disposition
            else f"export.{job['format']}"
        )
        stored = private_storage().save(f"{EXPORT_DIR}/{token}/{filename}", ContentFile(content))
    except Exception:
        _write_export_job(token, {**job, "state": ExportState.FAILED})
        raise
    _write_export_job(
        token, {**job, "state": ExportState.READY, "file": stored, "filename": filename, "size": len(content)}
    )
