"""News pages: the public list and page of an announcement; coordinators write and send."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from platform_app.outreach import services
from platform_app.outreach.forms import AnnouncementForm, AnnouncementSendForm
from platform_app.outreach.models import Announcement
from platform_app.outreach.permissions import (
    get_announcement_for_user,
    may_change_announcement,
    may_send_announcement,
    may_write_announcements,
    require_announcement_writer,
)
from platform_app.outreach.querysets import delivery_counts, subscribed_to_announcements
from santaanita.once import single_submission
from santaanita.users import signed_in_user


def announcement_list(request: HttpRequest) -> HttpResponse:
    announcements = (
        Announcement.objects.visible_to(request.user)
        .select_related("district")
        .order_by("-published_at", "-created_at")
    )
    page = Paginator(announcements, 10).get_page(request.GET.get("page"))
    return render(
        request,
        "platform_app/outreach/announcement_list.html",
        {
            "page": page,
            "may_write": may_write_announcements(request.user),
            "subscribed": request.user.is_authenticated
            and subscribed_to_announcements(signed_in_user(request)),
        },
    )


@require_POST
@login_required
def announcement_subscription(request: HttpRequest) -> HttpResponse:
    """A signed-in person says yes or no to receiving the announcements by message."""
    allowed = request.POST.get("subscribe") == "yes"
    if services.announcements_subscribe(user=signed_in_user(request), allowed=allowed):
        messages.success(
            request,
            _("You will receive the announcements.")
            if allowed
            else _("You will no longer receive the announcements."),
        )
    return redirect("platform_app:announcement-list")


def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = get_announcement_for_user(request.user, pk, action="view")
    may_send = may_send_announcement(request.user, announcement)
    return render(
        request,
        "platform_app/outreach/announcement_detail.html",
        {
            "announcement": announcement,
            "may_change": may_change_announcement(request.user, announcement),
            "may_send": may_send,
            "send_form": AnnouncementSendForm(district=announcement.district) if may_send else None,
            "counts": delivery_counts(announcement) if may_send else [],
        },
    )


@login_required
@single_submission
def announcement_create(request: HttpRequest) -> HttpResponse:
    district = require_announcement_writer(request.user)
    form = AnnouncementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            announcement = services.announcement_create(
                district=district,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                image=form.cleaned_data.get("image"),
                event_date=form.cleaned_data.get("event_date"),
                publish=form.cleaned_data["publish"],
                actor=signed_in_user(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The announcement has been saved."))
            return redirect("platform_app:announcement-detail", pk=announcement.pk)
    return render(request, "platform_app/outreach/announcement_form.html", {"form": form})


@require_POST
@login_required
def announcement_publish(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = get_announcement_for_user(request.user, pk, action="change")
    actor = signed_in_user(request)
    if request.POST.get("action") == "withdraw":
        services.announcement_withdraw(announcement=announcement, actor=actor)
        messages.success(request, _("The announcement is no longer on the public pages."))
    else:
        services.announcement_publish(announcement=announcement, actor=actor)
        messages.success(request, _("The announcement is on the public pages."))
    return redirect("platform_app:announcement-detail", pk=pk)


@require_POST
@login_required
@single_submission
def announcement_send(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = get_announcement_for_user(request.user, pk, action="send")
    form = AnnouncementSendForm(request.POST, district=announcement.district)
    if not form.is_valid():
        messages.error(request, _("Check the segment."))
        return redirect("platform_app:announcement-detail", pk=pk)
    try:
        result = services.announcement_send(
            announcement=announcement,
            actor=signed_in_user(request),
            sector=form.cleaned_data["sector"],
            typology=form.cleaned_data["typology"],
            role=form.cleaned_data["role"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d message scheduled",
                "%(count)d messages scheduled",
                result.scheduled,
            )
            % {"count": result.scheduled}
            + " · "
            + _("%(reached)d people consented, %(left)d left out without consent.")
            % {"reached": result.reached, "left": result.without_consent},
        )
    return redirect("platform_app:announcement-detail", pk=pk)
