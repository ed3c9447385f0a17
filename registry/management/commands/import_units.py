import time
from dataclasses import replace
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.tabular import FileRefused, Limits
from registry.models import Entity
from registry.stock.services import import_file
from registry.stock.writer import MovesNotConfirmed

# An initial load of the register (a region's whole stock, a national test load) is one
# file of up to a few million rows, given by an administrator on the server: the admin's
# upload limits (PUSH_MAX_IMPORT_BYTES, PUSH_MAX_ROWS) do not apply here. Cells and lines
# keep their limits; the file is streamed (read, validated and written in one pass).
INITIAL_LOAD_MAX_ROWS = 5_000_000


class Command(BaseCommand):
    help = (
        "Import a units file (CSV or XLSX, the admin's format) for an owner, through the same "
        "validation and writing as the admin. Nothing is written if any row is invalid, unless "
        "--only-valid-rows is given, nor if existing units would change Comune, unless "
        "--confirm-moves is given. For initial loads of the property register: the admin's "
        "upload size and row limits (PUSH_MAX_IMPORT_BYTES, PUSH_MAX_ROWS) do not apply, "
        "--max-rows does."
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
        parser.add_argument(
            "--max-rows",
            type=int,
            default=INITIAL_LOAD_MAX_ROWS,
            help=f"Refuse files of more lines than this, the header included (default {INITIAL_LOAD_MAX_ROWS:,})",
        )

    def handle(self, *args, **options):
        path = Path(options["path"])
        try:
            owner = Entity.objects.exclude(kind="region").get(code=options["owner"])
        except Entity.DoesNotExist:
            raise CommandError(f"No ARCA or Comune has PUSH code {options['owner']}.")
        # An XLSX keeps the unpacked-size limit (a workbook holds at most 1,048,576 rows
        # anyway): initial loads come as CSV.
        limits = replace(Limits.from_settings(), rows=options["max_rows"])
        started = time.perf_counter()
        try:
            parsed, result = import_file(
                content=path.read_bytes(),
                filename=path.name,
                owner=owner,
                only_valid_rows=options["only_valid_rows"],
                confirm_moves=options["confirm_moves"],
                limits=limits,
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
            if parsed.total_rows == 0 and not parsed.errors:
                raise CommandError("The file has headers but no rows of data: nothing written.")
            raise CommandError(f"{len(parsed.error_rows)} rows have errors: nothing written.")
        for move in result.moves[:200]:
            self.stdout.write(f"row {move.row}: {move.done_message}")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{owner}: {result.created_units} units created, {result.updated_units} updated, "
            f"{result.unchanged_units} unchanged; buildings {result.created_buildings} created, "
            f"{result.updated_buildings} updated ({parsed.total_rows} rows in {elapsed:.1f} s)."
        )
