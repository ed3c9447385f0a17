from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("Helpdesk")
    # After the registry's people (10), the calls (20) and the site's FAQ.
    demo_order = 50

    def load_demo(self, *, stock_scale=1.0, stdout=None):
        from . import demo

        demo.load()
