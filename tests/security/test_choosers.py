"""Choosers of the admin (pages, documents, images, embeds, workflow tasks, snippets) from
the side of an officer who edits no content: the page chooser's search listed the titles of
drafts and private pages to anyone who could enter the admin, and the "chosen" steps answer
for any id. They are refused to people who do not edit content (core.admin_guards); editors
keep them."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction

from cms.demo import setup_editorial_permissions
from registry.models import Role
from tests.conftest import REGION
from tests.factories import member
from tests.helpers import assert_forbidden, assert_redirects_to_login

DRAFT = "Bozza riservata sul nuovo bando"
PRIVATE = "Pagina privata della sezione"


@pytest.fixture
def pages(entities):
    home = Page.objects.get(depth=2)
    draft = home.add_child(instance=Page(title=DRAFT, slug="bozza-riservata", live=False))
    private = home.add_child(instance=Page(title=PRIVATE, slug="pagina-privata", live=True))
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    return {"home": home, "draft": draft, "private": private}


@pytest.fixture
def editor(entities, pages):
    setup_editorial_permissions(pages["home"])
    return member(REGION, Role.EDITOR)


def officer_urls(pages):
    draft = pages["draft"].pk
    return [
        reverse("wagtailadmin_choose_page_search") + "?q=Bozza",
        reverse("wagtailadmin_choose_page_search") + "?q=privata",
        reverse("wagtailadmin_choose_page"),
        reverse("wagtailadmin_choose_page_child", args=[draft]),
        reverse("wagtailadmin_choose_page_chosen_multiple") + f"?id={draft}&id={pages['private'].pk}",
        reverse("wagtaildocs_chooser:choose"),
        reverse("wagtaildocs_chooser:choose_results"),
        reverse("wagtaildocs_chooser:chosen", args=[1]),
        reverse("wagtailimages_chooser:choose"),
        reverse("wagtailimages_chooser:chosen", args=[1]),
        reverse("wagtailadmin_tag_autocomplete") + "?term=a",
    ]


@pytest.mark.parametrize("officer", ["bari_officer", "arca_officer"])
def test_officers_are_refused_every_chooser(client, request, officer, pages):
    client.force_login(request.getfixturevalue(officer))
    for url in officer_urls(pages):
        assert_forbidden(client.get(url, headers={"x-requested-with": "XMLHttpRequest"}), leaked=(DRAFT, PRIVATE))
        assert_forbidden(client.get(url), leaked=(DRAFT, PRIVATE))


def concrete(route: str) -> str:
    """A chooser route with its parameters filled in."""
    values = {"app_label": "wagtaildocs", "app_name": "wagtaildocs", "model_name": "document"}
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: values.get(match[1], "1"), route)


def test_every_chooser_route_of_the_admin_is_guarded(client, bari_officer, pages):
    """Walks the guarded copies made from Wagtail's URL patterns, so that a chooser added
    later (a snippet, a new viewset) is refused too; and checks the walk found the known ones."""
    from core.admin_guards import chooser_admin_urls

    routes = [str(pattern.pattern) for pattern in chooser_admin_urls()]
    for known in ("admin/choose-page/search/", "admin/documents/chooser/", "admin/images/chooser/chosen/<str:pk>/"):
        assert known in routes
    client.force_login(bari_officer)
    for route in routes:
        assert_forbidden(client.get(concrete(route)), leaked=(DRAFT, PRIVATE))


def test_signed_out_visitors_are_sent_to_sign_in(client, pages):
    assert_redirects_to_login(client.get(reverse("wagtailadmin_choose_page_search") + "?q=Bozza"))


def test_editors_keep_the_page_chooser(client, editor, pages):
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_choose_page_search") + "?q=Bozza")
    assert response.status_code == 200 and DRAFT in response.content.decode()
    assert client.get(reverse("wagtaildocs_chooser:choose")).status_code == 200


def test_the_chooser_queryset_hook_keeps_only_live_public_pages_for_non_editors(bari_officer, editor, pages):
    from cms.wagtail_hooks import only_public_pages_for_non_editors

    request = RequestFactory().get("/admin/choose-page/")
    request.user = bari_officer
    shown = set(only_public_pages_for_non_editors(Page.objects.all(), request).values_list("title", flat=True))
    assert DRAFT not in shown and PRIVATE not in shown
    assert pages["home"].title in shown
    request.user = editor
    assert {DRAFT, PRIVATE} <= set(
        only_public_pages_for_non_editors(Page.objects.all(), request).values_list("title", flat=True)
    )
