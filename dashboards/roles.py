"""The permissions the dashboards give to each role (gathered by registry.roles).

The Region's editors and administrators compose the charts that dashboards show; the
dashboards themselves are pages, given to the same people by the page permissions."""

from registry.models import Role

CHARTS = ("dashboards.view_chart", "dashboards.add_chart", "dashboards.change_chart", "dashboards.delete_chart")

PERMISSIONS = {
    (Role.ADMINISTRATOR, ""): CHARTS,
    (Role.EDITOR, ""): CHARTS,
}
