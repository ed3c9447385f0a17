from django.core.management.base import BaseCommand

from registry.seeding import load_reference_entities


class Command(BaseCommand):
    help = "Load or update the Region, the five ARCA and the 257 Comuni of Puglia (ISTAT). Idempotent."

    def handle(self, *args, **options):
        result = load_reference_entities()
        self.stdout.write(
            f"Entities: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )
        for code, changes in result.changes:
            described = ", ".join(f"{name}: {old!r} → {new!r}" for name, (old, new) in changes.items())
            self.stdout.write(f"  {code}: {described}")
