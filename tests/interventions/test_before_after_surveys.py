"""The surveys that measure an intervention's change: verified, of its space, after after before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from interventions.forms import InterventionStatusForm
from mapping.models import Survey
from tests.factories import UserFactory
from tests.factories_interventions import InterventionFactory
from tests.factories_mapping import SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def intervention():
    return InterventionFactory()


def _survey(space, status=Survey.Status.VERIFIED, days_ago=0):
    return SurveyFactory(
        space=space, status=status, observed_at=timezone.now() - timedelta(days=days_ago)
    )


def _status_data(**surveys):
    data = {"status": "execution", "progress": 40}
    data.update({name: survey.pk for name, survey in surveys.items()})
    return data


def test_only_verified_surveys_of_the_interventions_space_are_offered(client, intervention):
    space = intervention.public_space
    verified = _survey(space, days_ago=30)
    draft = _survey(space, Survey.Status.DRAFT)
    submitted = _survey(space, Survey.Status.SUBMITTED)
    returned = _survey(space, Survey.Status.RETURNED)
    elsewhere = _survey(SurveyFactory().space)
    client.force_login(UserFactory(role="coordinator"))
    page = client.get(reverse("interventions:intervention-manage", args=[intervention.pk]))
    form = page.context["status_form"]
    for name in ("survey_before", "survey_after"):
        assert list(form.fields[name].queryset) == [verified]
    html = page.content.decode()
    assert f'value="{verified.pk}"' in html
    for hidden in (draft, submitted, returned, elsewhere):
        assert f'<option value="{hidden.pk}"' not in html


@pytest.mark.parametrize("status", [Survey.Status.DRAFT, Survey.Status.RETURNED])
def test_a_survey_not_yet_verified_cannot_be_linked(client, intervention, status):
    unverified = _survey(intervention.public_space, status)
    client.force_login(UserFactory(role="coordinator"))
    response = client.post(
        reverse("interventions:intervention-status", args=[intervention.pk]),
        _status_data(survey_after=unverified),
    )
    assert response.status_code == 200
    assert "survey_after" in response.context["status_form"].errors
    intervention.refresh_from_db()
    assert intervention.survey_after is None
    assert intervention.status == "co_design"


def test_the_after_survey_must_be_later_than_the_before_one(client, intervention):
    space = intervention.public_space
    before = _survey(space, days_ago=10)
    earlier = _survey(space, days_ago=40)
    client.force_login(UserFactory(role="coordinator"))
    url = reverse("interventions:intervention-status", args=[intervention.pk])
    response = client.post(url, _status_data(survey_before=before, survey_after=earlier))
    assert response.status_code == 200  # the manage page again, the message at the field
    errors = response.context["status_form"].errors
    assert list(errors) == ["survey_after"]
    message = errors["survey_after"][0]
    assert timezone.localtime(before.observed_at).strftime("%d/%m/%Y") in message
    html = response.content.decode()
    assert escape(message) in html
    # Next to the field: the error list is rendered inside the survey_after field's block.
    field_block = html[html.index('for="id_survey_after"') : html.index('name="survey_after"')]
    assert 'id="id_survey_after_error"' in field_block
    intervention.refresh_from_db()
    assert (intervention.survey_before, intervention.survey_after) == (None, None)

    # The same survey twice is not "later" either.
    same = InterventionStatusForm(
        _status_data(survey_before=before, survey_after=before), instance=intervention
    )
    assert not same.is_valid()
    assert list(same.errors) == ["survey_after"]


def test_a_later_verified_survey_is_linked_and_measures_the_change(client, intervention):
    space = intervention.public_space
    before = _survey(space, days_ago=90)
    after = _survey(space, days_ago=1)
    Survey.objects.filter(pk=before.pk).update(condition_score=40)
    Survey.objects.filter(pk=after.pk).update(condition_score=75)
    client.force_login(UserFactory(role="coordinator"))
    response = client.post(
        reverse("interventions:intervention-status", args=[intervention.pk]),
        _status_data(survey_before=before, survey_after=after),
    )
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert (intervention.survey_before, intervention.survey_after) == (before, after)
    assert intervention.condition_change == 35
