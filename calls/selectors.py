"""Reading calls: which calls a person may see, and every read the screens, the public pages
and the API make of calls, submissions and the riparto.

A call's draft (dates, bands, fund amounts still under discussion) belongs to the Region's
staff who prepare it. Everyone else – the public, the API, the Comuni's and the ARCA's people
in the admin – sees a call only once it is out of draft. Every screen and endpoint that
lists calls goes through these two functions."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Sum
from django.utils import timezone
from wagtail.models import ModelLogEntry

from registry import access

from . import policy, rules
from .models import Call, CallState, CallType, DeadlineExtension, Submission, SubmissionState


def published_calls():
    """Calls anyone may read: every call except drafts."""
    return Call.objects.exclude(state=CallState.DRAFT)


def latest_rent_support_calls(count: int):
    """The latest published rent-support calls, newest first (the public site's guidelines)."""
    return published_calls().filter(call_type=CallType.RENT_SUPPORT).order_by("-year")[:count]


def calls_visible_to(user):
    """Calls a signed-in person may read: all of them for the Region's staff who may view
    calls (they prepare the drafts); the published ones for everyone else."""
    if policy.can_see_all_calls(user):
        return Call.objects.all()
    return published_calls()


def open_calls():
    """Published calls in their open state, the nearest deadline first (the public home's
    "open calls", with or without a guideline page)."""
    return published_calls().filter(state=CallState.OPEN).order_by("closes_at", "pk")


def calls_accepting_submissions(*, comuni, at=None):
    """The calls in which at least one of `comuni` may start its submission now (or at `at`),
    with their extensions: published and open, before `opens_at` too, until the deadline
    excluded (calls/rules.accepts_preparation)."""
    at = timezone.now() if at is None else at
    condition = rules.accepting_submissions(at, comuni=comuni, preparing=True)
    return published_calls().filter(condition).order_by("-year", "call_type")


@dataclass(frozen=True)
class PublicCall:
    """What the public pages show of a call, read live: the call itself (dates, bands,
    required attachments), whether it accepts submissions now, the Comuni's own deadlines,
    the published riparto (None before publication) and the next moment the page changes."""

    call: Call
    accepting: bool
    comune_deadlines: list
    allocations: object
    next_change: object


def public_call(call: Call, at=None) -> PublicCall:
    """The call as the public guideline page shows it (cms reads calls only through here
    and open_calls)."""
    at = timezone.now() if at is None else at
    upcoming = [moment for moment in (call.opens_at, call.closes_at) if moment > at]
    return PublicCall(
        call=call,
        accepting=rules.accepts_submissions(call, at),
        comune_deadlines=comune_deadlines(call),
        allocations=(
            call.allocations.select_related("comune").order_by("comune__name") if call.riparto_published_at else None
        ),
        next_change=min(upcoming) if upcoming else None,
    )


def comune_deadlines(call: Call) -> list[tuple[str, object]]:
    """The Comuni's own deadlines for a call, as (Comune's name, deadline) by name: the
    latest extension granted to each Comune, where it is later than the call's deadline
    (the rule of calls/rules.deadline_for, for every Comune in one query)."""
    latest = {}
    for name, closes_at in DeadlineExtension.objects.filter(call=call, closes_at__gt=call.closes_at).values_list(
        "comune__name", "closes_at"
    ):
        latest[name] = max(closes_at, latest.get(name, closes_at))
    return sorted(latest.items())


# --- the Region's review queue --------------------------------------------------------

WAITING_FOR_REVIEW = (SubmissionState.SUBMITTED, SubmissionState.INTEGRATED)


def review_queue(*, call=None):
    """Submissions waiting for the Region's decision (sent or integrated), oldest sending
    first: the Comune that has waited longest is examined first."""
    queryset = Submission.objects.filter(state__in=WAITING_FOR_REVIEW).select_related("comune", "call")
    if call is not None:
        queryset = queryset.filter(call=call)
    return queryset.order_by("submitted_at", "pk")


def review_queue_count() -> int:
    """How many submissions wait (one COUNT query: it is shown in the menu of every page)."""
    return Submission.objects.filter(state__in=WAITING_FOR_REVIEW).count()


# --- what a Comune's officer has to do -----------------------------------------------

TO_COMPLETE = (SubmissionState.DRAFT, SubmissionState.INTEGRATION_REQUESTED)


def submissions_to_complete(user) -> list[tuple[Submission, object]]:
    """The submissions of the person's own Comuni still in their hands (drafts, integrations
    requested), each with its deadline: the integration's, or the call's with the Comune's
    extension (the rule of calls/rules.deadline_for, in one query), soonest first. Two queries."""
    submissions = list(
        access.scope(Submission.objects.filter(state__in=TO_COMPLETE), user, path="comune", for_edit=True)
        .select_related("call", "comune")
        .order_by("pk")
    )
    if not submissions:
        return []
    extensions = {}
    for call_id, comune_id, closes_at in DeadlineExtension.objects.filter(
        call__in={s.call_id for s in submissions}, comune__in={s.comune_id for s in submissions}
    ).values_list("call_id", "comune_id", "closes_at"):
        key = (call_id, comune_id)
        extensions[key] = max(closes_at, extensions.get(key, closes_at))
    rows = []
    for submission in submissions:
        if submission.state == SubmissionState.INTEGRATION_REQUESTED:
            deadline = submission.integration_deadline
        else:
            extension = extensions.get((submission.call_id, submission.comune_id))
            deadline = max(submission.call.closes_at, extension) if extension else submission.call.closes_at
        rows.append((submission, deadline))
    return sorted(rows, key=lambda row: (row[1] is None, row[1] or row[0].call.closes_at, row[0].pk))


# --- a submission's page ----------------------------------------------------------------


def list_rows(submission: Submission, *, limit: int):
    """The first rows of the submission's list: its households (rent support) or its cases
    (arrears), in the order of the Comune's file."""
    rows = submission.arrears_cases if submission.call.call_type == CallType.ARREARS else submission.applicants
    return rows.all()[:limit]


def protocol_entries(submission: Submission) -> list:
    """The protocol register's entries of the submission, newest first."""
    return list(submission.protocol_entries.order_by("-registered_at", "-sequence"))


def latest_receipt_entry(submission: Submission):
    """The latest sending's entry (the receipt first given at the submission's address)."""
    return submission.protocol_entries.order_by("-registered_at", "-sequence").first()


def co_financing_saved(submission: Submission) -> bool:
    """Whether the Comune has saved its co-financing at least once (even 0,00 €): the
    service's audit entry of the change says so."""
    return ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Submission),
        object_id=str(submission.pk),
        action="wagtail.edit",
    ).exists()


# --- a call's page and its riparto -------------------------------------------------------


def submission_counts(call: Call) -> dict[str, int]:
    """How many of the call's submissions are in each state (one query)."""
    return dict(call.submissions.order_by().values("state").annotate(count=Count("pk")).values_list("state", "count"))


def accepted_count(call: Call) -> int:
    return call.submissions.filter(state=SubmissionState.ACCEPTED).count()


def riparto_lines(call: Call):
    """The call's riparto, one line per Comune, by the Comune's name."""
    return call.allocations.select_related("comune").order_by("comune__name")


def riparto_totals(call: Call) -> dict:
    """The riparto's figures to the cent: Comuni, need, base, premium and total (one query)."""
    figures = call.allocations.aggregate(
        comuni=Count("pk"), need=Sum("need"), base=Sum("base"), premium=Sum("premium"), total=Sum("total")
    )
    return {name: (value if value is not None else Decimal("0")) for name, value in figures.items()}
