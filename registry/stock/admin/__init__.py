"""Admin screens of the property register, one module per job:

- ``common``     list filters, the way back to the list, history-recording edit and inspect views
- ``forms``      the unit's and building's forms, the upload and snapshot forms
- ``units``, ``buildings``   the two lists and their edit screens
- ``imports``    upload, status page, error report, the file's download, "import valid rows"
- ``snapshots``  taking a snapshot and comparing it
- ``downloads``  long exports written in the background

Every screen goes through ScopedModelAdmin (the access rule on the `owner`); what a person
may do is asked of registry.stock.policy. Units and buildings are created by file import or
by the API, edited one at a time here, and never deleted (a sold or demolished unit keeps
its history with its status). The names the admin's hooks and URLs use are importable from
here."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import MenuItem
from wagtail_modeladmin.options import ModelAdminGroup

from registry.stock.admin.buildings import BuildingAdmin
from registry.stock.admin.common import RecordingEditView
from registry.stock.admin.downloads import export_download, export_status
from registry.stock.admin.imports import (
    ImportJobAdmin,
    import_file_download,
    import_report,
    import_template,
    import_valid_rows,
    progress,
)
from registry.stock.admin.snapshots import SnapshotAdmin
from registry.stock.admin.units import UnitAdmin

__all__ = [
    "BuildingAdmin",
    "ImportJobAdmin",
    "PropertyRegisterGroup",
    "RecordingEditView",
    "SnapshotAdmin",
    "UnitAdmin",
    "export_download",
    "export_status",
    "import_file_download",
    "import_report",
    "import_template",
    "import_valid_rows",
    "progress",
]


class PropertyRegisterGroup(ModelAdminGroup):
    menu_label = gettext_lazy("Property register")
    menu_icon = "home"
    menu_order = 210
    items = (UnitAdmin, BuildingAdmin, ImportJobAdmin, SnapshotAdmin)

    def get_submenu_items(self):
        items = super().get_submenu_items()
        buildings = next(admin for admin in self.modeladmin_instances if isinstance(admin, BuildingAdmin))
        items.insert(2, BuildingMapMenuItem(buildings, order=len(items) + 1))
        return items


class BuildingMapMenuItem(MenuItem):
    """The map of the buildings, shown to whoever may see the building list (it is that list
    drawn on the Comuni's boundaries, under the same access rule)."""

    def __init__(self, building_admin, *, order: int):
        super().__init__(
            gettext_lazy("Buildings on the map"),
            reverse_lazy("registry_building_map"),
            name="registry-map",
            icon_name="site",
            order=order,
        )
        self.building_admin = building_admin

    def is_shown(self, request):
        return self.building_admin.permission_helper.user_can_list(request.user)
