"""Problem reports: submit, route, work, hide, follow up — the services every page calls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mapping.models import Report, ReportPhoto, ReportSupporter, ReportUpdate
from mapping.reports_models import ReportStatus
from mapping.reports_services import (
    area_set,
    report_acknowledge,
    report_followup_answer,
    report_hide,
    report_me_too,
    report_status_change,
    report_submit,
    reports_schedule_followups,
    space_nearest,
)
from platform_app.models import Delivery
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_mapping import MunicipalAreaFactory, PublicSpaceFactory
from tests.factories_registry import OrganizationFactory
from tests.imagefiles import jpeg_with_gps

pytestmark = pytest.mark.django_db


def photo(name: str = "foto.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_with_gps(), content_type="image/jpeg")


@pytest.fixture
def space():
    return PublicSpaceFactory(name="Parque Los Ficus")


@pytest.fixture
def caring(space):
    organization = OrganizationFactory(name="Junta Vecinal Los Ficus")
    space.organizations.add(organization)
    representative = UserFactory(role=Role.REPRESENTATIVE)
    organization.representatives.add(representative)
    return organization, representative


def submit(space, **kwargs):
    values = {"category": "lighting", "description": "El poste de la esquina no enciende"}
    values.update(kwargs)
    return report_submit(space=space, **values)


def test_anonymous_report_is_routed_to_the_caring_organization_and_the_area(space, caring):
    MunicipalAreaFactory(category="lighting", name="Alumbrado público", email="luz@example.org")
    report = submit(space, photos=[photo()])
    assert report.status == ReportStatus.RECEIVED
    assert report.organization == caring[0]
    assert report.area.name == "Alumbrado público"
    assert report.sector == space.sector
    assert (report.latitude, report.longitude) == (space.centroid_lat, space.centroid_lon)
    reporter = report.supporters.get()
    assert reporter.is_reporter
    assert reporter.email == ""
    assert reporter.phone == ""
    stored = ReportPhoto.objects.get(report=report)
    assert stored.image.name.startswith("private/reports/")
    # The area and the caring organization's representative are told; an anonymous reporter
    # left no address.
    told = set(Delivery.objects.values_list("recipient", flat=True))
    assert told == {"luz@example.org", caring[1].email}


def test_reporter_with_email_gets_a_receipt_and_phone_is_normalised(space):
    report = submit(space, email="Vecina@Example.org", phone="987 654 321")
    reporter = report.supporters.get()
    assert (reporter.email, reporter.phone) == ("vecina@example.org", "+51987654321")
    receipt = Delivery.objects.get()
    assert receipt.recipient == "vecina@example.org"
    assert f"n.º {report.pk}" in receipt.subject


def test_the_same_report_sent_twice_is_stored_once(space):
    first = submit(space, client_uuid="3f0c1c1e-2a4b-4a8e-9d55-6d7c4e7f9a10")
    again = submit(space, client_uuid="3f0c1c1e-2a4b-4a8e-9d55-6d7c4e7f9a10")
    assert first.pk == again.pk
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("description", {"description": "x" * 100_000}),
        ("description", {"description": "   "}),
        ("description", {"description": "luz\x00apagada"}),
        ("description", {"description": "<script>alert(1)</script>"}),
        ("category", {"category": "lighting'; DROP TABLE"}),
        ("email", {"email": "no-es-un-correo"}),
        ("phone", {"phone": "llámame"}),
        ("photos", {"photos": [photo(), photo(), photo(), photo()]}),
        (
            "photos",
            {"photos": [SimpleUploadedFile("x.jpg", b"<html>", content_type="image/jpeg")]},
        ),
    ],
)
def test_bad_input_is_refused_in_spanish_and_nothing_is_written(space, field, values):
    with pytest.raises(ValidationError) as error:
        submit(space, **values)
    assert field in error.value.message_dict
    assert Report.objects.count() == 0
    assert ReportSupporter.objects.count() == 0
    assert ReportPhoto.objects.count() == 0


def test_a_point_on_the_map_snaps_to_the_nearest_space(space):
    other = PublicSpaceFactory(
        geometry={
            "type": "Point",
            "coordinates": [space.centroid_lon + 0.002, space.centroid_lat],
        }
    )
    found = space_nearest(
        district=space.district,
        latitude=space.centroid_lat,
        longitude=space.centroid_lon + 0.0015,
    )
    assert found == other
    with pytest.raises(ValidationError):
        space_nearest(district=space.district, latitude=-12.3, longitude=-76.5)


def test_me_too_counts_a_device_once(space):
    report = submit(space, device="a" * 32)
    first = report_me_too(report=report, device="b" * 32, email="otro@example.org")
    again = report_me_too(report=report, device="b" * 32)
    assert first.pk == again.pk
    assert report.supporters.count() == 2


def test_coordinator_routes_representative_fixes_reporter_confirms(space, caring):
    coordinator = UserFactory(role=Role.COORDINATOR)
    _organization, representative = caring
    report = submit(space, email="vecina@example.org")
    report_me_too(report=report, email="vecino@example.org", device="c" * 32)
    Delivery.objects.all().delete()

    report_acknowledge(report=report, user=coordinator, note="Lo vemos esta semana")
    report = report_status_change(
        report=report, user=representative, status="fixed", note="Foco cambiado"
    )
    assert report.status == ReportStatus.FIXED
    notes = list(report.updates.values_list("status", "note"))
    assert notes[-2:] == [("acknowledged", "Lo vemos esta semana"), ("fixed", "Foco cambiado")]
    # Reporter and "me too" hear of each change.
    told = sorted(Delivery.objects.filter(kind="report_status").values_list("recipient", flat=True))
    assert told == ["vecina@example.org"] * 2 + ["vecino@example.org"] * 2
    later = timezone.now() + timedelta(days=4)
    assert reports_schedule_followups(now=later) == 2
    assert reports_schedule_followups(now=later) == 0  # a scan that runs twice asks once
    assert Delivery.objects.filter(kind="report_followup").count() == 2
    reporter = report.supporters.get(is_reporter=True)
    report = report_followup_answer(supporter=reporter, fixed=True)
    assert report.confirmed_fixed is True
    assert report.status == ReportStatus.FIXED


def test_a_no_reopens_the_fixed_report(space):
    coordinator = UserFactory(role=Role.COORDINATOR)
    report = submit(space, email="vecina@example.org")
    report_acknowledge(report=report, user=coordinator)
    report_status_change(report=report, user=coordinator, status="fixed")
    reporter = report.supporters.get(is_reporter=True)
    report = report_followup_answer(supporter=reporter, fixed=False)
    assert report.status == ReportStatus.IN_PROGRESS
    assert report.reopened_count == 1
    assert report.confirmed_fixed is False
    assert "open again" in report.updates.last().note or "abierto" in report.updates.last().note


def test_routing_to_another_organization_tells_its_representatives_once(space, caring):
    coordinator = UserFactory(role=Role.COORDINATOR)
    other = OrganizationFactory(name="Club Deportivo Los Ficus")
    other_representative = UserFactory(role=Role.REPRESENTATIVE)
    other.representatives.add(other_representative)
    report = submit(space)
    report_acknowledge(report=report, user=coordinator, organization=other)
    routed = Delivery.objects.filter(kind="report_routed")
    assert set(routed.values_list("recipient", flat=True)) == {
        caring[1].email,
        other_representative.email,
    }
    assert routed.filter(recipient=other_representative.email).count() == 1


def test_representative_cannot_route_or_close_as_not_ours(space, caring):
    _organization, representative = caring
    report = submit(space)
    with pytest.raises(PermissionDenied):
        report_acknowledge(report=report, user=representative)
    coordinator = UserFactory(role=Role.COORDINATOR)
    report_acknowledge(report=report, user=coordinator)
    with pytest.raises(ValidationError):
        report_status_change(report=report, user=representative, status="not_ours")


def test_representative_of_another_organization_cannot_work_it(space, caring):
    stranger = UserFactory(role=Role.REPRESENTATIVE)
    OrganizationFactory().representatives.add(stranger)
    report = submit(space)
    with pytest.raises(PermissionDenied):
        report_status_change(report=report, user=stranger, status="in_progress")


def test_coordinator_of_another_district_cannot_route(space, other_district):
    outsider = UserFactory(role=Role.COORDINATOR, district=other_district)
    report = submit(space)
    with pytest.raises(PermissionDenied):
        report_acknowledge(report=report, user=outsider)


def test_a_status_cannot_go_backwards(space):
    coordinator = UserFactory(role=Role.COORDINATOR)
    report = submit(space)
    report_acknowledge(report=report, user=coordinator)
    report_status_change(report=report, user=coordinator, status="fixed")
    with pytest.raises(ValidationError):
        report_status_change(report=report, user=coordinator, status="in_progress")


def test_duplicate_names_an_open_report_and_its_supporters_join_it(space):
    coordinator = UserFactory(role=Role.COORDINATOR)
    original = submit(space, email="primera@example.org")
    repeat = submit(space, email="segunda@example.org")
    with pytest.raises(ValidationError):
        report_status_change(report=repeat, user=coordinator, status="duplicate")
    report_status_change(report=repeat, user=coordinator, status="duplicate", duplicate_of=original)
    assert set(original.supporters.values_list("email", flat=True)) == {
        "primera@example.org",
        "segunda@example.org",
    }


def test_hidden_report_leaves_the_public_but_not_its_moderators(space):
    coordinator = UserFactory(role=Role.COORDINATOR)
    report = submit(space)
    report_hide(report=report, user=coordinator, reason="Datos personales")
    assert not Report.objects.visible_to(UserFactory()).filter(pk=report.pk).exists()
    assert Report.objects.visible_to(coordinator).filter(pk=report.pk).exists()
    assert Report.objects.get(pk=report.pk).hidden_reason == "Datos personales"


def test_hiding_one_note_keeps_the_report(space):
    coordinator = UserFactory(role=Role.COORDINATOR)
    report = submit(space)
    report_acknowledge(report=report, user=coordinator, note="Nota")
    note = report.updates.get(status="acknowledged")
    report_hide(report=report, user=coordinator, reason="Insulto", update=note)
    assert ReportUpdate.objects.get(pk=note.pk).hidden
    assert not Report.objects.get(pk=report.pk).hidden


def test_coordinators_name_the_area_for_a_category(santa_anita):
    coordinator = UserFactory(role=Role.COORDINATOR)
    area_set(
        district=santa_anita,
        category="rubbish",
        name="Limpieza pública",
        email="limpieza@example.org",
        user=coordinator,
    )
    report = submit(PublicSpaceFactory(), category="rubbish")
    assert report.area.name == "Limpieza pública"
    with pytest.raises(PermissionDenied):
        area_set(
            district=santa_anita,
            category="rubbish",
            name="X",
            email="",
            user=UserFactory(role=Role.SURVEYOR),
        )
