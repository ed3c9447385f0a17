"""/api/v1/: one router for every app's endpoints, plus schema, docs and health."""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.db.utils import DatabaseError
from django.urls import path, re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from calls.api import CallViewSet, SubmissionViewSet
from calls.programmes.api import InterventionViewSet, ProgrammeViewSet
from calls.sales.api import SalePlanViewSet
from core.api import PROBLEM_CONTENT_TYPE, api_not_found, problem
from core.notifications.api import NotificationViewSet
from dashboards.api import OpenDataIndicatorView, OpenDataListView
from helpdesk.api import TicketViewSet
from helpdesk.circulars.api import CircularViewSet
from registry.api import EntityViewSet, MyMembershipsView
from registry.stock.api import BuildingViewSet, StockCountsView, UnitViewSet

router = SimpleRouter(trailing_slash="")
router.register("entities", EntityViewSet, basename="entity")
router.register("buildings", BuildingViewSet, basename="building")
router.register("units", UnitViewSet, basename="unit")
router.register("calls", CallViewSet, basename="call")
router.register("submissions", SubmissionViewSet, basename="submission")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("interventions", InterventionViewSet, basename="intervention")
router.register("sale-plans", SalePlanViewSet, basename="sale-plan")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("circulars", CircularViewSet, basename="circular")


# --- health ----------------------------------------------------------------------------------
# /health is liveness: the process answers, nothing else is asked (a database outage must not
# make the orchestrator restart every server). /health/ready is readiness: the database, the
# shared cache and the background worker. Neither names hosts, versions or errors' text; both
# are anonymous and never throttled (the throttle itself lives in the cache being checked).
# The worker: django_tasks_db's db_worker offers no hook per loop, and a heartbeat written by
# the web process would prove nothing; the honest signal in shared state is its own table.
# A task that has been due for longer than PUSH_HEALTH_WORKER_MAX_WAIT_SECONDS and is still
# waiting means no worker is taking tasks. An idle worker with an empty queue cannot be told
# from a missing one, and needs not be: nothing is waiting for it.
logger = logging.getLogger(__name__)


def _check():
    """A check's state in the readiness answer: "ok" or "failing"."""
    return serializers.ChoiceField(["ok", "failing"])


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.exception("Readiness: the database cannot be reached")
        return False


def _cache_ok() -> bool:
    key = f"push:health:{uuid.uuid4().hex}"
    token = uuid.uuid4().hex
    try:
        cache.set(key, token, timeout=30)
        found = cache.get(key)
        cache.delete(key)
    except Exception:  # noqa: BLE001 - any backend's failure (Redis, database cache) means not ready
        logger.exception("Readiness: the shared cache cannot be used")
        return False
    return found == token


def _tasks_waiting_too_long() -> int | None:
    """Tasks due for longer than the allowed wait and not taken by a worker (None: unknown)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    cutoff = timezone.now() - timedelta(seconds=settings.PUSH_HEALTH_WORKER_MAX_WAIT_SECONDS)
    try:
        return (
            DBTaskResult.objects.ready()
            .filter(enqueued_at__lte=cutoff)
            .filter(Q(run_after=get_date_max()) | Q(run_after__lte=cutoff))
            .count()
        )
    except DatabaseError:
        logger.exception("Readiness: the task queue cannot be read")
        return None


@extend_schema(
    summary="Liveness: the server process answers",
    description="Asks nothing of the database, the cache or the worker: see /health/ready.",
    responses={200: inline_serializer("Health", {"status": serializers.CharField()})},
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def health(request):
    return Response({"status": "ok"}, headers={"Cache-Control": "no-store"})


@extend_schema(
    summary="Readiness: the database, the shared cache and the background worker",
    description=(
        "200 when every check passes. 503 (problem+json) names the failing checks in `checks`. "
        "`worker` fails when a background task has been due for longer than the allowed wait "
        "without a worker taking it."
    ),
    responses={
        200: inline_serializer(
            "Readiness",
            {
                "status": serializers.CharField(),
                "checks": inline_serializer(
                    "ReadinessChecks", {"database": _check(), "cache": _check(), "worker": _check()}
                ),
            },
        ),
        503: OpenApiResponse(description="A check failed: `checks` names it."),
    },
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def health_ready(request):
    database = _database_ok()
    waiting = _tasks_waiting_too_long() if database else None
    checks = {
        "database": "ok" if database else "failing",
        "cache": "ok" if _cache_ok() else "failing",
        "worker": "ok" if waiting == 0 else "failing",
    }
    failing = [name for name, state in checks.items() if state != "ok"]
    if not failing:
        return Response({"status": "ok", "checks": checks}, headers={"Cache-Control": "no-store"})
    body = problem(
        503,
        _("Service unavailable"),
        _("Not ready: %(checks)s.") % {"checks": ", ".join(failing)},
        checks=checks,
    )
    return Response(body, status=503, content_type=PROBLEM_CONTENT_TYPE, headers={"Cache-Control": "no-store"})


urlpatterns = [
    path("health", health, name="api-health"),
    path("health/ready", health_ready, name="api-health-ready"),
    path("me/memberships", MyMembershipsView.as_view(), name="api-my-memberships"),
    path("stock/counts", StockCountsView.as_view(), name="api-stock-counts"),
    path("open-data", OpenDataListView.as_view(), name="api-open-data"),
    path("open-data/<slug:key>", OpenDataIndicatorView.as_view(), name="api-open-data-indicator"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
    # Anything else under /api/v1/ is a problem+json 404, never a redirect to the site.
    re_path(r"^.*$", api_not_found),
]
