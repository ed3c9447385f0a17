"""Where an owner's buildings may lie: its territory.

- a Comune: its own territory only;
- an ARCA: the Comuni it covers (`Entity.covering_arca`, kept by the Region);
- the Region: anywhere in Puglia.

This is the one home of the rule. The file import and the API bulk upsert check it row by
row (registry.stock.spec.validate), the admin's building form checks it before saving
(registry.stock.admin), and nothing else places a building in a Comune. Without it a
Comune could put its stock in another Comune's territory and change that Comune's figures
in the public counts.
"""

from django.utils.translation import gettext as _

from .models import Entity, EntityKind


def territory_comune_ids(owner: Entity) -> frozenset[int] | None:
    """The ids of the Comuni where `owner`'s buildings may lie; None means anywhere."""
    if owner.kind == EntityKind.REGION:
        return None
    if owner.kind == EntityKind.COMUNE:
        return frozenset({owner.pk})
    if owner.kind == EntityKind.ARCA:
        return frozenset(Entity.objects.comuni().filter(covering_arca=owner).values_list("pk", flat=True))
    return frozenset()


def building_in_territory(owner: Entity, comune: Entity | int | None) -> bool:
    allowed = territory_comune_ids(owner)
    comune_id = getattr(comune, "pk", comune)
    return allowed is None or comune_id in allowed


def outside_territory_message(owner: Entity, comune_label: str) -> str:
    """What the officer reads when a building is placed outside the owner's territory."""
    if owner.kind == EntityKind.COMUNE:
        where = _("its own territory")
    else:
        where = _("the Comuni it covers")
    return _("%(comune)s is outside the territory of %(owner)s: its buildings must lie in %(where)s.") % {
        "comune": comune_label,
        "owner": owner,
        "where": where,
    }


def check_building_in_territory(owner: Entity, comune: Entity) -> str | None:
    """None when the building may lie in `comune`, else the message saying why not."""
    if building_in_territory(owner, comune):
        return None
    return outside_territory_message(owner, f"{comune.name} ({comune.code})")
