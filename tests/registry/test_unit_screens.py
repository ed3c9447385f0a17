"""The unit register's screens as an officer uses them (issue 9): natural id order, the
list's filters kept after saving, history and detail in words, the snapshot's date input,
and a table no filter panel covers at 1366 px."""

import re
import shutil
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from registry.models import Building, OccupancyStatus, Unit
from tests.conftest import ARCA_SUD_SALENTO
from tests.registry.test_italian_numbers import shown_values


@pytest.fixture
def units(entities, load_stock):
    load_stock(ARCA_SUD_SALENTO, 4)
    units = list(Unit.objects.filter(owner__code=ARCA_SUD_SALENTO).select_related("owner").order_by("pk"))
    for unit, local_id in zip(units, ["100", "2", "10", "1"]):
        Unit.objects.filter(pk=unit.pk).update(
            local_id=local_id,
            push_id=Unit.make_push_id(unit.owner.code, local_id),
            status="let",
            accessible=False,
            monthly_rent=Decimal("60.34"),
        )
    return list(Unit.objects.filter(owner__code=ARCA_SUD_SALENTO).order_by("pk"))


def ids_in_page(page: str, owner_code: str) -> list[str]:
    return re.findall(rf">{re.escape(owner_code)}-(\d+)</a>", page)


def test_unit_ids_sort_naturally(client, arca_officer, units):
    client.force_login(arca_officer)
    url = reverse("registry_unit_modeladmin_index")
    assert ids_in_page(client.get(url).content.decode(), ARCA_SUD_SALENTO) == ["1", "2", "10", "100"]
    # The id column's header sorts the other way, still naturally.
    descending = client.get(url + "?o=-0").content.decode()
    assert ids_in_page(descending, ARCA_SUD_SALENTO) == ["100", "10", "2", "1"]


def test_saving_a_unit_returns_to_the_filtered_list(client, arca_officer, units):
    client.force_login(arca_officer)
    index = reverse("registry_unit_modeladmin_index")
    page = client.get(index + "?status__exact=let&o=-0").content.decode()
    unit = units[0]
    edit_link = re.search(rf'href="({reverse("registry_unit_modeladmin_edit", args=[unit.pk])}\?[^"]+)"', page)
    edit_url = edit_link.group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(edit_url).query)["next"] == [index + "?status__exact=let&o=-0"]

    form_page = client.get(edit_url)
    assert f'action="{edit_url.replace("&", "&amp;")}"' in form_page.content.decode()
    data = shown_values(form_page.context["form"])
    data["household_size"] = "3"
    response = client.post(edit_url, data)
    assert response.status_code == 302
    assert response["Location"] == index + "?status__exact=let&o=-0"


def test_saving_never_redirects_outside_the_list(client, arca_officer, units):
    client.force_login(arca_officer)
    unit = units[0]
    edit_url = reverse("registry_unit_modeladmin_edit", args=[unit.pk]) + "?next=https://evil.example/x"
    data = shown_values(client.get(edit_url).context["form"])
    response = client.post(edit_url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("registry_unit_modeladmin_index")


def test_history_shows_labels_not_codes(client, arca_officer, units):
    client.force_login(arca_officer)
    unit = units[0]
    url = reverse("registry_unit_modeladmin_edit", args=[unit.pk])
    data = shown_values(client.get(url).context["form"])
    data.update(status="vacant_needs_works", monthly_rent="86,52")
    assert client.post(url, data).status_code == 302

    page = client.get(reverse("registry_unit_modeladmin_inspect", args=[unit.pk])).content.decode()
    history = page[page.index("<h2>", page.index("fields_output") if "fields_output" in page else 0) :]
    expected = f"{OccupancyStatus.LET.label} → {OccupancyStatus.VACANT_NEEDS_WORKS.label}"
    assert expected in history
    assert "vacant_needs_works" not in page and "let →" not in page
    assert "60,34 → 86,52" in page


def test_unit_detail_says_si_no_not_false(client, arca_officer, units):
    client.force_login(arca_officer)
    page = client.get(reverse("registry_unit_modeladmin_inspect", args=[units[0].pk])).content.decode()
    assert "<dd>False</dd>" not in page and "<dd>True</dd>" not in page
    label = Unit._meta.get_field("accessible").verbose_name
    assert re.search(rf"{label}</dt>\s*<dd>No</dd>", page)
    assert "<dd>60,34</dd>" in page


def test_snapshot_date_is_iso_in_the_date_input_and_submits(client, region_admin, units):
    client.force_login(region_admin)
    url = reverse("registry_stocksnapshot_modeladmin_create")
    page = client.get(url).content.decode()
    field = re.search(r'<input type="date" name="reference_date" value="([^"]*)"', page)
    assert field and re.fullmatch(r"\d{4}-12-31", field.group(1))
    response = client.post(url, {"reference_date": field.group(1)})
    assert response.status_code == 302


# --- in a browser -----------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()), reason="needs Debian's chromium and chromedriver"
)
# serialized_rollback: the live server's flush would otherwise take with it the pages and
# sites the migrations create, which later tests of the same database read.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_column_of_the_unit_list_is_covered_at_1366(live_server, client, region_admin, units, settings):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Ids and addresses as long as real ones, which no browser can wrap.
    for unit in units:
        local_id = f"LE{unit.local_id:0>12}"
        Unit.objects.filter(pk=unit.pk).update(local_id=local_id, push_id=Unit.make_push_id(ARCA_SUD_SALENTO, local_id))
    Building.objects.filter(units__in=units).update(street="Via Giuseppe Garibaldi", street_number="123/B")
    client.force_login(region_admin)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_window_size(1366, 768)
        driver.get(live_server.url + "/favicon.ico")
        driver.add_cookie(
            {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}
        )
        index = live_server.url + reverse("registry_unit_modeladmin_index")
        # Every header cell is what the browser shows at its centre, no part of the filters
        # lies over the table (the side panel used to, under or over it), and the table
        # ends inside the window: as the list opens, and with a filter on (filters open).
        measure = """
            const table = document.querySelector('table.listing');
            const covered = [];
            let checked = 0;
            for (const th of table.querySelectorAll('thead th')) {
                const box = th.getBoundingClientRect();
                if (box.bottom > window.innerHeight) continue;  // below the fold: only the overlap test
                checked += 1;
                const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
                if (!top || !(th === top || th.contains(top))) covered.push(th.textContent.trim());
            }
            const area = table.getBoundingClientRect();
            const overlapping = [...document.querySelectorAll('.changelist-filter > *, .push-filter-bar__item')]
                .filter(element => element.checkVisibility())  // a closed <details> keeps boxes
                .map(element => element.getBoundingClientRect())
                .filter(box => box.width && box.height && box.left < area.right && box.right > area.left
                               && box.top < area.bottom && box.bottom > area.top).length;
            return [covered, checked, overlapping, area.right, document.documentElement.clientWidth,
                    table.querySelectorAll('thead th').length];
        """
        driver.get(index)
        opened = driver.execute_script(measure)
        Path("var").mkdir(exist_ok=True)
        driver.save_screenshot("var/unit-list-1366.png")
        driver.get(index + "?status__exact=let")
        filtered = driver.execute_script(measure)
    finally:
        driver.quit()
    assert opened[1] == 8  # as the list opens, the whole header row is in sight
    for covered, _checked, overlapping, table_right, window_width, headers in (opened, filtered):
        assert headers == 8
        assert covered == []
        assert overlapping == 0
        assert table_right <= window_width
