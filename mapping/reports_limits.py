"""Rate limits on reports and "me too"s, with the machinery the sign-in already uses.

allauth's counters live in the shared cache (so every web process counts the same hits) and
read the client address through ``ALLAUTH_TRUSTED_PROXY_COUNT`` (= ``TRUSTED_PROXY_COUNT``),
so a resident behind the load balancer is not mistaken for the balancer. Three limits apply
at once (``settings.REPORT_RATE_LIMITS``): per address, per device (the cookie or Open311
``device_id``) and per contact, so neither a new phone nor a new address alone lifts them.
"""

from __future__ import annotations

import uuid

from allauth.core.internal import ratelimit
from django.conf import settings
from django.http import HttpRequest

DEVICE_COOKIE = "sa_device"
APP = "mapping.reports"


def device_of(request: HttpRequest) -> str:
    """The device key of a browser (a random cookie set by ``remember_device``)."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    try:
        return uuid.UUID(value).hex
    except ValueError:
        return ""


def new_device() -> str:
    return uuid.uuid4().hex


def report_allowed(request: HttpRequest, *, device: str, contact: str) -> bool:
    """Count one report (or "me too") against every limit; False when one is reached.

    The address limit always applies; the device and contact limits when there is one
    (an anonymous report without a cookie is held by the address limit alone)."""
    config = settings.REPORT_RATE_LIMITS
    checks: list[tuple[str, str | None]] = [("report_ip", None)]
    if device:
        checks.append(("report_device", device))
    if contact:
        checks.append(("report_contact", contact.lower()))
    for action, key in checks:
        usage = ratelimit.consume(request, app=APP, action=action, config=config, key=key)
        if usage is None:
            return False
    return True
