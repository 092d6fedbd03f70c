"""A registration with only a mobile number, confirmed by a code sent by SMS."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from platform_app.models import Delivery, Organization, OrganizationEvent, RegistrationCode, User
from platform_app.services.registry import ContactData, organization_register
from tests.factories import UserFactory
from tests.platform_app.test_phone_sign_in import sms_codes
from tests.platform_app.test_registry_forms import URL, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_outbox(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    settings.SMS_URL = "file://"


def phone_only(santa_anita, **overrides: str) -> dict[str, str]:
    sector = str(santa_anita.sectors.get(number=1).pk)
    return valid_post(sector=sector, contact_email="", **overrides)


def test_a_phone_only_registration_waits_for_the_sms_code(client, santa_anita):
    response = client.post(URL, phone_only(santa_anita))
    organization = Organization.objects.get()
    assert response.url == reverse(
        "platform_app:organization-registered", args=[organization.registration_code]
    )
    assert organization.contacts.get().phone == "+51987654321"
    page = client.get(response.url).content.decode()
    assert "En espera de confirmación" in page
    assert "+51987654321" in page
    assert organization.phone_confirmed_at is None
    [code] = sms_codes("+51987654321")

    response = client.post(
        reverse("platform_app:organization-phone-confirm", args=[organization.registration_code]),
        {"code": code},
    )
    assert response.url == organization.get_absolute_url()
    organization.refresh_from_db()
    assert organization.phone_confirmed_at is not None
    user = User.objects.get(phone="+51987654321")
    assert user.phone_verified
    assert user.email == ""
    assert organization.representatives.filter(pk=user.pk).exists()
    assert organization.events.filter(action=OrganizationEvent.Action.PHONE_CONFIRMED).exists()
    # The representative, signed in, sees the pending record.
    assert client.get(organization.get_absolute_url()).status_code == 200


def test_a_wrong_code_is_refused_and_nothing_is_lost(client, santa_anita):
    client.post(URL, phone_only(santa_anita))
    organization = Organization.objects.get()
    url = reverse("platform_app:organization-phone-confirm", args=[organization.registration_code])
    response = client.post(url, {"code": "000000"})
    assert response.status_code == 400
    assert "El código no es correcto. Intentos restantes: 4." in response.content.decode()
    assert Organization.objects.get().status == Organization.Status.PENDING
    [code] = sms_codes("+51987654321")
    assert client.post(url, {"code": code}).status_code == 302


def test_attempts_are_bounded_and_codes_expire(client, santa_anita, settings):
    client.post(URL, phone_only(santa_anita))
    organization = Organization.objects.get()
    url = reverse("platform_app:organization-phone-confirm", args=[organization.registration_code])
    [code] = sms_codes("+51987654321")
    for _ in range(settings.PHONE_CODE_ATTEMPTS):
        client.post(url, {"code": "000000"})
    response = client.post(url, {"code": code})
    assert "Demasiados códigos incorrectos" in response.content.decode()
    assert organization.phone_code.confirmed_at is None

    resend = reverse(
        "platform_app:organization-phone-resend", args=[organization.registration_code]
    )
    client.post(resend)
    [_first, fresh] = sms_codes("+51987654321")
    later = timezone.now() + timedelta(minutes=settings.PHONE_CODE_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        response = client.post(url, {"code": fresh})
    assert "Este código venció" in response.content.decode()


def test_a_double_submit_makes_one_registration_and_one_code(client, santa_anita):
    data = phone_only(santa_anita)
    client.post(URL, data)
    client.post(URL, data)
    assert Organization.objects.count() == 1
    assert len(sms_codes("+51987654321")) == 1
    assert RegistrationCode.objects.count() == 1


def test_without_an_email_the_phone_must_be_a_mobile(client, santa_anita):
    response = client.post(URL, phone_only(santa_anita, contact_phone="01 362 1234"))
    assert response.status_code == 200
    assert "contact_phone" in response.context["form"].errors
    assert "01 362 1234" in response.content.decode()  # what was typed stays
    assert Organization.objects.count() == 0


@pytest.mark.ladder(
    "platform_app:organization-phone-confirm", "platform_app:organization-phone-resend"
)
def test_only_the_submitting_browser_may_confirm_or_ask_for_codes(client, santa_anita):
    client.post(URL, phone_only(santa_anita))
    code = Organization.objects.get().registration_code
    client.cookies.clear()
    for name in ("organization-phone-confirm", "organization-phone-resend"):
        response = client.post(reverse(f"platform_app:{name}", args=[code]), {"code": "1"})
        assert response.status_code == 404
    assert len(sms_codes("+51987654321")) == 1


def test_a_walk_in_with_only_a_mobile_gets_the_registration_code_by_sms(
    santa_anita, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = organization_register(
            district=santa_anita,
            fields={
                "name": "Club de Madres Santa Rosa",
                "typology": Organization.Typology.NEIGHBOURHOOD,
                "sector": santa_anita.sectors.get(number=2),
            },
            contact=ContactData(name="Juana Quispe", phone="+51912345678"),
            channel=Organization.Channel.DESK,
            submission_token=uuid.uuid4(),
            actor=UserFactory(role="desk"),
        )
    delivery = Delivery.objects.get(recipient="+51912345678")
    assert (delivery.channel, delivery.status) == ("sms", Delivery.Status.SENT)
    [sent] = (Path(settings.EMAIL_FILE_PATH)).glob("sms-*.log")
    assert result.organization.registration_code in sent.read_text()


def test_a_walk_in_with_a_landline_gets_no_message(santa_anita):
    organization_register(
        district=santa_anita,
        fields={
            "name": "Club Deportivo Los Álamos",
            "typology": Organization.Typology.NEIGHBOURHOOD,
            "sector": santa_anita.sectors.get(number=2),
        },
        contact=ContactData(name="Pedro Rojas", phone="+5113621234"),
        channel=Organization.Channel.DESK,
        submission_token=uuid.uuid4(),
        actor=UserFactory(role="desk"),
    )
    assert not Delivery.objects.exists()
