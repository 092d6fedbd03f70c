"""Responsible members report their work-plan activities online: who may, what a stale
report does (it never overwrites a newer one), and two reports at the same moment."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from platform_app.models import Activity, Objective
from platform_app.permissions import Role
from platform_app.services.workplan import activity_report
from santaanita.versioned import StaleEdit
from tests.conftest import TRANSACTIONAL
from tests.factories import UserFactory
from tests.factories_platform import MemberFactory, ObjectiveFactory


def make_activity(*responsible) -> Activity:
    activity = Activity.objects.create(
        objective=ObjectiveFactory(title="Plataforma instalada"),
        title="Redactar el reglamento interno",
        starts_on=date(2030, 1, 1),
        due_on=date(2030, 3, 1),
        progress=20,
        status=Activity.Status.IN_PROGRESS,
    )
    activity.responsible.set(responsible)
    return activity


def report_url(activity: Activity) -> str:
    return reverse("platform_app:activity-report", args=[activity.pk])


@pytest.mark.django_db
def test_a_responsible_member_reports_progress_and_the_objective_rolls_it_up(client):
    ana = MemberFactory()
    activity = make_activity(ana)
    client.force_login(ana.user)
    plan = client.get(reverse("platform_app:work-plan")).content.decode()
    assert report_url(activity) in plan

    response = client.post(
        report_url(activity), {"status": "in_progress", "progress": 60, "version": 0}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#activity-{activity.pk}")
    activity.refresh_from_db()
    assert (activity.progress, activity.version, activity.updated_by) == (60, 1, ana.user)
    assert activity.objective.rolled_up_progress() == 60
    assert "60 %" in client.get(reverse("platform_app:work-plan")).content.decode()


@pytest.mark.django_db
def test_done_means_one_hundred_percent(client):
    ana = MemberFactory()
    activity = make_activity(ana)
    client.force_login(ana.user)
    client.post(report_url(activity), {"status": "done", "progress": 70, "version": 0})
    activity.refresh_from_db()
    assert (activity.status, activity.progress) == ("done", 100)


@pytest.mark.django_db
@pytest.mark.ladder("platform_app:activity-report")
def test_who_may_report(client):
    ana, beto = MemberFactory(), MemberFactory()
    activity = make_activity(ana)
    data = {"status": "in_progress", "progress": 90, "version": 0}

    client.force_login(beto.user)  # a member, but not responsible for it
    assert (
        report_url(activity) not in client.get(reverse("platform_app:work-plan")).content.decode()
    )
    assert client.get(report_url(activity)).status_code == 403
    assert client.post(report_url(activity), data).status_code == 403

    client.logout()
    anonymous = client.post(report_url(activity), data)
    assert anonymous.status_code == 302
    assert "/cuentas/login/" in anonymous["Location"]

    ana.status = "left"  # a member who left is no longer responsible for anything
    ana.save()
    client.force_login(ana.user)
    assert client.post(report_url(activity), data).status_code == 403
    activity.refresh_from_db()
    assert activity.progress == 20

    client.force_login(UserFactory(role=Role.COORDINATOR))
    assert client.post(report_url(activity), data).status_code == 302
    activity.refresh_from_db()
    assert activity.progress == 90


@pytest.mark.django_db
def test_a_report_from_an_old_copy_is_refused_and_keeps_what_was_typed(client):
    ana, beto = MemberFactory(), MemberFactory()
    activity = make_activity(ana, beto)
    client.force_login(beto.user)
    client.post(report_url(activity), {"status": "in_progress", "progress": 50, "version": 0})

    client.force_login(ana.user)  # Ana's form was opened before Beto's report
    response = client.post(
        report_url(activity), {"status": "in_progress", "progress": 35, "version": 0}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Alguien más informó sobre esta actividad" in page
    assert 'value="35"' in page
    activity.refresh_from_db()
    assert (activity.progress, activity.version) == (50, 1)

    # Sending again, knowingly, replaces Beto's report.
    again = client.post(
        report_url(activity), {"status": "in_progress", "progress": 35, "version": 1}
    )
    assert again.status_code == 302
    activity.refresh_from_db()
    assert (activity.progress, activity.version) == (35, 2)


@TRANSACTIONAL
def test_two_reports_at_the_same_moment_one_wins_the_other_is_told():
    ana, beto = MemberFactory(), MemberFactory()
    activity = make_activity(ana, beto)
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def report(member, progress: int) -> None:
        try:
            barrier.wait(timeout=5)
            activity_report(
                activity=activity,
                user=member.user,
                status=Activity.Status.IN_PROGRESS,
                progress=progress,
                version=0,
            )
            outcomes[progress] = "saved"
        except StaleEdit:
            outcomes[progress] = "stale"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=report, args=(ana, 40)),
        threading.Thread(target=report, args=(beto, 70)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["saved", "stale"]
    activity.refresh_from_db()
    winner = next(p for p, outcome in outcomes.items() if outcome == "saved")
    assert (activity.progress, activity.version) == (winner, 1)


@pytest.mark.django_db
def test_the_work_plan_api_reads_by_district_and_reports_with_the_version(other_district):
    ana, beto = MemberFactory(), MemberFactory()
    activity = make_activity(ana)
    ObjectiveFactory(district=other_district, title="De otro distrito")
    api = APIClient()
    assert api.get("/api/platform/objectives/").status_code in (401, 403)

    api.force_authenticate(beto.user)
    objectives = api.get("/api/platform/objectives/").json()["results"]
    assert [(o["title"], o["progress"]) for o in objectives] == [("Plataforma instalada", 20)]
    url = f"/api/platform/activities/{activity.pk}/"
    assert api.patch(url, {"progress": 80, "version": 0}).status_code == 403  # not his

    api.force_authenticate(ana.user)
    assert api.patch(url, {"progress": 80}).status_code == 400  # which version?
    assert api.patch(url, {"progress": 80, "version": 0}).json()["version"] == 1
    stale = api.patch(url, {"progress": 10, "version": 0})
    assert stale.status_code == 409
    assert stale.json()["current"]["progress"] == 80
    activity.refresh_from_db()
    assert (activity.progress, activity.version) == (80, 1)

    api.force_authenticate(UserFactory(role=Role.RESIDENT))
    assert api.get("/api/platform/activities/").json()["count"] == 0


@pytest.mark.django_db
def test_a_coordinator_adds_an_objective_and_an_activity_with_responsible_members(client):
    ana = MemberFactory(user__first_name="Ana", user__last_name="Quispe")
    client.force_login(UserFactory(role=Role.COORDINATOR))
    assert (
        reverse("platform_app:objective-create")
        in client.get(reverse("platform_app:work-plan")).content.decode()
    )
    response = client.post(
        reverse("platform_app:objective-create"),
        {"axis": "festival", "title": "Festival en los cinco sectores", "description": ""},
    )
    objective = Objective.objects.get(title="Festival en los cinco sectores")
    assert response["Location"].endswith(f"#objective-{objective.pk}")

    url = reverse("platform_app:activity-create", args=[objective.pk])
    data = {
        "title": "Taller de organización de eventos",
        "responsible": [ana.pk],
        "starts_on": "2030-03-10",
        "due_on": "2030-03-01",  # before the start
        "weight": 2,
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "no puede ser anterior al inicio" in refused.content.decode()
    assert 'value="Taller de organización de eventos"' in refused.content.decode()
    data["due_on"] = "2030-04-30"
    assert client.post(url, data).status_code == 302
    activity = Activity.objects.get(objective=objective)
    assert (activity.weight, list(activity.responsible.all())) == (2, [ana])
    assert (
        "Taller de organización de eventos"
        in client.get(reverse("platform_app:work-plan")).content.decode()
    )


@pytest.mark.django_db
@pytest.mark.ladder("platform_app:objective-create", "platform_app:activity-create")
def test_members_follow_the_work_plan_but_do_not_add_to_it(client):
    member = MemberFactory()
    objective = ObjectiveFactory()
    client.force_login(member.user)
    plan = client.get(reverse("platform_app:work-plan")).content.decode()
    assert reverse("platform_app:objective-create") not in plan
    assert client.get(reverse("platform_app:objective-create")).status_code == 403
    url = reverse("platform_app:activity-create", args=[objective.pk])
    assert client.post(url, {"title": "x"}).status_code == 403
    assert not Activity.objects.exists()
