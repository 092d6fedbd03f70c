import signal
import time
from typing import TypedDict, cast

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from platform_app.services.ledger import deliveries_purge, reminders_scan


class _Options(TypedDict):
    interval: float
    once: bool
    verbosity: int


class Command(BaseCommand):
    help = (
        "The reminder loop of the embedded mode: runs the same due-delivery scan that Celery "
        "beat runs in production, every --interval seconds (tasks run eagerly without Redis), "
        "and the daily purge of old message texts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=30.0)
        parser.add_argument("--once", action="store_true", help="scan once and exit")

    def handle(self, *args: object, **options: object) -> None:
        # argparse parsed them as add_arguments declares.
        opts = cast(_Options, options)
        scanning = False
        stopping = False

        def stop(signum: int, frame: object) -> None:
            # Asleep: leave now. Mid-scan: finish it first, so every delivery the scan
            # claimed is sent or released, never left half-done.
            nonlocal stopping
            if not scanning:
                raise SystemExit(0)
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        purged_on = None
        while True:
            scanning = True
            sent = reminders_scan()
            # Beat's daily retention job, here: once on start and then once a day.
            if purged_on != timezone.localdate():
                deliveries_purge()
                purged_on = timezone.localdate()
            scanning = False
            if sent or opts["verbosity"] > 1:
                self.stdout.write(f"Reminder scan: {sent} deliveries due.")
            if opts["once"] or stopping:
                return
            try:
                time.sleep(opts["interval"])
            except KeyboardInterrupt:
                return
