"""The L. 431/98 contribution rule, with the worked examples of DOMAIN.md §6."""

from decimal import Decimal as D

import pytest

from calls.contribution import REASON_INCIDENCE, REASON_INCOME, REASON_NO_RENT, ApplicantFigures, BandRule, compute

# Puglia, rents of 2019 (Altamura's call): two INPS minimum pensions and the ERP limit.
BAND_A = BandRule("A", max_income=D("13192.92"), min_incidence=D("0.14"), cap=D("3098.74"))
BAND_B = BandRule("B", max_income=D("15250.00"), min_incidence=D("0.24"), cap=D("2324.06"))
BANDS = [BAND_A, BAND_B]


def outcome(income, rent, months=12, bands=BANDS, **extra):
    return compute(ApplicantFigures(income=D(income), annual_rent=D(rent), months=months, **extra), bands)


def test_worked_example_band_a_is_capped():
    result = outcome("10000", "4800")
    assert result.band == "A"
    assert result.incidence == D("0.48")
    assert result.contribution == D("3098.74")  # 4.800 − 1.400 = 3.400 → cap


def test_worked_example_band_b():
    result = outcome("15000", "4200")
    assert result.band == "B" and result.incidence == D("0.28")
    assert result.contribution == D("600.00")  # 4.200 − 3.600


def test_worked_example_not_eligible_for_b():
    result = outcome("15000", "3000")
    assert not result.eligible and result.contribution == 0
    assert result.reason == REASON_INCIDENCE and result.incidence == D("0.2")


def test_exactly_14_percent_is_eligible_with_zero_contribution():
    result = outcome("10000", "1400")
    assert result.band == "A" and result.contribution == D("0.00")


def test_just_below_14_percent_in_band_a_income_falls_through_to_not_eligible():
    result = outcome("10000", "1399.99")
    assert not result.eligible and result.reason == REASON_INCIDENCE


def test_exactly_24_percent_is_eligible_in_band_b():
    result = outcome("15000", "3600")
    assert result.band == "B" and result.contribution == D("0.00")


def test_income_exactly_at_the_band_limits():
    assert outcome("13192.92", "5000").band == "A"
    assert outcome("13192.93", "5000").band == "B"
    assert outcome("15250.00", "5000").band == "B"
    assert outcome("15250.01", "5000").reason == REASON_INCOME


def test_band_b_cap():
    assert outcome("14000", "9000").contribution == D("2324.06")


def test_zero_income_is_band_a_with_the_rent_up_to_the_cap():
    assert outcome("0", "2400").contribution == D("2400.00")
    assert outcome("0", "6000").contribution == D("3098.74")
    assert outcome("0", "2400").incidence is None


def test_months_below_twelve_are_pro_rata():
    # 6 months of the band-B example: 600 × 6/12
    assert outcome("15000", "4200", months=6).contribution == D("300.00")
    # the cap is pro rata too: 3.098,74 × 7/12 = 1.807,598… → 1.807,60
    assert outcome("10000", "4800", months=7).contribution == D("1807.60")


def test_no_rent_is_not_eligible():
    assert outcome("8000", "0").reason == REASON_NO_RENT


def test_thresholds_are_the_calls_data():
    generous = [BandRule("A", max_income=D("20000"), min_incidence=D("0.10"), cap=D("5000"))]
    assert outcome("18000", "4000", bands=generous).contribution == D("2200.00")


def test_covid_band_uses_isee_and_income_loss():
    covid = BandRule(
        "COVID",
        max_income=None,
        min_incidence=D("0.24"),
        cap=D("2324.06"),
        max_isee=D("35000"),
        min_income_loss=D("0.25"),
    )
    bands = [BAND_A, BAND_B, covid]
    assert outcome("30000", "9000", bands=bands, isee=D("20000"), income_loss=D("0.30")).band == "COVID"
    assert outcome("30000", "9000", bands=bands, isee=D("20000"), income_loss=D("0.20")).reason == REASON_INCOME
    assert outcome("30000", "9000", bands=bands, isee=D("36000"), income_loss=D("0.30")).reason == REASON_INCOME


@pytest.mark.parametrize("income, rent", [("12000", "3000"), ("15000", "5000"), ("0", "100")])
def test_contribution_never_exceeds_rent_or_cap(income, rent):
    result = outcome(income, rent)
    assert result.contribution <= D(rent)
    assert result.contribution <= BAND_A.cap
