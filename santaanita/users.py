"""The signed-in user of a request, typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    # django-stubs' placeholder for the user model; its mypy plugin reads it as the
    # AUTH_USER_MODEL (platform_app.User), which this shared package may not import.
    from django.contrib.auth.models import _User
    from django.http import HttpRequest
    from rest_framework.request import Request


def signed_in_user(request: HttpRequest | Request) -> _User:
    """``request.user`` of a view that only signed-in users reach (@login_required,
    IsAuthenticated, the admin site), as the user model it is.

    django-stubs types ``request.user`` as ``User | AnonymousUser``: it cannot see the
    decorator or the permission class. The services take a ``User``, so the views narrow it
    here. Behind those checks the guard never fires; were one forgotten, the visitor gets
    a 403 rather than a service acting for an anonymous user.
    """
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user
