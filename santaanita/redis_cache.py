"""A Redis cache that lets the platform go on when Redis does not answer.

Everything the platform keeps in the cache can be lost: sessions are in the database, maps
and boards are rebuilt from the database (a write missed during the outage goes stale for
at most their few minutes of lifetime), and allauth's rate limits and the once-tokens of
forms only protect (the services' own idempotency keys still refuse a double record). So
with Redis down a resident must still sign in, register an organization and be served at
the desk; ``/healthz`` tells the operator (503), and a warning in the log says what was
skipped.

Like django-redis's ``IGNORE_EXCEPTIONS``, a connection or timeout error becomes a miss:
reads return their default, writes do nothing. ``add`` answers True ("the key was free"),
because callers use it as a lock (once-tokens, allauth's rate-limit lock): answering False
would refuse every form, or make allauth wait a second for a lock nobody holds, for as long
as Redis is down. After a failure the cache is skipped for ``RETRY_SECONDS`` so a Redis
host that drops packets costs one connect timeout per process every few seconds, not one per
cache call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

T = TypeVar("T")

# Per process and per server address: every thread's cache object shares what one learned.
_down_until: dict[str, float] = {}


class TolerantRedisCache(RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, object]) -> None:
        super().__init__(server, params)
        self._where = server if isinstance(server, str) else ",".join(server)

    def _tolerant(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        where = self._where
        if _down_until.get(where, 0.0) > time.monotonic():
            return fallback
        try:
            return call()
        except UNREACHABLE as exc:
            _down_until[where] = time.monotonic() + RETRY_SECONDS
            logger.warning(
                "Cache unreachable (%s); %s skipped for %.0f s", exc, operation, RETRY_SECONDS
            )
            return fallback

    def add(
        self,
        key: object,
        value: object,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        return self._tolerant(
            "add", lambda: super(TolerantRedisCache, self).add(key, value, timeout, version), True
        )

    def get(self, key: object, default: object = None, version: int | None = None) -> object:
        return self._tolerant(
            "get", lambda: super(TolerantRedisCache, self).get(key, default, version), default
        )

    def set(
        self,
        key: object,
        value: object,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        self._tolerant(
            "set", lambda: super(TolerantRedisCache, self).set(key, value, timeout, version), None
        )

    def touch(
        self, key: object, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._tolerant(
            "touch", lambda: super(TolerantRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: object, version: int | None = None) -> bool:
        return self._tolerant(
            "delete", lambda: super(TolerantRedisCache, self).delete(key, version), False
        )

    def get_many(self, keys: Iterable[object], version: int | None = None) -> dict[object, object]:
        return self._tolerant(
            "get_many", lambda: super(TolerantRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key: object, version: int | None = None) -> bool:
        return self._tolerant(
            "has_key", lambda: super(TolerantRedisCache, self).has_key(key, version), False
        )

    def incr(self, key: object, delta: int = 1, version: int | None = None) -> int:
        # No fallback number is right for a counter: the caller hears "not there", as it
        # would after an eviction, and starts again.
        result = self._tolerant(
            "incr", lambda: super(TolerantRedisCache, self).incr(key, delta, version), None
        )
        if result is None:
            raise ValueError(f"Key {key!r} not found (cache unreachable)")
        return result

    def set_many(
        self,
        data: dict[object, object],
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> list[object]:
        return self._tolerant(
            "set_many",
            lambda: super(TolerantRedisCache, self).set_many(data, timeout, version),
            list(data),
        )

    def delete_many(self, keys: Iterable[object], version: int | None = None) -> None:
        self._tolerant(
            "delete_many", lambda: super(TolerantRedisCache, self).delete_many(keys, version), None
        )

    def clear(self) -> None:
        self._tolerant("clear", lambda: super(TolerantRedisCache, self).clear(), None)
