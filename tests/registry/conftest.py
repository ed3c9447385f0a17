"""Fixtures of the registry's tests. The register of entities, its people and the stock
loader are shared with the other folders (tests/conftest.py); what only the registry's
tests need is here."""

import pytest

from tests.conftest import LECCE


@pytest.fixture
def lecce(entities):
    """The Comune di Lecce."""
    return entities[LECCE]
