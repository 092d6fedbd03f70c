"""Meetings: list, planning (single and series), the meeting page, files, attendance,
minutes, and invitations to organizations by typology."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from platform_app import calendars
from platform_app.calls.services import call_counts
from platform_app.meeting_forms import (
    AgendaItemForm,
    AgreementForm,
    MeetingFileForm,
    MeetingForm,
    MeetingSeriesForm,
    MinutesForm,
    OrganizationInviteForm,
)
from platform_app.models import (
    AgendaItem,
    Agreement,
    Attendance,
    Meeting,
    MeetingFile,
    Member,
    Organization,
    OrganizationInvitation,
    StakeholderSector,
)
from platform_app.permissions import (
    MeetingAction,
    get_meeting_for_user,
    may_act_on_meeting,
    may_work,
    require_work,
)
from platform_app.places import district_places
from platform_app.services import agreements as agreements_services
from platform_app.services import meetings as meetings_services
from platform_app.services import places as places_services
from santaanita.files import original_name_of, serve_private
from santaanita.once import single_submission
from santaanita.users import signed_in_user

# --- meetings ------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    district = require_work(request.user, "view_meetings")
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
            "can_manage": may_work(request.user, district, "plan_meetings"),
        },
    )


@login_required
@single_submission
def meeting_create(request: HttpRequest) -> HttpResponse:
    district = require_work(request.user, "plan_meetings")
    form = MeetingForm(request.POST or None, places=district_places(district))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = meetings_services.meeting_create(
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
    district = require_work(request.user, "plan_meetings")
    form = MeetingSeriesForm(request.POST or None, places=district_places(district))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meetings = meetings_services.meeting_plan_series(
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
    meeting = get_meeting_for_user(request.user, pk, action="change")
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
            meetings_services.meeting_cancel(meeting=meeting, actor=signed_in_user(request))
            messages.success(request, _("The meeting has been cancelled and members notified."))
            return redirect("platform_app:meeting-detail", pk=meeting.pk)
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "agenda"}
            try:
                meetings_services.meeting_update(
                    meeting=meeting, actor=signed_in_user(request), changes=changes
                )
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
        "can_manage": may_act_on_meeting(request.user, meeting, "change"),
        "can_open_vote": meeting.status != Meeting.Status.CANCELLED
        and may_act_on_meeting(request.user, meeting, "open_vote"),
        "can_invite_organizations": may_act_on_meeting(request.user, meeting, "view_invitations"),
        "call_counts": (
            call_counts(meeting=meeting)
            if may_act_on_meeting(request.user, meeting, "view_calls")
            else None
        ),
    }


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, action="view")
    context = _meeting_context(request, meeting)
    context["file_form"] = MeetingFileForm()
    return render(request, "platform_app/meeting_detail.html", context)


@login_required
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, action="view")
    response = HttpResponse(
        calendars.meeting_ics(meeting), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="reunion-{meeting.pk}.ics"'
    return response


@login_required
@require_POST
@single_submission
def meeting_file_upload(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, action="add_file")
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
    meeting = get_meeting_for_user(request.user, pk, action="view")
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
    config = places_services.platform_settings_get(district=meeting.district)
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
    meeting = get_meeting_for_user(request.user, pk, action="view")
    may_take = may_act_on_meeting(request.user, meeting, "take_attendance")
    if may_take and meeting.status != Meeting.Status.CANCELLED:
        meetings_services.attendance_sheet_open(meeting=meeting)
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
    meeting = get_meeting_for_user(request.user, pk, action="take_attendance")
    member = get_object_or_404(Member, pk=member_pk, district=meeting.district)
    attendance = meetings_services.attendance_set(
        meeting=meeting,
        member=member,
        present=request.POST.get("present") == "1",
        actor=signed_in_user(request),
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


def _minutes_item(request: HttpRequest, pk: int, item_pk: int, action: MeetingAction) -> AgendaItem:
    meeting = get_meeting_for_user(request.user, pk, action=action)
    return get_object_or_404(
        AgendaItem.objects.select_related("meeting"), pk=item_pk, meeting=meeting
    )


@login_required
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """Minutes per agenda item and the agreements recorded in them (coordinators write).

    Each thing done on the page posts to its own view below, with its own permission.
    """
    meeting = get_meeting_for_user(request.user, pk, action="change")
    return _minutes_page(request, meeting)


@login_required
@require_POST
@single_submission
def minutes_item_save(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _minutes_item(request, pk, item_pk, "write_minutes")
    form = MinutesForm(request.POST)
    if form.is_valid():
        meetings_services.agenda_item_minutes_save(
            item=item, actor=signed_in_user(request), minutes=form.cleaned_data["minutes"]
        )
        messages.success(request, _("Minutes saved."))
    minutes_url = reverse("platform_app:meeting-minutes", args=[pk])
    return redirect(f"{minutes_url}#item-{item.pk}")


@login_required
@require_POST
@single_submission
def minutes_agreement_record(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _minutes_item(request, pk, item_pk, "record_agreement")
    meeting = item.meeting
    form = AgreementForm(request.POST, district=meeting.district, prefix=f"a{item.pk}")
    if not form.is_valid():
        return _minutes_page(request, meeting, agreement_form=form)
    data = form.cleaned_data
    agreements_services.agreement_record(
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
    meeting = get_meeting_for_user(request.user, pk, action="add_agenda_item")
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        meetings_services.agenda_item_add(
            meeting=meeting, actor=signed_in_user(request), title=form.cleaned_data["title"]
        )
    return redirect("platform_app:meeting-minutes", pk=meeting.pk)


@login_required
@require_POST
@single_submission
def meeting_held(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, action="change")
    meetings_services.meeting_mark_held(meeting=meeting, actor=signed_in_user(request))
    messages.success(request, _("The meeting has been closed as held."))
    return redirect("platform_app:meeting-detail", pk=meeting.pk)


@login_required
@require_POST
@single_submission
def minutes_previous_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """This meeting approves the minutes of the previous one of its district."""
    meeting = get_meeting_for_user(request.user, pk, action="change")
    previous = get_object_or_404(
        Meeting.objects.filter(district=meeting.district), pk=request.POST.get("previous")
    )
    try:
        meetings_services.meeting_minutes_approve(
            meeting=previous, approved_in=meeting, actor=signed_in_user(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The minutes of the previous meeting are approved."))
    return redirect("platform_app:meeting-minutes", pk=meeting.pk)


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
    meeting = get_meeting_for_user(request.user, pk, action="view_invitations")
    form = OrganizationInviteForm(request.POST or None, district=meeting.district)
    if request.method == "POST":
        if not may_act_on_meeting(request.user, meeting, "invite"):
            raise PermissionDenied
        if form.is_valid():
            try:
                result = meetings_services.meeting_organizations_invite(
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
            "may_take": may_act_on_meeting(request.user, meeting, "take_organization_attendance"),
            "may_call": may_act_on_meeting(request.user, meeting, "view_calls"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def organization_attendance_toggle(request: HttpRequest, pk: int, org_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, action="take_organization_attendance")
    invitation = get_object_or_404(
        OrganizationInvitation.objects.select_related("organization__sector"),
        meeting=meeting,
        organization_id=org_pk,
    )
    invitation = meetings_services.organization_attendance_set(
        meeting=meeting,
        organization=invitation.organization,
        present=request.POST.get("present") == "1",
        actor=signed_in_user(request),
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
