"""The catalogue of indicators of the management dashboard (cruscotto direzionale).

Every chart, table, CSV, admin panel and open-data answer is an indicator computed here:

    INDICATORS                      key -> Indicator (the catalogue)
    get(key)                        the Indicator, KeyError when unknown
    compute(key, params=, audience=)  -> dashboards.results.Result
    audience_for(user)              whose figures the user may read (registry.access)
    data_version(key)               changes whenever the data the indicator reads change

`compute` checks the parameters against those the indicator declares (ValidationError),
refuses a restricted indicator to public readers (PermissionDenied), keeps an entity's
people to their own entities' figures, and hides small counts for public readers
(dashboards/suppression.py). Each selector is one aggregate query (calls, stock).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboards.results import Audience, CategoryKind, Level, Result, Unit
from registry import access

from . import calls, helpdesk, parameters, population, sales, stock, versions
from .catalogue import (
    ARCA_ONLY,
    CALL_AND_TERRITORY,
    CALLS,
    HELPDESK,
    POPULATION,
    PROVINCE_OR_ARCA,
    STOCK,
    TERRITORY,
    TODAY,
    YEAR_AND_PROVINCE,
    Indicator,
)

__all__ = ["INDICATORS", "Indicator", "audience_for", "compute", "data_version", "get"]

PUBLIC, RESTRICTED = Level.PUBLIC, Level.RESTRICTED
COMUNE_FIELDS = (("code", gettext_lazy("ISTAT code of the Comune")), ("category", gettext_lazy("Comune")))

_CATALOGUE = [
    # --- the property register -----------------------------------------------------------
    Indicator(
        key="stock_by_status",
        title=gettext_lazy("Public housing units by occupancy status"),
        description=gettext_lazy("Units of the property register by occupancy status (let, vacant, sold…)."),
        level=PUBLIC,
        parameters=TERRITORY,
        unit=Unit.COUNT,
        category_kind=CategoryKind.LABEL,
        sources=(STOCK,),
        default_kind="donut",
        select=stock.by_status,
        fields=(
            ("code", gettext_lazy("Occupancy status (code)")),
            ("category", gettext_lazy("Occupancy status")),
            ("units", gettext_lazy("Units")),
        ),
    ),
    Indicator(
        key="stock_by_owner",
        title=gettext_lazy("Public housing units by owner"),
        description=gettext_lazy("Units of the property register by owning entity (ARCA or Comune)."),
        level=PUBLIC,
        parameters=TERRITORY,
        unit=Unit.COUNT,
        category_kind=CategoryKind.LABEL,
        sources=(STOCK,),
        default_kind="hbar",
        select=stock.by_owner,
        fields=(
            ("code", gettext_lazy("PUSH code of the owner")),
            ("category", gettext_lazy("Owner")),
            ("units", gettext_lazy("Units")),
        ),
    ),
    Indicator(
        key="stock_by_comune",
        title=gettext_lazy("Public housing units by Comune"),
        description=gettext_lazy("Units of the property register by the Comune where their building lies."),
        level=PUBLIC,
        parameters=PROVINCE_OR_ARCA,
        unit=Unit.COUNT,
        category_kind=CategoryKind.COMUNE,
        sources=(STOCK,),
        default_kind="map",
        select=stock.by_comune,
        fields=(*COMUNE_FIELDS, ("units", gettext_lazy("Units"))),
    ),
    Indicator(
        key="stock_by_province",
        title=gettext_lazy("Public housing units by province"),
        description=gettext_lazy("Units of the property register by the province where their building lies."),
        level=PUBLIC,
        parameters=ARCA_ONLY,
        unit=Unit.COUNT,
        category_kind=CategoryKind.PROVINCE,
        sources=(STOCK,),
        default_kind="bar",
        select=stock.by_province,
        fields=(
            ("code", gettext_lazy("Province (code)")),
            ("category", gettext_lazy("Province")),
            ("units", gettext_lazy("Units")),
        ),
    ),
    Indicator(
        key="stock_vacancy_rate",
        title=gettext_lazy("Vacant units by province (%)"),
        description=gettext_lazy(
            "Vacant units (ready to assign or needing works) as a share of the housing stock "
            "(units neither sold nor non-residential), by province."
        ),
        level=PUBLIC,
        parameters=ARCA_ONLY,
        unit=Unit.PERCENT,
        category_kind=CategoryKind.PROVINCE,
        sources=(STOCK,),
        default_kind="bar",
        select=stock.vacancy_by_province,
        fields=(
            ("code", gettext_lazy("Province (code)")),
            ("category", gettext_lazy("Province")),
            ("vacancy_rate", gettext_lazy("Vacant units, % of the housing stock")),
        ),
    ),
    Indicator(
        key="stock_per_1000_residents",
        title=gettext_lazy("Public housing units per 1,000 residents"),
        description=gettext_lazy(
            "Units of the property register per 1,000 residents of the Comune (resident population at "
            "1 January 2021, ISTAT)."
        ),
        level=PUBLIC,
        parameters=PROVINCE_OR_ARCA,
        unit=Unit.RATE,
        category_kind=CategoryKind.COMUNE,
        sources=(STOCK, POPULATION),
        default_kind="map",
        select=stock.per_thousand_residents,
        source_note=f"{stock.SOURCE}; {population.ATTRIBUTION}",
        fields=(*COMUNE_FIELDS, ("units_per_1000", gettext_lazy("Units per 1,000 residents"))),
    ),
    Indicator(
        key="stock_by_year",
        title=gettext_lazy("Public housing units year against year"),
        description=gettext_lazy("Units at the reference date of each yearly snapshot of the register."),
        level=PUBLIC,
        parameters=TERRITORY,
        unit=Unit.COUNT,
        category_kind=CategoryKind.YEAR,
        sources=(STOCK,),
        default_kind="line",
        select=stock.by_year,
        fields=(
            ("code", gettext_lazy("Year of the snapshot")),
            ("category", gettext_lazy("Year")),
            ("units", gettext_lazy("Units")),
        ),
    ),
    Indicator(
        key="register_completeness",
        title=gettext_lazy("Completeness of each owner's register"),
        description=gettext_lazy(
            "Per owner: its units, and those whose record lacks cadastral data (sheet, parcel, sub-unit, "
            "category), the conventional area or the energy class."
        ),
        level=RESTRICTED,
        parameters=TERRITORY,
        unit=Unit.COUNT,
        category_kind=CategoryKind.LABEL,
        sources=(STOCK,),
        default_kind="stacked",
        select=stock.completeness_by_owner,
        fields=(
            ("code", gettext_lazy("PUSH code of the owner")),
            ("category", gettext_lazy("Owner")),
            ("units", gettext_lazy("Units")),
            ("incomplete", gettext_lazy("Units with missing data")),
        ),
    ),
    Indicator(
        key="register_days_since_update",
        title=gettext_lazy("Days since each owner last updated its register"),
        description=gettext_lazy("Per owner: days since the latest change to any of its units."),
        level=RESTRICTED,
        parameters=TERRITORY,
        unit=Unit.DAYS,
        category_kind=CategoryKind.LABEL,
        sources=(STOCK, TODAY),
        default_kind="hbar",
        select=stock.days_since_update_by_owner,
        fields=(
            ("code", gettext_lazy("PUSH code of the owner")),
            ("category", gettext_lazy("Owner")),
            ("days", gettext_lazy("Days since the last update")),
        ),
    ),
    # --- the calls ---------------------------------------------------------------------------
    Indicator(
        key="call_applicants_by_comune",
        title=gettext_lazy("Applicants and eligible households by Comune"),
        description=gettext_lazy(
            "Per Comune, in its sent submission to the call: households listed and households eligible in each band."
        ),
        level=RESTRICTED,
        parameters=CALL_AND_TERRITORY,
        unit=Unit.COUNT,
        category_kind=CategoryKind.COMUNE,
        sources=(CALLS,),
        default_kind="stacked",
        select=calls.applicants_by_comune,
        fields=(
            *COMUNE_FIELDS,
            ("applicants", gettext_lazy("Applicants")),
            ("eligible_a", gettext_lazy("Eligible, band A")),
            ("eligible_b", gettext_lazy("Eligible, band B")),
            ("eligible_covid", gettext_lazy("Eligible, COVID band (calls with it only)")),
        ),
    ),
    Indicator(
        key="call_need_by_comune",
        title=gettext_lazy("Need (fabbisogno) by Comune"),
        description=gettext_lazy(
            "Per Comune, in its sent submission to the call: the need declared (€), in total and per "
            "resident (ISTAT 2021)."
        ),
        level=RESTRICTED,
        parameters=CALL_AND_TERRITORY,
        unit=Unit.EURO,
        category_kind=CategoryKind.COMUNE,
        sources=(CALLS, POPULATION),
        default_kind="map",
        select=calls.need_by_comune,
        source_note=f"{calls.SOURCE}; {population.ATTRIBUTION}",
        fields=(
            *COMUNE_FIELDS,
            ("need", gettext_lazy("Need (€)")),
            ("need_per_resident", gettext_lazy("Need per resident (€)")),
        ),
    ),
    Indicator(
        key="call_allocation_by_comune",
        title=gettext_lazy("Allocated against need by Comune"),
        description=gettext_lazy(
            "The riparto of a call: per Comune, the need admitted and the amount allocated (€). Open data "
            "once the riparto is published."
        ),
        level=PUBLIC,
        parameters=CALL_AND_TERRITORY,
        unit=Unit.EURO,
        category_kind=CategoryKind.COMUNE,
        sources=(CALLS,),
        default_kind="bar",
        select=calls.allocation_by_comune,
        open_calls=calls.calls_with_published_riparto,
        fields=(
            *COMUNE_FIELDS,
            ("need", gettext_lazy("Need admitted (€)")),
            ("allocated", gettext_lazy("Allocated (€)")),
        ),
    ),
    Indicator(
        key="call_funding_by_comune",
        title=gettext_lazy("Co-financing and premium by Comune"),
        description=gettext_lazy(
            "The riparto of a call: per Comune, its co-financing and the premium share it earned (€). Open "
            "data once the riparto is published."
        ),
        level=PUBLIC,
        parameters=CALL_AND_TERRITORY,
        unit=Unit.EURO,
        category_kind=CategoryKind.COMUNE,
        sources=(CALLS,),
        default_kind="bar",
        select=calls.funding_by_comune,
        open_calls=calls.calls_with_published_riparto,
        fields=(
            *COMUNE_FIELDS,
            ("co_financing", gettext_lazy("Co-financing (€)")),
            ("premium", gettext_lazy("Premium share (€)")),
        ),
    ),
    Indicator(
        key="call_average_contribution",
        title=gettext_lazy("Average contribution by Comune"),
        description=gettext_lazy("Per Comune: the average contribution computed for its eligible households (€)."),
        level=RESTRICTED,
        parameters=CALL_AND_TERRITORY,
        unit=Unit.EURO,
        category_kind=CategoryKind.COMUNE,
        sources=(CALLS,),
        default_kind="bar",
        select=calls.average_contribution_by_comune,
        fields=(*COMUNE_FIELDS, ("contribution", gettext_lazy("Average contribution (€)"))),
    ),
    Indicator(
        key="call_average_incidence",
        title=gettext_lazy("Average rent/income ratio by Comune"),
        description=gettext_lazy(
            "Per Comune: the average incidence of the rent on the income of its eligible households."
        ),
        level=RESTRICTED,
        parameters=CALL_AND_TERRITORY,
        unit=Unit.PERCENT,
        category_kind=CategoryKind.COMUNE,
        sources=(CALLS,),
        default_kind="bar",
        select=calls.average_incidence_by_comune,
        fields=(*COMUNE_FIELDS, ("incidence", gettext_lazy("Average rent/income (%)"))),
    ),
    Indicator(
        key="call_participation",
        title=gettext_lazy("Participation of the Comuni in the calls"),
        description=gettext_lazy(
            "Per call: Comuni accredited, Comuni that sent their submission before the call's deadline, "
            "after it (under an extension), and those that have sent nothing."
        ),
        level=RESTRICTED,
        parameters=CALL_AND_TERRITORY,
        unit=Unit.COUNT,
        category_kind=CategoryKind.LABEL,
        sources=(CALLS,),
        default_kind="stacked",
        select=calls.participation_by_call,
        fields=(
            ("code", gettext_lazy("Number of the call")),
            ("category", gettext_lazy("Call")),
            ("accredited", gettext_lazy("Accredited Comuni")),
            ("on_time", gettext_lazy("Sent on time")),
            ("late", gettext_lazy("Sent late (with an extension)")),
            ("missing", gettext_lazy("Not sent")),
        ),
    ),
    Indicator(
        key="arrears_cases_by_cause",
        title=gettext_lazy("Arrears fund: cases by cause"),
        description=gettext_lazy("Households of the arrears fund in the Comuni's sent lists, by cause of income loss."),
        level=RESTRICTED,
        parameters=CALL_AND_TERRITORY,
        unit=Unit.COUNT,
        category_kind=CategoryKind.LABEL,
        sources=(CALLS,),
        default_kind="hbar",
        select=calls.arrears_by_cause,
        fields=(
            ("code", gettext_lazy("Cause (code)")),
            ("category", gettext_lazy("Cause of income loss")),
            ("cases", gettext_lazy("Cases")),
        ),
    ),
    # --- the helpdesk ------------------------------------------------------------------------
    Indicator(
        key="helpdesk_tickets_by_topic",
        title=gettext_lazy("Helpdesk tickets by topic"),
        description=gettext_lazy("Tickets of the entities to the Region by topic: still being handled and resolved."),
        level=RESTRICTED,
        parameters=YEAR_AND_PROVINCE,
        unit=Unit.COUNT,
        category_kind=CategoryKind.LABEL,
        sources=(HELPDESK,),
        default_kind="stacked",
        select=helpdesk.by_topic,
        fields=(
            ("code", gettext_lazy("Topic (code)")),
            ("category", gettext_lazy("Topic")),
            ("open", gettext_lazy("Open")),
            ("resolved", gettext_lazy("Resolved")),
        ),
    ),
    Indicator(
        key="helpdesk_tickets_by_month",
        title=gettext_lazy("Helpdesk tickets opened and resolved by month"),
        description=gettext_lazy("Tickets opened in each month, and tickets resolved in each month (Europe/Rome)."),
        level=RESTRICTED,
        parameters=YEAR_AND_PROVINCE,
        unit=Unit.COUNT,
        category_kind=CategoryKind.LABEL,
        sources=(HELPDESK,),
        default_kind="line",
        select=helpdesk.by_month,
        fields=(
            ("code", gettext_lazy("Month (YYYY-MM)")),
            ("category", gettext_lazy("Month")),
            ("opened", gettext_lazy("Opened")),
            ("resolved", gettext_lazy("Resolved")),
        ),
    ),
    Indicator(
        key="helpdesk_response_times",
        title=gettext_lazy("Helpdesk: time to the first answer and to the resolution"),
        description=gettext_lazy(
            "Per topic: median and average days from the opening of a ticket to the Region's first answer, "
            "and to its resolution (resolved tickets only)."
        ),
        level=RESTRICTED,
        parameters=YEAR_AND_PROVINCE,
        unit=Unit.DAYS,
        category_kind=CategoryKind.LABEL,
        sources=(HELPDESK,),
        default_kind="bar",
        select=helpdesk.response_times,
        fields=(
            ("code", gettext_lazy("Topic (code)")),
            ("category", gettext_lazy("Topic")),
            ("first_answer_median", gettext_lazy("First answer, median (days)")),
            ("first_answer_average", gettext_lazy("First answer, average (days)")),
            ("resolution_median", gettext_lazy("Resolution, median (days)")),
            ("resolution_average", gettext_lazy("Resolution, average (days)")),
        ),
    ),
]

# The sale plans declare their indicators beside their selectors (dashboards/indicators/sales.py).
INDICATORS: dict[str, Indicator] = {indicator.key: indicator for indicator in (*_CATALOGUE, *sales.INDICATORS)}


def get(key: str) -> Indicator:
    """The indicator of the catalogue; KeyError when there is none."""
    return INDICATORS[key]


def audience_for(user) -> Audience:
    """Whose figures `user` may read, from the access rule: the Region's people every
    entity's; an ARCA's or a Comune's people their own entities' only; anyone else (not
    signed in, or with no active membership) the public figures."""
    rule = access.access_for(user)
    if rule.regional:
        return Audience()
    own = rule.visible_ids()
    if own:
        return Audience(entity_ids=frozenset(own))
    return Audience(public=True)


def compute(key: str, *, params: dict | None = None, audience: Audience) -> Result:
    """The indicator's Result for `params` (text, as in a URL) and `audience`."""
    indicator = get(key)
    if audience.public and not indicator.is_public:
        raise PermissionDenied(_("This indicator is not open data."))
    offered = indicator.open_calls() if audience.public and indicator.open_calls else None
    values = parameters.validate(indicator, params or {}, calls=offered)
    return indicator.select(indicator, values, audience, parameters.shown(values))


def data_version(key: str) -> str:
    """Changes whenever data the indicator reads change (see versions.py)."""
    return versions.data_version(get(key))
