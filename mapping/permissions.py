"""Who may produce survey data: the rules the views, the API and the services all ask.

Reviewing is kept apart from producing: ``mapping.review_survey`` grants nothing here, so
the university's reviewer judges surveys they could not have written or illustrated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mapping.models import PublicSpace, Survey
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
