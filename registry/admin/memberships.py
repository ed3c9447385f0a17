"""People and roles in the admin.

A membership is created here and ended through its service (registry.services.end_membership,
which writes the audit entry and takes the person's groups away): the "End" button leads to a
confirmation page (registry.admin_views.end_membership). The generic form never edits one
afterwards: who held which role at which entity, from when to when, is the record of who
could act, and the end date is the membership's state."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail_modeladmin.helpers import ButtonHelper

from registry import policy
from registry.models import Membership
from registry.scoped_admin import ScopedModelAdmin, ScopedPermissionHelper


class MembershipPermissionHelper(ScopedPermissionHelper):
    # Memberships are ended (a service), never edited nor deleted: the record of who could
    # act stays as it was.
    editable = False
    deletable = False


class MembershipButtonHelper(ButtonHelper):
    def end_button(self, obj):
        return {
            "url": reverse("registry_membership_end", args=[obj.pk]),
            "label": _("End"),
            "classname": self.finalise_classname(["no"]),
            "title": _("End this membership from today"),
        }

    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = super().get_buttons_for_obj(obj, exclude, classnames_add, classnames_exclude)
        if "end" not in (exclude or []) and not obj.has_ended() and policy.can_end_membership(self.request.user, obj):
            buttons.append(self.end_button(obj))
        return buttons


class MembershipAdmin(ScopedModelAdmin):
    model = Membership
    menu_label = gettext_lazy("People and roles")
    menu_icon = "group"
    permission_helper_class = MembershipPermissionHelper
    button_helper_class = MembershipButtonHelper
    list_display = ("user", "entity", "role", "area", "valid_from", "ended_on")
    list_filter = ("role", "area", "entity__kind", "entity__province")
    search_fields = ("user__first_name", "user__last_name", "user__email", "entity__name", "entity__code")
    list_select_related = ("user", "entity")
    list_per_page = 50
    list_export = ("entity", "user", "role", "area", "valid_from", "ended_on")
    export_filename = "ruoli-push"
    inspect_view_fields = ("user", "entity", "role", "area", "valid_from", "ended_on", "created_at")
    # The creation form: no end date (a membership ends through its service).
    panels = [
        FieldPanel("user"),
        FieldPanel("entity"),
        FieldRowPanel([FieldPanel("role"), FieldPanel("area")]),
        FieldPanel("valid_from"),
    ]
