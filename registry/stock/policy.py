"""Who may do what with the property register: one named predicate per question, built on
the access rule (registry.access: which entities' rows a person sees or changes) and the
Django permissions of their role.

Views, admin screens and the API ask these predicates to decide what to offer; services ask
them once more, through the `require_*` functions, before changing anything, so that no
entry point can go around them. Nothing else in registry/stock combines "is regional" with a
permission."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from registry import access
from registry.models import Entity, EntityKind

WRITE_STOCK_PERMISSION = "registry.add_unit"
READ_STOCK_PERMISSION = "registry.view_unit"
READ_IMPORTS_PERMISSION = "registry.view_importjob"
START_IMPORT_PERMISSION = "registry.add_importjob"
TAKE_SNAPSHOT_PERMISSION = "registry.take_stocksnapshot"


def owners_writable_by(user):
    """The entities whose stock `user` may load or change: their own ARCA or Comune (any,
    for the Region), provided their role may add units. The Region owns no stock."""
    if not user.has_perm(WRITE_STOCK_PERMISSION):
        return Entity.objects.none()
    return access.scope(Entity.objects.exclude(kind=EntityKind.REGION), user, path="", for_edit=True).order_by("name")


def can_write_stock(user, owner: Entity) -> bool:
    """May `user` create and change `owner`'s buildings and units (import, API, admin)?"""
    return owner.kind != EntityKind.REGION and user.has_perm(WRITE_STOCK_PERMISSION) and access.can_edit(user, owner.pk)


def can_read_stock(user, owner: Entity) -> bool:
    """May `user` see `owner`'s buildings and units?"""
    return user.has_perm(READ_STOCK_PERMISSION) and access.can_view(user, owner.pk)


def can_start_import(user) -> bool:
    """May `user` upload a units file for at least one owner?"""
    return user.has_perm(START_IMPORT_PERMISSION) and owners_writable_by(user).exists()


def can_read_imports(user) -> bool:
    """May `user` open import jobs at all (which ones: the access rule on their owner)?"""
    return user.has_perm(READ_IMPORTS_PERMISSION)


def can_download_template(user) -> bool:
    return user.has_perm(READ_STOCK_PERMISSION)


def can_take_snapshot(user) -> bool:
    """Snapshots are the Region's: a regional user whose role may take them."""
    return access.is_regional(user) and user.has_perm(TAKE_SNAPSHOT_PERMISSION)


def sees_regional_totals(user) -> bool:
    """Regional figures (every owner's totals) are shown to the Region only."""
    return access.is_regional(user)


def must_name_owner(user) -> bool:
    """A regional user acts for every owner, so a write must say which one."""
    return access.is_regional(user)


def require_write_stock(user, owner: Entity) -> None:
    if not can_write_stock(user, owner):
        raise PermissionDenied(_("You cannot change the stock of %(owner)s.") % {"owner": owner})


def require_take_snapshot(user) -> None:
    if not can_take_snapshot(user):
        raise PermissionDenied(_("Only the Region takes snapshots of the stock."))
