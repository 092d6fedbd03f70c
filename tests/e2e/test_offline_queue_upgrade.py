"""A tablet or phone still holds what the pages kept offline before they shared one queue:
the judge screen's changes by team, the surveyor's list with its photos in their own list,
the perception survey's list. The connection is back when the page opens: it rewrites what
the device holds in the one format, the server receives each item exactly once, the old
storage is gone, and opening the page again sends nothing more."""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from festival.models import ScoreSheet
from interventions.models import PerceptionResponse
from mapping.models import Assignment, Survey, SurveyPhoto
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import (
    cut_connection,
    restore_connection,
    sign_in,
)
from tests.factories import UserFactory
from tests.factories_festival import build_festival
from tests.factories_mapping import PublicSpaceFactory
from tests.imagefiles import jpeg_with_gps
from tests.interventions.perception_helpers import setup_survey

pytestmark = TRANSACTIONAL

SUBMITTED = re.compile("^(Puntajes enviados|Scores submitted)$")

# The form's fields as the old survey queue stored them: [name, value] pairs, without the
# CSRF token.
FIELDS_OF_FORM = """(selector) => {
    const fields = [];
    new FormData(document.querySelector(selector)).forEach((value, key) => {
        if (key !== "csrfmiddlewaretoken" && typeof value === "string") fields.push([key, value]);
    });
    return fields;
}"""

SEED = """(entries) => {
    for (const [key, value] of Object.entries(entries)) localStorage.setItem(key, value);
}"""

# The photo's file, where the old survey queue put it before queueing its survey.
SEED_PHOTO_FILE = """([uuid, name, data]) => new Promise((resolve, reject) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const request = indexedDB.open("santaanita-survey-photos", 1);
    request.onupgradeneeded = () => request.result.createObjectStore("photos", { keyPath: "uuid" });
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
        const tx = request.result.transaction("photos", "readwrite");
        const blob = new Blob([bytes], { type: "image/jpeg" });
        tx.objectStore("photos").put({ uuid, name, blob });
        tx.oncomplete = () => resolve(true);
        tx.onerror = () => reject(tx.error);
    };
})"""


def stored(page, key: str):
    value = page.evaluate("(key) => localStorage.getItem(key)", key)
    return None if value is None else json.loads(value)


def record_posts(page, path: str) -> list[str]:
    """The bodies of the POSTs to ``path`` that reached the server and were answered."""
    bodies: list[str] = []

    def finished(request) -> None:
        if request.method == "POST" and request.url.split("?")[0].endswith(path):
            bodies.append(request.post_data or "")

    page.on("requestfinished", finished)
    return bodies


def test_a_judge_tablet_with_changes_kept_by_team_sends_each_once(page):
    festival = build_festival(teams=2, judges=2)
    first, second = festival.teams
    judge, colleague = festival.judges
    sign_in(page, festival.judge_user(0).email)
    page.goto("/festival/jurado/")
    expect(page.get_by_role("heading", level=1)).to_have_text(festival.stage.name)
    endpoint = page.locator("[data-judge-screen]").get_attribute("data-endpoint")
    posts = record_posts(page, endpoint)

    started = datetime.now(tz=UTC) - timedelta(minutes=10)

    def change(team, marks, minutes):
        return {
            "team": team.pk,
            "values": {str(c.pk): m for c, m in zip(festival.criteria, marks, strict=True)},
            "comment": f"Visto a las {minutes}",
            "submit": True,
            "client_updated_at": (started + timedelta(minutes=minutes)).isoformat(),
            "idempotency_key": str(uuid.uuid4()),
        }

    mine = {
        str(first.pk): change(first, (8, 7, 9), 1),
        str(second.pk): change(second, (6, 5, 4), 2),
    }
    theirs = {str(first.pk): change(first, (3, 3, 3), 3)}
    page.evaluate(
        SEED,
        {
            f"festival:queue:{judge.pk}": json.dumps(mine),
            f"festival:queue:{colleague.pk}": json.dumps(theirs),
        },
    )

    page.reload()
    for team in (first, second):
        expect(page.locator(f"#perf-{team.pk} [data-status]")).to_have_text(SUBMITTED)
    assert stored(page, f"festival:queue:{judge.pk}") is None
    assert stored(page, f"festival:queue:{colleague.pk}") is None
    assert stored(page, f"santaanita:judge-queue:{judge.pk}") == []
    # The colleague's change waits in their queue for their own screen.
    assert [item["uuid"] for item in stored(page, f"santaanita:judge-queue:{colleague.pk}")] == [
        theirs[str(first.pk)]["idempotency_key"]
    ]
    sent = sorted(json.loads(body)["idempotency_key"] for body in posts)
    assert sent == sorted(c["idempotency_key"] for c in mine.values())

    # Opened again, the screen finds nothing left to send (it says so once its queue ran).
    page.reload()
    expect(page.locator("[data-connection]")).to_have_attribute("data-kind", "online")
    assert len(posts) == 2
    sheets = {s.team_id: s for s in ScoreSheet.objects.all()}
    assert set(sheets) == {first.pk, second.pk}
    for team in (first, second):
        sheet = sheets[team.pk]
        assert sheet.judge == judge
        assert sheet.idempotency_key == mine[str(team.pk)]["idempotency_key"]
        assert sheet.values == mine[str(team.pk)]["values"]
        assert sheet.is_submitted


def test_a_phone_with_a_survey_and_its_photo_in_the_old_lists_sends_each_once(
    page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    surveyor = UserFactory(email="voluntaria@example.org", role="surveyor")
    space = PublicSpaceFactory(name="Parque Los Ficus")
    Assignment.objects.create(space=space, surveyor=surveyor, assigned_by=surveyor)
    sign_in(page, surveyor.email)
    form_path = f"/mapa/espacios/{space.pk}/ficha/"
    page.goto(form_path)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Parque Los Ficus")

    # The survey as the old form queued it: its fields, its key, its photo waiting apart.
    page.locator("select[name=eq_bench_condition]").select_option("good")
    page.locator("input[name=eq_bench_count]").fill("6")
    for item in ("maintenance", "litter", "perceived_safety"):
        page.locator(f"select[name=q_{item}]").select_option("3")
    fields = page.evaluate(FIELDS_OF_FORM, "form[data-offline-survey]")
    survey_key = dict(fields)["client_uuid"]
    photo_key = str(uuid.uuid4())
    action = page.evaluate("document.querySelector('form[data-offline-survey]').action")
    cut_connection(page.context)
    page.evaluate(
        SEED_PHOTO_FILE, [photo_key, "parque.jpg", base64.b64encode(jpeg_with_gps()).decode()]
    )
    page.evaluate(
        "() => Object.keys(localStorage)"
        ".filter((k) => k.startsWith('santaanita:survey-draft:'))"
        ".forEach((k) => localStorage.removeItem(k))"
    )
    page.evaluate(
        SEED,
        {
            "santaanita:survey-queue": json.dumps(
                [{"uuid": survey_key, "url": action, "fields": fields, "queuedAt": 1}]
            ),
            "santaanita:photo-queue": json.dumps(
                [{"uuid": photo_key, "survey": survey_key, "url": None, "name": "parque.jpg"}]
            ),
        },
    )
    surveys_sent = record_posts(page, form_path)
    photos_sent = record_posts(page, "/fotos/")

    restore_connection(page.context)
    page.reload()
    status = page.locator("#survey-queue-status")
    expect(status).to_have_attribute("data-pending", "0")
    expect(status).to_have_attribute("data-pending-photos", "0")
    expect(status.get_by_role("link")).to_be_visible()
    assert stored(page, "santaanita:survey-queue") == []
    assert stored(page, "santaanita:photo-queue") is None
    assert len(surveys_sent) == 1
    assert f"client_uuid={survey_key}" in surveys_sent[0]
    assert len(photos_sent) == 1

    # Opened again, the form finds nothing left to send (it says so once its queue ran).
    page.reload()
    expect(page.locator("#survey-queue-status")).to_have_attribute("data-pending-photos", "0")
    assert (len(surveys_sent), len(photos_sent)) == (1, 1)
    survey = Survey.objects.get()
    assert str(survey.client_uuid) == survey_key
    photo = SurveyPhoto.objects.get()
    assert photo.survey == survey
    assert str(photo.client_uuid) == photo_key


def test_a_phone_with_perception_answers_in_the_old_list_sends_each_once(page, santa_anita):
    wave = setup_survey(santa_anita)
    volunteer = UserFactory(email="voluntaria@example.org", role="surveyor")
    sign_in(page, volunteer.email)
    page.goto("/percepcion/recoger/")
    page.get_by_role("link", name=wave.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(wave.name)
    collect_path = page.evaluate("location.pathname")

    # Two answers as the old form queued them: the fields and a key made on the phone each.
    answers = []
    for trust in ("De acuerdo", "En desacuerdo"):
        page.get_by_label(re.compile("Leí el texto de consentimiento")).check()
        page.get_by_role("group", name="Confío en mis vecinos.").get_by_label(
            trust, exact=True
        ).check()
        page.get_by_role("group", name="Cuidaría el parque.").get_by_label(
            "Muy de acuerdo", exact=True
        ).check()
        page.get_by_role("group", name="Participo.").get_by_label("A veces", exact=True).check()
        key = str(uuid.uuid4())
        fields = [
            [name, key if name == "client_uuid" else value]
            for name, value in page.evaluate(FIELDS_OF_FORM, "form[data-offline-survey]")
        ]
        action = page.evaluate("document.querySelector('form[data-offline-survey]').action")
        answers.append({"uuid": key, "url": action, "fields": fields, "queuedAt": len(answers)})
    cut_connection(page.context)
    page.evaluate(SEED, {"santaanita:perception-queue": json.dumps(answers)})
    posts = record_posts(page, collect_path)

    restore_connection(page.context)
    page.reload()
    status = page.locator("#survey-queue-status")
    expect(status).to_have_attribute("data-pending", "0")
    assert stored(page, "santaanita:perception-queue") == []
    assert len(posts) == 2

    # Opened again, the form finds nothing left to send (it says so once its queue ran).
    page.reload()
    expect(page.locator("#survey-queue-status")).to_have_attribute("data-pending", "0")
    assert len(posts) == 2
    assert sorted(str(r.client_uuid) for r in PerceptionResponse.objects.all()) == sorted(
        a["uuid"] for a in answers
    )
    assert sorted(r.answers["confianza"] for r in PerceptionResponse.objects.all()) == [2, 4]
