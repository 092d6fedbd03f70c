"""Companies and their pledges: the list, the public page, and each pledge with its
documents."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from interventions.forms import (
    CompanyForm,
    PledgeDocumentForm,
    PledgeEditForm,
    PledgeForm,
    PledgeStateForm,
)
from interventions.models import (
    Allocation,
    Company,
    Intervention,
    Invitation,
    Pledge,
    PledgeDocument,
)
from interventions.services.events import company_representatives_link
from interventions.services.pledges import (
    company_add,
    pledge_create,
    pledge_document_add,
    pledge_set_state,
    pledge_update,
)
from interventions.views.access import require_perm, user_district
from platform_app.permissions import can
from santaanita.files import serve_private
from santaanita.forms import apply_errors, carry_current_version
from santaanita.once import single_submission
from santaanita.users import signed_in_user
from santaanita.versioned import StaleEdit

# --- Companies and pledges ----------------------------------------------------------------


@single_submission
def company_list(request: HttpRequest) -> HttpResponse:
    """Public, like each company's page and the API: who finances the district's spaces.
    The contact person's name, email and phone are shown to coordinators only."""
    district = user_district(request)
    companies = Company.objects.in_district(district.pk).with_totals().order_by("name")
    form = CompanyForm()
    if request.method == "POST":
        require_perm(request, "interventions.add_company", district)
        form = CompanyForm(request.POST, request.FILES)
        form.instance.district = district
        if form.is_valid():
            company = company_add(company=form.instance)
            messages.success(request, _("Company “%(name)s” added.") % {"name": company.name})
            return redirect("interventions:company-list")
    return render(
        request,
        "interventions/company_list.html",
        {
            "companies": companies,
            "form": form,
            "coordinates": can(request.user, "interventions.view_company", district),
            "may_add": can(request.user, "interventions.add_company", district),
        },
    )


def company_public(request: HttpRequest, pk: int) -> HttpResponse:
    """What a company's pledges financed: items, interventions, parks and their photos."""
    company = get_object_or_404(Company.objects.select_related("district"), pk=pk)
    allocations = (
        Allocation.objects.filter(pledge__company=company)
        .exclude(item__kit__intervention__status=Intervention.Status.CANCELLED)
        .select_related("pledge", "item__kit__intervention__public_space")
        .order_by("item__kit__intervention__title", "item__name")
    )
    interventions: dict[int, dict[str, Any]] = {}
    for allocation in allocations:
        intervention = allocation.item.kit.intervention
        entry = interventions.setdefault(
            intervention.pk, {"intervention": intervention, "allocations": [], "photos": []}
        )
        entry["allocations"].append(allocation)
    from interventions.models import InterventionPhoto

    for photo in InterventionPhoto.objects.filter(intervention_id__in=interventions):
        interventions[photo.intervention_id]["photos"].append(photo)
    totals = Company.objects.filter(pk=company.pk).with_totals().get()
    return render(
        request,
        "interventions/company_public.html",
        {
            "company": company,
            "entries": list(interventions.values()),
            "financed": sum((a.amount_pen for a in allocations), start=0),
            "totals": totals,
        },
    )


@login_required
@single_submission
def pledge_list(request: HttpRequest) -> HttpResponse:
    district = user_district(request)
    require_perm(request, "interventions.view_pledge", district)
    pledges = (
        Pledge.objects.visible_to(request.user)
        .with_allocated()
        .select_related("company", "event")
        .order_by("company__name", "-created_at")
    )
    form = PledgeForm(district=district, initial={"rate_date": timezone.localdate()})
    if request.method == "POST":
        require_perm(request, "interventions.add_pledge", district)
        form = PledgeForm(request.POST, district=district)
        if form.is_valid():
            try:
                pledge_create(by=signed_in_user(request), **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Pledge recorded."))
                return redirect("interventions:pledge-list")
    return render(request, "interventions/pledge_list.html", {"pledges": pledges, "form": form})


def _pledge_for_page(request: HttpRequest, pk: int) -> Pledge:
    """A pledge of the user's district with what is allocated; 404 for anyone else."""
    return get_object_or_404(
        Pledge.objects.visible_to(request.user)
        .with_allocated()
        .select_related("company__district", "event"),
        pk=pk,
    )


@login_required
@single_submission
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A pledge, its documents, what it finances and its history; coordinators of the
    district change its state, correct its terms and upload documents here.

    Every form carries a once-token: a correction sent twice (a double tap, a retry) would
    otherwise meet its own first copy as "someone else changed this pledge", and a
    document would be uploaded twice.
    """
    pledge = _pledge_for_page(request, pk)
    district = pledge.company.district
    state_form = PledgeStateForm()
    document_form = PledgeDocumentForm()
    edit_form = PledgeEditForm(instance=pledge, district=district, prefix="edit")
    may_change = can(request.user, "interventions.change_pledge", district)
    # The company's representatives add its documents (a receipt, the signed letter); the
    # terms and the state stay with the coordinators.
    may_add_document = (
        may_change
        or Company.objects.represented_by(request.user).filter(pk=pledge.company_id).exists()
    )
    if request.method == "POST":
        adds_document = "state" not in request.POST and "edit-version" not in request.POST
        if not (may_change or (adds_document and may_add_document)):
            raise PermissionDenied
        if "state" in request.POST:
            state_form = PledgeStateForm(request.POST)
            if state_form.is_valid():
                try:
                    pledge_set_state(
                        pledge=pledge,
                        state=state_form.cleaned_data["state"],
                        note=state_form.cleaned_data["note"],
                        by=signed_in_user(request),
                    )
                except ValidationError as exc:
                    state_form.add_error(None, exc)
                else:
                    return redirect("interventions:pledge-detail", pk=pk)
        elif "edit-version" in request.POST:
            # Validated on its own copy of the pledge: the page above keeps showing the
            # pledge as it is stored while the typed values wait in the form.
            edit_form = PledgeEditForm(
                request.POST, instance=Pledge.objects.get(pk=pk), district=district, prefix="edit"
            )
            if edit_form.is_valid():
                try:
                    pledge_update(
                        pledge=pledge,
                        fields=edit_form.terms(),
                        version=edit_form.cleaned_data["version"],
                        note=edit_form.cleaned_data["reason"],
                        by=signed_in_user(request),
                    )
                except StaleEdit as exc:
                    edit_form.add_error(
                        None,
                        _(
                            "Someone else changed this pledge while you were editing it (see "
                            "its history below). Your values are kept in the form; send them "
                            "again to replace that change."
                        ),
                    )
                    carry_current_version(edit_form, request.POST, exc.current.version)
                    pledge = _pledge_for_page(request, pk)
                except ValidationError as exc:
                    apply_errors(edit_form, exc)
                else:
                    messages.success(request, _("Pledge updated."))
                    return redirect("interventions:pledge-detail", pk=pk)
        else:
            document_form = PledgeDocumentForm(request.POST, request.FILES)
            document_form.instance.pledge = pledge
            if document_form.is_valid():
                pledge_document_add(pledge=pledge, document=document_form.instance)
                return redirect("interventions:pledge-detail", pk=pk)
    return render(
        request,
        "interventions/pledge_detail.html",
        {
            "pledge": pledge,
            "history": pledge.history.select_related("by"),
            "documents": pledge.documents.all(),
            "allocations": pledge.allocations.select_related("item__kit__intervention"),
            "may_change": may_change,
            "may_add_document": may_add_document,
            "state_form": state_form,
            "document_form": document_form,
            "edit_form": edit_form,
        },
    )


def pledge_document_file(request: HttpRequest, pk: int, document_pk: int) -> HttpResponseBase:
    """A pledge's document, for whoever may see the pledge's page (404 for anyone else)."""
    pledge = get_object_or_404(Pledge.objects.visible_to(request.user), pk=pk)
    document = get_object_or_404(PledgeDocument, pledge=pledge, pk=document_pk)
    return serve_private(
        request, document.file, download_name=document.original_name or document.get_kind_display()
    )


# --- A company's own space --------------------------------------------------------------


@login_required
def company_mine(request: HttpRequest) -> HttpResponse:
    """The companies a representative acts for: their pledges and open invitations."""
    user = signed_in_user(request)
    company_representatives_link(user=user)
    companies = list(Company.objects.represented_by(user).order_by("name"))
    if not companies:
        raise PermissionDenied
    pledges = (
        Pledge.objects.represented_by(user)
        .with_allocated()
        .select_related("company", "event")
        .order_by("company__name", "-created_at")
    )
    invitations = (
        Invitation.objects.answerable_by(user)
        .filter(event__date__gte=timezone.localdate())
        .select_related("company", "event")
        .order_by("event__date")
    )
    return render(
        request,
        "interventions/company_mine.html",
        {"companies": companies, "pledges": pledges, "invitations": invitations},
    )
