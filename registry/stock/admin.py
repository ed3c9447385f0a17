"""Admin screens of the property register: buildings, units, imports and snapshots.

Every screen goes through ScopedModelAdmin (the access rule on the `owner`). Units and
buildings are created by file import or by the API, edited one at a time here, and never
deleted (a sold or demolished unit keeps its history with its status)."""

import datetime
import io
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.admin import SimpleListFilter
from django.contrib.admin.filters import RelatedFieldListFilter
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Length
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail_modeladmin.options import ModelAdminGroup
from wagtail_modeladmin.views import EditView, InspectView

from core.exports import spreadsheet_response
from core.files import private_download
from core.forms import ConfirmPanel, ConfirmUnusualValuesMixin, ItalianNumbersAdminForm, NativeDateInput
from core.numbers import format_italian_decimal
from core.tabular import write_csv, write_xlsx
from registry import access
from registry.models import (
    Building,
    Entity,
    EntityKind,
    ImportJob,
    ImportStatus,
    PropertyChange,
    Province,
    StockSnapshot,
    Unit,
)
from registry.scoped_admin import ItalianExportIndexView, ScopedModelAdmin, ScopedPermissionHelper, ServiceFormView
from registry.stock import services as stock
from registry.stock.spec import EXPORT_HEADERS, IMPORT_HELP, template_rows, unit_export_rows
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
        changes = list(
            PropertyChange.objects.filter(**{self.model._meta.model_name: self.instance})
            .select_related("changed_by", "import_job")
            .order_by("-changed_at", "-id")[: self.history_limit]
        )
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
        visible = access.scope(Building.objects.order_by(), request.user, path="owner")
        return visible.values(self.source_field).distinct()

    def field_choices(self, field, request, model_admin):
        queryset = Entity.objects.filter(kind__in=self.entity_kinds, pk__in=self.present(request)).order_by(
            "kind", "name"
        )
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
        return list(Entity.objects.filter(pk__in=self.present(request)).order_by("name").values_list("pk", "name"))


# --- units --------------------------------------------------------------------------


class UnitForm(ConfirmUnusualValuesMixin, ItalianNumbersAdminForm):
    """The unit's form: Italian numbers, and a confirmation before an unusual rent or area
    (settings PUSH_UNUSUAL_MONTHLY_RENT, PUSH_UNUSUAL_AREA_M2) is saved."""

    unusual_above = {
        "monthly_rent": "PUSH_UNUSUAL_MONTHLY_RENT",
        "usable_area": "PUSH_UNUSUAL_AREA_M2",
        "conventional_area": "PUSH_UNUSUAL_AREA_M2",
    }


class BuildingForm(ItalianNumbersAdminForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Coordinates are pasted from maps with a decimal point (41.1171).
        for name in ("latitude", "longitude"):
            if name in self.fields:
                self.fields[name].dot_decimal = True


def natural_unit_order(descending: bool = False) -> list:
    """Units in the order people expect: by owner, then by the owner's id with numbers in
    numeric order (BA-2 before BA-10), i.e. shorter ids first, then alphabetically."""
    keys = ["owner__code", Length("local_id"), "local_id"]
    if descending:
        return [key.desc() if hasattr(key, "desc") else f"-{key}" for key in keys]
    return keys


class UnitIndexView(ItalianExportIndexView):
    """Unit list whose exports are files in the import format (they re-import unchanged),
    sorted naturally by id, whose edit links bring the officer back to the list as left."""

    def get_ordering(self, request, queryset):
        ordering = []
        for key in super().get_ordering(request, queryset):
            if key in ("push_id", "-push_id"):
                ordering.extend(natural_unit_order(descending=key.startswith("-")))
            else:
                ordering.append(key)
        return ordering

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
        queryset = queryset.select_related("building__comune", "building__manager", "owner").order_by("push_id")
        rows = unit_export_rows(queryset.iterator(chunk_size=2000))
        filename = f"alloggi-{timezone.localdate():%Y%m%d}"
        if spreadsheet_format == self.FORMAT_CSV:
            handle = io.StringIO()
            write_csv(EXPORT_HEADERS, rows, handle)
            response = HttpResponse(handle.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
            return response
        handle = io.BytesIO()
        write_xlsx(EXPORT_HEADERS, rows, handle, sheet_title="Alloggi")
        handle.seek(0)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"{filename}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
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
    list_export = (
        "local_id",
        "owner",
        "manager",
        "comune",
        "street",
        "street_number",
        "postcode",
        "neighbourhood",
        "latitude",
        "longitude",
        "cadastral_section",
        "cadastral_sheet",
        "cadastral_parcel",
        "year_built",
        "last_renovation_year",
        "floors",
        "has_lift",
        "declared_units",
        "financing_programme",
    )
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
        # A correlated subquery, computed only for the rows of the page shown.
        units = (
            Unit.objects.filter(building=OuterRef("pk"))
            .order_by()
            .values("building")
            .annotate(n=Count("*"))
            .values("n")
        )
        return super().get_queryset(request).annotate(unit_total=Subquery(units))

    def unit_count(self, obj):
        return obj.unit_total

    unit_count.short_description = gettext_lazy("units")
    unit_count.admin_order_field = "unit_total"


# --- imports ------------------------------------------------------------------------


class ImportForm(forms.Form):
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner of the units"), queryset=Entity.objects.none())
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=IMPORT_HELP,
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    confirm_moves = forms.BooleanField(
        label=gettext_lazy("Units in this file may move to another Comune"),
        help_text=gettext_lazy(
            "Leave unticked: if the file would move existing units to another Comune, the report lists them and asks you to confirm."
        ),
        required=False,
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        if owners.count() == 1:
            self.fields["owner"].initial = owners.first()


class ImportCreateView(ServiceFormView):
    """The upload screen: the file is stored and queued; the officer lands on its status page."""

    form_class = ImportForm
    template_name = "registry/admin/import_upload.html"

    def form_kwargs(self):
        return {"owners": stock.owners_for_import(self.request.user)}

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(form=form, max_bytes=stock.max_import_bytes(), **kwargs)

    def form_valid(self, form):
        try:
            job = stock.create_import_job(
                owner=form.cleaned_data["owner"],
                uploaded_by=self.request.user,
                uploaded_file=form.cleaned_data["file"],
                confirm_moves=form.cleaned_data["confirm_moves"],
            )
        except ValidationError as error:
            form.add_error("file", error)
            return self.form_invalid(form)
        return redirect(self.url_helper.get_action_url("inspect", job.pk))


class ImportInspectView(InspectView):
    """The status page of an import: progress while running, then the report. A file that
    would move units to another Comune stops with the list of moves and a button that
    confirms them (posted to this same page)."""

    shown_errors = 500

    def get_context_data(self, **kwargs):
        job = self.instance
        pending_moves = stock.pending_moves(job)
        may_write = stock.check_can_write_stock_silently(self.request.user, job.owner)
        return super().get_context_data(
            job=job,
            errors=job.errors[: self.shown_errors],
            more_errors=max(0, len(job.errors) - self.shown_errors),
            can_import_valid=job.status == ImportStatus.INVALID
            and not pending_moves
            and job.error_rows < job.total_rows
            and not any(error[0] in (0, 1) for error in job.errors)
            and may_write,
            pending_moves=len(pending_moves),
            can_confirm_moves=bool(pending_moves) and may_write,
            refresh=not job.is_finished,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") != "confirm_moves":
            raise Http404
        try:
            stock.confirm_import_moves(job=self.instance, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(self.url_helper.get_action_url("inspect", self.instance.pk))


class ImportPermissionHelper(ScopedPermissionHelper):
    editable = False
    deletable = False

    def user_can_create(self, user):
        return user.has_perm("registry.add_importjob") and stock.owners_for_import(user).exists()


class ImportJobAdmin(ScopedModelAdmin):
    model = ImportJob
    menu_label = gettext_lazy("Imports")
    menu_icon = "upload"
    entity_path = "owner"
    permission_helper_class = ImportPermissionHelper
    create_view_class = ImportCreateView
    inspect_view_class = ImportInspectView
    inspect_template_name = "registry/admin/import_status.html"
    list_display = (
        "created_at",
        "original_name",
        "owner",
        "uploaded_by",
        "status",
        "total_rows",
        "error_rows",
        "created_units",
        "updated_units",
    )
    list_filter = ("status", "owner")
    list_select_related = ("owner", "uploaded_by")
    list_per_page = 50
    history_view_enabled = False


# --- snapshots ----------------------------------------------------------------------


class SnapshotForm(forms.Form):
    reference_date = forms.DateField(
        label=gettext_lazy("Reference date"),
        help_text=gettext_lazy("Usually 31 December of the year just ended."),
        widget=NativeDateInput(),
    )


class SnapshotCreateView(ServiceFormView):
    form_class = SnapshotForm
    template_name = "registry/admin/snapshot_take.html"

    def form_kwargs(self):
        today = timezone.localdate()
        return {"initial": {"reference_date": today.replace(year=today.year - 1, month=12, day=31)}}

    def form_valid(self, form):
        try:
            snapshot = stock.take_snapshot(
                reference_date=form.cleaned_data["reference_date"], taken_by=self.request.user
            )
        except ValidationError as error:
            form.add_error("reference_date", error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(snapshot)s taken: %(units)d units.") % {"snapshot": snapshot, "units": snapshot.unit_count},
        )
        return redirect(self.url_helper.get_action_url("inspect", snapshot.pk))


class SnapshotInspectView(InspectView):
    def get_context_data(self, **kwargs):
        dimension = self.request.GET.get("by", "status")
        if dimension not in ("status", "owner", "comune"):
            dimension = "status"
        snapshot = self.instance
        previous = (
            StockSnapshot.objects.filter(reference_date__lt=snapshot.reference_date).order_by("-reference_date").first()
        )
        regional = access.is_regional(self.request.user)
        own_units = None
        if not regional:
            own_units = (
                access.scope(snapshot.cells.all(), self.request.user, path="owner").aggregate(n=Sum("units"))["n"] or 0
            )
        return super().get_context_data(
            regional=regional,
            own_units=own_units,
            dimension=dimension,
            versus_today=stock.compare_with_today(snapshot, dimension, self.request.user),
            previous=previous,
            versus_previous=stock.compare_snapshots(previous, snapshot, dimension, self.request.user)
            if previous
            else None,
            **kwargs,
        )


class SnapshotPermissionHelper(ScopedPermissionHelper):
    # Snapshots belong to the whole region; their figures are filtered by the access rule.
    def user_can_inspect_obj(self, user, obj):
        return self.user_can_list(user)

    editable = False
    deletable = False

    def user_can_create(self, user):
        return access.is_regional(user) and user.has_perm("registry.take_stocksnapshot")


class SnapshotAdmin(ScopedModelAdmin):
    model = StockSnapshot
    menu_label = gettext_lazy("Yearly snapshots")
    menu_icon = "date"
    public_register = True  # the list of dates is not confidential; the figures are scoped
    entity_path = "cells__owner"
    permission_helper_class = SnapshotPermissionHelper
    create_view_class = SnapshotCreateView
    inspect_view_class = SnapshotInspectView
    inspect_template_name = "registry/admin/snapshot_inspect.html"
    list_display = ("reference_date", "taken_at", "taken_by", "unit_count", "building_count")
    list_select_related = ("taken_by",)
    history_view_enabled = False

    def get_list_display(self, request):
        # Regional totals only for the Region; owners read their own figures inside.
        if access.is_regional(request.user):
            return self.list_display
        return ("reference_date", "taken_at")


class PropertyRegisterGroup(ModelAdminGroup):
    menu_label = gettext_lazy("Property register")
    menu_icon = "home"
    menu_order = 210
    items = (UnitAdmin, BuildingAdmin, ImportJobAdmin, SnapshotAdmin)


# --- plain views ----------------------------------------------------------------------


def import_template(request, file_format):
    """The template file: the expected headers and one example row."""
    if not request.user.has_perm("registry.view_unit"):
        raise PermissionDenied
    headers, rows = template_rows()
    if file_format == "csv":
        handle = io.StringIO()
        write_csv(headers, rows, handle)
        response = HttpResponse(handle.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="modello-alloggi.csv"'
        return response
    if file_format == "xlsx":
        handle = io.BytesIO()
        write_xlsx(headers, rows, handle, sheet_title="Alloggi")
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename="modello-alloggi.xlsx")
    raise Http404


def _visible_job(request, pk) -> ImportJob:
    if not request.user.has_perm("registry.view_importjob"):
        raise Http404
    return get_object_or_404(access.scope(ImportJob.objects.select_related("owner"), request.user, path="owner"), pk=pk)


def import_report(request, pk):
    """The error report of an import as a CSV a clerk can open in Excel."""
    job = _visible_job(request, pk)
    return spreadsheet_response(
        request,
        [_("Row"), _("Column"), _("Value"), _("Problem")],
        (error[:4] for error in job.errors),
        filename=f"errori-importazione-{job.pk}",
        file_format="csv",
        source=f"registry.importjob:{job.pk}",
    )


def import_file_download(request, pk):
    job = _visible_job(request, pk)
    return private_download(job.file, job.original_name, request=request, instance=job, kind="import_file")


@require_POST
def import_valid_rows(request, pk):
    job = _visible_job(request, pk)
    try:
        stock.import_only_valid_rows(job=job, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("registry_importjob_modeladmin_inspect", args=[job.pk]))


def progress(request, pk):
    """The status of an import, as JSON, for the status page to poll."""
    from django.http import JsonResponse

    job = _visible_job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "percent": job.progress_percent,
            "processed_rows": job.processed_rows,
            "total_rows": job.total_rows,
            "finished": job.is_finished,
        }
    )


# --- exports written in the background (registry.stock) ----------------------------------


def export_status(request, token):
    """The status page of a long export: refreshes itself until the file is ready, then
    offers it. Only the person who asked sees it (404 for anybody else)."""
    from django.template.response import TemplateResponse

    job = stock.export_job_for(token, request.user)
    if job is None:
        raise Http404
    finished = job["state"] in (stock.ExportState.READY, stock.ExportState.FAILED)
    return TemplateResponse(
        request,
        "registry/admin/export_status.html",
        {
            "job": job,
            "token": token,
            "ready": job["state"] == stock.ExportState.READY,
            "failed": job["state"] == stock.ExportState.FAILED,
            "refresh": not finished,
            "index_url": reverse("registry_unit_modeladmin_index"),
        },
    )


def export_download(request, token):
    from core.files import private_storage

    job = stock.export_job_for(token, request.user)
    if job is None or job["state"] != stock.ExportState.READY:
        raise Http404
    return private_download(
        private_storage().open(job["file"], "rb"),
        job["filename"],
        request=request,
        instance=request.user,
        kind="register_export",
    )
