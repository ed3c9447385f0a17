"""The unit lists at a million rows (docs/PERFORMANCE.md, "Lists at a million units").

- The admin unit list counts the Region's large lists with PostgreSQL's planner estimate
  and says so ("about 1,000,000 units"); an owner's list, and any list the planner expects
  to be small, is counted exactly; SQLite always exactly. One counting query either way.
- The units API pages by cursor (an opaque, signed position in PUSH-id order): a tampered
  cursor is a 400 problem, a cursor never shows rows outside the caller's scope or filters.

The estimate tests need PostgreSQL (DATABASE_URL=postgres://...); the rest run on both."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.models import Unit
from registry.stock.api import encode_cursor
from registry.stock.selectors import RowCount
from tests.conftest import ARCA_SUD_SALENTO, BARI

UNITS = "/api/v1/units"
ADMIN_UNITS = "/admin/registry/unit/"
PROBLEM = "application/problem+json"
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")


def analyze():
    """The statistics autovacuum keeps in production, taken now (the test's rows are new)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_unit")
        cursor.execute("ANALYZE registry_building")
        cursor.execute("ANALYZE registry_entity")


@pytest.fixture
def two_owners(entities, load_stock):
    load_stock(ARCA_SUD_SALENTO, 40)
    load_stock(BARI, 25)
    return entities


# --- the admin list's count --------------------------------------------------------------


@postgresql_only
def test_regional_unfiltered_list_shows_the_estimate_and_says_so(client, two_owners, reviewer, settings):
    settings.PUSH_EXACT_COUNT_LIMIT = 10
    analyze()
    client.force_login(reviewer)
    response = client.get(ADMIN_UNITS)
    assert response.status_code == 200
    assert response.context["count_estimated"] is True
    assert response.context["result_count"] == 65  # the planner's figure, fresh statistics
    label = response.context["result_count_label"]
    assert "65" in label and label != response.context["paginator"].verbose_name_plural
    assert label.encode() in response.content


@postgresql_only
def test_an_officers_list_is_counted_exactly_never_estimated(client, two_owners, bari_officer, settings):
    """The estimate comes from statistics over every owner's units: an owner gets the exact
    figure of their own, and nothing computed from the others'."""
    settings.PUSH_EXACT_COUNT_LIMIT = 10
    analyze()
    client.force_login(bari_officer)
    response = client.get(ADMIN_UNITS)
    assert response.context["count_estimated"] is False
    assert response.context["result_count"] == response.context["all_count"] == 25
    assert b"40" not in response.content.split(b"result-count", 1)[1][:200]


@postgresql_only
def test_a_filtered_list_the_planner_expects_small_is_counted_exactly(client, two_owners, reviewer, settings):
    settings.PUSH_EXACT_COUNT_LIMIT = 1000
    analyze()
    client.force_login(reviewer)
    response = client.get(ADMIN_UNITS, {"status__exact": "vacant_ready"})
    assert response.context["count_estimated"] is False
    assert response.context["result_count"] == Unit.objects.filter(status="vacant_ready").count()


@postgresql_only
def test_a_list_the_planner_misjudges_is_counted_only_up_to_the_limit(two_owners, reviewer, settings):
    """The planner guesses a third of the rows for a condition on an expression (22 of 65):
    counting stops at the limit and the list is "more than 30", not a wrong exact figure."""
    from django.db.models.functions import Length

    from registry.stock.selectors import list_count

    settings.PUSH_EXACT_COUNT_LIMIT = 30
    analyze()
    misjudged = Unit.objects.alias(id_length=Length("local_id")).filter(id_length__gt=0)
    assert (list_count(misjudged, reviewer).value, list_count(misjudged, reviewer).more_than) == (30, True)
    settings.PUSH_EXACT_COUNT_LIMIT = 100
    assert list_count(misjudged, reviewer) == RowCount(65)


def test_sqlite_or_below_the_limit_the_count_is_exact(client, two_owners, reviewer):
    client.force_login(reviewer)
    response = client.get(ADMIN_UNITS)
    assert response.context["count_estimated"] is False
    assert response.context["result_count"] == 65


def test_admin_list_makes_the_same_queries_with_few_or_many_units_and_estimate_or_not(
    client, entities, load_stock, reviewer, settings
):
    """Few units: counted exactly; many: estimated (on PostgreSQL). One counting query
    either way, so the page's query count does not change."""
    settings.PUSH_EXACT_COUNT_LIMIT = 20
    client.force_login(reviewer)

    def queries():
        if connection.vendor == "postgresql":
            analyze()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(ADMIN_UNITS)
        assert response.status_code == 200
        return len(captured), response.context["result_count"], response.context["count_estimated"]

    load_stock(BARI, 5)
    queries()  # warm caches
    few, count_few, estimated_few = queries()
    load_stock(ARCA_SUD_SALENTO, 60)
    many, count_many, estimated_many = queries()
    assert (count_few, count_many) == (5, 65)
    assert estimated_few is False
    assert estimated_many is (connection.vendor == "postgresql")
    assert many == few


def test_the_unit_list_is_in_natural_order(client, entities, load_stock, reviewer):
    """By owner code, then the owner's ids with numbers in numeric order (-2 before -10),
    read on the PUSH id so that the `unit_natural_order` index serves it."""
    load_stock(BARI, 12)
    load_stock(ARCA_SUD_SALENTO, 3)
    client.force_login(reviewer)
    ids = [unit.push_id for unit in client.get(ADMIN_UNITS).context["object_list"]]
    expected = sorted(
        Unit.objects.values_list("push_id", flat=True),
        key=lambda push_id: (push_id[:6], len(push_id), push_id),
    )
    assert ids == expected
    assert ids.index(f"{BARI}-2") < ids.index(f"{BARI}-10")
    assert ids[0].startswith(ARCA_SUD_SALENTO) == (ARCA_SUD_SALENTO < BARI)
    descending = [unit.push_id for unit in client.get(ADMIN_UNITS, {"o": "-0"}).context["object_list"]]
    assert descending == expected[::-1]


# --- the API: cursor pages -----------------------------------------------------------------


def cursor_of(url):
    return parse_qs(urlsplit(url).query)["cursor"][0]


def walk(api, url, params):
    """Every page following `next`, as a client does; returns the pages' bodies."""
    pages = []
    response = api.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        pages.append(response.json())
        if pages[-1]["next"] is None:
            return pages
        response = api.get(pages[-1]["next"])


def test_following_next_reads_every_visible_unit_once_in_push_id_order(api, two_owners, reviewer):
    api.force_authenticate(reviewer)
    pages = walk(api, UNITS, {"limit": 10})
    ids = [row["push_id"] for page in pages for row in page["results"]]
    assert ids == sorted(Unit.objects.values_list("push_id", flat=True))
    assert len(pages) == 7
    assert pages[0]["count"] == 65 and pages[0]["previous"] is None
    assert all("cursor=" in page["next"] and "offset=" not in page["next"] for page in pages[:-1])
    assert all("count" not in page and page["previous"] is None for page in pages[1:])


def test_a_cursor_page_makes_the_same_queries_with_few_or_many_units(api, entities, load_stock, reviewer):
    api.force_authenticate(reviewer)

    def queries():
        first = api.get(UNITS, {"limit": 3}).json()
        with CaptureQueriesContext(connection) as captured:
            response = api.get(first["next"])
        assert response.status_code == 200 and len(response.json()["results"]) == 3
        return len(captured)

    load_stock(BARI, 7)
    queries()  # warm caches
    few = queries()
    load_stock(ARCA_SUD_SALENTO, 60)
    many = queries()
    assert many == few


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "",
        "eyJhZnRlciI6ICIwMDAwMDAtMSJ9",  # a position without its signature
        "x" * 600,
    ],
)
def test_a_cursor_not_made_by_push_is_a_400_problem(api, two_owners, bari_officer, cursor):
    api.force_authenticate(bari_officer)
    response = api.get(UNITS, {"cursor": cursor})
    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    assert list(response.json()["errors"]) == ["cursor"]
    assert b"push_id" not in response.content


def test_a_tampered_cursor_is_a_400_problem_and_shows_no_unit(api, two_owners, bari_officer, reviewer):
    """An officer of Bari alters a cursor to point before the ARCA's units: the signature no
    longer matches, nothing is listed."""
    api.force_authenticate(bari_officer)
    first = api.get(UNITS, {"limit": 2}).json()
    token = cursor_of(first["next"])
    payload, signature = token.rsplit(":", 1)
    forged_payload = signing.b64_encode(b'{"after":"000000-0"}').decode()
    for forged in (
        f"{forged_payload}:{signature}",
        payload[:-1] + ("A" if payload[-1] != "A" else "B") + ":" + signature,
    ):
        response = api.get(UNITS, {"cursor": forged})
        assert response.status_code == 400, forged
        assert response["Content-Type"].startswith(PROBLEM)
        assert b"results" not in response.content


def test_a_cursor_signed_for_another_list_is_refused(api, two_owners, reviewer):
    api.force_authenticate(reviewer)
    elsewhere = signing.dumps({"after": "000000-0"}, salt="push.api.cursor.pk", compress=False)
    assert api.get(UNITS, {"cursor": elsewhere}).status_code == 400


def test_a_cursor_never_shows_another_owners_units(api, two_owners, bari_officer, reviewer):
    """A genuine cursor positioned before every unit, taken from the Region's list, given to
    an officer of Bari: the page holds Bari's units and no other owner's."""
    api.force_authenticate(bari_officer)
    pages = walk(api, UNITS, {"cursor": encode_cursor("000000"), "limit": 10})
    owners = {row["owner"] for page in pages for row in page["results"]}
    assert owners == {BARI}
    assert sum(len(page["results"]) for page in pages) == 25
    for params in ({"owner": ARCA_SUD_SALENTO}, {"province": "LE"}):
        response = api.get(UNITS, {"cursor": encode_cursor("000000"), **params})
        assert response.status_code == 200 and response.json()["results"] == [], params


def test_a_cursor_from_a_filtered_list_reused_with_other_filters_is_a_position_in_the_new_list(
    api, two_owners, reviewer
):
    api.force_authenticate(reviewer)
    first = api.get(UNITS, {"limit": 5, "owner": ARCA_SUD_SALENTO}).json()
    position = first["results"][-1]["push_id"]
    response = api.get(UNITS, {"cursor": cursor_of(first["next"]), "status": "let", "limit": 500})
    assert response.status_code == 200
    rows = response.json()["results"]
    expected = list(
        Unit.objects.filter(push_id__gt=position, status="let").order_by("push_id").values_list("push_id", flat=True)
    )
    assert [row["push_id"] for row in rows] == expected
    assert {row["status"] for row in rows} == {"let"}


def test_cursor_with_offset_or_another_order_is_a_400(api, two_owners, reviewer):
    api.force_authenticate(reviewer)
    cursor = encode_cursor("000000")
    for params in ({"offset": 10}, {"ordering": "-updated_at"}):
        response = api.get(UNITS, {"cursor": cursor, **params})
        assert response.status_code == 400, params
        assert response["Content-Type"].startswith(PROBLEM)


def test_offset_pages_keep_working_with_count(api, two_owners, reviewer):
    api.force_authenticate(reviewer)
    page = api.get(UNITS, {"limit": 10, "offset": 60}).json()
    assert page["count"] == 65 and page["count_estimated"] is False
    assert len(page["results"]) == 5 and page["next"] is None and "offset=50" in page["previous"]


@postgresql_only
def test_api_count_is_estimated_for_the_region_only(api, two_owners, reviewer, bari_officer, settings):
    settings.PUSH_EXACT_COUNT_LIMIT = 10
    analyze()
    api.force_authenticate(reviewer)
    regional = api.get(UNITS).json()
    assert regional["count_estimated"] is True
    api.force_authenticate(bari_officer)
    own = api.get(UNITS).json()
    assert (own["count"], own["count_estimated"]) == (25, False)


def test_schema_documents_the_cursor_and_the_estimated_count(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/units"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"cursor", "limit", "offset"} <= names
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    properties = schema["components"]["schemas"][page]["properties"]
    assert {"count", "count_estimated", "next", "results"} <= set(properties)
