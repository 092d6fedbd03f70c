import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from santaanita.env import env_int, env_str


class Command(BaseCommand):
    help = (
        "Run the platform on one machine: the web server and, beside it, the reminder loop "
        "(without REDIS_URL there is no Celery worker or beat, so the loop sends reminders)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=env_str("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("PORT", 8000))

    def handle(self, *args: Any, **options: Any) -> None:
        loop = None
        if not settings.REDIS_URL:
            loop = subprocess.Popen([sys.executable, "manage.py", "run_reminders"])
            self.stdout.write(f"Reminder loop started (pid {loop.pid}).")
        host, port = options["host"], options["port"]
        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(
            self.style.SUCCESS(f"\nSanta Anita platform: http://{shown_host}:{port}/")
        )
        self.stdout.write(f"Emails are written to {settings.EMAIL_FILE_PATH}/\n")
        # runserver dies on SIGTERM (a service manager, `kill`) without unwinding; turned
        # into an exit, the finally below still stops the reminder loop instead of orphaning it.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            call_command("runserver", f"{shown_host}:{port}", use_reloader=False)
        finally:
            if loop is not None:
                loop.terminate()
                try:
                    loop.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    loop.kill()
