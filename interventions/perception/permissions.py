"""Who may collect perception answers and manage the survey, and where.

Volunteers (surveyors) and coordinators collect in their own district's waves; another
district's wave is not found (404), a role that may not collect is refused (403).
Coordinators manage the questionnaire, the waves, the populations and the baseline
figures of their district. Answering through a wave's public link needs no account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from interventions.models import Wave
from platform_app.permissions import can

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from platform_app.models import User

COLLECT = "interventions.collect_perceptionresponse"
MANAGE = "interventions.change_wave"
EDIT_REFERENCES = "interventions.change_referencevalue"


def get_wave_for_user(user: User | AnonymousUser, pk: int, *, action: str) -> Wave:
    """The wave ``pk`` if ``user`` may do ``action`` (a permission name) in its district."""
    wave = Wave.objects.select_related("district", "questionnaire").filter(pk=pk).first()
    if wave is None:
        raise Http404
    if not can(user, action):
        raise PermissionDenied
    if not can(user, action, wave.district):
        # Staff of another district do not learn that the wave exists.
        raise Http404
    return wave
