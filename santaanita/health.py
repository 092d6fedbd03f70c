"""/healthz: does each backing service answer? JSON, 503 when one does not."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from santaanita.celery import app as celery_app


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return the value just written")


def _broker() -> None:
    if not settings.REDIS_URL:
        return  # embedded mode: tasks run in-process, there is no broker to reach
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "cache": _cache, "broker": _broker}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure of a backing service is reported, not raised
            results[name] = f"error: {exc.__class__.__name__}"
        else:
            results[name] = "ok"
    healthy = all(v == "ok" for v in results.values())
    mode = "embedded" if not settings.REDIS_URL else "redis"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "broker_mode": mode, "checks": results},
        status=200 if healthy else 503,
    )
