"""Use cases of the calls: a Comune prepares and submits, the Region reviews and splits.

The submission's life is an explicit state machine (TRANSITIONS): each action names the
states it may start from, the state it leads to, and who may take it. Every service is
atomic, asks calls/policy.py once whether the person may act, and writes the audit log;
when a call accepts submissions is calls/rules.py.
"""

import contextlib
import gc
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from wagtail.log_actions import log

from core.bulk import BackgroundWriter, foreign_keys_deferred, foreign_keys_immediate, insert_rows
from core.files import validate_pdf
from core.notifications import notify
from core.tabular import CellProblem, FileRefused, check_spreadsheet_limits
from registry import access
from registry.models import Entity, EntityKind
from registry.recipients import regional_people

from . import call_lifecycle, policy, riparto, rules, sealed
from .applicants import (
    APPLICANT_FIELDS,
    ARREARS_FIELDS,
    clean_applicant_chunks,
    parse_applicant_file,
    read_list,
    redact_fiscal_codes,
)
from .models import (
    Allocation,
    Applicant,
    ApplicantUpload,
    ArrearsCase,
    Attachment,
    Call,
    CallState,
    CallType,
    DeadlineExtension,
    ProtocolCounter,
    ProtocolEntry,
    ProtocolKind,
    Submission,
    SubmissionState,
    UploadStatus,
)
from .notifications import comune_people

MAX_PROBLEMS_KEPT = 1000


class SubmissionFileInvalid(ValidationError):
    """The uploaded list has problems; nothing was changed. `problems` lists them (at most
    MAX_PROBLEMS_KEPT; `count` says how many there were)."""

    def __init__(self, problems, *, count=None):
        count = len(problems) if count is None else count
        super().__init__(
            _("The file has %(count)d problems; nothing was changed.") % {"count": count}, code="invalid_file"
        )
        self.problems = problems
        self.count = count


# --- who may act ------------------------------------------------------------------------


# The predicates are calls/policy.py; here they become the refusals a person reads.


def _require_preparer(user, submission: Submission):
    if not policy.can_prepare_submission(user, submission.comune):
        raise PermissionDenied(_("Only the Comune's officers can change its submission."))


def _require_reviewer(user, submission: Submission):
    if not policy.can_review_submission(user, submission):
        raise PermissionDenied(_("Only the Region's reviewers can do this."))


# --- deadlines --------------------------------------------------------------------------
# The rule is calls/rules.py; here it becomes the refusal a Comune reads.


def _check_open(submission: Submission, now):
    call = submission.call
    if submission.state == SubmissionState.INTEGRATION_REQUESTED:
        if not rules.integration_open(submission, now):
            raise ValidationError(
                _("The deadline for the integration expired on %(when)s.")
                % {"when": timezone.localtime(submission.integration_deadline).strftime("%d/%m/%Y %H:%M")},
                code="late",
            )
        return
    _check_call_accepts(call, submission.comune, now)


def _check_call_accepts(call: Call, comune: Entity, now, *, preparing: bool = False) -> None:
    reason = rules.refusal(call, now, comune, preparing=preparing)
    if reason == "not_open":
        raise ValidationError(_("The call is not open."), code="not_open")
    if reason == "late":
        raise ValidationError(
            _("The call closed on %(when)s: the submission can no longer be sent.")
            % {"when": timezone.localtime(rules.deadline_for(call, comune)).strftime("%d/%m/%Y %H:%M")},
            code="late",
        )


def grant_extension(*, call: Call, comune: Entity, closes_at, reason: str, by) -> DeadlineExtension:
    if not policy.can_change_call(by, call):
        raise PermissionDenied(_("Only the Region grants extensions."))
    if closes_at <= call.closes_at:
        raise ValidationError(_("An extension must end after the call's deadline."), code="extension")
    with transaction.atomic():
        extension = DeadlineExtension.objects.create(
            call=call, comune=comune, closes_at=closes_at, reason=reason, granted_by=by
        )
        log(
            instance=call,
            action="push.call.extension",
            user=by,
            data={"comune": comune.code, "closes_at": closes_at.isoformat(), "reason": reason},
        )
    return extension


def reopen_call(*, call: Call, closes_at, by) -> Call:
    """Reopen a closed call with a new deadline (calls.call_lifecycle's "reopen")."""
    if call.riparto_published_at:
        raise ValidationError(_("The riparto of this call is published: it cannot be reopened."), code="published")
    if closes_at <= timezone.now():
        raise ValidationError(_("The new deadline must be in the future."), code="deadline")
    old = call.closes_at
    return call_lifecycle.move_call(
        call, "reopen", by, fields={"closes_at": closes_at}, data={"old": old.isoformat(), "new": closes_at.isoformat()}
    )


# --- preparing a submission -----------------------------------------------------------


def open_submission(*, call: Call, comune: Entity, by) -> Submission:
    """The Comune's submission for the call, created as a draft the first time – only while
    the call accepts the Comune's preparation (calls/rules.accepts_preparation: before
    `opens_at` too, until its deadline)."""
    if comune.kind != EntityKind.COMUNE or not policy.can_prepare_submission(by, comune):
        raise PermissionDenied(_("Only the Comune's officers can prepare its submission."))
    existing = Submission.objects.filter(call=call, comune=comune).first()
    if existing is not None:  # its own state and deadlines say what it may still do
        return existing
    _check_call_accepts(call, comune, timezone.now(), preparing=True)
    try:
        with transaction.atomic():
            submission, created = Submission.objects.get_or_create(call=call, comune=comune)
    except IntegrityError:
        submission, created = Submission.objects.get(call=call, comune=comune), False
    if created:
        log(instance=submission, action="wagtail.create", user=by)
    return submission


def _locked(submission: Submission) -> Submission:
    return Submission.objects.select_for_update().select_related("call", "comune").get(pk=submission.pk)


# --- the applicant list ------------------------------------------------------------------
# Every upload is kept as an ApplicantUpload: the file encrypted (calls/sealed.py), then its
# status, progress and report (codici fiscali masked). Small files are checked at once, in
# the request; larger ones by a background task (calls/tasks.py), as the imports of units.


def max_list_bytes() -> int:
    return settings.PUSH_MAX_IMPORT_BYTES


def check_list_size(size: int) -> None:
    if size > max_list_bytes():
        raise ValidationError(
            _("The file is %(size)s; the largest accepted is %(limit)s. Split it into several files.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_list_bytes())},
            code="too_large",
        )


def _check_editable(submission: Submission) -> None:
    if not submission.is_editable:
        raise ValidationError(
            _("The submission has been sent: it can change only if the Region asks for an integration."),
            code="frozen",
        )


def receive_applicants_file(*, submission: Submission, uploaded_file, by, background=None) -> ApplicantUpload:
    """Take a Comune's list: check who sends it, its size and that the submission may still
    change, store it encrypted, then check and write it – at once when it is small, in the
    background otherwise (`background` forces either). Returns the upload: finished (done or
    invalid, with its report) or pending. Raises PermissionDenied or ValidationError before
    anything is stored."""
    submission = Submission.objects.select_related("call", "comune").get(pk=submission.pk)  # as stored now
    _require_preparer(by, submission)
    check_list_size(uploaded_file.size)
    _check_editable(submission)
    _check_open(submission, timezone.now())
    uploaded_file.seek(0)
    content = uploaded_file.read(max_list_bytes() + 1)
    check_list_size(len(content))  # the declared size is not trusted
    upload = _store_upload(submission, content, uploaded_file.name or "elenco.csv", by)
    if upload.is_finished:  # refused by the size limits, nothing stored
        return upload
    if background is None:
        background = len(content) > settings.PUSH_APPLICANTS_INLINE_BYTES
    if background:
        from .tasks import process_upload_task

        language = translation.get_language() or settings.LANGUAGE_CODE
        transaction.on_commit(lambda: process_upload_task.enqueue(upload.pk, language))
        return upload
    return process_upload(upload, content=content)


def _store_upload(submission: Submission, content: bytes, filename: str, by) -> ApplicantUpload:
    """Record the upload and keep its file encrypted – unless the spreadsheet limits of
    core.tabular refuse it (cheap checks, nothing expanded): then it is refused at once,
    in the request, and nothing is stored or queued."""
    upload = ApplicantUpload(
        submission=submission,
        uploaded_by=by,
        original_name=filename.rsplit("/", 1)[-1][-200:],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )
    try:
        check_spreadsheet_limits(content, upload.original_name)
    except FileRefused as refused:
        upload.save()
        return _refuse(upload, [CellProblem(0, "", "", redact_fiscal_codes(refused.message))], code=refused.code)
    upload.file.save("list.enc", sealed.seal(content), save=False)
    upload.save()
    return upload


def upload_applicants(*, submission: Submission, content: bytes, filename: str, by) -> Submission:
    """Replace the submission's list with the file's rows, or change nothing at all, at once
    (the demo data, the shell and the tests; the screens use receive_applicants_file).

    Raises SubmissionFileInvalid (with every problem: row, column, value, message) or
    FileRefused; on success recomputes bands, contributions and totals."""
    upload = receive_applicants_file(
        submission=submission, uploaded_file=ContentFile(content, name=filename), by=by, background=False
    )
    raise_if_refused(upload)
    return Submission.objects.get(pk=submission.pk)


def raise_if_refused(upload: ApplicantUpload) -> None:
    """The outcome of a finished upload as the exceptions callers expect."""
    if upload.status != UploadStatus.INVALID:
        return
    if upload.refusal_code:
        raise FileRefused(upload.problems[0][3] if upload.problems else "", upload.refusal_code)
    raise SubmissionFileInvalid(
        [CellProblem(*problem) for problem in upload.problems], count=upload.problem_count or len(upload.problems)
    )


def _set(upload: ApplicantUpload, **fields) -> None:
    for name, value in fields.items():
        setattr(upload, name, value)
    ApplicantUpload.objects.filter(pk=upload.pk).update(**fields)


def _refuse(upload: ApplicantUpload, problems: list, *, code: str = "") -> ApplicantUpload:
    """Keep the report, not the file: a refused list is never used, so its codes go."""
    _set(
        upload,
        status=UploadStatus.INVALID,
        problems=[problem.as_list() for problem in problems[:MAX_PROBLEMS_KEPT]],
        problem_count=len(problems),
        refusal_code=code,
        finished_at=timezone.now(),
    )
    _discard_file(upload)
    return upload


def _discard_file(upload: ApplicantUpload) -> None:
    if upload.file:
        upload.file.delete(save=False)
        ApplicantUpload.objects.filter(pk=upload.pk).update(file="")


def process_upload(upload: ApplicantUpload, *, content: bytes | None = None) -> ApplicantUpload:
    """Check an upload's file and, if every row is valid, write it over the submission's list
    in one transaction (the list as a whole, or nothing). Progress is saved as it goes,
    outside that transaction, for the submission's page. Idempotent on a finished upload.
    `content`: the file's bytes as just stored (not read back and decrypted again).

    On PostgreSQL a list is first written as it is checked (_stream_list); at the first
    problem that is rolled back and the list is checked and reported row by row as below."""
    if upload.is_finished:
        return upload
    submission = upload.submission
    _set(upload, status=UploadStatus.CHECKING, started_at=timezone.now(), processed_rows=0)
    try:
        if content is None:
            content = sealed.unseal(upload.file)
        with _collection_paused():
            try:
                table = read_list(content, upload.original_name)
            except FileRefused as refused:
                return _refuse(
                    upload, [CellProblem(0, "", "", redact_fiscal_codes(refused.message))], code=refused.code
                )
            del content
            total = len(table.rows)
            _set(upload, total_rows=total)
            streamed = _stream_list(upload, table)
        if streamed:
            _set(upload, status=UploadStatus.DONE, processed_rows=total, finished_at=timezone.now())
            return upload
        try:
            rows, problems = parse_applicant_file(
                submission.call,
                b"",
                upload.original_name,
                progress=lambda done, total: _set(upload, processed_rows=done, total_rows=total),
                table=table,
            )
        except FileRefused as refused:
            return _refuse(upload, [CellProblem(0, "", "", redact_fiscal_codes(refused.message))], code=refused.code)
        del table
        if problems:
            return _refuse(upload, problems)
        _set(upload, status=UploadStatus.WRITING)
        try:
            _write_list(upload, rows)
        except ValidationError as error:  # sent or closed meanwhile
            return _refuse(upload, [CellProblem(0, "", "", " ".join(error.messages))], code=error.code or "refused")
        except PermissionDenied as error:  # the uploader's role ended meanwhile
            return _refuse(upload, [CellProblem(0, "", "", str(error))], code="permission")
        _set(upload, status=UploadStatus.DONE, finished_at=timezone.now())
    except Exception as error:  # the upload must never stay "running" forever
        # The class only: a message may quote the file's content.
        _set(upload, status=UploadStatus.FAILED, failure=type(error).__name__, finished_at=timezone.now())
        _discard_file(upload)
        # The traceback goes on to the logs and the task's result for the support team;
        # codici fiscali in its message do not.
        error.args = tuple(redact_fiscal_codes(arg) if isinstance(arg, str) else arg for arg in error.args)
        raise
    return upload


@contextlib.contextmanager
def _collection_paused():
    """Python's cyclic garbage collector off while a list is read and written: the hundreds
    of thousands of cells and rows made meanwhile hold no cycles, and the collector would
    otherwise walk them again and again. Back on (as it was) at the end, whatever happens."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _NotPlain(Exception):
    """A chunk of the list is not plainly right: what was written is rolled back."""


def _stream_list(upload: ApplicantUpload, table) -> bool:
    """PostgreSQL: write a rent-support list while it is checked, in one transaction opened
    first — the submission locked and checked as _write_list does, the old rows deleted, then
    each chunk of calls.applicants.clean_applicant_chunks sent to COPY by a
    core.bulk.BackgroundWriter (the server writes, indexes and checks the foreign keys of one
    chunk, made immediate for this, while the next is checked). True when the list is
    written and committed with its totals and audit entry; False, with nothing written (all
    rolled back), when a chunk is not plainly right or the submission may not take the list
    now: the caller then checks and reports the file exactly as it always did. The upload's
    file was stored before this starts, so a written list always has its file."""
    if connection.vendor != "postgresql":
        return False
    chunks = clean_applicant_chunks(upload.submission.call, table)
    names = ["submission_id", *APPLICANT_FIELDS]
    immediate = []
    try:
        with transaction.atomic():
            submission = _locked(upload.submission)
            _require_preparer(upload.uploaded_by, submission)
            _check_editable(submission)
            _check_open(submission, timezone.now())
            Applicant.objects.filter(submission=submission).delete()
            immediate = foreign_keys_immediate(Applicant)
            writer, count, pk = BackgroundWriter(), 0, submission.pk
            try:
                for rows in chunks:
                    if rows is None:
                        raise _NotPlain
                    writer.submit(
                        lambda cursor, rows=rows: insert_rows(Applicant, names, [(pk, *row) for row in rows], cursor)
                    )
                    count += len(rows)
            except BaseException:
                writer.cancel()
                raise
            writer.close()
            foreign_keys_deferred(immediate)
            immediate = []
            _list_written(upload, submission, count)
    except (_NotPlain, ValidationError, PermissionDenied):
        if immediate and connection.in_atomic_block:  # a longer transaction goes on
            foreign_keys_deferred(immediate)
        return False
    return True


def _write_list(upload: ApplicantUpload, rows: list) -> None:
    by = upload.uploaded_by
    with transaction.atomic():
        submission = _locked(upload.submission)
        _require_preparer(by, submission)
        _check_editable(submission)
        _check_open(submission, timezone.now())
        arrears = submission.call.call_type == CallType.ARREARS
        model, fields = (ArrearsCase, ARREARS_FIELDS) if arrears else (Applicant, APPLICANT_FIELDS)
        model.objects.filter(submission=submission).delete()
        insert_rows(model, ["submission_id", *fields], [(submission.pk, *row) for row in rows])
        _list_written(upload, submission, len(rows))


def _list_written(upload: ApplicantUpload, submission: Submission, count: int) -> None:
    """Inside the list's transaction, once its rows are written: the submission points to
    the upload's file, totals recomputed, the audit entry, the superseded draft file."""
    by = upload.uploaded_by
    # A draft's earlier list was never sent: nothing refers to it, so its file goes. A
    # list that was sent stays (its receipt fingerprints it), encrypted, with its upload.
    superseded = None
    if submission.state == SubmissionState.DRAFT and submission.applicants_file.name:
        superseded = submission.applicants_file.name
    submission.applicants_file_sha256 = upload.sha256
    submission.applicants_file.name = upload.file.name
    recompute_totals(submission)
    log(
        instance=submission,
        action="push.submission.list_uploaded",
        user=by,
        data={"rows": count, "sha256": upload.sha256, "upload": upload.pk},
    )
    if superseded and superseded != upload.file.name:
        transaction.on_commit(lambda: _forget_superseded(superseded))


def _forget_superseded(name: str) -> None:
    storage = Submission._meta.get_field("applicants_file").storage
    storage.delete(name)
    ApplicantUpload.objects.filter(file=name).update(file="")


def latest_upload(submission: Submission) -> ApplicantUpload | None:
    return submission.uploads.select_related("uploaded_by").order_by("-created_at", "-pk").first()


def current_list_upload(submission: Submission) -> ApplicantUpload | None:
    """The upload whose rows are the submission's list now."""
    if not submission.applicants_file.name:
        return None
    return submission.uploads.filter(file=submission.applicants_file.name, status=UploadStatus.DONE).first()


def read_list_file(upload: ApplicantUpload) -> bytes:
    return sealed.unseal(upload.file)


# --- the audit log of what is read --------------------------------------------------------

AUDIT_ACTIONS = {
    "push.submission.duplicates_viewed": _lazy("Applicants also listed by other Comuni looked up"),
}


def recompute_totals(submission: Submission) -> None:
    if submission.call.call_type == CallType.ARREARS:
        figures = submission.arrears_cases.aggregate(count=Count("id"), need=Sum("granted_amount"))
        submission.applicant_count = submission.eligible_count = figures["count"] or 0
        submission.eligible_a = submission.eligible_b = submission.eligible_covid = 0
        submission.need_a = submission.need_b = submission.need_covid = Decimal("0")
        submission.need = figures["need"] or Decimal("0")
    else:
        figures = submission.applicants.aggregate(
            count=Count("id"),
            eligible=Count("id", filter=~Q(band="")),
            a=Count("id", filter=Q(band="A")),
            b=Count("id", filter=Q(band="B")),
            covid=Count("id", filter=Q(band="COVID")),
            need_a=Sum("contribution", filter=Q(band="A")),
            need_b=Sum("contribution", filter=Q(band="B")),
            need_covid=Sum("contribution", filter=Q(band="COVID")),
        )
        submission.applicant_count = figures["count"] or 0
        submission.eligible_count = figures["eligible"] or 0
        submission.eligible_a, submission.eligible_b, submission.eligible_covid = (
            figures["a"],
            figures["b"],
            figures["covid"],
        )
        submission.need_a = figures["need_a"] or Decimal("0")
        submission.need_b = figures["need_b"] or Decimal("0")
        submission.need_covid = figures["need_covid"] or Decimal("0")
        submission.need = submission.need_a + submission.need_b + submission.need_covid
    submission.save()


def set_co_financing(*, submission: Submission, amount: Decimal, by) -> Submission:
    _require_preparer(by, submission)
    if amount < 0:
        raise ValidationError(_("The co-financing cannot be negative."), code="negative")
    with transaction.atomic():
        submission = _locked(submission)
        if not submission.is_editable:
            raise ValidationError(
                _("The submission has been sent: it can change only if the Region asks for an integration."),
                code="frozen",
            )
        old = submission.co_financing
        submission.co_financing = amount.quantize(Decimal("0.01"))
        submission.save(update_fields=["co_financing", "updated_at"])
        log(
            instance=submission,
            action="wagtail.edit",
            user=by,
            data={"co_financing": [str(old), str(submission.co_financing)]},
        )
    return submission


def add_attachment(*, submission: Submission, name: str, uploaded_file, by) -> Attachment:
    """Attach a PDF (checked by content, size-limited; its SHA-256 kept)."""
    _require_preparer(by, submission)
    sha256 = validate_pdf(uploaded_file)
    with transaction.atomic():
        submission = _locked(submission)
        if not submission.is_editable:
            raise ValidationError(
                _("The submission has been sent: it can change only if the Region asks for an integration."),
                code="frozen",
            )
        attachment = Attachment(
            submission=submission, name=name.strip()[:200], sha256=sha256, size=uploaded_file.size, uploaded_by=by
        )
        attachment.file.save("attachment.pdf", uploaded_file, save=False)
        attachment.save()
        log(
            instance=submission,
            action="push.submission.attachment",
            user=by,
            data={"name": attachment.name, "sha256": sha256},
        )
    return attachment


def missing_attachments(submission: Submission) -> list[str]:
    present = {name.strip().lower() for name in submission.attachments.values_list("name", flat=True)}
    return [name for name in submission.call.attachment_names if name.strip().lower() not in present]


# --- people listed by more than one Comune -------------------------------------------
# Knowing that a person is on another Comune's list is personal data about that person, and
# a lookup is an oracle if its asker chooses the codes: a Comune could upload any codice
# fiscale and read where it is listed. So a Comune reads its duplicates only once its own
# list is sent (protocolled and frozen: an act on the Region's records, not a probe), never
# the other Comune's name; the Region's reviewers read the names. Only lists as sent are
# compared: a draft, or an integration not yet sent, is not a Comune's statement (and must
# not leak to others either). Every lookup that shows anything is in the audit log (who,
# which submission, how many – never the codes).


class DuplicateView:
    NONE = "none"  # nothing is looked up or shown
    ANONYMOUS = "anonymous"  # "also on another Comune's list"
    NAMED = "named"  # with the other Comuni's names


def duplicate_view_for(user, submission: Submission) -> str:
    if access.is_regional(user):
        return DuplicateView.NAMED if policy.can_review_submission(user, submission) else DuplicateView.NONE
    if submission.state in SENT_STATES and access.can_view(user, submission.comune_id):
        return DuplicateView.ANONYMOUS
    return DuplicateView.NONE


@dataclass(frozen=True)
class DuplicateReport:
    shown: bool
    names_shown: bool
    rows: list  # (row number on this list, names of the other Comuni – empty unless named)

    @property
    def count(self) -> int:
        return len(self.rows)


def duplicates(submission: Submission) -> dict[str, list[str]]:
    """The raw lookup, unaudited and unfiltered by viewer: pseudonym → names of the other
    Comuni whose lists as sent (SENT_STATES) in the same call hold the same person.
    Screens and the API use duplicate_report(), never this."""
    model = ArrearsCase if submission.call.call_type == CallType.ARREARS else Applicant
    mine = model.objects.filter(submission=submission).values("fiscal_code_hash")
    others = (
        model.objects.filter(
            submission__call_id=submission.call_id,
            submission__state__in=SENT_STATES,
            fiscal_code_hash__in=mine,
        )
        .exclude(submission=submission)
        .values_list("fiscal_code_hash", "submission__comune__name")
        .order_by("submission__comune__name")
    )
    found: dict[str, list[str]] = {}
    for pseudonym, comune in others:
        found.setdefault(pseudonym, []).append(comune)
    return found


def duplicate_report(*, submission: Submission, viewer) -> DuplicateReport:
    """What `viewer` may read of the people on this list also listed by other Comuni (see
    above), and the audit entry of the lookup. Callers have checked that the viewer may see
    the submission."""
    view = duplicate_view_for(viewer, submission)
    if view == DuplicateView.NONE:
        return DuplicateReport(shown=False, names_shown=False, rows=[])
    found = duplicates(submission)
    model = ArrearsCase if submission.call.call_type == CallType.ARREARS else Applicant
    row_of = dict(
        model.objects.filter(submission=submission, fiscal_code_hash__in=list(found)).values_list(
            "fiscal_code_hash", "row_number"
        )
    )
    named = view == DuplicateView.NAMED
    rows = sorted((row_of[pseudonym], comuni if named else []) for pseudonym, comuni in found.items())
    log(
        instance=submission,
        action="push.submission.duplicates_viewed",
        user=viewer,
        data={"matches": len(rows), "names_shown": named},
    )
    return DuplicateReport(shown=True, names_shown=named, rows=rows)


# --- the state machine ----------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    side: str  # "comune" or "region"


# A list in these states is the one the Comune sent and cannot change.
SENT_STATES = (
    SubmissionState.SUBMITTED,
    SubmissionState.INTEGRATED,
    SubmissionState.ACCEPTED,
    SubmissionState.REJECTED,
)

TRANSITIONS = {
    "submit": Transition((SubmissionState.DRAFT,), SubmissionState.SUBMITTED, "comune"),
    "integrate": Transition((SubmissionState.INTEGRATION_REQUESTED,), SubmissionState.INTEGRATED, "comune"),
    "request_integration": Transition(
        (SubmissionState.SUBMITTED, SubmissionState.INTEGRATED), SubmissionState.INTEGRATION_REQUESTED, "region"
    ),
    "accept": Transition((SubmissionState.SUBMITTED, SubmissionState.INTEGRATED), SubmissionState.ACCEPTED, "region"),
    "reject": Transition((SubmissionState.SUBMITTED, SubmissionState.INTEGRATED), SubmissionState.REJECTED, "region"),
}


def allowed_actions(user, submission: Submission) -> list[str]:
    actions = []
    for name, transition in TRANSITIONS.items():
        if submission.state not in transition.sources:
            continue
        if transition.side == "comune" and policy.can_prepare_submission(user, submission.comune):
            actions.append(name)
        if transition.side == "region" and policy.can_review_submission(user, submission):
            actions.append(name)
    return actions


def _move(submission: Submission, action: str, by) -> Transition:
    transition = TRANSITIONS[action]
    if transition.side == "comune":
        _require_preparer(by, submission)
    else:
        _require_reviewer(by, submission)
    if submission.state not in transition.sources:
        raise ValidationError(
            _("This cannot be done to a submission in state “%(state)s”.") % {"state": submission.get_state_display()},
            code="state",
        )
    return transition


# --- the protocol register ---------------------------------------------------------------
# A sending gets its number and its time together, under the counter's row lock, so that
# numbers and times increase together; the lock is held until the sending's transaction
# commits, so that transaction does only what must be atomic with the number (the entry,
# the submission's state, the audit entry). The receipt PDF and the e-mails come after
# the commit, in the background (calls/tasks.py).


def _locked_counter(year: int) -> ProtocolCounter:
    try:
        return ProtocolCounter.objects.select_for_update().get(year=year)
    except ProtocolCounter.DoesNotExist:
        ProtocolCounter.objects.get_or_create(year=year)  # the first number of a year
        return ProtocolCounter.objects.select_for_update().get(year=year)


def protocol_number(year: int, sequence: int) -> str:
    return f"PUSH/{year}/{sequence:06d}"


def _take_number(year: int | None = None):
    """Lock the year's counter, read the clock, take the next sequence: (year, sequence,
    time). Without a year, the year is the time's (a sending that waited for the lock
    across midnight of 31 December is numbered in the new year)."""
    wanted = year if year is not None else timezone.localtime().year
    counter = _locked_counter(wanted)
    now = timezone.now()  # under the lock: a later number never carries an earlier time
    if year is None and timezone.localtime(now).year != wanted:
        counter = _locked_counter(timezone.localtime(now).year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.year, counter.last_number, now


def next_protocol_number(year: int) -> str:
    """PUSH/<year>/<sequence>: gapless per year, unique under concurrent callers. Must be
    called inside the transaction that records what the number is given to."""
    year, sequence, _now = _take_number(year)
    return protocol_number(year, sequence)


def register_protocol(*, kind: str, submission: Submission | None = None, by=None, content=None) -> ProtocolEntry:
    """Register an entry: the next number and the time, taken together under the counter's
    lock. Call it inside the transaction of the act it records, as late as possible: the
    lock is held until that transaction ends, and if it rolls back the number is not used."""
    year, sequence, now = _take_number()
    return ProtocolEntry.objects.create(
        number=protocol_number(year, sequence),
        year=year,
        sequence=sequence,
        registered_at=now,
        kind=kind,
        submission=submission,
        registered_by=by,
        content=content or {},
    )


def _locked_for_sending(submission: Submission) -> Submission:
    """The submission locked for update and its call for share. `_locked` would lock the
    call's row for update too (PostgreSQL locks every joined row), so every Comune's sending
    would wait for the one before it, checks and all; with a share lock they run side by
    side, and a change to the call (closing it, say) still waits for the sendings under way."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM calls_call WHERE id = %s FOR SHARE", [submission.call_id])
    return Submission.objects.select_for_update(of=("self",)).select_related("call", "comune").get(pk=submission.pk)


def _sending_deadline(submission: Submission):
    if submission.state == SubmissionState.INTEGRATION_REQUESTED:
        return submission.integration_deadline
    return rules.deadline_for(submission.call, submission.comune)


def submit(*, submission: Submission, by) -> Submission:
    """Send the submission (or its integration): checks the deadline on the server, the list
    and the attachments, registers a new protocol entry (its own number and time, every
    sending), freezes the submission. Atomic. After the commit, in the background, the
    receipt is rendered from what the entry froze and e-mailed to the Comune, and the
    Region's reviewers are told."""
    from .receipts import receipt_content

    with transaction.atomic():
        submission = _locked_for_sending(submission)
        action = "integrate" if submission.state == SubmissionState.INTEGRATION_REQUESTED else "submit"
        transition = _move(submission, action, by)
        _check_open(submission, timezone.now())
        if submission.applicant_count == 0:
            raise ValidationError(_("Upload the list before sending the submission."), code="empty")
        missing = missing_attachments(submission)
        if missing:
            raise ValidationError(
                _("Attachments missing: %(names)s.") % {"names": "; ".join(missing)}, code="attachments"
            )
        deadline = _sending_deadline(submission)
        content = receipt_content(submission, transition.target)
        kind = ProtocolKind.INTEGRATION_SENT if action == "integrate" else ProtocolKind.SUBMISSION_SENT
        # From here to the commit the counter is locked: nothing slow below.
        entry = register_protocol(kind=kind, submission=submission, by=by, content=content)
        if deadline and entry.registered_at >= deadline:  # it expired while waiting for the lock
            _check_open(submission, entry.registered_at)
        submission.protocol_number = entry.number
        submission.submitted_at = entry.registered_at
        submission.state = transition.target
        submission.updated_at = entry.registered_at
        # An UPDATE without save()'s signals: Wagtail's reference index has nothing to record
        # for a submission, and its queries would run with the counter locked.
        Submission.objects.filter(pk=submission.pk).update(
            protocol_number=submission.protocol_number,
            submitted_at=submission.submitted_at,
            state=submission.state,
            updated_at=submission.updated_at,
        )
        log(
            instance=submission,
            action=f"push.submission.{action}",
            user=by,
            data={"protocol": entry.number, "entry": entry.pk},
        )
        transaction.on_commit(lambda: _after_sending(entry.pk))
    return submission


def _after_sending(entry_id: int) -> None:
    from .tasks import issue_receipt_task, notify_reviewers_task

    issue_receipt_task.enqueue(entry_id)
    notify_reviewers_task.enqueue(entry_id)


def issue_receipt(entry: ProtocolEntry) -> bool:
    """Render the entry's receipt from its frozen content, store it and record it on the
    entry, once: True if this call recorded it, False if the entry already had one (a
    second worker's file is removed). Idempotent."""
    from .receipts import receipt_pdf

    if entry.receipt_sha256:
        return False
    pdf = receipt_pdf(entry)
    storage = ProtocolEntry._meta.get_field("receipt_pdf").storage
    name = storage.save(f"calls/receipts/{entry.year}/{entry.number.replace('/', '-')}.pdf", ContentFile(pdf))
    if not ProtocolEntry.objects.attach_receipt(entry.pk, name=name, sha256=hashlib.sha256(pdf).hexdigest()):
        storage.delete(name)
        return False
    return True


def send_receipt(entry_id: int) -> None:
    """The background half of a sending: the receipt, then the Comune's notification with
    it attached (once: only by the worker that issued the receipt)."""
    entry = ProtocolEntry.objects.select_related("submission__call", "submission__comune").get(pk=entry_id)
    if issue_receipt(entry) and entry.submission_id:
        _notify_comune(entry.submission, "submitted", entry=ProtocolEntry.objects.get(pk=entry_id))


def reviewer_recipients() -> list:
    """The Region's reviewers: an active reviewer or administrator membership at the
    Region, an active account, and the review permission."""
    return [user for user in regional_people() if policy.can_review_submissions(user)]


def notify_reviewers(entry_id: int) -> None:
    """Tell the Region's reviewers that a Comune sent (or integrated) its submission."""
    entry = ProtocolEntry.objects.select_related("submission__call", "submission__comune").get(pk=entry_id)
    if entry.submission is None:
        return
    notify(
        kind="submission_to_review",
        recipients=reviewer_recipients(),
        context={"entry_id": entry.pk},
        url=reverse("calls_submission_modeladmin_inspect", args=[entry.submission_id]),
        dedupe_key=f"to-review:{entry.pk}",
    )


def request_integration(*, submission: Submission, by, message: str, deadline) -> Submission:
    if not (message or "").strip():
        raise ValidationError(_("Say what the Comune must integrate."), code="message")
    if deadline <= timezone.now():
        raise ValidationError(_("The new deadline must be in the future."), code="deadline")
    with transaction.atomic():
        submission = _locked(submission)
        transition = _move(submission, "request_integration", by)
        submission.state = transition.target
        submission.integration_message = message.strip()
        submission.integration_deadline = deadline
        submission.save()
        log(
            instance=submission,
            action="push.submission.request_integration",
            user=by,
            data={"message": message, "deadline": deadline.isoformat()},
        )
        _notify_comune(submission, "integration_requested")  # written with the decision, e-mailed after the commit
    return submission


def accept(*, submission: Submission, by) -> Submission:
    with transaction.atomic():
        submission = _locked(submission)
        transition = _move(submission, "accept", by)
        submission.state = transition.target
        submission.save()
        log(instance=submission, action="push.submission.accept", user=by)
        _notify_comune(submission, "accepted")  # written with the decision, e-mailed after the commit
    return submission


def reject(*, submission: Submission, by, reason: str) -> Submission:
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the rejection: the Comune will read it."), code="reason")
    with transaction.atomic():
        submission = _locked(submission)
        transition = _move(submission, "reject", by)
        submission.state = transition.target
        submission.decision_reason = reason.strip()
        submission.save()
        log(instance=submission, action="push.submission.reject", user=by, data={"reason": reason})
        _notify_comune(submission, "rejected")  # written with the decision, e-mailed after the commit
    return submission


def _notify_comune(submission: Submission, event: str, *, entry: ProtocolEntry | None = None) -> None:
    """Tell the Comune's legal representatives and calls officers (core.notifications), in
    the caller's transaction: the receipt of a sending (with the PDF), an integration asked
    for, the decision."""
    url = reverse("calls_submission_modeladmin_inspect", args=[submission.pk])
    recipients = comune_people(submission.comune_id)
    if event == "submitted":
        attachments = []
        if entry.receipt_pdf:
            attachments.append(
                {
                    "storage": "private",
                    "name": entry.receipt_pdf.name,
                    "filename": entry.file_name,
                    "mimetype": "application/pdf",
                }
            )
        notify(
            kind="submission_sent",
            recipients=recipients,
            context={"entry_id": entry.pk},
            url=url,
            dedupe_key=f"receipt:{entry.pk}",
            attachments=attachments,
        )
    elif event == "integration_requested":
        notify(kind="integration_requested", recipients=recipients, context={"submission_id": submission.pk}, url=url)
    else:
        notify(
            kind="review_decision",
            recipients=recipients,
            context={"submission_id": submission.pk, "decision": event},
            url=url,
        )


# --- riparto --------------------------------------------------------------------------


def _require_riparto(by, call: Call):
    if not policy.can_run_riparto(by, call):
        raise PermissionDenied(_("Only the Region computes and publishes the riparto."))


def compute_riparto(*, call: Call, by) -> list[Allocation]:
    """Split the fund among the accepted submissions (calls/riparto.py) and store the table.
    Running it again gives the same table; once published it cannot be recomputed."""
    _require_riparto(by, call)
    call = Call.objects.get(pk=call.pk)  # what is stored, not what the caller holds
    if call.riparto_published_at:
        raise ValidationError(_("The riparto is published and frozen."), code="published")
    if not call_lifecycle.riparto_computable(call):
        raise ValidationError(_("The riparto is computed on a closed call."), code="state")
    accepted = list(call.submissions.filter(state=SubmissionState.ACCEPTED).select_related("comune"))
    claims = [
        riparto.Claim(s.comune.code, riparto.to_cents(s.need), riparto.to_cents(s.co_financing)) for s in accepted
    ]
    result = riparto.allocate(
        claims,
        fund_base=riparto.to_cents(call.fund_base),
        fund_premium=riparto.to_cents(call.fund_premium),
        threshold=call.premium_threshold / Decimal(100),
        premium_weight=call.premium_weight,
    )
    comuni = {s.comune.code: s.comune for s in accepted}
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.riparto_published_at:
            raise ValidationError(_("The riparto is published and frozen."), code="published")
        call.allocations.all().delete()
        rows = [
            Allocation(
                call=call,
                comune=comuni[share.code],
                need=riparto.from_cents(share.need),
                co_financing=riparto.from_cents(share.co_financing),
                premium_eligible=share.premium_eligible,
                base=riparto.from_cents(share.base),
                premium=riparto.from_cents(share.premium),
                total=riparto.from_cents(share.total),
            )
            for share in result.shares
        ]
        Allocation.objects.bulk_create(rows)
        call.riparto_residual = riparto.from_cents(result.residual)
        call.riparto_computed_at = timezone.now()
        if call.state == CallState.CLOSED:  # a recomputation stays under review
            call_lifecycle.move_call(
                call,
                "compute",
                by,
                fields={"riparto_residual": call.riparto_residual, "riparto_computed_at": call.riparto_computed_at},
            )
        else:
            call.save(update_fields=["riparto_residual", "riparto_computed_at"])
        log(
            instance=call,
            action="push.riparto.computed",
            user=by,
            data={"comuni": len(rows), "residual": str(call.riparto_residual)},
        )
    return rows


def publish_riparto(*, call: Call, by) -> Call:
    _require_riparto(by, call)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.riparto_published_at:
            raise ValidationError(_("The riparto is already published."), code="published")
        if not call.riparto_computed_at:
            raise ValidationError(_("Compute the riparto before publishing it."), code="not_computed")
        call_lifecycle.move_call(call, "allocate", by, fields={"riparto_published_at": timezone.now()})
        call.refresh_from_db()
        log(instance=call, action="push.riparto.published", user=by)
        _notify_riparto_published(call)
    return call


def _notify_riparto_published(call: Call) -> None:
    """Tell each Comune with an accepted submission that the riparto is published, in the
    publication's transaction."""
    for submission in call.submissions.filter(state=SubmissionState.ACCEPTED).only("pk", "comune_id"):
        notify(
            kind="riparto_published",
            recipients=comune_people(submission.comune_id),
            context={"call_id": call.pk},
            url=reverse("calls_submission_modeladmin_inspect", args=[submission.pk]),
            dedupe_key=f"riparto:{call.pk}",
        )
