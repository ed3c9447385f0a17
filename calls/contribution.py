"""The L. 431/98 art. 11 contribution of one applicant: a pure function, no database.

Rule (DM 7/6/1999 as used in Puglia's calls, DOMAIN.md §1.2–1.3): an applicant is in band A
when the household income is at most the band-A limit (two INPS minimum pensions) and the
rent takes at least the band-A share of it (14 %); otherwise in band B when the income is at
most the ERP limit and the rent takes at least 24 %; optionally in an extra band (the COVID
band: ISEE at most a ceiling and an income loss of at least a percentage). The contribution
brings the rent down to that share of the income, capped per band, in proportion to the
months the lease ran in the year:

    contribution = min(annual_rent − min_share × income, cap) × months / 12

Every threshold, share and cap comes from the call (`BandRule`), never from here.
Amounts are Decimal euros rounded half-up to the cent.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
ZERO = Decimal("0")
CENTS_ZERO = Decimal("0.00")
TWELVE = Decimal(12)


@dataclass(frozen=True)
class BandRule:
    code: str  # "A", "B", "COVID"
    max_income: Decimal | None  # None: no income limit (the COVID band uses the ISEE)
    min_incidence: Decimal  # fraction, e.g. Decimal("0.14")
    cap: Decimal  # euros per year
    max_isee: Decimal | None = None
    min_income_loss: Decimal | None = None  # fraction, e.g. Decimal("0.25")


@dataclass(frozen=True)
class ApplicantFigures:
    income: Decimal  # annual household income (reddito complessivo)
    annual_rent: Decimal  # annual rent of the registered lease, net of service charges
    months: int  # months of lease in the reference year, 1–12
    isee: Decimal | None = None
    income_loss: Decimal | None = None  # fraction


@dataclass(frozen=True)
class Outcome:
    band: str  # "" when not eligible
    incidence: Decimal | None  # rent / income, None when income is zero
    contribution: Decimal
    reason: str = ""  # why not eligible

    @property
    def eligible(self) -> bool:
        return bool(self.band)


REASON_INCOME = "income_above_limits"
REASON_INCIDENCE = "incidence_below_minimum"
REASON_NO_RENT = "no_rent"
REASONS = {
    REASON_INCOME: _("Income above the limits of every band."),
    REASON_INCIDENCE: _("Rent below the minimum share of income for the band."),
    REASON_NO_RENT: _("No rent paid in the year."),
}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def incidence_of(figures: ApplicantFigures) -> Decimal | None:
    if figures.income <= ZERO:
        return None
    return figures.annual_rent / figures.income


def _qualifies(rule: BandRule, figures: ApplicantFigures, incidence: Decimal | None) -> tuple[bool, str]:
    if rule.max_income is not None and figures.income > rule.max_income:
        return False, REASON_INCOME
    if rule.max_isee is not None and (figures.isee is None or figures.isee > rule.max_isee):
        return False, REASON_INCOME
    if rule.min_income_loss is not None and (figures.income_loss is None or figures.income_loss < rule.min_income_loss):
        return False, REASON_INCOME
    # Zero income: the rent takes "all" of it, above any minimum share.
    if incidence is not None and incidence < rule.min_incidence:
        return False, REASON_INCIDENCE
    return True, ""


def compute(figures: ApplicantFigures, bands: list[BandRule]) -> Outcome:
    """Band, incidence and contribution of an applicant under the call's bands (tried in
    order, the first that fits wins)."""
    incidence = incidence_of(figures)
    if figures.annual_rent <= ZERO:
        return Outcome(band="", incidence=incidence, contribution=ZERO, reason=REASON_NO_RENT)
    reason = REASON_INCOME
    for rule in bands:
        fits, why = _qualifies(rule, figures, incidence)
        if not fits:
            # Prefer telling the applicant about the share when the income was within a band.
            if why == REASON_INCIDENCE:
                reason = REASON_INCIDENCE
            continue
        yearly = min(figures.annual_rent - rule.min_incidence * figures.income, rule.cap)
        contribution = cents(max(yearly, ZERO) * Decimal(figures.months) / TWELVE)
        return Outcome(band=rule.code, incidence=incidence, contribution=contribution)
    return Outcome(band="", incidence=incidence, contribution=ZERO, reason=reason)


# --- the same rule over integer cents, for lists of tens of thousands ------------------
# `compute` above is the statement of the rule; `compiled(bands)` gives a function that
# returns the same band, incidence, contribution and reason for an applicant whose amounts
# are given in integer cents (money has two decimals), without Decimal arithmetic per row.
# Every threshold is turned once into an exact integer comparison; the only Decimals made
# per row are the results. tests/calls/test_contribution_fast.py checks it against `compute`.


def _floor_cents(amount: Decimal) -> int:
    """The largest whole number of cents not above `amount` (x ≤ amount ⇔ x ≤ this)."""
    numerator, denominator = amount.as_integer_ratio()
    return numerator * 100 // denominator


def _ceil_ten_thousandths(fraction: Decimal) -> int:
    """The smallest whole number of ten-thousandths not below `fraction`."""
    numerator, denominator = fraction.as_integer_ratio()
    return -(-numerator * 10000 // denominator)


def compiled(bands: list[BandRule]):
    """A function (income, annual_rent, isee, loss) → (band, incidence_hundredths, contribution,
    reason): amounts in integer cents (isee None when not given), loss the income loss in
    ten-thousandths (a percentage with two decimals, None when not given). The incidence is
    rent/income × 100 rounded half-even to the hundredth, as an integer (None when the
    income is zero); the contribution a Decimal to the cent, as `compute` gives it."""
    rules = []
    for rule in bands:
        share_num, share_den = rule.min_incidence.as_integer_ratio()
        cap_num, cap_den = rule.cap.as_integer_ratio()
        rules.append(
            (
                rule.code,
                None if rule.max_income is None else _floor_cents(rule.max_income),
                None if rule.max_isee is None else _floor_cents(rule.max_isee),
                None if rule.min_income_loss is None else _ceil_ten_thousandths(rule.min_income_loss),
                share_num,
                share_den,
                cap_num,
                cap_den,
            )
        )

    def outcome(income: int, rent: int, months: int, isee: int | None, loss: int | None):
        if income > 0:
            hundredths, remainder = divmod(rent * 10000, income)
            twice = 2 * remainder
            if twice > income or (twice == income and hundredths & 1):
                hundredths += 1
        else:
            hundredths = None
        if rent <= 0:
            return "", hundredths, ZERO, REASON_NO_RENT
        reason = REASON_INCOME
        for code, max_income, max_isee, min_loss, share_num, share_den, cap_num, cap_den in rules:
            if max_income is not None and income > max_income:
                continue
            if max_isee is not None and (isee is None or isee > max_isee):
                continue
            if min_loss is not None and (loss is None or loss < min_loss):
                continue
            if income > 0 and rent * share_den < share_num * income:
                reason = REASON_INCIDENCE
                continue
            # In units of a cent / (share_den × cap_den): exact.
            yearly = min((rent * share_den - share_num * income) * cap_den, cap_num * 100 * share_den)
            if yearly <= 0:
                return code, hundredths, CENTS_ZERO, ""
            divisor = 12 * share_den * cap_den
            whole, remainder = divmod(yearly * months, divisor)
            if 2 * remainder >= divisor:  # half up
                whole += 1
            return code, hundredths, Decimal(whole).scaleb(-2), ""
        return "", hundredths, ZERO, reason

    return outcome
