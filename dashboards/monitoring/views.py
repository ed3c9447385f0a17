"""The monitoring's screen, its CSV/XLSX and its map image: thin views over one function,
`_monitoring`, so that the three show the same rows in the same order.

Only the Region's staff (policy.can_monitor_comuni): anyone else signed in to the admin gets
a 403 on each of the three, whatever the query string says – a plain 403 rather than the
admin's redirect to its home, since two of the three are a file and an image."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import views as core_views
from core.exports import spreadsheet_response

from . import map as monitoring_map
from . import policy, selectors, table
from .forms import MonitoringFilter

IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
FILE_FORMATS = ("csv", "xlsx")


def regional_staff_only(view):
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not policy.can_monitor_comuni(request.user):
            return core_views.permission_denied(request, PermissionDenied())
        return view(request, *args, **kwargs)

    return checked


class Monitoring:
    """What the three views share: the filters, the columns and the rows, filtered and sorted."""

    def __init__(self, request):
        if not policy.can_monitor_comuni(request.user):
            raise PermissionDenied
        calls = selectors.open_call_list()
        self.form = MonitoringFilter(request.GET or None, calls=calls)
        applied = self.form.applied()
        rows, self.calls = selectors.rows(
            province=applied["province"], arca=applied["arca"], accreditation=applied["accreditation"], calls=calls
        )
        with_tickets = bool(rows) and rows[0].tickets is not None
        self.columns = table.columns(self.calls, with_tickets=with_tickets)
        self.ordering, self.descending = table.parse_ordering(request.GET.get("ordering", ""), self.columns)
        column = next(column for column in self.columns if column.key == self.ordering)
        shown = [
            row
            for row in rows
            if table.matches(
                row,
                call=applied["call"],
                call_state=applied["call_state"],
                register=applied["register"],
                behind=applied["behind"],
            )
        ]
        self.rows = table.ordered(shown, column, descending=self.descending)
        self.query = self.form.query()
        if self.ordering != table.DEFAULT_ORDERING or self.descending:
            self.query["ordering"] = ("-" if self.descending else "") + self.ordering

    def headers(self) -> list[dict]:
        """Each column's header: its sort link (ascending first, then the reverse) and aria-sort."""
        filters = {key: value for key, value in self.query.items() if key != "ordering"}
        result = []
        for column in self.columns:
            current = column.key == self.ordering
            next_ordering = f"-{column.key}" if current and not self.descending else column.key
            result.append(
                {
                    "column": column,
                    "href": "?" + urlencode({**filters, "ordering": next_ordering}),
                    "aria_sort": ("descending" if self.descending else "ascending") if current else "",
                }
            )
        return result

    def file_rows(self) -> list[list]:
        return [[column.value(row) for column in self.columns] for row in self.rows]


@require_safe
@regional_staff_only
def monitoring(request):
    screen = Monitoring(request)
    query = urlencode(screen.query)
    return TemplateResponse(
        request,
        "dashboards/monitoring/index.html",
        {
            "form": screen.form,
            "headers": screen.headers(),
            "rows": [(row, [(column, column.display(row)) for column in screen.columns]) for row in screen.rows],
            "count": len(screen.rows),
            "query": f"?{query}" if query else "",
            "map_description": monitoring_map.describe(screen.rows),
            "stale_after_days": selectors.STALE_AFTER_DAYS,
        },
    )


@require_safe
@regional_staff_only
def monitoring_export(request, file_format):
    if file_format not in FILE_FORMATS:
        raise Http404
    screen = Monitoring(request)
    return spreadsheet_response(
        request,
        [column.label for column in screen.columns],
        screen.file_rows(),
        filename="monitoraggio-comuni",
        file_format=file_format,
        source="dashboards.monitoring",
        sheet_title="Monitoraggio",
        filters=screen.query,
    )


@require_safe
@regional_staff_only
def monitoring_map_image(request):
    fmt = request.GET.get("format", "png")
    if fmt not in IMAGE_TYPES:
        raise Http404
    screen = Monitoring(request)
    content = monitoring_map.render(
        screen.rows, title=_("Monitoring of the Comuni"), filters_text=screen.form.describe(), fmt=fmt
    )
    response = HttpResponse(content, content_type=IMAGE_TYPES[fmt])
    response["Cache-Control"] = "private, no-cache"
    return response
