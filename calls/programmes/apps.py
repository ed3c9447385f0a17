from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "calls.programmes"
    label = "programmes"
    verbose_name = _("Intervention programmes")
    default_auto_field = "django.db.models.BigAutoField"
    # After the register's demo stock (the interventions name its buildings) and the calls.
    demo_order = 30

    def load_demo(self, *, stock_scale=1.0, stdout=None):
        from . import demo

        return demo.load()
