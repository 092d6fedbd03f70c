"""A meeting's call list, printable, and the desk's record of each call."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from platform_app.calls.permissions import get_meeting_for_calls
from platform_app.calls.services import call_counts, call_list, call_record
from platform_app.models import Call, Organization
from platform_app.permissions import may_act_on_meeting
from santaanita.users import signed_in_user


def meeting_call_list(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_calls(request.user, pk, action="view")
    return render(
        request,
        "platform_app/meeting_call_list.html",
        {
            "meeting": meeting,
            "rows": call_list(meeting=meeting),
            "counts": call_counts(meeting=meeting),
            "outcomes": Call.Outcome.choices,
            "may_record": may_act_on_meeting(request.user, meeting, "record_calls"),
        },
    )


@require_POST
def meeting_call_record(request: HttpRequest, pk: int, org_pk: int) -> HttpResponse:
    meeting = get_meeting_for_calls(request.user, pk, action="add")
    organization = get_object_or_404(Organization, pk=org_pk, district=meeting.district)
    try:
        call = call_record(
            meeting=meeting,
            organization=organization,
            outcome=request.POST.get("outcome", ""),
            actor=signed_in_user(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(organization)s: %(outcome)s.")
            % {"organization": organization.name, "outcome": call.get_outcome_display()},
        )
    return redirect("platform_app:meeting-calls", pk=meeting.pk)
