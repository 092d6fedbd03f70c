"""Settings of the reminders benchmark (bench/reminders.py), never of the platform: the
platform's own settings with an email backend that counts each message in Redis."""

from santaanita.settings import *  # noqa: F403

EMAIL_BACKEND = "reminders_bench_backend.CountingBackend"
