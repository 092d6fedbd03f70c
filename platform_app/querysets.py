"""Reads and row scoping for platform_app's models."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Count, Q

if TYPE_CHECKING:
    pass


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
