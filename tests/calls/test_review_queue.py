"""The Region's review queue: submissions waiting (sent or integrated), oldest first, the
count in the menu with one query, the filter kept on the way back."""

import datetime
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from calls import selectors
from calls.models import Submission, SubmissionState
from tests.calls.fixtures import make_arrears_call, make_call
from tests.conftest import BARI, LECCE
from tests.helpers import assert_refused_by_admin


@pytest.fixture
def waiting(entities):
    """Submissions of four Comuni in every state, sent at different times."""
    now = timezone.now()
    call = make_call(opens_at=now - datetime.timedelta(days=20))
    other = make_arrears_call(opens_at=now - datetime.timedelta(days=20), closes_at=now + datetime.timedelta(days=10))
    from registry.models import Entity, EntityKind

    comuni = list(Entity.objects.filter(kind=EntityKind.COMUNE).exclude(code__in=[BARI, LECCE]).order_by("code")[:3])
    made = {}
    for name, comune, state, days_ago, in_call in [
        ("lecce", entities[LECCE], SubmissionState.SUBMITTED, 1, call),  # newest
        ("bari", entities[BARI], SubmissionState.INTEGRATED, 5, call),  # oldest
        ("accepted", comuni[0], SubmissionState.ACCEPTED, 9, call),
        ("draft", comuni[1], SubmissionState.DRAFT, None, call),
        ("arrears", comuni[2], SubmissionState.SUBMITTED, 3, other),
    ]:
        made[name] = Submission.objects.create(
            call=in_call,
            comune=comune,
            state=state,
            submitted_at=now - datetime.timedelta(days=days_ago) if days_ago else None,
        )
    made["call"], made["other"] = call, other
    return made


def test_the_queue_lists_sent_and_integrated_oldest_first(waiting):
    assert list(selectors.review_queue()) == [waiting["bari"], waiting["arrears"], waiting["lecce"]]
    assert list(selectors.review_queue(call=waiting["call"])) == [waiting["bari"], waiting["lecce"]]


def test_the_queue_page_in_order_and_filtered(client, waiting, reviewer):
    client.force_login(reviewer)
    url = reverse("calls_review_queue")
    html = client.get(url).content.decode()
    inspect = [
        reverse("calls_submission_modeladmin_inspect", args=[waiting[n].pk]) for n in ("bari", "arrears", "lecce")
    ]
    positions = [html.index(link) for link in inspect]
    assert positions == sorted(positions)
    for name in ("accepted", "draft"):
        assert reverse("calls_submission_modeladmin_inspect", args=[waiting[name].pk]) + "?" not in html
    filtered = client.get(url, {"call": waiting["call"].pk}).content.decode()
    assert inspect[0] in filtered and inspect[2] in filtered and inspect[1] not in filtered


def test_the_filter_is_kept_on_the_way_back(client, waiting, reviewer):
    client.force_login(reviewer)
    query = urlencode({"call": waiting["call"].pk})
    html = client.get(reverse("calls_review_queue") + "?" + query).content.decode()
    link = reverse("calls_submission_modeladmin_inspect", args=[waiting["bari"].pk]) + "?" + urlencode({"queue": query})
    assert link in html
    page = client.get(link).content.decode()
    assert f'href="{reverse("calls_review_queue")}?{query}"' in page


def test_the_menu_shows_the_count_with_one_query(client, waiting, reviewer):
    client.force_login(reviewer)
    with translation.override("it"):
        label = gettext("To review (%(count)d)") % {"count": 3}
    home = reverse("calls_call_modeladmin_index")  # any admin page: the menu is on each
    client.get(home)  # warm the session and the caches
    with CaptureQueriesContext(connection) as captured:
        html = client.get(home).content.decode()
    assert label in html
    counts = [q["sql"] for q in captured.captured_queries if "COUNT" in q["sql"] and "calls_submission" in q["sql"]]
    assert len(counts) == 1, counts
    Submission.objects.filter(pk=waiting["lecce"].pk).update(state=SubmissionState.ACCEPTED)
    with CaptureQueriesContext(connection) as again:
        client.get(home)
    assert len(again.captured_queries) == len(captured.captured_queries)  # constant


def test_the_queue_is_the_reviewers_only(client, waiting, bari_legal_rep):
    client.force_login(bari_legal_rep)
    assert_refused_by_admin(client.get(reverse("calls_review_queue")))
    with translation.override("it"):
        label = gettext("To review")
    assert label not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_a_decision_taken_from_the_queue_returns_to_it_filtered(client, waiting, reviewer):
    client.force_login(reviewer)
    query = urlencode({"call": waiting["call"].pk})
    bari = waiting["bari"]
    page = client.get(
        reverse("calls_submission_modeladmin_inspect", args=[bari.pk]) + "?" + urlencode({"queue": query})
    ).content.decode()
    accept = reverse("calls_submission_confirm", args=[bari.pk, "accept"]) + "?" + urlencode({"queue": query})
    assert f'href="{accept}"' in page
    response = client.post(accept, {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse("calls_review_queue") + "?" + query
    bari.refresh_from_db()
    assert bari.state == SubmissionState.ACCEPTED
    assert bari not in selectors.review_queue()
