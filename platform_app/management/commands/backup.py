from pathlib import Path
from typing import TypedDict, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from santaanita.backup import BackupError, backup_create, backups_prune


class _Options(TypedDict):
    dir: Path | None
    keep: int | None
    verbosity: int


class Command(BaseCommand):
    help = (
        "Write one dated archive of the database, the media and a manifest (row counts, "
        "checksums) to BACKUP_DIR; with --keep N (or BACKUP_KEEP) delete all but the N newest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="default: BACKUP_DIR")
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="archives to keep, newest first (default: BACKUP_KEEP; 0 keeps all)",
        )

    def handle(self, *args: object, **options: object) -> None:
        # argparse parsed them as add_arguments declares.
        opts = cast(_Options, options)
        directory = opts["dir"] or settings.BACKUP_DIR
        keep = settings.BACKUP_KEEP if opts["keep"] is None else opts["keep"]
        if keep < 0:
            raise CommandError("--keep must be 0 (keep all) or more.")
        quiet = opts["verbosity"] == 0
        try:
            archive = backup_create(
                directory=directory,
                progress=lambda line: None if quiet else self.stdout.write(line),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written: {archive} ({archive.stat().st_size} bytes)")
        for old in backups_prune(directory=directory, keep=keep):
            self.stdout.write(f"Removed old backup {old.name}")
