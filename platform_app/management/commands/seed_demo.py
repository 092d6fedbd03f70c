import logging
from importlib import import_module
from typing import TypedDict, cast

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import module_has_submodule

from santaanita.env import env_str

DEFAULT_DEMO_PASSWORD = "santaanita-demo"  # noqa: S105 - documented demo login, never in production


class _Options(TypedDict):
    password: str


class Command(BaseCommand):
    help = (
        "Load the Santa Anita demo data and one verified login per role. Each app contributes "
        "its own data through a demo module, in the order of INSTALLED_APPS. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=env_str("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD),
            help="password of the demo logins (default: $DEMO_PASSWORD or %(default)s)",
        )

    def handle(self, *args: object, **options: object) -> None:
        # argparse parsed them as add_arguments declares.
        opts = cast(_Options, options)
        if settings.PRODUCTION:
            raise CommandError("Demo data and demo logins are never created in production.")
        # The command reports its own progress; the services' informational logs (a stage
        # locked, an email sent) would interleave hundreds of lines with it.
        logging.disable(logging.INFO)
        try:
            for app_config in apps.get_app_configs():
                if app_config.path.startswith(str(settings.BASE_DIR)) and module_has_submodule(
                    app_config.module, "demo"
                ):
                    self.stdout.write(f"Demo data: {app_config.verbose_name}…")
                    import_module(f"{app_config.name}.demo").seed(
                        password=opts["password"], out=self.stdout
                    )
        finally:
            logging.disable(logging.NOTSET)
        from platform_app.demo import DEMO_USERS

        self.stdout.write(f"\nDemo logins (password: {opts['password']})")
        width = max(len(str(role.label)) for _email, role, _first, _last in DEMO_USERS)
        for email, role, _first, _last in DEMO_USERS:
            self.stdout.write(f"  {role.label:<{width}}  {email}")
