"""An admin for every model of the project, and every list of it opens."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

import santaanita.urls  # noqa: F401 - registers the admin modules (see there)
from platform_app.models import User

PROJECT_APPS = {"platform_app", "mapping", "festival", "interventions"}
MODELS = [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def test_every_model_of_the_project_has_an_admin():
    assert [m.__name__ for m in MODELS if not admin.site.is_registered(m)] == []


@pytest.mark.django_db
def test_every_admin_list_and_add_form_opens(client):
    client.force_login(User.objects.create_superuser(email="root@example.org", password="x"))
    for model in MODELS:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        model_admin = admin.site._registry[model]
        if model_admin.has_add_permission(client.get(changelist).wsgi_request):
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            assert client.get(add).status_code == 200, add
