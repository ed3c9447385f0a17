"""Derived state kept in step with the registry: role groups after migrate, a person's
groups after their memberships (or their entity's accreditation) change."""

from django.apps import apps
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from . import roles
from .models import Entity, Membership


def _last_app_with_models():
    return [config for config in apps.get_app_configs() if config.models_module is not None][-1]


@receiver(post_migrate)
def create_role_groups(sender, using="default", **kwargs):
    # post_migrate is sent once per app; wait for the last one, when every app's
    # permissions exist.
    if sender.name != _last_app_with_models().name:
        return
    roles.sync_role_groups()


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender, instance, **kwargs):
    roles.sync_user_groups(instance.user)


@receiver(post_save, sender=Entity)
def entity_changed(sender, instance, created, update_fields=None, **kwargs):
    if created:
        return
    if update_fields is not None and "accreditation_state" not in update_fields:
        return
    # Suspending (or re-instating) an entity takes its people's groups away (or back).
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(memberships__entity=instance).distinct():
        roles.sync_user_groups(user)


# --- signing in: audit entries and the session's start ----------------------------------

from axes.signals import user_locked_out  # noqa: E402
from django.contrib.auth.signals import user_logged_in, user_login_failed  # noqa: E402


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    from .accounts import mark_session_start
    from .signin import audit

    if request is None:
        return
    audit(user, "push.signin.succeeded", request, by=user)
    if hasattr(request, "session"):
        mark_session_start(request.session)


@receiver(user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # Attempts on names that are no account are kept by axes (AccessFailureLog) only:
    # the audit log is per object.
    from .signin import account_named, audit

    user = account_named((credentials or {}).get("username"))
    if user is not None:
        audit(user, "push.signin.failed", request)


@receiver(user_locked_out)
def signin_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    from .signin import account_named, audit

    user = account_named((getattr(request, "axes_credentials", None) or {}).get("username"))
    if user is not None:
        audit(user, "push.signin.refused", request)
