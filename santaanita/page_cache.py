"""Public pages served from the cache to anonymous visitors.

A page everyone sees alike (a results dashboard) is rendered once and kept; what differs per
visitor is the CSRF token of the sign-in form and of htmx, which the kept copy holds as a
placeholder and each response fills with the visitor's own token (another visitor's token
is never served). Signed-in people, requests with pending messages and anything but a GET
are rendered fresh.

A copy is current while the generation it was rendered at is still the generation in the
cache: the writes that change the page bump that counter (``generation`` names it), so the
next visitor after a write gets a fresh page; ``seconds`` bounds how long a copy may lag
behind other writes.

``KeptPageMiddleware`` answers a visitor without a session or messages cookie (nobody signed
in, nothing pending) from the kept copy before URL resolution, authentication and the
other middleware run: most of the cost of a trivial view. The copy holds the headers those
middleware set when it was rendered (frame and content-security policies), and the CSRF
cookie is set by Django's own CSRF middleware code, as on a rendered page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils.translation import get_language

PLACEHOLDER = b"__csrf_token_placeholder__"
# Where the base template writes the token: the hidden fields and htmx's header.
TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]{32,64}')
# Set again on every response by Django or by the CSRF code; never kept.
NOT_KEPT = {"content-length", "set-cookie"}
# Paths this process has served through ``public_page``: the middleware looks in the cache
# for these only, so every other anonymous request pays no cache read. A worker learns a
# path on its first request for it (served by the view, from the same kept copy); the set
# holds real pages only (added on a 200), so it stays as small as the number of them.
_PATHS: set[str] = set()


def _key(request: HttpRequest) -> str:
    return f"page:{get_language()}:{request.get_full_path()}"


def _kept(request: HttpRequest) -> HttpResponse | None:
    """The kept copy of this page if it is still current, with the visitor's own token."""
    entry = cache.get(_key(request))
    if entry is None:
        return None
    generation, rendered_at, content, headers = entry
    if int(cache.get(generation) or 0) != rendered_at:
        return None
    response = HttpResponse(content.replace(PLACEHOLDER, get_token(request).encode()))
    for name, value in headers:
        response[name] = value
    return response


def public_page(
    request: HttpRequest,
    *,
    generation: str,
    seconds: int,
    render: Callable[[], HttpResponse],
) -> HttpResponse:
    """The page from its kept copy, or rendered and marked to be kept on its way out."""
    if (
        request.method != "GET"
        or request.user.is_authenticated
        or len(messages.get_messages(request))
    ):
        return render()
    kept = _kept(request)
    if kept is not None:
        _PATHS.add(request.path)
        return kept
    # Read before rendering: a write during the rendering leaves the copy already stale.
    rendered_at = int(cache.get_or_set(generation, 0, None) or 0)
    response = render()
    if response.status_code == 200 and not response.streaming:
        response.keep_page = (generation, rendered_at, seconds)  # type: ignore[attr-defined]
        _PATHS.add(request.path)
    return response


class KeptPageMiddleware:
    """Early in MIDDLEWARE, after the session and language middleware: keeps what
    ``public_page`` marked and answers anonymous visitors from it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._anonymous_get(request):
            # The visitor's CSRF cookie, read (or a new one minted) as the CSRF middleware
            # does, so the token on the page matches the cookie it is sent with.
            self.csrf.process_request(request)
            kept = _kept(request)
            if kept is not None:
                self.csrf.process_response(request, kept)  # sets the cookie on ``kept``
                return kept
        response = self.get_response(request)
        keep: Any = getattr(response, "keep_page", None)
        if keep is not None:
            generation, rendered_at, seconds = keep
            content = TOKEN.sub(lambda m: m.group(1) + PLACEHOLDER, response.content)
            headers = [(k, v) for k, v in response.items() if k.lower() not in NOT_KEPT]
            cache.set(_key(request), (generation, rendered_at, content, headers), seconds)
        return response

    @staticmethod
    def _anonymous_get(request: HttpRequest) -> bool:
        # Without a session cookie nobody is signed in and no message waits in the session;
        # messages may also wait in their own cookie. Everyone else goes the whole way.
        return (
            request.method == "GET"
            and request.path in _PATHS
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
            and "HTTP_HX_REQUEST" not in request.META
        )
