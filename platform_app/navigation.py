"""The site navigation: each role sees its own entry points (a context processor)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    # None: everyone; "staff": admin users; otherwise a permission "app.codename".
    requires: str | None = None


ENTRIES: tuple[NavEntry, ...] = (
    NavEntry(_("Home"), "home"),
    NavEntry(_("Districts"), "platform_app:district-list"),
    NavEntry(_("API"), "api-docs"),
    NavEntry(_("Administration"), "admin:index", "staff"),
)


def _allowed(request: HttpRequest, entry: NavEntry) -> bool:
    if entry.requires is None:
        return True
    user = request.user
    if entry.requires == "staff":
        return bool(user.is_active and user.is_staff)
    return bool(user.has_perm(entry.requires))


def navigation(request: HttpRequest) -> dict[str, Any]:
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = [
        {"label": e.label, "url": reverse(e.url_name), "current": current == e.url_name}
        for e in ENTRIES
        if _allowed(request, e)
    ]
    return {"nav_items": items}
