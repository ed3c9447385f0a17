from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Management dashboard")
    # After the site's pages (cms: the home page the dashboards live under) and the calls.
    demo_order = 40

    def load_demo(self, *, stock_scale=1.0, stdout=None):
        from django.db import transaction

        from . import demo

        with transaction.atomic():
            demo.load()
