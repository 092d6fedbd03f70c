"""The quorum rule of a district's platform, evaluated on a meeting's attendance.

A share of the active members alone lets one sector that turns out in force decide for the
district; the optional minimum number of stakeholder sectors present keeps decisions shared
between the municipality, companies, community, academia, youth and culture.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Quorum:
    present: int
    expected: int
    sectors_present: int
    percent_required: int
    sectors_required: int

    @property
    def members_reached(self) -> bool:
        # "More than" the share: 50 % of 20 members is 11, a simple majority.
        return self.expected > 0 and self.present * 100 > self.expected * self.percent_required

    @property
    def sectors_reached(self) -> bool:
        return self.sectors_present >= self.sectors_required

    @property
    def reached(self) -> bool:
        return self.members_reached and self.sectors_reached

    @property
    def percent_present(self) -> int:
        return round(self.present * 100 / self.expected) if self.expected else 0

    def explanation(self) -> str:
        """Whether quorum was reached and why, in one sentence for the meeting page."""
        members = _(
            "%(present)d of %(expected)d members (%(percent)d %%), more than %(required)d %% "
            "required"
        ) % {
            "present": self.present,
            "expected": self.expected,
            "percent": self.percent_present,
            "required": self.percent_required,
        }
        parts = [members]
        if self.sectors_required:
            parts.append(
                _("%(present)d sectors of %(required)d required")
                % {"present": self.sectors_present, "required": self.sectors_required}
            )
        facts = ", ".join(parts)
        if self.reached:
            return _("Quorum reached: %(facts)s.") % {"facts": facts}
        return _("No quorum: %(facts)s.") % {"facts": facts}
