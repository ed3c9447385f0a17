"""Long exports of the unit register are written in the background (issue 9): a status page,
then a download link for the person who asked, audited; short exports stay immediate."""

import io

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from core.exports import EXPORT_ACTION
from registry.models import Unit
from tests.conftest import ARCA_SUD_SALENTO


@pytest.fixture
def units(entities, load_stock):
    load_stock(ARCA_SUD_SALENTO, 5)
    return Unit.objects.filter(owner__code=ARCA_SUD_SALENTO)


def _log_entries(user):
    return ModelLogEntry.objects.filter(action=EXPORT_ACTION, user=user)


@override_settings(PUSH_EXPORT_BACKGROUND_ROWS=3)
def test_long_export_runs_in_the_background_and_only_its_requester_downloads_it(
    client, arca_officer, region_admin, units, django_capture_on_commit_callbacks
):
    client.force_login(arca_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("registry_unit_modeladmin_index") + "?export=xlsx")
    assert response.status_code == 302
    status_url = response["Location"]
    assert status_url.startswith("/admin/registry/exports/")

    page = client.get(status_url)
    assert page.status_code == 200
    text = page.content.decode()
    download_url = status_url + "download/"
    assert f'href="{download_url}"' in text
    assert _log_entries(arca_officer).count() == 1  # the export, audited when written

    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Cache-Control"].startswith("private, no-store")
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 1 + units.count()

    # Somebody else, even the Region, finds nothing there.
    client.force_login(region_admin)
    assert client.get(status_url).status_code == 404
    assert client.get(download_url).status_code == 404


@override_settings(PUSH_EXPORT_BACKGROUND_ROWS=3)
def test_background_export_keeps_the_lists_filters(client, arca_officer, units, django_capture_on_commit_callbacks):
    client.force_login(arca_officer)
    one = units.order_by("pk").first()
    Unit.objects.exclude(pk=one.pk).update(status="sold")
    Unit.objects.filter(pk=one.pk).update(status="let")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("registry_unit_modeladmin_index") + "?export=csv&status__exact=sold")
    assert response.status_code == 302
    download = client.get(response["Location"] + "download/")
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    lines = [line for line in content.splitlines() if line]
    assert len(lines) == 1 + units.count() - 1
    assert one.push_id not in content


@override_settings(PUSH_EXPORT_BACKGROUND_ROWS=1000)
def test_short_export_is_immediate(client, arca_officer, units):
    client.force_login(arca_officer)
    response = client.get(reverse("registry_unit_modeladmin_index") + "?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_unknown_export_token_is_404(client, arca_officer, units):
    client.force_login(arca_officer)
    assert client.get(reverse("registry_export_status", args=["0" * 32])).status_code == 404
    assert client.get(reverse("registry_export_download", args=["..%2F..%2Fetc"])).status_code == 404
