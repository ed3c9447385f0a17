"""API of the registry: the register of entities and the caller's own memberships."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, viewsets

from .models import AccreditationState, Entity, EntityKind, Membership, Province


class EntitySerializer(serializers.ModelSerializer):
    covering_arca = serializers.SlugRelatedField(slug_field="code", read_only=True)
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


@extend_schema_view(
    list=extend_schema(summary="Register of entities (Regione, ARCA, Comuni)"),
    retrieve=extend_schema(summary="One entity, by its 6-digit PUSH code"),
)
class EntityViewSet(viewsets.ReadOnlyModelViewSet):
    """The public register of entities: readable by every authenticated caller."""

    queryset = Entity.objects.select_related("covering_arca").order_by("code")
    serializer_class = EntitySerializer
    filterset_class = EntityFilter
    lookup_field = "code"
    lookup_value_regex = r"\d{6}"
    ordering_fields = ["code", "name", "population"]


class MembershipEntitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Entity
        fields = ["code", "kind", "name"]


class MembershipSerializer(serializers.ModelSerializer):
    entity = MembershipEntitySerializer(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
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
