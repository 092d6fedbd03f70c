import signal
import subprocess
import sys
from typing import TypedDict, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from santaanita.env import env_int, env_str


class _Options(TypedDict):
    host: str
    port: int


class Command(BaseCommand):
    help = (
        "Run the platform on one machine the way production does: gunicorn with the "
        "production configuration (deploy/gunicorn.conf.py), static files through WhiteNoise, "
        "and, beside it, the reminder loop (without REDIS_URL there is no Celery worker or "
        "beat, so the loop sends reminders)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=env_str("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("PORT", 8000))

    def handle(self, *args: object, **options: object) -> None:
        # argparse parsed them as add_arguments declares.
        opts = cast(_Options, options)
        host, port = opts["host"], opts["port"]
        shown_host = f"[{host}]" if ":" in host else host
        web_command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(settings.BASE_DIR / "deploy" / "gunicorn.conf.py"),
            "--chdir",
            str(settings.BASE_DIR),
            "--bind",
            f"{shown_host}:{port}",
            # Exports and imports run inside the request when tasks run eagerly.
            "--timeout",
            "120",
        ]
        if not settings.REDIS_URL:
            # One process: the embedded mode's cache lives in process memory, and a second
            # process would keep its own (rate limits, cached pages that an edit refreshes).
            web_command += ["--workers", "1", "--threads", "8"]
        web_command.append("santaanita.wsgi")

        loop = None
        if not settings.REDIS_URL:
            loop = subprocess.Popen([sys.executable, "manage.py", "run_reminders"])
            self.stdout.write(f"Reminder loop started (pid {loop.pid}).")
        self.stdout.write(
            self.style.SUCCESS(f"\nSanta Anita platform: http://{shown_host}:{port}/")
        )
        self.stdout.write(f"Emails are written to {settings.EMAIL_FILE_PATH}/")
        if settings.DEBUG:
            self.stdout.write(
                self.style.WARNING(
                    "Debugging is ON: an error shows code and settings to whoever caused it. "
                    "Never use it on a shared network.\n"
                )
            )
        else:
            self.stdout.write(
                "Debugging is off: an error shows the platform's error page. "
                "To see tracebacks on your own machine: DEBUG=1 make run\n"
            )
        self.stdout.flush()
        web = subprocess.Popen(web_command)  # noqa: S603 - our interpreter, our arguments
        # A service manager or `kill` sends SIGTERM to this process only; turned into an exit,
        # the finally below stops the web server and the reminder loop instead of orphaning them.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            status = web.wait()
        finally:
            for child in (web, loop):
                if child is not None and child.poll() is None:
                    child.terminate()
            for child in (web, loop):
                if child is None:
                    continue
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
        if status != 0:
            raise CommandError(f"The web server stopped with exit status {status}.")
