"""Remind of approaching deadlines: each app's `deadline_reminders(now)` in its
notifications.py (the calls' deadlines, the circulars' reply-by dates). Idempotent: a
reminder is written once per threshold and person (its dedupe key), so cron may run it
every hour."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.notifications.kinds import deadline_reminder_sources
from core.notifications.services import send_due


class Command(BaseCommand):
    help = "Write the deadline reminders that are due (7, 3 and 1 days before) and send them."

    def handle(self, *args, **options):
        now = timezone.now()
        written = 0
        for source in deadline_reminder_sources():
            count = source(now)
            written += count
            self.stdout.write(f"{source.__module__}: {count} reminder(s).")
        report = send_due()
        self.stdout.write(f"Wrote {written} reminder(s); sent {report.sent} e-mail(s).")
