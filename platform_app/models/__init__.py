"""platform_app's models, one module per area; import them from here."""

from platform_app.decisions.models import (
    Ballot,
    Poll,
    PollAnswer,
    PollOption,
    Vote,
    VoteOption,
)
from platform_app.messaging.models import Channel, Consent, MessagingProfile, Purpose
from platform_app.models.calls import Call
from platform_app.models.codes import CodeGate, CodeRequest, RegistrationCode
from platform_app.models.core import Delivery, District, Sector, User, UserManager
from platform_app.models.meetings import (
    AgendaItem,
    Agreement,
    AgreementFollowUp,
    Attendance,
    Axis,
    Invitation,
    Meeting,
    MeetingFile,
    Member,
    OrganizationInvitation,
    PlatformSettings,
    StakeholderSector,
)
from platform_app.models.registry import (
    Campaign,
    Contact,
    DataRequest,
    Organization,
    OrganizationEvent,
    RegistryImport,
)
from platform_app.models.workplan import (
    Activity,
    GuideRole,
    Objective,
    RoleGuideVersion,
    RoleHolder,
)
from platform_app.outreach.models import Announcement

__all__ = [
    "Activity",
    "AgendaItem",
    "Agreement",
    "AgreementFollowUp",
    "Announcement",
    "Attendance",
    "Axis",
    "Ballot",
    "Call",
    "Campaign",
    "Channel",
    "CodeGate",
    "CodeRequest",
    "Consent",
    "Contact",
    "DataRequest",
    "Delivery",
    "District",
    "GuideRole",
    "Invitation",
    "Meeting",
    "MeetingFile",
    "Member",
    "MessagingProfile",
    "Objective",
    "Organization",
    "OrganizationEvent",
    "OrganizationInvitation",
    "PlatformSettings",
    "Poll",
    "PollAnswer",
    "PollOption",
    "Purpose",
    "RegistrationCode",
    "RegistryImport",
    "RoleGuideVersion",
    "RoleHolder",
    "Sector",
    "StakeholderSector",
    "User",
    "UserManager",
    "Vote",
    "VoteOption",
]
