from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

import calls.demo
import cms.demo
import registry.demo


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
        call_command("load_entities", stdout=self.stdout)
        with transaction.atomic():
            logins = registry.demo.load()
            cms.demo.load()
        for owner, units in registry.demo.load_stock(scale=options["stock_scale"]):
            self.stdout.write(f"Property register: {units} units loaded for {owner}.")
        with transaction.atomic():
            calls.demo.load()
            cms.demo.load_content()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write("")
        self.stdout.write(f"Site:  {settings.WAGTAILADMIN_BASE_URL}/")
        self.stdout.write(f"Admin: {settings.WAGTAILADMIN_BASE_URL}/admin/")
        self.stdout.write("Demo logins:")
        for username, described, password in logins:
            if not getattr(settings, "PUSH_PRINT_DEMO_PASSWORDS", False):
                secret = "(password not shown outside development)"
            elif password is None:
                secret = "(existing account, password unchanged)"
            else:
                secret = f"password: {password}"
            self.stdout.write(f"  {username:<22} {described:<55} {secret}")
