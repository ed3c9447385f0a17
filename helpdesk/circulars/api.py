"""API of the circulars, for an entity's own system: its inbox.

- GET /api/v1/circulars: the circulars addressed to the caller's entities (newest first);
- GET /api/v1/circulars/{id}: one circular with its text and attachments; reading it records
  the entity's acknowledgement (presa visione) exactly like opening it in the admin;
- GET /api/v1/circulars/{id}/attachments/{attachment_id}: an attachment (PDF, audited);
- POST /api/v1/circulars/{id}/reply: the entity's reply (multipart: `text`, `attachments`).

A circular not addressed to one of the caller's entities does not exist for them (404). The
Region follows read status and replies in the admin."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api import TextField
from core.files import private_download

from . import selectors, services
from .models import CircularAttachment, Recipient


class CircularAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CircularAttachment
        fields = ["id", "name", "size", "sha256", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        path = f"/api/v1/circulars/{attachment.circular_id}/attachments/{attachment.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CircularListSerializer(serializers.ModelSerializer):
    """A recipient's line of its inbox: the circular and whether the entity has read it."""

    id = serializers.IntegerField(source="circular.pk", read_only=True)
    protocol_number = serializers.CharField(source="circular.protocol_number", read_only=True)
    subject = serializers.CharField(source="circular.subject", read_only=True)
    sent_at = serializers.DateTimeField(source="circular.sent_at", read_only=True)
    reply_by = serializers.DateField(source="circular.reply_by", read_only=True, allow_null=True)
    entity = serializers.CharField(source="entity.code", read_only=True)
    read_at = serializers.SerializerMethodField()
    replied = serializers.SerializerMethodField()

    class Meta:
        model = Recipient
        fields = ["id", "protocol_number", "subject", "sent_at", "reply_by", "entity", "read_at", "replied"]
        read_only_fields = fields

    def get_read_at(self, recipient) -> str | None:
        acknowledgement = getattr(recipient, "acknowledgement", None)
        return serializers.DateTimeField().to_representation(acknowledgement.read_at) if acknowledgement else None

    def get_replied(self, recipient) -> bool:
        has = getattr(recipient, "has_replied", None)
        return bool(has if has is not None else recipient.replies.exists())


class CircularDetailSerializer(CircularListSerializer):
    body = serializers.CharField(source="circular.body", read_only=True, help_text="HTML")
    attachments = CircularAttachmentSerializer(source="circular.attachments", many=True, read_only=True)

    class Meta(CircularListSerializer.Meta):
        fields = [*CircularListSerializer.Meta.fields, "body", "attachments"]
        read_only_fields = fields


class ReplyInput(serializers.Serializer):
    text = TextField(max_length=10000)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sent_at = serializers.DateTimeField()
    attachments = serializers.IntegerField(help_text="How many attachments were received")


@extend_schema_view(
    list=extend_schema(summary="Circulars addressed to the caller's entities"),
    retrieve=extend_schema(
        summary="One circular (records the entity's acknowledgement on first read)",
        responses=CircularDetailSerializer,
        description="The first read by anyone of the entity records the presa visione (person and time); "
        "reading it again changes nothing.",
    ),
)
class CircularViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = CircularListSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filterset_fields = []

    def get_queryset(self):
        return selectors.inbox(self.request.user)

    def get_object(self):
        recipient = selectors.recipient_for(self.request.user, self.kwargs["pk"])
        if recipient is None:
            raise NotFound()
        return recipient

    def retrieve(self, request, pk=None):
        recipient = self.get_object()
        services.acknowledge(recipient=recipient, by=request.user)
        recipient = self.get_object()
        return Response(CircularDetailSerializer(recipient, context={"request": request}).data)

    @extend_schema(
        summary="An attachment of a circular (PDF)",
        request=None,
        responses={
            (200, "application/pdf"): OpenApiResponse(response=OpenApiTypes.BINARY, description="The attachment"),
        },
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>[0-9]{1,18})")
    def attachments(self, request, pk=None, attachment_id=None):
        recipient = self.get_object()
        attachment = get_object_or_404(recipient.circular.attachments, pk=attachment_id)
        return private_download(
            attachment.file,
            f"{attachment.name[:80]}.pdf",
            "application/pdf",
            request=request,
            instance=recipient.circular,
            kind="circular_attachment",
            sha256=attachment.sha256,
        )

    @extend_schema(
        summary="Reply to a circular for the entity",
        request={"multipart/form-data": ReplyInput, "application/json": ReplyInput},
        responses={201: ReplySerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, JSONParser])
    def reply(self, request, pk=None):
        recipient = self.get_object()
        given = ReplyInput(data=request.data)
        given.is_valid(raise_exception=True)
        answer = services.reply(
            recipient=recipient,
            by=request.user,
            text=given.validated_data["text"],
            attachments=given.validated_data["attachments"],
        )
        return Response(
            {
                "id": answer.pk,
                "sent_at": serializers.DateTimeField().to_representation(answer.sent_at),
                "attachments": answer.attachments.count(),
            },
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/circulars/{recipient.circular_id}"},
        )
