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
from rest_framework import permissions as drf_permissions
from rest_framework.permissions import SAFE_METHODS, BasePermission

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from platform_app.models import (
        Activity,
        Agreement,
        DataRequest,
        District,
        Invitation,
        Meeting,
        Member,
        Objective,
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


# --- Meetings, agreements and the work plan --------------------------------------------------
# The district's internal work: every page needs a platform role in the user's district.
# Objects come from ``visible_to(user)``, so another district's meeting, agreement, objective
# or activity is a 404 (not even its existence is told); a visible object whose action is not
# the user's is a 403. The services of this part ask the same predicates of their ``actor``
# (``created_by``/``opened_by``/``user`` where the service already named the person so).

MeetingAction = Literal[
    "view",
    "change",
    "add_file",
    "take_attendance",
    "write_minutes",
    "add_agenda_item",
    "record_agreement",
    "open_vote",
    "view_calls",
    "record_calls",
    "view_invitations",
    "invite",
    "take_organization_attendance",
]
_MEETING_PERMISSIONS: dict[MeetingAction, str] = {
    "view": "platform_app.view_meeting",
    "change": "platform_app.change_meeting",
    "add_file": "platform_app.add_meetingfile",
    "take_attendance": "platform_app.change_attendance",
    "write_minutes": "platform_app.change_agendaitem",
    "add_agenda_item": "platform_app.add_agendaitem",
    "record_agreement": "platform_app.add_agreement",
    "open_vote": "platform_app.add_vote",
    # Call lists carry names and phone numbers: the district's coordinators and desk only.
    "view_calls": "platform_app.view_call",
    "record_calls": "platform_app.add_call",
    # Who was invited is registry data, not something platform members see.
    "view_invitations": "platform_app.view_organizationinvitation",
    "invite": "platform_app.add_organizationinvitation",
    "take_organization_attendance": "platform_app.change_organizationinvitation",
}

# What a role may do in its own district, for the pages that act on the district rather
# than on one object (lists, creation forms) and for the links those pages offer.
WorkAction = Literal[
    "view_meetings",
    "plan_meetings",
    "change_meetings",
    "view_agreements",
    "record_agreements",
    "follow_up_agreements",
    "take_organization_attendance",
    "view_role_guide",
    "propose_role_guide",
    "approve_role_guide",
    "view_work_plan",
    "add_objective",
    "change_objective",
    "add_activity",
    "change_activity",
]
_WORK_PERMISSIONS: dict[WorkAction, str] = {
    "view_meetings": "platform_app.view_meeting",
    "plan_meetings": "platform_app.add_meeting",
    "change_meetings": "platform_app.change_meeting",
    "view_agreements": "platform_app.view_agreement",
    "record_agreements": "platform_app.add_agreement",
    # Members hold it; which agreements are theirs is asked per agreement.
    "follow_up_agreements": "platform_app.add_agreementfollowup",
    "take_organization_attendance": "platform_app.change_organizationinvitation",
    "view_role_guide": "platform_app.view_roleguideversion",
    "propose_role_guide": "platform_app.add_roleguideversion",
    "approve_role_guide": "platform_app.change_roleguideversion",
    "view_work_plan": "platform_app.view_objective",
    "add_objective": "platform_app.add_objective",
    "change_objective": "platform_app.change_objective",
    "add_activity": "platform_app.add_activity",
    "change_activity": "platform_app.change_activity",
}


def may_work(user: User | AnonymousUser, district: District, action: WorkAction) -> bool:
    """May ``user`` do ``action`` in ``district``'s platform?"""
    return can(user, _WORK_PERMISSIONS[action], district)


def require_work(user: User | AnonymousUser, action: WorkAction) -> District:
    """The user's own district when their role grants ``action`` there; 403 otherwise
    (``district_for``: an account without a district acts nowhere)."""
    return district_for(user, _WORK_PERMISSIONS[action])


def may_act_on_meeting(user: User | AnonymousUser, meeting: Meeting, action: MeetingAction) -> bool:
    """May ``user`` do ``action`` on ``meeting`` (a role's permission, in its district)?"""
    return can(user, _MEETING_PERMISSIONS[action], meeting.district)


def get_meeting_for_user(user: User | AnonymousUser, pk: int, *, action: MeetingAction) -> Meeting:
    """The meeting ``pk`` as ``user`` may use it: 404 outside what they see, 403 when they
    see it but ``action`` is not theirs."""
    from platform_app.models import Meeting

    meeting: Meeting = get_object_or_404(
        Meeting.objects.visible_to(user).select_related("district"), pk=pk
    )
    if not may_act_on_meeting(user, meeting, action):
        raise PermissionDenied
    return meeting


def require_meeting_action(
    user: User | AnonymousUser, meeting: Meeting, action: MeetingAction
) -> None:
    """For a service acting for ``user``: refuse (PermissionDenied) what is not theirs."""
    if not may_act_on_meeting(user, meeting, action):
        raise PermissionDenied


def require_work_in(user: User | AnonymousUser, district: District, action: WorkAction) -> None:
    """For a service acting for ``user`` in ``district``: refuse what is not theirs."""
    if not may_work(user, district, action):
        raise PermissionDenied


def may_follow_up_agreement(user: User | AnonymousUser, agreement: Agreement) -> bool:
    """Responsible members report on their agreements; coordinators on any of their
    district's (``change_agreement``)."""
    from platform_app.models import Member

    if can(user, "platform_app.change_agreement", agreement.district):
        return True
    return (
        user.is_authenticated
        and can(user, "platform_app.add_agreementfollowup", agreement.district)
        and agreement.responsible.filter(user=user, status=Member.Status.ACTIVE).exists()
    )


def get_agreement_for_user(
    user: User | AnonymousUser, pk: int, *, action: Literal["view", "follow_up"]
) -> Agreement:
    """The agreement ``pk`` with its list relations: 404 outside what ``user`` sees, 403
    for a follow-up by someone neither responsible nor a coordinator."""
    from platform_app.models import Agreement

    agreement: Agreement = get_object_or_404(
        Agreement.objects.visible_to(user).for_list().select_related("district"), pk=pk
    )
    if action == "follow_up" and not may_follow_up_agreement(user, agreement):
        raise PermissionDenied
    return agreement


def may_report_activity(user: User | AnonymousUser, activity: Activity) -> bool:
    """Active responsible members report on their activities, coordinators on any of
    their district's (``Activity.objects.reportable_by``)."""
    from platform_app.models import Activity

    if not user.is_authenticated:
        return False
    return Activity.objects.reportable_by(user).filter(pk=activity.pk).exists()


def may_change_activity(user: User | AnonymousUser, activity: Activity) -> bool:
    """Coordinators change the plan of their district's activities."""
    return can(user, "platform_app.change_activity", activity.objective.district)


def get_activity_for_user(
    user: User | AnonymousUser, pk: int, *, action: Literal["view", "report", "change"]
) -> Activity:
    """The activity ``pk``: 404 outside the user's district, 403 when the report or the
    change of plan is not theirs."""
    from platform_app.models import Activity

    activity: Activity = get_object_or_404(
        Activity.objects.visible_to(user).select_related("objective__district", "updated_by"),
        pk=pk,
    )
    if action == "report" and not may_report_activity(user, activity):
        raise PermissionDenied
    if action == "change" and not may_change_activity(user, activity):
        raise PermissionDenied
    return activity


def get_objective_for_user(
    user: User | AnonymousUser, pk: int, *, action: Literal["change", "add_activity"]
) -> Objective:
    """The objective ``pk`` to change (404 outside the district, 403 without
    ``change_objective``) or to add an activity to. Adding asks the role first, in the
    user's own district (403), then looks there only (404): as the creation form always did.
    """
    from platform_app.models import Objective

    if action == "add_activity":
        district = require_work(user, "add_activity")
        found: Objective = get_object_or_404(Objective.objects.filter(district=district), pk=pk)
        return found
    objective: Objective = get_object_or_404(
        Objective.objects.visible_to(user).select_related("district"), pk=pk
    )
    if not may_work(user, objective.district, "change_objective"):
        raise PermissionDenied
    return objective


class WorkWritePermission(drf_permissions.IsAuthenticated):
    """The API of meetings, agreements and the work plan: reads need a signed-in account (the
    viewset's ``visible_to`` queryset scopes the rows); a write needs the viewset's
    ``write_actions[method]`` in the user's own district, as the pages ask with
    ``require_work``. The addressed object's own rule is asked again by the service."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        write_actions: Mapping[str, WorkAction] = getattr(view, "write_actions", {})
        action = write_actions.get(request.method or "")
        if action is None:
            return False
        try:
            require_work(request.user, action)
        except PermissionDenied:
            return False
        return True
