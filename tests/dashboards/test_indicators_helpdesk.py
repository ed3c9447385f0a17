"""The helpdesk's indicators against a hand count of six tickets (times in Europe/Rome):

#  entity  topic          opened             first answer   resolved            state
1  Bari    calls          02/03/2026 10:00   +1 day         05/03 10:00 (+3)    resolved
2  Bari    calls          10/03/2026 10:00   +2 days        14/03 10:00 (+4)    resolved
3  Bari    calls          01/04/2026 10:00   +6 days        –                   answered
4  Lecce   technical      15/04/2026 10:00   –              –                   open
5  Lecce   technical      20/02/2026 10:00   +12 hours      22/03 10:00 (+30)   resolved
6  Lecce   accreditation  01/05/2026 00:30   –              –                   open  (30/04 in UTC)
"""

import datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from dashboards import indicators
from helpdesk.models import Ticket, TicketState
from tests.conftest import BARI, LECCE
from tests.dashboards.test_indicators import PUBLIC, REGION, entity_audience, table
from tests.factories import UserFactory

ROME = ZoneInfo("Europe/Rome")
KEYS = ("helpdesk_tickets_by_topic", "helpdesk_tickets_by_month", "helpdesk_response_times")


def at(day, month, hour=10, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=ROME)


@pytest.fixture
def tickets(entities):
    author = UserFactory()
    day = datetime.timedelta(days=1)
    rows = [
        (BARI, "calls", at(2, 3), day, 3 * day, TicketState.RESOLVED),
        (BARI, "calls", at(10, 3), 2 * day, 4 * day, TicketState.RESOLVED),
        (BARI, "calls", at(1, 4), 6 * day, None, TicketState.ANSWERED),
        (LECCE, "technical", at(15, 4), None, None, TicketState.OPEN),
        (LECCE, "technical", at(20, 2), day / 2, 30 * day, TicketState.RESOLVED),
        (LECCE, "accreditation", at(1, 5, 0, 30), None, None, TicketState.OPEN),
    ]
    for code, topic, opened, first, resolved, state in rows:
        Ticket.objects.create(
            entity=entities[code],
            author=author,
            topic=topic,
            subject="x",
            state=state,
            created_at=opened,
            updated_at=opened,
            first_response_at=opened + first if first else None,
            resolved_at=opened + resolved if resolved else None,
        )


def test_open_and_resolved_tickets_by_topic(tickets):
    result = indicators.compute("helpdesk_tickets_by_topic", params={}, audience=REGION)
    assert table(result) == {
        "accreditation": (1, 0),
        "property_register": (0, 0),
        "calls": (1, 2),
        "technical": (1, 1),
    }
    assert [series.key for series in result.series] == ["open", "resolved"]


def test_opened_and_resolved_by_month_in_rome(tickets):
    result = indicators.compute("helpdesk_tickets_by_month", params={}, audience=REGION)
    assert table(result) == {"2026-02": (1, 0), "2026-03": (2, 3), "2026-04": (2, 0), "2026-05": (1, 0)}
    assert result.categories == ["02/2026", "03/2026", "04/2026", "05/2026"]


def test_median_and_average_days_to_first_answer_and_resolution(tickets):
    result = indicators.compute("helpdesk_response_times", params={}, audience=REGION)
    assert table(result) == {
        "accreditation": (None, None, None, None),
        "property_register": (None, None, None, None),
        # first answers 1, 2, 6 days; resolutions 3, 4 days
        "calls": (D("2.0"), D("3.0"), D("3.5"), D("3.5")),
        # first answer 12 hours; resolution 30 days
        "technical": (D("0.5"), D("0.5"), D("30.0"), D("30.0")),
    }


def test_an_entitys_people_read_their_own_tickets_figures_only(tickets):
    bari = entity_audience(BARI)
    assert table(indicators.compute("helpdesk_tickets_by_topic", params={}, audience=bari))["technical"] == (0, 0)
    assert table(indicators.compute("helpdesk_tickets_by_month", params={}, audience=bari)) == {
        "2026-03": (2, 2),
        "2026-04": (1, 0),
    }
    times = table(indicators.compute("helpdesk_response_times", params={}, audience=bari))
    assert times["technical"] == (None, None, None, None) and times["calls"][0] == D("2.0")


def test_province_and_year_narrow_the_figures(tickets):
    lecce = indicators.compute("helpdesk_tickets_by_topic", params={"province": "LE"}, audience=REGION)
    assert table(lecce)["calls"] == (0, 0) and table(lecce)["technical"] == (1, 1)
    other_year = indicators.compute("helpdesk_tickets_by_topic", params={"year": "2025"}, audience=REGION)
    assert set(table(other_year).values()) == {(0, 0)}


def test_the_helpdesk_indicators_are_restricted(tickets):
    for key in KEYS:
        with pytest.raises(PermissionDenied):
            indicators.compute(key, params={}, audience=PUBLIC)


def test_a_new_message_changes_the_data_version(tickets, bari_legal_rep):
    from helpdesk import services

    before = indicators.data_version("helpdesk_tickets_by_topic")
    ticket = Ticket.objects.filter(state=TicketState.ANSWERED).get()
    services.write(ticket=ticket, action="message", body="Grazie", by=bari_legal_rep)
    assert indicators.data_version("helpdesk_tickets_by_topic") != before


def test_each_is_at_most_two_queries(tickets, django_assert_max_num_queries):
    for key in KEYS:
        with django_assert_max_num_queries(2):
            indicators.compute(key, params={"year": "2026"}, audience=REGION)
