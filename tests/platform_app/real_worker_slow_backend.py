"""File email backend that waits while ``<outbox>/stall`` exists (real-worker test only)."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend


class StallingFileBackend(EmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        flag = Path(settings.EMAIL_FILE_PATH) / "stall"
        while flag.exists():
            time.sleep(0.1)
        return super().send_messages(email_messages)
