"""The proceeds against the reinvestments, per owner, as CSV or XLSX (core.exports: Italian
formats, no formulas, an audit entry for every file)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.exports import spreadsheet_response

from .. import policy, selectors
from .views import _year

EXPORT_FORMATS = ("csv", "xlsx")
HEADERS = [
    gettext_lazy("PUSH code"),
    gettext_lazy("Owner"),
    gettext_lazy("Units sold"),
    gettext_lazy("Proceeds (€)"),
    gettext_lazy("Reinvested in new housing (€)"),
    gettext_lazy("Reinvested in recovery (€)"),
    gettext_lazy("Reinvested (€)"),
    gettext_lazy("Not yet reinvested (€)"),
]


def proceeds_export(request, file_format):
    if file_format not in EXPORT_FORMATS:
        raise Http404
    if not policy.can_see_sale_plans(request.user):
        raise PermissionDenied
    _form, year = _year(request)
    rows = [
        [
            row.owner.code,
            row.owner.display_name,
            row.units_sold,
            row.proceeds,
            row.new_housing,
            row.recovery,
            row.reinvested,
            row.balance,
        ]
        for row in selectors.proceeds_by_owner(request.user, year=year)
    ]
    return spreadsheet_response(
        request,
        HEADERS,
        rows,
        filename=f"proventi-reinvestimenti-{timezone.localdate():%Y%m%d}",
        file_format=file_format,
        source="sales.proceeds",
        filters={"year": year} if year else None,
    )
