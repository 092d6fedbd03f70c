"""The interventions' entry points in the site's header."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from interventions.roles import InterventionsPermission as P
from platform_app.navigation import NavEntry, NavGroup


def interventions_navigation() -> tuple[NavGroup, ...]:
    return (
        NavGroup(
            50,
            _("Interventions"),
            (
                NavEntry(_("Interventions"), "interventions:intervention-list"),
                NavEntry(_("Results"), "interventions:results"),
                NavEntry(_("Companies"), "interventions:company-list"),
                NavEntry(_("My company"), "interventions:company-mine", P.ACT_FOR_COMPANY),
                NavEntry(_("Pledges"), "interventions:pledge-list", P.VIEW_PLEDGE),
                # Impact measurement: the perception survey and the open data.
                NavEntry(_("Perception survey"), "interventions:perception-manage", P.CHANGE_WAVE),
                NavEntry(
                    _("Collect answers"),
                    "interventions:perception-collect-list",
                    P.COLLECT_PERCEPTIONRESPONSE,
                ),
                NavEntry(_("Open data"), "interventions:open-data"),
            ),
        ),
    )
