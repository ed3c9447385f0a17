"""Queue and send the daily digest of whoever chose one (cron, once a day)."""

from django.core.management.base import BaseCommand

from core.notifications.services import send_digests, send_due


class Command(BaseCommand):
    help = "Gather, for each person who chose a daily digest, what waited for it into one e-mail, and send it."

    def handle(self, *args, **options):
        queued = send_digests()
        report = send_due()
        self.stdout.write(f"Queued {queued} digest(s); sent {report.sent} e-mail(s).")
