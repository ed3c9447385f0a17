"""Admin hooks of the calls: audit-log actions (screens in calls/admin.py)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = {
    "push.call.extension": _("Deadline extended for a Comune"),
    "push.call.reopened": _("Call reopened"),
    "push.submission.list_uploaded": _("List of applicants uploaded"),
    "push.submission.attachment": _("Attachment added"),
    "push.submission.submit": _("Submission sent"),
    "push.submission.integrate": _("Integration sent"),
    "push.submission.request_integration": _("Integration requested"),
    "push.submission.accept": _("Submission accepted"),
    "push.submission.reject": _("Submission rejected"),
    "push.riparto.computed": _("Riparto computed"),
    "push.riparto.published": _("Riparto published"),
}


@hooks.register("register_log_actions")
def register_calls_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)
