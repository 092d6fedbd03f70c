"""Mapping pages on the permission ladder: anonymous, wrong role, right role, other district."""

from __future__ import annotations

import io
import json
import re
import shutil
import uuid
from importlib.metadata import version as package_version

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.templatetags.static import static
from django.urls import reverse
from PIL import Image

from mapping.models import PublicSpace, Survey, SurveyPhoto
from mapping.views import SURVEY_WORKER_STATIC
from tests.factories import UserFactory
from tests.factories_mapping import (
    AssignmentFactory,
    ObservationFactory,
    PublicSpaceFactory,
    SurveyFactory,
)
from tests.imagefiles import GPS_IFD, jpeg_with_gps

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment():
    return AssignmentFactory()


def _survey_post(client_uuid: str, **extra) -> dict:
    data = {
        "client_uuid": client_uuid,
        "final": "True",
        "observed_at": "2026-11-20T10:30",
        "zone": "Zona de juegos",
        "notes": "Juegos oxidados",
        "eq_bench_count": "4",
        "eq_bench_condition": "good",
        "eq_playground_count": "1",
        "eq_playground_condition": "bad",
        "q_maintenance": "2",
        "q_perceived_safety": "1",
        "obs_children_female_vigorous": "5",
        "need_1": "Cambiar juegos",
        "need_1_priority": "high",
    }
    data.update(extra)
    return data


def test_public_map_and_space_page_are_open_to_everyone(client):
    space = PublicSpaceFactory(name="Parque Los Ficus")
    assert client.get(reverse("mapping:space-map")).status_code == 200
    response = client.get(reverse("mapping:space-detail", args=[space.pk]))
    assert response.status_code == 200
    assert "Parque Los Ficus" in response.content.decode()


def test_only_the_page_that_draws_a_space_loads_leaflet_draw(client):
    """Leaflet.draw (its code and its translations) is for the coordinator's space form;
    a page that only shows a map loads none of it."""
    PublicSpaceFactory()
    for page in (reverse("mapping:space-map"), reverse("home")):
        content = client.get(page).content.decode()
        assert static("leaflet/leaflet.extras.js") in content
        assert "leaflet/draw/" not in content
        assert 'id="with-forms"' not in content
    client.force_login(UserFactory(role="coordinator"))
    content = client.get(reverse("mapping:space-create")).content.decode()
    assert static("leaflet/draw/leaflet.draw.js") in content
    assert static("leaflet/draw/leaflet.draw.i18n.js") in content
    assert 'id="draw-toolbar-buttons-polygon"' in content


def test_space_page_shows_organization_names_only(client):
    from tests.factories_registry import OrganizationFactory

    space = PublicSpaceFactory()
    organization = OrganizationFactory(name="Club Deportivo Los Ficus")
    space.organizations.add(organization)
    content = client.get(reverse("mapping:space-detail", args=[space.pk])).content.decode()
    assert "Club Deportivo Los Ficus" in content
    assert "@" not in content.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.ladder("mapping:survey-form")
def test_survey_form_ladder(client, assignment, other_district):
    url = reverse("mapping:survey-form", args=[assignment.space.pk])
    # anonymous: to the sign-in page
    assert client.get(url).status_code == 302
    # wrong role (a resident)
    client.force_login(UserFactory(role="resident"))
    assert client.get(url).status_code == 403
    # surveyor, but not assigned to this space
    client.force_login(UserFactory(role="surveyor"))
    assert client.get(url).status_code == 403
    # the assigned surveyor
    client.force_login(assignment.surveyor)
    assert client.get(url).status_code == 200
    # a coordinator of another district
    client.force_login(UserFactory(role="coordinator", district=other_district))
    assert client.get(url).status_code == 403
    # the district's coordinator may survey any space (mapping.survey_any_space)
    client.force_login(UserFactory(role="coordinator"))
    assert client.get(url).status_code == 200


def test_posting_the_form_twice_with_one_uuid_records_one_survey(client, assignment):
    client.force_login(assignment.surveyor)
    url = reverse("mapping:survey-form", args=[assignment.space.pk])
    client_uuid = str(uuid.uuid4())
    first = client.post(url, _survey_post(client_uuid), HTTP_ACCEPT="application/json")
    second = client.post(url, _survey_post(client_uuid), HTTP_ACCEPT="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    survey = Survey.objects.get()
    assert survey.status == Survey.Status.SUBMITTED
    assert survey.equipment.count() == 2
    assert survey.observations.get().count == 5


def test_reopening_a_survey_counted_in_several_zones_shows_the_sums_and_warns(client, assignment):
    survey = SurveyFactory(
        space=assignment.space, surveyor=assignment.surveyor, status=Survey.Status.RETURNED
    )
    for zone, count in (("Losa deportiva", 7), ("Zona de juegos", 3)):
        ObservationFactory(survey=survey, zone=zone, count=count)
    client.force_login(assignment.surveyor)
    url = reverse("mapping:survey-form", args=[assignment.space.pk])
    response = client.get(url, {"survey": str(survey.client_uuid)})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["obs_teens_male_vigorous"] == 10
    assert form.initial["zone"] == "Losa deportiva + Zona de juegos"
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]


def test_invalid_survey_is_refused_with_field_errors(client, assignment):
    client.force_login(assignment.surveyor)
    url = reverse("mapping:survey-form", args=[assignment.space.pk])
    data = _survey_post(str(uuid.uuid4()), eq_bench_condition="")
    response = client.post(url, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "eq_bench_condition" in response.json()["errors"]
    assert not Survey.objects.exists()


def test_my_assignments_lists_only_my_spaces(client, assignment):
    AssignmentFactory()  # someone else's
    client.force_login(assignment.surveyor)
    response = client.get(reverse("mapping:assignment-mine"))
    assert response.status_code == 200
    assert list(response.context["spaces"]) == [assignment.space]


@pytest.mark.ladder("mapping:survey-detail")
def test_survey_detail_ladder(client, assignment, other_district):
    survey = SurveyFactory(space=assignment.space, surveyor=assignment.surveyor)
    url = reverse("mapping:survey-detail", args=[survey.pk])
    assert client.get(url).status_code == 404  # anonymous: a submitted survey is private
    client.force_login(UserFactory(role="surveyor"))
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(role="coordinator", district=other_district))
    assert client.get(url).status_code == 404
    client.force_login(assignment.surveyor)
    assert client.get(url).status_code == 200
    coordinator = UserFactory(role="coordinator")
    client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["review_form"] is not None
    survey.status = Survey.Status.VERIFIED
    survey.save()
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    # the public sees a verified survey but not who made it
    assert assignment.surveyor.email not in response.content.decode()


@pytest.mark.ladder("mapping:survey-review")
def test_review_ladder_and_approval_updates_the_space(client, assignment, other_district):
    survey = SurveyFactory(space=assignment.space, surveyor=assignment.surveyor)
    survey.condition_score = 80
    survey.save()
    url = reverse("mapping:survey-review", args=[survey.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 302  # to sign in
    client.force_login(assignment.surveyor)
    assert client.post(url, {"decision": "approve"}).status_code == 403
    client.force_login(UserFactory(role="coordinator", district=other_district))
    assert client.post(url, {"decision": "approve"}).status_code == 404
    client.force_login(UserFactory(role="coordinator"))
    assert client.get(reverse("mapping:review-queue")).context["surveys"][0] == survey
    response = client.post(url, {"decision": "return", "comment": ""})
    assert response.status_code == 400
    assert client.post(url, {"decision": "approve"}).status_code == 302
    survey.refresh_from_db()
    assert survey.status == Survey.Status.VERIFIED
    assignment.space.refresh_from_db()
    assert assignment.space.condition_score == 80


@pytest.mark.ladder("mapping:coverage", "mapping:review-queue", "mapping:assignment-list")
def test_coordinator_pages_ladder(client, other_district):
    urls = [
        reverse("mapping:coverage"),
        reverse("mapping:review-queue"),
        reverse("mapping:assignment-list"),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(UserFactory(role="surveyor"))
    for url in urls:
        assert client.get(url).status_code == 403
    client.force_login(UserFactory(role="coordinator"))
    for url in urls:
        assert client.get(url).status_code == 200
    # Another district's coordinator works on their own district on the same pages.
    client.force_login(UserFactory(role="coordinator", district=other_district))
    assert client.get(reverse("mapping:coverage")).context["district"] == other_district


def test_coordinator_assigns_spaces_in_their_district_only(client, other_district):
    coordinator = UserFactory(role="coordinator")
    surveyor = UserFactory(role="surveyor")
    spaces = [PublicSpaceFactory(), PublicSpaceFactory()]
    client.force_login(coordinator)
    response = client.post(
        reverse("mapping:assignment-list"),
        {"surveyor": surveyor.pk, "spaces": [s.pk for s in spaces]},
    )
    assert response.status_code == 302
    assert set(surveyor.mapping_assignments.values_list("space_id", flat=True)) == {
        s.pk for s in spaces
    }
    outsider = UserFactory(role="surveyor", district=other_district)
    response = client.post(
        reverse("mapping:assignment-list"), {"surveyor": outsider.pk, "spaces": [spaces[0].pk]}
    )
    assert response.status_code == 200  # the form refuses a surveyor of another district
    assert not outsider.mapping_assignments.exists()


def test_coverage_counts_per_sector_and_lists_unsurveyed(client, santa_anita):
    done = PublicSpaceFactory()
    survey = SurveyFactory(space=done, status=Survey.Status.VERIFIED, condition_score=50)
    done.latest_verified_survey = survey
    done.save()
    pending = PublicSpaceFactory(name="Plaza sin ficha")
    client.force_login(UserFactory(role="coordinator"))
    response = client.get(reverse("mapping:coverage"))
    assert response.context["total"] == 2
    assert response.context["done"] == 1
    assert response.context["percent"] == 50
    assert list(response.context["pending"]) == [pending]


# --- Photos through the form ------------------------------------------------------------


@pytest.fixture
def my_survey(client, assignment):
    client.force_login(assignment.surveyor)
    return SurveyFactory(space=assignment.space, surveyor=assignment.surveyor)


def _upload(client, survey, name, content, content_type="image/jpeg"):
    return client.post(
        reverse("mapping:survey-photo", args=[survey.pk]),
        {"image": SimpleUploadedFile(name, content, content_type=content_type), "caption": "x"},
    )


def test_text_file_renamed_jpg_is_refused_by_the_form(client, my_survey):
    response = _upload(client, my_survey, "parque.jpg", b"this is not an image")
    assert response.status_code == 400
    assert "no es una imagen válida" in response.content.decode() or "not a valid image" in (
        response.content.decode()
    )
    assert not SurveyPhoto.objects.exists()


def test_decompression_bomb_is_refused_by_the_form(client, my_survey):
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")
    response = _upload(client, my_survey, "bomba.png", out.getvalue(), "image/png")
    assert response.status_code == 400
    errors = response.context["photo_form"].errors["image"]
    assert errors
    assert "40" in errors[0]
    assert not SurveyPhoto.objects.exists()


def test_photo_with_gps_exif_is_stored_without_it(client, my_survey):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    response = _upload(client, my_survey, "foto.jpg", original)
    assert response.status_code == 302
    photo = SurveyPhoto.objects.get()
    with photo.image.open("rb") as stored:
        image = Image.open(stored)
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0


def test_a_photo_queued_on_the_phone_is_stored_once_however_often_it_is_sent(client, my_survey):
    key = str(uuid.uuid4())
    url = reverse("mapping:survey-photo", args=[my_survey.pk])
    for _attempt in range(2):  # the answer to the first upload was lost
        response = client.post(
            url,
            {
                "image": SimpleUploadedFile("foto.jpg", jpeg_with_gps(), "image/jpeg"),
                "client_uuid": key,
            },
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 201
    assert SurveyPhoto.objects.get().pk == response.json()["id"]
    refused = client.post(
        url,
        {"image": SimpleUploadedFile("nota.jpg", b"not an image", "image/jpeg")},
        HTTP_ACCEPT="application/json",
    )
    assert refused.status_code == 400
    assert "image" in refused.json()["errors"]
    assert SurveyPhoto.objects.count() == 1


def test_the_photo_form_sent_twice_stores_one_photo(client, my_survey):
    url = reverse("mapping:survey-detail", args=[my_survey.pk])
    assert 'name="once"' in client.get(url).content.decode()
    token = uuid.uuid4().hex
    responses = [
        client.post(
            reverse("mapping:survey-photo", args=[my_survey.pk]),
            {"image": SimpleUploadedFile("foto.jpg", jpeg_with_gps(), "image/jpeg"), "once": token},
        )
        for _tap in range(2)
    ]
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[1]["Location"] == responses[0]["Location"]
    assert SurveyPhoto.objects.count() == 1


def test_a_coordinator_adds_a_photo_to_a_surveyors_survey(client, assignment):
    survey = SurveyFactory(space=assignment.space, surveyor=assignment.surveyor)
    client.force_login(UserFactory(role="coordinator"))
    page = client.get(reverse("mapping:survey-detail", args=[survey.pk]))
    assert page.context["photo_form"] is not None
    response = _upload(client, survey, "foto.jpg", jpeg_with_gps())
    assert response.status_code == 302
    assert SurveyPhoto.objects.get().survey == survey


def test_photos_cannot_be_added_to_someone_elses_survey(client, assignment):
    survey = SurveyFactory(space=assignment.space, surveyor=assignment.surveyor)
    survey.status = Survey.Status.VERIFIED
    survey.save()
    client.force_login(UserFactory(role="surveyor"))
    response = _upload(client, survey, "foto.jpg", jpeg_with_gps())
    assert response.status_code == 403
    assert not SurveyPhoto.objects.exists()


def test_navigation_shows_entries_per_role(client):
    content = client.get(reverse("mapping:space-map")).content.decode()
    assert reverse("mapping:space-map") in content
    assert reverse("mapping:coverage") not in content
    client.force_login(UserFactory(role="surveyor"))
    content = client.get(reverse("mapping:space-map")).content.decode()
    assert reverse("mapping:assignment-mine") in content
    client.force_login(UserFactory(role="coordinator"))
    content = client.get(reverse("mapping:space-map")).content.decode()
    assert reverse("mapping:coverage") in content


@pytest.mark.ladder("mapping:space-create", "mapping:space-edit")
def test_space_create_and_edit_ladder(client, santa_anita, other_district):
    create = reverse("mapping:space-create")
    geometry = json.dumps(
        {"type": "Point", "coordinates": [santa_anita.centre_lon, santa_anita.centre_lat]}
    )
    data = {
        "name": "Plaza Nueva",
        "category": "plaza",
        "geometry": geometry,
        "ownership": "municipal",
    }
    assert client.get(create).status_code == 302
    client.force_login(UserFactory(role="surveyor"))
    assert client.get(create).status_code == 403
    assert client.post(create, data).status_code == 403
    client.force_login(UserFactory(role="coordinator"))
    assert client.get(create).status_code == 200
    response = client.post(create, data)
    assert response.status_code == 302
    space = PublicSpace.objects.get(name="Plaza Nueva")
    assert space.sector is not None
    assert space.district == santa_anita
    outside = {
        **data,
        "name": "Fuera",
        "geometry": '{"type": "Point", "coordinates": [-77.03, -12.12]}',
    }
    assert client.post(create, outside).status_code == 400
    assert not PublicSpace.objects.filter(name="Fuera").exists()
    edit = reverse("mapping:space-edit", args=[space.pk])
    client.force_login(UserFactory(role="coordinator", district=other_district))
    assert client.get(edit).status_code == 403
    client.force_login(UserFactory(role="coordinator"))
    response = client.post(edit, {**data, "name": "Plaza Renombrada"})
    assert response.status_code == 302
    space.refresh_from_db()
    assert space.name == "Plaza Renombrada"


def test_the_new_space_form_sent_twice_creates_one_space(client, santa_anita):
    client.force_login(UserFactory(role="coordinator"))
    create = reverse("mapping:space-create")
    assert 'name="once"' in client.get(create).content.decode()
    data = {
        "name": "Plaza Doble Toque",
        "category": "plaza",
        "geometry": json.dumps(
            {"type": "Point", "coordinates": [santa_anita.centre_lon, santa_anita.centre_lat]}
        ),
        "ownership": "municipal",
        "once": uuid.uuid4().hex,
    }
    first = client.post(create, data)
    second = client.post(create, data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert PublicSpace.objects.filter(name="Plaza Doble Toque").count() == 1


def test_the_surveyors_service_worker_keeps_the_list_and_the_survey_forms(client):
    response = client.get(reverse("mapping:survey-sw"))
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    pattern = re.search(r"const FORM = /(.+)/;", script).group(1)
    assert re.fullmatch(pattern.replace("\\/", "/"), reverse("mapping:survey-form", args=[12]))
    assert not re.fullmatch(pattern.replace("\\/", "/"), reverse("mapping:space-map"))
    assert f'const LIST = "{reverse("mapping:assignment-mine")}";' in script


def test_the_surveyors_service_worker_keeps_every_script_and_style_their_pages_load(
    client, assignment
):
    client.force_login(assignment.surveyor)
    loaded: set[str] = set()
    for url in (
        reverse("mapping:assignment-mine"),
        reverse("mapping:survey-form", args=[assignment.space.pk]),
    ):
        page = client.get(url).content.decode()
        loaded |= set(re.findall(r'"(/static/[^"]+\.(?:css|js))"', page))
    script = client.get(reverse("mapping:survey-sw")).content.decode()
    kept = set(re.findall(r'^  "(/static/[^"]+)",$', script, re.MULTILINE))
    assert {"/static/js/forms.js", "/static/leaflet/leaflet.js"} <= loaded
    assert loaded <= kept
    assert kept == {static(name) for name in SURVEY_WORKER_STATIC}


def test_the_surveyors_service_worker_version_changes_with_every_file_it_keeps(
    client, settings, tmp_path
):
    # A new version is what makes phones replace their offline copies. Leaflet's files
    # are django-leaflet's: its version is part of the worker's.
    shutil.copytree(settings.BASE_DIR / "static", tmp_path / "static")
    settings.BASE_DIR = tmp_path
    url = reverse("mapping:survey-sw")

    def cache_name() -> str:
        return re.search(r'const CACHE = "([^"]+)";', client.get(url).content.decode())[1]

    assert cache_name().endswith(package_version("django-leaflet"))
    for name in SURVEY_WORKER_STATIC:
        if name.startswith("leaflet/"):
            continue
        before = cache_name()
        with (tmp_path / "static" / name).open("ab") as changed:
            changed.write(b"\n")
        assert cache_name() != before, name
