"""Writes of announcements: publish, withdraw and send to one segment on people's channels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from platform_app.messaging import services as messaging
from platform_app.messaging.models import Consent, Purpose
from platform_app.messaging.services import Reach
from platform_app.models import Delivery, District, Organization, Sector, User
from platform_app.outreach.models import Announcement
from platform_app.outreach.permissions import (
    may_change_announcement,
    may_send_announcement,
    may_write_announcements,
)
from platform_app.permissions import Role
from platform_app.services.ledger import delivery_schedule, email_render
from platform_app.services.meetings import organization_recipients
from platform_app.services.places import DISTRICT_PAGES
from santaanita.files import IMAGES, ensure_checked
from santaanita.page_cache import changes_pages

KIND = "announcement.news"


# News shows on the home and district pages, kept for anonymous visitors.
@changes_pages(DISTRICT_PAGES)
def announcement_create(
    *,
    district: District,
    title: str,
    text: str,
    actor: User,
    image: File[bytes] | None = None,
    event_date: date | None = None,
    publish: bool = False,
) -> Announcement:
    """Record a piece of news; published at once (public pages, API) when ``publish``."""
    if not may_write_announcements(actor, district):
        raise PermissionDenied
    announcement = Announcement(
        district=district,
        title=title.strip(),
        text=text.strip(),
        event_date=event_date,
        created_by=actor,
        published_at=timezone.now() if publish else None,
    )
    if image:
        announcement.image = ensure_checked(image, accept=IMAGES)
    announcement.full_clean()
    announcement.save()
    return announcement


@changes_pages(DISTRICT_PAGES)
def announcement_publish(*, announcement: Announcement, actor: User) -> Announcement:
    """Show a draft on the public pages; publishing twice keeps the first date."""
    if not may_change_announcement(actor, announcement):
        raise PermissionDenied
    Announcement.objects.filter(pk=announcement.pk, published_at__isnull=True).update(
        published_at=timezone.now()
    )
    announcement.refresh_from_db(fields=["published_at"])
    return announcement


@changes_pages(DISTRICT_PAGES)
def announcement_withdraw(*, announcement: Announcement, actor: User) -> Announcement:
    """Take the news off the public pages (messages already sent stay sent)."""
    if not may_change_announcement(actor, announcement):
        raise PermissionDenied
    Announcement.objects.filter(pk=announcement.pk).update(published_at=None)
    announcement.published_at = None
    return announcement


@dataclass(frozen=True)
class Audience:
    # address -> (how to reach them, their language)
    recipients: dict[Reach, str]
    without_consent: int  # people of the segment left out: no consent to announcements


def _consenting_users(users: list[User]) -> tuple[dict[Reach, str], int]:
    """Accounts have no general consent to news: only those who said yes to announcements on
    the channel they are reached on (a Consent row, allowed) receive them."""
    reaches = {user: messaging.reach_of_user(user) for user in users if user.is_active}
    allowed = {
        (channel, address)
        for channel, address in Consent.objects.filter(
            purpose=Purpose.ANNOUNCEMENTS, allowed=True
        ).values_list("channel", "address")
    }
    recipients: dict[Reach, str] = {}
    left_out = 0
    for user, reach in reaches.items():
        if reach is not None and (reach.channel, reach.address) in allowed:
            recipients[reach] = user.language
        else:
            left_out += 1
    return recipients, left_out


def announcement_audience(
    *, district: District, sector: Sector | None, typology: str, role: str
) -> Audience:
    """Who a sending reaches. A role names accounts of the district holding it; a sector
    and/or a typology name the live organizations of the district that agreed to receive
    messages (their contacts and representatives); nothing names both: the consenting
    organizations and the accounts that said yes to announcements."""
    if role and (sector is not None or typology):
        raise ValidationError(_("Choose a role, or a sector and/or a typology, not both."))
    if sector is not None and sector.district_id != district.pk:
        raise ValidationError(_("The sector belongs to another district."))
    recipients: dict[Reach, str] = {}
    left_out = 0
    if not role:
        matching = Organization.objects.filter(
            district=district,
            status__in=(Organization.Status.PENDING, Organization.Status.VERIFIED),
        )
        if typology:
            matching = matching.filter(typology=typology)
        if sector is not None:
            matching = matching.filter(sector=sector)
        left_out += matching.filter(messages_consent=False).count()
        consenting = matching.filter(messages_consent=True).prefetch_related(
            "contacts", "representatives__messaging_profile"
        )
        for organization in consenting:
            for reach, language in organization_recipients(organization).items():
                recipients.setdefault(reach, language)
    if role or (sector is None and not typology):
        users = User.objects.filter(district=district).select_related("messaging_profile")
        if role:
            users = users.filter(groups__name=Role(role).value)
        found, without = _consenting_users(list(users.distinct()))
        for reach, language in found.items():
            recipients.setdefault(reach, language)
        left_out += without
    # A refusal (a STOP reply, the opt-out link) always wins over a yes given elsewhere.
    refused = {
        (channel, address)
        for channel, address in Consent.objects.filter(
            purpose=Purpose.ANNOUNCEMENTS, allowed=False
        ).values_list("channel", "address")
    }
    kept = {r: lang for r, lang in recipients.items() if (r.channel, r.address) not in refused}
    return Audience(recipients=kept, without_consent=left_out + len(recipients) - len(kept))


@dataclass(frozen=True)
class SendResult:
    scheduled: int  # messages newly scheduled by this sending
    reached: int  # consenting people in the segment (some may have had it already)
    without_consent: int


def announcement_send(
    *,
    announcement: Announcement,
    actor: User,
    sector: Sector | None = None,
    typology: str = "",
    role: str = "",
) -> SendResult:
    """Send a published announcement to one segment, each person on their own channel.

    One message per address in the delivery ledger (keyed by announcement), so sending again,
    or to an overlapping segment, never writes to anyone twice. Consent is checked again by
    the ledger when each message leaves: a STOP in between still stops it.
    """
    if not may_send_announcement(actor, announcement):
        raise PermissionDenied
    if not announcement.is_published:
        raise ValidationError(_("Publish the announcement before sending it."))
    audience = announcement_audience(
        district=announcement.district, sector=sector, typology=typology, role=role
    )
    link = reverse("platform_app:announcement-detail", args=[announcement.pk])
    already = set(
        Delivery.objects.filter(kind=KIND, object_key=announcement.delivery_key).values_list(
            "recipient", flat=True
        )
    )
    scheduled = 0
    with transaction.atomic():
        for reach, language in audience.recipients.items():
            if reach.address in already:
                continue
            with translation.override(language):
                subject = _("News: %(title)s") % {"title": announcement.title}
            delivery_schedule(
                recipient=reach.address,
                channel=reach.channel,
                link=link,
                kind=KIND,
                object_key=announcement.delivery_key,
                subject=subject,
                text=announcement.title,
                body=email_render(
                    "announcement",
                    {"announcement": announcement, "link": settings.SITE_URL + link},
                    language,
                ),
                language=language,
                district=announcement.district,
            )
            scheduled += 1
        Announcement.objects.filter(pk=announcement.pk).update(
            sent_at=timezone.now(),
            sent_by=actor,
            segment_sector=sector,
            segment_typology=typology,
            segment_role=role,
            recipients_count=Delivery.objects.filter(
                kind=KIND, object_key=announcement.delivery_key
            ).count(),
        )
    announcement.refresh_from_db()
    return SendResult(
        scheduled=scheduled,
        reached=len(audience.recipients),
        without_consent=audience.without_consent,
    )


def announcements_subscribe(*, user: User, allowed: bool) -> bool:
    """Say yes (or no) to the platform's announcements on the channel the person is reached
    on; a no also cancels announcements still waiting for them. False when the account has
    no address to write to."""
    reach = messaging.reach_of_user(user)
    if reach is None:
        return False
    messaging.consent_set(
        channel=reach.channel,
        address=reach.address,
        purpose=Purpose.ANNOUNCEMENTS,
        allowed=allowed,
        source="account",
    )
    return True
