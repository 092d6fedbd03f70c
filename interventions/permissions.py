"""Who may do what with companies, pledges, fundraising events, interventions, kits and
guides: every rule of the app, asked by the views, the API and the services alike.

The rule, the same in every app: rules are the small predicates ``may_<verb>_<noun>``
below, built on ``platform_app.permissions.can``; no other module of the app asks
``can()`` or ``has_perm`` with a permission name (the querysets' ``visible_to`` row scoping
excepted). A view or API action that addresses an object by id fetches it with
``get_<noun>_for_user(user, pk, action=...)``: 404 when the user may not know the object
exists (another district's pledge, event or intervention to manage), 403 when they see it
but the action is not theirs. Pages that act on a district rather than an object ask
``require_<action>(user)``, which answers the district. A service that acts for a person
takes that person as ``actor`` and asks the same predicate first (PermissionDenied
otherwise), so an API write or a task that calls it cannot skip the check; a service the
system runs on its own (reminders, demo data) takes no actor.

The perception survey keeps its rules in ``interventions/perception/permissions.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from interventions.models import (
    Company,
    FundraisingEvent,
    Intervention,
    Invitation,
    KitDelivery,
    KitItem,
    Pledge,
    PledgeDocument,
)
from platform_app.permissions import can

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from platform_app.models import District, User

    AnyUser = User | AnonymousUser


# --- The district a page works in ----------------------------------------------------------


def user_district(user: AnyUser) -> District:
    """The district a page shows: the user's own, or the platform's district for visitors
    and accounts not yet placed in one."""
    from platform_app.models import District

    district: District | None = getattr(user, "district", None)
    return district or District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)


def _require(user: AnyUser, perm: str) -> District:
    district = user_district(user)
    if not can(user, perm, district):
        raise PermissionDenied
    return district


# --- Companies ---------------------------------------------------------------------------


def may_see_company_contacts(user: AnyUser, district: District) -> bool:
    """The contact person's name, email and phone are coordination data: coordinators of the
    district see them; everyone else sees the public list."""
    return can(user, "interventions.view_company", district)


def may_add_company(user: AnyUser, district: District) -> bool:
    return can(user, "interventions.add_company", district)


def require_add_company(user: AnyUser) -> District:
    """The district where ``user`` adds a company (403 without the role)."""
    return _require(user, "interventions.add_company")


# --- Pledges -----------------------------------------------------------------------------

PledgeAction = Literal["view", "change", "add_document"]


def may_view_pledges(user: AnyUser, district: District) -> bool:
    return can(user, "interventions.view_pledge", district)


def require_view_pledges(user: AnyUser) -> District:
    """The district whose pledges ``user`` lists (403 without the role)."""
    return _require(user, "interventions.view_pledge")


def may_add_pledge(user: AnyUser, district: District) -> bool:
    return can(user, "interventions.add_pledge", district)


def require_add_pledge(user: AnyUser) -> District:
    return _require(user, "interventions.add_pledge")


def may_change_pledge(user: AnyUser, pledge: Pledge) -> bool:
    """Coordinators of the company's district change a pledge's state and correct its terms;
    the company's representatives do not (they answer for what they give, not the books)."""
    return can(user, "interventions.change_pledge", pledge.company.district)


def may_add_pledge_document(user: AnyUser, pledge: Pledge) -> bool:
    """The company's representatives add its documents (a receipt, the signed letter), and
    so do the coordinators who may change the pledge."""
    if may_change_pledge(user, pledge):
        return True
    return Company.objects.represented_by(user).filter(pk=pledge.company_id).exists()


def may_allocate_pledge(user: AnyUser, pledge: Pledge) -> bool:
    """Coordinators of the pledge's district assign it to kit items."""
    return can(user, "interventions.add_allocation", pledge.company.district)


def get_pledge_for_user(user: AnyUser, pk: int, *, action: PledgeAction) -> Pledge:
    """The pledge ``pk`` with what is allocated: 404 outside the user's district or
    companies, 403 when the action is not theirs."""
    pledge: Pledge = get_object_or_404(
        Pledge.objects.visible_to(user)
        .with_allocated()
        .select_related("company__district", "event"),
        pk=pk,
    )
    if action == "change" and not may_change_pledge(user, pledge):
        raise PermissionDenied
    if action == "add_document" and not may_add_pledge_document(user, pledge):
        raise PermissionDenied
    return pledge


def get_pledge_document_for_user(user: AnyUser, pk: int, document_pk: int) -> PledgeDocument:
    """A pledge's document, for whoever may see the pledge's page (404 for anyone else)."""
    pledge = get_object_or_404(Pledge.objects.visible_to(user), pk=pk)
    document: PledgeDocument = get_object_or_404(PledgeDocument, pledge=pledge, pk=document_pk)
    return document


# --- Fundraising events and invitations --------------------------------------------------

EventAction = Literal["view", "change", "invite", "record", "invite_to_platform"]


def require_view_events(user: AnyUser) -> District:
    """The district whose fundraising events ``user`` lists (403 without the role)."""
    return _require(user, "interventions.view_fundraisingevent")


def may_add_event(user: AnyUser, district: District) -> bool:
    return can(user, "interventions.add_fundraisingevent", district)


def require_add_event(user: AnyUser) -> District:
    return _require(user, "interventions.add_fundraisingevent")


def may_change_event(user: AnyUser, event: FundraisingEvent) -> bool:
    return can(user, "interventions.change_fundraisingevent", event.district)


def may_invite_to_event(user: AnyUser, event: FundraisingEvent) -> bool:
    return can(user, "interventions.add_invitation", event.district)


def may_record_attendance(user: AnyUser, event: FundraisingEvent) -> bool:
    """Who confirmed, declined and came is recorded by those who change invitations."""
    return can(user, "interventions.change_invitation", event.district)


def may_invite_to_platform(user: AnyUser, event: FundraisingEvent) -> bool:
    """Inviting a company's contact person to the platform makes them a member of the
    business sector: the platform's invitation permission, not the event's."""
    return can(user, "platform_app.add_invitation", event.district)


_EVENT_RULES = {
    "change": may_change_event,
    "invite": may_invite_to_event,
    "record": may_record_attendance,
    "invite_to_platform": may_invite_to_platform,
}


def may_act_on_event(user: AnyUser, event: FundraisingEvent, action: EventAction) -> bool:
    return action == "view" or _EVENT_RULES[action](user, event)


def get_event_for_user(user: AnyUser, pk: int, *, action: EventAction) -> FundraisingEvent:
    """An event of the user's district (with the permission to view events); 404 for anyone
    else, like pledges. Each action then asks for its own permission (403)."""
    event: FundraisingEvent = get_object_or_404(
        FundraisingEvent.objects.visible_to(user).select_related("district"), pk=pk
    )
    if not may_act_on_event(user, event, action):
        raise PermissionDenied
    return event


def may_answer_invitation(user: AnyUser, invitation: Invitation) -> bool:
    """A company's representatives answer its invitations."""
    return Invitation.objects.answerable_by(user).filter(pk=invitation.pk).exists()


def get_invitation_for_user(user: AnyUser, pk: int) -> Invitation:
    """An invitation the user answers for their company (404 for anyone else)."""
    invitation: Invitation = get_object_or_404(
        Invitation.objects.answerable_by(user).select_related("event"), pk=pk
    )
    return invitation


# --- Interventions, kits and deliveries --------------------------------------------------

InterventionAction = Literal["manage", "allocate", "deliver"]


def may_add_intervention(user: AnyUser, district: District | None = None) -> bool:
    return can(user, "interventions.add_intervention", district)


def require_add_intervention(user: AnyUser) -> District:
    return _require(user, "interventions.add_intervention")


def may_manage_intervention(user: AnyUser, intervention: Intervention) -> bool:
    """Coordinators of the intervention's district manage its status, kit, activities,
    budget and photos."""
    return can(user, "interventions.change_intervention", intervention.district)


def may_allocate(user: AnyUser, intervention: Intervention) -> bool:
    return can(user, "interventions.add_allocation", intervention.district)


def may_deliver(user: AnyUser, intervention: Intervention) -> bool:
    return can(user, "interventions.add_kitdelivery", intervention.district)


def get_intervention_for_user(
    user: AnyUser, pk: int, *, action: InterventionAction = "manage"
) -> Intervention:
    """The intervention to manage: 403 for visitors, 404 outside the user's district (its
    management is another district's business), 403 without the role.

    Allocating and delivering ask their own permission after the manager's one.
    """
    if not user.is_authenticated:
        raise PermissionDenied
    intervention: Intervention = get_object_or_404(
        Intervention.objects.select_related("district", "public_space"), pk=pk
    )
    if not user.is_superuser and user.district_id != intervention.district_id:
        raise Http404
    if not may_manage_intervention(user, intervention):
        raise PermissionDenied
    if action == "allocate" and not may_allocate(user, intervention):
        raise PermissionDenied
    if action == "deliver" and not may_deliver(user, intervention):
        raise PermissionDenied
    return intervention


def get_kit_item_for_user(
    user: AnyUser, pk: int, item_pk: int, *, action: InterventionAction
) -> KitItem:
    """A kit item of an intervention the user manages (404 for another intervention's)."""
    intervention = get_intervention_for_user(user, pk)
    item: KitItem = get_object_or_404(
        KitItem.objects.select_related("kit"), pk=item_pk, kit__intervention=intervention
    )
    # The same row as the one checked above, with its district and space: not read twice.
    item.kit.intervention = intervention
    if action == "allocate" and not may_allocate(user, intervention):
        raise PermissionDenied
    if action == "deliver" and not may_deliver(user, intervention):
        raise PermissionDenied
    return item


def get_delivery_for_user(user: AnyUser, pk: int, delivery_pk: int) -> KitDelivery:
    """A delivery names the neighbour who received and carries their signature: only those
    who manage the intervention see it."""
    intervention = get_intervention_for_user(user, pk)
    delivery: KitDelivery = get_object_or_404(
        KitDelivery, item__kit__intervention=intervention, pk=delivery_pk
    )
    return delivery


# --- Use and maintenance guide -----------------------------------------------------------


def may_edit_guide(user: AnyUser, intervention: Intervention) -> bool:
    """The guide is written with the team: the district's coordinators, and the people who
    represent the lead organization or the lead team, may edit it (nobody else)."""
    if can(user, "interventions.change_maintenanceguide", intervention.district):
        return True
    if not user.is_authenticated:
        return False
    organization = intervention.lead_organization
    team = intervention.lead_team
    return (organization is not None and organization.is_represented_by(user)) or (
        team is not None and team.representative_id == user.pk
    )


def get_guide_intervention_for_user(user: AnyUser, pk: int) -> Intervention:
    """The intervention whose guide ``user`` edits. Interventions are public, so one not
    theirs is a 403, not a 404."""
    intervention: Intervention = get_object_or_404(
        Intervention.objects.select_related(
            "district", "public_space", "lead_organization", "lead_team"
        ),
        pk=pk,
    )
    if not may_edit_guide(user, intervention):
        raise PermissionDenied
    return intervention


# --- Results -----------------------------------------------------------------------------


def may_see_pledges_by_state(user: AnyUser, district: District) -> bool:
    """The results page shows coordinators the district's pledges by state (totals, no
    personal data); the public sees the figures only."""
    return may_view_pledges(user, district)
