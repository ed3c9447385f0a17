"""Load the demo data of every app that has some, in the order the apps ask for.

The command names no app: an app with demo data says so on its AppConfig,

    demo_order = 20                      # lower runs first (the apps it reads come earlier)

    def load_demo(self, *, stock_scale, stdout):
        ...                              # idempotent; returns lines to print at the end

so that core depends on no app and a new app adds its demo data in its own apps.py.
"""

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


def demo_apps():
    """The app configs that load demo data, in the order they ask for (ties: INSTALLED_APPS)."""
    with_demo = [config for config in apps.get_app_configs() if callable(getattr(config, "load_demo", None))]
    return sorted(with_demo, key=lambda config: getattr(config, "demo_order", 100))


class Command(BaseCommand):
    help = "Load the demo data of every app (entities, people, pages). Idempotent: safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stock-scale",
            type=float,
            default=1.0,
            help="Fraction of the demo property stock to load (1 = about 58,000 units).",
        )

    def handle(self, *args, **options):
        closing_lines = []
        for config in demo_apps():
            closing_lines += config.load_demo(stock_scale=options["stock_scale"], stdout=self.stdout) or []
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write("")
        self.stdout.write(f"Site:  {settings.WAGTAILADMIN_BASE_URL}/")
        self.stdout.write(f"Admin: {settings.WAGTAILADMIN_BASE_URL}/admin/")
        for line in closing_lines:
            self.stdout.write(line)
