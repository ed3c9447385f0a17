"""Models of the registry: entities and their people (entities.py), the property register
(registry/stock/models.py)."""

from registry.stock.models import *  # noqa: F403

from .entities import *  # noqa: F403
from .entities import (  # noqa: F401  (names used elsewhere, listed for readers)
    ENTITY_ROLES,
    REGIONAL_ROLES,
    AccreditationRequest,
    AccreditationState,
    Area,
    Entity,
    EntityKind,
    EntityQuerySet,
    Membership,
    Province,
    RequestStatus,
    Role,
    User,
    roles_for_kind,
)
