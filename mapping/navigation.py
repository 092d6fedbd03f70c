"""The map's entry points in the site's header."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mapping.roles import MappingPermission as P
from platform_app.navigation import NavEntry, NavGroup


def mapping_navigation() -> tuple[NavGroup, ...]:
    return (
        NavGroup(
            20,
            _("Map"),
            (
                NavEntry(_("Map"), "mapping:space-map"),
                NavEntry(_("Report a problem"), "mapping:report-create"),
                NavEntry(_("Problem reports"), "mapping:report-queue", P.MODERATE_REPORT),
                NavEntry(_("My assignments"), "mapping:assignment-mine", P.ADD_SURVEY),
                NavEntry(_("Coverage"), "mapping:coverage", P.VIEW_COVERAGE),
                # The university's reviewers hold no coverage permission: the queue needs
                # its own entry.
                NavEntry(_("Surveys to review"), "mapping:review-queue", P.REVIEW_SURVEY),
            ),
        ),
    )
