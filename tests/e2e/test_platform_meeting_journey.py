"""A coordinator plans a monthly series, members are convened with a calendar file, attendance
is taken, the minutes record two agreements, and the responsible member follows one up to done
from "my agreements"; the other, still open, is on the next meeting's agenda."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from platform_app.models import Agreement, Meeting
from platform_app.permissions import Role
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory
from tests.factories_mapping import PublicSpaceFactory
from tests.factories_platform import MemberFactory
from tests.imagefiles import pdf_bytes

pytestmark = TRANSACTIONAL


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_meeting_series_to_agreement_done(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    UserFactory(email="coordinadora@example.org", role=Role.COORDINATOR)
    ana = MemberFactory(
        user__email="ana@example.org", user__first_name="Ana", user__last_name="Quispe"
    )
    MemberFactory(user__email="beto@example.org", user__first_name="Beto", user__last_name="Ramos")
    park = PublicSpaceFactory(name="Parque Santa Rosa")

    # The coordinator plans three monthly meetings in one step.
    sign_in(page, "coordinadora@example.org")
    page.get_by_role("link", name="My platform").click()
    page.get_by_role("link", name="Plan a monthly series").click()
    first = timezone.localtime() + timedelta(days=2)
    page.get_by_label("First meeting starts at").fill(first.strftime("%Y-%m-%dT19:00"))
    page.get_by_label("Number of monthly meetings").fill("3")
    page.get_by_label("Public space").select_option(label="Parque Santa Rosa")
    page.get_by_label("Standing agenda (one item per line)").fill("Report of the coordination")
    page.get_by_role("button", name="Plan the series").click()
    expect(page.get_by_role("status")).to_contain_text("3 monthly meetings have been planned")
    meetings = list(Meeting.objects.order_by("starts_at"))
    assert len(meetings) == 3

    # Each member received the convocation of the first meeting with its .ics attached.
    convocations = [m for m in mail.outbox if m.to == ["ana@example.org"]]
    assert len(convocations) == 1
    name, content, mimetype = convocations[0].attachments[0]
    assert name.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "America/Lima"
    assert str(event["UID"]) == f"meeting-{meetings[0].uid}@santaanita.platform"
    assert str(event["LOCATION"]) == "Parque Santa Rosa"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (
        park.centroid_lat,
        park.centroid_lon,
    )

    # Attendance on the day, one tap per member.
    page.goto(f"/plataforma/reuniones/{meetings[0].pk}/")
    expect(page.get_by_role("link", name="Parque Santa Rosa")).to_have_attribute(
        "href", park.get_absolute_url()
    )
    page.get_by_role("link", name="Attendance").click()
    page.get_by_role("button", name="Ana Quispe: absent").click()
    expect(page.get_by_role("button", name="Ana Quispe: present")).to_be_visible()
    expect(page.locator("#attendance-summary")).to_contain_text("1 of 2 present")

    # Minutes of the agenda item with two agreements.
    page.goto(f"/plataforma/reuniones/{meetings[0].pk}/acta/")
    page.get_by_label("Minutes of item 1").fill("The coordination reported on the festival.")
    page.get_by_role("button", name="Save minutes").click()
    expect(page.get_by_role("status")).to_contain_text("Minutes saved")
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    for description, people in (
        ("Paint the benches of Parque Santa Rosa", ["Ana Quispe"]),
        ("Ask the municipality for two new lamps", ["Ana Quispe", "Beto Ramos"]),
    ):
        page.get_by_text("Record an agreement on item 1").click()
        page.get_by_label("Agreement:", exact=True).fill(description)
        for person in people:
            page.get_by_label(person).check()
        page.get_by_label("Due date").fill(due)
        page.get_by_role("button", name="Record agreement").click()
        expect(page.get_by_role("status")).to_contain_text("Agreement recorded")
    assert Agreement.objects.count() == 2
    _sign_out(page)

    # The responsible member finds it under "my agreements" and reports it done.
    sign_in(page, "ana@example.org")
    page.get_by_role("link", name="My agreements").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My agreements")
    page.get_by_role("link", name="Paint the benches of Parque Santa Rosa").click()
    page.get_by_label("Status").select_option("done")
    page.get_by_label("Progress (%)").fill("100")
    page.get_by_label("Comment").fill("Benches painted with the neighbours on Saturday.")
    pdf = pdf_bytes()
    page.get_by_label("Evidence file").set_input_files(
        files=[{"name": "fotos.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    page.get_by_role("button", name="Post follow-up").click()
    expect(page.get_by_role("status")).to_contain_text("Your follow-up has been recorded")
    evidence = page.get_by_role("link", name="Evidence file: fotos.pdf")
    expect(evidence).to_be_visible()
    # Served by the view that checks who asks, under the name it was uploaded with.
    download = page.request.get(evidence.get_attribute("href"))
    assert download.body() == pdf
    assert 'filename="fotos.pdf"' in download.headers["content-disposition"]
    painted = Agreement.objects.get(description__startswith="Paint")
    assert (painted.status, painted.progress) == ("done", 100)
    assert ana.pk in painted.responsible.values_list("pk", flat=True)

    # The next ordinary meeting's agenda carries the open agreement, not the finished one.
    page.goto(f"/plataforma/reuniones/{meetings[1].pk}/")
    agenda = page.get_by_role("list").filter(has_text="Report of the coordination")
    expect(agenda).to_contain_text("Ask the municipality for two new lamps")
    expect(agenda).not_to_contain_text("Paint the benches")
