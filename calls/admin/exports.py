"""What the calls' screens export: the riparto (CSV, XLSX, PDF) and the empty list a Comune
fills in (CSV, XLSX).

Spreadsheets go through core.exports.spreadsheet_response (Italian CSV or XLSX, formula
protection, the export's audit entry). The riparto's PDF is a report rendered from the
table, not a stored private file, so it is not a core.files.private_download: it is logged
as an export of the same list (log_export), like its CSV."""

import io

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy

from core.exports import log_export, spreadsheet_response

from .. import policy, selectors
from ..applicants import list_template as template_rows
from ..models import CallType

RIPARTO_FORMATS = ("csv", "xlsx", "pdf")

RIPARTO_HEADERS = [
    gettext_lazy("Comune"),
    gettext_lazy("ISTAT code"),
    gettext_lazy("Need (€)"),
    gettext_lazy("Co-financing (€)"),
    gettext_lazy("Premium"),
    gettext_lazy("Base share (€)"),
    gettext_lazy("Premium share (€)"),
    gettext_lazy("Total (€)"),
]


def riparto_rows(call):
    for row in selectors.riparto_lines(call):
        yield [
            row.comune.name,
            row.comune.code,
            row.need,
            row.co_financing,
            row.premium_eligible,
            row.base,
            row.premium,
            row.total,
        ]


def riparto_export(request, call, file_format: str):
    """The riparto as a file; the caller has checked that the person may read it."""
    filename = f"riparto-{call.call_type}-{call.year}"
    source = f"calls.riparto:{call.pk}"
    if file_format == "pdf":
        from ..receipts import riparto_pdf

        log_export(request, source=source, file_format="pdf", rows=selectors.riparto_lines(call).count())
        return FileResponse(
            io.BytesIO(riparto_pdf(call)),
            as_attachment=True,
            filename=f"{filename}.pdf",
            content_type="application/pdf",
        )
    return spreadsheet_response(
        request,
        RIPARTO_HEADERS,
        riparto_rows(call),
        filename=filename,
        file_format=file_format,
        source=source,
        sheet_title="Riparto",
    )


def list_template(request, call_pk, file_format):
    """The empty list of a call (headers and one example row), as CSV or XLSX: generated from
    the columns the reader accepts (calls/applicants.py), so it cannot drift from them."""
    call = get_object_or_404(selectors.calls_visible_to(request.user), pk=call_pk)
    if file_format not in ("csv", "xlsx") or not policy.can_see_submissions(request.user):
        raise Http404
    headers, rows = template_rows(call)
    kind = "morosita" if call.call_type == CallType.ARREARS else "sostegno-locazioni"
    return spreadsheet_response(
        request,
        headers,
        rows,
        filename=f"modello-elenco-{kind}-{call.year}",
        file_format=file_format,
        source=f"calls.list_template:{call.pk}",
        sheet_title="Elenco",
    )
