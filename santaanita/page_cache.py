"""Public pages served from the cache to anonymous visitors.

A page everyone sees alike (a results dashboard, the map page, a space's page) is rendered
once and kept; what differs per visitor is the CSRF token of the sign-in form and of htmx,
which the kept copy holds as a placeholder and each response fills with the visitor's own
token (another visitor's token is never served). Signed-in people, requests with pending
messages and anything but a GET are rendered fresh.

Versions. Each page names the page families it shows (``generation``: one cache key or a
tuple of them, e.g. the spaces and the organizations for a space's page). A family's
version is a counter in the cache; the services that write what a family shows call
``pages_changed`` after their transaction commits, which moves the counter on. A kept copy
records the versions it was rendered at and is served only while they are still current,
so the first visitor after a write gets a fresh page. ``seconds`` bounds how long a copy is
kept at all, which also bounds what no write announces (a registration period that closes
with the clock).

Two layers. The kept copies live in the shared cache (Redis in production), so every
worker serves what one rendered; in front of it each process keeps the versions it read
and its most requested copies (``HOT_PAGES``), so a hit costs no cache round trip at all.

Staleness bound. A process trusts a version it read for ``PAGE_CACHE_VERSION_SECONDS``
(0.25 s by default) before asking the cache again; the process that wrote moves its own
copy at once. So a write shows on every worker within that time after its commit. Nobody
sees their own write late: people who write are signed in, or get a message after their
write (a messages cookie), and both are rendered fresh; the one exception, an anonymous
writer reloading within a quarter of a second on another worker, is within the bound.

``KeptPageMiddleware`` answers a visitor without a session or messages cookie (nobody signed
in, nothing pending) from the kept copy before URL resolution, authentication and the
other middleware run: most of the cost of a trivial view. The copy holds the headers those
middleware set when it was rendered (frame and content-security policies), and the CSRF
cookie is set by Django's own CSRF middleware code, as on a rendered page.

Conditional requests. A kept page carries a weak ``ETag`` made of its content (with the
token placeholder) and of the visitor's CSRF cookie: a phone that comes back with the same
cookie and an unchanged page gets a 304 without the body, and the copy it shows then holds
a token that still matches its cookie. ``Cache-Control: private, no-cache``: the body holds
the visitor's token and the response may set the CSRF cookie, so no shared cache may keep
it, and the browser asks again each time (a 304 when nothing changed).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware import csrf as django_csrf
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language

PLACEHOLDER = b"__csrf_token_placeholder__"
# Where the base template writes the token: the hidden fields and htmx's header.
TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]{32,64}')
# Where a page holds a value each response must have its own (a form's one-time submission
# token, ``fresh_per_response``): kept as this placeholder, filled with a new UUID each time.
ONCE = b"__once_placeholder__"
# Set again on every response by Django or by the CSRF code; never kept.
NOT_KEPT = {"content-length", "set-cookie", "etag", "cache-control"}
# The per-visitor body and cookie must not be kept by a shared cache; the browser keeps it
# and revalidates each time.
CACHE_CONTROL = "private, no-cache"
# The longest a public page is kept when its view names no shorter time: writes replace it
# sooner; this bounds only what no write announces.
KEEP_SECONDS = 10 * 60
# A copy past its time (no write moved it) is renewed by one request while the others keep
# getting it, for at most this long: no herd of renderings when a busy page expires.
RENEW_SECONDS = 30
# Copies kept in each process, most recently served first out last. A page is 20–70 KB,
# so this bounds a worker's memory for them to a few megabytes.
HOT_PAGES = 128

# Paths this process has served through ``public_page``: the middleware looks in the cache
# for these only, so every other anonymous request pays no cache read. A worker learns a
# path on its first request for it (served by the view, from the same kept copy); the set
# holds real pages only (added on a 200), so it stays as small as the number of them.
_PATHS: set[str] = set()
# Family versions as this process last read them: key -> (monotonic time read, version).
_VERSIONS: dict[str, tuple[float, int]] = {}
_HOT: OrderedDict[str, Kept] = OrderedDict()
# Threaded workers (gthread) share the copies: one thread's eviction must not pull a key
# from under another's reordering.
_HOT_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Kept:
    generations: tuple[str, ...]
    versions: tuple[int, ...]
    content: bytes
    headers: tuple[tuple[str, str], ...]
    digest: str
    expires: float  # time.time() at which the copy is dropped, as the cache does
    once: bool = False  # holds ``ONCE``: never answered with a 304


def _key(request: HttpRequest) -> str:
    return f"page:{get_language()}:{request.get_full_path()}"


def _generations(generation: str | Sequence[str]) -> tuple[str, ...]:
    return (generation,) if isinstance(generation, str) else tuple(generation)


def versions(generations: tuple[str, ...]) -> tuple[int, ...]:
    """The current version of each family, asking the cache at most once per
    ``PAGE_CACHE_VERSION_SECONDS`` in this process (one round trip for all that are due).

    0 means unknown: the cache did not answer, so no write could be announced, and nothing
    is kept or served from a kept copy (a Redis that does not answer is a cache miss)."""
    now = time.monotonic()
    bound = settings.PAGE_CACHE_VERSION_SECONDS
    due = [g for g in generations if g not in _VERSIONS or now - _VERSIONS[g][0] > bound]
    if due:
        found = cache.get_many(due)
        for generation in set(due) - set(found):
            # A family never written yet starts at 1; read back, so that an add the cache
            # did not really make leaves it unknown.
            cache.add(generation, 1, None)
            found[generation] = cache.get(generation)
        for generation in due:
            _VERSIONS[generation] = (now, int(found.get(generation) or 0))
    return tuple(_VERSIONS[g][1] for g in generations)


def pages_changed(*generations: str) -> None:
    """Move the given page families on once the current transaction commits (at once
    outside one): the next visitor gets pages rendered from the committed rows. After the
    commit, so that no reader keeps the old rows under the new version."""
    transaction.on_commit(lambda: bump(*generations))


P = ParamSpec("P")
R = TypeVar("R")


def changes_pages(*generations: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Marks a service whose writes change what the pages of these families show: once it
    returns, they move on after the commit (``pages_changed``). A service that raises
    changed nothing and moves nothing."""

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @wraps(service)
        def write(*args: P.args, **kwargs: P.kwargs) -> R:
            result = service(*args, **kwargs)
            pages_changed(*generations)
            return result

        return write

    return decorate


def bump(*generations: str) -> None:
    """Move the families on now (``pages_changed`` waits for the commit)."""
    for generation in generations:
        try:
            version = cache.incr(generation)
        except ValueError:
            version = 1
            cache.set(generation, version, None)
        # This process sees its own write at once; the others within the bound.
        _VERSIONS[generation] = (time.monotonic(), int(version))


def forget() -> None:
    """Drop what this process remembers (for tests, which empty the cache between them)."""
    _VERSIONS.clear()
    with _HOT_LOCK:
        _HOT.clear()
    _PATHS.clear()


def _lookup(request: HttpRequest) -> Kept | None:
    """The current kept copy of this page: from this process, else from the cache."""
    if getattr(request, "renews_page", False):
        return None  # the middleware chose this request to render it (the view asks again)
    key = _key(request)
    kept = _HOT.get(key)
    if (
        kept is not None
        and kept.expires > time.time()
        and versions(kept.generations) == kept.versions
        and 0 not in kept.versions
    ):
        _hold(key, kept)
        return kept
    found = cache.get(key)
    if (
        not isinstance(found, Kept)
        or versions(found.generations) != found.versions
        or 0 in found.versions
    ):
        with _HOT_LOCK:
            _HOT.pop(key, None)
        return None
    if found.expires <= time.time() and cache.add(f"{key}:renewing", 1, RENEW_SECONDS):
        # This request renders the page again; the others get this copy meanwhile.
        request.renews_page = True  # type: ignore[attr-defined]
        return None
    _hold(key, found)
    return found


def _hold(key: str, kept: Kept) -> None:
    with _HOT_LOCK:
        _HOT[key] = kept
        _HOT.move_to_end(key)
        while len(_HOT) > HOT_PAGES:
            _HOT.popitem(last=False)


def _etag(request: HttpRequest, kept: Kept) -> str:
    # The visitor's CSRF secret is part of it: a 304 only when the copy the browser holds
    # carries a token that matches the cookie it sends now.
    secret = str(request.META.get("CSRF_COOKIE", "")).encode()
    visitor = hashlib.blake2b(secret, digest_size=6).hexdigest()
    return f'W/"{kept.digest}-{visitor}"'


def _answer(request: HttpRequest, kept: Kept) -> HttpResponse:
    """The kept copy with the visitor's own token, or a 304 if they hold it already."""
    token = get_token(request)  # also mints the visitor's secret if they had none
    etag = None if kept.once else _etag(request, kept)
    sent = request.META.get("HTTP_IF_NONE_MATCH", "")
    response: HttpResponse
    if (
        etag is not None
        and sent
        and etag.removeprefix("W/") in {e.removeprefix("W/") for e in parse_etags(sent)}
    ):
        response = HttpResponseNotModified()
    else:
        content = kept.content.replace(PLACEHOLDER, token.encode())
        if kept.once:
            content = content.replace(ONCE, str(uuid.uuid4()).encode())
        response = HttpResponse(content)
    for name, value in kept.headers:
        response[name] = value
    _conditional_headers(response, etag)
    return response


def _conditional_headers(response: HttpResponse, etag: str | None) -> None:
    if etag is not None:
        response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ("Cookie",))


def public_page(
    request: HttpRequest,
    *,
    generation: str | Sequence[str],
    seconds: int,
    render: Callable[[], HttpResponse],
    params: Collection[str] = (),
) -> HttpResponse:
    """The page from its kept copy, or rendered and marked to be kept on its way out.

    ``generation`` names the page families the page shows (see the module docstring);
    ``seconds`` is the longest a copy is kept; ``params`` are the query parameters a kept
    copy may have (a page number, a filter from a list). A copy per free-text search would
    let anyone fill the cache with pages nobody asks for again, so those are rendered."""
    if (
        request.method != "GET"
        or not set(request.GET) <= set(params)
        or request.user.is_authenticated
        or len(messages.get_messages(request))
    ):
        return render()
    kept = _lookup(request)
    if kept is not None:
        _PATHS.add(request.path)
        return _answer(request, kept)
    generations = _generations(generation)
    # Read before rendering: a write during the rendering leaves the copy already stale.
    rendered_at = versions(generations)
    response = render()
    if response.status_code == 200 and not response.streaming and 0 not in rendered_at:
        response.keep_page = (generations, rendered_at, seconds)  # type: ignore[attr-defined]
        _PATHS.add(request.path)
    return response


def fresh_per_response(response: HttpResponse, value: str) -> None:
    """Marks ``value`` (a new UUID written into the page, such as a form's one-time
    submission token) as one each visitor must get their own: the kept copy holds a
    placeholder there and every answer from it gets a new UUID. Such a page is never
    answered with a 304, which would leave the browser the token it may have sent already."""
    response.page_once = value  # type: ignore[attr-defined]


def kept_page(
    *,
    generation: str | Sequence[str],
    seconds: int = KEEP_SECONDS,
    params: Collection[str] = (),
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view served through ``public_page``: kept for anonymous visitors."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def serve(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            return public_page(
                request,
                generation=generation,
                seconds=seconds,
                render=lambda: view(request, *args, **kwargs),
                params=params,
            )

        return serve

    return decorate


# Anything shaped like a masked CSRF token (64 letters and digits on their own).
TOKEN_SHAPED = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


def _holds_a_token(request: HttpRequest, content: bytes) -> bool:
    """Whether the visitor's CSRF token is still in the page somewhere ``TOKEN`` does not
    know (a data attribute, a script): kept, it would hand this visitor's token to the next
    one, who could then forge this visitor's requests. Such a page is not kept."""
    secret = str(request.META.get("CSRF_COOKIE", ""))
    if not secret:
        return False
    # Django's own unmasking (no public name, nor a stub): a token is the secret, masked.
    unmask = django_csrf._unmask_cipher_token  # type: ignore[attr-defined]
    return secret.encode() in content or any(
        unmask(found.decode()) == secret for found in TOKEN_SHAPED.findall(content)
    )


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
            kept = _lookup(request)
            if kept is not None:
                response = _answer(request, kept)
                self.csrf.process_response(request, response)  # sets the cookie
                return response
        response = self.get_response(request)
        keep = getattr(response, "keep_page", None)
        if keep is not None and self._may_keep(request, response):
            generations, rendered_at, seconds = keep
            content = TOKEN.sub(lambda m: m.group(1) + PLACEHOLDER, response.content)
            once = getattr(response, "page_once", None)
            if once is not None:
                content = content.replace(once.encode(), ONCE)
            if _holds_a_token(request, content):
                return response
            kept = Kept(
                generations=generations,
                versions=rendered_at,
                content=content,
                headers=tuple((k, v) for k, v in response.items() if k.lower() not in NOT_KEPT),
                digest=hashlib.blake2b(content, digest_size=8).hexdigest(),
                expires=time.time() + seconds,
                once=once is not None,
            )
            cache.set(_key(request), kept, seconds + RENEW_SECONDS)
            cache.delete(f"{_key(request)}:renewing")  # renewed: the next expiry may renew
            _hold(_key(request), kept)
            _conditional_headers(response, None if kept.once else _etag(request, kept))
        return response

    @staticmethod
    def _may_keep(request: HttpRequest, response: HttpResponse) -> bool:
        """Only what every anonymous visitor may see alike: no cookie but the CSRF one (set
        per visitor on every answer), no session written, nothing marked private."""
        session = getattr(request, "session", None)
        cache_control = response.get("Cache-Control", "")
        return (
            not set(response.cookies) - {settings.CSRF_COOKIE_NAME}
            and not (session is not None and session.modified)
            and "private" not in cache_control
            and "no-store" not in cache_control
        )

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
