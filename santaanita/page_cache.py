"""Public pages served from the cache to anonymous visitors.

A page everyone sees alike (a results dashboard) is rendered once and kept; what differs per
visitor is the CSRF token of the sign-in form and of htmx, which the kept copy holds as a
placeholder and each response fills with the visitor's own token (another visitor's token
is never served). Signed-in people, requests with pending messages and anything but a GET
are rendered fresh. The caller's key says when a copy is stale (it carries a generation that
the writes bump), and ``seconds`` bounds how long a copy may lag behind other writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

PLACEHOLDER = "__csrf_token_placeholder__"
# Where the base template writes the token: the hidden fields and htmx's header.
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]{32,64}')


def public_page(
    request: HttpRequest, *, key: str, seconds: int, render: Callable[[], HttpResponse]
) -> HttpResponse:
    if (
        request.method != "GET"
        or request.user.is_authenticated
        or len(messages.get_messages(request))
    ):
        return render()
    full_key = f"page:{key}:{get_language()}:{request.get_full_path()}"
    kept = cache.get(full_key)
    if kept is not None:
        content, content_type = kept
        return HttpResponse(content.replace(PLACEHOLDER, get_token(request)), content_type)
    response = render()
    if response.status_code == 200 and not response.streaming:
        content = TOKEN.sub(lambda m: m.group(1) + PLACEHOLDER, response.content.decode())
        cache.set(full_key, (content, response["Content-Type"]), seconds)
    return response
