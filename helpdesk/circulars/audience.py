"""The recipients rule: which entities an audience names, at the moment of sending.

- all: every ARCA and every Comune (never the Region, which sends);
- all Comuni / all ARCA;
- a province: its ARCA and its Comuni (Entity.province);
- an ARCA and the Comuni it covers (Entity.covering_arca, as it stands when the circular is sent);
- a list chosen one by one (ARCA and Comuni only).

Suspended entities are included: the circular is addressed to the body, and its people will
read it once the suspension ends. The services freeze the answer into one Recipient row per
entity when the circular is sent, so a later change of coverage alters nothing."""

from django.db.models import Q

from registry.models import Entity, EntityKind

from .models import Audience

RECIPIENT_KINDS = (EntityKind.ARCA, EntityKind.COMUNE)


def recipient_entities(*, audience: str, province: str = "", arca=None, chosen=()):
    """The entities (a queryset, by kind and name) that `audience` names."""
    entities = Entity.objects.filter(kind__in=RECIPIENT_KINDS)
    if audience == Audience.ALL:
        selected = entities
    elif audience == Audience.ALL_COMUNI:
        selected = entities.filter(kind=EntityKind.COMUNE)
    elif audience == Audience.ALL_ARCA:
        selected = entities.filter(kind=EntityKind.ARCA)
    elif audience == Audience.PROVINCE:
        selected = entities.filter(province=province) if province else entities.none()
    elif audience == Audience.ARCA_AND_COMUNI:
        arca_id = getattr(arca, "pk", arca)
        selected = (
            entities.filter(Q(pk=arca_id, kind=EntityKind.ARCA) | Q(covering_arca_id=arca_id))
            if arca_id
            else entities.none()
        )
    elif audience == Audience.LIST:
        selected = entities.filter(pk__in=[getattr(entity, "pk", entity) for entity in chosen])
    else:
        raise ValueError(f"Unknown audience {audience!r}")
    return selected.order_by("kind", "name")


def of_circular(circular):
    """The entities a draft's audience names now."""
    return recipient_entities(
        audience=circular.audience,
        province=circular.audience_province,
        arca=circular.audience_arca_id,
        chosen=list(circular.audience_entities.values_list("pk", flat=True)) if circular.pk else (),
    )
