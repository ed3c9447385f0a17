"""Accreditation requests in the admin: read-only records that change only through the
Region's decisions (registry.admin_views → registry.services), and the home panel of
requests waiting for one."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from registry import policy
from registry.models import AccreditationRequest, RequestStatus
from registry.scoped_admin import ScopedModelAdmin, ScopedPermissionHelper


class AccreditationRequestPermissionHelper(ScopedPermissionHelper):
    # Requests come only from the public form and change only through decisions.
    creatable = False
    editable = False
    deletable = False


class AccreditationRequestAdmin(ScopedModelAdmin):
    model = AccreditationRequest
    menu_label = _("Accreditation requests")
    menu_icon = "form"
    permission_helper_class = AccreditationRequestPermissionHelper
    inspect_template_name = "registry/admin/accreditation_inspect.html"
    list_display = ("submitted_at", "applicant", "entity", "role", "area", "status")
    list_filter = ("status", "role", "area", "entity__kind", "entity__province")
    search_fields = ("first_name", "last_name", "email", "entity__name", "entity__code")
    list_select_related = ("entity",)
    list_per_page = 50
    list_export = (
        "submitted_at",
        "last_name",
        "first_name",
        "email",
        "entity",
        "role",
        "area",
        "status",
        "decided_at",
        "rejection_reason",
        "designation_act_sha256",
    )
    export_filename = "richieste-accreditamento"
    inspect_view_fields = (
        "first_name",
        "last_name",
        "email",
        "fiscal_code",
        "entity",
        "role",
        "area",
        "status",
        "submitted_at",
        "decided_at",
        "decided_by",
        "rejection_reason",
        "designation_act_size",
        "designation_act_sha256",
    )

    def applicant(self, obj):
        return obj.full_name

    applicant.short_description = _("applicant")
    applicant.admin_order_field = "last_name"


class PendingAccreditationPanel(Component):
    """Dashboard panel for regional administrators: requests waiting for a decision."""

    name = "pending_accreditation_requests"
    order = 50
    template_name = "registry/admin/pending_panel.html"

    def __init__(self, pending):
        self.pending = pending

    def get_context_data(self, parent_context):
        return {"pending": self.pending[:10], "pending_count": len(self.pending)}


def add_pending_accreditation_panel(request, panels):
    """Hook ``construct_homepage_panels``: the panel, for those who decide."""
    if not policy.can_decide_accreditation(request.user):
        return
    pending = list(
        AccreditationRequest.objects.filter(status=RequestStatus.PENDING)
        .select_related("entity")
        .order_by("submitted_at")
    )
    if pending:
        panels.append(PendingAccreditationPanel(pending))
