"""Use cases of the intervention programmes: funding an intervention (the Region), updating it
(its beneficiary: admin form, API, or a spreadsheet of many), its progress reports. Each asks
calls/programmes/policy.py once before changing anything and writes the audit log; the state
moves only through transitions.move_intervention.

Two rules have their home here and are asked by every entry point (form, API, file):
`register_problems` (only the beneficiary's own buildings and units, units within the chosen
buildings) and `amount_problems` (no more paid than funded and co-financed)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.tabular import (
    CellProblem,
    FileRefused,
    SpreadsheetTooLarge,
    check_spreadsheet_limits,
    match_headers,
    parse_rows,
    read_table,
    shown,
)
from registry.models import Building, Unit

from . import policy
from .models import Intervention, ProgressReport
from .spec import INTERVENTION_SPEC, READ_ONLY_KEYS, SAL_KEYS, UPDATABLE_FIELDS

# --- the rules every entry point asks ---------------------------------------------------------


def register_problems(beneficiary, buildings, units) -> dict[str, list[str]]:
    """Why these buildings and units may not be attached to an intervention of `beneficiary`:
    each must be the beneficiary's own, and each unit in one of the chosen buildings."""
    problems = {}
    beneficiary_id = getattr(beneficiary, "pk", beneficiary)
    foreign = [building for building in buildings if building.owner_id != beneficiary_id]
    if foreign:
        problems["buildings"] = [_("Only buildings of the beneficiary's own register may be chosen.")]
    building_ids = {building.pk for building in buildings}
    if any(unit.owner_id != beneficiary_id for unit in units):
        problems["units"] = [_("Only units of the beneficiary's own register may be chosen.")]
    elif any(unit.building_id not in building_ids for unit in units):
        problems["units"] = [_("Each unit must be in one of the chosen buildings.")]
    return problems


def amount_problems(*, funded_amount, co_financing, amount_paid) -> dict[str, list[str]]:
    """The amount paid cannot exceed the funded amount and the co-financing together."""
    funded, co, paid = (value or Decimal(0) for value in (funded_amount, co_financing, amount_paid))
    if paid > funded + co:
        return {"amount_paid": [_("The amount paid exceeds the funded amount and the co-financing together.")]}
    return {}


# --- funding (the Region) ----------------------------------------------------------------------


def check_beneficiary(programme, beneficiary) -> None:
    if not programme.beneficiaries.filter(pk=beneficiary.pk).exists():
        raise ValidationError(
            {"beneficiary": [_("%(entity)s is not a beneficiary of this programme.") % {"entity": beneficiary}]}
        )


@transaction.atomic
def fund_intervention(*, programme, beneficiary, title, intervention_type, funded_amount, by, **fields) -> Intervention:
    """The Region funds an intervention of one of the programme's beneficiaries."""
    policy.require_manage(by)
    check_beneficiary(programme, beneficiary)
    intervention = Intervention(
        programme=programme,
        beneficiary=beneficiary,
        title=title,
        intervention_type=intervention_type,
        funded_amount=funded_amount,
        **fields,
    )
    intervention.full_clean()
    intervention.save()
    log(instance=intervention, action="push.intervention.create", user=by)
    return intervention


# --- updates (the beneficiary) -----------------------------------------------------------------


def _jsonable(value):
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def record_update(*, intervention, changes: dict, by) -> None:
    """After a change saved by the admin form: the last update and the audit entry."""
    Intervention.objects.filter(pk=intervention.pk).update(last_update=timezone.now())
    log(instance=intervention, action="push.intervention.update", user=by, data={"changes": changes})


@transaction.atomic
def update_intervention(*, intervention, values: dict, by, buildings=None, units=None) -> Intervention:
    """The beneficiary updates an intervention: `values` by model attribute (the updatable
    fields of INTERVENTION_SPEC, already parsed), `buildings`/`units` (model instances) when
    given. Atomic; refused with PermissionDenied to anyone but the beneficiary's people and
    with ValidationError (by field) as the admin form and the file would refuse it."""
    policy.require_update(by, intervention)
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    unknown = set(values) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    changes = {}
    for name, value in values.items():
        old = getattr(locked, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
            setattr(locked, name, value)
    errors = amount_problems(
        funded_amount=locked.funded_amount, co_financing=locked.co_financing, amount_paid=locked.amount_paid
    )
    if buildings is not None or units is not None:
        buildings = list(locked.buildings.all()) if buildings is None else list(buildings)
        units = list(locked.units.all()) if units is None else list(units)
        errors.update(register_problems(locked.beneficiary_id, buildings, units))
    if errors:
        raise ValidationError(errors)
    locked.full_clean()
    locked.last_update = timezone.now()
    locked.save()
    if buildings is not None:
        old_ids = set(locked.buildings.values_list("pk", flat=True))
        locked.buildings.set(buildings)
        if old_ids != {building.pk for building in buildings}:
            changes["buildings"] = [sorted(old_ids), sorted(building.pk for building in buildings)]
    if units is not None:
        old_ids = set(locked.units.values_list("pk", flat=True))
        locked.units.set(units)
        if old_ids != {unit.pk for unit in units}:
            changes["units"] = [sorted(old_ids), sorted(unit.pk for unit in units)]
    log(instance=locked, action="push.intervention.update", user=by, data={"changes": changes})
    return locked


@transaction.atomic
def record_progress_report(*, intervention, date, percentage, amount, by) -> ProgressReport:
    """The beneficiary adds the progress report (SAL) of a date, or corrects that date's."""
    policy.require_update(by, intervention)
    problems = INTERVENTION_SPEC.check({"sal_date": date, "sal_percentage": percentage, "sal_amount": amount})
    if problems:
        raise ValidationError({problem.key: [problem.message] for problem in problems})
    report, _created = ProgressReport.objects.update_or_create(
        intervention=intervention, date=date, defaults={"percentage": percentage, "amount": amount}
    )
    Intervention.objects.filter(pk=intervention.pk).update(last_update=timezone.now())
    log(
        instance=intervention,
        action="push.intervention.update",
        user=by,
        data={"progress_report": [date.isoformat(), str(percentage), str(amount)]},
    )
    return report


def resolve_register_items(beneficiary, building_ids, unit_ids):
    """Buildings and units by id for an update: ids that are not the beneficiary's are
    refused like ids that do not exist (nothing is told about another owner's stock)."""
    buildings = list(Building.objects.filter(pk__in=building_ids or [], owner=beneficiary))
    units = list(Unit.objects.filter(pk__in=unit_ids or [], owner=beneficiary))
    errors = {}
    if building_ids is not None and len(buildings) != len(set(building_ids)):
        errors["buildings"] = [_("Only buildings of the beneficiary's own register may be chosen.")]
    if unit_ids is not None and len(units) != len(set(unit_ids)):
        errors["units"] = [_("Only units of the beneficiary's own register may be chosen.")]
    if errors:
        raise ValidationError(errors)
    return (buildings if building_ids is not None else None), (units if unit_ids is not None else None)


# --- the update file ---------------------------------------------------------------------------


class FileReport:
    """What an update file did: the problems (row, column, value, message) or the count."""

    def __init__(self, problems=None, updated=0, reports=0, rows=0):
        self.problems = problems or []
        self.updated = updated
        self.reports = reports
        self.rows = rows

    @property
    def written(self) -> bool:
        return not self.problems


def update_from_file(*, content: bytes, filename: str, by) -> FileReport:
    """A beneficiary's spreadsheet of interventions (INTERVENTION_SPEC, as the export writes
    it): every row checked first, and nothing written while any row is wrong (each problem
    names its row and column); then every row written in one transaction. Only the
    interventions the person may update can be named: any other id is refused as unknown."""
    from registry.stock.services import max_import_bytes

    if len(content) > max_import_bytes():
        from django.template.defaultfilters import filesizeformat

        message = _("The file is %(size)s; the largest accepted is %(limit)s.") % {
            "size": filesizeformat(len(content)),
            "limit": filesizeformat(max_import_bytes()),
        }
        return FileReport([CellProblem(0, "", "", message)])
    try:
        check_spreadsheet_limits(content, filename)
        table = read_table(content, filename)
    except (FileRefused, SpreadsheetTooLarge) as refused:
        return FileReport([CellProblem(0, "", "", refused.message)])
    parsed = parse_rows(table, INTERVENTION_SPEC.columns)
    problems = list(parsed.problems)
    if parsed.error_rows and 1 in parsed.error_rows:
        return FileReport(problems, rows=parsed.total_rows)
    from .selectors import interventions_editable_by

    present = set(match_headers(table.headers, INTERVENTION_SPEC.columns).positions)

    ids = [values.get("intervention_id") for _row, values in parsed.records]
    editable = {intervention.pk: intervention for intervention in interventions_editable_by(by).filter(pk__in=ids)}
    header = {spec.key: spec.header for spec in INTERVENTION_SPEC.fields}
    seen = {}
    plan = []
    for row, values in parsed.records:
        row_problems = []
        pk = values["intervention_id"]
        for key, message in _record_checks(values):
            row_problems.append(CellProblem(row, header[key], shown(values.get(key)), message))
        intervention = editable.get(pk)
        if intervention is None:
            row_problems.append(
                CellProblem(row, header["intervention_id"], shown(pk), _("No intervention of yours has this id."))
            )
        elif pk in seen:
            row_problems.append(
                CellProblem(
                    row,
                    header["intervention_id"],
                    shown(pk),
                    _("The same intervention appears also at row %(row)d.") % {"row": seen[pk]},
                )
            )
        else:
            seen[pk] = row
            # A column the file does not have keeps the stored values; a blank cell clears.
            fields = {
                INTERVENTION_SPEC[key].stored_as: INTERVENTION_SPEC[key].blank if value is None else value
                for key, value in values.items()
                if key in present and key not in READ_ONLY_KEYS and key not in SAL_KEYS and key != "intervention_id"
            }
            merged = {
                "funded_amount": intervention.funded_amount,
                "co_financing": fields.get("co_financing", intervention.co_financing),
                "amount_paid": fields.get("amount_paid", intervention.amount_paid),
            }
            for key, messages in amount_problems(**merged).items():
                row_problems.extend(CellProblem(row, header[key], shown(merged[key]), message) for message in messages)
            plan.append((intervention, fields, values))
        problems.extend(row_problems)
    if problems:
        problems.sort(key=lambda problem: problem.row)
        return FileReport(problems, rows=parsed.total_rows)
    updated = reports = 0
    with transaction.atomic():
        for intervention, fields, values in plan:
            locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
            changes = {}
            for name, value in fields.items():
                if getattr(locked, name) != value:
                    changes[name] = [_jsonable(getattr(locked, name)), _jsonable(value)]
                    setattr(locked, name, value)
            if values.get("sal_date") is not None:
                ProgressReport.objects.update_or_create(
                    intervention=locked,
                    date=values["sal_date"],
                    defaults={"percentage": values["sal_percentage"], "amount": values["sal_amount"]},
                )
                changes["progress_report"] = [None, values["sal_date"].isoformat()]
                reports += 1
            if changes:
                locked.last_update = timezone.now()
                locked.save()
                updated += 1
                log(instance=locked, action="push.intervention.import", user=by, data={"changes": changes})
    return FileReport(updated=updated, reports=reports, rows=parsed.total_rows)


def _record_checks(values):
    for check in INTERVENTION_SPEC.checks:
        yield from check(values)
