"""Who may collect perception answers and manage the survey, and where.

Volunteers (surveyors) and coordinators collect in their own district's waves; another
district's wave is not found (404), a role that may not collect is refused (403).
Coordinators manage the questionnaire, the waves, the populations and the baseline
figures of their district. Answering through a wave's public link needs no account.

The same shape as ``interventions/permissions.py``: rules are the predicates
``may_<verb>_<noun>``; pages of a district ask ``require_<action>(user)``, pages of a wave
``get_wave_for_user``; the services that act for a person take ``actor`` and ask the same
predicates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404

from interventions.models import Wave
from platform_app.permissions import can, district_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from platform_app.models import District, User

    AnyUser = User | AnonymousUser

COLLECT = "interventions.collect_perceptionresponse"
MANAGE = "interventions.change_wave"
EDIT_REFERENCES = "interventions.change_referencevalue"

WaveAction = Literal["collect", "manage"]
_WAVE_PERMISSIONS: dict[str, str] = {"collect": COLLECT, "manage": MANAGE}


def may_manage_survey(user: AnyUser, district: District) -> bool:
    """Coordinators publish the questionnaire, open and close waves and set populations."""
    return can(user, MANAGE, district)


def may_edit_references(user: AnyUser, district: District) -> bool:
    """Coordinators keep the baseline figures and the programme's years."""
    return can(user, EDIT_REFERENCES, district)


def require_collect(user: AnyUser) -> District:
    """The district where ``user`` collects (403 otherwise)."""
    return district_for(user, COLLECT)


def require_manage_survey(user: AnyUser) -> District:
    """The district whose survey ``user`` manages (403 otherwise)."""
    return district_for(user, MANAGE)


def require_edit_references(user: AnyUser) -> District:
    """The district whose baseline figures ``user`` keeps (403 otherwise)."""
    return district_for(user, EDIT_REFERENCES)


def get_wave_for_user(user: AnyUser, pk: int, *, action: WaveAction) -> Wave:
    """The wave ``pk`` if ``user`` may ``action`` in its district: 403 for a role that may
    not, 404 for staff of another district."""
    perm = _WAVE_PERMISSIONS[action]
    wave = Wave.objects.select_related("district", "questionnaire").filter(pk=pk).first()
    if wave is None:
        raise Http404
    if not can(user, perm):
        raise PermissionDenied
    if not can(user, perm, wave.district):
        # Staff of another district do not learn that the wave exists.
        raise Http404
    return wave
