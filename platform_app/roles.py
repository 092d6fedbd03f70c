"""What the roles may do in this app: the registry, the districts, the delivery ledger and
the collaborative platform. Other apps declare their own grants the same way."""

from __future__ import annotations

from enum import StrEnum

from platform_app.models import Activity as PlanActivity
from platform_app.models import (
    AgendaItem,
    Agreement,
    AgreementFollowUp,
    Announcement,
    Attendance,
    GuideRole,
    Invitation,
    Meeting,
    MeetingFile,
    Member,
    Objective,
    OrganizationInvitation,
    PlatformSettings,
    Poll,
    RoleGuideVersion,
    RoleHolder,
    Vote,
)
from platform_app.permissions import VIEW_ADD_CHANGE, Role, RolePermissions, model_permissions


class PlatformPermission(StrEnum):
    VIEW_DISTRICT = "platform_app.view_district"
    CHANGE_DISTRICT = "platform_app.change_district"
    VIEW_SECTOR = "platform_app.view_sector"
    ADD_SECTOR = "platform_app.add_sector"
    CHANGE_SECTOR = "platform_app.change_sector"
    VIEW_DELIVERY = "platform_app.view_delivery"
    VIEW_ORGANIZATION = "platform_app.view_organization"
    ADD_ORGANIZATION = "platform_app.add_organization"
    CHANGE_ORGANIZATION = "platform_app.change_organization"
    USE_DESK = "platform_app.use_desk"
    VERIFY_ORGANIZATION = "platform_app.verify_organization"
    VIEW_CONTACT_DATA = "platform_app.view_contact_data"
    EXPORT_ORGANIZATION = "platform_app.export_organization"
    VIEW_CONTACT = "platform_app.view_contact"
    VIEW_ORGANIZATIONEVENT = "platform_app.view_organizationevent"
    VIEW_CAMPAIGN = "platform_app.view_campaign"
    ADD_CAMPAIGN = "platform_app.add_campaign"
    CHANGE_CAMPAIGN = "platform_app.change_campaign"
    VIEW_DATAREQUEST = "platform_app.view_datarequest"
    CHANGE_DATAREQUEST = "platform_app.change_datarequest"
    VIEW_MEMBER = "platform_app.view_member"
    VIEW_MEETING = "platform_app.view_meeting"
    VIEW_AGENDAITEM = "platform_app.view_agendaitem"
    VIEW_MEETINGFILE = "platform_app.view_meetingfile"
    VIEW_ATTENDANCE = "platform_app.view_attendance"
    VIEW_AGREEMENT = "platform_app.view_agreement"
    VIEW_AGREEMENTFOLLOWUP = "platform_app.view_agreementfollowup"
    ADD_AGREEMENTFOLLOWUP = "platform_app.add_agreementfollowup"
    VIEW_ROLEGUIDEVERSION = "platform_app.view_roleguideversion"
    ADD_ROLEGUIDEVERSION = "platform_app.add_roleguideversion"
    VIEW_OBJECTIVE = "platform_app.view_objective"
    VIEW_ACTIVITY = "platform_app.view_activity"
    VIEW_CALL = "platform_app.view_call"
    VIEW_VOTE = "platform_app.view_vote"
    SEND_ANNOUNCEMENT = "platform_app.send_announcement"
    ADD_CALL = "platform_app.add_call"


P = PlatformPermission

ROLE_PERMISSIONS: RolePermissions = {
    Role.COORDINATOR: [
        P.VIEW_DISTRICT,
        P.CHANGE_DISTRICT,
        P.VIEW_SECTOR,
        P.ADD_SECTOR,
        P.CHANGE_SECTOR,
        P.VIEW_DELIVERY,
        # organization registry: coordinators verify, export and answer data requests.
        P.VIEW_ORGANIZATION,
        P.ADD_ORGANIZATION,
        P.CHANGE_ORGANIZATION,
        P.USE_DESK,
        P.VERIFY_ORGANIZATION,
        P.VIEW_CONTACT_DATA,
        P.EXPORT_ORGANIZATION,
        P.VIEW_CONTACT,
        P.VIEW_ORGANIZATIONEVENT,
        P.VIEW_CAMPAIGN,
        P.ADD_CAMPAIGN,
        P.CHANGE_CAMPAIGN,
        P.VIEW_DATAREQUEST,
        P.CHANGE_DATAREQUEST,
        # call lists: the organizations no message reaches, and each call's outcome.
        P.VIEW_CALL,
        P.ADD_CALL,
        # collaborative platform: coordinators run meetings and agreements, and invite the
        # registry's organizations to meetings by typology.
        *model_permissions(
            VIEW_ADD_CHANGE,
            Member,
            Invitation,
            Meeting,
            AgendaItem,
            Attendance,
            MeetingFile,
            Agreement,
            AgreementFollowUp,
            RoleGuideVersion,
            GuideRole,
            RoleHolder,
            Objective,
            PlanActivity,
            PlatformSettings,
            OrganizationInvitation,
            # shared decisions: coordinators open and close votes and polls.
            Vote,
            Poll,
            # news on the public pages
            Announcement,
        ),
        P.SEND_ANNOUNCEMENT,
    ],
    Role.DESK: [
        # organization registry: the desk registers and updates, never verifies.
        P.VIEW_ORGANIZATION,
        P.ADD_ORGANIZATION,
        P.CHANGE_ORGANIZATION,
        P.USE_DESK,
        P.VIEW_CONTACT_DATA,
        # The desk phones the invited organizations no message reaches and notes the answer.
        P.VIEW_CALL,
        P.ADD_CALL,
    ],
    Role.MEMBER: [
        # collaborative platform: members see everything of their platform, post follow-ups
        # (only on agreements they are responsible for, checked per object) and propose a new
        # version of the guide of roles.
        P.VIEW_MEMBER,
        P.VIEW_MEETING,
        P.VIEW_AGENDAITEM,
        P.VIEW_MEETINGFILE,
        P.VIEW_ATTENDANCE,
        P.VIEW_AGREEMENT,
        P.VIEW_AGREEMENTFOLLOWUP,
        P.ADD_AGREEMENTFOLLOWUP,
        P.VIEW_ROLEGUIDEVERSION,
        P.ADD_ROLEGUIDEVERSION,
        P.VIEW_OBJECTIVE,
        P.VIEW_ACTIVITY,
        # shared decisions: members see the votes of their platform; casting a ballot is a
        # right of the membership, not of a role (checked per vote: present at the meeting).
        P.VIEW_VOTE,
    ],
}
