"""Who is asking: the client's network address, read the same way everywhere.

Behind the reverse proxy every request comes from the proxy, so ``REMOTE_ADDR`` alone would
put every citizen in one bucket (twenty requests would close the accreditation form for
everyone). The proxy appends the address it received the connection from to a header
(``PUSH_TRUSTED_PROXY_HEADER``, e.g. ``HTTP_X_FORWARDED_FOR``); with
``PUSH_TRUSTED_PROXY_COUNT`` proxies of our own in front of the application, the client is
the ``count``-th hop from the right. Hops further left were written by the client and are
never trusted. Without the header setting (development, tests, direct exposure) the address
is ``REMOTE_ADDR``.

Every throttle and lockout (the accreditation form, password resets, django-axes through
``AXES_CLIENT_IP_CALLABLE``) uses :func:`client_address`, so they all count the same client.
"""

import ipaddress

from django.conf import settings


def _valid(value: str) -> str | None:
    value = value.strip()
    # Some proxies write the peer's port too: "192.0.2.1:4711", "[2001:db8::1]:4711".
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's IP address as a string, or None when the request carries none (a
    request built in code, such as ``Client.login()``)."""
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    header = getattr(settings, "PUSH_TRUSTED_PROXY_HEADER", "")
    if not header:
        return remote
    count = max(int(getattr(settings, "PUSH_TRUSTED_PROXY_COUNT", 1)), 1)
    hops = [hop.strip() for hop in request.META.get(header, "").split(",") if hop.strip()]
    if len(hops) < count:
        # The request did not come through all our proxies: only the peer is known.
        return remote
    return _valid(hops[-count]) or remote
