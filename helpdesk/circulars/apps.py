from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CircularsConfig(AppConfig):
    name = "helpdesk.circulars"
    label = "circulars"
    verbose_name = _("Circulars")
    # After the registry's people and the calls' protocol register (its numbers follow theirs).
    demo_order = 55

    def load_demo(self, *, stock_scale=1.0, stdout=None):
        from . import demo

        demo.load()
