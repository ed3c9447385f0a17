"""API of the intervention programmes: /api/v1/programmes and /api/v1/interventions, scoped
by the access rule on the beneficiary.

- GET /programmes, /programmes/{id}: the programmes the caller takes part in (all, for the
  Region), with the committed and spent amounts of the interventions the caller sees;
- GET /interventions, /interventions/{id}: the caller's interventions (all, for the Region),
  filterable by programme, beneficiary code, state, type and `follow_up` (late, stale);
- PATCH /interventions/{id}: the beneficiary updates CUP, amounts, dates and the buildings
  and units (ids of its own register), with the verdict of the update file
  (calls.programmes.spec.INTERVENTION_SPEC);
- POST /interventions/{id}/progress-reports: a progress report (SAL) of a date;
- POST /interventions/{id}/transitions: a transition of the table (transitions.py).

Errors are problem+json (core.api.problem_exception_handler): another entity's intervention
does not exist for the caller (404), a refused side is 403, a refused state 409."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import IdField, ModelViewPermission, state_conflict
from registry import access
from registry.models import EnergyClass

from . import policy, selectors, services, transitions
from .models import Intervention, InterventionState, InterventionType, Programme, ProgressReport
from .spec import INTERVENTION_SPEC, READ_ONLY_KEYS, SAL_KEYS

UPDATE_KEYS = [
    spec.key
    for spec in INTERVENTION_SPEC.fields
    if spec.key not in READ_ONLY_KEYS and spec.key not in SAL_KEYS and spec.key != "intervention_id"
]


class ProgressReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressReport
        fields = ["id", "date", "percentage", "amount"]
        read_only_fields = fields


class InterventionSerializer(serializers.ModelSerializer):
    programme = serializers.PrimaryKeyRelatedField(read_only=True)
    beneficiary = serializers.SlugRelatedField(slug_field="code", read_only=True)
    buildings = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    units = serializers.SlugRelatedField(slug_field="push_id", many=True, read_only=True)
    progress_reports = ProgressReportSerializer(many=True, read_only=True)
    energy_class_after = serializers.ChoiceField(
        choices=EnergyClass.choices, allow_blank=True, read_only=True, help_text="Blank: not stated."
    )
    late_stages = serializers.SerializerMethodField()

    class Meta:
        model = Intervention
        fields = [
            "id",
            "programme",
            "beneficiary",
            "title",
            "intervention_type",
            "cup",
            "state",
            "funded_amount",
            "co_financing",
            "amount_paid",
            "energy_class_after",
            "design_planned",
            "design_actual",
            "tender_planned",
            "tender_actual",
            "works_start_planned",
            "works_start_actual",
            "completion_planned",
            "completion_actual",
            "testing_planned",
            "testing_actual",
            "buildings",
            "units",
            "progress_reports",
            "late_stages",
            "last_update",
        ]
        read_only_fields = fields

    def get_late_stages(self, intervention) -> list[str]:
        return intervention.late_stages()


class ProgrammeSerializer(serializers.ModelSerializer):
    beneficiaries = serializers.SerializerMethodField()
    committed = serializers.SerializerMethodField()
    spent = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "id",
            "title",
            "legal_act",
            "total_funds",
            "beneficiaries",
            "design_deadline",
            "tender_deadline",
            "works_start_deadline",
            "completion_deadline",
            "testing_deadline",
            "stale_after_days",
            "committed",
            "spent",
        ]
        read_only_fields = fields

    def _figures(self, programme):
        cache = self.context.setdefault("figures", {})
        if programme.pk not in cache:
            user = self.context["request"].user
            mine = selectors.interventions_visible_to(user).filter(programme=programme)
            cache[programme.pk] = selectors.programme_progress([programme], interventions=mine)[0]
        return cache[programme.pk]

    def get_beneficiaries(self, programme) -> list[str]:
        """The beneficiaries' PUSH codes (an entity's people see only their own)."""
        user = self.context["request"].user
        ids = access.access_for(user).visible_ids()
        codes = [entity.code for entity in programme.beneficiaries.all() if ids is None or entity.pk in ids]
        return sorted(codes)

    def get_committed(self, programme) -> str:
        return f"{self._figures(programme).committed:.2f}"

    def get_spent(self, programme) -> str:
        return f"{self._figures(programme).spent:.2f}"


class InterventionFilter(django_filters.FilterSet):
    programme = django_filters.NumberFilter(field_name="programme_id")
    beneficiary = django_filters.CharFilter(field_name="beneficiary__code")
    state = django_filters.ChoiceFilter(choices=InterventionState.choices)
    intervention_type = django_filters.ChoiceFilter(choices=InterventionType.choices)
    follow_up = django_filters.ChoiceFilter(
        choices=[("late", "late"), ("stale", "stale")], method="filter_follow_up", label="follow_up"
    )

    class Meta:
        model = Intervention
        fields = ["programme", "beneficiary", "state", "intervention_type", "follow_up"]

    def filter_follow_up(self, queryset, name, value):
        return selectors.late(queryset) if value == "late" else selectors.stale(queryset)


_UpdateFields = INTERVENTION_SPEC.serializer("InterventionUpdateFields", keys=UPDATE_KEYS, all_optional=True)


class InterventionUpdateInput(_UpdateFields):
    buildings = serializers.ListField(
        child=IdField(), required=False, max_length=500, help_text="Ids of buildings of the beneficiary's register."
    )
    units = serializers.ListField(
        child=IdField(), required=False, max_length=5000, help_text="Ids of units of the beneficiary's register."
    )


class ProgressReportInput(serializers.Serializer):
    date = INTERVENTION_SPEC.serializer_field("sal_date", required=True, allow_null=False)
    percentage = INTERVENTION_SPEC.serializer_field("sal_percentage", required=True, allow_null=False)
    amount = INTERVENTION_SPEC.serializer_field("sal_amount", required=True, allow_null=False)


class TransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(transitions.TRANSITIONS))
    date = serializers.DateField(required=False, help_text="The actual date of the stage the transition closes.")


@extend_schema_view(
    list=extend_schema(summary="Programmes the caller takes part in (every one, for the Region)"),
    retrieve=extend_schema(summary="One programme"),
)
class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [ModelViewPermission]
    serializer_class = ProgrammeSerializer
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return selectors.programmes_visible_to(self.request.user).prefetch_related("beneficiaries").order_by("pk")


@extend_schema_view(
    list=extend_schema(summary="Interventions the caller may read"),
    retrieve=extend_schema(summary="One intervention"),
    partial_update=extend_schema(
        summary="Update an intervention (its beneficiary)",
        request=InterventionUpdateInput,
        responses={200: InterventionSerializer},
    ),
)
class InterventionViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [ModelViewPermission]
    serializer_class = InterventionSerializer
    filterset_class = InterventionFilter
    http_method_names = ["get", "patch", "post", "head", "options"]
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return (
            selectors.interventions_visible_to(self.request.user)
            .prefetch_related("buildings", "units", "progress_reports")
            .order_by("pk")
        )

    def _answer(self, intervention) -> Response:
        fresh = self.get_queryset().get(pk=intervention.pk)
        return Response(InterventionSerializer(fresh, context=self.get_serializer_context()).data)

    def partial_update(self, request, *args, **kwargs):
        intervention = self.get_object()
        policy.require_update(request.user, intervention)
        given = InterventionUpdateInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        building_ids, unit_ids = data.pop("buildings", None), data.pop("units", None)
        problems = INTERVENTION_SPEC.check(data)
        if problems:
            raise serializers.ValidationError({problem.key: [problem.message] for problem in problems})
        buildings, units = services.resolve_register_items(intervention.beneficiary, building_ids, unit_ids)
        values = {INTERVENTION_SPEC[key].stored_as: value for key, value in data.items()}
        services.update_intervention(
            intervention=intervention, values=values, by=request.user, buildings=buildings, units=units
        )
        return self._answer(intervention)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        summary="Add (or correct) the progress report (SAL) of a date",
        request=ProgressReportInput,
        responses={200: InterventionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="progress-reports")
    def progress_reports(self, request, pk=None):
        intervention = self.get_object()
        given = ProgressReportInput(data=request.data)
        given.is_valid(raise_exception=True)
        services.record_progress_report(intervention=intervention, by=request.user, **given.validated_data)
        return self._answer(intervention)

    @extend_schema(
        summary="Move the intervention (a transition of its table)",
        request=TransitionInput,
        responses={200: InterventionSerializer, 409: state_conflict("Not possible in the intervention's state.")},
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        intervention = self.get_object()
        given = TransitionInput(data=request.data)
        given.is_valid(raise_exception=True)
        transitions.move_intervention(
            intervention, given.validated_data["action"], request.user, on=given.validated_data.get("date")
        )
        return self._answer(intervention)
