"""The survey reviewer (the university's methodology reviewer) on the permission ladder.

Reviewers approve or return their district's surveys and nothing else: no assignments, no
coverage pages, no space editing and no surveying. Coordinators keep reviewing; surveyors
never review.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mapping.models import PublicSpace, Survey, SurveyPhoto
from mapping.services import SurveyData, survey_photo_add, survey_submit
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_mapping import (
    AssignmentFactory,
    ObservationFactory,
    PublicSpaceFactory,
    SurveyFactory,
)
from tests.imagefiles import jpeg_with_gps

pytestmark = pytest.mark.django_db

QUEUE = "mapping:review-queue"


@pytest.fixture
def reviewer():
    return UserFactory(role=Role.REVIEWER)


@pytest.fixture
def submitted():
    """A survey submitted by its assigned surveyor, waiting for review."""
    assignment = AssignmentFactory()
    survey = SurveyFactory(space=assignment.space, surveyor=assignment.surveyor, condition_score=75)
    ObservationFactory(survey=survey, zone="Losa deportiva", count=7)
    return survey


def _review(client, survey, **data):
    return client.post(reverse("mapping:survey-review", args=[survey.pk]), data)


def test_reviewer_lists_the_pending_surveys_of_their_district(
    client, reviewer, submitted, other_district
):
    SurveyFactory(status=Survey.Status.VERIFIED)
    SurveyFactory(status=Survey.Status.DRAFT)
    SurveyFactory(space=PublicSpaceFactory(district=other_district))
    client.force_login(reviewer)
    response = client.get(reverse(QUEUE))
    assert response.status_code == 200
    assert list(response.context["surveys"]) == [submitted]
    assert submitted.space.name in response.content.decode()


def test_reviewer_sees_the_survey_with_its_counts_by_zone_and_the_review_form(
    client, reviewer, submitted
):
    client.force_login(reviewer)
    response = client.get(reverse("mapping:survey-detail", args=[submitted.pk]))
    assert response.status_code == 200
    assert response.context["review_form"] is not None
    # reviewers see who surveyed; a reviewer adds no photos to data they judge
    assert response.context["is_reviewer"]
    assert response.context["photo_form"] is None
    assert "Losa deportiva" in response.content.decode()


def test_reviewer_approves_and_the_space_takes_the_survey_condition(client, reviewer, submitted):
    client.force_login(reviewer)
    response = _review(client, submitted, decision="approve")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Survey.Status.VERIFIED
    assert submitted.reviewer == reviewer
    space = PublicSpace.objects.get(pk=submitted.space_id)
    assert space.condition_score == 75
    assert space.latest_verified_survey_id == submitted.pk


def test_a_review_sent_twice_approves_once_and_shows_no_error(client, reviewer, submitted):
    client.force_login(reviewer)
    page = client.get(reverse("mapping:survey-detail", args=[submitted.pk])).content.decode()
    token = re.search(r'name="once" value="([0-9a-f]{32})"', page)[1]
    first = _review(client, submitted, decision="approve", once=token)
    second = _review(client, submitted, decision="approve", once=token)  # a double tap
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    landing = client.get(second["Location"])
    assert [m.level_tag for m in landing.context["messages"]] == ["success", "info"]
    submitted.refresh_from_db()
    assert submitted.status == Survey.Status.VERIFIED


def test_the_review_queue_shows_twenty_surveys_a_page_oldest_first(client, reviewer):
    now = timezone.now()
    surveys = [
        SurveyFactory(submitted_at=now - timedelta(minutes=30 - n), condition_score=n)
        for n in range(25)
    ]
    client.force_login(reviewer)
    first = client.get(reverse(QUEUE))
    assert list(first.context["surveys"]) == surveys[:20]
    assert 'rel="next"' in first.content.decode()
    second = client.get(reverse(QUEUE), {"page": 2})
    assert list(second.context["surveys"]) == surveys[20:]
    assert 'rel="prev"' in second.content.decode()


def test_an_empty_review_queue_says_so(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse(QUEUE))
    assert list(response.context["surveys"]) == []
    assert 'class="empty"' in response.content.decode()


def test_the_review_queue_query_count_does_not_grow_with_surveys(client, reviewer):
    client.force_login(reviewer)
    counts = []
    for n in (3, 30):
        Survey.objects.all().delete()
        SurveyFactory.create_batch(n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(QUEUE)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_reviewer_returns_a_survey_with_a_comment_the_surveyor_reads(client, reviewer, submitted):
    client.force_login(reviewer)
    assert _review(client, submitted, decision="return", comment=" ").status_code == 400
    submitted.refresh_from_db()
    assert submitted.status == Survey.Status.SUBMITTED
    response = _review(client, submitted, decision="return", comment="Falta contar la losa")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Survey.Status.RETURNED
    assert submitted.review_comment == "Falta contar la losa"
    assert PublicSpace.objects.get(pk=submitted.space_id).condition_score is None
    client.force_login(submitted.surveyor)
    page = client.get(reverse("mapping:survey-detail", args=[submitted.pk]))
    assert "Falta contar la losa" in page.content.decode()


def test_reviewer_reviews_through_the_api_too(client, reviewer, submitted):
    client.force_login(reviewer)
    response = client.post(f"/api/surveys/{submitted.pk}/review/", {"decision": "approve"})
    assert response.status_code == 200
    assert response.json()["status"] == "verified"


def test_reviewer_of_another_district_neither_sees_nor_reviews(client, submitted, other_district):
    client.force_login(UserFactory(role=Role.REVIEWER, district=other_district))
    assert list(client.get(reverse(QUEUE)).context["surveys"]) == []
    assert _review(client, submitted, decision="approve").status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Survey.Status.SUBMITTED


def test_anonymous_cannot_review_through_the_api(client, submitted):
    # The pages' anonymous rung (sent to sign in) is on test_pages.py's ladders.
    api = client.post(f"/api/surveys/{submitted.pk}/review/", {"decision": "approve"})
    assert api.status_code in {401, 403}
    submitted.refresh_from_db()
    assert submitted.status == Survey.Status.SUBMITTED


def test_reviewer_cannot_assign_manage_coverage_or_edit_spaces(client, reviewer, santa_anita):
    space = PublicSpaceFactory(name="Parque Los Ficus")
    surveyor = UserFactory(role=Role.SURVEYOR)
    client.force_login(reviewer)
    for name in ("mapping:assignment-list", "mapping:coverage", "mapping:space-uncared"):
        assert client.get(reverse(name)).status_code == 403, name
    response = client.post(
        reverse("mapping:assignment-list"), {"surveyor": surveyor.pk, "spaces": [space.pk]}
    )
    assert response.status_code == 403
    assert not surveyor.mapping_assignments.exists()
    geometry = json.dumps(
        {"type": "Point", "coordinates": [santa_anita.centre_lon, santa_anita.centre_lat]}
    )
    edit = reverse("mapping:space-edit", args=[space.pk])
    assert client.get(reverse("mapping:space-create")).status_code == 403
    assert client.get(edit).status_code == 403
    response = client.post(edit, {"name": "Otro nombre", "category": "plaza", "geometry": geometry})
    assert response.status_code == 403
    space.refresh_from_db()
    assert space.name == "Parque Los Ficus"


def test_reviewer_cannot_survey_a_space(client, reviewer):
    space = PublicSpaceFactory()
    client.force_login(reviewer)
    url = reverse("mapping:survey-form", args=[space.pk])
    assert client.get(url).status_code == 403
    post = {"client_uuid": str(uuid.uuid4()), "final": "True", "observed_at": "2026-11-20T10:30"}
    assert client.post(url, post).status_code == 403
    api = client.post(
        "/api/surveys/",
        {"space": space.pk, "client_uuid": str(uuid.uuid4()), "observed_at": "2026-11-20T10:30"},
        content_type="application/json",
    )
    assert api.status_code == 403
    assert not Survey.objects.exists()
    page = client.get(reverse("mapping:space-detail", args=[space.pk]))
    assert not page.context["can_survey"]
    assert not page.context["can_edit"]
    with pytest.raises(PermissionDenied):
        survey_submit(
            space=space,
            surveyor=reviewer,
            client_uuid=uuid.uuid4(),
            data=SurveyData(observed_at=timezone.now()),
        )


def test_reviewer_cannot_add_photos_to_the_survey_they_review(client, reviewer, submitted):
    client.force_login(reviewer)
    response = client.post(
        reverse("mapping:survey-photo", args=[submitted.pk]),
        {"image": SimpleUploadedFile("foto.jpg", jpeg_with_gps(), content_type="image/jpeg")},
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        survey_photo_add(
            survey=submitted, user=reviewer, upload=SimpleUploadedFile("f.jpg", jpeg_with_gps())
        )
    api = client.post(
        "/api/survey-photos/", {"survey": submitted.pk, "image": io.BytesIO(jpeg_with_gps())}
    )
    assert api.status_code == 403
    assert not SurveyPhoto.objects.exists()


def test_surveyor_is_offered_no_review_of_their_own_survey(client, submitted):
    # The coordinator who reviews, and the surveyor refused the queue and the review POST,
    # are on test_pages.py's ladders; here the API and the page's missing form.
    client.force_login(submitted.surveyor)
    api = client.post(f"/api/surveys/{submitted.pk}/review/", {"decision": "approve"})
    assert api.status_code == 403
    page = client.get(reverse("mapping:survey-detail", args=[submitted.pk]))
    assert page.context["review_form"] is None
    submitted.refresh_from_db()
    assert submitted.status == Survey.Status.SUBMITTED


def test_navigation_shows_the_review_queue_to_reviewers_and_coordinators_only(client, reviewer):
    queue = reverse(QUEUE)
    page = reverse("mapping:space-map")
    client.force_login(reviewer)
    content = client.get(page).content.decode()
    assert f'href="{queue}"' in content
    for hidden in ("mapping:coverage", "mapping:assignment-mine"):
        assert f'href="{reverse(hidden)}"' not in content, hidden
    client.force_login(UserFactory(role=Role.COORDINATOR))
    assert f'href="{queue}"' in client.get(page).content.decode()
    client.force_login(UserFactory(role=Role.SURVEYOR))
    assert f'href="{queue}"' not in client.get(page).content.decode()
    client.logout()
    assert f'href="{queue}"' not in client.get(page).content.decode()
