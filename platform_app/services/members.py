"""Platform members: invitations by email, joining, status and the personal calendar feed.

Each write for a person asks ``platform_app.permissions`` first. The person is ``actor``,
except where the name says who they are in the record: ``invited_by`` (the coordinator the
invitation names) and ``user`` (the account that joins).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from platform_app.models import (
    District,
    Invitation,
    Member,
    Organization,
    User,
)
from platform_app.permissions import (
    Role,
    may_accept_invitation,
    may_change_member,
    may_invite_members,
    may_reset_feed,
)
from platform_app.services.ledger import delivery_schedule, email_render
from platform_app.services.places import user_grant_role

# --- Collaborative platform: members, meetings, agreements, reminders ------------------

INVITATION_SALT = "platform_app.member-invitation"
INVITATION_MAX_AGE = 60 * 60 * 24 * 30  # a month to accept


# Members and invitations


def member_invite(
    *,
    district: District,
    email: str,
    sector: str,
    age_group: str,
    invited_by: User,
    accept_url: Callable[[str], str],
    organization: Organization | None = None,
    first_name: str = "",
    last_name: str = "",
) -> Invitation:
    """Record an invitation and email its signed link (valid for a month)."""
    if not may_invite_members(invited_by, district):
        raise PermissionDenied
    with transaction.atomic():
        invitation = Invitation.objects.create(
            district=district,
            email=email.strip().lower(),
            sector=sector,
            age_group=age_group,
            organization=organization,
            first_name=first_name,
            last_name=last_name,
            invited_by=invited_by,
        )
        token = signing.dumps(invitation.pk, salt=INVITATION_SALT)
        context = {"invitation": invitation, "link": accept_url(token), "district": district}
        language = settings.LANGUAGE_CODE
        existing = User.objects.filter(email=invitation.email).first()
        if existing is not None:
            language = existing.language
        with translation.override(language):
            subject = _("Invitation to the Collaborative Platform of %(district)s") % {
                "district": district.name
            }
        delivery_schedule(
            recipient=invitation.email,
            kind="platform.invitation",
            object_key=f"invitation:{invitation.pk}",
            subject=subject,
            body=email_render("invitation", context, language),
            language=language,
            district=district,
        )
    return invitation


def invitation_from_token(*, token: str) -> Invitation | None:
    """The invitation a link points to, if the signature is valid and recent."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("district").filter(pk=pk).first()


def member_join(*, invitation: Invitation, user: User) -> Member:
    """Make ``user`` a member as the invitation says; joining again reactivates."""
    if not may_accept_invitation(user, invitation):
        raise PermissionDenied
    with transaction.atomic():
        member, created = Member.objects.get_or_create(
            district=invitation.district,
            user=user,
            defaults={
                "sector": invitation.sector,
                "age_group": invitation.age_group,
                "organization": invitation.organization,
            },
        )
        if not created and member.status != Member.Status.ACTIVE:
            member.status = Member.Status.ACTIVE
            member.save(update_fields=["status"])
        user_grant_role(user=user, role=Role.MEMBER, district=invitation.district)
        Invitation.objects.filter(pk=invitation.pk).update(
            accepted_at=timezone.now(), member=member
        )
    return member


def invitation_accept_new_account(
    *, invitation: Invitation, first_name: str, last_name: str, password: str, language: str
) -> User:
    """Create the account an invitation is for. The signed link proved the address, so the
    email is recorded as verified."""
    with transaction.atomic():
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            language=language,
            district=invitation.district,
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        member_join(invitation=invitation, user=user)
    return user


def member_set_status(*, member: Member, status: str, actor: User) -> Member:
    """Change a member's status; members who leave lose the member role's access."""
    if not may_change_member(actor, member):
        raise PermissionDenied
    with transaction.atomic():
        member.status = status
        member.save(update_fields=["status"])
        if status == Member.Status.LEFT:
            member.user.groups.remove(Group.objects.get(name=Role.MEMBER.value))
        else:
            user_grant_role(user=member.user, role=Role.MEMBER)
    return member


def member_update(
    *, member: Member, fields: Mapping[str, object], actor: User, status: str | None = None
) -> Member:
    """A coordinator's change of a member's sector, organization or age group (``fields``,
    those sent) and status, in one transaction."""
    if not may_change_member(actor, member):
        raise PermissionDenied
    with transaction.atomic():
        for name, value in fields.items():
            setattr(member, name, value)
        if fields:
            member.save(update_fields=list(fields))
        if status and status != member.status:
            member_set_status(member=member, status=status, actor=actor)
    return member


def member_feed_token_reset(*, member: Member, actor: User) -> Member:
    """Revoke the calendar feed address: the old secret URL stops working at once."""
    import secrets

    if not may_reset_feed(actor, member):
        raise PermissionDenied

    member.feed_token = secrets.token_urlsafe(32)
    member.save(update_fields=["feed_token"])
    return member
