"""wagtail-modeladmin classes that apply the access rule (registry.access) everywhere.

A modeladmin screen shows an object through several views: index (and its CSV/XLSX export),
inspect, edit, delete and history. Out of the box only the index goes through
`ModelAdmin.get_queryset`; the instance views look the object up with the model's default
manager, and the history view checks no permission at all. So scoping the list is not
enough: `GuardedModelAdmin` checks the object against the admin's own querysets in every
instance view (404 for rows the user may not reach, so their existence is not revealed),
`ScopedModelAdmin` makes those querysets the access rule's, and its `ScopedPermissionHelper`
repeats the rule for the buttons and as a second lock.

The index view has a hole of its own: modeladmin turns every query parameter that no declared
filter claims into an ORM lookup (`?memberships__user__password__startswith=a` follows
relations out of the visible rows: a yes/no oracle on anything they reach).
`ItalianExportIndexView` answers 400 to any such parameter before the queryset is built;
every modeladmin of the project uses it (tests/security/test_admin_list_params.py checks).
"""

import datetime
import logging
from decimal import Decimal

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import label_for_field, unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import InvalidPage
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.encoding import force_str
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from wagtail.admin.paginator import WagtailPaginator
from wagtail.log_actions import log
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import CreateView, EditView, IndexView, WMABaseView

from core.exports import log_export, streaming_csv_response
from core.tabular import neutralise_formula

from . import access
from .stock.selectors import RowCount

security_log = logging.getLogger("push.security")


class _CountedPaginator(WagtailPaginator):
    """A paginator told the count it would otherwise query again (a RowCount: exact, an
    estimate or "more than"); its label says which ("about 1,000,000 units"), numbers
    written as the language writes them."""

    def __init__(self, *args, count: RowCount, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_count = count
        # "More than 50,000": one page past the limit, so that the next link is offered.
        self.__dict__["count"] = count.value + 1 if count.more_than else count.value

    @cached_property
    def items_count_label(self):
        return count_label(self.row_count, self.verbose_name, self.verbose_name_plural)


def count_label(count: RowCount, singular, plural) -> str:
    """ "1 unit", "12.345 units", "about 1.000.000 units", "more than 50.000 units". An
    estimate is rounded to three significant digits, so that it does not look more precise
    than it is."""
    value = count.value
    if count.estimated:
        rounded = round(value, 2 - len(str(value))) if value >= 1000 else value
        return _("about %(count)s %(name)s") % {"count": number_format(rounded, force_grouping=True), "name": plural}
    if count.more_than:
        return _("more than %(count)s %(name)s") % {"count": number_format(value, force_grouping=True), "name": plural}
    if value == 1:
        return f"1 {singular}"
    return f"{number_format(value, force_grouping=True)} {plural}"


class UndeclaredListParameters(Exception):
    """Query parameters that no declared list filter reads."""

    def __init__(self, names):
        super().__init__(names)
        self.names = names


class ItalianExportIndexView(IndexView):
    """The index view of every modeladmin in PUSH.

    - It accepts only the query parameters it documents: those of the declared list filters
      (each filter's `expected_parameters()`) and its own (`VIEW_PARAMETERS`: search, ordering,
      page, export). Anything else is answered 400 and logged, and never reaches the queryset.
    - Every CSV/XLSX export is written to the audit log: who, which list, which filters, how
      many rows.
    - Exports read well in Italian offices: choice labels instead of codes, CSV with a BOM and
      ';' separators (what Excel in Italy expects), no formulas.
    - It counts the rows once: modeladmin counts the whole list, the filtered list and the
      page's list separately, three COUNTs over what may be hundreds of thousands of rows."""

    # Search, ordering (and modeladmin's ordering type), page, export and the error flag
    # that modeladmin itself strips: the parameters the view reads besides its filters'.
    VIEW_PARAMETERS = frozenset(
        {
            IndexView.SEARCH_VAR,
            IndexView.ORDER_VAR,
            IndexView.ORDER_TYPE_VAR,
            IndexView.PAGE_VAR,
            IndexView.EXPORT_VAR,
            IndexView.ERROR_FLAG,
        }
    )
    bad_parameters_template_name = "registry/admin/bad_list_parameters.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            response = super().dispatch(request, *args, **kwargs)
        except UndeclaredListParameters as refused:
            return self.refuse_parameters(request, refused.names)
        except IncorrectLookupParameters:
            # A declared filter given a value of the wrong type (?owner__id__exact=abc).
            return self.refuse_parameters(request, ())
        if getattr(self, "export", None) in self.FORMATS and response.status_code == 200:
            audit_export(self, request)
        return response

    def get_filters_params(self, params=None):
        # Kept so that get_filters can tell what is left: while modeladmin builds the declared
        # filters, each takes its expected_parameters() out of this dict.
        self.unclaimed_params = super().get_filters_params(params)
        return self.unclaimed_params

    def get_filters(self, request):
        # Called first thing by get_queryset, before any queryset exists.
        try:
            result = super().get_filters(request)
        except IncorrectLookupParameters:
            result = None
        undeclared = sorted(set(self.unclaimed_params) - self.VIEW_PARAMETERS)
        if undeclared:
            raise UndeclaredListParameters(undeclared)
        if result is None:
            raise IncorrectLookupParameters
        return result

    def refuse_parameters(self, request, names):
        # Only the parameters' names: their values may be somebody's secret being guessed.
        security_log.warning(
            "Refused list parameters %s on %s for user %s",
            [name[:80] for name in names[:10]],
            self.opts.label,
            request.user.pk,
        )
        return TemplateResponse(
            request,
            self.bad_parameters_template_name,
            {"view": self, "names": names[:10], "index_url": self.index_url},
            status=400,
        )

    def count_rows(self, queryset) -> RowCount:
        """How many rows `queryset` has. Exact here; a list that may hold a million rows
        answers with an estimate for the Region's large lists (UnitIndexView)."""
        return RowCount(queryset.count())

    def get_context_data(self, **kwargs):
        queryset = self.queryset
        result = self.count_rows(queryset)
        narrowed = bool(self.query) or any(key not in self.IGNORED_PARAMS for key in self.params)
        everything = self.count_rows(self.get_base_queryset()) if narrowed else result
        paginator = _CountedPaginator(queryset, self.items_per_page, count=result)
        try:
            page_obj = paginator.page(self.page_num)
        except InvalidPage:
            page_obj = paginator.page(1)
        context = {
            "view": self,
            "all_count": everything.value,
            "result_count": result.value,
            "count_estimated": not (result.exact and everything.exact),
            "result_count_label": paginator.items_count_label,
            "all_count_label": count_label(everything, self.opts.verbose_name, self.opts.verbose_name_plural),
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

    def export_rows(self, queryset):
        for item in queryset.iterator(chunk_size=2000) if hasattr(queryset, "iterator") else queryset:
            row = self.to_row_dict(item)
            yield [row[field] for field in self.list_export]

    def write_csv_response(self, queryset):
        # Streamed (the list may hold hundreds of thousands of rows), in core.exports' one
        # Italian CSV format; dispatch() writes the audit entry.
        headings = [self.get_heading(queryset, field) for field in self.list_export]
        return streaming_csv_response(headings, self.export_rows(queryset), filename=self.get_filename())

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        safe = {field: neutralise_formula(value) for field, value in row_dict.items()}
        return super().generate_xlsx_row(worksheet, safe, date_format=date_format)


def audit_export(view, request) -> None:
    """Write an export of an admin list to the audit log (core.exports.log_export): the list,
    its filters and search, the format and how many rows left the system."""
    filters = {key: values for key, values in request.GET.lists() if key not in (view.EXPORT_VAR, view.PAGE_VAR)}
    log_export(request, source=view.opts.label, file_format=view.export, rows=view.queryset.count(), filters=filters)


def changed_values(form) -> dict:
    """The fields a model form changed, as {name: [old, new]} in stored (JSON-able) form –
    the shape of every "wagtail.edit" entry and of the register's history."""
    changes = {}
    for name in form.changed_data:
        try:
            field = form.instance._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        old, new = form.initial.get(name), field.value_from_object(form.instance)
        if old != new:
            changes[name] = [_json_value(old), _json_value(new)]
    return changes


def _json_value(value):
    if isinstance(value, (datetime.date, datetime.datetime, Decimal)):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


class AuditedEditView(EditView):
    """Edit view whose audit entry says which fields changed, from what to what."""

    def form_valid(self, form):
        changes = changed_values(form)
        response = super(EditView, self).form_valid(form)  # saves; modeladmin's own log line has no values
        log(instance=self.instance, action="wagtail.edit", data={"changes": changes}, content_changed=bool(changes))
        return response


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


class GuardedModelAdmin(ModelAdmin):
    """ModelAdmin whose instance views find their object only in the admin's own querysets:
    inspect in `get_queryset`, edit and delete in `get_editable_queryset`, history in
    `get_history_queryset` (and only with the list permission, which modeladmin never asks).
    Anything else is a 404. Its index is `ItalianExportIndexView`."""

    index_view_class = ItalianExportIndexView

    def get_editable_queryset(self, request):
        return self.get_queryset(request)

    def get_history_queryset(self, request):
        return self.get_queryset(request)

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
        self._guard(request, self.get_history_queryset(request), instance_pk)
        if request.user.is_authenticated and not self.permission_helper.user_can_list(request.user):
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


class ScopedModelAdmin(GuardedModelAdmin):
    """ModelAdmin whose every view applies the access rule.

    entity_path: ORM path from the model to its owning Entity ("" for Entity itself).
    public_register: when True, the list and inspect views show all rows to anyone with
    the view permission; edit, delete and history stay limited to the user's own rows.
    """

    entity_path = "entity"
    include_covered = False
    public_register = False
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

    def get_history_queryset(self, request):
        # The history names who changed what: it is private even in a public register.
        return self.get_private_queryset(request)


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
