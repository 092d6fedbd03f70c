"""Roles of the platform, defined once, and the one question views and the API ask.

*What* a role may do is a Django group with named permissions, created and kept in sync by
migrations (``sync_role_groups``). *Where* is the user's district: staff of one district never
act on another's records. ``can(user, "app.codename", district)`` answers both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
        # organization registry (issue 3)
        "platform_app.view_organization",
        "platform_app.add_organization",
        "platform_app.change_organization",
        "platform_app.use_desk",
        "platform_app.verify_organization",
        "platform_app.view_contact_data",
        "platform_app.export_organization",
        "platform_app.view_contact",
        "platform_app.view_organizationevent",
        "platform_app.view_campaign",
        "platform_app.add_campaign",
        "platform_app.change_campaign",
        "platform_app.view_datarequest",
        "platform_app.change_datarequest",
        # mapping (issue 4)
        "mapping.view_publicspace",
        "mapping.add_publicspace",
        "mapping.change_publicspace",
        "mapping.view_coverage",
        "mapping.import_publicspace",
        "mapping.view_assignment",
        "mapping.add_assignment",
        "mapping.change_assignment",
        "mapping.delete_assignment",
        "mapping.view_survey",
        "mapping.review_survey",
        "mapping.survey_any_space",
        # problem reports: coordinators moderate, route and close them, and see contacts.
        "mapping.view_report",
        "mapping.moderate_report",
        "mapping.view_report_contact",
        # collaborative platform (issue 5): coordinators run meetings and agreements.
        *[
            f"platform_app.{action}_{model}"
            for model in (
                "member",
                "invitation",
                "meeting",
                "agendaitem",
                "attendance",
                "meetingfile",
                "agreement",
                "agreementfollowup",
                "roleguideversion",
                "guiderole",
                "roleholder",
                "objective",
                "activity",
                "platformsettings",
                # meetings by typology (issue 3, item 7): invitations and attendance
                "organizationinvitation",
                # news on the public pages
                "announcement",
            )
            for action in ("view", "add", "change")
        ],
        # festival (issue 6): coordinators run the edition, confirm teams, lock stages.
        *[
            f"festival.{action}_{model}"
            for model in (
                "edition",
                "stage",
                "team",
                "proposal",
                "workshopsession",
                "workshopattendance",
                "judge",
                "judgeconflict",
                "criterion",
            )
            for action in ("view", "add", "change")
        ],
        "platform_app.send_announcement",
        "festival.view_scoresheet",
        "festival.view_scorechange",
        "festival.lock_stage",
        "festival.override_proposal_sector",
        "festival.mark_outstanding",
        # interventions (issue 7): coordinators run companies, pledges, kits and guides.
        *[
            f"interventions.{action}_{model}"
            for model in (
                "company",
                "fundraisingevent",
                "invitation",
                "pledge",
                "pledgedocument",
                "kittemplate",
                "kittemplateitem",
                "intervention",
                "planphase",
                "milestone",
                "activity",
                "activityphoto",
                "interventionphoto",
                "budgetline",
                "kit",
                "kititem",
                "allocation",
                "kitdelivery",
                "maintenanceguide",
                "maintenancetask",
            )
            for action in ("view", "add", "change")
        ],
        "interventions.view_pledgechange",
        # impact measurement: coordinators keep the baseline figures, the programme's
        # years, the questionnaire, the waves and the sector populations, and collect.
        *[
            f"interventions.{action}_{model}"
            for model in (
                "impactplan",
                "referencevalue",
                "questionnaireversion",
                "wave",
                "sectorpopulation",
            )
            for action in ("view", "add", "change")
        ],
        "interventions.view_perceptionresponse",
        "interventions.collect_perceptionresponse",
    ],
    Role.DESK: [
        # organization registry (issue 3): the desk registers and updates, never verifies.
        "platform_app.view_organization",
        "platform_app.add_organization",
        "platform_app.change_organization",
        "platform_app.use_desk",
        "platform_app.view_contact_data",
        # festival (issue 6): the desk records workshop attendance.
        "festival.add_workshopattendance",
        "festival.view_workshopattendance",
    ],
    Role.SURVEYOR: [
        # mapping (issue 4): surveyors write surveys of the spaces assigned to them.
        "mapping.add_survey",
        "mapping.change_survey",
        "mapping.add_surveyphoto",
        # impact measurement: volunteers collect perception answers on phones or a kiosk.
        "interventions.collect_perceptionresponse",
    ],
    Role.REVIEWER: [
        # mapping (issue 4): the methodology reviewer of San Martín de Porres University
        # approves or returns the district's surveys. Reviewing stays apart from producing
        # the data under review: no assignments, coverage, space editing or surveying.
        "mapping.view_publicspace",
        "mapping.view_survey",
        "mapping.review_survey",
    ],
    Role.JUDGE: [
        # festival (issue 6): judges write their own score sheets (checked per object).
        "festival.view_criterion",
        "festival.add_scoresheet",
        "festival.change_scoresheet",
    ],
    Role.MEMBER: [
        # collaborative platform (issue 5): members see everything of their platform, post
        # follow-ups (only on agreements they are responsible for, checked per object) and
        # propose a new version of the guide of roles.
        "platform_app.view_member",
        "platform_app.view_meeting",
        "platform_app.view_agendaitem",
        "platform_app.view_meetingfile",
        "platform_app.view_attendance",
        "platform_app.view_agreement",
        "platform_app.view_agreementfollowup",
        "platform_app.add_agreementfollowup",
        "platform_app.view_roleguideversion",
        "platform_app.add_roleguideversion",
        "platform_app.view_objective",
        "platform_app.view_activity",
    ],
    Role.REPRESENTATIVE: [
        # festival (issue 6): representatives register their organization's team.
        "festival.add_team",
        "festival.add_proposal",
    ],
    # Companies: which company's pledges and invitations a representative sees is a row per
    # company (interventions.CompanyRepresentative), not a permission over the district.
    Role.COMPANY: ["interventions.act_for_company"],
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
            permission = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            # Another app's models may not be migrated yet at this point of the migration
            # graph; that app's own roles migration (which runs after its models) adds them.
            if permission is not None:
                wanted.append(permission)
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
