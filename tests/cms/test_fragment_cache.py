"""The header and the footer are kept whole in the shared cache under the page cache's version
(templates/includes/header.html, footer.html): what varies inside them (the language links,
the sign-in button) still follows the request, and whatever an editor changes in them shows on
the next request, with the page cache off as with it on."""

import re

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import Site

from cms.models import FaqIndexPage, FooterLinks, NoticePage
from tests.factories import UserFactory


@pytest.fixture(params=[False, True], ids=["page cache off", "page cache on"])
def page_cache(request, settings):
    settings.PUSH_PAGE_CACHE = request.param
    return request.param


def _header(html: str) -> str:
    return html[html.index("<header") : html.index("</header>")]


def _language_links(html: str) -> dict:
    return dict(re.findall(r'<a class="text-white" href="([^"]+)" lang="(\w+)"', _header(html)))


def _menu(html: str) -> str:
    return html[html.index('<ul class="navbar-nav">') : html.index("</ul>", html.index('<ul class="navbar-nav">'))]


def test_each_page_links_to_itself_in_the_other_language_with_its_query(client, site, page_cache):
    notices = "/avvisi/"  # a literal: Page.url follows the language a previous request left active
    client.get("/")  # the header's fragments are now in the cache, rendered for the home
    assert _language_links(client.get("/").content.decode()) == {"/": "it", "/en/": "en"}
    links = _language_links(client.get(notices + "?anno=2026").content.decode())
    assert links == {f"{notices}?anno=2026": "it", f"/en{notices}?anno=2026": "en"}
    english = _language_links(client.get(f"/en{notices}").content.decode())
    assert english == {notices: "it", f"/en{notices}": "en"}


def test_the_sign_in_button_follows_who_is_reading(client, site, settings):
    settings.PUSH_PAGE_CACHE = False  # a signed-in reader is never served from the page cache
    assert "Accedi" in _header(client.get("/").content.decode())
    client.force_login(UserFactory())
    header = _header(client.get("/").content.decode())
    assert "Area riservata" in header and "Accedi" not in header
    client.logout()
    assert "Accedi" in _header(client.get("/").content.decode())


def test_a_page_published_into_the_menu_shows_in_the_header_on_the_next_request(client, site, page_cache):
    client.get("/")
    assert 'href="/faq/"' in _menu(client.get("/").content.decode())
    faq = FaqIndexPage.objects.get()
    faq.slug = "domande-frequenti"
    faq.save_revision().publish()
    menu = _menu(client.get("/").content.decode())
    assert 'href="/domande-frequenti/"' in menu and 'href="/faq/"' not in menu


def test_a_menu_link_removed_from_the_settings_goes_from_the_header_and_footer_at_once(client, site, page_cache):
    editor = Client()
    editor.force_login(UserFactory(is_superuser=True))
    client.get("/")
    html = client.get("/").content.decode()
    assert 'href="/avvisi/"' in _menu(html) and 'href="/privacy/"' in html
    links = FooterLinks.for_site(Site.objects.get(is_default_site=True))
    form = {
        field: getattr(links, f"{field}_id") or ""
        for field in ("accessibility", "privacy", "legal_notes", "contacts", "faq", "notices")
    }
    form.update(notices="", privacy="")
    url = f"/admin/settings/cms/footerlinks/{links.site_id}/"
    assert editor.post(url, form).status_code == 302
    html = client.get("/").content.decode()
    assert 'href="/avvisi/"' not in _menu(html)
    assert 'href="/privacy/"' not in html


def test_a_notice_published_shows_on_the_home_on_the_next_request(client, site, page_cache):
    client.get("/")
    assert "Nuovo avviso sugli sfratti" not in client.get("/").content.decode()
    notice = NoticePage(title="Nuovo avviso sugli sfratti", summary="Proroga.", date=timezone.localdate())
    site["notices"].add_child(instance=notice)
    notice.save_revision().publish()
    assert "Nuovo avviso sugli sfratti" in client.get("/").content.decode()


def test_a_call_closed_leaves_the_homes_open_calls_on_the_next_request(client, site, page_cache, region_admin):
    from calls.call_lifecycle import move_call

    client.get("/")
    assert site["arrears"].title in client.get("/").content.decode()
    move_call(site["arrears"], "close", region_admin)
    html = client.get("/").content.decode()
    assert site["arrears"].title not in html
    assert site["call"].title in html or site["guideline"].title in html


def test_the_home_reads_no_call_while_its_sections_are_cached(client, site, settings, django_assert_num_queries):
    settings.PUSH_PAGE_CACHE = False
    client.get("/")
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200
