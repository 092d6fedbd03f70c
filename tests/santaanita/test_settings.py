"""Configuration comes from the environment only; production refuses to start half-set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from santaanita.env import env_bool, env_list, env_str, media_storage_config

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "x7Qp9!vR2#mZ8@wL5$tN1^bH6&jC4*eF0(gY3)sD" * 2


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    ignored = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_boolean_variables_reject_anything_but_true_or_false(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "yes")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be true or false"):
        env_bool("SOME_FLAG", False)
    monkeypatch.setenv("SOME_FLAG", "False")
    assert env_bool("SOME_FLAG", True) is False


def test_secrets_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("MY_SECRET_FILE", str(secret))
    assert env_str("MY_SECRET") == "from-a-file"


def test_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example.org, b.example.org,")
    assert env_list("HOSTS", []) == ["a.example.org", "b.example.org"]


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="espacios.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is required in production" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", DJANGO_ENV="production", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is required in production" in result.stderr


def test_production_profile_passes_check_deploy_without_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="espacios.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Only the two checks settings.py silences, each with its reason (an email unique only
    # when present; sign-up requires an email or a mobile): any other would show here.
    assert "System check identified no issues (2 silenced)." in result.stdout
    assert sorted(django_settings.SILENCED_SYSTEM_CHECKS) == ["account.W001", "auth.W004"]


def test_embedded_default_uses_sqlite_in_wal_mode_with_immediate_transactions(settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the suite is running on PostgreSQL")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]


@pytest.mark.parametrize(
    ("host", "expected"),
    [("192.168.1.20", "'192.168.1.20'"), ("0.0.0.0", "['*']"), ("127.0.0.1", "'localhost'")],  # noqa: S104
)
def test_the_address_make_run_listens_on_is_an_allowed_host(host, expected):
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.ALLOWED_HOSTS)", HOST=host
    )
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


def test_media_go_to_a_folder_unless_a_bucket_is_named():
    none = {"endpoint_url": None, "region": None, "access_key": None, "secret_key": None}
    local = media_storage_config(None, bucket=None, **none)
    assert local == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    by_url = media_storage_config(
        "s3://espacios?endpoint_url=http://127.0.0.1:9000&region=us-east-1", bucket=None, **none
    )
    assert by_url["BACKEND"] == "storages.backends.s3.S3Storage"
    assert by_url["OPTIONS"] == {
        "bucket_name": "espacios",
        "endpoint_url": "http://127.0.0.1:9000",
        "region_name": "us-east-1",
        # Unsigned: a public file's URL is plain; private ones are presigned by the view.
        "querystring_auth": False,
        "file_overwrite": False,
        "default_acl": None,
    }
    by_aws = media_storage_config(None, bucket="espacios", **{**none, "region": "sa-east-1"})
    assert by_aws["OPTIONS"]["region_name"] == "sa-east-1"
    with pytest.raises(ImproperlyConfigured):
        media_storage_config("https://espacios", bucket=None, **none)
