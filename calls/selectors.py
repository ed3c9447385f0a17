"""Reading calls: which calls a person may see.

A call's draft (dates, bands, fund amounts still under discussion) belongs to the Region's
staff who prepare it. Everyone else – the public, the API, the Comuni's and the ARCA's people
in the admin – sees a call only once it is out of draft. Every screen and endpoint that
lists calls goes through these two functions."""

from registry import access

from .models import Call, CallState, DeadlineExtension, Submission, SubmissionState


def published_calls():
    """Calls anyone may read: every call except drafts."""
    return Call.objects.exclude(state=CallState.DRAFT)


def calls_visible_to(user):
    """Calls a signed-in person may read: all of them for the Region's staff who may view
    calls (they prepare the drafts); the published ones for everyone else."""
    if access.is_regional(user) and user.has_perm("calls.view_call"):
        return Call.objects.all()
    return published_calls()


def open_calls():
    """Published calls in their open state, the nearest deadline first (the public home's
    "open calls", with or without a guideline page)."""
    return published_calls().filter(state=CallState.OPEN).order_by("closes_at", "pk")


def comune_deadlines(call: Call) -> list[tuple[str, object]]:
    """The Comuni's own deadlines for a call, as (Comune's name, deadline) by name: the
    latest extension granted to each Comune, where it is later than the call's deadline
    (the same rule as services.deadline_for)."""
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
