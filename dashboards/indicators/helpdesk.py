"""Indicators of the helpdesk: tickets still open and resolved by topic and by month, and the
Region's time to the first answer and to the resolution (median and average, in days).

Restricted: the Region's people read every entity's tickets, an entity's people their own
entities' only (the audience). Each is one query: the counts are SQL aggregates (COUNT by
topic, by month of opening and by month of resolution); the timings read the two durations
of each answered ticket in one query and take their median and average here, as no SQL
median exists on both databases (PostgreSQL has percentile_cont, SQLite nothing)."""

import statistics
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboards.results import CategoryKind, Result, Series
from helpdesk.models import ACTIVE_STATES, Ticket, TicketState, Topic

SOURCE = "Helpdesk (PUSH)"
SECONDS_PER_DAY = Decimal(86400)
TENTH = Decimal("0.1")


def tickets(params: dict, audience):
    queryset = Ticket.objects.all()
    if "year" in params:
        queryset = queryset.filter(created_at__year=params["year"])
    if "province" in params:
        queryset = queryset.filter(entity__province=params["province"])
    if audience.entity_ids is not None:
        queryset = queryset.filter(entity_id__in=audience.entity_ids)
    return queryset


def _result(indicator, shown, categories, codes, series, kind=CategoryKind.LABEL) -> Result:
    return Result(
        indicator=indicator.key,
        title=str(indicator.title),
        unit=indicator.unit,
        category_kind=kind,
        categories=categories,
        codes=codes,
        series=series,
        parameters=shown,
        source=indicator.source_note or SOURCE,
    )


def by_topic(indicator, params, audience, shown):
    """Per topic: tickets still being handled and tickets resolved (one COUNT query)."""
    counts = tickets(params, audience).aggregate(
        **{
            f"{topic}__{name}": Count("pk", filter=Q(topic=topic) & condition)
            for topic in Topic.values
            for name, condition in (("open", Q(state__in=ACTIVE_STATES)), ("resolved", Q(state=TicketState.RESOLVED)))
        }
    )
    return _result(
        indicator,
        shown,
        [str(label) for label in Topic.labels],
        list(Topic.values),
        [
            Series("open", _("Open"), [counts[f"{topic}__open"] for topic in Topic.values]),
            Series("resolved", _("Resolved"), [counts[f"{topic}__resolved"] for topic in Topic.values]),
        ],
    )


def by_month(indicator, params, audience, shown):
    """Per month (Europe/Rome): tickets opened in it and tickets resolved in it (two COUNT
    queries grouped by month)."""
    zone = timezone.get_current_timezone()
    queryset = tickets(params, audience).order_by()
    opened = dict(
        queryset.annotate(month=TruncMonth("created_at", tzinfo=zone)).values_list("month").annotate(n=Count("pk"))
    )
    resolved = dict(
        queryset.filter(state=TicketState.RESOLVED, resolved_at__isnull=False)
        .annotate(month=TruncMonth("resolved_at", tzinfo=zone))
        .values_list("month")
        .annotate(n=Count("pk"))
    )

    def key(moment):
        return (moment.year, moment.month)

    opened = {key(month): n for month, n in opened.items()}
    resolved = {key(month): n for month, n in resolved.items()}
    months = sorted(set(opened) | set(resolved))
    return _result(
        indicator,
        shown,
        [f"{month:02d}/{year}" for year, month in months],
        [f"{year}-{month:02d}" for year, month in months],
        [
            Series("opened", _("Opened"), [opened.get(month, 0) for month in months]),
            Series("resolved", _("Resolved"), [resolved.get(month, 0) for month in months]),
        ],
    )


def _days(seconds: list[float], how) -> Decimal | None:
    if not seconds:
        return None
    return (Decimal(str(how(seconds))) / SECONDS_PER_DAY).quantize(TENTH, rounding=ROUND_HALF_UP)


def response_times(indicator, params, audience, shown):
    """Per topic: median and average days from opening to the first answer of the Region,
    and from opening to resolution (resolved tickets only). One query."""
    rows = (
        tickets(params, audience)
        .filter(first_response_at__isnull=False)
        .values_list("topic", "created_at", "first_response_at", "resolved_at")
    )
    first: dict[str, list[float]] = {topic: [] for topic in Topic.values}
    close: dict[str, list[float]] = {topic: [] for topic in Topic.values}
    for topic, created, answered, resolved in rows:
        first[topic].append((answered - created).total_seconds())
        if resolved is not None:
            close[topic].append((resolved - created).total_seconds())
    return _result(
        indicator,
        shown,
        [str(label) for label in Topic.labels],
        list(Topic.values),
        [
            Series(
                "first_answer_median",
                _("First answer, median"),
                [_days(first[t], statistics.median) for t in Topic.values],
            ),
            Series(
                "first_answer_average",
                _("First answer, average"),
                [_days(first[t], statistics.fmean) for t in Topic.values],
            ),
            Series(
                "resolution_median", _("Resolution, median"), [_days(close[t], statistics.median) for t in Topic.values]
            ),
            Series(
                "resolution_average",
                _("Resolution, average"),
                [_days(close[t], statistics.fmean) for t in Topic.values],
            ),
        ],
    )
