"""Reads of the property register shared by the admin, the API and the dashboards: counts
by Comune and status (open data, cached), a snapshot's figures against today or against
another snapshot, and the snapshots around a date. Every read that concerns owners' stock
takes the person asking and applies the access rule (registry.access.scope)."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Subquery, Sum
from django.db.models.functions import Left, Length

from registry import access
from registry.models import Building, Entity, ImportJob, OccupancyStatus, PropertyChange, StockSnapshot, Unit
from registry.stock import policy
from registry.stock.writer import stock_version

# --- what a person may see ------------------------------------------------------------------


def natural_unit_order(descending: bool = False) -> list:
    """Units in the order people expect: by owner, then by the owner's id with numbers in
    numeric order (BA-2 before BA-10), i.e. shorter ids first, then alphabetically.

    Written on the PUSH id alone ("<owner's 6-digit code>-<owner's id>": its first six
    characters are the owner's code, its length the id's plus seven), the same expressions
    as the `unit_natural_order` index, so that PostgreSQL reads the first page of a million
    units from the index instead of sorting them all."""
    keys = [Left("push_id", 6), Length("push_id"), F("push_id")]
    if descending:
        return [key.desc() for key in keys]
    return keys


def visible_buildings(user):
    """The buildings `user` may see, with their owner, manager and Comune, by owner and id."""
    queryset = Building.objects.select_related("owner", "manager", "comune").order_by("owner_id", "local_id")
    return access.scope(queryset, user, path="owner")


def visible_units(user, *, fields):
    """The units `user` may see, by PUSH id, loading only the unit's `fields` and what a
    listing shows of its owner and building: instantiating hundreds of units with every
    column of their buildings and entities costs more than the query."""
    queryset = (
        Unit.objects.select_related("owner", "building__comune")
        .only(
            *fields,
            "owner__code",
            "building__local_id",
            "building__street",
            "building__street_number",
            "building__comune__code",
        )
        .order_by("push_id")
    )
    return access.scope(queryset, user, path="owner")


# --- how many rows a list has ----------------------------------------------------------


@dataclass(frozen=True)
class RowCount:
    """How many rows a list has: exact; or PostgreSQL's planner estimate (`estimated`); or,
    when the planner expected a small list and counting stopped at the limit, more than
    `value` rows (`more_than`)."""

    value: int
    estimated: bool = False
    more_than: bool = False

    @property
    def exact(self) -> bool:
        return not (self.estimated or self.more_than)


def exact_count_limit() -> int:
    """Lists larger than this are not counted row by row (PUSH_EXACT_COUNT_LIMIT)."""
    return getattr(settings, "PUSH_EXACT_COUNT_LIMIT", 50_000)


def list_count(queryset, user) -> RowCount:
    """How many rows `queryset` (already scoped for `user`) has, for a list's header and pages.

    COUNT(*) reads every row: at a million units it costs more than the rest of the page.
    So for people of the Region on PostgreSQL:
    - the planner expects at least PUSH_EXACT_COUNT_LIMIT rows: its estimate, said to be one;
    - it expects fewer: the rows are counted, but no further than the limit; a list that
      turns out larger (the planner misjudged a filter) is "more than <limit>".
    Everybody else is always told the exact figure: an estimate is computed from statistics
    over the whole table, and must not tell an owner anything about other owners' stock.
    SQLite: always exact.

    One query in every case (the estimate and, when needed, the bounded count in the same
    statement), so a list makes the same number of queries with few rows or many."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or not policy.sees_regional_totals(user):
        return RowCount(queryset.count())
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return RowCount(0)
    limit = exact_count_limit()
    with connection.cursor() as cursor:
        # The query as text, its values quoted by the driver (never pasted in by hand), for
        # push_row_estimate() to EXPLAIN (registry migration 0003). The count is a sub-select
        # in the CASE's other branch: PostgreSQL runs it only when that branch is taken.
        text = connection.ops.compose_sql(sql, params)
        cursor.execute(
            "WITH estimate AS MATERIALIZED (SELECT push_row_estimate(%s) AS n) "
            "SELECT n, CASE WHEN n >= %s THEN NULL "
            f"ELSE (SELECT count(*) FROM ({sql} LIMIT %s) AS listed) END FROM estimate",
            [text, limit, *params, limit + 1],
        )
        estimate, counted = cursor.fetchone()
    if counted is None:
        return RowCount(int(estimate), estimated=True)
    if counted > limit:
        return RowCount(limit, more_than=True)
    return RowCount(int(counted))


# --- the admin's lists and pages ----------------------------------------------------------


def with_unit_count(buildings):
    """Buildings annotated with `unit_total`: a correlated subquery, so that it is computed
    only for the rows of the page shown."""
    units = (
        Unit.objects.filter(building=OuterRef("pk")).order_by().values("building").annotate(n=Count("*")).values("n")
    )
    return buildings.annotate(unit_total=Subquery(units))


def entities_in_visible_buildings(user, column: str, kinds):
    """The entities of `kinds` that appear in `column` ("owner", "manager", "comune") of the
    buildings `user` may see: a list filter offers these and nothing learnt about other
    owners' stock."""
    visible = access.scope(Building.objects.order_by(), user, path="owner")
    # EXISTS, one index probe per entity: a few hundred probes instead of reading every
    # building's column (tens of thousands of buildings with a million units).
    return Entity.objects.filter(kind__in=kinds).filter(Exists(visible.filter(**{column: OuterRef("pk")})))


def recent_changes(instance, limit: int = 50):
    """The latest changes of a building or unit, newest first, with who made them."""
    return list(
        PropertyChange.objects.filter(**{instance._meta.model_name: instance})
        .select_related("changed_by", "import_job")
        .order_by("-changed_at", "-id")[:limit]
    )


def visible_import_jobs(user):
    """The import jobs of the owners `user` may see."""
    return access.scope(ImportJob.objects.select_related("owner"), user, path="owner")


# --- comparisons of counts ------------------------------------------------------------

COMPARISON_DIMENSIONS = ("status", "owner", "comune")
_LIVE_FIELD = {"status": "status", "owner": "owner_id", "comune": "building__comune_id"}
_SNAPSHOT_FIELD = {"status": "status", "owner": "owner_id", "comune": "comune_id"}


@dataclass
class Comparison:
    dimension: str
    rows: list  # (key, label, then, now, difference), by label


def live_counts(dimension: str, user) -> dict:
    """Units today by status, owner or Comune, within what `user` may see."""
    units = access.scope(Unit.objects.all(), user, path="owner")
    return dict(units.values_list(_LIVE_FIELD[dimension]).annotate(n=Count("id")).order_by())


def snapshot_counts(snapshot: StockSnapshot, dimension: str, user) -> dict:
    """Units at the snapshot's date by status, owner or Comune, within what `user` may see."""
    cells = access.scope(snapshot.cells.all(), user, path="owner")
    return dict(cells.values_list(_SNAPSHOT_FIELD[dimension]).annotate(n=Sum("units")).order_by())


def compare(older: StockSnapshot, newer: StockSnapshot | None, dimension: str, user) -> Comparison:
    """Units by `dimension` at `older`'s date against `newer`'s (None: today), within what
    `user` may see: one row per key found in either, with the difference."""
    then = snapshot_counts(older, dimension, user)
    now = live_counts(dimension, user) if newer is None else snapshot_counts(newer, dimension, user)
    keys = sorted(set(then) | set(now), key=str)
    labels = _labels(dimension, keys)
    rows = [
        (key, labels.get(key, key), then.get(key, 0), now.get(key, 0), now.get(key, 0) - then.get(key, 0))
        for key in keys
    ]
    rows.sort(key=lambda row: str(row[1]))
    return Comparison(dimension=dimension, rows=rows)


def compare_with_today(snapshot: StockSnapshot, dimension: str, user) -> Comparison:
    return compare(snapshot, None, dimension, user)


def _labels(dimension: str, keys) -> dict:
    if dimension == "status":
        return {key: str(OccupancyStatus(key).label) for key in keys if key in OccupancyStatus.values}
    return {entity.pk: str(entity) for entity in Entity.objects.filter(pk__in=keys)}


def previous_snapshot(snapshot: StockSnapshot) -> StockSnapshot | None:
    return StockSnapshot.objects.filter(reference_date__lt=snapshot.reference_date).order_by("-reference_date").first()


def visible_units_in_snapshot(snapshot: StockSnapshot, user) -> int:
    """How many of the snapshot's units `user` may see (an owner: their own)."""
    return access.scope(snapshot.cells.all(), user, path="owner").aggregate(n=Sum("units"))["n"] or 0


# --- public aggregates ------------------------------------------------------------------


def counts_by_comune_and_status(*, province: str = "", comune: str = ""):
    """Open data: units per Comune and status, optionally of one province (its code) or one
    Comune (its ISTAT code). No unit-level or household data."""
    queryset = Unit.objects.values("building__comune__code", "building__comune__name", "status").annotate(
        units=Count("id")
    )
    if province:
        queryset = queryset.filter(building__comune__province=province)
    if comune:
        queryset = queryset.filter(building__comune__code=comune)
    return queryset.order_by("building__comune__code", "status")


COUNTS_CACHE_SECONDS = 24 * 3600  # a backstop only: every register write changes the key


def cached_counts(*, province: str = "", comune: str = "") -> list[dict]:
    """The open counts, filtered, from the shared cache. The key carries the register's
    data version (registry.stock.writer.stock_version), read before the data: a write made
    after that read changes the version, so a result is never served once the data changed."""
    version = stock_version()
    digest = hashlib.sha256(f"{province}\x00{comune}".encode()).hexdigest()[:32]
    key = f"push:stock-counts:{version}:{digest}"
    rows = cache.get(key)
    if rows is None:
        rows = [
            {
                "comune": row["building__comune__code"],
                "comune_name": row["building__comune__name"],
                "status": row["status"],
                "units": row["units"],
            }
            for row in counts_by_comune_and_status(province=province, comune=comune)
        ]
        cache.set(key, rows, COUNTS_CACHE_SECONDS)
    return rows
