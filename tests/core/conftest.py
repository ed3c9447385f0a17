"""Fixtures of the tests of core/: the shared ones (entities, people) come from
tests/conftest.py."""
