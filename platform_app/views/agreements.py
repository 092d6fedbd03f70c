"""Agreements: the board, the member's own, follow-up with evidence, and the public page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from platform_app.meeting_forms import (
    BoardFilterForm,
    FollowUpForm,
)
from platform_app.models import (
    Agreement,
    AgreementFollowUp,
    District,
    Meeting,
    Member,
)
from platform_app.permissions import (
    get_agreement_for_user,
    may_follow_up_agreement,
    require_work,
)
from platform_app.services import agreements as agreements_services
from platform_app.services import places as places_services
from santaanita.files import serve_private
from santaanita.once import single_submission
from santaanita.users import signed_in_user

# --- agreements ----------------------------------------------------------------------------


@login_required
def agreement_board(request: HttpRequest) -> HttpResponse:
    district = require_work(request.user, "view_agreements")
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
    district = require_work(request.user, "view_agreements")
    member = Member.objects.filter(user=signed_in_user(request), district=district).first()
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
    agreement = get_agreement_for_user(request.user, pk, action="view")
    followup = get_object_or_404(
        AgreementFollowUp, agreement=agreement, pk=followup_pk, evidence_file__gt=""
    )
    return serve_private(
        request, followup.evidence_file, download_name=followup.evidence_name or _("evidence")
    )


@login_required
@single_submission
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Everyone who sees the agreement reads its history; only a follow-up is refused (403).
    agreement = get_agreement_for_user(
        request.user, pk, action="follow_up" if request.method == "POST" else "view"
    )
    may_follow_up = may_follow_up_agreement(request.user, agreement)
    form = FollowUpForm(
        request.POST or None,
        request.FILES or None,
        initial={"new_status": agreement.status, "progress": agreement.progress},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreements_services.agreement_follow_up(
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
        and not places_services.platform_settings_get(district=district).publish_agreements
    ):
        raise Http404
    page = Paginator(agreements, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "platform_app/agreement_public.html",
        {"district": district, "page": page, "today": timezone.localdate()},
    )
