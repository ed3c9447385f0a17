"""Conventions shared by every endpoint under /api/v1/: pagination, and errors as
RFC 9457 problem details (application/problem+json), as the AgID interoperability
guidelines ask."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, permissions
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"


class ModelViewPermission(permissions.BasePermission):
    """Reading needs the model's `view` permission, as in the admin. Which rows are then
    visible is decided by the access rule in the view's queryset."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method not in permissions.SAFE_METHODS:
            return True  # writes check their own permission in the service they call
        model = view.get_queryset().model
        return request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


def problem(status: int, title: str, detail=None, **extra) -> dict:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    body.update(extra)
    return body


def problem_exception_handler(exc, context):
    """DRF exception handler that answers every error as problem+json.

    Field errors keep DRF's structure under `errors`, so a client can point at the
    offending field; `detail` is a sentence a person can read."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        body = problem(
            response.status_code,
            _("The request is not valid."),
            _("Some fields are missing or wrong: see errors."),
            errors=data,
        )
    else:
        detail = data.get("detail") if isinstance(data, dict) else data
        title = _title_for(response.status_code)
        body = problem(response.status_code, title, str(detail) if detail is not None else None)
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _title_for(status: int) -> str:
    return {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        413: _("Payload too large"),
        415: _("Unsupported media type"),
        429: _("Too many requests"),
    }.get(status, _("Error"))


def problem_response(status: int, detail=None) -> JsonResponse:
    """A plain Django response in problem+json form, for errors raised outside DRF
    (unknown API addresses, server errors)."""
    title = _title_for(status) if status < 500 else _("Server error")
    return JsonResponse(problem(status, title, detail), status=status, content_type=PROBLEM_CONTENT_TYPE)


def drf_problem(status: int, detail: str) -> Response:
    return Response(problem(status, _title_for(status), detail), status=status, content_type=PROBLEM_CONTENT_TYPE)


def only_api_v1(endpoints):
    """drf-spectacular preprocessing hook: document our API, not the Wagtail admin's
    internal endpoints that share the URL configuration."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
