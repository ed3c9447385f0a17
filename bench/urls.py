"""URLconf of the site benchmark only: the site's own URLs plus a bare view.

`bench/site.py` serves it with `PUSH_BENCH_BARE_VIEW=1` under `config.settings.bench`, the only
settings that read that variable; production and development route with `config.urls`, where
this view does not exist.

The bare view is the floor the cached pages are compared with (`warm_ratio`): a plain Django
view returning `?bytes=N` bytes of HTML, through the same middleware and the same gunicorn, with
no template, no database and no cache (`cache_seconds = 0`: the page cache does not keep it)."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

MAX_BYTES = 1_000_000


def bare(request):
    try:
        size = min(max(int(request.GET.get("bytes", "0")), 0), MAX_BYTES)
    except ValueError:
        size = 0
    response = HttpResponse(b"x" * size, content_type="text/html; charset=utf-8")
    response.cache_seconds = 0
    return response


urlpatterns = [path("_bench/bare/", bare, name="bench-bare"), *site_urlpatterns]
