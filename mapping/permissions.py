"""Who may do what in mapping: every rule of the app, asked by the views, the API, the
admin and the services alike.

The rule, the same in every app: the predicates here (``may_<verb>_<noun>``) are the only
code that names a mapping permission (querysets scope rows with ``can`` on their own); the
``get_<noun>_for_user`` helpers fetch what a page addresses by id and answer 404 when the
user may not know it exists, 403 when they see it but the action is not theirs, and
``require_district`` does the same for the pages that act on a district. A service that acts
for a person takes that person and asks the same predicate before writing, so an API write
or an admin action that calls it cannot skip the check. Mapping's services name that person
by their part (``surveyor``, ``reviewer``, ``assigned_by``, ``user``), as their callers and
tests have always done.

Reviewing is kept apart from producing: ``mapping.review_survey`` grants nothing for
surveying, so the university's reviewer judges surveys they could not have written or
illustrated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from mapping.models import PublicSpace, Report, Survey, SurveyPhoto
from platform_app.models import District
from platform_app.permissions import can, district_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from platform_app.models import User

SpaceAction = Literal["view", "change", "survey"]
SurveyAction = Literal["view", "add_photo", "review"]
DistrictAction = Literal["add_space", "review", "view_assignments", "view_coverage"]

# --- Districts ---------------------------------------------------------------------------


def district_shown_to(user: User | AnonymousUser) -> District:
    """Staff work on their own district; everyone else sees the platform's default one."""
    if user.is_authenticated and user.district_id:
        return get_object_or_404(District.objects.prefetch_related("sectors"), pk=user.district_id)
    return get_object_or_404(
        District.objects.prefetch_related("sectors"), ubigeo=settings.DEFAULT_DISTRICT_UBIGEO
    )


def may_add_space(user: User | AnonymousUser, district: District) -> bool:
    """Coordinators map new public spaces of their district."""
    return can(user, "mapping.add_publicspace", district)


def may_review_surveys(user: User | AnonymousUser, district: District) -> bool:
    """The university's reviewers and the coordinators (both hold the permission, which is
    asked rather than a role) judge the district's submitted surveys."""
    return can(user, "mapping.review_survey", district)


def may_view_assignments(user: User | AnonymousUser, district: District) -> bool:
    return can(user, "mapping.view_assignment", district)


def may_assign_surveyors(user: User | AnonymousUser, district: District) -> bool:
    """Coordinators plan the coverage: they assign the district's spaces to surveyors."""
    return can(user, "mapping.add_assignment", district)


def may_view_coverage(user: User | AnonymousUser, district: District) -> bool:
    """The coverage measures and the spaces nobody cares for are the coordinators'."""
    return can(user, "mapping.view_coverage", district)


_DISTRICT_RULES = {
    "add_space": may_add_space,
    "review": may_review_surveys,
    "view_assignments": may_view_assignments,
    "view_coverage": may_view_coverage,
}


def require_district(user: User | AnonymousUser, *, action: DistrictAction) -> District:
    """The district a staff page acts on (the user's own; the default one for an account
    placed in none), 403 when ``action`` is not the user's there."""
    district = district_shown_to(user)
    if not _DISTRICT_RULES[action](user, district):
        raise PermissionDenied
    return district


# --- Public spaces -----------------------------------------------------------------------


def may_change_space(user: User | AnonymousUser, space: PublicSpace) -> bool:
    """Coordinators change the spaces of their district (geometry, data, organizations)."""
    return can(user, "mapping.change_publicspace", space.district)


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


def get_space_for_user(user: User | AnonymousUser, pk: int, *, action: SpaceAction) -> PublicSpace:
    """The public space ``pk``: every space is public, so an unknown one is a 404 and a
    known one the user may not change or survey a 403."""
    spaces = PublicSpace.objects.visible_to(user)
    if action == "view":
        spaces = spaces.select_related("district", "sector", "latest_verified_survey")
    else:
        spaces = spaces.select_related("district")
    space = get_object_or_404(spaces, pk=pk)
    if action == "change" and not may_change_space(user, space):
        raise PermissionDenied
    if action == "survey" and not may_survey(user, space):
        raise PermissionDenied
    return space


# --- Surveys and their photos ------------------------------------------------------------


def may_review_survey(user: User | AnonymousUser, survey: Survey) -> bool:
    """A reviewer of the survey's district; they also see the surveyor's name (volunteers
    stay anonymous to the public)."""
    return may_review_surveys(user, survey.space.district)


def get_survey_for_user(
    user: User | AnonymousUser, pk: int, *, action: SurveyAction = "view"
) -> Survey:
    """The survey ``pk`` as ``user`` may use it: 404 when they may not see it (a draft or a
    returned survey is a named volunteer's work in progress), 403 when they see it but may
    not add photos to it or review it."""
    survey = get_object_or_404(
        Survey.objects.visible_to(user).select_related(
            "space", "space__district", "surveyor", "reviewer"
        ),
        pk=pk,
    )
    if action == "add_photo" and not may_add_photo(user, survey):
        raise PermissionDenied
    if action == "review" and not may_review_survey(user, survey):
        raise PermissionDenied
    return survey


def get_survey_photo_for_user(user: User | AnonymousUser, pk: int) -> SurveyPhoto:
    """A survey's photo for whoever may see the survey; 404 for anyone else."""
    return get_object_or_404(
        SurveyPhoto.objects.filter(survey__in=Survey.objects.visible_to(user)), pk=pk
    )


# --- Problem reports ---------------------------------------------------------------------

ReportAction = Literal["view", "work", "moderate"]


def may_moderate_reports(user: User | AnonymousUser, district: District | None = None) -> bool:
    """Coordinators moderate, route and close the reports of their district (``district``;
    without one, whether the user holds the role in any district)."""
    return can(user, "mapping.moderate_report", district)


def require_report_district(user: User | AnonymousUser) -> District:
    """The district whose report settings and measures a coordinator sees: their own; 403
    for anyone else, and for an account placed in no district (see ``district_for``)."""
    return district_for(user, "mapping.moderate_report")


def may_moderate_report(user: User | AnonymousUser, report: Report) -> bool:
    """Coordinators of the report's district moderate, route and close any report."""
    return may_moderate_reports(user, report.district)


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
