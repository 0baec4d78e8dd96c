"""Uploads go through Django's storage API (STORAGES["private"]), so a deployment can keep them in an
S3-compatible bucket: here an in-memory storage stands in for one, with no local path at all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import InMemoryStorage, storages
from django.urls import reverse

from councils.uploads import private_storage
from demo.providers import tiny_pdf
from providers.models import ComplianceDocument
from providers.tests.test_compliance import upload

IN_MEMORY = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture
def in_memory(settings, tmp_path):
    settings.STORAGES = IN_MEMORY
    # Anything written to the local disk by mistake would land here.
    settings.MEDIA_ROOT = tmp_path / "media"
    return storages["private"]


def test_an_upload_and_its_download_need_no_local_path(in_memory, client_for, people, organisation):
    client = client_for(people["provider_admin"])
    assert upload(client, organisation, "Insurance.pdf", tiny_pdf("Insurance")).status_code == 302

    document = ComplianceDocument.objects.get(organisation=organisation)
    assert isinstance(in_memory, InMemoryStorage)
    assert in_memory.exists(document.file.name)
    # Nothing on a disk behind it.
    assert not Path(in_memory.path(document.file.name)).exists()
    assert not Path(settings.MEDIA_ROOT).exists()

    response = client.get(reverse("providers:document_download", args=[organisation.pk, document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == tiny_pdf("Insurance")


def test_removing_a_document_deletes_it_from_the_storage(
    in_memory, client_for, people, organisation, django_capture_on_commit_callbacks
):
    client = client_for(people["provider_admin"])
    upload(client, organisation, "Insurance.pdf", tiny_pdf("Insurance"))
    document = ComplianceDocument.objects.get(organisation=organisation)
    name = document.file.name
    url = reverse("providers:document_remove", args=[organisation.pk, document.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not in_memory.exists(name)


def test_without_s3_settings_uploads_stay_local_and_private(settings):
    assert settings.STORAGES["private"]["BACKEND"] == "councils.uploads.PrivateStorage"
    assert private_storage.location.endswith("private")
    with pytest.raises(ValueError, match="permission-checked view"):
        private_storage.url("compliance/x.pdf")


def test_s3_settings_switch_uploads_to_the_bucket():
    """config/settings.py read with COMMISSIONER_S3_BUCKET set (in a fresh interpreter: settings are read once)."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup();"
        "from django.conf import settings; from councils.uploads import private_storage as p;"
        "print(settings.STORAGES['default']['BACKEND']); print(type(p._storage()).__name__);"
        "print(p.bucket_name, p.location, p.endpoint_url, p.region_name, p.default_acl, p.access_key);"
        "\ntry:\n p.url('bids/x.pdf')\nexcept ValueError as e: print('no url')"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "COMMISSIONER_S3_BUCKET": "council-documents",
        "COMMISSIONER_S3_ENDPOINT_URL": "https://s3.example.org",
        "COMMISSIONER_S3_REGION": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "test-key-id",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(  # noqa: S603 (this interpreter, our own code)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    assert result.stdout.splitlines() == [
        "storages.backends.s3.S3Storage",
        "PrivateS3Storage",
        "council-documents private https://s3.example.org eu-west-2 None test-key-id",
        "no url",
    ]
