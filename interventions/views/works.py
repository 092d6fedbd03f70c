"""Interventions in public spaces: the list, the page, creation from a proposal, the
management page, status, kits, deliveries, activities, budget and photos."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from interventions.forms import (
    ActivityForm,
    AllocationForm,
    BudgetLineForm,
    DeliveryForm,
    FromProposalForm,
    InterventionForm,
    InterventionPhotoForm,
    InterventionStatusForm,
    KitFromTemplateForm,
    KitItemForm,
)
from interventions.models import (
    Allocation,
    Intervention,
    Kit,
    KitItem,
    MaintenanceGuide,
    Pledge,
)
from interventions.permissions import (
    get_delivery_for_user,
    get_intervention_for_user,
    get_kit_item_for_user,
    may_add_intervention,
    may_manage_intervention,
    require_add_intervention,
)
from interventions.querysets import funding_totals
from interventions.services import pledges as pledges_services
from interventions.services import works as works_services
from santaanita.files import serve_private
from santaanita.once import single_submission
from santaanita.users import signed_in_user

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from festival.models import Proposal
    from mapping.models import PublicSpace
    from platform_app.models import District


# --- Interventions -----------------------------------------------------------------------


def intervention_list(request: HttpRequest) -> HttpResponse:
    interventions = (
        Intervention.objects.public()
        .select_related("district", "public_space", "lead_team", "lead_organization")
        .order_by("district__name", "title")
    )
    district = request.GET.get("distrito")
    if district:
        interventions = interventions.filter(district__slug=district)
    return render(
        request,
        "interventions/intervention_list.html",
        {
            "interventions": interventions,
            "can_add": may_add_intervention(request.user),
        },
    )


def intervention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Public page: plan, activities, before/after and who financed what."""
    intervention = get_object_or_404(
        Intervention.objects.public().select_related(
            "district",
            "public_space",
            "lead_team",
            "lead_organization",
            "survey_before",
            "survey_after",
        ),
        pk=pk,
    )
    items = (
        KitItem.objects.filter(kit__intervention=intervention)
        .with_funding()
        .prefetch_related(
            Prefetch("allocations", queryset=Allocation.objects.select_related("pledge__company"))
        )
    )
    photos = list(intervention.photos.all())
    manage = may_manage_intervention(request.user, intervention)
    return render(
        request,
        "interventions/intervention_detail.html",
        {
            "intervention": intervention,
            "items": items,
            "phases": intervention.phases.all(),
            "milestones": intervention.milestones.all(),
            "activities": intervention.activities.prefetch_related("photos"),
            "before": [p for p in photos if p.moment == "before"],
            "after": [p for p in photos if p.moment == "after"],
            "budget_lines": intervention.budget_lines.all(),
            "totals": funding_totals(intervention_ids=[intervention.pk]),
            "manage": manage,
            "has_guide": MaintenanceGuide.objects.filter(intervention=intervention).exists(),
        },
    )


def _spaces_without_intervention(district: District) -> QuerySet[PublicSpace]:
    from mapping.models import PublicSpace

    return PublicSpace.objects.filter(district=district, intervention__isnull=True).order_by("name")


def _open_proposals(district: District) -> QuerySet[Proposal]:
    from festival.models import Proposal

    return (
        Proposal.objects.filter(
            team__is_outstanding=True,
            public_space__district=district,
            intervention__isnull=True,
            public_space__intervention__isnull=True,
        )
        .select_related("team", "public_space")
        .order_by("team__name")
    )


@login_required
@single_submission
def intervention_create(request: HttpRequest) -> HttpResponse:
    district = require_add_intervention(request.user)
    proposal_form = FromProposalForm(proposals=_open_proposals(district))
    form = InterventionForm(district=district, spaces=_spaces_without_intervention(district))
    if request.method == "POST":
        try:
            if "proposal" in request.POST:
                proposal_form = FromProposalForm(request.POST, proposals=_open_proposals(district))
                if proposal_form.is_valid():
                    intervention = works_services.intervention_create_from_proposal(
                        proposal=proposal_form.cleaned_data["proposal"],
                        by=signed_in_user(request),
                    )
                    return redirect("interventions:intervention-manage", pk=intervention.pk)
            else:
                form = InterventionForm(
                    request.POST, district=district, spaces=_spaces_without_intervention(district)
                )
                if form.is_valid():
                    intervention = works_services.intervention_create(
                        district=district,
                        by=signed_in_user(request),
                        **form.cleaned_data,
                    )
                    return redirect("interventions:intervention-manage", pk=intervention.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "interventions/intervention_create.html",
        {"proposal_form": proposal_form, "form": form},
    )


def _manage_page(
    request: HttpRequest,
    intervention: Intervention,
    status_form: InterventionStatusForm | None,
    **bound_forms: BaseForm,
) -> HttpResponse:
    """The management page; ``bound_forms`` replace the empty ones after a refused send so the
    coordinator sees the error next to the field and keeps what they typed."""
    kit = Kit.objects.filter(intervention=intervention).first()
    items = (
        KitItem.objects.filter(kit__intervention=intervention)
        .with_funding()
        .prefetch_related(
            Prefetch("allocations", queryset=Allocation.objects.select_related("pledge__company")),
            "deliveries",
        )
    )
    pledges = (
        Pledge.objects.visible_to(request.user)
        .filter(company__district=intervention.district)
        .allocatable()
        .with_allocated()
        .filter(remaining_pen__gt=Decimal(0))
        .select_related("company")
        .order_by("company__name")
    )
    return render(
        request,
        "interventions/intervention_manage.html",
        {
            "intervention": intervention,
            "kit": kit,
            "items": items,
            "status_form": status_form or InterventionStatusForm(instance=intervention),
            "template_form": KitFromTemplateForm(district=intervention.district),
            "item_form": KitItemForm(),
            "pledges": list(pledges),
            "activity_form": ActivityForm(),
            "budget_form": BudgetLineForm(),
            "photo_form": InterventionPhotoForm(),
            "activities": intervention.activities.all(),
            **bound_forms,
        },
        status=400 if bound_forms else 200,
    )


@login_required
def intervention_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator's page: status, kit (funding and deliveries), activities, guide."""
    return _manage_page(request, get_intervention_for_user(request.user, pk), status_form=None)


def _back(intervention: Intervention) -> HttpResponseRedirect:
    return redirect("interventions:intervention-manage", pk=intervention.pk)


def _form_errors(request: HttpRequest, form: BaseForm) -> None:
    for errors in form.errors.values():
        # An ErrorList hands out each error's message, already a string.
        for error in errors:
            messages.error(request, str(error))


@require_POST
@login_required
@single_submission
def intervention_status(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = get_intervention_for_user(request.user, pk)
    form = InterventionStatusForm(request.POST, instance=intervention)
    if not form.is_valid():
        # The manage page again, with what was typed and each message next to its field;
        # validating changed the form's instance, so the page reads the stored one again.
        stored = get_intervention_for_user(request.user, pk)
        return _manage_page(request, stored, status_form=form)
    try:
        works_services.intervention_status_update(
            actor=signed_in_user(request), intervention=form.instance
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Intervention updated."))
    return _back(intervention)


@require_POST
@login_required
@single_submission
def kit_from_template(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = get_intervention_for_user(request.user, pk)
    form = KitFromTemplateForm(request.POST, district=intervention.district)
    if form.is_valid():
        works_services.kit_create_from_template(
            actor=signed_in_user(request),
            intervention=intervention,
            template=form.cleaned_data["template"],
        )
        messages.success(request, _("Kit created from the template."))
    else:
        _form_errors(request, form)
    return _back(intervention)


@require_POST
@login_required
@single_submission
def kit_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = get_intervention_for_user(request.user, pk)
    form = KitItemForm(request.POST)
    if form.is_valid():
        works_services.kit_item_add(
            actor=signed_in_user(request), intervention=intervention, item=form.instance
        )
        messages.success(request, _("Item added to the kit."))
    else:
        _form_errors(request, form)
    return _back(intervention)


@require_POST
@login_required
@single_submission
def item_allocate(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = get_kit_item_for_user(request.user, pk, item_pk, action="allocate")
    intervention = item.kit.intervention
    pledges = (
        Pledge.objects.visible_to(request.user)
        .filter(company__district=intervention.district)
        .with_allocated()
    )
    form = AllocationForm(request.POST, pledges=pledges)
    if form.is_valid():
        try:
            pledges_services.pledge_allocate(
                pledge=form.cleaned_data["pledge"],
                item=item,
                amount_pen=form.cleaned_data["amount_pen"],
                by=signed_in_user(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Financing recorded for “%(item)s”.") % {"item": item.name})
    else:
        _form_errors(request, form)
    return _back(intervention)


@login_required
@single_submission
def item_deliver(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Record a delivery signed on the tablet's screen (or a photo of the signed form)."""
    item = get_kit_item_for_user(request.user, pk, item_pk, action="deliver")
    intervention = item.kit.intervention
    form = DeliveryForm(initial={"date": timezone.localdate(), "quantity": item.in_stock})
    if request.method == "POST":
        form = DeliveryForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                works_services.kit_deliver(
                    item=item,
                    quantity=form.cleaned_data["quantity"],
                    date=form.cleaned_data["date"],
                    received_by=form.cleaned_data["received_by"],
                    signature=form.cleaned_data["signature_data"],
                    signed_form=form.cleaned_data["signed_form"] or None,
                    by=signed_in_user(request),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("Delivery of “%(item)s” recorded.") % {"item": item.name}
                )
                return _back(intervention)
    return render(
        request,
        "interventions/delivery_form.html",
        {"intervention": intervention, "item": item, "form": form},
    )


def delivery_file(request: HttpRequest, pk: int, delivery_pk: int, which: str) -> HttpResponseBase:
    """A delivery's signature or photo of the signed form: a neighbour's handwriting, for
    those who manage the intervention (the page that links to it)."""
    delivery = get_delivery_for_user(request.user, pk, delivery_pk)
    stored = {"firma": delivery.signature, "formulario": delivery.signed_form}.get(which)
    if stored is None:
        raise Http404
    return serve_private(request, stored, download_name=f"{which}-{delivery.pk}")


@require_POST
@login_required
@single_submission
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = get_intervention_for_user(request.user, pk)
    form = ActivityForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        works_services.activity_record(
            actor=signed_in_user(request),
            intervention=intervention,
            kind=data["kind"],
            date=data["date"],
            who=data["who"],
            what=data["what"],
            photos=[data["photo"]] if data.get("photo") else [],
        )
        messages.success(request, _("Activity recorded."))
        return _back(intervention)
    return _manage_page(request, intervention, status_form=None, activity_form=form)


@require_POST
@login_required
@single_submission
def budget_add(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = get_intervention_for_user(request.user, pk)
    form = BudgetLineForm(request.POST)
    if form.is_valid():
        works_services.budget_line_add(
            actor=signed_in_user(request), intervention=intervention, line=form.instance
        )
        messages.success(request, _("Budget line added."))
    else:
        _form_errors(request, form)
    return _back(intervention)


@require_POST
@login_required
@single_submission
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = get_intervention_for_user(request.user, pk)
    form = InterventionPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        works_services.intervention_photo_add(
            actor=signed_in_user(request), intervention=intervention, photo=form.instance
        )
        messages.success(request, _("Photo added."))
        return _back(intervention)
    return _manage_page(request, intervention, status_form=None, photo_form=form)
