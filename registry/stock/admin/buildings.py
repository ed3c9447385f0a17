"""The building list and the building's admin."""

from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList

from registry.models import (
    Building,
)
from registry.scoped_admin import ScopedModelAdmin
from registry.stock import selectors
from registry.stock.admin.common import (
    ComuneSelectFilter,
    HistoryInspectView,
    ManagerSelectFilter,
    NoCreateNoDeletePermissionHelper,
    OwnerSelectFilter,
    ProvinceFilter,
    RecordingEditView,
)
from registry.stock.admin.forms import BuildingForm
from registry.stock.spec import BUILDING_RECORD_FIELDS

# --- buildings ----------------------------------------------------------------------


class BuildingAdmin(ScopedModelAdmin):
    model = Building
    menu_label = gettext_lazy("Buildings")
    menu_icon = "table"
    entity_path = "owner"
    permission_helper_class = NoCreateNoDeletePermissionHelper
    edit_view_class = RecordingEditView
    inspect_view_class = HistoryInspectView
    inspect_template_name = "registry/admin/building_inspect.html"
    list_display = ("local_id", "street", "street_number", "comune", "owner", "manager", "unit_count")
    list_filter = (
        ProvinceFilter,
        ("comune", ComuneSelectFilter),
        ("owner", OwnerSelectFilter),
        ("manager", ManagerSelectFilter),
        "has_lift",
    )
    search_fields = ("local_id", "street", "cadastral_sheet", "cadastral_parcel", "neighbourhood")
    list_select_related = ("comune", "owner", "manager")
    list_per_page = 50
    ordering = ("owner__code", "local_id")
    # The building's own fields in the order of the units file (registry.stock.spec).
    list_export = ("local_id", "owner", "manager", "comune", *BUILDING_RECORD_FIELDS)
    export_filename = "fabbricati"
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("manager"),
                FieldRowPanel([FieldPanel("street"), FieldPanel("street_number"), FieldPanel("postcode")]),
                FieldRowPanel([FieldPanel("neighbourhood"), FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            heading=gettext_lazy("Location and management"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("cadastral_section"), FieldPanel("cadastral_sheet"), FieldPanel("cadastral_parcel")]
                )
            ],
            heading=gettext_lazy("Cadastre"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("year_built"), FieldPanel("last_renovation_year"), FieldPanel("floors")]),
                FieldRowPanel([FieldPanel("has_lift"), FieldPanel("declared_units")]),
                FieldPanel("financing_programme"),
            ],
            heading=gettext_lazy("Characteristics"),
        ),
    ]
    edit_handler = ObjectList(panels, base_form_class=BuildingForm)

    def get_queryset(self, request):
        return selectors.with_unit_count(super().get_queryset(request))

    def unit_count(self, obj):
        return obj.unit_total

    unit_count.short_description = gettext_lazy("units")
    unit_count.admin_order_field = "unit_total"
