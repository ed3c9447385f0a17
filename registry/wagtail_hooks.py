"""Admin screens of the registry (wagtail-modeladmin), grouped under one menu."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.components import Component
from wagtail_modeladmin.options import ModelAdminGroup, modeladmin_register

from registry.stock import admin as stock_admin

from . import access, admin_home, admin_views
from .models import AccreditationRequest, Entity, Membership, RequestStatus
from .scoped_admin import AuditedEditView, ScopedModelAdmin, ScopedPermissionHelper

MANAGE = "registry.manage_registry"

hooks.register("construct_homepage_panels", admin_home.add_stock_panel)


class EntityAdmin(ScopedModelAdmin):
    model = Entity
    menu_label = _("Entities")
    menu_icon = "site"
    entity_path = ""
    # The list of entities, with their PEC and legal representative, is public
    # information: every member may read it; only one's own entity can be edited.
    public_register = True
    # Entity data is what PEC messages and acts are sent to: every edit is logged with the
    # old and new values.
    edit_view_class = AuditedEditView
    list_display = ("name", "code", "kind", "province", "covering_arca", "accreditation_state")
    list_filter = ("kind", "province", "accreditation_state")
    search_fields = ("name", "code")
    list_select_related = ("covering_arca",)
    list_per_page = 50
    ordering = ("kind", "name")
    list_export = (
        "code",
        "name",
        "kind",
        "province",
        "fiscal_code",
        "pec",
        "legal_representative",
        "population",
        "cadastral_code",
        "covering_arca",
        "accreditation_state",
        "accredited_on",
        "suspended_on",
    )
    export_filename = "enti-push"
    inspect_view_fields = list_export
    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("kind", permission=MANAGE),
                        FieldPanel("code", permission=MANAGE),
                        FieldPanel("province", permission=MANAGE),
                    ]
                ),
                FieldPanel("name", permission=MANAGE),
                FieldRowPanel(
                    [FieldPanel("population", permission=MANAGE), FieldPanel("cadastral_code", permission=MANAGE)]
                ),
                FieldPanel("covering_arca", permission=MANAGE),
            ],
            heading=_("Identity"),
        ),
        MultiFieldPanel(
            [FieldPanel("fiscal_code"), FieldPanel("pec"), FieldPanel("legal_representative")],
            heading=_("Contacts and representation"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("accreditation_state", permission=MANAGE),
                FieldRowPanel(
                    [FieldPanel("accredited_on", permission=MANAGE), FieldPanel("suspended_on", permission=MANAGE)]
                ),
            ],
            heading=_("Accreditation"),
        ),
    ]


class MembershipPermissionHelper(ScopedPermissionHelper):
    # Memberships are ended, never deleted: the record of who could act stays.
    deletable = False


class MembershipAdmin(ScopedModelAdmin):
    model = Membership
    menu_label = _("People and roles")
    menu_icon = "group"
    permission_helper_class = MembershipPermissionHelper
    list_display = ("user", "entity", "role", "area", "valid_from", "ended_on")
    list_filter = ("role", "area", "entity__kind", "entity__province")
    search_fields = ("user__first_name", "user__last_name", "user__email", "entity__name", "entity__code")
    list_select_related = ("user", "entity")
    list_per_page = 50
    list_export = ("entity", "user", "role", "area", "valid_from", "ended_on")
    export_filename = "ruoli-push"
    inspect_view_fields = ("user", "entity", "role", "area", "valid_from", "ended_on", "created_at")
    panels = [
        FieldPanel("user"),
        FieldPanel("entity"),
        FieldRowPanel([FieldPanel("role"), FieldPanel("area")]),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("ended_on")]),
    ]


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


class RegistryGroup(ModelAdminGroup):
    menu_label = _("Registry")
    menu_icon = "site"
    menu_order = 200
    items = (EntityAdmin, MembershipAdmin, AccreditationRequestAdmin)


modeladmin_register(RegistryGroup)
modeladmin_register(stock_admin.PropertyRegisterGroup)


@hooks.register("register_admin_urls")
def register_accreditation_urls():
    return [
        path(
            "registry/accreditation/<int:pk>/designation-act/",
            admin_views.designation_act_download,
            name="registry_designation_act",
        ),
        path("registry/accreditation/<int:pk>/approve/", admin_views.approve, name="registry_accreditation_approve"),
        path("registry/accreditation/<int:pk>/reject/", admin_views.reject, name="registry_accreditation_reject"),
        path(
            "registry/imports/template.<str:file_format>", stock_admin.import_template, name="registry_import_template"
        ),
        path("registry/imports/<int:pk>/report.csv", stock_admin.import_report, name="registry_import_report"),
        path("registry/imports/<int:pk>/file/", stock_admin.import_file_download, name="registry_import_file"),
        path(
            "registry/imports/<int:pk>/import-valid-rows/",
            stock_admin.import_valid_rows,
            name="registry_import_valid_rows",
        ),
        path("registry/imports/<int:pk>/progress/", stock_admin.progress, name="registry_import_progress"),
    ]


@hooks.register("register_log_actions")
def register_registry_log_actions(actions):
    actions.register_action("push.accreditation.submitted", _("Accreditation requested"), _("Accreditation requested"))
    actions.register_action("push.accreditation.approved", _("Accreditation approved"), _("Accreditation approved"))
    actions.register_action("push.accreditation.rejected", _("Accreditation rejected"), _("Accreditation rejected"))
    actions.register_action("push.membership.ended", _("Membership ended"), _("Membership ended"))
    actions.register_action("push.entity.accredited", _("Entity accredited"), _("Entity accredited"))
    actions.register_action("push.import.uploaded", _("File uploaded for import"), _("File uploaded for import"))
    actions.register_action("push.import.done", _("Import completed"), _("Import completed"))
    actions.register_action("push.snapshot.taken", _("Snapshot of the stock taken"), _("Snapshot of the stock taken"))


class PendingAccreditationPanel(Component):
    """Dashboard panel for regional administrators: requests waiting for a decision."""

    name = "pending_accreditation_requests"
    order = 50
    template_name = "registry/admin/pending_panel.html"

    def __init__(self, pending):
        self.pending = pending

    def get_context_data(self, parent_context):
        return {"pending": self.pending[:10], "pending_count": len(self.pending)}


@hooks.register("construct_homepage_panels")
def add_pending_accreditation_panel(request, panels):
    if not (request.user.has_perm("registry.decide_accreditationrequest") and access.is_regional(request.user)):
        return
    pending = list(
        AccreditationRequest.objects.filter(status=RequestStatus.PENDING)
        .select_related("entity")
        .order_by("submitted_at")
    )
    if pending:
        panels.append(PendingAccreditationPanel(pending))
