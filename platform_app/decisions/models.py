"""Votes of the members on agenda items, and public polls of residents.

Registered through ``platform_app.models`` so their migrations stay in platform_app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from platform_app.decisions.querysets import BallotQuerySet, PollQuerySet, VoteQuerySet
from platform_app.models.meetings import Attendance, Meeting, Member, StakeholderSector


class Vote(models.Model):
    """A question put to the members on one agenda item, open until a coordinator closes it.

    Who may vote follows the meeting: at a face-to-face (ordinary) meeting the active members
    ticked present on the attendance sheet; at a virtual (extraordinary) one every active
    member of the platform who signs in, whose ballot also records them present.
    """

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes, no or abstain")
        OPTIONS = "options", _("Options")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    agenda_item = models.ForeignKey(
        "platform_app.AgendaItem",
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="votes",
    )
    question = models.CharField(_("question"), max_length=255)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.YES_NO)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    decision = models.TextField(_("decision recorded in the minutes"), blank=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ("agenda_item", "opened_at", "pk")

    def __str__(self) -> str:
        return self.question

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def admits(self, member: Member) -> bool:
        """May this member cast a ballot now (one query at most)?"""
        meeting: Meeting = self.agenda_item.meeting
        if not self.is_open or member.district_id != meeting.district_id:
            return False
        if not member.is_active or meeting.status == Meeting.Status.CANCELLED:
            return False
        if meeting.kind == Meeting.Kind.EXTRAORDINARY:
            return True
        return Attendance.objects.filter(meeting=meeting, member=member, present=True).exists()


class VoteOption(models.Model):
    vote = models.ForeignKey(
        Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="options"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("option"), max_length=200)

    class Meta:
        verbose_name = _("vote option")
        verbose_name_plural = _("vote options")
        ordering = ("vote", "order", "pk")

    def __str__(self) -> str:
        return self.label


class Ballot(models.Model):
    """One member's choice in one vote. The sector is kept as it was when the ballot was
    cast, so the results by sector stay those of the session if the member changes sector."""

    vote = models.ForeignKey(
        Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="ballots"
    )
    option = models.ForeignKey(
        VoteOption, verbose_name=_("option"), on_delete=models.CASCADE, related_name="ballots"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="ballots"
    )
    sector = models.CharField(
        _("stakeholder sector"), max_length=16, choices=StakeholderSector.choices
    )
    cast_at = models.DateTimeField(_("cast at"), auto_now_add=True)

    objects = BallotQuerySet.as_manager()

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ("vote", "cast_at", "pk")
        constraints = (
            # One ballot per member and vote, also when the same ballot arrives twice at once
            # (a double tap, two devices): the second INSERT waits for the first and fails.
            models.UniqueConstraint(fields=("vote", "member"), name="ballot_unique_member"),
        )

    def __str__(self) -> str:
        return f"{self.member} · {self.vote}"


class Poll(models.Model):
    """A public question to the district's residents before a decision of the platform (for
    example, which space of each sector hosts a festival stage). One answer per account."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="polls",
    )
    title = models.CharField(_("title"), max_length=200)
    question = models.CharField(_("question"), max_length=255)
    decision = models.TextField(
        _("decision it informs"),
        blank=True,
        help_text=_("What the platform will decide with the answers."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = PollQuerySet.as_manager()

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ("-created_at", "pk")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class PollOption(models.Model):
    """An answer offered; it may belong to one sector of the district and name a place
    (a public space's page), as when each sector proposes its own spaces."""

    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="options"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("option"), max_length=200)
    sector = models.ForeignKey(
        "platform_app.Sector",
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    place_url = models.CharField(_("page of the place"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("poll option")
        verbose_name_plural = _("poll options")
        ordering = ("poll", "order", "pk")

    def __str__(self) -> str:
        return self.label


class PollAnswer(models.Model):
    """One account's answer. The sector is the one the resident says they live in (optional);
    results never show who answered."""

    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="answers"
    )
    option = models.ForeignKey(
        PollOption, verbose_name=_("option"), on_delete=models.CASCADE, related_name="answers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="poll_answers",
    )
    sector = models.ForeignKey(
        "platform_app.Sector",
        verbose_name=_("sector where the resident lives"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")
        ordering = ("poll", "answered_at", "pk")
        constraints = (
            models.UniqueConstraint(fields=("poll", "user"), name="poll_answer_unique_user"),
        )

    def __str__(self) -> str:
        return f"{self.poll} · {self.option}"
