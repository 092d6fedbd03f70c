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
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCHEDULE = """
from datetime import timedelta
from django.utils import timezone
from platform_app.services import delivery_schedule
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
def test_the_loop_sends_a_due_reminder_and_stops_with_the_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="santaanita.settings")
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["shell", "-c", SCHEDULE]):
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
