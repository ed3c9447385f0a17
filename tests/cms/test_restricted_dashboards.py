"""Restricted dashboards never leak through the public site, from the attacker's side: an
anonymous reader searching for a restricted dashboard's own words, reading the sitemap, the
feed, the listings or the headless API finds nothing of it, while a public dashboard is found
everywhere (issue 11).

The mechanism: a dashboard whose readers are restricted carries Wagtail's own "signed-in
readers only" view restriction, kept in step with its audience when it is saved or published,
and which editors cannot change by hand; Wagtail's `public()` pages (search, sitemap, API v2,
our listings) leave it out, and its serving still asks the dashboard's own rule
(dashboards.readers)."""

import re

import pytest
from django.urls import reverse
from wagtail.models import PageViewRestriction

from dashboards.models import DashboardAudience, DashboardPage
from registry.models import Area, Role
from tests.conftest import BARI
from tests.factories import member

PUBLIC_WORD = "Girasolepubblico"
SECRET_WORDS = {
    DashboardAudience.REGIONAL: "Zafferanoriservato",
    DashboardAudience.ENTITY: "Mandorlaentità",
}


def _dashboard(home, audience, word, slug):
    page = DashboardPage(
        title=f"Cruscotto {word}",
        slug=slug,
        audience=audience,
        search_description=f"Descrizione {word} dei richiedenti",
        intro=f"<p>Introduzione {word}: i richiedenti del bando.</p>",
        body=[("text", f"<p>Testo {word}.</p>")],
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return DashboardPage.objects.get(pk=page.pk)


@pytest.fixture
def dashboards(entities):
    from cms import demo

    home = demo.load()
    pages = {"public": _dashboard(home, DashboardAudience.PUBLIC, PUBLIC_WORD, "girasole")}
    for audience, word in SECRET_WORDS.items():
        pages[audience] = _dashboard(home, audience, word, f"riservato-{audience}")
    return pages


def _body(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _search_results(client, query) -> str:
    """The results of the site search (the page repeats the query itself elsewhere)."""
    html = _body(client, reverse("search") + f"?q={query}")
    return "".join(re.findall(r"<article.*?</article>", html, flags=re.S))


@pytest.mark.parametrize("audience", list(SECRET_WORDS))
def test_anonymous_search_never_finds_a_restricted_dashboard(client, dashboards, audience):
    word = SECRET_WORDS[audience]
    for query in (word, f"Cruscotto {word}", "richiedenti", "Cruscotto"):
        results = _search_results(client, query)
        assert word not in results and dashboards[audience].url not in results, query
    assert dashboards["public"].url in _search_results(client, PUBLIC_WORD)
    assert dashboards["public"].url in _search_results(client, "richiedenti")


@pytest.mark.parametrize("audience", list(SECRET_WORDS))
def test_sitemap_feeds_listings_and_api_never_list_a_restricted_dashboard(client, dashboards, audience):
    from cms.models import NoticeIndexPage

    page, word = dashboards[audience], SECRET_WORDS[audience]
    notices = NoticeIndexPage.objects.live().first()
    urls = ["/", "/sitemap.xml", f"/api/v2/pages/?search={word}", "/api/v2/pages/?search=Cruscotto"]
    urls += ["/api/v2/pages/?type=dashboards.DashboardPage&fields=intro,audience", "/api/v2/pages/?limit=20"]
    if notices is not None:
        urls += [notices.url, notices.url + "feed/"]
    for url in urls:
        body = _body(client, url)
        assert word not in body and f"/{page.slug}/" not in body, url
    # Asked for by id or by path, the API answers as if it did not exist.
    assert client.get(f"/api/v2/pages/{page.pk}/").status_code == 404
    found = client.get("/api/v2/pages/find/", {"html_path": page.url})
    assert found.status_code == 404
    # And the page itself asks an anonymous reader to sign in, telling nothing of it.
    response = client.get(page.url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))


def test_a_public_dashboard_is_listed_everywhere(client, dashboards):
    page = dashboards["public"]
    assert f"/{page.slug}/" in _body(client, "/sitemap.xml")
    api = client.get("/api/v2/pages/?type=dashboards.DashboardPage&fields=audience").json()
    assert [item["id"] for item in api["items"]] == [page.pk]
    assert client.get(f"/api/v2/pages/{page.pk}/").status_code == 200
    assert PUBLIC_WORD in _body(client, page.url)


def test_the_region_still_reads_a_restricted_dashboard(region_admin_client, dashboards):
    html = _body(region_admin_client, dashboards[DashboardAudience.REGIONAL].url)
    assert SECRET_WORDS[DashboardAudience.REGIONAL] in html


def test_an_entity_officer_reads_the_entity_dashboard_but_not_the_regional_one(client, dashboards):
    client.force_login(member(BARI, Role.OFFICER, Area.CALLS))
    assert SECRET_WORDS[DashboardAudience.ENTITY] in _body(client, dashboards[DashboardAudience.ENTITY].url)
    assert client.get(dashboards[DashboardAudience.REGIONAL].url).status_code == 404
    # Signed in, the search still lists public pages only.
    assert SECRET_WORDS[DashboardAudience.ENTITY] not in _search_results(client, SECRET_WORDS[DashboardAudience.ENTITY])


def test_the_privacy_follows_the_published_audience(client, dashboards):
    page = dashboards["public"]
    # A draft that restricts the readers changes nothing until it is published.
    page.audience = DashboardAudience.REGIONAL
    page.save_revision()
    assert f"/{page.slug}/" in _body(client, "/sitemap.xml")
    # Published: gone from every public list.
    DashboardPage.objects.get(pk=page.pk).get_latest_revision().publish()
    assert f"/{page.slug}/" not in _body(client, "/sitemap.xml")
    assert PUBLIC_WORD not in _search_results(client, PUBLIC_WORD)
    assert client.get(f"/api/v2/pages/{page.pk}/").status_code == 404
    # Made public again and published: listed again, with no restriction left behind.
    page = DashboardPage.objects.get(pk=page.pk)
    page.audience = DashboardAudience.PUBLIC
    page.save_revision().publish()
    assert f"/{page.slug}/" in _body(client, "/sitemap.xml")
    assert not PageViewRestriction.objects.filter(page=page).exists()


def test_editors_cannot_lift_the_restriction_by_hand(region_admin_client, dashboards):
    page = dashboards[DashboardAudience.REGIONAL]
    url = reverse("wagtailadmin_pages:set_privacy", args=[page.pk])
    # Refused (the admin answers a refusal with a redirect and a message).
    assert region_admin_client.get(url).status_code in (302, 403)
    assert region_admin_client.post(url, {"restriction_type": "none"}).status_code in (302, 403)
    assert PageViewRestriction.objects.filter(page=page, restriction_type=PageViewRestriction.LOGIN).count() == 1


def test_dashboards_restricted_before_the_rule_are_restricted_by_the_migration(dashboards):
    """Pages saved before dashboards carried the restriction get it from migration 0002;
    a public one stays public, and running it twice adds nothing."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("dashboards.migrations.0002_restricted_dashboards_private")
    PageViewRestriction.objects.filter(page__in=dashboards.values()).delete()
    migration.restrict(apps, None)
    migration.restrict(apps, None)
    restricted = set(PageViewRestriction.objects.filter(restriction_type="login").values_list("page_id", flat=True))
    assert dashboards[DashboardAudience.REGIONAL].pk in restricted
    assert dashboards[DashboardAudience.ENTITY].pk in restricted
    assert dashboards["public"].pk not in restricted
    assert PageViewRestriction.objects.filter(page=dashboards[DashboardAudience.REGIONAL]).count() == 1
