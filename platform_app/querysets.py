"""Reads and row scoping for platform_app's models."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Count, Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    # Most are named only as strings by the base classes below, which ruff does not read
    # (a run-time import would be circular).
    from platform_app.models import (  # noqa: F401
        Activity,
        Agreement,
        Campaign,
        Delivery,
        District,
        Meeting,
        Member,
        Objective,
        Organization,
        OrganizationInvitation,
        User,
    )

_QS = TypeVar("_QS", bound="models.QuerySet[Any]")


class DistrictQuerySet(models.QuerySet["District"]):
    def with_sector_count(self) -> DistrictQuerySet:
        return self.annotate(sector_count=Count("sectors"))

    def search(self, text: str) -> DistrictQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(ubigeo__startswith=text))


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def _lease_expired_before(self, now: datetime) -> datetime:
        return now - timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)

    def due(self, now: datetime) -> DeliveryQuerySet:
        """Pending and due, or claimed by a worker that has not finished within its lease."""
        from platform_app.models import Delivery

        return self.filter(
            Q(status=Delivery.Status.PENDING, scheduled_for__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=self._lease_expired_before(now))
        )

    def claim(self, pk: int, now: datetime) -> bool:
        """Move one due delivery to "sending"; True only for the caller whose update won.

        A single conditional UPDATE is atomic in both SQLite and PostgreSQL, so of two
        workers racing for the same row exactly one sees a changed row count of 1.
        """
        from platform_app.models import Delivery

        changed = (
            self.due(now)
            .filter(pk=pk)
            .update(
                status=Delivery.Status.SENDING,
                claimed_at=now,
                attempts=models.F("attempts") + 1,
            )
        )
        return changed == 1


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def desk_open(self, district_id: int, day: date) -> CampaignQuerySet:
        """Campaigns of the district whose desk week includes ``day`` (a Lima date)."""
        return self.filter(district_id=district_id, desk_starts__lte=day, desk_ends__gte=day)

    def current(self, district_id: int, day: date) -> CampaignQuerySet:
        """Campaigns running at the desk or online on ``day``."""
        return self.filter(district_id=district_id).filter(
            Q(desk_starts__lte=day, desk_ends__gte=day)
            | Q(online_starts__lte=day, online_ends__gte=day)
        )


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def public(self) -> OrganizationQuerySet:
        """Verified records whose organization agreed to appear in the public directory."""
        return self.filter(status="verified", directory_consent=True)

    def visible_to(self, user: User | AnonymousUser) -> OrganizationQuerySet:
        """Staff of a district see all its records; representatives also see their own."""
        from platform_app.permissions import can

        if user.is_authenticated and user.is_active:
            if user.is_superuser:
                return self.all()
            if can(user, "platform_app.view_organization") and user.district_id:
                return self.filter(
                    Q(district_id=user.district_id)
                    | Q(status="verified", directory_consent=True)
                    | Q(representatives=user)
                ).distinct()
            return self.filter(
                Q(status="verified", directory_consent=True) | Q(representatives=user)
            ).distinct()
        return self.public()

    def search(self, text: str) -> OrganizationQuerySet:
        from platform_app.models.registry import normalize_name

        normalized = normalize_name(text)
        if not normalized:
            return self
        query = Q()
        for token in normalized.split():
            query &= Q(normalized_name__contains=token)
        return self.filter(query)

    def entered_between(self, start: datetime, end: datetime) -> OrganizationQuerySet:
        return self.filter(created_at__gte=start, created_at__lt=end)

    def progress(self) -> dict[str, int]:
        """The programme's registry targets in one query: organizations mapped (verified)
        and new neighbourhood associations (verified, newly constituted), plus the queue."""
        return self.aggregate(
            mapped=Count("pk", filter=Q(status="verified")),
            new_neighbourhood=Count(
                "pk",
                filter=Q(status="verified", typology="neighbourhood", newly_constituted=True),
            ),
            pending=Count("pk", filter=Q(status="pending")),
        )


def _district_scope(
    qs: _QS, user: User | AnonymousUser, perm: str, district_field: str = "district_id"
) -> _QS:
    """Rows of the user's own district when their role grants ``perm``; nothing otherwise.

    Platform records are the district's internal work: a member of another district, a
    resident or an anonymous visitor must not even learn they exist (views answer 404).
    ``district_field`` is the lookup from the row to its district's id.
    """
    from platform_app.permissions import can

    if not can(user, perm):
        return qs.none()
    if getattr(user, "is_superuser", False):
        return qs
    return qs.filter(**{district_field: getattr(user, "district_id", None)})


class MemberQuerySet(models.QuerySet["Member"]):
    def visible_to(self, user: User | AnonymousUser) -> MemberQuerySet:
        return _district_scope(self, user, "platform_app.view_member")

    def active(self) -> MemberQuerySet:
        return self.filter(status="active", user__is_active=True)


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: User | AnonymousUser) -> MeetingQuerySet:
        return _district_scope(self, user, "platform_app.view_meeting")

    def upcoming(self, now: datetime) -> MeetingQuerySet:
        return self.filter(status="scheduled", starts_at__gte=now).order_by("starts_at")

    def announced_publicly(self) -> MeetingQuerySet:
        """The monthly face-to-face sessions, announced to residents with their place and time.
        Virtual extraordinary sessions stay out: their call link is for members only."""
        return self.filter(kind="ordinary").exclude(status="cancelled")

    def starting_between(self, start: datetime, end: datetime) -> MeetingQuerySet:
        return self.filter(status="scheduled", starts_at__gt=start, starts_at__lte=end)


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def visible_to(self, user: User | AnonymousUser) -> AgreementQuerySet:
        return _district_scope(self, user, "platform_app.view_agreement")

    def open(self) -> AgreementQuerySet:
        return self.filter(status__in=("pending", "in_progress", "blocked"))

    def overdue(self, today: date) -> AgreementQuerySet:
        return self.open().filter(due_date__lt=today)

    def published(self, district: District) -> AgreementQuerySet:
        """The public transparency page: only where the district chose to publish."""
        return self.filter(
            district=district, district__platform_settings__publish_agreements=True
        ).exclude(status="cancelled")

    def for_list(self) -> AgreementQuerySet:
        return self.select_related("agenda_item__meeting").prefetch_related(
            "responsible__user", "responsible_organizations"
        )


class ObjectiveQuerySet(models.QuerySet["Objective"]):
    def visible_to(self, user: User | AnonymousUser) -> ObjectiveQuerySet:
        return _district_scope(self, user, "platform_app.view_objective")


class ActivityQuerySet(models.QuerySet["Activity"]):
    def visible_to(self, user: User | AnonymousUser) -> ActivityQuerySet:
        return _district_scope(self, user, "platform_app.view_activity", "objective__district_id")

    def reportable_by(self, user: User) -> ActivityQuerySet:
        """What the user may report progress on: every activity of their district for
        coordinators, otherwise those they are an active responsible member of."""
        from platform_app.permissions import can

        visible = self.visible_to(user)
        if can(user, "platform_app.change_activity"):
            return visible
        return visible.filter(responsible__user=user, responsible__status="active").distinct()


class OrganizationInvitationQuerySet(models.QuerySet["OrganizationInvitation"]):
    def visible_to(self, user: User | AnonymousUser) -> OrganizationInvitationQuerySet:
        """Coordinators of the meeting's district; the list is registry data (who was asked
        to come), not something platform members or the public see."""
        return _district_scope(
            self, user, "platform_app.view_organizationinvitation", "meeting__district_id"
        )
