"""Assertions shared by the permission tests."""


def assert_denied(response, *, leaked: tuple[str, ...] = ()):
    """The request was refused without showing data: 403 or 404, or the Wagtail admin's
    own refusal (a redirect to the admin home or to the sign-in page)."""
    if response.status_code == 302:
        location = response["Location"]
        assert location == "/admin/" or location.startswith("/admin/login/"), location
    else:
        assert response.status_code in (403, 404), response.status_code
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    for text in leaked:
        assert text.encode() not in body, f"{text!r} leaked"
