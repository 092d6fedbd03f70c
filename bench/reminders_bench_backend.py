"""Email backend of the reminders benchmark: counts every send per Message-ID in Redis, so
the benchmark sees a duplicate even if two worker processes sent the same delivery."""

from __future__ import annotations

import redis
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

COUNTS_KEY = "bench:reminders:sent"


class CountingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        client = redis.Redis.from_url(settings.REDIS_URL)
        pipe = client.pipeline()
        for message in email_messages:
            pipe.hincrby(COUNTS_KEY, message.extra_headers["Message-ID"], 1)
        pipe.execute()
        return len(email_messages)
