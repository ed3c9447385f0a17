"""Long exports written in the background (registry.stock.services): their status page and
the download of the finished file, for the person who asked only."""

from django.http import Http404
from django.urls import reverse

from core.files import private_download
from registry.stock import services as stock

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
