"""Content-Security-Policy: strict on the public site, loosened only where Wagtail's admin needs it.

The public site (Bootstrap Italia from our own static files) runs no inline script and no
inline style, so its policy is `'self'` only: HTML injected into a page, or into a cached copy
of it, cannot run a script or restyle the page to fake a form. Its pages are cached for every
anonymous reader (cms/page_cache.py), which rules out per-request nonces there: a nonce stored
inside a cached page would not match the next request's header.

Wagtail's admin still writes inline scripts (date pickers, inline panels) and style attributes
(wagtail/wagtail#1288), so under /admin/ the policy adds `'unsafe-inline'` to script-src and
style-src, never `'unsafe-eval'`, and allows same-origin framing for the page preview. The admin
is reached only by signed-in officers, and every other directive stays as strict as the public
site's. The two policies live in settings (CONTENT_SECURITY_POLICY, PUSH_ADMIN_CSP_REPLACE).

The middleware is placed before the page cache so that cached pages get the header too."""

from csp.middleware import CSPMiddleware
from django.conf import settings


def is_admin_request(request) -> bool:
    return request.path_info.startswith("/admin/")


class PushCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and is_admin_request(request):
            parts.replace = {**settings.PUSH_ADMIN_CSP_REPLACE, **(parts.replace or {})}
        return parts
