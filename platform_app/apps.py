from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformAppConfig(AppConfig):
    name = "platform_app"
    verbose_name = _("Collaborative platform")

    def ready(self) -> None:
        from santaanita.dates import install_date_rules
        from santaanita.files import configure_pillow
        from santaanita.forms import install_constraint_message
        from santaanita.text import install_text_rules

        configure_pillow()
        install_text_rules()
        install_date_rules()
        install_constraint_message()
