"""Admin hooks of the dashboards: the charts' snippet screens (revisions, preview), the
monitoring of the Comuni (dashboards/monitoring/: its screen, its menu item shown to the
Region's staff only, and the role panels of the admin home).

Who may add and change charts is declared in dashboards/roles.py (the Region's editors and
administrators); Wagtail's snippet screens ask those model permissions."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Chart
from .monitoring import admin_home as monitoring_home
from .monitoring import policy as monitoring_policy
from .monitoring import urls as monitoring_urls


class ChartViewSet(SnippetViewSet):
    model = Chart
    icon = "table"
    menu_label = _("Charts")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["title", "indicator", "kind", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["title", "caption"]
    ordering = ["title"]


register_snippet(ChartViewSet)


class MonitoringMenuItem(MenuItem):
    """The monitoring of the Comuni, in the menu of the Region's staff only."""

    def is_shown(self, request):
        return monitoring_policy.can_monitor_comuni(request.user)


@hooks.register("register_admin_menu_item")
def register_monitoring_menu_item():
    return MonitoringMenuItem(
        _("Monitoring of the Comuni"),
        reverse_lazy("dashboards_monitoring"),
        name="monitoring-comuni",
        icon_name="view",
        order=251,
    )


hooks.register("register_admin_urls", monitoring_urls.admin_urls)
hooks.register("construct_homepage_panels", monitoring_home.add_monitoring_panels)
