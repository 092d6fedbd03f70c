"""The site navigation: each role sees its own entry points (a context processor)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Protocol, TypedDict, runtime_checkable

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Only(Enum):
    """Who sees an entry when no permission names them."""

    STAFF = "staff"


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    # None: everyone; Only.STAFF: admin users; otherwise a permission "app.codename" (a
    # member of the owning app's permission enum).
    requires: str | Only | None = None


@dataclass(frozen=True)
class NavGroup:
    """One module of the platform: a short menu in the header. A group of which a person
    may open only one entry shows that entry as a plain link. Groups are shown by ``order``,
    whichever app declares them."""

    order: int
    label: str | Promise
    entries: tuple[NavEntry, ...]


@runtime_checkable
class DeclaresNavigation(Protocol):
    """An app's configuration that puts its entry points in the header."""

    def navigation(self) -> Sequence[NavGroup]: ...


@cache
def navigation_groups() -> tuple[NavGroup, ...]:
    """Every installed app's groups, in order: each app declares its own entries (its
    ``AppConfig.navigation``), so this app names none of the others' pages."""
    groups = [
        group
        for config in apps.get_app_configs()
        if isinstance(config, DeclaresNavigation)
        for group in config.navigation()
    ]
    return tuple(sorted(groups, key=lambda group: group.order))


def platform_navigation() -> tuple[NavGroup, ...]:
    """This app's groups: home, the registry, the collaborative platform and the rest."""
    from platform_app.roles import PlatformPermission as P

    return (
        NavGroup(0, _("Home"), (NavEntry(_("Home"), "home"),)),
        NavGroup(
            10,
            _("Organizations"),
            (
                NavEntry(_("Organizations"), "platform_app:organization-directory"),
                NavEntry(_("Register an organization"), "platform_app:organization-register"),
                NavEntry(_("Registration desk"), "platform_app:desk", P.USE_DESK),
                NavEntry(
                    _("Verification"), "platform_app:verification-list", P.VERIFY_ORGANIZATION
                ),
            ),
        ),
        NavGroup(
            40,
            _("Platform"),
            (
                NavEntry(_("My platform"), "platform_app:platform-home", P.VIEW_MEETING),
                NavEntry(_("My agreements"), "platform_app:agreement-mine", P.VIEW_AGREEMENT),
                NavEntry(_("Polls"), "platform_app:poll-index"),
            ),
        ),
        NavGroup(
            90,
            _("More"),
            (
                NavEntry(_("Districts"), "platform_app:district-list"),
                NavEntry(_("API"), "api-docs"),
                NavEntry(_("Administration"), "admin:index", Only.STAFF),
            ),
        ),
    )


def _allowed(request: HttpRequest, entry: NavEntry) -> bool:
    if entry.requires is None:
        return True
    # A request refused before authentication ran (an unknown host answered with the 400
    # page) has no user: it sees what anonymous visitors see.
    user = getattr(request, "user", None)
    if user is None:
        return False
    if entry.requires is Only.STAFF:
        return bool(user.is_active and user.is_staff)
    return bool(user.has_perm(entry.requires))


class NavLink(TypedDict):
    label: str | Promise
    url: str
    current: bool


class NavMenu(TypedDict):
    label: str | Promise
    items: list[NavLink]
    current: bool


def navigation(request: HttpRequest) -> dict[str, list[NavMenu]]:
    current = request.resolver_match.view_name if request.resolver_match else ""
    groups: list[NavMenu] = []
    for group in navigation_groups():
        items = [
            NavLink(label=e.label, url=reverse(e.url_name), current=current == e.url_name)
            for e in group.entries
            if _allowed(request, e)
        ]
        if items:
            groups.append(
                NavMenu(
                    label=group.label,
                    items=items,
                    current=any(item["current"] for item in items),
                )
            )
    return {"nav_groups": groups}
