"""Residents sign up and sign in with a Peruvian mobile and a code sent by SMS; the code
limits refuse what looks like SMS pumping."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from platform_app.codes.services import CodeLimitError, code_request_record
from platform_app.models import CodeRequest, User

pytestmark = pytest.mark.django_db


def sms_codes(to: str) -> list[str]:
    """The codes sent by SMS to ``to``, oldest first, as the file outbox holds them."""
    outbox = Path(settings.EMAIL_FILE_PATH)
    files = sorted(outbox.glob("sms-*.log")) if outbox.exists() else []
    texts = [f.read_text() for f in files]
    return [
        re.search(r"\b(\d{6})\b", t.split("\n\n", 1)[1]).group(1) for t in texts if f"To: {to}" in t
    ]


@pytest.fixture(autouse=True)
def _sms_outbox(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    settings.SMS_URL = "file://"


def test_a_resident_signs_up_with_only_a_mobile_and_the_sms_code(client):
    response = client.post(reverse("account_signup"), {"phone": "987 654 321"})
    assert response.status_code == 302
    assert response.url == reverse("account_verify_phone")
    user = User.objects.get(phone="+51987654321")
    assert (user.email, user.phone_verified) == ("", False)
    [code] = sms_codes("+51987654321")
    response = client.post(reverse("account_verify_phone"), {"code": code})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone_verified
    assert client.get(reverse("home")).wsgi_request.user == user


def test_a_resident_signs_in_with_the_mobile_and_a_code(client):
    user = User.objects.create(phone="+51987654321", phone_verified=True)
    response = client.post(reverse("account_request_login_code"), {"phone": "987-654-321"})
    assert response.status_code == 302
    [code] = sms_codes("+51987654321")
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == user


def test_a_wrong_code_does_not_sign_in(client):
    User.objects.create(phone="+51987654321", phone_verified=True)
    client.post(reverse("account_request_login_code"), {"phone": "987654321"})
    response = client.post(reverse("account_confirm_login_code"), {"code": "000000"})
    assert not response.wsgi_request.user.is_authenticated


def test_the_sixth_code_to_one_number_within_an_hour_is_refused(client):
    User.objects.create(phone="+51987654321", phone_verified=True)
    start = timezone.now()
    # Ten minutes apart: allauth's own burst limit (three a minute) stays out of the way.
    for minutes in range(0, 10 * settings.PHONE_CODES_PER_NUMBER_HOUR, 10):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            client.post(reverse("account_request_login_code"), {"phone": "987654321"})
        client.cookies.clear()  # a new visitor each time: the limit is the number's
    with time_machine.travel(start + timedelta(minutes=55), tick=False):
        response = client.post(reverse("account_request_login_code"), {"phone": "987654321"})
    assert response.status_code == 200
    assert "Demasiados códigos a este número" in response.content.decode()
    assert len(sms_codes("+51987654321")) == settings.PHONE_CODES_PER_NUMBER_HOUR
    assert CodeRequest.objects.filter(phone="+51987654321").count() == 5
    # An hour after the first, the number may have a code again.
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        response = client.post(reverse("account_request_login_code"), {"phone": "987654321"})
    assert response.status_code == 302


def test_codes_are_not_sent_to_foreign_or_landline_numbers(client):
    for typed in ("+34 612 345 678", "01 362 1234"):
        response = client.post(reverse("account_request_login_code"), {"phone": typed})
        assert response.status_code == 200
    assert sms_codes("+34612345678") == []
    assert "celulares peruanos" in response.content.decode() or "no es un celular" in (
        response.content.decode()
    )


def test_email_sign_up_still_needs_a_password(client):
    response = client.post(reverse("account_signup"), {"email": "vecina@example.org"})
    assert response.status_code == 200
    assert not User.objects.filter(email="vecina@example.org").exists()


def test_the_password_form_takes_an_email_or_a_mobile(client):
    user = User.objects.create(phone="+51987654321", phone_verified=True)
    user.set_password("parque-los-ficus-2026")
    user.save()
    page = client.get(reverse("account_login")).content.decode()
    assert "Correo electrónico o celular" in page
    response = client.post(
        reverse("account_login"), {"login": "987 654 321", "password": "parque-los-ficus-2026"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == user


def test_one_address_asking_codes_for_many_numbers_is_refused(settings):
    settings.PHONE_CODES_PER_IP_HOUR = 3
    for n in range(3):
        code_request_record(phone=f"+5198765432{n}", ip="203.0.113.9", purpose="sign_in")
    with pytest.raises(CodeLimitError) as refused:
        code_request_record(phone="+51987654329", ip="203.0.113.9", purpose="sign_in")
    assert refused.value.code == "code_limit_ip"
    code_request_record(phone="+51987654329", ip="203.0.113.10", purpose="sign_in")


def test_the_platform_stops_sending_codes_at_its_daily_total(settings):
    settings.PHONE_CODES_PER_DAY = 2
    code_request_record(phone="+51987654321", ip=None, purpose="sign_in")
    code_request_record(phone="+51987654322", ip=None, purpose="registration")
    with pytest.raises(CodeLimitError) as refused:
        code_request_record(phone="+51987654323", ip=None, purpose="sign_in")
    assert refused.value.code == "code_limit_day"
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1), tick=False):
        code_request_record(phone="+51987654323", ip=None, purpose="sign_in")
