"""How an app wires its screens into Wagtail's admin, in one place (the helpdesk, the
circulars, the programmes and the sale plans use it): a side-menu item shown to whom a policy predicate says (optionally with a count in its
label, one query), the screens' URLs, and the labels of their audit-log actions."""

from django.urls import path, reverse_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem


class PolicyMenuItem(MenuItem):
    """A menu item shown when `shown(user)` is true. With `count(user)`, a non-zero count is
    put in the label through `counted_label` ("Circulars received (%(count)d new)")."""

    def __init__(self, label, url, *, shown, count=None, counted_label=None, **kwargs):
        super().__init__(label, url, **kwargs)
        self.shown = shown
        self.count = count
        self.counted_label = counted_label

    def is_shown(self, request):
        return self.shown(request.user)

    def render_component(self, request):
        if self.count is None:
            return super().render_component(request)
        count = self.count(request.user)
        label = str(self.counted_label) % {"count": count} if count else self.label
        return LinkMenuItem(self.name, label, self.url, icon_name=self.icon_name, attrs=self.attrs)


def register_menu_item(label, url_name: str, *, name: str, icon: str, order: int, shown, **counting) -> None:
    """Add an item to the admin's side menu, leading to the screen named `url_name`."""

    def item():
        return PolicyMenuItem(
            label, reverse_lazy(url_name), name=name, icon_name=icon, order=order, shown=shown, **counting
        )

    hooks.register("register_admin_menu_item", item)


def register_urls(routes) -> None:
    """The screens' URLs under /admin/: (route, view, name) each."""
    hooks.register("register_admin_urls", lambda: [path(route, view, name=name) for route, view, name in routes])


def register_audit_actions(actions: dict) -> None:
    """The labels of the audit-log actions {action: label}, shown in the history screens."""

    def register(registry):
        for action, label in actions.items():
            registry.register_action(action, label, label)

    hooks.register("register_log_actions", register)
