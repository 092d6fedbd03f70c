"""A survey keeps every review decision: the comment of a return stays on the survey's
page after the corrected survey is approved."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from mapping.models import Survey, SurveyReview
from mapping.services import survey_review
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_mapping import SurveyFactory

pytestmark = pytest.mark.django_db


def test_a_returned_comment_stays_on_the_page_after_approval(client):
    reviewer = UserFactory(role=Role.REVIEWER)
    survey = SurveyFactory()
    survey_review(survey=survey, reviewer=reviewer, approve=False, comment="Falta el conteo")
    # The surveyor corrects and sends it again.
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.SUBMITTED)
    survey_review(survey=survey, reviewer=reviewer, approve=True)

    decisions = list(survey.reviews.values_list("decision", "comment"))
    assert decisions == [
        (SurveyReview.Decision.RETURNED, "Falta el conteo"),
        (SurveyReview.Decision.APPROVED, ""),
    ]
    client.force_login(reviewer)
    page = client.get(survey.get_absolute_url()).content.decode()
    assert "Falta el conteo" in page
    assert page.index("Devuelta con observaciones") < page.index("Aprobada")


def test_the_migration_keeps_each_surveys_current_decision():
    returned = SurveyFactory(
        status=Survey.Status.RETURNED, reviewed_at="2026-11-01T10:00Z", review_comment="Fotos"
    )
    verified = SurveyFactory(status=Survey.Status.VERIFIED, reviewed_at="2026-11-02T10:00Z")
    SurveyFactory()  # never reviewed: no row
    migration = importlib.import_module(
        "mapping.migrations.0010_survey_reviews_from_current_decisions"
    )
    migration.keep_current_decisions(apps, None)
    assert sorted(SurveyReview.objects.values_list("survey_id", "decision", "comment")) == [
        (returned.pk, SurveyReview.Decision.RETURNED, "Fotos"),
        (verified.pk, SurveyReview.Decision.APPROVED, ""),
    ]
