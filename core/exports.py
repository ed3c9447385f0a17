"""Spreadsheet files that leave PUSH, and the audit entry each one writes.

Every CSV or XLSX response of PUSH is built here:
- `spreadsheet_response`: an export (an admin list, the riparto, an import's error report,
  a list's template) as an Italian CSV or an XLSX attachment, with its audit entry;
- `spreadsheet_file`: the same file without the entry, for callers that record the export
  themselves (the admin lists' index view logs every export it answers) or that send no
  data (an empty template);
- `streaming_csv_response`: an Italian CSV streamed line by line, for lists of any length
  (the admin lists' CSV export), also recorded by its caller;
- `streaming_text_response`: a CSV its caller writes chunk by chunk (the units file,
  registry.stock.unit_export), also recorded by its caller.

The audit entry (`log_export`) sits on the exporting person's account: which data, which
filters, which format and how many rows. The cells are formatted and protected against
formula injection by core.tabular.writing."""

import io

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from .tabular import csv_lines, italian_cell, write_csv, write_xlsx
from .tabular.writing import write_xlsx_rows

EXPORT_ACTION = "push.export"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _CountedRows:
    """Pass rows through while counting them, so that a streamed export is counted without
    being held in memory twice."""

    def __init__(self, rows):
        self._rows = rows
        self.count = 0

    def __iter__(self):
        for row in self._rows:
            self.count += 1
            yield row


def log_export(request, *, source: str, file_format: str, rows: int | None, filters: dict | None = None) -> None:
    from wagtail.log_actions import log

    log(
        instance=request.user,
        action=EXPORT_ACTION,
        user=request.user,
        data={"list": source, "format": file_format, "filters": filters or {}, "rows": rows},
    )


def _attachment(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def spreadsheet_file(headers, rows, *, filename: str, file_format: str, sheet_title: str = "Dati"):
    """The rows as an Italian CSV or an XLSX attachment (`filename` without its extension),
    with no audit entry: see the module's docstring for who may use it."""
    headers = [str(header) for header in headers]
    if file_format == "csv":
        handle = io.StringIO()
        write_csv(headers, rows, handle)
        response = HttpResponse(handle.getvalue().encode("utf-8"), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = _attachment(f"{filename}.csv")
        return response
    if file_format == "xlsx":
        handle = io.BytesIO()
        write_xlsx(headers, rows, handle, sheet_title=sheet_title)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE)
    raise ValueError(file_format)


def spreadsheet_response(
    request, headers, rows, *, filename: str, file_format: str, source: str, sheet_title: str = "Dati", filters=None
):
    """The rows as an Italian CSV or an XLSX attachment, with its audit entry."""
    counted = _CountedRows(rows)
    response = spreadsheet_file(headers, counted, filename=filename, file_format=file_format, sheet_title=sheet_title)
    log_export(request, source=source, file_format=file_format, rows=counted.count, filters=filters)
    return response


def streaming_csv_response(headers, rows, *, filename: str, cell=italian_cell) -> StreamingHttpResponse:
    """The rows as an Italian CSV streamed line by line (`filename` without its extension);
    `rows` is read as the response is sent. No audit entry: the caller records the export
    (log_export) with the count it knows before streaming."""
    response = StreamingHttpResponse(csv_lines(headers, rows, cell=cell), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(f"{filename}.csv")
    return response


def streaming_text_response(chunks, *, filename: str) -> StreamingHttpResponse:
    """An Italian CSV its caller has already written (BOM, `;`, cells formatted and
    neutralised by core.tabular.writing), streamed chunk by chunk as it is produced
    (`filename` without its extension). No audit entry: the caller records the export."""
    response = StreamingHttpResponse(chunks, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(f"{filename}.csv")
    return response


def xlsx_rows_file(headers, row_chunks, *, filename: str, sheet_title: str = "Dati") -> FileResponse:
    """An XLSX attachment whose rows come as chunks of cell XML (core.tabular.writing
    .write_xlsx_rows), written to a spooled temporary file (to disk beyond 32 MB). No audit
    entry: the caller records the export."""
    import tempfile

    handle = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
    write_xlsx_rows([str(header) for header in headers], row_chunks, handle, sheet_title=sheet_title)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE)
