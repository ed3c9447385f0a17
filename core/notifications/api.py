"""/api/v1/notifications: the caller's own notifications, and nobody else's.

- GET /notifications (?unread=true|false), GET /notifications/{id}: the list the admin shows,
  each with its subject in the caller's language;
- POST /notifications/{id}/read: mark one read (idempotent); POST /notifications/read-all.
Another person's notification is a 404, as if it did not exist."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .kinds import all_kinds
from .models import Notification
from .services import subject_of


class NotificationSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField(help_text="The notification's line, in the caller's language.")
    kind_label = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "subject", "url", "created_at", "read", "read_at"]
        read_only_fields = fields

    def get_subject(self, notification) -> str:
        return subject_of(notification)

    def get_kind_label(self, notification) -> str:
        kind = all_kinds().get(notification.kind)
        return str(kind.label) if kind else notification.kind

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_unread",
        label="Only the unread (true) or the read (false)",
    )

    class Meta:
        model = Notification
        fields = ["unread"]

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=(value == "true"))


@extend_schema_view(
    list=extend_schema(summary="The caller's notifications, newest first"),
    retrieve=extend_schema(summary="One of the caller's notifications"),
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return Notification.objects.of(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(summary="Mark one notification read", request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        if notification.read_at is None:
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
            notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark all the caller's notifications read",
        request=None,
        responses={200: inline_serializer("NotificationsMarkedRead", {"marked": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = Notification.objects.of(request.user).unread().update(read_at=timezone.now())
        return Response({"marked": marked})
