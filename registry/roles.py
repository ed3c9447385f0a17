"""Roles mapped to Django groups and permissions.

The table below is the only place where a role gains a permission. Groups are created and
brought in line with it by `sync_role_groups()`, which runs after every `migrate` and from
`manage.py sync_roles`; it is idempotent and removes permissions no longer in the table.
A person's groups follow from their active memberships (`sync_user_groups`), never by hand.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from .models import AccreditationState, Area, Role

ADMIN_ACCESS = "wagtailadmin.access_admin"


@dataclass(frozen=True)
class RoleGroup:
    name: str
    permissions: tuple[str, ...]


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

# Calls: editors publish calls, reviewers examine submissions, administrators also split the
# fund; the Comuni's officers of the calls area and legal representatives prepare and send.
CALLS_REVIEW = ("calls.view_call", "calls.view_submission", "calls.review_submission", "calls.view_allocation")
CALLS_PREPARE = ("calls.view_call", "calls.view_submission", "calls.add_submission", "calls.change_submission")

ROLE_GROUPS: dict[tuple[str, str], RoleGroup] = {
    (Role.ADMINISTRATOR, ""): RoleGroup(
        "Regione · Amministratori",
        (
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
            *CALLS_REVIEW,
            "calls.add_call",
            "calls.change_call",
            "calls.run_riparto",
        ),
    ),
    (Role.REVIEWER, ""): RoleGroup(
        "Regione · Istruttori",
        (
            ADMIN_ACCESS,
            "registry.view_entity",
            "registry.view_membership",
            "registry.view_accreditationrequest",
            *STOCK_READ,
            *CALLS_REVIEW,
        ),
    ),
    (Role.EDITOR, ""): RoleGroup(
        "Regione · Redattori",
        (ADMIN_ACCESS, "registry.view_entity", "calls.view_call", "calls.add_call", "calls.change_call"),
    ),
    (Role.LEGAL_REPRESENTATIVE, ""): RoleGroup(
        "Enti · Legali rappresentanti",
        (
            ADMIN_ACCESS,
            "registry.view_entity",
            "registry.change_entity",
            "registry.view_membership",
            "registry.view_accreditationrequest",
            *STOCK_KEEP,
            *CALLS_PREPARE,
        ),
    ),
    (Role.OFFICER, Area.PROPERTY_REGISTER): RoleGroup(
        "Enti · Referenti patrimonio",
        (ADMIN_ACCESS, "registry.view_entity", *STOCK_KEEP),
    ),
    (Role.OFFICER, Area.CALLS): RoleGroup(
        "Enti · Referenti bandi",
        (ADMIN_ACCESS, "registry.view_entity", *CALLS_PREPARE),
    ),
    (Role.OFFICER, Area.HELPDESK): RoleGroup(
        "Enti · Referenti helpdesk",
        (ADMIN_ACCESS, "registry.view_entity"),
    ),
}

ROLE_GROUP_NAMES = frozenset(group.name for group in ROLE_GROUPS.values())


def group_for(role: str, area: str = "") -> RoleGroup:
    return ROLE_GROUPS[(role, area if role == Role.OFFICER else "")]


def _permission(label: str) -> Permission:
    app_label, codename = label.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def sync_role_groups() -> dict[str, int]:
    """Create the role groups and set their permissions exactly as in ROLE_GROUPS.

    Returns the number of groups created and of permission links added or removed, so
    that a second run can be seen to change nothing."""
    stats = {"groups_created": 0, "permissions_added": 0, "permissions_removed": 0}
    for spec in ROLE_GROUPS.values():
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
