"""The demo logins' shared password (``manage.py seed_demo``, never in production)."""

from __future__ import annotations

from functools import cache

from django.contrib.auth.hashers import get_hasher, make_password

from platform_app.models import User


@cache
def _hashed(password: str, algorithm: str) -> str:
    return make_password(password, hasher=algorithm)


def demo_password_set(user: User, password: str) -> None:
    """Give a demo login the demo password (saved with the user). Every demo login shares
    it, so it is hashed once per process: the hasher's million rounds for each of the demo's
    ~45 people took longer than the rest of the demo together."""
    user.password = _hashed(password, get_hasher().algorithm)
