"""Each person's admin home shows what they have to do, only for their own entity, in a
bounded number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import DeadlineExtension, Submission, SubmissionState
from registry.models import Area, Role
from registry.stock.models import ImportJob, ImportStatus
from tests.calls.fixtures import make_arrears_call, make_call
from tests.conftest import ARCA_PUGLIA_CENTRALE, ARCA_SUD_SALENTO, BARI, LECCE
from tests.factories import member

# Wagtail's own home (session, menus, its panels: ~15 queries) with ours: measured (19, 18, 19)
# with a margin of two, so that a panel querying per row fails here. With the monitoring's
# panels (dashboards/monitoring/admin_home.py: at most five queries) and the notifications'
# and circulars' counters: measured (25, 24, 23).
MAX_QUERIES = {"reviewer": 27, "comune": 26, "arca": 25}


@pytest.fixture
def calls(entities, region_admin):
    now = timezone.now()
    call = make_call(opens_at=now - datetime.timedelta(days=20))
    arrears = make_arrears_call(opens_at=now - datetime.timedelta(days=20))
    extended = now + datetime.timedelta(days=15)
    DeadlineExtension.objects.create(
        call=call, comune=entities[BARI], closes_at=extended, reason="Allagamento", granted_by=region_admin
    )
    made = {
        "call": call,
        "arrears": arrears,
        "extended": extended,
        "bari_draft": Submission.objects.create(call=call, comune=entities[BARI]),
        "bari_integration": Submission.objects.create(
            call=arrears,
            comune=entities[BARI],
            state=SubmissionState.INTEGRATION_REQUESTED,
            submitted_at=now - datetime.timedelta(days=3),
            integration_deadline=now + datetime.timedelta(days=5),
        ),
        "lecce_draft": Submission.objects.create(call=arrears, comune=entities[LECCE]),
        "lecce_sent": Submission.objects.create(
            call=call, comune=entities[LECCE], state=SubmissionState.SUBMITTED, submitted_at=now
        ),
    }
    return made


def home(client, user, django_assert_max_num_queries, limit):
    client.force_login(user)
    client.get("/admin/")  # warm the per-process caches (menus, content types)
    with django_assert_max_num_queries(limit):
        response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def test_reviewer_sees_submissions_waiting_and_open_calls_with_days_left(
    client, reviewer, calls, django_assert_max_num_queries
):
    html = home(client, reviewer, django_assert_max_num_queries, MAX_QUERIES["reviewer"])
    assert f'<a href="{reverse("calls_review_queue")}">1 ' in html
    call_link = f'<a href="{reverse("calls_call_modeladmin_inspect", args=[calls["call"].pk])}">'
    assert call_link + "Fondo sostegno locazioni 2025</a>" in html
    assert (
        "chiude il " + timezone.localtime(calls["call"].closes_at).strftime("%d/%m/%Y %H:%M") + ", mancano 10 giorni"
        in html
    )
    assert ", mancano 30 giorni" in html  # the arrears call, a month away


def test_comune_officer_sees_own_drafts_and_integrations_with_their_deadlines(
    client, calls, django_assert_max_num_queries
):
    officer = member(BARI, Role.OFFICER, Area.CALLS)
    html = home(client, officer, django_assert_max_num_queries, MAX_QUERIES["comune"])
    draft = reverse("calls_submission_modeladmin_inspect", args=[calls["bari_draft"].pk])
    integration = reverse("calls_submission_modeladmin_inspect", args=[calls["bari_integration"].pk])
    assert f'href="{draft}"' in html and f'href="{integration}"' in html
    # Bari's own deadline (its extension), not the call's.
    assert timezone.localtime(calls["extended"]).strftime("%d/%m/%Y %H:%M") in html
    assert timezone.localtime(calls["call"].closes_at).strftime("%d/%m/%Y %H:%M") not in html
    integration_deadline = calls["bari_integration"].integration_deadline
    assert timezone.localtime(integration_deadline).strftime("%d/%m/%Y %H:%M") in html


def test_comune_officers_home_never_shows_another_comunes_submissions(client, calls):
    officer = member(BARI, Role.OFFICER, Area.CALLS)
    client.force_login(officer)
    html = client.get("/admin/").content.decode()
    for submission in (calls["lecce_draft"], calls["lecce_sent"]):
        assert reverse("calls_submission_modeladmin_inspect", args=[submission.pk]) not in html
    assert "Lecce" not in html
    assert reverse("calls_review_queue") not in html


def make_import(owner, name):
    return ImportJob.objects.create(
        owner=owner,
        file=f"imports/{name}",
        file_format="csv",
        original_name=name,
        sha256="0" * 64,
        size=100,
        status=ImportStatus.DONE,
    )


def test_arca_officer_sees_own_last_import_and_stock_only(
    client, entities, arca_officer, load_stock, django_assert_max_num_queries
):
    load_stock(ARCA_SUD_SALENTO, 12)
    load_stock(ARCA_PUGLIA_CENTRALE, 7)
    make_import(entities[ARCA_SUD_SALENTO], "alloggi-vecchi.csv")
    own = make_import(entities[ARCA_SUD_SALENTO], "alloggi-sud-salento.csv")
    make_import(entities[ARCA_PUGLIA_CENTRALE], "alloggi-puglia-centrale.csv")
    html = home(client, arca_officer, django_assert_max_num_queries, MAX_QUERIES["arca"])
    assert f'<a href="{reverse("registry_unit_modeladmin_index")}">12 ' in html
    assert f'href="{reverse("registry_importjob_modeladmin_inspect", args=[own.pk])}">alloggi-sud-salento.csv' in html
    assert "alloggi-puglia-centrale.csv" not in html and "alloggi-vecchi.csv" not in html
    assert ">19 " not in html and ">7 " not in html
