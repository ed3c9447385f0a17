"""Conventions shared by every endpoint under /api/v1/.

- A write validates its JSON body with an input serializer built of the strict fields here
  (IdField, TextField, DecimalTextField, EmailOrBlankField), calls its service, and answers
  with an output serializer; filters refuse values beyond the database's range (FilterBackend).
- Errors are RFC 9457 problem details (application/problem+json), as the AgID
  interoperability guidelines ask, all written by one exception handler
  (problem_exception_handler): DRF's errors and the Django exceptions services raise, a
  refusal on a record's state as 409 (core.errors); unrouted addresses by api_not_found.
- The schema documents those errors on every operation (document_problems).
- Limits keep one client from taking the service down: throttles per client address and per
  user (counted in the shared cache), a largest page, a largest JSON body."""

import datetime
import io
import re
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, pagination, parsers, permissions, serializers, throttling
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler, set_rollback

from core.errors import is_state_conflict

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
    """`?limit=` beyond the largest page (PUSH_API_MAX_PAGE_SIZE) gives the largest page."""

    default_limit = 50

    @property
    def max_limit(self):
        return getattr(settings, "PUSH_API_MAX_PAGE_SIZE", 500)


class KeysetPagination(LimitOffsetPagination):
    """Pages of a list that may hold a million rows: by cursor, and by offset for clients
    written before the cursor existed.

    - Without `offset`, the first page's `next` link carries `cursor`, an opaque token
      (signed, so it cannot be forged or altered: a changed one is a 400) holding the last
      row's value of `keyset_field`, a unique field. A cursor page is the rows after that
      value in the order of that field: one indexed query however deep, no count, `previous`
      always null. The filters apply as given with the cursor: the cursor is a position, not
      a query, and never widens what the caller may see.
    - `offset` (with `limit`) pages as before, with `count`; the database counts and skips
      every row before the page, so deep offsets of big lists are slow.
    - `ordering` other than `keyset_field` pages by offset; with a cursor it is a 400.
    - `count` on the first page and offset pages is exact, or the database's estimate when
      the view says so (`list_count`), flagged by `count_estimated`."""

    keyset_field = "pk"
    cursor_query_param = "cursor"
    ordering_query_param = "ordering"
    cursor_max_length = 500

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.view = view
        self.count = None
        self.count_estimated = False
        self.mode = "offset"
        self.next_position = None
        params = request.query_params
        ordering = params.get(self.ordering_query_param, "")
        keyset_order = ordering in ("", self.keyset_field)
        if self.cursor_query_param in params:
            if self.offset_query_param in params:
                raise exceptions.ValidationError(
                    {self.cursor_query_param: [_("Give either cursor or offset, not both.")]}
                )
            if not keyset_order:
                raise exceptions.ValidationError(
                    {self.ordering_query_param: [_("Pages by cursor keep the list's own order: leave out ordering.")]}
                )
            self.mode = "cursor"
            self.limit = self.get_limit(request)
            return self._keyset_rows(queryset, self.decode_cursor(params[self.cursor_query_param]))
        if self.offset_query_param in params or not keyset_order:
            return super().paginate_queryset(queryset, request, view)
        self.mode = "first"
        self.limit = self.get_limit(request)
        self.offset = 0
        self.count = self.get_count(queryset)
        return self._keyset_rows(queryset, None)

    def _keyset_rows(self, queryset, after):
        if after is not None:
            queryset = queryset.filter(**{f"{self.keyset_field}__gt": after})
        rows = list(queryset.order_by(self.keyset_field)[: self.limit + 1])
        if len(rows) > self.limit:
            rows = rows[: self.limit]
            self.next_position = getattr(rows[-1], self.keyset_field)
        return rows

    def get_count(self, queryset):
        counter = getattr(self.view, "list_count", None)
        if counter is None:
            return super().get_count(queryset)
        count, self.count_estimated = counter(queryset)
        return count

    # The cursor -------------------------------------------------------------------------

    @property
    def cursor_salt(self):
        # A cursor of one list (field) is no cursor of another.
        return f"push.api.cursor.{self.keyset_field}"

    def encode_cursor(self, position) -> str:
        return signing.dumps({"after": position}, salt=self.cursor_salt, compress=False)

    def decode_cursor(self, token: str):
        invalid = exceptions.ValidationError(
            {self.cursor_query_param: [_("This cursor is not valid: start again from the first page, without cursor.")]}
        )
        if len(token) > self.cursor_max_length:
            raise invalid
        try:
            payload = signing.loads(token, salt=self.cursor_salt)
        except signing.BadSignature:
            raise invalid from None
        position = payload.get("after") if isinstance(payload, dict) else None
        if not isinstance(position, (str, int)) or isinstance(position, bool):
            raise invalid
        return position

    # Links and response ---------------------------------------------------------------

    def get_next_link(self):
        if self.mode in ("first", "cursor"):
            if self.next_position is None:
                return None
            url = self.request.build_absolute_uri()
            url = remove_query_param(url, self.offset_query_param)
            url = replace_query_param(url, self.limit_query_param, self.limit)
            return replace_query_param(url, self.cursor_query_param, self.encode_cursor(self.next_position))
        return super().get_next_link()

    def get_previous_link(self):
        if self.mode in ("first", "cursor"):
            return None
        return super().get_previous_link()

    def get_paginated_response(self, data):
        body = {}
        if self.mode != "cursor":
            body.update(count=self.count, count_estimated=self.count_estimated)
        body.update(next=self.get_next_link(), previous=self.get_previous_link(), results=data)
        return Response(body)

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        properties = described["properties"]
        properties["count"]["description"] = _(
            "Rows in the list: on the first page and on pages by offset, absent on pages by cursor."
        )
        properties["count_estimated"] = {
            "type": "boolean",
            "description": _("True when count is the database's estimate (very large lists), not an exact figure."),
        }
        properties["next"]["description"] = _("The next page: follow it as given (it carries the cursor).")
        described["required"] = ["results"]
        return described

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.offset_query_param:
                parameter["description"] = _(
                    "Rows to skip (paging by offset, with count). Slow deep into big lists: prefer cursor."
                )
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": _(
                    "The position after which the page starts, as given in the previous page's next link: "
                    "the way to read a big list to the end (one fast query per page, however deep). "
                    "Opaque and signed: an altered cursor is refused with 400."
                ),
                "schema": {"type": "string"},
            }
        )
        return parameters


# --- input fields ------------------------------------------------------------------------
# Writes are validated by an input serializer before the service is called. Its fields take
# JSON as it is typed: an id is a JSON integer (never `1.5`, `true` or `"1"` read as 1), a
# text is a JSON string, an amount a decimal string within the field's digits, never rounded.

MAX_ID = 2**63 - 1  # the largest primary key the databases store


class IdField(serializers.IntegerField):
    """A record's id: a positive JSON integer, nothing else."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextField(serializers.CharField):
    """A JSON string (a number or `true` is not read as text)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class EmailOrBlankField(serializers.EmailField):
    """An e-mail address, or "" where none is known (a PEC not yet given). Blank is allowed
    even read-only, so that the schema says both (`format: email` alone would call every
    blank answer wrong)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class DecimalTextField(serializers.DecimalField):
    """A finite decimal written as a JSON string ("750.50"), as the API writes amounts in its
    answers: within the field's digits and decimals, refused (not rounded) beyond them.
    `NaN`, `Infinity`, exponents and JSON numbers (binary fractions) are refused."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not DECIMAL_TEXT.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class DecimalTextFieldSchema(OpenApiSerializerFieldExtension):
    """The schema of DecimalTextField says exactly what it takes (drf-spectacular's pattern
    for decimals also admits "", "5." and negative amounts where the field refuses them)."""

    target_class = DecimalTextField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
        whole = f"[0-9]{{1,{field.max_whole_digits}}}" if field.max_whole_digits else "[0-9]+"
        fraction = f"(\\.[0-9]{{1,{field.decimal_places}}})?" if field.decimal_places else ""
        return {"type": "string", "format": "decimal", "pattern": f"^{sign}{whole}{fraction}$"}


# --- filters ----------------------------------------------------------------------------


def _beyond_the_database(value) -> bool:
    """A filter value no database column can hold: a number beyond 64 bits, a time whose
    conversion to UTC leaves the calendar (year 1 or 9999 at the edges of the day)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, Decimal) and not value.is_finite():
        return True
    if isinstance(value, int | Decimal):
        return abs(value) > MAX_ID
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        try:
            value.astimezone(datetime.UTC)
        except OverflowError:
            return True
    return False


class FilterBackend(DjangoFilterBackend):
    """django-filter, with values out of the database's range refused as 400 (a 64-bit
    column cannot be asked for 10^30: SQLite raises OverflowError, PostgreSQL a DataError),
    for every filter of every endpoint."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            raise translate_validation(filterset.errors)
        out_of_range = {
            name: [_("This value is out of range.")]
            for name, value in filterset.form.cleaned_data.items()
            if _beyond_the_database(value)
        }
        if out_of_range:
            raise exceptions.ValidationError(out_of_range)
        return filterset.qs


# --- limits ----------------------------------------------------------------------------


class _RatesFromSettings:
    """Rates read at each request (DRF binds them when the class is defined, so settings
    changed later, in tests or by configuration reload, would be ignored), and the client
    counted by its address as every other throttle of PUSH reads it (core.client)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        try:
            from core.client import client_address
        except ImportError:  # pragma: no cover - the module arrives with the proxy settings
            return super().get_ident(request)
        return client_address(request) or "unknown"


class AnonymousThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    scope = "anon"


class UserThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    scope = "user"


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "payload_too_large"


def max_json_bytes() -> int:
    return getattr(settings, "PUSH_MAX_JSON_BYTES", 16 * 1024 * 1024)


class BoundedJSONParser(parsers.JSONParser):
    """JSON, refused with 413 when the body is larger than PUSH_MAX_JSON_BYTES: the declared
    length is checked before anything is read, and no more than the limit is ever read."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_json_bytes()
        request = (parser_context or {}).get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            declared = 0
        if declared > limit:
            raise self._too_large(limit)
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise self._too_large(limit)
        return super().parse(io.BytesIO(body), media_type, parser_context)

    @staticmethod
    def _too_large(limit):
        return PayloadTooLarge(
            _("The request body is larger than %(limit)s: send fewer records per call.")
            % {"limit": filesizeformat(limit)}
        )


def problem(status: int, title: str, detail=None, **extra) -> dict:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    body.update(extra)
    return body


def problem_exception_handler(exc, context):
    """The one exception handler of the API: every error answers as problem+json.

    - DRF's own errors keep their status; a refused input keeps DRF's field structure under
      `errors`, so a client can point at the offending field.
    - Django's `ValidationError` raised by a service is 400 with its translated messages:
      `errors` by field when it has fields, `code` when it has one. When it refuses an action
      because of the record's state (core.errors) it is 409 Conflict.
    - Django's `PermissionDenied` is 403 with its message; `Http404` and any
      `ObjectDoesNotExist` are 404.

    Views therefore call their service and let refusals through: no view catches and
    re-raises."""
    if isinstance(exc, DjangoValidationError):
        return _validation_problem(exc)
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*([str(exc)] if str(exc) else []))
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


def _validation_problem(error: DjangoValidationError) -> Response:
    """A service's refusal: 409 when it is about the record's state, 400 otherwise."""
    set_rollback()
    status = 409 if is_state_conflict(error) else 400
    if hasattr(error, "error_dict"):
        body = problem(
            status,
            _("The request is not valid."),
            " ".join(error.messages),
            errors={field: [str(message) for message in messages] for field, messages in error.message_dict.items()},
        )
    else:
        codes = [item.code for item in error.error_list if item.code]
        title = _title_for(409) if status == 409 else _("Not possible")
        body = problem(status, title, " ".join(error.messages), **({"code": codes[0]} if codes else {}))
        if len(error.error_list) > 1:
            body["errors"] = [
                {"message": message, "code": item.code} for item, message in zip(error.error_list, error.messages)
            ]
    return Response(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


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


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Any address under /api/ that no endpoint serves, with any method: a problem+json 404.
    Exempt from the CSRF check, so that a write to a wrong address (`POST
    /api/v1/submissions/` with a trailing slash) is told the address is wrong, not handed
    the site's HTML CSRF page."""
    return problem_response(404, _("No endpoint at this address: see /api/v1/schema/."))


def drf_problem(status: int, detail: str) -> Response:
    return Response(problem(status, _title_for(status), detail), status=status, content_type=PROBLEM_CONTENT_TYPE)


def only_api_v1(endpoints):
    """drf-spectacular preprocessing hook: document our API, not the Wagtail admin's
    internal endpoints that share the URL configuration."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


# --- the schema of errors ----------------------------------------------------------------

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An error, as RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "description": "Always about:blank: `status` and `title` say what happened."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "A sentence a person can read, in the caller's language."},
        "code": {"type": "string", "description": "What was refused, for programs (e.g. `frozen`, `not_open`)."},
        "errors": {
            "description": (
                "What is wrong, item by item: by field name (a list of messages each), or a list of "
                "problems with their row/record, column/field, value and message."
            ),
            "oneOf": [{"type": "object", "additionalProperties": True}, {"type": "array", "items": {}}],
        },
    },
    "required": ["type", "title", "status"],
    "additionalProperties": True,
}

# Answers every operation may give, besides its own: the request's form, who asks, what it
# names, and the throttles. Operations with a body may also be too large or of the wrong type.
ERRORS_OF_EVERY_OPERATION = {
    "400": "The request is not valid (a parameter or the body): see `errors`.",
    "401": "No valid credentials were sent.",
    "403": "The caller may not do this.",
    "404": "No such record, or not one the caller may see.",
    "429": "Too many requests: wait and retry.",
}
ERRORS_OF_A_BODY = {
    "413": "The body is larger than the limit; nothing was read.",
    "415": "The body is not of a type this operation takes.",
}
PROBLEM_CONTENT = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def state_conflict(description: str) -> OpenApiResponse:
    """The 409 of an operation that a record's state can refuse (core.errors)."""
    return OpenApiResponse(description=description)


def document_problems(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents its error answers as
    problem+json (core.api.problem_exception_handler writes them all): the ones any operation
    may give, 413/415 where there is a body, and those the view declared itself (409, …).
    Optional query parameters say that an empty value is allowed (it means "not given")."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for parameter in operation.get("parameters", []):
                # A filter sent empty (`?province=`) is a filter not given, as django-filter
                # and the pagination read it.
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            errors = dict(ERRORS_OF_EVERY_OPERATION)
            if operation.get("requestBody"):
                errors.update(ERRORS_OF_A_BODY)
            for code, description in errors.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if str(code).isdigit() and int(code) >= 400:
                    response["content"] = PROBLEM_CONTENT
                    response["description"] = response.get("description") or errors.get(str(code), "")
    return result
