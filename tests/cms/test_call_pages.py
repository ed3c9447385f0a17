"""The public pages of the calls speak to tenants: limits and amounts read live from the call,
where to apply, the Comuni's own deadlines; every open call is on the home page."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from calls.models import Call, CallState, DeadlineExtension
from tests.conftest import BARI

NBSP = "\u00a0"


def test_guideline_shows_each_bands_limits_read_from_the_call(client, site):
    rent = site["call"]
    rent.band_a_max_income = Decimal("13500.00")
    rent.band_a_cap = Decimal("3100.50")
    rent.save()
    html = client.get(site["guideline"].url).content.decode()
    assert f"13.500,00{NBSP}€" in html and f"3.100,50{NBSP}€" in html  # band A, as the call now says
    assert f"15.250,00{NBSP}€" in html and f"2.324,06{NBSP}€" in html  # band B
    assert f"14{NBSP}%" in html and f"24{NBSP}%" in html
    assert "13192.92" not in html and "13.192,92" not in html


def test_guideline_tells_tenants_to_apply_to_their_comune(client, site):
    html = client.get("/en" + site["guideline"].url).content.decode()
    assert "Tenants apply to their own Comune" in html


def test_guideline_lists_the_comuni_with_their_own_deadline(client, site, region_admin, entities):
    rent = site["call"]
    later = rent.closes_at + datetime.timedelta(days=10)
    DeadlineExtension.objects.create(
        call=rent, comune=entities[BARI], closes_at=later, reason="Allagamento", granted_by=region_admin
    )
    html = client.get(site["guideline"].url).content.decode()
    assert "Bari: " in html and timezone.localtime(later).strftime("%d/%m/%Y %H:%M") in html


def test_a_new_extension_shows_at_once_on_the_cached_guideline(client, site, region_admin, entities):
    url = site["guideline"].url
    assert "Bari: " not in client.get(url).content.decode()  # now in the page cache
    DeadlineExtension.objects.create(
        call=site["call"],
        comune=entities[BARI],
        closes_at=site["call"].closes_at + datetime.timedelta(days=3),
        reason="Allagamento",
        granted_by=region_admin,
    )
    assert "Bari: " in client.get(url).content.decode()


def test_home_lists_an_open_call_without_a_guideline_page_with_its_essentials(client, site):
    html = client.get("/").content.decode()
    assert "Fondo inquilini morosi incolpevoli – annualità 2025" in html
    assert f"12.000,00{NBSP}€" in html and f"26.000,00{NBSP}€" in html


def test_home_links_a_call_to_its_guideline_page(client, site):
    html = client.get("/").content.decode()
    assert f'href="{site["guideline"].url}"' in html


def test_home_leaves_out_drafts_and_closed_calls(client, site):
    Call.objects.filter(pk=site["arrears"].pk).update(state=CallState.DRAFT)
    Call.objects.filter(pk=site["call"].pk).update(state=CallState.CLOSED)
    html = client.get("/").content.decode()
    assert "Fondo inquilini morosi incolpevoli" not in html
    assert f'href="{site["guideline"].url}"' not in html.split('id="latest-notices"')[0]


@pytest.mark.parametrize(("offset", "invites"), [(-1, True), (0, False), (1, False)])
def test_the_guideline_invites_submissions_until_the_deadline_excluded(client, site, clock, offset, invites):
    """The call's own rule (calls/rules.py), one second before, at and after `closes_at`."""
    call = site["call"]
    deadline = (timezone.now() + datetime.timedelta(days=3)).replace(microsecond=0)
    Call.objects.filter(pk=call.pk).update(closes_at=deadline)
    clock(deadline + datetime.timedelta(seconds=offset))
    html = client.get(site["guideline"].url).content.decode()
    assert ("Prepara la domanda" in html) is invites


def test_an_extension_granted_to_one_comune_does_not_reopen_the_public_page(
    client, site, clock, region_admin, entities
):
    call = site["call"]
    DeadlineExtension.objects.create(
        call=call,
        comune=entities[BARI],
        closes_at=call.closes_at + datetime.timedelta(days=3),
        reason="Allagamento",
        granted_by=region_admin,
    )
    clock(call.closes_at)
    html = client.get(site["guideline"].url).content.decode()
    assert "Prepara la domanda" not in html and "Bari: " in html
