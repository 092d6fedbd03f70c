"""Reads and row scoping of problem reports."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from platform_app.permissions import can

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from mapping.reports_models import Report  # noqa: F401
    from platform_app.models import User


class ReportQuerySet(models.QuerySet["Report"]):
    def visible_to(self, user: User | AnonymousUser) -> ReportQuerySet:
        """Reports are public once sent, except those a moderator hid (abusive or personal
        content): those stay visible to the moderators of their district only."""
        if user.is_authenticated and user.is_superuser:
            return self
        if user.is_authenticated and can(user, "mapping.moderate_report"):
            return self.filter(Q(hidden=False) | Q(district_id=user.district_id))
        return self.filter(hidden=False)

    def workable_by(self, user: User | AnonymousUser) -> ReportQuerySet:
        """Reports whose status ``user`` may move: every report of a moderator's district,
        and the reports routed to an organization the user represents."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        mine = Q(organization__representatives=user)
        if can(user, "mapping.moderate_report") and user.district_id is not None:
            mine |= Q(district_id=user.district_id)
        return self.filter(mine).distinct()

    def public(self) -> ReportQuerySet:
        return self.filter(hidden=False)

    def open(self) -> ReportQuerySet:
        from mapping.reports_models import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)

    def awaiting_moderation(self) -> ReportQuerySet:
        """Received and never looked at by a coordinator: the moderation queue."""
        from mapping.reports_models import ReportStatus

        return self.filter(status=ReportStatus.RECEIVED, moderated_at__isnull=True)

    def in_window(self, west: float, south: float, east: float, north: float) -> ReportQuerySet:
        return self.filter(
            longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north
        )

    def followup_due(self, now: datetime) -> ReportQuerySet:
        from mapping.reports_models import ReportStatus

        return self.filter(followup_due_at__lte=now, status=ReportStatus.FIXED)
