"""The sending of notification e-mails in the background worker (`manage.py db_worker`),
queued by core.notifications.services after each commit that wrote some."""

from django_tasks import task


@task()
def send_notifications_task():
    from .services import send_due

    report = send_due()
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}
