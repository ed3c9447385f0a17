"""The calls' function views: thin adapters between a request and a service.

Each view finds its object through the access rule (calls.selectors, registry.access), reads
a form, calls the service (calls/services.py, calls/call_lifecycle.py) and reports the
outcome; the service decides whether the person may act (calls/policy.py) and refuses
otherwise. A view asks the policy only to decide what to show."""

from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from registry import access

from .. import call_lifecycle, policy, rules, selectors, services
from ..models import Call, CallState, CallType, Submission, SubmissionState, UploadStatus
from ..receipts import euro
from . import exports
from .forms import (
    ApplicantsForm,
    AttachmentForm,
    CoFinancingForm,
    ExtensionForm,
    IntegrationForm,
    RejectForm,
    ReopenForm,
    ReviewQueueFilter,
)


def confirmed(request) -> bool:
    """A confirmation page's POST acts only with its explicit confirm field."""
    return request.method == "POST" and request.POST.get("confirm") == "yes"


def report(request, error):
    messages.error(request, " ".join(getattr(error, "messages", [str(error)])))


# --- the call (the Region) -------------------------------------------------------------------


@require_POST
def call_action(request, pk, action):
    """A deadline extension for one Comune (services.grant_extension, which checks who may)."""
    call = get_object_or_404(selectors.calls_visible_to(request.user), pk=pk)
    if action != "extension":
        raise Http404
    try:
        form = ExtensionForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose the Comune, the new deadline and the reason."))
        services.grant_extension(call=call, by=request.user, **form.cleaned_data)
        messages.success(request, _("Extension granted."))
    except ValidationError as error:
        report(request, error)
    return redirect(reverse("calls_call_modeladmin_inspect", args=[call.pk]))


def call_summary(call) -> dict:
    """What the Region reads before changing a call's state."""
    counts = selectors.submission_counts(call)
    return {
        "submissions": [(label, counts.get(value, 0)) for value, label in SubmissionState.choices],
        "fund_total": euro(call.fund_total),
        "fund_base": euro(call.fund_base),
        "fund_premium": euro(call.fund_premium),
    }


def call_move(request, pk, action):
    """A transition of the call's life (calls/call_lifecycle.py): a page with what will
    change, and a POST that acts only with `confirm=yes`. The riparto's two transitions
    live on the riparto's own pages."""
    call = get_object_or_404(selectors.calls_visible_to(request.user), pk=pk)
    transition = call_lifecycle.TRANSITIONS.get(action)
    if transition is None:
        raise Http404
    if not policy.can_take_call_transition(request.user, transition):  # not even the page
        raise PermissionDenied
    inspect_url = reverse("calls_call_modeladmin_inspect", args=[call.pk])
    if call.state not in transition.sources:
        messages.error(
            request,
            _("This cannot be done to a call in state “%(state)s”.") % {"state": call.get_state_display()},
        )
        return redirect(inspect_url)
    if action == "compute":
        return redirect(reverse("calls_riparto", args=[call.pk]))
    if action == "allocate":
        return redirect(reverse("calls_riparto_publish", args=[call.pk]))
    form = ReopenForm(request.POST if request.method == "POST" else None) if action == "reopen" else None
    if request.method == "POST":
        if not confirmed(request):
            messages.warning(request, _("Nothing was done: confirm to go on."))
        elif form is not None and not form.is_valid():
            messages.error(request, _("Give the new closing date and time."))
        else:
            try:
                if action == "reopen":
                    services.reopen_call(call=call, closes_at=form.cleaned_data["closes_at"], by=request.user)
                else:
                    call_lifecycle.move_call(call, action, request.user)
            except ValidationError as error:
                report(request, error)
            else:
                messages.success(request, _("Done: the call is now “%(state)s”.") % {"state": transition.target.label})
                return redirect(inspect_url)
    return TemplateResponse(
        request,
        "calls/admin/call_move.html",
        {
            "call": call,
            "action": action,
            "transition": transition,
            "target_label": CallState(transition.target).label,
            "form": form,
            "summary": call_summary(call),
            "inspect_url": inspect_url,
        },
    )


# --- actions on a submission ------------------------------------------------------------


def submission_for(request, pk) -> Submission:
    """The submission if the person may see it (the access rule, by its Comune); 404 if not,
    so that its existence is not revealed."""
    if not policy.can_see_submissions(request.user):
        raise Http404
    queryset = access.scope(Submission.objects.select_related("call", "comune"), request.user, path="comune")
    return get_object_or_404(queryset, pk=pk)


def back_to(submission):
    return redirect(reverse("calls_submission_modeladmin_inspect", args=[submission.pk]))


CONFIRMED_ACTIONS = ("submit", "accept", "reject")


@require_POST
def submission_action(request, pk, action):
    submission = submission_for(request, pk)
    user = request.user
    try:
        if action == "applicants":
            form = ApplicantsForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ValidationError(_("Choose the file to upload."))
            # The report stays with the upload (codici fiscali masked), never in the session.
            upload = services.receive_applicants_file(
                submission=submission, uploaded_file=form.cleaned_data["file"], by=user
            )
            if upload.status == UploadStatus.DONE:
                messages.success(request, _("List uploaded and computed."))
            elif upload.status == UploadStatus.INVALID:
                messages.error(request, _("The list was refused; nothing was changed. The problems are below."))
            else:
                messages.info(request, _("The list is being checked: this page shows the progress."))
        elif action == "co_financing":
            form = CoFinancingForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Enter the amount in euro."))
            services.set_co_financing(submission=submission, amount=form.cleaned_data["amount"], by=user)
            messages.success(request, _("Co-financing saved."))
        elif action == "attachment":
            form = AttachmentForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ValidationError(_("Give the document's name and choose the PDF."))
            services.add_attachment(
                submission=submission, name=form.cleaned_data["name"], uploaded_file=form.cleaned_data["file"], by=user
            )
            messages.success(request, _("Attachment added."))
        elif action in CONFIRMED_ACTIONS:
            # Irreversible: only from the confirmation page, which shows what is decided.
            return redirect(reverse("calls_submission_confirm", args=[submission.pk, action]))
        elif action == "request_integration":
            form = IntegrationForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Say what must be integrated and by when."))
            services.request_integration(
                submission=submission,
                by=user,
                message=form.cleaned_data["message"],
                deadline=form.cleaned_data["deadline"],
            )
            messages.success(request, _("Integration requested; the Comune has been told by e-mail."))
        else:
            raise Http404
    except PermissionDenied:
        raise
    except ValidationError as error:
        report(request, error)
    return back_to(submission)


def submission_summary(submission: Submission) -> dict:
    """What is sent or decided, as the confirmation page shows it (amounts as 1.234,56 €)."""
    call = submission.call
    bands = []
    if call.call_type != CallType.ARREARS:
        bands = [
            (_("Band A"), submission.eligible_a, euro(submission.need_a)),
            (_("Band B"), submission.eligible_b, euro(submission.need_b)),
        ]
        if call.covid_band:
            bands.append((_("COVID band"), submission.eligible_covid, euro(submission.need_covid)))
    return {
        "comune": submission.comune,
        "call": call,
        "deadline": rules.deadline_for(call, submission.comune),
        "applicants": submission.applicant_count,
        "eligible": submission.eligible_count,
        "bands": bands,
        "need": euro(submission.need),
        "co_financing": euro(submission.co_financing),
        "attachments": list(submission.attachments.order_by("name")),
        "missing": services.missing_attachments(submission),
    }


def submission_confirm(request, pk, action):
    """Sending, accepting, rejecting: a page with the summary of what is sent or decided,
    and a POST that acts only with `confirm=yes` (and, to reject, a reason)."""
    submission = submission_for(request, pk)
    if action not in CONFIRMED_ACTIONS:
        raise Http404
    user = request.user
    allowed = services.allowed_actions(user, submission)
    if action == "submit" and "integrate" in allowed:
        allowed.append("submit")
    # A POST goes on to the service, which says why it refuses (who may, from which state).
    if action not in allowed and request.method != "POST":
        messages.error(request, _("This cannot be done now."))
        return back_to(submission)
    form = RejectForm(request.POST if request.method == "POST" else None) if action == "reject" else None
    if request.method == "POST":
        if not confirmed(request):
            messages.warning(request, _("Nothing was done: confirm to go on."))
        elif form is not None and not form.is_valid():
            messages.error(request, _("Give the reason for the rejection."))
        else:
            try:
                if action == "submit":
                    sent = services.submit(submission=submission, by=user)
                    messages.success(
                        request,
                        _("Submission sent: protocol number %(protocol)s.") % {"protocol": sent.protocol_number},
                    )
                elif action == "accept":
                    services.accept(submission=submission, by=user)
                    messages.success(request, _("Submission accepted."))
                else:
                    services.reject(submission=submission, by=user, reason=form.cleaned_data["reason"])
                    messages.success(request, _("Submission rejected; the Comune has been told why by e-mail."))
            except ValidationError as error:
                report(request, error)
                return back_to(submission)
            # A decision taken from the review queue returns to it, filtered as it was.
            queue_url = review_queue_back_url(request)
            return redirect(queue_url) if queue_url else back_to(submission)
    titles = {
        "submit": _("Send the integration")
        if submission.state == SubmissionState.INTEGRATION_REQUESTED
        else _("Send the submission"),
        "accept": _("Accept the submission"),
        "reject": _("Reject the submission"),
    }
    return TemplateResponse(
        request,
        "calls/admin/submission_confirm.html",
        {
            "submission": submission,
            "action": action,
            "title": titles[action],
            "summary": submission_summary(submission),
            "form": form,
        },
    )


# --- riparto --------------------------------------------------------------------------


def riparto_call(request, pk) -> tuple[Call, bool]:
    """The call and whether the person may compute and publish its riparto (to show its
    buttons). Regional staff see it at any time; Comuni only once published (and then it is
    public)."""
    call = get_object_or_404(Call, pk=pk)
    if not call.riparto_published_at and not policy.can_see_riparto_before_publication(request.user):
        raise Http404
    return call, policy.can_see_riparto_before_publication(request.user) and policy.can_run_riparto(request.user, call)


def riparto_view(request, pk):
    """The riparto of a call: compute, look, export. Publishing has its own confirmation
    page (riparto_publish)."""
    call, can_run = riparto_call(request, pk)
    if request.method == "POST":
        if request.POST.get("action") == "publish":
            # Irreversible: only from its confirmation page.
            return redirect(reverse("calls_riparto_publish", args=[call.pk]))
        try:
            services.compute_riparto(call=call, by=request.user)
            messages.success(request, _("Riparto computed."))
        except ValidationError as error:
            report(request, error)
        return redirect(reverse("calls_riparto", args=[call.pk]))
    export = request.GET.get("export")
    if export in exports.RIPARTO_FORMATS:
        return exports.riparto_export(request, call, export)
    return TemplateResponse(
        request,
        "calls/admin/riparto.html",
        {
            "call": call,
            "allocations": list(selectors.riparto_lines(call)),
            "totals": selectors.riparto_totals(call),
            "accepted": selectors.accepted_count(call),
            "can_run": can_run and not call.riparto_published_at,
            "can_compute": can_run and call_lifecycle.riparto_computable(call),
            "can_publish": can_run and call_lifecycle.may_take(request.user, call, "allocate"),
            "euro": euro,
            "now": timezone.now(),
        },
    )


def riparto_publish(request, pk):
    """Publishing the riparto: a page with the totals (Comuni, fund, allocated to the cent,
    unallocated) and a POST that publishes only with `confirm=yes`."""
    call, can_run = riparto_call(request, pk)
    if not can_run:  # not even the page
        raise PermissionDenied
    riparto_url = reverse("calls_riparto", args=[call.pk])
    if not call_lifecycle.may_take(request.user, call, "allocate") or not call.riparto_computed_at:
        messages.error(request, _("There is no computed riparto to publish."))
        return redirect(riparto_url)
    if request.method == "POST":
        if not confirmed(request):
            messages.warning(request, _("Nothing was done: confirm to go on."))
        else:
            try:
                services.publish_riparto(call=call, by=request.user)
            except ValidationError as error:
                report(request, error)
            else:
                messages.success(request, _("Riparto published; it can no longer change."))
                return redirect(riparto_url)
    totals = selectors.riparto_totals(call)
    return TemplateResponse(
        request,
        "calls/admin/riparto_publish.html",
        {
            "call": call,
            "comuni": totals["comuni"],
            "fund": euro(call.fund_total),
            "allocated": euro(totals["total"]),
            "base": euro(totals["base"]),
            "premium": euro(totals["premium"]),
            "residual": euro(call.riparto_residual or Decimal("0")),
            "riparto_url": riparto_url,
        },
    )


# --- the Region's review queue ----------------------------------------------------------


def review_queue_view(request):
    """Submissions waiting for the Region, oldest first, filtered by call; each links to
    its page with the way back to the queue as it was filtered."""
    if not policy.can_review_submissions(request.user):
        raise PermissionDenied
    form = ReviewQueueFilter(request.GET or None, user=request.user)
    chosen = form.cleaned_data.get("call") if form.is_valid() else None
    back = urlencode({"queue": request.GET.urlencode()})
    return TemplateResponse(
        request,
        "calls/admin/review_queue.html",
        {
            "form": form,
            "queue": selectors.review_queue(call=chosen),
            "back": back,
            "total": selectors.review_queue_count(),
        },
    )


def review_queue_back_url(request) -> str:
    """The review queue as the reviewer left it (its filter), when the submission was
    opened from there; '' otherwise. Only the queue's own filter is carried."""
    if "queue" not in request.GET:
        return ""
    form = ReviewQueueFilter(QueryDict(request.GET["queue"]), user=request.user)
    chosen = form.cleaned_data.get("call") if form.is_valid() else None
    query = f"?{urlencode({'call': chosen.pk})}" if chosen else ""
    return reverse("calls_review_queue") + query
