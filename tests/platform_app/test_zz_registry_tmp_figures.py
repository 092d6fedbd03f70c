import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory
from tests.factories_registry import CampaignFactory
from tests.platform_app.test_registry_queries import _make


@pytest.mark.django_db
def test_print_figures(client, santa_anita):
    CampaignFactory()
    urls = [
        (None, reverse("platform_app:organization-directory") + "?q=cultural"),
        ("desk", reverse("platform_app:desk-search") + "?name=Asoc.%20cultural%20parque"),
        (None, "/api/organizations/"),
        ("coordinator", "/api/organizations/"),
    ]
    for n, start in ((3, 1), (30, 100)):
        _make(n, start)
        for role, url in urls:
            client.logout()
            if role:
                client.force_login(UserFactory(role=role))
            with CaptureQueriesContext(connection) as c:
                client.get(url)
            print("FIG", n, role, url, len(c.captured_queries))
