"""Assertions shared by the permission tests: each names the one refusal expected."""

ADMIN_HOME = "/admin/"
ADMIN_LOGIN = "/admin/login/"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def assert_not_shown(response, *texts: str):
    body = body_of(response)
    for text in texts:
        assert text.encode() not in body, f"{text!r} leaked"


def assert_not_found(response, *, leaked: tuple[str, ...] = ()):
    """404: the row is outside the user's scope, and its existence is not revealed."""
    assert response.status_code == 404, response.status_code
    assert_not_shown(response, *leaked)


def assert_forbidden(response, *, leaked: tuple[str, ...] = ()):
    """403: a refusal outside the Wagtail admin's own handling (API, guarded routes)."""
    assert response.status_code == 403, response.status_code
    assert_not_shown(response, *leaked)


def assert_bad_request(response, *, leaked: tuple[str, ...] = ()):
    """400: a request the view does not accept (an undeclared list parameter)."""
    assert response.status_code == 400, response.status_code
    assert_not_shown(response, *leaked)


def assert_refused_by_admin(response, *, leaked: tuple[str, ...] = ()):
    """The Wagtail admin's refusal of an action the user's permissions do not include:
    back to the dashboard with "you do not have permission"."""
    assert response.status_code == 302, response.status_code
    assert response["Location"] == ADMIN_HOME, response["Location"]
    assert_not_shown(response, *leaked)


def assert_redirects_to_login(response):
    """Not signed in, or signed in without access to the admin: off to the sign-in page."""
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(ADMIN_LOGIN + "?next="), response["Location"]
