from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "calls.sales"
    label = "sales"
    verbose_name = _("Sale plans")
    # After the register's demo stock (10) and the calls' protocol register (20).
    demo_order = 60

    def load_demo(self, *, stock_scale=1.0, stdout=None):
        from . import demo

        demo.load()
