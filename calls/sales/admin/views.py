"""The sale plans' function views: thin adapters between a request and a service.

Each view finds its plan through the access rule (selectors.plans_visible_to: 404 for a plan
the person may not read, so its existence is not revealed), reads a form, calls the service
(calls/sales/services.py), which decides whether the person may act, and reports. Sending,
approving and rejecting show a summary first and act only on a POST with `confirm=yes`."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from calls.receipts import euro
from core.numbers import NumberFormatError, parse_italian_decimal

from .. import policy, selectors, services, transitions
from ..models import SalePlanState, SalePlanUnit
from .forms import (
    IntegrationForm,
    PlanForm,
    PlanListFilter,
    ReinvestmentForm,
    RejectForm,
    SaleForm,
    UnitFilter,
    YearFilter,
)

PICKER_LIMIT = 100


def confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "yes"


def report(request, error):
    if hasattr(error, "message_dict"):
        text = " ".join(message for messages_ in error.message_dict.values() for message in messages_)
    else:
        text = " ".join(getattr(error, "messages", [str(error)]))
    messages.error(request, text)


def plan_for(request, pk):
    return get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)


def plan_url(plan) -> str:
    return reverse("sales_plan", args=[plan.pk])


def _owners_listed(user):
    """The owners the list's filter offers: the Region's every owner with a plan; an owner's
    people their own owners."""
    from registry.models import Entity

    if policy.reviews_sale_plans(user):
        return Entity.objects.filter(pk__in=selectors.plans_visible_to(user).values("owner_id")).order_by("name")
    return selectors.owners_for(user)


def plan_list(request):
    if not policy.can_see_sale_plans(request.user):
        raise PermissionDenied
    form = PlanListFilter(request.GET or None, owners=_owners_listed(request.user))
    plans = selectors.plans_visible_to(request.user).order_by("-updated_at", "-pk")
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("state"):
            plans = plans.filter(state=form.cleaned_data["state"])
        if form.cleaned_data.get("owner"):
            plans = plans.filter(owner=form.cleaned_data["owner"])
    elif form.is_bound:
        plans = plans.none()
    return TemplateResponse(
        request,
        "sales/admin/plan_list.html",
        {
            "plans": plans[:500],
            "form": form,
            "may_propose": policy.proposes_sale_plans(request.user),
            "reviews": policy.reviews_sale_plans(request.user),
        },
    )


def plan_new(request):
    if not policy.proposes_sale_plans(request.user):
        raise PermissionDenied
    form = PlanForm(request.POST or None, owners=selectors.owners_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(
                owner=form.cleaned_data["owner"],
                title=form.cleaned_data["title"],
                owner_act=form.cleaned_data["owner_act"],
                by=request.user,
            )
        except ValidationError as error:
            report(request, error)
        else:
            messages.success(request, _("Sale plan created: now choose its units."))
            return redirect("sales_plan_units", pk=plan.pk)
    return TemplateResponse(
        request,
        "sales/admin/form.html",
        {"form": form, "title": _("New sale plan"), "back": reverse("sales_plans")},
    )


def _lines(plan):
    lines = list(selectors.lines_of(plan))
    for line in lines:
        line.value_shown = euro(line.appraised_value)
        sale = getattr(line, "sale", None) if hasattr(line, "sale") else None
        line.price_shown = euro(sale.price) if sale else ""
    return lines


def plan_view(request, pk):
    plan = plan_for(request, pk)
    allowed = transitions.allowed_transitions(request.user, plan)
    owner_side = policy.can_act_for_owner(request.user, plan.owner)
    lines = _lines(plan)
    return TemplateResponse(
        request,
        "sales/admin/plan.html",
        {
            "plan": plan,
            "lines": lines,
            "total": euro(sum((line.appraised_value for line in lines), Decimal("0"))),
            "sendings": plan.sendings.select_related("protocol_entry").order_by("pk"),
            "actions": [(action, transitions.TRANSITIONS[action]) for action in allowed],
            "may_edit_units": owner_side and plan.state in ("draft", "integration_requested"),
            "may_record_sales": owner_side and plan.state == SalePlanState.APPROVED,
        },
    )


def _picker_filter(request, plan):
    comuni = selectors.comuni_of(plan.owner)
    comune_id = request.GET.get("comune") or None
    buildings = selectors.buildings_of(plan.owner)
    if comune_id and comune_id.isdigit():
        buildings = buildings.filter(comune_id=comune_id)
    return UnitFilter(request.GET or None, comuni=comuni, buildings=buildings)


def _posted_lines(request):
    """The units ticked in the picker, each with its value and answer, as the service takes
    them; values written the Italian way. Problems name the unit and the column."""
    lines, problems = [], []
    for row, raw in enumerate(request.POST.getlist("unit"), start=1):
        if not raw.isdigit():
            problems.append(_("Row %(row)d, unit: choose a unit of the list.") % {"row": row})
            continue
        value_text = request.POST.get(f"value_{raw}", "")
        try:
            value = parse_italian_decimal(value_text)
        except NumberFormatError as error:
            problems.append(_("Row %(row)d, appraised value: %(problem)s") % {"row": row, "problem": error.message})
            value = None
        refusal = request.POST.get(f"refusal_{raw}", "")
        lines.append(
            {
                "unit": int(raw),
                "appraised_value": value,
                "right_of_first_refusal": {"yes": True, "no": False}.get(refusal),
            }
        )
    return lines, problems


def plan_units(request, pk):
    """The unit picker: the plan's owner's units that may be proposed, narrowed by Comune,
    building and status; ticked units go in the plan with their value and the answer on the
    right of first refusal (all or nothing)."""
    plan = plan_for(request, pk)
    if not policy.can_act_for_owner(request.user, plan.owner):
        raise PermissionDenied
    if plan.state not in ("draft", "integration_requested"):
        messages.error(request, _("The units of this plan can no longer change."))
        return redirect(plan_url(plan))
    form = _picker_filter(request, plan)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    units = selectors.proposable_units(
        plan.owner, comune=filters.get("comune"), building=filters.get("building"), status=filters.get("status", "")
    )
    if request.method == "POST":
        lines, problems = _posted_lines(request)
        if problems:
            for problem in problems:
                messages.error(request, problem)
        else:
            try:
                saved = services.add_units(plan=plan, lines=lines, by=request.user)
            except ValidationError as error:
                report(request, error)
            else:
                messages.success(request, _("%(count)d units put in the plan.") % {"count": len(saved)})
                return redirect(plan_url(plan))
    return TemplateResponse(
        request,
        "sales/admin/plan_units.html",
        {
            "plan": plan,
            "form": form,
            "units": units[:PICKER_LIMIT],
            "limit": PICKER_LIMIT,
            "query": request.GET.urlencode(),
        },
    )


@require_POST
def plan_unit_remove(request, pk, line_pk):
    plan = plan_for(request, pk)
    line = get_object_or_404(SalePlanUnit.objects.select_related("unit"), pk=line_pk, plan=plan)
    try:
        services.remove_unit(plan=plan, line=line, by=request.user)
    except ValidationError as error:
        report(request, error)
    else:
        messages.success(request, _("Unit %(unit)s taken out of the plan.") % {"unit": line.unit.push_id})
    return redirect(plan_url(plan))


def plan_move(request, pk, action):
    """A transition of the plan: requesting an integration is a form; sending, integrating,
    approving and rejecting show a summary and act only with `confirm=yes`."""
    plan = plan_for(request, pk)
    transition = transitions.TRANSITIONS.get(action)
    if transition is None:
        raise Http404
    if not policy.can_take(request.user, plan, transition):
        raise PermissionDenied
    if plan.state not in transition.sources:
        messages.error(
            request, _("This cannot be done to a sale plan in state “%(state)s”.") % {"state": plan.get_state_display()}
        )
        return redirect(plan_url(plan))
    form_class = {"request_integration": IntegrationForm, "reject": RejectForm}.get(action)
    form = form_class(request.POST if request.method == "POST" else None) if form_class else None
    if request.method == "POST":
        if transition.confirm and not confirmed(request):
            messages.warning(request, _("Nothing was done: confirm to go on."))
        elif form is not None and not form.is_valid():
            messages.error(request, _("Fill in the fields below."))
        else:
            data = form.cleaned_data if form is not None else {}
            try:
                if action in ("send", "integrate"):
                    moved = services.send(plan=plan, by=request.user)
                elif action == "approve":
                    moved = services.approve(plan=plan, by=request.user)
                elif action == "reject":
                    moved = services.reject(plan=plan, reason=data["reason"], by=request.user)
                else:
                    moved = services.request_integration(
                        plan=plan, message=data["message"], deadline=data["deadline"], by=request.user
                    )
            except ValidationError as error:
                report(request, error)
            else:
                text = _("Done: the plan is now “%(state)s”.") % {"state": moved.get_state_display()}
                if moved.protocol_number and action in ("send", "integrate"):
                    text += " " + _("Protocol number %(number)s.") % {"number": moved.protocol_number}
                messages.success(request, text)
                return redirect(plan_url(plan))
    lines = _lines(plan)
    return TemplateResponse(
        request,
        "sales/admin/plan_confirm.html",
        {
            "plan": plan,
            "action": action,
            "transition": transition,
            "target_label": SalePlanState(transition.target).label,
            "form": form,
            "lines": lines,
            "total": euro(sum((line.appraised_value for line in lines), Decimal("0"))),
        },
    )


def sale_new(request, pk, line_pk):
    plan = plan_for(request, pk)
    line = get_object_or_404(SalePlanUnit.objects.select_related("unit"), pk=line_pk, plan=plan)
    if not policy.can_act_for_owner(request.user, plan.owner):
        raise PermissionDenied
    form = SaleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_sale(line=line, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            report(request, error)
        else:
            messages.success(request, _("Sale of %(unit)s recorded: the unit is sold.") % {"unit": line.unit.push_id})
            return redirect(plan_url(plan))
    return TemplateResponse(
        request,
        "sales/admin/form.html",
        {
            "form": form,
            "title": _("Record the sale of %(unit)s") % {"unit": line.unit.push_id},
            "subtitle": plan.title,
            "summary": [
                (_("Unit"), line.unit.push_id),
                (_("Appraised value"), euro(line.appraised_value)),
                (_("Tenant's right of first refusal"), _("Yes") if line.right_of_first_refusal else _("No")),
            ],
            "confirm_note": _("The unit will be marked sold in the register: this cannot be undone."),
            "back": plan_url(plan),
        },
    )


# --- proceeds against reinvestments --------------------------------------------------------


def _year(request):
    form = YearFilter(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_bound and form.is_valid() else None
    return form, year


def proceeds(request):
    """Per owner: units sold and proceeds against the amounts reinvested (the Region: every
    owner; an owner's people: their own)."""
    if not policy.can_see_sale_plans(request.user):
        raise PermissionDenied
    form, year = _year(request)
    rows = selectors.proceeds_by_owner(request.user, year=year)
    for row in rows:
        row.shown = [
            euro(row.proceeds),
            euro(row.new_housing),
            euro(row.recovery),
            euro(row.reinvested),
            euro(row.balance),
        ]
    reinvestments = selectors.reinvestments_visible_to(request.user).order_by("-spent_on", "-pk")
    if year:
        reinvestments = reinvestments.filter(spent_on__year=year)
    reinvestments = list(reinvestments[:200])
    for item in reinvestments:
        item.amount_shown = euro(item.amount)
    return TemplateResponse(
        request,
        "sales/admin/proceeds.html",
        {
            "form": form,
            "rows": rows,
            "reinvestments": reinvestments,
            "may_record": policy.proposes_sale_plans(request.user),
            # The files' links carry the year read, never the query string as given.
            "query": f"year={year}" if year else "",
        },
    )


def reinvestment_new(request):
    if not policy.proposes_sale_plans(request.user):
        raise PermissionDenied
    form = ReinvestmentForm(request.POST or None, owners=selectors.owners_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_reinvestment(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            report(request, error)
        else:
            messages.success(request, _("Reinvestment recorded."))
            return redirect("sales_proceeds")
    return TemplateResponse(
        request,
        "sales/admin/form.html",
        {"form": form, "title": _("Record a reinvestment of proceeds"), "back": reverse("sales_proceeds")},
    )
