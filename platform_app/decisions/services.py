"""The one write path of votes and polls: views, the API and the admin call these.

Each service that acts for a person asks ``platform_app.decisions.permissions`` first and
raises PermissionDenied otherwise: the person is ``opened_by``/``created_by`` (the names the
rows keep), ``actor`` for closing, and for a ballot the ``member`` whom the vote must admit
(a rule of the vote itself, checked under its lock). Any signed-in account answers a poll.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from platform_app.decisions.models import (
    Ballot,
    Poll,
    PollAnswer,
    PollOption,
    Vote,
    VoteOption,
)
from platform_app.decisions.permissions import may_close_poll, may_close_vote, may_create_poll
from platform_app.decisions.results import vote_results
from platform_app.models import AgendaItem, Attendance, District, Meeting, Member, Sector, User
from platform_app.permissions import require_meeting_action
from platform_app.services.meetings import attendance_sheet_open


class AlreadyVotedError(ValidationError):
    def __init__(self) -> None:
        super().__init__(_("You have already voted on this question."), code="already_voted")


class AlreadyAnsweredError(ValidationError):
    def __init__(self) -> None:
        super().__init__(_("You have already answered this poll."), code="already_answered")


def _yes_no_labels() -> list[str]:
    # Stored in the platform's language: the minutes and the results read the same for all.
    with translation.override(settings.LANGUAGE_CODE):
        return [_("Yes"), _("No"), _("Abstain")]


def vote_open(
    *,
    item: AgendaItem,
    question: str,
    kind: str,
    options: list[str],
    opened_by: User,
) -> Vote:
    """Put a question to the members on an agenda item. A yes/no vote gets the three
    answers yes, no and abstain; an options vote needs at least two different options."""
    meeting = item.meeting
    require_meeting_action(opened_by, meeting, "open_vote")
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("The meeting was cancelled; nothing can be voted in it."))
    if kind == Vote.Kind.YES_NO:
        labels = _yes_no_labels()
    else:
        labels = list(dict.fromkeys(label.strip() for label in options if label.strip()))
        if len(labels) < 2:
            raise ValidationError(
                {"options": _("Write at least two different options, one per line.")}
            )
    with transaction.atomic():
        # The sheet lists the members active now: the quorum and the results by sector count
        # against it, also at a virtual session where ballots tick members present.
        attendance_sheet_open(meeting=meeting)
        vote = Vote.objects.create(
            agenda_item=item, question=question, kind=kind, opened_by=opened_by
        )
        VoteOption.objects.bulk_create(
            VoteOption(vote=vote, order=index, label=label)
            for index, label in enumerate(labels, start=1)
        )
    return vote


def ballot_cast(*, vote: Vote, member: Member, option: VoteOption) -> Ballot:
    """Record one member's ballot, once.

    The vote row is locked first so that a ballot never lands after ``vote_close`` has
    counted (both take the same lock), and the check of who may vote sees the state the
    count will see. A second ballot of the same member, even sent at the same instant from
    two devices, fails on the (vote, member) unique constraint: on PostgreSQL the second
    INSERT waits for the first transaction and then fails, which becomes AlreadyVotedError
    instead of a server error. At a virtual session the ballot also records the member
    present, so the results by sector match the attendance.
    """
    if option.vote_id != vote.pk:
        raise ValidationError({"option": _("Choose one of the options of this vote.")})
    with transaction.atomic():
        locked: Vote = (
            Vote.objects.select_for_update().select_related("agenda_item__meeting").get(pk=vote.pk)
        )
        if not locked.is_open:
            raise ValidationError(_("This vote is closed."), code="closed")
        if not locked.admits(member):
            raise ValidationError(
                _("Only the members present at the meeting may vote."), code="not_present"
            )
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(
                    vote=locked, option=option, member=member, sector=member.sector
                )
        except IntegrityError as exc:
            raise AlreadyVotedError from exc
        meeting = locked.agenda_item.meeting
        if meeting.kind == Meeting.Kind.EXTRAORDINARY:
            Attendance.objects.update_or_create(
                meeting=meeting, member=member, defaults={"present": True}
            )
    return ballot


def vote_close(*, vote: Vote, actor: User) -> Vote:
    """Close the vote and write its result into the agenda item's minutes.

    The lock on the vote row waits for ballots being cast, so the count is final."""
    if not may_close_vote(actor, vote):
        raise PermissionDenied
    with transaction.atomic():
        locked: Vote = (
            Vote.objects.select_for_update().select_related("agenda_item__meeting").get(pk=vote.pk)
        )
        if not locked.is_open:
            raise ValidationError(_("This vote is already closed."), code="closed")
        results = vote_results(locked)
        with translation.override(settings.LANGUAGE_CODE):
            counts = ", ".join(f"{option.label} {total}" for option, total in results.totals)
            leading = results.leading
            if len(leading) == 1:
                outcome = _("Decision: %(option)s.") % {"option": leading[0].label}
            elif leading:
                outcome = _("Tie between %(options)s: no decision.") % {
                    "options": ", ".join(option.label for option in leading)
                }
            else:
                outcome = _("No ballots were cast: no decision.")
            decision = _(
                "Vote “%(question)s”: %(counts)s (%(voted)d ballots, %(present)d members "
                "present). %(outcome)s"
            ) % {
                "question": locked.question,
                "counts": counts,
                "voted": results.voted,
                "present": results.present,
                "outcome": outcome,
            }
        locked.status = Vote.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.decision = decision
        locked.save(update_fields=["status", "closed_at", "decision"])
        item = AgendaItem.objects.select_for_update().get(pk=locked.agenda_item_id)
        item.minutes = f"{item.minutes.rstrip()}\n\n{decision}".strip()
        item.save(update_fields=["minutes"])
    return locked


@dataclass(frozen=True)
class PollOptionData:
    label: str
    sector: Sector | None = None
    place_url: str = ""


def poll_create(
    *,
    district: District,
    title: str,
    question: str,
    decision: str,
    options: list[PollOptionData],
    created_by: User,
) -> Poll:
    if not may_create_poll(created_by, district):
        raise PermissionDenied
    labels = [(option.label.strip(), option.sector) for option in options]
    if len([label for label, _sector in labels if label]) < 2:
        raise ValidationError(_("Offer at least two options."))
    if len(set(labels)) != len(labels):
        raise ValidationError(_("The same option appears twice."))
    if any(o.sector is not None and o.sector.district_id != district.pk for o in options):
        raise ValidationError(_("Each option's sector must be one of the district's."))
    with transaction.atomic():
        poll = Poll.objects.create(
            district=district,
            title=title,
            question=question,
            decision=decision,
            created_by=created_by,
        )
        PollOption.objects.bulk_create(
            PollOption(
                poll=poll,
                order=index,
                label=option.label.strip(),
                sector=option.sector,
                place_url=option.place_url,
            )
            for index, option in enumerate(options, start=1)
        )
    return poll


def poll_answer(*, poll: Poll, user: User, option: PollOption, sector: Sector | None) -> PollAnswer:
    """One answer per account: the (poll, user) unique constraint refuses a second one,
    also sent twice at once; the poll row is locked so no answer lands after closing."""
    if option.poll_id != poll.pk:
        raise ValidationError({"option": _("Choose one of the options of this poll.")})
    if sector is not None and sector.district_id != poll.district_id:
        raise ValidationError({"sector": _("Choose one of the district's sectors.")})
    with transaction.atomic():
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        if not locked.is_open:
            raise ValidationError(_("This poll is closed."), code="closed")
        try:
            with transaction.atomic():
                return PollAnswer.objects.create(
                    poll=locked, option=option, user=user, sector=sector
                )
        except IntegrityError as exc:
            raise AlreadyAnsweredError from exc


def poll_close(*, poll: Poll, actor: User) -> Poll:
    if not may_close_poll(actor, poll):
        raise PermissionDenied
    with transaction.atomic():
        locked: Poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if not locked.is_open:
            raise ValidationError(_("This poll is already closed."), code="closed")
        locked.status = Poll.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
    return locked
