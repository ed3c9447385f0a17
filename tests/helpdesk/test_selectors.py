"""Reads the other screens use: the open tickets per entity (the monitoring screen), in one
aggregate query."""

import pytest

from helpdesk import selectors, services
from tests.conftest import BARI, LECCE

pytestmark = pytest.mark.django_db


def test_open_tickets_by_entity_counts_the_active_ones_in_one_query(
    open_ticket, bari_helpdesk, lecce_helpdesk, region_admin, entities, django_assert_num_queries
):
    open_ticket(BARI, bari_helpdesk)
    answered = open_ticket(BARI, bari_helpdesk)
    services.write(ticket=answered, action="reply", body="Risposta", by=region_admin)
    resolved = open_ticket(LECCE, lecce_helpdesk)
    services.write(ticket=resolved, action="resolve", body="Risolto", by=region_admin)
    with django_assert_num_queries(1):
        counts = selectors.open_tickets_by_entity()
    assert counts == {entities[BARI].pk: 2}
