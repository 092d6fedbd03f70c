"""With Redis down (cache and broker), residents and the desk are served; /healthz says 503."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from platform_app.models import Delivery, Organization
from platform_app.services import registry_imports
from platform_app.services.ledger import deliveries_enqueue_due
from santaanita import redis_cache
from santaanita.celery import app as celery_app
from tests.factories import PASSWORD, UserFactory
from tests.factories_registry import CampaignFactory
from tests.platform_app.test_registry_forms import valid_post

# Port 1 on loopback has no server: this is what a stopped Redis looks like.
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings, monkeypatch):
    settings.REDIS_URL = DEAD_REDIS
    settings.CACHES = {
        "default": {
            "BACKEND": "santaanita.redis_cache.TolerantRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    monkeypatch.setattr(redis_cache, "_down_until", {})
    # Tasks are published to the dead broker instead of running in-process; the app's
    # connection and producer pools are made anew for it and put back afterwards.
    conf = celery_app.conf
    saved = (
        conf.broker_url,
        conf.task_always_eager,
        celery_app._pool,
        celery_app.amqp._producer_pool,
    )
    conf.broker_url, conf.task_always_eager = DEAD_REDIS, False
    celery_app._pool = celery_app.amqp._producer_pool = None
    yield
    conf.broker_url, conf.task_always_eager, celery_app._pool, celery_app.amqp._producer_pool = (
        saved
    )


def _sector(santa_anita) -> str:
    return str(santa_anita.sectors.get(number=1).pk)


@pytest.mark.django_db
def test_healthz_is_503_while_redis_is_down(client, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["cache"].startswith("error")
    assert checks["broker"].startswith("error")


@pytest.mark.django_db(transaction=True)
def test_sign_in_works_while_redis_is_down(client, redis_down):
    user = UserFactory(email="vecina@example.org")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"
    # The session lives in the database: the next page knows who signed in.
    assert client.get("/").context["user"] == user


@pytest.mark.django_db(transaction=True)
def test_public_registration_is_saved_once_and_confirmed_while_redis_is_down(
    client, santa_anita, redis_down
):
    response = client.post(
        reverse("platform_app:organization-register"), valid_post(sector=_sector(santa_anita))
    )
    assert response.status_code == 302
    organization = Organization.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert organization.registration_code in page.content.decode()
    # The confirmation email could not be handed to the broker: it waits, pending, for
    # the scan, which publishes it once the broker answers again.
    delivery = Delivery.objects.get(recipient="rosa@example.org")
    assert delivery.status == Delivery.Status.PENDING
    assert deliveries_enqueue_due() == 0
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_the_desk_registers_and_prints_the_receipt_while_redis_is_down(
    client, santa_anita, redis_down
):
    CampaignFactory()
    clerk = UserFactory(role="desk")
    response = client.post(reverse("account_login"), {"login": clerk.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("platform_app:desk")).status_code == 200
    data = valid_post(sector=_sector(santa_anita), name="Club Deportivo Las Palmeras")
    response = client.post(reverse("platform_app:desk"), data)
    assert response.status_code == 302
    organization = Organization.objects.get()
    assert organization.channel == Organization.Channel.DESK
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert organization.registration_code in receipt.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_small_import_runs_in_the_request_while_redis_is_down(client, santa_anita, redis_down):
    client.force_login(UserFactory(role="coordinator"))
    response = client.post(
        reverse("platform_app:registry-import"), {"sheet": _sheet(), "action": "import"}
    )
    assert response.status_code == 302
    assert (
        "Organizaciones creadas: 1 (de 1 filas)."
        in client.get(response["Location"]).content.decode()
    )
    assert Organization.objects.filter(name="Club del Parque").exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_import_that_cannot_be_queued_says_so_and_imports_nothing(
    client, santa_anita, redis_down, monkeypatch
):
    # Every sheet counts as large, so this one goes to the (unreachable) worker.
    monkeypatch.setattr(registry_imports, "IMPORT_INLINE_ROWS", 0)
    client.force_login(UserFactory(role="coordinator"))
    response = client.post(
        reverse("platform_app:registry-import"), {"sheet": _sheet(), "action": "import"}
    )
    assert response.status_code == 302
    assert "la cola de tareas no responde" in client.get(response["Location"]).content.decode()
    assert not Organization.objects.exists()


def _sheet() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "padron.csv",
        "nombre;tipología;sector;contacto;teléfono;directorio\n"
        "Club del Parque;Deportiva;2;Luis Paredes;987111222;sí\n".encode(),
        content_type="text/csv",
    )


# Through the real settings: REDIS_URL names the dead Redis for the cache and the broker.
PROBE = """
import json
from django.core.cache import cache
from platform_app.tasks import send_delivery
from santaanita.queueing import enqueue_each
print(json.dumps({
    "add": cache.add("k", 1), "get": cache.get("k", "miss"), "set": cache.set("k", 1),
    "published": enqueue_each(send_delivery, [(1,), (2,)]),
}))
"""


def test_the_configured_cache_and_broker_give_way_when_redis_is_down(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ENV"}}
    env.update(REDIS_URL=DEAD_REDIS, DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"add": True, "get": "miss", "set": None, "published": 0}
    assert "Cache unreachable" in result.stderr
    assert "Broker unreachable, 2 × platform_app.tasks.send_delivery left" in result.stderr
