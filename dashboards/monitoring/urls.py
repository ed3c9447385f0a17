"""The monitoring's admin addresses (registered by dashboards/wagtail_hooks.py under /admin/)."""

from django.urls import path

from . import views


def admin_urls():
    return [
        path("cruscotto/monitoraggio/", views.monitoring, name="dashboards_monitoring"),
        path(
            "cruscotto/monitoraggio/dati.<str:file_format>",
            views.monitoring_export,
            name="dashboards_monitoring_export",
        ),
        path("cruscotto/monitoraggio/mappa/", views.monitoring_map_image, name="dashboards_monitoring_map"),
    ]
