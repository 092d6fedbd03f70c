"""The festival's entry points in the site's header."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from festival.roles import FestivalPermission as P
from platform_app.navigation import NavEntry, NavGroup


def festival_navigation() -> tuple[NavGroup, ...]:
    return (
        NavGroup(
            30,
            _("Festival"),
            (
                NavEntry(_("Festival"), "festival:home"),
                NavEntry(_("Judge screen"), "festival:judge", P.ADD_SCORESHEET),
                NavEntry(_("Festival management"), "festival:manage", P.CHANGE_TEAM),
            ),
        ),
    )
