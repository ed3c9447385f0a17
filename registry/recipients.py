"""Who is told about what: the people acting for an entity, and the Region's staff.

Only active memberships of active accounts count; an ended membership stops the mail."""

from django.contrib.auth import get_user_model

from .models import EntityKind, Membership, Role


def people_of(entity, *, areas=(), include_legal_representative: bool = True) -> list:
    """The people acting for `entity` (an Entity or its id): its officers of the given areas
    (every area when none is given) and, unless excluded, its legal representatives."""
    entity_id = getattr(entity, "pk", entity)
    memberships = Membership.objects.active().filter(entity_id=entity_id, user__is_active=True)
    officers = memberships.filter(role=Role.OFFICER)
    if areas:
        officers = officers.filter(area__in=areas)
    user_ids = set(officers.values_list("user_id", flat=True))
    if include_legal_representative:
        user_ids |= set(memberships.filter(role=Role.LEGAL_REPRESENTATIVE).values_list("user_id", flat=True))
    return list(get_user_model().objects.filter(pk__in=user_ids).order_by("pk"))


def regional_people(*, roles=(Role.ADMINISTRATOR, Role.REVIEWER)) -> list:
    """The Region's staff holding one of `roles`."""
    user_ids = (
        Membership.objects.active()
        .filter(entity__kind=EntityKind.REGION, role__in=roles, user__is_active=True)
        .values_list("user_id", flat=True)
    )
    return list(get_user_model().objects.filter(pk__in=set(user_ids)).order_by("pk"))
