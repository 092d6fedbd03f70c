from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from platform_app.navigation import NavGroup
    from platform_app.permissions import RolePermissions


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = _("Interventions")

    def role_permissions(self) -> RolePermissions:
        from interventions.roles import ROLE_PERMISSIONS

        return ROLE_PERMISSIONS

    def navigation(self) -> Sequence[NavGroup]:
        from interventions.navigation import interventions_navigation

        return interventions_navigation()
