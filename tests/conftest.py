from __future__ import annotations

import pytest
from django.core.cache import cache

from santaanita import page_cache
from santaanita.celery import app as celery_app

TRANSACTIONAL = pytest.mark.django_db(transaction=True)


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
    from platform_app.services import districts_import, sectors_import

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
