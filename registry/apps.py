from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry of entities")
    # The demo data of the others reads the entities and the demo people: first.
    demo_order = 10

    def ready(self):
        from . import signals  # noqa: F401

    def load_demo(self, *, stock_scale=1.0, stdout=None):
        from .demo import load_demo

        return load_demo(stock_scale=stock_scale, stdout=stdout)
