"""wagtail-modeladmin classes that apply the access rule (registry.access) everywhere.

A modeladmin screen shows an object through several views: index (and its CSV/XLSX export),
inspect, edit, delete and history. Out of the box only the index goes through
`ModelAdmin.get_queryset`; the instance views look the object up with the model's default
manager, and the history view checks no permission at all. So scoping the list is not
enough: `ScopedModelAdmin` checks the object against the scoped queryset in every instance
view (404 for rows the user may not reach, so their existence is not revealed) and its
`ScopedPermissionHelper` repeats the rule for the buttons and as a second lock.
"""

import csv
import datetime
from decimal import Decimal

from django.contrib.admin.utils import label_for_field, unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import InvalidPage
from django.http import Http404, StreamingHttpResponse
from django.utils.encoding import force_str
from django.utils.text import capfirst
from wagtail.admin.paginator import WagtailPaginator
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import CreateView, IndexView, WMABaseView

from . import access

# Cells that spreadsheet programs would run as formulas (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value):
        return value


def spreadsheet_safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def italian_csv_value(value):
    """Format a value the way Excel in Italy reads it back: decimal comma, dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sì" if value else "no"
    if isinstance(value, (Decimal, float)):
        return str(value).replace(".", ",")
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return spreadsheet_safe(str(value))


class _CountedPaginator(WagtailPaginator):
    """A paginator told the count it would otherwise query again."""

    def __init__(self, *args, count, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__["count"] = count


class ItalianExportIndexView(IndexView):
    """Index view whose exports read well in Italian offices: choice labels instead of
    codes, CSV with a BOM and ';' separators (what Excel in Italy expects), no formulas.

    It also counts the rows once: modeladmin counts the whole list, the filtered list and
    the page's list separately, three COUNTs over what may be hundreds of thousands of rows."""

    def get_context_data(self, **kwargs):
        queryset = self.queryset
        result_count = queryset.count()
        narrowed = bool(self.query) or any(key not in self.IGNORED_PARAMS for key in self.params)
        all_count = self.get_base_queryset().count() if narrowed else result_count
        paginator = _CountedPaginator(queryset, self.items_per_page, count=result_count)
        try:
            page_obj = paginator.page(self.page_num)
        except InvalidPage:
            page_obj = paginator.page(1)
        context = {
            "view": self,
            "all_count": all_count,
            "result_count": result_count,
            "paginator": paginator,
            "page_obj": page_obj,
            "elided_page_range": paginator.get_elided_page_range(self.page_num),
            "object_list": page_obj.object_list,
            "user_can_create": self.permission_helper.user_can_create(self.request.user),
            "show_search": self.search_handler.show_search_form,
        }
        context.update(kwargs)
        return WMABaseView.get_context_data(self, **context)

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        for field_name in self.list_export:
            try:
                field = self.model._meta.get_field(field_name)
            except FieldDoesNotExist:
                continue
            if getattr(field, "choices", None):
                row[field_name] = getattr(item, f"get_{field_name}_display")()
            elif row[field_name] == self.model_admin.get_empty_value_display(field_name):
                row[field_name] = ""
        return row

    def get_heading(self, queryset, field):
        # modeladmin title-cases headings ("Stato Di Accreditamento"); Italian does not.
        heading = self.export_headings.get(field)
        if heading:
            return force_str(heading)
        return capfirst(force_str(label_for_field(field, model=self.model, model_admin=self.model_admin)))

    def stream_csv(self, queryset):
        writer = csv.writer(_Echo(), delimiter=";", quoting=csv.QUOTE_MINIMAL)
        yield "\ufeff" + writer.writerow([self.get_heading(queryset, field) for field in self.list_export])
        for item in queryset.iterator(chunk_size=2000) if hasattr(queryset, "iterator") else queryset:
            row = self.to_row_dict(item)
            yield writer.writerow([italian_csv_value(row[field]) for field in self.list_export])

    def write_csv_response(self, queryset):
        response = StreamingHttpResponse(self.stream_csv(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.get_filename()}.csv"'
        return response

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        safe = {field: spreadsheet_safe(value) for field, value in row_dict.items()}
        return super().generate_xlsx_row(worksheet, safe, date_format=date_format)


class ScopedPermissionHelper(PermissionHelper):
    """Model permissions (what kind of action) combined with the access rule (on which rows)."""

    entity_path = "entity"
    include_covered = False
    # False where rows come into being, change or go away only through services (imports,
    # public forms, state transitions) and never through the admin's generic forms.
    creatable = True
    editable = True
    deletable = True

    def _entity_id(self, obj):
        return access.entity_id_of(obj, self.entity_path)

    def user_can_create(self, user):
        return self.creatable and super().user_can_create(user)

    def user_can_inspect_obj(self, user, obj):
        return super().user_can_inspect_obj(user, obj) and access.can_view(
            user, self._entity_id(obj), include_covered=self.include_covered
        )

    def user_can_edit_obj(self, user, obj):
        return self.editable and super().user_can_edit_obj(user, obj) and access.can_edit(user, self._entity_id(obj))

    def user_can_delete_obj(self, user, obj):
        return self.deletable and super().user_can_delete_obj(user, obj) and access.can_edit(user, self._entity_id(obj))

    def user_can_copy_obj(self, user, obj):
        return self.user_can_create(user) and self.user_can_inspect_obj(user, obj)


class PublicRegisterPermissionHelper(ScopedPermissionHelper):
    """For registers every signed-in member may read (the list of entities): inspecting
    needs only the view permission; changing still needs the row to be one's own."""

    def user_can_inspect_obj(self, user, obj):
        return PermissionHelper.user_can_inspect_obj(self, user, obj)


class ScopedModelAdmin(ModelAdmin):
    """ModelAdmin whose every view applies the access rule.

    entity_path: ORM path from the model to its owning Entity ("" for Entity itself).
    public_register: when True, the list and inspect views show all rows to anyone with
    the view permission; edit, delete and history stay limited to the user's own rows.
    """

    entity_path = "entity"
    include_covered = False
    public_register = False
    index_view_class = ItalianExportIndexView
    inspect_view_enabled = True

    def __init__(self, parent=None):
        super().__init__(parent)
        self.permission_helper.entity_path = self.entity_path
        self.permission_helper.include_covered = self.include_covered

    def get_permission_helper_class(self):
        if self.permission_helper_class:
            return self.permission_helper_class
        return PublicRegisterPermissionHelper if self.public_register else ScopedPermissionHelper

    # Querysets ------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.public_register:
            return queryset
        return self.get_private_queryset(request, queryset)

    def get_private_queryset(self, request, queryset=None):
        queryset = super().get_queryset(request) if queryset is None else queryset
        return access.scope(queryset, request.user, path=self.entity_path, include_covered=self.include_covered)

    def get_editable_queryset(self, request):
        return access.scope(super().get_queryset(request), request.user, path=self.entity_path, for_edit=True)

    # Instance views -------------------------------------------------------------------

    def inspect_view(self, request, instance_pk):
        self._guard(request, self.get_queryset(request), instance_pk)
        return super().inspect_view(request, instance_pk)

    def edit_view(self, request, instance_pk):
        self._guard(request, self.get_editable_queryset(request), instance_pk)
        return super().edit_view(request, instance_pk)

    def delete_view(self, request, instance_pk):
        self._guard(request, self.get_editable_queryset(request), instance_pk)
        return super().delete_view(request, instance_pk)

    def history_view(self, request, instance_pk):
        # The history names who changed what: it is private even in a public register.
        self._guard(request, self.get_private_queryset(request), instance_pk)
        if not self.permission_helper.user_can_list(request.user):
            raise PermissionDenied
        return super().history_view(request, instance_pk)

    def _guard(self, request, queryset, instance_pk):
        if not request.user.is_authenticated:
            # Let the view's login_required redirect to the sign-in page.
            return
        try:
            found = queryset.filter(pk=unquote(instance_pk)).exists()
        except (ValueError, ValidationError):
            found = False
        if not found:
            raise Http404


class ServiceFormView(CreateView):
    """A modeladmin "create" screen that is a plain form whose `form_valid` calls a service
    (upload a file, take a snapshot, open a submission) instead of saving a model form.

    Subclasses set `form_class` and `template_name`, may add `form_kwargs()`, and implement
    `form_valid`."""

    form_class = None
    template_name = None

    def get_form_class(self):
        return self.form_class

    def form_kwargs(self):
        return {}

    def get_form_kwargs(self):
        kwargs = self.form_kwargs()
        if self.request.method == "POST":
            kwargs.update(data=self.request.POST, files=self.request.FILES)
        return kwargs

    def get_context_data(self, form=None, **kwargs):
        return {"view": self, "model_admin": self.model_admin, "form": form or self.get_form(), **kwargs}

    def get_template_names(self):
        return [self.template_name]

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form))
