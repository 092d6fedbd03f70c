"""Email is the login, verification is mandatory, guessing passwords locks for a while."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from platform_app.models import Delivery, User
from tests.conftest import TRANSACTIONAL
from tests.factories import PASSWORD, UserFactory

pytestmark = TRANSACTIONAL


def test_signup_sends_a_verification_email_through_the_delivery_ledger(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "nueva@example.org",
            "password1": "parque-los-ficus-2026",
            "password2": "parque-los-ficus-2026",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="nueva@example.org").exists()
    delivery = Delivery.objects.get(recipient="nueva@example.org")
    assert delivery.kind == "account.email_confirmation_signup"
    assert delivery.status == Delivery.Status.SENT
    assert len(mail.outbox) == 1
    assert "confirme su dirección de correo" in mail.outbox[0].subject


def test_an_unverified_account_cannot_sign_in_until_it_confirms(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "vecino@example.org",
            "password1": "parque-los-ficus-2026",
            "password2": "parque-los-ficus-2026",
        },
    )
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "vecino@example.org", "password": "parque-los-ficus-2026"},
    )
    assert response.url == reverse("account_email_verification_sent")
    link = re.search(r"https?://\S+/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("testserver", 1)[1]
    client.post(path)
    response = client.post(
        reverse("account_login"),
        {"login": "vecino@example.org", "password": "parque-los-ficus-2026"},
    )
    assert response.status_code == 302
    assert response.url == "/"


def test_admin_locks_after_five_wrong_passwords_from_one_address_until_the_cool_off(
    client, settings
):
    clerk = UserFactory(email="mesa@example.org", is_staff=True)
    admin_login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(admin_login, {"username": clerk.email, "password": "wrong"})
    locked = client.post(admin_login, {"username": clerk.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "temporalmente bloqueada" in locked.content.decode()
    # The lock is on the (account, address) pair: a stranger guessing from elsewhere cannot
    # lock the clerk out of their own desk.
    elsewhere = client.post(
        admin_login, {"username": clerk.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert elsewhere.status_code == 302
    client.logout()
    # And no lock is permanent: after the cool-off the right password works again.
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    again = client.post(admin_login, {"username": clerk.email, "password": PASSWORD})
    assert again.status_code == 302


def test_site_login_is_rate_limited_after_repeated_failures(client):
    user = UserFactory(email="vecina@example.org")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    assert "Demasiados intentos fallidos" in response.content.decode()


def test_sign_in_field_says_it_takes_an_email_or_a_mobile(client):
    response = client.get(reverse("account_login"))
    assert re.search(r'<label for="id_login">\s*Correo electrónico o celular', response.text)
