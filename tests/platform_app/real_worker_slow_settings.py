"""Settings of the platform's real-worker test only: the worker sends through an email backend
that stalls while a flag file exists, so the test can kill it between claim and send."""

from santaanita.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.platform_app.real_worker_slow_backend.StallingFileBackend"
