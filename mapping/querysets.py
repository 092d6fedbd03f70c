"""Reads and row scoping of the mapping app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q

from platform_app.permissions import can

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from mapping.models import Assignment, PublicSpace, Survey  # noqa: F401
    from platform_app.models import District, User


def bbox_lookups(west: float, south: float, east: float, north: float) -> dict[str, float]:
    """The lookups of a map window: the spaces whose bounding box meets it.

    The index leads with ``min_lon``; no space is wider than ``MAX_SPAN_DEGREES``, so
    ``min_lon`` also has a lower bound and the scan covers a strip of the window's width
    instead of every space west of its east edge. The other three conditions are checked
    on the index entries themselves. (The map endpoint compiles this once and binds new
    values per request, so every value here is a plain lookup value.)
    """
    from mapping.models import MAX_SPAN_DEGREES

    return {
        "min_lon__gte": west - MAX_SPAN_DEGREES,
        "min_lon__lte": east,
        "max_lon__gte": west,
        "min_lat__lte": north,
        "max_lat__gte": south,
    }


class PublicSpaceQuerySet(models.QuerySet["PublicSpace"]):
    def visible_to(self, user: User | AnonymousUser) -> PublicSpaceQuerySet:
        """Every public space is public: the map and its pages are for everyone."""
        return self

    def editable_by(self, user: User | AnonymousUser) -> PublicSpaceQuerySet:
        """Spaces of the user's district, for those allowed to change spaces."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        # Without a district, no space is theirs (every space has one).
        if not can(user, "mapping.change_publicspace") or user.district_id is None:
            return self.none()
        return self.filter(district_id=user.district_id)

    def assigned_to(self, user: User | AnonymousUser) -> PublicSpaceQuerySet:
        """Spaces a surveyor has an active assignment for (none for anyone else)."""
        if not user.is_authenticated:
            return self.none()
        from mapping.models import Assignment

        return self.filter(
            Exists(Assignment.objects.active().filter(space=OuterRef("pk"), surveyor=user))
        )

    def in_bbox(self, west: float, south: float, east: float, north: float) -> PublicSpaceQuerySet:
        """Spaces whose bounding box meets the window; a range query on publicspace_bbox_idx
        (see ``bbox_lookups``)."""
        return self.filter(**bbox_lookups(west, south, east, north))

    def in_district(self, district: District) -> PublicSpaceQuerySet:
        return self.filter(district=district)

    def with_organization(self, value: bool) -> PublicSpaceQuerySet:
        from mapping.models import PublicSpace

        through = PublicSpace.organizations.through
        has = Exists(through.objects.filter(publicspace_id=OuterRef("pk")))
        return self.filter(has) if value else self.exclude(has)

    def in_condition_band(self, band: str) -> PublicSpaceQuerySet:
        if band == "good":
            return self.filter(condition_score__gte=70)
        if band == "fair":
            return self.filter(condition_score__gte=40, condition_score__lt=70)
        if band == "bad":
            return self.filter(condition_score__lt=40)
        if band == "unknown":
            return self.filter(condition_score__isnull=True)
        return self

    def not_surveyed(self) -> PublicSpaceQuerySet:
        """Spaces without any verified survey yet."""
        return self.filter(latest_verified_survey__isnull=True)


class SurveyQuerySet(models.QuerySet["Survey"]):
    def visible_to(self, user: User | AnonymousUser) -> SurveyQuerySet:
        """Who sees which surveys.

        - reviewers (``mapping.review_survey``) see every survey of their district;
        - a surveyor sees the surveys they wrote, whatever their status, and the verified
          ones (public knowledge);
        - everyone else sees verified surveys only: drafts and returned surveys are work in
          progress of a named volunteer and stay private.
        """
        from mapping.models import Survey

        verified = Q(status=Survey.Status.VERIFIED)
        if not user.is_authenticated:
            return self.filter(verified)
        if user.is_superuser:
            return self
        if can(user, "mapping.review_survey"):
            return self.filter(verified | Q(space__district_id=user.district_id))
        return self.filter(verified | Q(surveyor=user))

    def verified(self) -> SurveyQuerySet:
        from mapping.models import Survey

        return self.filter(status=Survey.Status.VERIFIED)

    def awaiting_review(self) -> SurveyQuerySet:
        from mapping.models import Survey

        return self.filter(status=Survey.Status.SUBMITTED)


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def active(self) -> AssignmentQuerySet:
        return self.filter(active=True)

    def visible_to(self, user: User | AnonymousUser) -> AssignmentQuerySet:
        """Coordinators see their district's assignments; a surveyor sees their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if can(user, "mapping.view_assignment"):
            # A coordinator without a district has no district's assignments to see.
            if user.district_id is None:
                return self.none()
            return self.filter(space__district_id=user.district_id)
        return self.filter(surveyor=user)
