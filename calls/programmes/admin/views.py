"""Function views of the programmes: a transition (confirm → service), the update file
(its download and its upload, all-or-nothing with a report naming row and column), and the
Region's progress screens with their CSV/XLSX exports (core.exports, audited)."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import views as core_views
from core.exports import spreadsheet_response

from .. import policy, selectors, services, transitions
from ..forms import MoveForm, UpdateFileForm
from ..models import STAGES, InterventionState, Stage
from ..spec import INTERVENTION_SPEC, export_rows

FORMATS = ("csv", "xlsx")


def only_for(predicate):
    """A plain 403 (not the admin's redirect to its home: some of these answers are files)
    to anyone `predicate(user)` refuses, whatever the query string says."""

    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not predicate(request.user):
                return core_views.permission_denied(request, PermissionDenied())
            return view(request, *args, **kwargs)

        return checked

    return decorator


def _inspect_url(intervention):
    return reverse("programmes_intervention_modeladmin_inspect", args=[intervention.pk])


@require_http_methods(["GET", "POST"])
def intervention_move(request, pk, action):
    """Confirm and take a transition; another entity's intervention does not exist here."""
    intervention = get_object_or_404(selectors.interventions_visible_to(request.user), pk=pk)
    transition = transitions.TRANSITIONS.get(action)
    if transition is None or not transitions.may_take(request.user, intervention, action):
        raise Http404
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transitions.move_intervention(intervention, action, request.user, on=form.cleaned_data.get("on"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Done: %(label)s.") % {"label": transition.label})
        return redirect(_inspect_url(intervention))
    return TemplateResponse(
        request,
        "programmes/admin/intervention_move.html",
        {
            "intervention": intervention,
            "transition": transition,
            "target_label": InterventionState(transition.target).label,
            "form": form,
            "stamps": [Stage(stage).label for stage in transition.stamps],
            "inspect_url": _inspect_url(intervention),
        },
    )


@only_for(policy.updates_interventions)
def update_file(request, file_format):
    """The interventions the person updates, in the update file's format (re-imported as is)."""
    if file_format not in FORMATS:
        raise Http404
    interventions = (
        selectors.interventions_editable_by(request.user)
        .select_related("programme", "beneficiary")
        .order_by("programme__title", "title")
    )
    return spreadsheet_response(
        request,
        INTERVENTION_SPEC.headers,
        export_rows(interventions),
        filename="interventi-aggiornamento",
        file_format=file_format,
        source="programmes.intervention.update_file",
    )


@only_for(policy.updates_interventions)
@require_http_methods(["GET", "POST"])
def update_upload(request):
    """Upload the update file: nothing is written while any row is wrong."""
    form = UpdateFileForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = services.update_from_file(content=upload.read(), filename=upload.name or "file.csv", by=request.user)
        if report.written:
            messages.success(
                request,
                _("File read: %(updated)d interventions updated, %(reports)d progress reports recorded.")
                % {"updated": report.updated, "reports": report.reports},
            )
            return redirect(reverse("programmes_intervention_modeladmin_index"))
    return TemplateResponse(
        request,
        "programmes/admin/update_upload.html",
        {"form": form, "report": report, "formats": FORMATS},
    )


# --- the Region's progress --------------------------------------------------------------------


PROGRESS_HEADERS = (
    "Programma",
    "Atto",
    "Dotazione",
    "Impegnato",
    "Cofinanziamento",
    "Speso",
    "Interventi",
    "In ritardo",
    "Non aggiornati",
)


def _progress_rows(progress):
    for row in progress:
        yield [
            row.programme.title,
            row.programme.legal_act,
            row.programme.total_funds,
            row.committed,
            row.co_financing,
            row.spent,
            row.interventions,
            row.late,
            row.stale,
        ]


@only_for(policy.monitors_programmes)
def progress_overview(request):
    progress = selectors.programme_progress(selectors.programmes_visible_to(request.user).order_by("title"))
    return TemplateResponse(request, "programmes/admin/progress.html", {"progress": progress, "formats": FORMATS})


@only_for(policy.monitors_programmes)
def progress_export(request, file_format):
    if file_format not in FORMATS:
        raise Http404
    progress = selectors.programme_progress(selectors.programmes_visible_to(request.user).order_by("title"))
    return spreadsheet_response(
        request,
        PROGRESS_HEADERS,
        _progress_rows(progress),
        filename="programmi-avanzamento",
        file_format=file_format,
        source="programmes.progress",
    )


PROGRAMME_HEADERS = (
    "Beneficiario",
    "Intervento",
    "CUP",
    "Stato",
    "Finanziato",
    "Cofinanziamento",
    "Pagato",
    *(f"{label} prevista" for label in ("Progettazione", "Gara", "Inizio lavori", "Fine lavori", "Collaudo")),
    *(f"{label} effettiva" for label in ("Progettazione", "Gara", "Inizio lavori", "Fine lavori", "Collaudo")),
    "Ritardo",
    "Non aggiornato",
    "Ultimo aggiornamento",
)


def _programme_rows(interventions):
    from django.utils import timezone

    for item in interventions:
        yield [
            item.beneficiary.name,
            item.title,
            item.cup,
            item.get_state_display(),
            item.funded_amount,
            item.co_financing,
            item.amount_paid,
            *(getattr(item, f"due_{stage}") for stage in STAGES),
            *(item.actual(stage) for stage in STAGES),
            "sì" if item.is_late else "no",
            "sì" if item.is_stale else "no",
            timezone.localtime(item.last_update).date(),
        ]


@only_for(policy.monitors_programmes)
def programme_progress(request, pk):
    programme = get_object_or_404(selectors.programmes_visible_to(request.user), pk=pk)
    interventions = list(selectors.programme_interventions(programme))
    summary = selectors.programme_progress([programme])[0]
    return TemplateResponse(
        request,
        "programmes/admin/programme_progress.html",
        {
            "programme": programme,
            "summary": summary,
            "interventions": interventions,
            "stages": [Stage(stage).label for stage in STAGES],
            "formats": FORMATS,
        },
    )


@only_for(policy.monitors_programmes)
def programme_progress_export(request, pk, file_format):
    if file_format not in FORMATS:
        raise Http404
    programme = get_object_or_404(selectors.programmes_visible_to(request.user), pk=pk)
    return spreadsheet_response(
        request,
        PROGRAMME_HEADERS,
        _programme_rows(selectors.programme_interventions(programme)),
        filename=f"programma-{programme.pk}-interventi",
        file_format=file_format,
        source="programmes.programme_progress",
        filters={"programme": programme.pk},
    )
