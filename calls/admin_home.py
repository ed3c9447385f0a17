"""What the calls ask of each person, on their admin home (Wagtail's construct_homepage_panels).

- The Region's reviewers: how many submissions wait for a decision (link to the review
  queue) and the open calls with the days left.
- A Comune's officers: their drafts and the integrations asked of them, each with its deadline.

Who sees which panel is calls/policy.py; every figure comes from calls/selectors.py, scoped
to the person (registry.access): an officer's home never shows another Comune's
submissions. A few queries per panel."""

from django.utils import timezone
from wagtail.admin.ui.components import Component

from . import policy, selectors


def days_left(moment, now) -> int:
    return max(0, (timezone.localdate(moment) - timezone.localdate(now)).days)


class ReviewPanel(Component):
    name = "push_calls_review"
    order = 60
    template_name = "wagtailadmin/home/push_calls_review.html"

    def __init__(self, waiting: int, open_calls: list):
        self.waiting = waiting
        self.open_calls = open_calls

    def get_context_data(self, parent_context):
        return {"waiting": self.waiting, "open_calls": self.open_calls}


class ComuneSubmissionsPanel(Component):
    name = "push_calls_to_complete"
    order = 60
    template_name = "wagtailadmin/home/push_calls_to_complete.html"

    def __init__(self, rows: list):
        self.rows = rows

    def get_context_data(self, parent_context):
        return {"rows": self.rows}


def add_calls_panels(request, panels):
    user = request.user
    now = timezone.now()
    if policy.can_review_submissions(user):
        open_calls = [(call, days_left(call.closes_at, now)) for call in selectors.open_calls()]
        panels.append(ReviewPanel(selectors.review_queue_count(), open_calls))
    elif policy.prepares_submissions(user):
        rows = [
            (submission, deadline, days_left(deadline, now) if deadline else None)
            for submission, deadline in selectors.submissions_to_complete(user)
        ]
        panels.append(ComuneSubmissionsPanel(rows))
