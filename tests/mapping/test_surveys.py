"""The survey (ficha): documented score, idempotent submission, review, space condition."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from mapping.models import PublicSpace, Survey
from mapping.services import SurveyData, survey_review, survey_submit
from tests.conftest import TRANSACTIONAL
from tests.factories import UserFactory
from tests.factories_mapping import AssignmentFactory, PublicSpaceFactory, SurveyFactory


def _data(**overrides) -> SurveyData:
    values = {
        "observed_at": timezone.now(),
        "notes": "Bancas rotas junto a la losa",
        "equipment": {"bench": (6, "good"), "lighting": (4, "bad")},
        "quality": {"maintenance": 3, "litter": 1},
        "observations": {
            ("Losa deportiva", "children", "female", "vigorous"): 4,
            ("Losa deportiva", "adults", "male", "walking"): 2,
        },
        "needs": [("Reponer luminarias", "high")],
    }
    values.update(overrides)
    return SurveyData(**values)


@pytest.fixture
def assignment(db):
    return AssignmentFactory()


@pytest.mark.django_db
def test_condition_score_follows_the_documented_formula(assignment):
    survey, _ = survey_submit(
        space=assignment.space,
        surveyor=assignment.surveyor,
        client_uuid=uuid.uuid4(),
        data=_data(),
    )
    # equipment mean (1.0 + 0.2) / 2 = 0.6; quality mean (3/3 + 1/3) / 2 = 0.6667
    assert survey.condition_score == round(100 * (0.5 * 0.6 + 0.5 * (4 / 6)))  # 63
    assert survey.status == Survey.Status.SUBMITTED
    assert survey.equipment.count() == 2
    assert sorted(o.count for o in survey.observations.all()) == [2, 4]
    assert survey.needs.get().priority == "high"


@pytest.mark.django_db
def test_score_uses_the_part_recorded_when_the_other_is_missing(assignment):
    survey, _ = survey_submit(
        space=assignment.space,
        surveyor=assignment.surveyor,
        client_uuid=uuid.uuid4(),
        data=_data(quality={}, equipment={"bench": (2, "fair")}),
    )
    assert survey.condition_score == 60
    empty, _ = survey_submit(
        space=assignment.space,
        surveyor=assignment.surveyor,
        client_uuid=uuid.uuid4(),
        data=_data(quality={}, equipment={}),
    )
    assert empty.condition_score is None


@pytest.mark.django_db
def test_a_resend_with_the_same_uuid_never_creates_a_second_survey(assignment):
    client_uuid = uuid.uuid4()
    first, created = survey_submit(
        space=assignment.space, surveyor=assignment.surveyor, client_uuid=client_uuid, data=_data()
    )
    again, created_again = survey_submit(
        space=assignment.space, surveyor=assignment.surveyor, client_uuid=client_uuid, data=_data()
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Survey.objects.count() == 1
    assert first.equipment.count() == 2


@pytest.mark.django_db
def test_a_draft_is_updated_in_place_then_submitted(assignment):
    client_uuid = uuid.uuid4()
    draft, _ = survey_submit(
        space=assignment.space,
        surveyor=assignment.surveyor,
        client_uuid=client_uuid,
        data=_data(equipment={"bench": (1, "bad")}),
        final=False,
    )
    assert draft.status == Survey.Status.DRAFT
    final, created = survey_submit(
        space=assignment.space, surveyor=assignment.surveyor, client_uuid=client_uuid, data=_data()
    )
    assert not created
    assert final.status == Survey.Status.SUBMITTED
    assert list(final.equipment.values_list("feature", flat=True)) == ["bench", "lighting"]


@pytest.mark.django_db
def test_a_surveyor_cannot_survey_a_space_not_assigned_to_them(assignment):
    other_space = PublicSpaceFactory()
    with pytest.raises(PermissionDenied):
        survey_submit(
            space=other_space,
            surveyor=assignment.surveyor,
            client_uuid=uuid.uuid4(),
            data=_data(),
        )


@pytest.mark.django_db
def test_a_resend_by_someone_else_with_a_known_uuid_is_refused(assignment):
    client_uuid = uuid.uuid4()
    survey_submit(
        space=assignment.space, surveyor=assignment.surveyor, client_uuid=client_uuid, data=_data()
    )
    intruder = AssignmentFactory(space=assignment.space)
    with pytest.raises(PermissionDenied):
        survey_submit(
            space=assignment.space,
            surveyor=intruder.surveyor,
            client_uuid=client_uuid,
            data=_data(),
        )


@TRANSACTIONAL
def test_concurrent_resends_of_one_survey_create_one_survey():
    assignment = AssignmentFactory()
    client_uuid = uuid.uuid4()
    results: list[object] = []
    barrier = threading.Barrier(4)

    def send() -> None:
        try:
            barrier.wait()
            survey, created = survey_submit(
                space=assignment.space,
                surveyor=assignment.surveyor,
                client_uuid=client_uuid,
                data=_data(),
            )
            results.append((survey.pk, created))
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Survey.objects.count() == 1
    assert all(isinstance(r, tuple) for r in results), results
    assert sum(1 for r in results if r[1]) == 1
    assert Survey.objects.get().equipment.count() == 2


@pytest.mark.django_db
def test_approval_sets_the_space_condition_and_return_needs_a_comment(assignment):
    reviewer = UserFactory(role="coordinator")
    survey, _ = survey_submit(
        space=assignment.space, surveyor=assignment.surveyor, client_uuid=uuid.uuid4(), data=_data()
    )
    with pytest.raises(ValidationError):
        survey_review(survey=survey, reviewer=reviewer, approve=False, comment=" ")
    survey_review(survey=survey, reviewer=reviewer, approve=True)
    space = PublicSpace.objects.get(pk=assignment.space.pk)
    assert space.condition_score == 63
    assert space.latest_verified_survey_id == survey.pk
    assert space.needs == "Reponer luminarias"
    assert space.condition_band == "fair"
    with pytest.raises(ValidationError):  # decided once
        survey_review(survey=survey, reviewer=reviewer, approve=True)


@pytest.mark.django_db
def test_a_returned_survey_keeps_the_space_unchanged_and_can_be_fixed(assignment):
    reviewer = UserFactory(role="coordinator")
    client_uuid = uuid.uuid4()
    survey, _ = survey_submit(
        space=assignment.space, surveyor=assignment.surveyor, client_uuid=client_uuid, data=_data()
    )
    survey_review(survey=survey, reviewer=reviewer, approve=False, comment="Falta el conteo")
    assert PublicSpace.objects.get(pk=assignment.space.pk).condition_score is None
    fixed, created = survey_submit(
        space=assignment.space, surveyor=assignment.surveyor, client_uuid=client_uuid, data=_data()
    )
    assert not created
    assert fixed.status == Survey.Status.SUBMITTED


@pytest.mark.django_db
def test_reviewers_of_another_district_cannot_review(assignment, other_district):
    survey = SurveyFactory(space=assignment.space, surveyor=assignment.surveyor)
    outsider = UserFactory(role="coordinator", district=other_district)
    with pytest.raises(PermissionDenied):
        survey_review(survey=survey, reviewer=outsider, approve=True)


@pytest.mark.django_db
def test_sector_is_computed_from_geometry_unless_set_by_hand(santa_anita):
    sector = santa_anita.sectors.get(number=3)
    from shapely.geometry import shape

    inside = shape(sector.boundary).representative_point()
    space = PublicSpaceFactory(geometry={"type": "Point", "coordinates": [inside.x, inside.y]})
    assert space.sector == sector
    other = santa_anita.sectors.get(number=1)
    space.sector, space.sector_set_by_hand = other, True
    space.save()
    space.refresh_from_db()
    assert space.sector == other


@pytest.mark.django_db
def test_polygon_space_gets_bbox_centroid_area_and_ccw_ring(santa_anita):
    lon, lat = santa_anita.centre_lon, santa_anita.centre_lat
    clockwise = [
        [lon, lat],
        [lon, lat + 0.001],
        [lon + 0.001, lat + 0.001],
        [lon + 0.001, lat],
        [lon, lat],
    ]
    space = PublicSpaceFactory(geometry={"type": "Polygon", "coordinates": [clockwise]})
    from shapely.geometry import LinearRing

    assert LinearRing(space.geometry["coordinates"][0]).is_ccw
    assert space.min_lon == pytest.approx(lon)
    assert space.max_lat == pytest.approx(lat + 0.001)
    assert 10_000 < space.area_m2 < 13_000
    assert space.min_lon < space.centroid_lon < space.max_lon
