"""The results dashboard reads each app's figures through that app's typed indicator
functions: a target is "not measurable yet" only when there is truly nothing to measure,
never because a model, field or status of another app was renamed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from festival.models import Team
from interventions import dashboard
from interventions.models import Intervention
from mapping.models import Survey
from tests.factories_festival import TeamFactory
from tests.factories_interventions import InterventionFactory
from tests.factories_mapping import PublicSpaceFactory, SurveyFactory

pytestmark = pytest.mark.django_db

# Nothing to measure in a district without data: no space was ever at risk, and no
# perception wave was taken.
WITHOUT_DATA = {"improved_spaces", "cohesion"}


def _targets(district) -> dict[str, dashboard.Target]:
    figures = dashboard.figures_by_district([district.pk])[district.pk]
    return {target.key: target for target in figures.targets()}


def test_every_target_with_a_source_is_measurable_in_an_empty_district(santa_anita):
    targets = _targets(santa_anita)
    assert {key for key, target in targets.items() if not target.measurable} == WITHOUT_DATA
    assert targets["festival"].value == 0
    assert targets["platform"].value == 0


def test_festival_organizations_count_confirmed_teams_only(santa_anita):
    confirmed = TeamFactory(status=Team.Status.CONFIRMED)
    TeamFactory(edition=confirmed.edition, status=Team.Status.REGISTERED)
    target = _targets(santa_anita)["festival"]
    assert target.measurable
    assert target.value == 1
    assert "1" in str(target.in_progress)


def test_an_at_risk_space_with_an_intervention_under_way_is_counted_beside_the_target(
    santa_anita,
):
    space = PublicSpaceFactory()
    SurveyFactory(
        space=space,
        status=Survey.Status.VERIFIED,
        condition_score=20,
        observed_at=timezone.now() - timedelta(days=30),
    )
    space.condition_score = 20
    space.save()
    InterventionFactory(public_space=space, status=Intervention.Status.EXECUTION)
    figures = dashboard.figures_by_district([santa_anita.pk])[santa_anita.pk]
    assert (figures.spaces_at_risk, figures.spaces_improved) == (1, 0)
    assert figures.spaces_at_risk_under_way == 1
    assert next(t for t in figures.targets() if t.key == "improved_spaces").measurable
