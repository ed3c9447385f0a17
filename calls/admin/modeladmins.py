"""The calls' modeladmins (wagtail-modeladmin): calls for the Region's editors, submissions
for the Comuni (their own) and for the Region's reviewers (all), with their inspect pages
and the menu group. Who sees which button is calls/policy.py; the buttons lead to the
function views (views.py), which call the services."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdminGroup
from wagtail_modeladmin.views import InspectView

from core.forms import ItalianNumbersAdminForm
from registry.scoped_admin import GuardedModelAdmin, ScopedModelAdmin, ScopedPermissionHelper, ServiceFormView

from .. import call_lifecycle, policy, rules, selectors, services
from ..applicants import column_guide, reason_label
from ..models import Call, CallState, CallType, Submission, UploadStatus
from ..receipts import receipt_html
from .forms import (
    ApplicantsForm,
    AttachmentForm,
    CoFinancingForm,
    ExtensionForm,
    IntegrationForm,
    RejectForm,
    StartSubmissionForm,
)
from .views import review_queue_back_url

# --- calls ----------------------------------------------------------------------------------


class CallInspectView(InspectView):
    def get_context_data(self, **kwargs):
        user = self.request.user
        call = self.instance
        return super().get_context_data(
            can_change=policy.can_change_call(user, call),
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
        return super().user_can_inspect_obj(user, obj) and selectors.calls_visible_to(user).filter(pk=obj.pk).exists()

    def user_can_delete_obj(self, user, obj):
        return False

    def user_can_edit_obj(self, user, obj):
        # A call the Comuni have started working on is read-only: its parameters are locked
        # (calls.call_lifecycle), its state moves by the inspect page's actions.
        return (
            super().user_can_edit_obj(user, obj)
            and policy.can_change_call(user, obj)
            and not obj.riparto_published_at
            and not call_lifecycle.parameters_locked(obj)
        )

    def user_can_create(self, user):
        return super().user_can_create(user) and policy.can_create_call(user)


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
        return selectors.calls_visible_to(request.user).order_by("-year", "call_type")


# --- submissions ----------------------------------------------------------------------


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
    co_financing_saved = selectors.co_financing_saved(submission)
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
        arrears = call.call_type == CallType.ARREARS
        rows = selectors.list_rows(submission, limit=self.shown_rows)
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
            can_prepare=policy.can_prepare_submission(user, submission.comune) and submission.is_editable,
            deadline=rules.deadline_for(call, submission.comune),
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
        entries = selectors.protocol_entries(submission)
        return {
            "protocol_entries": entries,
            "receipt": receipt_html(entries[0]) if entries else "",
        }


class SubmissionPermissionHelper(ScopedPermissionHelper):
    # Changes go through the actions of the inspect page (calls.services), never a form.
    editable = False
    deletable = False

    def user_can_create(self, user):
        return policy.can_start_submissions(user)


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


class ReviewQueueMenuItem(MenuItem):
    """'To review (3)': shown to the Region's reviewers, with one COUNT query."""

    def is_shown(self, request):
        return policy.can_review_submissions(request.user)

    def render_component(self, request):
        label = _("To review (%(count)d)") % {"count": selectors.review_queue_count()}
        return LinkMenuItemComponent(self.name, label, self.url, icon_name=self.icon_name, attrs=self.attrs)
