"""The register's geography (registry.geo): whether a point lies in a Comune, the one rule on a
building's coordinates, and the optional geocoder (its HTTP call mocked: no network in tests)."""

import io
import json
import random
from decimal import Decimal
from unittest import mock
from urllib.error import URLError
from urllib.parse import parse_qs, urlsplit

import pytest

from registry.geo import boundaries, comune_at, contains, coordinates_problem, geocoder
from registry.geo.boundaries import random_point
from tests.conftest import BARI, LECCE

# Piazza del Ferrarese, Bari; Piazza Sant'Oronzo, Lecce.
BARI_POINT = (Decimal("41.127000"), Decimal("16.872000"))
LECCE_POINT = (Decimal("40.352700"), Decimal("18.172300"))


def test_a_point_in_bari_lies_in_bari():
    latitude, longitude = BARI_POINT
    assert comune_at(longitude, latitude) == BARI
    assert coordinates_problem(BARI, latitude, longitude) is None


def test_a_point_in_lecce_is_refused_for_a_building_in_bari_naming_lecce(english):
    latitude, longitude = LECCE_POINT
    problem = coordinates_problem(BARI, latitude, longitude)
    assert problem == (
        "The point (latitude 40,352700, longitude 18,172300) lies in Lecce, not in Bari: check the coordinates."
    )


def test_swapped_latitude_and_longitude_are_pointed_out(english):
    latitude, longitude = BARI_POINT
    problem = coordinates_problem(BARI, longitude, latitude)
    assert problem.endswith("is not in Bari: latitude and longitude seem swapped.")


def test_a_point_at_sea_is_outside_the_boundary(english):
    problem = coordinates_problem(BARI, Decimal("41.300000"), Decimal("16.900000"))
    assert problem.endswith("lies outside the boundary of Bari: check the coordinates.")


def test_blank_coordinates_are_not_checked():
    assert coordinates_problem(BARI, None, None) is None
    assert coordinates_problem(BARI, Decimal("41.1"), None) is None


def test_a_point_just_past_the_simplified_border_is_accepted_and_one_a_kilometre_out_is_not():
    # The easternmost vertex of Bari's boundary: any point east of it is outside the polygon.
    ring = max(boundaries().areas[BARI], key=lambda area: len(area.outer)).outer
    lon, lat = ring[ring[:, 0].argmax()]
    assert not contains(BARI, lon + 0.001, lat)  # about 84 m east
    assert coordinates_problem(BARI, lat, lon + 0.001) is None
    assert coordinates_problem(BARI, lat, lon + 0.02) is not None  # about 1.7 km east


def test_a_point_in_an_enclave_is_not_in_the_comune_around_it():
    # A Comune whose polygon has a hole: the hole belongs to another Comune.
    geo = boundaries()
    code, hole = next((code, area.holes[0]) for code, areas in geo.areas.items() for area in areas if area.holes)
    inner = next(
        other for other, areas in geo.areas.items() if other != code and any(len(a.outer) == len(hole) for a in areas)
    )
    lat, lon = random_point(inner, random.Random(1))
    assert contains(inner, lon, lat)
    assert not contains(code, lon, lat)


def test_random_points_fall_inside_their_comune():
    rng = random.Random(3)
    for code in (BARI, LECCE, "071026", "110001"):  # Isole Tremiti is a MultiPolygon
        lat, lon = random_point(code, rng)
        assert coordinates_problem(code, Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")) is None


# --- the geocoder ------------------------------------------------------------------------


def answer(payload):
    response = mock.MagicMock()
    response.__enter__.return_value = io.BytesIO(json.dumps(payload).encode())
    return response


ADDRESS = {
    "street": "Via Sparano da Bari",
    "street_number": "2",
    "postcode": "70121",
    "comune_code": BARI,
    "comune_name": "Bari",
}


def test_no_geocoder_configured_means_no_request(settings, english):
    settings.PUSH_GEOCODER_URL = ""
    with mock.patch("registry.geo.geocoder.urlopen") as urlopen:
        with pytest.raises(geocoder.GeocodingError, match="No geocoder is configured"):
            geocoder.place(**ADDRESS)
    urlopen.assert_not_called()


def test_the_geocoder_is_asked_the_address_and_its_answer_in_the_comune_is_taken(settings):
    settings.PUSH_GEOCODER_URL = "https://geocoder.example.it/search"
    payload = [
        {"lat": "40.3527", "lon": "18.1723"},  # Lecce: not the building's Comune
        {"lat": "41.1250123", "lon": "16.8699871"},
    ]
    with mock.patch("registry.geo.geocoder.urlopen", return_value=answer(payload)) as urlopen:
        found = geocoder.place(**ADDRESS)
    assert found == geocoder.Placement(latitude=Decimal("41.125012"), longitude=Decimal("16.869987"))
    request = urlopen.call_args.args[0]
    query = parse_qs(urlsplit(request.full_url).query)
    assert request.full_url.startswith("https://geocoder.example.it/search?")
    assert query["street"] == ["2 Via Sparano da Bari"] and query["city"] == ["Bari"]
    assert query["postalcode"] == ["70121"] and query["countrycodes"] == ["it"]
    assert request.get_header("User-agent") == geocoder.USER_AGENT
    assert urlopen.call_args.kwargs["timeout"] == geocoder.TIMEOUT_SECONDS


def test_an_answer_outside_the_comune_is_refused(settings, english):
    settings.PUSH_GEOCODER_URL = "https://geocoder.example.it/search"
    with mock.patch("registry.geo.geocoder.urlopen", return_value=answer([{"lat": "40.3527", "lon": "18.1723"}])):
        with pytest.raises(geocoder.GeocodingError, match="placed this address outside Bari"):
            geocoder.place(**ADDRESS)


def test_no_answer_and_a_silent_geocoder_are_told_apart(settings, english):
    settings.PUSH_GEOCODER_URL = "https://geocoder.example.it/search"
    with mock.patch("registry.geo.geocoder.urlopen", return_value=answer([])):
        with pytest.raises(geocoder.GeocodingError, match="did not find this address"):
            geocoder.place(**ADDRESS)
    with mock.patch("registry.geo.geocoder.urlopen", side_effect=URLError("timed out")):
        with pytest.raises(geocoder.GeocodingError, match="did not answer"):
            geocoder.place(**ADDRESS)
