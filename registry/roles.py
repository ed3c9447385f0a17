"""Roles mapped to Django groups and permissions.

The registry owns the roles (Role × Area) and their groups; each app declares the
permissions its own models give to each role, in a ``roles.py`` module of its own with a
``PERMISSIONS`` mapping ``{(Role, Area or ""): (app_label.codename, ...)}`` – the registry's
are below, the calls' in calls/roles.py. ``role_groups()`` gathers them (the apps are found
by name, as Django finds ``admin.py``), so that a role gains a permission in exactly one
place, next to the models it is about, and the registry names no other app's permission.

Groups are created and brought in line with them by `sync_role_groups()`, which runs after
every `migrate` and from `manage.py sync_roles`; it is idempotent and removes permissions
no longer declared. A person's groups follow from their active memberships
(`sync_user_groups`), never by hand.
"""

import functools
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from .models import AccreditationState, Area, Role

ADMIN_ACCESS = "wagtailadmin.access_admin"
ROLES_MODULE = "roles"


@dataclass(frozen=True)
class RoleGroup:
    name: str
    permissions: tuple[str, ...]


# The roles and the group each one is given (officers: one group per area).
GROUP_NAMES: dict[tuple[str, str], str] = {
    (Role.ADMINISTRATOR, ""): "Regione · Amministratori",
    (Role.REVIEWER, ""): "Regione · Istruttori",
    (Role.EDITOR, ""): "Regione · Redattori",
    (Role.LEGAL_REPRESENTATIVE, ""): "Enti · Legali rappresentanti",
    (Role.OFFICER, Area.PROPERTY_REGISTER): "Enti · Referenti patrimonio",
    (Role.OFFICER, Area.CALLS): "Enti · Referenti bandi",
    (Role.OFFICER, Area.HELPDESK): "Enti · Referenti helpdesk",
}

ROLE_GROUP_NAMES = frozenset(GROUP_NAMES.values())

# The property register: owners keep their stock current (edit, import, API upsert);
# the Region reads it and takes the yearly snapshots.
STOCK_READ = (
    "registry.view_building",
    "registry.view_unit",
    "registry.view_importjob",
    "registry.view_stocksnapshot",
)
STOCK_KEEP = (
    *STOCK_READ,
    "registry.change_building",
    "registry.change_unit",
    "registry.add_unit",
    "registry.add_importjob",
)

# The registry's own permissions (entities, people, accreditation, property register).
# Every role enters the admin.
PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    (Role.ADMINISTRATOR, ""): (
        ADMIN_ACCESS,
        "registry.view_entity",
        "registry.add_entity",
        "registry.change_entity",
        "registry.manage_registry",
        "registry.view_membership",
        "registry.add_membership",
        "registry.change_membership",
        "registry.view_accreditationrequest",
        "registry.decide_accreditationrequest",
        "registry.add_user",
        "registry.change_user",
        "registry.view_user",
        *STOCK_READ,
        "registry.add_stocksnapshot",
        "registry.take_stocksnapshot",
    ),
    (Role.REVIEWER, ""): (
        ADMIN_ACCESS,
        "registry.view_entity",
        "registry.view_membership",
        "registry.view_accreditationrequest",
        *STOCK_READ,
    ),
    (Role.EDITOR, ""): (ADMIN_ACCESS, "registry.view_entity"),
    (Role.LEGAL_REPRESENTATIVE, ""): (
        ADMIN_ACCESS,
        "registry.view_entity",
        "registry.change_entity",
        "registry.view_membership",
        "registry.view_accreditationrequest",
        *STOCK_KEEP,
    ),
    (Role.OFFICER, Area.PROPERTY_REGISTER): (ADMIN_ACCESS, "registry.view_entity", *STOCK_KEEP),
    (Role.OFFICER, Area.CALLS): (ADMIN_ACCESS, "registry.view_entity"),
    (Role.OFFICER, Area.HELPDESK): (ADMIN_ACCESS, "registry.view_entity"),
}


def contributions():
    """(app label, its PERMISSIONS) of every installed app with a ``roles`` module, in
    INSTALLED_APPS order (the registry's own first)."""
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, ROLES_MODULE):
            module = import_module(f"{config.name}.{ROLES_MODULE}")
            yield config.label, getattr(module, "PERMISSIONS", {})


@functools.cache
def role_groups() -> dict[tuple[str, str], RoleGroup]:
    """Every role's group with the permissions all apps declare for it."""
    permissions: dict[tuple[str, str], list[str]] = {key: [] for key in GROUP_NAMES}
    for app_label, declared in contributions():
        for key, labels in declared.items():
            if key not in permissions:
                raise ValueError(f"{app_label}.roles gives permissions to {key}, which is no role of PUSH")
            permissions[key] += [label for label in labels if label not in permissions[key]]
    return {key: RoleGroup(GROUP_NAMES[key], tuple(labels)) for key, labels in permissions.items()}


def group_for(role: str, area: str = "") -> RoleGroup:
    return role_groups()[(role, area if role == Role.OFFICER else "")]


def _permission(label: str) -> Permission:
    app_label, codename = label.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def sync_role_groups() -> dict[str, int]:
    """Create the role groups and set their permissions exactly as role_groups() declares.

    Returns the number of groups created and of permission links added or removed, so
    that a second run can be seen to change nothing."""
    stats = {"groups_created": 0, "permissions_added": 0, "permissions_removed": 0}
    for spec in role_groups().values():
        group, created = Group.objects.get_or_create(name=spec.name)
        stats["groups_created"] += int(created)
        wanted = {_permission(label).pk for label in spec.permissions}
        current = set(group.permissions.values_list("pk", flat=True))
        if wanted - current:
            group.permissions.add(*(wanted - current))
        if current - wanted:
            group.permissions.remove(*(current - wanted))
        stats["permissions_added"] += len(wanted - current)
        stats["permissions_removed"] += len(current - wanted)
    return stats


def sync_user_groups(user) -> None:
    """Give the user exactly the role groups of their active memberships.

    Groups that are not role groups (made by hand for special cases) are left alone.
    Memberships of a suspended entity give no group."""
    from . import access

    memberships = (
        user.memberships.active(on=timezone.localdate())
        .exclude(entity__accreditation_state=AccreditationState.SUSPENDED)
        .values_list("role", "area")
    )
    wanted_names = {group_for(role, area).name for role, area in memberships}
    wanted = set(Group.objects.filter(name__in=wanted_names))
    current_role_groups = set(user.groups.filter(name__in=ROLE_GROUP_NAMES))
    if current_role_groups - wanted:
        user.groups.remove(*(current_role_groups - wanted))
    if wanted - current_role_groups:
        user.groups.add(*(wanted - current_role_groups))
    # Django caches permissions on the user object; this one must see the change now.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    access.forget(user)
