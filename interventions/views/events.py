"""Fundraising events: the list and the event page with its invitations and answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from interventions.forms import (
    FundraisingEventEditForm,
    FundraisingEventForm,
    InvitationAnswerFormSet,
    InviteCompaniesForm,
)
from interventions.models import (
    Company,
    FundraisingEvent,
    Invitation,
    Pledge,
)
from interventions.services import events as events_services
from interventions.views.access import require_perm, user_district
from platform_app.permissions import can
from santaanita.forms import apply_errors, carry_current_version
from santaanita.once import single_submission
from santaanita.users import signed_in_user
from santaanita.versioned import StaleEdit

# --- Fundraising events ------------------------------------------------------------------

EVENTS_PER_PAGE = 20


def _event_for_page(request: HttpRequest, pk: int) -> FundraisingEvent:
    """An event the user may see (their district's, with the permission to view events);
    404 for anyone else, like pledges. Each action then asks for its own permission (403)."""
    return get_object_or_404(
        FundraisingEvent.objects.visible_to(request.user).select_related("district"), pk=pk
    )


@login_required
@single_submission
def event_list(request: HttpRequest) -> HttpResponse:
    """The district's fundraising events (the breakfast and later ones); a new one below."""
    district = user_district(request)
    require_perm(request, "interventions.view_fundraisingevent", district)
    events = (
        FundraisingEvent.objects.visible_to(request.user)
        .filter(district=district)
        .with_counts()
        .order_by("-date", "-pk")
    )
    form = FundraisingEventForm()
    if request.method == "POST":
        require_perm(request, "interventions.add_fundraisingevent", district)
        form = FundraisingEventForm(request.POST)
        if form.is_valid():
            try:
                event = events_services.event_create(district=district, **form.cleaned_data)
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
            "may_add": can(request.user, "interventions.add_fundraisingevent", district),
        },
    )


@login_required
@single_submission
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an event's details, invite the district's companies to it and record their
    answers and attendance.

    Every form carries a once-token, so a form sent twice lands like the first copy: a
    second copy of a correction would otherwise be refused as stale by ``event_update``
    (its version is the one before the first copy's), and a second copy of an invitation
    would name companies no longer offered by the form.
    """
    event = _event_for_page(request, pk)
    invitations = event.invitations.select_related("company").order_by("company__name")
    uninvited = (
        Company.objects.in_district(event.district_id)
        .exclude(invitations__event=event)
        .order_by("name")
    )
    invite_form = InviteCompaniesForm(companies=uninvited, prefix="invite")
    formset = InvitationAnswerFormSet(queryset=invitations, prefix="answers")
    edit_form = FundraisingEventEditForm(instance=event, prefix="edit")
    if request.method == "POST":
        if "edit-version" in request.POST:
            require_perm(request, "interventions.change_fundraisingevent", event.district)
            # Validated on its own copy of the event: the page above keeps showing the event
            # as it is stored while the typed values wait in the form.
            edit_form = FundraisingEventEditForm(
                request.POST, instance=FundraisingEvent.objects.get(pk=pk), prefix="edit"
            )
            if edit_form.is_valid():
                try:
                    updated = events_services.event_update(
                        event=event,
                        version=edit_form.cleaned_data["version"],
                        **edit_form.details(),
                    )
                except StaleEdit as exc:
                    edit_form.add_error(
                        None,
                        _(
                            "Someone else changed this event while you were editing it (its "
                            "current details are shown above). Your values are kept in the "
                            "form; send them again to replace that change."
                        ),
                    )
                    carry_current_version(edit_form, request.POST, exc.current.version)
                    event = _event_for_page(request, pk)
                except ValidationError as exc:
                    apply_errors(edit_form, exc)
                else:
                    messages.success(
                        request, _("Event “%(name)s” updated.") % {"name": updated.name}
                    )
                    return redirect("interventions:event-detail", pk=pk)
        elif "answers-TOTAL_FORMS" in request.POST:
            require_perm(request, "interventions.change_invitation", event.district)
            formset = InvitationAnswerFormSet(request.POST, queryset=invitations, prefix="answers")
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
                    changed = events_services.event_attendance_record(event=event, answers=answers)
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d invitation updated.",
                            "%(count)d invitations updated.",
                            changed,
                        )
                        % {"count": changed},
                    )
                    return redirect("interventions:event-detail", pk=pk)
        else:
            require_perm(request, "interventions.add_invitation", event.district)
            invite_form = InviteCompaniesForm(request.POST, companies=uninvited, prefix="invite")
            if invite_form.is_valid():
                try:
                    invited = events_services.event_invite(
                        event=event, companies=invite_form.cleaned_data["companies"]
                    )
                except ValidationError as exc:
                    invite_form.add_error(None, exc)
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d company invited.", "%(count)d companies invited.", invited
                        )
                        % {"count": invited},
                    )
                    return redirect("interventions:event-detail", pk=pk)
    may_invite = can(request.user, "interventions.add_invitation", event.district)
    pledged = (
        Pledge.objects.visible_to(request.user)
        .filter(event=event)
        .active()
        .aggregate(count=Count("pk"), total=Sum("value_pen"))
    )
    return render(
        request,
        "interventions/event_detail.html",
        {
            "event": event,
            "formset": formset,
            "invite_form": invite_form,
            "pledged": pledged,
            "edit_form": edit_form,
            "may_edit": can(request.user, "interventions.change_fundraisingevent", event.district),
            "may_invite": may_invite,
            # Asked only of those shown the form, with EXISTS: the form reads the companies
            # itself when it is rendered.
            "anyone_to_invite": may_invite and uninvited.exists(),
            "may_record": can(request.user, "interventions.change_invitation", event.district),
            "may_invite_members": can(request.user, "platform_app.add_invitation", event.district),
            "invitations": invitations,
        },
    )


@require_POST
@single_submission
def company_platform_invite(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    """Invite an invited company's contact person to the platform's business sector."""
    event = _event_for_page(request, pk)
    require_perm(request, "platform_app.add_invitation", event.district)
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
    invitation = get_object_or_404(
        Invitation.objects.answerable_by(user).select_related("event"), pk=pk
    )
    try:
        events_services.invitation_answer(
            invitation=invitation, status=request.POST.get("status", ""), by=user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your answer has been recorded."))
    return redirect("interventions:company-mine")
