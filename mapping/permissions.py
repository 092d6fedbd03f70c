"""Who may produce survey data: the rules the views, the API and the services all ask.

Reviewing is kept apart from producing: ``mapping.review_survey`` grants nothing here, so
the university's reviewer judges surveys they could not have written or illustrated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mapping.models import PublicSpace, Report, Survey
from platform_app.permissions import can

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from platform_app.models import User


def may_survey(user: User | AnonymousUser, space: PublicSpace) -> bool:
    """May ``user`` fill in a survey of ``space``?

    Coordinators (``mapping.survey_any_space``) may for any space of their district.
    Surveyors (``mapping.add_survey``) only for a space actively assigned to them: coverage
    is planned by assignment, and an unassigned visit would double someone else's work.
    """
    if can(user, "mapping.survey_any_space", space.district):
        return True
    if not can(user, "mapping.add_survey", space.district):
        return False
    # The one definition of an active assignment lives in the querysets.
    return PublicSpace.objects.assigned_to(user).filter(pk=space.pk).exists()


def may_add_photo(user: User | AnonymousUser, survey: Survey) -> bool:
    """The survey's author may add photos to it, and so may a coordinator of its district."""
    if user.is_authenticated and survey.surveyor_id == user.pk:
        return True
    return can(user, "mapping.survey_any_space", survey.space.district)


# --- Problem reports ---------------------------------------------------------------------

ReportAction = Literal["view", "work", "moderate"]


def may_moderate_report(user: User | AnonymousUser, report: Report) -> bool:
    """Coordinators of the report's district moderate, route and close any report."""
    return can(user, "mapping.moderate_report", report.district)


def may_work_report(user: User | AnonymousUser, report: Report) -> bool:
    """May ``user`` move the report's status (in progress, fixed)?

    The district's moderators, and the representatives of the organization the report was
    routed to: the people who care for the space are the ones who fix it, and they answer
    for what they mark fixed (the reporter is asked afterwards).
    """
    if may_moderate_report(user, report):
        return True
    if not user.is_authenticated or report.organization_id is None:
        return False
    return Report.objects.workable_by(user).filter(pk=report.pk).exists()


def may_see_report_contact(user: User | AnonymousUser, report: Report) -> bool:
    """Only coordinators with the contact permission of the district see who reported:
    a representative fixes the problem without knowing the neighbour who reported it."""
    return can(user, "mapping.view_report_contact", report.district)


def get_report_for_user(
    user: User | AnonymousUser, pk: int, *, action: ReportAction = "view"
) -> Report:
    """The report ``pk`` as ``user`` may use it: 404 when they may not know it exists (a
    hidden report for the public), 403 when they see it but the action is not theirs."""
    report = (
        Report.objects.visible_to(user)
        .select_related("district", "space", "sector", "organization", "area")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    if action == "work" and not may_work_report(user, report):
        raise PermissionDenied
    if action == "moderate" and not may_moderate_report(user, report):
        raise PermissionDenied
    return report
