from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from platform_app.navigation import NavGroup
    from platform_app.permissions import RolePermissions


class MappingConfig(AppConfig):
    name = "mapping"
    verbose_name = _("Mapping")

    def role_permissions(self) -> RolePermissions:
        from mapping.roles import ROLE_PERMISSIONS

        return ROLE_PERMISSIONS

    def navigation(self) -> Sequence[NavGroup]:
        from mapping.navigation import mapping_navigation

        return mapping_navigation()
