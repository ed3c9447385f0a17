"""The helpdesk's admin screens, by job:

- forms.py: the new ticket, a message, the queue's whitelisted filters, the assignment;
- views.py: the entity's list and new-ticket form (with FAQ proposals), the Region's queue,
  a ticket's thread and the actions on it (with confirmation where a step closes or reopens);
- downloads.py: a ticket's files (core.files.private_download) and the list's export.

Their URLs and the menu are registered in helpdesk/wagtail_hooks.py."""
