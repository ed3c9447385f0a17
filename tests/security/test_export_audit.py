"""Every download of data from a report of the admin is written to the audit log, like the
exports of the lists (tests/security/test_admin_list_params.py) and of the riparto."""

from wagtail.models import ModelLogEntry

from core.exports import EXPORT_ACTION
from tests.factories import UserFactory
from tests.helpers import assert_refused_by_admin


def test_site_history_download_is_audited(client, region_admin):
    client.force_login(region_admin)
    response = client.get("/admin/reports/site-history/?export=csv&action=push.export")
    assert response.status_code == 200
    entry = ModelLogEntry.objects.get(action=EXPORT_ACTION, user=region_admin)
    assert entry.data["list"] == "/admin/reports/site-history/"
    assert entry.data["format"] == "csv"
    assert entry.data["filters"] == {"action": ["push.export"]}


def test_every_other_report_download_is_audited(client, db):
    operator = UserFactory(is_superuser=True)
    client.force_login(operator)
    for url in ("/admin/reports/aging-pages/", "/admin/reports/locked/"):
        assert client.get(url + "?export=xlsx").status_code == 200
    entries = ModelLogEntry.objects.filter(action=EXPORT_ACTION, user=operator)
    assert sorted(entry.data["list"] for entry in entries) == ["/admin/reports/aging-pages/", "/admin/reports/locked/"]


def test_looking_at_a_report_is_not_an_export(client, region_admin):
    client.force_login(region_admin)
    assert client.get("/admin/reports/site-history/").status_code == 200
    assert not ModelLogEntry.objects.filter(action=EXPORT_ACTION).exists()


def test_officers_still_cannot_open_the_site_history(client, bari_officer):
    client.force_login(bari_officer)
    assert_refused_by_admin(client.get("/admin/reports/site-history/?export=csv"))
    assert not ModelLogEntry.objects.filter(action=EXPORT_ACTION).exists()
