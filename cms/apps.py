from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")
    # Last in load_demo_data: the call guidelines read the demo calls.
    demo_order = 30

    def ready(self):
        from . import signals  # noqa: F401

    def load_demo(self, *, stock_scale=1.0, stdout=None):
        from django.db import transaction

        from . import demo

        with transaction.atomic():
            demo.load()
            demo.load_content()
