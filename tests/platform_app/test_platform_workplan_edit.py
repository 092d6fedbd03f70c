"""Coordinators change the work plan from its pages: an activity's plan (title, responsible
members, dates, weight) and an objective. An edit made from an old copy never overwrites a
newer one; what was typed stays on the form."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from platform_app.models import Activity, Objective
from platform_app.permissions import Role
from platform_app.services.workplan import activity_report, activity_update
from santaanita.versioned import StaleEdit
from tests.conftest import TRANSACTIONAL
from tests.factories import UserFactory
from tests.factories_platform import MemberFactory, ObjectiveFactory, platform_admin
from tests.factories_registry import OrganizationFactory

LOGIN = "/cuentas/login/"


def make_activity(objective: Objective, *responsible, **fields) -> Activity:
    values = {
        "title": "Redactar el reglamento interno",
        "starts_on": date(2030, 1, 1),
        "due_on": date(2030, 3, 1),
        **fields,
    }
    activity = Activity.objects.create(objective=objective, **values)
    activity.responsible.set(responsible)
    return activity


def edit_url(activity: Activity) -> str:
    return reverse("platform_app:activity-edit", args=[activity.pk])


def objective_url(objective: Objective) -> str:
    return reverse("platform_app:objective-edit", args=[objective.pk])


def plan_data(activity: Activity, **changes) -> dict:
    data = {
        "title": activity.title,
        "responsible": [m.pk for m in activity.responsible.all()],
        "starts_on": activity.starts_on.isoformat(),
        "due_on": activity.due_on.isoformat(),
        "weight": activity.weight,
        "version": activity.version,
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_a_coordinator_replans_an_activity_and_the_objective_weighs_it_anew(client, coordinator):
    ana = MemberFactory()
    objective = ObjectiveFactory(title="Plataforma instalada")
    make_activity(objective, title="Reglamento", progress=100, status="done")
    late = make_activity(objective, ana, title="Taller", progress=0, updated_by=ana.user)
    plan = client.get(reverse("platform_app:work-plan")).content.decode()
    assert edit_url(late) in plan
    assert objective_url(objective) in plan
    assert "50 %" in plan

    form = client.get(edit_url(late))
    assert form.status_code == 200
    assert 'value="Taller"' in form.content.decode()

    response = client.post(
        edit_url(late),
        plan_data(late, title="Taller de reglamento", due_on="2030-06-30", weight=3),
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#activity-{late.pk}")
    late.refresh_from_db()
    assert (late.title, late.due_on, late.weight, late.version) == (
        "Taller de reglamento",
        date(2030, 6, 30),
        3,
        1,
    )
    # The change of plan is not a progress report: those values and their author stay.
    assert (late.status, late.progress, late.updated_by) == ("planned", 0, ana.user)
    assert list(late.responsible.all()) == [ana]
    assert objective.rolled_up_progress() == 25  # 100 × 1 + 0 × 3 over a weight of 4
    assert "25 %" in client.get(reverse("platform_app:work-plan")).content.decode()


@pytest.mark.django_db
def test_a_change_of_plan_from_an_old_copy_is_refused_and_keeps_what_was_typed(client, coordinator):
    ana = MemberFactory()
    activity = make_activity(ObjectiveFactory(), ana)
    read_at = activity.version
    # Ana reports progress after the coordinator opened the form.
    activity_report(activity=activity, user=ana.user, status="in_progress", progress=40, version=0)

    typed = plan_data(activity, title="Reglamento aprobado", weight=7, version=read_at)
    response = client.post(edit_url(activity), typed)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert "40 %" in errors[0]  # the current values are told
    page = response.content.decode()
    assert 'value="Reglamento aprobado"' in page
    assert 'value="7"' in page
    assert 'name="version" value="1"' in page  # the next send is made from the current copy
    activity.refresh_from_db()
    assert (activity.title, activity.weight, activity.progress, activity.version) == (
        "Redactar el reglamento interno",
        1,
        40,
        1,
    )

    # Sending again, knowingly, replaces the plan (and keeps Ana's report).
    again = client.post(edit_url(activity), {**typed, "version": 1})
    assert again.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.weight, activity.progress, activity.version) == (
        "Reglamento aprobado",
        7,
        40,
        2,
    )


@pytest.mark.django_db
def test_an_end_before_the_start_is_a_field_error_and_nothing_changes(client, coordinator):
    activity = make_activity(ObjectiveFactory())
    response = client.post(
        edit_url(activity),
        plan_data(
            activity, title="Con fechas al revés", starts_on="2030-05-01", due_on="2030-04-01"
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "no puede ser anterior al inicio" in " ".join(form.errors["due_on"])
    assert 'value="Con fechas al revés"' in response.content.decode()
    activity.refresh_from_db()
    assert (activity.title, activity.due_on, activity.version) == (
        "Redactar el reglamento interno",
        date(2030, 3, 1),
        0,
    )


@pytest.mark.django_db
def test_a_member_who_left_stays_responsible_until_the_coordinator_unticks_them(
    client, coordinator
):
    ana, beto = MemberFactory(), MemberFactory()
    activity = make_activity(ObjectiveFactory(), ana, beto)
    ana.status = "left"
    ana.save()
    client.post(edit_url(activity), plan_data(activity, weight=2))
    assert set(activity.responsible.all()) == {ana, beto}

    activity.refresh_from_db()
    client.post(edit_url(activity), plan_data(activity, responsible=[beto.pk]))
    assert list(activity.responsible.all()) == [beto]


@pytest.mark.django_db
def test_a_coordinator_edits_an_objective_and_a_stale_edit_is_refused(client, coordinator):
    objective = ObjectiveFactory(title="Plataforma instalada", axis="platform")
    ObjectiveFactory(axis="festival")
    data = {"axis": "festival", "title": "Festival en marcha", "description": "Dos ediciones"}

    response = client.post(objective_url(objective), {**data, "version": 0})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#objective-{objective.pk}")
    objective.refresh_from_db()
    assert (objective.axis, objective.title, objective.description, objective.version) == (
        "festival",
        "Festival en marcha",
        "Dos ediciones",
        1,
    )
    assert objective.order == 2  # after the festival's existing objective

    # A second coordinator's form was read at version 0.
    client.force_login(UserFactory(role=Role.COORDINATOR))
    stale = client.post(objective_url(objective), {**data, "title": "Otro título", "version": 0})
    assert stale.status_code == 200
    assert len(stale.context["form"].non_field_errors()) == 1
    page = stale.content.decode()
    assert 'value="Otro título"' in page
    assert 'name="version" value="1"' in page
    objective.refresh_from_db()
    assert (objective.title, objective.version) == ("Festival en marcha", 1)

    blank = client.post(objective_url(objective), {**data, "title": "", "version": 1})
    assert blank.status_code == 200
    assert "title" in blank.context["form"].errors


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["activity", "objective"])
@pytest.mark.ladder("platform_app:objective-edit", "platform_app:activity-edit")
def test_who_may_edit_the_work_plan(client, other_district, page):
    objective = ObjectiveFactory()
    activity = make_activity(objective)
    if page == "activity":
        url, data = edit_url(activity), plan_data(activity, title="Cambiado")
    else:
        url = objective_url(objective)
        data = {"axis": "platform", "title": "Cambiado", "description": "", "version": 0}

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert LOGIN in anonymous["Location"]
    assert LOGIN in client.post(url, data)["Location"]

    # A resident does not learn the plan exists; a member reads it but does not change it.
    client.force_login(UserFactory(role=Role.RESIDENT))
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    member = MemberFactory()
    client.force_login(member.user)
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert url not in client.get(reverse("platform_app:work-plan")).content.decode()

    client.force_login(UserFactory(role=Role.COORDINATOR, district=other_district))
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404

    activity.refresh_from_db()
    objective.refresh_from_db()
    assert "Cambiado" not in (activity.title, objective.title)

    client.force_login(UserFactory(role=Role.COORDINATOR))
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 302
    changed = activity if page == "activity" else objective
    changed.refresh_from_db()
    assert changed.title == "Cambiado"


@pytest.mark.django_db
@pytest.mark.ladder("PATCH platform-activity-detail")
def test_the_api_changes_the_plan_through_the_same_rules(other_district):
    ana, beto = MemberFactory(), MemberFactory()
    outsider = MemberFactory(district=other_district)
    activity = make_activity(ObjectiveFactory(), ana, progress=30)
    url = f"/api/platform/activities/{activity.pk}/"
    api = APIClient()

    api.force_authenticate(ana.user)  # responsible, so she reports; the plan is not hers
    assert api.patch(url, {"weight": 5, "version": 0}).status_code == 403

    api.force_authenticate(UserFactory(role=Role.COORDINATOR))
    assert api.patch(url, {"weight": 5}).status_code == 400  # which version?
    mixed = api.patch(url, {"weight": 5, "progress": 90, "version": 0})
    assert mixed.status_code == 400
    backwards = api.patch(url, {"due_on": "2029-12-01", "version": 0})
    assert backwards.status_code == 400
    assert "due_on" in backwards.json()
    assert api.patch(url, {"responsible": [outsider.pk], "version": 0}).status_code == 400

    changed = api.patch(
        url, {"weight": 5, "responsible": [ana.pk, beto.pk], "version": 0}, format="json"
    )
    assert changed.status_code == 200
    assert (changed.json()["weight"], changed.json()["version"]) == (5, 1)
    stale = api.patch(url, {"title": "Tarde", "version": 0})
    assert stale.status_code == 409
    assert stale.json()["current"]["weight"] == 5
    activity.refresh_from_db()
    assert (activity.weight, activity.progress, activity.version) == (5, 30, 1)
    assert set(activity.responsible.all()) == {ana, beto}

    api.force_authenticate(ana.user)  # her report now needs the new version
    assert api.patch(url, {"progress": 60, "version": 0}).status_code == 409
    assert api.patch(url, {"progress": 60, "version": 1}).status_code == 200


@TRANSACTIONAL
def test_two_changes_of_plan_at_the_same_moment_one_wins_the_other_is_told():
    activity = make_activity(ObjectiveFactory())
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def replan(weight: int) -> None:
        try:
            barrier.wait(timeout=5)
            activity_update(
                activity=Activity.objects.select_related("objective").get(pk=activity.pk),
                version=0,
                title=activity.title,
                starts_on=activity.starts_on,
                due_on=activity.due_on,
                weight=weight,
                responsible=[],
                actor=platform_admin(),
            )
            outcomes[weight] = "saved"
        except StaleEdit:
            outcomes[weight] = "stale"
        finally:
            connection.close()

    threads = [threading.Thread(target=replan, args=(w,)) for w in (2, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["saved", "stale"]
    activity.refresh_from_db()
    winner = next(w for w, outcome in outcomes.items() if outcome == "saved")
    assert (activity.weight, activity.version) == (winner, 1)


@pytest.mark.django_db
def test_the_admin_shows_plan_and_registry_records_but_changes_none(client, coordinator):
    # One write path: a save in the admin would skip the services' history, lock and
    # version, so the admin only reads these records, superusers included.
    objective = ObjectiveFactory(title="Plataforma instalada")
    activity = make_activity(objective, title="Reglamento")
    organization = OrganizationFactory(name="Club Los Ficus")
    root = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    admin = APIClient()  # a second browser
    admin.force_login(root)
    versions = [organization.version, objective.version, activity.version]
    for record in (organization, objective, activity):
        name = f"admin:platform_app_{record._meta.model_name}"
        change = reverse(f"{name}_change", args=[record.pk])
        assert admin.get(reverse(f"{name}_changelist")).status_code == 200
        page = admin.get(change)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert admin.post(change, {"title": "Cambiado", "name": "Cambiado"}).status_code == 403
        assert admin.get(reverse(f"{name}_add")).status_code == 403
        delete = reverse(f"{name}_delete", args=[record.pk])
        assert admin.post(delete, {"post": "yes"}).status_code == 403
    organization.refresh_from_db()
    objective.refresh_from_db()
    activity.refresh_from_db()
    assert (organization.name, objective.title, activity.title) == (
        "Club Los Ficus",
        "Plataforma instalada",
        "Reglamento",
    )
    assert [organization.version, objective.version, activity.version] == versions

    # The work-plan pages still change them, through the services.
    response = client.post(edit_url(activity), plan_data(activity, weight=5))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.weight, activity.version) == (5, versions[2] + 1)
