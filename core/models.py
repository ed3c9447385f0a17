"""Core's tables: the notifications (core/notifications/models.py)."""

from core.notifications.models import (  # noqa: F401
    Delivery,
    DeliveryMode,
    DeliveryState,
    Notification,
    NotificationPreference,
)
