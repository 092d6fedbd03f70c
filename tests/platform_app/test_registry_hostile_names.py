"""Names that normalise to nothing, control characters, and the files that leave the registry."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from icalendar import Calendar
from openpyxl import load_workbook

from platform_app.calendars import meeting_ics
from platform_app.models import Organization
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_platform import MeetingFactory
from tests.factories_registry import CampaignFactory, ContactFactory, OrganizationFactory
from tests.platform_app.test_registry_forms import valid_post

REGISTER = reverse("platform_app:organization-register")
DESK = reverse("platform_app:desk")
CONTROL_MESSAGE = "Quite los caracteres de control o invisibles de este texto."
EMPTY_NAME_MESSAGE = "Escriba el nombre de la organización con letras o dígitos."


def _post(santa_anita, **overrides: str) -> dict[str, str]:
    return valid_post(sector=str(santa_anita.sectors.get(number=1).pk), **overrides)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["¡¡¡ !!! ???", "de los", "... --- ..."])
def test_a_name_that_normalises_to_nothing_is_a_field_error(client, santa_anita, name):
    response = client.post(REGISTER, _post(santa_anita, name=name))
    page = response.content.decode()
    assert response.status_code == 200
    assert EMPTY_NAME_MESSAGE in page
    assert "organization_unique_name_per_district" not in page
    assert f'value="{name}"' in page  # what was typed stays
    assert not Organization.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["\ufffe\uffff", "Club\x01\x02", "Club \x1b[31mRojo"])
def test_control_characters_and_noncharacters_in_a_name_are_a_field_error(
    client, santa_anita, name
):
    response = client.post(REGISTER, _post(santa_anita, name=name))
    assert response.status_code == 200
    assert CONTROL_MESSAGE in response.content.decode()
    assert not Organization.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field", ["contact_name", "address", "activities", "social_links", "contact_email"]
)
def test_control_characters_are_refused_in_every_text_field(client, santa_anita, field):
    response = client.post(REGISTER, _post(santa_anita, **{field: "texto\x01"}))
    assert response.status_code == 200
    assert not Organization.objects.exists()
    assert response.context["form"].errors[field]


@pytest.mark.django_db
def test_a_record_left_with_an_empty_normalised_name_blocks_no_one(client, santa_anita):
    """Records saved before the rule (an empty normalised name, pending) stay harmless: the
    public form and the desk register new organizations beside them."""
    legacy = OrganizationFactory(name="¡¡¡ !!! ???", status=Organization.Status.PENDING)
    Organization.objects.filter(pk=legacy.pk).update(normalized_name="")
    response = client.post(REGISTER, _post(santa_anita))
    assert response.status_code == 302
    CampaignFactory()
    client.force_login(UserFactory(role=Role.DESK))
    desk = client.post(
        DESK,
        _post(
            santa_anita,
            name="Club Juvenil Nueva Esperanza",
            submission_token="0b8f2a6e-4a0b-4f57-9d55-1c0f5b0a7c12",
        ),
    )
    assert desk.status_code == 302, desk.content.decode()
    assert Organization.objects.count() == 3


@pytest.mark.django_db
def test_a_duplicate_name_is_reported_in_words_never_as_the_constraint(client, santa_anita):
    OrganizationFactory(name="Asociación Vecinal Los Ficus")
    response = client.post(REGISTER, _post(santa_anita, name="Asoc. Vecinal Los Ficus"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "organization_unique_name_per_district" not in page
    assert "Constraint" not in page
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_exports_of_records_stored_with_control_characters_still_open(client, santa_anita):
    """Data typed before the rule existed (or written by a script) reaches no export raw."""
    organization = OrganizationFactory(
        name="Club\x01 Rojo\x1b", activities='=HYPERLINK("http://x")', status="verified"
    )
    ContactFactory(organization=organization, name="+Ana\x02", email="ana@privado.example")
    client.force_login(UserFactory(role=Role.COORDINATOR))
    xlsx = client.get(reverse("platform_app:registry-export", args=["xlsx"]))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "Club Rojo" in values
    assert '\'=HYPERLINK("http://x")' in values
    assert "'+Ana" in values
    csv_text = client.get(reverse("platform_app:registry-export", args=["csv"])).content.decode()
    assert "\x01" not in csv_text
    assert "\x1b" not in csv_text
    assert "'=HYPERLINK" in csv_text


@pytest.mark.django_db
def test_control_characters_in_a_meeting_title_never_reach_the_calendar(santa_anita):
    meeting = MeetingFactory(title="Sesión\x01 ordinaria\x1b[0m", place="Sala\x02 1")
    ics = meeting_ics(meeting)
    assert not any(ord(c) < 32 and c not in "\r\n\t" for c in ics)
    event = next(c for c in Calendar.from_ical(ics).walk("VEVENT"))
    assert str(event["summary"]) == "Sesión ordinaria[0m"
    assert str(event["location"]) == "Sala 1"


@pytest.mark.django_db
def test_a_constraint_checked_in_validation_never_shows_its_name(santa_anita):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    OrganizationFactory(name="Club Los Ficus", status=Organization.Status.PENDING)
    twin = Organization(
        district=santa_anita, name="Club Los Ficus", typology="sports", status="pending"
    )
    with translation.override("es"), pytest.raises(ValidationError) as caught:
        twin.full_clean(exclude=["registration_code", "submission_token"])
    text = " ".join(caught.value.messages)
    assert "organization_unique_name_per_district" not in text
    assert "Esto choca con un registro ya guardado" in text


@pytest.mark.django_db
def test_the_personal_data_copy_neutralises_formulas(client, santa_anita):
    from platform_app.models import DataRequest
    from platform_app.services.rights import data_copy_token

    organization = OrganizationFactory(name="@SUM(1+1) Club")
    ContactFactory(organization=organization, name="=HYPERLINK(1)", email="f@example.org")
    data_request = DataRequest.objects.create(
        district=santa_anita, kind="access", name="F", email="f@example.org", status="open"
    )
    token = data_copy_token(data_request=data_request)
    url = reverse("platform_app:data-request-copy", args=[token, "csv"])
    text = client.get(url).content.decode()
    assert "'=HYPERLINK(1)" in text
    assert "'@SUM(1+1) Club" in text
