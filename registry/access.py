"""The access rule of PUSH: given a user, which entities' rows are visible and which editable.

Every screen, export, file download, dashboard and API endpoint that shows rows belonging
to an entity filters them here, and nowhere else:

- people of the Region (administrator, reviewer, editor) and superusers see and edit
  rows of every entity; what they may *do* with them is then decided by their Django
  permissions (a reviewer has no permission to change a property, for instance);
- people of an ARCA or a Comune see and edit only the rows of the entities they have an
  active membership of;
- an ARCA's people may also *see* (never edit) the rows of the Comuni the ARCA covers,
  but only where a feature asks for it with ``include_covered=True``;
- memberships of a suspended entity grant nothing; anonymous or inactive users get nothing.

Permission (what kind of action) and scope (on which rows) are deliberately separate:
Django groups carry the first (see registry.roles), this module the second.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from .models import REGIONAL_ROLES, AccreditationState, Entity, EntityKind, Membership

_CACHE_ATTRIBUTE = "_push_access"


@dataclass(frozen=True)
class Access:
    regional: bool
    own_entity_ids: frozenset
    covered_entity_ids: frozenset

    def visible_ids(self, *, include_covered=False):
        """Ids of the entities whose rows may be read, or None for all."""
        if self.regional:
            return None
        if include_covered:
            return self.own_entity_ids | self.covered_entity_ids
        return self.own_entity_ids

    def editable_ids(self):
        """Ids of the entities whose rows may be changed, or None for all."""
        if self.regional:
            return None
        return self.own_entity_ids


NO_ACCESS = Access(regional=False, own_entity_ids=frozenset(), covered_entity_ids=frozenset())


def access_for(user) -> Access:
    """The user's access, computed once per user object (so once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    access = _compute(user)
    setattr(user, _CACHE_ATTRIBUTE, access)
    return access


def forget(user) -> None:
    """Drop the cached access of a user object after their memberships changed."""
    if user is not None and hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def _compute(user) -> Access:
    if user.is_superuser:
        return Access(regional=True, own_entity_ids=frozenset(), covered_entity_ids=frozenset())
    rows = list(
        Membership.objects.active(on=timezone.localdate())
        .filter(user=user)
        .exclude(entity__accreditation_state=AccreditationState.SUSPENDED)
        .values_list("entity_id", "entity__kind", "role")
    )
    regional = any(kind == EntityKind.REGION and role in REGIONAL_ROLES for _, kind, role in rows)
    own = frozenset(entity_id for entity_id, kind, _ in rows if kind != EntityKind.REGION)
    arca_ids = [entity_id for entity_id, kind, _ in rows if kind == EntityKind.ARCA]
    covered = (
        frozenset(Entity.objects.filter(covering_arca_id__in=arca_ids).values_list("id", flat=True))
        if arca_ids
        else frozenset()
    )
    return Access(regional=regional, own_entity_ids=own, covered_entity_ids=covered)


def is_regional(user) -> bool:
    return access_for(user).regional


def has_membership(user) -> bool:
    access = access_for(user)
    return access.regional or bool(access.own_entity_ids)


def _lookup(path: str) -> str:
    return f"{path}__in" if path else "pk__in"


def scope(queryset: QuerySet, user, *, path: str = "entity", include_covered=False, for_edit=False) -> QuerySet:
    """Restrict a queryset to the rows the user may see (or change, with for_edit).

    ``path`` is the ORM path from the queryset's model to the owning Entity
    ("" when the model is Entity itself)."""
    access = access_for(user)
    ids = access.editable_ids() if for_edit else access.visible_ids(include_covered=include_covered)
    if ids is None:
        return queryset
    if not ids:
        return queryset.none()
    return queryset.filter(**{_lookup(path): ids})


def can_view(user, entity_id, *, include_covered=False) -> bool:
    ids = access_for(user).visible_ids(include_covered=include_covered)
    return ids is None or entity_id in ids


def can_edit(user, entity_id) -> bool:
    ids = access_for(user).editable_ids()
    return ids is None or entity_id in ids


def entity_id_of(obj, path: str):
    """Follow ``path`` ("entity", "building__owner", "" …) from a model instance to the
    id of its owning entity, using *_id attributes so no query is made for the last hop."""
    if not path:
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id")
