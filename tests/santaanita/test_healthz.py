from __future__ import annotations

import pytest

from santaanita import health
from santaanita.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_is_green_when_every_service_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_cache_does_not_answer(client, monkeypatch):
    def broken():
        raise ConnectionError("cache down")

    monkeypatch.setitem(health.CHECKS, "cache", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "error: ConnectionError"


def test_healthz_is_503_when_redis_is_stopped(client, settings, monkeypatch):
    # Port 1 on loopback has no server: this is what a stopped Redis looks like.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(celery_app.conf, "broker_url", settings.REDIS_URL)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")
