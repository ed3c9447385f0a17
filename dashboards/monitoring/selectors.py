"""The rows of the monitoring: one per Comune, computed in a fixed number of queries whatever
the number of Comuni (257 today, thousands if other bodies join): the Comuni, their people,
their register, the open calls, the submissions to them and the open tickets are each one
query (a GROUP BY or a plain list), merged by the Comune's id in Python. Never a query per
Comune.

The definitions are the dashboards' own, so that the monitoring and the charts agree:
- a submission counts as sent in the states of dashboards.indicators.calls.SENT; sent before
  the call's deadline is "on time", from the deadline on (under an extension) "late" – the
  call_participation indicator's reading; a draft not sent is "draft"; nothing (or a
  rejected submission) is "missing";
- a unit's record is incomplete by dashboards.indicators.stock.INCOMPLETE_UNIT; the register's
  last update is its latest unit's change; a register not changed for STALE_AFTER_DAYS is
  stale; a Comune that owns no unit in PUSH has an empty register (not "behind": many Comuni
  own no public housing, the ARCA do);
- "behind": missing or late in an open call, or a stale register.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.apps import apps
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.models import Submission, SubmissionState
from calls.selectors import open_calls
from dashboards.indicators import stock
from dashboards.indicators.calls import SENT
from dashboards.results import Audience
from registry.models import AccreditationState, Entity, EntityKind, Membership

# A register no unit of which changed in six months is stale: owners are asked to keep it
# current, and the yearly snapshot would otherwise photograph data a year old.
STALE_AFTER_DAYS = 180


class CallStatus(StrEnum):
    SUBMITTED = "submitted"
    LATE = "late"
    DRAFT = "draft"
    MISSING = "missing"


CALL_STATUS_LABELS = {
    CallStatus.SUBMITTED: _("Sent on time"),
    CallStatus.LATE: _("Sent late"),
    CallStatus.DRAFT: _("Draft, not sent"),
    CallStatus.MISSING: _("Not started"),
}


class RegisterStatus(StrEnum):
    CURRENT = "current"
    STALE = "stale"
    EMPTY = "empty"


REGISTER_STATUS_LABELS = {
    RegisterStatus.CURRENT: _("Up to date"),
    RegisterStatus.STALE: _("Stale (no change in six months)"),
    RegisterStatus.EMPTY: _("No unit in PUSH"),
}


def call_status(state: str, submitted_at, closes_at) -> CallStatus:
    """A Comune's standing in a call from its submission (state None: it has none)."""
    if state in SENT and submitted_at is not None:
        return CallStatus.LATE if submitted_at >= closes_at else CallStatus.SUBMITTED
    if state == SubmissionState.DRAFT:
        return CallStatus.DRAFT
    return CallStatus.MISSING


def stale_before(now=None) -> datetime.datetime:
    """Registers last changed before this moment are stale."""
    return (now or timezone.now()) - datetime.timedelta(days=STALE_AFTER_DAYS)


def register_status(units: int, latest, *, now=None) -> RegisterStatus:
    if not units or latest is None:
        return RegisterStatus.EMPTY
    return RegisterStatus.STALE if latest < stale_before(now) else RegisterStatus.CURRENT


def completeness(units: int, incomplete: int) -> Decimal | None:
    """The share of the units whose record is complete (%, one decimal); None without units."""
    if not units:
        return None
    return (Decimal(100) * (units - incomplete) / units).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Register:
    units: int = 0
    incomplete: int = 0
    latest: datetime.datetime | None = None


@dataclass
class ComuneRow:
    id: int
    code: str
    name: str
    province: str
    arca_code: str
    arca_name: str
    accreditation: str
    people: int
    register: Register
    register_status: RegisterStatus
    calls: dict[int, CallStatus] = field(default_factory=dict)  # call pk -> status, every open call
    tickets: int | None = None  # None: PUSH without the helpdesk
    late_interventions: int = 0  # interventions of a programme with a late milestone

    @property
    def accreditation_label(self) -> str:
        return str(AccreditationState(self.accreditation).label)

    @property
    def completeness(self) -> Decimal | None:
        return completeness(self.register.units, self.register.incomplete)

    @property
    def last_update(self):
        return timezone.localtime(self.register.latest).date() if self.register.latest else None

    @property
    def behind(self) -> bool:
        return self.register_status == RegisterStatus.STALE or any(
            status in (CallStatus.MISSING, CallStatus.LATE) for status in self.calls.values()
        )


# --- one query each ---------------------------------------------------------------------


def comuni(*, province: str = "", arca: str = "", accreditation: str = "", ids=None) -> list[dict]:
    """The Comuni (within the filters that are plain columns), with their covering ARCA."""
    queryset = Entity.objects.comuni()
    if province:
        queryset = queryset.filter(province=province)
    if arca:
        queryset = queryset.filter(covering_arca__code=arca)
    if accreditation:
        queryset = queryset.filter(accreditation_state=accreditation)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return list(
        queryset.order_by("name", "code").values(
            "id", "code", "name", "province", "accreditation_state", "covering_arca__code", "covering_arca__name"
        )
    )


def people_by_entity(*, ids=None) -> dict[int, int]:
    """The people with an active membership of each Comune (counted, never named)."""
    memberships = Membership.objects.active().filter(entity__kind=EntityKind.COMUNE)
    if ids is not None:
        memberships = memberships.filter(entity_id__in=ids)
    return dict(memberships.order_by().values_list("entity_id").annotate(n=Count("user_id", distinct=True)))


def registers_by_owner(*, ids=None) -> dict[int, Register]:
    """Each owner's register: its units, those incomplete and its latest change (one GROUP BY
    over the register, on the completeness indicator's rule)."""
    units = stock.units({}, Audience(entity_ids=frozenset(ids) if ids is not None else None))
    if ids is None:
        units = units.filter(owner__kind=EntityKind.COMUNE)
    rows = units.values("owner_id").annotate(
        units=Count("id"), incomplete=Count("id", filter=stock.INCOMPLETE_UNIT), latest=Max("updated_at")
    )
    return {
        row["owner_id"]: Register(units=row["units"], incomplete=row["incomplete"], latest=row["latest"])
        for row in rows
    }


def submission_statuses(calls: list, *, ids=None) -> dict[tuple[int, int], CallStatus]:
    """(Comune id, call pk) -> the Comune's standing, for the Comuni that have a submission."""
    if not calls:
        return {}
    closes_at = {call.pk: call.closes_at for call in calls}
    submissions = Submission.objects.order_by().filter(call_id__in=list(closes_at))
    if ids is not None:
        submissions = submissions.filter(comune_id__in=ids)
    return {
        (comune_id, call_id): call_status(state, submitted_at, closes_at[call_id])
        for comune_id, call_id, state, submitted_at in submissions.values_list(
            "comune_id", "call_id", "state", "submitted_at"
        )
    }


def open_tickets_by_entity() -> dict[int, int] | None:
    """Open helpdesk tickets per entity id, as the helpdesk counts them (one GROUP BY); None
    where PUSH runs without the helpdesk (the column is then not shown)."""
    if not apps.is_installed("helpdesk"):
        return None
    from helpdesk.selectors import open_tickets_by_entity as helpdesk_open_tickets

    return helpdesk_open_tickets()


def late_interventions_by_entity() -> dict[int, int]:
    """Interventions with a late milestone per beneficiary id, as the programmes count them."""
    from calls.programmes.selectors import late_interventions_by_entity as programmes_late

    return programmes_late()


# --- the rows ---------------------------------------------------------------------------


def open_call_list() -> list:
    """The calls the monitoring follows: those open (calls.selectors.open_calls)."""
    return list(open_calls())


def rows(*, province="", arca="", accreditation="", calls=None, now=None) -> tuple[list[ComuneRow], list]:
    """Every Comune within the column filters, with its figures, and the open calls (the
    columns): seven queries at most (the late interventions one GROUP BY), whatever the number of Comuni."""
    calls = open_call_list() if calls is None else calls
    found = comuni(province=province, arca=arca, accreditation=accreditation)
    people = people_by_entity()
    registers = registers_by_owner()
    statuses = submission_statuses(calls)
    tickets = open_tickets_by_entity()
    late_interventions = late_interventions_by_entity()
    result = []
    for comune in found:
        register = registers.get(comune["id"], Register())
        result.append(
            ComuneRow(
                id=comune["id"],
                code=comune["code"],
                name=comune["name"],
                province=comune["province"],
                arca_code=comune["covering_arca__code"] or "",
                arca_name=comune["covering_arca__name"] or "",
                accreditation=comune["accreditation_state"],
                people=people.get(comune["id"], 0),
                register=register,
                register_status=register_status(register.units, register.latest, now=now),
                calls={call.pk: statuses.get((comune["id"], call.pk), CallStatus.MISSING) for call in calls},
                tickets=None if tickets is None else tickets.get(comune["id"], 0),
                late_interventions=late_interventions.get(comune["id"], 0),
            )
        )
    return result, calls


# --- the Region's summary (admin home) ---------------------------------------------------


@dataclass
class CallSummary:
    call: object
    on_time: int
    late: int
    not_sent: int


@dataclass
class Summary:
    comuni: int
    accredited: int
    stale: int
    calls: list[CallSummary]
    behind_link: bool = True

    @property
    def not_accredited(self) -> int:
        return self.comuni - self.accredited


def summary(*, now=None) -> Summary:
    """The Region's figures on its home: Comuni accredited or not, stale registers, and per
    open call those sent on time, late or not sent (the call_participation indicator). Five
    queries, whatever the number of Comuni."""
    from dashboards import indicators

    counts = Entity.objects.comuni().aggregate(
        total=Count("id"), accredited=Count("id", filter=Q(accreditation_state=AccreditationState.ACCREDITED))
    )
    stale = (
        stock.units({}, Audience())
        .filter(owner__kind=EntityKind.COMUNE)
        .values("owner_id")
        .annotate(latest=Max("updated_at"))
        .filter(latest__lt=stale_before(now))
        .count()
    )
    calls = open_call_list()
    per_call = []
    if calls:
        participation = indicators.compute("call_participation", audience=Audience())
        series = {item.key: item.values for item in participation.series}
        index = {code: position for position, code in enumerate(participation.codes)}
        for call in calls:
            at = index.get(str(call.pk))
            if at is None:
                continue
            per_call.append(
                CallSummary(
                    call=call,
                    on_time=series["on_time"][at],
                    late=series["late"][at],
                    not_sent=series["missing"][at],
                )
            )
    return Summary(comuni=counts["total"], accredited=counts["accredited"], stale=stale, calls=per_call)


# --- an entity's own figures (admin home) ------------------------------------------------


@dataclass
class OwnEntity:
    entity: dict
    register: Register
    register_status: RegisterStatus
    calls: list[tuple[object, CallStatus]]

    @property
    def completeness(self) -> Decimal | None:
        return completeness(self.register.units, self.register.incomplete)

    @property
    def last_update(self):
        return timezone.localtime(self.register.latest).date() if self.register.latest else None


def own_entities(entity_ids, *, now=None) -> list[OwnEntity]:
    """The figures of the person's own entities only (ids from registry.access): their
    register, and for a Comune its standing in each open call. Four queries at most."""
    if not entity_ids:
        return []
    entities = list(
        Entity.objects.filter(pk__in=entity_ids)
        .exclude(kind=EntityKind.REGION)
        .order_by("name")
        .values("id", "name", "kind")
    )
    if not entities:
        return []
    ids = [entity["id"] for entity in entities]
    registers = registers_by_owner(ids=ids)
    comune_ids = [entity["id"] for entity in entities if entity["kind"] == EntityKind.COMUNE]
    calls = open_call_list() if comune_ids else []
    statuses = submission_statuses(calls, ids=comune_ids)
    result = []
    for entity in entities:
        register = registers.get(entity["id"], Register())
        own_calls = (
            [(call, statuses.get((entity["id"], call.pk), CallStatus.MISSING)) for call in calls]
            if entity["kind"] == EntityKind.COMUNE
            else []
        )
        result.append(
            OwnEntity(
                entity=entity,
                register=register,
                register_status=register_status(register.units, register.latest, now=now),
                calls=own_calls,
            )
        )
    return result
