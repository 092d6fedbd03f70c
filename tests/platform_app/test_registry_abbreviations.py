"""Doubled-letter abbreviations fold before matching: the desk search finds the written-out
name, and a data migration recomputes the keys stored with the old rules."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from platform_app.models import Organization
from tests.factories_registry import OrganizationFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "platform_app.migrations.0019_organization_normalized_name_abbreviations"
)


def test_old_keys_are_recomputed_and_a_collision_keeps_its_old_key(santa_anita):
    written = OrganizationFactory(district=santa_anita, name="JJ.VV. Los Ficus")
    Organization.objects.filter(pk=written.pk).update(normalized_name="jj vv ficus")
    migration.recompute(apps, None)
    assert Organization.objects.get(pk=written.pk).normalized_name == "junta vecinal ficus"

    twin = OrganizationFactory(district=santa_anita, name="AA.HH. Huáscar")
    Organization.objects.filter(pk=twin.pk).update(normalized_name="aa hh huascar")
    other = OrganizationFactory(district=santa_anita, name="Asentamiento Humano Huáscar")
    migration.recompute(apps, None)
    assert Organization.objects.get(pk=twin.pk).normalized_name == "aa hh huascar"
    assert Organization.objects.get(pk=other.pk).normalized_name == "asentamiento humano huascar"


def test_the_desk_search_finds_the_spelled_out_name_from_its_abbreviation(client, santa_anita):
    from django.urls import reverse

    from platform_app.permissions import Role
    from tests.factories import UserFactory

    OrganizationFactory(district=santa_anita, name="Junta Vecinal Los Ficus")
    client.force_login(UserFactory(role=Role.DESK))
    page = client.get(reverse("platform_app:desk-search"), {"name": "JJ.VV. Los Ficus"})
    assert "Junta Vecinal Los Ficus" in page.content.decode()
