"""The confirmation link gives a new representative a first password, and never more."""

from __future__ import annotations

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from platform_app.models import User
from platform_app.services.registry import CONFIRM_SALT, organization_confirm_email
from tests.factories_registry import OrganizationFactory

pytestmark = pytest.mark.django_db

NEW = {"new_password1": "parque-los-ficus-2026", "new_password2": "parque-los-ficus-2026"}


def confirmed(email="rosa@example.org"):
    organization = OrganizationFactory(status="pending")
    token = signing.dumps({"o": organization.pk, "e": email}, salt=CONFIRM_SALT)
    organization_confirm_email(token=token)
    return organization, token


def test_the_link_sets_a_first_password_and_signs_in(client):
    organization, token = confirmed()
    response = client.post(reverse("platform_app:organization-confirm-password", args=[token]), NEW)
    assert response["Location"] == reverse(
        "platform_app:organization-detail", args=[organization.registration_code]
    )
    user = User.objects.get(email="rosa@example.org")
    assert user.check_password(NEW["new_password1"])
    assert int(client.session["_auth_user_id"]) == user.pk


def test_the_link_never_replaces_a_password_already_set(client):
    _organization, token = confirmed()
    user = User.objects.get(email="rosa@example.org")
    user.set_password("la-de-siempre-2026")
    user.save()
    response = client.post(reverse("platform_app:organization-confirm-password", args=[token]), NEW)
    assert response["Location"] == reverse("account_login")
    user.refresh_from_db()
    assert user.check_password("la-de-siempre-2026")
    assert "_auth_user_id" not in client.session

    from platform_app.services.registry import representative_password_set

    with pytest.raises(PermissionDenied):
        representative_password_set(token=token, password="otra-clave-2026")


@pytest.mark.ladder("platform_app:organization-confirm-password")
def test_a_forged_link_sets_nothing(client):
    confirmed()
    forged = signing.dumps({"o": 1, "e": "rosa@example.org"}, salt="another")
    response = client.post(
        reverse("platform_app:organization-confirm-password", args=[forged]), NEW
    )
    assert "no es válido" in response.content.decode()
    assert not User.objects.get(email="rosa@example.org").has_usable_password()
