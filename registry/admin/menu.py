"""The registry's menu in the admin."""

from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.options import ModelAdminGroup

from .accreditation import AccreditationRequestAdmin
from .entities import EntityAdmin
from .memberships import MembershipAdmin


class RegistryGroup(ModelAdminGroup):
    menu_label = _("Registry")
    menu_icon = "site"
    menu_order = 200
    items = (EntityAdmin, MembershipAdmin, AccreditationRequestAdmin)
