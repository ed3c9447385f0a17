"""The site benchmark's bare view (bench/urls.py) exists under the benchmark's URLconf only: the
site's URLconf, which production and development route with, does not know it."""

from django.conf import settings as django_settings


def test_the_site_does_not_route_the_bare_view(client, db):
    assert django_settings.ROOT_URLCONF == "config.urls"
    assert client.get("/_bench/bare/?bytes=100").status_code == 404


def test_the_benchmark_urlconf_answers_the_size_asked_for_and_is_not_kept_by_the_page_cache(client, db, settings):
    settings.ROOT_URLCONF = "bench.urls"
    for _ in range(2):
        response = client.get("/_bench/bare/?bytes=11094")
        assert response.status_code == 200 and len(response.content) == 11094
        assert "X-Push-Cache" not in response
