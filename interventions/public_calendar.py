"""The district's public calendar: festival stages and workshops, the platform's public
sessions, intervention start days and their workshops, in one iCalendar feed.

It lives in the top app because it reads every other one; each source contributes only what
its public pages already show (no call links, no names of people).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import cast

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from festival.models import Stage, WorkshopSession
from interventions.models import Activity, Intervention
from platform_app.calendars import PublicEvent, public_feed_ics
from platform_app.models import District, Meeting


def _link(name: str, *args: object) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def public_events(district: District) -> Iterator[PublicEvent]:
    stages = Stage.objects.filter(edition__district=district).select_related(
        "edition", "sector", "location"
    )
    for stage in stages:
        yield PublicEvent(
            key=f"festival-stage-{stage.pk}",
            title=f"{stage.edition.name}: {stage.name}",
            starts=stage.starts_at,
            place=stage.location.name if stage.location else stage.sector.name,
            url=_link("festival:board", stage.pk),
        )
    sessions = WorkshopSession.objects.filter(edition__district=district).select_related("edition")
    for session in sessions:
        yield PublicEvent(
            key=f"festival-workshop-{session.pk}",
            title=_("Workshop: %(title)s") % {"title": session.title},
            starts=session.starts_at,
            place=session.place,
            description=session.description,
            url=_link("festival:home"),
        )
    for meeting in Meeting.objects.filter(district=district).announced_publicly():
        yield PublicEvent(
            key=f"public-meeting-{meeting.uid}",
            title=_("Platform session: %(title)s") % {"title": meeting.title},
            starts=meeting.starts_at,
            ends=meeting.ends_at,
            place=meeting.place,
        )
    interventions = (
        Intervention.objects.public()
        .filter(district=district, starts_on__isnull=False)
        .select_related("public_space")
    )
    for intervention in interventions:
        yield PublicEvent(
            key=f"intervention-day-{intervention.pk}",
            title=_("Intervention starts: %(title)s") % {"title": intervention.title},
            starts=cast(date, intervention.starts_on),  # null ones filtered out above
            place=intervention.public_space.name,
            url=_link("interventions:intervention-detail", intervention.pk),
        )
    workshops = Activity.objects.filter(
        kind=Activity.Kind.WORKSHOP,
        intervention__district=district,
        intervention__in=Intervention.objects.public(),
    ).select_related("intervention__public_space")
    for activity in workshops:
        yield PublicEvent(
            key=f"intervention-workshop-{activity.pk}",
            title=_("Workshop: %(title)s") % {"title": activity.intervention.title},
            starts=activity.date,
            place=activity.intervention.public_space.name,
            url=_link("interventions:intervention-detail", activity.intervention_id),
        )


def district_calendar_ics(district: District, *, now: datetime) -> str:
    name = _("Public events of %(district)s") % {"district": district.name}
    return public_feed_ics(name=name, events=public_events(district), now=now)
