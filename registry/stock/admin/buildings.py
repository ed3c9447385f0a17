"""The building list, the building's admin (with its placing on the map: coordinates checked
against the Comune's boundary, or found from the address where a geocoder is configured) and
the map of the buildings (registry.stock.admin.map)."""

from django import forms
from django.contrib.admin import SimpleListFilter
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList

from registry.geo import coordinates_problem, geocoder
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
from registry.stock.admin.map import BuildingMapImageView, BuildingMapView
from registry.stock.spec import BUILDING_RECORD_FIELDS

# --- buildings ----------------------------------------------------------------------


class CoordinatesFilter(SimpleListFilter):
    """Buildings with or without coordinates: the ones the map draws, and those to place."""

    title = gettext_lazy("coordinates")
    parameter_name = "coordinates"

    def lookups(self, request, model_admin):
        return (("yes", _("With coordinates")), ("no", _("Without coordinates")))

    def queryset(self, request, queryset):
        placed = {"latitude__isnull": False, "longitude__isnull": False}
        if self.value() == "yes":
            return queryset.filter(**placed)
        if self.value() == "no":
            return queryset.exclude(**placed)
        return queryset


class PlacedBuildingForm(BuildingForm):
    """The building's form, whose coordinates must lie in the building's Comune
    (registry.geo.coordinates_problem, the rule the units file and the API apply too), and
    which can place a building without coordinates from its address where a geocoder is
    configured (PUSH_GEOCODER_URL)."""

    place_from_address = forms.BooleanField(
        label=gettext_lazy("Find the coordinates from the address"),
        help_text=gettext_lazy(
            "Leave latitude and longitude empty and tick this: the address is looked up and the point must fall in the building's Comune."
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        placed = self.instance.latitude is not None and self.instance.longitude is not None
        if "place_from_address" in self.fields and (placed or not geocoder.is_configured()):
            del self.fields["place_from_address"]

    def clean(self):
        cleaned = super().clean()
        if "latitude" not in self.fields or "longitude" not in self.fields:
            return cleaned
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if self.errors.get("latitude") or self.errors.get("longitude"):
            return cleaned
        building = self.instance
        if latitude is None and longitude is None and cleaned.get("place_from_address"):
            # The address as submitted: it may be corrected in the same save.
            address = {
                name: cleaned.get(name, getattr(building, name)) or ""
                for name in ("street", "street_number", "postcode")
            }
            try:
                found = geocoder.place(
                    **address,
                    comune_code=building.comune.code,
                    comune_name=building.comune.name,
                )
            except geocoder.GeocodingError as error:
                self.add_error("place_from_address", error.message)
                return cleaned
            cleaned["latitude"], cleaned["longitude"] = found.latitude, found.longitude
            return cleaned
        if (latitude is None) != (longitude is None):
            missing = "latitude" if latitude is None else "longitude"
            self.add_error(missing, _("Enter both latitude and longitude, or neither."))
            return cleaned
        if latitude is not None and building.comune_id:
            problem = coordinates_problem(building.comune.code, latitude, longitude)
            if problem:
                self.add_error("latitude", problem)
        return cleaned


class BuildingAdmin(ScopedModelAdmin):
    model = Building
    menu_label = gettext_lazy("Buildings")
    menu_icon = "table"
    entity_path = "owner"
    permission_helper_class = NoCreateNoDeletePermissionHelper
    edit_view_class = RecordingEditView
    inspect_view_class = HistoryInspectView
    inspect_template_name = "registry/admin/building_inspect.html"
    index_template_name = "registry/admin/building_index.html"
    list_display = ("local_id", "street", "street_number", "comune", "owner", "manager", "unit_count")
    list_filter = (
        ProvinceFilter,
        ("comune", ComuneSelectFilter),
        ("owner", OwnerSelectFilter),
        ("manager", ManagerSelectFilter),
        "has_lift",
        CoordinatesFilter,
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
                FieldPanel("place_from_address"),
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
    edit_handler = ObjectList(panels, base_form_class=PlacedBuildingForm)

    def get_queryset(self, request):
        return selectors.with_unit_count(super().get_queryset(request))

    def get_admin_urls_for_registration(self):
        # The map takes the list's filters and answers the list's refusals (BuildingMapView).
        return (
            *super().get_admin_urls_for_registration(),
            path("registry/map/", BuildingMapView.as_view(model_admin=self), name="registry_building_map"),
            path(
                "registry/map/image.png",
                BuildingMapImageView.as_view(model_admin=self),
                name="registry_building_map_image",
            ),
        )

    def unit_count(self, obj):
        return obj.unit_total

    unit_count.short_description = gettext_lazy("units")
    unit_count.admin_order_field = "unit_total"
