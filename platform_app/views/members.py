"""The member's home on the platform, their preferences, the member list, invitations and the
personal calendar feed."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from platform_app import calendars
from platform_app.meeting_forms import (
    AcceptInvitationForm,
    InviteForm,
    PreferencesForm,
)
from platform_app.messaging.views import channel_form_for
from platform_app.models import (
    Agreement,
    Meeting,
    Member,
    Objective,
    StakeholderSector,
    User,
)
from platform_app.permissions import (
    may_accept_invitation,
    may_invite_members,
    may_manage_platform,
    member_of,
    require_member_list,
    require_platform_member,
)
from platform_app.services import members as members_services
from santaanita.once import single_submission
from santaanita.users import signed_in_user

# --- member home -------------------------------------------------------------------------


@login_required
def platform_home(request: HttpRequest) -> HttpResponse:
    district = require_platform_member(request.user)
    now = timezone.now()
    today = timezone.localdate()
    member = member_of(request.user, district)
    # The home shows the meeting's title, time and place and each agreement's description,
    # date and status: not the agenda (which carries every open agreement over, hundreds in a
    # large district) nor the people responsible.
    next_meeting = Meeting.objects.filter(district=district).upcoming(now).first()
    mine = Agreement.objects.none()
    if member is not None:
        mine = member.agreements.open().order_by("due_date")
    mine_list = list(mine)
    recent = Agreement.objects.filter(district=district).order_by("-created_at")[:5]
    objectives = Objective.objects.filter(district=district).prefetch_related("activities")
    feed_url = (
        request.build_absolute_uri(reverse("platform_app:member-feed", args=[member.feed_token]))
        if member
        else ""
    )
    return render(
        request,
        "platform_app/platform_home.html",
        {
            "district": district,
            "member": member,
            "next_meeting": next_meeting,
            "my_agreements": mine_list,
            "overdue": [a for a in mine_list if a.due_date < today],
            "recent_agreements": recent,
            "objectives": objectives,
            "feed_url": feed_url,
            # webcal:// opens the person's calendar app on the subscription dialog.
            "feed_webcal_url": "webcal" + feed_url[feed_url.find(":") :] if feed_url else "",
            "preferences_form": PreferencesForm(instance=member) if member else None,
            "channel_form": channel_form_for(signed_in_user(request)),
            "can_manage": may_manage_platform(request.user, district),
        },
    )


@login_required
@require_POST
def member_preferences(request: HttpRequest) -> HttpResponse:
    district = require_platform_member(request.user)
    member = member_of(request.user, district)
    if member is None:
        raise Http404
    if "reset_feed" in request.POST:
        members_services.member_feed_token_reset(member=member, actor=signed_in_user(request))
        messages.success(
            request, _("Your calendar address has been renewed; the old one no longer works.")
        )
    else:
        form = PreferencesForm(request.POST, instance=member)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your reminder preferences have been saved."))
    return redirect("platform_app:platform-home")


# --- members and invitations -------------------------------------------------------------


@login_required
@single_submission
def member_list(request: HttpRequest) -> HttpResponse:
    district = require_member_list(request.user)
    may_invite = may_invite_members(request.user, district)
    form = InviteForm(request.POST or None, district=district)
    if request.method == "POST":
        if not may_invite:
            raise PermissionDenied
        if form.is_valid():
            members_services.member_invite(
                district=district,
                invited_by=signed_in_user(request),
                accept_url=lambda token: request.build_absolute_uri(
                    reverse("platform_app:invitation-accept", args=[token])
                ),
                **form.cleaned_data,
            )
            messages.success(request, _("The invitation has been sent."))
            return redirect("platform_app:member-list")
    members = (
        Member.objects.filter(district=district)
        .select_related("user", "organization")
        .order_by("status", "sector", "user__first_name")
    )
    counts = dict(
        members.filter(status=Member.Status.ACTIVE)
        .order_by()  # an explicit ordering would split the groups
        .values_list("sector")
        .annotate(n=Count("pk"))
        .values_list("sector", "n")
    )
    return render(
        request,
        "platform_app/member_list.html",
        {
            "members": members,
            "sector_counts": [
                (label, counts.get(value, 0)) for value, label in StakeholderSector.choices
            ],
            "form": form if may_invite else None,
        },
    )


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation: joins the signed-in account, or creates one."""
    invitation = members_services.invitation_from_token(token=token)
    if invitation is None:
        return render(request, "platform_app/invitation_invalid.html", status=404)
    user = request.user
    if user.is_authenticated:
        if not may_accept_invitation(user, invitation):
            return render(
                request,
                "platform_app/invitation_wrong_account.html",
                {"invitation": invitation},
                status=403,
            )
        if request.method == "POST":
            members_services.member_join(invitation=invitation, user=user)
            messages.success(request, _("Welcome to the platform."))
            return redirect("platform_app:platform-home")
        return render(request, "platform_app/invitation_accept.html", {"invitation": invitation})
    if User.objects.filter(email=invitation.email).exists():
        # An account exists: sign in with it and come back to the link.
        return redirect(f"{reverse('account_login')}?next={request.path}")
    form = AcceptInvitationForm(
        request.POST or None,
        initial={"first_name": invitation.first_name, "last_name": invitation.last_name},
    )
    if request.method == "POST" and form.is_valid():
        new_user = members_services.invitation_accept_new_account(
            invitation=invitation,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password1"],
            language=form.cleaned_data["language"],
        )
        login(request, new_user, backend="allauth.account.auth_backends.AuthenticationBackend")
        messages.success(request, _("Welcome to the platform."))
        return redirect("platform_app:platform-home")
    return render(
        request, "platform_app/invitation_accept.html", {"invitation": invitation, "form": form}
    )


def member_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal calendar feed: the secret token is the credential (calendar apps cannot
    sign in); renewing it on the member page revokes the old address."""
    member = get_object_or_404(
        Member.objects.select_related("district", "user").exclude(status=Member.Status.LEFT),
        feed_token=token,
    )
    now = timezone.now()
    meetings = (
        Meeting.objects.filter(district=member.district, starts_at__gte=now - timedelta(days=90))
        .prefetch_related("agenda_items")
        .order_by("starts_at")
    )
    agreements = member.agreements.open().order_by("due_date")
    body = calendars.feed_ics(
        name=_("Platform of %(district)s") % {"district": member.district.name},
        meetings=meetings,
        agreements=agreements,
        now=now,
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
