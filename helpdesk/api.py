"""API of the helpdesk: /api/v1/tickets, scoped by the access rule.

- GET /tickets: the caller's tickets (an entity's system: its own entities'; the Region's
  helpdesk staff: all), filterable by state, topic and entity code;
- GET /tickets/{id}: one ticket with its thread (the Region's internal notes only for the
  Region's helpdesk staff);
- POST /tickets: an entity's system opens a ticket (JSON, no files);
- POST /tickets/{id}/messages: a message that moves the ticket (`action` as in the
  transition table: `message` or `reopen` for an entity, `reply`, `request_info`, `resolve`,
  `reopen` for the Region);
- GET /tickets/{id}/attachments/{attachment_id}: a file of a message the caller may read.

Errors are problem+json (core.api.problem_exception_handler): another entity's ticket does
not exist for the caller (404), a refused side is 403, a refused state 409.
"""

import django_filters
from django.core.validators import RegexValidator
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import IdField, ModelViewPermission, TextField, state_conflict
from core.files import private_download
from registry.models import Entity, ImportJob

from . import selectors, services, transitions
from .models import Message, Ticket, TicketAttachment, TicketState, Topic


class TicketAttachmentSerializer(serializers.ModelSerializer):
    file_name = serializers.CharField(source="original_name", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = TicketAttachment
        fields = ["id", "file_name", "content_type", "size", "sha256", "url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, attachment) -> str:
        path = f"/api/v1/tickets/{attachment.message.ticket_id}/attachments/{attachment.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    attachments = TicketAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "kind", "author", "body", "created_at", "attachments"]
        read_only_fields = fields

    def get_author(self, message) -> str:
        return message.author.get_full_name() or message.author.username


class TicketSerializer(serializers.ModelSerializer):
    entity = serializers.SlugRelatedField(slug_field="code", read_only=True)
    reference = serializers.CharField(read_only=True)
    messages = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "entity",
            "topic",
            "subject",
            "state",
            "call",
            "submission",
            "import_job",
            "created_at",
            "updated_at",
            "first_response_at",
            "resolved_at",
            "messages",
        ]
        read_only_fields = fields

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, ticket):
        """The thread, oldest first, as the caller may read it."""
        request = self.context["request"]
        return MessageSerializer(selectors.thread(request.user, ticket), many=True, context=self.context).data


class TicketFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=TicketState.choices)
    topic = django_filters.ChoiceFilter(choices=Topic.choices)
    entity = django_filters.CharFilter(field_name="entity__code")

    class Meta:
        model = Ticket
        fields = ["state", "topic", "entity"]


class TicketOpenInput(serializers.Serializer):
    entity = TextField(
        validators=[RegexValidator(r"^[0-9]{6}\Z")], max_length=6, help_text="The entity's 6-digit PUSH code."
    )
    topic = serializers.ChoiceField(choices=Topic.choices)
    subject = TextField(max_length=200)
    body = TextField(max_length=10000)
    call = IdField(required=False, help_text="A published call the ticket is about.")
    submission = IdField(required=False, help_text="A submission of the entity the ticket is about.")
    import_job = IdField(required=False, help_text="An import of units of the entity the ticket is about.")


class MessageInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(transitions.TRANSITIONS))
    body = TextField(max_length=10000)


def _related(given: dict, user, entity):
    """The related objects named by id; ids the caller may not reach are refused as invalid
    (never told apart from ids that do not exist)."""
    from calls.models import Submission
    from calls.selectors import published_calls

    found = {}
    lookups = {
        "call": published_calls(),
        "submission": Submission.objects.filter(comune=entity),
        "import_job": ImportJob.objects.filter(owner=entity),
    }
    for name, queryset in lookups.items():
        if name in given:
            obj = queryset.filter(pk=given[name]).first()
            if obj is None:
                raise serializers.ValidationError({name: ["No such object of this entity."]})
            found[name] = obj
    return found


@extend_schema_view(
    list=extend_schema(summary="Tickets the caller may read"),
    retrieve=extend_schema(summary="One ticket with its thread"),
    create=extend_schema(
        summary="Open a ticket for one of the caller's entities",
        request=TicketOpenInput,
        responses={201: TicketSerializer},
    ),
)
class TicketViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [ModelViewPermission]
    serializer_class = TicketSerializer
    filterset_class = TicketFilter
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return selectors.tickets_visible_to(self.request.user).order_by("-updated_at", "-pk")

    def _answer(self, ticket, status_code=status.HTTP_200_OK) -> Response:
        return Response(TicketSerializer(ticket, context=self.get_serializer_context()).data, status=status_code)

    def create(self, request, *args, **kwargs):
        given = TicketOpenInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        entity = get_object_or_404(Entity, code=data["entity"])
        ticket = services.open_ticket(
            entity=entity,
            topic=data["topic"],
            subject=data["subject"],
            body=data["body"],
            by=request.user,
            **_related(data, request.user, entity),
        )
        return self._answer(ticket, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Write a message that moves the ticket (reply, request for information, resolution, reopening)",
        request=MessageInput,
        responses={200: TicketSerializer, 409: state_conflict("Not possible in the ticket's state.")},
    )
    @action(detail=True, methods=["post"])
    def messages(self, request, pk=None):
        ticket = self.get_object()
        given = MessageInput(data=request.data)
        given.is_valid(raise_exception=True)
        services.write(
            ticket=ticket, action=given.validated_data["action"], body=given.validated_data["body"], by=request.user
        )
        return self._answer(self.get_queryset().get(pk=ticket.pk))

    @extend_schema(
        summary="A file of the ticket",
        request=None,
        responses={
            (200, "application/octet-stream"): OpenApiResponse(response=OpenApiTypes.BINARY, description="The file"),
            404: OpenApiResponse(description="No such file among the messages the caller may read"),
        },
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>[0-9]{1,18})")
    def attachments(self, request, pk=None, attachment_id=None):
        ticket = self.get_object()
        attachment = selectors.attachment_for(request.user, ticket, attachment_id)
        if attachment is None:
            from django.http import Http404

            raise Http404
        return private_download(
            attachment.file,
            attachment.original_name,
            attachment.content_type,
            request=request,
            instance=ticket,
            kind="ticket_attachment",
            sha256=attachment.sha256,
        )
