"""Results of a vote by stakeholder sector and of a poll by sector of the district: reads
only, a fixed number of queries whatever the number of ballots or answers, and never who
voted or answered what."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Count
from django.utils.translation import gettext as _

from platform_app.decisions.models import Ballot, Poll, PollAnswer, PollOption, Vote, VoteOption
from platform_app.models import Attendance, Sector, StakeholderSector


@dataclass(frozen=True)
class SectorTally:
    label: str
    counts: list[int]  # one per option, in the options' order
    present: int | None = None  # members present, for a vote

    @property
    def total(self) -> int:
        return sum(self.counts)


_T = TypeVar("_T")


def _leading(options: list[_T], totals: list[int]) -> list[_T]:
    best = max(totals, default=0)
    return [option for option, total in zip(options, totals, strict=True) if best and total == best]


@dataclass(frozen=True)
class VoteResults:
    options: list[VoteOption]
    rows: list[SectorTally]  # the six stakeholder sectors, in their usual order

    @property
    def totals(self) -> list[tuple[VoteOption, int]]:
        sums = [sum(row.counts[i] for row in self.rows) for i in range(len(self.options))]
        return list(zip(self.options, sums, strict=True))

    @property
    def voted(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def present(self) -> int:
        return sum(row.present or 0 for row in self.rows)

    @property
    def leading(self) -> list[VoteOption]:
        return _leading(self.options, [total for _option, total in self.totals])


def vote_results(vote: Vote) -> VoteResults:
    """Ballots by option and stakeholder sector, beside the members present of each sector
    on the meeting's attendance sheet (three queries)."""
    options = list(vote.options.all())
    tally = Ballot.objects.filter(vote=vote).tally_by_sector()
    present = dict(
        Attendance.objects.filter(meeting_id=vote.agenda_item.meeting_id, present=True)
        .order_by()
        .values_list("member__sector")
        .annotate(n=Count("pk"))
        .values_list("member__sector", "n")
    )
    rows = [
        SectorTally(
            label=str(label),
            counts=[tally.get((option.pk, value), 0) for option in options],
            present=present.get(value, 0),
        )
        for value, label in StakeholderSector.choices
    ]
    return VoteResults(options=options, rows=rows)


@dataclass(frozen=True)
class OptionSectorGroup:
    """The options that belong to one sector of the district, and the one most chosen."""

    label: str
    options: list[tuple[PollOption, int]]

    @property
    def leading(self) -> list[PollOption]:
        return _leading([o for o, _n in self.options], [n for _o, n in self.options])


@dataclass(frozen=True)
class PollResults:
    options: list[PollOption]
    totals: list[int]
    by_resident_sector: list[SectorTally]  # the district's sectors, then "not said"
    by_option_sector: list[OptionSectorGroup]  # empty when no option names a sector

    @property
    def answered(self) -> int:
        return sum(self.totals)

    @property
    def options_with_totals(self) -> list[tuple[PollOption, int]]:
        return list(zip(self.options, self.totals, strict=True))

    @property
    def leading(self) -> list[PollOption]:
        return _leading(self.options, self.totals)


def poll_results(poll: Poll) -> PollResults:
    """Answers by option, by the sector the residents live in, and, when options belong to
    sectors, the most chosen option of each sector (three queries)."""
    options = list(poll.options.select_related("sector"))
    rows = (
        PollAnswer.objects.filter(poll=poll)
        .order_by()
        .values_list("option_id", "sector_id")
        .annotate(n=Count("pk"))
    )
    tally: dict[tuple[int, int | None], int] = {(o, s): n for o, s, n in rows}
    totals = [sum(n for (o, _s), n in tally.items() if o == option.pk) for option in options]
    sectors = list(Sector.objects.filter(district_id=poll.district_id).order_by("number"))
    by_resident = [
        SectorTally(
            label=sector.name, counts=[tally.get((option.pk, sector.pk), 0) for option in options]
        )
        for sector in sectors
    ]
    by_resident.append(
        SectorTally(
            label=_("Sector not given"),
            counts=[tally.get((option.pk, None), 0) for option in options],
        )
    )
    groups: list[OptionSectorGroup] = []
    if any(option.sector_id for option in options):
        for sector in [*sectors, None]:
            members = [
                (option, total)
                for option, total in zip(options, totals, strict=True)
                if option.sector_id == (sector.pk if sector else None)
            ]
            if members:
                label = sector.name if sector else _("Whole district")
                groups.append(OptionSectorGroup(label=label, options=members))
    return PollResults(
        options=options,
        totals=totals,
        by_resident_sector=by_resident,
        by_option_sector=groups,
    )
