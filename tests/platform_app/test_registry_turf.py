"""An organization names the public spaces it uses or cares for (its turf) when it registers;
the spaces' pages and the organization's public page then show the link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from platform_app.models import Organization
from tests.factories import UserFactory
from tests.factories_mapping import PublicSpaceFactory
from tests.platform_app.test_registry_forms import URL, valid_post


@pytest.fixture
def spaces(santa_anita, other_district):
    return {
        "ficus": PublicSpaceFactory(name="Parque Los Ficus"),
        "rosa": PublicSpaceFactory(name="Parque Santa Rosa"),
        "ate": PublicSpaceFactory(name="Parque de Ate", district=other_district),
    }


def _sector(santa_anita) -> str:
    return str(santa_anita.sectors.get(number=1).pk)


@pytest.mark.django_db
def test_the_public_form_offers_the_districts_spaces_and_records_the_turf(
    client, santa_anita, spaces
):
    form_page = client.get(URL).content.decode()
    assert "Parque Los Ficus" in form_page
    assert "Parque de Ate" not in form_page
    response = client.post(
        URL, valid_post(sector=_sector(santa_anita), turf=[f"space:{spaces['ficus'].pk}"])
    )
    assert response.status_code == 302
    organization = Organization.objects.get()
    assert list(organization.public_spaces.all()) == [spaces["ficus"]]


@pytest.mark.django_db
def test_a_space_of_another_district_is_refused_and_the_rest_is_kept(client, santa_anita, spaces):
    response = client.post(
        URL, valid_post(sector=_sector(santa_anita), turf=[f"space:{spaces['ate'].pk}"])
    )
    assert response.status_code == 200
    assert "turf" in response.context["form"].errors
    assert 'value="Asociación Vecinal Los Ficus"' in response.content.decode()
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_the_public_page_lists_the_turf_and_the_representative_changes_it(
    client, santa_anita, spaces
):
    client.post(URL, valid_post(sector=_sector(santa_anita), turf=[f"space:{spaces['ficus'].pk}"]))
    organization = Organization.objects.get()
    Organization.objects.filter(pk=organization.pk).update(status="verified")
    page = client.get(organization.get_absolute_url()).content.decode()
    assert "Parque Los Ficus" in page
    assert reverse("mapping:space-detail", args=[spaces["ficus"].pk]) in page

    representative = UserFactory(role="representative")
    organization.representatives.add(representative)
    client.force_login(representative)
    url = reverse("platform_app:organization-edit", args=[organization.registration_code])
    form = client.get(url).context["form"]
    assert form.initial["turf"] == [f"space:{spaces['ficus'].pk}"]
    data = {k: v for k, v in form.initial.items() if v not in (None, []) and k != "turf"}
    data.update(
        sector=str(organization.sector_id),
        version=organization.version,
        turf=[f"space:{spaces['rosa'].pk}"],
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert list(organization.public_spaces.all()) == [spaces["rosa"]]
    assert "turf" in organization.events.order_by("-pk").first().changes


@pytest.mark.django_db
def test_a_form_without_turf_never_lists_the_spaces(santa_anita, spaces):
    # The registry import builds one form per spreadsheet row; none may read the spaces.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from platform_app.forms import OrganizationForm

    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            form = OrganizationForm(valid_post(sector=_sector(santa_anita)), district=santa_anita)
            assert form.is_valid(), form.errors
    assert not [q for q in queries.captured_queries if "mapping_publicspace" in q["sql"]]


@pytest.mark.django_db
def test_the_spaces_offered_are_kept_until_a_space_changes(
    client, santa_anita, spaces, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(URL)
    with CaptureQueriesContext(connection) as again:
        page = client.get(URL).content.decode()
    assert not [q for q in again if "mapping_publicspace" in q["sql"]]  # the list is kept
    assert f'<option value="space:{spaces["ficus"].pk}">Parque Los Ficus</option>' in page
    with django_capture_on_commit_callbacks(execute=True):
        PublicSpaceFactory(name="Parque <Nuevo> & Co")
    page = client.get(URL).content.decode()
    assert "Parque &lt;Nuevo&gt; &amp; Co" in page  # shown at once, and escaped


@pytest.mark.django_db
def test_a_refused_form_keeps_the_spaces_that_were_chosen(client, santa_anita, spaces):
    chosen = [f"space:{spaces['ficus'].pk}", f"space:{spaces['ate'].pk}"]
    response = client.post(URL, valid_post(sector=_sector(santa_anita), turf=chosen))
    page = response.content.decode()
    assert f'<option value="space:{spaces["ficus"].pk}" selected>Parque Los Ficus' in page
    assert f'<option value="space:{spaces["rosa"].pk}">Parque Santa Rosa' in page
