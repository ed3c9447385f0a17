"""Admin screens of the calls (wagtail-modeladmin): calls for the Region's editors,
submissions for the Comuni (their own) and for the Region's reviewers (all), the riparto.

Views stay thin: every action goes through calls.services, every object through the access
rule (submissions belong to their Comune)."""

import io
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent
from wagtail.models import ModelLogEntry
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdminGroup
from wagtail_modeladmin.views import InspectView

from core.exports import log_export, spreadsheet_response
from core.files import private_download
from core.forms import ItalianNumbersAdminForm, NativeDateTimeInput
from core.numbers import ItalianDecimalField
from registry import access
from registry.models import Entity, EntityKind
from registry.scoped_admin import GuardedModelAdmin, ScopedModelAdmin, ScopedPermissionHelper, ServiceFormView

from . import call_lifecycle, services
from .applicants import column_guide, reason_label
from .applicants import list_template as template_rows
from .models import Call, CallState, Submission, SubmissionState, UploadStatus
from .receipts import euro, receipt_html
from .selectors import calls_accepting_submissions, calls_visible_to, review_queue, review_queue_count

# --- call actions (the Region) -----------------------------------------------------------


class ExtensionForm(forms.Form):
    comune = forms.ModelChoiceField(
        label=gettext_lazy("Comune"), queryset=Entity.objects.filter(kind=EntityKind.COMUNE).order_by("name")
    )
    closes_at = forms.DateTimeField(label=gettext_lazy("New deadline"), widget=NativeDateTimeInput())
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    closes_at = forms.DateTimeField(label=gettext_lazy("New closing date and time"), widget=NativeDateTimeInput())


def confirmed(request) -> bool:
    """A confirmation page's POST acts only with its explicit confirm field."""
    return request.method == "POST" and request.POST.get("confirm") == "yes"


@require_POST
def call_action(request, pk, action):
    call = get_object_or_404(calls_visible_to(request.user), pk=pk)
    if not (access.is_regional(request.user) and request.user.has_perm("calls.change_call")):
        raise PermissionDenied
    if action != "extension":
        raise Http404
    try:
        form = ExtensionForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose the Comune, the new deadline and the reason."))
        services.grant_extension(call=call, by=request.user, **form.cleaned_data)
        messages.success(request, _("Extension granted."))
    except ValidationError as error:
        _report(request, error)
    return redirect(reverse("calls_call_modeladmin_inspect", args=[call.pk]))


def call_summary(call) -> dict:
    """What the Region reads before changing a call's state."""
    counts = dict(
        call.submissions.order_by().values("state").annotate(count=models.Count("pk")).values_list("state", "count")
    )
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
    call = get_object_or_404(calls_visible_to(request.user), pk=pk)
    transition = call_lifecycle.TRANSITIONS.get(action)
    if transition is None:
        raise Http404
    if not call_lifecycle.holds_permission(request.user, action):
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
                _report(request, error)
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


class CallInspectView(InspectView):
    def get_context_data(self, **kwargs):
        user = self.request.user
        call = self.instance
        return super().get_context_data(
            can_change=access.is_regional(user) and user.has_perm("calls.change_call"),
            transitions=[
                (action, call_lifecycle.TRANSITIONS[action])
                for action in call_lifecycle.allowed_transitions(user, call)
            ],
            parameters_locked=call_lifecycle.parameters_locked(call),
            extension_form=ExtensionForm(),
            extensions=call.extensions.select_related("comune", "granted_by"),
            **kwargs,
        )


class CallPermissionHelper(PermissionHelper):
    """Calls are read by whoever holds the view permission (drafts only by the Region: see
    CallAdmin.get_queryset), changed by the Region, never deleted."""

    def user_can_inspect_obj(self, user, obj):
        return super().user_can_inspect_obj(user, obj) and calls_visible_to(user).filter(pk=obj.pk).exists()

    def user_can_delete_obj(self, user, obj):
        return False

    def user_can_edit_obj(self, user, obj):
        # A call the Comuni have started working on is read-only: its parameters are locked
        # (calls.call_lifecycle), its state moves by the inspect page's actions.
        return (
            super().user_can_edit_obj(user, obj)
            and access.is_regional(user)
            and not obj.riparto_published_at
            and not call_lifecycle.parameters_locked(obj)
        )

    def user_can_create(self, user):
        return super().user_can_create(user) and access.is_regional(user)


class CallButtonHelper(ButtonHelper):
    def get_primary_button(self, obj):
        # A live call's title opens its page with its actions, not the edit form.
        if obj.state != CallState.DRAFT and self.permission_helper.user_can_inspect_obj(self.request.user, obj):
            return self.inspect_button(obj.pk)
        return super().get_primary_button(obj)


class CallAdmin(GuardedModelAdmin):
    """Calls in the admin: every view finds the call in `calls_visible_to(user)`, so the
    Comuni's people never see a draft or its fund parameters."""

    model = Call
    menu_label = gettext_lazy("Calls")
    menu_icon = "doc-full"
    permission_helper_class = CallPermissionHelper
    button_helper_class = CallButtonHelper
    inspect_view_enabled = True
    inspect_view_class = CallInspectView
    inspect_template_name = "calls/admin/call_inspect.html"
    list_display = ("title", "call_type", "year", "state", "opens_at", "closes_at")
    list_filter = ("call_type", "state", "year")
    search_fields = ("title", "legal_act")
    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("call_type"), FieldPanel("year")]),
                FieldPanel("title"),
                FieldPanel("legal_act"),
                # No state: it moves only by the call's actions (calls/call_lifecycle.py).
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
            ],
            heading=gettext_lazy("Call"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("band_a_max_income"), FieldPanel("band_a_min_incidence"), FieldPanel("band_a_cap")]
                ),
                FieldRowPanel(
                    [FieldPanel("band_b_max_income"), FieldPanel("band_b_min_incidence"), FieldPanel("band_b_cap")]
                ),
                FieldPanel("covid_band"),
                FieldRowPanel(
                    [
                        FieldPanel("covid_max_isee"),
                        FieldPanel("covid_min_income_loss"),
                        FieldPanel("covid_min_incidence"),
                        FieldPanel("covid_cap"),
                    ]
                ),
            ],
            heading=gettext_lazy("Bands of the rent-support fund"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("arrears_max_amount"), FieldPanel("arrears_max_ise"), FieldPanel("arrears_max_isee")]
                )
            ],
            heading=gettext_lazy("Arrears fund"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("fund_base"), FieldPanel("fund_premium")]),
                FieldRowPanel([FieldPanel("premium_threshold"), FieldPanel("premium_weight")]),
            ],
            heading=gettext_lazy("Fund and riparto"),
        ),
        FieldPanel("required_attachments"),
    ]
    # Amounts and percentages written the Italian way (1.234,56), like every form.
    edit_handler = ObjectList(panels, base_form_class=ItalianNumbersAdminForm)

    def get_queryset(self, request):
        return calls_visible_to(request.user).order_by("-year", "call_type")


# --- submissions ----------------------------------------------------------------------


class StartSubmissionForm(forms.Form):
    call = forms.ModelChoiceField(label=gettext_lazy("Call"), queryset=Call.objects.none())
    comune = forms.ModelChoiceField(label=gettext_lazy("Comune"), queryset=Entity.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        comuni = access.scope(Entity.objects.filter(kind=EntityKind.COMUNE), user, path="", for_edit=True)
        self.fields["call"].queryset = calls_accepting_submissions(comuni=comuni)
        self.fields["comune"].queryset = comuni
        # An officer of one Comune (the usual case) does not have to choose it.
        only = list(comuni.values_list("pk", flat=True)[:2])
        if len(only) == 1:
            self.fields["comune"].initial = only[0]
            self.fields["comune"].empty_label = None
        calls = list(self.fields["call"].queryset.values_list("pk", flat=True)[:2])
        if len(calls) == 1:
            self.fields["call"].initial = calls[0]


class StartSubmissionView(ServiceFormView):
    form_class = StartSubmissionForm
    template_name = "calls/admin/submission_start.html"

    def form_kwargs(self):
        return {"user": self.request.user}

    def form_valid(self, form):
        try:
            submission = services.open_submission(
                call=form.cleaned_data["call"], comune=form.cleaned_data["comune"], by=self.request.user
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
            return self.form_invalid(form)
        return redirect(self.url_helper.get_action_url("inspect", submission.pk))


class _OwnIdsForm(forms.Form):
    """The submission page shows several small forms at once: each gets ids of its own, so
    that a label never points at another form's field (two file inputs were both id_file)."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ApplicantsForm(_OwnIdsForm):
    id_prefix = "list"
    file = forms.FileField(label=gettext_lazy("List of applicants (CSV or XLSX)"))


class CoFinancingForm(forms.Form):
    # Written the Italian way (15.000,00), like every amount (core/numbers.py).
    amount = ItalianDecimalField(
        label=gettext_lazy("Co-financing (€)"), min_value=Decimal("0"), decimal_places=2, max_digits=14
    )


class AttachmentForm(_OwnIdsForm):
    id_prefix = "attachment"
    name = forms.CharField(label=gettext_lazy("Document"), max_length=200)
    file = forms.FileField(label=gettext_lazy("PDF file"))


class IntegrationForm(forms.Form):
    message = forms.CharField(label=gettext_lazy("What must be integrated"), widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateTimeField(label=gettext_lazy("New deadline"), widget=NativeDateTimeInput())


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 4}))


PREPARATION_STEPS = (
    ("list", gettext_lazy("List of applicants")),
    ("co_financing", gettext_lazy("Co-financing")),
    ("attachments", gettext_lazy("Attachments")),
    ("send", gettext_lazy("Summary and send")),
)


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    number: int
    done: bool
    current: bool

    @property
    def shown(self) -> bool:
        """A step's form is shown once the step is reached: current or done."""
        return self.done or self.current


def preparation_steps(submission: Submission) -> list[Step]:
    """The guided sequence of a Comune preparing its submission: the list, the
    co-financing (done once saved, even at 0,00 €), the attachments, the summary and
    sending. The current step is the first one not done."""
    co_financing_saved = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Submission),
        object_id=str(submission.pk),
        action="wagtail.edit",
    ).exists()
    sent = not submission.is_editable
    done = {
        "list": submission.applicant_count > 0,
        "co_financing": co_financing_saved or submission.co_financing > 0,
        "attachments": submission.applicant_count > 0 and not services.missing_attachments(submission),
        "send": sent,
    }
    if sent:
        done = dict.fromkeys(done, True)
    current = next((key for key, _label in PREPARATION_STEPS if not done[key]), None)
    return [
        Step(key, str(label), number, done[key], key == current)
        for number, (key, label) in enumerate(PREPARATION_STEPS, start=1)
    ]


class SubmissionInspectView(InspectView):
    """The submission's page: totals, list, attachments, receipt, and the actions the
    viewer may take in its current state."""

    shown_rows = 200
    # Not modeladmin's "Inspecting" ("Controllo in corso" in Italian, read as "a check is
    # running"): the page is the submission itself.
    page_title = gettext_lazy("Submission")

    def get_meta_title(self):
        return str(self.instance)

    def get_context_data(self, **kwargs):
        submission = self.instance
        user = self.request.user
        call = submission.call
        arrears = call.call_type == "arrears"
        rows = (submission.arrears_cases if arrears else submission.applicants).all()[: self.shown_rows]
        upload = services.latest_upload(submission)
        return super().get_context_data(
            submission=submission,
            arrears=arrears,
            rows=rows,
            reasons={row.reason: reason_label(row.reason) for row in rows if getattr(row, "reason", "")},
            duplicates=services.duplicate_report(submission=submission, viewer=user),
            upload=upload if upload and upload.status != UploadStatus.DONE else None,
            refresh=bool(upload and not upload.is_finished),
            missing=services.missing_attachments(submission),
            attachments=submission.attachments.select_related("uploaded_by"),
            actions=services.allowed_actions(user, submission),
            can_prepare=services.can_prepare(user, submission.comune) and submission.is_editable,
            deadline=services.deadline_for(call, submission.comune),
            steps=preparation_steps(submission),
            column_guide=column_guide(call),
            queue_url=review_queue_back_url(self.request),
            queue_query=urlencode({"queue": self.request.GET["queue"]}) if "queue" in self.request.GET else "",
            **self.protocol_context(submission),
            forms={
                "applicants": ApplicantsForm(),
                "co_financing": CoFinancingForm(initial={"amount": submission.co_financing}),
                "attachment": AttachmentForm(initial={"name": (services.missing_attachments(submission) or [""])[0]}),
                "integration": IntegrationForm(),
                "reject": RejectForm(),
            },
            **kwargs,
        )

    @staticmethod
    def protocol_context(submission):
        """The protocol register's entries of the submission, newest first, and the latest
        receipt as issued (its content is frozen in the entry, the PDF may still be coming)."""
        entries = list(submission.protocol_entries.order_by("-registered_at", "-sequence"))
        return {
            "protocol_entries": entries,
            "receipt": receipt_html(entries[0]) if entries else "",
        }


class SubmissionPermissionHelper(ScopedPermissionHelper):
    # Changes go through the actions of the inspect page (calls.services), never a form.
    editable = False
    deletable = False

    def user_can_create(self, user):
        return user.has_perm("calls.add_submission") and not access.is_regional(user)


class SubmissionAdmin(ScopedModelAdmin):
    model = Submission
    menu_label = gettext_lazy("Submissions")
    menu_icon = "form"
    entity_path = "comune"
    permission_helper_class = SubmissionPermissionHelper
    create_view_class = StartSubmissionView
    inspect_view_class = SubmissionInspectView
    inspect_template_name = "calls/admin/submission_inspect.html"
    list_display = (
        "comune",
        "call",
        "state",
        "applicant_count",
        "eligible_count",
        "need",
        "co_financing",
        "protocol_number",
        "submitted_at",
    )
    list_filter = ("call", "state", "comune__province")
    search_fields = ("comune__name", "comune__code", "protocol_number")
    list_select_related = ("comune", "call")
    list_per_page = 50
    list_export = (
        "call",
        "comune",
        "state",
        "protocol_number",
        "submitted_at",
        "applicant_count",
        "eligible_count",
        "eligible_a",
        "eligible_b",
        "eligible_covid",
        "need_a",
        "need_b",
        "need_covid",
        "need",
        "co_financing",
    )
    export_filename = "domande-comuni"


class CallsGroup(ModelAdminGroup):
    menu_label = gettext_lazy("Calls and funds")
    menu_icon = "doc-full"
    menu_order = 220
    items = (CallAdmin, SubmissionAdmin)

    def get_submenu_items(self):
        queue = ReviewQueueMenuItem(
            gettext_lazy("To review"),
            reverse_lazy("calls_review_queue"),
            name="review-queue",
            icon_name="tasks",
            order=3,
        )
        return [*super().get_submenu_items(), queue]


# --- actions on a submission ------------------------------------------------------------


def _submission(request, pk) -> Submission:
    if not request.user.has_perm("calls.view_submission"):
        raise Http404
    queryset = access.scope(Submission.objects.select_related("call", "comune"), request.user, path="comune")
    return get_object_or_404(queryset, pk=pk)


def _back(submission):
    return redirect(reverse("calls_submission_modeladmin_inspect", args=[submission.pk]))


def _report(request, error):
    messages.error(request, " ".join(getattr(error, "messages", [str(error)])))


@require_POST
def submission_action(request, pk, action):
    submission = _submission(request, pk)
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
        _report(request, error)
    return _back(submission)


CONFIRMED_ACTIONS = ("submit", "accept", "reject")


def submission_summary(submission: Submission) -> dict:
    """What is sent or decided, as the confirmation page shows it (amounts as 1.234,56 €)."""
    call = submission.call
    bands = []
    if call.call_type != "arrears":
        bands = [
            (_("Band A"), submission.eligible_a, euro(submission.need_a)),
            (_("Band B"), submission.eligible_b, euro(submission.need_b)),
        ]
        if call.covid_band:
            bands.append((_("COVID band"), submission.eligible_covid, euro(submission.need_covid)))
    return {
        "comune": submission.comune,
        "call": call,
        "deadline": services.deadline_for(call, submission.comune),
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
    submission = _submission(request, pk)
    if action not in CONFIRMED_ACTIONS:
        raise Http404
    user = request.user
    allowed = services.allowed_actions(user, submission)
    if action == "submit" and "integrate" in allowed:
        allowed.append("submit")
    # A POST goes on to the service, which says why it refuses (who may, from which state).
    if action not in allowed and request.method != "POST":
        messages.error(request, _("This cannot be done now."))
        return _back(submission)
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
                _report(request, error)
                return _back(submission)
            # A decision taken from the review queue returns to it, filtered as it was.
            queue_url = review_queue_back_url(request)
            return redirect(queue_url) if queue_url else _back(submission)
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


# Every download goes through core.files.private_download, which writes the audit entry
# (who, from where, which file and its fingerprint) on the submission's history.


def receipt_download(request, pk, entry_pk=None):
    """A receipt as issued: the protocol entry's (`entry_pk`), or the latest sending's when
    none is named (the address the first receipts were given at). 404 while the receipt is
    still being rendered."""
    submission = _submission(request, pk)
    entries = submission.protocol_entries.all()
    if entry_pk is None:
        entry = entries.order_by("-registered_at", "-sequence").first()
    else:
        entry = get_object_or_404(entries, pk=entry_pk)
    if entry is None or not entry.receipt_pdf:
        raise Http404
    return private_download(
        entry.receipt_pdf,
        entry.file_name,
        "application/pdf",
        request=request,
        instance=submission,
        kind="receipt",
        sha256=entry.receipt_sha256,
    )


@hooks.register("register_admin_urls")
def register_protocol_receipt_urls():
    return [
        path(
            "calls/submission/<int:pk>/receipt/<int:entry_pk>.pdf",
            receipt_download,
            name="calls_protocol_receipt",
        )
    ]


def attachment_download(request, pk, attachment_pk):
    submission = _submission(request, pk)
    attachment = get_object_or_404(submission.attachments, pk=attachment_pk)
    return private_download(
        attachment.file,
        f"{attachment.name[:80]}.pdf",
        "application/pdf",
        request=request,
        instance=submission,
        kind="attachment",
        sha256=attachment.sha256,
    )


def applicants_file_download(request, pk):
    """The list as the Comune sent it, decrypted on the way out (calls/sealed.py)."""
    submission = _submission(request, pk)
    upload = services.current_list_upload(submission)
    if upload is None:
        raise Http404
    return private_download(
        services.read_list_file(upload),
        upload.original_name,
        request=request,
        instance=submission,
        kind="list",
        sha256=upload.sha256,
    )


@hooks.register("register_log_actions")
def register_submission_log_actions(actions):
    for action, label in services.AUDIT_ACTIONS.items():
        actions.register_action(action, label, label)


# --- riparto --------------------------------------------------------------------------


RIPARTO_HEADERS = [
    gettext_lazy("Comune"),
    gettext_lazy("ISTAT code"),
    gettext_lazy("Need (€)"),
    gettext_lazy("Co-financing (€)"),
    gettext_lazy("Premium"),
    gettext_lazy("Base share (€)"),
    gettext_lazy("Premium share (€)"),
    gettext_lazy("Total (€)"),
]


def riparto_rows(call):
    for row in call.allocations.select_related("comune").order_by("comune__name"):
        yield [
            row.comune.name,
            row.comune.code,
            row.need,
            row.co_financing,
            row.premium_eligible,
            row.base,
            row.premium,
            row.total,
        ]


def _riparto_call(request, pk):
    """The call and whether the person may compute and publish its riparto. Regional staff
    see it at any time; Comuni only once published (and then it is public)."""
    call = get_object_or_404(Call, pk=pk)
    regional = access.is_regional(request.user) and request.user.has_perm("calls.view_allocation")
    if not regional and not call.riparto_published_at:
        raise Http404
    return call, regional and request.user.has_perm("calls.run_riparto")


def riparto_totals(call) -> dict:
    """The figures of the riparto's summary, to the cent (one aggregate query)."""
    figures = call.allocations.aggregate(
        comuni=models.Count("pk"),
        need=models.Sum("need"),
        base=models.Sum("base"),
        premium=models.Sum("premium"),
        total=models.Sum("total"),
    )
    return {name: (value if value is not None else Decimal("0")) for name, value in figures.items()}


def riparto_view(request, pk):
    """The riparto of a call: compute, look, export. Publishing has its own confirmation
    page (riparto_publish)."""
    call, can_run = _riparto_call(request, pk)
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        if request.POST.get("action") == "publish":
            # Irreversible: only from its confirmation page.
            return redirect(reverse("calls_riparto_publish", args=[call.pk]))
        try:
            services.compute_riparto(call=call, by=request.user)
            messages.success(request, _("Riparto computed."))
        except ValidationError as error:
            _report(request, error)
        return redirect(reverse("calls_riparto", args=[call.pk]))
    export = request.GET.get("export")
    filename = f"riparto-{call.call_type}-{call.year}"
    source = f"calls.riparto:{call.pk}"
    if export in ("csv", "xlsx"):
        return spreadsheet_response(
            request,
            RIPARTO_HEADERS,
            riparto_rows(call),
            filename=filename,
            file_format=export,
            source=source,
            sheet_title="Riparto",
        )
    if export == "pdf":
        from .receipts import riparto_pdf

        log_export(request, source=source, file_format="pdf", rows=call.allocations.count())
        return FileResponse(
            io.BytesIO(riparto_pdf(call)),
            as_attachment=True,
            filename=f"{filename}.pdf",
            content_type="application/pdf",
        )
    allocations = list(call.allocations.select_related("comune").order_by("comune__name"))
    totals = {
        "need": sum((row.need for row in allocations), Decimal("0")),
        "base": sum((row.base for row in allocations), Decimal("0")),
        "premium": sum((row.premium for row in allocations), Decimal("0")),
        "total": sum((row.total for row in allocations), Decimal("0")),
    }
    accepted = call.submissions.filter(state=SubmissionState.ACCEPTED).count()
    return TemplateResponse(
        request,
        "calls/admin/riparto.html",
        {
            "call": call,
            "allocations": allocations,
            "totals": totals,
            "accepted": accepted,
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
    call, can_run = _riparto_call(request, pk)
    if not can_run:
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
                _report(request, error)
            else:
                messages.success(request, _("Riparto published; it can no longer change."))
                return redirect(riparto_url)
    totals = riparto_totals(call)
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


# --- the applicants' list template ------------------------------------------------------


def list_template(request, call_pk, file_format):
    """The empty list of a call (headers and one example row), as CSV or XLSX: generated from
    the columns the reader accepts (calls/applicants.py), so it cannot drift from them."""
    call = get_object_or_404(calls_visible_to(request.user), pk=call_pk)
    if file_format not in ("csv", "xlsx") or not request.user.has_perm("calls.view_submission"):
        raise Http404
    headers, rows = template_rows(call)
    kind = "morosita" if call.call_type == "arrears" else "sostegno-locazioni"
    return spreadsheet_response(
        request,
        headers,
        rows,
        filename=f"modello-elenco-{kind}-{call.year}",
        file_format=file_format,
        source=f"calls.list_template:{call.pk}",
        sheet_title="Elenco",
    )


# --- the Region's review queue ----------------------------------------------------------


def can_review(user) -> bool:
    return access.is_regional(user) and user.has_perm("calls.review_submission")


class ReviewQueueFilter(forms.Form):
    call = forms.ModelChoiceField(
        label=gettext_lazy("Call"), queryset=Call.objects.none(), required=False, empty_label=gettext_lazy("All")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = calls_visible_to(user).order_by("-year", "call_type")


def review_queue_view(request):
    """Submissions waiting for the Region, oldest first, filtered by call; each links to
    its page with the way back to the queue as it was filtered."""
    if not can_review(request.user):
        raise PermissionDenied
    form = ReviewQueueFilter(request.GET or None, user=request.user)
    chosen = form.cleaned_data.get("call") if form.is_valid() else None
    queue = review_queue(call=chosen)
    back = urlencode({"queue": request.GET.urlencode()})
    return TemplateResponse(
        request,
        "calls/admin/review_queue.html",
        {"form": form, "queue": queue, "back": back, "total": review_queue_count()},
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


class ReviewQueueMenuItem(MenuItem):
    """'To review (3)': shown to the Region's reviewers, with one COUNT query."""

    def is_shown(self, request):
        return can_review(request.user)

    def render_component(self, request):
        label = _("To review (%(count)d)") % {"count": review_queue_count()}
        return LinkMenuItemComponent(self.name, label, self.url, icon_name=self.icon_name, attrs=self.attrs)
