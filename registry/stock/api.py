"""API of the property register.

- /api/v1/buildings, /api/v1/units: scoped by the access rule (owners see their stock, the
  Region all), with the admin's filters;
- /api/v1/units/bulk-upsert: an owner's system creates and updates its units in one
  all-or-nothing call, with the same validation as a file import (the owner's territory
  included); moving existing units to another Comune needs `"confirm_moves": true`;
- /api/v1/stock/counts: open data, units per Comune and status, for anyone, from the
  shared cache (keyed on the register's data version, so never stale).

Buildings and units are read-only here: the bulk upsert is the API's only write.
"""

import datetime

import django_filters
from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import BoundedJSONParser, KeysetPagination, ModelViewPermission, problem
from registry.models import (
    CADASTRAL_CATEGORY_CHOICES,
    Building,
    EnergyClass,
    Entity,
    IncomeBand,
    OccupancyStatus,
    Province,
    Unit,
    UnitUse,
)
from registry.stock import policy, selectors
from registry.stock import services as stock
from registry.stock.spec import BUILDING_RECORD_FIELDS, UNIT_COLUMNS, UNIT_FIELDS, UNITS_FILE_SPEC
from registry.stock.writer import MovesNotConfirmed

MAX_BULK_UNITS = 20000
UNIT_API_FIELDS = ("push_id", "owner", "local_id", "building", *UNIT_FIELDS, "updated_at")
# Errors name the record keys the client sent, not the spreadsheet headers.
KEY_BY_HEADER = {column.header: column.key for column in UNIT_COLUMNS}


class BuildingSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="code", read_only=True)
    manager = serializers.SlugRelatedField(slug_field="code", read_only=True)
    comune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    comune_name = serializers.CharField(source="comune.name", read_only=True)

    class Meta:
        model = Building
        fields = ["id", "owner", "local_id", "manager", "comune", "comune_name", *BUILDING_RECORD_FIELDS, "updated_at"]
        read_only_fields = fields


class UnitBuildingSerializer(serializers.ModelSerializer):
    comune = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Building
        fields = ["id", "local_id", "comune", "street", "street_number"]
        read_only_fields = fields


def _decimal(value):
    return None if value is None else f"{value:f}"


class UnitSerializer(serializers.ModelSerializer):
    """Units, read-only. `to_representation` is written out by hand: pages of hundreds of
    units are the API's busiest answer, and DRF's field-by-field machinery doubles its time."""

    owner = serializers.SlugRelatedField(slug_field="code", read_only=True)
    building = UnitBuildingSerializer(read_only=True)
    # Optional choices are "" when not given: the schema says so.
    cadastral_category = serializers.ChoiceField(CADASTRAL_CATEGORY_CHOICES, allow_blank=True, read_only=True)
    energy_class = serializers.ChoiceField(EnergyClass.choices, allow_blank=True, read_only=True)
    income_band = serializers.ChoiceField(IncomeBand.choices, allow_blank=True, read_only=True)

    def to_representation(self, unit):
        building = unit.building
        return {
            "push_id": unit.push_id,
            "owner": unit.owner.code,
            "local_id": unit.local_id,
            "building": {
                "id": building.pk,
                "local_id": building.local_id,
                "comune": building.comune.code,
                "street": building.street,
                "street_number": building.street_number,
            },
            "staircase": unit.staircase,
            "floor": unit.floor,
            "internal_number": unit.internal_number,
            "cadastral_sheet": unit.cadastral_sheet,
            "cadastral_parcel": unit.cadastral_parcel,
            "cadastral_subunit": unit.cadastral_subunit,
            "cadastral_category": unit.cadastral_category,
            "cadastral_class": unit.cadastral_class,
            "rooms": _decimal(unit.rooms),
            "usable_area": _decimal(unit.usable_area),
            "conventional_area": _decimal(unit.conventional_area),
            "energy_class": unit.energy_class,
            "accessible": unit.accessible,
            "use": unit.use,
            "status": unit.status,
            "monthly_rent": _decimal(unit.monthly_rent),
            "household_size": unit.household_size,
            "income_band": unit.income_band,
            "last_update": unit.last_update.isoformat() if unit.last_update else None,
            "updated_at": serializers.DateTimeField().to_representation(unit.updated_at),
        }

    class Meta:
        model = Unit
        fields = list(UNIT_API_FIELDS)
        read_only_fields = fields


class BuildingFilter(django_filters.FilterSet):
    province = django_filters.ChoiceFilter(field_name="comune__province", choices=Province.choices)
    comune = django_filters.CharFilter(field_name="comune__code", label="Comune ISTAT code")
    owner = django_filters.CharFilter(field_name="owner__code", label="owner PUSH code")
    manager = django_filters.CharFilter(field_name="manager__code", label="manager PUSH code")
    has_lift = django_filters.BooleanFilter()

    class Meta:
        model = Building
        fields = ["province", "comune", "owner", "manager", "has_lift"]


# Time zones in use span UTC-12:00 to UTC+14:00; PostgreSQL refuses offsets past ±15:59.
MAX_UTC_OFFSET = datetime.timedelta(hours=14)


class UpdatedSinceField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        offset = moment.utcoffset() if moment is not None else None
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise forms.ValidationError(_("The time zone offset must be between -14:00 and +14:00."), code="invalid")
        return moment


class UpdatedSinceFilter(django_filters.IsoDateTimeFilter):
    field_class = UpdatedSinceField


class UnitFilter(django_filters.FilterSet):
    province = django_filters.ChoiceFilter(field_name="building__comune__province", choices=Province.choices)
    comune = django_filters.CharFilter(field_name="building__comune__code", label="Comune ISTAT code")
    owner = django_filters.CharFilter(field_name="owner__code", label="owner PUSH code")
    manager = django_filters.CharFilter(field_name="building__manager__code", label="manager PUSH code")
    building = django_filters.NumberFilter(field_name="building_id")
    # distinct=False: these columns are the unit's own, no join can repeat a row, and
    # DISTINCT over every column would sort the whole filtered list.
    status = django_filters.MultipleChoiceFilter(choices=OccupancyStatus.choices, distinct=False)
    cadastral_category = django_filters.MultipleChoiceFilter(choices=CADASTRAL_CATEGORY_CHOICES, distinct=False)
    energy_class = django_filters.MultipleChoiceFilter(choices=EnergyClass.choices, distinct=False)
    accessible = django_filters.BooleanFilter()
    use = django_filters.ChoiceFilter(choices=UnitUse.choices)
    updated_since = UpdatedSinceFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="units changed at or after this moment (ISO 8601, offset between -14:00 and +14:00)",
    )

    class Meta:
        model = Unit
        fields = [
            "province",
            "comune",
            "owner",
            "manager",
            "building",
            "status",
            "cadastral_category",
            "energy_class",
            "accessible",
            "use",
            "updated_since",
        ]


@extend_schema_view(
    list=extend_schema(summary="Buildings the caller may see"),
    retrieve=extend_schema(summary="One building"),
)
class BuildingViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [ModelViewPermission]
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilter
    ordering_fields = ["local_id", "updated_at"]

    def get_queryset(self):
        return selectors.visible_buildings(self.request.user)


# A unit record of the bulk upsert: the units file's columns, each field's schema and parser
# taken from the specification (registry.stock.spec), so that the schema and the importer
# agree. Only `unit_id` is required: in merge mode an omitted field keeps its stored value.
UnitRecordSerializer = UNITS_FILE_SPEC.serializer("UnitRecord", all_optional=True, required=UNITS_FILE_SPEC.keys)


class StrictBooleanField(serializers.BooleanField):
    """true or false, as JSON writes them: not "yes", 1 or "on"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            raise serializers.ValidationError(_("Write true or false."), code="invalid")
        return data


class UnitRecordsField(serializers.ListField):
    """The list of unit records, each a JSON object; their values are read by the units
    file's parsers (registry.stock.spec.validate), which report every problem at once."""

    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.DictField(),
            allow_empty=True,
            max_length=MAX_BULK_UNITS,
            error_messages={
                "not_a_list": _("A list of unit records is required."),
                "max_length": _("At most %(count)d units per call.") % {"count": MAX_BULK_UNITS},
            },
            **kwargs,
        )


class UnitBulkUpsertInput(serializers.Serializer):
    owner = serializers.CharField(required=False, allow_blank=True, max_length=6, help_text="owner's PUSH code")
    confirm_moves = StrictBooleanField(required=False, default=False)
    mode = serializers.ChoiceField(
        choices=stock.UpsertMode.choices,
        required=False,
        default=stock.UpsertMode.MERGE,
        help_text=(
            'merge (default): a record\'s omitted fields keep their stored values, null or "" clears '
            "a field; replace: each record is a whole row of the units file, omitted fields are "
            "written blank."
        ),
    )
    units = UnitRecordsField()


class UnitBulkUpsertSchema(UnitBulkUpsertInput):
    """The request as the schema shows it: the records with their fields."""

    units = serializers.ListField(child=UnitRecordSerializer(), max_length=MAX_BULK_UNITS)


class UnitPagination(KeysetPagination):
    """Units are paged by PUSH id (unique, indexed): `?cursor=` reads the whole regional
    stock one indexed query per page."""

    keyset_field = "push_id"


def encode_cursor(push_id: str) -> str:
    """The cursor of the unit list's page that starts after `push_id`."""
    return UnitPagination().encode_cursor(push_id)


@extend_schema_view(
    list=extend_schema(
        summary="Units the caller may see",
        description=(
            "By PUSH id, 50 per page (`limit` up to the largest page). To read many units, follow "
            "`next`: after the first page it carries `cursor`, and each page by cursor is one fast "
            "query however deep in the list. `offset` still works, with `count` on every page, but "
            "the database walks every row it skips: slow deep into the regional stock. `count` is "
            "the database's estimate for the Region's largest lists (`count_estimated` true)."
        ),
    ),
    retrieve=extend_schema(summary="One unit, by its PUSH id (owner code-owner's id)"),
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [ModelViewPermission]
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    pagination_class = UnitPagination
    lookup_field = "push_id"
    lookup_value_regex = r"\d{6}-[A-Za-z0-9._\-]+"
    ordering_fields = ["push_id", "updated_at", "conventional_area"]

    def get_queryset(self):
        return selectors.visible_units(self.request.user, fields=UNIT_API_FIELDS)

    def list_count(self, queryset) -> tuple[int, bool]:
        # Not exact only for the Region's large lists (registry.stock.selectors.list_count);
        # "more than N" is N + 1, not exact.
        counted = selectors.list_count(queryset, self.request.user)
        return counted.value + counted.more_than, not counted.exact

    @extend_schema(
        summary="Create or update units in bulk (all or nothing)",
        description=(
            "Send `units`, a list of unit records with the same fields as the units file (see the "
            "template in the admin). Units are matched on `unit_id` within the owner: new ones are "
            "created, changed ones updated, identical ones left alone. If any record is invalid "
            "nothing is written and the answer lists every problem. `owner` (a PUSH code) is needed "
            "only by callers who act for more than one entity. Every building must lie in the "
            "owner's territory. If existing units would change Comune the call is refused with 409 "
            "listing them, unless `confirm_moves` is true.\n\n"
            "`mode`: with `merge` (the default) a record's omitted fields keep the values stored for "
            "the unit and for its building, so a record may carry only `unit_id` and the fields that "
            "change; `null` or an empty string clears a field. With `replace` every record is a whole "
            "row of the units file and the fields it omits are written blank. JSON bodies only."
        ),
        request={"application/json": UnitBulkUpsertSchema},
        responses={
            200: inline_serializer(
                "UnitBulkUpsertResult",
                {
                    "created_units": serializers.IntegerField(),
                    "updated_units": serializers.IntegerField(),
                    "unchanged_units": serializers.IntegerField(),
                    "created_buildings": serializers.IntegerField(),
                    "updated_buildings": serializers.IntegerField(),
                },
            ),
            400: OpenApiResponse(description="Invalid records: problem+json with `errors`, nothing written."),
            401: OpenApiResponse(description="Authentication required."),
            403: OpenApiResponse(description="The caller may not change this owner's stock."),
            409: OpenApiResponse(description="Units would change Comune: problem+json listing them, nothing written."),
            413: OpenApiResponse(description="The body is larger than the limit; nothing was read."),
            415: OpenApiResponse(description="The body is not JSON."),
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk-upsert", parser_classes=[BoundedJSONParser])
    def bulk_upsert(self, request):
        given = UnitBulkUpsertInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        owner = self._owner(request, data.get("owner"))
        try:
            parsed, result = stock.upsert_units_from_records(
                records=data["units"],
                owner=owner,
                user=request.user,
                confirm_moves=data["confirm_moves"],
                mode=data["mode"],
            )
        except MovesNotConfirmed as refused:
            body = problem(
                409,
                _("Units would change Comune"),
                _(
                    "%(count)d units or buildings would move to another Comune; nothing was written. Send confirm_moves: true to move them."
                )
                % {"count": len(refused.moves)},
                errors=[
                    {
                        "record": move.row,
                        "field": "unit_id" if move.unit_id else "building_id",
                        "value": move.unit_id or move.building_id,
                        "message": move.message,
                    }
                    for move in refused.moves[:1000]
                ],
            )
            return Response(body, status=status.HTTP_409_CONFLICT, content_type="application/problem+json")
        if result is None:
            errors = [
                {
                    "record": error.row,
                    "field": KEY_BY_HEADER.get(error.column, error.column),
                    "value": error.value,
                    "message": error.message,
                }
                for error in parsed.errors[:1000]
            ]
            body = problem(
                400,
                _("Invalid unit records"),
                _("Invalid records: %(count)d; nothing was written.") % {"count": len(parsed.error_rows) or 1},
                errors=errors,
            )
            return Response(body, status=status.HTTP_400_BAD_REQUEST, content_type="application/problem+json")
        return Response(
            {
                "created_units": result.created_units,
                "updated_units": result.updated_units,
                "unchanged_units": result.unchanged_units,
                "created_buildings": result.created_buildings,
                "updated_buildings": result.updated_buildings,
            }
        )

    def _owner(self, request, code: str | None) -> Entity:
        owners = policy.owners_writable_by(request.user)
        if code:
            owner = owners.filter(code=code).first()
            if owner is None:
                raise PermissionDenied(_("You cannot change the stock of this owner."))
            return owner
        if policy.must_name_owner(request.user):
            raise ValidationError({"owner": [_("Say which owner the units belong to.")]})
        candidates = list(owners[:2])
        if not candidates:
            raise PermissionDenied(_("You cannot change any owner's stock."))
        if len(candidates) > 1:
            raise ValidationError(
                {"owner": [_("You act for more than one entity: say which owner the units belong to.")]}
            )
        return candidates[0]


class StockCountsFilter(serializers.Serializer):
    province = serializers.ChoiceField(
        choices=Province.choices, required=False, allow_blank=True, help_text="Only this province (its code)."
    )
    comune = serializers.CharField(
        required=False, allow_blank=True, max_length=6, help_text="Only this Comune (its ISTAT code)."
    )


class StockCountsView(APIView):
    """Open data: how many public-housing units each Comune has, by occupancy status."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        summary="Units per Comune and status (open data)",
        parameters=[
            OpenApiParameter("province", str, enum=Province.values, description="Only this province (its code)."),
            OpenApiParameter("comune", str, description="Only this Comune (its ISTAT code, e.g. 072006)."),
        ],
        responses={
            200: inline_serializer(
                "StockCount",
                {
                    "comune": serializers.CharField(),
                    "comune_name": serializers.CharField(),
                    "status": serializers.ChoiceField(OccupancyStatus.choices),
                    "units": serializers.IntegerField(),
                },
                many=True,
            ),
            400: OpenApiResponse(description="An unknown province: problem+json."),
        },
    )
    def get(self, request):
        given = StockCountsFilter(data=request.query_params)
        given.is_valid(raise_exception=True)
        return Response(
            selectors.cached_counts(
                province=given.validated_data.get("province") or "", comune=given.validated_data.get("comune") or ""
            )
        )
