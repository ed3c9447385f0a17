"""The map of Puglia: which colour each Comune gets (the value -> colour mapping, not pixels)."""

import io
from decimal import Decimal

import pytest
from PIL import Image

from dashboards.rendering import ATTRIBUTION, map_colours, render, theme
from dashboards.rendering.puglia_map import (
    boundaries,
    class_breaks,
    class_of,
    legend_labels,
    province_of,
    ramp,
)
from dashboards.results import CategoryKind, Result, Series, Unit

BARI, ALTAMURA, LECCE, ACCADIA, ANDRIA = "072006", "072004", "075035", "071001", "110001"


def _by_comune(values: dict, unit=Unit.COUNT) -> Result:
    return Result(
        indicator="units_by_comune",
        title="Units by Comune",
        unit=unit,
        category_kind=CategoryKind.COMUNE,
        categories=[boundaries().names.get(code, code) for code in values],
        codes=list(values),
        series=[Series("units", "Units", list(values.values()))],
    )


def _by_province(values: dict) -> Result:
    return Result(
        indicator="units_by_province",
        title="Units by province",
        unit=Unit.COUNT,
        category_kind=CategoryKind.PROVINCE,
        categories=list(values),
        codes=list(values),
        series=[Series("units", "Units", list(values.values()))],
    )


def test_the_boundaries_hold_the_257_comuni_and_are_read_once():
    assert len(boundaries().codes) == 257
    assert boundaries() is boundaries()
    assert {BARI, ALTAMURA, LECCE, ACCADIA, ANDRIA} <= set(boundaries().codes)


def test_every_comune_gets_a_colour():
    colours = map_colours(_by_comune({BARI: 10}))
    assert set(colours) == set(boundaries().codes)


def test_highest_value_gets_the_darkest_class_lowest_the_lightest_and_a_missing_comune_is_grey():
    colours = map_colours(_by_comune({BARI: 900, ALTAMURA: 120, LECCE: 40, ACCADIA: 3}))
    assert colours[BARI] == theme.SEQUENTIAL[-1]
    assert colours[ACCADIA] == theme.SEQUENTIAL[0]
    assert colours[ANDRIA] == theme.NO_DATA  # not in the result
    assert theme.SEQUENTIAL.index(colours[ACCADIA]) < theme.SEQUENTIAL.index(colours[LECCE])
    assert theme.SEQUENTIAL.index(colours[LECCE]) < theme.SEQUENTIAL.index(colours[ALTAMURA])


def test_a_suppressed_value_is_grey():
    colours = map_colours(_by_comune({BARI: 900, LECCE: None}))
    assert colours[LECCE] == theme.NO_DATA
    assert colours[BARI] == theme.SEQUENTIAL[-1]


def test_a_single_value_is_the_darkest_class():
    assert map_colours(_by_comune({BARI: Decimal("4.5")}, Unit.RATE))[BARI] == theme.SEQUENTIAL[-1]


def test_nothing_to_show_leaves_every_comune_grey():
    assert set(map_colours(_by_comune({BARI: None})).values()) == {theme.NO_DATA}


def test_a_province_result_colours_every_comune_of_the_province():
    colours = map_colours(_by_province({"BA": 5000, "BT": 100, "LE": None, "FG": 3000, "BR": 1200, "TA": 2500}))
    codes = boundaries().codes
    bari = [code for code in codes if code.startswith("072")]
    bt = [code for code in codes if code.startswith("110")]
    lecce = [code for code in codes if code.startswith("075")]
    assert len(bari) == 41 and len(bt) == 10 and len(lecce) == 96
    assert {colours[code] for code in bari} == {theme.SEQUENTIAL[-1]}
    assert {colours[code] for code in bt} == {theme.SEQUENTIAL[0]}
    assert {colours[code] for code in lecce} == {theme.NO_DATA}


@pytest.mark.parametrize(
    ("code", "sigla"),
    [("071001", "FG"), ("072006", "BA"), ("073027", "TA"), ("074001", "BR"), ("075035", "LE"), ("110001", "BT")],
)
def test_province_of_a_comune_is_its_istat_code_prefix(code, sigla):
    assert province_of(code) == sigla


def test_province_of_a_code_outside_puglia_is_none():
    assert province_of("058091") is None


def test_class_breaks_are_quantiles_of_the_values():
    assert class_breaks(range(1, 11)) == [2, 4, 6, 8, 10]
    assert class_breaks([1, 1, 1, 2]) == [1, 2]
    assert class_breaks([]) == []


def test_class_of_a_value_is_the_first_class_whose_upper_bound_reaches_it():
    uppers = [2, 4, 6, 8, 10]
    assert [class_of(value, uppers) for value in (1, 2, 3, 10)] == [0, 0, 1, 4]


def test_the_ramp_always_ends_with_the_darkest_colour():
    for count in range(1, 6):
        assert ramp(count)[-1] == theme.SEQUENTIAL[-1]
        assert len(set(ramp(count))) == count
    assert ramp(5) == theme.SEQUENTIAL


def test_legend_labels_are_italian():
    assert legend_labels(Decimal("0.5"), [Decimal("1234.5"), Decimal("5000")], Unit.EURO) == [
        "0,50 – 1.234,50\u00a0€",
        "> 1.234,50 – 5.000,00\u00a0€",
    ]
    assert legend_labels(7, [7], Unit.COUNT) == ["7"]


def test_a_map_needs_comuni_or_provinces():
    result = _by_comune({BARI: 1})
    result.category_kind = CategoryKind.LABEL
    with pytest.raises(ValueError):
        map_colours(result)


def test_the_map_renders_with_buildings_and_its_attribution():
    result = _by_comune({BARI: 900, LECCE: None})
    result.source = "PUSH"
    data = render(result, kind="map", title="t", filters_text="", buildings=[(16.87, 41.12), (18.17, 40.35)])
    Image.open(io.BytesIO(data)).verify()
    svg = render(result, kind="map", title="t", filters_text="", fmt="svg")
    assert ATTRIBUTION.encode() in svg
