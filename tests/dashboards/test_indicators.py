"""The register's indicators against a hand count of tests/dashboards/conftest.STOCK, for the
Region, an entity's people and public readers (small counts suppressed, the differencing
attack answered), and the catalogue's contract (parameters, levels, versions)."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dashboards import indicators
from dashboards.indicators import population
from dashboards.results import Audience, Level
from registry.models import Entity
from tests.conftest import ARCA_PUGLIA_CENTRALE, ARCA_SUD_SALENTO, BARI, LECCE
from tests.dashboards.conftest import GALLIPOLI, write_units

REGION = Audience()
PUBLIC = Audience(public=True)


def table(result):
    """{code: value} of a one-series result, or {code: (values…)}."""
    if len(result.series) == 1:
        return dict(zip(result.codes, result.series[0].values))
    return {code: tuple(series.values[i] for series in result.series) for i, code in enumerate(result.codes)}


def entity_audience(code):
    return Audience(entity_ids=frozenset({Entity.objects.get(code=code).pk}))


# --- the Region: every figure ------------------------------------------------------------


def test_units_by_status_for_the_region(small_register):
    result = indicators.compute("stock_by_status", params={}, audience=REGION)
    counts = table(result)
    assert counts["let"] == 12 + 6 + 7 + 2
    assert counts["vacant_ready"] == 3 + 1
    assert counts["vacant_needs_works"] == 2
    assert counts["sold"] == 1
    assert counts["for_sale"] == 0
    assert result.total() == 34 and result.suppressed == 0


def test_units_by_owner_comune_and_province(small_register):
    by_owner = table(indicators.compute("stock_by_owner", params={}, audience=REGION))
    assert by_owner == {ARCA_PUGLIA_CENTRALE: 6, ARCA_SUD_SALENTO: 10, BARI: 18}
    by_comune = table(indicators.compute("stock_by_comune", params={}, audience=REGION))
    assert by_comune == {BARI: 24, LECCE: 8, GALLIPOLI: 2}
    by_province = indicators.compute("stock_by_province", params={}, audience=REGION)
    assert table(by_province) == {"BA": 24, "LE": 10}
    assert by_province.categories == ["Bari", "Lecce"]


def test_filters_select_the_territory(small_register):
    lecce_only = indicators.compute("stock_by_status", params={"comune": LECCE}, audience=REGION)
    assert table(lecce_only)["let"] == 7 and lecce_only.total() == 8
    assert lecce_only.parameters == {"comune": LECCE}
    province = table(indicators.compute("stock_by_comune", params={"province": "le"}, audience=REGION))
    assert province == {LECCE: 8, GALLIPOLI: 2}
    territory = table(indicators.compute("stock_by_owner", params={"arca": ARCA_SUD_SALENTO}, audience=REGION))
    assert territory == {ARCA_SUD_SALENTO: 10}


def test_vacancy_rate_by_province(small_register):
    rates = table(indicators.compute("stock_vacancy_rate", params={}, audience=REGION))
    # Bari: 5 vacant of 23 (the sold unit is out of the housing stock); Lecce: 1 of 10.
    assert rates == {"BA": D("21.7"), "LE": D("10.0")}


def test_units_per_thousand_residents(small_register):
    residents = population.population_by_comune()
    rates = table(indicators.compute("stock_per_1000_residents", params={}, audience=REGION))
    assert rates[BARI] == (D(24000) / residents[BARI]).quantize(D("0.01"))
    assert rates[GALLIPOLI] == (D(2000) / residents[GALLIPOLI]).quantize(D("0.01"))
    assert "ISTAT" in indicators.compute("stock_per_1000_residents", params={}, audience=REGION).source


def test_population_file_has_every_comune_of_puglia():
    residents = population.population_by_comune()
    assert len(residents) == 257 and sum(residents.values()) == 3_926_931


def test_register_completeness_and_last_update(small_register):
    write_units(
        LECCE,
        [(LECCE, "let", 3)],
        cadastral_sheet="41",
        cadastral_parcel="1234",
        cadastral_subunit="2",
        cadastral_category="A/4",
        conventional_area="70,00",
        energy_class="E",
    )
    completeness = table(indicators.compute("register_completeness", params={}, audience=REGION))
    assert completeness[LECCE] == (3, 0)
    assert completeness[BARI] == (18, 18)
    days = table(indicators.compute("register_days_since_update", params={}, audience=REGION))
    assert days[LECCE] == 0 and days[BARI] == 0


# --- an entity's people: their own figures only ------------------------------------------


def test_an_officer_sees_only_the_figures_of_their_entity(small_register, bari_officer):
    audience = indicators.audience_for(bari_officer)
    assert audience == entity_audience(BARI)
    counts = table(indicators.compute("stock_by_status", params={}, audience=audience))
    # Bari's own 18 units, unsuppressed; not ARCA Puglia Centrale's 6 in the same Comune.
    assert (counts["let"], counts["vacant_ready"], counts["vacant_needs_works"], counts["sold"]) == (12, 3, 2, 1)
    assert table(indicators.compute("stock_by_comune", params={}, audience=audience)) == {BARI: 18}
    assert table(indicators.compute("stock_by_owner", params={}, audience=audience)) == {BARI: 18}
    assert table(indicators.compute("register_completeness", params={}, audience=audience)) == {BARI: (18, 18)}
    lecce = indicators.compute("stock_by_status", params={"comune": LECCE}, audience=audience)
    assert lecce.total() == 0


def test_an_arca_officer_sees_its_own_stock_not_the_covered_comuni(small_register, arca_officer):
    audience = indicators.audience_for(arca_officer)
    assert table(indicators.compute("stock_by_owner", params={}, audience=audience)) == {ARCA_SUD_SALENTO: 10}


def test_audiences_from_the_access_rule(small_register, region_admin, outsider, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert indicators.audience_for(region_admin) == REGION
    assert indicators.audience_for(outsider) == PUBLIC
    assert indicators.audience_for(AnonymousUser()) == PUBLIC
    assert indicators.audience_for(None) == PUBLIC


# --- public readers: open indicators only, small counts suppressed -----------------------


def test_anonymous_readers_cannot_compute_a_restricted_indicator(small_register):
    for key, indicator in indicators.INDICATORS.items():
        if indicator.level == Level.RESTRICTED:
            with pytest.raises(PermissionDenied):
                indicators.compute(key, params={}, audience=PUBLIC)


def test_public_units_by_status_hide_small_counts(small_register):
    result = indicators.compute("stock_by_status", params={}, audience=PUBLIC)
    counts = table(result)
    assert counts["let"] == 27
    assert counts["vacant_ready"] is None and counts["vacant_needs_works"] is None and counts["sold"] is None
    assert counts["for_sale"] == 0
    assert result.suppressed == 3 and result.note


def test_public_units_by_comune_resist_the_differencing_attack(small_register):
    """Gallipoli's 2 units are hidden; the province of Lecce's total (10, published by
    units by province) minus the Comuni of Lecce shown must not give them back."""
    by_province = table(indicators.compute("stock_by_province", params={}, audience=PUBLIC))
    by_comune = indicators.compute("stock_by_comune", params={}, audience=PUBLIC)
    counts = table(by_comune)
    assert counts[GALLIPOLI] is None
    assert counts[BARI] == 24
    lecce_shown = [counts[code] for code in (LECCE, GALLIPOLI) if counts[code] is not None]
    hidden_in_lecce = [code for code in (LECCE, GALLIPOLI) if counts[code] is None]
    assert len(hidden_in_lecce) >= 2, "one hidden Comune alone is the province's total minus the others"
    assert by_province["LE"] - sum(lecce_shown) != 2
    # The whole region's total (from units by status) minus every Comune shown neither.
    region_total = 34
    assert region_total - sum(value for value in counts.values() if value is not None) == 10


def test_public_rates_from_hidden_counts_are_hidden(small_register):
    rates = table(indicators.compute("stock_per_1000_residents", params={}, audience=PUBLIC))
    assert rates[GALLIPOLI] is None and rates[LECCE] is None
    assert rates[BARI] is not None
    vacancy = table(indicators.compute("stock_vacancy_rate", params={}, audience=PUBLIC))
    # Lecce: 1 vacant unit (hidden), and Bari's 5 go with it (else the region's vacant total
    # minus Bari's would give Lecce's).
    assert vacancy == {"BA": None, "LE": None}


def test_public_readers_see_every_owners_figures_within_the_rule(small_register):
    counts = table(indicators.compute("stock_by_owner", params={}, audience=PUBLIC))
    assert counts == {ARCA_PUGLIA_CENTRALE: 6, ARCA_SUD_SALENTO: 10, BARI: 18}


# --- parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "params", "field"),
    [
        ("stock_by_status", {"province": "XX"}, "province"),
        ("stock_by_status", {"comune": "999999"}, "comune"),
        ("stock_by_status", {"arca": BARI}, "arca"),
        ("stock_by_status", {"call": "1"}, "call"),  # not a parameter of this indicator
        ("stock_by_status", {"colour": "red"}, "colour"),
        ("stock_by_comune", {"comune": BARI}, "comune"),
        ("call_allocation_by_comune", {"year": "1999"}, "year"),
        ("call_allocation_by_comune", {"call": "x"}, "call"),
        ("call_allocation_by_comune", {"call": "123456"}, "call"),
    ],
)
def test_wrong_parameters_are_refused_naming_the_parameter(entities, key, params, field):
    with pytest.raises(ValidationError) as refused:
        indicators.compute(key, params=params, audience=REGION)
    assert field in refused.value.message_dict


def test_an_empty_parameter_is_a_parameter_not_given(small_register):
    result = indicators.compute("stock_by_status", params={"province": "", "comune": ""}, audience=REGION)
    assert result.total() == 34 and result.parameters == {}


def test_unknown_indicator_is_a_key_error():
    with pytest.raises(KeyError):
        indicators.get("nothing")


def test_every_indicator_declares_known_parameters_and_a_chart_kind():
    from dashboards.results import PARAMETERS

    for indicator in indicators.INDICATORS.values():
        assert set(indicator.parameters) <= set(PARAMETERS)
        assert indicator.default_kind in {"bar", "hbar", "stacked", "line", "donut", "map"}
        assert indicator.sources and indicator.fields


# --- data versions ---------------------------------------------------------------------


def test_a_write_to_the_register_changes_the_stock_indicators_version(
    small_register, django_capture_on_commit_callbacks
):
    before = indicators.data_version("stock_by_comune")
    assert indicators.data_version("stock_by_comune") == before
    with django_capture_on_commit_callbacks(execute=True):
        write_units(LECCE, [(LECCE, "let", 1)])
    assert indicators.data_version("stock_by_comune") != before


# --- aggregates in the database ------------------------------------------------------------


def test_every_indicator_is_a_few_aggregate_queries_whatever_the_size_of_the_data(
    small_register, call_figures, django_assert_max_num_queries
):
    counts = {}
    for key in indicators.INDICATORS:
        if key == "arrears_cases_by_cause":
            continue  # needs an arrears call (tests/dashboards/test_indicators_calls.py)
        with django_assert_max_num_queries(3) as captured:
            indicators.compute(key, params={}, audience=REGION)
        counts[key] = len(captured.captured_queries)
    write_units(LECCE, [(LECCE, "let", 40), (LECCE, "sold", 9)])
    for key, before in counts.items():
        with django_assert_max_num_queries(before):
            indicators.compute(key, params={}, audience=REGION)
