"""The rules of a call's calendar, in one place: when a call accepts submissions, and the
deadline of each Comune.

A call accepts submissions while it is open (its state), from `opens_at` included, until its
deadline excluded: the field's help text says submissions are refused *from* `closes_at` on.
A Comune the Region granted an extension (DeadlineExtension) has its own, later deadline;
the latest extension counts, and never moves the deadline earlier than the call's.

Every caller asks here: the services (opening, uploading, sending), the admin's form for a
new submission (which calls it offers), the API through the services, and the public
guideline page through calls.selectors. `accepting_submissions` is the same rule as a query
condition, for lists of calls; a test checks that both forms agree.

Preparing is wider than sending: once the call is published (open) a Comune may open its
submission and prepare it (co-financing, attachments) before `opens_at`, so that it is ready
on the first day; only sending and the list wait for `opens_at`. The deadline is the same:
`accepts_preparation` is the rule without its opening moment.

An integration the Region asked for has its own deadline (the submission's), with the same
"refused from that moment on" reading: `integration_open`.
"""

from django.db.models import Exists, OuterRef, Q

from .models import Call, CallState, DeadlineExtension


def deadline_for(call: Call, comune=None):
    """The moment from which the call refuses the Comune's submissions: the call's
    `closes_at`, or the Comune's latest extension when later. Without a Comune, the call's."""
    if comune is None:
        return call.closes_at
    extension = (
        DeadlineExtension.objects.filter(call=call, comune=comune)
        .order_by("-closes_at")
        .values_list("closes_at", flat=True)
        .first()
    )
    return max(call.closes_at, extension) if extension else call.closes_at


def refusal(call: Call, at, comune=None, *, preparing: bool = False) -> str:
    """Why the call refuses a submission at `at`: "not_open" (not open, or not yet),
    "late" (from the deadline on), or "" when it accepts it. `preparing`: a draft may be
    opened before `opens_at` (see the module's docstring)."""
    if call.state != CallState.OPEN or (at < call.opens_at and not preparing):
        return "not_open"
    if at >= deadline_for(call, comune):
        return "late"
    return ""


def accepts_submissions(call: Call, at, comune=None) -> bool:
    """Whether the call accepts a submission at `at` (of `comune`, with its extension)."""
    return not refusal(call, at, comune)


def accepts_preparation(call: Call, at, comune=None) -> bool:
    """Whether the Comune may open (create) its submission for the call at `at`: from the
    call's publication, before `opens_at` too, until its deadline excluded."""
    return not refusal(call, at, comune, preparing=True)


def accepting_submissions(at, *, comuni=None, preparing: bool = False) -> Q:
    """The rule as a condition on calls: those accepting a submission at `at` from at least
    one of `comuni` (their extensions count), or from any Comune on the call's own deadline
    when `comuni` is None."""
    before_deadline = Q(closes_at__gt=at)
    if comuni is not None:
        extended = DeadlineExtension.objects.filter(call=OuterRef("pk"), comune__in=comuni, closes_at__gt=at)
        before_deadline |= Q(Exists(extended))
    opened = Q() if preparing else Q(opens_at__lte=at)
    return Q(state=CallState.OPEN) & opened & before_deadline


def integration_open(submission, at) -> bool:
    """Whether an integration asked of the Comune can still be sent at `at`: until its
    deadline excluded (none set: always)."""
    return submission.integration_deadline is None or at < submission.integration_deadline
