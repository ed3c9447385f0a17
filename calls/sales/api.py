"""API of the sale plans: /api/v1/sale-plans, scoped by the access rule.

- GET /sale-plans: the caller's plans (an owner's system: its own owners'; the Region's
  reviewers: all), filterable by state and owner code;
- GET /sale-plans/{id}: one plan with its units and their sales;
- POST /sale-plans: an owner's system proposes a plan (a draft);
- POST /sale-plans/{id}/units: units of the plan's owner put in the plan (all or nothing);
- POST /sale-plans/{id}/send, /request-integration, /approve, /reject: the transitions of
  calls/sales/transitions.py, each on the side the table allows;
- POST /sale-plans/{id}/sales: the sale of a unit of an approved plan.

Errors are problem+json (core.api.problem_exception_handler): another owner's plan does not
exist for the caller (404), another owner's unit is refused as unknown (400), a refused side
is 403, a refused state 409."""

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import DecimalTextField, ModelViewPermission, TextField, state_conflict
from registry.models import Entity

from . import selectors, services
from .models import BuyerType, Sale, SalePlan, SalePlanState, SalePlanUnit


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false, nothing else (no "yes", 1 or "true")."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class UnitSaleSerializer(serializers.ModelSerializer):
    price = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Sale
        fields = ["sold_on", "price", "buyer_type", "recorded_at"]
        read_only_fields = fields


class SalePlanLineSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.push_id", read_only=True)
    status = serializers.CharField(source="unit.status", read_only=True)
    appraised_value = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    sale = serializers.SerializerMethodField()

    class Meta:
        model = SalePlanUnit
        fields = ["id", "unit", "status", "appraised_value", "right_of_first_refusal", "sale"]
        read_only_fields = fields

    @extend_schema_field(UnitSaleSerializer(allow_null=True))
    def get_sale(self, line):
        sale = getattr(line, "sale", None) if hasattr(line, "sale") else None
        return UnitSaleSerializer(sale).data if sale else None


class SalePlanSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="code", read_only=True)
    reference = serializers.CharField(read_only=True)
    units = serializers.SerializerMethodField()

    class Meta:
        model = SalePlan
        fields = [
            "id",
            "reference",
            "owner",
            "title",
            "owner_act",
            "state",
            "protocol_number",
            "first_sent_at",
            "sent_at",
            "integration_message",
            "integration_deadline",
            "decision_reason",
            "decided_at",
            "created_at",
            "updated_at",
            "units",
        ]
        read_only_fields = fields

    @extend_schema_field(SalePlanLineSerializer(many=True))
    def get_units(self, plan):
        # Prefetched by the viewset's queryset (one query for every plan of the page).
        return SalePlanLineSerializer(plan.lines.all(), many=True).data


class SalePlanFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=SalePlanState.choices)
    owner = django_filters.CharFilter(field_name="owner__code")

    class Meta:
        model = SalePlan
        fields = ["state", "owner"]


class SalePlanCreateInput(serializers.Serializer):
    owner = TextField(
        validators=[RegexValidator(r"^[0-9]{6}\Z")], max_length=6, help_text="The owner's 6-digit PUSH code."
    )
    title = TextField(max_length=200)
    owner_act = TextField(max_length=200, required=False, allow_blank=True)


class SalePlanUnitInput(serializers.Serializer):
    unit = TextField(max_length=60, help_text="The unit's PUSH id (owner code-owner's id), e.g. 750000-34455.")
    appraised_value = DecimalTextField(max_digits=14, decimal_places=2, min_value=0)
    right_of_first_refusal = StrictBooleanField(help_text="Whether the sitting tenant may buy first (prelazione).")


class SalePlanUnitsInput(serializers.Serializer):
    units = SalePlanUnitInput(many=True, allow_empty=False, max_length=1000)


class IntegrationRequestInput(serializers.Serializer):
    message = TextField(max_length=5000)
    deadline = serializers.DateTimeField()


class RejectionInput(serializers.Serializer):
    reason = TextField(max_length=5000)


class SaleInput(serializers.Serializer):
    unit = TextField(max_length=60, help_text="The PUSH id of a unit of the plan.")
    sold_on = serializers.DateField()
    price = DecimalTextField(max_digits=14, decimal_places=2, min_value=0)
    buyer_type = serializers.ChoiceField(choices=BuyerType.choices)


CONFLICT = state_conflict("Not possible in the plan's state.")


@extend_schema_view(
    list=extend_schema(summary="Sale plans the caller may read"),
    retrieve=extend_schema(summary="One sale plan with its units and sales"),
    create=extend_schema(
        summary="Propose a sale plan (a draft) for one of the caller's owners",
        request=SalePlanCreateInput,
        responses={201: SalePlanSerializer},
    ),
)
class SalePlanViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [ModelViewPermission]
    serializer_class = SalePlanSerializer
    filterset_class = SalePlanFilter
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        lines = SalePlanUnit.objects.select_related("unit", "sale").order_by("unit__push_id")
        return (
            selectors.plans_visible_to(self.request.user)
            .prefetch_related(Prefetch("lines", queryset=lines))
            .order_by("-updated_at", "-pk")
        )

    def _answer(self, plan, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=plan.pk)
        return Response(SalePlanSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    def create(self, request, *args, **kwargs):
        given = SalePlanCreateInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        owner = get_object_or_404(Entity, code=data["owner"])
        plan = services.create_plan(
            owner=owner, title=data["title"], owner_act=data.get("owner_act", ""), by=request.user
        )
        return self._answer(plan, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Put units of the plan's owner in the plan (all or nothing)",
        request=SalePlanUnitsInput,
        responses={200: SalePlanSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def units(self, request, pk=None):
        plan = self.get_object()
        given = SalePlanUnitsInput(data=request.data)
        given.is_valid(raise_exception=True)
        services.add_units(plan=plan, lines=given.validated_data["units"], by=request.user)
        return self._answer(plan)

    @extend_schema(
        summary="Send the plan (or its integration) to the Region: a protocol number is given",
        request=None,
        responses={200: SalePlanSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        plan = self.get_object()
        services.send(plan=plan, by=request.user)
        return self._answer(plan)

    @extend_schema(
        summary="The Region asks the owner to integrate the plan by a deadline",
        request=IntegrationRequestInput,
        responses={200: SalePlanSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="request-integration")
    def request_integration(self, request, pk=None):
        plan = self.get_object()
        given = IntegrationRequestInput(data=request.data)
        given.is_valid(raise_exception=True)
        services.request_integration(plan=plan, by=request.user, **given.validated_data)
        return self._answer(plan)

    @extend_schema(
        summary="The Region approves the plan: its units are marked for sale in the register",
        request=None,
        responses={200: SalePlanSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        plan = self.get_object()
        services.approve(plan=plan, by=request.user)
        return self._answer(plan)

    @extend_schema(
        summary="The Region rejects the plan, with the reason",
        request=RejectionInput,
        responses={200: SalePlanSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        plan = self.get_object()
        given = RejectionInput(data=request.data)
        given.is_valid(raise_exception=True)
        services.reject(plan=plan, reason=given.validated_data["reason"], by=request.user)
        return self._answer(plan)

    @extend_schema(
        summary="Record the sale of a unit of an approved plan: the unit is marked sold",
        request=SaleInput,
        responses={200: SalePlanSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def sales(self, request, pk=None):
        plan = self.get_object()
        given = SaleInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        line = (
            SalePlanUnit.objects.filter(plan=plan, unit__push_id=data["unit"])
            .select_related("plan__owner", "unit")
            .first()
        )
        if line is None:
            raise serializers.ValidationError({"unit": [_("No such unit in this plan.")]})
        services.record_sale(
            line=line, sold_on=data["sold_on"], price=data["price"], buyer_type=data["buyer_type"], by=request.user
        )
        return self._answer(plan)
