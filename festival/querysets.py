"""Reads and row scoping for the festival's models.

Editions, stages and confirmed teams are public (names, organizations, styles: no personal
data). Score sheets are visible to their own judge and to the district's coordinators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from festival.models import Edition, Judge, ScoreSheet, Stage, Team  # noqa: F401
    from platform_app.models import User


def _in_user_district(user: User, field: str) -> Q:
    """Staff act on their own district only; superusers on every district."""
    if user.is_superuser:
        return Q()
    return Q(**{field: user.district_id})


class EditionQuerySet(models.QuerySet["Edition"]):
    def current(self) -> Edition | None:
        """The edition the public pages present: the latest year."""
        return self.select_related("district").order_by("-year", "-pk").first()


class StageQuerySet(models.QuerySet["Stage"]):
    def visible_to(self, user: User | AnonymousUser) -> StageQuerySet:
        return self  # stages are public: place, date, sector

    def with_team_count(self) -> StageQuerySet:
        from festival.models import Team

        return self.annotate(
            team_count=Count("teams", filter=Q(teams__status=Team.Status.CONFIRMED))
        )


class TeamQuerySet(models.QuerySet["Team"]):
    def public(self) -> TeamQuerySet:
        """Teams the public may see: every team that has not withdrawn."""
        from festival.models import Team

        return self.exclude(status=Team.Status.WITHDRAWN)

    def visible_to(self, user: User | AnonymousUser) -> TeamQuerySet:
        """Coordinators see every team of their district, representatives their own teams
        whatever their status, everyone else the public list."""
        # Imported here: festival.permissions reads the models, which import this module.
        from festival.permissions import manages

        if manages(user, "festival.change_team"):
            return self.filter(_in_user_district(user, "edition__district"))
        if user.is_authenticated:
            from festival.models import Team

            return self.filter(Q(representative=user) | ~Q(status=Team.Status.WITHDRAWN))
        return self.public()

    def confirmed(self) -> TeamQuerySet:
        from festival.models import Team

        return self.filter(status=Team.Status.CONFIRMED)

    def in_running_order(self) -> TeamQuerySet:
        return self.confirmed().filter(stage__isnull=False).order_by("stage", "slot", "pk")

    def offered_to(self, judge: Judge) -> TeamQuerySet:
        """The teams a judge may score: confirmed teams of the judge's stage in running
        order, minus teams of the judge's own organization and declared conflicts."""
        from festival.models import JudgeConflict

        if judge.stage_id is None:
            return self.none()
        teams = self.in_running_order().filter(stage_id=judge.stage_id)
        if judge.organization_id is not None:
            teams = teams.exclude(organization_id=judge.organization_id)
        return teams.exclude(Exists(JudgeConflict.objects.filter(judge=judge, team=OuterRef("pk"))))

    def with_workshop_attendance(self) -> TeamQuerySet:
        return self.annotate(sessions_attended=Count("attendances", distinct=True))

    def outstanding(self) -> TeamQuerySet:
        """Teams the committee marked outstanding (read by the interventions app)."""
        return self.filter(is_outstanding=True)


class JudgeQuerySet(models.QuerySet["Judge"]):
    def of_user(self, user: User | AnonymousUser) -> JudgeQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def visible_to(self, user: User | AnonymousUser) -> JudgeQuerySet:
        from festival.permissions import manages

        if manages(user, "festival.view_judge"):
            return self.filter(_in_user_district(user, "edition__district"))
        return self.of_user(user)


class ScoreSheetQuerySet(models.QuerySet["ScoreSheet"]):
    def visible_to(self, user: User | AnonymousUser) -> ScoreSheetQuerySet:
        """A judge sees their own sheets; coordinators every sheet of their district."""
        from festival.permissions import manages

        if not user.is_authenticated:
            return self.none()
        # A coordinator who also judges sees only their own sheets, as any judge.
        if manages(user, "festival.view_scoresheet") and not manages(
            user, "festival.add_scoresheet"
        ):
            return self.filter(_in_user_district(user, "team__edition__district"))
        if user.is_superuser:
            return self
        return self.filter(judge__user=user)

    def of_stage(self, stage: Stage) -> ScoreSheetQuerySet:
        return self.filter(team__stage=stage)
