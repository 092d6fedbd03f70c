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


@dataclass(frozen=True)
class NavGroup:
    """One module of the platform: a short menu in the header. A group of which a person
    may open only one entry shows that entry as a plain link."""

    label: str | Promise
    entries: tuple[NavEntry, ...]


GROUPS: tuple[NavGroup, ...] = (
    NavGroup(_("Home"), (NavEntry(_("Home"), "home"),)),
    NavGroup(
        _("Organizations"),
        (
            NavEntry(_("Organizations"), "platform_app:organization-directory"),
            NavEntry(_("Register an organization"), "platform_app:organization-register"),
            NavEntry(_("Registration desk"), "platform_app:desk", "platform_app.use_desk"),
            NavEntry(
                _("Verification"),
                "platform_app:verification-list",
                "platform_app.verify_organization",
            ),
        ),
    ),
    NavGroup(
        _("Map"),
        (
            NavEntry(_("Map"), "mapping:space-map"),
            NavEntry(_("Report a problem"), "mapping:report-create"),
            NavEntry(_("Problem reports"), "mapping:report-queue", "mapping.moderate_report"),
            NavEntry(_("My assignments"), "mapping:assignment-mine", "mapping.add_survey"),
            NavEntry(_("Coverage"), "mapping:coverage", "mapping.view_coverage"),
            # The university's reviewers hold no coverage permission: the queue needs its
            # own entry.
            NavEntry(_("Surveys to review"), "mapping:review-queue", "mapping.review_survey"),
        ),
    ),
    NavGroup(
        _("Festival"),
        (
            NavEntry(_("Festival"), "festival:home"),
            NavEntry(_("Judge screen"), "festival:judge", "festival.add_scoresheet"),
            NavEntry(_("Festival management"), "festival:manage", "festival.change_team"),
        ),
    ),
    NavGroup(
        _("Platform"),
        (
            NavEntry(_("My platform"), "platform_app:platform-home", "platform_app.view_meeting"),
            NavEntry(
                _("My agreements"), "platform_app:agreement-mine", "platform_app.view_agreement"
            ),
        ),
    ),
    NavGroup(
        _("Interventions"),
        (
            NavEntry(_("Interventions"), "interventions:intervention-list"),
            NavEntry(_("Results"), "interventions:results"),
            NavEntry(_("Companies"), "interventions:company-list"),
            NavEntry(
                _("My company"), "interventions:company-mine", "interventions.act_for_company"
            ),
            NavEntry(_("Pledges"), "interventions:pledge-list", "interventions.view_pledge"),
            # Impact measurement: the perception survey and the open data.
            NavEntry(
                _("Perception survey"),
                "interventions:perception-manage",
                "interventions.change_wave",
            ),
            NavEntry(
                _("Collect answers"),
                "interventions:perception-collect-list",
                "interventions.collect_perceptionresponse",
            ),
            NavEntry(_("Open data"), "interventions:open-data"),
        ),
    ),
    NavGroup(
        _("More"),
        (
            NavEntry(_("Districts"), "platform_app:district-list"),
            NavEntry(_("API"), "api-docs"),
            NavEntry(_("Administration"), "admin:index", "staff"),
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
    if entry.requires == "staff":
        return bool(user.is_active and user.is_staff)
    return bool(user.has_perm(entry.requires))


def navigation(request: HttpRequest) -> dict[str, Any]:
    current = request.resolver_match.view_name if request.resolver_match else ""
    groups = []
    for group in GROUPS:
        items = [
            {"label": e.label, "url": reverse(e.url_name), "current": current == e.url_name}
            for e in group.entries
            if _allowed(request, e)
        ]
        if items:
            groups.append(
                {
                    "label": group.label,
                    "items": items,
                    "current": any(item["current"] for item in items),
                }
            )
    return {"nav_groups": groups}
