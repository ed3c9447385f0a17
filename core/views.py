"""Error pages: problem+json under /api/, HTML pages elsewhere."""

from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

from .api import problem_response


def _is_api(request):
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    if _is_api(request):
        return problem_response(404, None)
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    if _is_api(request):
        return problem_response(500, None)
    return render(request, "500.html", status=500)


def permission_denied(request, exception=None):
    if _is_api(request):
        return problem_response(403, None)
    return render(request, "403.html", status=403)
