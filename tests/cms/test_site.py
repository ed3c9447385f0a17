"""The public site: page types where they belong, pages that render, live call state, what
drafts and private pages never show, the page cache, the headless API."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from calls.models import Call, CallState
from cms.models import CallGuidelinePage, FaqIndexPage, HomePage, NoticeIndexPage, NoticePage, StandardPage


def test_page_types_live_only_where_they_belong(db):
    assert HomePage.can_create_at(Page.get_first_root_node())
    from dashboards.models import DashboardPage

    assert set(HomePage.allowed_subpage_models()) == {
        NoticeIndexPage,
        CallGuidelinePage,
        FaqIndexPage,
        StandardPage,
        DashboardPage,
    }
    assert DashboardPage.allowed_parent_page_models() == [HomePage]
    assert NoticePage.allowed_parent_page_models() == [NoticeIndexPage]
    assert NoticePage not in HomePage.allowed_subpage_models()
    assert CallGuidelinePage not in NoticeIndexPage.allowed_subpage_models()
    assert StandardPage.allowed_subpage_models() == [] and FaqIndexPage.allowed_subpage_models() == []


def test_every_page_renders(client, site):
    for page in Page.objects.live().specific().filter(depth__gt=1):
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        html = response.content.decode()
        assert html.count("<h1") == 1, page.url
        assert 'href="#main-container"' in html and '<main id="main-container"' in html
        assert "cdn." not in html and "/static/bootstrap-italia/css/bootstrap-italia.min.css" in html


def test_home_highlights_open_calls_latest_notices_and_featured_faq(client, site):
    html = client.get("/").content.decode()
    assert site["guideline"].title in html
    assert "Aperto il bando per il sostegno alle locazioni" in html
    assert "Chi può chiedere l’accreditamento a PUSH?" in html


def test_guideline_shows_the_calls_live_state_and_hides_the_link_after_the_deadline(client, site):
    url = site["guideline"].url
    html = client.get(url).content.decode()
    assert "Aperto" in html and "Prepara la domanda" in html and "Determina di approvazione della graduatoria" in html
    call = site["call"]
    call.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    call.state = CallState.CLOSED
    call.save()
    html = client.get(url).content.decode()
    assert "Chiuso" in html and "Prepara la domanda" not in html


def test_the_link_disappears_at_the_deadline_even_without_any_edit(client, site):
    call = site["call"]
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))  # no signal
    assert "Prepara la domanda" not in client.get(site["guideline"].url).content.decode()


def test_published_riparto_appears_on_the_guideline(client, site):
    from calls.models import Allocation

    call = site["call"]
    Allocation.objects.create(
        call=call, comune_id=_bari(), need=100, co_financing=0, premium_eligible=False, base=100, premium=0, total=100
    )
    call.riparto_published_at = timezone.now()
    call.save()
    html = client.get(site["guideline"].url).content.decode()
    assert "Riparto del fondo" in html and '<th scope="row">Bari</th>' in html


def _bari():
    from registry.models import Entity

    return Entity.objects.get(code="072006").pk


@pytest.fixture
def hidden(site):
    """A draft notice and a private (password) notice."""
    notices = site["notices"]
    draft = NoticePage(title="Bozza riservata segreta", summary="non pubblicare", date=timezone.localdate())
    notices.add_child(instance=draft)
    draft.unpublish()
    private = NoticePage(
        title="Avviso privato segreto", summary="solo per chi ha la password", date=timezone.localdate()
    )
    notices.add_child(instance=private)
    private.save_revision().publish()
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    return ("Bozza riservata segreta", "Avviso privato segreto")


def test_drafts_and_private_pages_never_appear_anywhere_public(client, site, hidden):
    urls = [
        "/",
        site["notices"].url,
        site["notices"].url + "feed/",
        "/cerca/?q=segreto",
        "/sitemap.xml",
        "/api/v2/pages/?type=cms.NoticePage&fields=summary",
        "/api/v2/pages/?search=segreto",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for title in hidden:
            assert title not in body, (url, title)


def test_notices_are_filtered_by_category_and_year_and_paginated(client, site):
    index = site["notices"]
    html = client.get(index.url + "?categoria=patrimonio").content.decode()
    assert "Fotografia del patrimonio ERP" in html and "Aperto il bando" not in html
    assert "Aperto il bando" not in client.get(index.url + "?anno=1999").content.decode()
    for number in range(12):
        notice = NoticePage(title=f"Avviso numerato {number}", summary="x", date=timezone.localdate())
        index.add_child(instance=notice)
        notice.save_revision().publish()
    first = client.get(index.url).content.decode()
    assert "Pagina 1 di 2" in first
    assert "pagina=2" in first


def test_rss_feed_lists_the_notices(client, site):
    response = client.get(site["notices"].url + "feed/")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert b"Aperto il bando per il sostegno alle locazioni" in response.content


def test_search_highlights_and_paginates(client, site):
    html = client.get("/cerca/?q=accreditamento").content.decode()
    assert "<mark>" in html.lower() and "risultat" in html


def test_faq_questions_have_anchors_and_can_be_searched(client, site):
    faq = FaqIndexPage.objects.get()
    html = client.get(faq.url + "?q=csv").content.decode()
    item = faq.questions.get(question__icontains="CSV")
    assert f'id="{item.anchor}"' in html and "Chi rientra nella fascia A" not in html


def test_footer_has_the_mandatory_links(client, site):
    html = client.get("/").content.decode()
    for slug in ("dichiarazione-di-accessibilita", "privacy", "note-legali", "contatti"):
        assert f'href="/{slug}/"' in html


def test_open_graph_breadcrumbs_and_robots(client, site):
    notice = NoticePage.objects.live().first()
    html = client.get(notice.url).content.decode()
    assert '<meta property="og:title" content="' in html and 'property="og:type" content="article"' in html
    assert 'aria-label="Percorso di navigazione"' in html or 'class="breadcrumb"' in html
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots and "Sitemap: http://testserver/sitemap.xml" in robots


def test_english_interface_is_available(client, site):
    html = client.get("/en/faq/").content.decode()
    assert '<html lang="en">' in html and "Skip to content" in html


def test_unknown_address_gives_the_404_page(client, site):
    response = client.get("/non-esiste/")
    assert response.status_code == 404 and "Pagina non trovata" in response.content.decode()


def test_cached_pages_reach_the_database_once(client, site):
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response["X-Push-Cache"] == "hit" and len(queries) == 0


def test_publishing_makes_cached_pages_fresh(client, site):
    assert "Novità appena pubblicata" not in client.get("/").content.decode()
    notice = NoticePage(
        title="Novità appena pubblicata", summary="x", date=timezone.localdate() + datetime.timedelta(days=1)
    )
    site["notices"].add_child(instance=notice)
    notice.save_revision().publish()
    assert "Novità appena pubblicata" in client.get("/").content.decode()


def test_signed_in_users_are_never_served_the_anonymous_cache(client, site, region_admin):
    client.get("/")
    client.force_login(region_admin)
    response = client.get("/")
    assert response.get("X-Push-Cache") is None
    assert "Area riservata" in response.content.decode()


def test_headless_api_serves_page_fields(client, site):
    body = client.get(f"/api/v2/pages/{site['guideline'].pk}/").json()
    assert body["call_state"] == "open" and body["closes_at"] and body["steps"]
    listing = client.get("/api/v2/pages/?type=cms.FaqIndexPage&fields=questions").json()
    assert listing["items"][0]["questions"][0]["anchor"].startswith("domanda-")


def test_search_uses_italian_stemming_on_postgresql(client, site):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the Italian text-search configuration exists on PostgreSQL")
    # "pubblicati" is not in any page; its stem matches "Pubblicato il riparto…".
    html = client.get("/cerca/?q=pubblicati").content.decode()
    assert "<mark>Pubblicato</mark> il riparto del fondo" in html  # found, and the stem marked
