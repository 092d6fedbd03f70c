"""Pages of interventions: thin views over the services and querysets.

Public pages (companies' transparency pages, interventions, guides, the results dashboard)
show no personal data. Management pages ask ``can(user, perm, district)``: an object of
another district is a 404 for management (it exists publicly, but not to be changed
there), a visible object without the permission is a 403.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from interventions import services
from interventions.dashboard import CACHE_SECONDS, RESULTS_PAGES
from interventions.forms import (
    ActivityForm,
    AllocationForm,
    BudgetLineForm,
    CompanyForm,
    DeliveryForm,
    FromProposalForm,
    FundraisingEventEditForm,
    FundraisingEventForm,
    GuideForm,
    InterventionForm,
    InterventionPhotoForm,
    InterventionStatusForm,
    InvitationAnswerFormSet,
    InviteCompaniesForm,
    KitFromTemplateForm,
    KitItemForm,
    MaintenanceTaskForm,
    PledgeDocumentForm,
    PledgeEditForm,
    PledgeForm,
    PledgeStateForm,
)
from interventions.models import (
    Allocation,
    Company,
    FundraisingEvent,
    Intervention,
    Kit,
    KitDelivery,
    KitItem,
    MaintenanceGuide,
    Pledge,
    PledgeDocument,
)
from interventions.querysets import funding_totals
from platform_app.permissions import can
from santaanita.files import serve_private
from santaanita.forms import apply_errors, carry_current_version
from santaanita.once import single_submission
from santaanita.page_cache import kept_page
from santaanita.users import signed_in_user

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from festival.models import Proposal
    from mapping.models import PublicSpace
    from platform_app.models import District


def _require(request: HttpRequest, perm: str, district: District | None = None) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied
    if not can(request.user, perm, district):
        raise PermissionDenied


def _managed_intervention(request: HttpRequest, pk: int) -> Intervention:
    """The intervention to change: 404 outside the user's district, 403 without the role."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    intervention = get_object_or_404(
        Intervention.objects.select_related("district", "public_space"), pk=pk
    )
    if not request.user.is_superuser and request.user.district_id != intervention.district_id:
        raise Http404
    _require(request, "interventions.change_intervention", intervention.district)
    return intervention


def _user_district(request: HttpRequest) -> District:
    from django.conf import settings

    from platform_app.models import District

    district = getattr(request.user, "district", None)
    return district or District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)


# --- Companies and pledges ----------------------------------------------------------------


@single_submission
def company_list(request: HttpRequest) -> HttpResponse:
    """Public, like each company's page and the API: who finances the district's spaces.
    The contact person's name, email and phone are shown to coordinators only."""
    district = _user_district(request)
    companies = Company.objects.in_district(district.pk).with_totals().order_by("name")
    form = CompanyForm()
    if request.method == "POST":
        _require(request, "interventions.add_company", district)
        form = CompanyForm(request.POST, request.FILES)
        form.instance.district = district
        if form.is_valid():
            company = form.save()
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
        .exclude(item__kit__intervention__status="cancelled")
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
    district = _user_district(request)
    _require(request, "interventions.view_pledge", district)
    pledges = (
        Pledge.objects.visible_to(request.user)
        .with_allocated()
        .select_related("company", "event")
        .order_by("company__name", "-created_at")
    )
    form = PledgeForm(district=district, initial={"rate_date": timezone.localdate()})
    if request.method == "POST":
        _require(request, "interventions.add_pledge", district)
        form = PledgeForm(request.POST, district=district)
        if form.is_valid():
            try:
                services.pledge_create(by=signed_in_user(request), **form.cleaned_data)
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
    if request.method == "POST":
        _require(request, "interventions.change_pledge", district)
        if "state" in request.POST:
            state_form = PledgeStateForm(request.POST)
            if state_form.is_valid():
                try:
                    services.pledge_set_state(
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
                    services.pledge_update(
                        pledge=pledge,
                        fields=edit_form.terms(),
                        version=edit_form.cleaned_data["version"],
                        note=edit_form.cleaned_data["reason"],
                        by=signed_in_user(request),
                    )
                except services.StalePledgeError as exc:
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
                document_form.save()
                return redirect("interventions:pledge-detail", pk=pk)
    return render(
        request,
        "interventions/pledge_detail.html",
        {
            "pledge": pledge,
            "history": pledge.history.select_related("by"),
            "documents": pledge.documents.all(),
            "allocations": pledge.allocations.select_related("item__kit__intervention"),
            "may_change": can(request.user, "interventions.change_pledge", district),
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
    district = _user_district(request)
    _require(request, "interventions.view_fundraisingevent", district)
    events = (
        FundraisingEvent.objects.visible_to(request.user)
        .filter(district=district)
        .with_counts()
        .order_by("-date", "-pk")
    )
    form = FundraisingEventForm()
    if request.method == "POST":
        _require(request, "interventions.add_fundraisingevent", district)
        form = FundraisingEventForm(request.POST)
        if form.is_valid():
            try:
                event = services.event_create(district=district, **form.cleaned_data)
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
            _require(request, "interventions.change_fundraisingevent", event.district)
            # Validated on its own copy of the event: the page above keeps showing the event
            # as it is stored while the typed values wait in the form.
            edit_form = FundraisingEventEditForm(
                request.POST, instance=FundraisingEvent.objects.get(pk=pk), prefix="edit"
            )
            if edit_form.is_valid():
                try:
                    updated = services.event_update(
                        event=event,
                        version=edit_form.cleaned_data["version"],
                        **edit_form.details(),
                    )
                except services.StaleEventError as exc:
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
            _require(request, "interventions.change_invitation", event.district)
            formset = InvitationAnswerFormSet(request.POST, queryset=invitations, prefix="answers")
            if formset.is_valid():
                answers = [
                    services.InvitationAnswer(
                        invitation_id=form.instance.pk,
                        status=form.cleaned_data["status"],
                        attended=form.cleaned_data["attended"],
                    )
                    for form in formset.forms
                    if form.has_changed()
                ]
                try:
                    changed = services.event_attendance_record(event=event, answers=answers)
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
            _require(request, "interventions.add_invitation", event.district)
            invite_form = InviteCompaniesForm(request.POST, companies=uninvited, prefix="invite")
            if invite_form.is_valid():
                try:
                    invited = services.event_invite(
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
        },
    )


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
            "can_add": can(request.user, "interventions.add_intervention"),
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
    manage = can(request.user, "interventions.change_intervention", intervention.district)
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
    district = _user_district(request)
    _require(request, "interventions.add_intervention", district)
    proposal_form = FromProposalForm(proposals=_open_proposals(district))
    form = InterventionForm(district=district, spaces=_spaces_without_intervention(district))
    if request.method == "POST":
        try:
            if "proposal" in request.POST:
                proposal_form = FromProposalForm(request.POST, proposals=_open_proposals(district))
                if proposal_form.is_valid():
                    intervention = services.intervention_create_from_proposal(
                        proposal=proposal_form.cleaned_data["proposal"],
                        by=signed_in_user(request),
                    )
                    return redirect("interventions:intervention-manage", pk=intervention.pk)
            else:
                form = InterventionForm(
                    request.POST, district=district, spaces=_spaces_without_intervention(district)
                )
                if form.is_valid():
                    intervention = services.intervention_create(
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
    **bound_forms: Any,
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
    return _manage_page(request, _managed_intervention(request, pk), status_form=None)


def _back(intervention: Intervention) -> HttpResponseRedirect:
    return redirect("interventions:intervention-manage", pk=intervention.pk)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
@login_required
@single_submission
def intervention_status(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = _managed_intervention(request, pk)
    form = InterventionStatusForm(request.POST, instance=intervention)
    if not form.is_valid():
        # The manage page again, with what was typed and each message next to its field;
        # validating changed the form's instance, so the page reads the stored one again.
        stored = _managed_intervention(request, pk)
        return _manage_page(request, stored, status_form=form)
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:
        # Another coordinator flagged a large-scale transformation in the meantime.
        messages.error(request, _("This district already has its large-scale transformation."))
    else:
        messages.success(request, _("Intervention updated."))
    return _back(intervention)


@require_POST
@login_required
@single_submission
def kit_from_template(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = _managed_intervention(request, pk)
    form = KitFromTemplateForm(request.POST, district=intervention.district)
    if form.is_valid():
        services.kit_create_from_template(
            intervention=intervention, template=form.cleaned_data["template"]
        )
        messages.success(request, _("Kit created from the template."))
    else:
        _form_errors(request, form)
    return _back(intervention)


@require_POST
@login_required
@single_submission
def kit_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = _managed_intervention(request, pk)
    form = KitItemForm(request.POST)
    if form.is_valid():
        kit, _created = Kit.objects.get_or_create(intervention=intervention)
        form.instance.kit = kit
        form.save()
        messages.success(request, _("Item added to the kit."))
    else:
        _form_errors(request, form)
    return _back(intervention)


def _item(request: HttpRequest, pk: int, item_pk: int) -> tuple[Intervention, KitItem]:
    intervention = _managed_intervention(request, pk)
    item = get_object_or_404(KitItem, pk=item_pk, kit__intervention=intervention)
    return intervention, item


@require_POST
@login_required
@single_submission
def item_allocate(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    intervention, item = _item(request, pk, item_pk)
    _require(request, "interventions.add_allocation", intervention.district)
    pledges = (
        Pledge.objects.visible_to(request.user)
        .filter(company__district=intervention.district)
        .with_allocated()
    )
    form = AllocationForm(request.POST, pledges=pledges)
    if form.is_valid():
        try:
            services.pledge_allocate(
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
    intervention, item = _item(request, pk, item_pk)
    _require(request, "interventions.add_kitdelivery", intervention.district)
    form = DeliveryForm(initial={"date": timezone.localdate(), "quantity": item.in_stock})
    if request.method == "POST":
        form = DeliveryForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.kit_deliver(
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
    intervention = _managed_intervention(request, pk)
    delivery = get_object_or_404(KitDelivery, item__kit__intervention=intervention, pk=delivery_pk)
    stored = {"firma": delivery.signature, "formulario": delivery.signed_form}.get(which)
    if stored is None:
        raise Http404
    return serve_private(request, stored, download_name=f"{which}-{delivery.pk}")


@require_POST
@login_required
@single_submission
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = _managed_intervention(request, pk)
    form = ActivityForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        services.activity_record(
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
    intervention = _managed_intervention(request, pk)
    form = BudgetLineForm(request.POST)
    if form.is_valid():
        form.instance.intervention = intervention
        form.save()
        messages.success(request, _("Budget line added."))
    else:
        _form_errors(request, form)
    return _back(intervention)


@require_POST
@login_required
@single_submission
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = _managed_intervention(request, pk)
    form = InterventionPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        form.instance.intervention = intervention
        form.save()
        messages.success(request, _("Photo added."))
        return _back(intervention)
    return _manage_page(request, intervention, status_form=None, photo_form=form)


# --- Use and maintenance guide -----------------------------------------------------------


def _guide_editor_intervention(request: HttpRequest, pk: int) -> Intervention:
    """The guide is written with the team: the district's coordinators, and the people who
    represent the lead organization or the lead team, may edit it (nobody else)."""
    intervention = get_object_or_404(
        Intervention.objects.select_related(
            "district", "public_space", "lead_organization", "lead_team"
        ),
        pk=pk,
    )
    if can(request.user, "interventions.change_maintenanceguide", intervention.district):
        return intervention
    organization = intervention.lead_organization
    team = intervention.lead_team
    if (organization is not None and organization.is_represented_by(request.user)) or (
        team is not None and team.representative_id == request.user.pk
    ):
        return intervention
    raise PermissionDenied


@login_required
@single_submission
def guide_edit(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = _guide_editor_intervention(request, pk)
    guide = services.guide_build(intervention=intervention)
    form = GuideForm(instance=guide, district=intervention.district)
    task_form = MaintenanceTaskForm()
    if request.method == "POST":
        if "title" in request.POST:
            task_form = MaintenanceTaskForm(request.POST)
            task_form.instance.guide = guide
            if task_form.is_valid():
                task_form.save()
                return redirect("interventions:guide-edit", pk=pk)
        else:
            form = GuideForm(request.POST, instance=guide, district=intervention.district)
            if form.is_valid():
                form.save()
                messages.success(request, _("Guide saved."))
                return redirect("interventions:guide-edit", pk=pk)
    return render(
        request,
        "interventions/guide_edit.html",
        {"intervention": intervention, "guide": guide, "form": form, "task_form": task_form},
    )


def guide_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The booklet, printable from the browser, with a QR code of the space's public page."""
    import segno

    guide = get_object_or_404(
        MaintenanceGuide.objects.select_related(
            "intervention__public_space", "intervention__district", "responsible_organization"
        ).exclude(intervention__status="cancelled"),
        intervention_id=pk,
    )
    space = guide.intervention.public_space
    space_url = request.build_absolute_uri(space.get_absolute_url())
    qr_svg = segno.make(space_url, error="m").svg_inline(scale=4, title=space.name)
    today = timezone.localdate()
    calendar = [(task, task.upcoming(today, count=4)) for task in guide.tasks.filter(active=True)]
    return render(
        request,
        "interventions/guide_print.html",
        {
            "guide": guide,
            "intervention": guide.intervention,
            "space": space,
            "space_url": space_url,
            "qr_svg": qr_svg,
            "calendar": calendar,
        },
    )


# --- Results dashboard -------------------------------------------------------------------


def _dashboard_district(slug: str | None) -> District:
    from django.conf import settings

    from platform_app.models import District, Sector

    # The boundaries (large GeoJSON) are not needed here and cost more than the rest.
    districts = District.objects.defer("boundary").prefetch_related(
        Prefetch("sectors", Sector.objects.defer("boundary"))
    )
    if slug:
        return get_object_or_404(districts, slug=slug)
    return get_object_or_404(districts, ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)


# Anonymous visitors get the kept page, replaced by any write that changes a figure.
@kept_page(generation=RESULTS_PAGES, seconds=CACHE_SECONDS)
def results(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The targets of the founding document for one district. Public; coordinators of the
    district also see the pledges by state (no personal data on either version)."""
    from interventions import dashboard

    district = _dashboard_district(slug)
    figures, sectors = dashboard.cached_district(district)
    coordinator = can(request.user, "interventions.view_pledge", district)
    return render(
        request,
        "interventions/results.html",
        {
            "district": district,
            "figures": figures,
            "targets": figures.targets(),
            "sectors": sectors,
            "pledges_by_state": dashboard.pledges_by_state(district) if coordinator else None,
            "can_edit_references": can(
                request.user, "interventions.change_referencevalue", district
            ),
            "problem_reports": dashboard.problem_reports(district),
        },
    )


@kept_page(generation=RESULTS_PAGES, seconds=CACHE_SECONDS)
def results_compare(request: HttpRequest) -> HttpResponse:
    """The same figures for every district of Lima, side by side."""
    from interventions import dashboard
    from platform_app.models import District

    districts = list(District.objects.order_by("name"))
    figures = dashboard.figures_by_district([d.pk for d in districts])
    rows = [(d, figures[d.pk]) for d in districts]
    return render(request, "interventions/results_compare.html", {"rows": rows})


def results_export(request: HttpRequest, fmt: str, slug: str | None = None) -> HttpResponse:
    from interventions import exports

    district = _dashboard_district(slug)
    return exports.results_response(district=district, fmt=fmt)
