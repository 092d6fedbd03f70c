"""Roles of the platform, defined once, and every rule of platform_app about who may do what.

*What* a role may do is a Django group with named permissions, created and kept in sync by
migrations (``sync_role_groups``). *Where* is the user's district: staff of one district never
act on another's records. ``can(user, "app.codename", district)`` answers both.

The rule, the same in every app (a slice such as ``decisions/`` keeps its own module):

- rules are small predicates ``may_<verb>_<noun>(user, obj)`` built on ``can``; no other
  module asks ``can`` or ``has_perm`` with a permission name (``visible_to`` row scoping
  in the querysets excepted);
- ``get_<noun>_for_user(user, key, *, action)`` fetches what a view or API action addresses:
  404 when the user may not know it exists, 403 when they see it but ``action`` is not
  theirs; ``require_<action>(user)`` returns the district of a page that acts on one;
- views and API actions call these first; services acting for a person take them as
  ``actor`` and ask the same predicate (``PermissionDenied`` otherwise), so a new API write
  or task cannot skip it; what the system runs on its own takes no actor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest
    from rest_framework.request import Request

    from platform_app.models import (
        DataRequest,
        District,
        Invitation,
        Member,
        Organization,
        RegistryImport,
        User,
    )


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


# --- Registry, members and accounts ------------------------------------------------------
# Pages that act on the user's own district (the desk, verification, the rights requests, the
# member list) ask ``require_<action>``; objects addressed by code, id or token come through
# ``get_<noun>_for_user``, which answers 404 for another district's record (staff of one
# district never learn what another holds) and 403 for a visible one that is not theirs. The
# model imports are local: the models import this module for ``Role``.

OrganizationAction = Literal["view", "edit", "desk", "verify"]


def require_desk(user: User | AnonymousUser) -> District:
    """The district whose registration desk the user staffs (``use_desk``)."""
    return district_for(user, "platform_app.use_desk")


def require_verifier(user: User | AnonymousUser) -> District:
    """The district whose registry the user verifies and imports (coordinators)."""
    return district_for(user, "platform_app.verify_organization")


def require_registry_export(user: User | AnonymousUser) -> District:
    return district_for(user, "platform_app.export_organization")


def require_data_rights(user: User | AnonymousUser) -> District:
    """The district whose data subjects' requests the user answers."""
    return district_for(user, "platform_app.change_datarequest")


def require_platform_member(user: User | AnonymousUser) -> District:
    """The district of the user's platform (its home page, their preferences)."""
    return district_for(user, "platform_app.view_meeting")


def require_member_list(user: User | AnonymousUser) -> District:
    return district_for(user, "platform_app.view_member")


def require_messaging_usage(user: User | AnonymousUser) -> District:
    """The district whose message bill the user watches: those who send the convocations."""
    return district_for(user, "platform_app.add_meeting")


def may_use_desk(user: User | AnonymousUser, district: District) -> bool:
    return can(user, "platform_app.use_desk", district)


def may_set_desk_contact(user: User | AnonymousUser, district: District) -> bool:
    """Coordinators say where and when residents find their district's desk."""
    return can(user, "platform_app.change_district", district)


def may_see_contact_data(user: User | AnonymousUser, district: District | None = None) -> bool:
    """Contacts are personal data: only registry staff granted them see them (in their
    district when one is given; the API scopes its rows to the district itself)."""
    return can(user, "platform_app.view_contact_data", district)


def may_edit_organization(user: User | AnonymousUser, organization: Organization) -> bool:
    """A representative edits their own organization's record (changes to a verified one go
    back to review); the desk staff of its district correct any of its records."""
    return organization.is_represented_by(user) or may_use_desk(user, organization.district)


def may_verify_organization(user: User | AnonymousUser, organization: Organization) -> bool:
    return can(user, "platform_app.verify_organization", organization.district)


def may_import_registry(user: User | AnonymousUser, district: District) -> bool:
    return can(user, "platform_app.verify_organization", district)


def may_answer_data_request(user: User | AnonymousUser, data_request: DataRequest) -> bool:
    return can(user, "platform_app.change_datarequest", data_request.district)


def may_invite_members(user: User | AnonymousUser, district: District) -> bool:
    return can(user, "platform_app.add_invitation", district)


def may_change_member(user: User | AnonymousUser, member: Member) -> bool:
    """Coordinators change a member's sector, group or status."""
    return can(user, "platform_app.change_member", member.district)


def may_manage_platform(user: User | AnonymousUser, district: District) -> bool:
    """Coordinators schedule the meetings: the home page shows them the tools to."""
    return can(user, "platform_app.add_meeting", district)


def may_reset_feed(user: User | AnonymousUser, member: Member) -> bool:
    """The calendar address is the member's own secret: only they renew it."""
    return user.is_authenticated and member.user_id == user.pk


def may_accept_invitation(user: User | AnonymousUser, invitation: Invitation) -> bool:
    """An invitation joins the account of the address it was sent to, and no other."""
    return user.is_authenticated and user.email.lower() == invitation.email


def member_of(user: User | AnonymousUser, district: District) -> Member | None:
    """The user's membership of the district's platform, if they have one."""
    from platform_app.models import Member

    if not user.is_authenticated:
        return None
    return Member.objects.filter(user=user, district=district).first()


class MemberPermission(BasePermission):
    """The members API: the district's platform reads (its queryset scopes the rows, so
    another district's member is a 404); coordinators change a member."""

    def has_permission(self, request: Request, view: object) -> bool:
        if not request.user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return True
        # An account without a district changes nobody (``district_for``), as in the pages.
        try:
            district_for(request.user, "platform_app.change_member")
        except PermissionDenied:
            return False
        return True

    def has_object_permission(self, request: Request, view: object, obj: object) -> bool:
        from platform_app.models import Member

        if request.method in SAFE_METHODS:
            return True
        return isinstance(obj, Member) and may_change_member(request.user, obj)


def get_organization_for_user(
    user: User | AnonymousUser, code: str, *, action: OrganizationAction
) -> Organization:
    """The organization with this registration code as ``user`` may use it.

    ``view`` and ``edit`` start from what the user may see (``visible_to``): 404 otherwise,
    403 when they see it but do not represent it. ``desk`` and ``verify`` are pages of the
    user's own district: 403 without the role, then 404 for a record of another district.
    """
    from platform_app.models import Organization

    if action in ("desk", "verify"):
        district = require_desk(user) if action == "desk" else require_verifier(user)
        return get_object_or_404(
            Organization.objects.select_related("sector", "entered_by", "merged_into"),
            district=district,
            registration_code=code,
        )
    organization = (
        Organization.objects.visible_to(user)
        .select_related("sector", "district")
        .filter(registration_code=code)
        .first()
    )
    if organization is None:
        raise Http404
    if action == "edit" and not organization.is_represented_by(user):
        raise PermissionDenied
    return organization


# The session key listing the registrations this browser sent (the registry's public form).
SUBMITTED_SESSION_KEY = "registry_submitted"


def get_submitted_organization(request: HttpRequest, code: str) -> Organization:
    """A registration this browser sent, for the pages that follow the public form.

    Only the browser that submitted may see a pending record's confirmation, confirm its
    mobile or ask for codes again: registration codes are sequential, so otherwise anyone
    could read pending records or make the platform text someone else's mobile. 404 else.
    """
    from platform_app.models import Organization

    organization: Organization = get_object_or_404(Organization, registration_code=code)
    if organization.pk not in request.session.get(SUBMITTED_SESSION_KEY, []):
        raise Http404
    return organization


def get_data_request_for_user(user: User | AnonymousUser, pk: int) -> DataRequest:
    """A confirmed request of the user's district, for the staff who answer them (an
    unconfirmed one may be someone typing another person's address: nobody acts on it)."""
    from platform_app.models import DataRequest

    district = require_data_rights(user)
    return get_object_or_404(
        DataRequest.objects.exclude(status=DataRequest.Status.UNCONFIRMED),
        district=district,
        pk=pk,
    )


def get_registry_import_for_user(user: User | AnonymousUser, token: str) -> RegistryImport:
    """An import of the user's district; 404 for another district's or an unknown token (the
    token is random, but a coordinator of Ate has no business polling ours)."""
    from platform_app.models import RegistryImport

    district = require_verifier(user)
    return get_object_or_404(RegistryImport, token=token, district=district)
