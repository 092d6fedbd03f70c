"""The collaborative platform: member home, members and invitations, meetings with
attendance and minutes, agreements and their follow-up, calendars, guide of roles, work plan.

Access: every page needs a platform role in the user's district (``district_for``, which
refuses an account without a district, or ``can`` on an object's district). Objects come from
``visible_to(user)`` querysets, so another district's meeting or agreement is a 404 (its
existence is not revealed); a visible object the user may not change is a 403.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from platform_app import calendars, services
from platform_app.calls.services import call_counts
from platform_app.meeting_forms import (
    AcceptInvitationForm,
    ActivityEditForm,
    ActivityForm,
    ActivityReportForm,
    AgendaItemForm,
    AgreementForm,
    BoardFilterForm,
    FollowUpForm,
    GuideRoleFormSet,
    InviteForm,
    MeetingFileForm,
    MeetingForm,
    MeetingSeriesForm,
    MinutesForm,
    ObjectiveEditForm,
    ObjectiveForm,
    OrganizationInviteForm,
    PreferencesForm,
    RoleGuideIntroForm,
)
from platform_app.messaging.views import channel_form_for
from platform_app.models import (
    Activity,
    AgendaItem,
    Agreement,
    AgreementFollowUp,
    Attendance,
    District,
    Meeting,
    MeetingFile,
    Member,
    Objective,
    Organization,
    OrganizationInvitation,
    RoleGuideVersion,
    StakeholderSector,
    User,
)
from platform_app.permissions import can, district_for
from platform_app.places import district_places
from santaanita.files import original_name_of, serve_private
from santaanita.forms import apply_errors, carry_current_version
from santaanita.once import single_submission
from santaanita.users import signed_in_user
from santaanita.versioned import StaleEdit

# --- access helpers ------------------------------------------------------------------------


def _require(request: HttpRequest, perm: str, district: District) -> None:
    if not can(request.user, perm, district):
        raise PermissionDenied


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("district"), pk=pk
    )


def _member_of(user: Any, district: District) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.filter(user=user, district=district).first()


def _may_follow_up(user: Any, agreement: Agreement) -> bool:
    """Responsible members report on their agreements; coordinators on any of their district."""
    if can(user, "platform_app.change_agreement", agreement.district):
        return True
    return can(user, "platform_app.add_agreementfollowup", agreement.district) and (
        agreement.responsible.filter(user=user, status=Member.Status.ACTIVE).exists()
    )


# --- member home -------------------------------------------------------------------------


@login_required
def platform_home(request: HttpRequest) -> HttpResponse:
    district = district_for(request.user, "platform_app.view_meeting")
    now = timezone.now()
    today = timezone.localdate()
    member = _member_of(request.user, district)
    next_meeting = (
        Meeting.objects.filter(district=district)
        .upcoming(now)
        .prefetch_related("agenda_items")
        .first()
    )
    mine = Agreement.objects.none()
    if member is not None:
        mine = member.agreements.open().for_list().order_by("due_date")
    mine_list = list(mine)
    recent = Agreement.objects.filter(district=district).for_list().order_by("-created_at")[:5]
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
            "can_manage": can(request.user, "platform_app.add_meeting", district),
        },
    )


@login_required
@require_POST
def member_preferences(request: HttpRequest) -> HttpResponse:
    district = district_for(request.user, "platform_app.view_meeting")
    member = _member_of(request.user, district)
    if member is None:
        raise Http404
    if "reset_feed" in request.POST:
        services.member_feed_token_reset(member=member)
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
    district = district_for(request.user, "platform_app.view_member")
    may_invite = can(request.user, "platform_app.add_invitation", district)
    form = InviteForm(request.POST or None, district=district)
    if request.method == "POST":
        if not may_invite:
            raise PermissionDenied
        if form.is_valid():
            services.member_invite(
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
    invitation = services.invitation_from_token(token=token)
    if invitation is None:
        return render(request, "platform_app/invitation_invalid.html", status=404)
    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email:
            return render(
                request,
                "platform_app/invitation_wrong_account.html",
                {"invitation": invitation},
                status=403,
            )
        if request.method == "POST":
            services.member_join(invitation=invitation, user=user)
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
        new_user = services.invitation_accept_new_account(
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


# --- meetings ------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    district = district_for(request.user, "platform_app.view_meeting")
    meetings = (
        Meeting.objects.filter(district=district)
        .annotate(item_count=Count("agenda_items", distinct=True))
        .order_by("-starts_at")
    )
    page = Paginator(meetings, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "platform_app/meeting_list.html",
        {
            "page": page,
            "now": timezone.now(),
            "can_manage": can(request.user, "platform_app.add_meeting", district),
        },
    )


@login_required
@single_submission
def meeting_create(request: HttpRequest) -> HttpResponse:
    district = district_for(request.user, "platform_app.add_meeting")
    form = MeetingForm(request.POST or None, places=district_places(district))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                district=district,
                kind=data["kind"],
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                place_url=data["place_url"],
                video_url=data["video_url"],
                agenda=form.cleaned_agenda(),
                created_by=signed_in_user(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The meeting has been scheduled and the convocation sent."))
            return redirect("platform_app:meeting-detail", pk=meeting.pk)
    return render(request, "platform_app/meeting_form.html", {"form": form, "meeting": None})


@login_required
@single_submission
def meeting_series(request: HttpRequest) -> HttpResponse:
    district = district_for(request.user, "platform_app.add_meeting")
    form = MeetingSeriesForm(request.POST or None, places=district_places(district))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meetings = services.meeting_plan_series(
                district=district,
                first_starts_at=data["first_starts_at"],
                duration=form.duration,
                count=data["count"],
                title=data["title"],
                place=data["place"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                place_url=data["place_url"],
                agenda=form.cleaned_agenda(),
                created_by=signed_in_user(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(count)d monthly meetings have been planned.") % {"count": len(meetings)},
            )
            return redirect("platform_app:meeting-list")
    return render(request, "platform_app/meeting_series_form.html", {"form": form})


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require(request, "platform_app.change_meeting", meeting.district)
    initial = {
        field: getattr(meeting, field)
        for field in (
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "latitude",
            "longitude",
            "place_url",
            "video_url",
        )
    }
    initial["starts_at"] = timezone.localtime(meeting.starts_at)
    initial["ends_at"] = timezone.localtime(meeting.ends_at)
    form = MeetingForm(
        request.POST or None, initial=initial, places=district_places(meeting.district)
    )
    form.fields["agenda"].widget = form.fields["agenda"].hidden_widget()
    if request.method == "POST":
        if "cancel_meeting" in request.POST:
            services.meeting_cancel(meeting=meeting)
            messages.success(request, _("The meeting has been cancelled and members notified."))
            return redirect("platform_app:meeting-detail", pk=meeting.pk)
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "agenda"}
            try:
                services.meeting_update(meeting=meeting, changes=changes)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The meeting has been updated."))
                return redirect("platform_app:meeting-detail", pk=meeting.pk)
    return render(request, "platform_app/meeting_form.html", {"form": form, "meeting": meeting})


def _meeting_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    items = meeting.agenda_items.select_related("carried_agreement").prefetch_related(
        Prefetch("agreements", queryset=Agreement.objects.for_list()), "votes"
    )
    previous = (
        Meeting.objects.filter(
            district=meeting.district,
            status=Meeting.Status.HELD,
            starts_at__lt=meeting.starts_at,
            minutes_approved_in__isnull=True,
        )
        .order_by("-starts_at")
        .first()
    )
    return {
        "meeting": meeting,
        "items": items,
        "files": meeting.files.all(),
        "previous_unapproved": previous,
        "summary": _attendance_summary(meeting),
        "can_manage": can(request.user, "platform_app.change_meeting", meeting.district),
        "can_open_vote": meeting.status != Meeting.Status.CANCELLED
        and can(request.user, "platform_app.add_vote", meeting.district),
        "can_invite_organizations": can(
            request.user, "platform_app.view_organizationinvitation", meeting.district
        ),
        "call_counts": (
            call_counts(meeting=meeting)
            if can(request.user, "platform_app.view_call", meeting.district)
            else None
        ),
    }


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    context = _meeting_context(request, meeting)
    context["file_form"] = MeetingFileForm()
    return render(request, "platform_app/meeting_detail.html", context)


@login_required
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    response = HttpResponse(
        calendars.meeting_ics(meeting), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="reunion-{meeting.pk}.ics"'
    return response


@login_required
@require_POST
@single_submission
def meeting_file_upload(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require(request, "platform_app.add_meetingfile", meeting.district)
    form = MeetingFileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.save(commit=False)
        upload.meeting = meeting
        upload.size = upload.file.size
        upload.original_name = original_name_of(form.cleaned_data["file"])
        upload.uploaded_by = signed_in_user(request)
        upload.save()
        messages.success(request, _("The file has been added."))
        return redirect("platform_app:meeting-detail", pk=meeting.pk)
    context = _meeting_context(request, meeting)
    context["file_form"] = form
    return render(request, "platform_app/meeting_detail.html", context, status=400)


def meeting_file_download(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    """A meeting's file, for whoever may see the meeting's page; 404 for anyone else, the
    anonymous included (a login redirect would tell them the file exists)."""
    meeting = _meeting(request, pk)
    meeting_file = get_object_or_404(MeetingFile, meeting=meeting, pk=file_pk)
    return serve_private(
        request, meeting_file.file, download_name=meeting_file.original_name or meeting_file.title
    )


def _attendance_summary(meeting: Meeting) -> dict[str, Any]:
    """Present members by stakeholder sector and the district's quorum rule applied to them
    (three queries)."""
    rows = dict(
        Attendance.objects.filter(meeting=meeting)
        .values_list("member__sector")
        .annotate(n=Count("pk", filter=Q(present=True)))
        .values_list("member__sector", "n")
    )
    expected = Attendance.objects.filter(meeting=meeting).count()
    present = sum(rows.values())
    config = services.platform_settings_get(district=meeting.district)
    return {
        "by_sector": [(label, rows.get(value, 0)) for value, label in StakeholderSector.choices],
        "present": present,
        "expected": expected,
        "quorum": config.quorum(
            present=present,
            expected=expected,
            sectors_present=sum(1 for count in rows.values() if count),
        ),
    }


@login_required
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    may_take = can(request.user, "platform_app.change_attendance", meeting.district)
    if may_take and meeting.status != Meeting.Status.CANCELLED:
        services.attendance_sheet_open(meeting=meeting)
    sheet = meeting.attendances.select_related("member__user", "member__organization").order_by(
        "member__sector", "member__user__first_name", "member__user__last_name"
    )
    return render(
        request,
        "platform_app/meeting_attendance.html",
        {
            "meeting": meeting,
            "sheet": sheet,
            "summary": _attendance_summary(meeting),
            "may_take": may_take,
        },
    )


@login_required
@require_POST
def attendance_toggle(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require(request, "platform_app.change_attendance", meeting.district)
    member = get_object_or_404(Member, pk=member_pk, district=meeting.district)
    attendance = services.attendance_set(
        meeting=meeting, member=member, present=request.POST.get("present") == "1"
    )
    if not getattr(request, "htmx", False):
        return redirect("platform_app:meeting-attendance", pk=meeting.pk)
    attendance.member = member
    return render(
        request,
        "platform_app/_attendance_row.html",
        {
            "meeting": meeting,
            "row": attendance,
            "summary": _attendance_summary(meeting),
            "may_take": True,
            "oob": True,
        },
    )


def _minutes_page(
    request: HttpRequest, meeting: Meeting, *, agreement_form: AgreementForm | None = None
) -> HttpResponse:
    """The minutes page; an agreement form that failed is shown again under its item."""
    context = _meeting_context(request, meeting)
    forms_by_item = []
    for item in context["items"]:
        item_agreement_form = (
            agreement_form
            if agreement_form is not None and agreement_form.prefix == f"a{item.pk}"
            else AgreementForm(district=meeting.district, prefix=f"a{item.pk}")
        )
        forms_by_item.append(
            (
                item,
                MinutesForm(initial={"minutes": item.minutes}, auto_id=f"id_minutes_{item.pk}"),
                item_agreement_form,
            )
        )
    context["forms_by_item"] = forms_by_item
    context["agenda_form"] = AgendaItemForm()
    return render(request, "platform_app/meeting_minutes.html", context)


def _minutes_item(request: HttpRequest, pk: int, item_pk: int, perm: str) -> AgendaItem:
    meeting = _meeting(request, pk)
    _require(request, perm, meeting.district)
    return get_object_or_404(
        AgendaItem.objects.select_related("meeting"), pk=item_pk, meeting=meeting
    )


@login_required
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """Minutes per agenda item and the agreements recorded in them (coordinators write).

    Each thing done on the page posts to its own view below, with its own permission.
    """
    meeting = _meeting(request, pk)
    _require(request, "platform_app.change_meeting", meeting.district)
    return _minutes_page(request, meeting)


@login_required
@require_POST
@single_submission
def minutes_item_save(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _minutes_item(request, pk, item_pk, "platform_app.change_agendaitem")
    form = MinutesForm(request.POST)
    if form.is_valid():
        services.agenda_item_minutes_save(item=item, minutes=form.cleaned_data["minutes"])
        messages.success(request, _("Minutes saved."))
    minutes_url = reverse("platform_app:meeting-minutes", args=[pk])
    return redirect(f"{minutes_url}#item-{item.pk}")


@login_required
@require_POST
@single_submission
def minutes_agreement_record(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _minutes_item(request, pk, item_pk, "platform_app.add_agreement")
    meeting = item.meeting
    form = AgreementForm(request.POST, district=meeting.district, prefix=f"a{item.pk}")
    if not form.is_valid():
        return _minutes_page(request, meeting, agreement_form=form)
    data = form.cleaned_data
    services.agreement_record(
        agenda_item=item,
        description=data["description"],
        responsible=list(data["responsible"]),
        due_date=data["due_date"],
        axis=data["axis"],
        user=signed_in_user(request),
    )
    messages.success(request, _("Agreement recorded."))
    minutes_url = reverse("platform_app:meeting-minutes", args=[pk])
    return redirect(f"{minutes_url}#item-{item.pk}")


@login_required
@require_POST
@single_submission
def minutes_agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require(request, "platform_app.add_agendaitem", meeting.district)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        services.agenda_item_add(meeting=meeting, title=form.cleaned_data["title"])
    return redirect("platform_app:meeting-minutes", pk=meeting.pk)


@login_required
@require_POST
@single_submission
def meeting_held(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require(request, "platform_app.change_meeting", meeting.district)
    services.meeting_mark_held(meeting=meeting)
    messages.success(request, _("The meeting has been closed as held."))
    return redirect("platform_app:meeting-detail", pk=meeting.pk)


@login_required
@require_POST
@single_submission
def minutes_previous_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """This meeting approves the minutes of the previous one of its district."""
    meeting = _meeting(request, pk)
    _require(request, "platform_app.change_meeting", meeting.district)
    previous = get_object_or_404(
        Meeting.objects.filter(district=meeting.district), pk=request.POST.get("previous")
    )
    try:
        services.meeting_minutes_approve(meeting=previous, approved_in=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The minutes of the previous meeting are approved."))
    return redirect("platform_app:meeting-minutes", pk=meeting.pk)


# --- agreements ----------------------------------------------------------------------------


@login_required
def agreement_board(request: HttpRequest) -> HttpResponse:
    district = district_for(request.user, "platform_app.view_agreement")
    members = Member.objects.filter(district=district).select_related("user")
    meetings = Meeting.objects.filter(district=district).order_by("-starts_at")
    form = BoardFilterForm(request.GET or None, members=members, meetings=meetings)
    agreements = Agreement.objects.filter(district=district).for_list().order_by("due_date", "pk")
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            agreements = agreements.filter(status=data["status"])
        if data["responsible"]:
            agreements = agreements.filter(responsible=data["responsible"])
        if data["meeting"]:
            agreements = agreements.filter(agenda_item__meeting=data["meeting"])
        if data["axis"]:
            agreements = agreements.filter(axis=data["axis"])
        if data["overdue"]:
            agreements = agreements.overdue(timezone.localdate())
    page = Paginator(agreements, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "platform_app/agreement_board.html",
        {
            "form": form,
            "page": page,
            "today": timezone.localdate(),
            "title": _("Board of agreements"),
        },
    )


@login_required
def agreement_mine(request: HttpRequest) -> HttpResponse:
    district = district_for(request.user, "platform_app.view_agreement")
    member = _member_of(request.user, district)
    agreements = (
        member.agreements.for_list().order_by("status", "due_date")
        if member
        else Agreement.objects.none()
    )
    return render(
        request,
        "platform_app/agreement_mine.html",
        {"agreements": agreements, "today": timezone.localdate()},
    )


def followup_evidence(request: HttpRequest, pk: int, followup_pk: int) -> HttpResponseBase:
    """A follow-up's evidence file, for whoever may see the agreement's page."""
    agreement = get_object_or_404(Agreement.objects.visible_to(request.user), pk=pk)
    followup = get_object_or_404(
        AgreementFollowUp, agreement=agreement, pk=followup_pk, evidence_file__gt=""
    )
    return serve_private(
        request, followup.evidence_file, download_name=followup.evidence_name or _("evidence")
    )


@login_required
@single_submission
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(
        Agreement.objects.visible_to(request.user).for_list().select_related("district"), pk=pk
    )
    may_follow_up = _may_follow_up(request.user, agreement)
    form = FollowUpForm(
        request.POST or None,
        request.FILES or None,
        initial={"new_status": agreement.status, "progress": agreement.progress},
    )
    if request.method == "POST":
        if not may_follow_up:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.agreement_follow_up(
                    agreement=agreement,
                    user=signed_in_user(request),
                    new_status=data["new_status"],
                    progress=data["progress"],
                    comment=data["comment"],
                    evidence_file=data["evidence_file"],
                    evidence_url=data["evidence_url"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your follow-up has been recorded."))
                return redirect("platform_app:agreement-detail", pk=agreement.pk)
    return render(
        request,
        "platform_app/agreement_detail.html",
        {
            "agreement": agreement,
            "history": agreement.followups.select_related("author"),
            "form": form if may_follow_up else None,
            "today": timezone.localdate(),
        },
    )


def agreement_public(request: HttpRequest, slug: str) -> HttpResponse:
    """The transparency page: agreements without any personal data, only if published."""
    district = get_object_or_404(District, slug=slug)
    agreements = (
        Agreement.objects.published(district)
        .select_related("agenda_item__meeting")
        .prefetch_related("responsible_organizations")
        .order_by("-agenda_item__meeting__starts_at", "pk")
    )
    if (
        not agreements.exists()
        and not services.platform_settings_get(district=district).publish_agreements
    ):
        raise Http404
    page = Paginator(agreements, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "platform_app/agreement_public.html",
        {"district": district, "page": page, "today": timezone.localdate()},
    )


# --- guide of roles and work plan -----------------------------------------------------------


@login_required
@single_submission  # the approval form: a second copy is told it was recorded, not refused
def role_guide(request: HttpRequest) -> HttpResponse:
    district = district_for(request.user, "platform_app.view_roleguideversion")
    versions = RoleGuideVersion.objects.filter(district=district).select_related(
        "approved_in", "proposed_by"
    )
    number = request.GET.get("version")
    guide = None
    if number and number.isdigit():
        guide = versions.filter(number=int(number)).first()
    if guide is None:
        guide = versions.filter(status=RoleGuideVersion.Status.APPROVED).first() or versions.first()
    roles = guide.roles.prefetch_related("holders__member__user") if guide else []
    may_approve = can(request.user, "platform_app.change_roleguideversion", district)
    if request.method == "POST" and guide is not None:
        if not may_approve:
            raise PermissionDenied
        meeting = get_object_or_404(Meeting, pk=request.POST.get("meeting"), district=district)
        try:
            services.role_guide_approve(guide=guide, meeting=meeting)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The new version of the guide is in force."))
        return redirect(f"{reverse('platform_app:role-guide')}?version={guide.number}")
    return render(
        request,
        "platform_app/roleguide_detail.html",
        {
            "guide": guide,
            "roles": roles,
            "versions": versions,
            "may_approve": may_approve
            and guide is not None
            and guide.status == RoleGuideVersion.Status.PROPOSED,
            "meetings": Meeting.objects.filter(district=district)
            .exclude(status=Meeting.Status.CANCELLED)
            .order_by("-starts_at")[:12],
        },
    )


@login_required
@single_submission
def role_guide_propose(request: HttpRequest) -> HttpResponse:
    district = district_for(request.user, "platform_app.add_roleguideversion")
    current = RoleGuideVersion.objects.filter(
        district=district, status=RoleGuideVersion.Status.APPROVED
    ).first()
    initial_roles = (
        [
            {"name": r.name, "functions": r.functions, "responsibilities": r.responsibilities}
            for r in current.roles.all()
        ]
        if current
        else []
    )
    intro = RoleGuideIntroForm(
        request.POST or None, initial={"introduction": current.introduction if current else ""}
    )
    roles = GuideRoleFormSet(request.POST or None, initial=initial_roles, prefix="roles")
    if request.method == "POST" and intro.is_valid() and roles.is_valid():
        guide = services.role_guide_propose(
            district=district,
            user=signed_in_user(request),
            introduction=intro.cleaned_data["introduction"],
            change_summary=intro.cleaned_data["change_summary"],
            roles=[f.cleaned_data for f in roles.forms if f.cleaned_data.get("name")],
        )
        messages.success(request, _("Your proposal has been recorded; a meeting will discuss it."))
        return redirect(f"{reverse('platform_app:role-guide')}?version={guide.number}")
    return render(request, "platform_app/roleguide_form.html", {"intro": intro, "roles": roles})


@login_required
def work_plan(request: HttpRequest) -> HttpResponse:
    district = district_for(request.user, "platform_app.view_objective")
    objectives = Objective.objects.filter(district=district).prefetch_related(
        "activities__responsible__user"
    )
    reportable = Activity.objects.reportable_by(signed_in_user(request)).values_list(
        "pk", flat=True
    )
    return render(
        request,
        "platform_app/workplan_detail.html",
        {
            "objectives": objectives,
            "today": timezone.localdate(),
            "reportable": set(reportable),
            "can_plan": can(request.user, "platform_app.add_objective", district),
            "can_edit_objectives": can(request.user, "platform_app.change_objective", district),
            "can_edit_activities": can(request.user, "platform_app.change_activity", district),
        },
    )


def _work_plan_anchor(anchor: str) -> str:
    return f"{reverse('platform_app:work-plan')}#{anchor}"


@login_required
@single_submission
def objective_create(request: HttpRequest) -> HttpResponse:
    district = district_for(request.user, "platform_app.add_objective")
    form = ObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_create(district=district, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The objective has been added to the work plan."))
            return redirect(_work_plan_anchor(f"objective-{objective.pk}"))
    return render(
        request,
        "platform_app/workplan_form.html",
        {"form": form, "title": _("New objective of the work plan"), "objective": None},
    )


@login_required
@single_submission
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    district = district_for(request.user, "platform_app.add_activity")
    objective = get_object_or_404(Objective.objects.filter(district=district), pk=pk)
    form = ActivityForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.activity_create(
                objective=objective,
                title=data["title"],
                starts_on=data["starts_on"],
                due_on=data["due_on"],
                responsible=list(data["responsible"]),
                weight=data["weight"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The activity has been added to the work plan."))
            return redirect(_work_plan_anchor(f"activity-{activity.pk}"))
    return render(
        request,
        "platform_app/workplan_form.html",
        {"form": form, "title": _("New activity"), "objective": objective},
    )


@login_required
@single_submission
def objective_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # Another district's objective is a 404 (not even its existence is told); a member of
    # the district sees it on the work plan but only coordinators change it (403).
    objective = get_object_or_404(
        Objective.objects.visible_to(request.user).select_related("district"), pk=pk
    )
    _require(request, "platform_app.change_objective", objective.district)
    form = ObjectiveEditForm(
        request.POST or None,
        initial={
            "axis": objective.axis,
            "title": objective.title,
            "description": objective.description,
            "version": objective.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_update(objective=objective, **form.cleaned_data)
        except StaleEdit as exc:
            objective = exc.current
            form.add_error(
                None,
                _(
                    "Someone else changed this objective meanwhile: it is now "
                    "“%(title)s”. Your values are kept below; send them again to replace it."
                )
                % {"title": objective.title},
            )
            carry_current_version(form, request.POST, objective.version)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The objective has been updated."))
            return redirect(_work_plan_anchor(f"objective-{objective.pk}"))
    return render(
        request,
        "platform_app/workplan_form.html",
        {
            "form": form,
            "title": _("Edit the objective"),
            "objective": objective,
            "submit_label": _("Save the changes"),
        },
    )


@login_required
@single_submission
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # Same ladder as objective_edit: 404 outside the district, 403 without change_activity.
    activity = get_object_or_404(
        Activity.objects.visible_to(request.user).select_related("objective__district"), pk=pk
    )
    _require(request, "platform_app.change_activity", activity.objective.district)
    form = ActivityEditForm(
        request.POST or None,
        activity=activity,
        initial={
            "title": activity.title,
            "responsible": list(activity.responsible.all()),
            "starts_on": activity.starts_on,
            "due_on": activity.due_on,
            "weight": activity.weight,
            "version": activity.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.activity_update(
                activity=activity,
                version=data["version"],
                title=data["title"],
                starts_on=data["starts_on"],
                due_on=data["due_on"],
                weight=data["weight"],
                responsible=list(data["responsible"]),
            )
        except StaleEdit as exc:
            current = exc.current
            form.add_error(
                None,
                _(
                    "Someone else changed this activity meanwhile: it now runs from "
                    "%(starts)s to %(due)s with weight %(weight)d, %(status)s at "
                    "%(progress)d %%. Your values are kept below; send them again to "
                    "replace it."
                )
                % {
                    "starts": formats.date_format(current.starts_on, "SHORT_DATE_FORMAT"),
                    "due": formats.date_format(current.due_on, "SHORT_DATE_FORMAT"),
                    "weight": current.weight,
                    "status": current.get_status_display(),
                    "progress": current.progress,
                },
            )
            carry_current_version(form, request.POST, current.version)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The activity has been updated."))
            return redirect(_work_plan_anchor(f"activity-{activity.pk}"))
    return render(
        request,
        "platform_app/workplan_form.html",
        {
            "form": form,
            "title": _("Edit the activity"),
            "objective": activity.objective,
            "submit_label": _("Save the changes"),
        },
    )


@login_required
def activity_report(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(
        Activity.objects.visible_to(request.user)
        .select_related("objective", "updated_by")
        .prefetch_related("responsible__user"),
        pk=pk,
    )
    if not Activity.objects.reportable_by(signed_in_user(request)).filter(pk=pk).exists():
        raise PermissionDenied
    form = ActivityReportForm(
        request.POST or None,
        initial={
            "status": activity.status,
            "progress": activity.progress,
            "version": activity.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_report(
                activity=activity,
                user=signed_in_user(request),
                status=data["status"],
                progress=data["progress"],
                version=data["version"],
            )
        except StaleEdit as exc:
            activity = exc.current
            form.add_error(
                None,
                _(
                    "Someone else reported on this activity meanwhile: it is now "
                    "%(status)s at %(progress)d %%. Your values are kept below; send them "
                    "again to replace it."
                )
                % {"status": activity.get_status_display(), "progress": activity.progress},
            )
            carry_current_version(form, request.POST, activity.version)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The activity's progress has been updated."))
            return redirect(f"{reverse('platform_app:work-plan')}#activity-{activity.pk}")
    return render(
        request, "platform_app/activity_report.html", {"activity": activity, "form": form}
    )


# --- meetings by typology: organizations invited ------------------------------------------------


def _organization_summary(meeting: Meeting) -> dict[str, Any]:
    """Invited and present organizations, present ones by typology (two queries)."""
    invitations = OrganizationInvitation.objects.filter(meeting=meeting)
    rows = dict(
        invitations.filter(present=True)
        .values_list("organization__typology")
        .annotate(n=Count("pk"))
        .values_list("organization__typology", "n")
    )
    return {
        "invited": invitations.count(),
        "present": sum(rows.values()),
        "by_typology": [
            (label, rows[value]) for value, label in Organization.Typology.choices if value in rows
        ],
    }


@login_required
def meeting_organizations(request: HttpRequest, pk: int) -> HttpResponse:
    """Coordinators invite the organizations of a typology or sector and tick who came."""
    meeting = _meeting(request, pk)
    _require(request, "platform_app.view_organizationinvitation", meeting.district)
    form = OrganizationInviteForm(request.POST or None, district=meeting.district)
    if request.method == "POST":
        _require(request, "platform_app.add_organizationinvitation", meeting.district)
        if form.is_valid():
            try:
                result = services.meeting_organizations_invite(
                    meeting=meeting,
                    actor=signed_in_user(request),
                    typology=form.cleaned_data["typology"],
                    sector=form.cleaned_data["sector"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _(
                        "%(invited)d organizations added to the list, %(emails)d invitations "
                        "sent. %(skipped)d matching organizations did not agree to receive "
                        "messages and were not invited."
                    )
                    % {
                        "invited": result.invited,
                        "emails": result.emails,
                        "skipped": result.without_consent,
                    },
                )
                return redirect("platform_app:meeting-organizations", pk=meeting.pk)
    invitations = meeting.organization_invitations.select_related("organization__sector").order_by(
        "organization__typology", "organization__name"
    )
    return render(
        request,
        "platform_app/meeting_organizations.html",
        {
            "meeting": meeting,
            "form": form,
            "invitations": invitations,
            "summary": _organization_summary(meeting),
            "may_take": can(
                request.user,
                "platform_app.change_organizationinvitation",
                meeting.district,
            ),
            "may_call": can(request.user, "platform_app.view_call", meeting.district),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def organization_attendance_toggle(request: HttpRequest, pk: int, org_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require(request, "platform_app.change_organizationinvitation", meeting.district)
    invitation = get_object_or_404(
        OrganizationInvitation.objects.select_related("organization__sector"),
        meeting=meeting,
        organization_id=org_pk,
    )
    invitation = services.organization_attendance_set(
        meeting=meeting,
        organization=invitation.organization,
        present=request.POST.get("present") == "1",
    )
    if not getattr(request, "htmx", False):
        return redirect("platform_app:meeting-organizations", pk=meeting.pk)
    return render(
        request,
        "platform_app/_organization_attendance_row.html",
        {
            "meeting": meeting,
            "row": invitation,
            "summary": _organization_summary(meeting),
            "may_take": True,
            "oob": True,
        },
    )
