"""Spreadsheet files that leave PUSH, and the audit entry each one writes.

Every export – an admin list, the riparto, an import's error report, the unit register –
is answered by `spreadsheet_response`, or (where the caller writes the file itself, as
modeladmin's own exports do) records itself with `log_export`. The entry sits on the
exporting person's account: which data, which filters, which format and how many rows."""

import io

from django.http import FileResponse, HttpResponse

from .tabular import write_csv, write_xlsx

EXPORT_ACTION = "push.export"


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


def spreadsheet_response(
    request, headers, rows, *, filename: str, file_format: str, source: str, sheet_title: str = "Dati", filters=None
):
    """The rows as an Italian CSV or an XLSX attachment, with its audit entry."""
    counted = _CountedRows(rows)
    headers = [str(header) for header in headers]
    if file_format == "csv":
        handle = io.StringIO()
        write_csv(headers, counted, handle)
        response = HttpResponse(handle.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    elif file_format == "xlsx":
        handle = io.BytesIO()
        write_xlsx(headers, counted, handle, sheet_title=sheet_title)
        handle.seek(0)
        response = FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx")
    else:
        raise ValueError(file_format)
    log_export(request, source=source, file_format=file_format, rows=counted.count, filters=filters)
    return response
