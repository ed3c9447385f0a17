"""A dashboard's queries do not grow with its charts: on the real catalogue, a page of one
chart and a page of six make the same number of queries once their figures are in the cache,
and with the cache empty each chart adds at most its indicator's own aggregate queries
(issue 11; bench/dashboards.py measures the demo page on 100,000 units)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.models import DashboardAudience
from tests.dashboards.test_pages import chart_block, home, make_chart, make_dashboard  # noqa: F401 - fixture

# The calls' indicators each read one data version from the database (versions.calls_version)
# and compute in at most three aggregate queries (DECISIONS.md, the dashboards).
CALL_INDICATORS = ["call_participation", "call_applicants_by_comune", "call_need_by_comune"]
STOCK_INDICATORS = ["stock_by_status", "stock_by_province", "stock_by_comune"]
QUERIES_PER_INDICATOR = 3


def _page(home, indicators, title):  # noqa: F811
    charts = [
        make_chart(indicator=key, title=f"{title} {index}", kind="bar", text_alternative="Barre.")
        for index, key in enumerate(indicators)
    ]
    return make_dashboard(
        home, [chart_block(chart) for chart in charts], audience=DashboardAudience.REGIONAL, title=title
    )


def _queries(client, page) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.url)
    assert response.status_code == 200
    assert response.content.decode().count("<table") == len([b for b in page.body if b.block_type == "chart"])
    return len(queries)


def _source_sets(keys) -> int:
    from dashboards import indicators

    return len({tuple(indicators.get(key).sources) for key in keys})


@pytest.mark.parametrize("indicators", [CALL_INDICATORS, STOCK_INDICATORS], ids=["calls", "stock"])
def test_more_charts_make_no_more_queries_once_their_figures_are_cached(
    region_admin_client,
    home,  # noqa: F811
    small_register,
    call_figures,
    indicators,
):
    one = _page(home, indicators[:1], "Uno")
    three = _page(home, indicators, "Tre")
    six = _page(home, indicators * 2, "Sei")
    for page in (one, three, six):
        _queries(region_admin_client, page)
    warm = {page.title: _queries(region_admin_client, page) for page in (one, three, six)}
    # Twice the charts, not one query more: the data versions are read once per page view
    # (once per set of sources the indicators read), the figures come from the cache.
    assert warm["Sei"] == warm["Tre"], warm
    assert warm["Tre"] - warm["Uno"] <= _source_sets(indicators) - 1, warm

    cold = {}
    for page in (one, three, six):
        cache.clear()
        cold[page.title] = _queries(region_admin_client, page)
    # Each distinct indicator at most its own aggregate queries; a chart repeating another's
    # indicator and parameters is computed once.
    assert cold["Sei"] == cold["Tre"], cold
    assert cold["Tre"] - cold["Uno"] <= (len(indicators) - 1) * QUERIES_PER_INDICATOR + _source_sets(indicators), cold
