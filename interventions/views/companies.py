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
from django.views.decorators.http import require_POST

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
)
from interventions.permissions import (
    get_pledge_document_for_user,
    get_pledge_for_user,
    may_add_company,
    may_add_pledge_document,
    may_change_pledge,
    may_see_company_contacts,
    require_add_company,
    require_add_pledge,
    require_view_pledges,
    user_district,
)
from interventions.services.events import company_representatives_link
from interventions.services.pledges import (
    company_add,
    pledge_create,
    pledge_document_add,
    pledge_set_state,
    pledge_update,
)
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
    district = user_district(request.user)
    companies = Company.objects.in_district(district.pk).with_totals().order_by("name")
    form = CompanyForm()
    if request.method == "POST":
        district = require_add_company(request.user)
        form = CompanyForm(request.POST, request.FILES)
        form.instance.district = district
        if form.is_valid():
            company = company_add(actor=signed_in_user(request), company=form.instance)
            messages.success(request, _("Company “%(name)s” added.") % {"name": company.name})
            return redirect("interventions:company-list")
    return render(
        request,
        "interventions/company_list.html",
        {
            "companies": companies,
            "form": form,
            "coordinates": may_see_company_contacts(request.user, district),
            "may_add": may_add_company(request.user, district),
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
    district = require_view_pledges(request.user)
    pledges = (
        Pledge.objects.visible_to(request.user)
        .with_allocated()
        .select_related("company", "event")
        .order_by("company__name", "-created_at")
    )
    form = PledgeForm(district=district, initial={"rate_date": timezone.localdate()})
    if request.method == "POST":
        district = require_add_pledge(request.user)
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


def _pledge_page(
    request: HttpRequest,
    pledge: Pledge,
    *,
    state_form: PledgeStateForm | None = None,
    edit_form: PledgeEditForm | None = None,
    document_form: PledgeDocumentForm | None = None,
) -> HttpResponse:
    """The pledge's page; a form refused by its action comes back bound, with what was typed
    and each message next to its field."""
    district = pledge.company.district
    return render(
        request,
        "interventions/pledge_detail.html",
        {
            "pledge": pledge,
            "history": pledge.history.select_related("by"),
            "documents": pledge.documents.all(),
            "allocations": pledge.allocations.select_related("item__kit__intervention"),
            "may_change": may_change_pledge(request.user, pledge),
            "may_add_document": may_add_pledge_document(request.user, pledge),
            "state_form": state_form or PledgeStateForm(),
            "document_form": document_form or PledgeDocumentForm(),
            "edit_form": edit_form
            or PledgeEditForm(instance=pledge, district=district, prefix="edit"),
        },
    )


@login_required
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A pledge, its documents, what it finances and its history; coordinators of the
    district change its state and correct its terms, and the company's representatives
    upload documents, each form to its own address below."""
    return _pledge_page(request, get_pledge_for_user(request.user, pk, action="view"))


# Every form of the pledge's page carries a once-token: a correction sent twice (a double
# tap, a retry) would otherwise meet its own first copy as "someone else changed this
# pledge", and a document would be uploaded twice.


@require_POST
@login_required
@single_submission
def pledge_state(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the pledge to another state (confirmed, received, withdrawn...)."""
    pledge = get_pledge_for_user(request.user, pk, action="change")
    form = PledgeStateForm(request.POST)
    if form.is_valid():
        try:
            pledge_set_state(
                pledge=pledge,
                state=form.cleaned_data["state"],
                note=form.cleaned_data["note"],
                by=signed_in_user(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("interventions:pledge-detail", pk=pk)
    return _pledge_page(request, pledge, state_form=form)


@require_POST
@login_required
@single_submission
def pledge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the pledge's terms, refused when someone else changed it meanwhile."""
    pledge = get_pledge_for_user(request.user, pk, action="change")
    # Validated on its own copy of the pledge: the page keeps showing the pledge as it is
    # stored while the typed values wait in the form.
    form = PledgeEditForm(
        request.POST,
        instance=Pledge.objects.get(pk=pk),
        district=pledge.company.district,
        prefix="edit",
    )
    if form.is_valid():
        try:
            pledge_update(
                pledge=pledge,
                fields=form.terms(),
                version=form.cleaned_data["version"],
                note=form.cleaned_data["reason"],
                by=signed_in_user(request),
            )
        except StaleEdit as exc:
            form.add_error(
                None,
                _(
                    "Someone else changed this pledge while you were editing it (see "
                    "its history below). Your values are kept in the form; send them "
                    "again to replace that change."
                ),
            )
            carry_current_version(form, request.POST, exc.current.version)
            pledge = get_pledge_for_user(request.user, pk, action="change")
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Pledge updated."))
            return redirect("interventions:pledge-detail", pk=pk)
    return _pledge_page(request, pledge, edit_form=form)


@require_POST
@login_required
@single_submission
def pledge_document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a document of the pledge (a receipt, the signed letter)."""
    pledge = get_pledge_for_user(request.user, pk, action="add_document")
    form = PledgeDocumentForm(request.POST, request.FILES)
    form.instance.pledge = pledge
    if form.is_valid():
        pledge_document_add(actor=signed_in_user(request), pledge=pledge, document=form.instance)
        return redirect("interventions:pledge-detail", pk=pk)
    return _pledge_page(request, pledge, document_form=form)


def pledge_document_file(request: HttpRequest, pk: int, document_pk: int) -> HttpResponseBase:
    """A pledge's document, for whoever may see the pledge's page (404 for anyone else)."""
    document = get_pledge_document_for_user(request.user, pk, document_pk)
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
