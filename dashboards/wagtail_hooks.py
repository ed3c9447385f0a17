"""Admin hooks of the dashboards: the charts' snippet screens (revisions, preview).

Who may add and change charts is declared in dashboards/roles.py (the Region's editors and
administrators); Wagtail's snippet screens ask those model permissions."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Chart


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
