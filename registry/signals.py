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
