from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformAppConfig(AppConfig):
    name = "platform_app"
    verbose_name = _("Collaborative platform")

    def ready(self) -> None:
        from santaanita.files import configure_pillow

        configure_pillow()
