"""The registry's admin views beyond modeladmin's CRUD (hook ``register_admin_urls``)."""

from django.urls import path

from registry import admin_views
from registry.stock import admin as stock_admin


def admin_urls():
    return [
        path(
            "registry/accreditation/<int:pk>/designation-act/",
            admin_views.designation_act_download,
            name="registry_designation_act",
        ),
        path("registry/accreditation/<int:pk>/approve/", admin_views.approve, name="registry_accreditation_approve"),
        path("registry/accreditation/<int:pk>/reject/", admin_views.reject, name="registry_accreditation_reject"),
        path("registry/memberships/<int:pk>/end/", admin_views.end_membership, name="registry_membership_end"),
        path(
            "registry/imports/template.<str:file_format>", stock_admin.import_template, name="registry_import_template"
        ),
        path("registry/imports/<int:pk>/report.csv", stock_admin.import_report, name="registry_import_report"),
        path("registry/imports/<int:pk>/file/", stock_admin.import_file_download, name="registry_import_file"),
        path(
            "registry/imports/<int:pk>/import-valid-rows/",
            stock_admin.import_valid_rows,
            name="registry_import_valid_rows",
        ),
        path("registry/imports/<int:pk>/progress/", stock_admin.progress, name="registry_import_progress"),
    ]
