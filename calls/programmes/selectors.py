"""Reads of the intervention programmes: which interventions and programmes a person sees
(the access rule on the beneficiary), which milestones are late, which interventions stale,
and each programme's progress for the Region.

- A **late milestone** is a stage whose due date (the intervention's planned date, else the
  programme's deadline for that stage) has passed without an actual date.
- A **stale** intervention has had no update for more days than its programme allows
  (`Programme.stale_after_days`, else the setting PUSH_PROGRAMMES_STALE_DAYS).
Neither applies to a tested or revoked intervention (models.CLOSED_STATES)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from registry import access

from . import policy
from .models import CLOSED_STATES, STAGES, Intervention, InterventionState, Programme, default_stale_days

ZERO = Decimal("0.00")


def interventions_visible_to(user):
    """The interventions `user` may read: their own entities' (every one, for the Region)."""
    if not policy.can_see_interventions(user):
        return Intervention.objects.none()
    queryset = Intervention.objects.select_related("programme", "beneficiary")
    return access.scope(queryset, user, path="beneficiary")


def interventions_editable_by(user):
    """The interventions `user` may update as their beneficiary."""
    if not policy.updates_interventions(user):
        return Intervention.objects.none()
    return access.scope(Intervention.objects.all(), user, path="beneficiary", for_edit=True)


def programmes_visible_to(user):
    """The programmes `user` may read: every one for the Region, else those of which one of
    their entities is a beneficiary."""
    if not policy.can_see_programmes(user):
        return Programme.objects.none()
    if policy.sees_every_programme(user):
        return Programme.objects.all()
    ids = access.access_for(user).visible_ids()
    return Programme.objects.filter(beneficiaries__in=ids).distinct()


# --- late and stale --------------------------------------------------------------------------


def with_due_dates(queryset):
    """Each stage's due date as `due_<stage>`: the intervention's planned date, else the
    programme's deadline."""
    return queryset.annotate(
        **{f"due_{stage}": Coalesce(F(f"{stage}_planned"), F(f"programme__{stage}_deadline")) for stage in STAGES}
    )


def late_condition(today=None) -> Q:
    """On a queryset `with_due_dates`: some stage is past due without an actual date."""
    today = today or timezone.localdate()
    condition = Q()
    for stage in STAGES:
        condition |= Q(**{f"due_{stage}__lt": today, f"{stage}_actual__isnull": True})
    return condition & ~Q(state__in=CLOSED_STATES)


def late(queryset, today=None):
    return with_due_dates(queryset).filter(late_condition(today))


def stale_condition(now=None) -> Q:
    """No update for longer than the intervention's programme allows (one query for the
    programmes' thresholds)."""
    now = now or timezone.now()
    default = default_stale_days()
    condition = Q(pk__in=[])
    by_days = {}
    for pk, days in Programme.objects.values_list("pk", "stale_after_days"):
        by_days.setdefault(days or default, []).append(pk)
    for days, programme_ids in by_days.items():
        condition |= Q(programme_id__in=programme_ids, last_update__lt=now - timedelta(days=days))
    return condition & ~Q(state__in=CLOSED_STATES)


def stale(queryset, now=None):
    return queryset.filter(stale_condition(now))


def late_interventions_by_entity(today=None) -> dict[int, int]:
    """Interventions with a late milestone per beneficiary id (one GROUP BY), for the
    monitoring of the Comuni."""
    rows = late(Intervention.objects.all(), today).values("beneficiary_id").annotate(total=Count("pk")).order_by()
    return {row["beneficiary_id"]: row["total"] for row in rows}


# --- progress per programme --------------------------------------------------------------------


@dataclass
class ProgrammeProgress:
    programme: Programme
    interventions: int
    committed: Decimal  # funded amounts of the interventions not revoked
    co_financing: Decimal
    spent: Decimal  # amounts paid
    late: int
    stale: int

    @property
    def uncommitted(self) -> Decimal:
        return self.programme.total_funds - self.committed

    @property
    def spent_percent(self) -> Decimal | None:
        if not self.committed:
            return None
        return (self.spent * 100 / self.committed).quantize(Decimal("0.1"))


def programme_progress(programmes, *, interventions=None, today=None, now=None) -> list[ProgrammeProgress]:
    """Each programme's committed and spent amounts, late and stale interventions (of
    `interventions`, default all): four queries whatever the number of programmes (the
    stale thresholds, figures, late, stale)."""
    programmes = list(programmes)
    ids = [programme.pk for programme in programmes]
    base = (Intervention.objects.all() if interventions is None else interventions).filter(programme_id__in=ids)
    active = base.exclude(state=InterventionState.REVOKED)
    figures = {
        row["programme_id"]: row
        for row in active.values("programme_id")
        .annotate(
            total=Count("pk"),
            committed=Sum("funded_amount"),
            co_financing_total=Sum("co_financing"),
            spent=Sum("amount_paid"),
        )
        .order_by()
    }
    late_counts = dict(
        late(base, today)
        .values("programme_id")
        .annotate(total=Count("pk"))
        .order_by()
        .values_list("programme_id", "total")
    )
    stale_counts = dict(
        stale(base, now)
        .values("programme_id")
        .annotate(total=Count("pk"))
        .order_by()
        .values_list("programme_id", "total")
    )
    result = []
    for programme in programmes:
        row = figures.get(programme.pk, {})
        result.append(
            ProgrammeProgress(
                programme=programme,
                interventions=row.get("total", 0),
                committed=row.get("committed") or ZERO,
                co_financing=row.get("co_financing_total") or ZERO,
                spent=row.get("spent") or ZERO,
                late=late_counts.get(programme.pk, 0),
                stale=stale_counts.get(programme.pk, 0),
            )
        )
    return result


def programme_interventions(programme, *, today=None, now=None):
    """The interventions of a programme with `is_late` and `is_stale` marked, for the
    Region's progress screen and its export."""
    from django.db.models import BooleanField, ExpressionWrapper

    return (
        with_due_dates(Intervention.objects.filter(programme=programme))
        .select_related("beneficiary", "programme")
        .annotate(
            is_late=ExpressionWrapper(late_condition(today), output_field=BooleanField()),
            is_stale=ExpressionWrapper(stale_condition(now), output_field=BooleanField()),
        )
        .order_by("beneficiary__code", "title")
    )
