from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from platform_app.navigation import NavGroup
    from platform_app.permissions import RolePermissions


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

    def role_permissions(self) -> RolePermissions:
        from platform_app.roles import ROLE_PERMISSIONS

        return ROLE_PERMISSIONS

    def navigation(self) -> Sequence[NavGroup]:
        from platform_app.navigation import platform_navigation

        return platform_navigation()
