"""Who may do what in the entities domain (entities, people, memberships, accreditation).

Each predicate answers one question by name, combining the two halves kept apart in
registry.access: the Django permission a role carries (registry.roles: *what kind* of
action) and the access rule (*on which rows*). Services ask the policy once, before they
change anything; views and the admin ask the same predicate only to decide what to show
(a button, a panel), never as the only lock.

The property register's questions live with it (registry.stock), the calls' with the calls.
"""

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Q

from . import access

DECIDE_ACCREDITATION = "registry.decide_accreditationrequest"
VIEW_ACCREDITATION = "registry.view_accreditationrequest"
CHANGE_ENTITY = "registry.change_entity"
CHANGE_MEMBERSHIP = "registry.change_membership"
USER_MANAGEMENT_PERMISSIONS = ("add_user", "change_user", "delete_user")


def regional_with(user, permission: str) -> bool:
    """A person of the Region (or a superuser) holding ``permission``: the shape of every
    decision the Region alone takes."""
    return access.is_regional(user) and user.has_perm(permission)


# --- accreditation ---------------------------------------------------------------------


def can_decide_accreditation(user) -> bool:
    """Approve or reject accreditation requests: regional administrators."""
    return regional_with(user, DECIDE_ACCREDITATION)


def can_view_accreditation_requests(user) -> bool:
    """Read accreditation requests (which ones: registry.access.scope)."""
    return user.has_perm(VIEW_ACCREDITATION)


# --- entities --------------------------------------------------------------------------


def can_manage_entity(user, entity) -> bool:
    """Change an entity's contact data: its own legal representative, regional administrators."""
    return user.has_perm(CHANGE_ENTITY) and access.can_edit(user, entity.pk)


# --- memberships -----------------------------------------------------------------------


def can_end_membership(user, membership) -> bool:
    """End a person's membership: whoever may change memberships of that entity (regional
    administrators)."""
    return user.has_perm(CHANGE_MEMBERSHIP) and access.can_edit(user, membership.entity_id)


# --- the admin at large ----------------------------------------------------------------


def can_read_site_history(user) -> bool:
    """Wagtail's site history lists every object's log lines (names, decisions) to anyone
    holding any permission on a model; in PUSH only the Region reads it."""
    return access.is_regional(user)


# --- accounts --------------------------------------------------------------------------

SUPERUSER, USER_MANAGER, MEMBER = 3, 2, 1


def privilege(user) -> int:
    """How much an account can do to other accounts: superuser, user manager (holds a
    permission to add, change or delete users, through a group or directly), or neither.
    Read from the database, whether or not the account is active: a deactivated
    administrator is still an administrator's account."""
    if user.is_superuser:
        return SUPERUSER
    user_permissions = Permission.objects.filter(
        content_type__app_label=settings.AUTH_USER_MODEL.split(".")[0],
        codename__in=USER_MANAGEMENT_PERMISSIONS,
    ).filter(Q(user=user) | Q(group__user=user))
    return USER_MANAGER if user_permissions.exists() else MEMBER


def can_edit_user(user, target) -> bool:
    """Whether ``user`` may change, deactivate or delete ``target``'s account (the
    permission to change users is checked by Wagtail before this): superusers any account,
    others their own or one of lower privilege."""
    if user.is_superuser:
        return True
    if user.pk == target.pk:
        return True
    return privilege(user) > privilege(target)
