from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from platform_app.models import User
from platform_app.permissions import Role, roles_of

pytestmark = pytest.mark.django_db

EMAILS = {
    Role.COORDINATOR: "coordinator@example.org",
    Role.DESK: "desk@example.org",
    Role.SURVEYOR: "surveyor@example.org",
    Role.REVIEWER: "reviewer@example.org",
    Role.JUDGE: "judge@example.org",
    Role.MEMBER: "member@example.org",
    Role.REPRESENTATIVE: "representative@example.org",
    Role.RESIDENT: "resident@example.org",
    Role.COMPANY: "company@example.org",
}


def test_seed_demo_creates_one_verified_login_per_role_and_can_run_again(client, capsys):
    call_command("seed_demo", "--password", "demo-pass-123")
    call_command("seed_demo", "--password", "demo-pass-123")
    for role, email in EMAILS.items():
        user = User.objects.get(email=email)
        assert roles_of(user) == {role}
        assert user.district.ubigeo == "150137"
        assert EmailAddress.objects.get(email=email).verified
    # Other apps' demos add people (the festival's nine judges); the role logins stay one
    # per role.
    assert set(EMAILS) == set(Role)
    assert User.objects.filter(email__in=EMAILS.values()).count() == len(Role)
    out = capsys.readouterr().out
    assert "coordinator@example.org" in out
    assert "demo-pass-123" in out
    response = client.post(
        "/cuentas/login/", {"login": "desk@example.org", "password": "demo-pass-123"}
    )
    assert response.status_code == 302


def test_seed_demo_refuses_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never created in production"):
        call_command("seed_demo")
