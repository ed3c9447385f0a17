"""Who reads a dashboard, and whose figures they get.

One rule for the page, its images, its tables and its files: the Audience comes from the
dashboard's readers and the access rule (dashboards.indicators.audience_for, on
registry.access), never from the request's parameters, so an entity id in a URL can narrow
nothing and widen nothing.

- public dashboards: everyone, with the open-data Audience (public indicators, small counts
  hidden) whoever reads them, so that the page is the same for every reader;
- restricted to the Region: the Region's people (and superusers) only;
- entity dashboards: the Region (every entity) and each entity's people, on their own
  entities' figures only.

None means the reader may not see the dashboard at all."""

from .models import DashboardAudience
from .results import Audience

PUBLIC = Audience(public=True)


def reader_audience(page, user) -> Audience | None:
    from dashboards import indicators

    if page.audience == DashboardAudience.PUBLIC:
        return PUBLIC
    if user is None or not user.is_authenticated:
        return None
    audience = indicators.audience_for(user)
    if audience.public:
        return None
    if audience.regional:
        return audience
    if page.audience == DashboardAudience.ENTITY and audience.entity_ids:
        return audience
    return None


def audience_cache_key(audience: Audience) -> str:
    """The Audience as part of a cache key or ETag: two entities never share an image."""
    if audience.public:
        return "public"
    if audience.entity_ids is None:
        return "regional"
    return "entities:" + ",".join(str(entity_id) for entity_id in sorted(audience.entity_ids))
