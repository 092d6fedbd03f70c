"""The public registration form: a registration, its email, idempotency and bad input."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from platform_app.models import Contact, Organization, OrganizationEvent, User
from tests.factories_registry import OrganizationFactory

URL = reverse("platform_app:organization-register")


def valid_post(**overrides: str) -> dict[str, str]:
    data = {
        "contact_name": "Rosa Huamán",
        "contact_phone": "987 654 321",
        "contact_email": "rosa@example.org",
        "name": "Asociación Vecinal Los Ficus",
        "typology": "neighbourhood",
        "sector": "1",
        "address": "Jr. Los Ficus 123",
        "year_founded": "2025",
        "members_count": "25",
        "age_groups": ["adults", "elders"],
        "activities": "Limpieza del parque y vigilancia vecinal.",
        "newly_constituted": "on",
        "legal_status": "informal",
        "ruc": "",
        "social_links": "https://facebook.com/losficus",
        "privacy_consent": "on",
        "directory_consent": "on",
        "submission_token": "6f1f8a8e-4a0b-4f57-9d55-1c0f5b0a7c11",
    }
    data.update(overrides)
    return data


def _sector_pk(santa_anita) -> str:
    return str(santa_anita.sectors.get(number=1).pk)


@pytest.mark.django_db
def test_public_registration_creates_pending_record_contact_and_email(
    client, santa_anita, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, valid_post(sector=_sector_pk(santa_anita)))
    organization = Organization.objects.get()
    assert response.status_code == 302
    assert organization.status == Organization.Status.PENDING
    assert organization.channel == Organization.Channel.ONLINE
    assert re.fullmatch(r"SA-\d{4}-\d{4}", organization.registration_code)
    assert organization.newly_constituted
    assert organization.directory_consent
    assert not organization.messages_consent
    assert Contact.objects.get().phone == "+51987654321"
    assert OrganizationEvent.objects.filter(action="registered").count() == 1
    page = client.get(response["Location"])
    assert organization.registration_code in page.content.decode()
    assert len(mail.outbox) == 1
    assert organization.registration_code in mail.outbox[0].body
    link = re.search(r"http://\S+/organizaciones/confirmar/\S+/", mail.outbox[0].body).group(0)
    client.post(link)
    user = User.objects.get(email="rosa@example.org")
    assert organization.representatives.filter(pk=user.pk).exists()
    assert user.emailaddress_set.get().verified
    assert user.groups.filter(name="representative").exists()


@pytest.mark.django_db
def test_duplicate_submission_creates_one_registration(
    client, santa_anita, django_capture_on_commit_callbacks
):
    data = valid_post(sector=_sector_pk(santa_anita))
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(URL, data)
        second = client.post(URL, data)  # double click, or a retry after a timeout
    assert Organization.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert len(mail.outbox) == 1


@pytest.mark.ladder("platform_app:organization-registered")
@pytest.mark.django_db
def test_confirmation_page_is_only_for_the_submitting_browser(client, santa_anita):
    client.post(URL, valid_post(sector=_sector_pk(santa_anita)))
    code = Organization.objects.get().registration_code
    other = client.__class__()
    url = reverse("platform_app:organization-registered", args=[code])
    assert other.get(url).status_code == 404
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_near_duplicate_name_is_refused_next_to_the_name(client, santa_anita):
    OrganizationFactory(name="Asoc. Vecinal Los Ficus", registration_code="SA-2026-0001")
    response = client.post(URL, valid_post(sector=_sector_pk(santa_anita)))
    assert response.status_code == 200
    assert "SA-2026-0001" in str(response.context["form"].errors["name"])
    assert Organization.objects.count() == 1


BAD_INPUT = [
    ("name", "A" * 201, "name"),
    ("activities", "x" * 2001, "activities"),
    ("contact_phone", "12345", "contact_phone"),
    ("contact_phone", "887654321", "contact_phone"),
    ("ruc", "20131312956", "ruc"),
    ("ruc", "2013131", "ruc"),
    ("name", "<script>alert(1)</script> Club", "name"),
    ("activities", "Baile <img src=x onerror=alert(1)>", "activities"),
    ("name", "", "name"),
    ("contact_email", "rosa@", "contact_email"),
    ("social_links", "javascript:alert(1)", "social_links"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "error_field"), BAD_INPUT)
def test_bad_input_gets_a_field_error_and_every_value_is_kept(
    client, santa_anita, field, value, error_field
):
    data = valid_post(sector=_sector_pk(santa_anita), **{field: value})
    if field != "ruc":
        data["legal_status"] = "informal"
    else:
        data["legal_status"] = "ruc"
    response = client.post(URL, data)
    assert response.status_code == 200
    assert Organization.objects.count() == 0
    form = response.context["form"]
    assert error_field in form.errors
    html = response.content.decode()
    # The error sits next to its field (Django's error list carries the field's id).
    assert f'id="id_{error_field}_error"' in html
    # Every value typed is still in the form, escaped, never as live markup.
    for key in ("contact_name", "address", "activities", "name", "contact_phone", "ruc"):
        typed = data[key]
        if typed:
            from django.utils.html import escape

            assert escape(typed) in html, key
    assert "<script>alert(1)</script>" not in html
    assert "checked" in html  # the consents and age groups stay ticked


@pytest.mark.django_db
def test_privacy_notice_and_separate_consents_are_on_the_form(client):
    html = client.get(URL).content.decode()
    assert "29733" in html
    assert "016-2024-JUS" in html
    for name in ("privacy_consent", "directory_consent", "messages_consent"):
        assert f'name="{name}"' in html


@pytest.mark.django_db
def test_demo_registry_is_realistic_and_idempotent():
    import io

    from platform_app.demo import seed

    # platform_app's own seed (which calls seed_registry), twice: it must be idempotent.
    seed(password="demo-pass-123", out=io.StringIO())
    seed(password="demo-pass-123", out=io.StringIO())
    organizations = Organization.objects.filter(district__ubigeo="150137")
    assert organizations.count() >= 40
    assert set(organizations.values_list("typology", flat=True)) == set(Organization.Typology)
    assert set(organizations.values_list("sector__number", flat=True)) == {1, 2, 3, 4, 5}
    assert organizations.filter(status="pending").exists()
    assert organizations.filter(status="verified").count() >= 30
    new_neighbourhood = organizations.filter(
        typology="neighbourhood", newly_constituted=True, status="verified"
    )
    assert new_neighbourhood.count() >= 4
    representative = User.objects.get(email="representative@example.org")
    assert representative.represented_organizations.count() == 1


@pytest.mark.django_db
def test_coordinators_see_the_demo_registrys_progress_toward_the_founding_targets(client):
    import io

    from platform_app.demo import seed

    seed(password="demo-pass-123", out=io.StringIO())
    client.force_login(User.objects.get(email="coordinator@example.org"))
    page = client.get(reverse("platform_app:verification-list")).content.decode()
    organizations = Organization.objects.filter(district__ubigeo="150137", status="verified")
    mapped = organizations.count()
    new = organizations.filter(typology="neighbourhood", newly_constituted=True).count()
    shown = dict(re.findall(r'data-testid="progress-(mapped|new)">([^<]*)<', page))
    assert shown == {"mapped": f"{mapped} / 30", "new": f"{new} / 5"}


SUBMISSION_TOKEN = re.compile(r'name="submission_token" value="([0-9a-f-]{36})"')


@pytest.mark.django_db
def test_two_visitors_of_the_kept_form_each_register_their_own_organization(santa_anita):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    first, second = Client(), Client()
    page_one = first.get(URL).content.decode()
    with CaptureQueriesContext(connection) as kept:
        page_two = second.get(URL).content.decode()
    assert len(kept) == 0  # the blank form comes from its kept copy
    token_one, token_two = (
        SUBMISSION_TOKEN.search(page_one)[1],
        SUBMISSION_TOKEN.search(page_two)[1],
    )
    assert token_one != token_two
    assert "__once_placeholder__" not in page_two
    for client, token, name in ((first, token_one, "Club Uno"), (second, token_two, "Club Dos")):
        response = client.post(
            URL, valid_post(sector=_sector_pk(santa_anita), name=name, submission_token=token)
        )
        assert response.status_code == 302
    assert set(Organization.objects.values_list("name", flat=True)) == {"Club Uno", "Club Dos"}
