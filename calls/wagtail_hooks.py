"""Admin hooks of the calls: screens (calls/admin/), their URLs and audit-log actions."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail_modeladmin.options import modeladmin_register

from . import admin_home, call_lifecycle, services
from .admin import downloads, exports, modeladmins, views

modeladmin_register(modeladmins.CallsGroup)
hooks.register("construct_homepage_panels", admin_home.add_calls_panels)


@hooks.register("register_admin_urls")
def register_calls_urls():
    return [
        path("calls/submission/<int:pk>/action/<str:action>/", views.submission_action, name="calls_submission_action"),
        path(
            "calls/submission/<int:pk>/confirm/<str:action>/",
            views.submission_confirm,
            name="calls_submission_confirm",
        ),
        path("calls/submission/<int:pk>/receipt.pdf", downloads.receipt_download, name="calls_receipt"),
        path(
            "calls/submission/<int:pk>/receipt/<int:entry_pk>.pdf",
            downloads.receipt_download,
            name="calls_protocol_receipt",
        ),
        path("calls/submission/<int:pk>/list/", downloads.applicants_file_download, name="calls_applicants_file"),
        path(
            "calls/submission/<int:pk>/attachment/<int:attachment_pk>/",
            downloads.attachment_download,
            name="calls_attachment",
        ),
        path("calls/list-template/<int:call_pk>.<str:file_format>", exports.list_template, name="calls_list_template"),
        path("calls/review-queue/", views.review_queue_view, name="calls_review_queue"),
        path("calls/call/<int:pk>/riparto/", views.riparto_view, name="calls_riparto"),
        path("calls/call/<int:pk>/riparto/publish/", views.riparto_publish, name="calls_riparto_publish"),
        path("calls/call/<int:pk>/action/<str:action>/", views.call_action, name="calls_call_action"),
        path("calls/call/<int:pk>/move/<str:action>/", views.call_move, name="calls_call_move"),
    ]


LOG_ACTIONS = {
    "push.call.extension": _("Deadline extended for a Comune"),
    "push.call.reopened": _("Call reopened"),  # entries written before calls/call_lifecycle.py
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
    for action, label in {**LOG_ACTIONS, **call_lifecycle.AUDIT_ACTIONS, **services.AUDIT_ACTIONS}.items():
        actions.register_action(action, label, label)
