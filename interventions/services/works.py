"""Interventions in public spaces: created (from a festival proposal or by hand) with their
plan, activities, status, kits and their delivery, budget and photos.

The services a coordinator runs take them as ``actor`` and ask ``interventions.permissions``
first (PermissionDenied otherwise); those that record their author (``created_by``,
``recorded_by``) take that person as ``by``, where ``by=None`` is the platform acting on its
own (demo data), which no page or API action passes.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from interventions import permissions
from interventions.models import (
    Activity,
    ActivityPhoto,
    BudgetLine,
    Intervention,
    InterventionPhoto,
    Kit,
    KitDelivery,
    KitItem,
    KitTemplate,
    Milestone,
    Phase,
    PlanPhase,
    add_months,
)
from interventions.perception.services import GENERATION_KEY
from platform_app.models import User
from santaanita.files import IMAGES, ensure_checked
from santaanita.money import to_decimal
from santaanita.page_cache import changes_pages

if TYPE_CHECKING:
    from festival.models import Proposal, Team
    from mapping.models import PublicSpace
    from platform_app.models import District, Organization

# --- Interventions --------------------------------------------------------------------


def _require_manager(actor: User, intervention: Intervention) -> None:
    if not permissions.may_manage_intervention(actor, intervention):
        raise PermissionDenied


def _default_plan(intervention: Intervention, start: date) -> None:
    """Three months: a month of co-design, a month of execution, a month of closing."""
    bounds = [start, add_months(start, 1), add_months(start, 2), add_months(start, 3)]
    titles = {
        Phase.CO_DESIGN: _("Design agreed with the neighbours"),
        Phase.EXECUTION: _("Kit installed"),
        Phase.CLOSING: _("Maintenance guide handed over"),
    }
    for index, phase in enumerate(Phase):
        ends = bounds[index + 1] - timedelta(days=1)
        PlanPhase.objects.create(
            intervention=intervention, phase=phase, starts_on=bounds[index], ends_on=ends
        )
        Milestone.objects.create(
            intervention=intervention, phase=phase, title=titles[phase], due_on=ends
        )


@changes_pages(GENERATION_KEY)
def intervention_create(
    *,
    district: District,
    public_space: PublicSpace,
    title: str,
    by: User | None,
    description: str = "",
    lead_organization: Organization | None = None,
    lead_team: Team | None = None,
    proposal: Proposal | None = None,
    starts_on: date | None = None,
    large_scale: bool = False,
) -> Intervention:
    if by is not None and not permissions.may_add_intervention(by, district):
        raise PermissionDenied
    if public_space.district_id != district.pk:
        raise ValidationError(_("The public space belongs to another district."))
    starts_on = starts_on or timezone.localdate()
    intervention = Intervention(
        district=district,
        public_space=public_space,
        title=title,
        description=description,
        lead_organization=lead_organization,
        lead_team=lead_team,
        proposal=proposal,
        starts_on=starts_on,
        large_scale=large_scale,
        created_by=by,
        survey_before=getattr(public_space, "latest_verified_survey", None),
    )
    intervention.full_clean()
    try:
        with transaction.atomic():
            intervention.save()
            _default_plan(intervention, starts_on)
    except IntegrityError as exc:
        # Two coordinators creating for the same space at once: the unique key decides.
        raise ValidationError(_("This public space already has an intervention.")) from exc
    return intervention


@changes_pages(GENERATION_KEY)
def intervention_create_from_proposal(
    *, proposal: Proposal, by: User | None, starts_on: date | None = None
) -> Intervention:
    """Turn an outstanding festival team's proposal into an intervention it leads."""
    team = proposal.team
    if not team.is_outstanding:
        raise ValidationError(_("Only outstanding teams' proposals become interventions."))
    if Intervention.objects.filter(proposal=proposal).exists():
        raise ValidationError(_("This proposal is already an intervention."))
    space = proposal.public_space
    return intervention_create(
        district=space.district,
        public_space=space,
        title=f"{space.name}: {team.name}",
        description=proposal.what,
        lead_team=team,
        lead_organization=team.organization,
        proposal=proposal,
        by=by,
        starts_on=starts_on,
    )


@changes_pages(GENERATION_KEY)
def activity_record(
    *,
    actor: User,
    intervention: Intervention,
    kind: str,
    date: date,
    who: str,
    what: str,
    photos: list[ContentFile[bytes]] | None = None,
) -> Activity:
    """A workshop or support visit, with its photos (checked here if no form did)."""
    _require_manager(actor, intervention)
    with transaction.atomic():
        activity = Activity.objects.create(
            intervention=intervention, kind=kind, date=date, who=who, what=what
        )
        for photo in photos or []:
            ActivityPhoto.objects.create(
                activity=activity, image=ensure_checked(photo, accept=IMAGES)
            )
    return activity


# --- Kits -----------------------------------------------------------------------------


@changes_pages(GENERATION_KEY)
def intervention_status_update(*, actor: User, intervention: Intervention) -> Intervention:
    """Save the status, progress, survey links and large-scale flag the manage form set.

    A district has one large-scale transformation. The form checks it, but two coordinators
    flagging two interventions at once both pass that check: the partial unique constraint
    decides, and the second is refused here with a ValidationError instead of a 500.
    """
    _require_manager(actor, intervention)
    try:
        with transaction.atomic():
            intervention.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("This district already has its large-scale transformation.")
        ) from exc
    return intervention


@changes_pages(GENERATION_KEY)
def kit_item_add(*, actor: User, intervention: Intervention, item: KitItem) -> KitItem:
    """Add an item typed by hand to the intervention's kit (made on the first item)."""
    _require_manager(actor, intervention)
    with transaction.atomic():
        kit, _created = Kit.objects.get_or_create(intervention=intervention)
        item.kit = kit
        item.save()
    return item


@changes_pages(GENERATION_KEY)
def budget_line_add(*, actor: User, intervention: Intervention, line: BudgetLine) -> BudgetLine:
    _require_manager(actor, intervention)
    line.intervention = intervention
    line.save()
    return line


@changes_pages(GENERATION_KEY)
def intervention_photo_add(
    *, actor: User, intervention: Intervention, photo: InterventionPhoto
) -> InterventionPhoto:
    _require_manager(actor, intervention)
    photo.intervention = intervention
    photo.save()
    return photo


@changes_pages(GENERATION_KEY)
def kit_create_from_template(
    *, actor: User, intervention: Intervention, template: KitTemplate
) -> Kit:
    """Copy the template's items into the intervention's kit (then adjusted by hand)."""
    _require_manager(actor, intervention)
    with transaction.atomic():
        kit, _created = Kit.objects.get_or_create(
            intervention=intervention, defaults={"template": template}
        )
        KitItem.objects.bulk_create(
            KitItem(
                kit=kit,
                name=t.name,
                category=t.category,
                unit=t.unit,
                quantity=t.quantity,
                unit_cost_pen=t.unit_cost_pen,
                care=t.care,
            )
            for t in template.items.all()
        )
    return kit


@changes_pages(GENERATION_KEY)
def kit_deliver(
    *,
    item: KitItem,
    quantity: Decimal,
    date: date,
    received_by: str,
    by: User | None,
    signature: ContentFile[bytes] | None = None,
    signed_form: ContentFile[bytes] | None = None,
) -> KitDelivery:
    """Hand over ``quantity`` of an item, signed. Stock never goes negative.

    The item row is locked before reading its stock, so two deliveries of the last units
    cannot both pass the check; the database constraint (delivered ≤ quantity) is the
    last guard if some other path ever forgets.
    """
    if by is not None and not permissions.may_deliver(by, item.kit.intervention):
        raise PermissionDenied
    quantity = to_decimal(quantity)
    if quantity <= 0:
        raise ValidationError(_("The quantity must be greater than zero."))
    if signature is None and signed_form is None:
        raise ValidationError(_("A delivery needs a signature or a photo of the signed form."))
    with transaction.atomic():
        locked = KitItem.objects.select_for_update().get(pk=item.pk)
        if quantity > locked.in_stock:
            raise ValidationError(
                _("Only %(stock)s %(unit)s of “%(item)s” are left to deliver."),
                params={"stock": locked.in_stock, "unit": locked.unit, "item": locked.name},
            )
        delivery = KitDelivery(
            item=locked, date=date, quantity=quantity, received_by=received_by, recorded_by=by
        )
        if signature is not None:
            delivery.signature = ensure_checked(signature, accept=IMAGES)
        if signed_form is not None:
            delivery.signed_form = ensure_checked(signed_form, accept=IMAGES)
        delivery.save()
        KitItem.objects.filter(pk=locked.pk).update(delivered=F("delivered") + quantity)
    return delivery
