from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.cache import cache

from santaanita import page_cache
from santaanita.celery import app as celery_app

TRANSACTIONAL = pytest.mark.django_db(transaction=True)


def worker_redis_url(url: str, worker: str) -> str:
    """The Redis database of one pytest-xdist worker: ``gw0`` keeps the given number and each
    further worker takes the one below (15, 14, …), so workers never flush each other's
    cache or run each other's queued tasks."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = base - int(worker.removeprefix("gw"))
    if number < 0:
        raise pytest.UsageError(
            f"REDIS_URL's database {base} leaves no Redis database for xdist worker {worker}: "
            "give a higher number (the workers count down from it) or fewer workers."
        )
    return urlunsplit(parts._replace(path=f"/{number}"))


def pytest_configure(config):
    # Each parallel worker has its own test database (pytest-django adds the worker to its
    # name), its own temporary folders (media, outbox) and free ports; Redis is shared by
    # all, so each worker is moved to a database of its own before any test runs. Celery
    # workers and servers the tests start inherit it through the environment.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    from django.conf import settings

    if not worker or not settings.REDIS_URL:
        return
    from django.test.utils import override_settings

    url = worker_redis_url(settings.REDIS_URL, worker)
    caches = {alias: {**cache_settings} for alias, cache_settings in settings.CACHES.items()}
    caches["default"]["LOCATION"] = url
    override_settings(REDIS_URL=url, CACHES=caches, CELERY_BROKER_URL=url).enable()
    celery_app.conf.broker_url = url
    os.environ["REDIS_URL"] = url


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush the database, including what the migrations loaded (Lima's
    districts, the role groups); load it again through the same readers when it is gone."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps
    from django.contrib.auth.models import Group

    from platform_app.gazetteer import (
        SANTA_ANITA_SECTORS_FILE,
        SANTA_ANITA_UBIGEO,
        read_districts,
        read_sectors,
    )
    from platform_app.models import District
    from platform_app.permissions import sync_role_groups
    from platform_app.services.places import districts_import, sectors_import

    if not Group.objects.exists():
        sync_role_groups(apps)
    if not District.objects.exists():
        districts_import(records=read_districts())
        sectors_import(
            district=District.objects.get(ubigeo=SANTA_ANITA_UBIGEO),
            records=read_sectors(SANTA_ANITA_SECTORS_FILE),
        )


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path_factory):
    # MD5 keeps the suite fast; tasks run in-process (CI's real-worker test starts its own).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # WhiteNoise would index every static file again for each test's client (~75 ms); tests
    # reach static files through live_server's own handler, and test_serve the real server.
    settings.WHITENOISE_USE_FINDERS = False
    # Stored files land in a folder of the test's own, never in the developer's data/media.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    cache.clear()
    page_cache.forget()
    yield
    cache.clear()
    page_cache.forget()


@pytest.fixture
def santa_anita(db):
    from platform_app.models import District

    return District.objects.get(ubigeo="150137")


@pytest.fixture
def other_district(db):
    from platform_app.models import District

    return District.objects.get(ubigeo="150103")  # Ate, Santa Anita's neighbour


@pytest.fixture
def coordinator(client, db):
    """A coordinator of Santa Anita, signed in on ``client``."""
    from platform_app.permissions import Role
    from tests.factories import UserFactory

    user = UserFactory(role=Role.COORDINATOR)
    client.force_login(user)
    return user
