"""Every response, served from the page cache or rendered, carries the browser protections:
X-Frame-Options, a Content-Security-Policy, nosniff and the referrer policy. The page cache
answers before most middleware, so a header set by a middleware placed after it would be lost
on every cached page (it was: X-Frame-Options)."""

import datetime
import re

import pytest
from django.utils import timezone
from wagtail.models import Page

from calls.models import Call, CallState, CallType
from cms import demo
from cms.models import CallGuidelinePage, FaqIndexPage, HomePage, NoticeIndexPage, NoticePage, StandardPage
from tests.conftest import BARI

PUBLIC_PAGE_TYPES = (HomePage, NoticeIndexPage, NoticePage, CallGuidelinePage, FaqIndexPage, StandardPage)


@pytest.fixture
def site(entities):
    now = timezone.now()
    Call.objects.create(
        call_type=CallType.RENT_SUPPORT,
        year=2025,
        title="Fondo per il sostegno alle locazioni – annualità 2025",
        legal_act="DGR n. 1850/2026",
        opens_at=now - datetime.timedelta(days=2),
        closes_at=now + datetime.timedelta(days=20),
        state=CallState.OPEN,
    )
    demo.load()
    demo.load_content()


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_protected(response, *, frame_ancestors="'none'"):
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == [frame_ancestors]
    return policy


def assert_strict(policy):
    """The public site runs no inline script and no inline style: an injected <script> or
    style attribute does nothing."""
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]


def one_live_url(model) -> str:
    page = model.objects.live().public().first()
    assert page is not None, model
    return page.url


@pytest.mark.parametrize("model", PUBLIC_PAGE_TYPES, ids=lambda model: model.__name__)
def test_every_public_page_type_is_protected_when_rendered_and_when_cached(client, site, model):
    url = one_live_url(model)
    first = client.get(url)
    assert first.status_code == 200 and first["X-Push-Cache"] == "miss"
    assert_strict(assert_protected(first))
    second = client.get(url)
    assert second.status_code == 200 and second["X-Push-Cache"] == "hit"
    assert_strict(assert_protected(second))


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle=", re.IGNORECASE)


@pytest.mark.parametrize(
    "url",
    [None, "/cerca/?q=bando", "/en/faq/", "/accreditamento/", "/pagina-che-non-esiste/"],
    ids=["every page type", "search", "english", "accreditation form", "404"],
)
def test_public_markup_has_no_inline_script_nor_style_attribute(client, site, url):
    """What the strict policy would block (scripts/check_csp.py proves it in a browser)."""
    urls = [one_live_url(model) for model in PUBLIC_PAGE_TYPES] if url is None else [url]
    for address in urls:
        html = client.get(address).content.decode()
        assert not INLINE_SCRIPT.search(html), (address, INLINE_SCRIPT.search(html).group(0))
        assert not STYLE_ATTRIBUTE.search(html), (address, STYLE_ATTRIBUTE.search(html).group(0))


@pytest.mark.parametrize("url", ["/cerca/?q=bando", "/en/faq/", "/accreditamento/", "/pagina-che-non-esiste/"])
def test_search_english_form_and_404_are_protected(client, site, url):
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == (404 if "non-esiste" in url else 200)
        assert_strict(assert_protected(response))


def test_cached_pages_keep_x_frame_options(client, site):
    """The page cache answered before the clickjacking middleware: a cached page could be
    framed by any site."""
    client.get("/")
    response = client.get("/")
    assert response["X-Push-Cache"] == "hit"
    assert response.get("X-Frame-Options") == "DENY"


def test_a_cached_page_keeps_no_stale_policy(client, site, settings):
    """The policy is added on the way out of every response, not stored with the page: a
    change of policy applies at once to pages already in the cache."""
    client.get("/")
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'"]}
    }
    response = client.get("/")
    assert response["X-Push-Cache"] == "hit"
    assert directives(response)["img-src"] == ["'self'"]


def test_admin_sign_in_page_is_protected(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    policy = assert_protected(response, frame_ancestors="'self'")
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/registry/entity/",
        "/admin/registry/unit/",
        "/admin/calls/call/",
        "/admin/users/",
    ],
)
def test_main_admin_pages_are_protected(client, site, region_admin, url):
    client.force_login(region_admin)
    response = client.get(url)
    assert response.status_code == 200, url
    policy = assert_protected(response, frame_ancestors="'self'")
    # Wagtail's admin still writes inline scripts (date pickers, inline panels) and style
    # attributes: the admin alone allows them, never the public site.
    assert "'unsafe-inline'" in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]


def test_admin_edit_forms_are_protected(client, site, region_admin, entities):
    client.force_login(region_admin)
    for url in (
        f"/admin/registry/entity/edit/{entities[BARI].pk}/",
        f"/admin/pages/{Page.objects.get(depth=2).pk}/",
        f"/admin/pages/{Page.objects.get(depth=2).pk}/edit/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_protected(response, frame_ancestors="'self'")
