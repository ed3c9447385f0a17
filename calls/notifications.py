"""What the calls tell people (core.notifications): the receipt of a sending, the note to
the Region's reviewers, an integration asked for, the review's decision, the published
riparto, and the reminders of a deadline to the Comuni that have not sent.

The stored context holds ids only; `render_context` loads the objects when the e-mail or
the in-admin list is rendered, so the outbox keeps no copy of a submission."""

from datetime import timedelta

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from core.notifications import notify
from core.notifications.kinds import Kind
from registry.models import AccreditationState, Area, Entity, EntityKind
from registry.recipients import people_of

from . import rules, selectors
from .models import Call, ProtocolEntry, Submission, SubmissionState

REMINDER_DAYS = (7, 3, 1)


def _entry(context):
    entry = ProtocolEntry.objects.select_related("submission__call", "submission__comune").get(pk=context["entry_id"])
    return {"entry": entry, "submission": entry.submission}


def _submission(context):
    return {"submission": Submission.objects.select_related("call", "comune").get(pk=context["submission_id"])}


def _call(context):
    return {"call": Call.objects.get(pk=context["call_id"])}


def _reminder(context):
    return {
        "call": Call.objects.get(pk=context["call_id"]),
        "comune": Entity.objects.get(pk=context["comune_id"]),
        "deadline_at": parse_datetime(context["deadline"]),
    }


KINDS = (
    Kind("submission_sent", _("Calls: receipt of a submission or integration sent"), render_context=_entry),
    Kind("submission_to_review", _("Calls: a Comune sent a submission to review"), render_context=_entry),
    Kind("integration_requested", _("Calls: the Region asks to integrate a submission"), render_context=_submission),
    Kind("review_decision", _("Calls: the Region accepted or rejected a submission"), render_context=_submission),
    Kind("riparto_published", _("Calls: the riparto of a call is published"), render_context=_call),
    Kind("deadline_reminder", _("Calls: reminder of a call's deadline"), render_context=_reminder),
)


def comune_people(comune) -> list:
    """Who receives a Comune's news about its calls: its legal representatives and its
    officers of the calls area."""
    return people_of(comune, areas=[Area.CALLS])


def _sent_states():
    return [state for state in SubmissionState.values if state != SubmissionState.DRAFT]


def reminder_threshold(deadline, now) -> int | None:
    """The reminder due at `now` for `deadline`: the smallest of 7, 3, 1 days that the
    time left has reached; None from the deadline on, or while more than 7 days are left."""
    left = deadline - now
    if left <= timedelta(0):
        return None
    reached = [days for days in REMINDER_DAYS if left <= timedelta(days=days)]
    return min(reached) if reached else None


def deadline_reminders(now) -> int:
    """Remind the accredited Comuni that have not sent their submission to an open call,
    7, 3 and 1 days before their own deadline (with their extension, calls.rules), once per
    threshold and person (the notification's dedupe key), never from the deadline on.
    A run that missed a threshold sends only the nearest one. Returns the notifications
    written; running it again at once writes none."""
    written = 0
    for call in selectors.open_calls():
        sent = Submission.objects.filter(call=call, state__in=_sent_states()).values("comune_id")
        comuni = Entity.objects.filter(
            kind=EntityKind.COMUNE, accreditation_state=AccreditationState.ACCREDITED
        ).exclude(pk__in=sent)
        for comune in comuni.order_by("pk"):
            if not rules.accepts_preparation(call, now, comune):
                continue
            deadline = rules.deadline_for(call, comune)
            threshold = reminder_threshold(deadline, now)
            if threshold is None:
                continue
            written += notify(
                kind="deadline_reminder",
                recipients=comune_people(comune),
                context={"call_id": call.pk, "comune_id": comune.pk, "days": threshold, "deadline": deadline},
                url="/admin/calls/submission/",
                dedupe_key=f"reminder:{call.pk}:{comune.pk}:{threshold}",
            )
    return written
