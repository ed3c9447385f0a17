"""The admin screens of the notifications (/admin/notifiche/):

- the person's own list, newest first, with the unread ones marked; opening one marks it
  read; "mark all read" (both POST). Only the person's own rows: another's id is a 404;
- the person's preferences: for each kind, by e-mail at once, in the daily digest, or not
  by e-mail (the list always shows everything);
- for whoever may (the Region's administrators, `core.view_delivery`), the e-mails pending
  and failed with their last error, and re-sending them after a confirmation
  (`core.resend_delivery`), logged."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.log_actions import log

from .kinds import all_kinds
from .models import Delivery, DeliveryMode, DeliveryState, Notification, NotificationPreference
from .services import retry_failed, subject_of

RESEND_ACTION = "push.notification.resent"
PAGE_SIZE = 25


def _safe_target(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return reverse("push_notifications")


def notification_list(request):
    only_unread = request.GET.get("unread") == "1"
    notifications = Notification.objects.of(request.user)
    if only_unread:
        notifications = notifications.unread()
    page = Paginator(notifications.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("p"))
    rows = [(notification, subject_of(notification)) for notification in page]
    return TemplateResponse(
        request,
        "notifications/admin/list.html",
        {
            "rows": rows,
            "page": page,
            "only_unread": only_unread,
            "unread_count": Notification.objects.of(request.user).unread().count(),
            "can_see_deliveries": request.user.has_perm("core.view_delivery"),
        },
    )


@require_POST
def notification_open(request, pk):
    notification = get_object_or_404(Notification.objects.of(request.user), pk=pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(_safe_target(request, notification.url))


@require_POST
def notification_read_all(request):
    marked = Notification.objects.of(request.user).unread().update(read_at=timezone.now())
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": marked})
    return redirect("push_notifications")


# --- preferences ---------------------------------------------------------------------------

NO_EMAIL = "none"
CHOICES = [
    (DeliveryMode.IMMEDIATE, gettext_lazy("By e-mail, at once")),
    (DeliveryMode.DIGEST, gettext_lazy("By e-mail, in a daily digest")),
    (NO_EMAIL, gettext_lazy("Not by e-mail (only in PUSH)")),
]


def choosable_kinds():
    return [kind for kind in all_kinds().values() if not kind.always_email]


class PreferencesForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
        for kind in choosable_kinds():
            preference = stored.get(kind.key)
            initial = DeliveryMode.IMMEDIATE
            if preference is not None:
                initial = preference.mode if preference.email else NO_EMAIL
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label, choices=CHOICES, initial=initial, widget=forms.RadioSelect
            )

    def save(self, user):
        with transaction.atomic():
            for key, value in self.cleaned_data.items():
                NotificationPreference.objects.update_or_create(
                    user=user,
                    kind=key,
                    defaults={
                        "email": value != NO_EMAIL,
                        "mode": DeliveryMode.IMMEDIATE if value == NO_EMAIL else value,
                    },
                )


def preferences(request):
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save(request.user)
        messages.success(request, _("Your notification preferences have been saved."))
        return redirect("push_notification_preferences")
    return TemplateResponse(request, "notifications/admin/preferences.html", {"form": form})


# --- deliveries (the Region) ---------------------------------------------------------------


def _label(key: str) -> str:
    kind = all_kinds().get(key)
    return str(kind.label) if kind else key


def _require(request, permission: str):
    if not request.user.has_perm(permission):
        raise PermissionDenied


def deliveries(request):
    _require(request, "core.view_delivery")
    state = request.GET.get("state")
    if state not in {DeliveryState.PENDING, DeliveryState.FAILED, DeliveryState.SENT}:
        state = ""
    rows = Delivery.objects.filter(state=state) if state else Delivery.objects.exclude(state=DeliveryState.SENT)
    page = Paginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("p"))
    counts = {
        value: Delivery.objects.filter(state=value).count() for value in (DeliveryState.PENDING, DeliveryState.FAILED)
    }
    return TemplateResponse(
        request,
        "notifications/admin/deliveries.html",
        {
            "page": page,
            "state": state,
            "states": DeliveryState.choices,
            "pending": counts[DeliveryState.PENDING],
            "failed": counts[DeliveryState.FAILED],
            "rows": [(delivery, _label(delivery.kind)) for delivery in page],
            "can_resend": request.user.has_perm("core.resend_delivery"),
        },
    )


def resend(request, pk=None):
    """Re-queue one failed e-mail (or, without `pk`, every failed one) after a summary and
    an explicit confirmation; the worker sends it, once."""
    _require(request, "core.resend_delivery")
    failed = Delivery.objects.filter(state=DeliveryState.FAILED)
    chosen = [get_object_or_404(failed, pk=pk)] if pk is not None else list(failed.order_by("pk"))
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        count = retry_failed(ids=[delivery.pk for delivery in chosen])
        for delivery in chosen:
            log(instance=delivery, action=RESEND_ACTION, user=request.user, data={"kind": delivery.kind})
        messages.success(request, _("%(count)d e-mails queued again.") % {"count": count})
        return redirect("push_notification_deliveries")
    return TemplateResponse(
        request,
        "notifications/admin/resend.html",
        {"chosen": chosen, "rows": [(delivery, _label(delivery.kind)) for delivery in chosen]},
    )


# --- wiring (registered by core/wagtail_hooks.py) -------------------------------------------


def admin_urls():
    from django.urls import path

    return [
        path("notifiche/", notification_list, name="push_notifications"),
        path("notifiche/<int:pk>/apri/", notification_open, name="push_notification_open"),
        path("notifiche/lette/", notification_read_all, name="push_notification_read_all"),
        path("notifiche/preferenze/", preferences, name="push_notification_preferences"),
        path("notifiche/invii/", deliveries, name="push_notification_deliveries"),
        path("notifiche/invii/reinvia/", resend, name="push_notification_resend_all"),
        path("notifiche/invii/<int:pk>/reinvia/", resend, name="push_notification_resend"),
    ]


def notifications_menu_item():
    """'Notifications (3)' in the admin menu: the unread count, one COUNT query."""
    from wagtail.admin.menu import MenuItem
    from wagtail.admin.ui.sidebar import LinkMenuItem

    class NotificationsMenuItem(MenuItem):
        def render_component(self, request):
            unread = Notification.objects.of(request.user).unread().count()
            label = _("Notifications (%(count)d)") % {"count": unread} if unread else _("Notifications")
            attrs = {**self.attrs, "data-unread": str(unread)}
            return LinkMenuItem(self.name, label, self.url, icon_name=self.icon_name, attrs=attrs)

    return NotificationsMenuItem(
        gettext_lazy("Notifications"),
        reverse_lazy("push_notifications"),
        name="notifications",
        icon_name="mail",
        order=90,
    )
