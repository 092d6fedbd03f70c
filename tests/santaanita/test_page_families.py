"""Every public page family is kept for anonymous visitors and replaced by the writes that
change what it shows: a second visitor costs no query, and the visitor after a write sees it.
Conditional requests get a 304 without the body while nothing changed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from festival.services.scoring import score_submit
from festival.services.stages import stage_lock
from mapping.services import space_save
from platform_app.models import Organization
from platform_app.permissions import Role
from platform_app.services.registry import organization_verify
from santaanita import page_cache
from tests.factories import UserFactory
from tests.factories_festival import build_festival
from tests.factories_mapping import PublicSpaceFactory
from tests.factories_registry import OrganizationFactory

pytestmark = pytest.mark.django_db


def kept(url: str) -> str:
    """The page as an anonymous visitor gets it, asserting that it came from the kept copy
    (no query at all)."""
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url)
    assert response.status_code == 200
    assert len(queries) == 0, [q["sql"] for q in queries]
    return response.content.decode()


def without_tokens(page: str) -> bytes:
    return page_cache.TOKEN.sub(rb"\1", page.encode())


def fresh(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "url_name",
    [
        "home",
        "mapping:space-map",
        "platform_app:organization-directory",
        "festival:home",
        "festival:results",
        "interventions:results",
        "interventions:results-compare",
    ],
)
def test_each_public_page_is_kept_for_the_next_anonymous_visitor(url_name):
    if url_name.startswith("festival:"):
        build_festival()
    url = reverse(url_name)
    first = fresh(url)
    assert without_tokens(kept(url)) == without_tokens(first)


def test_a_space_page_shows_its_new_name_to_the_next_visitor(
    django_capture_on_commit_callbacks,
):
    space = PublicSpaceFactory(name="Parque Los Pinos")
    url = reverse("mapping:space-detail", args=[space.pk])
    assert "Parque Los Pinos" in fresh(url)
    assert "Parque Los Pinos" in kept(url)
    space.name = "Parque Las Palmeras"
    with django_capture_on_commit_callbacks(execute=True):
        space_save(space=space, user=UserFactory(role=Role.COORDINATOR))
    page = fresh(url)
    assert "Parque Las Palmeras" in page
    assert "Parque Los Pinos" not in page


def test_a_verified_organization_shows_in_the_directory_and_the_comparison(
    django_capture_on_commit_callbacks,
):
    pending = OrganizationFactory(name="Vaso de Leche Los Ficus", status="pending")
    directory = reverse("platform_app:organization-directory")
    compare = reverse("interventions:results-compare")
    assert "Vaso de Leche Los Ficus" not in fresh(directory)
    assert "0 (1) / 30" in fresh(compare)
    kept(directory), kept(compare)
    with django_capture_on_commit_callbacks(execute=True):
        organization_verify(
            organization=pending,
            actor=UserFactory(role=Role.COORDINATOR),
            decision=Organization.Status.VERIFIED,
        )
    assert "Vaso de Leche Los Ficus" in fresh(directory)
    assert "1 (0) / 30" in fresh(compare)


def test_locking_a_stage_publishes_its_results_to_the_next_visitor(
    django_capture_on_commit_callbacks,
):
    festival = build_festival()
    for judge in festival.judges:
        for team in festival.teams:
            score_submit(
                user=judge.user,
                team_id=team.pk,
                values={str(c.pk): 7 for c in festival.criteria},
                client_updated_at=timezone.now(),
                idempotency_key=f"{judge.pk}-{team.pk}",
            )
    results = reverse("festival:results")
    board = reverse("festival:board", args=[festival.stage.pk])
    assert festival.teams[0].name not in fresh(results)
    fresh(board)
    assert "Resultados finales" not in kept(board)
    with django_capture_on_commit_callbacks(execute=True):
        stage_lock(stage=festival.stage, actor=festival.judge_user(0), missing_sheets_accepted=True)
    assert festival.teams[0].name in fresh(results)
    assert "Resultados finales" in fresh(board)


def test_signed_in_people_and_their_pages_are_never_kept(client):
    url = reverse("platform_app:organization-directory")
    user = UserFactory(role=Role.COORDINATOR)
    client.force_login(user)
    response = client.get(url)
    assert "ETag" not in response
    assert user.email in response.content.decode()
    # What a signed-in person was shown is not what the next anonymous visitor gets.
    assert user.email not in fresh(url)


def test_a_page_that_sets_a_cookie_other_than_csrf_is_not_kept(rf, settings):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    def view(request):
        def render():
            response = HttpResponse("<p>" + "x" * 300 + "</p>")
            response.set_cookie("tracking", "1")
            return response

        return page_cache.public_page(request, generation="pages:test", seconds=60, render=render)

    middleware = page_cache.KeptPageMiddleware(view)
    request = rf.get("/cookie-page/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = []  # type: ignore[attr-defined]
    middleware(request)
    assert "ETag" not in middleware(request)  # rendered again: nothing was kept


def test_a_phone_that_comes_back_gets_a_304_until_the_page_changes(
    django_capture_on_commit_callbacks,
):
    space = PublicSpaceFactory(name="Losa Deportiva El Sol")
    url = reverse("mapping:space-detail", args=[space.pk])
    phone = Client()
    first = phone.get(url)
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache"
    again = phone.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    # Another visitor's copy holds another token: the same validator is not theirs.
    assert Client().get(url, headers={"if-none-match": etag}).status_code == 200
    space.name = "Losa Deportiva La Luna"
    with django_capture_on_commit_callbacks(execute=True):
        space_save(space=space, user=UserFactory(role=Role.COORDINATOR))
    changed = phone.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert "Losa Deportiva La Luna" in changed.content.decode()
    assert changed["ETag"] != etag


def test_the_live_board_fragment_answers_304_while_the_board_is_unchanged():
    festival = build_festival()
    url = reverse("festival:board-fragment", args=[festival.stage.pk])
    first = Client().get(url)
    assert first["Cache-Control"] == "public, max-age=2"
    again = Client().get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_a_write_on_another_worker_shows_within_the_version_bound(settings):
    """Another process's bump (a direct cache write here) is seen once this process's
    copy of the version is older than PAGE_CACHE_VERSION_SECONDS."""
    from django.core.cache import cache

    url = reverse("home")
    fresh(url)
    kept(url)
    cache.set("pages:districts", 99, None)
    kept(url)  # within the bound, this worker still trusts the version it read
    settings.PAGE_CACHE_VERSION_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        Client().get(url)
    assert len(queries) > 0  # rendered again after the other worker's write


def test_without_an_answering_cache_every_visitor_gets_a_fresh_page(monkeypatch):
    class Unreachable:
        """What the tolerant Redis cache answers while Redis is down."""

        def get(self, key, default=None):
            return default

        def get_many(self, keys):
            return {}

        def add(self, *args, **kwargs):
            return True

        def set(self, *args, **kwargs):
            return None

    monkeypatch.setattr(page_cache, "cache", Unreachable())
    url = reverse("home")
    fresh(url)
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(url).status_code == 200
    assert len(queries) > 0  # nothing was kept from the first visit


def test_a_sector_renamed_in_the_admin_shows_on_the_home_page(
    rf, santa_anita, django_capture_on_commit_callbacks
):
    from django.contrib import admin

    from platform_app.models import Sector

    url = reverse("home")
    sector = santa_anita.sectors.order_by("number").first()
    assert sector.name in fresh(url)
    kept(url)
    sector.name = "Sector Las Gardenias"
    request = rf.post("/admin/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[Sector].save_model(request, sector, form=None, change=True)
    assert "Sector Las Gardenias" in fresh(url)


def test_the_directory_keeps_pages_and_filters_but_renders_free_text_searches():
    directory = reverse("platform_app:organization-directory")
    fresh(directory + "?typology=sports&page=1")
    kept(directory + "?typology=sports&page=1")
    fresh(directory + "?q=club")
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(directory + "?q=club")
    assert response.status_code == 200
    assert len(queries) > 0
    assert "ETag" not in response


def test_a_page_with_the_token_where_the_cache_cannot_replace_it_is_not_kept(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    def view(request):
        def render():
            # A token in a data attribute: kept, it would go to the next visitor.
            return HttpResponse(f'<main data-token="{get_token(request)}">{"x" * 300}</main>')

        return page_cache.public_page(request, generation="pages:test", seconds=60, render=render)

    middleware = page_cache.KeptPageMiddleware(view)
    first = rf.get("/token-page/")
    first.user, first.session, first._messages = AnonymousUser(), SessionStore(), []
    middleware(first)
    second = rf.get("/token-page/")
    second.user, second.session, second._messages = AnonymousUser(), SessionStore(), []
    response = middleware(second)
    assert "ETag" not in response  # rendered again, with the second visitor's own token
    assert first.META["CSRF_COOKIE"] != second.META["CSRF_COOKIE"]


def test_an_expired_page_is_rendered_by_one_visitor_while_the_others_get_the_copy(
    monkeypatch,
):
    import time as real_time

    from django.core.cache import cache

    url = reverse("home")
    fresh(url)
    kept(url)
    later = real_time.time() + page_cache.KEEP_SECONDS + 1  # past its time, no write since
    monkeypatch.setattr(page_cache.time, "time", lambda: later)
    cache.add(f"page:es-pe:{url}:renewing", 1, 30)  # another visitor is rendering it
    kept(url)  # served the expired copy meanwhile, no herd of renderings
    cache.delete(f"page:es-pe:{url}:renewing")
    with CaptureQueriesContext(connection) as queries:
        Client().get(url)
    assert len(queries) > 0  # the first to come renders it again
    kept(url)
