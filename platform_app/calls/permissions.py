"""Who may see a meeting's call list and record calls: names and phone numbers of people
are personal data, so only the district's coordinators and desk."""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from platform_app.models import Meeting, User
from platform_app.permissions import may_act_on_meeting


def get_meeting_for_calls(
    user: User | AnonymousUser, pk: int, *, action: Literal["view", "add"]
) -> Meeting:
    """The meeting whose call list ``user`` may ``view`` or ``add`` to. 404 for whoever may
    not see call lists in its district (the anonymous included: a login redirect would
    say the meeting exists); 403 for one who sees the list but may not record calls."""
    meeting = Meeting.objects.select_related("district").filter(pk=pk).first()
    if meeting is None or not may_act_on_meeting(user, meeting, "view_calls"):
        raise Http404
    if action == "add" and not may_act_on_meeting(user, meeting, "record_calls"):
        raise PermissionDenied
    return meeting
