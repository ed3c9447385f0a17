"""API of the registry: the register of entities and the caller's own memberships."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.response import Response

from core.api import EmailOrBlankField, TextField
from core.fiscal_codes import validate_body_code

from . import services
from .models import AccreditationState, Area, Entity, EntityKind, Membership, Province


class EntitySerializer(serializers.ModelSerializer):
    covering_arca = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="The ARCA covering a Comune; null for others."
    )
    pec = EmailOrBlankField(read_only=True, help_text="The PEC address; empty until the entity gives it.")
    # Blank for the Region, which lies in no single province.
    province = serializers.ChoiceField(choices=Province.choices, allow_blank=True, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    accreditation_state_label = serializers.CharField(source="get_accreditation_state_display", read_only=True)

    class Meta:
        model = Entity
        fields = [
            "code",
            "kind",
            "kind_label",
            "name",
            "province",
            "fiscal_code",
            "pec",
            "legal_representative",
            "population",
            "cadastral_code",
            "covering_arca",
            "accreditation_state",
            "accreditation_state_label",
            "accredited_on",
            "suspended_on",
        ]
        read_only_fields = fields


class EntityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EntityKind.choices)
    province = django_filters.ChoiceFilter(choices=Province.choices)
    accreditation_state = django_filters.ChoiceFilter(choices=AccreditationState.choices)
    code = django_filters.CharFilter(field_name="code")
    covering_arca = django_filters.CharFilter(field_name="covering_arca__code", label="covering ARCA code")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="name contains")

    class Meta:
        model = Entity
        fields = ["kind", "province", "accreditation_state", "code", "covering_arca", "q"]


class EntityContactsInput(serializers.Serializer):
    """The contacts a PATCH may change, each a JSON string; a key left out keeps its value."""

    fiscal_code = TextField(required=False, allow_blank=True, max_length=11)
    pec = EmailOrBlankField(required=False)
    legal_representative = TextField(required=False, allow_blank=True, max_length=150)

    def validate_fiscal_code(self, value):
        if not value:
            return value
        try:
            return validate_body_code(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages)


@extend_schema_view(
    list=extend_schema(summary="Register of entities (Regione, ARCA, Comuni)"),
    retrieve=extend_schema(summary="One entity, by its 6-digit PUSH code"),
    partial_update=extend_schema(
        summary="Update an entity's contacts (its own legal representative or the Region)",
        request=EntityContactsInput,
        responses=EntitySerializer,
    ),
)
class EntityViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The public register of entities: readable by every authenticated caller; an
    entity's contacts are writable by whoever may edit that entity (registry.access)."""

    queryset = Entity.objects.select_related("covering_arca").order_by("code")
    serializer_class = EntitySerializer
    filterset_class = EntityFilter
    lookup_field = "code"
    lookup_value_regex = r"\d{6}"
    ordering_fields = ["code", "name", "population"]
    http_method_names = ["get", "patch", "head", "options"]

    def partial_update(self, request, *args, **kwargs):
        """Validate the body, then the service decides who may change the entity (403)."""
        entity = self.get_object()
        given = EntityContactsInput(data=request.data)
        given.is_valid(raise_exception=True)
        entity = services.update_entity_contacts(entity=entity, changed_by=request.user, **given.validated_data)
        return Response(EntitySerializer(entity).data)


class MembershipEntitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Entity
        fields = ["code", "kind", "name"]


class MembershipSerializer(serializers.ModelSerializer):
    entity = MembershipEntitySerializer(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    # Blank for roles that have no area (only officers have one).
    area = serializers.ChoiceField(choices=Area.choices, allow_blank=True, read_only=True)
    area_label = serializers.CharField(source="get_area_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "entity", "role", "role_label", "area", "area_label", "valid_from", "ended_on"]
        read_only_fields = fields


@extend_schema(summary="The caller's own memberships (entities and roles)")
class MyMembershipsView(generics.ListAPIView):
    serializer_class = MembershipSerializer
    filter_backends = []

    def get_queryset(self):
        return (
            Membership.objects.filter(user=self.request.user)
            .select_related("entity")
            .order_by("-ended_on", "entity__name", "role")
        )
