"""Send the notification e-mails that are due (the outbox), as the worker's task does.

Meant for cron every few minutes as well as the worker: whatever a dead queue or a failing
mail server left pending leaves with the next run, each e-mail once."""

from django.core.management.base import BaseCommand

from core.notifications.services import retry_failed, send_due


class Command(BaseCommand):
    help = "Send the pending notification e-mails that are due; --retry-failed first re-queues the failed ones."

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="Put the failed e-mails back in the queue (due now, attempts counted afresh) before sending.",
        )

    def handle(self, *args, **options):
        if options["retry_failed"]:
            requeued = retry_failed()
            self.stdout.write(f"Re-queued {requeued} failed e-mail(s).")
        report = send_due()
        self.stdout.write(
            f"Sent {report.sent}, to retry {report.retrying}, failed {report.failed} notification e-mail(s)."
        )
