"""The kinds of notification, declared by each app next to what it notifies about.

An app lists its kinds in a `notifications.py` module of its own (`KINDS`, a tuple of
`Kind`), found by name as Django finds `admin.py`; each kind's e-mail is rendered from the
templates `notifications/<key>/subject.txt`, `body.txt` and `body.html` of that app."""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

NOTIFICATIONS_MODULE = "notifications"


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # what a person chooses in their preferences (lazy translation)
    # Objects the templates need, loaded from the stored (JSON) context when the e-mail or
    # the list is rendered: `render_context(context) -> dict`. Keeps ids, not copies, in
    # the outbox, and computes there what must not be stored (a set-password link).
    render_context: Callable[[dict], dict] | None = None
    # E-mailed whatever the person's preferences (the daily digest itself, a sign-in link).
    always_email: bool = False


@functools.cache
def all_kinds() -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, NOTIFICATIONS_MODULE):
            continue
        module = import_module(f"{config.name}.{NOTIFICATIONS_MODULE}")
        for kind in getattr(module, "KINDS", ()):
            if kind.key in kinds:
                raise ValueError(f"Notification kind {kind.key!r} is declared twice.")
            kinds[kind.key] = kind
    return kinds


def deadline_reminder_sources() -> list:
    """Each app's `deadline_reminders(now) -> int` (optional), for the reminders command."""
    sources = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, NOTIFICATIONS_MODULE):
            module = import_module(f"{config.name}.{NOTIFICATIONS_MODULE}")
            if hasattr(module, "deadline_reminders"):
                sources.append(module.deadline_reminders)
    return sources
