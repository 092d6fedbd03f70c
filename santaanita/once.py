"""A form sent twice (a double tap, a retry after a timeout) does its work once.

The form carries a token made when it was rendered (``{% once_token %}``). The first POST
with a token claims it in the shared cache; when the view redirects (it succeeded), the
token keeps that address, and the same form sent again is sent there too instead of being
run a second time. A form returned with errors frees its token: the person corrects it and
sends it again. Without Redis (the embedded mode, one process) the local-memory cache does
the same job.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django import template
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext as _

FIELD = "once"
SECONDS = 60 * 60  # a retry comes within minutes; an hour is ample
WAIT_SECONDS = 10.0  # how long a second copy waits for the first to finish
TOKEN = re.compile(r"^[0-9a-f]{32}$")
PENDING = "pending"

register = template.Library()


@register.simple_tag
def once_token() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4().hex)


def _key(request: HttpRequest, token: str) -> str:
    return f"once:{request.path}:{getattr(request.user, 'pk', None)}:{token}"


_P = ParamSpec("_P")


def single_submission(
    view: Callable[Concatenate[HttpRequest, _P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, _P], HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: _P.args, **kwargs: _P.kwargs) -> HttpResponse:
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not TOKEN.match(token):
            return view(request, *args, **kwargs)
        key = _key(request, token)
        if not cache.add(key, PENDING, SECONDS):
            return _already_sent(request, key)
        try:
            response = view(request, *args, **kwargs)
        except Exception:
            cache.delete(key)
            raise
        if response.status_code in (301, 302, 303) and response.has_header("Location"):
            cache.set(key, response["Location"], SECONDS)
        else:
            cache.delete(key)
        return response

    return wrapper


def _already_sent(request: HttpRequest, key: str) -> HttpResponse:
    deadline = time.monotonic() + WAIT_SECONDS
    result = cache.get(key)
    while result == PENDING and time.monotonic() < deadline:
        time.sleep(0.1)
        result = cache.get(key)
    messages.info(request, _("This form had already been sent; it was recorded once."))
    if result and result != PENDING:
        return redirect(result)
    return redirect(request.path)
