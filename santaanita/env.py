"""Typed readers for configuration that comes from the environment only.

Every knob of the platform is read here or in settings.py through these helpers, so that a
typo in a deployment (``DEBUG=yes``) fails loudly instead of silently meaning something else.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import overload
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


@overload
def env_str(name: str) -> str | None: ...
@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: str | None) -> str | None: ...


def env_str(name: str, default: str | None = None) -> str | None:
    """A string variable; ``NAME_FILE`` (a path) wins so secrets can come from mounted files."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_required(name: str) -> str:
    value = env_str(name)
    if value is None:
        raise ImproperlyConfigured(f"The environment variable {name} is required in production.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def local_secret_key(data_dir: Path) -> str:
    """The embedded default's key: generated once into data/ (mode 600), never a literal."""
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(64))
    return key_file.read_text(encoding="utf-8").strip()


def media_storage_config(
    url: str | None,
    *,
    bucket: str | None,
    endpoint_url: str | None,
    region: str | None,
    access_key: str | None,
    secret_key: str | None,
) -> dict[str, object]:
    """The default storage: a local folder, or an S3-compatible bucket shared by every machine.

    ``url`` is ``s3://bucket?endpoint_url=…&region=…`` (access keys may ride along as
    ``access_key``/``secret_key``); without it, ``bucket`` (AWS_STORAGE_BUCKET_NAME) switches
    to S3 with the other AWS_* values. Unsigned ``url()`` on purpose: public files get their
    plain public URL, and a private file's URL is presigned only by the view that checked who
    asks (santaanita.files.serve_private).
    """
    if url:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ImproperlyConfigured(f"MEDIA_STORAGE_URL must be s3://bucket?…, not {url!r}.")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        bucket = parts.netloc
        endpoint_url = query.get("endpoint_url", endpoint_url)
        region = query.get("region", query.get("region_name", region))
        access_key = query.get("access_key", access_key)
        secret_key = query.get("secret_key", secret_key)
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options: dict[str, object] = {
        "bucket_name": bucket,
        "querystring_auth": False,
        "file_overwrite": False,
        "default_acl": None,
    }
    extra = {
        "endpoint_url": endpoint_url,
        "region_name": region,
        "access_key": access_key,
        "secret_key": secret_key,
    }
    options.update({key: value for key, value in extra.items() if value})
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
