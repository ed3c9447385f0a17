from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls and funds")
    # After the registry's demo people (load_demo_data), before the site's pages that read the calls.
    demo_order = 20

    def load_demo(self, *, stock_scale=1.0, stdout=None):
        from . import demo

        demo.load()
