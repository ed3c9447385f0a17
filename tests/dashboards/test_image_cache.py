"""Dashboard images cached in the shared cache: rendered once per (chart, parameters, data
version, format); a new data version renders again, so no image is ever stale."""

import pytest
from django.core.cache import cache

from dashboards.rendering import cached_render, image_cache_key


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


class Producer:
    def __init__(self):
        self.calls = 0

    def __call__(self) -> bytes:
        self.calls += 1
        return b"image %d" % self.calls


def _cached(produce, *, params=None, version="v1", fmt="png", chart_key="chart-7"):
    return cached_render(
        chart_key=chart_key,
        params=params or {"year": 2025, "province": "BA"},
        version=version,
        fmt=fmt,
        produce=produce,
    )


def test_same_inputs_render_once():
    produce = Producer()
    assert _cached(produce) == b"image 1"
    assert _cached(produce) == b"image 1"
    assert produce.calls == 1


def test_parameter_order_does_not_matter():
    produce = Producer()
    _cached(produce, params={"year": 2025, "province": "BA"})
    _cached(produce, params={"province": "BA", "year": 2025})
    assert produce.calls == 1


def test_a_new_data_version_renders_again():
    produce = Producer()
    assert _cached(produce, version="v1") == b"image 1"
    assert _cached(produce, version="v2") == b"image 2"
    assert produce.calls == 2


@pytest.mark.parametrize(
    "change",
    [{"params": {"year": 2024, "province": "BA"}}, {"fmt": "svg"}, {"chart_key": "chart-8"}],
)
def test_other_parameters_format_or_chart_are_other_images(change):
    produce = Producer()
    _cached(produce)
    _cached(produce, **change)
    assert produce.calls == 2


def test_the_key_is_stable_and_fits_every_cache_backend():
    key = image_cache_key(chart_key="chart-7", params={"year": 2025}, version="v1", fmt="png")
    assert key == image_cache_key(chart_key="chart-7", params={"year": 2025}, version="v1", fmt="png")
    assert key.startswith("dashboards:image:")
    assert len(key) < 250 and " " not in key  # memcached's limits, the strictest


def test_bytes_come_back_unchanged_from_the_cache():
    png = b"\x89PNG\r\n\x1a\n\x00binary"
    assert _cached(lambda: png) == png
    assert _cached(lambda: b"other") == png


@pytest.mark.django_db
def test_the_database_cache_shared_by_server_processes_serves_the_rendered_image(settings):
    from django.core.management import call_command

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "push_cache_rendering_test"}
    }
    call_command("createcachetable", verbosity=0)
    produce = Producer()
    assert _cached(produce) == b"image 1"
    assert _cached(produce) == b"image 1"
    assert _cached(produce, version="v2") == b"image 2"
    assert produce.calls == 2
