"""The page cache's version lives in the shared cache and never goes back: if the cache loses
the key (a restart of Redis, an eviction under memory pressure), the next version matches no
page cached before, so a withdrawn page cannot come back."""

from django.core.cache import cache

from cms import demo
from cms.page_cache import VERSION_KEY, invalidate, version


def test_a_lost_version_never_brings_back_pages_cached_before_a_withdrawal(client, db):
    home = demo.load()
    cache.delete(VERSION_KEY)  # a cache started afresh: the first version of its life
    client.get("/")
    assert client.get("/")["X-Push-Cache"] == "hit"
    home.title = "Titolo ritirato"
    home.save_revision().publish()  # invalidates
    cache.delete(VERSION_KEY)  # the cache loses the version key
    response = client.get("/")
    assert response["X-Push-Cache"] == "miss"
    assert "Titolo ritirato" in response.content.decode()


def test_every_invalidation_gives_a_version_never_seen_before(db):
    seen = {version()}
    for _ in range(20):
        invalidate()
        assert version() not in seen
        seen.add(version())
        cache.delete(VERSION_KEY)
        assert version() not in seen
        seen.add(version())
