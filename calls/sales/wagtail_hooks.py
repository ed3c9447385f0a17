"""Admin hooks of the sale plans: the menu, the screens' URLs (calls/sales/admin/) and the
labels of the audit-log actions."""

from django.utils.translation import gettext_lazy as _

from core.admin_wiring import register_audit_actions, register_menu_item, register_urls

from . import policy, transitions
from .admin import downloads, views

register_menu_item(
    _("Sale plans"), "sales_plans", name="sale-plans", icon="tag", order=240, shown=policy.can_see_sale_plans
)
register_urls(
    [
        ("calls/sale-plans/", views.plan_list, "sales_plans"),
        ("calls/sale-plans/new/", views.plan_new, "sales_plan_new"),
        ("calls/sale-plans/proceeds/", views.proceeds, "sales_proceeds"),
        ("calls/sale-plans/proceeds/export.<str:file_format>", downloads.proceeds_export, "sales_proceeds_export"),
        ("calls/sale-plans/reinvestments/new/", views.reinvestment_new, "sales_reinvestment_new"),
        ("calls/sale-plans/<int:pk>/", views.plan_view, "sales_plan"),
        ("calls/sale-plans/<int:pk>/units/", views.plan_units, "sales_plan_units"),
        ("calls/sale-plans/<int:pk>/units/<int:line_pk>/remove/", views.plan_unit_remove, "sales_plan_unit_remove"),
        ("calls/sale-plans/<int:pk>/units/<int:line_pk>/sale/", views.sale_new, "sales_sale_new"),
        ("calls/sale-plans/<int:pk>/<str:action>/", views.plan_move, "sales_plan_move"),
    ]
)
register_audit_actions(transitions.AUDIT_ACTIONS)
