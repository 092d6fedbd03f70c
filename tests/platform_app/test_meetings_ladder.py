"""The permission ladder of every page and API action of meetings, agreements, the work plan,
votes and polls: an anonymous visitor, the wrong role, staff of another district and the
right role, each with the answer they get today.

Another district's staff get a 404 for this district's objects (not even their existence is
told) and their own district's page where a page is about the district (a list, a creation
form). Each row is one route and method; the right role comes last, so the refused attempts
before it cannot have changed anything it sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from platform_app.calls import services as call_services
from platform_app.decisions import services as decision_services
from platform_app.decisions.models import Vote
from platform_app.models import (
    Activity,
    AgreementFollowUp,
    Attendance,
    MeetingFile,
    OrganizationInvitation,
)
from platform_app.permissions import Role
from platform_app.services import agreements as agreement_services
from platform_app.services import meetings as meeting_services
from platform_app.services import workplan as workplan_services
from tests.factories import UserFactory
from tests.factories_decisions import PollFactory, PollOptionFactory, VoteFactory, VoteOptionFactory
from tests.factories_platform import (
    AgendaItemFactory,
    AgreementFactory,
    MeetingFactory,
    MemberFactory,
    ObjectiveFactory,
)
from tests.factories_registry import OrganizationFactory
from tests.imagefiles import pdf_bytes

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the sign-in page


@pytest.fixture
def world(santa_anita, other_district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    member = MemberFactory(sector="youth")  # responsible for the agreement and the activity
    meeting = MeetingFactory()
    item = AgendaItemFactory(meeting=meeting)
    agreement = AgreementFactory(agenda_item=item, responsible=[member])
    followup = AgreementFollowUp.objects.create(
        agreement=agreement,
        author=member.user,
        new_status="in_progress",
        evidence_file=ContentFile(pdf_bytes(), name="acta.pdf"),
        evidence_name="acta.pdf",
    )
    meeting_file = MeetingFile.objects.create(
        meeting=meeting, title="Acta", file=ContentFile(pdf_bytes(), name="acta.pdf")
    )
    organization = OrganizationFactory(messages_consent=True)
    OrganizationInvitation.objects.create(meeting=meeting, organization=organization)
    objective = ObjectiveFactory()
    today = timezone.localdate()
    activity = Activity.objects.create(
        objective=objective, title="Censo de parques", starts_on=today, due_on=today
    )
    activity.responsible.set([member])
    Attendance.objects.create(meeting=meeting, member=member, present=True)
    vote = VoteFactory(agenda_item=item)
    VoteOptionFactory(vote=vote, label="Sí")
    VoteOptionFactory(vote=vote, label="No")
    poll = PollFactory()
    PollOptionFactory(poll=poll)
    PollOptionFactory(poll=poll)
    return {
        "member": member.user,
        "bystander": MemberFactory().user,  # a member, responsible for nothing
        "resident": UserFactory(role=Role.RESIDENT),
        "coordinator": UserFactory(role=Role.COORDINATOR),
        "other": UserFactory(role=Role.COORDINATOR, district=other_district),
        "meeting": meeting,
        "item": item,
        "agreement": agreement,
        "followup": followup,
        "meeting_file": meeting_file,
        "organization": organization,
        "objective": objective,
        "activity": activity,
        "vote": vote,
        "poll": poll,
    }


@dataclass(frozen=True)
class Ladder:
    route: str
    method: str
    # The people who try, in order, with the answer each gets: anonymous first, the right
    # role last.
    rungs: tuple[tuple[str, int | str], ...]
    args: Callable[[dict], list] = lambda w: []
    data: Callable[[dict], dict] = field(default=lambda w: {})


def _meeting(w):
    return [w["meeting"].pk]


PAGE = ("anonymous", LOGIN)
# A district's page: the wrong role is refused, another district's staff see their own.
LADDERS = [
    Ladder(
        "platform_app:meeting-list",
        "get",
        (PAGE, ("resident", 403), ("other", 200), ("member", 200)),
    ),
    Ladder(
        "platform_app:meeting-create",
        "get",
        (PAGE, ("member", 403), ("other", 200), ("coordinator", 200)),
    ),
    Ladder(
        "platform_app:meeting-series",
        "get",
        (PAGE, ("member", 403), ("other", 200), ("coordinator", 200)),
    ),
    Ladder(
        "platform_app:meeting-detail",
        "get",
        (PAGE, ("resident", 404), ("other", 404), ("member", 200)),
        _meeting,
    ),
    Ladder(
        "platform_app:meeting-edit",
        "get",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 200)),
        _meeting,
    ),
    Ladder(
        "platform_app:meeting-ics",
        "get",
        (PAGE, ("resident", 404), ("other", 404), ("member", 200)),
        _meeting,
    ),
    Ladder(
        "platform_app:meeting-file-upload",
        "post",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 302)),
        _meeting,
        lambda w: {
            "title": "Informe",
            "file": SimpleUploadedFile("informe.pdf", pdf_bytes(), "application/pdf"),
        },
    ),
    Ladder(
        "platform_app:meeting-file",
        "get",
        # Not even a sign-in redirect: it would tell that the file exists.
        (("anonymous", 404), ("resident", 404), ("other", 404), ("member", 200)),
        lambda w: [w["meeting"].pk, w["meeting_file"].pk],
    ),
    Ladder(
        "platform_app:meeting-attendance",
        "get",
        (PAGE, ("resident", 404), ("other", 404), ("member", 200)),
        _meeting,
    ),
    Ladder(
        "platform_app:attendance-toggle",
        "post",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 302)),
        lambda w: [w["meeting"].pk, w["member"].memberships.get().pk],
        lambda w: {"present": "1"},
    ),
    Ladder(
        "platform_app:meeting-calls",
        "get",
        # Names and phone numbers: whoever may not see call lists is told of no meeting.
        (("anonymous", 404), ("member", 404), ("other", 404), ("coordinator", 200)),
        _meeting,
    ),
    Ladder(
        "platform_app:meeting-call-record",
        "post",
        (("anonymous", 404), ("member", 404), ("other", 404), ("coordinator", 302)),
        lambda w: [w["meeting"].pk, w["organization"].pk],
        lambda w: {"outcome": "coming"},
    ),
    Ladder(
        "platform_app:meeting-organizations",
        "get",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 200)),
        _meeting,
    ),
    Ladder(
        "platform_app:organization-attendance-toggle",
        "post",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 302)),
        lambda w: [w["meeting"].pk, w["organization"].pk],
        lambda w: {"present": "1"},
    ),
    Ladder(
        "platform_app:meeting-minutes",
        "get",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 200)),
        _meeting,
    ),
    Ladder(
        "platform_app:minutes-item-save",
        "post",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 302)),
        lambda w: [w["meeting"].pk, w["item"].pk],
        lambda w: {"minutes": "Se acordó limpiar el parque."},
    ),
    Ladder(
        "platform_app:minutes-agreement-record",
        "post",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 302)),
        lambda w: [w["meeting"].pk, w["item"].pk],
        lambda w: {
            f"a{w['item'].pk}-description": "Pintar las bancas",
            f"a{w['item'].pk}-responsible": [w["member"].memberships.get().pk],
            f"a{w['item'].pk}-due_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
            f"a{w['item'].pk}-axis": "platform",
        },
    ),
    Ladder(
        "platform_app:minutes-agenda-add",
        "post",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 302)),
        _meeting,
        lambda w: {"title": "Varios"},
    ),
    Ladder(
        "platform_app:minutes-previous-approve",
        "post",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 302)),
        _meeting,
        lambda w: {"previous": w["meeting"].pk},
    ),
    Ladder(
        "platform_app:meeting-held",
        "post",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 302)),
        _meeting,
    ),
    Ladder(
        "platform_app:agreement-board",
        "get",
        (PAGE, ("resident", 403), ("other", 200), ("member", 200)),
    ),
    Ladder(
        "platform_app:agreement-mine",
        "get",
        (PAGE, ("resident", 403), ("other", 200), ("member", 200)),
    ),
    Ladder(
        "platform_app:agreement-detail",
        "get",
        (PAGE, ("resident", 404), ("other", 404), ("member", 200)),
        lambda w: [w["agreement"].pk],
    ),
    Ladder(
        "platform_app:agreement-detail",
        "post",
        (PAGE, ("bystander", 403), ("other", 404), ("member", 302)),
        lambda w: [w["agreement"].pk],
        lambda w: {"new_status": "in_progress", "progress": 30, "comment": "Avanzamos"},
    ),
    Ladder(
        "platform_app:followup-evidence",
        "get",
        (("anonymous", 404), ("resident", 404), ("other", 404), ("member", 200)),
        lambda w: [w["agreement"].pk, w["followup"].pk],
    ),
    Ladder(
        "platform_app:role-guide",
        "get",
        (PAGE, ("resident", 403), ("other", 200), ("member", 200)),
    ),
    Ladder(
        "platform_app:role-guide-propose",
        "get",
        (PAGE, ("resident", 403), ("other", 200), ("member", 200)),
    ),
    Ladder(
        "platform_app:work-plan",
        "get",
        (PAGE, ("resident", 403), ("other", 200), ("member", 200)),
    ),
    Ladder(
        "platform_app:objective-create",
        "get",
        (PAGE, ("member", 403), ("other", 200), ("coordinator", 200)),
    ),
    Ladder(
        "platform_app:activity-create",
        "get",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 200)),
        lambda w: [w["objective"].pk],
    ),
    Ladder(
        "platform_app:objective-edit",
        "get",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 200)),
        lambda w: [w["objective"].pk],
    ),
    Ladder(
        "platform_app:activity-edit",
        "get",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 200)),
        lambda w: [w["activity"].pk],
    ),
    Ladder(
        "platform_app:activity-report",
        "get",
        (PAGE, ("bystander", 403), ("other", 404), ("member", 200)),
        lambda w: [w["activity"].pk],
    ),
    Ladder(
        "platform_app:vote-list",
        "get",
        (PAGE, ("resident", 403), ("other", 200), ("member", 200)),
    ),
    Ladder(
        "platform_app:vote-open",
        "get",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 200)),
        lambda w: [w["item"].pk],
    ),
    Ladder(
        "platform_app:vote-detail",
        "get",
        (PAGE, ("resident", 404), ("other", 404), ("member", 200)),
        lambda w: [w["vote"].pk],
    ),
    Ladder(
        "platform_app:vote-cast",
        "post",
        # The coordinator runs the vote but is no member present: no ballot.
        (PAGE, ("coordinator", 403), ("other", 404), ("member", 302)),
        lambda w: [w["vote"].pk],
        lambda w: {"option": w["vote"].options.get(label="Sí").pk},
    ),
    Ladder(
        "platform_app:vote-close",
        "post",
        (PAGE, ("member", 403), ("other", 404), ("coordinator", 302)),
        lambda w: [w["vote"].pk],
    ),
    Ladder(
        "platform_app:poll-create",
        "get",
        (PAGE, ("member", 403), ("other", 200), ("coordinator", 200)),
    ),
    Ladder(
        "platform_app:poll-close",
        "post",
        # Polls are public: another district's coordinator sees it but may not close it.
        (PAGE, ("member", 403), ("other", 403), ("coordinator", 302)),
        lambda w: [w["poll"].pk],
    ),
    Ladder(
        "platform_app:poll-answer",
        "post",
        # Any signed-in account answers, residents of any district included.
        (PAGE, ("other", 302), ("resident", 302)),
        lambda w: [w["poll"].pk],
        lambda w: {"option": w["poll"].options.first().pk},
    ),
]


def _try(client, world, ladder: Ladder, who: str):
    client.logout()
    if who != "anonymous":
        client.force_login(world[who])
    url = reverse(ladder.route, args=ladder.args(world))
    return getattr(client, ladder.method)(url, ladder.data(world))


def _climb(client, world, ladder: Ladder) -> None:
    for who, expected in ladder.rungs:
        response = _try(client, world, ladder, who)
        if expected == LOGIN:
            assert response.status_code == 302, who
            assert "/cuentas/login/" in response["Location"], who
        else:
            assert response.status_code == expected, (who, response.status_code)


@pytest.mark.ladder(
    "platform_app:meeting-list",
    "platform_app:meeting-create",
    "platform_app:meeting-series",
    "platform_app:meeting-detail",
    "platform_app:meeting-edit",
    "platform_app:meeting-ics",
    "platform_app:meeting-file-upload",
    "platform_app:meeting-file",
    "platform_app:meeting-attendance",
    "platform_app:attendance-toggle",
    "platform_app:meeting-calls",
    "platform_app:meeting-call-record",
    "platform_app:meeting-organizations",
    "platform_app:organization-attendance-toggle",
    "platform_app:meeting-minutes",
    "platform_app:minutes-item-save",
    "platform_app:minutes-agreement-record",
    "platform_app:minutes-agenda-add",
    "platform_app:minutes-previous-approve",
    "platform_app:meeting-held",
    "platform_app:agreement-board",
    "platform_app:agreement-mine",
    "platform_app:agreement-detail",
    "platform_app:followup-evidence",
    "platform_app:role-guide",
    "platform_app:role-guide-propose",
    "platform_app:work-plan",
    "platform_app:objective-create",
    "platform_app:activity-create",
    "platform_app:objective-edit",
    "platform_app:activity-edit",
    "platform_app:activity-report",
    "platform_app:vote-list",
    "platform_app:vote-open",
    "platform_app:vote-detail",
    "platform_app:vote-cast",
    "platform_app:vote-close",
    "platform_app:poll-create",
    "platform_app:poll-close",
    "platform_app:poll-answer",
)
@pytest.mark.parametrize("ladder", LADDERS, ids=lambda ladder: f"{ladder.method} {ladder.route}")
def test_each_page_answers_each_rung_of_the_ladder(client, world, ladder):
    _climb(client, world, ladder)


def test_the_ladder_closes_the_vote_only_once_the_coordinator_asks(client, world):
    """The refused attempts changed nothing: the right role's request is the one that acted."""
    vote_close = next(ladder for ladder in LADDERS if ladder.route == "platform_app:vote-close")
    for who, _expected in vote_close.rungs[:-1]:
        _try(client, world, vote_close, who)
        world["vote"].refresh_from_db()
        assert world["vote"].status == Vote.Status.OPEN, who
    _try(client, world, vote_close, "coordinator")
    world["vote"].refresh_from_db()
    assert world["vote"].status == Vote.Status.CLOSED


# --- The API --------------------------------------------------------------------------------
# A list answers 200 to every signed-in account, with only the rows the account may see:
# "shown" and "hidden" say whether this district's object is among them.

SHOWN, HIDDEN = "shown", "hidden"


@dataclass(frozen=True)
class ApiLadder:
    route: str
    method: str
    obj: str
    rungs: tuple[tuple[str, int | str], ...]
    data: Callable[[dict], dict] = field(default=lambda w: {})


def _meeting_payload(w):
    start = timezone.now() + timedelta(days=3)
    return {
        "kind": "ordinary",
        "title": "Sesión por API",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "place": "Municipalidad",
    }


def _reads(basename: str, obj: str, wrong: str, right: str) -> list[ApiLadder]:
    return [
        ApiLadder(
            f"{basename}-list",
            "get",
            obj,
            (("anonymous", 401), (wrong, HIDDEN), ("other", HIDDEN), (right, SHOWN)),
        ),
        ApiLadder(
            f"{basename}-detail",
            "get",
            obj,
            (("anonymous", 401), (wrong, 404), ("other", 404), (right, 200)),
        ),
    ]


API_LADDERS = [
    *_reads("platform-meeting", "meeting", "resident", "member"),
    *_reads("platform-agreement", "agreement", "resident", "member"),
    *_reads("platform-followup", "followup", "resident", "member"),
    *_reads("platform-objective", "objective", "resident", "member"),
    *_reads("platform-activity", "activity", "resident", "member"),
    # Who was invited is registry data: coordinators only.
    *_reads("platform-organization-invitation", "invitation", "member", "coordinator"),
    *_reads("platform-vote", "vote", "resident", "member"),
    # Polls are public, results without any personal data.
    ApiLadder(
        "poll-list", "get", "poll", (("anonymous", SHOWN), ("resident", SHOWN), ("other", SHOWN))
    ),
    ApiLadder(
        "poll-detail", "get", "poll", (("anonymous", 200), ("resident", 200), ("other", 200))
    ),
    ApiLadder(
        "platform-meeting-list",
        "post",
        "meeting",
        # Another district's coordinator schedules in their own district.
        (("anonymous", 401), ("member", 403), ("other", 201), ("coordinator", 201)),
        _meeting_payload,
    ),
    ApiLadder(
        "platform-meeting-detail",
        "patch",
        "meeting",
        (("anonymous", 401), ("member", 403), ("other", 404), ("coordinator", 200)),
        lambda w: {"place": "Parque Central"},
    ),
    ApiLadder(
        "platform-agreement-list",
        "post",
        "agreement",
        # Another district's agenda item is unknown to them: a refused field, not a page.
        (("anonymous", 401), ("member", 403), ("other", 400), ("coordinator", 201)),
        lambda w: {
            "agenda_item": w["item"].pk,
            "description": "Organizar faena",
            "responsible": [w["member"].memberships.get().pk],
            "due_date": "2030-01-10",
        },
    ),
    ApiLadder(
        "platform-followup-list",
        "post",
        "followup",
        (("anonymous", 401), ("bystander", 403), ("other", 400), ("member", 201)),
        lambda w: {"agreement": w["agreement"].pk, "new_status": "done", "comment": "Hecho"},
    ),
    ApiLadder(
        "platform-activity-detail",
        "patch",
        "activity",
        (("anonymous", 401), ("bystander", 403), ("other", 404), ("member", 200)),
        lambda w: {"status": "in_progress", "progress": 40, "version": 0},
    ),
    ApiLadder(
        "platform-organization-invitation-detail",
        "patch",
        "invitation",
        (("anonymous", 401), ("member", 403), ("other", 404), ("coordinator", 200)),
        lambda w: {"present": True},
    ),
]


@pytest.mark.ladder(
    "platform-meeting-list",
    "platform-meeting-detail",
    "POST platform-meeting-list",
    "PATCH platform-meeting-detail",
    "platform-agreement-list",
    "platform-agreement-detail",
    "POST platform-agreement-list",
    "platform-followup-list",
    "platform-followup-detail",
    "POST platform-followup-list",
    "platform-objective-list",
    "platform-objective-detail",
    "platform-activity-list",
    "platform-activity-detail",
    "PATCH platform-activity-detail",
    "platform-organization-invitation-list",
    "platform-organization-invitation-detail",
    "PATCH platform-organization-invitation-detail",
    "platform-vote-list",
    "platform-vote-detail",
    "poll-list",
    "poll-detail",
)
@pytest.mark.parametrize(
    "ladder", API_LADDERS, ids=lambda ladder: f"{ladder.method} {ladder.route}"
)
def test_each_api_action_answers_each_rung_of_the_ladder(world, ladder):
    world["invitation"] = world["meeting"].organization_invitations.get()
    target = world[ladder.obj]
    args = [] if ladder.route.endswith("-list") else [target.pk]
    url = reverse(ladder.route, args=args)
    for who, expected in ladder.rungs:
        api = APIClient()
        if who != "anonymous":
            api.force_authenticate(world[who])
        response = getattr(api, ladder.method)(url, ladder.data(world), format="json")
        if expected in (SHOWN, HIDDEN):
            assert response.status_code == 200, who
            ids = [row["id"] for row in response.json()["results"]]
            assert (target.pk in ids) == (expected == SHOWN), (who, ids)
        else:
            assert response.status_code == expected, (who, response.content)


# --- The services ---------------------------------------------------------------------------
# An API write, an admin action or a task that calls a service directly meets the same rule.


def _service_calls(w):
    meeting, member = w["meeting"], w["member"].memberships.get()
    today = timezone.localdate()
    return [
        lambda actor: meeting_services.meeting_create(
            district=meeting.district,
            kind="ordinary",
            title="Sesión",
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            place="Municipalidad",
            created_by=actor,
        ),
        lambda actor: meeting_services.meeting_update(
            meeting=meeting, actor=actor, changes={"place": "Parque"}
        ),
        lambda actor: meeting_services.meeting_cancel(meeting=meeting, actor=actor),
        lambda actor: meeting_services.attendance_set(
            meeting=meeting, member=member, present=False, actor=actor
        ),
        lambda actor: meeting_services.agenda_item_add(meeting=meeting, actor=actor, title="x"),
        lambda actor: meeting_services.meeting_mark_held(meeting=meeting, actor=actor),
        lambda actor: meeting_services.meeting_organizations_invite(
            meeting=meeting, actor=actor, typology="cultural"
        ),
        lambda actor: meeting_services.organization_attendance_set(
            meeting=meeting, organization=w["organization"], present=True, actor=actor
        ),
        lambda actor: agreement_services.agreement_record(
            agenda_item=w["item"], description="x", responsible=[], due_date=today, user=actor
        ),
        lambda actor: workplan_services.objective_create(
            district=meeting.district, actor=actor, axis="platform", title="x"
        ),
        lambda actor: workplan_services.activity_update(
            activity=w["activity"],
            actor=actor,
            version=0,
            title="x",
            starts_on=today,
            due_on=today,
            weight=1,
            responsible=[],
        ),
        lambda actor: decision_services.vote_close(vote=w["vote"], actor=actor),
        lambda actor: decision_services.poll_close(poll=w["poll"], actor=actor),
        lambda actor: call_services.call_record(
            meeting=meeting, organization=w["organization"], outcome="coming", actor=actor
        ),
    ]


def test_the_services_refuse_members_and_other_districts_coordinators(world):
    for call in _service_calls(world):
        for who in ("member", "other"):
            with pytest.raises(PermissionDenied):
                call(world[who])
    world["meeting"].refresh_from_db()
    assert (world["meeting"].status, world["meeting"].place) == (
        "scheduled",
        "Municipalidad de Santa Anita, sala de regidores",
    )


def test_the_services_of_the_people_concerned_refuse_everyone_else(world):
    """A follow-up and an activity report are the responsible member's (or a coordinator's)."""
    for actor in (world["bystander"], world["other"]):
        with pytest.raises(PermissionDenied):
            agreement_services.agreement_follow_up(
                agreement=world["agreement"], user=actor, new_status="done"
            )
        with pytest.raises(PermissionDenied):
            workplan_services.activity_report(
                activity=world["activity"], user=actor, status="done", progress=100, version=0
            )
    world["agreement"].refresh_from_db()
    world["activity"].refresh_from_db()
    assert world["agreement"].status != "done"
    assert world["activity"].status != "done"
