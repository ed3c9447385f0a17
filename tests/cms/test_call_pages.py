"""The public pages of the calls speak to tenants: limits and amounts read live from the call,
where to apply, the Comuni's own deadlines; every open call is on the home page."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from calls.models import Call, CallState, CallType, DeadlineExtension
from cms import demo
from cms.models import CallGuidelinePage
from tests.conftest import BARI

NBSP = "\u00a0"


@pytest.fixture
def calls(entities):
    now = timezone.now()
    rent = Call.objects.create(
        call_type=CallType.RENT_SUPPORT,
        year=2025,
        title="Fondo per il sostegno alle locazioni – annualità 2025",
        legal_act="DGR n. 1850/2026",
        opens_at=now - datetime.timedelta(days=2),
        closes_at=now + datetime.timedelta(days=20),
        state=CallState.OPEN,
    )
    arrears = Call.objects.create(
        call_type=CallType.ARREARS,
        year=2025,
        title="Fondo inquilini morosi incolpevoli – annualità 2025",
        legal_act="DGR n. 1851/2026",
        opens_at=now - datetime.timedelta(days=2),
        closes_at=now + datetime.timedelta(days=40),
        state=CallState.OPEN,
        arrears_max_amount=Decimal("12000.00"),
    )
    demo.load()
    demo.load_content()
    return {"rent": rent, "arrears": arrears, "guideline": CallGuidelinePage.objects.get(call=rent)}


def test_guideline_shows_each_bands_limits_read_from_the_call(client, calls):
    rent = calls["rent"]
    rent.band_a_max_income = Decimal("13500.00")
    rent.band_a_cap = Decimal("3100.50")
    rent.save()
    html = client.get(calls["guideline"].url).content.decode()
    assert f"13.500,00{NBSP}€" in html and f"3.100,50{NBSP}€" in html  # band A, as the call now says
    assert f"15.250,00{NBSP}€" in html and f"2.324,06{NBSP}€" in html  # band B
    assert f"14{NBSP}%" in html and f"24{NBSP}%" in html
    assert "13192.92" not in html and "13.192,92" not in html


def test_guideline_tells_tenants_to_apply_to_their_comune(client, calls):
    html = client.get("/en" + calls["guideline"].url).content.decode()
    assert "Tenants apply to their own Comune" in html


def test_guideline_lists_the_comuni_with_their_own_deadline(client, calls, region_admin, entities):
    rent = calls["rent"]
    later = rent.closes_at + datetime.timedelta(days=10)
    DeadlineExtension.objects.create(
        call=rent, comune=entities[BARI], closes_at=later, reason="Allagamento", granted_by=region_admin
    )
    html = client.get(calls["guideline"].url).content.decode()
    assert "Bari: " in html and timezone.localtime(later).strftime("%d/%m/%Y %H:%M") in html


def test_a_new_extension_shows_at_once_on_the_cached_guideline(client, calls, region_admin, entities):
    url = calls["guideline"].url
    assert "Bari: " not in client.get(url).content.decode()  # now in the page cache
    DeadlineExtension.objects.create(
        call=calls["rent"],
        comune=entities[BARI],
        closes_at=calls["rent"].closes_at + datetime.timedelta(days=3),
        reason="Allagamento",
        granted_by=region_admin,
    )
    assert "Bari: " in client.get(url).content.decode()


def test_home_lists_an_open_call_without_a_guideline_page_with_its_essentials(client, calls):
    html = client.get("/").content.decode()
    assert "Fondo inquilini morosi incolpevoli – annualità 2025" in html
    assert f"12.000,00{NBSP}€" in html and f"26.000,00{NBSP}€" in html


def test_home_links_a_call_to_its_guideline_page(client, calls):
    html = client.get("/").content.decode()
    assert f'href="{calls["guideline"].url}"' in html


def test_home_leaves_out_drafts_and_closed_calls(client, calls):
    Call.objects.filter(pk=calls["arrears"].pk).update(state=CallState.DRAFT)
    Call.objects.filter(pk=calls["rent"].pk).update(state=CallState.CLOSED)
    html = client.get("/").content.decode()
    assert "Fondo inquilini morosi incolpevoli" not in html
    assert f'href="{calls["guideline"].url}"' not in html.split('id="latest-notices"')[0]
