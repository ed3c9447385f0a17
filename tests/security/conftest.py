"""Fixtures of the attacker-side tests. The people of each entity, the register of entities
and the stock come from tests/conftest.py; what only these tests need is here."""

import pytest

from tests.factories import UserFactory


@pytest.fixture
def superuser(entities):
    return UserFactory(is_superuser=True, is_staff=True)
