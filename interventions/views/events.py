"""Fundraising events: the list and the event page with its invitations and answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Sum
from django.forms import BaseModelFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from interventions.forms import (
    FundraisingEventEditForm,
    FundraisingEventForm,
    InvitationAnswerForm,
    InvitationAnswerFormSet,
    InviteCompaniesForm,
)
from interventions.models import (
    Company,
    FundraisingEvent,
    Invitation,
    Pledge,
)
from interventions.permissions import (
    get_event_for_user,
    get_invitation_for_user,
    may_add_event,
    may_change_event,
    may_invite_to_event,
    may_invite_to_platform,
    may_record_attendance,
    require_add_event,
    require_view_events,
)
from interventions.services import events as events_services
from santaanita.forms import apply_errors, carry_current_version
from santaanita.once import single_submission
from santaanita.users import signed_in_user
from santaanita.versioned import StaleEdit

# --- Fundraising events ------------------------------------------------------------------

EVENTS_PER_PAGE = 20


@login_required
@single_submission
def event_list(request: HttpRequest) -> HttpResponse:
    """The district's fundraising events (the breakfast and later ones); a new one below."""
    district = require_view_events(request.user)
    events = (
        FundraisingEvent.objects.visible_to(request.user)
        .filter(district=district)
        .with_counts()
        .order_by("-date", "-pk")
    )
    form = FundraisingEventForm()
    if request.method == "POST":
        district = require_add_event(request.user)
        form = FundraisingEventForm(request.POST)
        if form.is_valid():
            try:
                event = events_services.event_create(
                    actor=signed_in_user(request), district=district, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Event “%(name)s” created.") % {"name": event.name})
                return redirect("interventions:event-detail", pk=event.pk)
    # Counted only when the page is shown: a successful POST redirects without it.
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "interventions/event_list.html",
        {
            "page": page,
            "events": page.object_list,
            "form": form,
            "may_add": may_add_event(request.user, district),
        },
    )


def _uninvited(event: FundraisingEvent) -> QuerySet[Company]:
    return (
        Company.objects.in_district(event.district_id)
        .exclude(invitations__event=event)
        .order_by("name")
    )


def _invitations(event: FundraisingEvent) -> QuerySet[Invitation]:
    return event.invitations.select_related("company").order_by("company__name")


def _event_page(
    request: HttpRequest,
    event: FundraisingEvent,
    *,
    edit_form: FundraisingEventEditForm | None = None,
    formset: BaseModelFormSet[Invitation, InvitationAnswerForm] | None = None,
    invite_form: InviteCompaniesForm | None = None,
) -> HttpResponse:
    """The event's page; a form refused by its action comes back bound, with what was typed
    and each message next to its field."""
    user = request.user
    uninvited = _uninvited(event)
    invitations = _invitations(event)
    may_invite = may_invite_to_event(user, event)
    pledged = (
        Pledge.objects.visible_to(user)
        .filter(event=event)
        .active()
        .aggregate(count=Count("pk"), total=Sum("value_pen"))
    )
    return render(
        request,
        "interventions/event_detail.html",
        {
            "event": event,
            "formset": formset or InvitationAnswerFormSet(queryset=invitations, prefix="answers"),
            "invite_form": invite_form or InviteCompaniesForm(companies=uninvited, prefix="invite"),
            "pledged": pledged,
            "edit_form": edit_form or FundraisingEventEditForm(instance=event, prefix="edit"),
            "may_edit": may_change_event(user, event),
            "may_invite": may_invite,
            # Asked only of those shown the form, with EXISTS: the form reads the companies
            # itself when it is rendered.
            "anyone_to_invite": may_invite and uninvited.exists(),
            "may_record": may_record_attendance(user, event),
            "may_invite_members": may_invite_to_platform(user, event),
            "invitations": invitations,
        },
    )


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An event with its invitations and answers; its details are corrected, companies
    invited and answers and attendance recorded each by a form of its own below."""
    return _event_page(request, get_event_for_user(request.user, pk, action="view"))


# Every form of the event's page carries a once-token, so a form sent twice lands like the
# first copy: a second copy of a correction would otherwise be refused as stale by
# ``event_update`` (its version is the one before the first copy's), and a second copy of
# an invitation would name companies no longer offered by the form.


@require_POST
@login_required
@single_submission
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the event's details, refused when someone else changed them meanwhile."""
    event = get_event_for_user(request.user, pk, action="change")
    # Validated on its own copy of the event: the page keeps showing the event as it is
    # stored while the typed values wait in the form.
    form = FundraisingEventEditForm(
        request.POST, instance=FundraisingEvent.objects.get(pk=pk), prefix="edit"
    )
    if form.is_valid():
        try:
            updated = events_services.event_update(
                actor=signed_in_user(request),
                event=event,
                version=form.cleaned_data["version"],
                **form.details(),
            )
        except StaleEdit as exc:
            form.add_error(
                None,
                _(
                    "Someone else changed this event while you were editing it (its "
                    "current details are shown above). Your values are kept in the "
                    "form; send them again to replace that change."
                ),
            )
            carry_current_version(form, request.POST, exc.current.version)
            event = get_event_for_user(request.user, pk, action="change")
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Event “%(name)s” updated.") % {"name": updated.name})
            return redirect("interventions:event-detail", pk=pk)
    return _event_page(request, event, edit_form=form)


@require_POST
@login_required
@single_submission
def event_answers(request: HttpRequest, pk: int) -> HttpResponse:
    """Record which invited companies confirmed or declined, and which came."""
    event = get_event_for_user(request.user, pk, action="record")
    formset = InvitationAnswerFormSet(request.POST, queryset=_invitations(event), prefix="answers")
    if formset.is_valid():
        answers = [
            events_services.InvitationAnswer(
                invitation_id=form.instance.pk,
                status=form.cleaned_data["status"],
                attended=form.cleaned_data["attended"],
            )
            for form in formset.forms
            if form.has_changed()
        ]
        try:
            changed = events_services.event_attendance_record(
                actor=signed_in_user(request), event=event, answers=answers
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                ngettext("%(count)d invitation updated.", "%(count)d invitations updated.", changed)
                % {"count": changed},
            )
            return redirect("interventions:event-detail", pk=pk)
    return _event_page(request, event, formset=formset)


@require_POST
@login_required
@single_submission
def event_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite some of the district's companies not invited yet."""
    event = get_event_for_user(request.user, pk, action="invite")
    form = InviteCompaniesForm(request.POST, companies=_uninvited(event), prefix="invite")
    if form.is_valid():
        try:
            invited = events_services.event_invite(
                actor=signed_in_user(request), event=event, companies=form.cleaned_data["companies"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                ngettext("%(count)d company invited.", "%(count)d companies invited.", invited)
                % {"count": invited},
            )
            return redirect("interventions:event-detail", pk=pk)
    return _event_page(request, event, invite_form=form)


@require_POST
@single_submission
def company_platform_invite(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    """Invite an invited company's contact person to the platform's business sector."""
    event = get_event_for_user(request.user, pk, action="invite_to_platform")
    invitation = get_object_or_404(
        Invitation.objects.select_related("company__district", "event"),
        event=event,
        pk=invitation_pk,
    )
    try:
        events_services.company_invite_to_platform(
            invitation=invitation,
            by=signed_in_user(request),
            accept_url=lambda token: request.build_absolute_uri(
                reverse("platform_app:invitation-accept", args=[token])
            ),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(company)s's contact person has been invited to the platform.")
            % {"company": invitation.company.name},
        )
    return redirect("interventions:event-detail", pk=event.pk)


@require_POST
@login_required
def invitation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A representative confirms or declines their company's invitation (404 for others)."""
    user = signed_in_user(request)
    invitation = get_invitation_for_user(user, pk)
    try:
        events_services.invitation_answer(
            invitation=invitation, status=request.POST.get("status", ""), by=user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your answer has been recorded."))
    return redirect("interventions:company-mine")
