"""The suite runs in parallel (pytest-xdist): workers never share a Redis database."""

from __future__ import annotations

import pytest

from tests.conftest import worker_redis_url


def test_each_worker_counts_down_from_the_given_redis_database():
    assert worker_redis_url("redis://127.0.0.1:6379/15", "gw0") == "redis://127.0.0.1:6379/15"
    assert worker_redis_url("redis://127.0.0.1:6379/15", "gw1") == "redis://127.0.0.1:6379/14"
    assert worker_redis_url("redis://:secret@cache:6380/3", "gw3") == "redis://:secret@cache:6380/0"
    # No number means Redis's database 0, which leaves none for a second worker.
    assert worker_redis_url("redis://127.0.0.1:6379", "gw0") == "redis://127.0.0.1:6379/0"


def test_too_many_workers_for_the_redis_databases_left_is_a_usage_error():
    with pytest.raises(pytest.UsageError, match="gw2"):
        worker_redis_url("redis://127.0.0.1:6379/1", "gw2")
