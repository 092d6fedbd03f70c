"""With MEDIA_STORAGE_URL the files live on an S3-compatible store that every machine shares:
tested against a real local server (moto's standalone server), never a mock.

``TEST_S3_ENDPOINT`` names a running server (.ci/run starts one); without it this module
starts its own on a free port and stops it at the end.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interventions.models import Company, PledgeDocument
from platform_app.permissions import Role
from santaanita.env import media_storage_config
from tests.factories import signed_in
from tests.factories_interventions import PledgeFactory
from tests.imagefiles import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

KEYS = {"access_key": "testing", "secret_key": "testing"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(endpoint, timeout=1):  # noqa: S310 (our own local server)
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    given = os.environ.get("TEST_S3_ENDPOINT")
    if given:
        yield given
        return
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not _answers(endpoint):
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("The local S3 server (moto) did not start.")
            time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint, settings) -> str:
    """A fresh bucket on the local server, set up as docs/operations.md tells an operator
    (anyone may read public/, nothing else), and made the default storage."""
    name = f"santaanita-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=name)
    public_read = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{name}/public/*",
    }
    s3.put_bucket_policy(
        Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [public_read]})
    )
    url = (
        f"s3://{name}?endpoint_url={s3_endpoint}&region=us-east-1"
        "&access_key=testing&secret_key=testing"
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": media_storage_config(
            url, bucket=None, endpoint_url=None, region=None, access_key=None, secret_key=None
        ),
    }
    return name


def _fetch(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (the local server)
        return answer.read(), dict(answer.headers)


def test_a_private_document_round_trips_through_the_object_store(client, bucket):
    pledge = PledgeFactory()
    signed_in(client, Role.COORDINATOR)
    content = pdf_bytes()
    client.post(
        reverse("interventions:pledge-document-upload", args=[pledge.pk]),
        {"kind": "receipt", "file": SimpleUploadedFile("recibo marzo.pdf", content)},
    )
    document = PledgeDocument.objects.get()
    assert document.file.name.startswith("private/pledges/")
    assert type(default_storage._wrapped).__name__ == "S3Storage"
    url = reverse("interventions:pledge-document", args=[pledge.pk, document.pk])

    answer = client.get(url)
    assert answer.status_code == 302
    presigned = answer["Location"]
    assert presigned.startswith(f"{document.file.url}?")
    assert "Signature" in presigned
    body, headers = _fetch(presigned)
    assert body == content
    assert headers["Content-Disposition"].startswith("attachment")

    # The store itself refuses the file to anyone without our view's signature.
    with pytest.raises(urllib.error.HTTPError) as refused:
        _fetch(document.file.url)
    assert refused.value.code == 403

    client.logout()
    assert client.get(url).status_code == 404
    signed_in(client, Role.RESIDENT)
    assert client.get(url).status_code == 404


def test_a_public_logo_has_its_plain_public_url(client, bucket):
    signed_in(client, Role.COORDINATOR)
    content = png_bytes()
    client.post(
        reverse("interventions:company-list"),
        {
            "name": "Ferretería Los Andes",
            "ruc": "20131312955",
            "activity": "commerce",
            "logo": SimpleUploadedFile("logo.png", content),
        },
    )
    logo = Company.objects.get().logo
    assert logo.name.startswith("public/logos/")
    assert f"/{bucket}/public/logos/" in logo.url
    assert "Signature" not in logo.url
    body, _headers = _fetch(logo.url)
    # The stored logo is the re-encoded copy of what was sent, and it is what anyone gets.
    assert body == default_storage.open(logo.name).read()
