"""Private files leave only through views that check who asks; public files are served as
they are; nothing stored keeps its uploader's name; old files move to random names."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interventions.models import Company, PledgeDocument
from interventions.services.works import kit_deliver
from mapping.models import SurveyPhoto
from mapping.services import survey_photo_add, survey_review
from platform_app.models import AgreementFollowUp, MeetingFile
from platform_app.permissions import Role
from santaanita.files import DOCUMENTS, IMAGES, check_upload
from tests.factories import UserFactory, signed_in
from tests.factories_interventions import CompanyFactory, KitItemFactory, PledgeFactory
from tests.factories_mapping import SurveyFactory
from tests.factories_platform import AgreementFactory, MeetingFactory
from tests.imagefiles import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


def _checked(name: str, content: bytes) -> Any:
    return check_upload(SimpleUploadedFile(name, content), accept=DOCUMENTS)


@dataclass
class Private:
    """A stored private file: its record, its URL, who may see it, and how it is offered."""

    record: Any
    url: str
    field: str
    allowed: str
    download_name: str
    attachment: bool


def _meeting_file() -> Private:
    meeting = MeetingFactory()
    record = MeetingFile.objects.create(
        meeting=meeting,
        title="Acta",
        file=_checked("Acta sesión marzo.pdf", pdf_bytes()),
        original_name="Acta sesión marzo.pdf",
    )
    url = reverse("platform_app:meeting-file", args=[meeting.pk, record.pk])
    return Private(record, url, "file", Role.COORDINATOR, "Acta sesión marzo.pdf", True)


def _evidence() -> Private:
    agreement = AgreementFactory()
    checked = _checked("informe.pdf", pdf_bytes())
    record = AgreementFollowUp.objects.create(
        agreement=agreement,
        new_status="in_progress",
        evidence_file=checked,
        evidence_name=checked.original_name,
    )
    url = reverse("platform_app:followup-evidence", args=[agreement.pk, record.pk])
    return Private(record, url, "evidence_file", Role.COORDINATOR, "informe.pdf", True)


def _pledge_document() -> Private:
    pledge = PledgeFactory()
    record = PledgeDocument.objects.create(
        pledge=pledge,
        kind="agreement",
        file=_checked("carta compromiso.pdf", pdf_bytes()),
        original_name="carta compromiso.pdf",
    )
    url = reverse("interventions:pledge-document", args=[pledge.pk, record.pk])
    return Private(record, url, "file", Role.COORDINATOR, "carta compromiso.pdf", True)


def _signature() -> Private:
    item = KitItemFactory(quantity=Decimal("4"))
    record = kit_deliver(
        item=item,
        quantity=Decimal("1"),
        date=item.kit.intervention.starts_on,
        received_by="Rosa",
        by=None,
        signature=ContentFile(png_bytes(), name="firma.png"),
    )
    intervention = item.kit.intervention
    url = reverse("interventions:delivery-file", args=[intervention.pk, record.pk, "firma"])
    return Private(record, url, "signature", Role.COORDINATOR, "firma", False)


def _survey_photo() -> Private:
    survey = SurveyFactory()
    record = SurveyPhoto.objects.create(
        survey=survey, image=check_upload(SimpleUploadedFile("a.png", png_bytes()), accept=IMAGES)
    )
    url = reverse("mapping:survey-photo-file", args=[record.pk])
    return Private(record, url, "image", Role.REVIEWER, "foto", False)


PRIVATE: dict[str, Callable[[], Private]] = {
    "meeting file": _meeting_file,
    "agreement evidence": _evidence,
    "pledge document": _pledge_document,
    "delivery signature": _signature,
    "unapproved survey photo": _survey_photo,
}


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("kind", sorted(PRIVATE))
def test_a_private_file_is_refused_to_anonymous_and_to_those_who_may_not_see_it(
    client, kind, other_district
):
    private = PRIVATE[kind]()
    stored = getattr(private.record, private.field).name
    assert client.get(private.url).status_code in (403, 404)
    # Nor is there any other way in: the storage path itself is not served.
    assert client.get(f"/media/{stored}").status_code == 404
    signed_in(client, Role.RESIDENT)
    assert client.get(private.url).status_code in (403, 404)
    signed_in(client, private.allowed, district=other_district)
    assert client.get(private.url).status_code in (403, 404)


@pytest.mark.parametrize("kind", sorted(PRIVATE))
def test_the_right_role_gets_the_file_sandboxed_and_under_its_own_name(client, kind):
    private = PRIVATE[kind]()
    field_file = getattr(private.record, private.field)
    signed_in(client, private.allowed)
    response = client.get(private.url)
    assert response.status_code == 200
    with default_storage.open(field_file.name) as stored:
        assert _body(response) == stored.read()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment" if private.attachment else "inline")
    assert private.download_name.split(".")[0].split(" ")[0] in disposition


@pytest.mark.parametrize("kind", sorted(PRIVATE))
def test_no_stored_path_keeps_the_uploaders_file_name(kind):
    private = PRIVATE[kind]()
    name = getattr(private.record, private.field).name
    assert name.startswith("private/")
    stem = name.split("/")[-1].split(".")[0].lower()
    for word in ("acta", "informe", "carta", "firma"):
        assert word not in stem


def test_behind_nginx_the_view_only_names_the_file_for_nginx_to_send(client, settings):
    settings.MEDIA_X_ACCEL_REDIRECT = True
    private = _pledge_document()
    signed_in(client, Role.COORDINATOR)
    response = client.get(private.url)
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/_protected_media/{private.record.file.name}"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_public_files_are_served_to_anyone_and_nothing_outside_public(client):
    company = CompanyFactory(
        logo=check_upload(SimpleUploadedFile("logo.png", png_bytes()), accept=IMAGES)
    )
    assert company.logo.name.startswith("public/logos/")
    assert company.logo.url == f"/media/{company.logo.name}"
    response = client.get(company.logo.url)
    assert response.status_code == 200
    assert _body(response) == Company.objects.get().logo.read()
    assert response["X-Content-Type-Options"] == "nosniff"
    private = _pledge_document().record.file.name
    assert client.get(f"/media/public/../{private}").status_code == 404


def test_approving_a_survey_makes_its_photos_public(client, django_capture_on_commit_callbacks):
    photo = _survey_photo().record
    private_name = photo.image.name
    reviewer = UserFactory(role=Role.REVIEWER)
    with django_capture_on_commit_callbacks(execute=True):
        survey_review(survey=photo.survey, reviewer=reviewer, approve=True)
    photo.refresh_from_db()
    assert photo.image.name.startswith("public/surveys/")
    assert not default_storage.exists(private_name)
    assert photo.get_image_url() == f"/media/{photo.image.name}"
    assert client.get(photo.get_image_url()).status_code == 200
    # The checked view still answers too, now for anyone: the survey is public knowledge.
    assert client.get(reverse("mapping:survey-photo-file", args=[photo.pk])).status_code == 200
    later = survey_photo_add(
        survey=photo.survey,
        user=photo.survey.surveyor,
        upload=SimpleUploadedFile("otra.png", png_bytes()),
    )
    assert later.image.name.startswith("public/surveys/")


def test_the_data_migration_moves_an_old_file_to_a_random_private_name():
    legacy = default_storage.save("platform/meetings/2026/03/Acta marzo.pdf", ContentFile(b"1"))
    meeting_file = MeetingFile.objects.create(meeting=MeetingFactory(), title="Acta")
    MeetingFile.objects.filter(pk=meeting_file.pk).update(file=legacy)
    migration = importlib.import_module("platform_app.migrations.0018_stored_files_random_names")
    migration.relocate_stored_files(apps, None)
    meeting_file.refresh_from_db()
    assert meeting_file.file.name.startswith("private/meetings/")
    assert meeting_file.file.name.endswith(".pdf")
    assert "Acta" not in meeting_file.file.name
    assert meeting_file.original_name == "Acta marzo.pdf"
    assert meeting_file.file.read() == b"1"
    assert not default_storage.exists(legacy)
    # Run again (a re-run migration, a second machine): nothing moves twice.
    moved = meeting_file.file.name
    migration.relocate_stored_files(apps, None)
    meeting_file.refresh_from_db()
    assert meeting_file.file.name == moved
