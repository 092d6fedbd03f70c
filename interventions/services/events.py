"""Fundraising events: created and edited with a version check, companies invited and their
attendance recorded; company representatives, who answer invitations and may join the
platform as business-sector members.

The services a coordinator or a representative runs take them as ``actor`` (``by`` where the
name is also the author recorded) and ask ``interventions.permissions`` first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from interventions import permissions
from interventions.models import (
    Company,
    CompanyRepresentative,
    FundraisingEvent,
    Invitation,
)
from interventions.perception.services import GENERATION_KEY
from platform_app.models import District, StakeholderSector, User
from platform_app.models import Member as PlatformMember
from platform_app.permissions import Role
from platform_app.services.members import member_invite
from platform_app.services.places import user_grant_role
from santaanita.page_cache import changes_pages
from santaanita.versioned import lock_at_version

# --- Fundraising events ---------------------------------------------------------------


@changes_pages(GENERATION_KEY)
def event_create(
    *,
    actor: User,
    district: District,
    name: str,
    date: date,
    place: str = "",
    description: str = "",
) -> FundraisingEvent:
    if not permissions.may_add_event(actor, district):
        raise PermissionDenied
    event = FundraisingEvent(
        district=district, name=name, date=date, place=place, description=description
    )
    event.full_clean()
    event.save()
    return event


@changes_pages(GENERATION_KEY)
def event_update(
    *,
    actor: User,
    event: FundraisingEvent,
    version: int,
    name: str,
    date: date,
    place: str = "",
    description: str = "",
) -> FundraisingEvent:
    """Correct an event's name, date, venue and description.

    ``version`` is the one the form was read at. The row is locked while it is compared, so
    of two coordinators correcting the same event at once the second gets StaleEdit
    (with the current event) instead of silently undoing the first's correction, as
    ``pledge_update`` does. A double tap's second copy never gets here: the event page's
    forms carry a once-token. An edit that changes nothing does not bump the version, so it
    cannot make a colleague's open form stale. Invitations and attendance do not touch the
    version: they are rows of their own, saved by ``event_invite`` and
    ``event_attendance_record``.
    """
    if not permissions.may_change_event(actor, event):
        raise PermissionDenied
    wanted = {"name": name, "date": date, "place": place, "description": description}
    with transaction.atomic():
        locked = lock_at_version(FundraisingEvent.objects.filter(pk=event.pk), version=version)
        if {field: getattr(locked, field) for field in FundraisingEvent.DETAILS} == wanted:
            return locked
        for field, value in wanted.items():
            setattr(locked, field, value)
        locked.full_clean()
        locked.version += 1
        locked.save(update_fields=[*FundraisingEvent.DETAILS, "version"])
    return locked


def event_invite(*, actor: User, event: FundraisingEvent, companies: Iterable[Company]) -> int:
    """Invite companies of the event's district; returns how many were newly invited.

    Inviting a company twice is a no-op: two coordinators inviting the same company at the
    same moment both pass the "not yet invited" read, and the unique key (event, company)
    with ``ignore_conflicts`` keeps one row instead of failing the second request.
    """
    if not permissions.may_invite_to_event(actor, event):
        raise PermissionDenied
    companies = list(companies)
    if any(company.district_id != event.district_id for company in companies):
        raise ValidationError(_("Only companies of the event's district can be invited."))
    already = set(
        Invitation.objects.filter(event=event, company__in=companies).values_list(
            "company_id", flat=True
        )
    )
    new = [Invitation(event=event, company=c) for c in companies if c.pk not in already]
    Invitation.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@dataclass(frozen=True)
class InvitationAnswer:
    """A company's answer to an invitation and whether it came, as recorded by hand."""

    invitation_id: int
    status: str
    attended: bool


@changes_pages(GENERATION_KEY)
def event_attendance_record(
    *, actor: User, event: FundraisingEvent, answers: Sequence[InvitationAnswer]
) -> int:
    """Record the answers and attendance given; returns how many invitations changed.

    Callers pass only the rows the coordinator changed (the form compares with what it
    showed), so two coordinators ticking different companies at the same time do not undo
    each other's ticks.
    """
    if not permissions.may_record_attendance(actor, event):
        raise PermissionDenied
    by_id = {answer.invitation_id: answer for answer in answers}
    statuses = set(Invitation.Status.values)
    if any(answer.status not in statuses for answer in answers):
        raise ValidationError(_("Unknown answer to an invitation."))
    with transaction.atomic():
        # Locked so that each row is compared and written in one step: two saves of the same
        # row queue up instead of interleaving their reads and writes.
        invitations = list(Invitation.objects.select_for_update().filter(event=event, pk__in=by_id))
        if len(invitations) != len(by_id):
            raise ValidationError(_("Some invitations are not of this event."))
        changed = []
        for invitation in invitations:
            answer = by_id[invitation.pk]
            if (invitation.status, invitation.attended) != (answer.status, answer.attended):
                invitation.status, invitation.attended = answer.status, answer.attended
                changed.append(invitation)
        Invitation.objects.bulk_update(changed, ["status", "attended"])
    return len(changed)


def _verified_user(email: str) -> User | None:
    verified = EmailAddress.objects.filter(email__iexact=email, verified=True)
    address = verified.select_related("user").first()
    return address.user if address is not None else None


def company_representative_add(
    *, company: Company, email: str, added_by: User | None
) -> CompanyRepresentative:
    """Name a person who acts for the company. Tied at once to the account that already
    proved this address, else when that person signs in (``company_representatives_link``).
    Adding the same address twice keeps one row (unique per company and address)."""
    email = email.strip().lower()
    with transaction.atomic():
        representative, _created = CompanyRepresentative.objects.get_or_create(
            company=company, email=email, defaults={"added_by": added_by}
        )
        user = _verified_user(email)
        if user is not None and representative.user_id is None:
            _representative_tie(representative, user)
    return representative


def _representative_tie(representative: CompanyRepresentative, user: User) -> None:
    representative.user = user
    representative.save(update_fields=["user"])
    user_grant_role(user=user, role=Role.COMPANY, district=representative.company.district)


def company_representatives_link(*, user: User) -> int:
    """Tie the pending representations named for this person's verified addresses to them."""
    emails = list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    pending = CompanyRepresentative.objects.filter(
        user__isnull=True, email__in=[e.lower() for e in emails]
    ).select_related("company__district")
    count = 0
    with transaction.atomic():
        for representative in pending:
            _representative_tie(representative, user)
            count += 1
    return count


def invitation_answer(*, invitation: Invitation, status: str, by: User) -> Invitation:
    """A company's representative confirms or declines the company's invitation."""
    if status not in (Invitation.Status.CONFIRMED, Invitation.Status.DECLINED):
        raise ValidationError(_("Unknown answer to an invitation."))
    # Told as a message, not a 403: the representative sees the invitation on their page.
    if not permissions.may_answer_invitation(by, invitation):
        raise ValidationError(_("Only the company's representatives answer its invitations."))
    if invitation.event.date < timezone.localdate():
        raise ValidationError(_("The event has already taken place."))
    Invitation.objects.filter(pk=invitation.pk).update(status=status)
    invitation.status = status
    return invitation


def company_invite_to_platform(
    *,
    invitation: Invitation,
    by: User,
    accept_url: Callable[[str], str],
) -> CompanyRepresentative:
    """From the fundraising event, invite the company's contact person to the collaborative
    platform as a member of the business sector, and name them its representative."""
    if not permissions.may_invite_to_platform(by, invitation.event):
        raise PermissionDenied
    company = invitation.company
    if not company.contact_email:
        raise ValidationError(_("The company has no contact email to send the invitation to."))
    with transaction.atomic():
        representative = company_representative_add(
            company=company, email=company.contact_email, added_by=by
        )
        first, _space, last = company.contact_name.partition(" ")
        member_invite(
            district=company.district,
            email=company.contact_email,
            sector=StakeholderSector.BUSINESS,
            # The form of the event asks no age; the person corrects it with the coordinators.
            age_group=PlatformMember.AgeGroup.ADULT,
            invited_by=by,
            accept_url=accept_url,
            first_name=first,
            last_name=last,
        )
    return representative
