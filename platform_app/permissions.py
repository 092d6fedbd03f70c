"""Roles of the platform, defined once, and the one question views and the API ask.

*What* a role may do is a Django group with named permissions, created and kept in sync by
migrations (``sync_role_groups``). *Where* is the user's district: staff of one district never
act on another's records. ``can(user, "app.codename", district)`` answers both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from platform_app.models import District, User


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    DESK = "desk", _("Registration desk staff")
    SURVEYOR = "surveyor", _("Surveyor (volunteer)")
    JUDGE = "judge", _("Festival judge")
    MEMBER = "member", _("Platform member")
    REPRESENTATIVE = "representative", _("Organization representative")
    RESIDENT = "resident", _("Resident")


# Permissions granted to each role's group. Later features add their codenames here and a
# migration that calls sync_role_groups() again.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.COORDINATOR: [
        "platform_app.view_district",
        "platform_app.change_district",
        "platform_app.view_sector",
        "platform_app.add_sector",
        "platform_app.change_sector",
        "platform_app.view_delivery",
    ],
    Role.DESK: [],
    Role.SURVEYOR: [],
    Role.JUDGE: [],
    Role.MEMBER: [],
    Role.REPRESENTATIVE: [],
    Role.RESIDENT: [],
}


def sync_role_groups(apps: Any) -> None:
    """Create one group per role and give it exactly the permissions listed above.

    Runs inside migrations, before post_migrate has created model permissions, so it
    creates them first.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted.append(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


def roles_of(user: User | AnonymousUser) -> set[Role]:
    if not user.is_authenticated:
        return set()
    names = {g.name for g in user.groups.all()}
    return {role for role in Role if role.value in names}


def can(user: User | AnonymousUser, perm: str, district: District | None = None) -> bool:
    """May this user do ``perm`` (``"app_label.codename"``), in this district if one is given?"""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not user.has_perm(perm):
        return False
    return district is None or user.district_id == district.pk
