"""Imports of units files: the upload, the status page and report, and their downloads."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail_modeladmin.views import InspectView

from core.exports import spreadsheet_response
from core.files import private_download
from registry.models import (
    ImportJob,
    ImportStatus,
)
from registry.scoped_admin import ScopedModelAdmin, ScopedPermissionHelper, ServiceFormView
from registry.stock import policy, selectors
from registry.stock import services as stock
from registry.stock.admin.forms import ImportForm
from registry.stock.spec import template_rows

# --- imports ------------------------------------------------------------------------


class ImportCreateView(ServiceFormView):
    """The upload screen: the file is stored and queued; the officer lands on its status page."""

    form_class = ImportForm
    template_name = "registry/admin/import_upload.html"

    def form_kwargs(self):
        return {"owners": policy.owners_writable_by(self.request.user)}

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
        may_write = policy.can_write_stock(self.request.user, job.owner)
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
        return policy.can_start_import(user)


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


# --- plain views ----------------------------------------------------------------------


def import_template(request, file_format):
    """The template file: the expected headers and one example row."""
    if not policy.can_download_template(request.user):
        raise PermissionDenied
    if file_format not in ("csv", "xlsx"):
        raise Http404
    headers, rows = template_rows()
    return spreadsheet_response(
        request,
        headers,
        rows,
        filename="modello-alloggi",
        file_format=file_format,
        source="registry.import_template",
        sheet_title="Alloggi",
    )


def _visible_job(request, pk) -> ImportJob:
    if not policy.can_read_imports(request.user):
        raise Http404
    return get_object_or_404(selectors.visible_import_jobs(request.user), pk=pk)


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
