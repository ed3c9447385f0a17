"""The calls' admin screens, by job:

- forms.py: the forms of the screens (plain data; no state field);
- modeladmins.py: calls and submissions in wagtail-modeladmin, their inspect pages, the menu;
- views.py: the function views (actions, confirmations, the riparto, the review queue);
- downloads.py: the submission's private files (core.files.private_download);
- exports.py: the riparto and the list template as files (core.exports).

Their URLs, hooks and audit-log labels are registered in calls/wagtail_hooks.py."""

# The forms were at this address before the split; a test of the Italian number fields
# still imports one from here.
from .forms import IntegrationForm  # noqa: E402, F401
