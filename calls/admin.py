"""Admin screens of the calls (wagtail-modeladmin): calls for the Region's editors,
submissions for the Comuni (their own) and for the Region's reviewers (all), the riparto.

Views stay thin: every action goes through calls.services, every object through the access
rule (submissions belong to their Comune)."""

import io
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdminGroup
from wagtail_modeladmin.views import InspectView

from core.exports import log_export, spreadsheet_response
from core.files import private_download
from registry import access
from registry.models import Entity, EntityKind
from registry.scoped_admin import GuardedModelAdmin, ScopedModelAdmin, ScopedPermissionHelper, ServiceFormView

from . import services
from .applicants import reason_label
from .models import Call, CallState, Submission, SubmissionState, UploadStatus
from .receipts import euro, receipt_html
from .selectors import calls_visible_to

# --- call actions (the Region) -----------------------------------------------------------


class ExtensionForm(forms.Form):
    comune = forms.ModelChoiceField(
        label=gettext_lazy("Comune"), queryset=Entity.objects.filter(kind=EntityKind.COMUNE).order_by("name")
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("New deadline"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=gettext_lazy("New closing date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


@require_POST
def call_action(request, pk, action):
    call = get_object_or_404(calls_visible_to(request.user), pk=pk)
    if not (access.is_regional(request.user) and request.user.has_perm("calls.change_call")):
        raise PermissionDenied
    try:
        if action == "extension":
            form = ExtensionForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose the Comune, the new deadline and the reason."))
            services.grant_extension(call=call, by=request.user, **form.cleaned_data)
            messages.success(request, _("Extension granted."))
        elif action == "reopen":
            form = ReopenForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give the new closing date and time."))
            services.reopen_call(call=call, closes_at=form.cleaned_data["closes_at"], by=request.user)
            messages.success(request, _("Call reopened."))
        else:
            raise Http404
    except ValidationError as error:
        _report(request, error)
    return redirect(reverse("calls_call_modeladmin_inspect", args=[call.pk]))


class CallInspectView(InspectView):
    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            can_change=access.is_regional(user) and user.has_perm("calls.change_call"),
            extension_form=ExtensionForm(),
            reopen_form=ReopenForm(),
            extensions=self.instance.extensions.select_related("comune", "granted_by"),
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
        # Parameters are frozen once the riparto is published.
        return super().user_can_edit_obj(user, obj) and access.is_regional(user) and not obj.riparto_published_at

    def user_can_create(self, user):
        return super().user_can_create(user) and access.is_regional(user)


class CallAdmin(GuardedModelAdmin):
    """Calls in the admin: every view finds the call in `calls_visible_to(user)`, so the
    Comuni's people never see a draft or its fund parameters."""

    model = Call
    menu_label = gettext_lazy("Calls")
    menu_icon = "doc-full"
    permission_helper_class = CallPermissionHelper
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
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("state"),
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

    def get_queryset(self, request):
        return calls_visible_to(request.user).order_by("-year", "call_type")


# --- submissions ----------------------------------------------------------------------


class StartSubmissionForm(forms.Form):
    call = forms.ModelChoiceField(label=gettext_lazy("Call"), queryset=Call.objects.none())
    comune = forms.ModelChoiceField(label=gettext_lazy("Comune"), queryset=Entity.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = Call.objects.filter(state=CallState.OPEN).order_by("-year")
        self.fields["comune"].queryset = access.scope(
            Entity.objects.filter(kind=EntityKind.COMUNE), user, path="", for_edit=True
        )


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


class ApplicantsForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("List of applicants (CSV or XLSX)"))


class CoFinancingForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Co-financing (€)"), min_value=Decimal("0"), decimal_places=2, max_digits=14, localize=True
    )


class AttachmentForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Document"), max_length=200)
    file = forms.FileField(label=gettext_lazy("PDF file"))


class IntegrationForm(forms.Form):
    message = forms.CharField(label=gettext_lazy("What must be integrated"), widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateTimeField(
        label=gettext_lazy("New deadline"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 4}))


class SubmissionInspectView(InspectView):
    """The submission's page: totals, list, attachments, receipt, and the actions the
    viewer may take in its current state."""

    shown_rows = 200

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
        elif action == "submit":
            services.submit(submission=submission, by=user)
            messages.success(
                request,
                _("Submission sent: protocol number %(protocol)s.")
                % {"protocol": Submission.objects.get(pk=pk).protocol_number},
            )
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
        elif action == "accept":
            services.accept(submission=submission, by=user)
            messages.success(request, _("Submission accepted."))
        elif action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give the reason for the rejection."))
            services.reject(submission=submission, by=user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Submission rejected; the Comune has been told why by e-mail."))
        else:
            raise Http404
    except PermissionDenied:
        raise
    except ValidationError as error:
        _report(request, error)
    return _back(submission)


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


def riparto_view(request, pk):
    """The riparto of a call: compute, look, export, publish. Regional staff see it at any
    time; Comuni only once published (and then it is public)."""
    call = get_object_or_404(Call, pk=pk)
    regional = access.is_regional(request.user) and request.user.has_perm("calls.view_allocation")
    if not regional and not call.riparto_published_at:
        raise Http404
    can_run = regional and request.user.has_perm("calls.run_riparto")
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "publish":
                services.publish_riparto(call=call, by=request.user)
                messages.success(request, _("Riparto published; it can no longer change."))
            else:
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
            "euro": euro,
            "now": timezone.now(),
        },
    )
