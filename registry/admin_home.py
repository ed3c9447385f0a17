"""What the property register asks of each owner's officers, on their admin home.

An ARCA's or a Comune's officer sees the last import of their units (its state, with a link
to its report) and how many units their entity has in PUSH. Both figures are scoped by
registry.access like every list of the register: never another owner's. The Region's
accreditation requests have their own panel (registry/wagtail_hooks.py); charts of the
whole stock are the dashboards' job."""

from wagtail.admin.ui.components import Component

from . import access
from .models import ImportJob, Unit


class StockPanel(Component):
    name = "push_stock"
    order = 70
    template_name = "wagtailadmin/home/push_stock.html"

    def __init__(self, unit_count: int, last_import):
        self.unit_count = unit_count
        self.last_import = last_import

    def get_context_data(self, parent_context):
        return {"unit_count": self.unit_count, "last_import": self.last_import}


def add_stock_panel(request, panels):
    user = request.user
    if access.is_regional(user) or not user.has_perm("registry.view_unit"):
        return
    if not access.access_for(user).own_entity_ids:
        return
    last_import = (
        access.scope(ImportJob.objects.select_related("owner"), user, path="owner").order_by("-created_at").first()
    )
    unit_count = access.scope(Unit.objects.all(), user, path="owner").count()
    panels.append(StockPanel(unit_count, last_import))
