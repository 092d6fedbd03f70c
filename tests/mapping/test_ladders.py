"""Mapping's remaining pages and its API on the permission ladder: anonymous, the wrong role,
another district's staff and the right role. (The survey form, review, coordinator, space
and report ladders are in test_pages.py, test_uncared.py and test_reports_pages.py.)"""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from mapping.models import Survey, SurveyPhoto
from mapping.reports_services import report_hide, report_submit
from platform_app.permissions import Role
from tests.factories import UserFactory, signed_in
from tests.factories_mapping import AssignmentFactory, PublicSpaceFactory, SurveyFactory
from tests.imagefiles import jpeg_with_gps

pytestmark = pytest.mark.django_db

LOGIN = "/cuentas/login/"


@pytest.fixture
def assignment():
    return AssignmentFactory()


@pytest.fixture
def submitted(assignment):
    """A survey sent for review: its surveyor's and the district's reviewers' only."""
    return SurveyFactory(space=assignment.space, surveyor=assignment.surveyor)


@pytest.fixture
def report():
    return report_submit(
        space=PublicSpaceFactory(name="Parque Los Ficus"),
        category="lighting",
        description="Poste apagado",
        email="vecina.privada@example.org",
        phone="987654321",
    )


def _photo(name="foto.jpg"):
    return SimpleUploadedFile(name, jpeg_with_gps(), content_type="image/jpeg")


# --- Surveyors' pages ------------------------------------------------------------------------


@pytest.mark.ladder("mapping:assignment-mine")
def test_my_assignments_on_the_ladder(client, assignment, other_district):
    url = reverse("mapping:assignment-mine")
    assert LOGIN in client.get(url)["Location"]
    # Every signed-in person has a list of their own; only the assigned surveyor's has the space.
    for user in (
        UserFactory(role=Role.RESIDENT),
        UserFactory(role=Role.SURVEYOR, district=other_district),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert assignment.space.name not in response.content.decode()
    client.force_login(assignment.surveyor)
    assert assignment.space.name in client.get(url).content.decode()


@pytest.mark.ladder("mapping:survey-print")
def test_the_paper_survey_on_the_ladder(client, assignment, other_district):
    url = reverse("mapping:survey-print", args=[assignment.space.pk])
    assert LOGIN in client.get(url)["Location"]
    signed_in(client, Role.RESIDENT)
    assert client.get(url).status_code == 403
    signed_in(client, Role.COORDINATOR, district=other_district)
    assert client.get(url).status_code == 403
    client.force_login(assignment.surveyor)
    response = client.get(url)
    assert response.status_code == 200
    assert assignment.space.name in response.content.decode()


@pytest.mark.ladder("mapping:survey-photo")
def test_adding_a_photo_on_the_ladder(client, submitted, other_district):
    url = reverse("mapping:survey-photo", args=[submitted.pk])
    assert LOGIN in client.post(url, {"image": _photo()})["Location"]
    signed_in(client, Role.SURVEYOR)  # another surveyor: the survey is not theirs to see
    assert client.post(url, {"image": _photo()}).status_code == 404
    signed_in(client, Role.COORDINATOR, district=other_district)
    assert client.post(url, {"image": _photo()}).status_code == 404
    signed_in(client, Role.REVIEWER)  # sees it, judges it, does not illustrate it
    assert client.post(url, {"image": _photo()}).status_code == 403
    assert not SurveyPhoto.objects.exists()
    client.force_login(submitted.surveyor)
    assert client.post(url, {"image": _photo()}).status_code == 302
    assert SurveyPhoto.objects.get().survey == submitted


@pytest.mark.ladder("mapping:survey-photo-file")
def test_a_survey_photo_on_the_ladder(client, submitted, other_district):
    client.force_login(submitted.surveyor)
    client.post(reverse("mapping:survey-photo", args=[submitted.pk]), {"image": _photo()})
    url = reverse("mapping:survey-photo-file", args=[SurveyPhoto.objects.get().pk])
    client.logout()
    assert client.get(url).status_code == 404  # a survey under review is private
    signed_in(client, Role.SURVEYOR)
    assert client.get(url).status_code == 404
    signed_in(client, Role.COORDINATOR, district=other_district)
    assert client.get(url).status_code == 404
    client.force_login(submitted.surveyor)
    assert client.get(url).status_code == 200
    signed_in(client, Role.REVIEWER)
    assert client.get(url).status_code == 200


@pytest.mark.ladder("mapping:survey-sw")
def test_the_surveyors_worker_is_the_same_for_everyone(client, other_district):
    # The worker carries no data, only the pages' static files: the pages themselves check.
    url = reverse("mapping:survey-sw")
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    signed_in(client, Role.SURVEYOR, district=other_district)
    assert client.get(url).content == anonymous.content


# --- Residents' reports ----------------------------------------------------------------------


@pytest.mark.ladder("mapping:report-me-too")
def test_me_too_on_the_ladder(client, report, other_district):
    url = reverse("mapping:report-me-too", args=[report.pk])
    # Anyone may say "me too" on a public report, an account is not needed.
    assert client.post(url, {"email": ""})["Location"] == report.get_absolute_url()
    assert report.supporters.count() == 2
    report_hide(report=report, user=UserFactory(role=Role.COORDINATOR), reason="Insultos")
    assert client.post(url, {"email": ""}).status_code == 404
    signed_in(client, Role.COORDINATOR, district=other_district)
    assert client.post(url, {"email": ""}).status_code == 404
    signed_in(client, Role.REPRESENTATIVE)
    assert client.post(url, {"email": ""}).status_code == 404
    assert report.supporters.count() == 2


@pytest.mark.ladder("mapping:report-followup")
def test_the_followup_link_is_the_only_key(client, report, other_district):
    supporter = report.supporters.get()
    url = reverse("mapping:report-followup", args=[supporter.token])
    assert client.get(url).status_code == 200
    # Without the emailed link nobody reaches the question, staff of any district included.
    stranger = reverse("mapping:report-followup", args=[uuid.uuid4()])
    assert client.get(stranger).status_code == 404
    for district in (other_district, None):
        signed_in(client, Role.COORDINATOR, district=district)
        assert client.get(stranger).status_code == 404


@pytest.mark.ladder("mapping:report-layer")
def test_the_report_layer_is_the_same_for_everyone(
    client, report, other_district, django_capture_on_commit_callbacks
):
    space = report.space
    pad = 0.005
    bbox = ",".join(
        str(v)
        for v in (
            space.centroid_lon - pad,
            space.centroid_lat - pad,
            space.centroid_lon + pad,
            space.centroid_lat + pad,
        )
    )
    url = f"{reverse('mapping:report-layer')}?bbox={bbox}"
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    assert anonymous.json()["features"]
    for role, district in ((Role.RESIDENT, None), (Role.COORDINATOR, other_district)):
        signed_in(client, role, district=district)
        assert client.get(url).json() == anonymous.json()
    # Not even the district's moderators see hidden reports on the public layer.
    coordinator = signed_in(client, Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        report_hide(report=report, user=coordinator, reason="Insultos")
    assert client.get(url).json()["features"] == []


@pytest.mark.ladder("open311:discovery", "open311:services", "open311:requests", "open311:request")
def test_open311_reads_are_public_and_hidden_reports_are_nobodys(client, report, other_district):
    urls = [
        "/open311/v2/discovery.json",
        "/open311/v2/services.json",
        "/open311/v2/requests.json",
        f"/open311/v2/requests/{report.pk}.json",
    ]
    anonymous = [client.get(url).json() for url in urls]
    assert anonymous[3][0]["service_request_id"] == str(report.pk)
    for role, district in ((Role.RESIDENT, None), (Role.COORDINATOR, other_district)):
        signed_in(client, role, district=district)
        assert [client.get(url).json() for url in urls] == anonymous
    coordinator = signed_in(client, Role.COORDINATOR)
    report_hide(report=report, user=coordinator, reason="Insultos")
    # Open311 is the public channel: a hidden report is gone there even for its moderators.
    assert client.get(urls[3]).status_code == 404


# --- API -------------------------------------------------------------------------------------


@pytest.mark.ladder("space-list", "space-detail")
def test_the_spaces_api_is_the_same_for_everyone(client, other_district):
    space = PublicSpaceFactory(name="Parque Los Ficus")
    urls = ["/api/spaces/", f"/api/spaces/{space.pk}/"]
    anonymous = [client.get(url).json() for url in urls]
    assert anonymous[1]["properties"]["name"] == "Parque Los Ficus"
    for role, district in ((Role.RESIDENT, None), (Role.COORDINATOR, other_district)):
        signed_in(client, role, district=district)
        assert [client.get(url).json() for url in urls] == anonymous


@pytest.mark.ladder("report-list", "report-detail")
def test_the_reports_api_on_the_ladder(client, report, other_district):
    detail = f"/api/reports/{report.pk}/"
    assert client.get(detail).status_code == 200
    coordinator = UserFactory(role=Role.COORDINATOR)
    report_hide(report=report, user=coordinator, reason="Insultos")
    assert client.get(detail).status_code == 404
    assert client.get("/api/reports/").json()["results"] == []
    for role, district in ((Role.REPRESENTATIVE, None), (Role.COORDINATOR, other_district)):
        signed_in(client, role, district=district)
        assert client.get(detail).status_code == 404
    client.force_login(coordinator)  # the district's moderators still see it
    assert client.get(detail).status_code == 200
    assert [r["id"] for r in client.get("/api/reports/").json()["results"]] == [report.pk]


@pytest.mark.ladder("survey-list", "survey-detail")
def test_reading_surveys_through_the_api_on_the_ladder(client, submitted, other_district):
    detail = f"/api/surveys/{submitted.pk}/"

    def listed():
        return {s["id"] for s in client.get("/api/surveys/").json()["results"]}

    assert client.get(detail).status_code == 404
    assert listed() == set()
    for role, district in ((Role.SURVEYOR, None), (Role.COORDINATOR, other_district)):
        signed_in(client, role, district=district)
        assert client.get(detail).status_code == 404
        assert listed() == set()
    for user in (submitted.surveyor, UserFactory(role=Role.REVIEWER)):
        client.force_login(user)
        assert client.get(detail).status_code == 200
        assert listed() == {submitted.pk}


@pytest.mark.ladder("POST survey-list")
def test_sending_a_survey_through_the_api_on_the_ladder(client, assignment, other_district):
    payload = {
        "space": assignment.space.pk,
        "client_uuid": str(uuid.uuid4()),
        "observed_at": "2026-11-20T10:30:00-05:00",
    }

    def send():
        return client.post("/api/surveys/", payload, content_type="application/json")

    assert send().status_code in (401, 403)
    signed_in(client, Role.SURVEYOR)  # not assigned to the space
    assert send().status_code == 403
    signed_in(client, Role.COORDINATOR, district=other_district)
    assert send().status_code == 403
    assert not Survey.objects.exists()
    client.force_login(assignment.surveyor)
    assert send().status_code == 201
    assert Survey.objects.get().surveyor == assignment.surveyor


@pytest.mark.ladder("POST survey-review")
def test_reviewing_through_the_api_on_the_ladder(client, submitted, other_district):
    url = f"/api/surveys/{submitted.pk}/review/"
    assert client.post(url, {"decision": "approve"}).status_code in (401, 403)
    client.force_login(submitted.surveyor)
    assert client.post(url, {"decision": "approve"}).status_code == 403
    signed_in(client, Role.REVIEWER, district=other_district)
    assert client.post(url, {"decision": "approve"}).status_code == 404
    assert Survey.objects.get().status == Survey.Status.SUBMITTED
    signed_in(client, Role.REVIEWER)
    assert client.post(url, {"decision": "approve"}).status_code == 200
    assert Survey.objects.get().status == Survey.Status.VERIFIED


def _png():
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(out, "PNG")
    out.name = "foto.png"
    out.seek(0)
    return out


@pytest.mark.ladder("survey-photo-list", "survey-photo-detail", "POST survey-photo-list")
def test_survey_photos_through_the_api_on_the_ladder(client, submitted, other_district):
    url = "/api/survey-photos/"
    assert client.post(url, {"survey": submitted.pk, "image": _png()}).status_code in (401, 403)
    signed_in(client, Role.SURVEYOR)  # the survey is not theirs to see
    assert client.post(url, {"survey": submitted.pk, "image": _png()}).status_code == 400
    signed_in(client, Role.COORDINATOR, district=other_district)
    assert client.post(url, {"survey": submitted.pk, "image": _png()}).status_code == 400
    signed_in(client, Role.REVIEWER)
    assert client.post(url, {"survey": submitted.pk, "image": _png()}).status_code == 403
    assert not SurveyPhoto.objects.exists()
    client.force_login(submitted.surveyor)
    created = client.post(url, {"survey": submitted.pk, "image": _png()})
    assert created.status_code == 201
    detail = f"{url}{created.json()['id']}/"
    assert client.get(detail).status_code == 200
    # Photos of a survey under review are private until it is approved.
    client.logout()
    assert client.get(detail).status_code == 404
    assert client.get(url).json()["results"] == []
    signed_in(client, Role.COORDINATOR, district=other_district)
    assert client.get(detail).status_code == 404
    signed_in(client, Role.REVIEWER)
    assert [p["id"] for p in client.get(url).json()["results"]] == [created.json()["id"]]
