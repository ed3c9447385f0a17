"""The property register from the attacker's side: the Comune di Bari (and a signed-in
stranger) reaching for the units, buildings, imports and snapshot figures of ARCA Sud
Salento through admin URLs, filters, exports, file downloads and the API."""

import csv
import io
import re
from collections import Counter
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from registry.models import Area, Building, Entity, ImportJob, ImportStatus, PropertyChange, Role, Unit
from registry.stock import services as stock
from tests.conftest import ARCA_SUD_SALENTO, BARI, REGION
from tests.factories import member
from tests.helpers import assert_not_found, assert_redirects_to_login, assert_refused_by_admin

PROBLEM = "application/problem+json"
ARCA_PREFIX = f"{ARCA_SUD_SALENTO}-"
UNIT_INDEX, BUILDING_INDEX = "registry_unit_modeladmin_index", "registry_building_modeladmin_index"
IMPORT_NAME = "elenco-alloggi-sud-salento.csv"


@pytest.fixture
def stock_of_two(entities, load_stock):
    """ARCA Sud Salento's units (Comuni of Lecce province) and the Comune di Bari's."""
    load_stock(ARCA_SUD_SALENTO, 12)
    load_stock(BARI, 8)
    arca_units = Unit.objects.filter(owner__code=ARCA_SUD_SALENTO)
    return {
        "arca_unit": arca_units.order_by("push_id").first(),
        "arca_building": Building.objects.filter(owner__code=ARCA_SUD_SALENTO).order_by("pk").first(),
        "arca_push_ids": sorted(arca_units.values_list("push_id", flat=True)),
        "arca_building_ids": sorted(Building.objects.filter(owner__code=ARCA_SUD_SALENTO).values_list("pk", flat=True)),
        "bari_unit": Unit.objects.filter(owner__code=BARI).order_by("push_id").first(),
        "bari_building": Building.objects.filter(owner__code=BARI).order_by("pk").first(),
        "bari_push_ids": sorted(Unit.objects.filter(owner__code=BARI).values_list("push_id", flat=True)),
        "bari_building_ids": sorted(Building.objects.filter(owner__code=BARI).values_list("pk", flat=True)),
        "arca": entities[ARCA_SUD_SALENTO],
    }


def instance_urls(model, pk, actions=("inspect", "edit", "delete", "history")):
    return [reverse(f"registry_{model}_modeladmin_{action}", args=[pk]) for action in actions]


def download(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return response, body


def export_text(body, export):
    if export == "csv":
        return body.decode("utf-8-sig")
    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return "\n".join(
        ";".join("" if cell is None else str(cell) for cell in row)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
    )


def building_links(html, pks):
    """Which of these buildings the page links to (by their inspect or edit address)."""
    return {pk for pk in pks if any(url in html for url in instance_urls("building", pk, ("inspect", "edit")))}


def listed(response):
    """The pks of the rows an admin listing page shows."""
    return sorted(obj.pk for obj in response.context["object_list"])


def unit_snapshot(unit):
    return Unit.objects.filter(pk=unit.pk).values().get()


# --- admin instance pages ------------------------------------------------------------


@pytest.mark.parametrize("attacker", ["bari_officer", "bari_legal_rep", "outsider"])
def test_instance_pages_of_another_owners_unit_and_building_are_denied(client, request, attacker, stock_of_two):
    client.force_login(request.getfixturevalue(attacker))
    unit, building = stock_of_two["arca_unit"], stock_of_two["arca_building"]
    for url in instance_urls("unit", unit.pk) + instance_urls("building", building.pk):
        response = client.get(url)
        if attacker == "outsider":
            assert_redirects_to_login(response)
        else:
            assert_not_found(response, leaked=(unit.push_id, ARCA_PREFIX))


def test_bari_officer_opens_own_unit_and_building(client, bari_officer, stock_of_two):
    """The counterpart of the refusals above: the same pages work on one's own rows."""
    client.force_login(bari_officer)
    unit, building = stock_of_two["bari_unit"], stock_of_two["bari_building"]
    for url in instance_urls("unit", unit.pk, ("inspect", "edit", "history")) + instance_urls(
        "building", building.pk, ("inspect", "edit", "history")
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("attacker", ["bari_officer", "bari_legal_rep"])
def test_posting_an_edit_of_another_owners_unit_changes_nothing(client, request, attacker, stock_of_two):
    client.force_login(request.getfixturevalue(attacker))
    unit = stock_of_two["arca_unit"]
    before = unit_snapshot(unit)
    changes_before = PropertyChange.objects.count()

    response = client.post(
        reverse("registry_unit_modeladmin_edit", args=[unit.pk]),
        {
            "status": "sold",
            "usable_area": "10",
            "conventional_area": "10",
            "use": "residential",
            "internal_number": "X",
        },
    )

    assert_not_found(response)
    assert unit_snapshot(unit) == before
    assert PropertyChange.objects.count() == changes_before


def test_posting_an_edit_of_another_owners_building_changes_nothing(client, bari_officer, stock_of_two):
    client.force_login(bari_officer)
    building = stock_of_two["arca_building"]
    before = Building.objects.filter(pk=building.pk).values().get()
    response = client.post(
        reverse("registry_building_modeladmin_edit", args=[building.pk]),
        {"street": "Via Hackerata", "manager": stock_of_two["bari_building"].manager_id},
    )
    assert_not_found(response)
    assert Building.objects.filter(pk=building.pk).values().get() == before


# --- admin lists, exports and URL filters ----------------------------------------------


def test_unit_list_shows_only_own_units(client, bari_officer, stock_of_two):
    client.force_login(bari_officer)
    response = client.get(reverse(UNIT_INDEX))
    assert response.status_code == 200
    html = response.content.decode()
    assert ARCA_PREFIX not in html
    assert all(push_id in html for push_id in stock_of_two["bari_push_ids"])


def test_building_list_shows_only_own_buildings(client, bari_officer, stock_of_two):
    client.force_login(bari_officer)
    response = client.get(reverse(BUILDING_INDEX))
    assert response.status_code == 200
    assert listed(response) == stock_of_two["bari_building_ids"]
    assert response.context["result_count"] == len(stock_of_two["bari_building_ids"])
    assert building_links(response.content.decode(), stock_of_two["arca_building_ids"]) == set()


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_unit_export_holds_only_own_units(client, bari_officer, stock_of_two, export):
    client.force_login(bari_officer)
    response, body = download(client, reverse(UNIT_INDEX) + f"?export={export}")
    assert response.status_code == 200
    text = export_text(body, export)
    assert ARCA_PREFIX not in text
    lines = text.strip().splitlines()
    assert sorted(line.split(";")[0] for line in lines[1:]) == stock_of_two["bari_push_ids"]


def test_unit_csv_export_is_in_the_import_format(client, bari_officer, stock_of_two):
    client.force_login(bari_officer)
    response, body = download(client, reverse(UNIT_INDEX) + "?export=csv")
    assert body.startswith("\ufeff".encode())
    header = body.decode("utf-8-sig").splitlines()[0]
    assert header.split(";")[:3] == ["ID alloggio", "Codice fabbricato", "Comune ISTAT"]


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_building_export_holds_only_own_buildings(client, bari_officer, stock_of_two, export):
    client.force_login(bari_officer)
    response, body = download(client, reverse(BUILDING_INDEX) + f"?export={export}")
    assert response.status_code == 200
    text = export_text(body, export)
    assert "ARCA Sud Salento" not in text and ARCA_SUD_SALENTO not in text
    rows = [line for line in text.strip().splitlines()[1:] if line]
    assert len(rows) == len(stock_of_two["bari_building_ids"])


@pytest.mark.parametrize(
    "name, query",
    [
        (UNIT_INDEX, "owner__id__exact={arca}"),
        (UNIT_INDEX, "owner__id__exact={arca}&export=csv"),
        (UNIT_INDEX, "building__manager__id__exact={arca}&export=csv"),
        (UNIT_INDEX, "q=750000&export=xlsx"),
        (BUILDING_INDEX, "owner__id__exact={arca}"),
        (BUILDING_INDEX, "owner__id__exact={arca}&export=csv"),
        (BUILDING_INDEX, "province=LE&export=csv"),
    ],
)
def test_filters_in_the_url_cannot_widen_the_scope(client, bari_officer, stock_of_two, name, query):
    client.force_login(bari_officer)
    url = reverse(name) + "?" + query.format(arca=stock_of_two["arca"].pk)
    response, body = download(client, url)
    if "export=xlsx" in query:
        body = export_text(body, "xlsx").encode()
    text = body.decode("utf-8-sig")
    assert ARCA_PREFIX not in text
    if "export=" in query:
        assert len([line for line in text.strip().splitlines() if line]) <= 1  # headers only
    else:
        assert response.status_code == 200 and listed(response) == []


# --- the Region reads but does not change ---------------------------------------------


def test_region_reviewer_lists_and_inspects_every_owners_stock(client, reviewer, stock_of_two):
    client.force_login(reviewer)
    html = client.get(reverse(UNIT_INDEX)).content.decode()
    assert all(push_id in html for push_id in stock_of_two["arca_push_ids"] + stock_of_two["bari_push_ids"])
    buildings = client.get(reverse(BUILDING_INDEX))
    assert listed(buildings) == sorted(stock_of_two["arca_building_ids"] + stock_of_two["bari_building_ids"])
    for unit in (stock_of_two["arca_unit"], stock_of_two["bari_unit"]):
        response = client.get(reverse("registry_unit_modeladmin_inspect", args=[unit.pk]))
        assert response.status_code == 200 and unit.push_id in response.content.decode()
    assert (
        client.get(reverse("registry_building_modeladmin_inspect", args=[stock_of_two["arca_building"].pk])).status_code
        == 200
    )


def test_region_reviewer_cannot_edit_a_unit(client, reviewer, stock_of_two):
    client.force_login(reviewer)
    unit = stock_of_two["arca_unit"]
    before = unit_snapshot(unit)
    url = reverse("registry_unit_modeladmin_edit", args=[unit.pk])
    assert_refused_by_admin(client.get(url))
    assert_refused_by_admin(client.post(url, {"status": "sold", "use": "residential"}))
    assert unit_snapshot(unit) == before
    assert_refused_by_admin(
        client.get(reverse("registry_building_modeladmin_edit", args=[stock_of_two["arca_building"].pk]))
    )


# --- people without the property-register permission -----------------------------------


def test_calls_officer_has_no_property_register_screens(client, stock_of_two):
    """Even Bari's own stock is out of reach for an officer of another area of Bari."""
    client.force_login(member(BARI, Role.OFFICER, Area.CALLS))
    unit, building = stock_of_two["bari_unit"], stock_of_two["bari_building"]
    urls = [
        reverse(f"registry_{model}_modeladmin_index") + suffix
        for model in ("unit", "building", "importjob", "stocksnapshot")
        for suffix in ("", "?export=csv", "?export=xlsx")
    ]
    urls += instance_urls("unit", unit.pk) + instance_urls("building", building.pk)
    urls += [reverse("registry_importjob_modeladmin_create"), reverse("registry_import_template", args=["csv"])]
    for url in urls:
        assert_refused_by_admin(client.get(url), leaked=(unit.push_id,))


@pytest.mark.parametrize("who", ["calls_officer", "region_editor"])
def test_people_without_the_view_permission_get_no_units_from_the_api(stock_of_two, who):
    """The API applies the same permissions as the screens: the officer for calls of Bari
    and the Region's web editor have no `view_unit`, so no unit (with its household data)."""
    user = member(BARI, Role.OFFICER, Area.CALLS) if who == "calls_officer" else member(REGION, Role.EDITOR)
    api = APIClient()
    api.force_authenticate(user)
    for url in ("/api/v1/units", "/api/v1/buildings", f"/api/v1/units/{stock_of_two['bari_unit'].push_id}"):
        response = api.get(url)
        assert response.status_code in (403, 404) or response.json()["count"] == 0, (url, response.status_code)
        assert stock_of_two["bari_unit"].push_id.encode() not in response.content


# --- API ----------------------------------------------------------------------------------


def test_api_hides_another_owners_unit_and_building(stock_of_two, bari_officer):
    api = APIClient()
    api.force_authenticate(bari_officer)
    unit = stock_of_two["arca_unit"]
    response = api.get(f"/api/v1/units/{unit.push_id}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith(PROBLEM)
    assert unit.push_id.encode() not in response.content
    assert api.get(f"/api/v1/buildings/{stock_of_two['arca_building'].pk}").status_code == 404
    for params in ({"owner": ARCA_SUD_SALENTO}, {"province": "LE"}, {"building": stock_of_two["arca_building"].pk}):
        assert api.get("/api/v1/units", params).json()["count"] == 0, params


def test_api_bulk_upsert_for_another_owner_is_forbidden(stock_of_two, bari_officer):
    api = APIClient()
    api.force_authenticate(bari_officer)
    unit = stock_of_two["arca_unit"]
    before = unit_snapshot(unit)
    counts_before = (Unit.objects.count(), Building.objects.count(), PropertyChange.objects.count())
    records = [
        {
            "unit_id": unit.local_id,
            "building_id": "F-X",
            "comune_code": BARI,
            "building_street": "Via X",
            "status": "alienato",
        },
        {"unit_id": "NEW-1", "building_id": "F-X", "comune_code": BARI, "building_street": "Via X", "status": "locato"},
    ]

    response = api.post("/api/v1/units/bulk-upsert", {"owner": ARCA_SUD_SALENTO, "units": records}, format="json")

    assert response.status_code == 403
    assert response["Content-Type"].startswith(PROBLEM)
    assert unit_snapshot(unit) == before
    assert (Unit.objects.count(), Building.objects.count(), PropertyChange.objects.count()) == counts_before


# --- imports ------------------------------------------------------------------------------


def _csv_with_one_bad_status(content: bytes) -> bytes:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    rows[2][rows[0].index("Stato")] = "boh"
    handle = io.StringIO()
    handle.write("\ufeff")
    csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)
    return handle.getvalue().encode("utf-8")


@pytest.fixture
def arca_job(entities, arca_officer, stock_csv, django_capture_on_commit_callbacks):
    """An import of ARCA Sud Salento, run in the background: 6 rows, one with a bad status."""
    content = _csv_with_one_bad_status(stock_csv(ARCA_SUD_SALENTO, 6))
    with django_capture_on_commit_callbacks(execute=True):
        job = stock.create_import_job(
            owner=entities[ARCA_SUD_SALENTO],
            uploaded_by=arca_officer,
            uploaded_file=SimpleUploadedFile(IMPORT_NAME, content, content_type="text/csv"),
        )
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID and job.error_rows == 1 and job.total_rows == 6
    return job, content


def import_urls(pk):
    return {
        "inspect": reverse("registry_importjob_modeladmin_inspect", args=[pk]),
        "report": reverse("registry_import_report", args=[pk]),
        "file": reverse("registry_import_file", args=[pk]),
        "progress": reverse("registry_import_progress", args=[pk]),
    }


@pytest.mark.parametrize("attacker", ["bari_officer", "outsider"])
def test_another_owners_import_is_not_listed_nor_served(client, request, attacker, arca_job):
    job, content = arca_job
    client.force_login(request.getfixturevalue(attacker))
    listing = client.get(reverse("registry_importjob_modeladmin_index"))
    if attacker == "bari_officer":
        assert listing.status_code == 200 and listed(listing) == []
    else:
        assert_redirects_to_login(listing)
    assert IMPORT_NAME.encode() not in listing.content
    assert import_urls(job.pk)["inspect"].encode() not in listing.content
    for name, url in import_urls(job.pk).items():
        response, body = download(client, url)
        if attacker == "outsider":
            assert_redirects_to_login(response)
        else:
            assert_not_found(response)
        assert IMPORT_NAME.encode() not in body, name
        assert content[:200] not in body and b"boh" not in body, name


@pytest.mark.parametrize("attacker", ["bari_officer", "outsider"])
def test_another_owners_import_cannot_be_completed(
    client, request, attacker, arca_job, django_capture_on_commit_callbacks
):
    job, _content = arca_job
    client.force_login(request.getfixturevalue(attacker))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry_import_valid_rows", args=[job.pk]))
    if attacker == "outsider":
        assert_redirects_to_login(response)
    else:
        assert_not_found(response)
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID and not job.only_valid_rows
    assert not Unit.objects.exists()


def test_owner_reads_its_import_and_imports_its_valid_rows(
    client, arca_officer, arca_job, django_capture_on_commit_callbacks
):
    job, content = arca_job
    client.force_login(arca_officer)
    urls = import_urls(job.pk)
    assert IMPORT_NAME in client.get(reverse("registry_importjob_modeladmin_index")).content.decode()
    assert client.get(urls["inspect"]).status_code == 200
    response, report = download(client, urls["report"])
    assert response.status_code == 200 and "boh" in report.decode("utf-8-sig")
    response, file_body = download(client, urls["file"])
    assert response.status_code == 200 and file_body == content
    progress = client.get(urls["progress"]).json()
    assert (progress["status"], progress["finished"], progress["total_rows"]) == ("invalid", True, 6)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry_import_valid_rows", args=[job.pk]))

    assert response.status_code == 302 and response["Location"] == urls["inspect"]
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_units == 5
    assert Unit.objects.filter(owner__code=ARCA_SUD_SALENTO).count() == 5


def test_import_job_of_another_owner_is_not_among_the_bari_jobs(client, bari_officer, arca_job):
    """With jobs of both owners, the Bari officer's list holds Bari's only."""
    bari = Entity.objects.get(code=BARI)
    bari_job = ImportJob.objects.create(
        owner=bari, uploaded_by=bari_officer, original_name="bari.csv", file_format="csv", sha256="0" * 64, size=1
    )
    client.force_login(bari_officer)
    response = client.get(reverse("registry_importjob_modeladmin_index"))
    assert listed(response) == [bari_job.pk]
    assert import_urls(arca_job[0].pk)["inspect"] not in response.content.decode()


# --- snapshots ------------------------------------------------------------------------------


def comparison(client, snapshot, by, key="versus_today"):
    response = client.get(reverse("registry_stocksnapshot_modeladmin_inspect", args=[snapshot.pk]), {"by": by})
    assert response.status_code == 200
    return response, {row[0]: (row[2], row[3]) for row in response.context[key].rows}


def counts(owner_code, field):
    return Counter(Unit.objects.filter(owner__code=owner_code).values_list(field, flat=True))


def test_snapshot_comparison_shows_bari_only_bari_figures(client, bari_officer, region_admin, stock_of_two, entities):
    snapshot = stock.take_snapshot(reference_date=date(2025, 12, 31), taken_by=region_admin)
    client.force_login(bari_officer)

    _response, by_status = comparison(client, snapshot, "status")
    assert by_status == {status: (n, n) for status, n in counts(BARI, "status").items()}

    response, by_owner = comparison(client, snapshot, "owner")
    assert by_owner == {entities[BARI].pk: (8, 8)}
    assert "ARCA Sud Salento" not in response.content.decode()

    response, by_comune = comparison(client, snapshot, "comune")
    assert set(by_comune) == {entities[BARI].pk}
    arca_comuni = (
        Building.objects.filter(owner__code=ARCA_SUD_SALENTO).values_list("comune__name", flat=True).distinct()
    )
    html = response.content.decode()
    assert not [name for name in arca_comuni if f">{name}<" in html]


def test_snapshot_against_the_previous_one_shows_bari_only_bari_figures(
    client, bari_officer, region_admin, stock_of_two, entities, load_stock
):
    older = stock.take_snapshot(reference_date=date(2024, 12, 31), taken_by=region_admin)
    load_stock(ARCA_SUD_SALENTO, 20)  # ARCA grows between the two dates
    newer = stock.take_snapshot(reference_date=date(2025, 12, 31), taken_by=region_admin)
    client.force_login(bari_officer)
    _response, by_owner = comparison(client, newer, "owner", key="versus_previous")
    assert by_owner == {entities[BARI].pk: (8, 8)}
    assert older.reference_date < newer.reference_date


def test_snapshot_comparison_shows_the_region_every_owner(client, region_admin, stock_of_two, entities):
    snapshot = stock.take_snapshot(reference_date=date(2025, 12, 31), taken_by=region_admin)
    client.force_login(region_admin)
    _response, by_owner = comparison(client, snapshot, "owner")
    assert by_owner == {entities[BARI].pk: (8, 8), entities[ARCA_SUD_SALENTO].pk: (12, 12)}


TOTALS = re.compile(r"(\d+) (?:alloggi|units) in (\d+) (?:fabbricati|buildings)")


def test_snapshot_page_gives_bari_no_totals_beyond_its_own_stock(client, bari_officer, region_admin, stock_of_two):
    """The page heads the comparison with "N units in M buildings": for the Bari officer
    these must be Bari's figures (8 units in 1 building), not the region's (20 in 4), from
    which ARCA Sud Salento's figures follow by subtraction."""
    snapshot = stock.take_snapshot(reference_date=date(2025, 12, 31), taken_by=region_admin)
    bari_buildings = len(stock_of_two["bari_building_ids"])
    assert (snapshot.unit_count, snapshot.building_count) != (8, bari_buildings)
    client.force_login(bari_officer)
    html = client.get(reverse("registry_stocksnapshot_modeladmin_inspect", args=[snapshot.pk])).content.decode()
    shown = TOTALS.findall(html)
    assert shown in ([], [("8", str(bari_buildings))]), shown


def test_snapshot_list_gives_bari_no_regional_totals(client, bari_officer, region_admin, stock_of_two):
    snapshot = stock.take_snapshot(reference_date=date(2025, 12, 31), taken_by=region_admin)
    client.force_login(bari_officer)
    response = client.get(reverse("registry_stocksnapshot_modeladmin_index"))
    assert response.status_code == 200 and listed(response) == [snapshot.pk]
    body = response.content.decode()
    table = body[body.index('class="listing') :]
    rows = table[table.index("<tbody") : table.index("</tbody>")]
    cells = [re.sub(r"<[^>]+>|\s+", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", rows, re.S)]
    assert str(snapshot.unit_count) not in cells and str(snapshot.building_count) not in cells, cells
