"""Roles of the platform, defined once, and the one question views and the API ask.

*What* a role may do is a Django group with named permissions, created and kept in sync by
migrations (``sync_role_groups``). *Where* is the user's district: staff of one district never
act on another's records. ``can(user, "app.codename", district)`` answers both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from platform_app.models import District, User


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    DESK = "desk", _("Registration desk staff")
    SURVEYOR = "surveyor", _("Surveyor (volunteer)")
    REVIEWER = "reviewer", _("Survey reviewer (university)")
    JUDGE = "judge", _("Festival judge")
    MEMBER = "member", _("Platform member")
    REPRESENTATIVE = "representative", _("Organization representative")
    COMPANY = "company", _("Company representative")
    RESIDENT = "resident", _("Resident")


class Action(StrEnum):
    """The actions of Django's model permissions."""

    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"


def model_permissions(actions: Iterable[Action], *models: type[models.Model]) -> list[str]:
    """``app.action_model`` for each model and action: the names Django gives them."""
    return [
        f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        for model in models
        for action in actions
    ]


VIEW_ADD_CHANGE = (Action.VIEW, Action.ADD, Action.CHANGE)

# What one app grants each role: permission names of its own, as its enum's members.
RolePermissions = Mapping[Role, Sequence[str]]


@runtime_checkable
class DeclaresRoles(Protocol):
    """An app's configuration that grants roles permissions on its own models."""

    def role_permissions(self) -> RolePermissions: ...


def role_permissions() -> dict[Role, list[str]]:
    """The permissions of each role's group: what every installed app grants it.

    Each app declares its own grants (its ``AppConfig.role_permissions``), so this app names
    none of the others'. A new grant needs a migration that calls sync_role_groups() again.
    """
    from django.apps import apps as installed

    granted: dict[Role, list[str]] = {role: [] for role in Role}
    for config in installed.get_app_configs():
        if isinstance(config, DeclaresRoles):
            for role, perms in config.role_permissions().items():
                granted[role].extend(perms)
    return granted


def sync_role_groups(apps: Any) -> None:
    """Create one group per role and give it exactly the permissions the apps grant it.

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
    # One read of every permission instead of one per listed name: this runs in a dozen
    # migrations and again after each transactional test's flush.
    by_name = {
        (app_label, codename): pk
        for pk, app_label, codename in permission_model.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, perms in role_permissions().items():
        group, _created = group_model.objects.get_or_create(name=role.value)
        # Another app's models may not be migrated yet at this point of the migration
        # graph; that app's own roles migration (which runs after its models) adds them.
        wanted = [
            by_name[key] for key in (tuple(dotted.split(".")) for dotted in perms) if key in by_name
        ]
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


def district_for(user: User | AnonymousUser, perm: str) -> District:
    """The district the user works in, when their role grants ``perm`` there.

    Raises PermissionDenied (a 403 in the pages and the API) otherwise, and also for an
    account not yet placed in a district, superusers included: ``can()`` given no district
    checks none, so ``can(user, perm, user.district)`` with a None district would let that
    account act in every district. Views and API permissions ask this helper instead.
    """
    district = user.district if user.is_authenticated else None
    if district is None or not can(user, perm, district):
        raise PermissionDenied
    return district
