from pathlib import Path
from typing import TypedDict, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from santaanita.backup import BackupError, backup_restore


class _Options(TypedDict):
    archive: Path
    verbosity: int


class Command(BaseCommand):
    help = (
        "Restore an archive of `manage.py backup` into an EMPTY database and media store, "
        "then check every table's row count and every file's checksum against its manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args: object, **options: object) -> None:
        # argparse parsed them as add_arguments declares.
        opts = cast(_Options, options)
        quiet = opts["verbosity"] == 0
        try:
            manifest, differences = backup_restore(
                archive=opts["archive"],
                progress=lambda line: None if quiet else self.stdout.write(line),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if differences:
            raise CommandError(
                "The restored data differs from the manifest:\n  " + "\n  ".join(differences)
            )
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"OK: {len(manifest['tables'])} tables ({rows} rows) and "
            f"{len(manifest['media'])} media files match the manifest of {manifest['created_at']}."
        )
