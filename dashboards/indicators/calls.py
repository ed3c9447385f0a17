"""Indicators of the calls: per Comune, what it asked (applicants, eligible households,
need) and what the riparto gave it; the Comuni's participation in each call; the arrears
fund's cases by cause. Each one aggregate query.

A submission counts once it has been sent (SENT): drafts are the Comune's work in progress
and a rejected submission asks for nothing. An entity's people see only their own Comuni's
rows (the audience); the riparto is public once published, and only then open data.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Q, Sum
from django.utils.translation import gettext as _

from calls.models import Allocation, Applicant, ArrearsCase, ArrearsCause, Call, Submission, SubmissionState
from calls.selectors import published_calls
from dashboards import suppression
from dashboards.results import CategoryKind, Result, Series
from registry.models import AccreditationState, Entity, EntityKind

from . import population

SOURCE = "Bandi e riparti (PUSH)"
SENT = (
    SubmissionState.SUBMITTED,
    SubmissionState.INTEGRATION_REQUESTED,
    SubmissionState.INTEGRATED,
    SubmissionState.ACCEPTED,
)


def the_call(params: dict, *, calls=None) -> Call:
    """The call the parameters name, or the latest published call (of `year` if given)."""
    if "call" in params:
        return params["call"]
    calls = published_calls() if calls is None else calls
    if "year" in params:
        calls = calls.filter(year=params["year"])
    call = calls.order_by("-year", "-opens_at", "-pk").first()
    if call is None:
        raise ValidationError({"call": [_("No call to show.")]})
    return call


def calls_with_published_riparto():
    """The calls whose riparto is open data: published ones."""
    return published_calls().filter(riparto_published_at__isnull=False)


def _comuni_filter(params: dict, audience, prefix: str) -> Q:
    condition = Q()
    if "province" in params:
        condition &= Q(**{f"{prefix}province": params["province"]})
    if "arca" in params:
        condition &= Q(**{f"{prefix}covering_arca__code": params["arca"]})
    if "comune" in params:
        condition &= Q(**{f"{prefix}code": params["comune"]})
    if audience.entity_ids is not None:
        condition &= Q(**{f"{prefix}id__in": audience.entity_ids})
    return condition


def _result(indicator, call, params, categories, codes, series, kind=CategoryKind.COMUNE) -> Result:
    return Result(
        indicator=indicator.key,
        title=f"{indicator.title} – {call.title}" if call is not None else str(indicator.title),
        unit=indicator.unit,
        category_kind=kind,
        categories=categories,
        codes=codes,
        series=series,
        parameters={**params, "call": str(call.pk)} if call is not None else params,
        source=indicator.source_note or SOURCE,
    )


def _province_groups(provinces):
    groups = {}
    for index, province in enumerate(provinces):
        groups.setdefault(province, []).append(index)
    return list(groups.values())


def _sent_by_comune(call, params, audience, **sums):
    return list(
        Submission.objects.filter(call=call, state__in=SENT)
        .filter(_comuni_filter(params, audience, "comune__"))
        .values("comune__code", "comune__name", "comune__province")
        .annotate(**sums)
        .order_by("comune__code")
    )


def applicants_by_comune(indicator, params, audience, shown):
    """Households listed and eligible per band, per Comune."""
    call = the_call(params)
    rows = _sent_by_comune(
        call,
        params,
        audience,
        applicants=Sum("applicant_count"),
        band_a=Sum("eligible_a"),
        band_b=Sum("eligible_b"),
        band_covid=Sum("eligible_covid"),
    )
    series = [
        Series("applicants", _("Applicants"), [row["applicants"] for row in rows]),
        Series("eligible_a", _("Eligible, band A"), [row["band_a"] for row in rows]),
        Series("eligible_b", _("Eligible, band B"), [row["band_b"] for row in rows]),
    ]
    if call.covid_band:
        series.append(Series("eligible_covid", _("Eligible, COVID band"), [row["band_covid"] for row in rows]))
    result = _result(
        indicator, call, shown, [row["comune__name"] for row in rows], [row["comune__code"] for row in rows], series
    )
    if audience.public:
        suppression.suppress_result(result, row_groups=_province_groups([row["comune__province"] for row in rows]))
    return result


def need_by_comune(indicator, params, audience, shown):
    """The need (fabbisogno, €) each Comune declared, in total and per resident."""
    call = the_call(params)
    rows = _sent_by_comune(call, params, audience, need=Sum("need"))
    residents = population.population_by_comune()
    per_resident = []
    for row in rows:
        people = residents.get(row["comune__code"])
        per_resident.append(
            (row["need"] / people).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if people else None
        )
    return _result(
        indicator,
        call,
        shown,
        [row["comune__name"] for row in rows],
        [row["comune__code"] for row in rows],
        [
            Series("need", _("Need (€)"), [row["need"] for row in rows]),
            Series("need_per_resident", _("Need per resident (€)"), per_resident),
        ],
    )


def _riparto_by_comune(indicator, params, audience, shown, columns):
    """The riparto of a call summed by Comune: `columns` is ((key, model field, label), ...).
    Open data only once the riparto is published."""
    call = the_call(params, calls=calls_with_published_riparto() if audience.public else None)
    rows = list(
        Allocation.objects.filter(call=call)
        .filter(_comuni_filter(params, audience, "comune__"))
        .values("comune__code", "comune__name")
        .annotate(**{key: Sum(column) for key, column, _label in columns})
        .order_by("comune__code")
    )
    return _result(
        indicator,
        call,
        shown,
        [row["comune__name"] for row in rows],
        [row["comune__code"] for row in rows],
        [Series(key, label, [row[key] for row in rows]) for key, _column, label in columns],
    )


def allocation_by_comune(indicator, params, audience, shown):
    """The riparto: each Comune's need against what it was allocated (€)."""
    columns = (("need", "need", _("Need (€)")), ("allocated", "total", _("Allocated (€)")))
    return _riparto_by_comune(indicator, params, audience, shown, columns)


def funding_by_comune(indicator, params, audience, shown):
    """The riparto: each Comune's co-financing and the premium it earned with it (€)."""
    columns = (
        ("co_financing", "co_financing", _("Co-financing (€)")),
        ("premium", "premium", _("Premium (€)")),
    )
    return _riparto_by_comune(indicator, params, audience, shown, columns)


def _eligible_average(indicator, params, audience, shown, *, column: str, key: str, label: str):
    call = the_call(params)
    rows = list(
        Applicant.objects.filter(submission__call=call, submission__state__in=SENT)
        .exclude(band="")
        .filter(_comuni_filter(params, audience, "submission__comune__"))
        .values("submission__comune__code", "submission__comune__name")
        .annotate(average=Avg(column))
        .order_by("submission__comune__code")
    )
    values = [
        None if row["average"] is None else Decimal(row["average"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
        for row in rows
    ]
    return _result(
        indicator,
        call,
        shown,
        [row["submission__comune__name"] for row in rows],
        [row["submission__comune__code"] for row in rows],
        [Series(key, label, values)],
    )


def average_contribution_by_comune(indicator, params, audience, shown):
    """The average contribution (€) computed for the eligible households of each Comune."""
    return _eligible_average(
        indicator,
        params,
        audience,
        shown,
        column="contribution",
        key="contribution",
        label=_("Average contribution (€)"),
    )


def average_incidence_by_comune(indicator, params, audience, shown):
    """The average incidence of the rent on the income (%) of each Comune's eligible households."""
    return _eligible_average(
        indicator, params, audience, shown, column="incidence", key="incidence", label=_("Average rent/income (%)")
    )


def participation_by_call(indicator, params, audience, shown):
    """Per call: the Comuni (within the filters) accredited, those that sent on time (before
    the call's own deadline), late (after it, under an extension) and those that have sent
    nothing (missing)."""
    comuni = Entity.objects.filter(kind=EntityKind.COMUNE).filter(_comuni_filter(params, audience, ""))
    in_scope = comuni.aggregate(
        total=Count("id"), accredited=Count("id", filter=Q(accreditation_state=AccreditationState.ACCREDITED))
    )
    calls = published_calls()
    if "call" in params:
        calls = calls.filter(pk=params["call"].pk)
    if "year" in params:
        calls = calls.filter(year=params["year"])
    sent = Q(submissions__state__in=SENT, submissions__submitted_at__isnull=False) & _comuni_filter(
        params, audience, "submissions__comune__"
    )
    rows = list(
        calls.values("pk", "title")
        .annotate(
            on_time=Count("submissions", filter=sent & Q(submissions__submitted_at__lt=F("closes_at"))),
            late=Count("submissions", filter=sent & Q(submissions__submitted_at__gte=F("closes_at"))),
        )
        .order_by("-year", "call_type")
    )
    return _result(
        indicator,
        None,
        shown,
        [row["title"] for row in rows],
        [str(row["pk"]) for row in rows],
        [
            Series("accredited", _("Accredited Comuni"), [in_scope["accredited"] for _row in rows]),
            Series("on_time", _("Sent on time"), [row["on_time"] for row in rows]),
            Series("late", _("Sent late (with an extension)"), [row["late"] for row in rows]),
            Series("missing", _("Not sent"), [in_scope["total"] - row["on_time"] - row["late"] for row in rows]),
        ],
        kind=CategoryKind.LABEL,
    )


def arrears_by_cause(indicator, params, audience, shown):
    """The arrears fund's cases by cause of the income loss, in the Comuni's sent lists."""
    call = the_call(params, calls=published_calls().filter(call_type="arrears"))
    counts = dict(
        ArrearsCase.objects.filter(submission__call=call, submission__state__in=SENT)
        .filter(_comuni_filter(params, audience, "submission__comune__"))
        .order_by()
        .values_list("cause")
        .annotate(n=Count("id"))
    )
    codes = list(ArrearsCause.values)
    result = _result(
        indicator,
        call,
        shown,
        [str(ArrearsCause(code).label) for code in codes],
        codes,
        [Series("cases", _("Cases"), [counts.get(code, 0) for code in codes])],
        kind=CategoryKind.LABEL,
    )
    if audience.public:
        suppression.suppress_result(result)
    return result
