"""Files in S3-compatible object storage are a matter of settings (docs/DEPLOYMENT.md): with
PUSH_S3_BUCKET set, both file storages are the bucket's, under two prefixes, signed URLs only;
without it, the local directories. The settings are read in a fresh process, as a server
starts; django-storages is not needed to read them (it is imported only when a file is)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The settings module itself: django.setup() would build the storages, which needs the package.
PRINT_STORAGES = "import json, config.settings.dev as s; print(json.dumps(s.STORAGES, default=str))"


def storages_with(**env):
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("PUSH_S3_", "PYTEST"))}
    result = subprocess.run(
        [sys.executable, "-c", PRINT_STORAGES],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.dev", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_bucket_puts_media_and_private_files_in_object_storage_with_signed_urls_only():
    storages = storages_with(
        PUSH_S3_BUCKET="push-files", PUSH_S3_ENDPOINT_URL="https://s3.regione.example", PUSH_S3_REGION="eu-south-1"
    )
    for name, prefix in (("default", "media"), ("private", "private")):
        backend, options = storages[name]["BACKEND"], storages[name]["OPTIONS"]
        assert backend == "storages.backends.s3.S3Storage"
        assert (options["bucket_name"], options["location"]) == ("push-files", prefix)
        assert options["endpoint_url"] == "https://s3.regione.example" and options["region_name"] == "eu-south-1"
        assert options["default_acl"] is None and options["querystring_auth"] is True
        assert options["file_overwrite"] is False


def test_without_a_bucket_files_stay_in_the_local_directories():
    storages = storages_with()
    assert storages["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storages["private"]["BACKEND"] == "core.files.PrivateFileSystemStorage"


def test_the_bucket_settings_are_ones_the_s3_storage_accepts():
    """Where django-storages is installed: every option is one S3Storage knows (it refuses
    any other), and a private file's name maps under the private prefix."""
    pytest.importorskip("storages.backends.s3")
    from django.core.files.storage import InvalidStorageError, StorageHandler

    storages = storages_with(PUSH_S3_BUCKET="push-files", PUSH_S3_REGION="eu-south-1")
    handler = StorageHandler({name: storages[name] for name in ("default", "private")})
    try:
        private = handler["private"]
    except InvalidStorageError as error:  # pragma: no cover - the failure this test is for
        pytest.fail(str(error))
    assert private.bucket_name == "push-files" and private.location == "private"
    assert private._normalize_name("designazioni/atto.pdf") == "private/designazioni/atto.pdf"
    assert handler["default"].location == "media"
