"""Entities in the admin: a public register every member reads, each editing only their own."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from registry.models import Entity
from registry.scoped_admin import AuditedEditView, ScopedModelAdmin

MANAGE = "registry.manage_registry"


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
