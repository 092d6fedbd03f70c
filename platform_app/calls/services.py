"""Who is on a meeting's call list, recording a call, and the outcomes' counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from platform_app.models import (
    Call,
    Contact,
    Meeting,
    Organization,
    OrganizationInvitation,
    User,
)
from platform_app.permissions import require_meeting_action
from santaanita.phones import is_mobile


@dataclass(frozen=True)
class CallListRow:
    invitation: OrganizationInvitation
    contact_name: str
    phone: str
    last: Call | None


def _unreachable(organization: Organization) -> bool:
    """No email and no mobile among its contacts and representatives: only a call (to a
    landline, or nothing written down at all) can tell it about the meeting."""
    for contact in organization.contacts.all():
        if contact.email or (contact.phone and is_mobile(contact.phone)):
            return False
    return not any(
        user.is_active and (user.email or (user.phone and user.phone_verified))
        for user in organization.representatives.all()
    )


def call_list(*, meeting: Meeting) -> list[CallListRow]:
    """The meeting's invited organizations that only a call reaches, by name, each with its
    main contact's name and phone and the latest call's outcome (four queries)."""
    invitations = (
        OrganizationInvitation.objects.filter(meeting=meeting)
        .select_related("organization")
        .prefetch_related(
            Prefetch(
                "organization__contacts",
                queryset=Contact.objects.filter(anonymized_at=None).order_by("-is_primary", "pk"),
            ),
            Prefetch("organization__representatives", queryset=User.objects.all()),
            Prefetch("calls", queryset=Call.objects.order_by("-called_at", "-pk")),
        )
        .order_by("organization__name")
    )
    rows = []
    for invitation in invitations:
        organization = invitation.organization
        if not _unreachable(organization):
            continue
        contacts = list(organization.contacts.all())
        main = contacts[0] if contacts else None
        calls = list(invitation.calls.all())
        rows.append(
            CallListRow(
                invitation=invitation,
                contact_name=main.name if main else "",
                phone=main.phone if main else "",
                last=calls[0] if calls else None,
            )
        )
    return rows


def call_record(*, meeting: Meeting, organization: Organization, outcome: str, actor: User) -> Call:
    """Record a call to an organization invited to ``meeting``. Every call is a new row
    (the desk may call back after no answer); the latest one counts. ``actor`` is the
    desk or coordinator who called: the rule of ``platform_app.permissions`` is asked first."""
    require_meeting_action(actor, meeting, "record_calls")
    if outcome not in Call.Outcome.values:
        raise ValidationError(_("Choose how the call went."), code="outcome")
    invitation = OrganizationInvitation.objects.filter(
        meeting=meeting, organization=organization
    ).first()
    if invitation is None:
        raise ValidationError(
            _("This organization is not invited to the meeting."), code="not_invited"
        )
    return Call.objects.create(invitation=invitation, outcome=outcome, called_by=actor)


def call_counts(*, meeting: Meeting) -> list[tuple[str, int]]:
    """How many invited organizations' latest call had each outcome, every outcome listed
    (two queries whatever the number of calls)."""
    latest: dict[int, str] = {}
    for invitation_id, outcome in (
        Call.objects.filter(invitation__meeting=meeting)
        .order_by("invitation_id", "-called_at", "-pk")
        .values_list("invitation_id", "outcome")
    ):
        latest.setdefault(invitation_id, outcome)
    counted = Counter(latest.values())
    return [(str(label), counted[value]) for value, label in Call.Outcome.choices]
