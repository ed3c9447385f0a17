"""The unit list (exports in the import format, written in the background when long) and
the unit's admin."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList

from core.exports import spreadsheet_file, streaming_text_response, xlsx_rows_file
from core.forms import ConfirmPanel
from registry.models import (
    Unit,
)
from registry.scoped_admin import ItalianExportIndexView, ScopedModelAdmin
from registry.stock import selectors, unit_export
from registry.stock import services as stock
from registry.stock.admin.common import (
    RETURN_PARAMETER,
    ComuneSelectFilter,
    HistoryInspectView,
    ManagerSelectFilter,
    NoCreateNoDeletePermissionHelper,
    OwnerSelectFilter,
    RecordingEditView,
    UnitProvinceFilter,
)
from registry.stock.admin.downloads import export_download, export_status
from registry.stock.admin.forms import UnitForm
from registry.stock.spec import EXPORT_HEADERS, unit_export_rows


class UnitIndexView(ItalianExportIndexView):
    """Unit list whose exports are files in the import format (they re-import unchanged),
    sorted naturally by id, whose edit links bring the officer back to the list as left."""

    def get_ordering(self, request, queryset):
        ordering = []
        natural = False
        for key in super().get_ordering(request, queryset):
            if key in ("push_id", "-push_id"):
                ordering.extend(selectors.natural_unit_order(descending=key.startswith("-")))
                natural = True
            elif key not in ("id", "-id", "pk", "-pk"):
                ordering.append(key)
        # modeladmin ends every order with "-id" to make it total. The PUSH id is unique
        # already; any other order ends with the id in the same direction as its first key,
        # so that an index such as (status, id) serves the whole ORDER BY.
        if not natural:
            first = ordering[0] if ordering else ""
            ordering.append("-id" if isinstance(first, str) and first.startswith("-") else "id")
        return ordering

    def count_rows(self, queryset):
        # The planner's estimate for the Region's large lists, never for an owner's
        # (registry.stock.selectors.list_count).
        return selectors.list_count(queryset, self.request.user)

    def get_context_data(self, **kwargs):
        # Sorting links for the lean table (registry/admin/unit_index.html) keep the filters.
        sort_urls = {str(index): self.get_query_string({self.ORDER_VAR: index}) for index in (0, 3, 6)}
        here = self.request.get_full_path()
        return super().get_context_data(sort_urls=sort_urls, return_query=urlencode({RETURN_PARAMETER: here}), **kwargs)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        # A long export is written in the background (registry.stock.start_background_export);
        # the task replays this request and lands below, in `export_in_this_task`.
        if not getattr(self.request, "export_in_this_task", False):
            rows = queryset.count()
            if rows > stock.background_export_threshold():
                token = stock.start_background_export(
                    user=self.request.user,
                    path=self.request.path,
                    query_string=self.request.META.get("QUERY_STRING", ""),
                    file_format=spreadsheet_format,
                    rows=rows,
                )
                return redirect(reverse("registry_export_status", args=[token]))
        filename = f"alloggi-{timezone.localdate():%Y%m%d}"
        # Without a second audit entry: the list's dispatch already writes the export's
        # (registry.scoped_admin.audit_export).
        columns = unit_export.fast_columns()
        if columns is not None:
            # Plain values read in chunks, each column formatted per distinct value; the CSV
            # is streamed as it is written (registry.stock.unit_export).
            if spreadsheet_format == self.FORMAT_CSV:
                return streaming_text_response(unit_export.csv_chunks(queryset, columns), filename=filename)
            return xlsx_rows_file(
                EXPORT_HEADERS, unit_export.xlsx_chunks(queryset, columns), filename=filename, sheet_title="Alloggi"
            )
        queryset = queryset.select_related("building__comune", "building__manager", "owner").order_by("push_id")
        rows = unit_export_rows(queryset.iterator(chunk_size=2000))
        return spreadsheet_file(
            EXPORT_HEADERS,
            rows,
            filename=filename,
            file_format="csv" if spreadsheet_format == self.FORMAT_CSV else "xlsx",
            sheet_title="Alloggi",
        )


class UnitAdmin(ScopedModelAdmin):
    model = Unit
    menu_label = gettext_lazy("Units")
    menu_icon = "home"
    entity_path = "owner"
    permission_helper_class = NoCreateNoDeletePermissionHelper
    index_view_class = UnitIndexView
    index_template_name = "registry/admin/unit_index.html"
    index_view_extra_css = ["css/register-admin.css"]
    edit_view_class = RecordingEditView
    inspect_view_class = HistoryInspectView
    inspect_template_name = "registry/admin/unit_inspect.html"
    list_display = (
        "push_id",
        "address",
        "comune",
        "status",
        "cadastral_category",
        "energy_class",
        "conventional_area",
        "accessible",
    )
    list_filter = (
        UnitProvinceFilter,
        ("building__comune", ComuneSelectFilter),
        ("owner", OwnerSelectFilter),
        ("building__manager", ManagerSelectFilter),
        "status",
        "cadastral_category",
        "energy_class",
        "accessible",
        "use",
    )
    search_fields = (
        "push_id",
        "building__street",
        "cadastral_sheet",
        "cadastral_parcel",
        "cadastral_subunit",
        "building__local_id",
    )
    list_select_related = ("building", "building__comune")
    list_per_page = 50
    ordering = ("push_id",)
    list_export = ("push_id",)  # exports use the import format (UnitIndexView)
    export_filename = "alloggi"
    panels = [
        ConfirmPanel(),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("staircase"), FieldPanel("floor"), FieldPanel("internal_number")])],
            heading=gettext_lazy("Position in the building"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("cadastral_sheet"), FieldPanel("cadastral_parcel"), FieldPanel("cadastral_subunit")]
                ),
                FieldRowPanel([FieldPanel("cadastral_category"), FieldPanel("cadastral_class"), FieldPanel("rooms")]),
            ],
            heading=gettext_lazy("Cadastre"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("usable_area"), FieldPanel("conventional_area")]),
                FieldRowPanel([FieldPanel("energy_class"), FieldPanel("accessible"), FieldPanel("use")]),
            ],
            heading=gettext_lazy("Characteristics"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldRowPanel([FieldPanel("monthly_rent"), FieldPanel("household_size"), FieldPanel("income_band")]),
                FieldPanel("last_update"),
            ],
            heading=gettext_lazy("Occupancy"),
        ),
    ]
    edit_handler = ObjectList(panels, base_form_class=UnitForm)

    def get_admin_urls_for_registration(self):
        from django.urls import path

        return (
            *super().get_admin_urls_for_registration(),
            path("registry/exports/<str:token>/", export_status, name="registry_export_status"),
            path("registry/exports/<str:token>/download/", export_download, name="registry_export_download"),
        )

    def address(self, obj):
        building = obj.building
        return f"{building.street} {building.street_number}".strip()

    address.short_description = gettext_lazy("address")
    address.admin_order_field = "building__street"

    def comune(self, obj):
        return obj.building.comune.name

    comune.short_description = gettext_lazy("Comune")
    comune.admin_order_field = "building__comune__name"
