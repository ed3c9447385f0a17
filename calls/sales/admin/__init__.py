"""The sale plans' admin screens, by job:

- forms.py: the new plan, the unit picker's filters, the review's forms, a sale, a reinvestment;
- views.py: the list, a plan with the actions its reader may take (send, approve and reject
  after a summary and a confirmation), the unit picker, sales, proceeds against reinvestments;
- downloads.py: the proceeds' CSV/XLSX (core.exports, audited).

Their URLs and the menu are registered in calls/sales/wagtail_hooks.py."""
