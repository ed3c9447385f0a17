"""Use cases of the sale plans: an owner proposes and sends, the Region reviews, the owner
records its sales and reinvestments.

Every service is atomic, asks calls/sales/policy.py once whether the person may act (through
the transition table for state changes, calls/sales/transitions.py) and writes the audit log.

- A plan holds units of its own owner only, each in one open plan at a time: `add_units`
  refuses any other unit by its reference, all or nothing, naming the row and the column.
- Each sending (the first and every integration) gets the next number of the calls' gapless
  protocol register (calls.services.register_protocol), in the sending's transaction.
- Approving marks every unit of the plan `for_sale`, and a sale marks its unit `sold`, through
  the register's own write path (registry.stock.writer.write_stock), which writes the unit's
  history (PropertyChange) and bumps the register's data version, in the same transaction.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from calls.models import ProtocolKind
from calls.services import register_protocol
from registry.models import Building, ChangeSource, Entity, OccupancyStatus, Unit
from registry.stock.spec import BUILDING_FIELDS, UNIT_FIELDS, ParsedFile
from registry.stock.writer import stock_changed, write_stock

from . import notifications, policy, selectors, transitions
from .models import (
    EDITABLE_STATES,
    BuyerType,
    Reinvestment,
    ReinvestmentPurpose,
    Sale,
    SalePlan,
    SalePlanSending,
    SalePlanState,
    SalePlanUnit,
)

MAX_VALUE = Decimal("999999999999.99")


def _text(value, field: str, *, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [_("This field is required.")]}, code="required")
    if len(value) > max_length:
        raise ValidationError({field: [_("At most %(count)d characters.") % {"count": max_length}]}, code="max_length")
    return value


def _amount(value, field: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0 or value > MAX_VALUE:
        raise ValidationError({field: [_("Enter an amount in euro greater than zero.")]}, code="amount")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError({field: [_("At most two decimals (cents).")]}, code="amount")
    return value


def _require_owner_side(user, owner) -> None:
    if not policy.can_act_for_owner(user, owner):
        raise PermissionDenied(_("Only the owner's people may do this."))


def _changed() -> None:
    # The sale plans' figures on the dashboards are versioned with the register's.
    stock_changed()


# --- the plan ----------------------------------------------------------------------------


def create_plan(*, owner: Entity, title: str, owner_act: str = "", by) -> SalePlan:
    """A new draft plan of `owner`, with no units yet. Only the owner's people."""
    _require_owner_side(by, owner)
    title = _text(title, "title", max_length=200)
    owner_act = _text(owner_act, "owner_act", max_length=200, required=False)
    with transaction.atomic():
        plan = SalePlan.objects.create(owner=owner, title=title, owner_act=owner_act, created_by=by)
        log(instance=plan, action="push.sale_plan.create", user=by, data={"owner": owner.code})
        _changed()
    return plan


def _locked_editable(plan: SalePlan, by) -> SalePlan:
    _require_owner_side(by, plan.owner)
    locked = SalePlan.objects.select_for_update().select_related("owner").get(pk=plan.pk)
    if locked.state not in EDITABLE_STATES:
        raise ValidationError(
            _("The units of a sale plan in state “%(state)s” cannot change.") % {"state": locked.get_state_display()},
            code="state",
        )
    return locked


def add_units(*, plan: SalePlan, lines: list[dict], by) -> list[SalePlanUnit]:
    """Put units in the plan: each line {"unit": a PUSH id or a Unit's pk (int), "appraised_value":
    Decimal, "right_of_first_refusal": bool}. Every unit must be the plan's owner's, not for
    sale or sold, and in no other open plan; a unit already in this plan has its values
    replaced. All or nothing: a refusal names each wrong row (1-based) and column, and
    another owner's unit is refused as unknown (its existence is not revealed)."""
    if not lines:
        raise ValidationError({"units": [_("Choose at least one unit.")]}, code="required")
    with transaction.atomic():
        plan = _locked_editable(plan, by)
        # Two plans of the owner filled at once must not take the same unit.
        Entity.objects.select_for_update().filter(pk=plan.owner_id).exists()
        refs = [line.get("unit") for line in lines]
        by_push_id = {
            unit.push_id: unit
            for unit in Unit.objects.filter(owner=plan.owner, push_id__in=[r for r in refs if isinstance(r, str)])
        }
        by_pk = {
            unit.pk: unit
            for unit in Unit.objects.filter(
                owner=plan.owner, pk__in=[r for r in refs if isinstance(r, int) and not isinstance(r, bool)]
            )
        }
        proposable = set(
            selectors.proposable_units(plan.owner)
            .filter(pk__in=[unit.pk for unit in (*by_push_id.values(), *by_pk.values())])
            .values_list("pk", flat=True)
        )
        in_this_plan = set(SalePlanUnit.objects.filter(plan=plan).values_list("unit_id", flat=True))
        problems, seen, chosen = [], set(), []
        for row, line in enumerate(lines, start=1):
            ref = line.get("unit")
            unit = by_push_id.get(ref) if isinstance(ref, str) else by_pk.get(ref)
            if unit is None:
                problems.append(
                    _("Row %(row)d, unit: no unit %(unit)s among the units of %(owner)s.")
                    % {"row": row, "unit": ref, "owner": plan.owner.display_name}
                )
                continue
            if unit.pk in seen:
                problems.append(_("Row %(row)d, unit: %(unit)s is given twice.") % {"row": row, "unit": unit.push_id})
                continue
            seen.add(unit.pk)
            if unit.pk not in proposable and unit.pk not in in_this_plan:
                problems.append(
                    _("Row %(row)d, unit: %(unit)s is already for sale, sold or in another open sale plan.")
                    % {"row": row, "unit": unit.push_id}
                )
            value = line.get("appraised_value")
            try:
                _amount(value, "appraised_value")
            except ValidationError:
                problems.append(
                    _("Row %(row)d, appraised value: enter an amount in euro greater than zero, to the cent.")
                    % {"row": row}
                )
            refusal = line.get("right_of_first_refusal")
            if not isinstance(refusal, bool):
                problems.append(_("Row %(row)d, right of first refusal: answer yes or no.") % {"row": row})
            chosen.append((unit, value, refusal))
        if problems:
            raise ValidationError(problems, code="units")
        saved = []
        for unit, value, refusal in chosen:
            line, _created = SalePlanUnit.objects.update_or_create(
                plan=plan, unit=unit, defaults={"appraised_value": value, "right_of_first_refusal": refusal}
            )
            saved.append(line)
        SalePlan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())
        log(
            instance=plan,
            action="push.sale_plan.units",
            user=by,
            data={"added": [unit.push_id for unit, _v, _r in chosen]},
        )
        _changed()
    return saved


def remove_unit(*, plan: SalePlan, line: SalePlanUnit, by) -> None:
    """Take a unit out of a plan the owner may still change."""
    with transaction.atomic():
        plan = _locked_editable(plan, by)
        if line.plan_id != plan.pk:
            raise ValidationError(_("The unit is not in this plan."), code="line")
        push_id = line.unit.push_id
        line.delete()
        SalePlan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())
        log(instance=plan, action="push.sale_plan.units", user=by, data={"removed": [push_id]})
        _changed()


# --- the review -------------------------------------------------------------------------


def send(*, plan: SalePlan, by) -> SalePlan:
    """Send the plan to the Region (or its integration): at least one unit, before the
    integration's deadline; registers a new protocol entry (its own number and time), copied
    on the plan. Atomic; the Region's reviewers are told."""
    with transaction.atomic():
        # Sending or integrating is decided by the stored state, under the row's lock.
        current = SalePlan.objects.select_for_update().select_related("owner").get(pk=plan.pk)
        action = "integrate" if current.state == SalePlanState.INTEGRATION_REQUESTED else "send"
        transition = transitions.require(by, current, action)
        locked = transitions.lock(current, transition)
        if not SalePlanUnit.objects.filter(plan=locked).exists():
            raise ValidationError(_("Put at least one unit in the plan before sending it."), code="empty")
        if action == "integrate" and locked.integration_deadline and timezone.now() >= locked.integration_deadline:
            raise ValidationError(
                _("The deadline for the integration expired on %(when)s.")
                % {"when": timezone.localtime(locked.integration_deadline).strftime("%d/%m/%Y %H:%M")},
                code="late",
            )
        lines = list(lines_summary(locked))
        content = {
            "sale_plan": locked.pk,
            "reference": locked.reference,
            "owner": locked.owner.code,
            "title": locked.title,
            "integration": action == "integrate",
            "units": len(lines),
            "appraised_total": f"{sum((value for _u, value in lines), Decimal('0')):.2f}",
        }
        # As late as possible: the protocol counter stays locked until this transaction commits.
        entry = register_protocol(kind=ProtocolKind.SALE_PLAN, by=by, content=content)
        SalePlanSending.objects.create(plan=locked, protocol_entry=entry, integration=action == "integrate")
        fields = {"protocol_number": entry.number, "sent_at": entry.registered_at}
        if locked.first_sent_at is None:
            fields["first_sent_at"] = entry.registered_at
        moved = transitions.move_plan(locked, action, by, fields=fields, data={"protocol": entry.number})
        notifications.plan_sent(moved, by=by)
        _changed()
    return moved


def lines_summary(plan):
    return SalePlanUnit.objects.filter(plan=plan).values_list("unit__push_id", "appraised_value")


def request_integration(*, plan: SalePlan, message: str, deadline, by) -> SalePlan:
    """The Region asks the owner to integrate the plan by `deadline` (in the future)."""
    transition = transitions.require(by, plan, "request_integration")
    message = _text(message, "message", max_length=5000)
    if deadline is None or deadline <= timezone.now():
        raise ValidationError({"deadline": [_("The deadline must be in the future.")]}, code="deadline")
    with transaction.atomic():
        locked = transitions.lock(plan, transition)
        moved = transitions.move_plan(
            locked,
            "request_integration",
            by,
            fields={"integration_message": message, "integration_deadline": deadline},
            data={"message": message, "deadline": deadline.isoformat()},
        )
        notifications.after_decision(moved, "request_integration", by=by)
    return moved


def _set_units_status(owner: Entity, unit_ids, status: str, by) -> int:
    """Give the units of `owner` the occupancy `status` through the register's write path:
    their stored values with the new status, written by write_stock (history, lock on the
    owner, data version). Returns how many units changed."""
    status_at = UNIT_FIELDS.index("status")
    rows = list(
        Unit.objects.filter(owner=owner, pk__in=list(unit_ids))
        .order_by("pk")
        .values_list("local_id", "building__local_id", *UNIT_FIELDS)
    )
    parsed = ParsedFile(total_rows=len(rows))
    for local_id, building_local_id, *values in rows:
        values[status_at] = status
        parsed.units[local_id] = (building_local_id, tuple(values))
    building_ids = {building for building, _values in parsed.units.values()}
    for local_id, *values in Building.objects.filter(owner=owner, local_id__in=building_ids).values_list(
        "local_id", *BUILDING_FIELDS
    ):
        parsed.buildings[local_id] = tuple(values)
    result = write_stock(parsed, owner, user=by, source=ChangeSource.SYSTEM)
    return result.updated_units


def approve(*, plan: SalePlan, by) -> SalePlan:
    """The Region approves the plan: every unit of it is marked `for_sale` in the register
    (with its history), in the same transaction. Refused if a unit was sold meanwhile."""
    transition = transitions.require(by, plan, "approve")
    with transaction.atomic():
        locked = transitions.lock(plan, transition)
        units = list(SalePlanUnit.objects.filter(plan=locked).values_list("unit_id", "unit__status", "unit__push_id"))
        sold = [push_id for _pk, status, push_id in units if status == OccupancyStatus.SOLD]
        if sold:
            raise ValidationError(
                _("These units are already sold: %(units)s.") % {"units": ", ".join(sold)}, code="sold"
            )
        now = timezone.now()
        moved = transitions.move_plan(locked, "approve", by, fields={"decided_at": now}, data={"units": len(units)})
        _set_units_status(locked.owner, [pk for pk, _s, _p in units], OccupancyStatus.FOR_SALE, by)
        notifications.after_decision(moved, "approve", by=by)
    return moved


def reject(*, plan: SalePlan, reason: str, by) -> SalePlan:
    """The Region rejects the plan, with the reason the owner will read. Its units are free
    for another plan."""
    transition = transitions.require(by, plan, "reject")
    reason = _text(reason, "reason", max_length=5000)
    with transaction.atomic():
        locked = transitions.lock(plan, transition)
        moved = transitions.move_plan(
            locked,
            "reject",
            by,
            fields={"decision_reason": reason, "decided_at": timezone.now()},
            data={"reason": reason},
        )
        notifications.after_decision(moved, "reject", by=by)
        _changed()
    return moved


# --- sales and reinvestments ---------------------------------------------------------------


def record_sale(*, line: SalePlanUnit, sold_on, price: Decimal, buyer_type: str, by) -> Sale:
    """Record the sale of a unit of an approved plan (once per unit) and mark the unit `sold`
    in the register (with its history). Only the owner's people; a date not in the future."""
    plan = line.plan
    _require_owner_side(by, plan.owner)
    price = _amount(price, "price")
    if buyer_type not in BuyerType.values:
        raise ValidationError({"buyer_type": [_("Choose the buyer.")]}, code="invalid_choice")
    if sold_on is None or sold_on > timezone.localdate():
        raise ValidationError({"sold_on": [_("The date of the sale cannot be in the future.")]}, code="date")
    with transaction.atomic():
        locked = SalePlan.objects.select_for_update().get(pk=plan.pk)
        if locked.state != SalePlanState.APPROVED:
            raise ValidationError(_("Sales are recorded on approved plans only."), code="state")
        if locked.decided_at and sold_on < timezone.localdate(locked.decided_at):
            raise ValidationError({"sold_on": [_("The sale cannot precede the plan's approval.")]}, code="date")
        if Sale.objects.filter(line=line).exists():
            raise ValidationError(_("The sale of this unit is already recorded."), code="sold")
        sale = Sale.objects.create(
            line=line, owner_id=locked.owner_id, sold_on=sold_on, price=price, buyer_type=buyer_type, recorded_by=by
        )
        _set_units_status(plan.owner, [line.unit_id], OccupancyStatus.SOLD, by)
        log(
            instance=locked,
            action="push.sale_plan.sale",
            user=by,
            data={
                "unit": line.unit.push_id,
                "price": f"{price:.2f}",
                "sold_on": sold_on.isoformat(),
                "buyer": buyer_type,
            },
        )
    return sale


def record_reinvestment(
    *, owner: Entity, spent_on, amount: Decimal, purpose: str, description: str = "", intervention=None, by
) -> Reinvestment:
    """Proceeds of `owner`'s sales spent on new housing or on recovery, optionally on one of
    the owner's own interventions (calls.programmes). Only the owner's people."""
    _require_owner_side(by, owner)
    amount = _amount(amount, "amount")
    if purpose not in ReinvestmentPurpose.values:
        raise ValidationError({"purpose": [_("Choose the purpose.")]}, code="invalid_choice")
    if spent_on is None or spent_on > timezone.localdate():
        raise ValidationError({"spent_on": [_("The date cannot be in the future.")]}, code="date")
    if intervention is not None and intervention.beneficiary_id != owner.pk:
        raise ValidationError({"intervention": [_("The intervention is not of this owner.")]}, code="intervention")
    with transaction.atomic():
        reinvestment = Reinvestment.objects.create(
            owner=owner,
            spent_on=spent_on,
            amount=amount,
            purpose=purpose,
            description=_text(description, "description", max_length=300, required=False),
            intervention=intervention,
            recorded_by=by,
        )
        log(
            instance=reinvestment,
            action="push.sale_plan.reinvestment",
            user=by,
            data={
                "amount": f"{amount:.2f}",
                "purpose": purpose,
                "spent_on": spent_on.isoformat(),
                "intervention": getattr(intervention, "pk", None),
            },
        )
        _changed()
    return reinvestment


def plan_url(plan) -> str:
    return reverse("sales_plan", args=[plan.pk])
