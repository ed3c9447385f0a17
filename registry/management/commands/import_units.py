from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.tabular import FileRefused
from registry.models import Entity
from registry.stock.services import import_file
from registry.stock.writer import MovesNotConfirmed


class Command(BaseCommand):
    help = (
        "Import a units file (CSV or XLSX, the admin's format) for an owner, through the same "
        "validation and writing as the admin. Nothing is written if any row is invalid, unless "
        "--only-valid-rows is given, nor if existing units would change Comune, unless "
        "--confirm-moves is given. For initial loads of the property register."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV or XLSX file")
        parser.add_argument("--owner", required=True, help="PUSH code of the owner (e.g. 750000)")
        parser.add_argument(
            "--only-valid-rows", action="store_true", help="Write the valid rows even if others are wrong"
        )
        parser.add_argument(
            "--confirm-moves", action="store_true", help="Let existing units move to another Comune, as the file says"
        )

    def handle(self, *args, **options):
        path = Path(options["path"])
        try:
            owner = Entity.objects.exclude(kind="region").get(code=options["owner"])
        except Entity.DoesNotExist:
            raise CommandError(f"No ARCA or Comune has PUSH code {options['owner']}.")
        try:
            parsed, result = import_file(
                content=path.read_bytes(),
                filename=path.name,
                owner=owner,
                only_valid_rows=options["only_valid_rows"],
                confirm_moves=options["confirm_moves"],
            )
        except FileRefused as refused:
            raise CommandError(refused.message)
        except MovesNotConfirmed as refused:
            for move in refused.moves[:200]:
                self.stderr.write(f"row {move.row}: {move.message}")
            raise CommandError(
                f"{len(refused.moves)} units or buildings would move to another Comune: nothing written. "
                "Check them, then run again with --confirm-moves."
            )
        for error in parsed.errors[:200]:
            self.stderr.write(f"row {error.row} · {error.column} · {error.value!r}: {error.message}")
        if len(parsed.errors) > 200:
            self.stderr.write(f"… and {len(parsed.errors) - 200} more problems")
        if result is None:
            raise CommandError(f"{len(parsed.error_rows)} rows have errors: nothing written.")
        for move in result.moves[:200]:
            self.stdout.write(f"row {move.row}: {move.done_message}")
        self.stdout.write(
            f"{owner}: {result.created_units} units created, {result.updated_units} updated, "
            f"{result.unchanged_units} unchanged; buildings {result.created_buildings} created, "
            f"{result.updated_buildings} updated."
        )
