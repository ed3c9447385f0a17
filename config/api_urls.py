"""/api/v1/: one router for every app's endpoints, plus schema, docs and health."""

from django.db import connection
from django.db.utils import DatabaseError
from django.urls import path, re_path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from calls.api import CallViewSet, SubmissionViewSet
from core.api import api_not_found, drf_problem
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
router.register("notifications", NotificationViewSet, basename="notification")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("circulars", CircularViewSet, basename="circular")


@extend_schema(
    summary="Service status (checks the database)",
    responses={
        200: inline_serializer("Health", {"status": serializers.CharField(), "database": serializers.CharField()}),
        503: OpenApiResponse(description="The database cannot be reached."),
    },
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return drf_problem(503, _("The database cannot be reached."))
    return Response({"status": "ok", "database": "ok"})


urlpatterns = [
    path("health", health, name="api-health"),
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
