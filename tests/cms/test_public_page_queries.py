"""Public pages cold (issue 13): with the page cache off, once the shared parts are warm
(the Site and its root page, the route to the page, its view restrictions, the menu, the
footer's links, the breadcrumbs and the listings, all kept in the shared cache under the
publication version of cms/page_cache.py), every public page type makes at most five
queries. Publishing, unpublishing, a change to the footer links or a new view restriction
shows on the very next request."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from cms.models import FaqIndexPage, FooterLinks, NoticePage, StandardPage
from tests.dashboards.test_pages import make_dashboard
from tests.factories import UserFactory

MAX_QUERIES = 5


@pytest.fixture
def cold(settings):
    """The full-page cache off, as bench/site.py measures home_rps_cold."""
    settings.PUSH_PAGE_CACHE = False


def _notice_url():
    return NoticePage.objects.live().order_by("pk").first().url


PAGES = {
    "home": lambda site: "/",
    "notice": lambda site: _notice_url(),
    "notices": lambda site: site["notices"].url,
    "notices filtered": lambda site: site["notices"].url + "?anno=2026&pagina=1",
    "guideline": lambda site: site["guideline"].url,
    "faq": lambda site: FaqIndexPage.objects.get().url,
    "standard page": lambda site: StandardPage.objects.live().first().url,
    "dashboard": lambda site: (
        make_dashboard(site["home"], [("text", "<p>Il patrimonio pubblico.</p>")], title="Cruscotto pubblico").url
    ),
    "search": lambda site: "/cerca/?q=bando",
    "english home": lambda site: "/en/",
}


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert "X-Push-Cache" not in response  # served by the view, not by the page cache
    return response, queries


@pytest.mark.parametrize("name", list(PAGES))
def test_every_public_page_makes_at_most_five_queries_with_the_page_cache_off(client, site, cold, name):
    url = PAGES[name](site)
    first, _ = _get(client, url)  # warms the shared parts, as the first reader after a publication
    second, queries = _get(client, url)
    assert len(queries) <= MAX_QUERIES, (url, [query["sql"][:120] for query in queries.captured_queries])
    # The same page, not a poorer one: menu, footer links and content as the first render.
    assert second.content == first.content
    html = second.content.decode()
    prefix = "/en" if url.startswith("/en/") else ""  # each language its own menu and links
    assert f'href="{prefix}/avvisi/"' in html and f'href="{prefix}/faq/"' in html  # the menu
    assert f'href="{prefix}/privacy/"' in html  # the footer's links


def test_the_home_and_the_notices_show_a_new_notice_at_once_and_lose_it_when_withdrawn(client, site, cold):
    for url in ("/", site["notices"].url):
        client.get(url)
        assert "Bando per la ristrutturazione" not in client.get(url).content.decode()
    notice = NoticePage(
        title="Bando per la ristrutturazione",
        summary="Nuove risorse.",
        date=timezone.localdate(),
        slug="ristrutturazione",
    )
    site["notices"].add_child(instance=notice)
    notice.save_revision().publish()
    for url in ("/", site["notices"].url):
        assert "Bando per la ristrutturazione" in client.get(url).content.decode(), url
    assert client.get(notice.url).status_code == 200

    notice.refresh_from_db()
    notice.unpublish()
    for url in ("/", site["notices"].url):
        assert "Bando per la ristrutturazione" not in client.get(url).content.decode(), url
    assert client.get("/avvisi/ristrutturazione/").status_code == 404


def test_a_page_renamed_and_republished_moves_in_the_menu_and_its_old_address_is_gone(client, site, cold):
    client.get("/")
    assert 'href="/faq/"' in client.get("/").content.decode()
    faq = FaqIndexPage.objects.get()
    faq.slug = "domande"
    faq.save_revision().publish()
    html = client.get("/").content.decode()
    assert 'href="/domande/"' in html and 'href="/faq/"' not in html
    assert client.get("/faq/").status_code == 404
    assert client.get("/domande/").status_code == 200


def test_a_change_to_the_footer_links_shows_at_once(client, site, cold):
    editor = Client()  # the footer links are the site administrators' (a superuser here)
    editor.force_login(UserFactory(is_superuser=True))
    client.get("/")
    assert 'href="/privacy/"' in client.get("/").content.decode()
    links = FooterLinks.for_site(Site.objects.get(is_default_site=True))
    form = {
        field: getattr(links, f"{field}_id") or ""
        for field in ("accessibility", "privacy", "legal_notes", "contacts", "faq", "notices")
    }
    form["privacy"] = ""
    url = f"/admin/settings/cms/footerlinks/{links.site_id}/"
    response = editor.post(url, form)
    assert response.status_code == 302 and response["Location"] == url, response.get("Location")
    assert FooterLinks.objects.get(pk=links.pk).privacy_id is None
    assert 'href="/privacy/"' not in client.get("/").content.decode()


def test_a_page_restricted_after_it_was_read_is_closed_on_the_next_request(client, site, cold):
    url = _notice_url()
    client.get(url)
    assert client.get(url).status_code == 200
    restriction = PageViewRestriction.objects.create(
        page=Page.objects.get(pk=site["notices"].pk), restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    restriction.delete()
    assert client.get(url).status_code == 200


def test_unknown_addresses_and_the_feed_still_route(client, site, cold):
    for _ in range(2):
        assert client.get("/avvisi/non-esiste/").status_code == 404
        assert client.get("/non-esiste/altro/").status_code == 404
        feed = client.get(site["notices"].url + "feed/")
        assert feed.status_code == 200 and b"<rss" in feed.content
