from __future__ import annotations

import io
import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.cache import cache

from santaanita import page_cache
from santaanita.celery import app as celery_app
from tests.migrated_template import MigratedTemplate, template_of

TRANSACTIONAL = pytest.mark.django_db(transaction=True)
# The demo logins' password in the tests that seed the demo.
DEMO_PASSWORD = "demo-pass-123"
# One id for the whole run, the workers' included: --create-db rebuilds the migrated template
# once for the run, not once per worker.
TEMPLATE_RUN = pytest.StashKey[str]()


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
    if config.getvalue("nomigrations"):
        raise pytest.UsageError(
            "--nomigrations leaves out what the data migrations load (role groups, Lima's "
            "districts) that the tests rely on; the migrated template makes it unnecessary."
        )
    config.stash[TEMPLATE_RUN] = getattr(config, "workerinput", {}).get(
        "template_run", uuid.uuid4().hex
    )
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


# The longest tests (seconds of CPU on a quiet machine), longest first. The suite runs them
# first, and pytest-xdist hands out one test at a time (--maxschedchunk=1 in pyproject.toml),
# so while one worker is in the longest test the other takes the next and the many short
# tests fill in after them: no worker is left alone with a long test at the end. A renamed
# test only loses its place in the queue.
LONGEST_FIRST = [
    "tests/santaanita/test_backup_drill.py::test_a_restored_backup_has_the_same_rows_and_files",
    "tests/santaanita/test_collectstatic.py::"
    "test_production_collectstatic_writes_a_manifest_for_every_file",
    "tests/e2e/test_accessibility.py::test_the_main_pages_of_every_role_pass_axe",
    "tests/e2e/test_platform_meeting_journey.py::test_meeting_series_to_agreement_done",
    "tests/e2e/test_decisions_journey.py::"
    "test_members_vote_by_sector_and_a_resident_answers_a_poll_on_a_phone",
    "tests/e2e/test_problem_report_journey.py::"
    "test_resident_reports_coordinator_routes_representative_fixes_reporter_confirms",
    "tests/santaanita/test_every_route.py::"
    "test_anonymous_visitors_reach_only_public_pages_and_never_contact_data",
    "tests/platform_app/test_serve.py::test_the_loop_sends_a_due_reminder_and_stops_with_the_server",
    "tests/santaanita/test_admin.py::test_every_admin_list_and_add_form_opens",
    "tests/platform_app/test_serve.py::"
    "test_an_error_in_the_served_platform_shows_the_spanish_page_not_a_traceback",
    "tests/mapping/test_demo.py::test_demo_places_134_spaces_inside_the_district_and_is_idempotent",
]


def _flushes_the_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(fixtures)
    )


def pytest_collection_modifyitems(config, items):
    # pytest-django has already put the tests that flush the database after those that roll
    # back (which need the migrations' rows): a long test that flushes goes first among the
    # flushing ones, every other long test first of all.
    flushes = [_flushes_the_database(item) for item in items]
    first_flush = flushes.index(True) if True in flushes else len(items)
    rank = {nodeid: place for place, nodeid in enumerate(LONGEST_FIRST)}

    def place(pair: tuple[int, pytest.Item]) -> tuple[int, float, int]:
        index, item = pair
        if item.nodeid not in rank:
            return (1, index, 0)
        if flushes[index]:
            return (1, first_flush - 0.5, rank[item.nodeid])
        return (0, 0, rank[item.nodeid])

    # Every other test keeps its place (all workers collect the same order).
    items[:] = [item for _index, item in sorted(enumerate(items), key=place)]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    node.workerinput["template_run"] = node.config.stash[TEMPLATE_RUN]


@pytest.fixture(scope="session")
def migrated_template(
    request, django_test_environment, django_db_modify_db_settings, django_db_blocker
) -> MigratedTemplate:
    """The suite's database, migrated once per schema and kept between runs
    (tests/migrated_template.py). Tests that run manage.py on a database of their own start
    from a copy of it instead of migrating again."""
    from django.db import connection

    config = request.config
    return template_of(
        connection,
        worker=getattr(config, "workerinput", {}).get("workerid"),
        rebuild_for_run=config.stash[TEMPLATE_RUN] if config.getvalue("create_db") else None,
        access=django_db_blocker.unblock,
    )


@pytest.fixture(scope="session")
def django_db_setup(
    request, migrated_template, django_db_blocker, django_db_keepdb, django_db_createdb
):
    """pytest-django's, except that the process's test database starts as a copy of the
    migrated template instead of running every migration. With --reuse-db a test database
    left by an earlier run is used as it is, and kept."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    keep = django_db_keepdb and not django_db_createdb
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        test_database = migrated_template.test_database_name()
        if not (keep and migrated_template.exists(test_database)):
            migrated_template.clone_to(test_database)
        # keepdb: Django takes the copy as it is; migrate finds nothing left to apply.
        databases = setup_databases(
            verbosity=verbosity,
            interactive=False,
            keepdb=True,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
        )
    yield
    if not keep:
        with django_db_blocker.unblock():
            teardown_databases(databases, verbosity=verbosity)


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


# MD5 keeps the suite fast; mail stays in memory; WhiteNoise would index every static file
# again for each test's client (~75 ms): tests reach static files through live_server's own
# handler, and test_serve the real server.
FAST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "WHITENOISE_USE_FINDERS": False,
}


def _tasks_in_process() -> None:
    # Tasks run in-process (CI's real-worker tests start their own worker).
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path_factory):
    for name, value in FAST_SETTINGS.items():
        setattr(settings, name, value)
    # Stored files land in a folder of the test's own, never in the developer's data/media.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    _tasks_in_process()
    cache.clear()
    page_cache.forget()
    yield
    cache.clear()
    page_cache.forget()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Santa Anita as ``seed_demo`` leaves it (what ``make run`` shows), for every test of
    the module that asks: seeded once per module and worker inside a transaction that is
    rolled back after the module's last test, since seeding takes seconds. A module that
    uses it should hold only tests of the demo: the data stays for its other tests too."""
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings

    from platform_app.models import District

    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(**FAST_SETTINGS, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        _tasks_in_process()
        call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
        yield District.objects.get(ubigeo="150137")
        transaction.set_rollback(True)


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
