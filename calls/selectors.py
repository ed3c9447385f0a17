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


# --- what a Comune's officer has to do -----------------------------------------------

TO_COMPLETE = (SubmissionState.DRAFT, SubmissionState.INTEGRATION_REQUESTED)


def submissions_to_complete(user) -> list[tuple[Submission, object]]:
    """The submissions of the person's own Comuni still in their hands (drafts, integrations
    requested), each with its deadline: the integration's, or the call's with the Comune's
    extension (the rule of services.deadline_for), soonest first. Two queries."""
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
