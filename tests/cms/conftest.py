"""The public site's fixture: the demo pages over two open calls of 2025 (rent support,
with its guideline page, and arrears, without one), made by the calls' one factory."""

import datetime

import pytest
from django.utils import timezone

from cms import demo
from cms.models import CallGuidelinePage, NoticeIndexPage
from tests.calls.fixtures import make_arrears_call, make_call

RENT_SUPPORT_2025 = "Fondo per il sostegno alle locazioni – annualità 2025"
ARREARS_2025 = "Fondo inquilini morosi incolpevoli – annualità 2025"


@pytest.fixture
def site(entities):
    now = timezone.now()
    call = make_call(
        title=RENT_SUPPORT_2025,
        legal_act="DGR n. 1850/2026",
        opens_at=now - datetime.timedelta(days=2),
        closes_at=now + datetime.timedelta(days=20),
    )
    arrears = make_arrears_call(
        title=ARREARS_2025,
        legal_act="DGR n. 1851/2026",
        opens_at=now - datetime.timedelta(days=2),
        closes_at=now + datetime.timedelta(days=40),
    )
    home = demo.load()
    demo.load_content()
    return {
        "home": home,
        "call": call,
        "arrears": arrears,
        "guideline": CallGuidelinePage.objects.get(call=call),
        "notices": NoticeIndexPage.objects.get(),
    }
