"""Admin hooks of the sale plans: the menu, the screens' URLs (calls/sales/admin/) and the
labels of the audit-log actions."""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import policy, transitions
from .admin import downloads, views


class SalePlansMenuItem(MenuItem):
    def is_shown(self, request):
        return policy.can_see_sale_plans(request.user)


@hooks.register("register_admin_menu_item")
def register_sale_plans_menu_item():
    return SalePlansMenuItem(
        _("Sale plans"), reverse_lazy("sales_plans"), name="sale-plans", icon_name="tag", order=240
    )


@hooks.register("register_admin_urls")
def register_sale_plan_urls():
    return [
        path("calls/sale-plans/", views.plan_list, name="sales_plans"),
        path("calls/sale-plans/new/", views.plan_new, name="sales_plan_new"),
        path("calls/sale-plans/proceeds/", views.proceeds, name="sales_proceeds"),
        path(
            "calls/sale-plans/proceeds/export.<str:file_format>",
            downloads.proceeds_export,
            name="sales_proceeds_export",
        ),
        path("calls/sale-plans/reinvestments/new/", views.reinvestment_new, name="sales_reinvestment_new"),
        path("calls/sale-plans/<int:pk>/", views.plan_view, name="sales_plan"),
        path("calls/sale-plans/<int:pk>/units/", views.plan_units, name="sales_plan_units"),
        path(
            "calls/sale-plans/<int:pk>/units/<int:line_pk>/remove/",
            views.plan_unit_remove,
            name="sales_plan_unit_remove",
        ),
        path("calls/sale-plans/<int:pk>/units/<int:line_pk>/sale/", views.sale_new, name="sales_sale_new"),
        path("calls/sale-plans/<int:pk>/<str:action>/", views.plan_move, name="sales_plan_move"),
    ]


@hooks.register("register_log_actions")
def register_sale_plan_log_actions(actions):
    for action, label in transitions.AUDIT_ACTIONS.items():
        actions.register_action(action, label, label)
