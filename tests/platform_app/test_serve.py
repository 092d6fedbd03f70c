"""`make run`'s server command on a fresh data folder: the reminder loop beside the web
server sends a reminder that falls due, and stopping the server stops the loop too."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCHEDULE = """
from datetime import timedelta
from django.utils import timezone
from platform_app.services.ledger import delivery_schedule
delivery_schedule(
    recipient="vecina@example.org",
    kind="test.reminder",
    object_key="meeting:1",
    subject="Recordatorio: sesión ordinaria",
    body="Mañana a las 19:00 en el Parque Santa Rosa.",
    send_at=timezone.now() + timedelta(seconds=1),
)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): it has exited and waits for its parent to reap it.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())


def _until(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_the_loop_sends_a_due_reminder_and_stops_with_the_server(tmp_path, migrated_template):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="santaanita.settings")
    manage = [sys.executable, "manage.py"]
    migrate = [["migrate", "--noinput"]]
    if migrated_template.vendor == "sqlite":
        # The embedded mode's database, migrated: a copy of the suite's template, which the
        # same migrations built (on PostgreSQL the suite has no SQLite template to copy).
        migrated_template.clone_to(tmp_path / "db.sqlite3")
        migrate = []
    for command in [*migrate, ["shell", "-c", SCHEDULE]]:
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    outbox = tmp_path / "outbox"
    assert not any(outbox.glob("*")), "a future reminder must wait for the scan"
    time.sleep(1.5)

    port = _free_port()
    server = subprocess.Popen(
        [*manage, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    loop_pid = 0
    try:
        line = ""
        while "Reminder loop started" not in line:
            line = server.stdout.readline()
            assert line, "serve exited before starting the reminder loop"
        loop_pid = int(re.search(r"pid (\d+)", line).group(1))
        assert _until(lambda: any(outbox.glob("*")), 60), "the loop sent nothing"
        sent = "".join(p.read_text() for p in outbox.glob("*"))
        assert "Mañana a las 19:00 en el Parque Santa Rosa." in sent
        assert "To: vecina@example.org" in sent

        def answers() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                    return page.status == 200
            except OSError:
                return False

        assert _until(answers, 30)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
        assert _until(lambda: not _alive(loop_pid), 10), "the reminder loop was orphaned"
    finally:
        if server.poll() is None:
            server.kill()
        if loop_pid and _alive(loop_pid):
            os.kill(loop_pid, signal.SIGKILL)


def _get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""  # not listening yet


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_an_error_in_the_served_platform_shows_the_spanish_page_not_a_traceback(tmp_path):
    # A data folder never migrated: every page that reads the database fails, as a real
    # error would, and the error page itself must not need the database.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update(DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="santaanita.settings")
    minutes = tmp_path / "media" / "public" / "actas" / "acta-marzo.txt"
    minutes.parent.mkdir(parents=True)
    minutes.write_text("Acta de la sesión ordinaria de marzo")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        printed = ""
        while "DEBUG=1 make run" not in printed:
            line = server.stdout.readline()
            assert line, f"serve exited without saying how to debug:\n{printed}"
            printed += line
        assert _until(lambda: _get(port, "/static/css/site.css")[0] == 200, 30)

        status, body = _get(port, "/")
        page = body.decode()
        assert status == 500
        assert "Algo salió mal" in page
        assert "Traceback" not in page
        assert "SECRET_KEY" not in page
        assert str(ROOT) not in page

        assert _get(port, "/media/public/actas/acta-marzo.txt") == (
            200,
            "Acta de la sesión ordinaria de marzo".encode(),
        )
        assert _get(port, "/no-existe/")[0] == 404
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
