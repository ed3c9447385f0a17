"""Pieces shared by the register's admin screens: list filters, the way back to the list
after an edit, the edit view that records history, and the inspect view that shows it."""

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.admin import SimpleListFilter
from django.contrib.admin.filters import RelatedFieldListFilter
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail_modeladmin.views import EditView, InspectView

from core.numbers import format_italian_decimal
from registry.models import (
    Building,
    EntityKind,
    Province,
)
from registry.scoped_admin import ScopedPermissionHelper
from registry.stock import selectors
from registry.stock import services as stock
from registry.territory import check_building_in_territory

# --- shared pieces ------------------------------------------------------------------


class ProvinceFilter(SimpleListFilter):
    title = gettext_lazy("province")
    parameter_name = "province"
    comune_path = "comune__province"

    def lookups(self, request, model_admin):
        return Province.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.comune_path: self.value()})
        return queryset


class UnitProvinceFilter(ProvinceFilter):
    comune_path = "building__comune__province"


class NoCreateNoDeletePermissionHelper(ScopedPermissionHelper):
    """Stock is created by import or API and never deleted."""

    creatable = False
    deletable = False


# The list the officer came from, carried through the edit form so that saving returns to
# it with its filters, search, ordering and page.
RETURN_PARAMETER = "next"


def list_return_url(request, index_url: str) -> str | None:
    """The `next` list address of the request, if it is this admin's own list."""
    target = request.POST.get(RETURN_PARAMETER) or request.GET.get(RETURN_PARAMETER)
    if not target or not (target == index_url or target.startswith(index_url + "?")):
        return None
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return None
    return target


def with_return(url: str, return_to: str | None) -> str:
    return f"{url}?{urlencode({RETURN_PARAMETER: return_to})}" if return_to else url


class RecordingEditView(EditView):
    """Edit view that writes the changed fields to the register's history, and keeps a
    building in its owner's territory (registry.territory), whatever the form posts.
    Saving returns to the list as the officer left it (`next`)."""

    def dispatch(self, request, *args, **kwargs):
        self.before = stock.snapshot_of(self.instance)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def return_to(self):
        return list_return_url(self.request, self.index_url)

    @cached_property
    def edit_url(self):
        # The form posts back to this address: keep the way back to the list in it.
        return with_return(super().edit_url, self.return_to)

    def get_success_url(self):
        return self.return_to or self.index_url

    def form_valid(self, form):
        building = form.instance if isinstance(form.instance, Building) else None
        if building is not None and building.comune_id:
            problem = check_building_in_territory(building.owner, building.comune)
            if problem:
                form.add_error("comune" if "comune" in form.fields else None, problem)
                return self.form_invalid(form)
        response = super().form_valid(form)
        stock.record_admin_change(instance=self.instance, before=self.before, user=self.request.user)
        return response


def readable_value(field, value):
    """A stored value (a model attribute, or its JSON form in the history) as an Italian
    reader expects it: choice labels, Sì/No, 1.234,56, dd/mm/yyyy."""
    if value is None or value == "":
        return "—"
    if field is None:
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, models.DecimalField):
        try:
            return format_italian_decimal(Decimal(str(value)), field.decimal_places)
        except InvalidOperation:
            return value
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        try:
            return datetime.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return value


def readable_changes(model, changes: dict) -> list:
    """A history entry's {field: [old, new]} as (field label, old, new) for people."""
    rows = []
    for name, (old, new) in changes.items():
        try:
            field = model._meta.get_field(name)
            label = field.verbose_name
        except FieldDoesNotExist:
            field, label = None, name
        rows.append((label, readable_value(field, old), readable_value(field, new)))
    return rows


class HistoryInspectView(InspectView):
    """Inspect view showing the record's recent history under its fields, with values
    written as people read them (labels, Sì/No, Italian numbers and dates)."""

    history_limit = 50

    def get_field_display_value(self, field_name, field=None):
        if field is not None and not field.choices and not field.is_relation:
            return readable_value(field, getattr(self.instance, field_name))
        return super().get_field_display_value(field_name, field)

    def get_context_data(self, **kwargs):
        changes = selectors.recent_changes(self.instance, self.history_limit)
        for change in changes:
            change.readable = readable_changes(self.model, change.changes)
        return super().get_context_data(changes=changes, **kwargs)


class SelectRelatedFilter(RelatedFieldListFilter):
    """A related-object filter shown as a drop-down with a button, not as hundreds of
    links: the Comuni and the entities are too many for a list, and a select is lighter to
    render and to use with a keyboard."""

    template = "registry/admin/select_filter.html"
    entity_kinds = (EntityKind.ARCA, EntityKind.COMUNE)

    def __init__(self, field, request, params, model, model_admin, field_path):
        # The drop-down's "All" submits the parameter empty: that is no filter at all, not a
        # lookup of an empty id (which the list would refuse as a bad request).
        own_kwarg = f"{field_path}__{field.target_field.name}__exact"
        if params.get(own_kwarg) == [""]:
            del params[own_kwarg]
        super().__init__(field, request, params, model, model_admin, field_path)
        own = set(self.expected_parameters()) | {"p", "export"}
        self.other_params = [(key, value) for key, values in request.GET.lists() if key not in own for value in values]
        selected = {str(value) for value in (self.lookup_val or [])}
        self.options = [(pk, label, str(pk) in selected) for pk, label in self.lookup_choices]

    # Only entities that actually appear in the column of the buildings the person may see:
    # a handful of owners and managers rather than every Comune of the region, and nothing
    # learnt about other owners' stock (where they have buildings, who manages them).
    source_field = None

    def present(self, request):
        return selectors.entities_in_visible_buildings(request.user, self.source_field, self.entity_kinds)

    def field_choices(self, field, request, model_admin):
        queryset = self.present(request).order_by("kind", "name")
        return [(pk, f"{name} ({code})") for pk, name, code in queryset.values_list("pk", "name", "code")]

    def has_output(self):
        return True


class OwnerSelectFilter(SelectRelatedFilter):
    source_field = "owner"


class ManagerSelectFilter(SelectRelatedFilter):
    source_field = "manager"


class ComuneSelectFilter(SelectRelatedFilter):
    entity_kinds = (EntityKind.COMUNE,)
    source_field = "comune"

    def field_choices(self, field, request, model_admin):
        return list(self.present(request).order_by("name").values_list("pk", "name"))
