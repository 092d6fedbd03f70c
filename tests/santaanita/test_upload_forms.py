"""Every upload form of the platform refuses markup, script, bombs and polyglots with a
Spanish error next to the field, stores nothing, and keeps what the person typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from festival.models import Edition
from interventions.models import (
    ActivityPhoto,
    Company,
    InterventionPhoto,
    KitDelivery,
    PledgeDocument,
)
from mapping.models import SurveyPhoto
from platform_app.models import AgreementFollowUp, MeetingFile
from tests.bad_files import BAD_FILES
from tests.factories import signed_in
from tests.factories_interventions import InterventionFactory, KitItemFactory, PledgeFactory
from tests.factories_mapping import SurveyFactory
from tests.factories_platform import AgreementFactory, MeetingFactory

pytestmark = pytest.mark.django_db

# What the person reads, in Spanish, whichever check refused the file.
SPANISH_ERRORS = (
    "contiene código de página web",
    "no es una imagen válida",
    "Este tipo de archivo no se acepta",
    "demasiados píxeles",
)


@dataclass
class UploadForm:
    """A form: where it posts, what the person typed, the file's field and what it stores."""

    url: Callable[[Any], str]
    fields: dict[str, str]
    file_field: str
    stored: Callable[[], int]
    role: str = "coordinator"


def _meeting(user: Any) -> str:
    return reverse("platform_app:meeting-file-upload", args=[MeetingFactory().pk])


def _agreement(user: Any) -> str:
    return reverse("platform_app:agreement-detail", args=[AgreementFactory().pk])


def _pledge(user: Any) -> str:
    return reverse("interventions:pledge-document-upload", args=[PledgeFactory().pk])


def _survey(user: Any) -> str:
    return reverse("mapping:survey-photo", args=[SurveyFactory(surveyor=user).pk])


def _activity(user: Any) -> str:
    return reverse("interventions:activity-add", args=[InterventionFactory().pk])


def _photo(user: Any) -> str:
    return reverse("interventions:photo-add", args=[InterventionFactory().pk])


def _delivery(user: Any) -> str:
    item = KitItemFactory(quantity=Decimal("4"))
    return reverse("interventions:item-deliver", args=[item.kit.intervention.pk, item.pk])


FORMS = {
    "meeting file": UploadForm(
        _meeting, {"title": "Acta de marzo"}, "file", MeetingFile.objects.count
    ),
    "agreement evidence": UploadForm(
        _agreement,
        {"new_status": "in_progress", "progress": "30", "comment": "Avance del mes de marzo"},
        "evidence_file",
        AgreementFollowUp.objects.count,
    ),
    "pledge document": UploadForm(
        _pledge, {"kind": "receipt"}, "file", PledgeDocument.objects.count
    ),
    "company logo": UploadForm(
        lambda user: reverse("interventions:company-list"),
        {"name": "Ferretería Los Andes", "ruc": "20131312955", "activity": "commerce"},
        "logo",
        Company.objects.count,
    ),
    "survey photo": UploadForm(
        _survey,
        {"caption": "Vista desde la esquina norte"},
        "image",
        SurveyPhoto.objects.count,
        role="surveyor",
    ),
    "activity photo": UploadForm(
        _activity,
        {"kind": "workshop", "date": "2026-05-02", "who": "Vecinos del sector 2", "what": "x"},
        "photo",
        ActivityPhoto.objects.count,
    ),
    "intervention photo": UploadForm(
        _photo,
        {"moment": "before", "caption": "Losa deportiva antes de pintar"},
        "image",
        InterventionPhoto.objects.count,
    ),
    "signed delivery form": UploadForm(
        _delivery,
        {"date": "2026-05-01", "quantity": "2", "received_by": "Rosa Quispe Mamani"},
        "signed_form",
        KitDelivery.objects.count,
    ),
}


@pytest.mark.parametrize("which", sorted(BAD_FILES))
@pytest.mark.parametrize("form_name", sorted(FORMS))
def test_every_upload_form_refuses_the_file_and_keeps_what_was_typed(client, form_name, which):
    form = FORMS[form_name]
    user = signed_in(client, form.role)
    name, content = BAD_FILES[which]
    before = form.stored()
    response = client.post(
        form.url(user), {**form.fields, form.file_field: SimpleUploadedFile(name, content)}
    )
    page = response.content.decode()
    assert response.status_code in (200, 400)
    assert any(error in page for error in SPANISH_ERRORS), page
    assert form.stored() == before
    typed = max(form.fields.values(), key=len)
    assert typed in page


@pytest.mark.parametrize("which", sorted(BAD_FILES))
def test_the_festival_rules_field_takes_only_a_real_pdf(which):
    field = Edition._meta.get_field("rules_document").formfield()
    name, content = BAD_FILES[which]
    with pytest.raises(ValidationError):
        field.clean(SimpleUploadedFile(name, content))
