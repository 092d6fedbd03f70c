"""Roles are groups created by a migration; can() adds the district to the question."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from platform_app.permissions import Role, can, role_permissions, roles_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_exactly_its_permissions():
    for role, perms in role_permissions().items():
        group = Group.objects.get(name=role.value)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(perms)


def test_coordinator_may_change_sectors_only_in_their_district(santa_anita, other_district):
    coordinator = UserFactory(role=Role.COORDINATOR)
    assert roles_of(coordinator) == {Role.COORDINATOR}
    assert can(coordinator, "platform_app.change_sector", santa_anita)
    assert not can(coordinator, "platform_app.change_sector", other_district)


def test_wrong_role_and_anonymous_may_not(santa_anita):
    resident = UserFactory(role=Role.RESIDENT)
    assert not can(resident, "platform_app.change_sector", santa_anita)
    assert not can(AnonymousUser(), "platform_app.change_sector", santa_anita)
    assert roles_of(AnonymousUser()) == set()


def test_an_inactive_coordinator_may_not(santa_anita):
    coordinator = UserFactory(role=Role.COORDINATOR, is_active=False)
    assert not can(coordinator, "platform_app.change_sector", santa_anita)
