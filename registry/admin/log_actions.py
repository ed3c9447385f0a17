"""The registry's entries in the audit log (Wagtail's log actions)."""

from django.utils.translation import gettext_lazy as _

LOG_ACTIONS = (
    ("push.accreditation.submitted", _("Accreditation requested")),
    ("push.accreditation.approved", _("Accreditation approved")),
    ("push.accreditation.rejected", _("Accreditation rejected")),
    ("push.membership.ended", _("Membership ended")),
    ("push.entity.accredited", _("Entity accredited")),
    ("push.import.uploaded", _("File uploaded for import")),
    ("push.import.done", _("Import completed")),
    ("push.snapshot.taken", _("Snapshot of the stock taken")),
)


def register_log_actions(actions):
    """Hook ``register_log_actions``."""
    for action, label in LOG_ACTIONS:
        actions.register_action(action, label, label)
