"""API of the calls.

- /api/v1/calls: the published calls (not drafts), for anyone;
- /api/v1/calls/{id}/allocation: the riparto, once published, for anyone;
- /api/v1/submissions: a Comune's own submissions (the Region's reviewers: all); a Comune's
  system may open a draft, set the co-financing, upload the applicant list and send it;
- /api/v1/submissions/{id}/receipts/{entry_id}: the receipt of one sending, as issued.
"""

from decimal import Decimal

import django_filters
from django.core.validators import RegexValidator
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.api import DecimalTextField, IdField, ModelViewPermission, TextField, problem, state_conflict
from core.files import private_download
from registry import access
from registry.models import Entity

from . import services
from .models import CALL_PARAMETERS, Allocation, Call, ProtocolEntry, Submission, SubmissionState, UploadStatus
from .selectors import published_calls


class CallSerializer(serializers.ModelSerializer):
    required_attachments = serializers.ListField(
        source="attachment_names", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = Call
        fields = [
            "id",
            "call_type",
            "year",
            "title",
            "legal_act",
            "opens_at",
            "closes_at",
            "state",
            *CALL_PARAMETERS,
            "required_attachments",
            "riparto_published_at",
        ]
        read_only_fields = fields


class AllocationSerializer(serializers.ModelSerializer):
    comune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    comune_name = serializers.CharField(source="comune.name", read_only=True)

    class Meta:
        model = Allocation
        fields = ["comune", "comune_name", "need", "co_financing", "premium_eligible", "base", "premium", "total"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Published calls (rent support, arrears fund)"),
    retrieve=extend_schema(summary="One call with its parameters"),
)
class CallViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = CallSerializer
    filterset_fields = ["call_type", "year", "state"]
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return published_calls().order_by("-year", "call_type")

    @extend_schema(summary="The riparto of a call, once published", responses=AllocationSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def allocation(self, request, pk=None):
        call = self.get_object()
        if not call.riparto_published_at:
            raise NotFound(_("The riparto of this call is not published yet."))
        rows = call.allocations.select_related("comune").order_by("comune__code")
        return Response(AllocationSerializer(rows, many=True).data)


class ProtocolEntrySerializer(serializers.ModelSerializer):
    """One sending of the submission in the protocol register, with its own receipt."""

    receipt_sha256 = serializers.SerializerMethodField()
    receipt_url = serializers.SerializerMethodField()

    class Meta:
        model = ProtocolEntry
        fields = ["id", "number", "kind", "registered_at", "receipt_sha256", "receipt_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_receipt_sha256(self, entry) -> str | None:
        return entry.receipt_sha256 or None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_receipt_url(self, entry) -> str | None:
        """Null while the receipt is being rendered (shortly after the sending)."""
        if not entry.receipt_pdf:
            return None
        path = f"/api/v1/submissions/{entry.submission_id}/receipts/{entry.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class SubmissionSerializer(serializers.ModelSerializer):
    call = serializers.PrimaryKeyRelatedField(read_only=True)
    comune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    protocol_entries = serializers.SerializerMethodField()

    @extend_schema_field(ProtocolEntrySerializer(many=True))
    def get_protocol_entries(self, submission):
        """Every sending, oldest first: the first one and each integration."""
        entries = sorted(submission.protocol_entries.all(), key=lambda entry: (entry.registered_at, entry.sequence))
        return ProtocolEntrySerializer(entries, many=True, context=self.context).data

    class Meta:
        model = Submission
        fields = [
            "id",
            "call",
            "comune",
            "state",
            "co_financing",
            "applicant_count",
            "eligible_count",
            "eligible_a",
            "eligible_b",
            "eligible_covid",
            "need_a",
            "need_b",
            "need_covid",
            "need",
            "protocol_number",
            "submitted_at",
            "protocol_entries",
            "applicants_file_sha256",
            "integration_message",
            "integration_deadline",
            "decision_reason",
            "updated_at",
        ]
        read_only_fields = fields


class SubmissionFilter(django_filters.FilterSet):
    call = django_filters.NumberFilter(field_name="call_id")
    comune = django_filters.CharFilter(field_name="comune__code")
    state = django_filters.ChoiceFilter(choices=SubmissionState.choices)

    class Meta:
        model = Submission
        fields = ["call", "comune", "state"]


def _upload_url(upload) -> str:
    return f"/api/v1/submissions/{upload.submission_id}/uploads/{upload.pk}"


def _upload_data(request, upload) -> dict:
    return {
        "id": upload.pk,
        "status": upload.status,
        "file_name": upload.original_name,
        "sha256": upload.sha256,
        "total_rows": upload.total_rows,
        "processed_rows": upload.processed_rows,
        "problem_count": upload.problem_count,
        "errors": [
            {"row": row, "column": column, "value": value, "message": message}
            for row, column, value, message in upload.problems
        ],
        "status_url": request.build_absolute_uri(_upload_url(upload)),
    }


def _refused_list(upload) -> Response:
    """A finished upload that was refused, as problem+json: the file as a whole (`code`) or
    its rows (`errors`; codici fiscali masked)."""
    if upload.refusal_code:
        message = upload.problems[0][3] if upload.problems else ""
        body = problem(400, _("Unreadable file"), message, code=upload.refusal_code)
    else:
        errors = [
            {"row": row, "column": column, "value": value, "message": message}
            for row, column, value, message in upload.problems
        ]
        body = problem(
            400,
            _("Invalid list"),
            _("The file has %(count)d problems; nothing was changed.") % {"count": upload.problem_count},
            errors=errors,
        )
    return Response(body, status=400, content_type="application/problem+json")


SENT = "The submission is sent: it changes only if the Region asks for an integration."


class SubmissionOpenInput(serializers.Serializer):
    call = IdField(help_text="The call's id.")
    comune = TextField(
        validators=[RegexValidator(r"^[0-9]{6}\Z")], help_text="The Comune's 6-digit PUSH code.", max_length=6
    )


class CoFinancingInput(serializers.Serializer):
    co_financing = DecimalTextField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text='Euros as a decimal string with at most two decimals, e.g. "750.50".',
    )


class ApplicantsFileInput(serializers.Serializer):
    file = serializers.FileField(help_text="The applicant list, CSV or XLSX.")


class UploadProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()


class UploadSerializer(serializers.Serializer):
    """An upload of the applicant list, with its progress and the problems found."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=UploadStatus.choices)
    file_name = serializers.CharField()
    sha256 = serializers.CharField()
    total_rows = serializers.IntegerField()
    processed_rows = serializers.IntegerField()
    problem_count = serializers.IntegerField()
    errors = UploadProblemSerializer(many=True)
    status_url = serializers.URLField()


class DuplicateRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    comuni = serializers.ListField(child=serializers.CharField())


class DuplicateReportSerializer(serializers.Serializer):
    shown = serializers.BooleanField()
    names_shown = serializers.BooleanField()
    count = serializers.IntegerField()
    rows = DuplicateRowSerializer(many=True)


@extend_schema_view(
    list=extend_schema(summary="Submissions the caller may see"),
    retrieve=extend_schema(summary="One submission"),
    create=extend_schema(
        summary="Open (or get) the draft of a Comune for a call",
        request=SubmissionOpenInput,
        responses={201: SubmissionSerializer, 409: state_conflict("The call does not take submissions.")},
    ),
    partial_update=extend_schema(
        summary="Set the co-financing of a draft",
        request=CoFinancingInput,
        responses={200: SubmissionSerializer, 409: state_conflict(SENT)},
    ),
)
class SubmissionViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Each write validates its body with an input serializer, calls its service, and answers
    with the submission as SubmissionSerializer writes it; refusals are the services' own
    (core.api.problem_exception_handler)."""

    permission_classes = [ModelViewPermission]
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        queryset = (
            Submission.objects.select_related("comune")
            .prefetch_related("protocol_entries")
            .order_by("-call_id", "comune__code")
        )
        return access.scope(queryset, self.request.user, path="comune")

    def _answer(self, submission, status_code=status.HTTP_200_OK) -> Response:
        return Response(
            SubmissionSerializer(submission, context=self.get_serializer_context()).data, status=status_code
        )

    def create(self, request, *args, **kwargs):
        given = SubmissionOpenInput(data=request.data)
        given.is_valid(raise_exception=True)
        call = get_object_or_404(Call, pk=given.validated_data["call"])
        comune = get_object_or_404(Entity, code=given.validated_data["comune"])
        submission = services.open_submission(call=call, comune=comune, by=request.user)
        return self._answer(submission, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        submission = self.get_object()
        given = CoFinancingInput(data=request.data)
        given.is_valid(raise_exception=True)
        submission = services.set_co_financing(
            submission=submission, amount=given.validated_data["co_financing"], by=request.user
        )
        return self._answer(submission)

    @extend_schema(
        summary="Upload the applicant list (CSV or XLSX); all or nothing",
        description=(
            "A small list is checked and written at once (200). A large one is checked in the background "
            "(202, with the upload to poll at `uploads/{upload_id}`). A refused list is a 400 problem with "
            "`errors` (row, column, value, message) or, for an unreadable file, a `code`."
        ),
        request={"multipart/form-data": ApplicantsFileInput},
        responses={200: SubmissionSerializer, 202: UploadSerializer, 409: state_conflict(SENT)},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def applicants(self, request, pk=None):
        submission = self.get_object()
        given = ApplicantsFileInput(data=request.data)
        given.is_valid(raise_exception=True)
        received = services.receive_applicants_file(
            submission=submission, uploaded_file=given.validated_data["file"], by=request.user
        )
        if received.status == UploadStatus.DONE:
            submission.refresh_from_db()
            return self._answer(submission)
        if received.status == UploadStatus.INVALID:
            return _refused_list(received)
        return Response(
            _upload_data(request, received),
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": _upload_url(received)},
        )

    @extend_schema(
        summary="An upload of the applicant list: status, progress, problems", request=None, responses=UploadSerializer
    )
    @action(detail=True, methods=["get"], url_path=r"uploads/(?P<upload_id>[0-9]{1,18})")
    def uploads(self, request, pk=None, upload_id=None):
        submission = self.get_object()
        upload = get_object_or_404(submission.uploads, pk=upload_id)
        return Response(_upload_data(request, upload))

    @extend_schema(
        summary="People on this list also listed by other Comuni",
        description=(
            "A Comune reads it once its list is sent (rows only, without the other Comuni's names); the "
            "Region's reviewers read the names. Every lookup is recorded in the audit log."
        ),
        request=None,
        responses=DuplicateReportSerializer,
    )
    @action(detail=True, methods=["get"])
    def duplicates(self, request, pk=None):
        submission = self.get_object()
        report = services.duplicate_report(submission=submission, viewer=request.user)
        return Response(
            {
                "shown": report.shown,
                "names_shown": report.names_shown,
                "count": report.count,
                "rows": [{"row": row, "comuni": comuni} for row, comuni in report.rows],
            }
        )

    @extend_schema(
        summary="A receipt as issued (PDF), by its protocol entry",
        request=None,
        responses={
            (200, "application/pdf"): OpenApiResponse(response=OpenApiTypes.BINARY, description="The receipt"),
            404: OpenApiResponse(description="No such entry, or its receipt is still being rendered"),
        },
    )
    @action(detail=True, methods=["get"], url_path=r"receipts/(?P<entry_id>[0-9]{1,18})")
    def receipts(self, request, pk=None, entry_id=None):
        submission = self.get_object()
        entry = get_object_or_404(submission.protocol_entries, pk=entry_id)
        if not entry.receipt_pdf:
            raise NotFound(_("The receipt is being prepared."))
        return private_download(
            entry.receipt_pdf,
            entry.file_name,
            "application/pdf",
            request=request,
            instance=submission,
            kind="receipt",
            sha256=entry.receipt_sha256,
        )

    @extend_schema(
        summary="Send the submission (or its integration)",
        request=None,
        responses={
            200: SubmissionSerializer,
            409: state_conflict("Not possible in the submission's state, or the call (or integration) is closed."),
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        submission = self.get_object()
        return self._answer(services.submit(submission=submission, by=request.user))
