"""Addresses under /api/ that no endpoint serves answer a problem+json 404, whatever the
method, with the CSRF check on as in a browser: never the site's HTML CSRF page, HTML 404
or a redirect to the public site."""

import pytest
from django.test import Client

from tests.api.conftest import PROBLEM


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/submissions/"),  # the trailing slash is not the collection
        ("delete", "/api/v1/submissions/"),
        ("post", "/api/v1/nothing"),
        ("put", "/api/v1/nothing/at/all"),
        ("patch", "/api/v1/schema/nothing"),
        ("get", "/api/v1/nothing/"),
        ("get", "/api/nothing"),
        ("post", "/api/nothing"),
        ("get", "/api/v2/nothing"),
        ("get", "/api/v3/units"),
    ],
)
def test_unrouted_addresses_are_problem_404(db, method, path):
    client = Client(enforce_csrf_checks=True)
    body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
    response = getattr(client, method)(path, **body)
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 404
